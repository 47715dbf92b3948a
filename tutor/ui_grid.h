/*
 * ui_grid.h - the screen as plain data: a grid of cells, each a Unicode
 * code point and a style.
 *
 * Every screen of the tutor is drawn here first and only then copied to
 * the terminal (ui_term_blit), the way tmux keeps its grid apart from its
 * redraw code.  The grid knows nothing of curses: a Check test renders a
 * screen into a grid and compares it as text (ui_grid_text), and a resize
 * is just "make a new grid and draw everything again".
 *
 * Two simplifications keep the arithmetic honest.  Every code point is one
 * column wide: the UI only writes single-width text, so column = cell.
 * And a grid in ASCII mode (g->ascii, for non-UTF-8 locales or --ascii)
 * stores ASCII only: every drawing call maps box lines, glyphs and other
 * characters to a one-column ASCII stand-in, so the terminal code never
 * has to guess.
 *
 * Coordinates are columns x and rows y from the top-left corner, 0-based.
 * Drawing outside the grid is clipped silently, never an error: a pane can
 * be drawn at any position and only what falls inside appears.
 */
#ifndef DT_UI_GRID_H
#define DT_UI_GRID_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What a cell means, not how it looks: ui_term maps each style to colours
 * and, on a monochrome terminal, to attributes.  Colour is never the only
 * carrier of meaning: the text or a glyph says it too (an IRQL's name, a
 * FALSE mark), so a style is a reinforcement.
 */
enum ui_style {
	UI_S_NORMAL,
	UI_S_DIM,        /* secondary text: hints, idle CPUs */
	UI_S_BOLD,
	UI_S_TITLE,      /* a pane's title */
	UI_S_FOOTER,     /* the key footer's bar */
	UI_S_KEY,        /* a key's name in the footer or help */
	UI_S_SELECTED,   /* the selected row of a list */
	UI_S_PASSIVE,    /* IRQL PASSIVE_LEVEL */
	UI_S_DISPATCH,   /* IRQL DISPATCH_LEVEL */
	UI_S_DIRQL,      /* a device IRQL */
	UI_S_HIGH,       /* HIGH_LEVEL */
	UI_S_ISR,        /* timeline bands: what a CPU ran */
	UI_S_DPC,
	UI_S_THREAD,
	UI_S_WORKITEM,
	UI_S_TRUE,       /* a queue call that returned TRUE */
	UI_S_FALSE,      /* ... and FALSE */
	UI_S_WARN,
	UI_S_ERROR,
	UI_S_BLUESCREEN, /* the bug-check screen: white on blue */
	UI_S_STORY,      /* the story's narration */
	UI_S_ASK,        /* a prediction the student is asked for */
	UI_S_COUNT
};

/*
 * Semantic glyphs.  ui_glyph() gives the Unicode code point, or in ASCII
 * mode a printable ASCII stand-in (shown after each).
 */
enum ui_glyph {
	UI_G_ARROW_RIGHT,  /* U+2192 '>' */
	UI_G_BULLET,       /* U+2022 '*' */
	UI_G_CHECK,        /* U+2713 '+' a right prediction, a finished lesson */
	UI_G_CROSS,        /* U+2717 'x' a wrong prediction */
	UI_G_FALSE_MARK,   /* U+00D7 'F' on the timeline: a queue call returned FALSE */
	UI_G_DEQUEUE_MARK, /* U+2193 'v' on the timeline: a DPC left its queue */
	UI_G_CURSOR,       /* U+25B8 '>' a CPU's marker in the source */
	UI_G_ELLIPSIS,     /* U+2026 '~' text cut short */
	UI_G_BLOCK_FULL,   /* U+2588 '#' a busy timeline band */
	UI_G_BLOCK_LIGHT,  /* U+2591 '.' a light band */
	UI_G_COUNT
};

struct ui_cell {
	uint32_t ch;   /* a Unicode code point, one column wide */
	uint8_t style; /* enum ui_style */
};

struct ui_grid {
	int w, h;              /* columns and rows; 0 x 0 is a valid empty grid */
	struct ui_cell *cells; /* w * h cells, row by row */
	int ascii;             /* draw with ASCII fallbacks (set by the caller) */
};

/* U+FFFD, what an invalid byte or a control character becomes. */
#define UI_REPLACEMENT 0xFFFDu

/*
 * Set up g as a w x h grid of blanks (U+0020, UI_S_NORMAL), ASCII off.
 * Returns 0, or -1 when w or h is negative or too large or memory runs
 * out; g is then an empty 0 x 0 grid that ui_grid_free accepts.
 */
int ui_grid_init(struct ui_grid *g, int w, int h);

/*
 * Make g w x h and blank: nothing of the old contents survives, since a
 * resized screen is always drawn again from scratch.  Returns 0, or -1
 * (bad size, no memory) leaving g as it was.  Keeps g->ascii.
 */
int ui_grid_resize(struct ui_grid *g, int w, int h);

/* Release the cells; g becomes an empty grid.  Accepts an empty grid. */
void ui_grid_free(struct ui_grid *g);

/* Every cell back to a blank in UI_S_NORMAL. */
void ui_grid_clear(struct ui_grid *g);

/* The cell at (x, y), or NULL outside the grid. */
struct ui_cell *ui_grid_cell(struct ui_grid *g, int x, int y);

/*
 * Decode one code point from the NUL-terminated UTF-8 string s (*s != 0)
 * into *cp and return how many bytes it took (1-4).  An invalid or
 * truncated sequence (a stray continuation byte, an overlong form, a
 * surrogate, a value past U+10FFFF, a sequence cut off) gives U+FFFD for
 * its longest valid-looking prefix, as Unicode recommends; the decoder
 * never reads past the terminating NUL.
 */
size_t ui_utf8_next(const char *s, uint32_t *cp);

/* How many columns ui_put would need for utf8 (its code points). */
int ui_text_cols(const char *utf8);

/*
 * The one-column ASCII stand-in for code point cp: cp itself for printable
 * ASCII, '-' '|' '+' for box drawing, '"' for curly quotes, 'e' for 'é',
 * and so on; '?' when there is nothing better.
 */
uint32_t ui_ascii_fallback(uint32_t cp);

/* The code point of glyph gl, or its ASCII stand-in in ASCII mode. */
uint32_t ui_glyph(const struct ui_grid *g, enum ui_glyph gl);

/*
 * Set one cell.  Control characters become U+FFFD; in ASCII mode every
 * code point goes through ui_ascii_fallback.  Outside the grid: nothing.
 */
void ui_set(struct ui_grid *g, int x, int y, enum ui_style style, uint32_t ch);

/*
 * Write the UTF-8 text utf8 from (x, y) rightwards, one code point per
 * column, clipped at every edge (with x < 0 the text starts off-screen and
 * its first -x columns are lost).  The text is one line: a control
 * character, like an invalid byte, shows as U+FFFD.  Returns the number of
 * cells written, so 0 when the row is off the grid.
 */
int ui_put(struct ui_grid *g, int x, int y, enum ui_style style, const char *utf8);

/* ui_put, writing at most maxcols columns of the text (a pane's width). */
int ui_putn(struct ui_grid *g, int x, int y, int maxcols, enum ui_style style, const char *utf8);

/*
 * Fit utf8 into cols columns: the whole text when it fits, otherwise its
 * first cols-1 columns and an ellipsis glyph.  Returns cells written.
 */
int ui_put_fit(struct ui_grid *g, int x, int y, int cols, enum ui_style style, const char *utf8);

/*
 * printf into the grid: format, then ui_put.  Output of any length is
 * formatted whole (then clipped by the grid), never cut at a buffer size.
 */
int ui_putf(struct ui_grid *g, int x, int y, enum ui_style style, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int ui_vputf(struct ui_grid *g, int x, int y, enum ui_style style, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

/* Fill the w x h rectangle at (x, y) with ch (clipped). */
void ui_fill(struct ui_grid *g, int x, int y, int w, int h, uint32_t ch, enum ui_style style);

/* A horizontal line of w cells ('─' or '-'), a vertical one of h ('│' or '|'). */
void ui_hline(struct ui_grid *g, int x, int y, int w, enum ui_style style);
void ui_vline(struct ui_grid *g, int x, int y, int h, enum ui_style style);

/*
 * A box with its corners at (x, y) and (x+w-1, y+h-1): ┌─┐ │ │ └─┘, or
 * + - | in ASCII mode.  A title (NULL for none) sits on the top edge as
 * "┌─ Title ──┐", cut with an ellipsis when the box is too narrow.  The
 * inside is left alone.  Boxes under 2 x 2 draw nothing.
 */
void ui_box(struct ui_grid *g, int x, int y, int w, int h, enum ui_style style,
	    const char *title);

/* A divider across a box of width w at row y: ├────┤ (ASCII +----+). */
void ui_box_rule(struct ui_grid *g, int x, int y, int w, enum ui_style style);

/*
 * Row y as UTF-8 text with trailing blanks trimmed, like snprintf: returns
 * the length the whole row needs (without the NUL), writes at most size-1
 * bytes and always NUL-terminates when size > 0; a cut never splits a code
 * point.  A row off the grid is "".
 */
size_t ui_grid_row_text(const struct ui_grid *g, int y, char *buf, size_t size);

/* Every row as by ui_grid_row_text, each followed by '\n'; same contract. */
size_t ui_grid_text(const struct ui_grid *g, char *buf, size_t size);

#endif /* DT_UI_GRID_H */
