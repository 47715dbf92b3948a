/*
 * timeline.h - what every CPU did at every step, as lanes of cells.
 *
 * The timeline's x-axis is the global step number (engine-contract 3): the
 * cell of CPU c at step s shows what c was running once step s was done
 * (its band: an ISR, a DPC, a work item, a thread, idle, or spinning for a
 * lock) and, where step s did something worth a glyph on c, a mark: a
 * queue call that returned FALSE (R11, R41) or a DPC leaving its queue
 * (R13).  It is built from the session's history, so it covers any window
 * of recorded steps, the past as well as the recorded future, and never
 * runs a body.  No curses: the UI draws it (ui_timeline.c) and the unit
 * tests read it.
 */
#ifndef DT_TIMELINE_H
#define DT_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "dt_history.h"

enum tl_band {
	TL_IDLE = 0,    /* no frame: the CPU idles */
	TL_THREAD,      /* a lesson thread at PASSIVE */
	TL_WORKITEM,    /* a system worker running EvtInterruptWorkItem (R44) */
	TL_PASSIVE_ISR, /* a passive-level ISR in its thread (R51) */
	TL_DPC,         /* a DPC routine at DISPATCH (R17) */
	TL_LOCKED,      /* a callback under the interrupt lock: Synchronize, Enable, Disable */
	TL_ISR,         /* a DIRQL ISR, or a passive interrupt's trap (R03, R51) */
	TL_SPIN,        /* spinning for a held spin lock (R03, R60) */
	TL_BAND_COUNT
};

enum tl_mark {
	TL_MARK_NONE = 0,
	TL_MARK_FALSE,   /* a queue call on this CPU returned FALSE (R11, R41) */
	TL_MARK_DEQUEUE, /* this CPU dequeued a DPC: "queued" cleared (R13) */
};

struct tl_cell {
	uint8_t band; /* enum tl_band */
	uint8_t mark; /* enum tl_mark */
};

struct timeline {
	unsigned ncpus;
	size_t first;          /* the step of column 0 */
	size_t nsteps;         /* columns */
	struct tl_cell *cells; /* ncpus x nsteps, CPU by CPU */
};

/*
 * Build the lanes of steps first..first+count-1 (clipped to 1..head; step
 * 0 is the start, before anything ran).  The session's view is moved to
 * read each step and put back where it was.  Returns 0, or -1 when memory
 * runs out (tl is then empty).  tl_free releases it.
 */
int tl_build(struct dt_session *s, size_t first, size_t count, struct timeline *tl);
void tl_free(struct timeline *tl);

/* The cell of `cpu` at `step`, NULL outside the built window. */
const struct tl_cell *tl_cell(const struct timeline *tl, unsigned cpu, size_t step);

/* The band a CPU of state st is in: its top frame, or idle. */
enum tl_band tl_band_of(const struct dt_state *st, unsigned cpu);

/* A band's letter ('I', 'D', 'W', 'T', 'P', 'L', 'S', '.') and name. */
char tl_band_letter(enum tl_band b);
const char *tl_band_name(enum tl_band b);

#endif /* DT_TIMELINE_H */
