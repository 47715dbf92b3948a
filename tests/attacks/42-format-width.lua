-- Attack: string.format with an enormous width, the classic printf buffer
-- overflow.
-- expect: line 5: "invalid conversion"
lesson { api = 1, id = "attack", title = "format width" }
local s = string.format("%99999999999d", 1)
