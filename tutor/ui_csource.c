/*
 * ui_csource.c - the C view: the C a lesson gives for its callbacks
 * (c_source on WdfInterruptCreate's config and on thread{}), in the pane
 * under the CPUs, where the second press of s puts it after the Lua.
 *
 * The callback a CPU is running comes first, its header marked >N for
 * that CPU (the lowest such CPU), so the C of the code on screen is what
 * the student reads; the others follow in declaration order.  The Lua's
 * line numbers do not map to C lines, so the marker is on the header.
 */
#include <stdio.h>
#include <string.h>

#include "ui_int.h"

int ui_has_c_source(struct ui *u)
{
	for (unsigned i = 0; i < rt_ncallbacks(u->rt); i++)
		if (rt_callback(u->rt, i)->c_source)
			return 1;
	return 0;
}

/* The callback a CPU's top frame runs, DT_NO_CALLBACK when none is known. */
static uint32_t running_callback(const struct dt_state *st, unsigned cpu)
{
	const struct dt_cpu *c = &st->cpus[cpu];
	if (!c->nframes)
		return DT_NO_CALLBACK;
	const struct dt_frame *f = &c->frames[c->nframes - 1];
	switch (f->kind) {
	case DT_FRAME_ISR:
		return st->interrupts[f->object].isr;
	case DT_FRAME_DPC:
		return st->dpcs[f->object].routine;
	case DT_FRAME_THREAD: {
		const struct dt_thread *t = &st->threads[f->object];
		if (t->kind == DT_THREAD_WORKER && t->interrupt != DT_NONE)
			return st->interrupts[t->interrupt].work_item;
		if (t->kind == DT_THREAD_PASSIVE_ISR && t->interrupt != DT_NONE)
			return st->interrupts[t->interrupt].isr;
		return t->callback;
	}
	default:
		return DT_NO_CALLBACK; /* a trap, or a callback under the lock */
	}
}

/* One callback's C from row y: a header, then its lines cut to the pane. */
static int draw_one(struct ui *u, const struct dt_state *st, uint32_t id, int mark_cpu, int x,
		    int y, int w, int ymax)
{
	struct ui_grid *g = &u->grid;
	const struct rt_callback *cb = rt_callback(u->rt, id);
	char head[128];
	const char *dev = "";
	if (cb->interrupt != DT_NONE && cb->interrupt < st->ninterrupts)
		dev = dt_machine_string(rt_machine(u->rt),
					st->devices[st->interrupts[cb->interrupt].device].name);
	if (mark_cpu >= 0)
		snprintf(head, sizeof(head), ">%d C: %s %s", mark_cpu, cb->name, dev);
	else
		snprintf(head, sizeof(head), "   C: %s %s", cb->name, dev);
	if (y < ymax)
		ui_put_fit(g, x, y++, w, mark_cpu >= 0 ? UI_S_SELECTED : UI_S_TITLE, head);
	for (const char *p = cb->c_source; *p && y < ymax; y++) {
		const char *eol = strchr(p, '\n');
		int len = eol ? (int)(eol - p) : (int)strlen(p);
		char line[512];
		snprintf(line, sizeof(line), "%.*s", len < 500 ? len : 500, p);
		for (char *t = line; *t; t++)
			if (*t == '\t')
				*t = ' '; /* a tab is a control character to the grid */
		ui_put_fit(g, x + 3, y, w - 3, mark_cpu >= 0 ? UI_S_BOLD : UI_S_NORMAL, line);
		p = eol ? eol + 1 : p + len;
	}
	return y;
}

void ui_csource_draw(struct ui *u, const struct dt_state *st, int x, int y, int w, int ymax)
{
	uint32_t focus = DT_NO_CALLBACK;
	int focus_cpu = -1;
	for (unsigned c = 0; c < st->ncpus && focus == DT_NO_CALLBACK; c++) {
		uint32_t id = running_callback(st, c);
		if (id != DT_NO_CALLBACK && id < rt_ncallbacks(u->rt) &&
		    rt_callback(u->rt, id)->c_source) {
			focus = id;
			focus_cpu = (int)c;
		}
	}
	if (focus != DT_NO_CALLBACK)
		y = draw_one(u, st, focus, focus_cpu, x, y, w, ymax);
	for (unsigned i = 0; i < rt_ncallbacks(u->rt) && y < ymax; i++)
		if (i != focus && rt_callback(u->rt, i)->c_source)
			y = draw_one(u, st, i, -1, x, y, w, ymax);
}
