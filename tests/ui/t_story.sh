# t_story.sh - Enter follows lesson 03's story: its two questions, the
# answers with their rule, and the expectations at the end.

story_answers() {
	start story "$UI_LESSONS/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	send Enter
	wait_for "Two device events reach CPU 0 before its"
	# On to the first question (Enter does nothing while a question waits).
	send Enter Enter
	wait_for "? What does WdfInterruptQueueDpcForIsr"
	expect_screen_has "return this time?  [1] TRUE [2] FALSE"
	expect_screen_has -r "$UI_FOOTER_ASK"
	expect_screen_has -r 'step 6/6 +running'
	expect_screen_has 'device event "NIC" to CPU0'
	# Space while a question waits asks for the answer.
	send Space
	wait_for "answer first: press 1-2"
	send 2
	wait_for "you: FALSE"
	expect_screen_has "answer: FALSE - The DPC is still queued on"
	expect_screen_has "CPU 0, not yet dequeued (R11)."
	expect_screen_has -r '^right: the engine did FALSE'
	expect_screen_has -r 'step 13/13 +running'
	expect_screen_has "FALSE: the NIC DPC"
	expect_screen_has "values: handled=0 pending=2"
	expect_screen_has -r "$UI_FOOTER_STORY"
	# The second question.
	send Enter
	wait_for "FALSE is not an error: the earlier queuing"
	send Enter
	wait_for "? How many events will the DPC handle?"
	expect_screen_has "[1] 0 [2] 1 [3] 2"
	send 3
	wait_for "you: 2"
	wait_for "answer: 2 - The second queuing added no"
	expect_screen_has "work in its one run: the driver's design,"
	expect_screen_has -r '^right: the engine did 2'
	expect_screen_has -r 'step 24/24 +quiescent'
	expect_screen_has "values: handled=2 pending=0"
	# The expectations, then the end of the story (each narration line and
	# the closing mark are pauses of their own).
	send Enter
	wait_for "ok: both events handled"
	send Enter
	wait_for "ok: nothing left behind"
	send Enter
	wait_for "-- One DPC run, two events"
	send Enter Enter
	wait_for "the story is over: play freely, R restarts, q quits"
	expect_screen_has "ok: nothing left behind"
	expect_screen_has "event in one slot would lose the first."
	expect_screen_has "─ free play ─"
	expect_screen_has -r "$UI_FOOTER_FREE"
	expect_screen_lacks "NOT TRUE"
}

story_wrong_answer() {
	start story "$UI_LESSONS/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	send Enter
	wait_for "Two device events reach CPU 0 before its"
	send Enter Enter Enter
	wait_for "? What does WdfInterruptQueueDpcForIsr"
	send 1
	wait_for "you: TRUE"
	expect_screen_has "answer: FALSE - The DPC is still queued on"
	expect_screen_has -r '^not quite: the engine did FALSE'
	# A key that is no choice (there are two) is ignored.
	send Enter Enter
	wait_for "? How many events will the DPC handle?"
	send 9
	settle
	expect_screen_lacks -r 'you: [^T]'
	expect_screen_has -r "$UI_FOOTER_ASK"
}

# Enter is documented as "follow the story to its next pause" (help,
# ui_lesson.c).  The story's next pause after its first line is the line
# "The first ISR has queued the DPC".  (UI-3: the UI used to stop earlier,
# at step 1/1, showing nothing new: story_next took the silent start of a
# run_until/run_to_end, STORY_TICK_LINE from take_item, for a pause.)
story_enter_to_pause() {
	start story "$UI_LESSONS/03-queued-once.lua"
	wait_for "dpctutor: Queued once until it runs"
	send Enter
	wait_for "Two device events reach CPU 0 before its"
	send Enter
	wait_for "The first ISR has queued the DPC"
	expect_screen_has -r 'step 5/5 +running'
	# Answering the second question runs on to its reveal at the end.
	send Enter
	wait_for "? What does WdfInterruptQueueDpcForIsr"
	send 2
	wait_for "you: FALSE"
	send Enter Enter
	wait_for "? How many events will the DPC handle?"
	send 3
	wait_for "you: 2"
	wait_for "answer: 2 - The second queuing added no"
	expect_screen_has -r 'step 24/24 +quiescent'
}

ui_test story_answers "lesson 03: Enter to the first question, 2 -> 'you: FALSE', R11 and 'right', on to 'both events handled'"
ui_test story_wrong_answer "lesson 03: a wrong answer says 'not quite'; a key that is no choice is ignored"
ui_test story_enter_to_pause "lesson 03: one Enter runs to the next pause"
