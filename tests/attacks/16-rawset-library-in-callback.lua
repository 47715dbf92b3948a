-- Attack: patch a library function from a callback (string.format), so
-- that later runs, the checker's own calls or other lessons see it.
-- expect: line 8: "rawset: this table is frozen"
lesson { api = 1, id = "attack", title = "rawset on string" }
device { name = "NIC" }
thread { name = "app", body = function()
  step("start")
  rawset(string, "format", function() return "pwned" end)
end }
story { "The thread runs.", run_to_end() }
