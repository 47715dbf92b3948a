/*
 * test_script.c - the Lua lesson runtime (tutor/script*.c): the call API
 * that callbacks use, and the step model of Lua bodies.
 *
 * Every test writes a small lesson to a temp file, opens it with rt_open
 * and drives it with explicit choices (rt_step) or round-robin to the end,
 * then asserts the engine's state, its trace and the values the lesson's
 * callbacks wrote into shared{}.  The reference is docs/authoring.md ("The
 * call API", "The step model") and engine-contract.md 1: a body stops
 * BEFORE every operation, each operation is one step, and the result of
 * the call is the engine's.  The story, checks, challenges and the
 * sandbox rules are in test_script_story.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script_fx.h"
#include "testutil.h"

#define HDR(cpus) "lesson { api = 1, id = \"t\", title = \"T\", cpus = " #cpus " }\n"

/* The pending operation of CPU cpu's top frame is `op` at the line of `mark`. */
static void assert_at(struct sfx *f, unsigned cpu, unsigned op, const char *src, const char *mark)
{
	const struct dt_frame *t = sfx_top(f, cpu);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(t->state, DT_FS_AT_OP);
	ck_assert_uint_eq(t->op.kind, op);
	ck_assert_uint_eq(t->op.pos.line, sfx_line_of(src, mark));
	ck_assert_str_eq(sfx_string(f, t->op.pos.file), f->path);
}

/* ---- queuing ------------------------------------------------------------ */

static const char queue_src[] = HDR(1)
	"local nic = device { name = \"NIC\", irql = 5 }\n"
	"local s = shared { r1 = 0, r2 = 0 }\n"
	"local st, irq = WdfInterruptCreate(nic, {\n"
	"  EvtInterruptIsr = function(interrupt, message_id)\n"
	"    s.r1 = WdfInterruptQueueDpcForIsr(interrupt) -- Q1\n"
	"    s.r2 = WdfInterruptQueueDpcForIsr(interrupt) -- Q2\n"
	"    return true\n"
	"  end,\n"
	"  EvtInterruptDpc = function(interrupt, device) end,\n"
	"})\n";

/* WdfInterruptQueueDpcForIsr returns TRUE, then FALSE while still queued (R11). */
START_TEST(test_queue_dpc_true_false)
{
	struct sfx f;
	sfx_open(&f, queue_src);
	const struct dt_state *st = dt_machine_state(f.m);
	ck_assert_int_eq(sfx_fire(&f, "NIC", 0), DT_OK);
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK); /* takes the interrupt */
	ck_assert_uint_eq(sfx_top(&f, 0)->kind, DT_FRAME_ISR);
	ck_assert_uint_eq(st->cpus[0].irql, 5);
	assert_at(&f, 0, DT_OP_QUEUE_DPC_FOR_ISR, queue_src, "-- Q1");
	ck_assert_uint_eq(sfx_top(&f, 0)->op.handle, dt_handle_of(DT_HANDLE_INTERRUPT, 0));
	unsigned dpc = st->interrupts[0].dpc;
	ck_assert_uint_eq(st->dpcs[dpc].inserted, 0);
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK); /* the first call */
	uint32_t step1 = st->step;
	const struct dt_trace_event *q = sfx_trace_last(&f, DT_EV_QUEUE_DPC);
	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(q->result, 1);
	ck_assert_uint_eq(q->step, step1);
	ck_assert_uint_eq(st->dpcs[dpc].inserted, 1);
	ck_assert_int_eq(st->dpcs[dpc].queue_cpu, 0);
	ck_assert_uint_eq(st->cpus[0].qlen, 1);
	const struct rt_step_log *lg = rt_last_step(f.rt);
	ck_assert_uint_eq(lg->nreturns, 1);
	ck_assert_uint_eq(lg->returns[0].op, DT_OP_QUEUE_DPC_FOR_ISR);
	ck_assert_int_eq(lg->returns[0].result.kind, DT_VAL_BOOL);
	ck_assert_int_eq(lg->returns[0].result.u.i, 1);
	/* the call's result is what the body writes next */
	const struct dt_frame *t = sfx_top(&f, 0);
	ck_assert_uint_eq(t->op.kind, DT_OP_WRITE_SHARED);
	ck_assert_uint_eq(t->op.index, sfx_var(&f, "r1"));
	ck_assert_int_eq(t->op.value.kind, DT_VAL_BOOL);
	ck_assert_int_eq(t->op.value.u.i, 1);
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK); /* s.r1 = TRUE */
	assert_at(&f, 0, DT_OP_QUEUE_DPC_FOR_ISR, queue_src, "-- Q2");
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK); /* the second call */
	q = sfx_trace_last(&f, DT_EV_QUEUE_DPC);
	ck_assert_int_eq(q->result, 0);
	ck_assert_uint_eq(q->cause_step, step1);
	ck_assert_uint_eq(st->cpus[0].qlen, 1);
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK); /* s.r2 = FALSE */
	ck_assert_int_eq(sfx_bool(&f, "r1"), 1);
	ck_assert_int_eq(sfx_bool(&f, "r2"), 0);
	ck_assert_uint_eq(st->interrupts[0].queue_true, 1);
	ck_assert_uint_eq(st->interrupts[0].queue_false, 1);
	ck_assert_int_eq(sfx_run_to_end(&f), DT_QUIESCENT);
	ck_assert_uint_eq(st->dpcs[dpc].runs, 1);
	sfx_close(&f);
}
END_TEST

static const char workitem_src[] = HDR(1)
	"local nic = device { name = \"NIC\", irql = 5 }\n"
	"local s = shared { r = 0, t1 = 0, t2 = 0, ran = 0, irql = -1 }\n"
	"local st, irq = WdfInterruptCreate(nic, {\n"
	"  EvtInterruptIsr = function(interrupt, message_id)\n"
	"    s.r = WdfInterruptQueueWorkItemForIsr(interrupt)\n"
	"    return true\n"
	"  end,\n"
	"  EvtInterruptWorkItem = function(interrupt, device)\n"
	"    s.irql = KeGetCurrentIrql()\n"
	"    s.ran = s.ran + 1\n"
	"  end,\n"
	"})\n"
	"thread { name = \"app\", body = function()\n"
	"  s.t1 = WdfInterruptQueueWorkItemForIsr(irq)\n"
	"  s.t2 = WdfInterruptQueueWorkItemForIsr(irq)\n"
	"end }\n";

/* WdfInterruptQueueWorkItemForIsr: from DIRQL through the internal DPC,
 * from PASSIVE directly, FALSE while queued; the work item runs at
 * PASSIVE in a system worker thread (R41, R44). */
START_TEST(test_queue_workitem)
{
	struct sfx f;
	sfx_open(&f, workitem_src);
	const struct dt_state *st = dt_machine_state(f.m);
	/* the thread queues it twice before any worker can run (one CPU) */
	ck_assert_int_eq(sfx_dispatch(&f, "app", 0), DT_OK);
	ck_assert_uint_eq(sfx_until_op(&f, 0, DT_OP_QUEUE_WORKITEM_FOR_ISR, 0), 0);
	sfx_cpus(&f, 0, 4); /* queue, s.t1 = TRUE, queue again, s.t2 = FALSE */
	ck_assert_int_eq(sfx_bool(&f, "t1"), 1);
	ck_assert_int_eq(sfx_bool(&f, "t2"), 0);
	ck_assert_uint_eq(st->interrupts[0].wi_true, 1);
	ck_assert_uint_eq(st->interrupts[0].wi_false, 1);
	ck_assert_uint_eq(st->interrupts[0].wi_queued, 1);
	const struct dt_trace_event *w = sfx_trace_last(&f, DT_EV_WORKITEM_QUEUE);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(w->result, 0);
	sfx_drain(&f);
	ck_assert_int_eq(sfx_int(&f, "ran"), 1);
	ck_assert_int_eq(sfx_int(&f, "irql"), 0);
	const struct dt_trace_event *ws = sfx_trace_last(&f, DT_EV_WORKITEM_START);
	ck_assert_ptr_nonnull(ws);
	ck_assert_uint_eq(st->threads[ws->arg[0]].kind, DT_THREAD_WORKER);
	/* now from the ISR: the internal DPC is inserted, its result returned */
	size_t dpcs_before = sfx_trace_count(&f, DT_EV_QUEUE_DPC);
	ck_assert_int_eq(sfx_fire(&f, "NIC", 0), DT_OK);
	ck_assert_int_eq(sfx_run_to_end(&f), DT_QUIESCENT);
	ck_assert_int_eq(sfx_bool(&f, "r"), 1);
	ck_assert_uint_eq(sfx_trace_count(&f, DT_EV_QUEUE_DPC), dpcs_before + 1);
	const struct dt_trace_event *q = sfx_trace_last(&f, DT_EV_QUEUE_DPC);
	ck_assert_int_eq(q->result, 1);
	ck_assert_int_eq(q->value.u.i, DT_OP_QUEUE_WORKITEM_FOR_ISR);
	ck_assert_int_eq(q->irql_before, 5);
	ck_assert_int_eq(sfx_int(&f, "ran"), 2);
	ck_assert_uint_eq(st->interrupts[0].wi_runs, 2);
	ck_assert_uint_eq(st->interrupts[0].wi_queued, 0);
	sfx_close(&f);
}
END_TEST

/* ---- locks ------------------------------------------------------------------ */

static const char intrlock_src[] = HDR(1)
	"local nic = device { name = \"NIC\", irql = 6 }\n"
	"local s = shared { inside = -1, after = -1 }\n"
	"local st, irq = WdfInterruptCreate(nic, {\n"
	"  EvtInterruptIsr = function(interrupt, message_id)\n"
	"    WdfInterruptQueueDpcForIsr(interrupt)\n"
	"    return true\n"
	"  end,\n"
	"  EvtInterruptDpc = function(interrupt, device)\n"
	"    WdfInterruptAcquireLock(interrupt) -- ACQ\n"
	"    s.inside = KeGetCurrentIrql()\n"
	"    WdfInterruptReleaseLock(interrupt) -- REL\n"
	"    s.after = KeGetCurrentIrql()\n"
	"  end,\n"
	"})\n";

/* WdfInterruptAcquireLock from the DPC raises to SynchronizeIrql and owns
 * the interrupt lock; ReleaseLock goes back to DISPATCH (R60). */
START_TEST(test_interrupt_lock)
{
	struct sfx f;
	sfx_open(&f, intrlock_src);
	const struct dt_state *st = dt_machine_state(f.m);
	unsigned lock = st->interrupts[0].lock;
	ck_assert_int_eq(sfx_fire(&f, "NIC", 0), DT_OK);
	sfx_until_op(&f, 0, DT_OP_INTR_ACQUIRE_LOCK, 20);
	assert_at(&f, 0, DT_OP_INTR_ACQUIRE_LOCK, intrlock_src, "-- ACQ");
	ck_assert_uint_eq(sfx_top(&f, 0)->kind, DT_FRAME_DPC);
	ck_assert_uint_eq(st->cpus[0].irql, 2);
	ck_assert_int_eq(st->locks[lock].owner_cpu, -1);
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK);
	ck_assert_uint_eq(st->cpus[0].irql, 6);
	ck_assert_int_eq(st->locks[lock].owner_cpu, 0);
	ck_assert_uint_eq(sfx_top(&f, 0)->nheld, 1);
	const struct dt_trace_event *a = sfx_trace_last(&f, DT_EV_LOCK_ACQUIRE);
	ck_assert_int_eq(a->object, lock);
	ck_assert_int_eq(a->irql_before, 2);
	ck_assert_int_eq(a->irql_after, 6);
	sfx_until_op(&f, 0, DT_OP_INTR_RELEASE_LOCK, 3);
	assert_at(&f, 0, DT_OP_INTR_RELEASE_LOCK, intrlock_src, "-- REL");
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK);
	ck_assert_int_eq(st->locks[lock].owner_cpu, -1);
	ck_assert_uint_eq(st->cpus[0].irql, 2);
	const struct dt_trace_event *r = sfx_trace_last(&f, DT_EV_LOCK_RELEASE);
	ck_assert_int_eq(r->irql_after, 2);
	ck_assert_int_eq(sfx_run_to_end(&f), DT_QUIESCENT);
	ck_assert_int_eq(sfx_int(&f, "inside"), 6);
	ck_assert_int_eq(sfx_int(&f, "after"), 2);
	sfx_close(&f);
}
END_TEST

static const char trylock_src[] = HDR(2)
	"local sensor = device { name = \"SENSOR\", irql = 4 }\n"
	"local nic = device { name = \"NIC\", irql = 5 }\n"
	"local s = shared { a1 = 0, b1 = 0, b2 = 0, d1 = 0 }\n"
	"local st, pirq = WdfInterruptCreate(sensor, {\n"
	"  EvtInterruptIsr = function(interrupt, message_id) return true end,\n"
	"  PassiveHandling = true,\n"
	"})\n"
	"local st2, dirq = WdfInterruptCreate(nic, {\n"
	"  EvtInterruptIsr = function(interrupt, message_id) return true end,\n"
	"})\n"
	"thread { name = \"a\", body = function()\n"
	"  s.a1 = WdfInterruptTryToAcquireLock(pirq)\n"
	"  step(\"hold the lock\")\n"
	"  WdfInterruptReleaseLock(pirq)\n"
	"end }\n"
	"thread { name = \"b\", body = function()\n"
	"  s.b1 = WdfInterruptTryToAcquireLock(pirq)\n"
	"  step(\"wait\")\n"
	"  s.b2 = WdfInterruptTryToAcquireLock(pirq)\n"
	"  WdfInterruptReleaseLock(pirq)\n"
	"  s.d1 = WdfInterruptTryToAcquireLock(dirq)\n"
	"end }\n";

/* WdfInterruptTryToAcquireLock on a passive interrupt from threads: TRUE
 * when free, FALSE while another thread holds it, never waits; on a DIRQL
 * interrupt a verifier finding and FALSE (R53, R34). */
START_TEST(test_try_to_acquire_lock)
{
	struct sfx f;
	sfx_open(&f, trylock_src);
	const struct dt_state *st = dt_machine_state(f.m);
	ck_assert_uint_eq(st->interrupts[0].passive, 1);
	unsigned lock = st->interrupts[0].lock;
	unsigned ta = sfx_thread(&f, "a"), tb = sfx_thread(&f, "b");
	ck_assert_int_eq(sfx_dispatch(&f, "a", 0), DT_OK);
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK); /* try: free */
	ck_assert_int_eq(st->locks[lock].owner_thread, (int)ta);
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK); /* s.a1 = TRUE; a stops before step() */
	ck_assert_int_eq(sfx_dispatch(&f, "b", 1), DT_OK);
	ck_assert_int_eq(sfx_cpu(&f, 1), DT_OK); /* try: held by a */
	ck_assert_uint_eq(st->threads[tb].state, DT_TS_RUNNING);
	ck_assert_int_eq(sfx_cpu(&f, 1), DT_OK); /* s.b1 = FALSE */
	ck_assert_int_eq(sfx_bool(&f, "a1"), 1);
	ck_assert_int_eq(sfx_bool(&f, "b1"), 0);
	ck_assert_uint_eq(sfx_trace_count(&f, DT_EV_VERIFIER), 0);
	sfx_cpus(&f, 0, 2); /* a: step(), release */
	ck_assert_int_eq(st->locks[lock].owner_thread, -1);
	sfx_cpus(&f, 1, 3); /* b: step(), try: free now, s.b2 = TRUE */
	ck_assert_int_eq(sfx_bool(&f, "b2"), 1);
	ck_assert_int_eq(st->locks[lock].owner_thread, (int)tb);
	ck_assert_int_eq(sfx_run_to_end(&f), DT_QUIESCENT);
	ck_assert_int_eq(sfx_bool(&f, "d1"), 0);
	const struct dt_trace_event *v = sfx_trace_last(&f, DT_EV_VERIFIER);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(v->arg[0], DT_VF_TRY_ACQUIRE_WRONG);
	sfx_close(&f);
}
END_TEST

static const char sync_src[] = HDR(1)
	"local nic = device { name = \"NIC\", irql = 7 }\n"
	"local s = shared { x = 0, ret = 0, irql = -1 }\n"
	"local st, irq = WdfInterruptCreate(nic, {\n"
	"  EvtInterruptIsr = function(interrupt, message_id) return true end,\n"
	"})\n"
	"thread { name = \"app\", body = function()\n"
	"  s.ret = WdfInterruptSynchronize(irq, function(interrupt) -- SYNC\n"
	"    s.x = 1 -- WRITE\n"
	"    s.irql = KeGetCurrentIrql() -- IRQL\n"
	"    return interrupt == irq\n"
	"  end)\n"
	"end }\n";

/* WdfInterruptSynchronize: its callback is a body of its own in a SYNC
 * frame at SynchronizeIrql under the interrupt lock; a shared write in it
 * is its own step; the caller gets the callback's BOOLEAN (R62). */
START_TEST(test_synchronize)
{
	struct sfx f;
	sfx_open(&f, sync_src);
	const struct dt_state *st = dt_machine_state(f.m);
	unsigned lock = st->interrupts[0].lock;
	ck_assert_int_eq(sfx_dispatch(&f, "app", 0), DT_OK);
	assert_at(&f, 0, DT_OP_INTR_SYNCHRONIZE, sync_src, "-- SYNC");
	ck_assert_uint_eq(st->cpus[0].nframes, 1);
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK); /* lock, enter the callback */
	ck_assert_uint_eq(st->cpus[0].nframes, 2);
	const struct dt_frame *sf = sfx_top(&f, 0);
	ck_assert_uint_eq(sf->kind, DT_FRAME_SYNC);
	ck_assert_uint_eq(sf->irql, 7);
	ck_assert_uint_eq(st->cpus[0].irql, 7);
	ck_assert_uint_eq(st->cpus[0].frames[0].phase, DT_PHASE_IN_CALLBACK);
	ck_assert_int_eq(st->locks[lock].owner_cpu, 0);
	assert_at(&f, 0, DT_OP_WRITE_SHARED, sync_src, "-- WRITE");
	const struct dt_trace_event *e = sfx_trace_last(&f, DT_EV_SYNC_ENTER);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->arg[0], DT_CALL_SYNCHRONIZE);
	ck_assert_int_eq(sfx_int(&f, "x"), 0);
	uint32_t before = st->step;
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK); /* s.x = 1: one step of its own */
	ck_assert_uint_eq(st->step, before + 1);
	ck_assert_int_eq(sfx_int(&f, "x"), 1);
	ck_assert_int_eq(sfx_int(&f, "ret"), 0);
	const struct dt_trace_event *w = sfx_trace_last(&f, DT_EV_SHARED_WRITE);
	ck_assert_uint_eq(w->step, st->step);
	ck_assert_uint_eq(w->frame, DT_FRAME_SYNC);
	ck_assert_uint_eq(w->pos.line, sfx_line_of(sync_src, "-- WRITE"));
	assert_at(&f, 0, DT_OP_GET_IRQL, sync_src, "-- IRQL");
	sfx_cpus(&f, 0, 2); /* KeGetCurrentIrql, s.irql: the callback returns */
	ck_assert_uint_eq(sfx_top(&f, 0)->state, DT_FS_RETURNED);
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK); /* back to the caller */
	ck_assert_uint_eq(st->cpus[0].nframes, 1);
	ck_assert_uint_eq(st->cpus[0].irql, 0);
	ck_assert_int_eq(st->locks[lock].owner_cpu, -1);
	const struct dt_trace_event *r = sfx_trace_last(&f, DT_EV_SYNC_RETURN);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->result, 1);
	const struct dt_frame *tf = sfx_top(&f, 0);
	ck_assert_uint_eq(tf->op.kind, DT_OP_WRITE_SHARED);
	ck_assert_int_eq(tf->op.value.kind, DT_VAL_BOOL);
	ck_assert_int_eq(tf->op.value.u.i, 1);
	ck_assert_int_eq(sfx_run_to_end(&f), DT_QUIESCENT);
	ck_assert_int_eq(sfx_bool(&f, "ret"), 1);
	ck_assert_int_eq(sfx_int(&f, "irql"), 7);
	sfx_close(&f);
}
END_TEST

static const char enable_src[] = HDR(1)
	"local nic = device { name = \"NIC\", irql = 5 }\n"
	"local s = shared { en = -1, dis = -1, cb = 0, cbirql = -1, isr = 0 }\n"
	"local st, irq = WdfInterruptCreate(nic, {\n"
	"  EvtInterruptIsr = function(interrupt, message_id)\n"
	"    s.isr = s.isr + 1\n"
	"    return true\n"
	"  end,\n"
	"  EvtInterruptEnable = function(interrupt, device) s.cb = 1 end,\n"
	"  EvtInterruptDisable = function(interrupt, device)\n"
	"    s.cbirql = KeGetCurrentIrql()\n"
	"    s.cb = 2\n"
	"  end,\n"
	"})\n"
	"thread { name = \"app\", body = function()\n"
	"  s.dis = WdfInterruptDisable(irq)\n"
	"  step(\"disabled\") -- OFF\n"
	"  s.en = WdfInterruptEnable(irq)\n"
	"end }\n";

/* WdfInterruptDisable/Enable from a thread run their callbacks under the
 * lock at DIRQL, switch delivery off and on and return STATUS_SUCCESS;
 * a request for the disabled interrupt is discarded (R70). */
START_TEST(test_enable_disable)
{
	struct sfx f;
	sfx_open(&f, enable_src);
	const struct dt_state *st = dt_machine_state(f.m);
	ck_assert_uint_eq(st->interrupts[0].enabled, 1);
	ck_assert_int_eq(sfx_dispatch(&f, "app", 0), DT_OK);
	ck_assert_uint_eq(sfx_until_op(&f, 0, DT_OP_STEP, 12) > 0, 1);
	assert_at(&f, 0, DT_OP_STEP, enable_src, "-- OFF");
	ck_assert_uint_eq(st->interrupts[0].enabled, 0);
	ck_assert_int_eq(sfx_int(&f, "dis"), 0);
	ck_assert_int_eq(sfx_int(&f, "cb"), 2);
	ck_assert_int_eq(sfx_int(&f, "cbirql"), 5);
	ck_assert_ptr_nonnull(sfx_trace_last(&f, DT_EV_INTR_DISABLE));
	ck_assert_int_eq(sfx_fire(&f, "NIC", 0), DT_OK);
	ck_assert_int_eq(sfx_run_to_end(&f), DT_QUIESCENT);
	ck_assert_int_eq(sfx_int(&f, "isr"), 0);
	ck_assert_uint_eq(st->interrupts[0].enabled, 1);
	ck_assert_int_eq(sfx_int(&f, "en"), 0);
	ck_assert_int_eq(sfx_int(&f, "cb"), 1);
	ck_assert_ptr_nonnull(sfx_trace_last(&f, DT_EV_INTR_ENABLE));
	ck_assert_uint_eq(sfx_trace_count(&f, DT_EV_SYNC_ENTER), 2);
	sfx_close(&f);
}
END_TEST

static const char getinfo_src[] = HDR(2)
	"local msi = device { name = \"MSI\", irql = 7, kind = \"msi\", messages = 2,\n"
	"                     affinity = { 1 } }\n"
	"local lvl = device { name = \"LVL\", irql = 4, kind = \"level\" }\n"
	"local s = shared { mn = -1, irql = -1, sirql = -1, msi = 0, tps = -1,\n"
	"                   lmsi = 0, lmn = -1, ltps = -1 }\n"
	"local isr = function(interrupt, message_id)\n"
	"  local info = WdfInterruptGetInfo(interrupt) -- INFO\n"
	"  s.mn = info.MessageNumber\n"
	"  s.irql = info.Irql\n"
	"  s.sirql = info.SynchronizeIrql\n"
	"  s.msi = info.MessageSignaled\n"
	"  s.tps = info.TargetProcessorSet\n"
	"  return true\n"
	"end\n"
	"WdfInterruptCreate(msi, { EvtInterruptIsr = function(i) return true end })\n"
	"WdfInterruptCreate(msi, { EvtInterruptIsr = isr })\n"
	"WdfInterruptCreate(lvl, { EvtInterruptIsr = function(interrupt)\n"
	"  local info = WdfInterruptGetInfo(interrupt)\n"
	"  s.lmsi = info.MessageSignaled\n"
	"  s.lmn = info.MessageNumber\n"
	"  s.ltps = info.TargetProcessorSet\n"
	"  WRITE_REGISTER_ULONG(lvl, \"INTSTATUS\", 1)\n"
	"  return true\n"
	"end })\n";

/* WdfInterruptGetInfo is a step and returns MessageNumber, Irql,
 * SynchronizeIrql, MessageSignaled and TargetProcessorSet (R05, R61). */
START_TEST(test_get_info)
{
	struct sfx f;
	sfx_open(&f, getinfo_src);
	ck_assert_int_eq(sfx_fire(&f, "MSI.1", 1), DT_OK);
	ck_assert_int_eq(sfx_cpu(&f, 1), DT_OK);
	assert_at(&f, 1, DT_OP_INTR_GET_INFO, getinfo_src, "-- INFO");
	ck_assert_int_eq(sfx_fire(&f, "LVL", 0), DT_OK);
	ck_assert_int_eq(sfx_run_to_end(&f), DT_QUIESCENT);
	ck_assert_int_eq(sfx_int(&f, "mn"), 1);
	ck_assert_int_eq(sfx_int(&f, "irql"), 7);
	ck_assert_int_eq(sfx_int(&f, "sirql"), 7);
	ck_assert_int_eq(sfx_bool(&f, "msi"), 1);
	ck_assert_int_eq(sfx_int(&f, "tps"), 0x2);
	ck_assert_int_eq(sfx_bool(&f, "lmsi"), 0);
	ck_assert_int_eq(sfx_int(&f, "lmn"), 0);
	ck_assert_int_eq(sfx_int(&f, "ltps"), 0x3);
	sfx_close(&f);
}
END_TEST

static const char spin_src[] = HDR(1)
	"local nic = device { name = \"NIC\", irql = 5 }\n"
	"local s = shared { in1 = -1, out1 = -1, in2 = -1, dpc_in = -1, dpc_out = -1 }\n"
	"local _, lock = WdfSpinLockCreate()\n"
	"local st, irq = WdfInterruptCreate(nic, {\n"
	"  EvtInterruptIsr = function(interrupt, message_id)\n"
	"    WdfInterruptQueueDpcForIsr(interrupt)\n"
	"    return true\n"
	"  end,\n"
	"  EvtInterruptDpc = function(interrupt, device)\n"
	"    KeAcquireSpinLockAtDpcLevel(lock) -- ATDPC\n"
	"    s.dpc_in = KeGetCurrentIrql()\n"
	"    KeReleaseSpinLockFromDpcLevel(lock)\n"
	"    s.dpc_out = KeGetCurrentIrql()\n"
	"  end,\n"
	"})\n"
	"thread { name = \"app\", body = function()\n"
	"  WdfSpinLockAcquire(lock) -- ACQ\n"
	"  s.in1 = KeGetCurrentIrql()\n"
	"  WdfSpinLockRelease(lock)\n"
	"  s.out1 = KeGetCurrentIrql()\n"
	"  KeAcquireSpinLock(lock)\n"
	"  s.in2 = KeGetCurrentIrql()\n"
	"  KeReleaseSpinLock(lock)\n"
	"end }\n";

/* WdfSpinLockAcquire/KeAcquireSpinLock raise a thread to DISPATCH and the
 * release restores PASSIVE; KeAcquireSpinLockAtDpcLevel in a DPC takes
 * the lock without touching the IRQL (R63). */
START_TEST(test_spin_locks)
{
	struct sfx f;
	sfx_open(&f, spin_src);
	const struct dt_state *st = dt_machine_state(f.m);
	ck_assert_int_eq(sfx_dispatch(&f, "app", 0), DT_OK);
	assert_at(&f, 0, DT_OP_SPINLOCK_ACQUIRE, spin_src, "-- ACQ");
	uint64_t h = sfx_top(&f, 0)->op.handle;
	unsigned lock;
	ck_assert_int_eq(dt_handle_decode(f.m, h, DT_HANDLE_SPINLOCK, &lock), 1);
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK);
	ck_assert_uint_eq(st->cpus[0].irql, 2);
	ck_assert_int_eq(st->locks[lock].owner_cpu, 0);
	ck_assert_uint_eq(st->locks[lock].kind, DT_LOCK_WDFSPINLOCK);
	sfx_drain(&f);
	ck_assert_int_eq(sfx_int(&f, "in1"), 2);
	ck_assert_int_eq(sfx_int(&f, "out1"), 0);
	ck_assert_int_eq(sfx_int(&f, "in2"), 2);
	ck_assert_int_eq(st->locks[lock].owner_cpu, -1);
	ck_assert_uint_eq(st->locks[lock].acquisitions, 2);
	ck_assert_int_eq(sfx_fire(&f, "NIC", 0), DT_OK);
	sfx_until_op(&f, 0, DT_OP_SPINLOCK_ACQUIRE_AT_DPC, 10);
	assert_at(&f, 0, DT_OP_SPINLOCK_ACQUIRE_AT_DPC, spin_src, "-- ATDPC");
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK);
	const struct dt_trace_event *a = sfx_trace_last(&f, DT_EV_LOCK_ACQUIRE);
	ck_assert_int_eq(a->object, lock);
	ck_assert_int_eq(a->irql_before, 2);
	ck_assert_int_eq(a->irql_after, 2);
	ck_assert_int_eq(st->locks[lock].owner_cpu, 0);
	ck_assert_int_eq(sfx_run_to_end(&f), DT_QUIESCENT);
	ck_assert_int_eq(sfx_int(&f, "dpc_in"), 2);
	ck_assert_int_eq(sfx_int(&f, "dpc_out"), 2);
	ck_assert_int_eq(st->locks[lock].owner_cpu, -1);
	sfx_close(&f);
}
END_TEST

static const char waitlock_src[] = HDR(2)
	"local s = shared { a = 0, b = 0 }\n"
	"local _, wl = WdfWaitLockCreate()\n"
	"thread { name = \"first\", body = function()\n"
	"  WdfWaitLockAcquire(wl)\n"
	"  s.a = 1\n"
	"  WdfWaitLockRelease(wl)\n"
	"end }\n"
	"thread { name = \"second\", body = function()\n"
	"  WdfWaitLockAcquire(wl) -- WAIT\n"
	"  s.b = s.a\n"
	"  WdfWaitLockRelease(wl)\n"
	"end }\n";

/* WdfWaitLockAcquire in a thread: a second thread blocks (its CPU is
 * free) until the release wakes it; it then sees the first one's write. */
START_TEST(test_wait_lock)
{
	struct sfx f;
	sfx_open(&f, waitlock_src);
	const struct dt_state *st = dt_machine_state(f.m);
	unsigned t1 = sfx_thread(&f, "first"), t2 = sfx_thread(&f, "second");
	ck_assert_int_eq(sfx_dispatch(&f, "first", 0), DT_OK);
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK); /* acquired; stopped before s.a = 1 */
	ck_assert_int_eq(sfx_dispatch(&f, "second", 1), DT_OK);
	assert_at(&f, 1, DT_OP_WAITLOCK_ACQUIRE, waitlock_src, "-- WAIT");
	unsigned lock;
	ck_assert_int_eq(dt_handle_decode(f.m, sfx_top(&f, 1)->op.handle, DT_HANDLE_WAITLOCK,
					  &lock), 1);
	ck_assert_int_eq(st->locks[lock].owner_thread, (int)t1);
	ck_assert_int_eq(sfx_cpu(&f, 1), DT_OK); /* blocks */
	ck_assert_uint_eq(st->threads[t2].state, DT_TS_BLOCKED);
	ck_assert_uint_eq(st->threads[t2].wait_kind, DT_WAIT_LOCK);
	ck_assert_uint_eq(st->threads[t2].wait_object, lock);
	ck_assert_uint_eq(st->cpus[1].nframes, 0);
	const struct dt_trace_event *b = sfx_trace_last(&f, DT_EV_THREAD_BLOCK);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(b->object, t2);
	sfx_cpus(&f, 0, 2); /* s.a = 1, release: wakes the second */
	ck_assert_uint_eq(st->threads[t2].state, DT_TS_READY);
	ck_assert_ptr_nonnull(sfx_trace_last(&f, DT_EV_THREAD_WAKE));
	ck_assert_int_eq(sfx_run_to_end(&f), DT_QUIESCENT);
	ck_assert_int_eq(sfx_int(&f, "b"), 1);
	ck_assert_int_eq(st->locks[lock].owner_thread, -1);
	ck_assert_uint_eq(st->locks[lock].acquisitions, 2);
	sfx_close(&f);
}
END_TEST

static const char kdpc_src[] = HDR(2)
	"local s = shared { i1 = 0, i2 = 0, r1 = 0, r2 = 0, i3 = 0, ran = 0, cpu = -1,\n"
	"                   flushed = -1 }\n"
	"local kd = KeInitializeDpc(function()\n"
	"  s.cpu = KeGetCurrentProcessorNumber()\n"
	"  s.ran = s.ran + 1\n"
	"end)\n"
	"thread { name = \"app\", affinity = { 0 }, body = function()\n"
	"  KeSetImportanceDpc(kd, \"HighImportance\")\n"
	"  KeSetTargetProcessorDpc(kd, 1)\n"
	"  s.i1 = KeInsertQueueDpc(kd)\n"
	"  s.i2 = KeInsertQueueDpc(kd)\n"
	"  s.r1 = KeRemoveQueueDpc(kd)\n"
	"  s.r2 = KeRemoveQueueDpc(kd)\n"
	"  s.i3 = KeInsertQueueDpc(kd)\n"
	"  KeFlushQueuedDpcs() -- FLUSH\n"
	"  s.flushed = s.ran\n"
	"end }\n";

/* KeSetImportanceDpc/KeSetTargetProcessorDpc, KeInsertQueueDpc TRUE/FALSE,
 * KeRemoveQueueDpc TRUE/FALSE, and KeFlushQueuedDpcs blocking the thread
 * until the DPC ran on its target CPU (R19, R20). */
START_TEST(test_ke_dpc_calls)
{
	struct sfx f;
	sfx_open(&f, kdpc_src);
	const struct dt_state *st = dt_machine_state(f.m);
	ck_assert_uint_eq(st->ndpcs, 1);
	ck_assert_uint_eq(st->dpcs[0].interrupt, DT_NONE);
	ck_assert_int_eq(sfx_dispatch(&f, "app", 0), DT_OK);
	ck_assert_uint_eq(sfx_top(&f, 0)->op.kind, DT_OP_KE_SET_IMPORTANCE);
	ck_assert_int_eq(sfx_top(&f, 0)->op.value.u.i, DT_HIGH);
	sfx_until_op(&f, 0, DT_OP_KE_FLUSH_QUEUED_DPCS, 20);
	assert_at(&f, 0, DT_OP_KE_FLUSH_QUEUED_DPCS, kdpc_src, "-- FLUSH");
	ck_assert_int_eq(sfx_bool(&f, "i1"), 1);
	ck_assert_int_eq(sfx_bool(&f, "i2"), 0);
	ck_assert_int_eq(sfx_bool(&f, "r1"), 1);
	ck_assert_int_eq(sfx_bool(&f, "r2"), 0);
	ck_assert_int_eq(sfx_bool(&f, "i3"), 1);
	ck_assert_uint_eq(st->dpcs[0].importance, DT_HIGH);
	ck_assert_int_eq(st->dpcs[0].target_cpu, 1);
	ck_assert_uint_eq(st->dpcs[0].inserted, 1);
	ck_assert_int_eq(st->dpcs[0].queue_cpu, 1);
	ck_assert_uint_eq(st->cpus[1].qlen, 1);
	ck_assert_uint_eq(st->cpus[0].qlen, 0);
	ck_assert_uint_eq(st->dpcs[0].inserts, 2);
	ck_assert_uint_eq(sfx_trace_count(&f, DT_EV_DPC_REMOVE), 2);
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK); /* the flush waits */
	unsigned app = sfx_thread(&f, "app");
	ck_assert_uint_eq(st->threads[app].state, DT_TS_BLOCKED);
	ck_assert_uint_eq(st->threads[app].wait_kind, DT_WAIT_FLUSH);
	ck_assert_int_eq(sfx_run_to_end(&f), DT_QUIESCENT);
	ck_assert_int_eq(sfx_int(&f, "ran"), 1);
	ck_assert_int_eq(sfx_int(&f, "cpu"), 1);
	ck_assert_int_eq(sfx_int(&f, "flushed"), 1);
	ck_assert_uint_eq(st->threads[app].state, DT_TS_DONE);
	sfx_close(&f);
}
END_TEST

static const char irql_src[] = HDR(2)
	"local nic = device { name = \"NIC\", irql = 9, affinity = { 1 } }\n"
	"local s = shared { isr = -1, dpc = -1, thr = -1, cpu = -1, tcpu = -1 }\n"
	"local st, irq = WdfInterruptCreate(nic, {\n"
	"  EvtInterruptIsr = function(interrupt, message_id)\n"
	"    s.isr = KeGetCurrentIrql() -- IRQL\n"
	"    WdfInterruptQueueDpcForIsr(interrupt)\n"
	"    return true\n"
	"  end,\n"
	"  EvtInterruptDpc = function(interrupt, device)\n"
	"    s.dpc = KeGetCurrentIrql()\n"
	"    s.cpu = KeGetCurrentProcessorNumber()\n"
	"  end,\n"
	"})\n"
	"thread { name = \"app\", affinity = { 0 }, body = function()\n"
	"  s.thr = KeGetCurrentIrql()\n"
	"  s.tcpu = KeGetCurrentProcessorNumber()\n"
	"end }\n";

/* KeGetCurrentIrql in an ISR, a DPC and a thread; KeGetCurrentProcessorNumber
 * on each CPU; both are CPU-local in their footprint (R01, R02, R12). */
START_TEST(test_irql_and_processor)
{
	struct sfx f;
	sfx_open(&f, irql_src);
	ck_assert_int_eq(sfx_fire(&f, "NIC", 1), DT_OK);
	ck_assert_int_eq(sfx_cpu(&f, 1), DT_OK);
	assert_at(&f, 1, DT_OP_GET_IRQL, irql_src, "-- IRQL");
	struct dt_footprint fp;
	ck_assert_int_eq(dt_machine_footprint(f.m, 1, &fp), 0);
	ck_assert_uint_eq(fp.nres, 1); /* CPU-local only */
	ck_assert_uint_eq(fp.res[0].kind, DT_RES_CPU_LOCAL);
	ck_assert_uint_eq(fp.res[0].index, 1);
	ck_assert_int_eq(sfx_run_to_end(&f), DT_QUIESCENT);
	ck_assert_int_eq(sfx_int(&f, "isr"), 9);
	ck_assert_int_eq(sfx_int(&f, "dpc"), 2);
	ck_assert_int_eq(sfx_int(&f, "cpu"), 1);
	ck_assert_int_eq(sfx_int(&f, "thr"), 0);
	ck_assert_int_eq(sfx_int(&f, "tcpu"), 0);
	const struct dt_trace_event *g = sfx_trace_last(&f, DT_EV_GET_PROCESSOR);
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(g->result, g->cpu);
	sfx_close(&f);
}
END_TEST

static const char reg_src[] = HDR(1)
	"local nic = device { name = \"NIC\", irql = 5 }\n"
	"local tx = event { device = nic, name = \"tx\", bits = 0x4 }\n"
	"local s = shared { st = -1, after = -1, r2 = -1, en = -1 }\n"
	"local st, irq = WdfInterruptCreate(nic, {\n"
	"  EvtInterruptIsr = function(interrupt, message_id)\n"
	"    s.st = READ_REGISTER_ULONG(nic, \"INTSTATUS\")\n"
	"    WRITE_REGISTER_ULONG(nic, \"INTSTATUS\", 0x1) -- ACK\n"
	"    s.after = READ_REGISTER_ULONG(nic, 0)\n"
	"    WRITE_REGISTER_ULONG(nic, \"R2\", 0xABCD)\n"
	"    s.r2 = READ_REGISTER_ULONG(nic, 2)\n"
	"    s.en = READ_REGISTER_ULONG(nic, \"INTENABLE\")\n"
	"    return true\n"
	"  end,\n"
	"})\n";

/* READ/WRITE_REGISTER_ULONG by name and number; INTSTATUS is
 * write-1-to-clear; the access's footprint is the device (engine-contract 5). */
START_TEST(test_registers)
{
	struct sfx f;
	sfx_open(&f, reg_src);
	const struct dt_state *st = dt_machine_state(f.m);
	ck_assert_int_eq(sfx_fire(&f, "NIC", 0), DT_OK);
	ck_assert_int_eq(sfx_fire(&f, "tx", 0), DT_OK);
	ck_assert_uint_eq(st->devices[0].regs[DT_REG_INTSTATUS], 0x5);
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK);
	ck_assert_uint_eq(sfx_top(&f, 0)->op.kind, DT_OP_READ_REGISTER);
	sfx_until_op(&f, 0, DT_OP_WRITE_REGISTER, 3);
	assert_at(&f, 0, DT_OP_WRITE_REGISTER, reg_src, "-- ACK");
	ck_assert_uint_eq(sfx_top(&f, 0)->op.reg, DT_REG_INTSTATUS);
	ck_assert_int_eq(sfx_fp_find(&f, 0, DT_RES_DEVICE), 0 | 1 << 16);
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK);
	ck_assert_uint_eq(st->devices[0].regs[DT_REG_INTSTATUS], 0x4);
	const struct dt_trace_event *w = sfx_trace_last(&f, DT_EV_REG_WRITE);
	ck_assert_int_eq(w->arg[0], DT_REG_INTSTATUS);
	ck_assert_int_eq(w->arg[1], 0x1);
	ck_assert_int_eq(w->result, 0x4);
	ck_assert_int_eq(sfx_run_to_end(&f), DT_QUIESCENT);
	ck_assert_int_eq(sfx_int(&f, "st"), 0x5);
	ck_assert_int_eq(sfx_int(&f, "after"), 0x4);
	ck_assert_int_eq(sfx_int(&f, "r2"), 0xABCD);
	ck_assert_int_eq(sfx_int(&f, "en"), 0xFFFFFFFF);
	ck_assert_uint_eq(st->devices[0].regs[2], 0xABCD);
	sfx_close(&f);
}
END_TEST

static const char us_src[] = HDR(1)
	"local nic = device { name = \"NIC\", irql = 5 }\n"
	"local st, irq = WdfInterruptCreate(nic, {\n"
	"  EvtInterruptIsr = function(interrupt, message_id)\n"
	"    step(\"copy the buffer\", { us = 40 })\n"
	"    step(\"tiny\")\n"
	"    return true\n"
	"  end,\n"
	"})\n";

/* step(text, {us = N}) charges N us to the CPU's busy clock and to the
 * ISR's frame; a plain step() costs 1 us (engine-contract 3). */
START_TEST(test_step_cost)
{
	struct sfx f;
	sfx_open(&f, us_src);
	const struct dt_state *st = dt_machine_state(f.m);
	ck_assert_int_eq(sfx_fire(&f, "NIC", 0), DT_OK);
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK);
	const struct dt_frame *t = sfx_top(&f, 0);
	ck_assert_uint_eq(t->op.kind, DT_OP_STEP);
	ck_assert_uint_eq(t->op.cost_us, 40);
	ck_assert_str_eq(sfx_string(&f, t->op.label), "copy the buffer");
	uint64_t busy = st->cpus[0].busy_us, charge = t->charge_us;
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK);
	ck_assert_uint_eq(st->cpus[0].busy_us, busy + 40);
	ck_assert_uint_eq(sfx_top(&f, 0)->charge_us, charge + 40);
	const struct dt_trace_event *e = sfx_trace_last(&f, DT_EV_STEP_OP);
	ck_assert_int_eq(e->arg[1], 40);
	ck_assert_str_eq(sfx_string(&f, (unsigned)e->arg[0]), "copy the buffer");
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK);
	ck_assert_uint_eq(st->cpus[0].busy_us, busy + 41);
	ck_assert_int_eq(sfx_trace_last(&f, DT_EV_STEP_OP)->arg[1], 1);
	sfx_close(&f);
}
END_TEST

/* Labels made afresh at every step, with garbage around them so that the
 * collector frees old labels and new ones may take their addresses: each
 * step still carries its own text (the runtime remembers interned strings
 * by address only while nothing has been freed). */
static const char labels_src[] = HDR(1)
	"thread { name = \"t\", body = function()\n"
	"  for i = 1, 300 do\n"
	"    local junk = {}\n"
	"    for k = 1, 20 do junk[k] = (\"j\"):rep(60) .. k end\n"
	"    step((\"label %d \"):format(i) .. (\"-\"):rep(50))\n"
	"  end\n"
	"end }\n";

START_TEST(test_step_labels_survive_garbage)
{
	struct sfx f;
	char want[96];
	sfx_open(&f, labels_src);
	ck_assert_int_eq(sfx_dispatch(&f, "t", 0), DT_OK);
	for (int i = 1; i <= 300; i++) {
		const struct dt_frame *t = sfx_top(&f, 0);
		ck_assert_ptr_nonnull(t);
		ck_assert_uint_eq(t->op.kind, DT_OP_STEP);
		snprintf(want, sizeof(want), "label %d %.50s", i,
			 "--------------------------------------------------");
		ck_assert_str_eq(sfx_string(&f, t->op.label), want);
		ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK);
	}
	sfx_close(&f);
}
END_TEST

/* ---- the step model --------------------------------------------------------- */

static const char steps_src[] = HDR(1)
	"local nic = device { name = \"NIC\", irql = 5 }\n"
	"local s = shared { x = 0, flags = { 0, 0, 0 } }\n"
	"local function helper(i)\n"
	"  local a = 1 + 2\n"
	"  return WdfInterruptQueueDpcForIsr(i) -- HELPER\n"
	"end\n"
	"local st, irq = WdfInterruptCreate(nic, {\n"
	"  EvtInterruptIsr = function(interrupt, message_id)\n"
	"    s.x = s.x + 1 -- INC\n"
	"    local ok = helper(interrupt) -- CALL\n"
	"    step(\"between\") -- STEP\n"
	"    s.flags[2] = s.x -- ARRAY\n"
	"    return ok\n"
	"  end,\n"
	"  EvtInterruptDpc = function(interrupt, device) end,\n"
	"})\n";

/* CPU 0's pending operation touches var `var` (reads or writes) and no
 * other shared object: besides the var only its own CPU. */
static void assert_var_footprint(struct sfx *f, unsigned var, int write)
{
	struct dt_footprint fp;
	ck_assert_int_eq(dt_machine_footprint(f->m, 0, &fp), 0);
	ck_assert_int_eq(sfx_fp_find(f, 0, DT_RES_VAR), (int)(var | (unsigned)write << 16));
	for (unsigned i = 0; i < fp.nres; i++)
		ck_assert_msg(fp.res[i].kind == DT_RES_VAR ||
			      (fp.res[i].kind == DT_RES_CPU_LOCAL && fp.res[i].index == 0),
			      "footprint entry %u: kind %u index %u", i, fp.res[i].kind,
			      fp.res[i].index);
}

/* A body stops BEFORE each operation with the op's kind and Lua line (also
 * inside a helper function); s.x = s.x + 1 is a read step and a write
 * step; footprints name the var, array elements as "flags[2]". */
START_TEST(test_step_boundaries)
{
	struct sfx f;
	sfx_open(&f, steps_src);
	const struct dt_state *st = dt_machine_state(f.m);
	unsigned x = sfx_var(&f, "x"), fl = sfx_var(&f, "flags[2]");
	ck_assert_str_eq(sfx_string(&f, st->vars[fl].name), "flags[2]");
	ck_assert_int_eq(sfx_fire(&f, "NIC", 0), DT_OK);
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK);
	assert_at(&f, 0, DT_OP_READ_SHARED, steps_src, "-- INC");
	ck_assert_uint_eq(sfx_top(&f, 0)->op.index, x);
	assert_var_footprint(&f, x, 0);
	uint32_t s0 = st->step;
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK); /* the read */
	const struct dt_trace_event *r = sfx_trace_last(&f, DT_EV_SHARED_READ);
	ck_assert_uint_eq(r->step, s0 + 1);
	ck_assert_uint_eq(r->object, x);
	ck_assert_uint_eq(r->pos.line, sfx_line_of(steps_src, "-- INC"));
	assert_at(&f, 0, DT_OP_WRITE_SHARED, steps_src, "-- INC");
	ck_assert_int_eq(sfx_top(&f, 0)->op.value.u.i, 1);
	assert_var_footprint(&f, x, 1);
	ck_assert_int_eq(sfx_int(&f, "x"), 0); /* not written yet */
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK); /* the write */
	ck_assert_uint_eq(st->step, s0 + 2);
	ck_assert_int_eq(sfx_int(&f, "x"), 1);
	ck_assert_uint_eq(st->vars[x].last_write_step, s0 + 2);
	assert_at(&f, 0, DT_OP_QUEUE_DPC_FOR_ISR, steps_src, "-- HELPER");
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK); /* the queue call, in helper() */
	ck_assert_uint_eq(sfx_trace_last(&f, DT_EV_QUEUE_DPC)->pos.line,
			  sfx_line_of(steps_src, "-- HELPER"));
	assert_at(&f, 0, DT_OP_STEP, steps_src, "-- STEP");
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK);
	assert_at(&f, 0, DT_OP_READ_SHARED, steps_src, "-- ARRAY");
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK);
	assert_at(&f, 0, DT_OP_WRITE_SHARED, steps_src, "-- ARRAY");
	ck_assert_uint_eq(sfx_top(&f, 0)->op.index, fl);
	assert_var_footprint(&f, fl, 1);
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK);
	const struct dt_trace_event *w = sfx_trace_last(&f, DT_EV_SHARED_WRITE);
	ck_assert_uint_eq(w->object, fl);
	ck_assert_int_eq(w->value.u.i, 1);
	ck_assert_int_eq(sfx_int(&f, "flags[2]"), 1);
	ck_assert_int_eq(sfx_int(&f, "flags[1]"), 0);
	ck_assert_uint_eq(sfx_top(&f, 0)->state, DT_FS_RETURNED);
	ck_assert_uint_eq(st->step, s0 + 6); /* read, write, queue, step, read, write */
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK); /* the ISR returns its BOOLEAN */
	const struct dt_trace_event *ret = sfx_trace_last(&f, DT_EV_ISR_RETURN);
	ck_assert_ptr_nonnull(ret);
	ck_assert_int_eq(ret->result, 1);
	sfx_close(&f);
}
END_TEST

/* Two devices, one per CPU, whose ISRs queue their DPCs. */
static const char branch_src[] = HDR(2)
	"local config = {\n"
	"  EvtInterruptIsr = function(interrupt, message_id)\n"
	"    return WdfInterruptQueueDpcForIsr(interrupt)\n"
	"  end,\n"
	"  EvtInterruptDpc = function(interrupt, device) end,\n"
	"}\n"
	"WdfInterruptCreate(device { name = \"A\", affinity = { 0 } }, config)\n"
	"WdfInterruptCreate(device { name = \"B\", affinity = { 1 } }, config)\n";

/* After stepping back, a different choice branches (start over, replay);
 * rt_last_step then describes that new step, as for a live one (script.h). */
START_TEST(test_branch_step_log)
{
	struct sfx f;
	sfx_open(&f, branch_src);
	ck_assert_int_eq(sfx_fire(&f, "A", 0), DT_OK);
	ck_assert_int_eq(sfx_fire(&f, "B", 1), DT_OK);
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK);
	ck_assert_int_eq(sfx_cpu(&f, 1), DT_OK);
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK); /* CPU 0's queue call returns TRUE */
	const struct rt_step_log *lg = rt_last_step(f.rt);
	ck_assert_uint_eq(lg->nreturns, 1);
	ck_assert_uint_eq(lg->returns[0].cpu, 0);
	ck_assert_int_eq(dt_session_back(rt_session(f.rt)), DT_OK);
	ck_assert_int_eq(sfx_cpu(&f, 1), DT_OK); /* a branch: CPU 1 calls first */
	f.m = rt_machine(f.rt);
	const struct dt_state *st = dt_machine_state(f.m);
	ck_assert_uint_eq(st->step, 5);
	ck_assert_uint_eq(st->dpcs[st->interrupts[0].dpc].inserted, 0);
	ck_assert_int_eq(st->dpcs[st->interrupts[1].dpc].queue_cpu, 1);
	ck_assert_uint_eq(st->dpcs[st->interrupts[0].dpc].inserted, 0);
	ck_assert_int_eq(st->dpcs[st->interrupts[1].dpc].queue_cpu, 1);
	lg = rt_last_step(f.rt);
	ck_assert_uint_eq(lg->nstarts, 0);
	ck_assert_uint_eq(lg->nreturns, 1);
	ck_assert_uint_eq(lg->returns[0].op, DT_OP_QUEUE_DPC_FOR_ISR);
	ck_assert_uint_eq(lg->returns[0].cpu, 1);
	ck_assert_int_eq(lg->returns[0].result.u.i, 1);
	sfx_close(&f);
}
END_TEST

/* ---- errors ------------------------------------------------------------------ */

/* A lesson with an ISR body and a thread body to fill in (and lesson keys). */
static const char body_tmpl[] =
	"lesson { api = 1, id = \"t\", title = \"T\", cpus = 1%s }\n"
	"local nic = device { name = \"NIC\", irql = 5 }\n"
	"local s = shared { x = 0, flags = { 0, 0 } }\n"
	"local _, sl = WdfSpinLockCreate()\n"
	"local _, wl = WdfWaitLockCreate()\n"
	"local kd = KeInitializeDpc(function() end)\n"
	"local st, irq = WdfInterruptCreate(nic, {\n"
	"  EvtInterruptIsr = function(interrupt, message_id)\n"
	"    %s\n"
	"    return true\n"
	"  end,\n"
	"  EvtInterruptDpc = function(interrupt, device) end,\n"
	"})\n"
	"thread { name = \"app\", body = function()\n"
	"  %s\n"
	"end }\n";

/* Open the template with these bodies; fire the NIC when the ISR has one;
 * run to the end.  src receives the lesson's text. */
static void run_bodies(struct sfx *f, char *src, size_t size, const char *keys,
		       const char *isr, const char *thr)
{
	snprintf(src, size, body_tmpl, keys ? keys : "", isr ? isr : "", thr ? thr : "");
	sfx_open(f, src);
	if (isr)
		ck_assert_int_eq(sfx_fire(f, "NIC", 0), DT_OK);
	sfx_run_to_end(f);
}

static const struct {
	const char *keys, *isr, *thr;
	int lua;          /* a Lua error: the message starts with "file:LINE:" */
	const char *want; /* part of the message */
} lesson_errors[] = {
	{ NULL, NULL, "WdfInterruptQueueDpcForIsr(42) -- HERE", 1,
	  "a WDFINTERRUPT handle expected, got number" },
	{ NULL, NULL, "WdfSpinLockAcquire(\"lock\") -- HERE", 1, "a WDFSPINLOCK handle expected" },
	{ NULL, NULL, "KeSetImportanceDpc(kd, \"Bogus\") -- HERE", 1, "invalid option 'Bogus'" },
	{ NULL, NULL, "KeSetTargetProcessorDpc(kd, \"one\") -- HERE", 1, "number expected" },
	{ NULL, NULL, "READ_REGISTER_ULONG(irq, \"INTSTATUS\") -- HERE", 1, "a device expected" },
	{ NULL, NULL, "READ_REGISTER_ULONG(nic, \"FOO\") -- HERE", 1, "invalid option 'FOO'" },
	{ NULL, NULL, "READ_REGISTER_ULONG(nic, 9) -- HERE", 1, "registers 0..7" },
	{ NULL, NULL, "WRITE_REGISTER_ULONG(nic, \"R2\", \"x\") -- HERE", 1, "number expected" },
	{ NULL, NULL, "step(\"x\", { us = 0 }) -- HERE", 1, "us must be 1..100000000" },
	{ NULL, NULL, "WdfInterruptSynchronize(irq, 5) -- HERE", 1, "a function expected" },
	{ NULL, NULL, "s.x = {} -- HERE", 1, "not a table" },
	{ NULL, NULL, "s.nope = 1 -- HERE", 1, "shared has no field 'nope'" },
	{ NULL, NULL, "s.flags[3] = 1 -- HERE", 1, "has elements 1..2, not 3" },
	{ NULL, NULL, "s.flags = 1 -- HERE", 1, "assign the elements of a shared array" },
	{ NULL, NULL, "rawset(s, \"x\", 5) -- HERE", 1, "table expected" },
	{ NULL, NULL, "WdfWaitLockRelease(wl) -- HERE", 0, "does not hold" },
	{ NULL, NULL, "KeSetTargetProcessorDpc(kd, 7) -- HERE", 0, "no such CPU" },
	{ NULL, "WdfInterruptReleaseLock(interrupt) -- HERE", NULL, 0,
	  "without a matching WdfInterruptAcquireLock" },
	{ NULL, NULL, "device { name = \"LATE\" } -- HERE", 1, "call it at load time" },
	{ NULL, NULL, "shared { late = 1 } -- HERE", 1, "call it at load time" },
	{ NULL, NULL, "WdfSpinLockCreate() -- HERE", 1, "belongs in the scenario, at load time" },
	{ ", switches = { umdf = true }", NULL, "KeGetCurrentIrql() -- HERE", 0,
	  "not available in UMDF mode" },
	{ ", switches = { umdf = true }", NULL, "KeInsertQueueDpc(kd) -- HERE", 1,
	  "not available in UMDF mode" },
};

/* Wrong argument types and misuses of the call API are lesson errors at
 * the file and line of the call (authoring.md "Outcomes"). */
START_TEST(test_lesson_errors)
{
	struct sfx f;
	char src[2048], where[128];
	run_bodies(&f, src, sizeof(src), lesson_errors[_i].keys, lesson_errors[_i].isr,
		   lesson_errors[_i].thr);
	const struct dt_state *st = dt_machine_state(f.m);
	unsigned line = sfx_line_of(src, "-- HERE");
	ck_assert_msg(st->outcome.kind == DT_LESSON_ERROR, "case %d: outcome %u", _i,
		      st->outcome.kind);
	const char *msg = rt_error(f.rt);
	ck_assert_msg(strstr(msg, lesson_errors[_i].want), "case %d: %s", _i, msg);
	snprintf(where, sizeof(where), "%s:%u: ", f.path, line);
	if (lesson_errors[_i].lua)
		ck_assert_msg(strncmp(msg, where, strlen(where)) == 0, "case %d: %s", _i, msg);
	ck_assert_str_eq(sfx_string(&f, st->outcome.pos.file), f.path);
	ck_assert_uint_eq(st->outcome.pos.line, line);
	ck_assert_ptr_nonnull(sfx_trace_last(&f, DT_EV_LESSON_ERROR));
	sfx_close(&f);
}
END_TEST

/* A callback returning with a lock it acquired still held is a lesson
 * error; acquiring the interrupt lock twice on one CPU is a deadlock (R36). */
START_TEST(test_lock_misuse)
{
	struct sfx f;
	char src[2048];
	run_bodies(&f, src, sizeof(src), NULL, NULL, "WdfSpinLockAcquire(sl)");
	ck_assert_uint_eq(dt_machine_state(f.m)->outcome.kind, DT_LESSON_ERROR);
	ck_assert_ptr_nonnull(strstr(rt_error(f.rt), "still holding a lock"));
	sfx_close(&f);
	run_bodies(&f, src, sizeof(src), NULL, NULL,
		   "WdfInterruptAcquireLock(irq) WdfInterruptAcquireLock(irq)");
	const struct dt_outcome *o = &dt_machine_state(f.m)->outcome;
	ck_assert_uint_eq(o->kind, DT_DEADLOCK);
	ck_assert_uint_eq(o->ncycle, 1);
	ck_assert_uint_eq(o->cycle[0], 0);
	sfx_close(&f);
}
END_TEST

static const struct {
	const char *isr, *thr;
	uint32_t code;
	uint64_t p1, p3; /* p3 == 0: not checked */
} bugchecks[] = {
	{ NULL, "WdfInterruptQueueDpcForIsr(nil)", 0x10D, 0x5, 0x1027 },
	{ NULL, "WdfWaitLockAcquire(wl) WdfSpinLockAcquire(sl) WdfWaitLockAcquire(wl)", 0xB8, 0,
	  0 },
	{ NULL, "WdfInterruptSynchronize(irq, nil)", 0x10D, 0x4, 0 },
	{ NULL, "WdfSpinLockAcquire(irq)", 0x10D, 0x5, 0x1037 },
	{ NULL, "WdfWaitLockAcquire(nil)", 0x10D, 0x5, 0x1038 },
	{ "WdfSpinLockAcquire(sl)", NULL, 0x9, 0, 0 },
	{ NULL, "KeInsertQueueDpc(nil)", 0x50, 0, 0 },
	{ "KeInsertQueueDpc(nil)", NULL, 0xD1, 0, 0 },
	{ NULL, "WdfInterruptQueueWorkItemForIsr(irq)", 0x50, 0, 0 },
	{ "WdfInterruptQueueWorkItemForIsr(interrupt)", NULL, 0xD1, 0, 0 },
};

/* Simulated driver mistakes in calls are bug checks with WDF's parameters
 * (R30, R32, R35, R19, R41), never Lua errors. */
START_TEST(test_call_bugchecks)
{
	struct sfx f;
	char src[2048];
	run_bodies(&f, src, sizeof(src), NULL, bugchecks[_i].isr, bugchecks[_i].thr);
	const struct dt_outcome *o = &dt_machine_state(f.m)->outcome;
	ck_assert_msg(o->kind == DT_BUGCHECK, "case %d: outcome %u (%s)", _i, o->kind,
		      rt_error(f.rt));
	ck_assert_msg(o->code == bugchecks[_i].code, "case %d: 0x%X", _i, o->code);
	if (bugchecks[_i].code == 0x10D) {
		ck_assert_uint_eq(o->p[0], bugchecks[_i].p1);
		if (bugchecks[_i].p3)
			ck_assert_uint_eq(o->p[2], bugchecks[_i].p3);
	}
	sfx_close(&f);
}
END_TEST

/* WdfInterruptEnable from an ISR is a verifier finding; with the verifier
 * off the call goes on (R70, R34). */
START_TEST(test_enable_from_isr)
{
	struct sfx f;
	char src[2048];
	run_bodies(&f, src, sizeof(src), NULL, "WdfInterruptEnable(interrupt)", NULL);
	ck_assert_uint_eq(dt_machine_state(f.m)->outcome.kind, DT_QUIESCENT);
	const struct dt_trace_event *v = sfx_trace_last(&f, DT_EV_VERIFIER);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(v->arg[0], DT_VF_ENABLE_WRONG_IRQL);
	ck_assert_int_eq(v->result, 1);
	sfx_close(&f);
}
END_TEST

/* A call outside a callback is the lesson's error: at load time rt_open
 * fails naming the call, the file and the line. */
START_TEST(test_call_outside_callback)
{
	static const char src[] = HDR(1)
		"local nic = device { name = \"NIC\" }\n"
		"local irql = KeGetCurrentIrql()\n";
	char path[64], want[96];
	char *err = sfx_open_fail(src, path);
	snprintf(want, sizeof(want), "%s:3:", path);
	ck_assert_msg(strstr(err, want) != NULL, "%s", err);
	ck_assert_msg(strstr(err, "KeGetCurrentIrql can only be called inside a callback"), "%s",
		      err);
	free(err);
}
END_TEST

static const char create_src[] = HDR(1)
	"local a = device { name = \"A\" }\n"
	"local b = device { name = \"B\" }\n"
	"local c = device { name = \"C\" }\n"
	"local _, lock = WdfSpinLockCreate()\n"
	"local isr = function(i) return true end\n"
	"local dpc = function(i, d) end\n"
	"local st1, i1 = WdfInterruptCreate(a, { EvtInterruptIsr = isr, EvtInterruptDpc = dpc,\n"
	"  EvtInterruptWorkItem = function(i, d) end })\n"
	"local st2, i2 = WdfInterruptCreate(b, { EvtInterruptDpc = dpc })\n"
	"local st3, i3 = WdfInterruptCreate(c, { EvtInterruptIsr = isr, PassiveHandling = true,\n"
	"  SpinLock = lock })\n"
	"local st4, i4 = WdfInterruptCreate(c, { EvtInterruptIsr = isr, EvtInterruptDpc = dpc })\n"
	"local s = shared { st1 = st1, nil1 = i1 == nil, st2 = st2, nil2 = i2 == nil,\n"
	"                   st3 = st3, nil3 = i3 == nil, st4 = st4, nil4 = i4 == nil,\n"
	"                   inv = STATUS_INVALID_PARAMETER, h4 = tostring(i4),\n"
	"                   dev = tostring(c), same = i4 == i4 }\n";

/* WdfInterruptCreate answers a bad configuration with STATUS_INVALID_PARAMETER
 * (0xC000000D) and a nil handle, not a Lua error: DPC and work item both
 * set, no ISR, passive handling with a SpinLock (R40, R50). */
START_TEST(test_interrupt_create_status)
{
	struct sfx f;
	sfx_open(&f, create_src);
	const struct dt_state *st = dt_machine_state(f.m);
	ck_assert_int_eq(sfx_int(&f, "inv"), 0xC000000D);
	ck_assert_int_eq(sfx_int(&f, "st1"), 0xC000000D);
	ck_assert_int_eq(sfx_bool(&f, "nil1"), 1);
	ck_assert_int_eq(sfx_int(&f, "st2"), 0xC000000D);
	ck_assert_int_eq(sfx_bool(&f, "nil2"), 1);
	ck_assert_int_eq(sfx_int(&f, "st3"), 0xC000000D);
	ck_assert_int_eq(sfx_bool(&f, "nil3"), 1);
	ck_assert_int_eq(sfx_int(&f, "st4"), 0);
	ck_assert_int_eq(sfx_bool(&f, "nil4"), 0);
	ck_assert_uint_eq(st->ninterrupts, 1);
	char want[48];
	snprintf(want, sizeof(want), "WDFINTERRUPT 0x%016llx",
		 (unsigned long long)dt_handle_of(DT_HANDLE_INTERRUPT, 0));
	ck_assert_str_eq(sfx_str(&f, "h4"), want);
	ck_assert_str_eq(sfx_str(&f, "dev"), "WDFDEVICE C");
	ck_assert_int_eq(sfx_bool(&f, "same"), 1);
	sfx_close(&f);
}
END_TEST

Suite *script_suite(void)
{
	Suite *s = suite_create("script");
	TCase *api = tcase_create("api");
	tcase_add_test(api, test_queue_dpc_true_false);
	tcase_add_test(api, test_queue_workitem);
	tcase_add_test(api, test_interrupt_lock);
	tcase_add_test(api, test_try_to_acquire_lock);
	tcase_add_test(api, test_synchronize);
	tcase_add_test(api, test_enable_disable);
	tcase_add_test(api, test_get_info);
	tcase_add_test(api, test_spin_locks);
	tcase_add_test(api, test_wait_lock);
	tcase_add_test(api, test_ke_dpc_calls);
	tcase_add_test(api, test_irql_and_processor);
	tcase_add_test(api, test_registers);
	tcase_add_test(api, test_step_cost);
	tcase_add_test(api, test_step_labels_survive_garbage);
	suite_add_tcase(s, api);
	TCase *model = tcase_create("step_model");
	tcase_add_test(model, test_step_boundaries);
	tcase_add_test(model, test_branch_step_log);
	suite_add_tcase(s, model);
	TCase *err = tcase_create("errors");
	tcase_add_loop_test(err, test_lesson_errors, 0,
			    (int)(sizeof(lesson_errors) / sizeof(lesson_errors[0])));
	tcase_add_test(err, test_lock_misuse);
	tcase_add_loop_test(err, test_call_bugchecks, 0,
			    (int)(sizeof(bugchecks) / sizeof(bugchecks[0])));
	tcase_add_test(err, test_enable_from_isr);
	tcase_add_test(err, test_call_outside_callback);
	tcase_add_test(err, test_interrupt_create_status);
	suite_add_tcase(s, err);
	return s;
}
