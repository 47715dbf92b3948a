#!/bin/bash
# check-exports.sh - --trace and --timeline, end to end (make check-exports).
#
#   bash tests/check-exports.sh BUILD/dpctutor
#
# For a story run, a replayed schedule and an explorer counterexample:
#   - --timeline's output is compared byte for byte with its golden file
#     tests/golden/timeline/NAME.txt (DT_UPDATE_GOLDENS=1 writes them;
#     read the diff before committing);
#   - --trace's JSON is read back with python3's json module and must hold
#     the tracks (a CPU and a thread process, a named track per CPU), the
#     complete events ("X") of the ISRs and DPCs the run had, the queue
#     calls as instant events with result and rule, an IRQL counter per
#     CPU, and the "1 step = 1 us" metadata;
#   - a replay of the story's own schedule writes the same trace, and a
#     schedule with a bad position or another lesson version is refused
#     with the reason (exit 2).
set -u
TUTOR=$(realpath "${1:?usage: check-exports.sh DPCTUTOR}")
cd "$(dirname "$0")/.."
GOLD=tests/golden/timeline
TMP=$(mktemp -d /tmp/dt_exports.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
export DPCTUTOR_LESSONS=lessons XDG_STATE_HOME=$TMP/state LANG=C.UTF-8
passed=0 failed=0

ok() { passed=$((passed + 1)); echo "  PASS $1"; }
bad() { failed=$((failed + 1)); echo "  FAIL $1: $2"; }

# golden NAME ARGS...: dpctutor --timeline ARGS against $GOLD/NAME.txt
golden() {
	local name=$1 out rc
	shift
	out=$("$TUTOR" --timeline "$@" 2>"$TMP/err")
	rc=$?
	if [ $rc != 0 ]; then
		bad "timeline $name" "exit $rc: $(cat "$TMP/err")"
		return
	fi
	if [ "${DT_UPDATE_GOLDENS:-}" = 1 ]; then
		printf '%s\n' "$out" >"$GOLD/$name.txt"
		ok "timeline $name (written)"
	elif printf '%s\n' "$out" | cmp -s - "$GOLD/$name.txt"; then
		ok "timeline $name"
	else
		bad "timeline $name" "differs from $GOLD/$name.txt (DT_UPDATE_GOLDENS=1 rewrites it):
$(printf '%s\n' "$out" | diff "$GOLD/$name.txt" - | head -n 20)"
	fi
}

# trace_ok NAME FILE CPUS ISRS DPCS QUEUES FALSES [THREAD]: the JSON parses
# and holds CPUS CPU tracks, at least ISRS ISR and DPCS DPC slices, exactly
# QUEUES queue-call instants of which FALSES returned FALSE; with THREAD, a
# track of that name in "Threads" where it runs, and its slice on a CPU
# track holding an ISR slice (the ISR preempted it).
trace_ok() {
	local name=$1 why
	if why=$(python3 - "$@" <<'PY' 2>&1
import json, sys
_, name, path, cpus, isrs, dpcs, queues, falses = sys.argv[:8]
thread = sys.argv[8] if len(sys.argv) > 8 else None
cpus, isrs, dpcs, queues, falses = map(int, (cpus, isrs, dpcs, queues, falses))
d = json.load(open(path))
ev = d["traceEvents"]
meta = d["otherData"]
assert meta["time_unit"] == "1 step = 1 us of simulated time", meta
procs = {e["pid"]: e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "process_name"}
assert sorted(procs.values()) == ["CPUs", "Threads"], procs
cpu_pid = [p for p, n in procs.items() if n == "CPUs"][0]
tracks = sorted(e["args"]["name"] for e in ev
                if e["ph"] == "M" and e["name"] == "thread_name" and e["pid"] == cpu_pid)
assert tracks == sorted("CPU%d" % c for c in range(cpus)), tracks
for e in ev:
    assert e["ph"] in "MXiC", e
    assert isinstance(e["ts"], int) and e["ts"] >= 0, e
    if e["ph"] == "X":
        assert e["dur"] > 0, e
        assert e["ts"] + e["dur"] <= meta["steps"] + 1, e
x = [e for e in ev if e["ph"] == "X"]
assert sum(e["cat"] == "isr" for e in x) >= isrs, [e["name"] for e in x]
assert sum(e["cat"] == "dpc" for e in x) >= dpcs, [e["name"] for e in x]
q = [e for e in ev if e["ph"] == "i" and e["cat"] == "queue"]
assert len(q) == queues, q
assert sum(e["args"]["result"] == "FALSE" for e in q) == falses, q
assert all(e["args"]["rule"].startswith("R") and e["s"] == "t" for e in q), q
counters = {e["name"] for e in ev if e["ph"] == "C"}
assert counters == {"IRQL CPU%d" % c for c in range(cpus)}, counters
assert all("IRQL" in e["args"] for e in ev if e["ph"] == "C")
# slices on one track nest: a later one starts inside or after an earlier one
by_track = {}
for e in sorted(x, key=lambda e: (e["pid"], e["tid"], e["ts"], -e["dur"])):
    stack = by_track.setdefault((e["pid"], e["tid"]), [])
    while stack and stack[-1] <= e["ts"]:
        stack.pop()
    assert not stack or e["ts"] + e["dur"] <= stack[-1], ("overlap", e)
    stack.append(e["ts"] + e["dur"])
if thread:
    thr_pid = [p for p, n in procs.items() if n == "Threads"][0]
    tids = [e["tid"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"
            and e["pid"] == thr_pid and e["args"]["name"] == thread]
    assert len(tids) == 1, ("no track for thread", thread)
    runs = [e for e in x if e["pid"] == thr_pid and e["tid"] == tids[0]
            and e["name"].startswith("runs on CPU")]
    assert runs, ("thread never runs", thread)
    t = [e for e in x if e["cat"] == "thread" and e["pid"] == cpu_pid and thread in e["name"]]
    assert any(i["ts"] >= s["ts"] and i["ts"] + i["dur"] <= s["ts"] + s["dur"]
               for s in t for i in x if i["cat"] == "isr" and i["tid"] == s["tid"]), \
        ("no ISR inside the thread's slice", t)
PY
	); then
		ok "trace $name"
	else
		bad "trace $name" "$why"
	fi
}

echo "export tests: $TUTOR --timeline / --trace"

# 1. the story's run
golden story-03 tests/lessons/frozen/03-queued-once.lua
"$TUTOR" --trace "$TMP/story03.json" tests/lessons/frozen/03-queued-once.lua && trace_ok story-03 "$TMP/story03.json" 2 1 1 2 1
golden story-06-nolock --variant "no lock" tests/lessons/frozen/06-two-dpcs.lua
"$TUTOR" --trace "$TMP/story06.json" --variant "no lock" tests/lessons/frozen/06-two-dpcs.lua &&
	trace_ok story-06 "$TMP/story06.json" 2 2 2 2 0

golden story-02 tests/lessons/frozen/02-first-interrupt.lua
"$TUTOR" --trace "$TMP/story02.json" tests/lessons/frozen/02-first-interrupt.lua &&
	trace_ok story-02 "$TMP/story02.json" 1 1 1 1 0 app
golden story-03-8cpus --cpus 8 tests/lessons/frozen/03-queued-once.lua

# 2. a replayed schedule: the story's own gives back the same trace
sched=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["otherData"]["schedule"])' \
	"$TMP/story03.json")
"$TUTOR" --replay "$sched" --trace "$TMP/replay03.json" tests/lessons/frozen/03-queued-once.lua
if python3 - "$TMP/story03.json" "$TMP/replay03.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert a["traceEvents"] == b["traceEvents"]
assert a["otherData"]["schedule"] == b["otherData"]["schedule"]
assert (a["otherData"]["run"], b["otherData"]["run"]) == ("story", "replay")
PY
then ok "replay of the story's schedule writes the same trace"
else bad "replay trace" "the replayed run's trace differs from the story's"; fi
golden replay-02-long --replay "v1 cpus=1 seed=0: t(app)@0 0*3 e(NIC)@0 0*19 e(NIC)@0 0*12 \
e(NIC)@0 0*12 e(NIC)@0 0*12 e(NIC)@0 0*12" tests/lessons/frozen/02-first-interrupt.lua
golden replay-03 --replay "v1 cpus=2 seed=0: e(NIC)@0 0*3 e(NIC)@0 0*15" tests/lessons/frozen/03-queued-once.lua

# 3. refusals, with the reason, exit 2
refused() {
	local name=$1 want=$2 rc
	shift 2
	"$TUTOR" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ $rc = 2 ] && grep -qE -- "$want" "$TMP/err"; then ok "refused: $name"
	else bad "refused: $name" "exit $rc, stderr: $(cat "$TMP/err")"; fi
}
hash=$(grep -o 'lesson=queued-once@[0-9a-f]*' "$GOLD/story-03.txt" | head -n 1 | cut -d@ -f2)
other=$(printf '%08x' $(( 0x$hash ^ 1 )))
refused "a bad position" "column 19: choice not enabled at step 1: CPU 1 cannot step, it is idle" \
	--replay "v1 cpus=2 seed=0: 1" --timeline tests/lessons/frozen/03-queued-once.lua
refused "a changed lesson" "recorded for lesson version $other, this is $hash" \
	--replay "v1 lesson=queued-once@$other cpus=2 seed=0: e(NIC)@0" --timeline tests/lessons/frozen/03-queued-once.lua
refused "another lesson" "for lesson two-dpcs, not queued-once" \
	--replay "v1 lesson=two-dpcs cpus=2 seed=0: 0" --trace "$TMP/x.json" tests/lessons/frozen/03-queued-once.lua
refused "a schedule that does not parse" "column 1: " --replay "x1 cpus=2: 0" --timeline tests/lessons/frozen/03-queued-once.lua

# 4. the explorer's counterexample
out=$("$TUTOR" --explore --variant "no lock" --timeline tests/lessons/frozen/06-two-dpcs.lua 2>/dev/null)
cx=${out#*outcomes reachable}
if grep -q '^two-dpcs: Two DPCs at once (counterexample, variant "no lock"' <<<"$cx" &&
	grep -q 'shared values: fired=2 pending=0 total=1' <<<"$cx"; then
	ok "--explore --timeline prints the counterexample's timeline"
else
	bad "--explore --timeline" "$out"
fi
sed -n '/^two-dpcs: Two DPCs at once (counterexample/,$p' <<<"$out" >"$TMP/cx.txt"
if [ "${DT_UPDATE_GOLDENS:-}" = 1 ]; then
	cp "$TMP/cx.txt" "$GOLD/counterexample-06-nolock.txt"
	ok "timeline counterexample-06-nolock (written)"
elif cmp -s "$TMP/cx.txt" "$GOLD/counterexample-06-nolock.txt"; then
	ok "timeline counterexample-06-nolock"
else
	bad "timeline counterexample-06-nolock" "$(diff "$GOLD/counterexample-06-nolock.txt" "$TMP/cx.txt" | head)"
fi
"$TUTOR" --explore --variant "no lock" --trace "$TMP/cx.json" tests/lessons/frozen/06-two-dpcs.lua >/dev/null 2>&1
trace_ok counterexample-06 "$TMP/cx.json" 2 2 2 2 0
"$TUTOR" --explore --variant "interrupt lock" --trace "$TMP/none.json" tests/lessons/frozen/06-two-dpcs.lua >/dev/null 2>"$TMP/err"
if grep -q "no counterexample to export" "$TMP/err" && [ ! -e "$TMP/none.json" ]; then
	ok "no counterexample: nothing written, and it says so"
else
	bad "no counterexample" "$(cat "$TMP/err")"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
