/*
 * test_ui_menu.c - the lesson menu (tutor/ui_menu.c) and resuming a
 * lesson (tutor/ui_resume.c), drawn into the cell grid with no terminal.
 *
 * A test builds a struct ui the way ui_app.c's ui_run does, with the
 * progress file in a fresh /tmp directory (never ~/.local/state), lists
 * the frozen lessons in tests/lessons/frozen/ (copies of 02, 03 and 06, so
 * that the curriculum can change without changing these goldens; run
 * from the repository root, as make check-unit does) and drives the menu with its own key handler.
 *
 * Goldens (tests/golden/ui/menu_*_80x24.txt, compared byte for byte by
 * golden_fx.c as test_ui_screens.c does; DT_UPDATE_GOLDENS=1 make
 * check-unit SUITE=ui_menu writes them instead, then read the diff):
 *   menu_marks_80x24        lesson 02 done with its best score, 03 in
 *                           progress at step 4, 06 changed since it was
 *                           left (its record's hash is not the lesson's)
 *   menu_marks_ascii_80x24  the same in ASCII mode (--ascii)
 *   menu_reset_80x24        the y/n question of r
 * In colour the selected row is drawn in UI_S_SELECTED across the screen
 * (checked cell by cell: the text golden cannot show styles).
 *
 * Resume tests open a lesson, take story pieces (and answers, and free
 * play; one is left on the blue screen), save, open the lesson again as
 * the menu would and compare the whole screen with the one before
 * quitting, the status line aside.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "golden_fx.h"
#include "testutil.h"
#include "ui_int.h"
#include "ui_term.h"

#define L02 "tests/lessons/frozen/02-first-interrupt.lua"
#define L03 "tests/lessons/frozen/03-queued-once.lua"
#define L06 "tests/lessons/frozen/06-two-dpcs.lua"

struct menu_fx {
	struct ui u;
	struct progress p;
	char dir[64];
};

static void fx_open(struct menu_fx *f, int w, int h, int ascii)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/dt_menu_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	progress_open(&f->p, f->dir);
	ck_assert_str_eq(progress_notice(&f->p), "");
	f->u.progress = &f->p;
	f->u.opt.lessons_dir = "tests/lessons/frozen";
	f->u.rr_last = -1;
	f->u.log_sel = -1;
	ck_assert_int_eq(ui_grid_init(&f->u.grid, w, h), 0);
	f->u.grid.ascii = ascii;
}

static void remove_dir(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *e;
	while (dp && (e = readdir(dp))) {
		char p[512];
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", d, e->d_name);
		unlink(p);
	}
	if (dp)
		closedir(dp);
	rmdir(d);
}

static void fx_close(struct menu_fx *f)
{
	ui_close_lesson(&f->u);
	ui_menu_free(&f->u);
	ui_grid_free(&f->u.grid);
	progress_close(&f->p);
	remove_dir(f->dir);
}

/* A key, to the screen that has it (as ui_app.c's key() does). */
static void key(struct menu_fx *f, int k)
{
	ui_screen_keypress(&f->u, k);
}

static void keys(struct menu_fx *f, const char *ks)
{
	for (; *ks; ks++)
		key(f, *ks);
}

static char *screen_text(struct menu_fx *f)
{
	ui_screen_draw(&f->u);
	size_t n = ui_grid_text(&f->u.grid, NULL, 0);
	char *buf = malloc(n + 1);
	ck_assert_ptr_nonnull(buf);
	ui_grid_text(&f->u.grid, buf, n + 1);
	return buf;
}

static const char *row(struct menu_fx *f, int y)
{
	static char buf[1024];
	ui_grid_row_text(&f->u.grid, y, buf, sizeof(buf));
	return buf;
}

static int has(struct menu_fx *f, const char *needle)
{
	char *t = screen_text(f);
	int found = strstr(t, needle) != NULL;
	if (!found)
		fprintf(stderr, "%s", t);
	free(t);
	return found;
}

static void golden(struct menu_fx *f, const char *name)
{
	char *text = screen_text(f);
	golden_match(name, text, f->u.grid.w, f->u.grid.h, "ui_menu");
	free(text);
}

/* The index of the menu item whose path ends in name. */
static int item(struct menu_fx *f, const char *name)
{
	for (unsigned i = 0; i < f->u.nmenu; i++) {
		size_t a = strlen(f->u.menu[i].path), b = strlen(name);
		if (a >= b && strcmp(f->u.menu[i].path + a - b, name) == 0)
			return (int)i;
	}
	ck_abort_msg("no menu item %s", name);
	return -1;
}

/* Progress as the goldens show it: 02 done 2 of 2, 03 at step 4, 06
 * left in a text of the lesson that has since changed. */
static void marks_progress(struct menu_fx *f)
{
	ui_menu_load(&f->u);
	f->u.screen = UI_MENU;
	ck_assert_uint_eq(f->u.nmenu, 3);
	const struct ui_menu_item *l02 = &f->u.menu[item(f, "02-first-interrupt.lua")];
	progress_complete(&f->p, l02->id, l02->hash, 2, 2);
	/* 03: open it from the menu, follow the story five pieces, back to the menu. */
	f->u.menu_sel = item(f, "03-queued-once.lua");
	key(f, '\r');
	ck_assert_int_eq(f->u.screen, UI_LESSON);
	keys(f, "     ");
	ck_assert_uint_eq(dt_session_cursor(rt_session(f->u.rt)), 4);
	key(f, 'm');
	ck_assert_int_eq(f->u.screen, UI_MENU);
	ck_assert_ptr_null(f->u.rt);
	/* 06: a record saved against another text of the lesson. */
	struct progress_resume r;
	memset(&r, 0, sizeof(r));
	r.valid = 1;
	r.following = 1;
	r.ticks = 3;
	r.cursor = 2;
	r.schedule = (char *)"v1 lesson=two-dpcs@00000001 cpus=2 seed=0: 0 0";
	progress_set_resume(&f->p, "two-dpcs", 1, &r);
	ck_assert_int_eq(progress_save(&f->p), 0);
	f->u.menu_sel = item(f, "03-queued-once.lua");
	f->u.status[0] = '\0';
}

START_TEST(test_menu_marks_80x24)
{
	struct menu_fx f;
	fx_open(&f, 80, 24, 0);
	marks_progress(&f);
	golden(&f, "menu_marks_80x24");
	/* The selected row is highlighted across the screen, the others not. */
	int y = 3 + f.u.menu_sel;
	for (int x = 0; x < 80; x++)
		ck_assert_int_eq(ui_grid_cell(&f.u.grid, x, y)->style, UI_S_SELECTED);
	ck_assert_int_ne(ui_grid_cell(&f.u.grid, 10, 3)->style, UI_S_SELECTED);
	fx_close(&f);
}
END_TEST

START_TEST(test_menu_marks_ascii_80x24)
{
	struct menu_fx f;
	fx_open(&f, 80, 24, 1);
	marks_progress(&f);
	golden(&f, "menu_marks_ascii_80x24");
	char *t = screen_text(&f);
	for (const unsigned char *c = (const unsigned char *)t; *c; c++)
		ck_assert_msg(*c < 0x80, "a non-ASCII byte in the ASCII menu");
	free(t);
	fx_close(&f);
}
END_TEST

START_TEST(test_menu_reset_80x24)
{
	struct menu_fx f;
	fx_open(&f, 80, 24, 0);
	marks_progress(&f);
	key(&f, 'r');
	ck_assert_int_eq(f.u.menu_confirm, 1);
	golden(&f, "menu_reset_80x24");
	key(&f, 'n'); /* any key but y keeps it */
	ck_assert(has(&f, "not reset"));
	ck_assert(has(&f, "in progress, step 4"));
	key(&f, 'r');
	key(&f, 'y');
	ck_assert(has(&f, "reset: Queued once until it runs starts anew"));
	const char *r = row(&f, 3 + f.u.menu_sel);
	ck_assert_msg(strstr(r, "03  Queued once until it runs ") && strcmp(r + strlen(r) - 4,
									   " new") == 0,
		      "row: '%s'", r);
	/* The file agrees, and 02's completion is untouched. */
	struct progress again;
	progress_open(&again, f.dir);
	ck_assert_int_eq(progress_find(&again, "queued-once", 0)->resume.valid, 0);
	ck_assert_int_eq(progress_find(&again, "first-interrupt", 0)->done, 1);
	progress_close(&again);
	/* r on a lesson with nothing to forget says so. */
	key(&f, 'r');
	ck_assert_int_eq(f.u.menu_confirm, 0);
	ck_assert(has(&f, "has no progress to reset"));
	fx_close(&f);
}
END_TEST

START_TEST(test_menu_keys_move_and_open)
{
	struct menu_fx f;
	fx_open(&f, 80, 24, 0);
	ui_menu_load(&f.u);
	f.u.screen = UI_MENU;
	ck_assert_int_eq(f.u.menu_sel, 0);
	key(&f, UI_KEY_UP); /* stays on the first */
	ck_assert_int_eq(f.u.menu_sel, 0);
	key(&f, 'j');
	key(&f, UI_KEY_DOWN);
	key(&f, UI_KEY_DOWN); /* stays on the last */
	ck_assert_int_eq(f.u.menu_sel, 2);
	key(&f, 'k');
	ck_assert_int_eq(f.u.menu_sel, 1);
	ck_assert(has(&f, "0 of 3 done"));
	/* Help from the menu comes back to the menu. */
	key(&f, '?');
	ck_assert_int_eq(f.u.screen, UI_HELP);
	ck_assert(has(&f, "the lesson menu"));
	key(&f, ' ');
	ck_assert_int_eq(f.u.screen, UI_MENU);
	key(&f, '\r');
	ck_assert_int_eq(f.u.screen, UI_LESSON);
	ck_assert(has(&f, "dpctutor: Queued once until it runs"));
	/* m and Esc: to the menu and back into the same lesson. */
	key(&f, 'm');
	ck_assert_int_eq(f.u.screen, UI_MENU);
	ck_assert(has(&f, "Esc back"));
	key(&f, 27);
	ck_assert_int_eq(f.u.screen, UI_LESSON);
	ck_assert(has(&f, "dpctutor: Queued once until it runs"));
	key(&f, 'q');
	ck_assert_int_eq(f.u.quit, 1);
	fx_close(&f);
}
END_TEST

START_TEST(test_menu_click_selects_then_opens)
{
	struct menu_fx f;
	fx_open(&f, 80, 24, 0);
	ui_menu_load(&f.u);
	f.u.screen = UI_MENU;
	ui_menu_click(&f.u, 20, 1); /* above the list: nothing */
	ck_assert_int_eq(f.u.menu_sel, 0);
	ui_menu_click(&f.u, 20, 3 + 2);
	ck_assert_int_eq(f.u.menu_sel, 2);
	ck_assert_int_eq(f.u.screen, UI_MENU);
	ui_menu_click(&f.u, 20, 3 + 9); /* below the last lesson: nothing */
	ck_assert_int_eq(f.u.menu_sel, 2);
	ui_menu_click(&f.u, 20, 3 + 2); /* the selected row: open it */
	ck_assert_int_eq(f.u.screen, UI_LESSON);
	ck_assert(has(&f, "dpctutor: Two DPCs at once"));
	fx_close(&f);
}
END_TEST

/* The lesson screen without its status line (row h-2). */
static char *lesson_screen(struct menu_fx *f)
{
	f->u.status[0] = '\0';
	return screen_text(f);
}

/* Open path from scratch, run `script` (keys), save as quitting does,
 * open it again resumed: the screens must match. */
static void resume_matches(const char *path, const char *script, int free_play)
{
	struct menu_fx f;
	char err[512];
	fx_open(&f, 80, 24, 0);
	ck_assert_int_eq(ui_open_lesson(&f.u, path, 1, err, sizeof(err)), 0);
	keys(&f, script);
	ck_assert_int_eq(f.u.screen, UI_LESSON);
	ck_assert_int_eq(!f.u.story_mode, free_play);
	char *before = lesson_screen(&f);
	size_t cursor = dt_session_cursor(rt_session(f.u.rt));
	unsigned score = f.u.score, asked = f.u.asked;
	int asking = f.u.asking;
	ui_resume_save(&f.u);
	ui_close_lesson(&f.u);

	/* A new run: the progress file read again from the disk. */
	progress_close(&f.p);
	progress_open(&f.p, f.dir);
	ck_assert_int_eq(ui_open_lesson(&f.u, path, 1, err, sizeof(err)), 0);
	ck_assert_msg(strstr(f.u.status, "resumed") != NULL, "status: %s", f.u.status);
	ck_assert_uint_eq(dt_session_cursor(rt_session(f.u.rt)), cursor);
	ck_assert_uint_eq(f.u.score, score);
	ck_assert_uint_eq(f.u.asked, asked);
	ck_assert_int_eq(f.u.asking, asking);
	ck_assert_int_eq(!f.u.story_mode, free_play);
	char *after = lesson_screen(&f);
	if (strcmp(before, after) != 0) {
		fprintf(stderr, "before:\n%s\nafter:\n%s", before, after);
		ck_abort_msg("the resumed screen differs (both on stderr)");
	}
	free(before);
	free(after);
	/* Opening without resume starts over. */
	ck_assert_int_eq(ui_open_lesson(&f.u, path, 0, err, sizeof(err)), 0);
	ck_assert_uint_eq(dt_session_head(rt_session(f.u.rt)), 0);
	fx_close(&f);
}

START_TEST(test_resume_mid_story)
{
	resume_matches(L03, "      ", 0);
}
END_TEST

START_TEST(test_resume_waiting_for_an_answer)
{
	/* Enter to the first pause, then on until the first question. */
	struct menu_fx f;
	char err[512];
	fx_open(&f, 80, 24, 0);
	ck_assert_int_eq(ui_open_lesson(&f.u, L06, 1, err, sizeof(err)), 0);
	int presses = 0;
	while (!f.u.asking && presses++ < 50)
		key(&f, ' ');
	ck_assert_msg(f.u.asking, "lesson 06 asked nothing in 50 pieces");
	char script[64];
	memset(script, ' ', (size_t)presses);
	script[presses] = '\0';
	fx_close(&f);
	resume_matches(L06, script, 0);
	/* The same, answered (1), then two more pieces. */
	char answered[80];
	snprintf(answered, sizeof(answered), "%s1  ", script);
	resume_matches(L06, answered, 0);
}
END_TEST

START_TEST(test_resume_after_stepping_back)
{
	resume_matches(L03, "        bb", 0);
}
END_TEST

START_TEST(test_resume_free_play)
{
	/* Leave the story (y), step CPUs by hand, go back, branch. */
	resume_matches(L06, "  0y0101bb1", 1);
}
END_TEST

START_TEST(test_resume_changed_lesson_restarts)
{
	struct menu_fx f;
	char err[512], path[128];
	fx_open(&f, 80, 24, 0);
	char *src = golden_read_file(L03);
	ck_assert_ptr_nonnull(src);
	snprintf(path, sizeof(path), "%s/03-copy.lua", f.dir);
	FILE *fp = fopen(path, "w");
	fputs(src, fp);
	fclose(fp);
	ck_assert_int_eq(ui_open_lesson(&f.u, path, 1, err, sizeof(err)), 0);
	keys(&f, "      ");
	progress_complete(&f.p, "queued-once", rt_lesson(f.u.rt)->hash, 1, 1);
	ui_resume_save(&f.u);
	ui_close_lesson(&f.u);
	/* The author edits the lesson. */
	fp = fopen(path, "a");
	fputs("-- an edit\n", fp);
	fclose(fp);
	ck_assert_int_eq(ui_open_lesson(&f.u, path, 1, err, sizeof(err)), 0);
	ck_assert_msg(strstr(f.u.status, "changed") != NULL, "status: %s", f.u.status);
	ck_assert_uint_eq(dt_session_head(rt_session(f.u.rt)), 0);
	const struct progress_lesson *l = progress_find(&f.p, "queued-once", 0);
	ck_assert_int_eq(l->done, 1);
	ck_assert_int_eq(progress_mark_of(l, rt_lesson(f.u.rt)->hash), PROGRESS_CHANGED);
	/* Quitting at once saves no place (nothing done) but keeps the completion. */
	ui_resume_save(&f.u);
	l = progress_find(&f.p, "queued-once", 0); /* a save rebuilds the list */
	ck_assert_int_eq(progress_mark_of(l, rt_lesson(f.u.rt)->hash), PROGRESS_DONE);
	free(src);
	fx_close(&f);
}
END_TEST

/* An ISR that passes a nil handle: bug check 0x10D on the first event. */
static const char nil_lesson[] =
	"lesson { api = 1, id = \"nil-handle\", title = \"A nil handle\", cpus = 1 }\n"
	"local dev = device { name = \"nic\", irql = 5, affinity = { 0 } }\n"
	"local status, irq = WdfInterruptCreate(dev, {\n"
	"  EvtInterruptIsr = function(interrupt, message_id)\n"
	"    WdfInterruptQueueDpcForIsr(nil)\n"
	"    return true\n"
	"  end,\n"
	"  EvtInterruptDpc = function(interrupt, device) end,\n"
	"})\n"
	"story { \"The ISR passes a nil handle.\", fire(dev, { cpu = 0 }), run_to_end() }\n";

START_TEST(test_resume_on_the_blue_screen)
{
	struct menu_fx f;
	char err[512], path[128];
	fx_open(&f, 80, 24, 0);
	snprintf(path, sizeof(path), "%s/nil.lua", f.dir);
	FILE *fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(nil_lesson, fp);
	fclose(fp);
	ck_assert_int_eq(ui_open_lesson(&f.u, path, 1, err, sizeof(err)), 0);
	for (int i = 0; i < 50 && f.u.screen == UI_LESSON; i++)
		key(&f, '\r');
	ck_assert_int_eq(f.u.screen, UI_BUGCHECK);
	char *before = screen_text(&f);
	ui_resume_save(&f.u);
	ck_assert_int_eq(ui_open_lesson(&f.u, path, 1, err, sizeof(err)), 0);
	ck_assert_int_eq(f.u.screen, UI_BUGCHECK);
	char *after = screen_text(&f);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	fx_close(&f);
}
END_TEST

START_TEST(test_finishing_records_and_stays)
{
	struct menu_fx f;
	char err[512];
	fx_open(&f, 80, 24, 0);
	ck_assert_int_eq(ui_open_lesson(&f.u, L03, 1, err, sizeof(err)), 0);
	for (int i = 0; i < 400 && !f.u.story_done; i++)
		key(&f, f.u.asking ? '1' : '\r');
	ck_assert(f.u.story_done);
	/* Recorded at once, in the file, before any quit. */
	struct progress again;
	progress_open(&again, f.dir);
	const struct progress_lesson *l = progress_find(&again, "queued-once", 0);
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(l->done, 1);
	ck_assert_uint_eq(l->best_asked, f.u.asked);
	ck_assert_uint_eq(l->best_score, f.u.score);
	progress_close(&again);
	/* Still the same lesson on screen: finishing never moves on. */
	ck_assert_int_eq(f.u.screen, UI_LESSON);
	ck_assert(has(&f, "dpctutor: Queued once until it runs"));
	fx_close(&f);
}
END_TEST

Suite *ui_menu_suite(void)
{
	Suite *s = suite_create("ui_menu");
	TCase *tc = tcase_create("menu");
	tcase_add_test(tc, test_menu_marks_80x24);
	tcase_add_test(tc, test_menu_marks_ascii_80x24);
	tcase_add_test(tc, test_menu_reset_80x24);
	tcase_add_test(tc, test_menu_keys_move_and_open);
	tcase_add_test(tc, test_menu_click_selects_then_opens);
	suite_add_tcase(s, tc);
	tc = tcase_create("resume");
	tcase_add_test(tc, test_resume_mid_story);
	tcase_add_test(tc, test_resume_waiting_for_an_answer);
	tcase_add_test(tc, test_resume_after_stepping_back);
	tcase_add_test(tc, test_resume_free_play);
	tcase_add_test(tc, test_resume_changed_lesson_restarts);
	tcase_add_test(tc, test_resume_on_the_blue_screen);
	tcase_add_test(tc, test_finishing_records_and_stays);
	suite_add_tcase(s, tc);
	return s;
}
