-- Attack: a story that never ends, made of legal, cheap pieces: a thread
-- that steps ten million times (the largest step_limit), each step far
-- inside the budget, so no per-run bound ever fires.  Only the last-resort
-- alarm (DPCTUTOR_ALARM=1 here, 60 s by default) ends it.
-- The --plain transcript keeps the first 20000 events (about 800 KB).
-- alarm: 1
-- max-output: 1000000
-- modes: check plain
-- expect: "stopped by the last-resort alarm after 1 s"
lesson { api = 1, id = "attack", title = "a story that never ends", step_limit = 10000000 }
device { name = "NIC" }
thread { name = "app", body = function()
  while true do step("more of the same") end
end }
story { "The thread runs, and runs.", run_to_end() }
