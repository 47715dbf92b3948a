/*
 * test_sandbox.c - a lesson is untrusted: every attack is refused.
 *
 * Each test plays a hostile (or careless) lesson against the sandbox and
 * checks two things: the attempt fails with a clear message, and the host
 * is untouched (the same sandbox still runs the next chunk).  The
 * determinism tests run one script in several sandboxes, some with a
 * different memory history, and compare what the lessons printed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "dt_rng.h"
#include "sandbox.h"
#include "testutil.h"

#define BIG_BUDGET 1000000000u

/* What the lesson printed, one line per print() call. */
struct out {
	char text[16384];
	size_t len;
};

static void out_print(void *ctx, const char *text)
{
	struct out *o = ctx;
	size_t n = strlen(text);

	if (n + 2 > sizeof o->text - o->len)
		n = sizeof o->text - o->len - 2;
	memcpy(o->text + o->len, text, n);
	o->len += n;
	o->text[o->len++] = '\n';
	o->text[o->len] = '\0';
}

static struct sandbox *make(struct out *o, unsigned budget, size_t mem, uint64_t seed)
{
	struct sb_limits lim = { mem, budget, 0 };
	struct sandbox *sb = sb_create(&lim, seed);

	ck_assert_ptr_nonnull(sb);
	if (o) {
		o->len = 0;
		o->text[0] = '\0';
		sb_set_print(sb, out_print, o);
	}
	return sb;
}

/* Run src as lessons/t.lua: NULL on success, else the message. */
static char *lesson(struct sandbox *sb, const char *src)
{
	char *err = NULL;
	int rc = sb_run_string(sb, "@lessons/t.lua", src, strlen(src), &err);

	ck_assert_int_eq(rc == 0, err == NULL);
	return err;
}

static void lesson_ok(struct sandbox *sb, const char *src)
{
	char *err = lesson(sb, src);

	ck_assert_msg(err == NULL, "lesson failed: %s", err ? err : "");
}

static void lesson_fails(struct sandbox *sb, const char *src, const char *needle)
{
	char *err = lesson(sb, src);

	ck_assert_msg(err != NULL, "lesson succeeded, expected '%s'", needle);
	ck_assert_msg(strstr(err, needle) != NULL, "expected '%s' in '%s'", needle, err);
	free(err);
}

static void has(const struct out *o, const char *needle)
{
	ck_assert_msg(strstr(o->text, needle) != NULL, "expected '%s' in output:\n%s",
		      needle, o->text);
}

/* The host is fine and the sandbox still works after an attack. */
static void still_works(struct sandbox *sb, struct out *o)
{
	lesson_ok(sb, "print('still ' .. (20 + 22))");
	has(o, "still 42");
}

/* Call global `name` with sb_pcall; NULL on success, else the message. */
static char *call(struct sandbox *sb, const char *name)
{
	lua_State *L = sb_lua(sb);
	char *err = NULL;

	lua_getglobal(L, name);
	ck_assert_int_eq(lua_type(L, -1), LUA_TFUNCTION);
	if (sb_pcall(sb, 0, 0, &err) == 0)
		return NULL;
	ck_assert_ptr_nonnull(err);
	return err;
}

static void call_fails(struct sandbox *sb, const char *name, const char *needle)
{
	char *err = call(sb, name);

	ck_assert_msg(err != NULL, "%s() succeeded, expected '%s'", name, needle);
	ck_assert_msg(strstr(err, needle) != NULL, "expected '%s' in '%s'", needle, err);
	free(err);
}

/* A coroutine running global `name`, left on sb_lua's stack. */
static lua_State *coroutine_of(struct sandbox *sb, const char *name)
{
	lua_State *L = sb_lua(sb), *co = lua_newthread(L);

	lua_getglobal(L, name);
	ck_assert_int_eq(lua_type(L, -1), LUA_TFUNCTION);
	lua_xmove(L, co, 1);
	return co;
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ */
/* What a lesson can reach                                             */

START_TEST(test_bytecode_is_refused)
{
	struct out o;
	struct sandbox *sb = make(&o, 0, 0, 1);
	static const char bytecode[] = "\x1bLuaT\x00\x19\x93\r\n\x1a\n";
	char *err = NULL;

	lesson_ok(sb, "print(load('\\27LuaT\\0\\25\\147\\r\\n\\26\\n'))\n"
		      "print(load('\\27LuaT', 'x', 'b'))\n"
		      "print(load('\\27LuaT', 'x', 'bt'))\n"
		      "print(load(function() return nil end, 'x', 'b'))");
	has(&o, "nil\tattempt to load a binary chunk (mode is 't')");
	has(&o, "nil\ta lesson can load text chunks only");
	ck_assert_int_eq(sb_run_string(sb, "=bin", bytecode, sizeof bytecode - 1, &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "binary chunk"));
	free(err);
	still_works(sb, &o);
	sb_destroy(sb);
}
END_TEST

START_TEST(test_string_dump_is_absent)
{
	struct out o;
	struct sandbox *sb = make(&o, 0, 0, 1);

	lesson_ok(sb, "print(string.dump, ('').dump, rawget(string, 'dump'))\n"
		      "print(pcall(function() return string.dump(print) end))");
	has(&o, "nil\tnil\tnil\n");
	has(&o, "false\tlessons/t.lua:2: attempt to call a nil value (field 'dump')");
	sb_destroy(sb);
}
END_TEST

START_TEST(test_forbidden_libraries_are_unreachable_by_name)
{
	struct out o;
	struct sandbox *sb = make(&o, 0, 0, 1);

	lesson_ok(sb,
		  "local names = { 'io', 'os', 'package', 'debug', 'coroutine', 'require',\n"
		  "  'dofile', 'loadfile', 'collectgarbage', 'next', 'module', 'unpack',\n"
		  "  'loadstring', 'setfenv', 'getfenv', 'newproxy', 'gcinfo', 'jit' }\n"
		  "local bad = 0\n"
		  "for _, n in ipairs(names) do\n"
		  "  if _G[n] ~= nil or _ENV[n] ~= nil or rawget(_G, n) ~= nil then bad = bad + 1 end\n"
		  "  if load('return ' .. n)() ~= nil then bad = bad + 1 end\n"
		  "  if load('return ' .. n, 'x', 't', _G)() ~= nil then bad = bad + 1 end\n"
		  "  if load('return ' .. n, 'x', 't', {})() ~= nil then bad = bad + 1 end\n"
		  "end\n"
		  "print('bad', bad, math.randomseed, string.dump)\n"
		  "print(getmetatable(''), getmetatable(_G), getmetatable(print), getmetatable(string))\n"
		  "print(pcall(function() return getmetatable('').__index end))\n"
		  "print(pcall(function() return ('').os end), ('').io)\n");
	has(&o, "bad\t0\tnil\tnil\n");
	has(&o, "false\tfalse\tnil\tnil\n");
	has(&o, "false\tlessons/t.lua:13: attempt to index a boolean value\n");
	has(&o, "true\tnil\n");
	ck_assert_int_eq(sb_freeze_globals(sb), 0);
	lesson_fails(sb, "return os", "lessons/t.lua:1: unknown global 'os'");
	lesson_fails(sb, "local x = 1\nreturn debug.traceback", "lessons/t.lua:2: unknown global 'debug'");
	lesson_fails(sb, "return coroutine", "unknown global 'coroutine'");
	lesson_fails(sb, "return _G.package", "unknown global 'package'");
	lesson_ok(sb, "print(rawget(_G, 'io'), rawget(_G, 'print'))");
	has(&o, "nil\tnil\n");
	still_works(sb, &o);
	sb_destroy(sb);
}
END_TEST

/* Collect the C functions of the libraries a lesson must never reach. */
static size_t forbidden_functions(lua_CFunction *out, size_t max)
{
	static const char *const libs[] = { "io", "os", "debug", "package", "coroutine" };
	static const char *const base[] = { "dofile", "loadfile", "collectgarbage",
					     "next", "load", "require" };
	lua_State *L = luaL_newstate();
	size_t n = 0, i;

	ck_assert_ptr_nonnull(L);
	luaL_openlibs(L);
	for (i = 0; i < sizeof libs / sizeof libs[0]; i++) {
		lua_getglobal(L, libs[i]);
		lua_pushnil(L);
		while (lua_next(L, -2)) {
			if (lua_tocfunction(L, -1) && n < max)
				out[n++] = lua_tocfunction(L, -1);
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	luaL_getmetatable(L, LUA_FILEHANDLE);
	lua_getfield(L, -1, "__index");
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		if (lua_tocfunction(L, -1) && n < max)
			out[n++] = lua_tocfunction(L, -1);
		lua_pop(L, 1);
	}
	lua_pop(L, 2);
	for (i = 0; i < sizeof base / sizeof base[0]; i++) {
		lua_getglobal(L, base[i]);
		out[n++] = lua_tocfunction(L, -1);
		lua_pop(L, 1);
	}
	lua_getglobal(L, "string");
	lua_getfield(L, -1, "dump");
	out[n++] = lua_tocfunction(L, -1);
	lua_getglobal(L, "math");
	lua_getfield(L, -1, "randomseed");
	out[n++] = lua_tocfunction(L, -1);
	lua_close(L);
	return n;
}

/*
 * Walk everything reachable from the value on top of L: table keys and
 * values, raw metatables, upvalues, user values.  Stricter than a lesson
 * (which sees neither raw metatables nor upvalues).  Pops the value;
 * visited is a table at index `seen`.
 */
static int walk(lua_State *L, int seen, const lua_CFunction *bad, size_t nbad)
{
	int found = 0, i;
	size_t k;

	if (lua_type(L, -1) < LUA_TTABLE && lua_type(L, -1) != LUA_TLIGHTUSERDATA) {
		if (lua_type(L, -1) == LUA_TSTRING && lua_getmetatable(L, -1))
			found += walk(L, seen, bad, nbad);
		lua_pop(L, 1);
		return found;
	}
	lua_pushvalue(L, -1);
	if (lua_rawget(L, seen) != LUA_TNIL) {
		lua_pop(L, 2);
		return 0;
	}
	lua_pop(L, 1);
	lua_pushvalue(L, -1);
	lua_pushboolean(L, 1);
	lua_rawset(L, seen);
	luaL_checkstack(L, 8, "walk");
	if (lua_iscfunction(L, -1))
		for (k = 0; k < nbad; k++)
			found += lua_tocfunction(L, -1) == bad[k];
	if (lua_type(L, -1) == LUA_TFUNCTION)
		for (i = 1; lua_getupvalue(L, -1, i) != NULL; i++)
			found += walk(L, seen, bad, nbad);
	if (lua_type(L, -1) == LUA_TTABLE) {
		lua_pushnil(L);
		while (lua_next(L, -2)) {
			lua_pushvalue(L, -2);
			found += walk(L, seen, bad, nbad);
			found += walk(L, seen, bad, nbad);
		}
	}
	if (lua_type(L, -1) == LUA_TUSERDATA)
		for (i = 1; lua_getiuservalue(L, -1, i) != LUA_TNONE || (lua_pop(L, 1), 0); i++)
			found += walk(L, seen, bad, nbad);
	if (lua_getmetatable(L, -1))
		found += walk(L, seen, bad, nbad);
	lua_pop(L, 1);
	return found;
}

START_TEST(test_forbidden_functions_are_unreachable_by_any_path)
{
	lua_CFunction bad[512];
	size_t nbad = forbidden_functions(bad, 400);
	struct out o;
	struct sandbox *sb = make(&o, 0, 0, 1);
	lua_State *L = sb_lua(sb);
	int round, seen;

	ck_assert_uint_gt(nbad, 40);
	lesson_ok(sb, "shape = setmetatable({}, { __index = string })\n"
		      "function helper() return pairs({}) end");
	for (round = 0; round < 2; round++) { /* before and after freezing */
		lua_newtable(L);
		seen = lua_gettop(L);
		lua_pushglobaltable(L);
		ck_assert_int_eq(walk(L, seen, bad, nbad), 0);
		lua_pushliteral(L, "");
		ck_assert_int_eq(walk(L, seen, bad, nbad), 0);
		lua_getglobal(L, "helper");
		ck_assert_int_eq(sb_pcall(sb, 0, 3, NULL), 0);
		ck_assert_int_eq(walk(L, seen, bad, nbad), 0); /* pairs' iterator */
		lua_pop(L, 3);
		ck_assert_int_eq(sb_freeze_globals(sb), 0);
	}
	sb_destroy(sb);
}
END_TEST

START_TEST(test_env_tricks_stay_inside)
{
	struct out o;
	struct sandbox *sb = make(&o, 0, 0, 1);

	lesson_ok(sb,
		  "print(pcall(setmetatable, _G, { __index = function() return 1 end }))\n"
		  "local function bare() local _ENV = {} ; return print end\n"
		  "print('bare', bare() == nil, _ENV == _G)\n"
		  "local proxy = setmetatable({}, { __index = _G })\n"
		  "print('proxy', load('return os, io, debug, coroutine', 'x', 't', proxy)())\n"
		  "print('nilenv', pcall(load('return print', 'x', 't', nil)))\n"
		  "local function named() local _ENV = setmetatable({}, { __index = function(_, k) return k end })\n"
		  "  return os end\n"
		  "print('named', named())\n"
		  "print('env', pcall(load, 'return 1', 'x', 't', _G, 'extra'))\n");
	has(&o, "false\tcannot change a protected metatable\n");
	has(&o, "bare\ttrue\ttrue\n");
	has(&o, "proxy\tnil\tnil\tnil\tnil\n");
	has(&o, "nilenv\tfalse\t");
	has(&o, "named\tos\n");
	still_works(sb, &o);
	sb_destroy(sb);
}
END_TEST

START_TEST(test_string_metatable_cannot_be_reached_or_changed)
{
	struct out o;
	struct sandbox *sb = make(&o, 0, 0, 1);

	lesson_ok(sb,
		  "print(getmetatable(''), getmetatable('abc'))\n"
		  "print(pcall(function() getmetatable('').__index = {} end))\n"
		  "print(pcall(setmetatable, '', {}))\n"
		  "print(pcall(rawset, getmetatable(''), '__index', {}))\n"
		  "print(('abc'):upper(), ('%d'):format(7))\n");
	has(&o, "false\tfalse\n");
	has(&o, "false\tlessons/t.lua:2: attempt to index a boolean value\n");
	has(&o, "false\tbad argument #1 to 'setmetatable' (table expected, got string)\n");
	has(&o, "false\tbad argument #1 to 'rawset' (table expected, got boolean)\n");
	has(&o, "ABC\t7\n");
	sb_destroy(sb);
}
END_TEST

START_TEST(test_rawset_on_frozen_tables_is_refused)
{
	struct out o;
	struct sandbox *sb = make(&o, 0, 0, 1);

	lesson_ok(sb, "function via_rawset() rawset(_G, 'x', 1) end\n"
		      "function lib_rawset() rawset(string, 'x', 1) end\n"
		      "function lib_assign() string.upper = nil end\n"
		      "function lib_use() print(('ok'):upper(), string.upper('x')) end\n"
		      "function by_index() _G[1] = true end\n");
	ck_assert_int_eq(sb_freeze_globals(sb), 0);
	ck_assert_int_eq(sb_freeze_globals(sb), 0); /* idempotent */
	call_fails(sb, "via_rawset", "lessons/t.lua:1: rawset: this table is frozen");
	call_fails(sb, "lib_rawset", "lessons/t.lua:2: rawset: this table is frozen");
	call_fails(sb, "lib_assign",
		   "lessons/t.lua:3: cannot assign 'string.upper': library tables are read-only");
	call_fails(sb, "by_index", "lessons/t.lua:5: cannot assign global '1'");
	ck_assert_ptr_null(call(sb, "lib_use"));
	has(&o, "OK\tX\n");
	sb_destroy(sb);
}
END_TEST

START_TEST(test_global_assignment_after_freeze_names_the_line)
{
	struct out o;
	struct sandbox *sb = make(&o, 0, 0, 1);

	lesson_ok(sb, "counter = 0\n"
		      "function bump()\n"
		      "  counter = counter + 1\n"
		      "end\n"
		      "function create() fresh = true end\n"
		      "function show() print('counter', counter) end\n"
		      "bump()\n");
	ck_assert_int_eq(sb_freeze_globals(sb), 0);
	call_fails(sb, "bump", "lessons/t.lua:3: cannot assign global 'counter' once the "
		   "lesson has loaded: declare shared state in shared{}");
	call_fails(sb, "create", "lessons/t.lua:5: cannot assign global 'fresh'");
	ck_assert_ptr_null(call(sb, "show"));
	has(&o, "counter\t1\n");
	sb_destroy(sb);
}
END_TEST

START_TEST(test_unknown_global_read_after_freeze_is_an_error)
{
	struct out o;
	struct sandbox *sb = make(&o, 0, 0, 1);
	lua_State *L = sb_lua(sb);

	lesson_ok(sb, "function typo() return prnit end\n"
		      "function listed() local ks = {}\n"
		      "  for k in pairs(_G) do ks[#ks + 1] = k end\n"
		      "  print(table.concat(ks, ',')) end\n");
	ck_assert_int_eq(sb_freeze_globals(sb), 0);
	call_fails(sb, "typo", "lessons/t.lua:1: unknown global 'prnit'");
	ck_assert_ptr_null(call(sb, "listed"));
	has(&o, "_G,_VERSION,assert,error,getmetatable,ipairs,listed,load,math,pairs,pcall,"
		"print,rawequal,rawget,rawlen,rawset,select,setmetatable,string,table,"
		"tonumber,tostring,type,typo,utf8,warn,xpcall\n");
	/* the host's own lookups never raise */
	ck_assert_int_eq(lua_getglobal(L, "no_such_global"), LUA_TNIL);
	lua_pop(L, 1);
	sb_destroy(sb);
}
END_TEST

START_TEST(test_pairs_of_a_frozen_table_never_hands_out_its_store)
{
	struct out o;
	struct sandbox *sb = make(&o, 0, 0, 1);

	lesson_ok(sb, "function probe()\n"
		      "  local f, s, c = pairs(_G)\n"
		      "  print('state', s == _G, c)\n"
		      "  print(pcall(rawset, s, 'x', 1))\n"
		      "  local g, t = pairs(string)\n"
		      "  print('lib', t == string, pcall(rawset, t, 'upper', print))\n"
		      "end\n");
	ck_assert_int_eq(sb_freeze_globals(sb), 0);
	ck_assert_ptr_null(call(sb, "probe"));
	has(&o, "state\ttrue\tnil\n"
		"false\trawset: this table is frozen once the lesson has loaded; "
		"declare shared state in shared{}\n"
		"lib\ttrue\tfalse\trawset: this table is frozen");
	sb_destroy(sb);
}
END_TEST

/* ------------------------------------------------------------------ */
/* What a lesson can cost: memory                                      */

START_TEST(test_string_rep_bomb_is_refused)
{
	struct out o;
	struct sandbox *sb = make(&o, 0, 0, 1);
	double t0 = seconds();

	lesson_ok(sb, "print(pcall(string.rep, 'x', 1e9))\n"
		      "print(pcall(string.rep, 'abc', 1 << 40, ','))\n"
		      "print(#string.rep('', 1e15), #string.rep('', 1 << 62, ''))\n"
		      "print(#string.rep('ab', 4, '-'))\n");
	has(&o, "false\tstring.rep: the result would be longer than 1048576 bytes");
	has(&o, "0\t0\n");
	has(&o, "11\n");
	ck_assert_msg(seconds() - t0 < 2.0, "rep('', 1e15) took %.1f s", seconds() - t0);
	still_works(sb, &o);
	sb_destroy(sb);
}
END_TEST

START_TEST(test_table_growth_hits_the_memory_cap)
{
	struct out o;
	struct sandbox *sb = make(&o, BIG_BUDGET, (size_t)8 << 20, 1);

	lesson_ok(sb, "local t, i = {}, 0\n"
		      "local ok, msg = pcall(function() while true do i = i + 1; t[i] = { i } end end)\n"
		      "t = nil\n"
		      "print(ok, msg, i > 1000)\n");
	has(&o, "false\tnot enough memory\ttrue\n");
	lesson_fails(sb, "local t = {} for i = 1, 1e9 do t[i] = i end", "not enough memory");
	still_works(sb, &o);
	sb_destroy(sb);
}
END_TEST

START_TEST(test_string_doubling_hits_the_string_cap)
{
	struct out o;
	struct sandbox *sb = make(&o, BIG_BUDGET, 0, 1);

	lesson_fails(sb, "local s = 'x' while true do s = s .. s end",
		     "not enough memory (a string longer than 1048576 bytes, the lesson limit, was refused)");
	lesson_ok(sb, "local s = 'x' for i = 1, 20 do s = s .. s end print(#s)\n"
		      "print(pcall(function() return s .. s end))\n"
		      "print(pcall(string.format, '%s%s', s, s))\n"
		      "print(pcall(table.concat, { s, s }))\n");
	has(&o, "1048576\n");
	has(&o, "false\tnot enough memory\n");
	still_works(sb, &o);
	sb_destroy(sb);
}
END_TEST

/* ------------------------------------------------------------------ */
/* What a lesson can cost: patterns                                    */

START_TEST(test_catastrophic_pattern_is_refused_quickly)
{
	struct out o;
	struct sandbox *sb = make(&o, 0, 0, 1);
	double t0 = seconds();

	lesson_ok(sb, "local s = string.rep('a', 100000)\n"
		      "print(pcall(string.find, s, '.-.-.-.-.-b'))\n"
		      "print(pcall(string.match, s, '(a*)*b'))\n"
		      "print(pcall(string.gsub, s, '.-.-b', ''))\n"
		      "print(pcall(function() for x in s:gmatch('(.-)(.-)b') do end end))\n"
		      "print(pcall(string.find, string.rep('a', 3000), '.-.-b'))\n");
	has(&o, "false\tpattern '.-.-.-.-.-b' is too complex for a subject of 100000 bytes");
	has(&o, "false\tpattern '(a*)*b' is too complex");
	has(&o, "false\tpattern '.-.-b' is too complex");
	has(&o, "false\tlessons/t.lua:5: pattern '(.-)(.-)b' is too complex");
	has(&o, "false\tpattern '.-.-b' is too complex for a subject of 3000 bytes");
	ck_assert_msg(seconds() - t0 < 2.0, "patterns took %.1f s", seconds() - t0);
	still_works(sb, &o);
	sb_destroy(sb);
}
END_TEST

START_TEST(test_ordinary_patterns_still_work)
{
	struct out o;
	struct sandbox *sb = make(&o, 0, 0, 1);

	lesson_ok(sb, "print(('key=value'):match('^(%w+)=(.*)$'))\n"
		      "print((' a  b '):gsub('%s+', '_'))\n"
		      "local n = 0 for w in ('a,b,c'):gmatch('[^,]+') do n = n + 1 end print(n)\n"
		      "print(('x.y'):find('.', 1, true))\n"
		      "print(string.rep('ab', 100000):find('ba', 1, true))\n"
		      "print(string.rep('ab', 100000):gsub('a', 'c'):sub(1, 4))\n"
		      "print(('f(a(b)c)d'):match('%b()'), ('THE (quick) fox'):find('%f[%a]%a+', 5))\n"
		      "print(('hello hello'):match('(h%a+) %1'))\n");
	has(&o, "key\tvalue\n");
	has(&o, "_a_b_\t3\n");
	has(&o, "3\n");
	has(&o, "2\t2\n");
	has(&o, "2\t3\n");
	has(&o, "cbcb\n");
	has(&o, "(a(b)c)\t6\t10\n");
	has(&o, "hello\n");
	sb_destroy(sb);
}
END_TEST

/* Charges follow the real work: a char-by-char scan is cheap. */
START_TEST(test_honest_string_loops_fit_the_default_budget)
{
	struct out o;
	struct sandbox *sb = make(&o, 0, 0, 1);

	lesson_ok(sb, "local s = string.rep('ab,', 4000)\n"
		      "local n = 0 for i = 1, #s do if s:sub(i, i) == ',' then n = n + 1 end end\n"
		      "local m = 0 for i = 1, #s do if s:byte(i) == 44 then m = m + 1 end end\n"
		      "local k = 0 for w in s:gmatch('[^,]+') do k = k + 1 end\n"
		      "local pos, f = 1, 0\n"
		      "while true do\n"
		      "  local a, b = s:find(',', pos, true)\n"
		      "  if not a then break end\n"
		      "  pos, f = b + 1, f + 1\n"
		      "end\n"
		      "local t = {} for i = 1, 2000 do t[i] = ('%05d'):format((i * 7919) % 2000) end\n"
		      "table.sort(t)\n"
		      "print(n, m, k, f, t[1], t[2000])\n");
	has(&o, "4000\t4000\t4000\t4000\t00000\t01999\n");
	sb_destroy(sb);
}
END_TEST

START_TEST(test_long_patterns_and_results_are_refused)
{
	struct out o;
	struct sandbox *sb = make(&o, 0, 0, 1);

	lesson_ok(sb, "print(pcall(string.find, 'a', string.rep('a', 300)))\n"
		      "print(pcall(string.byte, string.rep('a', 1000), 1, -1))\n"
		      "print(select('#', string.byte(string.rep('a', 256), 1, -1)))\n"
		      "print(pcall(table.unpack, {}, 1, 1e6))\n"
		      "print(select('#', table.unpack({}, 1, 256)))\n");
	has(&o, "false\tpattern of 300 bytes: a lesson's patterns are at most 256 bytes\n");
	has(&o, "false\ttoo many results (a lesson's function returns at most 256 values)\n");
	has(&o, "returns at most 256 values)\n256\n");
	has(&o, "false\ttoo many results to unpack (a lesson unpacks at most 256 values)\n256\n");
	still_works(sb, &o);
	sb_destroy(sb);
}
END_TEST

/* ------------------------------------------------------------------ */
/* What a lesson can cost: the instruction budget                      */

static int yield_step(lua_State *L)
{
	return lua_yield(L, 0);
}

START_TEST(test_budget_stops_a_coroutine_by_yielding)
{
	struct out o;
	struct sandbox *sb = make(&o, 1000, 0, 1);
	lua_State *co;
	int nres = -1, over = -1;

	lesson_ok(sb, "function spin() while true do end end");
	co = coroutine_of(sb, "spin");
	ck_assert_int_eq(sb_resume(sb, co, 0, &nres, &over), LUA_YIELD);
	ck_assert_int_eq(over, 1);
	ck_assert_int_eq(nres, 0);
	over = -1;
	ck_assert_int_eq(sb_resume(sb, co, 0, &nres, &over), LUA_YIELD); /* fresh budget */
	ck_assert_int_eq(over, 1);
	lua_pop(sb_lua(sb), 1);
	still_works(sb, &o);
	sb_destroy(sb);
}
END_TEST

/* lua_getinfo after a hook yield names the instruction before; not us. */
START_TEST(test_budget_stop_names_the_line_that_runs_next)
{
	unsigned budget;
	const char *source;
	lua_State *co;
	int nres, over;

	for (budget = 1000; budget < 1006; budget++) {
		struct sandbox *sb = make(NULL, budget, 0, 1);

		lesson_ok(sb, "function spin()\n  local n = 0\n  while true do n = n + 1 end\nend\n");
		co = coroutine_of(sb, "spin");
		ck_assert_int_eq(sb_resume(sb, co, 0, &nres, &over), LUA_YIELD);
		ck_assert_int_eq(over, 1);
		ck_assert_int_eq(sb_stop_line(sb, &source), 3);
		ck_assert_str_eq(source, "@lessons/t.lua");
		lua_pop(sb_lua(sb), 1);
		sb_destroy(sb);
	}
}
END_TEST

/*
 * A coroutine the budget stopped gets exactly the same budget on every
 * later resume (Lua skips the first hook call after a hook yield; the
 * sandbox must not let instructions slip through there), also when more
 * coroutines are stopped than the sandbox keeps track of one by one: R
 * resumes of budget B count as far as one run of budget R * B.
 */
static const char counter[] =
	"c = {}\n"
	"function count(k) c[k] = 0 while true do c[k] = c[k] + 1 end end\n";

static lua_Integer count_of(struct sandbox *sb, int k)
{
	lua_State *L = sb_lua(sb);
	lua_Integer n;

	lua_getglobal(L, "c");
	lua_geti(L, -1, k);
	n = lua_tointeger(L, -1);
	lua_pop(L, 2);
	return n;
}

START_TEST(test_budget_after_a_budget_stop_is_exact)
{
	enum { NCO = 12, ROUNDS = 8, BUDGET = 1000 };
	struct sandbox *one = make(NULL, ROUNDS * BUDGET, 0, 1);
	struct sandbox *sb = make(NULL, BUDGET, 0, 1);
	lua_State *co[NCO];
	lua_Integer whole;
	int i, r, nres, over;

	lesson_ok(one, counter);
	co[0] = coroutine_of(one, "count");
	lua_pushinteger(co[0], 1);
	ck_assert_int_eq(sb_resume(one, co[0], 1, &nres, &over), LUA_YIELD);
	ck_assert_int_eq(over, 1);
	whole = count_of(one, 1);
	sb_destroy(one);

	/* Each coroutine counts in its own slot, so none reads a stale value. */
	lesson_ok(sb, counter);
	for (i = 0; i < NCO; i++)
		co[i] = coroutine_of(sb, "count");
	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < NCO; i++) {
			if (r == 0)
				lua_pushinteger(co[i], i + 1);
			ck_assert_int_eq(sb_resume(sb, co[i], r == 0, &nres, &over), LUA_YIELD);
			ck_assert_int_eq(over, 1);
		}
	}
	/* One loop turn is a few instructions: a slip of even a dozen per
	 * resume shows here. */
	for (i = 0; i < NCO; i++)
		ck_assert_msg(llabs((long long)(count_of(sb, i + 1) - whole)) <= 1,
			      "coroutine %d counted %lld in %d resumes, one run %lld", i,
			      (long long)count_of(sb, i + 1), ROUNDS, (long long)whole);
	lua_pop(sb_lua(sb), NCO);
	sb_destroy(sb);
}
END_TEST

START_TEST(test_budget_is_per_resume)
{
	struct out o;
	struct sandbox *sb = make(&o, 1000, 0, 1);
	lua_State *L = sb_lua(sb), *co;
	int i, nres, over;

	lua_pushcfunction(L, yield_step);
	lua_setglobal(L, "step");
	lesson_ok(sb, "function worker()\n"
		      "  for round = 1, 5 do\n"
		      "    for i = 1, 200 do end\n" /* ~200 instructions per step */
		      "    step()\n"
		      "  end\n"
		      "  return 'done'\n"
		      "end");
	ck_assert_int_eq(sb_freeze_globals(sb), 0);
	co = coroutine_of(sb, "worker");
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(sb_resume(sb, co, 0, &nres, &over), LUA_YIELD);
		ck_assert_int_eq(over, 0);
		ck_assert_int_eq(sb_stop_line(sb, NULL), 0); /* a step, not the budget */
	}
	ck_assert_int_eq(sb_resume(sb, co, 0, &nres, &over), LUA_OK);
	ck_assert_int_eq(over, 0);
	ck_assert_int_eq(nres, 1);
	ck_assert_str_eq(lua_tostring(co, -1), "done");
	lua_pop(L, 1);
	sb_destroy(sb);
}
END_TEST

/* A budget stop inside a metamethod inside a pcall resumes correctly. */
START_TEST(test_budget_yields_resume_to_the_right_answer)
{
	struct sandbox *sb = make(NULL, 1000, 0, 1);
	lua_State *co;
	int status, rounds = 0, nres, over;

	lesson_ok(sb, "function slow_sum()\n"
		      "  local t = setmetatable({}, { __index = function(t, k)\n"
		      "    local x = 0 for i = 1, 5000 do x = x + i end return x end })\n"
		      "  return pcall(function() return t.anything + 1 end)\n"
		      "end\n");
	co = coroutine_of(sb, "slow_sum");
	while ((status = sb_resume(sb, co, 0, &nres, &over)) == LUA_YIELD) {
		ck_assert_int_eq(over, 1);
		rounds++;
	}
	ck_assert_int_eq(status, LUA_OK);
	ck_assert_int_ge(rounds, 5);
	ck_assert_int_eq(nres, 2);
	ck_assert(lua_toboolean(co, -2));
	ck_assert_int_eq(lua_tointeger(co, -1), 12502501);
	lua_pop(sb_lua(sb), 1);
	sb_destroy(sb);
}
END_TEST

START_TEST(test_budget_stops_a_protected_call_with_the_line)
{
	struct out o;
	struct sandbox *sb = make(&o, 1000, 0, 1);

	lesson_ok(sb, "function spin()\n  while true do end\nend");
	call_fails(sb, "spin", "lessons/t.lua:2: ran 1000 Lua instructions without reaching a step");
	lesson_fails(sb, "local n = 0\nwhile true do n = n + 1 end",
		     "lessons/t.lua:2: ran 1000 Lua instructions without reaching a step");
	still_works(sb, &o);
	sb_destroy(sb);
}
END_TEST

static const char sneaky[] =
	"function in_pcall()\n"
	"  while true do pcall(function() while true do end end) end\n"
	"end\n"
	"function in_xpcall()\n"
	"  while true do\n"
	"    xpcall(function() while true do end end, function() while true do end end)\n"
	"  end\n"
	"end\n"
	"function in_handler_loop()\n"
	"  local ok = pcall(function() while true do end end)\n"
	"  while not ok do ok = pcall(error, 'again') end\n"
	"end\n"
	"function in_load()\n"
	"  while true do load(function() while true do end end) end\n"
	"end\n";

START_TEST(test_lesson_pcall_cannot_swallow_the_budget_in_a_coroutine)
{
	static const char *const names[] = { "in_pcall", "in_xpcall", "in_handler_loop", "in_load" };
	struct out o;
	struct sandbox *sb = make(&o, 1000, 0, 1);
	lua_State *co;
	size_t i;
	int nres, over;
	double t0 = seconds();

	lesson_ok(sb, sneaky);
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		co = coroutine_of(sb, names[i]);
		over = 0;
		ck_assert_int_eq(sb_resume(sb, co, 0, &nres, &over), LUA_YIELD);
		ck_assert_msg(over == 1, "%s", names[i]);
		lua_pop(sb_lua(sb), 1);
	}
	ck_assert(seconds() - t0 < 2.0);
	still_works(sb, &o);
	sb_destroy(sb);
}
END_TEST

START_TEST(test_lesson_pcall_cannot_swallow_the_budget_in_a_protected_call)
{
	static const char *const names[] = { "in_pcall", "in_xpcall", "in_handler_loop", "in_load" };
	struct out o;
	struct sandbox *sb = make(&o, 1000, 0, 1);
	size_t i;

	lesson_ok(sb, sneaky);
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		call_fails(sb, names[i], "ran 1000 Lua instructions without reaching a step");
	still_works(sb, &o);
	sb_destroy(sb);
}
END_TEST

START_TEST(test_budget_where_lua_cannot_yield_is_an_error)
{
	struct out o;
	struct sandbox *sb = make(&o, 1000, 0, 1);
	lua_State *co;
	char *msg;
	int nres, over = 0;

	lesson_ok(sb, "function sorter()\n"
		      "  table.sort({ 3, 2, 1 }, function(a, b)\n"
		      "    while true do pcall(function() while true do end end) end\n"
		      "  end)\n"
		      "end\n"
		      "function replacer()\n"
		      "  return ('abc'):gsub('.', function(c) while true do end end)\n"
		      "end\n");
	co = coroutine_of(sb, "sorter");
	ck_assert_int_eq(sb_resume(sb, co, 0, &nres, &over), LUA_ERRRUN);
	ck_assert_int_eq(over, 1);
	msg = sb_resume_error(sb, co);
	ck_assert_ptr_nonnull(msg);
	ck_assert_msg(strstr(msg, "lessons/t.lua:3: ran 1000 Lua instructions") != NULL, "%s", msg);
	ck_assert_ptr_nonnull(strstr(msg, "\nstack traceback:\n"));
	free(msg);
	lua_pop(sb_lua(sb), 1);
	co = coroutine_of(sb, "replacer");
	over = 0;
	ck_assert_int_eq(sb_resume(sb, co, 0, &nres, &over), LUA_ERRRUN);
	ck_assert_int_eq(over, 1);
	lua_pop(sb_lua(sb), 1);
	still_works(sb, &o);
	sb_destroy(sb);
}
END_TEST

/* C loops the count hook cannot see are charged to the budget. */
START_TEST(test_hidden_c_loops_are_charged)
{
	static const char *const bombs[] = {
		("local t = setmetatable({}, { __index = table.concat })\n"
		 "return table.concat(t, '', 1, 3e8)"), /* one chunk of two lines */
		"return table.move({}, 1, 1e12, 1)",
		"return table.move({}, -1e15, 1e15, 1)",
		"return table.insert(setmetatable({}, { __len = function() return math.maxinteger - 1 end }), 1, 'x')",
		"return table.remove(setmetatable({}, { __len = function() return math.maxinteger end }), 1)",
		"return table.sort(setmetatable({}, { __len = function() return 1 << 30 end, __index = rawlen }))",
		"for i = 1, 1e9 do local s = ('x'):rep(1 << 20) end",
		"local s = ('x'):rep(1 << 20) for i = 1, 1e9 do local n = #s:upper() end",
		"local t = {} for i = 1, 100000 do t[i] = i end for i = 1, 1e9 do for k in pairs(t) do break end end",
	};
	struct out o;
	struct sandbox *sb = make(&o, 0, 0, 1);
	size_t i;
	double t0;

	for (i = 0; i < sizeof bombs / sizeof bombs[0]; i++) {
		t0 = seconds();
		lesson_fails(sb, bombs[i], "ran 1000000 Lua instructions without reaching a step");
		ck_assert_msg(seconds() - t0 < 3.0, "bomb %zu took %.1f s", i, seconds() - t0);
	}
	still_works(sb, &o);
	sb_destroy(sb);
}
END_TEST

START_TEST(test_host_time_backstop_stops_slow_instructions)
{
	struct sb_limits lim = { 0, BIG_BUDGET, 200 };
	struct sandbox *sb = sb_create(&lim, 1);
	double t0 = seconds();

	ck_assert_ptr_nonnull(sb);
	/* '<' on strings of zero bytes calls strcoll once per byte */
	lesson_fails(sb, "local a = string.rep('\\0', 50000)\n"
			 "while true do local x = a < a end",
		     "lessons/t.lua:2: took more than 200 ms of host time without reaching a step");
	ck_assert_msg(seconds() - t0 < 10.0, "took %.1f s", seconds() - t0);
	sb_destroy(sb);
}
END_TEST

START_TEST(test_deep_recursion_is_an_error_not_a_crash)
{
	struct out o;
	struct sandbox *sb = make(&o, BIG_BUDGET, 0, 1);

	lesson_ok(sb, "local function f(n) return f(n + 1) + 1 end\n"
		      "print('lua', pcall(f, 1))\n"
		      "local function g() return (string.gsub('a', 'a', g)) end\n"
		      "print('gsub', pcall(g))\n"
		      "local t = setmetatable({}, { __index = function(t, k) return t[k] end })\n"
		      "print('index', pcall(function() return t.x end))\n"
		      "local u = setmetatable({}, { __tostring = function(s) return tostring(s) end })\n"
		      "print('tostring', pcall(tostring, u))\n"
		      "local function h() return table.sort({ 2, 1 }, function() h() end) end\n"
		      "print('sort', pcall(h))\n");
	has(&o, "lua\tfalse\tlessons/t.lua:1: stack overflow");
	has(&o, "gsub\tfalse\t");
	has(&o, "index\tfalse\t");
	has(&o, "tostring\tfalse\t");
	has(&o, "sort\tfalse\t");
	ck_assert_ptr_nonnull(strstr(o.text, "stack overflow"));
	still_works(sb, &o);
	sb_destroy(sb);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Determinism                                                         */

START_TEST(test_format_p_is_refused_and_s_prints_ids)
{
	struct out o;
	struct sandbox *sb = make(&o, 0, 0, 1);

	lesson_ok(sb, "print(pcall(string.format, '%p', {}))\n"
		      "print(pcall(string.format, '%10p', print))\n"
		      "print(string.format('%s|%s|%5.1f|%%p|%d', {}, print, 1.5, 3))\n");
	has(&o, "false\tstring.format: '%p' is refused in a lesson (it prints a host address)\n"
		"false\tstring.format: '%p' is refused");
	has(&o, "table: 1|function: 2|  1.5|%p|3\n");
	ck_assert_ptr_null(strstr(o.text, "0x"));
	sb_destroy(sb);
}
END_TEST

static const char ids_script[] =
	"local a, b = {}, {}\n"
	"local f = function() end\n"
	"print(tostring(a), tostring(f), tostring(b), tostring(a), tostring(print))\n"
	"print(tostring(setmetatable({}, { __name = 'WDFDEVICE' })), a, b)\n"
	"print(tostring(setmetatable({}, { __tostring = function() return 'custom' end })))\n";

START_TEST(test_tostring_prints_stable_ids)
{
	struct out o1, o2;
	struct sandbox *s1 = make(&o1, 0, 0, 1), *s2 = make(&o2, 0, 0, 99);

	lesson_ok(s2, "local junk = {} for i = 1, 5000 do junk[i] = { i, function() end } end junk = nil");
	lesson_ok(s1, ids_script);
	lesson_ok(s2, ids_script);
	ck_assert_str_eq(o1.text, "table: 1\tfunction: 2\ttable: 3\ttable: 1\tfunction: 4\n"
				  "WDFDEVICE: 5\ttable: 1\ttable: 3\n"
				  "custom\n");
	ck_assert_str_eq(o1.text, o2.text);
	sb_destroy(s1);
	sb_destroy(s2);
}
END_TEST

static const char pairs_script[] =
	"local t = { [3] = 'i3', [1.5] = 'f1.5', [-2] = 'i-2', x = 'x', a = 'a', ab = 'ab',\n"
	"  [true] = 'T', [false] = 'F', [10] = 'i10', [2^53] = 'big', [-1/0] = '-inf', B = 'B' }\n"
	"local out = {}\n"
	"for k, v in pairs(t) do out[#out + 1] = v end\n"
	"print(table.concat(out, ' '))\n"
	"local keys, fns, u = {}, {}, {}\n"
	"for i = 1, 40 do keys[i] = {} end\n"
	"for i = 1, 10 do fns[i] = function() return i end end\n"
	"for i = 40, 1, -1 do u[keys[i]] = i end\n"
	"for i = 10, 1, -1 do u[fns[i]] = 100 + i end\n"
	"u[print] = 'print'; u[string.len] = 'len'\n"
	"out = {}\n"
	"for k, v in pairs(u) do out[#out + 1] = v end\n"
	"print(table.concat(out, ','))\n"
	"local w = { 1, 2, 3, 4, x = 1, y = 2 }\n"
	"for k in pairs(w) do w[k] = nil end\n"
	"print(next, #w, w.x)\n";

START_TEST(test_pairs_visits_keys_in_a_fixed_order)
{
	struct out o1, o2;
	struct sandbox *s1 = make(&o1, 0, 0, 1), *s2 = make(&o2, 0, 0, 7);
	char expect[1024];
	size_t n = 0;
	int i;

	lesson_ok(s2, "local junk = {} for i = 1, 3000 do junk[{}] = function() end end junk = nil");
	lesson_ok(s1, pairs_script);
	lesson_ok(s2, pairs_script);
	/* builtins were created with the sandbox, before any lesson object */
	n += (size_t)snprintf(expect + n, sizeof expect - n,
			      "-inf i-2 f1.5 i3 i10 big B a ab x F T\nprint,len");
	for (i = 1; i <= 40; i++)
		n += (size_t)snprintf(expect + n, sizeof expect - n, ",%d", i);
	for (i = 1; i <= 10; i++)
		n += (size_t)snprintf(expect + n, sizeof expect - n, ",%d", 100 + i);
	snprintf(expect + n, sizeof expect - n, "\nnil\t0\tnil\n");
	ck_assert_str_eq(o1.text, expect);
	ck_assert_str_eq(o1.text, o2.text);
	sb_destroy(s1);
	sb_destroy(s2);
}
END_TEST

/* A lesson compiled once (sb_compile) runs as its text does: the same
 * prints, pairs order and ids, its errors named by the file's lines; text
 * that does not compile is refused, for sb_run_string to report. */
START_TEST(test_compiled_lesson_runs_as_its_text)
{
	static const char bad_line[] = "local x = 1\nlocal y = x + nil\n";
	struct out o1, o2;
	struct sandbox *s1 = make(&o1, 0, 0, 1), *s2 = make(&o2, 0, 0, 1);
	struct sb_code code, none;
	char *err = NULL;

	ck_assert_int_eq(sb_compile("@lessons/t.lua", pairs_script, strlen(pairs_script), &code),
			 0);
	lesson_ok(s1, pairs_script);
	ck_assert_int_eq(sb_run_code(s2, &code, &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_str_eq(o1.text, o2.text);
	sb_code_free(&code);
	ck_assert_ptr_null(code.bytes);

	ck_assert_int_eq(sb_compile("@lessons/t.lua", bad_line, strlen(bad_line), &code), 0);
	ck_assert_int_eq(sb_run_code(s2, &code, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strncmp(err, "lessons/t.lua:2: attempt to perform arithmetic", 46) == 0,
		      "%s", err);
	free(err);
	sb_code_free(&code);

	ck_assert_int_eq(sb_compile("@lessons/t.lua", "x = = 1", 7, &none), -1);
	ck_assert_ptr_null(none.bytes);
	still_works(s2, &o2);
	sb_destroy(s1);
	sb_destroy(s2);
}
END_TEST

static const char random_script[] =
	"local out = {}\n"
	"for i = 1, 8 do out[#out + 1] = math.random(1, 6) end\n"
	"out[#out + 1] = string.format('%.17g', math.random())\n"
	"out[#out + 1] = math.random(0)\n"
	"out[#out + 1] = math.random(100)\n"
	"print(table.concat(out, ' '))\n";

START_TEST(test_math_random_is_the_lesson_stream)
{
	struct out o1, o2, o3, o4;
	struct sandbox *s1 = make(&o1, 0, 0, 42), *s2 = make(&o2, 0, 0, 42);
	struct sandbox *s3 = make(&o3, 0, 0, 43), *s4 = make(&o4, 0, 0, 42);
	struct dt_rng r;
	char expect[512];
	size_t n = 0;
	uint64_t u;
	int i;

	/* s4 does everything else a lesson can do first: no draw moves */
	lesson_ok(s4, "local t = {} for i = 1, 100 do t[i] = { k = i % 7 } end\n"
		      "table.sort(t, function(a, b) return a.k < b.k end)\n"
		      "for k, v in pairs(t) do local _ = tostring(v) end\n"
		      "local s = ('abc'):rep(100):gsub('b', 'x'):upper()\n"
		      "load('return 1')() ; print(string.format('%s', t))");
	lesson_ok(s1, random_script);
	lesson_ok(s2, random_script);
	lesson_ok(s3, random_script);
	o4.len = 0;
	lesson_ok(s4, random_script);
	ck_assert_str_eq(o1.text, o2.text);
	ck_assert_str_eq(o1.text, o4.text);
	ck_assert_str_ne(o1.text, o3.text);
	/* the same numbers, drawn on the host from DT_STREAM_LESSON */
	dt_rng_seed_stream(&r, 42, DT_STREAM_LESSON);
	for (i = 0; i < 8; i++)
		n += (size_t)snprintf(expect + n, sizeof expect - n, "%d ",
				      (int)(1 + dt_rng_below(&r, 6)));
	n += (size_t)snprintf(expect + n, sizeof expect - n, "%.17g ", dt_rng_unit(&r));
	u = dt_rng_next(&r);
	n += (size_t)snprintf(expect + n, sizeof expect - n, "%lld ",
			      u > INT64_MAX ? -(long long)(UINT64_MAX - u) - 1 : (long long)u);
	snprintf(expect + n, sizeof expect - n, "%d\n", (int)(1 + dt_rng_below(&r, 100)));
	ck_assert_str_eq(o1.text, expect);
	sb_destroy(s1);
	sb_destroy(s2);
	sb_destroy(s3);
	sb_destroy(s4);
}
END_TEST

START_TEST(test_math_random_argument_rules)
{
	struct out o;
	struct sandbox *sb = make(&o, 0, 0, 5);

	lesson_ok(sb, "print(math.type(math.random(0)), math.random(5, 5), math.random(1))\n"
		      "local ok = true\n"
		      "for i = 1, 300 do local x = math.random(3) ok = ok and x >= 1 and x <= 3 end\n"
		      "for i = 1, 300 do local x = math.random(-2, 2) ok = ok and x >= -2 and x <= 2 end\n"
		      "for i = 1, 300 do local f = math.random() ok = ok and f >= 0 and f < 1 end\n"
		      "print(ok, math.type(math.random(math.mininteger, math.maxinteger)))\n"
		      "print(pcall(math.random, 2, 1))\n"
		      "print(pcall(math.random, -3))\n"
		      "print(pcall(math.random, 1, 2, 3))\n"
		      "print(pcall(math.random, 0.5))\n"
		      "print(math.random(3.0) <= 3, math.randomseed)\n");
	has(&o, "integer\t5\t1\n");
	has(&o, "true\tinteger\n");
	has(&o, "false\tbad argument #1 to 'math.random' (interval is empty)\n"
		"false\tbad argument #1 to 'math.random' (interval is empty)\n"
		"false\twrong number of arguments\n"
		"false\tbad argument #1 to 'math.random' (number has no integer representation)\n"
		"true\tnil\n");
	sb_destroy(sb);
}
END_TEST

START_TEST(test_metatables_cannot_have_gc_or_mode)
{
	struct out o;
	struct sandbox *sb = make(&o, 0, 0, 1);

	lesson_ok(sb, "print(pcall(setmetatable, {}, { __gc = function() end }))\n"
		      "print(pcall(setmetatable, {}, { __mode = 'k' }))\n"
		      "local mt = {}\n"
		      "local t = setmetatable({}, mt)\n"
		      "print(pcall(function() mt.__mode = 'k' end))\n"
		      "print(pcall(rawset, mt, '__gc', print))\n"
		      "print(getmetatable(t) == mt, getmetatable(mt))\n"
		      "mt.__index = function() return 7 end\n"
		      "print(t.anything, rawget(mt, '__mode'))\n"
		      "local closed = false\n"
		      "do local x <close> = setmetatable({}, { __close = function() closed = true end }) end\n"
		      "print('closed', closed)\n"
		      "local Base = {} Base.__index = Base\n"
		      "function Base.hi() return 'hi' end\n"
		      "local Derived = setmetatable({}, Base) Derived.__index = Derived\n"
		      "print(setmetatable({}, Derived).hi())\n"
		      "local used = {} setmetatable({}, used)\n"
		      "print(pcall(setmetatable, used, {}))\n"
		      "local self = {}\n"
		      "print(pcall(setmetatable, self, self))\n");
	has(&o, "false\t'__gc' is not allowed in a lesson's metatable (the garbage collector "
		"decides when it acts, so the lesson would not replay the same way)\n");
	has(&o, "false\t'__mode' is not allowed in a lesson's metatable");
	has(&o, "false\tlessons/t.lua:5: '__mode' is not allowed");
	has(&o, "false\t'__gc' is not allowed");
	has(&o, "true\tnil\n7\tnil\n");
	has(&o, "closed\ttrue\n");
	has(&o, "hi\n");
	has(&o, "false\tsetmetatable: this table is already another table's metatable; "
		"give it its metatable first\n");
	has(&o, "false\tsetmetatable: a lesson's table cannot be its own metatable\n");
	sb_destroy(sb);
}
END_TEST

START_TEST(test_sort_is_stable_and_checks_like_lua)
{
	struct out o;
	struct sandbox *sb = make(&o, 0, 0, 1);

	lesson_ok(sb, "local t = {}\n"
		      "for i = 1, 300 do t[i] = { k = i % 3, i = i } end\n"
		      "table.sort(t, function(a, b) return a.k < b.k end)\n"
		      "local ok = true\n"
		      "for i = 2, 300 do\n"
		      "  local p, q = t[i - 1], t[i]\n"
		      "  ok = ok and (p.k < q.k or (p.k == q.k and p.i < q.i))\n"
		      "end\n"
		      "print('stable', ok)\n"
		      "local u = { 5, 3, 9, 1, 7 } table.sort(u) print(table.concat(u, ','))\n"
		      "local v = { 'b', 'a', 'c' } table.sort(v, function(a, b) return a > b end)\n"
		      "print(table.concat(v, ','))\n"
		      "print(pcall(table.sort, { 1, 'x' }))\n"
		      "print(pcall(table.sort, 5))\n"
		      "local w = { 3, 1, 2 } table.sort(w, function() return true end) print(#w)\n");
	has(&o, "stable\ttrue\n1,3,5,7,9\nc,b,a\n");
	has(&o, "false\tattempt to compare");
	has(&o, "false\tbad argument #1 to 'table.sort' (table expected, got number)\n");
	has(&o, "3\n");
	sb_destroy(sb);
}
END_TEST

START_TEST(test_utf8_codes_refuses_spurious_continuation_bytes)
{
	struct out o;
	struct sandbox *sb = make(&o, 0, 0, 1);
	double t0 = seconds();

	lesson_ok(sb, "local n = 0 for p, c in utf8.codes('h\\u{E9}llo\\u{10348}') do n = n + 1 end print(n)\n"
		      "print(pcall(function() for p, c in utf8.codes('a\\x80\\x80b') do end end))\n"
		      "print(pcall(function() for p, c in utf8.codes('\\x80') do end end))\n"
		      "local s = 'a' .. string.rep('\\x80', 1000000)\n"
		      "print(pcall(function() for i = 1, 1e9 do utf8.codes(s)(s, 1) end end))\n");
	has(&o, "6\n");
	has(&o, "false\tlessons/t.lua:2: invalid UTF-8 code\n"
		"false\tlessons/t.lua:3: invalid UTF-8 code\n"
		"false\tlessons/t.lua:5: invalid UTF-8 code\n");
	ck_assert_msg(seconds() - t0 < 3.0, "took %.1f s", seconds() - t0);
	sb_destroy(sb);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Messages                                                            */

static int count_lines(const char *s)
{
	int n = 1;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

START_TEST(test_errors_name_the_file_and_line_with_a_short_traceback)
{
	char dir[] = "/tmp/sandboxXXXXXX", path[64], prefix[160];
	struct sandbox *sb = make(NULL, 0, 0, 1);
	const char *tb;
	char *err = NULL;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/x.lua", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("local function inner()\n"
	      "  local t = nil\n"
	      "  return t.field\n"
	      "end\n"
	      "local function a() return inner() + 1 end\n"
	      "local function b() return a() + 1 end\n"
	      "local function c() return b() + 1 end\n"
	      "local function d() return c() + 1 end\n"
	      "d()\n", f);
	fclose(f);
	ck_assert_int_eq(sb_run_file(sb, path, &err), -1);
	snprintf(prefix, sizeof prefix, "%s:3: attempt to index a nil value (local 't')\n", path);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "%s", err);
	tb = strstr(err, "\nstack traceback:\n");
	ck_assert_ptr_nonnull(tb);
	ck_assert_int_le(count_lines(tb + 1), 5);
	ck_assert_ptr_nonnull(strstr(tb, ":3: in "));
	free(err);
	unlink(path);
	rmdir(dir);
	ck_assert_int_eq(sb_run_file(sb, "/nonexistent/lessons/x.lua", &err), -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot open /nonexistent/lessons/x.lua"));
	free(err);
	lesson_fails(sb, "x = = 1", "lessons/t.lua:1: unexpected symbol near '='");
	lesson_fails(sb, "local t = {}\nerror('custom ' .. #t)", "lessons/t.lua:2: custom 0");
	lesson_fails(sb, "error({})", "(error object is a table value)");
	lesson_fails(sb, "local s = 'a'\nreturn s:rep()", "lessons/t.lua:2: bad argument #1 to 'rep'");
	sb_destroy(sb);
}
END_TEST

START_TEST(test_print_and_warn_go_to_the_callback)
{
	struct out o;
	struct sandbox *sb = make(&o, 0, 0, 1);
	struct sandbox *quiet = make(NULL, 0, 0, 1);

	lesson_ok(sb, "print(1, 'a', nil, true, {}, 2.5)\n"
		      "print()\n"
		      "warn('hello ', 'world')\n"
		      "warn('@off') warn('hidden') warn('@on') warn('shown')\n");
	ck_assert_str_eq(o.text, "1\ta\tnil\ttrue\ttable: 1\t2.5\n"
				 "\n"
				 "warning: hello world\n"
				 "warning: shown\n");
	lesson_ok(quiet, "print('nobody listens') warn('nor here')");
	sb_destroy(sb);
	sb_destroy(quiet);
}
END_TEST

/* Lesson text reaches the terminal cleaned and cut (sandbox_text.c). */
START_TEST(test_lesson_text_is_cleaned_and_cut)
{
	struct out o;
	struct sandbox *sb = make(&o, BIG_BUDGET, 0, 1);
	char *err;

	err = lesson(sb, "error('\\27[2J\\27]0;t\\7 a\\nb\\tc\\127')");
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, "lessons/t.lua:1: ?[2J?]0;t? a b\tc?") == err, "%s", err);
	ck_assert_ptr_null(strchr(err, 27));
	free(err);
	err = lesson(sb, "error(('\\195\\169'):rep(1000))"); /* 2000 bytes of e-acute */
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(err, " ... (1018 bytes left out)"));
	ck_assert_ptr_nonnull(strstr(err, "\303\251 ... (")); /* cut between two characters */
	ck_assert_int_lt(strlen(err), 1200);
	free(err);
	lesson_ok(sb, "print('\\27[31mred', ('x'):rep(5000))");
	has(&o, "?[31mred\t");
	has(&o, " ... (4009 bytes left out)\n");
	sb_destroy(sb);
}
END_TEST

struct tally {
	unsigned lines;
	size_t bytes;
	char last[256];
};

static void tally_print(void *ctx, const char *text)
{
	struct tally *t = ctx;

	t->lines++;
	t->bytes += strlen(text) + 1;
	snprintf(t->last, sizeof t->last, "%s", text);
}

/* One sandbox prints at most 64 KiB, then one notice, then nothing. */
START_TEST(test_print_output_is_bounded)
{
	struct sandbox *sb = make(NULL, BIG_BUDGET, 0, 1);
	struct tally t = { 0, 0, "" };

	sb_set_print(sb, tally_print, &t);
	lesson_ok(sb, "for i = 1, 1000 do print(('y'):rep(999)) warn('w') end");
	ck_assert_msg(strstr(t.last, "output is left out: 65536 bytes") != NULL, "%s", t.last);
	ck_assert_uint_le(t.bytes, 65536 + 256);
	ck_assert_uint_ge(t.lines, 60);
	sb_destroy(sb);
}
END_TEST

/* Lua's "not enough memory" has no position: the sandbox adds the line. */
START_TEST(test_memory_errors_name_the_line)
{
	struct sandbox *sb = make(NULL, BIG_BUDGET, (size_t)8 << 20, 1);

	lesson_fails(sb, "local s = ('x'):rep(1 << 19)\nlocal t = s .. s .. s",
		     "lessons/t.lua:2: not enough memory (a string longer than");
	lesson_fails(sb, "local t = {}\nfor i = 1, 1e7 do\n  t[i] = {}\nend",
		     "lessons/t.lua:3: not enough memory");
	sb_destroy(sb);
}
END_TEST

START_TEST(test_load_runs_text_with_an_environment)
{
	struct out o;
	struct sandbox *sb = make(&o, 0, 0, 1);

	lesson_ok(sb, "print(load('return x + 1', '=chunk', 't', { x = 41 })())\n"
		      "local parts, i = { 'return ', '5 ', '* 2' }, 0\n"
		      "print(load(function() i = i + 1 return parts[i] end)())\n"
		      "print(load('return +', '=bad'))\n");
	has(&o, "42\n10\nnil\tbad:1: unexpected symbol near '+'\n");
	sb_destroy(sb);
}
END_TEST

Suite *sandbox_suite(void)
{
	Suite *s = suite_create("sandbox");
	TCase *reach = tcase_create("reach");
	TCase *cost = tcase_create("cost");
	TCase *det = tcase_create("determinism");

	tcase_add_test(reach, test_bytecode_is_refused);
	tcase_add_test(reach, test_string_dump_is_absent);
	tcase_add_test(reach, test_forbidden_libraries_are_unreachable_by_name);
	tcase_add_test(reach, test_forbidden_functions_are_unreachable_by_any_path);
	tcase_add_test(reach, test_env_tricks_stay_inside);
	tcase_add_test(reach, test_string_metatable_cannot_be_reached_or_changed);
	tcase_add_test(reach, test_rawset_on_frozen_tables_is_refused);
	tcase_add_test(reach, test_global_assignment_after_freeze_names_the_line);
	tcase_add_test(reach, test_unknown_global_read_after_freeze_is_an_error);
	tcase_add_test(reach, test_pairs_of_a_frozen_table_never_hands_out_its_store);
	tcase_add_test(reach, test_errors_name_the_file_and_line_with_a_short_traceback);
	tcase_add_test(reach, test_print_and_warn_go_to_the_callback);
	tcase_add_test(reach, test_lesson_text_is_cleaned_and_cut);
	tcase_add_test(reach, test_print_output_is_bounded);
	tcase_add_test(reach, test_memory_errors_name_the_line);
	tcase_add_test(reach, test_load_runs_text_with_an_environment);
	suite_add_tcase(s, reach);

	tcase_add_test(cost, test_string_rep_bomb_is_refused);
	tcase_add_test(cost, test_table_growth_hits_the_memory_cap);
	tcase_add_test(cost, test_string_doubling_hits_the_string_cap);
	tcase_add_test(cost, test_catastrophic_pattern_is_refused_quickly);
	tcase_add_test(cost, test_ordinary_patterns_still_work);
	tcase_add_test(cost, test_honest_string_loops_fit_the_default_budget);
	tcase_add_test(cost, test_long_patterns_and_results_are_refused);
	tcase_add_test(cost, test_budget_stops_a_coroutine_by_yielding);
	tcase_add_test(cost, test_budget_is_per_resume);
	tcase_add_test(cost, test_budget_after_a_budget_stop_is_exact);
	tcase_add_test(cost, test_budget_stop_names_the_line_that_runs_next);
	tcase_add_test(cost, test_budget_yields_resume_to_the_right_answer);
	tcase_add_test(cost, test_budget_stops_a_protected_call_with_the_line);
	tcase_add_test(cost, test_lesson_pcall_cannot_swallow_the_budget_in_a_coroutine);
	tcase_add_test(cost, test_lesson_pcall_cannot_swallow_the_budget_in_a_protected_call);
	tcase_add_test(cost, test_budget_where_lua_cannot_yield_is_an_error);
	tcase_add_test(cost, test_hidden_c_loops_are_charged);
	tcase_add_test(cost, test_host_time_backstop_stops_slow_instructions);
	tcase_add_test(cost, test_deep_recursion_is_an_error_not_a_crash);
	suite_add_tcase(s, cost);

	tcase_add_test(det, test_format_p_is_refused_and_s_prints_ids);
	tcase_add_test(det, test_tostring_prints_stable_ids);
	tcase_add_test(det, test_pairs_visits_keys_in_a_fixed_order);
	tcase_add_test(det, test_compiled_lesson_runs_as_its_text);
	tcase_add_test(det, test_math_random_is_the_lesson_stream);
	tcase_add_test(det, test_math_random_argument_rules);
	tcase_add_test(det, test_metatables_cannot_have_gc_or_mode);
	tcase_add_test(det, test_sort_is_stable_and_checks_like_lua);
	tcase_add_test(det, test_utf8_codes_refuses_spurious_continuation_bytes);
	suite_add_tcase(s, det);
	return s;
}
