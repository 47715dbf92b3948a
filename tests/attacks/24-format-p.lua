-- Attack: string.format("%p") prints host addresses: an information leak
-- that also makes lessons replay differently from run to run.
-- expect: line 5: "'%p' is refused in a lesson"
lesson { api = 1, id = "attack", title = "%p" }
local where = string.format("%p", {})
