/*
 * ui_replay.c - loading a schedule into the open lesson.
 *
 * A schedule (a shared run, the explorer's counterexample, a challenge's
 * reference) is loaded the same way: the lesson starts over in free play,
 * the schedule's choices are taken through the session, and the view goes
 * back to step 0, so Space (or f) then plays the run one recorded step at
 * a time, b steps back, and any other choice branches off it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "ui_int.h"

int ui_take_schedule(struct ui *u, const char *schedule, int prefix, char *err,
		     size_t err_size)
{
	struct dt_schedule s;
	if (replay_parse(schedule, &s, err, err_size))
		return -1;
	struct ui_options before = u->opt;
	if (!prefix) { /* rebuild the machine it was recorded on */
		struct rt_options ro = { 0 };
		replay_options(&s, &ro);
		u->opt.cpus = ro.cpus;
		u->opt.seed = ro.seed;
		u->opt.has_seed = ro.has_seed;
	}
	int rc = ui_restart(u);
	if (rc) {
		snprintf(err, err_size, "%s", u->status);
	} else {
		u->story_mode = 0;
		u->story_done = 1;
		u->asking = 0;
		rc = replay_take(u->rt, &s, prefix ? REPLAY_PREFIX : REPLAY_EXACT, err, err_size);
		if (!rc && s.nitems && !dt_session_head(rt_session(u->rt))) {
			snprintf(err, err_size, "its first choice is not possible");
			rc = -1;
		}
	}
	dt_schedule_free(&s);
	if (rc) {
		/* Refused: the lesson as it was opened, from its start. */
		u->opt = before;
		char why[200];
		snprintf(why, sizeof(why), "%s", err);
		ui_restart(u);
		snprintf(err, err_size, "%s", why);
		return -1;
	}
	dt_session_goto(rt_session(u->rt), 0);
	return 0;
}

int ui_load_schedule(struct ui *u, const char *schedule, char *err, size_t err_size)
{
	return ui_take_schedule(u, schedule, 0, err, err_size);
}
