# t_fire.sh - free play: e, then the event, then the CPU, fires a device
# event; the log narrates it and the CPU pane shows it pending.

# Lesson 06 in free play at step 0.
fire_setup() {
	start fire "$UI_LESSONS/06-two-dpcs.lua"
	wait_for "dpctutor: Two DPCs at once"
	send 0
	wait_for "leave the story and play freely? (y/n)"
	send y
	wait_for "─ free play ─"
	expect_screen_has -r '^CPU 0 cannot step: it is idle'
	expect_screen_has -r 'step 0/0 +running'
}

fire_to_cpu1() {
	fire_setup
	send e
	wait_for -r '^fire which event\?  1 nic'
	expect_screen_has -r "$UI_FOOTER_PROMPT"
	send 1
	wait_for -r '^deliver nic to which CPU\? \(0-1\)'
	send 1
	wait_for -r 'step 1/1 +running'
	expect_screen_has '   1 nic: device event "nic" to CPU1'
	expect_screen_has '   1 CPU1: the nic interrupt is pending at'
	expect_screen_has -r '^CPU1 IRQL 0 PASSIVE +idle'
	expect_screen_has -r '^  next: take a pending interrupt'
	expect_screen_has -r '^  queue: -  pending: nic'
	expect_screen_has -r "$UI_FOOTER_FREE"
	expect_screen_lacks "to CPU0"
	# CPU 1 takes it.
	send 1
	wait_for -r 'step 2/2 +running'
	expect_screen_has -r '^CPU1 IRQL 5 DIRQL +ISR nic'
	expect_screen_has '   2 CPU1: takes the nic interrupt'
	# Space steps the next CPU that can: only CPU 1 can.
	send Space
	wait_for -r 'step 3/3 +running'
	expect_screen_has '   3 CPU1: reads fired = 0'
}

fire_cancel() {
	fire_setup
	send e
	wait_for "fire which event?  1 nic"
	# A key that names no event is ignored; Esc cancels.
	send 7
	settle
	expect_screen_has "fire which event?  1 nic"
	send Escape
	wait_gone "fire which event?"
	expect_screen_has -r 'step 0/0 +running'
	send e
	wait_for "fire which event?  1 nic"
	send 1
	wait_for "deliver nic to which CPU? (0-1)"
	send Escape
	wait_gone "deliver nic to which CPU?"
	expect_screen_has -r 'step 0/0 +running'
	expect_screen_lacks "device event"
}

fire_bad_cpu() {
	fire_setup
	send e 1
	wait_for "deliver nic to which CPU? (0-1)"
	send 5
	wait_for -r '^that choice is not possible now'
	expect_screen_has -r 'step 0/0 +running'
	expect_screen_lacks "device event"
}

# The footer under a prompt shows "? help  q quit"; at a prompt those keys
# must then work (or the footer must not offer them).  They do not: the
# prompt takes every key, so q at "fire which event?" does nothing.
# Deterministic: q, then Esc; keys are read in order, so if the prompt has
# gone and the program still runs, q did not quit.
fire_prompt_quit() {
	fire_setup
	send e
	wait_for "fire which event?  1 nic"
	wait_for -r "$UI_FOOTER_PROMPT"
	grep -qE "$UI_FOOTER_PROMPT.*q quit" <<<"$UI_LAST" || return 0
	send q Escape
	local f=$UI_TEST_TMP/exit.$UI_CUR deadline
	deadline=$(ui_deadline_ms)
	while [ ! -s "$f" ]; do
		ui_capture
		# The prompt closed and the lesson screen is still there: q did
		# not quit.  (A quitting tutor first saves progress; the screen
		# goes blank before the exit status is written.)
		if ! grep -qF "fire which event?" <<<"$UI_LAST" && grep -qF "dpctutor:" <<<"$UI_LAST"; then
			break
		fi
		[ "$(ui_now_ms)" -lt "$deadline" ] || fail "neither quit nor closed the prompt"
		sleep 0.05
	done
	# The prompt leaves the screen as the program ends, a moment before
	# the shell writes its exit status: wait for that (bounded) too.
	while [ ! -s "$f" ] && [ "$(ui_now_ms)" -lt "$deadline" ]; do
		sleep 0.05
	done
	test -s "$f" ||
		fail "regression of UI-12 (fixed): the prompt footer (e, j, t, the leave prompt) shows '? help  q quit', but the prompt takes the key: q at 'fire which event?' does nothing, ? neither (at the leave prompt q just cancels it)"
}

# t in a lesson without threads: the footer offers "t thread", and the key
# should say that there is none (it once did nothing: UI-13).
fire_thread_key_without_threads() {
	fire_setup
	send t
	status_line_says_something ||
		fail "regression of UI-13 (fixed): lesson 06 free play (no threads): t, offered by the footer as 't thread', does nothing and says nothing"
}

# The status line (the second last) or a prompt there is not empty.
status_line_says_something() {
	ui_capture
	[ -n "$(tail -n 2 <<<"$UI_LAST" | head -n 1 | tr -d ' ')" ]
}

ui_test fire_to_cpu1 "lesson 06 free play: e 1 1 fires nic to CPU 1; the log and CPU1's pane show it"
ui_test fire_cancel "the event and CPU prompts ignore other keys and cancel with Esc"
ui_test fire_prompt_quit "q offered by the footer under a prompt quits"
ui_test fire_thread_key_without_threads "t in a lesson without threads says so"
ui_test fire_bad_cpu "a CPU outside 0-1 at the CPU prompt fires nothing and says so"

# t during the story asks to leave it first, as the CPU and fire keys do
# (product.md: "a CPU key or the fire key elsewhere asks"); y then asks
# which thread.
fire_thread_key_leaves_story() {
	start fire "$UI_LESSONS/02-first-interrupt.lua"
	wait_for "dpctutor: IRQL and a first interrupt"
	send t
	wait_for "leave the story and play freely? (y/n)"
	expect_screen_lacks "dispatch which thread?"
	send y
	wait_for "dispatch which thread?"
	send Escape
	wait_for -r "$UI_FOOTER_FREE"
}
ui_test fire_thread_key_leaves_story "t in the story asks to leave it, then which thread"
