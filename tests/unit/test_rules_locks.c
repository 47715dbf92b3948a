/*
 * test_rules_locks.c - semantics.md R30-R36 (bug checks, verifier findings,
 * the DPC watchdog, deadlocks) and R60-R63 (the interrupt lock, shared
 * WDFSPINLOCKs, WdfInterruptSynchronize, WdfSpinLockAcquire).
 *
 * Every scenario is built by this file's own builder (struct sc below): a
 * C-program host (dt_cprog.h) whose build function creates, in this
 * order, watched values v0.., two WDFSPINLOCKs S0 S1 (lock indices 0 and
 * 1), two WDFWAITLOCKs W0 W1 (lock indices 2 and 3), one device per
 * declared interrupt (device i has one line, one event "d<i>" with bits 1
 * and interrupt object i), then the lesson threads.  Handles derive from
 * creation order (engine-contract 7), so bodies can name them before the
 * machine exists.
 *
 * Tests drive the machine one explicit choice at a time and assert exact
 * outcomes: a bug check's code, four parameters, reason and rule; a
 * deadlock's cycle and rule; IRQLs, lock owners, frames and trace events.
 * They follow semantics.md and engine-contract.md, not the engine: a
 * failure here is a discrepancy to fix in the engine.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dt_cprog.h"
#include "dt_sched.h"
#include "testutil.h"

/* ---- the scenario builder ---------------------------------------------- */

#define SC_MAX_PROGS 16
#define SC_MAX_DEVS 6
#define SC_MAX_THR 4

/* Lock indices of the WDFSPINLOCKs and WDFWAITLOCKs every scenario has. */
enum { LK_S0 = 0, LK_S1 = 1, LK_W0 = 2, LK_W1 = 3 };

struct sc_dev {
	unsigned kind;   /* enum dt_line_kind */
	unsigned dirql;
	uint64_t aff;    /* 0 = every CPU */
	uint32_t isr, dpc, wi;
	int spin;        /* config.SpinLock: index of S0/S1, -1 = its own lock */
	int passive;     /* PassiveHandling */
};

struct sc_thr {
	const char *name;
	uint32_t prog;
	uint64_t aff;    /* 0 = every CPU */
};

struct sc {
	struct dt_chost host;
	struct dt_cprog progs[SC_MAX_PROGS];
	unsigned nprogs;
	unsigned nvars;
	struct sc_dev devs[SC_MAX_DEVS];
	unsigned ndevs;
	struct sc_thr thr[SC_MAX_THR];
	unsigned nthr;
	unsigned tidx[SC_MAX_THR];        /* thread index of each lesson thread */
	uint64_t ihandle[SC_MAX_DEVS];    /* WDFINTERRUPT of device i */
	uint64_t spin[2], wait[2];
	struct dt_config cfg;
	struct dt_machine *m;
};

static uint64_t hS(unsigned i)
{
	return dt_handle_of(DT_HANDLE_SPINLOCK, LK_S0 + i);
}

static uint64_t hW(unsigned i)
{
	return dt_handle_of(DT_HANDLE_WAITLOCK, LK_W0 + i);
}

static uint64_t hI(unsigned i)
{
	return dt_handle_of(DT_HANDLE_INTERRUPT, i);
}

static uint64_t hD(unsigned i)
{
	return dt_handle_of(DT_HANDLE_DEVICE, i);
}

static int sc_build(struct dt_chost *h, struct dt_machine *m)
{
	struct sc *s = h->user;
	char name[16];
	unsigned ncpus = dt_machine_state(m)->ncpus;
	uint64_t all = ncpus == 64 ? ~0ull : (1ull << ncpus) - 1;
	for (unsigned v = 0; v < s->nvars; v++) {
		snprintf(name, sizeof(name), "v%u", v);
		if (dt_var_create(m, name, dt_int(0), NULL))
			return -1;
	}
	for (unsigned i = 0; i < 2; i++)
		if (dt_spinlock_create(m, &s->spin[i]))
			return -1;
	for (unsigned i = 0; i < 2; i++)
		if (dt_waitlock_create(m, &s->wait[i]))
			return -1;
	for (unsigned d = 0; d < s->ndevs; d++) {
		const struct sc_dev *sd = &s->devs[d];
		unsigned dev, line;
		uint32_t status;
		struct dt_interrupt_config cfg;
		snprintf(name, sizeof(name), "d%u", d);
		if (dt_device_create(m, name, &dev) ||
		    dt_device_add_line(m, dev, sd->kind, sd->dirql, sd->aff ? sd->aff : all, &line) ||
		    dt_event_create(m, name, dev, line, 1, NULL))
			return -1;
		dt_interrupt_config_init(&cfg, sd->isr, sd->dpc);
		cfg.work_item = sd->wi;
		cfg.passive_handling = (uint8_t)sd->passive;
		cfg.spin_lock = sd->spin >= 0 ? s->spin[sd->spin] : 0;
		if (dt_interrupt_create(m, dev, &cfg, &status, &s->ihandle[d]) ||
		    status != DT_STATUS_SUCCESS)
			return -1;
	}
	for (unsigned t = 0; t < s->nthr; t++)
		if (dt_thread_create(m, s->thr[t].name, s->thr[t].prog, s->thr[t].aff, &s->tidx[t]))
			return -1;
	return 0;
}

static void sc_init(struct sc *s, unsigned ncpus, unsigned nvars)
{
	memset(s, 0, sizeof(*s));
	dt_config_default(&s->cfg, ncpus);
	s->host.progs = s->progs;
	s->host.build = sc_build;
	s->host.user = s;
	s->nvars = nvars;
}

static uint32_t sc_prog(struct sc *s, const struct dt_cinsn *code, unsigned len)
{
	ck_assert_uint_lt(s->nprogs, SC_MAX_PROGS);
	s->progs[s->nprogs] = (struct dt_cprog){ code, len };
	s->host.nprogs = ++s->nprogs;
	return s->nprogs - 1;
}
#define SC_PROG(s, arr) sc_prog((s), (arr), sizeof(arr) / sizeof((arr)[0]))

/* A device with one edge-or-level line and one interrupt object. */
static unsigned sc_dev(struct sc *s, unsigned kind, unsigned dirql, uint64_t aff, uint32_t isr,
		       uint32_t dpc)
{
	ck_assert_uint_lt(s->ndevs, SC_MAX_DEVS);
	s->devs[s->ndevs] = (struct sc_dev){ kind, dirql, aff, isr, dpc, DT_NO_CALLBACK, -1, 0 };
	return s->ndevs++;
}

static unsigned sc_thread(struct sc *s, const char *name, uint32_t prog, uint64_t aff)
{
	ck_assert_uint_lt(s->nthr, SC_MAX_THR);
	s->thr[s->nthr] = (struct sc_thr){ name, prog, aff };
	return s->nthr++;
}

static void sc_start(struct sc *s)
{
	ck_assert_int_eq(dt_machine_create(&s->cfg, dt_chost_ops(), &s->host, &s->m), DT_OK);
	const struct dt_state *st = dt_machine_state(s->m);
	ck_assert_msg(st->outcome.kind == DT_RUNNING, "the scenario did not build");
	for (unsigned i = 0; i < 2; i++) {
		ck_assert_uint_eq(s->spin[i], hS(i));
		ck_assert_uint_eq(s->wait[i], hW(i));
	}
	for (unsigned d = 0; d < s->ndevs; d++)
		ck_assert_uint_eq(s->ihandle[d], hI(d));
}

static void sc_done(struct sc *s)
{
	dt_machine_destroy(s->m);
	s->m = NULL;
	ck_assert_uint_eq(s->host.live_bodies, 0);
}

static const struct dt_state *st(const struct sc *s)
{
	return dt_machine_state(s->m);
}

static int64_t val(const struct sc *s, unsigned v)
{
	return st(s)->vars[v].value.u.i;
}

static int sc_try(struct sc *s, unsigned cpu)
{
	struct dt_choice c = { .kind = DT_CHOICE_CPU, .cpu = (uint16_t)cpu };
	return dt_machine_step(s->m, &c);
}

/* Step CPU `cpu` (asserting the step was enabled and taken). */
static void sc_cpu(struct sc *s, unsigned cpu)
{
	int rc = sc_try(s, cpu);
	ck_assert_msg(rc == DT_OK, "CPU %u could not step at step %u (rc %d, action %d)", cpu,
		      st(s)->step + 1, rc, dt_cpu_next_action(s->m, cpu));
}

static void sc_steps(struct sc *s, unsigned cpu, unsigned n)
{
	while (n--)
		sc_cpu(s, cpu);
}

/* Device d's event, delivered to `cpu`. */
static void sc_fire(struct sc *s, unsigned dev, unsigned cpu)
{
	struct dt_choice c = { .kind = DT_CHOICE_EVENT, .cpu = (uint16_t)cpu,
			       .object = (uint16_t)dev };
	ck_assert_int_eq(dt_machine_step(s->m, &c), DT_OK);
}

/* Dispatch lesson thread k onto `cpu`. */
static void sc_dispatch(struct sc *s, unsigned k, unsigned cpu)
{
	struct dt_choice c = { .kind = DT_CHOICE_THREAD, .cpu = (uint16_t)cpu,
			       .object = (uint16_t)s->tidx[k] };
	ck_assert_msg(dt_machine_step(s->m, &c) == DT_OK, "thread %u not dispatchable on CPU %u", k,
		      cpu);
}

static enum dt_cpu_action next(const struct sc *s, unsigned cpu)
{
	return dt_cpu_next_action(s->m, cpu);
}

/* Step `cpu` until its next action is `a` (bounded). */
static void sc_until(struct sc *s, unsigned cpu, enum dt_cpu_action a)
{
	for (int i = 0; i < 1000; i++) {
		if (next(s, cpu) == a)
			return;
		sc_cpu(s, cpu);
	}
	ck_abort_msg("CPU %u never reached action %d", cpu, a);
}

/* Round-robin to the end (dispatching ready threads at once), then settle. */
static void sc_run(struct sc *s)
{
	struct dt_sched sched;
	dt_sched_round_robin(&sched);
	dt_sched_run(&sched, s->m, 1000000);
}

static const struct dt_trace_event *last(const struct sc *s, unsigned kind)
{
	const struct dt_trace_event *t = dt_machine_trace(s->m);
	for (size_t i = dt_machine_trace_count(s->m); i-- > 0;)
		if (t[i].kind == kind)
			return &t[i];
	return NULL;
}

static unsigned count(const struct sc *s, unsigned kind)
{
	const struct dt_trace_event *t = dt_machine_trace(s->m);
	unsigned n = 0;
	for (size_t i = 0; i < dt_machine_trace_count(s->m); i++)
		n += t[i].kind == kind;
	return n;
}

static const struct dt_frame *top(const struct sc *s, unsigned cpu)
{
	const struct dt_cpu *c = &st(s)->cpus[cpu];
	ck_assert_uint_gt(c->nframes, 0);
	return &c->frames[c->nframes - 1];
}

static const char *outcome_text(const struct sc *s, char *buf, size_t size)
{
	const struct dt_outcome *o = &st(s)->outcome;
	snprintf(buf, size,
		 "outcome kind %u code 0x%X p 0x%llX 0x%llX 0x%llX 0x%llX reason %u rule %u cpu %d "
		 "step %u ncycle %u msg '%s'",
		 o->kind, o->code, (unsigned long long)o->p[0], (unsigned long long)o->p[1],
		 (unsigned long long)o->p[2], (unsigned long long)o->p[3], o->reason, o->rule, o->cpu,
		 o->step, o->ncycle, o->kind == DT_LESSON_ERROR ? dt_machine_string(s->m, o->message) : "");
	return buf;
}

static void expect_running(const struct sc *s)
{
	char buf[256];
	ck_assert_msg(st(s)->outcome.kind == DT_RUNNING, "expected running, got %s",
		      outcome_text(s, buf, sizeof(buf)));
}

/* The bug check, exactly: code, four parameters, reason, rule, CPU, step. */
static void expect_bugcheck(const struct sc *s, uint32_t code, uint64_t p1, uint64_t p2,
			    uint64_t p3, uint64_t p4, unsigned reason, unsigned rule, int cpu,
			    uint32_t step)
{
	char buf[256];
	const struct dt_outcome *o = &st(s)->outcome;
	outcome_text(s, buf, sizeof(buf));
	ck_assert_msg(o->kind == DT_BUGCHECK, "expected a bug check: %s", buf);
	ck_assert_msg(o->code == code, "code 0x%X expected: %s", code, buf);
	ck_assert_msg(o->p[0] == p1, "P1 0x%llX expected: %s", (unsigned long long)p1, buf);
	ck_assert_msg(o->p[1] == p2, "P2 0x%llX expected: %s", (unsigned long long)p2, buf);
	ck_assert_msg(o->p[2] == p3, "P3 0x%llX expected: %s", (unsigned long long)p3, buf);
	ck_assert_msg(o->p[3] == p4, "P4 0x%llX expected: %s", (unsigned long long)p4, buf);
	ck_assert_msg(o->reason == reason, "reason %u expected: %s", reason, buf);
	ck_assert_msg(o->rule == rule, "rule %u expected: %s", rule, buf);
	ck_assert_msg(o->cpu == cpu, "CPU %d expected: %s", cpu, buf);
	if (step)
		ck_assert_msg(o->step == step, "step %u expected: %s", step, buf);
	const struct dt_trace_event *e = last(s, DT_EV_BUGCHECK);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->arg[0], (int64_t)code);
	ck_assert_int_eq(e->arg[1], (int64_t)p1);
	ck_assert_uint_eq(e->rule, rule);
	/* A halted machine takes no more steps. */
	ck_assert_int_eq(sc_try((struct sc *)s, 0), DT_EHALTED);
}

/* A deadlock of CPUs: rule 36, `n` members, each spinning for a lock the
 * next one holds. */
static void expect_cpu_deadlock(const struct sc *s, unsigned n)
{
	char buf[256];
	const struct dt_outcome *o = &st(s)->outcome;
	outcome_text(s, buf, sizeof(buf));
	ck_assert_msg(o->kind == DT_DEADLOCK, "expected a deadlock: %s", buf);
	ck_assert_uint_eq(o->rule, 36);
	ck_assert_uint_eq(o->cycle_threads, 0);
	ck_assert_msg(o->ncycle == n, "%u members expected: %s", n, buf);
	const struct dt_trace_event *e = last(s, DT_EV_DEADLOCK);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->arg[0], n);
	ck_assert_uint_eq(e->rule, 36);
}

/* CPU `cpu`'s top frame spins for a lock held by CPU `owner`. */
static int spins_for_lock_of(const struct sc *s, unsigned cpu, unsigned owner)
{
	const struct dt_cpu *c = &st(s)->cpus[cpu];
	for (unsigned k = c->nframes; k-- > 0;) {
		const struct dt_frame *f = &c->frames[k];
		if (f->state != DT_FS_SPINNING || f->spin_lock == DT_NONE)
			continue;
		if (st(s)->locks[f->spin_lock].owner_cpu == (int)owner)
			return 1;
	}
	return 0;
}

/* ---- R30: NULL or wrong-type handles ------------------------------------ */

/* The four interrupt calls of the R30 table. */
static const unsigned r30_ops[] = {
	DT_OP_INTR_ACQUIRE_LOCK,
	DT_OP_INTR_RELEASE_LOCK,
	DT_OP_INTR_SYNCHRONIZE,
	DT_OP_QUEUE_WORKITEM_FOR_ISR,
};

/* R30: a NULL or wrong-type handle to WdfInterruptAcquireLock / ReleaseLock /
 * Synchronize / QueueWorkItemForIsr is 0x10D (5, handle, 0x1027, globals). */
START_TEST(test_R30_bad_handle_to_interrupt_call)
{
	unsigned op = r30_ops[_i];
	/* 0 from a thread is NULL (a thread has no interrupt of its own). */
	const uint64_t bad[] = { 0, hS(0), hW(0), hD(0) };
	for (unsigned b = 0; b < sizeof(bad) / sizeof(bad[0]); b++) {
		struct sc s;
		sc_init(&s, 1, 1);
		struct dt_cinsn sync_cb[] = { CP_RETI(1) };
		uint32_t cb = SC_PROG(&s, sync_cb);
		struct dt_cinsn isr[] = { CP_RETI(1) };
		struct dt_cinsn thread[] = {
			CP_OP(0, op, bad[b], cb),
			CP_WRITEI(0, 1),
			CP_RETI(0),
		};
		uint32_t pi = SC_PROG(&s, isr), pt = SC_PROG(&s, thread);
		sc_dev(&s, DT_LINE_EDGE, 5, 0, pi, DT_NO_CALLBACK);
		sc_thread(&s, "t", pt, 0);
		sc_start(&s);
		sc_dispatch(&s, 0, 0); /* step 1: the body stops before the call */
		sc_cpu(&s, 0);         /* step 2: the call */
		expect_bugcheck(&s, DT_BUGCODE_WDF_VIOLATION, DT_WDF_INVALID_HANDLE, bad[b],
				DT_FX_TYPE_INTERRUPT, DT_FAKE_DRIVER_GLOBALS, DT_BCR_INVALID_HANDLE,
				30, 0, 2);
		ck_assert_int_eq(val(&s, 0), 0);
		sc_done(&s);
	}
}
END_TEST

/* R30: the same from an ISR and a DPC (wrong type: a WDFSPINLOCK handle);
 * the check is unconditional, at any IRQL. */
START_TEST(test_R30_bad_handle_from_isr_and_dpc)
{
	for (unsigned where = 0; where < 2; where++) {
		for (unsigned k = 0; k < sizeof(r30_ops) / sizeof(r30_ops[0]); k++) {
			struct sc s;
			sc_init(&s, 1, 1);
			struct dt_cinsn sync_cb[] = { CP_RETI(1) };
			uint32_t cb = SC_PROG(&s, sync_cb);
			struct dt_cinsn bad_call[] = {
				CP_OP(0, r30_ops[k], hS(1), cb),
				CP_RETI(1),
			};
			struct dt_cinsn isr_queue[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
			uint32_t pbad = SC_PROG(&s, bad_call), pq = SC_PROG(&s, isr_queue);
			if (where == 0)
				sc_dev(&s, DT_LINE_EDGE, 6, 0, pbad, DT_NO_CALLBACK);
			else
				sc_dev(&s, DT_LINE_EDGE, 6, 0, pq, pbad);
			sc_start(&s);
			sc_fire(&s, 0, 0);
			sc_until(&s, 0, DT_ACT_PERFORM_OP);
			if (where == 1) {
				sc_steps(&s, 0, 2); /* queue, return */
				sc_cpu(&s, 0);      /* dequeue: the DPC stops before the call */
				ck_assert_uint_eq(top(&s, 0)->kind, DT_FRAME_DPC);
			}
			uint32_t at = st(&s)->step + 1;
			sc_cpu(&s, 0);
			expect_bugcheck(&s, DT_BUGCODE_WDF_VIOLATION, DT_WDF_INVALID_HANDLE, hS(1),
					DT_FX_TYPE_INTERRUPT, DT_FAKE_DRIVER_GLOBALS,
					DT_BCR_INVALID_HANDLE, 30, 0, at);
			sc_done(&s);
		}
	}
}
END_TEST

/* ---- R32: NULL required pointer -------------------------------------------- */

/* R32: WdfInterruptSynchronize with a NULL callback is 0x10D (4, 0, return
 * address, globals), from a thread and from a DPC; no lock is taken. */
START_TEST(test_R32_synchronize_null_callback)
{
	for (unsigned where = 0; where < 2; where++) {
		struct sc s;
		sc_init(&s, 1, 1);
		struct dt_cinsn call[] = {
			CP_OP(0, DT_OP_INTR_SYNCHRONIZE, hI(0), DT_NO_CALLBACK),
			CP_WRITEI(0, 1),
			CP_RETI(0),
		};
		struct dt_cinsn isr_plain[] = { CP_RETI(1) };
		struct dt_cinsn isr_queue[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
		uint32_t pc = SC_PROG(&s, call), pp = SC_PROG(&s, isr_plain),
			 pq = SC_PROG(&s, isr_queue);
		if (where == 0) {
			sc_dev(&s, DT_LINE_EDGE, 5, 0, pp, DT_NO_CALLBACK);
			sc_thread(&s, "t", pc, 0);
		} else {
			sc_dev(&s, DT_LINE_EDGE, 5, 0, pq, pc);
		}
		sc_start(&s);
		if (where == 0) {
			sc_dispatch(&s, 0, 0);
		} else {
			sc_fire(&s, 0, 0);
			sc_steps(&s, 0, 4); /* take, queue, return, dequeue */
			ck_assert_uint_eq(top(&s, 0)->kind, DT_FRAME_DPC);
		}
		unsigned irql = st(&s)->cpus[0].irql;
		uint32_t at = st(&s)->step + 1;
		sc_cpu(&s, 0);
		expect_bugcheck(&s, DT_BUGCODE_WDF_VIOLATION, DT_WDF_REQUIRED_PARAMETER_IS_NULL, 0,
				DT_FAKE_RETURN_ADDRESS, DT_FAKE_DRIVER_GLOBALS, DT_BCR_NULL_POINTER, 32,
				0, at);
		unsigned lock = st(&s)->interrupts[0].lock;
		ck_assert_int_eq(st(&s)->locks[lock].owner_cpu, -1);
		ck_assert_uint_eq(st(&s)->cpus[0].irql, irql);
		ck_assert_uint_eq(count(&s, DT_EV_SYNC_ENTER), 0);
		sc_done(&s);
	}
}
END_TEST

/* ---- R33: the DPC watchdog --------------------------------------------------- */

/* R33: one ISR or DPC that runs past the single allotment: 0x133 with P1 = 0,
 * P2 = its time count and P3 = the allotment, in ticks of tick_us. */
START_TEST(test_R33_single_routine_past_allotment)
{
	unsigned in_dpc = (unsigned)_i; /* 0: the ISR, 1: the DPC */
	struct sc s;
	sc_init(&s, 1, 0);
	ck_assert_uint_eq(s.cfg.sw.tick_us, 1000);
	ck_assert_uint_eq(s.cfg.sw.watchdog_single_us, 5000);
	struct dt_cinsn long_body[] = { CP_STEP(6500), CP_RETI(1) };
	struct dt_cinsn isr_queue[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
	uint32_t pl = SC_PROG(&s, long_body), pq = SC_PROG(&s, isr_queue);
	if (in_dpc)
		sc_dev(&s, DT_LINE_EDGE, 5, 0, pq, pl);
	else
		sc_dev(&s, DT_LINE_EDGE, 5, 0, pl, DT_NO_CALLBACK);
	sc_start(&s);
	sc_fire(&s, 0, 0);
	sc_cpu(&s, 0); /* take */
	if (in_dpc) {
		sc_steps(&s, 0, 3); /* queue, return, dequeue */
		ck_assert_uint_eq(top(&s, 0)->kind, DT_FRAME_DPC);
	}
	expect_running(&s);
	uint32_t at = st(&s)->step + 1;
	sc_cpu(&s, 0); /* the 6500 us step: about 6.5 ticks in this routine */
	expect_bugcheck(&s, DT_BUGCODE_DPC_WATCHDOG_VIOLATION, 0, 6, 5, 0, DT_BCR_WATCHDOG_SINGLE,
			33, 0, at);
	sc_done(&s);
}
END_TEST

/* R33 / engine-contract 3: a routine's charge is inclusive: an ISR that
 * preempts a DPC is charged to the DPC too, so the DPC passes its single
 * allotment during the ISR although neither alone did: P1 = 0, the DPC's
 * count (3 + 2.6 ms) in ticks. */
START_TEST(test_R33_single_charge_includes_preempting_isr)
{
	struct sc s;
	sc_init(&s, 1, 0);
	struct dt_cinsn isr_queue[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
	struct dt_cinsn dpc[] = { CP_STEP(3000), CP_STEP(1), CP_RETI(0) };
	struct dt_cinsn isr_long[] = { CP_STEP(2600), CP_RETI(1) };
	uint32_t pq = SC_PROG(&s, isr_queue), pd = SC_PROG(&s, dpc), pl = SC_PROG(&s, isr_long);
	sc_dev(&s, DT_LINE_EDGE, 5, 0, pq, pd);
	sc_dev(&s, DT_LINE_EDGE, 6, 0, pl, DT_NO_CALLBACK);
	sc_start(&s);
	sc_fire(&s, 0, 0);
	sc_steps(&s, 0, 5); /* take, queue, return, dequeue, the 3000 us step */
	expect_running(&s);
	sc_fire(&s, 1, 0);
	sc_cpu(&s, 0); /* the ISR preempts the DPC */
	ck_assert_uint_eq(st(&s)->cpus[0].nframes, 2);
	uint32_t at = st(&s)->step + 1;
	sc_cpu(&s, 0); /* the ISR's 2600 us step */
	expect_bugcheck(&s, DT_BUGCODE_DPC_WATCHDOG_VIOLATION, 0, 5, 5, 0, DT_BCR_WATCHDOG_SINGLE,
			33, 0, at);
	ck_assert_uint_gt(st(&s)->cpus[0].frames[0].charge_us, 5000);
	ck_assert_uint_le(st(&s)->cpus[0].frames[1].charge_us, 5000);
	sc_done(&s);
}
END_TEST

/* R33: a CPU held at DISPATCH through a chain of DPCs (each under the single
 * allotment) past the cumulative limit: 0x133 with P1 = 1, in ticks. */
START_TEST(test_R33_cumulative_across_dpcs)
{
	struct sc s;
	sc_init(&s, 1, 0);
	ck_assert_uint_eq(s.cfg.sw.watchdog_cumulative_us, 20000);
	struct dt_cinsn isr_queue[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
	/* 4.9 ms of work, then queue itself again: the drain never ends (R16). */
	struct dt_cinsn dpc_chain[] = { CP_STEP(4900), CP_QUEUE_DPC(0), CP_RETI(0) };
	uint32_t pq = SC_PROG(&s, isr_queue), pd = SC_PROG(&s, dpc_chain);
	sc_dev(&s, DT_LINE_EDGE, 5, 0, pq, pd);
	sc_start(&s);
	sc_fire(&s, 0, 0);
	for (int i = 0; i < 100 && st(&s)->outcome.kind == DT_RUNNING; i++)
		sc_cpu(&s, 0);
	/* Four runs end (about 19.6 ms); the fifth's step passes 20 ms. */
	ck_assert_uint_eq(st(&s)->dpcs[0].completions, 4);
	ck_assert_uint_eq(st(&s)->dpcs[0].runs, 5);
	ck_assert_uint_eq(top(&s, 0)->kind, DT_FRAME_DPC);
	expect_bugcheck(&s, DT_BUGCODE_DPC_WATCHDOG_VIOLATION, 1, 24, 20, 0,
			DT_BCR_WATCHDOG_CUMULATIVE, 33, 0, 0);
	ck_assert_uint_eq(count(&s, DT_EV_DRAIN_END), 0);
	sc_done(&s);
}
END_TEST

/* R33: the cumulative time is continuous time at DISPATCH or above: the same
 * work split by drops to PASSIVE never trips the watchdog. */
START_TEST(test_R33_cumulative_resets_below_dispatch)
{
	struct sc s;
	sc_init(&s, 1, 0);
	struct dt_cinsn isr_queue[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
	struct dt_cinsn dpc_work[] = { CP_STEP(4900), CP_RETI(0) };
	uint32_t pq = SC_PROG(&s, isr_queue), pd = SC_PROG(&s, dpc_work);
	sc_dev(&s, DT_LINE_EDGE, 5, 0, pq, pd);
	sc_start(&s);
	for (int run = 0; run < 8; run++) {
		sc_fire(&s, 0, 0);
		sc_steps(&s, 0, 6); /* take, queue, return, dequeue, step, return */
		ck_assert_uint_eq(st(&s)->cpus[0].nframes, 0);
		ck_assert_uint_eq(st(&s)->cpus[0].irql, DT_PASSIVE_LEVEL);
		expect_running(&s);
	}
	ck_assert_uint_eq(st(&s)->dpcs[0].completions, 8);
	ck_assert_uint_ge(st(&s)->cpus[0].busy_us, 8 * 4900);
	sc_run(&s);
	ck_assert_int_eq(st(&s)->outcome.kind, DT_QUIESCENT);
	sc_done(&s);
}
END_TEST

/* R33 / engine-contract 3: a CPU that is simply not stepped is charged
 * nothing, however many steps the other CPUs take. */
START_TEST(test_R33_unstepped_cpu_is_charged_nothing)
{
	struct sc s;
	sc_init(&s, 2, 0);
	struct dt_cinsn isr_queue[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
	struct dt_cinsn dpc_step[] = { CP_STEP(1), CP_RETI(0) };
	struct dt_cinsn loop[] = { CP_STEP(1), CP_JMP(0) };
	uint32_t pq = SC_PROG(&s, isr_queue), pd = SC_PROG(&s, dpc_step), pl = SC_PROG(&s, loop);
	sc_dev(&s, DT_LINE_EDGE, 5, 0, pq, pd);
	sc_thread(&s, "busy", pl, 1); /* CPU0 only */
	sc_start(&s);
	sc_fire(&s, 0, 1);
	sc_steps(&s, 1, 4); /* take, queue, return, dequeue: CPU1 sits in its DPC */
	ck_assert_uint_eq(top(&s, 1)->kind, DT_FRAME_DPC);
	ck_assert_uint_eq(st(&s)->cpus[1].irql, DT_DISPATCH_LEVEL);
	struct dt_cpu before = st(&s)->cpus[1];
	sc_dispatch(&s, 0, 0);
	for (unsigned i = 0; i < 25000; i++)
		sc_cpu(&s, 0);
	expect_running(&s);
	const struct dt_cpu *c1 = &st(&s)->cpus[1];
	ck_assert_uint_eq(c1->busy_us, before.busy_us);
	ck_assert_uint_eq(c1->elevated_us, before.elevated_us);
	ck_assert_uint_eq(c1->frames[0].charge_us, before.frames[0].charge_us);
	ck_assert_uint_eq(c1->steps, before.steps);
	ck_assert_uint_ge(st(&s)->cpus[0].busy_us, 25000);
	/* CPU1 still finishes its DPC normally. */
	sc_steps(&s, 1, 2);
	ck_assert_uint_eq(st(&s)->dpcs[0].completions, 1);
	expect_running(&s);
	sc_done(&s);
}
END_TEST

/* R33 / engine-contract 3: a spinning CPU is charged 1 us per global step
 * and can hit 0x133: in a thread at DISPATCH, the cumulative limit (P1 = 1);
 * in a DPC, the single limit first (P1 = 0).  Ticks are off: P2/P3 in us. */
START_TEST(test_R33_spinning_cpu_is_charged_per_step)
{
	unsigned in_dpc = (unsigned)_i;
	struct sc s;
	sc_init(&s, 3, 0);
	s.cfg.sw.tick_us = 0;
	struct dt_cinsn holder[] = {
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, hS(0), 0),
		CP_STEP(1),
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, hS(0), 0),
		CP_RETI(0),
	};
	struct dt_cinsn waiter[] = {
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, hS(0), 0),
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, hS(0), 0),
		CP_RETI(0),
	};
	struct dt_cinsn loop[] = { CP_STEP(1), CP_JMP(0) };
	struct dt_cinsn isr_queue[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
	uint32_t ph = SC_PROG(&s, holder), pw = SC_PROG(&s, waiter), pl = SC_PROG(&s, loop),
		 pq = SC_PROG(&s, isr_queue);
	sc_thread(&s, "holder", ph, 1 << 0);
	sc_thread(&s, "busy", pl, 1 << 2);
	if (in_dpc)
		sc_dev(&s, DT_LINE_EDGE, 5, 1 << 1, pq, pw);
	else
		sc_thread(&s, "waiter", pw, 1 << 1);
	sc_start(&s);
	sc_dispatch(&s, 0, 0);
	sc_cpu(&s, 0); /* CPU0 holds S0 at DISPATCH and is not stepped again */
	ck_assert_int_eq(st(&s)->locks[LK_S0].owner_cpu, 0);
	if (in_dpc) {
		sc_fire(&s, 0, 1);
		sc_steps(&s, 1, 4); /* take, queue, return, dequeue */
	} else {
		sc_dispatch(&s, 2, 1);
	}
	sc_cpu(&s, 1); /* the acquire: S0 is held, CPU1 spins */
	ck_assert_int_eq(next(&s, 1), DT_ACT_SPIN);
	ck_assert_uint_eq(st(&s)->cpus[1].irql, DT_DISPATCH_LEVEL);
	sc_dispatch(&s, 1, 2);
	struct dt_cpu c0 = st(&s)->cpus[0], c1 = st(&s)->cpus[1];
	unsigned k = c1.nframes - 1;
	for (unsigned i = 0; i < 4000; i++)
		sc_cpu(&s, 2);
	expect_running(&s);
	/* 1 us per global step for the spinner; nothing for the holder. */
	ck_assert_uint_eq(st(&s)->cpus[1].busy_us, c1.busy_us + 4000);
	ck_assert_uint_eq(st(&s)->cpus[1].elevated_us, c1.elevated_us + 4000);
	ck_assert_uint_eq(st(&s)->cpus[1].frames[k].charge_us, c1.frames[k].charge_us +
				  (in_dpc ? 4000 : 0));
	ck_assert_uint_eq(st(&s)->cpus[0].busy_us, c0.busy_us);
	ck_assert_uint_eq(st(&s)->cpus[0].elevated_us, c0.elevated_us);
	for (unsigned i = 0; i < 30000 && st(&s)->outcome.kind == DT_RUNNING; i++)
		sc_cpu(&s, 2);
	if (in_dpc) {
		/* The DPC's inclusive charge passes 5000 us: 5001. */
		ck_assert_uint_eq(st(&s)->cpus[1].frames[k].charge_us, 5001);
		expect_bugcheck(&s, DT_BUGCODE_DPC_WATCHDOG_VIOLATION, 0, 5001, 5000, 0,
				DT_BCR_WATCHDOG_SINGLE, 33, 1, 0);
	} else {
		ck_assert_uint_eq(st(&s)->cpus[1].elevated_us, 20001);
		expect_bugcheck(&s, DT_BUGCODE_DPC_WATCHDOG_VIOLATION, 1, 20001, 20000, 0,
				DT_BCR_WATCHDOG_CUMULATIVE, 33, 1, 0);
	}
	ck_assert_uint_eq(st(&s)->cpus[0].busy_us, c0.busy_us);
	sc_done(&s);
}
END_TEST

/* ---- R34: verifier findings -------------------------------------------------- */

/* R34, R63: WdfSpinLockAcquire on a WDFSPINLOCK that is an interrupt's
 * config.SpinLock: verifier off, the call proceeds; on with a debugger, it
 * returns without acting; on without one, 0x1E (0x80000003).  It never takes
 * the lock. */
START_TEST(test_R34_spinlock_acquire_on_interrupt_lock)
{
	unsigned mode = (unsigned)_i; /* 0 off, 1 on + debugger, 2 on, no debugger */
	struct sc s;
	sc_init(&s, 1, 3);
	s.cfg.sw.kmdf_verifier = mode > 0;
	s.cfg.sw.debugger_attached = mode == 1;
	struct dt_cinsn isr[] = { CP_RETI(1) };
	struct dt_cinsn thread[] = {
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, hS(0), 0),
		CP_IRQL(1),
		CP_WRITE(0, 1), /* v0 = IRQL after the "acquire" */
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, hS(0), 0),
		CP_WRITEI(1, 1),
		CP_RETI(0),
	};
	uint32_t pi = SC_PROG(&s, isr), pt = SC_PROG(&s, thread);
	unsigned d = sc_dev(&s, DT_LINE_EDGE, 6, 0, pi, DT_NO_CALLBACK);
	s.devs[d].spin = 0; /* S0 becomes the interrupt's lock */
	sc_thread(&s, "t", pt, 0);
	sc_start(&s);
	ck_assert_uint_eq(st(&s)->interrupts[0].lock, LK_S0);
	sc_dispatch(&s, 0, 0);
	sc_cpu(&s, 0); /* step 2: WdfSpinLockAcquire */
	ck_assert_int_eq(st(&s)->locks[LK_S0].owner_cpu, -1);
	const struct dt_trace_event *e = last(&s, DT_EV_VERIFIER);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->arg[0], DT_VF_SPINLOCK_IS_INTERRUPT_LOCK);
	ck_assert_int_eq(e->step, 2);
	if (mode == 2) {
		ck_assert_int_ne(e->result, 0);
		ck_assert_int_ne(e->result, 1);
		expect_bugcheck(&s, DT_BUGCODE_KMODE_EXCEPTION_NOT_HANDLED, 0x80000003u,
				DT_FAKE_RETURN_ADDRESS, 0, 0, DT_BCR_VERIFIER_BREAK, 34, 0, 2);
		sc_done(&s);
		return;
	}
	ck_assert_int_eq(e->result, mode == 0 ? 1 : 0);
	expect_running(&s);
	ck_assert_uint_eq(st(&s)->cpus[0].irql, DT_PASSIVE_LEVEL);
	ck_assert_uint_eq(top(&s, 0)->nheld, 0);
	ck_assert_uint_eq(count(&s, DT_EV_LOCK_ACQUIRE), 0);
	sc_run(&s);
	ck_assert_int_eq(st(&s)->outcome.kind, DT_QUIESCENT);
	ck_assert_int_eq(val(&s, 0), DT_PASSIVE_LEVEL); /* no raise */
	ck_assert_int_eq(val(&s, 1), 1);                /* the body went on */
	ck_assert_uint_eq(st(&s)->locks[LK_S0].acquisitions, 0);
	sc_done(&s);
}
END_TEST

/* ---- R35: what the routine then does ------------------------------------------ */

/* R35, R63: KeAcquireSpinLock / WdfSpinLockAcquire from a DIRQL ISR would
 * lower the IRQL: 0x9 (current, 2, 0, 0); with Driver Verifier IRQL checking,
 * 0xC4 (0x30, current, 2, 0). */
START_TEST(test_R35_spinlock_acquire_from_isr)
{
	static const struct {
		unsigned dirql, dv;
	} cases[] = { { 5, 0 }, { 9, 0 }, { 5, 1 }, { 12, 1 } };
	unsigned dirql = cases[_i].dirql, dv = cases[_i].dv;
	struct sc s;
	sc_init(&s, 2, 0);
	s.cfg.sw.driver_verifier_irql = (uint8_t)dv;
	struct dt_cinsn isr[] = {
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, hS(0), 0),
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, hS(0), 0),
		CP_RETI(1),
	};
	uint32_t pi = SC_PROG(&s, isr);
	sc_dev(&s, DT_LINE_EDGE, dirql, 0, pi, DT_NO_CALLBACK);
	sc_start(&s);
	sc_fire(&s, 0, 1);
	sc_cpu(&s, 1); /* take: IRQL = DIRQL */
	ck_assert_uint_eq(st(&s)->cpus[1].irql, dirql);
	sc_cpu(&s, 1); /* step 3: the acquire */
	if (dv)
		expect_bugcheck(&s, DT_BUGCODE_DRIVER_VERIFIER_DETECTED_VIOLATION,
				DT_C4_IRQL_RAISE_TO_LOWER, dirql, DT_DISPATCH_LEVEL, 0,
				DT_BCR_VERIFIER_IRQL, 35, 1, 3);
	else
		expect_bugcheck(&s, DT_BUGCODE_IRQL_NOT_GREATER_OR_EQUAL, dirql, DT_DISPATCH_LEVEL,
				0, 0, DT_BCR_IRQL_NOT_GREATER, 35, 1, 3);
	ck_assert_int_eq(st(&s)->locks[LK_S0].owner_cpu, -1);
	ck_assert_uint_eq(st(&s)->cpus[1].irql, dirql);
	sc_done(&s);
}
END_TEST

/* R35, R60: WdfInterruptAcquireLock is allowed at IRQL <= DIRQL; from a
 * DIRQL 8 ISR on a DIRQL 5 interrupt it would raise to a lower IRQL: 0x9
 * (8, 5, 0, 0), or 0xC4 (0x30, 8, 5, 0) under Driver Verifier. */
START_TEST(test_R35_acquire_lock_above_sync_irql)
{
	unsigned dv = (unsigned)_i;
	struct sc s;
	sc_init(&s, 1, 0);
	s.cfg.sw.driver_verifier_irql = (uint8_t)dv;
	struct dt_cinsn isr_plain[] = { CP_RETI(1) };
	struct dt_cinsn isr_high[] = {
		CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, hI(0), 0),
		CP_OP(0, DT_OP_INTR_RELEASE_LOCK, hI(0), 0),
		CP_RETI(1),
	};
	uint32_t pp = SC_PROG(&s, isr_plain), ph = SC_PROG(&s, isr_high);
	sc_dev(&s, DT_LINE_EDGE, 5, 0, pp, DT_NO_CALLBACK);
	sc_dev(&s, DT_LINE_EDGE, 8, 0, ph, DT_NO_CALLBACK);
	sc_start(&s);
	sc_fire(&s, 1, 0);
	sc_cpu(&s, 0); /* take: IRQL 8 */
	sc_cpu(&s, 0); /* step 3: WdfInterruptAcquireLock(DIRQL 5 interrupt) */
	if (dv)
		expect_bugcheck(&s, DT_BUGCODE_DRIVER_VERIFIER_DETECTED_VIOLATION,
				DT_C4_IRQL_RAISE_TO_LOWER, 8, 5, 0, DT_BCR_VERIFIER_IRQL, 35, 0, 3);
	else
		expect_bugcheck(&s, DT_BUGCODE_IRQL_NOT_GREATER_OR_EQUAL, 8, 5, 0, 0,
				DT_BCR_IRQL_NOT_GREATER, 35, 0, 3);
	ck_assert_int_eq(st(&s)->locks[st(&s)->interrupts[0].lock].owner_cpu, -1);
	sc_done(&s);
}
END_TEST

/* R35: WdfWaitLockAcquire on a held wait lock from a DPC is a wait at
 * DISPATCH: 0xB8; on the holder's CPU (the DPC preempted the holder thread)
 * and on another CPU. */
START_TEST(test_R35_waitlock_wait_in_dpc)
{
	unsigned dpc_cpu = (unsigned)_i;
	struct sc s;
	sc_init(&s, 2, 1);
	struct dt_cinsn holder[] = {
		CP_OP(0, DT_OP_WAITLOCK_ACQUIRE, hW(0), 0),
		CP_STEP(1),
		CP_OP(0, DT_OP_WAITLOCK_RELEASE, hW(0), 0),
		CP_RETI(0),
	};
	struct dt_cinsn isr_queue[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
	struct dt_cinsn dpc[] = {
		CP_OP(0, DT_OP_WAITLOCK_ACQUIRE, hW(0), 0),
		CP_WRITEI(0, 1),
		CP_OP(0, DT_OP_WAITLOCK_RELEASE, hW(0), 0),
		CP_RETI(0),
	};
	uint32_t ph = SC_PROG(&s, holder), pq = SC_PROG(&s, isr_queue), pd = SC_PROG(&s, dpc);
	sc_dev(&s, DT_LINE_EDGE, 5, 0, pq, pd);
	sc_thread(&s, "holder", ph, 1 << 0);
	sc_start(&s);
	sc_dispatch(&s, 0, 0);
	sc_cpu(&s, 0); /* the thread holds W0 */
	ck_assert_int_eq(st(&s)->locks[LK_W0].owner_thread, (int)s.tidx[0]);
	sc_fire(&s, 0, dpc_cpu);
	sc_until(&s, dpc_cpu, DT_ACT_DEQUEUE_DPC);
	sc_cpu(&s, dpc_cpu);
	ck_assert_uint_eq(top(&s, dpc_cpu)->kind, DT_FRAME_DPC);
	ck_assert_uint_eq(st(&s)->cpus[dpc_cpu].irql, DT_DISPATCH_LEVEL);
	uint32_t at = st(&s)->step + 1;
	sc_cpu(&s, dpc_cpu);
	expect_bugcheck(&s, DT_BUGCODE_ATTEMPTED_SWITCH_FROM_DPC, 0, 0, 0, 0,
			DT_BCR_WAIT_AT_DISPATCH, 35, (int)dpc_cpu, at);
	ck_assert_int_eq(val(&s, 0), 0);
	sc_done(&s);
}
END_TEST

/* R35, R20: KeFlushQueuedDpcs (it waits) called from a DPC: 0xB8. */
START_TEST(test_R35_flush_in_dpc)
{
	struct sc s;
	sc_init(&s, 1, 1);
	struct dt_cinsn isr_queue[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
	struct dt_cinsn dpc[] = {
		CP_OP(0, DT_OP_KE_FLUSH_QUEUED_DPCS, 0, 0),
		CP_WRITEI(0, 1),
		CP_RETI(0),
	};
	uint32_t pq = SC_PROG(&s, isr_queue), pd = SC_PROG(&s, dpc);
	sc_dev(&s, DT_LINE_EDGE, 5, 0, pq, pd);
	sc_start(&s);
	sc_fire(&s, 0, 0);
	sc_steps(&s, 0, 4); /* take, queue, return, dequeue */
	ck_assert_uint_eq(top(&s, 0)->kind, DT_FRAME_DPC);
	sc_cpu(&s, 0); /* step 6 */
	expect_bugcheck(&s, DT_BUGCODE_ATTEMPTED_SWITCH_FROM_DPC, 0, 0, 0, 0,
			DT_BCR_WAIT_AT_DISPATCH, 35, 0, 6);
	ck_assert_int_eq(val(&s, 0), 0);
	sc_done(&s);
}
END_TEST

/* ---- R36: deadlocks ---------------------------------------------------------- */

/* R36, R60: WdfInterruptAcquireLock twice without a release on one CPU spins
 * forever: a deadlock detected at once, cycle = [that CPU]; from a DPC and
 * from a thread.  For a passive interrupt the second acquire blocks the
 * thread on its own wait lock: a cycle of that one thread. */
START_TEST(test_R36_acquire_lock_twice_same_cpu)
{
	enum { FROM_DPC, FROM_THREAD, PASSIVE_FROM_THREAD };
	unsigned where = (unsigned)_i;
	struct sc s;
	sc_init(&s, 2, 1);
	struct dt_cinsn isr_queue[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
	struct dt_cinsn isr_plain[] = { CP_RETI(1) };
	struct dt_cinsn twice[] = {
		CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, hI(0), 0),
		CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, hI(0), 0),
		CP_WRITEI(0, 1),
		CP_OP(0, DT_OP_INTR_RELEASE_LOCK, hI(0), 0),
		CP_OP(0, DT_OP_INTR_RELEASE_LOCK, hI(0), 0),
		CP_RETI(0),
	};
	uint32_t pq = SC_PROG(&s, isr_queue), pp = SC_PROG(&s, isr_plain), pt = SC_PROG(&s, twice);
	if (where == FROM_DPC) {
		sc_dev(&s, DT_LINE_EDGE, 5, 0, pq, pt);
	} else {
		unsigned d = sc_dev(&s, DT_LINE_EDGE, 5, 0, pp, DT_NO_CALLBACK);
		s.devs[d].passive = where == PASSIVE_FROM_THREAD;
		sc_thread(&s, "t", pt, 1 << 1);
	}
	sc_start(&s);
	unsigned lock = st(&s)->interrupts[0].lock;
	if (where == FROM_DPC) {
		sc_fire(&s, 0, 1);
		sc_steps(&s, 1, 4); /* take, queue, return, dequeue */
	} else {
		sc_dispatch(&s, 0, 1);
	}
	sc_cpu(&s, 1); /* first acquire: held */
	expect_running(&s);
	if (where == PASSIVE_FROM_THREAD)
		ck_assert_int_eq(st(&s)->locks[lock].owner_thread, (int)s.tidx[0]);
	else
		ck_assert_int_eq(st(&s)->locks[lock].owner_cpu, 1);
	uint32_t at = st(&s)->step + 1;
	sc_cpu(&s, 1); /* second acquire: it waits for its own lock */
	const struct dt_outcome *o = &st(&s)->outcome;
	if (where == PASSIVE_FROM_THREAD) {
		char buf[256];
		ck_assert_msg(o->kind == DT_DEADLOCK, "expected a deadlock: %s",
			      outcome_text(&s, buf, sizeof(buf)));
		ck_assert_uint_eq(o->rule, 36);
		ck_assert_uint_eq(o->cycle_threads, 1);
		ck_assert_uint_eq(o->ncycle, 1);
		ck_assert_uint_eq(o->cycle[0], s.tidx[0]);
	} else {
		expect_cpu_deadlock(&s, 1);
		ck_assert_uint_eq(o->cycle[0], 1);
		ck_assert_int_eq(o->cpu, 1);
		ck_assert_uint_eq(st(&s)->cpus[1].irql, 5);
	}
	ck_assert_uint_eq(o->step, at);
	ck_assert_int_eq(val(&s, 0), 0);
	sc_done(&s);
}
END_TEST

/* R36, R63: a DPC holds a spin lock (KeAcquireSpinLockAtDpcLevel); an ISR
 * on the same CPU preempts it and calls KeAcquireSpinLockAtDpcLevel on the
 * same lock: the ISR spins over the frame that must release it: [cpu]. */
START_TEST(test_R36_isr_spins_on_lock_of_preempted_dpc)
{
	struct sc s;
	sc_init(&s, 2, 0);
	struct dt_cinsn isr_queue[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
	struct dt_cinsn dpc[] = {
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE_AT_DPC, hS(0), 0),
		CP_STEP(1),
		CP_OP(0, DT_OP_SPINLOCK_RELEASE_FROM_DPC, hS(0), 0),
		CP_RETI(0),
	};
	struct dt_cinsn isr_lock[] = {
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE_AT_DPC, hS(0), 0),
		CP_OP(0, DT_OP_SPINLOCK_RELEASE_FROM_DPC, hS(0), 0),
		CP_RETI(1),
	};
	uint32_t pq = SC_PROG(&s, isr_queue), pd = SC_PROG(&s, dpc), pl = SC_PROG(&s, isr_lock);
	sc_dev(&s, DT_LINE_EDGE, 5, 0, pq, pd);
	sc_dev(&s, DT_LINE_EDGE, 7, 0, pl, DT_NO_CALLBACK);
	sc_start(&s);
	sc_fire(&s, 0, 0);
	sc_steps(&s, 0, 5); /* take, queue, return, dequeue, acquire S0 */
	ck_assert_int_eq(st(&s)->locks[LK_S0].owner_cpu, 0);
	ck_assert_uint_eq(st(&s)->cpus[0].irql, DT_DISPATCH_LEVEL);
	sc_fire(&s, 1, 0);
	ck_assert_int_eq(next(&s, 0), DT_ACT_TAKE_INTERRUPT);
	sc_cpu(&s, 0); /* the DIRQL 7 ISR preempts the DPC */
	ck_assert_uint_eq(top(&s, 0)->kind, DT_FRAME_ISR);
	expect_running(&s);
	sc_cpu(&s, 0); /* KeAcquireSpinLockAtDpcLevel at DIRQL: S0 is held below */
	expect_cpu_deadlock(&s, 1);
	ck_assert_uint_eq(st(&s)->outcome.cycle[0], 0);
	ck_assert_int_eq(st(&s)->outcome.cpu, 0);
	ck_assert_uint_eq(st(&s)->cpus[0].irql, 7);
	sc_done(&s);
}
END_TEST

/* R36: two CPUs each holding one spin lock and spinning for the other's:
 * a cycle of two CPUs, found the moment it closes. */
START_TEST(test_R36_two_cpus_two_locks)
{
	struct sc s;
	sc_init(&s, 2, 0);
	struct dt_cinsn isr_queue[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
	struct dt_cinsn dpc_ab[] = {
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, hS(0), 0),
		CP_STEP(1),
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, hS(1), 0),
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, hS(1), 0),
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, hS(0), 0),
		CP_RETI(0),
	};
	struct dt_cinsn dpc_ba[] = {
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, hS(1), 0),
		CP_STEP(1),
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, hS(0), 0),
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, hS(0), 0),
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, hS(1), 0),
		CP_RETI(0),
	};
	uint32_t pq = SC_PROG(&s, isr_queue), pab = SC_PROG(&s, dpc_ab),
		 pba = SC_PROG(&s, dpc_ba);
	sc_dev(&s, DT_LINE_EDGE, 5, 0, pq, pab);
	sc_dev(&s, DT_LINE_EDGE, 5, 0, pq, pba);
	sc_start(&s);
	sc_fire(&s, 0, 0);
	sc_steps(&s, 0, 4);
	sc_fire(&s, 1, 1);
	sc_steps(&s, 1, 4);
	sc_cpu(&s, 0); /* CPU0 holds S0 */
	sc_cpu(&s, 1); /* CPU1 holds S1 */
	sc_cpu(&s, 0);
	sc_cpu(&s, 0); /* CPU0 spins for S1 */
	ck_assert_int_eq(next(&s, 0), DT_ACT_SPIN);
	expect_running(&s);
	sc_cpu(&s, 1);
	uint32_t at = st(&s)->step + 1;
	sc_cpu(&s, 1); /* CPU1 spins for S0: the cycle closes */
	expect_cpu_deadlock(&s, 2);
	const struct dt_outcome *o = &st(&s)->outcome;
	ck_assert_uint_eq(o->step, at);
	ck_assert_uint_ne(o->cycle[0], o->cycle[1]);
	for (unsigned i = 0; i < 2; i++) {
		ck_assert_uint_lt(o->cycle[i], 2);
		/* each member spins for a lock the next one holds */
		ck_assert(spins_for_lock_of(&s, o->cycle[i], o->cycle[(i + 1) % 2]));
	}
	sc_done(&s);
}
END_TEST

/* R36, R03: NOT a deadlock: CPU1 spins for the interrupt lock while CPU0's
 * ISR runs; it obtains the lock when that ISR returns. */
START_TEST(test_R36_spin_on_running_isr_is_no_deadlock)
{
	struct sc s;
	sc_init(&s, 2, 0);
	struct dt_cinsn isr[] = { CP_STEP(1), CP_STEP(1), CP_RETI(1) };
	uint32_t pi = SC_PROG(&s, isr);
	sc_dev(&s, DT_LINE_EDGE, 5, 0, pi, DT_NO_CALLBACK);
	sc_start(&s);
	unsigned lock = st(&s)->interrupts[0].lock;
	sc_fire(&s, 0, 0);
	sc_cpu(&s, 0); /* CPU0's ISR holds the interrupt lock */
	sc_fire(&s, 0, 1);
	sc_cpu(&s, 1); /* CPU1 takes it and spins */
	expect_running(&s);
	ck_assert_int_eq(next(&s, 1), DT_ACT_SPIN);
	ck_assert(!dt_cpu_can_step(s.m, 1));
	const struct dt_trace_event *e = last(&s, DT_EV_ISR_SPIN);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->cpu, 1);
	ck_assert_int_eq(e->arg[0], lock);
	ck_assert_int_eq(e->cause_cpu, 0);
	sc_steps(&s, 0, 3); /* step, step, return */
	expect_running(&s);
	ck_assert_int_eq(next(&s, 1), DT_ACT_OBTAIN_LOCK);
	sc_cpu(&s, 1);
	ck_assert_int_eq(st(&s)->locks[lock].owner_cpu, 1);
	ck_assert_uint_eq(st(&s)->interrupts[0].isr_calls, 2);
	ck_assert_ptr_nonnull(last(&s, DT_EV_LOCK_OBTAINED));
	sc_run(&s);
	ck_assert_int_eq(st(&s)->outcome.kind, DT_QUIESCENT);
	sc_done(&s);
}
END_TEST

/* R36, R63: NOT a deadlock: an ISR on CPU1 spins (KeAcquireSpinLockAtDpcLevel)
 * for a spin lock a DPC on CPU0 holds; CPU0 goes on, releases it, and the ISR
 * obtains it. */
START_TEST(test_R36_isr_spin_on_remote_dpc_lock_is_no_deadlock)
{
	struct sc s;
	sc_init(&s, 2, 1);
	struct dt_cinsn isr_queue[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
	struct dt_cinsn dpc[] = {
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE_AT_DPC, hS(0), 0),
		CP_STEP(1),
		CP_OP(0, DT_OP_SPINLOCK_RELEASE_FROM_DPC, hS(0), 0),
		CP_RETI(0),
	};
	struct dt_cinsn isr_lock[] = {
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE_AT_DPC, hS(0), 0),
		CP_WRITEI(0, 7),
		CP_OP(0, DT_OP_SPINLOCK_RELEASE_FROM_DPC, hS(0), 0),
		CP_RETI(1),
	};
	uint32_t pq = SC_PROG(&s, isr_queue), pd = SC_PROG(&s, dpc), pl = SC_PROG(&s, isr_lock);
	sc_dev(&s, DT_LINE_EDGE, 5, 0, pq, pd);
	sc_dev(&s, DT_LINE_EDGE, 7, 0, pl, DT_NO_CALLBACK);
	sc_start(&s);
	sc_fire(&s, 0, 0);
	sc_steps(&s, 0, 5); /* take, queue, return, dequeue, acquire S0 */
	ck_assert_int_eq(st(&s)->locks[LK_S0].owner_cpu, 0);
	sc_fire(&s, 1, 1);
	sc_steps(&s, 1, 2); /* take, acquire: spins for S0 */
	expect_running(&s);
	ck_assert_int_eq(next(&s, 1), DT_ACT_SPIN);
	ck_assert(spins_for_lock_of(&s, 1, 0));
	sc_steps(&s, 0, 2); /* step, release */
	ck_assert_int_eq(next(&s, 1), DT_ACT_OBTAIN_LOCK);
	sc_run(&s);
	ck_assert_int_eq(st(&s)->outcome.kind, DT_QUIESCENT);
	ck_assert_int_eq(val(&s, 0), 7);
	sc_done(&s);
}
END_TEST

/* R36: NOT a deadlock (an earlier engine bug): CPU1 spins at DIRQL 5 for lock
 * A under a DIRQL 6 ISR that holds lock B; CPU0 holds A and spins for B.  The
 * DIRQL 6 ISR runs on, releases B, and everything completes. */
START_TEST(test_R36_spinner_below_running_isr_is_no_deadlock)
{
	struct sc s;
	sc_init(&s, 2, 1);
	/* ISR5 (lock A) takes ISR6's lock B inside: WdfInterruptAcquireLock(I6). */
	struct dt_cinsn isr5[] = {
		CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, hI(1), 0),
		CP_OP(0, DT_OP_INTR_RELEASE_LOCK, hI(1), 0),
		CP_RETI(1),
	};
	struct dt_cinsn isr6[] = { CP_STEP(1), CP_WRITEI(0, 6), CP_RETI(1) };
	uint32_t p5 = SC_PROG(&s, isr5), p6 = SC_PROG(&s, isr6);
	sc_dev(&s, DT_LINE_EDGE, 5, 0, p5, DT_NO_CALLBACK);
	sc_dev(&s, DT_LINE_EDGE, 6, 0, p6, DT_NO_CALLBACK);
	sc_start(&s);
	unsigned lock_a = st(&s)->interrupts[0].lock, lock_b = st(&s)->interrupts[1].lock;
	sc_fire(&s, 0, 0);
	sc_cpu(&s, 0); /* CPU0: ISR5 holds A */
	sc_fire(&s, 0, 1);
	sc_cpu(&s, 1); /* CPU1: ISR5 spins for A at DIRQL 5 */
	ck_assert_int_eq(next(&s, 1), DT_ACT_SPIN);
	ck_assert_uint_eq(st(&s)->cpus[1].irql, 5);
	sc_fire(&s, 1, 1);
	ck_assert_int_eq(next(&s, 1), DT_ACT_TAKE_INTERRUPT);
	sc_cpu(&s, 1); /* CPU1: ISR6 preempts the spinner and holds B */
	ck_assert_int_eq(st(&s)->locks[lock_b].owner_cpu, 1);
	ck_assert_uint_eq(st(&s)->cpus[1].irql, 6);
	sc_cpu(&s, 0); /* CPU0: WdfInterruptAcquireLock(I6) spins for B at 6 */
	ck_assert_int_eq(next(&s, 0), DT_ACT_SPIN);
	ck_assert_uint_eq(st(&s)->cpus[0].irql, 6);
	expect_running(&s);
	ck_assert_uint_eq(count(&s, DT_EV_DEADLOCK), 0);
	sc_steps(&s, 1, 3); /* ISR6: step, write, return: B is free */
	ck_assert_int_eq(st(&s)->locks[lock_b].owner_cpu, -1);
	ck_assert_int_eq(next(&s, 0), DT_ACT_OBTAIN_LOCK);
	ck_assert_int_eq(next(&s, 1), DT_ACT_SPIN);
	sc_run(&s);
	ck_assert_int_eq(st(&s)->outcome.kind, DT_QUIESCENT);
	ck_assert_int_eq(val(&s, 0), 6);
	ck_assert_uint_eq(st(&s)->interrupts[0].isr_calls, 2);
	ck_assert_int_eq(st(&s)->locks[lock_a].owner_cpu, -1);
	sc_done(&s);
}
END_TEST

/* R36: two lesson threads each holding a WDFWAITLOCK and waiting for the
 * other's: a deadlock of threads (a hang on real Windows), found at once. */
START_TEST(test_R36_two_threads_two_waitlocks)
{
	struct sc s;
	sc_init(&s, 2, 0);
	struct dt_cinsn t_ab[] = {
		CP_OP(0, DT_OP_WAITLOCK_ACQUIRE, hW(0), 0),
		CP_STEP(1),
		CP_OP(0, DT_OP_WAITLOCK_ACQUIRE, hW(1), 0),
		CP_OP(0, DT_OP_WAITLOCK_RELEASE, hW(1), 0),
		CP_OP(0, DT_OP_WAITLOCK_RELEASE, hW(0), 0),
		CP_RETI(0),
	};
	struct dt_cinsn t_ba[] = {
		CP_OP(0, DT_OP_WAITLOCK_ACQUIRE, hW(1), 0),
		CP_STEP(1),
		CP_OP(0, DT_OP_WAITLOCK_ACQUIRE, hW(0), 0),
		CP_OP(0, DT_OP_WAITLOCK_RELEASE, hW(0), 0),
		CP_OP(0, DT_OP_WAITLOCK_RELEASE, hW(1), 0),
		CP_RETI(0),
	};
	uint32_t pab = SC_PROG(&s, t_ab), pba = SC_PROG(&s, t_ba);
	sc_thread(&s, "ab", pab, 0);
	sc_thread(&s, "ba", pba, 0);
	sc_start(&s);
	sc_dispatch(&s, 0, 0);
	sc_dispatch(&s, 1, 1);
	sc_cpu(&s, 0); /* ab holds W0 */
	sc_cpu(&s, 1); /* ba holds W1 */
	sc_cpu(&s, 0);
	sc_cpu(&s, 0); /* ab blocks on W1: its CPU is free */
	expect_running(&s);
	ck_assert_uint_eq(st(&s)->threads[s.tidx[0]].state, DT_TS_BLOCKED);
	ck_assert_uint_eq(st(&s)->cpus[0].nframes, 0);
	sc_cpu(&s, 1);
	uint32_t at = st(&s)->step + 1;
	sc_cpu(&s, 1); /* ba blocks on W0: the cycle closes */
	const struct dt_outcome *o = &st(&s)->outcome;
	char buf[256];
	ck_assert_msg(o->kind == DT_DEADLOCK, "expected a deadlock: %s",
		      outcome_text(&s, buf, sizeof(buf)));
	ck_assert_uint_eq(o->rule, 36);
	ck_assert_uint_eq(o->cycle_threads, 1);
	ck_assert_uint_eq(o->ncycle, 2);
	ck_assert_uint_eq(o->step, at);
	for (unsigned i = 0; i < 2; i++) {
		const struct dt_thread *t = &st(&s)->threads[o->cycle[i]];
		ck_assert(o->cycle[i] == s.tidx[0] || o->cycle[i] == s.tidx[1]);
		ck_assert_uint_eq(t->state, DT_TS_BLOCKED);
		ck_assert_uint_eq(t->wait_kind, DT_WAIT_LOCK);
		/* each waits for a lock the next one holds */
		ck_assert_int_eq(st(&s)->locks[t->wait_object].owner_thread, o->cycle[(i + 1) % 2]);
	}
	ck_assert_uint_ne(o->cycle[0], o->cycle[1]);
	const struct dt_trace_event *e = last(&s, DT_EV_DEADLOCK);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->arg[0], 2);
	ck_assert_int_eq(e->arg[1], 1);
	sc_done(&s);
}
END_TEST

/* R36, R70, R41: a thread blocked forever with nothing else able to step
 * (it disables an interrupt and waits for a work item that waits for the
 * thread's wait lock): dt_machine_settle reports the hang as a deadlock. */
START_TEST(test_R36_blocked_thread_hang_at_settle)
{
	struct sc s;
	sc_init(&s, 1, 0);
	struct dt_cinsn isr[] = { CP_RETI(1) };
	struct dt_cinsn work_item[] = {
		CP_OP(0, DT_OP_WAITLOCK_ACQUIRE, hW(0), 0),
		CP_OP(0, DT_OP_WAITLOCK_RELEASE, hW(0), 0),
		CP_RETI(0),
	};
	struct dt_cinsn thread[] = {
		CP_OP(0, DT_OP_WAITLOCK_ACQUIRE, hW(0), 0),
		CP_OP(0, DT_OP_QUEUE_WORKITEM_FOR_ISR, hI(0), 0),
		CP_OP(0, DT_OP_INTR_DISABLE, hI(0), 0),
		CP_OP(0, DT_OP_WAITLOCK_RELEASE, hW(0), 0),
		CP_RETI(0),
	};
	uint32_t pi = SC_PROG(&s, isr), pw = SC_PROG(&s, work_item), pt = SC_PROG(&s, thread);
	unsigned d = sc_dev(&s, DT_LINE_EDGE, 5, 0, pi, DT_NO_CALLBACK);
	s.devs[d].wi = pw;
	sc_thread(&s, "t", pt, 0);
	sc_start(&s);
	unsigned t = s.tidx[0];
	sc_run(&s);
	const struct dt_outcome *o = &st(&s)->outcome;
	char buf[256];
	ck_assert_msg(o->kind == DT_DEADLOCK, "expected a deadlock (hang): %s",
		      outcome_text(&s, buf, sizeof(buf)));
	ck_assert_uint_eq(o->rule, 36);
	ck_assert_uint_eq(o->cycle_threads, 1);
	ck_assert_uint_eq(o->ncycle, 2);
	int has_t = 0, has_worker = 0;
	for (unsigned i = 0; i < o->ncycle; i++) {
		const struct dt_thread *th = &st(&s)->threads[o->cycle[i]];
		ck_assert_uint_eq(th->state, DT_TS_BLOCKED);
		has_t |= o->cycle[i] == t;
		has_worker |= th->kind == DT_THREAD_WORKER;
	}
	ck_assert(has_t && has_worker);
	ck_assert_uint_eq(st(&s)->threads[t].wait_kind, DT_WAIT_DISABLE);
	ck_assert_uint_eq(dt_machine_enabled(s.m, NULL, 0), 0);
	sc_done(&s);
}
END_TEST

/* R36, engine-contract 7: the same hang is only reported when no device
 * event is left: settle(events_left = 1) keeps the machine running. */
START_TEST(test_R36_settle_with_events_left_keeps_running)
{
	struct sc s;
	sc_init(&s, 1, 0);
	struct dt_cinsn isr[] = { CP_RETI(1) };
	struct dt_cinsn work_item[] = {
		CP_OP(0, DT_OP_WAITLOCK_ACQUIRE, hW(0), 0),
		CP_OP(0, DT_OP_WAITLOCK_RELEASE, hW(0), 0),
		CP_RETI(0),
	};
	struct dt_cinsn thread[] = {
		CP_OP(0, DT_OP_WAITLOCK_ACQUIRE, hW(0), 0),
		CP_OP(0, DT_OP_QUEUE_WORKITEM_FOR_ISR, hI(0), 0),
		CP_OP(0, DT_OP_INTR_DISABLE, hI(0), 0),
		CP_OP(0, DT_OP_WAITLOCK_RELEASE, hW(0), 0),
		CP_RETI(0),
	};
	uint32_t pi = SC_PROG(&s, isr), pw = SC_PROG(&s, work_item), pt = SC_PROG(&s, thread);
	unsigned d = sc_dev(&s, DT_LINE_EDGE, 5, 0, pi, DT_NO_CALLBACK);
	s.devs[d].wi = pw;
	sc_thread(&s, "t", pt, 0);
	sc_start(&s);
	sc_dispatch(&s, 0, 0);
	sc_cpu(&s, 0); /* holds W0 */
	sc_cpu(&s, 0); /* queues the work item */
	sc_cpu(&s, 0); /* disables: waits for the work item */
	ck_assert_uint_eq(st(&s)->threads[s.tidx[0]].state, DT_TS_BLOCKED);
	struct dt_choice c[8];
	unsigned n = dt_machine_enabled(s.m, c, 8);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(c[0].kind, DT_CHOICE_THREAD);
	ck_assert_int_eq(dt_machine_step(s.m, &c[0]), DT_OK); /* the worker starts */
	sc_cpu(&s, 0); /* the work item blocks on W0 */
	ck_assert_uint_eq(dt_machine_enabled(s.m, NULL, 0), 0);
	expect_running(&s); /* no cycle of wait locks: nothing reported yet */
	ck_assert_int_eq(dt_machine_settle(s.m, 1), DT_OK);
	expect_running(&s);
	ck_assert_int_eq(dt_machine_settle(s.m, 0), DT_OK);
	ck_assert_int_eq(st(&s)->outcome.kind, DT_DEADLOCK);
	ck_assert_uint_eq(st(&s)->outcome.rule, 36);
	ck_assert_uint_eq(st(&s)->outcome.cycle_threads, 1);
	sc_done(&s);
}
END_TEST

/* ---- R60: the interrupt lock -------------------------------------------------- */

/* R60, R08: WdfInterruptAcquireLock from a DPC raises to SynchronizeIrql and
 * holds the lock; an arrival on that CPU stays pending and is taken at
 * WdfInterruptReleaseLock, before the DPC's next operation. */
START_TEST(test_R60_dpc_acquire_lock_defers_local_isr)
{
	struct sc s;
	sc_init(&s, 1, 2);
	struct dt_cinsn isr_queue[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
	struct dt_cinsn dpc[] = {
		CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, 0, 0),
		CP_WRITEI(0, 1),
		CP_OP(0, DT_OP_INTR_RELEASE_LOCK, 0, 0),
		CP_WRITEI(1, 2),
		CP_RETI(0),
	};
	uint32_t pq = SC_PROG(&s, isr_queue), pd = SC_PROG(&s, dpc);
	sc_dev(&s, DT_LINE_EDGE, 5, 0, pq, pd);
	sc_start(&s);
	unsigned lock = st(&s)->interrupts[0].lock;
	ck_assert_uint_eq(st(&s)->interrupts[0].sync_irql, 5);
	sc_fire(&s, 0, 0);
	sc_steps(&s, 0, 4); /* take, queue, return, dequeue */
	ck_assert_uint_eq(st(&s)->cpus[0].irql, DT_DISPATCH_LEVEL);
	sc_cpu(&s, 0); /* step 6: WdfInterruptAcquireLock */
	ck_assert_uint_eq(st(&s)->cpus[0].irql, 5);
	ck_assert_int_eq(st(&s)->locks[lock].owner_cpu, 0);
	ck_assert_uint_eq(top(&s, 0)->kind, DT_FRAME_DPC);
	ck_assert_uint_eq(top(&s, 0)->nheld, 1);
	const struct dt_trace_event *e = last(&s, DT_EV_LOCK_ACQUIRE);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->step, 6);
	ck_assert_uint_eq(e->object, lock);
	sc_fire(&s, 0, 0); /* step 7: masked on this CPU */
	ck_assert_uint_eq(st(&s)->cpus[0].npending, 1);
	e = last(&s, DT_EV_IRQ_PENDING);
	ck_assert_uint_eq(e->step, 7);
	ck_assert_uint_eq(e->rule, 2);
	ck_assert_int_eq(next(&s, 0), DT_ACT_PERFORM_OP);
	sc_cpu(&s, 0); /* step 8: v0 = 1, still masked */
	ck_assert_int_eq(val(&s, 0), 1);
	ck_assert_uint_eq(st(&s)->cpus[0].npending, 1);
	ck_assert_int_eq(next(&s, 0), DT_ACT_PERFORM_OP);
	sc_cpu(&s, 0); /* step 9: WdfInterruptReleaseLock */
	ck_assert_int_eq(st(&s)->locks[lock].owner_cpu, -1);
	ck_assert_uint_eq(st(&s)->cpus[0].irql, DT_DISPATCH_LEVEL);
	ck_assert_ptr_nonnull(last(&s, DT_EV_LOCK_RELEASE));
	ck_assert_int_eq(next(&s, 0), DT_ACT_TAKE_INTERRUPT);
	sc_cpu(&s, 0); /* step 10: the ISR, before the DPC's next operation */
	ck_assert_int_eq(val(&s, 1), 0);
	ck_assert_uint_eq(st(&s)->cpus[0].nframes, 2);
	ck_assert_uint_eq(top(&s, 0)->kind, DT_FRAME_ISR);
	ck_assert_uint_eq(top(&s, 0)->saved_irql, DT_DISPATCH_LEVEL);
	ck_assert_uint_eq(last(&s, DT_EV_ISR_ENTER)->step, 10);
	sc_run(&s);
	ck_assert_int_eq(st(&s)->outcome.kind, DT_QUIESCENT);
	ck_assert_int_eq(val(&s, 1), 2);
	ck_assert_uint_eq(st(&s)->dpcs[0].runs, 2);
	sc_done(&s);
}
END_TEST

/* R60, R03: while a DPC on CPU0 holds the interrupt lock, an arrival on CPU1
 * is taken there and spins at DIRQL until the release. */
START_TEST(test_R60_remote_arrival_spins_at_dirql)
{
	struct sc s;
	sc_init(&s, 2, 2);
	struct dt_cinsn isr_queue[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
	struct dt_cinsn dpc[] = {
		CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, 0, 0),
		CP_WRITEI(0, 1),
		CP_OP(0, DT_OP_INTR_RELEASE_LOCK, 0, 0),
		CP_RETI(0),
	};
	uint32_t pq = SC_PROG(&s, isr_queue), pd = SC_PROG(&s, dpc);
	sc_dev(&s, DT_LINE_EDGE, 5, 0, pq, pd);
	sc_start(&s);
	unsigned lock = st(&s)->interrupts[0].lock;
	sc_fire(&s, 0, 0);
	sc_steps(&s, 0, 5); /* ..., dequeue, acquire */
	ck_assert_int_eq(st(&s)->locks[lock].owner_cpu, 0);
	sc_fire(&s, 0, 1);
	sc_cpu(&s, 1); /* CPU1 takes it: the ISR spins for the lock */
	ck_assert_uint_eq(st(&s)->cpus[1].irql, 5);
	ck_assert_uint_eq(top(&s, 1)->kind, DT_FRAME_ISR);
	ck_assert_uint_eq(top(&s, 1)->state, DT_FS_SPINNING);
	ck_assert_int_eq(next(&s, 1), DT_ACT_SPIN);
	ck_assert(!dt_cpu_can_step(s.m, 1));
	ck_assert_int_eq(sc_try(&s, 1), DT_ENOTENABLED);
	ck_assert_uint_eq(st(&s)->interrupts[0].isr_calls, 1);
	const struct dt_trace_event *e = last(&s, DT_EV_ISR_SPIN);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->cpu, 1);
	ck_assert_int_eq(e->arg[0], lock);
	ck_assert_int_eq(e->cause_cpu, 0);
	expect_running(&s);
	sc_steps(&s, 0, 2); /* v0 = 1, release */
	ck_assert_int_eq(next(&s, 1), DT_ACT_OBTAIN_LOCK);
	sc_cpu(&s, 1);
	ck_assert_int_eq(st(&s)->locks[lock].owner_cpu, 1);
	ck_assert_uint_eq(st(&s)->interrupts[0].isr_calls, 2);
	e = last(&s, DT_EV_LOCK_OBTAINED);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->cpu, 1);
	ck_assert_uint_eq(e->object, lock);
	sc_run(&s);
	ck_assert_int_eq(st(&s)->outcome.kind, DT_QUIESCENT);
	sc_done(&s);
}
END_TEST

/* R60, R02: a CPU spinning in WdfInterruptAcquireLock sits at DIRQL with its
 * own device interrupts (and lower ones) masked; a higher one preempts. */
START_TEST(test_R60_waiter_spins_at_dirql_masked)
{
	struct sc s;
	sc_init(&s, 2, 3);
	struct dt_cinsn isr_queue[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
	struct dt_cinsn dpc[] = {
		CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, 0, 0),
		CP_STEP(1),
		CP_OP(0, DT_OP_INTR_RELEASE_LOCK, 0, 0),
		CP_RETI(0),
	};
	struct dt_cinsn isr_v1[] = { CP_WRITEI(1, 1), CP_RETI(1) };
	struct dt_cinsn isr_v2[] = { CP_WRITEI(2, 1), CP_RETI(1) };
	uint32_t pq = SC_PROG(&s, isr_queue), pd = SC_PROG(&s, dpc), p1 = SC_PROG(&s, isr_v1),
		 p2 = SC_PROG(&s, isr_v2);
	sc_dev(&s, DT_LINE_EDGE, 5, 0, pq, pd);
	sc_dev(&s, DT_LINE_EDGE, 4, 0, p1, DT_NO_CALLBACK);
	sc_dev(&s, DT_LINE_EDGE, 7, 0, p2, DT_NO_CALLBACK);
	sc_start(&s);
	unsigned lock = st(&s)->interrupts[0].lock;
	sc_fire(&s, 0, 0);
	sc_steps(&s, 0, 4); /* CPU0's DPC stops before AcquireLock */
	sc_fire(&s, 0, 1);
	sc_steps(&s, 1, 4); /* CPU1: a second instance (R13, R14) */
	ck_assert_uint_eq(top(&s, 1)->kind, DT_FRAME_DPC);
	sc_cpu(&s, 0); /* CPU0 holds the lock */
	sc_cpu(&s, 1); /* CPU1 raises to SynchronizeIrql and spins */
	ck_assert_uint_eq(st(&s)->cpus[1].irql, 5);
	ck_assert_uint_eq(top(&s, 1)->state, DT_FS_SPINNING);
	ck_assert_uint_eq(top(&s, 1)->spin_lock, lock);
	ck_assert_int_eq(next(&s, 1), DT_ACT_SPIN);
	const struct dt_trace_event *e = last(&s, DT_EV_LOCK_SPIN);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->cpu, 1);
	ck_assert_uint_eq(e->object, lock);
	ck_assert_int_eq(e->cause_cpu, 0);
	sc_fire(&s, 1, 1); /* DIRQL 4: masked */
	sc_fire(&s, 0, 1); /* its own device, DIRQL 5: masked */
	ck_assert_uint_eq(st(&s)->cpus[1].npending, 2);
	ck_assert_int_eq(next(&s, 1), DT_ACT_SPIN);
	ck_assert(!dt_cpu_can_step(s.m, 1));
	sc_fire(&s, 2, 1); /* DIRQL 7 still preempts the spinner */
	ck_assert_int_eq(next(&s, 1), DT_ACT_TAKE_INTERRUPT);
	sc_steps(&s, 1, 3); /* take, v2 = 1, return */
	ck_assert_int_eq(val(&s, 2), 1);
	ck_assert_uint_eq(st(&s)->cpus[1].irql, 5);
	ck_assert_int_eq(next(&s, 1), DT_ACT_SPIN);
	sc_steps(&s, 0, 2); /* CPU0: step, release */
	ck_assert_int_eq(next(&s, 1), DT_ACT_OBTAIN_LOCK);
	sc_cpu(&s, 1);
	ck_assert_int_eq(st(&s)->locks[lock].owner_cpu, 1);
	ck_assert_uint_eq(st(&s)->cpus[1].npending, 2); /* still masked at 5 */
	ck_assert_int_eq(val(&s, 1), 0);
	sc_run(&s);
	ck_assert_int_eq(st(&s)->outcome.kind, DT_QUIESCENT);
	ck_assert_int_eq(val(&s, 1), 1);
	ck_assert_uint_eq(st(&s)->interrupts[0].isr_calls, 3);
	sc_done(&s);
}
END_TEST

/* R60, R51: a passive interrupt's AcquireLock takes its wait lock at PASSIVE;
 * a second thread that wants it blocks and its CPU is free meanwhile. */
START_TEST(test_R60_passive_interrupt_lock_blocks_waiter)
{
	struct sc s;
	sc_init(&s, 2, 1);
	struct dt_cinsn isr[] = { CP_RETI(1) };
	struct dt_cinsn t_hold[] = {
		CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, hI(0), 0),
		CP_IRQL(0),
		CP_STEP(1),
		CP_OP(0, DT_OP_INTR_RELEASE_LOCK, hI(0), 0),
		CP_RETI(0),
	};
	struct dt_cinsn t_wait[] = {
		CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, hI(0), 0),
		CP_WRITEI(0, 1),
		CP_OP(0, DT_OP_INTR_RELEASE_LOCK, hI(0), 0),
		CP_RETI(0),
	};
	uint32_t pi = SC_PROG(&s, isr), ph = SC_PROG(&s, t_hold), pw = SC_PROG(&s, t_wait);
	unsigned d = sc_dev(&s, DT_LINE_EDGE, 5, 0, pi, DT_NO_CALLBACK);
	s.devs[d].passive = 1;
	sc_thread(&s, "hold", ph, 1 << 0);
	sc_thread(&s, "wait", pw, 1 << 1);
	sc_start(&s);
	unsigned lock = st(&s)->interrupts[0].lock;
	ck_assert_uint_eq(st(&s)->locks[lock].kind, DT_LOCK_WAITLOCK);
	sc_dispatch(&s, 0, 0);
	sc_cpu(&s, 0); /* hold takes the wait lock */
	ck_assert_int_eq(st(&s)->locks[lock].owner_thread, (int)s.tidx[0]);
	ck_assert_uint_eq(st(&s)->cpus[0].irql, DT_PASSIVE_LEVEL);
	sc_dispatch(&s, 1, 1);
	sc_cpu(&s, 1); /* wait blocks */
	ck_assert_uint_eq(st(&s)->threads[s.tidx[1]].state, DT_TS_BLOCKED);
	ck_assert_uint_eq(st(&s)->threads[s.tidx[1]].wait_kind, DT_WAIT_LOCK);
	ck_assert_uint_eq(st(&s)->cpus[1].nframes, 0);
	ck_assert_uint_eq(st(&s)->cpus[1].irql, DT_PASSIVE_LEVEL);
	expect_running(&s);
	sc_run(&s);
	ck_assert_int_eq(st(&s)->outcome.kind, DT_QUIESCENT);
	ck_assert_int_eq(val(&s, 0), 1);
	ck_assert_uint_eq(st(&s)->locks[lock].acquisitions, 2);
	sc_done(&s);
}
END_TEST

/* ---- R61: shared WDFSPINLOCK -------------------------------------------------- */

/* R61: two interrupts (DIRQL 5 and 8) sharing one WDFSPINLOCK both have
 * SynchronizeIrql 8, in either creation order; the DIRQL 5 ISR runs at 8. */
START_TEST(test_R61_shared_spinlock_sync_irql)
{
	unsigned high_first = (unsigned)_i;
	struct sc s;
	sc_init(&s, 1, 3);
	struct dt_cinsn isr_v0[] = { CP_IRQL(0), CP_WRITE(0, 0), CP_RETI(1) };
	struct dt_cinsn isr_v1[] = { CP_IRQL(0), CP_WRITE(1, 0), CP_RETI(1) };
	struct dt_cinsn isr_v2[] = { CP_IRQL(0), CP_WRITE(2, 0), CP_RETI(1) };
	uint32_t p0 = SC_PROG(&s, isr_v0), p1 = SC_PROG(&s, isr_v1), p2 = SC_PROG(&s, isr_v2);
	/* i5 writes v0, i8 writes v1; an unrelated DIRQL 6 interrupt writes v2. */
	unsigned i5, i8;
	if (high_first) {
		i8 = sc_dev(&s, DT_LINE_EDGE, 8, 0, p1, DT_NO_CALLBACK);
		i5 = sc_dev(&s, DT_LINE_EDGE, 5, 0, p0, DT_NO_CALLBACK);
	} else {
		i5 = sc_dev(&s, DT_LINE_EDGE, 5, 0, p0, DT_NO_CALLBACK);
		i8 = sc_dev(&s, DT_LINE_EDGE, 8, 0, p1, DT_NO_CALLBACK);
	}
	unsigned i6 = sc_dev(&s, DT_LINE_EDGE, 6, 0, p2, DT_NO_CALLBACK);
	s.devs[i5].spin = 0;
	s.devs[i8].spin = 0;
	sc_start(&s);
	const struct dt_interrupt *in5 = &st(&s)->interrupts[i5], *in8 = &st(&s)->interrupts[i8];
	ck_assert_uint_eq(in5->dirql, 5);
	ck_assert_uint_eq(in8->dirql, 8);
	ck_assert_uint_eq(in5->sync_irql, 8);
	ck_assert_uint_eq(in8->sync_irql, 8);
	ck_assert_uint_eq(in5->lock, LK_S0);
	ck_assert_uint_eq(in8->lock, LK_S0);
	ck_assert_uint_eq(st(&s)->interrupts[i6].sync_irql, 6);
	ck_assert_uint_ne(st(&s)->interrupts[i6].lock, LK_S0);
	sc_fire(&s, i5, 0);
	sc_cpu(&s, 0); /* take the DIRQL 5 interrupt: IRQL 8, holding S0 */
	ck_assert_uint_eq(st(&s)->cpus[0].irql, 8);
	ck_assert_int_eq(st(&s)->locks[LK_S0].owner_cpu, 0);
	sc_fire(&s, i8, 0); /* masked while the DIRQL 5 ISR runs at 8 */
	sc_fire(&s, i6, 0);
	ck_assert_int_eq(next(&s, 0), DT_ACT_PERFORM_OP);
	sc_steps(&s, 0, 2);
	ck_assert_int_eq(val(&s, 0), 8);
	sc_run(&s);
	ck_assert_int_eq(st(&s)->outcome.kind, DT_QUIESCENT);
	ck_assert_int_eq(val(&s, 0), 8);
	ck_assert_int_eq(val(&s, 1), 8);
	ck_assert_int_eq(val(&s, 2), 6);
	sc_done(&s);
}
END_TEST

/* ---- R62: WdfInterruptSynchronize --------------------------------------------- */

/* R62: WdfInterruptSynchronize runs its callback in a SYNC frame at
 * SynchronizeIrql holding the interrupt lock and returns its BOOLEAN
 * (TRUE and FALSE); allowed from a DPC and from a thread. */
START_TEST(test_R62_synchronize_runs_callback_returns_boolean)
{
	static const struct {
		unsigned in_dpc;
		int ret;
	} cases[] = { { 1, 1 }, { 1, 0 }, { 0, 1 }, { 0, 0 } };
	unsigned in_dpc = cases[_i].in_dpc;
	int ret = cases[_i].ret;
	struct sc s;
	sc_init(&s, 1, 3);
	struct dt_cinsn sync_cb[] = {
		CP_IRQL(0),
		CP_WRITE(1, 0), /* v1 = IRQL inside the callback */
		CP_RETI(ret),
	};
	uint32_t pcb = SC_PROG(&s, sync_cb);
	struct dt_cinsn caller[] = {
		CP_OP(0, DT_OP_INTR_SYNCHRONIZE, hI(0), pcb),
		CP_ADDI(0, 10),
		CP_WRITE(0, 0), /* v0 = 10 + the BOOLEAN */
		CP_IRQL(1),
		CP_WRITE(2, 1), /* v2 = IRQL after the call */
		CP_RETI(0),
	};
	struct dt_cinsn isr_queue[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
	struct dt_cinsn isr_plain[] = { CP_RETI(1) };
	uint32_t pc = SC_PROG(&s, caller), pq = SC_PROG(&s, isr_queue), pp = SC_PROG(&s, isr_plain);
	if (in_dpc) {
		sc_dev(&s, DT_LINE_EDGE, 6, 0, pq, pc);
	} else {
		sc_dev(&s, DT_LINE_EDGE, 6, 0, pp, DT_NO_CALLBACK);
		sc_thread(&s, "t", pc, 0);
	}
	sc_start(&s);
	unsigned lock = st(&s)->interrupts[0].lock;
	unsigned caller_irql = in_dpc ? DT_DISPATCH_LEVEL : DT_PASSIVE_LEVEL;
	if (in_dpc) {
		sc_fire(&s, 0, 0);
		sc_steps(&s, 0, 4); /* take, queue, return, dequeue */
	} else {
		sc_dispatch(&s, 0, 0);
	}
	ck_assert_uint_eq(st(&s)->cpus[0].irql, caller_irql);
	unsigned below = st(&s)->cpus[0].nframes;
	sc_cpu(&s, 0); /* WdfInterruptSynchronize: lock, SYNC frame */
	ck_assert_uint_eq(st(&s)->cpus[0].nframes, below + 1);
	ck_assert_uint_eq(top(&s, 0)->kind, DT_FRAME_SYNC);
	ck_assert_uint_eq(st(&s)->cpus[0].irql, 6);
	ck_assert_int_eq(st(&s)->locks[lock].owner_cpu, 0);
	const struct dt_trace_event *e = last(&s, DT_EV_SYNC_ENTER);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->arg[0], DT_CALL_SYNCHRONIZE);
	ck_assert_uint_eq(e->rule, 62);
	sc_steps(&s, 0, 2); /* IRQL, v1 */
	ck_assert_int_eq(val(&s, 1), 6);
	ck_assert_int_eq(next(&s, 0), DT_ACT_RETURN);
	sc_cpu(&s, 0); /* the callback returns: release, back to the caller */
	ck_assert_uint_eq(st(&s)->cpus[0].nframes, below);
	ck_assert_uint_eq(st(&s)->cpus[0].irql, caller_irql);
	ck_assert_int_eq(st(&s)->locks[lock].owner_cpu, -1);
	e = last(&s, DT_EV_SYNC_RETURN);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->result, ret);
	sc_run(&s);
	ck_assert_int_eq(st(&s)->outcome.kind, DT_QUIESCENT);
	ck_assert_int_eq(val(&s, 0), 10 + ret);
	ck_assert_int_eq(val(&s, 2), caller_irql);
	sc_done(&s);
}
END_TEST

/* ---- R63: WdfSpinLockAcquire / KeAcquireSpinLock -------------------------------- */

/* R63: WdfSpinLockAcquire at PASSIVE raises to DISPATCH: a DPC queued on that
 * CPU waits until the release, but device interrupts still preempt. */
START_TEST(test_R63_spinlock_masks_dpcs_not_interrupts)
{
	struct sc s;
	sc_init(&s, 1, 4);
	struct dt_cinsn isr_queue[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
	struct dt_cinsn dpc_mark[] = { CP_WRITEI(1, 1), CP_RETI(0) };
	struct dt_cinsn thread[] = {
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, hS(0), 0),
		CP_STEP(1),
		CP_READ(0, 1),
		CP_WRITE(2, 0), /* v2 = did the DPC run while held? */
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, hS(0), 0),
		CP_READ(0, 1),
		CP_WRITE(3, 0), /* v3 = after the release */
		CP_RETI(0),
	};
	uint32_t pq = SC_PROG(&s, isr_queue), pd = SC_PROG(&s, dpc_mark), pt = SC_PROG(&s, thread);
	sc_dev(&s, DT_LINE_EDGE, 5, 0, pq, pd);
	sc_thread(&s, "t", pt, 0);
	sc_start(&s);
	sc_dispatch(&s, 0, 0);
	sc_cpu(&s, 0); /* acquire: PASSIVE -> DISPATCH */
	ck_assert_uint_eq(st(&s)->cpus[0].irql, DT_DISPATCH_LEVEL);
	ck_assert_int_eq(st(&s)->locks[LK_S0].owner_cpu, 0);
	sc_fire(&s, 0, 0);
	ck_assert_int_eq(next(&s, 0), DT_ACT_TAKE_INTERRUPT); /* not masked */
	sc_cpu(&s, 0);
	ck_assert_uint_eq(top(&s, 0)->kind, DT_FRAME_ISR);
	ck_assert_uint_eq(top(&s, 0)->saved_irql, DT_DISPATCH_LEVEL);
	sc_steps(&s, 0, 2); /* queue (TRUE, on this CPU), return */
	ck_assert_uint_eq(st(&s)->cpus[0].qlen, 1);
	ck_assert_uint_eq(st(&s)->cpus[0].irql, DT_DISPATCH_LEVEL);
	ck_assert_int_eq(next(&s, 0), DT_ACT_PERFORM_OP); /* the DPC waits */
	sc_steps(&s, 0, 3); /* step, read, write v2 */
	ck_assert_uint_eq(st(&s)->cpus[0].qlen, 1);
	ck_assert_int_eq(next(&s, 0), DT_ACT_PERFORM_OP);
	sc_cpu(&s, 0); /* release: back to PASSIVE */
	ck_assert_uint_eq(st(&s)->cpus[0].irql, DT_PASSIVE_LEVEL);
	ck_assert_int_eq(st(&s)->locks[LK_S0].owner_cpu, -1);
	ck_assert_int_eq(next(&s, 0), DT_ACT_DEQUEUE_DPC);
	sc_run(&s);
	ck_assert_int_eq(st(&s)->outcome.kind, DT_QUIESCENT);
	ck_assert_int_eq(val(&s, 2), 0);
	ck_assert_int_eq(val(&s, 3), 1);
	sc_done(&s);
}
END_TEST

/* R63: KeAcquireSpinLock in a DPC (at DISPATCH) stays at DISPATCH and the
 * release returns to DISPATCH; device interrupts still preempt meanwhile. */
START_TEST(test_R63_spinlock_in_dpc_stays_at_dispatch)
{
	struct sc s;
	sc_init(&s, 1, 3);
	struct dt_cinsn isr_queue[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
	struct dt_cinsn dpc[] = {
		CP_OP(0, DT_OP_SPINLOCK_ACQUIRE, hS(0), 0),
		CP_IRQL(1),
		CP_WRITE(0, 1),
		CP_OP(0, DT_OP_SPINLOCK_RELEASE, hS(0), 0),
		CP_IRQL(1),
		CP_WRITE(1, 1),
		CP_RETI(0),
	};
	struct dt_cinsn isr_mark[] = { CP_WRITEI(2, 1), CP_RETI(1) };
	uint32_t pq = SC_PROG(&s, isr_queue), pd = SC_PROG(&s, dpc), pm = SC_PROG(&s, isr_mark);
	sc_dev(&s, DT_LINE_EDGE, 5, 0, pq, pd);
	sc_dev(&s, DT_LINE_EDGE, 3, 0, pm, DT_NO_CALLBACK);
	sc_start(&s);
	sc_fire(&s, 0, 0);
	sc_steps(&s, 0, 5); /* take, queue, return, dequeue, acquire */
	ck_assert_uint_eq(st(&s)->cpus[0].irql, DT_DISPATCH_LEVEL);
	ck_assert_int_eq(st(&s)->locks[LK_S0].owner_cpu, 0);
	sc_fire(&s, 1, 0); /* DIRQL 3 > DISPATCH: preempts the lock holder */
	ck_assert_int_eq(next(&s, 0), DT_ACT_TAKE_INTERRUPT);
	sc_run(&s);
	ck_assert_int_eq(st(&s)->outcome.kind, DT_QUIESCENT);
	ck_assert_int_eq(val(&s, 0), DT_DISPATCH_LEVEL);
	ck_assert_int_eq(val(&s, 1), DT_DISPATCH_LEVEL);
	ck_assert_int_eq(val(&s, 2), 1);
	ck_assert_int_eq(st(&s)->locks[LK_S0].owner_cpu, -1);
	sc_done(&s);
}
END_TEST

/* R63: returning from a callback while still holding a lock it acquired is
 * a lesson error: DPC, ISR, thread, Synchronize callback; spin, interrupt
 * and wait locks. */
START_TEST(test_R63_return_holding_lock_is_lesson_error)
{
	enum { IN_DPC, IN_ISR, IN_THREAD, IN_SYNC };
	static const struct {
		unsigned where, op, lock; /* lock: 0 S0, 1 the interrupt, 2 W0 */
	} cases[] = {
		{ IN_DPC, DT_OP_SPINLOCK_ACQUIRE, 0 },
		{ IN_DPC, DT_OP_SPINLOCK_ACQUIRE_AT_DPC, 0 },
		{ IN_DPC, DT_OP_INTR_ACQUIRE_LOCK, 1 },
		{ IN_ISR, DT_OP_SPINLOCK_ACQUIRE_AT_DPC, 0 },
		{ IN_THREAD, DT_OP_SPINLOCK_ACQUIRE, 0 },
		{ IN_THREAD, DT_OP_WAITLOCK_ACQUIRE, 2 },
		{ IN_THREAD, DT_OP_INTR_ACQUIRE_LOCK, 1 },
		{ IN_SYNC, DT_OP_SPINLOCK_ACQUIRE_AT_DPC, 0 },
	};
	for (unsigned k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct sc s;
		sc_init(&s, 1, 1);
		uint64_t h = cases[k].lock == 0 ? hS(0) : cases[k].lock == 1 ? hI(0) : hW(0);
		struct dt_cinsn leaky[] = {
			CP_OP(0, cases[k].op, h, 0),
			CP_WRITEI(0, 1),
			CP_RETI(1),
		};
		uint32_t pl = SC_PROG(&s, leaky);
		struct dt_cinsn isr_queue[] = { CP_QUEUE_DPC(0), CP_RETI(1) };
		struct dt_cinsn isr_plain[] = { CP_RETI(1) };
		struct dt_cinsn sync_caller[] = {
			CP_OP(0, DT_OP_INTR_SYNCHRONIZE, hI(0), pl),
			CP_RETI(0),
		};
		uint32_t pq = SC_PROG(&s, isr_queue), pp = SC_PROG(&s, isr_plain),
			 ps = SC_PROG(&s, sync_caller);
		switch (cases[k].where) {
		case IN_DPC:
			sc_dev(&s, DT_LINE_EDGE, 5, 0, pq, pl);
			break;
		case IN_ISR:
			sc_dev(&s, DT_LINE_EDGE, 5, 0, pl, DT_NO_CALLBACK);
			break;
		case IN_THREAD:
			sc_dev(&s, DT_LINE_EDGE, 5, 0, pp, DT_NO_CALLBACK);
			sc_thread(&s, "t", pl, 0);
			break;
		default:
			sc_dev(&s, DT_LINE_EDGE, 5, 0, pp, DT_NO_CALLBACK);
			sc_thread(&s, "t", ps, 0);
			break;
		}
		sc_start(&s);
		if (cases[k].where == IN_DPC || cases[k].where == IN_ISR)
			sc_fire(&s, 0, 0);
		sc_run(&s);
		char buf[256];
		const struct dt_outcome *o = &st(&s)->outcome;
		ck_assert_msg(o->kind == DT_LESSON_ERROR, "case %u: expected a lesson error: %s", k,
			      outcome_text(&s, buf, sizeof(buf)));
		ck_assert_str_ne(dt_machine_string(s.m, o->message), "");
		ck_assert_int_eq(val(&s, 0), 1); /* the body did run up to its return */
		ck_assert_uint_eq(count(&s, DT_EV_LESSON_ERROR), 1);
		sc_done(&s);
	}
}
END_TEST

/* ---- suite ---------------------------------------------------------------- */

Suite *rules_locks_suite(void)
{
	Suite *s = suite_create("rules_locks");
	TCase *tc = tcase_create("bugchecks");
	tcase_add_loop_test(tc, test_R30_bad_handle_to_interrupt_call, 0,
			    (int)(sizeof(r30_ops) / sizeof(r30_ops[0])));
	tcase_add_test(tc, test_R30_bad_handle_from_isr_and_dpc);
	tcase_add_test(tc, test_R32_synchronize_null_callback);
	tcase_add_loop_test(tc, test_R33_single_routine_past_allotment, 0, 2);
	tcase_add_test(tc, test_R33_single_charge_includes_preempting_isr);
	tcase_add_test(tc, test_R33_cumulative_across_dpcs);
	tcase_add_test(tc, test_R33_cumulative_resets_below_dispatch);
	tcase_add_test(tc, test_R33_unstepped_cpu_is_charged_nothing);
	tcase_add_loop_test(tc, test_R33_spinning_cpu_is_charged_per_step, 0, 2);
	tcase_add_loop_test(tc, test_R34_spinlock_acquire_on_interrupt_lock, 0, 3);
	tcase_add_loop_test(tc, test_R35_spinlock_acquire_from_isr, 0, 4);
	tcase_add_loop_test(tc, test_R35_acquire_lock_above_sync_irql, 0, 2);
	tcase_add_loop_test(tc, test_R35_waitlock_wait_in_dpc, 0, 2);
	tcase_add_test(tc, test_R35_flush_in_dpc);
	suite_add_tcase(s, tc);

	tc = tcase_create("deadlocks");
	tcase_add_loop_test(tc, test_R36_acquire_lock_twice_same_cpu, 0, 3);
	tcase_add_test(tc, test_R36_isr_spins_on_lock_of_preempted_dpc);
	tcase_add_test(tc, test_R36_two_cpus_two_locks);
	tcase_add_test(tc, test_R36_spin_on_running_isr_is_no_deadlock);
	tcase_add_test(tc, test_R36_isr_spin_on_remote_dpc_lock_is_no_deadlock);
	tcase_add_test(tc, test_R36_spinner_below_running_isr_is_no_deadlock);
	tcase_add_test(tc, test_R36_two_threads_two_waitlocks);
	tcase_add_test(tc, test_R36_blocked_thread_hang_at_settle);
	tcase_add_test(tc, test_R36_settle_with_events_left_keeps_running);
	suite_add_tcase(s, tc);

	tc = tcase_create("locks");
	tcase_add_test(tc, test_R60_dpc_acquire_lock_defers_local_isr);
	tcase_add_test(tc, test_R60_remote_arrival_spins_at_dirql);
	tcase_add_test(tc, test_R60_waiter_spins_at_dirql_masked);
	tcase_add_test(tc, test_R60_passive_interrupt_lock_blocks_waiter);
	tcase_add_loop_test(tc, test_R61_shared_spinlock_sync_irql, 0, 2);
	tcase_add_loop_test(tc, test_R62_synchronize_runs_callback_returns_boolean, 0, 4);
	tcase_add_test(tc, test_R63_spinlock_masks_dpcs_not_interrupts);
	tcase_add_test(tc, test_R63_spinlock_in_dpc_stays_at_dispatch);
	tcase_add_test(tc, test_R63_return_holding_lock_is_lesson_error);
	suite_add_tcase(s, tc);
	return s;
}
