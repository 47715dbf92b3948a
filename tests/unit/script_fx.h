/*
 * script_fx.h - helpers for the Lua lesson runtime tests (test_script.c,
 * test_script_story.c).
 *
 * A test writes a small lesson to a temp file (mkstemps under /tmp),
 * opens it with rt_open and drives it: explicit choices through rt_step
 * (sfx_cpu, sfx_fire, sfx_dispatch), the story runner with every line
 * collected (sfx_story), or check_lesson with its output captured
 * (sfx_check).  The lookups (sfx_var, sfx_event, sfx_trace_last...)
 * resolve names against the engine's state so that assertions read in the
 * lesson's own words.  Every helper asserts what it needs with Check.
 */
#ifndef DT_SCRIPT_FX_H
#define DT_SCRIPT_FX_H

#include <stddef.h>

#include "script.h"
#include "story.h"

struct sfx {
	char path[64];           /* the temp lesson file (already removed once open) */
	struct rt *rt;
	struct dt_machine *m;    /* rt_machine(rt) */
};

/* Write src to a fresh /tmp/dt_script_XXXXXX.lua; path has 64 bytes. */
void sfx_write(char *path, const char *src);
/* Write and open a lesson that must load (default options). */
void sfx_open(struct sfx *f, const char *src);
/* The same with options. */
void sfx_open_opt(struct sfx *f, const char *src, const struct rt_options *opt);
/* Write and open a lesson that must NOT load: the malloc'd error, and the
 * temp path in path (already removed). */
char *sfx_open_fail(const char *src, char *path);
void sfx_close(struct sfx *f);

/* One step: CPU `cpu`; device event `event` to `cpu`; thread onto `cpu`. */
int sfx_cpu(struct sfx *f, unsigned cpu);
int sfx_cpus(struct sfx *f, unsigned cpu, unsigned n); /* n steps, asserts each */
int sfx_fire(struct sfx *f, const char *event, unsigned cpu);
int sfx_dispatch(struct sfx *f, const char *thread, unsigned cpu);
/* Step CPU `cpu` until its top frame is stopped before an operation of
 * kind `op` (at most `max` steps); returns the steps taken. */
unsigned sfx_until_op(struct sfx *f, unsigned cpu, unsigned op, unsigned max);
/* Run round-robin to the end (story_run_to_end); returns the outcome kind. */
int sfx_run_to_end(struct sfx *f);
/* Step round-robin while anything can step, without settling the outcome
 * (the machine stays running, so later device events can still come). */
unsigned sfx_drain(struct sfx *f);
/* CPU cpu's footprint entry of `kind` as index | write << 16, -1 when
 * there is none; asserts there is at most one. */
int sfx_fp_find(struct sfx *f, unsigned cpu, unsigned kind);

/* Names to indices (assert found). */
unsigned sfx_var(struct sfx *f, const char *name);
unsigned sfx_thread(struct sfx *f, const char *name);
/* A shared value's current value. */
struct dt_value sfx_val(struct sfx *f, const char *name);
long long sfx_int(struct sfx *f, const char *name);  /* asserts INT */
int sfx_bool(struct sfx *f, const char *name);       /* asserts BOOL */
const char *sfx_str(struct sfx *f, const char *name); /* asserts STRING */

/* The top frame of a CPU (NULL when it has none). */
const struct dt_frame *sfx_top(struct sfx *f, unsigned cpu);
/* The frame a thread's body is in: on its CPU or saved while off it. */
const struct dt_frame *sfx_thread_frame(struct sfx *f, const char *thread);

/* Trace lookups: the last event of `kind` (NULL if none), how many. */
const struct dt_trace_event *sfx_trace_last(struct sfx *f, unsigned kind);
size_t sfx_trace_count(struct sfx *f, unsigned kind);
/* The trace kinds recorded in steps > after_step, as "KIND KIND ..." */
void sfx_trace_kinds(struct sfx *f, unsigned after_step, char *buf, size_t size);

/* The interned string of the state (file names, messages). */
const char *sfx_string(struct sfx *f, unsigned id);

/* Run the story with every line collected as "K text\n" (K = the
 * story_line_kind digit) in *out (malloc'd).  Returns story_run's rc. */
int sfx_story(struct sfx *f, int narrate, struct story_result *res, char **out);
/* Write src and run check_lesson on it; *out gets its output (malloc'd). */
int sfx_check(const char *src, int verbose, char **out);

/* The line number (1-based) of the first line of src containing needle. */
unsigned sfx_line_of(const char *src, const char *needle);

#endif
