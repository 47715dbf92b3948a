/*
 * kp_fx.c - the harness of the Ke DPC and passive-interrupt rule tests
 * (see kp_fx.h).
 */
#include "kp_fx.h"

static const char *const var_names[V_COUNT] = {
	"a", "b", "c", "irql", "cpu", "dirql", "dcpu", "mark", "other",
};

/* ---- the harness ------------------------------------------------------- */

static int kp_build(struct dt_chost *h, struct dt_machine *m)
{
	struct kp *k = h->user;
	for (unsigned v = 0; v < V_COUNT; v++)
		if (dt_var_create(m, var_names[v], dt_int(0), NULL))
			return -1;
	return k->build ? k->build(k, m) : 0;
}

void kp_init(struct kp *k, unsigned ncpus, int (*build)(struct kp *, struct dt_machine *))
{
	memset(k, 0, sizeof(*k));
	dt_config_default(&k->cfg, ncpus);
	k->host.progs = k->progs;
	k->host.build = kp_build;
	k->host.user = k;
	k->build = build;
	k->isr = k->dpc = k->wi = k->isr2 = DT_NO_CALLBACK;
	for (unsigned i = 0; i < 4; i++)
		k->routine[i] = k->body[i] = DT_NO_CALLBACK;
}

uint32_t kp_prog(struct kp *k, const struct dt_cinsn *code, unsigned len)
{
	ck_assert_uint_lt(k->host.nprogs, KP_MAX_PROGS);
	k->progs[k->host.nprogs] = (struct dt_cprog){ code, len };
	return k->host.nprogs++;
}

const struct dt_state *kp_st(struct kp *k)
{
	return dt_machine_state(k->m);
}

void kp_start(struct kp *k)
{
	ck_assert_int_eq(dt_machine_create(&k->cfg, dt_chost_ops(), &k->host, &k->m), DT_OK);
	ck_assert_int_eq(kp_st(k)->outcome.kind, DT_RUNNING);
}

void kp_done(struct kp *k)
{
	dt_machine_destroy(k->m);
	k->m = NULL;
	ck_assert_uint_eq(k->host.live_bodies, 0);
}

uint32_t kp_now(struct kp *k)
{
	return kp_st(k)->step;
}

void kp_cpu(struct kp *k, unsigned cpu)
{
	struct dt_choice c = { .kind = DT_CHOICE_CPU, .cpu = (uint16_t)cpu };
	ck_assert_msg(dt_machine_step(k->m, &c) == DT_OK, "CPU %u could not step at step %u", cpu,
		      kp_now(k) + 1);
}

/* Device event `event` delivered to `cpu`: e(NAME)@K. */
void kp_fire(struct kp *k, unsigned event, unsigned cpu)
{
	struct dt_choice c = { .kind = DT_CHOICE_EVENT, .cpu = (uint16_t)cpu,
			       .object = (uint16_t)event };
	ck_assert_int_eq(dt_machine_step(k->m, &c), DT_OK);
}

/* The choice t(NAME)@K, bound by name as a printed schedule is. */
struct dt_choice kp_tchoice(struct kp *k, const char *name, unsigned cpu)
{
	struct dt_schedule_item it;
	struct dt_schedule_error err;
	struct dt_choice c;
	memset(&it, 0, sizeof(it));
	memset(&err, 0, sizeof(err));
	it.kind = DT_CHOICE_THREAD;
	it.cpu = (uint16_t)cpu;
	it.repeat = 1;
	snprintf(it.name, sizeof(it.name), "%s", name);
	ck_assert_msg(dt_schedule_item_choice(k->m, &it, &c, &err) == DT_OK, "t(%s)@%u: %s", name,
		      cpu, err.reason);
	ck_assert_int_eq(c.kind, DT_CHOICE_THREAD);
	return c;
}

int kp_t_enabled(struct kp *k, const char *name, unsigned cpu)
{
	struct dt_choice c = kp_tchoice(k, name, cpu);
	return dt_machine_choice_enabled(k->m, &c);
}

/* Dispatch thread NAME onto `cpu`: the choice t(NAME)@K. */
void kp_t(struct kp *k, const char *name, unsigned cpu)
{
	struct dt_choice c = kp_tchoice(k, name, cpu);
	ck_assert_msg(dt_machine_step(k->m, &c) == DT_OK, "t(%s)@%u not enabled at step %u", name,
		      cpu, kp_now(k) + 1);
}

/* Run round-robin to the end; it must end quiescent. */
void kp_run(struct kp *k)
{
	struct dt_sched s;
	dt_sched_round_robin(&s);
	dt_sched_run(&s, k->m, 100000);
	ck_assert_int_eq(kp_st(k)->outcome.kind, DT_QUIESCENT);
}

/* The n-th (0-based) trace event of a kind; fails the test if absent. */
const struct dt_trace_event *kp_ev(struct kp *k, unsigned kind, unsigned n)
{
	const struct dt_trace_event *t = dt_machine_trace(k->m);
	unsigned want = n;
	for (size_t i = 0; i < dt_machine_trace_count(k->m); i++)
		if (t[i].kind == kind && n-- == 0)
			return &t[i];
	ck_abort_msg("no trace event of kind %u number %u", kind, want);
	return NULL;
}

unsigned kp_count(struct kp *k, unsigned kind)
{
	const struct dt_trace_event *t = dt_machine_trace(k->m);
	unsigned n = 0;
	for (size_t i = 0; i < dt_machine_trace_count(k->m); i++)
		n += t[i].kind == kind;
	return n;
}

/* The last trace event of a kind, NULL when there is none. */
const struct dt_trace_event *kp_last(struct kp *k, unsigned kind)
{
	const struct dt_trace_event *t = dt_machine_trace(k->m);
	for (size_t i = dt_machine_trace_count(k->m); i-- > 0;)
		if (t[i].kind == kind)
			return &t[i];
	return NULL;
}

/* A watched value was written, last with `want`. */
void ck_var(struct kp *k, unsigned v, int64_t want)
{
	const struct dt_var *var = &kp_st(k)->vars[v];
	ck_assert_msg(var->last_writer_cpu >= 0, "%s was never written", var_names[v]);
	ck_assert_int_eq(var->value.u.i, want);
}

void ck_unwritten(struct kp *k, unsigned v)
{
	ck_assert_msg(kp_st(k)->vars[v].last_writer_cpu == -1, "%s was written", var_names[v]);
}

/* The DPC queue of `cpu` holds exactly `want`, head first. */
void ck_queue(struct kp *k, unsigned cpu, const uint8_t *want, unsigned n)
{
	const struct dt_cpu *c = &kp_st(k)->cpus[cpu];
	ck_assert_uint_eq(c->qlen, n);
	for (unsigned i = 0; i < n; i++)
		ck_assert_msg(c->queue[i] == want[i], "CPU %u queue[%u] = %u, want %u", cpu, i,
			      c->queue[i], want[i]);
}

void ck_no_bugcheck(struct kp *k)
{
	ck_assert_int_ne(kp_st(k)->outcome.kind, DT_BUGCHECK);
	ck_assert_uint_eq(kp_count(k, DT_EV_BUGCHECK), 0);
}

/* ---- building blocks for build functions ------------------------------ */

/* A device with one line and one event named after it (bits = 1). */
unsigned mk_dev(struct dt_machine *m, const char *name, unsigned kind, unsigned dirql,
		       uint64_t affinity)
{
	unsigned dev, line;
	ck_assert_int_eq(dt_device_create(m, name, &dev), DT_OK);
	enum dt_line_kind lk = (enum dt_line_kind)kind;
	ck_assert_int_eq(dt_device_add_line(m, dev, lk, dirql, affinity, &line), DT_OK);
	ck_assert_int_eq(dt_event_create(m, name, dev, line, 1, NULL), DT_OK);
	return dev;
}

/* WdfInterruptCreate that must succeed. */
uint64_t mk_intr(struct dt_machine *m, unsigned dev, uint32_t isr, uint32_t dpc,
			uint32_t work_item, int passive)
{
	struct dt_interrupt_config c;
	uint32_t status;
	uint64_t h;
	dt_interrupt_config_init(&c, isr, dpc);
	c.work_item = work_item;
	c.passive_handling = (uint8_t)passive;
	ck_assert_int_eq(dt_interrupt_create(m, dev, &c, &status, &h), DT_OK);
	ck_assert_uint_eq(status, DT_STATUS_SUCCESS);
	ck_assert_uint_ne(h, 0);
	return h;
}

uint64_t mk_kdpc(struct dt_machine *m, uint32_t routine)
{
	uint64_t h;
	ck_assert_int_eq(dt_kdpc_create(m, routine, &h), DT_OK);
	return h;
}

unsigned mk_thread(struct dt_machine *m, const char *name, uint32_t callback,
			  uint64_t affinity)
{
	unsigned t;
	ck_assert_int_eq(dt_thread_create(m, name, callback, affinity, &t), DT_OK);
	return t;
}

/* Plain KDPC routines. */
const struct dt_cinsn routine_step[] = {
	CP_STEP(1),
	CP_RETI(0),
};

/* A thread that keeps its CPU busy at PASSIVE forever. */
const struct dt_cinsn thread_busy[] = {
	CP_STEP(1), /* 0 */
	CP_JMP(0),  /* 1 */
};

/* Passive device "sens" (edge, DIRQL 5, CPUs of k->affinity) with isr and
 * dpc (or work item wi), then lesson threads "appN" running body[N]. */
int build_sens(struct kp *k, struct dt_machine *m)
{
	uint64_t aff = k->affinity ? k->affinity : (1ull << k->cfg.ncpus) - 1;
	mk_dev(m, "sens", DT_LINE_EDGE, 5, aff);
	k->intr[0] = mk_intr(m, 0, k->isr, k->dpc, k->wi, 1);
	for (unsigned i = 0; i < 4; i++) {
		char name[16];
		if (k->body[i] == DT_NO_CALLBACK)
			continue;
		snprintf(name, sizeof(name), "app%u", i);
		k->thread[i] = mk_thread(m, name, k->body[i], 0);
	}
	return 0;
}
