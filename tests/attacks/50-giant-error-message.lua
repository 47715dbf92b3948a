-- Attack: an error message of a megabyte, to flood the terminal, the
-- transcript and the UI's log.
-- expect: line 5: "bytes left out"
lesson { api = 1, id = "attack", title = "a giant error message" }
error(("A"):rep((1 << 20) - 4096))
