/*
 * demo_sheet.h - what the classroom demo needs to know about a lesson
 * before it plays it: the presenter's notes, the story's marks in order,
 * and which challenge variant is broken (its counterexample is the
 * demo's last act).  No curses: `dpctutor --notes` prints the same sheet
 * for a second terminal, and the demo (ui_demo.c) reads it at start.
 */
#ifndef DT_DEMO_SHEET_H
#define DT_DEMO_SHEET_H

#include <stddef.h>
#include <stdio.h>

#include "script.h"

#define DEMO_MAX_MARKS 32

struct demo_sheet {
	char title[120];
	char notes[1024];          /* lesson{ notes = ... }, "" when none */
	unsigned nmarks;           /* the story's mark("...") items, in story order */
	char marks[DEMO_MAX_MARKS][120];
	int forall;                /* the first for-all challenge (1-based), 0 none */
	char goal[512];            /* its goal */
	char broken[DT_NAME_MAX];  /* the first variant that is not its `correct` one */
	char correct[DT_NAME_MAX];
};

/*
 * Load the lesson at path with opt, play its story headless to count its
 * marks, and find the for-all challenge's broken variant.  0, or -1 with
 * the reason in err.
 */
int demo_sheet_read(const char *path, const struct rt_options *opt, struct demo_sheet *out,
		    char *err, size_t err_size);

/* The presenter's sheet as plain lines (dpctutor --notes). */
void demo_sheet_print(const struct demo_sheet *s, FILE *f);

#endif /* DT_DEMO_SHEET_H */
