/*
 * ui_timeline.c - T: per-CPU lanes over the global step axis, and the
 * small strip the lesson screen shows under its panes when the terminal
 * has rows to spare.
 *
 * Each cell is one step of one CPU (timeline.h): the band's letter in the
 * band's style (I ISR, D DPC, W work item, T thread, ...), so the meaning
 * never rests on colour alone, and a glyph where that step's queue call
 * returned FALSE or a DPC was dequeued.  The window scrolls with the
 * cursor, the viewed step, which b/f (Left/Right) move as on the lesson
 * screen; its column is highlighted and, on the full screen, marked with
 * ^ under the lanes and explained below them with the step's log lines.
 */
#include <stdio.h>
#include <string.h>

#include "narrate.h"
#include "timeline.h"
#include "ui_int.h"
#include "ui_term.h"

#define LABEL_W 6 /* "CPU12 " */

static enum ui_style band_style(enum tl_band b)
{
	switch (b) {
	case TL_ISR:
	case TL_LOCKED:
		return UI_S_ISR;
	case TL_SPIN:
		return UI_S_WARN;
	case TL_DPC:
		return UI_S_DPC;
	case TL_WORKITEM:
		return UI_S_WORKITEM;
	case TL_THREAD:
	case TL_PASSIVE_ISR:
		return UI_S_THREAD;
	default:
		return UI_S_DIM;
	}
}

/* The first step shown in `cols` columns so the cursor stays in view. */
static size_t window_first(size_t head, size_t cursor, int cols)
{
	if (cols <= 0 || head <= (size_t)cols)
		return 1;
	size_t lead = (size_t)cols * 2 / 3; /* the cursor sits two thirds in */
	size_t first = cursor > lead ? cursor - lead + 1 : 1;
	if (first + (size_t)cols - 1 > head)
		first = head - (size_t)cols + 1;
	return first;
}

/* One cell: a mark's glyph, or the band's letter (idle: a dot). */
static void put_cell(struct ui_grid *g, int x, int y, const struct tl_cell *c, int at_cursor)
{
	enum ui_style st = band_style(c->band);
	uint32_t ch = (uint32_t)tl_band_letter(c->band);
	if (c->band == TL_IDLE)
		ch = g->ascii ? '.' : 0x00B7;
	if (c->mark == TL_MARK_FALSE) {
		ch = ui_glyph(g, UI_G_FALSE_MARK);
		st = UI_S_FALSE;
	} else if (c->mark == TL_MARK_DEQUEUE) {
		ch = ui_glyph(g, UI_G_DEQUEUE_MARK);
		st = UI_S_DPC;
	}
	ui_set(g, x, y, at_cursor ? UI_S_SELECTED : st, ch);
}

/* Lanes of CPUs cpu0.. (at most `rows`) from (x, y), `cols` steps wide;
 * returns the first step shown. */
static size_t draw_lanes(struct ui *u, int x, int y, int cols, unsigned cpu0, int rows)
{
	struct ui_grid *g = &u->grid;
	struct dt_session *s = rt_session(u->rt);
	size_t head = dt_session_head(s), cursor = dt_session_cursor(s);
	size_t first = window_first(head, cursor, cols);
	struct timeline tl;
	if (tl_build(s, first, (size_t)cols, &tl))
		return first;
	for (int r = 0; r < rows && cpu0 + (unsigned)r < tl.ncpus; r++) {
		unsigned c = cpu0 + (unsigned)r;
		ui_putf(g, x, y + r, UI_S_BOLD, "CPU%u", c);
		for (size_t k = 0; k < tl.nsteps; k++)
			put_cell(g, x + LABEL_W + (int)k, y + r, tl_cell(&tl, c, first + k),
				 first + k == cursor);
	}
	tl_free(&tl);
	return first;
}

/* The step numbers over the lanes: a number at every tenth step. */
static void draw_ruler(struct ui_grid *g, int x, int y, int cols, size_t first, size_t head)
{
	ui_put(g, x, y, UI_S_DIM, "step");
	for (int k = 0; k < cols; k++) {
		size_t step = first + (size_t)k;
		if (step > head)
			break;
		if (step % 10 == 0 || (k == 0 && step % 10 < 7)) {
			char num[24];
			int n = snprintf(num, sizeof(num), "%zu", step);
			if (k + n <= cols)
				ui_put(g, x + LABEL_W + k, y, UI_S_DIM, num);
			k += n;
		}
	}
}

/* The legend, item by item: a glyph is never parted from its meaning.
 * Returns the next free row. */
static int draw_legend(struct ui_grid *g, int y)
{
	static const char *const bands[] = { "I ISR", "L under the interrupt lock", "D DPC",
					     "W work item", "P passive ISR", "T thread",
					     "S spins" };
	char items[10][48];
	unsigned n = 0;
	for (unsigned i = 0; i < sizeof(bands) / sizeof(bands[0]); i++)
		snprintf(items[n++], sizeof(items[0]), "%s", bands[i]);
	snprintf(items[n++], sizeof(items[0]), "%s idle", g->ascii ? "." : "\u00b7");
	snprintf(items[n++], sizeof(items[0]), "%s queue call returned FALSE",
		 g->ascii ? "F" : "\u00d7");
	snprintf(items[n++], sizeof(items[0]), "%s DPC dequeued", g->ascii ? "v" : "\u2193");
	int x = 1;
	for (unsigned i = 0; i < n; i++) {
		int len = ui_text_cols(items[i]);
		if (x > 1 && x + len > g->w - 1) {
			y++;
			x = 1;
		}
		ui_put(g, x, y, UI_S_DIM, items[i]);
		x += len + 2;
	}
	return y + 1;
}

void ui_timeline_draw(struct ui *u)
{
	struct ui_grid *g = &u->grid;
	struct dt_session *s = rt_session(u->rt);
	const unsigned ncpus = dt_session_view(s)->ncpus;
	size_t head = dt_session_head(s), cursor = dt_session_cursor(s);
	int cols = g->w - LABEL_W - 1;
	/* Lanes get what the legend, the ruler and the step's lines leave. */
	int lanes = g->h - 12;
	if (lanes > (int)ncpus)
		lanes = (int)ncpus;
	if (u->scroll > (int)ncpus - lanes)
		u->scroll = (int)ncpus - lanes;
	if (u->scroll < 0)
		u->scroll = 0;
	ui_fill(g, 0, 0, g->w, 1, ' ', UI_S_TITLE);
	ui_putf(g, 0, 0, UI_S_TITLE, " timeline (T): step %zu/%zu", cursor, head);
	size_t first = draw_lanes(u, 0, 2, cols, (unsigned)u->scroll, lanes);
	draw_ruler(g, 0, 1, cols, first, head);
	int y = 2 + lanes;
	if (lanes < (int)ncpus)
		ui_putf(g, 0, y++, UI_S_DIM, "CPU%d..CPU%d of %u; Up/Down shows the others",
			u->scroll, u->scroll + lanes - 1, ncpus);
	if (cursor >= first && cursor < first + (size_t)cols) {
		char label[32];
		int at = LABEL_W + (int)(cursor - first);
		int n = snprintf(label, sizeof(label), "^ step %zu", cursor);
		if (at + n > g->w) /* near the right edge: the label ends at the caret */
			ui_putf(g, at - n + 1, y, UI_S_BOLD, "step %zu ^", cursor);
		else
			ui_put(g, at, y, UI_S_BOLD, label);
	}
	else if (!cursor)
		ui_put(g, LABEL_W, y, UI_S_DIM, "step 0: the start, before any step");
	y += 2;
	y = draw_legend(g, y) + 1;
	/* What happened at the cursor's step, as the log tells it. */
	size_t nt;
	const struct dt_trace_event *t = dt_session_trace(s, &nt);
	size_t k = nt;
	while (k > 0 && t[k - 1].step == cursor)
		k--;
	for (; k < nt && y < g->h - 1; k++) {
		char line[512];
		if (!ui_event_shown(u, &t[k]) ||
		    narrate_event(rt_machine(u->rt), &t[k], line, sizeof(line)) == 0)
			continue;
		enum ui_style st = t[k].kind == DT_EV_QUEUE_DPC && !t[k].result ? UI_S_FALSE :
				   UI_S_NORMAL;
		int ls[8], ll[8], nl = ui_wrap(line, g->w - 7, ls, ll, 8);
		if (y + nl > g->h - 1)
			break; /* a line that does not fit whole is left out */
		for (int i = 0; i < nl; i++) {
			if (i == 0)
				ui_putf(g, 1, y++, st, "%4zu %.*s", cursor, ll[0], line + ls[0]);
			else
				ui_putf(g, 6, y++, st, "%.*s", ll[i], line + ls[i]);
		}
	}
	const char *always = " q quit ";
	ui_fill(g, 0, g->h - 1, g->w, 1, ' ', UI_S_FOOTER);
	ui_put(g, 0, g->h - 1, UI_S_FOOTER, " b/f back/redo  Up/Down CPUs  Esc back");
	ui_put(g, g->w - (int)strlen(always), g->h - 1, UI_S_KEY, always);
}

void ui_timeline_key(struct ui *u, int key)
{
	struct dt_session *s = rt_session(u->rt);
	switch (key) {
	case 'b':
	case UI_KEY_LEFT:
		dt_session_back(s);
		break;
	case 'f':
	case UI_KEY_RIGHT:
		dt_session_redo(s);
		break;
	case UI_KEY_UP:
	case 'k':
		if (u->scroll > 0)
			u->scroll--;
		break;
	case UI_KEY_DOWN:
	case 'j':
		u->scroll++; /* clamped at the next draw */
		break;
	default:
		ui_pane_key(u, key);
		break;
	}
}

/* Rows the strip takes on the lesson screen: up to 4 lanes and a title
 * row, shown only on terminals with that many rows beyond 24. */
int ui_timeline_strip_rows(const struct ui *u)
{
	const struct dt_state *st = dt_machine_state(rt_machine(u->rt));
	int rows = (st->ncpus < 4 ? (int)st->ncpus : 4) + 1;
	return u->grid.h - 24 >= rows && u->grid.w >= 80 ? rows : 0;
}

void ui_timeline_strip_draw(struct ui *u, int y, int rows)
{
	struct ui_grid *g = &u->grid;
	ui_hline(g, 0, y, g->w, UI_S_DIM);
	ui_put(g, 2, y, UI_S_DIM, " timeline: T full screen, legend and more CPUs ");
	draw_lanes(u, 0, y + 1, g->w - LABEL_W - 1, 0, rows - 1);
}
