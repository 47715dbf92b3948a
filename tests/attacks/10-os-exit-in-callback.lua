-- Attack: end the checker from inside a callback with os.exit(0), so that a
-- failing lesson would "pass" (exit status 0).
-- modes: check plain
-- expect: line 9: "unknown global 'os'"
lesson { api = 1, id = "attack", title = "os.exit from a callback" }
device { name = "NIC" }
thread { name = "app", body = function()
  step("about to leave")
  os.exit(0)
end }
story { "The thread runs.", run_to_end() }
