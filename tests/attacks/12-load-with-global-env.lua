-- Attack: load a chunk with _G as its environment, hoping that a loaded
-- chunk sees a fuller global table than the lesson does.
-- absent: /tmp/dpctutor-attack-12
-- expect: line 8: "attempt to index a nil value (global 'io')"
lesson { api = 1, id = "attack", title = "load with _G" }
local chunk = assert(load("return io.open('/tmp/dpctutor-attack-12', 'w')",
                          "=chunk", "t", _G))
chunk()
