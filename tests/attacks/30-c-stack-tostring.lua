-- Attack: recursion through the sandbox's own C: __tostring calling
-- tostring on itself, so each level passes through sb_tolstring.
-- expect: line 6: "stack overflow"
lesson { api = 1, id = "attack", title = "C stack through tostring" }
local t = {}
setmetatable(t, { __tostring = function(self) return tostring(self) end })
print(t)
