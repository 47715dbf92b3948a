/*
 * dt_state.h - the machine's whole simulated state as plain data.
 *
 * This struct *is* the snapshot front-ends read (engine-contract 6, 7):
 * it holds no host pointer, only indices in creation order, interned
 * string ids (resolve them with dt_machine_string()) and fixed-capacity
 * arrays.  So a snapshot is a byte copy, history stores keyframes and
 * byte deltas of it, and the same lesson yields the same bytes on every
 * run and platform.  The CPU array comes last and only the first
 * `ncpus` entries are meaningful (dt_state_size()).
 *
 * Field by field, in the domain's words:
 */
#ifndef DT_STATE_H
#define DT_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "dt_op.h"
#include "dt_types.h"

#define DT_NONE 0xFFFFu   /* "no object" in 16-bit index fields */

/* ------------------------------------------------------------------ */
/* Devices (engine-contract 5)                                         */

enum dt_line_kind {
	DT_LINE_EDGE = 0,  /* latched: one request per event */
	DT_LINE_LEVEL = 1, /* asserted while status & enable != 0 (R07) */
	DT_LINE_MSI = 2,   /* a message: edge semantics, one per interrupt object */
};

/* Register numbers every simulated device has. */
enum dt_register {
	DT_REG_INTSTATUS = 0, /* set by device events; write 1s to clear (acknowledge) */
	DT_REG_INTENABLE = 1, /* bits that may interrupt; 0 masks the device */
	/* 2..DT_MAX_REGS-1: plain data registers */
};

struct dt_line {
	uint8_t kind;        /* enum dt_line_kind */
	uint8_t dirql;       /* DT_DIRQL_MIN..DT_DIRQL_MAX */
	uint8_t in_service;  /* level line: delivered and not yet ended by the ISR's return */
	uint8_t pad;
	uint16_t interrupt;  /* the WDFINTERRUPT connected to it, DT_NONE before creation */
	uint16_t pad2;
	uint64_t affinity;   /* bit n = CPU n may receive it (R04) */
};

struct dt_device {
	uint32_t name;       /* interned */
	uint8_t nlines;
	uint8_t ninterrupts; /* interrupt objects created on it: the next MessageID (R05) */
	uint8_t passive_level; /* WDF_EXECUTION_LEVEL: 1 = passive, 0 = dispatch (R42) */
	uint8_t sync_scope;    /* 0 = none, 1 = device, 2 = queue (R42) */
	uint16_t callback_lock; /* its callback lock, DT_NONE until a sync scope needs one */
	uint16_t pad;
	uint32_t pad2;
	uint32_t regs[DT_MAX_REGS];
	struct dt_line lines[DT_MAX_LINES];
};

/* A named device event: "the device raises these status bits". */
struct dt_event {
	uint32_t name;       /* interned; printed in schedules as e(NAME)@K */
	uint16_t device;
	uint8_t line;        /* which line or MSI message it signals on */
	uint8_t pad;
	uint32_t bits;       /* status bits it sets */
	uint32_t fired;      /* how often it has happened */
};

/* ------------------------------------------------------------------ */
/* Interrupt objects, DPC objects, locks                               */

struct dt_interrupt {
	uint16_t device;
	uint8_t line;            /* device line / MSI message */
	uint8_t message_id;      /* R05: creation index on its device */
	uint8_t dirql;           /* the line's DIRQL */
	uint8_t sync_irql;       /* SynchronizeIrql: DIRQL, or the highest sharer's (R61) */
	uint8_t passive;         /* PassiveHandling (R50) */
	uint8_t automatic_serialization;
	uint8_t enabled;         /* connected and enabled (R70) */
	uint8_t wi_queued;       /* work item queued and not yet started (R41) */
	uint8_t wi_running;      /* work-item callbacks running now (R44) */
	uint8_t deleted;         /* WdfObjectDelete ran: its handle is stale (R31) */
	uint16_t lock;           /* the interrupt spin lock every DIRQL ISR holds (R03);
				    for a passive interrupt its wait lock (R51) */
	uint16_t dpc;            /* the embedded KDPC (R10) */
	uint32_t isr;            /* callback ids (host's), DT_NO_CALLBACK when absent */
	uint32_t dpc_routine;
	uint32_t work_item;
	uint32_t queue_true;     /* WdfInterruptQueueDpcForIsr results so far */
	uint32_t queue_false;
	uint32_t isr_calls;      /* ISR entries */
	uint16_t thread;         /* passive interrupt: its ISR thread (R51), DT_NONE */
	uint16_t callback_lock;  /* AutomaticSerialization: the parent's lock (R42), DT_NONE */
	uint32_t wi_queued_step; /* step the work item was last queued */
	uint32_t wi_true;        /* WdfInterruptQueueWorkItemForIsr results so far */
	uint32_t wi_false;
	uint32_t wi_runs;        /* work-item callbacks started */
	uint32_t enable_cb;      /* EvtInterruptEnable, DT_NO_CALLBACK */
	uint32_t disable_cb;     /* EvtInterruptDisable, DT_NO_CALLBACK */
};

enum dt_importance { DT_LOW = 0, DT_MEDIUM = 1, DT_MEDIUM_HIGH = 2, DT_HIGH = 3 };

struct dt_dpc {
	uint8_t inserted;        /* in a DPC queue, not yet dequeued (R11, R13) */
	uint8_t importance;      /* enum dt_importance; KMDF's is Medium (R10) */
	int16_t target_cpu;      /* -1: the queuing CPU (untargeted) */
	int16_t queue_cpu;       /* whose queue holds it while inserted, else -1 */
	int16_t queued_by_cpu;   /* the CPU whose call inserted it last */
	uint16_t interrupt;      /* owning WDFINTERRUPT, DT_NONE for a plain KDPC */
	uint16_t running;        /* instances of its routine running now (R14) */
	uint32_t routine;        /* callback id */
	uint32_t queued_step;    /* step of the last successful insert */
	uint32_t dequeued_step;  /* step of the last dequeue */
	uint32_t inserts;        /* successful inserts (TRUE results) */
	uint32_t runs;           /* routine entries */
	uint32_t completions;    /* routine returns */
	uint32_t pad;
};

enum dt_lock_kind {
	DT_LOCK_INTERRUPT = 0,     /* an interrupt's own spin lock (R03) */
	DT_LOCK_WDFSPINLOCK = 1,   /* a WDFSPINLOCK / KSPIN_LOCK (maybe an interrupt's, R61) */
	DT_LOCK_WAITLOCK = 2,      /* a passive interrupt's wait lock or a WDFWAITLOCK (R51) */
	DT_LOCK_CALLBACK_SPIN = 3, /* a device's dispatch-level callback lock (R42) */
	DT_LOCK_CALLBACK_WAIT = 4, /* a device's passive-level callback lock (R42, R44) */
};

/* Spin locks are owned by a frame on a CPU; wait locks by a thread. */
static inline int dt_lock_is_wait(unsigned kind)
{
	return kind == DT_LOCK_WAITLOCK || kind == DT_LOCK_CALLBACK_WAIT;
}

struct dt_lock {
	int16_t owner_cpu;       /* spin lock: holding CPU, -1 when free */
	uint8_t kind;            /* enum dt_lock_kind */
	uint8_t owner_frame;     /* spin lock: index of the holding frame on owner_cpu */
	int16_t owner_thread;    /* wait lock: holding thread, -1 when free */
	uint16_t interrupt;      /* the interrupt whose lock it is, DT_NONE */
	uint32_t acquired_step;  /* step it was last taken */
	uint32_t acquisitions;
	uint32_t released_step;  /* step it was last released */
	uint32_t pad;
};

/* A watched shared value (product.md "Shared state"). */
struct dt_var {
	uint32_t name;           /* interned */
	int16_t last_writer_cpu; /* -1 never written */
	uint16_t pad;
	uint32_t last_write_step;
	uint32_t pad2;
	struct dt_value value;
};

/* ------------------------------------------------------------------ */
/* CPUs and frames (engine-contract 1, 3)                              */

enum dt_frame_kind {
	DT_FRAME_THREAD = 1, /* a thread at PASSIVE (object = thread) */
	DT_FRAME_DPC = 2,    /* a DPC routine at DISPATCH (object = dpc) */
	DT_FRAME_ISR = 3,    /* a DIRQL ISR (object = interrupt) */
	DT_FRAME_SYNC = 4,   /* EvtInterruptSynchronize/Enable/Disable under the lock */
	DT_FRAME_TRAP = 5,   /* a passive interrupt's kernel trap at DIRQL (R51) */
};

/* A lock taken by an acquire operation, and the IRQL to go back to. */
struct dt_held {
	uint16_t lock;
	uint8_t saved_irql;
	uint8_t raised;      /* 1 when the acquire raised the IRQL */
};

enum dt_frame_state {
	DT_FS_SPINNING = 1, /* waiting for spin lock `spin_lock`: before the body
			       starts (an ISR's interrupt lock, R03) or inside an
			       acquire operation (R60, R63) */
	DT_FS_AT_OP = 2,    /* the body is stopped before `op` */
	DT_FS_RETURNED = 3, /* the body returned `retval`; the return transition is next */
};

/* frame.phase values */
enum dt_frame_phase {
	DT_PHASE_NONE = 0,
	DT_PHASE_IN_CALLBACK = 1, /* a SYNC frame above runs the call's callback */
	DT_PHASE_RETURNING = 2,   /* the call is done, `retval` holds its result, but a
				     DPC it let run comes first (R21) */
};

struct dt_frame {
	uint8_t kind;          /* enum dt_frame_kind */
	uint8_t state;         /* enum dt_frame_state */
	uint8_t irql;          /* IRQL this frame runs at */
	uint8_t saved_irql;    /* IRQL restored when it returns */
	uint16_t object;       /* ISR: interrupt index; DPC: dpc index */
	uint16_t body;         /* body slot, DT_NONE before the body exists */
	uint16_t lock;         /* lock this frame holds or spins for, DT_NONE */
	uint8_t nheld;         /* locks held through acquire operations */
	uint8_t phase;         /* progress of a multi-step operation (Disable) */
	uint32_t entered_step; /* step the frame was pushed */
	uint32_t instance_step; /* DPC: the queuing this run serves (R20 flush);
				   thread: the step its Enable/Disable call began */
	uint16_t spin_lock;    /* SPINNING inside an operation: the lock, else DT_NONE */
	uint16_t pad;
	struct dt_held held[DT_MAX_HELD];
	uint64_t charge_us;    /* inclusive busy time since entry (R33) */
	struct dt_op op;       /* the pending operation: the CPU's "next" */
	struct dt_value retval;
};

/* An interrupt request waiting on one CPU (R02, R06, R08). */
struct dt_pending {
	uint16_t interrupt;
	uint8_t irql;
	uint8_t pad;
	uint32_t arrival_step;
};

struct dt_cpu {
	uint8_t irql;            /* current IRQL (R02) */
	uint8_t nframes;
	uint8_t npending;
	uint8_t qlen;            /* entries in the DPC queue */
	uint8_t in_drain;        /* a drain pass is under way: held at DISPATCH (R16) */
	uint8_t drain_irql;      /* IRQL the drain pass returns to */
	uint8_t drain_requested; /* a queued DPC asked for a drain (R16, R19) */
	uint8_t tick_pending;    /* a clock tick found the queue non-empty (R16) */
	uint8_t queue[DT_MAX_DPCS];            /* DPC indices, head first */
	struct dt_pending pending[DT_MAX_PENDING]; /* in arrival order */
	uint64_t busy_us;        /* busy clock (engine-contract 3) */
	uint64_t next_tick_us;   /* busy clock value of the next clock tick */
	uint64_t elevated_us;    /* continuous time at IRQL >= DISPATCH (R33, cumulative) */
	uint32_t steps;          /* steps this CPU took */
	uint32_t pad;
	struct dt_frame frames[DT_MAX_FRAMES]; /* [0] is the bottom */
};

/* ------------------------------------------------------------------ */
/* Threads (engine-contract 4)                                         */

enum dt_thread_kind {
	DT_THREAD_LESSON = 1,      /* a lesson's own thread body */
	DT_THREAD_WORKER = 2,      /* a system worker running work items (R44) */
	DT_THREAD_PASSIVE_ISR = 3, /* the thread a passive interrupt's ISR runs in (R51) */
};

enum dt_thread_state {
	DT_TS_READY = 1,   /* may be dispatched onto an eligible CPU (a choice) */
	DT_TS_RUNNING = 2, /* its frame is at the bottom of `cpu`'s stack */
	DT_TS_BLOCKED = 3, /* waiting (wait_kind); its CPU is free meanwhile */
	DT_TS_IDLE = 4,    /* a worker or ISR thread with nothing to do */
	DT_TS_DONE = 5,    /* a lesson thread whose body returned */
};

enum dt_wait_kind {
	DT_WAIT_NONE = 0,
	DT_WAIT_LOCK = 1,     /* a wait lock (wait_object = lock) */
	DT_WAIT_FLUSH = 2,    /* KeFlushQueuedDpcs: DPCs queued before wait_step (R20) */
	DT_WAIT_DISABLE = 3,  /* WdfInterruptDisable: flush and work item of wait_object (R70) */
};

struct dt_thread {
	uint32_t name;          /* interned */
	uint8_t kind;           /* enum dt_thread_kind */
	uint8_t state;          /* enum dt_thread_state */
	uint8_t wait_kind;      /* enum dt_wait_kind */
	uint8_t signaled;       /* ISR thread: an interrupt waits for it */
	int16_t cpu;            /* RUNNING: the CPU, else -1 */
	uint16_t wait_object;
	uint32_t wait_step;     /* flush: the call's step; lock: when it began to wait */
	uint32_t callback;      /* lesson thread: its body */
	uint16_t interrupt;     /* worker: whose work item; ISR thread: its interrupt */
	uint8_t woken;          /* BLOCKED -> READY: 1 resume the body, 2 go on with the
				   operation (its callback runs under the lock it got) */
	uint8_t pad;
	uint32_t ready_step;
	uint32_t runs;          /* dispatches that started a body */
	uint64_t affinity;      /* CPUs it may run on */
	struct dt_frame ctx;    /* its frame while it is off a CPU */
};

/* ------------------------------------------------------------------ */
/* Switches and outcome (engine-contract 7)                            */

struct dt_switches {
	uint8_t kmdf_verifier;        /* R34 */
	uint8_t debugger_attached;    /* R34 */
	uint8_t driver_verifier_irql; /* R35: 0xC4 instead of the plain outcome */
	uint8_t umdf;                 /* R80 */
	uint32_t tick_us;             /* clock tick every tick_us of busy time; 0 = no ticks */
	uint32_t watchdog_single_us;  /* R33 P1=0 limit, scaled; 0 = off */
	uint32_t watchdog_cumulative_us; /* R33 P1=1 limit, scaled; 0 = off */
	uint32_t step_limit;          /* the step-limit outcome */
	uint32_t low_dpc_threshold;   /* R19 queue depth for Low importance */
	uint32_t workers;             /* system worker threads (R44) */
	uint8_t stale_handle;         /* R31: what a stale handle does (dt_stale_handle) */
	uint8_t corrupt_pending;      /* R31 "corrupt": 0x139 on the next step */
	uint8_t pad[2];
};

/* R31: a stale handle is undefined behaviour; the lesson picks the one
 * possible outcome the simulator shows, and it says "one possible outcome". */
enum dt_stale_handle {
	DT_STALE_WORKS = 0,      /* it seems to work */
	DT_STALE_TYPE_CHECK = 1, /* the handle check fails: 0x10D, P1 = 0x5 */
	DT_STALE_FAULT = 2,      /* a fault: 0x50 at PASSIVE, 0xD1 at DISPATCH or above */
	DT_STALE_CORRUPT = 3,    /* memory is corrupted: 0x139 a step later */
};

enum dt_outcome_kind {
	DT_RUNNING = 0,
	DT_QUIESCENT = 1,    /* nothing can step and no event is left */
	DT_BUGCHECK = 2,     /* bugcheck(code, p1..p4) */
	DT_DEADLOCK = 3,     /* deadlock(cycle) */
	DT_STEP_LIMIT = 4,
	DT_LESSON_ERROR = 5,
};

/* Why a bug check happened, as a code the narrator turns into prose. */
enum dt_bugcheck_reason {
	DT_BCR_NONE = 0,
	DT_BCR_INVALID_HANDLE,      /* R30 */
	DT_BCR_NULL_POINTER,        /* R32 */
	DT_BCR_WATCHDOG_SINGLE,     /* R33 P1=0 */
	DT_BCR_WATCHDOG_CUMULATIVE, /* R33 P1=1 */
	DT_BCR_VERIFIER_BREAK,      /* R34 */
	DT_BCR_WAIT_AT_DISPATCH,    /* R35 0xB8 */
	DT_BCR_IRQL_NOT_GREATER,    /* R35 0x9 */
	DT_BCR_NULL_DPC_ROUTINE,    /* R43 */
	DT_BCR_VERIFIER_IRQL,       /* R35 0xC4 under Driver Verifier IRQL checking */
	DT_BCR_BODY_BUDGET,         /* R33: a callback looped at DISPATCH or above without a step */
	DT_BCR_STALE_HANDLE,        /* R31: one possible outcome of a stale handle */
};

struct dt_outcome {
	uint8_t kind;           /* enum dt_outcome_kind */
	uint8_t reason;         /* enum dt_bugcheck_reason */
	uint16_t rule;          /* rule number, e.g. 33 for R33; 0 = none */
	int16_t cpu;            /* CPU it happened on, -1 = none */
	uint8_t ncycle;         /* deadlock: members of the wait cycle */
	uint8_t cycle_threads;  /* deadlock: 1 = cycle[] holds threads (a hang), 0 = CPUs */
	uint32_t step;          /* step it happened in */
	uint32_t code;          /* bug-check code */
	uint64_t p[4];          /* bug-check parameters */
	uint16_t cycle[8];      /* deadlock: CPUs (or threads), each waiting for the next's lock */
	uint32_t message;       /* lesson error (or a 0x133 from a looping callback): interned text */
	uint32_t pad2;
	struct dt_srcpos pos;   /* lesson error: where */
};

/* ------------------------------------------------------------------ */

#define DT_STATE_MAGIC 0x44540001u /* "DT", schema 1 */

struct dt_state {
	uint32_t magic;          /* DT_STATE_MAGIC */
	uint32_t step;           /* steps taken; the next step is number step+1 */
	uint16_t ncpus, ndevices, ninterrupts, ndpcs;
	uint16_t nlocks, nvars, nevents, nbodies;
	int16_t last_cpu;        /* the CPU that took the previous step, -1 */
	uint16_t nthreads;
	uint8_t nworkq;          /* queued work items waiting for a worker */
	uint8_t pad[3];
	uint16_t workq[DT_MAX_INTERRUPTS]; /* their interrupts, oldest first */
	uint32_t lesson_hash;    /* set by the host; written in schedules */
	uint32_t pad2;
	uint64_t seed;
	struct dt_switches sw;
	struct dt_outcome outcome;
	struct dt_device devices[DT_MAX_DEVICES];
	struct dt_event events[DT_MAX_EVENTS];
	struct dt_interrupt interrupts[DT_MAX_INTERRUPTS];
	struct dt_dpc dpcs[DT_MAX_DPCS];
	struct dt_lock locks[DT_MAX_LOCKS];
	struct dt_var vars[DT_MAX_VARS];
	struct dt_thread threads[DT_MAX_THREADS];
	struct dt_cpu cpus[DT_MAX_CPUS]; /* last: only ncpus entries are live */
};

/* Bytes of a state that matter: everything up to the last live CPU. */
static inline size_t dt_state_size(unsigned ncpus)
{
	return offsetof(struct dt_state, cpus) + (size_t)ncpus * sizeof(struct dt_cpu);
}

#endif /* DT_STATE_H */
