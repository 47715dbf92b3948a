/*
 * ui_lesson.c - the lesson screen: CPU panes, DPC queues, interrupt
 * objects, threads, watched values, the story pane, the narrated log and
 * the key footer, all drawn from the viewed step's snapshot.
 *
 * Keys: Space follows the story one piece at a time (Enter to the next
 * pause); 1..9 answer a question; 0..9 step a CPU, c<number><Enter> any
 * CPU (leaving the story first asks); b/Left and f/Right move through the past and the recorded
 * future; e fires a device event; t dispatches a thread; g runs to the
 * end; j jumps to a step; R restarts; s cycles the source views; h shows
 * the next hint; T, d, G, K open the timeline, the debugger panel, the
 * glossary and the rule cards; m the lesson menu; ? help; q quits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dt_sched.h"
#include "narrate.h"
#include "ui_int.h"
#include "ui_layout.h"
#include "ui_term.h"



static const struct dt_state *view(struct ui *u)
{
	return dt_session_view(rt_session(u->rt));
}

static unsigned irql_style(unsigned irql)
{
	if (irql == DT_PASSIVE_LEVEL)
		return UI_S_PASSIVE;
	if (irql <= DT_DISPATCH_LEVEL)
		return UI_S_DISPATCH;
	if (irql <= DT_DIRQL_MAX)
		return UI_S_DIRQL;
	return UI_S_HIGH;
}

static const char *irql_short(unsigned irql)
{
	static const char *const names[] = { "PASSIVE", "APC", "DISPATCH" };
	return irql <= 2 ? names[irql] : irql <= DT_DIRQL_MAX ? "DIRQL" : "HIGH";
}

/* The name of a frame's object: "ISR nic", "DPC nic", "thread app". */
static void frame_name(struct ui *u, const struct dt_state *st, const struct dt_frame *f,
		       char *buf, size_t size)
{
	struct dt_machine *m = rt_machine(u->rt);
	char obj[64];
	switch (f->kind) {
	case DT_FRAME_ISR:
	case DT_FRAME_TRAP:
	case DT_FRAME_SYNC:
		snprintf(obj, sizeof(obj), "%s",
			 dt_machine_string(m, st->devices[st->interrupts[f->object].device].name));
		snprintf(buf, size, "%s %.40s",
			 f->kind == DT_FRAME_ISR ? "ISR" : f->kind == DT_FRAME_TRAP ? "trap" : "sync",
			 obj);
		break;
	case DT_FRAME_DPC: {
		const struct dt_dpc *d = &st->dpcs[f->object];
		if (d->interrupt != DT_NONE)
			snprintf(buf, size, "DPC %s",
				 dt_machine_string(m, st->devices[st->interrupts[d->interrupt].device].name));
		else
			snprintf(buf, size, "KDPC %u", f->object);
		break;
	}
	default:
		snprintf(buf, size, "%s", dt_machine_string(m, st->threads[f->object].name));
		break;
	}
}

/* What the CPU will do next, in words. */
static void next_text(struct ui *u, const struct dt_state *st, unsigned cpu, char *buf,
		      size_t size)
{
	const struct dt_cpu *c = &st->cpus[cpu];
	struct dt_machine *m = rt_machine(u->rt);
	const struct dt_frame *f = c->nframes ? &c->frames[c->nframes - 1] : NULL;
	if (!f) {
		snprintf(buf, size, c->qlen ? "drain its DPC queue" :
				   c->npending ? "take a pending interrupt" : "idle");
		return;
	}
	switch (f->state) {
	case DT_FS_SPINNING:
		snprintf(buf, size, "spins: lock held by CPU %d",
			 st->locks[f->spin_lock].owner_cpu);
		return;
	case DT_FS_RETURNED:
		snprintf(buf, size, "return");
		return;
	default:
		break;
	}
	const char *name = rt_call_name(f->op.kind);
	switch (f->op.kind) {
	case DT_OP_READ_SHARED:
		snprintf(buf, size, "read %s", dt_machine_string(m, st->vars[f->op.index].name));
		break;
	case DT_OP_WRITE_SHARED:
		snprintf(buf, size, "write %s", dt_machine_string(m, st->vars[f->op.index].name));
		break;
	case DT_OP_STEP:
		snprintf(buf, size, "step \"%s\"", dt_machine_string(m, f->op.label));
		break;
	case DT_OP_WRITE_REGISTER:
		snprintf(buf, size, "WRITE_REGISTER_ULONG");
		break;
	case DT_OP_INTR_ACQUIRE_LOCK:
		snprintf(buf, size, "WdfInterruptAcquireLock");
		break;
	case DT_OP_INTR_RELEASE_LOCK:
		snprintf(buf, size, "WdfInterruptReleaseLock");
		break;
	case DT_OP_SPINLOCK_ACQUIRE:
		snprintf(buf, size, "WdfSpinLockAcquire");
		break;
	case DT_OP_SPINLOCK_RELEASE:
		snprintf(buf, size, "WdfSpinLockRelease");
		break;
	default:
		snprintf(buf, size, "%s", strcmp(name, "?") ? name : "an operation");
		break;
	}
	if (f->op.pos.line) {
		size_t n = strlen(buf);
		snprintf(buf + n, size - n, "  :%u", f->op.pos.line);
	}
}

int ui_draw_cpu(struct ui *u, const struct dt_state *st, unsigned cpu, int x, int y, int w,
		int compact)
{
	struct ui_grid *g = &u->grid;
	const struct dt_cpu *c = &st->cpus[cpu];
	char buf[256], fr[64];
	int at = x;
	at += ui_putf(g, at, y, UI_S_BOLD, "CPU%u ", cpu);
	if (st->sw.umdf && c->irql == DT_PASSIVE_LEVEL) /* R80: no IRQL in user mode */
		at += ui_putf(g, at, y, UI_S_NORMAL, "%-15s", "user mode");
	else
		at += ui_putf(g, at, y, irql_style(c->irql), "IRQL %u %-8s", c->irql,
			      irql_short(c->irql));
	for (unsigned i = 0; i < c->nframes && at < x + w - 4; i++) {
		const struct dt_frame *f = &c->frames[i];
		unsigned st_style = f->kind == DT_FRAME_DPC ? UI_S_DPC :
				    f->kind == DT_FRAME_THREAD ? UI_S_THREAD : UI_S_ISR;
		frame_name(u, st, f, fr, sizeof(fr));
		at += ui_putf(g, at, y, UI_S_DIM, "%s", i ? " > " : " ");
		at += ui_putf(g, at, y, st_style, "%s", fr);
	}
	if (!c->nframes)
		ui_put(g, at, y, UI_S_DIM, " idle");
	if (compact)
		return 1;
	next_text(u, st, cpu, buf, sizeof(buf));
	ui_putf(g, x + 2, y + 1, dt_cpu_can_step(rt_machine(u->rt), cpu) && st == dt_machine_state(rt_machine(u->rt)) ? UI_S_NORMAL : UI_S_DIM,
		"next: %.*s", w - 9, buf);
	at = x + 2;
	at += ui_put(g, at, y + 2, UI_S_DIM, "queue:");
	if (!c->qlen)
		at += ui_put(g, at, y + 2, UI_S_DIM, " -");
	for (unsigned i = 0; i < c->qlen && at < x + w - 10; i++) {
		const struct dt_dpc *d = &st->dpcs[c->queue[i]];
		const char *dn = d->interrupt != DT_NONE
			? dt_machine_string(rt_machine(u->rt),
					    st->devices[st->interrupts[d->interrupt].device].name)
			: "KDPC";
		at += ui_putf(g, at, y + 2, UI_S_DPC, " %s", dn);
	}
	if (c->npending) {
		at += ui_put(g, at, y + 2, UI_S_DIM, "  pending:");
		for (unsigned i = 0; i < c->npending && at < x + w - 8; i++)
			at += ui_putf(g, at, y + 2, UI_S_ISR, " %s",
				      dt_machine_string(rt_machine(u->rt),
							st->devices[st->interrupts[c->pending[i].interrupt].device].name));
	}
	return 3;
}

/* The CPU panes where the layout puts them, column by column, and the
 * note on the CPUs that did not fit. */
/* The lesson screen's layout for this terminal and machine, as drawn and
 * as clicked: the timeline strip takes its rows off the bottom first (tall
 * terminals only), the panes are laid out in what is left. */
static void lesson_layout(struct ui *u, const struct dt_state *st, struct ui_lesson_layout *l)
{
	ui_lesson_layout(u->grid.w, u->grid.h - ui_timeline_strip_rows(u), st->ncpus,
			 st->ninterrupts + st->nthreads, u->focus_cpu, l);
}

static void draw_cpus(struct ui *u, const struct dt_state *st, const struct ui_lesson_layout *l)
{
	struct ui_grid *g = &u->grid;
	int pane_h = l->full ? UI_CPU_FULL_ROWS : 1;
	for (unsigned i = 0; i < l->shown; i++) {
		int col = (int)i / l->rows_per_col, r = (int)i % l->rows_per_col;
		ui_draw_cpu(u, st, l->first + i, col * (l->col_w + 1), 1 + r * pane_h, l->col_w,
			 !l->full);
	}
	if (!l->note)
		return;
	unsigned above = l->first, below = st->ncpus - l->first - l->shown;
	int y = l->rule_y - 1;
	if (above && below)
		ui_putf(g, 0, y, UI_S_DIM, "... %u more: CPU0-%u above, CPU%u-%u below",
			above + below, above - 1, l->first + l->shown, st->ncpus - 1);
	else
		ui_putf(g, 0, y, UI_S_DIM, "... %u more CPUs not shown (CPU%u..CPU%u)",
			above + below, above ? 0u : l->shown, above ? above - 1 : (unsigned)st->ncpus - 1);
}

void ui_value_text(struct dt_machine *m, const struct dt_value *dv, char *val, size_t size)
{
	if (dv->kind == DT_VAL_BOOL)
		snprintf(val, size, "%s", dv->u.i ? "true" : "false");
	else if (dv->kind == DT_VAL_INT)
		snprintf(val, size, "%lld", (long long)dv->u.i);
	else if (dv->kind == DT_VAL_STRING)
		snprintf(val, size, "%s", dt_machine_string(m, dv->u.str));
	else
		snprintf(val, size, "%g", dv->u.n);
}

static int draw_objects(struct ui *u, const struct dt_state *st, int x, int y, int w, int ymax)
{
	struct ui_grid *g = &u->grid;
	struct dt_machine *m = rt_machine(u->rt);
	int row = y;
	for (unsigned i = 0; i < st->ninterrupts && row < ymax; i++, row++) {
		const struct dt_interrupt *in = &st->interrupts[i];
		const struct dt_dpc *d = &st->dpcs[in->dpc];
		const struct dt_lock *l = &st->locks[in->lock];
		char lock[24];
		if (l->owner_cpu >= 0)
			snprintf(lock, sizeof(lock), "CPU%d", l->owner_cpu);
		else if (l->owner_thread >= 0)
			snprintf(lock, sizeof(lock), "%s",
				 dt_machine_string(m, st->threads[l->owner_thread].name));
		else
			snprintf(lock, sizeof(lock), "free");
		char q[24];
		if (d->inserted)
			snprintf(q, sizeof(q), "queued CPU%d", d->queue_cpu);
		else
			snprintf(q, sizeof(q), "not queued");
		ui_putf(g, x, row, UI_S_NORMAL, "%-6.6s DPC %-11s run %u T%u F%u lock %s",
			dt_machine_string(m, st->devices[in->device].name), q, d->running,
			in->queue_true, in->queue_false, lock);
	}
	for (unsigned t = 0; t < st->nthreads && row < ymax; t++, row++) {
		const struct dt_thread *th = &st->threads[t];
		static const char *const states[] = { "?", "ready", "running", "blocked", "idle",
						      "done" };
		ui_putf(g, x, row, UI_S_THREAD, "%-12.12s %s", dt_machine_string(m, th->name),
			th->state <= 5 ? states[th->state] : "?");
		if (th->state == DT_TS_RUNNING)
			ui_putf(g, x + 22, row, UI_S_DIM, "on CPU%d", th->cpu);
	}
	if (row < ymax && st->nvars) {
		int at = x;
		at += ui_put(g, at, row, UI_S_DIM, "values:");
		for (unsigned v = 0; v < st->nvars && row < ymax; v++) {
			char val[32];
			ui_value_text(m, &st->vars[v].value, val, sizeof(val));
			char item[80];
			int len = snprintf(item, sizeof(item), " %s=%s",
					   dt_machine_string(m, st->vars[v].name), val);
			if (at + len > x + w && at > x + 7) { /* wrap onto the next row */
				if (++row >= ymax)
					break;
				at = x + 7;
			}
			at += ui_putn(g, at, row, x + w - at, UI_S_BOLD, item);
		}
		row++;
	}
	return row - y;
}

int ui_event_shown(struct ui *u, const struct dt_trace_event *e)
{
	(void)u;
	return e->kind != DT_EV_GET_IRQL && e->kind != DT_EV_GET_PROCESSOR;
}

/* The lesson's source around `line`, with a marker per CPU stopped in it. */
static void draw_source(struct ui *u, const struct dt_state *st, int x, int y, int w, int ymax)
{
	struct ui_grid *g = &u->grid;
	const char *src = rt_source(u->rt);
	unsigned focus = 0;
	for (unsigned c = 0; c < st->ncpus && !focus; c++)
		if (st->cpus[c].nframes)
			focus = st->cpus[c].frames[st->cpus[c].nframes - 1].op.pos.line;
	int rows = ymax - y;
	unsigned first = focus > (unsigned)rows / 2 ? focus - (unsigned)rows / 2 : 1;
	unsigned line = 1;
	const char *p = src;
	while (*p && line < first) {
		if (*p++ == '\n')
			line++;
	}
	for (int row = y; row < ymax && *p; row++, line++) {
		const char *eol = strchr(p, '\n');
		int len = eol ? (int)(eol - p) : (int)strlen(p);
		char mark[8] = "   ";
		for (unsigned c = 0; c < st->ncpus; c++) {
			const struct dt_cpu *cp = &st->cpus[c];
			if (cp->nframes && cp->frames[cp->nframes - 1].op.pos.line == line) {
				snprintf(mark, sizeof(mark), ">%-2u", c); /* ">0 ", ">12" */
				break;
			}
		}
		ui_putf(g, x, row, mark[0] == '>' ? UI_S_SELECTED : UI_S_DIM, "%s%3u", mark, line);
		ui_putn(g, x + 7, row, w - 7, mark[0] == '>' ? UI_S_BOLD : UI_S_NORMAL, "");
		ui_putf(g, x + 7, row, mark[0] == '>' ? UI_S_BOLD : UI_S_NORMAL, "%.*s",
			len < w - 7 ? len : w - 7, p);
		p = eol ? eol + 1 : p + len;
	}
}

/* Split text into lines of at most `width` bytes, breaking at spaces. */
int ui_wrap(const char *t, int width, int *starts, int *lens, int max)
{
	int n = 0, len = (int)strlen(t), at = 0;
	while (at < len && n < max) {
		int end = at + width;
		if (end >= len) {
			end = len;
		} else {
			int sp = end;
			while (sp > at && t[sp] != ' ')
				sp--;
			if (sp > at)
				end = sp;
		}
		starts[n] = at;
		lens[n] = end - at;
		n++;
		at = end;
		while (t[at] == ' ')
			at++;
	}
	return n;
}

/* The story lines in a box of h rows, newest at the bottom. */
void ui_draw_story_box(struct ui *u, int x, int y, int w, int h, const char *title)
{
	struct ui_grid *g = &u->grid;
	ui_box(g, x, y, w, h, UI_S_DIM, title);
	/* Newest text at the bottom, wrapped at spaces; older lines scroll off. */
	int row = y + h - 2;
	for (unsigned i = u->nstory; i-- > 0 && row > y;) {
		const char *t = u->story_lines[i];
		unsigned style = t[0] == '?' ? UI_S_ASK : UI_S_STORY;
		int starts[32], lens[32], n = ui_wrap(t, w - 2, starts, lens, 32);
		for (int k = n - 1; k >= 0 && row > y; k--, row--)
			ui_putf(g, x + 1, row, style, "%.*s", lens[k], t + starts[k]);
	}
}

/* The narrated log up to the viewed step in a box at (x, ly), lh rows,
 * newest at the bottom. */
void ui_draw_log_box(struct ui *u, int x, int ly, int w, int lh, const char *title)
{
	struct ui_grid *g = &u->grid;
	ui_box(g, x, ly, w, lh, UI_S_DIM, title);
	size_t n;
	const struct dt_trace_event *t = dt_session_trace(rt_session(u->rt), &n);
	int row = ly + lh - 2;
	for (size_t i = n; i-- > 0 && row > ly;) {
		char buf[512];
		if (!ui_event_shown(u, &t[i]) ||
		    narrate_event(rt_machine(u->rt), &t[i], buf, sizeof(buf)) == 0)
			continue;
		unsigned style = t[i].kind == DT_EV_QUEUE_DPC && !t[i].result ? UI_S_FALSE :
				 t[i].kind == DT_EV_BUGCHECK ? UI_S_ERROR : UI_S_NORMAL;
		if ((long)i == u->log_sel)
			style = UI_S_SELECTED;
		/* Wrapped like the story, continuation rows indented under the text,
		 * so a narrated line is never cut off at the pane's edge. */
		int starts[16], lens[16], nl = ui_wrap(buf, w - 7, starts, lens, 16);
		/* An older line that does not fit whole is left out, not cut. */
		if (nl > row - ly && row < ly + lh - 2)
			break;
		for (int k = nl - 1; k >= 0 && row > ly; k--, row--) {
			if (k == 0)
				ui_putf(g, x + 1, row, style, "%4u %.*s", t[i].step, lens[k],
					buf + starts[k]);
			else
				ui_putf(g, x + 6, row, style, "%.*s", lens[k], buf + starts[k]);
		}
	}
}

/* The story pane over the log. */
static void draw_right(struct ui *u, int x, int y, int w, int h, int story_h)
{
	ui_draw_story_box(u, x, y, w, story_h, u->story_mode ? "story" : "free play");
	ui_draw_log_box(u, x, y + story_h, w, h - story_h, "log");
}

/* The footer: the keys of what the lesson screen is doing now. */
static void draw_footer(struct ui *u)
{
	static const char *const ask[] = { "1-9 answer", "b back", "w why", "h hint", NULL };
	static const char *const prompt[] = { "type your choice", "Esc cancels", NULL };
	static const char *const story[] = { "Spc next", "Enter pause", "b/f back/redo",
					     "0-9 CPU", "e event", "n next", "w why", "g end",
					     "s source", "h hint", "T timeline", "c N CPU", "m menu",
					     NULL };
	static const char *const free_play[] = { "0-9 CPU", "Spc any", "b/f back/redo",
						 "e event", "t thread", "n next", "w why",
						 "s source", "g end", "j jump", "h hint",
						 "T timeline", "c N CPU", "m menu", NULL };
	ui_draw_footer_keys(u, u->asking ? ask : u->prompt ? prompt :
			       u->story_mode ? story : free_play);
}

void ui_draw_footer_keys(struct ui *u, const char *const *keys)
{
	struct ui_grid *g = &u->grid;
	int y = g->h - 1;
	const char *always = " ? help  q quit ";
	int room = g->w - (int)strlen(always), at = 0;
	ui_fill(g, 0, y, g->w, 1, ' ', UI_S_FOOTER);
	/* Past ten CPUs the digit keys reach only some: c comes up front. */
	int many = view(u)->ncpus > 10;
	for (unsigned i = 0; keys[i]; i++) {
		const char *key = keys[i];
		if (many && !strcmp(key, "0-9 CPU"))
			key = "0-9/cN CPU";
		else if (many && !strcmp(key, "c N CPU"))
			continue;
		int len = (int)strlen(key) + 2;
		if (at + len > room)
			break;
		ui_putf(g, at, y, UI_S_FOOTER, " %s ", key);
		at += len;
	}
	ui_put(g, g->w - (int)strlen(always), y, UI_S_KEY, always); /* always shown */
}

static void draw_prompt(struct ui *u)
{
	struct ui_grid *g = &u->grid;
	const struct dt_state *st = view(u);
	struct dt_machine *m = rt_machine(u->rt);
	char line[300];
	switch (u->prompt) {
	case UI_PROMPT_EVENT: {
		size_t at = (size_t)snprintf(line, sizeof(line), "fire which event?");
		for (unsigned e = 0; e < st->nevents && e < 9 && at < sizeof(line) - 40; e++)
			at += (size_t)snprintf(line + at, sizeof(line) - at, "  %u %s", e + 1,
					       dt_machine_string(m, st->events[e].name));
		break;
	}
	case UI_PROMPT_EVENT_CPU:
		snprintf(line, sizeof(line), "deliver %s to which CPU? (0-%u)%s%s",
			 dt_machine_string(m, st->events[u->prompt_event].name), st->ncpus - 1,
			 st->ncpus > 10 ? " " : "", st->ncpus > 10 ? u->prompt_buf : "");
		break;
	case UI_PROMPT_THREAD: {
		size_t at = (size_t)snprintf(line, sizeof(line), "dispatch which thread?");
		for (unsigned t = 0; t < st->nthreads && t < 9 && at < sizeof(line) - 40; t++)
			at += (size_t)snprintf(line + at, sizeof(line) - at, "  %u %s", t + 1,
					       dt_machine_string(m, st->threads[t].name));
		break;
	}
	case UI_PROMPT_THREAD_CPU:
		snprintf(line, sizeof(line), "dispatch it onto which CPU? (0-%u)%s%s", st->ncpus - 1,
			 st->ncpus > 10 ? " " : "", st->ncpus > 10 ? u->prompt_buf : "");
		break;
	case UI_PROMPT_CPU:
		snprintf(line, sizeof(line), "step CPU: c%s_  (0-%u, Enter steps it, Esc cancels)",
			 u->prompt_buf, st->ncpus - 1);
		break;
	case UI_PROMPT_LEAVE:
		snprintf(line, sizeof(line), "leave the story and play freely? (y/n)");
		break;
	case UI_PROMPT_JUMP:
		snprintf(line, sizeof(line), "jump to step: %s_", u->prompt_buf);
		break;
	default:
		return;
	}
	ui_fill(g, 0, g->h - 2, g->w, 1, ' ', UI_S_SELECTED);
	ui_putf(g, 0, g->h - 2, UI_S_SELECTED, "%.*s", g->w, line);
}

void ui_lesson_draw(struct ui *u)
{
	struct ui_grid *g = &u->grid;
	const struct dt_state *st = view(u);
	struct dt_session *s = rt_session(u->rt);
	const struct rt_lesson *l = rt_lesson(u->rt);
	char oc[48], title[200];
	story_outcome_text(st, oc, sizeof(oc));
	ui_fill(g, 0, 0, g->w, 1, ' ', UI_S_TITLE);
	snprintf(title, sizeof(title), " dpctutor: %s", l->title);
	ui_putf(g, 0, 0, UI_S_TITLE, "%.*s", g->w - 30, title);
	ui_putf(g, g->w - 30, 0, UI_S_TITLE, "step %zu/%zu %12s", dt_session_cursor(s),
		dt_session_head(s), oc);
	int strip = ui_timeline_strip_rows(u);
	struct ui_lesson_layout lay;
	lesson_layout(u, st, &lay);
	draw_cpus(u, st, &lay);
	ui_hline(g, 0, lay.rule_y, lay.left_w, UI_S_DIM);
	int y = lay.rule_y + 1, left_w = lay.left_w, body_h = lay.body_h;
	if (u->show_source == UI_SOURCE_LUA)
		draw_source(u, st, 0, y, left_w, body_h);
	else if (u->show_source == UI_SOURCE_C && left_w >= 80) { /* wide: Lua | C */
		draw_source(u, st, 0, y, left_w / 2 - 1, body_h);
		ui_csource_draw(u, st, left_w / 2, y, left_w - left_w / 2, body_h);
	} else if (u->show_source == UI_SOURCE_C)
		ui_csource_draw(u, st, 0, y, left_w, body_h);
	else
		draw_objects(u, st, 0, lay.rule_y + 1, lay.left_w, lay.body_h);
	draw_right(u, lay.right_x, 1, lay.right_w, lay.body_h, lay.story_h);
	if (u->status[0])
		ui_putf(g, 0, g->h - 2, UI_S_WARN, "%.*s", g->w, u->status);
	draw_prompt(u);
	draw_footer(u);
	if (strip) /* last: building it moves the session's view (st is stale then) */
		ui_timeline_strip_draw(u, 1 + body_h, strip);
}

/* ---- keys ------------------------------------------------------------------ */

static int at_head(struct ui *u)
{
	struct dt_session *s = rt_session(u->rt);
	return dt_session_cursor(s) == dt_session_head(s);
}

static void after_step(struct ui *u)
{
	const struct dt_state *st = view(u);
	if (st->outcome.kind == DT_BUGCHECK && at_head(u))
		u->screen = UI_BUGCHECK;
}

/* Follow the story one piece; `until_pause` goes on to the next pause. */
static void story_piece(struct ui *u, int until_pause)
{
	if (!at_head(u)) { /* in the past: the recorded future first */
		dt_session_redo(rt_session(u->rt));
		after_step(u);
		return;
	}
	if (u->story_done || !u->story)
		return;
	for (int guard = 0; guard < 100000; guard++) {
		unsigned lines_before = u->nstory;
		enum story_tick t = story_advance(u->story);
		u->story_ticks++; /* a resume replays this many (ui_resume.c) */
		u->last_tick = t; /* the demo pauses at marks (ui_demo.c) */
		if (t == STORY_TICK_ASK) {
			u->asking = 1;
			return;
		}
		/* A reveal: the answer of an ask about a call, or of value() and
		 * outcome() predictions judged where the story stopped (several
		 * may be judged at one stop; the status names the last). */
		const struct story_reveal *r = story_reveal(u->story);
		if (r && r->judged) {
			u->asked += r->judged;
			u->score += r->judged_ok;
			snprintf(u->status, sizeof(u->status), "%s: the engine did %s",
				 r->student_ok ? "right" : "not quite", r->actual);
		}
		if (t == STORY_TICK_REVEAL) {
			after_step(u);
			return;
		}
		if (t == STORY_TICK_DONE || t == STORY_TICK_FAILED) {
			u->story_done = 1;
			if (t == STORY_TICK_FAILED)
				snprintf(u->status, sizeof(u->status), "%.190s",
					 story_result(u->story)->failure);
			else
				snprintf(u->status, sizeof(u->status),
					 "the story is over: play freely, R restarts, q quits "
					 "(m: the lesson menu)");
			u->story_mode = 0;
			if (t == STORY_TICK_DONE)
				ui_lesson_finished(u);
			after_step(u);
			return;
		}
		if (t == STORY_TICK_LINE && u->nstory == lines_before)
			continue; /* a run began: nothing to read yet, go on */
		if (t == STORY_TICK_MARK || !until_pause || t == STORY_TICK_LINE) {
			after_step(u);
			if (t != STORY_TICK_STEP || !until_pause)
				return;
		}
		if (view(u)->outcome.kind != DT_RUNNING) {
			after_step(u);
			return;
		}
	}
}

/* story_piece, and the CPU rows then keep the CPU the story stepped last
 * in view (when they cannot show every CPU). */
void ui_story_next(struct ui *u, int until_pause)
{
	struct dt_machine *m = rt_machine(u->rt);
	size_t before = dt_machine_trace_count(m);
	story_piece(u, until_pause);
	const struct dt_trace_event *t = dt_machine_trace(m);
	for (size_t i = dt_machine_trace_count(m); i-- > before;)
		if (t[i].cpu >= 0 && (unsigned)t[i].cpu < view(u)->ncpus) {
			u->focus_cpu = (unsigned)t[i].cpu;
			break;
		}
}

static void step_choice(struct ui *u, const struct dt_choice *c)
{
	if (c->cpu < view(u)->ncpus)
		u->focus_cpu = c->cpu; /* the CPU list keeps it in view */
	int rc = rt_step(u->rt, c);
	if (rc == DT_ENOTENABLED) {
		char why[96];
		if (c->kind == DT_CHOICE_CPU)
			snprintf(u->status, sizeof(u->status), "CPU %u cannot step: %s", c->cpu,
				 dt_cpu_blocked_reason(rt_machine(u->rt), c->cpu, why, sizeof(why)));
		else
			snprintf(u->status, sizeof(u->status), "that choice is not possible now");
	} else if (rc == DT_EHALTED) {
		snprintf(u->status, sizeof(u->status), "the run is over; b goes back, R restarts");
	}
	after_step(u);
}

static void step_cpu(struct ui *u, unsigned cpu)
{
	struct dt_choice c = { .kind = DT_CHOICE_CPU, .cpu = (uint16_t)cpu };
	if (cpu >= view(u)->ncpus) {
		snprintf(u->status, sizeof(u->status), "there is no CPU %u", cpu);
		return;
	}
	step_choice(u, &c);
}

/* Free play: Space steps the next CPU that can, round-robin. */
static void step_any(struct ui *u)
{
	struct dt_machine *m = rt_machine(u->rt);
	struct dt_choice en[DT_MAX_CPUS * (DT_MAX_THREADS + 1)];
	if (!at_head(u)) {
		dt_session_redo(rt_session(u->rt));
		after_step(u);
		return;
	}
	unsigned n = dt_machine_enabled(m, en, sizeof(en) / sizeof(en[0]));
	if (!n) {
		dt_session_settle(rt_session(u->rt), 0);
		snprintf(u->status, sizeof(u->status), "nothing can step: e fires a device event");
		return;
	}
	unsigned pick = 0;
	for (unsigned i = 0; i < n; i++)
		if ((int)en[i].cpu > u->rr_last) {
			pick = i;
			break;
		}
	u->rr_last = en[pick].cpu;
	step_choice(u, &en[pick]);
}

static void run_to_end(struct ui *u)
{
	if (u->story_mode) {
		while (!u->story_done && !u->asking && view(u)->outcome.kind == DT_RUNNING &&
		       u->screen == UI_LESSON)
			ui_story_next(u, 1);
		return;
	}
	dt_session_goto(rt_session(u->rt), dt_session_head(rt_session(u->rt)));
	story_run_to_end(u->rt, NULL);
	after_step(u);
}

/* "why?": select the newest log line and open its card. */
static void why_open(struct ui *u)
{
	size_t n;
	const struct dt_trace_event *t = dt_session_trace(rt_session(u->rt), &n);
	u->log_sel = -1;
	for (size_t i = n; i-- > 0;)
		if (ui_event_shown(u, &t[i])) {
			u->log_sel = (long)i;
			break;
		}
	if (u->log_sel < 0)
		snprintf(u->status, sizeof(u->status), "nothing has happened yet");
	else
		u->screen = UI_WHY;
}

/* Is this the kind of event "run to the next event" stops at? */
static int notable(const struct dt_trace_event *e)
{
	switch (e->kind) {
	case DT_EV_DEVICE_EVENT: case DT_EV_ISR_ENTER: case DT_EV_ISR_SPIN:
	case DT_EV_QUEUE_DPC: case DT_EV_DPC_DEQUEUE: case DT_EV_LOCK_SPIN:
	case DT_EV_WORKITEM_QUEUE: case DT_EV_WORKITEM_START: case DT_EV_THREAD_BLOCK:
	case DT_EV_TRAP: case DT_EV_BUGCHECK: case DT_EV_DEADLOCK: case DT_EV_LESSON_ERROR:
	case DT_EV_QUIESCENT:
		return 1;
	default:
		return 0;
	}
}

/* n: step until something notable happens (or nothing more can). */
static void next_event(struct ui *u)
{
	for (int guard = 0; guard < 10000; guard++) {
		size_t before = dt_machine_trace_count(rt_machine(u->rt));
		size_t head = dt_session_head(rt_session(u->rt));
		if (u->story_mode)
			ui_story_next(u, 0);
		else
			step_any(u);
		if (u->asking || u->screen != UI_LESSON ||
		    dt_session_head(rt_session(u->rt)) == head)
			return;
		const struct dt_trace_event *t = dt_machine_trace(rt_machine(u->rt));
		size_t after = dt_machine_trace_count(rt_machine(u->rt));
		for (size_t i = before; i < after; i++)
			if (notable(&t[i]))
				return;
		if (view(u)->outcome.kind != DT_RUNNING)
			return;
	}
}

/*
 * A number typed into the prompt (u->prompt_buf, shown as it is typed):
 * 1 once Enter ends it (the number in *out), -1 for Enter with nothing
 * typed, 0 while digits and Backspace edit it.
 */
static int typed_number(struct ui *u, int k, unsigned long *out)
{
	size_t n = strlen(u->prompt_buf);
	if (k >= '0' && k <= '9' && n < sizeof(u->prompt_buf) - 1) {
		u->prompt_buf[n] = (char)k;
		u->prompt_buf[n + 1] = '\0';
	} else if (k == '\n' || k == '\r' || k == UI_KEY_ENTER) {
		if (!n)
			return -1;
		*out = strtoul(u->prompt_buf, NULL, 10);
		return 1;
	} else if ((k == UI_KEY_BACKSPACE || k == 0x7F || k == '\b') && n) {
		u->prompt_buf[n - 1] = '\0';
	}
	return 0;
}

/* The CPU for an event or a thread: one digit key with up to ten CPUs,
 * else its number and Enter.  1 once chosen (in *cpu). */
static int prompt_cpu(struct ui *u, int k, unsigned long *cpu)
{
	if (view(u)->ncpus > 10)
		return typed_number(u, k, cpu) > 0;
	if (k < '0' || k > '9')
		return 0;
	*cpu = (unsigned long)(k - '0');
	return 1;
}

/* A CPU chosen by its key (0-9, or c and its number): during the story,
 * first ask whether to leave it, as any CPU key does. */
static void cpu_key(struct ui *u, unsigned long cpu)
{
	if (cpu >= view(u)->ncpus) {
		snprintf(u->status, sizeof(u->status), "there is no CPU %lu (this machine has 0-%u)",
			 cpu, view(u)->ncpus - 1);
		return;
	}
	if (u->story_mode && !u->story_done) {
		u->pending_cpu = (int)cpu;
		u->prompt = UI_PROMPT_LEAVE;
		return;
	}
	step_cpu(u, (unsigned)cpu);
}

/* A click at (x, y): on a CPU pane it does what that CPU's key does. */
static void lesson_click(struct ui *u, int x, int y)
{
	struct ui_lesson_layout lay;
	lesson_layout(u, view(u), &lay);
	int cpu = ui_lesson_cpu_at(&lay, x, y);
	if (cpu >= 0)
		cpu_key(u, (unsigned long)cpu);
}

static int prompt_key(struct ui *u, int k)
{
	const struct dt_state *st = view(u);
	unsigned long num, cpu;
	if (k == 'q' || k == '?') {
		u->prompt = UI_PROMPT_NONE; /* help and quit work from any prompt */
		return 0;
	}
	if (k == 27) {
		u->prompt = UI_PROMPT_NONE;
		return 1;
	}
	switch (u->prompt) {
	case UI_PROMPT_EVENT:
		if (k >= '1' && k <= '9' && (unsigned)(k - '1') < st->nevents) {
			u->prompt_event = (unsigned)(k - '1');
			u->prompt = UI_PROMPT_EVENT_CPU;
			u->prompt_buf[0] = '\0';
		}
		return 1;
	case UI_PROMPT_EVENT_CPU:
		if (prompt_cpu(u, k, &cpu)) {
			struct dt_choice c = { .kind = DT_CHOICE_EVENT, .cpu = (uint16_t)cpu,
					       .object = (uint16_t)u->prompt_event };
			u->prompt = UI_PROMPT_NONE;
			step_choice(u, &c);
		}
		return 1;
	case UI_PROMPT_THREAD:
		if (k >= '1' && k <= '9' && (unsigned)(k - '1') < st->nthreads) {
			u->prompt_event = (unsigned)(k - '1');
			u->prompt = UI_PROMPT_THREAD_CPU;
			u->prompt_buf[0] = '\0';
		}
		return 1;
	case UI_PROMPT_THREAD_CPU:
		if (prompt_cpu(u, k, &cpu)) {
			struct dt_choice c = { .kind = DT_CHOICE_THREAD, .cpu = (uint16_t)cpu,
					       .object = (uint16_t)u->prompt_event };
			u->prompt = UI_PROMPT_NONE;
			step_choice(u, &c);
		}
		return 1;
	case UI_PROMPT_LEAVE:
		u->prompt = UI_PROMPT_NONE;
		if (k == 'y' || k == 'Y') {
			u->story_mode = 0;
			u->story_done = 1;
			u->asking = 0;
			snprintf(u->status, sizeof(u->status), "free play: you are the scheduler");
			if (u->pending_cpu >= 0)
				step_cpu(u, (unsigned)u->pending_cpu);
			else if (u->pending_cpu == -2 && view(u)->nevents)
				u->prompt = UI_PROMPT_EVENT;
			else if (u->pending_cpu == -3 && view(u)->nthreads)
				u->prompt = UI_PROMPT_THREAD;
		}
		return 1;
	case UI_PROMPT_JUMP:
		if (typed_number(u, k, &num) > 0) {
			size_t head = dt_session_head(rt_session(u->rt));
			dt_session_goto(rt_session(u->rt), num > head ? head : (size_t)num);
			u->prompt = UI_PROMPT_NONE;
		}
		return 1;
	case UI_PROMPT_CPU:
		switch (typed_number(u, k, &num)) {
		case 1:
			u->prompt = UI_PROMPT_NONE;
			cpu_key(u, num);
			break;
		case -1:
			snprintf(u->status, sizeof(u->status), "type the CPU's number, then Enter");
			break;
		}
		return 1;
	default:
		return 0;
	}
}

static void answer(struct ui *u, int k)
{
	const struct story_question *q = story_question(u->story);
	unsigned i = (unsigned)(k - '1');
	if (k < '1' || k > '9' || i >= q->nchoices)
		return;
	char line[200];
	story_answer(u->story, (int)i);
	size_t na = strlen(u->answers);
	if (na < PROGRESS_ANSWERS_MAX) {
		u->answers[na] = (char)k;
		u->answers[na + 1] = '\0';
	} else {
		u->answers_lost = 1;
	}
	snprintf(line, sizeof(line), "you: %s", q->choices[i]);
	ui_story_line(u, line);
	u->asking = 0;
	ui_story_next(u, 1); /* run to the point the question is about */
}

void ui_lesson_key(struct ui *u, int k)
{
	u->status[0] = '\0';
	if (u->prompt && prompt_key(u, k))
		return;
	if (k == 'q') {
		u->quit = 1;
		return;
	}
	if (k == '?') {
		u->screen = UI_HELP;
		return;
	}
	if (ui_pane_key(u, k)) /* T, d, G, K (and Esc, which stays here) */
		return;
	if (u->asking && k >= '1' && k <= '9') {
		answer(u, k);
		return;
	}
	if (k == UI_KEY_MOUSE) { /* a click on a CPU pane: that CPU's key */
		int x, y;
		if (ui_term_mouse(&x, &y) == UI_MOUSE_CLICK)
			lesson_click(u, x, y);
		return;
	}
	switch (k) {
	case ' ':
		if (u->asking)
			snprintf(u->status, sizeof(u->status), "answer first: press 1-%u",
				 story_question(u->story)->nchoices);
		else if (u->story_mode)
			ui_story_next(u, 0);
		else
			step_any(u);
		return;
	case '\n':
	case '\r':
	case UI_KEY_ENTER:
		if (u->story_mode && !u->asking)
			ui_story_next(u, 1);
		return;
	case 'b':
	case UI_KEY_LEFT:
		if (dt_session_back(rt_session(u->rt)))
			snprintf(u->status, sizeof(u->status), "this is the first step");
		return;
	case 'f':
	case UI_KEY_RIGHT:
		if (dt_session_redo(rt_session(u->rt)))
			snprintf(u->status, sizeof(u->status), "nothing recorded after this step");
		after_step(u);
		return;
	case 'g':
		run_to_end(u);
		return;
	case 'R':
		ui_restart(u);
		return;
	case 'm':
		ui_menu_open(u);
		return;
	case 'j':
		u->prompt = UI_PROMPT_JUMP;
		u->prompt_buf[0] = '\0';
		return;
	case 'e':
		if (u->story_mode && !u->story_done) {
			u->pending_cpu = -2; /* then pick the event */
			u->prompt = UI_PROMPT_LEAVE;
		} else if (view(u)->nevents) {
			u->prompt = UI_PROMPT_EVENT;
		}
		return;
	case 'w':
		why_open(u);
		return;
	case 's': /* objects -> Lua -> C (when the lesson has some) -> objects */
		u->show_source = u->show_source == UI_SOURCE_OFF ? UI_SOURCE_LUA :
				 u->show_source == UI_SOURCE_LUA && ui_has_c_source(u) ? UI_SOURCE_C :
				 UI_SOURCE_OFF;
		return;
	case 'h':
		ui_hint_next(u);
		return;
	case 'p':
		ui_print_share(u);
		return;
	case 'x': /* the main loop explores after drawing this status */
		u->explore_pending = 1;
		snprintf(u->status, sizeof(u->status),
			 "exploring every schedule within the lesson's bounds...");
		return;
	case 'n':
		next_event(u);
		return;
	case 'c':
		u->prompt = UI_PROMPT_CPU;
		u->prompt_buf[0] = '\0';
		return;
	case 't':
		if (view(u)->nthreads && u->story_mode && !u->story_done) {
			u->pending_cpu = -3; /* then pick the thread */
			u->prompt = UI_PROMPT_LEAVE;
		} else if (view(u)->nthreads)
			u->prompt = UI_PROMPT_THREAD;
		else
			snprintf(u->status, sizeof(u->status), "this lesson has no threads");
		return;
	default:
		break;
	}
	if (k >= '0' && k <= '9')
		cpu_key(u, (unsigned long)(k - '0'));
}
