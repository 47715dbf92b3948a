/*
 * fixture.h - a small machine builder for engine tests.
 *
 * A fixture is a C-program host (dt_cprog.h) plus a declarative scenario:
 * devices with one line each, one named event per device (the device's
 * name, bits = 1), one interrupt object per device with ISR program
 * `isr` and DPC program `dpc`, and watched values.  Callback ids are
 * indices into `progs`.  Tests then drive the machine with fx_cpu() and
 * fx_fire(), asserting on dt_machine_state().
 */
#ifndef DT_FIXTURE_H
#define DT_FIXTURE_H

#include "dt_cprog.h"
#include "dt_history.h"
#include "dt_machine.h"

#define FX_MAX_DEVS 8
#define FX_MAX_VARS 8

struct fx_dev {
	const char *name;
	unsigned kind;      /* enum dt_line_kind */
	unsigned dirql;
	uint64_t affinity;  /* 0 = all CPUs */
	uint32_t isr, dpc;  /* program indices, DT_NO_CALLBACK for none */
	unsigned messages;  /* MSI: number of messages/interrupts (default 1) */
};

struct fx {
	struct dt_chost host;
	struct dt_cprog progs[16];
	unsigned nprogs;
	struct fx_dev devs[FX_MAX_DEVS];
	unsigned ndevs;
	const char *vars[FX_MAX_VARS];
	unsigned nvars;
	struct dt_config cfg;
	struct dt_machine *m;
	uint64_t handles[FX_MAX_DEVS * DT_MAX_LINES]; /* WDFINTERRUPT per interrupt index */
};

/* Start a fixture for `ncpus` CPUs (no objects yet). */
void fx_init(struct fx *f, unsigned ncpus);
unsigned fx_prog(struct fx *f, const struct dt_cinsn *code, unsigned len);
#define FX_PROG(f, arr) fx_prog((f), (arr), sizeof(arr) / sizeof((arr)[0]))
unsigned fx_dev(struct fx *f, const char *name, unsigned kind, unsigned dirql, uint64_t affinity,
		uint32_t isr, uint32_t dpc);
unsigned fx_var(struct fx *f, const char *name);
/* Create the machine (asserts success). */
struct dt_machine *fx_start(struct fx *f);
void fx_done(struct fx *f);

/* Step CPU `cpu` (asserts the step was enabled and taken). */
void fx_cpu(struct fx *f, unsigned cpu);
/* Try to step; returns dt_machine_step's result. */
int fx_try(struct fx *f, unsigned cpu);
/* Device event of device d delivered to `cpu`. */
void fx_fire(struct fx *f, unsigned dev, unsigned cpu);
/* Step `cpu` until its next action is `a` (bounded); asserts it gets there. */
void fx_until(struct fx *f, unsigned cpu, enum dt_cpu_action a);
/* Run round-robin to the end (settles); returns steps taken. */
unsigned fx_run(struct fx *f);

const struct dt_state *fx_st(struct fx *f);
int64_t fx_val(struct fx *f, unsigned var);
/* The last trace event of this kind, NULL if none. */
const struct dt_trace_event *fx_last(struct fx *f, unsigned kind);
unsigned fx_count(struct fx *f, unsigned kind);

#endif
