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
 *   QUEUE_DPC         obj=dpc; arg0 = interrupt; result TRUE/FALSE (R10, R11);
 *                     arg1 = the queue CPU; FALSE: cause = the inserting step
 *   DPC_DEQUEUE       obj=dpc; "inserted" clears here (R13); arg0 = queue
 *                     length after; cause = the inserting step
 *   DPC_RETURN        obj=dpc; arg0 = 1 when the drain continues
 *   DRAIN_END         the queue is empty: IRQL back to irql_after (R16)
 *   SHARED_READ       obj=var; value = value read
 *   SHARED_WRITE      obj=var; value = value written; cause = previous write
 *   REG_READ          obj=device; arg0 = register; result = value
 *   REG_WRITE         obj=device; arg0 = register; arg1 = value written;
 *                     result = register after (INTSTATUS is write-1-to-clear)
 *   STEP_OP           arg0 = interned label; arg1 = cost in us
 *   GET_IRQL          result = IRQL;  GET_PROCESSOR: result = CPU number
 *   CLOCK_TICK        arg0 = busy clock; result = 1 if a drain was requested
 *   BUGCHECK          arg0 = code; arg1 = P1; rule = the rule; the outcome
 *                     in the state has all four parameters
 *   DEADLOCK          arg0 = CPUs in the cycle
 *   LESSON_ERROR      arg0 = interned message
 *   STEP_LIMIT, QUIESCENT: no arguments
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
