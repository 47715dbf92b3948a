/*
 * story.c - the headless story runner (story.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dt_sched.h"
#include "narrate.h"
#include "script_int.h"
#include "story.h"

struct runner {
	struct rt *rt;
	const struct story_io *io;
	struct story_result *res;
	struct dt_sched sched;
	size_t traced;          /* trace events already reported */
	/* predictions about value()/outcome() wait for the next stop */
	int pending_ref[8];
	unsigned npending;
};

static void say(struct runner *r, enum story_line_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(struct runner *r, enum story_line_kind kind, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (r->io && r->io->line)
		r->io->line(r->io->ctx, kind, buf);
}

static int fail(struct runner *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct runner *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (!r->res->failure[0])
		vsnprintf(r->res->failure, sizeof(r->res->failure), fmt, ap);
	va_end(ap);
	say(r, STORY_FAIL, "%s", r->res->failure);
	return -1;
}

/* Report the trace events the last steps added. */
static void report_events(struct runner *r)
{
	if (r->io && r->io->stepped)
		r->io->stepped(r->io->ctx);
	struct dt_machine *m = rt_machine(r->rt);
	size_t n = dt_machine_trace_count(m);
	const struct dt_trace_event *t = dt_machine_trace(m);
	if (r->io && r->io->narrate_events) {
		for (size_t i = r->traced; i < n; i++) {
			char buf[512];
			if (narrate_event(m, &t[i], buf, sizeof(buf)) > 0)
				say(r, STORY_EVENT, "%s", buf);
		}
	}
	r->traced = n;
}

void story_value_text(struct rt *rt, const struct dt_value *v, char *buf, size_t size)
{
	switch (v->kind) {
	case DT_VAL_BOOL:
		snprintf(buf, size, "%s", v->u.i ? "TRUE" : "FALSE");
		break;
	case DT_VAL_INT:
		snprintf(buf, size, "%lld", (long long)v->u.i);
		break;
	case DT_VAL_NUMBER:
		snprintf(buf, size, "%g", v->u.n);
		break;
	case DT_VAL_STRING:
		snprintf(buf, size, "%s", dt_machine_string(rt_machine(rt), v->u.str));
		break;
	default:
		snprintf(buf, size, "nil");
		break;
	}
}

void story_outcome_text(const struct dt_state *st, char *buf, size_t size)
{
	switch (st->outcome.kind) {
	case DT_QUIESCENT:
		snprintf(buf, size, "quiescent");
		break;
	case DT_BUGCHECK:
		snprintf(buf, size, "bugcheck 0x%X", st->outcome.code);
		break;
	case DT_DEADLOCK:
		snprintf(buf, size, "deadlock");
		break;
	case DT_STEP_LIMIT:
		snprintf(buf, size, "step-limit");
		break;
	case DT_LESSON_ERROR:
		snprintf(buf, size, "lesson-error");
		break;
	default:
		snprintf(buf, size, "running");
		break;
	}
}

static int halted(struct rt *rt)
{
	return dt_machine_state(rt_machine(rt))->outcome.kind != DT_RUNNING;
}

/* One round-robin step, settling when nothing can step.  0: stepped,
 * 1: the run is over. */
static int step_once(struct runner *r)
{
	struct dt_machine *m = rt_machine(r->rt);
	struct dt_choice c;
	if (halted(r->rt))
		return 1;
	if (!dt_sched_next(&r->sched, m, &c)) {
		dt_session_settle(rt_session(r->rt), 0);
		report_events(r);
		return 1;
	}
	if (rt_step(r->rt, &c) != DT_OK)
		return 1;
	r->res->steps++;
	report_events(r);
	return 0;
}

unsigned story_run_to_end(struct rt *rt, const struct story_io *io)
{
	struct story_result res;
	struct runner r = { .rt = rt, .io = io, .res = &res };
	memset(&res, 0, sizeof(res));
	dt_sched_round_robin(&r.sched);
	r.traced = dt_machine_trace_count(rt_machine(rt));
	while (!step_once(&r))
		;
	return res.steps;
}

/* ---- predicates ------------------------------------------------------------ */

static const char *field_str(lua_State *L, int idx, const char *k, char *buf, size_t size)
{
	lua_getfield(L, idx, k);
	const char *s = lua_tostring(L, -1);
	snprintf(buf, size, "%s", s ? s : "");
	lua_pop(L, 1);
	return buf;
}

static lua_Integer field_int(lua_State *L, int idx, const char *k, lua_Integer dflt)
{
	lua_getfield(L, idx, k);
	lua_Integer v = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : dflt;
	lua_pop(L, 1);
	return v;
}

/* Did the last step satisfy the predicate at idx?  The answer text is
 * written for returned()/runs_on().  -1 on a lesson error. */
static int pred_holds(struct runner *r, int idx, char *answer, size_t size)
{
	lua_State *L = rt_lua(r->rt);
	const struct rt_step_log *lg = rt_last_step(r->rt);
	char kind[16], role[48];
	if (lua_isfunction(L, idx)) {
		char *err = NULL;
		lua_pushvalue(L, idx);
		if (sb_pcall(r->rt->sb, 0, 1, &err)) {
			fail(r, "a run_until predicate failed: %s", err ? err : "?");
			free(err);
			return -1;
		}
		int ok = lua_toboolean(L, -1);
		lua_pop(L, 1);
		return ok;
	}
	field_str(L, idx, "_pred", kind, sizeof(kind));
	lua_Integer cpu = field_int(L, idx, "cpu", -1);
	if (strcmp(kind, "returned") == 0) {
		lua_Integer op = field_int(L, idx, "op", 0);
		for (unsigned i = 0; i < lg->nreturns; i++) {
			if (lg->returns[i].op != op || (cpu >= 0 && lg->returns[i].cpu != cpu))
				continue;
			story_value_text(r->rt, &lg->returns[i].result, answer, size);
			return 1;
		}
		return 0;
	}
	if (strcmp(kind, "runs_on") == 0) {
		field_str(L, idx, "role", role, sizeof(role));
		for (unsigned i = 0; i < lg->nstarts; i++) {
			const struct rt_callback *cb = rt_callback(r->rt, lg->starts[i].callback);
			if (!cb || (strcmp(cb->role, role) && strcmp(cb->name, role)))
				continue;
			if (cpu >= 0 && lg->starts[i].cpu != cpu)
				continue;
			snprintf(answer, size, "CPU %u", lg->starts[i].cpu);
			return 1;
		}
		return 0;
	}
	return 0; /* value() and outcome() are answered where the story stops */
}

/* Step until the predicate at idx holds.  0 when it did, -1 when not. */
static int run_until(struct runner *r, int idx, char *answer, size_t size, const char *what)
{
	for (;;) {
		if (step_once(r)) {
			char oc[64];
			story_outcome_text(dt_machine_state(rt_machine(r->rt)), oc, sizeof(oc));
			return fail(r, "%s never happened: the run ended (%s) first", what, oc);
		}
		int h = pred_holds(r, idx, answer, size);
		if (h < 0)
			return -1;
		if (h)
			return 0;
	}
}

/* ---- actions ---------------------------------------------------------------- */

static int event_of(struct runner *r, int idx, unsigned *ev)
{
	lua_State *L = rt_lua(r->rt);
	const struct dt_state *st = dt_machine_state(rt_machine(r->rt));
	unsigned type, index;
	lua_getfield(L, idx, "target");
	int ok = rt_handle_info(L, -1, &type, &index);
	lua_pop(L, 1);
	if (!ok || (type != RT_EVENT && type != RT_DEVICE))
		return fail(r, "fire() needs a device or an event");
	if (type == RT_EVENT) {
		*ev = index;
		return 0;
	}
	for (unsigned e = 0; e < st->nevents; e++)
		if (st->events[e].device == index) {
			*ev = e;
			return 0;
		}
	return fail(r, "fire(): that device has no event");
}

static int act_fire(struct runner *r, int idx)
{
	lua_State *L = rt_lua(r->rt);
	unsigned ev = 0;
	if (event_of(r, idx, &ev))
		return -1;
	const struct dt_state *st = dt_machine_state(rt_machine(r->rt));
	const struct dt_event *e = &st->events[ev];
	uint64_t aff = st->devices[e->device].lines[e->line].affinity;
	lua_Integer cpu = field_int(L, idx, "cpu", -1);
	if (cpu < 0)
		cpu = __builtin_ctzll(aff);
	struct dt_choice c = { .kind = DT_CHOICE_EVENT, .cpu = (uint16_t)cpu,
			       .object = (uint16_t)ev };
	if (halted(r->rt))
		return fail(r, "fire(): the run already ended");
	if (rt_step(r->rt, &c) != DT_OK)
		return fail(r, "fire(): CPU %d is not in the affinity set of event '%s'", (int)cpu,
			    dt_machine_string(rt_machine(r->rt), e->name));
	r->res->steps++;
	report_events(r);
	return 0;
}

static int act_steps(struct runner *r, int idx)
{
	lua_State *L = rt_lua(r->rt);
	struct dt_machine *m = rt_machine(r->rt);
	char text[2048], choices[1800];
	field_str(L, idx, "choices", choices, sizeof(choices));
	snprintf(text, sizeof(text), "v1 cpus=%u: %s", dt_machine_state(m)->ncpus, choices);
	struct dt_schedule s;
	struct dt_schedule_error err;
	if (dt_schedule_parse(text, &s, &err))
		return fail(r, "steps(\"%s\"): %s", choices, err.reason);
	int rc = 0;
	for (size_t i = 0; i < s.nitems && !rc; i++) {
		struct dt_choice c;
		if (dt_schedule_item_choice(m, &s.items[i], &c, &err)) {
			rc = fail(r, "steps(\"%s\"): %s", choices, err.reason);
			break;
		}
		for (uint32_t k = 0; k < s.items[i].repeat && !rc; k++) {
			if (halted(r->rt) || rt_step(r->rt, &c) != DT_OK)
				rc = fail(r, "steps(\"%s\"): choice %zu is not possible at step %u",
					  choices, i + 1, dt_machine_state(m)->step + 1);
			else
				r->res->steps++;
			report_events(r);
		}
	}
	dt_schedule_free(&s);
	return rc;
}

/* Compare a prediction's actual answer with the lesson's. */
static void judge(struct runner *r, int ask, const char *actual)
{
	lua_State *L = rt_lua(r->rt);
	char answer[128], why[512];
	field_str(L, ask, "answer", answer, sizeof(answer));
	field_str(L, ask, "why", why, sizeof(why));
	int ok = 1;
	if (answer[0])
		ok = strcmp(answer, actual) == 0;
	lua_getfield(L, ask, "choices");
	if (!answer[0] && lua_istable(L, -1)) {
		ok = 0;
		lua_Integer n = luaL_len(L, -1);
		for (lua_Integer i = 1; i <= n && !ok; i++) {
			lua_rawgeti(L, -1, i);
			const char *c = lua_tostring(L, -1);
			ok = c && strcmp(c, actual) == 0;
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	r->res->asks++;
	if (ok)
		r->res->asks_ok++;
	if (ok)
		say(r, STORY_ANSWER, "answer: %s%s%s", actual, why[0] ? " - " : "", why);
	else if (answer[0])
		say(r, STORY_ANSWER, "MISMATCH: the lesson says %s but the engine did %s", answer,
		    actual);
	else
		say(r, STORY_ANSWER, "MISMATCH: the engine did %s, which is not one of the choices",
		    actual);
	if (!ok)
		fail(r, "prediction answered wrongly by the lesson: engine did %s", actual);
}

/* Answer the value()/outcome() predictions waiting for this stop. */
static void answer_pending(struct runner *r)
{
	lua_State *L = rt_lua(r->rt);
	for (unsigned i = 0; i < r->npending; i++) {
		lua_rawgeti(L, LUA_REGISTRYINDEX, r->pending_ref[i]);
		int ask = lua_gettop(L);
		lua_getfield(L, ask, "about");
		int about = lua_gettop(L);
		char kind[16], name[64], actual[128];
		field_str(L, about, "_pred", kind, sizeof(kind));
		const struct dt_state *st = dt_machine_state(rt_machine(r->rt));
		if (strcmp(kind, "outcome") == 0) {
			story_outcome_text(st, actual, sizeof(actual));
		} else {
			field_str(L, about, "name", name, sizeof(name));
			snprintf(actual, sizeof(actual), "?");
			for (unsigned v = 0; v < st->nvars; v++)
				if (strcmp(dt_machine_string(rt_machine(r->rt), st->vars[v].name),
					   name) == 0)
					story_value_text(r->rt, &st->vars[v].value, actual,
							 sizeof(actual));
		}
		judge(r, ask, actual);
		lua_settop(L, ask - 1);
		luaL_unref(L, LUA_REGISTRYINDEX, r->pending_ref[i]);
	}
	r->npending = 0;
}

static void print_question(struct runner *r, int idx)
{
	lua_State *L = rt_lua(r->rt);
	char q[512], line[900];
	lua_rawgeti(L, idx, 1);
	snprintf(q, sizeof(q), "%s", lua_tostring(L, -1));
	lua_pop(L, 1);
	snprintf(line, sizeof(line), "? %s", q);
	lua_getfield(L, idx, "choices");
	if (lua_istable(L, -1)) {
		lua_Integer n = luaL_len(L, -1);
		size_t at = strlen(line);
		for (lua_Integer i = 1; i <= n && at < sizeof(line) - 40; i++) {
			lua_rawgeti(L, -1, i);
			at += (size_t)snprintf(line + at, sizeof(line) - at, "%s[%d] %s",
					       i == 1 ? "  " : " ", (int)i, lua_tostring(L, -1));
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	say(r, STORY_ASK, "%s", line);
}

static int act_ask(struct runner *r, int idx)
{
	lua_State *L = rt_lua(r->rt);
	print_question(r, idx);
	lua_getfield(L, idx, "about");
	int about = lua_gettop(L);
	char kind[16], actual[128] = "";
	field_str(L, about, "_pred", kind, sizeof(kind));
	int rc = 0;
	if (strcmp(kind, "value") == 0 || strcmp(kind, "outcome") == 0) {
		if (r->npending == 8) {
			rc = fail(r, "too many value()/outcome() predictions waiting");
		} else {
			lua_pushvalue(L, idx);
			r->pending_ref[r->npending++] = luaL_ref(L, LUA_REGISTRYINDEX);
		}
	} else if (run_until(r, about, actual, sizeof(actual), "the predicted call") == 0) {
		judge(r, idx, actual);
	} else {
		rc = -1;
	}
	lua_settop(L, about - 1);
	return rc;
}

static int act_expect(struct runner *r, int idx)
{
	lua_State *L = rt_lua(r->rt);
	char text[256], *err = NULL;
	field_str(L, idx, "text", text, sizeof(text));
	lua_getfield(L, idx, "fn");
	r->res->expects++;
	if (sb_pcall(r->rt->sb, 0, 1, &err)) {
		int rc = fail(r, "expect(\"%s\") failed: %s", text, err ? err : "?");
		free(err);
		return rc;
	}
	int ok = lua_toboolean(L, -1);
	lua_pop(L, 1);
	if (!ok) {
		say(r, STORY_EXPECT, "NOT TRUE: %s", text);
		return fail(r, "expectation not met: %s", text);
	}
	r->res->expects_ok++;
	say(r, STORY_EXPECT, "ok: %s", text);
	return 0;
}

static int act(struct runner *r, int idx)
{
	lua_State *L = rt_lua(r->rt);
	char action[16], text[256];
	field_str(L, idx, "_action", action, sizeof(action));
	if (strcmp(action, "fire") == 0)
		return act_fire(r, idx);
	if (strcmp(action, "steps") == 0)
		return act_steps(r, idx);
	if (strcmp(action, "ask") == 0)
		return act_ask(r, idx);
	if (strcmp(action, "expect") == 0)
		return act_expect(r, idx);
	if (strcmp(action, "mark") == 0) {
		say(r, STORY_MARK, "-- %s", field_str(L, idx, "text", text, sizeof(text)));
		return 0;
	}
	if (strcmp(action, "run_until") == 0) {
		char answer[128];
		lua_getfield(L, idx, "pred");
		int rc = run_until(r, lua_gettop(L), answer, sizeof(answer), "run_until's event");
		lua_pop(L, 1);
		if (rc == 0)
			answer_pending(r);
		return rc;
	}
	/* run_to_end */
	while (!step_once(r))
		;
	answer_pending(r);
	return 0;
}

int story_run(struct rt *rt, const struct story_io *io, struct story_result *res)
{
	struct runner r = { .rt = rt, .io = io, .res = res };
	memset(res, 0, sizeof(*res));
	dt_sched_round_robin(&r.sched);
	r.traced = dt_machine_trace_count(rt_machine(rt));
	lua_State *L = rt_lua(rt);
	if (rt_story_ref(rt) == LUA_NOREF)
		return fail(&r, "the lesson has no story{}");
	if (halted(rt))
		return fail(&r, "the lesson failed to load: %s", rt_error(rt));
	lua_rawgeti(L, LUA_REGISTRYINDEX, rt_story_ref(rt));
	int story = lua_gettop(L);
	lua_Integer n = luaL_len(L, story);
	int rc = 0;
	for (lua_Integer i = 1; i <= n && rc == 0; i++) {
		lua_rawgeti(L, story, i);
		if (lua_type(L, -1) == LUA_TSTRING)
			say(&r, STORY_SAY, "%s", lua_tostring(L, -1));
		else
			rc = act(&r, lua_gettop(L));
		lua_settop(L, story);
		if (rc == 0 && dt_machine_state(rt_machine(rt))->outcome.kind == DT_LESSON_ERROR)
			rc = fail(&r, "lesson error: %s", rt_error(rt));
	}
	if (rc == 0 && r.npending)
		answer_pending(&r);
	lua_settop(L, story - 1);
	res->finished = rc == 0 && !res->failure[0];
	return res->finished ? 0 : -1;
}
