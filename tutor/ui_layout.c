/*
 * ui_layout.c - see ui_layout.h.
 */
#include "ui_layout.h"

static int ceil_div(int a, int b)
{
	return (a + b - 1) / b;
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

/* How many columns of at least min_w fit in w (one at least). */
static int columns_that_fit(int w, int min_w)
{
	return max_int(1, w / min_w);
}

/*
 * Stack n panes of pane_h rows into at most max_cols columns of `area`
 * rows, using as few columns as will do: 1 with the columns and rows
 * per column set, 0 when they do not fit.
 */
static int stack(int n, int pane_h, int area, int max_cols, struct ui_lesson_layout *l)
{
	int per_col = area / pane_h;
	if (per_col < 1 || ceil_div(n, per_col) > max_cols)
		return 0;
	l->cols = ceil_div(n, per_col);
	l->rows_per_col = ceil_div(n, l->cols);
	return 1;
}

void ui_lesson_layout(int w, int h, unsigned ncpus, unsigned objects, unsigned focus,
		      struct ui_lesson_layout *l)
{
	int n = (int)ncpus;
	l->left_w = w * 11 / 20;
	l->right_x = l->left_w + 1;
	l->right_w = w - l->right_x;
	l->body_h = h - 3; /* the title row above, the status row and the footer below */
	/* Up to 30 rows the two boxes share them evenly (80x24 as ever); a
	 * taller screen gives the extra rows mostly to the log, which grows
	 * with every step, while the story shows a few sentences at a time. */
	l->story_h = l->body_h <= 30 ? l->body_h / 2 : max_int(15, l->body_h * 2 / 5);

	/* The CPUs take rows 1..area: what the objects under the rule leave
	 * (their rows, the values, the rule, a spare), but half the body at
	 * least. */
	int area = max_int(l->body_h - 6 - (int)objects, l->body_h / 2);
	l->first = 0;
	l->shown = ncpus;
	l->note = 0;
	l->full = n > 0 && stack(n, UI_CPU_FULL_ROWS, area,
				 columns_that_fit(l->left_w, UI_CPU_FULL_MIN_W), l);
	if (!l->full && !stack(n, 1, area, columns_that_fit(l->left_w, UI_CPU_LINE_MIN_W), l)) {
		/* Not even one row each: a window of CPUs and a note row. */
		l->cols = columns_that_fit(l->left_w, UI_CPU_LINE_MIN_W);
		l->rows_per_col = max_int(1, area - 1);
		l->shown = (unsigned)(l->cols * l->rows_per_col);
		l->note = 1;
		if (focus >= l->shown) { /* centre the focus, as far as the end allows */
			unsigned from = focus - l->shown / 2;
			l->first = from + l->shown > ncpus ? ncpus - l->shown : from;
		}
	}
	if (n == 0) {
		l->cols = 1;
		l->rows_per_col = 0;
	}
	l->col_w = (l->left_w - (l->cols - 1)) / l->cols; /* a blank column between */
	l->rule_y = 1 + l->rows_per_col * (l->full ? UI_CPU_FULL_ROWS : 1) + l->note;
}

void ui_zoom_layout(int w, int h, unsigned ncpus, int notes, struct ui_zoom_layout *l)
{
	int n = (int)ncpus > 0 ? (int)ncpus : 1;
	int body = h - 3; /* the title row above, the demo's line and the footer below */
	l->notes_h = notes ? (h >= 40 ? 6 : 4) : 0;
	l->cpu_y = 1;
	l->boxed = 1;
	l->cols = n < columns_that_fit(w, UI_ZOOM_CPU_MIN_W) ? n : columns_that_fit(w, UI_ZOOM_CPU_MIN_W);
	l->rows = ceil_div(n, l->cols);
	l->shown = (unsigned)n;
	int cpu_h = l->rows * UI_ZOOM_CPU_BOX_H;
	if (body - cpu_h - 1 - l->notes_h < UI_ZOOM_TEXT_MIN_H) {
		/* One row per CPU, in one box, as many as leave the text its rows. */
		l->boxed = 0;
		l->cols = columns_that_fit(w - 2, UI_CPU_LINE_MIN_W);
		int room = max_int(1, body - 1 - l->notes_h - UI_ZOOM_TEXT_MIN_H - 2);
		l->rows = ceil_div(n, l->cols) < room ? ceil_div(n, l->cols) : room;
		if ((unsigned)(l->rows * l->cols) < l->shown)
			l->shown = (unsigned)(l->rows * l->cols);
		cpu_h = l->rows + 2;
	}
	l->col_w = ((l->boxed ? w : w - 2) - (l->cols - 1)) / l->cols;
	l->values_y = l->cpu_y + cpu_h;
	l->text_y = l->values_y + 1;
	l->notes_y = 1 + body - l->notes_h;
	l->text_h = l->notes_y - l->text_y;
}

int ui_lesson_cpu_at(const struct ui_lesson_layout *l, int x, int y)
{
	int pane_h = l->full ? UI_CPU_FULL_ROWS : 1;
	if (x < 0 || x >= l->left_w || y < 1 || l->rows_per_col <= 0)
		return -1;
	int col = x / (l->col_w + 1), r = (y - 1) / pane_h;
	if (x - col * (l->col_w + 1) >= l->col_w || r >= l->rows_per_col)
		return -1; /* the gap between columns, or below the panes */
	unsigned i = (unsigned)(col * l->rows_per_col + r);
	return i < l->shown ? (int)(l->first + i) : -1;
}
