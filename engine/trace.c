/*
 * trace.c - appending trace events (schema v1, dt_trace.h).
 *
 * The machine records facts as it steps; this file owns the buffer.  When
 * recording is off, emit hands back a scratch event so callers need no
 * branches, and nothing is stored.  A failed allocation stops recording
 * (trace_oom) rather than the simulation: the trace is an observer.
 */
#include <stdlib.h>
#include <string.h>

#include "machine_int.h"

static const char *const kind_names[DT_EV_KIND_COUNT] = {
	[DT_EV_DEVICE_EVENT] = "DEVICE_EVENT",
	[DT_EV_IRQ_PENDING] = "IRQ_PENDING",
	[DT_EV_IRQ_MERGED] = "IRQ_MERGED",
	[DT_EV_IRQ_NOT_SENT] = "IRQ_NOT_SENT",
	[DT_EV_ISR_ENTER] = "ISR_ENTER",
	[DT_EV_ISR_SPIN] = "ISR_SPIN",
	[DT_EV_LOCK_OBTAINED] = "LOCK_OBTAINED",
	[DT_EV_ISR_RETURN] = "ISR_RETURN",
	[DT_EV_LINE_REASSERTED] = "LINE_REASSERTED",
	[DT_EV_QUEUE_DPC] = "QUEUE_DPC",
	[DT_EV_DPC_DEQUEUE] = "DPC_DEQUEUE",
	[DT_EV_DPC_RETURN] = "DPC_RETURN",
	[DT_EV_DRAIN_END] = "DRAIN_END",
	[DT_EV_SHARED_READ] = "SHARED_READ",
	[DT_EV_SHARED_WRITE] = "SHARED_WRITE",
	[DT_EV_REG_READ] = "REG_READ",
	[DT_EV_REG_WRITE] = "REG_WRITE",
	[DT_EV_STEP_OP] = "STEP_OP",
	[DT_EV_GET_IRQL] = "GET_IRQL",
	[DT_EV_GET_PROCESSOR] = "GET_PROCESSOR",
	[DT_EV_CLOCK_TICK] = "CLOCK_TICK",
	[DT_EV_BUGCHECK] = "BUGCHECK",
	[DT_EV_DEADLOCK] = "DEADLOCK",
	[DT_EV_LESSON_ERROR] = "LESSON_ERROR",
	[DT_EV_STEP_LIMIT] = "STEP_LIMIT",
	[DT_EV_QUIESCENT] = "QUIESCENT",
	[DT_EV_LOCK_ACQUIRE] = "LOCK_ACQUIRE",
	[DT_EV_LOCK_SPIN] = "LOCK_SPIN",
	[DT_EV_LOCK_RELEASE] = "LOCK_RELEASE",
	[DT_EV_SYNC_ENTER] = "SYNC_ENTER",
	[DT_EV_SYNC_RETURN] = "SYNC_RETURN",
	[DT_EV_INTR_ENABLE] = "INTR_ENABLE",
	[DT_EV_INTR_DISABLE] = "INTR_DISABLE",
	[DT_EV_WORKITEM_QUEUE] = "WORKITEM_QUEUE",
	[DT_EV_WORKITEM_START] = "WORKITEM_START",
	[DT_EV_WORKITEM_END] = "WORKITEM_END",
	[DT_EV_THREAD_DISPATCH] = "THREAD_DISPATCH",
	[DT_EV_THREAD_BLOCK] = "THREAD_BLOCK",
	[DT_EV_THREAD_WAKE] = "THREAD_WAKE",
	[DT_EV_THREAD_END] = "THREAD_END",
	[DT_EV_TRAP] = "TRAP",
	[DT_EV_TRAP_RETURN] = "TRAP_RETURN",
	[DT_EV_CALL_RETURN] = "CALL_RETURN",
	[DT_EV_DPC_REMOVE] = "DPC_REMOVE",
	[DT_EV_FLUSH] = "FLUSH",
	[DT_EV_IRQ_DISCARDED] = "IRQ_DISCARDED",
	[DT_EV_VERIFIER] = "VERIFIER",
};

const char *dt_event_kind_name(unsigned kind)
{
	if (kind >= DT_EV_KIND_COUNT || !kind_names[kind])
		return "?";
	return kind_names[kind];
}

static int trace_grow(struct dt_machine *m)
{
	size_t cap = m->trace_cap ? m->trace_cap * 2 : 256;
	struct dt_trace_event *t = realloc(m->trace, cap * sizeof(*t));
	if (!t)
		return -1;
	m->trace = t;
	m->trace_cap = cap;
	return 0;
}

/*
 * A new event for the current step, pre-filled with what every event has.
 * The step number is the one being taken (st.step + 1 while stepping).
 */
struct dt_trace_event *dt_trace_emit(struct dt_machine *m, unsigned kind, int cpu)
{
	struct dt_trace_event *e = &m->scratch;
	if (m->trace_on && !m->trace_oom) {
		if (m->ntrace == m->trace_cap && trace_grow(m))
			m->trace_oom = 1;
		else
			e = &m->trace[m->ntrace++];
	}
	memset(e, 0, sizeof(*e));
	e->step = m->st.step + 1;
	e->cpu = (int16_t)cpu;
	e->kind = (uint16_t)kind;
	e->cause_cpu = -1;
	if (cpu >= 0 && cpu < m->st.ncpus) {
		struct dt_cpu *c = &m->st.cpus[cpu];
		struct dt_frame *f = dt_top(c);
		e->irql_before = cpu == m->step_cpu ? m->step_irql_before : c->irql;
		e->irql_after = c->irql;
		e->frame = f ? f->kind : 0;
		if (f)
			e->pos = f->op.pos;
	}
	return e;
}

void dt_trace_obj(struct dt_trace_event *e, unsigned obj_kind, unsigned object)
{
	e->obj_kind = (uint8_t)obj_kind;
	e->object = (uint16_t)object;
}
