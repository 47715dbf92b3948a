/*
 * explore.c - stateless systematic exploration (dt_explore.h).
 *
 * The tree of runs is walked depth first with an explicit stack.  Node d
 * holds the choices available after the first d choices of the current
 * path, and which of them are still to try.  The machine is "at" some
 * depth of the path; to try the next sibling at depth d after exploring a
 * deeper subtree, it starts over and replays path[0..d) (bodies re-run:
 * Lua coroutines cannot be copied).  A first child needs no replay, so a
 * replay happens once per backtrack.
 *
 * Preemptions: choosing a CPU other than the one that took the previous
 * step while that one could still step.  Events are counted on their own
 * and do not move "the previous CPU".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dt_explore.h"
#include "machine_int.h"

#define END_CHOICE 0xFF /* pseudo-choice: no more events, the run ends here */

struct option_ {
	struct dt_choice c;
	struct dt_footprint fp;
};

struct node {
	struct option_ *opts;
	unsigned nopts, next;
	struct option_ *sleep;  /* sleep set (reduction only) */
	unsigned nsleep;
	int16_t prev_cpu;       /* the CPU of the last CPU/thread step, -1 */
	uint8_t prev_can_step;  /* could that CPU still step here? */
	uint32_t preemptions;   /* along the path to this node */
	uint32_t events;
	uint8_t hit;            /* the exists-goal held somewhere on the path */
	uint16_t used[DT_EXPLORE_MAX_FREE]; /* free events placed so far, per entry */
};

struct explorer {
	struct dt_machine *m;
	struct dt_explore_bounds b;
	const struct dt_free_event *free_events;
	unsigned nfree;
	const struct dt_explore_hooks *hooks;
	struct dt_explore_report *r;
	int reduce;
	struct node *stack;
	unsigned depth, cap;       /* nodes on the stack */
	struct dt_choice *path;    /* path[i]: the choice taken at depth i */
	unsigned mdepth;           /* the machine is after path[0..mdepth) */
};

static int same_choice(const struct dt_choice *a, const struct dt_choice *b)
{
	return a->kind == b->kind && a->cpu == b->cpu && a->object == b->object;
}

static int witness_set(struct dt_witness *w, const struct dt_choice *path, unsigned n,
		       uint32_t preemptions, uint32_t events)
{
	struct dt_choice *c = realloc(w->choices, (n ? n : 1) * sizeof(*c));
	if (!c)
		return -1;
	memcpy(c, path, n * sizeof(*c));
	w->choices = c;
	w->n = n;
	w->preemptions = preemptions;
	w->events = events;
	return 0;
}

/* Keep w if it is the first, or has fewer preemptions (then fewer steps). */
static void witness_offer(struct dt_witness *w, const struct dt_choice *path, unsigned n,
			  uint32_t preemptions, uint32_t events)
{
	if (w->choices && (w->preemptions < preemptions ||
			   (w->preemptions == preemptions && w->n <= n)))
		return;
	witness_set(w, path, n, preemptions, events);
}

/* ---- the machine at a depth ------------------------------------------- */

static int rebuild(struct explorer *x, unsigned d)
{
	if (dt_machine_start_over(x->m))
		return -1;
	dt_machine_set_trace(x->m, 0);
	for (unsigned i = 0; i < d; i++) {
		if (dt_machine_step(x->m, &x->path[i]) != DT_OK) {
			snprintf(x->r->message, sizeof(x->r->message),
				 "replay diverged at step %u: the scenario is not deterministic", i + 1);
			return -1;
		}
		x->r->steps++;
	}
	x->mdepth = d;
	return 0;
}

/* ---- choices at a node -------------------------------------------------- */

static int opts_push(struct node *n, unsigned *cap, const struct dt_choice *c,
		     const struct dt_machine *m)
{
	if (n->nopts == *cap) {
		unsigned nc = *cap ? *cap * 2 : 16;
		struct option_ *o = realloc(n->opts, nc * sizeof(*o));
		if (!o)
			return -1;
		n->opts = o;
		*cap = nc;
	}
	struct option_ *o = &n->opts[n->nopts++];
	memset(o, 0, sizeof(*o));
	o->c = *c;
	if (c->kind != END_CHOICE)
		dt_choice_footprint(m, c, &o->fp);
	return 0;
}

/* Fill node n's options from the machine's current state. */
static int enumerate(struct explorer *x, struct node *n)
{
	const struct dt_state *st = dt_machine_state(x->m);
	struct dt_choice en[DT_MAX_CPUS * (DT_MAX_THREADS + 1)];
	unsigned cap = 0;
	unsigned k = dt_machine_enabled(x->m, en, sizeof(en) / sizeof(en[0]));
	n->nopts = 0;
	n->next = 0;
	for (unsigned i = 0; i < k; i++)
		if (opts_push(n, &cap, &en[i], x->m))
			return -1;
	unsigned stepping = n->nopts;
	for (unsigned f = 0; f < x->nfree && n->events < x->b.max_events; f++) {
		if (n->used[f] >= x->free_events[f].max)
			continue;
		const struct dt_event *ev = &st->events[x->free_events[f].event];
		uint64_t aff = st->devices[ev->device].lines[ev->line].affinity;
		for (unsigned cpu = 0; cpu < st->ncpus; cpu++) {
			if (!((aff >> cpu) & 1))
				continue;
			struct dt_choice c = { .kind = DT_CHOICE_EVENT, .cpu = (uint16_t)cpu,
					       .object = x->free_events[f].event };
			if (opts_push(n, &cap, &c, x->m))
				return -1;
		}
	}
	if (stepping == 0) { /* nothing can step: the run may also end here */
		struct dt_choice end = { .kind = END_CHOICE };
		if (opts_push(n, &cap, &end, x->m))
			return -1;
	}
	n->prev_can_step = n->prev_cpu >= 0 && dt_cpu_can_step(x->m, (unsigned)n->prev_cpu);
	return 0;
}

static int in_sleep(const struct node *n, const struct dt_choice *c)
{
	for (unsigned i = 0; i < n->nsleep; i++)
		if (same_choice(&n->sleep[i].c, c))
			return 1;
	return 0;
}

/* The child's sleep set: the parent's sleepers and earlier siblings that
 * commute with the choice taken (sleep sets, Godefroid). */
static int child_sleep(struct explorer *x, const struct node *p, const struct option_ *taken,
		       struct node *child)
{
	child->nsleep = 0;
	child->sleep = NULL;
	if (!x->reduce)
		return 0;
	unsigned max = p->nsleep + p->next;
	if (!max)
		return 0;
	child->sleep = malloc(max * sizeof(*child->sleep));
	if (!child->sleep)
		return -1;
	for (unsigned i = 0; i < p->nsleep; i++)
		if (!dt_footprints_conflict(&p->sleep[i].fp, &taken->fp))
			child->sleep[child->nsleep++] = p->sleep[i];
	for (unsigned i = 0; i + 1 < p->next; i++) { /* siblings tried before `taken` */
		const struct option_ *o = &p->opts[i];
		if (o->c.kind == END_CHOICE || in_sleep(p, &o->c))
			continue;
		if (!dt_footprints_conflict(&o->fp, &taken->fp))
			child->sleep[child->nsleep++] = *o;
	}
	return 0;
}

/* ---- outcomes ------------------------------------------------------------ */

static int value_eq(const struct dt_value *a, const struct dt_value *b)
{
	return a->kind == b->kind && memcmp(&a->u, &b->u, sizeof(a->u)) == 0;
}

static void record_outcome(struct explorer *x, const struct node *n)
{
	const struct dt_state *st = dt_machine_state(x->m);
	struct dt_explore_report *r = x->r;
	unsigned kind = st->outcome.kind == DT_RUNNING ? DT_QUIESCENT : st->outcome.kind;
	uint32_t code = kind == DT_BUGCHECK ? st->outcome.code : 0;
	for (unsigned i = 0; i < r->noutcomes; i++) {
		struct dt_explore_outcome *o = &r->outcomes[i];
		if (o->kind != kind || o->code != code || o->nvalues != st->nvars)
			continue;
		unsigned v;
		for (v = 0; v < st->nvars && value_eq(&o->values[v], &st->vars[v].value); v++)
			;
		if (v < st->nvars)
			continue;
		o->count++;
		witness_offer(&o->witness, x->path, x->depth, n->preemptions, n->events);
		return;
	}
	if (r->noutcomes == DT_EXPLORE_MAX_OUTCOMES) {
		r->truncated = 1;
		return;
	}
	struct dt_explore_outcome *o = &r->outcomes[r->noutcomes++];
	memset(o, 0, sizeof(*o));
	o->kind = (uint8_t)kind;
	o->code = code;
	o->nvalues = st->nvars;
	for (unsigned v = 0; v < st->nvars; v++)
		o->values[v] = st->vars[v].value;
	o->count = 1;
	witness_set(&o->witness, x->path, x->depth, n->preemptions, n->events);
}

/* A run ended at the machine's current state: judge and record it. */
static void run_ended(struct explorer *x, const struct node *n)
{
	const struct dt_explore_hooks *h = x->hooks;
	if (h && h->violated && h->violated(h->ctx, x->m, 1)) {
		x->r->violations++;
		witness_offer(&x->r->counterexample, x->path, x->depth, n->preemptions,
			      n->events);
	}
	if (n->hit)
		x->r->hits++;
	record_outcome(x, n);
	x->r->runs++;
}

/* After a step: the exists-goal; 1 when the run is over (an outcome). */
static int after_step(struct explorer *x, struct node *n)
{
	const struct dt_explore_hooks *h = x->hooks;
	if (h && h->reached && h->reached(h->ctx, x->m)) {
		if (!n->hit)
			witness_offer(&x->r->hit, x->path, x->depth, n->preemptions, n->events);
		n->hit = 1;
	}
	if (dt_machine_state(x->m)->outcome.kind != DT_RUNNING) {
		run_ended(x, n);
		return 1;
	}
	return 0;
}

/* Can the run go on from here (a step, or a free event still to place)? */
static int can_go_on(const struct explorer *x, const struct node *n)
{
	if (dt_machine_enabled(x->m, NULL, 0))
		return 1;
	if (n->events >= x->b.max_events)
		return 0;
	for (unsigned f = 0; f < x->nfree; f++)
		if (n->used[f] < x->free_events[f].max)
			return 1;
	return 0;
}

/* ---- the walk ------------------------------------------------------------- */

static int push(struct explorer *x, const struct node *parent, const struct option_ *taken)
{
	if (x->depth == x->cap) {
		unsigned nc = x->cap * 2;
		struct node *s = realloc(x->stack, nc * sizeof(*s));
		struct dt_choice *p = realloc(x->path, nc * sizeof(*p));
		if (s)
			x->stack = s;
		if (p)
			x->path = p;
		if (!s || !p)
			return -1;
		memset(&x->stack[x->cap], 0, (nc - x->cap) * sizeof(*s));
		x->cap = nc;
		parent = &x->stack[x->depth - 1];
	}
	struct node *n = &x->stack[x->depth];
	struct option_ *keep = n->opts;
	memset(n, 0, sizeof(*n));
	n->opts = keep;
	n->preemptions = parent->preemptions;
	n->events = parent->events;
	memcpy(n->used, parent->used, sizeof(n->used));
	n->prev_cpu = parent->prev_cpu;
	if (taken->c.kind == DT_CHOICE_EVENT) {
		n->events++;
		for (unsigned f = 0; f < x->nfree; f++)
			if (x->free_events[f].event == taken->c.object) {
				n->used[f]++;
				break;
			}
	} else {
		if (parent->prev_cpu >= 0 && parent->prev_can_step &&
		    taken->c.cpu != parent->prev_cpu)
			n->preemptions++;
		n->prev_cpu = (int16_t)taken->c.cpu;
	}
	if (child_sleep(x, parent, taken, n))
		return -1;
	x->depth++;
	return enumerate(x, n);
}

static void pop(struct explorer *x)
{
	struct node *n = &x->stack[x->depth - 1];
	free(n->sleep);
	n->sleep = NULL;
	n->nsleep = 0;
	x->depth--;
}

/* Try the next option of the top node; 0 on progress, -1 on error. */
static int advance(struct explorer *x)
{
	struct node *n = &x->stack[x->depth - 1];
	unsigned d = x->depth - 1; /* the node's state is after path[0..d) */
	struct option_ *o = &n->opts[n->next++];
	if (o->c.kind != DT_CHOICE_EVENT && o->c.kind != END_CHOICE && n->prev_cpu >= 0 &&
	    n->prev_can_step && o->c.cpu != n->prev_cpu &&
	    n->preemptions + 1 > x->b.max_preemptions) {
		x->r->pruned++;
		return 0;
	}
	if (x->reduce && in_sleep(n, &o->c)) {
		x->r->slept++;
		return 0;
	}
	if (x->mdepth != d && rebuild(x, d))
		return -1;
	if (o->c.kind == END_CHOICE) {
		dt_machine_settle(x->m, 0);
		x->mdepth = (unsigned)-1; /* settled: not a replayable depth */
		const struct dt_explore_hooks *h = x->hooks;
		unsigned save = x->depth;
		x->depth = d; /* the run is path[0..d): END is not a choice of the log */
		struct node end = *n;
		if (h && h->reached && h->reached(h->ctx, x->m)) {
			if (!end.hit)
				witness_offer(&x->r->hit, x->path, d, n->preemptions, n->events);
			end.hit = 1;
		}
		run_ended(x, &end);
		x->depth = save;
		return 0;
	}
	if (dt_machine_step(x->m, &o->c) != DT_OK) {
		snprintf(x->r->message, sizeof(x->r->message),
			 "an enabled choice was refused at step %u", d + 1);
		return -1;
	}
	x->r->steps++;
	x->path[d] = o->c;
	x->mdepth = d + 1;
	unsigned save = x->depth;
	x->depth = d + 1; /* the path is d+1 long for the hooks and witnesses */
	struct node tmp = *n;
	if (o->c.kind == DT_CHOICE_EVENT)
		tmp.events++;
	else if (n->prev_cpu >= 0 && n->prev_can_step && o->c.cpu != n->prev_cpu)
		tmp.preemptions++;
	int over = after_step(x, &tmp);
	if (!over && d + 1 >= x->b.max_steps) {
		if (can_go_on(x, &tmp)) {
			x->r->incomplete++; /* cut by the bound: counted, never an outcome */
		} else {
			dt_machine_settle(x->m, 0); /* it ended exactly at the bound */
			x->mdepth = (unsigned)-1;
			run_ended(x, &tmp);
		}
		over = 1;
	}
	x->depth = save;
	if (over)
		return 0;
	int rc = push(x, n, o);
	if (rc == 0)
		x->stack[x->depth - 1].hit = tmp.hit; /* the child's path: the parent's + o */
	return rc;
}

static void report_init(struct dt_explore_report *r, const struct dt_explore_bounds *b)
{
	memset(r, 0, sizeof(*r));
	r->bounds = *b;
	r->outcomes = calloc(DT_EXPLORE_MAX_OUTCOMES, sizeof(*r->outcomes));
}

int dt_explore(struct dt_machine *m, const struct dt_explore_bounds *bounds,
	       const struct dt_free_event *free_events, unsigned nfree,
	       const struct dt_explore_hooks *hooks, dt_explore_progress progress,
	       void *progress_ctx, struct dt_explore_report *report)
{
	if (!m || !bounds || !report || nfree > DT_EXPLORE_MAX_FREE)
		return DT_EINVAL;
	report_init(report, bounds);
	if (!report->outcomes)
		return DT_ENOMEM;
	struct explorer x = { .m = m, .b = *bounds, .free_events = free_events, .nfree = nfree,
			      .hooks = hooks, .r = report };
	if (!x.b.max_steps)
		x.b.max_steps = 200;
	x.reduce = bounds->reduce && bounds->max_preemptions == DT_EXPLORE_UNBOUNDED;
	report->reduced = x.reduce;
	x.cap = 64;
	x.stack = calloc(x.cap, sizeof(*x.stack));
	x.path = calloc(x.cap, sizeof(*x.path));
	int rc = DT_OK;
	if (!x.stack || !x.path || rebuild(&x, 0)) {
		rc = DT_EHOST;
		goto out;
	}
	x.depth = 1;
	x.stack[0].prev_cpu = -1;
	if (enumerate(&x, &x.stack[0])) {
		rc = DT_ENOMEM;
		goto out;
	}
	uint64_t next_progress = 2000;
	while (x.depth) {
		struct node *n = &x.stack[x.depth - 1];
		if (n->next == n->nopts) {
			pop(&x);
			continue;
		}
		if (advance(&x)) {
			rc = report->message[0] ? DT_EHOST : DT_ENOMEM;
			report->error = 1;
			break;
		}
		if (progress && report->runs >= next_progress) {
			progress(progress_ctx, report);
			next_progress = report->runs + 2000;
		}
	}
out:
	while (x.depth)
		pop(&x);
	for (unsigned i = 0; i < x.cap && x.stack; i++)
		free(x.stack[i].opts);
	free(x.stack);
	free(x.path);
	return rc;
}

void dt_explore_report_free(struct dt_explore_report *r)
{
	if (!r)
		return;
	for (unsigned i = 0; r->outcomes && i < r->noutcomes; i++)
		free(r->outcomes[i].witness.choices);
	free(r->outcomes);
	free(r->counterexample.choices);
	free(r->hit.choices);
	memset(r, 0, sizeof(*r));
}

size_t dt_witness_print(const struct dt_machine *m, const struct dt_witness *w,
			const char *lesson, char *buf, size_t size)
{
	struct dt_schedule s;
	const struct dt_state *st = dt_machine_state(m);
	dt_schedule_init(&s);
	if (lesson)
		snprintf(s.lesson, sizeof(s.lesson), "%s", lesson);
	s.lesson_hash = st->lesson_hash;
	s.has_hash = lesson && st->lesson_hash;
	s.cpus = st->ncpus;
	s.seed = st->seed;
	for (uint32_t i = 0; i < w->n; i++) {
		struct dt_schedule_item it;
		dt_choice_item(m, &w->choices[i], &it);
		if (dt_schedule_append(&s, &it))
			break;
	}
	size_t n = dt_schedule_print(&s, buf, size);
	dt_schedule_free(&s);
	return n;
}
