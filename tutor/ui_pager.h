/*
 * ui_pager.h - a full-screen page of text that scrolls: the debugger
 * panel (d), the glossary (G) and the rule cards (K) are built as pages.
 *
 * A page is a list of lines, each with a style and an indent; drawing
 * wraps every line at spaces to the screen's width (continuation rows
 * keep its indent), so no sentence is ever cut at an
 * edge, and shows the rows from u->scroll on, under a title bar and over
 * a key line.  u->scroll is clamped at every draw.
 */
#ifndef DT_UI_PAGER_H
#define DT_UI_PAGER_H

#include "ui_int.h"

struct ui_page_line {
	enum ui_style style;
	int indent;
	char *text;
};

struct ui_page {
	struct ui_page_line *lines;
	unsigned n, cap;
};

/* Append a line (printf-style); out of memory drops it. */
void ui_page_add(struct ui_page *p, enum ui_style style, int indent, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Draw the page with `title` in the title bar; then free it. */
void ui_page_show(struct ui *u, struct ui_page *p, const char *title);

#endif
