/*
 * time.c - busy clocks, clock ticks and the DPC watchdog (engine-contract
 * 3, R16, R33).
 *
 * The x-axis of everything is the global step number.  Each CPU also has
 * a busy clock in simulated microseconds: a step costs its operation's
 * cost (1 us unless a body declares more), charged to the CPU and to every
 * DPC and ISR frame on its stack; a spinning CPU is charged 1 us for every
 * global step that passes while it spins.  A CPU that is simply not
 * stepped is charged nothing, so starving a CPU never fakes a timeout.
 *
 * The watchdog compares a frame's inclusive charge with the single limit
 * (0x133, P1 = 0) and the CPU's continuous time at DISPATCH or above with
 * the cumulative limit (P1 = 1).  Both limits are scaled lesson settings;
 * P2 and P3 are given in clock ticks of tick_us (in us when ticks are off).
 */
#include "machine_int.h"

static uint64_t in_ticks(const struct dt_machine *m, uint64_t us)
{
	return m->st.sw.tick_us ? us / m->st.sw.tick_us : us;
}

void dt_watchdog_check(struct dt_machine *m, unsigned cpu)
{
	struct dt_cpu *c = &m->st.cpus[cpu];
	const struct dt_switches *sw = &m->st.sw;
	if (dt_halted(m))
		return;
	for (unsigned i = 0; sw->watchdog_single_us && i < c->nframes; i++) {
		const struct dt_frame *f = &c->frames[i];
		if (f->kind == DT_FRAME_THREAD || f->charge_us <= sw->watchdog_single_us)
			continue;
		dt_bugcheck(m, (int)cpu, DT_BUGCODE_DPC_WATCHDOG_VIOLATION, 0,
			    in_ticks(m, f->charge_us), in_ticks(m, sw->watchdog_single_us), 0,
			    DT_BCR_WATCHDOG_SINGLE, 33);
		return;
	}
	if (sw->watchdog_cumulative_us && c->elevated_us > sw->watchdog_cumulative_us)
		dt_bugcheck(m, (int)cpu, DT_BUGCODE_DPC_WATCHDOG_VIOLATION, 1,
			    in_ticks(m, c->elevated_us), in_ticks(m, sw->watchdog_cumulative_us), 0,
			    DT_BCR_WATCHDOG_CUMULATIVE, 33);
}

/*
 * The clock ticks that fell due in this step.  A step may cost up to
 * 10^8 us while a tick may come every 1 us, so the ticks one step passes
 * are counted, not walked one by one: they make ONE CLOCK_TICK event
 * (arg1 = how many), and since every tick asks the same thing of a
 * non-empty queue (R16), one request stands for all of them.
 */
static void clock_ticks(struct dt_machine *m, unsigned cpu)
{
	struct dt_cpu *c = &m->st.cpus[cpu];
	uint32_t tick = m->st.sw.tick_us;
	if (!tick || c->busy_us < c->next_tick_us)
		return;
	uint64_t n = (c->busy_us - c->next_tick_us) / tick + 1;
	c->next_tick_us += n * tick;
	int drain = c->qlen > 0; /* R16: a tick drains a non-empty queue */
	if (drain)
		c->tick_pending = 1;
	struct dt_trace_event *e = dt_trace_emit(m, DT_EV_CLOCK_TICK, (int)cpu);
	e->arg[0] = (int64_t)c->busy_us;
	e->arg[1] = (int64_t)n;
	e->result = drain;
	e->rule = 16;
}

/* Charge `cost_us` to the CPU, its DPC/ISR frames and, at DISPATCH or
 * above, its continuous elevated time. */
void dt_charge_step(struct dt_machine *m, unsigned cpu, uint32_t cost_us)
{
	struct dt_cpu *c = &m->st.cpus[cpu];
	c->busy_us += cost_us;
	for (unsigned i = 0; i < c->nframes; i++)
		if (c->frames[i].kind != DT_FRAME_THREAD)
			c->frames[i].charge_us += cost_us;
	if (c->irql >= DT_DISPATCH_LEVEL || m->step_irql_before >= DT_DISPATCH_LEVEL)
		c->elevated_us += cost_us;
	clock_ticks(m, cpu);
	dt_watchdog_check(m, cpu);
}

static int spinning(const struct dt_cpu *c)
{
	return c->nframes && c->frames[c->nframes - 1].state == DT_FS_SPINNING;
}

/* Every other CPU that spun through this step pays 1 us for it. */
void dt_charge_spinners(struct dt_machine *m, int stepped_cpu)
{
	for (unsigned i = 0; i < m->st.ncpus && !dt_halted(m); i++) {
		struct dt_cpu *c = &m->st.cpus[i];
		if ((int)i == stepped_cpu || !spinning(c))
			continue;
		c->busy_us += 1;
		for (unsigned k = 0; k < c->nframes; k++)
			if (c->frames[k].kind != DT_FRAME_THREAD)
				c->frames[k].charge_us += 1;
		c->elevated_us += 1; /* spinners spin at DISPATCH or above */
		clock_ticks(m, i);
		dt_watchdog_check(m, i);
	}
}
