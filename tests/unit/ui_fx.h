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

#include "golden_fx.h"
#include "testutil.h"
#include "ui_int.h"

/* The UI tests run on frozen copies of lessons 02, 03 and 06 (see
 * tests/lessons/frozen/README.md): the curriculum may change under them. */
#define L02 "tests/lessons/frozen/02-first-interrupt.lua"
#define L03 "tests/lessons/frozen/03-queued-once.lua"
#define L06 "tests/lessons/frozen/06-two-dpcs.lua"

/* A struct ui set up as ui_app.c does, plus the story io it points to. */
struct scr {
	struct ui u;
	struct story_io io;
	char unreadable[2048]; /* what readable() found cut, "" for nothing */
};


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
void golden(struct scr *s, const char *name);
void has(struct scr *s, const char *needle);
char *screen_words(struct scr *s);
void readable(struct scr *s, const char *what, const char *sentence);
void all_readable(struct scr *s, const char *screen);
void until_asking(struct scr *s, int max);

#endif
