/*
 * test_script_story.c - the Lua lesson runtime seen from the lesson's
 * author: the story runner (tutor/story.c), --check (tutor/checker.c),
 * challenges, the sandbox rules a lesson meets (frozen globals, budget,
 * errors, determinism), strict declaration keys and the --new skeleton.
 *
 * Each test writes a small lesson to a temp file and runs it with
 * story_run (every line collected), check_lesson (its output captured in
 * memory) or rt_step, then asserts the engine's state and the exact lines
 * a lesson author reads.  The reference is docs/authoring.md and
 * product.md ("The lesson runtime"); test_script.c covers the call API.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checker.h"
#include "lessons.h"
#include "script_fx.h"
#include "testutil.h"

#define HDR(cpus) "lesson { api = 1, id = \"t\", title = \"T\", cpus = " #cpus " }\n"

/* The scenario of lessons/03-queued-once.lua, for stories and challenges. */
#define QUEUED_ONCE                                                              \
	HDR(2)                                                                   \
	"local nic = device { name = \"NIC\", irql = 5, affinity = { 0, 1 } }\n" \
	"local s = shared { pending = 0, handled = 0 }\n"                        \
	"local status, irq = WdfInterruptCreate(nic, {\n"                        \
	"  EvtInterruptIsr = function(interrupt, message_id)\n"                  \
	"    s.pending = s.pending + 1\n"                                        \
	"    WdfInterruptQueueDpcForIsr(interrupt)\n"                            \
	"    return true\n"                                                      \
	"  end,\n"                                                               \
	"  EvtInterruptDpc = function(interrupt, device)\n"                      \
	"    WdfInterruptAcquireLock(interrupt)\n"                               \
	"    local n = s.pending\n"                                              \
	"    s.pending = 0\n"                                                    \
	"    WdfInterruptReleaseLock(interrupt)\n"                               \
	"    s.handled = s.handled + n\n"                                        \
	"  end,\n"                                                               \
	"})\n"

/* The story of 03-queued-once, with the second prediction's answer given. */
#define QUEUED_STORY(answer)                                                       \
	"story {\n"                                                                \
	"  fire(nic, { cpu = 0 }),\n"                                              \
	"  run_until(returned \"WdfInterruptQueueDpcForIsr\"),\n"                  \
	"  fire(nic, { cpu = 0 }),\n"                                              \
	"  ask { \"What does it return this time?\",\n"                            \
	"        about = returned(\"WdfInterruptQueueDpcForIsr\"),\n"              \
	"        choices = { \"TRUE\", \"FALSE\" }, answer = \"" answer "\",\n"    \
	"        why = \"Still queued (R11).\" },\n"                               \
	"  run_to_end(),\n"                                                        \
	"  expect(function() return s.handled == 2 end, \"both events handled\"),\n" \
	"}\n"

/* Line number (0-based) of the first collected line containing needle, or -1. */
static int line_index(const char *lines, const char *needle)
{
	const char *at = strstr(lines, needle);
	if (!at)
		return -1;
	int n = 0;
	for (const char *p = lines; p < at; p++)
		n += *p == '\n';
	return n;
}

/* ---- predictions -------------------------------------------------------------- */

/* An ask whose answer is not the engine's fails --check with MISMATCH. */
START_TEST(test_prediction_mismatch)
{
	char *out = NULL;
	ck_assert_int_eq(sfx_check(QUEUED_ONCE QUEUED_STORY("TRUE"), 1, &out), 1);
	ck_assert_msg(strstr(out, "  MISMATCH: the lesson says TRUE but the engine did FALSE\n"),
		      "%s", out);
	ck_assert_msg(strstr(out, ": prediction answered wrongly by the lesson: engine did FALSE\n"),
		      "%s", out);
	ck_assert_msg(strstr(out, "\nFAIL /tmp/dt_script_"), "%s", out);
	free(out);
	ck_assert_int_eq(sfx_check(QUEUED_ONCE QUEUED_STORY("FALSE"), 0, &out), 0);
	ck_assert_msg(strstr(out, " (20 steps, 1/1 predictions, 1/1 expectations)\n"), "%s", out);
	ck_assert_msg(strncmp(out, "PASS /tmp/dt_script_", 20) == 0, "%s", out);
	free(out);
}
END_TEST

/* With choices but no answer, an engine result outside the choices fails. */
START_TEST(test_prediction_not_a_choice)
{
	static const char src[] = QUEUED_ONCE
		"story {\n"
		"  fire(nic, { cpu = 0 }),\n"
		"  ask { \"Returns?\", about = returned(\"WdfInterruptQueueDpcForIsr\"),\n"
		"        choices = { \"FALSE\", \"maybe\" } },\n"
		"}\n";
	char *out = NULL;
	ck_assert_int_eq(sfx_check(src, 1, &out), 1);
	ck_assert_msg(strstr(out, "MISMATCH: the engine did TRUE, which is not one of the choices"),
		      "%s", out);
	free(out);
}
END_TEST

static const char where_src[] = QUEUED_ONCE
	"story {\n"
	"  \"Narration.\",\n"
	"  fire(nic, { cpu = 1 }),\n"
	"  mark(\"pending on CPU 1\"),\n"
	"  ask { \"Who queues?\", about = returned(\"WdfInterruptQueueDpcForIsr\", { cpu = 1 }),\n"
	"        answer = \"TRUE\", why = \"Not queued yet.\" },\n"
	"  ask { \"Where?\", about = runs_on(\"EvtInterruptDpc\"), choices = { \"CPU 0\", \"CPU 1\" },\n"
	"        answer = \"CPU 1\" },\n"
	"  run_to_end(),\n"
	"  expect(function() return s.handled == 1 end, \"handled once\"),\n"
	"}\n";

/* returned(..., {cpu = K}) and runs_on() are answered by the step where
 * they happen; every kind of story line comes out in order. */
START_TEST(test_prediction_lines)
{
	struct sfx f;
	struct story_result res;
	char *out;
	sfx_open(&f, where_src);
	ck_assert_int_eq(sfx_story(&f, 0, &res, &out), 0);
	static const char want[] =
		"1 Narration.\n"
		"6 -- pending on CPU 1\n"
		"3 ? Who queues?\n"
		"4 answer: TRUE - Not queued yet.\n"
		"3 ? Where?  [1] CPU 0 [2] CPU 1\n"
		"4 answer: CPU 1\n"
		"5 ok: handled once\n";
	ck_assert_str_eq(out, want);
	ck_assert_uint_eq(res.asks, 2);
	ck_assert_uint_eq(res.asks_ok, 2);
	ck_assert_uint_eq(res.expects_ok, 1);
	ck_assert_int_eq(res.finished, 1);
	ck_assert_str_eq(res.failure, "");
	ck_assert_uint_eq(res.steps, dt_machine_state(f.m)->step);
	ck_assert_uint_eq(dt_machine_state(f.m)->outcome.kind, DT_QUIESCENT);
	ck_assert_int_eq(sfx_int(&f, "handled"), 1);
	free(out);
	sfx_close(&f);
}
END_TEST

static const char stop_src[] = QUEUED_ONCE
	"story {\n"
	"  fire(nic, { cpu = 0 }),\n"
	"  ask { \"handled at the next stop?\", about = value(\"handled\"), answer = \"0\" },\n"
	"  run_until(runs_on(\"EvtInterruptDpc\")),\n"
	"  ask { \"handled at the end?\", about = value(\"handled\"), answer = \"1\" },\n"
	"  ask { \"how does it end?\", about = outcome(), answer = \"quiescent\" },\n"
	"  ask { \"unknown?\", about = value(\"nothing\"), answer = \"?\" },\n"
	"  run_to_end(),\n"
	"  ask { \"still?\", about = value(\"pending\"), answer = \"0\" },\n"
	"}\n";

/* value() and outcome() asks are answered at the story's next stop (a
 * run_until that holds, run_to_end, the end of the story), not where
 * they are asked. */
START_TEST(test_value_outcome_next_stop)
{
	struct sfx f;
	struct story_result res;
	char *out;
	sfx_open(&f, stop_src);
	ck_assert_int_eq(sfx_story(&f, 1, &res, &out), 0);
	ck_assert_uint_eq(res.asks, 5);
	ck_assert_uint_eq(res.asks_ok, 5);
	int q1 = line_index(out, "? handled at the next stop?");
	int deq = line_index(out, "dequeues the NIC DPC");
	int a1 = line_index(out, "4 answer: 0\n");
	ck_assert_int_ge(q1, 0);
	ck_assert_int_lt(q1, deq);
	ck_assert_int_lt(deq, a1);
	int q2 = line_index(out, "? handled at the end?");
	int quiet = line_index(out, "Quiescent after");
	ck_assert_int_lt(a1, q2);
	ck_assert_int_lt(q2, quiet);
	ck_assert_int_eq(line_index(out, "4 answer: 1\n"), quiet + 1);
	ck_assert_int_eq(line_index(out, "4 answer: quiescent\n"), quiet + 2);
	ck_assert_int_eq(line_index(out, "4 answer: ?\n"), quiet + 3);
	ck_assert_int_eq(line_index(out, "3 ? still?"), quiet + 4);
	/* answered at the end of the story: the last line */
	size_t len = strlen(out);
	ck_assert_uint_gt(len, 12);
	ck_assert_str_eq(out + len - 12, "4 answer: 0\n");
	ck_assert_int_eq(line_index(out, "4 answer: 0\n") + 1, line_index(out, "? handled at the end?"));
	free(out);
	sfx_close(&f);
}
END_TEST

/* ---- challenges --------------------------------------------------------------- */

#define MERGE_CHALLENGE(reference, hints)                                          \
	"challenge {\n"                                                            \
	"  kind = \"exists\", name = \"merge\", goal = \"Two events, one ISR.\",\n" \
	"  reach = function() return s.handled == 1 and s.pending == 0 end,\n"     \
	"  reference = \"" reference "\",\n"                                       \
	hints                                                                      \
	"}\n"
#define TWO_HINTS "  hints = { \"Pending twice?\", \"Fire both first.\" },\n"

/* An exists-challenge passes when its reference schedule reaches the goal
 * and fails when it does not; a missing or empty hints list fails. */
START_TEST(test_exists_challenge)
{
	static const struct {
		const char *src;
		int rc;
		const char *want;
	} cases[] = {
		{ QUEUED_ONCE QUEUED_STORY("FALSE")
		  MERGE_CHALLENGE("v1 cpus=2: e(NIC)@0 e(NIC)@0 0*20", TWO_HINTS), 0, "PASS " },
		{ QUEUED_ONCE QUEUED_STORY("FALSE")
		  MERGE_CHALLENGE("v1 cpus=2: e(NIC)@0 0*3", TWO_HINTS), 1,
		  ": challenge 1: its reference schedule does not reach the goal\n" },
		{ QUEUED_ONCE QUEUED_STORY("FALSE")
		  MERGE_CHALLENGE("v1 cpus=2: e(NIC)@0 e(NIC)@0 0*20", ""), 1,
		  ": a challenge has no hints = { ... }\n" },
		{ QUEUED_ONCE QUEUED_STORY("FALSE")
		  MERGE_CHALLENGE("v1 cpus=2: e(NIC)@0 e(NIC)@0 0*20", "  hints = {},\n"), 1,
		  ": a challenge has no hints = { ... }\n" },
		{ QUEUED_ONCE QUEUED_STORY("FALSE")
		  MERGE_CHALLENGE("v1 cpus=2: e(NIC)@0 e(BOGUS)@0", TWO_HINTS), 1,
		  "reference schedule" },
	};
	char *out = NULL;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = sfx_check(cases[i].src, 0, &out);
		ck_assert_msg(rc == cases[i].rc, "case %zu: rc %d: %s", i, rc, out);
		ck_assert_msg(strstr(out, cases[i].want), "case %zu: %s", i, out);
		free(out);
	}
}
END_TEST

/* An exists-challenge that the story itself solves fails --check. */
START_TEST(test_challenge_solved_by_story)
{
	static const char src[] = QUEUED_ONCE
		"story { fire(nic, { cpu = 0 }), run_to_end() }\n"
		MERGE_CHALLENGE("v1 cpus=2: e(NIC)@0 0*20", TWO_HINTS);
	char *out = NULL;
	ck_assert_int_eq(sfx_check(src, 0, &out), 1);
	ck_assert_msg(strstr(out, "already solved along the story's own path"), "%s", out);
	free(out);
}
END_TEST

/* ---- the budget and Lua errors ------------------------------------------------- */

static const char budget_src[] = HDR(1)
	"local nic = device { name = \"NIC\", irql = 5 }\n"
	"local s = shared { x = 0 }\n"
	"local st, irq = WdfInterruptCreate(nic, {\n"
	"  EvtInterruptIsr = function(interrupt, message_id)\n"
	"    s.x = 1\n"
	"    local n = 0\n"
	"    while true do n = n + 1 end -- LOOP\n"
	"  end,\n"
	"})\n"
	"thread { name = \"app\", body = function()\n"
	"  s.x = 2\n"
	"  local n = 0\n"
	"  while true do n = n + 1 end -- TLOOP\n"
	"end }\n";

/* A callback looping without an operation in a DIRQL ISR is bug check
 * 0x133 (P1 = 0) at the loop's line; the host does not hang. */
START_TEST(test_budget_isr)
{
	struct sfx f;
	sfx_open(&f, budget_src);
	const struct dt_state *st = dt_machine_state(f.m);
	ck_assert_int_eq(sfx_fire(&f, "NIC", 0), DT_OK);
	sfx_cpus(&f, 0, 2); /* takes it, s.x = 1: then the loop */
	ck_assert_uint_eq(st->outcome.kind, DT_BUGCHECK);
	ck_assert_uint_eq(st->outcome.code, 0x133);
	ck_assert_uint_eq(st->outcome.p[0], 0);
	ck_assert_uint_eq(st->outcome.reason, DT_BCR_BODY_BUDGET);
	ck_assert_msg(strstr(sfx_string(&f, st->outcome.message), "without reaching a step"),
		      "%s", sfx_string(&f, st->outcome.message));
	const struct dt_trace_event *b = sfx_trace_last(&f, DT_EV_BUGCHECK);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(b->arg[0], 0x133);
	ck_assert_str_eq(sfx_string(&f, st->outcome.pos.file), f.path);
	ck_assert_uint_eq(st->outcome.pos.line, sfx_line_of(budget_src, "-- LOOP"));
	sfx_close(&f);
}
END_TEST

/* The same loop in a thread at PASSIVE is a lesson error at the loop's line. */
START_TEST(test_budget_thread)
{
	struct sfx f;
	sfx_open(&f, budget_src);
	const struct dt_state *st = dt_machine_state(f.m);
	ck_assert_int_eq(sfx_dispatch(&f, "app", 0), DT_OK);
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK); /* s.x = 2: then the loop */
	ck_assert_uint_eq(st->outcome.kind, DT_LESSON_ERROR);
	ck_assert_msg(strstr(rt_error(f.rt), "without reaching a step"), "%s", rt_error(f.rt));
	ck_assert_int_eq(sfx_int(&f, "x"), 2);
	ck_assert_str_eq(sfx_string(&f, st->outcome.pos.file), f.path);
	ck_assert_uint_eq(st->outcome.pos.line, sfx_line_of(budget_src, "-- TLOOP"));
	sfx_close(&f);
}
END_TEST

static const char luaerr_src[] = HDR(1)
	"local nic = device { name = \"NIC\", irql = 5 }\n"
	"local s = shared { x = 0 }\n"
	"local function helper(t)\n"
	"  return t.field.sub -- BOOM\n"
	"end\n"
	"local st, irq = WdfInterruptCreate(nic, {\n"
	"  EvtInterruptIsr = function(interrupt, message_id)\n"
	"    s.x = 1\n"
	"    return helper({})\n"
	"  end,\n"
	"})\n"
	"story { fire(nic), run_to_end() }\n";

/* A Lua error in a callback is a lesson error whose message starts with
 * file:LINE: of the failing line and carries a short traceback. */
START_TEST(test_lua_error_in_callback)
{
	struct sfx f;
	char want[128];
	unsigned line = sfx_line_of(luaerr_src, "-- BOOM");
	sfx_open(&f, luaerr_src);
	snprintf(want, sizeof(want), "%s:%u: attempt to index a nil value", f.path, line);
	ck_assert_int_eq(sfx_fire(&f, "NIC", 0), DT_OK);
	ck_assert_int_eq(sfx_run_to_end(&f), DT_LESSON_ERROR);
	ck_assert_int_eq(sfx_fire(&f, "NIC", 0), DT_EHALTED);
	const char *msg = rt_error(f.rt);
	ck_assert_msg(strncmp(msg, want, strlen(want)) == 0, "%s", msg);
	ck_assert_msg(strstr(msg, "stack traceback:"), "%s", msg);
	ck_assert_uint_eq(dt_machine_state(f.m)->outcome.pos.line, line);
	sfx_close(&f);
	char *out = NULL;
	ck_assert_int_eq(sfx_check(luaerr_src, 0, &out), 1);
	ck_assert_msg(strstr(out, ": lesson error: /tmp/dt_script_"), "%s", out);
	free(out);
}
END_TEST

/* Assigning a global in a callback is a lesson error that says to declare
 * shared state in shared{}; reading an unknown one is an error too. */
START_TEST(test_frozen_globals)
{
	static const char *const bodies[] = {
		"counter = 1 -- HERE", "rawset(_G, \"counter\", 1) -- HERE",
		"local v = nothing_here -- HERE", "string.upper = nil -- HERE",
	};
	static const char *const want[] = {
		"declare shared state in shared{}", "declare shared state in shared{}",
		"unknown global 'nothing_here'", "",
	};
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		char src[512], where[96];
		struct sfx f;
		snprintf(src, sizeof(src),
			 HDR(1) "local s = shared { x = 0 }\n"
				"thread { name = \"app\", body = function()\n"
				"  s.x = 1\n"
				"  %s\n"
				"end }\n",
			 bodies[i]);
		sfx_open(&f, src);
		ck_assert_int_eq(sfx_run_to_end(&f), DT_LESSON_ERROR);
		snprintf(where, sizeof(where), "%s:%u: ", f.path, sfx_line_of(src, "-- HERE"));
		const char *msg = rt_error(f.rt);
		ck_assert_msg(strncmp(msg, where, strlen(where)) == 0, "case %zu: %s", i, msg);
		ck_assert_msg(strstr(msg, want[i]), "case %zu: %s", i, msg);
		ck_assert_int_eq(sfx_int(&f, "x"), 1);
		sfx_close(&f);
	}
}
END_TEST

struct printed {
	char text[256];
	unsigned n;
};

static void collect_print(void *ctx, const char *text)
{
	struct printed *p = ctx;
	size_t at = strlen(p->text);
	snprintf(p->text + at, sizeof(p->text) - at, "[%s]", text);
	p->n++;
}

/* print() goes to rt_options.print; in a callback it takes no step. */
START_TEST(test_print_hook)
{
	static const char src[] = HDR(1)
		"local nic = device { name = \"NIC\", irql = 5 }\n"
		"local st, irq = WdfInterruptCreate(nic, {\n"
		"  EvtInterruptIsr = function(interrupt, message_id)\n"
		"    print(\"isr\", 5, true)\n"
		"    return true\n"
		"  end,\n"
		"})\n";
	struct printed p = { "", 0 };
	struct rt_options opt;
	struct sfx f;
	rt_options_default(&opt);
	opt.print = collect_print;
	opt.print_ctx = &p;
	sfx_open_opt(&f, src, &opt);
	ck_assert_uint_eq(p.n, 0);
	ck_assert_int_eq(sfx_fire(&f, "NIC", 0), DT_OK);
	ck_assert_int_eq(sfx_cpu(&f, 0), DT_OK); /* takes it: runs to its return */
	ck_assert_uint_eq(sfx_top(&f, 0)->state, DT_FS_RETURNED);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_str_eq(p.text, "[isr\t5\ttrue]");
	sfx_close(&f);
}
END_TEST

/* ---- declarations --------------------------------------------------------------- */

/* Every declaration table has strict keys: a typo is a load error at its
 * line with a "did you mean" hint. */
START_TEST(test_strict_keys)
{
	static const struct {
		const char *src, *want;
		unsigned line; /* of the offending table */
	} cases[] = {
		{ "lesson { api = 1, id = \"t\", titel = \"T\" }\n",
		  "unknown key 'titel' in lesson (did you mean 'title'?)", 1 },
		{ HDR(1) "local nic = device { name = \"NIC\", irq = 5 }\n",
		  "unknown key 'irq' in device (did you mean 'irql'?)", 2 },
		{ HDR(1) "local nic = device { name = \"NIC\" }\n"
			 "WdfInterruptCreate(nic, { EvtInterruptIsr = function() end,\n"
			 "  EvtInterruptDcp = function() end })\n",
		  "unknown key 'EvtInterruptDcp' in WDF_INTERRUPT_CONFIG (did you mean "
		  "'EvtInterruptDpc'?)", 3 },
		{ HDR(1) "thread { name = \"a\", bdy = function() end }\n",
		  "unknown key 'bdy' in thread (did you mean 'body'?)", 2 },
		{ HDR(1) "story { ask { \"q\", about = outcome(), anwser = \"x\" } }\n",
		  "unknown key 'anwser' in ask (did you mean 'answer'?)", 2 },
		{ HDR(1) "challenge { kind = \"exists\", goal = \"g\", hint = { \"h\" } }\n",
		  "unknown key 'hint' in challenge (did you mean 'hints'?)", 2 },
		{ "lesson { api = 1, id = \"t\", title = \"T\", switches = { verifer = true } }\n",
		  "unknown key 'verifer' in switches (did you mean 'verifier'?)", 1 },
		{ "lesson { api = 1, id = \"t\", title = \"T\", zzzzzzzz = 1 }\n",
		  "unknown key 'zzzzzzzz' in lesson", 1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[64], where[96];
		char *err = sfx_open_fail(cases[i].src, path);
		ck_assert_msg(strstr(err, cases[i].want), "case %zu: %s", i, err);
		if (!strstr(cases[i].want, "did you mean")) /* nothing close: no hint */
			ck_assert_msg(!strstr(err, "did you mean"), "case %zu: %s", i, err);
		snprintf(where, sizeof(where), "%s:%u:", path, cases[i].line);
		ck_assert_msg(strncmp(err, where, strlen(where)) == 0, "case %zu: %s", i, err);
		free(err);
	}
}
END_TEST

static const char determinism_src[] = HDR(2)
	"local keys = {}\n"
	"for k in pairs({ zeta = 1, alpha = 2, mid = 3, [2] = 0, [1] = 0 }) do\n"
	"  keys[#keys + 1] = tostring(k)\n"
	"end\n"
	"local nic = device { name = \"NIC\", irql = 5 }\n"
	"local s = shared { order = table.concat(keys, \",\"), cb = \"\", n = 0, t = \"\" }\n"
	"local status, irq = WdfInterruptCreate(nic, {\n"
	"  EvtInterruptIsr = function(interrupt, message_id)\n"
	"    local parts = {}\n"
	"    for k, v in pairs({ c = 3, a = 1, b = 2 }) do parts[#parts + 1] = k .. v end\n"
	"    s.cb = table.concat(parts, \";\")\n"
	"    s.n = s.n + 1\n"
	"    WdfInterruptQueueDpcForIsr(interrupt)\n"
	"    return true\n"
	"  end,\n"
	"  EvtInterruptDpc = function(interrupt, device)\n"
	"    s.t = tostring({}) .. \" \" .. tostring(interrupt) .. \" \" .. math.random(1000000)\n"
	"    s.n = s.n + 10\n"
	"  end,\n"
	"})\n"
	"thread { name = \"app\", body = function()\n"
	"  for i = 1, 3 do s.n = s.n + 100 end\n"
	"end }\n"
	"story { fire(nic, { cpu = 1 }), fire(nic, { cpu = 0 }), run_to_end() }\n";

/* Run the determinism lesson's story in f; returns its step count. */
static unsigned run_story_quiet(struct sfx *f)
{
	struct story_result res;
	char *out;
	ck_assert_int_eq(sfx_story(f, 1, &res, &out), 0);
	free(out);
	return res.steps;
}

/* The same lesson opened twice and run the same way gives byte-identical
 * traces and states; pairs() visits keys sorted, in the file and in
 * callbacks; tostring() prints stable ids (engine-contract 7). */
START_TEST(test_determinism)
{
	struct sfx a = { .path = "" }, b;
	char *err = NULL;
	sfx_write(a.path, determinism_src);
	ck_assert_int_eq(rt_open(a.path, NULL, &a.rt, &err), 0);
	ck_assert_int_eq(rt_open(a.path, NULL, &b.rt, &err), 0);
	unlink(a.path);
	b = (struct sfx){ .rt = b.rt };
	snprintf(b.path, sizeof(b.path), "%s", a.path);
	a.m = rt_machine(a.rt);
	b.m = rt_machine(b.rt);
	unsigned na = run_story_quiet(&a), nb = run_story_quiet(&b);
	ck_assert_uint_eq(na, nb);
	ck_assert_uint_gt(na, 10);
	size_t ca = dt_machine_trace_count(a.m), cb = dt_machine_trace_count(b.m);
	ck_assert_uint_eq(ca, cb);
	ck_assert_int_eq(memcmp(dt_machine_trace(a.m), dt_machine_trace(b.m),
				ca * sizeof(struct dt_trace_event)), 0);
	const struct dt_state *sa = dt_machine_state(a.m), *sb = dt_machine_state(b.m);
	ck_assert_uint_eq(sa->outcome.kind, DT_QUIESCENT);
	ck_assert_int_eq(memcmp(sa, sb, dt_state_size(sa->ncpus)), 0);
	ck_assert_str_eq(sfx_str(&a, "order"), "1,2,alpha,mid,zeta");
	ck_assert_str_eq(sfx_str(&a, "cb"), "a1;b2;c3");
	ck_assert_str_eq(sfx_str(&a, "t"), sfx_str(&b, "t"));
	ck_assert_msg(!strstr(sfx_str(&a, "t"), "0x7f"), "%s", sfx_str(&a, "t"));
	ck_assert_int_eq(sfx_int(&a, "n"), sfx_int(&b, "n"));
	sfx_close(&a);
	sfx_close(&b);
}
END_TEST

static const char shared_src[] = HDR(1)
	"local nic = device { name = \"NIC\", irql = 5 }\n"
	"local s = shared { x = 0, flags = { 0, 0, 0 }, name = \"idle\", on = false }\n"
	"local status, irq = WdfInterruptCreate(nic, {\n"
	"  EvtInterruptIsr = function(interrupt, message_id)\n"
	"    s.flags[#s.flags] = 5\n"
	"    s.name = \"busy\"\n"
	"    s.on = true\n"
	"    return true\n"
	"  end,\n"
	"})\n"
	"story {\n"
	"  expect(function() return s.x == 0 and s.flags[3] == 0 and #s.flags == 3 end,\n"
	"         \"free reads\"),\n"
	"  fire(nic),\n"
	"  run_to_end(),\n"
	"  ask { \"flag?\", about = value(\"flags[3]\"), answer = \"5\" },\n"
	"  ask { \"name?\", about = value(\"name\"), answer = \"busy\" },\n"
	"  ask { \"on?\", about = value(\"on\"), answer = \"TRUE\" },\n"
	"}\n";

/* shared{} from the story: reads are free (no step), array elements are
 * named "flags[3]" and #arr is their count, writes are refused. */
START_TEST(test_shared_from_story)
{
	struct sfx f;
	struct story_result res;
	char *out;
	sfx_open(&f, shared_src);
	const struct dt_state *st = dt_machine_state(f.m);
	ck_assert_uint_eq(st->nvars, 6);
	ck_assert_str_eq(sfx_string(&f, st->vars[0].name), "flags[1]");
	ck_assert_str_eq(sfx_string(&f, st->vars[5].name), "x");
	ck_assert_int_eq(sfx_story(&f, 0, &res, &out), 0);
	ck_assert_msg(strncmp(out, "5 ok: free reads\n", 17) == 0, "%s", out);
	ck_assert_uint_eq(res.asks_ok, 3);
	ck_assert_uint_eq(res.expects_ok, 1);
	ck_assert_uint_eq(res.steps, 6); /* the event, the ISR's entry, 3 writes, return */
	ck_assert_str_eq(sfx_str(&f, "name"), "busy");
	free(out);
	sfx_close(&f);
	static const char write_src[] = HDR(1)
		"local s = shared { x = 0 }\n"
		"story { expect(function() s.x = 5 return true end, \"a write from the story\") }\n";
	sfx_open(&f, write_src);
	ck_assert_int_eq(sfx_story(&f, 0, &res, &out), -1);
	ck_assert_msg(strstr(res.failure, ":3: shared values change only inside callbacks"), "%s",
		      res.failure);
	ck_assert_int_eq(sfx_int(&f, "x"), 0);
	free(out);
	sfx_close(&f);
	static const char rawset_src[] = HDR(1) "local s = shared { x = 0 }\nrawset(s, \"x\", 1)\n";
	char path[64];
	char *err = sfx_open_fail(rawset_src, path);
	ck_assert_msg(strstr(err, ":3: bad argument #1 to 'rawset' (table expected"), "%s", err);
	free(err);
}
END_TEST

/* A call of the call API from a story function is refused: no step. */
START_TEST(test_call_from_story)
{
	static const char src[] = HDR(1)
		"local nic = device { name = \"NIC\" }\n"
		"story { expect(function() return KeGetCurrentIrql() == 0 end, \"irql\") }\n";
	struct sfx f;
	struct story_result res;
	char *out;
	sfx_open(&f, src);
	ck_assert_int_eq(sfx_story(&f, 0, &res, &out), -1);
	ck_assert_msg(strstr(res.failure, "expect(\"irql\") failed: "), "%s", res.failure);
	ck_assert_msg(strstr(res.failure, "KeGetCurrentIrql can only be called inside a callback"),
		      "%s", res.failure);
	ck_assert_uint_eq(dt_machine_state(f.m)->step, 0);
	free(out);
	sfx_close(&f);
}
END_TEST

/* steps("...") takes exactly those choices; a choice not possible, a CPU
 * outside the affinity set and a run_until that never holds fail the story. */
START_TEST(test_story_failures)
{
	static const struct {
		const char *story, *want;
	} cases[] = {
		{ "steps(\"e(NIC)@0 0*4\"), expect(function() return s.pending == 1 end, \"p\")",
		  NULL },
		{ "steps(\"1\")", "choice 1 is not possible at step 1" },
		{ "fire(nic, { cpu = 3 })", "fire(): CPU 3 is not in the affinity set" },
		{ "run_until(runs_on(\"EvtInterruptDpc\"))",
		  "run_until's event never happened: the run ended (quiescent) first" },
		{ "fire(nic), expect(function() return s.handled == 5 end, \"five\")",
		  "expectation not met: five" },
		{ "expect(function() while true do end end, \"loops\")",
		  "expect(\"loops\") failed: " },
		{ "expect(function() while true do end end, \"loops\")",
		  "without reaching a step" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char src[2048];
		struct sfx f;
		struct story_result res;
		char *out;
		snprintf(src, sizeof(src), "%sstory { %s }\n", QUEUED_ONCE, cases[i].story);
		sfx_open(&f, src);
		int rc = sfx_story(&f, 0, &res, &out);
		if (!cases[i].want) {
			ck_assert_msg(rc == 0, "case %zu: %s", i, res.failure);
			ck_assert_uint_eq(res.steps, 5);
		} else {
			ck_assert_int_eq(rc, -1);
			ck_assert_msg(strstr(res.failure, cases[i].want), "case %zu: %s", i,
				      res.failure);
			ck_assert_int_eq(res.finished, 0);
		}
		free(out);
		sfx_close(&f);
	}
}
END_TEST

/* The --new skeleton (lessons_new) writes NAME.lua that passes --check. */
START_TEST(test_new_skeleton)
{
	char dir[] = "/tmp/dt_script_new_XXXXXX", cwd[4096], *out = NULL;
	size_t len = 0;
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chdir(dir), 0);
	/* lessons_new reports on stdout/stderr like the CLI: keep the log clean */
	int saved_out = dup(1), saved_err = dup(2), null = open("/dev/null", O_WRONLY);
	fflush(stdout);
	fflush(stderr);
	dup2(null, 1);
	dup2(null, 2);
	int rc = lessons_new("skeleton");
	int again = lessons_new("skeleton");
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	close(null);
	struct check_options co = { .verbose = 0 };
	FILE *mem = open_memstream(&out, &len);
	int check = rc == 0 ? check_lesson("skeleton.lua", &co, mem) : -2;
	fclose(mem);
	unlink("skeleton.lua");
	ck_assert_int_eq(chdir(cwd), 0);
	rmdir(dir);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_ne(again, 0); /* never overwrites */
	ck_assert_msg(check == 0, "%s", out);
	ck_assert_msg(strncmp(out, "PASS skeleton.lua (", 19) == 0, "%s", out);
	free(out);
}
END_TEST

Suite *script_story_suite(void)
{
	Suite *s = suite_create("script_story");
	TCase *pred = tcase_create("predictions");
	tcase_add_test(pred, test_prediction_mismatch);
	tcase_add_test(pred, test_prediction_not_a_choice);
	tcase_add_test(pred, test_prediction_lines);
	tcase_add_test(pred, test_value_outcome_next_stop);
	tcase_add_test(pred, test_story_failures);
	suite_add_tcase(s, pred);
	TCase *ch = tcase_create("challenges");
	tcase_add_test(ch, test_exists_challenge);
	tcase_add_test(ch, test_challenge_solved_by_story);
	tcase_add_test(ch, test_new_skeleton);
	suite_add_tcase(s, ch);
	TCase *sb = tcase_create("sandbox");
	tcase_add_test(sb, test_budget_isr);
	tcase_add_test(sb, test_budget_thread);
	tcase_add_test(sb, test_lua_error_in_callback);
	tcase_add_test(sb, test_frozen_globals);
	tcase_add_test(sb, test_strict_keys);
	tcase_add_test(sb, test_determinism);
	tcase_add_test(sb, test_shared_from_story);
	tcase_add_test(sb, test_call_from_story);
	tcase_add_test(sb, test_print_hook);
	suite_add_tcase(s, sb);
	return s;
}
