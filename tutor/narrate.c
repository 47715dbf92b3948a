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

#include "narrate_int.h"

/* ---- output: snprintf semantics over several appends -------------------- */

static void out_init(struct out *o, char *buf, size_t size)
{
	o->buf = buf;
	o->size = buf ? size : 0;
	o->len = 0;
	if (o->size)
		buf[0] = '\0';
}

__attribute__((format(printf, 2, 3))) void nr_put(struct out *o, const char *fmt, ...)
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
void nr_put_irql(struct out *o, unsigned irql)
{
	if (irql >= DT_DIRQL_MIN && irql <= DT_DIRQL_MAX)
		nr_put(o, "IRQL %u", irql);
	else
		nr_put(o, "%s", narrate_irql_name(irql));
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

const char *nr_str(const struct dt_machine *m, uint32_t id)
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
		nr_put(o, "%s #%u", noun, intr);
		return;
	}
	nr_put(o, "the %s %s", nr_str(m, dev->name), noun);
	if (dev->ninterrupts > 1)
		nr_put(o, " (message %u)", in->message_id);
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
		nr_put(o, "lock #%u", lock);
		return;
	}
	users = lock_users(st, lock, &first);
	switch (st->locks[lock].kind) {
	case DT_LOCK_INTERRUPT:
		put_intr_noun(o, m, st->locks[lock].interrupt, "interrupt lock");
		return;
	case DT_LOCK_WDFSPINLOCK:
		nr_put(o, "WDFSPINLOCK #%u", lock);
		if (users == 1) {
			nr_put(o, " (");
			put_intr_noun(o, m, first, "interrupt lock");
			nr_put(o, ")");
		} else if (users > 1) {
			nr_put(o, " (the lock of %u interrupts)", users);
		}
		return;
	case DT_LOCK_WAITLOCK:
		if (users)
			put_intr_noun(o, m, first, "interrupt's wait lock");
		else
			nr_put(o, "WDFWAITLOCK #%u", lock);
		return;
	default: /* a device's callback lock (R42) */
		for (unsigned d = 0; d < st->ndevices; d++) {
			if (st->devices[d].callback_lock == lock) {
				nr_put(o, "the %s callback lock", nr_str(m, st->devices[d].name));
				return;
			}
		}
		nr_put(o, "callback lock #%u", lock);
		return;
	}
}

static void put_dpc(struct out *o, const struct dt_machine *m, unsigned dpc)
{
	const struct dt_state *st = dt_machine_state(m);
	if (dpc < st->ndpcs && st->dpcs[dpc].interrupt != DT_NONE)
		put_intr_noun(o, m, st->dpcs[dpc].interrupt, "DPC");
	else
		nr_put(o, "KDPC #%u", dpc);
}

/* A named object (device, value, thread): its name, or "what #n" when the
 * index names nothing. */
static void put_named(struct out *o, const struct dt_machine *m, const uint32_t *name,
		      const char *what, unsigned index)
{
	if (name)
		nr_put(o, "%s", nr_str(m, *name));
	else
		nr_put(o, "%s #%u", what, index);
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
			nr_put(o, "device event \"%s\"", nr_str(m, st->events[obj].name));
		else
			nr_put(o, "device event #%u", obj);
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
		nr_put(o, "nothing");
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
		nr_put(&o, "nothing");
	return o.len;
}

/* ---- the event being narrated ------------------------------------------- */

/* The event's own object, named. */
static void obj(const struct narr *n)
{
	put_object(n->o, n->m, n->e->obj_kind, n->e->object);
}

void nr_cpu_prefix(const struct narr *n)
{
	if (n->e->cpu >= 0)
		nr_put(n->o, "CPU%d: ", n->e->cpu);
}

/* The device behind the event's interrupt or device event, as an actor. */
static void device_prefix(const struct narr *n, unsigned device)
{
	const struct dt_device *dev = dev_at(n->st, device);
	nr_put(n->o, "%s: ", dev ? nr_str(n->m, dev->name) : "Device");
}

/* Where passive work runs: R80 says UMDF shows "user mode", not an IRQL. */
static void put_passive(const struct narr *n, unsigned irql)
{
	if (n->st->sw.umdf && irql == DT_PASSIVE_LEVEL) {
		nr_put(n->o, "in user mode");
		return;
	}
	nr_put(n->o, "at ");
	nr_put_irql(n->o, irql);
}

static void put_since(const struct narr *n)
{
	if (n->e->cause_step)
		nr_put(n->o, " since step %u", n->e->cause_step);
}

/* The final outcome, when it is the one this event reports (the machine
 * halts at it, so its state still holds every parameter). */
const struct dt_outcome *nr_outcome_of(const struct narr *n, unsigned kind)
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
			nr_put(n->o, " asserts the level line, delivered to CPU%lld", (long long)e->arg[0]);
		else if (kind == DT_LINE_MSI)
			nr_put(n->o, " sends MSI message %u to CPU%lld", ev->line, (long long)e->arg[0]);
		else
			nr_put(n->o, " to CPU%lld", (long long)e->arg[0]);
		nr_put(n->o, "; status is now 0x%llx", (unsigned long long)e->arg[1]);
	} else if (e->rule == 4) {
		/* a level line already in service: IRQ_NOT_SENT follows */
		nr_put(n->o, " sets status 0x%llx while the level line is still asserted",
		    (unsigned long long)e->arg[1]);
	} else {
		nr_put(n->o, " sets status 0x%llx but sends nothing: the device's interrupts are "
			  "masked or disabled, and the bit stays set", (unsigned long long)e->arg[1]);
	}
}

static void ev_irq_pending(const struct narr *n)
{
	const struct dt_trace_event *e = n->e;
	nr_cpu_prefix(n);
	obj(n);
	nr_put(n->o, " is pending at ");
	nr_put_irql(n->o, (unsigned)e->arg[0]);
	if (e->rule == 2) {
		nr_put(n->o, " and must wait: CPU%d is at ", e->cpu);
		nr_put_irql(n->o, e->irql_after);
		nr_put(n->o, ", which masks it");
	} else {
		nr_put(n->o, ", above CPU%d's ", e->cpu);
		nr_put_irql(n->o, e->irql_after);
		nr_put(n->o, ": it is taken before the current work goes on");
	}
}

static void ev_irq_merged(const struct narr *n)
{
	nr_cpu_prefix(n);
	obj(n);
	nr_put(n->o, " arrives again while its request");
	if (n->e->cause_step)
		nr_put(n->o, " from step %u", n->e->cause_step);
	nr_put(n->o, " is still pending: the two merge into one");
}

static void ev_irq_not_sent(const struct narr *n)
{
	const struct dt_interrupt *in = intr_at(n->st, n->e->object);
	device_prefix(n, in ? in->device : DT_NONE);
	nr_put(n->o, "the level line of ");
	obj(n);
	nr_put(n->o, " is already asserted and being served: no second request is made");
}

static void ev_isr_enter(const struct narr *n)
{
	nr_cpu_prefix(n);
	nr_put(n->o, "takes ");
	obj(n);
	nr_put(n->o, " at ");
	nr_put_irql(n->o, n->e->irql_after);
	nr_put(n->o, " and holds its lock");
}

/* "<lock> is held by CPU0 since step 3: CPU1 spins at IRQL 5" (R03, R42, R60) */
static void put_spin(const struct narr *n, unsigned lock)
{
	const struct dt_trace_event *e = n->e;
	put_lock(n->o, n->m, lock);
	nr_put(n->o, " is held");
	if (e->cause_cpu >= 0)
		nr_put(n->o, " by CPU%d", e->cause_cpu);
	put_since(n);
	nr_put(n->o, ": CPU%d spins at ", e->cpu);
	nr_put_irql(n->o, e->irql_after);
}

static void ev_isr_spin(const struct narr *n)
{
	nr_cpu_prefix(n);
	put_spin(n, (unsigned)n->e->arg[0]);
}

static void ev_lock_obtained(const struct narr *n)
{
	nr_cpu_prefix(n);
	obj(n);
	nr_put(n->o, " is free now: CPU%d stops spinning and takes it", n->e->cpu);
}

static void ev_isr_return(const struct narr *n)
{
	nr_cpu_prefix(n);
	put_intr_noun(n->o, n->m, n->e->object, "ISR");
	if (n->e->result)
		nr_put(n->o, " returns TRUE");
	else
		nr_put(n->o, " returns FALSE (\"not my interrupt\")");
	nr_put(n->o, " and releases its lock; CPU%d is back at ", n->e->cpu);
	nr_put_irql(n->o, n->e->irql_after);
}

static void ev_line_reasserted(const struct narr *n)
{
	nr_cpu_prefix(n);
	put_intr_noun(n->o, n->m, n->e->object, "level line");
	nr_put(n->o, " is still asserted (its status was not cleared): the interrupt is "
		  "pending again at once");
}

/* ---- the DPC queue (R10-R21) --------------------------------------------- */

/* Which call queued: the trace tells them apart by rule and arg0. */
const char *narrate_queue_call(const struct dt_trace_event *e)
{
	if (e->kind == DT_EV_WORKITEM_QUEUE)
		return "WdfInterruptQueueWorkItemForIsr";
	if (e->arg[0] < 0)
		return "KeInsertQueueDpc";
	if (e->rule == 41)
		return "WdfInterruptQueueWorkItemForIsr";
	return "WdfInterruptQueueDpcForIsr";
}

static void ev_queue_dpc(const struct narr *n)
{
	const struct dt_trace_event *e = n->e;
	nr_cpu_prefix(n);
	nr_put(n->o, "%s -> %s: ", narrate_queue_call(e), e->result ? "TRUE" : "FALSE");
	if (e->rule == 41)
		nr_put(n->o, "from above DISPATCH_LEVEL it goes through the DPC; ");
	obj(n);
	nr_put(n->o, e->result ? " is now queued" : " is still queued");
	if (e->arg[1] >= 0)
		nr_put(n->o, " on CPU%lld", (long long)e->arg[1]);
	if (!e->result)
		put_since(n);
	else if (e->rule == 41)
		nr_put(n->o, ", which queues the work item when it runs");
}

static void ev_dpc_dequeue(const struct narr *n)
{
	const struct dt_trace_event *e = n->e;
	nr_cpu_prefix(n);
	nr_put(n->o, "dequeues ");
	obj(n);
	if (e->cause_cpu >= 0 && e->cause_cpu != e->cpu)
		nr_put(n->o, " (queued by CPU%d at step %u)", e->cause_cpu, e->cause_step);
	else if (e->cause_step)
		nr_put(n->o, " (queued at step %u)", e->cause_step);
	nr_put(n->o, "; it can be queued again from now on");
}

static void ev_dpc_return(const struct narr *n)
{
	nr_cpu_prefix(n);
	obj(n);
	if (n->e->arg[0])
		nr_put(n->o, " returns; the drain goes on with the next DPC in CPU%d's queue",
		    n->e->cpu);
	else
		nr_put(n->o, " returns; CPU%d's DPC queue is now empty", n->e->cpu);
}

static void ev_drain_end(const struct narr *n)
{
	nr_cpu_prefix(n);
	nr_put(n->o, "the drain is over: CPU%d goes from DISPATCH_LEVEL back to ", n->e->cpu);
	nr_put_irql(n->o, n->e->irql_after);
}

static void ev_dpc_remove(const struct narr *n)
{
	nr_cpu_prefix(n);
	nr_put(n->o, "KeRemoveQueueDpc -> %s: ", n->e->result ? "TRUE" : "FALSE");
	obj(n);
	if (n->e->result)
		nr_put(n->o, " was queued and is taken off its queue: it will not run");
	else
		nr_put(n->o, " was not queued; a routine already running is not waited for");
}

static void ev_flush(const struct narr *n)
{
	nr_cpu_prefix(n);
	if (n->e->result)
		nr_put(n->o, "KeFlushQueuedDpcs returns at once: every DPC queued before the call "
			  "has already run");
	else
		nr_put(n->o, "KeFlushQueuedDpcs must wait: a DPC queued before the call has not "
			  "finished yet");
}

static void ev_call_return(const struct narr *n)
{
	nr_cpu_prefix(n);
	nr_put(n->o, "the queuing call returns %s only now, after the DPC it queued ran inside it",
	    n->e->result ? "TRUE" : "FALSE");
}

static void ev_clock_tick(const struct narr *n)
{
	nr_cpu_prefix(n);
	if (n->e->arg[1] > 1) /* one long step passed several ticks */
		nr_put(n->o, "%lld clock ticks, the last at %lld us of busy time; ",
		       (long long)n->e->arg[1], (long long)n->e->arg[0]);
	else
		nr_put(n->o, "clock tick at %lld us of busy time; ", (long long)n->e->arg[0]);
	if (n->e->result)
		nr_put(n->o, "its DPC queue is not empty, so a drain is due");
	else
		nr_put(n->o, "no DPC is queued");
}

/* ---- operations: values, registers, steps -------------------------------- */

static void put_value(const struct narr *n, const struct dt_value *v)
{
	switch (v->kind) {
	case DT_VAL_BOOL:
		nr_put(n->o, "%s", v->u.i ? "true" : "false");
		break;
	case DT_VAL_INT:
		nr_put(n->o, "%lld", (long long)v->u.i);
		break;
	case DT_VAL_NUMBER:
		nr_put(n->o, "%g", v->u.n);
		break;
	case DT_VAL_STRING:
		nr_put(n->o, "\"%s\"", nr_str(n->m, v->u.str));
		break;
	default:
		nr_put(n->o, "nil");
		break;
	}
}

/* Who wrote the value before: the cause of a read or a write. */
static void put_writer(const struct narr *n, const char *what)
{
	if (n->e->cause_cpu >= 0)
		nr_put(n->o, " (%s by CPU%d at step %u)", what, n->e->cause_cpu, n->e->cause_step);
}

static void ev_shared_read(const struct narr *n)
{
	nr_cpu_prefix(n);
	nr_put(n->o, "reads ");
	obj(n);
	nr_put(n->o, " = ");
	put_value(n, &n->e->value);
	if (n->e->cause_cpu >= 0)
		put_writer(n, "written");
	else
		nr_put(n->o, " (its initial value)");
}

static void ev_shared_write(const struct narr *n)
{
	nr_cpu_prefix(n);
	nr_put(n->o, "writes ");
	obj(n);
	nr_put(n->o, " = ");
	put_value(n, &n->e->value);
	if (n->e->cause_cpu >= 0)
		put_writer(n, "last written");
	else
		nr_put(n->o, " (the first write to it)");
}

static void put_register(const struct narr *n, int64_t reg)
{
	obj(n);
	if (reg == DT_REG_INTSTATUS)
		nr_put(n->o, " INTSTATUS");
	else if (reg == DT_REG_INTENABLE)
		nr_put(n->o, " INTENABLE");
	else
		nr_put(n->o, " register %lld", (long long)reg);
}

static void ev_reg_read(const struct narr *n)
{
	nr_cpu_prefix(n);
	nr_put(n->o, "reads ");
	put_register(n, n->e->arg[0]);
	nr_put(n->o, " = 0x%llx", (unsigned long long)n->e->result);
}

static void ev_reg_write(const struct narr *n)
{
	const struct dt_trace_event *e = n->e;
	nr_cpu_prefix(n);
	nr_put(n->o, "writes 0x%llx to ", (unsigned long long)e->arg[1]);
	put_register(n, e->arg[0]);
	if (e->arg[0] == DT_REG_INTSTATUS)
		nr_put(n->o, ", acknowledging those bits; INTSTATUS is now 0x%llx",
		    (unsigned long long)e->result);
	else if (e->arg[0] == DT_REG_INTENABLE && e->result == 0)
		nr_put(n->o, ": the device may not interrupt now");
	else if (e->arg[0] == DT_REG_INTENABLE)
		nr_put(n->o, ": status bits 0x%llx may interrupt", (unsigned long long)e->result);
}

static void ev_step_op(const struct narr *n)
{
	const char *label = nr_str(n->m, (uint32_t)n->e->arg[0]);
	nr_cpu_prefix(n);
	if (*label)
		nr_put(n->o, "step \"%s\" (%lld us)", label, (long long)n->e->arg[1]);
	else
		nr_put(n->o, "works for %lld us", (long long)n->e->arg[1]);
}

static void ev_get_irql(const struct narr *n)
{
	nr_cpu_prefix(n);
	nr_put(n->o, "KeGetCurrentIrql -> %lld (%s)", (long long)n->e->result,
	    narrate_irql_name((unsigned)n->e->result));
}

static void ev_get_processor(const struct narr *n)
{
	nr_cpu_prefix(n);
	nr_put(n->o, "KeGetCurrentProcessorNumber -> %lld", (long long)n->e->result);
}

/* ---- locks, Synchronize, Enable/Disable, verifier (R34, R60-R63, R70) ---- */

static void ev_lock_acquire(const struct narr *n)
{
	nr_cpu_prefix(n);
	nr_put(n->o, "acquires ");
	obj(n);
	nr_put(n->o, " at ");
	nr_put_irql(n->o, n->e->irql_after);
}

static void ev_lock_spin(const struct narr *n)
{
	nr_cpu_prefix(n);
	put_spin(n, n->e->object);
}

static void ev_lock_release(const struct narr *n)
{
	nr_cpu_prefix(n);
	nr_put(n->o, "releases ");
	obj(n);
	nr_put(n->o, n->e->irql_after != n->e->irql_before ? " and returns to " : " and stays at ");
	nr_put_irql(n->o, n->e->irql_after);
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
		nr_put(n->o, "its interrupt lock");
}

static void ev_sync_enter(const struct narr *n)
{
	nr_cpu_prefix(n);
	nr_put(n->o, "runs %s at ", sync_callback_name(n->e->arg[0]));
	nr_put_irql(n->o, n->e->irql_after);
	nr_put(n->o, " holding ");
	put_intr_lock(n);
}

static void ev_sync_return(const struct narr *n)
{
	nr_cpu_prefix(n);
	nr_put(n->o, "the callback run under ");
	put_intr_lock(n);
	nr_put(n->o, " returns %s", n->e->result ? "TRUE" : "FALSE");
}

static void ev_intr_enable(const struct narr *n)
{
	nr_cpu_prefix(n);
	nr_put(n->o, "WdfInterruptEnable: ");
	obj(n);
	nr_put(n->o, " is enabled: its ISR can be called again");
}

static void ev_intr_disable(const struct narr *n)
{
	nr_cpu_prefix(n);
	nr_put(n->o, "WdfInterruptDisable: ");
	obj(n);
	nr_put(n->o, " is disabled: its ISR is not called until it is enabled again; the call "
		  "waits for queued DPCs and the work item");
}

static void ev_irq_discarded(const struct narr *n)
{
	nr_cpu_prefix(n);
	obj(n);
	nr_put(n->o, " is disabled: its pending request is dropped and no ISR is called");
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
	nr_cpu_prefix(n);
	if (n->e->result > 0) {
		nr_put(n->o, "%s; the KMDF verifier is off, so nothing checks it and the call goes on",
		    what);
		return;
	}
	nr_put(n->o, "KMDF verifier: \"WDF detected potentially invalid operation\": %s; ", what);
	if (n->e->result < 0)
		nr_put(n->o, "no debugger, so the break is bug check 0x1E");
	else
		nr_put(n->o, "the debugger breaks, then the call does nothing");
}

/* ---- threads, work items, passive-level interrupts (R41, R44, R51) ------- */

static void ev_workitem_queue(const struct narr *n)
{
	nr_cpu_prefix(n);
	nr_put(n->o, "queues ");
	put_intr_noun(n->o, n->m, n->e->object, "work item");
	if (n->e->result) {
		nr_put(n->o, " -> TRUE: a system worker thread will run EvtInterruptWorkItem ");
		put_passive(n, DT_PASSIVE_LEVEL);
		return;
	}
	nr_put(n->o, " -> FALSE: it is still queued");
	put_since(n);
	nr_put(n->o, " and has not started");
}

void nr_put_thread(const struct narr *n, int64_t thread)
{
	if (thread >= 0 && thread < n->st->nthreads)
		nr_put(n->o, "%s", nr_str(n->m, n->st->threads[thread].name));
	else
		nr_put(n->o, "a worker thread");
}

static void ev_workitem_start(const struct narr *n)
{
	nr_cpu_prefix(n);
	nr_put_thread(n, n->e->arg[0]);
	nr_put(n->o, " starts EvtInterruptWorkItem of ");
	obj(n);
	nr_put(n->o, "; it is no longer queued, so queuing it again starts another run");
}

static void ev_workitem_end(const struct narr *n)
{
	nr_cpu_prefix(n);
	nr_put(n->o, "EvtInterruptWorkItem of ");
	obj(n);
	nr_put(n->o, " returns");
}

/* "thread main", "system worker thread worker0", "the ISR thread NIC.isr0" */
static void put_thread_kind(const struct narr *n)
{
	const struct dt_thread *t =
		n->e->object < n->st->nthreads ? &n->st->threads[n->e->object] : NULL;
	if (t && t->kind == DT_THREAD_WORKER)
		nr_put(n->o, "system worker thread ");
	else if (t && t->kind == DT_THREAD_PASSIVE_ISR)
		nr_put(n->o, "the ISR thread ");
	else
		nr_put(n->o, "thread ");
	obj(n);
}

static void ev_thread_dispatch(const struct narr *n)
{
	nr_cpu_prefix(n);
	nr_put(n->o, "runs ");
	put_thread_kind(n);
	nr_put(n->o, " ");
	put_passive(n, n->e->irql_after);
}

static void ev_thread_block(const struct narr *n)
{
	const struct dt_trace_event *e = n->e;
	nr_cpu_prefix(n);
	put_thread_kind(n);
	switch (e->arg[0]) {
	case DT_WAIT_LOCK:
		nr_put(n->o, " blocks: ");
		put_lock(n->o, n->m, (unsigned)e->arg[1]);
		nr_put(n->o, " is taken, so it waits");
		break;
	case DT_WAIT_FLUSH:
		nr_put(n->o, " blocks in KeFlushQueuedDpcs until every DPC queued before the call "
			  "has run");
		break;
	case DT_WAIT_DISABLE:
		nr_put(n->o, " blocks in WdfInterruptDisable until ");
		put_intr_noun(n->o, n->m, (unsigned)e->arg[1], "DPC");
		nr_put(n->o, " and work item are done");
		break;
	default:
		nr_put(n->o, " blocks");
		break;
	}
	if (e->cpu >= 0)
		nr_put(n->o, "; CPU%d is free meanwhile", e->cpu);
}

/* A thread becomes ready: it is the actor, no CPU is involved yet. */
static void ev_thread_wake(const struct narr *n)
{
	obj(n);
	nr_put(n->o, ": ready; it runs once a CPU it may use is at PASSIVE_LEVEL with nothing "
		  "else to do");
}

static void ev_thread_end(const struct narr *n)
{
	nr_cpu_prefix(n);
	put_thread_kind(n);
	nr_put(n->o, " returns and leaves CPU%d", n->e->cpu);
}

static void ev_trap(const struct narr *n)
{
	nr_cpu_prefix(n);
	nr_put(n->o, "the kernel traps ");
	obj(n);
	nr_put(n->o, " at ");
	nr_put_irql(n->o, n->e->irql_after);
	nr_put(n->o, " and silences its line; the ISR will run in a %s thread",
	    n->st->sw.umdf ? "user-mode" : "PASSIVE_LEVEL");
}

static void ev_trap_return(const struct narr *n)
{
	nr_cpu_prefix(n);
	nr_put(n->o, "the trap returns to ");
	nr_put_irql(n->o, n->e->irql_after);
	nr_put(n->o, " and signals ");
	nr_put_thread(n, n->e->arg[0]);
	nr_put(n->o, ", the thread that runs ");
	put_intr_noun(n->o, n->m, n->e->object, "ISR");
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
		nr_cpu_prefix(&n);
		nr_put(&o, "event of unknown kind %u at step %u", e->kind, e->step);
	}
	if (e->rule)
		nr_put(&o, " (R%02u)", e->rule);
	return o.len;
}
