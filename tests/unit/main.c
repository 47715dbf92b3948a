/*
 * main.c - runs every Check suite listed in suites.h.
 * Optional argument: a suite name to run only that suite.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

int main(int argc, char **argv)
{
	SRunner *sr = srunner_create(NULL);
	int added = 0;
#define DT_SUITE(name)                                            \
	if (argc < 2 || strcmp(argv[1], #name) == 0) {            \
		srunner_add_suite(sr, name##_suite());            \
		added++;                                          \
	}
#include "suites.h"
#undef DT_SUITE
	if (!added) {
		fprintf(stderr, "unit_tests: no suite named '%s'\n", argv[1]);
		srunner_free(sr);
		return 2;
	}
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
