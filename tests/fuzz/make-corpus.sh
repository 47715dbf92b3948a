#!/bin/sh
# make-corpus.sh - (re)write the seed corpora of the fuzz targets from the
# project's own lessons and schedules.  Run from the top directory after
# `make`; the regress-* inputs (crashes found by fuzzing) are kept.
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
find "$dir/lesson" "$dir/schedule" -type f ! -name 'regress-*' -delete

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
