#!/bin/sh
# check-layering.sh - the engine (engine/, include/) must know nothing of the
# terminal UI or of Lua: no curses or Lua header, no lua_State.  Those belong
# to tutor/.  Prints every offending line and exits 1 if there is one.
#
# Usage: tests/check-layering.sh [DIR...]   (default: engine include)
set -u

cd "$(dirname "$0")/.." || exit 2
[ $# -gt 0 ] || set -- engine include

dirs=""
for d in "$@"; do
	[ -d "$d" ] && dirs="$dirs $d"
done
if [ -z "$dirs" ]; then
	echo "layering: ok (no engine sources yet)"
	exit 0
fi

# Includes of <curses.h>, <ncurses.h>, <ncursesw/...>, <ncurses/...>,
# <lua.h>, <lauxlib.h>, <lualib.h>, <luaconf.h>, <lua.hpp> (<> or ""), and
# any mention of lua_State.
include_re='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^>"]*/)?(curses\.h|ncurses\.h|ncursesw/|ncurses/|lua\.h|lauxlib\.h|lualib\.h|luaconf\.h|lua\.hpp)'
# shellcheck disable=SC2086 # $dirs is a list of directory names
bad=$(find $dirs -type f \( -name '*.c' -o -name '*.h' -o -name '*.inc' -o -name '*.def' \) \
	-exec grep -nHE -e "$include_re" -e 'lua_State' {} + 2>/dev/null)

if [ -n "$bad" ]; then
	echo "layering: engine/ and include/ must not use curses or Lua (that is tutor/'s job):" >&2
	printf '%s\n' "$bad" | sed 's/^/  /' >&2
	exit 1
fi
echo "layering: ok (no curses or Lua in$dirs)"
