-- Attack: replace _ENV with a table whose __index digs for hidden libraries
-- through the registry-like places a script might know (package.loaded).
-- expect: line 7: "attempt to index a nil value (global 'package')"
lesson { api = 1, id = "attack", title = "a forged _ENV" }
local G = _G
local _ENV = setmetatable({}, { __index = function(_, k) return G[k] end })
local io = package.loaded.io
