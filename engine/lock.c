/*
 * lock.c - spin locks and wait locks, and the operations on them
 * (R03, R51, R53, R60-R63).
 *
 * A spin lock is owned by a frame on a CPU.  A CPU that wants a held spin
 * lock *spins*: it stays where it is (at the raised IRQL, with its own
 * device interrupts at or below it masked), is charged time, and is not
 * a choice point until the lock is free; its next step then obtains it.
 * A wait lock is owned by a thread; a thread that wants a held one
 * *blocks*, its CPU free for other work, and the releaser hands the lock
 * to the first waiter.
 *
 * Acquire operations push a (lock, saved IRQL) pair on the frame; the
 * matching release pops it and lowers the IRQL again, and the forced
 * order then takes any interrupt that arrived meanwhile (R08, R60).
 */
#include <string.h>

#include "machine_int.h"

/* ---- wait locks ---------------------------------------------------------- */

int dt_waitlock_take(struct dt_machine *m, unsigned lock, unsigned thread)
{
	struct dt_lock *l = &m->st.locks[lock];
	if (l->owner_thread != -1) /* -2: held by a non-thread frame (R52) */
		return 0;
	l->owner_thread = (int16_t)thread;
	l->acquired_step = m->st.step + 1;
	l->acquisitions++;
	return 1;
}

/* Release; the longest waiter gets the lock and becomes ready. */
void dt_waitlock_give(struct dt_machine *m, unsigned lock, unsigned thread)
{
	struct dt_lock *l = &m->st.locks[lock];
	(void)thread;
	l->owner_thread = -1;
	int next = -1;
	for (unsigned i = 0; i < m->st.nthreads; i++) {
		const struct dt_thread *t = &m->st.threads[i];
		if (t->state != DT_TS_BLOCKED || t->wait_kind != DT_WAIT_LOCK ||
		    t->wait_object != lock)
			continue;
		if (next < 0 || t->wait_step < m->st.threads[next].wait_step)
			next = (int)i;
	}
	if (next < 0)
		return;
	dt_waitlock_take(m, lock, (unsigned)next);
	dt_thread_wake(m, (unsigned)next, dt_nil());
	/* A Synchronize/Enable/Disable that waited for the lock goes on with
	 * its callback when dispatched, instead of returning (R62, R70). */
	const struct dt_frame *f = &m->st.threads[next].ctx;
	if (f->body != DT_NONE && f->phase == DT_PHASE_NONE &&
	    (f->op.kind == DT_OP_INTR_SYNCHRONIZE || f->op.kind == DT_OP_INTR_ENABLE ||
	     f->op.kind == DT_OP_INTR_DISABLE))
		m->st.threads[next].woken = 2;
}

/* ---- wait-lock operations of bodies ------------------------------------- */

/* The running thread on `cpu`, or -1 when the top frame is not a thread's. */
/* Wait-lock acquires and releases are traced like spin-lock ones (R51). */
static void wait_trace(struct dt_machine *m, unsigned kind, unsigned cpu, unsigned lock)
{
	struct dt_trace_event *e = dt_trace_emit(m, kind, (int)cpu);
	dt_trace_obj(e, DT_OBJ_LOCK, lock);
	e->rule = m->st.locks[lock].interrupt != DT_NONE ? 51 : 60;
}

int dt_current_thread(const struct dt_machine *m, unsigned cpu)
{
	const struct dt_cpu *c = &m->st.cpus[cpu];
	if (c->nframes == 1 && c->frames[0].kind == DT_FRAME_THREAD)
		return c->frames[0].object;
	return -1;
}

/* Take a wait lock for the thread on `cpu`; block when it is held. */
int dt_wait_acquire(struct dt_machine *m, unsigned cpu, unsigned lock)
{
	struct dt_frame *f = dt_top(&m->st.cpus[cpu]);
	int thread = dt_current_thread(m, cpu);
	if (f->nheld == DT_MAX_HELD) {
		dt_machine_fail_lesson(m, "too many locks held at once", f->op.pos);
		return DT_OPR_HALT;
	}
	if (m->st.locks[lock].owner_thread == -1 && thread >= 0 &&
	    dt_waitlock_take(m, lock, (unsigned)thread)) {
		f->held[f->nheld++] = (struct dt_held){ (uint16_t)lock, m->st.cpus[cpu].irql, 0 };
		wait_trace(m, DT_EV_LOCK_ACQUIRE, cpu, lock);
		return DT_OPR_RESUME;
	}
	if (thread < 0 && m->st.locks[lock].owner_thread == -1) {
		/* Not a thread (a DPC taking a passive lock, R52): it gets the lock
		 * only because it is free; a held one would mean a wait: 0xB8. */
		m->st.locks[lock].owner_thread = -2;
		f->held[f->nheld++] = (struct dt_held){ (uint16_t)lock, m->st.cpus[cpu].irql, 0 };
		return DT_OPR_RESUME;
	}
	if (!dt_may_wait(m, cpu))
		return DT_OPR_HALT;
	f->held[f->nheld++] = (struct dt_held){ (uint16_t)lock, m->st.cpus[cpu].irql, 0 };
	dt_thread_block(m, cpu, DT_WAIT_LOCK, lock);
	return DT_OPR_WAIT;
}

int dt_wait_release(struct dt_machine *m, unsigned cpu, unsigned lock)
{
	struct dt_frame *f = dt_top(&m->st.cpus[cpu]);
	for (int i = f->nheld - 1; i >= 0; i--) {
		if (f->held[i].lock != lock)
			continue;
		for (int k = i; k + 1 < f->nheld; k++)
			f->held[k] = f->held[k + 1];
		f->nheld--;
		wait_trace(m, DT_EV_LOCK_RELEASE, cpu, lock);
		dt_waitlock_give(m, lock, 0);
		return 1;
	}
	return 0;
}

/* ---- IRQL rules around acquires (R35) --------------------------------- */

/* Raising to a lower IRQL: 0x9, or 0xC4 under Driver Verifier IRQL checking. */
int dt_raise_irql(struct dt_machine *m, unsigned cpu, unsigned irql)
{
	struct dt_cpu *c = &m->st.cpus[cpu];
	if (irql < c->irql) {
		if (m->st.sw.driver_verifier_irql)
			dt_bugcheck(m, (int)cpu, DT_BUGCODE_DRIVER_VERIFIER_DETECTED_VIOLATION,
				    DT_C4_IRQL_RAISE_TO_LOWER, c->irql, irql, 0,
				    DT_BCR_VERIFIER_IRQL, 35);
		else
			dt_bugcheck(m, (int)cpu, DT_BUGCODE_IRQL_NOT_GREATER_OR_EQUAL, c->irql, irql,
				    0, 0, DT_BCR_IRQL_NOT_GREATER, 35);
		return 0;
	}
	dt_set_irql(m, cpu, irql);
	dt_top(c)->irql = (uint8_t)irql;
	return 1;
}

/* A wait at DISPATCH or above: 0xB8 ATTEMPTED_SWITCH_FROM_DPC (R35). */
int dt_may_wait(struct dt_machine *m, unsigned cpu)
{
	struct dt_cpu *c = &m->st.cpus[cpu];
	if (c->irql >= DT_DISPATCH_LEVEL) {
		dt_bugcheck(m, (int)cpu, DT_BUGCODE_ATTEMPTED_SWITCH_FROM_DPC, 0, 0, 0, 0,
			    DT_BCR_WAIT_AT_DISPATCH, 35);
		return 0;
	}
	if (c->nframes != 1 || c->frames[0].kind != DT_FRAME_THREAD) {
		dt_machine_fail_lesson(m, "a wait inside a callback that is not a thread's own "
				       "frame is not modelled", dt_top(c)->op.pos);
		return 0;
	}
	return 1;
}

/* ---- spin locks ---------------------------------------------------------- */

/*
 * The top frame of `cpu` acquires spin lock `lock`, first raising to
 * `raise_to` (or not, when negative).  1: held now; 0: spinning (the
 * operation stays pending) or halted.
 */
int dt_spin_acquire(struct dt_machine *m, unsigned cpu, unsigned lock, int raise_to)
{
	struct dt_cpu *c = &m->st.cpus[cpu];
	struct dt_frame *f = dt_top(c);
	if (f->nheld == DT_MAX_HELD) {
		dt_machine_fail_lesson(m, "too many locks held at once", f->op.pos);
		return 0;
	}
	struct dt_held *h = &f->held[f->nheld];
	h->lock = (uint16_t)lock;
	h->saved_irql = c->irql;
	h->raised = raise_to >= 0;
	if (raise_to >= 0 && !dt_raise_irql(m, cpu, (unsigned)raise_to))
		return 0;
	if (dt_lock_try(m, lock, cpu, c->nframes - 1u)) {
		f->nheld++;
		struct dt_trace_event *e = dt_trace_emit(m, DT_EV_LOCK_ACQUIRE, (int)cpu);
		dt_trace_obj(e, DT_OBJ_LOCK, lock);
		e->rule = m->st.locks[lock].kind == DT_LOCK_WDFSPINLOCK ? 63 : 60;
		return 1;
	}
	f->state = DT_FS_SPINNING;
	f->spin_lock = (uint16_t)lock;
	struct dt_trace_event *e = dt_trace_emit(m, DT_EV_LOCK_SPIN, (int)cpu);
	dt_trace_obj(e, DT_OBJ_LOCK, lock);
	e->rule = m->st.locks[lock].kind == DT_LOCK_WDFSPINLOCK ? 63 : 60;
	e->cause_cpu = m->st.locks[lock].owner_cpu;
	e->cause_step = m->st.locks[lock].acquired_step;
	dt_check_deadlock(m, cpu);
	return 0;
}

/* Release a lock the top frame holds through an acquire; lower the IRQL
 * back when the acquire raised it.  0 if it does not hold it. */
int dt_spin_release(struct dt_machine *m, unsigned cpu, unsigned lock)
{
	struct dt_cpu *c = &m->st.cpus[cpu];
	struct dt_frame *f = dt_top(c);
	for (int i = f->nheld - 1; i >= 0; i--) {
		if (f->held[i].lock != lock)
			continue;
		struct dt_held h = f->held[i];
		memmove(&f->held[i], &f->held[i + 1], (size_t)(f->nheld - i - 1) * sizeof(h));
		f->nheld--;
		dt_lock_release(m, lock);
		if (h.raised) {
			dt_set_irql(m, cpu, h.saved_irql);
			f->irql = h.saved_irql;
		}
		struct dt_trace_event *e = dt_trace_emit(m, DT_EV_LOCK_RELEASE, (int)cpu);
		dt_trace_obj(e, DT_OBJ_LOCK, lock);
		e->rule = m->st.locks[lock].kind == DT_LOCK_WDFSPINLOCK ? 63 : 60;
		return 1;
	}
	return 0;
}

/* A frame that returns still holding an acquired lock: the lesson's error. */
int dt_frame_check_released(struct dt_machine *m, struct dt_frame *f)
{
	if (f->nheld == 0)
		return 1;
	dt_machine_fail_lesson(m, "a callback returned while still holding a lock it acquired "
			       "(release it before returning)", f->op.pos);
	return 0;
}
