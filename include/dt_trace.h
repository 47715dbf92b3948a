/*
 * dt_trace.h - trace schema v1: the facts every step records.
 *
 * The engine records facts, not prose (engine-contract 8): the narrator in
 * the front-end turns each event into a sentence that cites its rule.
 * Every event carries the `cause` a narrator needs, e.g. a FALSE from
 * WdfInterruptQueueDpcForIsr points at the step and CPU where the DPC was
 * queued and not yet dequeued.  Recording can be switched off (the
 * explorer does, for speed); the machine behaves identically either way.
 *
 * Fields of struct dt_trace_event, for every kind:
 *   step        global step number the event belongs to (1-based)
 *   cpu         CPU it happened on, -1 for none (a device event's cause)
 *   irql_before IRQL of that CPU before the step
 *   irql_after  IRQL of that CPU after this event
 *   kind        enum dt_event_kind below
 *   rule        semantics.md rule number that governs it (13 = R13), 0 none
 *   obj_kind    enum dt_obj_kind of `object`
 *   object      index of the object in creation order
 *   arg[2]      kind-specific arguments (below)
 *   value       kind-specific value (shared reads and writes)
 *   result      kind-specific result (TRUE/FALSE as 1/0, register values)
 *   pos         source position of the body at that moment
 *   cause_step  step of the earlier event this one depends on, 0 none
 *   cause_cpu   CPU of that earlier event, -1 none
 *   frame       frame kind on top of the CPU when it happened (dt_frame_kind), 0 none
 *
 * Per kind (arg0, arg1, result; "obj" = object):
 *   DEVICE_EVENT      obj=event; arg0 = receiving CPU; arg1 = status after;
 *                     result 1 sent, 0 not sent (masked: status stays set, R07)
 *   IRQ_PENDING       obj=interrupt; arg0 = its IRQL; result = 1 new request
 *   IRQ_MERGED        obj=interrupt; a second arrival merged with the pending
 *                     one on that CPU (R06); cause = the first arrival
 *   IRQ_NOT_SENT      obj=interrupt; the level line is already being served
 *   ISR_ENTER         obj=interrupt; arg0 = MessageID; the lock was free (R03)
 *   ISR_SPIN          obj=interrupt; arg0 = lock; cause_cpu = lock owner (R03)
 *   LOCK_OBTAINED     obj=lock; a spinner got the lock it waited for
 *   ISR_RETURN        obj=interrupt; result = the ISR's BOOLEAN
 *   LINE_REASSERTED   obj=interrupt; level line still asserted after return:
 *                     pending again on this CPU (R07)
 *   QUEUE_DPC         obj=dpc; arg0 = interrupt (-1 for a KDPC); result TRUE/FALSE
 *                     (R10, R11, R19, R41); arg1 = the queue CPU; value = the
 *                     dt_op_kind of the call; FALSE: cause = the inserting step
 *   DPC_DEQUEUE       obj=dpc; "inserted" clears here (R13); arg0 = queue
 *                     length after; cause = the inserting step
 *   DPC_RETURN        obj=dpc; arg0 = 1 when the drain continues
 *   DRAIN_END         the queue is empty: IRQL back to irql_after (R16)
 *   SHARED_READ       obj=var; value = value read
 *   SHARED_WRITE      obj=var; value = value written; cause = previous write;
 *                     arg0 = the overwritten value's kind, arg1 = its payload
 *   REG_READ          obj=device; arg0 = register; result = value
 *   REG_WRITE         obj=device; arg0 = register; arg1 = value written;
 *                     result = register after (INTSTATUS is write-1-to-clear)
 *   STEP_OP           arg0 = interned label; arg1 = cost in us
 *   GET_IRQL          result = IRQL;  GET_PROCESSOR: result = CPU number
 *   CLOCK_TICK        arg0 = busy clock; arg1 = ticks that fell due in this
 *                     step (one event per step and CPU); result = 1 if a
 *                     drain was requested
 *   BUGCHECK          arg0 = code; arg1 = P1; rule = the rule; the outcome
 *                     in the state has all four parameters
 *   DEADLOCK          arg0 = CPUs in the cycle
 *   LESSON_ERROR      arg0 = interned message
 *   STEP_LIMIT, QUIESCENT: no arguments
 *   LOCK_ACQUIRE      obj=lock; an acquire operation got it (R60, R63)
 *   LOCK_SPIN         obj=lock; it is held: the CPU spins; cause = the owner
 *   LOCK_RELEASE      obj=lock; released, IRQL back to irql_after
 *   SYNC_ENTER        obj=interrupt; arg0 = dt_call_kind of the callback run
 *                     under the lock (Synchronize R62, Enable/Disable R70)
 *   SYNC_RETURN       obj=interrupt; result = the callback's BOOLEAN
 *   INTR_ENABLE/INTR_DISABLE  obj=interrupt; its new state (R70)
 *   WORKITEM_QUEUE    obj=interrupt; result TRUE/FALSE (R41); FALSE: cause =
 *                     the queuing step
 *   WORKITEM_START    obj=interrupt; arg0 = worker thread; "queued" clears
 *   WORKITEM_END      obj=interrupt
 *   THREAD_DISPATCH/THREAD_END  obj=thread, on the CPU
 *   THREAD_BLOCK      obj=thread; arg0 = dt_wait_kind, arg1 = its object
 *   THREAD_WAKE       obj=thread; it is ready
 *   TRAP              obj=interrupt; a passive interrupt's trap at DIRQL (R51)
 *   TRAP_RETURN       obj=interrupt; arg0 = the ISR thread now signaled
 *   CALL_RETURN       a call that let a DPC run inside it returns (R21)
 *   DPC_REMOVE        obj=dpc; result TRUE when it was queued (R20)
 *   FLUSH             KeFlushQueuedDpcs; result 1 when nothing to wait for
 *   IRQ_DISCARDED     obj=interrupt; a request for a disabled interrupt (R70)
 *   VERIFIER          arg0 = enum dt_verifier_finding_code; result 1 proceeds,
 *                     0 returns without acting, -1 the 0x1E bug check (R34)
 */
#ifndef DT_TRACE_H
#define DT_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "dt_types.h"

#define DT_TRACE_SCHEMA 1

enum dt_event_kind {
	DT_EV_DEVICE_EVENT = 1,
	DT_EV_IRQ_PENDING,
	DT_EV_IRQ_MERGED,
	DT_EV_IRQ_NOT_SENT,
	DT_EV_ISR_ENTER,
	DT_EV_ISR_SPIN,
	DT_EV_LOCK_OBTAINED,
	DT_EV_ISR_RETURN,
	DT_EV_LINE_REASSERTED,
	DT_EV_QUEUE_DPC,
	DT_EV_DPC_DEQUEUE,
	DT_EV_DPC_RETURN,
	DT_EV_DRAIN_END,
	DT_EV_SHARED_READ,
	DT_EV_SHARED_WRITE,
	DT_EV_REG_READ,
	DT_EV_REG_WRITE,
	DT_EV_STEP_OP,
	DT_EV_GET_IRQL,
	DT_EV_GET_PROCESSOR,
	DT_EV_CLOCK_TICK,
	DT_EV_BUGCHECK,
	DT_EV_DEADLOCK,
	DT_EV_LESSON_ERROR,
	DT_EV_STEP_LIMIT,
	DT_EV_QUIESCENT,
	/* Engine core II */
	DT_EV_LOCK_ACQUIRE,
	DT_EV_LOCK_SPIN,
	DT_EV_LOCK_RELEASE,
	DT_EV_SYNC_ENTER,
	DT_EV_SYNC_RETURN,
	DT_EV_INTR_ENABLE,
	DT_EV_INTR_DISABLE,
	DT_EV_WORKITEM_QUEUE,
	DT_EV_WORKITEM_START,
	DT_EV_WORKITEM_END,
	DT_EV_THREAD_DISPATCH,
	DT_EV_THREAD_BLOCK,
	DT_EV_THREAD_WAKE,
	DT_EV_THREAD_END,
	DT_EV_TRAP,
	DT_EV_TRAP_RETURN,
	DT_EV_CALL_RETURN,
	DT_EV_DPC_REMOVE,
	DT_EV_FLUSH,
	DT_EV_IRQ_DISCARDED,
	DT_EV_VERIFIER,
	DT_EV_KIND_COUNT
};

enum dt_obj_kind {
	DT_OBJ_NONE = 0,
	DT_OBJ_DEVICE,
	DT_OBJ_EVENT,
	DT_OBJ_INTERRUPT,
	DT_OBJ_DPC,
	DT_OBJ_LOCK,
	DT_OBJ_VAR,
	DT_OBJ_THREAD,
};

struct dt_trace_event {
	uint32_t step;
	int16_t cpu;
	uint8_t irql_before;
	uint8_t irql_after;
	uint16_t kind;
	uint16_t rule;
	uint8_t obj_kind;
	uint8_t frame;
	uint16_t object;
	int16_t cause_cpu;
	uint16_t pad;
	uint32_t cause_step;
	int64_t arg[2];
	int64_t result;
	struct dt_value value;
	struct dt_srcpos pos;
};

/* The name of an event kind, e.g. "QUEUE_DPC"; "?" when out of range. */
const char *dt_event_kind_name(unsigned kind);

#endif /* DT_TRACE_H */
