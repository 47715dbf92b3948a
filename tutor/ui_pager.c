/*
 * ui_pager.c - scrolled pages of text (see ui_pager.h) and their keys:
 * Up/Down (k/j) one row, PgUp/PgDn (Space) a screen, Home/End, Esc or the
 * screen's own key back to the lesson, q quits (ui_app.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_pager.h"
#include "ui_term.h"

void ui_page_add(struct ui_page *p, enum ui_style style, int indent, const char *fmt, ...)
{
	if (p->n == p->cap) {
		unsigned cap = p->cap ? p->cap * 2 : 64;
		struct ui_page_line *l = realloc(p->lines, cap * sizeof(*l));
		if (!l)
			return;
		p->lines = l;
		p->cap = cap;
	}
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *text = len >= 0 ? malloc((size_t)len + 1) : NULL;
	if (!text)
		return;
	va_start(ap, fmt);
	vsnprintf(text, (size_t)len + 1, fmt, ap);
	va_end(ap);
	p->lines[p->n++] = (struct ui_page_line){ style, indent, text };
}

/* Line l wrapped at width w, drawn from row y where the row is in
 * [top, bottom); returns the rows it takes. */
static int page_line(struct ui_grid *g, const struct ui_page_line *l, int w, int y, int top,
		     int bottom)
{
	int starts[64], lens[64];
	int x = w - l->indent >= 10 ? l->indent : 0; /* a very narrow screen: no indent */
	int n = ui_wrap(l->text, w - x, starts, lens, 64);
	for (int i = 0; i < n; i++)
		if (y + i >= top && y + i < bottom)
			ui_putf(g, x + 1, y + i, l->style, "%.*s", lens[i], l->text + starts[i]);
	return n ? n : 1; /* an empty line is a blank row */
}

void ui_page_show(struct ui *u, struct ui_page *p, const char *title)
{
	struct ui_grid *g = &u->grid;
	int w = g->w - 2, top = 1, bottom = g->h - 1, rows = bottom - top;
	int total = 0;
	for (unsigned i = 0; i < p->n; i++)
		total += page_line(g, &p->lines[i], w, -100000, 0, 0); /* measure only */
	int max_scroll = total > rows ? total - rows : 0;
	if (u->scroll > max_scroll)
		u->scroll = max_scroll;
	if (u->scroll < 0)
		u->scroll = 0;
	int y = top - u->scroll;
	for (unsigned i = 0; i < p->n; i++)
		y += page_line(g, &p->lines[i], w, y, top, bottom);
	ui_fill(g, 0, 0, g->w, 1, ' ', UI_S_TITLE);
	ui_putf(g, 0, 0, UI_S_TITLE, " %.*s", g->w - 24, title);
	if (total > rows) {
		char pos[64];
		snprintf(pos, sizeof(pos), "rows %d-%d of %d", u->scroll + 1, u->scroll + rows,
			 total);
		ui_put(g, g->w - 1 - (int)strlen(pos), 0, UI_S_TITLE, pos);
	}
	const char *always = " q quit ";
	ui_fill(g, 0, g->h - 1, g->w, 1, ' ', UI_S_FOOTER);
	ui_put(g, 0, g->h - 1, UI_S_FOOTER,
	       total > rows ? " Up/Down scroll  PgUp/PgDn page  Esc back" : " Esc back");
	ui_put(g, g->w - (int)strlen(always), g->h - 1, UI_S_KEY, always);
	for (unsigned i = 0; i < p->n; i++)
		free(p->lines[i].text);
	free(p->lines);
	memset(p, 0, sizeof(*p));
}

void ui_pager_key(struct ui *u, int key)
{
	int page = u->grid.h - 3;
	switch (key) {
	case UI_KEY_UP:
	case 'k':
		u->scroll--;
		break;
	case UI_KEY_DOWN:
	case 'j':
		u->scroll++;
		break;
	case UI_KEY_PPAGE:
		u->scroll -= page;
		break;
	case UI_KEY_NPAGE:
	case ' ':
		u->scroll += page;
		break;
	case UI_KEY_HOME:
		u->scroll = 0;
		break;
	case UI_KEY_END:
		u->scroll = 1 << 20; /* clamped at the next draw */
		break;
	default:
		ui_pane_key(u, key);
		break;
	}
	if (u->scroll < 0)
		u->scroll = 0;
}

/* The keys that open the full-screen panes, from the lesson or from each
 * other: the key of the screen on show (or Esc) goes back to the lesson. */
int ui_pane_key(struct ui *u, int key)
{
	enum ui_screen to;
	switch (key) {
	case 'T':
		to = UI_TIMELINE;
		break;
	case 'd':
		to = UI_DEBUGGER;
		break;
	case 'G':
		to = UI_GLOSSARY;
		break;
	case 'K':
		to = UI_RULES;
		break;
	case 27:
		to = UI_LESSON;
		break;
	default:
		return 0;
	}
	u->screen = u->screen == to ? UI_LESSON : to;
	u->scroll = 0;
	return 1;
}
