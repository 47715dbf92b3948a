/*
 * script_fx.c - helpers for the Lua lesson runtime tests (script_fx.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checker.h"
#include "dt_sched.h"
#include "script_fx.h"
#include "testutil.h"

/* mkstemps is not in POSIX 2008; glibc declares it only with _DEFAULT_SOURCE. */
int mkstemps(char *template, int suffixlen);

void sfx_write(char *path, const char *src)
{
	snprintf(path, 64, "/tmp/dt_script_XXXXXX.lua");
	int fd = mkstemps(path, 4);
	ck_assert_msg(fd >= 0, "mkstemps failed");
	size_t len = strlen(src);
	ck_assert_int_eq(write(fd, src, len), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
}

void sfx_open_opt(struct sfx *f, const char *src, const struct rt_options *opt)
{
	char *err = NULL;
	memset(f, 0, sizeof(*f));
	sfx_write(f->path, src);
	int rc = rt_open(f->path, opt, &f->rt, &err);
	/* The runtime keeps the text (start over reruns it from memory), so the
	 * file can go now: a failing test leaves nothing behind in /tmp. */
	unlink(f->path);
	if (rc)
		ck_abort_msg("rt_open failed: %s", err ? err : "?");
	ck_assert_ptr_null(err);
	f->m = rt_machine(f->rt);
}

void sfx_open(struct sfx *f, const char *src)
{
	struct rt_options opt;
	rt_options_default(&opt);
	sfx_open_opt(f, src, &opt);
}

char *sfx_open_fail(const char *src, char *path)
{
	struct rt_options opt;
	struct rt *rt = NULL;
	char *err = NULL;
	rt_options_default(&opt);
	sfx_write(path, src);
	int rc = rt_open(path, &opt, &rt, &err);
	unlink(path);
	if (rc == 0)
		rt_close(rt);
	ck_assert_msg(rc != 0, "the lesson loaded but should not have");
	ck_assert_ptr_null(rt);
	ck_assert_ptr_nonnull(err);
	return err;
}

void sfx_close(struct sfx *f)
{
	rt_close(f->rt);
	f->rt = NULL;
	f->m = NULL;
}

int sfx_cpu(struct sfx *f, unsigned cpu)
{
	struct dt_choice c = { .kind = DT_CHOICE_CPU, .cpu = (uint16_t)cpu };
	return rt_step(f->rt, &c);
}

int sfx_cpus(struct sfx *f, unsigned cpu, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		int rc = sfx_cpu(f, cpu);
		ck_assert_msg(rc == DT_OK, "CPU %u step %u of %u: rc %d", cpu, i + 1, n, rc);
	}
	return DT_OK;
}

int sfx_fire(struct sfx *f, const char *event, unsigned cpu)
{
	const struct dt_state *st = dt_machine_state(f->m);
	for (unsigned e = 0; e < st->nevents; e++)
		if (strcmp(dt_machine_string(f->m, st->events[e].name), event) == 0) {
			struct dt_choice c = { .kind = DT_CHOICE_EVENT, .cpu = (uint16_t)cpu,
					       .object = (uint16_t)e };
			return rt_step(f->rt, &c);
		}
	ck_abort_msg("no device event '%s'", event);
	return -1;
}

unsigned sfx_thread(struct sfx *f, const char *name)
{
	const struct dt_state *st = dt_machine_state(f->m);
	for (unsigned t = 0; t < st->nthreads; t++)
		if (strcmp(dt_machine_string(f->m, st->threads[t].name), name) == 0)
			return t;
	ck_abort_msg("no thread '%s'", name);
	return 0;
}

int sfx_dispatch(struct sfx *f, const char *thread, unsigned cpu)
{
	struct dt_choice c = { .kind = DT_CHOICE_THREAD, .cpu = (uint16_t)cpu,
			       .object = (uint16_t)sfx_thread(f, thread) };
	return rt_step(f->rt, &c);
}

unsigned sfx_until_op(struct sfx *f, unsigned cpu, unsigned op, unsigned max)
{
	for (unsigned n = 0; n <= max; n++) {
		const struct dt_frame *t = sfx_top(f, cpu);
		if (t && t->state == DT_FS_AT_OP && t->op.kind == op)
			return n;
		if (n < max)
			ck_assert_msg(sfx_cpu(f, cpu) == DT_OK, "CPU %u cannot step (step %u)", cpu,
				      dt_machine_state(f->m)->step + 1);
	}
	ck_abort_msg("CPU %u never stopped before operation %u", cpu, op);
	return 0;
}

int sfx_run_to_end(struct sfx *f)
{
	story_run_to_end(f->rt, NULL);
	return dt_machine_state(f->m)->outcome.kind;
}

unsigned sfx_drain(struct sfx *f)
{
	struct dt_sched sched;
	struct dt_choice c;
	unsigned n = 0;
	dt_sched_round_robin(&sched);
	while (dt_machine_state(f->m)->outcome.kind == DT_RUNNING &&
	       dt_sched_next(&sched, f->m, &c)) {
		ck_assert_int_eq(rt_step(f->rt, &c), DT_OK);
		ck_assert_uint_lt(++n, 100000);
	}
	return n;
}

int sfx_fp_find(struct sfx *f, unsigned cpu, unsigned kind)
{
	struct dt_footprint fp;
	int found = -1;
	ck_assert_int_eq(dt_machine_footprint(f->m, cpu, &fp), DT_OK);
	for (unsigned i = 0; i < fp.nres; i++)
		if (fp.res[i].kind == kind) {
			ck_assert_msg(found < 0, "two footprint entries of kind %u", kind);
			found = (int)(fp.res[i].index | (unsigned)fp.res[i].write << 16);
		}
	return found;
}

unsigned sfx_var(struct sfx *f, const char *name)
{
	const struct dt_state *st = dt_machine_state(f->m);
	for (unsigned v = 0; v < st->nvars; v++)
		if (strcmp(dt_machine_string(f->m, st->vars[v].name), name) == 0)
			return v;
	ck_abort_msg("no shared value '%s'", name);
	return 0;
}

struct dt_value sfx_val(struct sfx *f, const char *name)
{
	return dt_machine_state(f->m)->vars[sfx_var(f, name)].value;
}

long long sfx_int(struct sfx *f, const char *name)
{
	struct dt_value v = sfx_val(f, name);
	ck_assert_msg(v.kind == DT_VAL_INT, "%s: kind %d, not an integer", name, v.kind);
	return (long long)v.u.i;
}

int sfx_bool(struct sfx *f, const char *name)
{
	struct dt_value v = sfx_val(f, name);
	ck_assert_msg(v.kind == DT_VAL_BOOL, "%s: kind %d, not a boolean", name, v.kind);
	return (int)v.u.i;
}

const char *sfx_str(struct sfx *f, const char *name)
{
	struct dt_value v = sfx_val(f, name);
	ck_assert_msg(v.kind == DT_VAL_STRING, "%s: kind %d, not a string", name, v.kind);
	return dt_machine_string(f->m, v.u.str);
}

const struct dt_frame *sfx_top(struct sfx *f, unsigned cpu)
{
	const struct dt_cpu *c = &dt_machine_state(f->m)->cpus[cpu];
	return c->nframes ? &c->frames[c->nframes - 1] : NULL;
}

const struct dt_frame *sfx_thread_frame(struct sfx *f, const char *thread)
{
	const struct dt_state *st = dt_machine_state(f->m);
	const struct dt_thread *t = &st->threads[sfx_thread(f, thread)];
	if (t->state == DT_TS_RUNNING && t->cpu >= 0)
		return &st->cpus[t->cpu].frames[0];
	return &t->ctx;
}

const struct dt_trace_event *sfx_trace_last(struct sfx *f, unsigned kind)
{
	const struct dt_trace_event *t = dt_machine_trace(f->m);
	for (size_t i = dt_machine_trace_count(f->m); i-- > 0;)
		if (t[i].kind == kind)
			return &t[i];
	return NULL;
}

size_t sfx_trace_count(struct sfx *f, unsigned kind)
{
	const struct dt_trace_event *t = dt_machine_trace(f->m);
	size_t n = 0;
	for (size_t i = 0; i < dt_machine_trace_count(f->m); i++)
		n += t[i].kind == kind;
	return n;
}

void sfx_trace_kinds(struct sfx *f, unsigned after_step, char *buf, size_t size)
{
	const struct dt_trace_event *t = dt_machine_trace(f->m);
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < dt_machine_trace_count(f->m) && at < size; i++)
		if (t[i].step > after_step)
			at += (size_t)snprintf(buf + at, size - at, "%s%s", at ? " " : "",
					       dt_event_kind_name(t[i].kind));
}

const char *sfx_string(struct sfx *f, unsigned id)
{
	return dt_machine_string(f->m, id);
}

struct sfx_lines {
	FILE *f;
};

static void collect_line(void *ctx, enum story_line_kind kind, const char *text)
{
	struct sfx_lines *l = ctx;
	fprintf(l->f, "%d %s\n", (int)kind, text);
}

int sfx_story(struct sfx *f, int narrate, struct story_result *res, char **out)
{
	size_t len = 0;
	struct sfx_lines l;
	*out = NULL;
	l.f = open_memstream(out, &len);
	ck_assert_ptr_nonnull(l.f);
	struct story_io io = { .ctx = &l, .line = collect_line, .narrate_events = narrate };
	int rc = story_run(f->rt, &io, res);
	fclose(l.f);
	return rc;
}

int sfx_check(const char *src, int verbose, char **out)
{
	char path[64];
	size_t len = 0;
	struct check_options co = { .verbose = verbose };
	sfx_write(path, src);
	FILE *mem = open_memstream(out, &len);
	ck_assert_ptr_nonnull(mem);
	int rc = check_lesson(path, &co, mem);
	fclose(mem);
	unlink(path);
	return rc;
}

unsigned sfx_line_of(const char *src, const char *needle)
{
	const char *at = strstr(src, needle);
	ck_assert_msg(at != NULL, "'%s' is not in the lesson", needle);
	unsigned line = 1;
	for (const char *p = src; p < at; p++)
		line += *p == '\n';
	return line;
}
