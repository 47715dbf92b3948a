-- Attack: keep state in a global written by a callback; step back and the
-- explorer's replays would then disagree with the engine.
-- expect: line 8: "cannot assign global 'counter'"
lesson { api = 1, id = "attack", title = "a global from a callback" }
device { name = "NIC" }
thread { name = "app", body = function()
  step("start")
  counter = 1
end }
story { "The thread runs.", run_to_end() }
