-- two-dpcs.lua: the scenario the Spin model tests/spin/two-dpcs.pml checks.
-- Not a lesson for students: tests/spin/check-spin.sh compares the outcomes
-- `dpctutor --explore` finds here with the final values Spin can reach.
-- Keep it and the model in step: one edge interrupt on CPUs 0 and 1, two
-- free events, an ISR that counts its run and, when the queuing returns
-- TRUE, the queuing (each a read and a write, under the interrupt lock), a
-- DPC that adds one to a shared total in a read step and a write step,
-- without a lock.
lesson {
  api = 1, id = "spin-two-dpcs", title = "Spin oracle: two DPCs, one total", cpus = 2,
  bounds = { preemptions = 64, events = 2, steps = 400 },
}

local nic = device { name = "nic", irql = 5, kind = "edge", affinity = { 0, 1 }, free = 2 }
local s = shared { fired = 0, queued = 0, total = 0 }

local status = WdfInterruptCreate(nic, {
  EvtInterruptIsr = function(interrupt, message_id)
    local f = s.fired                    -- read: one step
    s.fired = f + 1                      -- write: one step
    if WdfInterruptQueueDpcForIsr(interrupt) then
      local q = s.queued                 -- read: one step
      s.queued = q + 1                   -- write: one step
    end
    return true
  end,
  EvtInterruptDpc = function(interrupt, device)
    local t = s.total                    -- read: one step
    s.total = t + 1                      -- write: one step
  end,
})
assert(status == STATUS_SUCCESS)

story { "Explored by the Spin oracle test (tests/spin/check-spin.sh)." }
