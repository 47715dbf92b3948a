/*
 * bench_engine.c - what the engine costs, measured in one run (issue:
 * "make bench").  Figures are medians of several repetitions; ratios are
 * taken within this process, so a noisy machine moves both sides alike.
 * Nothing here passes or fails on time: it prints figures and targets.
 *
 *   engine steps/s with C bodies, trace on and off, and the share of a
 *   step spent recording the trace;
 *   history: viewing step N-1 at step 10,000, and branching at 10,000
 *   (start over + replay).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "dt_cprog.h"
#include "dt_history.h"
#include "dt_sched.h"



/* A NIC-like device per CPU pair: ISR acknowledges and queues; DPC does a
 * read-modify-write of a shared total and a longer step. */
static const struct dt_cinsn isr[] = {
	CP_WRREGI(0, DT_REG_INTSTATUS, 1),
	CP_QUEUE_DPC(0),
	CP_RETI(1),
};
static const struct dt_cinsn dpc[] = {
	CP_READ(0, 0),
	CP_ADDI(0, 1),
	CP_WRITE(0, 0),
	CP_STEP(3),
	CP_RETI(0),
};
static const struct dt_cprog progs[] = { DT_CPROG(isr), DT_CPROG(dpc) };

static int build(struct dt_chost *h, struct dt_machine *m)
{
	(void)h;
	unsigned ncpus = dt_machine_state(m)->ncpus;
	dt_var_create(m, "total", dt_int(0), NULL);
	for (unsigned d = 0; d < 2; d++) {
		char name[16];
		unsigned dev, line;
		snprintf(name, sizeof(name), "dev%u", d);
		dt_device_create(m, name, &dev);
		dt_device_add_line(m, dev, DT_LINE_EDGE, 5 + d, (1ull << ncpus) - 1, &line);
		dt_event_create(m, name, dev, line, 1, NULL);
		struct dt_interrupt_config cfg;
		uint32_t status;
		uint64_t handle;
		dt_interrupt_config_init(&cfg, 0, 1);
		dt_interrupt_create(m, dev, &cfg, &status, &handle);
	}
	return 0;
}

/* Run `steps` steps of seeded random schedules, restarting on each end. */
static double run_steps(int trace, unsigned steps)
{
	struct dt_chost host = { .progs = progs, .nprogs = 2, .build = build };
	struct dt_config cfg;
	dt_config_default(&cfg, 4);
	cfg.trace = trace;
	cfg.sw.watchdog_single_us = 0;
	cfg.sw.watchdog_cumulative_us = 0;
	struct dt_machine *m;
	dt_machine_create(&cfg, dt_chost_ops(), &host, &m);
	struct dt_sched s;
	unsigned done = 0, seed = 1;
	double t0 = now_s();
	while (done < steps) {
		dt_sched_random(&s, seed++, 200, 8);
		done += dt_sched_run(&s, m, steps - done);
		dt_machine_start_over(m);
	}
	double t = now_s() - t0;
	dt_machine_destroy(m);
	return t;
}

static void bench_steps(void)
{
	const unsigned steps = 2000000;
	double on[REPS], off[REPS];
	for (int r = 0; r < REPS; r++) {
		on[r] = run_steps(1, steps);
		off[r] = run_steps(0, steps);
	}
	double t_on = median(on, REPS), t_off = median(off, REPS);
	printf("%-44s %14.0f   %-10s\n", "engine steps/s, C bodies, trace on", steps / t_on, "-");
	printf("%-44s %14.0f   %-10s\n", "engine steps/s, C bodies, trace off", steps / t_off, "-");
	printf("%-44s %13.1f%%   %-10s\n", "share of a step spent recording the trace",
	       100.0 * (t_on - t_off) / t_on, "-");
}

static void bench_history(void)
{
	struct dt_chost host = { .progs = progs, .nprogs = 2, .build = build };
	struct dt_config cfg;
	dt_config_default(&cfg, 2);
	cfg.sw.watchdog_single_us = 0;
	cfg.sw.watchdog_cumulative_us = 0;
	struct dt_session *s;
	dt_session_create(&cfg, dt_chost_ops(), &host, &s);
	struct dt_sched sch;
	dt_sched_random(&sch, 7, 300, 100000);
	while (dt_session_head(s) < 10000) {
		struct dt_choice c;
		if (!dt_sched_next(&sch, dt_session_machine(s), &c))
			break;
		if (dt_session_step(s, &c) != DT_OK)
			break;
	}
	size_t head = dt_session_head(s);
	double view[REPS], branch[REPS];
	for (int r = 0; r < REPS; r++) {
		/* Worst case: the step just before a keyframe (the most deltas to
		 * apply); viewing step 1 first defeats the one-view cache. */
		size_t worst = head / DT_KEYFRAME_EVERY * DT_KEYFRAME_EVERY - 1;
		dt_session_goto(s, 1);
		dt_session_view(s);
		double t0 = now_s();
		dt_session_goto(s, worst);
		dt_session_view(s);
		view[r] = now_s() - t0;
		/* Branch one step before the head: start over + replay head-1 choices. */
		dt_session_goto(s, head - 1);
		const struct dt_choice *rec = dt_session_choice(s, head - 1);
		struct dt_choice alt = { .kind = DT_CHOICE_EVENT, .cpu = (uint16_t)(rec->cpu ^ 1),
					 .object = 0 };
		t0 = now_s();
		int rc = dt_session_step(s, &alt);
		branch[r] = now_s() - t0;
		if (rc != DT_OK)
			fprintf(stderr, "bench: branch step refused (%d)\n", rc);
		head = dt_session_head(s);
	}
	printf("%-44s %11.3f ms   %-10s\n", "history: view a past step at N=10,000 (worst)",
	       median(view, REPS) * 1e3, "<= 16 ms");
	printf("%-44s %11.3f ms   %-10s\n", "history: branch at N=10,000 (replay)",
	       median(branch, REPS) * 1e3, "<= 100 ms");
	printf("%-44s %11.1f B    %-10s\n", "history: bytes per recorded step",
	       (double)dt_session_memory(s) / (double)head, "-");
	dt_session_destroy(s);
}

int main(void)
{
	printf("%-44s %14s   %-10s\n", "figure", "measured", "target");
	bench_steps();
	bench_history();
	return 0;
}
