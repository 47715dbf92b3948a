/*
 * script.c - the lesson runtime's core: loading a lesson, building its
 * machine in a fresh sandbox, and the engine host whose bodies are Lua
 * coroutines (script.h).
 *
 * The file runs twice when it is opened: a probe pass reads lesson{} (the
 * CPU count and settings the machine needs before it can exist), then the
 * engine's build callback runs it for real.  Every later "start over" runs
 * it again in a new sandbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadline.h"
#include "script_int.h"

void rt_options_default(struct rt_options *o)
{
	memset(o, 0, sizeof(*o));
	o->trace = 1;
}

/* The runtime is the first upvalue of every C function it registers. */
struct rt *rt_from(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

void rt_register(struct rt *rt, lua_State *L, const char *name, lua_CFunction fn)
{
	lua_pushlightuserdata(L, rt);
	lua_pushcclosure(L, fn, 1);
	lua_setglobal(L, name);
}

/*
 * dt_machine_intern hashes the whole string, and every step interns its
 * file name and label again.  A Lua string's bytes stay at their address
 * until the sandbox frees a block, so a few recent (address, id) pairs,
 * valid while sb_frees has not moved, answer most of these lookups with
 * one comparison.  The pairs belong to one sandbox and one machine:
 * sandbox_make forgets them.
 */
uint32_t rt_intern(struct rt *rt, const char *s)
{
	unsigned slot = (unsigned)((uintptr_t)s >> 3) & (RT_INTERN_MEMO - 1);
	uint64_t frees = sb_frees(rt->sb);
	if (rt->memo[slot].s == s && rt->memo[slot].frees == frees)
		return rt->memo[slot].id;
	uint32_t id = dt_machine_intern(rt->m, s);
	rt->memo[slot].s = s;
	rt->memo[slot].frees = frees;
	rt->memo[slot].id = id;
	return id;
}

/* ---- values -------------------------------------------------------------- */

void rt_push_value(struct rt *rt, lua_State *L, const struct dt_value *v)
{
	switch (v->kind) {
	case DT_VAL_BOOL:
		lua_pushboolean(L, (int)v->u.i);
		break;
	case DT_VAL_INT:
		lua_pushinteger(L, (lua_Integer)v->u.i);
		break;
	case DT_VAL_NUMBER:
		lua_pushnumber(L, v->u.n);
		break;
	case DT_VAL_STRING:
		lua_pushstring(L, dt_machine_string(rt->m, v->u.str));
		break;
	default:
		lua_pushnil(L);
		break;
	}
}

/* A Lua value as a watched value; 0 if it is not one a shared field holds. */
int rt_to_value(struct rt *rt, lua_State *L, int idx, struct dt_value *out)
{
	switch (lua_type(L, idx)) {
	case LUA_TNIL:
		*out = dt_nil();
		return 1;
	case LUA_TBOOLEAN:
		*out = dt_bool(lua_toboolean(L, idx));
		return 1;
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx))
			*out = dt_int((int64_t)lua_tointeger(L, idx));
		else
			*out = dt_number((double)lua_tonumber(L, idx));
		return 1;
	case LUA_TSTRING:
		*out = dt_string(rt_intern(rt, lua_tostring(L, idx)));
		return 1;
	default:
		return 0;
	}
}

/* Where the Lua code at `level` of L is: the file and line of a step. */
struct dt_srcpos rt_where(struct rt *rt, lua_State *L, int level)
{
	struct dt_srcpos pos = { 0, 0 };
	lua_Debug ar;
	for (int l = level; l < level + 4; l++) {
		if (!lua_getstack(L, l, &ar) || !lua_getinfo(L, "Sl", &ar))
			break;
		if (ar.currentline <= 0)
			continue;
		const char *src = ar.source && ar.source[0] == '@' ? ar.source + 1 : ar.short_src;
		pos.file = rt_intern(rt, src);
		pos.line = (uint32_t)ar.currentline;
		break;
	}
	return pos;
}

/* ---- "did you mean" --------------------------------------------------------- */

static unsigned edit_distance(const char *a, const char *b)
{
	unsigned la = (unsigned)strlen(a), lb = (unsigned)strlen(b);
	unsigned row[64];
	if (la > 62 || lb > 62)
		return 99;
	for (unsigned j = 0; j <= lb; j++)
		row[j] = j;
	for (unsigned i = 1; i <= la; i++) {
		unsigned prev = row[0];
		row[0] = i;
		for (unsigned j = 1; j <= lb; j++) {
			unsigned cur = row[j];
			unsigned best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

/* Raise "unknown key 'x' in WHAT (did you mean 'y'?)". */
int rt_did_you_mean(lua_State *L, const char *what, const char *key, const char *const *known)
{
	const char *best = NULL;
	unsigned bestd = 4;
	for (const char *const *k = known; *k; k++) {
		unsigned d = edit_distance(key, *k);
		if (d < bestd) {
			bestd = d;
			best = *k;
		}
	}
	if (best)
		return luaL_error(L, "unknown key '%s' in %s (did you mean '%s'?)", key, what, best);
	return luaL_error(L, "unknown key '%s' in %s", key, what);
}

/* ---- callbacks ------------------------------------------------------------ */

/* Register the function at idx as a callback with `role`; the same function
 * gets the same id.  0 on success. */
/* Forget the callbacks of the last build, and their C texts. */
static void callbacks_clear(struct rt *rt)
{
	for (unsigned i = 0; i < rt->ncallbacks; i++)
		free(rt->callbacks[i].c_source);
	rt->ncallbacks = 0;
}

void rt_set_c_source(struct rt *rt, lua_State *L, uint32_t id, const char *text)
{
	if (id >= rt->ncallbacks)
		return;
	char *copy = strdup(text);
	if (!copy)
		luaL_error(L, "c_source: out of memory");
	free(rt->callbacks[id].c_source);
	rt->callbacks[id].c_source = copy;
}

int rt_callback_id(struct rt *rt, lua_State *L, int idx, const char *role, unsigned intr,
		   uint32_t *out)
{
	idx = lua_absindex(L, idx);
	if (!lua_isfunction(L, idx))
		return -1;
	lua_rawgeti(L, LUA_REGISTRYINDEX, rt->cbids_ref);
	lua_pushvalue(L, idx);
	lua_rawget(L, -2);
	if (lua_isinteger(L, -1)) {
		*out = (uint32_t)lua_tointeger(L, -1);
		lua_pop(L, 2);
		return 0;
	}
	lua_pop(L, 1);
	if (rt->ncallbacks == RT_MAX_CALLBACKS) {
		lua_pop(L, 1);
		return luaL_error(L, "too many callbacks (at most %d)", RT_MAX_CALLBACKS);
	}
	uint32_t id = rt->ncallbacks++;
	struct rt_callback *cb = &rt->callbacks[id];
	memset(cb, 0, sizeof(*cb));
	snprintf(cb->role, sizeof(cb->role), "%s", role);
	snprintf(cb->name, sizeof(cb->name), "%s", role);
	cb->interrupt = intr;
	lua_pushvalue(L, idx);
	lua_pushinteger(L, id);
	lua_rawset(L, -3);
	lua_pop(L, 1);
	lua_rawgeti(L, LUA_REGISTRYINDEX, rt->callbacks_ref);
	lua_pushvalue(L, idx);
	lua_rawseti(L, -2, (lua_Integer)id + 1);
	lua_pop(L, 1);
	*out = id;
	return 0;
}

/* ---- the engine host: bodies are coroutines ------------------------------- */

static int push_handle_arg(struct rt *rt, lua_State *co, uint64_t h, unsigned type,
			   unsigned index)
{
	(void)rt;
	rt_push_handle(co, type, h, index);
	return 1;
}

/* Push the callback's arguments for its role (R05, R18, R62, R70). */
static int push_args(struct rt *rt, lua_State *co, const struct dt_call *call)
{
	const struct dt_state *st = dt_machine_state(rt->m);
	unsigned dev = call->interrupt_index != DT_NONE ? st->interrupts[call->interrupt_index].device
							: 0;
	switch (call->kind) {
	case DT_CALL_ISR:
		push_handle_arg(rt, co, call->interrupt, RT_INTERRUPT, call->interrupt_index);
		lua_pushinteger(co, call->message_id);
		return 2;
	case DT_CALL_DPC:
	case DT_CALL_WORKITEM:
	case DT_CALL_ENABLE:
	case DT_CALL_DISABLE:
		push_handle_arg(rt, co, call->interrupt, RT_INTERRUPT, call->interrupt_index);
		push_handle_arg(rt, co, call->device, RT_DEVICE, dev);
		return 2;
	case DT_CALL_SYNCHRONIZE:
		push_handle_arg(rt, co, call->interrupt, RT_INTERRUPT, call->interrupt_index);
		return 1;
	default:
		return 0;
	}
}

/* Readers look at the first n entries only: emptying the log is cheap. */
static void log_clear(struct rt_step_log *lg)
{
	lg->nreturns = 0;
	lg->nstarts = 0;
}

/* The log describes one step: entries of an older step (a branch's
 * replay) are dropped when the step changes. */
static struct rt_step_log *step_log(struct rt *rt)
{
	uint32_t now = dt_machine_state(rt->m)->step + 1;
	if (rt->log_step != now) {
		log_clear(&rt->log);
		rt->log_step = now;
	}
	return &rt->log;
}

static void *host_body_create(void *ctx, const struct dt_call *call)
{
	struct rt *rt = ctx;
	lua_State *L = rt->L;
	if (!L || call->callback >= rt->ncallbacks)
		return NULL;
	struct rt_body *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	lua_rawgeti(L, LUA_REGISTRYINDEX, rt->bodies_ref);
	b->co = lua_newthread(L);
	b->ref = luaL_ref(L, -2);
	lua_pop(L, 1);
	lua_rawgeti(L, LUA_REGISTRYINDEX, rt->callbacks_ref);
	lua_rawgeti(L, -1, (lua_Integer)call->callback + 1);
	lua_xmove(L, b->co, 1);
	lua_pop(L, 1);
	b->nargs = push_args(rt, b->co, call);
	b->callback = call->callback;
	b->cpu = call->cpu;
	b->thread = call->thread;
	struct rt_step_log *lg = step_log(rt);
	if (lg->nstarts < 8) {
		lg->starts[lg->nstarts].callback = call->callback;
		lg->starts[lg->nstarts].cpu = call->cpu;
		lg->starts[lg->nstarts].thread = call->thread;
		lg->nstarts++;
	}
	return b;
}

static void host_body_destroy(void *ctx, void *body)
{
	struct rt *rt = ctx;
	struct rt_body *b = body;
	if (!b)
		return;
	if (rt->L) {
		lua_rawgeti(rt->L, LUA_REGISTRYINDEX, rt->bodies_ref);
		luaL_unref(rt->L, -1, b->ref);
		lua_pop(rt->L, 1);
	}
	free(b);
}

static void reply_error(struct rt *rt, lua_State *co, struct dt_body_reply *reply)
{
	char *msg = sb_resume_error(rt->sb, co);
	reply->status = DT_BODY_ERROR;
	snprintf(reply->message, sizeof(reply->message), "%s", msg ? msg : "error in a callback");
	free(msg);
	reply->pos = rt_where(rt, co, 0);
	lua_pop(co, 1);
}

/* Where a budget stop happened: the sandbox records the line in its hook
 * (after a hook yield Lua's own line information lags one instruction). */
static struct dt_srcpos stop_pos(struct rt *rt, lua_State *co)
{
	const char *src = NULL;
	int line = sb_stop_line(rt->sb, &src);
	if (line <= 0)
		return rt_where(rt, co, 0);
	struct dt_srcpos pos = { 0, (uint32_t)line };
	if (src)
		pos.file = rt_intern(rt, src[0] == '@' ? src + 1 : src);
	return pos;
}

/* "lessons/x.lua:7: ran N Lua instructions...": the line, like Lua's own
 * errors, so that every report of the stop names it. */
static void budget_message(struct rt *rt, struct dt_body_reply *reply)
{
	unsigned budget = rt->opt.budget ? rt->opt.budget : SB_DEFAULT_BUDGET;
	const char *file = reply->pos.line ? dt_machine_string(rt->m, reply->pos.file) : NULL;
	if (file && *file)
		snprintf(reply->message, sizeof(reply->message),
			 "%s:%u: ran %u Lua instructions without reaching a step", file,
			 (unsigned)reply->pos.line, budget);
	else
		snprintf(reply->message, sizeof(reply->message),
			 "ran %u Lua instructions without reaching a step", budget);
}

static void log_return(struct rt *rt, struct rt_body *b, const struct dt_value *result)
{
	struct rt_step_log *lg = step_log(rt);
	if (!b->have_op || lg->nreturns >= 4)
		return;
	lg->returns[lg->nreturns].op = b->op.kind;
	lg->returns[lg->nreturns].cpu = b->cpu;
	lg->returns[lg->nreturns].result = *result;
	lg->returns[lg->nreturns].callback = b->callback;
	lg->nreturns++;
}

static void host_body_resume(void *ctx, void *body, const struct dt_value *result,
			     struct dt_body_reply *reply)
{
	struct rt *rt = ctx;
	struct rt_body *b = body;
	int nargs, nres = 0, over = 0;
	if (!b->started) {
		b->started = 1;
		nargs = b->nargs;
	} else {
		log_return(rt, b, result);
		rt_push_value(rt, b->co, result);
		nargs = 1;
	}
	b->have_op = 0;
	rt->current = b;
	int rc = sb_resume(rt->sb, b->co, nargs, &nres, &over);
	rt->current = NULL;
	if (over) {
		if (rc == LUA_YIELD)
			lua_pop(b->co, nres);
		else
			lua_pop(b->co, 1); /* the error the budget raised where Lua cannot yield */
		reply->status = DT_BODY_BUDGET;
		reply->pos = stop_pos(rt, b->co);
		budget_message(rt, reply);
		return;
	}
	if (rc == LUA_YIELD && b->have_op) {
		lua_pop(b->co, nres);
		reply->status = DT_BODY_OP;
		reply->op = b->op;
		return;
	}
	if (rc == LUA_YIELD) {
		lua_pop(b->co, nres);
		reply->status = DT_BODY_ERROR;
		snprintf(reply->message, sizeof(reply->message),
			 "a callback yielded outside an operation");
		return;
	}
	if (rc != LUA_OK) {
		reply_error(rt, b->co, reply);
		return;
	}
	reply->status = DT_BODY_RETURNED;
	reply->retval = dt_nil();
	if (nres > 0 && !rt_to_value(rt, b->co, -nres, &reply->retval))
		reply->retval = dt_bool(lua_toboolean(b->co, -nres));
	reply->pos = rt_where(rt, b->co, 0);
	lua_pop(b->co, nres);
}

/* ---- building ------------------------------------------------------------ */

static void lesson_free_strings(struct rt_lesson *l)
{
	free(l->title);
	free(l->goal);
	free(l->notes);
	l->title = l->goal = l->notes = NULL;
}

static void sandbox_drop(struct rt *rt)
{
	if (rt->sb)
		sb_destroy(rt->sb);
	rt->sb = NULL;
	rt->L = NULL;
	rt->current = NULL;
}

static int new_table_ref(lua_State *L)
{
	lua_newtable(L);
	return luaL_ref(L, LUA_REGISTRYINDEX);
}

/* A fresh sandbox with the lesson API installed, for machine m. */
static int sandbox_make(struct rt *rt, struct dt_machine *m, uint64_t seed)
{
	struct sb_limits lim = { .mem_bytes = rt->opt.mem_bytes, .budget = rt->opt.budget };
	sandbox_drop(rt);
	rt->sb = sb_create(&lim, seed);
	if (!rt->sb)
		return -1;
	rt->L = sb_lua(rt->sb);
	rt->m = m;
	memset(rt->memo, 0, sizeof(rt->memo));
	if (rt->opt.print)
		sb_set_print(rt->sb, rt->opt.print, rt->opt.print_ctx);
	rt->callbacks_ref = new_table_ref(rt->L);
	rt->cbids_ref = new_table_ref(rt->L);
	rt->bodies_ref = new_table_ref(rt->L);
	rt->story_ref = LUA_NOREF;
	rt->challenges_ref = LUA_NOREF;
	callbacks_clear(rt);
	rt->nfree = 0;
	rt->have_lesson = 0;
	rt_open_values(rt, rt->L);
	rt_open_api(rt, rt->L);
	rt_open_scenario(rt, rt->L);
	rt_open_story(rt, rt->L);
	return 0;
}

/* Run the lesson file in the current sandbox: its text is compiled once
 * (sb_compile) and the bytecode rerun at every start over; text that does
 * not compile runs as text, for the usual syntax error. */
static int run_file(struct rt *rt, char **err)
{
	char chunk[1100];
	snprintf(chunk, sizeof(chunk), "@%s", rt->path);
	if (!rt->code.bytes && !rt->code_failed)
		rt->code_failed = sb_compile(chunk, rt->src, rt->len, &rt->code) != 0;
	rt->building = 1;
	int rc = rt->code.bytes ? sb_run_code(rt->sb, &rt->code, err)
				: sb_run_string(rt->sb, chunk, rt->src, rt->len, err);
	rt->building = 0;
	if (rc == 0 && !rt->have_lesson && !rt->probing) {
		*err = strdup("the file declares no lesson { ... }");
		return -1;
	}
	if (rc == 0)
		sb_freeze_globals(rt->sb);
	return rc;
}

static int host_build(void *ctx, struct dt_machine *m)
{
	struct rt *rt = ctx;
	char *err = NULL;
	if (sandbox_make(rt, m, dt_machine_state(m)->seed)) {
		dt_machine_fail_lesson(m, "out of memory creating the sandbox", (struct dt_srcpos){ 0, 0 });
		return -1;
	}
	dt_machine_set_lesson_hash(m, rt->lesson.hash);
	if (run_file(rt, &err)) {
		dt_machine_fail_lesson(m, err ? err : "the lesson failed to load",
				       (struct dt_srcpos){ 0, 0 });
		snprintf(rt->err, sizeof(rt->err), "%s", err ? err : "the lesson failed to load");
		free(err);
		return -1;
	}
	return 0;
}

static const struct dt_host_ops rt_host_ops = {
	.build = host_build,
	.body_create = host_body_create,
	.body_resume = host_body_resume,
	.body_destroy = host_body_destroy,
};

static char *read_file(const char *path, size_t *len, char **err)
{
	FILE *f = fopen(path, "rb");
	char buf[256];
	if (!f) {
		snprintf(buf, sizeof(buf), "%s: cannot open the lesson file", path);
		*err = strdup(buf);
		return NULL;
	}
	size_t cap = 4096, n = 0;
	char *s = malloc(cap);
	while (s) {
		size_t r = fread(s + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
		if (n == cap) {
			if (cap >= (1u << 22)) { /* 4 MiB is no lesson */
				free(s);
				s = NULL;
				break;
			}
			char *t = realloc(s, cap * 2);
			if (!t) {
				free(s);
				s = NULL;
				break;
			}
			s = t;
			cap *= 2;
		}
	}
	fclose(f);
	if (!s) {
		snprintf(buf, sizeof(buf), "%s: too large or out of memory", path);
		*err = strdup(buf);
		return NULL;
	}
	char *t = realloc(s, n + 1);
	if (!t) {
		free(s);
		*err = strdup("out of memory");
		return NULL;
	}
	t[n] = '\0';
	*len = n;
	return t;
}

static uint32_t fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

/* The probe pass: a scratch machine with every CPU, stopped after lesson{}. */
static int probe(struct rt *rt, char **err)
{
	struct dt_config cfg;
	struct dt_machine *scratch;
	dt_config_default(&cfg, DT_MAX_CPUS);
	cfg.trace = 0;
	if (dt_machine_create(&cfg, NULL, NULL, &scratch))
		return -1;
	rt->probing = 1;
	int rc = sandbox_make(rt, scratch, 0);
	if (rc == 0)
		rc = run_file(rt, err);
	rt->probing = 0;
	sandbox_drop(rt);
	dt_machine_destroy(scratch);
	rt->m = NULL;
	if (rc == 0 && !rt->have_lesson) {
		*err = strdup("the file declares no lesson { ... }");
		return -1;
	}
	return rc;
}

int rt_open(const char *path, const struct rt_options *opt, struct rt **out, char **err)
{
	*out = NULL;
	*err = NULL;
	struct rt *rt = calloc(1, sizeof(*rt));
	if (!rt) {
		*err = strdup("out of memory");
		return -1;
	}
	rt_options_default(&rt->opt);
	if (opt)
		rt->opt = *opt;
	deadline_name(path); /* the lesson the last-resort alarm would name */
	rt->path = strdup(path);
	rt->src = rt->path ? read_file(path, &rt->len, err) : NULL;
	if (!rt->src)
		goto fail;
	rt->lesson.hash = fnv1a(rt->src, rt->len);
	if (probe(rt, err))
		goto fail;
	struct dt_config cfg;
	unsigned cpus = rt->opt.cpus ? rt->opt.cpus : rt->lesson.cpus;
	dt_config_default(&cfg, cpus ? cpus : 1);
	if (cfg.ncpus > DT_MAX_CPUS) {
		*err = strdup("a lesson has at most 64 CPUs");
		goto fail;
	}
	struct dt_switches sw = rt->lesson.sw;
	if (sw.tick_us)
		cfg.sw.tick_us = sw.tick_us;
	if (sw.watchdog_single_us)
		cfg.sw.watchdog_single_us = sw.watchdog_single_us;
	if (sw.watchdog_cumulative_us)
		cfg.sw.watchdog_cumulative_us = sw.watchdog_cumulative_us;
	if (sw.step_limit)
		cfg.sw.step_limit = sw.step_limit;
	if (sw.workers)
		cfg.sw.workers = sw.workers;
	cfg.sw.kmdf_verifier = sw.kmdf_verifier;
	cfg.sw.debugger_attached = sw.debugger_attached;
	cfg.sw.driver_verifier_irql = sw.driver_verifier_irql;
	cfg.sw.umdf = sw.umdf;
	cfg.sw.stale_handle = sw.stale_handle;
	cfg.seed = rt->opt.has_seed ? rt->opt.seed : rt->lesson.seed;
	cfg.trace = rt->opt.trace;
	rt->variant = 0;
	if (rt->opt.variant) {
		unsigned v;
		for (v = 0; v < rt->lesson.nvariants; v++)
			if (strcmp(rt->lesson.variants[v], rt->opt.variant) == 0)
				break;
		if (v == rt->lesson.nvariants) {
			char buf[160];
			snprintf(buf, sizeof(buf), "%s: no challenge variant named '%s'", path,
				 rt->opt.variant);
			*err = strdup(buf);
			goto fail;
		}
		rt->variant = (int)v;
	}
	lesson_free_strings(&rt->lesson);
	rt->lesson.nvariants = 0;
	if (dt_session_create(&cfg, &rt_host_ops, rt, &rt->session)) {
		*err = strdup("out of memory creating the machine");
		goto fail;
	}
	rt->m = dt_session_machine(rt->session);
	if (dt_machine_state(rt->m)->outcome.kind == DT_LESSON_ERROR) {
		*err = strdup(rt->err[0] ? rt->err : rt_error(rt));
		goto fail;
	}
	*out = rt;
	return 0;
fail:
	rt_close(rt);
	return -1;
}

void rt_close(struct rt *rt)
{
	if (!rt)
		return;
	dt_session_destroy(rt->session);
	sandbox_drop(rt);
	callbacks_clear(rt);
	lesson_free_strings(&rt->lesson);
	sb_code_free(&rt->code);
	free(rt->path);
	free(rt->src);
	free(rt);
}

const struct rt_lesson *rt_lesson(const struct rt *rt)
{
	return &rt->lesson;
}

struct dt_session *rt_session(struct rt *rt)
{
	return rt->session;
}

struct dt_machine *rt_machine(struct rt *rt)
{
	return rt->m;
}

struct lua_State *rt_lua(struct rt *rt)
{
	return rt->L;
}

const struct rt_callback *rt_callback(const struct rt *rt, uint32_t id)
{
	return id < rt->ncallbacks ? &rt->callbacks[id] : NULL;
}

unsigned rt_ncallbacks(const struct rt *rt)
{
	return rt->ncallbacks;
}

const struct rt_step_log *rt_last_step(const struct rt *rt)
{
	return &rt->log;
}

const char *rt_path(const struct rt *rt)
{
	return rt->path;
}

const char *rt_source(const struct rt *rt)
{
	return rt->src;
}

int rt_step(struct rt *rt, const struct dt_choice *c)
{
	log_clear(&rt->log);
	rt->log_step = 0;
	int rc = dt_session_step(rt->session, c);
	/* A branch replays bodies first: only the new step's entries count. */
	if (rt->log_step != dt_machine_state(rt->m)->step)
		log_clear(&rt->log);
	return rc;
}

const char *rt_error(const struct rt *rt)
{
	const struct dt_state *st = dt_machine_state(rt->m);
	if (!st || st->outcome.kind != DT_LESSON_ERROR)
		return "";
	return dt_machine_string(rt->m, st->outcome.message);
}

unsigned rt_free_events(const struct rt *rt, struct dt_free_event *out, unsigned max)
{
	unsigned n = rt->nfree < max ? rt->nfree : max;
	memcpy(out, rt->free_events, n * sizeof(*out));
	return n;
}

int rt_story_ref(const struct rt *rt)
{
	return rt->story_ref;
}

int rt_challenges_ref(const struct rt *rt)
{
	return rt->challenges_ref;
}
