-- 10-work-items.lua: interrupt work items, and two runs at once.
-- A dpctutor lesson, licensed CC BY 4.0.
lesson {
  api = 1, id = "work-items", title = "Work items", cpus = 2,
  rules = { "R40", "R41", "R43", "R44" },
  goal = "Queue an interrupt's work item from DIRQL and from PASSIVE_LEVEL, see two runs of "
      .. "it at once (R44), and fix that with the InProgress/Rerun pattern.",
  notes = "Ask: 'can a work item run twice at the same time?' Most say no: it is one object.",
  variants = { "plain", "InProgress/Rerun" },
  bounds = { preemptions = 1, events = 2, steps = 200 },
}

local v = variant()
-- TOUCH: a DIRQL interrupt whose deferred work is a work item.
-- BUS: a passive-level interrupt that queues its work item from its thread.
local touch = device { name = "TOUCH", irql = 6, affinity = { 0 }, free = 2 }
local bus = device { name = "BUS", irql = 4, kind = "level", affinity = { 0 } }
local s = shared { bus_read = false, first = "?", handled = 0, in_progress = false, overlaps = 0,
                   pending = 0, processing = false, rerun = false, second = "?", seen = 0 }

-- A DPC and a work item, both: the framework refuses the configuration (R40).
local both = WdfInterruptCreate(touch, {
  EvtInterruptIsr = function(interrupt, message_id) return true end,
  EvtInterruptDpc = function(interrupt, device) end,
  EvtInterruptWorkItem = function(interrupt, device) end,
})

-- The report to the input stack. A second run doing this at the same time
-- counts an overlap: reports would go out twice or out of order.
local function send_reports(n)
  if s.processing then s.overlaps = s.overlaps + 1 end
  s.processing = true
  s.handled = s.handled + n                -- hands n reports to the input stack
  s.processing = false
end

local function take_pending(interrupt)
  WdfInterruptAcquireLock(interrupt)     -- from PASSIVE: raises to DIRQL (R60)
  local n = s.pending
  s.pending = 0
  s.rerun = false
  WdfInterruptReleaseLock(interrupt)
  return n
end

local work = {
  ["plain"] = function(interrupt, device)
    send_reports(take_pending(interrupt))
  end,
  -- The pattern from the WDF documentation: one run at a time does the
  -- work; a run that finds one in progress asks it to go round again.
  ["InProgress/Rerun"] = function(interrupt, device)
    WdfInterruptAcquireLock(interrupt)
    if s.in_progress then
      s.rerun = true
      WdfInterruptReleaseLock(interrupt)
      return
    end
    s.in_progress = true
    WdfInterruptReleaseLock(interrupt)
    local again
    repeat
      send_reports(take_pending(interrupt))
      WdfInterruptAcquireLock(interrupt)
      again = s.rerun
      if not again then s.in_progress = false end
      WdfInterruptReleaseLock(interrupt)
    until not again
  end,
}

local status, irq = WdfInterruptCreate(touch, {
  EvtInterruptIsr = function(interrupt, message_id)
    s.pending = s.pending + 1
    s.seen = s.seen + 1
    WdfInterruptQueueWorkItemForIsr(interrupt)   -- from DIRQL: via the internal DPC (R41)
    return true
  end,
  EvtInterruptWorkItem = work[v],
})
assert(status == STATUS_SUCCESS)

local bstatus = WdfInterruptCreate(bus, {
  EvtInterruptIsr = function(interrupt, message_id)
    WRITE_REGISTER_ULONG(bus, "INTSTATUS", 1)
    s.first = tostring(WdfInterruptQueueWorkItemForIsr(interrupt))   -- from PASSIVE
    s.second = tostring(WdfInterruptQueueWorkItemForIsr(interrupt))
    return true
  end,
  EvtInterruptWorkItem = function(interrupt, device) s.bus_read = true end,
  PassiveHandling = true,
})
assert(bstatus == STATUS_SUCCESS)

if v ~= "plain" then
  story {
    "This is the variant '" .. v .. "'. The story follows 'plain'; here you are the "
      .. "scheduler: e fires TOUCH, 0 and 1 step the CPUs, t dispatches the workers.",
    "dpctutor --explore --variant '" .. v .. "' 10 judges it on every schedule within "
      .. "the bounds.",
  }
else
  story {
    string.format("TOUCH first asked for EvtInterruptDpc and EvtInterruptWorkItem both: "
      .. "WdfInterruptCreate returned 0x%08X, STATUS_INVALID_PARAMETER. A DPC or a work "
      .. "item, not both (R40).", both),
    "First BUS, a passive interrupt: its ISR thread queues its work item twice in a row, "
      .. "at PASSIVE_LEVEL.",
    fire(bus, { cpu = 0 }),
    ask { "The first call queues it: TRUE. What will the second call return?",
          about = value("second"),
          choices = { "true", "false" }, answer = "false",
          hint = "From PASSIVE the call queues the work item itself (R41). Will a worker have "
              .. "started it in between?",
          why = "At PASSIVE or DISPATCH it queues the work item directly: FALSE while it is "
             .. "queued and not yet started (R41)." },
    steps("0*2 t(BUS.isr0)@0 0*6"),
    expect(function() return s.first == "true" end, "the first queuing returned TRUE"),
    run_until(function() return s.bus_read end),
    mark("From PASSIVE_LEVEL, queued directly"),
    "Now TOUCH, with a work item only; its line goes to CPU 0. Its ISR runs at DIRQL, above "
      .. "DISPATCH, where WdfInterruptQueueWorkItemForIsr does not queue the work item itself "
      .. "(R41).",
    fire(touch, { cpu = 0 }),
    ask { "What does WdfInterruptQueueWorkItemForIsr return in the ISR?",
          about = returned("WdfInterruptQueueWorkItemForIsr"),
          choices = { "TRUE", "FALSE" }, answer = "TRUE",
          hint = "Above DISPATCH_LEVEL the call inserts something else first. Was that queued?",
          why = "Above DISPATCH it inserts the interrupt's internal DPC and returns that "
             .. "result: TRUE. The DPC queues the work item later (R41)." },
    ask { "Where does EvtInterruptWorkItem run?",
          about = runs_on("EvtInterruptWorkItem"),
          choices = { "CPU 0", "CPU 1" }, answer = "CPU 1",
          hint = "It runs in a system worker thread. Which CPU is free?",
          why = "In a system worker thread at PASSIVE_LEVEL, on any CPU: here the idle one "
             .. "(R41, R44)." },
    run_until(function() return s.processing end),
    mark("A work-item run is sending reports"),
    "While it runs, TOUCH interrupts CPU 0 again. \"Queued\" cleared before the run started (R41).",
    fire(touch, { cpu = 0 }),
    steps("0*9 t(worker0)@0 0*8"),
    ask { "How many runs will have overlapped when it is over?",
          about = value("overlaps"),
          choices = { "0", "1" }, answer = "1",
          hint = "The work item is not queued any more: it is running. What does a new "
              .. "queuing do?",
          why = "The queuing started a second run on the other worker thread, at the same time "
             .. "as the first (R44)." },
    run_to_end(),
    expect(function() return s.handled < s.seen end, "a report count was lost"),
    mark("Two runs of one work item"),
    "Look at the values: handled is less than seen. The two runs also raced on their "
      .. "count, a lost update between two threads (R44).",
    "One fix is the InProgress/Rerun pattern, and the challenge asks you to prove it (R44). "
      .. "AutomaticSerialization with a passive-level parent also serializes the runs "
      .. "(R42, R44).",
    "A DPC queued with WdfInterruptQueueDpcForIsr on a work-item interrupt runs the work "
      .. "item one DPC later; with neither callback that DPC calls a NULL pointer, an "
      .. "ordinary fault, not 0x10D (R43, an inference).",
  }
end

challenge {
  kind = "forall", name = "one-run-at-a-time",
  goal = "Pick the work item that never overlaps itself and reports every event, on every "
      .. "schedule of up to two TOUCH events (R44).",
  invariant = function() return s.overlaps == 0 and s.handled == s.seen end,
  correct = "InProgress/Rerun",
  hints = {
    "A queuing while a run is in progress starts another run (R44): runs must find each "
      .. "other.",
    "Under the interrupt lock, a run that finds InProgress set sets Rerun and returns.",
    "The run in progress loops while Rerun is set, and clears InProgress under the lock.",
  },
}
