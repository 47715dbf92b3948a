-- Attack: string.pack with a huge fixed-size field: a few bytes of format,
-- a gigabyte of output.
-- expect: line 5: "not enough memory"
lesson { api = 1, id = "attack", title = "string.pack bomb" }
local s = string.pack("c1073741824", "")
