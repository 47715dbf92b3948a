#!/usr/bin/env bash
# run.sh - dpctutor's end-to-end UI tests: the real binary in tmux.
#
# Usage: tests/ui/run.sh DPCTUTOR [TEST...]
#   DPCTUTOR  the binary, e.g. ./build/plain/dpctutor (`make check-ui`)
#   TEST      run only these: a file stem (t_story) or a test's function
#             name (story_answer_false); default every tests/ui/t_*.sh
#
# Every t_*.sh is sourced; each registers its tests (shell functions) with
# ui_test, and each test runs in a subshell against one private tmux server
# (see lib.sh).  Prints each test's name and PASS or FAIL, then the closing
# line "N passed, N failed"; exits 1 on any failure, 2 on a setup error.
#
# Environment: UI_TIMEOUT (seconds a wait may take, default 10),
# UI_STRICT=1 (known UI bugs fail instead of being reported).
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/ui/lib.sh
. "$here/lib.sh"

if ! ui_init "${1:-}"; then
	echo "0 passed, 1 failed"
	exit 2
fi
shift
filters=("$@")

selected() { # FILE-STEM FUNCTION
	[ ${#filters[@]} -eq 0 ] && return 0
	local f
	for f in "${filters[@]}"; do
		[ "$f" = "$1" ] || [ "$f" = "$2" ] || [ "$f" = "$1.sh" ] && return 0
	done
	return 1
}

start_time=$(ui_now)
echo "ui tests: $UI_TUTOR in tmux $(tmux -V | cut -d' ' -f2-) (socket $UI_SOCKET, LANG=$LANG)"
for file in "$here"/t_*.sh; do
	stem=$(basename "$file" .sh)
	UI_TESTS=()
	UI_TEST_DESCS=()
	# shellcheck disable=SC1090
	. "$file"
	for i in "${!UI_TESTS[@]}"; do
		selected "$stem" "${UI_TESTS[$i]}" || continue
		ui_run_one "$stem" "${UI_TESTS[$i]}" "${UI_TEST_DESCS[$i]}"
	done
done
end_time=$(ui_now)
if [ $((UI_PASSED + UI_FAILED)) -eq 0 ]; then
	echo "ui tests: no test matches: ${filters[*]}" >&2
	UI_FAILED=1
fi
echo "ui tests took $(awk -v a="$start_time" -v b="$end_time" 'BEGIN { printf "%.1f", b - a }') s"
ui_summary
[ "$UI_FAILED" -eq 0 ]
