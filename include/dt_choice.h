/*
 * dt_choice.h - choices, the choice log and its printable schedule form.
 *
 * Every nondeterministic decision the machine makes is a *choice*
 * (engine-contract 2): which CPU steps next, which ready thread is
 * dispatched on which CPU, when a device event happens and which CPU of
 * the line's affinity set receives it.  Schedulers only produce choices;
 * replay, step back, hints, the explorer and bug reports consume the same
 * log.  This header owns the printable, versioned form of that log:
 *
 *     v1 lesson=two-dpcs@1a2b3c4d cpus=2 seed=7: 0 0 e(nic)@1 1*3 0 t(worker)@1
 *
 *   N          CPU N takes one step
 *   N*R        CPU N takes R steps in a row (R >= 2 when printed)
 *   e(NAME)@K  the device event NAME happens and is delivered to CPU K
 *   t(NAME)@K  the ready thread NAME is dispatched onto CPU K
 *
 * The parser knows nothing about a machine: event and thread names stay
 * names here.  dt_schedule_item_choice() and dt_machine_replay() (in
 * dt_machine.h) bind them to a machine's objects; replay refuses a choice
 * that is not enabled at its point, with the item's column and the reason.
 *
 * Contracts: dt_schedule_parse treats `out` as output only (free an older
 * schedule first); dt_schedule_append returns DT_EINVAL for a bad kind, a
 * CPU out of range, a zero repeat, or a repeated/unnamed event or thread
 * item, DT_ENOMEM when memory runs out, and never half-applies; a run
 * longer than DT_SCHEDULE_REPEAT_MAX is split so every printed text parses.
 */
#ifndef DT_CHOICE_H
#define DT_CHOICE_H

#include <stddef.h>
#include <stdint.h>

#include "dt_types.h"

#define DT_SCHEDULE_VERSION 1
#define DT_SCHEDULE_REPEAT_MAX 1000000000u

enum dt_choice_kind {
	DT_CHOICE_CPU = 0,    /* CPU `cpu` takes one step */
	DT_CHOICE_EVENT = 1,  /* device event `object` happens, delivered to `cpu` */
	DT_CHOICE_THREAD = 2, /* ready thread `object` is dispatched onto `cpu` */
};

/* One choice as the engine uses it: objects are indices (creation order). */
struct dt_choice {
	uint8_t kind;    /* enum dt_choice_kind */
	uint8_t pad;
	uint16_t cpu;    /* the CPU that steps / receives / runs the thread */
	uint16_t object; /* event or thread index; 0 for DT_CHOICE_CPU */
};

/* One choice as printed: objects are still names. */
struct dt_schedule_item {
	uint8_t kind;            /* enum dt_choice_kind */
	uint16_t cpu;
	uint32_t repeat;         /* >= 1; only DT_CHOICE_CPU may repeat */
	char name[DT_NAME_MAX];  /* event or thread name; "" for CPU steps */
	uint32_t column;         /* 1-based column in the parsed text, 0 if built */
};

/* A parsed schedule: header context plus the items in order. */
struct dt_schedule {
	int version;                 /* DT_SCHEDULE_VERSION */
	char lesson[DT_NAME_MAX];    /* "" when absent */
	uint32_t lesson_hash;        /* valid when has_hash */
	int has_hash;
	int cpus;                    /* 1..DT_MAX_CPUS */
	uint64_t seed;
	struct dt_schedule_item *items; /* owned, run-length form */
	size_t nitems;
	size_t cap;
};

/* Refusal of a malformed schedule: where and why. */
struct dt_schedule_error {
	uint32_t column;  /* 1-based column of the offending text, 0 = whole input */
	char reason[160]; /* one plain-English sentence, no trailing newline */
};

void dt_schedule_init(struct dt_schedule *s);
void dt_schedule_free(struct dt_schedule *s);

/*
 * Parse `text` (NUL-terminated, one line; trailing whitespace allowed).
 * Returns 0 and fills *out, or -1 and fills *err (out is then empty).
 */
int dt_schedule_parse(const char *text, struct dt_schedule *out, struct dt_schedule_error *err);

/* Append one item; CPU items merge into a preceding run of the same CPU. */
int dt_schedule_append(struct dt_schedule *s, const struct dt_schedule_item *item);

/*
 * Print in canonical form into buf (size bytes).  Returns the length the
 * full text needs (excluding NUL), like snprintf; buf is always terminated
 * when size > 0.
 */
size_t dt_schedule_print(const struct dt_schedule *s, char *buf, size_t size);

/* Total number of single choices (runs expanded). */
size_t dt_schedule_length(const struct dt_schedule *s);

#endif /* DT_CHOICE_H */
