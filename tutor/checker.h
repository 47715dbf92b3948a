/*
 * checker.h - `dpctutor --check`: verifying lessons headless.
 */
#ifndef DT_CHECKER_H
#define DT_CHECKER_H

#include <stdint.h>
#include <stdio.h>

struct check_options {
	int verbose;      /* -v: the transcript and why each check passed or failed */
	uint64_t seed;
	int has_seed;
	unsigned cpus;    /* 0 = the lesson's */
	const char *variant; /* challenge variant to build, NULL = the first */
	/* --max-preemptions with --check: the for-all proofs explore within
	 * this bound instead of the lesson's (e.g. a quicker run under
	 * valgrind); set_preemptions 0 keeps the lesson's. */
	uint32_t max_preemptions;
	int set_preemptions;
};

/* Check one lesson file; prints PASS/FAIL lines to f.  0 pass, 1 fail,
 * -1 skipped (an editor definitions file such as lessons/api.lua). */
int check_lesson(const char *path, const struct check_options *co, FILE *f);

#endif
