-- Attack: a to-be-closed variable whose __close never returns: it runs when
-- the block is left, also when an error or the budget unwinds it.
-- expect: line 8: "without reaching a step"
lesson { api = 1, id = "attack", title = "an endless __close" }
device { name = "NIC" }
thread { name = "app", body = function()
  step("start")
  local guard <close> = setmetatable({}, { __close = function() while true do end end })
end }
story { "The thread runs.", run_to_end() }
