-- Attack: string.dump turns a function into bytecode (which could then be
-- edited and loaded); it also leaks upvalue layout.
-- expect: line 5: "attempt to call a nil value (field 'dump')"
lesson { api = 1, id = "attack", title = "string.dump" }
local code = string.dump(function() return 1 end)
