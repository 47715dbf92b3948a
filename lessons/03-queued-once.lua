-- 03-queued-once.lua: queued once until it runs.
-- A dpctutor lesson, licensed CC BY 4.0.
lesson {
  api = 1, id = "queued-once", title = "Queued once until it runs", cpus = 2,
  rules = { "R02", "R03", "R06", "R08", "R11", "R13" },
  goal = "See WdfInterruptQueueDpcForIsr return FALSE without losing work.",
  notes = "Ask the room what FALSE means before revealing it: most say 'an error'.",
  variants = { "take all", "keep the last", "take one" },
}

local v = variant()
local nic = device { name = "NIC", irql = 5, affinity = { 0 }, free = 2 }
-- pending: events saved for the DPC; seen: ISR calls, one event owed by
-- the DPC each; handled: events the DPC processed.
local s = shared { handled = 0, pending = 0, seen = 0 }

local status, irq = WdfInterruptCreate(nic, {
  EvtInterruptIsr = function(interrupt, message_id)
    if v == "keep the last" then
      s.pending = 1                        -- the bug: one slot, the newest event only
    else
      s.pending = s.pending + 1            -- the ISR holds the interrupt lock (R03)
    end
    WdfInterruptQueueDpcForIsr(interrupt)
    s.seen = s.seen + 1
    return true
  end,
  EvtInterruptDpc = function(interrupt, device)
    WdfInterruptAcquireLock(interrupt)     -- take the saved work under the lock
    local n = s.pending
    -- "take one" is the other classic bug: one event per run. The second
    -- queuing returned FALSE and added no run (R11), so the rest waits
    -- until another interrupt queues the DPC again.
    local take = v == "take one" and math.min(n, 1) or n
    s.pending = n - take
    WdfInterruptReleaseLock(interrupt)
    s.handled = s.handled + take           -- and process it outside the lock
  end,
})
assert(status == STATUS_SUCCESS)
-- This ISR counts its calls and never reads the NIC's status register, so
-- two device events that merge into one ISR call (R06) count as one: the
-- "merge" challenge shows the lost event.

-- The story follows the first variant. Built as another one (--variant),
-- the lesson says so and leaves the schedule to the student and the explorer.
if variant() ~= "take all" then
  story {
    "This is the variant '" .. variant() .. "'. The story follows 'take all'; "
      .. "here you are the scheduler: e fires the NIC, the CPU keys step the CPUs.",
    "dpctutor --explore --variant '" .. variant() .. "' 3 judges it on every schedule "
      .. "within the bounds, and prints a counterexample if there is one.",
  }
else
  story {
    "Two device events reach CPU 0 before its DPC can run.",
    fire(nic, { cpu = 0 }),
    run_until(returned "WdfInterruptQueueDpcForIsr"),
    "The first ISR has queued the DPC. A second event arrives while the ISR still runs: "
      .. "masked at DIRQL, it stays pending on CPU 0 (R02) and is taken as soon as the "
      .. "IRQL drops (R08).",
    fire(nic, { cpu = 0 }),
    ask { "What does WdfInterruptQueueDpcForIsr return this time?",
          about = returned("WdfInterruptQueueDpcForIsr"),
          choices = { "TRUE", "FALSE" }, answer = "FALSE",
          hint = "Has CPU 0 dequeued the DPC the first ISR queued? Look at its queue line.",
          why = "The DPC is still queued on CPU 0, not yet dequeued (R11)." },
    "FALSE is not an error: the earlier queuing stands, and its DPC will run once (R11).",
    ask { "How many events will the DPC handle?",
          about = value("handled"),
          choices = { "0", "1", "2" }, answer = "2",
          hint = "Two ISRs saved work, but the DPC was queued only once.",
          why = "The second queuing added no run (R11). This DPC takes all the saved work "
             .. "in its one run: the driver's design, not Windows'." },
    run_to_end(),
    expect(function() return s.handled == 2 end, "both events handled"),
    expect(function() return s.pending == 0 end, "nothing left behind"),
    mark("One DPC run, two events"),
    "It follows from R11 (inference): a DPC that took one event per run would leave one "
      .. "behind until another interrupt queues it, and an ISR that kept only the newest "
      .. "event in one slot would lose the first. See the challenges.",
  }
end

challenge {
  kind = "exists", name = "merge",
  goal = "Make the NIC raise two events but its ISR run only once: they merge (R06). "
      .. "This ISR counts calls, not what the device reports, so one event is lost; a real "
      .. "ISR handles everything the device reports (R06).",
  reach = function() return fired(nic) == 2 and s.handled == 1 and s.pending == 0 end,
  reference = "v1 cpus=2: e(NIC)@0 e(NIC)@0 0*20",
  hints = {
    "An interrupt already pending on a CPU does not become pending twice there: a "
      .. "second arrival merges with it (R06).",
    "Fire both events before CPU 0 takes the first one.",
    "In free play: e, NIC, CPU 0, twice; then press 0 until the DPC is done.",
  },
}

challenge {
  kind = "forall", name = "take-all",
  goal = "Pick the ISR and DPC that handle everything the ISRs saved, on any schedule of "
      .. "up to two events (R11). Events that merged before an ISR ran (R06) are not "
      .. "counted here: this ISR counts calls.",
  invariant = function() return s.handled == s.seen end,
  correct = "take all",
  hints = {
    "A FALSE from WdfInterruptQueueDpcForIsr adds no run: the queued DPC runs once (R11).",
    "So (inference from R11) one run must take everything the ISRs saved since the last run,",
    "and the ISRs must add to what is saved, never overwrite it.",
  },
}
