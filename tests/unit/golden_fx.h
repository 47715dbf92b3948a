/*
 * golden_fx.h - golden screen files for the UI tests.
 *
 * A golden is tests/golden/ui/NAME.txt: every row of a W x H grid with its
 * trailing blanks trimmed, each followed by '\n' (ui_grid_text), so
 * exactly H lines of at most W columns.  golden_match compares a drawn
 * screen with its file byte for byte, or writes the file instead when
 * DT_UPDATE_GOLDENS=1 (then read the diff before committing: a golden
 * must show what the screen should show).  Paths are relative to the
 * repository root, where make check-unit runs.
 */
#ifndef DT_GOLDEN_FX_H
#define DT_GOLDEN_FX_H

#include <check.h>
#include <stdio.h>

#define GOLDEN_DIR "tests/golden/ui"

/*
 * ck_assert_msg that first prints the screen to stderr when cond fails:
 * Check's messages are too short to carry a 160x48 screen.
 */
#define ck_screen_msg(cond, screen, ...)                                  \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s", (screen));                   \
			ck_abort_msg(__VA_ARGS__);                         \
		}                                                          \
	} while (0)

/* Exactly h lines, each ending in '\n' and at most w columns (code
 * points) wide; `what` names the text in the messages. */
void golden_check_shape(const char *what, const char *text, int w, int h);
/* A whole file, NUL-terminated and malloc'd; NULL when it cannot be read. */
char *golden_read_file(const char *path);
/* DT_UPDATE_GOLDENS=1: write goldens instead of comparing. */
int golden_updating(void);
/* text (a w x h screen) against GOLDEN_DIR/NAME.txt, or written there;
 * suite names the suite in the "regenerate with" hint. */
void golden_match(const char *name, const char *text, int w, int h, const char *suite);

#endif
