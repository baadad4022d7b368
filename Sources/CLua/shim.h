#ifndef CLUA_SHIM_H
#define CLUA_SHIM_H
// Lua 5.4 from Debian's liblua5.4-dev. Swift calls only functions that cannot raise
// (stack queries, lua_close); everything else goes through CLuaNatives under lua_pcall.
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>

static inline int clua_gettop(lua_State *L) { return lua_gettop(L); }
static inline void clua_settop(lua_State *L, int idx) { lua_settop(L, idx); }
static inline void clua_pop(lua_State *L, int n) { lua_settop(L, -(n)-1); }
static inline int clua_type(lua_State *L, int idx) { return lua_type(L, idx); }
#endif
