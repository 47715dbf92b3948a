# t_bugcheck.sh - a bug check ends the run on a blue screen with the stop
# code and its parameters; b goes back to the lesson screen.

# A level-triggered device whose ISR forgets to acknowledge it: the line
# stays asserted, the ISR runs again and again, and CPU 0 stays at DIRQL
# past the (small) cumulative watchdog limit: 0x133, P1 = 1, P2 = P3 = 10
# ticks (100 us / tick_us 10).
write_storm_lesson() {
	cat >"$UI_TEST_TMP/storm.lua" <<'LUA'
lesson {
  api = 1, id = "storm", title = "A level-line storm", cpus = 1,
  tick_us = 10, watchdog = { single_us = 1000, cumulative_us = 100 },
}
local dev = device { name = "lvl", irql = 5, kind = "level", affinity = { 0 } }
local s = shared { n = 0 }
local status, irq = WdfInterruptCreate(dev, {
  EvtInterruptIsr = function(interrupt, message_id)
    s.n = s.n + 1   -- forgets WRITE_REGISTER_ULONG(dev, "INTSTATUS", 1)
    return true
  end,
})
assert(status == STATUS_SUCCESS)
story {
  "The ISR never acknowledges its level-triggered device.",
  fire(dev, { cpu = 0 }),
  run_to_end(),
}
LUA
}

# An ISR that passes a nil handle to WdfInterruptQueueDpcForIsr: 0x10D,
# P1 = 0x5 (invalid handle), P2 = the handle (0), P3 = 0x1027 (interrupt).
write_nil_lesson() {
	cat >"$UI_TEST_TMP/nil.lua" <<'LUA'
lesson { api = 1, id = "nil-handle", title = "A nil handle", cpus = 1 }
local dev = device { name = "nic", irql = 5, affinity = { 0 } }
local status, irq = WdfInterruptCreate(dev, {
  EvtInterruptIsr = function(interrupt, message_id)
    WRITE_REGISTER_ULONG(dev, "INTSTATUS", 1)
    WdfInterruptQueueDpcForIsr(nil)
    return true
  end,
  EvtInterruptDpc = function(interrupt, device) end,
})
assert(status == STATUS_SUCCESS)
story { "The ISR passes a nil handle.", fire(dev, { cpu = 0 }), run_to_end() }
LUA
}

# bugcheck_step: N from "On CPU 0 at step N" in the last capture.
bugcheck_step() {
	grep -oE 'On CPU 0 at step [0-9]+' <<<"$UI_LAST" | grep -oE '[0-9]+$'
}

bugcheck_storm() {
	write_storm_lesson
	start bugcheck "$UI_TEST_TMP/storm.lua"
	wait_for "dpctutor: A level-line storm"
	send g
	wait_for "Your simulated PC ran into a problem: bug check 0x133"
	expect_screen_has -r '^    :\($'
	expect_screen_has "Stop code: DPC_WATCHDOG_VIOLATION"
	expect_screen_has "Parameters: 0x1  0xA  0xA  0x0"
	expect_screen_has -r 'On CPU 0 at step [0-9]+'
	expect_screen_has "What happened: CPU0: bug check 0x133 DPC_WATCHDOG_VIOLATION"
	expect_screen_has "Rule R33, The DPC watchdog, 0x133:"
	expect_screen_has "Switches: KMDF verifier off, debugger none"
	expect_screen_has "b: back to the step before it    R: restart    q: quit"
	expect_screen_lacks "CPU0 IRQL"
	local n
	n=$(bugcheck_step)
	[ -n "$n" ] || fail "no step number on the blue screen"
	send b
	wait_gone "Your simulated PC ran into a problem"
	wait_for -r "step $((n - 1))/$n +running"
	expect_screen_has -r '^CPU0 IRQL'
	expect_screen_has -r "$UI_FOOTER_STORY"
	expect_screen_has -r '^  queue: -  pending: lvl'
	expect_screen_has "clock tick at"
}

bugcheck_nil_handle() {
	write_nil_lesson
	start bugcheck "$UI_TEST_TMP/nil.lua"
	wait_for "dpctutor: A nil handle"
	send g
	wait_for "Your simulated PC ran into a problem: bug check 0x10D"
	expect_screen_has "Stop code: WDF_VIOLATION"
	expect_screen_has -r 'Parameters: 0x5  0x0  0x1027  0x[0-9A-F]+'
	expect_screen_has "Rule R30, Bad handle is 0x10D:"
	# R on the blue screen restarts the lesson.
	send R
	wait_for -r '^restarted'
	expect_screen_has -r 'step 0/0 +running'
	expect_screen_has -r '^CPU0 IRQL 0 PASSIVE +idle'
	send g
	wait_for "Your simulated PC ran into a problem: bug check 0x10D"
	local n
	n=$(bugcheck_step)
	[ -n "$n" ] || fail "no step number on the blue screen"
	# Left is b.
	send Left
	wait_for -r "step $((n - 1))/$n +running"
	expect_screen_has -r '^CPU0 IRQL 5 DIRQL +ISR nic'
	expect_screen_has -r '^  next: WdfInterruptQueueDpcForIsr  :6'
}

# Back at the bug check step (f, Space or g after b) the blue screen comes
# back.  (UI-6: it used to show the lesson screen, "step 4/4 bugcheck
# 0x10D" in the title, because a redo did not call after_step().)
bugcheck_redo() {
	write_nil_lesson
	start bugcheck "$UI_TEST_TMP/nil.lua"
	wait_for "dpctutor: A nil handle"
	send g
	wait_for "Your simulated PC ran into a problem: bug check 0x10D"
	send b
	wait_for -r 'step 3/4 +running'
	send f
	wait_for "Your simulated PC ran into a problem: bug check 0x10D"
	send b
	wait_for -r 'step 3/4 +running'
	send Space
	wait_for "Your simulated PC ran into a problem: bug check 0x10D"
	send Left
	wait_for -r 'step 3/4 +running'
	send Right
	wait_for "Your simulated PC ran into a problem: bug check 0x10D"
}

# The blue screen wraps "What happened" and the rule's sentence.  (UI-7:
# they used to be cut at the right edge, "... where a W", "... WDF_VIOLA".)
bugcheck_truncated() {
	write_nil_lesson
	start bugcheck "$UI_TEST_TMP/nil.lua"
	wait_for "dpctutor: A nil handle"
	send g
	wait_for "Your simulated PC ran into a problem: bug check 0x10D"
	# The narration ends with its rule, the card's sentence with a period.
	expect_screen_has -r 'was required \(R30\) *$'
	expect_screen_has -r 'P2 = that handle\. *$'
	bugcheck_no_cut_lines
}

# No line of the blue screen reaches the right edge (a cut line would).
bugcheck_no_cut_lines() {
	settle
	local w
	w=$(pane_format '#{pane_width}')
	local long
	long=$(awk -v w="$w" 'length($0) >= w' <<<"$UI_LAST" | head -n 1)
	[ -z "$long" ] || fail "a blue screen line runs to the edge (cut?): '$long'"
}

# q on the blue screen quits.
bugcheck_quit() {
	write_storm_lesson
	start bugcheck "$UI_TEST_TMP/storm.lua"
	wait_for "dpctutor: A level-line storm"
	send g
	wait_for "bug check 0x133"
	send q
	wait_exit
	local rc=$UI_EXIT_STATUS
	[ "$rc" = 0 ] || fail "dpctutor exited with status $rc after q on the blue screen"
}

ui_test bugcheck_storm "an unacknowledged level line: g ends in 0x133 with its parameters; b goes back"
ui_test bugcheck_nil_handle "a nil handle to WdfInterruptQueueDpcForIsr: 0x10D, P1 0x5, P3 0x1027; R restarts; Left goes back"
ui_test bugcheck_redo "f, Space or Right back to the bug check step shows the blue screen again"
ui_test bugcheck_truncated "the blue screen wraps 'What happened' and the rule sentence"
ui_test bugcheck_quit "q on the blue screen quits with status 0"
