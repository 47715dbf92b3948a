-- Attack: utf8.char with a thousand arguments built by unpack, then a
-- result far past the results limit.
-- expect: line 6: "too many results"
lesson { api = 1, id = "attack", title = "many codepoints" }
local t = {}
local n = select("#", utf8.codepoint(("é"):rep(1000), 1, -1))
