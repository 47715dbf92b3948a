/*
 * fuzz_ui.c - libFuzzer target: a student at the keyboard.  The bytes
 * pick a real lesson, a CPU count, a terminal size and the keys pressed;
 * every screen is drawn into the character grid after every key, as
 * ui_app.c's loop does, without a terminal (no curses is touched).
 *
 * Layout: lesson (byte % 4: lessons 02, 03, 06, tests/lessons/c-view.lua),
 * CPUs (0 = the lesson's, else 1 + byte % 64), width 20 + byte % 200,
 * height 10 + byte % 60, flags (bit 0: ASCII glyphs), then one key per
 * byte: printable ASCII as itself, the bytes below 0x20 and above 0x7e
 * as Enter, Esc, Backspace, the arrows, Page Up/Down, Home, End, Delete,
 * and a resize (the next two bytes are the new size).  The lessons are
 * read from the current directory (make runs the target from the top).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"
#include "ui_int.h"
#include "ui_term.h"

#include "fuzz_util.h"

#define MAX_KEYS 400

static const char *const lessons[] = {
	"lessons/02-first-interrupt.lua",
	"lessons/03-queued-once.lua",
	"lessons/06-two-dpcs.lua",
	"tests/lessons/c-view.lua",
};

/* The keys that are not printable ASCII, and the resize marker. */
#define KEY_RESIZE_HERE (-2)
static const int special[] = {
	'\r', 27, UI_KEY_BACKSPACE, UI_KEY_UP, UI_KEY_DOWN, UI_KEY_LEFT, UI_KEY_RIGHT,
	UI_KEY_NPAGE, UI_KEY_PPAGE, UI_KEY_HOME, UI_KEY_END, UI_KEY_DC, UI_KEY_ENTER,
	UI_KEY_BTAB, '\t', 127, KEY_RESIZE_HERE,
};

static int key_of(uint8_t x)
{
	if (x >= 0x20 && x <= 0x7e)
		return x;
	return special[x % (sizeof(special) / sizeof(special[0]))];
}

/* A progress directory of this process, emptied before every input so
 * that no input sees what an earlier one saved. */
static char state_dir[64];

static void remove_state(void)
{
	DIR *d = opendir(state_dir);
	struct dirent *e;
	char path[400];
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, "..") != 0)) {
			snprintf(path, sizeof(path), "%s/%s", state_dir, e->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
}

static void remove_state_dir(void)
{
	remove_state();
	rmdir(state_dir);
}

static const char *fresh_state(void)
{
	if (!state_dir[0]) {
		snprintf(state_dir, sizeof(state_dir), "/tmp/dpctutor-fuzz-ui-XXXXXX");
		if (!mkdtemp(state_dir))
			FUZZ_FAIL("fuzz_ui", "cannot make a progress directory");
		atexit(remove_state_dir);
	}
	remove_state();
	return state_dir;
}

/* What ui_app.c's key() does before the screen sees a key. */
static void press(struct ui *u, int k)
{
	if (u->grid.w < 80 || u->grid.h < 24) {
		if (k == 'q')
			u->quit = 1;
		return;
	}
	if (k == 'q' && u->screen >= UI_TIMELINE && u->screen <= UI_RULES) {
		u->quit = 1;
		return;
	}
	ui_screen_keypress(u, k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_bytes b = { data, size, 0 };
	struct ui u;
	struct progress progress;
	char err[512];
	memset(&u, 0, sizeof(u));
	progress_open(&progress, fresh_state());
	u.progress = &progress;
	u.rr_last = -1;
	u.log_sel = -1;
	const char *path = lessons[fuzz_u8(&b) % 4];
	uint8_t cpus = fuzz_u8(&b);
	u.opt.cpus = cpus ? 1u + cpus % DT_MAX_CPUS : 0;
	u.opt.lessons_dir = "lessons";
	int w = 20 + fuzz_u8(&b) % 200, h = 10 + fuzz_u8(&b) % 60;
	uint8_t flags = fuzz_u8(&b);
	if (ui_open_lesson(&u, path, 0, err, sizeof(err))) {
		/* Too few CPUs for the lesson's affinity sets is a clean refusal;
		 * a missing lesson means the target runs in the wrong place. */
		if (strstr(err, "cannot open"))
			FUZZ_FAIL("fuzz_ui", "%s: %s (run from the top directory)", path, err);
		goto out;
	}
	if (ui_grid_init(&u.grid, w, h))
		goto out;
	u.grid.ascii = flags & 1;
	for (unsigned n = 0; n < MAX_KEYS && b.i < b.n && !u.quit; n++) {
		ui_screen_draw(&u);
		int k = key_of(fuzz_u8(&b));
		if (k == KEY_RESIZE_HERE) {
			w = 20 + fuzz_u8(&b) % 200;
			h = 10 + fuzz_u8(&b) % 60;
			ui_grid_resize(&u.grid, w, h);
			continue;
		}
		press(&u, k);
	}
	ui_screen_draw(&u);
out:
	ui_grid_free(&u.grid);
	ui_resume_save(&u); /* as quitting does */
	ui_close_lesson(&u);
	ui_menu_free(&u);
	progress_close(&progress);
	return 0;
}
