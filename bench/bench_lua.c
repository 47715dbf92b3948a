/*
 * bench_lua.c - the cost of one Lua-stepped engine step, against a bare
 * lua_resume/lua_yield round trip through a C function, in one process.
 *
 * The runtime step: a lesson thread that calls step() in a loop, stepped
 * through the session with the trace on; each step resumes its coroutine
 * once (the operation's result in, the next request out).  The bare round
 * trip: a coroutine looping over a C function that only yields.  Medians
 * of several repetitions; the ratio is the figure (target at most 2.5).
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

#define STEPS 200000


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
	"thread { name = \"t\", body = function()\n"
	"  while true do step(\"work\") end\n"
	"end }\n"
	"story { run_to_end() }\n";

static double runtime_step(const char *path)
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
	/* Measure the machine's step (the session's history is a separate cost). */
	struct dt_machine *m = rt_machine(rt);
	double t0 = now_s();
	for (int i = 0; i < STEPS; i++)
		dt_machine_step(m, &c);
	double t = (now_s() - t0) / STEPS;
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

int main(void)
{
	char path[] = "/tmp/dpctutor-bench-XXXXXX.lua";
	int fd = mkstemps(path, 4);
	if (fd < 0 || write(fd, lesson, sizeof(lesson) - 1) < 0)
		return 1;
	close(fd);
	double bare[REPS], step[REPS];
	for (int r = 0; r < REPS; r++) {
		bare[r] = bare_round_trip();
		step[r] = runtime_step(path);
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
	double b = median(bare, REPS), s = median(step, REPS);
	printf("%-44s %11.1f ns   %-10s\n", "bare lua_resume/lua_yield round trip", b * 1e9, "-");
	printf("%-44s %11.1f ns   %-10s\n", "Lua-stepped engine step (trace on)", s * 1e9, "-");
	printf("%-44s %14.2f   %-10s %s\n", "ratio", s / b, "<= 2.5", s / b <= 2.5 ? "met" : "NOT met");
	printf("%-44s %11.3f ms   %-10s\n", "Lua lesson: step back at step 1,000", median(vms, REPS),
	       "<= 16 ms");
	printf("%-44s %11.3f ms   %-10s\n", "Lua lesson: branch at step 1,000", median(bms, REPS),
	       "<= 100 ms");
	return 0;
}
