/*
 * narrate_int.h - what the narrator's files share: the output buffer, the
 * event being narrated and the helpers that name things in a sentence.
 * Private to narrate.c and narrate_outcome.c; others see narrate.h.
 */
#ifndef DT_NARRATE_INT_H
#define DT_NARRATE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "narrate.h"

/* Output with snprintf semantics over several appends. */
struct out {
	char *buf;
	size_t size;
	size_t len; /* what the whole text needs, even past size */
};

/* The event being narrated, with the machine it came from. */
struct narr {
	const struct dt_machine *m;
	const struct dt_state *st;
	const struct dt_trace_event *e;
	struct out *o;
};

__attribute__((format(printf, 2, 3))) void nr_put(struct out *o, const char *fmt, ...);
/* A device IRQL reads "IRQL 5" in a sentence, the others by name. */
void nr_put_irql(struct out *o, unsigned irql);
/* The machine's interned string `id` (an object's name). */
const char *nr_str(const struct dt_machine *m, uint32_t id);
/* "CPU1: ", the actor of the event. */
void nr_cpu_prefix(const struct narr *n);
/* The run's outcome when this event reports it and it is of `kind`,
 * else NULL. */
const struct dt_outcome *nr_outcome_of(const struct narr *n, unsigned kind);
/* A thread by its name, or "a worker thread" for an unknown index. */
void nr_put_thread(const struct narr *n, int64_t thread);

/* narrate_outcome.c: how a run ends (R30-R36). */
void ev_bugcheck(const struct narr *n);
void ev_deadlock(const struct narr *n);
void ev_lesson_error(const struct narr *n);
void ev_step_limit(const struct narr *n);
void ev_quiescent(const struct narr *n);

#endif
