-- Attack: terminal escape sequences in an error message: clear the screen,
-- retitle the window, and ask the terminal to report (answer back).
-- expect: line 5: "?[2J?]0;pwned??[6n"
lesson { api = 1, id = "attack", title = "escape sequences in an error" }
error("\27[2J\27]0;pwned\7\27[6n")
