-- Attack: a one-item pattern on the longest subject a lesson can make
-- (1 MiB): a* backtracks over the whole subject at each start position,
-- about 10^12 matcher steps in one C call.
-- expect: line 7: "pattern"
lesson { api = 1, id = "attack", title = "a huge subject" }
local s = ("a"):rep(1 << 20)
local i = s:find("a*b")
