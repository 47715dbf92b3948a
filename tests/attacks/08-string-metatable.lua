-- Attack: fetch the string metatable to replace __index (every string in the
-- host's state would then run lesson code) or to find hidden functions.
-- expect: line 5: "attempt to index a boolean value"
lesson { api = 1, id = "attack", title = "the string metatable" }
getmetatable("").__index = function() return os end
