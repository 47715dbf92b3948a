/*
 * ui_term.c - curses, colours, keys, and giving the terminal back.
 *
 * The only file of dpctutor that includes <curses.h>.  The rest of the UI
 * draws into a struct ui_grid; ui_term_blit copies that grid into curses's
 * screen and lets curses send the difference to the terminal.  Styles are
 * meanings (UI_S_DPC, UI_S_FALSE); the theme below turns each into a
 * colour pair plus attributes, or, on a monochrome terminal and with
 * NO_COLOR or --no-color, into attributes alone, chosen so that the styles
 * shown side by side (the IRQL levels, the timeline bands, TRUE and FALSE,
 * the footer and its keys) still differ from each other.
 *
 * Giving the terminal back.  curses puts the terminal in a raw-ish mode on
 * an alternate screen with the cursor hidden; a process that dies without
 * undoing that leaves the student a broken shell.  ui_term_close undoes it
 * with endwin (and runs at exit).  For deaths by signal, ui_term_open
 * prepares, while curses is still usable, the escape sequences that undo
 * it (terminfo's sgr0, cnorm, rmkx, rmcup) and saves the terminal modes;
 * the handler then does only what POSIX allows in a signal handler: write
 * those bytes, tcsetattr the saved modes, and die of the same signal.  It
 * runs on its own stack so that a stack overflow can be reported too.
 * SIGINT, SIGTERM and SIGHUP first take a clean path instead (see
 * ui_term.h): the student's place is saved before the tutor goes.
 *
 * State.  Curses is one per process and a signal handler can reach only
 * globals, so this module keeps the front-end's only globals: `sig`, what
 * the handler reads (set before the handlers go in, cleared after they
 * come out), and `term`, the open session (the curses screen, the
 * decisions made at open, the saved signal dispositions, the last click),
 * which the handler never touches.
 */
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1 /* curses's wide-character functions */
#endif

#include "ui_term.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

#if defined(NCURSES_WIDECHAR) && !NCURSES_WIDECHAR
#error "ui_term.c needs the wide-character curses (pkg-config ncursesw)"
#endif

/* ui_term.h's key codes are curses's, so callers need not include curses. */
_Static_assert(UI_KEY_NONE == ERR, "UI_KEY_NONE");
_Static_assert(UI_KEY_DOWN == KEY_DOWN && UI_KEY_UP == KEY_UP, "arrow keys");
_Static_assert(UI_KEY_LEFT == KEY_LEFT && UI_KEY_RIGHT == KEY_RIGHT, "arrow keys");
_Static_assert(UI_KEY_HOME == KEY_HOME && UI_KEY_END == KEY_END, "Home/End");
_Static_assert(UI_KEY_BACKSPACE == KEY_BACKSPACE && UI_KEY_F0 == KEY_F0, "keys");
_Static_assert(UI_KEY_DC == KEY_DC && UI_KEY_IC == KEY_IC, "Delete/Insert");
_Static_assert(UI_KEY_NPAGE == KEY_NPAGE && UI_KEY_PPAGE == KEY_PPAGE, "pages");
_Static_assert(UI_KEY_ENTER == KEY_ENTER && UI_KEY_BTAB == KEY_BTAB, "Enter/Shift-Tab");
_Static_assert(UI_KEY_MOUSE == KEY_MOUSE && UI_KEY_RESIZE == KEY_RESIZE, "events");
_Static_assert(UI_KEY_QUIT > KEY_MAX, "UI_KEY_QUIT is no curses key");

/* ------------------------------------------------------------------ */
/* The theme */

struct theme {
	short fg, bg; /* curses colours; DEF is the terminal's own */
	attr_t color; /* attributes beside the colours */
	attr_t mono;  /* attributes alone: monochrome, NO_COLOR, --no-color */
};

#define DEF (-1)
#define B A_BOLD
#define R A_REVERSE
#define U A_UNDERLINE
#define D A_DIM

/*
 * Monochrome groups that must stay distinct (test_ui_grid.c checks them):
 * text (NORMAL DIM BOLD TITLE SELECTED), footer (FOOTER KEY), IRQLs
 * (PASSIVE DISPATCH DIRQL HIGH), bands (NORMAL=idle THREAD WORKITEM DPC
 * ISR), results (NORMAL TRUE FALSE), messages (STORY ASK WARN ERROR).
 */
static const struct theme theme[UI_S_COUNT] = {
	[UI_S_NORMAL] = { DEF, DEF, 0, 0 },
	[UI_S_DIM] = { DEF, DEF, D, D },
	[UI_S_BOLD] = { DEF, DEF, B, B },
	[UI_S_TITLE] = { COLOR_CYAN, DEF, B, B | U },
	[UI_S_FOOTER] = { COLOR_BLACK, COLOR_CYAN, 0, R },
	[UI_S_KEY] = { COLOR_YELLOW, DEF, B, R | B },
	[UI_S_SELECTED] = { DEF, DEF, R, R },
	[UI_S_PASSIVE] = { COLOR_GREEN, DEF, 0, 0 },
	[UI_S_DISPATCH] = { COLOR_YELLOW, DEF, B, B },
	[UI_S_DIRQL] = { COLOR_MAGENTA, DEF, B, B | U },
	[UI_S_HIGH] = { COLOR_WHITE, COLOR_RED, B, R | B },
	[UI_S_ISR] = { COLOR_MAGENTA, DEF, 0, R },
	[UI_S_DPC] = { COLOR_YELLOW, DEF, 0, B },
	[UI_S_THREAD] = { COLOR_GREEN, DEF, 0, D },
	[UI_S_WORKITEM] = { COLOR_CYAN, DEF, 0, U },
	[UI_S_TRUE] = { COLOR_GREEN, DEF, B, B },
	[UI_S_FALSE] = { COLOR_RED, DEF, B, R | B },
	[UI_S_WARN] = { COLOR_YELLOW, DEF, B, B | U },
	[UI_S_ERROR] = { COLOR_WHITE, COLOR_RED, B, R | B },
	[UI_S_BLUESCREEN] = { COLOR_WHITE, COLOR_BLUE, B, R },
	[UI_S_STORY] = { DEF, DEF, 0, 0 },
	[UI_S_ASK] = { COLOR_BLACK, COLOR_YELLOW, 0, U },
};

/*
 * The projector theme of the demo (--demo): every colour on black, bold,
 * bright foregrounds only (a projector washes out dim text, blue on black
 * and the terminal's own grey), and nothing dim.  Without colours the
 * ordinary theme's attributes are used (its .mono here is unused).
 */
#define K COLOR_BLACK
static const struct theme projector[UI_S_COUNT] = {
	[UI_S_NORMAL] = { COLOR_WHITE, K, B, 0 },
	[UI_S_DIM] = { COLOR_CYAN, K, B, 0 },
	[UI_S_BOLD] = { COLOR_WHITE, K, B, B },
	[UI_S_TITLE] = { K, COLOR_WHITE, B, R | B },
	[UI_S_FOOTER] = { K, COLOR_YELLOW, B, R },
	[UI_S_KEY] = { K, COLOR_WHITE, B, R | B },
	[UI_S_SELECTED] = { K, COLOR_CYAN, B, R },
	[UI_S_PASSIVE] = { COLOR_GREEN, K, B, 0 },
	[UI_S_DISPATCH] = { COLOR_YELLOW, K, B, B },
	[UI_S_DIRQL] = { COLOR_MAGENTA, K, B, B | U },
	[UI_S_HIGH] = { COLOR_WHITE, COLOR_RED, B, R | B },
	[UI_S_ISR] = { COLOR_MAGENTA, K, B, R },
	[UI_S_DPC] = { COLOR_YELLOW, K, B, B },
	[UI_S_THREAD] = { COLOR_GREEN, K, B, U },
	[UI_S_WORKITEM] = { COLOR_CYAN, K, B, U },
	[UI_S_TRUE] = { COLOR_GREEN, K, B, B },
	[UI_S_FALSE] = { COLOR_WHITE, COLOR_RED, B, R | B },
	[UI_S_WARN] = { COLOR_YELLOW, K, B, B | U },
	[UI_S_ERROR] = { COLOR_WHITE, COLOR_RED, B, R | B },
	[UI_S_BLUESCREEN] = { COLOR_WHITE, COLOR_BLUE, B, R },
	[UI_S_STORY] = { COLOR_WHITE, K, B, B },
	[UI_S_ASK] = { K, COLOR_YELLOW, B, R | U },
};
#undef K

#undef B
#undef R
#undef U
#undef D

/* The theme in use: the ordinary one, or the projector's. */
static const struct theme *themes = theme;

static enum ui_style valid_style(unsigned s)
{
	return s < UI_S_COUNT ? (enum ui_style)s : UI_S_NORMAL;
}

unsigned long ui_term_theme_attrs(enum ui_style s, bool mono, bool high_contrast)
{
	const struct theme *t = high_contrast ? projector : theme;
	s = valid_style(s);
	if (mono)
		return theme[s].mono;
	return t[s].color | COLOR_PAIR(s + 1);
}

unsigned long ui_term_style_attrs(enum ui_style s, bool mono)
{
	return ui_term_theme_attrs(s, mono, false);
}

void ui_term_theme_colors(enum ui_style s, bool high_contrast, short *fg, short *bg)
{
	const struct theme *t = high_contrast ? projector : theme;
	s = valid_style(s);
	*fg = t[s].fg;
	*bg = t[s].bg;
}

/* ------------------------------------------------------------------ */
/* State (see the top of the file) */

static struct {
	volatile sig_atomic_t armed; /* curses is up: restore before dying */
	volatile sig_atomic_t quit;  /* SIGINT, SIGTERM or SIGHUP arrived: its number */
	int fd;                      /* the terminal curses writes to */
	int have_modes;
	struct termios modes; /* the terminal's modes before curses */
	size_t len;
	char bytes[256]; /* escape sequences that undo curses */
} sig;

static char sig_stack[64 * 1024]; /* the handler's stack */

static const int caught[] = { SIGINT,  SIGTERM, SIGHUP, SIGQUIT, SIGSEGV,
			      SIGBUS, SIGFPE, SIGILL, SIGABRT };
#define NCAUGHT (sizeof caught / sizeof caught[0])

static struct {
	SCREEN *screen; /* NULL while closed */
	bool ascii, color, mouse_on, at_exit;
	struct sigaction old[NCAUGHT]; /* dispositions before open */
	stack_t old_stack;
	bool have_old_stack;
	enum ui_mouse mouse; /* the last click */
	int mouse_x, mouse_y;
	bool hung_up; /* the terminal went away under a blocking read */
#ifdef DT_TEST_HOOKS
	long crash_frame, frames; /* DPCTUTOR_TEST_CRASH_DRAW: see the hook */
#endif
} term;

/* ------------------------------------------------------------------ */
/* Signals */

static bool is_quit_signal(int signo)
{
	return signo == SIGINT || signo == SIGTERM || signo == SIGHUP;
}

/* Async-signal-safe: write(2) and tcsetattr(3) only. */
static void restore_terminal(void)
{
	size_t done = 0;

	while (done < sig.len) {
		ssize_t n = write(sig.fd, sig.bytes + done, sig.len - done);

		if (n > 0)
			done += (size_t)n;
		else if (n < 0 && errno == EINTR)
			continue;
		else
			break;
	}
	if (sig.have_modes)
		tcsetattr(sig.fd, TCSANOW, &sig.modes);
}

static void on_signal(int signo)
{
	int saved_errno = errno;

	if (is_quit_signal(signo) && !sig.quit) {
		sig.quit = signo; /* the clean path: ui_term_getkey reports it */
		errno = saved_errno;
		return;
	}
	if (sig.armed) {
		sig.armed = 0;
		restore_terminal();
	}
	if (is_quit_signal(signo)) /* the second one: no clean path now */
		_exit(128 + signo);
	/*
	 * SA_RESETHAND has put back the default action, so this signal kills
	 * the process (with a core dump, if enabled) once the handler returns
	 * and unblocks it, exactly as if we had never caught it.
	 */
	raise(signo);
	errno = saved_errno;
}

void ui_term_restore_now(void)
{
	if (sig.armed) {
		sig.armed = 0;
		restore_terminal();
	}
}

/* Remember the dispositions before curses installs any of its own. */
static void save_handlers(void)
{
	for (size_t i = 0; i < NCAUGHT; i++)
		sigaction(caught[i], NULL, &term.old[i]);
}

static void install_handlers(void)
{
	stack_t ss = { .ss_sp = sig_stack, .ss_size = sizeof sig_stack, .ss_flags = 0 };
	struct sigaction sa;

	term.have_old_stack = sigaltstack(&ss, &term.old_stack) == 0;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask); /* one handler at a time */
	for (size_t i = 0; i < NCAUGHT; i++) {
		int s = caught[i];
		bool fatal = !is_quit_signal(s);

		/* An ignored SIGHUP (nohup) or SIGINT (a background job) stays so. */
		if (!fatal && term.old[i].sa_handler == SIG_IGN)
			continue;
		/* No SA_RESTART: Ctrl-C must interrupt a blocking read of a key. */
		sa.sa_flags = SA_ONSTACK | (fatal ? SA_RESETHAND : 0);
		sigaction(s, &sa, NULL);
	}
}

static void remove_handlers(void)
{
	for (size_t i = 0; i < NCAUGHT; i++)
		sigaction(caught[i], &term.old[i], NULL);
	if (term.have_old_stack)
		sigaltstack(&term.old_stack, NULL);
}

/* ------------------------------------------------------------------ */
/* The restore bytes, prepared at open */

static void restore_add(const char *p, size_t n)
{
	if (sig.len + n <= sizeof sig.bytes) {
		memcpy(sig.bytes + sig.len, p, n);
		sig.len += n;
	}
}

/* Length of a terminfo delay like "$<5>" or "$<2.5*>" at s, else 0. */
static size_t padding_len(const char *s)
{
	size_t n = 2;

	if (s[0] != '$' || s[1] != '<')
		return 0;
	while (s[n] != '\0' && strchr("0123456789.*/", s[n]) != NULL)
		n++;
	return s[n] == '>' ? n + 1 : 0;
}

/* Append terminfo string capability `name`, without its delays. */
static void restore_add_cap(const char *name)
{
	const char *s = tigetstr((char *)name);

	if (s == NULL || s == (const char *)-1)
		return;
	while (*s != '\0') {
		size_t pad = padding_len(s);

		if (pad == 0)
			restore_add(s, 1);
		s += pad ? pad : 1;
	}
}

static void build_restore(void)
{
	static const char mouse_off[] = "\033[?1000l\033[?1002l\033[?1003l\033[?1006l";
	static const char fallback[] = "\033[?1049l\033[?25h\033[0m";

	size_t before;

	sig.len = 0;
	if (term.mouse_on)
		restore_add(mouse_off, sizeof mouse_off - 1);
	before = sig.len;
	restore_add_cap("sgr0");  /* attributes off */
	restore_add_cap("cnorm"); /* cursor visible */
	restore_add_cap("rmkx");  /* keypad back to normal mode */
	restore_add_cap("rmcup"); /* leave the alternate screen */
	if (sig.len == before) /* no terminfo strings at all: assume xterm */
		restore_add(fallback, sizeof fallback - 1);
}

/* ------------------------------------------------------------------ */
/* The test build's crash in the middle of drawing */

#ifdef DT_TEST_HOOKS
/*
 * A crash in the middle of drawing, for tests/ui/t_faults.sh.  Compiled
 * only into the test build (-DDT_TEST_HOOKS: `make
 * build/plain/dpctutor-test-hooks`, which check-ui builds), never into
 * the dpctutor that is installed; there DPCTUTOR_TEST_CRASH_DRAW=N (N >=
 * 1) makes frame N crash half-way down the screen: the rows drawn so far
 * are sent, then reverse video and the first half of a UTF-8 character go
 * straight to the terminal, and a store through a null pointer dies of
 * SIGSEGV, as a real bug in a drawing routine would.  The terminal is
 * then left as badly as it can be, with attributes on and a character
 * cut in two, and the SIGSEGV handler must still give it back.
 */
static void test_hook_arm(void)
{
	const char *n = getenv("DPCTUTOR_TEST_CRASH_DRAW");

	term.frames = 0;
	term.crash_frame = n != NULL ? strtol(n, NULL, 10) : 0;
}

static void test_hook_mid_draw(void)
{
	static const char torn[] = "\033[7m\xe2\x94";
	/* volatile twice: the compiler can neither see NULL nor drop the store */
	volatile int *volatile nowhere = NULL;

	if (term.crash_frame <= 0 || term.frames != term.crash_frame)
		return;
	wnoutrefresh(stdscr);
	doupdate();
	fflush(stdout);
	if (write(STDOUT_FILENO, torn, sizeof torn - 1) < 0)
		return;
	*nowhere = 1;
}
#else
static void test_hook_arm(void)
{
}

static void test_hook_mid_draw(void)
{
}
#endif

/* ------------------------------------------------------------------ */
/* Opening and closing */

static bool locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs != NULL && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "UTF8") == 0);
}

/* https://no-color.org: a NO_COLOR that is set and not empty means none. */
static bool want_color(const struct ui_term_options *o)
{
	const char *no_color = getenv("NO_COLOR");

	if ((o != NULL && o->no_color) || (no_color != NULL && *no_color != '\0'))
		return false;
	return has_colors();
}

static bool start_colors(void)
{
	short fg_def = DEF, bg_def = DEF;

	if (start_color() != OK || COLORS < 8 || COLOR_PAIRS <= UI_S_COUNT)
		return false;
	if (use_default_colors() != OK) {
		fg_def = COLOR_WHITE;
		bg_def = COLOR_BLACK;
	}
	for (int s = 0; s < UI_S_COUNT; s++)
		init_pair((short)(s + 1), themes[s].fg == DEF ? fg_def : themes[s].fg,
			  themes[s].bg == DEF ? bg_def : themes[s].bg);
	return true;
}

static void setup_input(const struct ui_term_options *o)
{
	mmask_t clicks = BUTTON1_PRESSED | BUTTON4_PRESSED;

#ifdef BUTTON5_PRESSED
	clicks |= BUTTON5_PRESSED;
#endif
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	term.mouse_on = false;
	if ((o == NULL || !o->no_mouse) && mousemask(clicks, NULL) != 0) {
		mouseinterval(0); /* report a press at once, no click detection */
		term.mouse_on = true;
	}
}

int ui_term_open(const struct ui_term_options *o)
{
	if (term.screen != NULL)
		return UI_TERM_OK;
	/* Only the character type: wide characters for curses.  LC_COLLATE
	 * would change how Lua compares strings (strcoll) and so make lessons
	 * behave differently per machine; LC_NUMERIC would change "3.5". */
	setlocale(LC_CTYPE, "");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return UI_TERM_ENOTTY;
	sig.fd = STDOUT_FILENO;
	sig.have_modes = tcgetattr(sig.fd, &sig.modes) == 0;
	save_handlers();
	term.screen = newterm(NULL, stdout, stdin);
	if (term.screen == NULL)
		return UI_TERM_ENOTERM;
	set_term(term.screen);
	term.ascii = (o != NULL && o->ascii) || !locale_is_utf8();
	themes = o != NULL && o->high_contrast ? projector : theme;
	setup_input(o);
	term.color = want_color(o) && start_colors();
	term.mouse = UI_MOUSE_NONE;
	build_restore();
	sig.quit = 0;
	term.hung_up = false;
	test_hook_arm();
	sig.armed = 1;
	install_handlers();
	if (!term.at_exit)
		term.at_exit = atexit(ui_term_close) == 0;
	return UI_TERM_OK;
}

void ui_term_close(void)
{
	if (term.screen == NULL)
		return;
	endwin();
	sig.armed = 0;
	remove_handlers();
	delscreen(term.screen);
	term.screen = NULL;
}

bool ui_term_ascii(void)
{
	return term.ascii;
}

bool ui_term_color(void)
{
	return term.color;
}

bool ui_term_quit_requested(void)
{
	return sig.quit != 0 || term.hung_up;
}

int ui_term_quit_signal(void)
{
	return sig.quit;
}

const char *ui_term_strerror(int rc)
{
	switch (rc) {
	case UI_TERM_OK:
		return "the terminal is ready";
	case UI_TERM_ENOTTY:
		return "standard input and output must be a terminal (--plain prints a transcript)";
	case UI_TERM_ENOTERM:
		return "curses does not know this terminal type (check $TERM)";
	default:
		return "the terminal could not be set up";
	}
}

/* ------------------------------------------------------------------ */
/* Drawing */

int ui_term_size(int *w, int *h)
{
	int rows = 0, cols = 0;

	if (term.screen != NULL)
		getmaxyx(stdscr, rows, cols);
	if (w != NULL)
		*w = cols;
	if (h != NULL)
		*h = rows;
	return term.screen != NULL ? 0 : -1;
}

/* What the terminal can show of ch in one column; '?' for anything else. */
static wchar_t screen_char(uint32_t ch)
{
	if (ch < 0x20 || ch == 0x7F || ch > 0x10FFFF)
		return L'?';
	if (term.ascii)
		return ch < 0x7F ? (wchar_t)ch : L'?';
	return wcwidth((wchar_t)ch) == 1 ? (wchar_t)ch : L'?';
}

static void draw_cell(int x, int y, const struct ui_cell *c)
{
	enum ui_style s = valid_style(c->style);
	wchar_t wc[2] = { screen_char(c->ch), L'\0' };
	attr_t attr = term.color ? themes[s].color : theme[s].mono;
	short pair = term.color ? (short)(s + 1) : 0;
	cchar_t cc;

	if (setcchar(&cc, wc, attr, pair, NULL) == OK)
		mvadd_wch(y, x, &cc); /* ERR in the last corner, yet drawn */
}

void ui_term_blit(const struct ui_grid *g)
{
	int rows, cols;

	if (term.screen == NULL)
		return;
#ifdef DT_TEST_HOOKS
	term.frames++;
#endif
	getmaxyx(stdscr, rows, cols);
	werase(stdscr);
	for (int y = 0; y < rows && y < g->h; y++) {
		if (y == rows / 2)
			test_hook_mid_draw();
		for (int x = 0; x < cols && x < g->w; x++)
			draw_cell(x, y, &g->cells[(size_t)y * (size_t)g->w + (size_t)x]);
	}
	wnoutrefresh(stdscr);
	doupdate();
}

/* ------------------------------------------------------------------ */
/* Keys and the mouse */

/* Keep the event behind a UI_KEY_MOUSE; false for one we do not use. */
static bool read_mouse(void)
{
	MEVENT ev;
	enum ui_mouse what = UI_MOUSE_NONE;

	if (getmouse(&ev) != OK)
		return false;
	if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))
		what = UI_MOUSE_CLICK;
	else if (ev.bstate & BUTTON4_PRESSED)
		what = UI_MOUSE_WHEEL_UP;
#ifdef BUTTON5_PRESSED
	else if (ev.bstate & BUTTON5_PRESSED)
		what = UI_MOUSE_WHEEL_DOWN;
#endif
	if (what == UI_MOUSE_NONE)
		return false;
	term.mouse = what;
	term.mouse_x = ev.x;
	term.mouse_y = ev.y;
	return true;
}

/*
 * After a blocking read came back with nothing: is the terminal gone?  A
 * closed terminal window normally sends SIGHUP, but under nohup (or with
 * SIGHUP ignored some other way) the process lives on and every read
 * fails at once; without this check the main loop would spin on them,
 * using a whole CPU, forever.
 */
static bool input_gone(void)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN, .revents = 0 };

	if (poll(&pfd, 1, 0) < 0)
		return errno != EINTR;
	return (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
}

int ui_term_getkey(int timeout_ms)
{
	int key;

	if (term.screen == NULL)
		return UI_KEY_NONE;
	if (sig.quit || term.hung_up)
		return UI_KEY_QUIT;
	timeout(timeout_ms < 0 ? -1 : timeout_ms);
	key = getch();
	if (sig.quit)
		return UI_KEY_QUIT;
	if (key == ERR && timeout_ms < 0 && input_gone()) {
		term.hung_up = true;
		return UI_KEY_QUIT;
	}
	if (key == KEY_MOUSE)
		return read_mouse() ? KEY_MOUSE : UI_KEY_NONE;
	return key == ERR ? UI_KEY_NONE : key;
}

enum ui_mouse ui_term_mouse(int *x, int *y)
{
	if (x != NULL)
		*x = term.mouse_x;
	if (y != NULL)
		*y = term.mouse_y;
	return term.mouse;
}

/* Names of keys that are not printable characters. */
static const struct {
	int key;
	const char *name;
} key_names[] = {
	{ UI_KEY_UP, "Up" },
	{ UI_KEY_DOWN, "Down" },
	{ UI_KEY_LEFT, "Left" },
	{ UI_KEY_RIGHT, "Right" },
	{ UI_KEY_HOME, "Home" },
	{ UI_KEY_END, "End" },
	{ UI_KEY_PPAGE, "PgUp" },
	{ UI_KEY_NPAGE, "PgDn" },
	{ UI_KEY_IC, "Ins" },
	{ UI_KEY_DC, "Del" },
	{ UI_KEY_BACKSPACE, "Backspace" },
	{ 0x7F, "Backspace" },
	{ '\b', "Backspace" },
	{ UI_KEY_ENTER, "Enter" },
	{ '\r', "Enter" },
	{ '\n', "Enter" },
	{ '\t', "Tab" },
	{ UI_KEY_BTAB, "Shift-Tab" },
	{ 0x1B, "Esc" },
	{ ' ', "Space" },
	{ UI_KEY_MOUSE, "Mouse" },
	{ UI_KEY_RESIZE, "Resize" },
	{ UI_KEY_QUIT, "Ctrl-C" },
};

static const char *const fkey_names[] = { "F0", "F1", "F2", "F3", "F4",  "F5", "F6",
					  "F7", "F8", "F9", "F10", "F11", "F12" };

static const char *const ctrl_names[] = {
	"Ctrl-@", "Ctrl-A", "Ctrl-B", "Ctrl-C", "Ctrl-D", "Ctrl-E", "Ctrl-F", "Ctrl-G",
	"Ctrl-H", "Ctrl-I", "Ctrl-J", "Ctrl-K", "Ctrl-L", "Ctrl-M", "Ctrl-N", "Ctrl-O",
	"Ctrl-P", "Ctrl-Q", "Ctrl-R", "Ctrl-S", "Ctrl-T", "Ctrl-U", "Ctrl-V", "Ctrl-W",
	"Ctrl-X", "Ctrl-Y", "Ctrl-Z", "Ctrl-[", "Ctrl-\\", "Ctrl-]", "Ctrl-^", "Ctrl-_",
};

/* The printable characters '!'..'~', each its own string. */
static const char graph_names[94][2] = {
	"!", "\"", "#", "$", "%", "&", "'", "(", ")", "*", "+", ",", "-", ".", "/", "0",
	"1", "2", "3", "4", "5", "6", "7", "8", "9", ":", ";", "<", "=", ">", "?", "@",
	"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P",
	"Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", "[", "\\", "]", "^", "_", "`",
	"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p",
	"q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "{", "|", "}", "~",
};

const char *ui_term_name_of_key(int key)
{
	int nf = (int)(sizeof fkey_names / sizeof fkey_names[0]);

	for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
		if (key_names[i].key == key)
			return key_names[i].name;
	if (key > ' ' && key < 0x7F)
		return graph_names[key - '!'];
	if (key >= 0 && key < ' ')
		return ctrl_names[key];
	if (key >= UI_KEY_F0 && key < UI_KEY_F0 + nf)
		return fkey_names[key - UI_KEY_F0];
	return "?";
}
