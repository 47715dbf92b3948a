/*
 * ui_replay.c - loading a schedule into the open lesson.
 *
 * A schedule (a shared run, the explorer's counterexample, a challenge's
 * reference) is loaded the same way: the lesson starts over in free play,
 * the schedule's choices are taken through the session, and the view goes
 * back to step 0, so Space (or f) then plays the run one recorded step at
 * a time, b steps back, and any other choice branches off it.
 *
 * The other way round, p prints the open run as the command that replays
 * it (dpctutor --replay 'SCHEDULE' [--variant V] LESSON), and -v prints
 * the same line when the tutor quits; x runs the explorer on the open
 * lesson and loads its counterexample.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explorer.h"
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

/* s in single quotes for a POSIX shell (a ' inside becomes '\''). */
static void put_quoted(char **p, char *end, const char *s)
{
	if (*p < end)
		*(*p)++ = '\'';
	for (; *s && *p < end; s++) {
		if (*s == '\'' && end - *p > 4) {
			memcpy(*p, "'\\''", 4);
			*p += 4;
		} else if (*s != '\'') {
			*(*p)++ = *s;
		}
	}
	if (*p < end)
		*(*p)++ = '\'';
}

char *ui_share_command(struct ui *u)
{
	char *sched = replay_schedule_text(u->rt);
	if (!sched)
		return NULL;
	const char *variant = u->opt.variant, *path = u->lesson_path;
	size_t size = 4 * (strlen(sched) + strlen(path) + (variant ? strlen(variant) : 0)) + 64;
	char *cmd = malloc(size), *p = cmd, *end = cmd + size - 1;
	if (cmd) {
		p += snprintf(p, size, "dpctutor --replay ");
		put_quoted(&p, end, sched);
		if (variant) {
			memcpy(p, " --variant ", 11);
			p += 11;
			put_quoted(&p, end, variant);
		}
		*p++ = ' ';
		put_quoted(&p, end, path);
		*p = '\0';
	}
	free(sched);
	return cmd;
}

/* p: the run's seed and schedule in the status line, the command that
 * replays it in the story pane (where it stays to be copied). */
void ui_print_share(struct ui *u)
{
	char *cmd = ui_share_command(u);
	if (!cmd) {
		snprintf(u->status, sizeof(u->status), "out of memory for the schedule");
		return;
	}
	const struct dt_state *st = dt_machine_state(rt_machine(u->rt));
	size_t n = dt_session_head(rt_session(u->rt));
	snprintf(u->status, sizeof(u->status),
		 "seed %llu, %zu choice%s: the command that replays this run is in the story "
		 "pane", (unsigned long long)st->seed, n, n == 1 ? "" : "s");
	size_t len = strlen(cmd) + 40;
	char *line = malloc(len);
	if (line) {
		snprintf(line, len, "Share this run: %s", cmd);
		ui_story_line(u, line);
		free(line);
	}
	free(cmd);
}

/* x: explore the lesson (this variant, this machine) and load the
 * counterexample with the fewest preemptions, at step 0. */
void ui_show_break(struct ui *u)
{
	struct explore_options o;
	char *cx = NULL, why[300], err[200];
	memset(&o, 0, sizeof(o));
	o.reduce = 1;
	o.variant = u->opt.variant;
	o.seed = u->opt.seed;
	o.has_seed = u->opt.has_seed;
	o.cpus = u->opt.cpus;
	int rc = explore_counterexample(u->lesson_path, &o, &cx, why, sizeof(why));
	if (rc != 1) {
		snprintf(u->status, sizeof(u->status), "%s%.170s",
			 rc < 0 ? "the explorer could not run: " : "", why);
		return;
	}
	if (ui_load_schedule(u, cx, err, sizeof(err))) {
		snprintf(u->status, sizeof(u->status), "the counterexample: %.170s", err);
		free(cx);
		return;
	}
	char line[420];
	snprintf(line, sizeof(line), "How it breaks: %s.  Space or f plays it, b steps back; "
		 "any other step branches off it.", why);
	ui_story_line(u, line);
	size_t len = strlen(cx) + 40;
	char *sl = malloc(len);
	if (sl) {
		snprintf(sl, len, "The counterexample: %s", cx);
		ui_story_line(u, sl);
		free(sl);
	}
	snprintf(u->status, sizeof(u->status),
		 "the explorer's counterexample is loaded at step 0: Space or f plays it");
	free(cx);
}
