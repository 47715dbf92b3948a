/*
 * test_rules_kdpc_passive.c - the advanced Ke DPC calls and passive-level
 * interrupts, rule by rule (semantics.md R19-R21, R50-R53).
 *
 * Every scenario is built by a static build function of this file on a
 * C-program host (dt_cprog.h): plain KDPCs made with dt_kdpc_create,
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

static const char *const var_names[V_COUNT] = {
	"a", "b", "c", "irql", "cpu", "dirql", "dcpu", "mark", "other",
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

/* ---- the harness ------------------------------------------------------- */

static int kp_build(struct dt_chost *h, struct dt_machine *m)
{
	struct kp *k = h->user;
	for (unsigned v = 0; v < V_COUNT; v++)
		if (dt_var_create(m, var_names[v], dt_int(0), NULL))
			return -1;
	return k->build ? k->build(k, m) : 0;
}

static void kp_init(struct kp *k, unsigned ncpus, int (*build)(struct kp *, struct dt_machine *))
{
	memset(k, 0, sizeof(*k));
	dt_config_default(&k->cfg, ncpus);
	k->host.progs = k->progs;
	k->host.build = kp_build;
	k->host.user = k;
	k->build = build;
	k->isr = k->dpc = k->wi = k->isr2 = DT_NO_CALLBACK;
	for (unsigned i = 0; i < 4; i++)
		k->routine[i] = k->body[i] = DT_NO_CALLBACK;
}

static uint32_t kp_prog(struct kp *k, const struct dt_cinsn *code, unsigned len)
{
	ck_assert_uint_lt(k->host.nprogs, KP_MAX_PROGS);
	k->progs[k->host.nprogs] = (struct dt_cprog){ code, len };
	return k->host.nprogs++;
}
#define KP_PROG(k, arr) kp_prog((k), (arr), sizeof(arr) / sizeof((arr)[0]))

static const struct dt_state *kp_st(struct kp *k)
{
	return dt_machine_state(k->m);
}

static void kp_start(struct kp *k)
{
	ck_assert_int_eq(dt_machine_create(&k->cfg, dt_chost_ops(), &k->host, &k->m), DT_OK);
	ck_assert_int_eq(kp_st(k)->outcome.kind, DT_RUNNING);
}

static void kp_done(struct kp *k)
{
	dt_machine_destroy(k->m);
	k->m = NULL;
	ck_assert_uint_eq(k->host.live_bodies, 0);
}

static uint32_t kp_now(struct kp *k)
{
	return kp_st(k)->step;
}

static void kp_cpu(struct kp *k, unsigned cpu)
{
	struct dt_choice c = { .kind = DT_CHOICE_CPU, .cpu = (uint16_t)cpu };
	ck_assert_msg(dt_machine_step(k->m, &c) == DT_OK, "CPU %u could not step at step %u", cpu,
		      kp_now(k) + 1);
}

/* Device event `event` delivered to `cpu`: e(NAME)@K. */
static void kp_fire(struct kp *k, unsigned event, unsigned cpu)
{
	struct dt_choice c = { .kind = DT_CHOICE_EVENT, .cpu = (uint16_t)cpu,
			       .object = (uint16_t)event };
	ck_assert_int_eq(dt_machine_step(k->m, &c), DT_OK);
}

/* The choice t(NAME)@K, bound by name as a printed schedule is. */
static struct dt_choice kp_tchoice(struct kp *k, const char *name, unsigned cpu)
{
	struct dt_schedule_item it;
	struct dt_schedule_error err;
	struct dt_choice c;
	memset(&it, 0, sizeof(it));
	memset(&err, 0, sizeof(err));
	it.kind = DT_CHOICE_THREAD;
	it.cpu = (uint16_t)cpu;
	it.repeat = 1;
	snprintf(it.name, sizeof(it.name), "%s", name);
	ck_assert_msg(dt_schedule_item_choice(k->m, &it, &c, &err) == DT_OK, "t(%s)@%u: %s", name,
		      cpu, err.reason);
	ck_assert_int_eq(c.kind, DT_CHOICE_THREAD);
	return c;
}

static int kp_t_enabled(struct kp *k, const char *name, unsigned cpu)
{
	struct dt_choice c = kp_tchoice(k, name, cpu);
	return dt_machine_choice_enabled(k->m, &c);
}

/* Dispatch thread NAME onto `cpu`: the choice t(NAME)@K. */
static void kp_t(struct kp *k, const char *name, unsigned cpu)
{
	struct dt_choice c = kp_tchoice(k, name, cpu);
	ck_assert_msg(dt_machine_step(k->m, &c) == DT_OK, "t(%s)@%u not enabled at step %u", name,
		      cpu, kp_now(k) + 1);
}

/* Run round-robin to the end; it must end quiescent. */
static void kp_run(struct kp *k)
{
	struct dt_sched s;
	dt_sched_round_robin(&s);
	dt_sched_run(&s, k->m, 100000);
	ck_assert_int_eq(kp_st(k)->outcome.kind, DT_QUIESCENT);
}

/* The n-th (0-based) trace event of a kind; fails the test if absent. */
static const struct dt_trace_event *kp_ev(struct kp *k, unsigned kind, unsigned n)
{
	const struct dt_trace_event *t = dt_machine_trace(k->m);
	unsigned want = n;
	for (size_t i = 0; i < dt_machine_trace_count(k->m); i++)
		if (t[i].kind == kind && n-- == 0)
			return &t[i];
	ck_abort_msg("no trace event of kind %u number %u", kind, want);
	return NULL;
}

static unsigned kp_count(struct kp *k, unsigned kind)
{
	const struct dt_trace_event *t = dt_machine_trace(k->m);
	unsigned n = 0;
	for (size_t i = 0; i < dt_machine_trace_count(k->m); i++)
		n += t[i].kind == kind;
	return n;
}

/* The last trace event of a kind, NULL when there is none. */
static const struct dt_trace_event *kp_last(struct kp *k, unsigned kind)
{
	const struct dt_trace_event *t = dt_machine_trace(k->m);
	for (size_t i = dt_machine_trace_count(k->m); i-- > 0;)
		if (t[i].kind == kind)
			return &t[i];
	return NULL;
}

/* A watched value was written, last with `want`. */
static void ck_var(struct kp *k, unsigned v, int64_t want)
{
	const struct dt_var *var = &kp_st(k)->vars[v];
	ck_assert_msg(var->last_writer_cpu >= 0, "%s was never written", var_names[v]);
	ck_assert_int_eq(var->value.u.i, want);
}

static void ck_unwritten(struct kp *k, unsigned v)
{
	ck_assert_msg(kp_st(k)->vars[v].last_writer_cpu == -1, "%s was written", var_names[v]);
}

/* The DPC queue of `cpu` holds exactly `want`, head first. */
static void ck_queue(struct kp *k, unsigned cpu, const uint8_t *want, unsigned n)
{
	const struct dt_cpu *c = &kp_st(k)->cpus[cpu];
	ck_assert_uint_eq(c->qlen, n);
	for (unsigned i = 0; i < n; i++)
		ck_assert_msg(c->queue[i] == want[i], "CPU %u queue[%u] = %u, want %u", cpu, i,
			      c->queue[i], want[i]);
}

static void ck_no_bugcheck(struct kp *k)
{
	ck_assert_int_ne(kp_st(k)->outcome.kind, DT_BUGCHECK);
	ck_assert_uint_eq(kp_count(k, DT_EV_BUGCHECK), 0);
}

/* ---- building blocks for build functions ------------------------------ */

/* A device with one line and one event named after it (bits = 1). */
static unsigned mk_dev(struct dt_machine *m, const char *name, unsigned kind, unsigned dirql,
		       uint64_t affinity)
{
	unsigned dev, line;
	ck_assert_int_eq(dt_device_create(m, name, &dev), DT_OK);
	enum dt_line_kind lk = (enum dt_line_kind)kind;
	ck_assert_int_eq(dt_device_add_line(m, dev, lk, dirql, affinity, &line), DT_OK);
	ck_assert_int_eq(dt_event_create(m, name, dev, line, 1, NULL), DT_OK);
	return dev;
}

/* WdfInterruptCreate that must succeed. */
static uint64_t mk_intr(struct dt_machine *m, unsigned dev, uint32_t isr, uint32_t dpc,
			uint32_t work_item, int passive)
{
	struct dt_interrupt_config c;
	uint32_t status;
	uint64_t h;
	dt_interrupt_config_init(&c, isr, dpc);
	c.work_item = work_item;
	c.passive_handling = (uint8_t)passive;
	ck_assert_int_eq(dt_interrupt_create(m, dev, &c, &status, &h), DT_OK);
	ck_assert_uint_eq(status, DT_STATUS_SUCCESS);
	ck_assert_uint_ne(h, 0);
	return h;
}

static uint64_t mk_kdpc(struct dt_machine *m, uint32_t routine)
{
	uint64_t h;
	ck_assert_int_eq(dt_kdpc_create(m, routine, &h), DT_OK);
	return h;
}

static unsigned mk_thread(struct dt_machine *m, const char *name, uint32_t callback,
			  uint64_t affinity)
{
	unsigned t;
	ck_assert_int_eq(dt_thread_create(m, name, callback, affinity, &t), DT_OK);
	return t;
}

/* Plain KDPC routines. */
static const struct dt_cinsn routine_step[] = {
	CP_STEP(1),
	CP_RETI(0),
};

/* A thread that keeps its CPU busy at PASSIVE forever. */
static const struct dt_cinsn thread_busy[] = {
	CP_STEP(1), /* 0 */
	CP_JMP(0),  /* 1 */
};

/* ---- R19: importance and targeting ------------------------------------- */

/* Four KDPCs (indices 0..3, routine[0]) and a DIRQL device "nic" on CPU0. */
static int build_four_kdpcs_nic(struct kp *k, struct dt_machine *m)
{
	for (unsigned i = 0; i < 4; i++)
		k->kdpc[i] = mk_kdpc(m, k->routine[0]);
	mk_dev(m, "nic", DT_LINE_EDGE, 5, 1);
	k->intr[0] = mk_intr(m, 0, k->isr, DT_NO_CALLBACK, DT_NO_CALLBACK, 0);
	return 0;
}

/* R19: "High goes to the head of the queue, the others to the tail" (Medium,
 * Low and MediumHigh all to the tail), and the drain runs them in that order. */
START_TEST(test_R19_high_to_head_others_to_tail)
{
	struct kp k;
	kp_init(&k, 1, build_four_kdpcs_nic);
	struct dt_cinsn isr[] = {
		CP_OP(0, DT_OP_KE_SET_IMPORTANCE, KDPC(1), DT_LOW),         /* 0 */
		CP_OP(0, DT_OP_KE_SET_IMPORTANCE, KDPC(2), DT_HIGH),        /* 1 */
		CP_OP(0, DT_OP_KE_SET_IMPORTANCE, KDPC(3), DT_MEDIUM_HIGH), /* 2 */
		CP_OP(0, DT_OP_KE_INSERT_QUEUE_DPC, KDPC(0), 0),            /* 3: Medium */
		CP_OP(0, DT_OP_KE_INSERT_QUEUE_DPC, KDPC(1), 0),            /* 4: Low */
		CP_OP(0, DT_OP_KE_INSERT_QUEUE_DPC, KDPC(2), 0),            /* 5: High */
		CP_OP(0, DT_OP_KE_INSERT_QUEUE_DPC, KDPC(3), 0),            /* 6: MediumHigh */
		CP_RETI(1),
	};
	k.isr = KP_PROG(&k, isr);
	k.routine[0] = KP_PROG(&k, routine_step);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	for (unsigned i = 0; i < 4; i++)
		ck_assert_uint_eq(k.kdpc[i], KDPC(i));
	/* KeInitializeDpc: Medium, untargeted. */
	ck_assert_uint_eq(st->dpcs[0].importance, DT_MEDIUM);
	ck_assert_int_eq(st->dpcs[0].target_cpu, -1);
	kp_fire(&k, 0, 0); /* 1 */
	kp_cpu(&k, 0);     /* 2: take the interrupt */
	kp_cpu(&k, 0);     /* 3..5: importances */
	kp_cpu(&k, 0);
	kp_cpu(&k, 0);
	ck_assert_uint_eq(st->dpcs[0].importance, DT_MEDIUM);
	ck_assert_uint_eq(st->dpcs[1].importance, DT_LOW);
	ck_assert_uint_eq(st->dpcs[2].importance, DT_HIGH);
	ck_assert_uint_eq(st->dpcs[3].importance, DT_MEDIUM_HIGH);
	kp_cpu(&k, 0); /* 6: insert Medium */
	ck_queue(&k, 0, (const uint8_t[]){ 0 }, 1);
	kp_cpu(&k, 0); /* 7: insert Low */
	ck_queue(&k, 0, (const uint8_t[]){ 0, 1 }, 2);
	kp_cpu(&k, 0); /* 8: insert High: the head */
	ck_queue(&k, 0, (const uint8_t[]){ 2, 0, 1 }, 3);
	kp_cpu(&k, 0); /* 9: insert MediumHigh: the tail */
	ck_queue(&k, 0, (const uint8_t[]){ 2, 0, 1, 3 }, 4);
	for (unsigned i = 0; i < 4; i++) {
		const struct dt_trace_event *e = kp_ev(&k, DT_EV_QUEUE_DPC, i);
		ck_assert_uint_eq(e->step, 6 + i);
		ck_assert_uint_eq(e->rule, 19);
		ck_assert_uint_eq(e->obj_kind, DT_OBJ_DPC);
		ck_assert_uint_eq(e->object, i);
		ck_assert_int_eq(e->result, 1);
		ck_assert_int_eq(e->arg[1], 0);
		ck_assert_uint_eq(st->dpcs[i].queued_step, 6 + i);
		ck_assert_int_eq(st->dpcs[i].queue_cpu, 0);
		ck_assert_uint_eq(st->dpcs[i].inserted, 1);
	}
	kp_run(&k);
	static const unsigned order[4] = { 2, 0, 1, 3 };
	for (unsigned i = 0; i < 4; i++) {
		const struct dt_trace_event *e = kp_ev(&k, DT_EV_DPC_DEQUEUE, i);
		ck_assert_uint_eq(e->object, order[i]);
		ck_assert_int_eq(e->arg[0], 3 - (int)i);
		ck_assert_uint_eq(e->cause_step, 6 + order[i]);
		ck_assert_uint_eq(st->dpcs[i].runs, 1);
	}
	ck_assert_uint_eq(kp_count(&k, DT_EV_DRAIN_END), 1);
	kp_done(&k);
}
END_TEST

/* One KDPC (0, routine[0]) and a lesson thread "app" (body[0]) on CPU0. */
static int build_kdpc_app(struct kp *k, struct dt_machine *m)
{
	k->kdpc[0] = mk_kdpc(m, k->routine[0]);
	k->thread[0] = mk_thread(m, "app", k->body[0], 1);
	return 0;
}

/* R19: "Medium and above request a drain at once on the current CPU"; Low
 * (below the threshold) does not: a thread at PASSIVE keeps going. */
START_TEST(test_R19_medium_and_above_request_drain_on_current_cpu)
{
	for (unsigned imp = DT_LOW; imp <= DT_HIGH; imp++) {
		struct kp k;
		kp_init(&k, 1, build_kdpc_app);
		struct dt_cinsn app[] = {
			CP_OP(0, DT_OP_KE_SET_IMPORTANCE, KDPC(0), imp), /* 0 */
			CP_OP(0, DT_OP_KE_INSERT_QUEUE_DPC, KDPC(0), 0),  /* 1 */
			CP_WRITE(V_A, 0),                                  /* 2 */
			CP_RETI(0),
		};
		k.body[0] = KP_PROG(&k, app);
		k.routine[0] = KP_PROG(&k, routine_step);
		kp_start(&k);
		const struct dt_state *st = kp_st(&k);
		kp_t(&k, "app", 0); /* 1 */
		kp_cpu(&k, 0);      /* 2: importance */
		ck_assert_uint_eq(st->dpcs[0].importance, imp);
		kp_cpu(&k, 0); /* 3: insert */
		ck_assert_uint_eq(st->cpus[0].qlen, 1);
		ck_assert_uint_eq(st->cpus[0].tick_pending, 0);
		ck_assert_msg(st->cpus[0].drain_requested == (imp >= DT_MEDIUM),
			      "importance %u: drain_requested %u", imp,
			      st->cpus[0].drain_requested);
		if (imp >= DT_MEDIUM) {
			ck_assert_int_eq(dt_cpu_next_action(k.m, 0), DT_ACT_DEQUEUE_DPC);
			ck_assert_uint_eq(st->cpus[0].frames[0].phase, DT_PHASE_RETURNING);
		} else {
			ck_assert_int_eq(dt_cpu_next_action(k.m, 0), DT_ACT_PERFORM_OP);
			ck_assert_uint_eq(st->cpus[0].frames[0].phase, DT_PHASE_NONE);
			ck_assert_uint_eq(st->cpus[0].frames[0].op.kind, DT_OP_WRITE_SHARED);
		}
		kp_run(&k);
		ck_var(&k, V_A, 1);
		ck_assert_uint_eq(st->dpcs[0].runs, 1);
		kp_done(&k);
	}
}
END_TEST

/* R19: KeSetTargetProcessorDpc: the DPC goes on the target CPU's queue and
 * runs there, at DISPATCH. */
START_TEST(test_R19_targeted_dpc_goes_to_target_queue_and_runs_there)
{
	struct kp k;
	kp_init(&k, 2, build_kdpc_app);
	struct dt_cinsn app[] = {
		CP_OP(0, DT_OP_KE_SET_TARGET, KDPC(0), 1),       /* 0 */
		CP_OP(0, DT_OP_KE_INSERT_QUEUE_DPC, KDPC(0), 0), /* 1 */
		CP_WRITE(V_A, 0),                                /* 2 */
		CP_RETI(0),
	};
	static const struct dt_cinsn routine[] = {
		CP_CPU(0),
		CP_WRITE(V_DCPU, 0),
		CP_IRQL(1),
		CP_WRITE(V_DIRQL, 1),
		CP_RETI(0),
	};
	k.body[0] = KP_PROG(&k, app);
	k.routine[0] = KP_PROG(&k, routine);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	kp_t(&k, "app", 0); /* 1 */
	kp_cpu(&k, 0);      /* 2: target CPU1 */
	ck_assert_int_eq(st->dpcs[0].target_cpu, 1);
	kp_cpu(&k, 0); /* 3: insert from CPU0 */
	ck_queue(&k, 1, (const uint8_t[]){ 0 }, 1);
	ck_assert_uint_eq(st->cpus[0].qlen, 0);
	ck_assert_int_eq(st->dpcs[0].queue_cpu, 1);
	ck_assert_int_eq(st->dpcs[0].queued_by_cpu, 0);
	ck_assert_uint_eq(st->dpcs[0].queued_step, 3);
	const struct dt_trace_event *e = kp_last(&k, DT_EV_QUEUE_DPC);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->step, 3);
	ck_assert_int_eq(e->cpu, 0);
	ck_assert_uint_eq(e->object, 0);
	ck_assert_int_eq(e->arg[1], 1);
	ck_assert_int_eq(e->result, 1);
	ck_assert_uint_eq(e->rule, 19);
	/* Not on this CPU: the thread's call returns at once. */
	ck_assert_uint_eq(st->cpus[0].frames[0].phase, DT_PHASE_NONE);
	ck_assert_int_eq(dt_cpu_next_action(k.m, 0), DT_ACT_PERFORM_OP);
	/* CPU1 is idle: it drains on its next step. */
	ck_assert_int_eq(dt_cpu_next_action(k.m, 1), DT_ACT_DEQUEUE_DPC);
	kp_cpu(&k, 1); /* 4 */
	e = kp_last(&k, DT_EV_DPC_DEQUEUE);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->step, 4);
	ck_assert_int_eq(e->cpu, 1);
	ck_assert_uint_eq(e->object, 0);
	ck_assert_uint_eq(e->cause_step, 3);
	ck_assert_int_eq(e->cause_cpu, 0);
	ck_assert_uint_eq(st->cpus[1].nframes, 1);
	ck_assert_uint_eq(st->cpus[1].frames[0].kind, DT_FRAME_DPC);
	ck_assert_uint_eq(st->cpus[1].irql, DT_DISPATCH_LEVEL);
	kp_run(&k);
	ck_var(&k, V_A, 1);
	ck_var(&k, V_DCPU, 1);
	ck_var(&k, V_DIRQL, DT_DISPATCH_LEVEL);
	ck_assert_uint_eq(st->dpcs[0].runs, 1);
	kp_done(&k);
}
END_TEST

/* KDPC 0 (routine[0]); thread "busy" (body[1]) on CPU1, "app" (body[0]) on CPU0. */
static int build_remote(struct kp *k, struct dt_machine *m)
{
	k->kdpc[0] = mk_kdpc(m, k->routine[0]);
	k->thread[0] = mk_thread(m, "busy", k->body[1], 2);
	k->thread[1] = mk_thread(m, "app", k->body[0], 1);
	return 0;
}

/* R19: "MediumHigh and High also [request a drain] on a remote target";
 * Medium does not: the DPC waits for the target's clock tick while the
 * target runs a thread at PASSIVE. */
START_TEST(test_R19_remote_target_drain_by_importance)
{
	for (unsigned imp = DT_MEDIUM; imp <= DT_HIGH; imp++) {
		struct kp k;
		kp_init(&k, 2, build_remote);
		k.cfg.sw.tick_us = 16;
		struct dt_cinsn app[] = {
			CP_OP(0, DT_OP_KE_SET_TARGET, KDPC(0), 1),       /* 0 */
			CP_OP(0, DT_OP_KE_SET_IMPORTANCE, KDPC(0), imp), /* 1 */
			CP_OP(0, DT_OP_KE_INSERT_QUEUE_DPC, KDPC(0), 0), /* 2 */
			CP_WRITE(V_A, 0),                                /* 3 */
			CP_RETI(0),
		};
		static const struct dt_cinsn routine[] = {
			CP_CPU(0),
			CP_WRITE(V_DCPU, 0),
			CP_RETI(0),
		};
		k.body[0] = KP_PROG(&k, app);
		k.body[1] = KP_PROG(&k, thread_busy);
		k.routine[0] = KP_PROG(&k, routine);
		kp_start(&k);
		const struct dt_state *st = kp_st(&k);
		kp_t(&k, "busy", 1); /* 1 */
		kp_cpu(&k, 1);       /* 2 */
		kp_t(&k, "app", 0);  /* 3 */
		kp_cpu(&k, 0);       /* 4: target */
		kp_cpu(&k, 0);       /* 5: importance */
		kp_cpu(&k, 0);       /* 6: insert */
		ck_queue(&k, 1, (const uint8_t[]){ 0 }, 1);
		ck_assert_uint_eq(st->cpus[1].busy_us, 2);
		ck_assert_uint_eq(st->cpus[1].nframes, 1);
		ck_assert_uint_eq(st->cpus[1].frames[0].kind, DT_FRAME_THREAD);
		ck_assert_msg(st->cpus[1].drain_requested == (imp >= DT_MEDIUM_HIGH),
			      "importance %u: target drain_requested %u", imp,
			      st->cpus[1].drain_requested);
		if (imp >= DT_MEDIUM_HIGH) {
			ck_assert_int_eq(dt_cpu_next_action(k.m, 1), DT_ACT_DEQUEUE_DPC);
			kp_cpu(&k, 1); /* 7: the DPC preempts the thread on CPU1 */
			const struct dt_trace_event *e = kp_last(&k, DT_EV_DPC_DEQUEUE);
			ck_assert_ptr_nonnull(e);
			ck_assert_uint_eq(e->step, 7);
			ck_assert_int_eq(e->cpu, 1);
			ck_assert_uint_eq(kp_count(&k, DT_EV_CLOCK_TICK), 0);
		} else {
			/* Medium: CPU1 goes on with its thread until its tick. */
			unsigned n = 0;
			while (dt_cpu_next_action(k.m, 1) != DT_ACT_DEQUEUE_DPC && n < 100) {
				ck_assert_int_eq(dt_cpu_next_action(k.m, 1), DT_ACT_PERFORM_OP);
				ck_assert_uint_eq(st->dpcs[0].inserted, 1);
				ck_assert_uint_eq(st->dpcs[0].runs, 0);
				kp_cpu(&k, 1);
				n++;
			}
			ck_assert_uint_eq(n, 14);
			ck_assert_uint_eq(st->cpus[1].busy_us, 16);
			ck_assert_uint_eq(st->cpus[1].tick_pending, 1);
			ck_assert_uint_eq(st->cpus[1].drain_requested, 0);
			const struct dt_trace_event *tick = kp_last(&k, DT_EV_CLOCK_TICK);
			ck_assert_ptr_nonnull(tick);
			ck_assert_int_eq(tick->cpu, 1);
			ck_assert_uint_eq(tick->step, kp_now(&k));
			ck_assert_int_eq(tick->arg[0], 16);
			ck_assert_int_eq(tick->result, 1);
			ck_assert_uint_eq(tick->rule, 16);
			kp_cpu(&k, 1);
			const struct dt_trace_event *e = kp_last(&k, DT_EV_DPC_DEQUEUE);
			ck_assert_ptr_nonnull(e);
			ck_assert_uint_eq(e->step, tick->step + 1);
			ck_assert_int_eq(e->cpu, 1);
		}
		/* It runs above the thread's frame, on the target. */
		ck_assert_uint_eq(st->cpus[1].nframes, 2);
		ck_assert_uint_eq(st->cpus[1].frames[0].kind, DT_FRAME_THREAD);
		ck_assert_uint_eq(st->cpus[1].frames[0].object, 0);
		ck_assert_uint_eq(st->cpus[1].frames[1].kind, DT_FRAME_DPC);
		ck_assert_uint_eq(st->cpus[1].frames[1].object, 0);
		ck_assert_uint_eq(st->cpus[1].irql, DT_DISPATCH_LEVEL);
		ck_assert_uint_eq(st->dpcs[0].runs, 1);
		kp_cpu(&k, 1); /* CPU */
		kp_cpu(&k, 1); /* write */
		ck_var(&k, V_DCPU, 1);
		kp_done(&k);
	}
}
END_TEST

/* Four KDPCs (routine[0]) and thread "app" (body[0]) on one CPU. */
static int build_four_kdpcs_app(struct kp *k, struct dt_machine *m)
{
	for (unsigned i = 0; i < 4; i++)
		k->kdpc[i] = mk_kdpc(m, k->routine[0]);
	k->thread[0] = mk_thread(m, "app", k->body[0], 1);
	return 0;
}

/* R19: "Low waits until the queue depth reaches a threshold (default 4, a
 * lesson setting)": the insert that makes the depth reach it requests the drain. */
START_TEST(test_R19_low_waits_for_queue_depth_threshold)
{
	for (unsigned thr = 2; thr <= 4; thr++) {
		struct kp k;
		kp_init(&k, 1, build_four_kdpcs_app);
		if (thr != 4)
			k.cfg.sw.low_dpc_threshold = thr; /* 4: the default */
		struct dt_cinsn app[] = {
			CP_OP(0, DT_OP_KE_SET_IMPORTANCE, KDPC(0), DT_LOW),
			CP_OP(0, DT_OP_KE_SET_IMPORTANCE, KDPC(1), DT_LOW),
			CP_OP(0, DT_OP_KE_SET_IMPORTANCE, KDPC(2), DT_LOW),
			CP_OP(0, DT_OP_KE_SET_IMPORTANCE, KDPC(3), DT_LOW),
			CP_OP(0, DT_OP_KE_INSERT_QUEUE_DPC, KDPC(0), 0),
			CP_OP(0, DT_OP_KE_INSERT_QUEUE_DPC, KDPC(1), 0),
			CP_OP(0, DT_OP_KE_INSERT_QUEUE_DPC, KDPC(2), 0),
			CP_OP(0, DT_OP_KE_INSERT_QUEUE_DPC, KDPC(3), 0),
			CP_RETI(0),
		};
		k.body[0] = KP_PROG(&k, app);
		k.routine[0] = KP_PROG(&k, routine_step);
		kp_start(&k);
		const struct dt_state *st = kp_st(&k);
		ck_assert_uint_eq(st->sw.low_dpc_threshold, thr);
		kp_t(&k, "app", 0); /* 1 */
		for (unsigned i = 0; i < 4; i++)
			kp_cpu(&k, 0); /* 2..5: importances */
		for (unsigned i = 0; i < thr; i++) {
			kp_cpu(&k, 0); /* insert KDPC i */
			ck_assert_uint_eq(st->cpus[0].qlen, i + 1);
			ck_assert_uint_eq(st->dpcs[i].runs, 0);
			if (i + 1 < thr) {
				ck_assert_msg(st->cpus[0].drain_requested == 0,
					      "threshold %u: drain at depth %u", thr, i + 1);
				ck_assert_int_eq(dt_cpu_next_action(k.m, 0), DT_ACT_PERFORM_OP);
				ck_assert_uint_eq(st->cpus[0].frames[0].phase, DT_PHASE_NONE);
			} else {
				ck_assert_msg(st->cpus[0].drain_requested == 1,
					      "threshold %u: no drain at depth %u", thr, i + 1);
				ck_assert_int_eq(dt_cpu_next_action(k.m, 0), DT_ACT_DEQUEUE_DPC);
			}
		}
		ck_assert_uint_eq(st->cpus[0].tick_pending, 0);
		kp_run(&k);
		for (unsigned i = 0; i < 4; i++)
			ck_assert_uint_eq(st->dpcs[i].runs, 1);
		kp_done(&k);
	}
}
END_TEST

/* R19: a Low DPC below the threshold waits for the CPU's clock tick (R16),
 * then drains; meanwhile the thread at PASSIVE keeps its CPU. */
START_TEST(test_R19_low_waits_for_clock_tick)
{
	struct kp k;
	kp_init(&k, 1, build_kdpc_app);
	k.cfg.sw.tick_us = 8;
	struct dt_cinsn app[] = {
		CP_OP(0, DT_OP_KE_SET_IMPORTANCE, KDPC(0), DT_LOW), /* 0 */
		CP_OP(0, DT_OP_KE_INSERT_QUEUE_DPC, KDPC(0), 0),    /* 1 */
		CP_STEP(1),                                         /* 2 */
		CP_JMP(2),                                          /* 3 */
	};
	static const struct dt_cinsn routine[] = {
		CP_WRITEI(V_MARK, 1),
		CP_RETI(0),
	};
	k.body[0] = KP_PROG(&k, app);
	k.routine[0] = KP_PROG(&k, routine);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	kp_t(&k, "app", 0); /* 1 */
	kp_cpu(&k, 0);      /* 2 */
	kp_cpu(&k, 0);      /* 3: insert Low */
	ck_assert_uint_eq(st->cpus[0].qlen, 1);
	ck_assert_uint_eq(st->cpus[0].drain_requested, 0);
	for (uint32_t s = 4; s <= 7; s++) {
		ck_assert_int_eq(dt_cpu_next_action(k.m, 0), DT_ACT_PERFORM_OP);
		kp_cpu(&k, 0);
		ck_assert_uint_eq(st->dpcs[0].runs, 0);
		ck_assert_uint_eq(st->cpus[0].tick_pending, 0);
	}
	ck_assert_uint_eq(kp_count(&k, DT_EV_CLOCK_TICK), 0);
	kp_cpu(&k, 0); /* 8: busy clock 8 us: the tick */
	const struct dt_trace_event *tick = kp_last(&k, DT_EV_CLOCK_TICK);
	ck_assert_ptr_nonnull(tick);
	ck_assert_uint_eq(tick->step, 8);
	ck_assert_int_eq(tick->cpu, 0);
	ck_assert_int_eq(tick->arg[0], 8);
	ck_assert_int_eq(tick->result, 1);
	ck_assert_uint_eq(st->cpus[0].tick_pending, 1);
	ck_assert_int_eq(dt_cpu_next_action(k.m, 0), DT_ACT_DEQUEUE_DPC);
	kp_cpu(&k, 0); /* 9 */
	const struct dt_trace_event *e = kp_last(&k, DT_EV_DPC_DEQUEUE);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->step, 9);
	ck_assert_uint_eq(e->cause_step, 3);
	ck_assert_uint_eq(st->cpus[0].nframes, 2);
	ck_assert_uint_eq(st->cpus[0].frames[1].kind, DT_FRAME_DPC);
	kp_cpu(&k, 0); /* 10: the routine's write */
	ck_var(&k, V_MARK, 1);
	kp_done(&k);
}
END_TEST

/* ---- R20: KeRemoveQueueDpc, KeFlushQueuedDpcs ---------------------------- */

/* KDPC 0 (routine[0]) and a DIRQL device "nic" (isr) on one CPU. */
static int build_kdpc_nic(struct kp *k, struct dt_machine *m)
{
	k->kdpc[0] = mk_kdpc(m, k->routine[0]);
	mk_dev(m, "nic", DT_LINE_EDGE, 5, 1);
	k->intr[0] = mk_intr(m, 0, k->isr, DT_NO_CALLBACK, DT_NO_CALLBACK, 0);
	return 0;
}

/* R20: "KeRemoveQueueDpc removes a queued DPC (TRUE, it will not run) or
 * returns FALSE". */
START_TEST(test_R20_remove_queued_true_it_never_runs_then_false)
{
	struct kp k;
	kp_init(&k, 1, build_kdpc_nic);
	struct dt_cinsn isr[] = {
		CP_OP(0, DT_OP_KE_INSERT_QUEUE_DPC, KDPC(0), 0), /* 0 */
		CP_OP(1, DT_OP_KE_REMOVE_QUEUE_DPC, KDPC(0), 0), /* 1 */
		CP_OP(2, DT_OP_KE_REMOVE_QUEUE_DPC, KDPC(0), 0), /* 2 */
		CP_WRITE(V_A, 0),
		CP_WRITE(V_B, 1),
		CP_WRITE(V_C, 2),
		CP_RETI(1),
	};
	static const struct dt_cinsn routine[] = {
		CP_WRITEI(V_MARK, 1),
		CP_RETI(0),
	};
	k.isr = KP_PROG(&k, isr);
	k.routine[0] = KP_PROG(&k, routine);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	kp_fire(&k, 0, 0); /* 1 */
	kp_cpu(&k, 0);     /* 2: take */
	kp_cpu(&k, 0);     /* 3: insert */
	ck_queue(&k, 0, (const uint8_t[]){ 0 }, 1);
	kp_cpu(&k, 0); /* 4: remove: TRUE */
	ck_assert_uint_eq(st->cpus[0].qlen, 0);
	ck_assert_uint_eq(st->dpcs[0].inserted, 0);
	ck_assert_int_eq(st->dpcs[0].queue_cpu, -1);
	const struct dt_trace_event *e = kp_ev(&k, DT_EV_DPC_REMOVE, 0);
	ck_assert_uint_eq(e->step, 4);
	ck_assert_int_eq(e->cpu, 0);
	ck_assert_uint_eq(e->obj_kind, DT_OBJ_DPC);
	ck_assert_uint_eq(e->object, 0);
	ck_assert_int_eq(e->result, 1);
	ck_assert_uint_eq(e->rule, 20);
	kp_cpu(&k, 0); /* 5: remove again: FALSE */
	e = kp_ev(&k, DT_EV_DPC_REMOVE, 1);
	ck_assert_uint_eq(e->step, 5);
	ck_assert_int_eq(e->result, 0);
	ck_assert_uint_eq(e->rule, 20);
	kp_run(&k);
	ck_var(&k, V_A, 1);
	ck_var(&k, V_B, 1);
	ck_var(&k, V_C, 0);
	ck_unwritten(&k, V_MARK);
	ck_assert_uint_eq(st->dpcs[0].inserts, 1);
	ck_assert_uint_eq(st->dpcs[0].runs, 0);
	ck_assert_uint_eq(st->dpcs[0].completions, 0);
	ck_assert_uint_eq(kp_count(&k, DT_EV_DPC_DEQUEUE), 0);
	kp_done(&k);
}
END_TEST

/* KDPC 0 (routine[0]); "starter" (body[0]) on CPU1, "remover" (body[1]) on CPU0. */
static int build_remove_running(struct kp *k, struct dt_machine *m)
{
	k->kdpc[0] = mk_kdpc(m, k->routine[0]);
	k->thread[0] = mk_thread(m, "starter", k->body[0], 2);
	k->thread[1] = mk_thread(m, "remover", k->body[1], 1);
	return 0;
}

/* R20: KeRemoveQueueDpc "never waits for a running routine": FALSE at once
 * while the routine runs on another CPU. */
START_TEST(test_R20_remove_does_not_wait_for_running_routine)
{
	struct kp k;
	kp_init(&k, 2, build_remove_running);
	struct dt_cinsn starter[] = {
		CP_OP(0, DT_OP_KE_INSERT_QUEUE_DPC, KDPC(0), 0),
		CP_RETI(0),
	};
	struct dt_cinsn remover[] = {
		CP_OP(0, DT_OP_KE_REMOVE_QUEUE_DPC, KDPC(0), 0),
		CP_WRITE(V_A, 0),
		CP_RETI(0),
	};
	static const struct dt_cinsn routine[] = {
		CP_STEP(1),
		CP_STEP(1),
		CP_WRITEI(V_MARK, 1),
		CP_RETI(0),
	};
	k.body[0] = KP_PROG(&k, starter);
	k.body[1] = KP_PROG(&k, remover);
	k.routine[0] = KP_PROG(&k, routine);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	kp_t(&k, "starter", 1); /* 1 */
	kp_cpu(&k, 1);          /* 2: insert (Medium, this CPU: drain inside the call) */
	kp_cpu(&k, 1);          /* 3: dequeue: the routine runs on CPU1 */
	ck_assert_uint_eq(st->dpcs[0].running, 1);
	ck_assert_uint_eq(st->dpcs[0].inserted, 0);
	kp_t(&k, "remover", 0); /* 4 */
	kp_cpu(&k, 0);          /* 5: remove: FALSE, no wait */
	const struct dt_trace_event *e = kp_last(&k, DT_EV_DPC_REMOVE);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->step, 5);
	ck_assert_int_eq(e->result, 0);
	ck_assert_uint_eq(e->rule, 20);
	ck_assert_uint_eq(st->threads[1].state, DT_TS_RUNNING);
	ck_assert_int_eq(st->threads[1].cpu, 0);
	ck_assert_uint_eq(kp_count(&k, DT_EV_THREAD_BLOCK), 0);
	ck_assert_int_eq(dt_cpu_next_action(k.m, 0), DT_ACT_PERFORM_OP);
	ck_assert_uint_eq(st->cpus[0].frames[0].op.kind, DT_OP_WRITE_SHARED);
	ck_assert_uint_eq(st->dpcs[0].running, 1);
	ck_assert_uint_eq(st->dpcs[0].completions, 0);
	kp_cpu(&k, 0); /* 6 */
	ck_var(&k, V_A, 0);
	ck_unwritten(&k, V_MARK);
	kp_run(&k);
	ck_var(&k, V_MARK, 1);
	ck_assert_uint_eq(st->dpcs[0].runs, 1);
	ck_assert_uint_eq(st->dpcs[0].completions, 1);
	kp_done(&k);
}
END_TEST

/* KDPCs A, B, C (routine[0..2]); "starter" (body[0]) on CPU1, "flusher"
 * (body[1]) and "other" (body[2]) on CPU0. */
static int build_flush(struct kp *k, struct dt_machine *m)
{
	for (unsigned i = 0; i < 3; i++)
		k->kdpc[i] = mk_kdpc(m, k->routine[i]);
	k->thread[0] = mk_thread(m, "starter", k->body[0], 2);
	k->thread[1] = mk_thread(m, "flusher", k->body[1], 1);
	k->thread[2] = mk_thread(m, "other", k->body[2], 1);
	return 0;
}

/* R20: "KeFlushQueuedDpcs (PASSIVE, blocks its thread) returns when every
 * DPC queued before the call has run": one running on another CPU and one
 * still queued there; one queued after the call does not hold it up. */
START_TEST(test_R20_flush_blocks_until_earlier_dpcs_ran)
{
	struct kp k;
	kp_init(&k, 2, build_flush);
	struct dt_cinsn routine_a[] = {
		CP_STEP(1),                                      /* 0 */
		CP_OP(0, DT_OP_KE_INSERT_QUEUE_DPC, KDPC(2), 0), /* 1: C, after the flush */
		CP_RETI(0),
	};
	static const struct dt_cinsn routine_b[] = {
		CP_WRITEI(V_B, 1),
		CP_RETI(0),
	};
	static const struct dt_cinsn routine_c[] = {
		CP_WRITEI(V_C, 1),
		CP_RETI(0),
	};
	struct dt_cinsn starter[] = {
		CP_OP(0, DT_OP_KE_INSERT_QUEUE_DPC, KDPC(0), 0), /* A, runs on CPU1 */
		CP_WRITE(V_A, 0),
		CP_RETI(0),
	};
	struct dt_cinsn flusher[] = {
		CP_OP(0, DT_OP_KE_SET_TARGET, KDPC(1), 1),       /* 0 */
		CP_OP(0, DT_OP_KE_INSERT_QUEUE_DPC, KDPC(1), 0), /* 1: B, queued on CPU1 */
		CP_OP(0, DT_OP_KE_FLUSH_QUEUED_DPCS, 0, 0),      /* 2 */
		CP_WRITEI(V_MARK, 1),                            /* 3 */
		CP_RETI(0),
	};
	static const struct dt_cinsn other[] = {
		CP_WRITEI(V_OTHER, 1),
		CP_RETI(0),
	};
	k.routine[0] = KP_PROG(&k, routine_a);
	k.routine[1] = KP_PROG(&k, routine_b);
	k.routine[2] = KP_PROG(&k, routine_c);
	k.body[0] = KP_PROG(&k, starter);
	k.body[1] = KP_PROG(&k, flusher);
	k.body[2] = KP_PROG(&k, other);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	const struct dt_thread *fl = &st->threads[1];
	kp_t(&k, "starter", 1); /* 1 */
	kp_cpu(&k, 1);          /* 2: insert A */
	kp_cpu(&k, 1);          /* 3: A dequeued, running on CPU1 */
	ck_assert_uint_eq(st->dpcs[0].running, 1);
	kp_t(&k, "flusher", 0); /* 4 */
	kp_cpu(&k, 0);          /* 5: target B at CPU1 */
	kp_cpu(&k, 0);          /* 6: insert B: CPU1's queue */
	ck_queue(&k, 1, (const uint8_t[]){ 1 }, 1);
	ck_assert_uint_eq(st->dpcs[1].queued_step, 6);
	ck_assert_uint_eq(kp_st(&k)->cpus[0].frames[0].op.kind, DT_OP_KE_FLUSH_QUEUED_DPCS);
	kp_cpu(&k, 0); /* 7: flush: blocks */
	const struct dt_trace_event *e = kp_last(&k, DT_EV_FLUSH);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->step, 7);
	ck_assert_int_eq(e->cpu, 0);
	ck_assert_int_eq(e->result, 0);
	ck_assert_uint_eq(e->rule, 20);
	e = kp_last(&k, DT_EV_THREAD_BLOCK);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->step, 7);
	ck_assert_int_eq(e->cpu, 0);
	ck_assert_uint_eq(e->obj_kind, DT_OBJ_THREAD);
	ck_assert_uint_eq(e->object, 1);
	ck_assert_int_eq(e->arg[0], DT_WAIT_FLUSH);
	ck_assert_uint_eq(fl->state, DT_TS_BLOCKED);
	ck_assert_uint_eq(fl->wait_kind, DT_WAIT_FLUSH);
	ck_assert_uint_eq(fl->wait_step, 7);
	ck_assert_int_eq(fl->cpu, -1);
	/* Its CPU is free: another thread runs there meanwhile. */
	ck_assert_uint_eq(st->cpus[0].nframes, 0);
	ck_assert_uint_eq(st->cpus[0].irql, DT_PASSIVE_LEVEL);
	ck_assert(kp_t_enabled(&k, "other", 0));
	kp_t(&k, "other", 0); /* 8 */
	kp_cpu(&k, 0);        /* 9 */
	kp_cpu(&k, 0);        /* 10: other ends */
	ck_var(&k, V_OTHER, 1);
	ck_assert_uint_eq(st->threads[2].state, DT_TS_DONE);
	ck_assert_uint_eq(fl->state, DT_TS_BLOCKED);
	kp_cpu(&k, 1); /* 11: A's step */
	kp_cpu(&k, 1); /* 12: A inserts C: after the flush call */
	ck_queue(&k, 1, (const uint8_t[]){ 1, 2 }, 2);
	ck_assert_uint_eq(st->dpcs[2].queued_step, 12);
	kp_cpu(&k, 1); /* 13: A returns; B still queued */
	ck_assert_uint_eq(kp_last(&k, DT_EV_DPC_RETURN)->step, 13);
	ck_assert_uint_eq(fl->state, DT_TS_BLOCKED);
	kp_cpu(&k, 1); /* 14: B dequeued */
	kp_cpu(&k, 1); /* 15: B's write */
	ck_assert_uint_eq(fl->state, DT_TS_BLOCKED);
	kp_cpu(&k, 1); /* 16: B returns: everything queued before step 7 has run */
	ck_assert_uint_eq(kp_last(&k, DT_EV_DPC_RETURN)->step, 16);
	e = kp_last(&k, DT_EV_THREAD_WAKE);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->step, 16);
	ck_assert_uint_eq(e->object, 1);
	ck_assert_uint_eq(fl->state, DT_TS_READY);
	ck_assert_uint_eq(fl->wait_kind, DT_WAIT_NONE);
	/* C, queued after the call, has not run and did not hold it up. */
	ck_assert_uint_eq(st->dpcs[2].inserted, 1);
	ck_assert_uint_eq(st->dpcs[2].runs, 0);
	ck_unwritten(&k, V_MARK);
	kp_t(&k, "flusher", 0); /* 17: the thread continues after the call */
	ck_assert_uint_eq(kp_last(&k, DT_EV_THREAD_DISPATCH)->step, 17);
	ck_assert_uint_eq(fl->state, DT_TS_RUNNING);
	ck_assert_uint_eq(st->cpus[0].frames[0].op.kind, DT_OP_WRITE_SHARED);
	kp_cpu(&k, 0); /* 18 */
	ck_var(&k, V_MARK, 1);
	ck_assert_uint_eq(st->dpcs[2].runs, 0);
	kp_run(&k);
	ck_var(&k, V_A, 1);
	ck_var(&k, V_B, 1);
	ck_var(&k, V_C, 1);
	for (unsigned i = 0; i < 3; i++)
		ck_assert_uint_eq(st->threads[i].state, DT_TS_DONE);
	kp_done(&k);
}
END_TEST

/* R20: KeFlushQueuedDpcs with nothing queued or running returns at once
 * (FLUSH result 1) without blocking. */
START_TEST(test_R20_flush_with_nothing_queued_returns_at_once)
{
	struct kp k;
	kp_init(&k, 1, build_kdpc_app);
	static const struct dt_cinsn app[] = {
		CP_OP(0, DT_OP_KE_FLUSH_QUEUED_DPCS, 0, 0),
		CP_WRITEI(V_MARK, 1),
		CP_RETI(0),
	};
	k.body[0] = KP_PROG(&k, app);
	k.routine[0] = KP_PROG(&k, routine_step);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	kp_t(&k, "app", 0); /* 1 */
	kp_cpu(&k, 0);      /* 2 */
	const struct dt_trace_event *e = kp_last(&k, DT_EV_FLUSH);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->step, 2);
	ck_assert_int_eq(e->result, 1);
	ck_assert_uint_eq(e->rule, 20);
	ck_assert_uint_eq(kp_count(&k, DT_EV_THREAD_BLOCK), 0);
	ck_assert_uint_eq(st->threads[0].state, DT_TS_RUNNING);
	ck_assert_int_eq(dt_cpu_next_action(k.m, 0), DT_ACT_PERFORM_OP);
	kp_run(&k);
	ck_var(&k, V_MARK, 1);
	kp_done(&k);
}
END_TEST

/* ---- R21: a DPC inside the passive ISR's queue call ---------------------- */

/* Passive device "sens" (edge, DIRQL 5, CPUs of k->affinity) with isr and
 * dpc (or work item wi), then lesson threads "appN" running body[N]. */
static int build_sens(struct kp *k, struct dt_machine *m)
{
	uint64_t aff = k->affinity ? k->affinity : (1ull << k->cfg.ncpus) - 1;
	mk_dev(m, "sens", DT_LINE_EDGE, 5, aff);
	k->intr[0] = mk_intr(m, 0, k->isr, k->dpc, k->wi, 1);
	for (unsigned i = 0; i < 4; i++) {
		char name[16];
		if (k->body[i] == DT_NO_CALLBACK)
			continue;
		snprintf(name, sizeof(name), "app%u", i);
		k->thread[i] = mk_thread(m, name, k->body[i], 0);
	}
	return 0;
}

/* R21: "the DPC may run on the same CPU before WdfInterruptQueueDpcForIsr
 * returns ...; the ISR thread is still inside the call and still holds the
 * wait lock. The trace shows the DPC above the unfinished call." */
START_TEST(test_R21_passive_isr_dpc_runs_inside_queue_call)
{
	struct kp k;
	kp_init(&k, 1, build_sens);
	static const struct dt_cinsn isr[] = {
		CP_QUEUE_DPC(0),
		CP_WRITE(V_A, 0),
		CP_RETI(1),
	};
	static const struct dt_cinsn dpc[] = {
		CP_IRQL(0),
		CP_WRITE(V_DIRQL, 0),
		CP_RETI(0),
	};
	k.isr = KP_PROG(&k, isr);
	k.dpc = KP_PROG(&k, dpc);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	const struct dt_cpu *c = &st->cpus[0];
	const struct dt_interrupt *in = &st->interrupts[0];
	ck_assert_uint_eq(in->thread, 0);
	kp_fire(&k, 0, 0); /* 1 */
	kp_cpu(&k, 0);     /* 2: trap */
	kp_cpu(&k, 0);     /* 3: trap return */
	kp_t(&k, "sens.isr0", 0); /* 4 */
	ck_assert_int_eq(st->locks[in->lock].owner_thread, 0);
	kp_cpu(&k, 0); /* 5: WdfInterruptQueueDpcForIsr: TRUE, this CPU, drain now */
	const struct dt_trace_event *q = kp_last(&k, DT_EV_QUEUE_DPC);
	ck_assert_ptr_nonnull(q);
	ck_assert_uint_eq(q->step, 5);
	ck_assert_int_eq(q->result, 1);
	ck_assert_int_eq(q->arg[1], 0);
	ck_assert_uint_eq(c->nframes, 1);
	ck_assert_uint_eq(c->frames[0].kind, DT_FRAME_THREAD);
	ck_assert_uint_eq(c->frames[0].op.kind, DT_OP_QUEUE_DPC_FOR_ISR);
	ck_assert_uint_eq(c->frames[0].phase, DT_PHASE_RETURNING);
	ck_assert_int_eq(c->frames[0].retval.kind, DT_VAL_BOOL);
	ck_assert_int_eq(c->frames[0].retval.u.i, 1);
	ck_assert_int_eq(dt_cpu_next_action(k.m, 0), DT_ACT_DEQUEUE_DPC);
	ck_unwritten(&k, V_A);
	kp_cpu(&k, 0); /* 6: the DPC above the unfinished call */
	ck_assert_uint_eq(c->nframes, 2);
	ck_assert_uint_eq(c->frames[1].kind, DT_FRAME_DPC);
	ck_assert_uint_eq(c->frames[1].object, in->dpc);
	ck_assert_uint_eq(c->frames[1].irql, DT_DISPATCH_LEVEL);
	ck_assert_uint_eq(c->irql, DT_DISPATCH_LEVEL);
	ck_assert_uint_eq(c->frames[0].kind, DT_FRAME_THREAD);
	ck_assert_uint_eq(c->frames[0].object, 0);
	ck_assert_uint_eq(c->frames[0].op.kind, DT_OP_QUEUE_DPC_FOR_ISR);
	ck_assert_uint_eq(c->frames[0].phase, DT_PHASE_RETURNING);
	ck_assert_uint_eq(st->threads[0].state, DT_TS_RUNNING);
	ck_assert_int_eq(st->threads[0].cpu, 0);
	ck_assert_int_eq(st->locks[in->lock].owner_thread, 0);
	kp_cpu(&k, 0); /* 7: KeGetCurrentIrql */
	kp_cpu(&k, 0); /* 8: write */
	ck_assert_int_eq(st->locks[in->lock].owner_thread, 0);
	kp_cpu(&k, 0); /* 9: DPC returns, the drain ends */
	const struct dt_trace_event *d = kp_last(&k, DT_EV_DRAIN_END);
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(d->step, 9);
	ck_assert_uint_eq(d->irql_after, DT_PASSIVE_LEVEL);
	ck_assert_uint_eq(kp_count(&k, DT_EV_CALL_RETURN), 0);
	ck_unwritten(&k, V_A);
	ck_assert_uint_eq(c->nframes, 1);
	ck_assert_uint_eq(c->frames[0].phase, DT_PHASE_RETURNING);
	kp_cpu(&k, 0); /* 10: the call returns TRUE */
	const struct dt_trace_event *r = kp_last(&k, DT_EV_CALL_RETURN);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->step, 10);
	ck_assert_int_eq(r->cpu, 0);
	ck_assert_int_eq(r->result, 1);
	ck_assert_uint_eq(r->rule, 21);
	ck_assert_uint_eq(c->frames[0].phase, DT_PHASE_NONE);
	ck_assert_uint_eq(c->frames[0].op.kind, DT_OP_WRITE_SHARED);
	kp_cpu(&k, 0); /* 11 */
	ck_var(&k, V_A, 1);
	kp_run(&k);
	ck_var(&k, V_DIRQL, DT_DISPATCH_LEVEL);
	ck_assert_int_eq(st->locks[in->lock].owner_thread, -1);
	ck_assert_uint_eq(st->threads[0].state, DT_TS_IDLE);
	kp_done(&k);
}
END_TEST

/* ---- R50: passive handling configuration ---------------------------------- */

/* Records the statuses of the WdfInterruptCreate calls in k->status. */
static int build_r50_spinlock(struct kp *k, struct dt_machine *m)
{
	struct dt_interrupt_config c;
	ck_assert_int_eq(dt_spinlock_create(m, &k->lock[0]), DT_OK);
	mk_dev(m, "a", DT_LINE_LEVEL, 5, 1);
	dt_interrupt_config_init(&c, k->isr, DT_NO_CALLBACK);
	c.passive_handling = 1;
	c.spin_lock = k->lock[0];
	ck_assert_int_eq(dt_interrupt_create(m, 0, &c, &k->status[0], &k->intr[0]), DT_OK);
	c.spin_lock = 0;
	ck_assert_int_eq(dt_interrupt_create(m, 0, &c, &k->status[1], &k->intr[1]), DT_OK);
	return 0;
}

/* R50: "PassiveHandling = TRUE requires SpinLock = NULL" (else
 * STATUS_INVALID_PARAMETER, R40), and the refusal uses nothing up. */
START_TEST(test_R50_passive_with_spinlock_is_invalid_parameter)
{
	struct kp k;
	kp_init(&k, 1, build_r50_spinlock);
	k.isr = KP_PROG(&k, routine_step);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	ck_assert_uint_eq(k.status[0], DT_STATUS_INVALID_PARAMETER);
	ck_assert_uint_eq(k.intr[0], 0);
	ck_assert_uint_eq(k.status[1], DT_STATUS_SUCCESS);
	ck_assert_uint_eq(k.intr[1], INTR(0));
	ck_assert_uint_eq(st->ninterrupts, 1);
	ck_assert_uint_eq(st->interrupts[0].message_id, 0);
	ck_assert_uint_eq(st->interrupts[0].passive, 1);
	ck_assert_uint_eq(st->interrupts[0].lock, 1); /* not the WDFSPINLOCK (lock 0) */
	ck_assert_uint_eq(st->locks[1].kind, DT_LOCK_WAITLOCK);
	ck_assert_uint_eq(st->nthreads, 1);
	ck_assert_str_eq(dt_machine_string(k.m, st->threads[0].name), "a.isr0");
	ck_assert_uint_eq(st->locks[0].interrupt, DT_NONE);
	kp_done(&k);
}
END_TEST

/* Device "a" passive without a lock, device "b" passive with a WDFWAITLOCK. */
static int build_r50_waitlock(struct kp *k, struct dt_machine *m)
{
	struct dt_interrupt_config c;
	ck_assert_int_eq(dt_waitlock_create(m, &k->lock[0]), DT_OK);
	mk_dev(m, "a", DT_LINE_LEVEL, 5, 1);
	mk_dev(m, "b", DT_LINE_EDGE, 6, 1);
	dt_interrupt_config_init(&c, k->isr, DT_NO_CALLBACK);
	c.passive_handling = 1;
	ck_assert_int_eq(dt_interrupt_create(m, 0, &c, &k->status[0], &k->intr[0]), DT_OK);
	c.wait_lock = k->lock[0];
	ck_assert_int_eq(dt_interrupt_create(m, 1, &c, &k->status[1], &k->intr[1]), DT_OK);
	return 0;
}

/* R50: "WaitLock is optional (the framework makes one)"; a given WDFWAITLOCK
 * becomes the interrupt's lock. */
START_TEST(test_R50_waitlock_optional_framework_makes_one)
{
	struct kp k;
	kp_init(&k, 1, build_r50_waitlock);
	k.isr = KP_PROG(&k, routine_step);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	unsigned given;
	ck_assert(dt_handle_decode(k.m, k.lock[0], DT_HANDLE_WAITLOCK, &given));
	ck_assert_uint_eq(k.status[0], DT_STATUS_SUCCESS);
	ck_assert_uint_eq(k.status[1], DT_STATUS_SUCCESS);
	ck_assert_uint_eq(k.intr[0], INTR(0));
	ck_assert_uint_eq(k.intr[1], INTR(1));
	const struct dt_interrupt *a = &st->interrupts[0], *b = &st->interrupts[1];
	ck_assert_uint_eq(a->passive, 1);
	ck_assert_uint_ne(a->lock, given);
	ck_assert_uint_lt(a->lock, st->nlocks);
	ck_assert_uint_eq(st->locks[a->lock].kind, DT_LOCK_WAITLOCK);
	ck_assert_uint_eq(st->locks[a->lock].interrupt, 0);
	ck_assert_int_eq(st->locks[a->lock].owner_thread, -1);
	ck_assert_int_eq(st->locks[a->lock].owner_cpu, -1);
	ck_assert_uint_eq(b->passive, 1);
	ck_assert_uint_eq(b->lock, given);
	ck_assert_uint_eq(st->locks[given].kind, DT_LOCK_WAITLOCK);
	ck_assert_uint_eq(st->locks[given].interrupt, 1);
	ck_assert_str_eq(dt_machine_string(k.m, st->threads[a->thread].name), "a.isr0");
	ck_assert_str_eq(dt_machine_string(k.m, st->threads[b->thread].name), "b.isr0");
	kp_done(&k);
}
END_TEST

/* An MSI device "m": first passive (refused), then DIRQL on the same message. */
static int build_r50_msi(struct kp *k, struct dt_machine *m)
{
	struct dt_interrupt_config c;
	mk_dev(m, "m", DT_LINE_MSI, 7, 1);
	dt_interrupt_config_init(&c, k->isr, DT_NO_CALLBACK);
	c.passive_handling = 1;
	ck_assert_int_eq(dt_interrupt_create(m, 0, &c, &k->status[0], &k->intr[0]), DT_OK);
	c.passive_handling = 0;
	ck_assert_int_eq(dt_interrupt_create(m, 0, &c, &k->status[1], &k->intr[1]), DT_OK);
	return 0;
}

/* R50: "MSI interrupts must use DIRQL handling": passive MSI is
 * STATUS_INVALID_PARAMETER. */
START_TEST(test_R50_msi_passive_is_invalid_parameter)
{
	struct kp k;
	kp_init(&k, 1, build_r50_msi);
	k.isr = KP_PROG(&k, routine_step);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	ck_assert_uint_eq(k.status[0], DT_STATUS_INVALID_PARAMETER);
	ck_assert_uint_eq(k.intr[0], 0);
	ck_assert_uint_eq(k.status[1], DT_STATUS_SUCCESS);
	ck_assert_uint_eq(k.intr[1], INTR(0));
	ck_assert_uint_eq(st->ninterrupts, 1);
	ck_assert_uint_eq(st->interrupts[0].passive, 0);
	ck_assert_uint_eq(st->nthreads, 0);
	kp_done(&k);
}
END_TEST

/* ---- R51: the trap, the ISR thread, the wait lock ------------------------- */

static const struct dt_cinsn isr_where[] = {
	CP_IRQL(0),
	CP_WRITE(V_IRQL, 0),
	CP_CPU(1),
	CP_WRITE(V_CPU, 1),
	CP_RETI(1),
};

/* R51: "The kernel's trap handler runs briefly at DIRQL on the receiving CPU
 * ... then hands the ISR to a passive-level kernel thread." */
START_TEST(test_R51_trap_frame_at_dirql_for_one_step)
{
	struct kp k;
	kp_init(&k, 1, build_sens);
	k.isr = KP_PROG(&k, isr_where);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	const struct dt_cpu *c = &st->cpus[0];
	ck_assert_uint_eq(st->threads[0].kind, DT_THREAD_PASSIVE_ISR);
	ck_assert_uint_eq(st->threads[0].state, DT_TS_IDLE);
	kp_fire(&k, 0, 0); /* 1 */
	ck_assert_int_eq(dt_cpu_next_action(k.m, 0), DT_ACT_TAKE_INTERRUPT);
	kp_cpu(&k, 0); /* 2: the trap */
	ck_assert_uint_eq(c->nframes, 1);
	ck_assert_uint_eq(c->frames[0].kind, DT_FRAME_TRAP);
	ck_assert_uint_eq(c->frames[0].object, 0);
	ck_assert_uint_eq(c->frames[0].irql, 5);
	ck_assert_uint_eq(c->irql, 5);
	ck_assert_uint_eq(c->npending, 0);
	const struct dt_trace_event *e = kp_last(&k, DT_EV_TRAP);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->step, 2);
	ck_assert_int_eq(e->cpu, 0);
	ck_assert_uint_eq(e->obj_kind, DT_OBJ_INTERRUPT);
	ck_assert_uint_eq(e->object, 0);
	ck_assert_uint_eq(e->irql_before, DT_PASSIVE_LEVEL);
	ck_assert_uint_eq(e->irql_after, 5);
	ck_assert_uint_eq(e->rule, 51);
	ck_assert_uint_eq(st->threads[0].state, DT_TS_IDLE);
	ck_assert_uint_eq(st->interrupts[0].isr_calls, 0);
	ck_assert_uint_eq(kp_count(&k, DT_EV_ISR_ENTER), 0);
	ck_assert_int_eq(dt_cpu_next_action(k.m, 0), DT_ACT_RETURN);
	kp_cpu(&k, 0); /* 3: its return */
	ck_assert_uint_eq(c->nframes, 0);
	ck_assert_uint_eq(c->irql, DT_PASSIVE_LEVEL);
	e = kp_last(&k, DT_EV_TRAP_RETURN);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->step, 3);
	ck_assert_int_eq(e->cpu, 0);
	ck_assert_uint_eq(e->object, 0);
	ck_assert_int_eq(e->arg[0], 0);
	ck_assert_uint_eq(e->irql_before, 5);
	ck_assert_uint_eq(e->irql_after, DT_PASSIVE_LEVEL);
	ck_assert_uint_eq(e->rule, 51);
	e = kp_last(&k, DT_EV_THREAD_WAKE);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->step, 3);
	ck_assert_uint_eq(e->obj_kind, DT_OBJ_THREAD);
	ck_assert_uint_eq(e->object, 0);
	ck_assert_uint_eq(st->threads[0].state, DT_TS_READY);
	ck_assert_uint_eq(st->interrupts[0].isr_calls, 0);
	ck_assert_uint_eq(kp_count(&k, DT_EV_TRAP), 1);
	kp_done(&k);
}
END_TEST

/* R51: the ISR runs in "a passive-level kernel thread" (named
 * "<device>.isr<message>") at PASSIVE, on the CPU a t(NAME)@K choice picks,
 * and "can run later than the arrival". */
START_TEST(test_R51_isr_runs_in_thread_at_passive_later_on_chosen_cpu)
{
	struct kp k;
	kp_init(&k, 2, build_sens);
	static const struct dt_cinsn app[] = {
		CP_STEP(1),
		CP_STEP(1),
		CP_STEP(1),
		CP_RETI(0),
	};
	k.isr = KP_PROG(&k, isr_where);
	k.body[0] = KP_PROG(&k, app);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	ck_assert_str_eq(dt_machine_string(k.m, st->threads[0].name), "sens.isr0");
	ck_assert_uint_eq(st->interrupts[0].thread, 0);
	kp_fire(&k, 0, 0); /* 1 */
	kp_cpu(&k, 0);     /* 2: trap */
	kp_cpu(&k, 0);     /* 3: trap return */
	ck_assert(kp_t_enabled(&k, "sens.isr0", 0));
	ck_assert(kp_t_enabled(&k, "sens.isr0", 1));
	/* Another thread takes CPU0 first; the ISR waits, ready. */
	kp_t(&k, "app0", 0); /* 4 */
	kp_cpu(&k, 0);       /* 5..7 */
	kp_cpu(&k, 0);
	kp_cpu(&k, 0);
	ck_assert_uint_eq(st->threads[0].state, DT_TS_READY);
	ck_assert_uint_eq(st->interrupts[0].isr_calls, 0);
	ck_assert(!kp_t_enabled(&k, "sens.isr0", 0));
	kp_t(&k, "sens.isr0", 1); /* 8 */
	const struct dt_trace_event *e = kp_last(&k, DT_EV_THREAD_DISPATCH);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->step, 8);
	ck_assert_int_eq(e->cpu, 1);
	ck_assert_uint_eq(e->object, 0);
	ck_assert_uint_eq(st->interrupts[0].isr_calls, 1);
	ck_assert_uint_eq(st->threads[0].state, DT_TS_RUNNING);
	ck_assert_int_eq(st->threads[0].cpu, 1);
	ck_assert_uint_eq(st->cpus[1].nframes, 1);
	ck_assert_uint_eq(st->cpus[1].frames[0].kind, DT_FRAME_THREAD);
	ck_assert_uint_eq(st->cpus[1].frames[0].object, 0);
	ck_assert_uint_eq(st->cpus[1].irql, DT_PASSIVE_LEVEL);
	ck_assert_int_eq(st->locks[st->interrupts[0].lock].owner_thread, 0);
	kp_run(&k);
	ck_var(&k, V_IRQL, DT_PASSIVE_LEVEL);
	ck_var(&k, V_CPU, 1);
	ck_assert_uint_eq(st->threads[0].state, DT_TS_IDLE);
	ck_assert_int_eq(st->locks[st->interrupts[0].lock].owner_thread, -1);
	kp_done(&k);
}
END_TEST

/* R51: "That thread may run on any CPU": even when the line's affinity
 * is CPU0 only, the ISR thread may be dispatched onto CPU1. */
START_TEST(test_R51_isr_thread_may_run_on_any_cpu)
{
	struct kp k;
	kp_init(&k, 2, build_sens);
	k.affinity = 1; /* the line: CPU0 only */
	k.isr = KP_PROG(&k, isr_where);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	ck_assert_uint_eq(st->devices[0].lines[0].affinity, 1);
	kp_fire(&k, 0, 0); /* 1 */
	kp_cpu(&k, 0);     /* 2 */
	kp_cpu(&k, 0);     /* 3 */
	ck_assert_uint_eq(st->threads[0].state, DT_TS_READY);
	ck_assert_msg(kp_t_enabled(&k, "sens.isr0", 1),
		      "t(sens.isr0)@1 is not enabled: ISR thread affinity %#llx",
		      (unsigned long long)st->threads[0].affinity);
	kp_t(&k, "sens.isr0", 1); /* 4 */
	kp_run(&k);
	ck_var(&k, V_CPU, 1);
	ck_var(&k, V_IRQL, DT_PASSIVE_LEVEL);
	kp_done(&k);
}
END_TEST

/* Passive "sens" (isr, CPUs 0-1) and DIRQL "nic" (isr2, DIRQL 7, CPU1). */
static int build_sens_nic(struct kp *k, struct dt_machine *m)
{
	mk_dev(m, "sens", DT_LINE_EDGE, 5, 3);
	mk_dev(m, "nic", DT_LINE_EDGE, 7, 2);
	k->intr[0] = mk_intr(m, 0, k->isr, DT_NO_CALLBACK, DT_NO_CALLBACK, 1);
	k->intr[1] = mk_intr(m, 1, k->isr2, DT_NO_CALLBACK, DT_NO_CALLBACK, 0);
	return 0;
}

/* R51: the ISR thread "is preempted there by ... ISRs": a DIRQL ISR of
 * another device runs above it on its CPU, then it continues. */
START_TEST(test_R51_dirql_isr_preempts_passive_isr_thread)
{
	struct kp k;
	kp_init(&k, 2, build_sens_nic);
	static const struct dt_cinsn isr[] = {
		CP_STEP(1),
		CP_STEP(1),
		CP_WRITEI(V_MARK, 1),
		CP_RETI(1),
	};
	static const struct dt_cinsn isr2[] = {
		CP_IRQL(0),
		CP_WRITE(V_DIRQL, 0),
		CP_RETI(1),
	};
	k.isr = KP_PROG(&k, isr);
	k.isr2 = KP_PROG(&k, isr2);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	const struct dt_cpu *c = &st->cpus[1];
	kp_fire(&k, 0, 0);        /* 1 */
	kp_cpu(&k, 0);            /* 2: trap on CPU0 */
	kp_cpu(&k, 0);            /* 3 */
	kp_t(&k, "sens.isr0", 1); /* 4: the ISR thread on CPU1 */
	kp_cpu(&k, 1);            /* 5: first step */
	kp_fire(&k, 1, 1);        /* 6: nic on CPU1 */
	ck_assert_int_eq(dt_cpu_next_action(k.m, 1), DT_ACT_TAKE_INTERRUPT);
	kp_cpu(&k, 1); /* 7: the DIRQL ISR preempts the thread */
	const struct dt_trace_event *e = kp_last(&k, DT_EV_ISR_ENTER);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->step, 7);
	ck_assert_int_eq(e->cpu, 1);
	ck_assert_uint_eq(e->object, 1);
	ck_assert_uint_eq(e->irql_before, DT_PASSIVE_LEVEL);
	ck_assert_uint_eq(c->nframes, 2);
	ck_assert_uint_eq(c->frames[0].kind, DT_FRAME_THREAD);
	ck_assert_uint_eq(c->frames[0].object, 0);
	ck_assert_uint_eq(c->frames[1].kind, DT_FRAME_ISR);
	ck_assert_uint_eq(c->frames[1].object, 1);
	ck_assert_uint_eq(c->irql, 7);
	ck_assert_uint_eq(st->threads[0].state, DT_TS_RUNNING);
	ck_assert_int_eq(st->threads[0].cpu, 1);
	ck_assert_int_eq(st->locks[st->interrupts[0].lock].owner_thread, 0);
	kp_cpu(&k, 1); /* 8 */
	kp_cpu(&k, 1); /* 9 */
	kp_cpu(&k, 1); /* 10: ISR returns */
	ck_assert_uint_eq(kp_last(&k, DT_EV_ISR_RETURN)->step, 10);
	ck_assert_uint_eq(c->nframes, 1);
	ck_assert_uint_eq(c->irql, DT_PASSIVE_LEVEL);
	ck_assert_int_eq(dt_cpu_next_action(k.m, 1), DT_ACT_PERFORM_OP);
	ck_assert_uint_eq(c->frames[0].op.kind, DT_OP_STEP);
	ck_unwritten(&k, V_MARK);
	kp_run(&k);
	ck_var(&k, V_DIRQL, 7);
	ck_var(&k, V_MARK, 1);
	kp_done(&k);
}
END_TEST

/* Two passive devices on one CPU: "sa" (isr, DIRQL 5) and "sb" (isr2, DIRQL 6). */
static int build_two_passive(struct kp *k, struct dt_machine *m)
{
	mk_dev(m, "sa", DT_LINE_EDGE, 5, 1);
	mk_dev(m, "sb", DT_LINE_EDGE, 6, 1);
	k->intr[0] = mk_intr(m, 0, k->isr, DT_NO_CALLBACK, DT_NO_CALLBACK, 1);
	k->intr[1] = mk_intr(m, 1, k->isr2, DT_NO_CALLBACK, DT_NO_CALLBACK, 1);
	return 0;
}

/* R51: "passive ISRs of different devices can delay one another": the second
 * device's trap preempts the first ISR thread, but its own ISR thread waits,
 * ready, until the first one has returned. */
START_TEST(test_R51_passive_isrs_of_two_devices_delay_one_another)
{
	struct kp k;
	kp_init(&k, 1, build_two_passive);
	static const struct dt_cinsn isr_a[] = {
		CP_STEP(1),
		CP_STEP(1),
		CP_RETI(1),
	};
	static const struct dt_cinsn isr_b[] = {
		CP_WRITEI(V_MARK, 1),
		CP_RETI(1),
	};
	k.isr = KP_PROG(&k, isr_a);
	k.isr2 = KP_PROG(&k, isr_b);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	const struct dt_cpu *c = &st->cpus[0];
	ck_assert_str_eq(dt_machine_string(k.m, st->threads[1].name), "sb.isr0");
	kp_fire(&k, 0, 0);      /* 1 */
	kp_cpu(&k, 0);          /* 2 */
	kp_cpu(&k, 0);          /* 3 */
	kp_t(&k, "sa.isr0", 0); /* 4 */
	kp_fire(&k, 1, 0);      /* 5 */
	kp_cpu(&k, 0);          /* 6: sb's trap, above sa's ISR thread */
	ck_assert_uint_eq(c->nframes, 2);
	ck_assert_uint_eq(c->frames[0].kind, DT_FRAME_THREAD);
	ck_assert_uint_eq(c->frames[0].object, 0);
	ck_assert_uint_eq(c->frames[1].kind, DT_FRAME_TRAP);
	ck_assert_uint_eq(c->frames[1].object, 1);
	ck_assert_uint_eq(c->irql, 6);
	kp_cpu(&k, 0); /* 7: its return */
	ck_assert_uint_eq(kp_last(&k, DT_EV_TRAP_RETURN)->step, 7);
	ck_assert_uint_eq(c->nframes, 1);
	ck_assert_uint_eq(c->irql, DT_PASSIVE_LEVEL);
	ck_assert_uint_eq(st->threads[1].state, DT_TS_READY);
	ck_assert(!kp_t_enabled(&k, "sb.isr0", 0));
	kp_cpu(&k, 0); /* 8 */
	kp_cpu(&k, 0); /* 9 */
	ck_assert(!kp_t_enabled(&k, "sb.isr0", 0));
	ck_assert_uint_eq(st->interrupts[1].isr_calls, 0);
	kp_cpu(&k, 0); /* 10: sa's ISR returns */
	ck_assert_uint_eq(st->threads[0].state, DT_TS_IDLE);
	ck_assert(kp_t_enabled(&k, "sb.isr0", 0));
	kp_t(&k, "sb.isr0", 0); /* 11 */
	ck_assert_uint_eq(kp_last(&k, DT_EV_THREAD_DISPATCH)->step, 11);
	ck_assert_uint_eq(st->interrupts[1].isr_calls, 1);
	kp_run(&k);
	ck_var(&k, V_MARK, 1);
	kp_done(&k);
}
END_TEST

/* Passive device "lvl" with a level line on CPU0 (isr). */
static int build_level(struct kp *k, struct dt_machine *m)
{
	mk_dev(m, "lvl", DT_LINE_LEVEL, 5, 1);
	k->intr[0] = mk_intr(m, 0, k->isr, DT_NO_CALLBACK, DT_NO_CALLBACK, 1);
	return 0;
}

/* R51: the trap "silences the line at the controller (... masks level)" and
 * "A level line stays masked until the ISR returns": no re-entry while the
 * ISR thread runs, delivery again at its return. */
START_TEST(test_R51_level_line_masked_until_isr_returns)
{
	struct kp k;
	kp_init(&k, 1, build_level);
	static const struct dt_cinsn isr[] = {
		CP_STEP(1),
		CP_WRREGI(0, DT_REG_INTSTATUS, 1),
		CP_STEP(1),
		CP_RETI(1),
	};
	k.isr = KP_PROG(&k, isr);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	const struct dt_line *line = &st->devices[0].lines[0];
	kp_fire(&k, 0, 0); /* 1 */
	ck_assert_uint_eq(line->in_service, 1);
	kp_cpu(&k, 0); /* 2: trap */
	kp_cpu(&k, 0); /* 3: trap return: the line is still asserted, but masked */
	ck_assert_uint_eq(st->devices[0].regs[DT_REG_INTSTATUS], 1);
	ck_assert_uint_eq(line->in_service, 1);
	ck_assert_uint_eq(st->cpus[0].npending, 0);
	ck_assert_uint_eq(kp_count(&k, DT_EV_IRQ_PENDING), 1);
	ck_assert_uint_eq(kp_count(&k, DT_EV_LINE_REASSERTED), 0);
	ck_assert_int_eq(dt_cpu_next_action(k.m, 0), DT_ACT_NONE);
	kp_t(&k, "lvl.isr0", 0); /* 4 */
	kp_cpu(&k, 0);           /* 5 */
	kp_cpu(&k, 0);           /* 6: acknowledge */
	ck_assert_uint_eq(st->devices[0].regs[DT_REG_INTSTATUS], 0);
	kp_fire(&k, 0, 0); /* 7: a new device event while the ISR runs */
	ck_assert_uint_eq(st->devices[0].regs[DT_REG_INTSTATUS], 1);
	const struct dt_trace_event *e = kp_last(&k, DT_EV_IRQ_NOT_SENT);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->step, 7);
	ck_assert_uint_eq(e->object, 0);
	ck_assert_uint_eq(e->rule, 7);
	ck_assert_uint_eq(st->cpus[0].npending, 0);
	kp_cpu(&k, 0); /* 8 */
	ck_assert_uint_eq(kp_count(&k, DT_EV_IRQ_PENDING), 1);
	ck_assert_uint_eq(kp_count(&k, DT_EV_TRAP), 1);
	ck_assert_uint_eq(st->interrupts[0].isr_calls, 1);
	kp_cpu(&k, 0); /* 9: the ISR returns: unmasked, still asserted: delivered */
	ck_assert_uint_eq(kp_last(&k, DT_EV_THREAD_END)->step, 9);
	e = kp_last(&k, DT_EV_IRQ_PENDING);
	ck_assert_uint_eq(kp_count(&k, DT_EV_IRQ_PENDING), 2);
	ck_assert_uint_eq(e->step, 9);
	ck_assert_int_eq(e->cpu, 0);
	ck_assert_uint_eq(e->object, 0);
	ck_assert_uint_eq(st->cpus[0].npending, 1);
	ck_assert_uint_eq(line->in_service, 1);
	ck_assert_int_eq(st->locks[st->interrupts[0].lock].owner_thread, -1);
	kp_cpu(&k, 0); /* 10: the second trap */
	ck_assert_uint_eq(kp_count(&k, DT_EV_TRAP), 2);
	ck_assert_uint_eq(kp_last(&k, DT_EV_TRAP)->step, 10);
	kp_done(&k);
}
END_TEST

/* R51: "The framework holds the interrupt's wait lock around the ISR ...;
 * another thread that wants it blocks (its CPU is free meanwhile)" and gets
 * it when the ISR returns. */
START_TEST(test_R51_wait_lock_held_around_isr_blocks_thread)
{
	struct kp k;
	kp_init(&k, 2, build_sens);
	static const struct dt_cinsn isr[] = {
		CP_STEP(1),
		CP_STEP(1),
		CP_RETI(1),
	};
	struct dt_cinsn taker[] = {
		CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, INTR(0), 0),
		CP_WRITEI(V_MARK, 1),
		CP_OP(0, DT_OP_INTR_RELEASE_LOCK, INTR(0), 0),
		CP_RETI(0),
	};
	static const struct dt_cinsn other[] = {
		CP_WRITEI(V_OTHER, 1),
		CP_RETI(0),
	};
	k.isr = KP_PROG(&k, isr);
	k.body[0] = KP_PROG(&k, taker);
	k.body[1] = KP_PROG(&k, other);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	unsigned lock = st->interrupts[0].lock;
	const struct dt_thread *tk = &st->threads[1];
	ck_assert_str_eq(dt_machine_string(k.m, tk->name), "app0");
	kp_fire(&k, 0, 0);        /* 1 */
	kp_cpu(&k, 0);            /* 2 */
	kp_cpu(&k, 0);            /* 3 */
	kp_t(&k, "sens.isr0", 0); /* 4: the ISR thread takes the wait lock */
	ck_assert_int_eq(st->locks[lock].owner_thread, 0);
	ck_assert_uint_eq(st->locks[lock].acquired_step, 4);
	kp_t(&k, "app0", 1); /* 5 */
	ck_assert(!kp_t_enabled(&k, "app1", 1));
	kp_cpu(&k, 1); /* 6: WdfInterruptAcquireLock: blocks */
	const struct dt_trace_event *e = kp_last(&k, DT_EV_THREAD_BLOCK);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->step, 6);
	ck_assert_int_eq(e->cpu, 1);
	ck_assert_uint_eq(e->object, 1);
	ck_assert_int_eq(e->arg[0], DT_WAIT_LOCK);
	ck_assert_int_eq(e->arg[1], lock);
	ck_assert_uint_eq(tk->state, DT_TS_BLOCKED);
	ck_assert_uint_eq(tk->wait_kind, DT_WAIT_LOCK);
	ck_assert_uint_eq(tk->wait_object, lock);
	ck_assert_int_eq(tk->cpu, -1);
	ck_assert_uint_eq(st->cpus[1].nframes, 0);
	ck_assert_uint_eq(st->cpus[1].irql, DT_PASSIVE_LEVEL);
	ck_assert_int_eq(st->locks[lock].owner_thread, 0);
	ck_assert_int_eq(st->outcome.kind, DT_RUNNING);
	/* CPU1 is free: another thread runs there meanwhile. */
	ck_assert(kp_t_enabled(&k, "app1", 1));
	kp_t(&k, "app1", 1); /* 7 */
	kp_cpu(&k, 1);       /* 8 */
	kp_cpu(&k, 1);       /* 9 */
	ck_var(&k, V_OTHER, 1);
	ck_assert_uint_eq(tk->state, DT_TS_BLOCKED);
	kp_cpu(&k, 0); /* 10 */
	kp_cpu(&k, 0); /* 11 */
	ck_assert_uint_eq(tk->state, DT_TS_BLOCKED);
	kp_cpu(&k, 0); /* 12: the ISR returns: the waiter gets the lock */
	ck_assert_uint_eq(kp_last(&k, DT_EV_THREAD_END)->step, 12);
	ck_assert_int_eq(st->locks[lock].owner_thread, 1);
	e = kp_last(&k, DT_EV_THREAD_WAKE);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->step, 12);
	ck_assert_uint_eq(e->object, 1);
	ck_assert_uint_eq(tk->state, DT_TS_READY);
	ck_assert_uint_eq(st->threads[0].state, DT_TS_IDLE);
	ck_unwritten(&k, V_MARK);
	kp_t(&k, "app0", 1); /* 13: resumes after the acquire */
	ck_assert_uint_eq(st->cpus[1].frames[0].op.kind, DT_OP_WRITE_SHARED);
	kp_cpu(&k, 1); /* 14 */
	ck_var(&k, V_MARK, 1);
	ck_assert_int_eq(st->locks[lock].owner_thread, 1);
	kp_cpu(&k, 1); /* 15: release */
	ck_assert_int_eq(st->locks[lock].owner_thread, -1);
	kp_run(&k);
	ck_assert_uint_eq(tk->state, DT_TS_DONE);
	kp_done(&k);
}
END_TEST

/* ---- R52: what a passive ISR may queue; its lock in a DPC ------------------ */

/* R52: "From a passive ISR the driver may call ... WdfInterruptQueueWorkItemForIsr":
 * at PASSIVE it queues the work item directly (R41); the callback runs in
 * a worker thread at PASSIVE. */
START_TEST(test_R52_queue_workitem_from_passive_isr)
{
	struct kp k;
	kp_init(&k, 2, build_sens);
	static const struct dt_cinsn isr[] = {
		CP_OP(0, DT_OP_QUEUE_WORKITEM_FOR_ISR, 0, 0),
		CP_WRITE(V_A, 0),
		CP_RETI(1),
	};
	static const struct dt_cinsn wi[] = {
		CP_IRQL(0),
		CP_WRITE(V_DIRQL, 0),
		CP_CPU(1),
		CP_WRITE(V_DCPU, 1),
		CP_RETI(0),
	};
	k.isr = KP_PROG(&k, isr);
	k.wi = KP_PROG(&k, wi);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	const struct dt_interrupt *in = &st->interrupts[0];
	ck_assert_str_eq(dt_machine_string(k.m, st->threads[in->thread].name), "sens.isr0");
	kp_fire(&k, 0, 0);        /* 1 */
	kp_cpu(&k, 0);            /* 2 */
	kp_cpu(&k, 0);            /* 3 */
	kp_t(&k, "sens.isr0", 0); /* 4 */
	kp_cpu(&k, 0);            /* 5: WdfInterruptQueueWorkItemForIsr */
	const struct dt_trace_event *e = kp_last(&k, DT_EV_WORKITEM_QUEUE);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->step, 5);
	ck_assert_int_eq(e->cpu, 0);
	ck_assert_uint_eq(e->object, 0);
	ck_assert_int_eq(e->result, 1);
	ck_assert_uint_eq(e->rule, 41);
	ck_assert_uint_eq(in->wi_queued, 1);
	ck_assert_uint_eq(in->wi_true, 1);
	ck_assert_uint_eq(kp_count(&k, DT_EV_QUEUE_DPC), 0);
	ck_assert_uint_eq(st->cpus[0].qlen, 0);
	ck_assert_int_eq(dt_cpu_next_action(k.m, 0), DT_ACT_PERFORM_OP);
	ck_assert(kp_t_enabled(&k, "worker0", 1));
	kp_t(&k, "worker0", 1); /* 6: the work item starts on CPU1 */
	e = kp_last(&k, DT_EV_WORKITEM_START);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->step, 6);
	ck_assert_int_eq(e->cpu, 1);
	ck_assert_uint_eq(in->wi_queued, 0);
	ck_assert_uint_eq(in->wi_running, 1);
	kp_run(&k);
	ck_var(&k, V_A, 1);
	ck_var(&k, V_DIRQL, DT_PASSIVE_LEVEL);
	ck_var(&k, V_DCPU, 1);
	ck_assert_uint_eq(in->wi_runs, 1);
	ck_assert_uint_eq(in->wi_running, 0);
	kp_done(&k);
}
END_TEST

/* R52: "(EvtInterruptDpc still runs at DISPATCH, R21)": the passive ISR runs
 * at PASSIVE on CPU1, its DPC at DISPATCH on CPU1. */
START_TEST(test_R52_queue_dpc_from_passive_isr_runs_at_dispatch)
{
	struct kp k;
	kp_init(&k, 2, build_sens);
	static const struct dt_cinsn isr[] = {
		CP_IRQL(0),
		CP_WRITE(V_IRQL, 0),
		CP_CPU(1),
		CP_WRITE(V_CPU, 1),
		CP_QUEUE_DPC(2),
		CP_WRITE(V_A, 2),
		CP_RETI(1),
	};
	static const struct dt_cinsn dpc[] = {
		CP_IRQL(0),
		CP_WRITE(V_DIRQL, 0),
		CP_CPU(1),
		CP_WRITE(V_DCPU, 1),
		CP_RETI(0),
	};
	k.isr = KP_PROG(&k, isr);
	k.dpc = KP_PROG(&k, dpc);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	kp_fire(&k, 0, 0);        /* 1 */
	kp_cpu(&k, 0);            /* 2 */
	kp_cpu(&k, 0);            /* 3 */
	kp_t(&k, "sens.isr0", 1); /* 4 */
	kp_run(&k);
	ck_var(&k, V_IRQL, DT_PASSIVE_LEVEL);
	ck_var(&k, V_CPU, 1);
	ck_var(&k, V_A, 1);
	ck_var(&k, V_DIRQL, DT_DISPATCH_LEVEL);
	ck_var(&k, V_DCPU, 1);
	const struct dt_trace_event *e = kp_ev(&k, DT_EV_DPC_DEQUEUE, 0);
	ck_assert_int_eq(e->cpu, 1);
	ck_assert_uint_eq(e->object, st->interrupts[0].dpc);
	ck_assert_uint_eq(kp_count(&k, DT_EV_CALL_RETURN), 1);
	ck_assert_int_eq(kp_ev(&k, DT_EV_CALL_RETURN, 0)->cpu, 1);
	ck_assert_uint_eq(st->dpcs[st->interrupts[0].dpc].runs, 1);
	kp_done(&k);
}
END_TEST

/* Passive ISR that queues its DPC; the DPC takes the passive interrupt's lock. */
static const struct dt_cinsn isr_queue_only[] = {
	CP_QUEUE_DPC(0),
	CP_RETI(1),
};
static const struct dt_cinsn dpc_acquire[] = {
	CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, 0, 0),
	CP_WRITEI(V_MARK, 1),
	CP_RETI(0),
};

/* Steps 1-6: the event, the trap, its return, the ISR thread on CPU0, the
 * queue call, the dequeue: the DPC (inside the call) is before its acquire. */
static void run_to_dpc_acquire(struct kp *k)
{
	kp_fire(k, 0, 0);        /* 1 */
	kp_cpu(k, 0);            /* 2 */
	kp_cpu(k, 0);            /* 3 */
	kp_t(k, "sens.isr0", 0); /* 4 */
	kp_cpu(k, 0);            /* 5 */
	kp_cpu(k, 0);            /* 6 */
	const struct dt_cpu *c = &kp_st(k)->cpus[0];
	ck_assert_uint_eq(c->nframes, 2);
	ck_assert_uint_eq(c->frames[1].kind, DT_FRAME_DPC);
	ck_assert_uint_eq(c->frames[1].op.kind, DT_OP_INTR_ACQUIRE_LOCK);
	ck_assert_int_eq(kp_st(k)->locks[kp_st(k)->interrupts[0].lock].owner_thread, 0);
}

/* R52: "EvtInterruptDpc may not take the passive interrupt lock": a KMDF
 * verifier finding; verifier on, no debugger: 0x1E, P1 = 0x80000003 (R34). */
START_TEST(test_R52_dpc_acquire_passive_lock_verifier_bugcheck)
{
	struct kp k;
	kp_init(&k, 1, build_sens);
	k.cfg.sw.kmdf_verifier = 1;
	k.isr = KP_PROG(&k, isr_queue_only);
	k.dpc = KP_PROG(&k, dpc_acquire);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	run_to_dpc_acquire(&k);
	kp_cpu(&k, 0); /* 7 */
	const struct dt_trace_event *v = kp_last(&k, DT_EV_VERIFIER);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(v->step, 7);
	ck_assert_int_eq(v->cpu, 0);
	ck_assert_int_eq(v->arg[0], DT_VF_PASSIVE_LOCK_AT_DISPATCH);
	ck_assert_uint_eq(v->rule, 52);
	ck_assert_uint_eq(v->frame, DT_FRAME_DPC);
	ck_assert_int_eq(st->outcome.kind, DT_BUGCHECK);
	ck_assert_uint_eq(st->outcome.code, DT_BUGCODE_KMODE_EXCEPTION_NOT_HANDLED);
	ck_assert_uint_eq(st->outcome.p[0], 0x80000003u);
	ck_assert_uint_eq(st->outcome.reason, DT_BCR_VERIFIER_BREAK);
	ck_assert_uint_eq(st->outcome.rule, 34);
	ck_assert_int_eq(st->outcome.cpu, 0);
	ck_assert_uint_eq(st->outcome.step, 7);
	const struct dt_trace_event *b = kp_last(&k, DT_EV_BUGCHECK);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(b->step, 7);
	ck_assert_int_eq(b->arg[0], DT_BUGCODE_KMODE_EXCEPTION_NOT_HANDLED);
	ck_assert_int_eq(b->arg[1], 0x80000003);
	ck_assert_uint_eq(kp_count(&k, DT_EV_BUGCHECK), 1);
	struct dt_choice c = { .kind = DT_CHOICE_CPU, .cpu = 0 };
	ck_assert_int_eq(dt_machine_step(k.m, &c), DT_EHALTED);
	ck_unwritten(&k, V_MARK);
	kp_done(&k);
}
END_TEST

/* R52 with R35: verifier off, the call goes on, and the wait lock is held
 * (by the ISR thread the DPC runs inside): a wait at DISPATCH, 0xB8. */
START_TEST(test_R52_dpc_acquire_held_passive_lock_is_0xB8)
{
	struct kp k;
	kp_init(&k, 1, build_sens);
	k.isr = KP_PROG(&k, isr_queue_only);
	k.dpc = KP_PROG(&k, dpc_acquire);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	ck_assert_uint_eq(st->sw.kmdf_verifier, 0);
	run_to_dpc_acquire(&k);
	kp_cpu(&k, 0); /* 7 */
	const struct dt_trace_event *v = kp_last(&k, DT_EV_VERIFIER);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(v->step, 7);
	ck_assert_int_eq(v->arg[0], DT_VF_PASSIVE_LOCK_AT_DISPATCH);
	ck_assert_int_eq(v->result, 1);
	ck_assert_uint_eq(v->rule, 52);
	ck_assert_int_eq(st->outcome.kind, DT_BUGCHECK);
	ck_assert_uint_eq(st->outcome.code, DT_BUGCODE_ATTEMPTED_SWITCH_FROM_DPC);
	ck_assert_uint_eq(st->outcome.reason, DT_BCR_WAIT_AT_DISPATCH);
	ck_assert_uint_eq(st->outcome.rule, 35);
	ck_assert_int_eq(st->outcome.cpu, 0);
	ck_assert_uint_eq(st->outcome.step, 7);
	ck_assert_int_eq(kp_last(&k, DT_EV_BUGCHECK)->arg[0], DT_BUGCODE_ATTEMPTED_SWITCH_FROM_DPC);
	ck_unwritten(&k, V_MARK);
	kp_done(&k);
}
END_TEST

/* R52 with R34: "Verifier on and a kernel debugger attached: a break; when
 * continued, the call returns without acting": no lock taken, no 0xB8. */
START_TEST(test_R52_debugger_continued_acquire_returns_without_acting)
{
	struct kp k;
	kp_init(&k, 1, build_sens);
	k.cfg.sw.kmdf_verifier = 1;
	k.cfg.sw.debugger_attached = 1;
	k.isr = KP_PROG(&k, isr_queue_only);
	k.dpc = KP_PROG(&k, dpc_acquire);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	run_to_dpc_acquire(&k);
	kp_cpu(&k, 0); /* 7 */
	const struct dt_trace_event *v = kp_last(&k, DT_EV_VERIFIER);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(v->step, 7);
	ck_assert_int_eq(v->arg[0], DT_VF_PASSIVE_LOCK_AT_DISPATCH);
	ck_assert_int_eq(v->result, 0);
	ck_assert_msg(st->outcome.kind == DT_RUNNING,
		      "outcome %u code %#x: the continued call acted", st->outcome.kind,
		      st->outcome.code);
	ck_assert_int_eq(st->locks[st->interrupts[0].lock].owner_thread, 0);
	ck_assert_uint_eq(st->cpus[0].frames[1].op.kind, DT_OP_WRITE_SHARED);
	kp_run(&k);
	ck_var(&k, V_MARK, 1);
	ck_no_bugcheck(&k);
	kp_done(&k);
}
END_TEST

/* R52 with R34 and the trace schema: a VERIFIER event whose finding ends in
 * the 0x1E bug check has a result other than 1 (proceeds) and 0 (returns
 * without acting). */
START_TEST(test_R52_verifier_event_result_marks_the_bugcheck)
{
	struct kp k;
	kp_init(&k, 1, build_sens);
	k.cfg.sw.kmdf_verifier = 1;
	k.isr = KP_PROG(&k, isr_queue_only);
	k.dpc = KP_PROG(&k, dpc_acquire);
	kp_start(&k);
	run_to_dpc_acquire(&k);
	kp_cpu(&k, 0); /* 7 */
	ck_assert_int_eq(kp_st(&k)->outcome.kind, DT_BUGCHECK);
	const struct dt_trace_event *v = kp_last(&k, DT_EV_VERIFIER);
	ck_assert_ptr_nonnull(v);
	ck_assert_msg(v->result != 0 && v->result != 1,
		      "VERIFIER result %lld for a finding that bug-checked", (long long)v->result);
	kp_done(&k);
}
END_TEST

/* ---- R53: WdfInterruptTryToAcquireLock ------------------------------------- */

/* R53: TryToAcquireLock on a passive interrupt from threads: TRUE when free
 * (the thread owns the wait lock), FALSE when held, never blocking. */
START_TEST(test_R53_try_acquire_passive_from_threads)
{
	struct kp k;
	kp_init(&k, 2, build_sens);
	struct dt_cinsn first[] = {
		CP_OP(0, DT_OP_INTR_TRY_ACQUIRE_LOCK, INTR(0), 0),
		CP_WRITE(V_A, 0),
		CP_STEP(1),
		CP_OP(1, DT_OP_INTR_RELEASE_LOCK, INTR(0), 0),
		CP_RETI(0),
	};
	struct dt_cinsn second[] = {
		CP_OP(0, DT_OP_INTR_TRY_ACQUIRE_LOCK, INTR(0), 0), /* 0 */
		CP_WRITE(V_B, 0),                                  /* 1 */
		CP_OP(1, DT_OP_INTR_TRY_ACQUIRE_LOCK, INTR(0), 0), /* 2 */
		CP_WRITE(V_C, 1),                                  /* 3 */
		CP_JZ(1, 6),                                       /* 4 */
		CP_OP(2, DT_OP_INTR_RELEASE_LOCK, INTR(0), 0),     /* 5 */
		CP_RETI(0),                                        /* 6 */
	};
	k.isr = KP_PROG(&k, routine_step);
	k.body[0] = KP_PROG(&k, first);
	k.body[1] = KP_PROG(&k, second);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	unsigned lock = st->interrupts[0].lock;
	kp_t(&k, "app0", 0); /* 1 */
	kp_cpu(&k, 0);       /* 2: TRUE */
	ck_assert_int_eq(st->locks[lock].owner_thread, 1);
	kp_t(&k, "app1", 1); /* 3 */
	kp_cpu(&k, 1);       /* 4: FALSE, at once */
	ck_assert_int_eq(st->locks[lock].owner_thread, 1);
	ck_assert_uint_eq(st->threads[2].state, DT_TS_RUNNING);
	ck_assert_int_eq(st->threads[2].cpu, 1);
	ck_assert_int_eq(dt_cpu_next_action(k.m, 1), DT_ACT_PERFORM_OP);
	ck_assert_uint_eq(st->cpus[1].frames[0].op.kind, DT_OP_WRITE_SHARED);
	ck_assert_uint_eq(kp_count(&k, DT_EV_THREAD_BLOCK), 0);
	kp_cpu(&k, 1); /* 5 */
	ck_var(&k, V_B, 0);
	kp_cpu(&k, 0); /* 6 */
	ck_var(&k, V_A, 1);
	kp_cpu(&k, 0); /* 7 */
	kp_cpu(&k, 0); /* 8: release */
	ck_assert_int_eq(st->locks[lock].owner_thread, -1);
	kp_cpu(&k, 1); /* 9: TRUE now */
	ck_assert_int_eq(st->locks[lock].owner_thread, 2);
	kp_cpu(&k, 1); /* 10 */
	ck_var(&k, V_C, 1);
	kp_run(&k);
	ck_assert_int_eq(st->locks[lock].owner_thread, -1);
	ck_assert_uint_eq(kp_count(&k, DT_EV_THREAD_BLOCK), 0);
	ck_assert_uint_eq(kp_count(&k, DT_EV_VERIFIER), 0);
	kp_done(&k);
}
END_TEST

/* R53: while the framework holds the wait lock around the passive ISR
 * (R51), TryToAcquireLock from another thread returns FALSE without blocking. */
START_TEST(test_R53_try_acquire_while_isr_runs_returns_false)
{
	struct kp k;
	kp_init(&k, 2, build_sens);
	static const struct dt_cinsn isr[] = {
		CP_STEP(1),
		CP_STEP(1),
		CP_RETI(1),
	};
	struct dt_cinsn app[] = {
		CP_OP(0, DT_OP_INTR_TRY_ACQUIRE_LOCK, INTR(0), 0), /* 0 */
		CP_WRITE(V_A, 0),                                  /* 1 */
		CP_JZ(0, 4),                                       /* 2 */
		CP_OP(1, DT_OP_INTR_RELEASE_LOCK, INTR(0), 0),     /* 3 */
		CP_RETI(0),                                        /* 4 */
	};
	k.isr = KP_PROG(&k, isr);
	k.body[0] = KP_PROG(&k, app);
	kp_start(&k);
	const struct dt_state *st = kp_st(&k);
	kp_fire(&k, 0, 0);        /* 1 */
	kp_cpu(&k, 0);            /* 2 */
	kp_cpu(&k, 0);            /* 3 */
	kp_t(&k, "sens.isr0", 0); /* 4 */
	kp_t(&k, "app0", 1);      /* 5 */
	kp_cpu(&k, 1);            /* 6: FALSE */
	ck_assert_int_eq(st->locks[st->interrupts[0].lock].owner_thread, 0);
	ck_assert_uint_eq(st->threads[1].state, DT_TS_RUNNING);
	ck_assert_uint_eq(kp_count(&k, DT_EV_THREAD_BLOCK), 0);
	kp_cpu(&k, 1); /* 7 */
	ck_var(&k, V_A, 0);
	kp_run(&k);
	ck_assert_uint_eq(kp_count(&k, DT_EV_VERIFIER), 0);
	kp_done(&k);
}
END_TEST

/* DIRQL device "nic" (isr) and thread "app" (body[0]) on one CPU. */
static int build_nic_app(struct kp *k, struct dt_machine *m)
{
	mk_dev(m, "nic", DT_LINE_EDGE, 5, 1);
	k->intr[0] = mk_intr(m, 0, k->isr, DT_NO_CALLBACK, DT_NO_CALLBACK, 0);
	k->thread[0] = mk_thread(m, "app", k->body[0], 1);
	return 0;
}

/* R53 with R34: TryToAcquireLock on a DIRQL interrupt is a verifier finding
 * and returns FALSE without taking the lock (verifier off: proceeds;
 * debugger: continued; no debugger: 0x1E). */
START_TEST(test_R53_try_acquire_dirql_is_verifier_finding)
{
	for (int mode = 0; mode < 3; mode++) {
		struct kp k;
		kp_init(&k, 1, build_nic_app);
		k.cfg.sw.kmdf_verifier = mode > 0;
		k.cfg.sw.debugger_attached = mode == 1;
		struct dt_cinsn app[] = {
			CP_OP(0, DT_OP_INTR_TRY_ACQUIRE_LOCK, INTR(0), 0),
			CP_WRITE(V_A, 0),
			CP_RETI(0),
		};
		k.isr = KP_PROG(&k, routine_step);
		k.body[0] = KP_PROG(&k, app);
		kp_start(&k);
		const struct dt_state *st = kp_st(&k);
		unsigned lock = st->interrupts[0].lock;
		kp_t(&k, "app", 0); /* 1 */
		kp_cpu(&k, 0);      /* 2 */
		const struct dt_trace_event *v = kp_last(&k, DT_EV_VERIFIER);
		ck_assert_ptr_nonnull(v);
		ck_assert_uint_eq(v->step, 2);
		ck_assert_int_eq(v->arg[0], DT_VF_TRY_ACQUIRE_WRONG);
		ck_assert_uint_eq(v->rule, 53);
		ck_assert_int_eq(st->locks[lock].owner_cpu, -1);
		ck_assert_uint_eq(st->locks[lock].acquisitions, 0);
		if (mode == 2) {
			ck_assert_int_eq(st->outcome.kind, DT_BUGCHECK);
			ck_assert_uint_eq(st->outcome.code, DT_BUGCODE_KMODE_EXCEPTION_NOT_HANDLED);
			ck_assert_uint_eq(st->outcome.p[0], 0x80000003u);
			ck_unwritten(&k, V_A);
		} else {
			ck_assert_int_eq(v->result, mode == 0 ? 1 : 0);
			ck_assert_uint_eq(st->threads[0].state, DT_TS_RUNNING);
			kp_run(&k);
			ck_var(&k, V_A, 0);
			ck_no_bugcheck(&k);
			ck_assert_int_eq(st->locks[lock].owner_cpu, -1);
		}
		kp_done(&k);
	}
}
END_TEST

Suite *rules_kdpc_passive_suite(void)
{
	Suite *s = suite_create("rules_kdpc_passive");
	TCase *tc = tcase_create("R19-R21");
	tcase_add_test(tc, test_R19_high_to_head_others_to_tail);
	tcase_add_test(tc, test_R19_medium_and_above_request_drain_on_current_cpu);
	tcase_add_test(tc, test_R19_targeted_dpc_goes_to_target_queue_and_runs_there);
	tcase_add_test(tc, test_R19_remote_target_drain_by_importance);
	tcase_add_test(tc, test_R19_low_waits_for_queue_depth_threshold);
	tcase_add_test(tc, test_R19_low_waits_for_clock_tick);
	tcase_add_test(tc, test_R20_remove_queued_true_it_never_runs_then_false);
	tcase_add_test(tc, test_R20_remove_does_not_wait_for_running_routine);
	tcase_add_test(tc, test_R20_flush_blocks_until_earlier_dpcs_ran);
	tcase_add_test(tc, test_R20_flush_with_nothing_queued_returns_at_once);
	tcase_add_test(tc, test_R21_passive_isr_dpc_runs_inside_queue_call);
	suite_add_tcase(s, tc);
	tc = tcase_create("R50-R53");
	tcase_add_test(tc, test_R50_passive_with_spinlock_is_invalid_parameter);
	tcase_add_test(tc, test_R50_waitlock_optional_framework_makes_one);
	tcase_add_test(tc, test_R50_msi_passive_is_invalid_parameter);
	tcase_add_test(tc, test_R51_trap_frame_at_dirql_for_one_step);
	tcase_add_test(tc, test_R51_isr_runs_in_thread_at_passive_later_on_chosen_cpu);
	tcase_add_test(tc, test_R51_isr_thread_may_run_on_any_cpu);
	tcase_add_test(tc, test_R51_dirql_isr_preempts_passive_isr_thread);
	tcase_add_test(tc, test_R51_passive_isrs_of_two_devices_delay_one_another);
	tcase_add_test(tc, test_R51_level_line_masked_until_isr_returns);
	tcase_add_test(tc, test_R51_wait_lock_held_around_isr_blocks_thread);
	tcase_add_test(tc, test_R52_queue_workitem_from_passive_isr);
	tcase_add_test(tc, test_R52_queue_dpc_from_passive_isr_runs_at_dispatch);
	tcase_add_test(tc, test_R52_dpc_acquire_passive_lock_verifier_bugcheck);
	tcase_add_test(tc, test_R52_dpc_acquire_held_passive_lock_is_0xB8);
	tcase_add_test(tc, test_R52_debugger_continued_acquire_returns_without_acting);
	tcase_add_test(tc, test_R52_verifier_event_result_marks_the_bugcheck);
	tcase_add_test(tc, test_R53_try_acquire_passive_from_threads);
	tcase_add_test(tc, test_R53_try_acquire_while_isr_runs_returns_false);
	tcase_add_test(tc, test_R53_try_acquire_dirql_is_verifier_finding);
	suite_add_tcase(s, tc);
	return s;
}
