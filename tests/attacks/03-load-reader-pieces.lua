-- Attack: a chunk reader that hands over the bytecode signature one byte at
-- a time, so that no single piece looks like a binary chunk.
-- expect: line 8: "attempt to load a binary chunk (mode is 't')"
lesson { api = 1, id = "attack", title = "bytecode through a reader" }
local pieces = { "\27", "L", "u", "a", "T", "\0", "\25", "\147" }
local i = 0
local function reader() i = i + 1; return pieces[i] end
assert(load(reader, "=pieces", "bt"))
