-- Attack: error(nil) and friends: an error with no message at all must
-- still be reported with its place.
-- expect: line 8: "error object is a nil value"
lesson { api = 1, id = "attack", title = "error(nil) from a callback" }
device { name = "NIC" }
thread { name = "app", body = function()
  step("start")
  error(nil)
end }
story { "The thread runs.", run_to_end() }
