/*
 * passive.c - passive-level interrupts (R21, R50-R52) and the system work
 * queue (R41, R44).
 *
 * A passive interrupt's arrival is taken by the kernel's trap handler: it
 * runs briefly at DIRQL on the receiving CPU (a TRAP frame, one step),
 * silences the line (an edge request is consumed; a level line stays
 * masked until the ISR returns) and hands the ISR to the interrupt's own
 * passive-level thread.  That thread may run on any CPU, later, under the
 * interrupt's wait lock.
 *
 * Work items wait in one FIFO; an idle system worker takes the oldest.
 * "Queued" clears when the worker starts the callback (thread.c), so a
 * queuing during a run starts a second, concurrent run on another worker.
 */
#include <stdio.h>

#include "machine_int.h"

/* The trap frame returns: signal the ISR thread, lower the IRQL. */
void dt_trap_return(struct dt_machine *m, unsigned cpu, struct dt_frame *f)
{
	struct dt_cpu *c = &m->st.cpus[cpu];
	unsigned intr = f->object;
	struct dt_interrupt *in = &m->st.interrupts[intr];
	unsigned saved = f->saved_irql;
	c->nframes--;
	dt_set_irql(m, cpu, saved);
	struct dt_thread *t = &m->st.threads[in->thread];
	struct dt_trace_event *e = dt_trace_emit(m, DT_EV_TRAP_RETURN, (int)cpu);
	dt_trace_obj(e, DT_OBJ_INTERRUPT, intr);
	e->arg[0] = in->thread;
	e->rule = 51;
	if (t->state == DT_TS_IDLE)
		dt_thread_make_ready(m, in->thread);
	else
		t->signaled = 1; /* it is busy: it runs the ISR again afterwards */
}

/* The passive ISR returned: a level line is unmasked again (R51). */
void dt_passive_isr_done(struct dt_machine *m, unsigned intr, unsigned cpu)
{
	struct dt_interrupt *in = &m->st.interrupts[intr];
	struct dt_line *line = &m->st.devices[in->device].lines[in->line];
	if (line->kind != DT_LINE_LEVEL)
		return;
	line->in_service = 0;
	dt_line_update(m, in->device, (int)cpu);
}

static int idle_worker(const struct dt_machine *m)
{
	for (unsigned i = 0; i < m->st.nthreads; i++)
		if (m->st.threads[i].kind == DT_THREAD_WORKER &&
		    m->st.threads[i].state == DT_TS_IDLE)
			return (int)i;
	return -1;
}

static void assign(struct dt_machine *m, unsigned worker, unsigned intr)
{
	m->st.threads[worker].interrupt = (uint16_t)intr;
	dt_thread_make_ready(m, worker);
}

void dt_workq_add(struct dt_machine *m, unsigned intr)
{
	int w = idle_worker(m);
	if (w >= 0) {
		assign(m, (unsigned)w, intr);
		return;
	}
	if (m->st.nworkq < DT_MAX_INTERRUPTS)
		m->st.workq[m->st.nworkq++] = (uint16_t)intr;
}

/* A worker finished: it takes the oldest waiting work item, if any. */
void dt_workq_next(struct dt_machine *m, unsigned worker)
{
	if (m->st.nworkq == 0)
		return;
	unsigned intr = m->st.workq[0];
	for (unsigned i = 1; i < m->st.nworkq; i++)
		m->st.workq[i - 1] = m->st.workq[i];
	m->st.nworkq--;
	assign(m, worker, intr);
}

/* Create the system worker threads the first time a work item needs them. */
int dt_workers_ensure(struct dt_machine *m)
{
	for (unsigned i = 0; i < m->st.nthreads; i++)
		if (m->st.threads[i].kind == DT_THREAD_WORKER)
			return DT_OK;
	uint64_t all = m->st.ncpus == 64 ? ~0ull : (1ull << m->st.ncpus) - 1;
	unsigned n = m->st.sw.workers ? m->st.sw.workers : 2;
	for (unsigned i = 0; i < n; i++) {
		char name[24];
		snprintf(name, sizeof(name), "worker%u", i);
		int rc = dt_thread_new(m, DT_THREAD_WORKER, name, DT_NO_CALLBACK, all, DT_NONE,
				       NULL);
		if (rc)
			return rc;
	}
	return DT_OK;
}
