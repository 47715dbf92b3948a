-- Attack: a metatable __name of a megabyte makes tostring() of a table a
-- giant string, used here as an error message.
-- expect: line 6: "bytes left out"
lesson { api = 1, id = "attack", title = "a giant __name" }
local t = setmetatable({}, { __name = ("N"):rep(1000000) })
error(tostring(t))
