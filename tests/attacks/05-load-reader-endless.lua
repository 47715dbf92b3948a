-- Attack: a reader that never returns nil, feeding an endless comment:
-- the loader would read forever and grow its buffer without bound.
-- expect: line 6: "without reaching a step"
lesson { api = 1, id = "attack", title = "an endless chunk reader" }
local first = true
local f = load(function() if first then first = false; return "--" end return "xxxxxxxxxxxxxxxx" end)
