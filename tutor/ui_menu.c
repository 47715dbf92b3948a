/*
 * ui_menu.c - the lesson menu: every lesson found, with its progress mark
 * (done, in progress, new, or changed since the student left it), the
 * selected lesson's goal, and the keys to open or reset one.
 *
 * The menu is what `dpctutor` without a LESSON shows, and what `m` opens
 * from a lesson (after saving where the student is).  Finishing a lesson
 * never moves on by itself: the student comes back here to choose.
 *
 * Keys: Up/Down or k/j move, Enter opens (resuming where the student left
 * off), r resets the selected lesson (after y/n), Esc or m goes back to
 * the lesson m left, ? help, q quits.  A click selects a row; a click on
 * the selected row opens it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_int.h"
#include "ui_term.h"

#define MENU_TOP 3 /* the first lesson row */

void ui_menu_free(struct ui *u)
{
	for (unsigned i = 0; i < u->nmenu; i++)
		free(u->menu[i].path);
	u->nmenu = 0;
}

/* What lesson{} says, read by building the lesson once. */
static void read_item(struct ui_menu_item *it, const char *path)
{
	struct rt_options opt;
	struct rt *rt;
	char *err = NULL;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	snprintf(it->title, sizeof(it->title), "%s", base);
	rt_options_default(&opt);
	opt.trace = 0;
	if (rt_open(path, &opt, &rt, &err)) {
		snprintf(it->error, sizeof(it->error), "%s", err ? err : "cannot load");
		free(err);
		return;
	}
	const struct rt_lesson *l = rt_lesson(rt);
	snprintf(it->id, sizeof(it->id), "%s", l->id);
	snprintf(it->title, sizeof(it->title), "%s", l->title ? l->title : l->id);
	snprintf(it->goal, sizeof(it->goal), "%s", l->goal ? l->goal : "");
	it->hash = l->hash;
	rt_close(rt);
}

void ui_menu_load(struct ui *u)
{
	struct lesson_list list;
	ui_menu_free(u);
	lessons_find(u->opt.lessons_dir, &list);
	for (unsigned i = 0; i < list.n && u->nmenu < LESSONS_MAX; i++) {
		struct ui_menu_item *it = &u->menu[u->nmenu];
		memset(it, 0, sizeof(*it));
		it->path = list.paths[i];
		list.paths[i] = NULL;
		read_item(it, it->path);
		u->nmenu++;
	}
	lessons_free(&list);
	u->menu_sel = 0;
	u->menu_confirm = 0;
	for (unsigned i = 0; i < u->nmenu; i++)
		if (u->menu_back[0] && strcmp(u->menu[i].path, u->menu_back) == 0)
			u->menu_sel = (int)i;
}

void ui_menu_open(struct ui *u)
{
	ui_resume_save(u);
	if (u->rt)
		snprintf(u->menu_back, sizeof(u->menu_back), "%s", u->lesson_path);
	ui_close_lesson(u);
	ui_menu_load(u);
	u->screen = UI_MENU;
	u->status[0] = '\0';
	if (u->progress && progress_notice(u->progress)[0])
		snprintf(u->status, sizeof(u->status), "%.199s", progress_notice(u->progress));
}

static struct progress_lesson *record_of(struct ui *u, const struct ui_menu_item *it)
{
	return u->progress && it->id[0] ? progress_find(u->progress, it->id, 0) : NULL;
}

/* "02" from "02-first-interrupt.lua": the number lessons are ordered by. */
static void number_of(const struct ui_menu_item *it, char *buf, size_t size)
{
	const char *base = strrchr(it->path, '/');
	base = base ? base + 1 : it->path;
	size_t n = strspn(base, "0123456789");
	snprintf(buf, size, "%.*s", n > 3 ? 3 : (int)n, base);
}

/* The mark glyph and the progress words of one lesson. */
static uint32_t progress_words(struct ui *u, const struct ui_menu_item *it, char *buf,
			       size_t size)
{
	struct ui_grid *g = &u->grid;
	const struct progress_lesson *l = record_of(u, it);
	char best[40] = "";
	if (it->error[0]) {
		snprintf(buf, size, "cannot load");
		return '!';
	}
	if (l && l->done && l->best_asked)
		snprintf(best, sizeof(best), ", best %u/%u", l->best_score, l->best_asked);
	switch (progress_mark_of(l, it->hash)) {
	case PROGRESS_STARTED:
		if (l->done)
			snprintf(buf, size, "done%s; left at step %lu", best, l->resume.cursor);
		else
			snprintf(buf, size, "in progress, step %lu", l->resume.cursor);
		return l->done ? ui_glyph(g, UI_G_CHECK) : ui_glyph(g, UI_G_BULLET);
	case PROGRESS_CHANGED:
		snprintf(buf, size, "lesson changed: restart%s", l->done ? " (done)" : "");
		return l->done ? ui_glyph(g, UI_G_CHECK) : '!';
	case PROGRESS_DONE:
		snprintf(buf, size, "done%s", best);
		return ui_glyph(g, UI_G_CHECK);
	default:
		snprintf(buf, size, "new");
		return ' ';
	}
}

/* How many lesson rows fit, and the first one shown (the selection stays
 * in view). */
static int menu_rows(struct ui *u, int *top)
{
	int rows = u->grid.h - MENU_TOP - 7;
	if (rows < 1)
		rows = 1;
	*top = u->menu_sel >= rows ? u->menu_sel - rows + 1 : 0;
	return rows;
}

static void draw_footer(struct ui *u)
{
	struct ui_grid *g = &u->grid;
	const char *keys = u->menu_confirm ? " y reset  any other key keeps it"
			   : u->menu_back[0] ? " Up/Down move  Enter open  r reset  Esc back"
			   : " Up/Down move  Enter open  r reset";
	const char *always = " ? help  q quit ";
	ui_fill(g, 0, g->h - 1, g->w, 1, ' ', UI_S_FOOTER);
	ui_putn(g, 0, g->h - 1, g->w - (int)strlen(always), UI_S_FOOTER, keys);
	ui_put(g, g->w - (int)strlen(always), g->h - 1, UI_S_KEY, always);
}

void ui_menu_draw(struct ui *u)
{
	struct ui_grid *g = &u->grid;
	char line[200], words[160], num[8];
	unsigned done = 0;
	for (unsigned i = 0; i < u->nmenu; i++) {
		const struct progress_lesson *l = record_of(u, &u->menu[i]);
		done += l && l->done;
	}
	ui_fill(g, 0, 0, g->w, 1, ' ', UI_S_TITLE);
	ui_put(g, 0, 0, UI_S_TITLE, " dpctutor: lessons");
	snprintf(line, sizeof(line), "%u of %u done ", done, u->nmenu);
	ui_put(g, g->w - (int)strlen(line), 0, UI_S_TITLE, line);
	int words_x = g->w - 35; /* the progress column; the titles get the rest */
	ui_put(g, 9, 2, UI_S_DIM, "lesson");
	ui_put(g, words_x, 2, UI_S_DIM, "progress");
	if (!u->nmenu)
		ui_put(g, 5, MENU_TOP, UI_S_NORMAL,
		       "No lessons found (dpctutor --help says where it looks).");
	int top, rows = menu_rows(u, &top);
	for (int r = 0; r < rows && top + r < (int)u->nmenu; r++) {
		int i = top + r, y = MENU_TOP + r, sel = i == u->menu_sel;
		const struct ui_menu_item *it = &u->menu[i];
		enum ui_style st = sel ? UI_S_SELECTED : it->error[0] ? UI_S_DIM : UI_S_NORMAL;
		uint32_t mark = progress_words(u, it, words, sizeof(words));
		number_of(it, num, sizeof(num));
		ui_fill(g, 0, y, g->w, 1, ' ', st);
		if (sel)
			ui_set(g, 1, y, st, ui_glyph(g, UI_G_ARROW_RIGHT));
		ui_set(g, 3, y, st, mark);
		ui_putf(g, 5, y, st, "%-3s", num);
		ui_put_fit(g, 9, y, words_x - 11, st, it->title);
		ui_put_fit(g, words_x, y, g->w - words_x - 1, st, words);
	}
	if (top + rows < (int)u->nmenu)
		ui_putf(g, 5, MENU_TOP + rows, UI_S_DIM, "... %d more below",
			(int)u->nmenu - top - rows);
	/* The selected lesson's goal (or why it does not load). */
	int y = g->h - 7;
	ui_hline(g, 0, y++, g->w, UI_S_DIM);
	if (u->nmenu) {
		const struct ui_menu_item *it = &u->menu[u->menu_sel];
		const char *text = it->error[0] ? it->error : it->goal;
		int starts[4], lens[4], n = ui_wrap(text, g->w - 4, starts, lens, 4);
		for (int k = 0; k < n; k++)
			ui_putf(g, 2, y + k, it->error[0] ? UI_S_ERROR : UI_S_STORY, "%.*s", lens[k],
				text + starts[k]);
	}
	if (u->menu_confirm) {
		snprintf(line, sizeof(line), "reset \"%.40s\" (y/n)? its progress is forgotten",
			 u->menu[u->menu_sel].title);
		ui_fill(g, 0, g->h - 2, g->w, 1, ' ', UI_S_SELECTED);
		ui_put_fit(g, 0, g->h - 2, g->w, UI_S_SELECTED, line);
	} else if (u->status[0]) {
		ui_putn(g, 0, g->h - 2, g->w, UI_S_WARN, u->status);
	}
	draw_footer(u);
}

static void open_selected(struct ui *u)
{
	char err[512];
	const struct ui_menu_item *it = &u->menu[u->menu_sel];
	if (it->error[0]) {
		snprintf(u->status, sizeof(u->status), "%.199s", it->error);
		return;
	}
	char path[1024];
	snprintf(path, sizeof(path), "%s", it->path);
	if (ui_open_lesson(u, path, 1, err, sizeof(err))) {
		snprintf(u->status, sizeof(u->status), "%.199s", err);
		return;
	}
	ui_menu_free(u);
}

static void reset_answer(struct ui *u, int key)
{
	const struct ui_menu_item *it = &u->menu[u->menu_sel];
	u->menu_confirm = 0;
	if (key != 'y' && key != 'Y') {
		snprintf(u->status, sizeof(u->status), "not reset");
		return;
	}
	if (progress_reset(u->progress, it->id) && progress_notice(u->progress)[0])
		snprintf(u->status, sizeof(u->status), "reset here only: %.180s",
			 progress_notice(u->progress));
	else
		snprintf(u->status, sizeof(u->status), "reset: %.150s starts anew", it->title);
}

void ui_menu_click(struct ui *u, int x, int y)
{
	int top;
	int rows = menu_rows(u, &top);
	int i = top + y - MENU_TOP;
	(void)x;
	if (y < MENU_TOP || y >= MENU_TOP + rows || i >= (int)u->nmenu)
		return;
	if (i == u->menu_sel)
		open_selected(u);
	else
		u->menu_sel = i;
}

void ui_menu_key(struct ui *u, int key)
{
	if (u->menu_confirm) {
		if (key == 'q')
			u->quit = 1;
		else
			reset_answer(u, key);
		return;
	}
	u->status[0] = '\0';
	switch (key) {
	case 'q':
		u->quit = 1;
		return;
	case '?':
		u->screen = UI_HELP;
		return;
	case UI_KEY_UP:
	case 'k':
		if (u->menu_sel > 0)
			u->menu_sel--;
		return;
	case UI_KEY_DOWN:
	case 'j':
		if (u->menu_sel + 1 < (int)u->nmenu)
			u->menu_sel++;
		return;
	case UI_KEY_HOME:
		u->menu_sel = 0;
		return;
	case UI_KEY_END:
		u->menu_sel = u->nmenu ? (int)u->nmenu - 1 : 0;
		return;
	case '\n':
	case '\r':
	case UI_KEY_ENTER:
		if (u->nmenu)
			open_selected(u);
		return;
	case 'r': {
		if (!u->nmenu)
			return;
		const struct ui_menu_item *it = &u->menu[u->menu_sel];
		if (progress_mark_of(record_of(u, it), it->hash) == PROGRESS_NEW)
			snprintf(u->status, sizeof(u->status), "%.150s has no progress to reset",
				 it->title);
		else
			u->menu_confirm = 1;
		return;
	}
	case 27:
	case 'm': {
		char err[512];
		if (!u->menu_back[0])
			return;
		if (ui_open_lesson(u, u->menu_back, 1, err, sizeof(err)))
			snprintf(u->status, sizeof(u->status), "%.199s", err);
		else
			ui_menu_free(u);
		return;
	}
	case UI_KEY_MOUSE: {
		int x, y;
		if (ui_term_mouse(&x, &y) == UI_MOUSE_CLICK)
			ui_menu_click(u, x, y);
		return;
	}
	default:
		return;
	}
}
