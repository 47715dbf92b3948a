/*
 * ui_fx.h - the screen-test harness of test_ui_screens.c,
 * test_ui_scale.c and test_ui_panes.c: a struct ui set up as ui_app.c sets it up, keys handed
 * to the screen on show, the drawn grid as text, golden files (see the top
 * of test_ui_screens.c for how they are named, checked and regenerated)
 * and "readable whole" checks.
 */
#ifndef DT_UI_FX_H
#define DT_UI_FX_H

#include <stdint.h>
#include <stdio.h>

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

void scr_open(struct scr *s, const char *path, unsigned cpus, int w, int h);
void scr_open_src(struct scr *s, const char *src, int w, int h);
void scr_close(struct scr *s);
void scr_key(struct scr *s, int k);
void scr_keys(struct scr *s, const char *keys);
void scr_draw(struct scr *s);
char *grid_text(const struct ui_grid *g);
char *scr_text(struct scr *s);
const char *row(struct scr *s, int y);
uint32_t cell(struct scr *s, int x, int y);
void check_shape(const char *what, const char *text, int w, int h);
char *read_file_all(const char *path);
int updating(void);
int first_diff(const char *a, const char *b, char *exp, char *act, size_t size);
void golden(struct scr *s, const char *name);
void has(struct scr *s, const char *needle);
char *screen_words(struct scr *s);
void readable(struct scr *s, const char *what, const char *sentence);
void all_readable(struct scr *s, const char *screen);
void until_asking(struct scr *s, int max);

#endif
