/*
 * fuzz_util.h - what the fuzz targets share.
 */
#ifndef DT_FUZZ_UTIL_H
#define DT_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* libFuzzer's entry point, defined by each target. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise: say which, then abort(), which libFuzzer reports as a
 * crash and saves the input for. */
#define FUZZ_FAIL(target, ...)                       \
	do {                                         \
		fprintf(stderr, target ": " __VA_ARGS__); \
		fputc('\n', stderr);                 \
		abort();                             \
	} while (0)

/* A cursor over the input; reading past its end gives zeros, so every
 * input decodes to something. */
struct fuzz_bytes {
	const uint8_t *p;
	size_t n, i;
};

static inline uint8_t fuzz_u8(struct fuzz_bytes *b)
{
	return b->i < b->n ? b->p[b->i++] : 0;
}

#endif
