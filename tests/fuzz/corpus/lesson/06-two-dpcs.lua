-- 06-two-dpcs.lua: two DPCs at once.
-- A dpctutor lesson, licensed CC BY 4.0.
lesson {
  api = 1, id = "two-dpcs", title = "Two DPCs at once", cpus = 2,
  rules = { "R12", "R13", "R14", "R42", "R60" },
  goal = "See the same EvtInterruptDpc run on two CPUs at once, lose an update by "
      .. "scheduling it yourself, then pick the fix the explorer proves.",
  notes = "Let the room play the scheduler: whoever loses an update explains why.",
  variants = { "no lock", "spin lock", "automatic serialization", "interrupt lock" },
  bounds = { preemptions = 2, events = 2, steps = 200 },
}

local v = variant()
local nic = device {
  name = "nic", irql = 5, affinity = { 0, 1 }, free = 2,
  synchronization_scope = v == "automatic serialization" and "device" or "none",
}
local s = shared { fired = 0, pending = 0, total = 0 }
local _, lock = WdfSpinLockCreate()

-- A DPC first looks at what the device delivered (steps that touch no
-- shared value), then takes the saved work and counts it: two reads and
-- two writes, four steps.
local function look()
  for _ = 1, 6 do step("read a received frame") end
end

local function drain()
  local n = s.pending
  s.pending = 0
  s.total = s.total + n
end

local dpc = {
  ["no lock"] = function(interrupt, device) look(); drain() end,
  ["spin lock"] = function(interrupt, device)
    look()
    WdfSpinLockAcquire(lock)             -- serializes DPCs, not the ISR (R63)
    drain()
    WdfSpinLockRelease(lock)
  end,
  ["automatic serialization"] = function(interrupt, device)
    look()
    drain()                              -- the framework holds the device's lock (R42)
  end,
  ["interrupt lock"] = function(interrupt, device)
    look()
    WdfInterruptAcquireLock(interrupt)   -- the lock the ISR holds (R60)
    drain()
    WdfInterruptReleaseLock(interrupt)
  end,
}

local status, irq = WdfInterruptCreate(nic, {
  EvtInterruptIsr = function(interrupt, message_id)
    s.fired = s.fired + 1                -- the ISR holds the interrupt lock (R03)
    s.pending = s.pending + 1
    WdfInterruptQueueDpcForIsr(interrupt)
    return true
  end,
  EvtInterruptDpc = dpc[v],
  AutomaticSerialization = v == "automatic serialization",
})
assert(status == STATUS_SUCCESS)

story {
  "The NIC interrupts CPU 0. Its ISR saves the work and queues the DPC on CPU 0.",
  fire(nic, { cpu = 0 }),
  run_until(runs_on("EvtInterruptDpc")),
  "CPU 0 has dequeued the DPC and entered it. Now the NIC interrupts CPU 1.",
  fire(nic, { cpu = 1 }),
  ask { "CPU 1's ISR calls WdfInterruptQueueDpcForIsr. What does it return?",
        about = returned("WdfInterruptQueueDpcForIsr"),
        choices = { "TRUE", "FALSE" }, answer = "TRUE",
        why = "The DPC was dequeued on CPU 0 before its routine started (R13)." },
  ask { "Where does this second instance of EvtInterruptDpc run?",
        about = runs_on("EvtInterruptDpc"),
        choices = { "CPU 0, after the first", "CPU 1" }, answer = "CPU 1",
        why = "On the CPU whose call queued it, at the same time as the first (R12, R14)." },
  mark("Two instances of one DPC are running"),
  run_to_end(),
  expect(function() return s.fired == 2 end, "two events fired"),
  "This time every event was counted. Is that luck or a guarantee? Play the scheduler.",
}

challenge {
  kind = "exists", name = "lose-an-update",
  goal = "Schedule the CPUs so that an event is lost: total ends below fired (R14).",
  reach = function() return finished() and s.total < s.fired end,
  reference = "v1 cpus=2: e(nic)@0 0*15 e(nic)@0 0*23",
  hints = {
    "The two DPC instances read and write the same shared values in separate steps.",
    "Let CPU 0 read pending, then let CPU 1 run its ISR and its whole DPC.",
    "Press the hint key once more to replay the reference schedule.",
  },
}

challenge {
  kind = "forall", name = "no-lost-update",
  goal = "Pick the DPC that never loses an event, on any schedule within the bounds.",
  invariant = function() return s.total == s.fired end,
  correct = "interrupt lock",
  hints = {
    "A lock that only DPCs take does not stop the ISR on the other CPU.",
    "The ISR holds the interrupt lock: the DPC must hold the same one.",
  },
}
