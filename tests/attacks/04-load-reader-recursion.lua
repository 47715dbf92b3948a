-- Attack: a chunk reader that calls load() with itself as the reader, so
-- that the loaders nest inside each other on the C stack.
-- expect: line 7: "without reaching a step"
lesson { api = 1, id = "attack", title = "a reader that loads" }
local reader
reader = function() assert(load(reader)); return nil end
assert(load(reader))
