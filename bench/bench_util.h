/*
 * bench_util.h - what every benchmark needs: a monotonic clock, the
 * median of a few repetitions (so one noisy run does not decide), and the
 * one row format of the table `make bench` prints.
 *
 * Every benchmark program prints rows only, "| figure | measured | target
 * | met? |", so bench/run.sh can put them under one header: the whole
 * output of `make bench` is a single Markdown table that docs/performance.md
 * can quote as it is.  A figure with no target says "-" in both columns.
 */
#ifndef DT_BENCH_UTIL_H
#define DT_BENCH_UTIL_H

#include <stdarg.h>
#include <stdio.h>
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

/* Sorts v. */
static inline double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* What the met? column says. */
enum bench_verdict { BENCH_INFO = -1, BENCH_NOT_MET = 0, BENCH_MET = 1 };

static inline int bench_verdict(int met)
{
	return met ? BENCH_MET : BENCH_NOT_MET;
}

/* One row of the table; the measured column is printf-formatted. */
static inline void bench_row(const char *figure, const char *target, int verdict,
			     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static inline void bench_row(const char *figure, const char *target, int verdict,
			     const char *fmt, ...)
{
	char measured[96];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(measured, sizeof(measured), fmt, ap);
	va_end(ap);
	printf("| %-58s | %16s | %-10s | %-7s |\n", figure, measured, target,
	       verdict == BENCH_INFO ? "-" : verdict == BENCH_MET ? "met" : "NOT met");
	fflush(stdout);
}

#endif
