-- 06-two-dpcs.lua: two DPCs at once.
-- A dpctutor lesson, licensed CC BY 4.0.
lesson {
  api = 1, id = "two-dpcs", title = "Two DPCs at once", cpus = 2,
  rules = { "R03", "R12", "R13", "R14", "R17", "R42", "R60", "R63" },
  goal = "See one EvtInterruptDpc run on two CPUs at once, and one CPU lose an "
      .. "update; then count an event twice yourself and pick the fix.",
  notes = "Ask 'can one CPU race?' before the one-CPU part; most say no.",
  variants = { "no lock", "spin lock", "automatic serialization", "interrupt lock" },
  bounds = { preemptions = 1, events = 2, steps = 200 },
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

-- The story follows the first variant. Built as another one (--variant),
-- the lesson says so and leaves the schedule to the student and the explorer.
if variant() ~= "no lock" then
  story {
    "This is the variant '" .. variant() .. "'. The story follows 'no lock'; "
      .. "here you are the scheduler: e fires the NIC, the CPU keys step the CPUs.",
    "dpctutor --explore --variant '" .. variant() .. "' 6 judges it on every schedule "
      .. "within the bounds, and prints a counterexample if there is one.",
  }
else
  story {
    "The NIC interrupts CPU 0. Its ISR saves the work and queues the DPC on CPU 0's "
      .. "queue (R12).",
    fire(nic, { cpu = 0 }),
    run_until(runs_on("EvtInterruptDpc")),
    "CPU 0 has dequeued the DPC and entered it. Now the NIC interrupts CPU 1.",
    fire(nic, { cpu = 1 }),
    ask { "CPU 1's ISR calls WdfInterruptQueueDpcForIsr. What does it return?",
          about = returned("WdfInterruptQueueDpcForIsr"),
          choices = { "TRUE", "FALSE" }, answer = "TRUE",
          hint = "CPU 0 is running the DPC. Is the DPC still in CPU 0's queue?",
          why = "The DPC was dequeued on CPU 0 before its routine started (R13)." },
    ask { "Where does this second instance of EvtInterruptDpc run?",
          about = runs_on("EvtInterruptDpc"),
          choices = { "CPU 0, after the first", "CPU 1" }, answer = "CPU 1",
          hint = "Whose queue did CPU 1's ISR put the DPC on?",
          why = "On the CPU whose call queued it, at the same time as the first (R12, R14)." },
    mark("Two instances of one DPC are running"),
    run_until(finished),
    expect(function() return s.fired == 2 and s.total == 2 end, "two events, both counted"),
    "Every event was counted this time. Luck or a guarantee? Either instance may finish "
      .. "first (R14), and each reads and writes in separate steps, with no lock.",
    "Now ONE CPU: the NIC interrupts CPU 0 again, and CPU 1 stays idle.",
    fire(nic, { cpu = 0 }),
    steps("0*15"),
    "CPU 0's DPC has read pending = 1. The NIC interrupts CPU 0 once more, before the "
      .. "DPC writes pending = 0.",
    fire(nic, { cpu = 0 }),
    mark("An ISR between the DPC's read and write, on one CPU"),
    ask { "One CPU, no lock. Will total count all four events?",
          about = value("total"),
          choices = { "3", "4" }, answer = "3",
          hint = "The ISR preempts the DPC (R17): what does the DPC write over?",
          why = "The ISR preempted the DPC (R17) and set pending to 2 between the DPC's read "
             .. "and its write of 0: one CPU is enough for a lost update." },
    run_to_end(),
    expect(function() return s.fired == 4 and s.total == 3 end, "four events, one lost"),
    "The second run (R13, R14) found nothing, but not because the work was done: the "
      .. "first run's write of 0 erased the event the ISR saved.",
  }
end

challenge {
  kind = "exists", name = "count-twice",
  goal = "With two instances at once, count an event twice: total ends above fired (R14).",
  reach = function() return finished() and s.total > s.fired end,
  reference = "v1 cpus=2: e(nic)@0 0*15 e(nic)@1 1*19 0*4",
  hints = {
    "Only two DPC instances that both read the same saved event can both add it.",
    "Let CPU 0 read pending; then CPU 1 runs its ISR, and its DPC reads pending too.",
    "Each instance then clears pending and adds what it read.",
  },
}

challenge {
  kind = "forall", name = "no-lost-update",
  goal = "Pick the DPC that never loses an event, on any schedule within the bounds.",
  invariant = function() return s.total == s.fired end,
  correct = "interrupt lock",
  hints = {
    "A lock only DPCs take (a spin lock, the callback lock) does not stop the ISR, on "
      .. "either CPU (R42, R63).",
    "The ISR holds the interrupt lock (R03): the DPC must hold the same one (R60).",
  },
}
