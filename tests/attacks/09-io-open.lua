-- Attack: write a file with io.open at load time.
-- absent: /tmp/dpctutor-attack-09
-- expect: line 5: "attempt to index a nil value (global 'io')"
lesson { api = 1, id = "attack", title = "io.open" }
local f = io.open("/tmp/dpctutor-attack-09", "w")
