/*
 * rng.c - SplitMix64 seeding xoshiro256** 1.0, split into streams.
 *
 * Transcribed from the published reference code:
 *   https://prng.di.unimi.it/splitmix64.c
 *   https://prng.di.unimi.it/xoshiro256starstar.c
 * The test vectors in tests/unit/test_rng.c come from an independent
 * implementation; any change to the numbers here must fail them.
 */
#include "dt_rng.h"

uint64_t dt_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

void dt_rng_seed(struct dt_rng *r, uint64_t seed)
{
	uint64_t sm = seed;

	for (int i = 0; i < 4; i++)
		r->s[i] = dt_splitmix64(&sm);
}

void dt_rng_seed_stream(struct dt_rng *r, uint64_t seed,
			enum dt_rng_stream stream)
{
	uint64_t tag = DT_RNG_STREAM_MUL * ((uint64_t)stream + 1);

	dt_rng_seed(r, seed ^ tag);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t dt_rng_next(struct dt_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t dt_rng_below(struct dt_rng *r, uint64_t bound)
{
	uint64_t threshold, x;

	if (bound == 0)
		return 0;
	/* 2^64 mod bound, computed in 64 bits as (2^64 - bound) mod bound. */
	threshold = (0 - bound) % bound;
	do
		x = dt_rng_next(r);
	while (x < threshold);
	return x % bound;
}

double dt_rng_unit(struct dt_rng *r)
{
	/* 53 bits fill a double's mantissa exactly: no rounding up to 1.0. */
	return (double)(dt_rng_next(r) >> 11) * 0x1.0p-53;
}
