-- 17-write-your-own.lua: write your own lesson. This file is the example.
-- A dpctutor lesson, licensed CC BY 4.0.
--
-- A lesson has four parts, in this order: lesson{}, the scenario, story{},
-- and challenges. docs/authoring.md describes every key and call;
-- lessons/api.lua gives your editor completion.
lesson {
  api = 1, id = "write-your-own", title = "Write your own lesson", cpus = 2,
  rules = { "R34", "R35", "R63", "R70" },
  goal = "Read a lesson file from the inside, learn the commands that check it, and see "
      .. "disabling an interrupt and a KMDF verifier finding on the way.",
  notes = "Keep the source view (s) open for the whole story: every line it names is here.",
  -- The KMDF verifier is on and a kernel debugger is attached (R34).
  switches = { verifier = true, debugger = true },
  -- Variants are versions of the scenario; the first is the one the story plays.
  variants = { "as written", "spin lock in the ISR" },
  bounds = { preemptions = 1, events = 1, steps = 200 },
}

local v = variant()

-- The scenario: a device, the values callbacks share, threads, interrupts.
-- free = 1 lets the explorer fire one DEV event by itself.
local dev = device { name = "DEV", irql = 5, affinity = { 0 }, free = 1 }
-- Every read and write of a shared value inside a callback is one step.
local s = shared { disable_irql = -1, dpc_done = 0, isr_done = 0, isr_started = 0 }
local _, lock = WdfSpinLockCreate()

local status, irq = WdfInterruptCreate(dev, {
  EvtInterruptIsr = function(interrupt, message_id)
    s.isr_started = s.isr_started + 1
    if v == "spin lock in the ISR" then
      WdfSpinLockAcquire(lock)          -- at DIRQL: would lower the IRQL to 2 (R63, R35)
      WdfSpinLockRelease(lock)
    end
    WRITE_REGISTER_ULONG(dev, "INTSTATUS", 1)
    WdfInterruptQueueDpcForIsr(interrupt)
    s.isr_done = s.isr_done + 1
    return true
  end,
  EvtInterruptDpc = function(interrupt, device)
    step("process", { us = 5 })
    WdfInterruptEnable(interrupt)       -- the mistake: Enable needs PASSIVE_LEVEL (R70)
    s.dpc_done = s.dpc_done + 1
  end,
  EvtInterruptDisable = function(interrupt, device)
    s.disable_irql = KeGetCurrentIrql()
  end,
})
assert(status == STATUS_SUCCESS)

-- A thread: the driver's power-down path, at PASSIVE_LEVEL on CPU 1.
thread { name = "powerdown", affinity = { 1 }, body = function()
  for _ = 1, 8 do step("power-down work") end
  WdfInterruptDisable(irq)
end }

-- The story: narration, fire() and run_until() to move, ask{} to predict,
-- expect() for what must hold, mark() for pauses.
if v ~= "as written" then
  story {
    "The variant 'spin lock in the ISR': the ISR takes a WDFSPINLOCK, at DIRQL.",
    fire(dev, { cpu = 0 }),
    ask { "How does the run end?",
          about = outcome(),
          choices = { "quiescent", "bugcheck 0x9", "deadlock" }, answer = "bugcheck 0x9",
          why = "WdfSpinLockAcquire raises to DISPATCH_LEVEL; from DIRQL that is a lowering: "
             .. "bug check 0x9 IRQL_NOT_GREATER_OR_EQUAL (R63, R35)." },
    "Driver Verifier's IRQL checking would make it 0xC4 (R35); this machine's verifier "
      .. "switch is the KMDF verifier (R34), a different tool.",
    "On its blue screen the simulator shows P1 = 0x5, the IRQL the ISR ran at, and P2 = 0x2, "
      .. "the one WdfSpinLockAcquire asked for: the simulator's own choice of parameters, not "
      .. "a documented meaning.",
    run_to_end(),
  }
else
  story {
    "This lesson is a lesson file read from the inside: press s to see its source. "
      .. "lesson{} at the top names it, its CPUs, its rules and its variants.",
    "Then the scenario: device{} DEV, shared{} for every value callbacks share (each read "
      .. "and write is a step), WdfInterruptCreate with real WDF callbacks, a thread{}.",
    fire(dev, { cpu = 0 }),
    run_until(runs_on("EvtInterruptDpc")),
    mark("The DPC runs on CPU 0"),
    "The DPC calls WdfInterruptEnable at DISPATCH_LEVEL: it must be called from a thread at "
      .. "PASSIVE_LEVEL (R70). "
      .. "This machine has the KMDF verifier on and a debugger attached (see switches).",
    ask { "What does the verifier's finding do here?",
          about = outcome(),
          choices = { "quiescent", "bugcheck 0x1E" }, answer = "quiescent",
          hint = "The debugger catches the break. What happens when it is continued?",
          why = "The finding breaks into the debugger; continued, the call returns without "
             .. "acting. With no debugger it would be bug check 0x1E KMODE_EXCEPTION_NOT_HANDLED, "
             .. "P1 = 0x80000003. With the KMDF verifier off, nothing is checked and the call "
             .. "goes ahead (R34)." },
    "Meanwhile the power-down thread on CPU 1 will call WdfInterruptDisable at "
      .. "PASSIVE_LEVEL, as it must (R70).",
    ask { "EvtInterruptDisable calls KeGetCurrentIrql. What will it get?",
          about = value("disable_irql"),
          choices = { "0", "2", "5" }, answer = "5",
          hint = "It runs under the interrupt lock.",
          why = "EvtInterruptDisable runs at DIRQL under the interrupt lock (R70). Disable also "
             .. "stops delivery and flushes the DPCs: it waits for any DPC queued before the "
             .. "call to run (R20, R70)." },
    run_to_end(),
    expect(function() return s.dpc_done == 1 end, "the DPC finished"),
    mark("Your turn"),
    "Write one: dpctutor --new mylesson writes ./mylesson.lua, a lesson that already "
      .. "passes. Change the scenario and the story.",
    "dpctutor --check -v mylesson.lua plays it headless and prints every step, every answer "
      .. "and why a check failed; --watch re-checks on every save.",
    "Every ask{} names what it predicts (returned, runs_on, value, outcome) and the answer "
      .. "the engine must give: --check fails on a wrong one. Cite a rule ID in each why.",
    "dpctutor --explore mylesson.lua tries every schedule within the bounds. This lesson's "
      .. "for-all challenge makes --check prove 'as written' and break the other variant.",
    "dpctutor --variant 'spin lock in the ISR' 17 opens that variant: its short story ends "
      .. "in bug check 0x9, an ISR raising to a lower IRQL (R63, R35).",
    "To share it: keep the licence line at the top, name it NN-id.lua in a lessons "
      .. "directory, and make sure --check passes. dpctutor --list --rules shows its rules.",
  }
end

-- Challenges: exists (reach a state, with a reference schedule) or forall
-- (an invariant every explored run must end in, per variant).
challenge {
  kind = "forall", name = "no-raise-down",
  goal = "Show that the ISR taking a WDFSPINLOCK crashes on some schedule, and 'as written' "
      .. "never does (R63, R35).",
  invariant = function() return finished() and s.isr_done == s.isr_started end,
  correct = "as written",
  hints = {
    "WdfSpinLockAcquire raises to DISPATCH_LEVEL. An ISR runs above it (R63, R03).",
    "Raising to a lower IRQL is bug check 0x9, IRQL_NOT_GREATER_OR_EQUAL (R35).",
    "So in that variant an ISR that starts never finishes: isr_started > isr_done.",
  },
}
