/*
 * machine.c - a machine's life cycle, its string pool and its bodies.
 *
 * Creating a machine resets the plain-data state and asks the host to
 * build the scenario.  "Start over" (engine-contract 6) is the same path:
 * destroy every body, reset, build again.  History never depends on
 * copying a body, because Lua coroutines cannot be copied.
 *
 * Bodies live in slots; the slot number is what the state records, the
 * host's pointer stays here, outside the state, so no host pointer can
 * reach a snapshot or a trace.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "machine_int.h"

void dt_config_default(struct dt_config *cfg, unsigned ncpus)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ncpus = ncpus;
	cfg->trace = 1;
	cfg->sw.tick_us = 1000;
	cfg->sw.watchdog_single_us = 5000;
	cfg->sw.watchdog_cumulative_us = 20000;
	cfg->sw.step_limit = 100000;
	cfg->sw.low_dpc_threshold = 4;
}

/* ---- string pool ------------------------------------------------------ */

static uint32_t str_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static int strings_grow_slots(struct dt_strings *p)
{
	uint32_t n = p->nslots ? p->nslots * 2 : 64;
	uint32_t *slots = calloc(n, sizeof(*slots));
	if (!slots)
		return -1;
	for (uint32_t id = 1; id < p->n; id++) {
		uint32_t i = str_hash(p->strs[id]) & (n - 1);
		while (slots[i])
			i = (i + 1) & (n - 1);
		slots[i] = id;
	}
	free(p->slots);
	p->slots = slots;
	p->nslots = n;
	return 0;
}

static int strings_init(struct dt_strings *p)
{
	memset(p, 0, sizeof(*p));
	p->cap = 16;
	p->strs = calloc(p->cap, sizeof(char *));
	if (!p->strs)
		return -1;
	p->strs[0] = strdup("");
	p->n = 1;
	if (!p->strs[0] || strings_grow_slots(p))
		return -1;
	return 0;
}

static void strings_free(struct dt_strings *p)
{
	for (uint32_t i = 0; i < p->n; i++)
		free(p->strs[i]);
	free(p->strs);
	free(p->slots);
	memset(p, 0, sizeof(*p));
}

uint32_t dt_machine_intern(struct dt_machine *m, const char *s)
{
	struct dt_strings *p = &m->strings;
	if (!s || !*s)
		return 0;
	uint32_t i = str_hash(s) & (p->nslots - 1);
	while (p->slots[i]) {
		if (strcmp(p->strs[p->slots[i]], s) == 0)
			return p->slots[i];
		i = (i + 1) & (p->nslots - 1);
	}
	if (p->n == p->cap) {
		char **strs = realloc(p->strs, (size_t)p->cap * 2 * sizeof(char *));
		if (!strs)
			return 0;
		p->strs = strs;
		p->cap *= 2;
	}
	char *copy = strdup(s);
	if (!copy)
		return 0;
	uint32_t id = p->n++;
	p->strs[id] = copy;
	p->slots[i] = id;
	if (p->n * 2 > p->nslots && strings_grow_slots(p))
		return id; /* still findable by id; lookups degrade, never fail */
	return id;
}

const char *dt_machine_string(const struct dt_machine *m, uint32_t id)
{
	if (!m || id >= m->strings.n)
		return "";
	return m->strings.strs[id];
}

/* ---- state reset and scenario build ----------------------------------- */

static void state_reset(struct dt_machine *m)
{
	struct dt_state *st = &m->st;
	/* Only the first ncpus CPU entries are live: the rest of the array,
	 * zero since dt_machine_create, is never written (the explorer starts
	 * over for every branch it tries, and the state is mostly that tail). */
	memset(st, 0, dt_state_size(m->cfg.ncpus));
	st->magic = DT_STATE_MAGIC;
	st->ncpus = (uint16_t)m->cfg.ncpus;
	st->seed = m->cfg.seed;
	st->sw = m->cfg.sw;
	st->last_cpu = -1;
	st->outcome.cpu = -1;
	for (unsigned i = 0; i < DT_MAX_CPUS; i++) {
		st->cpus[i].next_tick_us = st->sw.tick_us;
		st->cpus[i].drain_irql = DT_PASSIVE_LEVEL;
	}
}

static void bodies_destroy(struct dt_machine *m)
{
	for (unsigned i = 0; i < DT_MAX_BODIES; i++) {
		if (m->bodies[i] && m->host && m->host->body_destroy)
			m->host->body_destroy(m->ctx, m->bodies[i]);
		m->bodies[i] = NULL;
	}
}

static int scenario_build(struct dt_machine *m)
{
	state_reset(m);
	m->ntrace = 0;
	m->trace_oom = 0;
	m->trace_on = m->cfg.trace;
	if (m->host && m->host->build) {
		int rc = m->host->build(m->ctx, m);
		if (rc < 0 && !dt_halted(m))
			dt_machine_fail_lesson(m, "the scenario could not be built",
					       (struct dt_srcpos){ 0, 0 });
	}
	return DT_OK;
}

static int config_valid(const struct dt_config *cfg)
{
	return cfg && cfg->ncpus >= 1 && cfg->ncpus <= DT_MAX_CPUS;
}

int dt_machine_create(const struct dt_config *cfg, const struct dt_host_ops *host, void *ctx,
		      struct dt_machine **out)
{
	if (!out)
		return DT_EINVAL;
	*out = NULL;
	if (!config_valid(cfg))
		return DT_EINVAL;
	if (host && (!host->body_create || !host->body_resume))
		return DT_EINVAL;
	struct dt_machine *m = calloc(1, sizeof(*m));
	if (!m)
		return DT_ENOMEM;
	m->cfg = *cfg;
	if (m->cfg.sw.step_limit == 0)
		m->cfg.sw.step_limit = 100000;
	if (m->cfg.sw.low_dpc_threshold == 0)
		m->cfg.sw.low_dpc_threshold = 4;
	m->host = host;
	m->ctx = ctx;
	if (strings_init(&m->strings)) {
		dt_machine_destroy(m);
		return DT_ENOMEM;
	}
	scenario_build(m);
	*out = m;
	return DT_OK;
}

void dt_machine_destroy(struct dt_machine *m)
{
	if (!m)
		return;
	bodies_destroy(m);
	free(m->trace);
	strings_free(&m->strings);
	free(m);
}

int dt_machine_start_over(struct dt_machine *m)
{
	if (!m)
		return DT_EINVAL;
	bodies_destroy(m);
	return scenario_build(m);
}

int dt_machine_clone(const struct dt_machine *m, struct dt_machine **out)
{
	if (!m || !out)
		return DT_EINVAL;
	*out = NULL;
	if (m->host && !m->host->body_clone)
		return DT_EINVAL;
	struct dt_machine *c = calloc(1, sizeof(*c));
	if (!c)
		return DT_ENOMEM;
	c->st = m->st;
	c->cfg = m->cfg;
	c->host = m->host;
	c->ctx = m->ctx;
	c->trace_on = m->trace_on;
	if (strings_init(&c->strings))
		goto fail;
	for (uint32_t id = 1; id < m->strings.n; id++)
		if (dt_machine_intern(c, m->strings.strs[id]) != id)
			goto fail;
	if (m->ntrace) {
		c->trace = malloc(m->ntrace * sizeof(*c->trace));
		if (!c->trace)
			goto fail;
		memcpy(c->trace, m->trace, m->ntrace * sizeof(*c->trace));
		c->ntrace = c->trace_cap = m->ntrace;
	}
	for (unsigned i = 0; i < DT_MAX_BODIES; i++) {
		if (!m->bodies[i])
			continue;
		c->bodies[i] = m->host->body_clone(m->ctx, m->bodies[i]);
		if (!c->bodies[i])
			goto fail;
	}
	*out = c;
	return DT_OK;
fail:
	dt_machine_destroy(c);
	return DT_ENOMEM;
}

const struct dt_state *dt_machine_state(const struct dt_machine *m)
{
	return m ? &m->st : NULL;
}

/* ---- bodies ------------------------------------------------------------- */

/* A body that never reaches an operation: at DISPATCH or above the CPU
 * never gets back, which real Windows ends with the DPC watchdog (R33). */
static void body_over_budget(struct dt_machine *m, unsigned cpu, struct dt_frame *f,
			     const struct dt_body_reply *r)
{
	const char *msg = r->message[0] ? r->message : "ran its whole budget without a step";
	if (m->st.cpus[cpu].irql >= DT_DISPATCH_LEVEL) {
		dt_bugcheck(m, (int)cpu, DT_BUGCODE_DPC_WATCHDOG_VIOLATION, 0, f->charge_us,
			    m->st.sw.watchdog_single_us, 0, DT_BCR_BODY_BUDGET, 33);
		m->st.outcome.message = dt_machine_intern(m, msg);
		m->st.outcome.pos = r->pos;
		return;
	}
	dt_machine_fail_lesson(m, msg, r->pos);
}

static void body_reply_apply(struct dt_machine *m, unsigned cpu, struct dt_frame *f,
			     const struct dt_body_reply *r)
{
	switch (r->status) {
	case DT_BODY_OP:
		if (r->op.kind == DT_OP_NONE || r->op.kind >= DT_OP_KIND_COUNT) {
			dt_machine_fail_lesson(m, "a body asked for an unknown operation", r->op.pos);
			return;
		}
		f->op = r->op;
		f->state = DT_FS_AT_OP;
		break;
	case DT_BODY_RETURNED:
		f->retval = r->retval;
		f->op.kind = DT_OP_NONE;
		f->op.pos = r->pos;
		f->state = DT_FS_RETURNED;
		break;
	case DT_BODY_BUDGET:
		body_over_budget(m, cpu, f, r);
		break;
	default:
		dt_machine_fail_lesson(m, r->message[0] ? r->message : "the lesson failed", r->pos);
		break;
	}
}

/* Create the body for `call` in frame f and run it to its first operation. */
uint16_t dt_body_start(struct dt_machine *m, const struct dt_call *call, unsigned cpu,
		       struct dt_frame *f)
{
	(void)cpu;
	unsigned slot;
	for (slot = 0; slot < DT_MAX_BODIES && m->bodies[slot]; slot++)
		;
	if (slot == DT_MAX_BODIES || !m->host) {
		dt_machine_fail_lesson(m, "no body can be created here", (struct dt_srcpos){ 0, 0 });
		return DT_NONE;
	}
	void *b = m->host->body_create(m->ctx, call);
	if (!b) {
		dt_machine_fail_lesson(m, "the host could not create a body", (struct dt_srcpos){ 0, 0 });
		return DT_NONE;
	}
	m->bodies[slot] = b;
	f->body = (uint16_t)slot;
	if (slot + 1 > m->st.nbodies)
		m->st.nbodies = (uint16_t)(slot + 1);
	struct dt_value nil = dt_nil();
	dt_body_resume(m, cpu, f, &nil);
	return (uint16_t)slot;
}

void dt_body_resume(struct dt_machine *m, unsigned cpu, struct dt_frame *f,
		    const struct dt_value *result)
{
	struct dt_body_reply r;
	/* Everything but the message text, which is read as a string only. */
	memset(&r, 0, offsetof(struct dt_body_reply, message));
	r.message[0] = '\0';
	r.status = DT_BODY_ERROR;
	if (f->body == DT_NONE || !m->bodies[f->body]) {
		dt_machine_fail_lesson(m, "resumed a body that does not exist", f->op.pos);
		return;
	}
	m->host->body_resume(m->ctx, m->bodies[f->body], result, &r);
	r.message[sizeof(r.message) - 1] = '\0';
	body_reply_apply(m, cpu, f, &r);
}

void dt_body_end(struct dt_machine *m, struct dt_frame *f)
{
	if (f->body != DT_NONE && m->bodies[f->body]) {
		if (m->host && m->host->body_destroy)
			m->host->body_destroy(m->ctx, m->bodies[f->body]);
		m->bodies[f->body] = NULL;
	}
	f->body = DT_NONE;
}

void dt_machine_set_trace(struct dt_machine *m, int on)
{
	if (m)
		m->trace_on = on ? 1 : 0;
}

size_t dt_machine_trace_count(const struct dt_machine *m)
{
	return m ? m->ntrace : 0;
}

const struct dt_trace_event *dt_machine_trace(const struct dt_machine *m)
{
	return m ? m->trace : NULL;
}
