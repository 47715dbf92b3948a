-- Attack: the same flood from a callback, with a newline-filled message
-- that would also scroll the traceback away.
-- modes: check plain
-- expect: line 9: "line line line"
lesson { api = 1, id = "attack", title = "a giant error from a callback" }
device { name = "NIC" }
thread { name = "app", body = function()
  step("start")
  error(("line\n"):rep(100000))
end }
story { "The thread runs.", run_to_end() }
