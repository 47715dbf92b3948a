/*
 * sandbox.h - the Lua state a lesson runs in.
 *
 * A lesson is a Lua 5.4 file that students share, so the tutor treats it
 * as untrusted input, the way Redis treats a script: the state offers an
 * allow-list of globals (base minus dofile, loadfile, collectgarbage and
 * next; string minus dump; table; math minus randomseed; utf8), loads
 * text only, caps memory, and stops runaway code with an instruction
 * budget that a pcall inside the lesson cannot swallow.  It is also
 * deterministic: pairs() visits keys in a fixed order, tostring() prints
 * small stable ids instead of host addresses, and math.random draws from
 * the lesson's own dt_rng stream (DT_STREAM_LESSON), so the same lesson
 * and seed replay the same way on every host.
 *
 * Everything a lesson can do costs budget: each Lua instruction costs 1,
 * and work that the VM's count hook cannot see (C library loops, pattern
 * matching, allocation) is charged by the library wrappers and the
 * allocator.  The limits below are part of the lesson contract; the rules
 * behind each one are explained at the top of sandbox.c.
 *
 * The bindings (tutor/script_*.c) get the raw lua_State from sb_lua() and
 * register their functions before the lesson runs.
 */
#ifndef DT_SANDBOX_H
#define DT_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#define SB_DEFAULT_MEM ((size_t)64 << 20)  /* bytes of Lua memory */
#define SB_DEFAULT_BUDGET 1000000u        /* instructions per run */
#define SB_DEFAULT_WALL_MS 3000u          /* host-time backstop per run */

/* The largest string a lesson can create (any way: .., rep, format...). */
#define SB_STRING_MAX ((size_t)1 << 20)
/* Pattern functions refuse longer patterns and subjects. */
#define SB_PATTERN_MAX 256
#define SB_SUBJECT_MAX SB_STRING_MAX
/* Functions that return many values (table.unpack, string.byte, ...). */
#define SB_RESULTS_MAX 256

/* Limits of one sandbox; a zero field takes the default. */
struct sb_limits {
	size_t mem_bytes; /* memory cap of the whole state; 0 = 64 MiB */
	unsigned budget;  /* Lua instructions per resume or protected
			   * call; 0 = 1,000,000 */
	unsigned wall_ms; /* host-time backstop per resume or protected
			   * call, for work no count can see; 0 = 3000 */
};

struct sandbox;

/*
 * A new sandbox with the allowed libraries open; math.random is seeded
 * from dt_rng stream DT_STREAM_LESSON of `seed`.  lim may be NULL (all
 * defaults).  NULL when out of memory.
 */
struct sandbox *sb_create(const struct sb_limits *lim, uint64_t seed);
void sb_destroy(struct sandbox *sb);

/*
 * The state, for bindings: register globals before sb_freeze_globals.
 * The sandbox owns the state's count hook, allocator and warning
 * function; lua_getextraspace is free for the bindings.
 */
lua_State *sb_lua(struct sandbox *sb);

/*
 * How many memory blocks the state has freed (or moved) so far.  While
 * the number stays the same, no object has left its address: a binding
 * may remember what it made of a string's bytes by their address alone.
 */
uint64_t sb_frees(const struct sandbox *sb);

/*
 * Load and run a lesson as TEXT (binary chunks are refused) under the
 * budget.  sb_run_file names the chunk "@<path>", so messages read
 * "lessons/x.lua:12: ..."; sb_run_string uses `chunkname` as given
 * ("@lessons/x.lua", "=test", ...).  0 on success; -1 with a malloc'd
 * message in *err (when err is not NULL): the Lua message, then at most
 * five lines of "stack traceback:".  The caller frees *err.
 */
int sb_run_file(struct sandbox *sb, const char *path, char **err);
int sb_run_string(struct sandbox *sb, const char *chunkname, const char *src,
		  size_t len, char **err);

/*
 * A lesson compiled once, to run in many sandboxes: every start over
 * builds the machine in a new sandbox and runs the file again, and
 * parsing the text was a quarter of that.  sb_compile parses the text (as
 * text: mode "t") in a plain Lua state of its own, so no sandbox sees the
 * parser's allocations and every run of the file, the first included,
 * allocates the same way; it keeps the bytecode with its line information
 * and chunk name, so messages still read "lessons/x.lua:12: ...".
 * sb_compile returns -1 on a syntax error or when out of memory: run the
 * text with sb_run_string then, which reports the error as always.
 * sb_run_code runs the bytecode like sb_run_string runs text.  It is the
 * only binary chunk a sandbox ever loads, and it comes from this process's
 * own compiler, never from a lesson: load() in a lesson stays text only.
 */
struct sb_code {
	char *bytes;
	size_t len;
};
int sb_compile(const char *chunkname, const char *src, size_t len, struct sb_code *out);
int sb_run_code(struct sandbox *sb, const struct sb_code *code, char **err);
void sb_code_free(struct sb_code *code);

/*
 * Freeze the globals and the library tables once the lesson has loaded.
 * Afterwards assigning or creating a global (also with rawset) is an
 * error at that line ("... declare shared state in shared{}"), reading an
 * unknown global is an error ("unknown global 'x'"), and the library
 * tables are read-only.  From C, lua_getglobal of an unknown name still
 * just returns nil, but lua_setglobal raises.  Idempotent.  0, or -1
 * when out of memory.
 */
int sb_freeze_globals(struct sandbox *sb);

/*
 * Resume coroutine `co` (a thread of this sandbox's state) with the
 * nargs values on its stack, under a fresh budget.  Returns what
 * lua_resume returns: LUA_OK, LUA_YIELD, or an error status with the
 * error object on top of co's stack.  *nres gets the number of values
 * yielded or returned.  *over_budget is 1 when the budget (or the
 * host-time backstop) stopped the coroutine: normally as a LUA_YIELD with
 * no values, which the count hook forces and no pcall can catch; as an
 * error "ran N Lua instructions without reaching a step" when the budget
 * ran out where Lua cannot yield (inside a sort comparator, a gsub
 * callback, a metamethod called from C) or inside a library function
 * whose C work was charged to it.  Either way the coroutine should be
 * treated as stopped by the budget.  nres and over_budget may be NULL.
 */
int sb_resume(struct sandbox *sb, lua_State *co, int nargs, int *nres,
	      int *over_budget);

/*
 * Where the budget stopped the coroutine of the last sb_resume: the line
 * of the instruction it will run next when it stopped by yielding, or of
 * the code running when it stopped by an error (0 if that resume was not
 * stopped by the budget), and in *source (may be NULL) its
 * chunk name, e.g. "@lessons/x.lua", valid while the coroutine lives.
 * Use this, not lua_getinfo(co): after a count-hook yield Lua rewinds the
 * coroutine by one instruction, so lua_getinfo reports the line of the
 * instruction stored before that one (at a loop's head, the line above).
 */
int sb_stop_line(struct sandbox *sb, const char **source);

/*
 * The message and short traceback of a coroutine that sb_resume left in
 * an error status, malloc'd (NULL when out of memory).  The error object
 * stays on co's stack.
 */
char *sb_resume_error(struct sandbox *sb, lua_State *co);

/*
 * Call the function below the nargs values on top of sb_lua(sb)'s stack,
 * protected and under a fresh budget (e.g. a story predicate).  On
 * success 0 with nresults values pushed.  On error, over budget included
 * ("lessons/x.lua:7: ran N Lua instructions without reaching a step"),
 * -1 with the message and short traceback in *err, nothing pushed.
 */
int sb_pcall(struct sandbox *sb, int nargs, int nresults, char **err);

/* Where print() and warn() go (default: discarded). */
void sb_set_print(struct sandbox *sb, void (*fn)(void *ctx, const char *text),
		  void *ctx);

#endif
