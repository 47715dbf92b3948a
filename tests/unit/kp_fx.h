/*
 * kp_fx.h - the harness shared by test_rules_kdpc.c (R19-R21) and
 * test_rules_passive.c (R50-R53).
 *
 * Every scenario is built by a static build function of its test file on
 * a C-program host (dt_cprog.h): plain KDPCs made with dt_kdpc_create,
 * lesson threads made with dt_thread_create, devices with one line each
 * and one event named after the device, interrupt objects with or
 * without PassiveHandling.  Bodies call the Ke and WdfInterrupt*
 * operations through CP_OP with explicit handles, computed beforehand
 * with dt_handle_of() from the creation order (and checked against what
 * the build got back).
 *
 * Tests drive the machine one choice at a time: CPU steps, device events
 * e(NAME)@K, and thread dispatches t(NAME)@K bound through
 * dt_schedule_item_choice() like a printed schedule.  They assert exact
 * values: results the bodies saw (saved in watched values), DPC queues,
 * IRQLs, frame stacks, thread states, lock owners, and trace events with
 * their step, rule and cause.  Step numbers are global (engine-contract
 * 1): a fire, a dispatch or one CPU action is one step.
 */
#ifndef DT_KP_FX_H
#define DT_KP_FX_H

#include <stdio.h>
#include <string.h>

#include "dt_cprog.h"
#include "dt_sched.h"
#include "testutil.h"

/* Every scenario creates the same watched values, in this order. */
enum {
	V_A = 0,  /* a result */
	V_B,      /* a second result */
	V_C,      /* a third result */
	V_IRQL,   /* IRQL an ISR or thread saw */
	V_CPU,    /* CPU an ISR or thread saw */
	V_DIRQL,  /* IRQL a DPC or work item saw */
	V_DCPU,   /* CPU a DPC or work item saw */
	V_MARK,   /* written by a routine to show it ran */
	V_OTHER,  /* written by a second thread */
	V_COUNT
};

#define KP_MAX_PROGS 16
#define KDPC(i) dt_handle_of(DT_HANDLE_KDPC, (i))
#define INTR(i) dt_handle_of(DT_HANDLE_INTERRUPT, (i))

/* One scenario: its host, its programs, what its build made. */
struct kp {
	struct dt_chost host;
	struct dt_cprog progs[KP_MAX_PROGS];
	struct dt_config cfg;
	struct dt_machine *m;
	int (*build)(struct kp *k, struct dt_machine *m);
	/* program ids the build wires up (DT_NO_CALLBACK when unused) */
	uint32_t isr, dpc, wi, isr2;
	uint32_t routine[4];
	uint32_t body[4];
	/* what the build made */
	uint64_t intr[4];
	uint32_t status[4];
	uint64_t kdpc[4];
	uint64_t lock[2];
	unsigned thread[4];
	uint64_t affinity; /* build_sens: the line's affinity, 0 = all CPUs */
};

#define KP_PROG(k, arr) kp_prog((k), (arr), sizeof(arr) / sizeof((arr)[0]))

void kp_init(struct kp *k, unsigned ncpus, int (*build)(struct kp *, struct dt_machine *));
uint32_t kp_prog(struct kp *k, const struct dt_cinsn *code, unsigned len);
const struct dt_state *kp_st(struct kp *k);
void kp_start(struct kp *k);
void kp_done(struct kp *k);
uint32_t kp_now(struct kp *k);
void kp_cpu(struct kp *k, unsigned cpu);
void kp_fire(struct kp *k, unsigned event, unsigned cpu);
struct dt_choice kp_tchoice(struct kp *k, const char *name, unsigned cpu);
int kp_t_enabled(struct kp *k, const char *name, unsigned cpu);
void kp_t(struct kp *k, const char *name, unsigned cpu);
void kp_run(struct kp *k);
const struct dt_trace_event *kp_ev(struct kp *k, unsigned kind, unsigned n);
unsigned kp_count(struct kp *k, unsigned kind);
const struct dt_trace_event *kp_last(struct kp *k, unsigned kind);
void ck_var(struct kp *k, unsigned v, int64_t want);
void ck_unwritten(struct kp *k, unsigned v);
void ck_queue(struct kp *k, unsigned cpu, const uint8_t *want, unsigned n);
void ck_no_bugcheck(struct kp *k);
unsigned mk_dev(struct dt_machine *m, const char *name, unsigned kind, unsigned dirql, uint64_t affinity);
uint64_t mk_intr(struct dt_machine *m, unsigned dev, uint32_t isr, uint32_t dpc, uint32_t work_item, int passive);
uint64_t mk_kdpc(struct dt_machine *m, uint32_t routine);
unsigned mk_thread(struct dt_machine *m, const char *name, uint32_t callback, uint64_t affinity);
extern const struct dt_cinsn routine_step[2];
extern const struct dt_cinsn thread_busy[2];
/* Passive device "sens" (edge, DIRQL 5, CPUs of k->affinity) with isr and
 * dpc (or work item wi), then lesson threads "appN" running body[N]. */
int build_sens(struct kp *k, struct dt_machine *m);

#endif
