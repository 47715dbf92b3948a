/*
 * glossary.c - the glossary's entries (see glossary.h).  Written for
 * dpctutor: exact about Windows, and a rule ID after every sentence that
 * states a rule the engine follows.
 */
#include "glossary.h"

static const struct glossary_entry entries[] = {
	{ "IRQL",
	  "Interrupt request level: a per-CPU priority from 0 to 15 on x64. A CPU at "
	  "IRQL N takes no interrupt whose IRQL is N or lower; a masked interrupt stays "
	  "pending on that CPU (R01, R02)." },
	{ "PASSIVE_LEVEL",
	  "IRQL 0, where threads run and may wait. Work items and passive-level ISRs run "
	  "here (R44, R51), and WdfInterruptEnable/Disable must be called from here (R70)." },
	{ "DISPATCH_LEVEL",
	  "IRQL 2, where DPCs run; the thread scheduler is masked, so code here must "
	  "never wait: a wait is bug check 0xB8 (R17, R35). Spin locks such as "
	  "WdfSpinLockAcquire raise to it (R63)." },
	{ "DIRQL",
	  "Device IRQL, 3 to 12 on x64: the level a device's interrupt arrives at and "
	  "its ISR runs at, above every DPC and thread (R01, R03)." },
	{ "SynchronizeIrql",
	  "The IRQL an interrupt's ISR and its lock holders run at: its DIRQL, or the "
	  "highest DIRQL of the interrupts sharing one spin lock (R61)." },
	{ "ISR",
	  "Interrupt service routine (EvtInterruptIsr). It runs on the CPU that took the "
	  "interrupt, at DIRQL, holding the interrupt spin lock, so the same interrupt's "
	  "ISR never runs on two CPUs at once (R03). It returns TRUE when its device "
	  "interrupted (R07)." },
	{ "DPC",
	  "Deferred procedure call: work an ISR puts off to DISPATCH_LEVEL. "
	  "WdfInterruptQueueDpcForIsr puts the interrupt's DPC on the calling CPU's queue "
	  "and EvtInterruptDpc later runs on that CPU (R12, R17)." },
	{ "KDPC",
	  "The kernel's DPC object. Every interrupt object embeds one, Medium importance "
	  "and untargeted (R10); a driver can make its own with KeInitializeDpc and queue "
	  "it with KeInsertQueueDpc (R19)." },
	{ "DPC queue",
	  "Each CPU has its own. A DPC is in at most one queue at a time: queuing it again "
	  "before it is dequeued returns FALSE and changes nothing (R11). The CPU drains "
	  "its queue when its IRQL drops below DISPATCH, when it is idle, or at a clock "
	  "tick (R16)." },
	{ "queued (inserted)",
	  "The DPC's state between a TRUE insert and its dequeue. It clears before the "
	  "routine is called, so a queuing while the DPC runs returns TRUE (R13); on "
	  "another CPU two instances then run at once (R14)." },
	{ "interrupt object",
	  "WDFINTERRUPT, made by WdfInterruptCreate: the device's line or MSI message, "
	  "its ISR, DPC or work item, its spin lock and embedded DPC (R05, R10). A bad "
	  "configuration is a status such as STATUS_INVALID_PARAMETER, never a crash "
	  "(R40)." },
	{ "interrupt spin lock",
	  "The lock every DIRQL ISR holds. WdfInterruptAcquireLock raises to "
	  "SynchronizeIrql and spins for it, so a DPC holding it keeps the ISR out on "
	  "every CPU (R03, R60)." },
	{ "spin lock",
	  "A lock a waiter spins for, never sleeps on. WdfSpinLockAcquire and "
	  "KeAcquireSpinLock raise to DISPATCH_LEVEL; from an ISR that would lower the "
	  "IRQL, bug check 0x9 (R63, R35)." },
	{ "wait lock",
	  "WDFWAITLOCK, a lock whose waiter blocks and frees its CPU, so waiting for it "
	  "is allowed only below DISPATCH_LEVEL: a wait at DISPATCH is 0xB8 (R35). A "
	  "passive-level interrupt's lock is one (R51)." },
	{ "MSI",
	  "Message-signaled interrupt: a device writes a message instead of raising a "
	  "line. Each message has its own WDFINTERRUPT, and the MessageID given to the "
	  "ISR is its creation index (R05). MSI interrupts use DIRQL handling (R50)." },
	{ "edge and level lines",
	  "An edge line sends one request per event; a level line stays asserted until "
	  "the ISR clears the device's status, and an ISR that returns without clearing "
	  "it is entered again: an interrupt storm (R07)." },
	{ "pending interrupt",
	  "A request a CPU has not taken yet. Per CPU and vector at most one is pending, "
	  "so a second arrival merges with it (R06); when the IRQL drops the highest "
	  "pending one is taken first (R08)." },
	{ "work item",
	  "EvtInterruptWorkItem, queued with WdfInterruptQueueWorkItemForIsr: it runs at "
	  "PASSIVE_LEVEL in a system worker thread on any CPU and may block (R41, R44)." },
	{ "passive-level interrupt",
	  "An interrupt created with PassiveHandling = TRUE: the kernel's trap runs "
	  "briefly at DIRQL, then the ISR runs at PASSIVE_LEVEL in a thread holding the "
	  "interrupt's wait lock (R50, R51)." },
	{ "AutomaticSerialization",
	  "A WdfInterruptCreate setting that runs EvtInterruptDpc or EvtInterruptWorkItem "
	  "under the parent device's callback lock; it never wraps the ISR (R42)." },
	{ "WdfInterruptSynchronize",
	  "Runs a callback at SynchronizeIrql holding the interrupt lock and returns its "
	  "BOOLEAN: the way to touch what the ISR touches from other code (R62)." },
	{ "bug check",
	  "Windows stopping the machine on a fatal error, with a code and four "
	  "parameters: the blue screen. A bad handle to a WdfInterrupt call is 0x10D "
	  "(R30); a DPC or ISR that runs too long is 0x133 (R33); a wait at "
	  "DISPATCH_LEVEL is 0xB8 (R35)." },
	{ "DPC watchdog",
	  "The kernel's limit on time at DISPATCH_LEVEL or above: bug check 0x133 with "
	  "P1 = 0 for one long DPC or ISR, P1 = 1 for too long in a row. dpctutor scales "
	  "the limits down (R33)." },
	{ "deadlock",
	  "CPUs spinning on each other's locks, or threads waiting on each other. It is "
	  "no stop code: spinning CPUs end in 0x133 and waiting threads hang silently; "
	  "dpctutor names the cycle at once (R36)." },
	{ "KMDF verifier",
	  "A framework switch that checks some interrupt calls (made at the wrong IRQL, or "
	  "on the wrong lock); what a finding does depends on whether a debugger is "
	  "attached, up to bug check 0x1E (R34)." },
	{ "UMDF",
	  "The user-mode driver framework: every ISR is passive and the DPC path is a "
	  "work item, and Ke calls are unavailable (R80)." },
	{ "step",
	  "dpctutor's unit of time: one CPU or thread does one thing atomically. The "
	  "timeline's x-axis and the counter in the title are steps (engine-contract 3)." },
};

const struct glossary_entry *glossary(size_t *count)
{
	if (count)
		*count = sizeof(entries) / sizeof(entries[0]);
	return entries;
}
