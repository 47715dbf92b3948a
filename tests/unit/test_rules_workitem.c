/*
 * test_rules_workitem.c - interrupt work items, AutomaticSerialization,
 * WdfInterruptEnable/Disable and UMDF mode, rule by rule (semantics.md
 * R40-R44, R70, R80).
 *
 * Each test builds its own scenario through a C-program host
 * (dt_cprog.h): one device "dev" with one line and one named event
 * "dev", one interrupt object configured by the test, the watched values
 * below and, when a test asks, lesson threads, a WDFSPINLOCK and a KDPC.
 * A small wrapper around the host records every body the engine starts
 * (its dt_call), so a test can say which kind of callback ran, where, and
 * in which thread.  The tests drive the machine one step at a time, often
 * through printed schedules ("e(dev)@0 0*6 t(worker0)@1"), and assert
 * exact values: results the bodies saw, trace events with their step,
 * rule and cause, thread states, lock owners, frame stacks and outcomes.
 *
 * The tests follow semantics.md, engine-contract.md and the header
 * comments, not the engine: a failure here is a discrepancy to report.
 */
#include <stdio.h>
#include <string.h>

#include "dt_cprog.h"
#include "dt_sched.h"
#include "testutil.h"

/* Watched values, created in this order by every scenario. */
enum {
	V_R1 = 0, /* results a body saw (start at -1: "never written") */
	V_R2,
	V_R3,
	V_IRQL,
	V_CPU,
	V_ST,      /* an NTSTATUS a body got back */
	V_RAN,     /* counters and flags (start at 0) */
	V_PENDING,
	V_DONE,
	V_INPROG,
	V_RERUN,
	V_TOTAL,
	V_COUNT
};

static const char *const var_names[V_COUNT] = {
	"r1", "r2", "r3", "irql", "cpu", "st", "ran", "pending", "done", "inprog", "rerun", "total",
};

/* Handles the scenario's objects get, known before the machine exists
 * because they derive from creation order alone (engine-contract 7). */
#define H_INTR dt_handle_of(DT_HANDLE_INTERRUPT, 0)
#define H_SPIN dt_handle_of(DT_HANDLE_SPINLOCK, 0) /* created first: lock 0 */
#define H_KDPC dt_handle_of(DT_HANDLE_KDPC, 0)     /* created first: dpc 0 */

#define W_MAX_PROGS 16
#define W_MAX_THREADS 4
#define W_MAX_CALLS 64

struct w_thread {
	const char *name;
	uint32_t prog;
};

/* A scenario: the host first, so the host's ctx is the whole struct. */
struct wsc {
	struct dt_chost host;
	struct dt_cprog progs[W_MAX_PROGS];
	unsigned nprogs;
	struct dt_config cfg;
	struct dt_machine *m;
	/* what to build */
	unsigned line_kind, dirql;
	struct dt_interrupt_config icfg;
	int no_interrupt; /* build the device only */
	int sync_set, sync_passive, sync_scope;
	int want_spinlock, want_kdpc;
	struct w_thread threads[W_MAX_THREADS];
	unsigned nthreads;
	/* what the build got */
	uint32_t status;
	uint64_t intr;
	/* bodies the engine started, in order */
	struct dt_call calls[W_MAX_CALLS];
	unsigned ncalls;
};

/* ---- the host wrapper: record every body start --------------------------- */

static struct dt_host_ops rec_ops;

static void *rec_body_create(void *ctx, const struct dt_call *call)
{
	struct wsc *w = ctx;
	if (w->ncalls < W_MAX_CALLS)
		w->calls[w->ncalls++] = *call;
	return dt_chost_ops()->body_create(ctx, call);
}

static const struct dt_host_ops *rec_host_ops(void)
{
	rec_ops = *dt_chost_ops();
	rec_ops.body_create = rec_body_create;
	return &rec_ops;
}

/* ---- building ---------------------------------------------------------- */

static int w_build(struct dt_chost *h, struct dt_machine *m)
{
	struct wsc *w = (struct wsc *)h;
	unsigned dev, line;
	for (unsigned v = 0; v < V_COUNT; v++)
		if (dt_var_create(m, var_names[v], dt_int(v < V_RAN ? -1 : 0), NULL))
			return -1;
	if (w->want_spinlock) {
		uint64_t sl;
		if (dt_spinlock_create(m, &sl) || sl != H_SPIN)
			return -1;
	}
	if (w->want_kdpc) {
		uint64_t kd;
		if (dt_kdpc_create(m, 0, &kd) || kd != H_KDPC)
			return -1;
	}
	uint64_t all = (1ull << w->cfg.ncpus) - 1;
	if (dt_device_create(m, "dev", &dev) ||
	    dt_device_add_line(m, dev, w->line_kind, w->dirql, all, &line) ||
	    dt_event_create(m, "dev", dev, line, 1, NULL))
		return -1;
	if (w->sync_set && dt_device_set_sync(m, dev, w->sync_passive, w->sync_scope))
		return -1;
	if (!w->no_interrupt && dt_interrupt_create(m, dev, &w->icfg, &w->status, &w->intr))
		return -1;
	for (unsigned i = 0; i < w->nthreads; i++)
		if (dt_thread_create(m, w->threads[i].name, w->threads[i].prog, 0, NULL))
			return -1;
	return 0;
}

/* A scenario for `ncpus` CPUs: an edge line at DIRQL 5, no callbacks yet. */
static void w_init(struct wsc *w, unsigned ncpus)
{
	memset(w, 0, sizeof(*w));
	dt_config_default(&w->cfg, ncpus);
	w->host.progs = w->progs;
	w->host.build = w_build;
	w->line_kind = DT_LINE_EDGE;
	w->dirql = 5;
	dt_interrupt_config_init(&w->icfg, DT_NO_CALLBACK, DT_NO_CALLBACK);
	w->status = 0xFFFFFFFFu;
}

static uint32_t w_prog(struct wsc *w, const struct dt_cinsn *code, unsigned len)
{
	ck_assert_uint_lt(w->nprogs, W_MAX_PROGS);
	w->progs[w->nprogs] = (struct dt_cprog){ code, len };
	w->host.nprogs = ++w->nprogs;
	return w->nprogs - 1;
}
#define W_PROG(w, arr) w_prog((w), (arr), sizeof(arr) / sizeof((arr)[0]))

static void w_thread(struct wsc *w, const char *name, uint32_t prog)
{
	ck_assert_uint_lt(w->nthreads, W_MAX_THREADS);
	w->threads[w->nthreads++] = (struct w_thread){ name, prog };
}

/* Create the machine; the interrupt (if any) must have been created. */
static void w_start(struct wsc *w)
{
	ck_assert_int_eq(dt_machine_create(&w->cfg, rec_host_ops(), &w->host, &w->m), DT_OK);
	ck_assert_int_eq(dt_machine_state(w->m)->outcome.kind, DT_RUNNING);
	if (!w->no_interrupt) {
		ck_assert_uint_eq(w->status, DT_STATUS_SUCCESS);
		ck_assert_uint_eq(w->intr, H_INTR);
	}
}

static void w_done(struct wsc *w)
{
	dt_machine_destroy(w->m);
	w->m = NULL;
	ck_assert_uint_eq(w->host.live_bodies, 0);
}

/* ---- driving ------------------------------------------------------------- */

static const struct dt_state *w_st(struct wsc *w)
{
	return dt_machine_state(w->m);
}

static const struct dt_interrupt *w_in(struct wsc *w)
{
	return &w_st(w)->interrupts[0];
}

static int64_t w_val(struct wsc *w, unsigned v)
{
	return w_st(w)->vars[v].value.u.i;
}

static void w_cpu(struct wsc *w, unsigned cpu)
{
	struct dt_choice c = { .kind = DT_CHOICE_CPU, .cpu = (uint16_t)cpu };
	ck_assert_msg(dt_machine_step(w->m, &c) == DT_OK, "CPU %u could not step at step %u", cpu,
		      w_st(w)->step + 1);
}

/* Dispatch thread `t` (an index) onto `cpu`. */
static void w_dispatch(struct wsc *w, unsigned t, unsigned cpu)
{
	struct dt_choice c = { .kind = DT_CHOICE_THREAD,
			       .cpu = (uint16_t)cpu,
			       .object = (uint16_t)t };
	ck_assert_msg(dt_machine_step(w->m, &c) == DT_OK, "thread %u not dispatchable on CPU %u", t,
		      cpu);
}

static int w_thread_enabled(struct wsc *w, unsigned t, unsigned cpu)
{
	struct dt_choice c = { .kind = DT_CHOICE_THREAD,
			       .cpu = (uint16_t)cpu,
			       .object = (uint16_t)t };
	return dt_machine_choice_enabled(w->m, &c);
}

/* Replay printed schedule items, e.g. "e(dev)@0 0*5 t(worker0)@1". */
static void w_sched(struct wsc *w, const char *items)
{
	char text[512];
	struct dt_schedule s;
	struct dt_schedule_error err;
	snprintf(text, sizeof(text), "v1 cpus=%u: %s", w->cfg.ncpus, items);
	memset(&err, 0, sizeof(err));
	ck_assert_msg(dt_schedule_parse(text, &s, &err) == 0, "parse '%s': col %u: %s", text,
		      err.column, err.reason);
	int rc = dt_machine_replay(w->m, &s, &err);
	dt_schedule_free(&s);
	ck_assert_msg(rc == DT_OK, "replay '%s': col %u: %s", items, err.column, err.reason);
}

/* Index of the thread called `name`. */
static unsigned w_tid(struct wsc *w, const char *name)
{
	const struct dt_state *s = w_st(w);
	for (unsigned i = 0; i < s->nthreads; i++)
		if (strcmp(dt_machine_string(w->m, s->threads[i].name), name) == 0)
			return i;
	ck_abort_msg("no thread named %s", name);
	return 0;
}

static const struct dt_thread *w_thr(struct wsc *w, const char *name)
{
	return &w_st(w)->threads[w_tid(w, name)];
}

/* Step `cpu` until its top frame is stopped before the instruction at
 * 0-based index `pc` (dt_cprog reports op positions as pc + 1). */
static void w_cpu_until_pc(struct wsc *w, unsigned cpu, unsigned pc)
{
	for (int i = 0; i < 1000; i++) {
		const struct dt_cpu *c = &w_st(w)->cpus[cpu];
		const struct dt_frame *f = c->nframes ? &c->frames[c->nframes - 1] : NULL;
		if (f && f->state == DT_FS_AT_OP && f->op.pos.line == pc + 1)
			return;
		w_cpu(w, cpu);
	}
	ck_abort_msg("CPU %u never reached instruction %u", cpu, pc);
}

/* Step `cpu` while it can step. */
static void w_cpu_drain(struct wsc *w, unsigned cpu)
{
	for (int i = 0; i < 1000 && dt_cpu_can_step(w->m, cpu); i++)
		w_cpu(w, cpu);
	ck_assert_int_eq(dt_cpu_can_step(w->m, cpu), 0);
}

static void w_run(struct wsc *w)
{
	struct dt_sched s;
	dt_sched_round_robin(&s);
	dt_sched_run(&s, w->m, 100000);
}

/* ---- trace ------------------------------------------------------------- */

static unsigned w_count(struct wsc *w, unsigned kind)
{
	const struct dt_trace_event *t = dt_machine_trace(w->m);
	unsigned n = 0;
	for (size_t i = 0; i < dt_machine_trace_count(w->m); i++)
		n += t[i].kind == kind;
	return n;
}

/* The nth (0-based) event of `kind`; fails the test if there is none. */
static const struct dt_trace_event *w_nth(struct wsc *w, unsigned kind, unsigned nth)
{
	const struct dt_trace_event *t = dt_machine_trace(w->m);
	unsigned seen = 0;
	for (size_t i = 0; i < dt_machine_trace_count(w->m); i++)
		if (t[i].kind == kind && seen++ == nth)
			return &t[i];
	ck_abort_msg("no event %s number %u", dt_event_kind_name(kind), nth);
	return NULL;
}

static const struct dt_trace_event *w_last(struct wsc *w, unsigned kind)
{
	unsigned n = w_count(w, kind);
	ck_assert_msg(n > 0, "no event %s", dt_event_kind_name(kind));
	return w_nth(w, kind, n - 1);
}

/* The nth recorded body start of call kind `kind`. */
static const struct dt_call *w_call(struct wsc *w, unsigned kind, unsigned nth)
{
	unsigned seen = 0;
	for (unsigned i = 0; i < w->ncalls; i++)
		if (w->calls[i].kind == kind && seen++ == nth)
			return &w->calls[i];
	ck_abort_msg("no body of call kind %u number %u", kind, nth);
	return NULL;
}

static unsigned w_ncalls(struct wsc *w, unsigned kind)
{
	unsigned n = 0;
	for (unsigned i = 0; i < w->ncalls; i++)
		n += w->calls[i].kind == kind;
	return n;
}

static const struct dt_frame *w_top(struct wsc *w, unsigned cpu)
{
	const struct dt_cpu *c = &w_st(w)->cpus[cpu];
	ck_assert_uint_gt(c->nframes, 0);
	return &c->frames[c->nframes - 1];
}

static void w_settle_quiescent(struct wsc *w)
{
	ck_assert_int_eq(dt_machine_settle(w->m, 0), DT_OK);
	ck_assert_int_eq(w_st(w)->outcome.kind, DT_QUIESCENT);
}

/* ---- bodies ------------------------------------------------------------ */

/* An ISR that acknowledges and returns TRUE. */
static const struct dt_cinsn isr_ack[] = {
	CP_WRREGI(0, DT_REG_INTSTATUS, 1),
	CP_RETI(1),
};
/* ISR: r1 = QueueWorkItemForIsr(); r2 = QueueWorkItemForIsr(); TRUE. */
static const struct dt_cinsn isr_wi_twice[] = {
	CP_WRREGI(0, DT_REG_INTSTATUS, 1),
	CP_OP(0, DT_OP_QUEUE_WORKITEM_FOR_ISR, 0, 0),
	CP_WRITE(V_R1, 0),
	CP_OP(0, DT_OP_QUEUE_WORKITEM_FOR_ISR, 0, 0),
	CP_WRITE(V_R2, 0),
	CP_RETI(1),
};
/* ISR: r1 = QueueWorkItemForIsr(); TRUE. */
static const struct dt_cinsn isr_wi[] = {
	CP_WRREGI(0, DT_REG_INTSTATUS, 1),
	CP_OP(0, DT_OP_QUEUE_WORKITEM_FOR_ISR, 0, 0),
	CP_WRITE(V_R1, 0),
	CP_RETI(1),
};
/* ISR: r1 = QueueDpcForIsr(); TRUE. */
static const struct dt_cinsn isr_dpc[] = {
	CP_WRREGI(0, DT_REG_INTSTATUS, 1),
	CP_QUEUE_DPC(0),
	CP_WRITE(V_R1, 0),
	CP_RETI(1),
};
/* Work item: irql = KeGetCurrentIrql(); cpu = KeGetCurrentProcessorNumber(). */
static const struct dt_cinsn wi_where[] = {
	CP_IRQL(0),
	CP_WRITE(V_IRQL, 0),
	CP_CPU(0),
	CP_WRITE(V_CPU, 0),
	CP_RETI(0),
};
/* A callback that takes two steps. */
static const struct dt_cinsn two_steps[] = {
	CP_STEP(1),
	CP_STEP(1),
	CP_RETI(0),
};
/* A callback that takes one step, then marks ran = 1. */
static const struct dt_cinsn step_mark[] = {
	CP_STEP(1),
	CP_WRITEI(V_RAN, 1),
	CP_RETI(0),
};
static const struct dt_cinsn ret0[] = {
	CP_RETI(0),
};

/* ======================================================================= */
/* R40                                                                     */

/* R40: WdfInterruptCreate refuses four configurations with 0xC000000D and creates nothing. */
START_TEST(test_R40_create_refuses_invalid_configs)
{
	struct wsc w;
	w_init(&w, 2);
	uint32_t isr = W_PROG(&w, isr_ack), dpc = W_PROG(&w, ret0), wi = W_PROG(&w, two_steps);
	w.no_interrupt = 1;
	w_start(&w);
	uint64_t sl = 0, wl = 0;
	ck_assert_int_eq(dt_spinlock_create(w.m, &sl), DT_OK);
	ck_assert_int_eq(dt_waitlock_create(w.m, &wl), DT_OK);

	struct dt_interrupt_config cfg[4];
	dt_interrupt_config_init(&cfg[0], isr, dpc); /* both DPC and work item */
	cfg[0].work_item = wi;
	dt_interrupt_config_init(&cfg[1], DT_NO_CALLBACK, dpc); /* no ISR */
	dt_interrupt_config_init(&cfg[2], isr, dpc); /* passive with a SpinLock */
	cfg[2].passive_handling = 1;
	cfg[2].spin_lock = sl;
	dt_interrupt_config_init(&cfg[3], isr, dpc); /* DIRQL with a WaitLock */
	cfg[3].wait_lock = wl;

	const struct dt_state *s = w_st(&w);
	unsigned nlocks = s->nlocks, ndpcs = s->ndpcs, nthreads = s->nthreads;
	for (unsigned i = 0; i < 4; i++) {
		uint32_t status = 0x12345678u;
		uint64_t handle = 0xDEADBEEFull;
		ck_assert_int_eq(dt_interrupt_create(w.m, 0, &cfg[i], &status, &handle), DT_OK);
		ck_assert_msg(status == DT_STATUS_INVALID_PARAMETER, "config %u: status %08x", i,
			      status);
		ck_assert_msg(handle == 0, "config %u: handle %llx", i, (unsigned long long)handle);
		ck_assert_uint_eq(s->ninterrupts, 0);
		ck_assert_uint_eq(s->devices[0].ninterrupts, 0);
		ck_assert_uint_eq(s->devices[0].lines[0].interrupt, DT_NONE);
		ck_assert_uint_eq(s->nlocks, nlocks);
		ck_assert_uint_eq(s->ndpcs, ndpcs);
		ck_assert_uint_eq(s->nthreads, nthreads);
	}
	/* Nothing was used up: a valid configuration becomes interrupt 0,
	 * MessageID 0, on the same line. */
	struct dt_interrupt_config ok;
	uint32_t status = 1;
	uint64_t handle = 0;
	dt_interrupt_config_init(&ok, isr, dpc);
	ck_assert_int_eq(dt_interrupt_create(w.m, 0, &ok, &status, &handle), DT_OK);
	ck_assert_uint_eq(status, DT_STATUS_SUCCESS);
	ck_assert_uint_eq(handle, dt_handle_of(DT_HANDLE_INTERRUPT, 0));
	ck_assert_uint_eq(s->ninterrupts, 1);
	ck_assert_uint_eq(s->interrupts[0].message_id, 0);
	w_done(&w);
}
END_TEST

/* ======================================================================= */
/* R41                                                                     */

/* R41: DIRQL ISR: internal DPC (TRUE, FALSE), which queues the work item; PASSIVE in worker0. */
START_TEST(test_R41_dirql_isr_queues_through_internal_dpc)
{
	for (unsigned k = 0; k < 2; k++) {
		struct wsc w;
		w_init(&w, 2);
		w.icfg.isr = W_PROG(&w, isr_wi_twice);
		w.icfg.work_item = W_PROG(&w, wi_where);
		w_start(&w);
		const struct dt_interrupt *in = w_in(&w);
		unsigned d = in->dpc, w0 = w_tid(&w, "worker0");
		ck_assert_int_eq(w_st(&w)->threads[w0].kind, DT_THREAD_WORKER);
		ck_assert_int_eq(w_st(&w)->threads[w0].state, DT_TS_IDLE);

		w_sched(&w, "e(dev)@0 0*3"); /* steps 1-4: event, ISR entry, ack, first call */
		const struct dt_trace_event *e = w_last(&w, DT_EV_QUEUE_DPC);
		ck_assert_uint_eq(e->step, 4);
		ck_assert_int_eq(e->cpu, 0);
		ck_assert_uint_eq(e->obj_kind, DT_OBJ_DPC);
		ck_assert_uint_eq(e->object, d);
		ck_assert_int_eq(e->arg[0], 0);
		ck_assert_int_eq(e->arg[1], 0);
		ck_assert_int_eq(e->result, 1);
		ck_assert_uint_eq(e->rule, 41);
		ck_assert_uint_eq(w_st(&w)->dpcs[d].inserted, 1);
		ck_assert_int_eq(w_st(&w)->dpcs[d].queue_cpu, 0);
		ck_assert_uint_eq(w_st(&w)->cpus[0].qlen, 1);
		ck_assert_uint_eq(w_st(&w)->cpus[0].queue[0], d);
		/* Only the DPC is queued so far, not the work item. */
		ck_assert_uint_eq(in->wi_queued, 0);
		ck_assert_uint_eq(w_count(&w, DT_EV_WORKITEM_QUEUE), 0);

		w_sched(&w, "0*3"); /* 5: r1 = TRUE, 6: second call, 7: r2 = FALSE */
		e = w_last(&w, DT_EV_QUEUE_DPC);
		ck_assert_uint_eq(e->step, 6);
		ck_assert_int_eq(e->result, 0);
		ck_assert_uint_eq(e->rule, 41);
		ck_assert_int_eq(w_val(&w, V_R1), 1);
		ck_assert_int_eq(w_val(&w, V_R2), 0);
		ck_assert_uint_eq(in->wi_true, 1);
		ck_assert_uint_eq(in->wi_false, 1);
		ck_assert_uint_eq(w_st(&w)->dpcs[d].inserts, 1);

		w_sched(&w, "0"); /* 8: the ISR returns */
		ck_assert_uint_eq(w_last(&w, DT_EV_ISR_RETURN)->step, 8);
		ck_assert_int_eq(dt_cpu_next_action(w.m, 0), DT_ACT_DEQUEUE_DPC);

		w_sched(&w, "0"); /* 9: the DPC is dequeued and queues the work item */
		ck_assert_uint_eq(w_last(&w, DT_EV_DPC_DEQUEUE)->step, 9);
		e = w_last(&w, DT_EV_WORKITEM_QUEUE);
		ck_assert_uint_eq(e->step, 9);
		ck_assert_int_eq(e->cpu, 0);
		ck_assert_uint_eq(e->obj_kind, DT_OBJ_INTERRUPT);
		ck_assert_uint_eq(e->object, 0);
		ck_assert_int_eq(e->result, 1);
		ck_assert_uint_eq(e->rule, 41);
		ck_assert_uint_eq(e->frame, DT_FRAME_DPC);
		ck_assert_uint_eq(in->wi_queued, 1);
		ck_assert_uint_eq(in->wi_queued_step, 9);
		ck_assert_int_eq(w_st(&w)->threads[w0].state, DT_TS_READY);
		ck_assert_uint_eq(w_st(&w)->dpcs[d].inserted, 0);

		w_sched(&w, "0"); /* 10: the DPC returns, the drain ends */
		ck_assert_uint_eq(w_last(&w, DT_EV_DRAIN_END)->step, 10);
		ck_assert_uint_eq(w_st(&w)->cpus[0].irql, DT_PASSIVE_LEVEL);
		ck_assert_uint_eq(w_ncalls(&w, DT_CALL_WORKITEM), 0);

		/* 11: t(worker0)@k starts the callback: "queued" clears in this
		 * step, before the callback's first operation. */
		w_sched(&w, k ? "t(worker0)@1" : "t(worker0)@0");
		e = w_last(&w, DT_EV_WORKITEM_START);
		ck_assert_uint_eq(e->step, 11);
		ck_assert_int_eq(e->cpu, (int)k);
		ck_assert_uint_eq(e->object, 0);
		ck_assert_int_eq(e->arg[0], w0);
		ck_assert_uint_eq(e->rule, 41);
		ck_assert_uint_eq(e->cause_step, 9);
		ck_assert_uint_eq(in->wi_queued, 0);
		ck_assert_uint_eq(in->wi_running, 1);
		ck_assert_uint_eq(in->wi_runs, 1);
		ck_assert_int_eq(w_st(&w)->threads[w0].state, DT_TS_RUNNING);
		ck_assert_int_eq(w_st(&w)->threads[w0].cpu, (int)k);
		const struct dt_frame *f = w_top(&w, k);
		ck_assert_uint_eq(w_st(&w)->cpus[k].nframes, 1);
		ck_assert_uint_eq(f->kind, DT_FRAME_THREAD);
		ck_assert_uint_eq(f->object, w0);
		ck_assert_uint_eq(f->state, DT_FS_AT_OP);
		ck_assert_uint_eq(f->op.kind, DT_OP_GET_IRQL);
		ck_assert_uint_eq(w_count(&w, DT_EV_GET_IRQL), 0);
		const struct dt_call *c = w_call(&w, DT_CALL_WORKITEM, 0);
		ck_assert_uint_eq(c->callback, w.icfg.work_item);
		ck_assert_uint_eq(c->cpu, k);
		ck_assert_uint_eq(c->thread, w0);
		ck_assert_uint_eq(c->interrupt, H_INTR);
		ck_assert_uint_eq(c->device, dt_handle_of(DT_HANDLE_DEVICE, 0));

		w_cpu_drain(&w, k); /* 12-16: the callback runs and returns */
		ck_assert_int_eq(w_val(&w, V_IRQL), DT_PASSIVE_LEVEL);
		ck_assert_int_eq(w_val(&w, V_CPU), (int)k);
		ck_assert_uint_eq(w_last(&w, DT_EV_WORKITEM_END)->step, 16);
		ck_assert_uint_eq(in->wi_running, 0);
		ck_assert_int_eq(w_st(&w)->threads[w0].state, DT_TS_IDLE);
		w_settle_quiescent(&w);
		w_done(&w);
	}
}
END_TEST

/* R41: at PASSIVE it queues directly: TRUE, FALSE while queued and not started, then TRUE. */
START_TEST(test_R41_passive_caller_queues_directly)
{
	struct wsc w;
	w_init(&w, 2);
	const struct dt_cinsn drv[] = {
		CP_OP(0, DT_OP_QUEUE_WORKITEM_FOR_ISR, H_INTR, 0),
		CP_WRITE(V_R1, 0),
		CP_OP(0, DT_OP_QUEUE_WORKITEM_FOR_ISR, H_INTR, 0),
		CP_WRITE(V_R2, 0),
		CP_OP(0, DT_OP_QUEUE_WORKITEM_FOR_ISR, H_INTR, 0),
		CP_WRITE(V_R3, 0),
		CP_RETI(0),
	};
	w.icfg.isr = W_PROG(&w, isr_ack);
	w.icfg.work_item = W_PROG(&w, wi_where);
	w_thread(&w, "drv", W_PROG(&w, drv));
	w_start(&w);
	const struct dt_interrupt *in = w_in(&w);
	unsigned w0 = w_tid(&w, "worker0"), w1 = w_tid(&w, "worker1");

	w_sched(&w, "t(drv)@0 0"); /* 1: dispatch, 2: first call */
	const struct dt_trace_event *e = w_last(&w, DT_EV_WORKITEM_QUEUE);
	ck_assert_uint_eq(e->step, 2);
	ck_assert_int_eq(e->cpu, 0);
	ck_assert_uint_eq(e->irql_before, DT_PASSIVE_LEVEL);
	ck_assert_uint_eq(e->frame, DT_FRAME_THREAD);
	ck_assert_int_eq(e->result, 1);
	ck_assert_uint_eq(e->rule, 41);
	ck_assert_uint_eq(in->wi_queued, 1);
	ck_assert_int_eq(w_st(&w)->threads[w0].state, DT_TS_READY);
	/* Directly: no DPC is involved. */
	ck_assert_uint_eq(w_count(&w, DT_EV_QUEUE_DPC), 0);
	ck_assert_uint_eq(w_st(&w)->dpcs[in->dpc].inserts, 0);

	w_sched(&w, "0*3"); /* 3: r1, 4: second call, 5: r2 */
	e = w_last(&w, DT_EV_WORKITEM_QUEUE);
	ck_assert_uint_eq(e->step, 4);
	ck_assert_int_eq(e->result, 0);
	ck_assert_uint_eq(e->cause_step, 2);
	ck_assert_int_eq(w_val(&w, V_R1), 1);
	ck_assert_int_eq(w_val(&w, V_R2), 0);
	ck_assert_uint_eq(in->wi_queued, 1);
	ck_assert_uint_eq(in->wi_runs, 0);

	w_sched(&w, "t(worker0)@1"); /* 6: the callback starts; "queued" clears */
	ck_assert_uint_eq(w_last(&w, DT_EV_WORKITEM_START)->step, 6);
	ck_assert_uint_eq(in->wi_queued, 0);
	ck_assert_uint_eq(w_top(&w, 1)->op.kind, DT_OP_GET_IRQL);

	w_sched(&w, "0*2"); /* 7: third call TRUE, 8: r3 */
	e = w_last(&w, DT_EV_WORKITEM_QUEUE);
	ck_assert_uint_eq(e->step, 7);
	ck_assert_int_eq(e->result, 1);
	ck_assert_int_eq(w_val(&w, V_R3), 1);
	ck_assert_uint_eq(in->wi_true, 2);
	ck_assert_uint_eq(in->wi_false, 1);
	ck_assert_int_eq(w_st(&w)->threads[w1].state, DT_TS_READY);

	w_run(&w);
	ck_assert_int_eq(w_st(&w)->outcome.kind, DT_QUIESCENT);
	ck_assert_uint_eq(in->wi_runs, 2);
	ck_assert_int_eq(w_val(&w, V_IRQL), DT_PASSIVE_LEVEL);
	w_done(&w);
}
END_TEST

/* R41: at DISPATCH (a thread holding a spin lock) it queues directly: TRUE, then FALSE. */
START_TEST(test_R41_dispatch_caller_queues_directly)
{
	struct wsc w;
	w_init(&w, 2);
	const struct dt_cinsn drv[] = {
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, H_SPIN, 0),
		CP_IRQL(0),
		CP_WRITE(V_IRQL, 0),
		CP_OP(0, DT_OP_QUEUE_WORKITEM_FOR_ISR, H_INTR, 0),
		CP_WRITE(V_R1, 0),
		CP_OP(0, DT_OP_QUEUE_WORKITEM_FOR_ISR, H_INTR, 0),
		CP_WRITE(V_R2, 0),
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, H_SPIN, 0),
		CP_RETI(0),
	};
	w.want_spinlock = 1;
	w.icfg.isr = W_PROG(&w, isr_ack);
	w.icfg.work_item = W_PROG(&w, two_steps);
	w_thread(&w, "drv", W_PROG(&w, drv));
	w_start(&w);
	const struct dt_interrupt *in = w_in(&w);

	w_sched(&w, "t(drv)@0 0*8"); /* 1-9: up to the release */
	ck_assert_int_eq(w_val(&w, V_IRQL), DT_DISPATCH_LEVEL);
	ck_assert_uint_eq(w_count(&w, DT_EV_WORKITEM_QUEUE), 2);
	const struct dt_trace_event *e = w_nth(&w, DT_EV_WORKITEM_QUEUE, 0);
	ck_assert_uint_eq(e->step, 5);
	ck_assert_uint_eq(e->irql_before, DT_DISPATCH_LEVEL);
	ck_assert_int_eq(e->result, 1);
	ck_assert_uint_eq(e->rule, 41);
	e = w_nth(&w, DT_EV_WORKITEM_QUEUE, 1);
	ck_assert_uint_eq(e->step, 7);
	ck_assert_int_eq(e->result, 0);
	ck_assert_uint_eq(e->cause_step, 5);
	ck_assert_int_eq(w_val(&w, V_R1), 1);
	ck_assert_int_eq(w_val(&w, V_R2), 0);
	ck_assert_uint_eq(w_count(&w, DT_EV_QUEUE_DPC), 0);
	ck_assert_uint_eq(w_st(&w)->dpcs[in->dpc].inserts, 0);
	ck_assert_uint_eq(in->wi_queued, 1);

	w_run(&w);
	ck_assert_int_eq(w_st(&w)->outcome.kind, DT_QUIESCENT);
	ck_assert_uint_eq(in->wi_runs, 1);
	w_done(&w);
}
END_TEST

/* R41: the internal DPC's own queuing result (FALSE) is discarded; the work item runs once. */
START_TEST(test_R41_internal_dpc_result_is_discarded)
{
	struct wsc w;
	w_init(&w, 2);
	w.icfg.isr = W_PROG(&w, isr_wi);
	w.icfg.work_item = W_PROG(&w, two_steps);
	w_start(&w);
	const struct dt_interrupt *in = w_in(&w);
	/* 1-8: event, ISR (ack, call, r1, return), dequeue, DPC return. */
	w_sched(&w, "e(dev)@0 0*7");
	ck_assert_uint_eq(w_nth(&w, DT_EV_WORKITEM_QUEUE, 0)->step, 7);
	ck_assert_uint_eq(in->wi_queued, 1);
	/* 9-16: the same again while the work item is queued, not started. */
	w_sched(&w, "e(dev)@0 0*7");
	const struct dt_trace_event *q = w_last(&w, DT_EV_QUEUE_DPC);
	ck_assert_uint_eq(q->step, 12);
	ck_assert_int_eq(q->result, 1);
	ck_assert_int_eq(w_val(&w, V_R1), 1);
	const struct dt_trace_event *e = w_nth(&w, DT_EV_WORKITEM_QUEUE, 1);
	ck_assert_uint_eq(e->step, 15);
	ck_assert_int_eq(e->result, 0);
	ck_assert_uint_eq(e->cause_step, 7);
	ck_assert_uint_eq(in->wi_true, 2);
	ck_assert_uint_eq(in->wi_false, 0);
	w_sched(&w, "t(worker0)@1");
	w_cpu_drain(&w, 1);
	w_settle_quiescent(&w);
	ck_assert_uint_eq(in->wi_runs, 1);
	ck_assert_uint_eq(w_thr(&w, "worker1")->runs, 0);
	w_done(&w);
}
END_TEST

/* R41 (dt_trace.h QUEUE_DPC): a FALSE from the internal DPC names the inserting step. */
START_TEST(test_R41_false_from_isr_names_the_inserting_step)
{
	struct wsc w;
	w_init(&w, 1);
	w.icfg.isr = W_PROG(&w, isr_wi_twice);
	w.icfg.work_item = W_PROG(&w, two_steps);
	w_start(&w);
	w_sched(&w, "e(dev)@0 0*5"); /* 4: TRUE, 6: FALSE */
	const struct dt_trace_event *e = w_nth(&w, DT_EV_QUEUE_DPC, 1);
	ck_assert_uint_eq(e->step, 6);
	ck_assert_int_eq(e->result, 0);
	ck_assert_uint_eq(e->cause_step, 4);
	ck_assert_int_eq(e->cause_cpu, 0);
	w_done(&w);
}
END_TEST

/* ======================================================================= */
/* R42                                                                     */

/* R42: the 2nd DPC instance spins at DISPATCH on the callback lock; the ISR still runs. */
START_TEST(test_R42_second_dpc_spins_on_callback_lock_isr_not_serialized)
{
	struct wsc w;
	w_init(&w, 2);
	w.icfg.isr = W_PROG(&w, isr_dpc);
	w.icfg.dpc = W_PROG(&w, two_steps);
	w.icfg.automatic_serialization = 1;
	w.sync_set = 1;
	w.sync_passive = 0;
	w.sync_scope = 1;
	w_start(&w);
	const struct dt_state *s = w_st(&w);
	const struct dt_interrupt *in = w_in(&w);
	unsigned cl = in->callback_lock, d = in->dpc;
	ck_assert_uint_ne(cl, DT_NONE);
	ck_assert_uint_eq(s->devices[0].callback_lock, cl);
	ck_assert_uint_eq(s->locks[cl].kind, DT_LOCK_CALLBACK_SPIN);
	ck_assert_uint_ne(cl, in->lock);

	/* 1-7: the first instance on CPU0 holds the callback lock. */
	w_sched(&w, "e(dev)@0 0*6");
	ck_assert_int_eq(s->locks[cl].owner_cpu, 0);
	ck_assert_uint_eq(w_top(&w, 0)->kind, DT_FRAME_DPC);
	ck_assert_uint_eq(w_top(&w, 0)->state, DT_FS_AT_OP);
	ck_assert_uint_eq(w_top(&w, 0)->op.kind, DT_OP_STEP);

	/* 8-14: the second instance, queued on CPU1 (TRUE), spins for it. */
	w_sched(&w, "e(dev)@1 1*6");
	ck_assert_int_eq(w_val(&w, V_R1), 1);
	const struct dt_trace_event *e = w_last(&w, DT_EV_LOCK_SPIN);
	ck_assert_uint_eq(e->step, 14);
	ck_assert_int_eq(e->cpu, 1);
	ck_assert_uint_eq(e->obj_kind, DT_OBJ_LOCK);
	ck_assert_uint_eq(e->object, cl);
	ck_assert_uint_eq(e->rule, 42);
	ck_assert_int_eq(e->cause_cpu, 0);
	const struct dt_frame *f1 = w_top(&w, 1);
	ck_assert_uint_eq(s->cpus[1].nframes, 1);
	ck_assert_uint_eq(f1->kind, DT_FRAME_DPC);
	ck_assert_uint_eq(f1->object, d);
	ck_assert_uint_eq(f1->state, DT_FS_SPINNING);
	ck_assert_uint_eq(f1->spin_lock, cl);
	ck_assert_uint_eq(f1->body, DT_NONE);
	ck_assert_uint_eq(s->cpus[1].irql, DT_DISPATCH_LEVEL);
	ck_assert_int_eq(dt_cpu_next_action(w.m, 1), DT_ACT_SPIN);
	ck_assert_uint_eq(w_ncalls(&w, DT_CALL_DPC), 1);

	/* 15-20: the ISR runs on CPU0 above the DPC that holds the lock. */
	w_sched(&w, "e(dev)@0 0");
	ck_assert_uint_eq(w_last(&w, DT_EV_ISR_ENTER)->step, 16);
	ck_assert_int_eq(w_last(&w, DT_EV_ISR_ENTER)->cpu, 0);
	ck_assert_uint_eq(s->cpus[0].nframes, 2);
	ck_assert_uint_eq(s->cpus[0].frames[0].kind, DT_FRAME_DPC);
	ck_assert_uint_eq(s->cpus[0].frames[1].kind, DT_FRAME_ISR);
	ck_assert_uint_eq(s->cpus[0].irql, 5);
	ck_assert_int_eq(s->locks[cl].owner_cpu, 0);
	ck_assert_int_eq(dt_cpu_next_action(w.m, 1), DT_ACT_SPIN);
	w_sched(&w, "0*4"); /* ack, queue (TRUE: a third instance on CPU0), r1, return */
	ck_assert_int_eq(w_last(&w, DT_EV_QUEUE_DPC)->result, 1);
	ck_assert_int_eq(w_last(&w, DT_EV_QUEUE_DPC)->arg[1], 0);
	ck_assert_uint_eq(s->cpus[0].irql, DT_DISPATCH_LEVEL);

	/* 21-23: the first instance finishes; CPU1 spins until it returns. */
	w_sched(&w, "0*2");
	ck_assert_int_eq(dt_cpu_next_action(w.m, 1), DT_ACT_SPIN);
	ck_assert_uint_eq(w_top(&w, 1)->body, DT_NONE);
	w_sched(&w, "0");
	ck_assert_uint_eq(w_last(&w, DT_EV_DPC_RETURN)->step, 23);
	ck_assert_int_eq(s->locks[cl].owner_cpu, -1);
	ck_assert_int_eq(dt_cpu_next_action(w.m, 1), DT_ACT_OBTAIN_LOCK);

	/* 24: CPU1 obtains it and starts its body; 25: CPU0's third instance spins. */
	w_sched(&w, "1 0");
	e = w_last(&w, DT_EV_LOCK_OBTAINED);
	ck_assert_uint_eq(e->step, 24);
	ck_assert_int_eq(e->cpu, 1);
	ck_assert_uint_eq(e->object, cl);
	ck_assert_int_eq(s->locks[cl].owner_cpu, 1);
	ck_assert_uint_eq(w_top(&w, 1)->state, DT_FS_AT_OP);
	ck_assert_uint_ne(w_top(&w, 1)->body, DT_NONE);
	e = w_last(&w, DT_EV_LOCK_SPIN);
	ck_assert_uint_eq(e->step, 25);
	ck_assert_int_eq(e->cpu, 0);
	ck_assert_uint_eq(e->rule, 42);
	ck_assert_int_eq(e->cause_cpu, 1);

	w_run(&w);
	ck_assert_int_eq(s->outcome.kind, DT_QUIESCENT);
	ck_assert_uint_eq(s->dpcs[d].runs, 3);
	ck_assert_uint_eq(s->dpcs[d].completions, 3);
	/* The bodies never overlapped: their steps come in pairs per CPU. */
	ck_assert_uint_eq(w_count(&w, DT_EV_STEP_OP), 6);
	static const int order[6] = { 0, 0, 1, 1, 0, 0 };
	for (unsigned i = 0; i < 6; i++)
		ck_assert_int_eq(w_nth(&w, DT_EV_STEP_OP, i)->cpu, order[i]);
	w_done(&w);
}
END_TEST

/* R42 (dt_trace.h rule): obtaining the callback lock a DPC spun for is R42, as its spin. */
START_TEST(test_R42_callback_lock_obtained_cites_r42)
{
	struct wsc w;
	w_init(&w, 2);
	w.icfg.isr = W_PROG(&w, isr_dpc);
	w.icfg.dpc = W_PROG(&w, two_steps);
	w.icfg.automatic_serialization = 1;
	w.sync_set = 1;
	w.sync_scope = 1;
	w_start(&w);
	w_sched(&w, "e(dev)@0 0*6 e(dev)@1 1*6 0*3 1");
	const struct dt_trace_event *e = w_last(&w, DT_EV_LOCK_OBTAINED);
	ck_assert_uint_eq(e->object, w_in(&w)->callback_lock);
	ck_assert_uint_eq(w_last(&w, DT_EV_LOCK_SPIN)->rule, 42);
	ck_assert_uint_eq(e->rule, 42);
	w_done(&w);
}
END_TEST

/* R42: 0xC020000A for passive parent + DPC and dispatch parent + work item. */
START_TEST(test_R42_incompatible_execution_level)
{
	struct {
		int passive;
		int work_item;
		uint32_t status;
		int lock_kind; /* -1: no callback lock */
	} cases[] = {
		{ 1, 0, DT_STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL, -1 },
		{ 0, 1, DT_STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL, -1 },
		{ 0, 0, DT_STATUS_SUCCESS, DT_LOCK_CALLBACK_SPIN },
		{ 1, 1, DT_STATUS_SUCCESS, DT_LOCK_CALLBACK_WAIT },
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wsc w;
		w_init(&w, 2);
		uint32_t isr = W_PROG(&w, isr_ack), cb = W_PROG(&w, two_steps);
		w.no_interrupt = 1;
		w.sync_set = 1;
		w.sync_passive = cases[i].passive;
		w.sync_scope = 1;
		w_start(&w);
		const struct dt_state *s = w_st(&w);
		unsigned nlocks = s->nlocks, nthreads = s->nthreads;
		struct dt_interrupt_config cfg;
		dt_interrupt_config_init(&cfg, isr, cases[i].work_item ? DT_NO_CALLBACK : cb);
		if (cases[i].work_item)
			cfg.work_item = cb;
		cfg.automatic_serialization = 1;
		uint32_t status = 0x12345678u;
		uint64_t handle = 0xDEADBEEFull;
		ck_assert_int_eq(dt_interrupt_create(w.m, 0, &cfg, &status, &handle), DT_OK);
		ck_assert_msg(status == cases[i].status, "case %u: status %08x", i, status);
		if (cases[i].lock_kind < 0) {
			ck_assert_uint_eq(handle, 0);
			ck_assert_uint_eq(s->ninterrupts, 0);
			ck_assert_uint_eq(s->nlocks, nlocks);
			ck_assert_uint_eq(s->nthreads, nthreads);
			ck_assert_uint_eq(s->devices[0].callback_lock, DT_NONE);
		} else {
			ck_assert_uint_eq(handle, H_INTR);
			unsigned cl = s->interrupts[0].callback_lock;
			ck_assert_uint_ne(cl, DT_NONE);
			ck_assert_uint_eq(s->devices[0].callback_lock, cl);
			ck_assert_int_eq(s->locks[cl].kind, cases[i].lock_kind);
		}
		w_done(&w);
	}
}
END_TEST

/* R42: scope None: no callback lock, two DPC instances run at once on two CPUs. */
START_TEST(test_R42_scope_none_no_lock)
{
	struct wsc w;
	w_init(&w, 2);
	w.icfg.isr = W_PROG(&w, isr_dpc);
	w.icfg.dpc = W_PROG(&w, two_steps);
	w.icfg.automatic_serialization = 1;
	w.sync_set = 1;
	w.sync_passive = 0;
	w.sync_scope = 0;
	w_start(&w);
	const struct dt_state *s = w_st(&w);
	ck_assert_uint_eq(s->interrupts[0].callback_lock, DT_NONE);
	ck_assert_uint_eq(s->devices[0].callback_lock, DT_NONE);
	w_sched(&w, "e(dev)@0 0*6 e(dev)@1 1*6");
	for (unsigned k = 0; k < 2; k++) {
		const struct dt_frame *f = w_top(&w, k);
		ck_assert_uint_eq(f->kind, DT_FRAME_DPC);
		ck_assert_uint_eq(f->state, DT_FS_AT_OP);
		ck_assert_uint_eq(f->op.kind, DT_OP_STEP);
		ck_assert_uint_eq(f->lock, DT_NONE);
	}
	ck_assert_uint_eq(s->dpcs[s->interrupts[0].dpc].running, 2);
	ck_assert_uint_eq(w_count(&w, DT_EV_LOCK_SPIN), 0);
	w_sched(&w, "1 0 1 0 1 0"); /* interleaved: both bodies finish */
	ck_assert_uint_eq(s->dpcs[s->interrupts[0].dpc].completions, 2);
	w_done(&w);
}
END_TEST

/* A callback that takes its interrupt's lock (WdfInterruptAcquireLock). */
static const struct dt_cinsn take_intr_lock[] = {
	CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, 0, 0),
	CP_WRITEI(V_RAN, 1),
	CP_OP(0, DT_OP_INTR_RELEASE_LOCK, 0, 0),
	CP_RETI(0),
};

/* R42 (R60, R36): a serialized DPC spinning for the interrupt lock is not a deadlock. */
START_TEST(test_R42_serialized_dpc_spins_for_interrupt_lock_no_deadlock)
{
	struct wsc w;
	w_init(&w, 2);
	w.icfg.isr = W_PROG(&w, isr_dpc);
	w.icfg.dpc = W_PROG(&w, take_intr_lock);
	w.icfg.automatic_serialization = 1;
	w.sync_set = 1;
	w.sync_scope = 1;
	w_start(&w);
	const struct dt_state *s = w_st(&w);
	const struct dt_interrupt *in = w_in(&w);
	/* 1-7: the DPC on CPU0 holds the callback lock; 8, 9: the ISR on CPU1
	 * holds the interrupt lock; 10: the DPC's WdfInterruptAcquireLock. */
	w_sched(&w, "e(dev)@0 0*6 e(dev)@1 1 0");
	ck_assert_int_eq(s->outcome.kind, DT_RUNNING);
	const struct dt_trace_event *e = w_last(&w, DT_EV_LOCK_SPIN);
	ck_assert_uint_eq(e->step, 10);
	ck_assert_int_eq(e->cpu, 0);
	ck_assert_uint_eq(e->object, in->lock);
	ck_assert_int_eq(e->cause_cpu, 1);
	ck_assert_uint_eq(w_top(&w, 0)->state, DT_FS_SPINNING);
	ck_assert_uint_eq(w_top(&w, 0)->spin_lock, in->lock);
	ck_assert_uint_eq(s->cpus[0].irql, 5);
	ck_assert_int_eq(s->locks[in->callback_lock].owner_cpu, 0);
	ck_assert_int_eq(dt_cpu_next_action(w.m, 0), DT_ACT_SPIN);
	w_sched(&w, "1*4"); /* the ISR finishes: the lock is free */
	ck_assert_int_eq(s->outcome.kind, DT_RUNNING);
	ck_assert_int_eq(dt_cpu_next_action(w.m, 0), DT_ACT_OBTAIN_LOCK);
	w_run(&w);
	ck_assert_int_eq(s->outcome.kind, DT_QUIESCENT);
	ck_assert_uint_eq(s->dpcs[in->dpc].completions, 2);
	ck_assert_int_eq(w_val(&w, V_RAN), 1);
	w_done(&w);
}
END_TEST

/* ======================================================================= */
/* R43                                                                     */

/* R43: QueueDpcForIsr on a work-item interrupt runs the work item one DPC later. */
START_TEST(test_R43_queue_dpc_on_work_item_interrupt)
{
	struct wsc w;
	w_init(&w, 2);
	w.icfg.isr = W_PROG(&w, isr_dpc);
	w.icfg.work_item = W_PROG(&w, step_mark);
	w_start(&w);
	const struct dt_interrupt *in = w_in(&w);
	w_sched(&w, "e(dev)@0 0*5"); /* 2 take, 3 ack, 4 queue, 5 r1, 6 return */
	const struct dt_trace_event *q = w_last(&w, DT_EV_QUEUE_DPC);
	ck_assert_uint_eq(q->step, 4);
	ck_assert_int_eq(q->result, 1);
	ck_assert_uint_eq(q->object, in->dpc);
	ck_assert_int_eq(w_val(&w, V_R1), 1);
	ck_assert_uint_eq(in->wi_queued, 0);
	w_sched(&w, "0"); /* 7: the DPC runs: it queues the work item */
	ck_assert_uint_eq(w_last(&w, DT_EV_DPC_DEQUEUE)->step, 7);
	ck_assert_uint_eq(w_last(&w, DT_EV_WORKITEM_QUEUE)->step, 7);
	ck_assert_int_eq(w_last(&w, DT_EV_WORKITEM_QUEUE)->result, 1);
	ck_assert_uint_eq(w_ncalls(&w, DT_CALL_DPC), 0); /* no driver DPC body */
	w_sched(&w, "0 t(worker0)@1"); /* 8: DPC returns, 9: worker0 starts the callback */
	ck_assert_uint_eq(w_last(&w, DT_EV_DPC_RETURN)->step, 8);
	ck_assert_uint_eq(w_last(&w, DT_EV_WORKITEM_START)->step, 9);
	ck_assert_uint_eq(w_call(&w, DT_CALL_WORKITEM, 0)->callback, w.icfg.work_item);
	w_cpu_drain(&w, 1);
	ck_assert_int_eq(w_val(&w, V_RAN), 1);
	ck_assert_uint_eq(in->wi_runs, 1);
	w_settle_quiescent(&w);
	w_done(&w);
}
END_TEST

/* R43: with neither callback the DPC calls NULL at DISPATCH: 0xD1, P2 = 2, not 0x10D. */
START_TEST(test_R43_neither_callback_dpc_calls_null)
{
	struct wsc w;
	w_init(&w, 2);
	w.icfg.isr = W_PROG(&w, isr_dpc);
	w_start(&w);
	w_sched(&w, "e(dev)@0 0*5"); /* the ISR's queue call: TRUE */
	ck_assert_int_eq(w_val(&w, V_R1), 1);
	ck_assert_int_eq(w_st(&w)->outcome.kind, DT_RUNNING);
	w_sched(&w, "0"); /* 7: dequeue, call address 0 */
	const struct dt_outcome *o = &w_st(&w)->outcome;
	ck_assert_int_eq(o->kind, DT_BUGCHECK);
	ck_assert_uint_eq(o->code, DT_BUGCODE_DRIVER_IRQL_NOT_LESS_OR_EQUAL);
	ck_assert_uint_ne(o->code, DT_BUGCODE_WDF_VIOLATION);
	ck_assert_uint_eq(o->p[0], 0);
	ck_assert_uint_eq(o->p[1], DT_DISPATCH_LEVEL);
	ck_assert_uint_eq(o->p[2], 8); /* execute */
	ck_assert_uint_eq(o->p[3], 0); /* the faulting instruction is at 0 */
	ck_assert_uint_eq(o->step, 7);
	ck_assert_int_eq(o->cpu, 0);
	ck_assert_uint_eq(o->rule, 43);
	ck_assert_uint_eq(o->reason, DT_BCR_NULL_DPC_ROUTINE);
	ck_assert_int_eq(w_last(&w, DT_EV_BUGCHECK)->arg[0],
			 DT_BUGCODE_DRIVER_IRQL_NOT_LESS_OR_EQUAL);
	w_done(&w);
}
END_TEST

/* ======================================================================= */
/* R44                                                                     */

/* R44: a queuing during a running callback starts a second, concurrent run on worker1. */
START_TEST(test_R44_requeue_while_running_runs_concurrently)
{
	struct wsc w;
	w_init(&w, 2);
	const struct dt_cinsn drv[] = {
		CP_OP(0, DT_OP_QUEUE_WORKITEM_FOR_ISR, H_INTR, 0),
		CP_WRITE(V_R1, 0),
		CP_OP(0, DT_OP_QUEUE_WORKITEM_FOR_ISR, H_INTR, 0),
		CP_WRITE(V_R2, 0),
		CP_RETI(0),
	};
	w.icfg.isr = W_PROG(&w, isr_ack);
	w.icfg.work_item = W_PROG(&w, two_steps);
	w_thread(&w, "drv", W_PROG(&w, drv));
	w_start(&w);
	const struct dt_interrupt *in = w_in(&w);
	unsigned w0 = w_tid(&w, "worker0"), w1 = w_tid(&w, "worker1");
	/* 1-3: queue (TRUE); 4: worker0 starts on CPU1; 5-7: queue again, the thread ends. */
	w_sched(&w, "t(drv)@0 0*2 t(worker0)@1 0*3");
	ck_assert_int_eq(w_val(&w, V_R1), 1);
	ck_assert_int_eq(w_val(&w, V_R2), 1);
	ck_assert_int_eq(w_thr(&w, "drv")->state, DT_TS_DONE);
	ck_assert_int_eq(w_st(&w)->threads[w1].state, DT_TS_READY);
	ck_assert_int_eq(w_thread_enabled(&w, w1, 1), 0); /* CPU1 is busy with worker0 */
	ck_assert_int_eq(w_thread_enabled(&w, w1, 0), 1);
	w_sched(&w, "t(worker1)@0"); /* 8 */
	const struct dt_trace_event *e = w_last(&w, DT_EV_WORKITEM_START);
	ck_assert_uint_eq(e->step, 8);
	ck_assert_int_eq(e->arg[0], w1);
	ck_assert_uint_eq(in->wi_running, 2);
	ck_assert_uint_eq(in->wi_runs, 2);
	ck_assert_uint_eq(in->wi_queued, 0);
	ck_assert_int_eq(w_st(&w)->threads[w0].state, DT_TS_RUNNING);
	ck_assert_int_eq(w_st(&w)->threads[w0].cpu, 1);
	ck_assert_int_eq(w_st(&w)->threads[w1].state, DT_TS_RUNNING);
	ck_assert_int_eq(w_st(&w)->threads[w1].cpu, 0);
	ck_assert_uint_eq(w_top(&w, 0)->object, w1);
	ck_assert_uint_eq(w_top(&w, 1)->object, w0);
	/* Both bodies are inside the callback: they interleave freely. */
	w_sched(&w, "0 1 0 1");
	ck_assert_uint_eq(w_nth(&w, DT_EV_STEP_OP, 0)->cpu, 0);
	ck_assert_uint_eq(w_nth(&w, DT_EV_STEP_OP, 1)->cpu, 1);
	ck_assert_uint_eq(w_count(&w, DT_EV_WORKITEM_END), 0);
	w_run(&w);
	ck_assert_int_eq(w_st(&w)->outcome.kind, DT_QUIESCENT);
	ck_assert_uint_eq(w_count(&w, DT_EV_WORKITEM_END), 2);
	ck_assert_uint_eq(in->wi_running, 0);
	w_done(&w);
}
END_TEST

/* R44: serialized by a passive parent: the second run blocks on the callback lock. */
START_TEST(test_R44_serialized_second_run_blocks_on_callback_lock)
{
	struct wsc w;
	w_init(&w, 2);
	const struct dt_cinsn drv[] = {
		CP_OP(0, DT_OP_QUEUE_WORKITEM_FOR_ISR, H_INTR, 0),
		CP_WRITE(V_R1, 0),
		CP_OP(0, DT_OP_QUEUE_WORKITEM_FOR_ISR, H_INTR, 0),
		CP_WRITE(V_R2, 0),
		CP_RETI(0),
	};
	w.icfg.isr = W_PROG(&w, isr_ack);
	w.icfg.work_item = W_PROG(&w, two_steps);
	w.icfg.automatic_serialization = 1;
	w.sync_set = 1;
	w.sync_passive = 1;
	w.sync_scope = 1;
	w_thread(&w, "drv", W_PROG(&w, drv));
	w_start(&w);
	const struct dt_state *s = w_st(&w);
	const struct dt_interrupt *in = w_in(&w);
	unsigned cl = in->callback_lock, w0 = w_tid(&w, "worker0"), w1 = w_tid(&w, "worker1");
	ck_assert_uint_ne(cl, DT_NONE);
	ck_assert_uint_eq(s->locks[cl].kind, DT_LOCK_CALLBACK_WAIT);

	w_sched(&w, "t(drv)@0 0*2 t(worker0)@1"); /* 4: worker0 takes the lock, starts */
	ck_assert_int_eq(s->locks[cl].owner_thread, (int)w0);
	ck_assert_uint_eq(w_top(&w, 1)->state, DT_FS_AT_OP);
	ck_assert_uint_eq(w_ncalls(&w, DT_CALL_WORKITEM), 1);
	w_sched(&w, "0*3 t(worker1)@0"); /* 5-7: queue again, 8: worker1 blocks */
	ck_assert_int_eq(w_val(&w, V_R2), 1);
	const struct dt_trace_event *e = w_last(&w, DT_EV_THREAD_BLOCK);
	ck_assert_uint_eq(e->step, 8);
	ck_assert_int_eq(e->cpu, 0);
	ck_assert_uint_eq(e->obj_kind, DT_OBJ_THREAD);
	ck_assert_uint_eq(e->object, w1);
	ck_assert_int_eq(e->arg[0], DT_WAIT_LOCK);
	ck_assert_int_eq(e->arg[1], cl);
	ck_assert_int_eq(s->threads[w1].state, DT_TS_BLOCKED);
	ck_assert_int_eq(s->threads[w1].wait_kind, DT_WAIT_LOCK);
	ck_assert_uint_eq(s->threads[w1].wait_object, cl);
	ck_assert_uint_eq(s->cpus[0].nframes, 0); /* its CPU is free */
	ck_assert_uint_eq(w_ncalls(&w, DT_CALL_WORKITEM), 1); /* callback not started */

	w_sched(&w, "1*2"); /* worker0's two steps: worker1 stays blocked */
	ck_assert_int_eq(s->threads[w1].state, DT_TS_BLOCKED);
	w_sched(&w, "1"); /* 11: worker0 returns: the lock passes to worker1 */
	ck_assert_uint_eq(w_nth(&w, DT_EV_WORKITEM_END, 0)->step, 11);
	ck_assert_int_eq(s->threads[w1].state, DT_TS_READY);
	ck_assert_int_eq(s->locks[cl].owner_thread, (int)w1);
	w_sched(&w, "t(worker1)@1"); /* 12: its callback starts now */
	ck_assert_uint_eq(w_ncalls(&w, DT_CALL_WORKITEM), 2);
	ck_assert_uint_eq(w_call(&w, DT_CALL_WORKITEM, 1)->thread, w1);
	ck_assert_uint_eq(w_top(&w, 1)->op.kind, DT_OP_STEP);
	w_run(&w);
	ck_assert_int_eq(s->outcome.kind, DT_QUIESCENT);
	ck_assert_int_eq(s->locks[cl].owner_thread, -1);
	/* Never two bodies at once: worker0's steps both come before worker1's. */
	ck_assert_uint_eq(w_count(&w, DT_EV_STEP_OP), 4);
	uint32_t end0 = w_nth(&w, DT_EV_WORKITEM_END, 0)->step;
	ck_assert_uint_lt(w_nth(&w, DT_EV_STEP_OP, 1)->step, end0);
	ck_assert_uint_gt(w_nth(&w, DT_EV_STEP_OP, 2)->step, end0);
	w_done(&w);
}
END_TEST

/* R44 (R60): a work item's WdfInterruptAcquireLock spins while the ISR holds the lock. */
START_TEST(test_R44_work_item_spins_for_interrupt_lock_held_by_isr)
{
	struct wsc w;
	w_init(&w, 2);
	const struct dt_cinsn drv[] = {
		CP_OP(0, DT_OP_QUEUE_WORKITEM_FOR_ISR, H_INTR, 0),
		CP_RETI(0),
	};
	static const struct dt_cinsn isr_busy[] = {
		CP_WRREGI(0, DT_REG_INTSTATUS, 1),
		CP_STEP(1),
		CP_RETI(1),
	};
	w.icfg.isr = W_PROG(&w, isr_busy);
	w.icfg.work_item = W_PROG(&w, take_intr_lock);
	w_thread(&w, "drv", W_PROG(&w, drv));
	w_start(&w);
	const struct dt_state *s = w_st(&w);
	const struct dt_interrupt *in = w_in(&w);
	unsigned w0 = w_tid(&w, "worker0");
	/* 1-3: queued by drv; 4-6: the ISR on CPU0 holds its lock; 7: worker0
	 * on CPU1; 8: its WdfInterruptAcquireLock. */
	w_sched(&w, "t(drv)@0 0*2 e(dev)@0 0*2 t(worker0)@1 1");
	ck_assert_int_eq(s->outcome.kind, DT_RUNNING);
	const struct dt_trace_event *e = w_last(&w, DT_EV_LOCK_SPIN);
	ck_assert_uint_eq(e->step, 8);
	ck_assert_int_eq(e->cpu, 1);
	ck_assert_uint_eq(e->object, in->lock);
	ck_assert_int_eq(e->cause_cpu, 0);
	const struct dt_frame *f = w_top(&w, 1);
	ck_assert_uint_eq(f->kind, DT_FRAME_THREAD);
	ck_assert_uint_eq(f->object, w0);
	ck_assert_uint_eq(f->state, DT_FS_SPINNING);
	ck_assert_uint_eq(f->spin_lock, in->lock);
	ck_assert_uint_eq(s->cpus[1].irql, 5);
	ck_assert_int_eq(dt_cpu_next_action(w.m, 1), DT_ACT_SPIN);
	w_sched(&w, "0*2"); /* 9, 10: the ISR finishes */
	ck_assert_int_eq(dt_cpu_next_action(w.m, 1), DT_ACT_OBTAIN_LOCK);
	w_sched(&w, "1");
	ck_assert_uint_eq(w_last(&w, DT_EV_LOCK_OBTAINED)->step, 11);
	ck_assert_int_eq(s->locks[in->lock].owner_cpu, 1);
	w_cpu_drain(&w, 1);
	ck_assert_int_eq(w_val(&w, V_RAN), 1);
	w_settle_quiescent(&w);
	w_done(&w);
}
END_TEST

/* R44: a worker at PASSIVE is preempted by an ISR and a DPC, and continues after them. */
START_TEST(test_R44_worker_preempted_by_isr_and_dpc)
{
	struct wsc w;
	w_init(&w, 2);
	w.icfg.isr = W_PROG(&w, isr_wi);
	w.icfg.work_item = W_PROG(&w, two_steps);
	w_start(&w);
	const struct dt_state *s = w_st(&w);
	unsigned w0 = w_tid(&w, "worker0");
	w_sched(&w, "e(dev)@0 0*7 t(worker0)@1 1"); /* 9: worker0 on CPU1, 10: its first step */
	ck_assert_uint_eq(w_count(&w, DT_EV_STEP_OP), 1);
	w_sched(&w, "e(dev)@1 1"); /* 11, 12: the ISR preempts it */
	ck_assert_uint_eq(s->cpus[1].nframes, 2);
	ck_assert_uint_eq(s->cpus[1].frames[0].kind, DT_FRAME_THREAD);
	ck_assert_uint_eq(s->cpus[1].frames[0].object, w0);
	ck_assert_uint_eq(s->cpus[1].frames[1].kind, DT_FRAME_ISR);
	ck_assert_int_eq(s->threads[w0].state, DT_TS_RUNNING);
	ck_assert_int_eq(s->threads[w0].cpu, 1);
	w_sched(&w, "1*4"); /* 13-16: ack, call (the DPC on CPU1), r1, return */
	ck_assert_int_eq(dt_cpu_next_action(w.m, 1), DT_ACT_DEQUEUE_DPC);
	w_sched(&w, "1"); /* 17: the DPC runs above the thread */
	ck_assert_uint_eq(s->cpus[1].nframes, 2);
	ck_assert_uint_eq(s->cpus[1].frames[1].kind, DT_FRAME_DPC);
	ck_assert_uint_eq(s->cpus[1].irql, DT_DISPATCH_LEVEL);
	ck_assert_int_eq(w_thr(&w, "worker1")->state, DT_TS_READY);
	w_sched(&w, "1"); /* 18: the DPC returns; the worker is next */
	ck_assert_uint_eq(s->cpus[1].nframes, 1);
	ck_assert_uint_eq(s->cpus[1].irql, DT_PASSIVE_LEVEL);
	ck_assert_int_eq(dt_cpu_next_action(w.m, 1), DT_ACT_PERFORM_OP);
	w_sched(&w, "1");
	ck_assert_uint_eq(w_count(&w, DT_EV_STEP_OP), 2);
	ck_assert_int_eq(w_last(&w, DT_EV_STEP_OP)->cpu, 1);
	w_run(&w);
	ck_assert_int_eq(s->outcome.kind, DT_QUIESCENT);
	ck_assert_uint_eq(s->interrupts[0].wi_runs, 2);
	w_done(&w);
}
END_TEST

/* The docs' pattern: pending work is saved by the ISR; the work item
 * takes it under the interrupt lock, and InProgress/Rerun make sure a
 * run that finds another one busy hands its work over instead of losing
 * it (R44).  The instruction indices matter: tests stop at them. */
static const struct dt_cinsn isr_save_work[] = {
	CP_WRREGI(0, DT_REG_INTSTATUS, 1),
	CP_READ(0, V_PENDING),
	CP_ADDI(0, 1),
	CP_WRITE(V_PENDING, 0),
	CP_READ(0, V_TOTAL),
	CP_ADDI(0, 1),
	CP_WRITE(V_TOTAL, 0),
	CP_OP(0, DT_OP_QUEUE_WORKITEM_FOR_ISR, 0, 0),
	CP_RETI(1),
};
#define WI_DOING_WORK 13 /* index of the first instruction outside the lock */
static const struct dt_cinsn wi_inprogress_rerun[] = {
	/* 0 */ CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, 0, 0),
	/* 1 */ CP_READ(1, V_INPROG),
	/* 2 */ CP_JZ(1, 6),
	/* 3 */ CP_WRITEI(V_RERUN, 1), /* another run is busy: it reruns */
	/* 4 */ CP_OP(0, DT_OP_INTR_RELEASE_LOCK, 0, 0),
	/* 5 */ CP_RETI(0),
	/* 6 */ CP_WRITEI(V_INPROG, 1),
	/* 7 */ CP_OP(0, DT_OP_INTR_RELEASE_LOCK, 0, 0),
	/* 8 */ CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, 0, 0), /* loop: */
	/* 9 */ CP_WRITEI(V_RERUN, 0),
	/* 10 */ CP_READ(2, V_PENDING),
	/* 11 */ CP_WRITEI(V_PENDING, 0),
	/* 12 */ CP_OP(0, DT_OP_INTR_RELEASE_LOCK, 0, 0),
	/* 13 */ CP_READ(3, V_DONE), /* the work, outside the lock */
	/* 14 */ CP_ADD(3, 2),
	/* 15 */ CP_WRITE(V_DONE, 3),
	/* 16 */ CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, 0, 0),
	/* 17 */ CP_READ(1, V_RERUN),
	/* 18 */ CP_JZ(1, 21),
	/* 19 */ CP_OP(0, DT_OP_INTR_RELEASE_LOCK, 0, 0),
	/* 20 */ CP_JMP(8),
	/* 21 */ CP_WRITEI(V_INPROG, 0),
	/* 22 */ CP_OP(0, DT_OP_INTR_RELEASE_LOCK, 0, 0),
	/* 23 */ CP_RETI(0),
};

static void inprogress_setup(struct wsc *w, unsigned ncpus)
{
	w_init(w, ncpus);
	w->icfg.isr = W_PROG(w, isr_save_work);
	w->icfg.work_item = W_PROG(w, wi_inprogress_rerun);
}

static unsigned rerun_requests(struct wsc *w)
{
	unsigned n = 0;
	for (unsigned i = 0; i < w_count(w, DT_EV_SHARED_WRITE); i++) {
		const struct dt_trace_event *e = w_nth(w, DT_EV_SHARED_WRITE, i);
		n += e->object == V_RERUN && e->value.u.i == 1;
	}
	return n;
}

/* R44: InProgress/Rerun: a run while another works hands its work over; nothing is lost. */
START_TEST(test_R44_inprogress_rerun_loses_no_work)
{
	struct wsc w;
	inprogress_setup(&w, 2);
	w_start(&w);
	const struct dt_interrupt *in = w_in(&w);
	/* Event 1: ISR, internal DPC, worker0 on CPU1 up to the work itself. */
	w_sched(&w, "e(dev)@0");
	w_cpu_drain(&w, 0);
	w_sched(&w, "t(worker0)@1");
	w_cpu_until_pc(&w, 1, WI_DOING_WORK);
	ck_assert_int_eq(w_val(&w, V_INPROG), 1);
	ck_assert_int_eq(w_val(&w, V_PENDING), 0);
	/* Event 2 meanwhile: worker1 finds InProgress, asks for a rerun. */
	w_sched(&w, "e(dev)@0");
	w_cpu_drain(&w, 0);
	ck_assert_uint_eq(in->wi_running, 1);
	w_sched(&w, "t(worker1)@0");
	ck_assert_uint_eq(in->wi_running, 2);
	w_cpu_drain(&w, 0);
	ck_assert_int_eq(w_val(&w, V_RERUN), 1);
	ck_assert_int_eq(w_val(&w, V_PENDING), 1);
	ck_assert_uint_eq(in->wi_running, 1);
	/* worker0 sees Rerun and handles the second event's work too. */
	w_cpu_drain(&w, 1);
	w_settle_quiescent(&w);
	ck_assert_int_eq(w_val(&w, V_TOTAL), 2);
	ck_assert_int_eq(w_val(&w, V_DONE), 2);
	ck_assert_int_eq(w_val(&w, V_PENDING), 0);
	ck_assert_int_eq(w_val(&w, V_INPROG), 0);
	ck_assert_int_eq(w_val(&w, V_RERUN), 0);
	ck_assert_uint_eq(in->wi_runs, 2);
	ck_assert_uint_eq(rerun_requests(&w), 1);
	w_done(&w);
}
END_TEST

/* R44: InProgress/Rerun under seeded random schedules and events: no work is lost. */
START_TEST(test_R44_inprogress_rerun_random_schedules)
{
	int n = dt_test_count(300);
	unsigned reruns = 0, concurrent = 0;
	for (int seed = 1; seed <= n; seed++) {
		struct wsc w;
		inprogress_setup(&w, 3);
		w.cfg.seed = (uint64_t)seed;
		w_start(&w);
		struct dt_sched s;
		dt_sched_random(&s, (uint64_t)seed, 150, 5);
		unsigned max_running = 0;
		while (w_st(&w)->outcome.kind == DT_RUNNING) {
			struct dt_choice c;
			if (!dt_sched_next(&s, w.m, &c)) {
				dt_machine_settle(w.m, 0);
				break;
			}
			ck_assert_int_eq(dt_machine_step(w.m, &c), DT_OK);
			if (w_in(&w)->wi_running > max_running)
				max_running = w_in(&w)->wi_running;
		}
		ck_assert_msg(w_st(&w)->outcome.kind == DT_QUIESCENT, "seed %d: outcome %d", seed,
			      w_st(&w)->outcome.kind);
		ck_assert_msg(w_val(&w, V_DONE) == w_val(&w, V_TOTAL), "seed %d: done %lld of %lld",
			      seed, (long long)w_val(&w, V_DONE), (long long)w_val(&w, V_TOTAL));
		ck_assert_int_eq(w_val(&w, V_PENDING), 0);
		ck_assert_int_eq(w_val(&w, V_INPROG), 0);
		ck_assert_int_eq(w_val(&w, V_RERUN), 0);
		ck_assert_int_eq(w_val(&w, V_TOTAL), w_in(&w)->isr_calls);
		reruns += rerun_requests(&w) > 0;
		concurrent += max_running > 1;
		w_done(&w);
	}
	/* The schedules did reach the interleavings the pattern is for. */
	ck_assert_uint_gt(concurrent, 0);
	ck_assert_uint_gt(reruns, 0);
}
END_TEST

/* ======================================================================= */
/* R70                                                                     */

/* R70: Enable/Disable callbacks run as SYNC frames at DIRQL under the interrupt lock. */
START_TEST(test_R70_enable_disable_callbacks_under_interrupt_lock)
{
	struct wsc w;
	w_init(&w, 2);
	const struct dt_cinsn drv[] = {
		CP_OP(0, DT_OP_INTR_DISABLE, H_INTR, 0),
		CP_WRITE(V_R1, 0),
		CP_OP(0, DT_OP_INTR_ENABLE, H_INTR, 0),
		CP_WRITE(V_R2, 0),
		CP_RETI(0),
	};
	static const struct dt_cinsn on_disable[] = {
		CP_IRQL(0),
		CP_WRITE(V_IRQL, 0),
		CP_RETI(1),
	};
	static const struct dt_cinsn on_enable[] = {
		CP_IRQL(0),
		CP_WRITE(V_R3, 0),
		CP_RETI(1),
	};
	w.icfg.isr = W_PROG(&w, isr_ack);
	w.icfg.disable = W_PROG(&w, on_disable);
	w.icfg.enable = W_PROG(&w, on_enable);
	w_thread(&w, "drv", W_PROG(&w, drv));
	w_start(&w);
	const struct dt_state *s = w_st(&w);
	const struct dt_interrupt *in = w_in(&w);
	unsigned lock = in->lock;
	ck_assert_uint_eq(in->enabled, 1);

	w_sched(&w, "t(drv)@0 0"); /* 2: Disable: EvtInterruptDisable under the lock */
	const struct dt_trace_event *e = w_last(&w, DT_EV_SYNC_ENTER);
	ck_assert_uint_eq(e->step, 2);
	ck_assert_int_eq(e->cpu, 0);
	ck_assert_uint_eq(e->object, 0);
	ck_assert_int_eq(e->arg[0], DT_CALL_DISABLE);
	ck_assert_uint_eq(e->rule, 70);
	ck_assert_uint_eq(s->cpus[0].nframes, 2);
	ck_assert_uint_eq(s->cpus[0].frames[0].kind, DT_FRAME_THREAD);
	ck_assert_uint_eq(s->cpus[0].frames[1].kind, DT_FRAME_SYNC);
	ck_assert_uint_eq(s->cpus[0].irql, 5);
	ck_assert_int_eq(s->locks[lock].owner_cpu, 0);
	ck_assert_uint_eq(w_call(&w, DT_CALL_DISABLE, 0)->callback, w.icfg.disable);
	ck_assert_uint_eq(w_call(&w, DT_CALL_DISABLE, 0)->interrupt, H_INTR);

	w_sched(&w, "e(dev)@0"); /* 3: an arrival on CPU0, masked at DIRQL: pending */
	ck_assert_uint_eq(s->cpus[0].npending, 1);
	w_sched(&w, "0*2"); /* 4, 5: the callback reads its IRQL */
	ck_assert_int_eq(w_val(&w, V_IRQL), 5);
	ck_assert_uint_eq(in->enabled, 1);
	w_sched(&w, "0"); /* 6: the callback returns: released, disabled */
	ck_assert_uint_eq(w_last(&w, DT_EV_SYNC_RETURN)->step, 6);
	ck_assert_int_eq(w_last(&w, DT_EV_SYNC_RETURN)->result, 1);
	e = w_last(&w, DT_EV_INTR_DISABLE);
	ck_assert_uint_eq(e->step, 6);
	ck_assert_uint_eq(e->object, 0);
	ck_assert_uint_eq(e->rule, 70);
	ck_assert_uint_eq(in->enabled, 0);
	ck_assert_int_eq(s->locks[lock].owner_cpu, -1);
	ck_assert_uint_eq(s->cpus[0].irql, DT_PASSIVE_LEVEL);
	ck_assert_int_eq(dt_cpu_next_action(w.m, 0), DT_ACT_TAKE_INTERRUPT);
	w_sched(&w, "0"); /* 7: the pending request is discarded, no ISR */
	e = w_last(&w, DT_EV_IRQ_DISCARDED);
	ck_assert_uint_eq(e->step, 7);
	ck_assert_uint_eq(e->object, 0);
	ck_assert_uint_eq(e->rule, 70);
	ck_assert_uint_eq(w_count(&w, DT_EV_ISR_ENTER), 0);
	ck_assert_uint_eq(in->isr_calls, 0);
	w_sched(&w, "0"); /* 8: Disable returned STATUS_SUCCESS */
	ck_assert_int_eq(w_val(&w, V_R1), DT_STATUS_SUCCESS);

	w_sched(&w, "e(dev)@1"); /* 9: disabled: not delivered */
	e = w_last(&w, DT_EV_DEVICE_EVENT);
	ck_assert_uint_eq(e->step, 9);
	ck_assert_int_eq(e->result, 0);
	ck_assert_uint_eq(s->cpus[1].npending, 0);
	ck_assert_uint_eq(w_count(&w, DT_EV_IRQ_PENDING), 1);

	w_sched(&w, "0"); /* 10: Enable: EvtInterruptEnable under the lock */
	e = w_last(&w, DT_EV_SYNC_ENTER);
	ck_assert_uint_eq(e->step, 10);
	ck_assert_int_eq(e->arg[0], DT_CALL_ENABLE);
	ck_assert_uint_eq(e->rule, 70);
	ck_assert_uint_eq(w_top(&w, 0)->kind, DT_FRAME_SYNC);
	ck_assert_int_eq(s->locks[lock].owner_cpu, 0);
	ck_assert_uint_eq(w_call(&w, DT_CALL_ENABLE, 0)->callback, w.icfg.enable);
	w_sched(&w, "0*3"); /* 11, 12: IRQL; 13: return: enabled */
	ck_assert_int_eq(w_val(&w, V_R3), 5);
	ck_assert_uint_eq(w_last(&w, DT_EV_INTR_ENABLE)->step, 13);
	ck_assert_uint_eq(in->enabled, 1);
	ck_assert_int_eq(s->locks[lock].owner_cpu, -1);
	w_sched(&w, "0*2"); /* 14: r2, 15: the thread ends */
	ck_assert_int_eq(w_val(&w, V_R2), DT_STATUS_SUCCESS);
	w_sched(&w, "e(dev)@1 1"); /* 16: delivered again, 17: the ISR runs */
	ck_assert_int_eq(w_last(&w, DT_EV_DEVICE_EVENT)->result, 1);
	ck_assert_uint_eq(w_last(&w, DT_EV_ISR_ENTER)->step, 17);
	ck_assert_uint_eq(in->isr_calls, 1);
	w_done(&w);
}
END_TEST

/* R70 (R20): Disable blocks its thread until a queued DPC of the interrupt has run. */
START_TEST(test_R70_disable_waits_for_queued_dpc)
{
	struct wsc w;
	w_init(&w, 2);
	const struct dt_cinsn drv[] = {
		CP_OP(0, DT_OP_INTR_DISABLE, H_INTR, 0),
		CP_WRITE(V_ST, 0),
		CP_RETI(0),
	};
	w.icfg.isr = W_PROG(&w, isr_dpc);
	w.icfg.dpc = W_PROG(&w, step_mark);
	w_thread(&w, "drv", W_PROG(&w, drv));
	w_start(&w);
	const struct dt_state *s = w_st(&w);
	unsigned drv_t = w_tid(&w, "drv"), d = w_in(&w)->dpc;
	w_sched(&w, "e(dev)@1 1*5"); /* 1-6: the DPC waits in CPU1's queue */
	ck_assert_uint_eq(s->dpcs[d].inserted, 1);
	ck_assert_int_eq(dt_cpu_next_action(w.m, 1), DT_ACT_DEQUEUE_DPC);
	w_sched(&w, "t(drv)@0 0"); /* 7, 8: Disable */
	ck_assert_uint_eq(w_last(&w, DT_EV_INTR_DISABLE)->step, 8);
	ck_assert_uint_eq(w_in(&w)->enabled, 0);
	const struct dt_trace_event *e = w_last(&w, DT_EV_THREAD_BLOCK);
	ck_assert_uint_eq(e->step, 8);
	ck_assert_uint_eq(e->object, drv_t);
	ck_assert_int_eq(e->arg[0], DT_WAIT_DISABLE);
	ck_assert_int_eq(e->arg[1], 0);
	ck_assert_int_eq(s->threads[drv_t].state, DT_TS_BLOCKED);
	ck_assert_int_eq(s->threads[drv_t].wait_kind, DT_WAIT_DISABLE);
	ck_assert_uint_eq(s->threads[drv_t].wait_object, 0);
	ck_assert_uint_eq(s->cpus[0].nframes, 0);
	ck_assert_int_eq(w_val(&w, V_ST), -1);
	w_sched(&w, "1*3"); /* 9: dequeue, 10: step, 11: ran = 1 */
	ck_assert_int_eq(s->threads[drv_t].state, DT_TS_BLOCKED);
	ck_assert_int_eq(w_val(&w, V_RAN), 1);
	w_sched(&w, "1"); /* 12: the DPC returns: the wait is over */
	ck_assert_uint_eq(w_last(&w, DT_EV_DPC_RETURN)->step, 12);
	ck_assert_uint_eq(w_last(&w, DT_EV_THREAD_WAKE)->step, 12);
	ck_assert_uint_eq(w_last(&w, DT_EV_THREAD_WAKE)->object, drv_t);
	ck_assert_int_eq(s->threads[drv_t].state, DT_TS_READY);
	w_sched(&w, "t(drv)@0 0*2");
	ck_assert_int_eq(w_val(&w, V_ST), DT_STATUS_SUCCESS);
	ck_assert_uint_eq(s->dpcs[d].completions, 1);
	w_settle_quiescent(&w);
	w_done(&w);
}
END_TEST

/* R70: Disable blocks its thread until a running work-item callback has finished. */
START_TEST(test_R70_disable_waits_for_running_work_item)
{
	struct wsc w;
	w_init(&w, 2);
	const struct dt_cinsn drv[] = {
		CP_OP(0, DT_OP_QUEUE_WORKITEM_FOR_ISR, H_INTR, 0),
		CP_WRITE(V_R1, 0),
		CP_OP(0, DT_OP_INTR_DISABLE, H_INTR, 0),
		CP_WRITE(V_ST, 0),
		CP_RETI(0),
	};
	w.icfg.isr = W_PROG(&w, isr_ack);
	w.icfg.work_item = W_PROG(&w, two_steps);
	w_thread(&w, "drv", W_PROG(&w, drv));
	w_start(&w);
	const struct dt_state *s = w_st(&w);
	unsigned drv_t = w_tid(&w, "drv");
	w_sched(&w, "t(drv)@0 0*2 t(worker0)@1 0"); /* 5: Disable while the callback runs */
	ck_assert_uint_eq(w_in(&w)->wi_running, 1);
	const struct dt_trace_event *e = w_last(&w, DT_EV_THREAD_BLOCK);
	ck_assert_uint_eq(e->step, 5);
	ck_assert_uint_eq(e->object, drv_t);
	ck_assert_int_eq(e->arg[0], DT_WAIT_DISABLE);
	ck_assert_int_eq(s->threads[drv_t].state, DT_TS_BLOCKED);
	ck_assert_uint_eq(w_in(&w)->enabled, 0);
	w_sched(&w, "1*2"); /* the callback's two steps */
	ck_assert_int_eq(s->threads[drv_t].state, DT_TS_BLOCKED);
	w_sched(&w, "1"); /* 8: it returns: the wait is over */
	ck_assert_uint_eq(w_last(&w, DT_EV_WORKITEM_END)->step, 8);
	ck_assert_uint_eq(w_last(&w, DT_EV_THREAD_WAKE)->step, 8);
	ck_assert_int_eq(s->threads[drv_t].state, DT_TS_READY);
	w_sched(&w, "t(drv)@1 1*2");
	ck_assert_int_eq(w_val(&w, V_ST), DT_STATUS_SUCCESS);
	w_settle_quiescent(&w);
	w_done(&w);
}
END_TEST

/* A DPC that calls Enable or Disable (value = the op kind) on its interrupt. */
static void r70_dpc_setup(struct wsc *w, struct dt_cinsn *dpc, unsigned opkind, int verifier,
			  int debugger)
{
	static const struct dt_cinsn cb_mark[] = {
		CP_WRITEI(V_R3, 1),
		CP_RETI(1),
	};
	w_init(w, 2);
	dpc[0] = (struct dt_cinsn)CP_OP(0, opkind, 0, 0);
	dpc[1] = (struct dt_cinsn)CP_WRITE(V_R1, 0);
	dpc[2] = (struct dt_cinsn)CP_WRITEI(V_RAN, 1);
	dpc[3] = (struct dt_cinsn)CP_RETI(0);
	w->icfg.isr = W_PROG(w, isr_dpc);
	w->icfg.dpc = w_prog(w, dpc, 4);
	w->icfg.enable = W_PROG(w, cb_mark);
	w->icfg.disable = W_PROG(w, cb_mark);
	w->cfg.sw.kmdf_verifier = (uint8_t)verifier;
	w->cfg.sw.debugger_attached = (uint8_t)debugger;
}

/* R70 (R34): Enable/Disable from a DPC: a verifier finding; break-continue or 0x1E. */
START_TEST(test_R70_enable_disable_from_dpc_is_verifier_finding)
{
	static const unsigned ops[2] = { DT_OP_INTR_DISABLE, DT_OP_INTR_ENABLE };
	for (unsigned i = 0; i < 2; i++) {
		struct wsc w;
		struct dt_cinsn dpc[4];
		/* Verifier and debugger: a break, continued: nothing happens. */
		r70_dpc_setup(&w, dpc, ops[i], 1, 1);
		w_start(&w);
		w_sched(&w, "e(dev)@0 0*7"); /* 7: dequeue, 8: the DPC's call */
		const struct dt_trace_event *e = w_last(&w, DT_EV_VERIFIER);
		ck_assert_uint_eq(e->step, 8);
		ck_assert_int_eq(e->cpu, 0);
		ck_assert_int_eq(e->arg[0], DT_VF_ENABLE_WRONG_IRQL);
		ck_assert_int_eq(e->result, 0);
		ck_assert_uint_eq(e->frame, DT_FRAME_DPC);
		ck_assert_uint_eq(w_count(&w, DT_EV_SYNC_ENTER), 0);
		ck_assert_uint_eq(w_count(&w, DT_EV_INTR_DISABLE), 0);
		ck_assert_uint_eq(w_count(&w, DT_EV_INTR_ENABLE), 0);
		ck_assert_uint_eq(w_in(&w)->enabled, 1);
		w_run(&w);
		ck_assert_int_eq(w_st(&w)->outcome.kind, DT_QUIESCENT);
		ck_assert_int_eq(w_val(&w, V_R1), DT_STATUS_SUCCESS);
		ck_assert_int_eq(w_val(&w, V_RAN), 1);
		ck_assert_int_eq(w_val(&w, V_R3), -1); /* the callback never ran */
		ck_assert_uint_eq(w_in(&w)->enabled, 1);
		w_done(&w);

		/* Verifier without a debugger: the breakpoint is unhandled. */
		r70_dpc_setup(&w, dpc, ops[i], 1, 0);
		w_start(&w);
		w_sched(&w, "e(dev)@0 0*7");
		const struct dt_outcome *o = &w_st(&w)->outcome;
		ck_assert_int_eq(o->kind, DT_BUGCHECK);
		ck_assert_uint_eq(o->code, DT_BUGCODE_KMODE_EXCEPTION_NOT_HANDLED);
		ck_assert_uint_eq(o->p[0], 0x80000003u);
		ck_assert_uint_eq(o->step, 8);
		ck_assert_int_eq(o->cpu, 0);
		ck_assert_uint_eq(o->rule, 34);
		ck_assert_uint_eq(o->reason, DT_BCR_VERIFIER_BREAK);
		e = w_last(&w, DT_EV_VERIFIER);
		ck_assert_int_eq(e->arg[0], DT_VF_ENABLE_WRONG_IRQL);
		ck_assert_int_eq(e->result, -1); /* dt_trace.h: -1 the 0x1E bug check */
		ck_assert_int_eq(w_val(&w, V_RAN), 0);
		w_done(&w);
	}
	/* Verifier off: no check, the call proceeds (Disable disables). */
	struct wsc w;
	struct dt_cinsn dpc[4];
	r70_dpc_setup(&w, dpc, DT_OP_INTR_DISABLE, 0, 0);
	w_start(&w);
	w_sched(&w, "e(dev)@0");
	w_run(&w);
	ck_assert_int_eq(w_st(&w)->outcome.kind, DT_QUIESCENT);
	ck_assert_uint_eq(w_count(&w, DT_EV_INTR_DISABLE), 1);
	ck_assert_uint_eq(w_in(&w)->enabled, 0);
	ck_assert_int_eq(w_val(&w, V_RAN), 1);
	w_done(&w);
}
END_TEST

/* ======================================================================= */
/* R80                                                                     */

/* R80: UMDF: passive ISRs; QueueDpcForIsr runs the callback as a work item in a worker. */
START_TEST(test_R80_umdf_dpc_runs_as_work_item_in_worker)
{
	for (unsigned k = 0; k < 2; k++) {
		struct wsc w;
		w_init(&w, 2);
		w.cfg.sw.umdf = 1;
		w.icfg.isr = W_PROG(&w, isr_dpc);
		w.icfg.dpc = W_PROG(&w, step_mark);
		w.icfg.passive_handling = 0; /* asked for DIRQL handling */
		w_start(&w);
		const struct dt_state *s = w_st(&w);
		const struct dt_interrupt *in = w_in(&w);
		ck_assert_uint_eq(in->passive, 1);
		ck_assert_uint_ne(in->thread, DT_NONE);
		unsigned it = in->thread, w0 = w_tid(&w, "worker0");
		ck_assert_int_eq(s->threads[it].kind, DT_THREAD_PASSIVE_ISR);
		ck_assert_uint_eq(s->threads[it].interrupt, 0);
		ck_assert_int_eq(s->threads[w0].kind, DT_THREAD_WORKER);

		w_sched(&w, "e(dev)@0 0*2"); /* trap at DIRQL and its return */
		ck_assert_uint_eq(w_count(&w, DT_EV_TRAP), 1);
		ck_assert_uint_eq(w_count(&w, DT_EV_ISR_ENTER), 0);
		ck_assert_int_eq(s->threads[it].state, DT_TS_READY);
		w_dispatch(&w, it, 1); /* 4: the ISR thread on CPU1 */
		ck_assert_uint_eq(w_call(&w, DT_CALL_ISR, 0)->thread, it);
		w_sched(&w, "1*2"); /* 5: ack, 6: QueueDpcForIsr */
		const struct dt_trace_event *e = w_last(&w, DT_EV_WORKITEM_QUEUE);
		ck_assert_uint_eq(e->step, 6);
		ck_assert_int_eq(e->cpu, 1);
		ck_assert_int_eq(e->result, 1);
		ck_assert_uint_eq(w_count(&w, DT_EV_QUEUE_DPC), 0);
		ck_assert_uint_eq(s->dpcs[in->dpc].inserts, 0);
		ck_assert_uint_eq(in->wi_queued, 1);
		ck_assert_int_eq(s->threads[w0].state, DT_TS_READY);
		w_sched(&w, "1*2"); /* 7: r1 = TRUE, 8: the ISR returns */
		ck_assert_int_eq(w_val(&w, V_R1), 1);
		ck_assert_int_eq(w_thread_enabled(&w, w0, 0), 1); /* any CPU */
		ck_assert_int_eq(w_thread_enabled(&w, w0, 1), 1);
		w_dispatch(&w, w0, k);
		ck_assert_uint_eq(w_ncalls(&w, DT_CALL_DPC), 0);
		const struct dt_call *c = w_call(&w, DT_CALL_WORKITEM, 0);
		ck_assert_uint_eq(c->callback, w.icfg.dpc);
		ck_assert_uint_eq(c->cpu, k);
		ck_assert_uint_eq(c->thread, w0);
		ck_assert_uint_eq(s->cpus[k].irql, DT_PASSIVE_LEVEL);
		ck_assert_uint_eq(w_top(&w, k)->kind, DT_FRAME_THREAD);
		ck_assert_uint_eq(w_top(&w, k)->irql, DT_PASSIVE_LEVEL);
		w_cpu_drain(&w, k);
		ck_assert_int_eq(w_val(&w, V_RAN), 1);
		w_settle_quiescent(&w);
		w_done(&w);
	}
}
END_TEST

/* A UMDF scenario whose lesson thread "drv" calls `body` (a work-item
 * interrupt, so nothing else runs), then checks the lesson-error outcome. */
static void r80_expect_lesson_error(const struct dt_cinsn *body, unsigned len, const char *what)
{
	struct wsc w;
	w_init(&w, 2);
	w.cfg.sw.umdf = 1;
	w.want_spinlock = 1;
	w.want_kdpc = 1;
	w.icfg.isr = W_PROG(&w, isr_ack);
	w.icfg.dpc = W_PROG(&w, ret0);
	w_thread(&w, "drv", w_prog(&w, body, len));
	w_start(&w);
	w_sched(&w, "t(drv)@0");
	ck_assert_int_eq(w_st(&w)->outcome.kind, DT_RUNNING);
	w_cpu(&w, 0);
	ck_assert_msg(w_st(&w)->outcome.kind == DT_LESSON_ERROR, "%s in UMDF: outcome %d", what,
		      w_st(&w)->outcome.kind);
	ck_assert_uint_eq(w_st(&w)->outcome.step, 2);
	ck_assert_uint_eq(w_count(&w, DT_EV_LESSON_ERROR), 1);
	w_done(&w);
}

/* R80: UMDF: KeGetCurrentIrql is a lesson error, in a thread and in the deferred callback. */
START_TEST(test_R80_umdf_ke_get_current_irql_is_lesson_error)
{
	static const struct dt_cinsn irql[] = {
		CP_IRQL(0),
		CP_RETI(0),
	};
	r80_expect_lesson_error(irql, 2, "KeGetCurrentIrql in a thread");

	struct wsc w;
	w_init(&w, 2);
	w.cfg.sw.umdf = 1;
	w.icfg.isr = W_PROG(&w, isr_dpc);
	w.icfg.dpc = W_PROG(&w, wi_where);
	w_start(&w);
	w_sched(&w, "e(dev)@0 0*2");
	w_dispatch(&w, w_in(&w)->thread, 0);
	w_sched(&w, "0*4 t(worker0)@1"); /* ISR thread done; the worker at KeGetCurrentIrql */
	ck_assert_uint_eq(w_top(&w, 1)->op.kind, DT_OP_GET_IRQL);
	ck_assert_int_eq(w_st(&w)->outcome.kind, DT_RUNNING);
	w_cpu(&w, 1);
	ck_assert_int_eq(w_st(&w)->outcome.kind, DT_LESSON_ERROR);
	ck_assert_uint_eq(w_count(&w, DT_EV_GET_IRQL), 0);
	ck_assert_int_eq(w_val(&w, V_IRQL), -1);
	w_done(&w);
}
END_TEST

/* R80: UMDF: the Ke* DPC routines (insert, remove, importance, target, flush) are errors. */
START_TEST(test_R80_umdf_ke_dpc_calls_are_lesson_errors)
{
	static const unsigned ops[] = {
		DT_OP_KE_INSERT_QUEUE_DPC, DT_OP_KE_REMOVE_QUEUE_DPC, DT_OP_KE_SET_IMPORTANCE,
		DT_OP_KE_SET_TARGET, DT_OP_KE_FLUSH_QUEUED_DPCS,
	};
	for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct dt_cinsn body[2] = {
			CP_OP(0, ops[i], H_KDPC, 0),
			CP_RETI(0),
		};
		char what[40];
		snprintf(what, sizeof(what), "Ke op kind %u", ops[i]);
		r80_expect_lesson_error(body, 2, what);
	}
}
END_TEST

/* R80: KeGetCurrentProcessorNumber is a Ke* call too: a lesson error in UMDF. */
START_TEST(test_R80_umdf_ke_get_processor_number_is_lesson_error)
{
	static const struct dt_cinsn cpu[] = {
		CP_CPU(0),
		CP_RETI(0),
	};
	r80_expect_lesson_error(cpu, 2, "KeGetCurrentProcessorNumber");
}
END_TEST

/* R80: KeAcquireSpinLockAtDpcLevel is a Ke* call too: a lesson error in UMDF. */
START_TEST(test_R80_umdf_ke_acquire_spinlock_at_dpc_level_is_lesson_error)
{
	struct dt_cinsn body[3] = {
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE_AT_DPC, H_SPIN, 0),
		CP_OP(0, DT_OP_SPINLOCK_RELEASE_FROM_DPC, H_SPIN, 0),
		CP_RETI(0),
	};
	r80_expect_lesson_error(body, 3, "KeAcquireSpinLockAtDpcLevel");
}
END_TEST

/* R80: only Ke* calls are refused: WdfSpinLockAcquire/Release work in UMDF (WDFSPINLOCK). */
START_TEST(test_R80_umdf_wdf_spinlock_is_not_a_lesson_error)
{
	struct wsc w;
	w_init(&w, 2);
	const struct dt_cinsn drv[] = {
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, H_SPIN, 0),
		CP_WRITEI(V_RAN, 1),
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, H_SPIN, 0),
		CP_RETI(0),
	};
	w.cfg.sw.umdf = 1;
	w.want_spinlock = 1;
	w.icfg.isr = W_PROG(&w, isr_ack);
	w.icfg.dpc = W_PROG(&w, ret0);
	w_thread(&w, "drv", W_PROG(&w, drv));
	w_start(&w);
	w_sched(&w, "t(drv)@0 0");
	ck_assert_msg(w_st(&w)->outcome.kind == DT_RUNNING, "WdfSpinLockAcquire in UMDF: %s",
		      dt_machine_string(w.m, w_st(&w)->outcome.message));
	ck_assert_int_eq(w_st(&w)->locks[0].owner_cpu, 0);
	w_run(&w);
	ck_assert_int_eq(w_st(&w)->outcome.kind, DT_QUIESCENT);
	ck_assert_int_eq(w_val(&w, V_RAN), 1);
	ck_assert_int_eq(w_st(&w)->locks[0].owner_cpu, -1);
	w_done(&w);
}
END_TEST

Suite *rules_workitem_suite(void)
{
	Suite *s = suite_create("rules_workitem");
	TCase *tc = tcase_create("R40-R44");
	tcase_add_test(tc, test_R40_create_refuses_invalid_configs);
	tcase_add_test(tc, test_R41_dirql_isr_queues_through_internal_dpc);
	tcase_add_test(tc, test_R41_passive_caller_queues_directly);
	tcase_add_test(tc, test_R41_dispatch_caller_queues_directly);
	tcase_add_test(tc, test_R41_internal_dpc_result_is_discarded);
	tcase_add_test(tc, test_R41_false_from_isr_names_the_inserting_step);
	tcase_add_test(tc, test_R42_second_dpc_spins_on_callback_lock_isr_not_serialized);
	tcase_add_test(tc, test_R42_callback_lock_obtained_cites_r42);
	tcase_add_test(tc, test_R42_incompatible_execution_level);
	tcase_add_test(tc, test_R42_scope_none_no_lock);
	tcase_add_test(tc, test_R42_serialized_dpc_spins_for_interrupt_lock_no_deadlock);
	tcase_add_test(tc, test_R43_queue_dpc_on_work_item_interrupt);
	tcase_add_test(tc, test_R43_neither_callback_dpc_calls_null);
	tcase_add_test(tc, test_R44_requeue_while_running_runs_concurrently);
	tcase_add_test(tc, test_R44_serialized_second_run_blocks_on_callback_lock);
	tcase_add_test(tc, test_R44_work_item_spins_for_interrupt_lock_held_by_isr);
	tcase_add_test(tc, test_R44_worker_preempted_by_isr_and_dpc);
	tcase_add_test(tc, test_R44_inprogress_rerun_loses_no_work);
	tcase_add_test(tc, test_R44_inprogress_rerun_random_schedules);
	suite_add_tcase(s, tc);
	tc = tcase_create("R70");
	tcase_add_test(tc, test_R70_enable_disable_callbacks_under_interrupt_lock);
	tcase_add_test(tc, test_R70_disable_waits_for_queued_dpc);
	tcase_add_test(tc, test_R70_disable_waits_for_running_work_item);
	tcase_add_test(tc, test_R70_enable_disable_from_dpc_is_verifier_finding);
	suite_add_tcase(s, tc);
	tc = tcase_create("R80");
	tcase_add_test(tc, test_R80_umdf_dpc_runs_as_work_item_in_worker);
	tcase_add_test(tc, test_R80_umdf_ke_get_current_irql_is_lesson_error);
	tcase_add_test(tc, test_R80_umdf_ke_dpc_calls_are_lesson_errors);
	tcase_add_test(tc, test_R80_umdf_ke_get_processor_number_is_lesson_error);
	tcase_add_test(tc, test_R80_umdf_ke_acquire_spinlock_at_dpc_level_is_lesson_error);
	tcase_add_test(tc, test_R80_umdf_wdf_spinlock_is_not_a_lesson_error);
	suite_add_tcase(s, tc);
	return s;
}
