/*
 * checker.c - `dpctutor --check`: is a lesson sound?
 *
 * For each lesson it verifies: the file loads; the story runs to its end
 * with every expectation true; every prediction's answer is what the
 * engine actually does at that point; every exists-challenge is unsolved
 * along the story's path and solved by its reference schedule; every
 * challenge has hints; every for-all challenge is proven by the explorer:
 * each broken variant has a counterexample, the correct one has none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checker.h"
#include "explorer.h"
#include "script_int.h"
#include "story.h"

struct out {
	FILE *f;
	int verbose;
	const struct check_options *co;
	struct rt *rt;
	int reached;   /* exists-challenges that held at some step (bit i-1) */
	char reach_error[300]; /* the first error a reach() raised, "" none */
};

static void transcript(void *ctx, enum story_line_kind kind, const char *text)
{
	struct out *o = ctx;
	if (!o->verbose)
		return;
	const char *prefix = kind == STORY_EVENT ? "    " : "  ";
	fprintf(o->f, "%s%s\n", prefix, text);
}

/* Call the function at idx with no arguments under the budget: truthy? */
static int call_pred(struct rt *rt, int idx, int *truthy, char **err)
{
	lua_State *L = rt_lua(rt);
	lua_pushvalue(L, idx);
	if (sb_pcall(rt->sb, 0, 1, err))
		return -1;
	*truthy = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return 0;
}

/* Replay a reference schedule on a fresh run: does `reach` ever hold? */
static int reference_reaches(const char *path, const struct rt_options *opt, int index,
			     const char *schedule, char *why, size_t size)
{
	struct rt *rt;
	char *err = NULL;
	if (rt_open(path, opt, &rt, &err)) {
		snprintf(why, size, "reload failed: %s", err ? err : "?");
		free(err);
		return 0;
	}
	struct dt_schedule s;
	struct dt_schedule_error serr;
	int reached = 0;
	if (dt_schedule_parse(schedule, &s, &serr)) {
		snprintf(why, size, "reference schedule: column %u: %s", serr.column, serr.reason);
		rt_close(rt);
		return 0;
	}
	lua_State *L = rt_lua(rt);
	struct dt_machine *m = rt_machine(rt);
	lua_rawgeti(L, LUA_REGISTRYINDEX, rt_challenges_ref(rt));
	lua_rawgeti(L, -1, index);
	lua_getfield(L, -1, "reach");
	int reach = lua_gettop(L);
	for (size_t i = 0; i < s.nitems && !reached && !why[0]; i++) {
		struct dt_choice c;
		if (dt_schedule_item_choice(m, &s.items[i], &c, &serr)) {
			snprintf(why, size, "reference schedule: column %u: %s", serr.column,
				 serr.reason);
			break;
		}
		for (uint32_t k = 0; k < s.items[i].repeat && !reached; k++) {
			if (rt_step(rt, &c) != DT_OK) {
				snprintf(why, size, "reference schedule: column %u: not possible at "
					 "step %u", s.items[i].column, dt_machine_state(m)->step + 1);
				break;
			}
			char *perr = NULL;
			if (call_pred(rt, reach, &reached, &perr)) {
				snprintf(why, size, "reach() failed: %s", perr ? perr : "?");
				free(perr);
				break;
			}
		}
	}
	dt_schedule_free(&s);
	rt_close(rt);
	return reached;
}

static int check_hints(lua_State *L, int ch, char *why, size_t size)
{
	lua_getfield(L, ch, "hints");
	int n = lua_istable(L, -1) ? (int)luaL_len(L, -1) : 0;
	lua_pop(L, 1);
	if (n == 0)
		snprintf(why, size, "a challenge has no hints = { ... }");
	return n > 0;
}

/*
 * A for-all challenge: the explorer must find a counterexample for every
 * variant but the correct one, and none (with no run cut short) for it.
 */
static int prove_forall(struct rt *rt, const char *path, const struct rt_options *opt,
			int index, struct out *o, char *why, size_t size)
{
	lua_State *L = rt_lua(rt);
	const struct rt_lesson *l = rt_lesson(rt);
	lua_rawgeti(L, LUA_REGISTRYINDEX, rt_challenges_ref(rt));
	lua_rawgeti(L, -1, index);
	lua_getfield(L, -1, "correct");
	char correct[DT_NAME_MAX];
	snprintf(correct, sizeof(correct), "%s", lua_tostring(L, -1));
	lua_pop(L, 3);
	for (unsigned v = 0; v < l->nvariants; v++) {
		struct explore_options eo = { .reduce = 1, .challenge = index,
					      .variant = l->variants[v], .seed = opt->seed,
					      .has_seed = opt->has_seed, .cpus = opt->cpus,
					      .max_preemptions = o->co->max_preemptions,
					      .set_preemptions = o->co->set_preemptions };
		struct explore_summary sum;
		int is_correct = strcmp(l->variants[v], correct) == 0;
		explore_lesson(path, &eo, NULL, &sum);
		if (sum.error) {
			snprintf(why, size, "variant '%s' could not be explored: %s", l->variants[v],
				 sum.message);
			return 0;
		}
		if (o->verbose)
			fprintf(o->f, "  variant '%s': %llu runs within %s, %llu violate%s%s%s\n",
				l->variants[v], (unsigned long long)sum.runs, sum.bounds,
				(unsigned long long)sum.violations,
				sum.counterexample[0] ? "; counterexample with the fewest preemptions: " : "",
				sum.counterexample, is_correct ? " (the correct one)" : "");
		if (is_correct && (sum.violations || sum.incomplete)) {
			snprintf(why, size, "the correct variant '%s' %s within %s", correct,
				 sum.violations ? "has a counterexample" : "has runs cut by the step bound",
				 sum.bounds);
			return 0;
		}
		if (!is_correct && !sum.violations) {
			snprintf(why, size, "variant '%s' should be broken but no run within %s "
				 "violates the invariant", l->variants[v], sum.bounds);
			return 0;
		}
	}
	return 1;
}

/* The challenges: declared, hinted, exists-ones unsolved and then solved. */
static int check_challenges(struct rt *rt, const char *path, const struct rt_options *opt,
			    int story_reached, struct out *o, char *why, size_t size)
{
	lua_State *L = rt_lua(rt);
	if (rt_challenges_ref(rt) == LUA_NOREF)
		return 1;
	lua_rawgeti(L, LUA_REGISTRYINDEX, rt_challenges_ref(rt));
	int list = lua_gettop(L), ok = 1;
	lua_Integer n = luaL_len(L, list);
	for (lua_Integer i = 1; i <= n && ok; i++) {
		lua_rawgeti(L, list, i);
		int ch = lua_gettop(L);
		lua_getfield(L, ch, "kind");
		int exists = strcmp(lua_tostring(L, -1), "exists") == 0;
		lua_pop(L, 1);
		ok = check_hints(L, ch, why, size);
		if (ok && exists) {
			if (story_reached & (1 << (i - 1))) {
				snprintf(why, size, "challenge %d is already solved along the story's "
					 "own path (it must need the student's scheduling)", (int)i);
				ok = 0;
			} else {
				lua_getfield(L, ch, "reference");
				char sched[2048];
				snprintf(sched, sizeof(sched), "%s", lua_tostring(L, -1));
				lua_pop(L, 1);
				why[0] = '\0';
				ok = reference_reaches(path, opt, (int)i, sched, why, size);
				if (!ok && !why[0])
					snprintf(why, size, "challenge %d: its reference schedule does "
						 "not reach the goal", (int)i);
			}
		} else if (ok) {
			ok = prove_forall(rt, path, opt, (int)i, o, why, size);
		}
		lua_settop(L, ch - 1);
	}
	lua_settop(L, list - 1);
	return ok;
}

static int reached_now(struct rt *rt, char *error, size_t size);

/* After every story step: did an exists-challenge already hold? */
static void story_stepped(void *ctx)
{
	struct out *o = ctx;
	o->reached |= reached_now(o->rt, o->reach_error, sizeof(o->reach_error));
}

/* Which exists-challenges hold now (bit i-1). */
static int reached_now(struct rt *rt, char *error, size_t size)
{
	lua_State *L = rt_lua(rt);
	int bits = 0;
	if (rt_challenges_ref(rt) == LUA_NOREF)
		return 0;
	lua_rawgeti(L, LUA_REGISTRYINDEX, rt_challenges_ref(rt));
	lua_Integer n = luaL_len(L, -1);
	for (lua_Integer i = 1; i <= n && i <= 30; i++) {
		lua_rawgeti(L, -1, i);
		lua_getfield(L, -1, "reach");
		if (lua_isfunction(L, -1)) {
			int t = 0;
			char *err = NULL;
			if (call_pred(rt, lua_gettop(L), &t, &err) == 0 && t)
				bits |= 1 << (i - 1);
			else if (err && error && !error[0])
				snprintf(error, size, "challenge %d: reach() failed: %s", (int)i, err);
			free(err);
		}
		lua_pop(L, 2);
	}
	lua_pop(L, 1);
	return bits;
}

/* lessons/api.lua is for editors: it starts with ---@meta. */
static int is_definitions(const char *path)
{
	char line[16] = "";
	FILE *in = fopen(path, "r");
	if (!in)
		return 0;
	if (!fgets(line, sizeof(line), in))
		line[0] = '\0';
	fclose(in);
	return strncmp(line, "---@meta", 8) == 0;
}

int check_lesson(const char *path, const struct check_options *co, FILE *f)
{
	struct rt_options opt;
	struct out o = { .f = f, .verbose = co->verbose, .co = co };
	struct rt *rt;
	char *err = NULL, why[600] = "";
	if (is_definitions(path)) {
		fprintf(f, "skip %s: editor definitions (---@meta), not a lesson\n", path);
		return -1;
	}
	rt_options_default(&opt);
	opt.seed = co->seed;
	opt.has_seed = co->has_seed;
	opt.cpus = co->cpus;
	opt.variant = co->variant;
	if (co->verbose)
		fprintf(f, "%s\n", path);
	if (rt_open(path, &opt, &rt, &err)) {
		fprintf(f, "FAIL %s: %s\n", path, err ? err : "cannot load");
		free(err);
		return 1;
	}
	struct story_io io = { &o, transcript, co->verbose, story_stepped };
	struct story_result res;
	o.rt = rt;
	int ok = story_run(rt, &io, &res) == 0;
	if (!ok)
		snprintf(why, sizeof(why), "%s", res.failure);
	int reached = o.reached | reached_now(rt, o.reach_error, sizeof(o.reach_error));
	if (ok && o.reach_error[0]) {
		snprintf(why, sizeof(why), "%s", o.reach_error);
		ok = 0;
	}
	if (ok)
		ok = check_challenges(rt, path, &opt, reached, &o, why, sizeof(why));
	if (ok)
		fprintf(f, "PASS %s (%u steps, %u/%u predictions, %u/%u expectations)\n", path,
			res.steps, res.asks_ok, res.asks, res.expects_ok, res.expects);
	else
		fprintf(f, "FAIL %s: %s\n", path, why);
	rt_close(rt);
	return ok ? 0 : 1;
}
