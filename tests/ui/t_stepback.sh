# t_stepback.sh - b/Left steps back through the past and f/Right redoes the
# recorded future: "step N/M" moves by one and the CPU pane follows.

# Lesson 06 in free play, with the NIC's event on CPU 0 and three steps.
stepback_setup() {
	start stepback "$UI_LESSONS/06-two-dpcs.lua"
	wait_for "dpctutor: Two DPCs at once"
	send 0
	wait_for "leave the story and play freely? (y/n)"
	send y
	wait_for "─ free play ─"
	send e
	wait_for "fire which event?  1 nic"
	send 1
	wait_for "deliver nic to which CPU? (0-1)"
	send 0
	wait_for -r 'step 1/1 +running'
	send 0
	wait_for -r 'step 2/2 +running'
	send 0
	wait_for -r 'step 3/3 +running'
	send 0
	wait_for -r 'step 4/4 +running'
	expect_screen_has -r '^CPU0 IRQL 5 DIRQL +ISR nic'
	expect_screen_has -r '^  next: read pending  :57'
	expect_screen_has "values: fired=1 pending=0 total=0"
}

stepback_free_play() {
	stepback_setup
	send b
	wait_for -r 'step 3/4 +running'
	expect_screen_has -r '^  next: write fired  :56'
	expect_screen_has "values: fired=0 pending=0 total=0"
	send b
	wait_for -r 'step 2/4 +running'
	expect_screen_has -r '^  next: read fired  :56'
	send b
	wait_for -r 'step 1/4 +running'
	expect_screen_has -r '^CPU0 IRQL 0 PASSIVE +idle'
	expect_screen_has -r '^  next: take a pending interrupt'
	expect_screen_has -r '^  queue: -  pending: nic'
	send f
	wait_for -r 'step 2/4 +running'
	expect_screen_has -r '^CPU0 IRQL 5 DIRQL +ISR nic'
	expect_screen_has -r '^  next: read fired  :56'
	send f
	wait_for -r 'step 3/4 +running'
	expect_screen_has -r '^  next: write fired  :56'
	# Left and Right are b and f.
	send Left
	wait_for -r 'step 2/4 +running'
	send Right
	wait_for -r 'step 3/4 +running'
	send Right
	wait_for -r 'step 4/4 +running'
	expect_screen_has "values: fired=1 pending=0 total=0"
	send f
	wait_for "nothing recorded after this step"
	expect_screen_has -r 'step 4/4 +running'
}

stepback_first_step() {
	stepback_setup
	send b b b b
	wait_for -r 'step 0/4 +running'
	expect_screen_has -r '^  queue: - +│'
	expect_screen_has -r '^CPU0 IRQL 0 PASSIVE +idle'
	send b
	wait_for "this is the first step"
	expect_screen_has -r 'step 0/4 +running'
}

# A different choice while viewing the past drops the recorded future
# (help: "Stepping on a CPU while viewing the past branches").
stepback_branch() {
	stepback_setup
	send b b b
	wait_for -r 'step 1/4 +running'
	send 1
	wait_for "CPU 1 cannot step: it is idle"
	expect_screen_has -r 'step 1/4 +running'
	send e
	wait_for "fire which event?  1 nic"
	send 1
	wait_for "deliver nic to which CPU? (0-1)"
	send 1
	wait_for -r 'step 2/2 +running'
	expect_screen_has '2 nic: device event "nic" to CPU1'
	expect_screen_has -r '^  queue: -  pending: nic'
	expect_screen_lacks "takes the nic interrupt"
	send f
	wait_for "nothing recorded after this step"
	send 1
	wait_for -r 'step 3/3 +running'
	expect_screen_has -r '^CPU1 IRQL 5 DIRQL +ISR nic'
	expect_screen_has '3 CPU1: takes the nic interrupt'
}

# The same in the story: b steps back, f and Enter redo before going on.
stepback_story() {
	start stepback "$UI_LESSONS/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	press_until Enter "The first ISR has queued the DPC" 5
	expect_screen_has -r 'step 5/5 +running'
	expect_screen_has -r '^CPU0 IRQL 5 DIRQL +ISR NIC'
	expect_screen_has -r '^  next: read seen  :25'
	expect_screen_has "values: handled=0 pending=1"
	send b
	wait_for -r 'step 4/5 +running'
	expect_screen_has -r '^  next: WdfInterruptQueueDpcForIsr  :24'
	expect_screen_has "values: handled=0 pending=1"
	send b
	wait_for -r 'step 3/5 +running'
	expect_screen_has -r '^  next: write pending  :22'
	expect_screen_has "values: handled=0 pending=0"
	send f
	wait_for -r 'step 4/5 +running'
	expect_screen_has -r '^  next: WdfInterruptQueueDpcForIsr  :24'
	send Enter
	wait_for -r 'step 5/5 +running'
	expect_screen_has -r '^  next: read seen  :25'
}

# j jumps to a step: typed digits, Backspace, Enter; past the head it
# stops at the head; Esc cancels.
stepback_jump() {
	stepback_setup
	send j
	wait_for "jump to step: _"
	expect_screen_has -r "$UI_FOOTER_PROMPT"
	send 9 BSpace 2
	wait_for "jump to step: 2_"
	send Enter
	wait_for -r 'step 2/4 +running'
	expect_screen_has -r '^  next: read fired  :56'
	send j 9 9
	wait_for "jump to step: 99_"
	send Enter
	wait_for -r 'step 4/4 +running'
	send j 1
	wait_for "jump to step: 1_"
	send Escape
	wait_gone "jump to step"
	expect_screen_has -r 'step 4/4 +running'
	send j 0 Enter
	wait_for -r 'step 0/4 +running'
}

ui_test stepback_free_play "lesson 06 free play: b/Left back, f/Right forward, one step each; the CPU pane follows"
ui_test stepback_first_step "b at step 0 says 'this is the first step'"
ui_test stepback_branch "a CPU step in the past drops the recorded future"
ui_test stepback_jump "j N Enter jumps to step N (Backspace edits, past the head stops there, Esc cancels)"
ui_test stepback_story "lesson 03's story: b back, f and Enter redo the recorded future"
