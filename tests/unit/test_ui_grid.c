/*
 * test_ui_grid.c - the in-memory screen (ui_grid.h) and the parts of the
 * terminal module that need no terminal (ui_term.h).
 *
 * The UI renders into a grid before anything reaches curses, so a screen
 * can be checked here as plain text: draw, read the rows back with
 * ui_grid_row_text or ui_grid_text, compare.  These tests pin the grid's
 * contract: UTF-8 decoded by Unicode's rules (U+FFFD for anything
 * malformed), one code point per column, clipping at every edge instead
 * of errors, box drawing in Unicode and in ASCII, an ASCII stand-in for
 * every glyph, nothing stale after a resize, and text read back with
 * trailing blanks trimmed.  The theme test checks that a monochrome
 * terminal can still tell apart the styles that appear side by side.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "ui_grid.h"
#include "ui_term.h"

/* Row y of g must read `text`. */
#define ck_row(g, y, text)                                                 \
	do {                                                               \
		char row_[1024];                                           \
		ui_grid_row_text((g), (y), row_, sizeof row_);             \
		ck_assert_str_eq(row_, (text));                            \
	} while (0)

/* The whole grid must read `text` (rows joined by '\n'). */
#define ck_screen(g, text)                                                 \
	do {                                                               \
		char screen_[4096];                                        \
		ui_grid_text((g), screen_, sizeof screen_);                \
		ck_assert_str_eq(screen_, (text));                         \
	} while (0)

static struct ui_grid grid(int w, int h, int ascii)
{
	struct ui_grid g;

	ck_assert_int_eq(ui_grid_init(&g, w, h), 0);
	g.ascii = ascii;
	return g;
}

/* The code point in cell (x, y). */
static uint32_t ch_at(struct ui_grid *g, int x, int y)
{
	struct ui_cell *c = ui_grid_cell(g, x, y);

	ck_assert_ptr_nonnull(c);
	return c->ch;
}

/* s copied to a heap block of exactly strlen(s) + 1 bytes (ASan sees overreads). */
static char *exact(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	ck_assert_ptr_nonnull(p);
	memcpy(p, s, n);
	return p;
}

/* ------------------------------------------------------------------ */
/* UTF-8 */

START_TEST(test_utf8_decodes_one_to_four_byte_sequences)
{
	static const struct {
		const char *s;
		uint32_t cp;
		size_t len;
	} cases[] = {
		{ "A", 'A', 1 },
		{ "\x7F", 0x7F, 1 },
		{ "\xC2\x80", 0x80, 2 },
		{ "\xC3\xA9", 0xE9, 2 },
		{ "\xDF\xBF", 0x7FF, 2 },
		{ "\xE0\xA0\x80", 0x800, 3 },
		{ "\xE2\x82\xAC", 0x20AC, 3 },
		{ "\xED\x9F\xBF", 0xD7FF, 3 },
		{ "\xEE\x80\x80", 0xE000, 3 },
		{ "\xEF\xBF\xBF", 0xFFFF, 3 },
		{ "\xF0\x90\x80\x80", 0x10000, 4 },
		{ "\xF0\x9D\x84\x9E", 0x1D11E, 4 },
		{ "\xF4\x8F\xBF\xBF", 0x10FFFF, 4 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *s = exact(cases[i].s);
		uint32_t cp = 0;

		ck_assert_uint_eq(ui_utf8_next(s, &cp), cases[i].len);
		ck_assert_msg(cp == cases[i].cp, "case %zu: U+%04X", i, (unsigned)cp);
		free(s);
	}
}
END_TEST

START_TEST(test_put_writes_valid_utf8_one_column_each)
{
	struct ui_grid g = grid(20, 1, 0);
	const char *text = "h\xC3\xA9llo \xE2\x82\xAC\xF0\x9D\x84\x9E"; /* "héllo €𝄞" */

	ck_assert_int_eq(ui_text_cols(text), 8);
	ck_assert_int_eq(ui_put(&g, 0, 0, UI_S_NORMAL, text), 8);
	ck_assert_uint_eq(ch_at(&g, 1, 0), 0xE9);
	ck_assert_uint_eq(ch_at(&g, 6, 0), 0x20AC);
	ck_assert_uint_eq(ch_at(&g, 7, 0), 0x1D11E);
	ck_assert_uint_eq(ch_at(&g, 8, 0), ' ');
	ck_row(&g, 0, text);
	ui_grid_free(&g);
}
END_TEST

/* Each malformed input and the code points it must show as (0-terminated). */
static const struct {
	const char *s;
	uint32_t cps[6];
} invalid_cases[] = {
	{ "\x80", { UI_REPLACEMENT } },                      /* lone continuation */
	{ "\xBF\x80", { UI_REPLACEMENT, UI_REPLACEMENT } }, /* two of them */
	{ "\xFF", { UI_REPLACEMENT } },                      /* never in UTF-8 */
	{ "\xF5\x80", { UI_REPLACEMENT, UI_REPLACEMENT } }, /* past U+10FFFF lead */
	{ "\xC0\xAF", { UI_REPLACEMENT, UI_REPLACEMENT } }, /* overlong '/' */
	{ "\xE0\x80\xAF", { UI_REPLACEMENT, UI_REPLACEMENT, UI_REPLACEMENT } },
	{ "\xED\xA0\x80", { UI_REPLACEMENT, UI_REPLACEMENT, UI_REPLACEMENT } }, /* surrogate */
	{ "\xF4\x90\x80\x80",
	  { UI_REPLACEMENT, UI_REPLACEMENT, UI_REPLACEMENT, UI_REPLACEMENT } },
	{ "a\xC3(b", { 'a', UI_REPLACEMENT, '(', 'b' } }, /* bad continuation kept */
	{ "\xE2\x82\xE2\x82\xAC", { UI_REPLACEMENT, 0x20AC } },
};

START_TEST(test_utf8_invalid_bytes_become_replacement)
{
	for (size_t i = 0; i < sizeof invalid_cases / sizeof invalid_cases[0]; i++) {
		struct ui_grid g = grid(10, 1, 0);
		char *s = exact(invalid_cases[i].s);
		int n = 0;

		while (invalid_cases[i].cps[n] != 0)
			n++;
		ck_assert_msg(ui_put(&g, 0, 0, UI_S_NORMAL, s) == n, "case %zu: columns", i);
		for (int x = 0; x < n; x++)
			ck_assert_msg(ch_at(&g, x, 0) == invalid_cases[i].cps[x],
				      "case %zu column %d: U+%04X", i, x, (unsigned)ch_at(&g, x, 0));
		ck_assert_uint_eq(ch_at(&g, n, 0), ' ');
		free(s);
		ui_grid_free(&g);
	}
}
END_TEST

START_TEST(test_utf8_truncated_sequences_stop_at_the_nul)
{
	static const struct {
		const char *s;
		size_t len;
	} cut[] = { { "\xC3", 1 },         { "\xE2", 1 },         { "\xE2\x82", 2 },
		    { "\xF0", 1 },         { "\xF0\x9F", 2 },     { "\xF0\x9F\x98", 3 } };
	struct ui_grid g = grid(10, 1, 0);
	char *tail = exact("ab\xE2\x82");

	for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
		char *s = exact(cut[i].s);
		uint32_t cp = 0;

		ck_assert_uint_eq(ui_utf8_next(s, &cp), cut[i].len);
		ck_assert_uint_eq(cp, UI_REPLACEMENT);
		free(s);
	}
	ck_assert_int_eq(ui_put(&g, 0, 0, UI_S_NORMAL, tail), 3);
	ck_row(&g, 0, "ab\xEF\xBF\xBD");
	ck_assert_int_eq(ui_put(&g, 0, 0, UI_S_NORMAL, "\xE2\x82x"), 2);
	ck_row(&g, 0, "\xEF\xBF\xBDx\xEF\xBF\xBD");
	free(tail);
	ui_grid_free(&g);
}
END_TEST

START_TEST(test_put_control_characters_become_replacement)
{
	struct ui_grid g = grid(10, 1, 0);

	ck_assert_int_eq(ui_put(&g, 0, 0, UI_S_NORMAL, "a\tb\n\x7F\xC2\x85\x1B"), 7);
	ck_assert_uint_eq(ch_at(&g, 0, 0), 'a');
	ck_assert_uint_eq(ch_at(&g, 1, 0), UI_REPLACEMENT);
	ck_assert_uint_eq(ch_at(&g, 2, 0), 'b');
	for (int x = 3; x < 7; x++)
		ck_assert_uint_eq(ch_at(&g, x, 0), UI_REPLACEMENT);
	ui_set(&g, 8, 0, UI_S_NORMAL, 0xD800); /* a surrogate is no character */
	ck_assert_uint_eq(ch_at(&g, 8, 0), UI_REPLACEMENT);
	ui_set(&g, 9, 0, UI_S_NORMAL, 0x110000);
	ck_assert_uint_eq(ch_at(&g, 9, 0), UI_REPLACEMENT);
	ui_grid_free(&g);
}
END_TEST

START_TEST(test_text_cols_counts_code_points)
{
	ck_assert_int_eq(ui_text_cols(""), 0);
	ck_assert_int_eq(ui_text_cols(NULL), 0);
	ck_assert_int_eq(ui_text_cols("h\xC3\xA9llo"), 5);
	ck_assert_int_eq(ui_text_cols("\xFF\xFF"), 2);
	ck_assert_int_eq(ui_text_cols("\xE2\x94\x8C\xE2\x94\x80"), 2); /* ┌─ */
}
END_TEST

/* ------------------------------------------------------------------ */
/* Clipping */

START_TEST(test_put_negative_x_drops_leading_columns)
{
	struct ui_grid g = grid(10, 1, 0);

	ck_assert_int_eq(ui_put(&g, -2, 0, UI_S_NORMAL, "hello"), 3);
	ck_row(&g, 0, "llo");
	ck_assert_int_eq(ui_put(&g, -1, 0, UI_S_NORMAL, "\xC3\xA9zz"), 2);
	ck_row(&g, 0, "zzo");
	ck_assert_int_eq(ui_put(&g, -5, 0, UI_S_NORMAL, "hello"), 0);
	ck_assert_int_eq(ui_put(&g, INT_MIN, 0, UI_S_NORMAL, "hello"), 0);
	ck_row(&g, 0, "zzo");
	ui_grid_free(&g);
}
END_TEST

START_TEST(test_put_clipped_at_right_edge)
{
	struct ui_grid g = grid(5, 1, 0);

	ck_assert_int_eq(ui_put(&g, 3, 0, UI_S_NORMAL, "hello"), 2);
	ck_row(&g, 0, "   he");
	ck_assert_int_eq(ui_put(&g, 5, 0, UI_S_NORMAL, "x"), 0);
	ck_assert_int_eq(ui_put(&g, INT_MAX, 0, UI_S_NORMAL, "x"), 0);
	ck_assert_int_eq(ui_put(&g, 0, 0, UI_S_NORMAL, "abcdefgh"), 5);
	ck_row(&g, 0, "abcde");
	ui_grid_free(&g);
}
END_TEST

START_TEST(test_put_outside_rows_writes_nothing)
{
	struct ui_grid g = grid(4, 2, 0);

	ck_assert_int_eq(ui_put(&g, 0, -1, UI_S_NORMAL, "abcd"), 0);
	ck_assert_int_eq(ui_put(&g, 0, 2, UI_S_NORMAL, "abcd"), 0);
	ck_assert_int_eq(ui_put(&g, 0, INT_MIN, UI_S_NORMAL, "abcd"), 0);
	ck_assert_int_eq(ui_put(&g, 0, INT_MAX, UI_S_NORMAL, "abcd"), 0);
	ui_set(&g, 0, 2, UI_S_NORMAL, 'x');
	ui_set(&g, -1, 0, UI_S_NORMAL, 'x');
	ck_assert_int_eq(ui_put(&g, 0, 0, UI_S_NORMAL, NULL), 0);
	ck_screen(&g, "\n\n");
	ck_assert_ptr_null(ui_grid_cell(&g, 4, 0));
	ck_assert_ptr_null(ui_grid_cell(&g, 0, 2));
	ck_assert_ptr_null(ui_grid_cell(&g, -1, 0));
	ui_grid_free(&g);
}
END_TEST

START_TEST(test_putn_and_put_fit_limit_columns)
{
	struct ui_grid g = grid(20, 3, 0);

	ck_assert_int_eq(ui_putn(&g, 0, 0, 3, UI_S_NORMAL, "abcdef"), 3);
	ck_assert_int_eq(ui_putn(&g, 5, 0, 0, UI_S_NORMAL, "abcdef"), 0);
	ck_row(&g, 0, "abc");
	ck_assert_int_eq(ui_put_fit(&g, 0, 1, 5, UI_S_NORMAL, "Interrupts"), 5);
	ck_row(&g, 1, "Inte\xE2\x80\xA6"); /* "Inte…" */
	ck_assert_int_eq(ui_put_fit(&g, 0, 2, 5, UI_S_NORMAL, "Hello"), 5);
	ck_row(&g, 2, "Hello");
	ck_assert_int_eq(ui_put_fit(&g, 10, 2, 0, UI_S_NORMAL, "Hello"), 0);
	g.ascii = 1;
	ck_assert_int_eq(ui_put_fit(&g, 8, 0, 4, UI_S_NORMAL, "Threads"), 4);
	ck_row(&g, 0, "abc     Thr~");
	ui_grid_free(&g);
}
END_TEST

START_TEST(test_fill_clipped_at_every_edge)
{
	struct ui_grid g = grid(4, 3, 0);

	ui_fill(&g, -1, -1, 3, 3, '#', UI_S_NORMAL);
	ck_screen(&g, "##\n##\n\n");
	ui_fill(&g, 3, 2, 10, 10, '*', UI_S_NORMAL);
	ck_screen(&g, "##\n##\n   *\n");
	ui_fill(&g, 1, 0, INT_MAX, 1, '=', UI_S_NORMAL);
	ck_row(&g, 0, "#===");
	ui_fill(&g, INT_MIN, 1, INT_MAX, 1, '!', UI_S_NORMAL); /* ends at -1 */
	ui_fill(&g, 0, 0, 0, 3, '!', UI_S_NORMAL);
	ui_fill(&g, 0, 0, 3, -1, '!', UI_S_NORMAL);
	ck_screen(&g, "#===\n##\n   *\n");
	ui_grid_free(&g);
}
END_TEST

START_TEST(test_cells_keep_their_style)
{
	struct ui_grid g = grid(6, 1, 0);

	ui_put(&g, 0, 0, UI_S_DPC, "ab");
	ui_set(&g, 3, 0, (enum ui_style)200, 'x'); /* out of range: NORMAL */
	ck_assert_uint_eq(ui_grid_cell(&g, 0, 0)->style, UI_S_DPC);
	ck_assert_uint_eq(ui_grid_cell(&g, 1, 0)->style, UI_S_DPC);
	ck_assert_uint_eq(ui_grid_cell(&g, 2, 0)->style, UI_S_NORMAL);
	ck_assert_uint_eq(ui_grid_cell(&g, 3, 0)->style, UI_S_NORMAL);
	ck_assert_int_lt(UI_S_COUNT, 256); /* a style fits a cell's uint8_t */
	ui_grid_free(&g);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Boxes and lines */

START_TEST(test_box_unicode_as_text)
{
	struct ui_grid g = grid(12, 4, 0);

	ui_box(&g, 0, 0, 12, 4, UI_S_NORMAL, "Log");
	ck_screen(&g, "┌─ Log ────┐\n"
		      "│          │\n"
		      "│          │\n"
		      "└──────────┘\n");
	ui_grid_free(&g);
}
END_TEST

START_TEST(test_box_ascii_as_text)
{
	struct ui_grid g = grid(12, 4, 1);

	ui_box(&g, 0, 0, 12, 4, UI_S_NORMAL, "Log");
	ck_screen(&g, "+- Log ----+\n"
		      "|          |\n"
		      "|          |\n"
		      "+----------+\n");
	ui_grid_free(&g);
}
END_TEST

START_TEST(test_box_title_cut_with_ellipsis)
{
	struct ui_grid g = grid(10, 2, 0);
	struct ui_grid a = grid(10, 2, 1);

	ui_box(&g, 0, 0, 10, 2, UI_S_NORMAL, "Interrupts");
	ck_screen(&g, "┌─ Int… ─┐\n└────────┘\n");
	ui_box(&a, 0, 0, 10, 2, UI_S_NORMAL, "Interrupts");
	ck_screen(&a, "+- Int~ -+\n+--------+\n");
	ui_grid_clear(&g);
	ui_box(&g, 0, 0, 6, 2, UI_S_NORMAL, "CPU0"); /* no room for a title */
	ui_box(&g, 6, 0, 4, 2, UI_S_NORMAL, "");
	ck_screen(&g, "┌────┐┌──┐\n└────┘└──┘\n");
	ui_grid_free(&g);
	ui_grid_free(&a);
}
END_TEST

START_TEST(test_box_title_in_title_style)
{
	struct ui_grid g = grid(12, 2, 0);

	ui_box(&g, 0, 0, 12, 2, UI_S_DIM, "Log");
	ck_assert_uint_eq(ui_grid_cell(&g, 0, 0)->style, UI_S_DIM);
	ck_assert_uint_eq(ui_grid_cell(&g, 2, 0)->style, UI_S_DIM);
	ck_assert_uint_eq(ui_grid_cell(&g, 3, 0)->style, UI_S_TITLE);
	ck_assert_uint_eq(ui_grid_cell(&g, 5, 0)->style, UI_S_TITLE);
	ck_assert_uint_eq(ui_grid_cell(&g, 6, 0)->style, UI_S_DIM);
	ui_grid_free(&g);
}
END_TEST

START_TEST(test_box_rule_and_lines)
{
	struct ui_grid g = grid(8, 4, 0);
	struct ui_grid a = grid(8, 4, 1);

	ui_box(&g, 0, 0, 8, 4, UI_S_NORMAL, NULL);
	ui_box_rule(&g, 0, 2, 8, UI_S_NORMAL);
	ck_screen(&g, "┌──────┐\n│      │\n├──────┤\n└──────┘\n");
	ui_box(&a, 0, 0, 8, 4, UI_S_NORMAL, NULL);
	ui_box_rule(&a, 0, 2, 8, UI_S_NORMAL);
	ck_screen(&a, "+------+\n|      |\n+------+\n+------+\n");
	ui_grid_clear(&g);
	ui_hline(&g, 1, 0, 3, UI_S_NORMAL);
	ui_vline(&g, 0, 1, 3, UI_S_NORMAL);
	ck_screen(&g, " ───\n│\n│\n│\n");
	ui_grid_free(&g);
	ui_grid_free(&a);
}
END_TEST

START_TEST(test_box_partly_off_grid_is_clipped)
{
	struct ui_grid g = grid(6, 3, 0);

	ui_box(&g, -2, 1, 6, 4, UI_S_NORMAL, NULL);
	ck_screen(&g, "\n───┐\n   │\n");
	ui_grid_clear(&g);
	ui_box(&g, 0, 0, 1, 3, UI_S_NORMAL, "x"); /* under 2 x 2: nothing */
	ui_box(&g, 0, 0, 6, 1, UI_S_NORMAL, "x");
	ck_screen(&g, "\n\n\n");
	ui_grid_free(&g);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Glyphs and ASCII mode */

START_TEST(test_every_glyph_has_printable_ascii_fallback)
{
	struct ui_grid u = grid(1, 1, 0);
	struct ui_grid a = grid(1, 1, 1);

	for (int gl = 0; gl < UI_G_COUNT; gl++) {
		uint32_t uc = ui_glyph(&u, (enum ui_glyph)gl);
		uint32_t ac = ui_glyph(&a, (enum ui_glyph)gl);

		ck_assert_msg(ac > ' ' && ac < 0x7F, "glyph %d: ASCII %u", gl, (unsigned)ac);
		ck_assert_msg(uc > 0x7F && uc != UI_REPLACEMENT, "glyph %d: U+%04X", gl,
			      (unsigned)uc);
		/* ui_set in ASCII mode also turns the glyph into printable ASCII. */
		ui_set(&a, 0, 0, UI_S_NORMAL, uc);
		ck_assert_msg(ch_at(&a, 0, 0) > ' ' && ch_at(&a, 0, 0) < 0x7F, "glyph %d", gl);
		for (int other = 0; other < gl; other++)
			ck_assert_msg(ui_glyph(&u, (enum ui_glyph)other) != uc,
				      "glyphs %d and %d look alike", other, gl);
	}
	ck_assert_uint_eq(ui_glyph(&a, UI_G_COUNT), '?');
	ck_assert_uint_eq(ui_glyph(&u, UI_G_COUNT), UI_REPLACEMENT);
	ck_assert_uint_eq(ui_glyph(&a, UI_G_FALSE_MARK), 'F');
	ck_assert_uint_eq(ui_glyph(&u, UI_G_ELLIPSIS), 0x2026);
	ui_grid_free(&u);
	ui_grid_free(&a);
}
END_TEST

START_TEST(test_ascii_mode_stores_ascii_only)
{
	struct ui_grid g = grid(40, 1, 1);
	/* ─│┌é“quoted” … →✓✗█░ü中 then an invalid byte */
	const char *text = "─│┌é“quoted” … →✓✗█░ü中\xFF";
	int n = ui_put(&g, 0, 0, UI_S_NORMAL, text);

	ck_assert_int_eq(n, ui_text_cols(text));
	for (int x = 0; x < g.w; x++)
		ck_assert_msg(ch_at(&g, x, 0) >= ' ' && ch_at(&g, x, 0) < 0x7F, "column %d", x);
	ck_row(&g, 0, "-|+e\"quoted\" ~ >+x#.u??");
	ui_fill(&g, 0, 0, 2, 1, 0x2588, UI_S_NORMAL);
	ck_row(&g, 0, "##+e\"quoted\" ~ >+x#.u??");
	ui_grid_free(&g);
}
END_TEST

START_TEST(test_ascii_fallback_table)
{
	ck_assert_uint_eq(ui_ascii_fallback('a'), 'a');
	ck_assert_uint_eq(ui_ascii_fallback(' '), ' ');
	ck_assert_uint_eq(ui_ascii_fallback(0x00A0), ' ');
	ck_assert_uint_eq(ui_ascii_fallback(0x00DF), 's');
	ck_assert_uint_eq(ui_ascii_fallback(0x00C9), 'E');
	ck_assert_uint_eq(ui_ascii_fallback(0x2014), '-');
	ck_assert_uint_eq(ui_ascii_fallback(0x2550), '-');
	ck_assert_uint_eq(ui_ascii_fallback(0x2551), '|');
	ck_assert_uint_eq(ui_ascii_fallback(0x256D), '+');
	ck_assert_uint_eq(ui_ascii_fallback(0x2593), '#');
	ck_assert_uint_eq(ui_ascii_fallback(0x1F600), '?');
	ck_assert_uint_eq(ui_ascii_fallback(0x0A), '?');
	/* Every code point of interest maps to printable ASCII. */
	for (uint32_t cp = 0; cp < 0x3000; cp++) {
		uint32_t a = ui_ascii_fallback(cp);

		ck_assert_msg(a >= ' ' && a < 0x7F, "U+%04X -> %u", (unsigned)cp, (unsigned)a);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* The grid's life */

START_TEST(test_init_makes_a_blank_grid)
{
	struct ui_grid g = grid(3, 2, 0);

	ck_assert_int_eq(g.w, 3);
	ck_assert_int_eq(g.h, 2);
	ck_assert_int_eq(g.ascii, 0);
	for (int y = 0; y < 2; y++)
		for (int x = 0; x < 3; x++) {
			ck_assert_uint_eq(ch_at(&g, x, y), ' ');
			ck_assert_uint_eq(ui_grid_cell(&g, x, y)->style, UI_S_NORMAL);
		}
	ck_screen(&g, "\n\n");
	ui_grid_free(&g);
	ck_assert_ptr_null(g.cells);
	ck_assert_int_eq(g.w, 0);
	ui_grid_free(&g); /* an empty grid is fine to free */

	ck_assert_int_eq(ui_grid_init(&g, -1, 5), -1);
	ck_assert_ptr_null(g.cells);
	ck_assert_int_eq(g.w, 0);
	ck_assert_int_eq(g.h, 0);
	ck_assert_int_eq(ui_grid_init(&g, INT_MAX, INT_MAX), -1);
	ck_assert_int_eq(ui_grid_init(&g, 0, 0), 0);
	ck_screen(&g, "");
	ck_assert_int_eq(ui_put(&g, 0, 0, UI_S_NORMAL, "x"), 0);
	ui_grid_clear(&g);
	ui_grid_free(&g);
}
END_TEST

START_TEST(test_resize_keeps_nothing_stale)
{
	struct ui_grid g = grid(5, 2, 1);

	ui_fill(&g, 0, 0, 5, 2, '#', UI_S_DPC);
	ck_assert_int_eq(ui_grid_resize(&g, 3, 3), 0);
	ck_assert_int_eq(g.w, 3);
	ck_assert_int_eq(g.h, 3);
	ck_assert_int_eq(g.ascii, 1);
	ck_screen(&g, "\n\n\n");
	for (int y = 0; y < 3; y++)
		for (int x = 0; x < 3; x++)
			ck_assert_uint_eq(ui_grid_cell(&g, x, y)->style, UI_S_NORMAL);

	ui_put(&g, 0, 2, UI_S_ISR, "abc");
	ck_assert_int_eq(ui_grid_resize(&g, 8, 1), 0);
	ck_screen(&g, "\n");
	ck_assert_int_eq(ui_grid_resize(&g, 0, 0), 0);
	ck_screen(&g, "");
	ck_assert_int_eq(ui_grid_resize(&g, 2, 2), 0);
	ck_screen(&g, "\n\n");

	/* A refused size leaves the grid as it was. */
	ui_put(&g, 0, 0, UI_S_NORMAL, "ok");
	ck_assert_int_eq(ui_grid_resize(&g, -3, 2), -1);
	ck_assert_int_eq(ui_grid_resize(&g, 2, INT_MAX), -1);
	ck_assert_int_eq(g.w, 2);
	ck_screen(&g, "ok\n\n");
	ui_grid_free(&g);
}
END_TEST

START_TEST(test_clear_blanks_every_cell)
{
	struct ui_grid g = grid(4, 2, 0);

	ui_fill(&g, 0, 0, 4, 2, 'z', UI_S_ERROR);
	ui_grid_clear(&g);
	ck_screen(&g, "\n\n");
	ck_assert_uint_eq(ui_grid_cell(&g, 3, 1)->style, UI_S_NORMAL);
	ui_grid_free(&g);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Reading the grid as text */

START_TEST(test_row_text_trims_trailing_spaces)
{
	struct ui_grid g = grid(10, 4, 0);
	char buf[64];

	ui_put(&g, 0, 0, UI_S_NORMAL, "ab");
	ui_put(&g, 5, 0, UI_S_NORMAL, "c");
	ui_put(&g, 3, 1, UI_S_NORMAL, "x");
	ui_put(&g, 0, 2, UI_S_NORMAL, " a    ");
	ui_put(&g, 0, 3, UI_S_NORMAL, "a\xC2\xA0"); /* a no-break space is kept */
	ck_assert_uint_eq(ui_grid_row_text(&g, 0, buf, sizeof buf), 6);
	ck_assert_str_eq(buf, "ab   c");
	ck_row(&g, 1, "   x");
	ck_row(&g, 2, " a");
	ck_row(&g, 3, "a\xC2\xA0");
	ck_assert_uint_eq(ui_grid_row_text(&g, -1, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_uint_eq(ui_grid_row_text(&g, 4, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "");
	ui_grid_free(&g);
}
END_TEST

START_TEST(test_row_text_truncates_like_snprintf)
{
	struct ui_grid g = grid(8, 1, 0);
	char buf[8];

	ui_put(&g, 0, 0, UI_S_NORMAL, "h\xC3\xA9llo"); /* 6 bytes */
	ck_assert_uint_eq(ui_grid_row_text(&g, 0, NULL, 0), 6);
	memset(buf, 'Z', sizeof buf);
	ck_assert_uint_eq(ui_grid_row_text(&g, 0, buf, 0), 6);
	ck_assert_int_eq(buf[0], 'Z');
	ck_assert_uint_eq(ui_grid_row_text(&g, 0, buf, 1), 6);
	ck_assert_str_eq(buf, "");
	ck_assert_uint_eq(ui_grid_row_text(&g, 0, buf, 3), 6); /* é would not fit */
	ck_assert_str_eq(buf, "h");
	ck_assert_uint_eq(ui_grid_row_text(&g, 0, buf, 4), 6);
	ck_assert_str_eq(buf, "h\xC3\xA9");
	ck_assert_uint_eq(ui_grid_row_text(&g, 0, buf, 7), 6);
	ck_assert_str_eq(buf, "h\xC3\xA9llo");
	ui_grid_free(&g);
}
END_TEST

START_TEST(test_grid_text_joins_rows_with_newlines)
{
	struct ui_grid g = grid(3, 3, 0);
	char small[5];

	ui_put(&g, 0, 0, UI_S_NORMAL, "ab");
	ui_put(&g, 0, 1, UI_S_NORMAL, "c");
	ck_screen(&g, "ab\nc\n\n");
	ck_assert_uint_eq(ui_grid_text(&g, NULL, 0), 6);
	ck_assert_uint_eq(ui_grid_text(&g, small, sizeof small), 6);
	ck_assert_str_eq(small, "ab\nc");
	ui_grid_free(&g);
}
END_TEST

/* ------------------------------------------------------------------ */
/* printf into the grid */

START_TEST(test_putf_formats)
{
	struct ui_grid g = grid(20, 2, 0);

	ck_assert_int_eq(ui_putf(&g, 0, 0, UI_S_NORMAL, "%s=%d", "x", 42), 4);
	ck_row(&g, 0, "x=42");
	ck_assert_int_eq(ui_putf(&g, 2, 1, UI_S_NORMAL, "CPU%u %s", 1u, "DISPATCH_LEVEL"), 18);
	ck_row(&g, 1, "  CPU1 DISPATCH_LEVE");
	ck_assert_int_eq(ui_putf(&g, 0, 0, UI_S_NORMAL, "%s", ""), 0);
	ui_grid_free(&g);
}
END_TEST

START_TEST(test_putf_truncated_at_the_edges)
{
	struct ui_grid g = grid(6, 2, 0);

	ck_assert_int_eq(ui_putf(&g, 0, 0, UI_S_NORMAL, "%d", 12345678), 6);
	ck_row(&g, 0, "123456");
	ck_assert_int_eq(ui_putf(&g, 4, 1, UI_S_NORMAL, "%s", "hello"), 2);
	ck_row(&g, 1, "    he");
	ck_assert_int_eq(ui_putf(&g, -3, 1, UI_S_NORMAL, "%05d", 42), 2);
	ck_row(&g, 1, "42  he");
	ck_assert_int_eq(ui_putf(&g, 0, 2, UI_S_NORMAL, "%d", 1), 0);
	ui_grid_free(&g);
}
END_TEST

START_TEST(test_putf_longer_than_its_buffer)
{
	struct ui_grid g = grid(400, 2, 0);
	char e_acute[401];

	/* 300 columns: more than ui_vputf's first buffer holds. */
	ck_assert_int_eq(ui_putf(&g, 0, 0, UI_S_NORMAL, "%0300d", 7), 300);
	ck_assert_uint_eq(ch_at(&g, 0, 0), '0');
	ck_assert_uint_eq(ch_at(&g, 299, 0), '7');
	ck_assert_uint_eq(ch_at(&g, 300, 0), ' ');
	/* 200 two-byte characters: no code point split at a buffer boundary. */
	for (int i = 0; i < 200; i++)
		memcpy(e_acute + 2 * i, "\xC3\xA9", 2);
	e_acute[400] = '\0';
	ck_assert_int_eq(ui_putf(&g, 0, 1, UI_S_NORMAL, "%s|", e_acute), 201);
	for (int x = 0; x < 200; x++)
		ck_assert_uint_eq(ch_at(&g, x, 1), 0xE9);
	ck_assert_uint_eq(ch_at(&g, 200, 1), '|');
	ui_grid_free(&g);
}
END_TEST

/* ------------------------------------------------------------------ */
/* What ui_term can show without a terminal */

START_TEST(test_key_names_for_the_help_screen)
{
	ck_assert_str_eq(ui_term_name_of_key('q'), "q");
	ck_assert_str_eq(ui_term_name_of_key('?'), "?");
	ck_assert_str_eq(ui_term_name_of_key('\\'), "\\");
	ck_assert_str_eq(ui_term_name_of_key(' '), "Space");
	ck_assert_str_eq(ui_term_name_of_key('\r'), "Enter");
	ck_assert_str_eq(ui_term_name_of_key(0x1B), "Esc");
	ck_assert_str_eq(ui_term_name_of_key(0x0C), "Ctrl-L");
	ck_assert_str_eq(ui_term_name_of_key(UI_KEY_UP), "Up");
	ck_assert_str_eq(ui_term_name_of_key(UI_KEY_NPAGE), "PgDn");
	ck_assert_str_eq(ui_term_name_of_key(UI_KEY_BTAB), "Shift-Tab");
	ck_assert_str_eq(ui_term_name_of_key(UI_KEY_F(1)), "F1");
	ck_assert_str_eq(ui_term_name_of_key(UI_KEY_F(12)), "F12");
	ck_assert_str_eq(ui_term_name_of_key(UI_KEY_F(13)), "?");
	ck_assert_str_eq(ui_term_name_of_key(-5), "?");
	for (int k = -1; k <= UI_KEY_QUIT + 1; k++) {
		const char *name = ui_term_name_of_key(k);

		ck_assert_ptr_nonnull(name);
		ck_assert_int_gt((int)strlen(name), 0);
	}
}
END_TEST

/* Styles shown side by side; in each group no two may look alike. */
static const enum ui_style mono_groups[][6] = {
	{ UI_S_NORMAL, UI_S_DIM, UI_S_BOLD, UI_S_TITLE, UI_S_SELECTED, UI_S_COUNT },
	{ UI_S_FOOTER, UI_S_KEY, UI_S_COUNT },
	{ UI_S_PASSIVE, UI_S_DISPATCH, UI_S_DIRQL, UI_S_HIGH, UI_S_COUNT },
	{ UI_S_NORMAL, UI_S_THREAD, UI_S_WORKITEM, UI_S_DPC, UI_S_ISR, UI_S_COUNT },
	{ UI_S_NORMAL, UI_S_TRUE, UI_S_FALSE, UI_S_COUNT },
	{ UI_S_STORY, UI_S_ASK, UI_S_WARN, UI_S_ERROR, UI_S_COUNT },
	{ UI_S_NORMAL, UI_S_BLUESCREEN, UI_S_COUNT },
};

START_TEST(test_monochrome_styles_stay_distinguishable)
{
	for (size_t i = 0; i < sizeof mono_groups / sizeof mono_groups[0]; i++)
		for (int a = 0; mono_groups[i][a] != UI_S_COUNT; a++)
			for (int b = 0; b < a; b++)
				ck_assert_msg(ui_term_style_attrs(mono_groups[i][a], true) !=
						      ui_term_style_attrs(mono_groups[i][b], true),
					      "group %zu: styles %d and %d look alike", i,
					      mono_groups[i][b], mono_groups[i][a]);
	/* With colours every style has a pair of its own. */
	for (int a = 0; a < UI_S_COUNT; a++)
		for (int b = 0; b < a; b++)
			ck_assert(ui_term_style_attrs((enum ui_style)a, false) !=
				  ui_term_style_attrs((enum ui_style)b, false));
}
END_TEST

START_TEST(test_term_unopened_is_harmless)
{
	int w = 7, h = 7;
	struct ui_grid g = grid(2, 2, 0);

	ui_term_close(); /* never opened: nothing to do, twice */
	ui_term_close();
	ck_assert_int_eq(ui_term_size(&w, &h), -1);
	ck_assert_int_eq(w, 0);
	ck_assert_int_eq(h, 0);
	ck_assert_int_eq(ui_term_getkey(0), UI_KEY_NONE);
	ck_assert(!ui_term_quit_requested());
	ui_term_blit(&g);
	ck_assert_int_eq(ui_term_mouse(NULL, NULL), UI_MOUSE_NONE);
	ck_assert_str_ne(ui_term_strerror(UI_TERM_ENOTTY), ui_term_strerror(UI_TERM_ENOTERM));
	ck_assert_int_gt((int)strlen(ui_term_strerror(12345)), 0);
	ui_grid_free(&g);
}
END_TEST

Suite *ui_grid_suite(void)
{
	Suite *s = suite_create("ui_grid");
	TCase *tc = tcase_create("utf8");

	tcase_add_test(tc, test_utf8_decodes_one_to_four_byte_sequences);
	tcase_add_test(tc, test_put_writes_valid_utf8_one_column_each);
	tcase_add_test(tc, test_utf8_invalid_bytes_become_replacement);
	tcase_add_test(tc, test_utf8_truncated_sequences_stop_at_the_nul);
	tcase_add_test(tc, test_put_control_characters_become_replacement);
	tcase_add_test(tc, test_text_cols_counts_code_points);
	suite_add_tcase(s, tc);

	tc = tcase_create("clipping");
	tcase_add_test(tc, test_put_negative_x_drops_leading_columns);
	tcase_add_test(tc, test_put_clipped_at_right_edge);
	tcase_add_test(tc, test_put_outside_rows_writes_nothing);
	tcase_add_test(tc, test_putn_and_put_fit_limit_columns);
	tcase_add_test(tc, test_fill_clipped_at_every_edge);
	tcase_add_test(tc, test_cells_keep_their_style);
	suite_add_tcase(s, tc);

	tc = tcase_create("boxes");
	tcase_add_test(tc, test_box_unicode_as_text);
	tcase_add_test(tc, test_box_ascii_as_text);
	tcase_add_test(tc, test_box_title_cut_with_ellipsis);
	tcase_add_test(tc, test_box_title_in_title_style);
	tcase_add_test(tc, test_box_rule_and_lines);
	tcase_add_test(tc, test_box_partly_off_grid_is_clipped);
	suite_add_tcase(s, tc);

	tc = tcase_create("ascii");
	tcase_add_test(tc, test_every_glyph_has_printable_ascii_fallback);
	tcase_add_test(tc, test_ascii_mode_stores_ascii_only);
	tcase_add_test(tc, test_ascii_fallback_table);
	suite_add_tcase(s, tc);

	tc = tcase_create("grid");
	tcase_add_test(tc, test_init_makes_a_blank_grid);
	tcase_add_test(tc, test_resize_keeps_nothing_stale);
	tcase_add_test(tc, test_clear_blanks_every_cell);
	suite_add_tcase(s, tc);

	tc = tcase_create("text");
	tcase_add_test(tc, test_row_text_trims_trailing_spaces);
	tcase_add_test(tc, test_row_text_truncates_like_snprintf);
	tcase_add_test(tc, test_grid_text_joins_rows_with_newlines);
	suite_add_tcase(s, tc);

	tc = tcase_create("putf");
	tcase_add_test(tc, test_putf_formats);
	tcase_add_test(tc, test_putf_truncated_at_the_edges);
	tcase_add_test(tc, test_putf_longer_than_its_buffer);
	suite_add_tcase(s, tc);

	tc = tcase_create("term");
	tcase_add_test(tc, test_key_names_for_the_help_screen);
	tcase_add_test(tc, test_monochrome_styles_stay_distinguishable);
	tcase_add_test(tc, test_term_unopened_is_harmless);
	suite_add_tcase(s, tc);
	return s;
}
