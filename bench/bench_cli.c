/*
 * bench_cli.c - the rows of `make bench` that need the dpctutor program
 * itself: each is a fork/exec of the real binary, timed from fork to
 * wait4 with CLOCK_MONOTONIC, so what is measured is what a user waits
 * for (loading the program and its libraries included).
 *
 *   4. `dpctutor --check` over every lesson in the lessons directory,
 *      for-all proofs (the explorer) included: the median of a few runs;
 *   5. start-up to the first drawn frame: `dpctutor
 *      --exit-after-first-frame LESSON` in a pseudo-terminal (forkpty, 80x24,
 *      TERM=xterm-256color) over many runs, the parent draining the output
 *      as a terminal would; median and the 90th percentile;
 *   7. peak memory: ru_maxrss from wait4 of `dpctutor --plain LESSON` (the
 *      story run to its end, trace on), one row per lesson.
 *
 * Usage: bench_cli [DPCTUTOR [LESSONS-DIR]]  (build/plain/dpctutor, lessons)
 * The lessons are whatever *.lua files the directory holds at run time
 * (api.lua, the editor declarations, is not a lesson).
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* forkpty, mkdtemp, wait4 */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"

#define MAX_LESSONS 64
#define FRAME_RUNS 40
#define CHECK_RUNS 3

struct lessons {
	char *paths[MAX_LESSONS];
	unsigned n;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int find_lessons(const char *dir, struct lessons *ls)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	ls->n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)) && ls->n < MAX_LESSONS) {
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".lua") || !strcmp(e->d_name, "api.lua"))
			continue;
		size_t size = strlen(dir) + len + 2;
		ls->paths[ls->n] = malloc(size);
		if (!ls->paths[ls->n])
			break;
		snprintf(ls->paths[ls->n++], size, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	qsort(ls->paths, ls->n, sizeof(ls->paths[0]), cmp_str);
	return 0;
}

/* The outcome of one child run. */
struct run {
	double seconds;
	double cpu_seconds; /* user + system, from wait4 */
	long maxrss_kib;
	int status; /* wait4's status */
	size_t drawn; /* bytes written to the terminal (run_in_pty) */
};

/* Wait for pid, filling r; t0 is when it was forked. */
static void reap(pid_t pid, double t0, struct run *r)
{
	struct rusage ru;
	memset(&ru, 0, sizeof(ru));
	while (wait4(pid, &r->status, 0, &ru) < 0 && errno == EINTR)
		;
	r->seconds = now_s() - t0;
	r->cpu_seconds = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
			 (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
	r->maxrss_kib = ru.ru_maxrss;
}

static int exited_ok(const struct run *r)
{
	return WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0;
}

/* Run argv with stdout and stderr on /dev/null. */
static int run_quiet(char *const argv[], struct run *r)
{
	double t0 = now_s();
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	reap(pid, t0, r);
	return 0;
}

/* Run argv on the slave side of a new 80x24 pseudo-terminal; the parent
 * reads everything the program draws until it closes the terminal. */
static int run_in_pty(char *const argv[], struct run *r)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	int master;
	double t0 = now_s();
	pid_t pid = forkpty(&master, NULL, NULL, &ws);
	if (pid < 0)
		return -1;
	if (pid == 0) {
		setenv("TERM", "xterm-256color", 1);
		setenv("LANG", "C.UTF-8", 1);
		unsetenv("NO_COLOR");
		execv(argv[0], argv);
		_exit(127);
	}
	char buf[4096];
	ssize_t n;
	r->drawn = 0;
	while ((n = read(master, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		r->drawn += n > 0 ? (size_t)n : 0; /* EIO once the child has closed it */
	reap(pid, t0, r);
	close(master);
	return 0;
}

static void bench_check(const char *tutor, const struct lessons *ls)
{
	char *argv[MAX_LESSONS + 3];
	argv[0] = (char *)tutor;
	argv[1] = "--check";
	for (unsigned i = 0; i < ls->n; i++)
		argv[2 + i] = ls->paths[i];
	argv[2 + ls->n] = NULL;
	double t[CHECK_RUNS], cpu[CHECK_RUNS];
	struct run r;
	for (int i = 0; i < CHECK_RUNS; i++) {
		if (run_quiet(argv, &r) || !exited_ok(&r)) {
			bench_row("4. dpctutor --check, every lesson", "< 5 s", BENCH_NOT_MET,
				  "FAILED (exit %d)", WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1);
			return;
		}
		t[i] = r.seconds;
		cpu[i] = r.cpu_seconds;
	}
	char fig[80];
	snprintf(fig, sizeof(fig), "4. dpctutor --check, all %u lessons, proofs included", ls->n);
	double m = median(t, CHECK_RUNS);
	bench_row(fig, "< 5 s", bench_verdict(m < 5.0), "%.2f s", m);
	/* What the machine's other load cannot add to: the CPU it used. */
	bench_row("4.   CPU time of the same (user + system)", "-", BENCH_INFO, "%.2f s",
		  median(cpu, CHECK_RUNS));
}

static void bench_first_frame(const char *tutor, const struct lessons *ls)
{
	char *argv[] = { (char *)tutor, "--exit-after-first-frame", ls->paths[0], NULL };
	double t[FRAME_RUNS];
	struct run r;
	for (int i = 0; i < FRAME_RUNS; i++) {
		if (run_in_pty(argv, &r) || !exited_ok(&r) || r.drawn < 80 * 24 / 4) {
			bench_row("5. start-up to the first frame (pty)", "< 30 ms", BENCH_NOT_MET,
				  "FAILED (exit %d)", WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1);
			return;
		}
		t[i] = r.seconds;
	}
	double m = median(t, FRAME_RUNS) * 1e3, p90 = t[FRAME_RUNS * 9 / 10] * 1e3;
	char fig[80];
	snprintf(fig, sizeof(fig), "5. start-up to the first frame, median of %d", FRAME_RUNS);
	bench_row(fig, "< 30 ms", bench_verdict(m < 30), "%.1f ms", m);
	bench_row("5.   90th percentile", "-", BENCH_INFO, "%.1f ms", p90);
}

static void bench_memory(const char *tutor, const struct lessons *ls)
{
	for (unsigned i = 0; i < ls->n; i++) {
		char *argv[] = { (char *)tutor, "--plain", ls->paths[i], NULL };
		struct run r;
		const char *base = strrchr(ls->paths[i], '/');
		char fig[80];
		snprintf(fig, sizeof(fig), "7. peak memory, %s to its end", base ? base + 1 : ls->paths[i]);
		if (run_quiet(argv, &r) || !WIFEXITED(r.status) || WEXITSTATUS(r.status) > 1) {
			bench_row(fig, "< 16 MiB", BENCH_NOT_MET, "FAILED");
			continue;
		}
		double mib = (double)r.maxrss_kib / 1024.0;
		bench_row(fig, "< 16 MiB", bench_verdict(mib < 16), "%.1f MiB", mib);
	}
}

int main(int argc, char **argv)
{
	const char *tutor = argc > 1 ? argv[1] : "build/plain/dpctutor";
	const char *dir = argc > 2 ? argv[2] : "lessons";
	struct lessons ls;
	if (access(tutor, X_OK)) {
		fprintf(stderr, "bench_cli: %s is not an executable (build it with make)\n", tutor);
		return 1;
	}
	if (find_lessons(dir, &ls) || ls.n == 0) {
		fprintf(stderr, "bench_cli: no lessons in %s\n", dir);
		return 1;
	}
	bench_check(tutor, &ls);
	bench_first_frame(tutor, &ls);
	bench_memory(tutor, &ls);
	for (unsigned i = 0; i < ls.n; i++)
		free(ls.paths[i]);
	return 0;
}
