/*
 * machine_int.h - the machine's private parts, shared by engine/ files.
 *
 * struct dt_machine wraps the plain-data state (dt_state.h) with what is
 * not plain data: the host and its bodies, the trace buffer and the
 * string pool.  Every engine file that changes the state includes this;
 * nothing outside engine/ does.
 */
#ifndef DT_MACHINE_INT_H
#define DT_MACHINE_INT_H

#include "dt_machine.h"

#define DT_MAX_BODIES (DT_MAX_CPUS * DT_MAX_FRAMES)

/* The embedded DPC routine of a work-item interrupt: the framework's own,
 * which queues the work item (R41, R43). */
#define DT_ROUTINE_QUEUE_WORKITEM 0xFFFFFFFEu

struct dt_strings {
	char **strs;       /* id -> text; id 0 is "" */
	uint32_t n, cap;
	uint32_t *slots;   /* open-addressing hash of ids, 0 = empty */
	uint32_t nslots;
};

/* Scratch for the deadlock search (outcome.c): a path of spinning frames. */
struct wait_path {
	uint16_t cpu[DT_MAX_BODIES];
	uint8_t frame[DT_MAX_BODIES];
	unsigned n;
};

struct dt_machine {
	struct dt_state st;
	struct dt_config cfg;
	const struct dt_host_ops *host;
	void *ctx;
	void *bodies[DT_MAX_BODIES];   /* slot -> host body */
	struct dt_trace_event *trace;
	size_t ntrace, trace_cap;
	int trace_on;
	int trace_oom;                 /* a trace append failed: recording stopped */
	struct dt_trace_event scratch; /* target of emits while recording is off */
	struct wait_path wait_scratch;
	struct dt_strings strings;
	uint8_t step_irql_before;      /* IRQL of the stepping CPU at step start */
	int step_cpu;                  /* the CPU taking the current step, -1 */
};

/* machine.c */
uint16_t dt_body_start(struct dt_machine *m, const struct dt_call *call, unsigned cpu,
		       struct dt_frame *f);
void dt_body_resume(struct dt_machine *m, unsigned cpu, struct dt_frame *f,
		    const struct dt_value *result);
void dt_body_end(struct dt_machine *m, struct dt_frame *f);

/* trace.c */
struct dt_trace_event *dt_trace_emit(struct dt_machine *m, unsigned kind, int cpu);
void dt_trace_obj(struct dt_trace_event *e, unsigned obj_kind, unsigned object);

/* outcome.c */
void dt_bugcheck(struct dt_machine *m, int cpu, uint32_t code, uint64_t p1, uint64_t p2,
		 uint64_t p3, uint64_t p4, unsigned reason, unsigned rule);
void dt_check_deadlock(struct dt_machine *m, unsigned cpu);
static inline int dt_halted(const struct dt_machine *m)
{
	return m->st.outcome.kind != DT_RUNNING;
}

/* deliver.c */
void dt_device_event(struct dt_machine *m, unsigned event, unsigned cpu);
void dt_irq_request(struct dt_machine *m, unsigned interrupt, unsigned cpu, uint32_t cause_step);
void dt_line_update(struct dt_machine *m, unsigned device, int actor_cpu);
int dt_pending_highest(const struct dt_cpu *c);
void dt_pending_remove(struct dt_cpu *c, int slot);

/* dpc.c */
int dt_dpc_insert(struct dt_machine *m, unsigned dpc, unsigned cpu);
int dt_dpc_drain_due(const struct dt_cpu *c);

/* time.c */
void dt_charge_step(struct dt_machine *m, unsigned cpu, uint32_t cost_us);
void dt_charge_spinners(struct dt_machine *m, int stepped_cpu);
void dt_watchdog_check(struct dt_machine *m, unsigned cpu);

/* ops.c */
void dt_perform_op(struct dt_machine *m, unsigned cpu);

/* Outcomes of an operation handler: resume the body now with the result,
 * the operation waits (spinning, blocked, or a SYNC frame runs above),
 * or the machine halted. */
enum { DT_OPR_RESUME = 0, DT_OPR_WAIT = 1, DT_OPR_HALT = 2 };

/* ops.c */
void dt_invalid_handle(struct dt_machine *m, unsigned cpu, uint64_t handle, uint32_t type);
int dt_stale_check(struct dt_machine *m, unsigned cpu, unsigned intr, uint64_t handle);

/* interrupt.c */
int dt_op_interrupt(struct dt_machine *m, unsigned cpu, const struct dt_op *op,
		    struct dt_value *result);
int dt_op_continue(struct dt_machine *m, unsigned cpu, struct dt_value *result);
void dt_sync_return(struct dt_machine *m, unsigned cpu, struct dt_frame *sf);
int dt_workitem_queue(struct dt_machine *m, unsigned intr, int cpu);

/* kdpc.c */
int dt_op_kdpc(struct dt_machine *m, unsigned cpu, const struct dt_op *op,
	       struct dt_value *result);
int dt_op_lock(struct dt_machine *m, unsigned cpu, const struct dt_op *op,
	       struct dt_value *result);

/* lock.c */
int dt_waitlock_take(struct dt_machine *m, unsigned lock, unsigned thread);
void dt_waitlock_give(struct dt_machine *m, unsigned lock, unsigned thread);
int dt_current_thread(const struct dt_machine *m, unsigned cpu);
int dt_wait_acquire(struct dt_machine *m, unsigned cpu, unsigned lock);
int dt_wait_release(struct dt_machine *m, unsigned cpu, unsigned lock);
int dt_raise_irql(struct dt_machine *m, unsigned cpu, unsigned irql);
int dt_may_wait(struct dt_machine *m, unsigned cpu);
int dt_spin_acquire(struct dt_machine *m, unsigned cpu, unsigned lock, int raise_to);
int dt_spin_release(struct dt_machine *m, unsigned cpu, unsigned lock);
int dt_frame_check_released(struct dt_machine *m, struct dt_frame *f);

/* thread.c */
int dt_thread_new(struct dt_machine *m, unsigned kind, const char *name, uint32_t callback,
		  uint64_t affinity, unsigned interrupt, unsigned *out);
int dt_thread_can_dispatch(const struct dt_machine *m, unsigned thread, unsigned cpu);
void dt_thread_dispatch(struct dt_machine *m, unsigned thread, unsigned cpu);
void dt_thread_block(struct dt_machine *m, unsigned cpu, unsigned wait_kind, unsigned object);
void dt_thread_wake(struct dt_machine *m, unsigned thread, struct dt_value result);
void dt_thread_make_ready(struct dt_machine *m, unsigned thread);
int dt_dpcs_flushed(const struct dt_machine *m, uint32_t step, unsigned only);
void dt_threads_recheck(struct dt_machine *m);
void dt_thread_return(struct dt_machine *m, unsigned cpu, struct dt_frame *f);

/* passive.c */
void dt_trap_return(struct dt_machine *m, unsigned cpu, struct dt_frame *f);
void dt_passive_isr_done(struct dt_machine *m, unsigned intr, unsigned cpu);
void dt_workq_add(struct dt_machine *m, unsigned intr);
void dt_workq_next(struct dt_machine *m, unsigned worker);
int dt_workers_ensure(struct dt_machine *m);

/* verifier.c: 1 proceed, 0 return without acting, -1 halted */
int dt_verifier_finding(struct dt_machine *m, unsigned cpu, unsigned finding, unsigned rule);

/* outcome.c */
void dt_check_thread_deadlock(struct dt_machine *m, unsigned thread);

/* cpu.c */
struct dt_frame *dt_frame_push(struct dt_machine *m, unsigned cpu, unsigned kind,
			       unsigned object, unsigned irql);
static inline struct dt_frame *dt_top(struct dt_cpu *c)
{
	return c->nframes ? &c->frames[c->nframes - 1] : NULL;
}
void dt_set_irql(struct dt_machine *m, unsigned cpu, unsigned irql);
int dt_lock_try(struct dt_machine *m, unsigned lock, unsigned cpu, unsigned frame);
void dt_lock_release(struct dt_machine *m, unsigned lock);

#endif /* DT_MACHINE_INT_H */
