/*
 * dt_explore.h - the explorer: every outcome a scenario can reach within
 * stated bounds (product.md "Explorer", engine-contract 1-2, 6).
 *
 * The explorer is stateless: it never copies a machine.  It walks the tree
 * of choice sequences depth first; to try a sibling it starts the machine
 * over and replays the path so far, the same path replay, step back and
 * --check use.  At every node the choices are the enabled CPU steps and
 * thread dispatches plus, while the event budget lasts, every free device
 * event on every CPU of its affinity.  A node where nothing can step and
 * no event is placed ends a run (quiescent, or the outcome the machine
 * reached).
 *
 * Bounds, always stated in reports:
 *   max_preemptions  a preemption is choosing a different CPU than the one
 *                    that took the previous step while that one could
 *                    still step; device events do not count (and do not
 *                    change "the previous CPU");
 *   max_events       free device events placed per run;
 *   max_steps        a run cut here is counted as incomplete, never
 *                    dropped silently.
 *
 * Reduction: with `reduce` set and no preemption bound, sleep sets over the
 * operations' declared footprints skip interleavings that only reorder
 * independent steps; the set of outcomes is the same as without it.  With a
 * preemption bound the explorer does not reduce (sleep sets are not
 * complete under a bound), and the report says which was used.
 */
#ifndef DT_EXPLORE_H
#define DT_EXPLORE_H

#include <stddef.h>
#include <stdint.h>

#include "dt_machine.h"

#define DT_EXPLORE_UNBOUNDED 0xFFFFFFFFu
#define DT_EXPLORE_MAX_OUTCOMES 256
#define DT_EXPLORE_MAX_FREE 8

struct dt_explore_bounds {
	uint32_t max_preemptions; /* DT_EXPLORE_UNBOUNDED for none */
	uint32_t max_events;      /* free events per run */
	uint32_t max_steps;       /* steps per run */
	int reduce;               /* sleep sets (only used when unbounded) */
};

/* A device event the explorer may place, at most `max` times per run. */
struct dt_free_event {
	uint16_t event;
	uint16_t max;
};

/* Checks the caller wants.  The invariant is judged where each run ends
 * (nothing can step and no event is placed, or an outcome such as a bug
 * check); it never cuts a run short, which keeps the reduction sound.  The
 * exists-goal is checked after every step; a run counts as a hit when it
 * held anywhere along it. */
struct dt_explore_hooks {
	void *ctx;
	/* 1 when the invariant is violated; at_end is always 1 (kept for
	 * callers that share the hook with other checks). */
	int (*violated)(void *ctx, struct dt_machine *m, int at_end);
	/* 1 when the exists-goal holds now. */
	int (*reached)(void *ctx, struct dt_machine *m);
};

/* A schedule found by the explorer: its choices and its preemptions. */
struct dt_witness {
	struct dt_choice *choices;
	uint32_t n;
	uint32_t preemptions;
	uint32_t events;
};

/* One distinct end state: outcome plus the final watched values. */
struct dt_explore_outcome {
	uint8_t kind;             /* enum dt_outcome_kind */
	uint32_t code;            /* bug-check code */
	uint32_t nvalues;
	struct dt_value values[DT_MAX_VARS];
	uint64_t count;           /* runs that ended here */
	struct dt_witness witness; /* the one with the fewest preemptions */
};

struct dt_explore_report {
	struct dt_explore_bounds bounds;
	int reduced;              /* 1 when sleep sets were used */
	uint64_t runs;            /* complete runs */
	uint64_t incomplete;      /* runs cut by max_steps */
	uint64_t pruned;          /* choices skipped by the preemption bound */
	uint64_t slept;           /* choices skipped by sleep sets */
	uint64_t steps;           /* machine steps executed, replays included */
	uint64_t violations;      /* runs that violated the invariant */
	uint64_t hits;            /* runs that reached the exists-goal */
	struct dt_witness counterexample; /* fewest preemptions; n = 0 if none */
	struct dt_witness hit;            /* a run reaching the goal; n = 0 if none */
	unsigned noutcomes;
	struct dt_explore_outcome *outcomes; /* owned */
	int truncated;            /* more distinct outcomes than could be kept */
	int error;                /* the machine could not be rebuilt or replayed */
	char message[160];
};

/* A progress callback for long runs (every few thousand runs), or NULL. */
typedef void (*dt_explore_progress)(void *ctx, const struct dt_explore_report *r);

/*
 * Explore machine m (its host must rebuild it on start over).  The machine
 * is left in an unspecified state; start it over to use it again.  The
 * trace is switched off while exploring.  Returns DT_OK, or an error with
 * report->message.
 */
int dt_explore(struct dt_machine *m, const struct dt_explore_bounds *bounds,
	       const struct dt_free_event *free_events, unsigned nfree,
	       const struct dt_explore_hooks *hooks, dt_explore_progress progress,
	       void *progress_ctx, struct dt_explore_report *report);

void dt_explore_report_free(struct dt_explore_report *r);

/* Print a witness as a schedule string (dt_choice.h form). */
size_t dt_witness_print(const struct dt_machine *m, const struct dt_witness *w,
			const char *lesson, char *buf, size_t size);

#endif /* DT_EXPLORE_H */
