/*
 * ui_fx.h - the screen fixture of the UI unit tests (test_ui_screens.c,
 * test_ui_scale.c): a struct ui set up the way ui_app.c's open_lesson
 * does, driven by the screens' own key handlers, drawn into a grid the
 * way ui_app.c's draw() picks the screen, and compared as text with the
 * golden files in tests/golden/ui (see test_ui_screens.c's top comment
 * for how they are made and regenerated).  No terminal is involved.
 */
#ifndef DT_UI_FX_H
#define DT_UI_FX_H

#include <stdint.h>

#include "testutil.h"
#include "ui_int.h"

#define GOLDEN_DIR "tests/golden/ui"
#define L02 "lessons/02-first-interrupt.lua"
#define L03 "lessons/03-queued-once.lua"
#define L06 "lessons/06-two-dpcs.lua"

/* A struct ui set up as ui_app.c does, plus the story io it points to. */
struct scr {
	struct ui u;
	struct story_io io;
	char unreadable[2048]; /* what readable() found cut, "" for nothing */
};

/* Open lesson `path` (cpus 0: the lesson's own count) on a w x h grid. */
void scr_open(struct scr *s, const char *path, unsigned cpus, int w, int h);
/* The same with an inline lesson written to a temp file. */
void scr_open_src(struct scr *s, const char *src, int w, int h);
void scr_close(struct scr *s);
/* A key (or each key of a string), handed to the current screen as
 * ui_app.c's key() does. */
void scr_key(struct scr *s, int k);
void scr_keys(struct scr *s, const char *keys);
/* Draw the current screen as the program does; as text (malloc'd). */
void scr_draw(struct scr *s);
char *scr_text(struct scr *s);
char *grid_text(const struct ui_grid *g);
/* Row y of the drawn grid, trailing blanks trimmed (a static buffer). */
const char *row(struct scr *s, int y);
/* The code point at (x, y), which must be inside the grid. */
uint32_t cell(struct scr *s, int x, int y);

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

/* Exactly h lines, each ending in '\n' and at most w columns wide. */
void check_shape(const char *what, const char *text, int w, int h);
/* A whole file (malloc'd), or NULL. */
char *read_file_all(const char *path);
/* Draw the screen and compare it with tests/golden/ui/NAME.txt (or write
 * that file when DT_UPDATE_GOLDENS=1). */
void golden(struct scr *s, const char *name);
/* The screen must contain needle (a plain substring). */
void has(struct scr *s, const char *needle);
/* The sentence must read whole on the screen, wrapped or not; notes go
 * to s->unreadable, and all_readable fails with all of them at once. */
void readable(struct scr *s, const char *what, const char *sentence);
void all_readable(struct scr *s, const char *screen);
/* Space until a question is asked (at most max keys). */
void until_asking(struct scr *s, int max);

#endif /* DT_UI_FX_H */
