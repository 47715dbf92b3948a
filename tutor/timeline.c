/*
 * timeline.c - the timeline's lanes from the session's history.
 *
 * A cell's band is read from the state after its step (the top frame of
 * that CPU), so an ISR that queues its DPC and a DPC that runs show as
 * the stretches they are.  Marks come from the trace events of that step
 * on that CPU: QUEUE_DPC or WORKITEM_QUEUE with result FALSE, and
 * DPC_DEQUEUE.
 */
#include <stdlib.h>
#include <string.h>

#include "dt_trace.h"
#include "timeline.h"

enum tl_band tl_band_of(const struct dt_state *st, unsigned cpu)
{
	const struct dt_cpu *c = &st->cpus[cpu];
	if (!c->nframes)
		return TL_IDLE;
	const struct dt_frame *f = &c->frames[c->nframes - 1];
	if (f->state == DT_FS_SPINNING)
		return TL_SPIN;
	switch (f->kind) {
	case DT_FRAME_ISR:
	case DT_FRAME_TRAP:
		return TL_ISR;
	case DT_FRAME_SYNC:
		return TL_LOCKED;
	case DT_FRAME_DPC:
		return TL_DPC;
	default:
		break;
	}
	switch (st->threads[f->object].kind) {
	case DT_THREAD_WORKER:
		return TL_WORKITEM;
	case DT_THREAD_PASSIVE_ISR:
		return TL_PASSIVE_ISR;
	default:
		return TL_THREAD;
	}
}

char tl_band_letter(enum tl_band b)
{
	static const char letters[TL_BAND_COUNT] = { '.', 'T', 'W', 'P', 'D', 'L', 'I', 'S' };
	return b < TL_BAND_COUNT ? letters[b] : '?';
}

const char *tl_band_name(enum tl_band b)
{
	static const char *const names[TL_BAND_COUNT] = {
		"idle", "thread", "work item", "passive ISR", "DPC", "under lock", "ISR", "spins",
	};
	return b < TL_BAND_COUNT ? names[b] : "?";
}

const struct tl_cell *tl_cell(const struct timeline *tl, unsigned cpu, size_t step)
{
	if (cpu >= tl->ncpus || step < tl->first || step >= tl->first + tl->nsteps)
		return NULL;
	return &tl->cells[(size_t)cpu * tl->nsteps + (step - tl->first)];
}

void tl_free(struct timeline *tl)
{
	free(tl->cells);
	memset(tl, 0, sizeof(*tl));
}

/* The mark one trace event puts on its CPU's lane, if any. */
static enum tl_mark mark_of(const struct dt_trace_event *e)
{
	switch (e->kind) {
	case DT_EV_QUEUE_DPC:
	case DT_EV_WORKITEM_QUEUE:
		return e->result ? TL_MARK_NONE : TL_MARK_FALSE;
	case DT_EV_DPC_DEQUEUE:
		return TL_MARK_DEQUEUE;
	default:
		return TL_MARK_NONE;
	}
}

int tl_build(struct dt_session *s, size_t first, size_t count, struct timeline *tl)
{
	size_t head = dt_session_head(s), cursor = dt_session_cursor(s);
	memset(tl, 0, sizeof(*tl));
	if (first < 1)
		first = 1;
	if (first > head)
		count = 0;
	else if (count > head - first + 1)
		count = head - first + 1;
	tl->ncpus = dt_session_view(s)->ncpus;
	tl->first = first;
	tl->nsteps = count;
	if (!count)
		return 0;
	tl->cells = calloc((size_t)tl->ncpus * count, sizeof(*tl->cells));
	if (!tl->cells) {
		memset(tl, 0, sizeof(*tl));
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		dt_session_goto(s, first + i);
		const struct dt_state *st = dt_session_view(s);
		for (unsigned c = 0; c < tl->ncpus; c++)
			tl->cells[(size_t)c * count + i].band = (uint8_t)tl_band_of(st, c);
	}
	dt_session_goto(s, cursor);
	/* The whole recorded trace, not just up to the viewed step. */
	const struct dt_trace_event *t = dt_machine_trace(dt_session_machine(s));
	size_t n = dt_machine_trace_count(dt_session_machine(s));
	for (size_t k = 0; k < n; k++) {
		const struct dt_trace_event *e = &t[k];
		enum tl_mark mk = mark_of(e);
		if (mk == TL_MARK_NONE || e->cpu < 0 || (unsigned)e->cpu >= tl->ncpus ||
		    e->step < first || e->step >= first + count)
			continue;
		struct tl_cell *cell = &tl->cells[(size_t)e->cpu * count + (e->step - first)];
		if (cell->mark != TL_MARK_FALSE) /* FALSE is the mark a student must not miss */
			cell->mark = (uint8_t)mk;
	}
	return 0;
}
