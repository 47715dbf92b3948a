-- Attack: a callback that never reaches a step: the engine must not wait
-- for it forever.
-- modes: check plain
-- expect: line 8: "without reaching a step"
lesson { api = 1, id = "attack", title = "a callback that spins" }
device { name = "NIC" }
thread { name = "app", body = function()
  while true do end
end }
story { "The thread runs.", run_to_end() }
