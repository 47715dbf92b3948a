/*
 * test_rng.c - the generator's known answers, its streams and its draws.
 *
 * Every literal below was printed by an independent Python transcription
 * of the published SplitMix64 and xoshiro256** 1.0 definitions (not by
 * this C code).  Never edit a literal to make a test pass: a changed
 * number means every recorded seed now replays a different run.
 */
#include <stdint.h>

#include "dt_rng.h"
#include "testutil.h"

#define MAX64 UINT64_C(0xFFFFFFFFFFFFFFFF)

struct rng_vector {
	uint64_t seed;
	uint64_t splitmix[4]; /* splitmix64 outputs from state = seed */
	uint64_t next[5];     /* dt_rng_next() after dt_rng_seed(seed) */
	uint64_t stream[3];   /* first output of each dt_rng_seed_stream() */
};

static const struct rng_vector vectors[] = {
	{
		.seed = 0,
		.splitmix = { UINT64_C(0xE220A8397B1DCDAF),
			      UINT64_C(0x6E789E6AA1B965F4),
			      UINT64_C(0x06C45D188009454F),
			      UINT64_C(0xF88BB8A8724C81EC) },
		.next = { UINT64_C(0x99EC5F36CB75F2B4),
			  UINT64_C(0xBF6E1F784956452A),
			  UINT64_C(0x1A5F849D4933E6E0),
			  UINT64_C(0x6AA594F1262D2D2C),
			  UINT64_C(0xBBA5AD4A1F842E59) },
		.stream = { UINT64_C(0x3A4BB92775CC364D),
			    UINT64_C(0xAA2B23C3B2AD4D69),
			    UINT64_C(0x726C9B70855F1FFA) },
	},
	{
		.seed = 1,
		.splitmix = { UINT64_C(0x910A2DEC89025CC1),
			      UINT64_C(0xBEEB8DA1658EEC67),
			      UINT64_C(0xF893A2EEFB32555E),
			      UINT64_C(0x71C18690EE42C90B) },
		.next = { UINT64_C(0xB3F2AF6D0FC710C5),
			  UINT64_C(0x853B559647364CEA),
			  UINT64_C(0x92F89756082A4514),
			  UINT64_C(0x642E1C7BC266A3A7),
			  UINT64_C(0xB27A48E29A233673) },
		.stream = { UINT64_C(0xBAA24E21D05C2935),
			    UINT64_C(0x03A4A0E00F93A567),
			    UINT64_C(0x906E5AD2DD712642) },
	},
	{
		.seed = MAX64,
		.splitmix = { UINT64_C(0xE4D971771B652C20),
			      UINT64_C(0xE99FF867DBF682C9),
			      UINT64_C(0x382FF84CB27281E9),
			      UINT64_C(0x6D1DB36CCBA982D2) },
		.next = { UINT64_C(0x8F5520D52A7EAD08),
			  UINT64_C(0xC476A018CAA1802D),
			  UINT64_C(0x81DE31C0D260469E),
			  UINT64_C(0xBF658D7E065F3C2F),
			  UINT64_C(0x913593FDA1BCA32A) },
		.stream = { UINT64_C(0x1BF8D11D66EA4C3D),
			    UINT64_C(0x63BDBB315559A0FC),
			    UINT64_C(0x159A0C5DD7DAC51E) },
	},
};

static const enum dt_rng_stream streams[3] = {
	DT_STREAM_SCHEDULER, DT_STREAM_EVENTS, DT_STREAM_LESSON,
};

/* Known answers: the first 3 splitmix64 outputs, the seeded state, 5 draws. */
static void check_vector(const struct rng_vector *v)
{
	struct dt_rng r;
	uint64_t sm = v->seed;

	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(dt_splitmix64(&sm), v->splitmix[i]);
	dt_rng_seed(&r, v->seed);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(r.s[i], v->splitmix[i]);
	for (int i = 0; i < 5; i++)
		ck_assert_uint_eq(dt_rng_next(&r), v->next[i]);
}

START_TEST(test_rng_vectors_seed_0)
{
	check_vector(&vectors[0]);
}
END_TEST

START_TEST(test_rng_vectors_seed_1)
{
	check_vector(&vectors[1]);
}
END_TEST

START_TEST(test_rng_vectors_seed_max)
{
	check_vector(&vectors[2]);
}
END_TEST

/* The value every SplitMix64 write-up quotes for state 0. */
START_TEST(test_rng_splitmix_published)
{
	uint64_t sm = 0;

	ck_assert_uint_eq(dt_splitmix64(&sm), UINT64_C(0xE220A8397B1DCDAF));
	ck_assert_uint_eq(sm, UINT64_C(0x9E3779B97F4A7C15));
}
END_TEST

/* The stream derivation is part of the contract: pin it. */
START_TEST(test_rng_stream_vectors)
{
	for (int v = 0; v < 3; v++) {
		for (int k = 0; k < 3; k++) {
			struct dt_rng r;

			dt_rng_seed_stream(&r, vectors[v].seed, streams[k]);
			ck_assert_uint_eq(dt_rng_next(&r), vectors[v].stream[k]);
		}
	}
}
END_TEST

/* First draws of the plain seed and the three streams differ pairwise. */
START_TEST(test_rng_streams_distinct)
{
	for (int v = 0; v < 3; v++) {
		struct dt_rng r;
		uint64_t first[4];

		dt_rng_seed(&r, vectors[v].seed);
		first[3] = dt_rng_next(&r);
		for (int k = 0; k < 3; k++) {
			dt_rng_seed_stream(&r, vectors[v].seed, streams[k]);
			first[k] = dt_rng_next(&r);
		}
		for (int i = 0; i < 4; i++)
			for (int j = i + 1; j < 4; j++)
				ck_assert_uint_ne(first[i], first[j]);
	}
}
END_TEST

/* The header's promise: for any seed, the four states' s[0] words differ. */
START_TEST(test_rng_streams_distinct_many_seeds)
{
	struct dt_rng seeds;
	int n = dt_test_count(20000);

	dt_rng_seed(&seeds, 42);
	for (int t = 0; t < n; t++) {
		uint64_t seed = dt_rng_next(&seeds);
		struct dt_rng r[4];

		dt_rng_seed(&r[3], seed);
		for (int k = 0; k < 3; k++)
			dt_rng_seed_stream(&r[k], seed, streams[k]);
		for (int i = 0; i < 4; i++)
			for (int j = i + 1; j < 4; j++)
				ck_assert_uint_ne(r[i].s[0], r[j].s[0]);
	}
}
END_TEST

/* A lesson calling math.random must not move the schedule. */
START_TEST(test_rng_lesson_does_not_move_scheduler)
{
	struct dt_rng quiet, sched, lesson;

	dt_rng_seed_stream(&quiet, 7, DT_STREAM_SCHEDULER);
	dt_rng_seed_stream(&sched, 7, DT_STREAM_SCHEDULER);
	dt_rng_seed_stream(&lesson, 7, DT_STREAM_LESSON);
	for (int i = 0; i < 100; i++) {
		for (int j = 0; j < i % 5; j++)
			(void)dt_rng_unit(&lesson);
		ck_assert_uint_eq(dt_rng_next(&sched), dt_rng_next(&quiet));
	}
}
END_TEST

/* The seeding functions never produce the degenerate all-zero state. */
START_TEST(test_rng_state_never_zero)
{
	for (int v = 0; v < 3; v++) {
		struct dt_rng r;

		dt_rng_seed(&r, vectors[v].seed);
		ck_assert(r.s[0] | r.s[1] | r.s[2] | r.s[3]);
		for (int k = 0; k < 3; k++) {
			dt_rng_seed_stream(&r, vectors[v].seed, streams[k]);
			ck_assert(r.s[0] | r.s[1] | r.s[2] | r.s[3]);
		}
	}
}
END_TEST

START_TEST(test_rng_below_in_range)
{
	static const uint64_t bounds[] = {
		1, 2, 3, 7, (UINT64_C(1) << 63) + 1, MAX64,
	};
	struct dt_rng r;
	int n = dt_test_count(10000);

	dt_rng_seed(&r, 3);
	for (size_t b = 0; b < sizeof(bounds) / sizeof(bounds[0]); b++)
		for (int i = 0; i < n; i++)
			ck_assert_uint_lt(dt_rng_below(&r, bounds[b]), bounds[b]);
}
END_TEST

START_TEST(test_rng_below_one_and_zero)
{
	struct dt_rng r, before;

	dt_rng_seed(&r, 5);
	for (int i = 0; i < 1000; i++)
		ck_assert_uint_eq(dt_rng_below(&r, 1), 0);
	/* Bound 0 answers 0 and consumes nothing. */
	before = r;
	ck_assert_uint_eq(dt_rng_below(&r, 0), 0);
	ck_assert_mem_eq(&r, &before, sizeof(r));
}
END_TEST

/*
 * Known answers for the rejection rule.  With bound 2^63 + 1 the rule
 * redraws every output below 2^63 - 1: seed 0's third and fourth outputs
 * (0x1A5F... and 0x6AA5...) are rejected, so the third answer comes from
 * the fifth output.
 */
START_TEST(test_rng_below_vectors)
{
	static const uint64_t seven[8] = { 3, 6, 4, 6, 1, 6, 0, 0 };
	static const uint64_t big[4] = {
		UINT64_C(0x19EC5F36CB75F2B3), UINT64_C(0x3F6E1F7849564529),
		UINT64_C(0x3BA5AD4A1F842E58), UINT64_C(0x7FEF8375D9EBCAC9),
	};
	struct dt_rng r;

	dt_rng_seed(&r, 1);
	for (int i = 0; i < 8; i++)
		ck_assert_uint_eq(dt_rng_below(&r, 7), seven[i]);
	dt_rng_seed(&r, 0);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(dt_rng_below(&r, (UINT64_C(1) << 63) + 1),
				  big[i]);
}
END_TEST

/*
 * A die: chi-square over 6 faces (5 degrees of freedom).  The 0.1% critical
 * value is 20.5; the threshold is generous, and the draws are seeded, so
 * the result is the same on every run.
 */
START_TEST(test_rng_below_uniform_6)
{
	struct dt_rng r;
	int n = dt_test_count(60000);
	int count[6] = { 0 };
	double expect = n / 6.0, chi2 = 0;

	dt_rng_seed(&r, 2024);
	for (int i = 0; i < n; i++)
		count[dt_rng_below(&r, 6)]++;
	for (int f = 0; f < 6; f++)
		chi2 += (count[f] - expect) * (count[f] - expect) / expect;
	ck_assert_msg(chi2 < 30.0, "chi-square %.2f over %d draws", chi2, n);
}
END_TEST

/*
 * Modulo bias made visible.  With bound B = 0xAAAAAAAAAAAAAAAA (about
 * 2/3 of 2^64), plain `x % B` maps [0, B) to itself and [B, 2^64) onto
 * [0, 2^64 - B), so results below B/2 come out 2/3 of the time instead
 * of 1/2.  The test shows the naive rule on the same draws is biased (so
 * the check has teeth), then requires dt_rng_below() to be near 1/2.
 */
START_TEST(test_rng_below_unbiased_large_bound)
{
	const uint64_t bound = UINT64_C(0xAAAAAAAAAAAAAAAA);
	struct dt_rng r;
	int n = dt_test_count(20000), naive = 0, fair = 0;

	dt_rng_seed(&r, 99);
	for (int i = 0; i < n; i++)
		naive += dt_rng_next(&r) % bound < bound / 2;
	dt_rng_seed(&r, 99);
	for (int i = 0; i < n; i++)
		fair += dt_rng_below(&r, bound) < bound / 2;
	ck_assert_msg((double)naive / n > 0.6, "naive %d/%d", naive, n);
	ck_assert_msg((double)fair / n > 0.45 && (double)fair / n < 0.55,
		      "below %d/%d", fair, n);
}
END_TEST

START_TEST(test_rng_unit_range)
{
	struct dt_rng r, raw;
	int n = dt_test_count(100000);
	double sum = 0;

	dt_rng_seed(&r, 11);
	raw = r;
	for (int i = 0; i < n; i++) {
		double u = dt_rng_unit(&r);

		ck_assert(u >= 0.0 && u < 1.0);
		/* top 53 bits over 2^53 */
		ck_assert(u == (double)(dt_rng_next(&raw) >> 11) /
				       9007199254740992.0);
		sum += u;
	}
	ck_assert_msg(sum / n > 0.45 && sum / n < 0.55, "mean %f", sum / n);
}
END_TEST

Suite *rng_suite(void)
{
	Suite *s = suite_create("rng");
	TCase *tc = tcase_create("vectors");

	tcase_add_test(tc, test_rng_vectors_seed_0);
	tcase_add_test(tc, test_rng_vectors_seed_1);
	tcase_add_test(tc, test_rng_vectors_seed_max);
	tcase_add_test(tc, test_rng_splitmix_published);
	tcase_add_test(tc, test_rng_stream_vectors);
	tcase_add_test(tc, test_rng_below_vectors);
	suite_add_tcase(s, tc);

	tc = tcase_create("streams");
	tcase_add_test(tc, test_rng_streams_distinct);
	tcase_add_test(tc, test_rng_streams_distinct_many_seeds);
	tcase_add_test(tc, test_rng_lesson_does_not_move_scheduler);
	tcase_add_test(tc, test_rng_state_never_zero);
	suite_add_tcase(s, tc);

	tc = tcase_create("draws");
	tcase_add_test(tc, test_rng_below_in_range);
	tcase_add_test(tc, test_rng_below_one_and_zero);
	tcase_add_test(tc, test_rng_below_uniform_6);
	tcase_add_test(tc, test_rng_below_unbiased_large_bound);
	tcase_add_test(tc, test_rng_unit_range);
	suite_add_tcase(s, tc);
	return s;
}
