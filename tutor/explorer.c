/*
 * explorer.c - the explorer for lessons (explorer.h).
 */
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "explorer.h"
#include "sandbox.h"
#include "script.h"
#include "script_int.h"
#include "story.h"

struct hooks_ctx {
	struct rt *rt;
	int forall;   /* index of the for-all challenge, 0 none */
	int exists;   /* index of the exists challenge, 0 none */
	int errors;   /* predicate errors (counted as violations) */
	char first_error[300];
	double t0;             /* when the exploration started */
	double first_violation; /* seconds after t0, 0 until one is found */
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Call challenge `index`'s function `field`: -1 error, else its truth. */
static int call_challenge(struct hooks_ctx *h, int index, const char *field)
{
	lua_State *L = rt_lua(h->rt);
	int top = lua_gettop(L);
	lua_rawgeti(L, LUA_REGISTRYINDEX, rt_challenges_ref(h->rt));
	lua_rawgeti(L, -1, index);
	lua_getfield(L, -1, field);
	char *err = NULL;
	int truth = -1;
	if (sb_pcall(h->rt->sb, 0, 1, &err) == 0) {
		truth = lua_toboolean(L, -1);
	} else {
		if (!h->errors++)
			snprintf(h->first_error, sizeof(h->first_error), "%s", err ? err : "?");
		free(err);
	}
	lua_settop(L, top);
	return truth;
}

static int hook_violated(void *ctx, struct dt_machine *m, int at_end)
{
	struct hooks_ctx *h = ctx;
	(void)m;
	if (!h->forall || !at_end)
		return 0;
	int violated = call_challenge(h, h->forall, "invariant") != 1;
	if (violated && h->first_violation == 0)
		h->first_violation = now_s() - h->t0;
	return violated;
}

static int hook_reached(void *ctx, struct dt_machine *m)
{
	struct hooks_ctx *h = ctx;
	(void)m;
	return h->exists && call_challenge(h, h->exists, "reach") == 1;
}

/* The first challenge of each kind (or the one asked for). */
static void find_challenges(struct rt *rt, int only, struct hooks_ctx *h)
{
	lua_State *L = rt_lua(rt);
	if (rt_challenges_ref(rt) == LUA_NOREF)
		return;
	lua_rawgeti(L, LUA_REGISTRYINDEX, rt_challenges_ref(rt));
	lua_Integer n = luaL_len(L, -1);
	for (lua_Integer i = 1; i <= n; i++) {
		if (only && i != only)
			continue;
		lua_rawgeti(L, -1, i);
		lua_getfield(L, -1, "kind");
		const char *k = lua_tostring(L, -1);
		if (k && strcmp(k, "forall") == 0 && !h->forall)
			h->forall = (int)i;
		if (k && strcmp(k, "exists") == 0 && !h->exists)
			h->exists = (int)i;
		lua_pop(L, 2);
	}
	lua_pop(L, 1);
}

static void print_values(FILE *out, struct dt_machine *m, const struct dt_explore_outcome *o)
{
	const struct dt_state *st = dt_machine_state(m);
	for (unsigned v = 0; v < o->nvalues && v < st->nvars; v++) {
		char buf[64];
		struct dt_value val = o->values[v];
		switch (val.kind) {
		case DT_VAL_BOOL:
			snprintf(buf, sizeof(buf), "%s", val.u.i ? "true" : "false");
			break;
		case DT_VAL_INT:
			snprintf(buf, sizeof(buf), "%lld", (long long)val.u.i);
			break;
		case DT_VAL_NUMBER:
			snprintf(buf, sizeof(buf), "%g", val.u.n);
			break;
		case DT_VAL_STRING:
			snprintf(buf, sizeof(buf), "\"%s\"", dt_machine_string(m, val.u.str));
			break;
		default:
			snprintf(buf, sizeof(buf), "nil");
		}
		fprintf(out, " %s=%s", dt_machine_string(m, st->vars[v].name), buf);
	}
}

static const char *outcome_name(const struct dt_explore_outcome *o, char *buf, size_t n)
{
	switch (o->kind) {
	case DT_QUIESCENT: return "quiescent";
	case DT_BUGCHECK: snprintf(buf, n, "bugcheck 0x%X", o->code); return buf;
	case DT_DEADLOCK: return "deadlock";
	case DT_STEP_LIMIT: return "step-limit";
	case DT_LESSON_ERROR: return "lesson-error";
	default: return "running";
	}
}

static void progress_line(void *ctx, const struct dt_explore_report *r)
{
	double *t0 = ctx, el = now_s() - *t0;
	fprintf(stderr, "\rexplored %llu runs, pruned %llu, %.0f runs/s, %.1f s",
		(unsigned long long)r->runs, (unsigned long long)(r->pruned + r->slept),
		el > 0 ? (double)r->runs / el : 0.0, el);
}

static void bounds_text(const struct dt_explore_bounds *b, char *buf, size_t n)
{
	if (b->max_preemptions == DT_EXPLORE_UNBOUNDED)
		snprintf(buf, n, "any number of preemptions, %u events, %u steps", b->max_events,
			 b->max_steps);
	else
		snprintf(buf, n, "%u preemption%s, %u events, %u steps", b->max_preemptions,
			 b->max_preemptions == 1 ? "" : "s", b->max_events, b->max_steps);
}

static void report(FILE *out, struct rt *rt, const struct dt_explore_report *r,
		   const struct hooks_ctx *h, const struct explore_summary *sum, int verbose)
{
	struct dt_machine *m = rt_machine(rt);
	const char *id = rt_lesson(rt)->id;
	char buf[2048], oc[32];
	fprintf(out, "outcomes reachable within %s (reduction: %s):\n", sum->bounds,
		r->reduced ? "sleep sets" :
		r->bounds.reduce ? "none, because a preemption bound is set" : "none");
	for (unsigned i = 0; i < r->noutcomes; i++) {
		const struct dt_explore_outcome *o = &r->outcomes[i];
		fprintf(out, "  %-14s", outcome_name(o, oc, sizeof(oc)));
		print_values(out, m, o);
		fprintf(out, "   (%llu runs)\n", (unsigned long long)o->count);
		dt_witness_print(m, &o->witness, id, buf, sizeof(buf));
		fprintf(out, "      witness, %u preemptions: %s\n", o->witness.preemptions, buf);
	}
	if (r->truncated)
		fprintf(out, "  (more distinct outcomes than the %d kept)\n", DT_EXPLORE_MAX_OUTCOMES);
	fprintf(out, "runs: %llu complete, %llu incomplete (cut at %u steps); pruned %llu by the "
		"bound, %llu by reduction; %llu steps in %.2f s\n",
		(unsigned long long)r->runs, (unsigned long long)r->incomplete, r->bounds.max_steps,
		(unsigned long long)r->pruned, (unsigned long long)r->slept,
		(unsigned long long)r->steps, sum->seconds);
	if (h->exists) {
		fprintf(out, "exists-challenge %d: %s\n", h->exists,
			r->hits ? "reached" : "not reached within the bounds");
		if (r->hits && verbose) {
			dt_witness_print(m, &r->hit, id, buf, sizeof(buf));
			fprintf(out, "  %s\n", buf);
		}
	}
	if (h->forall) {
		if (r->violations)
			fprintf(out, "for-all challenge %d: the invariant is VIOLATED in %llu runs; "
				"fewest preemptions %u:\n  %s\n", h->forall,
				(unsigned long long)r->violations, r->counterexample.preemptions,
				sum->counterexample);
		else
			fprintf(out, "for-all challenge %d: no run within the bounds violates the "
				"invariant%s\n", h->forall,
				r->incomplete ? " (but some runs were cut: not a proof)" : "");
	}
	if (h->errors)
		fprintf(out, "predicate errors: %d; the first: %s\n", h->errors, h->first_error);
}

/*
 * The one exploration behind --explore, --check's proofs and the UI's
 * "show me how it breaks": open the lesson, walk it, fill *sum; print the
 * report to out when out is set; when cx is set, hand back the
 * counterexample as a malloc'd schedule (NULL when there is none).
 */
int explore_lesson_cx(const char *path, const struct explore_options *o, FILE *out,
		      struct explore_summary *sum, char **cx)
{
	struct rt_options opt;
	struct rt *rt;
	char *err = NULL;
	memset(sum, 0, sizeof(*sum));
	if (cx)
		*cx = NULL;
	rt_options_default(&opt);
	opt.trace = 0;
	opt.variant = o->variant;
	opt.seed = o->seed;
	opt.has_seed = o->has_seed;
	opt.cpus = o->cpus;
	opt.budget = o->budget;
	opt.mem_bytes = o->mem_bytes;
	if (rt_open(path, &opt, &rt, &err)) {
		snprintf(sum->message, sizeof(sum->message), "%s", err ? err : "cannot load");
		if (out)
			fprintf(out, "dpctutor: %s\n", sum->message);
		free(err);
		sum->error = 1;
		return 2;
	}
	const struct rt_lesson *l = rt_lesson(rt);
	struct dt_explore_bounds b = {
		.max_preemptions = o->set_preemptions ? o->max_preemptions : l->max_preemptions,
		.max_events = o->set_events ? o->max_events : l->max_events,
		.max_steps = o->set_steps ? o->max_steps : l->max_steps,
		.reduce = o->reduce,
	};
	struct hooks_ctx h = { .rt = rt };
	find_challenges(rt, o->challenge, &h);
	sum->has_forall = h.forall != 0;
	struct dt_explore_hooks hooks = { &h, hook_violated, hook_reached };
	struct dt_free_event fe[DT_EXPLORE_MAX_FREE];
	unsigned nfree = rt_free_events(rt, fe, DT_EXPLORE_MAX_FREE);
	struct dt_explore_report r;
	double t0 = now_s();
	h.t0 = t0;
	int rc = dt_explore(rt_machine(rt), &b, fe, nfree, &hooks,
			    o->progress ? progress_line : NULL, &t0, &r);
	if (o->progress)
		fprintf(stderr, "\r%60s\r", "");
	sum->seconds = now_s() - t0;
	sum->runs = r.runs;
	sum->incomplete = r.incomplete;
	sum->violations = r.violations + (uint64_t)h.errors;
	sum->hits = r.hits;
	sum->pruned = r.pruned;
	sum->slept = r.slept;
	sum->steps = r.steps;
	sum->first_violation_s = h.first_violation;
	sum->preemptions = r.counterexample.preemptions;
	bounds_text(&b, sum->bounds, sizeof(sum->bounds));
	if (r.counterexample.n) {
		size_t need = dt_witness_print(rt_machine(rt), &r.counterexample, l->id,
					       sum->counterexample, sizeof(sum->counterexample));
		if (cx && (*cx = malloc(need + 1)) != NULL)
			dt_witness_print(rt_machine(rt), &r.counterexample, l->id, *cx, need + 1);
	}
	int result = 0;
	if (rc) {
		snprintf(sum->message, sizeof(sum->message), "the explorer stopped: %s",
			 r.message[0] ? r.message : "out of memory");
		sum->error = 1;
		result = 2;
	} else if (sum->violations) {
		result = 1;
	}
	if (out) {
		fprintf(out, "%s%s%s%s\n", path, o->variant ? " (variant \"" : "",
			o->variant ? o->variant : "", o->variant ? "\")" : "");
		report(out, rt, &r, &h, sum, o->verbose);
		if (rc)
			fprintf(out, "%s\n", sum->message);
	}
	if (h.errors && !r.counterexample.n)
		snprintf(sum->message, sizeof(sum->message), "a predicate failed: %.270s",
			 h.first_error);
	dt_explore_report_free(&r);
	rt_close(rt);
	return result;
}

int explore_lesson(const char *path, const struct explore_options *o, FILE *out,
		   struct explore_summary *sum)
{
	struct explore_summary local;
	return explore_lesson_cx(path, o, out, sum ? sum : &local, NULL);
}

int explore_counterexample(const char *path, const struct explore_options *o,
			   char **schedule_out, char *why, size_t why_size)
{
	struct explore_summary sum;
	struct explore_options quiet = *o;
	char *cx = NULL;
	quiet.progress = 0; /* no printing at all, not even the progress line */
	*schedule_out = NULL;
	int rc = explore_lesson_cx(path, &quiet, NULL, &sum, &cx);
	if (rc == 2) {
		snprintf(why, why_size, "%s", sum.message);
		return -1;
	}
	if (cx) {
		*schedule_out = cx;
		snprintf(why, why_size, "%llu of %llu runs break the invariant; this one has "
			 "%u preemption%s", (unsigned long long)sum.violations,
			 (unsigned long long)(sum.runs + sum.incomplete), sum.preemptions,
			 sum.preemptions == 1 ? "" : "s");
		return 1;
	}
	if (sum.violations) { /* only predicate errors, or no memory for the text */
		snprintf(why, why_size, "%s", sum.message[0] ? sum.message :
			 "out of memory for the counterexample");
		return -1;
	}
	if (!sum.has_forall)
		snprintf(why, why_size, "this lesson%s has no for-all challenge, so there is no "
			 "invariant to break", o->variant ? " variant" : "");
	else
		snprintf(why, why_size, "no run within %s breaks the invariant%s", sum.bounds,
			 sum.incomplete ? " (some runs were cut: not a proof)" : "");
	return 0;
}
