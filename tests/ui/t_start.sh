# t_start.sh - the lesson screen comes up whole at the smallest supported
# size (80x24) and at a large one (120x40).

# start_screen W H: lesson 03's first screen at W x H.
start_screen() {
	start -x "$1" -y "$2" start "$UI_LESSONS/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	expect_screen_has -r 'step 0/0 +running'
	expect_screen_has -r '^CPU0 IRQL 0 PASSIVE +idle'
	expect_screen_has -r '^CPU1 IRQL 0 PASSIVE +idle'
	expect_screen_has -r '^  next: idle'
	expect_screen_has "─ story ─"
	expect_screen_has "─ log ─"
	expect_screen_has "values: handled=0 pending=0"
	expect_screen_has "Goal: See"
	# The footer is the last line.
	expect_screen_has -r "$UI_FOOTER_STORY"
	local last
	last=$(tail -n 1 <<<"$UI_LAST")
	[ "${last:0:9}" = " Spc next" ] || fail "the footer is not the last line: '$last'"
	local lines
	lines=$(wc -l <<<"$UI_LAST")
	[ "$lines" -eq "$2" ] || fail "capture-pane shows $lines lines, not $2"
}

start_80x24() {
	start_screen 80 24
	expect_screen_has -r "$(ui_irow NIC 'not queued' 0 0 0)"
	# "? help" and "q quit" show at the minimum size too.  (UI-1: the
	# footers, 94 and 99 columns, used to be cut at 80 before them.)
	expect_screen_has -r '\? help +q quit *$'
	# The interrupt row fits the left pane.  (UI-2: it used to lose its lock
	# owner, "free", under the story box.)
	expect_screen_has -r "$(ui_irow NIC 'not queued' 0 0 0 free) "
	# Free play's footer too.
	send 0
	wait_for "leave the story and play freely? (y/n)"
	send y
	wait_for -r "$UI_FOOTER_FREE"
	expect_screen_has -r '\? help +q quit *$'
}

# After a FALSE the interrupt row is flagged with "!": at 80 columns the
# flag must not land on the lock owner.
start_80x24_false_flag() {
	start -x 80 -y 24 start "$UI_LESSONS/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	send Enter
	wait_for "Two device events reach CPU"
	send Enter Enter Enter
	wait_for -r "$UI_FOOTER_ASK"
	send 2
	wait_for "you: FALSE"
	expect_screen_has -r "$(ui_irow NIC 'queued CPU0' 0 1 1)"
	expect_screen_has -r "$(ui_irow NIC 'queued CPU0' 0 1 1 CPU0)( +!)?  *│" ||
		fail "regression of UI-11 (fixed): at 80x24, lesson 03, Enter Enter Enter 2: the interrupt row reads 'NIC    DPC queued CPU0 run 0 T1 F1 lock CP!0': the FALSE flag '!' (x + w - 2) overwrites the lock owner"
}

start_120x40() {
	start_screen 120 40
	expect_screen_has -r "$(ui_irow NIC 'not queued' 0 0 0 free)"
	expect_screen_has -r '  \? help  q quit *$'
	expect_screen_has "Goal: See WdfInterruptQueueDpcForIsr return FALSE"
}

ui_test start_80x24 "lesson 03 at 80x24: title, CPU0/CPU1 panes, story, log, footer"
ui_test start_80x24_false_flag "lesson 03 at 80x24: the FALSE flag leaves the lock owner readable"
ui_test start_120x40 "lesson 03 at 120x40: title, CPU0/CPU1 panes, story, log, footer"
