-- Attack: pcall nesting pcall: each level is a C call, and every error is
-- caught so the stack overflow itself might be swallowed.
-- expect: line 6: "C stack overflow"
lesson { api = 1, id = "attack", title = "C stack through pcall" }
local function dive() local ok, e = pcall(dive); error(e, 0) end
dive()
