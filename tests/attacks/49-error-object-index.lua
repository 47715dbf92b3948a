-- Attack: an error object with hostile __index, __name and __len, thrown
-- from a callback, where the runtime formats the message for the log.
-- expect: line 10: "error object is a table value"
lesson { api = 1, id = "attack", title = "a hostile error object in a callback" }
device { name = "NIC" }
local evil = setmetatable({}, { __index = function() while true do end end,
  __name = ("N"):rep(100000), __len = function() while true do end end })
thread { name = "app", body = function()
  step("start")
  error(evil)
end }
story { "The thread runs.", run_to_end() }
