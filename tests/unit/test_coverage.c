/*
 * test_coverage.c - `dpctutor --list --rules`: every rule card with the
 * lessons whose lesson{ rules = {...} } names it (tutor/coverage.c).
 *
 * The lessons are written into a fresh temporary directory: a numbered
 * one (named "01"), one without a number (named by its id), and one that
 * does not load, which is reported and left out of the counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coverage.h"
#include "testutil.h"

static const char numbered[] =
	"lesson { api = 1, id = \"first\", title = \"First\", rules = { \"R11\", \"R13\" } }\n"
	"story { \"nothing happens\" }\n";
static const char unnumbered[] =
	"lesson { api = 1, id = \"other\", title = \"Other\", rules = { \"R13\", \"R99\" } }\n"
	"story { \"nothing happens\" }\n";
static const char broken[] = "lesson { api = 1, id = \"broken\", title = }\n";

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

static void remove_file(const char *dir, const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

/* coverage_print's whole output for a directory holding those lessons. */
static char *coverage_of(int with_broken)
{
	char dir[] = "/tmp/dt-coverage-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file(dir, "01-first.lua", numbered);
	write_file(dir, "other.lua", unnumbered);
	if (with_broken)
		write_file(dir, "02-broken.lua", broken);
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(coverage_print(out, dir), 0);
	ck_assert_int_eq(fclose(out), 0);
	remove_file(dir, "01-first.lua");
	remove_file(dir, "other.lua");
	remove_file(dir, "02-broken.lua");
	rmdir(dir);
	return text;
}

/* The "taught in:" line under the card of rule `id`. */
static const char *taught_in(const char *text, const char *id, char *buf, size_t size)
{
	char head[16];
	snprintf(head, sizeof(head), "\n%s ", id);
	const char *card = strncmp(text, head + 1, strlen(head + 1)) == 0 ? text : strstr(text, head);
	ck_assert_msg(card != NULL, "no card for %s", id);
	const char *line = strstr(card, "taught in: ");
	ck_assert_ptr_nonnull(line);
	line += strlen("taught in: ");
	size_t n = strcspn(line, "\n");
	snprintf(buf, size, "%.*s", (int)n, line);
	return buf;
}

START_TEST(test_coverage_names_the_lessons_of_each_rule)
{
	char *text = coverage_of(0);
	char buf[128];
	ck_assert_str_eq(taught_in(text, "R13", buf, sizeof(buf)), "01 other");
	ck_assert_str_eq(taught_in(text, "R11", buf, sizeof(buf)), "01");
	ck_assert_str_eq(taught_in(text, "R12", buf, sizeof(buf)), "no lesson yet");
	ck_assert_str_eq(taught_in(text, "R01", buf, sizeof(buf)), "no lesson yet");
	/* R99 has no card: it is counted nowhere. */
	ck_assert_ptr_nonnull(strstr(text, "\n2 of "));
	ck_assert_ptr_nonnull(strstr(text, " rules are taught by the 2 lessons found\n"));
	free(text);
}
END_TEST

START_TEST(test_coverage_reports_a_lesson_that_does_not_load)
{
	char *text = coverage_of(1);
	char buf[128];
	ck_assert_ptr_nonnull(strstr(text, "cannot load "));
	ck_assert_ptr_nonnull(strstr(text, "02-broken.lua"));
	ck_assert_str_eq(taught_in(text, "R13", buf, sizeof(buf)), "01 other");
	ck_assert_ptr_nonnull(strstr(text, " rules are taught by the 2 lessons found\n"));
	free(text);
}
END_TEST

Suite *coverage_suite(void)
{
	Suite *s = suite_create("coverage");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_coverage_names_the_lessons_of_each_rule);
	tcase_add_test(tc, test_coverage_reports_a_lesson_that_does_not_load);
	suite_add_tcase(s, tc);
	return s;
}
