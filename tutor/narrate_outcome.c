/*
 * narrate_outcome.c - the sentences that end a run: a bug check with what
 * its parameters mean (WDF_VIOLATION's P1, the watchdog's allotment, the
 * IRQL that was "raised" downwards, the faulting address), a deadlock's
 * cycle, a lesson error, the step limit and a quiet machine (R30-R36).
 * The outcome's full parameters come from the machine, not the event.
 */
#include <stdio.h>
#include <string.h>

#include "narrate_int.h"

/* ---- outcomes (R30-R36) --------------------------------------------------- */

static const char *fx_type_name(uint64_t type)
{
	switch (type) {
	case DT_FX_TYPE_INTERRUPT:
		return "WDFINTERRUPT";
	case DT_FX_TYPE_DEVICE:
		return "WDFDEVICE";
	case DT_FX_TYPE_SPIN_LOCK:
		return "WDFSPINLOCK";
	case DT_FX_TYPE_WAIT_LOCK:
		return "WDFWAITLOCK";
	default:
		return "WDF object";
	}
}

/* R30, R32: what WDF_VIOLATION's P1 says. */
static void put_wdf_violation(const struct narr *n, uint64_t p1, const struct dt_outcome *oc)
{
	if (p1 == DT_WDF_INVALID_HANDLE) {
		nr_put(n->o, "P1 = 0x5, an invalid handle");
		if (oc)
			nr_put(n->o, " (0x%llx) where a %s was required",
			    (unsigned long long)oc->p[1], fx_type_name(oc->p[2]));
	} else if (p1 == DT_WDF_REQUIRED_PARAMETER_IS_NULL) {
		nr_put(n->o, "P1 = 0x4, a required pointer argument was NULL");
	} else {
		nr_put(n->o, "P1 = 0x%llx", (unsigned long long)p1);
	}
}

/* R33: which allotment was exceeded, in ticks when the outcome has them. */
static void put_watchdog(const struct narr *n, uint64_t p1, const struct dt_outcome *oc)
{
	if (oc && oc->reason == DT_BCR_BODY_BUDGET) {
		/* A callback that loops without an operation never gives the CPU back. */
		nr_put(n->o, "a callback at DISPATCH_LEVEL or above never reached a step (%s)",
		    nr_str(n->m, oc->message));
		return;
	}
	if (p1 == 0)
		nr_put(n->o, "one ISR or DPC ran longer than its single-routine limit");
	else
		nr_put(n->o, "CPU%d stayed at DISPATCH_LEVEL or above longer than the cumulative limit",
		    n->e->cpu);
	if (oc)
		nr_put(n->o, " (%llu ticks, limit %llu, scaled)", (unsigned long long)oc->p[1],
		    (unsigned long long)oc->p[2]);
	else
		nr_put(n->o, " (scaled)");
}

/* R35: an IRQL "raise" to a lower level; P1/P2 (0x9) or P2/P3 (0xC4). */
static void put_raise_lower(const struct narr *n, const struct dt_outcome *oc, unsigned from)
{
	nr_put(n->o, "raising the IRQL to a lower one");
	if (!oc)
		return;
	nr_put(n->o, " (from ");
	nr_put_irql(n->o, (unsigned)oc->p[from]);
	nr_put(n->o, " to ");
	nr_put_irql(n->o, (unsigned)oc->p[from + 1]);
	nr_put(n->o, ")");
}

/* 0xD1 and 0x50: an ordinary fault through a bad pointer (R31, R41, R43). */
static void put_fault(const struct narr *n, uint64_t addr, int dispatch)
{
	if (n->e->rule == 43)
		nr_put(n->o, "the DPC has no routine, so the CPU called address 0");
	else if (n->e->rule == 41)
		nr_put(n->o, "there is no work item to queue: a NULL pointer was used");
	else
		nr_put(n->o, "the bad address 0x%llx was used", (unsigned long long)addr);
	nr_put(n->o, dispatch ? " at DISPATCH_LEVEL or above" : " at PASSIVE_LEVEL");
}

static void put_bugcheck_detail(const struct narr *n, uint32_t code, uint64_t p1,
				const struct dt_outcome *oc)
{
	switch (code) {
	case DT_BUGCODE_DPC_WATCHDOG_VIOLATION:
		put_watchdog(n, p1, oc);
		break;
	case DT_BUGCODE_WDF_VIOLATION:
		put_wdf_violation(n, p1, oc);
		break;
	case DT_BUGCODE_KMODE_EXCEPTION_NOT_HANDLED:
		nr_put(n->o, "the KMDF verifier's breakpoint (0x%llx) was not handled: no debugger "
			  "is attached", (unsigned long long)p1);
		break;
	case DT_BUGCODE_ATTEMPTED_SWITCH_FROM_DPC:
		nr_put(n->o, "a wait at ");
		nr_put_irql(n->o, n->e->irql_after);
		nr_put(n->o, ", where the CPU cannot switch to another thread");
		break;
	case DT_BUGCODE_IRQL_NOT_GREATER_OR_EQUAL:
		put_raise_lower(n, oc, 0);
		break;
	case DT_BUGCODE_DRIVER_VERIFIER_DETECTED_VIOLATION:
		nr_put(n->o, "Driver Verifier caught ");
		if (p1 == DT_C4_IRQL_RAISE_TO_LOWER)
			put_raise_lower(n, oc, 1);
		else
			nr_put(n->o, "a violation (P1 = 0x%llx)", (unsigned long long)p1);
		break;
	case DT_BUGCODE_DRIVER_IRQL_NOT_LESS_OR_EQUAL:
		put_fault(n, p1, 1);
		break;
	case DT_BUGCODE_PAGE_FAULT_IN_NONPAGED_AREA:
		put_fault(n, p1, 0);
		break;
	default:
		nr_put(n->o, "P1 = 0x%llx", (unsigned long long)p1);
		break;
	}
}

void ev_bugcheck(const struct narr *n)
{
	uint32_t code = (uint32_t)n->e->arg[0];
	nr_cpu_prefix(n);
	nr_put(n->o, "bug check 0x%X %s: ", code, narrate_bugcheck_name(code));
	put_bugcheck_detail(n, code, (uint64_t)n->e->arg[1], nr_outcome_of(n, DT_BUGCHECK));
}

/* "CPU1 and CPU0", "CPU0, CPU1 and CPU2", or "4 CPUs" (the same for threads). */
static void put_members(const struct narr *n, const struct dt_outcome *oc, int threads)
{
	unsigned k = oc->ncycle;
	if (k > 3) {
		nr_put(n->o, "%u %s", k, threads ? "threads" : "CPUs");
		return;
	}
	for (unsigned i = 0; i < k; i++) {
		if (i)
			nr_put(n->o, i + 1 == k ? " and " : ", ");
		if (threads)
			nr_put_thread(n, oc->cycle[i]);
		else
			nr_put(n->o, "CPU%u", oc->cycle[i]);
	}
}

void ev_deadlock(const struct narr *n)
{
	const struct dt_trace_event *e = n->e;
	const struct dt_outcome *oc = nr_outcome_of(n, DT_DEADLOCK);
	int threads = e->arg[1] == 1;
	if (e->cpu >= 0)
		nr_put(n->o, "CPU%d: deadlock: ", e->cpu);
	else
		nr_put(n->o, "Deadlock: ");
	if (oc && oc->ncycle)
		put_members(n, oc, threads);
	else if (e->arg[0] == 1 && !threads)
		nr_put(n->o, "CPU%d", e->cpu);
	else
		nr_put(n->o, "%lld %s", (long long)e->arg[0],
		    threads ? (e->arg[0] == 1 ? "thread" : "threads") : "CPUs");
	if (threads) {
		nr_put(n->o, " %s forever; on real Windows that is a silent hang with no bug check",
		    e->arg[0] == 1 ? "waits" : "wait");
		return;
	}
	if (e->arg[0] == 1)
		nr_put(n->o, " spins forever for a lock that CPU%d itself already holds", e->cpu);
	else
		nr_put(n->o, " spin forever waiting for each other's locks");
	if (e->irql_after >= DT_DISPATCH_LEVEL)
		nr_put(n->o, "; real Windows would end this in 0x133 DPC_WATCHDOG_VIOLATION (P1 = 1)");
	else
		nr_put(n->o, "; on real Windows that CPU just hangs");
}

void ev_lesson_error(const struct narr *n)
{
	const struct dt_trace_event *e = n->e;
	const char *file = nr_str(n->m, e->pos.file);
	nr_put(n->o, "Lesson error: %s", nr_str(n->m, (uint32_t)e->arg[0]));
	if (*file && e->pos.line)
		nr_put(n->o, " (%s:%u)", file, e->pos.line);
	else if (*file)
		nr_put(n->o, " (%s)", file);
}

void ev_step_limit(const struct narr *n)
{
	nr_put(n->o, "Step limit: the run is stopped after step %u without finishing", n->e->step);
}

void ev_quiescent(const struct narr *n)
{
	nr_put(n->o, "Quiescent after step %u: nothing can step and no device event is left",
	    n->e->step);
}
