/*
 * cpu.c - what one step of a CPU does (engine-contract 1).
 *
 * A CPU's next action is never a choice: it follows from the CPU's state
 * in a fixed order (dt_machine.h).  Only *which* CPU steps is a choice.
 * That order is the forced order after an IRQL drop: pending interrupts
 * first (R08), then, below DISPATCH, the DPC drain (R16), and only then
 * the interrupted body continues.  Each kernel transition is a step of
 * its own, so the step in which a DPC is dequeued (and "inserted"
 * clears, R13) comes before the step of its routine's first operation.
 */
#include <string.h>

#include "machine_int.h"

static void dpc_start(struct dt_machine *m, unsigned cpu, struct dt_frame *f);

void dt_set_irql(struct dt_machine *m, unsigned cpu, unsigned irql)
{
	m->st.cpus[cpu].irql = (uint8_t)irql;
}

int dt_lock_try(struct dt_machine *m, unsigned lock, unsigned cpu, unsigned frame)
{
	struct dt_lock *l = &m->st.locks[lock];
	if (l->owner_cpu >= 0)
		return 0;
	l->owner_cpu = (int16_t)cpu;
	l->owner_frame = (uint8_t)frame;
	l->acquired_step = m->st.step + 1;
	l->acquisitions++;
	return 1;
}

void dt_lock_release(struct dt_machine *m, unsigned lock)
{
	m->st.locks[lock].owner_cpu = -1;
	m->st.locks[lock].released_step = m->st.step + 1;
}

enum dt_cpu_action dt_cpu_next_action(const struct dt_machine *m, unsigned cpu)
{
	if (!m || cpu >= m->st.ncpus)
		return DT_ACT_NONE;
	if (dt_halted(m))
		return DT_ACT_HALTED;
	const struct dt_cpu *c = &m->st.cpus[cpu];
	const struct dt_frame *f = c->nframes ? &c->frames[c->nframes - 1] : NULL;
	if (dt_pending_highest(c) >= 0)
		return DT_ACT_TAKE_INTERRUPT;
	if (f && f->state == DT_FS_SPINNING)
		return m->st.locks[f->spin_lock].owner_cpu < 0 ? DT_ACT_OBTAIN_LOCK : DT_ACT_SPIN;
	if (dt_dpc_drain_due(c) && (!f || f->kind == DT_FRAME_THREAD))
		return DT_ACT_DEQUEUE_DPC;
	if (f && f->state == DT_FS_AT_OP)
		return DT_ACT_PERFORM_OP;
	if (f && f->state == DT_FS_RETURNED)
		return DT_ACT_RETURN;
	return DT_ACT_NONE;
}

int dt_cpu_can_step(const struct dt_machine *m, unsigned cpu)
{
	switch (dt_cpu_next_action(m, cpu)) {
	case DT_ACT_TAKE_INTERRUPT:
	case DT_ACT_OBTAIN_LOCK:
	case DT_ACT_DEQUEUE_DPC:
	case DT_ACT_PERFORM_OP:
	case DT_ACT_RETURN:
		return 1;
	default:
		return 0;
	}
}

struct dt_frame *dt_frame_push(struct dt_machine *m, unsigned cpu, unsigned kind,
			       unsigned object, unsigned irql)
{
	struct dt_cpu *c = &m->st.cpus[cpu];
	if (c->nframes == DT_MAX_FRAMES) {
		dt_machine_fail_lesson(m, "too many nested frames on one CPU",
				       (struct dt_srcpos){ 0, 0 });
		return NULL;
	}
	struct dt_frame *f = &c->frames[c->nframes++];
	memset(f, 0, sizeof(*f));
	f->kind = (uint8_t)kind;
	f->object = (uint16_t)object;
	f->irql = (uint8_t)irql;
	f->saved_irql = c->irql;
	f->body = DT_NONE;
	f->lock = DT_NONE;
	f->spin_lock = DT_NONE;
	f->entered_step = m->st.step + 1;
	return f;
}

static void isr_start(struct dt_machine *m, unsigned cpu, struct dt_frame *f)
{
	struct dt_interrupt *in = &m->st.interrupts[f->object];
	struct dt_call call = {
		.callback = in->isr,
		.kind = DT_CALL_ISR,
		.cpu = (uint16_t)cpu,
		.interrupt = dt_handle_of(DT_HANDLE_INTERRUPT, f->object),
		.device = dt_handle_of(DT_HANDLE_DEVICE, in->device),
		.message_id = in->message_id,
		.interrupt_index = f->object,
		.thread = DT_NONE,
	};
	in->isr_calls++;
	dt_body_start(m, &call, cpu, f);
}

/* R51: a passive interrupt's arrival is a brief trap at DIRQL that
 * silences the line and signals the ISR thread on its return step. */
static void take_trap(struct dt_machine *m, unsigned cpu, unsigned intr,
		      const struct dt_interrupt *in)
{
	struct dt_frame *f = dt_frame_push(m, cpu, DT_FRAME_TRAP, intr, in->dirql);
	if (!f)
		return;
	dt_set_irql(m, cpu, in->dirql);
	f->state = DT_FS_RETURNED;
	struct dt_trace_event *e = dt_trace_emit(m, DT_EV_TRAP, (int)cpu);
	dt_trace_obj(e, DT_OBJ_INTERRUPT, intr);
	e->rule = 51;
}

/* Take the highest pending interrupt: raise IRQL, push the ISR frame,
 * take the interrupt lock or start spinning for it (R03, R08). */
static void take_interrupt(struct dt_machine *m, unsigned cpu)
{
	struct dt_cpu *c = &m->st.cpus[cpu];
	int slot = dt_pending_highest(c);
	struct dt_pending p = c->pending[slot];
	dt_pending_remove(c, slot);
	struct dt_interrupt *in = &m->st.interrupts[p.interrupt];
	struct dt_trace_event *e;
	if (!in->enabled) {
		/* R70: a disabled interrupt's ISR is not called; a level line is
		 * delivered again once the interrupt is enabled and asserted. */
		e = dt_trace_emit(m, DT_EV_IRQ_DISCARDED, (int)cpu);
		dt_trace_obj(e, DT_OBJ_INTERRUPT, p.interrupt);
		e->rule = 70;
		m->st.devices[in->device].lines[in->line].in_service = 0;
		return;
	}
	if (in->passive) {
		take_trap(m, cpu, p.interrupt, in);
		return;
	}
	struct dt_frame *f = dt_frame_push(m, cpu, DT_FRAME_ISR, p.interrupt, in->sync_irql);
	if (!f)
		return;
	f->lock = in->lock;
	dt_set_irql(m, cpu, in->sync_irql);
	if (dt_lock_try(m, in->lock, cpu, m->st.cpus[cpu].nframes - 1u)) {
		e = dt_trace_emit(m, DT_EV_ISR_ENTER, (int)cpu);
		dt_trace_obj(e, DT_OBJ_INTERRUPT, p.interrupt);
		e->arg[0] = in->message_id;
		e->rule = 3;
		e->cause_step = p.arrival_step;
		isr_start(m, cpu, f);
		return;
	}
	f->state = DT_FS_SPINNING;
	f->spin_lock = in->lock;
	e = dt_trace_emit(m, DT_EV_ISR_SPIN, (int)cpu);
	dt_trace_obj(e, DT_OBJ_INTERRUPT, p.interrupt);
	e->arg[0] = in->lock;
	e->rule = 3;
	e->cause_cpu = m->st.locks[in->lock].owner_cpu;
	e->cause_step = m->st.locks[in->lock].acquired_step;
	dt_check_deadlock(m, cpu);
}

/* The lock a spinner waited for is free: take it and go on (R03, R60). */
static void obtain_lock(struct dt_machine *m, unsigned cpu)
{
	struct dt_frame *f = dt_top(&m->st.cpus[cpu]);
	unsigned lock = f->spin_lock;
	dt_lock_try(m, lock, cpu, m->st.cpus[cpu].nframes - 1u);
	f->spin_lock = DT_NONE;
	struct dt_trace_event *e = dt_trace_emit(m, DT_EV_LOCK_OBTAINED, (int)cpu);
	dt_trace_obj(e, DT_OBJ_LOCK, lock);
	/* R03 an ISR's interrupt lock, R42 a DPC's callback lock, R60 an acquire. */
	e->rule = f->body != DT_NONE ? 60 : f->kind == DT_FRAME_ISR ? 3 : 42;
	if (f->body == DT_NONE) { /* the lock a frame needs before its body */
		f->state = DT_FS_AT_OP;
		if (f->kind == DT_FRAME_ISR) {
			const struct dt_interrupt *in = &m->st.interrupts[f->object];
			e = dt_trace_emit(m, DT_EV_ISR_ENTER, (int)cpu);
			dt_trace_obj(e, DT_OBJ_INTERRUPT, f->object);
			e->arg[0] = in->message_id;
			e->rule = 3;
			e->cause_step = m->st.locks[lock].released_step;
			isr_start(m, cpu, f);
		} else {
			dpc_start(m, cpu, f);
		}
		return;
	}
	/* Inside an acquire operation: the operation completes now. */
	f->nheld++;
	f->state = DT_FS_AT_OP;
	struct dt_value result;
	if (dt_op_continue(m, cpu, &result) == DT_OPR_RESUME && !dt_halted(m))
		dt_body_resume(m, cpu, f, &result);
}

/* R43: a DPC whose routine is NULL calls address 0 at DISPATCH_LEVEL:
 * an ordinary page fault, DRIVER_IRQL_NOT_LESS_OR_EQUAL (0xD1). */
static void null_routine(struct dt_machine *m, unsigned cpu)
{
	dt_bugcheck(m, (int)cpu, DT_BUGCODE_DRIVER_IRQL_NOT_LESS_OR_EQUAL, 0, DT_DISPATCH_LEVEL,
		    8, 0, DT_BCR_NULL_DPC_ROUTINE, 43);
}

/* Start the routine of the DPC frame f: a driver's body, or the
 * framework's own routine that queues the work item (R41). */
static void dpc_start(struct dt_machine *m, unsigned cpu, struct dt_frame *f)
{
	struct dt_dpc *d = &m->st.dpcs[f->object];
	if (d->routine == DT_ROUTINE_QUEUE_WORKITEM) {
		dt_workitem_queue(m, d->interrupt, (int)cpu); /* its result is discarded */
		f->state = DT_FS_RETURNED;
		f->retval = dt_nil();
		return;
	}
	if (d->routine == DT_NO_CALLBACK) {
		null_routine(m, cpu);
		return;
	}
	struct dt_call call = {
		.callback = d->routine,
		.kind = d->interrupt != DT_NONE ? DT_CALL_DPC : DT_CALL_KDPC,
		.cpu = (uint16_t)cpu,
		.interrupt_index = d->interrupt,
		.thread = DT_NONE,
	};
	if (d->interrupt != DT_NONE) { /* R18: (Interrupt, AssociatedObject = the device) */
		call.interrupt = dt_handle_of(DT_HANDLE_INTERRUPT, d->interrupt);
		call.device = dt_handle_of(DT_HANDLE_DEVICE, m->st.interrupts[d->interrupt].device);
	}
	dt_body_start(m, &call, cpu, f);
}

/* Dequeue the head of the queue and enter its routine (R13, R16, R17). */
static void dequeue_dpc(struct dt_machine *m, unsigned cpu)
{
	struct dt_cpu *c = &m->st.cpus[cpu];
	if (!c->in_drain) {
		c->in_drain = 1;
		c->drain_irql = c->irql;
		c->drain_requested = 0;
		c->tick_pending = 0;
		dt_set_irql(m, cpu, DT_DISPATCH_LEVEL);
	}
	unsigned dpc = c->queue[0];
	memmove(&c->queue[0], &c->queue[1], (size_t)(c->qlen - 1));
	c->qlen--;
	struct dt_dpc *d = &m->st.dpcs[dpc];
	d->inserted = 0; /* R13: cleared before the routine runs */
	d->queue_cpu = -1;
	d->dequeued_step = m->st.step + 1;
	d->running++;
	d->runs++;
	struct dt_trace_event *e = dt_trace_emit(m, DT_EV_DPC_DEQUEUE, (int)cpu);
	dt_trace_obj(e, DT_OBJ_DPC, dpc);
	e->arg[0] = c->qlen;
	e->rule = 13;
	e->cause_step = d->queued_step;
	e->cause_cpu = d->queued_by_cpu;
	struct dt_frame *f = dt_frame_push(m, cpu, DT_FRAME_DPC, dpc, DT_DISPATCH_LEVEL);
	if (!f)
		return;
	f->saved_irql = DT_DISPATCH_LEVEL; /* the drain holds DISPATCH between routines */
	f->instance_step = d->queued_step;
	/* AutomaticSerialization: the parent's callback lock around the DPC
	 * (R18, R42); a second instance spins at DISPATCH for it. */
	if (d->interrupt != DT_NONE && d->routine != DT_ROUTINE_QUEUE_WORKITEM) {
		unsigned cl = m->st.interrupts[d->interrupt].callback_lock;
		if (cl != DT_NONE) {
			f->lock = (uint16_t)cl;
			if (!dt_lock_try(m, cl, cpu, c->nframes - 1u)) {
				f->state = DT_FS_SPINNING;
				f->spin_lock = (uint16_t)cl;
				e = dt_trace_emit(m, DT_EV_LOCK_SPIN, (int)cpu);
				dt_trace_obj(e, DT_OBJ_LOCK, cl);
				e->rule = 42;
				e->cause_cpu = m->st.locks[cl].owner_cpu;
				dt_check_deadlock(m, cpu);
				return;
			}
		}
	}
	dpc_start(m, cpu, f);
}

static int level_asserted(const struct dt_machine *m, const struct dt_interrupt *in)
{
	const struct dt_device *dev = &m->st.devices[in->device];
	return in->enabled &&
	       (dev->regs[DT_REG_INTSTATUS] & dev->regs[DT_REG_INTENABLE]) != 0;
}

/* Return from an ISR: release the lock, lower IRQL; a level line still
 * asserted is pending again at once (R07: the storm). */
static void isr_return(struct dt_machine *m, unsigned cpu, struct dt_frame *f)
{
	struct dt_cpu *c = &m->st.cpus[cpu];
	unsigned intr = f->object;
	struct dt_interrupt *in = &m->st.interrupts[intr];
	int handled = f->retval.kind != DT_VAL_NIL && f->retval.u.i != 0;
	if (!dt_frame_check_released(m, f))
		return;
	if (m->st.locks[f->lock].owner_cpu == (int)cpu)
		dt_lock_release(m, f->lock);
	unsigned saved = f->saved_irql;
	dt_body_end(m, f);
	c->nframes--;
	dt_set_irql(m, cpu, saved);
	struct dt_trace_event *e = dt_trace_emit(m, DT_EV_ISR_RETURN, (int)cpu);
	dt_trace_obj(e, DT_OBJ_INTERRUPT, intr);
	e->result = handled;
	e->rule = 7;
	struct dt_line *line = &m->st.devices[in->device].lines[in->line];
	if (line->kind != DT_LINE_LEVEL)
		return;
	if (!level_asserted(m, in)) {
		line->in_service = 0;
		return;
	}
	e = dt_trace_emit(m, DT_EV_LINE_REASSERTED, (int)cpu);
	dt_trace_obj(e, DT_OBJ_INTERRUPT, intr);
	e->rule = 7;
	dt_irq_request(m, intr, cpu, m->st.step + 1);
}

/* Return from a DPC: the drain goes on while the queue has entries (R16). */
static void dpc_return(struct dt_machine *m, unsigned cpu, struct dt_frame *f)
{
	struct dt_cpu *c = &m->st.cpus[cpu];
	unsigned dpc = f->object;
	if (!dt_frame_check_released(m, f))
		return;
	if (f->lock != DT_NONE && m->st.locks[f->lock].owner_cpu == (int)cpu)
		dt_lock_release(m, f->lock); /* the callback lock (R42) */
	m->st.dpcs[dpc].running--;
	m->st.dpcs[dpc].completions++;
	dt_body_end(m, f);
	c->nframes--;
	dt_threads_recheck(m);
	struct dt_trace_event *e = dt_trace_emit(m, DT_EV_DPC_RETURN, (int)cpu);
	dt_trace_obj(e, DT_OBJ_DPC, dpc);
	e->arg[0] = c->qlen > 0;
	e->rule = 16;
	if (c->qlen > 0)
		return;
	/* The queue is empty: whatever asked for a drain meanwhile is served. */
	c->in_drain = 0;
	c->drain_requested = 0;
	c->tick_pending = 0;
	dt_set_irql(m, cpu, c->drain_irql);
	e = dt_trace_emit(m, DT_EV_DRAIN_END, (int)cpu);
	e->rule = 16;
}

static void frame_return(struct dt_machine *m, unsigned cpu)
{
	struct dt_frame *f = dt_top(&m->st.cpus[cpu]);
	switch (f->kind) {
	case DT_FRAME_ISR:
		isr_return(m, cpu, f);
		break;
	case DT_FRAME_DPC:
		dpc_return(m, cpu, f);
		break;
	case DT_FRAME_SYNC:
		dt_sync_return(m, cpu, f);
		break;
	case DT_FRAME_TRAP:
		dt_trap_return(m, cpu, f);
		break;
	default:
		if (dt_frame_check_released(m, f))
			dt_thread_return(m, cpu, f);
		break;
	}
}

/* The busy time the CPU's next action costs. */
static uint32_t action_cost(const struct dt_machine *m, unsigned cpu, enum dt_cpu_action a)
{
	const struct dt_cpu *c = &m->st.cpus[cpu];
	if (a == DT_ACT_PERFORM_OP && c->frames[c->nframes - 1].op.cost_us)
		return c->frames[c->nframes - 1].op.cost_us;
	return 1;
}

static void cpu_step(struct dt_machine *m, unsigned cpu)
{
	enum dt_cpu_action a = dt_cpu_next_action(m, cpu);
	uint32_t cost = action_cost(m, cpu, a);
	switch (a) {
	case DT_ACT_TAKE_INTERRUPT:
		take_interrupt(m, cpu);
		break;
	case DT_ACT_OBTAIN_LOCK:
		obtain_lock(m, cpu);
		break;
	case DT_ACT_DEQUEUE_DPC:
		dequeue_dpc(m, cpu);
		break;
	case DT_ACT_PERFORM_OP: {
		struct dt_frame *f = dt_top(&m->st.cpus[cpu]);
		if (f->phase == DT_PHASE_RETURNING) {
			/* R21: the call that let a DPC run inside it returns now. */
			struct dt_value r = f->retval;
			f->phase = DT_PHASE_NONE;
			struct dt_trace_event *e = dt_trace_emit(m, DT_EV_CALL_RETURN, (int)cpu);
			e->result = r.u.i;
			e->rule = 21;
			dt_body_resume(m, cpu, f, &r);
		} else {
			dt_perform_op(m, cpu);
		}
		break;
	}
	case DT_ACT_RETURN:
		frame_return(m, cpu);
		break;
	default:
		return;
	}
	struct dt_cpu *c = &m->st.cpus[cpu];
	c->steps++;
	dt_charge_step(m, cpu, cost);
	/* Below DISPATCH with nothing forced next, the continuous time at
	 * elevated IRQL ends (R33); a storm's forced re-entry keeps it. */
	if (c->irql < DT_DISPATCH_LEVEL) {
		enum dt_cpu_action next = dt_cpu_next_action(m, cpu);
		if (next != DT_ACT_TAKE_INTERRUPT && next != DT_ACT_DEQUEUE_DPC)
			c->elevated_us = 0;
	}
}

int dt_machine_choice_enabled(const struct dt_machine *m, const struct dt_choice *c)
{
	if (!m || !c || dt_halted(m) || c->cpu >= m->st.ncpus)
		return 0;
	switch (c->kind) {
	case DT_CHOICE_CPU:
		return dt_cpu_can_step(m, c->cpu);
	case DT_CHOICE_EVENT: {
		if (c->object >= m->st.nevents)
			return 0;
		const struct dt_event *ev = &m->st.events[c->object];
		const struct dt_line *l = &m->st.devices[ev->device].lines[ev->line];
		return (l->affinity >> c->cpu) & 1;
	}
	case DT_CHOICE_THREAD:
		return c->object < m->st.nthreads && dt_thread_can_dispatch(m, c->object, c->cpu);
	default:
		return 0;
	}
}

unsigned dt_machine_enabled(const struct dt_machine *m, struct dt_choice *out, unsigned max)
{
	unsigned n = 0;
	if (!m)
		return 0;
	if (dt_halted(m))
		return 0;
	for (unsigned i = 0; i < m->st.ncpus; i++) {
		if (!dt_cpu_can_step(m, i))
			continue;
		if (out && n < max)
			out[n] = (struct dt_choice){ .kind = DT_CHOICE_CPU, .cpu = (uint16_t)i };
		n++;
	}
	/* Ready threads, each on every CPU it may be dispatched onto. */
	for (unsigned t = 0; t < m->st.nthreads; t++) {
		if (m->st.threads[t].state != DT_TS_READY)
			continue;
		for (unsigned i = 0; i < m->st.ncpus; i++) {
			if (!dt_thread_can_dispatch(m, t, i))
				continue;
			if (out && n < max)
				out[n] = (struct dt_choice){ .kind = DT_CHOICE_THREAD,
							     .cpu = (uint16_t)i,
							     .object = (uint16_t)t };
			n++;
		}
	}
	return n;
}

int dt_machine_step(struct dt_machine *m, const struct dt_choice *c)
{
	if (!m || !c)
		return DT_EINVAL;
	if (dt_halted(m))
		return DT_EHALTED;
	if (!dt_machine_choice_enabled(m, c))
		return DT_ENOTENABLED;
	if (m->st.sw.corrupt_pending) {
		/* R31 "corrupt": the damage a stale handle did shows now. */
		m->st.sw.corrupt_pending = 0;
		dt_bugcheck(m, c->cpu, DT_BUGCODE_KERNEL_SECURITY_CHECK_FAILURE, 3, 0, 0, 0,
			    DT_BCR_STALE_HANDLE, 31);
		m->st.step++;
		return DT_OK;
	}
	m->step_cpu = c->cpu;
	m->step_irql_before = m->st.cpus[c->cpu].irql;
	if (c->kind == DT_CHOICE_CPU) {
		cpu_step(m, c->cpu);
		m->st.last_cpu = (int16_t)c->cpu;
	} else if (c->kind == DT_CHOICE_THREAD) {
		dt_thread_dispatch(m, c->object, c->cpu);
		m->st.cpus[c->cpu].steps++;
		dt_charge_step(m, c->cpu, 1);
		m->st.last_cpu = (int16_t)c->cpu;
	} else {
		m->step_cpu = -1;
		dt_device_event(m, c->object, c->cpu);
	}
	dt_charge_spinners(m, c->kind == DT_CHOICE_EVENT ? -1 : c->cpu);
	m->st.step++;
	m->step_cpu = -1;
	if (!dt_halted(m) && m->st.step >= m->st.sw.step_limit) {
		m->st.outcome.kind = DT_STEP_LIMIT;
		m->st.outcome.step = m->st.step;
		m->st.outcome.cpu = -1;
		dt_trace_emit(m, DT_EV_STEP_LIMIT, -1)->step = m->st.step;
	}
	return DT_OK;
}
