-- Attack: a __pairs metamethod whose iterator never ends, called from
-- inside the sandbox's own pairs() (C code the count hook cannot yield in).
-- expect: line 7: "without reaching a step"
lesson { api = 1, id = "attack", title = "an endless __pairs" }
local t = setmetatable({}, { __pairs = function()
  return function() return 1, 1 end, nil, nil end })
for k in pairs(t) do end
