/*
 * history.c - keyframes, deltas and branching (dt_history.h).
 *
 * The state is plain data, so "what a step changed" is a byte diff of the
 * state before and after it.  Deltas are stored as runs of changed 32-byte
 * blocks: (offset, length, bytes).  Reconstructing step N copies the
 * keyframe at or below N and applies the deltas after it in order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dt_history.h"

#define BLOCK 32
#define SPAN 512 /* bytes compared at once while looking for a change */

struct delta {
	unsigned char *bytes; /* runs: u32 offset, u32 length, data */
	size_t len;
};

struct dt_session {
	struct dt_machine *m;
	struct dt_choice *log;
	size_t nlog, cap;
	size_t cursor;
	size_t state_size;
	struct delta *deltas;     /* deltas[i] turns state i into state i+1 */
	unsigned char **keys;     /* keys[k] = state at step k*DT_KEYFRAME_EVERY */
	size_t nkeys;
	unsigned char *prev;      /* the state at the head, as recorded */
	struct dt_state view;
	size_t view_step;         /* step `view` holds, or SIZE_MAX */
	size_t mem;
};

static int log_reserve(struct dt_session *s)
{
	if (s->nlog < s->cap)
		return 0;
	size_t cap = s->cap ? s->cap * 2 : 256;
	struct dt_choice *log = realloc(s->log, cap * sizeof(*log));
	struct delta *d = realloc(s->deltas, cap * sizeof(*d));
	if (log)
		s->log = log;
	if (d)
		s->deltas = d;
	if (!log || !d)
		return -1;
	s->cap = cap;
	return 0;
}

static int key_push(struct dt_session *s, const void *state)
{
	unsigned char **keys = realloc(s->keys, (s->nkeys + 1) * sizeof(*keys));
	if (!keys)
		return -1;
	s->keys = keys;
	keys[s->nkeys] = malloc(s->state_size);
	if (!keys[s->nkeys])
		return -1;
	memcpy(keys[s->nkeys++], state, s->state_size);
	s->mem += s->state_size;
	return 0;
}

/*
 * The first changed block at or after `off` (a multiple of BLOCK), or n.
 * A step changes a few hundred bytes of a state of many kilobytes, so the
 * scan compares SPAN bytes at a time and looks at the blocks of a span
 * only when it differs: one memcmp call per span rather than per block.
 */
static size_t next_change(const unsigned char *before, const unsigned char *now, size_t off,
			  size_t n)
{
	while (off < n) {
		size_t len = n - off < SPAN ? n - off : SPAN;
		if (memcmp(before + off, now + off, len) != 0)
			break;
		off += len;
	}
	for (; off < n; off += BLOCK) {
		size_t len = n - off < BLOCK ? n - off : BLOCK;
		if (memcmp(before + off, now + off, len) != 0)
			return off;
	}
	return n;
}

/* Append to d the runs where `now` differs from `before`. */
static int delta_add(struct dt_session *s, struct delta *d, const unsigned char *before,
		     const unsigned char *now)
{
	size_t n = s->state_size;
	for (size_t off = next_change(before, now, 0, n); off < n;
	     off = next_change(before, now, off, n)) {
		size_t len = n - off < BLOCK ? n - off : BLOCK;
		size_t end = off + len; /* extend the run over following changed blocks */
		while (end < n) {
			size_t l2 = n - end < BLOCK ? n - end : BLOCK;
			if (memcmp(before + end, now + end, l2) == 0)
				break;
			end += l2;
		}
		size_t lo = off, hi = end; /* trim to the bytes that really changed */
		while (before[lo] == now[lo])
			lo++;
		while (before[hi - 1] == now[hi - 1])
			hi--;
		uint32_t hdr[2] = { (uint32_t)lo, (uint32_t)(hi - lo) };
		unsigned char *b = realloc(d->bytes, d->len + sizeof(hdr) + (hi - lo));
		if (!b)
			return -1;
		d->bytes = b;
		memcpy(b + d->len, hdr, sizeof(hdr));
		memcpy(b + d->len + sizeof(hdr), now + lo, hi - lo);
		d->len += sizeof(hdr) + (hi - lo);
		s->mem += sizeof(hdr) + (hi - lo);
		off = end;
	}
	return 0;
}

static void delta_apply(const struct delta *d, unsigned char *state)
{
	size_t at = 0;
	while (at < d->len) {
		uint32_t hdr[2];
		memcpy(hdr, d->bytes + at, sizeof(hdr));
		memcpy(state + hdr[0], d->bytes + at + sizeof(hdr), hdr[1]);
		at += sizeof(hdr) + hdr[1];
	}
}

int dt_session_create(const struct dt_config *cfg, const struct dt_host_ops *host, void *ctx,
		      struct dt_session **out)
{
	if (!out || !cfg)
		return DT_EINVAL;
	*out = NULL;
	struct dt_session *s = calloc(1, sizeof(*s));
	if (!s)
		return DT_ENOMEM;
	int rc = dt_machine_create(cfg, host, ctx, &s->m);
	if (rc) {
		free(s);
		return rc;
	}
	s->state_size = dt_state_size(cfg->ncpus);
	s->prev = malloc(s->state_size);
	s->view_step = SIZE_MAX;
	if (!s->prev || key_push(s, dt_machine_state(s->m))) {
		dt_session_destroy(s);
		return DT_ENOMEM;
	}
	memcpy(s->prev, dt_machine_state(s->m), s->state_size);
	*out = s;
	return DT_OK;
}

static void future_discard(struct dt_session *s, size_t n)
{
	for (size_t i = n; i < s->nlog; i++) {
		s->mem -= s->deltas[i].len;
		free(s->deltas[i].bytes);
	}
	s->nlog = n;
	size_t keep = n / DT_KEYFRAME_EVERY + 1;
	while (s->nkeys > keep) {
		free(s->keys[--s->nkeys]);
		s->mem -= s->state_size;
	}
	s->view_step = SIZE_MAX;
}

void dt_session_destroy(struct dt_session *s)
{
	if (!s)
		return;
	future_discard(s, 0);
	while (s->nkeys)
		free(s->keys[--s->nkeys]);
	free(s->keys);
	free(s->log);
	free(s->deltas);
	free(s->prev);
	dt_machine_destroy(s->m);
	free(s);
}

struct dt_machine *dt_session_machine(struct dt_session *s)
{
	return s ? s->m : NULL;
}

size_t dt_session_cursor(const struct dt_session *s)
{
	return s->cursor;
}

size_t dt_session_head(const struct dt_session *s)
{
	return s->nlog;
}

const struct dt_choice *dt_session_choice(const struct dt_session *s, size_t i)
{
	return i < s->nlog ? &s->log[i] : NULL;
}

const struct dt_state *dt_session_view(struct dt_session *s)
{
	if (s->cursor == s->nlog)
		return dt_machine_state(s->m);
	if (s->view_step == s->cursor)
		return &s->view;
	size_t k = s->cursor / DT_KEYFRAME_EVERY;
	unsigned char *v = (unsigned char *)&s->view;
	memcpy(v, s->keys[k], s->state_size);
	for (size_t i = k * DT_KEYFRAME_EVERY; i < s->cursor; i++)
		delta_apply(&s->deltas[i], v);
	s->view_step = s->cursor;
	return &s->view;
}

const struct dt_trace_event *dt_session_trace(struct dt_session *s, size_t *count)
{
	const struct dt_trace_event *t = dt_machine_trace(s->m);
	size_t lo = 0, hi = dt_machine_trace_count(s->m);
	while (lo < hi) { /* first event after the viewed step */
		size_t mid = lo + (hi - lo) / 2;
		if (t[mid].step <= s->cursor)
			lo = mid + 1;
		else
			hi = mid;
	}
	*count = lo;
	return t;
}

/* Record the live machine's last step: log, delta, maybe a keyframe. */
static int record(struct dt_session *s, const struct dt_choice *c)
{
	if (log_reserve(s))
		return DT_ENOMEM;
	const unsigned char *now = (const unsigned char *)dt_machine_state(s->m);
	struct delta *d = &s->deltas[s->nlog];
	memset(d, 0, sizeof(*d));
	s->log[s->nlog++] = *c;
	if (delta_add(s, d, s->prev, now))
		return DT_ENOMEM;
	delta_apply(d, s->prev); /* the changed bytes are all that differ */
	if (s->nlog % DT_KEYFRAME_EVERY == 0 && key_push(s, now))
		return DT_ENOMEM;
	s->cursor = s->nlog;
	return DT_OK;
}

/* Start over and replay the first n recorded choices (bodies re-run). */
static int rebuild(struct dt_session *s, size_t n)
{
	int rc = dt_machine_start_over(s->m);
	for (size_t i = 0; rc == DT_OK && i < n; i++)
		rc = dt_machine_step(s->m, &s->log[i]);
	if (rc == DT_OK)
		memcpy(s->prev, dt_machine_state(s->m), s->state_size);
	return rc;
}

/* Is c enabled in state v?  The live machine briefly holds v to answer. */
static int choice_enabled_in(struct dt_session *s, const struct dt_state *v,
			     const struct dt_choice *c)
{
	struct dt_state *live = (struct dt_state *)dt_machine_state(s->m);
	unsigned char *save = malloc(s->state_size);
	if (!save)
		return 0;
	memcpy(save, live, s->state_size);
	memcpy(live, v, s->state_size);
	int ok = dt_machine_choice_enabled(s->m, c);
	memcpy(live, save, s->state_size);
	free(save);
	return ok;
}

int dt_session_step(struct dt_session *s, const struct dt_choice *c)
{
	if (!s || !c)
		return DT_EINVAL;
	if (s->cursor < s->nlog) {
		const struct dt_choice *r = &s->log[s->cursor];
		if (r->kind == c->kind && r->cpu == c->cpu && r->object == c->object) {
			s->cursor++; /* redo: the recorded future */
			return DT_OK;
		}
		/* Branch: refuse before touching anything if c is not enabled at
		 * the viewed step (enabledness depends on the state alone). */
		const struct dt_state *v = dt_session_view(s);
		if (v->outcome.kind != DT_RUNNING)
			return DT_EHALTED;
		if (!choice_enabled_in(s, v, c))
			return DT_ENOTENABLED;
		size_t at = s->cursor;
		int rc = rebuild(s, at);
		if (rc)
			return rc;
		future_discard(s, at);
	}
	int rc = dt_machine_step(s->m, c);
	if (rc)
		return rc;
	return record(s, c);
}

int dt_session_back(struct dt_session *s)
{
	if (!s || s->cursor == 0)
		return DT_EINVAL;
	s->cursor--;
	return DT_OK;
}

int dt_session_redo(struct dt_session *s)
{
	if (!s || s->cursor >= s->nlog)
		return DT_EINVAL;
	s->cursor++;
	return DT_OK;
}

int dt_session_goto(struct dt_session *s, size_t n)
{
	if (!s || n > s->nlog)
		return DT_EINVAL;
	s->cursor = n;
	return DT_OK;
}

int dt_session_settle(struct dt_session *s, int events_left)
{
	if (!s)
		return DT_EINVAL;
	if (s->cursor != s->nlog)
		return DT_EINVAL;
	int rc = dt_machine_settle(s->m, events_left);
	if (rc)
		return rc;
	const unsigned char *now = (const unsigned char *)dt_machine_state(s->m);
	if (memcmp(s->prev, now, s->state_size) == 0)
		return DT_OK;
	/* Amend the head: the last delta (or keyframe 0) gains the change. */
	if (s->nlog == 0)
		memcpy(s->keys[0], now, s->state_size);
	else if (s->nlog % DT_KEYFRAME_EVERY == 0)
		memcpy(s->keys[s->nlog / DT_KEYFRAME_EVERY], now, s->state_size);
	if (s->nlog && delta_add(s, &s->deltas[s->nlog - 1], s->prev, now))
		return DT_ENOMEM;
	memcpy(s->prev, now, s->state_size);
	s->view_step = SIZE_MAX;
	return DT_OK;
}

size_t dt_session_schedule(const struct dt_session *s, const char *lesson, char *buf,
			   size_t size)
{
	struct dt_schedule sch;
	dt_schedule_init(&sch);
	const struct dt_state *st = dt_machine_state(s->m);
	if (lesson)
		snprintf(sch.lesson, sizeof(sch.lesson), "%s", lesson);
	sch.lesson_hash = st->lesson_hash;
	sch.has_hash = lesson && st->lesson_hash;
	sch.cpus = st->ncpus;
	sch.seed = st->seed;
	for (size_t i = 0; i < s->nlog; i++) {
		struct dt_schedule_item it;
		dt_choice_item(s->m, &s->log[i], &it);
		if (dt_schedule_append(&sch, &it))
			break;
	}
	size_t n = dt_schedule_print(&sch, buf, size);
	dt_schedule_free(&sch);
	return n;
}

size_t dt_session_memory(const struct dt_session *s)
{
	return s ? s->mem : 0;
}
