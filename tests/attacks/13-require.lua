-- Attack: load a C module from disk with require (a shared object runs
-- with the tutor's privileges).
-- expect: line 5: "attempt to call a nil value (global 'require')"
lesson { api = 1, id = "attack", title = "require" }
local posix = require("posix")
