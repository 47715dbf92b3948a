/*
 * dt_sched.h - schedulers: producers of choices (engine-contract 2).
 *
 * A scheduler only *produces* the next choice; the machine's step consumes
 * it and the session's log records it, so everything a scheduler did can
 * be replayed from the log alone.  Round-robin gives each CPU that can step
 * one step in turn.  Seeded random picks uniformly among the CPUs that can
 * step, from the scheduler stream of the seed; with an event rate it also
 * places free device events, from the separate events stream, so adding a
 * device event never changes which CPUs the scheduler stream picks.
 */
#ifndef DT_SCHED_H
#define DT_SCHED_H

#include "dt_machine.h"
#include "dt_rng.h"

enum dt_sched_kind { DT_SCHED_ROUND_ROBIN = 0, DT_SCHED_RANDOM = 1 };

struct dt_sched {
	int kind;                /* enum dt_sched_kind */
	int last_cpu;            /* round-robin position */
	struct dt_rng cpus;      /* DT_STREAM_SCHEDULER */
	struct dt_rng events;    /* DT_STREAM_EVENTS */
	uint32_t event_permille; /* chance per step of a free device event */
	uint32_t events_left;    /* free events still allowed */
};

void dt_sched_round_robin(struct dt_sched *s);
void dt_sched_random(struct dt_sched *s, uint64_t seed, uint32_t event_permille,
		     uint32_t max_events);

/* The next choice; 0 when nothing can step and no event may be placed. */
int dt_sched_next(struct dt_sched *s, const struct dt_machine *m, struct dt_choice *out);

/*
 * Run until the machine halts: step with the scheduler's choices, settle
 * when nothing can step.  Returns the number of steps taken.
 */
unsigned dt_sched_run(struct dt_sched *s, struct dt_machine *m, unsigned max_steps);

#endif /* DT_SCHED_H */
