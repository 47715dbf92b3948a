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

enum mode { M_IDLE, M_RUN_UNTIL, M_RUN_TO_END, M_ASK, M_STEPS, M_DONE };

struct runner {
	struct rt *rt;
	const struct story_io *io;
	struct story_result *res;
	struct story_result own;  /* res points here for incremental runs */
	struct dt_sched sched;
	size_t traced;          /* trace events already reported */
	/* predictions about value()/outcome() wait for the next stop */
	int pending_ref[8];
	int pending_answer[8];  /* the student's choice for each, -1 none */
	unsigned npending;
	int asked_pending;      /* the ask on screen is pending_ref[npending - 1] */
	/* where the story is */
	lua_Integer item, nitems;
	enum mode mode;
	int action_ref;         /* the action being run (registry) */
	struct dt_schedule steps;
	size_t steps_item;
	uint32_t steps_rep;
	struct story_question q;
	struct story_reveal reveal;
	int answered;           /* the student's choice for the pending ask, -1 none */
};

/* The incremental run is the same struct. */
struct story_run {
	struct runner r;
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

/* Start following steps("...") choices: parsed now, one per advance. */
static int begin_steps(struct runner *r, int idx)
{
	lua_State *L = rt_lua(r->rt);
	struct dt_machine *m = rt_machine(r->rt);
	char text[2048], choices[1800];
	field_str(L, idx, "choices", choices, sizeof(choices));
	snprintf(text, sizeof(text), "v1 cpus=%u: %s", dt_machine_state(m)->ncpus, choices);
	struct dt_schedule_error err;
	if (dt_schedule_parse(text, &r->steps, &err))
		return fail(r, "steps(\"%s\"): %s", choices, err.reason);
	r->steps_item = 0;
	r->steps_rep = 0;
	r->mode = M_STEPS;
	return 0;
}

/* The next choice of steps(); 1 when they are all taken. */
static int next_step(struct runner *r)
{
	struct dt_machine *m = rt_machine(r->rt);
	struct dt_schedule_error err;
	while (r->steps_item < r->steps.nitems &&
	       r->steps_rep >= r->steps.items[r->steps_item].repeat) {
		r->steps_item++;
		r->steps_rep = 0;
	}
	if (r->steps_item == r->steps.nitems) {
		dt_schedule_free(&r->steps);
		return 1;
	}
	struct dt_choice c;
	if (dt_schedule_item_choice(m, &r->steps.items[r->steps_item], &c, &err)) {
		dt_schedule_free(&r->steps);
		return fail(r, "steps(): %s", err.reason);
	}
	r->steps_rep++;
	if (halted(r->rt) || rt_step(r->rt, &c) != DT_OK) {
		dt_schedule_free(&r->steps);
		return fail(r, "steps(): choice %zu is not possible at step %u", r->steps_item + 1,
			    dt_machine_state(m)->step + 1);
	}
	r->res->steps++;
	report_events(r);
	return 0;
}

/* Compare a prediction's actual answer with the lesson's and with the
 * student's choice (0-based index into the ask's choices, -1 none). */
static void judge(struct runner *r, int ask, const char *actual, int student)
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
	snprintf(r->reveal.actual, sizeof(r->reveal.actual), "%s", actual);
	snprintf(r->reveal.why, sizeof(r->reveal.why), "%s", why);
	r->reveal.lesson_ok = ok;
	r->reveal.student = student;
	r->reveal.student_ok = 0;
	if (student >= 0) {
		lua_getfield(L, ask, "choices");
		if (lua_istable(L, -1)) {
			lua_rawgeti(L, -1, student + 1);
			const char *c = lua_tostring(L, -1);
			r->reveal.student_ok = c && strcmp(c, actual) == 0;
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
		/* Several predictions can be judged at one stop: count each. */
		r->reveal.judged++;
		r->reveal.judged_ok += (unsigned)r->reveal.student_ok;
	}
	r->reveal.valid = 1;
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
		judge(r, ask, actual, r->pending_answer[i]);
		lua_settop(L, ask - 1);
		luaL_unref(L, LUA_REGISTRYINDEX, r->pending_ref[i]);
	}
	r->npending = 0;
	r->asked_pending = 0;
}

/* Read the question of the ask at idx into r->q and show it. */
static void load_question(struct runner *r, int idx)
{
	lua_State *L = rt_lua(r->rt);
	struct story_question *q = &r->q;
	char line[1200];
	memset(q, 0, sizeof(*q));
	lua_rawgeti(L, idx, 1);
	snprintf(q->text, sizeof(q->text), "%s", lua_tostring(L, -1));
	lua_pop(L, 1);
	field_str(L, idx, "answer", q->answer, sizeof(q->answer));
	lua_getfield(L, idx, "hint"); /* one string, or a list of tiers */
	q->nhints = rt_string_list(L, -1, q->hints[0], sizeof(q->hints[0]), STORY_MAX_HINTS);
	lua_pop(L, 1);
	if (q->nhints)
		snprintf(q->hint, sizeof(q->hint), "%s", q->hints[0]);
	lua_getfield(L, idx, "choices");
	if (lua_istable(L, -1)) {
		lua_Integer n = luaL_len(L, -1);
		for (lua_Integer i = 1; i <= n && q->nchoices < STORY_MAX_CHOICES; i++) {
			lua_rawgeti(L, -1, i);
			snprintf(q->choices[q->nchoices++], sizeof(q->choices[0]), "%s",
				 lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	size_t at = (size_t)snprintf(line, sizeof(line), "? %s", q->text);
	for (unsigned i = 0; i < q->nchoices && at < sizeof(line) - 100; i++)
		at += (size_t)snprintf(line + at, sizeof(line) - at, "%s[%u] %s", i ? " " : "  ",
				       i + 1, q->choices[i]);
	say(r, STORY_ASK, "%s", line);
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

/* End the action in progress: its registry slot, and the choices of a
 * steps() still being taken (dt_schedule_free is idempotent). */
static void drop_action(struct runner *r)
{
	if (r->action_ref != LUA_NOREF)
		luaL_unref(rt_lua(r->rt), LUA_REGISTRYINDEX, r->action_ref);
	r->action_ref = LUA_NOREF;
	if (r->mode == M_STEPS)
		dt_schedule_free(&r->steps);
	r->mode = M_IDLE;
}

/* Take story item r->item: a line, an action started, or a question. */
static enum story_tick take_item(struct runner *r)
{
	lua_State *L = rt_lua(r->rt);
	int top = lua_gettop(L);
	char action[16], text[256], kind[16];
	enum story_tick t = STORY_TICK_LINE;
	lua_rawgeti(L, LUA_REGISTRYINDEX, rt_story_ref(r->rt));
	lua_rawgeti(L, -1, ++r->item);
	int idx = lua_gettop(L);
	if (lua_type(L, idx) == LUA_TSTRING) {
		say(r, STORY_SAY, "%s", lua_tostring(L, idx));
		lua_settop(L, top);
		return STORY_TICK_LINE;
	}
	field_str(L, idx, "_action", action, sizeof(action));
	if (strcmp(action, "fire") == 0) {
		t = act_fire(r, idx) ? STORY_TICK_FAILED : STORY_TICK_STEP;
	} else if (strcmp(action, "steps") == 0) {
		t = begin_steps(r, idx) ? STORY_TICK_FAILED : STORY_TICK_LINE;
	} else if (strcmp(action, "expect") == 0) {
		t = act_expect(r, idx) ? STORY_TICK_FAILED : STORY_TICK_LINE;
	} else if (strcmp(action, "mark") == 0) {
		say(r, STORY_MARK, "-- %s", field_str(L, idx, "text", text, sizeof(text)));
		t = STORY_TICK_MARK;
	} else if (strcmp(action, "ask") == 0) {
		load_question(r, idx);
		lua_getfield(L, idx, "about");
		field_str(L, -1, "_pred", kind, sizeof(kind));
		lua_pop(L, 1);
		lua_pushvalue(L, idx);
		if (strcmp(kind, "value") == 0 || strcmp(kind, "outcome") == 0) {
			if (r->npending == 8) {
				lua_pop(L, 1);
				fail(r, "too many value()/outcome() predictions");
				t = STORY_TICK_FAILED;
			} else {
				r->pending_answer[r->npending] = -1;
				r->pending_ref[r->npending++] = luaL_ref(L, LUA_REGISTRYINDEX);
				r->asked_pending = 1;
				t = STORY_TICK_ASK;
			}
		} else {
			r->asked_pending = 0;
			r->action_ref = luaL_ref(L, LUA_REGISTRYINDEX);
			r->mode = M_ASK;
			t = STORY_TICK_ASK;
		}
	} else if (strcmp(action, "run_until") == 0) {
		lua_getfield(L, idx, "pred");
		r->action_ref = luaL_ref(L, LUA_REGISTRYINDEX);
		r->mode = M_RUN_UNTIL;
	} else {
		r->mode = M_RUN_TO_END;
	}
	lua_settop(L, top);
	return t;
}

/* One step of a run_until or an ask: done when its predicate holds. */
static enum story_tick run_one(struct runner *r)
{
	lua_State *L = rt_lua(r->rt);
	char answer[128] = "";
	if (step_once(r)) {
		char oc[64];
		story_outcome_text(dt_machine_state(rt_machine(r->rt)), oc, sizeof(oc));
		drop_action(r);
		fail(r, "%s never happened: the run ended (%s) first",
		     r->mode == M_ASK ? "the predicted call" : "run_until's event", oc);
		return STORY_TICK_FAILED;
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, r->action_ref);
	int idx = lua_gettop(L);
	if (r->mode == M_ASK)
		lua_getfield(L, idx, "about");
	else
		lua_pushvalue(L, idx);
	int h = pred_holds(r, lua_gettop(L), answer, sizeof(answer));
	if (h > 0 && r->mode == M_ASK) {
		judge(r, idx, answer, r->answered);
		r->answered = -1;
	}
	lua_settop(L, idx - 1);
	if (h < 0) {
		drop_action(r);
		return STORY_TICK_FAILED;
	}
	if (h > 0) {
		int was_ask = r->mode == M_ASK;
		drop_action(r);
		if (!was_ask)
			answer_pending(r);
		return was_ask ? STORY_TICK_REVEAL : STORY_TICK_STEP;
	}
	return STORY_TICK_STEP;
}

static enum story_tick advance(struct runner *r)
{
	if (r->res->failure[0])
		return STORY_TICK_FAILED;
	if (dt_machine_state(rt_machine(r->rt))->outcome.kind == DT_LESSON_ERROR) {
		fail(r, "lesson error: %s", rt_error(r->rt));
		return STORY_TICK_FAILED;
	}
	switch (r->mode) {
	case M_DONE:
		return STORY_TICK_DONE;
	case M_RUN_UNTIL:
	case M_ASK:
		return run_one(r);
	case M_RUN_TO_END:
		if (step_once(r)) {
			r->mode = M_IDLE;
			answer_pending(r);
			return r->res->failure[0] ? STORY_TICK_FAILED : STORY_TICK_REVEAL;
		}
		return STORY_TICK_STEP;
	case M_STEPS: {
		int rc = next_step(r);
		if (rc < 0)
			return STORY_TICK_FAILED;
		if (rc > 0) {
			r->mode = M_IDLE;
			return STORY_TICK_LINE;
		}
		return STORY_TICK_STEP;
	}
	default:
		break;
	}
	if (r->item >= r->nitems) {
		if (r->npending)
			answer_pending(r);
		r->mode = M_DONE;
		r->res->finished = !r->res->failure[0];
		return r->res->finished ? STORY_TICK_DONE : STORY_TICK_FAILED;
	}
	enum story_tick t = take_item(r);
	if (t != STORY_TICK_FAILED &&
	    dt_machine_state(rt_machine(r->rt))->outcome.kind == DT_LESSON_ERROR) {
		fail(r, "lesson error: %s", rt_error(r->rt));
		return STORY_TICK_FAILED;
	}
	return t;
}

static int runner_init(struct runner *r, struct rt *rt, const struct story_io *io,
		       struct story_result *res)
{
	memset(r, 0, sizeof(*r));
	r->rt = rt;
	r->io = io;
	r->res = res ? res : &r->own;
	memset(r->res, 0, sizeof(*r->res));
	r->action_ref = LUA_NOREF;
	r->answered = -1;
	dt_sched_round_robin(&r->sched);
	r->traced = dt_machine_trace_count(rt_machine(rt));
	if (rt_story_ref(rt) == LUA_NOREF)
		return fail(r, "the lesson has no story{}");
	if (halted(rt))
		return fail(r, "the lesson failed to load: %s", rt_error(rt));
	lua_State *L = rt_lua(rt);
	lua_rawgeti(L, LUA_REGISTRYINDEX, rt_story_ref(rt));
	r->nitems = luaL_len(L, -1);
	lua_pop(L, 1);
	return 0;
}

int story_run(struct rt *rt, const struct story_io *io, struct story_result *res)
{
	struct runner r;
	if (runner_init(&r, rt, io, res))
		return -1;
	enum story_tick t;
	do
		t = advance(&r);
	while (t != STORY_TICK_DONE && t != STORY_TICK_FAILED);
	drop_action(&r);
	res->finished = t == STORY_TICK_DONE;
	return res->finished ? 0 : -1;
}

/* ---- the incremental run, for the terminal UI ---------------------------- */

struct story_run *story_begin(struct rt *rt, const struct story_io *io)
{
	struct story_run *sr = calloc(1, sizeof(*sr));
	if (!sr)
		return NULL;
	runner_init(&sr->r, rt, io, NULL);
	return sr;
}

enum story_tick story_advance(struct story_run *sr)
{
	sr->r.reveal.valid = 0;
	sr->r.reveal.judged = sr->r.reveal.judged_ok = 0;
	return advance(&sr->r);
}

const struct story_question *story_question(const struct story_run *sr)
{
	return &sr->r.q;
}

void story_answer(struct story_run *sr, int choice)
{
	if (sr->r.asked_pending && sr->r.npending)
		sr->r.pending_answer[sr->r.npending - 1] = choice; /* judged at a later stop */
	else
		sr->r.answered = choice;
}

const struct story_reveal *story_reveal(const struct story_run *sr)
{
	return sr->r.reveal.valid ? &sr->r.reveal : NULL;
}

const struct story_result *story_result(const struct story_run *sr)
{
	return sr->r.res;
}

int story_is_running(const struct story_run *sr)
{
	return sr->r.mode == M_RUN_UNTIL || sr->r.mode == M_RUN_TO_END || sr->r.mode == M_ASK ||
	       sr->r.mode == M_STEPS;
}

void story_finish(struct story_run *sr)
{
	if (!sr)
		return;
	if (sr->r.rt && rt_lua(sr->r.rt))
		drop_action(&sr->r);
	dt_schedule_free(&sr->r.steps); /* also when the runtime is gone */
	free(sr);
}
