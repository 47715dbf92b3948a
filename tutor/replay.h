/*
 * replay.h - taking a printed schedule's choices on a lesson's session.
 *
 * One implementation for every place a schedule comes back in: the
 * command line's --replay (with or without the UI), the UI's "show me how
 * it breaks" key, the h key's reference replay and the shared "p" line.
 * The choices go through the session (rt_step), so the log, step back and
 * branching work on a replayed run exactly as on one played by hand.
 */
#ifndef DT_REPLAY_H
#define DT_REPLAY_H

#include <stddef.h>

#include "dt_choice.h"
#include "script.h"

enum replay_mode {
	/* Every choice must fit where it stands; the header's lesson id,
	 * content hash and CPU count must match the lesson (a shared run). */
	REPLAY_EXACT = 0,
	/* A lesson's own reference: take choices up to the first one the run
	 * no longer allows (--check stops a reference where its goal holds,
	 * so a tail may be unused); the header is not checked. */
	REPLAY_PREFIX = 1,
};

/* Parse text; on refusal err says "column N: reason".  0 or -1. */
int replay_parse(const char *text, struct dt_schedule *s, char *err, size_t size);

/* The options that rebuild the machine the schedule was recorded on: its
 * CPU count and seed on top of *opt. */
void replay_options(const struct dt_schedule *s, struct rt_options *opt);

/* Take s's choices from the session's head.  0, or -1 with err saying
 * why (the item's column and the step when a choice does not fit). */
int replay_take(struct rt *rt, const struct dt_schedule *s, enum replay_mode mode, char *err,
		size_t size);

/* Open the lesson at path on the machine the schedule text was recorded
 * on (its cpus and seed over *base) and take its choices exactly.  0 and
 * *out, or -1 with err saying why (nothing is left open). */
int replay_open(const char *path, const struct rt_options *base, const char *text,
		struct rt **out, char *err, size_t size);

/* The session's choice log as v1 schedule text (malloc'd), or NULL. */
char *replay_schedule_text(struct rt *rt);

#endif
