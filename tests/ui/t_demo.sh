# t_demo.sh - the classroom demo (--demo): played to its end at speed
# max, pausing at every mark of the lesson (counted in the lesson file)
# and at every question; lesson 06's counterexample after one key; the
# speed keys; ] and [ (PgDn, PgUp) between marks; --notes in a second
# terminal.  At speed max each tick is the key loop's timeout of 0, and
# every pause waits for a key, so the tests wait for text only.

# The demo's line (above the footer) of the current screen.
demo_line() {
	screen | tail -n 2 | head -n 1
}

# A pause of the demo: a mark, a question, the break or the end.
DEMO_PAUSE='^(mark [0-9]+/[0-9]+:|question [0-9]+:|the story is over\. Show me|the demo is over|step [0-9]+: the invariant fails)'

# Play the current demo to its end with Space at each pause; checks that
# the marks come in order, k/N with N = $1, and counts them in DEMO_MARKS.
demo_play_to_end() {
	local want=$1 line k=0 i
	DEMO_MARKS=0
	for i in $(seq 1 40); do
		wait_for -r "$DEMO_PAUSE"
		line=$(demo_line)
		case $line in
		"mark "*)
			k=$((k + 1))
			case $line in
			"mark $k/$want:"*) ;;
			*) fail "pause $k reads '$line', not mark $k/$want" ;;
			esac
			DEMO_MARKS=$k ;;
		"the story is over. Show me"*|"the demo is over"*|"step "*)
			return 0 ;;
		esac
		send Space
		wait_gone "$line"
	done
	fail "no end after 40 pauses"
}

demo_marks_to_end() {
	local lesson=$UI_LESSONS/02-first-interrupt.lua want
	want=$(grep -c '^[[:space:]]*mark("' "$lesson")
	[ "$want" -ge 1 ] || fail "lesson 02 has no marks to count"
	start -x 80 -y 24 demo --demo --speed max "$lesson"
	wait_for " DEMO IRQL and a first"
	expect_screen_has "presenter notes"
	demo_play_to_end "$want"
	[ "$DEMO_MARKS" = "$want" ] || fail "paused at $DEMO_MARKS marks, the lesson has $want"
	wait_for "the demo is over (this lesson has no broken variant to show)"
	note "lesson 02: paused at $DEMO_MARKS of $want marks"
	send q
	wait_exit
	[ "$UI_EXIT_STATUS" = 0 ] || fail "exit status $UI_EXIT_STATUS"
}

demo_counterexample() {
	local lesson=$UI_LESSONS/06-two-dpcs.lua want line
	want=$(grep -c '^[[:space:]]*mark("' "$lesson")
	start -x 80 -y 24 demo --demo --speed max "$lesson"
	wait_for " DEMO Two DPCs at once"
	demo_play_to_end "$want"
	[ "$DEMO_MARKS" = "$want" ] || fail "paused at $DEMO_MARKS marks, the lesson has $want"
	wait_for "Show me how it breaks: Space (variant 'no lock')"
	send Space
	wait_for -r "^step [0-9]+: the invariant fails here"
	expect_screen_has "How it breaks: variant 'no lock' (the fix: 'interrupt lock')."
	expect_screen_has "variant 'no lock'  values: fired=2 pending=0 total=1"
	expect_screen_has -r "end +mark $want/$want +paused"
	line=$(demo_line)
	note "lesson 06: the counterexample $(echo "$line" | grep -o 'on screen [0-9]* ms after the key')"
	# PgUp goes back into the story, at its last mark.
	send PPage
	wait_for -r "^mark $want/$want:"
	expect_screen_lacks "variant 'no lock'"
}

demo_speed_keys() {
	start -x 80 -y 24 demo --demo --speed 1 "$UI_LESSONS/02-first-interrupt.lua"
	wait_for "speed 1/s"
	send +
	wait_for "speed 2/s"
	send - -
	wait_for "speed 0.5/s"
	send Space
	wait_for "paused (Space plays)"
	expect_screen_has -r "story +mark 0/2 +paused +speed 0.5/s"
}

demo_next_previous_mark() {
	# The slowest speed: the marks keys move, the clock hardly does.
	start -x 80 -y 24 demo --demo --speed 0.125 "$UI_LESSONS/02-first-interrupt.lua"
	wait_for " DEMO IRQL and a first"
	send ]
	wait_for "mark 1/2: The interrupt is pending on CPU 0"
	expect_screen_has -r "step 5/5"
	send NPage
	wait_for "mark 2/2: The DPC ran before the thread could go on"
	send [
	wait_for "mark 1/2: The interrupt is pending on CPU 0"
	expect_screen_has -r "step 5/5"
	send PPage
	wait_for "the start of the story (Space plays)"
	expect_screen_has -r "step 0/0"
}

demo_notes_second_terminal() {
	start -x 80 -y 24 demo --demo "$UI_LESSONS/02-first-interrupt.lua"
	wait_for " DEMO IRQL and a first"
	start_shell -x 80 -y 24 notes
	send_text "$UI_TUTOR --notes 02"
	send Enter
	wait_for "Presenter notes:"
	expect_screen_has "Point at the IRQL column of CPU 0 at each step: 0, then 5, then 2, then 0."
	expect_screen_has "1/2  The interrupt is pending on CPU 0"
	expect_screen_has "2/2  The DPC ran before the thread could go on"
	# N hides the notes on the projected screen; they stay on this one.
	use demo
	send N
	wait_gone "presenter notes"
	use notes
	expect_screen_has "Point at the IRQL column of CPU 0"
}

# The projector theme: text on an explicit black background (SGR 40),
# which the ordinary theme never asks for (it keeps the terminal's own).
demo_projector_theme() {
	start -x 80 -y 24 plain "$UI_LESSONS/02-first-interrupt.lua"
	wait_for "dpctutor: IRQL and a first interrupt"
	settle
	[ -z "$(nocolor_colours | grep -x 40)" ] || fail "the ordinary theme paints a black background"
	start -x 80 -y 24 demo --demo --speed 0.125 "$UI_LESSONS/02-first-interrupt.lua"
	wait_for " DEMO IRQL and a first"
	settle
	local c
	c=$(nocolor_colours | tr "\n" " ")
	case " $c" in *" 40 "*) ;; *) fail "the demo's screen has no black background (SGR colours: $c)" ;; esac
	# --no-color still wins: attributes only.
	start -x 80 -y 24 mono --demo --no-color --speed 0.125 "$UI_LESSONS/02-first-interrupt.lua"
	wait_for " DEMO IRQL and a first"
	settle
	[ -z "$(nocolor_colours)" ] || fail "colour escapes in the demo with --no-color"
}

ui_test demo_marks_to_end "--demo 02 at speed max: pauses at every mark of the lesson, in order, then ends"
ui_test demo_counterexample "--demo 06: the story, then Space shows the lost update of 'no lock'"
ui_test demo_speed_keys "--demo: + and - change the speed, Space pauses"
ui_test demo_next_previous_mark "--demo: ] / PgDn the next mark, [ / PgUp the previous one"
ui_test demo_notes_second_terminal "--notes 02 in a second terminal shows the notes and marks"
ui_test demo_projector_theme "--demo: the projector theme (an explicit black background; none with --no-color)"
