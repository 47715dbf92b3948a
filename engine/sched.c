/*
 * sched.c - round-robin and seeded-random choice producers (dt_sched.h).
 */
#include <string.h>

#include "dt_sched.h"

void dt_sched_round_robin(struct dt_sched *s)
{
	memset(s, 0, sizeof(*s));
	s->kind = DT_SCHED_ROUND_ROBIN;
	s->last_cpu = -1;
}

void dt_sched_random(struct dt_sched *s, uint64_t seed, uint32_t event_permille,
		     uint32_t max_events)
{
	memset(s, 0, sizeof(*s));
	s->kind = DT_SCHED_RANDOM;
	s->last_cpu = -1;
	dt_rng_seed_stream(&s->cpus, seed, DT_STREAM_SCHEDULER);
	dt_rng_seed_stream(&s->events, seed, DT_STREAM_EVENTS);
	s->event_permille = event_permille > 1000 ? 1000 : event_permille;
	s->events_left = max_events;
}

/* A free device event: a uniformly chosen event to a CPU of its affinity. */
static int random_event(struct dt_sched *s, const struct dt_machine *m, struct dt_choice *out)
{
	const struct dt_state *st = dt_machine_state(m);
	if (!st->nevents || !s->events_left)
		return 0;
	unsigned e = (unsigned)dt_rng_below(&s->events, st->nevents);
	const struct dt_event *ev = &st->events[e];
	uint64_t aff = st->devices[ev->device].lines[ev->line].affinity;
	unsigned n = (unsigned)__builtin_popcountll(aff);
	unsigned k = (unsigned)dt_rng_below(&s->events, n), cpu = 0;
	for (;; cpu++)
		if (((aff >> cpu) & 1) && k-- == 0)
			break;
	*out = (struct dt_choice){ .kind = DT_CHOICE_EVENT, .cpu = (uint16_t)cpu,
				   .object = (uint16_t)e };
	s->events_left--;
	return 1;
}

int dt_sched_next(struct dt_sched *s, const struct dt_machine *m, struct dt_choice *out)
{
	struct dt_choice en[DT_MAX_CPUS * (DT_MAX_THREADS + 1)];
	unsigned n = dt_machine_enabled(m, en, DT_MAX_CPUS * (DT_MAX_THREADS + 1));
	if (s->kind == DT_SCHED_RANDOM) {
		int want_event = s->event_permille && s->events_left &&
				 (n == 0 || dt_rng_below(&s->events, 1000) < s->event_permille);
		if (want_event && random_event(s, m, out))
			return 1;
		if (n == 0)
			return 0;
		*out = en[dt_rng_below(&s->cpus, n)];
		return 1;
	}
	if (n == 0)
		return 0;
	/* A ready thread and a CPU free for it: dispatch at once, as a real
	 * scheduler would (thread choices come after the CPU ones). */
	for (unsigned i = 0; i < n; i++) {
		if (en[i].kind == DT_CHOICE_THREAD) {
			*out = en[i];
			return 1;
		}
	}
	unsigned pick = 0; /* the first enabled CPU after the last one, cyclically */
	for (unsigned i = 0; i < n; i++) {
		if ((int)en[i].cpu > s->last_cpu) {
			pick = i;
			break;
		}
	}
	*out = en[pick];
	s->last_cpu = en[pick].cpu;
	return 1;
}

unsigned dt_sched_run(struct dt_sched *s, struct dt_machine *m, unsigned max_steps)
{
	unsigned steps = 0;
	while (steps < max_steps && dt_machine_state(m)->outcome.kind == DT_RUNNING) {
		struct dt_choice c;
		if (!dt_sched_next(s, m, &c)) {
			dt_machine_settle(m, 0);
			break;
		}
		if (dt_machine_step(m, &c) != DT_OK)
			break;
		steps++;
	}
	return steps;
}
