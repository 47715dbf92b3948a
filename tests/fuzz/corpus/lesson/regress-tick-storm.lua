lesson { api = 1, id = "tick", title = "t", cpus = 1, tick_us = 1, goal = "g" }
thread { name = "app", body = function() step("long", { us = 100000000 }) end }
story { "x", run_to_end() }
