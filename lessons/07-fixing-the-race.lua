-- 07-fixing-the-race.lua: fixing the race between the ISR and its DPCs.
-- A dpctutor lesson, licensed CC BY 4.0.
lesson {
  api = 1, id = "fixing-the-race", title = "Fixing the race", cpus = 2,
  rules = { "R03", "R12", "R13", "R14", "R42", "R60", "R62", "R63" },
  goal = "Find out which lock protects the DPC's read-modify-write against the ISR, "
      .. "and let the explorer prove it on every schedule within its bounds.",
  notes = "Let the room vote on AutomaticSerialization before the story's answer; then "
      .. "have them pick a variant and run --explore on it.",
  variants = { "automatic serialization", "no lock", "spin lock",
               "interrupt lock, read outside", "WdfInterruptSynchronize" },
  bounds = { preemptions = 1, events = 2, steps = 200 },
}

local v = variant()
local nic = device {
  name = "nic", irql = 5, affinity = { 0, 1 }, free = 2,
  synchronization_scope = v == "automatic serialization" and "device" or "none",
}
local s = shared { fired = 0, in_drain = false, overlaps = 0, pending = 0, total = 0 }
local _, lock = WdfSpinLockCreate()

-- The DPC's critical region: take the saved work and count it. in_drain
-- marks it, so an ISR that runs inside it can say so.
local function drain()
  s.in_drain = true
  local n = s.pending
  s.pending = 0
  s.total = s.total + n
  s.in_drain = false
end

local dpc = {
  ["automatic serialization"] = function(interrupt, device)
    step("read a received frame")
    drain()                              -- inside the device's callback lock (R42)
  end,
  ["no lock"] = function(interrupt, device)
    step("read a received frame")
    drain()
  end,
  ["spin lock"] = function(interrupt, device)
    step("read a received frame")
    WdfSpinLockAcquire(lock)             -- DISPATCH_LEVEL: masks DPCs, not the ISR (R63)
    drain()
    WdfSpinLockRelease(lock)
  end,
  ["interrupt lock, read outside"] = function(interrupt, device)
    step("read a received frame")
    local n = s.pending                  -- read before the lock: too early
    WdfInterruptAcquireLock(interrupt)   -- the ISR's own lock (R60)
    s.in_drain = true
    s.pending = 0
    s.total = s.total + n
    s.in_drain = false
    WdfInterruptReleaseLock(interrupt)
  end,
  ["WdfInterruptSynchronize"] = function(interrupt, device)
    step("read a received frame")
    WdfInterruptSynchronize(interrupt, function(i)   -- at DIRQL, under the ISR's lock (R62)
      drain()
      return true
    end)
  end,
}

local status, irq = WdfInterruptCreate(nic, {
  EvtInterruptIsr = function(interrupt, message_id)
    if s.in_drain then s.overlaps = s.overlaps + 1 end
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
if v ~= "automatic serialization" then
  story {
    "This is the variant '" .. v .. "'. The story follows 'automatic serialization'; "
      .. "here you are the scheduler: e fires the NIC, 0 and 1 step the CPUs.",
    "dpctutor --explore --variant '" .. v .. "' 7 judges it on every schedule "
      .. "within the bounds, and prints a counterexample if there is one.",
  }
else
  story {
    "This variant sets AutomaticSerialization, with a device-scope lock: the framework "
      .. "runs EvtInterruptDpc inside the device's callback lock (R42).",
    fire(nic, { cpu = 0 }),
    run_until(function() return s.in_drain end),
    "CPU 0's DPC is inside its read-modify-write, holding that lock. The NIC interrupts CPU 1.",
    fire(nic, { cpu = 1 }),
    mark("An ISR on CPU 1 while CPU 0's DPC holds the callback lock"),
    ask { "How many times does CPU 1's ISR run inside the DPC's critical region?",
          about = value("overlaps"),
          choices = { "0", "1" }, answer = "1",
          hint = "Which callbacks does AutomaticSerialization wrap in the lock?",
          why = "The callback lock wraps only EvtInterruptDpc and EvtInterruptWorkItem, "
             .. "never the ISR (R42)." },
    steps("0 1*11"),
    "CPU 0 read pending; then CPU 1 ran its ISR, which queued the DPC on CPU 1 (R12, R13). "
      .. "CPU 1 dequeued it and now spins at DISPATCH_LEVEL for the callback lock (R42).",
    run_until(function() return s.overlaps == 1 end),
    ask { "Two events fired. What total will the DPCs count?",
          about = value("total"),
          choices = { "1", "2", "3" }, answer = "1",
          hint = "The ISR added to pending after CPU 0's DPC had read it.",
          why = "CPU 0 cleared pending after the ISR's write: that event is lost. The "
             .. "callback lock never covers the ISR (R42), which holds only the interrupt "
             .. "lock (R03)." },
    run_to_end(),
    expect(function() return s.fired == 2 end, "two events fired"),
    "CPU 1's DPC did wait for CPU 0's: the callback lock serializes DPC instances with "
      .. "each other (R42). Not with the ISR.",
    mark("AutomaticSerialization lost an event"),
    "A spin lock raises only to DISPATCH_LEVEL: device interrupts still break in (R63).",
    "The interrupt lock masks the device on its CPU; an ISR on another CPU spins at DIRQL "
      .. "meanwhile (R60). Keep that region short: it is the cost.",
    "WdfInterruptAcquireLock around the whole read and write is as right as "
      .. "WdfInterruptSynchronize: both hold the interrupt lock (R60, R62), and lesson 6's "
      .. "challenge checks it on every schedule within its bounds.",
    "Other variants: dpctutor --variant NAME 7 opens one, and dpctutor --explore "
      .. "--variant NAME 7 judges it on every schedule within the bounds.",
  }
end

challenge {
  kind = "forall", name = "protect-the-drain",
  goal = "Pick the DPC that never loses or double-counts an event, on every schedule "
      .. "within the bounds.",
  invariant = function() return s.total == s.fired end,
  correct = "WdfInterruptSynchronize",
  hints = {
    "The race is with the ISR, so the lock must be the one the ISR holds (R03).",
    "Of these variants, only the interrupt lock keeps the ISR out (R03, R60), and only if "
      .. "the read is inside it too.",
    "WdfInterruptSynchronize runs the whole drain under the interrupt lock (R62).",
  },
}
