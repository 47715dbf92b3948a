-- Attack: table.concat of many copies of one 512 KiB string: each piece is
-- legal, the result is not.
-- expect: line 7: "was refused"
lesson { api = 1, id = "attack", title = "table.concat bomb" }
local piece = ("x"):rep(1 << 19)
local t = { piece, piece, piece, piece }
local s = table.concat(t)
