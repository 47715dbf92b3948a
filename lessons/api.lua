---@meta
-- api.lua: LuaLS definitions of everything the dpctutor lesson runtime
-- provides (api = 1).  Editors read this file for completion and checks;
-- dpctutor never runs it, and the lesson finder skips it.
-- Point your editor at it, e.g. in .luarc.json:
--   { "runtime.version": "Lua 5.4", "workspace.library": ["lessons/api.lua"] }
-- The guide is docs/authoring.md.  Licensed CC BY 4.0, like the lessons.

-- ---------------------------------------------------------------------------
-- Basic types

---An NTSTATUS value as a Lua integer (STATUS_SUCCESS is 0).
---@alias NTSTATUS integer

---An IRQL number, 0..15 (R01): PASSIVE 0, APC 1, DISPATCH 2, DIRQL 3..12, CLOCK 13, IPI 14, HIGH 15.
---@alias KIRQL integer

---A device register: a name, or its number 0..7 (INTSTATUS = 0, INTENABLE = 1).
---@alias DeviceRegister "INTSTATUS"|"INTENABLE"|"R2"|"R3"|"R4"|"R5"|"R6"|"R7"|integer

---A DPC importance for KeSetImportanceDpc (R19).
---@alias KDPC_IMPORTANCE "LowImportance"|"MediumImportance"|"MediumHighImportance"|"HighImportance"

---The calls a returned() prediction can be about.
---@alias PredictableCall
---| "WdfInterruptQueueDpcForIsr"
---| "WdfInterruptQueueWorkItemForIsr"
---| "WdfInterruptTryToAcquireLock"
---| "WdfInterruptSynchronize"
---| "WdfInterruptEnable"
---| "WdfInterruptDisable"
---| "KeInsertQueueDpc"
---| "KeRemoveQueueDpc"
---| "KeGetCurrentIrql"
---| "KeGetCurrentProcessorNumber"
---| "READ_REGISTER_ULONG"

---A callback role for runs_on(), or a lesson thread's name.
---@alias CallbackRole
---| "EvtInterruptIsr"
---| "EvtInterruptDpc"
---| "EvtInterruptWorkItem"
---| "EvtInterruptEnable"
---| "EvtInterruptDisable"
---| "EvtInterruptSynchronize"
---| "CustomDpc"   # a KeInitializeDpc routine
---| "thread"      # any lesson thread
---| string        # a lesson thread's name

-- ---------------------------------------------------------------------------
-- Opaque handles.  tostring() shows what a debugger would; == compares them.

---A device from device{}.  tostring: "WDFDEVICE NAME".
---@class WDFDEVICE: userdata

---An interrupt object from WdfInterruptCreate.  tostring: "WDFINTERRUPT 0x00003f7f...".
---@class WDFINTERRUPT: userdata

---A spin lock from WdfSpinLockCreate; also what KeAcquireSpinLock takes.
---@class WDFSPINLOCK: userdata

---A wait lock from WdfWaitLockCreate.
---@class WDFWAITLOCK: userdata

---A plain DPC object from KeInitializeDpc (never an interrupt's own DPC).
---@class KDPC: userdata

---A named device event from event{}; fire() it, or write e(NAME)@K in a schedule.
---@class DeviceEvent: userdata

---A lesson thread from thread{}; written t(NAME)@K in a schedule.
---@class Thread: userdata

-- ---------------------------------------------------------------------------
-- Callback signatures (the arguments each role receives)

---EvtInterruptIsr: runs at SynchronizeIrql holding the interrupt lock (R03), or in a PASSIVE thread (R51).
---@alias EVT_WDF_INTERRUPT_ISR fun(Interrupt: WDFINTERRUPT, MessageID: integer): boolean

---EvtInterruptDpc: runs at DISPATCH_LEVEL on the CPU that queued it (R12, R17, R18).
---@alias EVT_WDF_INTERRUPT_DPC fun(Interrupt: WDFINTERRUPT, AssociatedObject: WDFDEVICE)

---EvtInterruptWorkItem: runs at PASSIVE_LEVEL in a system worker thread (R41, R44).
---@alias EVT_WDF_INTERRUPT_WORKITEM fun(Interrupt: WDFINTERRUPT, AssociatedObject: WDFDEVICE)

---EvtInterruptEnable / EvtInterruptDisable: run inside WdfInterruptEnable/Disable under the interrupt lock (R70).
---@alias EVT_WDF_INTERRUPT_ENABLE fun(Interrupt: WDFINTERRUPT, AssociatedDevice: WDFDEVICE)

---EvtInterruptSynchronize: runs inside WdfInterruptSynchronize under the interrupt lock; its result is the call's (R62).
---@alias EVT_WDF_INTERRUPT_SYNCHRONIZE fun(Interrupt: WDFINTERRUPT): boolean

-- ---------------------------------------------------------------------------
-- Declaration tables

---Machine switches (engine-contract 7).  Every one defaults to false.
---@class SwitchesConfig
---@field verifier? boolean             KMDF verifier on (R34)
---@field debugger? boolean             a kernel debugger is attached (R34)
---@field driver_verifier_irql? boolean Driver Verifier IRQL checking: 0xC4 instead of 0x9 (R35)
---@field umdf? boolean                 UMDF mode: every ISR passive, the DPC is a work item, no Ke* (R80)
---@field stale_handle? "works"|"type-check"|"fault"|"corrupt" what a stale WDFINTERRUPT does (R31; one possible outcome)

---Scaled DPC watchdog limits in busy-clock microseconds (R33).
---@class WatchdogConfig
---@field single_us? integer     one DPC or ISR, 1..1000000000 (default 5000)
---@field cumulative_us? integer continuous time at DISPATCH or above, 1..1000000000 (default 20000)

---lesson { ... }: what the lesson is and the machine it needs.  Declare it first, once.
---@class LessonConfig
---@field api 1                     the API version; must be 1
---@field id string                 short name [A-Za-z_][A-Za-z0-9_.-]*, at most 23 bytes
---@field title string              the title (required)
---@field goal? string              one sentence shown up front
---@field notes? string             presenter notes (demo mode)
---@field rules? string[]           rule IDs the lesson teaches, e.g. { "R11", "R13" }; at most 24, 7 bytes each
---@field cpus? integer             1..64 (default 1)
---@field seed? integer             0..2^63-1 (default 0); --seed overrides
---@field tick_us? integer          clock tick every N us of a CPU's busy clock, 1..100000000 (default 1000)
---@field watchdog? WatchdogConfig  scaled watchdog limits
---@field step_limit? integer       the step-limit outcome after N steps, 10..10000000 (default 100000)
---@field workers? integer          system worker threads for work items, 1..8 (default 2)
---@field switches? SwitchesConfig  machine switches
---@field variants? string[]        challenge variant names, at most 8; variant() says which one is built
---@field bounds? {preemptions?: integer, events?: integer, steps?: integer} explorer bounds (defaults 2, 2, 200)

---device { ... }: a device with its interrupt line or MSI messages (engine-contract 5).
---@class DeviceConfig
---@field name string               short name; also the name of its first device event
---@field irql? integer             DIRQL 3..12 (default 5)
---@field kind? "edge"|"level"|"msi" line kind (default "edge")
---@field messages? integer         MSI messages 1..4 (default 1); more than 1 needs kind = "msi"
---@field affinity? integer[]       CPUs that may receive it, e.g. { 0, 1 } (default: all)
---@field execution_level? "dispatch"|"passive" the parent's WDF_EXECUTION_LEVEL (default "dispatch", R42)
---@field synchronization_scope? "none"|"device"|"queue" the parent's scope (default "none", R42)
---@field free? integer             how often the student or the explorer may place this event (0..8)

---event { ... }: another named device event of a device.
---@class EventConfig
---@field device WDFDEVICE          the device
---@field name string               short name, unique among all events
---@field bits? integer             INTSTATUS bits it sets, 1..0xFFFFFFFF (default 1)
---@field message? integer          the line or MSI message it signals on, 0..3 (default 0)
---@field free? integer             how often the student or the explorer may place this event (0..8)

---thread { ... }: a lesson thread at PASSIVE_LEVEL, ready at step 0 (engine-contract 4).
---@class ThreadConfig
---@field name string               short name (schedules write t(NAME)@K)
---@field body fun()                the thread's body; it gets no arguments
---@field affinity? integer[]       CPUs it may run on (default: all)
---@field c_source? string         the body in C, shown by the UI's C view (s)

---The WDF_INTERRUPT_CONFIG fields the simulator models (R40-R42, R50, R61).
---@class InterruptConfig
---@field EvtInterruptIsr EVT_WDF_INTERRUPT_ISR           required: without it the status is STATUS_INVALID_PARAMETER
---@field EvtInterruptDpc? EVT_WDF_INTERRUPT_DPC          the DPC callback (not together with EvtInterruptWorkItem)
---@field EvtInterruptWorkItem? EVT_WDF_INTERRUPT_WORKITEM the work-item callback (not together with EvtInterruptDpc)
---@field EvtInterruptEnable? EVT_WDF_INTERRUPT_ENABLE    run by WdfInterruptEnable under the lock
---@field EvtInterruptDisable? EVT_WDF_INTERRUPT_ENABLE   run by WdfInterruptDisable under the lock
---@field PassiveHandling? boolean                        passive-level ISR in its own thread (default false, R50, R51)
---@field AutomaticSerialization? boolean                 DPC/work item under the parent's callback lock (default false, R42)
---@field SpinLock? WDFSPINLOCK                           share this spin lock as the interrupt lock (DIRQL only, R61)
---@field WaitLock? WDFWAITLOCK                           use this wait lock (passive only, R50)
---@field c_source? string|table<string,string>           the C these callbacks stand for, shown by the UI's C view (s): one string (kept with the ISR) or one per callback key

---Options of fire(), returned() and runs_on().
---@class CpuFilter
---@field cpu? integer              a CPU number (fire: the receiving CPU; predicates: only that CPU)

---Options of step().
---@class StepOptions
---@field us? integer               busy time the step costs, 1..100000000 (default 1)

---What WdfInterruptGetInfo returns (a WDF_INTERRUPT_INFO subset).
---@class InterruptInfo
---@field MessageNumber integer     the MessageID (R05)
---@field Irql KIRQL                the line's DIRQL
---@field SynchronizeIrql KIRQL     the IRQL the ISR and the lock run at (R61); 0 for a passive interrupt
---@field MessageSignaled boolean   true for MSI
---@field TargetProcessorSet integer the affinity as a bit mask (bit n = CPU n)

---What a prediction is about: made by returned(), runs_on(), value() or outcome().
---@class Predicate

---A story action: made by fire, steps, run_until, run_to_end, ask, expect, mark.
---@class StoryAction

---A story item: narration text or an action.
---@alias StoryItem string|StoryAction

---ask { "question", about = ..., choices = ..., answer = ..., why = ... }
---@class AskConfig
---@field [1] string                the question
---@field about Predicate           returned(...), runs_on(...), value(...) or outcome()
---@field choices? string[]         the answers offered, e.g. { "TRUE", "FALSE" }
---@field answer? string            the right answer, exactly as the engine prints it ("TRUE", "2", "CPU 0", "bugcheck 0x133")
---@field why? string               the explanation shown with the answer
---@field hint? string|string[]     hint tiers the UI's h key shows one at a time (a list: 1 to 4)

---challenge { ... }: an exists or a for-all challenge.
---@class ChallengeConfig
---@field kind "exists"|"forall"    the kind
---@field goal string               what the student must reach or prove
---@field name? string              a short label
---@field reach? fun(): boolean     exists: the state to reach (free reads)
---@field reference? string         exists: a schedule that reaches it, "v1 cpus=N: ..."
---@field invariant? fun(): boolean forall: must hold where every run within the bounds ends (proved by --check)
---@field correct? string           forall: the name of the correct variant in lesson{}.variants
---@field hints string[]            hints in tiers (h in the UI; one more h replays the reference); --check requires at least one
---@field bounds? table             accepted; the lesson{} bounds apply

-- ---------------------------------------------------------------------------
-- Constants

---NTSTATUS: success.
STATUS_SUCCESS = 0x00000000
---NTSTATUS: a configuration WdfInterruptCreate refuses (R40, R50).
STATUS_INVALID_PARAMETER = 0xC000000D
---NTSTATUS: AutomaticSerialization with a parent of the wrong execution level (R42).
STATUS_WDF_INCOMPATIBLE_EXECUTION_LEVEL = 0xC020000A

---IRQL 0: threads, work items, passive ISRs.
PASSIVE_LEVEL = 0
---IRQL 1 (nothing in the simulator runs here).
APC_LEVEL = 1
---IRQL 2: DPCs and spin-lock holders.
DISPATCH_LEVEL = 2
---IRQL 12.
SYNCH_LEVEL = 12
---IRQL 13.
CLOCK_LEVEL = 13
---IRQL 14.
IPI_LEVEL = 14
---IRQL 15.
HIGH_LEVEL = 15

-- ---------------------------------------------------------------------------
-- Declarations (load time only)

---Declare the lesson; unknown keys are errors with a "did you mean" hint.
---@param config LessonConfig
function lesson(config) end

---The name of the challenge variant being built, or nil when lesson{} declares none.
---@return string|nil
function variant() end

---Declare a device; it starts with INTSTATUS = 0, INTENABLE = 0xFFFFFFFF and one event per message.
---@param config DeviceConfig
---@return WDFDEVICE
function device(config) end

---Declare another named device event.
---@param config EventConfig
---@return DeviceEvent
function event(config) end

---Declare a lesson thread.
---@param config ThreadConfig
---@return Thread
function thread(config) end

---Declare watched shared values (numbers, booleans, strings, arrays of 1..64 of them); in a callback every field read or write is a step.
---@generic T: table
---@param fields T
---@return T
function shared(fields) end

---Create an interrupt object on the device's next free line or message (R05, R40); a refused config gives a status and nil.
---@param Device WDFDEVICE
---@param Config InterruptConfig
---@return NTSTATUS status
---@return WDFINTERRUPT|nil Interrupt
function WdfInterruptCreate(Device, Config) end

---Create a spin lock (for WdfSpinLock*/KeAcquireSpinLock*, or as config.SpinLock).
---@return NTSTATUS status
---@return WDFSPINLOCK SpinLock
function WdfSpinLockCreate() end

---Create a wait lock (for WdfWaitLock*, or as config.WaitLock).
---@return NTSTATUS status
---@return WDFWAITLOCK WaitLock
function WdfWaitLockCreate() end

---Create a plain DPC (Medium importance, untargeted) whose routine gets no arguments (R19, R20).
---@param DeferredRoutine fun()
---@return KDPC
function KeInitializeDpc(DeferredRoutine) end

-- ---------------------------------------------------------------------------
-- The call API: only inside callbacks; each call is one step, stopped before.

---Queue the interrupt's DPC on this CPU: TRUE inserted, FALSE already queued (R10-R13, R21).
---@param Interrupt WDFINTERRUPT
---@return boolean
function WdfInterruptQueueDpcForIsr(Interrupt) end

---Queue the interrupt's work item: through its DPC above DISPATCH, directly at or below (R41).
---@param Interrupt WDFINTERRUPT
---@return boolean
function WdfInterruptQueueWorkItemForIsr(Interrupt) end

---Take the interrupt lock: raise to SynchronizeIrql and spin, or (passive) wait (R60).
---@param Interrupt WDFINTERRUPT
function WdfInterruptAcquireLock(Interrupt) end

---Release the interrupt lock and go back to the IRQL before the acquire (R60, R08).
---@param Interrupt WDFINTERRUPT
function WdfInterruptReleaseLock(Interrupt) end

---Try a passive interrupt's lock from a thread at PASSIVE: TRUE taken, FALSE held; never waits (R53).
---@param Interrupt WDFINTERRUPT
---@return boolean
function WdfInterruptTryToAcquireLock(Interrupt) end

---Run callback(Interrupt) under the interrupt lock at SynchronizeIrql and return its result (R62).
---@param Interrupt WDFINTERRUPT
---@param Callback EVT_WDF_INTERRUPT_SYNCHRONIZE
---@return boolean
function WdfInterruptSynchronize(Interrupt, Callback) end

---From a thread at PASSIVE: run EvtInterruptEnable under the lock and enable delivery (R70).
---@param Interrupt WDFINTERRUPT
---@return NTSTATUS
function WdfInterruptEnable(Interrupt) end

---From a thread at PASSIVE: run EvtInterruptDisable, stop delivery, wait for the DPC and work item (R70, R20).
---@param Interrupt WDFINTERRUPT
---@return NTSTATUS
function WdfInterruptDisable(Interrupt) end

---The interrupt's MessageNumber, Irql, SynchronizeIrql, MessageSignaled and TargetProcessorSet.
---@param Interrupt WDFINTERRUPT
---@return InterruptInfo
function WdfInterruptGetInfo(Interrupt) end

---Raise to DISPATCH_LEVEL and take the spin lock, spinning while it is held (R63).
---@param SpinLock WDFSPINLOCK
function WdfSpinLockAcquire(SpinLock) end

---Release the spin lock and go back to the IRQL before the acquire (R63).
---@param SpinLock WDFSPINLOCK
function WdfSpinLockRelease(SpinLock) end

---KeAcquireSpinLock on a WDFSPINLOCK: the same operation as WdfSpinLockAcquire; the runtime keeps the old IRQL (R63).
---@param SpinLock WDFSPINLOCK
function KeAcquireSpinLock(SpinLock) end

---KeReleaseSpinLock: the same operation as WdfSpinLockRelease (R63).
---@param SpinLock WDFSPINLOCK
function KeReleaseSpinLock(SpinLock) end

---Take the spin lock without changing the IRQL (R63; at DIRQL it makes the same-CPU deadlock possible).
---@param SpinLock WDFSPINLOCK
function KeAcquireSpinLockAtDpcLevel(SpinLock) end

---Release a lock taken with KeAcquireSpinLockAtDpcLevel; the IRQL stays.
---@param SpinLock WDFSPINLOCK
function KeReleaseSpinLockFromDpcLevel(SpinLock) end

---Take the wait lock (no timeout); a thread blocks while it is held, above PASSIVE that is 0xB8 (R35).
---@param WaitLock WDFWAITLOCK
function WdfWaitLockAcquire(WaitLock) end

---Release the wait lock; the longest waiter gets it.
---@param WaitLock WDFWAITLOCK
function WdfWaitLockRelease(WaitLock) end

---Insert the DPC (importance and target apply): TRUE inserted, FALSE already queued (R19, R21).
---@param Dpc KDPC
---@return boolean
function KeInsertQueueDpc(Dpc) end

---Remove a queued DPC: TRUE it will not run, FALSE it was not queued; never waits (R20).
---@param Dpc KDPC
---@return boolean
function KeRemoveQueueDpc(Dpc) end

---Set the DPC's importance: queue position and drain requests (R19).
---@param Dpc KDPC
---@param Importance KDPC_IMPORTANCE
function KeSetImportanceDpc(Dpc, Importance) end

---Target the DPC at a CPU's queue (0-based CPU number) (R19).
---@param Dpc KDPC
---@param Number integer
function KeSetTargetProcessorDpc(Dpc, Number) end

---From a thread at PASSIVE: block until every DPC queued before the call has run (R20).
function KeFlushQueuedDpcs() end

---This CPU's IRQL (R01, R02).
---@return KIRQL
function KeGetCurrentIrql() end

---This CPU's number, 0-based.
---@return integer
function KeGetCurrentProcessorNumber() end

---Read a device register.
---@param Device WDFDEVICE
---@param Register DeviceRegister
---@return integer
function READ_REGISTER_ULONG(Device, Register) end

---Write a device register: INTSTATUS is write-1-to-clear, INTENABLE masks the device (R07).
---@param Device WDFDEVICE
---@param Register DeviceRegister
---@param Value integer
function WRITE_REGISTER_ULONG(Device, Register, Value) end

---An explicit step with a label; opts.us is the busy time it costs (engine-contract 3).
---@param text? string
---@param opts? StepOptions
function step(text, opts) end

-- ---------------------------------------------------------------------------
-- The story and the challenges (load time); the runner plays them later.

---Declare the story: narration strings and actions, played in order along one path.
---@param items StoryItem[]
function story(items) end

---Declare a challenge (exists or forall); several are allowed.
---@param config ChallengeConfig
function challenge(config) end

---A device event happens and is delivered to opts.cpu (default: the lowest CPU of the affinity set); not "the ISR runs".
---@param target WDFDEVICE|DeviceEvent
---@param opts? CpuFilter
---@return StoryAction
function fire(target, opts) end

---Take exactly these choices, e.g. "0 0 1*3 e(NIC)@1 t(app)@0" (no "v1 ...:" header).
---@param choices string
---@return StoryAction
function steps(choices) end

---Run round-robin until the predicate holds after a step (returned, runs_on, or a function).
---@param pred Predicate|fun(): boolean
---@return StoryAction
function run_until(pred) end

---Run round-robin until nothing can step; this ends the run.
---@return StoryAction
function run_to_end() end

---A prediction, machine-checked by --check.
---@param config AskConfig
---@return StoryAction
function ask(config) end

---A condition that must hold at this point of the story (free reads).
---@param fn fun(): boolean
---@param text string
---@return StoryAction
function expect(fn, text) end

---A pause mark for the UI and demo mode.
---@param text string
---@return StoryAction
function mark(text) end

---Predicate: the named call returned (optionally on opts.cpu); the answer is its result ("TRUE", "5", ...).
---@param call PredictableCall
---@param opts? CpuFilter
---@return Predicate
function returned(call, opts) end

---Predicate: a callback of this role (or the thread of this name) starts; the answer is "CPU N".
---@param role CallbackRole
---@param opts? CpuFilter
---@return Predicate
function runs_on(role, opts) end

---Predicate: a shared value ("handled", "slots[2]") where the story next stops.
---@param name string
---@return Predicate
function value(name) end

---Predicate: the run's outcome where the story next stops ("quiescent", "bugcheck 0x133", "deadlock", ...).
---@return Predicate
function outcome() end

---True when nothing can step any more (a free read, for reach() and invariants).
---@return boolean
function finished() end

---How often the device's (or this event's) device event has happened so far.
---@param target WDFDEVICE|DeviceEvent
---@return integer
function fired(target) end

---WdfObjectDelete on an interrupt: later calls with its handle are stale (R31); what
---they do is switches.stale_handle ("works", "type-check", "fault", "corrupt").
---@param Interrupt WDFINTERRUPT
function WdfObjectDelete(Interrupt) end
