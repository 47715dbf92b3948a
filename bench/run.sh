#!/bin/sh
# run.sh - run every benchmark and print one table (what `make bench` does).
#
# Usage: bench/run.sh [BUILD-DIR]   (default build/plain; run from the top
# of the source tree, so that lessons/ and tests/spin/ are found)
#
# Each benchmark program prints rows only; here they are put in the order
# of their figure numbers under one header, followed by a count of the
# targets met.  The table is also written to BUILD-DIR/bench.md.  Nothing
# fails on time: the exit status is 1 only when a benchmark could not run.
set -u
build=${1:-build/plain}
rows=$(mktemp "${TMPDIR:-/tmp}/dpctutor-bench.XXXXXX")
trap 'rm -f "$rows"' EXIT
start=$(date +%s)
status=0
for prog in "$build/bench_lua" "$build/bench_engine" "$build/bench_explore" \
	"$build/bench_cli $build/dpctutor lessons"; do
	# shellcheck disable=SC2086 # the last entry carries its arguments
	$prog >>"$rows" || { echo "bench: $prog failed" >&2; status=1; }
done
{
	printf '| %-58s | %16s | %-10s | %-7s |\n' figure measured target 'met?'
	printf '| %-58s | %16s | %-10s | %-7s |\n' '---' '---:' '---' '---'
	sort -s -t'|' -k2,2n "$rows"
} | tee "$build/bench.md"
met=$(grep -c '| met     |$' "$rows")
missed=$(grep -c '| NOT met |$' "$rows")
echo
echo "bench: $((met + missed)) figures with a target: $met met, $missed not met;" \
	"$(($(date +%s) - start)) s (medians of repeated runs; the machine is shared, so" \
	"absolute times are noisy)"
exit $status
