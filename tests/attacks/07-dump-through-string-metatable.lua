-- Attack: reach string.dump through a string value's metatable ("x"):dump().
-- expect: line 4: "attempt to call a nil value (method 'dump')"
lesson { api = 1, id = "attack", title = "dump through a string" }
local code = ("x"):dump()
