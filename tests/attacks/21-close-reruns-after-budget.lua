-- Attack: catch the budget error with pcall inside a __close handler and
-- start over, hoping that code run during unwinding escapes the budget.
-- expect: line 8: "without reaching a step"
lesson { api = 1, id = "attack", title = "__close swallowing the budget" }
local spin
spin = function() while true do end end
local function again()
  local guard <close> = setmetatable({}, { __close = function() pcall(spin); again() end })
  spin()
end
again()
