/*
 * sandbox.c - the lesson's Lua state: allow-list, budget, determinism.
 *
 * A lesson file is untrusted, so this file decides everything it can
 * reach and everything it can cost.  The model is Redis's Lua embedding.
 *
 * What a lesson can reach.  Only five libraries are opened (base, string,
 * table, math, utf8) and each table is cut down to an allow-list below;
 * io, os, package, debug and coroutine are never opened, so no path
 * (_G, _ENV, a metatable, load with an environment) leads to them.  Text
 * chunks only: load() and the lesson loader pass mode "t", so precompiled
 * bytecode, which can crash the VM, is refused.  The string metatable and
 * every metatable the sandbox installs carry __metatable = false.
 *
 * What a lesson can cost.  A count hook runs every SB_GRAIN instructions
 * and adds them to the run's budget.  When the budget is spent the hook
 * yields if Lua can yield there (a coroutine the runtime resumes), and
 * otherwise raises "ran N Lua instructions without reaching a step".
 * Either way it re-arms itself to fire after every single instruction, so
 * a pcall in the lesson that catches the error is stopped again at its
 * very next instruction: nothing can swallow the budget.  (One catch: an
 * error raised inside a hook leaves hooks off until it reaches a pcall,
 * and xpcall's message handler runs before that, so the sandbox's xpcall
 * skips the lesson's handler once the budget is spent.)
 *
 * The hook never sees work done inside C, so that work is charged by
 * hand: a string or utf8 function costs 1 + nargs + results, plus
 * bytes/16 of the strings it scans (not for byte, sub, len and the like,
 * which scan nothing); a table function one unit per element it touches;
 * the allocator one unit per 16 bytes it hands out.  Strings longer than
 * SB_STRING_MAX are refused by the allocator itself, whichever function
 * builds them, and functions return at most SB_RESULTS_MAX values (one
 * VARARG instruction could otherwise copy a million).
 *
 * The pattern rule.  Lua's matcher backtracks, and its cost grows as a
 * power of the subject length with the number of backtracking items: a
 * subject of n bytes, a pattern of m bytes with k items of the form x*,
 * x+, x-, %bxy or %1-%9 (a quantifier that ends the pattern does not
 * count: it never backtracks) and q items x? may take up to
 *
 *     W = (m + 1) * 2^q * (n + 1)^(k + 1)      steps ((n + 1)^k if '^'
 *                                              anchors the pattern)
 *
 * A call with W above SB_PATTERN_WORK (2^27) is refused, and every call
 * costs W / 128 of budget.  So string.find(("a"):rep(1e5), ".-.-.-.-.-b")
 * is refused at once, while s:match("^(%w+)=(.*)$") on a 100-byte line
 * costs about a thousand instructions.
 *
 * The host-time backstop.  A few single instructions do work proportional
 * to a string's length (comparing two 1 MiB strings with '<' calls
 * strcoll once per embedded zero byte).  The hook therefore also reads a
 * monotonic clock; a run that takes longer than wall_ms (3 s) is stopped
 * like one over budget.  An honest lesson spends its whole budget in a
 * few milliseconds, so only a hostile lesson ever meets this limit - the
 * one limit that is not deterministic.
 *
 * Determinism.  pairs() snapshots the keys and visits them sorted:
 * numbers ascending, then strings in byte order, then false and true,
 * then any other key in the order the objects were created.  Creation
 * order comes from the allocator, which numbers every table, function,
 * userdata and thread it allocates (struct sb_objmap).  tostring() prints
 * "table: 3", numbering objects on first use.  table.sort is a stable
 * merge sort (Lua's own quicksort picks pivots from clock() and time()).
 * math.random draws from dt_rng stream DT_STREAM_LESSON.  Metatables
 * with __gc or __mode are refused, because the garbage collector would
 * decide what the lesson sees; a metatable in use is guarded so those
 * fields cannot be added later.
 *
 * Nothing here is global: the state's allocator userdata is the struct
 * sandbox, and lua_getallocf() finds it again from any callback.
 *
 * Every rule here has an attack in tests/attacks/ that must be refused;
 * docs/security.md lists them, and the known faults of the system's Lua
 * 5.4.4 (CVE-2022-28805, CVE-2022-33099, ...) with what keeps each out of
 * a lesson's reach.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lualib.h>

#include "dt_rng.h"
#include "sandbox.h"

#include "sandbox_int.h"

/* ------------------------------------------------------------------ */
/* Creation serials                                                    */

static size_t sb_objmap_home(const struct sb_objmap *m, uintptr_t k)
{
	uint64_t h = (uint64_t)k;

	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	return (size_t)h & (m->cap - 1);
}

static size_t sb_objmap_find(const struct sb_objmap *m, uintptr_t k)
{
	size_t i;

	if (m->cap == 0)
		return 0;
	for (i = sb_objmap_home(m, k); m->key[i]; i = (i + 1) & (m->cap - 1))
		if (m->key[i] == k)
			return i;
	return m->cap;
}

static void sb_objmap_insert(struct sb_objmap *m, uintptr_t k, uint64_t s)
{
	size_t i = sb_objmap_home(m, k);

	while (m->key[i])
		i = (i + 1) & (m->cap - 1);
	m->key[i] = k;
	m->serial[i] = s;
	m->count++;
}

static size_t sb_mem_room(const struct sandbox *sb)
{
	return sb->mem_used < sb->mem_cap ? sb->mem_cap - sb->mem_used : 0;
}

/* The map's memory counts against the cap like the state's own. */
static int sb_objmap_grow(struct sandbox *sb)
{
	struct sb_objmap *m = &sb->objs, n = { 0 };
	size_t unit = sizeof *n.key + sizeof *n.serial, i;

	n.cap = m->cap ? m->cap * 2 : 1024;
	if (n.cap * unit - m->cap * unit > sb_mem_room(sb))
		return -1;
	n.key = calloc(n.cap, sizeof *n.key);
	n.serial = malloc(n.cap * sizeof *n.serial);
	if (n.key == NULL || n.serial == NULL) {
		free(n.key);
		free(n.serial);
		return -1;
	}
	for (i = 0; i < m->cap; i++)
		if (m->key[i])
			sb_objmap_insert(&n, m->key[i], m->serial[i]);
	sb->mem_used += n.cap * unit - m->cap * unit;
	free(m->key);
	free(m->serial);
	*m = n;
	return 0;
}

/* Backward-shift deletion keeps every probe chain unbroken. */
static void sb_objmap_remove(struct sb_objmap *m, uintptr_t k)
{
	size_t i = sb_objmap_find(m, k), j, h, mask = m->cap - 1;

	if (i == m->cap)
		return;
	for (j = (i + 1) & mask; m->key[j]; j = (j + 1) & mask) {
		h = sb_objmap_home(m, m->key[j]);
		if (i < j ? (h <= i || h > j) : (h <= i && h > j)) {
			m->key[i] = m->key[j];
			m->serial[i] = m->serial[j];
			i = j;
		}
	}
	m->key[i] = 0;
	m->count--;
}

static int sb_note_object(struct sandbox *sb, const void *p)
{
	if ((sb->objs.count + 1) * 2 > sb->objs.cap && sb_objmap_grow(sb))
		return -1;
	sb_objmap_insert(&sb->objs, (uintptr_t)p, ++sb->serial);
	sb->last_obj = p;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The budget                                                          */

static void sb_hook(lua_State *L, lua_Debug *ar);

static uint64_t sb_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

static uint64_t sb_now_ns(void)
{
	return sb_clock_ns(CLOCK_MONOTONIC);
}

/*
 * A run's start, read at every resume: the tick-granular clock costs a
 * few nanoseconds where the precise one costs twenty, a tenth of a step.
 * It reads the same clock as sb_now_ns at its last tick, so it is never
 * ahead of it: a run only looks longer by at most one tick (*slack_ns),
 * and the backstop can only come that much early, never late.
 */
#ifdef CLOCK_MONOTONIC_COARSE
static uint64_t sb_start_ns(uint64_t *slack_ns)
{
	static uint64_t res_ns;
	struct timespec res;

	if (res_ns == 0)
		res_ns = clock_getres(CLOCK_MONOTONIC_COARSE, &res) == 0 ?
				 (uint64_t)res.tv_sec * UINT64_C(1000000000) + (uint64_t)res.tv_nsec + 1 :
				 UINT64_MAX;
	if (res_ns == UINT64_MAX || res_ns > SB_SLOW_NS * 100) {
		*slack_ns = 0; /* no usable coarse clock: the precise one */
		return sb_now_ns();
	}
	*slack_ns = res_ns;
	return sb_clock_ns(CLOCK_MONOTONIC_COARSE);
}
#else
static uint64_t sb_start_ns(uint64_t *slack_ns)
{
	*slack_ns = 0;
	return sb_now_ns();
}
#endif

/*
 * Set the hook count, only if it changes: lua_sethook walks every call
 * frame of the thread, and Lua restarts the count by itself after each
 * hook call.
 */
static void sb_hook_every(lua_State *L, int count)
{
	if (lua_gethook(L) != sb_hook || lua_gethookcount(L) != count)
		lua_sethook(L, sb_hook, LUA_MASKCOUNT, count);
}

/* Hook again after the next grain, or where the budget ends. */
static void sb_arm(struct sb_run *r, lua_State *L, unsigned budget)
{
	uint64_t left = budget - r->used;
	int count = r->grain;

	if (left < (uint64_t)count)
		count = (int)left;
	sb_hook_every(L, count);
}

/* From now on the hook fires after every instruction. */
static void sb_set_over(struct sb_run *r)
{
	r->over = 1;
	sb_hook_every(r->L, 1);
}

static void sb_push_over(lua_State *L, struct sandbox *sb,
			 const struct sb_run *r, int level)
{
	luaL_where(L, level);
	if (r->wall)
		lua_pushfstring(L, "took more than %d ms of host time without reaching a step",
				(int)(sb->wall_ns / 1000000));
	else
		lua_pushfstring(L, "ran %I Lua instructions without reaching a step",
				(lua_Integer)sb->budget);
	lua_concat(L, 2);
}

/*
 * Remember where the budget stopped a resume (sb_stop_line): in the hook,
 * level 0 is the instruction about to run; in sb_charge, level 1 is the
 * Lua code that called the library function.  Only the resume's own run
 * records it, also when it stops by an error (where Lua cannot yield, as
 * in a __close handler or a sort comparator), because the error unwinds
 * the coroutine and takes the position with it.
 */
static void sb_note_stop(struct sandbox *sb, lua_State *L, int level)
{
	lua_Debug ar;

	if (sb->run == NULL || !sb->run->can_yield)
		return;
	if (lua_getstack(L, level, &ar) && lua_getinfo(L, "Sl", &ar)) {
		sb->stop_line = ar.currentline > 0 ? ar.currentline : 0;
		sb->stop_source = ar.source;
	}
}

/* Charge C work; raise at the caller's line once the budget is spent. */
void sb_charge(lua_State *L, uint64_t units)
{
	struct sandbox *sb = sb_of(L);
	struct sb_run *r = sb->run;

	if (r == NULL)
		return;
	if (!r->over) {
		r->used += units < sb->budget ? units : sb->budget;
		if (r->used < sb->budget)
			return;
		sb_set_over(r);
	}
	if (sb->stop_line == 0)
		sb_note_stop(sb, L, 1);
	sb_push_over(L, sb, r, 1);
	lua_error(L);
}

/* The allocator cannot raise: it only arms the hook. */
static void sb_charge_alloc(struct sandbox *sb, size_t bytes)
{
	struct sb_run *r = sb->run;

	if (r == NULL || r->over)
		return;
	r->used += bytes / SB_BYTES_PER_UNIT;
	if (r->used >= sb->budget)
		sb_set_over(r);
}

/* Account one hook call; 1 while the run may go on. */
static int sb_tick(struct sandbox *sb, struct sb_run *r, lua_State *L)
{
	uint64_t now;

	r->used += (unsigned)lua_gethookcount(L);
	if (r->used >= sb->budget)
		return 0;
	now = sb_now_ns();
	if (now - r->start_ns > sb->wall_ns) {
		r->wall = 1;
		return 0;
	}
	/* The first grain is measured from the coarse start: allow its tick. */
	if (now - r->last_ns > SB_SLOW_NS + r->slack_ns)
		r->grain = SB_GRAIN_SLOW;
	r->last_ns = now;
	r->slack_ns = 0;
	return 1;
}

/*
 * Coroutines a budget yield stopped.  Resumed, Lua skips the first hook
 * call of such a coroutine (the VM "did not move"), so the instructions
 * before it go uncounted: for these the first hook comes after a single
 * instruction, which is then the only one skipped.  When the list is full
 * every run starts that way (slower, never less exact).  A stale entry
 * (the coroutine was collected) costs one short first grain, nothing else.
 */
static void sb_note_hook_yield(struct sandbox *sb, lua_State *co)
{
	for (unsigned i = 0; i < sb->nhook_yielded; i++)
		if (sb->hook_yielded[i] == co)
			return;
	if (sb->nhook_yielded == SB_HOOK_YIELDED_MAX)
		sb->hook_yielded_lost = 1;
	else
		sb->hook_yielded[sb->nhook_yielded++] = co;
}

/* 1 (and forget it) when co was stopped by a budget yield. */
static int sb_take_hook_yield(struct sandbox *sb, lua_State *co)
{
	for (unsigned i = 0; i < sb->nhook_yielded; i++) {
		if (sb->hook_yielded[i] == co) {
			sb->hook_yielded[i] = sb->hook_yielded[--sb->nhook_yielded];
			return 1;
		}
	}
	return sb->hook_yielded_lost;
}

static void sb_hook(lua_State *L, lua_Debug *ar)
{
	struct sandbox *sb = sb_of(L);
	struct sb_run *r = sb->run;

	(void)ar;
	if (r == NULL) { /* a thread that inherited the hook, run over */
		lua_sethook(L, NULL, 0, 0);
		return;
	}
	if (!r->over) {
		if (sb_tick(sb, r, L)) {
			sb_arm(r, L, sb->budget);
			return;
		}
		r->over = 1;
	}
	sb_hook_every(L, 1);
	if (L == r->L && r->can_yield && lua_isyieldable(L)) {
		sb_note_stop(sb, L, 0);
		sb_note_hook_yield(sb, L);
		(void)lua_yield(L, 0); /* in a hook: returns, then Lua yields */
		return;
	}
	if (L == r->L && sb->stop_line == 0)
		sb_note_stop(sb, L, 0);
	sb_push_over(L, sb, r, 0); /* level 0 in a hook: the running code */
	lua_error(L);
}

/*
 * The first hook call comes after SB_GRAIN_FIRST instructions (one after
 * a budget yield, see above): most runs reach their step before that and
 * never pay for a hook call, while a run of slow instructions is noticed
 * as soon as in slow mode.
 */
static void sb_run_begin(struct sandbox *sb, struct sb_run *r, lua_State *L,
			 int can_yield)
{
	int first = SB_GRAIN_FIRST;

	memset(r, 0, sizeof *r);
	r->prev = sb->run;
	r->L = L;
	r->grain = SB_GRAIN;
	r->can_yield = can_yield;
	r->start_ns = r->last_ns = sb_start_ns(&r->slack_ns);
	sb->run = r;
	sb->string_refused = 0;
	sb->refused_at[0] = '\0';
	if (can_yield) {
		sb->stop_line = 0;
		sb->stop_source = NULL;
		if (sb_take_hook_yield(sb, L))
			first = 1;
	}
	if ((unsigned)first > sb->budget)
		first = (int)sb->budget;
	lua_sethook(L, sb_hook, LUA_MASKCOUNT, first);
}

static void sb_run_end(struct sandbox *sb, struct sb_run *r)
{
	struct sb_run *prev = r->prev;

	lua_sethook(r->L, NULL, 0, 0);
	sb->run = prev;
	if (prev && prev->L == r->L) {
		if (prev->over)
			sb_hook_every(prev->L, 1);
		else
			sb_arm(prev, prev->L, sb->budget);
	}
}

/* ------------------------------------------------------------------ */
/* Memory                                                              */

static int sb_is_object_tag(size_t tag)
{
	return tag == LUA_TTABLE || tag == LUA_TFUNCTION ||
	       tag == LUA_TUSERDATA || tag == LUA_TTHREAD;
}

/*
 * Lua raises "not enough memory" without a position and without calling
 * any message handler, so the allocator notes, when it refuses a block,
 * the innermost Lua code of the running thread.  lua_getstack and
 * lua_getinfo("Sl") only read the call chain, which a refused allocation
 * leaves as it was.
 */
static void sb_note_refusal(struct sandbox *sb)
{
	lua_State *L = sb->run ? sb->run->L : NULL;
	lua_Debug ar;
	int level;

	if (L == NULL || sb->refused_at[0])
		return;
	for (level = 0; lua_getstack(L, level, &ar); level++) {
		if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0)
			continue;
		snprintf(sb->refused_at, sizeof sb->refused_at, "%s:%d:", ar.short_src,
			 ar.currentline);
		return;
	}
}

/*
 * Lua's one allocator.  When ptr is NULL, osize is the type of the
 * object being created (lua_Alloc's contract): that is how long strings
 * are refused and how objects get their creation serial.
 */
static void *sb_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct sandbox *sb = ud;
	size_t old = ptr ? osize : 0;
	void *p;

	if (nsize == 0) {
		if (ptr) {
			sb_objmap_remove(&sb->objs, (uintptr_t)ptr);
			sb->mem_used -= old;
			sb->frees++;
			free(ptr);
		}
		return NULL;
	}
	if (!ptr && osize == LUA_TSTRING && nsize > SB_STRING_MAX + SB_STRING_SLACK) {
		sb->string_refused = 1;
		sb_note_refusal(sb);
		return NULL;
	}
	if (nsize > old && nsize - old > sb_mem_room(sb)) {
		sb_note_refusal(sb);
		return NULL;
	}
	p = realloc(ptr, nsize);
	if (p == NULL) {
		if (nsize <= old)
			return ptr; /* shrinking must not fail */
		sb_note_refusal(sb);
		return NULL;
	}
	sb->mem_used = sb->mem_used - old + nsize;
	if (ptr && p != ptr)
		sb->frees++; /* the old address is given up too */
	if (!ptr && sb_is_object_tag(osize) && sb_note_object(sb, p)) {
		free(p);
		sb->mem_used -= nsize;
		sb_note_refusal(sb);
		return NULL;
	}
	if (nsize > old)
		sb_charge_alloc(sb, nsize - old);
	return p;
}

/* ------------------------------------------------------------------ */
/* Stable ids and creation order                                       */

static int sb_is_ref(lua_State *L, int idx, int ref)
{
	int eq;

	idx = lua_absindex(L, idx);
	lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
	eq = lua_rawequal(L, idx, -1);
	lua_pop(L, 1);
	return eq;
}

/* Is the value at idx a key of the registry table `ref`? */
static int sb_in_set(lua_State *L, int idx, int ref)
{
	int in;

	idx = lua_absindex(L, idx);
	lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
	lua_pushvalue(L, idx);
	in = lua_rawget(L, -2) != LUA_TNIL;
	lua_pop(L, 2);
	return in;
}

/* The tostring() id of the object at idx, numbered on first use. */
static lua_Integer sb_id_of(lua_State *L, struct sandbox *sb, int idx)
{
	lua_Integer id;

	idx = lua_absindex(L, idx);
	lua_rawgeti(L, LUA_REGISTRYINDEX, sb->ref_ids);
	lua_pushvalue(L, idx);
	if (lua_rawget(L, -2) == LUA_TNUMBER) {
		id = lua_tointeger(L, -1);
	} else {
		id = ++sb->next_id;
		lua_pushvalue(L, idx);
		lua_pushinteger(L, id);
		lua_rawset(L, -4);
	}
	lua_pop(L, 2);
	return id;
}

/* A full userdata's memory starts after a header that grows with nuv. */
static uintptr_t sb_ud_offset(lua_State *L, const struct sandbox *sb, int idx)
{
	int n = 0, t;

	for (;;) {
		t = lua_getiuservalue(L, idx, n + 1);
		lua_pop(L, 1);
		if (t == LUA_TNONE || n == SB_UV_PROBE_MAX)
			break;
		n++;
	}
	return n == 0 ? sb->off_ud0 : sb->off_ud1 + (uintptr_t)(n - 1) * sb->off_uv;
}

/* The creation serial of the object at idx; UINT64_MAX if unknown. */
static uint64_t sb_serial_of(lua_State *L, struct sandbox *sb, int idx)
{
	uintptr_t p;
	size_t at;
	uint64_t s = UINT64_MAX;
	int type = lua_type(L, idx);

	idx = lua_absindex(L, idx);
	p = (uintptr_t)lua_topointer(L, idx);
	if (type == LUA_TUSERDATA)
		p -= sb_ud_offset(L, sb, idx);
	else if (type == LUA_TTHREAD)
		p -= sb->off_thread;
	else if (type != LUA_TTABLE && type != LUA_TFUNCTION)
		return s;
	at = sb_objmap_find(&sb->objs, p);
	if (sb->calibrated && at != sb->objs.cap)
		return sb->objs.serial[at];
	if (type != LUA_TFUNCTION)
		return s;
	lua_rawgeti(L, LUA_REGISTRYINDEX, sb->ref_light); /* light C function */
	lua_pushvalue(L, idx);
	if (lua_rawget(L, -2) == LUA_TNUMBER)
		s = (uint64_t)lua_tointeger(L, -1);
	lua_pop(L, 2);
	return s;
}

static int sb_tostring(lua_State *L);

/*
 * Find each kind's offset between lua_topointer() and the block the
 * allocator returned, by creating one of each and comparing.
 */
static void sb_calibrate(lua_State *L, struct sandbox *sb)
{
	uintptr_t a[3];
	int ok, i;

	lua_newtable(L);
	ok = lua_topointer(L, -1) == sb->last_obj;
	lua_pushcclosure(L, sb_tostring, 1);
	ok = ok && lua_topointer(L, -1) == sb->last_obj;
	lua_pop(L, 1);
	for (i = 0; i < 3; i++) {
		lua_newuserdatauv(L, 1, i);
		a[i] = (uintptr_t)lua_topointer(L, -1) - (uintptr_t)sb->last_obj;
		lua_pop(L, 1);
	}
	(void)lua_newthread(L);
	sb->off_thread = (uintptr_t)lua_topointer(L, -1) - (uintptr_t)sb->last_obj;
	lua_pop(L, 1);
	sb->off_ud0 = a[0];
	sb->off_ud1 = a[1];
	sb->off_uv = a[2] - a[1];
	sb->calibrated = ok;
}

/* Give serials to light C functions in t, in sorted-key order. */
static lua_Integer sb_sorted_keys_if(lua_State *L, int t,
				     int (*keep)(lua_State *L, struct sandbox *sb));

/* A light C function with no serial yet (the value on top). */
static int sb_is_new_light(lua_State *L, struct sandbox *sb)
{
	return lua_type(L, -1) == LUA_TFUNCTION && sb_serial_of(L, sb, -1) == UINT64_MAX;
}

/*
 * Sorting only the keys whose values need a serial visits them in the
 * order a sort of all keys would (the key order is total); each sandbox
 * does this for every library table, so the shorter sort is most of the
 * cost of creating one.
 */
static void sb_note_light(lua_State *L, struct sandbox *sb, int t)
{
	lua_Integer n, i;

	t = lua_absindex(L, t);
	n = sb_sorted_keys_if(L, t, sb_is_new_light);
	lua_rawgeti(L, LUA_REGISTRYINDEX, sb->ref_light);
	for (i = 1; i <= n; i++) {
		lua_rawgeti(L, -2, i);
		lua_rawget(L, t);
		if (lua_type(L, -1) == LUA_TFUNCTION && sb_serial_of(L, sb, -1) == UINT64_MAX) {
			lua_pushinteger(L, (lua_Integer)++sb->serial);
			lua_rawset(L, -3);
		} else {
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 2);
}

/* ------------------------------------------------------------------ */
/* Sorted pairs                                                        */

enum { SB_KEY_NUMBER, SB_KEY_STRING, SB_KEY_BOOLEAN, SB_KEY_OTHER };

struct sb_key {
	int cls;
	int isint;
	lua_Integer i;      /* an integer key, or a boolean */
	lua_Number d;       /* a float key */
	const char *s;      /* a string key (kept alive by the key list) */
	size_t len;
	uint64_t serial;    /* any other key: creation order... */
	uintptr_t ptr;      /* ... and, last resort, its address */
	lua_Integer pos;    /* the key's place in the key list */
};

static int sb_cmp_u(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

/* Exact comparison of an integer and a float (never NaN as a key). */
static int sb_int_float_cmp(lua_Integer i, lua_Number d)
{
	lua_Number f;

	if (d >= 9223372036854775808.0)
		return -1;
	if (d < -9223372036854775808.0)
		return 1;
	f = floor(d);
	if (i != (lua_Integer)f)
		return i < (lua_Integer)f ? -1 : 1;
	return f < d ? -1 : 0;
}

static int sb_num_cmp(const struct sb_key *a, const struct sb_key *b)
{
	if (a->isint && b->isint)
		return (a->i > b->i) - (a->i < b->i);
	if (!a->isint && !b->isint)
		return (a->d > b->d) - (a->d < b->d);
	if (a->isint)
		return sb_int_float_cmp(a->i, b->d);
	return -sb_int_float_cmp(b->i, a->d);
}

static int sb_key_cmp(const void *pa, const void *pb)
{
	const struct sb_key *a = pa, *b = pb;
	int c;

	if (a->cls != b->cls)
		return a->cls - b->cls;
	switch (a->cls) {
	case SB_KEY_NUMBER:
		return sb_num_cmp(a, b);
	case SB_KEY_STRING:
		c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
		return c ? c : sb_cmp_u(a->len, b->len);
	case SB_KEY_BOOLEAN:
		return (int)(a->i - b->i);
	default:
		c = sb_cmp_u(a->serial, b->serial);
		return c ? c : sb_cmp_u(a->ptr, b->ptr);
	}
}

static void sb_key_fill(lua_State *L, struct sandbox *sb, int idx,
			struct sb_key *k)
{
	memset(k, 0, sizeof *k);
	switch (lua_type(L, idx)) {
	case LUA_TNUMBER:
		k->cls = SB_KEY_NUMBER;
		k->isint = lua_isinteger(L, idx);
		if (k->isint)
			k->i = lua_tointeger(L, idx);
		else
			k->d = lua_tonumber(L, idx);
		break;
	case LUA_TSTRING:
		k->cls = SB_KEY_STRING;
		k->s = lua_tolstring(L, idx, &k->len); /* a string: no conversion */
		break;
	case LUA_TBOOLEAN:
		k->cls = SB_KEY_BOOLEAN;
		k->i = lua_toboolean(L, idx);
		break;
	default:
		k->cls = SB_KEY_OTHER;
		k->serial = sb_serial_of(L, sb, idx);
		k->ptr = (uintptr_t)lua_topointer(L, idx);
		break;
	}
}

/* Push a sequence of t's keys (raw) in the sandbox's order; its length. */
/* The keys of t whose values `keep` accepts (all when it is NULL), sorted,
 * as a list pushed on the stack; returns their number. */
static lua_Integer sb_sorted_keys_if(lua_State *L, int t,
				     int (*keep)(lua_State *L, struct sandbox *sb))
{
	struct sandbox *sb = sb_of(L);
	struct sb_key *keys;
	lua_Integer n = 0, all = 0, i = 0;
	int list;

	t = lua_absindex(L, t);
	lua_pushnil(L);
	while (lua_next(L, t)) {
		n += !keep || keep(L, sb);
		all++;
		lua_pop(L, 1);
	}
	sb_charge(L, (uint64_t)all);
	lua_createtable(L, n < INT_MAX ? (int)n : INT_MAX, 0);
	list = lua_gettop(L);
	keys = lua_newuserdatauv(L, (size_t)n * sizeof *keys + 1, 0);
	lua_pushnil(L);
	while (lua_next(L, t)) {
		int wanted = !keep || keep(L, sb);
		lua_pop(L, 1);
		if (!wanted)
			continue;
		if (i == n) { /* cannot happen: nothing runs between passes */
			lua_pop(L, 1);
			break;
		}
		lua_pushvalue(L, -1);
		lua_rawseti(L, list, ++i);
		sb_key_fill(L, sb, -1, &keys[i - 1]);
		keys[i - 1].pos = i;
	}
	qsort(keys, (size_t)i, sizeof *keys, sb_key_cmp);
	lua_createtable(L, (int)(i < INT_MAX ? i : INT_MAX), 0);
	for (n = 0; n < i; n++) {
		lua_rawgeti(L, list, keys[n].pos);
		lua_rawseti(L, -2, n + 1);
	}
	lua_replace(L, list);
	lua_pop(L, 1);
	return i;
}

/* The iterator: upvalues are the sorted keys, the position, the table. */
static int sb_pairs_next(lua_State *L)
{
	lua_Integer pos = lua_tointeger(L, lua_upvalueindex(2));

	for (;;) {
		if (lua_rawgeti(L, lua_upvalueindex(1), ++pos) == LUA_TNIL)
			return 1; /* done (and stays done) */
		lua_pushvalue(L, -1);
		if (lua_rawget(L, lua_upvalueindex(3)) != LUA_TNIL)
			break;
		lua_pop(L, 2); /* removed during the traversal */
	}
	lua_pushinteger(L, pos);
	lua_replace(L, lua_upvalueindex(2));
	return 2;
}

static int sb_push_pairs(lua_State *L, int t)
{
	t = lua_absindex(L, t);
	sb_sorted_keys_if(L, t, NULL);
	lua_pushinteger(L, 0);
	lua_pushvalue(L, t);
	lua_pushcclosure(L, sb_pairs_next, 3);
	lua_pushvalue(L, t);
	lua_pushnil(L);
	return 3;
}

static int sb_pairs(lua_State *L)
{
	luaL_checkany(L, 1);
	if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
		lua_pushvalue(L, 1);
		lua_call(L, 1, 3);
		return 3;
	}
	luaL_checktype(L, 1, LUA_TTABLE);
	return sb_push_pairs(L, 1);
}

/* ------------------------------------------------------------------ */
/* Base library replacements                                           */

/* Like luaL_tolstring, with ids instead of addresses; pushes one value. */
const char *sb_tolstring(lua_State *L, int idx, size_t *len)
{
	struct sandbox *sb = sb_of(L);
	lua_Integer id;
	int t;

	idx = lua_absindex(L, idx);
	if (luaL_callmeta(L, idx, "__tostring")) {
		if (!lua_isstring(L, -1))
			luaL_error(L, "'__tostring' must return a string");
		return lua_tolstring(L, -1, len);
	}
	switch (lua_type(L, idx)) {
	case LUA_TNIL:
	case LUA_TBOOLEAN:
	case LUA_TNUMBER:
	case LUA_TSTRING:
		return luaL_tolstring(L, idx, len);
	}
	id = sb_id_of(L, sb, idx);
	t = luaL_getmetafield(L, idx, "__name");
	lua_pushfstring(L, "%s: %I", t == LUA_TSTRING ? lua_tostring(L, -1) :
			luaL_typename(L, idx), id);
	if (t != LUA_TNIL)
		lua_remove(L, -2);
	return lua_tolstring(L, -1, len);
}

static int sb_tostring(lua_State *L)
{
	luaL_checkany(L, 1);
	sb_tolstring(L, 1, NULL);
	return 1;
}

/*
 * Pass one line of print() or warn() to the host, cleaned and cut (see
 * sandbox_text.c); past SB_PRINT_TOTAL_MAX bytes in all, one notice and
 * then nothing.
 */
static void sb_emit(struct sandbox *sb, const char *text, size_t len)
{
	char line[SB_PRINT_LINE_MAX + 64];
	size_t n;

	if (sb->print_fn == NULL || sb->printed > SB_PRINT_TOTAL_MAX)
		return;
	n = sb_clean_text(line, sizeof line, text, len, SB_PRINT_LINE_MAX, 0);
	sb->printed += n + 1;
	if (sb->printed > SB_PRINT_TOTAL_MAX) {
		snprintf(line, sizeof line, "(the rest of this lesson's print() and warn() "
			 "output is left out: %d bytes is the limit)", SB_PRINT_TOTAL_MAX);
		sb->print_fn(sb->print_ctx, line);
		return;
	}
	sb->print_fn(sb->print_ctx, line);
}

static int sb_print(lua_State *L)
{
	struct sandbox *sb = sb_of(L);
	int n = lua_gettop(L), i;
	size_t len;
	const char *text;
	luaL_Buffer b;

	luaL_buffinit(L, &b);
	for (i = 1; i <= n; i++) {
		if (i > 1)
			luaL_addchar(&b, '\t');
		sb_tolstring(L, i, NULL);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	text = lua_tolstring(L, -1, &len);
	sb_charge(L, 1 + len / SB_BYTES_PER_UNIT);
	sb_emit(sb, text, len);
	return 0;
}

static void sb_warnf(void *ud, const char *msg, int tocont)
{
	struct sandbox *sb = ud;
	size_t room = sizeof sb->warn_buf - 1 - sb->warn_len, n = strlen(msg);

	if (sb->warn_len == 0 && !tocont && msg[0] == '@') { /* control */
		if (strcmp(msg, "@on") == 0)
			sb->warn_off = 0;
		else if (strcmp(msg, "@off") == 0)
			sb->warn_off = 1;
		return;
	}
	if (n > room)
		n = room;
	memcpy(sb->warn_buf + sb->warn_len, msg, n);
	sb->warn_len += n;
	if (tocont)
		return;
	sb->warn_buf[sb->warn_len] = '\0';
	sb->warn_len = 0;
	if (!sb->warn_off && sb->print_fn) {
		char line[sizeof sb->warn_buf + 16];
		int len = snprintf(line, sizeof line, "warning: %s", sb->warn_buf);

		sb_emit(sb, line, len > 0 ? (size_t)len : 0);
	}
}

static const char *sb_load_reader(lua_State *L, void *ud, size_t *size)
{
	const char *s;

	(void)ud;
	luaL_checkstack(L, 2, "too many nested functions");
	lua_pushvalue(L, 1);
	lua_call(L, 0, 1);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		*size = 0;
		return NULL;
	}
	if (!lua_isstring(L, -1))
		luaL_error(L, "reader function must return a string");
	lua_replace(L, SB_LOAD_SLOT);
	s = lua_tolstring(L, SB_LOAD_SLOT, size);
	sb_charge(L, 1 + *size / SB_BYTES_PER_UNIT);
	return s;
}

/* load(chunk [, name [, mode [, env]]]), text chunks only. */
static int sb_load(lua_State *L)
{
	size_t len;
	const char *s = lua_tolstring(L, 1, &len), *name;
	const char *mode = luaL_optstring(L, 3, "bt");
	int env = !lua_isnone(L, 4), status;

	if (strchr(mode, 't') == NULL) {
		luaL_pushfail(L);
		lua_pushliteral(L, "a lesson can load text chunks only");
		return 2;
	}
	if (s != NULL) {
		name = luaL_optstring(L, 2, s);
		sb_charge(L, 1 + len / SB_BYTES_PER_UNIT);
		status = luaL_loadbufferx(L, s, len, name, "t");
	} else {
		name = luaL_optstring(L, 2, "=(load)");
		luaL_checktype(L, 1, LUA_TFUNCTION);
		lua_settop(L, SB_LOAD_SLOT);
		status = lua_load(L, sb_load_reader, NULL, name, "t");
	}
	if (status != LUA_OK) {
		luaL_pushfail(L);
		lua_insert(L, -2);
		return 2;
	}
	if (env) {
		lua_pushvalue(L, 4);
		if (!lua_setupvalue(L, -2, 1))
			lua_pop(L, 1);
	}
	return 1;
}

static int sb_is_gc_key(lua_State *L, int idx)
{
	const char *s;

	if (lua_type(L, idx) != LUA_TSTRING)
		return 0;
	s = lua_tostring(L, idx);
	return strcmp(s, "__gc") == 0 || strcmp(s, "__mode") == 0;
}

static int sb_gc_key_error(lua_State *L, const char *key)
{
	return luaL_error(L, "'%s' is not allowed in a lesson's metatable (the "
			  "garbage collector decides when it acts, so the lesson "
			  "would not replay the same way)", key);
}

static int sb_has_guard(lua_State *L, const struct sandbox *sb, int idx)
{
	int g;

	if (!lua_getmetatable(L, idx))
		return 0;
	g = sb_is_ref(L, -1, sb->ref_guard);
	lua_pop(L, 1);
	return g;
}

/* The guard's __newindex: a metatable in use cannot gain __gc/__mode. */
static int sb_guard_newindex(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 3);
	if (!lua_isnil(L, 3) && sb_is_gc_key(L, 2))
		return sb_gc_key_error(L, lua_tostring(L, 2));
	lua_rawset(L, 1);
	return 0;
}

/*
 * Refuse __gc/__mode; guard m unless it has a metatable of its own (then
 * a __mode added to m later goes unseen: only replay is at stake).
 */
static void sb_check_metatable(lua_State *L, const struct sandbox *sb, int m)
{
	static const char *const bad[] = { "__gc", "__mode" };
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		lua_pushstring(L, bad[i]);
		if (lua_rawget(L, m) != LUA_TNIL)
			sb_gc_key_error(L, bad[i]);
		lua_pop(L, 1);
	}
	if (lua_getmetatable(L, m)) {
		lua_pop(L, 1);
		return;
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, sb->ref_guard);
	lua_setmetatable(L, m);
}

static int sb_setmetatable(lua_State *L)
{
	struct sandbox *sb = sb_of(L);
	int t = lua_type(L, 2);

	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
	if (sb_has_guard(L, sb, 1)) /* the guard would go: __mode could follow */
		return luaL_error(L, "setmetatable: this table is already another "
				  "table's metatable; give it its metatable first");
	if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
		return luaL_error(L, "cannot change a protected metatable");
	if (lua_rawequal(L, 1, 2))
		return luaL_error(L, "setmetatable: a lesson's table cannot be its own metatable");
	if (t == LUA_TTABLE)
		sb_check_metatable(L, sb, 2);
	lua_settop(L, 2);
	lua_setmetatable(L, 1);
	return 1;
}

static int sb_getmetatable(lua_State *L)
{
	struct sandbox *sb = sb_of(L);

	luaL_checkany(L, 1);
	if (!lua_getmetatable(L, 1) || sb_is_ref(L, -1, sb->ref_guard)) {
		lua_pushnil(L);
		return 1;
	}
	(void)luaL_getmetafield(L, 1, "__metatable");
	return 1;
}

lua_CFunction sb_orig(lua_State *L)
{
	return lua_tocfunction(L, lua_upvalueindex(1));
}

/*
 * xpcall's message handler runs before the error reaches xpcall, and an
 * error raised by the count hook leaves hooks disabled until it does (Lua
 * restores 'allowhook' only at the protected call).  So once the budget is
 * spent the lesson's handler is skipped: no lesson code runs unhooked.
 */
static int sb_xpcall_msgh(lua_State *L)
{
	struct sandbox *sb = sb_of(L);

	if (sb->run && sb->run->over)
		return 1;
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

static int sb_xpcall_done(lua_State *L, int status, lua_KContext extra)
{
	if (status != LUA_OK && status != LUA_YIELD) {
		lua_pushboolean(L, 0);
		lua_pushvalue(L, -2);
		return 2;
	}
	return lua_gettop(L) - (int)extra;
}

/* xpcall(f, handler, ...), yieldable like Lua's own. */
static int sb_xpcall(lua_State *L)
{
	int n = lua_gettop(L);

	luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_pushvalue(L, 2);
	lua_pushcclosure(L, sb_xpcall_msgh, 1);
	lua_replace(L, 2);
	lua_pushboolean(L, 1);
	lua_pushvalue(L, 1);
	lua_rotate(L, 3, 2); /* true, f below f's arguments */
	return sb_xpcall_done(L, lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, sb_xpcall_done), 2);
}

static int sb_rawset(lua_State *L)
{
	struct sandbox *sb = sb_of(L);

	luaL_checktype(L, 1, LUA_TTABLE);
	if (sb_in_set(L, 1, sb->ref_frozen))
		return luaL_error(L, "rawset: this table is frozen once the lesson "
				  "has loaded; declare shared state in shared{}");
	if (!lua_isnoneornil(L, 3) && sb_is_gc_key(L, 2) && sb_has_guard(L, sb, 1))
		return sb_gc_key_error(L, lua_tostring(L, 2));
	return sb_orig(L)(L);
}

/* ------------------------------------------------------------------ */
/* Building the sandbox                                                */

struct sb_wrap {
	const char *name; /* NULL: the default for the library's others */
	lua_CFunction fn; /* NULL: keep the library's own function */
	int flags;
};

struct sb_lib {
	const char *name;
	lua_CFunction open;
	const char *const *allow; /* the allow-list, NULL-terminated */
	const struct sb_wrap *wraps;
};

static const char *const sb_base_allow[] = {
	"_G", "_VERSION", "assert", "error", "getmetatable", "ipairs", "load",
	"pairs", "pcall", "print", "rawequal", "rawget", "rawlen", "rawset",
	"select", "setmetatable", "tonumber", "tostring", "type", "warn",
	"xpcall", NULL
};
static const struct sb_wrap sb_base_wraps[] = {
	{ "getmetatable", sb_getmetatable, 0 },
	{ "load", sb_load, 0 },
	{ "pairs", sb_pairs, 0 },
	{ "print", sb_print, 0 },
	{ "rawset", sb_rawset, SB_KEEP_ORIG },
	{ "setmetatable", sb_setmetatable, 0 },
	{ "tonumber", sb_charged, SB_KEEP_ORIG },
	{ "tostring", sb_tostring, 0 },
	{ "xpcall", sb_xpcall, 0 },
	{ NULL, NULL, 0 },
};

static const char *const sb_string_allow[] = {
	"byte", "char", "find", "format", "gmatch", "gsub", "len", "lower",
	"match", "pack", "packsize", "rep", "reverse", "sub", "unpack",
	"upper", NULL
};
static const struct sb_wrap sb_string_wraps[] = {
	{ "byte", sb_charged, SB_KEEP_ORIG | SB_CHEAP },
	{ "char", sb_charged, SB_KEEP_ORIG | SB_CHEAP },
	{ "find", sb_str_pattern, SB_KEEP_ORIG | SB_PAT_ANCHOR | SB_PAT_PLAIN | SB_PAT_INIT },
	{ "format", sb_str_format, SB_KEEP_ORIG },
	{ "gmatch", sb_str_pattern, SB_KEEP_ORIG | SB_PAT_INIT },
	{ "gsub", sb_str_pattern, SB_KEEP_ORIG | SB_PAT_ANCHOR },
	{ "len", sb_charged, SB_KEEP_ORIG | SB_CHEAP },
	{ "match", sb_str_pattern, SB_KEEP_ORIG | SB_PAT_ANCHOR | SB_PAT_INIT },
	{ "packsize", sb_charged, SB_KEEP_ORIG | SB_ARG1 },
	{ "rep", sb_str_rep, SB_KEEP_ORIG },
	{ "sub", sb_charged, SB_KEEP_ORIG | SB_CHEAP },
	{ "unpack", sb_charged, SB_KEEP_ORIG | SB_ARG1 },
	{ NULL, sb_charged, SB_KEEP_ORIG },
};

static const char *const sb_table_allow[] = {
	"concat", "insert", "move", "pack", "remove", "sort", "unpack", NULL
};
static const struct sb_wrap sb_table_wraps[] = {
	{ "concat", sb_tconcat, SB_KEEP_ORIG },
	{ "insert", sb_tinsert, SB_KEEP_ORIG },
	{ "move", sb_tmove, SB_KEEP_ORIG },
	{ "remove", sb_tremove, SB_KEEP_ORIG },
	{ "sort", sb_tsort, SB_KEEP_ORIG },
	{ "unpack", sb_tunpack, SB_KEEP_ORIG },
	{ NULL, sb_charged, SB_KEEP_ORIG },
};

static const char *const sb_math_allow[] = {
	"abs", "acos", "asin", "atan", "ceil", "cos", "deg", "exp", "floor",
	"fmod", "huge", "log", "max", "maxinteger", "min", "mininteger", "modf",
	"pi", "rad", "random", "sin", "sqrt", "tan", "tointeger", "type", "ult",
	NULL
};
static const struct sb_wrap sb_math_wraps[] = {
	{ "random", sb_math_random, 0 },
	{ NULL, NULL, 0 },
};

static const char *const sb_utf8_allow[] = {
	"char", "charpattern", "codepoint", "codes", "len", "offset", NULL
};
static const struct sb_wrap sb_utf8_wraps[] = {
	{ "char", sb_charged, SB_KEEP_ORIG | SB_CHEAP },
	{ "codepoint", sb_charged, SB_KEEP_ORIG | SB_CHEAP },
	{ "codes", sb_utf8_codes, SB_KEEP_ORIG },
	{ NULL, sb_charged, SB_KEEP_ORIG },
};

static const struct sb_lib sb_libs[] = {
	{ "_G", luaopen_base, sb_base_allow, sb_base_wraps },
	{ LUA_STRLIBNAME, luaopen_string, sb_string_allow, sb_string_wraps },
	{ LUA_TABLIBNAME, luaopen_table, sb_table_allow, sb_table_wraps },
	{ LUA_MATHLIBNAME, luaopen_math, sb_math_allow, sb_math_wraps },
	{ LUA_UTF8LIBNAME, luaopen_utf8, sb_utf8_allow, sb_utf8_wraps },
};

static int sb_allowed(const char *const *allow, const char *name)
{
	for (; *allow; allow++)
		if (strcmp(*allow, name) == 0)
			return 1;
	return 0;
}

/* Remove every field of t not on the allow-list. */
static void sb_keep_only(lua_State *L, int t, const char *const *allow)
{
	t = lua_absindex(L, t);
	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) == LUA_TSTRING && sb_allowed(allow, lua_tostring(L, -1)))
			continue;
		lua_pushvalue(L, -1);
		lua_pushnil(L);
		lua_rawset(L, t); /* clearing a field during lua_next is allowed */
	}
}

static const struct sb_wrap *sb_find_wrap(const struct sb_wrap *w, const char *name)
{
	for (; w->name; w++)
		if (strcmp(w->name, name) == 0)
			return w;
	return w;
}

/* Wrap t's functions, walking the allow-list: a fixed creation order. */
static void sb_wrap_lib(lua_State *L, int t, const struct sb_lib *lib)
{
	const char *const *name;
	const struct sb_wrap *w;

	t = lua_absindex(L, t);
	for (name = lib->allow; *name; name++) {
		w = sb_find_wrap(lib->wraps, *name);
		if (lua_getfield(L, t, *name) != LUA_TFUNCTION || w->fn == NULL) {
			lua_pop(L, 1);
			continue;
		}
		if (!(w->flags & SB_KEEP_ORIG)) {
			lua_pop(L, 1);
			lua_pushnil(L);
		}
		lua_pushinteger(L, w->flags);
		lua_pushcclosure(L, w->fn, 2);
		lua_setfield(L, t, *name);
	}
}

static void sb_new_ref_table(lua_State *L, int *ref, const char *mode)
{
	lua_newtable(L);
	if (mode) {
		lua_createtable(L, 0, 1);
		lua_pushstring(L, mode);
		lua_setfield(L, -2, "__mode");
		lua_setmetatable(L, -2);
	}
	*ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

static void sb_make_guard(lua_State *L, struct sandbox *sb)
{
	lua_createtable(L, 0, 2);
	lua_pushcfunction(L, sb_guard_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	sb->ref_guard = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* getmetatable("") and getmetatable(_G) answer false. */
static void sb_protect_metatables(lua_State *L)
{
	lua_pushliteral(L, "");
	if (lua_getmetatable(L, -1)) {
		lua_pushboolean(L, 0);
		lua_setfield(L, -2, "__metatable");
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	lua_pushglobaltable(L);
	lua_createtable(L, 0, 1);
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
	lua_pop(L, 1);
}

static int sb_setup(lua_State *L)
{
	struct sandbox *sb = sb_of(L);
	size_t i;

	sb_new_ref_table(L, &sb->ref_ids, "k");
	sb_new_ref_table(L, &sb->ref_light, NULL);
	sb_new_ref_table(L, &sb->ref_frozen, NULL);
	sb_make_guard(L, sb);
	for (i = 0; i < sizeof sb_libs / sizeof sb_libs[0]; i++) {
		luaL_requiref(L, sb_libs[i].name, sb_libs[i].open, 1);
		sb_keep_only(L, -1, sb_libs[i].allow);
		sb_wrap_lib(L, -1, &sb_libs[i]);
		lua_pop(L, 1);
	}
	sb_protect_metatables(L);
	sb_calibrate(L, sb);
	lua_pushglobaltable(L);
	sb_note_light(L, sb, -1);
	for (i = 1; i < sizeof sb_libs / sizeof sb_libs[0]; i++) {
		lua_getfield(L, -1, sb_libs[i].name);
		sb_note_light(L, sb, -1);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Freezing                                                            */

/* Is the code that triggered this metamethod Lua (not the host's C)? */
static int sb_from_lua(lua_State *L)
{
	lua_Debug ar;

	if (!lua_getstack(L, 1, &ar) || !lua_getinfo(L, "S", &ar))
		return 0;
	return strcmp(ar.what, "C") != 0;
}

/* Lesson code reading an unknown name errs; host lua_getglobal gets nil. */
static int sb_unknown_global(lua_State *L)
{
	if (lua_type(L, 2) == LUA_TSTRING && sb_from_lua(L))
		return luaL_error(L, "unknown global '%s'", lua_tostring(L, 2));
	return 0;
}

static int sb_frozen_newindex(lua_State *L)
{
	int t = lua_type(L, 2);
	const char *key = t == LUA_TSTRING || t == LUA_TNUMBER ?
			  luaL_tolstring(L, 2, NULL) : luaL_typename(L, 2);

	if (lua_isnil(L, lua_upvalueindex(1)))
		return luaL_error(L, "cannot assign global '%s' once the lesson has "
				  "loaded: declare shared state in shared{}", key);
	return luaL_error(L, "cannot assign '%s.%s': library tables are read-only",
			  lua_tostring(L, lua_upvalueindex(1)), key);
}

/* pairs() of a frozen table: the store's keys, but never the store. */
static int sb_frozen_pairs(lua_State *L)
{
	sb_push_pairs(L, lua_upvalueindex(1));
	lua_pushvalue(L, 1);
	lua_replace(L, -3); /* the state: the frozen table, not its store */
	return 3;
}

/*
 * Move t's fields into a hidden store and leave t empty behind a
 * metatable, so every write to t reaches __newindex.  name is NULL for
 * the globals, whose store also refuses unknown names.
 */
static void sb_freeze_table(lua_State *L, struct sandbox *sb, int t, const char *name)
{
	int n = 0, store;

	t = lua_absindex(L, t);
	if (sb_in_set(L, t, sb->ref_frozen))
		return;
	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pop(L, 1);
		n++;
	}
	lua_createtable(L, 0, n);
	store = lua_gettop(L);
	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_rawset(L, store);
		lua_pushvalue(L, -1);
		lua_pushnil(L);
		lua_rawset(L, t);
	}
	if (name == NULL) {
		lua_createtable(L, 0, 1);
		lua_pushcfunction(L, sb_unknown_global);
		lua_setfield(L, -2, "__index");
		lua_setmetatable(L, store);
	}
	lua_createtable(L, 0, 4);
	lua_pushvalue(L, store);
	lua_setfield(L, -2, "__index");
	if (name)
		lua_pushstring(L, name);
	else
		lua_pushnil(L);
	lua_pushcclosure(L, sb_frozen_newindex, 1);
	lua_setfield(L, -2, "__newindex");
	lua_pushvalue(L, store);
	lua_pushcclosure(L, sb_frozen_pairs, 1);
	lua_setfield(L, -2, "__pairs");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, t);
	lua_rawgeti(L, LUA_REGISTRYINDEX, sb->ref_frozen);
	lua_pushvalue(L, t);
	lua_pushboolean(L, 1);
	lua_rawset(L, -3);
	lua_pop(L, 2);
}

static int sb_freeze_cb(lua_State *L)
{
	struct sandbox *sb = sb_of(L);
	size_t i;

	lua_pushglobaltable(L);
	sb_note_light(L, sb, -1); /* the bindings' functions, by name */
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	for (i = 1; i < sizeof sb_libs / sizeof sb_libs[0]; i++) {
		if (lua_getfield(L, -1, sb_libs[i].name) == LUA_TTABLE)
			sb_freeze_table(L, sb, -1, sb_libs[i].name);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	sb_freeze_table(L, sb, -1, NULL);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Errors                                                              */

static int sb_msgh(lua_State *L)
{
	const char *msg;

	if (lua_type(L, 1) == LUA_TSTRING || lua_type(L, 1) == LUA_TNUMBER)
		msg = lua_tostring(L, 1);
	else
		msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
	luaL_traceback(L, L, msg, 1);
	return 1;
}

static int sb_useful_frame(const char *line, size_t len)
{
	static const char none[] = "\t[C]: in ?";

	return !(len == sizeof none - 1 && memcmp(line, none, len) == 0);
}

/*
 * The message (cleaned and cut, see sandbox_text.c; after "file:line:"
 * for a refused allocation), a note if a long string was refused, and a
 * short traceback.
 */
static char *sb_format_error(const struct sandbox *sb, const char *msg)
{
	static const char header[] = "\nstack traceback:";
	const char *tb = strstr(msg, header), *line, *next;
	size_t head = tb ? (size_t)(tb - msg) : strlen(msg), n = 0, at = 0;
	size_t room = SB_MESSAGE_MAX + 64, frame_room = SB_FRAME_MAX + 64;
	int frames = 0;
	char note[96], *out, *o;

	if (strncmp(msg, "not enough memory", 17) == 0) {
		at = strlen(sb->refused_at);
		if (sb->string_refused)
			n = (size_t)snprintf(note, sizeof note, " (a string longer than %zu "
					     "bytes, the lesson limit, was refused)",
					     (size_t)SB_STRING_MAX);
	}
	out = malloc(at + 1 + room + n + sizeof header + SB_TRACE_FRAMES * (frame_room + 1));
	if (out == NULL)
		return NULL;
	o = out;
	if (at) {
		memcpy(o, sb->refused_at, at);
		o[at] = ' ';
		o += at + 1;
	}
	o += sb_clean_text(o, room, msg, head, SB_MESSAGE_MAX, 0);
	memcpy(o, note, n);
	o += n;
	if (tb) {
		memcpy(o, header, sizeof header - 1);
		o += sizeof header - 1;
		for (line = tb + sizeof header - 1; *line == '\n' && frames < SB_TRACE_FRAMES;
		     line = next) {
			next = strchr(line + 1, '\n');
			if (next == NULL)
				next = line + strlen(line);
			if (!sb_useful_frame(line + 1, (size_t)(next - line - 1)))
				continue;
			*o++ = '\n';
			o += sb_clean_text(o, frame_room, line + 1, (size_t)(next - line - 1),
					   SB_FRAME_MAX, 1);
			frames++;
		}
	}
	*o = '\0';
	return out;
}

static void sb_take_error(const struct sandbox *sb, lua_State *L, char **err)
{
	const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) :
			  "(error object is not a string)";

	if (err)
		*err = sb_format_error(sb, msg);
	lua_pop(L, 1);
}

static int sb_no_stack(char **err)
{
	if (err)
		*err = strdup("not enough memory (Lua stack)");
	return -1;
}

static int sb_co_trace(lua_State *L)
{
	lua_State *co = lua_touserdata(L, 1);
	const char *msg;

	if (lua_gettop(co) > 0 && lua_type(co, -1) == LUA_TSTRING)
		msg = lua_tostring(co, -1);
	else if (lua_gettop(co) > 0 && lua_type(co, -1) == LUA_TNUMBER)
		msg = lua_pushfstring(L, "%f", lua_tonumber(co, -1));
	else
		msg = lua_pushfstring(L, "(error object is a %s value)",
				      lua_gettop(co) > 0 ? luaL_typename(co, -1) : "no");
	luaL_traceback(L, co, msg, 0);
	return 1;
}

/* ------------------------------------------------------------------ */
/* The API                                                             */

static int sb_panic(lua_State *L)
{
	fprintf(stderr, "dpctutor: unprotected error in the lesson sandbox: %s\n",
		lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?");
	return 0;
}

struct sandbox *sb_create(const struct sb_limits *lim, uint64_t seed)
{
	struct sandbox *sb = calloc(1, sizeof *sb);

	if (sb == NULL)
		return NULL;
	sb->mem_cap = lim && lim->mem_bytes ? lim->mem_bytes : SB_DEFAULT_MEM;
	sb->budget = lim && lim->budget ? lim->budget : SB_DEFAULT_BUDGET;
	sb->wall_ns = (uint64_t)(lim && lim->wall_ms ? lim->wall_ms : SB_DEFAULT_WALL_MS) *
		      UINT64_C(1000000);
	dt_rng_seed_stream(&sb->rng, seed, DT_STREAM_LESSON);
	sb->L = lua_newstate(sb_alloc, sb);
	if (sb->L == NULL) {
		sb_destroy(sb);
		return NULL;
	}
	lua_atpanic(sb->L, sb_panic);
	lua_setwarnf(sb->L, sb_warnf, sb);
	lua_pushcfunction(sb->L, sb_setup);
	if (lua_pcall(sb->L, 0, 0, 0) != LUA_OK) {
		sb_destroy(sb);
		return NULL;
	}
	return sb;
}

void sb_destroy(struct sandbox *sb)
{
	if (sb == NULL)
		return;
	if (sb->L)
		lua_close(sb->L);
	free(sb->objs.key);
	free(sb->objs.serial);
	free(sb);
}

lua_State *sb_lua(struct sandbox *sb)
{
	return sb->L;
}

uint64_t sb_frees(const struct sandbox *sb)
{
	return sb->frees;
}

void sb_set_print(struct sandbox *sb, void (*fn)(void *ctx, const char *text),
		  void *ctx)
{
	sb->print_fn = fn;
	sb->print_ctx = ctx;
}

int sb_pcall(struct sandbox *sb, int nargs, int nresults, char **err)
{
	lua_State *L = sb->L;
	struct sb_run run;
	int base = lua_gettop(L) - nargs, status;

	if (err)
		*err = NULL;
	if (!lua_checkstack(L, 2)) {
		lua_pop(L, nargs + 1);
		return sb_no_stack(err);
	}
	lua_pushcfunction(L, sb_msgh);
	lua_insert(L, base);
	sb_run_begin(sb, &run, L, 0);
	status = lua_pcall(L, nargs, nresults, base);
	sb_run_end(sb, &run);
	lua_remove(L, base);
	if (status == LUA_OK)
		return 0;
	sb_take_error(sb, L, err);
	return -1;
}

struct sb_chunk {
	const char *path; /* a file, or NULL for the buffer below */
	const char *name, *src;
	size_t len;
	const char *mode; /* "t"; "b" only for sb_compile's bytecode */
};

static int sb_load_chunk(lua_State *L)
{
	const struct sb_chunk *c = lua_touserdata(L, 1);
	int status;

	if (c->path)
		status = luaL_loadfilex(L, c->path, "t");
	else
		status = luaL_loadbufferx(L, c->src, c->len, c->name, c->mode);
	if (status != LUA_OK)
		return lua_error(L);
	return 1;
}

static int sb_run_chunk(struct sandbox *sb, struct sb_chunk *c, char **err)
{
	lua_State *L = sb->L;

	if (err)
		*err = NULL;
	if (!lua_checkstack(L, 3))
		return sb_no_stack(err);
	lua_pushcfunction(L, sb_load_chunk);
	lua_pushlightuserdata(L, c);
	if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
		sb_take_error(sb, L, err);
		return -1;
	}
	return sb_pcall(sb, 0, 0, err);
}

int sb_run_file(struct sandbox *sb, const char *path, char **err)
{
	struct sb_chunk c = { path, NULL, NULL, 0, "t" };

	return sb_run_chunk(sb, &c, err);
}

int sb_run_string(struct sandbox *sb, const char *chunkname, const char *src,
		  size_t len, char **err)
{
	struct sb_chunk c = { NULL, chunkname, src, len, "t" };

	return sb_run_chunk(sb, &c, err);
}

int sb_run_code(struct sandbox *sb, const struct sb_code *code, char **err)
{
	struct sb_chunk c = { NULL, "=(compiled lesson)", code->bytes, code->len, "b" };

	return sb_run_chunk(sb, &c, err);
}

int sb_freeze_globals(struct sandbox *sb)
{
	lua_State *L = sb->L;

	if (sb->frozen)
		return 0;
	if (!lua_checkstack(L, 2))
		return -1;
	lua_pushcfunction(L, sb_freeze_cb);
	if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
		lua_pop(L, 1);
		return -1;
	}
	sb->frozen = 1;
	return 0;
}

int sb_resume(struct sandbox *sb, lua_State *co, int nargs, int *nres,
	      int *over_budget)
{
	struct sb_run run;
	int n = 0, status;

	sb_run_begin(sb, &run, co, 1);
	status = lua_resume(co, sb->L, nargs, &n);
	sb_run_end(sb, &run);
	if (nres)
		*nres = n;
	if (over_budget)
		*over_budget = run.over;
	return status;
}

int sb_stop_line(struct sandbox *sb, const char **source)
{
	if (source)
		*source = sb->stop_source;
	return sb->stop_line;
}

char *sb_resume_error(struct sandbox *sb, lua_State *co)
{
	lua_State *L = sb->L;
	char *out = NULL;

	if (!lua_checkstack(L, 3))
		return NULL;
	lua_pushcfunction(L, sb_co_trace);
	lua_pushlightuserdata(L, co);
	if (lua_pcall(L, 1, 1, 0) == LUA_OK)
		out = sb_format_error(sb, lua_tostring(L, -1));
	lua_pop(L, 1);
	return out;
}
