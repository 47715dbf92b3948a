/*
 * outcome.c - how a run ends: bug checks, deadlocks, lesson errors,
 * quiescence (engine-contract 7).
 *
 * Bug checks are values: the machine halts with a code, four parameters,
 * a reason code the narrator explains and the rule ID.  A deadlock is not
 * a stop code (R36): the engine finds the cycle of CPUs spinning on each
 * other's locks the moment it closes and names it; the narrator says what
 * it would become on real Windows (0x133 for spinners at DISPATCH or
 * above).
 */
#include <string.h>

#include "machine_int.h"

void dt_bugcheck(struct dt_machine *m, int cpu, uint32_t code, uint64_t p1, uint64_t p2,
		 uint64_t p3, uint64_t p4, unsigned reason, unsigned rule)
{
	if (dt_halted(m))
		return;
	struct dt_outcome *o = &m->st.outcome;
	o->kind = DT_BUGCHECK;
	o->code = code;
	o->p[0] = p1;
	o->p[1] = p2;
	o->p[2] = p3;
	o->p[3] = p4;
	o->reason = (uint8_t)reason;
	o->rule = (uint16_t)rule;
	o->cpu = (int16_t)cpu;
	o->step = m->st.step + 1;
	struct dt_trace_event *e = dt_trace_emit(m, DT_EV_BUGCHECK, cpu);
	e->arg[0] = code;
	e->arg[1] = (int64_t)p1;
	e->rule = (uint16_t)rule;
}

void dt_machine_fail_lesson(struct dt_machine *m, const char *message, struct dt_srcpos pos)
{
	if (!m || dt_halted(m))
		return;
	struct dt_outcome *o = &m->st.outcome;
	o->kind = DT_LESSON_ERROR;
	o->message = dt_machine_intern(m, message ? message : "lesson error");
	o->pos = pos;
	o->step = m->st.step + 1;
	o->cpu = -1;
	struct dt_trace_event *e = dt_trace_emit(m, DT_EV_LESSON_ERROR, -1);
	e->arg[0] = o->message;
	e->pos = pos;
}

/* The lock the CPU's top-most spinning frame waits for, or DT_NONE. */
static unsigned waits_for(const struct dt_cpu *c)
{
	for (int i = c->nframes - 1; i >= 0; i--)
		if (c->frames[i].state == DT_FS_SPINNING)
			return c->frames[i].lock;
	return DT_NONE;
}

/*
 * CPU `cpu` just started spinning.  Follow "spins for a lock owned by"
 * from it; coming back to a CPU already on the path closes a cycle that
 * can never open again (R36).
 */
void dt_check_deadlock(struct dt_machine *m, unsigned cpu)
{
	uint16_t path[DT_MAX_CPUS];
	unsigned n = 0, c = cpu;
	for (;;) {
		for (unsigned i = 0; i < n; i++) {
			if (path[i] != c)
				continue;
			struct dt_outcome *o = &m->st.outcome;
			o->kind = DT_DEADLOCK;
			o->cpu = (int16_t)cpu;
			o->step = m->st.step + 1;
			o->rule = 36;
			o->ncycle = 0;
			for (unsigned j = i; j < n && o->ncycle < 8; j++)
				o->cycle[o->ncycle++] = path[j];
			struct dt_trace_event *e = dt_trace_emit(m, DT_EV_DEADLOCK, (int)cpu);
			e->arg[0] = n - i;
			e->rule = 36;
			return;
		}
		if (n == DT_MAX_CPUS)
			return;
		path[n++] = (uint16_t)c;
		unsigned lock = waits_for(&m->st.cpus[c]);
		if (lock == DT_NONE)
			return;
		int owner = m->st.locks[lock].owner_cpu;
		if (owner < 0)
			return;
		c = (unsigned)owner;
	}
}

int dt_machine_settle(struct dt_machine *m, int events_left)
{
	if (!m)
		return DT_EINVAL;
	if (dt_halted(m))
		return DT_EHALTED;
	for (unsigned i = 0; i < m->st.ncpus; i++)
		if (dt_cpu_can_step(m, i))
			return DT_OK;
	if (events_left)
		return DT_OK;
	m->st.outcome.kind = DT_QUIESCENT;
	m->st.outcome.step = m->st.step;
	m->st.outcome.cpu = -1;
	dt_trace_emit(m, DT_EV_QUIESCENT, -1)->step = m->st.step;
	return DT_OK;
}
