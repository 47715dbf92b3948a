/*
 * sandbox_lib.c - the charged library functions of the lesson sandbox.
 *
 * The count hook only sees Lua instructions, so every library function
 * that does work in C is wrapped here and charges that work by hand: the
 * string and utf8 functions by the bytes they scan, the pattern matchers
 * by the worst case of Lua's backtracking matcher (the pattern rule in
 * sandbox.c's header), the table functions per element they touch.
 * table.sort is replaced by a stable merge sort and math.random draws
 * from the lesson's own random stream, so a lesson runs the same every
 * time.  sandbox.c decides which of these each library gets.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "sandbox_int.h"

/* ------------------------------------------------------------------ */
/* Charged wrappers: work the count hook cannot see                    */

/* 1 + nargs + the bytes the function reads, by its flags. */
static uint64_t sb_arg_cost(lua_State *L, int flags)
{
	int n = lua_gettop(L), i, last = flags & SB_ARG1 ? 1 : n;
	uint64_t bytes = 0;

	for (i = 1; i <= last && !(flags & SB_CHEAP); i++)
		if (lua_type(L, i) == LUA_TSTRING)
			bytes += lua_rawlen(L, i);
	return 1 + (uint64_t)n + bytes / SB_BYTES_PER_UNIT;
}

static int sb_flags(lua_State *L)
{
	return (int)lua_tointeger(L, lua_upvalueindex(2));
}

/* Many results would let one VARARG instruction copy them all. */
static int sb_results(lua_State *L, int n)
{
	if (n <= SB_RESULTS_MAX)
		return n;
	lua_settop(L, 0);
	return luaL_error(L, "too many results (a lesson's function returns at most %d values)",
			  SB_RESULTS_MAX);
}

/* The generic wrapper: charge the arguments, then one unit per result. */
int sb_charged(lua_State *L)
{
	int n;

	sb_charge(L, sb_arg_cost(L, sb_flags(L)));
	n = sb_orig(L)(L);
	sb_charge(L, (uint64_t)n);
	return sb_results(L, n);
}

/* string.rep: refuse long results; Lua loops forever on rep("", 1e18). */
int sb_str_rep(lua_State *L)
{
	size_t l, lsep;
	lua_Integer n;
	uint64_t total = UINT64_MAX;

	luaL_checklstring(L, 1, &l);
	n = luaL_checkinteger(L, 2);
	luaL_optlstring(L, 3, "", &lsep);
	if (n <= 0 || l + lsep == 0) {
		lua_pushliteral(L, "");
		return 1;
	}
	if ((uint64_t)n <= SB_STRING_MAX + 1)
		total = (uint64_t)n * l + (uint64_t)(n - 1) * lsep;
	if (total > SB_STRING_MAX)
		return luaL_error(L, "string.rep: the result would be longer than %I bytes, "
				  "the longest string a lesson can make", (lua_Integer)SB_STRING_MAX);
	sb_charge(L, 1 + total / SB_BYTES_PER_UNIT);
	return sb_orig(L)(L);
}

static int sb_is_text(lua_State *L, int idx)
{
	int t = lua_type(L, idx);

	return t == LUA_TSTRING || t == LUA_TNUMBER;
}

/*
 * string.format: refuse %p, and give %s our tostring() for tables and
 * functions.  The scan mirrors Lua's: every '%' but "%%" takes an
 * argument, and the conversion follows the flags, width and precision.
 */
int sb_str_format(lua_State *L)
{
	size_t lf, i;
	const char *f = luaL_checklstring(L, 1, &lf);
	int arg = 1, top = lua_gettop(L);

	sb_charge(L, sb_arg_cost(L, 0));
	for (i = 0; i < lf; i++) {
		if (f[i] != '%')
			continue;
		if (++i < lf && f[i] == '%')
			continue;
		while (i < lf && f[i] != '\0' && strchr("-+ #0123456789.", f[i]))
			i++;
		if (i >= lf)
			break;
		arg++;
		if (f[i] == 'p')
			return luaL_error(L, "string.format: '%%p' is refused in a lesson "
					  "(it prints a host address)");
		if (f[i] == 's' && arg <= top && !sb_is_text(L, arg)) {
			sb_tolstring(L, arg, NULL);
			lua_replace(L, arg);
		}
	}
	return sb_orig(L)(L);
}

/* The index after a set "[...]" that starts at p[i]. */
static size_t sb_skip_set(const char *p, size_t lp, size_t i)
{
	i++;
	if (i < lp && p[i] == '^')
		i++;
	do { /* the first ']' is part of the set */
		if (i < lp && p[i] == '%')
			i++;
		i++;
	} while (i < lp && p[i] != ']');
	return i + 1 < lp ? i + 1 : lp;
}

static int sb_only_closers(const char *p, size_t i, size_t lp)
{
	for (; i < lp; i++)
		if (p[i] != ')')
			return 0;
	return 1;
}

/* W of the pattern rule (see the top of this file). */
static double sb_pattern_work(const char *p, size_t lp, size_t ls, int can_anchor)
{
	double branches = 1.0;
	int anchored = can_anchor && lp > 0 && p[0] == '^', k = 0;
	size_t i = anchored ? 1 : 0, end;

	while (i < lp) {
		if (p[i] == '(' || p[i] == ')' || (p[i] == '$' && i + 1 == lp)) {
			i++;
			continue;
		}
		if (p[i] == '%' && i + 1 < lp) {
			if (p[i + 1] == 'b' || (p[i + 1] >= '0' && p[i + 1] <= '9')) {
				k++; /* a balance scan or a back-reference */
				i += p[i + 1] == 'b' ? 4 : 2;
				continue;
			}
			if (p[i + 1] == 'f') {
				i = i + 2 < lp && p[i + 2] == '[' ? sb_skip_set(p, lp, i + 2) : i + 2;
				continue;
			}
			end = i + 2;
		} else {
			end = p[i] == '[' ? sb_skip_set(p, lp, i) : i + 1;
		}
		i = end;
		if (i < lp && (p[i] == '*' || p[i] == '+' || p[i] == '-')) {
			i++;
			k += !sb_only_closers(p, i, lp);
		} else if (i < lp && p[i] == '?') {
			i++;
			branches *= 2.0;
		}
	}
	return ((double)lp + 1.0) * branches *
	       pow((double)ls + 1.0, k + (anchored ? 0 : 1));
}

/* The bytes from `init` on (Lua's rule for a relative start position). */
static size_t sb_subject_left(lua_State *L, size_t ls)
{
	lua_Integer init = luaL_optinteger(L, 3, 1);

	if (init == 0 || init < -(lua_Integer)ls)
		init = 1;
	else if (init < 0)
		init = (lua_Integer)ls + init + 1;
	return (size_t)init > ls + 1 ? 0 : ls - (size_t)(init - 1);
}

int sb_str_pattern(lua_State *L)
{
	int flags = sb_flags(L);
	size_t ls, lp;
	const char *p;
	double work;

	luaL_checklstring(L, 1, &ls);
	p = luaL_checklstring(L, 2, &lp);
	if (lp > SB_PATTERN_MAX)
		return luaL_error(L, "pattern of %I bytes: a lesson's patterns are at most %d bytes",
				  (lua_Integer)lp, SB_PATTERN_MAX);
	if (ls > SB_SUBJECT_MAX)
		return luaL_error(L, "subject of %I bytes: a lesson matches at most %I bytes",
				  (lua_Integer)ls, (lua_Integer)SB_SUBJECT_MAX);
	if (flags & SB_PAT_INIT)
		ls = sb_subject_left(L, ls);
	if ((flags & SB_PAT_PLAIN) && lua_toboolean(L, 4))
		work = ((double)ls + 1.0) * ((double)lp + 1.0);
	else
		work = sb_pattern_work(p, lp, ls, flags & SB_PAT_ANCHOR);
	if (work > SB_PATTERN_WORK)
		return luaL_error(L, "pattern '%s' is too complex for a subject of %I bytes "
				  "(it could backtrack for too long; see the pattern rule "
				  "in tutor/sandbox.c)", p, (lua_Integer)ls);
	sb_charge(L, 1 + (uint64_t)(work / SB_PATTERN_PER_UNIT));
	return sb_results(L, sb_orig(L)(L));
}

/*
 * utf8.codes' iterator.  Lua 5.4.4 skips any run of continuation bytes
 * (upstream bug "'utf8.codes' does not raise an error on spurious
 * continuation bytes", fixed in 5.4.5); here a run longer than the
 * previous character's own tail is an error, as in 5.4.5.
 */
static int sb_utf8_step(lua_State *L)
{
	size_t len, c = 0, tail = 0;
	const char *s = luaL_checklstring(L, 1, &len);
	lua_Integer n = lua_tointeger(L, 2);
	unsigned char lead;

	if (n >= 0 && (size_t)n < len) {
		if (n > 0) {
			for (lead = (unsigned char)s[n - 1]; lead & 0x80; lead <<= 1)
				tail++;
			tail = tail > 1 ? tail - 1 : 0;
		}
		while ((size_t)n + c < len && ((unsigned char)s[n + c] & 0xC0) == 0x80 &&
		       c <= tail)
			c++;
		if (c > tail)
			return luaL_error(L, "invalid UTF-8 code");
	}
	return sb_orig(L)(L);
}

int sb_utf8_codes(lua_State *L)
{
	int n;

	sb_charge(L, sb_arg_cost(L, SB_CHEAP));
	n = sb_orig(L)(L); /* iterator, s, 0 */
	lua_pushvalue(L, -n);
	lua_pushinteger(L, 0);
	lua_pushcclosure(L, sb_utf8_step, 2);
	lua_replace(L, -n - 1);
	return n;
}

/* ------------------------------------------------------------------ */
/* Table library: bounded and deterministic                            */

/* Not a table and no metatable: let the library raise its own error. */
static int sb_tablelike(lua_State *L, int idx)
{
	if (lua_type(L, idx) == LUA_TTABLE)
		return 1;
	if (!lua_getmetatable(L, idx))
		return 0;
	lua_pop(L, 1);
	return 1;
}

/* Elements in [i, e], saturating; e >= i. */
static uint64_t sb_span(lua_Integer i, lua_Integer e)
{
	uint64_t d = (uint64_t)e - (uint64_t)i;

	return d == UINT64_MAX ? d : d + 1;
}

int sb_tinsert(lua_State *L)
{
	lua_Integer e, pos, i;

	if (!sb_tablelike(L, 1))
		return sb_orig(L)(L);
	e = (lua_Integer)((lua_Unsigned)luaL_len(L, 1) + 1u); /* first empty */
	switch (lua_gettop(L)) {
	case 2:
		pos = e;
		break;
	case 3:
		pos = luaL_checkinteger(L, 2);
		luaL_argcheck(L, (lua_Unsigned)pos - 1u < (lua_Unsigned)e, 2,
			      "position out of bounds");
		sb_charge(L, (uint64_t)e - (uint64_t)pos);
		for (i = e; i > pos; i--) {
			lua_geti(L, 1, i - 1);
			lua_seti(L, 1, i);
		}
		break;
	default:
		return luaL_error(L, "wrong number of arguments to 'insert'");
	}
	lua_seti(L, 1, pos);
	return 0;
}

int sb_tremove(lua_State *L)
{
	lua_Integer size, pos;

	if (!sb_tablelike(L, 1))
		return sb_orig(L)(L);
	size = luaL_len(L, 1);
	pos = luaL_optinteger(L, 2, size);
	if (pos != size)
		luaL_argcheck(L, (lua_Unsigned)pos - 1u <= (lua_Unsigned)size, 2,
			      "position out of bounds");
	lua_geti(L, 1, pos);
	if (pos < size)
		sb_charge(L, (uint64_t)size - (uint64_t)pos);
	for (; pos < size; pos++) {
		lua_geti(L, 1, pos + 1);
		lua_seti(L, 1, pos);
	}
	lua_pushnil(L);
	lua_seti(L, 1, pos);
	return 1;
}

/* concat and unpack get explicit bounds, so a second __len cannot lie. */
int sb_tconcat(lua_State *L)
{
	lua_Integer i, last;

	if (!sb_tablelike(L, 1))
		return sb_orig(L)(L);
	last = luaL_len(L, 1);
	luaL_optlstring(L, 2, "", NULL);
	i = luaL_optinteger(L, 3, 1);
	last = luaL_optinteger(L, 4, last);
	if (i <= last)
		sb_charge(L, sb_span(i, last));
	lua_settop(L, 2);
	lua_pushinteger(L, i);
	lua_pushinteger(L, last);
	return sb_orig(L)(L);
}

int sb_tunpack(lua_State *L)
{
	lua_Integer i = luaL_optinteger(L, 2, 1);
	lua_Integer e = lua_isnoneornil(L, 3) ? luaL_len(L, 1) : luaL_checkinteger(L, 3);

	if (i <= e) {
		if (sb_span(i, e) > SB_RESULTS_MAX)
			return luaL_error(L, "too many results to unpack (a lesson unpacks at most %d values)",
					  SB_RESULTS_MAX);
		sb_charge(L, sb_span(i, e));
	}
	lua_settop(L, 1);
	lua_pushinteger(L, i);
	lua_pushinteger(L, e);
	return sb_orig(L)(L);
}

int sb_tmove(lua_State *L)
{
	lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);

	if (e >= f)
		sb_charge(L, sb_span(f, e));
	return sb_orig(L)(L);
}

/* a < b for the values at a and b, with the comparator at index 2. */
static int sb_sort_less(lua_State *L, int a, int b)
{
	int lt;

	a = lua_absindex(L, a);
	b = lua_absindex(L, b);
	if (lua_type(L, a) == LUA_TSTRING && lua_type(L, b) == LUA_TSTRING)
		sb_charge(L, (lua_rawlen(L, a) + lua_rawlen(L, b)) / SB_BYTES_PER_UNIT);
	if (lua_isnil(L, 2))
		return lua_compare(L, a, b, LUA_OPLT);
	lua_pushvalue(L, 2);
	lua_pushvalue(L, a);
	lua_pushvalue(L, b);
	lua_call(L, 2, 1);
	lt = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return lt;
}

/* Merge src[lo, mid) and src[mid, hi) into dst; ties keep their order. */
static void sb_merge(lua_State *L, int src, int dst, lua_Integer lo,
		     lua_Integer mid, lua_Integer hi)
{
	lua_Integer i = lo, j = mid, k = lo;

	while (i < mid && j < hi) {
		lua_rawgeti(L, src, j);
		lua_rawgeti(L, src, i);
		if (sb_sort_less(L, -2, -1)) {
			lua_pop(L, 1);
			j++;
		} else {
			lua_remove(L, -2);
			i++;
		}
		lua_rawseti(L, dst, k++);
	}
	for (; i < mid; i++, k++) {
		lua_rawgeti(L, src, i);
		lua_rawseti(L, dst, k);
	}
	for (; j < hi; j++, k++) {
		lua_rawgeti(L, src, j);
		lua_rawseti(L, dst, k);
	}
}

static uint64_t sb_log2(uint64_t n)
{
	uint64_t l = 0;

	while (n >>= 1)
		l++;
	return l;
}

/* table.sort as a stable bottom-up merge sort: same result everywhere. */
int sb_tsort(lua_State *L)
{
	lua_Integer n, w, lo;
	int src = 3, dst = 4, tmp;

	if (!sb_tablelike(L, 1))
		return sb_orig(L)(L);
	n = luaL_len(L, 1);
	if (n < 2)
		return 0;
	luaL_argcheck(L, n < INT_MAX, 1, "array too big");
	if (!lua_isnoneornil(L, 2))
		luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_settop(L, 2);
	sb_charge(L, (uint64_t)n * (sb_log2((uint64_t)n) + 2));
	lua_createtable(L, (int)n, 0);
	lua_createtable(L, (int)n, 0);
	for (lo = 1; lo <= n; lo++) {
		lua_geti(L, 1, lo);
		lua_rawseti(L, src, lo);
	}
	for (w = 1; w < n; w *= 2) {
		for (lo = 1; lo <= n; lo += 2 * w)
			sb_merge(L, src, dst, lo, lo + w < n + 1 ? lo + w : n + 1,
				 lo + 2 * w < n + 1 ? lo + 2 * w : n + 1);
		tmp = src;
		src = dst;
		dst = tmp;
	}
	for (lo = 1; lo <= n; lo++) {
		lua_rawgeti(L, src, lo);
		lua_seti(L, 1, lo);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* math.random from the lesson's stream                                */

static lua_Integer sb_u2i(uint64_t u)
{
	return u <= (uint64_t)LUA_MAXINTEGER ? (lua_Integer)u :
	       -(lua_Integer)(UINT64_MAX - u) - 1;
}

/* Lua 5.4's semantics: random(), random(m), random(m, n), random(0). */
int sb_math_random(lua_State *L)
{
	struct sandbox *sb = sb_of(L);
	lua_Integer low, up;
	uint64_t span;

	switch (lua_gettop(L)) {
	case 0:
		lua_pushnumber(L, (lua_Number)dt_rng_unit(&sb->rng));
		return 1;
	case 1:
		low = 1;
		up = luaL_checkinteger(L, 1);
		if (up == 0) { /* all 64 bits */
			lua_pushinteger(L, sb_u2i(dt_rng_next(&sb->rng)));
			return 1;
		}
		break;
	case 2:
		low = luaL_checkinteger(L, 1);
		up = luaL_checkinteger(L, 2);
		break;
	default:
		return luaL_error(L, "wrong number of arguments");
	}
	luaL_argcheck(L, low <= up, 1, "interval is empty");
	span = (uint64_t)up - (uint64_t)low;
	span = span == UINT64_MAX ? dt_rng_next(&sb->rng) : dt_rng_below(&sb->rng, span + 1);
	lua_pushinteger(L, sb_u2i((uint64_t)low + span));
	return 1;
}
