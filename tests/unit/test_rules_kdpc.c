/*
 * test_rules_kdpc.c - the advanced Ke DPC calls, rule by rule (semantics.md
 * R19-R21): importance and targeting, KeRemoveQueueDpc and
 * KeFlushQueuedDpcs, a DPC queued from a passive ISR.  The harness is in
 * kp_fx.h.
 */
#include "kp_fx.h"

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

Suite *rules_kdpc_suite(void)
{
	Suite *s = suite_create("rules_kdpc");
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
	return s;
}
