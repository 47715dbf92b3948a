-- Attack: rawset on the shared{} proxy, to store a value the engine never
-- sees (and so never rewinds).
-- expect: line 9: "bad argument #1 to 'rawset' (table expected"
lesson { api = 1, id = "attack", title = "rawset on shared" }
device { name = "NIC" }
local s = shared { n = 0 }
thread { name = "app", body = function()
  step("start")
  rawset(s, "hidden", {})
end }
story { "The thread runs.", run_to_end() }
