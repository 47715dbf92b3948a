-- Attack: a __gc finaliser runs whenever the collector decides, also while
-- the host is inside the engine, outside any budget.
-- expect: line 5: "'__gc' is not allowed in a lesson's metatable"
lesson { api = 1, id = "attack", title = "__gc" }
local t = setmetatable({}, { __gc = function() while true do end end })
