-- 04-dequeued.lua: dequeued before it runs.
-- A dpctutor lesson, licensed CC BY 4.0.
lesson {
  api = 1, id = "dequeued", title = "Dequeued before it runs", cpus = 1,
  rules = { "R03", "R08", "R11", "R13", "R14", "R16", "R17", "R20", "R60" },
  goal = "See an interrupt during the DPC queue that same DPC again, get TRUE, and "
      .. "the second run come right after the first, here with nothing left to do "
      .. "(R13, R14).",
  notes = "Before the first reveal ask: 'the DPC is running, so it is still queued?' "
      .. "Most say yes, and predict FALSE.",
  bounds = { preemptions = 1, events = 2, steps = 200 },
}

local nic = device { name = "NIC", irql = 5, affinity = { 0 }, free = 2 }
local s = shared { busy = false, empty_runs = 0, handled = 0, pending = 0, runs = 0,
                   while_running = 0 }

local status, irq = WdfInterruptCreate(nic, {
  EvtInterruptIsr = function(interrupt, message_id)
    if s.busy then s.while_running = s.while_running + 1 end
    s.pending = s.pending + 1              -- under the interrupt lock (R03)
    WdfInterruptQueueDpcForIsr(interrupt)
    return true
  end,
  EvtInterruptDpc = function(interrupt, device)
    s.busy = true
    s.runs = s.runs + 1
    step("look at the receive ring")
    WdfInterruptAcquireLock(interrupt)     -- take all the saved work (R60)
    local n = s.pending
    s.pending = 0
    WdfInterruptReleaseLock(interrupt)
    if n == 0 then s.empty_runs = s.empty_runs + 1 end  -- tolerate an empty run
    for _ = 1, n do step("process a received frame") end
    s.handled = s.handled + n
    s.busy = false
  end,
})
assert(status == STATUS_SUCCESS)

story {
  "One CPU. The NIC interrupts; its ISR saves the work and queues the DPC.",
  fire(nic, { cpu = 0 }),
  run_until(function() return s.runs == 1 end),
  "CPU 0 dequeued the DPC and runs EvtInterruptDpc at DISPATCH_LEVEL (R13, R17). "
    .. "Now the NIC interrupts again.",
  fire(nic, { cpu = 0 }),
  mark("An interrupt while the DPC runs"),
  ask { "The ISR preempts the DPC (R17) and queues it. What does WdfInterruptQueueDpcForIsr "
          .. "return?",
        about = returned("WdfInterruptQueueDpcForIsr"),
        choices = { "TRUE", "FALSE" }, answer = "TRUE",
        hint = "Running is not queued (R13). When did the DPC leave CPU 0's queue?",
        why = "The DPC was dequeued before its routine started, so it is inserted again (R13)." },
  "The ISR returns and the first run goes on where it was (R08). The second waits in "
    .. "CPU 0's queue: other DPCs on a CPU do not preempt a running one (R17).",
  ask { "How many times will EvtInterruptDpc run in all?",
        about = value("runs"),
        choices = { "1", "2", "3" }, answer = "2",
        hint = "TRUE means inserted (R11): a queued DPC runs unless KeRemoveQueueDpc "
          .. "removes it (R20), and nothing does here.",
        why = "The second run starts in the same drain, right after the first returns (R14, R16)." },
  run_until(function() return s.runs == 2 end),
  "The second run has begun, in the same drain as the first (R16).",
  ask { "How many of those runs find no saved work?",
        about = value("empty_runs"),
        choices = { "0", "1", "2" }, answer = "1",
        hint = "The first run took the saved work after the second ISR had saved its event.",
        why = "The first run took both events under the lock; the second found nothing (R14)." },
  run_to_end(),
  expect(function() return s.handled == 2 end, "both events handled"),
  expect(function() return s.while_running == 1 end, "one ISR ran while the DPC was busy"),
  mark("Two runs, one of them empty"),
  "An empty run is normal: a DPC must check for work and return quietly when there is "
    .. "none (R14).",
}

challenge {
  kind = "exists", name = "both-runs-work",
  goal = "Interrupt the running DPC so that its second run has work to do.",
  reach = function()
    return finished() and s.while_running == 1 and s.runs == 2 and s.empty_runs == 0
  end,
  reference = "v1 cpus=1: e(NIC)@0 0*16 e(NIC)@0 0*26",
  hints = {
    "The first run takes whatever is saved when it reads pending.",
    "Fire the second event after the DPC has read and cleared pending, before it returns.",
    "Let CPU 0 run until the DPC processes a frame, then fire the NIC at CPU 0.",
  },
}
