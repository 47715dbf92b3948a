/*
 * explorer.h - the explorer for lessons: `dpctutor --explore` and the
 * for-all proofs of `--check`.
 *
 * The engine's explorer (dt_explore.h) walks every schedule within the
 * bounds; this module gives it a lesson: the lesson's free device events,
 * its bounds, and the challenges' Lua predicates as hooks (a for-all
 * challenge's invariant is checked where each run ends; an exists
 * challenge's reach() after every step).
 */
#ifndef DT_EXPLORER_H
#define DT_EXPLORER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dt_explore.h"

struct explore_options {
	uint32_t max_preemptions; /* DT_EXPLORE_UNBOUNDED for none */
	uint32_t max_events;
	uint32_t max_steps;
	int set_preemptions, set_events, set_steps; /* 0: the lesson's bounds */
	int reduce;               /* sleep sets when unbounded */
	const char *variant;      /* NULL: the lesson's first */
	int challenge;            /* 1-based challenge to check, 0 = the first of each kind */
	int verbose;
	int progress;             /* a progress line on stderr for long runs */
	uint64_t seed;
	int has_seed;
	unsigned cpus;            /* 0 = the lesson's */
	unsigned budget;          /* Lua instructions per resume, 0 = the default */
	size_t mem_bytes;         /* Lua memory cap, 0 = the default */
};

/* What one exploration found, for callers that judge it (--check). */
struct explore_summary {
	uint64_t runs, incomplete, violations, hits;
	uint64_t pruned, slept, steps; /* choices cut by the bound, by reduction; steps run */
	double seconds;
	double first_violation_s;  /* when the first violating run ended, 0 if none */
	char counterexample[2048]; /* "" when none */
	char bounds[160];          /* "2 preemptions, 2 events, 200 steps" */
	uint32_t preemptions;      /* the counterexample's */
	int has_forall;            /* a for-all challenge was checked */
	int error;
	char message[300];
};

/* Explore a lesson and print the report to out.  0: no invariant
 * violated; 1: one was; 2: the lesson could not be explored. */
int explore_lesson(const char *path, const struct explore_options *o, FILE *out,
		   struct explore_summary *sum);

/* The same, handing back the counterexample with the fewest preemptions
 * as a malloc'd schedule in *cx (NULL when there is none), for --trace and
 * --timeline after --explore. */
int explore_lesson_cx(const char *path, const struct explore_options *o, FILE *out,
		      struct explore_summary *sum, char **cx);

/*
 * "Show me how it breaks": explore the lesson (o->variant selects the
 * variant, o's bounds or the lesson's) without printing anything.
 * 1: *schedule_out is the counterexample with the fewest preemptions, a
 * malloc'd v1 schedule (lesson=ID@HASH cpus= seed= header) for the caller
 * to free, and why says how many runs break; 0: no run within the bounds
 * violates the invariant, or the lesson has no for-all challenge (why says
 * which); -1: the lesson could not be explored (why says why).
 */
int explore_counterexample(const char *path, const struct explore_options *o,
			   char **schedule_out, char *why, size_t why_size);

#endif
