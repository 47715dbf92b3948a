-- 09-passive-isr.lua: a passive-level ISR and the DPC it queues.
-- A dpctutor lesson, licensed CC BY 4.0.
lesson {
  api = 1, id = "passive-isr", title = "A passive-level ISR", cpus = 2,
  rules = { "R15", "R21", "R40", "R50", "R51", "R52", "R53" },
  goal = "Follow a passive-level ISR (KMDF 1.11+) from the trap to its thread (R51), and see "
      .. "that the DPC it queues may run before WdfInterruptQueueDpcForIsr returns (R21, an "
      .. "inference from the code).",
  bounds = { preemptions = 1, events = 1, steps = 100 },
  notes = "Ask first: 'at what IRQL does an ISR run?' Everyone says DIRQL. Then ask "
      .. "whether the DPC can run before the call that queues it returns.",
}

-- A sensor behind a slow bus: its ISR must wait for bus transfers, so it
-- cannot run at DIRQL. Its line may go to CPU 0 or CPU 1.
local sensor = device { name = "SENSOR", irql = 5, kind = "level", affinity = { 0, 1 },
                         free = 1 }
local s = shared { dpc_cpu = -1, dpc_inside_call = false, handled = 0, in_call = false,
                   isr_cpu = -1, isr_irql = -1, samples = 0 }

-- A passive interrupt takes no SpinLock: the framework refuses one (R50, R40).
-- This lesson asks, so that the story can show the status it gets back.
local _, spin = WdfSpinLockCreate()
local refused = WdfInterruptCreate(sensor, {
  EvtInterruptIsr = function(interrupt, message_id) return true end,
  PassiveHandling = true, SpinLock = spin,
})

local status, irq = WdfInterruptCreate(sensor, {
  EvtInterruptIsr = function(interrupt, message_id)
    s.isr_irql = KeGetCurrentIrql()          -- PASSIVE_LEVEL, in the ISR thread (R51)
    s.isr_cpu = KeGetCurrentProcessorNumber()
    step("read the sample over the bus", { us = 50 })  -- may wait: fine at PASSIVE
    WRITE_REGISTER_ULONG(sensor, "INTSTATUS", 1)       -- acknowledge the sensor
    s.samples = s.samples + 1
    s.in_call = true
    WdfInterruptQueueDpcForIsr(interrupt)    -- allowed at PASSIVE too (R15, R52)
    s.in_call = false
    return true
  end,
  EvtInterruptDpc = function(interrupt, device)
    s.dpc_inside_call = s.in_call            -- is the ISR still inside the call? (R21)
    s.dpc_cpu = KeGetCurrentProcessorNumber()
    s.handled = s.handled + 1
  end,
  PassiveHandling = true,                    -- the framework makes the wait lock (R50)
})
assert(status == STATUS_SUCCESS)

story {
  "SENSOR's interrupt has PassiveHandling = TRUE. Asked for one with a SpinLock, "
    .. string.format("WdfInterruptCreate returned 0x%08X, STATUS_INVALID_PARAMETER (R40): ",
                     refused)
    .. "a passive interrupt uses a wait lock instead, the driver's own or one the framework "
    .. "makes (R50).",
  "MSI interrupts cannot be passive at all: they need DIRQL handling (R50).",
  "The sensor raises its level line, and it goes to CPU 0.",
  fire(sensor, { cpu = 0 }),
  steps("0"),
  "CPU 0 takes it at DIRQL, but not into the driver's ISR: the kernel's trap handler masks "
    .. "the line and hands the ISR to a thread, SENSOR.isr0 (R51).",
  mark("The trap at DIRQL"),
  ask { "At what IRQL will EvtInterruptIsr run?",
        about = returned("KeGetCurrentIrql"),
        choices = { "0", "2", "5" }, answer = "0",
        hint = "Look at the threads: who runs the ISR now?",
        why = "A passive ISR runs in a kernel thread at PASSIVE_LEVEL, holding the "
           .. "interrupt's wait lock, so it may wait for the bus (R51)." },
  "That thread may run on any CPU, and later than the interrupt: ISRs and DPCs preempt it "
    .. "like any thread, and passive ISRs of different devices can delay each other (R51).",
  run_until(function() return s.in_call end),
  mark("The ISR queues its DPC from PASSIVE_LEVEL"),
  "WdfInterruptQueueDpcForIsr may be called at any IRQL up to DIRQL, PASSIVE included (R15). "
    .. "EvtInterruptDpc still runs at DISPATCH_LEVEL (R52).",
  ask { "When EvtInterruptDpc starts, is the ISR still inside WdfInterruptQueueDpcForIsr?",
        about = value("dpc_inside_call"),
        choices = { "TRUE", "FALSE" }, answer = "TRUE",
        hint = "The call raises the IRQL to insert the DPC, then lowers it again (R21, an "
            .. "inference from the code). What runs when a CPU's IRQL drops below DISPATCH "
            .. "with a DPC queued?",
        why = "The call lowers the IRQL on its way out, the queue drains on that CPU, so the "
           .. "DPC can run before the call returns, as it does here (R21, an inference from "
           .. "the code)." },
  run_until(function() return s.handled == 1 end),
  "TRUE: the DPC ran above the unfinished call, on the ISR thread's CPU, while that thread "
    .. "still held the wait lock (R21, inference).",
  "EvtInterruptDpc may not take the passive interrupt lock (R52). Inference: a waiter for "
    .. "that lock blocks (R60), a wait in a DPC is bug check 0xB8 (R35), and here the lock's "
    .. "holder is the thread below the DPC (R21).",
  run_to_end(),
  expect(function() return s.handled == 1 and s.samples == 1 end, "one sample, handled once"),
  mark("A DPC above its own queuing call"),
  "In arbitrary thread context, a passive interrupt's lock is taken with "
    .. "WdfInterruptTryToAcquireLock (R53).",
  "WdfInterruptAcquireLock, Synchronize, Enable and Disable must not be called there: they "
    .. "can deadlock with synchronous bus I/O (R53; that deadlock is not simulated).",
}

challenge {
  kind = "exists", name = "isr-elsewhere",
  goal = "Send the sensor's interrupt to CPU 0 and make its passive ISR run on CPU 1 (R51).",
  reach = function() return s.isr_cpu == 1 end,
  reference = "v1 cpus=2: e(SENSOR)@0 0*2 t(SENSOR.isr0)@1 1*4",
  hints = {
    "The trap runs where the interrupt went (R04); the ISR runs in a thread, and that thread "
      .. "may run on any CPU (R51).",
    "After the trap's two steps on CPU 0, the thread SENSOR.isr0 is ready: dispatch it yourself.",
    "e SENSOR CPU 0, press 0 twice, t SENSOR.isr0 CPU 1, then press 1 four times.",
  },
}
