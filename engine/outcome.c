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

/*
 * Wait-for search.  A spinning frame waits for its lock; the lock's
 * holder is a frame on some CPU, and that holder can only get on (and
 * release the lock) once every frame above it on its CPU has finished.
 * So a spinning frame depends on every spinning frame at or above the
 * holder.  Reaching a frame already on the path closes a cycle that can
 * never open again (R36).
 */
static int on_path(const struct wait_path *p, unsigned cpu, unsigned frame)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->cpu[i] == cpu && p->frame[i] == frame)
			return (int)i;
	return -1;
}

/* Returns the path index where a cycle closes, or -1. */
static int wait_search(const struct dt_machine *m, struct wait_path *p, unsigned cpu,
		       unsigned frame)
{
	int at = on_path(p, cpu, frame);
	if (at >= 0)
		return at;
	if (p->n == DT_MAX_CPUS * DT_MAX_FRAMES)
		return -1;
	p->cpu[p->n] = (uint16_t)cpu;
	p->frame[p->n] = (uint8_t)frame;
	p->n++;
	const struct dt_lock *l = &m->st.locks[m->st.cpus[cpu].frames[frame].spin_lock];
	if (l->owner_cpu >= 0) {
		const struct dt_cpu *o = &m->st.cpus[l->owner_cpu];
		for (unsigned k = l->owner_frame; k < o->nframes; k++) {
			if (o->frames[k].state != DT_FS_SPINNING)
				continue;
			int c = wait_search(m, p, (unsigned)l->owner_cpu, k);
			if (c >= 0)
				return c;
		}
	}
	p->n--;
	return -1;
}

/* CPU `cpu`'s top frame just started spinning: is it a deadlock now? */
void dt_check_deadlock(struct dt_machine *m, unsigned cpu)
{
	struct wait_path *p = &m->wait_scratch;
	p->n = 0;
	int at = wait_search(m, p, cpu, m->st.cpus[cpu].nframes - 1u);
	if (at < 0)
		return;
	struct dt_outcome *o = &m->st.outcome;
	o->kind = DT_DEADLOCK;
	o->cpu = (int16_t)cpu;
	o->step = m->st.step + 1;
	o->rule = 36;
	o->ncycle = 0;
	for (unsigned j = (unsigned)at; j < p->n && o->ncycle < 8; j++)
		o->cycle[o->ncycle++] = p->cpu[j];
	struct dt_trace_event *e = dt_trace_emit(m, DT_EV_DEADLOCK, (int)cpu);
	e->arg[0] = (int64_t)(p->n - (unsigned)at);
	e->rule = 36;
}

static void thread_deadlock(struct dt_machine *m, const uint16_t *members, unsigned n,
			    int cpu)
{
	struct dt_outcome *o = &m->st.outcome;
	o->kind = DT_DEADLOCK;
	o->cpu = (int16_t)cpu;
	o->step = m->st.step + 1;
	o->rule = 36;
	o->cycle_threads = 1;
	o->ncycle = 0;
	for (unsigned j = 0; j < n && o->ncycle < 8; j++)
		o->cycle[o->ncycle++] = members[j];
	struct dt_trace_event *e = dt_trace_emit(m, DT_EV_DEADLOCK, cpu);
	e->arg[0] = n;
	e->arg[1] = 1;
	e->rule = 36;
}

/* A thread just blocked on a wait lock: do the owners wait in a circle? */
void dt_check_thread_deadlock(struct dt_machine *m, unsigned thread)
{
	uint16_t path[DT_MAX_THREADS];
	unsigned n = 0, t = thread;
	for (;;) {
		for (unsigned i = 0; i < n; i++)
			if (path[i] == t) {
				thread_deadlock(m, &path[i], n - i, -1);
				return;
			}
		if (n == DT_MAX_THREADS)
			return;
		path[n++] = (uint16_t)t;
		const struct dt_thread *th = &m->st.threads[t];
		if (th->state != DT_TS_BLOCKED || th->wait_kind != DT_WAIT_LOCK)
			return;
		int owner = m->st.locks[th->wait_object].owner_thread;
		if (owner < 0)
			return;
		t = (unsigned)owner;
	}
}

int dt_machine_settle(struct dt_machine *m, int events_left)
{
	if (!m)
		return DT_EINVAL;
	if (dt_halted(m))
		return DT_EHALTED;
	if (dt_machine_enabled(m, NULL, 0))
		return DT_OK;
	if (events_left)
		return DT_OK;
	/* Threads waiting forever: a silent hang on real Windows (R36). */
	uint16_t blocked[DT_MAX_THREADS];
	unsigned nb = 0;
	for (unsigned i = 0; i < m->st.nthreads; i++)
		if (m->st.threads[i].state == DT_TS_BLOCKED)
			blocked[nb++] = (uint16_t)i;
	if (nb) {
		thread_deadlock(m, blocked, nb, -1);
		m->st.outcome.step = m->st.step;
		if (m->trace_on && m->ntrace)
			m->trace[m->ntrace - 1].step = m->st.step; /* no step was taken */
		return DT_OK;
	}
	m->st.outcome.kind = DT_QUIESCENT;
	m->st.outcome.step = m->st.step;
	m->st.outcome.cpu = -1;
	dt_trace_emit(m, DT_EV_QUIESCENT, -1)->step = m->st.step;
	return DT_OK;
}
