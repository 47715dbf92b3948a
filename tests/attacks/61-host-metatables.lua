-- Attack: climb the metatables of the runtime's own values (a device
-- handle, the shared{} proxy) looking for the host's functions or a table
-- to patch: both answer false, as the string metatable does.
-- expect: line 9: "attempt to index a boolean value"
lesson { api = 1, id = "attack", title = "host metatables" }
local nic = device { name = "NIC" }
local s = shared { n = 0 }
assert(getmetatable(nic) == false)
getmetatable(s).__newindex = function() end
