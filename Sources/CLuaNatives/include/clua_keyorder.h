#ifndef CLUA_KEYORDER_H
#define CLUA_KEYORDER_H
// A canonical total order on the primitive values Lua allows as table keys.
//
// Lua 5.4 seeds its string hash per state, so lua_next visits the same table in a
// different order in every run. Anything whose output must be the same on every run
// (the sandbox's `pairs`, the json encoder, persist) walks keys in this order instead.
#include <lua5.4/lua.h>

/// Key ranks, in the order they sort: numbers, strings, booleans, then every
/// reference type (tables, functions, userdata, threads), which have no canonical order.
enum {
    CLUA_KEY_NUMBER = 0,
    CLUA_KEY_STRING = 1,
    CLUA_KEY_BOOLEAN = 2,
    CLUA_KEY_REFERENCE = 3,
};

/// A key taken apart, so sorting compares C values without touching the Lua stack.
/// `s` points into a Lua string that the caller keeps anchored while the key is used.
typedef struct clua_keyval {
    int rank;
    int isint;          /* numbers: integer subtype */
    lua_Integer i;
    lua_Number n;
    const char *s;      /* strings */
    size_t len;
    int b;              /* booleans */
    lua_Integer pos;    /* where the key sits (caller's array index or stack slot) */
} clua_keyval;

/// Fills *k from the key at idx. Never raises, never allocates.
void clua_keyval_get(lua_State *L, int idx, clua_keyval *k);

/// clua_key_compare on taken-apart keys.
int clua_keyval_compare(const clua_keyval *a, const clua_keyval *b);

/// The rank of the value at `idx` (nil also ranks CLUA_KEY_REFERENCE). Never raises.
int clua_key_rank(lua_State *L, int idx);

/// Compares two keys: <0, 0 or >0. Numbers by mathematical value (integers and floats
/// compared exactly, never through a lossy conversion), then strings bytewise (a
/// prefix sorts first), then false < true. Two reference-typed keys compare equal.
/// Never raises, never calls metamethods, never allocates.
int clua_key_compare(lua_State *L, int a, int b);

/// lua_CFunction-style (may raise: call it under a pcall). Pushes a new array of the
/// keys of the table at `tidx`: its primitive keys in canonical order, then its
/// reference-typed keys in lua_next order, which is NOT stable across states (persist
/// orders those by its own rule). Raw access only: no __pairs, no __index. Returns 1.
int clua_sorted_keys(lua_State *L, int tidx);

/// As clua_sorted_keys, and returns how many of the keys are primitive (they come
/// first, at 1..n); *total (if not NULL) receives the number of keys. May raise.
lua_Integer clua_collect_keys(lua_State *L, int tidx, lua_Integer *total);

/// The same, for walks over many tables (persist), without allocating per table:
/// writes the keys into arr[1..*total] of the existing table at `arr` (entries past
/// *total are left as they were) and uses the value at stack slot `scratch` as
/// workspace, replacing it with a bigger userdata when it is not big enough (start
/// with nil). Pushes nothing. May raise.
lua_Integer clua_collect_keys_into(lua_State *L, int tidx, int arr, int scratch,
                                   lua_Integer *total);

#endif
