/*
 * bench_lua.c - row 1 of `make bench`: the cost of one Lua-stepped engine
 * step against a bare lua_resume/lua_yield round trip through a C
 * function, both in this process (so a noisy machine moves both alike);
 * and step back and branching on a Lua lesson (row 3).
 *
 * The Lua step: a lesson thread that calls step() in a loop, stepped with
 * dt_machine_step and the trace on; each step resumes its coroutine once
 * under the sandbox's budget (the operation's result in, the next request
 * out).  The same step is also measured with a story predicate evaluated
 * after it, as run_until does, and through the session, which keeps the
 * history the UI steps back over.  Medians of REPS repetitions; the ratio
 * is the figure with a target (at most 2.5).
 */
#define _POSIX_C_SOURCE 200809L
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "script.h"
#include "script_int.h" /* rt->sb, to call a predicate as the story does */

#define STEPS 200000
#define LUA_REPS 9 /* short runs: more repetitions than REPS */


static int yield_op(lua_State *L)
{
	return lua_yield(L, 0);
}

static double bare_round_trip(void)
{
	lua_State *L = luaL_newstate();
	luaL_openlibs(L);
	lua_pushcfunction(L, yield_op);
	lua_setglobal(L, "op");
	if (luaL_dostring(L, "body = function() while true do op() end end"))
		exit(1);
	lua_State *co = lua_newthread(L);
	lua_getglobal(co, "body");
	int nres;
	double t0 = now_s();
	for (int i = 0; i < STEPS; i++) {
		if (i)
			lua_pushinteger(co, i); /* a result, as the engine passes one */
		lua_resume(co, L, i ? 1 : 0, &nres);
		lua_pop(co, nres);
	}
	double t = (now_s() - t0) / STEPS;
	lua_close(L);
	return t;
}

static const char lesson[] =
	"lesson { api = 1, id = \"bench\", title = \"bench\", cpus = 1,\n"
	"         step_limit = 10000000 }\n"
	"local s = shared { n = 0 }\n"
	"function done() return s.n < 0 end -- a predicate, as run_until takes\n"
	"thread { name = \"t\", body = function()\n"
	"  while true do step(\"work\") end\n"
	"end }\n"
	"story { run_to_end() }\n";

enum step_way { STEP_MACHINE, STEP_PREDICATE, STEP_SESSION };

/* The story's check after a step: the predicate in a protected call under
 * a fresh budget (story.c pred_holds). */
static int predicate_holds(struct rt *rt)
{
	lua_State *L = rt_lua(rt);
	char *err = NULL;
	lua_getglobal(L, "done");
	if (sb_pcall(rt->sb, 0, 1, &err)) {
		fprintf(stderr, "bench: the predicate failed: %s\n", err ? err : "?");
		exit(1);
	}
	int ok = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return ok;
}

static double runtime_step(const char *path, enum step_way way, unsigned steps)
{
	struct rt *rt;
	char *err = NULL;
	struct rt_options opt;
	rt_options_default(&opt);
	if (rt_open(path, &opt, &rt, &err)) {
		fprintf(stderr, "bench: %s\n", err ? err : "?");
		exit(1);
	}
	struct dt_choice dispatch = { .kind = DT_CHOICE_THREAD, .cpu = 0, .object = 0 };
	struct dt_choice c = { .kind = DT_CHOICE_CPU, .cpu = 0 };
	rt_step(rt, &dispatch);
	struct dt_machine *m = rt_machine(rt);
	int held = 0;
	double t0 = now_s();
	for (unsigned i = 0; i < steps; i++) {
		switch (way) {
		case STEP_MACHINE:
			dt_machine_step(m, &c);
			break;
		case STEP_PREDICATE:
			dt_machine_step(m, &c);
			held |= predicate_holds(rt);
			break;
		case STEP_SESSION:
			rt_step(rt, &c);
			break;
		}
	}
	double t = (now_s() - t0) / steps;
	if (held || dt_machine_state(m)->outcome.kind != DT_RUNNING) {
		fprintf(stderr, "bench: the Lua step lesson did not run as meant\n");
		exit(1);
	}
	rt_close(rt);
	return t;
}

static const char lesson2[] =
	"lesson { api = 1, id = \"bench2\", title = \"bench\", cpus = 2,\n"
	"         step_limit = 10000000 }\n"
	"local s = shared { n = 0 }\n"
	"thread { name = \"a\", affinity = { 0 }, body = function()\n"
	"  while true do s.n = s.n + 1 end end }\n"
	"thread { name = \"b\", affinity = { 1 }, body = function()\n"
	"  while true do step(\"work\") end end }\n"
	"story { run_to_end() }\n";

/* History on a Lua lesson at step 1,000: viewing a step back, and
 * branching (start over, rerun the file, replay 999 choices). */
static void history_at_1000(const char *path, double *view_ms, double *branch_ms)
{
	struct rt *rt;
	char *err = NULL;
	struct rt_options opt;
	rt_options_default(&opt);
	if (rt_open(path, &opt, &rt, &err))
		exit(1);
	struct dt_session *s = rt_session(rt);
	struct dt_choice da = { .kind = DT_CHOICE_THREAD, .cpu = 0, .object = 0 };
	struct dt_choice db = { .kind = DT_CHOICE_THREAD, .cpu = 1, .object = 1 };
	rt_step(rt, &da);
	rt_step(rt, &db);
	for (int i = 2; i < 1000; i++) {
		struct dt_choice c = { .kind = DT_CHOICE_CPU, .cpu = (uint16_t)(i & 1) };
		rt_step(rt, &c);
	}
	double t0 = now_s();
	dt_session_back(s);
	dt_session_view(s);
	*view_ms = (now_s() - t0) * 1e3;
	const struct dt_choice *rec = dt_session_choice(s, 999);
	struct dt_choice other = { .kind = DT_CHOICE_CPU, .cpu = (uint16_t)(rec->cpu ^ 1) };
	t0 = now_s();
	rt_step(rt, &other);
	*branch_ms = (now_s() - t0) * 1e3;
	rt_close(rt);
}

/* The step's median, and the median of its ratio to the bare round trip
 * measured just before it in the same repetition (paired, so that a
 * slower moment of the machine slows both sides of one ratio). */
static void ratio_rows(const char *what, double *step, const double *bare, int has_target)
{
	double ratio[LUA_REPS];
	char fig[80];
	for (int r = 0; r < LUA_REPS; r++)
		ratio[r] = step[r] / bare[r];
	double q = median(ratio, LUA_REPS);
	snprintf(fig, sizeof(fig), "1. %s", what);
	bench_row(fig, "-", BENCH_INFO, "%.1f ns", median(step, LUA_REPS) * 1e9);
	snprintf(fig, sizeof(fig), "1.   ratio to the bare round trip");
	if (has_target)
		bench_row(fig, "<= 2.5", bench_verdict(q <= 2.5), "%.2f", q);
	else
		bench_row(fig, "-", BENCH_INFO, "%.2f", q);
}

int main(void)
{
	char path[] = "/tmp/dpctutor-bench-XXXXXX.lua";
	int fd = mkstemps(path, 4);
	if (fd < 0 || write(fd, lesson, sizeof(lesson) - 1) < 0)
		return 1;
	close(fd);
	/* The session keeps every step's history: fewer steps, same median. */
	double bare[LUA_REPS], step[LUA_REPS], pred[LUA_REPS], sess[LUA_REPS];
	double b1[LUA_REPS], b2[LUA_REPS], b3[LUA_REPS];
	for (int r = 0; r < LUA_REPS; r++) {
		bare[r] = b1[r] = bare_round_trip();
		step[r] = runtime_step(path, STEP_MACHINE, STEPS);
		b2[r] = bare_round_trip();
		pred[r] = runtime_step(path, STEP_PREDICATE, STEPS);
		b3[r] = bare_round_trip();
		sess[r] = runtime_step(path, STEP_SESSION, STEPS / 10);
	}
	unlink(path);
	char path2[] = "/tmp/dpctutor-bench2-XXXXXX.lua";
	fd = mkstemps(path2, 4);
	if (fd < 0 || write(fd, lesson2, sizeof(lesson2) - 1) < 0)
		return 1;
	close(fd);
	double vms[REPS], bms[REPS];
	for (int r = 0; r < REPS; r++)
		history_at_1000(path2, &vms[r], &bms[r]);
	unlink(path2);
	bench_row("1. bare lua_resume/lua_yield round trip", "-", BENCH_INFO, "%.1f ns",
		  median(bare, LUA_REPS) * 1e9);
	ratio_rows("Lua-stepped step, trace on, no predicates", step, b1, 1);
	ratio_rows("... with a story predicate after each step", pred, b2, 0);
	ratio_rows("... through the session (history kept)", sess, b3, 0);
	double v = median(vms, REPS), br = median(bms, REPS);
	bench_row("3. Lua lesson: step back at step 1,000", "<= 16 ms", bench_verdict(v <= 16),
		  "%.3f ms", v);
	bench_row("3. Lua lesson: branch at step 1,000", "<= 100 ms", bench_verdict(br <= 100),
		  "%.3f ms", br);
	return 0;
}
