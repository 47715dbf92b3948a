/*
 * ui_demo_draw.c - the demo's screen: the zoom layout (ui_layout.h) of
 * fewer, larger panes for a projector, or the full lesson screen with the
 * demo's line under it (z switches).  In zoom the objects pane is left
 * out (the shared values keep a row of their own) and the story, the log
 * and the presenter's notes run the whole width.
 */
#include <stdio.h>
#include <string.h>

#include "ui_demo.h"
#include "ui_int.h"
#include "ui_layout.h"

static const char *act_name(const struct ui_demo *d)
{
	static const char *const names[] = { "story", "break", "counterexample", "end" };
	return names[d->act];
}

static void draw_title(struct ui *u, const struct ui_demo *d)
{
	struct ui_grid *g = &u->grid;
	struct dt_session *s = rt_session(u->rt);
	char right[80], speed[16];
	ui_demo_speed_text(d->speed, speed, sizeof(speed));
	int n = snprintf(right, sizeof(right), " %s  mark %u/%u  %s  speed %s  step %zu/%zu ",
			 act_name(d), d->marks_seen, d->sheet.nmarks, d->playing ? "playing" : "paused",
			 speed, dt_session_cursor(s), dt_session_head(s));
	ui_fill(g, 0, 0, g->w, 1, ' ', UI_S_TITLE);
	ui_putn(g, 0, 0, g->w - n, UI_S_TITLE, " DEMO ");
	ui_put_fit(g, 6, 0, g->w - n - 6, UI_S_TITLE, rt_lesson(u->rt)->title);
	ui_put(g, g->w - n, 0, UI_S_TITLE, right);
}

static void draw_cpus(struct ui *u, const struct dt_state *st, const struct ui_zoom_layout *l)
{
	struct ui_grid *g = &u->grid;
	if (!l->boxed)
		ui_box(g, 0, l->cpu_y, g->w, l->rows + 2, UI_S_DIM, "CPUs");
	for (unsigned i = 0; i < l->shown && i < st->ncpus; i++) {
		int col = (int)i % l->cols, r = (int)i / l->cols;
		if (l->boxed) {
			int x = col * (l->col_w + 1), y = l->cpu_y + r * UI_ZOOM_CPU_BOX_H;
			ui_box(g, x, y, l->col_w, UI_ZOOM_CPU_BOX_H, UI_S_DIM, NULL);
			ui_draw_cpu(u, st, i, x + 2, y + 1, l->col_w - 4, 0);
		} else {
			ui_draw_cpu(u, st, i, 1 + col * (l->col_w + 1), l->cpu_y + 1 + r, l->col_w, 1);
		}
	}
}

/* The shared values on one row, and the variant the counterexample builds. */
static void draw_values(struct ui *u, const struct dt_state *st, const struct ui_demo *d, int y)
{
	struct ui_grid *g = &u->grid;
	int at = 1;
	if (d->act >= DEMO_COUNTER)
		at += ui_putf(g, at, y, UI_S_WARN, "variant '%s'  ", d->sheet.broken);
	if (st->nvars)
		at += ui_put(g, at, y, UI_S_DIM, "values:");
	for (unsigned v = 0; v < st->nvars && at < g->w - 1; v++) {
		char val[32];
		ui_value_text(rt_machine(u->rt), &st->vars[v].value, val, sizeof(val));
		at += ui_putf(g, at, y, UI_S_BOLD, " %s=%s",
			      dt_machine_string(rt_machine(u->rt), st->vars[v].name), val);
	}
}

static void draw_notes(struct ui *u, const struct ui_demo *d, const struct ui_zoom_layout *l)
{
	struct ui_grid *g = &u->grid;
	int starts[8], lens[8];
	ui_box(g, 0, l->notes_y, g->w, l->notes_h, UI_S_DIM, "presenter notes (N hides)");
	int n = ui_wrap(d->sheet.notes, g->w - 4, starts, lens, 8);
	for (int i = 0; i < n && i < l->notes_h - 2; i++)
		ui_putf(g, 2, l->notes_y + 1 + i, UI_S_STORY, "%.*s", lens[i],
			d->sheet.notes + starts[i]);
}

static void draw_footer(struct ui *u)
{
	static const char *const keys[] = { "Spc play", "PgDn/PgUp mark", "+/- speed",
					    "b/f step", "z zoom", "N notes", NULL };
	ui_draw_footer_keys(u, keys);
}

/* The demo's line (or the lesson's status, which says more) above the footer. */
static void draw_say(struct ui *u, const struct ui_demo *d)
{
	struct ui_grid *g = &u->grid;
	int y = g->h - 2;
	if (u->prompt)
		return; /* the lesson screen's prompt owns the row */
	ui_fill(g, 0, y, g->w, 1, ' ', UI_S_NORMAL);
	if (u->status[0])
		ui_putn(g, 0, y, g->w, UI_S_WARN, u->status);
	else
		ui_putn(g, 0, y, g->w, UI_S_BOLD, d->say);
}

static void draw_zoom(struct ui *u, const struct ui_demo *d)
{
	struct ui_grid *g = &u->grid;
	const struct dt_state *st = dt_session_view(rt_session(u->rt));
	struct ui_zoom_layout l;
	int notes = d->show_notes && d->sheet.notes[0];
	ui_zoom_layout(g->w, g->h, st->ncpus, notes, &l);
	draw_title(u, d);
	draw_cpus(u, st, &l);
	draw_values(u, st, d, l.values_y);
	if (d->act == DEMO_STORY || d->act == DEMO_BREAK || !d->counter_steps) {
		int log_h = l.text_h >= 12 ? l.text_h * 2 / 5 : 4;
		ui_draw_story_box(u, 0, l.text_y, g->w, l.text_h - log_h, "story");
		ui_draw_log_box(u, 0, l.text_y + l.text_h - log_h, g->w, log_h, "log");
	} else {
		int story_h = 4;
		char title[80];
		snprintf(title, sizeof(title), "how it breaks: %zu steps", d->counter_steps);
		ui_draw_story_box(u, 0, l.text_y, g->w, story_h, "counterexample");
		ui_draw_log_box(u, 0, l.text_y + story_h, g->w, l.text_h - story_h, title);
	}
	if (notes)
		draw_notes(u, d, &l);
	draw_say(u, d);
	draw_footer(u);
}

void ui_demo_draw(struct ui *u)
{
	const struct ui_demo *d = u->demo;
	if (d && d->zoom) {
		draw_zoom(u, d);
		return;
	}
	ui_lesson_draw(u);
	if (!d)
		return;
	draw_say(u, d);
	if (!u->prompt && !u->asking) /* Space and the marks keys are the demo's here too */
		draw_footer(u);
}
