/*
 * test_ui_scale.c - the lesson screen as the CPU count and the terminal
 * grow: the layout arithmetic (ui_layout.c), the screen itself at 1, 2, 4,
 * 8 and 64 CPUs (golden files at 80x24; layout checks at 80x24, 120x40,
 * 160x48 and 200x60), and the `c` key that steps any CPU by number.
 *
 * The lesson is 02 (its device and thread have affinity {0}, so any CPU
 * count works), opened with rt_options .cpus = N as `--cpus N` does.
 *
 * check_layout reads the geometry off the screen, not from ui_layout.c:
 * the story box is where the first box corner of row 1 is, the CPU
 * columns start where row 1 says "CPU<n> IRQL".  It then requires a
 * title with the step counter, an intact footer ending in "? help  q quit"
 * with only whole key items, every CPU row "CPU<n> IRQL ..." in order down
 * each column and on across the columns (three rows each while they fit,
 * one each when they do not, never mixed), a note naming how many CPUs
 * are not shown when some are not, the objects (interrupt, thread,
 * values) under the rule, nothing of the left panes crossing into the
 * boxes, whole box edges, and no U+FFFD anywhere.
 *
 * Goldens: scale<N>_ask_80x24 (the first question: the NIC's interrupt is
 * pending on CPU 0) and scale<N>_isr_80x24 (after the answer, CPU 0 in
 * the ISR over the thread), and scale64_c40_80x24 (64 CPUs after c40
 * Enter y: the window has moved to CPU 40).  Regenerate them as
 * test_ui_screens.c says, then read them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script_fx.h"
#include "testutil.h"
#include "ui_fx.h"
#include "ui_layout.h"
#include "ui_term.h"

/* ---- the layout arithmetic ------------------------------------------------ */

static struct ui_lesson_layout lay(int w, int h, unsigned cpus, unsigned focus)
{
	struct ui_lesson_layout l;
	memset(&l, 0xA5, sizeof(l)); /* every field must be set */
	ui_lesson_layout(w, h, cpus, 2, focus, &l); /* lesson 02: one interrupt, one thread */
	return l;
}

/* A click's cell to the CPU whose pane is there: every cell of every pane
 * drawn maps back to its CPU, and cells outside the panes to none. */
START_TEST(test_cpu_at_matches_the_panes)
{
	static const struct { int w, h; unsigned cpus, focus; } cases[] = {
		{ 80, 24, 2, 0 }, { 80, 24, 8, 0 }, { 80, 24, 64, 40 }, { 200, 60, 64, 0 },
		{ 200, 60, 8, 0 },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct ui_lesson_layout l = lay(cases[k].w, cases[k].h, cases[k].cpus, cases[k].focus);
		int pane_h = l.full ? UI_CPU_FULL_ROWS : 1;
		unsigned hits = 0;
		for (unsigned i = 0; i < l.shown; i++) {
			int col = (int)i / l.rows_per_col, r = (int)i % l.rows_per_col;
			int x0 = col * (l.col_w + 1), y0 = 1 + r * pane_h;
			for (int y = y0; y < y0 + pane_h; y++)
				for (int x = x0; x < x0 + l.col_w; x += 7) {
					ck_assert_int_eq(ui_lesson_cpu_at(&l, x, y), (int)(l.first + i));
					hits++;
				}
		}
		ck_assert_uint_gt(hits, 0);
		ck_assert_int_eq(ui_lesson_cpu_at(&l, 5, 0), -1);           /* the title row */
		ck_assert_int_eq(ui_lesson_cpu_at(&l, l.right_x + 1, 2), -1); /* the story box */
		ck_assert_int_eq(ui_lesson_cpu_at(&l, 0, l.rule_y), -1);      /* the rule */
	}
}
END_TEST

START_TEST(test_layout_80x24)
{
	/* 80x24: the left 44 columns, 21 body rows, the story box 10 of them. */
	struct ui_lesson_layout l = lay(80, 24, 4, 0);
	ck_assert_int_eq(l.left_w, 44);
	ck_assert_int_eq(l.right_x, 45);
	ck_assert_int_eq(l.right_w, 35);
	ck_assert_int_eq(l.body_h, 21);
	ck_assert_int_eq(l.story_h, 10);
	/* Four full panes in one column, the rule under them at row 13. */
	ck_assert_int_eq(l.full, 1);
	ck_assert_int_eq(l.cols, 1);
	ck_assert_int_eq(l.col_w, 44);
	ck_assert_uint_eq(l.shown, 4);
	ck_assert_int_eq(l.note, 0);
	ck_assert_int_eq(l.rule_y, 13);
	/* Five do not fit: one row each. */
	l = lay(80, 24, 5, 0);
	ck_assert_int_eq(l.full, 0);
	ck_assert_uint_eq(l.shown, 5);
	ck_assert_int_eq(l.rule_y, 6);
	/* 64: a window of 12 rows and a note row. */
	l = lay(80, 24, 64, 0);
	ck_assert_int_eq(l.full, 0);
	ck_assert_int_eq(l.cols, 1);
	ck_assert_uint_eq(l.first, 0);
	ck_assert_uint_eq(l.shown, 12);
	ck_assert_int_eq(l.note, 1);
	ck_assert_int_eq(l.rule_y, 14);
}
END_TEST

/* The window follows the focus CPU: centred on it, clamped at the end. */
START_TEST(test_layout_window_follows_focus)
{
	for (unsigned focus = 0; focus < 64; focus++) {
		struct ui_lesson_layout l = lay(80, 24, 64, focus);
		ck_assert_uint_eq(l.shown, 12);
		ck_assert_msg(focus >= l.first && focus < l.first + l.shown,
			      "focus %u is outside the window %u..%u", focus, l.first,
			      l.first + l.shown - 1);
		ck_assert_uint_le(l.first + l.shown, 64);
	}
	ck_assert_uint_eq(lay(80, 24, 64, 11).first, 0);  /* in the first window: no move */
	ck_assert_uint_eq(lay(80, 24, 64, 40).first, 34); /* 40 - 12 / 2 */
	ck_assert_uint_eq(lay(80, 24, 64, 63).first, 52); /* the last 12 */
}
END_TEST

/* More room shows more: full panes in columns, one-line rows in columns,
 * and a log box taller than the story box. */
START_TEST(test_layout_big_screens)
{
	/* 120x40: nine full panes fit in one column (29 rows), ten do not. */
	struct ui_lesson_layout l = lay(120, 40, 9, 0);
	ck_assert_int_eq(l.full, 1);
	ck_assert_int_eq(l.cols, 1);
	l = lay(120, 40, 10, 0);
	ck_assert_int_eq(l.full, 0);
	ck_assert_uint_eq(l.shown, 10);
	/* 200x60: 110 columns take two full columns of 54, 16 panes each. */
	l = lay(200, 60, 16, 0);
	ck_assert_int_eq(l.full, 1);
	ck_assert_int_eq(l.cols, 1); /* as few columns as will do */
	l = lay(200, 60, 24, 0);
	ck_assert_int_eq(l.full, 1);
	ck_assert_int_eq(l.cols, 2);
	ck_assert_int_eq(l.col_w, 54);
	ck_assert_int_eq(l.rows_per_col, 12);
	ck_assert_int_eq(l.rule_y, 37);
	/* 64 CPUs at 200x60: all of them, one row each, in two columns. */
	l = lay(200, 60, 64, 0);
	ck_assert_int_eq(l.full, 0);
	ck_assert_int_eq(l.cols, 2);
	ck_assert_uint_eq(l.shown, 64);
	ck_assert_int_eq(l.note, 0);
	/* The log gets the extra rows: 57 body rows, a story box of 22. */
	ck_assert_int_eq(l.story_h, 22);
	ck_assert_int_gt(l.body_h - l.story_h, l.story_h);
	/* 160x48: 64 one-line rows in two columns of 44. */
	l = lay(160, 48, 64, 0);
	ck_assert_int_eq(l.cols, 2);
	ck_assert_uint_eq(l.shown, 64);
}
END_TEST

/* ---- the screen ------------------------------------------------------------ */

/* Is `n` a whole decimal number in text (not part of a longer one)? */
static int has_number(const char *text, unsigned n)
{
	char num[16];
	snprintf(num, sizeof(num), "%u", n);
	size_t len = strlen(num);
	for (const char *p = strstr(text, num); p; p = strstr(p + 1, num)) {
		int before = p > text && p[-1] >= '0' && p[-1] <= '9';
		int after = p[len] >= '0' && p[len] <= '9';
		if (!before && !after)
			return 1;
	}
	return 0;
}

/* Columns x0..x1-1 of row y as text, trailing blanks trimmed. */
static void span_text(struct scr *s, int y, int x0, int x1, char *buf, size_t size)
{
	const char *r = row(s, y);
	size_t at = 0;
	int c = 0;
	for (const char *p = r; *p; p++) {
		int lead = ((unsigned char)*p & 0xC0) != 0x80;
		if (lead && c++ >= x1)
			break;
		if (c > x0 && at + 1 < size)
			buf[at++] = *p;
	}
	while (at && buf[at - 1] == ' ')
		at--;
	buf[at] = '\0';
}

/* Footer items: a key and what it does, as the lesson screen names them. */
static const char *const footer_items[] = {
	"Spc next", "Enter pause", "b/f back/redo", "0-9 CPU", "e event", "n next",
	"w why", "g end", "Spc any", "t thread", "s source", "j jump", "c N CPU", "0-9/cN CPU",
	"1-9 answer", "b back", "type your choice", "Esc cancels", "s src", "h hint",
	"T timeline", "type your choice, Esc cancels", "m menu",
};

/* The footer: "? help  q quit" at its right end, only whole items left of it. */
static void check_footer(struct scr *s, unsigned cpus)
{
	char foot[4096];
	snprintf(foot, sizeof(foot), "%s", row(s, s->u.grid.h - 1));
	size_t fl = strlen(foot);
	ck_assert_msg(fl >= 14 && strcmp(foot + fl - 14, "? help  q quit") == 0,
		      "%u CPUs: footer '%s' does not end in '? help  q quit'", cpus, foot);
	foot[fl - 14] = '\0';
	char *p = foot;
	while (*p == ' ')
		p++;
	while (*p) {
		size_t n = 0;
		while (p[n] && !(p[n] == ' ' && (p[n + 1] == ' ' || !p[n + 1])))
			n++;
		int known = 0;
		for (size_t i = 0; i < sizeof(footer_items) / sizeof(footer_items[0]); i++)
			known |= strlen(footer_items[i]) == n && strncmp(p, footer_items[i], n) == 0;
		ck_assert_msg(known, "%u CPUs: the footer '%s' shows '%.*s', not a whole key", cpus,
			      row(s, s->u.grid.h - 1), (int)n, p);
		p += n;
		while (*p == ' ')
			p++;
	}
}

/* Where the CPU columns start: the x of every "CPU<n> IRQL" on row 1. */
static int cpu_columns(struct scr *s, int left_w, int *xs, int max)
{
	int n = 0;
	for (int x = 0; x + 8 < left_w && n < max; x++) {
		char buf[64];
		span_text(s, 1, x, x + 12, buf, sizeof(buf));
		unsigned cpu;
		char irql[8];
		if ((x == 0 || cell(s, x - 1, 1) == ' ') && sscanf(buf, "CPU%u %4s", &cpu, irql) == 2 &&
		    strcmp(irql, "IRQL") == 0)
			xs[n++] = x;
	}
	return n;
}

/* What a lesson's screen shows: its title row and the starts of the
 * object rows under the CPUs. */
struct lesson_look {
	const char *title;
	const char *const *objects; /* NULL-terminated */
};

static const char *const l02_objects[] = { "NIC    DPC ", "app ", "values: ", NULL };
static const struct lesson_look look02 = { "dpctutor: IRQL and a first interrupt", l02_objects };

/*
 * Check the lesson screen with `cpus` CPUs (see the top of the file) of
 * the lesson that looks like `look`.  Returns how many CPUs got full
 * three-row panes; *shown_out (when not NULL) is how many CPUs are on the
 * screen.
 */
static unsigned check_layout_of(struct scr *s, unsigned cpus, unsigned *shown_out,
				const struct lesson_look *look)
{
	struct ui_grid *g = &s->u.grid;
	int w = g->w, h = g->h;
	int body_h = h - 3 - ui_timeline_strip_rows(&s->u); /* tall: the timeline strip below */
	char *text = scr_text(s);
	char buf[1024], want[64];

	golden_check_shape("lesson screen", text, w, h);
	ck_screen_msg(strstr(text, "\xEF\xBF\xBD") == NULL, text, "U+FFFD on the screen");

	/* The title row: the lesson and the step counter. */
	struct dt_session *ses = rt_session(s->u.rt);
	snprintf(want, sizeof(want), "step %zu/%zu", dt_session_cursor(ses), dt_session_head(ses));
	ck_screen_msg(strstr(row(s, 0), look->title) && strstr(row(s, 0), want), text,
		      "%u CPUs: title row '%s' (want '%s' and '%s')", cpus, row(s, 0), look->title,
		      want);
	check_footer(s, cpus);

	/* The boxes: the story box's corner is the first ┌ of row 1, the log
	 * box closes on the last body row; their edges are unbroken. */
	int right_x = -1;
	for (int x = 0; x < w && right_x < 0; x++)
		if (cell(s, x, 1) == 0x250C)
			right_x = x;
	ck_screen_msg(right_x > w / 3, text, "%u CPUs: no story box on row 1", cpus);
	int left_w = right_x - 1, story_end = -1;
	ck_screen_msg(cell(s, w - 1, 1) == 0x2510, text, "%u CPUs: story box top right", cpus);
	for (int y = 2; y < body_h && story_end < 0; y++)
		if (cell(s, right_x, y) == 0x2514)
			story_end = y;
	ck_screen_msg(story_end > 2, text, "%u CPUs: the story box has no bottom", cpus);
	ck_screen_msg(cell(s, right_x, story_end + 1) == 0x250C, text,
		      "%u CPUs: the log box does not start under the story box", cpus);
	ck_screen_msg(cell(s, right_x, body_h) == 0x2514 && cell(s, w - 1, body_h) == 0x2518, text,
		      "%u CPUs: log box bottom corners", cpus);
	for (int y = 2; y < body_h; y++)
		if (y != story_end && y != story_end + 1)
			ck_screen_msg(cell(s, right_x, y) == 0x2502 && cell(s, w - 1, y) == 0x2502,
				      text, "%u CPUs: the box edge at row %d is broken", cpus, y);
	for (int y = 1; y <= body_h; y++)
		ck_screen_msg(cell(s, left_w, y) == ' ', text,
			      "%u CPUs: row %d crosses into the right panes", cpus, y);

	/* The rule above the objects: the first row starting with ─. */
	int rule = -1;
	for (int y = 1; y < body_h && rule < 0; y++)
		if (cell(s, 0, y) == 0x2500)
			rule = y;
	ck_screen_msg(rule > 1, text, "%u CPUs: no rule above the objects", cpus);

	/* The CPU rows, column by column, numbered on across the columns. */
	int xs[8], ncols = cpu_columns(s, left_w, xs, 8);
	ck_screen_msg(ncols >= 1, text, "%u CPUs: no CPU row on row 1", cpus);
	unsigned shown = 0, full = 0, first = 0;
	int note = 0;
	span_text(s, 1, xs[0], ncols > 1 ? xs[1] : left_w, buf, sizeof(buf));
	ck_assert_int_eq(sscanf(buf, "CPU%u", &first), 1);
	for (int c = 0; c < ncols; c++) {
		int x0 = xs[c], x1 = c + 1 < ncols ? xs[c + 1] : left_w;
		for (int y = 1; y < rule; y++) {
			span_text(s, y, x0, x1, buf, sizeof(buf));
			if (!buf[0])
				break; /* the column ends */
			snprintf(want, sizeof(want), "CPU%u IRQL ", first + shown);
			if (strncmp(buf, want, strlen(want)) == 0) {
				shown++;
				if (y + 2 < rule) {
					char b1[1024], b2[1024];
					span_text(s, y + 1, x0, x1, b1, sizeof(b1));
					span_text(s, y + 2, x0, x1, b2, sizeof(b2));
					if (strncmp(b1, "  next: ", 8) == 0 &&
					    strncmp(b2, "  queue:", 8) == 0) {
						full++;
						y += 2;
					}
				}
				continue;
			}
			ck_screen_msg(strncmp(buf, "CPU", 3) != 0, text,
				      "%u CPUs: row %d '%s' is not CPU%u's row", cpus, y, buf,
				      first + shown);
			/* Anything else is the note on the CPUs not shown, at the
			 * left edge, right above the rule. */
			ck_screen_msg(x0 == 0 && y == rule - 1 && shown < cpus &&
					      has_number(buf, cpus - shown), text,
				      "%u CPUs: row %d '%s' is neither a CPU row nor a note on the "
				      "%u CPUs not shown", cpus, y, buf, cpus - shown);
			note = 1;
		}
	}
	ck_screen_msg(shown > 0, text, "%u CPUs: no CPU row", cpus);
	ck_screen_msg(first + shown <= cpus, text, "%u CPUs: CPU%u is shown", cpus,
		      first + shown - 1);
	ck_screen_msg(full == 0 || full == shown, text,
		      "%u CPUs: %u full panes and %u one-line rows mixed", cpus, full, shown - full);
	ck_screen_msg(shown == cpus || note, text,
		      "%u CPUs: only CPU%u..CPU%u are shown and nothing says that %u are not",
		      cpus, first, first + shown - 1, cpus - shown);

	/* The objects under the rule (for lesson 02: the NIC, the thread,
	 * the values), every one of them. */
	for (const char *const *o = look->objects; *o; o++) {
		int found = 0;
		for (int y = rule + 1; y < body_h && !found; y++) {
			span_text(s, y, 0, left_w, buf, sizeof(buf));
			found = strncmp(buf, *o, strlen(*o)) == 0;
		}
		ck_screen_msg(found, text, "%u CPUs: no row '%s...' under the CPUs (rule at row %d)",
			      cpus, *o, rule);
	}
	free(text);
	if (shown_out)
		*shown_out = shown;
	return full;
}

static unsigned check_layout(struct scr *s, unsigned cpus, unsigned *shown_out)
{
	return check_layout_of(s, cpus, shown_out, &look02);
}

static const unsigned scaling_cpus[] = { 1, 2, 4, 8, 64 };
#define NSCALING ((int)(sizeof(scaling_cpus) / sizeof(scaling_cpus[0])))

/* Lesson 02 with `cpus` CPUs through its story at w x h, the layout
 * checked at four points; the goldens at 80x24.  Returns the full panes
 * at the start. */
static unsigned scaling_run(unsigned cpus, int w, int h)
{
	struct scr s;
	char name[64];
	scr_open(&s, L02, cpus, w, h);
	ck_assert_uint_eq(dt_session_view(rt_session(s.u.rt))->ncpus, cpus);
	unsigned full = check_layout(&s, cpus, NULL);
	until_asking(&s, 40);
	check_layout(&s, cpus, NULL);
	if (w == 80 && h == 24) {
		snprintf(name, sizeof(name), "scale%u_ask_%dx%d", cpus, w, h);
		golden(&s, name);
	}
	scr_key(&s, '3'); /* IRQL 5: CPU 0 in the ISR over the thread */
	check_layout(&s, cpus, NULL);
	has(&s, "CPU0 IRQL 5 DIRQL    app > ISR NIC");
	if (w == 80 && h == 24) {
		snprintf(name, sizeof(name), "scale%u_isr_%dx%d", cpus, w, h);
		golden(&s, name);
	}
	for (int i = 0; i < 400 && !s.u.story_done; i++)
		scr_key(&s, s.u.asking ? '1' : ' ');
	ck_assert_int_eq(s.u.story_done, 1);
	check_layout(&s, cpus, NULL);
	scr_close(&s);
	return full;
}

/* _i: the index into scaling_cpus. */
START_TEST(test_scaling_80x24)
{
	unsigned cpus = scaling_cpus[_i];
	/* 21 rows under the title: full panes while they fit with the
	 * objects, up to 4 CPUs. */
	ck_assert_uint_eq(scaling_run(cpus, 80, 24), cpus <= 4 ? cpus : 0);
}
END_TEST

START_TEST(test_scaling_120x40)
{
	unsigned cpus = scaling_cpus[_i];
	ck_assert_uint_eq(scaling_run(cpus, 120, 40), cpus <= 8 ? cpus : 0);
}
END_TEST

START_TEST(test_scaling_160x48)
{
	unsigned cpus = scaling_cpus[_i];
	ck_assert_uint_eq(scaling_run(cpus, 160, 48), cpus <= 8 ? cpus : 0);
}
END_TEST

START_TEST(test_scaling_200x60)
{
	unsigned cpus = scaling_cpus[_i];
	ck_assert_uint_eq(scaling_run(cpus, 200, 60), cpus <= 8 ? cpus : 0);
}
END_TEST

/* More room shows more: all 64 CPUs at 160x48 and 200x60, 12 at 80x24. */
START_TEST(test_scaling_64_shown)
{
	static const int sizes[][2] = { { 80, 24 }, { 160, 48 }, { 200, 60 } };
	static const unsigned want[] = { 12, 64, 64 };
	for (int i = 0; i < 3; i++) {
		struct scr s;
		unsigned shown;
		scr_open(&s, L02, 64, sizes[i][0], sizes[i][1]);
		check_layout(&s, 64, &shown);
		ck_assert_msg(shown == want[i], "%dx%d shows %u of 64 CPUs, not %u", sizes[i][0],
			      sizes[i][1], shown, want[i]);
		scr_close(&s);
	}
}
END_TEST

/* ---- the c key ------------------------------------------------------------- */

/* The prompt row (above the footer) as text. */
static const char *prompt_row(struct scr *s)
{
	scr_draw(s);
	return row(s, s->u.grid.h - 2);
}

/* c shows what is typed; Backspace edits; Esc cancels; Enter with
 * nothing typed says what to do. */
START_TEST(test_c_prompt)
{
	struct scr s;
	scr_open(&s, L02, 64, 80, 24);
	scr_keys(&s, "c4");
	ck_assert_int_eq(s.u.prompt, UI_PROMPT_CPU);
	ck_assert_msg(strncmp(prompt_row(&s), "step CPU: c4_", 13) == 0, "prompt '%s'",
		      prompt_row(&s));
	scr_keys(&s, "2");
	ck_assert_msg(strncmp(prompt_row(&s), "step CPU: c42_  (0-63,", 22) == 0, "prompt '%s'",
		      prompt_row(&s));
	scr_key(&s, UI_KEY_BACKSPACE);
	ck_assert_msg(strncmp(prompt_row(&s), "step CPU: c4_", 13) == 0, "prompt '%s'",
		      prompt_row(&s));
	scr_key(&s, 27); /* Esc */
	ck_assert_int_eq(s.u.prompt, UI_PROMPT_NONE);
	ck_assert_uint_eq(dt_session_head(rt_session(s.u.rt)), 0);
	scr_keys(&s, "c\r");
	ck_assert_str_eq(s.u.status, "type the CPU's number, then Enter");
	ck_assert_int_eq(s.u.prompt, UI_PROMPT_CPU);
	scr_keys(&s, "99\r");
	ck_assert_int_eq(s.u.prompt, UI_PROMPT_NONE);
	ck_assert_str_eq(s.u.status, "there is no CPU 99 (this machine has 0-63)");
	ck_assert_int_eq(s.u.story_mode, 1); /* a CPU that is not there leaves nothing */
	scr_close(&s);
}
END_TEST

/* In the story, c40 Enter asks to leave it first, as 0-9 do; y leaves,
 * tries CPU 40, says why it cannot step, and the window shows CPU 40. */
START_TEST(test_c_in_story_asks_to_leave)
{
	struct scr s;
	scr_open(&s, L02, 64, 80, 24);
	scr_keys(&s, "c40\r");
	ck_assert_int_eq(s.u.prompt, UI_PROMPT_LEAVE);
	ck_assert_str_eq(prompt_row(&s), "leave the story and play freely? (y/n)");
	scr_key(&s, 'n');
	ck_assert_int_eq(s.u.story_mode, 1);
	scr_keys(&s, "c40\ry");
	ck_assert_int_eq(s.u.story_mode, 0);
	ck_assert_str_eq(s.u.status, "CPU 40 cannot step: it is idle");
	ck_assert_uint_eq(s.u.focus_cpu, 40);
	unsigned shown;
	check_layout(&s, 64, &shown);
	has(&s, "CPU40 IRQL 0 PASSIVE  idle");
	has(&s, "... 52 more: CPU0-33 above, CPU46-63 below");
	golden(&s, "scale64_c40_80x24");
	scr_close(&s);
}
END_TEST

/* Free play: c0 Enter steps CPU 0 at once, like the 0 key. */
START_TEST(test_c_steps_in_free_play)
{
	struct scr s;
	scr_open(&s, L02, 2, 80, 24);
	scr_keys(&s, "c1\ry"); /* leave the story on the idle CPU 1 */
	ck_assert_int_eq(s.u.story_mode, 0);
	scr_keys(&s, "e10"); /* the NIC's event to CPU 0: its ISR can run */
	size_t head = dt_session_head(rt_session(s.u.rt));
	ck_assert_uint_eq(head, 1);
	scr_keys(&s, "c0\r");
	ck_assert_int_eq(s.u.prompt, UI_PROMPT_NONE);
	ck_assert_uint_eq(dt_session_head(rt_session(s.u.rt)), head + 1);
	ck_assert_uint_eq(s.u.focus_cpu, 0);
	scr_close(&s);
}
END_TEST

/* Past ten CPUs, "deliver to which CPU?" takes a number and Enter. */
static const char wide_lesson[] =
	"lesson { api = 1, id = \"wide\", title = \"Sixteen CPUs\", cpus = 16 }\n"
	"local dev = device { name = \"nic\", irql = 5 }\n"
	"local status, irq = WdfInterruptCreate(dev, {\n"
	"  EvtInterruptIsr = function(interrupt, message_id)\n"
	"    WdfInterruptQueueDpcForIsr(interrupt)\n"
	"    return true\n"
	"  end,\n"
	"  EvtInterruptDpc = function(interrupt, device) end,\n"
	"})\n"
	"story { \"Sixteen CPUs.\", run_to_end() }\n";

START_TEST(test_event_to_cpu_12)
{
	struct scr s;
	scr_open_src(&s, wide_lesson, 80, 24);
	scr_keys(&s, "ey1");
	ck_assert_int_eq(s.u.prompt, UI_PROMPT_EVENT_CPU);
	scr_keys(&s, "12");
	ck_assert_int_eq(s.u.prompt, UI_PROMPT_EVENT_CPU); /* 1 alone did not choose CPU 1 */
	ck_assert_msg(strstr(prompt_row(&s), "to which CPU? (0-15) 12"), "prompt '%s'",
		      prompt_row(&s));
	scr_key(&s, '\r');
	ck_assert_int_eq(s.u.prompt, UI_PROMPT_NONE);
	ck_assert_msg(s.u.status[0] == '\0', "status '%s'", s.u.status);
	const struct dt_state *st = dt_session_view(rt_session(s.u.rt));
	ck_assert_uint_eq(st->cpus[12].npending + st->cpus[12].nframes, 1);
	ck_assert_uint_eq(s.u.focus_cpu, 12);
	scr_close(&s);
}
END_TEST

/* The story steps CPU 40 of 64: the CPU rows follow it there. */
static const char far_lesson[] =
	"lesson { api = 1, id = \"far\", title = \"CPU 40\", cpus = 64 }\n"
	"local dev = device { name = \"nic\", irql = 5 }\n"
	"local status, irq = WdfInterruptCreate(dev, {\n"
	"  EvtInterruptIsr = function(interrupt, message_id)\n"
	"    WdfInterruptQueueDpcForIsr(interrupt)\n"
	"    return true\n"
	"  end,\n"
	"  EvtInterruptDpc = function(interrupt, device) end,\n"
	"})\n"
	"story { \"The NIC interrupts CPU 40.\", fire(dev, { cpu = 40 }), run_to_end() }\n";

static const char *const far_objects[] = { "nic    DPC ", NULL };
static const struct lesson_look look_far = { "dpctutor: CPU 40", far_objects };

START_TEST(test_story_moves_window)
{
	struct scr s;
	scr_open_src(&s, far_lesson, 80, 24);
	ck_assert_uint_eq(s.u.focus_cpu, 0);
	for (int i = 0; i < 20 && !s.u.story_done; i++)
		scr_key(&s, '\r');
	ck_assert_int_eq(s.u.story_done, 1);
	ck_assert_uint_eq(s.u.focus_cpu, 40);
	unsigned shown;
	check_layout_of(&s, 64, &shown, &look_far);
	ck_assert_uint_lt(shown, 64); /* a window, which has moved to CPU 40 */
	has(&s, "CPU40 IRQL ");
	scr_close(&s);
}
END_TEST

Suite *ui_scale_suite(void)
{
	Suite *s = suite_create("ui_scale");
	TCase *tc = tcase_create("layout");
	tcase_add_test(tc, test_layout_80x24);
	tcase_add_test(tc, test_layout_window_follows_focus);
	tcase_add_test(tc, test_layout_big_screens);
	tcase_add_test(tc, test_cpu_at_matches_the_panes);
	suite_add_tcase(s, tc);
	tc = tcase_create("screens");
	tcase_add_loop_test(tc, test_scaling_80x24, 0, NSCALING);
	tcase_add_loop_test(tc, test_scaling_120x40, 0, NSCALING);
	tcase_add_loop_test(tc, test_scaling_160x48, 0, NSCALING);
	tcase_add_loop_test(tc, test_scaling_200x60, 0, NSCALING);
	tcase_add_test(tc, test_scaling_64_shown);
	suite_add_tcase(s, tc);
	tc = tcase_create("c_key");
	tcase_add_test(tc, test_c_prompt);
	tcase_add_test(tc, test_c_in_story_asks_to_leave);
	tcase_add_test(tc, test_c_steps_in_free_play);
	tcase_add_test(tc, test_event_to_cpu_12);
	tcase_add_test(tc, test_story_moves_window);
	suite_add_tcase(s, tc);
	return s;
}
