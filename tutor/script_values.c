/*
 * script_values.c - what lessons hold in their hands: handles (WDFDEVICE,
 * WDFINTERRUPT, WDFSPINLOCK, ...) and shared values (product.md "Shared
 * state").
 *
 * A handle is a small userdata carrying the value the engine gave the
 * object (scrambled the way KMDF does), so tostring shows what a debugger
 * would.  shared{ ... } declares watched values: the proxy it returns is a
 * userdata (rawset cannot bypass it) whose every field read or write
 * inside a callback is an operation of its own, one engine step.  The
 * story, predicates and the UI read the same fields for free.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script_int.h"

#define HANDLE_MT "dpctutor.handle"
#define SHARED_MT "dpctutor.shared"
#define ARRAY_MT "dpctutor.array"
#define MAX_ARRAY 64

struct rt_handle {
	uint64_t value;
	uint16_t type;   /* enum rt_handle_type */
	uint16_t index;  /* the object's creation index */
};

struct rt_array {
	uint16_t base;   /* var index of element 1 */
	uint16_t len;
	char name[DT_NAME_MAX];
};

static const char *type_name(unsigned type)
{
	switch (type) {
	case RT_DEVICE:
		return "WDFDEVICE";
	case RT_INTERRUPT:
		return "WDFINTERRUPT";
	case RT_SPINLOCK:
		return "WDFSPINLOCK";
	case RT_WAITLOCK:
		return "WDFWAITLOCK";
	case RT_KDPC:
		return "KDPC";
	case RT_EVENT:
		return "device event";
	default:
		return "thread";
	}
}

void rt_push_handle(lua_State *L, unsigned type, uint64_t value, unsigned index)
{
	struct rt_handle *h = lua_newuserdatauv(L, sizeof(*h), 0);
	h->value = value;
	h->type = (uint16_t)type;
	h->index = (uint16_t)index;
	luaL_setmetatable(L, HANDLE_MT);
}

/* The handle at idx; a wrong argument is the lesson's error.  A nil
 * argument passes as the NULL handle 0 (so the engine can bug-check, R30). */
int rt_check_handle(lua_State *L, int idx, unsigned type, uint64_t *value, unsigned *index)
{
	if (lua_isnil(L, idx) || lua_isnone(L, idx)) {
		*value = 0;
		if (index)
			*index = DT_NONE;
		return 0;
	}
	struct rt_handle *h = luaL_testudata(L, idx, HANDLE_MT);
	if (!h)
		return luaL_error(L, "bad argument #%d: a %s handle expected, got %s", idx,
				  type_name(type), luaL_typename(L, idx));
	*value = h->value; /* a handle of another type passes: the engine bug-checks (R30) */
	if (index)
		*index = h->type == type ? h->index : DT_NONE;
	return 0;
}

int rt_handle_info(lua_State *L, int idx, unsigned *type, unsigned *index)
{
	struct rt_handle *h = luaL_testudata(L, idx, HANDLE_MT);
	if (!h)
		return 0;
	*type = h->type;
	*index = h->index;
	return 1;
}

static int handle_tostring(lua_State *L)
{
	struct rt *rt = rt_from(L);
	struct rt_handle *h = luaL_checkudata(L, 1, HANDLE_MT);
	const struct dt_state *st = dt_machine_state(rt->m);
	if (h->type == RT_DEVICE && h->index < st->ndevices)
		lua_pushfstring(L, "WDFDEVICE %s",
				dt_machine_string(rt->m, st->devices[h->index].name));
	else if (h->type == RT_EVENT && h->index < st->nevents)
		lua_pushfstring(L, "device event %s",
				dt_machine_string(rt->m, st->events[h->index].name));
	else if (h->type == RT_THREAD && h->index < st->nthreads)
		lua_pushfstring(L, "thread %s",
				dt_machine_string(rt->m, st->threads[h->index].name));
	else {
		char buf[48];
		snprintf(buf, sizeof(buf), "%s 0x%016llx", type_name(h->type),
			 (unsigned long long)h->value);
		lua_pushstring(L, buf);
	}
	return 1;
}

static int handle_eq(lua_State *L)
{
	struct rt_handle *a = luaL_testudata(L, 1, HANDLE_MT);
	struct rt_handle *b = luaL_testudata(L, 2, HANDLE_MT);
	lua_pushboolean(L, a && b && a->type == b->type && a->value == b->value);
	return 1;
}

/* ---- shared values ------------------------------------------------------- */

/* An operation on var `var` from inside a callback: yields to the engine. */
static int shared_op(lua_State *L, struct rt *rt, unsigned kind, unsigned var, int vidx)
{
	struct rt_body *b = rt->current;
	memset(&b->op, 0, sizeof(b->op));
	b->op.kind = (uint16_t)kind;
	b->op.index = var;
	b->op.pos = rt_where(rt, L, 1);
	if (kind == DT_OP_WRITE_SHARED &&
	    !rt_to_value(rt, L, vidx, &b->op.value))
		return luaL_error(L, "a shared value holds a number, a boolean or a string, "
				     "not a %s", luaL_typename(L, vidx));
	b->have_op = 1;
	return lua_yield(L, 0);
}

static int var_get(lua_State *L, struct rt *rt, unsigned var)
{
	if (rt->current)
		return shared_op(L, rt, DT_OP_READ_SHARED, var, 0);
	rt_push_value(rt, L, &dt_machine_state(rt->m)->vars[var].value);
	return 1;
}

static int var_set(lua_State *L, struct rt *rt, unsigned var, int vidx)
{
	if (rt->current)
		return shared_op(L, rt, DT_OP_WRITE_SHARED, var, vidx);
	return luaL_error(L, "shared values change only inside callbacks, where each write "
			     "is a step");
}

/* Push what the field name at index 2 stands for: the proxy's uservalue 1
 * maps a name to its var index, or to an array's userdata. */
static void shared_field(lua_State *L)
{
	luaL_checkudata(L, 1, SHARED_MT);
	lua_getiuservalue(L, 1, 1);
	lua_pushvalue(L, 2);
	lua_rawget(L, -2);
}

static int shared_no_field(lua_State *L)
{
	return luaL_error(L, "shared has no field '%s' (declare it in shared{})",
			  lua_isstring(L, 2) ? lua_tostring(L, 2) : "?");
}

static int shared_index(lua_State *L)
{
	struct rt *rt = rt_from(L);
	shared_field(L);
	if (lua_isinteger(L, -1))
		return var_get(L, rt, (unsigned)lua_tointeger(L, -1));
	if (lua_isuserdata(L, -1))
		return 1; /* an array proxy: indexing it is the operation */
	return shared_no_field(L);
}

static int shared_newindex(lua_State *L)
{
	struct rt *rt = rt_from(L);
	shared_field(L);
	if (lua_isinteger(L, -1))
		return var_set(L, rt, (unsigned)lua_tointeger(L, -1), 3);
	if (lua_isuserdata(L, -1))
		return luaL_error(L, "assign the elements of a shared array, not the array");
	return shared_no_field(L);
}

static unsigned array_slot(lua_State *L, const struct rt_array *a)
{
	lua_Integer i = luaL_checkinteger(L, 2);
	if (i < 1 || i > a->len)
		luaL_error(L, "shared array '%s' has elements 1..%d, not %d", a->name, a->len,
			   (int)i);
	return a->base + (unsigned)(i - 1);
}

static int array_index(lua_State *L)
{
	struct rt *rt = rt_from(L);
	struct rt_array *a = luaL_checkudata(L, 1, ARRAY_MT);
	return var_get(L, rt, array_slot(L, a));
}

static int array_newindex(lua_State *L)
{
	struct rt *rt = rt_from(L);
	struct rt_array *a = luaL_checkudata(L, 1, ARRAY_MT);
	return var_set(L, rt, array_slot(L, a), 3);
}

static int array_len(lua_State *L)
{
	struct rt_array *a = luaL_checkudata(L, 1, ARRAY_MT);
	lua_pushinteger(L, a->len);
	return 1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of the table at idx, sorted (Lua's own order varies by run). */
static int sorted_keys(lua_State *L, int idx, const char **keys, int max)
{
	int n = 0;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING)
			return luaL_error(L, "shared{} fields are named: got a %s key",
					  luaL_typename(L, -1));
		if (n == max)
			return luaL_error(L, "shared{} has too many fields");
		keys[n++] = lua_tostring(L, -1);
	}
	qsort(keys, (size_t)n, sizeof(*keys), cmp_str);
	return n;
}

static unsigned declare_var(lua_State *L, struct rt *rt, const char *name, int vidx)
{
	struct dt_value v;
	unsigned var;
	if (!rt_to_value(rt, L, vidx, &v))
		luaL_error(L, "shared field '%s' must start as a number, boolean, string or "
			      "an array of them", name);
	int rc = dt_var_create(rt->m, name, v, &var);
	if (rc == DT_ELIMIT)
		luaL_error(L, "too many shared values (at most %d)", DT_MAX_VARS);
	if (rc)
		luaL_error(L, "shared field '%s' is declared twice or badly named", name);
	return var;
}

static void declare_array(lua_State *L, struct rt *rt, const char *name, int tidx)
{
	lua_Integer n = luaL_len(L, tidx);
	if (n < 1 || n > MAX_ARRAY)
		luaL_error(L, "shared array '%s' needs 1..%d elements", name, MAX_ARRAY);
	struct rt_array *a = lua_newuserdatauv(L, sizeof(*a), 0);
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->len = (uint16_t)n;
	for (lua_Integer i = 1; i <= n; i++) {
		char el[DT_NAME_MAX];
		snprintf(el, sizeof(el), "%.24s[%d]", name, (int)i);
		lua_rawgeti(L, tidx, i);
		unsigned var = declare_var(L, rt, el, lua_gettop(L));
		lua_pop(L, 1);
		if (i == 1)
			a->base = (uint16_t)var;
	}
	luaL_setmetatable(L, ARRAY_MT);
}

/* shared { name = initial, ... }: watched values in the engine. */
static int l_shared(lua_State *L)
{
	struct rt *rt = rt_from(L);
	const char *keys[DT_MAX_VARS];
	if (!rt->building)
		return luaL_error(L, "shared{} declares the scenario: call it at load time");
	luaL_checktype(L, 1, LUA_TTABLE);
	int n = sorted_keys(L, 1, keys, DT_MAX_VARS);
	lua_newuserdatauv(L, 1, 1);
	lua_newtable(L); /* name -> var index or array proxy */
	int map = lua_gettop(L);
	for (int i = 0; i < n; i++) {
		lua_pushstring(L, keys[i]);
		lua_getfield(L, 1, keys[i]);
		if (lua_istable(L, -1)) {
			int t = lua_gettop(L);
			declare_array(L, rt, keys[i], t);
			lua_remove(L, t);
		} else {
			unsigned var = declare_var(L, rt, keys[i], lua_gettop(L));
			lua_pop(L, 1);
			lua_pushinteger(L, var);
		}
		lua_rawset(L, map);
	}
	lua_setiuservalue(L, -2, 1);
	luaL_setmetatable(L, SHARED_MT);
	return 1;
}

static void new_mt(struct rt *rt, lua_State *L, const char *name, const luaL_Reg *fns)
{
	luaL_newmetatable(L, name);
	lua_pushlightuserdata(L, rt);
	luaL_setfuncs(L, fns, 1);
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable"); /* getmetatable() shows nothing to change */
	lua_pop(L, 1);
}

void rt_open_values(struct rt *rt, lua_State *L)
{
	static const luaL_Reg handle_fns[] = {
		{ "__tostring", handle_tostring }, { "__eq", handle_eq }, { NULL, NULL },
	};
	static const luaL_Reg shared_fns[] = {
		{ "__index", shared_index }, { "__newindex", shared_newindex }, { NULL, NULL },
	};
	static const luaL_Reg array_fns[] = {
		{ "__index", array_index }, { "__newindex", array_newindex },
		{ "__len", array_len }, { NULL, NULL },
	};
	new_mt(rt, L, HANDLE_MT, handle_fns);
	new_mt(rt, L, SHARED_MT, shared_fns);
	new_mt(rt, L, ARRAY_MT, array_fns);
	rt_register(rt, L, "shared", l_shared);
}
