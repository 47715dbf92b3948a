-- Attack: back-references and balanced matches make the matcher's cost a
-- power of the subject length.
-- expect: line 6: "pattern"
lesson { api = 1, id = "attack", title = "gmatch with back-references" }
local subject = ("()"):rep(50000)
for a in subject:gmatch("(%b())%1%1%1") do end
