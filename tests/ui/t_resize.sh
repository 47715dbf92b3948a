# t_resize.sh - below 80x24 the UI asks to enlarge the terminal; back at a
# good size the lesson screen returns as it was.

resize_enlarge() {
	start resize "$UI_LESSONS/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	send Enter
	wait_for "Two device events reach CPU 0 before its"
	send Enter
	wait_for -r 'step [1-9][0-9]*/'
	settle
	local n m
	read -r n m <<<"$(step_of)"
	resize 60 20
	wait_for "dpctutor needs a terminal of at least 80x24."
	expect_screen_has "This one is 60x20: please enlarge it."
	expect_screen_has "(20 more columns and 4 more rows)"
	expect_screen_has "q quits."
	expect_screen_lacks "CPU0 IRQL"
	# Keys but q do nothing here (Enter would follow the story).
	send Enter Space b
	settle
	expect_screen_has "This one is 60x20: please enlarge it."
	resize 100 30
	wait_for "dpctutor: Queued once until it runs"
	wait_gone "please enlarge it"
	expect_screen_has -r "step $n/$m "
	expect_screen_has -r '^CPU0 IRQL'
	expect_screen_has -r "$UI_FOOTER_STORY"
	expect_screen_has "Two device events reach CPU 0 before its"
	local lines
	lines=$(wc -l <<<"$UI_LAST")
	[ "$lines" -eq 30 ] || fail "capture-pane shows $lines lines after the resize, not 30"
}

# One dimension too small is enough; and q quits from the enlarge screen.
resize_one_dimension() {
	start resize "$UI_LESSONS/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	resize 100 23
	wait_for "This one is 100x23: please enlarge it."
	expect_screen_has "(1 more row)"
	resize 79 30
	wait_for "This one is 79x30: please enlarge it."
	resize 80 24
	wait_for "dpctutor: Queued once until it runs"
	resize 60 20
	wait_for "please enlarge it."
	send q
	wait_exit
	local rc=$UI_EXIT_STATUS
	[ "$rc" = 0 ] || fail "dpctutor exited with status $rc after q"
}

# The help and the resize: back at size, the help is still up.
resize_help() {
	start resize "$UI_LESSONS/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	send '?'
	wait_for "─ help ─"
	resize 60 20
	wait_for "please enlarge it."
	resize 120 40
	wait_for "─ help ─"
	send x
	wait_for -r '^CPU0 IRQL'
}

# lines_are N: the last capture has N lines.
lines_are() {
	local lines
	lines=$(wc -l <<<"$UI_LAST")
	[ "$lines" -eq "$1" ] || fail "capture-pane shows $lines lines, not $1"
}

# 80x24 -> 200x60 -> 60x20 -> 80x24, the story mid-way: the lesson screen
# is right at each good size (the same step, the CPU panes, the boxes,
# the footer ending in its help and quit keys), the enlarge screen at
# 60x20, and all of it back at 80x24.
resize_sequence() {
	start -x 80 -y 24 resize "$UI_LESSONS/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	send Enter
	wait_for "Two device events reach CPU 0"
	send Enter
	wait_for -r 'step [1-9][0-9]*/'
	settle
	local n m
	read -r n m <<<"$(step_of)"
	expect_screen_has -r '^CPU0 IRQL'
	expect_screen_has -r "$UI_FOOTER_STORY"
	expect_screen_has -r '\? help  q quit$'
	lines_are 24
	resize 200 60
	wait_for -r 'c N CPU  m menu +\? help  q quit$'
	expect_screen_has -r "step $n/$m "
	expect_screen_has -r '^CPU0 IRQL'
	expect_screen_has -r '^CPU1 IRQL'
	expect_screen_has -r '^  next: '
	expect_screen_has "─ story ─"
	expect_screen_has "─ log ─"
	expect_screen_has "Two device events reach CPU 0"
	settle
	lines_are 60
	local width
	width=$(awk '{ print length }' <<<"$UI_LAST" | sort -n | tail -n 1)
	[ "$width" -gt 150 ] || fail "at 200x60 the widest line has $width columns"
	resize 60 20
	wait_for "dpctutor needs a terminal of at least 80x24."
	expect_screen_has "This one is 60x20: please enlarge it."
	expect_screen_lacks "─ story ─"
	resize 80 24
	wait_for "dpctutor: Queued once until it runs"
	wait_gone "please enlarge it"
	expect_screen_has -r "step $n/$m "
	expect_screen_has -r '^CPU0 IRQL'
	expect_screen_has -r "$UI_FOOTER_STORY"
	expect_screen_has "Two device events reach CPU 0"
	settle
	lines_are 24
	# And the story goes on from there.
	send Enter
	wait_gone -r "step $n/$m "
}

ui_test resize_enlarge "60x20 shows the enlarge message and ignores keys; 100x30 brings the lesson back"
ui_test resize_one_dimension "a too narrow or too short window asks to enlarge; q quits from there"
ui_test resize_help "the help survives a resize to too small and back"
ui_test resize_sequence "80x24, 200x60, 60x20 (enlarge), 80x24: the lesson right at each size, same step"
