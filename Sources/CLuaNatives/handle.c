// The per-message entry point: a message crosses into Lua as a table built here
// from packed bytes, and the prelude's result table crosses back as packed bytes
// written here. No JSON on the hot path, and no Lua API call from Swift.
//
// Both byte formats are little-endian (the host's own order: writer and reader
// are the same process) and described in docs/RUNTIME.md.
#include <stdlib.h>
#include <string.h>
#include "vm_internal.h"

/// The environment lives in package.loaded, inside the persisted heap: a handler may
/// change it, and a restored process must see the same change (determinism).
#define ENV_MODULE "starlane.env"

// ---------------------------------------------------------------- reading the message

typedef struct reader {
    const char *at;
    const char *end;
} reader;

/// Copies the next `n` bytes to `out`, or raises when the message ends first.
static void read_bytes(lua_State *L, reader *r, void *out, size_t n) {
    if ((size_t)(r->end - r->at) < n) luaL_error(L, "packed message is truncated");
    memcpy(out, r->at, n);
    r->at += n;
}

static uint32_t read_u32(lua_State *L, reader *r) {
    uint32_t v;
    read_bytes(L, r, &v, sizeof v);
    return v;
}

static int64_t read_i64(lua_State *L, reader *r) {
    int64_t v;
    read_bytes(L, r, &v, sizeof v);
    return v;
}

/// Pushes the next length-prefixed string; returns 0 (pushing nothing) for the
/// absent marker UINT32_MAX.
static int push_string(lua_State *L, reader *r) {
    uint32_t n = read_u32(L, r);
    if (n == UINT32_MAX) return 0;
    if ((size_t)(r->end - r->at) < n) luaL_error(L, "packed message is truncated");
    lua_pushlstring(L, r->at, n);
    r->at += n;
    return 1;
}

static void set_string(lua_State *L, reader *r, const char *field) {
    if (push_string(L, r)) lua_setfield(L, -2, field);
}

/// The tag count, read ahead of the fields before it (0 if the bytes end first:
/// reading them properly then raises).
static uint32_t peek_tag_count(const reader *r) {
    reader ahead = *r;
    for (int i = 0; i < 6; i++) {  /* Id, From, Owner, Target, Data, Hash-Chain */
        uint32_t n;
        if ((size_t)(ahead.end - ahead.at) < sizeof n) return 0;
        memcpy(&n, ahead.at, sizeof n);
        ahead.at += sizeof n;
        if (n == UINT32_MAX) continue;
        if ((size_t)(ahead.end - ahead.at) < n) return 0;
        ahead.at += n;
    }
    const size_t skipped = 3 * sizeof(int64_t) + sizeof(uint32_t);  /* Slot, Timestamp, Block-Height, Cron */
    uint32_t count;
    if ((size_t)(ahead.end - ahead.at) < skipped + sizeof count) return 0;
    memcpy(&count, ahead.at + skipped, sizeof count);
    return count;
}

/// The message table handle() reads: the same fields the JSON form had. Sized for
/// what the prelude adds (each tag hoisted onto the root, TagArray, reply, forward),
/// so that no message pays for a rehash of its table.
static void push_message(lua_State *L, reader *r) {
    uint32_t tags = peek_tag_count(r);
    lua_createtable(L, 0, 14 + (int)(tags < 64 ? tags : 64));
    set_string(L, r, "Id");
    set_string(L, r, "From");
    set_string(L, r, "Owner");
    set_string(L, r, "Target");
    set_string(L, r, "Data");
    set_string(L, r, "Hash-Chain");
    lua_pushinteger(L, (lua_Integer)read_i64(L, r));
    lua_setfield(L, -2, "Slot");
    lua_pushinteger(L, (lua_Integer)read_i64(L, r));
    lua_setfield(L, -2, "Timestamp");
    lua_pushinteger(L, (lua_Integer)read_i64(L, r));
    lua_setfield(L, -2, "Block-Height");
    if (read_u32(L, r)) {
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, "Cron");
    }
    uint32_t count = read_u32(L, r);
    lua_createtable(L, (int)(count < 256 ? count : 256), 0);
    for (uint32_t i = 1; i <= count; i++) {
        lua_createtable(L, 0, 2);
        if (!push_string(L, r)) luaL_error(L, "packed message: a tag has no name");
        lua_setfield(L, -2, "name");
        if (!push_string(L, r)) luaL_error(L, "packed message: a tag has no value");
        lua_setfield(L, -2, "value");
        lua_rawseti(L, -2, (lua_Integer)i);
    }
    lua_setfield(L, -2, "Tags");
}

// ---------------------------------------------------------------- writing the result

static void scratch_reserve(lua_State *L, clua_vm *vm, size_t extra) {
    if (vm->scratch_length + extra <= vm->scratch_capacity) return;
    size_t capacity = vm->scratch_capacity ? vm->scratch_capacity : 4096;
    while (capacity < vm->scratch_length + extra) capacity *= 2;
    char *grown = realloc(vm->scratch, capacity);
    if (!grown) luaL_error(L, "the host is out of memory for a result");
    vm->scratch = grown;
    vm->scratch_capacity = capacity;
}

static void write_bytes(lua_State *L, clua_vm *vm, const void *bytes, size_t n) {
    scratch_reserve(L, vm, n);
    memcpy(vm->scratch + vm->scratch_length, bytes, n);
    vm->scratch_length += n;
}

static void write_u32(lua_State *L, clua_vm *vm, uint32_t v) { write_bytes(L, vm, &v, sizeof v); }

static void write_string(lua_State *L, clua_vm *vm, const char *s, size_t n) {
    if (n >= UINT32_MAX) luaL_error(L, "a result string is larger than 4 GiB");
    write_u32(L, vm, (uint32_t)n);
    write_bytes(L, vm, s, n);
}

/// Pushes t[field] without metamethods and returns its type.
static int raw_field(lua_State *L, int t, const char *field) {
    lua_pushstring(L, field);
    return lua_rawget(L, t);
}

/// Writes t[field] when it is a string, else `fallback` (NULL: the absent marker).
static void write_field(lua_State *L, clua_vm *vm, int t, const char *field, const char *fallback) {
    if (raw_field(L, t, field) == LUA_TSTRING) {
        size_t n;
        const char *s = lua_tolstring(L, -1, &n);
        write_string(L, vm, s, n);
    } else if (fallback) {
        write_string(L, vm, fallback, strlen(fallback));
    } else {
        write_u32(L, vm, UINT32_MAX);
    }
    lua_pop(L, 1);
}

static void malformed(lua_State *L, const char *why) {
    luaL_error(L, "the prelude returned a malformed result: %s", why);
}

/// A list field (absent = empty): pushes it and returns its length.
static lua_Unsigned open_list(lua_State *L, int t, const char *field) {
    int type = raw_field(L, t, field);
    if (type == LUA_TNIL) return 0;
    if (type != LUA_TTABLE) malformed(L, "Messages, Spawns and Assignments must be lists");
    return lua_rawlen(L, -1);
}

/// Writes the prelude's `text(v)` of the value at `idx`: nil as "", strings as they
/// are, numbers and booleans as `tostring` gives them, tables through __tostring or
/// else as JSON, any other value as "<type>". The outbox keeps tag values as the
/// handler gave them; they become text here, once, instead of in a Lua copy.
static void write_text(lua_State *L, clua_vm *vm, int idx) {
    idx = lua_absindex(L, idx);
    size_t n;
    const char *s;
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        write_string(L, vm, "", 0);
        return;
    case LUA_TSTRING:
        s = lua_tolstring(L, idx, &n);
        write_string(L, vm, s, n);
        return;
    case LUA_TNUMBER:
    case LUA_TBOOLEAN:
        s = luaL_tolstring(L, idx, &n);
        break;
    case LUA_TTABLE:
        if (luaL_getmetafield(L, idx, "__tostring") != LUA_TNIL) {
            lua_pop(L, 1);
            s = luaL_tolstring(L, idx, &n);
        } else {
            lua_pushcfunction(L, clua_json_encode);
            lua_pushvalue(L, idx);
            lua_call(L, 1, 1);
            s = lua_tolstring(L, -1, &n);
        }
        break;
    default:
        s = lua_pushfstring(L, "<%s>", luaL_typename(L, idx));
        n = strlen(s);
    }
    write_string(L, vm, s, n);
    lua_pop(L, 1);
}

/// The prelude's `isArray`: only positive integer keys, as many as `#t` says.
static int is_tag_array(lua_State *L, int t) {
    lua_Integer count = 0;
    int only_positive_integers = 1;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        count++;
        if (!lua_isinteger(L, -2) || lua_tointeger(L, -2) < 1) only_positive_integers = 0;
        lua_pop(L, 1);
    }
    lua_len(L, t);
    int is_integer;
    lua_Integer length = lua_tointegerx(L, -1, &is_integer);
    lua_pop(L, 1);
    return only_positive_integers && is_integer && length == count;
}

/// A message's tags as the prelude's `ao._tagList` reads them: a list as it is (up to
/// its first hole, as ipairs), a name -> value map in name order; anything else none.
/// Names and values go through write_text.
static void write_tags(lua_State *L, clua_vm *vm, int message) {
    lua_getfield(L, message, "Tags");
    int tags = lua_gettop(L);
    size_t count_at = vm->scratch_length;
    uint32_t count = 0;
    write_u32(L, vm, 0);   /* the count, filled in at the end */
    if (lua_type(L, tags) == LUA_TTABLE) {
        if (is_tag_array(L, tags)) {
            while (lua_geti(L, tags, (lua_Integer)count + 1) != LUA_TNIL) {
                int tag = lua_gettop(L);
                lua_getfield(L, tag, "name");
                write_text(L, vm, -1);
                lua_getfield(L, tag, "value");
                write_text(L, vm, -1);
                lua_settop(L, tags);
                count++;
            }
        } else {
            clua_collect_keys(L, tags, NULL);   /* the keys in canonical order */
            int keys = lua_gettop(L);
            lua_Integer total = (lua_Integer)lua_rawlen(L, keys);
            for (lua_Integer i = 1; i <= total; i++) {
                if (lua_rawgeti(L, keys, i) == LUA_TSTRING) {
                    write_text(L, vm, -1);
                    lua_gettable(L, tags);   /* pops the key */
                    write_text(L, vm, -1);
                    count++;
                }
                lua_settop(L, keys);
            }
        }
    }
    memcpy(vm->scratch + count_at, &count, sizeof count);
    lua_settop(L, tags - 1);
}

/// Messages or Spawns: the outbox list itself (up to its first hole, as ipairs), each
/// entry read as the prelude reads it: Target (absent when nil), Data and Tags as text.
static void write_messages(lua_State *L, clua_vm *vm, int result, const char *field) {
    int type = raw_field(L, result, field);
    int list = lua_gettop(L);
    size_t count_at = vm->scratch_length;
    uint32_t count = 0;
    write_u32(L, vm, 0);   /* the count, filled in at the end */
    if (type != LUA_TNIL && type != LUA_TTABLE) malformed(L, "Messages and Spawns must be lists");
    while (type == LUA_TTABLE && lua_geti(L, list, (lua_Integer)count + 1) != LUA_TNIL) {
        int message = lua_gettop(L);
        if (lua_getfield(L, message, "Target") == LUA_TNIL) write_u32(L, vm, UINT32_MAX);
        else write_text(L, vm, -1);
        lua_settop(L, message);
        lua_getfield(L, message, "Data");
        write_text(L, vm, -1);
        lua_settop(L, message);
        write_tags(L, vm, message);
        lua_settop(L, list);
        count++;
    }
    memcpy(vm->scratch + count_at, &count, sizeof count);
    lua_settop(L, list - 1);
}

static void write_assignments(lua_State *L, clua_vm *vm, int result) {
    lua_Unsigned n = open_list(L, result, "Assignments");
    int list = lua_gettop(L);
    write_u32(L, vm, (uint32_t)n);
    for (lua_Unsigned i = 1; i <= n; i++) {
        if (lua_rawgeti(L, list, (lua_Integer)i) != LUA_TTABLE) malformed(L, "an assignment must be a table");
        int assignment = lua_gettop(L);
        lua_Unsigned count = open_list(L, assignment, "Processes");
        int processes = lua_gettop(L);
        write_u32(L, vm, (uint32_t)count);
        for (lua_Unsigned j = 1; j <= count; j++) {
            if (lua_rawgeti(L, processes, (lua_Integer)j) != LUA_TSTRING) malformed(L, "a process id must be a string");
            size_t pn;
            const char *p = lua_tolstring(L, -1, &pn);
            write_string(L, vm, p, pn);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        write_field(L, vm, assignment, "Message", "");
        lua_settop(L, list);
    }
    lua_pop(L, 1);
}

/// Error (absent marker when none), Output, Messages, Spawns, Assignments.
static void write_result(lua_State *L, clua_vm *vm, int result) {
    vm->scratch_length = 0;
    if (!lua_istable(L, result)) malformed(L, "not a table");
    write_field(L, vm, result, "Error", NULL);
    write_field(L, vm, result, "Output", "");
    write_messages(L, vm, result, "Messages");
    write_messages(L, vm, result, "Spawns");
    write_assignments(L, vm, result);
}

// ---------------------------------------------------------------- entry points

typedef struct handle_call {
    const char *function_path;
    const char *message;
    size_t message_length;
    const char *env_json;   /* NULL: the stored environment */
    size_t env_length;
    const char *module_source;  /* NULL: none; else env.Module.Source (a fresh env only) */
    size_t module_source_length;
    int64_t seed;
} handle_call;

static void push_loaded(lua_State *L) {
    if (lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE) != LUA_TTABLE)
        luaL_error(L, "package.loaded is missing");
}

static int do_set_env(lua_State *L) {
    const char *json = lua_touserdata(L, 1);
    size_t length = *(size_t *)lua_touserdata(L, 2);
    lua_settop(L, 0);
    push_loaded(L);                                                    /* 1 */
    if (lua_getfield(L, 1, ENV_MODULE) == LUA_TTABLE) {                /* kept by a snapshot */
        lua_pushnil(L);
        return 1;
    }
    lua_pop(L, 1);
    lua_pushcfunction(L, clua_json_decode);
    lua_pushlstring(L, json, length);
    lua_call(L, 1, 1);
    if (!lua_istable(L, -1)) return luaL_error(L, "the environment must be a JSON object");
    lua_setfield(L, 1, ENV_MODULE);
    lua_pushnil(L);
    return 1;
}

int clua_vm_set_env(clua_vm *vm, const char *env_json, size_t length, clua_buffer *error) {
    lua_pushlightuserdata(vm->L, (void *)env_json);
    lua_pushlightuserdata(vm->L, &length);
    return clua_vm_protected(vm, do_set_env, 2, 0, error);
}

static int do_handle(lua_State *L) {
    handle_call *call = lua_touserdata(L, 1);
    clua_vm *vm = clua_vm_of(L);
    lua_settop(L, 0);
    /* math.randomseed(seed, slot): the slot is read back from the message below. */
    reader r = { call->message, call->message + call->message_length };
    clua_push_global_path(L, call->function_path);                     /* 1 */
    if (lua_type(L, 1) != LUA_TFUNCTION) return luaL_error(L, "'%s' is not a function", call->function_path);
    push_message(L, &r);                                               /* 2 */
    if (call->env_json) {                                              /* 3 */
        lua_pushcfunction(L, clua_json_decode);
        lua_pushlstring(L, call->env_json, call->env_length);
        lua_call(L, 1, 1);
        if (call->module_source) {
            if (!lua_istable(L, 3) || lua_getfield(L, 3, "Module") != LUA_TTABLE)
                return luaL_error(L, "the environment has no Module table for the module's source");
            lua_pushlstring(L, call->module_source, call->module_source_length);
            lua_setfield(L, -2, "Source");
            lua_pop(L, 1);
        }
    } else {
        push_loaded(L);
        int type = lua_getfield(L, -1, ENV_MODULE);
        lua_remove(L, -2);
        if (type != LUA_TTABLE) return luaL_error(L, "no process environment was set");
    }
    lua_getglobal(L, "math");
    lua_getfield(L, -1, "randomseed");
    lua_remove(L, -2);
    lua_pushinteger(L, (lua_Integer)call->seed);
    lua_getfield(L, 2, "Slot");
    lua_call(L, 2, 0);
    lua_pushboolean(L, 1);                                             /* 4: built here */
    lua_call(L, 3, 1);                                                 /* 1: result */
    write_result(L, vm, 1);
    lua_pushnil(L);
    return 1;
}

int clua_vm_handle(clua_vm *vm, const char *function_path, const char *message, size_t message_length,
                   const char *env_json, size_t env_length, const char *module_source,
                   size_t module_source_length, int64_t seed, int64_t timestamp,
                   int64_t budget, int counted, clua_buffer *error) {
    handle_call call = { function_path, message, message_length, env_json, env_length,
                         env_json ? module_source : NULL, module_source_length, seed };
    vm->time = timestamp;
    vm->scratch_length = 0;
    lua_pushlightuserdata(vm->L, &call);
    return clua_vm_protected_mode(vm, do_handle, 1, budget, counted, error);
}

const char *clua_vm_result(const clua_vm *vm, size_t *length) {
    *length = vm->scratch_length;
    return vm->scratch;
}
