# t_help.sh - ? shows the help with every key; any key goes back.

# help_has_every_key: the help box lists each key with what it does.
help_has_every_key() {
	wait_for "─ help ─"
	expect_screen_has -r '│ Keys +│'
	expect_screen_has -r '  Space +follow the story one piece'
	expect_screen_has -r '  Enter +follow the story to its next pause'
	expect_screen_has -r '  1-9 +answer a question'
	expect_screen_has -r '  0-9 +step that CPU'
	expect_screen_has -r '  b/f +step back \(nothing re-runs\) / redo'
	expect_screen_has -r '  e +fire a device event'
	expect_screen_has -r '  t +dispatch a ready thread'
	expect_screen_has -r ';  x  how it breaks \(the explorer\)'
	expect_screen_has -r '  p +seed and schedule, to share'
	expect_screen_has -r '  g +run to the end'
	expect_screen_has -r '(  |;  )j +jump to step N'
	expect_screen_has -r '  n +run to the next notable event'
	expect_screen_has -r '  w +why\?'
	expect_screen_has -r '  s +(show )?the lesson.s source'
	expect_screen_has -r '  h +the next hint'
	expect_screen_has -r '  T d G K +the timeline; the debugger panel; glossary; rule cards'
	expect_screen_has -r '  m +the lesson menu'
	expect_screen_has -r '(  |;  )R +restart'
	expect_screen_has -r ';  \?  this help;  q  quit'
	expect_screen_has "Press any key to go back."
}

help_keys() {
	start help "$UI_LESSONS/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	send '?'
	help_has_every_key
	expect_screen_lacks "CPU0 IRQL"
	send x
	wait_gone "─ help ─"
	wait_for -r '^CPU0 IRQL 0 PASSIVE +idle'
	expect_screen_has -r "$UI_FOOTER_STORY"
	expect_screen_has -r 'step 0/0 +running'
}

# The key that closes the help does nothing else: Enter does not follow the
# story, q does not quit.
help_key_only_returns() {
	start help "$UI_LESSONS/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	send '?'
	wait_for "Press any key to go back."
	send Enter
	wait_gone "─ help ─"
	expect_screen_lacks "Two device events"
	send '?'
	wait_for "Press any key to go back."
	send q
	wait_gone "─ help ─"
	wait_for "dpctutor: Queued once until it runs"
	[ "$(pane_format '#{pane_dead}')" = 0 ] || fail "q on the help screen quit the program"
	expect_screen_has -r 'step 0/0 +running'
}

# footer_keys_in_help FOOTER HELP: each key the footer names has a help line.
footer_keys_in_help() {
	local footer=$1 help=$2 group key pats p
	while read -r group; do
		[ -n "$group" ] || continue
		key=${group%% *}
		case $key in
		Spc) pats=("  Space ") ;;
		'?') pats=(";  ?  this help") ;;
		b/f | b) pats=("  b/f ") ;;
		q) pats=(";  q  quit") ;;
		*) pats=("  $key ") ;;
		esac
		for p in "${pats[@]}"; do
			grep -qF -- "$p" <<<"$help" ||
				fail "the footer names '$key' ('$group') but the help has no line for it"
		done
	done < <(sed -E 's/^ +//; s/ {2,}/\n/g' <<<"$footer")
}

# Every key the footers name is in the help (story, question, free play).
help_covers_footer() {
	start -x 120 -y 30 help "$UI_LESSONS/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	send '?'
	help_has_every_key
	local help=$UI_LAST
	send x
	wait_gone "─ help ─"
	footer_keys_in_help "$(tail -n 1 <<<"$UI_LAST")" "$help"
	send Enter
	wait_for "Two device events reach CPU 0 before its"
	send Enter Enter Enter
	wait_for -r "$UI_FOOTER_ASK"
	footer_keys_in_help "$(tail -n 1 <<<"$UI_LAST")" "$help"
	send R
	wait_for -r '^restarted'
	send 0
	wait_for "leave the story and play freely? (y/n)"
	send y
	wait_for -r "$UI_FOOTER_FREE"
	footer_keys_in_help "$(tail -n 1 <<<"$UI_LAST")" "$help"
}

# At the smallest size the whole help box fits.  (UI-8: it used to be 25
# rows, its bottom border off a 24-row screen.)
help_80x24() {
	start -x 80 -y 24 help "$UI_LESSONS/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	send '?'
	help_has_every_key
	expect_screen_has -r 'is dropped.*replays'
	expect_screen_has -r '┌─ help ─+┐'
	expect_screen_has -r '└─+┘'
	help_no_cut_lines
}

# No help line fills its box to the border: the help draws each line at
# most the box's width minus 4, so a line that fills it was cut.
help_no_cut_lines() {
	settle
	local cut
	cut=$(grep -E '│ .*[^ ] │ *$' <<<"$UI_LAST" | head -n 3)
	[ -z "$cut" ] || fail "help lines cut at the box's edge: $cut"
}

# The help's lines fit its box.  (UI-9: the lines for n, w and s used to be
# cut at its right edge: "a dequ", "that caus", "(s again: ob".)
help_lines_fit() {
	start -x 120 -y 40 help "$UI_LESSONS/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	send '?'
	help_has_every_key
	help_no_cut_lines
}

# Help during a question: the question is still waiting afterwards.
help_during_question() {
	start help "$UI_LESSONS/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	send Enter
	wait_for "Two device events reach CPU 0 before its"
	send Enter Enter Enter
	wait_for "? What does WdfInterruptQueueDpcForIsr"
	send '?'
	wait_for "Press any key to go back."
	send Space
	wait_gone "─ help ─"
	wait_for -r "$UI_FOOTER_ASK"
	send 2
	wait_for "you: FALSE"
}

ui_test help_keys "? shows the help with every key listed; any key goes back"
ui_test help_key_only_returns "the key that closes the help does nothing else (Enter, q)"
ui_test help_covers_footer "the footer's keys are all in the help"
ui_test help_80x24 "the whole help fits at 80x24"
ui_test help_lines_fit "every help line fits in the help box"
ui_test help_during_question "help during a question; the question still waits afterwards"
