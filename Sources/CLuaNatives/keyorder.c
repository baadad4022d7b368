// keyorder.c — the canonical order of primitive table keys (see clua_keyorder.h).
#include <stdlib.h>
#include <string.h>
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include "clua_keyorder.h"

typedef clua_keyval KeyVal;

int clua_key_rank(lua_State *L, int idx) {
    switch (lua_type(L, idx)) {
        case LUA_TNUMBER: return CLUA_KEY_NUMBER;
        case LUA_TSTRING: return CLUA_KEY_STRING;
        case LUA_TBOOLEAN: return CLUA_KEY_BOOLEAN;
        default: return CLUA_KEY_REFERENCE;
    }
}

void clua_keyval_get(lua_State *L, int idx, KeyVal *k) {
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

int clua_keyval_compare(const KeyVal *a, const KeyVal *b) {
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
    clua_keyval_get(L, a, &ka);
    clua_keyval_get(L, b, &kb);
    return clua_keyval_compare(&ka, &kb);
}

/// The order of a table's keys: canonical for primitive keys, which are pairwise
/// distinct and never compare equal (a float key with an integral value is stored
/// as an integer, NaN cannot be a key); reference keys, all equal to
/// keyval_compare, keep their lua_next order. A strict total order, so any sort
/// algorithm gives the same result.
static int key_order(const KeyVal *a, const KeyVal *b) {
    int c = clua_keyval_compare(a, b);
    if (c != 0) return c;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

static int key_order_qsort(const void *a, const void *b) {
    return key_order((const KeyVal *)a, (const KeyVal *)b);
}

/// Insertion sort for the many small tables, qsort for the rest.
static void sort_keyvals(KeyVal *kv, size_t n) {
    if (n > 12) {
        qsort(kv, n, sizeof(KeyVal), key_order_qsort);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        KeyVal k = kv[i];
        size_t j = i;
        for (; j > 0 && key_order(&kv[j - 1], &k) > 0; j--) kv[j] = kv[j - 1];
        kv[j] = k;
    }
}

/// Rearranges arr[1..n] so that arr[i] becomes the old arr[kv[i-1].pos], following
/// the permutation's cycles: one spare stack slot, no second table.
static void permute(lua_State *L, int arr, KeyVal *kv, lua_Integer n) {
    for (lua_Integer i = 1; i <= n; i++) {
        if (kv[i - 1].pos == i) continue;
        lua_rawgeti(L, arr, i);              /* the cycle's first value, set last */
        lua_Integer j = i;
        for (;;) {
            lua_Integer k = kv[j - 1].pos;
            kv[j - 1].pos = j;               /* done */
            if (k == i) break;
            lua_rawgeti(L, arr, k);
            lua_rawseti(L, arr, j);
            j = k;
        }
        lua_rawseti(L, arr, j);
    }
}

/// The workspace at stack slot `scratch`, with room for at least n keys: a
/// userdata replaced by one twice as big (keeping the first `keep` keys) when short.
static KeyVal *workspace(lua_State *L, int scratch, size_t n, size_t keep, size_t *cap) {
    KeyVal *old = lua_touserdata(L, scratch);
    *cap = old ? lua_rawlen(L, scratch) / sizeof(KeyVal) : 0;
    if (n <= *cap) return old;
    *cap = n < 2 * *cap ? 2 * *cap : n;
    if (*cap < 16) *cap = 16;
    KeyVal *kv = lua_newuserdatauv(L, *cap * sizeof(KeyVal), 0);
    if (keep) memcpy(kv, old, keep * sizeof(KeyVal));
    lua_replace(L, scratch);
    return kv;
}

/// Copies the keys of t into arr[1..n] in lua_next order, describing each in the
/// workspace (strings stay anchored by t and arr); returns n and counts the
/// primitive keys.
static lua_Integer gather_keys(lua_State *L, int t, int arr, int scratch, lua_Integer *np) {
    size_t cap, n = 0;
    KeyVal *kv = workspace(L, scratch, 1, 0, &cap);
    *np = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        if (n == cap) kv = workspace(L, scratch, n + 1, n, &cap);
        clua_keyval_get(L, -1, &kv[n]);
        if (kv[n].rank != CLUA_KEY_REFERENCE) (*np)++;
        kv[n].pos = (lua_Integer)n + 1;
        lua_pushvalue(L, -1);
        lua_rawseti(L, arr, (lua_Integer)++n);
    }
    return (lua_Integer)n;
}

lua_Integer clua_collect_keys_into(lua_State *L, int tidx, int arr, int scratch,
                                   lua_Integer *total) {
    lua_Integer np;
    int t = lua_absindex(L, tidx);
    arr = lua_absindex(L, arr);
    scratch = lua_absindex(L, scratch);
    luaL_checkstack(L, 4, "clua_collect_keys");
    lua_Integer n = gather_keys(L, t, arr, scratch, &np);
    KeyVal *kv = lua_touserdata(L, scratch);
    sort_keyvals(kv, (size_t)n);
    permute(L, arr, kv, n);
    if (total) *total = n;
    return np;
}

lua_Integer clua_collect_keys(lua_State *L, int tidx, lua_Integer *total) {
    int t = lua_absindex(L, tidx);
    lua_Integer n = 0;
    luaL_checkstack(L, 3, "clua_collect_keys");
    lua_pushnil(L);
    while (lua_next(L, t)) {
        n++;
        lua_pop(L, 1);
    }
    lua_createtable(L, n < 0x7fffffff ? (int)n : 0, 0);
    lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof(KeyVal), 0);   /* made to measure */
    lua_Integer np = clua_collect_keys_into(L, t, -2, -1, total);
    lua_pop(L, 1);
    return np;
}

int clua_sorted_keys(lua_State *L, int tidx) {
    clua_collect_keys(L, tidx, NULL);
    return 1;
}
