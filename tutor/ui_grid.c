/*
 * ui_grid.c - the in-memory screen: cells, UTF-8 text, lines and boxes.
 *
 * This is the model half of the UI (tmux's grid.c is the example): every
 * screen is drawn here, and ui_term.c copies the finished grid to the
 * terminal in one pass.  Nothing here touches the terminal, so everything
 * here can be tested by rendering into a grid and reading it back as text.
 *
 * Text arrives as UTF-8 and is decoded here, by hand, so that the rules
 * are visible and do not depend on the C library's locale: a well-formed
 * sequence gives its code point, anything else gives U+FFFD, and one code
 * point fills one cell.  In ASCII mode each character is replaced on the
 * way in by a one-column ASCII stand-in (ui_ascii_fallback), so a grid in
 * ASCII mode holds nothing else and the terminal needs no fallback logic.
 */
#include "ui_grid.h"

#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Larger than any terminal; keeps w * h far from overflowing. */
#define GRID_MAX_SIDE 65535

static const struct ui_cell blank = { ' ', UI_S_NORMAL };

/* ------------------------------------------------------------------ */
/* Cells */

static int size_ok(int w, int h)
{
	return w >= 0 && h >= 0 && w <= GRID_MAX_SIDE && h <= GRID_MAX_SIDE;
}

/* A blank w x h cell array; *out is NULL for an empty grid.  0 or -1. */
static int cells_alloc(int w, int h, struct ui_cell **out)
{
	size_t n = (size_t)w * (size_t)h;

	*out = NULL;
	if (n == 0)
		return 0;
	*out = malloc(n * sizeof **out);
	if (*out == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		(*out)[i] = blank;
	return 0;
}

int ui_grid_init(struct ui_grid *g, int w, int h)
{
	assert(g != NULL);
	memset(g, 0, sizeof *g);
	if (!size_ok(w, h) || cells_alloc(w, h, &g->cells) != 0)
		return -1;
	g->w = w;
	g->h = h;
	return 0;
}

int ui_grid_resize(struct ui_grid *g, int w, int h)
{
	struct ui_cell *cells;

	assert(g != NULL);
	if (!size_ok(w, h) || cells_alloc(w, h, &cells) != 0)
		return -1;
	free(g->cells);
	g->cells = cells;
	g->w = w;
	g->h = h;
	return 0;
}

void ui_grid_free(struct ui_grid *g)
{
	assert(g != NULL);
	free(g->cells);
	g->cells = NULL;
	g->w = 0;
	g->h = 0;
}

void ui_grid_clear(struct ui_grid *g)
{
	size_t n = (size_t)g->w * (size_t)g->h;

	for (size_t i = 0; i < n; i++)
		g->cells[i] = blank;
}

static int inside(const struct ui_grid *g, int x, int y)
{
	return x >= 0 && y >= 0 && x < g->w && y < g->h;
}

struct ui_cell *ui_grid_cell(struct ui_grid *g, int x, int y)
{
	return inside(g, x, y) ? &g->cells[(size_t)y * (size_t)g->w + (size_t)x] : NULL;
}

/* ------------------------------------------------------------------ */
/* UTF-8 */

size_t ui_utf8_next(const char *s, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned lo = 0x80, hi = 0xBF; /* allowed range of the next byte */
	uint32_t v;
	size_t more;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xC2 && u[0] <= 0xDF) {
		more = 1;
		v = u[0] & 0x1F;
	} else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
		more = 2;
		v = u[0] & 0x0F;
		lo = u[0] == 0xE0 ? 0xA0 : 0x80; /* no overlong forms */
		hi = u[0] == 0xED ? 0x9F : 0xBF; /* no surrogates */
	} else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
		more = 3;
		v = u[0] & 0x07;
		lo = u[0] == 0xF0 ? 0x90 : 0x80; /* no overlong forms */
		hi = u[0] == 0xF4 ? 0x8F : 0xBF; /* nothing past U+10FFFF */
	} else {
		*cp = UI_REPLACEMENT; /* a continuation byte, C0, C1, F5..FF */
		return 1;
	}
	for (size_t i = 1; i <= more; i++) {
		/* The NUL terminator fails this test, so we stop there. */
		if (u[i] < lo || u[i] > hi) {
			*cp = UI_REPLACEMENT;
			return i;
		}
		v = v << 6 | (u[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = v;
	return more + 1;
}

int ui_text_cols(const char *utf8)
{
	int n = 0;
	uint32_t cp;

	while (utf8 && *utf8 && n < INT_MAX) {
		utf8 += ui_utf8_next(utf8, &cp);
		n++;
	}
	return n;
}

/* Encode cp (a valid scalar value) as UTF-8 into out; returns 1-4. */
static size_t utf8_encode(uint32_t cp, char out[4])
{
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = UI_REPLACEMENT;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* ------------------------------------------------------------------ */
/* ASCII stand-ins and glyphs */

/* U+00C0..U+00FF without their accents ('x' for the times sign). */
static const char latin1_ascii[] = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTs"
				   "aaaaaaaceeeeiiiidnooooo/ouuuuyty";
_Static_assert(sizeof latin1_ascii == 64 + 1, "one letter per code point U+00C0..U+00FF");

static const struct {
	uint32_t cp;
	char ascii;
} ascii_specials[] = {
	{ 0x00A0, ' ' }, { 0x00AB, '<' }, { 0x00B0, 'o' }, { 0x00B7, '*' }, { 0x00BB, '>' },
	{ 0x2010, '-' }, { 0x2011, '-' }, { 0x2012, '-' }, { 0x2013, '-' }, { 0x2014, '-' },
	{ 0x2015, '-' }, { 0x2018, '\'' }, { 0x2019, '\'' }, { 0x201A, '\'' }, { 0x201B, '\'' },
	{ 0x201C, '"' }, { 0x201D, '"' }, { 0x201E, '"' }, { 0x201F, '"' }, { 0x2022, '*' },
	{ 0x2023, '>' }, { 0x2026, '~' }, { 0x2032, '\'' }, { 0x2033, '"' }, { 0x2039, '<' },
	{ 0x203A, '>' }, { 0x2190, '<' }, { 0x2191, '^' }, { 0x2192, '>' }, { 0x2193, 'v' },
	{ 0x2194, '-' }, { 0x21D2, '>' }, { 0x2212, '-' }, { 0x25A0, '#' }, { 0x25B2, '^' },
	{ 0x25B4, '^' }, { 0x25B6, '>' }, { 0x25B8, '>' }, { 0x25BA, '>' }, { 0x25BC, 'v' },
	{ 0x25BE, 'v' }, { 0x25C0, '<' }, { 0x25C2, '<' }, { 0x25C4, '<' }, { 0x25CB, 'o' },
	{ 0x25CF, '*' }, { 0x2713, '+' }, { 0x2714, '+' }, { 0x2717, 'x' }, { 0x2718, 'x' },
};

/* Box drawing U+2500..U+257F: straight lines stay lines, the rest are '+'. */
static uint32_t box_ascii(uint32_t cp)
{
	static const uint16_t horizontal[] = { 0x2500, 0x2501, 0x2504, 0x2505, 0x2508,
					       0x2509, 0x254C, 0x254D, 0x2550, 0x2574,
					       0x2576, 0x2578, 0x257A, 0x257C, 0x257E };
	static const uint16_t vertical[] = { 0x2502, 0x2503, 0x2506, 0x2507, 0x250A,
					     0x250B, 0x254E, 0x254F, 0x2551, 0x2575,
					     0x2577, 0x2579, 0x257B, 0x257D, 0x257F };

	for (size_t i = 0; i < sizeof horizontal / sizeof horizontal[0]; i++) {
		if (cp == horizontal[i])
			return '-';
		if (cp == vertical[i])
			return '|';
	}
	if (cp == 0x2571)
		return '/';
	if (cp == 0x2572)
		return '\\';
	return '+';
}

uint32_t ui_ascii_fallback(uint32_t cp)
{
	if (cp >= 0x20 && cp < 0x7F)
		return cp;
	if (cp >= 0xC0 && cp <= 0xFF)
		return (unsigned char)latin1_ascii[cp - 0xC0];
	if (cp >= 0x2500 && cp <= 0x257F)
		return box_ascii(cp);
	if (cp >= 0x2580 && cp <= 0x259F) /* blocks and shades */
		return cp == 0x2591 ? '.' : cp == 0x2592 ? ':' : '#';
	for (size_t i = 0; i < sizeof ascii_specials / sizeof ascii_specials[0]; i++)
		if (ascii_specials[i].cp == cp)
			return (unsigned char)ascii_specials[i].ascii;
	return '?';
}

static const struct {
	uint32_t unicode;
	char ascii;
} glyphs[UI_G_COUNT] = {
	[UI_G_ARROW_RIGHT] = { 0x2192, '>' },  [UI_G_BULLET] = { 0x2022, '*' },
	[UI_G_CHECK] = { 0x2713, '+' },        [UI_G_CROSS] = { 0x2717, 'x' },
	[UI_G_FALSE_MARK] = { 0x00D7, 'F' },   [UI_G_DEQUEUE_MARK] = { 0x2193, 'v' },
	[UI_G_CURSOR] = { 0x25B8, '>' },       [UI_G_ELLIPSIS] = { 0x2026, '~' },
	[UI_G_BLOCK_FULL] = { 0x2588, '#' },   [UI_G_BLOCK_LIGHT] = { 0x2591, '.' },
};

uint32_t ui_glyph(const struct ui_grid *g, enum ui_glyph gl)
{
	if ((unsigned)gl >= UI_G_COUNT)
		return g->ascii ? '?' : UI_REPLACEMENT;
	return g->ascii ? (uint32_t)(unsigned char)glyphs[gl].ascii : glyphs[gl].unicode;
}

/* ------------------------------------------------------------------ */
/* Drawing */

/* What a cell may hold: no control characters, ASCII only in ASCII mode. */
static uint32_t cell_char(const struct ui_grid *g, uint32_t ch)
{
	if (ch < 0x20 || (ch >= 0x7F && ch < 0xA0) || ch > 0x10FFFF ||
	    (ch >= 0xD800 && ch <= 0xDFFF))
		ch = UI_REPLACEMENT;
	return g->ascii ? ui_ascii_fallback(ch) : ch;
}

/* Set a cell if it is inside the grid; returns 1 if it was. */
static int set_cell(struct ui_grid *g, int x, int y, enum ui_style style, uint32_t ch)
{
	struct ui_cell *c = ui_grid_cell(g, x, y);

	if (c == NULL)
		return 0;
	c->ch = cell_char(g, ch);
	c->style = (unsigned)style < UI_S_COUNT ? (uint8_t)style : UI_S_NORMAL;
	return 1;
}

void ui_set(struct ui_grid *g, int x, int y, enum ui_style style, uint32_t ch)
{
	set_cell(g, x, y, style, ch);
}

int ui_putn(struct ui_grid *g, int x, int y, int maxcols, enum ui_style style, const char *utf8)
{
	int written = 0;
	uint32_t cp;

	if (utf8 == NULL || y < 0 || y >= g->h || x >= g->w)
		return 0;
	/* x < g->w, so x + col never passes g->w and cannot overflow. */
	for (int col = 0; *utf8 && col < maxcols && x + col < g->w; col++) {
		utf8 += ui_utf8_next(utf8, &cp);
		written += set_cell(g, x + col, y, style, cp);
	}
	return written;
}

int ui_put(struct ui_grid *g, int x, int y, enum ui_style style, const char *utf8)
{
	return ui_putn(g, x, y, INT_MAX, style, utf8);
}

int ui_put_fit(struct ui_grid *g, int x, int y, int cols, enum ui_style style, const char *utf8)
{
	int written;

	if (cols <= 0)
		return 0;
	if (ui_text_cols(utf8) <= cols)
		return ui_putn(g, x, y, cols, style, utf8);
	written = ui_putn(g, x, y, cols - 1, style, utf8);
	return written + set_cell(g, x + cols - 1, y, style, ui_glyph(g, UI_G_ELLIPSIS));
}

int ui_vputf(struct ui_grid *g, int x, int y, enum ui_style style, const char *fmt, va_list ap)
{
	char small[256];
	char *big;
	va_list aq;
	int n, written;

	va_copy(aq, ap);
	n = vsnprintf(small, sizeof small, fmt, aq);
	va_end(aq);
	if (n < 0)
		return 0;
	if ((size_t)n < sizeof small)
		return ui_put(g, x, y, style, small);
	big = malloc((size_t)n + 1);
	if (big == NULL)
		return ui_put(g, x, y, style, small); /* the first 255 bytes, at least */
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	written = ui_put(g, x, y, style, big);
	free(big);
	return written;
}

int ui_putf(struct ui_grid *g, int x, int y, enum ui_style style, const char *fmt, ...)
{
	va_list ap;
	int written;

	va_start(ap, fmt);
	written = ui_vputf(g, x, y, style, fmt, ap);
	va_end(ap);
	return written;
}

/* Clip [start, start+len) to [0, limit) in wide arithmetic: *lo, *hi. */
static void clip_span(int start, int len, int limit, int *lo, int *hi)
{
	long long a = start, b = (long long)start + len;

	*lo = a < 0 ? 0 : (int)(a > limit ? limit : a);
	*hi = b < 0 ? 0 : (int)(b > limit ? limit : b);
}

void ui_fill(struct ui_grid *g, int x, int y, int w, int h, uint32_t ch, enum ui_style style)
{
	int x0, x1, y0, y1;

	if (w <= 0 || h <= 0)
		return;
	clip_span(x, w, g->w, &x0, &x1);
	clip_span(y, h, g->h, &y0, &y1);
	for (int row = y0; row < y1; row++)
		for (int col = x0; col < x1; col++)
			set_cell(g, col, row, style, ch);
}

/* The box-drawing code points; ASCII mode maps them through box_ascii. */
enum {
	BOX_H = 0x2500,  /* ─ */
	BOX_V = 0x2502,  /* │ */
	BOX_TL = 0x250C, /* ┌ */
	BOX_TR = 0x2510, /* ┐ */
	BOX_BL = 0x2514, /* └ */
	BOX_BR = 0x2518, /* ┘ */
	BOX_LT = 0x251C, /* ├ */
	BOX_RT = 0x2524, /* ┤ */
};

void ui_hline(struct ui_grid *g, int x, int y, int w, enum ui_style style)
{
	ui_fill(g, x, y, w, 1, BOX_H, style);
}

void ui_vline(struct ui_grid *g, int x, int y, int h, enum ui_style style)
{
	ui_fill(g, x, y, 1, h, BOX_V, style);
}

/* " Title " on a box's top edge from x, in at most room columns of text. */
static void box_title(struct ui_grid *g, int x, int y, int room, enum ui_style style,
		      const char *title)
{
	int cols = ui_text_cols(title);

	if (cols > room)
		cols = room;
	set_cell(g, x, y, style, ' ');
	ui_put_fit(g, x + 1, y, cols, UI_S_TITLE, title);
	set_cell(g, x + 1 + cols, y, style, ' ');
}

void ui_box(struct ui_grid *g, int x, int y, int w, int h, enum ui_style style,
	    const char *title)
{
	if (w < 2 || h < 2)
		return;
	ui_hline(g, x + 1, y, w - 2, style);
	ui_hline(g, x + 1, y + h - 1, w - 2, style);
	ui_vline(g, x, y + 1, h - 2, style);
	ui_vline(g, x + w - 1, y + 1, h - 2, style);
	set_cell(g, x, y, style, BOX_TL);
	set_cell(g, x + w - 1, y, style, BOX_TR);
	set_cell(g, x, y + h - 1, style, BOX_BL);
	set_cell(g, x + w - 1, y + h - 1, style, BOX_BR);
	/* "┌─ " + title + " ─┐": the title gets w - 6 columns. */
	if (title != NULL && *title != '\0' && w - 6 >= 1)
		box_title(g, x + 2, y, w - 6, style, title);
}

void ui_box_rule(struct ui_grid *g, int x, int y, int w, enum ui_style style)
{
	if (w < 2)
		return;
	ui_hline(g, x + 1, y, w - 2, style);
	set_cell(g, x, y, style, BOX_LT);
	set_cell(g, x + w - 1, y, style, BOX_RT);
}

/* ------------------------------------------------------------------ */
/* Reading the grid back as text */

/* An snprintf-style sink: len counts every byte asked for, used what fit. */
struct sink {
	char *buf;
	size_t size, used, len;
	int full; /* something did not fit: write nothing more */
};

static void sink_bytes(struct sink *s, const char *p, size_t n)
{
	if (!s->full && s->used + n < s->size) {
		memcpy(s->buf + s->used, p, n);
		s->used += n;
	} else {
		s->full = 1;
	}
	s->len += n;
}

static void sink_row(struct sink *s, const struct ui_grid *g, int y)
{
	const struct ui_cell *row;
	char utf8[4];
	int end;

	if (y < 0 || y >= g->h)
		return;
	row = &g->cells[(size_t)y * (size_t)g->w];
	for (end = g->w; end > 0 && row[end - 1].ch == ' '; end--)
		;
	for (int x = 0; x < end; x++)
		sink_bytes(s, utf8, utf8_encode(row[x].ch, utf8));
}

static size_t sink_finish(struct sink *s)
{
	if (s->size > 0)
		s->buf[s->used] = '\0';
	return s->len;
}

size_t ui_grid_row_text(const struct ui_grid *g, int y, char *buf, size_t size)
{
	struct sink s = { buf, size, 0, 0, 0 };

	sink_row(&s, g, y);
	return sink_finish(&s);
}

size_t ui_grid_text(const struct ui_grid *g, char *buf, size_t size)
{
	struct sink s = { buf, size, 0, 0, 0 };

	for (int y = 0; y < g->h; y++) {
		sink_row(&s, g, y);
		sink_bytes(&s, "\n", 1);
	}
	return sink_finish(&s);
}
