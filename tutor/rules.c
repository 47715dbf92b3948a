/*
 * rules.c - the table of rule cards (see rules.h).
 *
 * One entry per rule ID of semantics.md, in order, each a single sentence
 * a student can read in a few seconds next to the log line that cited it.
 * The sentences restate the rules in plain words; semantics.md stays the
 * reference with the sources.  Rule numbers have gaps (R09, R22..R29 do
 * not exist), so lookups search the table instead of indexing it.
 */
#include "rules.h"

#define CARD(n, id, tag, title, sentence) { n, id, tag, title, sentence }

static const struct rule_card cards[] = {
	/* IRQL, delivery, devices */
	CARD(1, "R01", 'S', "IRQL levels on x64",
	     "On x64, PASSIVE_LEVEL is 0, APC_LEVEL 1 and DISPATCH_LEVEL 2, device IRQLs (DIRQL) "
	     "span 3 to 12, then come CLOCK_LEVEL 13, IPI_LEVEL 14 and HIGH_LEVEL 15; "
	     "SYNCH_LEVEL is 12."),
	CARD(2, "R02", 'S', "IRQL belongs to one CPU",
	     "Each CPU has its own IRQL and takes no interrupt at or below it: such an interrupt "
	     "waits, pending on that CPU, while higher ones still break in."),
	CARD(3, "R03", 'S', "One CPU runs the ISR",
	     "A DIRQL ISR runs on the CPU that took the interrupt, at SynchronizeIrql, holding the "
	     "interrupt lock, so a second CPU taking the same interrupt spins at DIRQL meanwhile."),
	CARD(4, "R04", 'S', "Delivered to one CPU",
	     "Each interrupt goes to exactly one CPU of its line's affinity set and stays there; "
	     "the interrupt controller picks the CPU, and the simulator shows that pick as a choice."),
	CARD(5, "R05", 'S', "MessageID is creation order",
	     "The MessageID an ISR receives is the 0-based order in which its interrupt object was "
	     "created on the device: 0 for a single interrupt, one WDFINTERRUPT per MSI message."),
	CARD(6, "R06", 'S', "Pending requests merge",
	     "A CPU keeps at most one pending request per interrupt, so a second arrival merges "
	     "with it: an ISR must handle all the work its status register shows, not one event."),
	CARD(7, "R07", 'S', "Acknowledge or storm",
	     "A level line stays asserted until the ISR clears or masks its device, so an ISR that "
	     "returns without doing that runs again at once: an interrupt storm that ends in 0x133."),
	CARD(8, "R08", 'S', "What runs after IRQL drops",
	     "When a CPU's IRQL drops it first takes the highest pending interrupt (ties by "
	     "arrival), and below DISPATCH_LEVEL it drains its DPC queue before the thread goes on."),

	/* WdfInterruptQueueDpcForIsr and the DPC queue */
	CARD(10, "R10", 'S', "One DPC inside each interrupt",
	     "Every interrupt object carries one ordinary DPC, and WdfInterruptQueueDpcForIsr "
	     "simply calls KeInsertQueueDpc on it and hands back that result unchanged."),
	CARD(11, "R11", 'S', "FALSE means already queued",
	     "WdfInterruptQueueDpcForIsr returns FALSE when the DPC is already queued, not yet dequeued; "
	     "that is no error and loses nothing, because the queued DPC still runs once."),
	CARD(12, "R12", 'S', "Queued on the calling CPU",
	     "The DPC joins the queue of the CPU that called WdfInterruptQueueDpcForIsr, so "
	     "EvtInterruptDpc later runs on that same CPU."),
	CARD(13, "R13", 'S', "Dequeue clears queued first",
	     "A DPC stops counting as queued the moment it is dequeued, before EvtInterruptDpc "
	     "starts, so queuing it again while the routine runs returns TRUE."),
	CARD(14, "R14", 'S', "Two runs can overlap",
	     "So a DPC queued again from another CPU can run there alongside the first run, and "
	     "one queued again on the same CPU runs right after it, often with nothing left to do."),
	CARD(15, "R15", 'S', "Callable up to DIRQL",
	     "WdfInterruptQueueDpcForIsr may be called at any IRQL up to DIRQL, normally from the "
	     "ISR, and nothing checks the IRQL at run time."),
	CARD(16, "R16", 'S', "When a DPC queue drains",
	     "A CPU drains its DPC queue when its IRQL drops below DISPATCH_LEVEL with a drain "
	     "requested, when it is idle, or at a clock tick, running each DPC queued meanwhile too."),
	CARD(17, "R17", 'S', "DPCs run at DISPATCH_LEVEL",
	     "EvtInterruptDpc runs at DISPATCH_LEVEL: device interrupts can still preempt it, but "
	     "threads and other DPCs on that CPU cannot."),
	CARD(18, "R18", 'S', "What EvtInterruptDpc receives",
	     "EvtInterruptDpc gets the interrupt and its device, and with AutomaticSerialization "
	     "the framework runs it inside the device's callback lock."),
	CARD(19, "R19", 'S', "DPC importance and targeting",
	     "A High DPC goes to the queue's head, others to the tail; Medium and up drain at once "
	     "(on a remote target only MediumHigh and High), Low waits; the request-rate rule is "
	     "not simulated."),
	CARD(20, "R20", 'S', "Removing and flushing DPCs",
	     "KeRemoveQueueDpc takes a queued DPC off its queue (TRUE) but never waits for a running "
	     "one, and KeFlushQueuedDpcs waits until every DPC queued before it has run."),
	CARD(21, "R21", 'S', "DPC inside a passive call",
	     "With a passive-level ISR, the DPC it queues may run on the same CPU before "
	     "WdfInterruptQueueDpcForIsr returns, while the ISR still holds its lock (an inference)."),

	/* Bug checks and verifier */
	CARD(30, "R30", 'S', "Bad handle is 0x10D",
	     "A NULL or wrong-type handle passed to a WdfInterrupt call always bug-checks with "
	     "WDF_VIOLATION 0x10D, P1 = 0x5 (invalid handle) and P2 = that handle."),
	CARD(31, "R31", 'S', "Stale handles are undefined",
	     "Using a handle after its object was deleted is undefined: it may seem to work, fail "
	     "as 0x10D, fault, or corrupt memory, so the simulator shows one possible outcome."),
	CARD(32, "R32", 'S', "NULL pointer is 0x10D",
	     "A NULL pointer where one is required, such as a NULL callback for "
	     "WdfInterruptSynchronize, bug-checks with WDF_VIOLATION 0x10D and P1 = 0x4."),
	CARD(33, "R33", 'S', "The DPC watchdog, 0x133",
	     "DPC_WATCHDOG_VIOLATION 0x133 means one DPC or ISR ran too long (P1 = 0) or a CPU "
	     "stayed at DISPATCH_LEVEL or above too long in total (P1 = 1); the limits are scaled."),
	CARD(34, "R34", 'S', "KMDF verifier findings",
	     "Some bad interrupt calls are KMDF verifier findings: verifier off, the call just goes "
	     "on; with a debugger it breaks and then does nothing; without one it is bug check 0x1E."),
	CARD(35, "R35", 'S', "IRQL mistakes crash later",
	     "The kernel seldom checks IRQL rules; what follows does the damage: a wait in a DPC is "
	     "0xB8, raising to a lower IRQL is 0x9, and Driver Verifier reports 0xC4."),
	CARD(36, "R36", 'S', "Deadlock is no stop code",
	     "A deadlock has no bug check of its own: CPUs spinning forever at DISPATCH_LEVEL or "
	     "above end in 0x133 on real Windows, while threads waiting forever just hang."),

	/* Work items */
	CARD(40, "R40", 'S', "WdfInterruptCreate refusals",
	     "WdfInterruptCreate returns STATUS_INVALID_PARAMETER for both a DPC and a work item, "
	     "for no ISR, or for a lock kind that does not fit passive or DIRQL handling."),
	CARD(41, "R41", 'S', "Queuing the work item",
	     "From a DIRQL ISR, WdfInterruptQueueWorkItemForIsr goes through the internal DPC; at "
	     "PASSIVE or DISPATCH it queues directly (FALSE if still queued); the item runs at PASSIVE."),
	CARD(42, "R42", 'S', "What AutomaticSerialization covers",
	     "AutomaticSerialization puts EvtInterruptDpc or EvtInterruptWorkItem, never the ISR, "
	     "under the device's callback lock, and an unfitting execution level fails creation."),
	CARD(43, "R43", 'S', "Mismatched deferred callbacks",
	     "Queuing the DPC of a work-item interrupt runs the work item one DPC later, and with "
	     "neither callback the DPC calls a NULL pointer, an ordinary fault (an inference)."),
	CARD(44, "R44", 'S', "Work items run in threads",
	     "EvtInterruptWorkItem runs in a system worker thread on any CPU and may block; queuing "
	     "it during a run starts a second run at the same time, since queued clears first."),

	/* Passive-level interrupts */
	CARD(50, "R50", 'S', "Setting up passive handling",
	     "A passive-level interrupt must have no SpinLock (the framework makes a wait lock if "
	     "none is given), and MSI interrupts must use DIRQL handling."),
	CARD(51, "R51", 'S', "Passive ISRs run in threads",
	     "For a passive interrupt the kernel traps briefly at DIRQL, silences the line and "
	     "hands the ISR to a PASSIVE_LEVEL thread that may run later, on any CPU, under a wait lock."),
	CARD(52, "R52", 'S', "What a passive ISR may queue",
	     "A passive ISR may queue the DPC, which still runs at DISPATCH_LEVEL, or the work item, "
	     "but EvtInterruptDpc must not take that interrupt's passive lock."),
	CARD(53, "R53", 'N', "Locking from arbitrary threads",
	     "For a passive interrupt in arbitrary thread context use WdfInterruptTryToAcquireLock, "
	     "since AcquireLock or Synchronize there can deadlock with synchronous bus I/O "
	     "(not simulated)"),

	/* Locks and synchronization */
	CARD(60, "R60", 'S', "Interrupt lock spins at DIRQL",
	     "WdfInterruptAcquireLock raises to SynchronizeIrql and spins for the interrupt lock, so "
	     "its ISR cannot run on any CPU while it is held; for a passive interrupt a waiter blocks."),
	CARD(61, "R61", 'S', "Shared lock, highest IRQL",
	     "When several interrupt objects share one WDFSPINLOCK, all of them synchronize at the "
	     "highest DIRQL among them."),
	CARD(62, "R62", 'S', "Synchronize runs under the lock",
	     "WdfInterruptSynchronize runs a callback at SynchronizeIrql holding the interrupt lock "
	     "and returns the callback's BOOLEAN; call it at DISPATCH_LEVEL or below."),
	CARD(63, "R63", 'S', "Spin locks raise to DISPATCH",
	     "WdfSpinLockAcquire raises to DISPATCH_LEVEL, holding off DPCs and threads but not "
	     "device interrupts; called from an ISR it would lower the IRQL, bug check 0x9."),

	/* Enable, disable, power */
	CARD(70, "R70", 'S', "Enabling and disabling interrupts",
	     "WdfInterruptEnable and Disable are for PASSIVE threads; their callbacks run at DIRQL "
	     "under the interrupt lock, and Disable waits for queued DPCs and the work item."),

	/* UMDF */
	CARD(80, "R80", 'S', "Interrupts in UMDF",
	     "In UMDF every ISR runs at passive level and the deferred routine is the work item, in "
	     "a worker thread on any CPU; Ke* calls are unavailable."),
};

#define NCARDS (sizeof(cards) / sizeof(cards[0]))

const struct rule_card *rule_card(unsigned number)
{
	for (size_t i = 0; i < NCARDS; i++)
		if (cards[i].number == number)
			return &cards[i];
	return NULL;
}

const struct rule_card *rule_cards(size_t *count)
{
	if (count)
		*count = NCARDS;
	return cards;
}
