#!/bin/sh
# ci-summary.sh - count the tests in one stage's log.
#
# Usage: tests/ci-summary.sh LOG
# Prints "PASSED FAILED" (two numbers).  It reads
#   - Check's summary lines:   "NN%: Checks: N, Failures: F, Errors: E"
#     (passed = N - F - E, failed = F + E), and
#   - plain closing lines:     "N passed, N failed" (optionally ", N skipped"),
#     for later stages whose runners are not Check.
set -u
[ $# -eq 1 ] || { echo "usage: $0 LOG" >&2; exit 2; }

awk '
/^[[:space:]]*[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+/ {
	line = $0
	sub(/^[[:space:]]*[0-9]+%: Checks: /, "", line)
	split(line, f, /, (Failures|Errors): /)
	n = f[1] + 0; fl = f[2] + 0; er = f[3] + 0
	passed += n - fl - er
	failed += fl + er
	next
}
/^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?[[:space:]]*$/ {
	line = $0
	sub(/^[A-Za-z-]+: /, "", line)
	split(line, f, / passed, | failed/)
	passed += f[1] + 0
	failed += f[2] + 0
}
END { printf "%d %d\n", passed, failed }
' "$1"
