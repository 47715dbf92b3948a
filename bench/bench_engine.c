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

/* Run `steps` steps of seeded random schedules, restarting on each end;
 * *events gets the number of trace events recorded. */
static double run_steps(int trace, unsigned steps, size_t *events)
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
		*events += dt_machine_trace_count(m);
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
	size_t events = 0, none = 0;
	for (int r = 0; r < REPS; r++) {
		on[r] = run_steps(1, steps, &events);
		off[r] = run_steps(0, steps, &none);
	}
	double share[REPS];
	for (int r = 0; r < REPS; r++) /* paired: on and off ran one after the other */
		share[r] = (on[r] - off[r]) / on[r];
	double t_on = median(on, REPS), t_off = median(off, REPS);
	bench_row("2. engine steps/s, C bodies, trace on", "-", BENCH_INFO, "%.2f M/s",
		  steps / t_on / 1e6);
	bench_row("2. engine steps/s, C bodies, trace off", "-", BENCH_INFO, "%.2f M/s",
		  steps / t_off / 1e6);
	/* With the trace off the engine still fills each event (in a scratch
	 * slot): the difference is the cost of keeping them. */
	bench_row("2. share of a step spent keeping the trace (on vs off)", "-", BENCH_INFO,
		  "%.1f %%", 100.0 * median(share, REPS));
	bench_row("2. trace events recorded per step", "-", BENCH_INFO, "%.2f",
		  (double)events / ((double)steps * REPS));
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
	double back[REPS], view[REPS], branch[REPS];
	for (int r = 0; r < REPS; r++) {
		/* Step N-1, as the b key shows it; viewing step 1 first defeats
		 * the one-view cache. */
		dt_session_goto(s, 1);
		dt_session_view(s);
		dt_session_goto(s, head);
		double t0 = now_s();
		dt_session_back(s);
		dt_session_view(s);
		back[r] = now_s() - t0;
		/* Worst case: the step just before a keyframe (the most deltas to
		 * apply). */
		size_t worst = head / DT_KEYFRAME_EVERY * DT_KEYFRAME_EVERY - 1;
		dt_session_goto(s, 1);
		dt_session_view(s);
		t0 = now_s();
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
	double k = median(back, REPS) * 1e3, v = median(view, REPS) * 1e3;
	double b = median(branch, REPS) * 1e3;
	char what[80];
	snprintf(what, sizeof(what), "3. history: view step N-1 at N=%zu", head);
	bench_row(what, "<= 16 ms", bench_verdict(k <= 16), "%.3f ms", k);
	snprintf(what, sizeof(what), "3. history: view the worst past step at N=%zu", head);
	bench_row(what, "<= 16 ms", bench_verdict(v <= 16), "%.3f ms", v);
	snprintf(what, sizeof(what), "3. history: branch at N=%zu (start over + replay)", head);
	bench_row(what, "<= 100 ms", bench_verdict(b <= 100), "%.3f ms", b);
	bench_row("3. history: bytes kept per recorded step", "-", BENCH_INFO, "%.1f B",
		  (double)dt_session_memory(s) / (double)head);
	dt_session_destroy(s);
}

int main(void)
{
	bench_steps();
	bench_history();
	return 0;
}
