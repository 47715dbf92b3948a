# t_nocolor.sh - --no-color and NO_COLOR=1 still draw the whole screen, in
# attributes only: capture-pane -e shows no colour escape.  The default run
# is the control: in this tmux it does use colours.

# nocolor_colours is in lib.sh (t_demo.sh uses it too).

# nocolor_screen: the lesson screen is all there, and uncoloured.
nocolor_screen() {
	wait_for "dpctutor: Queued once until it runs"
	wait_for -r "$UI_FOOTER_STORY"
	expect_screen_has -r '^CPU0 IRQL 0 PASSIVE +idle'
	expect_screen_has -r '^CPU1 IRQL 0 PASSIVE +idle'
	expect_screen_has "─ story ─"
	expect_screen_has "─ log ─"
	settle
	local c
	c=$(nocolor_colours | tr '\n' ' ')
	[ -z "$c" ] || fail "colour escapes on a monochrome screen: SGR $c"
	# The footer stands out by an attribute (reverse video) instead.
	tmx capture-pane -p -e -t "$UI_CUR" | tail -n 1 | grep -qE $'\e\\[([0-9;]*;)?7(;[0-9;]*)?m' ||
		fail "the footer has no reverse video in monochrome"
	# A question, an answer, the help: still drawn.
	send Enter
	wait_for "Two device events reach CPU 0 before its"
	send Enter Enter Enter
	wait_for "? What does WdfInterruptQueueDpcForIsr"
	send 2
	wait_for "you: FALSE"
	expect_screen_has -r '^right: the engine did FALSE'
	settle
	c=$(nocolor_colours | tr '\n' ' ')
	[ -z "$c" ] || fail "colour escapes after the answer: SGR $c"
	send '?'
	wait_for "Press any key to go back."
}

nocolor_flag() {
	start nocolor --no-color "$UI_LESSONS/03-queued-once.lua"
	nocolor_screen
}

nocolor_env() {
	start -e NO_COLOR=1 nocolor "$UI_LESSONS/03-queued-once.lua"
	nocolor_screen
}

# The control: without either, the same screen has colours (so the checks
# above can see them).
nocolor_control() {
	start nocolor "$UI_LESSONS/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	wait_for -r "$UI_FOOTER_STORY"
	settle
	[ -n "$(nocolor_colours)" ] || fail "the default run shows no colour escapes in capture-pane -e"
}

# NO_COLOR set but empty means colours (https://no-color.org).
nocolor_env_empty() {
	start -e NO_COLOR= nocolor "$UI_LESSONS/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	wait_for -r "$UI_FOOTER_STORY"
	settle
	[ -n "$(nocolor_colours)" ] || fail "NO_COLOR= (empty) turned colours off"
}

# NO_COLOR and a locale that is not UTF-8 together: the whole lesson
# screen in ASCII (chosen by the locale, no --ascii) and no colour.
nocolor_locale_c() {
	start -e LANG=C -e NO_COLOR=1 nocolor "$UI_LESSONS/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	wait_for -r "$UI_FOOTER_STORY"
	expect_screen_has -r '^CPU0 IRQL 0 PASSIVE +idle'
	expect_screen_has -r '\+- story -+\+'
	expect_screen_has -r '\+- log -+\+'
	settle
	local bad c
	bad=$(LC_ALL=C grep -n '[^ -~]' <<<"$UI_LAST" | head -n 3)
	[ -z "$bad" ] || fail "characters outside ASCII under LANG=C: $bad"
	c=$(nocolor_colours | tr '\n' ' ')
	[ -z "$c" ] || fail "colour escapes with NO_COLOR=1 under LANG=C: SGR $c"
	tmx capture-pane -p -e -t "$UI_CUR" | tail -n 1 | grep -qE $'\e\\[([0-9;]*;)?7(;[0-9;]*)?m' ||
		fail "the footer has no reverse video in monochrome"
}

# A terminal without colours (TERM=vt100): the monochrome theme, chosen by
# the terminal, with the whole lesson screen drawn.
nocolor_mono_terminal() {
	start -e TERM=vt100 nocolor "$UI_LESSONS/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	wait_for -r "$UI_FOOTER_STORY"
	expect_screen_has -r '^CPU0 IRQL 0 PASSIVE +idle'
	settle
	local c
	c=$(nocolor_colours | tr '\n' ' ')
	[ -z "$c" ] || fail "colour escapes on a vt100: SGR $c"
	tmx capture-pane -p -e -t "$UI_CUR" | tail -n 1 | grep -qE $'\e\\[([0-9;]*;)?7(;[0-9;]*)?m' ||
		fail "the footer has no reverse video on a vt100"
}

ui_test nocolor_flag "--no-color draws the lesson, story and help without colour escapes"
ui_test nocolor_env "NO_COLOR=1 draws the lesson, story and help without colour escapes"
ui_test nocolor_control "control: the default run does use colours"
ui_test nocolor_env_empty "an empty NO_COLOR keeps the colours"
ui_test nocolor_locale_c "NO_COLOR=1 with LANG=C: ASCII drawing by locale and no colour at once"
ui_test nocolor_mono_terminal "TERM=vt100 (no colours): the monochrome theme, the screen whole"
