/*
 * dt_history.h - a session: one machine, its choice log and its past
 * (engine-contract 6).
 *
 * *Viewing* step N is instant and exact: the session keeps a full state
 * copy (keyframe) every DT_KEYFRAME_EVERY steps and, for every step, the
 * bytes of the state that the step changed; any past state is a keyframe
 * plus at most DT_KEYFRAME_EVERY-1 deltas.  Bodies are never copied.
 *
 * *Stepping* while viewing the past first offers the recorded future: the
 * same choice as recorded is a redo (the view moves on).  A different
 * choice *branches*: the recorded future is discarded, the machine starts
 * over, replays the first N choices (bodies re-run, deterministically) and
 * then takes the new choice.
 */
#ifndef DT_HISTORY_H
#define DT_HISTORY_H

#include <stddef.h>

#include "dt_machine.h"

#define DT_KEYFRAME_EVERY 256

struct dt_session;

/* Create a session around a new machine (dt_machine_create's arguments). */
int dt_session_create(const struct dt_config *cfg, const struct dt_host_ops *host, void *ctx,
		      struct dt_session **out);
void dt_session_destroy(struct dt_session *s);

/* The live machine, at the head of the log. */
struct dt_machine *dt_session_machine(struct dt_session *s);

/* The viewed step (0..head) and the head (number of recorded choices). */
size_t dt_session_cursor(const struct dt_session *s);
size_t dt_session_head(const struct dt_session *s);

/* The state at the viewed step: live state at the head, else rebuilt. */
const struct dt_state *dt_session_view(struct dt_session *s);
/* Trace events up to and including the viewed step. */
const struct dt_trace_event *dt_session_trace(struct dt_session *s, size_t *count);

/* Step with choice c at the cursor: live, redo or branch (see above). */
int dt_session_step(struct dt_session *s, const struct dt_choice *c);
/* Move the view: one step back, one forward through the recorded future,
 * or to step n (0..head).  No body runs. */
int dt_session_back(struct dt_session *s);
int dt_session_redo(struct dt_session *s);
int dt_session_goto(struct dt_session *s, size_t n);
/* The recorded choice number i (0-based), for redo and printing. */
const struct dt_choice *dt_session_choice(const struct dt_session *s, size_t i);

/* Settle the live machine (dt_machine_settle) and record its effect. */
int dt_session_settle(struct dt_session *s, int events_left);

/* Print the log as a schedule string (dt_choice.h form) into buf. */
size_t dt_session_schedule(const struct dt_session *s, const char *lesson, char *buf,
			   size_t size);

/* Bytes the history holds (keyframes and deltas), for the benchmark. */
size_t dt_session_memory(const struct dt_session *s);

#endif /* DT_HISTORY_H */
