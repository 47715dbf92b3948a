/*
 * dt_rng.h - the engine's one pseudo-random generator (engine-contract 7).
 *
 * Every random decision (a random scheduler's pick, when a device event
 * fires, a lesson's math.random) comes from xoshiro256** 1.0 (Blackman &
 * Vigna), seeded by SplitMix64.  One named algorithm, no host rand(): the
 * same seed gives the same run on every host and compiler.
 *
 * A run's seed is split into separate *streams*, one per consumer, each a
 * generator of its own.  If the lesson drew from the scheduler's stream, a
 * lesson edit that adds one math.random call would shift every later
 * scheduling pick and the "same seed" would replay a different schedule.
 * With separate streams, a lesson's own random calls never move the
 * schedule, and the events stream is likewise independent of both.
 *
 * The state is plain data (four words, no pointers), so a machine snapshot
 * copies it like any other field.
 */
#ifndef DT_RNG_H
#define DT_RNG_H

#include <stdint.h>

/*
 * xoshiro256** state, plain data.  An all-zero state is a fixed point
 * (it outputs zeros forever); the seeding functions below never produce
 * it, so only a hand-filled state can be degenerate.
 */
struct dt_rng {
	uint64_t s[4];
};

/* Who draws: each consumer owns one stream derived from the run's seed. */
enum dt_rng_stream {
	DT_STREAM_SCHEDULER = 0, /* random scheduler picks */
	DT_STREAM_EVENTS = 1,    /* device event timing and delivery */
	DT_STREAM_LESSON = 2,    /* the lesson's math.random */
};

/*
 * The standard SplitMix64 step: advances *state by the golden-ratio
 * increment 0x9E3779B97F4A7C15 and returns the mixed new state.  From
 * state 0 the first output is 0xE220A8397B1DCDAF.
 */
uint64_t dt_splitmix64(uint64_t *state);

/*
 * Seed as the xoshiro authors recommend: s[0..3] are four successive
 * dt_splitmix64() outputs starting from state = seed.  The mixer is a
 * bijection and its four inputs differ, so at most one word is zero:
 * the state is never all zero.
 */
void dt_rng_seed(struct dt_rng *r, uint64_t seed);

/*
 * Seed the generator of one stream: exactly dt_rng_seed() from the
 * SplitMix64 state
 *
 *     seed ^ (DT_RNG_STREAM_MUL * (stream + 1))     (mod 2^64)
 *
 * The multiplier is odd, so (stream + 1) * MUL is nonzero and different
 * for each of the three streams: for every seed, the streams start from
 * distinct SplitMix64 states, distinct from dt_rng_seed(seed)'s too, and
 * (the mixer being a bijection) their s[0] words differ.  MUL is not the
 * SplitMix64 increment, so seed 0's streams are not seed 0's plain
 * sequence shifted by one step.  Only the enum values are defined.
 */
#define DT_RNG_STREAM_MUL UINT64_C(0xD1B54A32D192ED03)
void dt_rng_seed_stream(struct dt_rng *r, uint64_t seed,
			enum dt_rng_stream stream);

/* The next 64-bit output of xoshiro256** 1.0. */
uint64_t dt_rng_next(struct dt_rng *r);

/*
 * Uniform in [0, bound), without modulo bias: classic rejection.  Outputs
 * below 2^64 mod bound are redrawn, so the accepted range is a whole
 * number of copies of [0, bound).  Pure 64-bit arithmetic (no __int128),
 * so every host draws the same values.  Bound 0 returns 0 and draws
 * nothing; any other bound draws at least once (expected < 2 draws).
 */
uint64_t dt_rng_below(struct dt_rng *r, uint64_t bound);

/* Uniform in [0, 1): the top 53 bits of one output, times 2^-53. */
double dt_rng_unit(struct dt_rng *r);

#endif
