// Booting the prelude in one protected call (see clua_boot.h).
#include "vm_internal.h"
#include "clua_boot.h"

typedef struct boot_args {
    const clua_chunk *modules;
    size_t count;
    clua_chunk runner;
} boot_args;

/// Loads a host chunk (bytecode only) or raises its error.
static void load_chunk(lua_State *L, const clua_chunk *chunk) {
    if (luaL_loadbufferx(L, chunk->bytes, chunk->length, chunk->name, "b") != LUA_OK) lua_error(L);
}

static int do_boot(lua_State *L) {
    const boot_args *args = lua_touserdata(L, 1);
    lua_settop(L, 0);
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    for (size_t i = 0; i < args->count; i++) {
        load_chunk(L, &args->modules[i]);
        lua_setfield(L, 1, args->modules[i].name);
    }
    load_chunk(L, &args->runner);
    lua_call(L, 0, 0);
    lua_pushnil(L);
    return 1;
}

int clua_vm_boot(clua_vm *vm, const clua_chunk *modules, size_t count, clua_chunk runner,
                 int64_t budget, clua_buffer *error) {
    boot_args args = {modules, count, runner};
    lua_gc(vm->L, LUA_GCSTOP);
    lua_pushlightuserdata(vm->L, &args);
    int status = clua_vm_protected(vm, do_boot, 1, budget, error);
    lua_gc(vm->L, LUA_GCRESTART);
    /* As if a cycle had just ended on the booted heap: the next one starts once the
       process has allocated as much again (the default pause, 200%), instead of at
       once, which would mark the whole prelude during the spawn message. */
    lua_gc(vm->L, LUA_GCSTEP, -lua_gc(vm->L, LUA_GCCOUNT));
    return status;
}
