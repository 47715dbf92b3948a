/*
 * ui_demo.c - the classroom demo (ui_demo.h): its acts, its auto-play
 * tick, the marks it pauses at and the keys that move between them.
 *
 * The demo drives the lesson screen's own actions (ui_story_next, the
 * lesson keys) and watches what they did through u->last_tick, so the
 * story plays exactly as a student would see it; it only adds when to
 * pause.  "Previous mark" restarts the lesson and replays it to the
 * place recorded when that mark was reached (ui_resume.c's record and
 * replay, the same as coming back to a lesson).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "explorer.h"
#include "ui_demo.h"
#include "ui_int.h"
#include "ui_term.h"

void ui_demo_speed_text(double speed, char *buf, size_t size)
{
	if (speed == DEMO_SPEED_MAX)
		snprintf(buf, size, "max");
	else
		snprintf(buf, size, "%g/s", speed);
}

int ui_demo_parse_speed(const char *s, double *out)
{
	char *end;
	if (!s || !*s)
		return -1;
	if (strcmp(s, "max") == 0) {
		*out = DEMO_SPEED_MAX;
		return 0;
	}
	double v = strtod(s, &end);
	if (*end || !(v >= DEMO_SPEED_LOW && v <= DEMO_SPEED_TOP))
		return -1;
	*out = v;
	return 0;
}

/* The demo's line under the panes; it replaces the lesson's status line
 * (what a key just did), which would otherwise hide it. */
static void demo_say(struct ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void demo_say(struct ui *u, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(u->demo->say, sizeof(u->demo->say), fmt, ap);
	va_end(ap);
	u->status[0] = '\0';
}

/* u->opt.variant for an act: the story's variant, or the broken one. */
static void use_variant(struct ui *u, const char *name)
{
	u->opt.variant = name && name[0] ? name : NULL;
}

static void forget_marks(struct ui_demo *d, unsigned from)
{
	for (unsigned i = from; i < d->marks_seen && i < DEMO_MAX_MARKS; i++) {
		free(d->at_mark[i].schedule);
		d->at_mark[i].schedule = NULL;
	}
	if (d->marks_seen > from)
		d->marks_seen = from;
}

int ui_demo_start(struct ui *u, double speed, char *err, size_t err_size)
{
	struct ui_demo *d = calloc(1, sizeof(*d));
	struct rt_options opt;
	if (!d) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	rt_options_default(&opt);
	opt.trace = 0;
	opt.seed = u->opt.seed;
	opt.has_seed = u->opt.has_seed;
	opt.cpus = u->opt.cpus;
	opt.variant = u->opt.variant;
	if (demo_sheet_read(u->lesson_path, &opt, &d->sheet, err, err_size)) {
		free(d);
		return -1;
	}
	snprintf(d->story_variant, sizeof(d->story_variant), "%s",
		 u->opt.variant ? u->opt.variant : "");
	use_variant(u, d->story_variant);
	d->story_cpus = u->opt.cpus;
	d->story_seed = u->opt.seed;
	d->story_has_seed = u->opt.has_seed;
	d->speed = speed;
	d->playing = 1;
	d->zoom = 1;
	d->show_notes = d->sheet.notes[0] != '\0';
	u->demo = d;
	demo_say(u, "playing the story");
	return 0;
}

void ui_demo_stop(struct ui *u)
{
	if (!u->demo)
		return;
	forget_marks(u->demo, 0);
	free(u->demo->cx_schedule);
	free(u->demo);
	u->demo = NULL;
}

int ui_demo_timeout(const struct ui *u)
{
	const struct ui_demo *d = u->demo;
	if (!d || !d->playing || u->screen != UI_LESSON || u->prompt || u->asking ||
	    u->grid.w < 80 || u->grid.h < 24) /* the "enlarge" screen: nothing to watch */
		return -1;
	if (d->speed == DEMO_SPEED_MAX)
		return 0;
	int ms = (int)(1000.0 / d->speed);
	return ms > 0 ? ms : 1;
}

static const char *play_hint(void)
{
	return "Space goes on, PgDn/PgUp marks";
}

/* The lesson's own answer to the question on screen (0-based), or 0. */
static int lesson_answer(struct ui *u)
{
	const struct story_question *q = story_question(u->story);
	for (unsigned i = 0; i < q->nchoices; i++)
		if (strcmp(q->choices[i], q->answer) == 0)
			return (int)i;
	return 0;
}

/*
 * After the lesson screen acted (a tick, an answer, any key): pause at a
 * mark reached or a question asked, and pass to the break when the story
 * ended.  Returns 1 when it paused.
 */
static int observe_story(struct ui *u)
{
	struct ui_demo *d = u->demo;
	if (d->act != DEMO_STORY)
		return 0;
	if (u->last_tick == STORY_TICK_MARK) {
		u->last_tick = 0;
		unsigned k = d->marks_seen;
		if (k < DEMO_MAX_MARKS && ui_resume_record(u, &d->at_mark[k]) == 0)
			d->marks_seen++;
		d->playing = 0;
		demo_say(u, "mark %u/%u: %.150s  (%s)", d->marks_seen,
			 d->sheet.nmarks, k < d->sheet.nmarks ? d->sheet.marks[k] : "", play_hint());
		return 1;
	}
	if (u->asking) {
		d->playing = 0;
		demo_say(u, "question %u: ask the room, then 1-9 for its answer (Space: the "
			 "lesson's)", u->asked + 1);
		return 1;
	}
	if (u->story_done || !u->story_mode) {
		d->playing = 0;
		if (d->sheet.forall && d->sheet.broken[0]) {
			d->act = DEMO_BREAK;
			demo_say(u,
				 "the story is over. Show me how it breaks: Space (variant '%s')",
				 d->sheet.broken);
		} else {
			d->act = DEMO_END;
			demo_say(u,
				 "the demo is over (this lesson has no broken variant to show)");
		}
		return 1;
	}
	return 0;
}

static int at_head(struct ui *u)
{
	struct dt_session *s = rt_session(u->rt);
	return dt_session_cursor(s) == dt_session_head(s);
}

/* The counterexample played to its last step: the violation. */
static void observe_counter(struct ui *u)
{
	struct ui_demo *d = u->demo;
	if (d->act != DEMO_COUNTER || !at_head(u))
		return;
	d->act = DEMO_END;
	d->playing = 0;
	demo_say(u, "step %zu: the invariant fails here (on screen %.0f ms after the key; "
		 "b steps back, PgUp replays)", dt_session_head(rt_session(u->rt)), d->latency_ms);
}

void ui_demo_tick(struct ui *u)
{
	struct ui_demo *d = u->demo;
	if (!d || !u->rt || u->screen != UI_LESSON)
		return;
	switch (d->act) {
	case DEMO_STORY:
		if (observe_story(u))
			return;
		u->last_tick = 0;
		ui_story_next(u, 0);
		observe_story(u);
		break;
	case DEMO_COUNTER:
		ui_lesson_key(u, 'f'); /* the recorded counterexample, one step */
		observe_counter(u);
		break;
	default:
		d->playing = 0;
		return;
	}
	if (u->screen != UI_LESSON) /* a blue screen: it stays until a key */
		d->playing = 0;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

/* Run the explorer on the broken variant once; its answer is kept for
 * the rest of the demo (the lesson and the variant do not change). */
static void explore_broken(struct ui *u)
{
	struct ui_demo *d = u->demo;
	if (d->cx_done)
		return;
	double t0 = now_ms();
	struct explore_options eo;
	memset(&eo, 0, sizeof(eo));
	eo.reduce = 1;
	eo.variant = d->sheet.broken;
	eo.challenge = d->sheet.forall;
	eo.seed = u->opt.seed;
	eo.has_seed = u->opt.has_seed;
	d->cx_found = explore_counterexample(u->lesson_path, &eo, &d->cx_schedule, d->cx_why,
					     sizeof(d->cx_why)) == 1;
	d->explore_ms = now_ms() - t0;
	d->cx_done = 1;
}

int ui_demo_idle(struct ui *u)
{
	struct ui_demo *d = u->demo;
	if (!d || d->cx_done || d->playing || d->act > DEMO_BREAK || !d->sheet.forall ||
	    !d->sheet.broken[0])
		return 0;
	explore_broken(u);
	return 1;
}

int ui_demo_break(struct ui *u)
{
	struct ui_demo *d = u->demo;
	char err[300];
	double t0 = now_ms();
	int ahead = d->cx_done; /* explored already, while the demo waited */
	explore_broken(u);
	if (!d->cx_found) {
		d->act = DEMO_END;
		demo_say(u, "no counterexample to show: %.200s", d->cx_why);
		return -1;
	}
	int rc;
	use_variant(u, d->sheet.broken);
	rc = ui_load_schedule(u, d->cx_schedule, err, sizeof(err));
	if (rc) {
		use_variant(u, d->story_variant);
		d->act = DEMO_END;
		demo_say(u, "the counterexample does not load: %.200s", err);
		return -1;
	}
	d->latency_ms = now_ms() - t0;
	d->counter_steps = dt_session_head(rt_session(u->rt));
	d->act = DEMO_COUNTER;
	d->playing = 1;
	char line[400];
	snprintf(line, sizeof(line), "How it breaks: variant '%s' (the fix: '%s').",
		 d->sheet.broken, d->sheet.correct);
	ui_story_line(u, line);
	snprintf(line, sizeof(line), "%s.", d->cx_why); /* "N of M runs break the invariant; ..." */
	ui_story_line(u, line);
	if (ahead)
		demo_say(u, "counterexample: %zu steps, on screen in %.0f ms (explored in %.0f ms "
			 "while the demo waited)", d->counter_steps, d->latency_ms, d->explore_ms);
	else
		demo_say(u, "counterexample: %zu steps, explored and loaded in %.0f ms",
			 d->counter_steps, d->latency_ms);
	return 0;
}

/* The story from its start, or from mark k (1-based) reached before. */
static void story_from_mark(struct ui *u, unsigned k)
{
	struct ui_demo *d = u->demo;
	char why[200];
	use_variant(u, d->story_variant);
	u->opt.cpus = d->story_cpus;
	u->opt.seed = d->story_seed;
	u->opt.has_seed = d->story_has_seed;
	d->act = DEMO_STORY;
	if (ui_restart(u))
		return;
	u->status[0] = '\0';
	struct progress_resume r;
	memset(&r, 0, sizeof(r));
	if (k && k <= d->marks_seen) {
		r = d->at_mark[k - 1];
		r.schedule = strdup(r.schedule);
	}
	forget_marks(d, k);
	d->playing = 0;
	if (!k) {
		demo_say(u, "the start of the story (Space plays)");
		return;
	}
	/* The place recorded at mark k (kept: it is the same place again). */
	int rc = r.schedule ? ui_resume_restore(u, &r, why, sizeof(why)) : -1;
	free(r.schedule);
	if (rc) {
		forget_marks(d, 0);
		demo_say(u, "cannot go back to mark %u: %.150s", k, why);
		return;
	}
	d->marks_seen = k;
	demo_say(u, "mark %u/%u: %.150s  (%s)", k, d->sheet.nmarks,
		 d->sheet.marks[k - 1], play_hint());
}

/* PgDn: on to the next mark, at once (questions get the lesson's answer). */
static void next_mark(struct ui *u)
{
	struct ui_demo *d = u->demo;
	if (d->act == DEMO_BREAK) {
		ui_demo_break(u);
		return;
	}
	if (d->act != DEMO_STORY) { /* the counterexample: to its end */
		dt_session_goto(rt_session(u->rt), dt_session_head(rt_session(u->rt)));
		observe_counter(u);
		return;
	}
	unsigned seen = d->marks_seen;
	for (int guard = 0; guard < 100000 && d->act == DEMO_STORY; guard++) {
		if (u->asking) {
			u->last_tick = 0;
			ui_lesson_key(u, '1' + lesson_answer(u));
		} else {
			u->last_tick = 0;
			ui_story_next(u, 0);
		}
		if (u->screen != UI_LESSON)
			return; /* a blue screen: it shows first */
		if (observe_story(u) && (d->marks_seen > seen || d->act != DEMO_STORY))
			return;
	}
}

/* PgUp: back to the mark before the one last reached. */
static void previous_mark(struct ui *u)
{
	struct ui_demo *d = u->demo;
	if (d->act != DEMO_STORY) { /* from the break or the counterexample: the last mark */
		story_from_mark(u, d->marks_seen);
		return;
	}
	story_from_mark(u, d->marks_seen ? d->marks_seen - 1 : 0);
}

static void change_speed(struct ui *u, int faster)
{
	struct ui_demo *d = u->demo;
	char s[16];
	if (faster)
		d->speed = d->speed == DEMO_SPEED_MAX ? DEMO_SPEED_MAX :
			   d->speed >= DEMO_SPEED_TOP ? DEMO_SPEED_MAX : d->speed * 2;
	else
		d->speed = d->speed == DEMO_SPEED_MAX ? DEMO_SPEED_TOP :
			   d->speed / 2 < DEMO_SPEED_LOW ? DEMO_SPEED_LOW : d->speed / 2;
	ui_demo_speed_text(d->speed, s, sizeof(s));
	demo_say(u, "speed %s", s);
}

/* Space: go on from a pause, or pause. */
static void play_pause(struct ui *u)
{
	struct ui_demo *d = u->demo;
	if (d->act == DEMO_STORY && u->asking) {
		u->last_tick = 0;
		ui_lesson_key(u, '1' + lesson_answer(u));
		d->playing = !observe_story(u);
		return;
	}
	if (d->act == DEMO_BREAK) {
		ui_demo_break(u);
		return;
	}
	if (d->act == DEMO_END) {
		demo_say(u, "the demo is over: PgUp goes back, q quits");
		return;
	}
	d->playing = !d->playing;
	if (!d->playing)
		demo_say(u, "paused (Space plays)");
	else
		demo_say(u, d->act == DEMO_STORY ? "playing the story" :
			 "playing the counterexample");
}

int ui_demo_key(struct ui *u, int k)
{
	struct ui_demo *d = u->demo;
	if (!d || u->prompt)
		return 0;
	switch (k) {
	case ' ':
		play_pause(u);
		return 1;
	case 'x':
		if (d->act == DEMO_BREAK)
			ui_demo_break(u);
		return 1;
	case UI_KEY_NPAGE:
	case ']':
		next_mark(u);
		return 1;
	case UI_KEY_PPAGE:
	case '[':
		previous_mark(u);
		return 1;
	case '+':
	case '=':
		change_speed(u, 1);
		return 1;
	case '-':
		change_speed(u, 0);
		return 1;
	case 'z':
		d->zoom = !d->zoom;
		return 1;
	case 'N':
		d->show_notes = !d->show_notes;
		return 1;
	case 'R':
		story_from_mark(u, 0);
		return 1;
	case 'm':
		demo_say(u, "the lesson menu is off in demo mode");
		return 1;
	default:
		break;
	}
	/* Any other key is the lesson screen's: the play pauses for it. */
	d->playing = 0;
	u->last_tick = 0;
	ui_lesson_key(u, k);
	if (u->rt) {
		observe_story(u);
		observe_counter(u);
	}
	return 1;
}
