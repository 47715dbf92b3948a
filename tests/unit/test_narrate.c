/*
 * test_narrate.c - golden tests of the narrator (tutor/narrate.c) and the
 * rule cards (tutor/rules.c).
 *
 * The golden tests build small scenarios with the C-program host, narrate
 * the whole trace and compare it line by line with the text below: these
 * strings are the reference for what a student reads in the event log.
 * A change of wording is a change of this file, made on purpose.  Set
 * NARRATE_DUMP=1 to print the narrated traces while editing goldens.
 *
 * The other tests check that every event kind has a sentence (synthetic
 * events against a machine built by direct calls), that names follow the
 * domain's words, that buffers truncate like snprintf, and that every
 * rule of semantics.md has a card with the right tag.
 */
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "narrate.h"
#include "rules.h"
#include "testutil.h"

#define MAX_SENTENCE 200

/* ---- helpers --------------------------------------------------------------- */

static void check_sentence(const char *s, const struct dt_trace_event *e)
{
	size_t len = strlen(s);
	ck_assert_msg(len > 0, "kind %u: empty sentence", e->kind);
	ck_assert_msg(len <= MAX_SENTENCE, "kind %u: %zu bytes: %s", e->kind, len, s);
	ck_assert_msg(s[len - 1] != ' ' && s[len - 1] != '.', "kind %u: bad ending: %s", e->kind,
		      s);
	ck_assert_msg(!strchr(s, '\n'), "kind %u: newline in: %s", e->kind, s);
	if (e->rule) {
		char cite[16];
		snprintf(cite, sizeof(cite), " (R%02u)", e->rule);
		ck_assert_msg(len > strlen(cite) && strcmp(s + len - strlen(cite), cite) == 0,
			      "kind %u: no citation %s: %s", e->kind, cite, s);
		ck_assert_msg(rule_card(e->rule) != NULL, "R%02u has no rule card", e->rule);
	}
}

/* Narrate the whole trace of f and compare it with want[0..n-1]. */
static void expect_trace(struct fx *f, const char *const *want, size_t n)
{
	const struct dt_trace_event *t = dt_machine_trace(f->m);
	size_t count = dt_machine_trace_count(f->m);
	char line[NARRATE_MAX];
	for (size_t i = 0; getenv("NARRATE_DUMP") && i < count; i++) {
		narrate_event(f->m, &t[i], line, sizeof(line));
		printf("\t\t\"%s\",\n", line);
	}
	for (size_t i = 0; i < count && i < n; i++) {
		size_t len = narrate_event(f->m, &t[i], line, sizeof(line));
		ck_assert_uint_eq(len, strlen(line));
		ck_assert_msg(strcmp(line, want[i]) == 0, "line %zu (step %u):\n got: %s\nwant: %s",
			      i, t[i].step, line, want[i]);
		check_sentence(line, &t[i]);
	}
	ck_assert_uint_eq(count, n);
}

#define EXPECT_TRACE(f, want) expect_trace((f), (want), sizeof(want) / sizeof((want)[0]))

/* ---- programs -------------------------------------------------------------- */

/* Acknowledge the device, queue the DPC, claim the interrupt. */
static const struct dt_cinsn isr_ack_queue[] = {
	CP_WRREGI(0, DT_REG_INTSTATUS, 1),
	CP_QUEUE_DPC(0),
	CP_RETI(1),
};
/* Acknowledge and claim, no DPC. */
static const struct dt_cinsn isr_ack[] = {
	CP_WRREGI(0, DT_REG_INTSTATUS, 1),
	CP_RETI(1),
};
/* Forgets to acknowledge a level line: the storm of R07. */
static const struct dt_cinsn isr_no_ack[] = {
	CP_RETI(1),
};
/* runs = runs + 1 */
static const struct dt_cinsn dpc_count[] = {
	CP_READ(0, 0),
	CP_ADDI(0, 1),
	CP_WRITE(0, 0),
	CP_RETI(0),
};

/* ---- goldens ---------------------------------------------------------------- */

/* R11, R12, R13, R16: TRUE on CPU0, FALSE on CPU1 while the DPC is still
 * queued on CPU0, then CPU0 dequeues and drains. */
START_TEST(test_golden_queue_true_false_dequeue_drain)
{
	static const char *const want[] = {
		"NIC: device event \"NIC\" to CPU0; status is now 0x1 (R04)",
		"CPU0: the NIC interrupt is pending at IRQL 5, above CPU0's PASSIVE_LEVEL: it is "
		"taken before the current work goes on (R08)",
		"CPU0: takes the NIC interrupt at IRQL 5 and holds its lock (R03)",
		"CPU0: writes 0x1 to NIC INTSTATUS, acknowledging those bits; INTSTATUS is now 0x0",
		"CPU0: WdfInterruptQueueDpcForIsr -> TRUE: the NIC DPC is now queued on CPU0 (R12)",
		"CPU0: the NIC ISR returns TRUE and releases its lock; CPU0 is back at "
		"PASSIVE_LEVEL (R07)",
		"NIC: device event \"NIC\" to CPU1; status is now 0x1 (R04)",
		"CPU1: the NIC interrupt is pending at IRQL 5, above CPU1's PASSIVE_LEVEL: it is "
		"taken before the current work goes on (R08)",
		"CPU1: takes the NIC interrupt at IRQL 5 and holds its lock (R03)",
		"CPU1: writes 0x1 to NIC INTSTATUS, acknowledging those bits; INTSTATUS is now 0x0",
		"CPU1: WdfInterruptQueueDpcForIsr -> FALSE: the NIC DPC is still queued on CPU0 "
		"since step 4 (R11)",
		"CPU1: the NIC ISR returns TRUE and releases its lock; CPU1 is back at "
		"PASSIVE_LEVEL (R07)",
		"CPU0: dequeues the NIC DPC (queued at step 4); it can be queued again from now "
		"on (R13)",
		"CPU0: reads runs = 0 (its initial value)",
		"CPU0: writes runs = 1 (the first write to it)",
		"CPU0: the NIC DPC returns; CPU0's DPC queue is now empty (R16)",
		"CPU0: the drain is over: CPU0 goes from DISPATCH_LEVEL back to PASSIVE_LEVEL (R16)",
		"Quiescent after step 14: nothing can step and no device event is left",
	};
	struct fx f;
	fx_init(&f, 2);
	unsigned isr = FX_PROG(&f, isr_ack_queue), dpc = FX_PROG(&f, dpc_count);
	fx_dev(&f, "NIC", DT_LINE_EDGE, 5, 0, isr, dpc);
	fx_var(&f, "runs");
	fx_start(&f);
	fx_fire(&f, 0, 0); /* step 1 */
	fx_cpu(&f, 0);     /* 2: take */
	fx_cpu(&f, 0);     /* 3: acknowledge */
	fx_cpu(&f, 0);     /* 4: queue: TRUE */
	fx_cpu(&f, 0);     /* 5: return */
	fx_fire(&f, 0, 1); /* 6 */
	fx_cpu(&f, 1);     /* 7: take */
	fx_cpu(&f, 1);     /* 8: acknowledge */
	fx_cpu(&f, 1);     /* 9: queue: FALSE, still queued on CPU0 */
	fx_cpu(&f, 1);     /* 10: return */
	fx_run(&f);        /* CPU0 drains */
	EXPECT_TRACE(&f, want);
	fx_done(&f);
}
END_TEST

/* R03: a second CPU taking the same interrupt spins at DIRQL until the
 * first CPU's ISR returns and releases the interrupt lock. */
START_TEST(test_golden_isr_spins_on_other_cpu)
{
	static const char *const want[] = {
		"NIC: device event \"NIC\" to CPU0; status is now 0x1 (R04)",
		"CPU0: the NIC interrupt is pending at IRQL 5, above CPU0's PASSIVE_LEVEL: it is "
		"taken before the current work goes on (R08)",
		"CPU0: takes the NIC interrupt at IRQL 5 and holds its lock (R03)",
		"NIC: device event \"NIC\" to CPU1; status is now 0x1 (R04)",
		"CPU1: the NIC interrupt is pending at IRQL 5, above CPU1's PASSIVE_LEVEL: it is "
		"taken before the current work goes on (R08)",
		"CPU1: the NIC interrupt lock is held by CPU0 since step 2: CPU1 spins at "
		"IRQL 5 (R03)",
		"CPU0: writes 0x1 to NIC INTSTATUS, acknowledging those bits; INTSTATUS is now 0x0",
		"CPU0: the NIC ISR returns TRUE and releases its lock; CPU0 is back at "
		"PASSIVE_LEVEL (R07)",
		"CPU1: the NIC interrupt lock is free now: CPU1 stops spinning and takes it (R03)",
		"CPU1: takes the NIC interrupt at IRQL 5 and holds its lock (R03)",
		"CPU1: writes 0x1 to NIC INTSTATUS, acknowledging those bits; INTSTATUS is now 0x0",
		"CPU1: the NIC ISR returns TRUE and releases its lock; CPU1 is back at "
		"PASSIVE_LEVEL (R07)",
		"Quiescent after step 9: nothing can step and no device event is left",
	};
	struct fx f;
	fx_init(&f, 2);
	unsigned isr = FX_PROG(&f, isr_ack);
	fx_dev(&f, "NIC", DT_LINE_EDGE, 5, 0, isr, DT_NO_CALLBACK);
	fx_start(&f);
	fx_fire(&f, 0, 0); /* step 1 */
	fx_cpu(&f, 0);     /* 2: take, holding the lock */
	fx_fire(&f, 0, 1); /* 3 */
	fx_cpu(&f, 1);     /* 4: take: spins */
	ck_assert_int_eq(dt_cpu_next_action(f.m, 1), DT_ACT_SPIN);
	fx_cpu(&f, 0);     /* 5: acknowledge */
	fx_cpu(&f, 0);     /* 6: return, release */
	fx_run(&f);        /* CPU1 gets the lock and runs the ISR */
	EXPECT_TRACE(&f, want);
	fx_done(&f);
}
END_TEST

/* R07, R33: a level ISR that never acknowledges is entered again each time
 * the IRQL drops, until the cumulative watchdog fires (scaled limits). */
START_TEST(test_golden_level_storm_ends_in_0x133)
{
	static const char *const want[] = {
		"NIC: device event \"NIC\" asserts the level line, delivered to CPU0; status is "
		"now 0x1 (R04)",
		"CPU0: the NIC interrupt is pending at IRQL 5, above CPU0's PASSIVE_LEVEL: it is "
		"taken before the current work goes on (R08)",
		"CPU0: takes the NIC interrupt at IRQL 5 and holds its lock (R03)",
		"CPU0: the NIC ISR returns TRUE and releases its lock; CPU0 is back at "
		"PASSIVE_LEVEL (R07)",
		"CPU0: the NIC level line is still asserted (its status was not cleared): the "
		"interrupt is pending again at once (R07)",
		"CPU0: the NIC interrupt is pending at IRQL 5, above CPU0's PASSIVE_LEVEL: it is "
		"taken before the current work goes on (R08)",
		"CPU0: clock tick at 2 us of busy time; no DPC is queued (R16)",
		"CPU0: takes the NIC interrupt at IRQL 5 and holds its lock (R03)",
		"CPU0: the NIC ISR returns TRUE and releases its lock; CPU0 is back at "
		"PASSIVE_LEVEL (R07)",
		"CPU0: the NIC level line is still asserted (its status was not cleared): the "
		"interrupt is pending again at once (R07)",
		"CPU0: the NIC interrupt is pending at IRQL 5, above CPU0's PASSIVE_LEVEL: it is "
		"taken before the current work goes on (R08)",
		"CPU0: clock tick at 4 us of busy time; no DPC is queued (R16)",
		"CPU0: takes the NIC interrupt at IRQL 5 and holds its lock (R03)",
		"CPU0: the NIC ISR returns TRUE and releases its lock; CPU0 is back at "
		"PASSIVE_LEVEL (R07)",
		"CPU0: the NIC level line is still asserted (its status was not cleared): the "
		"interrupt is pending again at once (R07)",
		"CPU0: the NIC interrupt is pending at IRQL 5, above CPU0's PASSIVE_LEVEL: it is "
		"taken before the current work goes on (R08)",
		"CPU0: clock tick at 6 us of busy time; no DPC is queued (R16)",
		"CPU0: bug check 0x133 DPC_WATCHDOG_VIOLATION: CPU0 stayed at DISPATCH_LEVEL or "
		"above longer than the cumulative limit (3 ticks, limit 2, scaled) (R33)",
	};
	struct fx f;
	fx_init(&f, 1);
	f.cfg.sw.tick_us = 2;
	f.cfg.sw.watchdog_cumulative_us = 5;
	unsigned isr = FX_PROG(&f, isr_no_ack);
	fx_dev(&f, "NIC", DT_LINE_LEVEL, 5, 0, isr, DT_NO_CALLBACK);
	fx_start(&f);
	fx_fire(&f, 0, 0);
	for (int i = 0; i < 100 && fx_st(&f)->outcome.kind == DT_RUNNING; i++)
		fx_cpu(&f, 0);
	ck_assert_uint_eq(fx_st(&f)->outcome.code, DT_BUGCODE_DPC_WATCHDOG_VIOLATION);
	EXPECT_TRACE(&f, want);
	fx_done(&f);
}
END_TEST

/* R30: the WDFDEVICE handle passed where a WDFINTERRUPT is needed. */
START_TEST(test_golden_invalid_handle_0x10d)
{
	static const char *const want[] = {
		"NIC: device event \"NIC\" to CPU0; status is now 0x1 (R04)",
		"CPU0: the NIC interrupt is pending at IRQL 5, above CPU0's PASSIVE_LEVEL: it is "
		"taken before the current work goes on (R08)",
		"CPU0: takes the NIC interrupt at IRQL 5 and holds its lock (R03)",
		"CPU0: bug check 0x10D WDF_VIOLATION: P1 = 0x5, an invalid handle "
		"(0x3f7fefffeff8) where a WDFINTERRUPT was required (R30)",
	};
	struct dt_cinsn isr_wrong_handle[] = {
		CP_QUEUE_DPC_H(0, dt_handle_of(DT_HANDLE_DEVICE, 0)),
		CP_RETI(1),
	};
	struct fx f;
	fx_init(&f, 1);
	unsigned isr = FX_PROG(&f, isr_wrong_handle);
	fx_dev(&f, "NIC", DT_LINE_EDGE, 5, 0, isr, DT_NO_CALLBACK);
	fx_start(&f);
	fx_fire(&f, 0, 0);
	fx_cpu(&f, 0); /* take */
	fx_cpu(&f, 0); /* WdfInterruptQueueDpcForIsr(device handle) */
	ck_assert_uint_eq(fx_st(&f)->outcome.code, DT_BUGCODE_WDF_VIOLATION);
	EXPECT_TRACE(&f, want);
	fx_done(&f);
}
END_TEST

/* R60, R36: a DPC that acquires the interrupt lock twice spins forever on
 * its own CPU; the narrator names the cycle and its real symptom. */
START_TEST(test_golden_double_acquire_deadlock)
{
	static const char *const want[] = {
		"NIC: device event \"NIC\" to CPU0; status is now 0x1 (R04)",
		"CPU0: the NIC interrupt is pending at IRQL 5, above CPU0's PASSIVE_LEVEL: it is "
		"taken before the current work goes on (R08)",
		"CPU0: takes the NIC interrupt at IRQL 5 and holds its lock (R03)",
		"CPU0: writes 0x1 to NIC INTSTATUS, acknowledging those bits; INTSTATUS is now 0x0",
		"CPU0: WdfInterruptQueueDpcForIsr -> TRUE: the NIC DPC is now queued on CPU0 (R12)",
		"CPU0: the NIC ISR returns TRUE and releases its lock; CPU0 is back at "
		"PASSIVE_LEVEL (R07)",
		"CPU0: dequeues the NIC DPC (queued at step 4); it can be queued again from now "
		"on (R13)",
		"CPU0: acquires the NIC interrupt lock at IRQL 5 (R60)",
		"CPU0: the NIC interrupt lock is held by CPU0 since step 7: CPU0 spins at "
		"IRQL 5 (R60)",
		"CPU0: deadlock: CPU0 spins forever for a lock that CPU0 itself already holds; "
		"real Windows would end this in 0x133 DPC_WATCHDOG_VIOLATION (P1 = 1) (R36)",
	};
	static const struct dt_cinsn dpc_lock_twice[] = {
		CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, 0, 0),
		CP_OP(0, DT_OP_INTR_ACQUIRE_LOCK, 0, 0),
		CP_RETI(0),
	};
	struct fx f;
	fx_init(&f, 1);
	unsigned isr = FX_PROG(&f, isr_ack_queue), dpc = FX_PROG(&f, dpc_lock_twice);
	fx_dev(&f, "NIC", DT_LINE_EDGE, 5, 0, isr, dpc);
	fx_start(&f);
	fx_fire(&f, 0, 0);
	fx_run(&f);
	ck_assert_int_eq(fx_st(&f)->outcome.kind, DT_DEADLOCK);
	EXPECT_TRACE(&f, want);
	fx_done(&f);
}
END_TEST

/* ---- a machine with one object of every kind -------------------------------- */

struct zoo {
	struct dt_machine *m;
	unsigned nic, disk, ser, i2c, wi;  /* devices */
	unsigned nic_intr, disk_intr1, ser_intr, i2c_intr, wi_intr;
	unsigned spin, wait, kdpc;         /* lock, lock, dpc indices */
	unsigned thread, var, event;
};

static unsigned intr_create(struct dt_machine *m, unsigned dev, struct dt_interrupt_config *c)
{
	uint32_t status;
	uint64_t handle;
	ck_assert_int_eq(dt_interrupt_create(m, dev, c, &status, &handle), DT_OK);
	ck_assert_uint_eq(status, DT_STATUS_SUCCESS);
	return dt_machine_state(m)->ninterrupts - 1u;
}

static unsigned device(struct dt_machine *m, const char *name, unsigned kind, unsigned lines)
{
	unsigned d;
	ck_assert_int_eq(dt_device_create(m, name, &d), DT_OK);
	for (unsigned i = 0; i < lines; i++)
		ck_assert_int_eq(dt_device_add_line(m, d, kind, 5, 3, NULL), DT_OK);
	return d;
}

/* Built by direct calls, no host: bodies never run, names are all we need. */
static void zoo_build(struct zoo *z)
{
	struct dt_config cfg;
	struct dt_interrupt_config c;
	uint64_t h;
	dt_config_default(&cfg, 2);
	ck_assert_int_eq(dt_machine_create(&cfg, NULL, NULL, &z->m), DT_OK);
	struct dt_machine *m = z->m;
	z->nic = device(m, "NIC", DT_LINE_EDGE, 1);
	dt_interrupt_config_init(&c, 0, 1);
	z->nic_intr = intr_create(m, z->nic, &c);
	z->disk = device(m, "DISK", DT_LINE_MSI, 2);
	intr_create(m, z->disk, &c);
	z->disk_intr1 = intr_create(m, z->disk, &c);
	z->ser = device(m, "SER", DT_LINE_LEVEL, 1);
	ck_assert_int_eq(dt_device_set_sync(m, z->ser, 0, 1), DT_OK);
	c.automatic_serialization = 1;
	z->ser_intr = intr_create(m, z->ser, &c);
	z->i2c = device(m, "I2C", DT_LINE_LEVEL, 1);
	dt_interrupt_config_init(&c, 0, DT_NO_CALLBACK);
	c.passive_handling = 1;
	c.work_item = 2;
	z->i2c_intr = intr_create(m, z->i2c, &c);
	z->wi = device(m, "WI", DT_LINE_EDGE, 1);
	ck_assert_int_eq(dt_spinlock_create(m, &h), DT_OK);
	ck_assert(dt_handle_decode(m, h, DT_HANDLE_SPINLOCK, &z->spin));
	dt_interrupt_config_init(&c, 0, DT_NO_CALLBACK);
	c.work_item = 2;
	c.spin_lock = h;
	z->wi_intr = intr_create(m, z->wi, &c);
	ck_assert_int_eq(dt_waitlock_create(m, &h), DT_OK);
	ck_assert(dt_handle_decode(m, h, DT_HANDLE_WAITLOCK, &z->wait));
	ck_assert_int_eq(dt_kdpc_create(m, 3, &h), DT_OK);
	ck_assert(dt_handle_decode(m, h, DT_HANDLE_KDPC, &z->kdpc));
	ck_assert_int_eq(dt_thread_create(m, "main", 4, 0, &z->thread), DT_OK);
	ck_assert_int_eq(dt_var_create(m, "pending", dt_int(0), &z->var), DT_OK);
	ck_assert_int_eq(dt_event_create(m, "nic", z->nic, 0, 1, &z->event), DT_OK);
}

static const char *name_of(const struct zoo *z, unsigned kind, unsigned obj, char *buf)
{
	size_t n = narrate_object(z->m, kind, obj, buf, NARRATE_MAX);
	ck_assert_uint_eq(n, strlen(buf));
	return buf;
}

START_TEST(test_object_names)
{
	struct zoo z;
	char b[NARRATE_MAX];
	zoo_build(&z);
	const struct dt_state *st = dt_machine_state(z.m);
	ck_assert_str_eq(name_of(&z, DT_OBJ_DEVICE, z.nic, b), "NIC");
	ck_assert_str_eq(name_of(&z, DT_OBJ_EVENT, z.event, b), "device event \"nic\"");
	ck_assert_str_eq(name_of(&z, DT_OBJ_INTERRUPT, z.nic_intr, b), "the NIC interrupt");
	ck_assert_str_eq(name_of(&z, DT_OBJ_INTERRUPT, z.disk_intr1, b),
			 "the DISK interrupt (message 1)");
	ck_assert_str_eq(name_of(&z, DT_OBJ_DPC, st->interrupts[z.nic_intr].dpc, b),
			 "the NIC DPC");
	ck_assert_str_eq(name_of(&z, DT_OBJ_DPC, st->interrupts[z.disk_intr1].dpc, b),
			 "the DISK DPC (message 1)");
	snprintf(b + 128, 64, "KDPC #%u", z.kdpc);
	ck_assert_str_eq(name_of(&z, DT_OBJ_DPC, z.kdpc, b), b + 128);
	ck_assert_str_eq(name_of(&z, DT_OBJ_LOCK, st->interrupts[z.nic_intr].lock, b),
			 "the NIC interrupt lock");
	ck_assert_str_eq(name_of(&z, DT_OBJ_LOCK, st->interrupts[z.disk_intr1].lock, b),
			 "the DISK interrupt lock (message 1)");
	ck_assert_str_eq(name_of(&z, DT_OBJ_LOCK, st->interrupts[z.ser_intr].callback_lock, b),
			 "the SER callback lock");
	ck_assert_str_eq(name_of(&z, DT_OBJ_LOCK, st->interrupts[z.i2c_intr].lock, b),
			 "the I2C interrupt's wait lock");
	snprintf(b + 128, 64, "WDFSPINLOCK #%u (the WI interrupt lock)", z.spin);
	ck_assert_str_eq(name_of(&z, DT_OBJ_LOCK, z.spin, b), b + 128);
	snprintf(b + 128, 64, "WDFWAITLOCK #%u", z.wait);
	ck_assert_str_eq(name_of(&z, DT_OBJ_LOCK, z.wait, b), b + 128);
	ck_assert_str_eq(name_of(&z, DT_OBJ_VAR, z.var, b), "pending");
	ck_assert_str_eq(name_of(&z, DT_OBJ_THREAD, z.thread, b), "main");
	ck_assert_str_eq(name_of(&z, DT_OBJ_THREAD, st->interrupts[z.i2c_intr].thread, b),
			 "I2C.isr0");
	/* Out of range: a generic name, never a crash. */
	ck_assert_str_eq(name_of(&z, DT_OBJ_INTERRUPT, 31, b), "interrupt #31");
	ck_assert_str_eq(name_of(&z, DT_OBJ_VAR, 99, b), "value #99");
	ck_assert_str_eq(name_of(&z, DT_OBJ_NONE, 0, b), "nothing");
	dt_machine_destroy(z.m);
}
END_TEST

START_TEST(test_irql_and_bugcheck_names)
{
	ck_assert_str_eq(narrate_irql_name(0), "PASSIVE_LEVEL");
	ck_assert_str_eq(narrate_irql_name(1), "APC_LEVEL");
	ck_assert_str_eq(narrate_irql_name(2), "DISPATCH_LEVEL");
	ck_assert_str_eq(narrate_irql_name(3), "DIRQL 3");
	ck_assert_str_eq(narrate_irql_name(5), "DIRQL 5");
	ck_assert_str_eq(narrate_irql_name(12), "DIRQL 12");
	ck_assert_str_eq(narrate_irql_name(13), "CLOCK_LEVEL");
	ck_assert_str_eq(narrate_irql_name(14), "IPI_LEVEL");
	ck_assert_str_eq(narrate_irql_name(15), "HIGH_LEVEL");
	ck_assert_str_eq(narrate_irql_name(16), "invalid IRQL");
	ck_assert_str_eq(narrate_bugcheck_name(0x133), "DPC_WATCHDOG_VIOLATION");
	ck_assert_str_eq(narrate_bugcheck_name(0x10D), "WDF_VIOLATION");
	ck_assert_str_eq(narrate_bugcheck_name(0x1E), "KMODE_EXCEPTION_NOT_HANDLED");
	ck_assert_str_eq(narrate_bugcheck_name(0x9), "IRQL_NOT_GREATER_OR_EQUAL");
	ck_assert_str_eq(narrate_bugcheck_name(0xB8), "ATTEMPTED_SWITCH_FROM_DPC");
	ck_assert_str_eq(narrate_bugcheck_name(0xC4), "DRIVER_VERIFIER_DETECTED_VIOLATION");
	ck_assert_str_eq(narrate_bugcheck_name(0xD1), "DRIVER_IRQL_NOT_LESS_OR_EQUAL");
	ck_assert_str_eq(narrate_bugcheck_name(0x50), "PAGE_FAULT_IN_NONPAGED_AREA");
	ck_assert_str_eq(narrate_bugcheck_name(0x12345), "an unknown bug check");
}
END_TEST

/* ---- every event kind has a sentence ---------------------------------------- */

/* A plausible event of `kind` against the zoo; `variant` flips results and
 * arguments so that each branch of a narrator is reached. */
static struct dt_trace_event synthetic(const struct zoo *z, unsigned kind, unsigned variant)
{
	const struct dt_state *st = dt_machine_state(z->m);
	const struct dt_interrupt *nic = &st->interrupts[z->nic_intr];
	struct dt_trace_event e;
	memset(&e, 0, sizeof(e));
	e.step = 12;
	e.kind = (uint16_t)kind;
	e.cpu = 1;
	e.cause_cpu = variant & 1 ? -1 : 0;
	e.cause_step = variant & 1 ? 0 : 7;
	e.irql_before = DT_DISPATCH_LEVEL;
	e.irql_after = variant & 1 ? 5 : DT_PASSIVE_LEVEL;
	e.result = variant & 1;
	e.obj_kind = DT_OBJ_INTERRUPT;
	e.object = (uint16_t)(variant & 2 ? z->disk_intr1 : z->nic_intr);
	switch (kind) {
	case DT_EV_DEVICE_EVENT:
		e.cpu = -1;
		e.obj_kind = DT_OBJ_EVENT;
		e.object = (uint16_t)z->event;
		e.arg[1] = 0x3;
		e.rule = variant & 1 ? 4 : (variant & 2 ? 4 : 7);
		break;
	case DT_EV_IRQ_PENDING:
		e.arg[0] = 5;
		e.rule = variant & 1 ? 8 : 2;
		break;
	case DT_EV_ISR_SPIN:
		e.arg[0] = nic->lock;
		e.rule = 3;
		break;
	case DT_EV_LOCK_OBTAINED:
	case DT_EV_LOCK_ACQUIRE:
	case DT_EV_LOCK_SPIN:
	case DT_EV_LOCK_RELEASE:
		e.obj_kind = DT_OBJ_LOCK;
		e.object = (uint16_t)(variant & 2 ? z->spin : nic->lock);
		e.rule = 60;
		break;
	case DT_EV_QUEUE_DPC:
		e.obj_kind = DT_OBJ_DPC;
		e.object = nic->dpc;
		e.arg[0] = variant & 2 ? -1 : (int64_t)z->nic_intr;
		e.arg[1] = 0;
		e.rule = variant & 2 ? 19 : (variant & 1 ? 12 : 11);
		if (variant >= 4 && variant < 6) { /* WdfInterruptQueueWorkItemForIsr at DIRQL */
			e.arg[0] = z->wi_intr;
			e.rule = 41;
		}
		break;
	case DT_EV_DPC_DEQUEUE:
	case DT_EV_DPC_RETURN:
	case DT_EV_DPC_REMOVE:
		e.obj_kind = DT_OBJ_DPC;
		e.object = (uint16_t)(variant & 2 ? z->kdpc : nic->dpc);
		e.arg[0] = variant & 1;
		e.rule = kind == DT_EV_DPC_DEQUEUE ? 13 : kind == DT_EV_DPC_RETURN ? 16 : 20;
		break;
	case DT_EV_SHARED_READ:
	case DT_EV_SHARED_WRITE:
		e.obj_kind = DT_OBJ_VAR;
		e.object = (uint16_t)z->var;
		e.value = variant & 2 ? dt_bool(1) : dt_int(42);
		break;
	case DT_EV_REG_READ:
	case DT_EV_REG_WRITE:
		e.obj_kind = DT_OBJ_DEVICE;
		e.object = (uint16_t)z->nic;
		e.arg[0] = variant;
		e.arg[1] = 1;
		break;
	case DT_EV_STEP_OP:
		e.arg[0] = variant & 1 ? 0 : dt_machine_intern(z->m, "copy buffer");
		e.arg[1] = 40;
		break;
	case DT_EV_GET_IRQL:
		e.result = variant & 1 ? 5 : 2;
		break;
	case DT_EV_BUGCHECK: {
		static const struct { uint32_t code; uint64_t p1; unsigned rule; } bc[10] = {
			{ 0x133, 0, 33 }, { 0x133, 1, 33 }, { 0x10D, 5, 30 }, { 0x10D, 4, 32 },
			{ 0x1E, 0x80000003u, 34 }, { 0xB8, 0, 35 }, { 0x9, 5, 35 },
			{ 0xC4, 0x30, 35 }, { 0xD1, 0, 43 }, { 0x50, 0x1000, 31 },
		};
		e.arg[0] = bc[variant].code;
		e.arg[1] = (int64_t)bc[variant].p1;
		e.rule = (uint16_t)bc[variant].rule;
		break;
	}
	case DT_EV_DEADLOCK:
		e.cpu = variant & 2 ? -1 : 1;
		e.arg[0] = variant & 1 ? 1 : 2;
		e.arg[1] = variant & 2 ? 1 : 0;
		e.irql_after = variant & 1 ? DT_PASSIVE_LEVEL : 5;
		e.rule = 36;
		break;
	case DT_EV_LESSON_ERROR:
		e.cpu = -1;
		e.arg[0] = dt_machine_intern(z->m, "attempt to index a nil value");
		e.pos.file = dt_machine_intern(z->m, "lessons/two-dpcs.lua");
		e.pos.line = variant & 1 ? 0 : 17;
		break;
	case DT_EV_STEP_LIMIT:
	case DT_EV_QUIESCENT:
		e.cpu = -1;
		break;
	case DT_EV_SYNC_ENTER:
		e.arg[0] = DT_CALL_SYNCHRONIZE + variant % 3;
		e.rule = 62;
		break;
	case DT_EV_WORKITEM_START:
		e.object = (uint16_t)z->wi_intr;
		e.arg[0] = 0;
		e.rule = 41;
		break;
	case DT_EV_THREAD_DISPATCH:
	case DT_EV_THREAD_BLOCK:
	case DT_EV_THREAD_WAKE:
	case DT_EV_THREAD_END:
		e.obj_kind = DT_OBJ_THREAD;
		e.object = (uint16_t)(variant & 2 ? st->interrupts[z->i2c_intr].thread : z->thread);
		e.arg[0] = variant;
		e.arg[1] = variant == DT_WAIT_LOCK ? st->interrupts[z->i2c_intr].lock : z->nic_intr;
		if (kind == DT_EV_THREAD_WAKE)
			e.cpu = -1;
		break;
	case DT_EV_TRAP:
	case DT_EV_TRAP_RETURN:
		e.object = (uint16_t)z->i2c_intr;
		e.arg[0] = st->interrupts[z->i2c_intr].thread;
		e.rule = 51;
		break;
	case DT_EV_VERIFIER:
		e.arg[0] = 1 + variant % 4;
		e.result = variant < 4 ? 1 : variant < 7 ? 0 : -1; /* off, debugger, 0x1E */
		e.rule = 34;
		break;
	default:
		e.rule = 7;
		break;
	}
	return e;
}

START_TEST(test_every_event_kind_has_a_sentence)
{
	struct zoo z;
	char line[NARRATE_MAX];
	zoo_build(&z);
	for (unsigned kind = 1; kind < DT_EV_KIND_COUNT; kind++) {
		for (unsigned variant = 0; variant < 10; variant++) {
			struct dt_trace_event e = synthetic(&z, kind, variant);
			size_t n = narrate_event(z.m, &e, line, sizeof(line));
			if (getenv("NARRATE_DUMP"))
				printf("%-16s %u: %s\n", dt_event_kind_name(kind), variant, line);
			ck_assert_uint_eq(n, strlen(line));
			check_sentence(line, &e);
			ck_assert_msg(!strstr(line, "unknown kind"), "kind %u not narrated", kind);
		}
	}
	/* An unknown kind still gets a line. */
	struct dt_trace_event e = synthetic(&z, DT_EV_KIND_COUNT, 0);
	narrate_event(z.m, &e, line, sizeof(line));
	ck_assert_ptr_nonnull(strstr(line, "unknown kind"));
	dt_machine_destroy(z.m);
}
END_TEST

/* narrate_event returns the full length and truncates like snprintf. */
START_TEST(test_truncation_like_snprintf)
{
	struct zoo z;
	char full[NARRATE_MAX], small[16];
	zoo_build(&z);
	struct dt_trace_event e = synthetic(&z, DT_EV_QUEUE_DPC, 0);
	size_t n = narrate_event(z.m, &e, full, sizeof(full));
	ck_assert_uint_gt(n, sizeof(small));
	ck_assert_uint_eq(n, strlen(full));
	ck_assert_uint_eq(narrate_event(z.m, &e, NULL, 0), n);
	memset(small, 'x', sizeof(small));
	ck_assert_uint_eq(narrate_event(z.m, &e, small, 0), n);
	ck_assert_int_eq(small[0], 'x'); /* size 0: nothing written */
	ck_assert_uint_eq(narrate_event(z.m, &e, small, 1), n);
	ck_assert_str_eq(small, "");
	ck_assert_uint_eq(narrate_event(z.m, &e, small, sizeof(small)), n);
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
	ck_assert_int_eq(strncmp(small, full, sizeof(small) - 1), 0);
	/* One byte short: the citation's last ")" is cut. */
	char exact[NARRATE_MAX];
	ck_assert_uint_eq(narrate_event(z.m, &e, exact, n), n);
	ck_assert_uint_eq(strlen(exact), n - 1);
	ck_assert_int_eq(strncmp(exact, full, n - 1), 0);
	ck_assert_uint_eq(narrate_event(z.m, &e, exact, n + 1), n);
	ck_assert_str_eq(exact, full);
	ck_assert_uint_eq(narrate_object(z.m, DT_OBJ_INTERRUPT, z.nic_intr, small, 5),
			  strlen("the NIC interrupt"));
	ck_assert_str_eq(small, "the ");
	dt_machine_destroy(z.m);
}
END_TEST

/* ---- rule cards -------------------------------------------------------------- */

static const unsigned rule_ids[] = {
	1, 2, 3, 4, 5, 6, 7, 8,
	10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
	30, 31, 32, 33, 34, 35, 36,
	40, 41, 42, 43, 44,
	50, 51, 52, 53,
	60, 61, 62, 63,
	70,
	80,
};

static int ends_with(const char *s, const char *end)
{
	size_t a = strlen(s), b = strlen(end);
	return a >= b && strcmp(s + a - b, end) == 0;
}

static unsigned words(const char *s)
{
	unsigned n = 0;
	for (const char *p = s; *p; p++)
		if (*p != ' ' && (p == s || p[-1] == ' '))
			n++;
	return n;
}

START_TEST(test_rule_cards_cover_semantics)
{
	size_t count;
	const struct rule_card *all = rule_cards(&count);
	size_t want = sizeof(rule_ids) / sizeof(rule_ids[0]);
	ck_assert_uint_eq(count, want);
	for (size_t i = 0; i < want; i++) {
		const struct rule_card *c = rule_card(rule_ids[i]);
		char id[8];
		ck_assert_msg(c != NULL, "no card for R%02u", rule_ids[i]);
		ck_assert_ptr_eq(c, &all[i]); /* in order */
		snprintf(id, sizeof(id), "R%02u", rule_ids[i]);
		ck_assert_str_eq(c->id, id);
		ck_assert_uint_eq(c->number, rule_ids[i]);
		/* semantics.md tags every rule [S] except R53 [N]; R19 is [S, partly N]. */
		ck_assert_int_eq(c->tag, rule_ids[i] == 53 ? 'N' : 'S');
		unsigned w = words(c->title);
		ck_assert_msg(w >= 2 && w <= 6, "%s title has %u words", c->id, w);
		ck_assert_msg(strlen(c->sentence) <= MAX_SENTENCE, "%s: %zu bytes", c->id,
			      strlen(c->sentence));
		if (c->tag == 'N')
			ck_assert_msg(ends_with(c->sentence, " (not simulated)"), "%s", c->id);
		else
			ck_assert_msg(ends_with(c->sentence, "."), "%s", c->id);
		ck_assert_msg(!strchr(c->sentence, '\n'), "%s", c->id);
	}
	ck_assert_ptr_nonnull(strstr(rule_card(19)->sentence, "not simulated"));
	ck_assert_ptr_null(rule_card(0));
	ck_assert_ptr_null(rule_card(9));
	ck_assert_ptr_null(rule_card(22));
	ck_assert_ptr_null(rule_card(81));
	ck_assert_uint_eq(rule_cards(NULL) == all, 1);
}
END_TEST

Suite *narrate_suite(void)
{
	Suite *s = suite_create("narrate");
	TCase *tc = tcase_create("golden");
	tcase_add_test(tc, test_golden_queue_true_false_dequeue_drain);
	tcase_add_test(tc, test_golden_isr_spins_on_other_cpu);
	tcase_add_test(tc, test_golden_level_storm_ends_in_0x133);
	tcase_add_test(tc, test_golden_invalid_handle_0x10d);
	tcase_add_test(tc, test_golden_double_acquire_deadlock);
	suite_add_tcase(s, tc);
	tc = tcase_create("coverage");
	tcase_add_test(tc, test_object_names);
	tcase_add_test(tc, test_irql_and_bugcheck_names);
	tcase_add_test(tc, test_every_event_kind_has_a_sentence);
	tcase_add_test(tc, test_truncation_like_snprintf);
	tcase_add_test(tc, test_rule_cards_cover_semantics);
	suite_add_tcase(s, tc);
	return s;
}
