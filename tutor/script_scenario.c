/*
 * script_scenario.c - the declarations a lesson makes while it loads:
 * lesson{}, device{}, event{}, thread{}, WdfInterruptCreate,
 * WdfSpinLockCreate, WdfWaitLockCreate, KeInitializeDpc and variant().
 *
 * Every table argument has a strict set of keys: an unknown key is an
 * error with a "did you mean" hint, so a typo never silently changes a
 * lesson.  WdfInterruptCreate answers with an NTSTATUS and a handle, like
 * the real call, never with a Lua error for a bad configuration (R40).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script_int.h"

static void check_keys(lua_State *L, int idx, const char *what, const char *const *known)
{
	idx = lua_absindex(L, idx);
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING) {
			if (lua_isinteger(L, -1) && strcmp(what, "lesson") != 0)
				continue; /* positional items are checked by their owner */
			luaL_error(L, "%s{} keys are names, got a %s", what, luaL_typename(L, -1));
		}
		const char *k = lua_tostring(L, -1);
		int ok = 0;
		for (const char *const *p = known; *p && !ok; p++)
			ok = strcmp(*p, k) == 0;
		if (!ok)
			rt_did_you_mean(L, what, k, known);
	}
}

static int name_char(char c, int first)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
	       (!first && ((c >= '0' && c <= '9') || c == '.' || c == '-'));
}

/* A name that schedules can print: [A-Za-z_][A-Za-z0-9_.-]*, < 24 bytes. */
static const char *check_name(lua_State *L, int idx, const char *field, const char *what)
{
	lua_getfield(L, idx, field);
	const char *s = lua_tostring(L, -1);
	if (!s)
		luaL_error(L, "%s{} needs %s = \"...\"", what, field);
	size_t n = strlen(s);
	int ok = n > 0 && n < 24;
	for (size_t i = 0; ok && i < n; i++)
		ok = name_char(s[i], i == 0);
	if (!ok)
		luaL_error(L, "%s{}: %s '%s' must be a short name of letters, digits, _ . - "
			      "starting with a letter", what, field, s);
	lua_pop(L, 1);
	return s; /* still referenced by the table */
}

static char *opt_strdup(lua_State *L, int idx, const char *field)
{
	lua_getfield(L, idx, field);
	const char *s = lua_tostring(L, -1);
	char *r = s ? strdup(s) : NULL;
	lua_pop(L, 1);
	return r;
}

static lua_Integer opt_int(lua_State *L, int idx, const char *field, lua_Integer dflt,
			   lua_Integer lo, lua_Integer hi, const char *what)
{
	lua_getfield(L, idx, field);
	lua_Integer v = dflt;
	if (!lua_isnil(L, -1)) {
		if (!lua_isinteger(L, -1))
			luaL_error(L, "%s{}: %s must be an integer", what, field);
		v = lua_tointeger(L, -1);
		if (v < lo || v > hi)
			luaL_error(L, "%s{}: %s must be %d..%d", what, field, (int)lo, (int)hi);
	}
	lua_pop(L, 1);
	return v;
}

static int opt_bool(lua_State *L, int idx, const char *field)
{
	lua_getfield(L, idx, field);
	int v = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return v;
}

/* ---- lesson{} ------------------------------------------------------------- */

static void lesson_switches(lua_State *L, int idx, struct dt_switches *sw)
{
	static const char *const keys[] = { "verifier", "debugger", "driver_verifier_irql",
					    "umdf", "stale_handle", NULL };
	static const char *const stale[] = { "works", "type-check", "fault", "corrupt", NULL };
	lua_getfield(L, idx, "switches");
	if (lua_istable(L, -1)) {
		int t = lua_gettop(L);
		check_keys(L, t, "switches", keys);
		lua_getfield(L, t, "stale_handle");
		sw->stale_handle = (uint8_t)luaL_checkoption(L, -1, "works", stale);
		lua_pop(L, 1);
		sw->kmdf_verifier = (uint8_t)opt_bool(L, t, "verifier");
		sw->debugger_attached = (uint8_t)opt_bool(L, t, "debugger");
		sw->driver_verifier_irql = (uint8_t)opt_bool(L, t, "driver_verifier_irql");
		sw->umdf = (uint8_t)opt_bool(L, t, "umdf");
	}
	lua_pop(L, 1);
	lua_getfield(L, idx, "watchdog");
	if (lua_istable(L, -1)) {
		static const char *const wk[] = { "single_us", "cumulative_us", NULL };
		int t = lua_gettop(L);
		check_keys(L, t, "watchdog", wk);
		sw->watchdog_single_us = (uint32_t)opt_int(L, t, "single_us", 0, 1, 1000000000, "watchdog");
		sw->watchdog_cumulative_us =
			(uint32_t)opt_int(L, t, "cumulative_us", 0, 1, 1000000000, "watchdog");
	}
	lua_pop(L, 1);
	sw->tick_us = (uint32_t)opt_int(L, idx, "tick_us", 0, 1, 100000000, "lesson");
	sw->step_limit = (uint32_t)opt_int(L, idx, "step_limit", 0, 10, 10000000, "lesson");
	sw->workers = (uint32_t)opt_int(L, idx, "workers", 0, 1, 8, "lesson");
}

static void lesson_list(lua_State *L, int idx, const char *field, char (*out)[8], unsigned max,
			unsigned *n, size_t width)
{
	lua_getfield(L, idx, field);
	*n = 0;
	if (lua_istable(L, -1)) {
		lua_Integer len = luaL_len(L, -1);
		for (lua_Integer i = 1; i <= len; i++) {
			lua_rawgeti(L, -1, i);
			const char *s = lua_tostring(L, -1);
			if (!s || strlen(s) >= width || *n == max)
				luaL_error(L, "lesson{}: %s must be a short list of names", field);
			snprintf(out[*n], width, "%s", s);
			(*n)++;
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
}

static void lesson_variants(lua_State *L, int idx, struct rt_lesson *l)
{
	lua_getfield(L, idx, "variants");
	l->nvariants = 0;
	if (lua_istable(L, -1)) {
		lua_Integer len = luaL_len(L, -1);
		if (len > RT_MAX_VARIANTS)
			luaL_error(L, "lesson{}: at most %d variants", RT_MAX_VARIANTS);
		for (lua_Integer i = 1; i <= len; i++) {
			lua_rawgeti(L, -1, i);
			const char *s = lua_tostring(L, -1);
			if (!s || !*s || strlen(s) >= DT_NAME_MAX)
				luaL_error(L, "lesson{}: variants are short names");
			snprintf(l->variants[l->nvariants++], DT_NAME_MAX, "%s", s);
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
}

/* bounds = { preemptions = K, events = A, steps = N } for the explorer */
static void lesson_bounds(lua_State *L, int idx, struct rt_lesson *l)
{
	static const char *const keys[] = { "preemptions", "events", "steps", NULL };
	l->max_preemptions = 2;
	l->max_events = 2;
	l->max_steps = 200;
	lua_getfield(L, idx, "bounds");
	if (lua_istable(L, -1)) {
		int t = lua_gettop(L);
		check_keys(L, t, "bounds", keys);
		l->max_preemptions = (uint32_t)opt_int(L, t, "preemptions", 2, 0, 64, "bounds");
		l->max_events = (uint32_t)opt_int(L, t, "events", 2, 0, 16, "bounds");
		l->max_steps = (uint32_t)opt_int(L, t, "steps", 200, 1, 100000, "bounds");
	}
	lua_pop(L, 1);
}

/* lesson { api = 1, id = "...", title = "...", ... } */
static int l_lesson(lua_State *L)
{
	static const char *const keys[] = {
		"api", "id", "title", "rules", "cpus", "goal", "notes", "seed", "tick_us",
		"watchdog", "step_limit", "workers", "switches", "variants", "bounds", NULL,
	};
	struct rt *rt = rt_from(L);
	if (!rt->building)
		return luaL_error(L, "lesson{} is declared once, at load time");
	if (rt->have_lesson)
		return luaL_error(L, "lesson{} is declared twice");
	luaL_checktype(L, 1, LUA_TTABLE);
	check_keys(L, 1, "lesson", keys);
	struct rt_lesson *l = &rt->lesson;
	if (opt_int(L, 1, "api", 0, 1, 1, "lesson") != 1)
		return luaL_error(L, "lesson{} needs api = 1 (the API version this lesson uses)");
	snprintf(l->id, sizeof(l->id), "%s", check_name(L, 1, "id", "lesson"));
	l->cpus = (unsigned)opt_int(L, 1, "cpus", 1, 1, DT_MAX_CPUS, "lesson");
	l->seed = (uint64_t)opt_int(L, 1, "seed", 0, 0, INT64_MAX, "lesson");
	if (rt->probing) {
		free(l->title);
		free(l->goal);
		free(l->notes);
		l->title = opt_strdup(L, 1, "title");
		l->goal = opt_strdup(L, 1, "goal");
		l->notes = opt_strdup(L, 1, "notes");
		if (!l->title)
			return luaL_error(L, "lesson{} needs title = \"...\"");
		memset(&l->sw, 0, sizeof(l->sw));
		lesson_switches(L, 1, &l->sw);
	} else if (!l->title) {
		l->title = opt_strdup(L, 1, "title");
		l->goal = opt_strdup(L, 1, "goal");
		l->notes = opt_strdup(L, 1, "notes");
	}
	lesson_list(L, 1, "rules", l->rules, RT_MAX_RULES, &l->nrules, sizeof(l->rules[0]));
	lesson_bounds(L, 1, l);
	lesson_variants(L, 1, l);
	rt->have_lesson = 1;
	return 0;
}

/* variant() -> the name of the challenge variant being built, or nil. */
static int l_variant(lua_State *L)
{
	struct rt *rt = rt_from(L);
	if (rt->lesson.nvariants == 0)
		lua_pushnil(L);
	else
		lua_pushstring(L, rt->lesson.variants[rt->variant]);
	return 1;
}

/* ---- device{}, event{}, thread{} ------------------------------------------ */

static uint64_t affinity_of(lua_State *L, int idx, unsigned ncpus, const char *what)
{
	uint64_t all = ncpus == 64 ? ~0ull : (1ull << ncpus) - 1;
	lua_getfield(L, idx, "affinity");
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return all;
	}
	if (!lua_istable(L, -1))
		luaL_error(L, "%s{}: affinity is a list of CPU numbers, e.g. { 0, 1 }", what);
	uint64_t mask = 0;
	lua_Integer n = luaL_len(L, -1);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0 ||
		    lua_tointeger(L, -1) >= (lua_Integer)ncpus)
			luaL_error(L, "%s{}: affinity names CPUs 0..%d", what, (int)ncpus - 1);
		mask |= 1ull << lua_tointeger(L, -1);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	if (!mask)
		luaL_error(L, "%s{}: affinity needs at least one CPU", what);
	return mask;
}

static void must(lua_State *L, int rc, const char *what)
{
	if (rc == DT_ELIMIT)
		luaL_error(L, "%s: the machine is full (see the limits in the authoring guide)", what);
	if (rc)
		luaL_error(L, "%s: a bad or duplicate name or value", what);
}

/* A device event the student and the explorer may place (free = N). */
static void add_free(lua_State *L, struct rt *rt, unsigned event, unsigned max)
{
	if (rt->nfree == DT_EXPLORE_MAX_FREE)
		luaL_error(L, "at most %d free device events", DT_EXPLORE_MAX_FREE);
	rt->free_events[rt->nfree].event = (uint16_t)event;
	rt->free_events[rt->nfree].max = (uint16_t)max;
	rt->nfree++;
}

static int l_device(lua_State *L)
{
	static const char *const keys[] = { "name", "irql", "affinity", "kind", "messages",
					    "execution_level", "synchronization_scope", "free",
					    NULL };
	static const char *const kinds[] = { "edge", "level", "msi", NULL };
	static const char *const levels[] = { "dispatch", "passive", NULL };
	static const char *const scopes[] = { "none", "device", "queue", NULL };
	struct rt *rt = rt_from(L);
	if (!rt->building)
		return luaL_error(L, "device{} declares the scenario: call it at load time");
	luaL_checktype(L, 1, LUA_TTABLE);
	check_keys(L, 1, "device", keys);
	const char *name = check_name(L, 1, "name", "device");
	unsigned irql = (unsigned)opt_int(L, 1, "irql", 5, DT_DIRQL_MIN, DT_DIRQL_MAX, "device");
	unsigned ncpus = dt_machine_state(rt->m)->ncpus;
	uint64_t aff = affinity_of(L, 1, ncpus, "device");
	lua_getfield(L, 1, "kind");
	int kind = luaL_checkoption(L, -1, "edge", kinds);
	lua_getfield(L, 1, "execution_level");
	int level = luaL_checkoption(L, -1, "dispatch", levels);
	lua_getfield(L, 1, "synchronization_scope");
	int scope = luaL_checkoption(L, -1, "none", scopes);
	lua_pop(L, 3);
	unsigned messages = (unsigned)opt_int(L, 1, "messages", 1, 1, DT_MAX_LINES, "device");
	if (messages > 1 && kind != DT_LINE_MSI)
		return luaL_error(L, "device{}: several messages need kind = \"msi\"");
	unsigned dev, line;
	unsigned nfree = (unsigned)opt_int(L, 1, "free", 0, 0, 8, "device");
	must(L, dt_device_create(rt->m, name, &dev), "device{}");
	must(L, dt_device_set_sync(rt->m, dev, level, scope), "device{}");
	for (unsigned i = 0; i < messages; i++) {
		must(L, dt_device_add_line(rt->m, dev, (enum dt_line_kind)kind, irql, aff, &line),
		     "device{}");
		char ev[DT_NAME_MAX];
		if (i == 0)
			snprintf(ev, sizeof(ev), "%s", name);
		else
			snprintf(ev, sizeof(ev), "%.24s.%u", name, i % 10u);
		unsigned e;
		must(L, dt_event_create(rt->m, ev, dev, line, 1u << i, &e), "device{}");
		if (nfree && i == 0)
			add_free(L, rt, e, nfree);
	}
	rt_push_handle(L, RT_DEVICE, dt_handle_of(DT_HANDLE_DEVICE, dev), dev);
	return 1;
}

/* event { device = d, name = "tx", bits = 2, message = 0 } */
static int l_event(lua_State *L)
{
	static const char *const keys[] = { "device", "name", "bits", "message", "free", NULL };
	struct rt *rt = rt_from(L);
	if (!rt->building)
		return luaL_error(L, "event{} declares the scenario: call it at load time");
	luaL_checktype(L, 1, LUA_TTABLE);
	check_keys(L, 1, "event", keys);
	lua_getfield(L, 1, "device");
	uint64_t h;
	unsigned dev;
	rt_check_handle(L, -1, RT_DEVICE, &h, &dev);
	lua_pop(L, 1);
	if (dev == DT_NONE)
		return luaL_error(L, "event{} needs device = <a device{}>");
	const char *name = check_name(L, 1, "name", "event");
	lua_Integer bits = opt_int(L, 1, "bits", 1, 1, 0xFFFFFFFFll, "event");
	unsigned msg = (unsigned)opt_int(L, 1, "message", 0, 0, DT_MAX_LINES - 1, "event");
	unsigned ev;
	unsigned nfree = (unsigned)opt_int(L, 1, "free", 0, 0, 8, "event");
	must(L, dt_event_create(rt->m, name, dev, msg, (uint32_t)bits, &ev), "event{}");
	if (nfree)
		add_free(L, rt, ev, nfree);
	rt_push_handle(L, RT_EVENT, 0, ev);
	return 1;
}

/* thread { name = "app", body = function() ... end, affinity = { 0 } } */
static int l_thread(lua_State *L)
{
	static const char *const keys[] = { "name", "body", "affinity", "c_source", NULL };
	struct rt *rt = rt_from(L);
	if (!rt->building)
		return luaL_error(L, "thread{} declares the scenario: call it at load time");
	luaL_checktype(L, 1, LUA_TTABLE);
	check_keys(L, 1, "thread", keys);
	const char *name = check_name(L, 1, "name", "thread");
	uint64_t aff = affinity_of(L, 1, dt_machine_state(rt->m)->ncpus, "thread");
	lua_getfield(L, 1, "body");
	uint32_t cb;
	if (rt_callback_id(rt, L, -1, "thread", DT_NONE, &cb))
		return luaL_error(L, "thread{} needs body = function() ... end");
	lua_pop(L, 1);
	snprintf(rt->callbacks[cb].name, sizeof(rt->callbacks[cb].name), "%s", name);
	lua_getfield(L, 1, "c_source");
	if (!lua_isnil(L, -1)) {
		if (lua_type(L, -1) != LUA_TSTRING)
			return luaL_error(L, "thread{}: c_source must be a string (the body in C)");
		rt_set_c_source(rt, L, cb, lua_tostring(L, -1));
	}
	lua_pop(L, 1);
	unsigned t;
	must(L, dt_thread_create(rt->m, name, cb, aff, &t), "thread{}");
	rt_push_handle(L, RT_THREAD, 0, t);
	return 1;
}

/* ---- WdfInterruptCreate and friends -------------------------------------- */

static uint32_t config_callback(lua_State *L, struct rt *rt, int cfg, const char *key,
				unsigned intr)
{
	uint32_t id = DT_NO_CALLBACK;
	lua_getfield(L, cfg, key);
	if (!lua_isnil(L, -1) && rt_callback_id(rt, L, -1, key, intr, &id))
		luaL_error(L, "WdfInterruptCreate: %s must be a function", key);
	lua_pop(L, 1);
	return id;
}

static uint64_t config_handle(lua_State *L, int cfg, const char *key, unsigned type)
{
	uint64_t h = 0;
	lua_getfield(L, cfg, key);
	if (!lua_isnil(L, -1))
		rt_check_handle(L, -1, type, &h, NULL);
	lua_pop(L, 1);
	return h;
}

/*
 * config.c_source: the C the Lua callbacks stand for, shown by the UI's C
 * view.  A string is the whole interrupt's C (kept with the ISR); a table
 * gives one string per callback key, { EvtInterruptIsr = "...",
 * EvtInterruptDpc = "..." }, for callbacks the config sets.
 */
static void config_c_source(lua_State *L, struct rt *rt, int cfg,
			    const struct dt_interrupt_config *c)
{
	static const char *const roles[] = { "EvtInterruptIsr", "EvtInterruptDpc",
					     "EvtInterruptWorkItem", "EvtInterruptEnable",
					     "EvtInterruptDisable", NULL };
	const uint32_t ids[] = { c->isr, c->dpc, c->work_item, c->enable, c->disable };
	lua_getfield(L, cfg, "c_source");
	int t = lua_gettop(L);
	if (lua_type(L, t) == LUA_TSTRING) {
		rt_set_c_source(rt, L, c->isr, lua_tostring(L, t));
	} else if (lua_istable(L, t)) {
		check_keys(L, t, "c_source", roles);
		for (unsigned i = 0; roles[i]; i++) {
			lua_getfield(L, t, roles[i]);
			if (!lua_isnil(L, -1)) {
				if (lua_type(L, -1) != LUA_TSTRING)
					luaL_error(L, "c_source.%s must be a string", roles[i]);
				if (ids[i] == DT_NO_CALLBACK)
					luaL_error(L, "c_source.%s: the config has no %s", roles[i],
						   roles[i]);
				rt_set_c_source(rt, L, ids[i], lua_tostring(L, -1));
			}
			lua_pop(L, 1);
		}
	} else if (!lua_isnil(L, t)) {
		luaL_error(L, "WdfInterruptCreate: c_source must be a string or a table of "
			      "strings per callback");
	}
	lua_pop(L, 1);
}

/* status, interrupt = WdfInterruptCreate(device, config) */
static int l_WdfInterruptCreate(lua_State *L)
{
	static const char *const keys[] = {
		"EvtInterruptIsr", "EvtInterruptDpc", "EvtInterruptWorkItem", "EvtInterruptEnable",
		"EvtInterruptDisable", "PassiveHandling", "AutomaticSerialization", "SpinLock",
		"WaitLock", "c_source", NULL,
	};
	struct rt *rt = rt_from(L);
	if (!rt->building)
		return luaL_error(L, "WdfInterruptCreate belongs in the scenario, at load time");
	uint64_t h;
	unsigned dev;
	rt_check_handle(L, 1, RT_DEVICE, &h, &dev);
	if (dev == DT_NONE)
		return luaL_error(L, "bad argument #1 to WdfInterruptCreate: a device expected");
	luaL_checktype(L, 2, LUA_TTABLE);
	check_keys(L, 2, "WDF_INTERRUPT_CONFIG", keys);
	unsigned next = dt_machine_state(rt->m)->ninterrupts;
	struct dt_interrupt_config cfg;
	dt_interrupt_config_init(&cfg, DT_NO_CALLBACK, DT_NO_CALLBACK);
	cfg.isr = config_callback(L, rt, 2, "EvtInterruptIsr", next);
	cfg.dpc = config_callback(L, rt, 2, "EvtInterruptDpc", next);
	cfg.work_item = config_callback(L, rt, 2, "EvtInterruptWorkItem", next);
	cfg.enable = config_callback(L, rt, 2, "EvtInterruptEnable", next);
	cfg.disable = config_callback(L, rt, 2, "EvtInterruptDisable", next);
	cfg.passive_handling = (uint8_t)opt_bool(L, 2, "PassiveHandling");
	cfg.automatic_serialization = (uint8_t)opt_bool(L, 2, "AutomaticSerialization");
	config_c_source(L, rt, 2, &cfg);
	cfg.spin_lock = config_handle(L, 2, "SpinLock", RT_SPINLOCK);
	cfg.wait_lock = config_handle(L, 2, "WaitLock", RT_WAITLOCK);
	uint32_t status;
	uint64_t handle;
	must(L, dt_interrupt_create(rt->m, dev, &cfg, &status, &handle), "WdfInterruptCreate");
	lua_pushinteger(L, status);
	if (status == DT_STATUS_SUCCESS)
		rt_push_handle(L, RT_INTERRUPT, handle, next);
	else
		lua_pushnil(L);
	return 2;
}

/* status, lock = WdfSpinLockCreate() / WdfWaitLockCreate() */
static int lock_create(lua_State *L, int wait)
{
	struct rt *rt = rt_from(L);
	const char *name = wait ? "WdfWaitLockCreate" : "WdfSpinLockCreate";
	uint64_t h;
	unsigned idx = 0;
	if (!rt->building)
		return luaL_error(L, "%s belongs in the scenario, at load time", name);
	must(L, wait ? dt_waitlock_create(rt->m, &h) : dt_spinlock_create(rt->m, &h), name);
	dt_handle_decode(rt->m, h, wait ? DT_HANDLE_WAITLOCK : DT_HANDLE_SPINLOCK, &idx);
	lua_pushinteger(L, DT_STATUS_SUCCESS);
	rt_push_handle(L, wait ? RT_WAITLOCK : RT_SPINLOCK, h, idx);
	return 2;
}

static int l_WdfSpinLockCreate(lua_State *L)
{
	return lock_create(L, 0);
}

static int l_WdfWaitLockCreate(lua_State *L)
{
	return lock_create(L, 1);
}

/* dpc = KeInitializeDpc(routine) (R19, R20) */
static int l_KeInitializeDpc(lua_State *L)
{
	struct rt *rt = rt_from(L);
	if (!rt->building)
		return luaL_error(L, "KeInitializeDpc belongs in the scenario, at load time");
	uint32_t cb;
	if (rt_callback_id(rt, L, 1, "CustomDpc", DT_NONE, &cb))
		return luaL_error(L, "KeInitializeDpc needs the deferred routine, a function");
	uint64_t h;
	must(L, dt_kdpc_create(rt->m, cb, &h), "KeInitializeDpc");
	unsigned idx = 0;
	dt_handle_decode(rt->m, h, DT_HANDLE_KDPC, &idx);
	rt_push_handle(L, RT_KDPC, h, idx);
	return 1;
}

void rt_open_scenario(struct rt *rt, lua_State *L)
{
	static const luaL_Reg fns[] = {
		{ "lesson", l_lesson }, { "variant", l_variant }, { "device", l_device },
		{ "event", l_event }, { "thread", l_thread },
		{ "WdfInterruptCreate", l_WdfInterruptCreate },
		{ "WdfSpinLockCreate", l_WdfSpinLockCreate },
		{ "WdfWaitLockCreate", l_WdfWaitLockCreate },
		{ "KeInitializeDpc", l_KeInitializeDpc }, { NULL, NULL },
	};
	for (const luaL_Reg *f = fns; f->name; f++)
		rt_register(rt, L, f->name, f->func);
	lua_pushinteger(L, DT_STATUS_SUCCESS);
	lua_setglobal(L, "STATUS_SUCCESS");
	lua_pushinteger(L, DT_STATUS_INVALID_PARAMETER);
	lua_setglobal(L, "STATUS_INVALID_PARAMETER");
	lua_pushinteger(L, DT_STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL);
	lua_setglobal(L, "STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL");
	lua_pushinteger(L, DT_STATUS_INSUFFICIENT_RESOURCES);
	lua_setglobal(L, "STATUS_INSUFFICIENT_RESOURCES");
	static const struct { const char *n; int v; } irqls[] = {
		{ "PASSIVE_LEVEL", 0 }, { "APC_LEVEL", 1 }, { "DISPATCH_LEVEL", 2 },
		{ "CLOCK_LEVEL", 13 }, { "IPI_LEVEL", 14 }, { "HIGH_LEVEL", 15 },
		{ "SYNCH_LEVEL", 12 },
	};
	for (size_t i = 0; i < sizeof(irqls) / sizeof(irqls[0]); i++) {
		lua_pushinteger(L, irqls[i].v);
		lua_setglobal(L, irqls[i].n);
	}
}
