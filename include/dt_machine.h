/*
 * dt_machine.h - the simulated machine: CPUs, devices, interrupt objects,
 * DPC queues, and the step.
 *
 * A machine is opaque; callers read its plain-data state through
 * dt_machine_state() (dt_state.h).  It advances only by dt_machine_step(),
 * one choice at a time (engine-contract 1-2): a CPU step performs the
 * CPU's next action, which is always determined by its state:
 *
 *   1. take the highest pending interrupt above its IRQL (R02, R08);
 *   2. a spinning CPU obtains its lock once it is free (else it cannot step);
 *   3. below DISPATCH with a drain due, dequeue the DPC at the queue's head
 *      and enter it (R13, R16);
 *   4. perform the operation the top frame's body is stopped at, then
 *      resume the body up to its next operation;
 *   5. return from a body that has returned (ISR: release the lock, lower
 *      IRQL; DPC: continue or end the drain).
 *
 * An event choice makes a device event happen and delivers it to a CPU of
 * the line's affinity set (R04).  Nothing a lesson does aborts the host:
 * driver mistakes become simulated bug checks, host failures become the
 * lesson-error outcome.
 */
#ifndef DT_MACHINE_H
#define DT_MACHINE_H

#include <stddef.h>
#include <stdint.h>

#include "dt_choice.h"
#include "dt_op.h"
#include "dt_state.h"
#include "dt_trace.h"
#include "dt_types.h"

struct dt_machine;

/* NTSTATUS values WdfInterruptCreate returns (R40, R42). */
#define DT_STATUS_SUCCESS 0x00000000u
#define DT_STATUS_INVALID_PARAMETER 0xC000000Du
#define DT_STATUS_INSUFFICIENT_RESOURCES 0xC000009Au
#define DT_STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL 0xC020000Au

/* Bug-check codes and WDF_VIOLATION parameters (R30-R36). */
#define DT_BUGCODE_IRQL_NOT_GREATER_OR_EQUAL 0x9u
#define DT_BUGCODE_KMODE_EXCEPTION_NOT_HANDLED 0x1Eu
#define DT_BUGCODE_WDF_VIOLATION 0x10Du
#define DT_BUGCODE_DPC_WATCHDOG_VIOLATION 0x133u
#define DT_BUGCODE_ATTEMPTED_SWITCH_FROM_DPC 0xB8u
#define DT_BUGCODE_DRIVER_IRQL_NOT_LESS_OR_EQUAL 0xD1u
#define DT_BUGCODE_PAGE_FAULT_IN_NONPAGED_AREA 0x50u
#define DT_BUGCODE_KERNEL_SECURITY_CHECK_FAILURE 0x139u
#define DT_BUGCODE_DRIVER_VERIFIER_DETECTED_VIOLATION 0xC4u
#define DT_C4_IRQL_RAISE_TO_LOWER 0x30u /* 0xC4 P1: KeRaiseIrql to a lower IRQL */
#define DT_WDF_INVALID_HANDLE 0x5u
#define DT_WDF_REQUIRED_PARAMETER_IS_NULL 0x4u
#define DT_FX_TYPE_INTERRUPT 0x1027u
#define DT_FX_TYPE_DEVICE 0x1011u
#define DT_FX_TYPE_SPIN_LOCK 0x1037u
#define DT_FX_TYPE_WAIT_LOCK 0x1038u

/* KMDF verifier findings (R34), in VERIFIER trace events. */
enum dt_verifier_finding_code {
	DT_VF_TRY_ACQUIRE_WRONG = 1,        /* TryToAcquireLock off PASSIVE or on a DIRQL interrupt */
	DT_VF_ENABLE_WRONG_IRQL = 2,        /* Enable/Disable off PASSIVE thread context */
	DT_VF_PASSIVE_LOCK_AT_DISPATCH = 3, /* AcquireLock of a passive interrupt above PASSIVE */
	DT_VF_SPINLOCK_IS_INTERRUPT_LOCK = 4, /* WdfSpinLockAcquire on an interrupt's lock */
};
/* The simulated driver globals pointer (P4 of 0x10D) and fake return address. */
#define DT_FAKE_DRIVER_GLOBALS 0xFFFFC08000001000ull
#define DT_FAKE_RETURN_ADDRESS 0xFFFFF80012345678ull

/* Machine-wide settings fixed at creation (the switches can change later). */
struct dt_config {
	unsigned ncpus;           /* 1..DT_MAX_CPUS */
	uint64_t seed;            /* written in schedules; streams derive from it */
	struct dt_switches sw;    /* zero fields take the defaults below */
	int trace;                /* record the trace (default on: use dt_config_default) */
};

/* Defaults: tick 1000 us, watchdog 5000 us single / 20000 us cumulative
 * (scaled), step limit 100000, Low-importance threshold 4, trace on. */
void dt_config_default(struct dt_config *cfg, unsigned ncpus);

/* --- life cycle ------------------------------------------------------ */

/* Create a machine and build its scenario through host->build.  host may
 * be NULL for a machine built by direct calls (then no body can run). */
int dt_machine_create(const struct dt_config *cfg, const struct dt_host_ops *host, void *ctx,
		      struct dt_machine **out);
void dt_machine_destroy(struct dt_machine *m);

/* Start over: destroy every body, reset the state and rebuild the scenario
 * (engine-contract 6).  The trace restarts empty; interned strings stay. */
int dt_machine_start_over(struct dt_machine *m);

/* Copy a machine whose host supports body_clone (C bodies).  */
int dt_machine_clone(const struct dt_machine *m, struct dt_machine **out);

/* --- building a scenario (in host->build or right after create) -------- */

int dt_device_create(struct dt_machine *m, const char *name, unsigned *out_device);
/* Add a line (or MSI message) to a device: kind, DIRQL, affinity mask. */
int dt_device_add_line(struct dt_machine *m, unsigned device, enum dt_line_kind kind,
		       unsigned dirql, uint64_t affinity, unsigned *out_line);
/* A named device event that sets `bits` of INTSTATUS and signals on `line`. */
int dt_event_create(struct dt_machine *m, const char *name, unsigned device, unsigned line,
		    uint32_t bits, unsigned *out_event);
int dt_var_create(struct dt_machine *m, const char *name, struct dt_value initial,
		  unsigned *out_var);

/* WDF_INTERRUPT_CONFIG, the fields the simulator models. */
struct dt_interrupt_config {
	uint32_t isr;               /* EvtInterruptIsr callback id (required, R40) */
	uint32_t dpc;               /* EvtInterruptDpc, DT_NO_CALLBACK if none */
	uint32_t work_item;         /* EvtInterruptWorkItem, DT_NO_CALLBACK if none */
	uint8_t passive_handling;   /* PassiveHandling (R50) */
	uint8_t automatic_serialization;
	uint8_t pad[6];
	uint64_t spin_lock;         /* a WDFSPINLOCK handle to share (R61), 0 = own lock */
	uint64_t wait_lock;         /* a WDFWAITLOCK handle, 0 = none */
	uint32_t enable;            /* EvtInterruptEnable, DT_NO_CALLBACK if none */
	uint32_t disable;           /* EvtInterruptDisable, DT_NO_CALLBACK if none */
};
void dt_interrupt_config_init(struct dt_interrupt_config *cfg, uint32_t isr, uint32_t dpc);

/*
 * WdfInterruptCreate on `device`: the next line/message of the device
 * becomes this interrupt (MessageID = creation index, R05).  Returns an
 * NTSTATUS in *status and the WDFINTERRUPT handle in *handle (0 on
 * failure).  The function's own return is DT_OK or a dt_err for a bad
 * device index or a full table.
 */
int dt_interrupt_create(struct dt_machine *m, unsigned device,
			const struct dt_interrupt_config *cfg, uint32_t *status, uint64_t *handle);

/* WdfSpinLockCreate: a WDFSPINLOCK that interrupts may share (R61). */
int dt_spinlock_create(struct dt_machine *m, uint64_t *handle);
/* WdfWaitLockCreate: a WDFWAITLOCK for threads (or a passive interrupt's
 * config.WaitLock). */
int dt_waitlock_create(struct dt_machine *m, uint64_t *handle);
/* KeInitializeDpc: a plain KDPC with its routine (R19, R20). */
int dt_kdpc_create(struct dt_machine *m, uint32_t routine, uint64_t *handle);
/* A lesson thread running `callback` at PASSIVE on CPUs of `affinity`
 * (0 = all); it starts ready (engine-contract 4). */
int dt_thread_create(struct dt_machine *m, const char *name, uint32_t callback,
		     uint64_t affinity, unsigned *out_thread);
/* The device's WDF_OBJECT_ATTRIBUTES for AutomaticSerialization (R42):
 * execution level (1 = passive) and synchronization scope (0 none,
 * 1 device, 2 queue).  Set before creating its interrupts. */
int dt_device_set_sync(struct dt_machine *m, unsigned device, int passive_level, int scope);

/* --- identities (engine-contract 7) ---------------------------------- */

enum dt_handle_type {
	DT_HANDLE_DEVICE = 1,
	DT_HANDLE_INTERRUPT = 2,
	DT_HANDLE_SPINLOCK = 3,
	DT_HANDLE_WAITLOCK = 4,
	DT_HANDLE_KDPC = 5,
};
/* The handle value of an object: derived from creation order and
 * scrambled as KMDF does (address XOR ~7), the same on every run. */
uint64_t dt_handle_of(enum dt_handle_type type, unsigned index);
/* Decode a handle; returns 1 and the index when it names an existing
 * object of that type, else 0. */
int dt_handle_decode(const struct dt_machine *m, uint64_t handle, enum dt_handle_type type,
		     unsigned *index);

/* Intern a string; ids are stable for the machine's lifetime (0 = ""). */
uint32_t dt_machine_intern(struct dt_machine *m, const char *s);
const char *dt_machine_string(const struct dt_machine *m, uint32_t id);

/* --- stepping ---------------------------------------------------------- */

const struct dt_state *dt_machine_state(const struct dt_machine *m);

/* What the CPU's next step would do, for "next" panes and "why can't it step". */
enum dt_cpu_action {
	DT_ACT_NONE = 0,        /* idle, nothing to do */
	DT_ACT_TAKE_INTERRUPT,
	DT_ACT_OBTAIN_LOCK,
	DT_ACT_SPIN,            /* cannot step: spinning for a held lock */
	DT_ACT_DEQUEUE_DPC,
	DT_ACT_PERFORM_OP,
	DT_ACT_RETURN,
	DT_ACT_HALTED,          /* the machine has an outcome */
};
enum dt_cpu_action dt_cpu_next_action(const struct dt_machine *m, unsigned cpu);
int dt_cpu_can_step(const struct dt_machine *m, unsigned cpu);

/* Enabled choices at this point: CPU steps in CPU order, then thread
 * dispatches.  Returns how many there are, which may be more than max;
 * only the first max are written (DT_MAX_CPUS * (DT_MAX_THREADS + 1)
 * always holds them all). */
unsigned dt_machine_enabled(const struct dt_machine *m, struct dt_choice *out, unsigned max);
/* Is this choice enabled now?  (Events: the CPU is in the line's affinity.) */
int dt_machine_choice_enabled(const struct dt_machine *m, const struct dt_choice *c);

/* Take one step.  DT_OK, DT_ENOTENABLED (nothing changed), DT_EHALTED. */
int dt_machine_step(struct dt_machine *m, const struct dt_choice *c);

/* Nothing can step: decide the outcome (quiescent, or deadlock when some
 * CPU spins forever).  `events_left` says whether the caller still has
 * device events to deliver; then the machine stays running. */
int dt_machine_settle(struct dt_machine *m, int events_left);

/* A lesson's own failure (a Lua error, a bad call): the lesson-error outcome. */
void dt_machine_fail_lesson(struct dt_machine *m, const char *message, struct dt_srcpos pos);

/* Footprint of the step CPU `cpu` would take now (engine-contract 1). */
int dt_machine_footprint(const struct dt_machine *m, unsigned cpu, struct dt_footprint *fp);
/* Footprint of any choice: a CPU step, a thread dispatch, a device event. */
int dt_choice_footprint(const struct dt_machine *m, const struct dt_choice *c,
			struct dt_footprint *fp);
/* Do two footprints conflict (a common object, one of them writing)? */
int dt_footprints_conflict(const struct dt_footprint *a, const struct dt_footprint *b);

/* --- trace -------------------------------------------------------------- */

void dt_machine_set_trace(struct dt_machine *m, int on);
size_t dt_machine_trace_count(const struct dt_machine *m);
const struct dt_trace_event *dt_machine_trace(const struct dt_machine *m);

/* --- schedules ------------------------------------------------------------ */

/*
 * Expand schedule item `item` against this machine's names and CPU count
 * into a choice; error text (with the item's column) in *err.
 */
int dt_schedule_item_choice(const struct dt_machine *m, const struct dt_schedule_item *item,
			    struct dt_choice *out, struct dt_schedule_error *err);
/* The printable item for a choice (names from the machine). */
void dt_choice_item(const struct dt_machine *m, const struct dt_choice *c,
		    struct dt_schedule_item *out);

/* Does the schedule's header fit this machine (its CPU count, and the
 * lesson version when both carry one)?  DT_OK, or DT_EINVAL with *err. */
int dt_schedule_fits(const struct dt_machine *m, const struct dt_schedule *s,
		     struct dt_schedule_error *err);
/* May choice c (bound from item) be taken now?  DT_OK, or DT_EINVAL with
 * the item's column and the reason (the run ended, or why it is not
 * enabled), the same refusals dt_machine_replay gives. */
int dt_schedule_choice_check(const struct dt_machine *m, const struct dt_schedule_item *item,
			     const struct dt_choice *c, struct dt_schedule_error *err);
/* Apply every choice of a parsed schedule, refusing (with the item's
 * column and the reason) one that does not fit: wrong CPU count, another
 * lesson version, an unknown name, a choice not enabled at that point. */
int dt_machine_replay(struct dt_machine *m, const struct dt_schedule *s,
		      struct dt_schedule_error *err);

/* Why CPU `cpu` cannot step now ("it is spinning for lock 2, held by CPU 0"). */
const char *dt_cpu_blocked_reason(const struct dt_machine *m, unsigned cpu, char *buf,
				  size_t size);

/* Record the lesson's content hash (checked by replay, printed in schedules). */
void dt_machine_set_lesson_hash(struct dt_machine *m, uint32_t hash);

#endif /* DT_MACHINE_H */
