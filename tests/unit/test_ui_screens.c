/*
 * test_ui_screens.c - the tutor's screens rendered into the cell grid and
 * compared with golden text files, and the lesson screen's layout as the
 * CPU count grows.
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
 * The scaling tests (lesson 02, whose device and thread have affinity
 * {0}, so any CPU count works) render the lesson screen with rt_options
 * .cpus = 1, 2, 4, 8 and 64 at 80x24, at the start, the first question,
 * in the ISR and at the end of the story, and check the layout, not the
 * exact text: the title's step counter, an intact footer with
 * '? help  q quit' and only whole key items, a CPU row "CPU<n> IRQL ..."
 * for every CPU in order (three rows each while they fit, one each when
 * they do not, never mixed), a line saying how many CPUs are not shown
 * when even one-line rows do not fit, the objects (interrupt, thread,
 * values) still visible under the CPU rows, nothing of the left panes
 * crossing into the story and log panes, whose boxes stay whole, and no
 * U+FFFD anywhere.  At 160x48 the same 8 CPUs get their full three-row
 * panes: more room shows more.  test_values_* checks that every shared
 * value is on the screen.
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
#include "script_fx.h"
#include "testutil.h"
#include "ui_int.h"

#define L02 "lessons/02-first-interrupt.lua"
#define L03 "lessons/03-queued-once.lua"
#define L06 "lessons/06-two-dpcs.lua"

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

/* A struct ui set up as ui_app.c does, plus the story io it points to. */
struct scr {
	struct ui u;
	struct story_io io;
	char unreadable[2048]; /* what readable() found cut, "" for nothing */
};

static void scr_story_line(void *ctx, enum story_line_kind kind, const char *text)
{
	if (kind == STORY_EVENT)
		return; /* as in ui_app.c: the log pane narrates the trace */
	ui_story_line(ctx, text);
}

/* Open lesson `path` (cpus 0: the lesson's own count) on a w x h grid. */
static void scr_open(struct scr *s, const char *path, unsigned cpus, int w, int h)
{
	struct rt_options opt;
	char *err = NULL;
	memset(s, 0, sizeof(*s));
	s->u.opt.lesson = path;
	s->u.opt.cpus = cpus;
	s->u.rr_last = -1;
	s->u.log_sel = -1;
	rt_options_default(&opt);
	opt.cpus = cpus;
	if (rt_open(path, &opt, &s->u.rt, &err))
		ck_abort_msg("rt_open %s: %s", path, err ? err : "?");
	s->io.ctx = &s->u;
	s->io.line = scr_story_line;
	s->u.story = story_begin(s->u.rt, &s->io);
	ck_assert_ptr_nonnull(s->u.story);
	s->u.story_mode = 1;
	const struct rt_lesson *l = rt_lesson(s->u.rt);
	if (l->goal) {
		char line[600];
		snprintf(line, sizeof(line), "Goal: %s", l->goal);
		ui_story_line(&s->u, line);
	}
	ck_assert_int_eq(ui_grid_init(&s->u.grid, w, h), 0);
	s->u.grid.ascii = 0;
}

/* The same with an inline lesson written to a temp file. */
static void scr_open_src(struct scr *s, const char *src, int w, int h)
{
	char path[64];
	sfx_write(path, src);
	scr_open(s, path, 0, w, h);
	unlink(path); /* the runtime keeps the text */
}

static void scr_close(struct scr *s)
{
	story_finish(s->u.story);
	rt_close(s->u.rt);
	for (unsigned i = 0; i < s->u.nstory; i++)
		free(s->u.story_lines[i]);
	ui_grid_free(&s->u.grid);
}

/* A key, handed to the current screen as ui_app.c's key() does. */
static void scr_key(struct scr *s, int k)
{
	switch (s->u.screen) {
	case UI_HELP:
		ui_help_key(&s->u, k);
		break;
	case UI_BUGCHECK:
		ui_bugcheck_key(&s->u, k);
		break;
	case UI_WHY:
		ui_why_key(&s->u, k);
		break;
	default:
		ui_lesson_key(&s->u, k);
		break;
	}
}

static void scr_keys(struct scr *s, const char *keys)
{
	for (const char *k = keys; *k; k++)
		scr_key(s, *k);
}

/* Draw the current screen as the program does. */
static void scr_draw(struct scr *s)
{
	ui_screen_draw(&s->u);
}

/* The grid as text (malloc'd). */
static char *grid_text(const struct ui_grid *g)
{
	size_t n = ui_grid_text(g, NULL, 0);
	char *buf = malloc(n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(ui_grid_text(g, buf, n + 1), n);
	return buf;
}

/* Draw and return the screen as text (malloc'd). */
static char *scr_text(struct scr *s)
{
	scr_draw(s);
	return grid_text(&s->u.grid);
}

/* Row y of the drawn grid, trailing blanks trimmed. */
static const char *row(struct scr *s, int y)
{
	static char buf[4096];
	ui_grid_row_text(&s->u.grid, y, buf, sizeof(buf));
	return buf;
}

/* The code point at (x, y). */
static uint32_t cell(struct scr *s, int x, int y)
{
	struct ui_cell *c = ui_grid_cell(&s->u.grid, x, y);
	ck_assert_msg(c != NULL, "cell (%d, %d) is outside the %dx%d grid", x, y, s->u.grid.w,
		      s->u.grid.h);
	return c->ch;
}

/* Draw the screen and compare it with tests/golden/ui/NAME.txt (or
 * write that file when DT_UPDATE_GOLDENS=1): golden_fx.c. */
static void golden(struct scr *s, const char *name)
{
	char *text = scr_text(s);
	golden_match(name, text, s->u.grid.w, s->u.grid.h, "ui_screens");
	free(text);
}

/* The screen must contain needle (a plain substring). */
static void has(struct scr *s, const char *needle)
{
	char *text = scr_text(s);
	ck_screen_msg(strstr(text, needle) != NULL, text, "the screen lacks '%s'", needle);
	free(text);
}

/*
 * The screen's words in reading order: every row, box lines as blanks,
 * runs of blanks as one, rows joined by a blank (malloc'd).  A sentence
 * wrapped over several rows reads whole in it; one cut at an edge does
 * not.
 */
static char *screen_words(struct scr *s)
{
	char *text = scr_text(s);
	char *out = malloc(strlen(text) + 2);
	ck_assert_ptr_nonnull(out);
	size_t at = 0;
	for (const char *p = text; *p;) {
		uint32_t cp;
		size_t n = ui_utf8_next(p, &cp);
		int blank = cp == ' ' || cp == '\n' || (cp >= 0x2500 && cp <= 0x257F);
		if (blank) {
			if (at && out[at - 1] != ' ')
				out[at++] = ' ';
		} else {
			memcpy(out + at, p, n);
			at += n;
		}
		p += n;
	}
	out[at] = '\0';
	free(text);
	return out;
}

/*
 * The sentence must be readable whole on the screen (wrapped or not);
 * when it is not, `what` is noted in s->unreadable and the screen goes to
 * stderr.  all_readable() then fails with every such note at once.
 */
static void readable(struct scr *s, const char *what, const char *sentence)
{
	char *words = screen_words(s), want[1024];
	size_t k = 0;
	for (const char *p = sentence; *p && k + 1 < sizeof(want); p++)
		if (*p != ' ' || (k && want[k - 1] != ' '))
			want[k++] = *p; /* blanks collapsed as in screen_words */
	want[k] = '\0';
	if (!strstr(words, want)) {
		char *text = scr_text(s);
		size_t n = strlen(s->unreadable);
		if (!n)
			fprintf(stderr, "%s", text); /* the screen, once */
		snprintf(s->unreadable + n, sizeof(s->unreadable) - n, "\n  %s: '%s'", what,
			 sentence);
		free(text);
	}
	free(words);
}

static void all_readable(struct scr *s, const char *screen)
{
	ck_assert_msg(s->unreadable[0] == '\0',
		      "%dx%d, the %s: not readable whole (cut at an edge; the screen is on "
		      "stderr):%s", s->u.grid.w, s->u.grid.h, screen, s->unreadable);
}

/* Space until a question is asked (at most max keys). */
static void until_asking(struct scr *s, int max)
{
	for (int i = 0; i < max && !s->u.asking; i++)
		scr_key(s, ' ');
	ck_assert_msg(s->u.asking, "no question after %d Space keys", max);
}

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

/* ---- CPU scaling ----------------------------------------------------------- */

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

/* The left half of row y: its first `cols` columns as text. */
static void left_text(struct scr *s, int y, int cols, char *buf, size_t size)
{
	const char *r = row(s, y);
	size_t at = 0;
	int c = 0;
	for (const char *p = r; *p; p++) {
		if (((unsigned char)*p & 0xC0) != 0x80 && c++ == cols)
			break;
		if (at + 1 < size)
			buf[at++] = *p;
	}
	buf[at] = '\0';
}

/* Footer items: a key and what it does, as the lesson screen names them. */
static const char *const footer_items[] = {
	"Spc next", "Enter pause", "b/f back/redo", "0-9 CPU", "e event", "n next",
	"w why", "g end", "Spc any", "t thread", "s src", "s source", "j jump", "m menu",
	"1-9 answer", "b back", "type your choice", "Esc cancels",
	"type your choice, Esc cancels",
};

/*
 * The footer row is intact: "? help  q quit" at its right end, and left of
 * it only whole items ("w why", never "w w"), two or more blanks apart.
 */
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

/*
 * The lesson screen of lesson 02 with `cpus` CPUs at w x h, at the state
 * reached so far: check the layout (see the file-top comment).  Returns
 * the number of CPUs that got full three-row panes.
 */
static unsigned check_layout(struct scr *s, unsigned cpus)
{
	struct ui_grid *g = &s->u.grid;
	int w = g->w, h = g->h;
	int left_w = w * 11 / 20, right_x = left_w + 1, body_h = h - 3;
	char *text = scr_text(s);
	char buf[1024], want[64];

	golden_check_shape("lesson screen", text, w, h);
	ck_screen_msg(strstr(text, "\xEF\xBF\xBD") == NULL, text, "U+FFFD on the screen");

	/* The title row: the lesson and the step counter. */
	struct dt_session *ses = rt_session(s->u.rt);
	snprintf(want, sizeof(want), "step %zu/%zu", dt_session_cursor(ses), dt_session_head(ses));
	ck_assert_msg(strstr(row(s, 0), "dpctutor: IRQL and a first interrupt"),
		      "%u CPUs: title row '%s'", cpus, row(s, 0));
	ck_assert_msg(strstr(row(s, 0), want), "%u CPUs: title row '%s' lacks '%s'", cpus,
		      row(s, 0), want);

	check_footer(s, cpus);

	/* The story and log boxes are whole: their corners where they belong,
	 * their left edges unbroken. */
	int story_h = body_h / 2;
	ck_screen_msg(cell(s, right_x, 1) == 0x250C && cell(s, w - 1, 1) == 0x2510, text,
		      "%u CPUs: story box top corners", cpus);
	ck_screen_msg(cell(s, right_x, body_h) == 0x2514 && cell(s, w - 1, body_h) == 0x2518, text,
		      "%u CPUs: log box bottom corners", cpus);
	for (int y = 2; y < body_h; y++)
		if (y != story_h && y != story_h + 1)
			ck_screen_msg(cell(s, right_x, y) == 0x2502 && cell(s, w - 1, y) == 0x2502, text,
				      "%u CPUs: the box edge at row %d is broken", cpus, y);

	/* Nothing of the left panes reaches the gap column before the boxes. */
	for (int y = 1; y <= body_h; y++)
		ck_screen_msg(cell(s, left_w, y) == ' ', text,
			      "%u CPUs: row %d crosses into the right panes", cpus, y);

	/* The CPU rows, in order, down to the rule above the objects. */
	unsigned shown = 0, full = 0;
	int y = 1, rule = -1, note = 0;
	for (; y < body_h; y++) {
		left_text(s, y, left_w, buf, sizeof(buf));
		if (strncmp(buf, "\xE2\x94\x80", 3) == 0) { /* ─ */
			rule = y;
			break;
		}
		snprintf(want, sizeof(want), "CPU%u IRQL ", shown);
		if (strncmp(buf, want, strlen(want)) == 0) {
			shown++;
			if (y + 2 < body_h) {
				char b1[1024], b2[1024];
				left_text(s, y + 1, left_w, b1, sizeof(b1));
				left_text(s, y + 2, left_w, b2, sizeof(b2));
				if (strncmp(b1, "  next: ", 8) == 0 && strncmp(b2, "  queue:", 8) == 0) {
					full++;
					y += 2;
				}
			}
			continue;
		}
		if (strncmp(buf, "CPU", 3) == 0)
			ck_screen_msg(0, text, "%u CPUs: row %d '%s' is not CPU%u's row", cpus, y,
				      buf, shown);
		/* Anything else must be the note on the CPUs not shown. */
		ck_screen_msg(shown < cpus && has_number(buf, cpus - shown), text,
			      "%u CPUs: row %d '%s' is neither a CPU row nor a note on the %u "
			      "CPUs not shown", cpus, y, buf, cpus - shown);
		note = 1;
	}
	ck_screen_msg(rule > 0, text, "%u CPUs: no rule above the objects", cpus);
	ck_screen_msg(full == 0 || full == shown, text,
		      "%u CPUs: %u full panes and %u one-line rows mixed", cpus, full,
		      shown - full);
	ck_screen_msg(shown == cpus || note, text,
		      "%u CPUs: only CPU0..CPU%u are shown and nothing says that %u more are "
		      "not", cpus, shown - 1, cpus - shown);
	ck_screen_msg(shown > 0, text, "%u CPUs: no CPU row", cpus);

	/* The objects under the rule: the NIC's interrupt, the thread, the
	 * values, all of them (the CPU rows must leave them room). */
	int nic = 0, app = 0, values = 0;
	for (y = rule + 1; y < body_h; y++) {
		left_text(s, y, left_w, buf, sizeof(buf));
		nic |= strncmp(buf, "NIC    DPC ", 11) == 0;
		app |= strncmp(buf, "app ", 4) == 0;
		values |= strncmp(buf, "values: ", 8) == 0;
	}
	ck_screen_msg(nic && app && values, text,
		      "%u CPUs: the objects area lacks %s%s%s (the CPU rows end at row %d of "
		      "%d)", cpus, nic ? "" : "the NIC row ", app ? "" : "the app thread ",
		      values ? "" : "the values", rule, body_h);
	free(text);
	return full;
}

static const unsigned scaling_cpus[] = { 1, 2, 4, 8, 64 };

/* _i: the index into scaling_cpus. */
START_TEST(test_scaling_80x24)
{
	unsigned cpus = scaling_cpus[_i];
	struct scr s;
	scr_open(&s, L02, cpus, 80, 24);
	ck_assert_uint_eq(dt_session_view(rt_session(s.u.rt))->ncpus, cpus);
	/* At the start: every CPU idle but CPU 0's thread. */
	unsigned full = check_layout(&s, cpus);
	/* 80x24 gives 20 rows under the title: three-row panes while they fit
	 * with the objects, up to 4 CPUs. */
	if (cpus <= 4)
		ck_assert_uint_eq(full, cpus);
	else
		ck_assert_uint_eq(full, 0);
	/* The first question: the NIC's interrupt pending on CPU 0. */
	until_asking(&s, 40);
	check_layout(&s, cpus);
	/* 3 = IRQL 5: CPU 0 in the ISR over the thread, two frames. */
	scr_key(&s, '3');
	check_layout(&s, cpus);
	/* After the whole story: the DPC has run, the thread is done. */
	for (int i = 0; i < 400 && !s.u.story_done; i++)
		scr_key(&s, s.u.asking ? '1' : ' ');
	ck_assert_int_eq(s.u.story_done, 1);
	check_layout(&s, cpus);
	scr_close(&s);
}
END_TEST

/* More room shows more: 8 CPUs get full panes at 160x48. */
START_TEST(test_scaling_8_cpus_160x48)
{
	struct scr s;
	scr_open(&s, L02, 8, 160, 48);
	ck_assert_uint_eq(check_layout(&s, 8), 8);
	until_asking(&s, 40);
	ck_assert_uint_eq(check_layout(&s, 8), 8);
	scr_key(&s, '3'); /* 5: the reveal, in the ISR */
	ck_assert_uint_eq(check_layout(&s, 8), 8);
	has(&s, "CPU0 IRQL 5 DIRQL    app > ISR NIC");
	scr_close(&s);
}
END_TEST

/* 64 CPUs at 160x48: one-line rows (64 * 3 + 4 rows do not fit). */
START_TEST(test_scaling_64_cpus_160x48)
{
	struct scr s;
	scr_open(&s, L02, 64, 160, 48);
	ck_assert_uint_eq(check_layout(&s, 64), 0);
	scr_close(&s);
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
	tc = tcase_create("scaling");
	tcase_add_loop_test(tc, test_scaling_80x24, 0,
			    (int)(sizeof(scaling_cpus) / sizeof(scaling_cpus[0])));
	tcase_add_test(tc, test_scaling_8_cpus_160x48);
	tcase_add_test(tc, test_scaling_64_cpus_160x48);
	tcase_add_test(tc, test_values_80x24);
	tcase_add_test(tc, test_values_160x48);
	suite_add_tcase(s, tc);
	return s;
}
