/*
 * thread.c - threads: lesson threads, system workers, passive-ISR threads
 * (engine-contract 4, R44, R51).
 *
 * PASSIVE work runs in threads, never in CPU frames.  A thread is ready,
 * running (its frame is the bottom of one CPU's stack), blocked, idle (a
 * worker or ISR thread with nothing to do) or done.  Which ready thread
 * runs on which CPU is a choice, t(NAME)@K.  A thread runs only where the
 * CPU is at PASSIVE with nothing else to do; ISRs and DPCs preempt it
 * there, and it never migrates while running.  Blocking (a wait lock, a
 * flush, a disable) takes it off its CPU, which is then free for others.
 * Priorities and quanta are not modelled.
 */
#include <string.h>

#include "machine_int.h"

int dt_thread_new(struct dt_machine *m, unsigned kind, const char *name, uint32_t callback,
		  uint64_t affinity, unsigned interrupt, unsigned *out)
{
	struct dt_state *st = &m->st;
	uint32_t id = dt_machine_intern(m, name);
	for (unsigned i = 0; i < st->nthreads; i++)
		if (st->threads[i].name == id)
			return DT_EINVAL;
	if (st->nthreads == DT_MAX_THREADS)
		return DT_ELIMIT;
	unsigned i = st->nthreads++;
	struct dt_thread *t = &st->threads[i];
	memset(t, 0, sizeof(*t));
	t->name = id;
	t->kind = (uint8_t)kind;
	t->state = kind == DT_THREAD_LESSON ? DT_TS_READY : DT_TS_IDLE;
	t->cpu = -1;
	t->callback = callback;
	t->interrupt = (uint16_t)interrupt;
	t->affinity = affinity;
	t->ctx.kind = DT_FRAME_THREAD;
	t->ctx.object = (uint16_t)i;
	t->ctx.body = DT_NONE;
	t->ctx.lock = DT_NONE;
	t->ctx.spin_lock = DT_NONE;
	if (out)
		*out = i;
	return DT_OK;
}

int dt_thread_create(struct dt_machine *m, const char *name, uint32_t callback,
		     uint64_t affinity, unsigned *out)
{
	if (!m || !name || !*name || strlen(name) >= DT_NAME_MAX || callback == DT_NO_CALLBACK)
		return DT_EINVAL;
	uint64_t all = m->st.ncpus == 64 ? ~0ull : (1ull << m->st.ncpus) - 1;
	if (affinity == 0)
		affinity = all;
	if (affinity & ~all)
		return DT_EINVAL;
	return dt_thread_new(m, DT_THREAD_LESSON, name, callback, affinity, DT_NONE, out);
}

/* A CPU a ready thread may be dispatched onto: at PASSIVE with nothing else
 * to do (no frame, no drain, no DPC waiting, no request pending). */
int dt_thread_can_dispatch(const struct dt_machine *m, unsigned thread, unsigned cpu)
{
	const struct dt_thread *t = &m->st.threads[thread];
	const struct dt_cpu *c = &m->st.cpus[cpu];
	if (t->state != DT_TS_READY || !((t->affinity >> cpu) & 1))
		return 0;
	return c->nframes == 0 && !c->in_drain && c->qlen == 0 && c->npending == 0;
}

static void thread_trace(struct dt_machine *m, unsigned kind, unsigned thread, int cpu)
{
	struct dt_trace_event *e = dt_trace_emit(m, kind, cpu);
	e->obj_kind = DT_OBJ_THREAD;
	e->object = (uint16_t)thread;
}

/* Start the thread's body: what it runs depends on its kind. */
static void thread_start_body(struct dt_machine *m, unsigned cpu, unsigned thread,
			      struct dt_frame *f)
{
	struct dt_thread *t = &m->st.threads[thread];
	struct dt_call call = { .cpu = (uint16_t)cpu, .thread = (uint16_t)thread,
				.interrupt_index = DT_NONE };
	t->runs++;
	if (t->kind == DT_THREAD_LESSON) {
		call.kind = DT_CALL_THREAD;
		call.callback = t->callback;
		dt_body_start(m, &call, cpu, f);
		return;
	}
	struct dt_interrupt *in = &m->st.interrupts[t->interrupt];
	call.interrupt = dt_handle_of(DT_HANDLE_INTERRUPT, t->interrupt);
	call.device = dt_handle_of(DT_HANDLE_DEVICE, in->device);
	call.interrupt_index = t->interrupt;
	if (t->kind == DT_THREAD_WORKER) {
		call.kind = DT_CALL_WORKITEM;
		call.callback = in->work_item;
	} else {
		call.kind = DT_CALL_ISR;
		call.callback = in->isr;
		call.message_id = in->message_id;
		in->isr_calls++;
	}
	dt_body_start(m, &call, cpu, f);
}

/* The pre-lock a thread takes before its body (R51 wait lock, R42/R44
 * callback lock) and what starting means for each kind. */
static unsigned thread_prelock(struct dt_machine *m, struct dt_thread *t)
{
	if (t->kind == DT_THREAD_LESSON)
		return DT_NONE;
	struct dt_interrupt *in = &m->st.interrupts[t->interrupt];
	if (t->kind == DT_THREAD_PASSIVE_ISR)
		return in->lock;
	return in->callback_lock;
}

/* The dispatch step: the thread's frame goes to the bottom of `cpu`. */
void dt_thread_dispatch(struct dt_machine *m, unsigned thread, unsigned cpu)
{
	struct dt_cpu *c = &m->st.cpus[cpu];
	struct dt_thread *t = &m->st.threads[thread];
	int fresh = t->ctx.body == DT_NONE && !t->woken;
	t->state = DT_TS_RUNNING;
	t->cpu = (int16_t)cpu;
	c->frames[0] = t->ctx;
	c->nframes = 1;
	struct dt_frame *f = &c->frames[0];
	f->saved_irql = DT_PASSIVE_LEVEL;
	dt_set_irql(m, cpu, f->irql);
	thread_trace(m, DT_EV_THREAD_DISPATCH, thread, (int)cpu);
	if (t->woken) {
		/* The wait is over: the operation it blocked in completes now
		 * (woken == 2: it got the lock a callback must run under). */
		struct dt_value r = f->retval;
		int go_on = t->woken == 2;
		t->woken = 0;
		if (f->body == DT_NONE) {
			thread_start_body(m, cpu, thread, f);
			return;
		}
		if (go_on && dt_op_continue(m, cpu, &r) != DT_OPR_RESUME)
			return;
		dt_body_resume(m, cpu, f, &r);
		return;
	}
	if (!fresh)
		return;
	f->entered_step = m->st.step + 1;
	if (t->kind == DT_THREAD_WORKER) {
		struct dt_interrupt *in = &m->st.interrupts[t->interrupt];
		in->wi_queued = 0; /* R41: "queued" clears before the callback runs */
		in->wi_running++;
		in->wi_runs++;
		struct dt_trace_event *e = dt_trace_emit(m, DT_EV_WORKITEM_START, (int)cpu);
		dt_trace_obj(e, DT_OBJ_INTERRUPT, t->interrupt);
		e->arg[0] = thread;
		e->rule = 41;
		e->cause_step = in->wi_queued_step;
	}
	if (t->kind == DT_THREAD_PASSIVE_ISR)
		t->signaled = 0;
	unsigned lock = thread_prelock(m, t);
	f->lock = (uint16_t)lock;
	if (lock != DT_NONE && !dt_waitlock_take(m, lock, thread)) {
		dt_thread_block(m, cpu, DT_WAIT_LOCK, lock);
		return;
	}
	thread_start_body(m, cpu, thread, f);
}

/*
 * The running thread on `cpu` blocks: its frame leaves the CPU and the CPU
 * is free.  Waits are only possible from the thread's own frame at
 * PASSIVE; elsewhere the caller has already turned them into 0xB8 or a
 * lesson error.
 */
void dt_thread_block(struct dt_machine *m, unsigned cpu, unsigned wait_kind, unsigned object)
{
	struct dt_cpu *c = &m->st.cpus[cpu];
	unsigned thread = c->frames[0].object;
	struct dt_thread *t = &m->st.threads[thread];
	t->ctx = c->frames[0];
	t->state = DT_TS_BLOCKED;
	t->wait_kind = (uint8_t)wait_kind;
	t->wait_object = (uint16_t)object;
	t->wait_step = m->st.step + 1;
	t->cpu = -1;
	c->nframes = 0;
	dt_set_irql(m, cpu, DT_PASSIVE_LEVEL);
	struct dt_trace_event *e = dt_trace_emit(m, DT_EV_THREAD_BLOCK, (int)cpu);
	e->obj_kind = DT_OBJ_THREAD;
	e->object = (uint16_t)thread;
	e->arg[0] = wait_kind;
	e->arg[1] = object;
	if (wait_kind == DT_WAIT_LOCK)
		dt_check_thread_deadlock(m, thread);
}

/* A blocked thread's wait is over: it is ready and, when dispatched,
 * resumes with `result` as the result of the operation it waited in. */
void dt_thread_wake(struct dt_machine *m, unsigned thread, struct dt_value result)
{
	struct dt_thread *t = &m->st.threads[thread];
	t->state = DT_TS_READY;
	t->wait_kind = DT_WAIT_NONE;
	t->woken = 1;
	t->ctx.retval = result;
	t->ready_step = m->st.step + 1;
	thread_trace(m, DT_EV_THREAD_WAKE, thread, -1);
}

/* Work for an idle worker or ISR thread: it becomes ready. */
void dt_thread_make_ready(struct dt_machine *m, unsigned thread)
{
	struct dt_thread *t = &m->st.threads[thread];
	t->state = DT_TS_READY;
	t->ready_step = m->st.step + 1;
	t->ctx.body = DT_NONE;
	t->ctx.state = 0;
	t->ctx.nheld = 0;
	t->ctx.lock = DT_NONE;
	t->ctx.irql = DT_PASSIVE_LEVEL;
	t->ctx.charge_us = 0;
	thread_trace(m, DT_EV_THREAD_WAKE, thread, -1);
}

/* R20: no DPC (of `only`, or any when DT_NONE) queued before `step` is
 * still queued or still running. */
int dt_dpcs_flushed(const struct dt_machine *m, uint32_t step, unsigned only)
{
	for (unsigned d = 0; d < m->st.ndpcs; d++) {
		const struct dt_dpc *dpc = &m->st.dpcs[d];
		if (only != DT_NONE && d != only)
			continue;
		if (dpc->inserted && dpc->queued_step < step)
			return 0;
	}
	for (unsigned i = 0; i < m->st.ncpus; i++) {
		const struct dt_cpu *c = &m->st.cpus[i];
		for (unsigned k = 0; k < c->nframes; k++) {
			const struct dt_frame *f = &c->frames[k];
			if (f->kind != DT_FRAME_DPC || (only != DT_NONE && f->object != only))
				continue;
			if (f->instance_step < step)
				return 0;
		}
	}
	return 1;
}

/* Wake flush and disable waiters whose condition now holds. */
void dt_threads_recheck(struct dt_machine *m)
{
	for (unsigned i = 0; i < m->st.nthreads; i++) {
		struct dt_thread *t = &m->st.threads[i];
		if (t->state != DT_TS_BLOCKED)
			continue;
		if (t->wait_kind == DT_WAIT_FLUSH && dt_dpcs_flushed(m, t->wait_step, DT_NONE)) {
			dt_thread_wake(m, i, dt_nil());
		} else if (t->wait_kind == DT_WAIT_DISABLE) {
			const struct dt_interrupt *in = &m->st.interrupts[t->wait_object];
			if (dt_dpcs_flushed(m, t->wait_step, in->dpc) && !in->wi_queued &&
			    !in->wi_running)
				dt_thread_wake(m, i, dt_int(DT_STATUS_SUCCESS));
		}
	}
}

/* The thread's body returned: release what it holds and take it off. */
void dt_thread_return(struct dt_machine *m, unsigned cpu, struct dt_frame *f)
{
	struct dt_cpu *c = &m->st.cpus[cpu];
	unsigned thread = f->object;
	struct dt_thread *t = &m->st.threads[thread];
	if (f->lock != DT_NONE)
		dt_waitlock_give(m, f->lock, thread);
	dt_body_end(m, f);
	c->nframes = 0;
	dt_set_irql(m, cpu, DT_PASSIVE_LEVEL);
	t->cpu = -1;
	t->ctx.body = DT_NONE;
	thread_trace(m, DT_EV_THREAD_END, thread, (int)cpu);
	switch (t->kind) {
	case DT_THREAD_LESSON:
		t->state = DT_TS_DONE;
		break;
	case DT_THREAD_WORKER: {
		struct dt_interrupt *in = &m->st.interrupts[t->interrupt];
		in->wi_running--;
		struct dt_trace_event *e = dt_trace_emit(m, DT_EV_WORKITEM_END, (int)cpu);
		dt_trace_obj(e, DT_OBJ_INTERRUPT, t->interrupt);
		e->rule = 44;
		t->state = DT_TS_IDLE;
		dt_workq_next(m, thread);
		break;
	}
	default:
		t->state = DT_TS_IDLE;
		dt_passive_isr_done(m, t->interrupt, cpu);
		if (t->signaled)
			dt_thread_make_ready(m, thread);
		break;
	}
	dt_threads_recheck(m);
}
