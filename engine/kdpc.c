/*
 * kdpc.c - the advanced DPC calls (R19, R20) and the driver's own locks
 * (R63): KeInsertQueueDpc with importance and targeting, KeRemoveQueueDpc,
 * KeFlushQueuedDpcs, WDFSPINLOCK/KeAcquireSpinLock at DISPATCH,
 * KeAcquireSpinLockAtDpcLevel, and WDFWAITLOCK for threads.
 *
 * KMDF's interrupt DPC is always Medium and untargeted (R10); these calls
 * exist for the advanced lessons that show what the other settings do.
 */
#include <string.h>

#include "machine_int.h"

static int kdpc_of(struct dt_machine *m, unsigned cpu, const struct dt_op *op, unsigned *dpc)
{
	if (dt_handle_decode(m, op->handle, DT_HANDLE_KDPC, dpc))
		return 1;
	/* A KDPC is not a WDF object: a bad pointer is an ordinary fault. */
	struct dt_cpu *c = &m->st.cpus[cpu];
	if (c->irql >= DT_DISPATCH_LEVEL)
		dt_bugcheck(m, (int)cpu, DT_BUGCODE_DRIVER_IRQL_NOT_LESS_OR_EQUAL, op->handle,
			    c->irql, 1, 0, DT_BCR_NULL_POINTER, 19);
	else
		dt_bugcheck(m, (int)cpu, DT_BUGCODE_PAGE_FAULT_IN_NONPAGED_AREA, op->handle, 1, 0,
			    0, DT_BCR_NULL_POINTER, 19);
	return 0;
}

/* KeRemoveQueueDpc: TRUE when it was queued (it will not run); it never
 * waits for a routine that is already running (R20). */
static int remove_queued(struct dt_machine *m, unsigned dpc, unsigned cpu)
{
	struct dt_dpc *d = &m->st.dpcs[dpc];
	struct dt_trace_event *e = dt_trace_emit(m, DT_EV_DPC_REMOVE, (int)cpu);
	dt_trace_obj(e, DT_OBJ_DPC, dpc);
	e->rule = 20;
	if (!d->inserted)
		return 0;
	struct dt_cpu *q = &m->st.cpus[d->queue_cpu];
	for (unsigned i = 0; i < q->qlen; i++) {
		if (q->queue[i] != dpc)
			continue;
		memmove(&q->queue[i], &q->queue[i + 1], (size_t)(q->qlen - i - 1));
		q->qlen--;
		break;
	}
	d->inserted = 0;
	d->queue_cpu = -1;
	e->result = 1;
	dt_threads_recheck(m);
	return 1;
}

static int op_flush(struct dt_machine *m, unsigned cpu)
{
	struct dt_trace_event *e = dt_trace_emit(m, DT_EV_FLUSH, (int)cpu);
	e->rule = 20;
	if (dt_dpcs_flushed(m, m->st.step + 1, DT_NONE)) {
		e->result = 1;
		return DT_OPR_RESUME;
	}
	if (!dt_may_wait(m, cpu))
		return DT_OPR_HALT;
	dt_thread_block(m, cpu, DT_WAIT_FLUSH, 0);
	return DT_OPR_WAIT;
}

int dt_op_kdpc(struct dt_machine *m, unsigned cpu, const struct dt_op *op,
	       struct dt_value *result)
{
	unsigned dpc;
	*result = dt_nil();
	if (m->st.sw.umdf) {
		dt_machine_fail_lesson(m, "Ke* routines are kernel-mode only: not available in "
				       "UMDF mode (R80)", op->pos);
		return DT_OPR_HALT;
	}
	if (op->kind == DT_OP_KE_FLUSH_QUEUED_DPCS)
		return op_flush(m, cpu);
	if (!kdpc_of(m, cpu, op, &dpc))
		return DT_OPR_HALT;
	struct dt_dpc *d = &m->st.dpcs[dpc];
	switch (op->kind) {
	case DT_OP_KE_INSERT_QUEUE_DPC: {
		int r = dt_dpc_insert(m, dpc, cpu);
		struct dt_trace_event *e = dt_trace_emit(m, DT_EV_QUEUE_DPC, (int)cpu);
		dt_trace_obj(e, DT_OBJ_DPC, dpc);
		e->value = dt_int(DT_OP_KE_INSERT_QUEUE_DPC);
		e->arg[0] = -1;
		e->arg[1] = d->queue_cpu;
		e->result = r;
		e->rule = 19;
		if (!r) {
			e->cause_step = d->queued_step;
			e->cause_cpu = d->queued_by_cpu;
		}
		*result = dt_bool(r);
		return DT_OPR_RESUME;
	}
	case DT_OP_KE_REMOVE_QUEUE_DPC:
		*result = dt_bool(remove_queued(m, dpc, cpu));
		return DT_OPR_RESUME;
	case DT_OP_KE_SET_IMPORTANCE:
		if (op->value.u.i < DT_LOW || op->value.u.i > DT_HIGH) {
			dt_machine_fail_lesson(m, "KeSetImportanceDpc: not an importance", op->pos);
			return DT_OPR_HALT;
		}
		d->importance = (uint8_t)op->value.u.i;
		return DT_OPR_RESUME;
	default: /* DT_OP_KE_SET_TARGET */
		if (op->value.u.i < 0 || op->value.u.i >= m->st.ncpus) {
			dt_machine_fail_lesson(m, "KeSetTargetProcessorDpc: no such CPU", op->pos);
			return DT_OPR_HALT;
		}
		d->target_cpu = (int16_t)op->value.u.i;
		return DT_OPR_RESUME;
	}
}

/* ---- WDFSPINLOCK / KSPIN_LOCK and WDFWAITLOCK (R63) ---------------------- */

int dt_op_lock(struct dt_machine *m, unsigned cpu, const struct dt_op *op,
	       struct dt_value *result)
{
	unsigned lock;
	*result = dt_nil();
	int wait = op->kind == DT_OP_WAITLOCK_ACQUIRE || op->kind == DT_OP_WAITLOCK_RELEASE;
	if (!dt_handle_decode(m, op->handle, wait ? DT_HANDLE_WAITLOCK : DT_HANDLE_SPINLOCK,
			      &lock)) {
		dt_invalid_handle(m, cpu, op->handle,
				  wait ? DT_FX_TYPE_WAIT_LOCK : DT_FX_TYPE_SPIN_LOCK);
		return DT_OPR_HALT;
	}
	struct dt_lock *l = &m->st.locks[lock];
	int acquire = op->kind == DT_OP_SPINLOCK_ACQUIRE ||
		      op->kind == DT_OP_SPINLOCK_ACQUIRE_AT_DPC ||
		      op->kind == DT_OP_WAITLOCK_ACQUIRE;
	if (!wait && l->interrupt != DT_NONE && op->kind == DT_OP_SPINLOCK_ACQUIRE) {
		/* R63: the lock became an interrupt's lock; WdfSpinLockAcquire on
		 * it is a verifier finding that takes no lock (R34). */
		if (dt_verifier_finding(m, cpu, DT_VF_SPINLOCK_IS_INTERRUPT_LOCK, 63) < 0)
			return DT_OPR_HALT;
		return DT_OPR_RESUME;
	}
	if (!wait && l->interrupt != DT_NONE && op->kind == DT_OP_SPINLOCK_RELEASE)
		return DT_OPR_RESUME; /* the matching no-op */
	if (wait && acquire)
		return dt_wait_acquire(m, cpu, lock);
	if (wait) {
		if (!dt_wait_release(m, cpu, lock)) {
			dt_machine_fail_lesson(m, "WdfWaitLockRelease of a lock this callback "
					       "does not hold", op->pos);
			return DT_OPR_HALT;
		}
		return DT_OPR_RESUME;
	}
	if (!acquire) {
		if (!dt_spin_release(m, cpu, lock)) {
			dt_machine_fail_lesson(m, "a spin lock released that this callback does "
					       "not hold", op->pos);
			return DT_OPR_HALT;
		}
		return DT_OPR_RESUME;
	}
	/* KeAcquireSpinLock raises to DISPATCH (from DIRQL: 0x9, R35, R63);
	 * ...AtDpcLevel does not touch the IRQL at all. */
	int raise = op->kind == DT_OP_SPINLOCK_ACQUIRE ? DT_DISPATCH_LEVEL : -1;
	if (dt_spin_acquire(m, cpu, lock, raise))
		return DT_OPR_RESUME;
	return dt_halted(m) ? DT_OPR_HALT : DT_OPR_WAIT;
}
