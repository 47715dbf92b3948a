-- Attack: one call that asks for a gigabyte string.
-- expect: line 4: "string.rep: the result would be longer than"
lesson { api = 1, id = "attack", title = "string.rep bomb" }
local s = ("x"):rep(1 << 30)
