/*
 * test_rules_passive.c - passive-level interrupts, rule by rule
 * (semantics.md R50-R53): the configuration, the trap and the ISR thread
 * under its wait lock, what a passive ISR may queue, and
 * WdfInterruptTryToAcquireLock.  The harness is in kp_fx.h.
 */
#include "kp_fx.h"

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

Suite *rules_passive_suite(void)
{
	Suite *s = suite_create("rules_passive");
	TCase *tc = tcase_create("R50-R53");
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
