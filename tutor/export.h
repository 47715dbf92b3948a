/*
 * export.h - a run, written out for other tools and for paper.
 *
 * Both exports read a lesson's session (its recorded steps and trace),
 * so they work alike for the story's run, a replayed schedule and the
 * explorer's counterexample; neither runs a body.  Time is the global
 * step number: 1 step = 1 us of simulated time (engine-contract 3).
 *
 * --trace FILE.json writes the Chrome Trace Event format (the JSON object
 * form), which Perfetto (ui.perfetto.dev) and chrome://tracing open:
 *   process 1 "CPUs"     one track per CPU; ISRs, DPCs, work items,
 *                        threads and lock spins as complete events
 *                        ("ph":"X"), nested as the frames nest; queue
 *                        calls, device events and the run's end as
 *                        instant events ("ph":"i") with the call's result
 *                        and rule ID; one IRQL counter per CPU ("ph":"C")
 *   process 2 "Threads"  one track per thread: running (on which CPU),
 *                        ready, blocked
 *   otherData            the lesson, the variant, what the run was, its
 *                        schedule, and "1 step = 1 us of simulated time"
 *
 * --timeline prints the lanes of the UI's timeline (timeline.h) as text
 * blocks that fit the width, then the run's queue calls and outcome, one
 * narrated line each.
 */
#ifndef DT_EXPORT_H
#define DT_EXPORT_H

#include <stdio.h>

#include "dt_trace.h"
#include "script.h"

struct export_about {
	const char *variant; /* the lesson variant, NULL for the default */
	const char *run;     /* "story", "replay", "counterexample" */
};

/* Write rt's run as Chrome Trace Event JSON.  0, or -1 on a write error. */
int export_trace_json(struct rt *rt, const struct export_about *a, FILE *f);

/* Print rt's run as a text timeline of at most `width` columns (>= 40). */
int export_timeline(struct rt *rt, const struct export_about *a, int width, FILE *f);

/* Is trace event e one the exports show as an instant (a queue call, a
 * device event, the run's end)?  Its name, with its category and the CPU
 * track it goes on; NULL for the others. */
const char *export_instant(const struct dt_trace_event *e, const char **cat, int *cpu);

#endif
