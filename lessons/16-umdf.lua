-- 16-umdf.lua: the same driver under UMDF 2.
-- A dpctutor lesson, licensed CC BY 4.0.
lesson {
  api = 1, id = "umdf", title = "UMDF: threads, no IRQL", cpus = 2,
  rules = { "R44", "R51", "R80" },
  goal = "Run a driver under UMDF 2: the ISR in a thread, the \"DPC\" as the framework's work "
      .. "item in another thread, on any CPU.",
  notes = "Ask: 'in UMDF, where does EvtInterruptDpc run?' Then compare with lesson 5.",
  switches = { umdf = true },
}

local nic = device { name = "NIC", irql = 5, kind = "level", affinity = { 0, 1 } }
local s = shared { batch2 = false, handled = 0, in_isr = false, overlap = false, pending = 0 }

local status, irq = WdfInterruptCreate(nic, {
  EvtInterruptIsr = function(interrupt, message_id)
    s.in_isr = true                          -- in the ISR thread, holding the wait lock (R51)
    local st = READ_REGISTER_ULONG(nic, "INTSTATUS")
    WRITE_REGISTER_ULONG(nic, "INTSTATUS", st)   -- acknowledge
    s.pending = s.pending + 1
    WdfInterruptQueueDpcForIsr(interrupt)    -- UMDF: queues the work item (R80)
    s.in_isr = false
    return true
  end,
  EvtInterruptDpc = function(interrupt, device)
    if s.in_isr then s.overlap = true end
    WdfInterruptAcquireLock(interrupt)       -- the wait lock: a thread may block on it
    local n = s.pending
    s.pending = 0
    WdfInterruptReleaseLock(interrupt)
    if n >= 2 then s.batch2 = true end       -- one run took two events' work
    s.handled = s.handled + n
  end,
})
assert(status == STATUS_SUCCESS)

story {
  "The same kind of driver, under UMDF 2. Here every ISR is passive: it runs in a thread, "
    .. "NIC.isr0, after the kernel's trap (R51, R80).",
  "Ke* calls do not exist in user mode: KeGetCurrentIrql in a callback would be a lesson "
    .. "error here (R80).",
  "The CPU panes say \"user mode\" instead of an IRQL while the driver's threads run, "
    .. "and name the thread (R80).",
  fire(nic, { cpu = 0 }),
  ask { "In KMDF the DPC runs on the CPU that queued it (R12). Here, where does "
          .. "EvtInterruptDpc run?",
        about = runs_on("EvtInterruptDpc"),
        choices = { "CPU 0, where the ISR ran", "CPU 1" }, answer = "CPU 1",
        hint = "Under UMDF, what does WdfInterruptQueueDpcForIsr really queue?",
        why = "UMDF implements the deferred routine with the work item: it runs in a worker "
           .. "thread, on any CPU, here the free one (R44, R80)." },
  ask { "When it starts, is the ISR thread on CPU 0 still inside EvtInterruptIsr?",
        about = value("overlap"),
        choices = { "TRUE", "FALSE" }, answer = "TRUE",
        hint = "Two threads, two CPUs. What orders them?",
        why = "Nothing: the worker started on CPU 1 while the ISR thread was still finishing "
           .. "on CPU 0 (R44, R80)." },
  run_to_end(),
  expect(function() return s.handled == 1 end, "the event was handled"),
  mark("The deferred routine in a worker thread"),
  "No driver callback runs at DISPATCH_LEVEL: the ISR and the deferred routine are both "
    .. "threads that can block. The ISR holds the interrupt's wait lock, and the deferred "
    .. "routine blocks on it when it takes it while the ISR runs (R51, R80).",
  "So the same code must expect its ISR and its \"DPC\" to run at the same time on two "
    .. "CPUs, and share state under the interrupt's lock (R44, R80).",
}

challenge {
  kind = "exists", name = "one-run-two-events",
  goal = "Make one run of EvtInterruptDpc take the work of two NIC events.",
  reach = function() return s.batch2 end,
  reference = "v1 cpus=2: e(NIC)@0 0*2 t(NIC.isr0)@0 0*8 e(NIC)@0 0*2 t(NIC.isr0)@0 0*8 "
      .. "t(worker0)@1 1*6",
  hints = {
    "The work item is queued once until a worker starts it (R41): the ISRs add to pending.",
    "Let two ISRs run before any worker thread starts the deferred routine.",
    "Dispatch the ISR thread twice yourself (t), and only then the worker.",
  },
}
