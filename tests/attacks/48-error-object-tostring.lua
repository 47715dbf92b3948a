-- Attack: raise an error object whose __tostring never returns, so that
-- whoever prints the error (the checker, the UI) hangs outside any budget.
-- expect: line 6: "error object is a table value"
lesson { api = 1, id = "attack", title = "a hostile error object" }
local evil = setmetatable({}, { __tostring = function() while true do end end })
error(evil)
