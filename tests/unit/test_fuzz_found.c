/*
 * test_fuzz_found.c - what the fuzzers found (tests/fuzz/, docs/fuzzing.md),
 * one test per finding, each named after what went wrong.
 *
 * The input that found it is also kept in the target's corpus as
 * tests/fuzz/corpus/TARGET/regress-NAME, so `make check-fuzz` replays it
 * through the whole target; the test here pins the fixed behaviour down
 * in the engine's or the runtime's own terms, without libFuzzer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "narrate.h"
#include "script_fx.h"
#include "script.h"
#include "story.h"
#include "testutil.h"

/*
 * fuzz_engine, regress-tick-storm: a step that costs more than one clock
 * tick walked the ticks one by one, one CLOCK_TICK event each.  A lesson
 * with tick_us = 1 and step("x", { us = 100000000 }) made 10^8 trace
 * events (8 GB) in one step.  Now a step makes one event that counts the
 * ticks (arg1), and the next tick is still where the clock says.
 */
START_TEST(test_one_long_step_makes_one_tick_event)
{
	static const struct dt_cinsn isr[] = { CP_STEP(100000000), CP_STEP(1), CP_RETI(1) };
	struct fx f;
	fx_init(&f, 1);
	f.cfg.sw.tick_us = 1;
	f.cfg.sw.watchdog_single_us = 0; /* the step alone would be a 0x133 */
	f.cfg.sw.watchdog_cumulative_us = 0;
	fx_dev(&f, "nic", DT_LINE_EDGE, 5, 0, FX_PROG(&f, isr), DT_NO_CALLBACK);
	fx_start(&f);
	fx_fire(&f, 0, 0);
	fx_cpu(&f, 0); /* take the interrupt: busy 1, the first tick */
	ck_assert_uint_eq(fx_count(&f, DT_EV_CLOCK_TICK), 1);
	fx_cpu(&f, 0); /* the long step: busy 100000001 */
	ck_assert_uint_eq(fx_count(&f, DT_EV_CLOCK_TICK), 2);
	const struct dt_trace_event *e = fx_last(&f, DT_EV_CLOCK_TICK);
	ck_assert_int_eq(e->arg[0], 100000001);
	ck_assert_int_eq(e->arg[1], 100000000);
	ck_assert_uint_eq(fx_st(&f)->cpus[0].next_tick_us, 100000002);
	char text[256];
	narrate_event(f.m, e, text, sizeof(text));
	ck_assert_msg(strstr(text, "100000000 clock ticks, the last at 100000001 us"), "%s", text);
	fx_cpu(&f, 0); /* one more us: exactly one more tick */
	ck_assert_uint_eq(fx_count(&f, DT_EV_CLOCK_TICK), 3);
	ck_assert_int_eq(fx_last(&f, DT_EV_CLOCK_TICK)->arg[1], 1);
	narrate_event(f.m, fx_last(&f, DT_EV_CLOCK_TICK), text, sizeof(text));
	ck_assert_msg(strstr(text, "clock tick at 100000002 us"), "%s", text);
	fx_done(&f);
}
END_TEST

/*
 * fuzz_engine, regress-register-out-of-range: a C-program WRITE or WRREG
 * read its source register without reducing it modulo DT_CPROG_REGS (the
 * local instructions did), so src = 7 read past the four registers.  Now
 * every instruction takes register numbers modulo DT_CPROG_REGS: src 7
 * is r3.
 */
START_TEST(test_cprog_write_takes_registers_modulo)
{
	static const struct dt_cinsn isr[] = {
		CP_MOVI(3, 42),
		{ .op = CI_WRITE, .src = 7, .a = 0 },  /* v = r[7 % 4] = r3 */
		{ .op = CI_WRREG, .src = 11, .a = 0, .b = 2 }, /* register 2 = r3 */
		CP_RETI(1),
	};
	struct fx f;
	fx_init(&f, 1);
	unsigned v = fx_var(&f, "v");
	fx_dev(&f, "nic", DT_LINE_EDGE, 5, 0, FX_PROG(&f, isr), DT_NO_CALLBACK);
	fx_start(&f);
	fx_fire(&f, 0, 0);
	fx_run(&f);
	ck_assert_int_eq(fx_val(&f, v), 42);
	ck_assert_uint_eq(fx_st(&f)->devices[0].regs[2], 42);
	fx_done(&f);
}
END_TEST

/*
 * fuzz_lesson, regress-story-number: story{} took a number as a line of
 * text (lua_isstring is true for numbers), and the story runner then read
 * the number as an action table, from C outside any protected call: Lua
 * raised "attempt to index a number value" with nothing to catch it, and
 * the tutor aborted.  The fuzzer's lesson had `# ask { ... }` (a length)
 * as an item.  Now the number is refused when the story is declared.
 */
START_TEST(test_a_number_in_the_story_is_refused)
{
	char path[64];
	char *err = sfx_open_fail("lesson { api = 1, id = \"n\", title = \"t\", goal = \"g\" }\n"
				  "story { \"a line\", # { 1, 2 } }\n",
				  path);
	ck_assert_ptr_nonnull(strstr(err, ":2: story{} item 2 is neither text nor an action"));
	free(err);
}
END_TEST

/*
 * The same class, reached another way: the runner reads the story's
 * actions and the challenges from C, so a lesson table that can raise on
 * a read (a metatable whose __index errors, set after ask{} returned it)
 * or that a callback changes later aborted the tutor the same way.  The
 * runtime now keeps private copies of the story and the challenges, which
 * no lesson code can reach; the lesson still plays as declared.
 */
START_TEST(test_the_story_is_a_private_copy)
{
	static const char src[] =
		"lesson { api = 1, id = \"c\", title = \"t\", goal = \"g\" }\n"
		"local s = shared { n = 0 }\n"
		"local items = { run_to_end(), \"first\", mark(\"here\"),\n"
		"  ask { \"How many?\", about = value(\"n\"), choices = { \"0\", \"1\" }, answer = \"1\" } }\n"
		"setmetatable(items[4], { __index = function() error(\"boom\") end })\n"
		"setmetatable(items, { __index = function() error(\"boom\") end })\n"
		"thread { name = \"w\", body = function()\n"
		"  items[3] = 7; items[4].choices = 5; s.n = 1 end }\n"
		"story(items)\n"
		"local ch = { kind = \"exists\", goal = \"g\", reach = function() return false end,\n"
		"  reference = \"v1 cpus=1: t(w)@0\", hints = { \"h\" } }\n"
		"challenge(ch)\n"
		"setmetatable(ch, { __index = function() error(\"boom\") end })\n";
	struct sfx f;
	struct story_result res;
	char *out = NULL;
	sfx_open(&f, src);
	sfx_story(&f, 0, &res, &out);
	ck_assert_msg(res.finished, "the story stopped: %s", res.failure);
	ck_assert_uint_eq(res.asks, 1);
	ck_assert_uint_eq(res.asks_ok, 1); /* the thread ran before the question */
	ck_assert_ptr_nonnull(strstr(out, "-- here"));
	ck_assert_ptr_nonnull(strstr(out, "[1] 0 [2] 1"));
	struct rt_challenge ch;
	ck_assert_int_eq(rt_challenge_info(f.rt, 0, &ch), 0);
	ck_assert_str_eq(ch.reference, "v1 cpus=1: t(w)@0");
	ck_assert_uint_eq(ch.nhints, 1);
	free(out);
	sfx_close(&f);
}
END_TEST

/*
 * fuzz_ui, regress-affinity-message: lesson 06 with --cpus 1 is refused
 * because its device's affinity names CPU 1, but the message was "invalid
 * option '%u' to 'lua_pushfstring'": Lua's formatter knows %d, not %u.
 */
START_TEST(test_affinity_refusal_names_the_cpus)
{
	struct rt_options opt;
	struct rt *rt;
	char *err = NULL;
	rt_options_default(&opt);
	opt.cpus = 1;
	ck_assert_int_ne(rt_open("lessons/06-two-dpcs.lua", &opt, &rt, &err), 0);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, "device{}: affinity names CPUs 0..0"), "%s", err);
	free(err);
}
END_TEST

Suite *fuzz_found_suite(void)
{
	Suite *s = suite_create("fuzz_found");
	TCase *tc = tcase_create("engine");
	tcase_add_test(tc, test_one_long_step_makes_one_tick_event);
	tcase_add_test(tc, test_cprog_write_takes_registers_modulo);
	suite_add_tcase(s, tc);
	tc = tcase_create("lesson");
	tcase_add_test(tc, test_a_number_in_the_story_is_refused);
	tcase_add_test(tc, test_the_story_is_a_private_copy);
	tcase_add_test(tc, test_affinity_refusal_names_the_cpus);
	suite_add_tcase(s, tc);
	return s;
}
