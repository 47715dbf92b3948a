/*
 * interrupt.c - the WdfInterrupt* operations beyond queuing a DPC: the
 * interrupt lock (R60), TryToAcquireLock (R53), Synchronize (R62),
 * Enable/Disable (R70), GetInfo, and QueueWorkItemForIsr (R41).
 *
 * A DIRQL interrupt's lock is a spin lock taken at SynchronizeIrql; a
 * passive interrupt's lock is a wait lock taken at PASSIVE (R51).  The
 * callbacks that run under the lock (EvtInterruptSynchronize, Enable,
 * Disable) are bodies of their own: a SYNC frame pushed above the caller,
 * so they are stepped like everything else.
 */
#include "machine_int.h"

/* Acquire the interrupt's lock the way its handling says (R60). */
static int intr_lock(struct dt_machine *m, unsigned cpu, const struct dt_interrupt *in)
{
	if (in->passive)
		return dt_wait_acquire(m, cpu, in->lock);
	if (dt_spin_acquire(m, cpu, in->lock, in->sync_irql))
		return DT_OPR_RESUME;
	return dt_halted(m) ? DT_OPR_HALT : DT_OPR_WAIT;
}

static int intr_unlock(struct dt_machine *m, unsigned cpu, const struct dt_interrupt *in)
{
	return in->passive ? dt_wait_release(m, cpu, in->lock) : dt_spin_release(m, cpu, in->lock);
}

/* Push the SYNC frame for the caller's Synchronize/Enable/Disable callback. */
static int sync_enter(struct dt_machine *m, unsigned cpu, unsigned intr, uint32_t callback,
		      unsigned call_kind)
{
	struct dt_cpu *c = &m->st.cpus[cpu];
	if (c->nframes == DT_MAX_FRAMES) {
		dt_machine_fail_lesson(m, "too many nested frames on one CPU", dt_top(c)->op.pos);
		return DT_OPR_HALT;
	}
	struct dt_frame *f = dt_frame_push(m, cpu, DT_FRAME_SYNC, intr, c->irql);
	f->saved_irql = c->irql;
	const struct dt_interrupt *in = &m->st.interrupts[intr];
	struct dt_call call = {
		.callback = callback,
		.kind = (uint16_t)call_kind,
		.cpu = (uint16_t)cpu,
		.interrupt = dt_handle_of(DT_HANDLE_INTERRUPT, intr),
		.device = dt_handle_of(DT_HANDLE_DEVICE, in->device),
		.interrupt_index = (uint16_t)intr,
		.thread = DT_NONE,
	};
	struct dt_trace_event *e = dt_trace_emit(m, DT_EV_SYNC_ENTER, (int)cpu);
	dt_trace_obj(e, DT_OBJ_INTERRUPT, intr);
	e->arg[0] = call_kind;
	e->rule = call_kind == DT_CALL_SYNCHRONIZE ? 62 : 70;
	dt_body_start(m, &call, cpu, f);
	return DT_OPR_WAIT;
}

static uint32_t sync_callback(const struct dt_interrupt *in, const struct dt_op *op,
			      unsigned *kind)
{
	switch (op->kind) {
	case DT_OP_INTR_SYNCHRONIZE:
		*kind = DT_CALL_SYNCHRONIZE;
		return (uint32_t)op->value.u.i;
	case DT_OP_INTR_ENABLE:
		*kind = DT_CALL_ENABLE;
		return in->enable_cb;
	default:
		*kind = DT_CALL_DISABLE;
		return in->disable_cb;
	}
}

/* R70, after the callback (if any): the interrupt's new state. */
static int enable_disable_finish(struct dt_machine *m, unsigned cpu, unsigned intr,
				 struct dt_value *result)
{
	struct dt_interrupt *in = &m->st.interrupts[intr];
	struct dt_frame *f = dt_top(&m->st.cpus[cpu]);
	*result = dt_int(DT_STATUS_SUCCESS);
	struct dt_trace_event *e =
		dt_trace_emit(m, f->op.kind == DT_OP_INTR_ENABLE ? DT_EV_INTR_ENABLE : DT_EV_INTR_DISABLE,
			      (int)cpu);
	dt_trace_obj(e, DT_OBJ_INTERRUPT, intr);
	e->rule = 70;
	if (f->op.kind == DT_OP_INTR_ENABLE) {
		in->enabled = 1;
		dt_line_update(m, in->device, (int)cpu);
		return DT_OPR_RESUME;
	}
	in->enabled = 0;
	/* Disable flushes the DPC and waits for the work item (R20, R70). */
	if (dt_dpcs_flushed(m, f->instance_step, in->dpc) && !in->wi_queued && !in->wi_running)
		return DT_OPR_RESUME;
	if (dt_current_thread(m, cpu) < 0)
		return DT_OPR_RESUME; /* not a thread: it cannot wait (verifier reported it) */
	f->retval = *result;
	dt_thread_block(m, cpu, DT_WAIT_DISABLE, intr);
	return DT_OPR_WAIT;
}

/*
 * The wait of the top frame's pending operation is over (the spin lock is
 * now held, or the thread was woken holding its wait lock): go on with it.
 */
int dt_op_continue(struct dt_machine *m, unsigned cpu, struct dt_value *result)
{
	struct dt_frame *f = dt_top(&m->st.cpus[cpu]);
	unsigned intr, kind;
	switch (f->op.kind) {
	case DT_OP_INTR_SYNCHRONIZE:
	case DT_OP_INTR_ENABLE:
	case DT_OP_INTR_DISABLE: {
		if (!dt_handle_decode(m, f->op.handle, DT_HANDLE_INTERRUPT, &intr))
			return DT_OPR_HALT;
		const struct dt_interrupt *in = &m->st.interrupts[intr];
		uint32_t cb = sync_callback(in, &f->op, &kind);
		f->phase = 1;
		return sync_enter(m, cpu, intr, cb, kind);
	}
	default:
		*result = dt_nil();
		return DT_OPR_RESUME;
	}
}

/* A SYNC frame returned: release the lock, give the caller its result. */
void dt_sync_return(struct dt_machine *m, unsigned cpu, struct dt_frame *sf)
{
	struct dt_cpu *c = &m->st.cpus[cpu];
	unsigned intr = sf->object;
	struct dt_value ret = sf->retval;
	if (!dt_frame_check_released(m, sf))
		return;
	dt_body_end(m, sf);
	c->nframes--;
	struct dt_trace_event *e = dt_trace_emit(m, DT_EV_SYNC_RETURN, (int)cpu);
	dt_trace_obj(e, DT_OBJ_INTERRUPT, intr);
	e->result = ret.kind != DT_VAL_NIL && ret.u.i != 0;
	struct dt_frame *f = dt_top(c);
	const struct dt_interrupt *in = &m->st.interrupts[intr];
	intr_unlock(m, cpu, in);
	f->phase = 0;
	struct dt_value result = dt_bool(e->result);
	int r = DT_OPR_RESUME;
	if (f->op.kind != DT_OP_INTR_SYNCHRONIZE)
		r = enable_disable_finish(m, cpu, intr, &result);
	if (r == DT_OPR_RESUME && !dt_halted(m))
		dt_body_resume(m, cpu, f, &result);
}

/* R41: queue the interrupt's work item directly (PASSIVE or DISPATCH). */
int dt_workitem_queue(struct dt_machine *m, unsigned intr, int cpu)
{
	struct dt_interrupt *in = &m->st.interrupts[intr];
	int queued = !in->wi_queued;
	struct dt_trace_event *e = dt_trace_emit(m, DT_EV_WORKITEM_QUEUE, cpu);
	dt_trace_obj(e, DT_OBJ_INTERRUPT, intr);
	e->result = queued;
	e->rule = 41;
	if (!queued) {
		e->cause_step = in->wi_queued_step;
		return 0;
	}
	in->wi_queued = 1;
	in->wi_queued_step = m->st.step + 1;
	dt_workq_add(m, intr);
	return 1;
}

static int op_queue_workitem(struct dt_machine *m, unsigned cpu, unsigned intr,
			     struct dt_value *result)
{
	struct dt_interrupt *in = &m->st.interrupts[intr];
	struct dt_cpu *c = &m->st.cpus[cpu];
	if (in->work_item == DT_NO_CALLBACK) {
		/* No work item object: the framework dereferences NULL. */
		if (c->irql >= DT_DISPATCH_LEVEL)
			dt_bugcheck(m, (int)cpu, DT_BUGCODE_DRIVER_IRQL_NOT_LESS_OR_EQUAL, 0, c->irql,
				    0, 0, DT_BCR_NULL_POINTER, 41);
		else
			dt_bugcheck(m, (int)cpu, DT_BUGCODE_PAGE_FAULT_IN_NONPAGED_AREA, 0, 0, 0, 0,
				    DT_BCR_NULL_POINTER, 41);
		return DT_OPR_HALT;
	}
	int r;
	if (c->irql > DT_DISPATCH_LEVEL) {
		/* From a DIRQL ISR: through the internal DPC, its result returned. */
		r = dt_dpc_insert(m, in->dpc, cpu);
		struct dt_trace_event *e = dt_trace_emit(m, DT_EV_QUEUE_DPC, (int)cpu);
		dt_trace_obj(e, DT_OBJ_DPC, in->dpc);
		e->value = dt_int(DT_OP_QUEUE_WORKITEM_FOR_ISR);
		e->arg[0] = intr;
		e->arg[1] = m->st.dpcs[in->dpc].queue_cpu;
		e->result = r;
		e->rule = 41;
		if (!r) {
			e->cause_step = m->st.dpcs[in->dpc].queued_step;
			e->cause_cpu = m->st.dpcs[in->dpc].queued_by_cpu;
		}
	} else {
		r = dt_workitem_queue(m, intr, (int)cpu);
	}
	if (r)
		in->wi_true++;
	else
		in->wi_false++;
	*result = dt_bool(r);
	return DT_OPR_RESUME;
}

static int op_try_acquire(struct dt_machine *m, unsigned cpu, const struct dt_interrupt *in,
			  struct dt_value *result)
{
	*result = dt_bool(0);
	int thread = dt_current_thread(m, cpu);
	if (!in->passive || m->st.cpus[cpu].irql != DT_PASSIVE_LEVEL || thread < 0) {
		int v = dt_verifier_finding(m, cpu, DT_VF_TRY_ACQUIRE_WRONG, 53);
		if (v < 0)
			return DT_OPR_HALT;
		return DT_OPR_RESUME; /* returns FALSE: it takes no lock */
	}
	struct dt_frame *f = dt_top(&m->st.cpus[cpu]);
	if (f->nheld < DT_MAX_HELD && dt_waitlock_take(m, in->lock, (unsigned)thread)) {
		f->held[f->nheld++] = (struct dt_held){ in->lock, DT_PASSIVE_LEVEL, 0 };
		*result = dt_bool(1);
	}
	return DT_OPR_RESUME;
}

static int op_enable_disable(struct dt_machine *m, unsigned cpu, unsigned intr,
			     struct dt_value *result)
{
	struct dt_cpu *c = &m->st.cpus[cpu];
	struct dt_frame *f = dt_top(c);
	if (c->irql != DT_PASSIVE_LEVEL || dt_current_thread(m, cpu) < 0) {
		int v = dt_verifier_finding(m, cpu, DT_VF_ENABLE_WRONG_IRQL, 70);
		if (v < 0)
			return DT_OPR_HALT;
		if (v == 0) {
			*result = dt_int(DT_STATUS_SUCCESS);
			return DT_OPR_RESUME; /* debugger continued: returns without acting */
		}
	}
	f->instance_step = m->st.step + 1;
	const struct dt_interrupt *in = &m->st.interrupts[intr];
	unsigned kind;
	uint32_t cb = sync_callback(in, &f->op, &kind);
	if (cb == DT_NO_CALLBACK)
		return enable_disable_finish(m, cpu, intr, result);
	int r = intr_lock(m, cpu, in);
	if (r != DT_OPR_RESUME)
		return r;
	f->phase = 1;
	return sync_enter(m, cpu, intr, cb, kind);
}

/* The WdfInterrupt* operations other than QueueDpcForIsr. */
int dt_op_interrupt(struct dt_machine *m, unsigned cpu, const struct dt_op *op,
		    struct dt_value *result)
{
	unsigned intr;
	*result = dt_nil();
	if (!dt_handle_decode(m, op->handle, DT_HANDLE_INTERRUPT, &intr)) {
		dt_invalid_handle(m, cpu, op->handle, DT_FX_TYPE_INTERRUPT);
		return DT_OPR_HALT;
	}
	const struct dt_interrupt *in = &m->st.interrupts[intr];
	if (!dt_stale_check(m, cpu, intr, op->handle))
		return DT_OPR_HALT;
	switch (op->kind) {
	case DT_OP_QUEUE_WORKITEM_FOR_ISR:
		return op_queue_workitem(m, cpu, intr, result);
	case DT_OP_INTR_ACQUIRE_LOCK:
		if (in->passive && m->st.cpus[cpu].irql != DT_PASSIVE_LEVEL) {
			/* R52: a DPC may not take a passive interrupt's lock. */
			int v = dt_verifier_finding(m, cpu, DT_VF_PASSIVE_LOCK_AT_DISPATCH, 52);
			if (v < 0)
				return DT_OPR_HALT;
			if (v == 0)
				return DT_OPR_RESUME; /* continued in the debugger: no lock */
		}
		return intr_lock(m, cpu, in);
	case DT_OP_INTR_RELEASE_LOCK:
		if (!intr_unlock(m, cpu, in)) {
			dt_machine_fail_lesson(m, "WdfInterruptReleaseLock without a matching "
					       "WdfInterruptAcquireLock in this callback", op->pos);
			return DT_OPR_HALT;
		}
		return DT_OPR_RESUME;
	case DT_OP_INTR_TRY_ACQUIRE_LOCK:
		return op_try_acquire(m, cpu, in, result);
	case DT_OP_INTR_SYNCHRONIZE: {
		if (op->value.kind == DT_VAL_NIL || (uint32_t)op->value.u.i == DT_NO_CALLBACK) {
			/* R32: a NULL required pointer. */
			dt_bugcheck(m, (int)cpu, DT_BUGCODE_WDF_VIOLATION,
				    DT_WDF_REQUIRED_PARAMETER_IS_NULL, 0, DT_FAKE_RETURN_ADDRESS,
				    DT_FAKE_DRIVER_GLOBALS, DT_BCR_NULL_POINTER, 32);
			return DT_OPR_HALT;
		}
		int r = intr_lock(m, cpu, in);
		if (r != DT_OPR_RESUME)
			return r;
		dt_top(&m->st.cpus[cpu])->phase = 1;
		return sync_enter(m, cpu, intr, (uint32_t)op->value.u.i, DT_CALL_SYNCHRONIZE);
	}
	case DT_OP_INTR_ENABLE:
	case DT_OP_INTR_DISABLE:
		return op_enable_disable(m, cpu, intr, result);
	default: /* DT_OP_INTR_GET_INFO */
		*result = dt_int(in->message_id);
		return DT_OPR_RESUME;
	}
}
