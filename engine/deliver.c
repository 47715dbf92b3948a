/*
 * deliver.c - device events and interrupt delivery (R02, R04, R06-R08).
 *
 * A device event sets status bits.  If the device may interrupt, an edge
 * line or MSI message sends one request; a level line asserts and stays
 * asserted until the ISR acknowledges (R07).  A request goes to exactly
 * one CPU of the line's affinity set, named by the choice (R04), and
 * waits there as *pending* until that CPU's IRQL is below the line's
 * (R02).  Per CPU and vector at most one request is pending: a second
 * arrival merges with it (R06), which is why an ISR must handle
 * everything the status register reports.
 */
#include <string.h>

#include "machine_int.h"

static int pending_find(const struct dt_cpu *c, unsigned interrupt)
{
	for (int i = 0; i < c->npending; i++)
		if (c->pending[i].interrupt == interrupt)
			return i;
	return -1;
}

/* R08: the highest IRQL above the CPU's, ties by arrival order; -1 none. */
int dt_pending_highest(const struct dt_cpu *c)
{
	int best = -1;
	for (int i = 0; i < c->npending; i++) {
		if (c->pending[i].irql <= c->irql)
			continue;
		if (best < 0 || c->pending[i].irql > c->pending[best].irql)
			best = i;
	}
	return best;
}

void dt_pending_remove(struct dt_cpu *c, int slot)
{
	memmove(&c->pending[slot], &c->pending[slot + 1],
		(size_t)(c->npending - slot - 1) * sizeof(c->pending[0]));
	c->npending--;
}

/* One interrupt request arrives at `cpu` (the line's IRQL is the key). */
void dt_irq_request(struct dt_machine *m, unsigned interrupt, unsigned cpu, uint32_t cause_step)
{
	struct dt_cpu *c = &m->st.cpus[cpu];
	struct dt_interrupt *in = &m->st.interrupts[interrupt];
	int slot = pending_find(c, interrupt);
	struct dt_trace_event *e;
	if (slot >= 0) {
		e = dt_trace_emit(m, DT_EV_IRQ_MERGED, (int)cpu);
		dt_trace_obj(e, DT_OBJ_INTERRUPT, interrupt);
		e->rule = 6;
		e->cause_step = c->pending[slot].arrival_step;
		e->cause_cpu = (int16_t)cpu;
		return;
	}
	if (c->npending == DT_MAX_PENDING)
		return; /* cannot happen: at most one request per interrupt object */
	struct dt_pending *p = &c->pending[c->npending++];
	p->interrupt = (uint16_t)interrupt;
	p->irql = in->dirql;
	p->arrival_step = m->st.step + 1;
	e = dt_trace_emit(m, DT_EV_IRQ_PENDING, (int)cpu);
	dt_trace_obj(e, DT_OBJ_INTERRUPT, interrupt);
	e->arg[0] = in->dirql;
	e->result = 1;
	e->rule = in->dirql > c->irql ? 8 : 2;
	e->cause_step = cause_step;
}

static int line_may_send(const struct dt_machine *m, const struct dt_device *dev,
			 const struct dt_line *line, uint32_t bits)
{
	if (line->interrupt == DT_NONE)
		return 0;
	if (!m->st.interrupts[line->interrupt].enabled)
		return 0;
	return (dev->regs[DT_REG_INTENABLE] & bits) != 0;
}

void dt_device_event(struct dt_machine *m, unsigned event, unsigned cpu)
{
	struct dt_event *ev = &m->st.events[event];
	struct dt_device *dev = &m->st.devices[ev->device];
	struct dt_line *line = &dev->lines[ev->line];
	dev->regs[DT_REG_INTSTATUS] |= ev->bits;
	ev->fired++;
	int sent = line_may_send(m, dev, line, ev->bits);
	int merged = sent && line->kind == DT_LINE_LEVEL && line->in_service;
	struct dt_trace_event *e = dt_trace_emit(m, DT_EV_DEVICE_EVENT, -1);
	dt_trace_obj(e, DT_OBJ_EVENT, event);
	e->arg[0] = cpu;
	e->arg[1] = dev->regs[DT_REG_INTSTATUS];
	e->result = sent && !merged;
	e->rule = sent ? 4 : 7;
	if (!sent)
		return;
	if (line->kind == DT_LINE_LEVEL) {
		if (line->in_service) {
			/* Already asserted and being served: the status bits merge. */
			e = dt_trace_emit(m, DT_EV_IRQ_NOT_SENT, (int)cpu);
			dt_trace_obj(e, DT_OBJ_INTERRUPT, line->interrupt);
			e->rule = 7;
			return;
		}
		line->in_service = 1;
	}
	dt_irq_request(m, line->interrupt, cpu, m->st.step + 1);
}

static unsigned lowest_cpu(uint64_t mask)
{
	unsigned i = 0;
	while (i < 63 && !(mask & (1ull << i)))
		i++;
	return i;
}

/*
 * After a register write: a level line whose status & enable became
 * non-zero asserts.  The interrupt controller's pick is simplified to a
 * fixed rule (the writing CPU when it is in the affinity set, else the
 * lowest one), so no hidden choice appears.
 */
void dt_line_update(struct dt_machine *m, unsigned device, int actor_cpu)
{
	struct dt_device *dev = &m->st.devices[device];
	for (unsigned l = 0; l < dev->nlines; l++) {
		struct dt_line *line = &dev->lines[l];
		if (line->kind != DT_LINE_LEVEL || line->in_service)
			continue;
		uint32_t asserted = dev->regs[DT_REG_INTSTATUS] & dev->regs[DT_REG_INTENABLE];
		if (!asserted || !line_may_send(m, dev, line, asserted))
			continue;
		unsigned cpu = lowest_cpu(line->affinity);
		if (actor_cpu >= 0 && (line->affinity & (1ull << actor_cpu)))
			cpu = (unsigned)actor_cpu;
		line->in_service = 1;
		dt_irq_request(m, line->interrupt, cpu, m->st.step + 1);
	}
}
