# t_replay.sh - shared runs: --replay SCHEDULE LESSON opens the lesson with
# the run loaded at step 0 (Space and f play it, another step branches);
# a schedule that does not fit is refused before the screen opens, with
# the reason; x loads the explorer's counterexample; p prints the run's
# seed and schedule; -v prints them when the tutor quits.

REPLAY_03='v1 cpus=2 seed=0: e(NIC)@0 0*3 e(NIC)@0 0*15'

replay_opens_loaded() {
	start replay "$UI_ROOT/tests/lessons/frozen/03-queued-once.lua" --replay "$REPLAY_03"
	wait_for "dpctutor: Queued once until it runs"
	wait_for -r '^the shared run is loaded at step 0: Space or f plays it'
	expect_screen_has -r 'step 0/20 +running'
	expect_screen_has "─ free play ─"
	send Space
	wait_for -r 'step 1/20 +running'
	send f
	wait_for -r 'step 2/20 +running'
	send j 2 0 Enter
	wait_for -r 'step 20/20 +quiescent'
	expect_screen_has "values: handled=2 pending=0"
	# back to step 2, where the run has CPU 0 step, and fire NIC there
	# instead: the recorded future is dropped
	send j 2 Enter
	wait_for -r 'step 2/20 '
	send e 1 0
	wait_for -r 'step 3/3 '
	expect_screen_has 'NIC: device event "NIC" to CPU0'
}

# replay_refused WANT ARGS...: dpctutor ARGS from a shell exits 2 with WANT
# on stderr, and the terminal never switched screens.
replay_refused() {
	local want=$1
	shift
	start_shell replay
	send_text "\"$UI_TUTOR\" $*; echo \"exit\"\"code=\$?\""
	send Enter
	wait_for -r '^exitcode=[0-9]+'
	expect_screen_has -r '^exitcode=2$'
	expect_screen_has -r "$want"
	expect_screen_lacks "Queued once until it runs"
}

replay_bad_position() {
	replay_refused 'refused: column 19: choice not enabled at step 1: CPU 1 cannot step' \
		--replay "'v1 cpus=2 seed=0: 1'" "\"$UI_ROOT/tests/lessons/frozen/03-queued-once.lua\""
}

replay_changed_lesson() {
	replay_refused 'refused: the schedule was recorded for lesson version 00000001, this is' \
		--replay "'v1 lesson=queued-once@00000001 cpus=2 seed=0: e(NIC)@0'" \
		"\"$UI_ROOT/tests/lessons/frozen/03-queued-once.lua\""
	expect_screen_has 'the lesson file changed since the schedule was printed'
}

replay_explorer_key() {
	start replay "$UI_ROOT/tests/lessons/frozen/06-two-dpcs.lua" --variant "no lock"
	wait_for "dpctutor: Two DPCs at once"
	send x
	wait_for -r "^exploring every schedule within the lesson's bounds|^the explorer's counterexample is loaded"
	wait_for -r "^the explorer's counterexample is loaded at step 0"
	expect_screen_has -r 'step 0/40 +running'
	expect_screen_has -r "How it breaks: [0-9]+ of [0-9]+ runs break the"
	expect_screen_has "The counterexample: v1"
	expect_screen_has -r "lesson=two-dpcs@[0-9a-f]{8} cpus=2 seed=0:"
	send j 4 0 Enter
	wait_for -r 'step 40/40 +quiescent'
	expect_screen_has "fired=2"
	expect_screen_has "total=1"
}

replay_explorer_key_no_break() {
	start replay "$UI_ROOT/tests/lessons/frozen/06-two-dpcs.lua" --variant "interrupt lock"
	wait_for "dpctutor: Two DPCs at once"
	send x
	wait_for -r '^no run within .* breaks the invariant'
	expect_screen_has -r 'step 0/0 +running'
}

replay_print_key() {
	start replay "$UI_ROOT/tests/lessons/frozen/03-queued-once.lua" --replay "$REPLAY_03"
	wait_for -r '^the shared run is loaded at step 0'
	send p
	wait_for -r '^seed 0, 20 choices: the command that replays this run is in the story'
	expect_screen_has "Share this run: dpctutor --replay 'v1"
	expect_screen_has -r "lesson=queued-once@[0-9a-f]{8} cpus=2 seed=0:"
}

replay_verbose_exit() {
	start_shell replay
	send_text "\"$UI_TUTOR\" -v --replay '$REPLAY_03' \"$UI_ROOT/tests/lessons/frozen/03-queued-once.lua\""
	send Enter
	wait_for -r '^the shared run is loaded at step 0'
	send q
	wait_for -r '^seed 0; this run replays with:'
	expect_screen_has -r "^  dpctutor --replay 'v1 lesson=queued-once@[0-9a-f]{8} cpus=2 seed=0: e\(NIC\)@0 0\*3 e\(NIC\)@0 0\*15'"
}

ui_test replay_opens_loaded "--replay opens the run at step 0; Space/f play it; another step branches"
ui_test replay_bad_position "--replay refuses a choice that does not fit, with column and step"
ui_test replay_changed_lesson "--replay refuses a schedule for another version of the lesson"
ui_test replay_explorer_key "x loads the explorer's counterexample at step 0"
ui_test replay_explorer_key_no_break "x says so when no run breaks the invariant"
ui_test replay_print_key "p prints the seed and the command that replays the run"
ui_test replay_verbose_exit "-v prints the run's seed and schedule on exit"
