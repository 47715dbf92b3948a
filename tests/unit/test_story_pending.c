/*
 * test_story_pending.c - value() and outcome() predictions wait for the
 * story's next stop (run_until, run_to_end); when several wait at once,
 * each is judged against the student's own answer to it, and the reveal
 * counts every one of them (the UI's score adds them all).
 *
 * Found while writing lesson 04: the runner kept one "answered" slot, so
 * a second waiting question overwrote the first one's answer.
 *
 * Also: a story closed in the middle of a steps() (the student quits, or
 * leaves the story) gives back the parsed choices; fuzz_ui's corpus found
 * the leak (drop_action set the mode to idle before story_finish looked
 * at it).  Under ASan and valgrind a leak fails the run.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "script_fx.h"
#include "story.h"
#include "testutil.h"

/* One CPU, one event; the DPC counts its runs and sets a flag. */
static const char two_waiting[] =
	"lesson { api = 1, id = \"pending\", title = \"Pending\", cpus = 1 }\n"
	"local dev = device { name = \"NIC\", irql = 5, affinity = { 0 } }\n"
	"local s = shared { runs = 0, done = false }\n"
	"local st, irq = WdfInterruptCreate(dev, {\n"
	"  EvtInterruptIsr = function(i) WdfInterruptQueueDpcForIsr(i) return true end,\n"
	"  EvtInterruptDpc = function(i) s.runs = s.runs + 1 s.done = true end,\n"
	"})\n"
	"story {\n"
	"  fire(dev, { cpu = 0 }),\n"
	"  ask { \"Runs?\", about = value(\"runs\"), choices = { \"0\", \"1\", \"2\" }, answer = \"1\" },\n"
	"  ask { \"Done?\", about = value(\"done\"), choices = { \"TRUE\", \"FALSE\" }, answer = \"TRUE\" },\n"
	"  run_to_end(),\n"
	"}\n";

/* Advance until the story asks; fail if it ends first. */
static void until_ask(struct story_run *sr)
{
	for (int i = 0; i < 1000; i++) {
		enum story_tick t = story_advance(sr);
		if (t == STORY_TICK_ASK)
			return;
		ck_assert_msg(t != STORY_TICK_DONE && t != STORY_TICK_FAILED,
			      "the story ended before its question");
	}
	ck_abort_msg("no question within 1000 ticks");
}

/* Answer the two waiting questions with choices a and b (0-based), run
 * to the end, and return the judged/right counts summed over the run. */
static void run_answering(int a, int b, unsigned *judged, unsigned *right, int *last_ok)
{
	struct sfx f;
	sfx_open(&f, two_waiting);
	struct story_io io = { 0 };
	struct story_run *sr = story_begin(f.rt, &io);
	ck_assert_ptr_nonnull(sr);
	until_ask(sr);
	story_answer(sr, a);
	until_ask(sr);
	story_answer(sr, b);
	*judged = *right = 0;
	*last_ok = -1;
	for (int i = 0; i < 10000; i++) {
		enum story_tick t = story_advance(sr);
		const struct story_reveal *rv = story_reveal(sr);
		if (rv) {
			*judged += rv->judged;
			*right += rv->judged_ok;
			if (rv->judged)
				*last_ok = rv->student_ok;
		}
		if (t == STORY_TICK_DONE || t == STORY_TICK_FAILED) {
			ck_assert_int_eq(t, STORY_TICK_DONE);
			break;
		}
	}
	story_finish(sr);
	sfx_close(&f);
}

START_TEST(test_two_waiting_predictions_judged_each)
{
	unsigned judged, right;
	int last_ok;
	/* Right then wrong: "1" runs (right), "FALSE" (wrong). */
	run_answering(1, 1, &judged, &right, &last_ok);
	ck_assert_uint_eq(judged, 2);
	ck_assert_uint_eq(right, 1);
	ck_assert_int_eq(last_ok, 0);
	/* Wrong then right: the old runner judged both with the second answer. */
	run_answering(2, 0, &judged, &right, &last_ok);
	ck_assert_uint_eq(judged, 2);
	ck_assert_uint_eq(right, 1);
	ck_assert_int_eq(last_ok, 1);
	/* Both right. */
	run_answering(1, 0, &judged, &right, &last_ok);
	ck_assert_uint_eq(judged, 2);
	ck_assert_uint_eq(right, 2);
}
END_TEST

static const char steps_story[] =
	"lesson { api = 1, id = \"steps\", title = \"Steps\", cpus = 1 }\n"
	"local dev = device { name = \"NIC\", irql = 5, affinity = { 0 } }\n"
	"local st, irq = WdfInterruptCreate(dev, {\n"
	"  EvtInterruptIsr = function(i) WdfInterruptQueueDpcForIsr(i) return true end,\n"
	"  EvtInterruptDpc = function(i) end,\n"
	"})\n"
	"story { fire(dev, { cpu = 0 }), steps(\"0*4\"), run_to_end() }\n";

START_TEST(test_finish_in_the_middle_of_steps)
{
	struct sfx f;
	sfx_open(&f, steps_story);
	struct story_io io = { 0 };
	struct story_run *sr = story_begin(f.rt, &io);
	ck_assert_ptr_nonnull(sr);
	/* Into the steps(): the fire, then the first of its four choices. */
	int steps = 0;
	for (int i = 0; i < 100 && steps < 2; i++) {
		enum story_tick t = story_advance(sr);
		ck_assert_int_ne(t, STORY_TICK_FAILED);
		ck_assert_int_ne(t, STORY_TICK_DONE);
		steps += t == STORY_TICK_STEP;
	}
	ck_assert_int_eq(steps, 2);
	ck_assert(story_is_running(sr));
	story_finish(sr); /* mid steps(): nothing may leak */
	sfx_close(&f);
}
END_TEST

Suite *story_pending_suite(void)
{
	Suite *s = suite_create("story_pending");
	TCase *tc = tcase_create("pending");
	tcase_add_test(tc, test_two_waiting_predictions_judged_each);
	tcase_add_test(tc, test_finish_in_the_middle_of_steps);
	suite_add_tcase(s, tc);
	return s;
}
