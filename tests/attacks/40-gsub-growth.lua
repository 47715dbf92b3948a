-- Attack: gsub with a long replacement: a small subject, a huge result
-- built in Lua's C buffer, past the string limit.
-- expect: line 5: "was refused"
lesson { api = 1, id = "attack", title = "gsub growth" }
local s = ("x"):rep(4096):gsub("x", ("y"):rep(4096))
