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

/* cpu.c */
static inline struct dt_frame *dt_top(struct dt_cpu *c)
{
	return c->nframes ? &c->frames[c->nframes - 1] : NULL;
}
void dt_set_irql(struct dt_machine *m, unsigned cpu, unsigned irql);
int dt_lock_try(struct dt_machine *m, unsigned lock, unsigned cpu, unsigned frame);
void dt_lock_release(struct dt_machine *m, unsigned lock);

#endif /* DT_MACHINE_INT_H */
