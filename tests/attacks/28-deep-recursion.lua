-- Attack: unbounded Lua recursion with wide frames, to exhaust the Lua
-- stack and memory.  The stack's growth is memory the allocator charges to
-- the budget, so the budget stops it, at the recursing line.
-- expect: line 8: "without reaching a step"
lesson { api = 1, id = "attack", title = "deep recursion" }
local function down()
  local a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y, z
  return 1 + down()
end
down()
