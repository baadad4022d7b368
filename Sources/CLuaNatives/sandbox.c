// The sandbox: what user code in a process may reach. Removes I/O, the OS and
// debug; wraps the functions whose standard behaviour would let a process escape
// its budget or see the machine (pcall swallowing a budget error, load of
// bytecode, math.randomseed() from the clock, pairs in hash-seed order).
#include <stdlib.h>
#include <string.h>
#include "vm_internal.h"
#include "clua_chunkcache.h"
#include "chunkcache_internal.h"

// ---------------------------------------------------------------- pcall family

/// Continuation shared by pcall and xpcall (mirrors the standard one) but an
/// exhausted budget or memory limit is re-raised: the call must unwind entirely.
static int finish_pcall(lua_State *L, int status, lua_KContext extra) {
    if (status != LUA_OK && status != LUA_YIELD) {
        clua_vm *vm = clua_vm_of(L);
        if (status == LUA_ERRMEM) vm->memory_exceeded = 1;
        if (clua_vm_must_unwind(vm)) return lua_error(L);
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - (int)extra;
}

static int sandbox_pcall(lua_State *L) {
    luaL_checkany(L, 1);
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    int status = lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 0, finish_pcall);
    return finish_pcall(L, status, 0);
}

static int sandbox_xpcall(lua_State *L) {
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);  /* f, handler, true, f, args... */
    int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finish_pcall);
    return finish_pcall(L, status, 2);
}

/// coroutine.resume: the standard function (upvalue 1), then the same rule. The
/// coroutine is the running thread meanwhile (clua_vm_enter): it gets the call's
/// hook, and an interrupt stops it. The standard resume raises nothing once its
/// argument is a coroutine, so the leave below always runs.
static int sandbox_resume(lua_State *L) {
    lua_State *co = lua_tothread(L, 1);
    clua_vm *vm = clua_vm_of(L);
    int n = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    if (!co) {
        lua_call(L, n, LUA_MULTRET);   /* raises the standard argument error */
        return lua_gettop(L);
    }
    lua_State *previous = clua_vm_enter(vm, co);
    lua_call(L, n, LUA_MULTRET);
    clua_vm_leave(vm, previous);
    if (lua_toboolean(L, 1) == 0) {
        if (lua_status(co) == LUA_ERRMEM) vm->memory_exceeded = 1;
        if (clua_vm_must_unwind(vm)) {
            lua_settop(L, 2);
            return lua_error(L);
        }
    }
    return lua_gettop(L);
}

/// Calls the standard coroutine function below the arguments (a wrap's function, or
/// close) with `co` as the running thread. Either can raise an error, so it runs under
/// pcall: the running thread is restored before the error goes on (the caller raises
/// it when this returns other than LUA_OK).
static int call_in_coroutine(lua_State *L, lua_State *co) {
    clua_vm *vm = clua_vm_of(L);
    int n = lua_gettop(L) - 1;
    lua_State *previous = clua_vm_enter(vm, co);
    int status = lua_pcall(L, n, LUA_MULTRET, 0);
    clua_vm_leave(vm, previous);
    return status;
}

/// The function coroutine.wrap returns: the standard one (upvalue 1) around its
/// coroutine (upvalue 2). The standard one adds its caller's position to a string
/// error, which is this C function now: the position is added here instead.
static int sandbox_wrapped(lua_State *L) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    int status = call_in_coroutine(L, lua_tothread(L, lua_upvalueindex(2)));
    if (status == LUA_OK) return lua_gettop(L);
    if (status == LUA_ERRMEM) clua_vm_of(L)->memory_exceeded = 1;
    if (status != LUA_ERRMEM && lua_type(L, -1) == LUA_TSTRING) {
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
    }
    return lua_error(L);
}

/// coroutine.wrap: the standard function (upvalue 1), its result wrapped so that the
/// coroutine is the running thread while it runs (see sandbox_resume).
static int sandbox_wrap(lua_State *L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_settop(L, 1);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, 1, 1);                       /* the standard wrapped function */
    lua_getupvalue(L, -1, 1);                /* its coroutine */
    if (!lua_isthread(L, -1)) return luaL_error(L, "coroutine.wrap: unexpected closure");
    lua_pushcclosure(L, sandbox_wrapped, 2);
    return 1;
}

/// coroutine.close: runs the coroutine's pending __close handlers in it.
static int sandbox_close(lua_State *L) {
    lua_State *co = lua_tothread(L, 1);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    if (!co) {
        lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);   /* raises the standard argument error */
        return lua_gettop(L);
    }
    if (call_in_coroutine(L, co) != LUA_OK) return lua_error(L);
    /* Like resume: a budget or memory error in a __close handler is not swallowed. */
    if (lua_toboolean(L, 1) == 0 && clua_vm_must_unwind(clua_vm_of(L))) {
        lua_settop(L, 2);
        return lua_error(L);
    }
    return lua_gettop(L);
}

/// setmetatable: the standard function (upvalue 1), refusing a metatable with a __gc
/// field. Lua runs finalizers with hooks off (lgc.c), so one could loop forever out of
/// the watchdog's and the budget's reach; and when one runs depends on the collector.
/// (A __gc added to the metatable later is never called: Lua marks objects for
/// finalization only here.)
static int sandbox_setmetatable(lua_State *L) {
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_argerror(L, 2, "has a __gc field (finalizers are not available in a process)");
        lua_pop(L, 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

// ---------------------------------------------------------------- load, gc, os

/// What the standard load does after compiling: the env argument, when present even
/// as nil, becomes the first upvalue; a failure is fail plus the message.
static int finish_load(lua_State *L, int status, int nargs) {
    if (status != LUA_OK) {
        luaL_pushfail(L);
        lua_insert(L, -2);
        return 2;
    }
    if (nargs >= 4) {
        lua_pushvalue(L, 4);
        if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
    }
    return 1;
}

typedef struct { char *bytes; size_t length, capacity; } dump_buffer;

static int dump_to_buffer(lua_State *L, const void *p, size_t n, void *ud) {
    (void)L;
    dump_buffer *b = ud;
    if (b->length + n > b->capacity) {
        size_t capacity = (b->length + n) * 2;
        char *grown = realloc(b->bytes, capacity);
        if (!grown) return 1;  /* lua_dump stops; nothing is kept */
        b->bytes = grown;
        b->capacity = capacity;
    }
    memcpy(b->bytes + b->length, p, n);
    b->length += n;
    return 0;
}

/// load of a text under a chunk name (both strings): from the program's chunk cache
/// when this text was compiled under this name before, else parsed and then kept
/// there (chunkcache.c). Either way the same function, as luaB_load makes it.
static int load_text(lua_State *L, int nargs) {
    size_t text_length, name_length, code_length;
    const char *text = lua_tolstring(L, 1, &text_length);
    const char *name = lua_tolstring(L, 2, &name_length);
    const char *code;
    if (clua_chunk_cache_find(text, text_length, name, name_length, &code, &code_length))
        return finish_load(L, luaL_loadbufferx(L, code, code_length, name, "b"), nargs);
    int status = luaL_loadbufferx(L, text, text_length, name, "t");
    if (status == LUA_OK && text_length >= CLUA_CHUNK_CACHE_MIN_TEXT) {
        dump_buffer dump = {NULL, 0, 0};
        if (lua_dump(L, dump_to_buffer, &dump, 0) == 0)
            clua_chunk_cache_store(text, text_length, name, name_length, dump.bytes, dump.length);
        free(dump.bytes);
    }
    return finish_load(L, status, nargs);
}

/// load: text chunks only; bytecode can crash the VM. A text and chunk name given as
/// strings go through the chunk cache; anything else (a reader function, a number,
/// the default chunk name) calls the standard load (upvalue 1) with mode forced to
/// "t", keeping the env argument if given.
static int sandbox_load(lua_State *L) {
    int n = lua_gettop(L);
    if (lua_type(L, 1) == LUA_TSTRING && lua_type(L, 2) == LUA_TSTRING) return load_text(L, n);
    if (n < 3) lua_settop(L, 3);
    lua_pushliteral(L, "t");
    lua_replace(L, 3);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n < 3 ? 3 : n, LUA_MULTRET);
    return lua_gettop(L);
}

/// collectgarbage: only the options that cannot change what a process computes.
static int sandbox_collectgarbage(lua_State *L) {
    const char *opt = luaL_optstring(L, 1, "collect");
    if (strcmp(opt, "count") == 0) {
        lua_pushnumber(L, (lua_Number)lua_gc(L, LUA_GCCOUNT, 0) + lua_gc(L, LUA_GCCOUNTB, 0) / 1024.0);
        return 1;
    }
    if (strcmp(opt, "collect") == 0) {
        lua_gc(L, LUA_GCCOLLECT, 0);
        lua_pushinteger(L, 0);
        return 1;
    }
    return luaL_error(L, "collectgarbage('%s') is not available in a process", opt);
}

/// os.time(): the current message's timestamp (ms), never the wall clock.
static int sandbox_time(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)clua_vm_of(L)->time);
    return 1;
}

/// os.clock(): virtual CPU time, the instructions this call has run at an assumed
/// 100M per second, so it is the same on every replay. An uncounted call cannot
/// answer: it stops, to be rerun counting, and the vm counts from then on.
static int sandbox_clock(lua_State *L) {
    clua_vm *vm = clua_vm_of(L);
    if (!vm->counting) {
        vm->always_count = 1;
        clua_vm_interrupt(vm);
        return luaL_error(L, "os.clock needs counted instructions: the message is run again counting them");
    }
    lua_pushnumber(L, (lua_Number)(vm->executed - vm->call_start) / 1e8);
    return 1;
}

/// math.randomseed needs explicit seeds: without them Lua reads the clock.
static int sandbox_randomseed(lua_State *L) {
    if (lua_gettop(L) == 0)
        return luaL_error(L, "math.randomseed needs a seed in a process (it is seeded per message)");
    int n = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, n, 0);
    return 0;
}

// ---------------------------------------------------------------- ordered pairs

/// Tables up to this many keys iterate from keys held in the iterator's upvalues
/// (one allocation per loop); larger ones from a sorted key array.
#define SMALL_PAIRS 24

/// Iterator over a large table: upvalue 1 holds the keys in canonical order,
/// upvalue 2 the next position. Keys removed during the loop are skipped.
static int ordered_next(lua_State *L) {
    lua_Integer pos = lua_tointeger(L, lua_upvalueindex(2));
    lua_Integer count = (lua_Integer)lua_rawlen(L, lua_upvalueindex(1));
    while (pos < count) {
        pos++;
        lua_rawgeti(L, lua_upvalueindex(1), pos);
        lua_pushvalue(L, -1);
        lua_rawget(L, 1);
        if (!lua_isnil(L, -1)) {
            lua_pushinteger(L, pos);
            lua_replace(L, lua_upvalueindex(2));
            return 2;
        }
        lua_pop(L, 2);
    }
    lua_pushinteger(L, pos);
    lua_replace(L, lua_upvalueindex(2));
    lua_pushnil(L);
    return 1;
}

/// Iterator over a small table: upvalue 1 is the next position, upvalues 2.. the
/// keys in canonical order.
static int small_ordered_next(lua_State *L) {
    lua_Integer pos = lua_tointeger(L, lua_upvalueindex(1));
    for (;;) {
        pos++;
        if (pos > 255 || lua_type(L, lua_upvalueindex((int)pos + 1)) == LUA_TNONE) break;
        lua_pushvalue(L, lua_upvalueindex((int)pos + 1));
        lua_pushvalue(L, -1);
        lua_rawget(L, 1);
        if (!lua_isnil(L, -1)) {
            lua_pushinteger(L, pos);
            lua_replace(L, lua_upvalueindex(1));
            return 2;
        }
        lua_pop(L, 2);
    }
    lua_pushinteger(L, pos - 1);
    lua_replace(L, lua_upvalueindex(1));
    lua_pushnil(L);
    return 1;
}

static int empty_next(lua_State *L) {
    lua_pushnil(L);
    return 1;
}

/// For a table of at most SMALL_PAIRS primitive keys, pushes the iterator closure
/// holding them in canonical order and returns 1; returns 0 (stack unchanged) if
/// the table is larger or has a reference-typed key.
static int push_small_iterator(lua_State *L, int t) {
    clua_keyval keys[SMALL_PAIRS];
    int base = lua_gettop(L), n = 0;
    luaL_checkstack(L, 2 * SMALL_PAIRS + 4, "pairs");
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        if (n == SMALL_PAIRS || clua_key_rank(L, -1) == CLUA_KEY_REFERENCE) {
            lua_settop(L, base);
            return 0;
        }
        lua_pushvalue(L, -1);   /* anchor a copy below the running key */
        lua_insert(L, -2);
        n++;
        clua_keyval_get(L, base + n, &keys[n - 1]);
        keys[n - 1].pos = base + n;
    }
    for (int i = 1; i < n; i++) {   /* insertion sort: keys are distinct */
        clua_keyval k = keys[i];
        int j = i;
        for (; j > 0 && clua_keyval_compare(&keys[j - 1], &k) > 0; j--) keys[j] = keys[j - 1];
        keys[j] = k;
    }
    lua_pushinteger(L, 0);
    for (int i = 0; i < n; i++) lua_pushvalue(L, (int)keys[i].pos);
    lua_pushcclosure(L, small_ordered_next, n + 1);
    lua_replace(L, base + 1);
    lua_settop(L, base + 1);
    return 1;
}

/// pairs: honours __pairs; otherwise iterates keys in canonical order
/// (numbers, strings, booleans, then reference keys), the same on every run.
static int sandbox_pairs(lua_State *L) {
    luaL_checkany(L, 1);
    if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
        lua_pushvalue(L, 1);
        lua_call(L, 1, 3);
        return 3;
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    lua_pushnil(L);
    if (!lua_next(L, 1)) {
        lua_pushcfunction(L, empty_next);
    } else if ((lua_settop(L, 1), push_small_iterator(L, 1))) {
        /* the iterator is on the stack */
    } else {
        clua_sorted_keys(L, 1);
        lua_pushinteger(L, 0);
        lua_pushcclosure(L, ordered_next, 2);
    }
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

// ---------------------------------------------------------------- install

static void wrap_field(lua_State *L, int table, const char *name, lua_CFunction wrapper) {
    lua_getfield(L, table, name);
    lua_pushcclosure(L, wrapper, 1);
    lua_setfield(L, table, name);
}

static void remove_fields(lua_State *L, int table, const char *const *names) {
    for (; *names; names++) {
        lua_pushnil(L);
        lua_setfield(L, table, *names);
    }
}

static void install_package(lua_State *L) {
    lua_getglobal(L, "package");
    int package = lua_gettop(L);
    static const char *const gone[] = {"loadlib", "searchpath", "cpath", NULL};
    remove_fields(L, package, gone);
    lua_pushliteral(L, "");
    lua_setfield(L, package, "path");
    /* Only package.preload is searched: modules come from the runtime or the process. */
    lua_getfield(L, package, "searchers");
    lua_createtable(L, 1, 0);
    lua_rawgeti(L, -2, 1);
    lua_rawseti(L, -2, 1);
    lua_setfield(L, package, "searchers");
    lua_pop(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, clua_open_json);
    lua_setfield(L, -2, "json");
    lua_pushcfunction(L, clua_open_native);
    lua_setfield(L, -2, "starlane.native");
    lua_pop(L, 2);
    /* json is also a global, as in aos. */
    luaL_requiref(L, "json", clua_open_json, 1);
    lua_pop(L, 1);
}

int clua_sandbox_install(lua_State *L) {
    lua_pushglobaltable(L);
    int g = lua_gettop(L);
    static const char *const gone[] = {"dofile", "loadfile", "print", NULL};
    remove_fields(L, g, gone);
    wrap_field(L, g, "load", sandbox_load);
    wrap_field(L, g, "setmetatable", sandbox_setmetatable);
    lua_pushcfunction(L, sandbox_pcall);
    lua_setfield(L, g, "pcall");
    lua_pushcfunction(L, sandbox_xpcall);
    lua_setfield(L, g, "xpcall");
    lua_pushcfunction(L, sandbox_collectgarbage);
    lua_setfield(L, g, "collectgarbage");
    lua_pushcfunction(L, sandbox_pairs);
    lua_setfield(L, g, "pairs");

    lua_getglobal(L, "coroutine");
    wrap_field(L, lua_gettop(L), "resume", sandbox_resume);
    wrap_field(L, lua_gettop(L), "wrap", sandbox_wrap);
    wrap_field(L, lua_gettop(L), "close", sandbox_close);
    lua_pop(L, 1);
    lua_getglobal(L, "math");
    wrap_field(L, lua_gettop(L), "randomseed", sandbox_randomseed);
    lua_pop(L, 1);

    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, sandbox_time);
    lua_setfield(L, -2, "time");
    lua_pushcfunction(L, sandbox_clock);
    lua_setfield(L, -2, "clock");
    lua_setfield(L, g, "os");

    install_package(L);
    lua_pop(L, 1);
    return 0;
}
