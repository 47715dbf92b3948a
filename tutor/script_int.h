/*
 * script_int.h - the lesson runtime's private parts (script_*.c only).
 */
#ifndef DT_SCRIPT_INT_H
#define DT_SCRIPT_INT_H

#include <lauxlib.h>
#include <lua.h>

#include "sandbox.h"
#include "script.h"

#define RT_INTERN_MEMO 8 /* recently interned Lua strings (rt_intern) */

/* A callback body: one coroutine. */
struct rt_body {
	lua_State *co;
	int ref;                /* anchors the coroutine in the bodies table */
	int started;
	int nargs;              /* arguments waiting on its stack for the first resume */
	uint32_t callback;
	uint16_t cpu;
	uint16_t thread;
	struct dt_op op;        /* the operation it is stopped before */
	int have_op;
};

struct rt {
	char *path;
	char *src;
	size_t len;
	struct sb_code code;    /* src compiled once (sb_compile) */
	int code_failed;        /* it did not compile: run the text */
	struct rt_options opt;
	struct rt_lesson lesson;
	int have_lesson;        /* lesson{} was called in this run */
	struct dt_session *session;
	struct dt_machine *m;   /* the machine being built or run */
	struct sandbox *sb;
	lua_State *L;
	int building;           /* running the file: declarations allowed */
	int probing;            /* the first pass that only reads lesson{} */
	int variant;            /* index of the variant being built */
	struct rt_body *current; /* the body being resumed, NULL outside callbacks */
	int story_ref;
	int challenges_ref;
	int callbacks_ref;      /* table: id + 1 -> function */
	int cbids_ref;          /* table: function -> id (Synchronize callbacks) */
	int bodies_ref;         /* table anchoring coroutines */
	struct rt_callback callbacks[RT_MAX_CALLBACKS];
	unsigned ncallbacks;
	struct dt_free_event free_events[DT_EXPLORE_MAX_FREE];
	unsigned nfree;
	struct rt_step_log log;
	uint32_t log_step;      /* the step the log describes */
	struct {
		const char *s;  /* the bytes of a Lua string */
		uint64_t frees; /* sb_frees when they were interned */
		uint32_t id;    /* what dt_machine_intern made of them */
	} memo[RT_INTERN_MEMO];
	char err[512];
};

/* script.c */
struct rt *rt_from(lua_State *L);           /* the runtime behind a C function */
uint32_t rt_intern(struct rt *rt, const char *s); /* dt_machine_intern, memoised */
void rt_push_value(struct rt *rt, lua_State *L, const struct dt_value *v);
int rt_to_value(struct rt *rt, lua_State *L, int idx, struct dt_value *out);
struct dt_srcpos rt_where(struct rt *rt, lua_State *L, int level);
void rt_register(struct rt *rt, lua_State *L, const char *name, lua_CFunction fn);
int rt_callback_id(struct rt *rt, lua_State *L, int idx, const char *role, unsigned intr,
		   uint32_t *out);
/* Give callback id the C text `text` (copied; replaces an earlier one). */
void rt_set_c_source(struct rt *rt, lua_State *L, uint32_t id, const char *text);
int rt_did_you_mean(lua_State *L, const char *what, const char *key,
		    const char *const *known);

/* script_values.c: handles and shared values */
enum rt_handle_type {
	RT_DEVICE = 1, RT_INTERRUPT, RT_SPINLOCK, RT_WAITLOCK, RT_KDPC, RT_EVENT, RT_THREAD,
};
void rt_push_handle(lua_State *L, unsigned type, uint64_t value, unsigned index);
int rt_check_handle(lua_State *L, int idx, unsigned type, uint64_t *value, unsigned *index);
/* The type and index of the handle at idx; 0 if it is not a handle. */
int rt_handle_info(lua_State *L, int idx, unsigned *type, unsigned *index);
void rt_open_values(struct rt *rt, lua_State *L);

/* script_api.c: the calls callbacks make */
void rt_open_api(struct rt *rt, lua_State *L);
/* script_scenario.c: the declarations a lesson makes */
void rt_open_scenario(struct rt *rt, lua_State *L);
/* script_story.c: story, predicates, challenges (declarations) */
void rt_open_story(struct rt *rt, lua_State *L);

#endif
