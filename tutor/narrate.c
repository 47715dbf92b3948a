/*
 * narrate.c - trace events into sentences (see narrate.h).
 *
 * This module owns every word of the event log.  A sentence is built in
 * three parts: the actor ("CPU1: "), the body that one function per event
 * kind writes from the event's fields, and the rule citation " (R11)".
 * The bodies say what happened and, where the trace gives a cause (the
 * step and CPU of an earlier event), why: a FALSE from
 * WdfInterruptQueueDpcForIsr points at the queuing that still stands.
 *
 * The narrator only reads the machine: names of objects (they never
 * change once built) and, for the final bug check or deadlock, the
 * outcome's full parameters, which the event itself does not carry.  It
 * trusts no index in an event: anything out of range is named
 * generically, so a damaged or synthetic event still gives a sentence.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "narrate.h"

/* ---- output: snprintf semantics over several appends -------------------- */

struct out {
	char *buf;
	size_t size;
	size_t len; /* what the whole text needs, even past size */
};

static void out_init(struct out *o, char *buf, size_t size)
{
	o->buf = buf;
	o->size = buf ? size : 0;
	o->len = 0;
	if (o->size)
		buf[0] = '\0';
}

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n;
	if (o->len < o->size)
		n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	else
		n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

/* ---- IRQLs and bug-check names (R01, R30-R36) --------------------------- */

static const char *const irql_names[] = {
	"PASSIVE_LEVEL", "APC_LEVEL", "DISPATCH_LEVEL", "DIRQL 3", "DIRQL 4", "DIRQL 5",
	"DIRQL 6", "DIRQL 7", "DIRQL 8", "DIRQL 9", "DIRQL 10", "DIRQL 11", "DIRQL 12",
	"CLOCK_LEVEL", "IPI_LEVEL", "HIGH_LEVEL",
};

const char *narrate_irql_name(unsigned irql)
{
	if (irql >= sizeof(irql_names) / sizeof(irql_names[0]))
		return "invalid IRQL";
	return irql_names[irql];
}

/* In a sentence a device IRQL reads "IRQL 5"; the others by name. */
static void put_irql(struct out *o, unsigned irql)
{
	if (irql >= DT_DIRQL_MIN && irql <= DT_DIRQL_MAX)
		put(o, "IRQL %u", irql);
	else
		put(o, "%s", narrate_irql_name(irql));
}

static const struct {
	uint32_t code;
	const char *name;
} bugcheck_names[] = {
	{ DT_BUGCODE_IRQL_NOT_GREATER_OR_EQUAL, "IRQL_NOT_GREATER_OR_EQUAL" },
	{ 0xAu, "IRQL_NOT_LESS_OR_EQUAL" },
	{ DT_BUGCODE_KMODE_EXCEPTION_NOT_HANDLED, "KMODE_EXCEPTION_NOT_HANDLED" },
	{ DT_BUGCODE_PAGE_FAULT_IN_NONPAGED_AREA, "PAGE_FAULT_IN_NONPAGED_AREA" },
	{ DT_BUGCODE_ATTEMPTED_SWITCH_FROM_DPC, "ATTEMPTED_SWITCH_FROM_DPC" },
	{ DT_BUGCODE_DRIVER_VERIFIER_DETECTED_VIOLATION, "DRIVER_VERIFIER_DETECTED_VIOLATION" },
	{ DT_BUGCODE_DRIVER_IRQL_NOT_LESS_OR_EQUAL, "DRIVER_IRQL_NOT_LESS_OR_EQUAL" },
	{ DT_BUGCODE_WDF_VIOLATION, "WDF_VIOLATION" },
	{ DT_BUGCODE_DPC_WATCHDOG_VIOLATION, "DPC_WATCHDOG_VIOLATION" },
	{ 0x139u, "KERNEL_SECURITY_CHECK_FAILURE" }, /* R31: corruption found later */
};

const char *narrate_bugcheck_name(uint32_t code)
{
	for (size_t i = 0; i < sizeof(bugcheck_names) / sizeof(bugcheck_names[0]); i++)
		if (bugcheck_names[i].code == code)
			return bugcheck_names[i].name;
	return "an unknown bug check";
}

/* ---- naming objects ------------------------------------------------------ */

static const char *str(const struct dt_machine *m, uint32_t id)
{
	return dt_machine_string(m, id);
}

static const struct dt_interrupt *intr_at(const struct dt_state *st, unsigned i)
{
	return i < st->ninterrupts ? &st->interrupts[i] : NULL;
}

static const struct dt_device *dev_at(const struct dt_state *st, unsigned i)
{
	return i < st->ndevices ? &st->devices[i] : NULL;
}

/* "the NIC <noun>", plus "(message N)" when the device has several
 * interrupt objects (one per MSI message, R05). */
static void put_intr_noun(struct out *o, const struct dt_machine *m, unsigned intr,
			  const char *noun)
{
	const struct dt_state *st = dt_machine_state(m);
	const struct dt_interrupt *in = intr_at(st, intr);
	const struct dt_device *dev = in ? dev_at(st, in->device) : NULL;
	if (!dev) {
		put(o, "%s #%u", noun, intr);
		return;
	}
	put(o, "the %s %s", str(m, dev->name), noun);
	if (dev->ninterrupts > 1)
		put(o, " (message %u)", in->message_id);
}

/* How many interrupt objects use lock `lock` as their interrupt lock (R61). */
static unsigned lock_users(const struct dt_state *st, unsigned lock, unsigned *first)
{
	unsigned n = 0;
	for (unsigned i = 0; i < st->ninterrupts; i++) {
		if (st->interrupts[i].lock != lock)
			continue;
		if (n++ == 0)
			*first = i;
	}
	return n;
}

static void put_lock(struct out *o, const struct dt_machine *m, unsigned lock)
{
	const struct dt_state *st = dt_machine_state(m);
	unsigned first = 0, users;
	if (lock >= st->nlocks) {
		put(o, "lock #%u", lock);
		return;
	}
	users = lock_users(st, lock, &first);
	switch (st->locks[lock].kind) {
	case DT_LOCK_INTERRUPT:
		put_intr_noun(o, m, st->locks[lock].interrupt, "interrupt lock");
		return;
	case DT_LOCK_WDFSPINLOCK:
		put(o, "WDFSPINLOCK #%u", lock);
		if (users == 1) {
			put(o, " (");
			put_intr_noun(o, m, first, "interrupt lock");
			put(o, ")");
		} else if (users > 1) {
			put(o, " (the lock of %u interrupts)", users);
		}
		return;
	case DT_LOCK_WAITLOCK:
		if (users)
			put_intr_noun(o, m, first, "interrupt's wait lock");
		else
			put(o, "WDFWAITLOCK #%u", lock);
		return;
	default: /* a device's callback lock (R42) */
		for (unsigned d = 0; d < st->ndevices; d++) {
			if (st->devices[d].callback_lock == lock) {
				put(o, "the %s callback lock", str(m, st->devices[d].name));
				return;
			}
		}
		put(o, "callback lock #%u", lock);
		return;
	}
}

static void put_dpc(struct out *o, const struct dt_machine *m, unsigned dpc)
{
	const struct dt_state *st = dt_machine_state(m);
	if (dpc < st->ndpcs && st->dpcs[dpc].interrupt != DT_NONE)
		put_intr_noun(o, m, st->dpcs[dpc].interrupt, "DPC");
	else
		put(o, "KDPC #%u", dpc);
}

/* A named object (device, value, thread): its name, or "what #n" when the
 * index names nothing. */
static void put_named(struct out *o, const struct dt_machine *m, const uint32_t *name,
		      const char *what, unsigned index)
{
	if (name)
		put(o, "%s", str(m, *name));
	else
		put(o, "%s #%u", what, index);
}

static void put_object(struct out *o, const struct dt_machine *m, unsigned kind, unsigned obj)
{
	const struct dt_state *st = dt_machine_state(m);
	switch (kind) {
	case DT_OBJ_DEVICE:
		put_named(o, m, obj < st->ndevices ? &st->devices[obj].name : NULL, "device", obj);
		return;
	case DT_OBJ_EVENT:
		if (obj < st->nevents)
			put(o, "device event \"%s\"", str(m, st->events[obj].name));
		else
			put(o, "device event #%u", obj);
		return;
	case DT_OBJ_INTERRUPT:
		put_intr_noun(o, m, obj, "interrupt");
		return;
	case DT_OBJ_DPC:
		put_dpc(o, m, obj);
		return;
	case DT_OBJ_LOCK:
		put_lock(o, m, obj);
		return;
	case DT_OBJ_VAR:
		put_named(o, m, obj < st->nvars ? &st->vars[obj].name : NULL, "value", obj);
		return;
	case DT_OBJ_THREAD:
		put_named(o, m, obj < st->nthreads ? &st->threads[obj].name : NULL, "thread", obj);
		return;
	default:
		put(o, "nothing");
		return;
	}
}

size_t narrate_object(const struct dt_machine *m, unsigned obj_kind, unsigned object, char *buf,
		      size_t size)
{
	struct out o;
	out_init(&o, buf, size);
	if (m)
		put_object(&o, m, obj_kind, object);
	else
		put(&o, "nothing");
	return o.len;
}

/* ---- the event being narrated ------------------------------------------- */

struct narr {
	const struct dt_machine *m;
	const struct dt_state *st;
	const struct dt_trace_event *e;
	struct out *o;
};

/* The event's own object, named. */
static void obj(const struct narr *n)
{
	put_object(n->o, n->m, n->e->obj_kind, n->e->object);
}

static void cpu_prefix(const struct narr *n)
{
	if (n->e->cpu >= 0)
		put(n->o, "CPU%d: ", n->e->cpu);
}

/* The device behind the event's interrupt or device event, as an actor. */
static void device_prefix(const struct narr *n, unsigned device)
{
	const struct dt_device *dev = dev_at(n->st, device);
	put(n->o, "%s: ", dev ? str(n->m, dev->name) : "Device");
}

/* Where passive work runs: R80 says UMDF shows "user mode", not an IRQL. */
static void put_passive(const struct narr *n, unsigned irql)
{
	if (n->st->sw.umdf && irql == DT_PASSIVE_LEVEL) {
		put(n->o, "in user mode");
		return;
	}
	put(n->o, "at ");
	put_irql(n->o, irql);
}

static void put_since(const struct narr *n)
{
	if (n->e->cause_step)
		put(n->o, " since step %u", n->e->cause_step);
}

/* The final outcome, when it is the one this event reports (the machine
 * halts at it, so its state still holds every parameter). */
static const struct dt_outcome *outcome_of(const struct narr *n, unsigned kind)
{
	const struct dt_outcome *oc = &n->st->outcome;
	if (oc->kind != kind || (oc->step != n->e->step && oc->step + 1 != n->e->step))
		return NULL;
	if (kind == DT_BUGCHECK && oc->code != (uint32_t)n->e->arg[0])
		return NULL;
	return oc;
}

/* ---- delivery: devices, pending requests, ISRs (R02-R08) ------------------ */

static void ev_device_event(const struct narr *n)
{
	const struct dt_trace_event *e = n->e;
	const struct dt_event *ev = e->object < n->st->nevents ? &n->st->events[e->object] : NULL;
	const struct dt_device *dev = ev ? dev_at(n->st, ev->device) : NULL;
	unsigned kind = dev && ev->line < dev->nlines ? dev->lines[ev->line].kind : DT_LINE_EDGE;
	device_prefix(n, ev ? ev->device : DT_NONE);
	obj(n);
	if (e->result) {
		if (kind == DT_LINE_LEVEL)
			put(n->o, " asserts the level line, delivered to CPU%lld", (long long)e->arg[0]);
		else if (kind == DT_LINE_MSI)
			put(n->o, " sends MSI message %u to CPU%lld", ev->line, (long long)e->arg[0]);
		else
			put(n->o, " to CPU%lld", (long long)e->arg[0]);
		put(n->o, "; status is now 0x%llx", (unsigned long long)e->arg[1]);
	} else if (e->rule == 4) {
		/* a level line already in service: IRQ_NOT_SENT follows */
		put(n->o, " sets status 0x%llx while the level line is still asserted",
		    (unsigned long long)e->arg[1]);
	} else {
		put(n->o, " sets status 0x%llx but sends nothing: the device's interrupts are "
			  "masked or disabled, and the bit stays set", (unsigned long long)e->arg[1]);
	}
}

static void ev_irq_pending(const struct narr *n)
{
	const struct dt_trace_event *e = n->e;
	cpu_prefix(n);
	obj(n);
	put(n->o, " is pending at ");
	put_irql(n->o, (unsigned)e->arg[0]);
	if (e->rule == 2) {
		put(n->o, " and must wait: CPU%d is at ", e->cpu);
		put_irql(n->o, e->irql_after);
		put(n->o, ", which masks it");
	} else {
		put(n->o, ", above CPU%d's ", e->cpu);
		put_irql(n->o, e->irql_after);
		put(n->o, ": it is taken before the current work goes on");
	}
}

static void ev_irq_merged(const struct narr *n)
{
	cpu_prefix(n);
	obj(n);
	put(n->o, " arrives again while its request");
	if (n->e->cause_step)
		put(n->o, " from step %u", n->e->cause_step);
	put(n->o, " is still pending: the two merge into one");
}

static void ev_irq_not_sent(const struct narr *n)
{
	const struct dt_interrupt *in = intr_at(n->st, n->e->object);
	device_prefix(n, in ? in->device : DT_NONE);
	put(n->o, "the level line of ");
	obj(n);
	put(n->o, " is already asserted and being served: no second request is made");
}

static void ev_isr_enter(const struct narr *n)
{
	cpu_prefix(n);
	put(n->o, "takes ");
	obj(n);
	put(n->o, " at ");
	put_irql(n->o, n->e->irql_after);
	put(n->o, " and holds its lock");
}

/* "<lock> is held by CPU0 since step 3: CPU1 spins at IRQL 5" (R03, R42, R60) */
static void put_spin(const struct narr *n, unsigned lock)
{
	const struct dt_trace_event *e = n->e;
	put_lock(n->o, n->m, lock);
	put(n->o, " is held");
	if (e->cause_cpu >= 0)
		put(n->o, " by CPU%d", e->cause_cpu);
	put_since(n);
	put(n->o, ": CPU%d spins at ", e->cpu);
	put_irql(n->o, e->irql_after);
}

static void ev_isr_spin(const struct narr *n)
{
	cpu_prefix(n);
	put_spin(n, (unsigned)n->e->arg[0]);
}

static void ev_lock_obtained(const struct narr *n)
{
	cpu_prefix(n);
	obj(n);
	put(n->o, " is free now: CPU%d stops spinning and takes it", n->e->cpu);
}

static void ev_isr_return(const struct narr *n)
{
	cpu_prefix(n);
	put_intr_noun(n->o, n->m, n->e->object, "ISR");
	if (n->e->result)
		put(n->o, " returns TRUE");
	else
		put(n->o, " returns FALSE (\"not my interrupt\")");
	put(n->o, " and releases its lock; CPU%d is back at ", n->e->cpu);
	put_irql(n->o, n->e->irql_after);
}

static void ev_line_reasserted(const struct narr *n)
{
	cpu_prefix(n);
	put_intr_noun(n->o, n->m, n->e->object, "level line");
	put(n->o, " is still asserted (its status was not cleared): the interrupt is "
		  "pending again at once");
}

/* ---- the DPC queue (R10-R21) --------------------------------------------- */

/* Which call queued: the trace tells them apart by rule and arg0. */
static const char *queue_call(const struct dt_trace_event *e)
{
	if (e->arg[0] < 0)
		return "KeInsertQueueDpc";
	if (e->rule == 41)
		return "WdfInterruptQueueWorkItemForIsr";
	return "WdfInterruptQueueDpcForIsr";
}

static void ev_queue_dpc(const struct narr *n)
{
	const struct dt_trace_event *e = n->e;
	cpu_prefix(n);
	put(n->o, "%s -> %s: ", queue_call(e), e->result ? "TRUE" : "FALSE");
	if (e->rule == 41)
		put(n->o, "from above DISPATCH_LEVEL it goes through the DPC; ");
	obj(n);
	put(n->o, e->result ? " is now queued" : " is still queued");
	if (e->arg[1] >= 0)
		put(n->o, " on CPU%lld", (long long)e->arg[1]);
	if (!e->result)
		put_since(n);
	else if (e->rule == 41)
		put(n->o, ", which queues the work item when it runs");
}

static void ev_dpc_dequeue(const struct narr *n)
{
	const struct dt_trace_event *e = n->e;
	cpu_prefix(n);
	put(n->o, "dequeues ");
	obj(n);
	if (e->cause_cpu >= 0 && e->cause_cpu != e->cpu)
		put(n->o, " (queued by CPU%d at step %u)", e->cause_cpu, e->cause_step);
	else if (e->cause_step)
		put(n->o, " (queued at step %u)", e->cause_step);
	put(n->o, "; it can be queued again from now on");
}

static void ev_dpc_return(const struct narr *n)
{
	cpu_prefix(n);
	obj(n);
	if (n->e->arg[0])
		put(n->o, " returns; the drain goes on with the next DPC in CPU%d's queue",
		    n->e->cpu);
	else
		put(n->o, " returns; CPU%d's DPC queue is now empty", n->e->cpu);
}

static void ev_drain_end(const struct narr *n)
{
	cpu_prefix(n);
	put(n->o, "the drain is over: CPU%d goes from DISPATCH_LEVEL back to ", n->e->cpu);
	put_irql(n->o, n->e->irql_after);
}

static void ev_dpc_remove(const struct narr *n)
{
	cpu_prefix(n);
	put(n->o, "KeRemoveQueueDpc -> %s: ", n->e->result ? "TRUE" : "FALSE");
	obj(n);
	if (n->e->result)
		put(n->o, " was queued and is taken off its queue: it will not run");
	else
		put(n->o, " was not queued; a routine already running is not waited for");
}

static void ev_flush(const struct narr *n)
{
	cpu_prefix(n);
	if (n->e->result)
		put(n->o, "KeFlushQueuedDpcs returns at once: every DPC queued before the call "
			  "has already run");
	else
		put(n->o, "KeFlushQueuedDpcs must wait: a DPC queued before the call has not "
			  "finished yet");
}

static void ev_call_return(const struct narr *n)
{
	cpu_prefix(n);
	put(n->o, "the queuing call returns %s only now, after the DPC it queued ran inside it",
	    n->e->result ? "TRUE" : "FALSE");
}

static void ev_clock_tick(const struct narr *n)
{
	cpu_prefix(n);
	put(n->o, "clock tick at %lld us of busy time; ", (long long)n->e->arg[0]);
	if (n->e->result)
		put(n->o, "its DPC queue is not empty, so a drain is due");
	else
		put(n->o, "no DPC is queued");
}

/* ---- operations: values, registers, steps -------------------------------- */

static void put_value(const struct narr *n, const struct dt_value *v)
{
	switch (v->kind) {
	case DT_VAL_BOOL:
		put(n->o, "%s", v->u.i ? "true" : "false");
		break;
	case DT_VAL_INT:
		put(n->o, "%lld", (long long)v->u.i);
		break;
	case DT_VAL_NUMBER:
		put(n->o, "%g", v->u.n);
		break;
	case DT_VAL_STRING:
		put(n->o, "\"%s\"", str(n->m, v->u.str));
		break;
	default:
		put(n->o, "nil");
		break;
	}
}

/* Who wrote the value before: the cause of a read or a write. */
static void put_writer(const struct narr *n, const char *what)
{
	if (n->e->cause_cpu >= 0)
		put(n->o, " (%s by CPU%d at step %u)", what, n->e->cause_cpu, n->e->cause_step);
}

static void ev_shared_read(const struct narr *n)
{
	cpu_prefix(n);
	put(n->o, "reads ");
	obj(n);
	put(n->o, " = ");
	put_value(n, &n->e->value);
	if (n->e->cause_cpu >= 0)
		put_writer(n, "written");
	else
		put(n->o, " (its initial value)");
}

static void ev_shared_write(const struct narr *n)
{
	cpu_prefix(n);
	put(n->o, "writes ");
	obj(n);
	put(n->o, " = ");
	put_value(n, &n->e->value);
	if (n->e->cause_cpu >= 0)
		put_writer(n, "last written");
	else
		put(n->o, " (the first write to it)");
}

static void put_register(const struct narr *n, int64_t reg)
{
	obj(n);
	if (reg == DT_REG_INTSTATUS)
		put(n->o, " INTSTATUS");
	else if (reg == DT_REG_INTENABLE)
		put(n->o, " INTENABLE");
	else
		put(n->o, " register %lld", (long long)reg);
}

static void ev_reg_read(const struct narr *n)
{
	cpu_prefix(n);
	put(n->o, "reads ");
	put_register(n, n->e->arg[0]);
	put(n->o, " = 0x%llx", (unsigned long long)n->e->result);
}

static void ev_reg_write(const struct narr *n)
{
	const struct dt_trace_event *e = n->e;
	cpu_prefix(n);
	put(n->o, "writes 0x%llx to ", (unsigned long long)e->arg[1]);
	put_register(n, e->arg[0]);
	if (e->arg[0] == DT_REG_INTSTATUS)
		put(n->o, ", acknowledging those bits; INTSTATUS is now 0x%llx",
		    (unsigned long long)e->result);
	else if (e->arg[0] == DT_REG_INTENABLE && e->result == 0)
		put(n->o, ": the device may not interrupt now");
	else if (e->arg[0] == DT_REG_INTENABLE)
		put(n->o, ": status bits 0x%llx may interrupt", (unsigned long long)e->result);
}

static void ev_step_op(const struct narr *n)
{
	const char *label = str(n->m, (uint32_t)n->e->arg[0]);
	cpu_prefix(n);
	if (*label)
		put(n->o, "step \"%s\" (%lld us)", label, (long long)n->e->arg[1]);
	else
		put(n->o, "works for %lld us", (long long)n->e->arg[1]);
}

static void ev_get_irql(const struct narr *n)
{
	cpu_prefix(n);
	put(n->o, "KeGetCurrentIrql -> %lld (%s)", (long long)n->e->result,
	    narrate_irql_name((unsigned)n->e->result));
}

static void ev_get_processor(const struct narr *n)
{
	cpu_prefix(n);
	put(n->o, "KeGetCurrentProcessorNumber -> %lld", (long long)n->e->result);
}

/* ---- locks, Synchronize, Enable/Disable, verifier (R34, R60-R63, R70) ---- */

static void ev_lock_acquire(const struct narr *n)
{
	cpu_prefix(n);
	put(n->o, "acquires ");
	obj(n);
	put(n->o, " at ");
	put_irql(n->o, n->e->irql_after);
}

static void ev_lock_spin(const struct narr *n)
{
	cpu_prefix(n);
	put_spin(n, n->e->object);
}

static void ev_lock_release(const struct narr *n)
{
	cpu_prefix(n);
	put(n->o, "releases ");
	obj(n);
	put(n->o, n->e->irql_after != n->e->irql_before ? " and returns to " : " and stays at ");
	put_irql(n->o, n->e->irql_after);
}

static const char *sync_callback_name(int64_t call_kind)
{
	switch (call_kind) {
	case DT_CALL_SYNCHRONIZE:
		return "EvtInterruptSynchronize";
	case DT_CALL_ENABLE:
		return "EvtInterruptEnable";
	case DT_CALL_DISABLE:
		return "EvtInterruptDisable";
	default:
		return "a callback";
	}
}

/* The lock an interrupt's callbacks run under (its spin or wait lock). */
static void put_intr_lock(const struct narr *n)
{
	const struct dt_interrupt *in = intr_at(n->st, n->e->object);
	if (in)
		put_lock(n->o, n->m, in->lock);
	else
		put(n->o, "its interrupt lock");
}

static void ev_sync_enter(const struct narr *n)
{
	cpu_prefix(n);
	put(n->o, "runs %s at ", sync_callback_name(n->e->arg[0]));
	put_irql(n->o, n->e->irql_after);
	put(n->o, " holding ");
	put_intr_lock(n);
}

static void ev_sync_return(const struct narr *n)
{
	cpu_prefix(n);
	put(n->o, "the callback run under ");
	put_intr_lock(n);
	put(n->o, " returns %s", n->e->result ? "TRUE" : "FALSE");
}

static void ev_intr_enable(const struct narr *n)
{
	cpu_prefix(n);
	put(n->o, "WdfInterruptEnable: ");
	obj(n);
	put(n->o, " is enabled: its ISR can be called again");
}

static void ev_intr_disable(const struct narr *n)
{
	cpu_prefix(n);
	put(n->o, "WdfInterruptDisable: ");
	obj(n);
	put(n->o, " is disabled: its ISR is not called until it is enabled again; the call "
		  "waits for queued DPCs and the work item");
}

static void ev_irq_discarded(const struct narr *n)
{
	cpu_prefix(n);
	obj(n);
	put(n->o, " is disabled: its pending request is dropped and no ISR is called");
}

static const char *finding_text(int64_t finding)
{
	switch (finding) {
	case DT_VF_TRY_ACQUIRE_WRONG:
		return "WdfInterruptTryToAcquireLock off PASSIVE_LEVEL or on a DIRQL interrupt";
	case DT_VF_ENABLE_WRONG_IRQL:
		return "WdfInterruptEnable/Disable outside a PASSIVE_LEVEL thread";
	case DT_VF_PASSIVE_LOCK_AT_DISPATCH:
		return "WdfInterruptAcquireLock of a passive interrupt above PASSIVE_LEVEL";
	case DT_VF_SPINLOCK_IS_INTERRUPT_LOCK:
		return "WdfSpinLockAcquire on an interrupt's lock";
	default:
		return "an invalid interrupt call";
	}
}

static void ev_verifier(const struct narr *n)
{
	const char *what = finding_text(n->e->arg[0]);
	cpu_prefix(n);
	if (n->e->result > 0) {
		put(n->o, "%s; the KMDF verifier is off, so nothing checks it and the call goes on",
		    what);
		return;
	}
	put(n->o, "KMDF verifier: \"WDF detected potentially invalid operation\": %s; ", what);
	if (n->e->result < 0)
		put(n->o, "no debugger, so the break is bug check 0x1E");
	else
		put(n->o, "the debugger breaks, then the call does nothing");
}

/* ---- threads, work items, passive-level interrupts (R41, R44, R51) ------- */

static void ev_workitem_queue(const struct narr *n)
{
	cpu_prefix(n);
	put(n->o, "queues ");
	put_intr_noun(n->o, n->m, n->e->object, "work item");
	if (n->e->result) {
		put(n->o, " -> TRUE: a system worker thread will run EvtInterruptWorkItem ");
		put_passive(n, DT_PASSIVE_LEVEL);
		return;
	}
	put(n->o, " -> FALSE: it is still queued");
	put_since(n);
	put(n->o, " and has not started");
}

static void put_thread(const struct narr *n, int64_t thread)
{
	if (thread >= 0 && thread < n->st->nthreads)
		put(n->o, "%s", str(n->m, n->st->threads[thread].name));
	else
		put(n->o, "a worker thread");
}

static void ev_workitem_start(const struct narr *n)
{
	cpu_prefix(n);
	put_thread(n, n->e->arg[0]);
	put(n->o, " starts EvtInterruptWorkItem of ");
	obj(n);
	put(n->o, "; it is no longer queued, so queuing it again starts another run");
}

static void ev_workitem_end(const struct narr *n)
{
	cpu_prefix(n);
	put(n->o, "EvtInterruptWorkItem of ");
	obj(n);
	put(n->o, " returns");
}

/* "thread main", "system worker thread worker0", "the ISR thread NIC.isr0" */
static void put_thread_kind(const struct narr *n)
{
	const struct dt_thread *t =
		n->e->object < n->st->nthreads ? &n->st->threads[n->e->object] : NULL;
	if (t && t->kind == DT_THREAD_WORKER)
		put(n->o, "system worker thread ");
	else if (t && t->kind == DT_THREAD_PASSIVE_ISR)
		put(n->o, "the ISR thread ");
	else
		put(n->o, "thread ");
	obj(n);
}

static void ev_thread_dispatch(const struct narr *n)
{
	cpu_prefix(n);
	put(n->o, "runs ");
	put_thread_kind(n);
	put(n->o, " ");
	put_passive(n, n->e->irql_after);
}

static void ev_thread_block(const struct narr *n)
{
	const struct dt_trace_event *e = n->e;
	cpu_prefix(n);
	put_thread_kind(n);
	switch (e->arg[0]) {
	case DT_WAIT_LOCK:
		put(n->o, " blocks: ");
		put_lock(n->o, n->m, (unsigned)e->arg[1]);
		put(n->o, " is taken, so it waits");
		break;
	case DT_WAIT_FLUSH:
		put(n->o, " blocks in KeFlushQueuedDpcs until every DPC queued before the call "
			  "has run");
		break;
	case DT_WAIT_DISABLE:
		put(n->o, " blocks in WdfInterruptDisable until ");
		put_intr_noun(n->o, n->m, (unsigned)e->arg[1], "DPC");
		put(n->o, " and work item are done");
		break;
	default:
		put(n->o, " blocks");
		break;
	}
	if (e->cpu >= 0)
		put(n->o, "; CPU%d is free meanwhile", e->cpu);
}

/* A thread becomes ready: it is the actor, no CPU is involved yet. */
static void ev_thread_wake(const struct narr *n)
{
	obj(n);
	put(n->o, ": ready; it runs once a CPU it may use is at PASSIVE_LEVEL with nothing "
		  "else to do");
}

static void ev_thread_end(const struct narr *n)
{
	cpu_prefix(n);
	put_thread_kind(n);
	put(n->o, " returns and leaves CPU%d", n->e->cpu);
}

static void ev_trap(const struct narr *n)
{
	cpu_prefix(n);
	put(n->o, "the kernel traps ");
	obj(n);
	put(n->o, " at ");
	put_irql(n->o, n->e->irql_after);
	put(n->o, " and silences its line; the ISR will run in a %s thread",
	    n->st->sw.umdf ? "user-mode" : "PASSIVE_LEVEL");
}

static void ev_trap_return(const struct narr *n)
{
	cpu_prefix(n);
	put(n->o, "the trap returns to ");
	put_irql(n->o, n->e->irql_after);
	put(n->o, " and signals ");
	put_thread(n, n->e->arg[0]);
	put(n->o, ", the thread that runs ");
	put_intr_noun(n->o, n->m, n->e->object, "ISR");
}

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
		put(n->o, "P1 = 0x5, an invalid handle");
		if (oc)
			put(n->o, " (0x%llx) where a %s was required",
			    (unsigned long long)oc->p[1], fx_type_name(oc->p[2]));
	} else if (p1 == DT_WDF_REQUIRED_PARAMETER_IS_NULL) {
		put(n->o, "P1 = 0x4, a required pointer argument was NULL");
	} else {
		put(n->o, "P1 = 0x%llx", (unsigned long long)p1);
	}
}

/* R33: which allotment was exceeded, in ticks when the outcome has them. */
static void put_watchdog(const struct narr *n, uint64_t p1, const struct dt_outcome *oc)
{
	if (oc && oc->reason == DT_BCR_BODY_BUDGET) {
		/* A callback that loops without an operation never gives the CPU back. */
		put(n->o, "a callback at DISPATCH_LEVEL or above never reached a step (%s)",
		    str(n->m, oc->message));
		return;
	}
	if (p1 == 0)
		put(n->o, "one ISR or DPC ran longer than its single-routine limit");
	else
		put(n->o, "CPU%d stayed at DISPATCH_LEVEL or above longer than the cumulative limit",
		    n->e->cpu);
	if (oc)
		put(n->o, " (%llu ticks, limit %llu, scaled)", (unsigned long long)oc->p[1],
		    (unsigned long long)oc->p[2]);
	else
		put(n->o, " (scaled)");
}

/* R35: an IRQL "raise" to a lower level; P1/P2 (0x9) or P2/P3 (0xC4). */
static void put_raise_lower(const struct narr *n, const struct dt_outcome *oc, unsigned from)
{
	put(n->o, "raising the IRQL to a lower one");
	if (!oc)
		return;
	put(n->o, " (from ");
	put_irql(n->o, (unsigned)oc->p[from]);
	put(n->o, " to ");
	put_irql(n->o, (unsigned)oc->p[from + 1]);
	put(n->o, ")");
}

/* 0xD1 and 0x50: an ordinary fault through a bad pointer (R31, R41, R43). */
static void put_fault(const struct narr *n, uint64_t addr, int dispatch)
{
	if (n->e->rule == 43)
		put(n->o, "the DPC has no routine, so the CPU called address 0");
	else if (n->e->rule == 41)
		put(n->o, "there is no work item to queue: a NULL pointer was used");
	else
		put(n->o, "the bad address 0x%llx was used", (unsigned long long)addr);
	put(n->o, dispatch ? " at DISPATCH_LEVEL or above" : " at PASSIVE_LEVEL");
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
		put(n->o, "the KMDF verifier's breakpoint (0x%llx) was not handled: no debugger "
			  "is attached", (unsigned long long)p1);
		break;
	case DT_BUGCODE_ATTEMPTED_SWITCH_FROM_DPC:
		put(n->o, "a wait at ");
		put_irql(n->o, n->e->irql_after);
		put(n->o, ", where the CPU cannot switch to another thread");
		break;
	case DT_BUGCODE_IRQL_NOT_GREATER_OR_EQUAL:
		put_raise_lower(n, oc, 0);
		break;
	case DT_BUGCODE_DRIVER_VERIFIER_DETECTED_VIOLATION:
		put(n->o, "Driver Verifier caught ");
		if (p1 == DT_C4_IRQL_RAISE_TO_LOWER)
			put_raise_lower(n, oc, 1);
		else
			put(n->o, "a violation (P1 = 0x%llx)", (unsigned long long)p1);
		break;
	case DT_BUGCODE_DRIVER_IRQL_NOT_LESS_OR_EQUAL:
		put_fault(n, p1, 1);
		break;
	case DT_BUGCODE_PAGE_FAULT_IN_NONPAGED_AREA:
		put_fault(n, p1, 0);
		break;
	default:
		put(n->o, "P1 = 0x%llx", (unsigned long long)p1);
		break;
	}
}

static void ev_bugcheck(const struct narr *n)
{
	uint32_t code = (uint32_t)n->e->arg[0];
	cpu_prefix(n);
	put(n->o, "bug check 0x%X %s: ", code, narrate_bugcheck_name(code));
	put_bugcheck_detail(n, code, (uint64_t)n->e->arg[1], outcome_of(n, DT_BUGCHECK));
}

/* "CPU1 and CPU0", "CPU0, CPU1 and CPU2", or "4 CPUs" (the same for threads). */
static void put_members(const struct narr *n, const struct dt_outcome *oc, int threads)
{
	unsigned k = oc->ncycle;
	if (k > 3) {
		put(n->o, "%u %s", k, threads ? "threads" : "CPUs");
		return;
	}
	for (unsigned i = 0; i < k; i++) {
		if (i)
			put(n->o, i + 1 == k ? " and " : ", ");
		if (threads)
			put_thread(n, oc->cycle[i]);
		else
			put(n->o, "CPU%u", oc->cycle[i]);
	}
}

static void ev_deadlock(const struct narr *n)
{
	const struct dt_trace_event *e = n->e;
	const struct dt_outcome *oc = outcome_of(n, DT_DEADLOCK);
	int threads = e->arg[1] == 1;
	if (e->cpu >= 0)
		put(n->o, "CPU%d: deadlock: ", e->cpu);
	else
		put(n->o, "Deadlock: ");
	if (oc && oc->ncycle)
		put_members(n, oc, threads);
	else if (e->arg[0] == 1 && !threads)
		put(n->o, "CPU%d", e->cpu);
	else
		put(n->o, "%lld %s", (long long)e->arg[0],
		    threads ? (e->arg[0] == 1 ? "thread" : "threads") : "CPUs");
	if (threads) {
		put(n->o, " %s forever; on real Windows that is a silent hang with no bug check",
		    e->arg[0] == 1 ? "waits" : "wait");
		return;
	}
	if (e->arg[0] == 1)
		put(n->o, " spins forever for a lock that CPU%d itself already holds", e->cpu);
	else
		put(n->o, " spin forever waiting for each other's locks");
	if (e->irql_after >= DT_DISPATCH_LEVEL)
		put(n->o, "; real Windows would end this in 0x133 DPC_WATCHDOG_VIOLATION (P1 = 1)");
	else
		put(n->o, "; on real Windows that CPU just hangs");
}

static void ev_lesson_error(const struct narr *n)
{
	const struct dt_trace_event *e = n->e;
	const char *file = str(n->m, e->pos.file);
	put(n->o, "Lesson error: %s", str(n->m, (uint32_t)e->arg[0]));
	if (*file && e->pos.line)
		put(n->o, " (%s:%u)", file, e->pos.line);
	else if (*file)
		put(n->o, " (%s)", file);
}

static void ev_step_limit(const struct narr *n)
{
	put(n->o, "Step limit: the run is stopped after step %u without finishing", n->e->step);
}

static void ev_quiescent(const struct narr *n)
{
	put(n->o, "Quiescent after step %u: nothing can step and no device event is left",
	    n->e->step);
}

/* ---- dispatch ------------------------------------------------------------- */

typedef void (*narrate_fn)(const struct narr *n);

static const narrate_fn narrators[DT_EV_KIND_COUNT] = {
	[DT_EV_DEVICE_EVENT] = ev_device_event,
	[DT_EV_IRQ_PENDING] = ev_irq_pending,
	[DT_EV_IRQ_MERGED] = ev_irq_merged,
	[DT_EV_IRQ_NOT_SENT] = ev_irq_not_sent,
	[DT_EV_ISR_ENTER] = ev_isr_enter,
	[DT_EV_ISR_SPIN] = ev_isr_spin,
	[DT_EV_LOCK_OBTAINED] = ev_lock_obtained,
	[DT_EV_ISR_RETURN] = ev_isr_return,
	[DT_EV_LINE_REASSERTED] = ev_line_reasserted,
	[DT_EV_QUEUE_DPC] = ev_queue_dpc,
	[DT_EV_DPC_DEQUEUE] = ev_dpc_dequeue,
	[DT_EV_DPC_RETURN] = ev_dpc_return,
	[DT_EV_DRAIN_END] = ev_drain_end,
	[DT_EV_SHARED_READ] = ev_shared_read,
	[DT_EV_SHARED_WRITE] = ev_shared_write,
	[DT_EV_REG_READ] = ev_reg_read,
	[DT_EV_REG_WRITE] = ev_reg_write,
	[DT_EV_STEP_OP] = ev_step_op,
	[DT_EV_GET_IRQL] = ev_get_irql,
	[DT_EV_GET_PROCESSOR] = ev_get_processor,
	[DT_EV_CLOCK_TICK] = ev_clock_tick,
	[DT_EV_BUGCHECK] = ev_bugcheck,
	[DT_EV_DEADLOCK] = ev_deadlock,
	[DT_EV_LESSON_ERROR] = ev_lesson_error,
	[DT_EV_STEP_LIMIT] = ev_step_limit,
	[DT_EV_QUIESCENT] = ev_quiescent,
	[DT_EV_LOCK_ACQUIRE] = ev_lock_acquire,
	[DT_EV_LOCK_SPIN] = ev_lock_spin,
	[DT_EV_LOCK_RELEASE] = ev_lock_release,
	[DT_EV_SYNC_ENTER] = ev_sync_enter,
	[DT_EV_SYNC_RETURN] = ev_sync_return,
	[DT_EV_INTR_ENABLE] = ev_intr_enable,
	[DT_EV_INTR_DISABLE] = ev_intr_disable,
	[DT_EV_WORKITEM_QUEUE] = ev_workitem_queue,
	[DT_EV_WORKITEM_START] = ev_workitem_start,
	[DT_EV_WORKITEM_END] = ev_workitem_end,
	[DT_EV_THREAD_DISPATCH] = ev_thread_dispatch,
	[DT_EV_THREAD_BLOCK] = ev_thread_block,
	[DT_EV_THREAD_WAKE] = ev_thread_wake,
	[DT_EV_THREAD_END] = ev_thread_end,
	[DT_EV_TRAP] = ev_trap,
	[DT_EV_TRAP_RETURN] = ev_trap_return,
	[DT_EV_CALL_RETURN] = ev_call_return,
	[DT_EV_DPC_REMOVE] = ev_dpc_remove,
	[DT_EV_FLUSH] = ev_flush,
	[DT_EV_IRQ_DISCARDED] = ev_irq_discarded,
	[DT_EV_VERIFIER] = ev_verifier,
};

size_t narrate_event(const struct dt_machine *m, const struct dt_trace_event *e, char *buf,
		     size_t size)
{
	struct out o;
	out_init(&o, buf, size);
	if (!m || !e)
		return 0;
	struct narr n = { m, dt_machine_state(m), e, &o };
	if (e->kind < DT_EV_KIND_COUNT && narrators[e->kind]) {
		narrators[e->kind](&n);
	} else {
		cpu_prefix(&n);
		put(&o, "event of unknown kind %u at step %u", e->kind, e->step);
	}
	if (e->rule)
		put(&o, " (R%02u)", e->rule);
	return o.len;
}
