-- Attack: recursion through C: an __index function that indexes its own
-- table, so every level is a C call (metamethod) on the C stack.
-- expect: line 5: "stack overflow"
lesson { api = 1, id = "attack", title = "C stack through __index" }
local t = setmetatable({}, { __index = function(t, k) return t[k .. "x"] end })
local v = t.x
