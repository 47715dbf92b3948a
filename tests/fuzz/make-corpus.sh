#!/bin/sh
# make-corpus.sh - (re)write the seed corpora of the fuzz targets from the
# project's own lessons and schedules.  Run from the top directory after
# `make`.  Only the seeds it writes are replaced (see below).
#
#   corpus/lesson    every lesson file (lessons/, tests/lessons/, tests/spin/)
#   corpus/schedule  the lessons' reference schedules, every "v1 ..." string
#                    of the unit tests, and the witnesses --explore prints
#   corpus/engine    hand-made call sequences (fuzz_engine.c says the layout),
#                    kept as they are
set -eu
bin=${1:-build/plain/dpctutor}
dir=tests/fuzz/corpus
mkdir -p "$dir/lesson" "$dir/schedule" "$dir/engine"
# Only the seeds this script writes are replaced; the regress-* inputs and
# what fuzzing merged in (files named by their SHA-1) stay.
find "$dir/schedule" -type f \( -name 'seed-*' -o -name 'witness-*' \) -delete

for f in lessons/[0-9]*.lua tests/lessons/*.lua tests/spin/*.lua; do
	cp "$f" "$dir/lesson/$(basename "$f")"
done

n=0
emit() {
	n=$((n + 1))
	printf '%s' "$1" > "$dir/schedule/seed-$(printf '%03d' $n)"
}
# Reference schedules and the unit tests' schedule strings (C escapes kept
# as written: \r, \n and \t become those bytes).
{
	grep -ho 'reference = "v1[^"]*"' lessons/*.lua | sed 's/^reference = "//; s/"$//'
	grep -ho '"v1 [^"%]*"' tests/unit/*.c | sed 's/^"//; s/"$//'
} | sort -u | while IFS= read -r line; do
	emit "$(printf '%b' "$line")"
done
n=$(ls "$dir/schedule" | grep -c '^seed-' || true)
for f in lessons/[0-9]*.lua; do
	"$bin" --explore --max-preemptions 1 --max-events 2 "$f" 2>/dev/null |
		grep -o 'v1 lesson=.*' | sort -u | head -4
done | while IFS= read -r line; do
	n=$((n + 1))
	printf '%s' "$line" > "$dir/schedule/witness-$(printf '%03d' $n)"
done

# The lesson target's dictionary: the API's names and keys, Lua tokens.
{
	echo "# lesson.dict - libFuzzer dictionary for fuzz_lesson: the lesson API's names"
	echo "# (lessons/api.lua), its table keys and a few Lua tokens.  Made by"
	echo "# tests/fuzz/make-corpus.sh."
	{
		grep -oE "^function [A-Za-z_]+|^[A-Z_a-z]+ = " lessons/api.lua |
			sed 's/^function //; s/ = $//' | sort -u
		grep -oE -- "---@field [a-z_A-Z]+" lessons/api.lua | sed 's/---@field //' | sort -u
		printf '%s\n' function end local return true false nil for while repeat until \
			if then else elseif do and or not pairs ipairs pcall error setmetatable \
			tostring string.rep table.concat load
	} | awk '!seen[$0]++ { printf "\"%s\"\n", $0 }'
} > tests/fuzz/lesson.dict
