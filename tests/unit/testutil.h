/*
 * testutil.h - helpers shared by the unit tests.
 */
#ifndef DT_TESTUTIL_H
#define DT_TESTUTIL_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

/*
 * Heavy property tests scale their counts down under sanitizers and
 * valgrind: the Makefile sets DT_TEST_SCALE=small there.
 */
static inline int dt_test_count(int plain)
{
	const char *s = getenv("DT_TEST_SCALE");
	if (s && strcmp(s, "small") == 0)
		return plain / 20 > 0 ? plain / 20 : 1;
	return plain;
}

/* Every suite's constructor, declared once for all test files. */
#define DT_SUITE(name) Suite *name##_suite(void);
#include "suites.h"
#undef DT_SUITE

#endif
