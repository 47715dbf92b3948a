-- Attack: print() a megabyte at a time in a loop, to fill the disk with
-- the --plain transcript: the budget counts the bytes printed too.
-- modes: plain
-- expect: line 7: "without reaching a step"
lesson { api = 1, id = "attack", title = "a print flood" }
local s = ("P"):rep(1 << 19)
for _ = 1, 1e9 do print(s) end
