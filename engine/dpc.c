/*
 * dpc.c - the per-CPU DPC queue (R10-R13, R16, R19).
 *
 * A KDPC is either in exactly one CPU's queue ("inserted") or in none.
 * Inserting an inserted DPC returns FALSE and changes nothing (R11): the
 * earlier queuing stands and its routine runs once.  "Inserted" clears
 * when the drain dequeues the DPC, in its own step, before the routine's
 * first operation (R13, cpu.c), which is why a new queuing while the
 * routine runs returns TRUE and can start a second instance (R14).
 */
#include <string.h>

#include "machine_int.h"

/* R19: does this insert ask the target CPU to drain now? */
static int drain_wanted(const struct dt_machine *m, const struct dt_dpc *d, unsigned target,
			unsigned cpu)
{
	const struct dt_cpu *t = &m->st.cpus[target];
	if (d->importance == DT_LOW)
		return t->qlen >= m->st.sw.low_dpc_threshold;
	if (target == cpu)
		return 1;
	return d->importance >= DT_MEDIUM_HIGH;
}

/* KeInsertQueueDpc from CPU `cpu`: TRUE (1) if inserted, FALSE (0) if it already was. */
int dt_dpc_insert(struct dt_machine *m, unsigned dpc, unsigned cpu)
{
	struct dt_dpc *d = &m->st.dpcs[dpc];
	if (d->inserted)
		return 0;
	unsigned target = d->target_cpu >= 0 ? (unsigned)d->target_cpu : cpu; /* R12 */
	struct dt_cpu *t = &m->st.cpus[target];
	if (d->importance == DT_HIGH) {
		memmove(&t->queue[1], &t->queue[0], t->qlen);
		t->queue[0] = (uint8_t)dpc;
	} else {
		t->queue[t->qlen] = (uint8_t)dpc;
	}
	t->qlen++;
	d->inserted = 1;
	d->queue_cpu = (int16_t)target;
	d->queued_by_cpu = (int16_t)cpu;
	d->queued_step = m->st.step + 1;
	d->inserts++;
	if (drain_wanted(m, d, target, cpu))
		t->drain_requested = 1;
	return 1;
}

/* R16: a drain happens when requested, when idle, or after a clock tick. */
int dt_dpc_drain_due(const struct dt_cpu *c)
{
	if (c->qlen == 0)
		return 0;
	if (c->in_drain)
		return 1;
	if (c->irql >= DT_DISPATCH_LEVEL)
		return 0;
	return c->drain_requested || c->tick_pending || c->nframes == 0;
}
