/*
 * bench_explore.c - row 6 of `make bench`: the explorer on the two-DPC
 * lesson, and Spin on the same question.
 *
 * The explorer runs in this process through explore_lesson, as `dpctutor
 * --explore` does (the trace off, the lesson's for-all invariant judged at
 * the end of each run):
 *   - lesson 06 (the lessons directory's 06-*.lua), default variant, at
 *     preemption bound 2: the time to exhaust the bound (target under 2 s),
 *     schedules (complete runs) per second, the time until the first run
 *     that violates the invariant ended, and the pruned fraction: choices
 *     the bound cut, over those plus the runs explored;
 *   - tests/spin/two-dpcs.lua with the bounds check-spin.sh uses (no
 *     preemption bound, sleep sets, 2 events, 400 steps): every reachable
 *     final state.
 * Spin answers that second question on tests/spin/two-dpcs.pml: `spin -a`,
 * compiling pan with -DSAFETY and running it, in a temporary directory,
 * each timed from fork to wait4.  check-spin.sh compares the two answers;
 * here only their times count, as a ratio.  Medians of RUNS runs.
 *
 * Usage: bench_explore [LESSONS-DIR [SPIN-DIR]]  (lessons, tests/spin)
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* forkpty, mkdtemp, wait4 */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "explorer.h"

#define RUNS 3

/* The lesson file in dir whose name starts with prefix, into out. */
static int find_lesson(const char *dir, const char *prefix, char *out, size_t size)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = -1;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 && len > 4 &&
		    strcmp(e->d_name + len - 4, ".lua") == 0) {
			snprintf(out, size, "%s/%s", dir, e->d_name);
			found = 0;
			break;
		}
	}
	closedir(d);
	return found;
}

static void explore_opts(struct explore_options *o)
{
	memset(o, 0, sizeof(*o));
	o->reduce = 1;
}

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Explore path RUNS times, each summary in sum[] and the CPU time each
 * took in cpu[] (NULL: not wanted); -1 if it could not. */
static int explore_repeat(const char *path, const struct explore_options *o,
			  struct explore_summary sum[RUNS], double *cpu)
{
	for (int i = 0; i < RUNS; i++) {
		double c0 = cpu_s();
		if (explore_lesson(path, o, NULL, &sum[i]) == 2)
			return -1;
		if (cpu)
			cpu[i] = cpu_s() - c0;
	}
	return 0;
}

static void bench_lesson06(const char *dir)
{
	char path[1024];
	if (find_lesson(dir, "06-", path, sizeof(path))) {
		bench_row("6. explorer, lesson 06", "< 2 s", BENCH_NOT_MET, "no 06-*.lua");
		return;
	}
	struct explore_options o;
	explore_opts(&o);
	o.max_preemptions = 2;
	o.set_preemptions = 1;
	double t[RUNS], rate[RUNS], first[RUNS], cpu[RUNS];
	struct explore_summary sum[RUNS], s;
	if (explore_repeat(path, &o, sum, cpu)) {
		bench_row("6. explorer, lesson 06", "< 2 s", BENCH_NOT_MET, "FAILED");
		return;
	}
	for (int i = 0; i < RUNS; i++) {
		t[i] = sum[i].seconds;
		rate[i] = sum[i].seconds > 0 ? (double)sum[i].runs / sum[i].seconds : 0;
		first[i] = sum[i].first_violation_s;
	}
	s = sum[RUNS - 1];
	double m = median(t, RUNS);
	bench_row("6. explorer, lesson 06, bound 2: time to exhaust it", "< 2 s",
		  bench_verdict(m < 2.0), "%.2f s", m);
	bench_row("6.   CPU time of the same", "-", BENCH_INFO, "%.2f s", median(cpu, RUNS));
	bench_row("6.   schedules (complete runs) per second", "-", BENCH_INFO, "%.0f /s",
		  median(rate, RUNS));
	if (s.violations)
		bench_row("6.   time to the first counterexample", "-", BENCH_INFO, "%.2f ms",
			  median(first, RUNS) * 1e3);
	else
		bench_row("6.   time to the first counterexample", "-", BENCH_INFO, "none found");
	double cut = (double)(s.pruned + s.slept);
	bench_row("6.   pruned fraction (choices cut / cut + runs)", "-", BENCH_INFO, "%.1f %%",
		  cut + (double)s.runs > 0 ? 100.0 * cut / (cut + (double)s.runs) : 0.0);
	bench_row("6.   runs, choices cut by the bound", "-", BENCH_INFO, "%llu, %llu",
		  (unsigned long long)s.runs, (unsigned long long)s.pruned);
}

/* Run argv in dir, its output to log; the seconds it took, -1 on failure. */
static double timed(const char *dir, char *const argv[], const char *log)
{
	double t0 = now_s();
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (chdir(dir))
			_exit(127);
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	double t = now_s() - t0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? t : -1;
}

static int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
	char buf[8192];
	size_t n;
	int rc = in && out ? 0 : -1;
	while (rc == 0 && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
	if (in)
		fclose(in);
	if (out && fclose(out))
		rc = -1;
	return rc;
}

/* One Spin answer: generate, compile, search.  Seconds of each, or -1. */
static int spin_once(const char *tmp, double *gen, double *cc, double *pan)
{
	char *spin[] = { "spin", "-DFMAX=2", "-a", "model.pml", NULL };
	const char *ccname = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
	char *comp[] = { (char *)ccname, "-DSAFETY", "-w", "-o", "pan", "pan.c", NULL };
	char *run[] = { "./pan", NULL };
	*gen = timed(tmp, spin, "spin.log");
	*cc = *gen < 0 ? -1 : timed(tmp, comp, "cc.log");
	*pan = *cc < 0 ? -1 : timed(tmp, run, "pan.log");
	return *pan < 0 ? -1 : 0;
}

static void bench_spin(const char *spindir)
{
	char lesson[1024], model[1024], tmp[] = "/tmp/dpctutor-bench-spin-XXXXXX", to[1100];
	snprintf(lesson, sizeof(lesson), "%s/two-dpcs.lua", spindir);
	snprintf(model, sizeof(model), "%s/two-dpcs.pml", spindir);
	struct explore_options o;
	explore_opts(&o);
	o.max_preemptions = DT_EXPLORE_UNBOUNDED;
	o.set_preemptions = 1;
	o.max_events = 2;
	o.set_events = 1;
	o.max_steps = 400;
	o.set_steps = 1;
	double ex[RUNS], total[RUNS], search[RUNS];
	struct explore_summary sum[RUNS];
	if (explore_repeat(lesson, &o, sum, NULL)) {
		bench_row("6. explorer on tests/spin/two-dpcs.lua", "-", BENCH_INFO, "FAILED");
		return;
	}
	for (int i = 0; i < RUNS; i++)
		ex[i] = sum[i].seconds;
	double e = median(ex, RUNS);
	bench_row("6. explorer, tests/spin/two-dpcs.lua, every final state", "-", BENCH_INFO,
		  "%.3f s", e);
	if (mkdtemp(tmp))
		snprintf(to, sizeof(to), "%s/model.pml", tmp);
	if (!tmp[0] || strstr(tmp, "XXXXXX") || copy_file(model, to)) {
		bench_row("6. Spin on tests/spin/two-dpcs.pml", "-", BENCH_INFO, "no model");
		return;
	}
	int ok = 1;
	for (int i = 0; i < RUNS && ok; i++) {
		double gen, cc, pan;
		ok = spin_once(tmp, &gen, &cc, &pan) == 0;
		total[i] = gen + cc + pan;
		search[i] = pan;
	}
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_explore: could not remove %s\n", tmp);
	if (!ok) {
		bench_row("6. Spin on tests/spin/two-dpcs.pml (spin -a, cc, pan)", "-", BENCH_INFO,
			  "FAILED (is spin installed?)");
		return;
	}
	double t = median(total, RUNS), p = median(search, RUNS);
	bench_row("6. Spin, same question (spin -a, cc, pan)", "-", BENCH_INFO, "%.3f s", t);
	bench_row("6.   of which pan's search", "-", BENCH_INFO, "%.3f s", p);
	bench_row("6.   ratio explorer / Spin (all of it)", "-", BENCH_INFO, "%.2f", e / t);
	bench_row("6.   ratio explorer / pan's search alone", "-", BENCH_INFO, "%.1f", e / p);
}

int main(int argc, char **argv)
{
	bench_lesson06(argc > 1 ? argv[1] : "lessons");
	bench_spin(argc > 2 ? argv[2] : "tests/spin");
	return 0;
}
