/*
 * ops.c - performing the operation a body is stopped at, and declaring
 * its footprint beforehand (engine-contract 1).
 *
 * Each operation is atomic: it happens in one step, then the body is
 * resumed with the result until it stops before its next operation.
 * Driver mistakes found here (a NULL or wrong-type handle, R30) become
 * simulated bug checks, never host crashes.
 */
#include <string.h>

#include "machine_int.h"

/* R30: WDF_VIOLATION 0x10D, P1 = WDF_INVALID_HANDLE, P2 = the handle,
 * P3 = the type the call required, P4 = the driver globals. */
void dt_invalid_handle(struct dt_machine *m, unsigned cpu, uint64_t handle, uint32_t type)
{
	dt_bugcheck(m, (int)cpu, DT_BUGCODE_WDF_VIOLATION, DT_WDF_INVALID_HANDLE, handle, type,
		    DT_FAKE_DRIVER_GLOBALS, DT_BCR_INVALID_HANDLE, 30);
}

/*
 * R31: a call on a deleted interrupt.  Undefined behaviour; the lesson's
 * setting picks what happens.  1: go on as if nothing were wrong; 0: the
 * machine halted.
 */
int dt_stale_check(struct dt_machine *m, unsigned cpu, unsigned intr, uint64_t handle)
{
	if (!m->st.interrupts[intr].deleted)
		return 1;
	unsigned irql = m->st.cpus[cpu].irql;
	switch (m->st.sw.stale_handle) {
	case DT_STALE_TYPE_CHECK:
		dt_bugcheck(m, (int)cpu, DT_BUGCODE_WDF_VIOLATION, DT_WDF_INVALID_HANDLE, handle,
			    DT_FX_TYPE_INTERRUPT, DT_FAKE_DRIVER_GLOBALS, DT_BCR_STALE_HANDLE, 31);
		return 0;
	case DT_STALE_FAULT:
		if (irql >= DT_DISPATCH_LEVEL)
			dt_bugcheck(m, (int)cpu, DT_BUGCODE_DRIVER_IRQL_NOT_LESS_OR_EQUAL,
				    handle ^ ~(uint64_t)7, irql, 0, 0, DT_BCR_STALE_HANDLE, 31);
		else
			dt_bugcheck(m, (int)cpu, DT_BUGCODE_PAGE_FAULT_IN_NONPAGED_AREA,
				    handle ^ ~(uint64_t)7, 0, 0, 0, DT_BCR_STALE_HANDLE, 31);
		return 0;
	case DT_STALE_CORRUPT:
		m->st.sw.corrupt_pending = 1; /* the damage shows a step later */
		return 1;
	default:
		return 1;
	}
}

static struct dt_value op_queue_dpc_for_isr(struct dt_machine *m, unsigned cpu,
					    const struct dt_op *op)
{
	unsigned in;
	if (!dt_handle_decode(m, op->handle, DT_HANDLE_INTERRUPT, &in)) {
		dt_invalid_handle(m, cpu, op->handle, DT_FX_TYPE_INTERRUPT);
		return dt_nil();
	}
	struct dt_interrupt *intr = &m->st.interrupts[in];
	if (!dt_stale_check(m, cpu, in, op->handle))
		return dt_nil();
	if (m->st.sw.umdf) {
		/* R80: UMDF's "DPC" is the work item (QueueDeferredRoutineForIsr). */
		struct dt_op wi = *op;
		struct dt_value r;
		wi.kind = DT_OP_QUEUE_WORKITEM_FOR_ISR;
		dt_op_interrupt(m, cpu, &wi, &r);
		return r;
	}
	struct dt_dpc *d = &m->st.dpcs[intr->dpc];
	uint32_t earlier_step = d->queued_step;
	int16_t earlier_cpu = d->queued_by_cpu;
	int16_t earlier_queue = d->queue_cpu;
	int inserted = dt_dpc_insert(m, intr->dpc, cpu); /* R10: KeInsertQueueDpc, unchanged */
	if (inserted)
		intr->queue_true++;
	else
		intr->queue_false++;
	struct dt_trace_event *e = dt_trace_emit(m, DT_EV_QUEUE_DPC, (int)cpu);
	dt_trace_obj(e, DT_OBJ_DPC, intr->dpc);
	e->value = dt_int(DT_OP_QUEUE_DPC_FOR_ISR); /* which call queued it */
	e->arg[0] = in;
	e->arg[1] = inserted ? d->queue_cpu : earlier_queue;
	e->result = inserted;
	e->rule = inserted ? 12 : 11;
	if (!inserted) {
		e->cause_step = earlier_step;
		e->cause_cpu = earlier_cpu;
	}
	return dt_bool(inserted);
}

static struct dt_value op_write_register(struct dt_machine *m, unsigned cpu,
					 const struct dt_op *op, struct dt_trace_event *e)
{
	struct dt_device *dev = &m->st.devices[op->index];
	uint32_t v = (uint32_t)op->value.u.i;
	if (op->reg == DT_REG_INTSTATUS)
		dev->regs[op->reg] &= ~v; /* acknowledge: write 1s to clear */
	else
		dev->regs[op->reg] = v;
	e->arg[1] = v;
	e->result = dev->regs[op->reg];
	dt_line_update(m, op->index, (int)cpu);
	return dt_nil();
}

static int op_valid(const struct dt_machine *m, const struct dt_op *op)
{
	switch (op->kind) {
	case DT_OP_READ_SHARED:
	case DT_OP_WRITE_SHARED:
		return op->index < m->st.nvars;
	case DT_OP_READ_REGISTER:
	case DT_OP_WRITE_REGISTER:
		return op->index < m->st.ndevices && op->reg < DT_MAX_REGS;
	default:
		return op->kind > DT_OP_NONE && op->kind < DT_OP_KIND_COUNT;
	}
}

static int op_core2(struct dt_machine *m, unsigned cpu, const struct dt_op *op,
		    struct dt_value *result)
{
	switch (op->kind) {
	case DT_OP_QUEUE_WORKITEM_FOR_ISR:
	case DT_OP_INTR_ACQUIRE_LOCK:
	case DT_OP_INTR_RELEASE_LOCK:
	case DT_OP_INTR_TRY_ACQUIRE_LOCK:
	case DT_OP_INTR_SYNCHRONIZE:
	case DT_OP_INTR_ENABLE:
	case DT_OP_INTR_DISABLE:
	case DT_OP_INTR_GET_INFO:
		return dt_op_interrupt(m, cpu, op, result);
	case DT_OP_SPINLOCK_ACQUIRE:
	case DT_OP_SPINLOCK_RELEASE:
		return dt_op_lock(m, cpu, op, result); /* WDFSPINLOCK exists in UMDF too */
	case DT_OP_OBJECT_DELETE: {
		unsigned in;
		*result = dt_nil();
		if (!dt_handle_decode(m, op->handle, DT_HANDLE_INTERRUPT, &in)) {
			dt_invalid_handle(m, cpu, op->handle, DT_FX_TYPE_INTERRUPT);
			return DT_OPR_HALT;
		}
		m->st.interrupts[in].deleted = 1;
		m->st.interrupts[in].enabled = 0; /* its line is disconnected */
		return DT_OPR_RESUME;
	}
	case DT_OP_SPINLOCK_ACQUIRE_AT_DPC:
	case DT_OP_SPINLOCK_RELEASE_FROM_DPC:
		if (m->st.sw.umdf) {
			dt_machine_fail_lesson(m, "KeAcquireSpinLockAtDpcLevel and "
					       "KeReleaseSpinLockFromDpcLevel are kernel-mode only: "
					       "not available in UMDF mode (R80)", op->pos);
			return DT_OPR_HALT;
		}
		return dt_op_lock(m, cpu, op, result);
	case DT_OP_WAITLOCK_ACQUIRE:
	case DT_OP_WAITLOCK_RELEASE:
		return dt_op_lock(m, cpu, op, result);
	default:
		return dt_op_kdpc(m, cpu, op, result);
	}
}

/*
 * R21: inserting a DPC raises and lowers the IRQL inside the call, so at
 * PASSIVE a DPC queued on this CPU with a drain request runs before the
 * call returns: the body stays inside the call until the drain is over.
 */
static int defers_to_drain(const struct dt_machine *m, unsigned cpu, const struct dt_op *op,
			   const struct dt_value *result)
{
	const struct dt_cpu *c = &m->st.cpus[cpu];
	if (op->kind != DT_OP_QUEUE_DPC_FOR_ISR && op->kind != DT_OP_KE_INSERT_QUEUE_DPC)
		return 0;
	if (m->st.sw.umdf)
		return 0; /* UMDF: the "DPC" is a work item, no DPC runs here */
	if (result->kind != DT_VAL_BOOL || !result->u.i)
		return 0;
	return c->irql < DT_DISPATCH_LEVEL && dt_dpc_drain_due(c);
}

/* Perform the top frame's pending operation; then resume its body. */
void dt_perform_op(struct dt_machine *m, unsigned cpu)
{
	struct dt_cpu *c = &m->st.cpus[cpu];
	struct dt_frame *f = dt_top(c);
	struct dt_op op = f->op;
	struct dt_value result = dt_nil();
	struct dt_trace_event *e;
	if (!op_valid(m, &op)) {
		dt_machine_fail_lesson(m, "an operation names an object that does not exist", op.pos);
		return;
	}
	switch (op.kind) {
	case DT_OP_STEP:
		e = dt_trace_emit(m, DT_EV_STEP_OP, (int)cpu);
		e->arg[0] = op.label;
		e->arg[1] = op.cost_us ? op.cost_us : 1;
		break;
	case DT_OP_READ_SHARED:
		result = m->st.vars[op.index].value;
		e = dt_trace_emit(m, DT_EV_SHARED_READ, (int)cpu);
		dt_trace_obj(e, DT_OBJ_VAR, op.index);
		e->value = result;
		e->cause_step = m->st.vars[op.index].last_write_step;
		e->cause_cpu = m->st.vars[op.index].last_writer_cpu;
		break;
	case DT_OP_WRITE_SHARED: {
		struct dt_var *v = &m->st.vars[op.index];
		e = dt_trace_emit(m, DT_EV_SHARED_WRITE, (int)cpu);
		dt_trace_obj(e, DT_OBJ_VAR, op.index);
		e->value = op.value;
		e->arg[0] = v->value.kind; /* the value it overwrites (a lost update shows) */
		memcpy(&e->arg[1], &v->value.u, sizeof(e->arg[1]));
		e->cause_step = v->last_write_step;
		e->cause_cpu = v->last_writer_cpu;
		v->value = op.value;
		v->last_write_step = m->st.step + 1;
		v->last_writer_cpu = (int16_t)cpu;
		break;
	}
	case DT_OP_READ_REGISTER:
		result = dt_int(m->st.devices[op.index].regs[op.reg]);
		e = dt_trace_emit(m, DT_EV_REG_READ, (int)cpu);
		dt_trace_obj(e, DT_OBJ_DEVICE, op.index);
		e->arg[0] = op.reg;
		e->result = result.u.i;
		break;
	case DT_OP_WRITE_REGISTER:
		e = dt_trace_emit(m, DT_EV_REG_WRITE, (int)cpu);
		dt_trace_obj(e, DT_OBJ_DEVICE, op.index);
		e->arg[0] = op.reg;
		result = op_write_register(m, cpu, &op, e);
		break;
	case DT_OP_QUEUE_DPC_FOR_ISR:
		result = op_queue_dpc_for_isr(m, cpu, &op);
		break;
	case DT_OP_GET_IRQL:
		if (m->st.sw.umdf) {
			dt_machine_fail_lesson(m, "KeGetCurrentIrql is kernel-mode only: not "
					       "available in UMDF mode (R80)", op.pos);
			return;
		}
		result = dt_int(c->irql);
		dt_trace_emit(m, DT_EV_GET_IRQL, (int)cpu)->result = c->irql;
		break;
	case DT_OP_GET_PROCESSOR:
		if (m->st.sw.umdf) {
			dt_machine_fail_lesson(m, "KeGetCurrentProcessorNumber is kernel-mode only: "
					       "not available in UMDF mode (R80)", op.pos);
			return;
		}
		result = dt_int(cpu);
		dt_trace_emit(m, DT_EV_GET_PROCESSOR, (int)cpu)->result = cpu;
		break;
	default:
		if (op_core2(m, cpu, &op, &result) != DT_OPR_RESUME)
			return;
		break;
	}
	if (dt_halted(m))
		return;
	if (defers_to_drain(m, cpu, &op, &result)) {
		f->phase = DT_PHASE_RETURNING;
		f->retval = result;
		return;
	}
	dt_body_resume(m, cpu, f, &result);
}

