-- Attack: a gsub replacement function that calls gsub again.
-- expect: line 5: "stack overflow"
lesson { api = 1, id = "attack", title = "C stack through gsub" }
local function rep(c)
  return (("ab"):gsub(".", rep))
end
local s = ("ab"):gsub(".", rep)
