/*
 * replay.c - taking a printed schedule's choices on a lesson (replay.h).
 *
 * A schedule says which lesson it belongs to (lesson=ID@HASH, the hash
 * being the FNV-1a of the lesson file that the progress file keeps too),
 * on how many CPUs it ran and from which seed.  An exact replay refuses a
 * schedule for another lesson or another version of the same file before
 * taking any choice: the same choices on a changed lesson would tell a
 * different story without saying so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

int replay_parse(const char *text, struct dt_schedule *s, char *err, size_t size)
{
	struct dt_schedule_error e;
	if (dt_schedule_parse(text, s, &e) == 0)
		return 0;
	snprintf(err, size, "column %u: %s", e.column, e.reason);
	return -1;
}

void replay_options(const struct dt_schedule *s, struct rt_options *opt)
{
	opt->cpus = (unsigned)s->cpus;
	opt->seed = s->seed;
	opt->has_seed = 1;
}

static int header_fits(struct rt *rt, const struct dt_schedule *s, char *err, size_t size)
{
	const struct rt_lesson *l = rt_lesson(rt);
	struct dt_schedule_error e;
	if (s->lesson[0] && strcmp(s->lesson, l->id) != 0) {
		snprintf(err, size, "the schedule is for lesson %s, not %s", s->lesson, l->id);
		return -1;
	}
	if (dt_schedule_fits(rt_machine(rt), s, &e)) {
		snprintf(err, size, "%s%s", e.reason,
			 s->has_hash && s->lesson_hash != l->hash ?
			 " (the lesson file changed since the schedule was printed)" : "");
		return -1;
	}
	if (dt_machine_state(rt_machine(rt))->seed != s->seed) {
		snprintf(err, size, "the schedule was recorded with seed=%llu, this run has %llu",
			 (unsigned long long)s->seed,
			 (unsigned long long)dt_machine_state(rt_machine(rt))->seed);
		return -1;
	}
	return 0;
}

int replay_take(struct rt *rt, const struct dt_schedule *s, enum replay_mode mode, char *err,
		size_t size)
{
	struct dt_schedule_error e;
	if (mode == REPLAY_EXACT && header_fits(rt, s, err, size))
		return -1;
	for (size_t i = 0; i < s->nitems; i++) {
		struct dt_machine *m = rt_machine(rt); /* the live machine, at the head */
		struct dt_choice c;
		if (dt_schedule_item_choice(m, &s->items[i], &c, &e)) {
			snprintf(err, size, "column %u: %s", e.column, e.reason);
			return -1;
		}
		for (uint32_t k = 0; k < s->items[i].repeat; k++) {
			if (dt_schedule_choice_check(m, &s->items[i], &c, &e)) {
				if (mode == REPLAY_PREFIX)
					return 0; /* the unused tail of a reference */
				snprintf(err, size, "column %u: %s", e.column, e.reason);
				return -1;
			}
			if (rt_step(rt, &c) != DT_OK) {
				snprintf(err, size, "column %u: the step failed at step %u",
					 s->items[i].column, dt_machine_state(m)->step + 1);
				return -1;
			}
		}
	}
	/* Where nothing can step the run is over, as the story and free play
	 * end it: settle, so the outcome (quiescent, deadlock) is the same. */
	struct dt_choice en[DT_MAX_CPUS * (DT_MAX_THREADS + 1)];
	struct dt_machine *m = rt_machine(rt);
	if (mode == REPLAY_EXACT && dt_machine_state(m)->outcome.kind == DT_RUNNING &&
	    !dt_machine_enabled(m, en, sizeof(en) / sizeof(en[0])))
		dt_session_settle(rt_session(rt), 0);
	return 0;
}

char *replay_schedule_text(struct rt *rt)
{
	struct dt_session *s = rt_session(rt);
	const char *id = rt_lesson(rt)->id;
	size_t n = dt_session_schedule(s, id, NULL, 0);
	char *text = malloc(n + 1);
	if (text)
		dt_session_schedule(s, id, text, n + 1);
	return text;
}

int replay_open(const char *path, const struct rt_options *base, const char *text,
		struct rt **out, char *err, size_t size)
{
	struct dt_schedule s;
	struct rt_options opt = *base;
	char *why = NULL;
	*out = NULL;
	if (replay_parse(text, &s, err, size))
		return -1;
	replay_options(&s, &opt);
	if (rt_open(path, &opt, out, &why)) {
		snprintf(err, size, "%s", why ? why : "cannot load the lesson");
		free(why);
		dt_schedule_free(&s);
		return -1;
	}
	int rc = replay_take(*out, &s, REPLAY_EXACT, err, size);
	dt_schedule_free(&s);
	if (rc) {
		rt_close(*out);
		*out = NULL;
	}
	return rc;
}
