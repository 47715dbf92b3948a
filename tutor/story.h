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
