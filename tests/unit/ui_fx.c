/*
 * ui_fx.c - the screen-test harness (ui_fx.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "script_fx.h"
#include "ui_fx.h"


static void scr_story_line(void *ctx, enum story_line_kind kind, const char *text)
{
	if (kind == STORY_EVENT)
		return; /* as in ui_app.c: the log pane narrates the trace */
	ui_story_line(ctx, text);
}

/* Open lesson `path` (cpus 0: the lesson's own count) on a w x h grid. */
void scr_open(struct scr *s, const char *path, unsigned cpus, int w, int h)
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
void scr_open_src(struct scr *s, const char *src, int w, int h)
{
	char path[64];
	sfx_write(path, src);
	scr_open(s, path, 0, w, h);
	unlink(path); /* the runtime keeps the text */
}

void scr_close(struct scr *s)
{
	story_finish(s->u.story);
	rt_close(s->u.rt);
	for (unsigned i = 0; i < s->u.nstory; i++)
		free(s->u.story_lines[i]);
	ui_grid_free(&s->u.grid);
}

/* A key, handed to the current screen as ui_app.c's key() does. */
void scr_key(struct scr *s, int k)
{
	ui_screen_keypress(&s->u, k);
}

void scr_keys(struct scr *s, const char *keys)
{
	for (const char *k = keys; *k; k++)
		scr_key(s, *k);
}

/* Draw the current screen as the program does. */
void scr_draw(struct scr *s)
{
	ui_screen_draw(&s->u);
}

/* The grid as text (malloc'd). */
char *grid_text(const struct ui_grid *g)
{
	size_t n = ui_grid_text(g, NULL, 0);
	char *buf = malloc(n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(ui_grid_text(g, buf, n + 1), n);
	return buf;
}

/* Draw and return the screen as text (malloc'd). */
char *scr_text(struct scr *s)
{
	scr_draw(s);
	return grid_text(&s->u.grid);
}

/* Row y of the drawn grid, trailing blanks trimmed. */
const char *row(struct scr *s, int y)
{
	static char buf[4096];
	ui_grid_row_text(&s->u.grid, y, buf, sizeof(buf));
	return buf;
}

/* The code point at (x, y). */
uint32_t cell(struct scr *s, int x, int y)
{
	struct ui_cell *c = ui_grid_cell(&s->u.grid, x, y);
	ck_assert_msg(c != NULL, "cell (%d, %d) is outside the %dx%d grid", x, y, s->u.grid.w,
		      s->u.grid.h);
	return c->ch;
}


/* Draw the screen and compare it with tests/golden/ui/NAME.txt (or
 * write that file when DT_UPDATE_GOLDENS=1): see golden_fx.h. */
void golden(struct scr *s, const char *name)
{
	char *text = scr_text(s);
	golden_match(name, text, s->u.grid.w, s->u.grid.h, "ui_screens (or ui_scale, ui_panes)");
	free(text);
}

/* The screen must contain needle (a plain substring). */
void has(struct scr *s, const char *needle)
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
char *screen_words(struct scr *s)
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
void readable(struct scr *s, const char *what, const char *sentence)
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

void all_readable(struct scr *s, const char *screen)
{
	ck_assert_msg(s->unreadable[0] == '\0',
		      "%dx%d, the %s: not readable whole (cut at an edge; the screen is on "
		      "stderr):%s", s->u.grid.w, s->u.grid.h, screen, s->unreadable);
}

/* Space until a question is asked (at most max keys). */
void until_asking(struct scr *s, int max)
{
	for (int i = 0; i < max && !s->u.asking; i++)
		scr_key(s, ' ');
	ck_assert_msg(s->u.asking, "no question after %d Space keys", max);
}

