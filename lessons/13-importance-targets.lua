-- 13-importance-targets.lua: KDPC importance, targeted DPCs, removing one.
-- A dpctutor lesson, licensed CC BY 4.0.
lesson {
  api = 1, id = "importance-targets", title = "Importance and targeted DPCs", cpus = 2,
  rules = { "R16", "R19", "R20" },
  goal = "Queue plain KDPCs with KeInsertQueueDpc: see High importance jump the queue (R19), "
      .. "a DPC sent to another CPU wait there for a drain (R16, R19), and KeRemoveQueueDpc "
      .. "take one back (R20).",
  notes = "Ask: 'a DPC sent to CPU 1 runs on CPU 1 right away?' Many think so.",
  tick_us = 50,
}

local nic = device { name = "NIC", irql = 5, affinity = { 0 } }
local s = shared { app1_steps = 0, first = "", order = "", remote_ran = false }

local function ran(name)
  if s.first == "" then s.first = name end
  s.order = s.order .. name:sub(1, 1)
end

-- Three KDPCs for CPU 0's queue and one sent to CPU 1 (R19).
local stats = KeInitializeDpc(function() ran("stats") end)
local log = KeInitializeDpc(function() ran("log") end)
local urgent = KeInitializeDpc(function() ran("urgent") end)
local remote = KeInitializeDpc(function() s.remote_ran = true end)

local status, irq = WdfInterruptCreate(nic, {
  EvtInterruptIsr = function(interrupt, message_id)
    WRITE_REGISTER_ULONG(nic, "INTSTATUS", 1)
    KeSetImportanceDpc(stats, "LowImportance")
    KeInsertQueueDpc(stats)              -- Low: to the tail
    KeInsertQueueDpc(log)                -- Medium: to the tail
    KeSetImportanceDpc(urgent, "HighImportance")
    KeInsertQueueDpc(urgent)             -- High: to the head
    KeSetTargetProcessorDpc(remote, 1)
    KeInsertQueueDpc(remote)             -- Medium, on CPU 1's queue
    return true
  end,
})
assert(status == STATUS_SUCCESS)

-- CPU 1 is busy with an application thread that later changes its mind
-- about the remote DPC.
thread { name = "app1", affinity = { 1 }, body = function()
  for _ = 1, 12 do
    step("application work")
    s.app1_steps = s.app1_steps + 1
  end
  KeRemoveQueueDpc(remote)
end }

story {
  "CPU 1 runs an application thread. The NIC interrupts CPU 0, and its ISR queues four "
    .. "plain KDPCs with KeInsertQueueDpc: stats (Low importance), log (Medium), urgent "
    .. "(High), and remote, sent to CPU 1 with KeSetTargetProcessorDpc (R19).",
  fire(nic, { cpu = 0 }),
  ask { "Which DPC runs first on CPU 0?",
        about = value("first"),
        choices = { "stats", "log", "urgent" }, answer = "urgent",
        hint = "Importance decides where in the queue a DPC goes, not only whether it waits.",
        why = "High importance goes to the head of the queue; the others to the tail, in the "
           .. "order they were queued (R19)." },
  run_until(function() return #s.order == 3 end),
  expect(function() return s.order == "usl" end, "urgent, then stats, then log"),
  "Low importance requests no drain until the queue depth reaches a threshold (4 here, a "
    .. "simulator setting) or a clock tick comes. log, Medium, requested one on CPU 0, and "
    .. "the drain ran every DPC in the queue, stats too (R16, R19).",
  "Windows also weighs the rate of DPC requests: not simulated (R19).",
  mark("CPU 0's queue drained"),
  ask { "CPU 1 is still running its thread. Has remote run there yet?",
        about = value("remote_ran"),
        choices = { "TRUE", "FALSE" }, answer = "FALSE",
        hint = "Does a Medium-importance DPC sent to another CPU ask that CPU to drain?",
        why = "Medium asks for a drain only on the CPU that queues it. On CPU 1 the DPC waits "
           .. "for a clock tick or for the CPU to go idle (R16, R19)." },
  run_until(function() return s.app1_steps == 10 end),
  "High or MediumHigh importance would have asked CPU 1 to drain at once (R19). The thread "
    .. "now calls KeRemoveQueueDpc on remote.",
  ask { "What does KeRemoveQueueDpc return?",
        about = returned("KeRemoveQueueDpc"),
        choices = { "TRUE", "FALSE" }, answer = "TRUE",
        hint = "Is remote still in CPU 1's queue?",
        why = "It was queued and not yet dequeued: TRUE, it is removed and will not run. "
           .. "KeRemoveQueueDpc never waits for a running routine (R20)." },
  run_to_end(),
  expect(function() return not s.remote_ran end, "remote never ran"),
  "To wait instead until every DPC queued before the call has run, a thread at "
    .. "PASSIVE_LEVEL calls KeFlushQueuedDpcs (R20). KMDF "
    .. "flushes, not removes, when an interrupt is disabled, so a queued EvtInterruptDpc "
    .. "still runs (R20).",
}

challenge {
  kind = "exists", name = "remote-runs",
  goal = "Make remote run on CPU 1.",
  reach = function() return s.remote_ran end,
  reference = "v1 cpus=2: t(app1)@1 1*38 e(NIC)@0 0*11 1*3",
  hints = {
    "A DPC on CPU 1's queue runs when CPU 1 drains it: at a clock tick, when it is idle, or "
      .. "when its IRQL drops below DISPATCH with a drain requested (R16).",
    "The thread removes it after 12 steps; CPU 1's clock ticks every 50 us of busy time.",
    "Let the thread finish first, then fire the NIC: an idle CPU 1 drains its queue. "
      .. "t app1 CPU 1, 1 until the thread ends, e NIC CPU 0, 0 until the ISR returns, then 1.",
  },
}
