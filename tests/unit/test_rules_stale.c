/*
 * test_rules_stale.c - R31: a stale handle is undefined behaviour; the
 * lesson's setting picks which one possible outcome the simulator shows.
 *
 * Scenario: a lesson thread deletes the interrupt (WdfObjectDelete) and
 * then calls WdfInterruptAcquireLock on the handle it kept.
 */
#include "fixture.h"
#include "testutil.h"

static uint64_t stale_handle_of_intr0;

static const struct dt_cinsn isr[] = { CP_RETI(1) };
static const struct dt_cinsn thread_body[] = {
	CP_OP(0, DT_OP_OBJECT_DELETE, 0, 0),     /* handle patched at build time */
	CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, 0, 0),
	CP_WRITEI(0, 1),                         /* reached only if it "worked" */
	CP_OP(0, DT_OP_INTR_RELEASE_LOCK, 0, 0),
	CP_WRITEI(0, 2),
	CP_RETI(0),
};
static struct dt_cinsn body[sizeof(thread_body) / sizeof(thread_body[0])];

static int build(struct dt_chost *h, struct dt_machine *m)
{
	(void)h;
	unsigned dev, line;
	dt_var_create(m, "reached", dt_int(0), NULL);
	dt_device_create(m, "nic", &dev);
	dt_device_add_line(m, dev, DT_LINE_EDGE, 5, 1, &line);
	struct dt_interrupt_config cfg;
	uint32_t status;
	uint64_t handle;
	dt_interrupt_config_init(&cfg, 0, DT_NO_CALLBACK);
	dt_interrupt_create(m, dev, &cfg, &status, &handle);
	stale_handle_of_intr0 = handle;
	return dt_thread_create(m, "drv", 1, 1, NULL);
}

static struct dt_machine *run_with(unsigned setting, struct dt_chost *host,
				   struct dt_cprog *progs)
{
	memcpy(body, thread_body, sizeof(body));
	uint64_t h = dt_handle_of(DT_HANDLE_INTERRUPT, 0);
	body[0].imm = (int64_t)h;
	body[1].imm = (int64_t)h;
	body[3].imm = (int64_t)h;
	progs[0] = (struct dt_cprog)DT_CPROG(isr);
	progs[1] = (struct dt_cprog){ body, sizeof(body) / sizeof(body[0]) };
	*host = (struct dt_chost){ .progs = progs, .nprogs = 2, .build = build };
	struct dt_config cfg;
	dt_config_default(&cfg, 1);
	cfg.sw.stale_handle = (uint8_t)setting;
	struct dt_machine *m;
	ck_assert_int_eq(dt_machine_create(&cfg, dt_chost_ops(), host, &m), DT_OK);
	struct dt_choice t = { .kind = DT_CHOICE_THREAD, .cpu = 0, .object = 0 };
	ck_assert_int_eq(dt_machine_step(m, &t), DT_OK);
	for (int i = 0; i < 20 && dt_machine_state(m)->outcome.kind == DT_RUNNING; i++) {
		struct dt_choice c = { .kind = DT_CHOICE_CPU, .cpu = 0 };
		if (dt_machine_step(m, &c) != DT_OK)
			break;
	}
	return m;
}

/* R31 "it may seem to work": the calls go on and the thread finishes. */
START_TEST(test_R31_stale_handle_may_seem_to_work)
{
	struct dt_chost host;
	struct dt_cprog progs[2];
	struct dt_machine *m = run_with(DT_STALE_WORKS, &host, progs);
	const struct dt_state *st = dt_machine_state(m);
	ck_assert_int_eq(st->outcome.kind, DT_RUNNING);
	ck_assert_int_eq(st->vars[0].value.u.i, 2);
	ck_assert_uint_eq(st->interrupts[0].deleted, 1);
	dt_machine_destroy(m);
}
END_TEST

/* R31 "fail the type check": 0x10D with P1 = 0x5 and the stale handle. */
START_TEST(test_R31_stale_handle_fails_the_type_check)
{
	struct dt_chost host;
	struct dt_cprog progs[2];
	struct dt_machine *m = run_with(DT_STALE_TYPE_CHECK, &host, progs);
	const struct dt_outcome *o = &dt_machine_state(m)->outcome;
	ck_assert_int_eq(o->kind, DT_BUGCHECK);
	ck_assert_uint_eq(o->code, DT_BUGCODE_WDF_VIOLATION);
	ck_assert_uint_eq(o->p[0], DT_WDF_INVALID_HANDLE);
	ck_assert_uint_eq(o->p[1], stale_handle_of_intr0);
	ck_assert_uint_eq(o->p[2], DT_FX_TYPE_INTERRUPT);
	ck_assert_uint_eq(o->rule, 31);
	ck_assert_uint_eq(o->reason, DT_BCR_STALE_HANDLE);
	ck_assert_int_eq(dt_machine_state(m)->vars[0].value.u.i, 0);
	dt_machine_destroy(m);
}
END_TEST

/* R31 "fault": 0x50 at PASSIVE (the thread calls at PASSIVE). */
START_TEST(test_R31_stale_handle_faults_at_passive)
{
	struct dt_chost host;
	struct dt_cprog progs[2];
	struct dt_machine *m = run_with(DT_STALE_FAULT, &host, progs);
	const struct dt_outcome *o = &dt_machine_state(m)->outcome;
	ck_assert_int_eq(o->kind, DT_BUGCHECK);
	ck_assert_uint_eq(o->code, DT_BUGCODE_PAGE_FAULT_IN_NONPAGED_AREA);
	ck_assert_uint_eq(o->rule, 31);
	dt_machine_destroy(m);
}
END_TEST

/* R31 "corrupt memory and crash later": the call goes on, 0x139 a step later. */
START_TEST(test_R31_stale_handle_corrupts_and_crashes_later)
{
	struct dt_chost host;
	struct dt_cprog progs[2];
	struct dt_machine *m = run_with(DT_STALE_CORRUPT, &host, progs);
	const struct dt_state *st = dt_machine_state(m);
	ck_assert_int_eq(st->outcome.kind, DT_BUGCHECK);
	ck_assert_uint_eq(st->outcome.code, DT_BUGCODE_KERNEL_SECURITY_CHECK_FAILURE);
	ck_assert_uint_eq(st->outcome.p[0], 3);
	ck_assert_uint_eq(st->outcome.rule, 31);
	/* the stale call itself "worked": the write after it never came */
	ck_assert_int_eq(st->vars[0].value.u.i, 0);
	ck_assert_uint_gt(st->outcome.step, 2);
	dt_machine_destroy(m);
}
END_TEST

Suite *rules_stale_suite(void)
{
	Suite *s = suite_create("rules_stale");
	TCase *tc = tcase_create("R31");
	tcase_add_test(tc, test_R31_stale_handle_may_seem_to_work);
	tcase_add_test(tc, test_R31_stale_handle_fails_the_type_check);
	tcase_add_test(tc, test_R31_stale_handle_faults_at_passive);
	tcase_add_test(tc, test_R31_stale_handle_corrupts_and_crashes_later);
	suite_add_tcase(s, tc);
	return s;
}
