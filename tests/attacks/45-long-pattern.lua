-- Attack: a pattern of a hundred thousand items (each a C recursion of the
-- matcher: the C stack, again).
-- expect: line 5: "pattern"
lesson { api = 1, id = "attack", title = "a very long pattern" }
local hit = ("a"):find(("(a?)"):rep(100000))
