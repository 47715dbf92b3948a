-- Attack: explorer bounds no machine finishes: four CPUs, four threads that
-- step forever, sixty-four preemptions, sixteen free events, runs of
-- 100000 steps.  Each run is bounded; their number is astronomical.
-- alarm: 1
-- modes: explore
-- expect: "stopped by the last-resort alarm after 1 s"
lesson { api = 1, id = "attack", title = "an exploration that never ends", cpus = 4,
         bounds = { preemptions = 64, events = 16, steps = 100000 } }
device { name = "NIC", free = 8 }
for i = 1, 4 do
  thread { name = "t" .. i, body = function()
    while true do step("work") end
  end }
end
story { "Nothing to tell.", run_to_end() }
