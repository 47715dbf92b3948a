-- Attack: a weak table (__mode) lets the garbage collector decide what a
-- lesson sees, so two runs of the same schedule could differ.
-- expect: line 5: "'__mode' is not allowed in a lesson's metatable"
lesson { api = 1, id = "attack", title = "__mode" }
local cache = setmetatable({}, { __mode = "k" })
