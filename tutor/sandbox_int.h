/*
 * sandbox_int.h - what sandbox.c and sandbox_lib.c share: the sandbox's
 * state, its limits and the wrapper flags.  Private to those two files;
 * the rest of the tutor sees only sandbox.h.
 */
#ifndef DT_SANDBOX_INT_H
#define DT_SANDBOX_INT_H

#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#include "dt_rng.h"
#include "sandbox.h"

#define SB_GRAIN 1000               /* instructions between hook calls */
#define SB_GRAIN_SLOW 16            /* ... once instructions are slow */
#define SB_GRAIN_FIRST SB_GRAIN_SLOW /* ... before the first hook call of a run */
#define SB_HOOK_YIELDED_MAX 8       /* budget-stopped coroutines remembered */
#define SB_SLOW_NS UINT64_C(1000000) /* a grain this long is "slow" */
#define SB_BYTES_PER_UNIT 16        /* C work: bytes per budget unit */
#define SB_PATTERN_WORK 134217728.0 /* 2^27 matcher steps */
#define SB_PATTERN_PER_UNIT 128.0
#define SB_STRING_SLACK 64          /* the string object's header */
#define SB_TRACE_FRAMES 4           /* "stack traceback:" + 4 frames */
#define SB_UV_PROBE_MAX 64
#define SB_LOAD_SLOT 5              /* load(): the reader's last piece */
#define SB_MESSAGE_MAX 1000         /* bytes of an error message kept */
#define SB_FRAME_MAX 200            /* ... of one traceback line */
#define SB_PRINT_LINE_MAX 1000      /* ... of one print() or warn() */
#define SB_PRINT_TOTAL_MAX 65536    /* ... printed by one sandbox in all */

/* Wrapper flags (upvalue 2 of every library closure the sandbox makes). */
#define SB_KEEP_ORIG 1  /* upvalue 1 is the library's own function */
#define SB_PAT_ANCHOR 2 /* '^' anchors the pattern (find, match, gsub) */
#define SB_PAT_PLAIN 4  /* a true 4th argument means plain (find) */
#define SB_PAT_INIT 8   /* argument 3 is where matching starts */
#define SB_CHEAP 16     /* O(1) per argument and result: no byte charge */
#define SB_ARG1 32      /* the work follows argument 1 only (a format) */

/* Live GC object -> creation serial; open addressing, linear probing. */
struct sb_objmap {
	uintptr_t *key; /* 0: empty slot */
	uint64_t *serial;
	size_t cap;     /* a power of two, or 0 */
	size_t count;
};

/* The budget of one resume or protected call; runs nest. */
struct sb_run {
	struct sb_run *prev;
	lua_State *L;      /* the thread it runs; it carries the hook */
	uint64_t used;     /* instructions and charged C work so far */
	uint64_t start_ns, last_ns;
	uint64_t slack_ns; /* how far last_ns may lag (the coarse start) */
	int grain;
	int over;          /* budget or host time spent: stop at once */
	int wall;          /* ... and it was host time */
	int can_yield;     /* a resume: stop by yielding where Lua can */
};

struct sandbox {
	lua_State *L;
	size_t mem_used, mem_cap;
	uint64_t frees;         /* blocks freed or moved so far (sb_frees) */
	unsigned budget;
	uint64_t wall_ns;
	struct sb_run *run;     /* innermost run; NULL when idle */
	struct dt_rng rng;      /* math.random: DT_STREAM_LESSON */
	struct sb_objmap objs;
	uint64_t serial;        /* the last creation serial handed out */
	const void *last_obj;   /* the newest GC object (calibration) */
	/* lua_topointer(o) minus o's block, by type (see sb_calibrate) */
	uintptr_t off_ud0, off_ud1, off_uv, off_thread;
	int calibrated;
	lua_Integer next_id;    /* the last tostring() id */
	int ref_ids, ref_light, ref_guard, ref_frozen;
	int frozen;
	int string_refused;     /* the allocator refused a long string */
	char refused_at[80];    /* "file:line:" of the Lua code it refused,
				 * or "" (memory errors carry no position) */
	int stop_line;          /* where a budget yield stopped (sb_stop_line) */
	const char *stop_source;
	lua_State *hook_yielded[SB_HOOK_YIELDED_MAX]; /* see sb_note_hook_yield */
	unsigned nhook_yielded;
	int hook_yielded_lost;  /* the list overflowed: assume any coroutine */
	void (*print_fn)(void *ctx, const char *text);
	void *print_ctx;
	size_t printed;         /* bytes print() and warn() have passed on */
	int warn_off;
	size_t warn_len;
	char warn_buf[256];
};

static inline struct sandbox *sb_of(lua_State *L)
{
	void *ud;

	(void)lua_getallocf(L, &ud);
	return ud;
}


/* sandbox.c: charge C work the count hook cannot see; the library's own
 * function behind a wrapper (its upvalue 1). */
void sb_charge(lua_State *L, uint64_t units);
lua_CFunction sb_orig(lua_State *L);
/* tostring() with the sandbox's stable ids, as luaL_tolstring would. */
const char *sb_tolstring(lua_State *L, int idx, size_t *len);

/*
 * sandbox_text.c: copy at most `max` bytes of src (never splitting a
 * UTF-8 sequence) into dst, a buffer of cap bytes, with control
 * characters replaced (a newline by a space unless keep_newlines),
 * and " ... (N bytes left out)" when it cut; NUL-terminated; the length.
 */
size_t sb_clean_text(char *dst, size_t cap, const char *src, size_t len,
		     size_t max, int keep_newlines);

/* sandbox_lib.c: the charged replacements sandbox.c installs. */
int sb_charged(lua_State *L);
int sb_str_rep(lua_State *L);
int sb_str_format(lua_State *L);
int sb_str_pattern(lua_State *L);
int sb_utf8_codes(lua_State *L);
int sb_tinsert(lua_State *L);
int sb_tremove(lua_State *L);
int sb_tconcat(lua_State *L);
int sb_tunpack(lua_State *L);
int sb_tmove(lua_State *L);
int sb_tsort(lua_State *L);
int sb_math_random(lua_State *L);

#endif
