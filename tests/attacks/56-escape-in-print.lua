-- Attack: escape sequences through print() and warn() into the --plain
-- transcript, then a chunk name carrying them into a traceback.
-- modes: plain
-- expect: line 8: "?[31mred"
lesson { api = 1, id = "attack", title = "escape sequences in print" }
print("\27[31mred\27[0m")
warn("\27]0;title\7")
assert(load("error('x')", "=\27[31mred"))()
