/*
 * footprint.c - what a step touches, declared before it runs
 * (engine-contract 1), for the explorer's reduction.
 *
 * A footprint must never miss anything the step changes that another
 * step's effect or enabledness depends on, or the explorer would skip an
 * interleaving that matters.  So these are conservative: a register write
 * may deliver an interrupt to any CPU of the line, a DPC's return may wake
 * a thread flushing DPCs, and so on.  Being too wide only costs speed.
 */
#include <string.h>

#include "machine_int.h"

static void fp_add(struct dt_footprint *fp, unsigned kind, unsigned index, int write)
{
	if (fp->nres == DT_FP_MAX) {
		fp->overflow = 1;
		return;
	}
	fp->res[fp->nres].kind = (uint8_t)kind;
	fp->res[fp->nres].write = (uint8_t)write;
	fp->res[fp->nres].index = (uint16_t)index;
	fp->nres++;
}

int dt_footprints_conflict(const struct dt_footprint *a, const struct dt_footprint *b)
{
	if (a->overflow || b->overflow)
		return 1;
	for (unsigned i = 0; i < a->nres; i++)
		for (unsigned j = 0; j < b->nres; j++) {
			if (a->res[i].kind != b->res[j].kind)
				continue;
			if (!a->res[i].write && !b->res[j].write)
				continue;
			if (a->res[i].index == b->res[j].index || a->res[i].index == DT_FP_ALL ||
			    b->res[j].index == DT_FP_ALL)
				return 1;
		}
	return 0;
}

static void fp_interrupt(const struct dt_machine *m, struct dt_footprint *fp, uint64_t h,
			 int device_too)
{
	unsigned in;
	if (!dt_handle_decode(m, h, DT_HANDLE_INTERRUPT, &in)) {
		fp->overflow = 1; /* a bug check: conflicts with everything */
		return;
	}
	const struct dt_interrupt *i = &m->st.interrupts[in];
	fp_add(fp, DT_RES_LOCK, i->lock, 1);
	fp_add(fp, DT_RES_DPC, i->dpc, 1);
	if (i->passive || i->work_item != DT_NO_CALLBACK)
		fp_add(fp, DT_RES_THREADS, 0, 1);
	if (device_too) {
		fp_add(fp, DT_RES_DEVICE, i->device, 1);
		fp_add(fp, DT_RES_CPU_LOCAL, DT_FP_ALL, 1);
	}
}

/* Would this acquire operation start to spin (its lock is held)? */
static int would_spin(const struct dt_machine *m, const struct dt_op *op)
{
	unsigned i;
	switch (op->kind) {
	case DT_OP_INTR_ACQUIRE_LOCK:
	case DT_OP_INTR_SYNCHRONIZE:
	case DT_OP_INTR_ENABLE:
	case DT_OP_INTR_DISABLE:
		if (!dt_handle_decode(m, op->handle, DT_HANDLE_INTERRUPT, &i))
			return 1;
		return m->st.locks[m->st.interrupts[i].lock].owner_cpu >= 0;
	case DT_OP_SPINLOCK_ACQUIRE:
	case DT_OP_SPINLOCK_ACQUIRE_AT_DPC:
		if (!dt_handle_decode(m, op->handle, DT_HANDLE_SPINLOCK, &i))
			return 1;
		return m->st.locks[i].owner_cpu >= 0;
	default:
		return 0;
	}
}

static void fp_op(const struct dt_machine *m, const struct dt_op *op, struct dt_footprint *fp)
{
	unsigned i;
	if (would_spin(m, op))
		fp->overflow = 1;
	switch (op->kind) {
	case DT_OP_READ_SHARED:
	case DT_OP_WRITE_SHARED:
		fp_add(fp, DT_RES_VAR, op->index, op->kind == DT_OP_WRITE_SHARED);
		break;
	case DT_OP_READ_REGISTER:
		fp_add(fp, DT_RES_DEVICE, op->index, 0);
		break;
	case DT_OP_WRITE_REGISTER: /* may assert a level line toward any CPU */
		fp_add(fp, DT_RES_DEVICE, op->index, 1);
		fp_add(fp, DT_RES_CPU_LOCAL, DT_FP_ALL, 1);
		break;
	case DT_OP_QUEUE_DPC_FOR_ISR:
	case DT_OP_QUEUE_WORKITEM_FOR_ISR:
	case DT_OP_INTR_ACQUIRE_LOCK:
	case DT_OP_INTR_RELEASE_LOCK:
	case DT_OP_INTR_TRY_ACQUIRE_LOCK:
	case DT_OP_INTR_SYNCHRONIZE:
		fp_interrupt(m, fp, op->handle, 0);
		break;
	case DT_OP_INTR_ENABLE:
	case DT_OP_INTR_DISABLE:
		fp_interrupt(m, fp, op->handle, 1);
		fp_add(fp, DT_RES_THREADS, 0, 1);
		break;
	case DT_OP_SPINLOCK_ACQUIRE:
	case DT_OP_SPINLOCK_RELEASE:
	case DT_OP_SPINLOCK_ACQUIRE_AT_DPC:
	case DT_OP_SPINLOCK_RELEASE_FROM_DPC:
		if (dt_handle_decode(m, op->handle, DT_HANDLE_SPINLOCK, &i))
			fp_add(fp, DT_RES_LOCK, i, 1);
		else
			fp->overflow = 1;
		break;
	case DT_OP_WAITLOCK_ACQUIRE:
	case DT_OP_WAITLOCK_RELEASE:
		if (dt_handle_decode(m, op->handle, DT_HANDLE_WAITLOCK, &i))
			fp_add(fp, DT_RES_LOCK, i, 1);
		else
			fp->overflow = 1;
		fp_add(fp, DT_RES_THREADS, 0, 1);
		break;
	case DT_OP_KE_INSERT_QUEUE_DPC:
	case DT_OP_KE_REMOVE_QUEUE_DPC:
	case DT_OP_KE_SET_IMPORTANCE:
	case DT_OP_KE_SET_TARGET:
		if (!dt_handle_decode(m, op->handle, DT_HANDLE_KDPC, &i)) {
			fp->overflow = 1;
			break;
		}
		fp_add(fp, DT_RES_DPC, i, 1);
		/* a targeted insert or a remove touches another CPU's queue */
		fp_add(fp, DT_RES_CPU_LOCAL, DT_FP_ALL, 1);
		fp_add(fp, DT_RES_THREADS, 0, 1);
		break;
	case DT_OP_KE_FLUSH_QUEUED_DPCS:
		fp_add(fp, DT_RES_DPC, DT_FP_ALL, 0);
		fp_add(fp, DT_RES_THREADS, 0, 1);
		break;
	case DT_OP_OBJECT_DELETE:
		fp->overflow = 1;
		break;
	default: /* step(), KeGetCurrentIrql, GetInfo: only the CPU itself */
		break;
	}
}

static void fp_return(const struct dt_machine *m, const struct dt_frame *f,
		      struct dt_footprint *fp)
{
	switch (f->kind) {
	case DT_FRAME_ISR:
		fp_add(fp, DT_RES_LOCK, f->lock, 1);
		fp_add(fp, DT_RES_DEVICE, m->st.interrupts[f->object].device, 1);
		break;
	case DT_FRAME_DPC:
		fp_add(fp, DT_RES_DPC, f->object, 1);
		fp_add(fp, DT_RES_THREADS, 0, 1); /* a flush or a disable may be waiting */
		if (f->lock != DT_NONE)
			fp_add(fp, DT_RES_LOCK, f->lock, 1);
		break;
	case DT_FRAME_TRAP:
		fp_add(fp, DT_RES_THREADS, 0, 1);
		break;
	default: /* SYNC and THREAD returns: locks, lines, waiters */
		fp->overflow = 1;
		break;
	}
}

int dt_machine_footprint(const struct dt_machine *m, unsigned cpu, struct dt_footprint *fp)
{
	if (!m || !fp || cpu >= m->st.ncpus)
		return DT_EINVAL;
	memset(fp, 0, sizeof(*fp));
	const struct dt_cpu *c = &m->st.cpus[cpu];
	const struct dt_frame *f = c->nframes ? &c->frames[c->nframes - 1] : NULL;
	fp_add(fp, DT_RES_CPU_LOCAL, cpu, 1);
	switch (dt_cpu_next_action(m, cpu)) {
	case DT_ACT_TAKE_INTERRUPT: {
		const struct dt_interrupt *in =
			&m->st.interrupts[c->pending[dt_pending_highest(c)].interrupt];
		fp_add(fp, DT_RES_LOCK, in->lock, 1);
		fp_add(fp, DT_RES_DEVICE, in->device, 1);
		if (!in->passive && m->st.locks[in->lock].owner_cpu >= 0)
			fp->overflow = 1; /* it will start to spin */
		break;
	}
	case DT_ACT_OBTAIN_LOCK:
		fp->overflow = 1; /* a spinner stops spinning */
		break;
	case DT_ACT_DEQUEUE_DPC: {
		const struct dt_dpc *d = &m->st.dpcs[c->queue[0]];
		fp_add(fp, DT_RES_DPC, c->queue[0], 1);
		if (d->interrupt != DT_NONE) {
			const struct dt_interrupt *in = &m->st.interrupts[d->interrupt];
			if (in->callback_lock != DT_NONE) {
				fp_add(fp, DT_RES_LOCK, in->callback_lock, 1);
				if (m->st.locks[in->callback_lock].owner_cpu >= 0)
					fp->overflow = 1; /* it will start to spin */
			}
			if (in->work_item != DT_NO_CALLBACK)
				fp_add(fp, DT_RES_THREADS, 0, 1);
		}
		break;
	}
	case DT_ACT_RETURN:
		fp_return(m, f, fp);
		break;
	case DT_ACT_PERFORM_OP:
		if (f->phase != DT_PHASE_RETURNING)
			fp_op(m, &f->op, fp);
		break;
	default:
		break;
	}
	return DT_OK;
}

int dt_choice_footprint(const struct dt_machine *m, const struct dt_choice *c,
			struct dt_footprint *fp)
{
	if (!m || !c || !fp)
		return DT_EINVAL;
	switch (c->kind) {
	case DT_CHOICE_CPU:
		return dt_machine_footprint(m, c->cpu, fp);
	case DT_CHOICE_EVENT: {
		memset(fp, 0, sizeof(*fp));
		if (c->object >= m->st.nevents)
			return DT_EINVAL;
		fp_add(fp, DT_RES_DEVICE, m->st.events[c->object].device, 1);
		fp_add(fp, DT_RES_CPU_LOCAL, c->cpu, 1);
		return DT_OK;
	}
	default: /* a dispatch: the CPU, the scheduler, maybe a pre-lock */
		memset(fp, 0, sizeof(*fp));
		fp_add(fp, DT_RES_CPU_LOCAL, c->cpu, 1);
		fp_add(fp, DT_RES_THREADS, 0, 1);
		fp_add(fp, DT_RES_LOCK, DT_FP_ALL, 1);
		return DT_OK;
	}
}
