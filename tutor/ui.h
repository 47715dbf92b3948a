/*
 * ui.h - the terminal UI: a lesson on screen, stepped by the student.
 *
 * The UI never draws from anything but an engine snapshot (the session's
 * view of the chosen step) and the trace up to it, so stepping back is
 * only a change of the viewed step.  Every screen is a draw/key pair
 * (ncdu's model), drawn into an in-memory grid (ui_grid.h) that the
 * terminal module blits; KEY_RESIZE is handled in one place.
 */
#ifndef DT_UI_H
#define DT_UI_H

#include <stdint.h>

struct ui_options {
	const char *lesson;         /* path of the lesson to open, NULL: the lesson menu */
	const char *lessons_dir;    /* --lessons DIR, for the menu's list (or NULL) */
	int no_color;
	int ascii;
	int exit_after_first_frame; /* draw once and quit (start-up benchmark) */
	uint64_t seed;
	int has_seed;
	unsigned cpus;
	const char *variant;
	int demo;                   /* --demo: the classroom demo (ui_demo.h) */
	double speed;               /* --speed: pieces per second, 0 for "max" */
	const char *replay;         /* --replay SCHEDULE: loaded once the lesson opens */
	int verbose;                /* -v: print the run's seed and schedule on exit */
};

/* Run the UI; returns the process exit status. */
int ui_run(const struct ui_options *o);

#endif
