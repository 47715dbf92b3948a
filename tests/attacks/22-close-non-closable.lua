-- Attack: mark a host value (a handle) to-be-closed, hoping the runtime
-- calls something on it when the block ends.
-- expect: line 6: "variable 'nic' got a non-closable value"
lesson { api = 1, id = "attack", title = "a handle as <close>" }
do
  local nic <close> = device { name = "NIC" }
end
