/*
 * narrate.h - the narrator: one plain sentence per trace event.
 *
 * The engine records facts, not prose (engine-contract 8, dt_trace.h);
 * this module is the one place that turns them into the words a student
 * reads in the event log, the --plain transcript and the exports.  Each
 * sentence starts with who acted ("CPU1: ", a device's name, a thread's
 * name, or none for a run's outcome) and, when the event names a rule,
 * ends by citing it: "(R11)".  Objects are named in the domain's words
 * ("the NIC interrupt", "the NIC DPC", "WDFSPINLOCK #3").
 *
 * Pure C over include/: no curses, no Lua.  The machine is only read, for
 * names and for the outcome's full bug-check parameters.
 */
#ifndef DT_NARRATE_H
#define DT_NARRATE_H

#include <stddef.h>
#include <stdint.h>

#include "dt_machine.h"
#include "dt_trace.h"

/* A buffer this size holds any sentence with names of normal length. */
#define NARRATE_MAX 256

/*
 * Write the sentence for trace event `e` of machine `m` into buf, like
 * snprintf: returns the length the whole sentence needs (without the
 * NUL), writes at most size-1 characters and always NUL-terminates when
 * size > 0.  Every event kind has a sentence; an unknown kind gets a
 * generic one, never a crash.
 */
size_t narrate_event(const struct dt_machine *m, const struct dt_trace_event *e, char *buf,
		     size_t size);

/*
 * Name object number `object` of kind `obj_kind` (enum dt_obj_kind), as
 * snprintf does.  Devices, values and threads by their names; "the NIC
 * interrupt" (with "(message N)" when the device has several); "the NIC
 * DPC" for an interrupt's embedded DPC and "KDPC #n" for a plain one;
 * locks as "the NIC interrupt lock", "WDFSPINLOCK #n", "WDFWAITLOCK #n",
 * "the NIC callback lock".  #n is the object's index in the trace.
 */
size_t narrate_object(const struct dt_machine *m, unsigned obj_kind, unsigned object, char *buf,
		      size_t size);

/* The API a QUEUE_DPC or WORKITEM_QUEUE event is the call of:
 * "WdfInterruptQueueDpcForIsr", "KeInsertQueueDpc",
 * "WdfInterruptQueueWorkItemForIsr". */
const char *narrate_queue_call(const struct dt_trace_event *e);

/* "PASSIVE_LEVEL", "APC_LEVEL", "DISPATCH_LEVEL", "DIRQL 5", "CLOCK_LEVEL",
 * "IPI_LEVEL", "HIGH_LEVEL" (R01); "invalid IRQL" above 15. */
const char *narrate_irql_name(unsigned irql);

/* "DPC_WATCHDOG_VIOLATION" for 0x133 and so on; "an unknown bug check"
 * for codes the simulator never raises. */
const char *narrate_bugcheck_name(uint32_t code);

#endif /* DT_NARRATE_H */
