/*
 * choice.c - binding printed schedules to a machine, and back.
 *
 * The schedule parser (schedule.c) knows names only; here an e(NAME)@K
 * becomes an event index, and replay refuses, with the item's column and
 * a reason, any choice that does not fit the machine at that point
 * (engine-contract 2).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "machine_int.h"

static int refuse(struct dt_schedule_error *err, uint32_t column, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(struct dt_schedule_error *err, uint32_t column, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		err->column = column;
		vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
		va_end(ap);
	}
	return DT_EINVAL;
}

static int event_by_name(const struct dt_machine *m, const char *name)
{
	for (unsigned i = 0; i < m->st.nevents; i++)
		if (strcmp(dt_machine_string(m, m->st.events[i].name), name) == 0)
			return (int)i;
	return -1;
}

int dt_schedule_item_choice(const struct dt_machine *m, const struct dt_schedule_item *item,
			    struct dt_choice *out, struct dt_schedule_error *err)
{
	if (!m || !item || !out)
		return DT_EINVAL;
	memset(out, 0, sizeof(*out));
	if (item->cpu >= m->st.ncpus)
		return refuse(err, item->column, "CPU %u is out of range: this machine has %u CPUs",
			      item->cpu, m->st.ncpus);
	out->cpu = item->cpu;
	switch (item->kind) {
	case DT_CHOICE_CPU:
		out->kind = DT_CHOICE_CPU;
		return DT_OK;
	case DT_CHOICE_EVENT: {
		int e = event_by_name(m, item->name);
		if (e < 0)
			return refuse(err, item->column, "no device event is named '%s'", item->name);
		out->kind = DT_CHOICE_EVENT;
		out->object = (uint16_t)e;
		return DT_OK;
	}
	default: {
		for (unsigned t = 0; t < m->st.nthreads; t++) {
			if (strcmp(dt_machine_string(m, m->st.threads[t].name), item->name))
				continue;
			out->kind = DT_CHOICE_THREAD;
			out->object = (uint16_t)t;
			return DT_OK;
		}
		return refuse(err, item->column, "no thread is named '%s'", item->name);
	}
	}
}

void dt_choice_item(const struct dt_machine *m, const struct dt_choice *c,
		    struct dt_schedule_item *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = c->kind;
	out->cpu = c->cpu;
	out->repeat = 1;
	if (c->kind == DT_CHOICE_EVENT && c->object < m->st.nevents)
		snprintf(out->name, sizeof(out->name), "%s",
			 dt_machine_string(m, m->st.events[c->object].name));
	if (c->kind == DT_CHOICE_THREAD && c->object < m->st.nthreads)
		snprintf(out->name, sizeof(out->name), "%s",
			 dt_machine_string(m, m->st.threads[c->object].name));
}

/* Why CPU `cpu` cannot take a step now, in one phrase. */
const char *dt_cpu_blocked_reason(const struct dt_machine *m, unsigned cpu, char *buf, size_t size)
{
	if (!buf || size == 0)
		return "";
	if (!m || cpu >= m->st.ncpus) {
		snprintf(buf, size, "there is no CPU %u", cpu);
		return buf;
	}
	const struct dt_cpu *c = &m->st.cpus[cpu];
	switch (dt_cpu_next_action(m, cpu)) {
	case DT_ACT_HALTED:
		snprintf(buf, size, "the machine has stopped");
		break;
	case DT_ACT_SPIN: {
		unsigned lock = c->frames[c->nframes - 1].lock;
		snprintf(buf, size, "it is spinning for lock %u, held by CPU %d", lock,
			 m->st.locks[lock].owner_cpu);
		break;
	}
	case DT_ACT_NONE:
		if (c->qlen)
			snprintf(buf, size, "its DPCs wait for a drain at IRQL %u", c->irql);
		else if (c->npending)
			snprintf(buf, size, "its pending interrupts are masked at IRQL %u", c->irql);
		else
			snprintf(buf, size, "it is idle");
		break;
	default:
		snprintf(buf, size, "it can step");
		break;
	}
	return buf;
}

int dt_schedule_fits(const struct dt_machine *m, const struct dt_schedule *s,
		     struct dt_schedule_error *err)
{
	if (!m || !s)
		return DT_EINVAL;
	if (s->cpus != (int)m->st.ncpus)
		return refuse(err, 0, "the schedule is for cpus=%d but this machine has %u CPUs",
			      s->cpus, m->st.ncpus);
	if (s->has_hash && m->st.lesson_hash && s->lesson_hash != m->st.lesson_hash)
		return refuse(err, 0,
			      "the schedule was recorded for lesson version %08x, this is %08x",
			      s->lesson_hash, m->st.lesson_hash);
	return DT_OK;
}

int dt_schedule_choice_check(const struct dt_machine *m, const struct dt_schedule_item *item,
			     const struct dt_choice *c, struct dt_schedule_error *err)
{
	if (dt_halted(m))
		return refuse(err, item->column, "the run already ended at step %u", m->st.step);
	if (dt_machine_choice_enabled(m, c))
		return DT_OK;
	char why[96];
	if (c->kind == DT_CHOICE_EVENT)
		snprintf(why, sizeof(why), "CPU %u is not in the affinity set of e(%s)", c->cpu,
			 item->name);
	else if (c->kind == DT_CHOICE_THREAD)
		snprintf(why, sizeof(why), "t(%s) is not ready or CPU %u is not free for it",
			 item->name, c->cpu);
	else {
		char rs[80];
		snprintf(why, sizeof(why), "CPU %u cannot step, %s", c->cpu,
			 dt_cpu_blocked_reason(m, c->cpu, rs, sizeof(rs)));
	}
	return refuse(err, item->column, "choice not enabled at step %u: %s", m->st.step + 1, why);
}

int dt_machine_replay(struct dt_machine *m, const struct dt_schedule *s,
		      struct dt_schedule_error *err)
{
	int rc = dt_schedule_fits(m, s, err);
	for (size_t i = 0; !rc && i < s->nitems; i++) {
		struct dt_choice c;
		rc = dt_schedule_item_choice(m, &s->items[i], &c, err);
		for (uint32_t r = 0; !rc && r < s->items[i].repeat; r++) {
			rc = dt_schedule_choice_check(m, &s->items[i], &c, err);
			if (!rc)
				dt_machine_step(m, &c);
		}
	}
	return rc;
}

void dt_machine_set_lesson_hash(struct dt_machine *m, uint32_t hash)
{
	if (m)
		m->st.lesson_hash = hash;
}
