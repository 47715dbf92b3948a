/*
 * ui_layout.h - where the lesson screen's panes go, from the terminal's
 * size and the machine's shape alone (no drawing, no curses), so that the
 * arithmetic can be tested on its own.
 *
 * The lesson screen is two columns under a title row and above a status
 * row and the key footer: on the left the CPU panes, a rule, and the
 * objects (interrupts, threads, values) or the source; on the right the
 * story box over the log box.  How the CPUs are shown depends on room:
 *
 *   full panes   three rows per CPU (the frame stack, "next:", the DPC
 *                queue); side by side in columns when the left side is
 *                wide enough and one column is not tall enough;
 *   one-line     one row per CPU (its IRQL and frame stack), in as many
 *                columns as the width allows, when full panes do not fit;
 *   a window     when even one-line rows do not fit: the CPUs around the
 *                one stepped last, and a note row naming those not shown.
 *
 * A tall screen also gives the log more rows than the story box.
 */
#ifndef DT_UI_LAYOUT_H
#define DT_UI_LAYOUT_H

/* A full CPU pane's rows, and the narrowest columns the panes take. */
#define UI_CPU_FULL_ROWS 3
#define UI_CPU_FULL_MIN_W 50
#define UI_CPU_LINE_MIN_W 36

struct ui_lesson_layout {
	int left_w;         /* the CPU and object panes: columns 0..left_w-1 */
	int right_x, right_w; /* the story and log boxes */
	int body_h;         /* rows 1..body_h hold the panes */
	int story_h;        /* the story box's rows; the log box has the rest */
	int full;           /* three-row CPU panes (else one row per CPU) */
	int cols, col_w;    /* CPU panes side by side, each col_w wide */
	int rows_per_col;   /* CPU panes stacked in one column */
	unsigned first;     /* CPUs first .. first + shown - 1 are on screen */
	unsigned shown;
	int note;           /* a row under the CPUs names the CPUs not shown */
	int rule_y;         /* the rule between the CPUs and the objects */
};

/*
 * Lay out a w x h lesson screen for ncpus CPUs and `objects` object rows
 * (interrupts plus threads); `focus` is the CPU to keep in view when not
 * all fit (the CPU stepped last, by the student or the story).
 */
void ui_lesson_layout(int w, int h, unsigned ncpus, unsigned objects, unsigned focus,
		      struct ui_lesson_layout *out);

/*
 * The zoom layout of the classroom demo (--demo): fewer, larger panes for
 * a projector.  Full width throughout: the CPUs in boxes side by side
 * (one row each in a single box when boxes leave the text too little), a
 * values row, the text box (the story over a short log, or the
 * counterexample's log), and the presenter's notes box at the bottom.
 */
#define UI_ZOOM_CPU_BOX_H 5   /* a boxed CPU pane: its frame and three rows */
#define UI_ZOOM_CPU_MIN_W 38
#define UI_ZOOM_TEXT_MIN_H 9

struct ui_zoom_layout {
	int cpu_y;          /* the CPU area's first row */
	int boxed;          /* a box per CPU (else one row per CPU in one box) */
	int cols, col_w;    /* CPUs side by side, each col_w wide */
	int rows;           /* CPU rows of panes (boxed) or of lines */
	unsigned shown;     /* CPUs 0..shown-1 are on screen */
	int values_y;       /* the row of shared values */
	int text_y, text_h; /* the story (and log) box */
	int notes_y, notes_h; /* the notes box, notes_h 0 for none */
};

void ui_zoom_layout(int w, int h, unsigned ncpus, int notes, struct ui_zoom_layout *out);

/*
 * The CPU whose pane covers cell (x, y) of a lesson screen laid out as
 * `l`, or -1 for none (a click there steps that CPU).
 */
int ui_lesson_cpu_at(const struct ui_lesson_layout *l, int x, int y);

#endif /* DT_UI_LAYOUT_H */
