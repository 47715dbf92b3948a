-- Attack: a count and a separator whose total length overflows size_t
-- arithmetic (n * (l + lsep)), hoping for a small allocation and a huge copy.
-- expect: line 5: "string.rep: the result would be longer than"
lesson { api = 1, id = "attack", title = "string.rep overflow" }
local s = ("x"):rep(math.maxinteger, ("y"):rep(16))
