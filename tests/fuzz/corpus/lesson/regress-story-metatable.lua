lesson { api = 1, id = "c", title = "t", goal = "g" }
local s = shared { n = 0 }
local items = { run_to_end(), "first", mark("here"),
  ask { "How many?", about = value("n"), choices = { "0", "1" }, answer = "1" } }
setmetatable(items[4], { __index = function() error("boom") end })
setmetatable(items, { __index = function() error("boom") end })
thread { name = "w", body = function() items[3] = 7; items[4].choices = 5; s.n = 1 end }
story(items)
