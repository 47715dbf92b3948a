#!/usr/bin/env bash
# check-spin.sh - an independent oracle for the explorer: Spin's reachable
# final states of tests/spin/two-dpcs.pml must be exactly the quiescent
# outcomes `dpctutor --explore` finds for tests/spin/two-dpcs.lua.
#
# Usage: tests/spin/check-spin.sh [DPCTUTOR]   (default build/plain/dpctutor)
#
# Spin side: for every candidate final state (fired, queued, total) with
# total <= queued <= fired <= FMAX the model is built with -DCAND_F/-DCAND_Q/
# -DCAND_T, which asserts "not this state" at every final state; an
# assertion violation means the state is reachable.  A first run without a candidate checks the
# model's own invariants, that every final state is quiescent (no deadlock,
# no stuck spinner) and that every final state lies inside the candidate
# range, so the enumeration is complete.  pan keeps Spin's default partial
# order reduction, which preserves assertion violations and invalid end
# states; PAN_CFLAGS="-DSAFETY -DNOREDUCE" checks without it (same sets).
#
# dpctutor side: --explore with no preemption bound (so with sleep-set
# reduction); its outcome set must equal Spin's, every run must be complete
# (none cut at the step bound) and every outcome quiescent.  SPIN_NO_REDUCE=1
# also compares an exploration with --no-reduce (about 9 s, 25 s under ASan).
#
# Ends with "N passed, N failed" (one test per explorer run); exit 1 on any
# mismatch or error.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tutor=${1:-build/plain/dpctutor}
model=$here/two-dpcs.pml
lesson=$here/two-dpcs.lua
# The candidate range: total <= queued <= fired <= FMAX (each TRUE
# queuing is inside an ISR run; each DPC run follows a TRUE queuing and adds
# at most one; 2 events give at most 2 ISR runs).  The sanity run proves
# that no final state lies outside it, so the enumeration is complete.
FMAX=2
PAN_CFLAGS=${PAN_CFLAGS:--DSAFETY}
passed=0
failed=0

finish() {
	echo "$passed passed, $failed failed"
	exit $((failed > 0))
}

fail_all() { # MESSAGE: the oracle could not run at all
	echo "check-spin: $1" >&2
	failed=$((failed + 1))
	finish
}

if ! command -v spin >/dev/null 2>&1; then
	fail_all "spin is not installed; install it with \`make deps\` (Debian package spin: apt-get install spin)"
fi
command -v "${CC:-cc}" >/dev/null 2>&1 || fail_all "no C compiler (${CC:-cc}) to build Spin's pan"
[ -x "$tutor" ] || fail_all "$tutor is not an executable (build it with \`make\`)"

start=$SECONDS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dpctutor-spin.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp "$model" "$tmp/model.pml"

# pan_run NAME PAN-OPTIONS SPIN-DEFINES... : build the model with the
# defines, compile and run pan; its report in $tmp/NAME.out.
pan_run() {
	local name=$1 opts=$2
	shift 2
	(
		cd "$tmp"
		rm -f pan pan.? pan.?? ./*.trail
		# shellcheck disable=SC2086 # PAN_CFLAGS and opts are word lists
		spin "$@" -DFMAX=$FMAX -a model.pml >"$name.spin" 2>&1 &&
			${CC:-cc} $PAN_CFLAGS -w -o pan pan.c >"$name.cc" 2>&1 &&
			./pan $opts >"$name.out" 2>&1
	) || {
		echo "check-spin: building or running pan failed ($name):" >&2
		cat "$tmp/$name".* >&2 2>/dev/null || true
		return 1
	}
	if grep -q 'max search depth too small' "$tmp/$name.out"; then
		echo "check-spin: pan's search depth was too small ($name)" >&2
		return 1
	fi
}

# 1. The model's invariants, quiescence of every final state, the range;
#    invalid end states (a CPU stuck) count as errors here.
pan_run sanity "" || fail_all "pan failed"
if ! grep -q 'errors: 0' "$tmp/sanity.out"; then
	cat "$tmp/sanity.out" >&2
	fail_all "the Spin model's own checks failed (above)"
fi
states=$(sed -n 's/^ *\([0-9][0-9]*\) states, stored.*/\1/p' "$tmp/sanity.out")

# 2. Every candidate final state.
spin_set=()
ncand=0
for f in $(seq 0 $FMAX); do
	for q in $(seq 0 "$f"); do
		for t in $(seq 0 "$q"); do
			ncand=$((ncand + 1))
			# -E: only the candidate's assertion counts (end states: step 1)
			pan_run "cand-$f-$q-$t" -E -DCAND_F="$f" -DCAND_Q="$q" -DCAND_T="$t" ||
				fail_all "pan failed"
			out=$tmp/cand-$f-$q-$t.out
			if grep -q 'assertion violated' "$out"; then
				spin_set+=("fired=$f queued=$q total=$t")
			elif ! grep -q 'errors: 0' "$out"; then
				cat "$out" >&2
				fail_all "pan reported an error that is not the candidate's assertion"
			fi
		done
	done
done
spin_sorted=$(printf '%s\n' "${spin_set[@]}" | LC_ALL=C sort)
echo "spin: $(spin -V | head -n 1); $states states; $ncand candidates, pan $PAN_CFLAGS"
echo "spin: reachable final states:"
printf '%s\n' "$spin_sorted" | sed 's/^/  /; s/^  $/  (none)/'

# 3. The explorer, with and without sleep-set reduction.
# explore_set: read --explore's report; print each outcome as
# "fired=F queued=Q total=T" when quiescent, "KIND VALUES" otherwise.
explore_set() {
	awk '
	function val(line, name,   s) {
		if (!match(line, "(^| )" name "=[^ ]+"))
			return name "=?"
		s = substr(line, RSTART, RLENGTH)
		sub(/^ /, "", s)
		return s
	}
	/^outcomes reachable/ { on = 1; next }
	/^runs: / { on = 0 }
	on && /^  [a-z]/ {
		line = $0
		sub(/^  /, "", line)
		sub(/ +\([0-9]+ runs\)$/, "", line)
		kind = line; sub(/ .*/, "", kind)
		if (kind == "quiescent") {
			print val(line, "fired") " " val(line, "queued") " " val(line, "total")
		} else {
			gsub(/ +/, " ", line)
			print line
		}
	}' | LC_ALL=C sort
}

compare() { # LABEL EXTRA-ARGS...
	local label=$1 out rc=0 ex incomplete
	shift
	out=$("$tutor" --explore "$lesson" --max-preemptions inf --max-events 2 --max-steps 400 "$@" \
		2>"$tmp/explore.err") || rc=$?
	ex=$(printf '%s\n' "$out" | explore_set)
	incomplete=$(printf '%s\n' "$out" | sed -n 's/^runs: [0-9]* complete, \([0-9]*\) incomplete.*/\1/p')
	echo "explore ($label): $(printf '%s\n' "$out" | grep '^runs: ' || echo 'no summary line')"
	echo "explore ($label): outcomes:"
	printf '%s\n' "$ex" | sed 's/^/  /; s/^  $/  (none)/'
	if [ "$rc" -ne 0 ]; then
		echo "FAIL spin = explore ($label): dpctutor --explore exited $rc:"
		printf '%s\n' "$out"
		tr '\r' '\n' <"$tmp/explore.err" | grep -v '^ *$' || true
		failed=$((failed + 1))
	elif [ "$incomplete" != 0 ]; then
		echo "FAIL spin = explore ($label): ${incomplete:-?} runs incomplete (cut at the step bound)"
		failed=$((failed + 1))
	elif printf '%s\n' "$out" | grep -q '^  (more distinct outcomes'; then
		echo "FAIL spin = explore ($label): the explorer kept only part of the outcomes"
		failed=$((failed + 1))
	elif [ "$ex" = "$spin_sorted" ]; then
		echo "PASS spin = explore ($label)"
		passed=$((passed + 1))
	else
		echo "FAIL spin = explore ($label): the sets differ"
		diff <(printf '%s\n' "$spin_sorted") <(printf '%s\n' "$ex") |
			sed -n 's/^< /  only spin:    /p; s/^> /  only explore: /p'
		failed=$((failed + 1))
	fi
}

compare "sleep sets"
if [ "${SPIN_NO_REDUCE:-}" = 1 ]; then
	compare "no reduction" --no-reduce
fi
echo "check-spin: $((SECONDS - start)) s"
finish
