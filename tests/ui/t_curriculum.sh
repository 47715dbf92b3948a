# t_curriculum.sh - lessons 01-16 played through the real UI at 80x24, as
# a student would: Enter follows the story, each question gets the answer
# the engine gives (so every reveal must say "right"), and the story must
# reach its end with every expectation met.  Lesson 08 ends in a blue
# screen instead, whose stop code and parameters are checked.
#
# The status line says "right" or "not quite" for a returned()/runs_on()
# prediction and for a value()/outcome() one answered at run_to_end(); a
# value() prediction answered at a run_until() shows its "answer:" line
# but no status (lessons 04 and 07 have one each), so a wrong key there
# is not caught here: `dpctutor --check` checks those answers.

# curriculum_play LESSON KEY...: follow LESSON's story, answering the Nth
# question with the Nth KEY.  Fails on a reveal that says "not quite", an
# expectation not met, a question more or fewer than the keys given, or a
# story that does not end within 80 presses.
curriculum_play() {
	local lesson=$1 i n=0
	shift
	local keys=("$@")
	start -x 80 -y 24 curriculum "$UI_LESSONS/$lesson"
	wait_for -r "$UI_FOOTER_STORY"
	for ((i = 0; i < 80; i++)); do
		settle
		grep -qF "the story is over" <<<"$UI_LAST" && break
		grep -q -e '^not quite:' <<<"$UI_LAST" && fail "$lesson: question $n was revealed as wrong"
		grep -qF "expectation not met" <<<"$UI_LAST" && fail "$lesson: an expectation was not met"
		if grep -qE "$UI_FOOTER_ASK" <<<"$UI_LAST"; then
			[ "$n" -lt "${#keys[@]}" ] || fail "$lesson: question $((n + 1)) was not expected"
			press "${keys[n]}"
			n=$((n + 1))
			continue
		fi
		send Enter
	done
	grep -qF "the story is over" <<<"$UI_LAST" || fail "$lesson: the story did not end"
	[ "$n" -eq "${#keys[@]}" ] || fail "$lesson: $n questions, expected ${#keys[@]}"
	expect_screen_lacks -r '^not quite:'
	expect_screen_lacks "NOT TRUE"
}

curriculum_01() {
	curriculum_play 01-tour.lua 2 2
	expect_screen_has "ok: the DPC ran once"
}

curriculum_02() {
	curriculum_play 02-first-interrupt.lua 3 1 1 2
}

curriculum_03() {
	curriculum_play 03-queued-once.lua 2 3
	expect_screen_has "values: handled=2 pending=0 seen=2"
}

curriculum_04() {
	curriculum_play 04-dequeued.lua 1 2 2
	expect_screen_has "empty_runs=1 handled=2"
}

curriculum_05() {
	curriculum_play 05-where-dpc-runs.lua 3 1
	expect_screen_has "values: dpc_cpu=1 handled=2 running=0"
}

curriculum_06() {
	curriculum_play 06-two-dpcs.lua 1 2 1
	expect_screen_has "values: fired=4 pending=0 total=3"
}

curriculum_07() {
	curriculum_play 07-fixing-the-race.lua 2 1
	expect_screen_has "values: fired=2 in_drain=false overlaps=1"
}

# Lesson 08's story ends in bug check 0x10D: its blue screen replaces the
# lesson screen once the DPC passes the NULL handle, so the story explains
# the parameters and the stale handle before that.
curriculum_08() {
	start -x 80 -y 24 curriculum "$UI_LESSONS/08-invalid-handle.lua"
	wait_for -r "$UI_FOOTER_STORY"
	press_until Enter "[1] quiescent" 10
	wait_for -r "$UI_FOOTER_ASK"
	send 2
	wait_for "you: bugcheck 0x10D"
	# The outcome is known where the run ends: Enter shows each line
	# before it (the parameters, R32, the stale handle), then the crash.
	press_until Enter "Windows always does (R31). See" 6
	expect_screen_has "and crash later (R31)."
	press_until Enter "Stop code: WDF_VIOLATION" 4
	expect_screen_has "bug check 0x10D"
	expect_screen_has "Parameters: 0x5  0x0  0x1027"
	expect_screen_has "Rule R30"
	send b
	wait_gone "Stop code: WDF_VIOLATION"
	expect_screen_has -r "step 19/20 +running"
}

curriculum_09() {
	curriculum_play 09-passive-isr.lua 1 1
	expect_screen_has "values: dpc_cpu=0 dpc_inside_call=true"
}

curriculum_10() {
	curriculum_play 10-work-items.lua 2 1 2 2
	expect_screen_has -r "overlaps=1"
}

curriculum_11() {
	curriculum_play 11-msi.lua 2 3 1
	expect_screen_has -r "parallel=true"
}

# Lesson 12's story ends in the watchdog's 0x133 (P1 = 1, cumulative): the
# storm's questions come first, then the blue screen.
curriculum_12() {
	start -x 80 -y 24 curriculum "$UI_LESSONS/12-storms-watchdog.lua"
	wait_for -r "$UI_FOOTER_STORY"
	press_until Enter " 1-9 answer" 6
	send 1
	wait_for "right: the engine did TRUE"
	press_until Enter " 1-9 answer" 4
	send 2
	wait_for "right: the engine did FALSE"
	press_until Enter " 1-9 answer" 4
	expect_screen_has "How does this end?"
	send 3
	wait_for "you: bugcheck 0x133"
	# The outcome is known where the run ends: Enter shows the lines
	# before it (the parameters, R36), then the crash.
	press_until Enter "right: the engine did bugcheck 0x133" 6
	press_until Enter "Stop code: DPC_WATCHDOG_VIOLATION" 4
	expect_screen_has "Parameters: 0x1  0xA  0xA"
	expect_screen_has "Rule R33"
	send b
	wait_gone "Stop code: DPC_WATCHDOG_VIOLATION"
	expect_screen_has -r "step 101/102 +running"
	expect_screen_has "values: handled=0 isr_runs=14"
}

curriculum_13() {
	curriculum_play 13-importance-targets.lua 3 2 1
	expect_screen_has "first=urgent order=usl"
}

curriculum_14() {
	curriculum_play 14-plx-driver.lua 3 2
	expect_screen_has -r "reads=2"
}

curriculum_15() {
	curriculum_play 15-pcidrv-driver.lua 1 1
	expect_screen_has -r "masked=false overlaps=0"
}

curriculum_16() {
	curriculum_play 16-umdf.lua 2 1
	expect_screen_has -r "overlap=true"
	# R80: user mode, no IRQL number, in the CPU panes.
	expect_screen_has -r '^CPU0 user mode '
	expect_screen_lacks "CPU0 IRQL"
}

curriculum_17() {
	curriculum_play 17-write-your-own.lua 1 3
	expect_screen_has -r "disable_irql=5 dpc_done=1"
}

# The short stories of other variants: each one's question is answered
# with the engine's answer and its end checked (--check plays only the
# first variant's story).
curriculum_variants() {
	start -x 80 -y 24 long "$UI_LESSONS/12-storms-watchdog.lua" --variant "long DPC"
	press_until Enter " 1-9 answer" 6
	send 2
	wait_for "you: bugcheck 0x133"
	press_until Enter "right: the engine did bugcheck 0x133" 6
	press_until Enter "Stop code: DPC_WATCHDOG_VIOLATION" 6
	expect_screen_has "Parameters: 0x0  0x6  0x5"
	start -x 80 -y 24 twice "$UI_LESSONS/12-storms-watchdog.lua" --variant "lock twice"
	press_until Enter " 1-9 answer" 6
	send 2
	wait_for "you: deadlock"
	press_until Enter "right: the engine did deadlock" 6
	start -x 80 -y 24 spin "$UI_LESSONS/17-write-your-own.lua" --variant "spin lock in the ISR"
	press_until Enter " 1-9 answer" 6
	send 2
	wait_for "you: bugcheck 0x9"
	press_until Enter "right: the engine did bugcheck 0x9" 6
	press_until Enter "Stop code: IRQL_NOT_GREATER_OR_EQUAL" 6
	expect_screen_has "Parameters: 0x5  0x2"
}

ui_test curriculum_01 "lesson 01 at 80x24: the tour's story to its end, both answers right"
ui_test curriculum_02 "lesson 02 at 80x24: the story to its end, four answers right"
ui_test curriculum_03 "lesson 03 at 80x24: the story to its end, seen = handled = 2"
ui_test curriculum_04 "lesson 04 at 80x24: two runs, one of them empty"
ui_test curriculum_05 "lesson 05 at 80x24: the DPC follows the CPU that queued it"
ui_test curriculum_06 "lesson 06 at 80x24: two CPUs, then one CPU loses an event (total 3 of 4)"
ui_test curriculum_07 "lesson 07 at 80x24: AutomaticSerialization loses an event to the ISR"
ui_test curriculum_08 "lesson 08 at 80x24: the NULL handle's WDF_VIOLATION blue screen and back"
ui_test curriculum_09 "lesson 09 at 80x24: the passive ISR at PASSIVE, its DPC inside the queuing call"
ui_test curriculum_10 "lesson 10 at 80x24: a work item queued from PASSIVE and DIRQL, two runs at once"
ui_test curriculum_11 "lesson 11 at 80x24: two MSI messages, MessageID by creation order, two DPCs at once"
ui_test curriculum_12 "lesson 12 at 80x24: a level-line storm ends in 0x133 (P1 = 1) and back"
ui_test curriculum_13 "lesson 13 at 80x24: High to the head, a Medium DPC waits on another CPU, then is removed"
ui_test curriculum_14 "lesson 14 at 80x24: the PLX9x5x pattern, an ISR on CPU 1 waits for the DPC's lock"
ui_test curriculum_15 "lesson 15 at 80x24: the PCIDRV pattern, a masked device and one DPC"
ui_test curriculum_16 "lesson 16 at 80x24: UMDF, the deferred routine in a worker on the other CPU"
ui_test curriculum_17 "lesson 17 at 80x24: the authoring walk-through, a verifier finding and WdfInterruptDisable"
ui_test curriculum_variants "lessons 12 and 17 at 80x24: the other variants' stories (0x133 P1 = 0, a deadlock, 0x9)"
