-- Attack: give a table a harmless metatable, then add __gc to that
-- metatable afterwards (Lua only marks finalisers at setmetatable time, but
-- a __mode added later changes what the lesson sees).
-- expect: line 8: "'__gc' is not allowed in a lesson's metatable"
lesson { api = 1, id = "attack", title = "__gc added later" }
local mt = {}
local t = setmetatable({}, mt)
mt.__gc = function() end
