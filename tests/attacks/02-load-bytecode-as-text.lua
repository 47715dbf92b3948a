-- Attack: pass bytecode with the default mode "bt", hoping the sandbox
-- only looks at the mode argument.
-- expect: line 5: "attempt to load a binary chunk (mode is 't')"
lesson { api = 1, id = "attack", title = "bytecode through mode bt" }
local f = assert(load("\27LuaT\0\25\147\r\n\26\n" .. ("\0"):rep(64)))
