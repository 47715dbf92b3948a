/*
 * test_smoke.c - first end-to-end checks of the machine with C bodies.
 */
#include "fixture.h"
#include "testutil.h"

static const struct dt_cinsn isr_ack_queue[] = {
	CP_WRREGI(0, DT_REG_INTSTATUS, 1),
	CP_QUEUE_DPC(0),
	CP_RETI(1),
};
static const struct dt_cinsn dpc_count[] = {
	CP_READ(0, 0),
	CP_ADDI(0, 1),
	CP_WRITE(0, 0),
	CP_RETI(0),
};

START_TEST(test_smoke_one_event_runs_isr_then_dpc)
{
	struct fx f;
	fx_init(&f, 2);
	unsigned isr = FX_PROG(&f, isr_ack_queue), dpc = FX_PROG(&f, dpc_count);
	fx_dev(&f, "nic", DT_LINE_EDGE, 5, 0, isr, dpc);
	unsigned runs = fx_var(&f, "runs");
	fx_start(&f);
	fx_fire(&f, 0, 1);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 1), DT_ACT_TAKE_INTERRUPT);
	ck_assert_int_eq(dt_cpu_next_action(f.m, 0), DT_ACT_NONE);
	fx_cpu(&f, 1); /* take the interrupt */
	ck_assert_uint_eq(fx_st(&f)->cpus[1].irql, 5);
	fx_cpu(&f, 1); /* acknowledge */
	fx_cpu(&f, 1); /* queue: TRUE */
	ck_assert_int_eq(fx_last(&f, DT_EV_QUEUE_DPC)->result, 1);
	ck_assert_uint_eq(fx_st(&f)->cpus[1].qlen, 1);
	fx_run(&f);
	ck_assert_int_eq(fx_st(&f)->outcome.kind, DT_QUIESCENT);
	ck_assert_int_eq(fx_val(&f, runs), 1);
	ck_assert_uint_eq(fx_st(&f)->cpus[1].irql, 0);
	fx_done(&f);
}
END_TEST

Suite *smoke_suite(void)
{
	Suite *s = suite_create("smoke");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_smoke_one_event_runs_isr_then_dpc);
	suite_add_tcase(s, tc);
	return s;
}
