# t_why.sh - the newer keys: w (why? a log line's rule card and its cause),
# n (run to the next notable event) and s (the lesson's source).

# Lesson 06 in free play with the nic event pending on CPU 0 (step 1).
why_setup() {
	start why "$UI_LESSONS/06-two-dpcs.lua"
	wait_for "dpctutor: Two DPCs at once"
	send 0
	wait_for "leave the story and play freely? (y/n)"
	send y
	wait_for "─ free play ─"
	send e 1 0
	wait_for -r 'step 1/1 +running'
	expect_screen_has '   1 CPU0: the nic interrupt is pending at'
}

why_nothing_yet() {
	start why "$UI_LESSONS/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	send w
	wait_for -r '^nothing has happened yet'
	expect_screen_lacks "─ why? ─"
}

why_card() {
	why_setup
	send w
	wait_for "─ why? ─"
	expect_screen_has "│ step 1: CPU0: the nic interrupt is pending at IRQL 5"
	expect_screen_has "R08 [S] What runs after IRQL drops"
	expect_screen_has "Up/Down another line   any other key: back"
	send Up
	wait_for '│ step 1: nic: device event "nic" to CPU0'
	expect_screen_has "R04 [S] Delivered to one CPU"
	expect_screen_has "It does not depend on an earlier event."
	# The oldest line: Up stays.
	send Up
	settle
	expect_screen_has '│ step 1: nic: device event "nic" to CPU0'
	send Down
	wait_for "│ step 1: CPU0: the nic interrupt is pending at IRQL 5"
	send x
	wait_gone "─ why? ─"
	wait_for -r "$UI_FOOTER_FREE"
	expect_screen_has -r 'step 1/1 +running'
}

# "Because of step N" names the event that caused the selected one; for the
# pending interrupt that is the device event.  (UI-10: it used to name the
# selected line itself.)
why_cause() {
	why_setup
	send w
	wait_for "─ why? ─"
	wait_for "Because of step 1:"
	expect_screen_has -r '│   nic: device event "nic" to CPU0'
}

why_next_notable() {
	why_setup
	send n
	wait_for -r '^CPU0 IRQL 5 DIRQL +ISR nic'
	expect_screen_has -r 'step 2/2 +running'
	expect_screen_has '   2 CPU0: takes the nic interrupt'
	# The next notable event is the ISR's queue call.
	send n
	wait_for "TRUE: the nic DPC"
	local n m
	read -r n m <<<"$(step_of)"
	[ "$n" -gt 2 ] || fail "n did not run on (step $n)"
	expect_screen_has -r '^  queue: nic'
}

why_source() {
	why_setup
	send 0
	wait_for -r '^  next: read fired  :56'
	send s
	wait_for -r '^>0  56 '
	expect_screen_has "s.fired = s.fired + 1"
	expect_screen_lacks -r '^nic +DPC not queued'
	# The marker follows the step.
	send 0 0
	wait_for -r '^>0  57 '
	send s
	wait_for -r '^nic +DPC not queued'
	expect_screen_lacks -r '^>0 '
}

ui_test why_nothing_yet "w before anything happened says so"
ui_test why_card "w opens the newest log line's card; Up/Down pick another line; any key goes back"
ui_test why_cause "why? names the event that caused the line"
ui_test why_next_notable "n runs to the next notable event (the ISR, then its queue call)"
ui_test why_source "s shows the source with a per-CPU marker that follows the steps; s again the objects"
