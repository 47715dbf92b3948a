/*
 * ui_term.h - the terminal: set-up, teardown, drawing a grid, reading keys.
 *
 * The one module that talks to curses (htop's CRT.c is the example).  The
 * rest of the UI renders into a struct ui_grid and never sees curses;
 * this module copies a finished grid to the screen, turns styles into
 * colours (or into bold/reverse/underline/dim on a monochrome terminal, or
 * with NO_COLOR or --no-color), and reads keys and mouse clicks.
 *
 * Leaving the terminal as we found it is this module's other job.  Besides
 * ui_term_close (also run at exit), signal handlers restore the terminal
 * when the process dies of SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGFPE,
 * SIGILL or SIGABRT: they write bytes prepared at open time and put back
 * the saved terminal modes, which is all a signal handler may safely do.
 *
 * Ctrl-C (SIGINT) and SIGTERM take the clean path: the first one only sets
 * a flag, ui_term_getkey returns UI_KEY_QUIT at once (a blocking read is
 * interrupted), and the main loop quits as for 'q', saving progress and
 * calling ui_term_close.  A second one before the loop has reacted (it is
 * stuck, say, in a long computation) restores the terminal and exits with
 * status 128 + signal.
 */
#ifndef DT_UI_TERM_H
#define DT_UI_TERM_H

#include <stdbool.h>

#include "ui_grid.h"

struct ui_term_options {
	bool ascii;    /* --ascii: ASCII even when the locale is UTF-8 */
	bool no_color; /* --no-color (NO_COLOR in the environment does the same) */
	bool no_mouse; /* leave the mouse to the terminal (its own selection) */
	bool high_contrast; /* the projector theme (--demo): bold, bright, on black */
};

/* Results of ui_term_open. */
enum {
	UI_TERM_OK = 0,
	UI_TERM_ENOTTY = -1,  /* standard input or output is not a terminal */
	UI_TERM_ENOTERM = -2, /* curses does not know $TERM */
};

/*
 * Key codes that ui_term_getkey returns besides characters: the values of
 * curses's KEY_* constants (ui_term.c checks that they agree), so that the
 * rest of the UI need not include curses.
 */
enum {
	UI_KEY_NONE = -1, /* the timeout passed, or an event we ignore */
	UI_KEY_DOWN = 0402,
	UI_KEY_UP = 0403,
	UI_KEY_LEFT = 0404,
	UI_KEY_RIGHT = 0405,
	UI_KEY_HOME = 0406,
	UI_KEY_BACKSPACE = 0407,
	UI_KEY_F0 = 0410, /* UI_KEY_F(n) is function key n */
	UI_KEY_DC = 0512, /* Delete */
	UI_KEY_IC = 0513, /* Insert */
	UI_KEY_NPAGE = 0522,
	UI_KEY_PPAGE = 0523,
	UI_KEY_ENTER = 0527, /* keypad Enter; Return arrives as '\r' (nonl) */
	UI_KEY_BTAB = 0541,  /* Shift-Tab */
	UI_KEY_END = 0550,
	UI_KEY_MOUSE = 0631,  /* read the click with ui_term_mouse */
	UI_KEY_RESIZE = 0632, /* the terminal changed size: see ui_term_size */
	UI_KEY_QUIT = 01000,  /* SIGINT or SIGTERM: quit cleanly (past KEY_MAX) */
};
#define UI_KEY_F(n) (UI_KEY_F0 + (n))

/* What the last UI_KEY_MOUSE was. */
enum ui_mouse {
	UI_MOUSE_NONE,
	UI_MOUSE_CLICK, /* the left button went down */
	UI_MOUSE_WHEEL_UP,
	UI_MOUSE_WHEEL_DOWN,
};

/*
 * Take over the terminal: the locale (LC_NUMERIC stays "C" so that numbers
 * print with '.'), curses in cbreak mode with keypad and no echo, hidden
 * cursor, mouse clicks, colours when the terminal has them and neither
 * o->no_color nor a non-empty NO_COLOR says no, ASCII when the locale's
 * codeset is not UTF-8 or o->ascii, and the signal handlers.  o may be
 * NULL for the defaults.  Returns UI_TERM_OK (also when already open) or a
 * negative UI_TERM_E* value with the terminal untouched.
 */
int ui_term_open(const struct ui_term_options *o);

/* Give the terminal back as it was.  Safe to call twice or unopened. */
void ui_term_close(void);

/*
 * For a signal handler about to end the process (the last-resort alarm):
 * write the prepared restore bytes and the saved modes, as the fatal
 * signal handlers do.  Async-signal-safe; does nothing unless curses is up.
 */
void ui_term_restore_now(void);

/* The decisions ui_term_open made; a grid for this terminal sets g->ascii. */
bool ui_term_ascii(void);
bool ui_term_color(void);

/* The terminal's size now (after UI_KEY_RESIZE, the new one).  0 or -1. */
int ui_term_size(int *w, int *h);

/*
 * Show grid g: every cell at its position, styles as colours or
 * attributes, then one refresh (curses sends only what changed).  A grid
 * smaller than the screen leaves the rest blank; a larger one is cut.
 */
void ui_term_blit(const struct ui_grid *g);

/*
 * The next key, waiting at most timeout_ms (negative: until there is
 * one): a character, a UI_KEY_* value, UI_KEY_NONE when the time passed,
 * or UI_KEY_QUIT once SIGINT or SIGTERM arrived or the terminal went away
 * (a blocking read that fails with standard input hung up, as under
 * nohup when the window is closed).
 */
int ui_term_getkey(int timeout_ms);

/* The last UI_KEY_MOUSE: what happened, and at which cell (*x, *y). */
enum ui_mouse ui_term_mouse(int *x, int *y);

/* True once SIGINT, SIGTERM or SIGHUP arrived or the terminal went away
 * (ui_term_getkey reports it too).  A second such signal before the
 * clean quit ends restores the terminal and exits 128 + its number. */
bool ui_term_quit_requested(void);
/* The signal that asked for the clean quit, 0 for none. */
int ui_term_quit_signal(void);

/* A key's name for the help screen and footer: "q", "Up", "F1", "Ctrl-L". */
const char *ui_term_name_of_key(int key);

/* A sentence for a UI_TERM_E* result of ui_term_open. */
const char *ui_term_strerror(int rc);

/*
 * The curses attributes (colour pair included when !mono) that style s
 * is drawn with: the theme, readable without a terminal, for the tests.
 */
unsigned long ui_term_style_attrs(enum ui_style s, bool mono);
/* The same for either theme, and a style's colours (-1: the terminal's). */
unsigned long ui_term_theme_attrs(enum ui_style s, bool mono, bool high_contrast);
void ui_term_theme_colors(enum ui_style s, bool high_contrast, short *fg, short *bg);

#endif /* DT_UI_TERM_H */
