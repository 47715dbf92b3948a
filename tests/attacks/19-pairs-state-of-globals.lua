-- Attack: pairs(_G) hands back a state value; if it were the frozen
-- globals' hidden store, rawset on it would create globals.
-- expect: line 9: "rawset: this table is frozen"
lesson { api = 1, id = "attack", title = "pairs(_G)'s state" }
device { name = "NIC" }
thread { name = "app", body = function()
  step("start")
  local _, state = pairs(_G)
  rawset(state, "leak", true)
end }
story { "The thread runs.", run_to_end() }
