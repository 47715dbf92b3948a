/*
 * bench_util.h - what every benchmark needs: a monotonic clock and the
 * median of a few repetitions (so one noisy run does not decide).
 */
#ifndef DT_BENCH_UTIL_H
#define DT_BENCH_UTIL_H

#include <stdlib.h>
#include <time.h>

#define REPS 5

static inline double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static inline double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

#endif
