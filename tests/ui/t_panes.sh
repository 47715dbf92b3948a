# t_panes.sh - the panes a lesson opens: the timeline (T) and its strip,
# the simulated debugger panel (d), the glossary (G), the rule cards (K),
# the C view (s, second press), hint tiers (h) and the reference replay.

CV_LESSON=tests/lessons/c-view.lua

# Lesson 03 at its first question: CPU 0 in the second ISR, step 6.
panes_at_question() {
	start "$@" panes "$UI_ROOT/tests/lessons/frozen/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	send Enter
	wait_for "Two device events reach CPU 0 before its"
	send Enter Enter
	wait_for "? What does WdfInterruptQueueDpcForIsr"
	expect_screen_has -r 'step 6/6 +running'
}

panes_timeline() {
	panes_at_question
	send T
	wait_for " timeline (T): step 6/6"
	expect_screen_has -r '^CPU0  ·IIIII$'
	expect_screen_has -r '^CPU1  ······$'
	expect_screen_has "^ step 6"
	expect_screen_has "I ISR  L under the interrupt lock  D DPC"
	expect_screen_has "× queue call returned FALSE"
	expect_screen_has "↓ DPC dequeued"
	# b moves the cursor with the timeline open.
	send b
	wait_for " timeline (T): step 5/6"
	expect_screen_has "^ step 5"
	send T
	wait_gone " timeline (T)"
	wait_for -r "$UI_FOOTER_ASK"
	expect_screen_has -r 'step 5/6 +running'
}

# The FALSE glyph lands on CPU 0 at the step of the FALSE call (11);
# ASCII mode draws F.
panes_timeline_false() {
	panes_at_question -e LANG=C
	send 2
	wait_for -r '^right: the engine did FALSE'
	send T
	wait_for " timeline (T): step 11/11"
	expect_screen_has -r '^CPU0  \.IIIII\.IIIF$'
	expect_screen_has "F queue call returned FALSE"
	expect_screen_has "v DPC dequeued"
	send Escape
	wait_gone " timeline (T)"
}

panes_strip() {
	panes_at_question
	expect_screen_has "timeline: T full screen, legend and more CPUs"
	expect_screen_has -r '^CPU0  ·IIIII'
	resize 80 24
	wait_gone "timeline: T full screen"
	expect_screen_has -r 'step 6/6 +running'
}

panes_debugger() {
	panes_at_question
	send d
	wait_for "debugger (d), simulated: step 6/6"
	expect_screen_has "A simulation of what these debugger commands would print"
	expect_screen_has "kd> !irql 0"
	expect_screen_has "Debugger saved IRQL for processor 0x0 -- 5 (device level)"
	expect_screen_has "Debugger saved IRQL for processor 0x1 -- 0 (PASSIVE_LEVEL)"
	expect_screen_has "kd> !dpcs"
	expect_screen_has -r '^  0: Normal  : 0x[0-9a-f]{16} queued-once!EvtInterruptDpc NIC'
	expect_screen_has -r '# Dumping WDFINTERRUPT 0x[0-9a-f]{16} \(NIC\)'
	expect_screen_has "Spin lock: held by processor 0x0"
	# b steps back with the panel open: at step 5 the second event has not
	# come yet... and at step 1 nothing is queued.
	send b b b b b
	wait_for "debugger (d), simulated: step 1/6"
	expect_screen_has "(every DPC queue is empty)"
	expect_screen_has "Debugger saved IRQL for processor 0x0 -- 0 (PASSIVE_LEVEL)"
	send Escape
	wait_gone "debugger (d)"
	wait_for -r 'step 1/6 +running'
}

panes_glossary_rules() {
	panes_at_question
	send G
	wait_for " glossary (G)"
	expect_screen_has -r '^ IRQL$'
	expect_screen_has "Interrupt request level: a per-CPU priority"
	expect_screen_has -r 'rows 1-28 of [0-9]+'
	send Down
	wait_for -r 'rows 2-29 of [0-9]+'
	send K
	wait_for " rule cards (K)"
	expect_screen_has -r '^ R01 \[S\] '
	send K
	wait_gone " rule cards (K)"
	wait_for -r "$UI_FOOTER_ASK"
	send G
	wait_for " glossary (G)"
	send q
	wait_exit
	[ "$UI_EXIT_STATUS" = 0 ] || fail "q on the glossary exited $UI_EXIT_STATUS"
}

panes_c_view() {
	start panes "$CV_LESSON"
	wait_for "dpctutor: The C beside the Lua"
	send Enter
	wait_for "? Which CPU runs the DPC?"
	send 1
	wait_for -r '^right: the engine did CPU 0'
	send s
	wait_for -r '^>0  *[0-9]+ '
	send s
	wait_for ">0 C: EvtInterruptDpc NIC"
	expect_screen_has "ctx->Handled += n;"
	expect_screen_has "   C: EvtInterruptIsr NIC"
	send s
	wait_gone ">0 C: EvtInterruptDpc NIC"
	expect_screen_has -r '^NIC +DPC '
}

panes_hint_tiers() {
	start panes "$CV_LESSON"
	wait_for "dpctutor: The C beside the Lua"
	send Enter
	wait_for "? Which CPU runs the DPC?"
	send h
	wait_for "hint 1/2: Where was the DPC queued?"
	send h
	wait_for "hint 2/2: The ISR ran on CPU 0 (R12)."
	send h
	wait_for -r '^no more hints for this question'
	expect_screen_has -r "$UI_FOOTER_ASK"
}

# Lesson 03's challenge: two hints; one more h loads the reference
# (e(NIC)@0 e(NIC)@0 0*20) at step 0, and Space plays it.  Its goal holds
# at step 15, where --check stops too; the rest of 0*20 is not possible.
panes_hint_replay() {
	start panes "$UI_ROOT/tests/lessons/frozen/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	send h
	wait_for "Challenge merge: Make the NIC raise two"
	wait_for "hint 1/2: An interrupt that is already"
	expect_screen_has -r 'step 0/0 +running'
	send h
	wait_for "hint 2/2: Fire both events before CPU 0"
	wait_for -r "^h once more replays the challenge's reference schedule"
	expect_screen_has -r 'step 0/0 +running'
	send h
	wait_for -r '^the reference schedule is loaded at step 0'
	expect_screen_has -r 'step 0/15 +running'
	expect_screen_has "hint 2/2: Fire both events before CPU 0"
	expect_screen_has "─ free play ─"
	send Space
	wait_for -r 'step 1/15 +running'
	send Space
	wait_for -r 'step 2/15 +running'
	expect_screen_has -r '^CPU0 IRQL 0 PASSIVE +idle'
	send j 1 5 Enter
	wait_for -r 'step 15/15 '
	expect_screen_has "values: handled=1 pending=0"
}

ui_test panes_timeline "T opens the timeline at the cursor's step; b moves it; T goes back"
ui_test panes_timeline_false "the FALSE glyph on CPU 0's lane at the FALSE call's step (ASCII)"
ui_test panes_strip "a timeline strip under the panes on a 30-row terminal, none at 24"
ui_test panes_debugger "d shows simulated !irql, !dpcs and !wdfkd.wdfinterrupt; b steps with it open"
ui_test panes_glossary_rules "G, K and their scrolling; q quits from them"
ui_test panes_c_view "s cycles the Lua, the C of the running callback first, and the objects"
ui_test panes_hint_tiers "h shows a question's hint tiers, then says there are no more"
ui_test panes_hint_replay "h after a challenge's last hint loads its reference at step 0; Space plays it"
