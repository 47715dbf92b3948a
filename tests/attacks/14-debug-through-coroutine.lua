-- Attack: the coroutine library would let a lesson resume its own callbacks
-- and run them outside the runtime's budget.
-- expect: line 8: "unknown global 'coroutine'"
lesson { api = 1, id = "attack", title = "coroutine from a callback" }
device { name = "NIC" }
thread { name = "app", body = function()
  step("start")
  local co = coroutine.create(function() while true do end end)
end }
story { "The thread runs.", run_to_end() }
