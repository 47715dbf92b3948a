/*
 * ui_hints.c - h: hints in tiers.
 *
 * While a question waits, h shows the next tier of its ask{ hint = ... }
 * (a string is one tier, a list several).  Otherwise it shows the next of
 * the lesson's first challenge's hints, with the challenge's goal before
 * the first; one more press after an exists-challenge's last hint replays
 * its reference schedule: the lesson starts over in free play, the schedule's
 * choices are taken (up to the first one the run no longer allows: the
 * checker stops a reference once its goal holds, so a tail may be
 * unused), and the view goes back to step 0, so Space (or f)
 * then plays the solution one step at a time and b steps back.  Hints go
 * to the story pane, where they stay readable.
 */
#include <stdio.h>
#include <string.h>

#include "ui_int.h"

static void question_hint(struct ui *u)
{
	const struct story_question *q = story_question(u->story);
	if (u->hint_ask != u->asked + 1) { /* a new question: its tiers from the first */
		u->hint_ask = u->asked + 1;
		u->hint_tier = 0;
	}
	if (!q->nhints) {
		snprintf(u->status, sizeof(u->status),
			 "this question has no hint: w shows the rule behind the newest log line");
		return;
	}
	if (u->hint_tier >= q->nhints) {
		snprintf(u->status, sizeof(u->status), "no more hints for this question");
		return;
	}
	char line[320];
	snprintf(line, sizeof(line), "hint %u/%u: %s", u->hint_tier + 1, q->nhints,
		 q->hints[u->hint_tier]);
	u->hint_tier++;
	ui_story_line(u, line);
}

/* The challenge's goal and its hint tiers 0..upto, into the story pane. */
static void show_tiers(struct ui *u, const struct rt_challenge *ch, unsigned from, unsigned upto)
{
	char line[700];
	if (from == 0) {
		snprintf(line, sizeof(line), "Challenge%s%s: %s", ch->name[0] ? " " : "", ch->name,
			 ch->goal);
		ui_story_line(u, line);
	}
	for (unsigned k = from; k <= upto && k < ch->nhints; k++) {
		snprintf(line, sizeof(line), "hint %u/%u: %s", k + 1, ch->nhints, ch->hints[k]);
		ui_story_line(u, line);
	}
}

static void challenge_hint(struct ui *u)
{
	struct rt_challenge ch;
	if (rt_challenge_info(u->rt, 0, &ch) || !ch.nhints) {
		snprintf(u->status, sizeof(u->status), "this lesson has no challenge to hint at");
		return;
	}
	int can_replay = ch.exists && ch.reference[0];
	if (u->challenge_tier < ch.nhints) {
		unsigned tier = u->challenge_tier++;
		show_tiers(u, &ch, tier, tier);
		if (u->challenge_tier == ch.nhints && can_replay)
			snprintf(u->status, sizeof(u->status),
				 "h once more replays the challenge's reference schedule");
		return;
	}
	if (u->challenge_tier > ch.nhints || !can_replay) {
		snprintf(u->status, sizeof(u->status), "no more hints; R restarts the lesson");
		return;
	}
	/* The tier after the last hint: the reference, played from step 0. */
	char err[160];
	if (ui_take_schedule(u, ch.reference, 1, err, sizeof(err))) {
		snprintf(u->status, sizeof(u->status), "the reference schedule: %s", err);
		return;
	}
	u->challenge_tier++;
	snprintf(u->status, sizeof(u->status),
		 "the reference schedule is loaded at step 0: Space or f plays it, b steps back");
	show_tiers(u, &ch, 0, ch.nhints - 1); /* the restart cleared the story pane */
	char line[1100];
	snprintf(line, sizeof(line), "The reference: %s", ch.reference);
	ui_story_line(u, line);
}

void ui_hint_next(struct ui *u)
{
	if (u->asking)
		question_hint(u);
	else
		challenge_hint(u);
}
