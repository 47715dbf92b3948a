/*
 * fuzz_engine.c - libFuzzer target: bytes become a machine, its bodies
 * and a sequence of engine API calls.
 *
 * The engine promises that nothing a lesson does aborts the host: driver
 * mistakes become simulated bug checks, bad arguments become dt_err codes
 * (dt_machine.h).  This target holds it to that with C-program bodies
 * (dt_cprog.h), whose instructions come straight from the input, so
 * bodies pass any handle, any operation kind, any register, any cost.
 *
 * Layout of the input (a byte past the end reads as 0):
 *
 *   header   ncpus, switches, step-limit and seed bytes
 *   programs 1-8 programs of 1-12 instructions, 5 bytes each
 *   build    up to 32 scenario calls, 5 bytes each (device, line, event,
 *            value, interrupt, locks, KDPC, thread, sync scope), replayed
 *            by the host's build on every start over
 *   actions  the rest, 3 bytes each: steps of any kind through a session,
 *            back/redo/goto, settle, the schedulers, clones, footprints,
 *            start over, a small exploration, and a replay of the
 *            session's printed schedule
 *
 * Oracles beyond the sanitizers (a failure calls abort()):
 *   - a machine started over equals a machine just created
 *     (engine-contract 6);
 *   - replaying the printed choice log on a new machine reproduces the
 *     live machine's state byte for byte (engine-contract 7), when the
 *     log holds every step (no settle, no branch was cut);
 *   - every body created is destroyed (the host counts them).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dt_cprog.h"
#include "dt_explore.h"
#include "dt_history.h"
#include "dt_machine.h"
#include "dt_sched.h"
#include "fuzz_util.h"

#define FAIL(...) FUZZ_FAIL("fuzz_engine", __VA_ARGS__)

#define MAX_PROGS 8
#define MAX_INSNS 12
#define MAX_BUILD 32
#define STEP_LIMIT 300

/* What the handles of created objects are, for configs and bodies. */
static uint64_t some_handle(uint8_t x)
{
	static const enum dt_handle_type types[] = { DT_HANDLE_DEVICE, DT_HANDLE_INTERRUPT,
						     DT_HANDLE_SPINLOCK, DT_HANDLE_WAITLOCK,
						     DT_HANDLE_KDPC };
	if (x == 0xFF)
		return 0xFFFFFFFFFFFFFFF8ull; /* no object's handle */
	return dt_handle_of(types[x % 5], (x / 5) % 6);
}

/* An immediate: small numbers mostly, sometimes a handle. */
static int64_t some_imm(uint8_t x)
{
	if (x < 200)
		return (int64_t)x - 100;
	return (int64_t)some_handle((uint8_t)(x - 200));
}

struct world {
	struct dt_chost host;
	struct dt_cprog progs[MAX_PROGS];
	struct dt_cinsn code[MAX_PROGS][MAX_INSNS];
	const uint8_t *build; /* MAX_BUILD * 5 bytes at most */
	size_t nbuild;        /* calls */
	struct dt_config cfg;
};

static uint32_t callback_of(const struct world *w, uint8_t x)
{
	return x >= 0xF0 ? DT_NO_CALLBACK : x % (w->host.nprogs + 1);
}

/* The scenario: the same calls, in order, on every (re)build.  Errors
 * are what is being tested, so they are ignored here. */
static int build(struct dt_chost *h, struct dt_machine *m)
{
	struct world *w = (struct world *)h;
	unsigned ndev = 0, idx;
	for (size_t k = 0; k < w->nbuild; k++) {
		const uint8_t *c = w->build + 5 * k;
		char name[16];
		unsigned dev = ndev ? c[1] % (ndev + 1) : c[1];
		switch (c[0] % 10) {
		case 0:
			snprintf(name, sizeof(name), "d%u", ndev);
			if (dt_device_create(m, name, &idx) == DT_OK)
				ndev++;
			break;
		case 1:
			dt_device_add_line(m, dev, (enum dt_line_kind)(c[2] % 4), c[3] % 16,
					   c[4] == 0 ? 0 : (uint64_t)c[4] * 0x0101010101010101ull,
					   &idx);
			break;
		case 2:
			snprintf(name, sizeof(name), "e%zu", k);
			dt_event_create(m, c[4] & 1 ? name : "ev", dev, c[2] % 5, c[3], &idx);
			break;
		case 3:
			snprintf(name, sizeof(name), "v%zu", k);
			dt_var_create(m, name, dt_int(some_imm(c[2])), &idx);
			break;
		case 4: {
			struct dt_interrupt_config ic;
			uint32_t status;
			uint64_t handle;
			dt_interrupt_config_init(&ic, callback_of(w, c[2]), callback_of(w, c[3]));
			ic.work_item = c[4] & 0x80 ? callback_of(w, c[3] >> 2) : DT_NO_CALLBACK;
			ic.passive_handling = c[4] & 1;
			ic.automatic_serialization = (c[4] >> 1) & 1;
			ic.spin_lock = c[4] & 4 ? some_handle(c[1]) : 0;
			ic.wait_lock = c[4] & 8 ? some_handle(c[2]) : 0;
			ic.enable = c[4] & 16 ? callback_of(w, c[1]) : DT_NO_CALLBACK;
			ic.disable = c[4] & 32 ? callback_of(w, c[2]) : DT_NO_CALLBACK;
			dt_interrupt_create(m, dev, &ic, &status, &handle);
			break;
		}
		case 5: {
			uint64_t handle;
			dt_spinlock_create(m, &handle);
			break;
		}
		case 6: {
			uint64_t handle;
			dt_waitlock_create(m, &handle);
			break;
		}
		case 7: {
			uint64_t handle;
			dt_kdpc_create(m, callback_of(w, c[2]), &handle);
			break;
		}
		case 8:
			snprintf(name, sizeof(name), "t%zu", k);
			dt_thread_create(m, name, callback_of(w, c[2]), c[3] & 1 ? 0 : c[4], &idx);
			break;
		default:
			dt_device_set_sync(m, dev, c[2] & 1, c[3] % 4);
			break;
		}
	}
	return 0;
}

static void read_program(struct world *w, struct fuzz_bytes *b, unsigned p)
{
	unsigned len = 1 + fuzz_u8(b) % MAX_INSNS;
	for (unsigned i = 0; i < len; i++) {
		struct dt_cinsn *in = &w->code[p][i];
		uint8_t op = fuzz_u8(b), regs = fuzz_u8(b), a = fuzz_u8(b), x = fuzz_u8(b), y = fuzz_u8(b);
		memset(in, 0, sizeof(*in));
		in->op = op % (CI_OP_COUNT + 1); /* CI_OP_COUNT itself is invalid */
		in->dst = regs & 3;
		in->src = (regs >> 2) & 3;
		in->a = a % 16;
		in->b = in->op == CI_OP ? x % (DT_OP_KIND_COUNT + 1) : x % (DT_MAX_REGS + 1);
		in->imm = some_imm(y);
		if (regs & 0x80) /* registers out of range, as a careless host might */
			in->src = regs;
	}
	w->progs[p] = (struct dt_cprog){ w->code[p], len };
}

static int new_machine(struct world *w, struct dt_machine **m)
{
	return dt_machine_create(&w->cfg, dt_chost_ops(), &w->host, m);
}

/* A started-over machine must equal a new one (engine-contract 6). */
static void check_start_over(struct world *w, const struct dt_machine *live)
{
	struct dt_machine *c, *fresh;
	if (dt_machine_clone(live, &c) != DT_OK)
		return;
	if (dt_machine_start_over(c) == DT_OK && new_machine(w, &fresh) == DT_OK) {
		size_t n = dt_state_size(w->cfg.ncpus);
		if (memcmp(dt_machine_state(c), dt_machine_state(fresh), n))
			FAIL("a machine started over differs from a new one");
		dt_machine_destroy(fresh);
	}
	dt_machine_destroy(c);
}

/* Replay the session's log on a new machine: the same state again. */
static void check_replay(struct world *w, struct dt_session *s)
{
	char buf[16384];
	struct dt_schedule sched;
	struct dt_schedule_error err;
	struct dt_machine *m;
	if (dt_session_schedule(s, "fuzz", buf, sizeof(buf)) >= sizeof(buf))
		return;
	if (dt_schedule_parse(buf, &sched, &err))
		FAIL("the session printed a schedule that does not parse: '%s': %s", buf,
		     err.reason);
	if (new_machine(w, &m) == DT_OK) {
		if (dt_machine_replay(m, &sched, &err) != DT_OK)
			FAIL("the session's own schedule does not replay: '%s': column %u: %s", buf,
			     err.column, err.reason);
		const struct dt_machine *live = dt_session_machine(s);
		if (memcmp(dt_machine_state(m), dt_machine_state(live), dt_state_size(w->cfg.ncpus)))
			FAIL("replaying '%s' gives another state", buf);
		dt_machine_destroy(m);
	}
	dt_schedule_free(&sched);
}

static void small_exploration(struct dt_machine *live, uint8_t x, uint8_t y)
{
	struct dt_machine *c;
	if (dt_machine_clone(live, &c) != DT_OK)
		return;
	const struct dt_state *st = dt_machine_state(c);
	struct dt_free_event fe[2];
	/* Thread dispatches are choices no preemption bound limits: four
	 * threads on four CPUs make 10^5 runs of 20 steps, seconds under
	 * ASan.  The explorer's cost is its design; the target keeps it small. */
	if (st->nthreads > 2) {
		dt_machine_destroy(c);
		return;
	}
	unsigned nfe = 0;
	for (unsigned e = 0; e < st->nevents && nfe < 2; e++)
		fe[nfe++] = (struct dt_free_event){ .event = (uint16_t)e, .max = 1 };
	struct dt_explore_bounds b = { .max_preemptions = x % 2, .max_events = y % 2,
				       .max_steps = 16, .reduce = x & 2 };
	struct dt_explore_report r;
	memset(&r, 0, sizeof(r));
	dt_explore(c, &b, fe, nfe, NULL, NULL, NULL, &r);
	dt_explore_report_free(&r);
	dt_machine_destroy(c);
}

static void poke_views(struct dt_machine *m, uint8_t x)
{
	unsigned cpu = x % (dt_machine_state(m)->ncpus + 1);
	struct dt_footprint fa, fb;
	struct dt_choice en[DT_MAX_CPUS * (DT_MAX_THREADS + 1)];
	struct dt_schedule_item item;
	char why[128];
	dt_cpu_next_action(m, cpu);
	dt_cpu_blocked_reason(m, cpu, why, sizeof(why));
	unsigned max = sizeof(en) / sizeof(en[0]);
	unsigned n = dt_machine_enabled(m, en, max);
	if (n > max)
		FAIL("%u enabled choices, more than every CPU times every thread", n);
	if (dt_machine_footprint(m, cpu, &fa) == DT_OK && n &&
	    dt_choice_footprint(m, &en[x % n], &fb) == DT_OK)
		dt_footprints_conflict(&fa, &fb);
	if (n)
		dt_choice_item(m, &en[x % n], &item);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_bytes b = { data, size, 0 };
	struct world w;
	memset(&w, 0, sizeof(w));

	uint8_t cpus = fuzz_u8(&b), sw = fuzz_u8(&b), lim = fuzz_u8(&b), seed = fuzz_u8(&b);
	dt_config_default(&w.cfg, cpus >= 0xF0 ? DT_MAX_CPUS : 1 + cpus % 4);
	w.cfg.seed = seed;
	w.cfg.sw.kmdf_verifier = sw & 1;
	w.cfg.sw.debugger_attached = (sw >> 1) & 1;
	w.cfg.sw.driver_verifier_irql = (sw >> 2) & 1;
	w.cfg.sw.umdf = (sw >> 3) & 1;
	w.cfg.sw.stale_handle = (sw >> 4) & 3;
	w.cfg.sw.tick_us = sw & 0x40 ? 0 : 1 + lim % 8;
	w.cfg.sw.watchdog_single_us = sw & 0x80 ? 0 : 20 + lim;
	w.cfg.sw.step_limit = STEP_LIMIT;
	w.cfg.sw.workers = lim % 3;

	w.host.nprogs = 1 + fuzz_u8(&b) % MAX_PROGS;
	w.host.progs = w.progs;
	w.host.build = build;
	w.host.budget = 64;
	for (unsigned p = 0; p < w.host.nprogs; p++)
		read_program(&w, &b, p);
	w.nbuild = fuzz_u8(&b) % (MAX_BUILD + 1);
	if (b.n - b.i < 5 * w.nbuild)
		w.nbuild = (b.n - b.i) / 5;
	w.build = b.p + b.i;
	b.i += 5 * w.nbuild;

	struct dt_session *s;
	if (dt_session_create(&w.cfg, dt_chost_ops(), &w.host, &s) != DT_OK)
		return 0;
	struct dt_sched sched;
	dt_sched_round_robin(&sched);
	int whole_log = 1; /* the log holds every step of the live machine */
	unsigned explorations = 0, start_overs = 0;
	while (b.i < b.n) {
		uint8_t k = fuzz_u8(&b), x = fuzz_u8(&b), y = fuzz_u8(&b);
		struct dt_machine *m = dt_session_machine(s);
		unsigned ncpus = dt_machine_state(m)->ncpus;
		struct dt_choice c = { .kind = DT_CHOICE_CPU, .cpu = (uint16_t)(x % ncpus) };
		switch (k % 16) {
		case 0: case 1: case 2: case 3:
			if (x == 0xFF)
				c.cpu = 300; /* no such CPU */
			if (dt_session_cursor(s) != dt_session_head(s))
				whole_log = 0; /* a branch drops the old future */
			dt_session_step(s, &c);
			break;
		case 4:
		case 5:
			c.kind = k % 16 == 4 ? DT_CHOICE_EVENT : DT_CHOICE_THREAD;
			c.object = (uint16_t)(y % 20);
			if (dt_session_cursor(s) != dt_session_head(s))
				whole_log = 0;
			dt_session_step(s, &c);
			break;
		case 6:
			dt_session_back(s);
			break;
		case 7:
			dt_session_redo(s);
			break;
		case 8: {
			size_t count;
			dt_session_goto(s, x % (dt_session_head(s) + 2));
			dt_session_view(s);
			dt_session_trace(s, &count);
			break;
		}
		case 9:
			dt_session_settle(s, y & 1);
			whole_log = 0;
			break;
		case 10:
			if (x & 1)
				dt_sched_round_robin(&sched);
			else
				dt_sched_random(&sched, y, x, 2);
			for (unsigned i = 0; i < y % 32u; i++) {
				if (dt_session_cursor(s) != dt_session_head(s))
					whole_log = 0;
				if (!dt_sched_next(&sched, dt_session_machine(s), &c) ||
				    dt_session_step(s, &c) != DT_OK)
					break;
			}
			break;
		case 11: {
			struct dt_machine *cl;
			if (dt_machine_clone(m, &cl) == DT_OK) {
				dt_sched_random(&sched, x, y, 1);
				dt_sched_run(&sched, cl, 64);
				dt_machine_destroy(cl);
			}
			break;
		}
		case 12:
			poke_views(m, x);
			break;
		case 13:
			if (start_overs++ < 4)
				check_start_over(&w, m);
			break;
		case 14:
			/* the costly actions are few per input, so no input is slow */
			if (explorations++ < 2 && ncpus <= 4)
				small_exploration(m, x, y);
			break;
		default:
			if (whole_log && dt_session_cursor(s) == dt_session_head(s))
				check_replay(&w, s);
			break;
		}
	}
	dt_session_destroy(s);
	if (w.host.live_bodies)
		FAIL("%u bodies were never destroyed", w.host.live_bodies);
	return 0;
}
