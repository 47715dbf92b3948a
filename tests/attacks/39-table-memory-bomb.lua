-- Attack: fill memory with tables of big strings, each within the string
-- limit, until the machine swaps.
-- expect: line 7: "without reaching a step"
lesson { api = 1, id = "attack", title = "memory bomb" }
local keep = {}
for i = 1, 1 << 20 do
  keep[i] = ("x"):rep((1 << 20) - i)
end
