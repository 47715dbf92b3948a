/*
 * story.h - running a lesson's story along its one path, headless.
 *
 * The runner interprets story{} item by item: narration, device events,
 * fixed choices, runs until a predicate holds, predictions, expectations
 * and marks.  Whatever it does goes through the session (so the UI can
 * step back over it later) and is reported line by line to `io`.  Between
 * explicit choices it schedules round-robin, the same way every time.
 *
 * --check and --plain use it; the terminal UI drives the same actions one
 * key at a time.
 */
#ifndef DT_STORY_H
#define DT_STORY_H

#include "script.h"

enum story_line_kind {
	STORY_SAY = 1,     /* the lesson's narration */
	STORY_EVENT,       /* a narrated trace event */
	STORY_ASK,         /* a prediction's question and choices */
	STORY_ANSWER,      /* what the engine did, and whether the answer matched */
	STORY_EXPECT,      /* an expectation and whether it held */
	STORY_MARK,        /* a pause mark */
	STORY_FAIL,        /* why the story could not go on */
};

struct story_io {
	void *ctx;
	void (*line)(void *ctx, enum story_line_kind kind, const char *text);
	int narrate_events; /* report every trace event as a sentence */
	void (*stepped)(void *ctx); /* called after every step the story takes, or NULL */
};

struct story_result {
	unsigned asks, asks_ok;
	unsigned expects, expects_ok;
	unsigned steps;
	int finished;          /* every item ran */
	char failure[512];     /* the first problem, "" if none */
};

#define STORY_MAX_CHOICES 8
#define STORY_MAX_HINTS 4

/* A prediction waiting for the student's answer. */
struct story_question {
	char text[512];
	char choices[STORY_MAX_CHOICES][96];
	unsigned nchoices;
	char answer[96];   /* the lesson's answer, "" when it gives none */
	char hint[256];    /* the first hint tier, "" when the ask gives none */
	/* ask{ hint = "..." } is one tier, hint = { "...", "..." } several */
	char hints[STORY_MAX_HINTS][256];
	unsigned nhints;
};

/* What the engine did, once a prediction is resolved. */
struct story_reveal {
	int valid;
	char actual[128];  /* the engine's answer ("FALSE", "CPU 1", "2", ...) */
	char why[512];
	int lesson_ok;     /* the lesson's own answer matched */
	int student;       /* the student's choice (0-based), -1 none */
	int student_ok;    /* the student's choice was what the engine did */
	/* Predictions the student answered that this story_advance judged,
	 * and how many of them were right (a stop can judge several value()
	 * predictions at once; student and student_ok are the last one's). */
	unsigned judged, judged_ok;
};

/* What one story_advance() did. */
enum story_tick {
	STORY_TICK_LINE = 1, /* a line of narration or an expectation, no step */
	STORY_TICK_STEP,     /* one engine step (a run in progress) */
	STORY_TICK_ASK,      /* a question waits: story_question(); answer, then advance */
	STORY_TICK_REVEAL,   /* a prediction resolved (story_reveal()) or a run ended */
	STORY_TICK_MARK,     /* a pause mark */
	STORY_TICK_DONE,
	STORY_TICK_FAILED,   /* story_result()->failure says why */
};

struct story_run;

/* The story one piece at a time: each advance takes at most one engine
 * step or one story item, so a student can follow it key by key. */
struct story_run *story_begin(struct rt *rt, const struct story_io *io);
enum story_tick story_advance(struct story_run *sr);
const struct story_question *story_question(const struct story_run *sr);
void story_answer(struct story_run *sr, int choice);
const struct story_reveal *story_reveal(const struct story_run *sr);
const struct story_result *story_result(const struct story_run *sr);
int story_is_running(const struct story_run *sr); /* inside a run_until/ask/steps */
void story_finish(struct story_run *sr);

/* Run the story from the machine's current state to its end. */
int story_run(struct rt *rt, const struct story_io *io, struct story_result *res);

/* The text of a value as predictions compare it ("TRUE", "3", "idle"). */
void story_value_text(struct rt *rt, const struct dt_value *v, char *buf, size_t size);
/* The outcome of the run as predictions name it ("quiescent", "bugcheck 0x133"). */
void story_outcome_text(const struct dt_state *st, char *buf, size_t size);

/* Run round-robin until nothing can step (quiescent or an outcome);
 * returns the steps taken.  Reports events to io when given. */
unsigned story_run_to_end(struct rt *rt, const struct story_io *io);

#endif /* DT_STORY_H */
