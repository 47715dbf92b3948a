-- Attack: a table.sort comparator that sorts again: the sandbox's merge sort
-- nests on the C stack.
-- expect: line 7: "stack overflow"
lesson { api = 1, id = "attack", title = "C stack through sort" }
local t = { 3, 2, 1 }
local function less(a, b)
  table.sort(t, less)
  return a < b
end
table.sort(t, less)
