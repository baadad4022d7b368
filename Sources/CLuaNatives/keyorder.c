// keyorder.c — the canonical order of primitive table keys (see clua_keyorder.h).
#include <stdlib.h>
#include <string.h>
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include "clua_keyorder.h"

/// A key taken apart, so sorting compares C values without touching the Lua stack.
/// `s` points into a Lua string that the caller keeps anchored while the key is used.
typedef struct KeyVal {
    int rank;
    int isint;          /* numbers: integer subtype */
    lua_Integer i;
    lua_Number n;
    const char *s;      /* strings */
    size_t len;
    int b;              /* booleans */
    lua_Integer pos;    /* where the key sits in the caller's array */
} KeyVal;

int clua_key_rank(lua_State *L, int idx) {
    switch (lua_type(L, idx)) {
        case LUA_TNUMBER: return CLUA_KEY_NUMBER;
        case LUA_TSTRING: return CLUA_KEY_STRING;
        case LUA_TBOOLEAN: return CLUA_KEY_BOOLEAN;
        default: return CLUA_KEY_REFERENCE;
    }
}

static void keyval_get(lua_State *L, int idx, KeyVal *k) {
    memset(k, 0, sizeof *k);
    k->rank = clua_key_rank(L, idx);
    switch (k->rank) {
        case CLUA_KEY_NUMBER:
            k->isint = lua_isinteger(L, idx);
            if (k->isint) k->i = lua_tointeger(L, idx);
            else k->n = lua_tonumber(L, idx);
            break;
        case CLUA_KEY_STRING:
            /* lua_tolstring on a string neither converts nor allocates. */
            k->s = lua_tolstring(L, idx, &k->len);
            break;
        case CLUA_KEY_BOOLEAN:
            k->b = lua_toboolean(L, idx);
            break;
    }
}

static int sign_of(int c) { return (c > 0) - (c < 0); }

/// Sign of (i - f), exactly. A double with |f| < 2^63 has an integral part that fits
/// a lua_Integer, so compare integral parts as integers, then the fraction decides.
/// Converting i to a double instead would round (2^53 + 1 would equal 2^53).
static int compare_int_float(lua_Integer i, lua_Number f) {
    if (f != f) return -1;                  /* NaN sorts after every number */
    if (f >= 0x1p63) return -1;
    if (f < -0x1p63) return 1;
    lua_Integer t = (lua_Integer)f;         /* truncation toward zero: exact */
    if ((lua_Number)t > f) t--;             /* floor, without libm */
    if (i != t) return i < t ? -1 : 1;
    return (lua_Number)t < f ? -1 : 0;      /* equal integral parts: f has a fraction? */
}

static int compare_floats(lua_Number a, lua_Number b) {
    if (a != a || b != b) return (a != a) - (b != b);   /* NaN last, NaN == NaN */
    return (a > b) - (a < b);
}

static int compare_numbers(const KeyVal *a, const KeyVal *b) {
    if (a->isint && b->isint) return (a->i > b->i) - (a->i < b->i);
    if (a->isint) return compare_int_float(a->i, b->n);
    if (b->isint) return -compare_int_float(b->i, a->n);
    return compare_floats(a->n, b->n);
}

static int compare_strings(const KeyVal *a, const KeyVal *b) {
    size_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->s, b->s, n) : 0;
    if (c != 0) return sign_of(c);
    return (a->len > b->len) - (a->len < b->len);
}

static int keyval_compare(const KeyVal *a, const KeyVal *b) {
    if (a->rank != b->rank) return a->rank < b->rank ? -1 : 1;
    switch (a->rank) {
        case CLUA_KEY_NUMBER: return compare_numbers(a, b);
        case CLUA_KEY_STRING: return compare_strings(a, b);
        case CLUA_KEY_BOOLEAN: return a->b - b->b;
        default: return 0;
    }
}

int clua_key_compare(lua_State *L, int a, int b) {
    KeyVal ka, kb;
    keyval_get(L, a, &ka);
    keyval_get(L, b, &kb);
    return keyval_compare(&ka, &kb);
}

static int keyval_qsort_cmp(const void *a, const void *b) {
    return keyval_compare((const KeyVal *)a, (const KeyVal *)b);
}

/// Pops the array of primitive keys at the top and pushes it sorted. The keys of one
/// table are pairwise distinct and never compare equal (a float key with an integral
/// value is stored as an integer, NaN cannot be a key), so qsort's result is unique.
static void sort_primitives(lua_State *L, lua_Integer n) {
    int src = lua_gettop(L);
    KeyVal *kv = lua_newuserdatauv(L, (size_t)n * sizeof(KeyVal), 0);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, src, i);
        keyval_get(L, -1, &kv[i - 1]);   /* the string stays anchored in src */
        kv[i - 1].pos = i;
        lua_pop(L, 1);
    }
    qsort(kv, (size_t)n, sizeof(KeyVal), keyval_qsort_cmp);
    lua_createtable(L, n < 0x7fffffff ? (int)n : 0, 0);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, src, kv[i - 1].pos);
        lua_rawseti(L, -2, i);
    }
    lua_replace(L, src);
    lua_pop(L, 1);   /* the KeyVal array */
}

lua_Integer clua_collect_keys(lua_State *L, int tidx, lua_Integer *total) {
    tidx = lua_absindex(L, tidx);
    luaL_checkstack(L, 6, "clua_collect_keys");
    lua_newtable(L);                 /* primitive keys */
    int prims = lua_gettop(L);
    lua_newtable(L);                 /* reference keys */
    int refs = prims + 1;
    lua_Integer np = 0, nr = 0;
    lua_pushnil(L);
    while (lua_next(L, tidx)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        if (clua_key_rank(L, -1) == CLUA_KEY_REFERENCE) lua_rawseti(L, refs, ++nr);
        else lua_rawseti(L, prims, ++np);
    }
    lua_pushvalue(L, prims);
    sort_primitives(L, np);          /* sorted copy on top */
    for (lua_Integer i = 1; i <= nr; i++) {
        lua_rawgeti(L, refs, i);
        lua_rawseti(L, -2, np + i);
    }
    lua_replace(L, prims);
    lua_pop(L, 1);                   /* refs */
    if (total) *total = np + nr;
    return np;
}

int clua_sorted_keys(lua_State *L, int tidx) {
    clua_collect_keys(L, tidx, NULL);
    return 1;
}
