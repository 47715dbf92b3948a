/*
 * test_ui_screens.c - the tutor's screens rendered into the cell grid and
 * compared with golden text files.
 *
 * No terminal is involved: a test builds a struct ui by hand (the way
 * ui_app.c's open_lesson does: rt_open, story_begin with a story io that
 * appends lines with ui_story_line, the lesson's goal as the first story
 * line), gives it a W x H grid, drives it to a fixed point with the
 * lesson screen's own key handler (Space, Enter, 1-9, b: ui_lesson_key,
 * which calls story_advance, story_answer and dt_session_back) or by
 * setting the state directly (u.screen, u.log_sel), draws the screen the
 * way ui_app.c's draw() picks it, and compares ui_grid_text with
 * tests/golden/ui/NAME.txt byte for byte.  ui_term_* is never called.
 *
 * Golden files: one per screen and size, named after the lesson, the
 * fixed point and the size (lesson03_ask_80x24.txt).  Every row of the
 * grid with its trailing blanks trimmed, each followed by '\n': exactly H
 * lines of at most W columns (checked for every golden, in both modes).
 *
 * Regenerating them: after an intended change to a screen, run
 *
 *	DT_UPDATE_GOLDENS=1 make check-unit SUITE=ui_screens
 *
 * which writes the files instead of comparing them, then READ every
 * changed file (git diff tests/golden/ui) before committing it: a golden
 * must show what the screen should show, not freeze a bug.  The why? card
 * and the blue screen are first checked for being readable whole (every
 * sentence they exist to show, wrapped or not, never cut at an edge);
 * a screen that fails that is neither compared nor written.  Two goldens
 * were written by hand for that reason, with the cut lines wrapped the way
 * the blue screen already wraps "What happened" (ui_wrap at the same
 * indent): why_queue_false_80x24.txt and bugcheck_nil_handle_80x24.txt.
 * test_golden_files_shape checks every file in the directory, used or not.
 *
 * The lesson screen as the CPU count and the terminal grow is
 * test_ui_scale.c's; both share the fixture in ui_fx.c.  test_values_*
 * checks that every shared value is on the screen.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "golden_fx.h"
#include "narrate.h"
#include "testutil.h"
#include "ui_fx.h"

/* An ISR that passes a nil handle to WdfInterruptQueueDpcForIsr: bug
 * check 0x10D WDF_VIOLATION, P1 = 0x5 (invalid handle), P2 = 0 (the
 * handle), P3 = 0x1027 (the handle's expected type, WDFINTERRUPT). */
static const char nil_lesson[] =
	"lesson { api = 1, id = \"nil-handle\", title = \"A nil handle\", cpus = 1 }\n"
	"local dev = device { name = \"nic\", irql = 5, affinity = { 0 } }\n"
	"local status, irq = WdfInterruptCreate(dev, {\n"
	"  EvtInterruptIsr = function(interrupt, message_id)\n"
	"    WRITE_REGISTER_ULONG(dev, \"INTSTATUS\", 1)\n"
	"    WdfInterruptQueueDpcForIsr(nil)\n"
	"    return true\n"
	"  end,\n"
	"  EvtInterruptDpc = function(interrupt, device) end,\n"
	"})\n"
	"assert(status == STATUS_SUCCESS)\n"
	"story { \"The ISR passes a nil handle.\", fire(dev, { cpu = 0 }), run_to_end() }\n";


/* ---- lesson 03: the lesson screen at its fixed points ------------------------ */

/* 03 at its start, after three pieces of the story, at its first question,
 * after the answer, and one step back; at 80x24 or 160x48. */
static void lesson03_sequence(int w, int h)
{
	struct scr s;
	char name[64];
	scr_open(&s, L03, 0, w, h);

	snprintf(name, sizeof(name), "lesson03_start_%dx%d", w, h);
	golden(&s, name);

	/* Three story_advance calls from the first Space: the narration, the
	 * device event (its run begins silently, so the same key goes on),
	 * the first step of the run. */
	scr_keys(&s, "   ");
	ck_assert_int_eq(s.u.asking, 0);
	snprintf(name, sizeof(name), "lesson03_space3_%dx%d", w, h);
	golden(&s, name);

	until_asking(&s, 40);
	snprintf(name, sizeof(name), "lesson03_ask_%dx%d", w, h);
	golden(&s, name);

	/* 2 = FALSE, the engine's answer: the story runs to the reveal. */
	scr_key(&s, '2');
	ck_assert_int_eq(s.u.asking, 0);
	ck_assert_uint_eq(s.u.asked, 1);
	ck_assert_uint_eq(s.u.score, 1);
	snprintf(name, sizeof(name), "lesson03_reveal_%dx%d", w, h);
	golden(&s, name);

	/* b: the view goes one step back; the recorded head stays. */
	size_t head = dt_session_head(rt_session(s.u.rt));
	scr_key(&s, 'b');
	ck_assert_uint_eq(dt_session_cursor(rt_session(s.u.rt)), head - 1);
	snprintf(name, sizeof(name), "lesson03_back_%dx%d", w, h);
	golden(&s, name);

	scr_close(&s);
}

START_TEST(test_lesson03_80x24)
{
	lesson03_sequence(80, 24);
}
END_TEST

START_TEST(test_lesson03_160x48)
{
	lesson03_sequence(160, 48);
}
END_TEST

/* ---- lesson 06: two DPCs at once ------------------------------------------ */

static void lesson06_sequence(int w, int h)
{
	struct scr s;
	char name[64];
	scr_open(&s, L06, 0, w, h);
	until_asking(&s, 80);
	snprintf(name, sizeof(name), "lesson06_ask1_%dx%d", w, h);
	golden(&s, name);
	/* 1 = TRUE: CPU 1's ISR queues the DPC again (CPU 0 dequeued it at
	 * step 9).  The story's round-robin lets CPU 0's instance return at
	 * step 20, before CPU 1's starts at step 23, so these screens show one
	 * instance at a time; lesson06_free shows two at once. */
	scr_key(&s, '1');
	ck_assert_uint_eq(s.u.score, 1);
	snprintf(name, sizeof(name), "lesson06_reveal1_%dx%d", w, h);
	golden(&s, name);
	until_asking(&s, 80);
	/* 2 = CPU 1. */
	scr_key(&s, '2');
	ck_assert_uint_eq(s.u.asked, 2);
	ck_assert_uint_eq(s.u.score, 2);
	snprintf(name, sizeof(name), "lesson06_reveal2_%dx%d", w, h);
	golden(&s, name);
	scr_close(&s);
}

/* The kind of CPU cpu's top frame in the viewed step, -1 for none. */
static int top_kind(struct scr *s, unsigned cpu)
{
	const struct dt_cpu *c = &dt_session_view(rt_session(s->u.rt))->cpus[cpu];
	return c->nframes ? (int)c->frames[c->nframes - 1].kind : -1;
}

/* Step CPU cpu (free play, its digit key) until it enters a DPC. */
static void until_dpc(struct scr *s, unsigned cpu)
{
	for (int i = 0; i < 40 && top_kind(s, cpu) != DT_FRAME_DPC; i++)
		scr_key(s, '0' + (int)cpu);
	ck_assert_int_eq(top_kind(s, cpu), DT_FRAME_DPC);
}

/*
 * Free play, the student as the scheduler: the NIC's event to CPU 0, CPU 0
 * into its DPC, the NIC's event to CPU 1, CPU 1 into the same DPC while
 * CPU 0's instance still runs: two instances at once (R14).
 */
static void lesson06_free(int w, int h)
{
	struct scr s;
	char name[64];
	scr_open(&s, L06, 0, w, h);
	scr_keys(&s, "ey10"); /* e, leave the story? y, event 1 (nic), CPU 0 */
	ck_assert_int_eq(s.u.story_mode, 0);
	until_dpc(&s, 0);
	scr_keys(&s, "e11"); /* e, event 1, CPU 1 */
	until_dpc(&s, 1);
	ck_assert_int_eq(top_kind(&s, 0), DT_FRAME_DPC);
	snprintf(name, sizeof(name), "lesson06_free_two_dpcs_%dx%d", w, h);
	golden(&s, name);
	scr_close(&s);
}

START_TEST(test_lesson06_80x24)
{
	lesson06_sequence(80, 24);
}
END_TEST

START_TEST(test_lesson06_160x48)
{
	lesson06_sequence(160, 48);
}
END_TEST

START_TEST(test_lesson06_free_80x24)
{
	lesson06_free(80, 24);
}
END_TEST

START_TEST(test_lesson06_free_160x48)
{
	lesson06_free(160, 48);
}
END_TEST

/* ---- help, why?, bug check, too small --------------------------------------- */

static void help_at(int w, int h)
{
	struct scr s;
	char name[64];
	scr_open(&s, L03, 0, w, h);
	scr_key(&s, '?');
	ck_assert_int_eq(s.u.screen, UI_HELP);
	snprintf(name, sizeof(name), "help_%dx%d", w, h);
	golden(&s, name);
	scr_key(&s, 'x'); /* any key goes back */
	ck_assert_int_eq(s.u.screen, UI_LESSON);
	scr_close(&s);
}

START_TEST(test_help_80x24)
{
	help_at(80, 24);
}
END_TEST

START_TEST(test_help_160x48)
{
	help_at(160, 48);
}
END_TEST

/* The index of the trace's last event of `kind`, which must exist. */
static long trace_last(struct scr *s, unsigned kind)
{
	size_t n;
	const struct dt_trace_event *t = dt_session_trace(rt_session(s->u.rt), &n);
	for (size_t i = n; i-- > 0;)
		if (t[i].kind == kind)
			return (long)i;
	ck_abort_msg("no trace event of kind %u", kind);
	return -1;
}

/* why? on lesson 03's second queue call (the one that returned FALSE). */
static void why_at(int w, int h)
{
	struct scr s;
	char name[64];
	scr_open(&s, L03, 0, w, h);
	until_asking(&s, 40);
	scr_key(&s, '2');
	s.u.log_sel = trace_last(&s, DT_EV_QUEUE_DPC);
	size_t n;
	const struct dt_trace_event *t = dt_session_trace(rt_session(s.u.rt), &n);
	ck_assert_int_eq(t[s.u.log_sel].result, 0); /* the FALSE one */
	s.u.screen = UI_WHY;
	/* The card's point: the selected line's sentence and its cause's, whole. */
	char line[512];
	narrate_event(rt_machine(s.u.rt), &t[s.u.log_sel], line, sizeof(line));
	char head[600];
	snprintf(head, sizeof(head), "step %u: %s", t[s.u.log_sel].step, line);
	readable(&s, "the selected log line", head);
	readable(&s, "the cause", "Because of step 5:");
	for (size_t i = 0; i < n; i++)
		if (t[i].kind == DT_EV_QUEUE_DPC) { /* step 5, the TRUE one */
			ck_assert_uint_eq(t[i].step, 5);
			narrate_event(rt_machine(s.u.rt), &t[i], line, sizeof(line));
			readable(&s, "the cause's log line", line);
			break;
		}
	readable(&s, "the rule card", "R11 [S] FALSE means already queued");
	all_readable(&s, "why? card");
	snprintf(name, sizeof(name), "why_queue_false_%dx%d", w, h);
	golden(&s, name);
	scr_close(&s);
}

START_TEST(test_why_80x24)
{
	why_at(80, 24);
}
END_TEST

START_TEST(test_why_160x48)
{
	why_at(160, 48);
}
END_TEST

static void bugcheck_at(int w, int h)
{
	struct scr s;
	char name[64];
	scr_open_src(&s, nil_lesson, w, h);
	scr_key(&s, 'g');
	ck_assert_int_eq(s.u.screen, UI_BUGCHECK);
	ck_assert_int_eq(dt_session_view(rt_session(s.u.rt))->outcome.kind, DT_BUGCHECK);
	/* The blue screen's facts, each readable whole. */
	readable(&s, "the stop", "Your simulated PC ran into a problem: bug check 0x10D");
	readable(&s, "the stop code", "Stop code: WDF_VIOLATION");
	readable(&s, "the parameters", "Parameters: 0x5 0x0 0x1027 0x");
	readable(&s, "the CPU and step", "On CPU 0 at step 4");
	readable(&s, "what happened",
		 "What happened: CPU0: bug check 0x10D WDF_VIOLATION: P1 = 0x5, an invalid "
		 "handle (0x0) where a WDFINTERRUPT was required (R30)");
	readable(&s, "the rule", "Rule R30, Bad handle is 0x10D:");
	readable(&s, "the switches",
		 "Switches: KMDF verifier off, debugger none, Driver Verifier IRQL checking "
		 "off, KMDF");
	readable(&s, "the keys", "b: back to the step before it R: restart q: quit");
	/* A cut blue screen is not compared (nor written: no golden of it). */
	snprintf(name, sizeof(name), "bugcheck_nil_handle_%dx%d", w, h);
	if (!s.unreadable[0])
		golden(&s, name);
	/* b: the lesson screen at the step before. */
	scr_key(&s, 'b');
	ck_assert_int_eq(s.u.screen, UI_LESSON);
	ck_assert_uint_eq(dt_session_cursor(rt_session(s.u.rt)), 3);
	snprintf(name, sizeof(name), "bugcheck_nil_handle_back_%dx%d", w, h);
	golden(&s, name);
	all_readable(&s, "blue screen");
	scr_close(&s);
}

START_TEST(test_bugcheck_80x24)
{
	bugcheck_at(80, 24);
}
END_TEST

START_TEST(test_bugcheck_160x48)
{
	bugcheck_at(160, 48);
}
END_TEST

START_TEST(test_small_79x24)
{
	struct scr s;
	scr_open(&s, L03, 0, 79, 24);
	golden(&s, "small_79x24");
	scr_close(&s);
}
END_TEST

/*
 * Every file in tests/golden/ui, used by a test or not, is named
 * NAME_WxH.txt and holds exactly H lines of at most W columns.
 */
START_TEST(test_golden_files_shape)
{
	DIR *d = opendir(GOLDEN_DIR);
	ck_assert_msg(d != NULL, "cannot open %s (run from the repository root)", GOLDEN_DIR);
	unsigned files = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		const char *name = de->d_name;
		size_t len = strlen(name);
		if (name[0] == '.')
			continue;
		ck_assert_msg(len > 4 && strcmp(name + len - 4, ".txt") == 0,
			      "%s/%s is not a .txt golden", GOLDEN_DIR, name);
		const char *us = strrchr(name, '_');
		int w = 0, h = 0;
		char tail[8] = "";
		ck_assert_msg(us && sscanf(us, "_%dx%d%7s", &w, &h, tail) == 3 &&
				      strcmp(tail, ".txt") == 0 && w > 0 && h > 0,
			      "%s/%s is not named NAME_WxH.txt", GOLDEN_DIR, name);
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", GOLDEN_DIR, name);
		char *text = golden_read_file(path);
		ck_assert_ptr_nonnull(text);
		golden_check_shape(path, text, w, h);
		free(text);
		files++;
	}
	closedir(d);
	ck_assert_uint_ge(files, 20);
}
END_TEST

/*
 * Every shared value of lesson 02 (app_steps, dpc_irql, handled,
 * isr_irql) is on the lesson screen, at its second reveal (the ISR has
 * written isr_irql = 5): the values are what the lesson's questions are
 * about, so none may silently fall off the end of the values row.
 */
static void values_at(int w, int h)
{
	struct scr s;
	scr_open(&s, L02, 0, w, h);
	until_asking(&s, 40);
	scr_key(&s, '3');
	until_asking(&s, 40);
	ck_assert_str_eq(story_question(s.u.story)->text,
			 "What does WdfInterruptQueueDpcForIsr return?");
	scr_key(&s, '1'); /* TRUE: the reveal, after the ISR's write */
	ck_assert_uint_eq(s.u.score, 2);
	char *text = scr_text(&s);
	const char *vr = strstr(text, "values:");
	ck_screen_msg(vr != NULL, text, "%dx%d: no values row", w, h);
	static const char *const values[] = { "app_steps=1", "dpc_irql=-1", "handled=0",
					      "isr_irql=5" };
	for (unsigned i = 0; i < 4; i++)
		ck_screen_msg(strstr(text, values[i]) != NULL, text,
			      "%dx%d: the value '%s' is not on the lesson screen; the values row "
			      "reads '%.*s'", w, h, values[i], (int)strcspn(vr, "\n"), vr);
	free(text);
	scr_close(&s);
}

START_TEST(test_values_80x24)
{
	values_at(80, 24);
}
END_TEST

START_TEST(test_values_160x48)
{
	values_at(160, 48);
}
END_TEST

Suite *ui_screens_suite(void)
{
	Suite *s = suite_create("ui_screens");
	TCase *tc = tcase_create("golden");
	tcase_add_test(tc, test_lesson03_80x24);
	tcase_add_test(tc, test_lesson03_160x48);
	tcase_add_test(tc, test_lesson06_80x24);
	tcase_add_test(tc, test_lesson06_160x48);
	tcase_add_test(tc, test_lesson06_free_80x24);
	tcase_add_test(tc, test_lesson06_free_160x48);
	tcase_add_test(tc, test_help_80x24);
	tcase_add_test(tc, test_help_160x48);
	tcase_add_test(tc, test_why_80x24);
	tcase_add_test(tc, test_why_160x48);
	tcase_add_test(tc, test_bugcheck_80x24);
	tcase_add_test(tc, test_bugcheck_160x48);
	tcase_add_test(tc, test_small_79x24);
	tcase_add_test(tc, test_golden_files_shape);
	suite_add_tcase(s, tc);
	tc = tcase_create("values");
	tcase_add_test(tc, test_values_80x24);
	tcase_add_test(tc, test_values_160x48);
	suite_add_tcase(s, tc);
	return s;
}
