// What ao.send builds for every message (docs/PROCESS-API.md), in C: the prelude's
// commonest work after the handlers themselves. Runs under lua_pcall like every native:
// errors raise through Lua only.
//
//   native.message(msg, reference) -> { Target, Data, Anchor, Tags }
//   native.rootTags(tags, msg)     -> appends msg's root tags to the list `tags`
//
// Root tags are msg's string keys but Target, Data, Anchor, Tags and From, whose values
// are not functions, in Lua's string order (the `<` of table.sort), each as a fresh
// { name = key, value = msg[key] } (raw). The Lua these replace is in the prelude tests'
// harness (Tests/Lua/prelude/harness.lua), which runs the prelude without the host.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vm_internal.h"

typedef struct root_key {
    const char *s;
    size_t n;
} root_key;

/// Lua's own string order (lvm.c l_strcmp): strcoll over the '\0'-separated pieces.
static int lua_string_order(const root_key *a, const root_key *b) {
    const char *l = a->s, *r = b->s;
    size_t ll = a->n, lr = b->n;
    for (;;) {
        int order = strcoll(l, r);
        if (order != 0) return order;
        size_t len = strlen(l);
        if (len == lr) return len == ll ? 0 : 1;
        if (len == ll) return -1;
        len++;
        l += len, ll -= len, r += len, lr -= len;
    }
}

static int compare_keys(const void *a, const void *b) { return lua_string_order(a, b); }

static int skipped(const char *s, size_t n) {
    switch (n) {
    case 4: return memcmp(s, "Data", 4) == 0 || memcmp(s, "Tags", 4) == 0 || memcmp(s, "From", 4) == 0;
    case 6: return memcmp(s, "Target", 6) == 0 || memcmp(s, "Anchor", 6) == 0;
    default: return 0;
    }
}

/// Pushes { name = <key>, value = msg[key] (raw) } for a key of the table at `msg`.
static void push_tag(lua_State *L, int msg, const root_key *key) {
    lua_createtable(L, 0, 2);
    lua_pushlstring(L, key->s, key->n);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "name");
    lua_rawget(L, msg);
    lua_setfield(L, -2, "value");
}

/// Appends the root tags of the table at `msg` to the list at `tags`.
static void append_root_tags(lua_State *L, int tags, int msg) {
    int top = lua_gettop(L);
    root_key small[32];
    root_key *keys = small;
    size_t count = 0, capacity = sizeof small / sizeof small[0];
    lua_pushnil(L);
    while (lua_next(L, msg)) {
        /* The key strings stay alive: they are keys of msg, which is on the stack. */
        if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) != LUA_TFUNCTION) {
            root_key key;
            key.s = lua_tolstring(L, -2, &key.n);
            if (!skipped(key.s, key.n)) {
                if (count == capacity) {
                    /* A userdata, so an error below cannot leak it. Parked under the
                       key and value: lua_next still finds its key at -2 after the pop. */
                    luaL_checkstack(L, 4, "too many root tags");
                    root_key *grown = lua_newuserdatauv(L, 2 * capacity * sizeof *grown, 0);
                    memcpy(grown, keys, count * sizeof *keys);
                    lua_insert(L, -3);
                    keys = grown;
                    capacity *= 2;
                }
                keys[count++] = key;
            }
        }
        lua_pop(L, 1);
    }
    if (count > 1) qsort(keys, count, sizeof *keys, compare_keys);
    lua_Integer n = luaL_len(L, tags);
    for (size_t i = 0; i < count; i++) {
        push_tag(L, msg, &keys[i]);
        lua_rawseti(L, tags, ++n);
    }
    lua_settop(L, top);  /* drops the grown key buffers */
}

static void push_fixed_tag(lua_State *L, const char *name, const char *value) {
    lua_createtable(L, 0, 2);
    lua_pushstring(L, name);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, value);
    lua_setfield(L, -2, "value");
}

static int native_root_tags(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    append_root_tags(L, 1, 2);
    return 0;
}

static int native_message(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer reference = luaL_checkinteger(L, 2);
    lua_settop(L, 2);
    char anchor[48], text[24];
    snprintf(anchor, sizeof anchor, "%032lld", (long long)reference);
    snprintf(text, sizeof text, "%lld", (long long)reference);

    lua_createtable(L, 0, 4);                      /* 3: the message */
    lua_getfield(L, 1, "Target");
    lua_setfield(L, 3, "Target");
    lua_getfield(L, 1, "Data");
    lua_setfield(L, 3, "Data");
    lua_pushstring(L, anchor);
    lua_setfield(L, 3, "Anchor");
    lua_createtable(L, 8, 0);                      /* 4: its tags */
    push_fixed_tag(L, "Data-Protocol", "ao");
    lua_rawseti(L, 4, 1);
    push_fixed_tag(L, "Variant", "ao.TN.1");
    lua_rawseti(L, 4, 2);
    push_fixed_tag(L, "Type", "Message");
    lua_rawseti(L, 4, 3);
    push_fixed_tag(L, "Reference", text);
    lua_rawseti(L, 4, 4);
    append_root_tags(L, 4, 1);
    lua_setfield(L, 3, "Tags");
    return 1;
}

void clua_register_outgoing(lua_State *L) {
    lua_pushcfunction(L, native_message);
    lua_setfield(L, -2, "message");
    lua_pushcfunction(L, native_root_tags);
    lua_setfield(L, -2, "rootTags");
}
