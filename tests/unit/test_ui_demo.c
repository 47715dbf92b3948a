/*
 * test_ui_demo.c - the classroom demo (tutor/ui_demo.c, ui_demo_draw.c,
 * demo_sheet.c) and its zoom layout (ui_layout.c), with no terminal.
 *
 * The demo's auto-play is a tick that the key loop calls when its
 * timeout passes; here the tests call ui_demo_tick themselves, so nothing
 * waits on a clock: a test plays until the demo pauses (playing == 0) and
 * reads what it paused at.  Marks are counted against the lesson file's
 * own mark("...") items (counted in its text, independently of the
 * story runner the demo uses).
 *
 * Goldens of the zoom layout at 80x24, in UTF-8 (the colour build) and
 * ASCII (--ascii), compared by golden_fx.c as test_ui_screens.c does;
 * DT_UPDATE_GOLDENS=1 make check-unit SUITE=ui_demo writes them, then
 * read the diff:
 *   demo_mark_80x24, demo_mark_ascii_80x24        lesson 02 paused at its
 *                                                 first mark, notes shown
 *   demo_counter_80x24, demo_counter_ascii_80x24  lesson 06's counterexample
 *                                                 played to its violation
 * The projector theme is checked style by style (explicit colours on
 * black-or-colour, bold, never dim).
 *
 * test_demo_latency measures, for every lesson with a for-all challenge,
 * the time from the "show me how it breaks" key to the counterexample
 * drawn on screen, and prints it; it fails only when nothing loads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "demo_sheet.h"
#include "lessons.h"
#include "ui_demo.h"
#include "ui_fx.h"
#include "ui_layout.h"
#include "ui_term.h"

/* Open lesson path as ui_run does for --demo (no progress) and start the
 * demo at `speed`. */
static void demo_open(struct scr *s, const char *path, int w, int h, int ascii, double speed)
{
	char err[300];
	scr_open(s, path, 0, w, h);
	snprintf(s->u.lesson_path, sizeof(s->u.lesson_path), "%s", path);
	s->u.opt.lesson = s->u.lesson_path;
	s->u.grid.ascii = ascii;
	ck_assert_msg(ui_demo_start(&s->u, speed, err, sizeof(err)) == 0, "demo: %s", err);
	ck_assert_ptr_nonnull(s->u.demo);
}

static void demo_close(struct scr *s)
{
	ui_demo_stop(&s->u);
	scr_close(s);
}

/* Tick until the demo pauses (at most max ticks). */
static void play_to_pause(struct scr *s, int max)
{
	int i = 0;
	while (s->u.demo->playing && !s->u.asking && s->u.screen == UI_LESSON && i++ < max)
		ui_demo_tick(&s->u);
	ck_assert_msg(!s->u.demo->playing || s->u.asking, "still playing after %d ticks", max);
}

/* The mark("...") items in the lesson file's text. */
static unsigned marks_in_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	unsigned n = 0;
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		const char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "--", 2) != 0 && strstr(p, "mark(\""))
			n++;
	}
	fclose(f);
	return n;
}

static const char *say(struct scr *s)
{
	return s->u.demo->say;
}

/* Play the story to its end: ticks, Space at each pause.  Returns the
 * pauses at marks, checking each says "mark k/N" in order. */
static unsigned play_story(struct scr *s)
{
	unsigned marks = 0;
	for (int guard = 0; guard < 200 && s->u.demo->act == DEMO_STORY; guard++) {
		play_to_pause(s, 5000);
		if (strncmp(say(s), "mark ", 5) == 0) {
			char want[32];
			marks++;
			snprintf(want, sizeof(want), "mark %u/%u:", marks, s->u.demo->sheet.nmarks);
			ck_assert_msg(strncmp(say(s), want, strlen(want)) == 0,
				      "pause %u says '%s'", marks, say(s));
			ck_assert_uint_eq(s->u.demo->marks_seen, marks);
		}
		if (s->u.demo->act == DEMO_STORY)
			scr_key(s, ' '); /* on from the pause (a question: the lesson's answer) */
	}
	return marks;
}

START_TEST(test_demo_stops_at_every_mark)
{
	static const char *const lessons[] = { L02, L03, L06 };
	for (unsigned i = 0; i < 3; i++) {
		struct scr s;
		demo_open(&s, lessons[i], 80, 24, 0, DEMO_SPEED_MAX);
		unsigned want = marks_in_file(lessons[i]);
		ck_assert_uint_eq(s.u.demo->sheet.nmarks, want);
		ck_assert_uint_eq(play_story(&s), want);
		ck_assert_int_ne(s.u.demo->act, DEMO_STORY);
		ck_assert(s.u.story_done);
		/* 02 and 03 have no broken variant: the demo ends with the story */
		ck_assert_int_eq(s.u.demo->act, i == 2 ? DEMO_BREAK : DEMO_END);
		demo_close(&s);
	}
}
END_TEST

/* The whole demo of lesson 06: the story, one key, the counterexample
 * played to the step where the invariant (total == fired) fails. */
START_TEST(test_demo_plays_the_counterexample)
{
	struct scr s;
	demo_open(&s, L06, 80, 24, 0, DEMO_SPEED_MAX);
	ck_assert_str_eq(s.u.demo->sheet.broken, "no lock");
	ck_assert_str_eq(s.u.demo->sheet.correct, "interrupt lock");
	play_story(&s);
	ck_assert_int_eq(s.u.demo->act, DEMO_BREAK);
	ck_assert_ptr_nonnull(strstr(say(&s), "Show me how it breaks"));
	scr_key(&s, ' ');
	ck_assert_int_eq(s.u.demo->act, DEMO_COUNTER);
	ck_assert_str_eq(s.u.opt.variant, "no lock");
	struct dt_session *ss = rt_session(s.u.rt);
	ck_assert_uint_eq(dt_session_cursor(ss), 0);
	ck_assert_uint_gt(dt_session_head(ss), 0);
	ck_assert_uint_eq(s.u.demo->counter_steps, dt_session_head(ss));
	has(&s, "How it breaks: variant 'no lock' (the fix: 'interrupt lock').");
	has(&s, "runs break the invariant; this one has 0 preemptions.");
	/* One tick is one recorded step. */
	ui_demo_tick(&s.u);
	ck_assert_uint_eq(dt_session_cursor(ss), 1);
	play_to_pause(&s, 1000);
	ck_assert_int_eq(s.u.demo->act, DEMO_END);
	ck_assert_uint_eq(dt_session_cursor(ss), dt_session_head(ss));
	/* The invariant really fails where it stopped: a lost update. */
	ck_assert_int_eq(s.u.demo->marks_seen, 1);
	has(&s, "the invariant fails here");
	char *text = scr_text(&s);
	ck_assert_msg(strstr(text, "fired=2") && strstr(text, "total=1"),
		      "no lost update on screen:\n%s", text);
	free(text);
	demo_close(&s);
}
END_TEST

START_TEST(test_demo_speed_keys_and_timeout)
{
	struct scr s;
	demo_open(&s, L02, 80, 24, 0, 2.0);
	ck_assert_int_eq(ui_demo_timeout(&s.u), 500);
	scr_key(&s, '+');
	ck_assert(s.u.demo->speed == 4.0);
	ck_assert_int_eq(ui_demo_timeout(&s.u), 250);
	ck_assert_str_eq(say(&s), "speed 4/s");
	scr_key(&s, '-');
	scr_key(&s, '-');
	ck_assert(s.u.demo->speed == 1.0);
	ck_assert_int_eq(ui_demo_timeout(&s.u), 1000);
	for (int i = 0; i < 10; i++)
		scr_key(&s, '-');
	ck_assert(s.u.demo->speed == DEMO_SPEED_LOW); /* never slower */
	for (int i = 0; i < 9; i++)
		scr_key(&s, '+');
	ck_assert(s.u.demo->speed == DEMO_SPEED_TOP);
	scr_key(&s, '+');
	ck_assert(s.u.demo->speed == DEMO_SPEED_MAX);
	ck_assert_int_eq(ui_demo_timeout(&s.u), 0);
	ck_assert_str_eq(say(&s), "speed max");
	scr_key(&s, '+');
	ck_assert(s.u.demo->speed == DEMO_SPEED_MAX);
	scr_key(&s, '-');
	ck_assert(s.u.demo->speed == DEMO_SPEED_TOP);
	/* Space pauses: the loop then waits for a key (no timeout). */
	scr_key(&s, ' ');
	ck_assert(!s.u.demo->playing);
	ck_assert_int_eq(ui_demo_timeout(&s.u), -1);
	scr_key(&s, ' ');
	ck_assert(s.u.demo->playing);
	ck_assert_int_eq(ui_demo_timeout(&s.u), 15);
	/* Another screen stops the clock too, and so does "enlarge the terminal". */
	s.u.screen = UI_HELP;
	ck_assert_int_eq(ui_demo_timeout(&s.u), -1);
	s.u.screen = UI_LESSON;
	ck_assert_int_eq(ui_grid_resize(&s.u.grid, 79, 24), 0);
	ck_assert_int_eq(ui_demo_timeout(&s.u), -1);
	ck_assert_int_eq(ui_grid_resize(&s.u.grid, 80, 24), 0);
	ck_assert_int_eq(ui_demo_timeout(&s.u), 15);
	demo_close(&s);
}
END_TEST

START_TEST(test_demo_parse_speed)
{
	double v = -1;
	ck_assert_int_eq(ui_demo_parse_speed("max", &v), 0);
	ck_assert(v == DEMO_SPEED_MAX);
	ck_assert_int_eq(ui_demo_parse_speed("0.5", &v), 0);
	ck_assert(v == 0.5);
	ck_assert_int_eq(ui_demo_parse_speed("64", &v), 0);
	static const char *const bad[] = { "", "0", "65", "-1", "fast", "2x", "0.1" };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(ui_demo_parse_speed(bad[i], &v) == -1, "'%s' taken", bad[i]);
	char buf[16];
	ui_demo_speed_text(0.5, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0.5/s");
}
END_TEST

/* ] and [ (PgDn and PgUp): to the next mark at once, back to the one
 * before, with the screen as it was when the mark was first reached. */
START_TEST(test_demo_next_previous_mark)
{
	struct scr s;
	demo_open(&s, L02, 80, 24, 0, 2.0);
	scr_key(&s, ']');
	ck_assert_uint_eq(s.u.demo->marks_seen, 1);
	ck_assert(!s.u.demo->playing);
	ck_assert_ptr_nonnull(strstr(say(&s), "mark 1/2: The interrupt is pending on CPU 0"));
	char *at1 = scr_text(&s);
	size_t step1 = dt_session_cursor(rt_session(s.u.rt));
	scr_key(&s, UI_KEY_NPAGE);
	ck_assert_uint_eq(s.u.demo->marks_seen, 2);
	ck_assert_ptr_nonnull(strstr(say(&s), "mark 2/2: The DPC ran before"));
	ck_assert_uint_gt(dt_session_cursor(rt_session(s.u.rt)), step1);
	scr_key(&s, '[');
	ck_assert_uint_eq(s.u.demo->marks_seen, 1);
	ck_assert_uint_eq(dt_session_cursor(rt_session(s.u.rt)), step1);
	char *again = scr_text(&s);
	ck_assert_str_eq(again, at1);
	free(again);
	free(at1);
	scr_key(&s, UI_KEY_PPAGE);
	ck_assert_uint_eq(s.u.demo->marks_seen, 0);
	ck_assert_uint_eq(dt_session_head(rt_session(s.u.rt)), 0);
	ck_assert_ptr_nonnull(strstr(say(&s), "the start of the story"));
	/* Past the last mark: the end of the story. */
	scr_keys(&s, "]]]");
	ck_assert_int_eq(s.u.demo->act, DEMO_END);
	ck_assert(s.u.story_done);
	/* From the end, [ goes back to the last mark reached. */
	scr_key(&s, '[');
	ck_assert_int_eq(s.u.demo->act, DEMO_STORY);
	ck_assert_uint_eq(s.u.demo->marks_seen, 2);
	demo_close(&s);
}
END_TEST

/* The notes: in the demo's zoom layout (N hides them), nowhere else; and
 * the --notes sheet. */
START_TEST(test_demo_notes)
{
	struct scr s;
	demo_open(&s, L02, 80, 24, 0, 2.0);
	has(&s, "Point at the IRQL column of CPU 0");
	has(&s, "presenter notes");
	scr_key(&s, 'N');
	char *text = scr_text(&s);
	ck_assert_ptr_null(strstr(text, "Point at the IRQL column"));
	free(text);
	scr_key(&s, 'N');
	has(&s, "Point at the IRQL column of CPU 0");
	demo_close(&s);

	scr_open(&s, L02, 0, 80, 24); /* no demo: the lesson screen shows none */
	text = scr_text(&s);
	ck_assert_ptr_null(strstr(text, "Point at the IRQL column"));
	free(text);
	scr_close(&s);

	struct demo_sheet sh;
	struct rt_options opt;
	char err[200], *buf = NULL;
	size_t len = 0;
	rt_options_default(&opt);
	ck_assert_int_eq(demo_sheet_read(L06, &opt, &sh, err, sizeof(err)), 0);
	FILE *f = open_memstream(&buf, &len);
	demo_sheet_print(&sh, f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "Let the room play the scheduler"));
	ck_assert_ptr_nonnull(strstr(buf, "1/1  Two instances of one DPC are running"));
	ck_assert_ptr_nonnull(strstr(buf, "variant 'no lock'"));
	free(buf);
	ck_assert_int_eq(demo_sheet_read("/nonexistent.lua", &opt, &sh, err, sizeof(err)), -1);
	ck_assert_str_ne(err, "");
}
END_TEST

/* z: the full lesson screen, with the demo's line under it. */
START_TEST(test_demo_zoom_toggle)
{
	struct scr s;
	demo_open(&s, L02, 80, 24, 0, 2.0);
	has(&s, " DEMO ");
	scr_key(&s, 'z');
	has(&s, " dpctutor: IRQL and a first interrupt");
	has(&s, "playing the story");
	scr_key(&s, 'z');
	has(&s, " DEMO IRQL and a first interrupt");
	demo_close(&s);
}
END_TEST

/* ? in the demo: its keys take the rows of the note on branching, so the
 * help box keeps its size (help_80x24 is test_ui_screens.c's golden). */
START_TEST(test_demo_help)
{
	struct scr s;
	demo_open(&s, L02, 80, 24, 0, 2.0);
	scr_key(&s, '?');
	ck_assert_int_eq(s.u.screen, UI_HELP);
	ck_assert(!s.u.demo->playing);
	has(&s, "Demo: Space plays/pauses, PgDn/PgUp (] [) the next/previous mark,");
	has(&s, "+/- speed, z zoom, N notes; after the story Space shows how it breaks.");
	char *text = scr_text(&s);
	ck_assert_ptr_null(strstr(text, "A step on a CPU while viewing the past"));
	free(text);
	scr_key(&s, ' ');
	ck_assert_int_eq(s.u.screen, UI_LESSON);
	demo_close(&s);
	scr_open(&s, L02, 0, 80, 24);
	scr_key(&s, '?');
	has(&s, "A step on a CPU while viewing the past branches");
	scr_close(&s);
}
END_TEST

START_TEST(test_zoom_layout)
{
	struct ui_zoom_layout l;
	ui_zoom_layout(80, 24, 2, 1, &l);
	ck_assert(l.boxed);
	ck_assert_int_eq(l.cols, 2);
	ck_assert_int_eq(l.rows, 1);
	ck_assert_int_eq(l.values_y, 1 + UI_ZOOM_CPU_BOX_H);
	ck_assert_int_eq(l.notes_h, 4);
	ck_assert_int_eq(l.notes_y + l.notes_h, 24 - 2); /* the demo's line, the footer */
	ck_assert_int_eq(l.text_y + l.text_h, l.notes_y);
	ck_assert_int_ge(l.text_h, UI_ZOOM_TEXT_MIN_H);
	ui_zoom_layout(80, 24, 2, 0, &l);
	ck_assert_int_eq(l.notes_h, 0);
	ck_assert_int_eq(l.text_y + l.text_h, 24 - 2);
	/* Four CPUs: boxes would leave the text too little; one row each. */
	ui_zoom_layout(80, 24, 4, 1, &l);
	ck_assert(!l.boxed);
	ck_assert_uint_eq(l.shown, 4);
	ck_assert_int_ge(l.text_h, UI_ZOOM_TEXT_MIN_H);
	/* Sixty-four: as many as fit, the text keeps its rows. */
	ui_zoom_layout(80, 24, 64, 1, &l);
	ck_assert(!l.boxed);
	ck_assert_uint_lt(l.shown, 64);
	ck_assert_uint_eq(l.shown, (unsigned)(l.rows * l.cols));
	ck_assert_int_ge(l.text_h, UI_ZOOM_TEXT_MIN_H);
	/* A wide screen puts four boxes side by side. */
	ui_zoom_layout(160, 48, 4, 1, &l);
	ck_assert(l.boxed);
	ck_assert_int_eq(l.cols, 4);
}
END_TEST

START_TEST(test_demo_goldens)
{
	for (int ascii = 0; ascii < 2; ascii++) {
		struct scr s;
		demo_open(&s, L02, 80, 24, ascii, DEMO_SPEED_MAX);
		play_to_pause(&s, 5000);
		ck_assert_uint_eq(s.u.demo->marks_seen, 1);
		golden(&s, ascii ? "demo_mark_ascii_80x24" : "demo_mark_80x24");
		demo_close(&s);

		demo_open(&s, L06, 80, 24, ascii, DEMO_SPEED_MAX);
		play_story(&s);
		scr_key(&s, ' ');
		play_to_pause(&s, 1000);
		ck_assert_int_eq(s.u.demo->act, DEMO_END);
		/* the latency varies run to run: the line is checked, then fixed */
		ck_assert_ptr_nonnull(strstr(say(&s), "ms after the key"));
		snprintf(s.u.demo->say, sizeof(s.u.demo->say), "(the demo's line)");
		golden(&s, ascii ? "demo_counter_ascii_80x24" : "demo_counter_80x24");
		demo_close(&s);
	}
}
END_TEST

/* The projector theme: explicit colours (never the terminal's own, which
 * a projector shows as washed-out grey), bold everywhere, nothing dim. */
START_TEST(test_projector_theme)
{
	unsigned long bold = ui_term_style_attrs(UI_S_BOLD, true);
	unsigned long dim = ui_term_style_attrs(UI_S_DIM, true);
	ck_assert(bold && dim && bold != dim);
	for (int st = 0; st < UI_S_COUNT; st++) {
		short fg, bg;
		ui_term_theme_colors((enum ui_style)st, true, &fg, &bg);
		ck_assert_msg(fg >= 0 && bg >= 0 && fg != bg, "style %d: %d on %d", st, fg, bg);
		unsigned long a = ui_term_theme_attrs((enum ui_style)st, false, true);
		ck_assert_msg(a & bold, "style %d is not bold", st);
		ck_assert_msg(!(a & dim), "style %d is dim", st);
		/* without colours, the ordinary theme's attributes */
		ck_assert_uint_eq(ui_term_theme_attrs((enum ui_style)st, true, true),
				  ui_term_style_attrs((enum ui_style)st, true));
	}
	short fg, bg;
	ui_term_theme_colors(UI_S_NORMAL, false, &fg, &bg);
	ck_assert_int_eq(fg, -1); /* the ordinary theme keeps the terminal's */
}
END_TEST

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

/* Every lesson with a for-all challenge: the key, then the counterexample
 * on screen, explored at the key (cold) or while the demo waited at its
 * first pause (ahead, as the program does).  Printed, never judged by
 * its duration. */
START_TEST(test_demo_latency)
{
	struct lesson_list list;
	unsigned measured = 0;
	lessons_find("lessons", &list);
	for (unsigned i = 0; i < list.n; i++) {
		for (int ahead = 0; ahead < 2; ahead++) {
			struct scr s;
			demo_open(&s, list.paths[i], 80, 24, 0, DEMO_SPEED_MAX);
			if (!s.u.demo->sheet.forall || !s.u.demo->sheet.broken[0]) {
				demo_close(&s);
				break;
			}
			play_to_pause(&s, 5000);
			if (ahead) { /* what ui_run does before waiting for a key */
				ck_assert_int_eq(ui_demo_idle(&s.u), 1);
				ck_assert(s.u.demo->cx_done && s.u.demo->cx_found);
				ck_assert_int_eq(ui_demo_idle(&s.u), 0); /* once */
			}
			for (int k = 0; k < 100 && s.u.demo->act == DEMO_STORY; k++)
				scr_key(&s, ']'); /* through the marks */
			ck_assert_int_eq(s.u.demo->act, DEMO_BREAK);
			double t0 = now_ms();
			scr_key(&s, ' ');
			scr_draw(&s);
			double ms = now_ms() - t0;
			ck_assert_int_eq(s.u.demo->act, DEMO_COUNTER);
			fprintf(stderr, "demo latency %s, variant '%s', %zu steps, explored %s: "
				"%.1f ms key to screen (explorer %.1f ms)\n", list.paths[i],
				s.u.demo->sheet.broken, s.u.demo->counter_steps,
				ahead ? "ahead at a pause" : "at the key", ms, s.u.demo->explore_ms);
			measured++;
			demo_close(&s);
		}
	}
	lessons_free(&list);
	ck_assert_uint_ge(measured, 2);
}
END_TEST

Suite *ui_demo_suite(void)
{
	Suite *s = suite_create("ui_demo");
	TCase *tc = tcase_create("demo");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_demo_stops_at_every_mark);
	tcase_add_test(tc, test_demo_plays_the_counterexample);
	tcase_add_test(tc, test_demo_speed_keys_and_timeout);
	tcase_add_test(tc, test_demo_parse_speed);
	tcase_add_test(tc, test_demo_next_previous_mark);
	tcase_add_test(tc, test_demo_notes);
	tcase_add_test(tc, test_demo_zoom_toggle);
	tcase_add_test(tc, test_demo_help);
	tcase_add_test(tc, test_zoom_layout);
	tcase_add_test(tc, test_demo_goldens);
	tcase_add_test(tc, test_projector_theme);
	tcase_add_test(tc, test_demo_latency);
	suite_add_tcase(s, tc);
	return s;
}
