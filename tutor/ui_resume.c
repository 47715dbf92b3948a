/*
 * ui_resume.c - leaving a lesson and coming back to the same place.
 *
 * Where a student is in a lesson is three things: how far the story went
 * (the story pieces taken and the answers given), the machine's choice log
 * (which also holds the free-play steps taken after leaving the story) and
 * the step being viewed.  All three are replayable because the engine is
 * deterministic and the story schedules round-robin the same way every
 * time, so the record (progress.h) stores them and no machine state.
 *
 * Coming back replays: the story pieces first, answering each question
 * with the recorded answer (this rebuilds the story pane and the story's
 * own position), then whatever the choice log holds beyond what the story
 * did, branching where free play went another way, then the view moves
 * to the recorded step.  The replay is checked: the log must print to
 * exactly the saved schedule, or the record is not used.  The lesson's
 * content hash is checked before (a changed lesson starts over).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "ui_int.h"

static void lesson_key(struct ui *u, const char **id, uint32_t *hash)
{
	const struct rt_lesson *l = rt_lesson(u->rt);
	*id = l->id;
	*hash = l->hash;
}

int ui_resume_record(struct ui *u, struct progress_resume *r)
{
	struct dt_session *s = rt_session(u->rt);
	memset(r, 0, sizeof(*r));
	r->valid = 1;
	r->following = u->story_mode;
	r->ticks = u->story_ticks;
	r->cursor = dt_session_cursor(s);
	r->score = u->score;
	r->asked = u->asked;
	if (u->answers_lost) {
		/* Too many answers to replay the story: keep the steps only. */
		r->following = 0;
		r->ticks = 0;
	} else {
		snprintf(r->answers, sizeof(r->answers), "%s", u->answers);
	}
	r->schedule = replay_schedule_text(u->rt);
	return r->schedule ? 0 : -1;
}

void ui_resume_save(struct ui *u)
{
	if (!u->rt || !u->progress)
		return;
	const char *id;
	uint32_t hash;
	lesson_key(u, &id, &hash);
	struct dt_session *s = rt_session(u->rt);
	if (!u->story_ticks && !dt_session_head(s)) {
		/* Nothing done since the (re)start: nothing to come back to. */
		progress_set_resume(u->progress, id, hash, NULL);
		progress_save(u->progress);
		return;
	}
	struct progress_resume r;
	if (ui_resume_record(u, &r))
		return;
	progress_set_resume(u->progress, id, hash, &r);
	free(r.schedule);
	progress_save(u->progress);
}

void ui_lesson_finished(struct ui *u)
{
	if (!u->progress || !u->rt)
		return;
	const char *id;
	uint32_t hash;
	lesson_key(u, &id, &hash);
	progress_complete(u->progress, id, hash, u->score, u->asked);
	if (progress_save(u->progress) && progress_notice(u->progress)[0])
		snprintf(u->status, sizeof(u->status), "%.199s", progress_notice(u->progress));
}

/* Replay the story's first r->ticks pieces with the recorded answers. */
static int replay_story(struct ui *u, const struct progress_resume *r, char *why,
			size_t size)
{
	unsigned answered = 0;
	int waiting = 0; /* the last piece asked a question not yet answered */
	for (unsigned i = 0; i < r->ticks; i++) {
		if (!u->story || u->story_done) {
			snprintf(why, size, "the story ended sooner than recorded");
			return -1;
		}
		enum story_tick t = story_advance(u->story);
		u->story_ticks++;
		waiting = 0;
		if (t == STORY_TICK_ASK) {
			char a = r->answers[answered];
			const struct story_question *q = story_question(u->story);
			if (!a) {
				waiting = 1;
				continue;
			}
			if ((unsigned)(a - '1') >= q->nchoices) {
				snprintf(why, size, "a recorded answer is not a choice");
				return -1;
			}
			char line[200];
			story_answer(u->story, a - '1');
			snprintf(line, sizeof(line), "you: %s", q->choices[a - '1']);
			ui_story_line(u, line);
			u->answers[answered++] = a;
			u->answers[answered] = '\0';
		} else if (t == STORY_TICK_DONE || t == STORY_TICK_FAILED) {
			u->story_done = 1;
			u->story_mode = 0;
		}
	}
	if (r->answers[answered]) {
		snprintf(why, size, "more answers were recorded than questions came");
		return -1;
	}
	u->asking = waiting && r->following;
	return 0;
}

/* The recorded choices, bound to this machine, into a malloc'd array. */
static struct dt_choice *recorded_choices(struct ui *u, const char *text, size_t *count,
					  char *why, size_t size)
{
	struct dt_schedule sch;
	struct dt_schedule_error err;
	struct dt_choice *c = NULL;
	if (dt_schedule_parse(text, &sch, &err)) {
		snprintf(why, size, "the saved schedule does not parse: %s", err.reason);
		return NULL;
	}
	size_t n = dt_schedule_length(&sch), at = 0;
	c = malloc((n ? n : 1) * sizeof(*c));
	for (size_t i = 0; c && i < sch.nitems; i++) {
		struct dt_choice one;
		if (dt_schedule_item_choice(rt_machine(u->rt), &sch.items[i], &one, &err)) {
			snprintf(why, size, "the saved schedule does not fit: %s", err.reason);
			free(c);
			c = NULL;
			break;
		}
		for (uint32_t k = 0; k < sch.items[i].repeat; k++)
			c[at++] = one;
	}
	dt_schedule_free(&sch);
	*count = at;
	return c;
}

static int same_choice(const struct dt_choice *a, const struct dt_choice *b)
{
	return a->kind == b->kind && a->cpu == b->cpu && a->object == b->object;
}

int ui_resume_restore(struct ui *u, const struct progress_resume *r, char *why, size_t size)
{
	struct dt_session *s = rt_session(u->rt);
	if (replay_story(u, r, why, size))
		return -1;
	if (!r->following && !u->story_done) {
		u->story_mode = 0; /* the student had left the story for free play */
		u->story_done = 1;
	}
	size_t n;
	struct dt_choice *c = recorded_choices(u, r->schedule, &n, why, size);
	if (!c)
		return -1;
	/* Free play beyond the story: keep the common past, branch from there. */
	size_t same = 0, head = dt_session_head(s);
	while (same < n && same < head && same_choice(dt_session_choice(s, same), &c[same]))
		same++;
	int rc = 0;
	if (same < head && same < n)
		dt_session_goto(s, same);
	for (size_t i = same; i < n && rc == 0; i++)
		if (rt_step(u->rt, &c[i])) {
			snprintf(why, size, "recorded step %zu cannot be taken", i + 1);
			rc = -1;
		}
	free(c);
	if (rc)
		return -1;
	char *now = replay_schedule_text(u->rt);
	if (!now || strcmp(now, r->schedule) != 0 || r->cursor > dt_session_head(s)) {
		snprintf(why, size, "the replay took other steps than recorded");
		free(now);
		return -1;
	}
	free(now);
	dt_session_goto(s, r->cursor);
	u->score = r->score;
	u->asked = r->asked;
	/* Left on the blue screen: back on it (as after_step would put it). */
	if (r->cursor == dt_session_head(s) && dt_session_view(s)->outcome.kind == DT_BUGCHECK)
		u->screen = UI_BUGCHECK;
	return 0;
}
