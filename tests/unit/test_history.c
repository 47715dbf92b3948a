/*
 * test_history.c - sessions: viewing the past, stepping back, redo,
 * branching, settling and schedules (engine-contract 6, dt_history.h).
 *
 * The reference for every viewed state is a fresh machine stepped with
 * the first N logged choices: viewing step N must give exactly those
 * bytes, and exactly the trace events of steps 1..N.  Moving the view
 * (back, redo, goto, a step that repeats the recorded choice) must run
 * no body at all: the session's host here is a thin wrapper around the
 * C-program host that counts every body created, resumed and destroyed.
 * A different choice branches (start over, replay, new future); a choice
 * that is not enabled is refused and loses nothing.
 *
 * The scenario: 2 CPUs, an edge "nic" on both CPUs and a level "disk"
 * on CPU 0 only (so e(disk)@1 is never enabled); ISRs acknowledge and
 * queue their DPC, DPCs count their runs.  Runs come from the seeded
 * random scheduler with free device events.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dt_sched.h"
#include "fixture.h"
#include "testutil.h"

#define H_NCPUS 2

/* ISRs of device 0 (nic) and device 1 (disk): acknowledge what INTSTATUS
 * shows, queue the DPC, return TRUE. */
static const struct dt_cinsn h_isr[] = {
	CP_RDREG(0, 0, DT_REG_INTSTATUS),
	CP_WRREG(0, DT_REG_INTSTATUS, 0),
	CP_QUEUE_DPC(1),
	CP_RETI(1),
};
static const struct dt_cinsn h_isr_disk[] = {
	CP_RDREG(0, 1, DT_REG_INTSTATUS),
	CP_WRREG(1, DT_REG_INTSTATUS, 0),
	CP_QUEUE_DPC(1),
	CP_RETI(1),
};
static const struct dt_cinsn h_dpc[] = {
	CP_READ(0, 0), CP_ADDI(0, 1), CP_WRITE(0, 0), CP_STEP(3), CP_RETI(0),
};

/* A host that forwards to the C-program host and counts body calls. */
struct counting {
	struct dt_chost *inner;
	uint32_t hash; /* lesson hash the build records, 0 none */
	unsigned creates, resumes, destroys;
};

static int cnt_build(void *ctx, struct dt_machine *m)
{
	struct counting *c = ctx;
	int rc = dt_chost_ops()->build(c->inner, m);
	if (c->hash)
		dt_machine_set_lesson_hash(m, c->hash);
	return rc;
}

static void *cnt_create(void *ctx, const struct dt_call *call)
{
	struct counting *c = ctx;
	c->creates++;
	return dt_chost_ops()->body_create(c->inner, call);
}

static void cnt_resume(void *ctx, void *body, const struct dt_value *result,
		       struct dt_body_reply *reply)
{
	struct counting *c = ctx;
	c->resumes++;
	dt_chost_ops()->body_resume(c->inner, body, result, reply);
}

static void cnt_destroy(void *ctx, void *body)
{
	struct counting *c = ctx;
	c->destroys++;
	dt_chost_ops()->body_destroy(c->inner, body);
}

static const struct dt_host_ops counting_ops = {
	.build = cnt_build,
	.body_create = cnt_create,
	.body_resume = cnt_resume,
	.body_destroy = cnt_destroy,
};

struct hist {
	struct fx f;
	struct counting cnt;  /* the session's host */
	struct counting rcnt; /* reference machines' host */
	struct dt_session *s;
	size_t size; /* dt_state_size(H_NCPUS) */
};

static void hist_init(struct hist *h, uint32_t hash, const struct dt_switches *sw, uint64_t seed)
{
	memset(h, 0, sizeof(*h));
	fx_init(&h->f, H_NCPUS);
	h->f.cfg.seed = seed;
	if (sw)
		h->f.cfg.sw = *sw;
	unsigned isr = FX_PROG(&h->f, h_isr), isr_disk = FX_PROG(&h->f, h_isr_disk);
	unsigned dpc = FX_PROG(&h->f, h_dpc);
	fx_dev(&h->f, "nic", DT_LINE_EDGE, 5, 0, isr, dpc);
	fx_dev(&h->f, "disk", DT_LINE_LEVEL, 7, 0x1, isr_disk, dpc);
	fx_var(&h->f, "runs");
	h->cnt = (struct counting){ .inner = &h->f.host, .hash = hash };
	h->rcnt = (struct counting){ .inner = &h->f.host, .hash = hash };
	h->size = dt_state_size(H_NCPUS);
	ck_assert_int_eq(dt_session_create(&h->f.cfg, &counting_ops, &h->cnt, &h->s), DT_OK);
	ck_assert_int_eq(dt_machine_state(dt_session_machine(h->s))->outcome.kind, DT_RUNNING);
}

static void hist_done(struct hist *h)
{
	dt_session_destroy(h->s);
	h->s = NULL;
	ck_assert_uint_eq(h->f.host.live_bodies, 0);
}

/* A reference machine: same scenario, fresh, stepped with log[0..n). */
static struct dt_machine *replay_fresh(struct hist *h, size_t n)
{
	struct dt_machine *m;
	ck_assert_int_eq(dt_machine_create(&h->f.cfg, &counting_ops, &h->rcnt, &m), DT_OK);
	for (size_t i = 0; i < n; i++) {
		const struct dt_choice *c = dt_session_choice(h->s, i);
		ck_assert_ptr_nonnull(c);
		if (dt_machine_step(m, c) != DT_OK)
			ck_abort_msg("the logged choice %zu does not replay", i);
	}
	return m;
}

/* Drive the session with a seeded random scheduler for up to `steps`
 * steps; settle (recorded) when nothing can step and `settle` is set. */
static void hist_run(struct hist *h, uint64_t seed, uint32_t permille, uint32_t events,
		     size_t steps, int settle)
{
	struct dt_sched sc;
	dt_sched_random(&sc, seed, permille, events);
	struct dt_machine *m = dt_session_machine(h->s);
	for (size_t i = 0; i < steps; i++) {
		struct dt_choice c;
		if (dt_machine_state(m)->outcome.kind != DT_RUNNING)
			return;
		if (!dt_sched_next(&sc, m, &c)) {
			if (settle)
				ck_assert_int_eq(dt_session_settle(h->s, 0), DT_OK);
			return;
		}
		if (dt_session_step(h->s, &c) != DT_OK)
			ck_abort_msg("session step %zu refused a scheduler choice", i);
	}
}

static uint64_t fnv(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

/* Hashes of every viewed state 0..head, to spot any view that changes. */
static uint64_t *view_hashes(struct hist *h)
{
	size_t head = dt_session_head(h->s), cur = dt_session_cursor(h->s);
	uint64_t *v = malloc((head + 1) * sizeof(*v));
	ck_assert_ptr_nonnull(v);
	for (size_t n = 0; n <= head; n++) {
		ck_assert_int_eq(dt_session_goto(h->s, n), DT_OK);
		v[n] = fnv(dt_session_view(h->s), h->size);
	}
	ck_assert_int_eq(dt_session_goto(h->s, cur), DT_OK);
	return v;
}

/* The trace at the viewed step n: exactly the events of steps <= n, and
 * the same events a fresh replay of n choices records. */
static void check_trace_at(struct hist *h, size_t n, const struct dt_machine *ref)
{
	size_t count, total = dt_machine_trace_count(dt_session_machine(h->s));
	const struct dt_trace_event *t = dt_session_trace(h->s, &count);
	ck_assert_uint_le(count, total);
	for (size_t i = 0; i < total; i++) {
		if (i < count && t[i].step > n)
			ck_abort_msg("view %zu shows event %zu of step %u", n, i, t[i].step);
		if (i >= count && t[i].step <= n)
			ck_abort_msg("view %zu hides event %zu of step %u", n, i, t[i].step);
	}
	if (ref) {
		size_t rn = dt_machine_trace_count(ref);
		if (rn != count ||
		    (count && memcmp(t, dt_machine_trace(ref), count * sizeof(*t)) != 0))
			ck_abort_msg("view %zu: trace (%zu events) differs from a replay's (%zu)",
				     n, count, rn);
	}
}

/*
 * Viewing step N equals replaying N choices from scratch: for every N of
 * several random runs (each crossing a keyframe), dt_session_goto(N) +
 * dt_session_view() has the bytes of a fresh machine stepped with the
 * first N logged choices, and the trace at N is exactly the events with
 * step <= N.  Views visited again in random order still match.
 */
START_TEST(test_history_view_equals_replay)
{
	static const uint64_t seeds[] = { 1, 7, 42, 1234 };
	for (unsigned si = 0; si < sizeof(seeds) / sizeof(seeds[0]); si++) {
		struct hist h;
		hist_init(&h, 0, NULL, 0);
		hist_run(&h, seeds[si], 250, 200, DT_KEYFRAME_EVERY + 300, 0);
		size_t head = dt_session_head(h.s);
		ck_assert_uint_gt(head, DT_KEYFRAME_EVERY + 1);
		uint64_t *hashes = malloc((head + 1) * sizeof(*hashes));
		ck_assert_ptr_nonnull(hashes);
		/* Every N, against one reference machine stepped along. */
		struct dt_machine *ref = replay_fresh(&h, 0);
		for (size_t n = 0; n <= head; n++) {
			if (n)
				ck_assert_int_eq(
					dt_machine_step(ref, dt_session_choice(h.s, n - 1)), DT_OK);
			ck_assert_int_eq(dt_session_goto(h.s, n), DT_OK);
			ck_assert_uint_eq(dt_session_cursor(h.s), n);
			const struct dt_state *v = dt_session_view(h.s);
			if (memcmp(v, dt_machine_state(ref), h.size) != 0)
				ck_abort_msg("seed %llu: view of step %zu differs from a replay",
					     (unsigned long long)seeds[si], n);
			ck_assert_uint_eq(v->step, n);
			hashes[n] = fnv(v, h.size);
			check_trace_at(&h, n, ref);
		}
		dt_machine_destroy(ref);
		/* Some N with machines that are fresh for each N. */
		for (unsigned k = 0; k < 8; k++) {
			size_t n = (size_t)((seeds[si] * 2654435761u + k * 97u) % (head + 1));
			ref = replay_fresh(&h, n);
			ck_assert_int_eq(dt_session_goto(h.s, n), DT_OK);
			ck_assert_int_eq(
				memcmp(dt_session_view(h.s), dt_machine_state(ref), h.size), 0);
			dt_machine_destroy(ref);
		}
		/* Random order: views are rebuilt, never stale. */
		uint64_t g = seeds[si];
		for (unsigned k = 0; k < 200; k++) {
			g = g * 6364136223846793005ull + 1442695040888963407ull;
			size_t n = (size_t)((g >> 33) % (head + 1));
			ck_assert_int_eq(dt_session_goto(h.s, n), DT_OK);
			ck_assert_uint_eq(fnv(dt_session_view(h.s), h.size), hashes[n]);
		}
		free(hashes);
		hist_done(&h);
	}
}
END_TEST

/* Step a session until some body is alive (a CPU has a frame). */
static void run_until_busy(struct hist *h, size_t min_steps)
{
	struct dt_sched sc;
	dt_sched_random(&sc, 99, 300, 1000);
	struct dt_machine *m = dt_session_machine(h->s);
	for (size_t i = 0; i < 5000; i++) {
		const struct dt_state *st = dt_machine_state(m);
		if (i >= min_steps && (st->cpus[0].nframes || st->cpus[1].nframes))
			return;
		struct dt_choice c;
		ck_assert_int_ne(dt_sched_next(&sc, m, &c), 0);
		ck_assert_int_eq(dt_session_step(h->s, &c), DT_OK);
	}
	ck_abort_msg("no body ever came alive");
}

/*
 * back, redo and goto move the cursor and nothing else: no body is
 * created, resumed or destroyed (the host's live-body count and the
 * counters stay), the live machine's state and trace stay byte-identical,
 * and the view follows the cursor.  They refuse to move past either end.
 */
START_TEST(test_history_back_redo_run_no_body)
{
	struct hist h;
	hist_init(&h, 0, NULL, 0);
	run_until_busy(&h, 300);
	struct dt_machine *m = dt_session_machine(h.s);
	size_t head = dt_session_head(h.s);
	ck_assert_uint_eq(dt_session_cursor(h.s), head);
	unsigned live = h.f.host.live_bodies;
	ck_assert_uint_gt(live, 0);
	struct counting before = h.cnt;
	unsigned char *live_state = malloc(h.size);
	ck_assert_ptr_nonnull(live_state);
	memcpy(live_state, dt_machine_state(m), h.size);
	size_t ntrace = dt_machine_trace_count(m);
	uint64_t *hashes = view_hashes(&h);

	for (size_t k = 1; k <= head; k++) {
		ck_assert_int_eq(dt_session_back(h.s), DT_OK);
		ck_assert_uint_eq(dt_session_cursor(h.s), head - k);
		ck_assert_uint_eq(fnv(dt_session_view(h.s), h.size), hashes[head - k]);
	}
	ck_assert_int_eq(dt_session_back(h.s), DT_EINVAL); /* at step 0 */
	ck_assert_uint_eq(dt_session_cursor(h.s), 0);
	for (size_t k = 1; k <= head; k++) {
		ck_assert_int_eq(dt_session_redo(h.s), DT_OK);
		ck_assert_uint_eq(dt_session_cursor(h.s), k);
		if (k % 17 == 0 || k == head)
			ck_assert_uint_eq(fnv(dt_session_view(h.s), h.size), hashes[k]);
	}
	ck_assert_int_eq(dt_session_redo(h.s), DT_EINVAL); /* at the head */
	ck_assert_int_eq(dt_session_goto(h.s, head + 1), DT_EINVAL);
	ck_assert_uint_eq(dt_session_cursor(h.s), head);
	ck_assert_int_eq(dt_session_goto(h.s, head / 2), DT_OK);
	(void)dt_session_view(h.s);
	ck_assert_int_eq(dt_session_goto(h.s, 3), DT_OK);
	(void)dt_session_view(h.s);

	ck_assert_uint_eq(h.f.host.live_bodies, live);
	ck_assert_uint_eq(h.cnt.creates, before.creates);
	ck_assert_uint_eq(h.cnt.resumes, before.resumes);
	ck_assert_uint_eq(h.cnt.destroys, before.destroys);
	ck_assert_uint_eq(dt_session_head(h.s), head);
	ck_assert_int_eq(memcmp(dt_machine_state(m), live_state, h.size), 0);
	ck_assert_uint_eq(dt_machine_trace_count(m), ntrace);
	free(hashes);
	free(live_state);
	hist_done(&h);
}
END_TEST

/*
 * After stepping back, a step with the recorded choice is a redo: the
 * cursor moves on, the head stays, no body runs and the live machine is
 * untouched; the view is the recorded one.  Once the cursor is back at
 * the head, stepping is live again (the head grows).
 */
START_TEST(test_history_step_recorded_choice_is_redo)
{
	struct hist h;
	hist_init(&h, 0, NULL, 0);
	run_until_busy(&h, 280);
	struct dt_machine *m = dt_session_machine(h.s);
	size_t head = dt_session_head(h.s);
	uint64_t *hashes = view_hashes(&h);
	uint64_t live = fnv(dt_machine_state(m), h.size);
	ck_assert_int_eq(dt_session_goto(h.s, head - 40), DT_OK);
	struct counting before = h.cnt;
	unsigned bodies = h.f.host.live_bodies;
	for (size_t n = head - 40; n < head; n++) {
		struct dt_choice c = *dt_session_choice(h.s, n);
		ck_assert_int_eq(dt_session_step(h.s, &c), DT_OK);
		ck_assert_uint_eq(dt_session_cursor(h.s), n + 1);
		ck_assert_uint_eq(dt_session_head(h.s), head);
		ck_assert_uint_eq(fnv(dt_session_view(h.s), h.size), hashes[n + 1]);
	}
	ck_assert_uint_eq(h.cnt.resumes, before.resumes);
	ck_assert_uint_eq(h.cnt.creates, before.creates);
	ck_assert_uint_eq(h.cnt.destroys, before.destroys);
	ck_assert_uint_eq(h.f.host.live_bodies, bodies);
	ck_assert_uint_eq(fnv(dt_machine_state(m), h.size), live);
	/* Live again at the head. */
	struct dt_choice en[DT_MAX_CPUS];
	ck_assert_uint_gt(dt_machine_enabled(m, en, DT_MAX_CPUS), 0);
	ck_assert_int_eq(dt_session_step(h.s, &en[0]), DT_OK);
	ck_assert_uint_eq(dt_session_head(h.s), head + 1);
	ck_assert_uint_eq(dt_session_cursor(h.s), head + 1);
	ck_assert_uint_gt(h.cnt.resumes + h.cnt.creates + h.cnt.destroys,
			  before.resumes + before.creates + before.destroys);
	free(hashes);
	hist_done(&h);
}
END_TEST

/* An enabled choice at the reference machine `ref` that differs from `not`. */
static int other_enabled(const struct dt_machine *ref, const struct dt_choice * not,
			 struct dt_choice *out)
{
	struct dt_choice en[DT_MAX_CPUS];
	unsigned n = dt_machine_enabled(ref, en, DT_MAX_CPUS);
	for (unsigned i = 0; i < n; i++) {
		if (en[i].kind != not ->kind || en[i].cpu != not ->cpu ||
		    en[i].object != not ->object) {
			*out = en[i];
			return 1;
		}
	}
	/* A device event is always a choice: e(nic)@cpu for either CPU. */
	for (unsigned cpu = 0; cpu < H_NCPUS; cpu++) {
		struct dt_choice e = { .kind = DT_CHOICE_EVENT, .cpu = (uint16_t)cpu, .object = 0 };
		if ((e.kind != not ->kind || e.cpu != not ->cpu || e.object != not ->object) &&
		    dt_machine_choice_enabled(ref, &e)) {
			*out = e;
			return 1;
		}
	}
	return 0;
}

/*
 * A different choice at step N branches: the head becomes N+1, the
 * recorded future is gone, the live state equals a fresh replay of the
 * new log (and so does its trace), the views up to N are unchanged, and
 * the session goes on recording correctly after the branch (views after
 * it match replays too).  Branch points below, at and above a keyframe.
 */
START_TEST(test_history_branch_discards_future)
{
	static const size_t at[] = { 100, DT_KEYFRAME_EVERY, DT_KEYFRAME_EVERY + 20, 5, 0 };
	for (unsigned ai = 0; ai < sizeof(at) / sizeof(at[0]); ai++) {
		struct hist h;
		hist_init(&h, 0, NULL, 0);
		hist_run(&h, 3 + ai, 250, 200, DT_KEYFRAME_EVERY + 120, 0);
		size_t head = dt_session_head(h.s), n = at[ai];
		ck_assert_uint_gt(head, n + 5);
		uint64_t *hashes = view_hashes(&h);
		struct dt_machine *ref = replay_fresh(&h, n);
		struct dt_choice c, rec = *dt_session_choice(h.s, n);
		ck_assert(other_enabled(ref, &rec, &c));
		ck_assert_int_eq(dt_session_goto(h.s, n), DT_OK);
		ck_assert_int_eq(dt_session_step(h.s, &c), DT_OK);
		ck_assert_uint_eq(dt_session_head(h.s), n + 1);
		ck_assert_uint_eq(dt_session_cursor(h.s), n + 1);
		const struct dt_choice *got = dt_session_choice(h.s, n);
		ck_assert(got && got->kind == c.kind && got->cpu == c.cpu &&
			  got->object == c.object);
		ck_assert_ptr_null(dt_session_choice(h.s, n + 1));
		ck_assert_int_eq(dt_machine_step(ref, &c), DT_OK);
		struct dt_machine *m = dt_session_machine(h.s);
		ck_assert_int_eq(memcmp(dt_machine_state(m), dt_machine_state(ref), h.size), 0);
		ck_assert_uint_eq(dt_machine_trace_count(m), dt_machine_trace_count(ref));
		ck_assert_int_eq(memcmp(dt_machine_trace(m), dt_machine_trace(ref),
					dt_machine_trace_count(m) * sizeof(struct dt_trace_event)),
				 0);
		for (size_t k = 0; k <= n; k++) {
			ck_assert_int_eq(dt_session_goto(h.s, k), DT_OK);
			ck_assert_uint_eq(fnv(dt_session_view(h.s), h.size), hashes[k]);
		}
		dt_machine_destroy(ref);
		/* Record on after the branch; the new past views like a replay. */
		ck_assert_int_eq(dt_session_goto(h.s, n + 1), DT_OK);
		hist_run(&h, 77 + ai, 250, 40, DT_KEYFRAME_EVERY, 0);
		size_t head2 = dt_session_head(h.s);
		ck_assert_uint_gt(head2, n + 1);
		ref = replay_fresh(&h, 0);
		for (size_t k = 0; k <= head2; k++) {
			if (k)
				ck_assert_int_eq(
					dt_machine_step(ref, dt_session_choice(h.s, k - 1)), DT_OK);
			ck_assert_int_eq(dt_session_goto(h.s, k), DT_OK);
			if (memcmp(dt_session_view(h.s), dt_machine_state(ref), h.size) != 0)
				ck_abort_msg("branch at %zu: view %zu differs from a replay", n, k);
		}
		dt_machine_destroy(ref);
		free(hashes);
		hist_done(&h);
	}
}
END_TEST

/* Refuse a not-enabled choice at step n; assert that nothing changed. */
static void refuse_and_check(struct hist *h, size_t n, const struct dt_choice *c,
			     const uint64_t *hashes)
{
	struct dt_machine *m = dt_session_machine(h->s);
	size_t head = dt_session_head(h->s);
	uint64_t live = fnv(dt_machine_state(m), h->size);
	size_t ntrace = dt_machine_trace_count(m);
	uint64_t trace = fnv(dt_machine_trace(m), ntrace * sizeof(struct dt_trace_event));
	ck_assert_int_eq(dt_session_goto(h->s, n), DT_OK);
	ck_assert_int_eq(dt_session_step(h->s, c), DT_ENOTENABLED);
	ck_assert_uint_eq(dt_session_head(h->s), head);
	ck_assert_uint_eq(dt_session_cursor(h->s), n);
	ck_assert_uint_eq(fnv(dt_machine_state(m), h->size), live);
	ck_assert_uint_eq(dt_machine_trace_count(m), ntrace);
	ck_assert_uint_eq(fnv(dt_machine_trace(m), ntrace * sizeof(struct dt_trace_event)), trace);
	for (size_t k = 0; k <= head; k++) {
		ck_assert_int_eq(dt_session_goto(h->s, k), DT_OK);
		if (fnv(dt_session_view(h->s), h->size) != hashes[k])
			ck_abort_msg("after a refused branch at %zu, view %zu changed", n, k);
	}
}

/*
 * A branch with a choice that is not enabled at that point returns
 * DT_ENOTENABLED and loses nothing: head, cursor, every view, the live
 * state and its trace stay as they were.  Two kinds: an event to a CPU
 * outside the line's affinity, and a CPU that cannot step there.
 */
START_TEST(test_history_refused_branch_loses_nothing)
{
	struct hist h;
	hist_init(&h, 0, NULL, 0);
	hist_run(&h, 11, 250, 200, 400, 0);
	ck_assert_uint_eq(dt_session_head(h.s), 400);
	size_t head = dt_session_head(h.s);
	uint64_t *hashes = view_hashes(&h);
	struct dt_choice disk_at_1 = { .kind = DT_CHOICE_EVENT, .cpu = 1, .object = 1 };
	refuse_and_check(&h, head / 3, &disk_at_1, hashes);
	refuse_and_check(&h, DT_KEYFRAME_EVERY + 3, &disk_at_1, hashes);
	/* A step where some CPU cannot step. */
	int found = 0;
	struct dt_machine *ref = replay_fresh(&h, 0);
	for (size_t n = 0; n < head && !found; n++) {
		for (unsigned cpu = 0; cpu < H_NCPUS && !found; cpu++) {
			if (dt_cpu_can_step(ref, cpu))
				continue;
			struct dt_choice c = { .kind = DT_CHOICE_CPU, .cpu = (uint16_t)cpu };
			refuse_and_check(&h, n, &c, hashes);
			found = 1;
		}
		ck_assert_int_eq(dt_machine_step(ref, dt_session_choice(h.s, n)), DT_OK);
	}
	ck_assert(found);
	dt_machine_destroy(ref);
	/* The session still works: a redo and a live step. */
	ck_assert_int_eq(dt_session_goto(h.s, head - 1), DT_OK);
	ck_assert_int_eq(dt_session_step(h.s, dt_session_choice(h.s, head - 1)), DT_OK);
	ck_assert_uint_eq(dt_session_cursor(h.s), head);
	free(hashes);
	hist_done(&h);
}
END_TEST

/*
 * The same refusal after the run was settled (quiescent): the settle is
 * part of the recorded past, so it is not lost either; the head still
 * shows the quiescent outcome and the trace still ends with QUIESCENT.
 */
START_TEST(test_history_refused_branch_after_settle_keeps_outcome)
{
	struct hist h;
	hist_init(&h, 0, NULL, 0);
	hist_run(&h, 12, 250, 20, 100000, 1);
	struct dt_machine *m = dt_session_machine(h.s);
	ck_assert_int_eq(dt_machine_state(m)->outcome.kind, DT_QUIESCENT);
	size_t head = dt_session_head(h.s);
	uint64_t *hashes = view_hashes(&h);
	struct dt_choice disk_at_1 = { .kind = DT_CHOICE_EVENT, .cpu = 1, .object = 1 };
	refuse_and_check(&h, head / 2, &disk_at_1, hashes);
	ck_assert_int_eq(dt_session_goto(h.s, head), DT_OK);
	ck_assert_int_eq(dt_session_view(h.s)->outcome.kind, DT_QUIESCENT);
	free(hashes);
	hist_done(&h);
}
END_TEST

/*
 * Settling is recorded: viewing the head shows the quiescent outcome and
 * its trace ends with QUIESCENT; the step before still shows a running
 * machine; settle refuses while viewing the past; a settle with events
 * still to come changes nothing.
 */
START_TEST(test_history_settle_is_recorded)
{
	struct hist h;
	hist_init(&h, 0, NULL, 0);
	hist_run(&h, 5, 250, 30, 100000, 0);
	struct dt_machine *m = dt_session_machine(h.s);
	size_t head = dt_session_head(h.s);
	ck_assert_int_eq(dt_machine_state(m)->outcome.kind, DT_RUNNING);
	ck_assert_uint_eq(dt_machine_enabled(m, NULL, 0), 0);
	uint64_t before = fnv(dt_machine_state(m), h.size);
	ck_assert_int_eq(dt_session_settle(h.s, 1), DT_OK); /* events left: still running */
	ck_assert_uint_eq(fnv(dt_machine_state(m), h.size), before);
	ck_assert_int_eq(dt_session_goto(h.s, head - 1), DT_OK);
	ck_assert_int_eq(dt_session_settle(h.s, 0), DT_EINVAL); /* not at the head */
	ck_assert_int_eq(dt_session_goto(h.s, head), DT_OK);
	ck_assert_int_eq(dt_session_settle(h.s, 0), DT_OK);
	ck_assert_uint_eq(dt_session_head(h.s), head);
	ck_assert_int_eq(dt_session_view(h.s)->outcome.kind, DT_QUIESCENT);
	ck_assert_int_eq(dt_session_goto(h.s, head - 1), DT_OK);
	ck_assert_int_eq(dt_session_view(h.s)->outcome.kind, DT_RUNNING);
	ck_assert_int_eq(dt_session_goto(h.s, 0), DT_OK);
	ck_assert_int_eq(dt_session_view(h.s)->outcome.kind, DT_RUNNING);
	ck_assert_int_eq(dt_session_goto(h.s, head), DT_OK);
	const struct dt_state *v = dt_session_view(h.s);
	ck_assert_int_eq(v->outcome.kind, DT_QUIESCENT);
	ck_assert_uint_eq(v->outcome.step, head);
	size_t count;
	const struct dt_trace_event *t = dt_session_trace(h.s, &count);
	ck_assert_uint_gt(count, 0);
	ck_assert_uint_eq(t[count - 1].kind, DT_EV_QUIESCENT);
	/* The halted head refuses a step; the past still views fine. */
	struct dt_choice c0 = { .kind = DT_CHOICE_CPU, .cpu = 0 };
	ck_assert_int_eq(dt_session_step(h.s, &c0), DT_EHALTED);
	ck_assert_uint_eq(dt_session_head(h.s), head);
	free(view_hashes(&h)); /* every past view still builds after the settle */
	hist_done(&h);
}
END_TEST

/*
 * dt_session_schedule prints the log as a schedule that dt_schedule_parse
 * reads and dt_machine_replay applies on a fresh machine: the final
 * state bytes (after the same settle) and the traces are identical.  The
 * text carries the lesson name, hash, CPU count and seed.
 */
START_TEST(test_history_schedule_replays_exactly)
{
	struct hist h;
	hist_init(&h, 0x1a2b3c4du, NULL, 7);
	hist_run(&h, 21, 250, 40, 100000, 1);
	struct dt_machine *m = dt_session_machine(h.s);
	ck_assert_int_eq(dt_machine_state(m)->outcome.kind, DT_QUIESCENT);
	size_t len = dt_session_schedule(h.s, "two-dpcs", NULL, 0);
	char *text = malloc(len + 1);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(dt_session_schedule(h.s, "two-dpcs", text, len + 1), len);
	ck_assert_msg(strncmp(text, "v1 lesson=two-dpcs@1a2b3c4d cpus=2 seed=7:", 42) == 0,
		      "header: %.60s", text);
	struct dt_schedule sch;
	struct dt_schedule_error err;
	ck_assert_msg(dt_schedule_parse(text, &sch, &err) == 0, "parse: column %u: %s", err.column,
		      err.reason);
	ck_assert_uint_eq(dt_schedule_length(&sch), dt_session_head(h.s));
	struct dt_machine *fresh;
	ck_assert_int_eq(dt_machine_create(&h.f.cfg, &counting_ops, &h.rcnt, &fresh), DT_OK);
	ck_assert_msg(dt_machine_replay(fresh, &sch, &err) == DT_OK, "replay: column %u: %s",
		      err.column, err.reason);
	ck_assert_int_eq(dt_machine_settle(fresh, 0), DT_OK);
	ck_assert_int_eq(memcmp(dt_machine_state(fresh), dt_machine_state(m), h.size), 0);
	ck_assert_uint_eq(dt_machine_trace_count(fresh), dt_machine_trace_count(m));
	ck_assert_int_eq(memcmp(dt_machine_trace(fresh), dt_machine_trace(m),
				dt_machine_trace_count(m) * sizeof(struct dt_trace_event)),
			 0);
	dt_machine_destroy(fresh);
	dt_schedule_free(&sch);
	free(text);
	hist_done(&h);
}
END_TEST

/* Parse `text` and replay it on a fresh fixture machine; return the
 * result and the refusal. */
static int replay_text(struct hist *h, const char *text, struct dt_schedule_error *err)
{
	struct dt_schedule sch;
	struct dt_machine *m;
	ck_assert_msg(dt_schedule_parse(text, &sch, err) == 0, "parse '%s': %s", text, err->reason);
	ck_assert_int_eq(dt_machine_create(&h->f.cfg, &counting_ops, &h->rcnt, &m), DT_OK);
	memset(err, 0, sizeof(*err));
	int rc = dt_machine_replay(m, &sch, err);
	dt_machine_destroy(m);
	dt_schedule_free(&sch);
	return rc;
}

static uint32_t col_of(const char *text, const char *item)
{
	const char *p = strstr(text, item);
	ck_assert_ptr_nonnull(p);
	return (uint32_t)(p - text) + 1;
}

/*
 * Replay refuses what does not fit, with the column and the reason
 * (engine-contract 2, engine/choice.c): another CPU count, another lesson
 * version, an unknown event name, a CPU out of range, a choice not
 * enabled at that point (an idle CPU; an event to a CPU outside the
 * line's affinity set).  Header mismatches point at the whole input
 * (column 0); item refusals at the item.
 */
START_TEST(test_history_replay_refusals)
{
	struct hist h;
	struct dt_schedule_error err;
	hist_init(&h, 0x1a2b3c4du, NULL, 0);

	ck_assert_int_eq(replay_text(&h, "v1 cpus=3: 0", &err), DT_EINVAL);
	ck_assert_uint_eq(err.column, 0);
	ck_assert_msg(strstr(err.reason, "cpus=3") && strstr(err.reason, "2 CPUs"), "%s",
		      err.reason);

	ck_assert_int_eq(replay_text(&h, "v1 lesson=x@deadbeef cpus=2: 0", &err), DT_EINVAL);
	ck_assert_uint_eq(err.column, 0);
	ck_assert_msg(strstr(err.reason, "lesson version deadbeef") && strstr(err.reason, "1a2b3c4"
											  "d"),
		      "%s", err.reason);
	/* The matching hash replays. */
	ck_assert_int_eq(replay_text(&h, "v1 lesson=x@1a2b3c4d cpus=2: e(nic)@0 0", &err), DT_OK);

	const char *t = "v1 cpus=2: e(nic)@0 0 e(nosuch)@1 0";
	ck_assert_int_eq(replay_text(&h, t, &err), DT_EINVAL);
	ck_assert_uint_eq(err.column, col_of(t, "e(nosuch)"));
	ck_assert_msg(strstr(err.reason, "no device event is named 'nosuch'"), "%s", err.reason);

	t = "v1 cpus=2: e(nic)@0 0 1";
	ck_assert_int_eq(replay_text(&h, t, &err), DT_EINVAL);
	ck_assert_uint_eq(err.column, (uint32_t)strlen(t));
	ck_assert_msg(strstr(err.reason, "choice not enabled at step 3") &&
			      strstr(err.reason, "CPU 1 cannot step") && strstr(err.reason, "idle"),
		      "%s", err.reason);

	t = "v1 cpus=2: e(nic)@1 1 e(disk)@1";
	ck_assert_int_eq(replay_text(&h, t, &err), DT_EINVAL);
	ck_assert_uint_eq(err.column, col_of(t, "e(disk)"));
	ck_assert_msg(strstr(err.reason, "choice not enabled at step 3") && strstr(err.reason, "aff"
											       "ini"
											       "t"
											       "y"),
		      "%s", err.reason);

	/* A run item is refused at its own column when one of its repeats is
	 * not enabled (CPU 0 runs out of work long before 50 steps). */
	t = "v1 cpus=2: e(nic)@0 0*50";
	ck_assert_int_eq(replay_text(&h, t, &err), DT_EINVAL);
	ck_assert_uint_eq(err.column, col_of(t, "0*50"));
	ck_assert_msg(strstr(err.reason, "CPU 0 cannot step"), "%s", err.reason);

	/* CPU out of range: the parser refuses it against cpus=, and an item
	 * built by hand is refused by binding and by replay. */
	ck_assert_int_eq(dt_schedule_parse("v1 cpus=2: 0 5", &(struct dt_schedule){ 0 }, &err), -1);
	ck_assert_uint_eq(err.column, 14);
	struct dt_machine *m;
	ck_assert_int_eq(dt_machine_create(&h.f.cfg, &counting_ops, &h.rcnt, &m), DT_OK);
	struct dt_schedule_item item = { .kind = DT_CHOICE_CPU, .cpu = 5, .repeat = 1, .column = 9 };
	struct dt_choice c;
	ck_assert_int_eq(dt_schedule_item_choice(m, &item, &c, &err), DT_EINVAL);
	ck_assert_uint_eq(err.column, 9);
	ck_assert_msg(strstr(err.reason, "CPU 5 is out of range"), "%s", err.reason);
	struct dt_schedule hand = {
		.version = 1, .cpus = H_NCPUS, .items = &item, .nitems = 1, .cap = 1
	};
	ck_assert_int_eq(dt_machine_replay(m, &hand, &err), DT_EINVAL);
	ck_assert_uint_eq(err.column, 9);
	ck_assert_msg(strstr(err.reason, "out of range"), "%s", err.reason);
	ck_assert_uint_eq(dt_machine_state(m)->step, 0);
	dt_machine_destroy(m);
	hist_done(&h);
}
END_TEST

/*
 * A 2-CPU session of 10,000 steps keeps its history small: on average
 * under 400 bytes per step (keyframes every DT_KEYFRAME_EVERY steps plus
 * trimmed deltas; a state is about 18 KB), and viewing step 9,999 gives the bytes of a fresh
 * replay of 9,999 choices; so do steps 0 and 5,000.
 */
START_TEST(test_history_memory_and_long_view)
{
	struct hist h;
	struct dt_switches sw;
	struct dt_config def;
	dt_config_default(&def, H_NCPUS);
	sw = def.sw;
	sw.watchdog_single_us = 0; /* a long run must not end in 0x133 */
	sw.watchdog_cumulative_us = 0;
	hist_init(&h, 0, &sw, 0);
	size_t mem0 = dt_session_memory(h.s);
	hist_run(&h, 2024, 300, 100000, 10000, 0);
	ck_assert_uint_eq(dt_session_head(h.s), 10000);
	size_t mem = dt_session_memory(h.s);
	double per_step = (double)(mem - mem0) / 10000.0;
	fprintf(stderr, "history: %zu bytes for 10000 steps (%.1f bytes/step, state %zu bytes)\n",
		mem, per_step, h.size);
	ck_assert_uint_gt(mem, mem0);
	/* Measured: about 220 bytes per step (74 of them keyframes).  The
	 * bound is generous; it catches a history that copies whole blocks or
	 * states per step (keyframes every 32 steps alone would be 580). */
	ck_assert_msg(per_step < 400.0, "history grows %.1f bytes per step", per_step);
	static const size_t ns[] = { 9999, 0, 5000, 10000 };
	for (unsigned i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		struct dt_machine *ref = replay_fresh(&h, ns[i]);
		ck_assert_int_eq(dt_session_goto(h.s, ns[i]), DT_OK);
		const struct dt_state *v = dt_session_view(h.s);
		ck_assert_uint_eq(v->step, ns[i]);
		if (memcmp(v, dt_machine_state(ref), h.size) != 0)
			ck_abort_msg("view of step %zu differs from a replay", ns[i]);
		check_trace_at(&h, ns[i], ref);
		dt_machine_destroy(ref);
	}
	hist_done(&h);
}
END_TEST

Suite *history_suite(void)
{
	Suite *s = suite_create("history");
	TCase *tc = tcase_create("session");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_history_view_equals_replay);
	tcase_add_test(tc, test_history_back_redo_run_no_body);
	tcase_add_test(tc, test_history_step_recorded_choice_is_redo);
	tcase_add_test(tc, test_history_branch_discards_future);
	tcase_add_test(tc, test_history_refused_branch_loses_nothing);
	tcase_add_test(tc, test_history_refused_branch_after_settle_keeps_outcome);
	tcase_add_test(tc, test_history_settle_is_recorded);
	tcase_add_test(tc, test_history_schedule_replays_exactly);
	tcase_add_test(tc, test_history_replay_refusals);
	tcase_add_test(tc, test_history_memory_and_long_view);
	suite_add_tcase(s, tc);
	return s;
}
