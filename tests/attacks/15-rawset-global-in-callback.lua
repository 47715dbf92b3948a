-- Attack: create a global from a callback with rawset, bypassing the frozen
-- globals' __newindex; a global would carry state between runs.
-- expect: line 8: "rawset: this table is frozen"
lesson { api = 1, id = "attack", title = "rawset on _G" }
device { name = "NIC" }
thread { name = "app", body = function()
  step("start")
  rawset(_G, "leak", 1)
end }
story { "The thread runs.", run_to_end() }
