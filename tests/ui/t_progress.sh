# t_progress.sh - progress across runs of dpctutor: quitting mid-lesson
# and starting again resumes at the same step with the same values on
# screen; a finished lesson is still done two runs later; --reset-progress
# forgets it; a damaged progress file is set aside with a notice; an
# unwritable state directory keeps progress in memory; a lesson edited
# since it was left offers a restart and keeps its completion.  Each test
# has its own XDG_STATE_HOME ($UI_STATE, see lib.sh); the runs inside one
# test share it.

# The left half of the lesson screen (CPUs, objects, values) and the
# title: what must be the same after a resume.
progress_left_pane() {
	settle
	sed -n '1,12p' <<<"$UI_LAST" | cut -c1-44
}

progress_quit() {
	send q
	wait_exit
	[ "$UI_EXIT_STATUS" = 0 ] || fail "q exited $UI_EXIT_STATUS"
}

# From the start of lesson 03 (100x30), its story to the end, right answers.
progress_finish_03() {
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

progress_resume_same_step() {
	start -e DPCTUTOR_LESSONS="$UI_ROOT/tests/lessons/frozen" run1 "$UI_ROOT/tests/lessons/frozen/06-two-dpcs.lua"
	wait_for "dpctutor: Two DPCs at once"
	press_until Space "step 7/7" 12
	local before
	before=$(progress_left_pane)
	progress_quit
	[ -s "$UI_STATE/dpctutor/progress" ] || fail "no progress file in $UI_STATE/dpctutor"
	start -e DPCTUTOR_LESSONS="$UI_ROOT/tests/lessons/frozen" run2 "$UI_ROOT/tests/lessons/frozen/06-two-dpcs.lua"
	wait_for "resumed where you left off (R starts over)"
	local after
	after=$(progress_left_pane)
	[ "$before" = "$after" ] || fail "the resumed screen differs; before:
$before
after:
$after"
	expect_screen_has -r 'step 7/7'
	# And the story goes on from there, not from the start.
	press Space
	expect_screen_has -r 'step [78]/[78]'
}

progress_resume_free_play() {
	start -e DPCTUTOR_LESSONS="$UI_ROOT/tests/lessons/frozen" run1 "$UI_ROOT/tests/lessons/frozen/06-two-dpcs.lua"
	wait_for "dpctutor: Two DPCs at once"
	send 0
	wait_for "leave the story and play freely? (y/n)"
	send y
	wait_for "─ free play ─"
	wait_for "CPU 0 cannot step: it is idle"
	# A device event for CPU 0, two steps by hand, one step back.
	send e
	wait_for "fire which event?"
	send 1
	wait_for "to which CPU?"
	send 0
	wait_for -r 'step 1/1'
	press 0
	press 0
	press Left
	expect_screen_has -r 'step 2/3'

	local before
	before=$(progress_left_pane)
	local steps
	steps=$(step_of)
	progress_quit
	start -e DPCTUTOR_LESSONS="$UI_ROOT/tests/lessons/frozen" run2 "$UI_ROOT/tests/lessons/frozen/06-two-dpcs.lua"
	wait_for "resumed where you left off"
	expect_screen_has -r "$UI_FOOTER_FREE"
	[ "$(step_of)" = "$steps" ] || fail "resumed at step $(step_of), not $steps"
	local after
	after=$(progress_left_pane)
	[ "$before" = "$after" ] || fail "the resumed screen differs; before:
$before
after:
$after"
}

progress_two_runs() {
	start -e DPCTUTOR_LESSONS="$UI_ROOT/tests/lessons/frozen" run1 "$UI_ROOT/tests/lessons/frozen/03-queued-once.lua"
	progress_finish_03
	progress_quit
	grep -q '^lesson queued-once gen=0 done=1 best=2/2 ' "$UI_STATE/dpctutor/progress" ||
		fail "the file does not record the completion: $(cat "$UI_STATE/dpctutor/progress")"
	local run
	for run in run2 run3; do
		start -e DPCTUTOR_LESSONS="$UI_ROOT/tests/lessons/frozen" "$run"
		wait_for " dpctutor: lessons"
		expect_screen_has "1 of 3 done"
		expect_screen_has -r '✓ 03  Queued once until it runs +done, best 2/2'
		progress_quit
	done
}

progress_reset_flag() {
	start -e DPCTUTOR_LESSONS="$UI_ROOT/tests/lessons/frozen" run1 "$UI_ROOT/tests/lessons/frozen/03-queued-once.lua"
	progress_finish_03
	progress_quit
	# No terminal needed: run it here and read what it prints.
	local out
	out=$(XDG_STATE_HOME=$UI_STATE "$UI_TUTOR" --reset-progress 2>&1) ||
		fail "--reset-progress exited $?: $out"
	[ "$out" = "progress reset: $UI_STATE/dpctutor/progress" ] ||
		fail "--reset-progress said: $out"
	grep -q '^lesson queued-once gen=1 done=0 ' "$UI_STATE/dpctutor/progress" ||
		fail "the file was not reset: $(cat "$UI_STATE/dpctutor/progress")"
	out=$(XDG_STATE_HOME=$UI_STATE "$UI_TUTOR" --reset-progress 3 2>&1) &&
		fail "--reset-progress with a LESSON should be a usage error: $out"
	start -e DPCTUTOR_LESSONS="$UI_ROOT/tests/lessons/frozen" run2
	wait_for " dpctutor: lessons"
	expect_screen_has "0 of 3 done"
	expect_screen_has -r '03  Queued once until it runs +new$'
}

progress_damaged_file() {
	mkdir -p "$UI_STATE/dpctutor"
	printf 'dpctutor-progress 1\nlesson queued-once gen=0 done=1 be' >"$UI_STATE/dpctutor/progress"
	start -e DPCTUTOR_LESSONS="$UI_ROOT/tests/lessons/frozen" run1
	wait_for "the progress file did not read back; it was set aside as"
	expect_screen_has "0 of 3 done"
	ls "$UI_STATE/dpctutor/" | grep -qE '^progress\.damaged-[0-9]{8}-[0-9]{6}$' ||
		fail "no progress.damaged-* file: $(ls "$UI_STATE/dpctutor/")"
	# The menu works, and saving starts a new file.
	send Down Enter
	wait_for "dpctutor: Queued once until it runs"
	press Space
	progress_quit
	grep -q '^lesson queued-once ' "$UI_STATE/dpctutor/progress" || fail "no new progress file"
}

progress_unwritable_dir() {
	printf 'not a directory\n' >"$UI_TEST_TMP/plain"
	start -e DPCTUTOR_LESSONS="$UI_ROOT/tests/lessons/frozen" -e XDG_STATE_HOME="$UI_TEST_TMP/plain" run1
	wait_for "progress is kept in memory only (Not a directory): cannot create $UI_TMP/"
	send Down Enter
	wait_for "dpctutor: Queued once until it runs"
	press_until Space "step 4/4" 8
	send m
	wait_for -r '03  Queued once until it runs +in progress, step 4$'
	progress_quit
}

progress_changed_lesson() {
	mkdir -p "$UI_TEST_TMP/lessons"
	cp "$UI_ROOT/tests/lessons/frozen"/0*.lua "$UI_TEST_TMP/lessons/"
	start -e DPCTUTOR_LESSONS="$UI_ROOT/tests/lessons/frozen" run1 --lessons "$UI_TEST_TMP/lessons" 3
	progress_finish_03
	press Space # a step of free play after the end: a place to come back to
	progress_quit
	printf -- '-- an edit after the student left\n' >>"$UI_TEST_TMP/lessons/03-queued-once.lua"
	start -e DPCTUTOR_LESSONS="$UI_ROOT/tests/lessons/frozen" run2 --lessons "$UI_TEST_TMP/lessons"
	wait_for " dpctutor: lessons"
	expect_screen_has -r '✓ 03  Queued once until it runs +lesson changed: restart \(done\)$'
	expect_screen_has "1 of 3 done"
	send Down Enter
	wait_for "the lesson changed since you left it: it starts over (its completion is kept)"
	expect_screen_has -r 'step 0/0'
	send m
	wait_for -r '✓ 03  Queued once until it runs +done, best 2/2$'
}

ui_test progress_resume_same_step "06: quit at step 7/7 mid-story, start again: 'resumed', the same CPUs, objects and values"
ui_test progress_resume_free_play "06: free play (0 y, e 1 0, 0 0 Left), quit, start again: the same step and screen, free play footer"
ui_test progress_two_runs "finish 03, quit: the file says done=1 best=2/2; two more runs show '1 of 3 done'"
ui_test progress_reset_flag "--reset-progress exits 0 naming the file; the next run shows 03 new, 0 of 3 done"
ui_test progress_damaged_file "a cut-off progress file: set aside as progress.damaged-*, a notice, a new file on save"
ui_test progress_unwritable_dir "XDG_STATE_HOME under a regular file: a notice, progress in memory (m still shows step 4)"
ui_test progress_changed_lesson "03 edited after it was left: 'lesson changed: restart (done)', Enter starts over at 0/0, done kept"
