/*
 * dt_types.h - the small vocabulary every engine header shares: limits,
 * IRQL values (R01), simulated values and source positions.
 *
 * The engine's state is plain data with fixed capacities (no host pointer
 * anywhere), so that a snapshot is a byte copy and history can store
 * keyframes and deltas (engine-contract 6, 7).  The limits below are those
 * capacities; exceeding one is a documented error (DT_ELIMIT), never a
 * crash.
 */
#ifndef DT_TYPES_H
#define DT_TYPES_H

#include <stdint.h>

/* Capacities of one machine. */
#define DT_MAX_CPUS 64
#define DT_MAX_DEVICES 16
#define DT_MAX_LINES 4        /* lines or MSI messages per device */
#define DT_MAX_REGS 8         /* registers per device */
#define DT_MAX_INTERRUPTS 32  /* WDFINTERRUPT objects */
#define DT_MAX_DPCS 48        /* KDPC objects, the interrupts' embedded ones included */
#define DT_MAX_LOCKS 48       /* spin locks, the interrupts' own ones included */
#define DT_MAX_VARS 128       /* watched shared values */
#define DT_MAX_EVENTS 32      /* named device events */
#define DT_MAX_FRAMES 16      /* frames on one CPU: thread < DPC < ISR < ISR ... */
#define DT_MAX_PENDING 32     /* pending interrupt requests on one CPU */
#define DT_MAX_THREADS 16     /* lesson threads, system workers, passive-ISR threads */
#define DT_MAX_HELD 4         /* locks one frame holds through acquire operations */

#ifndef DT_NAME_MAX
#define DT_NAME_MAX 32
#endif

/* R01: IRQL values on x64. */
enum dt_irql {
	DT_PASSIVE_LEVEL = 0,
	DT_APC_LEVEL = 1,
	DT_DISPATCH_LEVEL = 2,
	DT_DIRQL_MIN = 3,
	DT_DIRQL_MAX = 12,
	DT_SYNCH_LEVEL = 12,
	DT_CLOCK_LEVEL = 13,
	DT_IPI_LEVEL = 14,
	DT_HIGH_LEVEL = 15,
};

/* Status of engine API calls: 0 on success, a negative dt_err otherwise. */
enum dt_err {
	DT_OK = 0,
	DT_EINVAL = -1,    /* a bad argument: range, NULL, wrong kind */
	DT_ELIMIT = -2,    /* a fixed capacity is exhausted */
	DT_ENOMEM = -3,    /* the host allocator failed */
	DT_EHALTED = -4,   /* the machine has an outcome and cannot step */
	DT_ENOTENABLED = -5, /* the choice is not enabled at this point */
	DT_EHOST = -6,     /* the host (body provider) failed */
};

/* A watched value: what a shared field, a register or a result holds. */
enum dt_value_kind {
	DT_VAL_NIL = 0,
	DT_VAL_BOOL = 1,
	DT_VAL_INT = 2,
	DT_VAL_NUMBER = 3, /* a double */
	DT_VAL_STRING = 4, /* an interned string id (dt_machine_string) */
};

struct dt_value {
	int32_t kind; /* enum dt_value_kind */
	int32_t pad;
	union {
		int64_t i;     /* BOOL (0/1) and INT */
		double n;      /* NUMBER */
		uint32_t str;  /* STRING */
	} u;
};

static inline struct dt_value dt_int(int64_t i)
{
	struct dt_value v = { .kind = DT_VAL_INT };
	v.u.i = i;
	return v;
}

static inline struct dt_value dt_bool(int b)
{
	struct dt_value v = { .kind = DT_VAL_BOOL };
	v.u.i = b ? 1 : 0;
	return v;
}

static inline struct dt_value dt_nil(void)
{
	struct dt_value v = { .kind = DT_VAL_NIL };
	return v;
}

static inline struct dt_value dt_string(uint32_t id)
{
	struct dt_value v = { .kind = DT_VAL_STRING };
	v.u.i = 0; /* the whole union, so equal values are equal bytes */
	v.u.str = id;
	return v;
}

static inline struct dt_value dt_number(double n)
{
	struct dt_value v = { .kind = DT_VAL_NUMBER };
	v.u.n = n;
	return v;
}

/* Where a body stands in its source: an interned file name and a line. */
struct dt_srcpos {
	uint32_t file; /* interned string id, 0 = unknown */
	uint32_t line; /* 1-based, 0 = unknown */
};

#endif /* DT_TYPES_H */
