/*
 * test_explore.c - the explorer (dt_explore.h) held to its contract.
 *
 * Every scenario here is a small C-program machine (dt_cprog.h) built by
 * its own static build function.  The tests compare the explorer with
 * itself (sleep sets on and off: the outcome sets must be equal, the
 * reduced walk no larger) and with an independent naive enumerator
 * written below (bf_node, brute): it walks every choice sequence by
 * starting the machine over and replaying, offers a CPU step exactly when
 * the CPU's next action can step, counts preemptions by the same
 * definition, cuts a run at the step bound only when it could go on, and
 * knows no reduction.  Witnesses and counterexamples are replayed on
 * fresh machines with dt_machine_step (trace on) and must reach exactly
 * the outcome they stand for; bounds (preemptions, events, steps) must be
 * honest; hooks must report what they saw; printed witnesses must parse
 * and replay to the same state bytes.
 *
 * Outcome of a run = (kind, bug-check code, every watched value), as the
 * explorer records it.  Scenario sizes are chosen so the unreduced walks
 * stay small (well under a second each without sanitizers).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dt_cprog.h"
#include "dt_explore.h"
#include "dt_rng.h"
#include "testutil.h"

#define W_MAXPROG 8
#define W_MAXCODE 24
#define BF_MAXDEPTH 128
#define BF_MAXOUT 64
#define STEPS_DEFAULT 120 /* far above any run of the scenarios below */

/* ------------------------------------------------------------------------ */
/* Scenarios                                                                */

struct world {
	struct dt_chost host; /* host.user = the world */
	struct dt_cprog progs[W_MAXPROG];
	struct dt_cinsn code[W_MAXPROG][W_MAXCODE];
	const char *name;
	unsigned ncpus;
	unsigned workers;		 /* system workers (0 = the default) */
	uint32_t watchdog_cumulative_us; /* DPC watchdog (R33, P1 = 1); 0 = the default */
	unsigned live_machines;		 /* machines of this world not yet destroyed */
	struct dt_free_event fe[DT_EXPLORE_MAX_FREE];
	unsigned nfe;
	uint32_t max_events;
};

static void world_reset(struct world *w, const char *name, unsigned ncpus,
			int (*build)(struct dt_chost *, struct dt_machine *))
{
	memset(w, 0, sizeof(*w));
	w->name = name;
	w->ncpus = ncpus;
	w->host.progs = w->progs;
	w->host.build = build;
	w->host.user = w;
}

static void set_prog(struct world *w, unsigned p, const struct dt_cinsn *code, unsigned n)
{
	ck_assert_uint_lt(p, W_MAXPROG);
	ck_assert_uint_le(n, W_MAXCODE);
	memcpy(w->code[p], code, n * sizeof(*code));
	w->progs[p] = (struct dt_cprog){ w->code[p], n };
	if (w->host.nprogs < p + 1)
		w->host.nprogs = p + 1;
}
#define SET_PROG(w, p, arr) set_prog((w), (p), (arr), sizeof(arr) / sizeof((arr)[0]))

static void free_event(struct world *w, unsigned event, unsigned max)
{
	ck_assert_uint_lt(w->nfe, DT_EXPLORE_MAX_FREE);
	w->fe[w->nfe++] = (struct dt_free_event){ .event = (uint16_t)event, .max = (uint16_t)max };
}

static struct dt_machine *world_machine(struct world *w)
{
	struct dt_config cfg;
	struct dt_machine *m = NULL;
	dt_config_default(&cfg, w->ncpus);
	cfg.sw.workers = w->workers;
	cfg.sw.watchdog_cumulative_us = w->watchdog_cumulative_us;
	ck_assert_int_eq(dt_machine_create(&cfg, dt_chost_ops(), &w->host, &m), DT_OK);
	ck_assert_int_eq(dt_machine_state(m)->outcome.kind, DT_RUNNING);
	w->live_machines++;
	return m;
}

/* Destroy a machine; once the world has none left, no body may be left. */
static void world_done(struct world *w, struct dt_machine *m)
{
	dt_machine_destroy(m);
	ck_assert_uint_gt(w->live_machines, 0);
	if (--w->live_machines == 0)
		ck_assert_uint_eq(w->host.live_bodies, 0);
}

/* Watched values: created first by every build, in this order. */
enum {
	V_X,
	V_Y,
	V_Q,
	NV
};
static const char *const var_names[NV] = { "x", "y", "q" };

static int make_vars(struct dt_machine *m, unsigned n)
{
	for (unsigned v = 0; v < n; v++)
		if (dt_var_create(m, var_names[v], dt_int(0), NULL))
			return -1;
	return 0;
}

/* A device with one line, one event named after it (bits 1), one interrupt. */
static int make_dev(struct dt_machine *m, const char *name, unsigned kind, unsigned dirql,
		    uint64_t affinity, const struct dt_interrupt_config *cfg)
{
	unsigned dev, line;
	uint32_t status;
	uint64_t h;
	if (dt_device_create(m, name, &dev) ||
	    dt_device_add_line(m, dev, kind, dirql, affinity, &line) ||
	    dt_event_create(m, name, dev, line, 1, NULL) ||
	    dt_interrupt_create(m, dev, cfg, &status, &h) || status != DT_STATUS_SUCCESS)
		return -1;
	return 0;
}

static int make_simple_dev(struct dt_machine *m, const char *name, unsigned kind, unsigned dirql,
			   uint64_t affinity, uint32_t isr, uint32_t dpc)
{
	struct dt_interrupt_config cfg;
	dt_interrupt_config_init(&cfg, isr, dpc);
	return make_dev(m, name, kind, dirql, affinity, &cfg);
}

/* Programs (callback ids) shared by the scenarios. */
enum {
	P0,
	P1,
	P2,
	P3,
	P4,
	P5
};

/* A racy read-modify-write of var v: read, add 1, write. */
#define RMW(v) CP_READ(1, (v)), CP_ADDI(1, 1), CP_WRITE((v), 1)

/* --- race: 2 CPUs, edge line; ISR queues (no ack) and counts TRUE results
 * in q (exact: ISRs are serialized by the interrupt lock); DPC x++ racy. */
static int build_race(struct dt_chost *h, struct dt_machine *m)
{
	struct world *w = h->user;
	return make_vars(m, NV) ||
	       make_simple_dev(m, "nic", DT_LINE_EDGE, 5, (1ull << w->ncpus) - 1, P0, P1);
}

static void init_race(struct world *w, unsigned ncpus, unsigned events)
{
	const struct dt_cinsn isr[] = {
		CP_QUEUE_DPC(0), CP_READ(1, V_Q), CP_ADD(1, 0), CP_WRITE(V_Q, 1), CP_RETI(1),
	};
	const struct dt_cinsn dpc[] = { RMW(V_X), CP_RETI(0) };
	world_reset(w, "race", ncpus, build_race);
	SET_PROG(w, P0, isr);
	SET_PROG(w, P1, dpc);
	free_event(w, 0, events);
	w->max_events = events;
}

/* --- race_small: like race, but the ISR only queues (nothing counted). */
static void init_race_small(struct world *w, unsigned ncpus, unsigned events)
{
	const struct dt_cinsn isr[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
	const struct dt_cinsn dpc[] = { RMW(V_X), CP_RETI(0) };
	world_reset(w, "race_small", ncpus, build_race);
	SET_PROG(w, P0, isr);
	SET_PROG(w, P1, dpc);
	free_event(w, 0, events);
	w->max_events = events;
}

/* --- level: 2 CPUs, level line; the ISR reads INTSTATUS, acknowledges what
 * it read and queues only if it found bits; the DPC does y++ racy. */
static int build_level(struct dt_chost *h, struct dt_machine *m)
{
	(void)h;
	return make_vars(m, NV) || make_simple_dev(m, "lvl", DT_LINE_LEVEL, 6, 0x3, P0, P1);
}

static void init_level(struct world *w)
{
	const struct dt_cinsn isr[] = {
		CP_RDREG(0, 0, DT_REG_INTSTATUS), /* 0 */
		CP_JZ(0, 4),			  /* 1 */
		CP_WRREG(0, DT_REG_INTSTATUS, 0), /* 2: ack what was read */
		CP_QUEUE_DPC(2),		  /* 3 */
		CP_RET(0),			  /* 4 */
	};
	const struct dt_cinsn dpc[] = { RMW(V_Y), CP_RETI(0) };
	world_reset(w, "level", 2, build_level);
	SET_PROG(w, P0, isr);
	SET_PROG(w, P1, dpc);
	free_event(w, 0, 2);
	w->max_events = 2;
}

/* --- msi: 2 CPUs, one device with two MSI messages (two interrupts, two
 * locks); each ISR does x++ at DIRQL under its own lock only: a race. */
static int build_msi(struct dt_chost *h, struct dt_machine *m)
{
	unsigned dev, l0, l1;
	uint32_t status;
	uint64_t hd;
	struct dt_interrupt_config cfg;
	(void)h;
	if (make_vars(m, NV) || dt_device_create(m, "msi", &dev) ||
	    dt_device_add_line(m, dev, DT_LINE_MSI, 7, 0x3, &l0) ||
	    dt_device_add_line(m, dev, DT_LINE_MSI, 7, 0x3, &l1) ||
	    dt_event_create(m, "m0", dev, l0, 1, NULL) ||
	    dt_event_create(m, "m1", dev, l1, 2, NULL))
		return -1;
	for (unsigned i = 0; i < 2; i++) {
		dt_interrupt_config_init(&cfg, P0, DT_NO_CALLBACK);
		if (dt_interrupt_create(m, dev, &cfg, &status, &hd) || status != DT_STATUS_SUCCESS)
			return -1;
	}
	return 0;
}

static void init_msi(struct world *w)
{
	const struct dt_cinsn isr[] = { RMW(V_X), CP_RETI(1) };
	world_reset(w, "msi", 2, build_msi);
	SET_PROG(w, P0, isr);
	free_event(w, 0, 1);
	free_event(w, 1, 1);
	w->max_events = 2;
}

/* --- intr_lock: 2 CPUs; the ISR does x++ (under its interrupt lock) and
 * queues; the DPC does x++ inside WdfInterruptAcquireLock: x is exact. */
static void init_intr_lock(struct world *w)
{
	const struct dt_cinsn isr[] = { RMW(V_X), CP_QUEUE_DPC(0), CP_RETI(1) };
	const struct dt_cinsn dpc[] = {
		CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, 0, 0),
		RMW(V_X),
		CP_OP(0, DT_OP_INTR_RELEASE_LOCK, 0, 0),
		CP_RETI(0),
	};
	world_reset(w, "intr_lock", 2, build_race);
	SET_PROG(w, P0, isr);
	SET_PROG(w, P1, dpc);
	free_event(w, 0, 2);
	w->max_events = 2;
}

/* --- spin_dpc: 2 CPUs, two devices (a on CPU 0, b on CPU 1); both DPCs do
 * x++ under one WDFSPINLOCK taken with KeAcquireSpinLockAtDpcLevel. */
static int build_spin_dpc(struct dt_chost *h, struct dt_machine *m)
{
	uint64_t sl;
	(void)h;
	return make_vars(m, NV) || dt_spinlock_create(m, &sl) ||
	       sl != dt_handle_of(DT_HANDLE_SPINLOCK, 0) ||
	       make_simple_dev(m, "a", DT_LINE_EDGE, 5, 0x1, P0, P1) ||
	       make_simple_dev(m, "b", DT_LINE_EDGE, 6, 0x2, P0, P1);
}

static void init_spin_dpc(struct world *w)
{
	const uint64_t S = dt_handle_of(DT_HANDLE_SPINLOCK, 0);
	const struct dt_cinsn isr[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
	const struct dt_cinsn dpc[] = {
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE_AT_DPC, S, 0),
		RMW(V_X),
		CP_OP(0, DT_OP_SPINLOCK_RELEASE_FROM_DPC, S, 0),
		CP_RETI(0),
	};
	world_reset(w, "spin_dpc", 2, build_spin_dpc);
	SET_PROG(w, P0, isr);
	SET_PROG(w, P1, dpc);
	free_event(w, 0, 1);
	free_event(w, 1, 1);
	w->max_events = 2;
}

/* --- two_dev: 1 CPU, devices lo (DIRQL 4) and hi (DIRQL 8); both ISRs do
 * x++ racy (hi may interrupt lo between read and write) and write y = id. */
static int build_two_dev(struct dt_chost *h, struct dt_machine *m)
{
	(void)h;
	return make_vars(m, NV) ||
	       make_simple_dev(m, "lo", DT_LINE_EDGE, 4, 0x1, P0, DT_NO_CALLBACK) ||
	       make_simple_dev(m, "hi", DT_LINE_EDGE, 8, 0x1, P1, DT_NO_CALLBACK);
}

static void init_two_dev(struct world *w)
{
	const struct dt_cinsn lo[] = { RMW(V_X), CP_WRITEI(V_Y, 1), CP_RETI(1) };
	const struct dt_cinsn hi[] = { RMW(V_X), CP_WRITEI(V_Y, 2), CP_RETI(1) };
	world_reset(w, "two_dev", 1, build_two_dev);
	SET_PROG(w, P0, lo);
	SET_PROG(w, P1, hi);
	free_event(w, 0, 1);
	free_event(w, 1, 1);
	w->max_events = 2;
}

/* --- threads: 2 CPUs, lesson threads alpha and beta: WdfWaitLockAcquire W,
 * x++, release; then y++ unlocked (racy).  No device events. */
static int build_threads(struct dt_chost *h, struct dt_machine *m)
{
	uint64_t wl;
	(void)h;
	return make_vars(m, NV) || dt_waitlock_create(m, &wl) ||
	       wl != dt_handle_of(DT_HANDLE_WAITLOCK, 0) ||
	       dt_thread_create(m, "alpha", P0, 0, NULL) ||
	       dt_thread_create(m, "beta", P0, 0, NULL);
}

static void init_threads(struct world *w)
{
	const uint64_t W = dt_handle_of(DT_HANDLE_WAITLOCK, 0);
	const struct dt_cinsn body[] = {
		CP_OP(0, DT_OP_WAITLOCK_ACQUIRE, W, 0),
		RMW(V_X),
		CP_OP(0, DT_OP_WAITLOCK_RELEASE, W, 0),
		RMW(V_Y),
		CP_RETI(0),
	};
	world_reset(w, "threads", 2, build_threads);
	SET_PROG(w, P0, body);
}

/* --- workitem: 2 CPUs, one worker; a work-item interrupt whose ISR calls
 * WdfInterruptQueueWorkItemForIsr; the work item does x++. */
static int build_workitem(struct dt_chost *h, struct dt_machine *m)
{
	struct dt_interrupt_config cfg;
	(void)h;
	dt_interrupt_config_init(&cfg, P0, DT_NO_CALLBACK);
	cfg.work_item = P1;
	return make_vars(m, NV) || make_dev(m, "wi", DT_LINE_EDGE, 5, 0x3, &cfg);
}

static void init_workitem(struct world *w)
{
	const struct dt_cinsn isr[] = {
		CP_OP(0, DT_OP_QUEUE_WORKITEM_FOR_ISR, 0, 0),
		CP_RETI(1),
	};
	const struct dt_cinsn work[] = { RMW(V_X), CP_RETI(0) };
	world_reset(w, "workitem", 2, build_workitem);
	w->workers = 1;
	SET_PROG(w, P0, isr);
	SET_PROG(w, P1, work);
	free_event(w, 0, 2);
	w->max_events = 2;
}

/* --- passive: 2 CPUs, a passive-level interrupt on a level line (its ISR
 * runs in its thread under the interrupt's wait lock: ack, x++) and a
 * lesson thread doing x++ inside WdfInterruptAcquireLock of that
 * interrupt, then y++. */
static int build_passive(struct dt_chost *h, struct dt_machine *m)
{
	struct dt_interrupt_config cfg;
	(void)h;
	dt_interrupt_config_init(&cfg, P0, DT_NO_CALLBACK);
	cfg.passive_handling = 1;
	return make_vars(m, NV) || make_dev(m, "pas", DT_LINE_LEVEL, 5, 0x3, &cfg) ||
	       dt_thread_create(m, "lesson", P1, 0x2, NULL);
}

static void init_passive(struct world *w)
{
	const uint64_t I = dt_handle_of(DT_HANDLE_INTERRUPT, 0);
	const struct dt_cinsn isr[] = { CP_WRREGI(0, DT_REG_INTSTATUS, 1), RMW(V_X), CP_RETI(1) };
	const struct dt_cinsn th[] = {
		CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, I, 0),
		RMW(V_X),
		CP_OP(0, DT_OP_INTR_RELEASE_LOCK, I, 0),
		CP_WRITEI(V_Y, 1),
		CP_RETI(0),
	};
	world_reset(w, "passive", 2, build_passive);
	SET_PROG(w, P0, isr);
	SET_PROG(w, P1, th);
	free_event(w, 0, 1);
	w->max_events = 1;
}

/* --- cpu3: 3 CPUs, edge line, ISR without acknowledgment queues; the DPC
 * does x++ racy. */
static int build_cpu3(struct dt_chost *h, struct dt_machine *m)
{
	(void)h;
	return make_vars(m, NV) || make_simple_dev(m, "nic", DT_LINE_EDGE, 5, 0x7, P0, P1);
}

static void init_cpu3(struct world *w)
{
	const struct dt_cinsn isr[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
	const struct dt_cinsn dpc[] = { RMW(V_X), CP_RETI(0) };
	world_reset(w, "cpu3", 3, build_cpu3);
	SET_PROG(w, P0, isr);
	SET_PROG(w, P1, dpc);
	free_event(w, 0, 2);
	w->max_events = 2;
}

/* --- spin_threads: 2 CPUs, threads alpha (CPU 0) and beta (CPU 1) each do
 * WdfSpinLockAcquire S, x++, WdfSpinLockRelease S: one spins while the
 * other holds S.  No device events. */
static int build_spin_threads(struct dt_chost *h, struct dt_machine *m)
{
	uint64_t sl;
	(void)h;
	return make_vars(m, NV) || dt_spinlock_create(m, &sl) ||
	       sl != dt_handle_of(DT_HANDLE_SPINLOCK, 0) ||
	       dt_thread_create(m, "alpha", P0, 0x1, NULL) ||
	       dt_thread_create(m, "beta", P0, 0x2, NULL);
}

static void init_spin_threads(struct world *w)
{
	const uint64_t S = dt_handle_of(DT_HANDLE_SPINLOCK, 0);
	const struct dt_cinsn body[] = {
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, S, 0),
		RMW(V_X),
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, S, 0),
		CP_RETI(0),
	};
	world_reset(w, "spin_threads", 2, build_spin_threads);
	SET_PROG(w, P0, body);
}

/* --- spin_pair: 2 CPUs; alpha (CPU 0) does WdfSpinLockAcquire S, x = 1,
 * release; beta (CPU 1) the same with y = 1.  A CPU spinning for S is
 * charged 1 us for every global step that passes meanwhile (time.c), so
 * with a cumulative DPC watchdog of `watchdog_us` only a spin through
 * enough of the other's steps bug-checks (0x133, P1 = 1). */
static int build_spin_pair(struct dt_chost *h, struct dt_machine *m)
{
	uint64_t sl;
	(void)h;
	return make_vars(m, NV) || dt_spinlock_create(m, &sl) ||
	       sl != dt_handle_of(DT_HANDLE_SPINLOCK, 0) ||
	       dt_thread_create(m, "alpha", P0, 0x1, NULL) ||
	       dt_thread_create(m, "beta", P1, 0x2, NULL);
}

static void init_spin_pair(struct world *w, uint32_t watchdog_us)
{
	const uint64_t S = dt_handle_of(DT_HANDLE_SPINLOCK, 0);
	const struct dt_cinsn alpha[] = {
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, S, 0),
		CP_WRITEI(V_X, 1),
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, S, 0),
		CP_RETI(0),
	};
	const struct dt_cinsn beta[] = {
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, S, 0),
		CP_WRITEI(V_Y, 1),
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, S, 0),
		CP_RETI(0),
	};
	world_reset(w, "spin_pair", 2, build_spin_pair);
	SET_PROG(w, P0, alpha);
	SET_PROG(w, P1, beta);
	w->watchdog_cumulative_us = watchdog_us;
}

/* --- abba: 2 CPUs; alpha (CPU 0) takes spin locks S then T, beta (CPU 1)
 * T then S, each writing a value inside: some orders deadlock (both CPUs
 * spin forever), the others end quiescent. */
static int build_abba(struct dt_chost *h, struct dt_machine *m)
{
	uint64_t a, b;
	(void)h;
	return make_vars(m, NV) || dt_spinlock_create(m, &a) || dt_spinlock_create(m, &b) ||
	       a != dt_handle_of(DT_HANDLE_SPINLOCK, 0) ||
	       b != dt_handle_of(DT_HANDLE_SPINLOCK, 1) ||
	       dt_thread_create(m, "alpha", P0, 0x1, NULL) ||
	       dt_thread_create(m, "beta", P1, 0x2, NULL);
}

static void init_abba(struct world *w)
{
	const uint64_t S = dt_handle_of(DT_HANDLE_SPINLOCK, 0);
	const uint64_t T = dt_handle_of(DT_HANDLE_SPINLOCK, 1);
	const struct dt_cinsn alpha[] = {
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, S, 0),
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE_AT_DPC, T, 0),
		CP_WRITEI(V_X, 1),
		CP_OP(0, DT_OP_SPINLOCK_RELEASE_FROM_DPC, T, 0),
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, S, 0),
		CP_RETI(0),
	};
	const struct dt_cinsn beta[] = {
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, T, 0),
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE_AT_DPC, S, 0),
		CP_WRITEI(V_Y, 1),
		CP_OP(0, DT_OP_SPINLOCK_RELEASE_FROM_DPC, S, 0),
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, T, 0),
		CP_RETI(0),
	};
	world_reset(w, "abba", 2, build_abba);
	SET_PROG(w, P0, alpha);
	SET_PROG(w, P1, beta);
}

/* --- wait_abba: 2 CPUs, lesson threads alpha (CPU 0) and beta (CPU 1)
 * taking wait locks V and W in opposite orders: a blocked thread frees its
 * CPU (never a choice), and some orders hang (a deadlock of threads), the
 * others end quiescent. */
static int build_wait_abba(struct dt_chost *h, struct dt_machine *m)
{
	uint64_t a, b;
	(void)h;
	return make_vars(m, NV) || dt_waitlock_create(m, &a) || dt_waitlock_create(m, &b) ||
	       a != dt_handle_of(DT_HANDLE_WAITLOCK, 0) ||
	       b != dt_handle_of(DT_HANDLE_WAITLOCK, 1) ||
	       dt_thread_create(m, "alpha", P0, 0x1, NULL) ||
	       dt_thread_create(m, "beta", P1, 0x2, NULL);
}

static void init_wait_abba(struct world *w)
{
	const uint64_t V = dt_handle_of(DT_HANDLE_WAITLOCK, 0);
	const uint64_t W = dt_handle_of(DT_HANDLE_WAITLOCK, 1);
	const struct dt_cinsn alpha[] = {
		CP_OP(0, DT_OP_WAITLOCK_ACQUIRE, V, 0),
		CP_OP(0, DT_OP_WAITLOCK_ACQUIRE, W, 0),
		CP_WRITEI(V_X, 1),
		CP_OP(0, DT_OP_WAITLOCK_RELEASE, W, 0),
		CP_OP(0, DT_OP_WAITLOCK_RELEASE, V, 0),
		CP_RETI(0),
	};
	const struct dt_cinsn beta[] = {
		CP_OP(0, DT_OP_WAITLOCK_ACQUIRE, W, 0),
		CP_OP(0, DT_OP_WAITLOCK_ACQUIRE, V, 0),
		CP_WRITEI(V_Y, 1),
		CP_OP(0, DT_OP_WAITLOCK_RELEASE, V, 0),
		CP_OP(0, DT_OP_WAITLOCK_RELEASE, W, 0),
		CP_RETI(0),
	};
	world_reset(w, "wait_abba", 2, build_wait_abba);
	SET_PROG(w, P0, alpha);
	SET_PROG(w, P1, beta);
}

/* --- split: 2 CPUs, device a only on CPU 0 (ISR: x = 1), device b only on
 * CPU 1 (ISR: y = 1); nothing shared, every step of one side independent
 * of the other. */
static int build_split(struct dt_chost *h, struct dt_machine *m)
{
	(void)h;
	return make_vars(m, NV) ||
	       make_simple_dev(m, "a", DT_LINE_EDGE, 5, 0x1, P0, DT_NO_CALLBACK) ||
	       make_simple_dev(m, "b", DT_LINE_EDGE, 5, 0x2, P1, DT_NO_CALLBACK);
}

static void init_split(struct world *w)
{
	const struct dt_cinsn a[] = { CP_WRITEI(V_X, 1), CP_RETI(1) };
	const struct dt_cinsn b[] = { CP_WRITEI(V_Y, 1), CP_RETI(1) };
	world_reset(w, "split", 2, build_split);
	SET_PROG(w, P0, a);
	SET_PROG(w, P1, b);
	free_event(w, 0, 1);
	free_event(w, 1, 1);
	w->max_events = 2;
}

/* --- straight: 1 CPU, one lesson thread doing a few steps; no events: a
 * single deterministic run. */
static int build_straight(struct dt_chost *h, struct dt_machine *m)
{
	(void)h;
	return make_vars(m, NV) || dt_thread_create(m, "solo", P0, 0, NULL);
}

static void init_straight(struct world *w)
{
	const struct dt_cinsn body[] = { RMW(V_X), CP_STEP(1), CP_WRITEI(V_Y, 7), CP_RETI(0) };
	world_reset(w, "straight", 1, build_straight);
	SET_PROG(w, P0, body);
}

/* --- long_dpc: 1 CPU, the DPC takes 30 explicit steps, then sets x = 1. */
static void init_long_dpc(struct world *w)
{
	const struct dt_cinsn isr[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
	/* clang-format off */
	const struct dt_cinsn dpc[] = {
		CP_MOVI(3, 30),		/* 0 */
		CP_STEP(1),		/* 1 */
		CP_ADDI(3, -1),		/* 2 */
		CP_JNZ(3, 1),		/* 3 */
		CP_WRITEI(V_X, 1),	/* 4 */
		CP_RETI(0),		/* 5 */
	};
	/* clang-format on */
	world_reset(w, "long_dpc", 1, build_race);
	SET_PROG(w, P0, isr);
	SET_PROG(w, P1, dpc);
	free_event(w, 0, 1);
	w->max_events = 1;
}

/* The scenarios of the reduction-soundness table. */
static void (*const sound_table[])(struct world *) = {
	init_level,   init_msi,	     init_intr_lock, init_spin_dpc, init_two_dev,
	init_threads, init_workitem, init_passive,   init_cpu3,	    init_spin_threads,
	init_split,   init_abba,     init_wait_abba,
};
#define NSOUND (sizeof(sound_table) / sizeof(sound_table[0]))

/* ------------------------------------------------------------------------ */
/* Running the explorer                                                     */

static void explore(struct world *w, uint32_t K, int reduce, uint32_t max_steps,
		    const struct dt_explore_hooks *hooks, struct dt_explore_report *r)
{
	struct dt_machine *m = world_machine(w);
	struct dt_explore_bounds b = { .max_preemptions = K,
				       .max_events = w->max_events,
				       .max_steps = max_steps,
				       .reduce = reduce };
	clock_t t0 = clock();
	int rc = dt_explore(m, &b, w->fe, w->nfe, hooks, NULL, NULL, r);
	if (getenv("DT_EXPLORE_VERBOSE"))
		fprintf(stderr,
			"%-12s K=%-10u reduce=%d %5.2fs runs=%llu incomplete=%llu pruned=%llu "
			"slept=%llu steps=%llu outcomes=%u\n",
			w->name, K, reduce, (double)(clock() - t0) / CLOCKS_PER_SEC,
			(unsigned long long)r->runs, (unsigned long long)r->incomplete,
			(unsigned long long)r->pruned, (unsigned long long)r->slept,
			(unsigned long long)r->steps, r->noutcomes);
	ck_assert_msg(rc == DT_OK && !r->error, "%s: dt_explore failed (%d): %s", w->name, rc,
		      r->message);
	ck_assert_msg(!r->truncated, "%s: outcomes truncated", w->name);
	world_done(w, m);
}

static int value_eq(const struct dt_value *a, const struct dt_value *b)
{
	return a->kind == b->kind && memcmp(&a->u, &b->u, sizeof(a->u)) == 0;
}

/* An outcome's key (kind, code, values) as seen in a machine's state. */
struct okey {
	unsigned kind;
	uint32_t code;
	unsigned nvalues;
	struct dt_value values[NV];
};

static void key_of_state(const struct dt_machine *m, struct okey *k)
{
	const struct dt_state *st = dt_machine_state(m);
	memset(k, 0, sizeof(*k));
	k->kind = st->outcome.kind == DT_RUNNING ? DT_QUIESCENT : st->outcome.kind;
	k->code = k->kind == DT_BUGCHECK ? st->outcome.code : 0;
	ck_assert_uint_le(st->nvars, NV);
	k->nvalues = st->nvars;
	for (unsigned v = 0; v < st->nvars; v++)
		k->values[v] = st->vars[v].value;
}

static void key_of_outcome(const struct dt_explore_outcome *o, struct okey *k)
{
	memset(k, 0, sizeof(*k));
	k->kind = o->kind;
	k->code = o->code;
	ck_assert_uint_le(o->nvalues, NV);
	k->nvalues = o->nvalues;
	memcpy(k->values, o->values, o->nvalues * sizeof(o->values[0]));
}

static int key_eq(const struct okey *a, const struct okey *b)
{
	if (a->kind != b->kind || a->code != b->code || a->nvalues != b->nvalues)
		return 0;
	for (unsigned v = 0; v < a->nvalues; v++)
		if (!value_eq(&a->values[v], &b->values[v]))
			return 0;
	return 1;
}

static const char *key_str(const struct okey *k, char *buf, size_t size)
{
	int n = snprintf(buf, size, "kind=%u code=%#x", k->kind, k->code);
	for (unsigned v = 0; v < k->nvalues && n > 0 && (size_t)n < size; v++)
		n += snprintf(buf + n, size - (size_t)n, " %s=%lld", var_names[v],
			      (long long)k->values[v].u.i);
	return buf;
}

static int report_has(const struct dt_explore_report *r, const struct okey *k)
{
	for (unsigned i = 0; i < r->noutcomes; i++) {
		struct okey o;
		key_of_outcome(&r->outcomes[i], &o);
		if (key_eq(&o, k))
			return 1;
	}
	return 0;
}

/* Both reports hold the same set of outcomes. */
static void assert_same_outcomes(const char *what, const struct dt_explore_report *a,
				 const struct dt_explore_report *b)
{
	char buf[160];
	for (unsigned i = 0; i < a->noutcomes; i++) {
		struct okey k;
		key_of_outcome(&a->outcomes[i], &k);
		ck_assert_msg(report_has(b, &k), "%s: outcome {%s} only in the first report", what,
			      key_str(&k, buf, sizeof(buf)));
	}
	for (unsigned i = 0; i < b->noutcomes; i++) {
		struct okey k;
		key_of_outcome(&b->outcomes[i], &k);
		ck_assert_msg(report_has(a, &k), "%s: outcome {%s} only in the second report", what,
			      key_str(&k, buf, sizeof(buf)));
	}
	ck_assert_uint_eq(a->noutcomes, b->noutcomes);
}

/* ------------------------------------------------------------------------ */
/* Replaying witnesses                                                      */

/* My own counts over a choice sequence, with the explorer's definitions. */
struct replay_info {
	uint32_t preemptions;
	uint32_t events;
	uint32_t per_event[DT_EXPLORE_MAX_FREE];
};

/*
 * Replay `w` on a fresh machine of `wd` (trace on) with dt_machine_step,
 * asserting every choice is taken, that no CPU choice falls on a CPU that
 * cannot step (a spinning one in particular) and counting preemptions: a
 * CPU or thread choice on a CPU other than the last one that took a CPU or
 * thread step, while that one could still step.  When `settle` is set and
 * nothing can step at the end, the outcome is decided as the explorer
 * does.  Returns the machine.
 */
static struct dt_machine *replay(struct world *wd, const struct dt_witness *w, int settle,
				 struct replay_info *info)
{
	struct dt_machine *m = world_machine(wd);
	int prev = -1;
	memset(info, 0, sizeof(*info));
	for (uint32_t i = 0; i < w->n; i++) {
		const struct dt_choice *c = &w->choices[i];
		if (c->kind == DT_CHOICE_EVENT) {
			info->events++;
			for (unsigned f = 0; f < wd->nfe; f++)
				if (wd->fe[f].event == c->object)
					info->per_event[f]++;
		} else {
			if (c->kind == DT_CHOICE_CPU)
				ck_assert_msg(dt_cpu_next_action(m, c->cpu) != DT_ACT_SPIN &&
						      dt_cpu_can_step(m, c->cpu),
					      "%s: choice %u steps CPU %u, which cannot step",
					      wd->name, i, c->cpu);
			if (prev >= 0 && c->cpu != prev && dt_cpu_can_step(m, (unsigned)prev))
				info->preemptions++;
			prev = c->cpu;
		}
		ck_assert_msg(dt_machine_step(m, c) == DT_OK, "%s: witness choice %u refused",
			      wd->name, i);
	}
	if (settle && dt_machine_state(m)->outcome.kind == DT_RUNNING &&
	    dt_machine_enabled(m, NULL, 0) == 0)
		ck_assert_int_eq(dt_machine_settle(m, 0), DT_OK);
	return m;
}

/* Replay an outcome's witness: it must reach exactly that outcome, with the
 * counts the explorer recorded. */
static void check_witness(struct world *wd, const struct dt_explore_outcome *o)
{
	struct replay_info info;
	struct okey want, got;
	char b1[160], b2[160];
	struct dt_machine *m = replay(wd, &o->witness, 1, &info);
	ck_assert_msg(dt_machine_state(m)->outcome.kind != DT_RUNNING,
		      "%s: a witness ends while something can still step", wd->name);
	key_of_outcome(o, &want);
	key_of_state(m, &got);
	ck_assert_msg(key_eq(&want, &got), "%s: witness reaches {%s}, not {%s}", wd->name,
		      key_str(&got, b1, sizeof(b1)), key_str(&want, b2, sizeof(b2)));
	ck_assert_uint_eq(info.preemptions, o->witness.preemptions);
	ck_assert_uint_eq(info.events, o->witness.events);
	world_done(wd, m);
}

/* ------------------------------------------------------------------------ */
/* The independent brute force                                              */

struct bf_out {
	struct okey key;
	uint32_t min_pre;
	uint64_t count;
};

struct brute {
	struct world *w;
	struct dt_machine *m;
	uint32_t K, max_steps;
	struct dt_choice path[BF_MAXDEPTH];
	unsigned mdepth; /* the machine is after path[0..mdepth); ~0u: unknown */
	unsigned used[DT_EXPLORE_MAX_FREE];
	uint64_t runs, incomplete, pruned, spin_nodes;
	struct bf_out out[BF_MAXOUT];
	unsigned nout;
	/* a final-state predicate: violating runs and their fewest preemptions */
	int (*bad)(const struct dt_machine *m);
	uint64_t nbad;
	uint32_t min_bad_pre;
	/* an exists-goal checked after every step (and where a run ends): the
	 * complete runs along which it held somewhere */
	int (*reached)(const struct dt_machine *m);
	uint64_t nhits;
};

static void bf_goto(struct brute *b, unsigned d)
{
	if (b->mdepth == d)
		return;
	ck_assert_int_eq(dt_machine_start_over(b->m), DT_OK);
	dt_machine_set_trace(b->m, 0);
	for (unsigned i = 0; i < d; i++)
		ck_assert_int_eq(dt_machine_step(b->m, &b->path[i]), DT_OK);
	b->mdepth = d;
}

static void bf_record(struct brute *b, uint32_t pre, int hit)
{
	struct okey k;
	key_of_state(b->m, &k);
	b->runs++;
	b->nhits += hit != 0;
	if (b->bad && b->bad(b->m)) {
		if (!b->nbad || pre < b->min_bad_pre)
			b->min_bad_pre = pre;
		b->nbad++;
	}
	for (unsigned i = 0; i < b->nout; i++)
		if (key_eq(&b->out[i].key, &k)) {
			b->out[i].count++;
			if (pre < b->out[i].min_pre)
				b->out[i].min_pre = pre;
			return;
		}
	ck_assert_uint_lt(b->nout, BF_MAXOUT);
	b->out[b->nout++] = (struct bf_out){ .key = k, .min_pre = pre, .count = 1 };
}

static int can_step_action(enum dt_cpu_action a)
{
	return a == DT_ACT_TAKE_INTERRUPT || a == DT_ACT_OBTAIN_LOCK || a == DT_ACT_DEQUEUE_DPC ||
	       a == DT_ACT_PERFORM_OP || a == DT_ACT_RETURN;
}

/* Could the run go on: a CPU or thread step, or a free event to place? */
static int bf_can_go_on(const struct brute *b, uint32_t events)
{
	for (unsigned c = 0; c < b->w->ncpus; c++)
		if (can_step_action(dt_cpu_next_action(b->m, c)))
			return 1;
	struct dt_choice en[64];
	unsigned k = dt_machine_enabled(b->m, en, 64);
	for (unsigned i = 0; i < k && i < 64; i++)
		if (en[i].kind == DT_CHOICE_THREAD)
			return 1;
	if (events >= b->w->max_events)
		return 0;
	for (unsigned f = 0; f < b->w->nfe; f++)
		if (b->used[f] < b->w->fe[f].max)
			return 1;
	return 0;
}

static int bf_reached(const struct brute *b)
{
	return b->reached && b->reached(b->m);
}

static void bf_node(struct brute *b, unsigned d, uint32_t events, uint32_t pre, int prev, int hit)
{
	struct dt_choice opts[64], en[64];
	unsigned n = 0, ncpu_mine = 0, ncpu_theirs = 0, stepping;
	bf_goto(b, d);
	const struct dt_state *st = dt_machine_state(b->m);
	int prev_can = prev >= 0 && dt_cpu_can_step(b->m, (unsigned)prev);
	/* CPU steps: exactly the CPUs whose next action is a step. */
	for (unsigned c = 0; c < st->ncpus; c++) {
		enum dt_cpu_action a = dt_cpu_next_action(b->m, c);
		if (a == DT_ACT_SPIN)
			b->spin_nodes++;
		if (can_step_action(a)) {
			opts[n++] = (struct dt_choice){ .kind = DT_CHOICE_CPU, .cpu = (uint16_t)c };
			ncpu_mine++;
		}
	}
	unsigned k = dt_machine_enabled(b->m, en, 64);
	ck_assert_uint_le(k, 64);
	for (unsigned i = 0; i < k; i++) {
		if (en[i].kind == DT_CHOICE_CPU) {
			ncpu_theirs++;
			ck_assert_msg(dt_cpu_next_action(b->m, en[i].cpu) != DT_ACT_SPIN,
				      "%s: a spinning CPU %u is offered as a choice", b->w->name,
				      en[i].cpu);
		} else {
			ck_assert_int_eq(en[i].kind, DT_CHOICE_THREAD);
			opts[n++] = en[i];
		}
	}
	ck_assert_uint_eq(ncpu_mine, ncpu_theirs);
	stepping = n;
	if (events < b->w->max_events)
		for (unsigned f = 0; f < b->w->nfe; f++) {
			if (b->used[f] >= b->w->fe[f].max)
				continue;
			const struct dt_event *ev = &st->events[b->w->fe[f].event];
			uint64_t aff = st->devices[ev->device].lines[ev->line].affinity;
			for (unsigned c = 0; c < st->ncpus; c++)
				if ((aff >> c) & 1)
					opts[n++] =
						(struct dt_choice){ .kind = DT_CHOICE_EVENT,
								    .cpu = (uint16_t)c,
								    .object = b->w->fe[f].event };
		}
	if (stepping == 0) { /* the run may end here */
		bf_goto(b, d);
		ck_assert_int_eq(dt_machine_settle(b->m, 0), DT_OK);
		b->mdepth = ~0u;
		bf_record(b, pre, hit || bf_reached(b));
	}
	for (unsigned i = 0; i < n; i++) {
		const struct dt_choice c = opts[i];
		int ev = c.kind == DT_CHOICE_EVENT;
		uint32_t npre = pre + (!ev && prev_can && (int)c.cpu != prev);
		if (npre > b->K) {
			b->pruned++;
			continue;
		}
		bf_goto(b, d);
		ck_assert_int_eq(dt_machine_step(b->m, &c), DT_OK);
		ck_assert_uint_lt(d, BF_MAXDEPTH);
		b->path[d] = c;
		b->mdepth = d + 1;
		int nhit = hit || bf_reached(b);
		if (dt_machine_state(b->m)->outcome.kind != DT_RUNNING) {
			bf_record(b, npre, nhit);
			continue;
		}
		unsigned f = 0;
		if (ev) {
			while (b->w->fe[f].event != c.object)
				f++;
			b->used[f]++;
		}
		if (d + 1 >= b->max_steps) {
			/* the bound: cut if the run could go on, else it ends here */
			if (bf_can_go_on(b, events + (uint32_t)ev)) {
				b->incomplete++;
			} else {
				ck_assert_int_eq(dt_machine_settle(b->m, 0), DT_OK);
				b->mdepth = ~0u;
				bf_record(b, npre, nhit);
			}
		} else {
			bf_node(b, d + 1, events + (uint32_t)ev, npre, ev ? prev : c.cpu, nhit);
		}
		if (ev)
			b->used[f]--;
	}
}

static void brute(struct world *w, uint32_t K, uint32_t max_steps, struct brute *b)
{
	int (*bad)(const struct dt_machine *) = b->bad;
	int (*reached)(const struct dt_machine *) = b->reached;
	memset(b, 0, sizeof(*b));
	b->bad = bad;
	b->reached = reached;
	b->w = w;
	b->K = K;
	b->max_steps = max_steps;
	b->m = world_machine(w);
	dt_machine_set_trace(b->m, 0);
	b->mdepth = 0;
	bf_node(b, 0, 0, 0, -1, 0);
	world_done(w, b->m);
	b->m = NULL;
}

/* The brute force and a report hold the same outcome set. */
static void assert_brute_matches(const char *what, const struct brute *b,
				 const struct dt_explore_report *r)
{
	char buf[160];
	for (unsigned i = 0; i < b->nout; i++)
		ck_assert_msg(report_has(r, &b->out[i].key), "%s: brute-force outcome {%s} missing",
			      what, key_str(&b->out[i].key, buf, sizeof(buf)));
	ck_assert_uint_eq(b->nout, r->noutcomes);
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                    */

/* DT_EXPLORE_VERBOSE=1 prints every walk's counts (to tune scenario sizes). */
static int verbose(void)
{
	return getenv("DT_EXPLORE_VERBOSE") != NULL;
}

/* Reduction soundness, one scenario of the table per iteration: sleep sets
 * (reduce=1, no preemption bound) report exactly the unreduced outcome set,
 * say so in report->reduced, and never explore more runs. */
START_TEST(test_reduction_keeps_outcome_set)
{
	struct world w;
	struct dt_explore_report full, red;
	sound_table[_i](&w);
	explore(&w, DT_EXPLORE_UNBOUNDED, 0, STEPS_DEFAULT, NULL, &full);
	explore(&w, DT_EXPLORE_UNBOUNDED, 1, STEPS_DEFAULT, NULL, &red);
	ck_assert_int_eq(full.reduced, 0);
	ck_assert_int_eq(red.reduced, 1);
	ck_assert_uint_eq(full.slept, 0);
	ck_assert_uint_eq(full.pruned, 0);
	ck_assert_uint_eq(red.pruned, 0);
	ck_assert_uint_eq(full.incomplete, 0);
	ck_assert_uint_eq(red.incomplete, 0);
	ck_assert_uint_gt(full.runs, 0);
	assert_same_outcomes(w.name, &full, &red);
	ck_assert_msg(red.runs <= full.runs, "%s: reduced %llu runs > unreduced %llu", w.name,
		      (unsigned long long)red.runs, (unsigned long long)full.runs);
	dt_explore_report_free(&full);
	dt_explore_report_free(&red);
}
END_TEST

/* Sleep sets actually prune: on scenarios whose sides are (partly)
 * independent, the reduced walk is strictly smaller and reports sleepers. */
START_TEST(test_reduction_prunes_independent_steps)
{
	static void (*const table[])(struct world *) = { init_split, init_msi, init_spin_dpc,
							 init_threads };
	for (unsigned s = 0; s < sizeof(table) / sizeof(table[0]); s++) {
		struct world w;
		struct dt_explore_report full, red;
		table[s](&w);
		explore(&w, DT_EXPLORE_UNBOUNDED, 0, STEPS_DEFAULT, NULL, &full);
		explore(&w, DT_EXPLORE_UNBOUNDED, 1, STEPS_DEFAULT, NULL, &red);
		ck_assert_msg(red.runs < full.runs && red.slept > 0,
			      "%s: reduced %llu runs (slept %llu), unreduced %llu", w.name,
			      (unsigned long long)red.runs, (unsigned long long)red.slept,
			      (unsigned long long)full.runs);
		ck_assert_uint_lt(red.steps, full.steps);
		dt_explore_report_free(&full);
		dt_explore_report_free(&red);
	}
}
END_TEST

/* A preemption bound switches the reduction off, and the report says so. */
START_TEST(test_bound_disables_reduction)
{
	struct world w;
	struct dt_explore_report r;
	init_split(&w);
	explore(&w, 3, 1, STEPS_DEFAULT, NULL, &r);
	ck_assert_int_eq(r.reduced, 0);
	ck_assert_uint_eq(r.slept, 0);
	ck_assert_uint_eq(r.bounds.max_preemptions, 3);
	ck_assert_int_eq(r.bounds.reduce, 1);
	dt_explore_report_free(&r);
}
END_TEST

/* The tiny scenarios the brute force walks completely. */
static void init_race_small_2(struct world *w)
{
	init_race_small(w, 2, 2);
}

static void (*const brute_table[])(struct world *) = {
	init_split, init_spin_threads, init_two_dev, init_race_small_2, init_abba, init_wait_abba,
};
#define NBRUTE (sizeof(brute_table) / sizeof(brute_table[0]))

/* An independent brute force (my enumerator: start over and replay, CPU
 * choices from dt_cpu_next_action, no reduction) agrees with dt_explore:
 * unbounded, the same outcome set as the reduced and the unreduced walk,
 * and exactly as many runs as the unreduced one; under K = 0 and K = 1 the
 * same outcomes, runs and pruned choices. */
START_TEST(test_brute_force_agrees)
{
	struct world w;
	struct brute b = { .bad = NULL };
	struct dt_explore_report full, red;
	brute_table[_i](&w);
	brute(&w, DT_EXPLORE_UNBOUNDED, STEPS_DEFAULT, &b);
	explore(&w, DT_EXPLORE_UNBOUNDED, 0, STEPS_DEFAULT, NULL, &full);
	explore(&w, DT_EXPLORE_UNBOUNDED, 1, STEPS_DEFAULT, NULL, &red);
	if (verbose())
		fprintf(stderr, "%-12s brute      runs=%llu outcomes=%u\n", w.name,
			(unsigned long long)b.runs, b.nout);
	ck_assert_uint_eq(b.incomplete, 0);
	assert_brute_matches("unreduced", &b, &full);
	assert_brute_matches("reduced", &b, &red);
	ck_assert_uint_eq(b.runs, full.runs);
	ck_assert_uint_eq(b.incomplete, full.incomplete);
	/* unreduced: each outcome as often as the brute force reaches it, and its
	 * witness with the fewest preemptions of all runs reaching it */
	for (unsigned i = 0; i < b.nout; i++)
		for (unsigned o = 0; o < full.noutcomes; o++) {
			struct okey k;
			key_of_outcome(&full.outcomes[o], &k);
			if (!key_eq(&k, &b.out[i].key))
				continue;
			ck_assert_uint_eq(full.outcomes[o].count, b.out[i].count);
			ck_assert_uint_eq(full.outcomes[o].witness.preemptions, b.out[i].min_pre);
		}
	dt_explore_report_free(&full);
	dt_explore_report_free(&red);
	for (uint32_t K = 0; K <= 1; K++) {
		struct dt_explore_report r;
		brute(&w, K, STEPS_DEFAULT, &b);
		explore(&w, K, 0, STEPS_DEFAULT, NULL, &r);
		assert_brute_matches("bounded", &b, &r);
		ck_assert_uint_eq(b.runs, r.runs);
		ck_assert_uint_eq(b.pruned, r.pruned);
		dt_explore_report_free(&r);
	}
}
END_TEST

/* Deadlocks are outcomes like any other: ABBA spin locks (both CPUs spin
 * forever) and ABBA wait locks (both threads blocked) each report a
 * deadlock and a quiescent outcome, reduced or not, and the deadlock's
 * witness replays to it. */
START_TEST(test_deadlocks_are_outcomes)
{
	static void (*const table[])(struct world *) = { init_abba, init_wait_abba };
	for (unsigned s = 0; s < 2; s++)
		for (int reduce = 0; reduce <= 1; reduce++) {
			struct world w;
			struct dt_explore_report r;
			unsigned dead = 0, quiet = 0;
			table[s](&w);
			explore(&w, DT_EXPLORE_UNBOUNDED, reduce, STEPS_DEFAULT, NULL, &r);
			for (unsigned o = 0; o < r.noutcomes; o++) {
				dead += r.outcomes[o].kind == DT_DEADLOCK;
				quiet += r.outcomes[o].kind == DT_QUIESCENT;
				if (r.outcomes[o].kind == DT_DEADLOCK)
					check_witness(&w, &r.outcomes[o]);
			}
			ck_assert_msg(dead == 1 && quiet == 1,
				      "%s reduce=%d: %u deadlocks, %u quiescent", w.name, reduce,
				      dead, quiet);
			dt_explore_report_free(&r);
		}
}
END_TEST

/* Scenarios whose witnesses are replayed. */
static void init_race_2_2(struct world *w)
{
	init_race(w, 2, 2);
}

static void (*const replay_table[])(struct world *) = {
	init_race_2_2, init_msi,      init_threads, init_passive, init_workitem,
	init_two_dev,  init_spin_dpc, init_level,   init_abba,	  init_wait_abba,
};
#define NREPLAY (sizeof(replay_table) / sizeof(replay_table[0]))

/* Replaying a witness twice on fresh machines gives byte-identical traces. */
static void check_trace_twice(struct world *wd, const struct dt_witness *w)
{
	struct replay_info i1, i2;
	struct dt_machine *a = replay(wd, w, 1, &i1);
	struct dt_machine *b = replay(wd, w, 1, &i2);
	size_t n = dt_machine_trace_count(a);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_eq(n, dt_machine_trace_count(b));
	ck_assert_msg(memcmp(dt_machine_trace(a), dt_machine_trace(b),
			     n * sizeof(struct dt_trace_event)) == 0,
		      "%s: two replays of one witness traced differently", wd->name);
	ck_assert_int_eq(memcmp(dt_machine_state(a), dt_machine_state(b), dt_state_size(wd->ncpus)),
			 0);
	world_done(wd, a);
	world_done(wd, b);
}

/* Every outcome's witness, from the reduced, the unreduced and a bounded
 * walk, replayed on a fresh machine with dt_machine_step (trace on),
 * reaches exactly that outcome with the recorded preemption and event
 * counts; two replays trace byte for byte the same. */
START_TEST(test_witnesses_replay_to_their_outcome)
{
	struct world w;
	replay_table[_i](&w);
	const uint32_t Ks[3] = { DT_EXPLORE_UNBOUNDED, DT_EXPLORE_UNBOUNDED, 1 };
	for (unsigned v = 0; v < 3; v++) {
		struct dt_explore_report r;
		explore(&w, Ks[v], v == 0, STEPS_DEFAULT, NULL, &r);
		ck_assert_uint_gt(r.noutcomes, 0);
		uint64_t total = 0;
		for (unsigned o = 0; o < r.noutcomes; o++) {
			check_witness(&w, &r.outcomes[o]);
			check_trace_twice(&w, &r.outcomes[o].witness);
			total += r.outcomes[o].count;
		}
		ck_assert_uint_eq(total, r.runs);
		dt_explore_report_free(&r);
	}
}
END_TEST

/* Hooks on the race scenario (x = DPC runs, racy; q = TRUE queuings). */
static int race_lost_update(const struct dt_machine *m)
{
	const struct dt_state *st = dt_machine_state(m);
	return st->vars[V_X].value.u.i != st->vars[V_Q].value.u.i;
}

static int hook_lost_update(void *ctx, struct dt_machine *m, int at_end)
{
	(void)ctx;
	return at_end && race_lost_update(m);
}

static int hook_x_above_q(void *ctx, struct dt_machine *m, int at_end)
{
	const struct dt_state *st = dt_machine_state(m);
	(void)ctx;
	(void)at_end;
	return st->vars[V_X].value.u.i > st->vars[V_Q].value.u.i;
}

static int hook_x_is_2(void *ctx, struct dt_machine *m)
{
	(void)ctx;
	return dt_machine_state(m)->vars[V_X].value.u.i == 2;
}

static int hook_q_set(void *ctx, struct dt_machine *m)
{
	(void)ctx;
	return dt_machine_state(m)->vars[V_Q].value.u.i >= 1;
}

/* The counterexample of a racy scenario (a lost DPC update) replays to a
 * violating end state; my own preemption count equals its preemptions; at
 * K = 2 it has the fewest preemptions of all violating runs my brute force
 * finds; at K = 0 there is no violation at all (the race needs a
 * preemption), for the explorer and the brute force alike. */
START_TEST(test_counterexample_replays_with_fewest_preemptions)
{
	struct world w;
	struct brute b = { .bad = NULL };
	struct dt_explore_report r, r0;
	struct replay_info info;
	const struct dt_explore_hooks hooks = { .violated = hook_lost_update };
	init_race(&w, 2, 2);
	explore(&w, 2, 0, STEPS_DEFAULT, &hooks, &r);
	ck_assert_uint_gt(r.violations, 0);
	ck_assert_uint_lt(r.violations, r.runs);
	ck_assert_uint_gt(r.counterexample.n, 0);
	ck_assert_uint_le(r.counterexample.preemptions, 2);
	struct dt_machine *m = replay(&w, &r.counterexample, 1, &info);
	ck_assert_int_eq(dt_machine_state(m)->outcome.kind, DT_QUIESCENT);
	ck_assert(race_lost_update(m));
	ck_assert_uint_eq(info.preemptions, r.counterexample.preemptions);
	ck_assert_uint_eq(info.events, r.counterexample.events);
	world_done(&w, m);
	check_trace_twice(&w, &r.counterexample);

	b.bad = race_lost_update;
	brute(&w, DT_EXPLORE_UNBOUNDED, STEPS_DEFAULT, &b);
	if (verbose())
		fprintf(stderr, "race brute: runs=%llu bad=%llu min_pre=%u explorer runs=%llu\n",
			(unsigned long long)b.runs, (unsigned long long)b.nbad, b.min_bad_pre,
			(unsigned long long)r.runs);
	ck_assert_uint_gt(b.nbad, 0);
	ck_assert_uint_eq(b.incomplete, 0);
	ck_assert_uint_eq(r.counterexample.preemptions, b.min_bad_pre);
	ck_assert_uint_eq(b.min_bad_pre, 1);

	explore(&w, 0, 0, STEPS_DEFAULT, &hooks, &r0);
	ck_assert_uint_eq(r0.violations, 0);
	ck_assert_uint_eq(r0.counterexample.n, 0);
	dt_explore_report_free(&r);
	dt_explore_report_free(&r0);
}
END_TEST

/* Preemption bound honest: for K = 0, 1, 2 every witness (my own count and
 * the recorded one) has at most K preemptions, K = 0 has none at all, a
 * cutting bound reports pruned > 0, and the reachable outcomes and runs
 * only grow with K up to the unbounded walk, which prunes nothing. */
START_TEST(test_preemption_bound_honest)
{
	struct world w;
	struct dt_explore_report r[4];
	init_race(&w, 2, 2);
	for (uint32_t K = 0; K <= 3; K++) {
		uint32_t bound = K == 3 ? DT_EXPLORE_UNBOUNDED : K;
		explore(&w, bound, 0, STEPS_DEFAULT, NULL, &r[K]);
		ck_assert_uint_eq(r[K].bounds.max_preemptions, bound);
		for (unsigned o = 0; o < r[K].noutcomes; o++) {
			struct replay_info info;
			const struct dt_witness *wi = &r[K].outcomes[o].witness;
			struct dt_machine *m = replay(&w, wi, 1, &info);
			ck_assert_uint_eq(info.preemptions, wi->preemptions);
			ck_assert_uint_le(wi->preemptions, bound);
			world_done(&w, m);
		}
		if (K < 3)
			ck_assert_uint_gt(r[K].pruned, 0);
		else
			ck_assert_uint_eq(r[K].pruned, 0);
		if (K > 0) {
			ck_assert_uint_ge(r[K].runs, r[K - 1].runs);
			for (unsigned o = 0; o < r[K - 1].noutcomes; o++) {
				struct okey k;
				key_of_outcome(&r[K - 1].outcomes[o], &k);
				ck_assert(report_has(&r[K], &k));
			}
		}
	}
	/* the lost update (x < q) needs a preemption */
	for (unsigned o = 0; o < r[0].noutcomes; o++)
		ck_assert_int_eq(r[0].outcomes[o].values[V_X].u.i,
				 r[0].outcomes[o].values[V_Q].u.i);
	ck_assert_uint_gt(r[3].noutcomes, r[0].noutcomes);
	for (unsigned K = 0; K <= 3; K++)
		dt_explore_report_free(&r[K]);
}
END_TEST

/* Event bounds honest: with max_events = 1 (the free event allows 2) no
 * witness places two events and no outcome needs two; with max 1 per free
 * event (and a larger total) no witness places one event twice. */
START_TEST(test_event_bounds_honest)
{
	struct world w;
	struct dt_explore_report r;
	init_race(&w, 2, 2);
	w.max_events = 1;
	explore(&w, DT_EXPLORE_UNBOUNDED, 1, STEPS_DEFAULT, NULL, &r);
	ck_assert_uint_eq(r.bounds.max_events, 1);
	for (unsigned o = 0; o < r.noutcomes; o++) {
		struct replay_info info;
		struct dt_machine *m = replay(&w, &r.outcomes[o].witness, 1, &info);
		ck_assert_uint_le(info.events, 1);
		ck_assert_uint_le(r.outcomes[o].witness.events, 1);
		ck_assert_int_le(r.outcomes[o].values[V_Q].u.i, 1);
		world_done(&w, m);
	}
	dt_explore_report_free(&r);

	init_race(&w, 2, 1);
	w.max_events = 3;
	explore(&w, DT_EXPLORE_UNBOUNDED, 0, STEPS_DEFAULT, NULL, &r);
	for (unsigned o = 0; o < r.noutcomes; o++) {
		struct replay_info info;
		struct dt_machine *m = replay(&w, &r.outcomes[o].witness, 1, &info);
		ck_assert_uint_le(info.per_event[0], 1);
		ck_assert_int_le(r.outcomes[o].values[V_Q].u.i, 1);
		world_done(&w, m);
	}
	ck_assert_uint_eq(r.noutcomes, 2); /* no event, or one */
	dt_explore_report_free(&r);

	init_msi(&w);
	w.max_events = 8;
	explore(&w, DT_EXPLORE_UNBOUNDED, 1, STEPS_DEFAULT, NULL, &r);
	for (unsigned o = 0; o < r.noutcomes; o++) {
		struct replay_info info;
		struct dt_machine *m = replay(&w, &r.outcomes[o].witness, 1, &info);
		ck_assert_uint_le(info.per_event[0], 1);
		ck_assert_uint_le(info.per_event[1], 1);
		ck_assert_int_le(r.outcomes[o].values[V_X].u.i, 2);
		world_done(&w, m);
	}
	dt_explore_report_free(&r);
}
END_TEST

/* Step bound honest: a DPC of 30 steps cannot finish within 20 steps, so
 * those runs are reported incomplete (reduced or not) and never appear as
 * outcomes (x stays 0 in every outcome, every witness fits the bound); with
 * room enough the same scenario completes and reaches x = 1. */
START_TEST(test_step_bound_reports_incomplete)
{
	struct world w;
	struct brute b = { .bad = NULL };
	init_long_dpc(&w);
	brute(&w, DT_EXPLORE_UNBOUNDED, 20, &b);
	ck_assert_uint_gt(b.incomplete, 0);
	for (int reduce = 0; reduce <= 1; reduce++) {
		struct dt_explore_report r;
		explore(&w, DT_EXPLORE_UNBOUNDED, reduce, 20, NULL, &r);
		ck_assert_uint_eq(r.bounds.max_steps, 20);
		ck_assert_uint_gt(r.incomplete, 0);
		assert_brute_matches("long_dpc, 20 steps", &b, &r);
		if (!reduce) {
			ck_assert_uint_eq(r.runs, b.runs);
			ck_assert_uint_eq(r.incomplete, b.incomplete);
		}
		ck_assert_uint_gt(r.runs, 0); /* the run without the event ends */
		for (unsigned o = 0; o < r.noutcomes; o++) {
			ck_assert_int_eq(r.outcomes[o].values[V_X].u.i, 0);
			ck_assert_uint_le(r.outcomes[o].witness.n, 20);
			check_witness(&w, &r.outcomes[o]);
		}
		dt_explore_report_free(&r);
		explore(&w, DT_EXPLORE_UNBOUNDED, reduce, 200, NULL, &r);
		ck_assert_uint_eq(r.incomplete, 0);
		struct okey k = { .kind = DT_QUIESCENT, .nvalues = NV };
		for (unsigned v = 0; v < NV; v++)
			k.values[v] = dt_int(0);
		k.values[V_X] = dt_int(1);
		k.values[V_Q] = dt_int(0);
		ck_assert(report_has(&r, &k));
		dt_explore_report_free(&r);
	}
}
END_TEST

/* Step bound at the edge: a deterministic run of exactly L steps fits
 * max_steps = L (one complete run, nothing incomplete); max_steps = L - 1
 * cuts it (one incomplete run, no outcome).  On race (2 CPUs, 2 events)
 * every bound from 6 to 20 gives the brute force's runs, incomplete runs
 * and outcomes. */
START_TEST(test_step_bound_exact_length_completes)
{
	struct world w;
	struct brute b = { .bad = NULL };
	struct dt_explore_report r;
	init_race_small(&w, 2, 2);
	for (uint32_t N = 6; N <= 20; N += 2) {
		brute(&w, DT_EXPLORE_UNBOUNDED, N, &b);
		explore(&w, DT_EXPLORE_UNBOUNDED, 0, N, NULL, &r);
		ck_assert_msg(r.runs == b.runs && r.incomplete == b.incomplete,
			      "max_steps=%u: explorer %llu runs, %llu incomplete; brute force "
			      "%llu, %llu",
			      N, (unsigned long long)r.runs, (unsigned long long)r.incomplete,
			      (unsigned long long)b.runs, (unsigned long long)b.incomplete);
		assert_brute_matches("race_small under a step bound", &b, &r);
		for (unsigned o = 0; o < r.noutcomes; o++)
			ck_assert_uint_le(r.outcomes[o].witness.n, N);
		dt_explore_report_free(&r);
	}
	init_straight(&w);
	explore(&w, DT_EXPLORE_UNBOUNDED, 0, STEPS_DEFAULT, NULL, &r);
	ck_assert_uint_eq(r.runs, 1);
	ck_assert_uint_eq(r.noutcomes, 1);
	uint32_t L = r.outcomes[0].witness.n;
	ck_assert_uint_gt(L, 2);
	dt_explore_report_free(&r);
	explore(&w, DT_EXPLORE_UNBOUNDED, 0, L - 1, NULL, &r);
	ck_assert_uint_eq(r.runs, 0);
	ck_assert_uint_eq(r.incomplete, 1);
	ck_assert_uint_eq(r.noutcomes, 0);
	dt_explore_report_free(&r);
	explore(&w, DT_EXPLORE_UNBOUNDED, 0, L, NULL, &r);
	ck_assert_msg(r.runs == 1 && r.incomplete == 0,
		      "a %u-step run with max_steps=%u: runs=%llu incomplete=%llu", L, L,
		      (unsigned long long)r.runs, (unsigned long long)r.incomplete);
	dt_explore_report_free(&r);
}
END_TEST

/*
 * A hand model of spin_threads: thread t (alpha on CPU 0, beta on CPU 1)
 * is at pc 0 before its dispatch, 1 before the acquire, 2 spinning, 3
 * before the read, 4 before the write, 5 before the release, 6 returned
 * (its return step is next), 7 done.  The acquire takes S when free, else
 * starts spinning (a step); a spinner steps only once S is free (it
 * obtains it).  mc_count counts the complete choice sequences with at most
 * K preemptions (same definition: the last CPU to step could still step).
 */
static int mc_can(const int pc[2], int holder, unsigned t)
{
	return pc[t] < 7 && (pc[t] != 2 || holder < 0);
}

static uint64_t mc_count(int pc[2], int holder, int prev, uint32_t pre, uint32_t K)
{
	uint64_t n = 0;
	int any = 0;
	for (unsigned t = 0; t < 2; t++) {
		if (!mc_can(pc, holder, t))
			continue;
		any = 1;
		uint32_t np = pre + (prev >= 0 && (unsigned)prev != t &&
				     mc_can(pc, holder, (unsigned)prev));
		if (np > K)
			continue;
		int save = pc[t], hsave = holder;
		if (pc[t] == 1) {
			if (holder < 0) {
				holder = (int)t;
				pc[t] = 3;
			} else {
				pc[t] = 2;
			}
		} else if (pc[t] == 2) {
			holder = (int)t;
			pc[t] = 3;
		} else {
			if (pc[t] == 5)
				holder = -1;
			pc[t]++;
		}
		n += mc_count(pc, holder, (int)t, np, K);
		pc[t] = save;
		holder = hsave;
	}
	return any ? n : 1;
}

/* Spinning CPUs are never choice points: on spin_threads (one thread spins
 * while the other holds S) the brute force sees spinning CPUs, checks at
 * every node that dt_machine_enabled never offers one, and the explorer's
 * run counts (K = 0, 1, unbounded) equal the hand model's; every witness
 * replays without ever choosing a CPU that cannot step. */
START_TEST(test_spinning_cpu_is_never_a_choice)
{
	struct world w;
	struct brute b = { .bad = NULL };
	init_spin_threads(&w);
	brute(&w, DT_EXPLORE_UNBOUNDED, STEPS_DEFAULT, &b);
	ck_assert_uint_gt(b.spin_nodes, 0);
	const uint32_t Ks[3] = { 0, 1, DT_EXPLORE_UNBOUNDED };
	for (unsigned i = 0; i < 3; i++) {
		struct dt_explore_report r;
		int pc[2] = { 0, 0 };
		uint64_t want = mc_count(pc, -1, -1, 0, Ks[i]);
		explore(&w, Ks[i], 0, STEPS_DEFAULT, NULL, &r);
		ck_assert_msg(r.runs == want, "K=%u: %llu runs, the model says %llu", Ks[i],
			      (unsigned long long)r.runs, (unsigned long long)want);
		ck_assert_uint_eq(r.noutcomes, 1);
		ck_assert_int_eq(r.outcomes[0].values[V_X].u.i, 2);
		check_witness(&w, &r.outcomes[0]);
		dt_explore_report_free(&r);
	}
}
END_TEST

/* Hooks: an invariant broken only on some schedules (a lost update) gives
 * 0 < violations < runs and a counterexample; reached() (x == 2) gives hits
 * and a hit witness that replays to a state where it holds; an invariant
 * that always holds (x <= q) gives no violation and no counterexample. */
START_TEST(test_hooks_report_what_they_see)
{
	struct world w;
	struct dt_explore_report r;
	struct replay_info info;
	init_race(&w, 2, 2);
	const struct dt_explore_hooks some = { .violated = hook_lost_update,
					       .reached = hook_x_is_2 };
	explore(&w, DT_EXPLORE_UNBOUNDED, 1, STEPS_DEFAULT, &some, &r);
	ck_assert_uint_gt(r.violations, 0);
	ck_assert_uint_lt(r.violations, r.runs);
	ck_assert_uint_gt(r.counterexample.n, 0);
	struct dt_machine *m = replay(&w, &r.counterexample, 1, &info);
	ck_assert(race_lost_update(m));
	ck_assert_uint_eq(info.preemptions, r.counterexample.preemptions);
	world_done(&w, m);
	ck_assert_uint_gt(r.hits, 0);
	ck_assert_uint_gt(r.hit.n, 0);
	m = replay(&w, &r.hit, 0, &info);
	ck_assert(hook_x_is_2(NULL, m));
	ck_assert_uint_eq(info.preemptions, r.hit.preemptions);
	world_done(&w, m);
	dt_explore_report_free(&r);

	const struct dt_explore_hooks never = { .violated = hook_x_above_q };
	explore(&w, DT_EXPLORE_UNBOUNDED, 1, STEPS_DEFAULT, &never, &r);
	ck_assert_uint_eq(r.violations, 0);
	ck_assert_uint_eq(r.counterexample.n, 0);
	ck_assert_uint_eq(r.hits, 0);
	ck_assert_uint_eq(r.hit.n, 0);
	ck_assert_uint_gt(r.runs, 0);
	dt_explore_report_free(&r);
}
END_TEST

/* hits counts runs ("a run counts as a hit when it held anywhere along
 * it"): a goal that stays true once reached (q >= 1) counts once per run,
 * so hits <= runs, reduced or not; unreduced, hits equals the number of
 * complete runs along which my brute force saw the goal hold. */
static int q_set(const struct dt_machine *m)
{
	return dt_machine_state(m)->vars[V_Q].value.u.i >= 1;
}

START_TEST(test_hits_count_runs)
{
	struct world w;
	struct brute b = { .reached = q_set };
	init_race(&w, 2, 2);
	brute(&w, DT_EXPLORE_UNBOUNDED, STEPS_DEFAULT, &b);
	ck_assert_uint_gt(b.nhits, 0);
	ck_assert_uint_lt(b.nhits, b.runs);
	const struct dt_explore_hooks h = { .reached = hook_q_set };
	for (int reduce = 0; reduce <= 1; reduce++) {
		struct dt_explore_report r;
		explore(&w, DT_EXPLORE_UNBOUNDED, reduce, STEPS_DEFAULT, &h, &r);
		ck_assert_uint_gt(r.hits, 0);
		ck_assert_msg(r.hits <= r.runs, "reduce=%d: hits=%llu but only %llu runs", reduce,
			      (unsigned long long)r.hits, (unsigned long long)r.runs);
		if (!reduce)
			ck_assert_uint_eq(r.hits, b.nhits);
		dt_explore_report_free(&r);
	}
}
END_TEST

/* The invariant is judged only where runs end (dt_explore.h): a hook that
 * holds part way through some orders (split's x == 1 && y == 0) is always
 * called with at_end = 1 and never cuts a run, so the reduced and the
 * unreduced walk report the hook-less outcome set (x = 1, y = 1 included),
 * and the violations are exactly the runs ending with x = 1, y = 0. */
struct end_ctx {
	unsigned calls, mid_calls;
};

static int hook_x_without_y(void *ctx, struct dt_machine *m, int at_end)
{
	struct end_ctx *c = ctx;
	const struct dt_state *st = dt_machine_state(m);
	c->calls++;
	if (!at_end)
		c->mid_calls++;
	return st->vars[V_X].value.u.i == 1 && st->vars[V_Y].value.u.i == 0;
}

START_TEST(test_invariant_judged_where_runs_end)
{
	struct world w;
	struct dt_explore_report plain, r;
	init_split(&w);
	explore(&w, DT_EXPLORE_UNBOUNDED, 0, STEPS_DEFAULT, NULL, &plain);
	for (int reduce = 0; reduce <= 1; reduce++) {
		struct end_ctx c = { 0, 0 };
		const struct dt_explore_hooks h = { .ctx = &c, .violated = hook_x_without_y };
		explore(&w, DT_EXPLORE_UNBOUNDED, reduce, STEPS_DEFAULT, &h, &r);
		ck_assert_uint_gt(c.calls, 0);
		ck_assert_uint_eq(c.mid_calls, 0);
		ck_assert_uint_eq(c.calls, r.runs);
		assert_same_outcomes("split with an invariant (no hook, hook)", &plain, &r);
		uint64_t bad = 0;
		for (unsigned o = 0; o < r.noutcomes; o++)
			if (r.outcomes[o].values[V_X].u.i == 1 &&
			    r.outcomes[o].values[V_Y].u.i == 0)
				bad += r.outcomes[o].count;
		ck_assert_uint_gt(bad, 0);
		ck_assert_uint_eq(r.violations, bad);
		struct replay_info info;
		struct dt_machine *m = replay(&w, &r.counterexample, 1, &info);
		ck_assert(hook_x_without_y(&c, m, 1));
		world_done(&w, m);
		dt_explore_report_free(&r);
	}
	dt_explore_report_free(&plain);
}
END_TEST

/* Reduction soundness with time: a spinning CPU is charged for every
 * global step that passes while it spins, so an "independent" step of the
 * lock holder (alpha's x = 1) is not independent of the spinner's start.
 * spin_pair with a 4 us cumulative watchdog, for L = 3..6 (the explorer
 * and my brute force agree unreduced): the reduced walk must report the
 * same outcome set, e.g. 0x133 with x = 1, y = 0 (beta spins from before
 * alpha's write: t(alpha)@0 0 t(beta)@1 1 0*3 1). */
START_TEST(test_reduction_keeps_spin_time_outcomes)
{
	for (uint32_t L = 3; L <= 6; L++) {
		struct world w;
		struct brute b = { .bad = NULL };
		struct dt_explore_report full, red;
		char what[64];
		init_spin_pair(&w, L);
		brute(&w, DT_EXPLORE_UNBOUNDED, STEPS_DEFAULT, &b);
		explore(&w, DT_EXPLORE_UNBOUNDED, 0, STEPS_DEFAULT, NULL, &full);
		explore(&w, DT_EXPLORE_UNBOUNDED, 1, STEPS_DEFAULT, NULL, &red);
		snprintf(what, sizeof(what), "spin_pair L=%u unreduced", L);
		assert_brute_matches(what, &b, &full);
		snprintf(what, sizeof(what), "spin_pair L=%u (unreduced, reduced)", L);
		assert_same_outcomes(what, &full, &red);
		dt_explore_report_free(&full);
		dt_explore_report_free(&red);
	}
}
END_TEST

/* dt_witness_print output parses with dt_schedule_parse, and
 * dt_machine_replay of it on a fresh machine reaches the same state bytes
 * (dt_state_size) as stepping the witness choice by choice, before and
 * after settling. */
START_TEST(test_witness_print_parses_and_replays)
{
	struct world w;
	struct dt_explore_report r;
	replay_table[_i](&w);
	explore(&w, DT_EXPLORE_UNBOUNDED, 1, STEPS_DEFAULT, NULL, &r);
	struct dt_machine *pm = world_machine(&w);
	for (unsigned o = 0; o < r.noutcomes; o++) {
		const struct dt_witness *wi = &r.outcomes[o].witness;
		char text[4096];
		struct dt_schedule s;
		struct dt_schedule_error err;
		struct replay_info info;
		size_t len = dt_witness_print(pm, wi, "explore-test", text, sizeof(text));
		ck_assert_uint_lt(len, sizeof(text));
		ck_assert_msg(dt_schedule_parse(text, &s, &err) == 0, "%s: '%s' does not parse: %s",
			      w.name, text, err.reason);
		ck_assert_uint_eq(dt_schedule_length(&s), wi->n);
		ck_assert_int_eq(s.cpus, (int)w.ncpus);
		struct dt_machine *a = world_machine(&w);
		int rc = dt_machine_replay(a, &s, &err);
		ck_assert_msg(rc == DT_OK, "%s: '%s' does not replay: %s", w.name, text,
			      err.reason);
		struct dt_machine *b = replay(&w, wi, 0, &info);
		size_t sz = dt_state_size(w.ncpus);
		ck_assert_msg(memcmp(dt_machine_state(a), dt_machine_state(b), sz) == 0,
			      "%s: '%s' replays to other state bytes", w.name, text);
		if (dt_machine_enabled(a, NULL, 0) == 0 &&
		    dt_machine_state(a)->outcome.kind == DT_RUNNING) {
			ck_assert_int_eq(dt_machine_settle(a, 0), DT_OK);
			ck_assert_int_eq(dt_machine_settle(b, 0), DT_OK);
		}
		ck_assert_int_eq(memcmp(dt_machine_state(a), dt_machine_state(b), sz), 0);
		struct okey want, got;
		key_of_outcome(&r.outcomes[o], &want);
		key_of_state(a, &got);
		ck_assert(key_eq(&want, &got));
		dt_schedule_free(&s);
		world_done(&w, a);
		world_done(&w, b);
	}
	world_done(&w, pm);
	dt_explore_report_free(&r);
}
END_TEST

/* Progress reports for the API test: runs never go backwards. */
struct progress_log {
	unsigned calls;
	uint64_t last_runs;
	int backwards;
};

static void on_progress(void *ctx, const struct dt_explore_report *r)
{
	struct progress_log *p = ctx;
	p->calls++;
	if (r->runs < p->last_runs)
		p->backwards = 1;
	p->last_runs = r->runs;
}

/* The call itself: bad arguments are refused with DT_EINVAL (too many free
 * events, no machine, no report); a long walk calls the progress callback
 * with growing run counts; afterwards dt_machine_start_over gives the
 * machine a fresh machine's state bytes. */
START_TEST(test_explore_api)
{
	struct world w;
	struct dt_explore_report r;
	struct dt_free_event many[DT_EXPLORE_MAX_FREE + 1];
	struct dt_explore_bounds b = { .max_preemptions = DT_EXPLORE_UNBOUNDED,
				       .max_events = 2,
				       .max_steps = STEPS_DEFAULT,
				       .reduce = 0 };
	init_race(&w, 2, 2);
	for (unsigned i = 0; i <= DT_EXPLORE_MAX_FREE; i++)
		many[i] = (struct dt_free_event){ .event = 0, .max = 1 };
	struct dt_machine *m = world_machine(&w);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(dt_explore(m, &b, many, DT_EXPLORE_MAX_FREE + 1, NULL, NULL, NULL, &r),
			 DT_EINVAL);
	ck_assert_int_eq(dt_explore(NULL, &b, w.fe, w.nfe, NULL, NULL, NULL, &r), DT_EINVAL);
	ck_assert_int_eq(dt_explore(m, &b, w.fe, w.nfe, NULL, NULL, NULL, NULL), DT_EINVAL);
	dt_explore_report_free(&r);

	struct progress_log log = { 0, 0, 0 };
	ck_assert_int_eq(dt_explore(m, &b, w.fe, w.nfe, NULL, on_progress, &log, &r), DT_OK);
	ck_assert_uint_gt(r.runs, 4000);
	ck_assert_uint_ge(log.calls, 1);
	ck_assert(!log.backwards);
	ck_assert_uint_le(log.last_runs, r.runs);
	dt_explore_report_free(&r);

	ck_assert_int_eq(dt_machine_start_over(m), DT_OK);
	struct dt_machine *fresh = world_machine(&w);
	ck_assert_int_eq(
		memcmp(dt_machine_state(m), dt_machine_state(fresh), dt_state_size(w.ncpus)), 0);
	world_done(&w, fresh);
	world_done(&w, m);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Random scenarios: reduced and unreduced walks compared                   */

/* Two devices (kind, DIRQL, affinity, DPC or work item or passive ISR), an
 * optional lesson thread, a WDFSPINLOCK (lock 0) and a WDFWAITLOCK (lock 1),
 * and bodies drawn from small blocks of operations. */
struct rworld {
	struct world w; /* first: host.user points here */
	unsigned ndev;
	unsigned kind[2], dirql[2];
	uint64_t aff[2];
	int dpc[2], work_item[2], passive[2];
	int thread;
	uint64_t thread_aff;
	char desc[512];
};

enum {
	RP_ISR0,
	RP_DPC0,
	RP_ISR1,
	RP_DPC1,
	RP_THREAD,
	RP_N
};

static int build_random(struct dt_chost *h, struct dt_machine *m)
{
	struct rworld *rw = h->user;
	uint64_t sl, wl;
	static const char *const names[2] = { "d0", "d1" };
	if (make_vars(m, NV) || dt_spinlock_create(m, &sl) || dt_waitlock_create(m, &wl) ||
	    sl != dt_handle_of(DT_HANDLE_SPINLOCK, 0) || wl != dt_handle_of(DT_HANDLE_WAITLOCK, 1))
		return -1;
	for (unsigned d = 0; d < rw->ndev; d++) {
		struct dt_interrupt_config cfg;
		dt_interrupt_config_init(&cfg, RP_ISR0 + 2 * d,
					 rw->dpc[d] ? RP_DPC0 + 2 * d : DT_NO_CALLBACK);
		if (rw->work_item[d])
			cfg.work_item = RP_DPC0 + 2 * d;
		cfg.passive_handling = (uint8_t)rw->passive[d];
		if (make_dev(m, names[d], rw->kind[d], rw->dirql[d], rw->aff[d], &cfg))
			return -1;
	}
	if (rw->thread && dt_thread_create(m, "t", RP_THREAD, rw->thread_aff, NULL))
		return -1;
	return 0;
}

/* Append one block of operations (1..3 operations) of the given context. */
static unsigned gen_block(struct dt_rng *g, struct dt_cinsn *code, unsigned n, int ctx,
			  int may_queue, char *desc, size_t dsize)
{
	const uint64_t S = dt_handle_of(DT_HANDLE_SPINLOCK, 0);
	const uint64_t W = dt_handle_of(DT_HANDLE_WAITLOCK, 1);
	const uint64_t I0 = dt_handle_of(DT_HANDLE_INTERRUPT, 0);
	unsigned v = (unsigned)dt_rng_below(g, 2); /* x or y */
	unsigned pick = (unsigned)dt_rng_below(g, 6);
	size_t dl = strlen(desc);
	const char *what = "?";
	switch (pick) {
	case 0: /* racy read-modify-write */
		code[n++] = (struct dt_cinsn)CP_READ(1, v);
		code[n++] = (struct dt_cinsn)CP_ADDI(1, 1);
		code[n++] = (struct dt_cinsn)CP_WRITE(v, 1);
		what = v ? "rmw(y)" : "rmw(x)";
		break;
	case 1: /* a plain write of a constant */
		code[n++] = (struct dt_cinsn)CP_WRITEI(v, 5 + ctx);
		what = v ? "y=c" : "x=c";
		break;
	case 2: /* the spin lock around a write: the flavour the context allows */
		if (ctx == 2) {
			code[n++] = (struct dt_cinsn)CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, S, 0);
			code[n++] = (struct dt_cinsn)CP_WRITEI(v, 9);
			code[n++] = (struct dt_cinsn)CP_OP(0, DT_OP_SPINLOCK_RELEASE, S, 0);
		} else {
			code[n++] = (struct dt_cinsn)CP_OP(0, DT_OP_SPINLOCK_ACQUIRE_AT_DPC, S, 0);
			code[n++] = (struct dt_cinsn)CP_WRITEI(v, 9);
			code[n++] =
				(struct dt_cinsn)CP_OP(0, DT_OP_SPINLOCK_RELEASE_FROM_DPC, S, 0);
		}
		what = "spin{w}";
		break;
	case 3: /* device 0's interrupt lock around a write (not in an ISR) */
		if (ctx == 0) {
			code[n++] = (struct dt_cinsn)CP_RDREG(2, 0, DT_REG_INTSTATUS);
			what = "rdreg";
			break;
		}
		code[n++] = (struct dt_cinsn)CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, I0, 0);
		code[n++] = (struct dt_cinsn)CP_WRITEI(v, 7);
		code[n++] = (struct dt_cinsn)CP_OP(0, DT_OP_INTR_RELEASE_LOCK, I0, 0);
		what = "ilock0{w}";
		break;
	case 4: /* acknowledge device 0, or (thread) the wait lock */
		if (ctx == 2) {
			code[n++] = (struct dt_cinsn)CP_OP(0, DT_OP_WAITLOCK_ACQUIRE, W, 0);
			code[n++] = (struct dt_cinsn)CP_WRITEI(v, 3);
			code[n++] = (struct dt_cinsn)CP_OP(0, DT_OP_WAITLOCK_RELEASE, W, 0);
			what = "wait{w}";
		} else {
			code[n++] = (struct dt_cinsn)CP_WRREGI(0, DT_REG_INTSTATUS, 1);
			what = "ack0";
		}
		break;
	default: /* queue the own DPC (ISR), else an explicit step */
		if (ctx == 0 && may_queue) {
			code[n++] = (struct dt_cinsn)CP_QUEUE_DPC(0);
			what = "queue";
		} else {
			code[n++] = (struct dt_cinsn)CP_STEP(1);
			what = "step";
		}
		break;
	}
	snprintf(desc + dl, dsize - dl, " %s", what);
	return n;
}

/* ctx: 0 ISR, 1 DPC or work item, 2 thread. */
static void gen_body(struct rworld *rw, struct dt_rng *g, unsigned p, int ctx, int may_queue,
		     unsigned blocks)
{
	struct dt_cinsn code[W_MAXCODE];
	unsigned n = 0;
	size_t dl = strlen(rw->desc);
	snprintf(rw->desc + dl, sizeof(rw->desc) - dl, " | p%u:", p);
	if (p == RP_ISR0 + 2 * (p / 2) && p < RP_THREAD && rw->kind[p / 2] == DT_LINE_LEVEL) {
		/* a level line's ISR acknowledges first: no interrupt storm */
		code[n++] = (struct dt_cinsn)CP_WRREGI(p / 2, DT_REG_INTSTATUS, 1);
		snprintf(rw->desc + strlen(rw->desc), sizeof(rw->desc) - strlen(rw->desc), " ack");
	}
	for (unsigned b = 0; b < blocks; b++)
		n = gen_block(g, code, n, ctx, may_queue, rw->desc, sizeof(rw->desc));
	if (ctx == 0 && may_queue && !(n && code[n - 1].op == CI_QUEUE_DPC))
		code[n++] = (struct dt_cinsn)CP_QUEUE_DPC(0);
	code[n++] = (struct dt_cinsn)CP_RETI(1);
	set_prog(&rw->w, p, code, n);
}

static void gen_world(struct rworld *rw, uint64_t seed)
{
	struct dt_rng g;
	dt_rng_seed(&g, seed);
	memset(rw, 0, sizeof(*rw));
	unsigned ncpus = 1 + (dt_rng_below(&g, 4) != 0);
	world_reset(&rw->w, "random", ncpus, build_random);
	rw->w.workers = 1;
	rw->ndev = 1 + (unsigned)dt_rng_below(&g, 2);
	rw->thread = rw->ndev == 1 && dt_rng_below(&g, 2) == 0;
	uint64_t all = (1ull << ncpus) - 1;
	snprintf(rw->desc, sizeof(rw->desc), "seed %llu: %u CPUs", (unsigned long long)seed, ncpus);
	for (unsigned d = 0; d < rw->ndev; d++) {
		unsigned mode = (unsigned)dt_rng_below(&g, 5); /* 0-2 DPC, 3 work item, 4 passive */
		rw->kind[d] = (unsigned)dt_rng_below(&g, 3);
		if (mode == 4 && rw->kind[d] == DT_LINE_MSI)
			rw->kind[d] = DT_LINE_LEVEL; /* MSI cannot be passive (R50) */
		rw->dirql[d] = 4 + (unsigned)dt_rng_below(&g, 4);
		rw->aff[d] = 1 + dt_rng_below(&g, all);
		rw->dpc[d] = mode <= 2 && dt_rng_below(&g, 4) != 0;
		rw->work_item[d] = mode == 3;
		rw->passive[d] = mode == 4;
		size_t dl = strlen(rw->desc);
		snprintf(rw->desc + dl, sizeof(rw->desc) - dl,
			 "; d%u kind=%u dirql=%u aff=%#llx%s%s%s", d, rw->kind[d], rw->dirql[d],
			 (unsigned long long)rw->aff[d], rw->dpc[d] ? " dpc" : "",
			 rw->work_item[d] ? " workitem" : "", rw->passive[d] ? " passive" : "");
		unsigned bi = rw->ndev == 1 ? 1 + (unsigned)dt_rng_below(&g, 2) : 1;
		if (rw->work_item[d]) {
			struct dt_cinsn isr[] = { CP_WRREGI(d, DT_REG_INTSTATUS, 1),
						  CP_OP(0, DT_OP_QUEUE_WORKITEM_FOR_ISR, 0, 0),
						  CP_RETI(1) };
			set_prog(&rw->w, RP_ISR0 + 2 * d, isr, 3);
			size_t l = strlen(rw->desc);
			snprintf(rw->desc + l, sizeof(rw->desc) - l, " | p%u: ack queue-wi",
				 RP_ISR0 + 2 * d);
		} else {
			gen_body(rw, &g, RP_ISR0 + 2 * d, rw->passive[d] ? 2 : 0, rw->dpc[d], bi);
		}
		if (rw->dpc[d] || rw->work_item[d]) {
			unsigned bd = rw->ndev == 1 && !rw->thread ?
					      1 + (unsigned)dt_rng_below(&g, 2) :
					      1;
			gen_body(rw, &g, RP_DPC0 + 2 * d, rw->work_item[d] ? 2 : 1, 0, bd);
		}
		free_event(&rw->w, d, rw->ndev == 1 ? 2 : 1);
	}
	for (unsigned p = 0; p < RP_N; p++)
		if (!rw->w.progs[p].code) {
			struct dt_cinsn ret[] = { CP_RETI(0) };
			set_prog(&rw->w, p, ret, 1);
		}
	if (rw->thread) {
		rw->thread_aff = 1ull << dt_rng_below(&g, ncpus);
		size_t dl = strlen(rw->desc);
		snprintf(rw->desc + dl, sizeof(rw->desc) - dl, "; thread aff=%#llx",
			 (unsigned long long)rw->thread_aff);
		gen_body(rw, &g, RP_THREAD, 2, 0, 1);
	}
	rw->w.max_events = 2;
}

/* Random small scenarios (1-2 CPUs, edge/level/MSI lines, DPCs, work
 * items, passive ISRs, a lesson thread, spin/interrupt/wait locks, racy
 * and locked writes): for each, the reduced walk (no preemption bound)
 * reports exactly the unreduced outcome set, with no more runs, under a
 * step bound of 24 (cut runs are the same in both: equivalent runs have
 * the same length); its witnesses replay to their outcomes; and under
 * K = 1 the explorer and my brute force agree on runs, incomplete runs,
 * pruned choices and outcomes.  Scenarios whose reduced walk is already
 * large are skipped (the unreduced one would take long). */
START_TEST(test_reduction_sound_on_random_scenarios)
{
	int want = dt_test_count(40), checked = 0, tried = 0;
	for (uint64_t seed = 1000; checked < want && tried < 4 * want; seed++, tried++) {
		struct rworld rw;
		struct dt_explore_report full, red;
		gen_world(&rw, seed);
		rw.w.host.user = &rw;
		if (verbose())
			fprintf(stderr, "%s\n", rw.desc);
		explore(&rw.w, DT_EXPLORE_UNBOUNDED, 1, 24, NULL, &red);
		if (red.runs + red.incomplete > 600) {
			dt_explore_report_free(&red);
			continue;
		}
		explore(&rw.w, DT_EXPLORE_UNBOUNDED, 0, 24, NULL, &full);
		assert_same_outcomes(rw.desc, &full, &red);
		ck_assert_msg(red.runs <= full.runs, "%s: reduced %llu runs > %llu", rw.desc,
			      (unsigned long long)red.runs, (unsigned long long)full.runs);
		for (unsigned o = 0; o < red.noutcomes; o++)
			check_witness(&rw.w, &red.outcomes[o]);
		/* and under K = 1, the brute force's runs, cuts, prunes, outcomes */
		struct brute b = { .bad = NULL };
		struct dt_explore_report k1;
		brute(&rw.w, 1, 24, &b);
		explore(&rw.w, 1, 0, 24, NULL, &k1);
		ck_assert_msg(
			b.runs == k1.runs && b.incomplete == k1.incomplete && b.pruned == k1.pruned,
			"%s: K=1 explorer %llu/%llu/%llu, brute force %llu/%llu/%llu "
			"(runs/incomplete/pruned)",
			rw.desc, (unsigned long long)k1.runs, (unsigned long long)k1.incomplete,
			(unsigned long long)k1.pruned, (unsigned long long)b.runs,
			(unsigned long long)b.incomplete, (unsigned long long)b.pruned);
		assert_brute_matches(rw.desc, &b, &k1);
		checked++;
		dt_explore_report_free(&k1);
		dt_explore_report_free(&full);
		dt_explore_report_free(&red);
	}
	ck_assert_int_eq(checked, want);
}
END_TEST

Suite *explore_suite(void)
{
	Suite *s = suite_create("explore");
	TCase *tc = tcase_create("reduction");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_reduction_keeps_outcome_set, 0, (int)NSOUND);
	tcase_add_test(tc, test_reduction_prunes_independent_steps);
	tcase_add_test(tc, test_bound_disables_reduction);
	tcase_add_test(tc, test_reduction_keeps_spin_time_outcomes);
	tcase_add_test(tc, test_reduction_sound_on_random_scenarios);
	tcase_add_loop_test(tc, test_brute_force_agrees, 0, (int)NBRUTE);
	tcase_add_test(tc, test_deadlocks_are_outcomes);
	suite_add_tcase(s, tc);

	tc = tcase_create("witness");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_witnesses_replay_to_their_outcome, 0, (int)NREPLAY);
	tcase_add_test(tc, test_counterexample_replays_with_fewest_preemptions);
	tcase_add_loop_test(tc, test_witness_print_parses_and_replays, 0, (int)NREPLAY);
	suite_add_tcase(s, tc);

	tc = tcase_create("bounds");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_preemption_bound_honest);
	tcase_add_test(tc, test_event_bounds_honest);
	tcase_add_test(tc, test_step_bound_reports_incomplete);
	tcase_add_test(tc, test_step_bound_exact_length_completes);
	tcase_add_test(tc, test_spinning_cpu_is_never_a_choice);
	suite_add_tcase(s, tc);

	tc = tcase_create("hooks");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_hooks_report_what_they_see);
	tcase_add_test(tc, test_hits_count_runs);
	tcase_add_test(tc, test_invariant_judged_where_runs_end);
	suite_add_tcase(s, tc);

	tc = tcase_create("api");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_explore_api);
	suite_add_tcase(s, tc);
	return s;
}
