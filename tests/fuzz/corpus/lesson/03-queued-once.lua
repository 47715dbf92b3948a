-- 03-queued-once.lua: queued once until it runs.
-- A dpctutor lesson, licensed CC BY 4.0.
lesson {
  api = 1, id = "queued-once", title = "Queued once until it runs", cpus = 2,
  rules = { "R06", "R11", "R13" },
  goal = "See WdfInterruptQueueDpcForIsr return FALSE without losing work.",
  notes = "Ask the room what FALSE means before revealing it: most say 'an error'.",
}

local nic = device { name = "NIC", irql = 5, affinity = { 0 } }
local s = shared { pending = 0, handled = 0 }

local status, irq = WdfInterruptCreate(nic, {
  EvtInterruptIsr = function(interrupt, message_id)
    s.pending = s.pending + 1              -- the ISR holds the interrupt lock (R03)
    WdfInterruptQueueDpcForIsr(interrupt)
    return true
  end,
  EvtInterruptDpc = function(interrupt, device)
    WdfInterruptAcquireLock(interrupt)     -- take the saved work under the lock
    local n = s.pending
    s.pending = 0
    WdfInterruptReleaseLock(interrupt)
    s.handled = s.handled + n              -- and process it outside the lock
  end,
})
assert(status == STATUS_SUCCESS)

story {
  "Two device events reach CPU 0 before its DPC can run.",
  fire(nic, { cpu = 0 }),
  run_until(returned "WdfInterruptQueueDpcForIsr"),
  "The first ISR has queued the DPC. A second event arrives while the ISR still runs.",
  fire(nic, { cpu = 0 }),
  ask { "What does WdfInterruptQueueDpcForIsr return this time?",
        about = returned("WdfInterruptQueueDpcForIsr"),
        choices = { "TRUE", "FALSE" }, answer = "FALSE",
        why = "The DPC is still queued on CPU 0, not yet dequeued (R11)." },
  "FALSE is not an error: the earlier queuing stands, and its DPC will run once.",
  ask { "How many events will the DPC handle?",
        about = value("handled"),
        choices = { "0", "1", "2" }, answer = "2",
        why = "One DPC run takes all the work the ISRs saved (R11, R13)." },
  run_to_end(),
  expect(function() return s.handled == 2 end, "both events handled"),
  expect(function() return s.pending == 0 end, "nothing left behind"),
}

challenge {
  kind = "exists", name = "merge",
  goal = "Make the NIC raise two events but its ISR run only once (R06).",
  reach = function() return s.handled == 1 and s.pending == 0 end,
  reference = "v1 cpus=2: e(NIC)@0 e(NIC)@0 0*20",
  hints = {
    "An interrupt that is already pending on a CPU does not become pending twice.",
    "Fire both events before CPU 0 takes the first one.",
  },
}
