/*
 * script.h - the Lua lesson runtime: one lesson file, run in a sandbox,
 * bound to an engine session.
 *
 * A lesson is a Lua file.  Running it declares the scenario (devices,
 * interrupt objects and their callbacks, threads, shared values), the
 * story and the challenges.  The engine's "start over" reruns the whole
 * file in a fresh sandbox, so nothing a previous run did can leak into the
 * next one, and every run of the same file is the same (engine-contract 6).
 *
 * Callbacks run as coroutines, one per engine body.  Every WDF or Ke call,
 * every read or write of a shared value and every step() yields an
 * operation request to the engine and stops BEFORE it; the engine performs
 * it in a later step and resumes the coroutine with the result
 * (engine-contract 1).  Reads from the story, predicates and the UI do not
 * yield: they read the engine's state directly.
 *
 * The layers: engine/ knows nothing of Lua; this module binds the two.
 */
#ifndef DT_SCRIPT_H
#define DT_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "dt_explore.h"
#include "dt_history.h"
#include "dt_machine.h"

#define RT_MAX_RULES 24
#define RT_MAX_VARIANTS 8
#define RT_MAX_CALLBACKS 64

/* What lesson{ ... } declared, plus what running the file found. */
struct rt_lesson {
	int api;
	char id[DT_NAME_MAX];
	char *title;
	char *goal;
	char *notes;
	unsigned cpus;
	char rules[RT_MAX_RULES][8];
	unsigned nrules;
	uint32_t hash;              /* FNV-1a of the file's bytes: its content hash */
	struct dt_switches sw;      /* the machine settings the lesson asked for */
	uint64_t seed;
	char variants[RT_MAX_VARIANTS][DT_NAME_MAX]; /* challenge variants, in order */
	unsigned nvariants;
	/* lesson{ bounds = { preemptions, events, steps } } for the explorer */
	uint32_t max_preemptions, max_events, max_steps;
};

/* A callback's role, for predicates like runs_on("EvtInterruptDpc"). */
struct rt_callback {
	char role[32];              /* "EvtInterruptIsr", "EvtInterruptDpc", ... */
	char name[48];              /* the Lua function's name if known, else role */
	unsigned interrupt;         /* DT_NONE for threads and KDPC routines */
	char *c_source;             /* the lesson's C for it (c_source), NULL for none */
};

/* What the last step did, as the story's predicates see it. */
struct rt_step_log {
	unsigned nreturns;
	struct {
		uint16_t op;            /* enum dt_op_kind that returned */
		uint16_t cpu;
		struct dt_value result;
		uint32_t callback;      /* the body's callback id */
	} returns[4];
	unsigned nstarts;
	struct {
		uint32_t callback;      /* a body that started */
		uint16_t cpu;
		uint16_t thread;
	} starts[8];
};

struct rt_options {
	uint64_t seed;              /* overrides the lesson's when has_seed */
	int has_seed;
	unsigned cpus;              /* overrides the lesson's when non-zero */
	const char *variant;        /* challenge variant to build, NULL = default */
	int trace;                  /* record the trace (1 unless a caller says no) */
	size_t mem_bytes;           /* Lua memory cap, 0 = default */
	unsigned budget;            /* Lua instructions per resume, 0 = default */
	void (*print)(void *ctx, const char *text); /* the lesson's print() */
	void *print_ctx;
};

struct rt;

void rt_options_default(struct rt_options *o);

/* Load a lesson file and build its machine.  On failure *err holds a
 * malloc'd message naming the file and line. */
int rt_open(const char *path, const struct rt_options *opt, struct rt **out, char **err);
void rt_close(struct rt *rt);

const struct rt_lesson *rt_lesson(const struct rt *rt);
struct dt_session *rt_session(struct rt *rt);
struct dt_machine *rt_machine(struct rt *rt);
/* The sandbox's Lua state of the current build (changes on start over). */
struct lua_State *rt_lua(struct rt *rt);
const struct rt_callback *rt_callback(const struct rt *rt, uint32_t id);
unsigned rt_ncallbacks(const struct rt *rt);
const struct rt_step_log *rt_last_step(const struct rt *rt);
const char *rt_path(const struct rt *rt);
/* The lesson file's text (NUL-terminated). */
const char *rt_source(const struct rt *rt);

/* The device events the explorer and the student may place freely
 * (device{ free = N } / event{ free = N }) in the current build. */
unsigned rt_free_events(const struct rt *rt, struct dt_free_event *out, unsigned max);

/* One step through the session, recording what the step returned. */
int rt_step(struct rt *rt, const struct dt_choice *c);

/* The lesson-error text of the current outcome, "" if none. */
const char *rt_error(const struct rt *rt);

/* The API name of an operation a prediction can be about ("?" if none). */
const char *rt_call_name(unsigned op);

/* The strings of the Lua list at idx (a lone string is a list of one;
 * other items are skipped), copied into slots of `each` bytes from buf,
 * at most max; returns how many.  The stack is left as it was. */
unsigned rt_string_list(struct lua_State *L, int idx, char *buf, size_t each, unsigned max);

/* What challenge{} number i (0-based, in declaration order) says, for
 * the UI's hints; texts are cut at their buffers' sizes. */
#define RT_MAX_HINTS 8
struct rt_challenge {
	int exists;                 /* kind = "exists" (else "forall") */
	char name[DT_NAME_MAX];
	char goal[512];
	char hints[RT_MAX_HINTS][512];
	unsigned nhints;
	char reference[1024];       /* exists: the reference schedule, "" otherwise */
	char correct[DT_NAME_MAX];  /* forall: the correct variant's name */
};
/* 0 and *out filled, or -1 when the lesson has no challenge i. */
int rt_challenge_info(struct rt *rt, unsigned i, struct rt_challenge *out);

/* Registry references into the current Lua state (LUA_NOREF if absent). */
int rt_story_ref(const struct rt *rt);
int rt_challenges_ref(const struct rt *rt);

#endif /* DT_SCRIPT_H */
