/*
 * test_rules_dpc.c - WdfInterruptQueueDpcForIsr and the DPC queue,
 * rule by rule (semantics.md R10-R19).
 *
 * Each test builds a tiny scenario with the fixture, drives the CPUs one
 * step at a time with an explicit schedule, and asserts exact values: the
 * BOOLEAN results the bodies saw (saved into watched values), the
 * QUEUE_DPC / DPC_DEQUEUE / DPC_RETURN / DRAIN_END trace events with their
 * causes, the per-CPU queues, the DPC object's fields, IRQLs and frame
 * stacks.  Step numbers are global (engine-contract 1): one fire or one
 * CPU action is one step.
 *
 * Lines are edge-triggered, so the ISRs need not acknowledge the status
 * register for the rule under test; devices are indexed in creation
 * order, and so are their events, interrupts and embedded DPCs.
 */
#include "fixture.h"
#include "testutil.h"

/* Every test creates the same watched values, in this order. */
enum {
	V_Q1 = 0,  /* result of a body's first queue call (the last body to run) */
	V_Q2,      /* result of a second queue call */
	V_PENDING, /* work the ISR saved for the DPC */
	V_HANDLED, /* work the DPC handled (or its run count) */
	V_EMPTY,   /* DPC runs that found nothing to do */
	V_WHERE,   /* a CPU number or IRQL the body saw */
	V_MARK,    /* written by a DPC's first operation */
	V_AUX,     /* a flag */
	V_COUNT
};

static const char *const var_names[V_COUNT] = {
	"q1", "q2", "pending", "handled", "empty", "where", "mark", "aux",
};

/* ---- bodies ---------------------------------------------------------- */

/* ISR: q1 = WdfInterruptQueueDpcForIsr(); return TRUE. */
static const struct dt_cinsn isr_queue[] = {
	CP_QUEUE_DPC(0),
	CP_WRITE(V_Q1, 0),
	CP_RETI(1),
};

/* ISR that calls twice: q1 = first result, q2 = second result. */
static const struct dt_cinsn isr_queue_twice[] = {
	CP_QUEUE_DPC(0),
	CP_WRITE(V_Q1, 0),
	CP_QUEUE_DPC(1),
	CP_WRITE(V_Q2, 1),
	CP_RETI(1),
};

/* ISR that saves work for the DPC (pending++), then queues it. */
static const struct dt_cinsn isr_count_queue[] = {
	CP_READ(0, V_PENDING),
	CP_ADDI(0, 1),
	CP_WRITE(V_PENDING, 0),
	CP_QUEUE_DPC(1),
	CP_WRITE(V_Q1, 1),
	CP_RETI(1),
};

/* ISR that records its IRQL, then queues. */
static const struct dt_cinsn isr_irql_queue[] = {
	CP_IRQL(0),
	CP_WRITE(V_WHERE, 0),
	CP_QUEUE_DPC(1),
	CP_WRITE(V_Q1, 1),
	CP_RETI(1),
};

/* ISR that only takes a step (a device that needs no DPC). */
static const struct dt_cinsn isr_plain[] = {
	CP_STEP(1),
	CP_RETI(1),
};

/* DPC: handled++ (counts the runs). */
static const struct dt_cinsn dpc_count[] = {
	CP_READ(0, V_HANDLED),
	CP_ADDI(0, 1),
	CP_WRITE(V_HANDLED, 0),
	CP_RETI(0),
};

/* DPC whose first operation writes mark = 7. */
static const struct dt_cinsn dpc_mark[] = {
	CP_WRITEI(V_MARK, 7),
	CP_RETI(0),
};

/* DPC that takes two steps and returns. */
static const struct dt_cinsn dpc_steps[] = {
	CP_STEP(1),
	CP_STEP(1),
	CP_RETI(0),
};

/* DPC that writes where = 10 + KeGetCurrentProcessorNumber(). */
static const struct dt_cinsn dpc_cpu[] = {
	CP_STEP(1),
	CP_CPU(0),
	CP_ADDI(0, 10),
	CP_WRITE(V_WHERE, 0),
	CP_RETI(0),
};

/* DPC that writes where = KeGetCurrentIrql(). */
static const struct dt_cinsn dpc_irql[] = {
	CP_IRQL(0),
	CP_WRITE(V_WHERE, 0),
	CP_RETI(0),
};

/*
 * DPC that handles everything saved: while (pending) { handled +=
 * pending; pending = 0; }  A run that found nothing counts in `empty`.
 */
static const struct dt_cinsn dpc_loop[] = {
	CP_READ(0, V_PENDING),  /* 0 */
	CP_JZ(0, 8),            /* 1 */
	CP_WRITEI(V_PENDING, 0), /* 2 */
	CP_READ(1, V_HANDLED),  /* 3 */
	CP_ADD(1, 0),           /* 4 */
	CP_WRITE(V_HANDLED, 1), /* 5 */
	CP_MOVI(3, 1),          /* 6 */
	CP_JMP(0),              /* 7 */
	CP_JNZ(3, 12),          /* 8 */
	CP_READ(2, V_EMPTY),    /* 9 */
	CP_ADDI(2, 1),          /* 10 */
	CP_WRITE(V_EMPTY, 2),   /* 11 */
	CP_RETI(0),             /* 12 */
};

/* DPC that consumes one unit without the interrupt lock: the classic
 * read ... write of a shared counter the ISR also changes. */
static const struct dt_cinsn dpc_consume[] = {
	CP_READ(0, V_PENDING),  /* 0 */
	CP_JZ(0, 7),            /* 1 */
	CP_ADDI(0, -1),         /* 2 */
	CP_WRITE(V_PENDING, 0), /* 3: the stale value */
	CP_READ(1, V_HANDLED),  /* 4 */
	CP_ADDI(1, 1),          /* 5 */
	CP_WRITE(V_HANDLED, 1), /* 6 */
	CP_RETI(0),             /* 7 */
};

/* DPC that queues its own interrupt DPC once (aux guards it) at
 * DISPATCH, recording the IRQL and the result, and counts its runs. */
static const struct dt_cinsn dpc_requeue_self[] = {
	CP_READ(0, V_AUX),      /* 0 */
	CP_JNZ(0, 7),           /* 1 */
	CP_WRITEI(V_AUX, 1),    /* 2 */
	CP_IRQL(1),             /* 3 */
	CP_WRITE(V_WHERE, 1),   /* 4 */
	CP_QUEUE_DPC(2),        /* 5 */
	CP_WRITE(V_Q2, 2),      /* 6 */
	CP_READ(3, V_HANDLED),  /* 7 */
	CP_ADDI(3, 1),          /* 8 */
	CP_WRITE(V_HANDLED, 3), /* 9 */
	CP_RETI(0),             /* 10 */
};

/* ---- helpers --------------------------------------------------------- */

static void setup(struct fx *f, unsigned ncpus)
{
	fx_init(f, ncpus);
	for (unsigned v = 0; v < V_COUNT; v++)
		fx_var(f, var_names[v]);
}

/* One device with an edge line at `dirql` on every CPU. */
static void one_dev(struct fx *f, const char *name, unsigned dirql, uint32_t isr, uint32_t dpc)
{
	fx_dev(f, name, DT_LINE_EDGE, dirql, 0, isr, dpc);
}

/* The n-th (0-based) trace event of a kind; fails the test if absent. */
static const struct dt_trace_event *nth(struct fx *f, unsigned kind, unsigned n)
{
	const struct dt_trace_event *t = dt_machine_trace(f->m);
	for (size_t i = 0; i < dt_machine_trace_count(f->m); i++)
		if (t[i].kind == kind && n-- == 0)
			return &t[i];
	ck_abort_msg("no trace event %s number %u", dt_event_kind_name(kind), n);
	return NULL;
}

/* Trace events of a kind within steps [from, to]. */
static unsigned count_between(struct fx *f, unsigned kind, uint32_t from, uint32_t to)
{
	const struct dt_trace_event *t = dt_machine_trace(f->m);
	unsigned n = 0;
	for (size_t i = 0; i < dt_machine_trace_count(f->m); i++)
		n += t[i].kind == kind && t[i].step >= from && t[i].step <= to;
	return n;
}

/* A watched value was written, last with `want`. */
static void ck_var(struct fx *f, unsigned v, int64_t want)
{
	const struct dt_var *var = &fx_st(f)->vars[v];
	ck_assert_msg(var->last_writer_cpu >= 0, "%s was never written", var_names[v]);
	ck_assert_int_eq(var->value.kind, DT_VAL_INT);
	ck_assert_int_eq(var->value.u.i, want);
}

static void ck_unwritten(struct fx *f, unsigned v)
{
	ck_assert_int_eq(fx_st(f)->vars[v].last_writer_cpu, -1);
	ck_assert_int_eq(fx_st(f)->vars[v].value.u.i, 0);
}

static void ck_no_bugcheck(struct fx *f)
{
	ck_assert_int_ne(fx_st(f)->outcome.kind, DT_BUGCHECK);
	ck_assert_uint_eq(fx_count(f, DT_EV_BUGCHECK), 0);
}

static uint32_t now(struct fx *f)
{
	return fx_st(f)->step;
}

/* Run to the end; the run must end quiescent. */
static void run_quiescent(struct fx *f)
{
	fx_run(f);
	ck_assert_int_eq(fx_st(f)->outcome.kind, DT_QUIESCENT);
}

/* Fire device d's event to `cpu` and step `cpu` through the whole
 * isr_queue body (take, queue, write, return): 5 steps. */
static void isr_queue_on(struct fx *f, unsigned d, unsigned cpu)
{
	fx_fire(f, d, cpu);
	fx_cpu(f, cpu); /* take the interrupt */
	fx_cpu(f, cpu); /* WdfInterruptQueueDpcForIsr */
	fx_cpu(f, cpu); /* q1 = result */
	ck_assert_int_eq(dt_cpu_next_action(f->m, cpu), DT_ACT_RETURN);
	fx_cpu(f, cpu); /* return from the ISR */
}

/* ---- R10 ------------------------------------------------------------- */

/* R10: "Each interrupt object embeds one ordinary DPC object (not threaded,
 * Medium importance, not targeted)." */
START_TEST(test_R10_embedded_dpc_is_medium_untargeted)
{
	struct fx f;
	setup(&f, 2);
	unsigned isr = FX_PROG(&f, isr_queue), dpc = FX_PROG(&f, dpc_count);
	one_dev(&f, "nic", 5, isr, dpc);
	one_dev(&f, "disk", 6, isr, dpc);
	fx_start(&f);
	const struct dt_state *st = fx_st(&f);
	ck_assert_uint_eq(st->ninterrupts, 2);
	ck_assert_uint_eq(st->ndpcs, 2);
	for (unsigned i = 0; i < 2; i++) {
		const struct dt_dpc *d = &st->dpcs[st->interrupts[i].dpc];
		ck_assert_uint_eq(st->interrupts[i].dpc, i);
		ck_assert_uint_eq(d->importance, DT_MEDIUM);
		ck_assert_int_eq(d->target_cpu, -1);
		ck_assert_uint_eq(d->interrupt, i);
		ck_assert_uint_eq(d->routine, dpc);
		ck_assert_uint_eq(d->inserted, 0);
		ck_assert_int_eq(d->queue_cpu, -1);
		ck_assert_uint_eq(d->running, 0);
		ck_assert_uint_eq(d->inserts, 0);
		ck_assert_uint_eq(d->runs, 0);
	}
	fx_done(&f);
}
END_TEST

/* R10: "WdfInterruptQueueDpcForIsr calls KeInsertQueueDpc on it ... and
 * returns that result unchanged." */
START_TEST(test_R10_queue_result_is_the_insert_result)
{
	struct fx f;
	setup(&f, 2);
	one_dev(&f, "nic", 5, FX_PROG(&f, isr_queue_twice), FX_PROG(&f, dpc_count));
	fx_start(&f);
	fx_fire(&f, 0, 0);  /* 1 */
	fx_cpu(&f, 0);      /* 2: take */
	fx_cpu(&f, 0);      /* 3: first queue call: inserted */
	const struct dt_state *st = fx_st(&f);
	ck_assert_uint_eq(st->dpcs[0].inserted, 1);
	ck_assert_uint_eq(st->dpcs[0].inserts, 1);
	ck_assert_uint_eq(st->dpcs[0].queued_step, 3);
	const struct dt_trace_event *e = fx_last(&f, DT_EV_QUEUE_DPC);
	ck_assert_uint_eq(e->step, 3);
	ck_assert_int_eq(e->result, 1);
	ck_assert_uint_eq(e->obj_kind, DT_OBJ_DPC);
	ck_assert_uint_eq(e->object, 0);
	ck_assert_int_eq(e->arg[0], 0);
	fx_cpu(&f, 0);      /* 4: q1 = TRUE */
	ck_var(&f, V_Q1, 1);
	fx_cpu(&f, 0);      /* 5: second call: not inserted */
	ck_assert_uint_eq(st->dpcs[0].inserts, 1);
	e = fx_last(&f, DT_EV_QUEUE_DPC);
	ck_assert_uint_eq(e->step, 5);
	ck_assert_int_eq(e->result, 0);
	fx_cpu(&f, 0);      /* 6: q2 = FALSE */
	ck_var(&f, V_Q2, 0);
	ck_assert_uint_eq(st->interrupts[0].queue_true, 1);
	ck_assert_uint_eq(st->interrupts[0].queue_false, 1);
	run_quiescent(&f);
	ck_var(&f, V_HANDLED, 1);
	fx_done(&f);
}
END_TEST

/* ---- R11 ------------------------------------------------------------- */

/* R11: "FALSE when it is already in a queue (queued, not yet dequeued)" -
 * two calls in one ISR. */
START_TEST(test_R11_second_call_in_same_isr_returns_false)
{
	struct fx f;
	setup(&f, 1);
	one_dev(&f, "nic", 5, FX_PROG(&f, isr_queue_twice), FX_PROG(&f, dpc_count));
	fx_start(&f);
	fx_fire(&f, 0, 0);
	fx_until(&f, 0, DT_ACT_RETURN);
	ck_var(&f, V_Q1, 1);
	ck_var(&f, V_Q2, 0);
	const struct dt_trace_event *e = nth(&f, DT_EV_QUEUE_DPC, 1);
	ck_assert_uint_eq(e->step, 5);
	ck_assert_int_eq(e->cpu, 0);
	ck_assert_int_eq(e->result, 0);
	ck_assert_uint_eq(e->rule, 11);
	ck_assert_uint_eq(e->cause_step, 3);
	ck_assert_int_eq(e->cause_cpu, 0);
	ck_assert_int_eq(e->arg[1], 0);
	ck_assert_uint_eq(fx_st(&f)->cpus[0].qlen, 1);
	ck_assert_uint_eq(fx_st(&f)->cpus[0].queue[0], 0);
	fx_done(&f);
}
END_TEST

/* R11: "FALSE changes nothing ...: the earlier queuing stands and its DPC
 * runs once"; the cause points at the inserting step and CPU. */
START_TEST(test_R11_false_from_other_cpu_changes_nothing)
{
	struct fx f;
	setup(&f, 2);
	one_dev(&f, "nic", 5, FX_PROG(&f, isr_queue), FX_PROG(&f, dpc_count));
	fx_start(&f);
	isr_queue_on(&f, 0, 0); /* steps 1-5: queued on CPU0 at step 3 */
	const struct dt_state *st = fx_st(&f);
	struct dt_dpc dpc_before = st->dpcs[0];
	struct dt_cpu cpu0_before = st->cpus[0];
	ck_assert_uint_eq(dpc_before.inserted, 1);
	ck_assert_int_eq(dpc_before.queue_cpu, 0);
	ck_assert_int_eq(dpc_before.queued_by_cpu, 0);
	ck_assert_uint_eq(dpc_before.queued_step, 3);
	/* The same event again, on CPU1, before CPU0 dequeues. */
	fx_fire(&f, 0, 1);  /* 6 */
	fx_cpu(&f, 1);      /* 7: take */
	fx_cpu(&f, 1);      /* 8: queue call: FALSE */
	const struct dt_trace_event *e = fx_last(&f, DT_EV_QUEUE_DPC);
	ck_assert_uint_eq(e->step, 8);
	ck_assert_int_eq(e->cpu, 1);
	ck_assert_int_eq(e->result, 0);
	ck_assert_uint_eq(e->rule, 11);
	ck_assert_uint_eq(e->cause_step, 3);
	ck_assert_int_eq(e->cause_cpu, 0);
	ck_assert_int_eq(e->arg[1], 0); /* it stays in CPU0's queue */
	ck_assert_mem_eq(&st->dpcs[0], &dpc_before, sizeof(dpc_before));
	ck_assert_uint_eq(st->cpus[0].qlen, cpu0_before.qlen);
	ck_assert_mem_eq(st->cpus[0].queue, cpu0_before.queue, sizeof(cpu0_before.queue));
	ck_assert_uint_eq(st->cpus[0].drain_requested, cpu0_before.drain_requested);
	ck_assert_uint_eq(st->cpus[1].qlen, 0);
	ck_assert_uint_eq(st->cpus[1].drain_requested, 0);
	ck_assert_uint_eq(st->interrupts[0].queue_true, 1);
	ck_assert_uint_eq(st->interrupts[0].queue_false, 1);
	fx_cpu(&f, 1);      /* 9: q1 = FALSE */
	ck_var(&f, V_Q1, 0);
	ck_assert_int_eq(st->vars[V_Q1].last_writer_cpu, 1);
	fx_cpu(&f, 1);      /* 10: return */
	ck_assert_int_eq(dt_cpu_next_action(f.m, 1), DT_ACT_NONE);
	run_quiescent(&f);
	ck_var(&f, V_HANDLED, 1);
	ck_assert_uint_eq(st->dpcs[0].runs, 1);
	ck_assert_uint_eq(fx_count(&f, DT_EV_DPC_DEQUEUE), 1);
	ck_assert_int_eq(nth(&f, DT_EV_DPC_DEQUEUE, 0)->cpu, 0);
	fx_done(&f);
}
END_TEST

/* R11: "FALSE changes nothing and is not an error" - the run goes on. */
START_TEST(test_R11_false_is_not_an_error)
{
	struct fx f;
	setup(&f, 1);
	one_dev(&f, "nic", 5, FX_PROG(&f, isr_queue_twice), FX_PROG(&f, dpc_count));
	fx_start(&f);
	fx_fire(&f, 0, 0);
	fx_until(&f, 0, DT_ACT_RETURN);
	ck_var(&f, V_Q2, 0);
	ck_assert_int_eq(fx_st(&f)->outcome.kind, DT_RUNNING);
	ck_assert_uint_eq(fx_count(&f, DT_EV_LESSON_ERROR), 0);
	ck_no_bugcheck(&f);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_RETURN);
	run_quiescent(&f);
	ck_no_bugcheck(&f);
	ck_var(&f, V_HANDLED, 1);
	fx_done(&f);
}
END_TEST

/* R11 with R06's lesson: "the earlier queuing stands and its DPC runs
 * once" - a counter saved by the ISR makes one run handle both events. */
START_TEST(test_R11_second_false_but_both_events_handled)
{
	struct fx f;
	setup(&f, 1);
	one_dev(&f, "nic", 5, FX_PROG(&f, isr_count_queue), FX_PROG(&f, dpc_loop));
	fx_start(&f);
	fx_fire(&f, 0, 0);            /* 1 */
	fx_until(&f, 0, DT_ACT_RETURN); /* 2 take, 3 read, 4 write, 5 queue, 6 q1 */
	fx_cpu(&f, 0);                /* 7: return */
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_DEQUEUE_DPC);
	fx_fire(&f, 0, 0);            /* 8: before the drain */
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_TAKE_INTERRUPT);
	fx_until(&f, 0, DT_ACT_RETURN);
	fx_cpu(&f, 0);
	const struct dt_trace_event *e = nth(&f, DT_EV_QUEUE_DPC, 0);
	ck_assert_int_eq(e->result, 1);
	ck_assert_uint_eq(e->step, 5);
	e = nth(&f, DT_EV_QUEUE_DPC, 1);
	ck_assert_int_eq(e->result, 0);
	ck_assert_uint_eq(e->step, 12);
	ck_assert_uint_eq(e->cause_step, 5);
	ck_assert_int_eq(e->cause_cpu, 0);
	ck_var(&f, V_Q1, 0);
	ck_var(&f, V_PENDING, 2);
	ck_assert_uint_eq(fx_st(&f)->cpus[0].qlen, 1);
	run_quiescent(&f);
	ck_var(&f, V_HANDLED, 2);
	ck_var(&f, V_PENDING, 0);
	ck_unwritten(&f, V_EMPTY);
	ck_assert_uint_eq(fx_st(&f)->dpcs[0].runs, 1);
	ck_assert_uint_eq(fx_st(&f)->interrupts[0].isr_calls, 2);
	fx_done(&f);
}
END_TEST

/* ---- R12 ------------------------------------------------------------- */

/* R12: "The DPC goes on the queue of the CPU that calls
 * WdfInterruptQueueDpcForIsr". */
START_TEST(test_R12_dpc_goes_on_calling_cpu_queue)
{
	struct fx f;
	setup(&f, 2);
	one_dev(&f, "nic", 5, FX_PROG(&f, isr_queue), FX_PROG(&f, dpc_count));
	fx_start(&f);
	fx_fire(&f, 0, 1);  /* 1 */
	fx_cpu(&f, 1);      /* 2: take */
	fx_cpu(&f, 1);      /* 3: queue */
	const struct dt_state *st = fx_st(&f);
	ck_assert_uint_eq(st->cpus[1].qlen, 1);
	ck_assert_uint_eq(st->cpus[1].queue[0], 0);
	ck_assert_uint_eq(st->cpus[0].qlen, 0);
	ck_assert_uint_eq(st->dpcs[0].inserted, 1);
	ck_assert_int_eq(st->dpcs[0].queue_cpu, 1);
	ck_assert_int_eq(st->dpcs[0].queued_by_cpu, 1);
	const struct dt_trace_event *e = fx_last(&f, DT_EV_QUEUE_DPC);
	ck_assert_uint_eq(e->step, 3);
	ck_assert_int_eq(e->cpu, 1);
	ck_assert_int_eq(e->result, 1);
	ck_assert_int_eq(e->arg[1], 1);
	ck_assert_uint_eq(e->rule, 12);
	fx_done(&f);
}
END_TEST

/* R12: "... and EvtInterruptDpc runs on that CPU." */
START_TEST(test_R12_dpc_runs_on_calling_cpu)
{
	struct fx f;
	setup(&f, 4);
	one_dev(&f, "nic", 5, FX_PROG(&f, isr_queue), FX_PROG(&f, dpc_cpu));
	fx_start(&f);
	fx_fire(&f, 0, 2);
	run_quiescent(&f);
	ck_var(&f, V_WHERE, 12);
	ck_assert_int_eq(fx_st(&f)->vars[V_WHERE].last_writer_cpu, 2);
	ck_assert_uint_eq(fx_count(&f, DT_EV_DPC_DEQUEUE), 1);
	ck_assert_int_eq(fx_last(&f, DT_EV_DPC_DEQUEUE)->cpu, 2);
	ck_assert_int_eq(fx_last(&f, DT_EV_DPC_RETURN)->cpu, 2);
	ck_assert_int_eq(fx_last(&f, DT_EV_GET_PROCESSOR)->result, 2);
	for (unsigned c = 0; c < 4; c++)
		ck_assert_uint_eq(fx_st(&f)->cpus[c].steps, c == 2 ? fx_st(&f)->step - 1 : 0);
	fx_done(&f);
}
END_TEST

/* ---- R13 ------------------------------------------------------------- */

/* R13: "'Queued' is cleared when the DPC is dequeued, BEFORE EvtInterruptDpc
 * is called" - in the dequeue step, the first operation still pending. */
START_TEST(test_R13_inserted_clears_in_dequeue_step_before_first_op)
{
	struct fx f;
	setup(&f, 2);
	one_dev(&f, "nic", 5, FX_PROG(&f, isr_queue), FX_PROG(&f, dpc_mark));
	fx_start(&f);
	isr_queue_on(&f, 0, 0); /* steps 1-5, queued at step 3 */
	const struct dt_state *st = fx_st(&f);
	const struct dt_dpc *d = &st->dpcs[0];
	/* Just before step 6. */
	ck_assert_uint_eq(now(&f), 5);
	ck_assert_uint_eq(d->inserted, 1);
	ck_assert_int_eq(d->queue_cpu, 0);
	ck_assert_uint_eq(d->runs, 0);
	ck_assert_uint_eq(st->cpus[0].qlen, 1);
	ck_assert_uint_eq(st->cpus[0].nframes, 0);
	ck_assert_uint_eq(st->cpus[0].irql, DT_PASSIVE_LEVEL);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_DEQUEUE_DPC);
	fx_cpu(&f, 0); /* 6: dequeue and enter */
	ck_assert_uint_eq(d->inserted, 0);
	ck_assert_int_eq(d->queue_cpu, -1);
	ck_assert_uint_eq(d->dequeued_step, 6);
	ck_assert_uint_eq(d->running, 1);
	ck_assert_uint_eq(d->runs, 1);
	ck_assert_uint_eq(st->cpus[0].qlen, 0);
	const struct dt_trace_event *e = fx_last(&f, DT_EV_DPC_DEQUEUE);
	ck_assert_uint_eq(e->step, 6);
	ck_assert_int_eq(e->cpu, 0);
	ck_assert_uint_eq(e->obj_kind, DT_OBJ_DPC);
	ck_assert_uint_eq(e->object, 0);
	ck_assert_int_eq(e->arg[0], 0);
	ck_assert_uint_eq(e->rule, 13);
	ck_assert_uint_eq(e->cause_step, 3);
	ck_assert_int_eq(e->cause_cpu, 0);
	/* The routine was entered and stopped before its first operation. */
	ck_assert_uint_eq(st->cpus[0].nframes, 1);
	const struct dt_frame *fr = &st->cpus[0].frames[0];
	ck_assert_uint_eq(fr->kind, DT_FRAME_DPC);
	ck_assert_uint_eq(fr->object, 0);
	ck_assert_uint_eq(fr->state, DT_FS_AT_OP);
	ck_assert_uint_eq(fr->entered_step, 6);
	ck_assert_uint_eq(fr->op.kind, DT_OP_WRITE_SHARED);
	ck_assert_uint_eq(fr->op.index, V_MARK);
	ck_assert_int_eq(fr->op.value.u.i, 7);
	ck_assert_uint_eq(fr->op.pos.line, 1);
	ck_unwritten(&f, V_MARK);
	ck_assert_uint_eq(count_between(&f, DT_EV_SHARED_WRITE, 6, 6), 0);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_PERFORM_OP);
	fx_cpu(&f, 0); /* 7: the first operation */
	ck_var(&f, V_MARK, 7);
	ck_assert_uint_eq(st->vars[V_MARK].last_write_step, 7);
	ck_assert_uint_eq(fx_last(&f, DT_EV_SHARED_WRITE)->step, 7);
	fx_done(&f);
}
END_TEST

/* R13: "While the routine runs, a new WdfInterruptQueueDpcForIsr returns
 * TRUE." */
START_TEST(test_R13_requeue_while_running_returns_true)
{
	struct fx f;
	setup(&f, 2);
	one_dev(&f, "nic", 5, FX_PROG(&f, isr_queue), FX_PROG(&f, dpc_steps));
	fx_start(&f);
	isr_queue_on(&f, 0, 0); /* 1-5 */
	fx_cpu(&f, 0);          /* 6: dequeue; the routine is running */
	const struct dt_state *st = fx_st(&f);
	ck_assert_uint_eq(st->dpcs[0].running, 1);
	fx_fire(&f, 0, 1);      /* 7 */
	fx_cpu(&f, 1);          /* 8: take */
	fx_cpu(&f, 1);          /* 9: queue: TRUE */
	const struct dt_trace_event *e = fx_last(&f, DT_EV_QUEUE_DPC);
	ck_assert_uint_eq(e->step, 9);
	ck_assert_int_eq(e->cpu, 1);
	ck_assert_int_eq(e->result, 1);
	ck_assert_uint_eq(e->rule, 12);
	ck_assert_int_eq(e->arg[1], 1);
	ck_assert_uint_eq(st->dpcs[0].inserted, 1);
	ck_assert_int_eq(st->dpcs[0].queue_cpu, 1);
	ck_assert_uint_eq(st->dpcs[0].queued_step, 9);
	ck_assert_uint_eq(st->dpcs[0].inserts, 2);
	ck_assert_uint_eq(st->dpcs[0].running, 1);
	ck_assert_uint_eq(st->cpus[1].qlen, 1);
	fx_cpu(&f, 1);          /* 10: q1 = TRUE */
	ck_var(&f, V_Q1, 1);
	ck_assert_int_eq(st->vars[V_Q1].last_writer_cpu, 1);
	ck_assert_uint_eq(st->interrupts[0].queue_true, 2);
	ck_assert_uint_eq(st->interrupts[0].queue_false, 0);
	/* CPU0's instance is still inside the routine. */
	ck_assert_uint_eq(st->cpus[0].nframes, 1);
	ck_assert_uint_eq(st->cpus[0].frames[0].kind, DT_FRAME_DPC);
	fx_done(&f);
}
END_TEST

/* ---- R14 ------------------------------------------------------------- */

/* R14: "if the new queuing happens on another CPU, two instances of
 * EvtInterruptDpc run at the same time and the second may finish first." */
START_TEST(test_R14_other_cpu_two_instances_second_finishes_first)
{
	struct fx f;
	setup(&f, 2);
	one_dev(&f, "nic", 5, FX_PROG(&f, isr_queue), FX_PROG(&f, dpc_cpu));
	fx_start(&f);
	isr_queue_on(&f, 0, 0); /* 1-5 */
	fx_cpu(&f, 0);          /* 6: first instance entered on CPU0 */
	isr_queue_on(&f, 0, 1); /* 7-11: TRUE, queued on CPU1 */
	ck_assert_int_eq(fx_last(&f, DT_EV_QUEUE_DPC)->result, 1);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 1), DT_ACT_DEQUEUE_DPC);
	fx_cpu(&f, 1);          /* 12: second instance entered on CPU1 */
	const struct dt_state *st = fx_st(&f);
	ck_assert_uint_eq(st->dpcs[0].running, 2);
	ck_assert_uint_eq(st->dpcs[0].runs, 2);
	for (unsigned c = 0; c < 2; c++) {
		ck_assert_uint_eq(st->cpus[c].nframes, 1);
		ck_assert_uint_eq(st->cpus[c].frames[0].kind, DT_FRAME_DPC);
		ck_assert_uint_eq(st->cpus[c].frames[0].object, 0);
		ck_assert_uint_eq(st->cpus[c].irql, DT_DISPATCH_LEVEL);
	}
	ck_assert_uint_eq(st->cpus[0].frames[0].entered_step, 6);
	ck_assert_uint_eq(st->cpus[1].frames[0].entered_step, 12);
	/* Drive the second instance to its end first. */
	fx_until(&f, 1, DT_ACT_RETURN);
	fx_cpu(&f, 1);
	ck_assert_uint_eq(fx_count(&f, DT_EV_DPC_RETURN), 1);
	ck_assert_int_eq(fx_last(&f, DT_EV_DPC_RETURN)->cpu, 1);
	ck_assert_uint_eq(st->dpcs[0].running, 1);
	ck_assert_uint_eq(st->cpus[1].nframes, 0);
	ck_assert_uint_eq(st->cpus[0].nframes, 1);
	ck_assert_uint_eq(st->cpus[0].frames[0].kind, DT_FRAME_DPC);
	ck_var(&f, V_WHERE, 11);
	fx_until(&f, 0, DT_ACT_RETURN);
	fx_cpu(&f, 0);
	ck_assert_uint_eq(st->dpcs[0].running, 0);
	ck_var(&f, V_WHERE, 10);
	ck_assert_int_eq(fx_last(&f, DT_EV_SHARED_WRITE)->cause_cpu, 1);
	ck_assert_int_eq(nth(&f, DT_EV_DPC_RETURN, 0)->cpu, 1);
	ck_assert_int_eq(nth(&f, DT_EV_DPC_RETURN, 1)->cpu, 0);
	run_quiescent(&f);
	fx_done(&f);
}
END_TEST

/* R14: "If it happens on the same CPU (an ISR preempted the running DPC),
 * the second runs right after the first returns, often finding nothing
 * left to do" - TRUE, queued on CPU0, same drain. */
START_TEST(test_R14_same_cpu_requeue_runs_after_first_in_same_drain)
{
	struct fx f;
	setup(&f, 1);
	one_dev(&f, "nic", 5, FX_PROG(&f, isr_count_queue), FX_PROG(&f, dpc_loop));
	fx_start(&f);
	const struct dt_state *st = fx_st(&f);
	fx_fire(&f, 0, 0);              /* 1 */
	fx_until(&f, 0, DT_ACT_RETURN); /* 2-6 */
	fx_cpu(&f, 0);                  /* 7: ISR returns */
	fx_cpu(&f, 0);                  /* 8: dequeue, first run */
	ck_assert_uint_eq(fx_last(&f, DT_EV_DPC_DEQUEUE)->step, 8);
	fx_cpu(&f, 0);                  /* 9: read pending = 1 */
	fx_cpu(&f, 0);                  /* 10: pending = 0 */
	fx_cpu(&f, 0);                  /* 11: read handled */
	fx_cpu(&f, 0);                  /* 12: handled = 1; back at the read */
	ck_var(&f, V_HANDLED, 1);
	ck_assert_uint_eq(st->cpus[0].frames[0].op.kind, DT_OP_READ_SHARED);
	ck_assert_uint_eq(st->cpus[0].frames[0].op.index, V_PENDING);
	/* The device interrupts again on CPU0 while the DPC runs. */
	fx_fire(&f, 0, 0);              /* 13 */
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_TAKE_INTERRUPT);
	fx_cpu(&f, 0);                  /* 14: the ISR preempts the DPC */
	ck_assert_uint_eq(st->cpus[0].nframes, 2);
	ck_assert_uint_eq(st->cpus[0].frames[0].kind, DT_FRAME_DPC);
	ck_assert_uint_eq(st->cpus[0].frames[1].kind, DT_FRAME_ISR);
	ck_assert_uint_eq(st->cpus[0].irql, 5);
	fx_until(&f, 0, DT_ACT_RETURN); /* 15 read, 16 write, 17 queue, 18 q1 */
	const struct dt_trace_event *e = fx_last(&f, DT_EV_QUEUE_DPC);
	ck_assert_uint_eq(e->step, 17);
	ck_assert_int_eq(e->result, 1);
	ck_assert_int_eq(e->arg[1], 0);
	ck_assert_uint_eq(e->frame, DT_FRAME_ISR);
	ck_var(&f, V_Q1, 1);
	ck_assert_uint_eq(st->cpus[0].qlen, 1);
	ck_assert_uint_eq(st->cpus[0].queue[0], 0);
	ck_assert_uint_eq(st->dpcs[0].inserted, 1);
	ck_assert_int_eq(st->dpcs[0].queue_cpu, 0);
	ck_assert_uint_eq(st->dpcs[0].running, 1);
	fx_cpu(&f, 0);                  /* 19: ISR returns to the DPC */
	ck_assert_uint_eq(st->cpus[0].irql, DT_DISPATCH_LEVEL);
	ck_assert_uint_eq(st->cpus[0].nframes, 1);
	ck_assert_uint_eq(st->cpus[0].frames[0].kind, DT_FRAME_DPC);
	ck_assert_uint_eq(st->cpus[0].frames[0].entered_step, 8);
	/* The first run resumes, not the second. */
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_PERFORM_OP);
	ck_assert_uint_eq(st->dpcs[0].runs, 1);
	fx_until(&f, 0, DT_ACT_RETURN); /* 20-24: handles the saved unit */
	ck_var(&f, V_HANDLED, 2);
	fx_cpu(&f, 0);                  /* 25: first run returns */
	e = fx_last(&f, DT_EV_DPC_RETURN);
	ck_assert_uint_eq(e->step, 25);
	ck_assert_int_eq(e->arg[0], 1);
	ck_assert_uint_eq(fx_count(&f, DT_EV_DRAIN_END), 0);
	ck_assert_uint_eq(st->cpus[0].in_drain, 1);
	ck_assert_uint_eq(st->cpus[0].irql, DT_DISPATCH_LEVEL);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_DEQUEUE_DPC);
	fx_cpu(&f, 0);                  /* 26: second run */
	e = fx_last(&f, DT_EV_DPC_DEQUEUE);
	ck_assert_uint_eq(e->step, 26);
	ck_assert_uint_eq(e->cause_step, 17);
	ck_assert_int_eq(e->cause_cpu, 0);
	ck_assert_uint_eq(e->irql_before, DT_DISPATCH_LEVEL);
	run_quiescent(&f);
	/* It found nothing to do. */
	ck_var(&f, V_EMPTY, 1);
	ck_var(&f, V_HANDLED, 2);
	ck_var(&f, V_PENDING, 0);
	ck_assert_uint_eq(st->dpcs[0].runs, 2);
	ck_assert_uint_eq(fx_count(&f, DT_EV_DRAIN_END), 1);
	e = fx_last(&f, DT_EV_DRAIN_END);
	ck_assert_uint_eq(e->step, nth(&f, DT_EV_DPC_RETURN, 1)->step);
	ck_assert_uint_eq(e->irql_after, DT_PASSIVE_LEVEL);
	fx_done(&f);
}
END_TEST

/* Same-CPU list: "The same preemption between the DPC's read and write of
 * shared data is a lost update on ONE CPU" (R14 with R17). */
START_TEST(test_R14_one_cpu_lost_update)
{
	struct fx f;
	setup(&f, 1);
	one_dev(&f, "nic", 5, FX_PROG(&f, isr_count_queue), FX_PROG(&f, dpc_consume));
	fx_start(&f);
	const struct dt_state *st = fx_st(&f);
	fx_fire(&f, 0, 0);              /* 1 */
	fx_until(&f, 0, DT_ACT_RETURN); /* 2-6 */
	fx_cpu(&f, 0);                  /* 7 */
	fx_cpu(&f, 0);                  /* 8: dequeue */
	fx_cpu(&f, 0);                  /* 9: DPC reads pending = 1 */
	ck_assert_uint_eq(st->cpus[0].frames[0].op.kind, DT_OP_WRITE_SHARED);
	ck_assert_int_eq(st->cpus[0].frames[0].op.value.u.i, 0);
	fx_fire(&f, 0, 0);              /* 10 */
	fx_cpu(&f, 0);                  /* 11: the ISR preempts */
	fx_cpu(&f, 0);                  /* 12: ISR reads pending = 1 */
	fx_cpu(&f, 0);                  /* 13: ISR writes pending = 2 */
	ck_var(&f, V_PENDING, 2);
	fx_until(&f, 0, DT_ACT_RETURN); /* 14 queue (TRUE), 15 q1 */
	ck_assert_int_eq(fx_last(&f, DT_EV_QUEUE_DPC)->result, 1);
	fx_cpu(&f, 0);                  /* 16: back in the DPC */
	fx_cpu(&f, 0);                  /* 17: DPC writes its stale value */
	const struct dt_trace_event *e = fx_last(&f, DT_EV_SHARED_WRITE);
	ck_assert_uint_eq(e->step, 17);
	ck_assert_uint_eq(e->object, V_PENDING);
	ck_assert_int_eq(e->value.u.i, 0);
	ck_assert_uint_eq(e->cause_step, 13); /* it overwrote the ISR's write */
	ck_assert_int_eq(e->cause_cpu, 0);
	run_quiescent(&f);
	/* Two events, one handled, nothing pending: one update was lost. */
	ck_assert_uint_eq(st->events[0].fired, 2);
	ck_assert_uint_eq(st->interrupts[0].isr_calls, 2);
	ck_assert_uint_eq(st->dpcs[0].runs, 2);
	ck_var(&f, V_PENDING, 0);
	ck_var(&f, V_HANDLED, 1);
	fx_done(&f);
}
END_TEST

/* ---- R15 ------------------------------------------------------------- */

/* R15: "Allowed at IRQL <= DIRQL; no run-time IRQL check. Typically called
 * from EvtInterruptIsr." - at DIRQL, no bug check. */
START_TEST(test_R15_queue_from_isr_at_dirql)
{
	struct fx f;
	setup(&f, 1);
	one_dev(&f, "nic", 7, FX_PROG(&f, isr_irql_queue), FX_PROG(&f, dpc_count));
	fx_start(&f);
	fx_fire(&f, 0, 0);
	fx_until(&f, 0, DT_ACT_RETURN);
	ck_var(&f, V_WHERE, 7);
	ck_var(&f, V_Q1, 1);
	const struct dt_trace_event *e = fx_last(&f, DT_EV_QUEUE_DPC);
	ck_assert_uint_eq(e->irql_before, 7);
	ck_assert_uint_eq(e->irql_after, 7);
	ck_assert_uint_eq(e->frame, DT_FRAME_ISR);
	ck_assert_int_eq(e->result, 1);
	ck_no_bugcheck(&f);
	run_quiescent(&f);
	ck_no_bugcheck(&f);
	ck_var(&f, V_HANDLED, 1);
	fx_done(&f);
}
END_TEST

/* R15 with R13: at DISPATCH, EvtInterruptDpc queues its own interrupt's
 * DPC: allowed, and TRUE because it was dequeued. */
START_TEST(test_R15_dpc_queues_own_dpc_at_dispatch_true)
{
	struct fx f;
	setup(&f, 2);
	one_dev(&f, "nic", 5, FX_PROG(&f, isr_queue), FX_PROG(&f, dpc_requeue_self));
	fx_start(&f);
	isr_queue_on(&f, 0, 1);
	run_quiescent(&f);
	ck_no_bugcheck(&f);
	ck_var(&f, V_WHERE, DT_DISPATCH_LEVEL);
	ck_var(&f, V_Q2, 1);
	ck_assert_uint_eq(fx_count(&f, DT_EV_QUEUE_DPC), 2);
	const struct dt_trace_event *e = nth(&f, DT_EV_QUEUE_DPC, 1);
	ck_assert_int_eq(e->cpu, 1);
	ck_assert_int_eq(e->result, 1);
	ck_assert_int_eq(e->arg[1], 1);
	ck_assert_uint_eq(e->irql_before, DT_DISPATCH_LEVEL);
	ck_assert_uint_eq(e->frame, DT_FRAME_DPC);
	/* It ran again in the same drain on the same CPU. */
	ck_var(&f, V_HANDLED, 2);
	ck_assert_uint_eq(fx_st(&f)->dpcs[0].runs, 2);
	ck_assert_uint_eq(fx_count(&f, DT_EV_DPC_DEQUEUE), 2);
	ck_assert_int_eq(nth(&f, DT_EV_DPC_DEQUEUE, 1)->cpu, 1);
	ck_assert_uint_eq(nth(&f, DT_EV_DPC_DEQUEUE, 1)->cause_step, e->step);
	ck_assert_int_eq(nth(&f, DT_EV_DPC_RETURN, 0)->arg[0], 1);
	ck_assert_uint_eq(fx_count(&f, DT_EV_DRAIN_END), 1);
	ck_assert_uint_eq(fx_st(&f)->cpus[0].steps, 0);
	fx_done(&f);
}
END_TEST

/* ---- R16 ------------------------------------------------------------- */

/* R16: "A CPU drains its DPC queue when its IRQL drops below DISPATCH with
 * a drain requested, when it is idle" - the forced next action. */
START_TEST(test_R16_isr_return_to_idle_cpu_next_is_dequeue)
{
	struct fx f;
	setup(&f, 2);
	one_dev(&f, "nic", 5, FX_PROG(&f, isr_queue), FX_PROG(&f, dpc_count));
	fx_start(&f);
	fx_fire(&f, 0, 0);
	fx_until(&f, 0, DT_ACT_RETURN);
	/* At DIRQL the queued DPC waits. */
	ck_assert_uint_eq(fx_st(&f)->cpus[0].qlen, 1);
	ck_assert_uint_eq(fx_st(&f)->cpus[0].irql, 5);
	fx_cpu(&f, 0); /* return from the ISR */
	const struct dt_state *st = fx_st(&f);
	ck_assert_uint_eq(st->cpus[0].irql, DT_PASSIVE_LEVEL);
	ck_assert_uint_eq(st->cpus[0].nframes, 0);
	ck_assert_uint_eq(st->cpus[0].drain_requested, 1);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_DEQUEUE_DPC);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 1), DT_ACT_NONE);
	struct dt_choice en[2];
	ck_assert_uint_eq(dt_machine_enabled(f.m, en, 2), 1);
	ck_assert_uint_eq(en[0].cpu, 0);
	fx_cpu(&f, 0);
	ck_assert_uint_eq(fx_last(&f, DT_EV_DPC_DEQUEUE)->step, now(&f));
	fx_done(&f);
}
END_TEST

/* R16: "It raises to DISPATCH, dequeues the head, runs it, and repeats
 * until the queue is empty" - then IRQL returns to the drain's base. */
START_TEST(test_R16_drain_raises_to_dispatch_and_ends_at_base)
{
	struct fx f;
	setup(&f, 1);
	one_dev(&f, "nic", 5, FX_PROG(&f, isr_queue), FX_PROG(&f, dpc_count));
	fx_start(&f);
	isr_queue_on(&f, 0, 0); /* 1-5 */
	const struct dt_state *st = fx_st(&f);
	ck_assert_uint_eq(st->cpus[0].in_drain, 0);
	fx_cpu(&f, 0);          /* 6: dequeue */
	const struct dt_trace_event *e = fx_last(&f, DT_EV_DPC_DEQUEUE);
	ck_assert_uint_eq(e->irql_before, DT_PASSIVE_LEVEL);
	ck_assert_uint_eq(e->irql_after, DT_DISPATCH_LEVEL);
	ck_assert_uint_eq(st->cpus[0].irql, DT_DISPATCH_LEVEL);
	ck_assert_uint_eq(st->cpus[0].in_drain, 1);
	ck_assert_uint_eq(st->cpus[0].drain_irql, DT_PASSIVE_LEVEL);
	ck_assert_uint_eq(st->cpus[0].drain_requested, 0);
	fx_until(&f, 0, DT_ACT_RETURN); /* 7 read, 8 write */
	ck_assert_uint_eq(st->cpus[0].irql, DT_DISPATCH_LEVEL);
	fx_cpu(&f, 0);          /* 9: return, queue empty: the drain ends */
	e = fx_last(&f, DT_EV_DPC_RETURN);
	ck_assert_uint_eq(e->step, 9);
	ck_assert_int_eq(e->arg[0], 0);
	e = fx_last(&f, DT_EV_DRAIN_END);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->step, 9);
	ck_assert_int_eq(e->cpu, 0);
	ck_assert_uint_eq(e->irql_before, DT_DISPATCH_LEVEL);
	ck_assert_uint_eq(e->irql_after, DT_PASSIVE_LEVEL);
	ck_assert_uint_eq(e->rule, 16);
	ck_assert_uint_eq(st->cpus[0].irql, DT_PASSIVE_LEVEL);
	ck_assert_uint_eq(st->cpus[0].in_drain, 0);
	ck_assert_uint_eq(st->cpus[0].nframes, 0);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_NONE);
	fx_done(&f);
}
END_TEST

/* Two devices on CPU0; A's DPC is running when B's ISR queues B's DPC. */
static void two_dpcs_meanwhile(struct fx *f)
{
	setup(f, 1);
	unsigned isr = FX_PROG(f, isr_queue);
	one_dev(f, "nic", 5, isr, FX_PROG(f, dpc_steps));
	one_dev(f, "disk", 6, isr, FX_PROG(f, dpc_mark));
	fx_start(f);
	isr_queue_on(f, 0, 0); /* 1-5 */
	fx_cpu(f, 0);          /* 6: A's DPC entered */
	isr_queue_on(f, 1, 0); /* 7-11: B's ISR preempts A's DPC, queues B's */
	const struct dt_state *st = fx_st(f);
	ck_assert_int_eq(nth(f, DT_EV_QUEUE_DPC, 1)->result, 1);
	ck_assert_uint_eq(st->cpus[0].qlen, 1);
	ck_assert_uint_eq(st->cpus[0].queue[0], 1);
	ck_assert_uint_eq(st->cpus[0].nframes, 1);
	ck_assert_uint_eq(st->cpus[0].frames[0].object, 0);
}

/* R16: "DPCs queued meanwhile run in the same pass." */
START_TEST(test_R16_dpc_queued_meanwhile_runs_in_same_pass)
{
	struct fx f;
	two_dpcs_meanwhile(&f);
	const struct dt_state *st = fx_st(&f);
	fx_until(&f, 0, DT_ACT_RETURN);
	fx_cpu(&f, 0); /* A returns; B is still queued */
	const struct dt_trace_event *e = fx_last(&f, DT_EV_DPC_RETURN);
	ck_assert_uint_eq(e->object, 0);
	ck_assert_int_eq(e->arg[0], 1);
	ck_assert_uint_eq(fx_count(&f, DT_EV_DRAIN_END), 0);
	ck_assert_uint_eq(st->cpus[0].in_drain, 1);
	ck_assert_uint_eq(st->cpus[0].irql, DT_DISPATCH_LEVEL);
	ck_assert_uint_eq(st->cpus[0].nframes, 0);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_DEQUEUE_DPC);
	uint32_t s = now(&f) + 1;
	fx_cpu(&f, 0); /* B's DPC, same pass */
	e = fx_last(&f, DT_EV_DPC_DEQUEUE);
	ck_assert_uint_eq(e->step, s);
	ck_assert_uint_eq(e->object, 1);
	ck_assert_uint_eq(e->irql_before, DT_DISPATCH_LEVEL);
	ck_assert_uint_eq(e->irql_after, DT_DISPATCH_LEVEL);
	ck_assert_uint_eq(st->cpus[0].drain_irql, DT_PASSIVE_LEVEL);
	run_quiescent(&f);
	ck_var(&f, V_MARK, 7);
	ck_assert_uint_eq(fx_count(&f, DT_EV_DRAIN_END), 1);
	ck_assert_uint_eq(fx_last(&f, DT_EV_DRAIN_END)->step, fx_last(&f, DT_EV_DPC_RETURN)->step);
	ck_assert_uint_eq(fx_last(&f, DT_EV_DPC_RETURN)->object, 1);
	ck_assert_uint_eq(st->cpus[0].irql, DT_PASSIVE_LEVEL);
	fx_done(&f);
}
END_TEST

/* R16: "... or at its next clock tick if the queue is non-empty" - the
 * tick records the request. */
START_TEST(test_R16_clock_tick_with_queue_sets_tick_pending)
{
	static const struct dt_cinsn isr[] = {
		CP_STEP(1),
		CP_QUEUE_DPC(0),
		CP_STEP(1),
		CP_RETI(1),
	};
	struct fx f;
	setup(&f, 1);
	f.cfg.sw.tick_us = 2;
	one_dev(&f, "nic", 5, FX_PROG(&f, isr), FX_PROG(&f, dpc_count));
	fx_start(&f);
	const struct dt_state *st = fx_st(&f);
	fx_fire(&f, 0, 0); /* 1: costs the CPU nothing */
	fx_cpu(&f, 0);     /* 2: take, busy 1 */
	fx_cpu(&f, 0);     /* 3: step, busy 2: tick, queue empty */
	ck_assert_uint_eq(fx_count(&f, DT_EV_CLOCK_TICK), 1);
	const struct dt_trace_event *e = fx_last(&f, DT_EV_CLOCK_TICK);
	ck_assert_uint_eq(e->step, 3);
	ck_assert_int_eq(e->arg[0], 2);
	ck_assert_int_eq(e->result, 0);
	ck_assert_uint_eq(st->cpus[0].tick_pending, 0);
	fx_cpu(&f, 0);     /* 4: queue, busy 3 */
	ck_assert_uint_eq(st->cpus[0].qlen, 1);
	ck_assert_uint_eq(fx_count(&f, DT_EV_CLOCK_TICK), 1);
	fx_cpu(&f, 0);     /* 5: step, busy 4: tick with a non-empty queue */
	ck_assert_uint_eq(fx_count(&f, DT_EV_CLOCK_TICK), 2);
	e = fx_last(&f, DT_EV_CLOCK_TICK);
	ck_assert_uint_eq(e->step, 5);
	ck_assert_int_eq(e->cpu, 0);
	ck_assert_int_eq(e->arg[0], 4);
	ck_assert_int_eq(e->result, 1);
	ck_assert_uint_eq(e->rule, 16);
	ck_assert_uint_eq(st->cpus[0].tick_pending, 1);
	ck_assert_uint_eq(st->cpus[0].busy_us, 4);
	ck_assert_uint_eq(st->cpus[0].next_tick_us, 6);
	/* Still at DIRQL: the drain waits for the IRQL to drop. */
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_RETURN);
	fx_cpu(&f, 0);     /* 6: return */
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_DEQUEUE_DPC);
	fx_cpu(&f, 0);     /* 7: the drain starts; the tick's request is served */
	ck_assert_uint_eq(st->cpus[0].tick_pending, 0);
	run_quiescent(&f);
	ck_var(&f, V_HANDLED, 1);
	fx_done(&f);
}
END_TEST

/* ---- R17 ------------------------------------------------------------- */

/* R17: "EvtInterruptDpc runs at DISPATCH_LEVEL." */
START_TEST(test_R17_dpc_runs_at_dispatch)
{
	struct fx f;
	setup(&f, 2);
	one_dev(&f, "nic", 9, FX_PROG(&f, isr_queue), FX_PROG(&f, dpc_irql));
	fx_start(&f);
	isr_queue_on(&f, 0, 1);
	fx_cpu(&f, 1); /* dequeue */
	const struct dt_state *st = fx_st(&f);
	ck_assert_uint_eq(st->cpus[1].frames[0].irql, DT_DISPATCH_LEVEL);
	ck_assert_uint_eq(st->cpus[1].irql, DT_DISPATCH_LEVEL);
	run_quiescent(&f);
	ck_var(&f, V_WHERE, DT_DISPATCH_LEVEL);
	ck_assert_int_eq(fx_last(&f, DT_EV_GET_IRQL)->result, DT_DISPATCH_LEVEL);
	ck_assert_uint_eq(fx_last(&f, DT_EV_GET_IRQL)->frame, DT_FRAME_DPC);
	fx_done(&f);
}
END_TEST

/* R17: "Device interrupts preempt it" - a nested ISR frame above the DPC
 * frame, and the DPC resumes at DISPATCH when the ISR returns. */
START_TEST(test_R17_device_interrupt_preempts_dpc)
{
	struct fx f;
	setup(&f, 1);
	one_dev(&f, "nic", 5, FX_PROG(&f, isr_queue), FX_PROG(&f, dpc_steps));
	one_dev(&f, "disk", 3, FX_PROG(&f, isr_plain), DT_NO_CALLBACK);
	fx_start(&f);
	isr_queue_on(&f, 0, 0); /* 1-5 */
	fx_cpu(&f, 0);          /* 6: DPC entered */
	fx_fire(&f, 1, 0);      /* 7: the disk at DIRQL 3 > DISPATCH */
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_TAKE_INTERRUPT);
	fx_cpu(&f, 0);          /* 8 */
	const struct dt_state *st = fx_st(&f);
	ck_assert_uint_eq(st->cpus[0].nframes, 2);
	ck_assert_uint_eq(st->cpus[0].frames[0].kind, DT_FRAME_DPC);
	ck_assert_uint_eq(st->cpus[0].frames[0].object, 0);
	ck_assert_uint_eq(st->cpus[0].frames[0].state, DT_FS_AT_OP);
	ck_assert_uint_eq(st->cpus[0].frames[1].kind, DT_FRAME_ISR);
	ck_assert_uint_eq(st->cpus[0].frames[1].object, 1);
	ck_assert_uint_eq(st->cpus[0].frames[1].irql, 3);
	ck_assert_uint_eq(st->cpus[0].frames[1].saved_irql, DT_DISPATCH_LEVEL);
	ck_assert_uint_eq(st->cpus[0].irql, 3);
	const struct dt_trace_event *e = fx_last(&f, DT_EV_ISR_ENTER);
	ck_assert_uint_eq(e->step, 8);
	ck_assert_uint_eq(e->irql_before, DT_DISPATCH_LEVEL);
	ck_assert_uint_eq(e->irql_after, 3);
	fx_cpu(&f, 0);          /* 9: the ISR's step */
	fx_cpu(&f, 0);          /* 10: ISR returns */
	ck_assert_uint_eq(st->cpus[0].nframes, 1);
	ck_assert_uint_eq(st->cpus[0].irql, DT_DISPATCH_LEVEL);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_PERFORM_OP);
	ck_assert_uint_eq(st->dpcs[0].running, 1);
	run_quiescent(&f);
	ck_assert_uint_eq(st->dpcs[0].runs, 1);
	fx_done(&f);
}
END_TEST

/* R17: "threads and other DPCs on that CPU do not [preempt it]" - the
 * queued DPC waits until the running one returns. */
START_TEST(test_R17_other_dpc_does_not_preempt)
{
	struct fx f;
	two_dpcs_meanwhile(&f);
	const struct dt_state *st = fx_st(&f);
	ck_assert_uint_eq(st->cpus[0].irql, DT_DISPATCH_LEVEL);
	while (dt_cpu_next_action(f.m, 0) == DT_ACT_PERFORM_OP) {
		fx_cpu(&f, 0);
		ck_assert_uint_eq(st->cpus[0].nframes, 1);
		ck_assert_uint_eq(st->cpus[0].frames[0].object, 0);
		ck_assert_uint_eq(st->dpcs[1].inserted, 1);
		ck_assert_uint_eq(st->dpcs[1].runs, 0);
	}
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_RETURN);
	fx_cpu(&f, 0);
	ck_assert_uint_eq(st->dpcs[0].running, 0);
	ck_assert_uint_eq(st->dpcs[1].runs, 0);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_DEQUEUE_DPC);
	fx_cpu(&f, 0);
	ck_assert_uint_eq(st->dpcs[1].runs, 1);
	ck_assert_uint_eq(fx_last(&f, DT_EV_DPC_DEQUEUE)->step, fx_last(&f, DT_EV_DPC_RETURN)->step + 1);
	fx_done(&f);
}
END_TEST

/* ---- R18 ------------------------------------------------------------- */

/* A host that records every dt_call and forwards to the C-program host. */
struct rec_host {
	struct dt_chost *inner;
	struct dt_call calls[16];
	unsigned ncalls;
};

static int rec_build(void *ctx, struct dt_machine *m)
{
	struct rec_host *r = ctx;
	return dt_chost_ops()->build(r->inner, m);
}

static void *rec_body_create(void *ctx, const struct dt_call *call)
{
	struct rec_host *r = ctx;
	if (r->ncalls < 16)
		r->calls[r->ncalls++] = *call;
	return dt_chost_ops()->body_create(r->inner, call);
}

static void rec_body_resume(void *ctx, void *body, const struct dt_value *result,
			    struct dt_body_reply *reply)
{
	struct rec_host *r = ctx;
	dt_chost_ops()->body_resume(r->inner, body, result, reply);
}

static void rec_body_destroy(void *ctx, void *body)
{
	struct rec_host *r = ctx;
	dt_chost_ops()->body_destroy(r->inner, body);
}

static void *rec_body_clone(void *ctx, const void *body)
{
	struct rec_host *r = ctx;
	return dt_chost_ops()->body_clone(r->inner, body);
}

static const struct dt_host_ops rec_ops = {
	.build = rec_build,
	.body_create = rec_body_create,
	.body_resume = rec_body_resume,
	.body_destroy = rec_body_destroy,
	.body_clone = rec_body_clone,
};

/* R18: "EvtInterruptDpc receives (Interrupt, AssociatedObject), the second
 * always the device."  Device 0 has two MSI messages, so the disk
 * (device 1) owns interrupt 2 and DPC 2: indices that cannot be mixed up. */
START_TEST(test_R18_dpc_receives_interrupt_and_device)
{
	struct fx f;
	struct rec_host rec = { .inner = &f.host };
	setup(&f, 2);
	unsigned isr = FX_PROG(&f, isr_queue), dpc = FX_PROG(&f, dpc_count);
	fx_dev(&f, "nic", DT_LINE_MSI, 5, 0, isr, dpc);
	f.devs[0].messages = 2;
	one_dev(&f, "disk", 6, isr, dpc);
	ck_assert_int_eq(dt_machine_create(&f.cfg, &rec_ops, &rec, &f.m), DT_OK);
	const struct dt_state *st = fx_st(&f);
	ck_assert_int_eq(st->outcome.kind, DT_RUNNING);
	ck_assert_uint_eq(st->ninterrupts, 3);
	ck_assert_uint_eq(st->interrupts[2].device, 1);
	ck_assert_uint_eq(st->interrupts[2].dpc, 2);
	isr_queue_on(&f, 1, 1);
	ck_assert_uint_eq(rec.ncalls, 1);
	ck_assert_uint_eq(st->cpus[1].queue[0], 2);
	fx_cpu(&f, 1); /* dequeue and enter the disk's EvtInterruptDpc */
	ck_assert_uint_eq(rec.ncalls, 2);
	const struct dt_call *c = &rec.calls[1];
	ck_assert_uint_eq(c->kind, DT_CALL_DPC);
	ck_assert_uint_eq(c->callback, dpc);
	ck_assert_uint_eq(c->cpu, 1);
	ck_assert_uint_eq(c->interrupt_index, 2);
	ck_assert_uint_eq(c->interrupt, dt_handle_of(DT_HANDLE_INTERRUPT, 2));
	ck_assert_uint_eq(c->interrupt, f.handles[2]);
	ck_assert_uint_eq(c->device, dt_handle_of(DT_HANDLE_DEVICE, 1));
	/* The ISR got the same interrupt handle. */
	ck_assert_uint_eq(rec.calls[0].kind, DT_CALL_ISR);
	ck_assert_uint_eq(rec.calls[0].interrupt, f.handles[2]);
	run_quiescent(&f);
	ck_assert_uint_eq(rec.ncalls, 2);
	fx_done(&f);
}
END_TEST

/* ---- R19 (Medium, as KMDF's interrupt DPC uses it) --------------------- */

/* R19: "Medium and above request a drain at once on the current CPU" - and
 * only there for an untargeted DPC. */
START_TEST(test_R19_medium_requests_drain_on_queuing_cpu)
{
	struct fx f;
	setup(&f, 2);
	one_dev(&f, "nic", 5, FX_PROG(&f, isr_queue), FX_PROG(&f, dpc_count));
	fx_start(&f);
	const struct dt_state *st = fx_st(&f);
	fx_fire(&f, 0, 1);
	fx_cpu(&f, 1);
	ck_assert_uint_eq(st->cpus[1].drain_requested, 0);
	fx_cpu(&f, 1); /* queue */
	ck_assert_uint_eq(st->cpus[1].drain_requested, 1);
	ck_assert_uint_eq(st->cpus[0].drain_requested, 0);
	ck_assert_uint_eq(st->cpus[1].tick_pending, 0);
	/* Above DISPATCH the request waits. */
	ck_assert_int_eq(dt_cpu_next_action(f.m, 1), DT_ACT_PERFORM_OP);
	fx_cpu(&f, 1);
	fx_cpu(&f, 1); /* return */
	ck_assert_int_eq(dt_cpu_next_action(f.m, 1), DT_ACT_DEQUEUE_DPC);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_NONE);
	fx_cpu(&f, 1);
	ck_assert_uint_eq(st->cpus[1].drain_requested, 0);
	fx_done(&f);
}
END_TEST

/* R19: "High goes to the head of the queue, the others to the tail" - two
 * Medium interrupt DPCs run in queuing order. */
START_TEST(test_R19_medium_goes_to_queue_tail)
{
	struct fx f;
	setup(&f, 1);
	unsigned isr = FX_PROG(&f, isr_queue), dpc = FX_PROG(&f, dpc_count);
	one_dev(&f, "nic", 5, isr, dpc);
	one_dev(&f, "disk", 6, isr, dpc);
	fx_start(&f);
	const struct dt_state *st = fx_st(&f);
	isr_queue_on(&f, 0, 0); /* nic's DPC queued first */
	isr_queue_on(&f, 1, 0); /* then disk's, before the drain */
	ck_assert_uint_eq(st->cpus[0].qlen, 2);
	ck_assert_uint_eq(st->cpus[0].queue[0], 0);
	ck_assert_uint_eq(st->cpus[0].queue[1], 1);
	run_quiescent(&f);
	ck_assert_uint_eq(nth(&f, DT_EV_DPC_DEQUEUE, 0)->object, 0);
	ck_assert_int_eq(nth(&f, DT_EV_DPC_DEQUEUE, 0)->arg[0], 1);
	ck_assert_uint_eq(nth(&f, DT_EV_DPC_DEQUEUE, 1)->object, 1);
	ck_assert_int_eq(nth(&f, DT_EV_DPC_DEQUEUE, 1)->arg[0], 0);
	ck_assert_uint_eq(fx_count(&f, DT_EV_DRAIN_END), 1);
	ck_var(&f, V_HANDLED, 2);
	fx_done(&f);
}
END_TEST

Suite *rules_dpc_suite(void)
{
	Suite *s = suite_create("rules_dpc");
	TCase *tc = tcase_create("R10-R19");
	tcase_add_test(tc, test_R10_embedded_dpc_is_medium_untargeted);
	tcase_add_test(tc, test_R10_queue_result_is_the_insert_result);
	tcase_add_test(tc, test_R11_second_call_in_same_isr_returns_false);
	tcase_add_test(tc, test_R11_false_from_other_cpu_changes_nothing);
	tcase_add_test(tc, test_R11_false_is_not_an_error);
	tcase_add_test(tc, test_R11_second_false_but_both_events_handled);
	tcase_add_test(tc, test_R12_dpc_goes_on_calling_cpu_queue);
	tcase_add_test(tc, test_R12_dpc_runs_on_calling_cpu);
	tcase_add_test(tc, test_R13_inserted_clears_in_dequeue_step_before_first_op);
	tcase_add_test(tc, test_R13_requeue_while_running_returns_true);
	tcase_add_test(tc, test_R14_other_cpu_two_instances_second_finishes_first);
	tcase_add_test(tc, test_R14_same_cpu_requeue_runs_after_first_in_same_drain);
	tcase_add_test(tc, test_R14_one_cpu_lost_update);
	tcase_add_test(tc, test_R15_queue_from_isr_at_dirql);
	tcase_add_test(tc, test_R15_dpc_queues_own_dpc_at_dispatch_true);
	tcase_add_test(tc, test_R16_isr_return_to_idle_cpu_next_is_dequeue);
	tcase_add_test(tc, test_R16_drain_raises_to_dispatch_and_ends_at_base);
	tcase_add_test(tc, test_R16_dpc_queued_meanwhile_runs_in_same_pass);
	tcase_add_test(tc, test_R16_clock_tick_with_queue_sets_tick_pending);
	tcase_add_test(tc, test_R17_dpc_runs_at_dispatch);
	tcase_add_test(tc, test_R17_device_interrupt_preempts_dpc);
	tcase_add_test(tc, test_R17_other_dpc_does_not_preempt);
	tcase_add_test(tc, test_R18_dpc_receives_interrupt_and_device);
	tcase_add_test(tc, test_R19_medium_requests_drain_on_queuing_cpu);
	tcase_add_test(tc, test_R19_medium_goes_to_queue_tail);
	suite_add_tcase(s, tc);
	return s;
}
