-- Attack: ask load() for a binary chunk outright (mode "b").
-- Precompiled bytecode is not verified by Lua 5.4 and can crash the VM.
-- expect: line 5: "a lesson can load text chunks only"
lesson { api = 1, id = "attack", title = "load mode b" }
local f = assert(load("\27LuaT\0\25\147\r\n\26\n", "=bytes", "b"))
