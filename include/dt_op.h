/*
 * dt_op.h - operations, footprints and the host interface for bodies.
 *
 * A *body* (an ISR, a DPC, later a work item or thread) never touches the
 * machine.  When it reaches an operation (a WDF or Ke call, a read or
 * write of a watched value, a register access, an explicit step) it hands
 * the engine a struct dt_op and stops BEFORE it (engine-contract 1).  The
 * engine performs the operation in a later step, atomically, and resumes
 * the body with the result until it stops at its next operation.
 *
 * Bodies belong to a *host*: C programs in tests (dt_cprog.h), Lua
 * coroutines in the tutor.  The host interface is a table of function
 * pointers: create a body for a callback, resume it with a result,
 * destroy it, and build the scenario (used by "start over", which
 * discards every body and rebuilds from scratch, engine-contract 6).
 */
#ifndef DT_OP_H
#define DT_OP_H

#include <stdint.h>

#include "dt_types.h"

#define DT_NO_CALLBACK 0xFFFFFFFFu

enum dt_op_kind {
	DT_OP_NONE = 0,
	DT_OP_STEP,             /* step("what", {us = N}): label, cost_us */
	DT_OP_READ_SHARED,      /* index = var; result = its value */
	DT_OP_WRITE_SHARED,     /* index = var, value */
	DT_OP_READ_REGISTER,    /* index = device, reg; result = INT */
	DT_OP_WRITE_REGISTER,   /* index = device, reg, value (INT) */
	DT_OP_QUEUE_DPC_FOR_ISR, /* handle = WDFINTERRUPT; result = BOOL (R10-R12) */
	DT_OP_GET_IRQL,         /* KeGetCurrentIrql: CPU-local; result = INT */
	DT_OP_GET_PROCESSOR,    /* KeGetCurrentProcessorNumber: CPU-local */
	/* Engine core II: locks (R60-R63), work items (R41), Ke DPC calls
	 * (R19, R20), enable/disable (R70).  `handle` names the object. */
	DT_OP_QUEUE_WORKITEM_FOR_ISR, /* WDFINTERRUPT; result = BOOL (R41) */
	DT_OP_INTR_ACQUIRE_LOCK,      /* WdfInterruptAcquireLock (R60) */
	DT_OP_INTR_RELEASE_LOCK,      /* WdfInterruptReleaseLock */
	DT_OP_INTR_TRY_ACQUIRE_LOCK,  /* WdfInterruptTryToAcquireLock; result = BOOL (R53) */
	DT_OP_INTR_SYNCHRONIZE,       /* WdfInterruptSynchronize; value = callback id;
					 result = the callback's BOOLEAN (R62) */
	DT_OP_INTR_ENABLE,            /* WdfInterruptEnable; result = NTSTATUS (R70) */
	DT_OP_INTR_DISABLE,           /* WdfInterruptDisable; result = NTSTATUS (R70) */
	DT_OP_INTR_GET_INFO,          /* WdfInterruptGetInfo; result = MessageNumber */
	DT_OP_SPINLOCK_ACQUIRE,       /* WdfSpinLockAcquire / KeAcquireSpinLock (R63) */
	DT_OP_SPINLOCK_RELEASE,       /* WdfSpinLockRelease / KeReleaseSpinLock */
	DT_OP_SPINLOCK_ACQUIRE_AT_DPC, /* KeAcquireSpinLockAtDpcLevel: no IRQL change */
	DT_OP_SPINLOCK_RELEASE_FROM_DPC, /* KeReleaseSpinLockFromDpcLevel */
	DT_OP_WAITLOCK_ACQUIRE,       /* WdfWaitLockAcquire (no timeout): may block */
	DT_OP_WAITLOCK_RELEASE,       /* WdfWaitLockRelease */
	DT_OP_KE_INSERT_QUEUE_DPC,    /* KDPC; result = BOOL (R19) */
	DT_OP_KE_REMOVE_QUEUE_DPC,    /* KDPC; result = BOOL (R20) */
	DT_OP_KE_SET_IMPORTANCE,      /* KDPC, value = enum dt_importance */
	DT_OP_KE_SET_TARGET,          /* KDPC, value = CPU number */
	DT_OP_KE_FLUSH_QUEUED_DPCS,   /* blocks its thread (R20) */
	DT_OP_OBJECT_DELETE,          /* WdfObjectDelete(WDFINTERRUPT): later uses are stale (R31) */
	DT_OP_KIND_COUNT
};

/* An operation request: what a body is stopped before. */
struct dt_op {
	uint16_t kind;          /* enum dt_op_kind */
	uint16_t pad;
	uint32_t cost_us;       /* busy time it costs; 0 means the default 1 us */
	uint64_t handle;        /* a WDF handle exactly as the driver passes it */
	uint32_t index;         /* var or device index */
	uint32_t reg;           /* register number */
	struct dt_value value;  /* value to write */
	uint32_t label;         /* DT_OP_STEP: interned text */
	uint32_t pad2;
	struct dt_srcpos pos;   /* the body's source position at this operation */
};

/* What a step touches, declared before it runs (for the explorer).  An
 * index of DT_FP_ALL means every object of that kind.  Footprints are
 * conservative: two steps whose footprints do not conflict commute. */
enum dt_res_kind {
	DT_RES_VAR = 1,        /* a watched value */
	DT_RES_DEVICE = 2,     /* a device's registers and lines */
	DT_RES_DPC = 3,        /* a DPC object */
	DT_RES_CPU_LOCAL = 4,  /* one CPU's own state: IRQL, frames, queue, pending */
	DT_RES_LOCK = 5,
	DT_RES_THREADS = 6,    /* which threads are ready, blocked or have work */
};

#define DT_FP_ALL 0xFFFFu
#define DT_FP_MAX 8

struct dt_footprint {
	uint8_t nres;
	uint8_t overflow;      /* more than DT_FP_MAX: conflicts with everything */
	struct {
		uint8_t kind;  /* enum dt_res_kind */
		uint8_t write; /* 1 = writes, 0 = reads */
		uint16_t index;
	} res[DT_FP_MAX];
};

/* Which kind of callback a body is. */
enum dt_call_kind {
	DT_CALL_ISR = 1,   /* EvtInterruptIsr(Interrupt, MessageID) */
	DT_CALL_DPC = 2,   /* EvtInterruptDpc(Interrupt, AssociatedObject) (R18) */
	DT_CALL_KDPC = 3,  /* a plain KDEFERRED_ROUTINE (advanced lessons) */
	DT_CALL_WORKITEM = 4,   /* EvtInterruptWorkItem(Interrupt, AssociatedObject) (R41) */
	DT_CALL_THREAD = 5,     /* a lesson thread's body */
	DT_CALL_SYNCHRONIZE = 6, /* EvtInterruptSynchronize(Interrupt, Context) (R62) */
	DT_CALL_ENABLE = 7,     /* EvtInterruptEnable(Interrupt, AssociatedDevice) (R70) */
	DT_CALL_DISABLE = 8,    /* EvtInterruptDisable(Interrupt, AssociatedDevice) */
};

/* Everything a host needs to start a body. */
struct dt_call {
	uint32_t callback;      /* the host's callback id */
	uint16_t kind;          /* enum dt_call_kind */
	uint16_t cpu;           /* the CPU it runs on */
	uint64_t interrupt;     /* WDFINTERRUPT handle argument */
	uint64_t device;        /* WDFDEVICE handle (DPC's AssociatedObject, R18) */
	uint32_t message_id;    /* ISR's MessageID (R05) */
	uint16_t interrupt_index;
	uint16_t thread;        /* the thread it runs in, DT_NONE for CPU frames */
};

enum dt_body_status {
	DT_BODY_OP = 0,        /* stopped before reply.op */
	DT_BODY_RETURNED = 1,  /* returned reply.retval */
	DT_BODY_ERROR = 2,     /* the lesson failed: reply.message at reply.pos */
	DT_BODY_BUDGET = 3,    /* ran its whole instruction budget without reaching an
				  operation: 0x133 at DISPATCH or above, else a lesson
				  error (reply.message says how many instructions) */
};

struct dt_body_reply {
	int status;                /* enum dt_body_status */
	struct dt_op op;
	struct dt_value retval;
	struct dt_srcpos pos;
	char message[200];
};

struct dt_machine;

struct dt_host_ops {
	/* Create the scenario on a reset machine (devices, interrupts, values).
	 * Return 0, or a negative value after dt_machine_fail_lesson(). */
	int (*build)(void *ctx, struct dt_machine *m);
	/* Create a body for `call`; it has not run yet.  NULL on failure. */
	void *(*body_create)(void *ctx, const struct dt_call *call);
	/* Run the body until its next operation or its end.  `result` is the
	 * result of the operation it was stopped before (NIL for the first
	 * resume). */
	void (*body_resume)(void *ctx, void *body, const struct dt_value *result,
			    struct dt_body_reply *reply);
	void (*body_destroy)(void *ctx, void *body);
	/* Optional: copy a body for dt_machine_clone(); NULL if unsupported. */
	void *(*body_clone)(void *ctx, const void *body);
};

#endif /* DT_OP_H */
