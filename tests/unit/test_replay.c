/*
 * test_replay.c - sharing and replaying runs (tutor/replay.c,
 * tutor/ui_replay.c, explore_counterexample in tutor/explorer.c).
 *
 * The counterexample of lesson 06's "no lock" variant is a schedule that
 * loads into the UI and prints back to itself; the "interrupt lock"
 * variant has none.  A loaded schedule is refused, with its reason, when
 * a choice does not fit where it stands or when it names another lesson
 * or another version of the lesson file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explorer.h"
#include "export.h"
#include "replay.h"
#include "ui_fx.h"

static void quick_options(struct explore_options *o, const char *variant)
{
	memset(o, 0, sizeof(*o));
	o->reduce = 1;
	o->variant = variant;
}

START_TEST(test_counterexample_of_the_racy_variant)
{
	struct explore_options o;
	char *sched = NULL, why[200];
	quick_options(&o, "no lock");
	ck_assert_int_eq(explore_counterexample(L06, &o, &sched, why, sizeof(why)), 1);
	ck_assert_ptr_nonnull(sched);
	ck_assert_msg(strncmp(sched, "v1 lesson=two-dpcs@", 19) == 0, "header: %s", sched);
	ck_assert_msg(strstr(why, "preemption") != NULL, "why: %s", why);
	struct dt_schedule s;
	char err[200];
	ck_assert_msg(replay_parse(sched, &s, err, sizeof(err)) == 0, "%s", err);
	ck_assert(s.has_hash);
	dt_schedule_free(&s);
	free(sched);
}
END_TEST

START_TEST(test_no_counterexample_under_a_lock)
{
	struct explore_options o;
	char *sched = (char *)1, why[200];
	quick_options(&o, "interrupt lock");
	ck_assert_int_eq(explore_counterexample(L06, &o, &sched, why, sizeof(why)), 0);
	ck_assert_ptr_null(sched);
	ck_assert_msg(strstr(why, "no run within") != NULL, "why: %s", why);
}
END_TEST

START_TEST(test_no_invariant_no_counterexample)
{
	struct explore_options o;
	char *sched = NULL, why[200];
	quick_options(&o, NULL);
	ck_assert_int_eq(explore_counterexample(L03, &o, &sched, why, sizeof(why)), 0);
	ck_assert_msg(strstr(why, "no for-all challenge") != NULL, "why: %s", why);
}
END_TEST

START_TEST(test_counterexample_of_a_missing_file)
{
	struct explore_options o;
	char *sched = NULL, why[200] = "";
	quick_options(&o, NULL);
	ck_assert_int_eq(explore_counterexample("/nonexistent/x.lua", &o, &sched, why,
						sizeof(why)), -1);
	ck_assert_ptr_null(sched);
	ck_assert(why[0] != '\0');
}
END_TEST

START_TEST(test_ui_loads_the_counterexample)
{
	struct explore_options o;
	char *sched = NULL, why[200], err[200];
	struct scr s;
	quick_options(&o, "no lock");
	ck_assert_int_eq(explore_counterexample(L06, &o, &sched, why, sizeof(why)), 1);
	scr_open(&s, L06, 0, 100, 30);
	s.u.opt.variant = "no lock";
	ck_assert_msg(ui_load_schedule(&s.u, sched, err, sizeof(err)) == 0, "%s", err);
	struct dt_session *ss = rt_session(s.u.rt);
	ck_assert_uint_eq(dt_session_cursor(ss), 0);
	ck_assert_uint_gt(dt_session_head(ss), 0);
	ck_assert_int_eq(s.u.story_mode, 0);
	/* the log prints back to the schedule it was loaded from */
	char *again = replay_schedule_text(s.u.rt);
	ck_assert_str_eq(again, sched);
	free(again);
	free(sched);
	scr_close(&s);
}
END_TEST

START_TEST(test_ui_refuses_a_bad_position)
{
	char err[200];
	struct scr s;
	scr_open(&s, L03, 0, 100, 30);
	const char *l = rt_lesson(s.u.rt)->id;
	char sched[200];
	/* CPU 1 has nothing to run at step 1 */
	snprintf(sched, sizeof(sched), "v1 lesson=%s cpus=2 seed=%llu: 1", l,
		 (unsigned long long)dt_machine_state(rt_machine(s.u.rt))->seed);
	ck_assert_int_eq(ui_load_schedule(&s.u, sched, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "column") && strstr(err, "step 1"), "err: %s", err);
	ck_assert_uint_eq(dt_session_head(rt_session(s.u.rt)), 0);
	scr_close(&s);
}
END_TEST

START_TEST(test_ui_refuses_a_changed_lesson)
{
	char err[200];
	struct scr s;
	scr_open(&s, L03, 0, 100, 30);
	const struct rt_lesson *l = rt_lesson(s.u.rt);
	char sched[200];
	snprintf(sched, sizeof(sched), "v1 lesson=%s@%08x cpus=2 seed=%llu: e(NIC)@0", l->id,
		 (unsigned)(l->hash ^ 1u),
		 (unsigned long long)dt_machine_state(rt_machine(s.u.rt))->seed);
	ck_assert_int_eq(ui_load_schedule(&s.u, sched, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "lesson version") && strstr(err, "changed"), "err: %s", err);
	/* and another lesson's schedule */
	ck_assert_int_eq(ui_load_schedule(&s.u, "v1 lesson=two-dpcs cpus=2: 0", err,
					  sizeof(err)), -1);
	ck_assert_msg(strstr(err, "for lesson two-dpcs"), "err: %s", err);
	scr_close(&s);
}
END_TEST

/* Run the story of `path` headless; the run's schedule text (malloc'd). */
static struct rt *story_rt(const char *path, const char *variant)
{
	struct rt_options opt;
	struct rt *rt;
	char *err = NULL;
	rt_options_default(&opt);
	opt.variant = variant;
	if (rt_open(path, &opt, &rt, &err))
		ck_abort_msg("rt_open %s: %s", path, err ? err : "?");
	struct story_io io = { NULL, NULL, 0, NULL };
	struct story_result res;
	ck_assert_int_eq(story_run(rt, &io, &res), 0);
	return rt;
}

/* Two runs' traces, event by event, and their JSON exports. */
static void same_trace(struct rt *a, struct rt *b)
{
	size_t na = dt_machine_trace_count(rt_machine(a));
	size_t nb = dt_machine_trace_count(rt_machine(b));
	const struct dt_trace_event *ta = dt_machine_trace(rt_machine(a));
	const struct dt_trace_event *tb = dt_machine_trace(rt_machine(b));
	ck_assert_uint_gt(na, 0);
	ck_assert_uint_eq(na, nb);
	for (size_t i = 0; i < na; i++)
		ck_assert_msg(memcmp(&ta[i], &tb[i], sizeof(ta[i])) == 0,
			      "trace event %zu differs: %s at step %u vs %s at step %u", i,
			      dt_event_kind_name(ta[i].kind), ta[i].step,
			      dt_event_kind_name(tb[i].kind), tb[i].step);
	char *ja = NULL, *jb = NULL;
	size_t la, lb;
	FILE *fa = open_memstream(&ja, &la), *fb = open_memstream(&jb, &lb);
	struct export_about about = { "no lock", "replay" };
	ck_assert_int_eq(export_trace_json(a, &about, fa), 0);
	ck_assert_int_eq(export_trace_json(b, &about, fb), 0);
	fclose(fa);
	fclose(fb);
	ck_assert_str_eq(ja, jb);
	free(ja);
	free(jb);
}

START_TEST(test_replay_reproduces_the_trace)
{
	struct rt *story = story_rt(L06, "no lock"), *again;
	char *sched = replay_schedule_text(story), err[200];
	struct rt_options opt;
	rt_options_default(&opt);
	opt.variant = "no lock";
	ck_assert_msg(replay_open(L06, &opt, sched, &again, err, sizeof(err)) == 0, "%s", err);
	same_trace(story, again);
	char *sched2 = replay_schedule_text(again);
	ck_assert_str_eq(sched, sched2);
	free(sched2);
	rt_close(again);
	/* and through the UI: the loaded run, played to its end with f */
	struct scr s;
	scr_open(&s, L06, 0, 100, 30);
	s.u.opt.variant = "no lock";
	ck_assert_msg(ui_load_schedule(&s.u, sched, err, sizeof(err)) == 0, "%s", err);
	size_t head = dt_session_head(rt_session(s.u.rt));
	for (size_t i = 0; i < head; i++)
		scr_key(&s, 'f');
	ck_assert_uint_eq(dt_session_cursor(rt_session(s.u.rt)), head);
	same_trace(story, s.u.rt);
	scr_close(&s);
	free(sched);
	rt_close(story);
}
END_TEST

START_TEST(test_a_different_step_branches_off_a_loaded_run)
{
	char err[200];
	struct scr s;
	scr_open(&s, L03, 0, 100, 30);
	const char *sched = "v1 cpus=2 seed=0: e(NIC)@0 0*3 e(NIC)@0 0*15";
	ck_assert_msg(ui_load_schedule(&s.u, sched, err, sizeof(err)) == 0, "%s", err);
	struct dt_session *ss = rt_session(s.u.rt);
	ck_assert_uint_eq(dt_session_head(ss), 20);
	scr_keys(&s, "ff"); /* the recorded e(NIC)@0 and CPU 0's first step */
	ck_assert_uint_eq(dt_session_cursor(ss), 2);
	ck_assert_uint_eq(dt_session_head(ss), 20);
	scr_key(&s, '1'); /* CPU 1 is idle: refused, nothing changes */
	ck_assert_uint_eq(dt_session_head(ss), 20);
	scr_key(&s, 'e'); /* fire NIC on CPU 0 now, where the log has a CPU 0 step */
	scr_keys(&s, "10");
	ck_assert_msg(dt_session_head(ss) == 3, "head %zu after the branch (status: %s)",
		      dt_session_head(ss), s.u.status);
	ck_assert_uint_eq(dt_session_choice(ss, 2)->kind, DT_CHOICE_EVENT);
	scr_close(&s);
}
END_TEST

/* p's command line: the schedule, the variant and the file, each quoted
 * for a shell; p puts it in the story pane and the seed in the status. */
START_TEST(test_share_command_quotes)
{
	char err[200];
	struct scr s;
	scr_open(&s, L06, 0, 100, 30);
	snprintf(s.u.lesson_path, sizeof(s.u.lesson_path), "%s", L06);
	s.u.opt.variant = "no lock";
	ck_assert_msg(ui_load_schedule(&s.u, "v1 cpus=2 seed=0: e(nic)@0 0*4", err,
				       sizeof(err)) == 0, "%s", err);
	char *cmd = ui_share_command(&s.u), want[300];
	snprintf(want, sizeof(want), "dpctutor --replay 'v1 lesson=two-dpcs@%08x cpus=2 seed=0: "
		 "e(nic)@0 0*4' --variant 'no lock' '%s'", (unsigned)rt_lesson(s.u.rt)->hash, L06);
	ck_assert_str_eq(cmd, want);
	free(cmd);
	s.u.opt.variant = "it's";
	cmd = ui_share_command(&s.u);
	ck_assert_msg(strstr(cmd, " --variant 'it'\\''s' ") != NULL, "%s", cmd);
	free(cmd);
	scr_key(&s, 'p');
	ck_assert_msg(strncmp(s.u.status, "seed 0, 5 choices", 17) == 0, "%s", s.u.status);
	ck_assert_msg(strncmp(s.u.story_lines[s.u.nstory - 1], "Share this run: dpctutor --replay",
			      33) == 0, "%s", s.u.story_lines[s.u.nstory - 1]);
	scr_close(&s);
}
END_TEST

Suite *replay_suite(void)
{
	Suite *s = suite_create("replay");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_counterexample_of_the_racy_variant);
	tcase_add_test(tc, test_no_counterexample_under_a_lock);
	tcase_add_test(tc, test_no_invariant_no_counterexample);
	tcase_add_test(tc, test_counterexample_of_a_missing_file);
	tcase_add_test(tc, test_ui_loads_the_counterexample);
	tcase_add_test(tc, test_ui_refuses_a_bad_position);
	tcase_add_test(tc, test_ui_refuses_a_changed_lesson);
	tcase_add_test(tc, test_replay_reproduces_the_trace);
	tcase_add_test(tc, test_a_different_step_branches_off_a_loaded_run);
	tcase_add_test(tc, test_share_command_quotes);
	suite_add_tcase(s, tc);
	return s;
}
