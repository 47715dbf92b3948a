/*
 * sandbox_code.c - a lesson's text compiled once (sandbox.h, sb_compile).
 *
 * The compiler runs in a throwaway Lua state with the standard allocator:
 * it reads text only, and what it writes (lua_dump, debug information
 * kept) is loaded later by sb_run_code in each sandbox.
 */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "sandbox.h"

/* lua_dump's writer: append to the growing buffer; non-zero stops it. */
static int sb_code_write(lua_State *L, const void *p, size_t n, void *ud)
{
	struct sb_code *c = ud;
	char *b;

	(void)L;
	b = realloc(c->bytes, c->len + n);
	if (b == NULL)
		return 1;
	memcpy(b + c->len, p, n);
	c->bytes = b;
	c->len += n;
	return 0;
}

int sb_compile(const char *chunkname, const char *src, size_t len, struct sb_code *out)
{
	lua_State *L = luaL_newstate();
	int rc = -1;

	out->bytes = NULL;
	out->len = 0;
	if (L == NULL)
		return -1;
	if (luaL_loadbufferx(L, src, len, chunkname, "t") == LUA_OK &&
	    lua_dump(L, sb_code_write, out, 0) == 0 && out->len > 0)
		rc = 0;
	lua_close(L);
	if (rc)
		sb_code_free(out);
	return rc;
}

void sb_code_free(struct sb_code *code)
{
	free(code->bytes);
	code->bytes = NULL;
	code->len = 0;
}
