-- Attack: double a string until it no longer fits in memory (40 doublings
-- would be a terabyte).
-- expect: line 6: "was refused"
lesson { api = 1, id = "attack", title = "concatenation doubling" }
local s = "x"
for _ = 1, 40 do s = s .. s end
