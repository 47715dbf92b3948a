/*
 * golden_fx.c - golden screen files for the UI tests (test_ui_screens.c,
 * test_ui_menu.c): see golden_fx.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "golden_fx.h"

/* Exactly h lines, each ending in '\n' and at most w columns (code
 * points) wide; `what` names the text in the messages. */
void golden_check_shape(const char *what, const char *text, int w, int h)
{
	int lines = 0, cols = 0;
	for (const char *p = text; *p; p++) {
		if (*p == '\n') {
			lines++;
			cols = 0;
			continue;
		}
		if (((unsigned char)*p & 0xC0) != 0x80)
			cols++;
		ck_assert_msg(cols <= w, "%s: line %d is wider than %d columns", what, lines + 1, w);
	}
	size_t len = strlen(text);
	ck_assert_msg(len > 0 && text[len - 1] == '\n', "%s: the last line has no newline", what);
	ck_assert_msg(lines == h, "%s: %d lines, not %d", what, lines, h);
}

char *golden_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n - 1 == 0) {
			cap *= 2;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
	}
	fclose(f);
	buf[n] = '\0';
	return buf;
}

int golden_updating(void)
{
	const char *e = getenv("DT_UPDATE_GOLDENS");
	return e && strcmp(e, "1") == 0;
}

/* The 1-based line of the first difference, with both lines in exp/act. */
static int first_diff(const char *a, const char *b, char *exp, char *act, size_t size)
{
	int line = 1;
	const char *la = a, *lb = b;
	while (*a && *a == *b) {
		if (*a == '\n') {
			line++;
			la = a + 1;
			lb = b + 1;
		}
		a++;
		b++;
	}
	snprintf(exp, size, "%.*s", (int)strcspn(la, "\n"), la);
	snprintf(act, size, "%.*s", (int)strcspn(lb, "\n"), lb);
	return line;
}

void golden_match(const char *name, const char *text, int w, int h, const char *suite)
{
	char path[256];
	snprintf(path, sizeof(path), GOLDEN_DIR "/%s.txt", name);
	golden_check_shape(name, text, w, h);
	if (golden_updating()) {
		ck_assert_msg(mkdir("tests/golden", 0777) == 0 || errno == EEXIST, "mkdir");
		ck_assert_msg(mkdir(GOLDEN_DIR, 0777) == 0 || errno == EEXIST, "mkdir");
		FILE *f = fopen(path, "wb");
		ck_assert_msg(f != NULL, "cannot write %s", path);
		ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
		ck_assert_int_eq(fclose(f), 0);
		return;
	}
	char *want = golden_read_file(path);
	ck_assert_msg(want != NULL,
		      "no golden file %s (DT_UPDATE_GOLDENS=1 writes it; then read it)", path);
	golden_check_shape(path, want, w, h);
	if (strcmp(want, text) != 0) {
		char e[1024], a[1024];
		int line = first_diff(want, text, e, a, sizeof(e));
		ck_screen_msg(0, text,
			      "%s differs at line %d:\n  golden: '%s'\n  screen: '%s'\n"
			      "(an intended change: DT_UPDATE_GOLDENS=1 make check-unit "
			      "SUITE=%s, then read the file; the screen is on stderr)",
			      path, line, e, a, suite);
	}
	free(want);
}
