/*
 * test_badinput.c - bad input never crashes the host (dt_types.h,
 * dt_machine.h, engine-contract 7, R30, R40, R43).
 *
 * Two kinds of mistakes, two kinds of answers.  A *driver's* mistake is a
 * simulated bug check with the parameters Windows would show: a NULL or
 * wrong-type handle to WdfInterruptQueueDpcForIsr is WDF_VIOLATION 0x10D
 * (R30), a DPC with no routine is 0xD1 (R43).  A *caller's* or
 * *lesson's* mistake is an error value: NULL pointers and out-of-range
 * arguments are DT_EINVAL, exhausted capacities DT_ELIMIT, bad
 * WdfInterruptCreate configurations STATUS_INVALID_PARAMETER (R40), and a
 * body that fails (an unknown instruction, a runaway loop, an operation
 * on an object that does not exist) is the lesson-error outcome with a
 * message.  Identities are creation-order handles, never host pointers.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dt_history.h"
#include "dt_rng.h"
#include "dt_sched.h"
#include "fixture.h"
#include "testutil.h"

static const struct dt_cinsn b_isr[] = {
	CP_WRREGI(0, DT_REG_INTSTATUS, 1),
	CP_QUEUE_DPC(0),
	CP_RETI(1),
};
static const struct dt_cinsn b_dpc[] = {
	CP_READ(0, 0),
	CP_ADDI(0, 1),
	CP_WRITE(0, 0),
	CP_RETI(0),
};

/*
 * A host that forwards to the C-program host, can replace the handle of
 * every WdfInterruptQueueDpcForIsr request (the C programs cannot pass a
 * NULL handle: 0 there means "my own interrupt"), and remembers the body
 * pointers it handed out.
 */
struct wrap {
	struct dt_chost *inner;
	int override;
	uint64_t handle;
	int budget_status;    /* report a budget failure as DT_BODY_BUDGET (dt_op.h) */
	uint32_t thread_prog; /* build a lesson thread "looper" running this program */
	void *bodies[64];
	unsigned nbodies;
};

static int w_build(void *ctx, struct dt_machine *m)
{
	struct wrap *w = ctx;
	int rc = dt_chost_ops()->build(w->inner, m);
	if (rc == 0 && w->thread_prog != DT_NO_CALLBACK)
		rc = dt_thread_create(m, "looper", w->thread_prog, 0, NULL);
	return rc;
}

static void *w_create(void *ctx, const struct dt_call *call)
{
	struct wrap *w = ctx;
	void *b = dt_chost_ops()->body_create(w->inner, call);
	if (b && w->nbodies < 64)
		w->bodies[w->nbodies++] = b;
	return b;
}

static void w_resume(void *ctx, void *body, const struct dt_value *result,
		     struct dt_body_reply *reply)
{
	struct wrap *w = ctx;
	dt_chost_ops()->body_resume(w->inner, body, result, reply);
	if (w->override && reply->status == DT_BODY_OP && reply->op.kind == DT_OP_QUEUE_DPC_FOR_ISR)
		reply->op.handle = w->handle;
	if (w->budget_status && reply->status == DT_BODY_ERROR && strstr(reply->message, "budget"))
		reply->status = DT_BODY_BUDGET;
}

static void w_destroy(void *ctx, void *body)
{
	struct wrap *w = ctx;
	dt_chost_ops()->body_destroy(w->inner, body);
}

static const struct dt_host_ops wrap_ops = {
	.build = w_build,
	.body_create = w_create,
	.body_resume = w_resume,
	.body_destroy = w_destroy,
};

/* A 2-CPU fixture: "nic" (edge, DIRQL 5) and "disk" (level, DIRQL 7). */
static void two_devices(struct fx *f, uint32_t dpc_prog_or_none)
{
	fx_init(f, 2);
	unsigned isr = FX_PROG(f, b_isr), dpc = FX_PROG(f, b_dpc);
	if (dpc_prog_or_none == DT_NO_CALLBACK)
		dpc = DT_NO_CALLBACK;
	fx_dev(f, "nic", DT_LINE_EDGE, 5, 0, isr, dpc);
	fx_dev(f, "disk", DT_LINE_LEVEL, 7, 0, isr, dpc);
	fx_var(f, "count");
}

/* Every kind of step is refused once the machine has an outcome. */
static void assert_halted(struct dt_machine *m)
{
	const struct dt_state *st = dt_machine_state(m);
	uint32_t step = st->step;
	size_t ntrace = dt_machine_trace_count(m);
	for (unsigned cpu = 0; cpu < st->ncpus; cpu++) {
		struct dt_choice c = { .kind = DT_CHOICE_CPU, .cpu = (uint16_t)cpu };
		ck_assert_int_eq(dt_machine_step(m, &c), DT_EHALTED);
		ck_assert_int_eq(dt_cpu_next_action(m, cpu), DT_ACT_HALTED);
		ck_assert(!dt_cpu_can_step(m, cpu));
	}
	struct dt_choice e = { .kind = DT_CHOICE_EVENT, .cpu = 0, .object = 0 };
	ck_assert_int_eq(dt_machine_step(m, &e), DT_EHALTED);
	ck_assert_int_eq(dt_machine_settle(m, 0), DT_EHALTED);
	ck_assert_uint_eq(dt_machine_enabled(m, NULL, 0), 0);
	ck_assert_uint_eq(st->step, step);
	ck_assert_uint_eq(dt_machine_trace_count(m), ntrace);
}

/* Run an ISR on CPU 1 whose queue call passes `handle`; expect R30. */
static void check_bad_handle(uint64_t handle, int use_own_plus)
{
	struct fx f;
	struct wrap w = { .thread_prog = DT_NO_CALLBACK };
	two_devices(&f, 0);
	w.inner = &f.host;
	struct dt_machine *m;
	ck_assert_int_eq(dt_machine_create(&f.cfg, &wrap_ops, &w, &m), DT_OK);
	const struct dt_state *st = dt_machine_state(m);
	ck_assert_int_eq(st->outcome.kind, DT_RUNNING);
	if (use_own_plus)
		handle = dt_handle_of(DT_HANDLE_INTERRUPT, st->ninterrupts); /* one past the last */
	w.override = 1;
	w.handle = handle;
	struct dt_choice ev = { .kind = DT_CHOICE_EVENT, .cpu = 1, .object = 0 };
	struct dt_choice c1 = { .kind = DT_CHOICE_CPU, .cpu = 1 };
	ck_assert_int_eq(dt_machine_step(m, &ev), DT_OK);
	ck_assert_int_eq(dt_machine_step(m, &c1), DT_OK); /* take the interrupt */
	ck_assert_int_eq(dt_machine_step(m, &c1), DT_OK); /* acknowledge */
	ck_assert_int_eq(dt_cpu_next_action(m, 1), DT_ACT_PERFORM_OP);
	ck_assert_int_eq(st->cpus[1].frames[st->cpus[1].nframes - 1].op.kind,
			 DT_OP_QUEUE_DPC_FOR_ISR);
	ck_assert_int_eq(dt_machine_step(m, &c1), DT_OK); /* WdfInterruptQueueDpcForIsr */
	ck_assert_int_eq(st->outcome.kind, DT_BUGCHECK);
	ck_assert_uint_eq(st->outcome.code, DT_BUGCODE_WDF_VIOLATION);
	ck_assert_uint_eq(st->outcome.p[0], DT_WDF_INVALID_HANDLE);
	ck_assert_uint_eq(st->outcome.p[1], handle);
	ck_assert_uint_eq(st->outcome.p[2], DT_FX_TYPE_INTERRUPT);
	ck_assert_uint_eq(st->outcome.p[3], DT_FAKE_DRIVER_GLOBALS);
	ck_assert_uint_eq(st->outcome.rule, 30);
	ck_assert_uint_eq(st->outcome.reason, DT_BCR_INVALID_HANDLE);
	ck_assert_int_eq(st->outcome.cpu, 1);
	ck_assert_uint_eq(st->outcome.step, st->step);
	const struct dt_trace_event *t = dt_machine_trace(m) + dt_machine_trace_count(m) - 1;
	ck_assert_uint_gt(dt_machine_trace_count(m), 0);
	ck_assert_uint_eq(t->kind, DT_EV_BUGCHECK);
	ck_assert_int_eq(t->arg[0], DT_BUGCODE_WDF_VIOLATION);
	ck_assert_int_eq(t->arg[1], DT_WDF_INVALID_HANDLE);
	ck_assert_uint_eq(t->rule, 30);
	/* Nothing was queued: the call never reached KeInsertQueueDpc. */
	for (unsigned c = 0; c < st->ncpus; c++)
		ck_assert_uint_eq(st->cpus[c].qlen, 0);
	for (unsigned i = 0; i < st->ninterrupts; i++)
		ck_assert_uint_eq(st->interrupts[i].queue_true + st->interrupts[i].queue_false, 0);
	assert_halted(m);
	dt_machine_destroy(m);
	ck_assert_uint_eq(f.host.live_bodies, 0);
}

/*
 * R30: WdfInterruptQueueDpcForIsr with a NULL handle, a device handle,
 * random values, the handle one past the last interrupt, a spin lock's
 * handle and a valid handle with a flag bit set: each is WDF_VIOLATION
 * 0x10D, P1 = 0x5, P2 = the handle, P3 = 0x1027, P4 = the driver
 * globals, rule 30, and the machine is halted.
 */
START_TEST(test_badinput_R30_bad_handles_bugcheck_0x10D)
{
	check_bad_handle(0, 0);
	check_bad_handle(dt_handle_of(DT_HANDLE_DEVICE, 0), 0);
	check_bad_handle(0xDEADBEEFCAFEF00Dull, 0);
	check_bad_handle(0x0000123456789AB8ull, 0);
	check_bad_handle(0, 1);
	check_bad_handle(dt_handle_of(DT_HANDLE_SPINLOCK, 0), 0);
	check_bad_handle(dt_handle_of(DT_HANDLE_INTERRUPT, 0) | 1, 0);
	check_bad_handle(dt_handle_of(DT_HANDLE_INTERRUPT, 0) + 0x200, 0); /* slot -1 */
	/* Random values (seeded, so every run checks the same ones); the
	 * low bits cleared in half of them, as real handles have. */
	struct dt_rng r;
	dt_rng_seed(&r, 30);
	for (int i = 0; i < 40; i++) {
		uint64_t h = dt_rng_next(&r);
		if (i % 2)
			h &= ~7ull;
		check_bad_handle(h, 0);
	}
}
END_TEST

/* The same through the C-program host's own instruction: CP_QUEUE_DPC_H
 * with a device handle and a handle one past the last interrupt. */
START_TEST(test_badinput_R30_cprog_queue_with_foreign_handle)
{
	static const struct dt_cinsn isr_dev[] = {
		CP_WRREGI(0, DT_REG_INTSTATUS, 1),
		CP_QUEUE_DPC_H(0, 0xFFFFC08010001000ull ^ ~7ull), /* dt_handle_of(DEVICE, 0) */
		CP_RETI(1),
	};
	static const struct dt_cinsn isr_past[] = {
		CP_WRREGI(0, DT_REG_INTSTATUS, 1),
		CP_QUEUE_DPC_H(0, 0xFFFFC08020001200ull ^ ~7ull), /* dt_handle_of(INTERRUPT, 1) */
		CP_RETI(1),
	};
	ck_assert_uint_eq(dt_handle_of(DT_HANDLE_DEVICE, 0), 0xFFFFC08010001000ull ^ ~7ull);
	ck_assert_uint_eq(dt_handle_of(DT_HANDLE_INTERRUPT, 1), 0xFFFFC08020001200ull ^ ~7ull);
	for (int k = 0; k < 2; k++) {
		struct fx f;
		fx_init(&f, 2);
		unsigned isr = k ? FX_PROG(&f, isr_past) : FX_PROG(&f, isr_dev);
		unsigned dpc = FX_PROG(&f, b_dpc);
		fx_dev(&f, "nic", DT_LINE_EDGE, 5, 0, isr, dpc);
		fx_var(&f, "count");
		fx_start(&f);
		fx_fire(&f, 0, 0);
		fx_run(&f);
		const struct dt_state *st = fx_st(&f);
		ck_assert_int_eq(st->outcome.kind, DT_BUGCHECK);
		ck_assert_uint_eq(st->outcome.code, DT_BUGCODE_WDF_VIOLATION);
		ck_assert_uint_eq(st->outcome.p[0], DT_WDF_INVALID_HANDLE);
		ck_assert_uint_eq(st->outcome.p[1], k ? dt_handle_of(DT_HANDLE_INTERRUPT, 1) :
							dt_handle_of(DT_HANDLE_DEVICE, 0));
		ck_assert_uint_eq(st->outcome.p[2], DT_FX_TYPE_INTERRUPT);
		ck_assert_uint_eq(st->outcome.p[3], DT_FAKE_DRIVER_GLOBALS);
		ck_assert_uint_eq(st->outcome.rule, 30);
		assert_halted(f.m);
		fx_done(&f);
	}
}
END_TEST

/* NULL configurations and NULL out pointers are DT_EINVAL, never a crash;
 * out parameters are cleared where the header says so. */
START_TEST(test_badinput_null_pointers_einval)
{
	struct dt_config cfg;
	struct dt_machine *m = (struct dt_machine *)&cfg; /* must be overwritten */
	dt_config_default(&cfg, 2);
	ck_assert_int_eq(dt_machine_create(NULL, NULL, NULL, &m), DT_EINVAL);
	ck_assert_ptr_null(m);
	ck_assert_int_eq(dt_machine_create(&cfg, NULL, NULL, NULL), DT_EINVAL);
	struct dt_host_ops no_bodies = { 0 };
	m = (struct dt_machine *)&cfg;
	ck_assert_int_eq(dt_machine_create(&cfg, &no_bodies, NULL, &m), DT_EINVAL);
	ck_assert_ptr_null(m);
	struct dt_session *s = (struct dt_session *)&cfg;
	ck_assert_int_eq(dt_session_create(NULL, NULL, NULL, &s), DT_EINVAL);
	ck_assert_int_eq(dt_session_create(&cfg, NULL, NULL, NULL), DT_EINVAL);
	ck_assert_int_eq(dt_machine_clone(NULL, &m), DT_EINVAL);
	ck_assert_int_eq(dt_machine_start_over(NULL), DT_EINVAL);
	ck_assert_int_eq(dt_machine_step(NULL, NULL), DT_EINVAL);
	ck_assert_int_eq(dt_machine_settle(NULL, 0), DT_EINVAL);
	ck_assert_ptr_null(dt_machine_state(NULL));
	dt_machine_destroy(NULL);
	dt_session_destroy(NULL);

	ck_assert_int_eq(dt_machine_create(&cfg, NULL, NULL, &m), DT_OK);
	ck_assert_int_eq(dt_machine_step(m, NULL), DT_EINVAL);
	ck_assert_int_eq(dt_machine_clone(m, NULL), DT_EINVAL);
	unsigned d = 99;
	ck_assert_int_eq(dt_device_create(NULL, "x", &d), DT_EINVAL);
	ck_assert_int_eq(dt_device_create(m, NULL, &d), DT_EINVAL);
	ck_assert_int_eq(dt_device_create(m, "", &d), DT_EINVAL);
	ck_assert_int_eq(dt_device_create(m, "dev", &d), DT_OK);
	ck_assert_int_eq(dt_device_add_line(NULL, 0, DT_LINE_EDGE, 5, 1, NULL), DT_EINVAL);
	ck_assert_int_eq(dt_device_add_line(m, d, DT_LINE_EDGE, 5, 1, NULL), DT_OK);
	ck_assert_int_eq(dt_var_create(NULL, "v", dt_int(0), NULL), DT_EINVAL);
	ck_assert_int_eq(dt_var_create(m, NULL, dt_int(0), NULL), DT_EINVAL);
	ck_assert_int_eq(dt_event_create(m, NULL, d, 0, 1, NULL), DT_EINVAL);
	ck_assert_int_eq(dt_spinlock_create(NULL, NULL), DT_EINVAL);
	ck_assert_int_eq(dt_spinlock_create(m, NULL), DT_EINVAL);
	ck_assert_int_eq(dt_waitlock_create(m, NULL), DT_EINVAL);
	ck_assert_int_eq(dt_kdpc_create(m, 0, NULL), DT_EINVAL);
	ck_assert_int_eq(dt_thread_create(m, NULL, 0, 0, NULL), DT_EINVAL);
	struct dt_interrupt_config icfg;
	dt_interrupt_config_init(&icfg, 0, DT_NO_CALLBACK);
	uint32_t status = 0;
	uint64_t handle = 1;
	ck_assert_int_eq(dt_interrupt_create(m, d, NULL, &status, &handle), DT_EINVAL);
	ck_assert_uint_eq(handle, 0);
	ck_assert_int_eq(dt_interrupt_create(m, d, &icfg, NULL, &handle), DT_EINVAL);
	ck_assert_int_eq(dt_interrupt_create(m, d, &icfg, &status, NULL), DT_EINVAL);
	ck_assert_int_eq(dt_interrupt_create(NULL, d, &icfg, &status, &handle), DT_EINVAL);
	ck_assert_int_eq(dt_interrupt_create(m, d + 1, &icfg, &status, &handle), DT_EINVAL);
	ck_assert_uint_eq(dt_machine_state(m)->ninterrupts, 0);
	ck_assert_int_eq(dt_machine_footprint(m, 0, NULL), DT_EINVAL);
	ck_assert_int_eq(dt_schedule_item_choice(m, NULL, NULL, NULL), DT_EINVAL);
	ck_assert_int_eq(dt_machine_replay(m, NULL, NULL), DT_EINVAL);
	ck_assert_int_eq(dt_handle_decode(NULL, dt_handle_of(DT_HANDLE_DEVICE, 0), DT_HANDLE_DEVICE,
					  NULL),
			 0);
	ck_assert_str_eq(dt_machine_string(NULL, 1), "");
	ck_assert_str_eq(dt_machine_string(m, 123456), "");
	ck_assert_uint_eq(dt_machine_intern(m, NULL), 0);
	dt_machine_destroy(m);
}
END_TEST

/* dt_machine_create refuses CPU counts outside 1..DT_MAX_CPUS (0, 65,
 * and a huge one) and accepts both ends. */
START_TEST(test_badinput_cpu_count_out_of_range)
{
	static const unsigned bad[] = { 0, DT_MAX_CPUS + 1, 1000000u };
	struct dt_config cfg;
	struct dt_machine *m;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dt_config_default(&cfg, bad[i]);
		m = (struct dt_machine *)&cfg;
		ck_assert_int_eq(dt_machine_create(&cfg, NULL, NULL, &m), DT_EINVAL);
		ck_assert_ptr_null(m);
		struct dt_session *s = NULL;
		ck_assert_int_eq(dt_session_create(&cfg, NULL, NULL, &s), DT_EINVAL);
		ck_assert_ptr_null(s);
	}
	dt_config_default(&cfg, 1);
	ck_assert_int_eq(dt_machine_create(&cfg, NULL, NULL, &m), DT_OK);
	dt_machine_destroy(m);
	dt_config_default(&cfg, DT_MAX_CPUS);
	ck_assert_int_eq(dt_machine_create(&cfg, NULL, NULL, &m), DT_OK);
	ck_assert_uint_eq(dt_machine_state(m)->ncpus, DT_MAX_CPUS);
	dt_machine_destroy(m);
}
END_TEST

/*
 * Choices naming a CPU the machine does not have, an event that does not
 * exist or an unknown kind are refused (not enabled, or a bad argument)
 * and change nothing; the per-CPU queries answer without reading outside
 * the machine.
 */
START_TEST(test_badinput_choice_cpu_out_of_range)
{
	struct fx f;
	two_devices(&f, 0);
	fx_start(&f);
	fx_fire(&f, 0, 0);
	const struct dt_state *st = fx_st(&f);
	size_t ntrace = dt_machine_trace_count(f.m);
	static unsigned char before[sizeof(struct dt_state)];
	memcpy(before, st, dt_state_size(2));
	const struct dt_choice bad[] = {
		{ .kind = DT_CHOICE_CPU, .cpu = 2 },
		{ .kind = DT_CHOICE_CPU, .cpu = DT_MAX_CPUS },
		{ .kind = DT_CHOICE_CPU, .cpu = 0xFFFF },
		{ .kind = DT_CHOICE_EVENT, .cpu = 2, .object = 0 },
		{ .kind = DT_CHOICE_EVENT, .cpu = 0xFFFF, .object = 0 },
		{ .kind = DT_CHOICE_EVENT, .cpu = 0, .object = 2 },
		{ .kind = DT_CHOICE_EVENT, .cpu = 0, .object = 0xFFFF },
		{ .kind = DT_CHOICE_THREAD, .cpu = 0, .object = 0 },
		{ .kind = DT_CHOICE_THREAD, .cpu = 5, .object = 0xFFFF },
		{ .kind = 7, .cpu = 0 },
		{ .kind = 0xFF, .cpu = 1 },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(!dt_machine_choice_enabled(f.m, &bad[i]), "choice %u enabled", i);
		int rc = dt_machine_step(f.m, &bad[i]);
		ck_assert_msg(rc == DT_ENOTENABLED || rc == DT_EINVAL, "choice %u: %d", i, rc);
	}
	ck_assert_int_eq(memcmp(before, st, dt_state_size(2)), 0);
	ck_assert_uint_eq(dt_machine_trace_count(f.m), ntrace);
	static const unsigned cpus[] = { 2, DT_MAX_CPUS - 1, DT_MAX_CPUS, 1000, 0xFFFFFFFFu };
	for (unsigned i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
		char buf[128];
		struct dt_footprint fp;
		ck_assert(!dt_cpu_can_step(f.m, cpus[i]));
		ck_assert_int_ne(dt_cpu_next_action(f.m, cpus[i]), DT_ACT_TAKE_INTERRUPT);
		ck_assert_int_eq(dt_machine_footprint(f.m, cpus[i], &fp), DT_EINVAL);
		const char *why = dt_cpu_blocked_reason(f.m, cpus[i], buf, sizeof(buf));
		ck_assert_ptr_nonnull(why);
		ck_assert_uint_gt(strlen(why), 0);
		ck_assert_msg(strstr(why, "can step") == NULL, "CPU %u: %s", cpus[i], why);
	}
	ck_assert_int_eq(memcmp(before, st, dt_state_size(2)), 0);
	fx_done(&f);
}
END_TEST

/* dt_device_add_line refuses DIRQLs outside 3..12 (2, 13, 0, 255), an
 * affinity of 0 or naming a CPU the machine lacks, an unknown line kind
 * and an unknown device; nothing is added. */
START_TEST(test_badinput_add_line_range)
{
	struct dt_config cfg;
	struct dt_machine *m;
	dt_config_default(&cfg, 4);
	ck_assert_int_eq(dt_machine_create(&cfg, NULL, NULL, &m), DT_OK);
	unsigned d, line = 77;
	ck_assert_int_eq(dt_device_create(m, "dev", &d), DT_OK);
	static const unsigned dirqls[] = { 2, 13, 0, 1, 14, 15, 255 };
	for (unsigned i = 0; i < sizeof(dirqls) / sizeof(dirqls[0]); i++)
		ck_assert_int_eq(dt_device_add_line(m, d, DT_LINE_EDGE, dirqls[i], 0x1, &line),
				 DT_EINVAL);
	static const uint64_t affs[] = { 0, 0x10, 0x1F, 1ull << 63, ~0ull };
	for (unsigned i = 0; i < sizeof(affs) / sizeof(affs[0]); i++)
		ck_assert_int_eq(dt_device_add_line(m, d, DT_LINE_LEVEL, 5, affs[i], &line),
				 DT_EINVAL);
	ck_assert_int_eq(dt_device_add_line(m, d, (enum dt_line_kind)3, 5, 0x1, &line), DT_EINVAL);
	ck_assert_int_eq(dt_device_add_line(m, d + 1, DT_LINE_EDGE, 5, 0x1, &line), DT_EINVAL);
	ck_assert_uint_eq(line, 77);
	ck_assert_uint_eq(dt_machine_state(m)->devices[d].nlines, 0);
	/* Both ends of the DIRQL range and the whole CPU set are fine. */
	ck_assert_int_eq(dt_device_add_line(m, d, DT_LINE_MSI, DT_DIRQL_MIN, 0xF, &line), DT_OK);
	ck_assert_int_eq(dt_device_add_line(m, d, DT_LINE_MSI, DT_DIRQL_MAX, 0x8, &line), DT_OK);
	ck_assert_uint_eq(line, 1);
	/* The line limit is a capacity: DT_ELIMIT. */
	ck_assert_int_eq(dt_device_add_line(m, d, DT_LINE_MSI, 5, 0x1, NULL), DT_OK);
	ck_assert_int_eq(dt_device_add_line(m, d, DT_LINE_MSI, 5, 0x1, NULL), DT_OK);
	ck_assert_int_eq(dt_device_add_line(m, d, DT_LINE_MSI, 5, 0x1, NULL), DT_ELIMIT);
	ck_assert_uint_eq(dt_machine_state(m)->devices[d].nlines, DT_MAX_LINES);
	dt_machine_destroy(m);
}
END_TEST

/* Names are unique per kind: a second device, event or value (or thread)
 * of the same name is refused and nothing is added. */
START_TEST(test_badinput_duplicate_names)
{
	struct dt_config cfg;
	struct dt_machine *m;
	dt_config_default(&cfg, 2);
	ck_assert_int_eq(dt_machine_create(&cfg, NULL, NULL, &m), DT_OK);
	const struct dt_state *st = dt_machine_state(m);
	unsigned d, e, v;
	ck_assert_int_eq(dt_device_create(m, "nic", &d), DT_OK);
	ck_assert_int_eq(dt_device_create(m, "nic", NULL), DT_EINVAL);
	ck_assert_uint_eq(st->ndevices, 1);
	ck_assert_int_eq(dt_device_add_line(m, d, DT_LINE_EDGE, 5, 0x3, NULL), DT_OK);
	ck_assert_int_eq(dt_event_create(m, "rx", d, 0, 1, &e), DT_OK);
	ck_assert_int_eq(dt_event_create(m, "rx", d, 0, 2, NULL), DT_EINVAL);
	ck_assert_uint_eq(st->nevents, 1);
	ck_assert_int_eq(dt_var_create(m, "count", dt_int(0), &v), DT_OK);
	ck_assert_int_eq(dt_var_create(m, "count", dt_int(1), NULL), DT_EINVAL);
	ck_assert_uint_eq(st->nvars, 1);
	ck_assert_int_eq(st->vars[v].value.u.i, 0);
	ck_assert_int_eq(dt_thread_create(m, "worker", 0, 0, NULL), DT_OK);
	unsigned nthreads = st->nthreads;
	ck_assert_int_eq(dt_thread_create(m, "worker", 0, 0, NULL), DT_EINVAL);
	ck_assert_uint_eq(st->nthreads, nthreads);
	/* A name of DT_NAME_MAX bytes does not fit; one byte less does. */
	char name[DT_NAME_MAX + 1];
	memset(name, 'a', DT_NAME_MAX);
	name[DT_NAME_MAX] = '\0';
	ck_assert_int_eq(dt_device_create(m, name, NULL), DT_EINVAL);
	name[DT_NAME_MAX - 1] = '\0';
	ck_assert_int_eq(dt_device_create(m, name, NULL), DT_OK);
	dt_machine_destroy(m);
}
END_TEST

/*
 * Capacities (dt_types.h: "exceeding one is a documented error
 * (DT_ELIMIT), never a crash"): DT_MAX_DEVICES+1 devices, DT_MAX_VARS+1
 * values, DT_MAX_EVENTS+1 events.  Nothing is added by a refused call.
 */
START_TEST(test_badinput_capacity_devices_vars_events)
{
	struct dt_config cfg;
	struct dt_machine *m;
	char name[16];
	dt_config_default(&cfg, 2);
	ck_assert_int_eq(dt_machine_create(&cfg, NULL, NULL, &m), DT_OK);
	const struct dt_state *st = dt_machine_state(m);
	for (unsigned i = 0; i < DT_MAX_DEVICES; i++) {
		snprintf(name, sizeof(name), "d%u", i);
		ck_assert_int_eq(dt_device_create(m, name, NULL), DT_OK);
	}
	unsigned d = 99;
	ck_assert_int_eq(dt_device_create(m, "one-more", &d), DT_ELIMIT);
	ck_assert_uint_eq(d, 99);
	ck_assert_uint_eq(st->ndevices, DT_MAX_DEVICES);
	for (unsigned i = 0; i < DT_MAX_VARS; i++) {
		snprintf(name, sizeof(name), "v%u", i);
		ck_assert_int_eq(dt_var_create(m, name, dt_int(i), NULL), DT_OK);
	}
	ck_assert_int_eq(dt_var_create(m, "one-more", dt_int(0), NULL), DT_ELIMIT);
	ck_assert_uint_eq(st->nvars, DT_MAX_VARS);
	ck_assert_int_eq(dt_device_add_line(m, 0, DT_LINE_EDGE, 5, 0x3, NULL), DT_OK);
	for (unsigned i = 0; i < DT_MAX_EVENTS; i++) {
		snprintf(name, sizeof(name), "e%u", i);
		ck_assert_int_eq(dt_event_create(m, name, 0, 0, 1u << (i % 32), NULL), DT_OK);
	}
	ck_assert_int_eq(dt_event_create(m, "one-more", 0, 0, 1, NULL), DT_ELIMIT);
	ck_assert_uint_eq(st->nevents, DT_MAX_EVENTS);
	/* The machine still works after the refusals. */
	struct dt_choice c = { .kind = DT_CHOICE_EVENT, .cpu = 1, .object = DT_MAX_EVENTS - 1 };
	ck_assert_int_eq(dt_machine_step(m, &c), DT_OK);
	ck_assert_uint_eq(st->events[DT_MAX_EVENTS - 1].fired, 1);
	dt_machine_destroy(m);
}
END_TEST

/*
 * DT_MAX_INTERRUPTS+1 interrupt objects: the table is full, and the
 * header says the function's own return is a dt_err for a full table
 * (DT_ELIMIT, dt_types.h); the handle is 0 and nothing is created.
 */
START_TEST(test_badinput_capacity_interrupts)
{
	struct dt_config cfg;
	struct dt_machine *m;
	char name[16];
	dt_config_default(&cfg, 2);
	ck_assert_int_eq(dt_machine_create(&cfg, NULL, NULL, &m), DT_OK);
	const struct dt_state *st = dt_machine_state(m);
	unsigned ndev = DT_MAX_INTERRUPTS / DT_MAX_LINES + 1;
	ck_assert_uint_le(ndev, DT_MAX_DEVICES);
	for (unsigned d = 0; d < ndev; d++) {
		snprintf(name, sizeof(name), "msi%u", d);
		ck_assert_int_eq(dt_device_create(m, name, NULL), DT_OK);
		for (unsigned l = 0; l < DT_MAX_LINES; l++)
			ck_assert_int_eq(dt_device_add_line(m, d, DT_LINE_MSI, 5, 0x3, NULL),
					 DT_OK);
	}
	struct dt_interrupt_config icfg;
	dt_interrupt_config_init(&icfg, 0, 1);
	uint32_t status;
	uint64_t handle;
	for (unsigned i = 0; i < DT_MAX_INTERRUPTS; i++) {
		ck_assert_int_eq(dt_interrupt_create(m, i / DT_MAX_LINES, &icfg, &status, &handle),
				 DT_OK);
		ck_assert_uint_eq(status, DT_STATUS_SUCCESS);
		ck_assert_uint_eq(handle, dt_handle_of(DT_HANDLE_INTERRUPT, i));
	}
	uint16_t nlocks = st->nlocks, ndpcs = st->ndpcs;
	handle = 1;
	status = DT_STATUS_SUCCESS;
	int rc = dt_interrupt_create(m, ndev - 1, &icfg, &status, &handle);
	ck_assert_uint_eq(handle, 0);
	ck_assert_uint_ne(status, DT_STATUS_SUCCESS);
	ck_assert_uint_eq(st->ninterrupts, DT_MAX_INTERRUPTS);
	ck_assert_uint_eq(st->nlocks, nlocks);
	ck_assert_uint_eq(st->ndpcs, ndpcs);
	ck_assert_uint_eq(st->devices[ndev - 1].ninterrupts, 0);
	dt_machine_destroy(m);
	ck_assert_msg(rc == DT_ELIMIT,
		      "interrupt table full: dt_interrupt_create returned %d (status 0x%x), "
		      "the header promises a dt_err (DT_ELIMIT)",
		      rc, status);
}
END_TEST

/* One failing WdfInterruptCreate: STATUS_INVALID_PARAMETER, handle 0,
 * and no object of any kind created. */
static void check_create_refused(struct dt_machine *m, unsigned dev,
				 const struct dt_interrupt_config *icfg)
{
	const struct dt_state *st = dt_machine_state(m);
	uint16_t ni = st->ninterrupts, nl = st->nlocks, nd = st->ndpcs, nt = st->nthreads;
	uint8_t dn = st->devices[dev].ninterrupts;
	uint32_t status = 0;
	uint64_t handle = 1;
	ck_assert_int_eq(dt_interrupt_create(m, dev, icfg, &status, &handle), DT_OK);
	ck_assert_uint_eq(status, DT_STATUS_INVALID_PARAMETER);
	ck_assert_uint_eq(handle, 0);
	ck_assert_uint_eq(st->ninterrupts, ni);
	ck_assert_uint_eq(st->nlocks, nl);
	ck_assert_uint_eq(st->ndpcs, nd);
	ck_assert_uint_eq(st->nthreads, nt);
	ck_assert_uint_eq(st->devices[dev].ninterrupts, dn);
}

/*
 * R40: WdfInterruptCreate returns STATUS_INVALID_PARAMETER (0xC000000D)
 * and creates nothing when EvtInterruptIsr is missing, when both
 * EvtInterruptDpc and EvtInterruptWorkItem are set, for PassiveHandling
 * with a SpinLock and for DIRQL handling with a WaitLock.  A valid
 * configuration on the same device then still gets MessageID 0.
 */
START_TEST(test_badinput_R40_interrupt_create_validation)
{
	struct dt_config cfg;
	struct dt_machine *m;
	dt_config_default(&cfg, 2);
	ck_assert_int_eq(dt_machine_create(&cfg, NULL, NULL, &m), DT_OK);
	unsigned d;
	ck_assert_int_eq(dt_device_create(m, "dev", &d), DT_OK);
	ck_assert_int_eq(dt_device_add_line(m, d, DT_LINE_LEVEL, 6, 0x3, NULL), DT_OK);
	uint64_t spin, wait;
	ck_assert_int_eq(dt_spinlock_create(m, &spin), DT_OK);
	ck_assert_int_eq(dt_waitlock_create(m, &wait), DT_OK);
	struct dt_interrupt_config icfg;

	dt_interrupt_config_init(&icfg, DT_NO_CALLBACK, 1); /* no ISR */
	check_create_refused(m, d, &icfg);
	dt_interrupt_config_init(&icfg, 0, 1); /* DPC and work item */
	icfg.work_item = 2;
	check_create_refused(m, d, &icfg);
	dt_interrupt_config_init(&icfg, 0, DT_NO_CALLBACK); /* passive with a spin lock */
	icfg.passive_handling = 1;
	icfg.work_item = 2;
	icfg.spin_lock = spin;
	check_create_refused(m, d, &icfg);
	dt_interrupt_config_init(&icfg, 0, 1); /* DIRQL with a wait lock */
	icfg.wait_lock = wait;
	check_create_refused(m, d, &icfg);

	const struct dt_state *st = dt_machine_state(m);
	uint32_t status;
	uint64_t handle;
	dt_interrupt_config_init(&icfg, 0, 1);
	ck_assert_int_eq(dt_interrupt_create(m, d, &icfg, &status, &handle), DT_OK);
	ck_assert_uint_eq(status, DT_STATUS_SUCCESS);
	ck_assert_uint_eq(handle, dt_handle_of(DT_HANDLE_INTERRUPT, 0));
	ck_assert_uint_eq(st->ninterrupts, 1);
	ck_assert_uint_eq(st->interrupts[0].message_id, 0);
	dt_machine_destroy(m);
}
END_TEST

/* Run a one-device machine whose ISR is `isr` until it halts; return it. */
static void run_isr(struct fx *f, const struct dt_cinsn *isr, unsigned len, unsigned budget)
{
	fx_init(f, 2);
	unsigned p = fx_prog(f, isr, len), dpc = FX_PROG(f, b_dpc);
	fx_dev(f, "nic", DT_LINE_EDGE, 5, 0, p, dpc);
	fx_var(f, "count");
	f->host.budget = budget;
	fx_start(f);
	fx_fire(f, 0, 1);
	fx_run(f);
}

static void assert_lesson_error(struct fx *f, const char *phrase)
{
	const struct dt_state *st = fx_st(f);
	ck_assert_int_eq(st->outcome.kind, DT_LESSON_ERROR);
	ck_assert_uint_ne(st->outcome.message, 0);
	const char *msg = dt_machine_string(f->m, st->outcome.message);
	ck_assert_msg(strstr(msg, phrase) != NULL, "message '%s' lacks '%s'", msg, phrase);
	ck_assert_uint_gt(st->outcome.pos.line, 0);
	const struct dt_trace_event *e = fx_last(f, DT_EV_LESSON_ERROR);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->arg[0], st->outcome.message);
	assert_halted(f->m);
	fx_done(f);
}

static const struct dt_cinsn unknown_insn[] = {
	CP_WRREGI(0, DT_REG_INTSTATUS, 1),
	{ .op = CI_OP_COUNT + 7 },
	CP_RETI(1),
};
static const struct dt_cinsn runaway[] = {
	CP_WRREGI(0, DT_REG_INTSTATUS, 1),
	CP_ADDI(0, 1),
	CP_JMP(1),
};

/*
 * A body that fails is the lesson-error outcome with a message and a
 * source position, never a crash: an unknown instruction (in an ISR), and
 * a loop that runs past its instruction budget without reaching an
 * operation in a lesson thread at PASSIVE (with the default and with a
 * small budget).
 */
START_TEST(test_badinput_body_error_is_lesson_error)
{
	struct fx f;
	run_isr(&f, unknown_insn, 3, 0);
	assert_lesson_error(&f, "unknown instruction");

	for (unsigned budget = 0; budget <= 50; budget += 50) {
		struct wrap w = { .thread_prog = DT_NO_CALLBACK };
		struct dt_machine *m;
		struct dt_sched sc;
		two_devices(&f, 0);
		w.inner = &f.host;
		w.thread_prog = FX_PROG(&f, runaway);
		f.host.budget = budget;
		ck_assert_int_eq(dt_machine_create(&f.cfg, &wrap_ops, &w, &m), DT_OK);
		ck_assert_uint_eq(dt_machine_state(m)->nthreads, 1);
		f.m = m;
		dt_sched_round_robin(&sc);
		dt_sched_run(&sc, m, 1000);
		assert_lesson_error(&f, "budget");
	}
}
END_TEST

/*
 * The same runaway loop in an ISR, at DIRQL: dt_op.h says a body that
 * exhausts its budget above DISPATCH never gives the CPU back, which
 * Windows ends with the DPC watchdog (0x133, R33) and the message kept.
 * The C-program host reports the loop as DT_BODY_BUDGET, and so does the
 * wrapper: both end in 0x133 with the message kept, never a hang.
 */
START_TEST(test_badinput_runaway_isr_budget)
{
	for (int as_budget = 0; as_budget < 2; as_budget++) {
		struct fx f;
		struct wrap w = { .thread_prog = DT_NO_CALLBACK, .budget_status = as_budget };
		struct dt_machine *m;
		fx_init(&f, 2);
		unsigned isr = FX_PROG(&f, runaway), dpc = FX_PROG(&f, b_dpc);
		fx_dev(&f, "nic", DT_LINE_EDGE, 5, 0, isr, dpc);
		fx_var(&f, "count");
		w.inner = &f.host;
		ck_assert_int_eq(dt_machine_create(&f.cfg, &wrap_ops, &w, &m), DT_OK);
		f.m = m;
		fx_fire(&f, 0, 1);
		fx_run(&f);
		const struct dt_state *st = dt_machine_state(m);
		const char *msg = dt_machine_string(m, st->outcome.message);
		ck_assert_msg(strstr(msg, "budget") != NULL, "message '%s'", msg);
		ck_assert_int_eq(st->outcome.kind, DT_BUGCHECK);
		ck_assert_uint_eq(st->outcome.code, DT_BUGCODE_DPC_WATCHDOG_VIOLATION);
		ck_assert_uint_eq(st->outcome.p[0], 0);
		ck_assert_uint_eq(st->outcome.rule, 33);
		ck_assert_uint_eq(st->outcome.reason, DT_BCR_BODY_BUDGET);
		ck_assert_int_eq(st->outcome.cpu, 1);
		assert_halted(m);
		fx_done(&f);
	}
}
END_TEST

/*
 * Operations that name a value or a device the machine does not have
 * (and a register number past the last) are lesson errors, not crashes
 * or reads outside the state.
 */
START_TEST(test_badinput_nonexistent_objects_are_lesson_errors)
{
	struct fx f;
	static const struct dt_cinsn rd_var[] = { CP_READ(0, 1), CP_RETI(1) };
	static const struct dt_cinsn wr_var[] = { CP_WRITEI(DT_MAX_VARS + 5, 1), CP_RETI(1) };
	static const struct dt_cinsn rd_dev[] = { CP_RDREG(0, 3, DT_REG_INTSTATUS), CP_RETI(1) };
	static const struct dt_cinsn wr_dev[] = { CP_WRREGI(0xFFFFFFFFu, 0, 1), CP_RETI(1) };
	static const struct dt_cinsn rd_reg[] = { CP_RDREG(0, 0, DT_MAX_REGS), CP_RETI(1) };
	static const struct dt_cinsn wr_reg[] = { CP_WRREGI(0, 0xFFFFFFFFu, 1), CP_RETI(1) };
	const struct dt_cinsn *progs[] = { rd_var, wr_var, rd_dev, wr_dev, rd_reg, wr_reg };
	for (unsigned i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		run_isr(&f, progs[i], 2, 0);
		assert_lesson_error(&f, "does not exist");
	}
}
END_TEST

/* The step limit ends a run with the step-limit outcome exactly at the
 * limit, traced, after which the machine refuses to step. */
START_TEST(test_badinput_step_limit)
{
	struct fx f;
	two_devices(&f, 0);
	f.cfg.sw.step_limit = 5;
	fx_start(&f);
	fx_fire(&f, 0, 0);
	for (int i = 0; i < 4; i++)
		fx_cpu(&f, 0);
	const struct dt_state *st = fx_st(&f);
	ck_assert_int_eq(st->outcome.kind, DT_STEP_LIMIT);
	ck_assert_uint_eq(st->step, 5);
	ck_assert_uint_eq(st->outcome.step, 5);
	ck_assert_ptr_nonnull(fx_last(&f, DT_EV_STEP_LIMIT));
	assert_halted(f.m);
	fx_done(&f);
}
END_TEST

/*
 * R43: an interrupt created with neither EvtInterruptDpc nor
 * EvtInterruptWorkItem still has its DPC; queuing it succeeds, and when
 * it runs it calls a NULL routine at DISPATCH_LEVEL: an ordinary fault,
 * 0xD1 DRIVER_IRQL_NOT_LESS_OR_EQUAL (P1 = 0 the address, P2 = 2 the
 * IRQL, P3 = 8 execute, P4 = 0 the faulting instruction), not 0x10D.
 */
START_TEST(test_badinput_R43_null_dpc_routine_0xD1)
{
	struct fx f;
	two_devices(&f, DT_NO_CALLBACK);
	fx_start(&f);
	fx_fire(&f, 0, 1);
	fx_run(&f);
	const struct dt_state *st = fx_st(&f);
	ck_assert_int_eq(st->outcome.kind, DT_BUGCHECK);
	ck_assert_uint_eq(st->outcome.code, DT_BUGCODE_DRIVER_IRQL_NOT_LESS_OR_EQUAL);
	ck_assert_uint_eq(st->outcome.p[0], 0);
	ck_assert_uint_eq(st->outcome.p[1], DT_DISPATCH_LEVEL);
	ck_assert_uint_eq(st->outcome.p[2], 8);
	ck_assert_uint_eq(st->outcome.p[3], 0);
	ck_assert_uint_eq(st->outcome.rule, 43);
	ck_assert_uint_eq(st->outcome.reason, DT_BCR_NULL_DPC_ROUTINE);
	ck_assert_int_eq(st->outcome.cpu, 1);
	ck_assert_uint_eq(st->interrupts[0].queue_true, 1);
	ck_assert_int_eq(fx_last(&f, DT_EV_QUEUE_DPC)->result, 1);
	ck_assert_ptr_nonnull(fx_last(&f, DT_EV_DPC_DEQUEUE));
	assert_halted(f.m);
	fx_done(&f);
}
END_TEST

/* Does the 8-byte value `v` occur anywhere (any alignment) in p[0..n)? */
static int contains_u64(const void *p, size_t n, uint64_t v)
{
	const unsigned char *b = p;
	for (size_t i = 0; i + 8 <= n; i++) {
		uint64_t x;
		memcpy(&x, b + i, 8);
		if (x == v)
			return 1;
	}
	return 0;
}

/*
 * Identities (engine-contract 7): two machines built the same way give
 * the same handles and byte-identical states and traces, handles follow
 * dt_handle_of(creation order) and decode only as their own type, and no
 * host pointer (the machine, its state, the host context, the host
 * table, any live body) appears in the state or the trace.
 */
START_TEST(test_badinput_handles_are_not_pointers)
{
	struct fx f[2];
	struct wrap w[2];
	struct dt_machine *m[2];
	for (int k = 0; k < 2; k++) {
		two_devices(&f[k], 0);
		memset(&w[k], 0, sizeof(w[k]));
		w[k].inner = &f[k].host;
		w[k].thread_prog = DT_NO_CALLBACK;
		ck_assert_int_eq(dt_machine_create(&f[k].cfg, &wrap_ops, &w[k], &m[k]), DT_OK);
		/* Bring both to a point with live ISR and DPC bodies. */
		struct dt_choice ev0 = { .kind = DT_CHOICE_EVENT, .cpu = 0, .object = 0 };
		struct dt_choice ev1 = { .kind = DT_CHOICE_EVENT, .cpu = 1, .object = 1 };
		struct dt_choice c0 = { .kind = DT_CHOICE_CPU, .cpu = 0 };
		struct dt_choice c1 = { .kind = DT_CHOICE_CPU, .cpu = 1 };
		ck_assert_int_eq(dt_machine_step(m[k], &ev0), DT_OK);
		for (int i = 0; i < 6; i++)
			ck_assert_int_eq(dt_machine_step(m[k], &c0), DT_OK);
		ck_assert_int_eq(dt_machine_step(m[k], &ev1), DT_OK);
		ck_assert_int_eq(dt_machine_step(m[k], &c1), DT_OK);
		ck_assert_int_eq(dt_machine_step(m[k], &c1), DT_OK);
	}
	const struct dt_state *st = dt_machine_state(m[0]);
	ck_assert_uint_eq(st->ninterrupts, 2);
	ck_assert_uint_eq(f[0].handles[0], f[1].handles[0]);
	ck_assert_uint_eq(f[0].handles[1], f[1].handles[1]);
	ck_assert_int_eq(memcmp(dt_machine_state(m[0]), dt_machine_state(m[1]), dt_state_size(2)),
			 0);
	ck_assert_uint_eq(dt_machine_trace_count(m[0]), dt_machine_trace_count(m[1]));
	ck_assert_int_eq(memcmp(dt_machine_trace(m[0]), dt_machine_trace(m[1]),
				dt_machine_trace_count(m[0]) * sizeof(struct dt_trace_event)),
			 0);
	for (unsigned i = 0; i < st->ninterrupts; i++) {
		unsigned idx = 99;
		ck_assert_uint_eq(f[0].handles[i], dt_handle_of(DT_HANDLE_INTERRUPT, i));
		ck_assert(dt_handle_decode(m[0], f[0].handles[i], DT_HANDLE_INTERRUPT, &idx));
		ck_assert_uint_eq(idx, i);
		ck_assert(!dt_handle_decode(m[0], f[0].handles[i], DT_HANDLE_DEVICE, NULL));
		ck_assert(!dt_handle_decode(m[0], f[0].handles[i], DT_HANDLE_SPINLOCK, NULL));
		ck_assert(!dt_handle_decode(m[0], f[0].handles[i], DT_HANDLE_KDPC, NULL));
	}
	ck_assert(
		dt_handle_decode(m[0], dt_handle_of(DT_HANDLE_DEVICE, 1), DT_HANDLE_DEVICE, NULL));
	ck_assert(
		!dt_handle_decode(m[0], dt_handle_of(DT_HANDLE_DEVICE, 2), DT_HANDLE_DEVICE, NULL));
	ck_assert(!dt_handle_decode(m[0], dt_handle_of(DT_HANDLE_INTERRUPT, 2), DT_HANDLE_INTERRUPT,
				    NULL));
	unsigned live = 0;
	for (int k = 0; k < 2; k++) {
		const struct dt_state *sk = dt_machine_state(m[k]);
		const void *ptrs[4 + 64];
		unsigned np = 0;
		ptrs[np++] = m[k];
		ptrs[np++] = sk;
		ptrs[np++] = &w[k];
		ptrs[np++] = &wrap_ops;
		for (unsigned b = 0; b < w[k].nbodies; b++)
			ptrs[np++] = w[k].bodies[b];
		live += f[k].host.live_bodies;
		size_t tn = dt_machine_trace_count(m[k]) * sizeof(struct dt_trace_event);
		for (unsigned p = 0; p < np; p++) {
			uint64_t v = (uint64_t)(uintptr_t)ptrs[p];
			ck_assert_msg(!contains_u64(sk, dt_state_size(2), v),
				      "machine %d: pointer %u (%p) is in the state", k, p, ptrs[p]);
			ck_assert_msg(!contains_u64(dt_machine_trace(m[k]), tn, v),
				      "machine %d: pointer %u (%p) is in the trace", k, p, ptrs[p]);
			ck_assert(v != f[k].handles[0] && v != f[k].handles[1]);
		}
	}
	ck_assert_uint_ge(live, 4); /* the scan saw live ISR and DPC bodies */
	for (int k = 0; k < 2; k++) {
		dt_machine_destroy(m[k]);
		ck_assert_uint_eq(f[k].host.live_bodies, 0);
	}
}
END_TEST

Suite *badinput_suite(void)
{
	Suite *s = suite_create("badinput");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_badinput_R30_bad_handles_bugcheck_0x10D);
	tcase_add_test(tc, test_badinput_R30_cprog_queue_with_foreign_handle);
	tcase_add_test(tc, test_badinput_null_pointers_einval);
	tcase_add_test(tc, test_badinput_cpu_count_out_of_range);
	tcase_add_test(tc, test_badinput_choice_cpu_out_of_range);
	tcase_add_test(tc, test_badinput_add_line_range);
	tcase_add_test(tc, test_badinput_duplicate_names);
	tcase_add_test(tc, test_badinput_capacity_devices_vars_events);
	tcase_add_test(tc, test_badinput_capacity_interrupts);
	tcase_add_test(tc, test_badinput_R40_interrupt_create_validation);
	tcase_add_test(tc, test_badinput_body_error_is_lesson_error);
	tcase_add_test(tc, test_badinput_runaway_isr_budget);
	tcase_add_test(tc, test_badinput_nonexistent_objects_are_lesson_errors);
	tcase_add_test(tc, test_badinput_step_limit);
	tcase_add_test(tc, test_badinput_R43_null_dpc_routine_0xD1);
	tcase_add_test(tc, test_badinput_handles_are_not_pointers);
	suite_add_tcase(s, tc);
	return s;
}
