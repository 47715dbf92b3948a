#!/bin/sh
# tests/attacks/run.sh - the sandbox attack suite (make check-attacks).
#
#   tests/attacks/run.sh BINARY [ATTACK.lua...]
#
# Every NN-name.lua here is a hostile lesson.  Its comment header says how
# the tutor must refuse it:
#
#   -- expect: line 7: "fragment"   the error names tests/attacks/NN-name.lua:7:
#                                   and contains the fragment
#   -- expect: "fragment"           the error names the file, no line (the alarm)
#   -- modes: check plain           run --check and --plain (default: check)
#   -- absent: PATH                 PATH must not exist afterwards (it is
#                                   removed first; $TMP is the runner's
#                                   scratch directory)
#   -- alarm: N                     DPCTUTOR_ALARM for this attack (default 30)
#   -- max-output: N                bytes of output allowed (default MAX_OUT)
#
# A run passes when it ENDS with the refusal: exit status 1 (a lesson error:
# not 0, not a signal, not the alarm unless the header asks for it), the
# file:line and the fragment in the output, no sanitizer report, no escape
# character, at most MAX_OUT bytes of output, and the absent files still
# absent.  Time is never
# measured: the last-resort alarm (DPCTUTOR_ALARM) ends a run that would
# hang, and that is a failure unless the attack expects the alarm.
set -u

bin=${1:?usage: tests/attacks/run.sh BINARY [ATTACK.lua...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
[ -x "$bin" ] || { echo "run.sh: no program '$bin'" >&2; exit 2; }

MAX_OUT=${MAX_OUT:-16384}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dpctutor-attacks.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT INT TERM
export TMP
# No real progress file, no lessons but the attack's.
export XDG_STATE_HOME="$TMP/state" DPCTUTOR_LESSONS="$TMP/none"

if [ $# -eq 0 ]; then
	set -- "$here"/[0-9][0-9]-*.lua
fi

pass=0
fail=0

# header FILE KEY: the text after "-- KEY: " on the file's first such line.
header() {
	sed -n "s/^-- $2: //p" "$1" | head -n 1
}

# One run of one mode; prints the reasons it fails, nothing when it passes.
check_run() { # file mode
	rel=tests/attacks/$(basename "$1")
	expect=$(header "$1" expect)
	line=$(printf '%s\n' "$expect" | sed -n 's/^line \([0-9][0-9]*\): .*/\1/p')
	frag=$(printf '%s\n' "$expect" | sed 's/^line [0-9][0-9]*: //; s/^"//; s/"$//')
	alarm=$(header "$1" alarm)
	absent=$(header "$1" absent | sed "s|\\\$TMP|$TMP|g")
	[ -n "$expect" ] || { echo "no '-- expect:' header"; return; }
	[ -z "$absent" ] || rm -f "$absent"
	out=$TMP/out
	(cd "$root" && DPCTUTOR_ALARM=${alarm:-30} "$bin" "--$2" "$rel") \
		>"$out" 2>&1 </dev/null
	rc=$?
	size=$(wc -c <"$out")
	max=$(header "$1" max-output)
	max=${max:-$MAX_OUT}
	[ "$rc" -eq 1 ] || echo "exit status $rc, not 1 (a lesson error)"
	if [ -n "$line" ]; then
		grep -qF "$rel:$line:" "$out" || echo "no '$rel:$line:' in the output"
	else
		grep -qF "$rel" "$out" || echo "the output does not name $rel"
	fi
	grep -qF -- "$frag" "$out" || echo "no \"$frag\" in the output"
	[ "$size" -le "$max" ] || echo "$size bytes of output (at most $max)"
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:|unprotected error' "$out"; then
		echo "a sanitizer or panic report"
	fi
	if LC_ALL=C grep -q "$(printf '\033')" "$out"; then
		echo "an escape character reached the output (the terminal would obey it)"
	fi
	if [ -z "$alarm" ] && grep -qF 'last-resort alarm' "$out"; then
		echo "stopped by the last-resort alarm, not by the sandbox"
	fi
	[ -z "$absent" ] || [ ! -e "$absent" ] || echo "$absent exists: the attack had an effect"
}

for f in "$@"; do
	modes=$(header "$f" modes)
	for m in ${modes:-check}; do
		why=$(check_run "$f" "$m")
		if [ -z "$why" ]; then
			pass=$((pass + 1))
			echo "ok   $(basename "$f") --$m"
		else
			fail=$((fail + 1))
			echo "FAIL $(basename "$f") --$m:"
			printf '%s\n' "$why" | sed 's/^/       /'
			head -c 1200 "$TMP/out" | sed 's/^/     | /'
		fi
	done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
