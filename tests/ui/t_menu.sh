# t_menu.sh - the lesson menu: `dpctutor` without a LESSON lists every
# lesson with its mark, Up/Down/k/j move, Enter opens, m in a lesson comes
# back to the menu (saving the place first) and Esc returns to that lesson,
# r resets one lesson after y/n, and finishing a lesson stays on it.
# lib.sh gives every test its own XDG_STATE_HOME, so each starts with no
# progress at all.

# menu_finish_03: from the start of lesson 03, follow its story to the
# end with the right answers (FALSE, then 2).
menu_finish_03() {
	wait_for "dpctutor: Queued once until it runs"
	send Enter
	wait_for "Two device events reach CPU 0 before its"
	send Enter Enter
	wait_for "? What does WdfInterruptQueueDpcForIsr"
	send 2
	wait_for "you: FALSE"
	send Enter
	wait_for "FALSE is not an error: the earlier queuing"
	send Enter
	wait_for "? How many events will the DPC handle?"
	send 3
	wait_for "you: 2"
	send Enter
	wait_for "ok: both events handled"
	send Enter Enter
	wait_for "the story is over: play freely, R restarts, q quits"
}

menu_lists_lessons() {
	start -e DPCTUTOR_LESSONS="$UI_ROOT/tests/lessons/frozen" -x 80 -y 24 menu
	wait_for " dpctutor: lessons"
	expect_screen_has "0 of 3 done"
	expect_screen_has -r '^ → +02  IRQL and a first interrupt +new$'
	expect_screen_has -r '^ +03  Queued once until it runs +new$'
	expect_screen_has -r '^ +06  Two DPCs at once +new$'
	# The selected lesson's goal under the list.
	expect_screen_has "Watch an ISR preempt a thread at DIRQL"
	expect_screen_has -r '^ Up/Down move  Enter open  r reset +\? help  q quit *$'
	send q
	wait_exit
	[ "$UI_EXIT_STATUS" = 0 ] || fail "q in the menu exited $UI_EXIT_STATUS"
}

menu_navigation() {
	start -e DPCTUTOR_LESSONS="$UI_ROOT/tests/lessons/frozen" -x 80 -y 24 menu
	wait_for " dpctutor: lessons"
	send Down
	wait_for -r '^ → +03  Queued once'
	expect_screen_has "See WdfInterruptQueueDpcForIsr return FALSE"
	send j
	wait_for -r '^ → +06  Two DPCs'
	send j # the last stays selected
	send Up
	wait_for -r '^ → +03  Queued once'
	send k
	wait_for -r '^ → +02  IRQL'
	send j
	wait_for -r '^ → +03  Queued once'
	send Enter
	wait_for "dpctutor: Queued once until it runs"
	wait_for -r "$UI_FOOTER_STORY"
	press_until Space "step 4/4" 8
	# m saves the place and lists the lessons, 03 still selected.
	send m
	wait_for " dpctutor: lessons"
	expect_screen_has -r '^ → • 03  Queued once until it runs +in progress, step 4$'
	expect_screen_has -r '^ Up/Down move  Enter open  r reset  Esc back'
	# Esc: back into the lesson, at the same step.
	send Escape
	wait_for "resumed where you left off (R starts over)"
	expect_screen_has "dpctutor: Queued once until it runs"
	expect_screen_has -r 'step 4/4 +running'
	send q
	wait_exit
	[ "$UI_EXIT_STATUS" = 0 ] || fail "q exited $UI_EXIT_STATUS"
}

menu_reset() {
	start -e DPCTUTOR_LESSONS="$UI_ROOT/tests/lessons/frozen" -x 80 -y 24 menu
	wait_for " dpctutor: lessons"
	send Down Enter
	wait_for "dpctutor: Queued once until it runs"
	press_until Space "step 4/4" 8
	send m
	wait_for -r '03  Queued once until it runs +in progress, step 4$'
	send r
	wait_for 'reset "Queued once until it runs" (y/n)? its progress is forgotten'
	expect_screen_has -r '^ y reset  any other key keeps it'
	send n
	wait_for "not reset"
	expect_screen_has -r '03  Queued once until it runs +in progress, step 4$'
	send r
	wait_for '(y/n)?'
	send y
	wait_for "reset: Queued once until it runs starts anew"
	expect_screen_has -r '^ → +03  Queued once until it runs +new$'
	# Nothing to reset now, and the lesson opens at its start.
	send r
	wait_for "Queued once until it runs has no progress to reset"
	send Enter
	wait_for "dpctutor: Queued once until it runs"
	expect_screen_has -r 'step 0/0'
	expect_screen_lacks "resumed where you left off"
}

menu_finish_stays() {
	start -e DPCTUTOR_LESSONS="$UI_ROOT/tests/lessons/frozen" menu # 100x30: the story's lines wrap as menu_finish_03 expects
	wait_for " dpctutor: lessons"
	send Down Enter
	menu_finish_03
	# Finishing never jumps to the next lesson.
	expect_screen_has "dpctutor: Queued once until it runs"
	expect_screen_has "(m: the lesson menu)"
	send m
	wait_for " dpctutor: lessons"
	expect_screen_has "1 of 3 done"
	expect_screen_has -r '^ → ✓ 03  Queued once until it runs +done, best 2/2; left at step 20$'
	expect_screen_has -r '^ +06  Two DPCs at once +new$'
}

menu_help() {
	start -e DPCTUTOR_LESSONS="$UI_ROOT/tests/lessons/frozen" -x 80 -y 24 menu
	wait_for " dpctutor: lessons"
	send '?'
	wait_for "the lesson menu (your place in this lesson is saved first)"
	send Space
	wait_for " dpctutor: lessons"
	expect_screen_lacks "─ help ─"
}

# menu_click X Y: a left click at column X, row Y (0-based): ui_click
# in lib.sh.
menu_click() { ui_click "$@"; }

menu_mouse() {
	start -e DPCTUTOR_LESSONS="$UI_ROOT/tests/lessons/frozen" -x 80 -y 24 menu
	wait_for " dpctutor: lessons"
	# Row 5 is the third lesson (06): a click selects it...
	menu_click 20 5
	wait_for -r '^ → +06  Two DPCs at once'
	expect_screen_has "See the same EvtInterruptDpc run on two CPUs"
	# ... a click on the title row does nothing, on the selected row opens it.
	menu_click 20 0
	menu_click 20 5
	wait_for "dpctutor: Two DPCs at once"
}

ui_test menu_lists_lessons "no LESSON: the menu lists 02, 03, 06 as new with 02's goal; q quits with 0"
ui_test menu_navigation "Down/j/Up/k move, Enter opens 03, m back to the menu ('in progress, step 4'), Esc resumes at step 4/4"
ui_test menu_reset "r asks y/n: n keeps 03 in progress, y makes it new; r again: nothing to reset; Enter starts at 0/0"
ui_test menu_finish_stays "finishing 03 stays on 03; m shows it done with best 2/2 and '1 of 3 done'"
ui_test menu_help "? from the menu lists m and comes back to the menu"
ui_test menu_mouse "a click on 06 selects it (its goal shows), a click on the selected row opens it"
