-- Attack: a backtracking pattern on a long subject: billions of matcher
-- steps inside one C call the count hook never sees.
-- expect: line 6: "pattern"
lesson { api = 1, id = "attack", title = "catastrophic pattern" }
local subject = ("a"):rep(100000)
local hit = subject:find(".-.-.-.-.-b")
