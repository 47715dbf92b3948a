/*
 * script_story.c - the story and challenge declarations: story{}, fire,
 * steps, run_until, run_to_end, ask, expect, mark, challenge{} and the
 * predicates returned(), runs_on(), value(), outcome().
 *
 * Every action and predicate is a plain table tagged with `_action` or
 * `_pred`; the runner (story.c) interprets them against the engine.
 * Nothing here runs the machine.
 */
#include <stdio.h>
#include <string.h>

#include "script_int.h"
#include "story.h" /* STORY_MAX_HINTS */

/* API names a prediction can be about, and the operation each is. */
static const struct {
	const char *name;
	unsigned op;
} call_ops[] = {
	{ "WdfInterruptQueueDpcForIsr", DT_OP_QUEUE_DPC_FOR_ISR },
	{ "WdfInterruptQueueWorkItemForIsr", DT_OP_QUEUE_WORKITEM_FOR_ISR },
	{ "WdfInterruptTryToAcquireLock", DT_OP_INTR_TRY_ACQUIRE_LOCK },
	{ "WdfInterruptSynchronize", DT_OP_INTR_SYNCHRONIZE },
	{ "WdfInterruptEnable", DT_OP_INTR_ENABLE },
	{ "WdfInterruptDisable", DT_OP_INTR_DISABLE },
	{ "KeInsertQueueDpc", DT_OP_KE_INSERT_QUEUE_DPC },
	{ "KeRemoveQueueDpc", DT_OP_KE_REMOVE_QUEUE_DPC },
	{ "KeGetCurrentIrql", DT_OP_GET_IRQL },
	{ "KeGetCurrentProcessorNumber", DT_OP_GET_PROCESSOR },
	{ "READ_REGISTER_ULONG", DT_OP_READ_REGISTER },
	{ NULL, 0 },
};

const char *rt_call_name(unsigned op)
{
	for (unsigned i = 0; call_ops[i].name; i++)
		if (call_ops[i].op == op)
			return call_ops[i].name;
	return "?";
}

static void tag(lua_State *L, const char *field, const char *value)
{
	lua_pushstring(L, value);
	lua_setfield(L, -2, field);
}

static void cpu_filter(lua_State *L, int idx)
{
	lua_Integer cpu = -1;
	if (lua_istable(L, idx)) {
		lua_getfield(L, idx, "cpu");
		cpu = luaL_optinteger(L, -1, -1);
		lua_pop(L, 1);
	}
	lua_pushinteger(L, cpu);
	lua_setfield(L, -2, "cpu");
}

/* returned("WdfInterruptQueueDpcForIsr", { cpu = 1 }) */
static int l_returned(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);
	unsigned i;
	for (i = 0; call_ops[i].name; i++)
		if (strcmp(call_ops[i].name, name) == 0)
			break;
	if (!call_ops[i].name)
		return luaL_error(L, "returned(): '%s' is not a call a prediction can be about", name);
	lua_createtable(L, 0, 4);
	tag(L, "_pred", "returned");
	tag(L, "call", name);
	lua_pushinteger(L, call_ops[i].op);
	lua_setfield(L, -2, "op");
	cpu_filter(L, 2);
	return 1;
}

/* runs_on("EvtInterruptDpc"): the CPU a callback starts on next. */
static int l_runs_on(lua_State *L)
{
	const char *role = luaL_checkstring(L, 1);
	lua_createtable(L, 0, 3);
	tag(L, "_pred", "runs_on");
	tag(L, "role", role);
	cpu_filter(L, 2);
	return 1;
}

/* value("handled"): a shared value where the story next stops. */
static int l_value(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);
	lua_createtable(L, 0, 2);
	tag(L, "_pred", "value");
	tag(L, "name", name);
	return 1;
}

static int l_outcome(lua_State *L)
{
	lua_createtable(L, 0, 1);
	tag(L, "_pred", "outcome");
	return 1;
}

/* fire(device_or_event, { cpu = K }): a device event happens (not "the ISR runs"). */
static int l_fire(lua_State *L)
{
	luaL_checkany(L, 1);
	lua_createtable(L, 0, 4);
	tag(L, "_action", "fire");
	lua_pushvalue(L, 1);
	lua_setfield(L, -2, "target");
	cpu_filter(L, 2);
	return 1;
}

/* An action item { _action = action, [field] = argument 1 }. */
static int action_of_arg1(lua_State *L, const char *action, const char *field)
{
	lua_createtable(L, 0, 2);
	tag(L, "_action", action);
	lua_pushvalue(L, 1);
	lua_setfield(L, -2, field);
	return 1;
}

/* steps("0 0 1*3 e(nic)@1"): follow these choices exactly. */
static int l_steps(lua_State *L)
{
	luaL_checkstring(L, 1);
	return action_of_arg1(L, "steps", "choices");
}

static int l_run_until(lua_State *L)
{
	if (!lua_istable(L, 1) && !lua_isfunction(L, 1))
		return luaL_error(L, "run_until needs a predicate: returned(...), runs_on(...) "
				     "or a function");
	return action_of_arg1(L, "run_until", "pred");
}

static int l_run_to_end(lua_State *L)
{
	lua_createtable(L, 0, 1);
	tag(L, "_action", "run_to_end");
	return 1;
}

static int l_mark(lua_State *L)
{
	luaL_checkstring(L, 1);
	return action_of_arg1(L, "mark", "text");
}

/* expect(function() return ... end, "what it means") */
static int l_expect(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TFUNCTION);
	luaL_checkstring(L, 2);
	lua_createtable(L, 0, 3);
	tag(L, "_action", "expect");
	lua_pushvalue(L, 1);
	lua_setfield(L, -2, "fn");
	lua_pushvalue(L, 2);
	lua_setfield(L, -2, "text");
	return 1;
}

static const char *const ask_keys[] = { "about", "choices", "answer", "why", "hint", NULL };

/* ask { "question", about = pred, choices = {...}, answer = "...", why = "..." } */
static int l_ask(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_pushnil(L);
	while (lua_next(L, 1)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) == LUA_TSTRING) {
			const char *k = lua_tostring(L, -1);
			int ok = 0;
			for (const char *const *p = ask_keys; *p && !ok; p++)
				ok = strcmp(*p, k) == 0;
			if (!ok)
				rt_did_you_mean(L, "ask", k, ask_keys);
		}
	}
	lua_rawgeti(L, 1, 1);
	if (!lua_isstring(L, -1))
		return luaL_error(L, "ask{} starts with the question, a string");
	lua_pop(L, 1);
	lua_getfield(L, 1, "hint"); /* a string, or a list of tiers */
	int ht = lua_type(L, -1);
	if (ht == LUA_TTABLE) {
		lua_Integer n = luaL_len(L, -1);
		for (lua_Integer i = 1; i <= n; i++) {
			lua_rawgeti(L, -1, i);
			if (lua_type(L, -1) != LUA_TSTRING)
				ht = LUA_TNONE;
			lua_pop(L, 1);
		}
		if (n < 1 || n > STORY_MAX_HINTS)
			ht = LUA_TNONE;
	}
	if (ht != LUA_TNIL && ht != LUA_TSTRING && ht != LUA_TTABLE)
		return luaL_error(L, "ask{}: hint must be a string or a list of 1 to %d strings",
				  STORY_MAX_HINTS);
	lua_pop(L, 1);
	lua_getfield(L, 1, "about");
	if (!lua_istable(L, -1))
		return luaL_error(L, "ask{} needs about = returned(...), runs_on(...), value(...) "
				     "or outcome()");
	lua_pop(L, 1);
	lua_pushvalue(L, 1);
	tag(L, "_action", "ask");
	return 1;
}

/* story { "narration", action, ... } */
/*
 * Push a private copy of the table at idx: its raw contents (lua_next
 * reads no metamethod), tables inside copied the same way `depth - 1`
 * levels down and dropped below that, no metatable.  The story runner
 * and the checker read declarations from C outside any protected call,
 * where a Lua error is a panic (abort).  On the lesson's own tables a
 * read can raise one: a metatable's __index or __len that errors, or a
 * field changed to a number later by a callback.  Nothing in Lua can
 * reach the copy, so its reads never raise.
 */
static void push_private_copy(lua_State *L, int idx, int depth)
{
	idx = lua_absindex(L, idx);
	luaL_checkstack(L, 4, "copying a declaration");
	lua_newtable(L);
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		if (lua_type(L, -1) == LUA_TTABLE) {
			if (depth <= 1) {
				lua_pop(L, 1);
				continue;
			}
			push_private_copy(L, -1, depth - 1);
			lua_replace(L, -2);
		}
		lua_pushvalue(L, -2);  /* copy, key, value, key */
		lua_insert(L, -2);     /* copy, key, key, value */
		lua_rawset(L, -4);     /* copy, key */
	}
}

/* story { "text", action, ... }: kept as a new list of its items 1..#t,
 * each a string or a private copy of an action (two levels deep: the
 * action and its tables such as about or choices). */
static int l_story(lua_State *L)
{
	struct rt *rt = rt_from(L);
	if (!rt->building)
		return luaL_error(L, "story{} is declared at load time");
	if (rt->story_ref != LUA_NOREF)
		return luaL_error(L, "story{} is declared twice");
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_Integer n = luaL_len(L, 1);
	lua_newtable(L);
	int story = lua_gettop(L);
	for (lua_Integer i = 1; i <= n; i++) {
		int type = lua_rawgeti(L, 1, i);
		int ok = type == LUA_TSTRING; /* a number is no line of text */
		if (type == LUA_TTABLE) {
			push_private_copy(L, -1, 2);
			lua_replace(L, -2);
			lua_getfield(L, -1, "_action");
			ok = lua_type(L, -1) == LUA_TSTRING;
			lua_pop(L, 1);
		}
		if (!ok)
			return luaL_error(L, "story{} item %d is neither text nor an action "
					     "(fire, steps, run_until, run_to_end, ask, expect, mark)",
					  (int)i);
		lua_rawseti(L, story, i);
	}
	rt->story_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	return 0;
}

/* challenge { kind = "exists" | "forall", ... } */
static int l_challenge(lua_State *L)
{
	static const char *const keys[] = { "kind", "name", "goal", "reach", "reference",
					    "invariant", "correct", "bounds", "hints", NULL };
	static const char *const kinds[] = { "exists", "forall", NULL };
	struct rt *rt = rt_from(L);
	if (!rt->building)
		return luaL_error(L, "challenge{} is declared at load time");
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_pushnil(L);
	while (lua_next(L, 1)) {
		lua_pop(L, 1);
		const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
		int ok = 0;
		for (const char *const *p = keys; *p && !ok; p++)
			ok = strcmp(*p, k) == 0;
		if (!ok)
			rt_did_you_mean(L, "challenge", k, keys);
	}
	lua_getfield(L, 1, "kind");
	int kind = luaL_checkoption(L, -1, NULL, kinds);
	lua_pop(L, 1);
	lua_getfield(L, 1, "goal");
	if (!lua_isstring(L, -1))
		return luaL_error(L, "challenge{} needs goal = \"...\"");
	lua_pop(L, 1);
	const char *need = kind == 0 ? "reach" : "invariant";
	lua_getfield(L, 1, need);
	if (!lua_isfunction(L, -1))
		return luaL_error(L, "a%s challenge needs %s = function() ... end",
				  kind == 0 ? "n exists" : " forall", need);
	lua_pop(L, 1);
	if (kind == 0) {
		lua_getfield(L, 1, "reference");
		if (!lua_isstring(L, -1))
			return luaL_error(L, "an exists challenge needs reference = \"<schedule>\"");
		lua_pop(L, 1);
	} else {
		lua_getfield(L, 1, "correct");
		const char *c = lua_tostring(L, -1);
		unsigned v;
		for (v = 0; c && v < rt->lesson.nvariants; v++)
			if (strcmp(rt->lesson.variants[v], c) == 0)
				break;
		if (!c || v == rt->lesson.nvariants)
			return luaL_error(L, "a forall challenge needs correct = one of lesson{}'s "
					     "variants");
		lua_pop(L, 1);
	}
	if (rt->challenges_ref == LUA_NOREF) {
		lua_newtable(L);
		rt->challenges_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, rt->challenges_ref);
	push_private_copy(L, 1, 2); /* the challenge and its hints or bounds */
	lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
	lua_pop(L, 1);
	return 0;
}

unsigned rt_string_list(lua_State *L, int idx, char *buf, size_t each, unsigned max)
{
	unsigned n = 0;
	idx = lua_absindex(L, idx);
	if (lua_type(L, idx) == LUA_TSTRING && max) {
		snprintf(buf, each, "%s", lua_tostring(L, idx));
		return 1;
	}
	if (!lua_istable(L, idx))
		return 0;
	lua_Integer len = luaL_len(L, idx);
	for (lua_Integer i = 1; i <= len && n < max; i++) {
		lua_rawgeti(L, idx, i);
		if (lua_type(L, -1) == LUA_TSTRING)
			snprintf(buf + (size_t)n++ * each, each, "%s", lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	return n;
}

static void challenge_str(lua_State *L, int t, const char *key, char *buf, size_t size)
{
	lua_getfield(L, t, key);
	snprintf(buf, size, "%s", lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "");
	lua_pop(L, 1);
}

int rt_challenge_info(struct rt *rt, unsigned i, struct rt_challenge *out)
{
	lua_State *L = rt->L;
	memset(out, 0, sizeof(*out));
	if (rt->challenges_ref == LUA_NOREF)
		return -1;
	int top = lua_gettop(L);
	lua_rawgeti(L, LUA_REGISTRYINDEX, rt->challenges_ref);
	lua_rawgeti(L, -1, (lua_Integer)i + 1);
	if (!lua_istable(L, -1)) {
		lua_settop(L, top);
		return -1;
	}
	int t = lua_gettop(L);
	char kind[16];
	challenge_str(L, t, "kind", kind, sizeof(kind));
	out->exists = strcmp(kind, "exists") == 0;
	challenge_str(L, t, "name", out->name, sizeof(out->name));
	challenge_str(L, t, "goal", out->goal, sizeof(out->goal));
	challenge_str(L, t, "reference", out->reference, sizeof(out->reference));
	challenge_str(L, t, "correct", out->correct, sizeof(out->correct));
	lua_getfield(L, t, "hints");
	out->nhints = rt_string_list(L, -1, out->hints[0], sizeof(out->hints[0]), RT_MAX_HINTS);
	lua_settop(L, top);
	return 0;
}

/* finished(): nothing can step any more (a free read for predicates). */
static int l_finished(lua_State *L)
{
	struct rt *rt = rt_from(L);
	lua_pushboolean(L, dt_machine_enabled(rt->m, NULL, 0) == 0);
	return 1;
}

/* fired(device_or_event): how often that device event has happened. */
static int l_fired(lua_State *L)
{
	struct rt *rt = rt_from(L);
	const struct dt_state *st = dt_machine_state(rt->m);
	unsigned type, index, n = 0;
	if (!rt_handle_info(L, 1, &type, &index) || (type != RT_EVENT && type != RT_DEVICE))
		return luaL_error(L, "fired() needs a device or an event");
	for (unsigned e = 0; e < st->nevents; e++)
		if ((type == RT_EVENT && e == index) ||
		    (type == RT_DEVICE && st->events[e].device == index))
			n += st->events[e].fired;
	lua_pushinteger(L, n);
	return 1;
}

void rt_open_story(struct rt *rt, lua_State *L)
{
	static const luaL_Reg fns[] = {
		{ "story", l_story }, { "challenge", l_challenge }, { "fire", l_fire },
		{ "steps", l_steps }, { "run_until", l_run_until }, { "run_to_end", l_run_to_end },
		{ "mark", l_mark }, { "expect", l_expect }, { "ask", l_ask },
		{ "returned", l_returned }, { "runs_on", l_runs_on }, { "value", l_value },
		{ "outcome", l_outcome }, { "finished", l_finished }, { "fired", l_fired },
		{ NULL, NULL },
	};
	for (const luaL_Reg *f = fns; f->name; f++)
		rt_register(rt, L, f->name, f->func);
}
