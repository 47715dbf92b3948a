/*
 * test_schedule.c - the printable schedule form (engine-contract 2):
 * parsing, canonical printing, run-length append and refusals.
 *
 * The refusal table pins the exact column and a key phrase of the reason
 * for each malformed input: tools point a caret at that column, so a
 * shifted column is a user-visible regression.  The property and
 * robustness tests use a local LCG with a constant seed, so every run
 * checks the same cases and a failure reproduces.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dt_choice.h"
#include "testutil.h"

#define EXAMPLE "v1 lesson=two-dpcs@1a2b3c4d cpus=2 seed=7: 0 0 e(nic)@1 1*3 0 t(worker)@1"
#define EXAMPLE_CANON "v1 lesson=two-dpcs@1a2b3c4d cpus=2 seed=7: 0*2 e(nic)@1 1*3 0 t(worker)@1"

/* A small deterministic generator: Knuth's MMIX LCG, high bits out. */
struct lcg {
	uint64_t s;
};

static uint32_t lcg_next(struct lcg *g)
{
	g->s = g->s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return (uint32_t)(g->s >> 32);
}

static uint32_t lcg_below(struct lcg *g, uint32_t n)
{
	return n ? lcg_next(g) % n : 0;
}

static uint64_t lcg_u64(struct lcg *g)
{
	uint64_t hi = lcg_next(g);

	return (hi << 32) | lcg_next(g);
}

/* Print into a fresh heap buffer of exactly the needed size. */
static char *print_alloc(const struct dt_schedule *s)
{
	size_t n = dt_schedule_print(s, NULL, 0);
	char *buf = malloc(n + 1);

	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(dt_schedule_print(s, buf, n + 1), n);
	ck_assert_uint_eq(strlen(buf), n);
	return buf;
}

/* Same header and same items; columns are where text was, so not compared. */
static void assert_same_schedule(const struct dt_schedule *a,
				 const struct dt_schedule *b)
{
	ck_assert_int_eq(a->cpus, b->cpus);
	ck_assert(a->seed == b->seed);
	ck_assert_str_eq(a->lesson, b->lesson);
	ck_assert_int_eq(a->has_hash, b->has_hash);
	if (a->has_hash)
		ck_assert_uint_eq(a->lesson_hash, b->lesson_hash);
	ck_assert_uint_eq(a->nitems, b->nitems);
	for (size_t i = 0; i < a->nitems; i++) {
		ck_assert_uint_eq(a->items[i].kind, b->items[i].kind);
		ck_assert_uint_eq(a->items[i].cpu, b->items[i].cpu);
		ck_assert_uint_eq(a->items[i].repeat, b->items[i].repeat);
		ck_assert_str_eq(a->items[i].name, b->items[i].name);
	}
	ck_assert_uint_eq(dt_schedule_length(a), dt_schedule_length(b));
}

static struct dt_schedule_item cpu_item(unsigned cpu, uint32_t repeat)
{
	struct dt_schedule_item it;

	memset(&it, 0, sizeof(it));
	it.kind = DT_CHOICE_CPU;
	it.cpu = (uint16_t)cpu;
	it.repeat = repeat;
	return it;
}

static struct dt_schedule_item named_item(int kind, const char *name, unsigned cpu)
{
	struct dt_schedule_item it;

	memset(&it, 0, sizeof(it));
	it.kind = (uint8_t)kind;
	it.cpu = (uint16_t)cpu;
	it.repeat = 1;
	strncpy(it.name, name, sizeof(it.name) - 1);
	return it;
}

/* ------------------------------------------------------------------ */

START_TEST(test_example_items)
{
	struct dt_schedule s;
	struct dt_schedule_error err;
	static const struct {
		int kind;
		unsigned cpu;
		uint32_t repeat;
		const char *name;
		uint32_t column;
	} want[] = {
		{ DT_CHOICE_CPU, 0, 2, "", 44 },
		{ DT_CHOICE_EVENT, 1, 1, "nic", 48 },
		{ DT_CHOICE_CPU, 1, 3, "", 57 },
		{ DT_CHOICE_CPU, 0, 1, "", 61 },
		{ DT_CHOICE_THREAD, 1, 1, "worker", 63 },
	};

	ck_assert_int_eq(dt_schedule_parse(EXAMPLE, &s, &err), 0);
	ck_assert_int_eq(s.version, DT_SCHEDULE_VERSION);
	ck_assert_str_eq(s.lesson, "two-dpcs");
	ck_assert_int_eq(s.has_hash, 1);
	ck_assert_uint_eq(s.lesson_hash, 0x1a2b3c4du);
	ck_assert_int_eq(s.cpus, 2);
	ck_assert(s.seed == 7);
	ck_assert_uint_eq(s.nitems, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < s.nitems; i++) {
		ck_assert_uint_eq(s.items[i].kind, want[i].kind);
		ck_assert_uint_eq(s.items[i].cpu, want[i].cpu);
		ck_assert_uint_eq(s.items[i].repeat, want[i].repeat);
		ck_assert_str_eq(s.items[i].name, want[i].name);
		ck_assert_uint_eq(s.items[i].column, want[i].column);
	}
	ck_assert_uint_eq(dt_schedule_length(&s), 8);
	dt_schedule_free(&s);
}
END_TEST

START_TEST(test_example_round_trip)
{
	struct dt_schedule s, again;
	struct dt_schedule_error err;
	char *text, *text2;

	/* "0 0" is not canonical: the example prints with "0*2". */
	ck_assert_int_eq(dt_schedule_parse(EXAMPLE, &s, &err), 0);
	text = print_alloc(&s);
	ck_assert_str_eq(text, EXAMPLE_CANON);
	/* The canonical text reads back to the same schedule and text. */
	ck_assert_int_eq(dt_schedule_parse(text, &again, &err), 0);
	assert_same_schedule(&s, &again);
	text2 = print_alloc(&again);
	ck_assert_str_eq(text2, EXAMPLE_CANON);
	free(text);
	free(text2);
	dt_schedule_free(&s);
	dt_schedule_free(&again);
}
END_TEST

static const struct {
	const char *in;
	const char *canon;
} canon_cases[] = {
	{ "v1 cpus=2: 0 0", "v1 cpus=2 seed=0: 0*2" },
	{ "v1 cpus=2: 0 0 0 1 1 0", "v1 cpus=2 seed=0: 0*3 1*2 0" },
	{ "v1 cpus=2: 0*2 0 0*3", "v1 cpus=2 seed=0: 0*6" },
	{ "v1 cpus=2: 1*1", "v1 cpus=2 seed=0: 1" },
	{ "v1 seed=7 cpus=2 lesson=L1@ABCDEF01:", "v1 lesson=L1@abcdef01 cpus=2 seed=7:" },
	{ "v1 cpus=2 seed=7 : 1", "v1 cpus=2 seed=7: 1" },
	{ "v1 cpus=2 seed=7 :1", "v1 cpus=2 seed=7: 1" },
	{ "v1 lesson=x cpus=3:", "v1 lesson=x cpus=3 seed=0:" },
	{ "v1 cpus=1:", "v1 cpus=1 seed=0:" },
	{ "  v1\tcpus=02  seed=007:0\t1*1 1 \r\n", "v1 cpus=2 seed=7: 0 1*2" },
	{ "v01 cpus=2: 00*002", "v1 cpus=2 seed=0: 0*2" },
	{ "v1 cpus=2: e(nic)@1 e(nic)@1 t(w)@0 t(w)@0",
	  "v1 cpus=2 seed=0: e(nic)@1 e(nic)@1 t(w)@0 t(w)@0" },
	{ "v1 cpus=64 seed=18446744073709551615: 63*1000000000 63 e(a.b-c_d)@63",
	  "v1 cpus=64 seed=18446744073709551615: 63*1000000000 63 e(a.b-c_d)@63" },
	/* A run holds at most 10^9 steps; the rest starts a new run. */
	{ "v1 cpus=1: 0*600000000 0*600000000", "v1 cpus=1 seed=0: 0*1000000000 0*200000000" },
	{ "v1 cpus=2 seed=1:\n\n  \r\n", "v1 cpus=2 seed=1:" },
};

START_TEST(test_canonical)
{
	struct dt_schedule s;
	struct dt_schedule_error err;
	char *text;

	ck_assert_msg(dt_schedule_parse(canon_cases[_i].in, &s, &err) == 0,
		      "'%s' refused at %u: %s", canon_cases[_i].in, err.column, err.reason);
	text = print_alloc(&s);
	ck_assert_str_eq(text, canon_cases[_i].canon);
	free(text);
	dt_schedule_free(&s);
}
END_TEST

#define LONG_NAME "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" /* 34 bytes */
#define NAME31 "abcdefghijklmnopqrstuvwxyz01234"       /* 31 bytes */

static const struct {
	const char *in;
	uint32_t column;
	const char *phrase;
} bad_cases[] = {
	{ "", 1, "the schedule is empty" },
	{ "  \t ", 1, "the schedule is empty" },
	{ "v2 cpus=2:", 1, "unsupported schedule version 2 (this build reads v1)" },
	{ "v0 cpus=2:", 1, "unsupported schedule version 0" },
	{ "v99999999999999999999999 cpus=2:", 1, "unsupported schedule version" },
	{ "x1 cpus=2:", 1, "a schedule starts with v1" },
	{ "v1cpus=2:", 1, "a schedule starts with v1, not 'v1cpus=2'" },
	{ ": 0", 1, "a schedule starts with v1" },
	{ "v1 seed=7:", 10, "the header has no cpus=N field" },
	{ "v1:", 3, "the header has no cpus=N field" },
	{ "v1 cpus=0:", 9, "cpus must be from 1 to 64, not 0" },
	{ "v1 cpus=65:", 9, "cpus must be from 1 to 64, not 65" },
	{ "v1 cpus=99999999999999999999:", 9, "cpus must be from 1 to 64" },
	{ "v1 cpus=x:", 9, "cpus= needs a decimal number" },
	{ "v1 cpus=+2:", 9, "cpus= needs a decimal number" },
	{ "v1 cpus=:", 9, "cpus= needs a decimal number" },
	{ "v1 cpus=2 cpus=2:", 11, "the header field 'cpus' appears twice" },
	{ "v1 seed=1 cpus=2 seed=1:", 18, "the header field 'seed' appears twice" },
	{ "v1 cpus=2 speed=3:", 11, "unknown header field 'speed'" },
	{ "v1 cpus=2 seed:", 11, "the header field 'seed' needs a value" },
	{ "v1 lesson=a@1234567 cpus=2:", 13, "exactly 8 hex digits, not 7" },
	{ "v1 lesson=a@123456789 cpus=2:", 13, "exactly 8 hex digits, not 9" },
	{ "v1 lesson=a@ cpus=2:", 13, "exactly 8 hex digits, not 0" },
	{ "v1 lesson=a@1234567g cpus=2:", 20, "'g' is not one" },
	{ "v1 cpus=2 lesson=:", 18, "lesson= needs an id" },
	{ "v1 cpus=2 lesson=@12345678:", 18, "lesson= needs an id" },
	{ "v1 cpus=2 lesson=a!b:", 19, "a lesson id uses letters" },
	{ "v1 lesson=" LONG_NAME " cpus=2:", 11, "is longer than 31 bytes" },
	{ "v1 cpus=2 seed=18446744073709551616:", 16, "does not fit in 64 bits" },
	{ "v1 cpus=2 seed=1x:", 17, "unexpected 'x' in the number of seed=" },
	{ "v1 cpus=2 seed=-1:", 16, "seed= needs a decimal number" },
	{ "v1 cpus=2", 10, "missing ':' after the header" },
	{ "v1 cpus=2 0 1", 11, "missing ':' after the header" },
	{ "v1 cpus=2: 0 3", 14, "CPU 3 is out of range: this schedule has cpus=2" },
	{ "v1 cpus=2: 18446744073709551616", 12, "is out of range: this schedule has cpus=2" },
	{ "v1 cpus=2: e(nic)@2", 19, "CPU 2 is out of range: this schedule has cpus=2" },
	{ "v1 cpus=2: t(w)@7", 17, "CPU 7 is out of range" },
	{ "v1 cpus=2: e(nic)@99999999999999999999", 19, "is out of range" },
	{ "v1 cpus=2: 1*0", 14, "a repeat count must be from 1 to 1000000000, not 0" },
	{ "v1 cpus=2: 1*1000000001", 14, "not 1000000001" },
	{ "v1 cpus=2: 0*99999999999999999999", 14, "a repeat count must be from 1 to 1000000000" },
	{ "v1 cpus=2: 1*", 14, "expected a repeat count after '*'" },
	{ "v1 cpus=2: 1*x", 14, "expected a repeat count after '*'" },
	{ "v1 cpus=2: 1*2*3", 15, "unexpected '*' after the repeat count" },
	{ "v1 cpus=2: 0 0x", 15, "unexpected 'x' in the CPU choice '0x'" },
	{ "v1 cpus=2: *3", 12, "'*3' is not a choice" },
	{ "v1 cpus=2: e()@1", 14, "the event has no name" },
	{ "v1 cpus=2: t()@1", 14, "the thread has no name" },
	{ "v1 cpus=2: e(", 14, "the event has no name" },
	{ "v1 cpus=2: e(nic)", 18, "expected '@K' after 'e(nic)'" },
	{ "v1 cpus=2: e(nic)1", 18, "expected '@K' after 'e(nic)'" },
	{ "v1 cpus=2: e(nic)@", 19, "expected a CPU number after '@'" },
	{ "v1 cpus=2: e(nic)@1x", 20, "unexpected 'x' after the CPU number" },
	{ "v1 cpus=2: e(1nic)@1", 14, "a name starts with a letter or '_'" },
	{ "v1 cpus=2: e(ni c)@1", 16, "missing ')' after the event name" },
	{ "v1 cpus=2: e(n#c)@1", 15, "unexpected '#' in a name" },
	{ "v1 cpus=2: t(" LONG_NAME ")@0", 14, "the name 'aaaaaaaaaaaaaaaaaaaaa...' is longer than 31 bytes" },
	{ "v1 cpus=2: t(" NAME31 "b)@0", 14, "is longer than 31 bytes" },
	{ "v1 cpus=2: x(a)@0", 12, "'x(a)@0' is not a choice" },
	{ "v1 cpus=2: E(a)@0", 12, "is not a choice" },
	{ "v1 cpus=2: -1", 12, "'-1' has a sign" },
	{ "v1 cpus=2: +0", 12, "'+0' has a sign" },
	{ "v1 cpus=2: 0 zz", 14, "'zz' is not a choice" },
	{ "v1 cpus=2 seed=7: 0 :", 21, "':' is not a choice" },
	{ "v1 cpus=2: \x01", 12, "'?' is not a choice" },
	{ "v1 cpus=2:\n0", 12, "a schedule is one line" },
	{ "v1 cpus=2: 0\r\n1\n", 15, "a schedule is one line" },
};

START_TEST(test_refusals)
{
	struct dt_schedule s;
	struct dt_schedule_error err;
	const char *in = bad_cases[_i].in;

	memset(&s, 0x5a, sizeof(s)); /* parse must not trust what out held */
	ck_assert_msg(dt_schedule_parse(in, &s, &err) == -1, "'%s' was accepted", in);
	ck_assert_msg(err.column == bad_cases[_i].column,
		      "'%s': column %u, want %u (%s)", in, err.column,
		      bad_cases[_i].column, err.reason);
	ck_assert_msg(strstr(err.reason, bad_cases[_i].phrase) != NULL,
		      "'%s': reason '%s' lacks '%s'", in, err.reason, bad_cases[_i].phrase);
	ck_assert_ptr_null(strchr(err.reason, '\n'));
	ck_assert_ptr_null(s.items);
	ck_assert_uint_eq(s.nitems, 0);
	dt_schedule_free(&s);
}
END_TEST

START_TEST(test_names_at_the_limit)
{
	struct dt_schedule s;
	struct dt_schedule_error err;
	const char *in = "v1 lesson=" NAME31 " cpus=2: t(" NAME31 ")@0 e(_)@1";
	char *text;

	ck_assert_int_eq(dt_schedule_parse(in, &s, &err), 0);
	ck_assert_str_eq(s.lesson, NAME31);
	ck_assert_int_eq(s.has_hash, 0);
	ck_assert_str_eq(s.items[0].name, NAME31);
	ck_assert_str_eq(s.items[1].name, "_");
	text = print_alloc(&s);
	ck_assert_str_eq(text, "v1 lesson=" NAME31 " cpus=2 seed=0: t(" NAME31 ")@0 e(_)@1");
	free(text);
	dt_schedule_free(&s);
}
END_TEST

START_TEST(test_append_merges)
{
	struct dt_schedule s;
	struct dt_schedule_item it;

	dt_schedule_init(&s);
	s.cpus = 3;
	it = cpu_item(0, 1);
	ck_assert_int_eq(dt_schedule_append(&s, &it), 0);
	ck_assert_int_eq(dt_schedule_append(&s, &it), 0);
	it = cpu_item(0, 5);
	ck_assert_int_eq(dt_schedule_append(&s, &it), 0);
	ck_assert_uint_eq(s.nitems, 1);
	ck_assert_uint_eq(s.items[0].repeat, 7);
	it = cpu_item(2, 1);
	ck_assert_int_eq(dt_schedule_append(&s, &it), 0);
	it = named_item(DT_CHOICE_EVENT, "nic", 2);
	ck_assert_int_eq(dt_schedule_append(&s, &it), 0);
	ck_assert_int_eq(dt_schedule_append(&s, &it), 0);
	it = cpu_item(2, 4);
	ck_assert_int_eq(dt_schedule_append(&s, &it), 0);
	/* 0*7 2 e(nic)@2 e(nic)@2 2*4: an event breaks a run. */
	ck_assert_uint_eq(s.nitems, 5);
	ck_assert_uint_eq(s.items[1].repeat, 1);
	ck_assert_uint_eq(s.items[4].repeat, 4);
	ck_assert_uint_eq(dt_schedule_length(&s), 14);
	dt_schedule_free(&s);
	ck_assert_ptr_null(s.items);
	ck_assert_uint_eq(s.nitems, 0);
	ck_assert_uint_eq(dt_schedule_length(&s), 0);
	dt_schedule_free(&s); /* freeing twice is harmless */
}
END_TEST

START_TEST(test_append_splits_long_runs)
{
	struct dt_schedule s, back;
	struct dt_schedule_error err;
	struct dt_schedule_item it = cpu_item(1, UINT32_MAX);
	char *text;

	dt_schedule_init(&s);
	s.cpus = 2;
	ck_assert_int_eq(dt_schedule_append(&s, &it), 0);
	ck_assert_uint_eq(s.nitems, 5);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(s.items[i].repeat, 1000000000u);
	ck_assert_uint_eq(s.items[4].repeat, UINT32_MAX - 4000000000u);
	ck_assert(dt_schedule_length(&s) == (size_t)UINT32_MAX);
	text = print_alloc(&s);
	ck_assert_int_eq(dt_schedule_parse(text, &back, &err), 0);
	assert_same_schedule(&s, &back);
	free(text);
	dt_schedule_free(&s);
	dt_schedule_free(&back);
}
END_TEST

START_TEST(test_append_refuses)
{
	struct dt_schedule s;
	struct dt_schedule_item it;

	dt_schedule_init(&s);
	s.cpus = 2;
	it = cpu_item(0, 0);
	ck_assert_int_eq(dt_schedule_append(&s, &it), DT_EINVAL);
	it = cpu_item(2, 1);
	ck_assert_int_eq(dt_schedule_append(&s, &it), DT_EINVAL);
	it = named_item(DT_CHOICE_EVENT, "nic", 1);
	it.repeat = 2;
	ck_assert_int_eq(dt_schedule_append(&s, &it), DT_EINVAL);
	it = named_item(DT_CHOICE_THREAD, "", 1);
	ck_assert_int_eq(dt_schedule_append(&s, &it), DT_EINVAL);
	it = named_item(DT_CHOICE_THREAD, "9lives", 1);
	ck_assert_int_eq(dt_schedule_append(&s, &it), DT_EINVAL);
	it = named_item(DT_CHOICE_THREAD, "a b", 1);
	ck_assert_int_eq(dt_schedule_append(&s, &it), DT_EINVAL);
	it = named_item(DT_CHOICE_THREAD, "ok", 1);
	memset(it.name, 'a', sizeof(it.name)); /* no terminator */
	ck_assert_int_eq(dt_schedule_append(&s, &it), DT_EINVAL);
	it = named_item(7, "x", 1);
	ck_assert_int_eq(dt_schedule_append(&s, &it), DT_EINVAL);
	ck_assert_int_eq(dt_schedule_append(NULL, &it), DT_EINVAL);
	ck_assert_int_eq(dt_schedule_append(&s, NULL), DT_EINVAL);
	ck_assert_uint_eq(s.nitems, 0);
	/* Before cpus is set, any CPU below DT_MAX_CPUS is accepted. */
	s.cpus = 0;
	it = cpu_item(DT_MAX_CPUS - 1, 1);
	ck_assert_int_eq(dt_schedule_append(&s, &it), 0);
	it = cpu_item(DT_MAX_CPUS, 1);
	ck_assert_int_eq(dt_schedule_append(&s, &it), DT_EINVAL);
	/* A CPU step carries no name, whatever the caller left there. */
	it = cpu_item(0, 1);
	strcpy(it.name, "junk");
	ck_assert_int_eq(dt_schedule_append(&s, &it), 0);
	ck_assert_str_eq(s.items[1].name, "");
	dt_schedule_free(&s);
}
END_TEST

START_TEST(test_print_small_buffers)
{
	struct dt_schedule s;
	struct dt_schedule_error err;
	size_t n = strlen(EXAMPLE_CANON);
	char buf[256];

	ck_assert_int_eq(dt_schedule_parse(EXAMPLE, &s, &err), 0);
	/* size 0 touches nothing, NULL buffer included. */
	memset(buf, '#', sizeof(buf));
	ck_assert_uint_eq(dt_schedule_print(&s, buf, 0), n);
	ck_assert_int_eq(buf[0], '#');
	ck_assert_uint_eq(dt_schedule_print(&s, NULL, 0), n);
	ck_assert_uint_eq(dt_schedule_print(&s, NULL, 10), n);
	/* size 1: just the terminator. */
	ck_assert_uint_eq(dt_schedule_print(&s, buf, 1), n);
	ck_assert_int_eq(buf[0], '\0');
	ck_assert_int_eq(buf[1], '#');
	/* exact: all of it. */
	memset(buf, '#', sizeof(buf));
	ck_assert_uint_eq(dt_schedule_print(&s, buf, n + 1), n);
	ck_assert_str_eq(buf, EXAMPLE_CANON);
	ck_assert_int_eq(buf[n + 1], '#');
	/* exact - 1: all but the last byte. */
	memset(buf, '#', sizeof(buf));
	ck_assert_uint_eq(dt_schedule_print(&s, buf, n), n);
	ck_assert_uint_eq(strlen(buf), n - 1);
	ck_assert_int_eq(strncmp(buf, EXAMPLE_CANON, n - 1), 0);
	ck_assert_int_eq(buf[n], '#');
	/* every size: a prefix, terminated, nothing written past size. */
	for (size_t size = 1; size < sizeof(buf) - 1; size++) {
		size_t keep = size - 1 < n ? size - 1 : n;

		memset(buf, '#', sizeof(buf));
		ck_assert_uint_eq(dt_schedule_print(&s, buf, size), n);
		ck_assert_uint_eq(strlen(buf), keep);
		ck_assert_int_eq(strncmp(buf, EXAMPLE_CANON, keep), 0);
		ck_assert_int_eq(buf[size], '#');
	}
	/* no schedule prints as nothing. */
	ck_assert_uint_eq(dt_schedule_print(NULL, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	dt_schedule_free(&s);
}
END_TEST

START_TEST(test_null_args)
{
	struct dt_schedule s;
	struct dt_schedule_error err;

	ck_assert_int_eq(dt_schedule_parse(NULL, &s, &err), -1);
	ck_assert_ptr_null(s.items);
	ck_assert(err.reason[0] != '\0');
	ck_assert_int_eq(dt_schedule_parse("v1 cpus=1:", NULL, &err), -1);
	ck_assert_int_eq(dt_schedule_parse("v1 cpus=1: 0", &s, NULL), 0);
	ck_assert_uint_eq(s.nitems, 1);
	dt_schedule_free(&s);
	ck_assert_int_eq(dt_schedule_parse("v1 cpus=1: 1", &s, NULL), -1);
	ck_assert_uint_eq(dt_schedule_length(NULL), 0);
	dt_schedule_init(NULL);
	dt_schedule_free(NULL);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Properties.                                                         */

static void random_name(struct lcg *g, char *name)
{
	static const char first[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
	static const char rest[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789.-";
	size_t len = lcg_below(g, 4) == 0 ? DT_NAME_MAX - 1 : 1 + lcg_below(g, 8);

	name[0] = first[lcg_below(g, sizeof(first) - 1)];
	for (size_t i = 1; i < len; i++)
		name[i] = rest[lcg_below(g, sizeof(rest) - 1)];
	name[len] = '\0';
}

static void random_lesson(struct lcg *g, struct dt_schedule *s)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789.-";
	size_t len;

	if (lcg_below(g, 3) == 0)
		return;
	len = 1 + lcg_below(g, DT_NAME_MAX - 1);
	for (size_t i = 0; i < len; i++)
		s->lesson[i] = chars[lcg_below(g, sizeof(chars) - 1)];
	s->lesson[len] = '\0';
	if (lcg_below(g, 2)) {
		s->has_hash = 1;
		s->lesson_hash = lcg_next(g);
	}
}

static uint32_t random_repeat(struct lcg *g)
{
	switch (lcg_below(g, 10)) {
	case 0:
		return 1 + lcg_below(g, 1000000000u);
	case 1:
		return 1000000000u - lcg_below(g, 3);
	default:
		return 1 + lcg_below(g, 4);
	}
}

static void random_schedule(struct lcg *g, struct dt_schedule *s, size_t *choices)
{
	size_t n = lcg_below(g, 40);

	dt_schedule_init(s);
	s->cpus = 1 + (int)lcg_below(g, DT_MAX_CPUS);
	s->seed = lcg_below(g, 4) ? lcg_u64(g) : lcg_below(g, 3);
	random_lesson(g, s);
	*choices = 0;
	for (size_t i = 0; i < n; i++) {
		/* A few CPUs only, so runs of the same CPU meet often. */
		unsigned cpu = lcg_below(g, s->cpus < 3 ? (uint32_t)s->cpus : 3);
		unsigned kind = lcg_below(g, 5);
		struct dt_schedule_item it;

		if (lcg_below(g, 8) == 0)
			cpu = lcg_below(g, (uint32_t)s->cpus);
		if (kind == 3 || kind == 4) {
			it = named_item(kind == 3 ? DT_CHOICE_EVENT : DT_CHOICE_THREAD, "", cpu);
			random_name(g, it.name);
		} else {
			it = cpu_item(cpu, random_repeat(g));
		}
		ck_assert_int_eq(dt_schedule_append(s, &it), 0);
		*choices += it.repeat;
	}
}

START_TEST(test_property_round_trip)
{
	struct lcg g = { UINT64_C(0x5eed5c4ed01e) };
	int count = dt_test_count(2000);

	for (int round = 0; round < count; round++) {
		struct dt_schedule built, parsed;
		struct dt_schedule_error err;
		size_t choices;
		char *text, *text2;

		random_schedule(&g, &built, &choices);
		ck_assert_uint_eq(dt_schedule_length(&built), choices);
		text = print_alloc(&built);
		ck_assert_msg(dt_schedule_parse(text, &parsed, &err) == 0,
			      "round %d: '%s' refused at %u: %s", round, text,
			      err.column, err.reason);
		assert_same_schedule(&built, &parsed);
		/* Each parsed item remembers where its text starts. */
		for (size_t i = 0; i < parsed.nitems; i++) {
			uint32_t col = parsed.items[i].column;

			ck_assert(col >= 2 && col <= strlen(text));
			ck_assert_int_eq(text[col - 2], ' ');
		}
		text2 = print_alloc(&parsed);
		ck_assert_str_eq(text, text2);
		free(text);
		free(text2);
		dt_schedule_free(&built);
		dt_schedule_free(&parsed);
	}
}
END_TEST

/*
 * Whatever the bytes, parse answers 0 or -1.  A refusal leaves out empty
 * and names a column inside the text (or just past it) with a short,
 * one-line reason; an acceptance prints canonically and reads back.
 */
static void check_any_input(const char *text)
{
	struct dt_schedule s, again;
	struct dt_schedule_error err;
	int rc = dt_schedule_parse(text, &s, &err);
	char *canon, *canon2;

	ck_assert(rc == 0 || rc == -1);
	if (rc == -1) {
		ck_assert_ptr_null(s.items);
		ck_assert_uint_eq(s.nitems, 0);
		ck_assert_uint_ge(err.column, 1);
		ck_assert_uint_le(err.column, strlen(text) + 1);
		ck_assert(err.reason[0] != '\0');
		ck_assert_uint_lt(strlen(err.reason), sizeof(err.reason));
		ck_assert_ptr_null(strchr(err.reason, '\n'));
		return;
	}
	canon = print_alloc(&s);
	ck_assert_msg(dt_schedule_parse(canon, &again, &err) == 0,
		      "'%s' printed as '%s', refused: %s", text, canon, err.reason);
	assert_same_schedule(&s, &again);
	canon2 = print_alloc(&again);
	ck_assert_str_eq(canon, canon2);
	free(canon);
	free(canon2);
	dt_schedule_free(&s);
	dt_schedule_free(&again);
}

static const char *const seeds_for_fuzz[] = {
	EXAMPLE,
	"v1 lesson=a.b_c-d cpus=64 seed=18446744073709551615: 63*1000000000 e(_x)@63 t(y9)@0 0",
	"v1 cpus=2 seed=7 : 0 1*2 e(a)@1 \r\n",
};

START_TEST(test_robust_truncations)
{
	char buf[256];

	for (size_t k = 0; k < sizeof(seeds_for_fuzz) / sizeof(seeds_for_fuzz[0]); k++) {
		size_t n = strlen(seeds_for_fuzz[k]);

		ck_assert_uint_lt(n, sizeof(buf));
		for (size_t len = 0; len <= n; len++) {
			/* A heap copy of exactly len + 1 bytes: ASan sees overreads. */
			char *copy = malloc(len + 1);

			ck_assert_ptr_nonnull(copy);
			memcpy(copy, seeds_for_fuzz[k], len);
			copy[len] = '\0';
			check_any_input(copy);
			/* And the suffixes: what a header-less tail looks like. */
			check_any_input(seeds_for_fuzz[k] + len);
			free(copy);
		}
	}
}
END_TEST

START_TEST(test_robust_mutations)
{
	static const char interesting[] = "v1 :=@*()et0123456789lesoncpusd\t\r\n-+xAf.";
	struct lcg g = { 0xf122ed };
	int count = dt_test_count(4000);

	for (int round = 0; round < count; round++) {
		const char *src = seeds_for_fuzz[lcg_below(&g, 3)];
		size_t n = strlen(src);
		char *copy = malloc(n + 1);
		int flips = 1 + (int)lcg_below(&g, 4);

		ck_assert_ptr_nonnull(copy);
		memcpy(copy, src, n + 1);
		for (int f = 0; f < flips; f++) {
			size_t at = lcg_below(&g, (uint32_t)n);

			if (lcg_below(&g, 2))
				copy[at] = interesting[lcg_below(&g, sizeof(interesting) - 1)];
			else
				copy[at] = (char)(1 + lcg_below(&g, 255));
		}
		if (lcg_below(&g, 3) == 0)
			copy[lcg_below(&g, (uint32_t)n + 1)] = '\0';
		check_any_input(copy);
		free(copy);
	}
}
END_TEST

START_TEST(test_robust_random_bytes)
{
	static const char *const prefixes[] = { "", "v1 ", "v1 cpus=3:", "v1 cpus=3: e(" };
	struct lcg g = { 42 };
	int count = dt_test_count(3000);

	for (int round = 0; round < count; round++) {
		const char *prefix = prefixes[lcg_below(&g, 4)];
		size_t p = strlen(prefix), n = lcg_below(&g, 48);
		char *text = malloc(p + n + 1);

		ck_assert_ptr_nonnull(text);
		memcpy(text, prefix, p);
		for (size_t i = 0; i < n; i++)
			text[p + i] = (char)(1 + lcg_below(&g, 255));
		text[p + n] = '\0';
		check_any_input(text);
		free(text);
	}
}
END_TEST

/* Long inputs: the items array grows, and runs fold without growing. */
START_TEST(test_long_inputs)
{
	size_t pairs = (size_t)dt_test_count(50000);
	const char *head = "v1 cpus=2:";
	size_t len = strlen(head) + pairs * 4;
	char *text = malloc(len + 1);
	struct dt_schedule s;
	struct dt_schedule_error err;
	size_t at = strlen(head);

	ck_assert_ptr_nonnull(text);
	memcpy(text, head, at);
	for (size_t i = 0; i < pairs; i++) {
		memcpy(text + at, " 0 1", 4);
		at += 4;
	}
	text[at] = '\0';
	ck_assert_int_eq(dt_schedule_parse(text, &s, &err), 0);
	ck_assert_uint_eq(s.nitems, 2 * pairs);
	ck_assert_uint_eq(dt_schedule_length(&s), 2 * pairs);
	ck_assert_uint_eq(dt_schedule_print(&s, NULL, 0), strlen("v1 cpus=2 seed=0:") + pairs * 4);
	dt_schedule_free(&s);

	/* " 0 0 ..." folds into one run. */
	for (size_t i = strlen(head); i + 1 < at; i += 2)
		text[i + 1] = '0';
	ck_assert_int_eq(dt_schedule_parse(text, &s, &err), 0);
	ck_assert_uint_eq(s.nitems, 1);
	ck_assert_uint_eq(s.items[0].repeat, 2 * pairs);
	dt_schedule_free(&s);

	/* A refusal at the very end still frees what was built. */
	text[at - 1] = 'q';
	ck_assert_int_eq(dt_schedule_parse(text, &s, &err), -1);
	ck_assert_uint_eq(err.column, at);
	ck_assert_ptr_null(s.items);
	free(text);
}
END_TEST

Suite *schedule_suite(void)
{
	Suite *s = suite_create("schedule");
	TCase *tc = tcase_create("text");
	TCase *heavy = tcase_create("properties");

	tcase_add_test(tc, test_example_items);
	tcase_add_test(tc, test_example_round_trip);
	tcase_add_loop_test(tc, test_canonical, 0,
			    (int)(sizeof(canon_cases) / sizeof(canon_cases[0])));
	tcase_add_loop_test(tc, test_refusals, 0,
			    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, test_names_at_the_limit);
	tcase_add_test(tc, test_append_merges);
	tcase_add_test(tc, test_append_splits_long_runs);
	tcase_add_test(tc, test_append_refuses);
	tcase_add_test(tc, test_print_small_buffers);
	tcase_add_test(tc, test_null_args);
	suite_add_tcase(s, tc);

	tcase_set_timeout(heavy, 120);
	tcase_add_test(heavy, test_property_round_trip);
	tcase_add_test(heavy, test_robust_truncations);
	tcase_add_test(heavy, test_robust_mutations);
	tcase_add_test(heavy, test_robust_random_bytes);
	tcase_add_test(heavy, test_long_inputs);
	suite_add_tcase(s, heavy);
	return s;
}
