/*
 * test_rules_irq.c - semantics.md R01-R08: IRQL values, per-CPU masking,
 * the interrupt spin lock, affinity, MessageID, merging of pending
 * requests, level/edge lines and the order in which a CPU takes pending
 * interrupts and drains its DPC queue when its IRQL drops.
 *
 * Every test drives a small C-bodied scenario step by step (fixture.h)
 * and asserts exact values: step numbers, IRQL per CPU, frame stacks,
 * pending lists, lock owners and trace events with their rule and cause.
 * The tests follow semantics.md and engine-contract.md, not the engine:
 * a failure here is a discrepancy to fix in the engine.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "testutil.h"

/* ---- bodies ------------------------------------------------------------- */

/* One explicit step, then return TRUE: an ISR that is "busy" for one op. */
static const struct dt_cinsn isr_step[] = {
	CP_STEP(1),
	CP_RETI(1),
};
/* Two steps, then TRUE. */
static const struct dt_cinsn isr_step2[] = {
	CP_STEP(1),
	CP_STEP(1),
	CP_RETI(1),
};
/* KeGetCurrentIrql() into shared var 0/1/2, then TRUE (R01). */
static const struct dt_cinsn isr_irql_v0[] = {
	CP_IRQL(0),
	CP_WRITE(0, 0),
	CP_RETI(1),
};
static const struct dt_cinsn isr_irql_v1[] = {
	CP_IRQL(0),
	CP_WRITE(1, 0),
	CP_RETI(1),
};
static const struct dt_cinsn isr_irql_v2[] = {
	CP_IRQL(0),
	CP_WRITE(2, 0),
	CP_RETI(1),
};
/* KeGetCurrentProcessorNumber() into var 0 (R04). */
static const struct dt_cinsn isr_cpu_v0[] = {
	CP_CPU(0),
	CP_WRITE(0, 0),
	CP_RETI(1),
};
/* Device 0: read INTSTATUS, acknowledge all of it, save it in var 0 (R06). */
static const struct dt_cinsn isr_ack_all_v0[] = {
	CP_RDREG(0, 0, DT_REG_INTSTATUS),
	CP_WRREG(0, DT_REG_INTSTATUS, 0),
	CP_WRITE(0, 0),
	CP_RETI(1),
};
/* Device 0: FALSE when INTSTATUS is 0, else acknowledge and TRUE (R07). */
static const struct dt_cinsn isr_ack_if_mine[] = {
	CP_RDREG(0, 0, DT_REG_INTSTATUS),
	CP_JZ(0, 4),
	CP_WRREG(0, DT_REG_INTSTATUS, 0),
	CP_RETI(1),
	CP_RETI(0),
};
/* Device 0: acknowledge bit 0, TRUE (R07). */
static const struct dt_cinsn isr_ack_bit0[] = {
	CP_WRREGI(0, DT_REG_INTSTATUS, 1),
	CP_RETI(1),
};
/* Forgets to acknowledge: returns TRUE at once (R07 storm). */
static const struct dt_cinsn isr_no_ack[] = {
	CP_RETI(1),
};
/* Device 0: masks the device (INTENABLE = 0) instead of acknowledging. */
static const struct dt_cinsn isr_mask_dev0[] = {
	CP_WRREGI(0, DT_REG_INTENABLE, 0),
	CP_RETI(1),
};
/* Device 0: unmask (INTENABLE = all), TRUE. */
static const struct dt_cinsn isr_unmask_dev0[] = {
	CP_WRREGI(0, DT_REG_INTENABLE, 0xFFFFFFFF),
	CP_RETI(1),
};
/* Shared var 0 += 1, not atomically (R03 exploration). */
static const struct dt_cinsn isr_count_v0[] = {
	CP_READ(0, 0),
	CP_ADDI(0, 1),
	CP_WRITE(0, 0),
	CP_RETI(1),
};
/* WdfInterruptQueueDpcForIsr(own interrupt), TRUE. */
static const struct dt_cinsn isr_queue[] = {
	CP_QUEUE_DPC(0),
	CP_RETI(1),
};
/* A DPC that takes one step. */
static const struct dt_cinsn dpc_step[] = {
	CP_STEP(1),
	CP_RETI(0),
};
/* A DPC that returns at once. */
static const struct dt_cinsn dpc_empty[] = {
	CP_RETI(0),
};

/* ---- helpers ------------------------------------------------------------ */

/* The nth (0-based) trace event of `kind`, failing the test if absent. */
static const struct dt_trace_event *nth_event(struct fx *f, unsigned kind, unsigned nth)
{
	const struct dt_trace_event *t = dt_machine_trace(f->m);
	size_t n = dt_machine_trace_count(f->m);
	unsigned seen = 0;
	for (size_t i = 0; i < n; i++)
		if (t[i].kind == kind && seen++ == nth)
			return &t[i];
	ck_abort_msg("no trace event %s number %u", dt_event_kind_name(kind), nth);
	return NULL;
}

/* Count trace events of `kind` about interrupt object `intr`. */
static unsigned count_for(struct fx *f, unsigned kind, unsigned intr)
{
	const struct dt_trace_event *t = dt_machine_trace(f->m);
	unsigned n = 0;
	for (size_t i = 0; i < dt_machine_trace_count(f->m); i++)
		n += t[i].kind == kind && t[i].obj_kind == DT_OBJ_INTERRUPT && t[i].object == intr;
	return n;
}

/* A named event created right after fx_start (e.g. on another MSI message). */
static unsigned add_event(struct fx *f, const char *name, unsigned dev, unsigned line,
			  uint32_t bits)
{
	unsigned ev;
	ck_assert_int_eq(dt_event_create(f->m, name, dev, line, bits, &ev), DT_OK);
	return ev;
}

/* Step `cpu` n times. */
static void steps(struct fx *f, unsigned cpu, unsigned n)
{
	while (n--)
		fx_cpu(f, cpu);
}

static const struct dt_frame *top_frame(struct fx *f, unsigned cpu)
{
	const struct dt_cpu *c = &fx_st(f)->cpus[cpu];
	ck_assert_uint_gt(c->nframes, 0);
	return &c->frames[c->nframes - 1];
}

static unsigned total_pending(struct fx *f)
{
	unsigned n = 0;
	for (unsigned c = 0; c < fx_st(f)->ncpus; c++)
		n += fx_st(f)->cpus[c].npending;
	return n;
}

static void assert_isr_frame(const struct dt_frame *fr, unsigned intr, unsigned state,
			     unsigned irql, unsigned saved)
{
	ck_assert_uint_eq(fr->kind, DT_FRAME_ISR);
	ck_assert_uint_eq(fr->object, intr);
	ck_assert_uint_eq(fr->state, state);
	ck_assert_uint_eq(fr->irql, irql);
	ck_assert_uint_eq(fr->saved_irql, saved);
}

/* ---- R01 ------------------------------------------------------------------ */

/* R01: "PASSIVE 0, APC 1, DISPATCH 2, device IRQLs (DIRQL) 3..12, CLOCK 13,
 * IPI 14, HIGH 15; SYNCH_LEVEL is 12." */
START_TEST(test_R01_irql_constants)
{
	ck_assert_int_eq(DT_PASSIVE_LEVEL, 0);
	ck_assert_int_eq(DT_APC_LEVEL, 1);
	ck_assert_int_eq(DT_DISPATCH_LEVEL, 2);
	ck_assert_int_eq(DT_DIRQL_MIN, 3);
	ck_assert_int_eq(DT_DIRQL_MAX, 12);
	ck_assert_int_eq(DT_SYNCH_LEVEL, 12);
	ck_assert_int_eq(DT_CLOCK_LEVEL, 13);
	ck_assert_int_eq(DT_IPI_LEVEL, 14);
	ck_assert_int_eq(DT_HIGH_LEVEL, 15);
}
END_TEST

/* R01: "device IRQLs (DIRQL) 3..12": a line outside that range is refused. */
START_TEST(test_R01_line_dirql_must_be_a_device_irql)
{
	struct dt_config cfg;
	struct dt_machine *m;
	unsigned d[4], line;
	dt_config_default(&cfg, 1);
	ck_assert_int_eq(dt_machine_create(&cfg, NULL, NULL, &m), DT_OK);
	ck_assert_int_eq(dt_device_create(m, "d2", &d[0]), DT_OK);
	ck_assert_int_eq(dt_device_create(m, "d13", &d[1]), DT_OK);
	ck_assert_int_eq(dt_device_create(m, "d3", &d[2]), DT_OK);
	ck_assert_int_eq(dt_device_create(m, "d12", &d[3]), DT_OK);
	ck_assert_int_eq(dt_device_add_line(m, d[0], DT_LINE_EDGE, DT_DISPATCH_LEVEL, 1, &line),
			 DT_EINVAL);
	ck_assert_int_eq(dt_device_add_line(m, d[1], DT_LINE_EDGE, DT_CLOCK_LEVEL, 1, &line),
			 DT_EINVAL);
	ck_assert_uint_eq(dt_machine_state(m)->devices[d[0]].nlines, 0);
	ck_assert_uint_eq(dt_machine_state(m)->devices[d[1]].nlines, 0);
	ck_assert_int_eq(dt_device_add_line(m, d[2], DT_LINE_EDGE, 3, 1, &line), DT_OK);
	ck_assert_int_eq(dt_device_add_line(m, d[3], DT_LINE_LEVEL, 12, 1, &line), DT_OK);
	ck_assert_uint_eq(dt_machine_state(m)->devices[d[2]].lines[0].dirql, 3);
	ck_assert_uint_eq(dt_machine_state(m)->devices[d[3]].lines[0].dirql, 12);
	dt_machine_destroy(m);
}
END_TEST

/* R01 (with R03): an ISR runs at its line's DIRQL; KeGetCurrentIrql says so. */
START_TEST(test_R01_isr_runs_at_its_line_dirql)
{
	struct fx f;
	static const unsigned dirql[3] = { 3, 7, 12 };
	fx_init(&f, 1);
	unsigned p0 = FX_PROG(&f, isr_irql_v0), p1 = FX_PROG(&f, isr_irql_v1),
		 p2 = FX_PROG(&f, isr_irql_v2);
	fx_dev(&f, "d3", DT_LINE_EDGE, 3, 0, p0, DT_NO_CALLBACK);
	fx_dev(&f, "d7", DT_LINE_EDGE, 7, 0, p1, DT_NO_CALLBACK);
	fx_dev(&f, "d12", DT_LINE_EDGE, 12, 0, p2, DT_NO_CALLBACK);
	fx_var(&f, "v0");
	fx_var(&f, "v1");
	fx_var(&f, "v2");
	fx_start(&f);
	for (unsigned i = 0; i < 3; i++) {
		uint32_t base = fx_st(&f)->step;
		ck_assert_uint_eq(fx_st(&f)->interrupts[i].dirql, dirql[i]);
		ck_assert_uint_eq(fx_st(&f)->interrupts[i].sync_irql, dirql[i]);
		fx_fire(&f, i, 0);
		fx_cpu(&f, 0); /* take the interrupt */
		ck_assert_uint_eq(fx_st(&f)->cpus[0].irql, dirql[i]);
		assert_isr_frame(top_frame(&f, 0), i, DT_FS_AT_OP, dirql[i], DT_PASSIVE_LEVEL);
		ck_assert_uint_eq(top_frame(&f, 0)->op.kind, DT_OP_GET_IRQL);
		fx_cpu(&f, 0); /* KeGetCurrentIrql */
		const struct dt_trace_event *e = fx_last(&f, DT_EV_GET_IRQL);
		ck_assert_uint_eq(e->step, base + 3);
		ck_assert_int_eq(e->cpu, 0);
		ck_assert_int_eq(e->result, dirql[i]);
		ck_assert_uint_eq(e->irql_before, dirql[i]);
		ck_assert_uint_eq(e->frame, DT_FRAME_ISR);
		fx_cpu(&f, 0); /* write the shared value */
		fx_cpu(&f, 0); /* return: IRQL back to PASSIVE */
		ck_assert_int_eq(fx_val(&f, i), dirql[i]);
		ck_assert_uint_eq(fx_st(&f)->cpus[0].irql, DT_PASSIVE_LEVEL);
		ck_assert_uint_eq(fx_st(&f)->cpus[0].nframes, 0);
		ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_NONE);
	}
	fx_done(&f);
}
END_TEST

/* ---- R02 ------------------------------------------------------------------ */

/* R02: "At IRQL N a CPU takes no interrupt whose IRQL is <= N; higher ones
 * still preempt. A masked interrupt stays pending on that CPU." */
START_TEST(test_R02_masked_stays_pending_higher_preempts)
{
	struct fx f;
	fx_init(&f, 2);
	unsigned p = FX_PROG(&f, isr_step);
	fx_dev(&f, "a7", DT_LINE_EDGE, 7, 0, p, DT_NO_CALLBACK);  /* 0 */
	fx_dev(&f, "b5", DT_LINE_EDGE, 5, 0, p, DT_NO_CALLBACK);  /* 1 */
	fx_dev(&f, "c9", DT_LINE_EDGE, 9, 0, p, DT_NO_CALLBACK);  /* 2 */
	fx_dev(&f, "d7", DT_LINE_EDGE, 7, 0, p, DT_NO_CALLBACK);  /* 3 */
	fx_start(&f);
	const struct dt_cpu *c0 = &fx_st(&f)->cpus[0];

	fx_fire(&f, 0, 0);              /* step 1 */
	fx_cpu(&f, 0);                  /* step 2: ISR a7 at DIRQL 7 */
	ck_assert_uint_eq(c0->irql, 7);

	fx_fire(&f, 1, 0);              /* step 3: DIRQL 5 <= 7: masked */
	ck_assert_uint_eq(c0->npending, 1);
	ck_assert_uint_eq(c0->pending[0].interrupt, 1);
	ck_assert_uint_eq(c0->pending[0].irql, 5);
	ck_assert_uint_eq(c0->pending[0].arrival_step, 3);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_PERFORM_OP);
	const struct dt_trace_event *e = fx_last(&f, DT_EV_IRQ_PENDING);
	ck_assert_uint_eq(e->step, 3);
	ck_assert_int_eq(e->cpu, 0);
	ck_assert_uint_eq(e->object, 1);
	ck_assert_int_eq(e->arg[0], 5);
	ck_assert_uint_eq(e->rule, 2);

	fx_fire(&f, 3, 0);              /* step 4: DIRQL 7 <= 7: masked too */
	ck_assert_uint_eq(c0->npending, 2);
	ck_assert_uint_eq(c0->pending[1].interrupt, 3);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_PERFORM_OP);

	fx_fire(&f, 2, 0);              /* step 5: DIRQL 9 > 7 */
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_TAKE_INTERRUPT);
	fx_cpu(&f, 0);                  /* step 6: nested ISR */
	ck_assert_uint_eq(c0->irql, 9);
	ck_assert_uint_eq(c0->nframes, 2);
	assert_isr_frame(&c0->frames[0], 0, DT_FS_AT_OP, 7, DT_PASSIVE_LEVEL);
	assert_isr_frame(&c0->frames[1], 2, DT_FS_AT_OP, 9, 7);
	ck_assert_uint_eq(c0->frames[1].entered_step, 6);
	e = fx_last(&f, DT_EV_ISR_ENTER);
	ck_assert_uint_eq(e->step, 6);
	ck_assert_uint_eq(e->object, 2);
	ck_assert_uint_eq(e->irql_before, 7);
	ck_assert_uint_eq(e->irql_after, 9);
	ck_assert_uint_eq(c0->npending, 2);

	steps(&f, 0, 2);                /* steps 7-8: c9 runs and returns */
	ck_assert_uint_eq(c0->irql, 7);
	ck_assert_uint_eq(c0->nframes, 1);
	ck_assert_uint_eq(c0->npending, 2); /* still masked at 7 */
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_PERFORM_OP);

	/* IRQL is per CPU: CPU1 at PASSIVE takes b5 at once. */
	fx_fire(&f, 1, 1);              /* step 9 */
	ck_assert_int_eq(dt_cpu_next_action(f.m, 1), DT_ACT_TAKE_INTERRUPT);
	fx_cpu(&f, 1);                  /* step 10 */
	ck_assert_uint_eq(fx_st(&f)->cpus[1].irql, 5);
	ck_assert_uint_eq(c0->irql, 7);
	ck_assert_uint_eq(c0->npending, 2);
	steps(&f, 1, 2);                /* steps 11-12: CPU1's b5 finishes */
	ck_assert_uint_eq(fx_st(&f)->cpus[1].irql, DT_PASSIVE_LEVEL);

	steps(&f, 0, 2);                /* steps 13-14: a7 finishes: IRQL 0 */
	ck_assert_uint_eq(c0->irql, DT_PASSIVE_LEVEL);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_TAKE_INTERRUPT);
	fx_until(&f, 0, DT_ACT_NONE);
	ck_assert_uint_eq(c0->npending, 0);
	ck_assert_uint_eq(fx_st(&f)->interrupts[1].isr_calls, 2);
	ck_assert_uint_eq(fx_st(&f)->interrupts[3].isr_calls, 1);
	/* b5's CPU0 instance was entered on CPU0, caused by its step-3 arrival. */
	e = nth_event(&f, DT_EV_ISR_ENTER, 4);
	ck_assert_int_eq(e->cpu, 0);
	ck_assert_uint_eq(e->object, 1);
	ck_assert_uint_eq(e->cause_step, 3);
	fx_done(&f);
}
END_TEST

/* ---- R03 ------------------------------------------------------------------ */

/* R03: "A DIRQL ISR runs on the CPU that took the interrupt ... holding the
 * interrupt spin lock." */
START_TEST(test_R03_isr_holds_interrupt_lock)
{
	struct fx f;
	fx_init(&f, 2);
	unsigned p = FX_PROG(&f, isr_step);
	fx_dev(&f, "nic", DT_LINE_EDGE, 5, 0, p, DT_NO_CALLBACK);
	fx_start(&f);
	unsigned lock = fx_st(&f)->interrupts[0].lock;
	ck_assert_uint_eq(fx_st(&f)->locks[lock].kind, DT_LOCK_INTERRUPT);
	ck_assert_int_eq(fx_st(&f)->locks[lock].owner_cpu, -1);
	fx_fire(&f, 0, 1);  /* step 1 */
	fx_cpu(&f, 1);      /* step 2 */
	ck_assert_int_eq(fx_st(&f)->locks[lock].owner_cpu, 1);
	ck_assert_uint_eq(fx_st(&f)->locks[lock].acquired_step, 2);
	ck_assert_uint_eq(fx_st(&f)->locks[lock].acquisitions, 1);
	ck_assert_uint_eq(top_frame(&f, 1)->lock, lock);
	ck_assert_uint_eq(fx_st(&f)->cpus[1].irql, 5);
	const struct dt_trace_event *e = fx_last(&f, DT_EV_ISR_ENTER);
	ck_assert_uint_eq(e->step, 2);
	ck_assert_int_eq(e->cpu, 1);
	ck_assert_uint_eq(e->obj_kind, DT_OBJ_INTERRUPT);
	ck_assert_uint_eq(e->object, 0);
	ck_assert_uint_eq(e->rule, 3);
	ck_assert_uint_eq(e->cause_step, 1);
	fx_cpu(&f, 1);      /* step 3: the op, still held */
	ck_assert_int_eq(fx_st(&f)->locks[lock].owner_cpu, 1);
	fx_cpu(&f, 1);      /* step 4: return releases it */
	ck_assert_int_eq(fx_st(&f)->locks[lock].owner_cpu, -1);
	ck_assert_uint_eq(fx_st(&f)->cpus[1].irql, DT_PASSIVE_LEVEL);
	e = fx_last(&f, DT_EV_ISR_RETURN);
	ck_assert_uint_eq(e->step, 4);
	ck_assert_int_eq(e->result, 1);
	fx_done(&f);
}
END_TEST

/* R03: "the same interrupt's ISR never runs on two CPUs at once; a second CPU
 * that takes it meanwhile spins at DIRQL" (engine-contract 1, 3: spinning is
 * not a choice point and is charged 1 us per global step). */
START_TEST(test_R03_second_cpu_spins_at_dirql_until_lock_free)
{
	struct fx f;
	fx_init(&f, 2);
	unsigned p = FX_PROG(&f, isr_step2), q = FX_PROG(&f, isr_step);
	fx_dev(&f, "nic", DT_LINE_EDGE, 5, 0, p, DT_NO_CALLBACK);
	fx_dev(&f, "other", DT_LINE_EDGE, 3, 1, q, DT_NO_CALLBACK);
	fx_start(&f);
	const struct dt_cpu *c1 = &fx_st(&f)->cpus[1];
	unsigned lock = fx_st(&f)->interrupts[0].lock;

	fx_fire(&f, 0, 0);  /* step 1 */
	fx_cpu(&f, 0);      /* step 2: CPU0 enters the ISR, owns the lock */
	fx_fire(&f, 0, 1);  /* step 3: a new instance, to CPU1 */
	ck_assert_uint_eq(c1->npending, 1);
	fx_cpu(&f, 1);      /* step 4: CPU1 takes it and spins */
	ck_assert_uint_eq(c1->irql, 5);
	ck_assert_uint_eq(c1->nframes, 1);
	assert_isr_frame(&c1->frames[0], 0, DT_FS_SPINNING, 5, DT_PASSIVE_LEVEL);
	ck_assert_uint_eq(c1->frames[0].lock, lock);
	ck_assert_uint_eq(c1->frames[0].body, DT_NONE); /* no second ISR body */
	ck_assert_uint_eq(f.host.live_bodies, 1);
	ck_assert_int_eq(fx_st(&f)->locks[lock].owner_cpu, 0);
	ck_assert_uint_eq(fx_st(&f)->interrupts[0].isr_calls, 1);
	const struct dt_trace_event *e = fx_last(&f, DT_EV_ISR_SPIN);
	ck_assert_uint_eq(e->step, 4);
	ck_assert_int_eq(e->cpu, 1);
	ck_assert_uint_eq(e->obj_kind, DT_OBJ_INTERRUPT);
	ck_assert_uint_eq(e->object, 0);
	ck_assert_int_eq(e->arg[0], lock);
	ck_assert_int_eq(e->cause_cpu, 0);
	ck_assert_uint_eq(e->cause_step, 2);
	ck_assert_uint_eq(e->rule, 3);
	ck_assert_uint_eq(e->irql_after, 5);
	ck_assert_uint_eq(fx_count(&f, DT_EV_ISR_ENTER), 1);

	/* Spinning: not a choice point; refusing it changes nothing. */
	ck_assert_int_eq(dt_cpu_next_action(f.m, 1), DT_ACT_SPIN);
	ck_assert_int_eq(dt_cpu_can_step(f.m, 1), 0);
	ck_assert_int_eq(fx_try(&f, 1), DT_ENOTENABLED);
	ck_assert_uint_eq(fx_st(&f)->step, 4);
	struct dt_choice en[2];
	ck_assert_uint_eq(dt_machine_enabled(f.m, en, 2), 1);
	ck_assert_uint_eq(en[0].cpu, 0);
	ck_assert_uint_eq(c1->busy_us, 1);   /* its own take step */
	ck_assert_uint_eq(c1->frames[0].charge_us, 1);

	fx_cpu(&f, 0);      /* step 5 */
	ck_assert_uint_eq(c1->busy_us, 2);
	ck_assert_uint_eq(c1->frames[0].charge_us, 2);
	fx_cpu(&f, 0);      /* step 6 */
	ck_assert_uint_eq(c1->busy_us, 3);
	fx_fire(&f, 1, 0);  /* step 7: an event step is a global step too */
	ck_assert_uint_eq(c1->busy_us, 4);
	ck_assert_uint_eq(c1->steps, 1);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 1), DT_ACT_SPIN);

	fx_cpu(&f, 0);      /* step 8: CPU0's ISR returns, the lock is free */
	ck_assert_int_eq(fx_st(&f)->locks[lock].owner_cpu, -1);
	ck_assert_uint_eq(c1->busy_us, 5);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 1), DT_ACT_OBTAIN_LOCK);
	ck_assert_uint_eq(fx_st(&f)->interrupts[0].isr_calls, 1);

	fx_cpu(&f, 1);      /* step 9: CPU1 obtains it and enters the ISR */
	e = fx_last(&f, DT_EV_LOCK_OBTAINED);
	ck_assert_uint_eq(e->step, 9);
	ck_assert_int_eq(e->cpu, 1);
	ck_assert_uint_eq(e->obj_kind, DT_OBJ_LOCK);
	ck_assert_uint_eq(e->object, lock);
	ck_assert_uint_eq(e->rule, 3);
	ck_assert_int_eq(fx_st(&f)->locks[lock].owner_cpu, 1);
	ck_assert_uint_eq(fx_st(&f)->locks[lock].acquired_step, 9);
	ck_assert_uint_eq(fx_st(&f)->interrupts[0].isr_calls, 2);
	assert_isr_frame(&c1->frames[0], 0, DT_FS_AT_OP, 5, DT_PASSIVE_LEVEL);
	ck_assert_uint_eq(c1->busy_us, 6);
	ck_assert_uint_eq(c1->irql, 5);

	fx_run(&f);
	ck_assert_int_eq(fx_st(&f)->outcome.kind, DT_QUIESCENT);
	ck_assert_uint_eq(fx_st(&f)->interrupts[0].isr_calls, 2);
	ck_assert_uint_eq(fx_st(&f)->interrupts[1].isr_calls, 1);
	ck_assert_int_eq(fx_st(&f)->locks[lock].owner_cpu, -1);
	ck_assert_uint_eq(fx_st(&f)->locks[lock].acquisitions, 2);
	fx_done(&f);
}
END_TEST

/* R03: with three CPUs, two spinners wait for one lock; when it is freed
 * exactly one obtains it and the other goes on spinning. */
START_TEST(test_R03_two_spinners_one_obtains)
{
	struct fx f;
	fx_init(&f, 3);
	unsigned p = FX_PROG(&f, isr_step);
	fx_dev(&f, "nic", DT_LINE_EDGE, 5, 0, p, DT_NO_CALLBACK);
	fx_start(&f);
	unsigned lock = fx_st(&f)->interrupts[0].lock;
	fx_fire(&f, 0, 0);  /* step 1 */
	fx_cpu(&f, 0);      /* step 2: CPU0 owns the lock */
	fx_fire(&f, 0, 1);  /* step 3 */
	fx_fire(&f, 0, 2);  /* step 4 */
	fx_cpu(&f, 2);      /* step 5: CPU2 spins */
	fx_cpu(&f, 1);      /* step 6: CPU1 spins */
	ck_assert_int_eq(dt_cpu_next_action(f.m, 1), DT_ACT_SPIN);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 2), DT_ACT_SPIN);
	ck_assert_uint_eq(fx_count(&f, DT_EV_ISR_SPIN), 2);
	ck_assert_int_eq(nth_event(&f, DT_EV_ISR_SPIN, 0)->cpu, 2);
	ck_assert_int_eq(nth_event(&f, DT_EV_ISR_SPIN, 1)->cpu, 1);
	ck_assert_int_eq(nth_event(&f, DT_EV_ISR_SPIN, 1)->cause_cpu, 0);
	steps(&f, 0, 2);    /* steps 7-8: CPU0 finishes, the lock is free */
	ck_assert_int_eq(dt_cpu_next_action(f.m, 1), DT_ACT_OBTAIN_LOCK);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 2), DT_ACT_OBTAIN_LOCK);
	fx_cpu(&f, 1);      /* step 9: CPU1 gets it */
	ck_assert_int_eq(fx_st(&f)->locks[lock].owner_cpu, 1);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 2), DT_ACT_SPIN);
	ck_assert_int_eq(fx_try(&f, 2), DT_ENOTENABLED);
	ck_assert_uint_eq(fx_st(&f)->cpus[2].frames[0].state, DT_FS_SPINNING);
	ck_assert_uint_eq(fx_st(&f)->cpus[2].frames[0].body, DT_NONE);
	ck_assert_uint_eq(fx_st(&f)->interrupts[0].isr_calls, 2);
	ck_assert_uint_eq(f.host.live_bodies, 1);
	steps(&f, 1, 2);    /* steps 10-11 */
	ck_assert_int_eq(dt_cpu_next_action(f.m, 2), DT_ACT_OBTAIN_LOCK);
	fx_cpu(&f, 2);      /* step 12 */
	ck_assert_int_eq(fx_st(&f)->locks[lock].owner_cpu, 2);
	ck_assert_uint_eq(fx_last(&f, DT_EV_LOCK_OBTAINED)->step, 12);
	fx_run(&f);
	ck_assert_int_eq(fx_st(&f)->outcome.kind, DT_QUIESCENT);
	ck_assert_uint_eq(fx_st(&f)->interrupts[0].isr_calls, 3);
	ck_assert_uint_eq(fx_count(&f, DT_EV_LOCK_OBTAINED), 2);
	fx_done(&f);
}
END_TEST

/* Devices "a5" and "b8" whose interrupts share one WDFSPINLOCK (R61); their
 * ISRs save KeGetCurrentIrql() in var 0 and var 1. */
static int build_shared_lock(struct dt_chost *h, struct dt_machine *m)
{
	static const char *const names[2] = { "a5", "b8" };
	static const unsigned dirql[2] = { 5, 8 };
	uint64_t lock;
	(void)h;
	if (dt_var_create(m, "irql_a", dt_int(0), NULL) ||
	    dt_var_create(m, "irql_b", dt_int(0), NULL) || dt_spinlock_create(m, &lock))
		return -1;
	for (unsigned i = 0; i < 2; i++) {
		struct dt_interrupt_config cfg;
		unsigned dev;
		uint32_t status;
		uint64_t handle;
		if (dt_device_create(m, names[i], &dev) ||
		    dt_device_add_line(m, dev, DT_LINE_EDGE, dirql[i], 1, NULL) ||
		    dt_event_create(m, names[i], dev, 0, 1, NULL))
			return -1;
		dt_interrupt_config_init(&cfg, i, DT_NO_CALLBACK);
		cfg.spin_lock = lock;
		if (dt_interrupt_create(m, dev, &cfg, &status, &handle) ||
		    status != DT_STATUS_SUCCESS)
			return -1;
	}
	return 0;
}

/* R03: the ISR runs "at the interrupt's SynchronizeIrql (normally its
 * DIRQL)": with a shared lock that is the highest DIRQL of the sharers. */
START_TEST(test_R03_isr_runs_at_synchronize_irql)
{
	struct fx f;
	fx_init(&f, 1);
	FX_PROG(&f, isr_irql_v0);
	FX_PROG(&f, isr_irql_v1);
	f.host.build = build_shared_lock;
	fx_start(&f);
	const struct dt_state *st = fx_st(&f);
	ck_assert_uint_eq(st->interrupts[0].dirql, 5);
	ck_assert_uint_eq(st->interrupts[0].sync_irql, 8);
	ck_assert_uint_eq(st->interrupts[1].sync_irql, 8);
	ck_assert_uint_eq(st->interrupts[0].lock, st->interrupts[1].lock);
	fx_fire(&f, 0, 0);
	fx_cpu(&f, 0);
	ck_assert_uint_eq(st->cpus[0].irql, 8);
	assert_isr_frame(top_frame(&f, 0), 0, DT_FS_AT_OP, 8, DT_PASSIVE_LEVEL);
	ck_assert_int_eq(st->locks[st->interrupts[0].lock].owner_cpu, 0);
	fx_until(&f, 0, DT_ACT_NONE);
	ck_assert_int_eq(fx_val(&f, 0), 8);
	fx_fire(&f, 1, 0);
	fx_until(&f, 0, DT_ACT_NONE);
	ck_assert_int_eq(fx_val(&f, 1), 8);
	fx_done(&f);
}
END_TEST

struct r03_stats {
	unsigned nodes, leaves, overlaps_spun;
};

/* The invariant of R03 in one state. */
static void r03_check_state(const struct dt_state *st, struct r03_stats *s)
{
	int running = -1, spinners = 0;
	unsigned lock = st->interrupts[0].lock;
	for (unsigned c = 0; c < st->ncpus; c++) {
		const struct dt_cpu *cpu = &st->cpus[c];
		for (unsigned i = 0; i < cpu->nframes; i++) {
			const struct dt_frame *fr = &cpu->frames[i];
			if (fr->kind != DT_FRAME_ISR || fr->object != 0)
				continue;
			ck_assert_uint_eq(cpu->irql, 5);
			if (fr->state == DT_FS_SPINNING) {
				spinners++;
				ck_assert_int_ne(st->locks[lock].owner_cpu, (int)c);
				continue;
			}
			ck_assert_msg(running < 0, "ISR runs on CPU %d and CPU %u at step %u",
				      running, c, st->step);
			running = (int)c;
			ck_assert_int_eq(st->locks[lock].owner_cpu, (int)c);
		}
	}
	if (running >= 0 && spinners)
		s->overlaps_spun++;
}

static void r03_dfs(struct dt_machine *m, unsigned events_left, unsigned depth,
		    struct r03_stats *s)
{
	const struct dt_state *st = dt_machine_state(m);
	struct dt_choice ch[DT_MAX_CPUS * 2];
	unsigned n;
	s->nodes++;
	r03_check_state(st, s);
	ck_assert_uint_lt(depth, 64);
	n = dt_machine_enabled(m, ch, DT_MAX_CPUS);
	for (unsigned c = 0; events_left && c < st->ncpus; c++)
		ch[n++] = (struct dt_choice){ .kind = DT_CHOICE_EVENT, .cpu = (uint16_t)c };
	if (n == 0) {
		s->leaves++;
		/* Serialized by the lock: no lost update, nothing left running. */
		ck_assert_int_eq(st->vars[0].value.u.i, st->interrupts[0].isr_calls);
		ck_assert_int_eq(st->locks[st->interrupts[0].lock].owner_cpu, -1);
		for (unsigned c = 0; c < st->ncpus; c++)
			ck_assert_uint_eq(st->cpus[c].nframes, 0);
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		struct dt_machine *k;
		ck_assert_int_eq(dt_machine_clone(m, &k), DT_OK);
		ck_assert_int_eq(dt_machine_step(k, &ch[i]), DT_OK);
		r03_dfs(k, events_left - (ch[i].kind == DT_CHOICE_EVENT), depth + 1, s);
		dt_machine_destroy(k);
	}
}

/* R03: "the same interrupt's ISR never runs on two CPUs at once", in every
 * interleaving of up to three events on two CPUs. */
START_TEST(test_R03_isr_never_runs_on_two_cpus_at_once)
{
	struct fx f;
	struct r03_stats s = { 0, 0, 0 };
	fx_init(&f, 2);
	unsigned p = FX_PROG(&f, isr_count_v0);
	fx_dev(&f, "nic", DT_LINE_EDGE, 5, 0, p, DT_NO_CALLBACK);
	fx_var(&f, "count");
	fx_start(&f);
	dt_machine_set_trace(f.m, 0);
	r03_dfs(f.m, 3, 0, &s);
	ck_assert_uint_gt(s.leaves, 0);
	ck_assert_uint_gt(s.overlaps_spun, 0); /* the contended case was reached */
	fx_done(&f);
}
END_TEST

/* ---- R04 ------------------------------------------------------------------ */

/* R04: "each instance goes to exactly one CPU of the set"; the simulator makes
 * the receiving CPU an explicit choice. */
START_TEST(test_R04_receiving_cpu_is_the_choice_cpu)
{
	struct fx f;
	fx_init(&f, 4);
	unsigned p = FX_PROG(&f, isr_cpu_v0);
	fx_dev(&f, "nic", DT_LINE_EDGE, 5, 0xA, p, DT_NO_CALLBACK); /* CPUs 1 and 3 */
	fx_var(&f, "cpu");
	fx_start(&f);
	fx_fire(&f, 0, 3); /* step 1 */
	const struct dt_trace_event *e = fx_last(&f, DT_EV_DEVICE_EVENT);
	ck_assert_uint_eq(e->step, 1);
	ck_assert_int_eq(e->cpu, -1);
	ck_assert_uint_eq(e->obj_kind, DT_OBJ_EVENT);
	ck_assert_int_eq(e->arg[0], 3);
	ck_assert_int_eq(e->result, 1);
	e = fx_last(&f, DT_EV_IRQ_PENDING);
	ck_assert_int_eq(e->cpu, 3);
	ck_assert_uint_eq(total_pending(&f), 1);
	ck_assert_uint_eq(fx_st(&f)->cpus[3].npending, 1);
	for (unsigned c = 0; c < 3; c++)
		ck_assert_int_eq(dt_cpu_next_action(f.m, c), DT_ACT_NONE);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 3), DT_ACT_TAKE_INTERRUPT);
	fx_until(&f, 3, DT_ACT_NONE);
	ck_assert_int_eq(fx_val(&f, 0), 3);
	ck_assert_int_eq(fx_last(&f, DT_EV_ISR_ENTER)->cpu, 3);
	ck_assert_int_eq(fx_last(&f, DT_EV_GET_PROCESSOR)->result, 3);

	fx_fire(&f, 0, 1);
	ck_assert_uint_eq(fx_st(&f)->cpus[1].npending, 1);
	ck_assert_uint_eq(total_pending(&f), 1);
	fx_until(&f, 1, DT_ACT_NONE);
	ck_assert_int_eq(fx_val(&f, 0), 1);
	ck_assert_int_eq(fx_last(&f, DT_EV_ISR_ENTER)->cpu, 1);
	for (unsigned c = 0; c < 4; c += 2)
		ck_assert_uint_eq(fx_st(&f)->cpus[c].steps, 0);
	fx_done(&f);
}
END_TEST

/* R04 + engine-contract 2: a choice outside the affinity set is "not enabled
 * at that point" and is refused without changing anything. */
START_TEST(test_R04_choice_outside_affinity_is_refused)
{
	struct fx f;
	fx_init(&f, 4);
	unsigned p = FX_PROG(&f, isr_step);
	fx_dev(&f, "nic", DT_LINE_EDGE, 5, 0xA, p, DT_NO_CALLBACK);
	fx_start(&f);
	size_t size = dt_state_size(4);
	unsigned char *before = malloc(size);
	ck_assert_ptr_nonnull(before);
	static const uint16_t bad[] = { 0, 2, 4, 63 };
	for (int round = 0; round < 2; round++) {
		memcpy(before, fx_st(&f), size);
		size_t ntrace = dt_machine_trace_count(f.m);
		for (unsigned i = 0; i <= sizeof(bad) / sizeof(bad[0]); i++) {
			struct dt_choice c = { .kind = DT_CHOICE_EVENT, .cpu = 1, .object = 1 };
			if (i < sizeof(bad) / sizeof(bad[0])) /* else: no such event */
				c = (struct dt_choice){ .kind = DT_CHOICE_EVENT, .cpu = bad[i] };
			ck_assert_int_eq(dt_machine_choice_enabled(f.m, &c), 0);
			ck_assert_int_eq(dt_machine_step(f.m, &c), DT_ENOTENABLED);
			ck_assert_int_eq(memcmp(before, fx_st(&f), size), 0);
			ck_assert_uint_eq(dt_machine_trace_count(f.m), ntrace);
		}
		struct dt_choice ok = { .kind = DT_CHOICE_EVENT, .cpu = 1, .object = 0 };
		ck_assert_int_eq(dt_machine_choice_enabled(f.m, &ok), 1);
		/* Second round: with an instance being served on CPU1. */
		fx_fire(&f, 0, 1);
		fx_cpu(&f, 1);
	}
	ck_assert_uint_eq(fx_st(&f)->events[0].fired, 2);
	free(before);
	fx_done(&f);
}
END_TEST

/* R04 + engine-contract 2: replaying a schedule whose event goes outside the
 * affinity set is "refused with its position and the reason". */
START_TEST(test_R04_replay_refuses_event_outside_affinity)
{
	static const char text[] = "v1 cpus=4 seed=0: e(nic)@1 1 e(nic)@2";
	struct fx f;
	struct dt_schedule s;
	struct dt_schedule_error err;
	fx_init(&f, 4);
	unsigned p = FX_PROG(&f, isr_step);
	fx_dev(&f, "nic", DT_LINE_EDGE, 5, 0xA, p, DT_NO_CALLBACK);
	fx_start(&f);
	dt_schedule_init(&s);
	ck_assert_int_eq(dt_schedule_parse(text, &s, &err), 0);
	memset(&err, 0, sizeof(err));
	ck_assert_int_ne(dt_machine_replay(f.m, &s, &err), DT_OK);
	ck_assert_uint_eq(err.column, (uint32_t)(strstr(text, "e(nic)@2") - text) + 1);
	ck_assert_ptr_nonnull(strstr(err.reason, "affinity"));
	/* The two fitting choices were applied, the refused one changed nothing. */
	ck_assert_uint_eq(fx_st(&f)->step, 2);
	ck_assert_uint_eq(fx_st(&f)->events[0].fired, 1);
	ck_assert_uint_eq(fx_st(&f)->cpus[2].npending, 0);
	ck_assert_uint_eq(fx_st(&f)->cpus[2].nframes, 0);
	ck_assert_uint_eq(fx_st(&f)->cpus[1].nframes, 1);
	dt_schedule_free(&s);
	fx_done(&f);
}
END_TEST

/* R04: an instance "never moves afterwards": masked on its CPU, it waits
 * there even while another CPU of the set is idle. */
START_TEST(test_R04_pending_interrupt_never_moves)
{
	struct fx f;
	fx_init(&f, 2);
	unsigned p = FX_PROG(&f, isr_step);
	fx_dev(&f, "hi", DT_LINE_EDGE, 9, 0, p, DT_NO_CALLBACK);
	fx_dev(&f, "lo", DT_LINE_EDGE, 5, 0, p, DT_NO_CALLBACK);
	fx_start(&f);
	fx_fire(&f, 0, 1);  /* step 1 */
	fx_cpu(&f, 1);      /* step 2: CPU1 at 9 */
	fx_fire(&f, 1, 1);  /* step 3: lo pending on CPU1, masked */
	ck_assert_uint_eq(fx_st(&f)->cpus[1].npending, 1);
	ck_assert_uint_eq(fx_st(&f)->cpus[1].pending[0].interrupt, 1);
	ck_assert_uint_eq(fx_st(&f)->cpus[0].npending, 0);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_NONE);
	ck_assert_int_eq(fx_try(&f, 0), DT_ENOTENABLED);
	struct dt_choice en[2];
	ck_assert_uint_eq(dt_machine_enabled(f.m, en, 2), 1);
	ck_assert_uint_eq(en[0].cpu, 1);
	steps(&f, 1, 2);    /* steps 4-5: hi finishes */
	ck_assert_uint_eq(fx_st(&f)->cpus[1].irql, DT_PASSIVE_LEVEL);
	ck_assert_uint_eq(fx_st(&f)->cpus[1].npending, 1);
	ck_assert_uint_eq(fx_st(&f)->cpus[0].npending, 0);
	fx_cpu(&f, 1);      /* step 6 */
	const struct dt_trace_event *e = fx_last(&f, DT_EV_ISR_ENTER);
	ck_assert_uint_eq(e->step, 6);
	ck_assert_int_eq(e->cpu, 1);
	ck_assert_uint_eq(e->object, 1);
	ck_assert_uint_eq(e->cause_step, 3);
	fx_run(&f);
	ck_assert_int_eq(fx_st(&f)->outcome.kind, DT_QUIESCENT);
	ck_assert_uint_eq(fx_st(&f)->cpus[0].steps, 0);
	ck_assert_uint_eq(fx_st(&f)->cpus[0].busy_us, 0);
	fx_done(&f);
}
END_TEST

/* ---- R05 ------------------------------------------------------------------ */

/* A host that records every dt_call the engine makes (R05: what the ISR
 * receives), then defers to the C-program host. */
static struct dt_call r05_calls[16];
static unsigned r05_ncalls;
static struct dt_host_ops r05_ops;

static void *r05_body_create(void *ctx, const struct dt_call *call)
{
	if (r05_ncalls < 16)
		r05_calls[r05_ncalls++] = *call;
	return dt_chost_ops()->body_create(ctx, call);
}

static void r05_start_recording(struct fx *f)
{
	r05_ops = *dt_chost_ops();
	r05_ops.body_create = r05_body_create;
	r05_ncalls = 0;
	ck_assert_int_eq(dt_machine_create(&f->cfg, &r05_ops, &f->host, &f->m), DT_OK);
	ck_assert_int_eq(fx_st(f)->outcome.kind, DT_RUNNING);
}

/* Device 0: MSI with 3 messages (interrupts 0..2); device 1: an edge line
 * (interrupt 3).  Every ISR queues its own DPC. */
static void r05_setup(struct fx *f, unsigned ncpus)
{
	fx_init(f, ncpus);
	unsigned isr = FX_PROG(f, isr_queue), dpc = FX_PROG(f, dpc_empty);
	unsigned d = fx_dev(f, "msi", DT_LINE_MSI, 6, 0, isr, dpc);
	f->devs[d].messages = 3;
	fx_dev(f, "nic", DT_LINE_EDGE, 5, 0, isr, dpc);
	r05_start_recording(f);
}

/* R05: "MessageID passed to EvtInterruptIsr is the 0-based creation index of
 * the interrupt object on its device ... One WDFINTERRUPT per MSI message." */
START_TEST(test_R05_message_id_is_creation_index)
{
	struct fx f;
	r05_setup(&f, 1);
	const struct dt_state *st = fx_st(&f);
	ck_assert_uint_eq(st->ninterrupts, 4);
	ck_assert_uint_eq(st->devices[0].nlines, 3);
	ck_assert_uint_eq(st->devices[0].ninterrupts, 3);
	ck_assert_uint_eq(st->devices[1].ninterrupts, 1);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_uint_eq(st->interrupts[i].device, 0);
		ck_assert_uint_eq(st->interrupts[i].line, i);
		ck_assert_uint_eq(st->interrupts[i].message_id, i);
		ck_assert_uint_eq(st->devices[0].lines[i].kind, DT_LINE_MSI);
		ck_assert_uint_eq(st->devices[0].lines[i].interrupt, i);
	}
	ck_assert_uint_eq(st->interrupts[3].device, 1);
	ck_assert_uint_eq(st->interrupts[3].message_id, 0);
	/* Distinct handles, each naming its own object. */
	for (unsigned i = 0; i < 4; i++) {
		unsigned idx = 99;
		ck_assert(f.handles[i] != 0);
		ck_assert(f.handles[i] == dt_handle_of(DT_HANDLE_INTERRUPT, i));
		ck_assert_int_eq(dt_handle_decode(f.m, f.handles[i], DT_HANDLE_INTERRUPT, &idx), 1);
		ck_assert_uint_eq(idx, i);
		for (unsigned j = 0; j < i; j++)
			ck_assert(f.handles[i] != f.handles[j]);
	}
	unsigned ev[4];
	ev[0] = 0; /* the fixture's "msi" event: message 0 */
	ev[1] = add_event(&f, "msi1", 0, 1, 2);
	ev[2] = add_event(&f, "msi2", 0, 2, 4);
	ev[3] = 1; /* "nic" */
	static const unsigned order[4] = { 2, 1, 0, 3 };
	for (unsigned k = 0; k < 4; k++) {
		unsigned i = order[k];
		fx_fire(&f, ev[i], 0);
		ck_assert_uint_eq(fx_last(&f, DT_EV_IRQ_PENDING)->object, i);
		fx_cpu(&f, 0);
		const struct dt_trace_event *e = fx_last(&f, DT_EV_ISR_ENTER);
		ck_assert_uint_eq(e->object, i);
		ck_assert_int_eq(e->arg[0], i < 3 ? i : 0);
		fx_cpu(&f, 0); /* WdfInterruptQueueDpcForIsr(the ISR's own handle) */
		e = fx_last(&f, DT_EV_QUEUE_DPC);
		ck_assert_int_eq(e->arg[0], i);
		ck_assert_uint_eq(e->object, fx_st(&f)->interrupts[i].dpc);
		ck_assert_int_eq(e->result, 1);
		fx_until(&f, 0, DT_ACT_NONE);
	}
	/* What EvtInterruptIsr received: ISR and DPC calls alternate. */
	ck_assert_uint_eq(r05_ncalls, 8);
	for (unsigned k = 0; k < 4; k++) {
		unsigned i = order[k];
		const struct dt_call *c = &r05_calls[2 * k];
		ck_assert_uint_eq(c->kind, DT_CALL_ISR);
		ck_assert_uint_eq(c->interrupt_index, i);
		ck_assert_uint_eq(c->message_id, i < 3 ? i : 0);
		ck_assert(c->interrupt == f.handles[i]);
		ck_assert(c->device == dt_handle_of(DT_HANDLE_DEVICE, i < 3 ? 0 : 1));
		ck_assert_uint_eq(c->cpu, 0);
		ck_assert_uint_eq(r05_calls[2 * k + 1].kind, DT_CALL_DPC);
		ck_assert(r05_calls[2 * k + 1].interrupt == f.handles[i]);
	}
	for (unsigned i = 0; i < 4; i++) {
		ck_assert_uint_eq(fx_st(&f)->interrupts[i].isr_calls, 1);
		ck_assert_uint_eq(fx_st(&f)->dpcs[fx_st(&f)->interrupts[i].dpc].runs, 1);
	}
	fx_done(&f);
}
END_TEST

/* R05 (with R06): each message is its own interrupt object and vector, so
 * messages arriving together are separate requests, not merged. */
START_TEST(test_R05_each_message_is_its_own_request)
{
	struct fx f;
	r05_setup(&f, 1);
	unsigned m1 = add_event(&f, "msi1", 0, 1, 2);
	fx_fire(&f, 0, 0);
	fx_fire(&f, m1, 0);
	const struct dt_cpu *c0 = &fx_st(&f)->cpus[0];
	ck_assert_uint_eq(c0->npending, 2);
	ck_assert_uint_eq(c0->pending[0].interrupt, 0);
	ck_assert_uint_eq(c0->pending[1].interrupt, 1);
	ck_assert_uint_eq(fx_count(&f, DT_EV_IRQ_MERGED), 0);
	fx_run(&f);
	ck_assert_int_eq(fx_st(&f)->outcome.kind, DT_QUIESCENT);
	ck_assert_uint_eq(fx_st(&f)->interrupts[0].isr_calls, 1);
	ck_assert_uint_eq(fx_st(&f)->interrupts[1].isr_calls, 1);
	ck_assert_uint_eq(fx_st(&f)->interrupts[2].isr_calls, 0);
	ck_assert_int_eq(nth_event(&f, DT_EV_ISR_ENTER, 0)->arg[0], 0);
	ck_assert_int_eq(nth_event(&f, DT_EV_ISR_ENTER, 1)->arg[0], 1);
	fx_done(&f);
}
END_TEST

/* R05: "One WDFINTERRUPT per MSI message": no interrupt object without one. */
START_TEST(test_R05_one_interrupt_object_per_message)
{
	struct dt_config cfg;
	struct dt_machine *m;
	struct dt_interrupt_config ic;
	unsigned dev;
	uint32_t status;
	uint64_t h[4];
	dt_config_default(&cfg, 2);
	ck_assert_int_eq(dt_machine_create(&cfg, NULL, NULL, &m), DT_OK);
	ck_assert_int_eq(dt_device_create(m, "msi", &dev), DT_OK);
	for (unsigned i = 0; i < 3; i++)
		ck_assert_int_eq(dt_device_add_line(m, dev, DT_LINE_MSI, 6, 3, NULL), DT_OK);
	dt_interrupt_config_init(&ic, 0, DT_NO_CALLBACK);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_int_eq(dt_interrupt_create(m, dev, &ic, &status, &h[i]), DT_OK);
		ck_assert_uint_eq(status, DT_STATUS_SUCCESS);
		ck_assert(h[i] == dt_handle_of(DT_HANDLE_INTERRUPT, i));
		ck_assert_uint_eq(dt_machine_state(m)->interrupts[i].message_id, i);
	}
	ck_assert_int_eq(dt_interrupt_create(m, dev, &ic, &status, &h[3]), DT_OK);
	ck_assert_uint_ne(status, DT_STATUS_SUCCESS);
	ck_assert(h[3] == 0);
	ck_assert_uint_eq(dt_machine_state(m)->ninterrupts, 3);
	ck_assert_uint_eq(dt_machine_state(m)->devices[dev].ninterrupts, 3);
	dt_machine_destroy(m);
}
END_TEST

/* ---- R06 ------------------------------------------------------------------ */

/* R06: "a second arrival while one is pending on that CPU merges with it ...
 * an ISR handles everything the device reports." */
START_TEST(test_R06_second_arrival_merges_with_pending)
{
	struct fx f;
	fx_init(&f, 2);
	unsigned p = FX_PROG(&f, isr_ack_all_v0);
	fx_dev(&f, "nic", DT_LINE_EDGE, 5, 0, p, DT_NO_CALLBACK);
	fx_var(&f, "seen");
	fx_start(&f);
	unsigned rx = add_event(&f, "rx", 0, 0, 2);
	fx_fire(&f, 0, 0);  /* step 1 */
	fx_fire(&f, rx, 0); /* step 2: merges */
	const struct dt_cpu *c0 = &fx_st(&f)->cpus[0];
	ck_assert_uint_eq(c0->npending, 1);
	ck_assert_uint_eq(c0->pending[0].interrupt, 0);
	ck_assert_uint_eq(c0->pending[0].arrival_step, 1);
	ck_assert_uint_eq(fx_st(&f)->devices[0].regs[DT_REG_INTSTATUS], 3);
	ck_assert_uint_eq(fx_count(&f, DT_EV_IRQ_PENDING), 1);
	const struct dt_trace_event *e = fx_last(&f, DT_EV_IRQ_MERGED);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->step, 2);
	ck_assert_int_eq(e->cpu, 0);
	ck_assert_uint_eq(e->obj_kind, DT_OBJ_INTERRUPT);
	ck_assert_uint_eq(e->object, 0);
	ck_assert_uint_eq(e->rule, 6);
	ck_assert_uint_eq(e->cause_step, 1);
	ck_assert_int_eq(e->cause_cpu, 0);
	fx_run(&f);
	ck_assert_int_eq(fx_st(&f)->outcome.kind, DT_QUIESCENT);
	ck_assert_uint_eq(fx_st(&f)->interrupts[0].isr_calls, 1);
	ck_assert_uint_eq(fx_count(&f, DT_EV_ISR_ENTER), 1);
	ck_assert_int_eq(fx_val(&f, 0), 3); /* both reports handled in one call */
	ck_assert_uint_eq(fx_st(&f)->devices[0].regs[DT_REG_INTSTATUS], 0);
	fx_done(&f);
}
END_TEST

/* R06: "Per CPU and vector at most one instance is pending": on two CPUs,
 * two arrivals are two requests. */
START_TEST(test_R06_arrivals_on_two_cpus_are_two_requests)
{
	struct fx f;
	fx_init(&f, 2);
	unsigned p = FX_PROG(&f, isr_ack_all_v0);
	fx_dev(&f, "nic", DT_LINE_EDGE, 5, 0, p, DT_NO_CALLBACK);
	fx_var(&f, "seen");
	fx_start(&f);
	fx_fire(&f, 0, 0);
	fx_fire(&f, 0, 1);
	ck_assert_uint_eq(fx_st(&f)->cpus[0].npending, 1);
	ck_assert_uint_eq(fx_st(&f)->cpus[1].npending, 1);
	ck_assert_uint_eq(fx_st(&f)->cpus[1].pending[0].arrival_step, 2);
	ck_assert_uint_eq(fx_count(&f, DT_EV_IRQ_PENDING), 2);
	ck_assert_uint_eq(fx_count(&f, DT_EV_IRQ_MERGED), 0);
	fx_run(&f);
	ck_assert_uint_eq(fx_st(&f)->interrupts[0].isr_calls, 2);
	fx_done(&f);
}
END_TEST

/* R06: merging is only "while one is pending": once the ISR was entered, a
 * new arrival is a new request. */
START_TEST(test_R06_arrival_after_isr_entered_is_new_request)
{
	struct fx f;
	fx_init(&f, 1);
	unsigned p = FX_PROG(&f, isr_ack_all_v0);
	fx_dev(&f, "nic", DT_LINE_EDGE, 5, 0, p, DT_NO_CALLBACK);
	fx_var(&f, "seen");
	fx_start(&f);
	fx_fire(&f, 0, 0);  /* step 1 */
	fx_cpu(&f, 0);      /* step 2: no longer pending */
	ck_assert_uint_eq(fx_st(&f)->cpus[0].npending, 0);
	fx_fire(&f, 0, 0);  /* step 3 */
	ck_assert_uint_eq(fx_st(&f)->cpus[0].npending, 1);
	ck_assert_uint_eq(fx_st(&f)->cpus[0].pending[0].arrival_step, 3);
	ck_assert_uint_eq(fx_count(&f, DT_EV_IRQ_MERGED), 0);
	ck_assert_uint_eq(fx_count(&f, DT_EV_IRQ_PENDING), 2);
	fx_run(&f);
	ck_assert_uint_eq(fx_st(&f)->interrupts[0].isr_calls, 2);
	fx_done(&f);
}
END_TEST

/* ---- R07 ------------------------------------------------------------------ */

/* R07: "An ISR returns TRUE when its device interrupted": the trace records
 * the BOOLEAN; the second instance finds the status already cleared. */
START_TEST(test_R07_isr_return_value_is_recorded)
{
	struct fx f;
	fx_init(&f, 2);
	unsigned p = FX_PROG(&f, isr_ack_if_mine);
	fx_dev(&f, "nic", DT_LINE_EDGE, 5, 0, p, DT_NO_CALLBACK);
	fx_start(&f);
	fx_fire(&f, 0, 0);
	fx_fire(&f, 0, 1);
	fx_until(&f, 0, DT_ACT_NONE);
	fx_until(&f, 1, DT_ACT_NONE);
	const struct dt_trace_event *e = nth_event(&f, DT_EV_ISR_RETURN, 0);
	ck_assert_int_eq(e->cpu, 0);
	ck_assert_int_eq(e->result, 1);
	ck_assert_uint_eq(e->rule, 7);
	e = nth_event(&f, DT_EV_ISR_RETURN, 1);
	ck_assert_int_eq(e->cpu, 1);
	ck_assert_int_eq(e->result, 0);
	fx_done(&f);
}
END_TEST

/* R07: "A level-triggered line stays asserted until the ISR acknowledges":
 * an ISR that acknowledges runs once. */
START_TEST(test_R07_level_isr_that_acknowledges_runs_once)
{
	struct fx f;
	fx_init(&f, 1);
	unsigned p = FX_PROG(&f, isr_ack_bit0);
	fx_dev(&f, "nic", DT_LINE_LEVEL, 5, 0, p, DT_NO_CALLBACK);
	fx_start(&f);
	const struct dt_line *line = &fx_st(&f)->devices[0].lines[0];
	fx_fire(&f, 0, 0);  /* step 1 */
	ck_assert_uint_eq(line->in_service, 1);
	fx_cpu(&f, 0);      /* step 2: take */
	fx_cpu(&f, 0);      /* step 3: acknowledge */
	const struct dt_trace_event *e = fx_last(&f, DT_EV_REG_WRITE);
	ck_assert_uint_eq(e->step, 3);
	ck_assert_int_eq(e->arg[0], DT_REG_INTSTATUS);
	ck_assert_int_eq(e->result, 0);
	fx_cpu(&f, 0);      /* step 4: return */
	e = fx_last(&f, DT_EV_ISR_RETURN);
	ck_assert_uint_eq(e->step, 4);
	ck_assert_int_eq(e->result, 1);
	ck_assert_uint_eq(line->in_service, 0);
	ck_assert_uint_eq(fx_st(&f)->cpus[0].npending, 0);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_NONE);
	fx_run(&f);
	ck_assert_int_eq(fx_st(&f)->outcome.kind, DT_QUIESCENT);
	ck_assert_uint_eq(fx_st(&f)->interrupts[0].isr_calls, 1);
	ck_assert_uint_eq(fx_count(&f, DT_EV_LINE_REASSERTED), 0);
	fx_done(&f);
}
END_TEST

/* R07: a level line acknowledged, then set again by a new device event while
 * the ISR runs, is still asserted at the return: entered once more. */
START_TEST(test_R07_level_reasserted_by_event_during_isr)
{
	struct fx f;
	fx_init(&f, 1);
	unsigned p = FX_PROG(&f, isr_ack_bit0);
	fx_dev(&f, "nic", DT_LINE_LEVEL, 5, 0, p, DT_NO_CALLBACK);
	fx_start(&f);
	fx_fire(&f, 0, 0);  /* step 1 */
	steps(&f, 0, 2);    /* steps 2-3: take, acknowledge */
	fx_fire(&f, 0, 0);  /* step 4: status set again, line already in service */
	ck_assert_uint_eq(fx_st(&f)->devices[0].regs[DT_REG_INTSTATUS], 1);
	ck_assert_uint_eq(fx_st(&f)->cpus[0].npending, 0);
	fx_cpu(&f, 0);      /* step 5: return with the line asserted */
	const struct dt_trace_event *e = fx_last(&f, DT_EV_LINE_REASSERTED);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->step, 5);
	ck_assert_int_eq(e->cpu, 0);
	ck_assert_uint_eq(e->object, 0);
	ck_assert_uint_eq(e->rule, 7);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_TAKE_INTERRUPT);
	fx_run(&f);
	ck_assert_int_eq(fx_st(&f)->outcome.kind, DT_QUIESCENT);
	ck_assert_uint_eq(fx_st(&f)->interrupts[0].isr_calls, 2);
	ck_assert_uint_eq(fx_st(&f)->devices[0].regs[DT_REG_INTSTATUS], 0);
	fx_done(&f);
}
END_TEST

/* R07: "an ISR that returns with the line still asserted is entered again as
 * soon as the IRQL drops (an interrupt storm, ending in 0x133)"; R33: P1 = 1,
 * cumulative time at IRQL >= DISPATCH, P2/P3 in ticks. */
START_TEST(test_R07_level_isr_without_ack_storms_until_watchdog)
{
	struct fx f;
	fx_init(&f, 1);
	f.cfg.sw.tick_us = 10;
	f.cfg.sw.watchdog_single_us = 1000;
	f.cfg.sw.watchdog_cumulative_us = 100;
	unsigned p = FX_PROG(&f, isr_no_ack);
	fx_dev(&f, "nic", DT_LINE_LEVEL, 5, 0, p, DT_NO_CALLBACK);
	fx_start(&f);
	const struct dt_cpu *c0 = &fx_st(&f)->cpus[0];
	fx_fire(&f, 0, 0);  /* step 1 */
	fx_cpu(&f, 0);      /* step 2: take */
	fx_cpu(&f, 0);      /* step 3: return, line still asserted */
	const struct dt_trace_event *e = fx_last(&f, DT_EV_LINE_REASSERTED);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->step, 3);
	ck_assert_int_eq(e->cpu, 0);
	ck_assert_uint_eq(e->object, 0);
	ck_assert_uint_eq(e->rule, 7);
	ck_assert_uint_eq(c0->irql, DT_PASSIVE_LEVEL);
	ck_assert_uint_eq(c0->npending, 1);
	ck_assert_uint_eq(c0->pending[0].interrupt, 0);
	ck_assert_uint_eq(c0->pending[0].arrival_step, 3);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_TAKE_INTERRUPT);
	ck_assert_uint_eq(c0->elevated_us, 2);
	fx_cpu(&f, 0);      /* step 4: entered again */
	ck_assert_uint_eq(fx_st(&f)->interrupts[0].isr_calls, 2);
	for (int i = 0; i < 1000 && fx_st(&f)->outcome.kind == DT_RUNNING; i++)
		fx_cpu(&f, 0);
	const struct dt_outcome *o = &fx_st(&f)->outcome;
	ck_assert_int_eq(o->kind, DT_BUGCHECK);
	ck_assert_uint_eq(o->code, DT_BUGCODE_DPC_WATCHDOG_VIOLATION);
	ck_assert_uint_eq(o->p[0], 1);
	ck_assert_uint_eq(o->p[1], 10);  /* 101 us in 10 us ticks */
	ck_assert_uint_eq(o->p[2], 10);  /* the 100 us allotment in ticks */
	ck_assert_uint_eq(o->rule, 33);
	ck_assert_uint_eq(o->reason, DT_BCR_WATCHDOG_CUMULATIVE);
	ck_assert_int_eq(o->cpu, 0);
	ck_assert_uint_eq(o->step, 102); /* the 101st CPU step exceeds 100 us */
	ck_assert_uint_eq(fx_st(&f)->step, 102);
	ck_assert_uint_eq(fx_st(&f)->interrupts[0].isr_calls, 51);
	ck_assert_uint_eq(fx_count(&f, DT_EV_LINE_REASSERTED), 50);
	e = fx_last(&f, DT_EV_BUGCHECK);
	ck_assert_uint_eq(e->step, 102);
	ck_assert_int_eq(e->arg[0], DT_BUGCODE_DPC_WATCHDOG_VIOLATION);
	ck_assert_int_eq(e->arg[1], 1);
	ck_assert_uint_eq(e->rule, 33);
	ck_assert_int_eq(fx_try(&f, 0), DT_EHALTED);
	fx_done(&f);
}
END_TEST

/* R07: the line stays asserted "until the ISR acknowledges ... or masks the
 * device": an ISR that masks is not re-entered; the status stays set, and
 * unmasking asserts the line again. */
START_TEST(test_R07_level_isr_that_masks_device_is_not_reentered)
{
	struct fx f;
	fx_init(&f, 1);
	unsigned pm = FX_PROG(&f, isr_mask_dev0), pu = FX_PROG(&f, isr_unmask_dev0);
	fx_dev(&f, "nic", DT_LINE_LEVEL, 5, 0, pm, DT_NO_CALLBACK);
	fx_dev(&f, "ctl", DT_LINE_EDGE, 3, 0, pu, DT_NO_CALLBACK);
	fx_start(&f);
	const struct dt_device *dev = &fx_st(&f)->devices[0];
	fx_fire(&f, 0, 0);
	fx_until(&f, 0, DT_ACT_NONE);
	ck_assert_uint_eq(fx_st(&f)->interrupts[0].isr_calls, 1);
	ck_assert_uint_eq(fx_count(&f, DT_EV_LINE_REASSERTED), 0);
	ck_assert_uint_eq(dev->regs[DT_REG_INTSTATUS], 1);
	ck_assert_uint_eq(dev->regs[DT_REG_INTENABLE], 0);
	ck_assert_uint_eq(dev->lines[0].in_service, 0);
	ck_assert_uint_eq(total_pending(&f), 0);
	ck_assert_uint_eq(count_for(&f, DT_EV_IRQ_PENDING, 0), 1);
	/* ctl's ISR unmasks nic: status & enable != 0, the line asserts. */
	fx_fire(&f, 1, 0);
	fx_cpu(&f, 0);      /* take ctl at 3 */
	fx_cpu(&f, 0);      /* write INTENABLE */
	ck_assert_uint_eq(count_for(&f, DT_EV_IRQ_PENDING, 0), 2);
	ck_assert_uint_eq(dev->lines[0].in_service, 1);
	ck_assert_uint_eq(total_pending(&f), 1);
	fx_until(&f, 0, DT_ACT_NONE);
	ck_assert_uint_eq(fx_st(&f)->interrupts[0].isr_calls, 2);
	ck_assert_uint_eq(fx_st(&f)->interrupts[1].isr_calls, 1);
	fx_done(&f);
}
END_TEST

/* Device 0 of `kind` (ISR acknowledges), device 1 "ctl" whose ISR masks
 * device 0; ctl's ISR has run when this returns. */
static void r07_masked_setup(struct fx *f, unsigned kind)
{
	fx_init(f, 2);
	unsigned pa = FX_PROG(f, isr_ack_bit0), pm = FX_PROG(f, isr_mask_dev0);
	fx_dev(f, "dev", kind, 5, 0, pa, DT_NO_CALLBACK);
	fx_dev(f, "ctl", DT_LINE_EDGE, 3, 0, pm, DT_NO_CALLBACK);
	fx_start(f);
	fx_fire(f, 1, 0);
	fx_until(f, 0, DT_ACT_NONE);
	ck_assert_uint_eq(fx_st(f)->devices[0].regs[DT_REG_INTENABLE], 0);
}

static void r07_assert_not_sent(struct fx *f)
{
	uint32_t step = fx_st(f)->step;
	fx_fire(f, 0, 1);
	const struct dt_trace_event *e = fx_last(f, DT_EV_DEVICE_EVENT);
	ck_assert_uint_eq(e->step, step + 1);
	ck_assert_uint_eq(e->object, 0);
	ck_assert_int_eq(e->arg[0], 1);
	ck_assert_int_eq(e->arg[1], 1); /* status after: the bit stays set */
	ck_assert_int_eq(e->result, 0);
	ck_assert_uint_eq(e->rule, 7);
	ck_assert_uint_eq(fx_st(f)->devices[0].regs[DT_REG_INTSTATUS], 1);
	ck_assert_uint_eq(fx_st(f)->events[0].fired, 1);
	ck_assert_uint_eq(count_for(f, DT_EV_IRQ_PENDING, 0), 0);
	ck_assert_uint_eq(total_pending(f), 0);
	ck_assert_int_eq(dt_cpu_next_action(f->m, 1), DT_ACT_NONE);
	fx_run(f);
	ck_assert_int_eq(fx_st(f)->outcome.kind, DT_QUIESCENT);
	ck_assert_uint_eq(fx_st(f)->interrupts[0].isr_calls, 0);
	ck_assert_uint_eq(fx_st(f)->devices[0].regs[DT_REG_INTSTATUS], 1);
}

/* R07: "An edge/MSI event that happens while the device's interrupts are
 * disabled is not sent; the status bit stays set." (edge line) */
START_TEST(test_R07_edge_event_while_disabled_is_not_sent)
{
	struct fx f;
	r07_masked_setup(&f, DT_LINE_EDGE);
	r07_assert_not_sent(&f);
	fx_done(&f);
}
END_TEST

/* R07: the same sentence for an MSI message. */
START_TEST(test_R07_msi_event_while_disabled_is_not_sent)
{
	struct fx f;
	r07_masked_setup(&f, DT_LINE_MSI);
	r07_assert_not_sent(&f);
	fx_done(&f);
}
END_TEST

/* ---- R08 ------------------------------------------------------------------ */

/* R08: "the highest-IRQL pending interrupt is taken first (ties by arrival
 * order)". */
START_TEST(test_R08_highest_pending_first_ties_by_arrival)
{
	struct fx f;
	fx_init(&f, 1);
	unsigned p = FX_PROG(&f, isr_step);
	fx_dev(&f, "top", DT_LINE_EDGE, 12, 0, p, DT_NO_CALLBACK); /* 0 */
	fx_dev(&f, "a5", DT_LINE_EDGE, 5, 0, p, DT_NO_CALLBACK);   /* 1 */
	fx_dev(&f, "b8", DT_LINE_EDGE, 8, 0, p, DT_NO_CALLBACK);   /* 2 */
	fx_dev(&f, "c5", DT_LINE_EDGE, 5, 0, p, DT_NO_CALLBACK);   /* 3 */
	fx_dev(&f, "d8", DT_LINE_EDGE, 8, 0, p, DT_NO_CALLBACK);   /* 4 */
	fx_start(&f);
	fx_fire(&f, 0, 0);  /* step 1 */
	fx_cpu(&f, 0);      /* step 2: at 12, everything else masked */
	for (unsigned d = 1; d <= 4; d++)
		fx_fire(&f, d, 0); /* steps 3-6 */
	ck_assert_uint_eq(fx_st(&f)->cpus[0].npending, 4);
	fx_until(&f, 0, DT_ACT_NONE);
	ck_assert_uint_eq(fx_st(&f)->step, 20);
	static const unsigned obj[5] = { 0, 2, 4, 1, 3 };
	static const unsigned at[5] = { 2, 9, 12, 15, 18 };
	static const unsigned arrived[5] = { 1, 4, 6, 3, 5 };
	ck_assert_uint_eq(fx_count(&f, DT_EV_ISR_ENTER), 5);
	for (unsigned i = 0; i < 5; i++) {
		const struct dt_trace_event *e = nth_event(&f, DT_EV_ISR_ENTER, i);
		ck_assert_uint_eq(e->object, obj[i]);
		ck_assert_uint_eq(e->step, at[i]);
		ck_assert_uint_eq(e->cause_step, arrived[i]);
		ck_assert_uint_eq(e->irql_before, DT_PASSIVE_LEVEL);
		ck_assert_uint_eq(e->irql_after, fx_st(&f)->interrupts[obj[i]].dirql);
	}
	fx_done(&f);
}
END_TEST

/* R08: "pending interrupts are taken before the interrupted code continues". */
START_TEST(test_R08_pending_taken_before_interrupted_isr_continues)
{
	struct fx f;
	fx_init(&f, 1);
	unsigned p = FX_PROG(&f, isr_step);
	fx_dev(&f, "a5", DT_LINE_EDGE, 5, 0, p, DT_NO_CALLBACK); /* 0 */
	fx_dev(&f, "c9", DT_LINE_EDGE, 9, 0, p, DT_NO_CALLBACK); /* 1 */
	fx_dev(&f, "b7", DT_LINE_EDGE, 7, 0, p, DT_NO_CALLBACK); /* 2 */
	fx_start(&f);
	const struct dt_cpu *c0 = &fx_st(&f)->cpus[0];
	fx_fire(&f, 0, 0);  /* step 1 */
	fx_cpu(&f, 0);      /* step 2: a5, stopped at its step */
	fx_fire(&f, 1, 0);  /* step 3 */
	fx_cpu(&f, 0);      /* step 4: c9 preempts */
	fx_fire(&f, 2, 0);  /* step 5: b7 masked under 9 */
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_PERFORM_OP);
	steps(&f, 0, 2);    /* steps 6-7: c9 finishes, IRQL 9 -> 5 */
	ck_assert_uint_eq(c0->irql, 5);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_TAKE_INTERRUPT);
	fx_cpu(&f, 0);      /* step 8: b7 before a5 continues */
	ck_assert_uint_eq(c0->nframes, 2);
	assert_isr_frame(&c0->frames[0], 0, DT_FS_AT_OP, 5, DT_PASSIVE_LEVEL);
	ck_assert_uint_eq(c0->frames[0].op.kind, DT_OP_STEP);
	assert_isr_frame(&c0->frames[1], 2, DT_FS_AT_OP, 7, 5);
	ck_assert_uint_eq(c0->irql, 7);
	const struct dt_trace_event *e = fx_last(&f, DT_EV_ISR_ENTER);
	ck_assert_uint_eq(e->step, 8);
	ck_assert_uint_eq(e->object, 2);
	ck_assert_uint_eq(e->irql_before, 5);
	ck_assert_uint_eq(e->irql_after, 7);
	ck_assert_uint_eq(fx_count(&f, DT_EV_STEP_OP), 1); /* a5 has not moved */
	steps(&f, 0, 2);    /* steps 9-10: b7 finishes */
	ck_assert_uint_eq(c0->irql, 5);
	ck_assert_uint_eq(c0->nframes, 1);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_PERFORM_OP);
	fx_cpu(&f, 0);      /* step 11: a5's step at last */
	e = fx_last(&f, DT_EV_STEP_OP);
	ck_assert_uint_eq(e->step, 11);
	ck_assert_uint_eq(e->irql_before, 5);
	fx_cpu(&f, 0);      /* step 12 */
	ck_assert_uint_eq(c0->irql, DT_PASSIVE_LEVEL);
	ck_assert_uint_eq(c0->nframes, 0);
	fx_done(&f);
}
END_TEST

/* R08: pending interrupts first, "and below DISPATCH the DPC queue drains
 * before a thread continues" (here: before the idle CPU goes idle). */
START_TEST(test_R08_pending_interrupt_then_dpc_drain_then_idle)
{
	struct fx f;
	fx_init(&f, 1);
	unsigned pq = FX_PROG(&f, isr_queue), pd = FX_PROG(&f, dpc_step),
		 ps = FX_PROG(&f, isr_step);
	fx_dev(&f, "a5", DT_LINE_EDGE, 5, 0, pq, pd);            /* 0 */
	fx_dev(&f, "b3", DT_LINE_EDGE, 3, 0, ps, DT_NO_CALLBACK); /* 1 */
	fx_start(&f);
	const struct dt_cpu *c0 = &fx_st(&f)->cpus[0];
	unsigned dpc = fx_st(&f)->interrupts[0].dpc;
	fx_fire(&f, 0, 0);  /* step 1 */
	fx_cpu(&f, 0);      /* step 2: a5 at its queue call */
	fx_fire(&f, 1, 0);  /* step 3: b3 masked */
	fx_cpu(&f, 0);      /* step 4: queue: TRUE */
	ck_assert_uint_eq(c0->qlen, 1);
	ck_assert_uint_eq(c0->queue[0], dpc);
	fx_cpu(&f, 0);      /* step 5: return to PASSIVE */
	ck_assert_uint_eq(c0->irql, DT_PASSIVE_LEVEL);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_TAKE_INTERRUPT);
	fx_cpu(&f, 0);      /* step 6: b3 before the drain */
	const struct dt_trace_event *e = fx_last(&f, DT_EV_ISR_ENTER);
	ck_assert_uint_eq(e->step, 6);
	ck_assert_uint_eq(e->object, 1);
	ck_assert_uint_eq(c0->irql, 3);
	ck_assert_uint_eq(c0->qlen, 1);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_PERFORM_OP);
	steps(&f, 0, 2);    /* steps 7-8 */
	ck_assert_uint_eq(c0->irql, DT_PASSIVE_LEVEL);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_DEQUEUE_DPC);
	fx_cpu(&f, 0);      /* step 9 */
	e = fx_last(&f, DT_EV_DPC_DEQUEUE);
	ck_assert_uint_eq(e->step, 9);
	ck_assert_uint_eq(e->object, dpc);
	ck_assert_uint_eq(e->cause_step, 4);
	ck_assert_uint_eq(c0->irql, DT_DISPATCH_LEVEL);
	ck_assert_uint_eq(c0->nframes, 1);
	ck_assert_uint_eq(c0->frames[0].kind, DT_FRAME_DPC);
	ck_assert_uint_eq(c0->frames[0].object, dpc);
	steps(&f, 0, 2);    /* steps 10-11: the DPC runs and the drain ends */
	e = fx_last(&f, DT_EV_DRAIN_END);
	ck_assert_uint_eq(e->step, 11);
	ck_assert_uint_eq(e->irql_after, DT_PASSIVE_LEVEL);
	ck_assert_uint_eq(c0->irql, DT_PASSIVE_LEVEL);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_NONE);
	fx_done(&f);
}
END_TEST

/* The fixture's scenario plus one lesson thread "t" running program
 * r08_thread_prog (engine-contract 4). */
static int (*r08_base_build)(struct dt_chost *h, struct dt_machine *m);
static unsigned r08_thread_prog;

static int build_with_thread(struct dt_chost *h, struct dt_machine *m)
{
	if (r08_base_build(h, m))
		return -1;
	return dt_thread_create(m, "t", r08_thread_prog, 0, NULL) ? -1 : 0;
}

/* R08: "pending interrupts are taken before the interrupted code continues,
 * and below DISPATCH the DPC queue drains before a thread continues". */
START_TEST(test_R08_interrupt_then_drain_before_thread_continues)
{
	struct fx f;
	fx_init(&f, 1);
	unsigned pq = FX_PROG(&f, isr_queue), pd = FX_PROG(&f, dpc_step),
		 ps = FX_PROG(&f, isr_step);
	r08_thread_prog = FX_PROG(&f, isr_step2); /* step, step, return */
	fx_dev(&f, "a5", DT_LINE_EDGE, 5, 0, pq, pd);            /* 0 */
	fx_dev(&f, "b3", DT_LINE_EDGE, 3, 0, ps, DT_NO_CALLBACK); /* 1 */
	r08_base_build = f.host.build;
	f.host.build = build_with_thread;
	fx_start(&f);
	const struct dt_cpu *c0 = &fx_st(&f)->cpus[0];
	unsigned dpc = fx_st(&f)->interrupts[0].dpc;
	ck_assert_uint_eq(fx_st(&f)->nthreads, 1);
	struct dt_choice run = { .kind = DT_CHOICE_THREAD, .cpu = 0, .object = 0 };
	ck_assert_int_eq(dt_machine_step(f.m, &run), DT_OK); /* step 1: dispatch */
	ck_assert_uint_eq(c0->nframes, 1);
	ck_assert_uint_eq(c0->frames[0].kind, DT_FRAME_THREAD);
	fx_cpu(&f, 0);      /* step 2: the thread's first step */
	ck_assert_uint_eq(fx_count(&f, DT_EV_STEP_OP), 1);
	fx_fire(&f, 0, 0);  /* step 3 */
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_TAKE_INTERRUPT);
	fx_cpu(&f, 0);      /* step 4: a5 preempts the thread */
	ck_assert_uint_eq(c0->nframes, 2);
	assert_isr_frame(&c0->frames[1], 0, DT_FS_AT_OP, 5, DT_PASSIVE_LEVEL);
	fx_fire(&f, 1, 0);  /* step 5: b3 masked */
	fx_cpu(&f, 0);      /* step 6: queue: TRUE */
	fx_cpu(&f, 0);      /* step 7: return to PASSIVE */
	ck_assert_uint_eq(c0->irql, DT_PASSIVE_LEVEL);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_TAKE_INTERRUPT);
	fx_cpu(&f, 0);      /* step 8: b3 first */
	ck_assert_uint_eq(fx_last(&f, DT_EV_ISR_ENTER)->object, 1);
	ck_assert_uint_eq(fx_last(&f, DT_EV_ISR_ENTER)->step, 8);
	steps(&f, 0, 2);    /* steps 9-10 */
	ck_assert_uint_eq(c0->irql, DT_PASSIVE_LEVEL);
	ck_assert_uint_eq(c0->nframes, 1);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_DEQUEUE_DPC);
	fx_cpu(&f, 0);      /* step 11: the drain, above the thread */
	ck_assert_uint_eq(fx_last(&f, DT_EV_DPC_DEQUEUE)->step, 11);
	ck_assert_uint_eq(c0->nframes, 2);
	ck_assert_uint_eq(c0->frames[0].kind, DT_FRAME_THREAD);
	ck_assert_uint_eq(c0->frames[1].kind, DT_FRAME_DPC);
	ck_assert_uint_eq(c0->frames[1].object, dpc);
	ck_assert_uint_eq(c0->irql, DT_DISPATCH_LEVEL);
	steps(&f, 0, 2);    /* steps 12-13: DPC runs, drain ends */
	ck_assert_uint_eq(fx_last(&f, DT_EV_DRAIN_END)->step, 13);
	ck_assert_uint_eq(c0->irql, DT_PASSIVE_LEVEL);
	ck_assert_uint_eq(c0->nframes, 1);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_PERFORM_OP);
	ck_assert_uint_eq(fx_count(&f, DT_EV_STEP_OP), 3); /* thread, b3, DPC */
	fx_cpu(&f, 0);      /* step 14: the thread continues at last */
	const struct dt_trace_event *e = fx_last(&f, DT_EV_STEP_OP);
	ck_assert_uint_eq(e->step, 14);
	ck_assert_uint_eq(e->frame, DT_FRAME_THREAD);
	fx_run(&f);
	ck_assert_int_eq(fx_st(&f)->outcome.kind, DT_QUIESCENT);
	fx_done(&f);
}
END_TEST

/* R08: only "below DISPATCH" does the drain come first: an ISR that
 * interrupted a DPC returns to that DPC, and the DPC it queued runs after. */
START_TEST(test_R08_interrupted_dpc_continues_before_new_dpc)
{
	struct fx f;
	fx_init(&f, 1);
	unsigned pq = FX_PROG(&f, isr_queue), pd = FX_PROG(&f, dpc_step);
	fx_dev(&f, "a5", DT_LINE_EDGE, 5, 0, pq, pd); /* 0 */
	fx_dev(&f, "b6", DT_LINE_EDGE, 6, 0, pq, pd); /* 1 */
	fx_start(&f);
	const struct dt_cpu *c0 = &fx_st(&f)->cpus[0];
	unsigned da = fx_st(&f)->interrupts[0].dpc, db = fx_st(&f)->interrupts[1].dpc;
	fx_fire(&f, 0, 0);  /* step 1 */
	steps(&f, 0, 3);    /* steps 2-4: a5 queues its DPC and returns */
	fx_cpu(&f, 0);      /* step 5: dequeue a5's DPC */
	ck_assert_uint_eq(c0->frames[0].kind, DT_FRAME_DPC);
	fx_fire(&f, 1, 0);  /* step 6 */
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_TAKE_INTERRUPT);
	fx_cpu(&f, 0);      /* step 7: b6 preempts the DPC */
	ck_assert_uint_eq(c0->nframes, 2);
	assert_isr_frame(&c0->frames[1], 1, DT_FS_AT_OP, 6, DT_DISPATCH_LEVEL);
	fx_cpu(&f, 0);      /* step 8: queue b6's DPC */
	ck_assert_uint_eq(c0->qlen, 1);
	fx_cpu(&f, 0);      /* step 9: return to DISPATCH */
	ck_assert_uint_eq(c0->irql, DT_DISPATCH_LEVEL);
	ck_assert_uint_eq(c0->nframes, 1);
	ck_assert_uint_eq(c0->frames[0].object, da);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_PERFORM_OP);
	fx_cpu(&f, 0);      /* step 10: a5's DPC continues */
	fx_cpu(&f, 0);      /* step 11: it returns; the drain goes on */
	const struct dt_trace_event *e = fx_last(&f, DT_EV_DPC_RETURN);
	ck_assert_uint_eq(e->step, 11);
	ck_assert_uint_eq(e->object, da);
	ck_assert_int_eq(e->arg[0], 1);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_DEQUEUE_DPC);
	fx_cpu(&f, 0);      /* step 12 */
	ck_assert_uint_eq(fx_last(&f, DT_EV_DPC_DEQUEUE)->object, db);
	fx_until(&f, 0, DT_ACT_NONE);
	ck_assert_uint_eq(fx_st(&f)->step, 14);
	ck_assert_uint_eq(c0->irql, DT_PASSIVE_LEVEL);
	fx_done(&f);
}
END_TEST

Suite *rules_irq_suite(void)
{
	Suite *s = suite_create("rules_irq");
	TCase *tc = tcase_create("R01-R08");
	tcase_add_test(tc, test_R01_irql_constants);
	tcase_add_test(tc, test_R01_line_dirql_must_be_a_device_irql);
	tcase_add_test(tc, test_R01_isr_runs_at_its_line_dirql);
	tcase_add_test(tc, test_R02_masked_stays_pending_higher_preempts);
	tcase_add_test(tc, test_R03_isr_holds_interrupt_lock);
	tcase_add_test(tc, test_R03_second_cpu_spins_at_dirql_until_lock_free);
	tcase_add_test(tc, test_R03_two_spinners_one_obtains);
	tcase_add_test(tc, test_R03_isr_runs_at_synchronize_irql);
	tcase_add_test(tc, test_R03_isr_never_runs_on_two_cpus_at_once);
	tcase_add_test(tc, test_R04_receiving_cpu_is_the_choice_cpu);
	tcase_add_test(tc, test_R04_choice_outside_affinity_is_refused);
	tcase_add_test(tc, test_R04_replay_refuses_event_outside_affinity);
	tcase_add_test(tc, test_R04_pending_interrupt_never_moves);
	tcase_add_test(tc, test_R05_message_id_is_creation_index);
	tcase_add_test(tc, test_R05_each_message_is_its_own_request);
	tcase_add_test(tc, test_R05_one_interrupt_object_per_message);
	tcase_add_test(tc, test_R06_second_arrival_merges_with_pending);
	tcase_add_test(tc, test_R06_arrivals_on_two_cpus_are_two_requests);
	tcase_add_test(tc, test_R06_arrival_after_isr_entered_is_new_request);
	tcase_add_test(tc, test_R07_isr_return_value_is_recorded);
	tcase_add_test(tc, test_R07_level_isr_that_acknowledges_runs_once);
	tcase_add_test(tc, test_R07_level_reasserted_by_event_during_isr);
	tcase_add_test(tc, test_R07_level_isr_without_ack_storms_until_watchdog);
	tcase_add_test(tc, test_R07_level_isr_that_masks_device_is_not_reentered);
	tcase_add_test(tc, test_R07_edge_event_while_disabled_is_not_sent);
	tcase_add_test(tc, test_R07_msi_event_while_disabled_is_not_sent);
	tcase_add_test(tc, test_R08_highest_pending_first_ties_by_arrival);
	tcase_add_test(tc, test_R08_pending_taken_before_interrupted_isr_continues);
	tcase_add_test(tc, test_R08_pending_interrupt_then_dpc_drain_then_idle);
	tcase_add_test(tc, test_R08_interrupt_then_drain_before_thread_continues);
	tcase_add_test(tc, test_R08_interrupted_dpc_continues_before_new_dpc);
	suite_add_tcase(s, tc);
	return s;
}
