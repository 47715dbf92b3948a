/*
 * ui_demo.h - the classroom demo: `dpctutor --demo LESSON [--speed X]`.
 *
 * The demo plays a lesson to a room in three acts:
 *
 *   the story     auto-played one piece per tick, pausing at every
 *                 mark("...") and at every question (the presenter asks
 *                 the room, then presses 1-9 for its answer, or Space for
 *                 the lesson's own);
 *   the break     when the story ends it waits at "show me how it
 *                 breaks": one key loads the shortest failing
 *                 interleaving of the lesson's broken variant
 *                 (demo_sheet.h) at step 0; the explorer found it
 *                 while the demo first waited at a pause (or now);
 *   the counterexample, auto-played step by step to the violation.
 *
 * A tick is driven by the key loop's timeout (ui_demo_timeout), never by
 * a clock the demo reads itself, so a test drives it by calling
 * ui_demo_tick and waits for text, never for time.  The speed is in
 * pieces per second; "max" is a timeout of 0 (a tick whenever no key is
 * waiting).  Keys: Space plays/pauses (and goes on from a pause), PgDn or
 * ] the next mark, PgUp or [ the previous one, + and - the speed, z the
 * zoom layout (fewer, larger panes) or the full one, N the notes pane;
 * every other key is the lesson screen's and pauses the play first.
 */
#ifndef DT_UI_DEMO_H
#define DT_UI_DEMO_H

#include <stdint.h>

#include "demo_sheet.h"
#include "progress.h"

struct ui;

#define DEMO_SPEED_MAX 0.0   /* the speed "max": a tick whenever no key waits */
#define DEMO_SPEED_TOP 64.0  /* the fastest timed speed (pieces per second) */
#define DEMO_SPEED_LOW 0.125

enum demo_act {
	DEMO_STORY = 0,   /* playing the story */
	DEMO_BREAK,       /* the story is over: waiting for "show me how it breaks" */
	DEMO_COUNTER,     /* playing the counterexample */
	DEMO_END,         /* the counterexample reached its violation (or none exists) */
};

struct ui_demo {
	enum demo_act act;
	int playing;               /* auto-play is on (else paused) */
	double speed;              /* pieces per second; DEMO_SPEED_MAX for max */
	int zoom;                  /* the zoom layout (else the full lesson screen) */
	int show_notes;            /* the notes pane in the zoom layout */
	struct demo_sheet sheet;
	unsigned marks_seen;       /* marks reached so far in this play of the story */
	/* where the story was at each mark reached, for "previous mark" */
	struct progress_resume at_mark[DEMO_MAX_MARKS];
	char story_variant[DT_NAME_MAX]; /* the variant the story plays, "" the default */
	unsigned story_cpus;       /* and its --cpus and --seed (a loaded schedule */
	uint64_t story_seed;       /* brings its own) */
	int story_has_seed;
	/* the counterexample: explored once, ahead of time when the demo
	 * waits at a pause (ui_demo_idle), else when the key asks for it */
	int cx_done, cx_found;
	char *cx_schedule;         /* its v1 schedule (malloc'd) */
	char cx_why[300];          /* the explorer's summary, or why there is none */
	double explore_ms;         /* how long the explorer took */
	double latency_ms;         /* from the key to the counterexample loaded */
	size_t counter_steps;
	char say[300];             /* the demo's line under the panes */
};

/* Start the demo on the lesson u has open (speed: pieces per second or
 * DEMO_SPEED_MAX).  0, or -1 with the reason in err. */
int ui_demo_start(struct ui *u, double speed, char *err, size_t err_size);
void ui_demo_stop(struct ui *u);
/* The key loop's timeout in ms: -1 (wait for a key) unless auto-playing. */
int ui_demo_timeout(const struct ui *u);
/* One auto-play tick: a story piece, or a counterexample step. */
void ui_demo_tick(struct ui *u);
/* Called when the key loop is about to wait for a key with the demo
 * paused: explores the broken variant ahead of time (once), so the key
 * at "show me how it breaks" only loads it.  1 when it did. */
int ui_demo_idle(struct ui *u);
/* "show me how it breaks": explore the broken variant, load its
 * counterexample at step 0; 0, or -1 (u->demo->say says why). */
int ui_demo_break(struct ui *u);
/* "2/s", "0.5/s", "max". */
void ui_demo_speed_text(double speed, char *buf, size_t size);
/* Parse --speed: a number of pieces per second or "max"; 0, or -1. */
int ui_demo_parse_speed(const char *s, double *out);

#endif /* DT_UI_DEMO_H */
