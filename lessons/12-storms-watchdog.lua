-- 12-storms-watchdog.lua: an interrupt storm, a long DPC, and the DPC watchdog.
-- A dpctutor lesson, licensed CC BY 4.0.
lesson {
  api = 1, id = "storms-watchdog", title = "Storms and the DPC watchdog", cpus = 1,
  rules = { "R07", "R33", "R36", "R60" },
  goal = "Watch a level-triggered ISR that forgets to acknowledge its device: the interrupt "
      .. "storms until the DPC watchdog stops the machine (R07, R33). Then read bug check "
      .. "0x133's parameters.",
  notes = "Ask: 'the ISR returned TRUE, so the interrupt is over?' Then show the storm.",
  tick_us = 10,
  watchdog = { single_us = 50, cumulative_us = 100 },
  variants = { "no acknowledge", "long DPC", "lock twice", "acknowledge" },
  bounds = { preemptions = 1, events = 2, steps = 200 },
}

local v = variant()
local dev = device { name = "DISK", irql = 5, kind = "level", affinity = { 0 }, free = 2 }
local s = shared { handled = 0, isr_runs = 0, pending = 0 }

local status, irq = WdfInterruptCreate(dev, {
  EvtInterruptIsr = function(interrupt, message_id)
    if v ~= "no acknowledge" then
      WRITE_REGISTER_ULONG(dev, "INTSTATUS", 1)   -- acknowledge: the line drops (R07)
    end
    s.isr_runs = s.isr_runs + 1
    s.pending = s.pending + 1
    WdfInterruptQueueDpcForIsr(interrupt)
    return true
  end,
  EvtInterruptDpc = function(interrupt, device)
    WdfInterruptAcquireLock(interrupt)
    if v == "lock twice" then
      WdfInterruptAcquireLock(interrupt)      -- the bug: a helper takes it again (R60)
    end
    local n = s.pending
    s.pending = 0
    WdfInterruptReleaseLock(interrupt)
    -- The guideline is a DPC of at most 100 us (R33); here the scaled
    -- single-DPC limit is 50 us.
    step("complete the requests", { us = v == "long DPC" and 60 or 20 })
    s.handled = s.handled + n
  end,
})
assert(status == STATUS_SUCCESS)

if v == "long DPC" then
  story {
    "This variant acknowledges the device, but its DPC spends 60 us in one step, past the "
      .. "scaled single-DPC limit of 50 us (R33).",
    fire(dev, { cpu = 0 }),
    ask { "How does this run end?",
          about = outcome(),
          choices = { "quiescent", "bugcheck 0x133" }, answer = "bugcheck 0x133",
          why = "One DPC past its allotment: 0x133 with P1 = 0, P2 its time, P3 the "
             .. "allotment, in clock ticks (R33)." },
    "The blue screen says P1 = 0x0, P2 = 6 ticks, P3 = 5 ticks, scaled (R33).",
    run_to_end(),
  }
elseif v == "lock twice" then
  story {
    "This variant acknowledges the device, but its DPC takes the interrupt lock twice, as "
      .. "when a helper it calls takes the lock again.",
    fire(dev, { cpu = 0 }),
    ask { "How does this run end?",
          about = outcome(),
          choices = { "quiescent", "deadlock", "bugcheck 0x9" }, answer = "deadlock",
          why = "The second acquire spins at DIRQL for a lock its own CPU holds, forever "
             .. "(R60, R36)." },
    "A deadlock has no stop code of its own: on Windows this CPU would spin at DIRQL until "
      .. "the watchdog's 0x133; R36 gives P1 = 1 for CPUs stuck spinning. The simulator stops "
      .. "at once and names the cycle (R36).",
    "Inference: this spin is also one DPC running past its allotment, R33's case for "
      .. "P1 = 0. Which kind Windows would report first is not shown here (R33, R36).",
    run_to_end(),
  }
elseif v == "acknowledge" then
  story {
    "This is the variant 'acknowledge'. The story follows 'no acknowledge'; here you are "
      .. "the scheduler: e fires DISK, 0 steps CPU 0.",
    "dpctutor --explore --variant acknowledge 12 judges it on every schedule within the bounds.",
  }
else
  story {
    "DISK has a level-triggered line: it stays asserted while INTSTATUS & INTENABLE is "
      .. "non-zero (R07). This ISR never writes INTSTATUS.",
    "This lesson's watchdog is scaled: 50 us for one DPC or ISR, 100 us in a row at "
      .. "DISPATCH_LEVEL or above, with a clock tick every 10 us. Windows' real limits are "
      .. "far higher, about 20 s and 120 s in dumps (R33).",
    fire(dev, { cpu = 0 }),
    ask { "What does the first ISR's WdfInterruptQueueDpcForIsr return?",
          about = returned("WdfInterruptQueueDpcForIsr"),
          choices = { "TRUE", "FALSE" }, answer = "TRUE",
          why = "The DPC was not queued yet (R11)." },
    "The ISR returns TRUE. The line is still asserted: nobody cleared the status (R07).",
    ask { "And the next WdfInterruptQueueDpcForIsr on CPU 0?",
          about = returned("WdfInterruptQueueDpcForIsr"),
          choices = { "TRUE", "FALSE" }, answer = "FALSE",
          hint = "When the ISR returns, the IRQL drops. What is taken first: the asserted "
              .. "line or the DPC queue?",
          why = "The ISR was entered again as soon as the IRQL dropped, before the DPC could "
             .. "run: its DPC is still queued (R07, R08, R11)." },
    mark("An interrupt storm"),
    ask { "How does this end?",
          about = outcome(),
          choices = { "quiescent", "deadlock", "bugcheck 0x133" }, answer = "bugcheck 0x133",
          hint = "CPU 0 runs nothing below DIRQL: each time the IRQL drops, the ISR is entered "
              .. "again (R07, R08). Who watches time at DISPATCH_LEVEL or above (R33)?",
          why = "The CPU stays at DIRQL, re-entering the ISR, longer than the cumulative "
             .. "limit: 0x133 with P1 = 1 (R07, R33)." },
    "On the blue screen: P1 = 0x1, the cumulative kind (R33). P2 and P3 are this "
      .. "simulator's own: its time at DISPATCH or above and its limit, in ticks of 10 us. "
      .. "The DPC never ran: see handled in the values.",
    "CPUs spinning forever at DISPATCH_LEVEL or above also end in 0x133 on Windows, with "
      .. "P1 = 1 (R36); the simulator reports such a cycle as a deadlock at once: the variant "
      .. "'lock twice' shows one (R36).",
    mark("Before the watchdog"),
    run_to_end(),
  }
end

challenge {
  kind = "forall", name = "no-watchdog",
  goal = "Pick the ISR and DPC that handle every interrupt, never trip the watchdog and "
      .. "never hang, on every schedule of up to two DISK events (R07, R33, R36).",
  invariant = function() return finished() and s.handled == s.isr_runs end,
  correct = "acknowledge",
  hints = {
    "A level line stays asserted until the ISR clears the device's status or masks the "
      .. "device (R07).",
    "And a DPC must stay inside the scaled single limit: 50 us here (R33).",
    "The ISR writes 1 to INTSTATUS; the DPC takes 20 us, not 60, and the lock once.",
  },
}
