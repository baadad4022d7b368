// The raw baseline for `starlane bench dispatch`: a bare lua_pcall loop calling a
// Lua function that builds a 5-field message table, timed in C so no Swift or
// JSON cost is counted. It tells what one call costs on this machine.
#include <string.h>
#include <time.h>
#include "vm_internal.h"

static const char *bench_source =
    "return function(i) return { From = 'sender', Target = 'process', "
    "Action = 'Ping', Slot = i, Data = 'hello' } end";

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/// Runs `iterations` protected calls; returns elapsed nanoseconds, or -1 on error.
int64_t clua_bench_pcall(clua_vm *vm, int64_t iterations) {
    lua_State *L = vm->L;
    int top = lua_gettop(L);
    if (luaL_loadbufferx(L, bench_source, strlen(bench_source), "=bench", "t") != LUA_OK ||
        lua_pcall(L, 0, 1, 0) != LUA_OK) {
        lua_settop(L, top);
        return -1;
    }
    int64_t start = now_ns();
    for (int64_t i = 0; i < iterations; i++) {
        lua_pushvalue(L, -1);
        lua_pushinteger(L, (lua_Integer)i);
        if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
            lua_settop(L, top);
            return -1;
        }
        lua_pop(L, 1);
    }
    int64_t elapsed = now_ns() - start;
    lua_settop(L, top);
    return elapsed;
}
