-- Attack: table.unpack over a range of a hundred million values: one VARARG
-- copy, no Lua instructions for the budget to count.
-- expect: line 5: "too many results"
lesson { api = 1, id = "attack", title = "unpack many" }
local n = select("#", table.unpack({}, 1, 1e8))
