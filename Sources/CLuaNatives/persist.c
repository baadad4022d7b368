// persist.c — a deterministic serializer of a whole Lua heap (docs/PERSIST.md).
//
// The dump walks the object graph breadth-first with an explicit queue: a reference
// object gets an id the first time it is met, and its contents are written when the
// queue reaches it. Nothing recurses on the heap's shape, so a long linked list needs
// no C stack. The output depends only on the graph, never on addresses or on the
// per-state string hash seed: table entries go in canonical key order (keyorder.c),
// ids follow traversal order, reference-typed keys follow the rule in
// dump_reference_keys.
//
// The bytes are: a header, one "shell" per object (enough to create it: a table's
// size, a string's bytes, a closure's prototype, a permanent's name), the root value,
// "records" that fill the objects (metatables, table entries, upvalues), and a
// checksum. The loader creates every object from its shell first, so records may
// refer to any object, whatever the order in which they were found.
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include "clua_keyorder.h"
#include "clua_persist.h"

_Static_assert(sizeof(lua_Number) == 8, "persist stores lua_Number as an IEEE double");
_Static_assert(sizeof(lua_Integer) == 8, "persist stores lua_Integer as 64 bits");

// ---------------------------------------------------------------- format

#define P_MAGIC "SLPS"
#define P_MAGIC_LEN 4
#define P_VERSION 1
#define P_SUMLEN 8          /* trailing FNV-1a 64 of everything before it */

/* Shell kinds: one shell per object id, in id order. */
enum { S_TABLE = 1, S_STRING, S_PROTO, S_CLOSURE, S_PERM, S_DEADCO };
/* Value tags. */
enum { V_NIL = 0, V_FALSE, V_TRUE, V_INT, V_FLOAT, V_REF };
/* Record tags. */
enum { R_END = 0, R_META, R_ENTRIES, R_UPVALS };

/* Fingerprints of keys found only as keys look this deep, and see only the
   shallow fingerprint of the entries of a table wider than FP_WIDE. */
#define FP_DEPTH 3
#define FP_WIDE 16
/* More deferred tables than this are settled together (see force_deferred). */
#define FORCE_BATCH 32

// ---------------------------------------------------------------- hashing

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

/* FNV-1a: every step is a bijection of the state, so any change of a single byte
   changes the checksum; enough to catch torn writes and bit rot. */
static uint64_t fnv1a(uint64_t h, const void *data, size_t n) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * FNV_PRIME;
    return h;
}

static uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t combine(uint64_t a, uint64_t b) {
    return mix64(a ^ mix64(b + 0x9e3779b97f4a7c15ULL));
}

// ---------------------------------------------------------------- bytes

static size_t put_varint(unsigned char *out, uint64_t v) {
    size_t n = 0;
    do {
        unsigned char c = v & 0x7f;
        v >>= 7;
        out[n++] = c | (v ? 0x80 : 0);
    } while (v);
    return n;
}

static void put_u64le(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64le(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static uint64_t zigzag(lua_Integer i) {
    uint64_t u = (uint64_t)i;
    return (u << 1) ^ (0 - (u >> 63));
}

static lua_Integer unzigzag(uint64_t z) {
    return (lua_Integer)((z >> 1) ^ (0 - (z & 1)));
}

// ---------------------------------------------------------------- growable buffer

/// Bytes kept in a userdata at a fixed stack slot, so an error unwinding through
/// the dump leaks nothing and the memory is the state's own. Growing swaps in a
/// bigger userdata; Lua never moves a live userdata, so `p` stays valid until then.
typedef struct Buf {
    lua_State *L;
    unsigned char *p;
    size_t len, cap;
    int slot;
} Buf;

static void buf_init(lua_State *L, Buf *b, size_t cap) {
    b->L = L;
    b->len = 0;
    b->cap = cap;
    b->p = lua_newuserdatauv(L, cap, 0);
    b->slot = lua_gettop(L);
}

static void buf_reserve(Buf *b, size_t extra) {
    if (b->cap - b->len >= extra) return;
    size_t cap = b->cap;
    while (cap - b->len < extra) {
        if (cap > SIZE_MAX / 2) luaL_error(b->L, "persist: output too large");
        cap *= 2;
    }
    unsigned char *p = lua_newuserdatauv(b->L, cap, 0);
    memcpy(p, b->p, b->len);
    lua_replace(b->L, b->slot);
    b->p = p;
    b->cap = cap;
}

static void buf_add(Buf *b, const void *s, size_t n) {
    buf_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void buf_byte(Buf *b, unsigned char c) {
    if (b->len == b->cap) buf_reserve(b, 1);
    b->p[b->len++] = c;
}

static void buf_varint(Buf *b, uint64_t v) {
    buf_reserve(b, 10);
    b->len += put_varint(b->p + b->len, v);
}

static void buf_lstring(Buf *b, const void *s, size_t n) {
    buf_varint(b, n);
    buf_add(b, s, n);
}

// ================================================================ dump

typedef struct Dumper {
    lua_State *L;
    int perms;       /* [2]: object -> permanent name */
    int memo;        /* object -> id (everything but prototypes) */
    int upmemo;      /* lua_upvalueid as light userdata -> cell number */
    int protomemo;   /* bytecode string -> id of its prototype */
    int objs;        /* id -> object; also the traversal queue */
    int pending;     /* table id -> array of its reference keys still without an id */
    int deferred;    /* array of the ids of tables with pending keys */
    int keys;        /* reused array of the keys of the table being written */
    int keyspace;    /* reused workspace of clua_collect_keys_into */
    lua_Integer nobj, ncells, ndeferred;
    Buf shells, content, scratch;
    Buf info;        /* ObjInfo [id - 1] */
} Dumper;

/// What the dump remembers of each object besides the object itself (in objs).
typedef struct ObjInfo {
    lua_Integer parent;   /* id of the object it was first found in, for error paths */
    lua_Integer proto;    /* closures: the id of their prototype */
    int kind;             /* S_* */
} ObjInfo;

/// How a value was reached from its container; only used to name it in errors.
enum { E_ROOT, E_META, E_ENTRY, E_KEY, E_UPVAL };
typedef struct Edge {
    int kind;
    int arg;         /* E_ENTRY: stack index of the key; E_UPVAL: upvalue number */
} Edge;

static void encode_value(Dumper *D, int v, lua_Integer parent, Edge e);

static lua_Integer lookup_id(lua_State *L, int memo, int v) {
    lua_pushvalue(L, v);
    lua_rawget(L, memo);
    lua_Integer id = lua_tointeger(L, -1);   /* 0 when absent */
    lua_pop(L, 1);
    return id;
}

/// Valid until the next new_object (which may move the buffer).
static ObjInfo *info(Dumper *D, lua_Integer id) {
    return (ObjInfo *)D->info.p + (id - 1);
}

static lua_Integer geti_integer(lua_State *L, int t, lua_Integer i) {
    lua_rawgeti(L, t, i);
    lua_Integer v = lua_tointeger(L, -1);
    lua_pop(L, 1);
    return v;
}

// ---------------------------------------------------------------- error paths

#define PATH_SIZE 400
#define PATH_DEPTH 48

typedef struct Path {
    char s[PATH_SIZE];
    size_t n;
} Path;

static void path_add(Path *p, const char *fmt, ...) {
    size_t room = PATH_SIZE - p->n;
    if (room <= 1) return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(p->s + p->n, room, fmt, ap);
    va_end(ap);
    if (w > 0) p->n += (size_t)w < room ? (size_t)w : room - 1;
}

static int is_identifier(const char *s, size_t n) {
    if (n == 0 || n > 60 || (s[0] >= '0' && s[0] <= '9')) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9');
        if (!ok) return 0;
    }
    return 1;
}

static void path_quoted(Path *p, const char *s, size_t n) {
    path_add(p, "[\"");
    for (size_t i = 0; i < n && i < 40; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') path_add(p, "\\%c", c);
        else if (c < 32 || c > 126) path_add(p, "\\%u", c);
        else path_add(p, "%c", c);
    }
    path_add(p, n > 40 ? "...\"]" : "\"]");
}

static void path_key(lua_State *L, Path *p, int k) {
    size_t n;
    const char *s;
    switch (lua_type(L, k)) {
        case LUA_TSTRING:
            s = lua_tolstring(L, k, &n);
            if (is_identifier(s, n)) path_add(p, ".%s", s);
            else path_quoted(p, s, n);
            break;
        case LUA_TNUMBER:
            if (lua_isinteger(L, k))
                path_add(p, "[" LUA_INTEGER_FMT "]", (LUAI_UACINT)lua_tointeger(L, k));
            else path_add(p, "[%.17g]", (double)lua_tonumber(L, k));
            break;
        case LUA_TBOOLEAN:
            path_add(p, lua_toboolean(L, k) ? "[true]" : "[false]");
            break;
        default:
            path_add(p, "[<%s key>]", luaL_typename(L, k));
    }
}

static void path_upvalue(lua_State *L, Path *p, int f, int n) {
    const char *name = lua_getupvalue(L, f, n);
    if (name && *name && name[0] != '(') path_add(p, ".<upvalue %s>", name);
    else path_add(p, ".<upvalue %d>", n);
    if (name) lua_pop(L, 1);
}

/// Names the step from table t to c by searching t: errors are rare, so the dump
/// does not pay to remember every key it went through.
static void path_table_link(lua_State *L, Path *p, int t, int c) {
    if (lua_getmetatable(L, t)) {
        int is_meta = lua_rawequal(L, -1, c);
        lua_pop(L, 1);
        if (is_meta) { path_add(p, ".<metatable>"); return; }
    }
    lua_pushnil(L);
    while (lua_next(L, t)) {
        int top = lua_gettop(L);
        if (lua_rawequal(L, top, c) || lua_rawequal(L, top - 1, c)) {
            if (lua_rawequal(L, top, c)) path_key(L, p, top - 1);
            else path_add(p, ".<key>");
            lua_pop(L, 2);
            return;
        }
        lua_pop(L, 1);
    }
    path_add(p, ".?");
}

static void path_closure_link(lua_State *L, Path *p, int f, int c) {
    for (int i = 1; lua_getupvalue(L, f, i) != NULL; i++) {
        int found = lua_rawequal(L, -1, c);
        lua_pop(L, 1);
        if (found) { path_upvalue(L, p, f, i); return; }
    }
    path_add(p, ".?");
}

static void path_link(Dumper *D, Path *p, lua_Integer parent, lua_Integer child) {
    lua_State *L = D->L;
    lua_rawgeti(L, D->objs, parent);
    lua_rawgeti(L, D->objs, child);
    int c = lua_gettop(L);
    if (lua_type(L, c - 1) == LUA_TFUNCTION) path_closure_link(L, p, c - 1, c);
    else path_table_link(L, p, c - 1, c);
    lua_pop(L, 2);
}

static void path_of(Dumper *D, Path *p, lua_Integer id) {
    lua_Integer chain[PATH_DEPTH];
    int n = 0;
    while (id != 0 && n < PATH_DEPTH) {
        chain[n++] = id;
        id = info(D, id)->parent;
    }
    path_add(p, id == 0 ? "root" : "...");
    for (int i = n - 1; i > 0; i--) path_link(D, p, chain[i], chain[i - 1]);
}

static void path_edge(Dumper *D, Path *p, lua_Integer parent, Edge e) {
    lua_State *L = D->L;
    switch (e.kind) {
        case E_META: path_add(p, ".<metatable>"); break;
        case E_ENTRY: path_key(L, p, e.arg); break;
        case E_KEY: path_add(p, ".<key>"); break;
        case E_UPVAL:
            lua_rawgeti(L, D->objs, parent);
            path_upvalue(L, p, lua_gettop(L), e.arg);
            lua_pop(L, 1);
            break;
        default: break;
    }
}

/// Raises "persist: cannot persist <what> at <path>".
static lua_Integer refuse(Dumper *D, const char *what, lua_Integer parent, Edge e) {
    Path p;
    p.n = 0;
    p.s[0] = '\0';
    luaL_checkstack(D->L, 8, "persist");
    if (e.kind == E_ROOT) path_add(&p, "root");
    else {
        path_of(D, &p, parent);
        path_edge(D, &p, parent, e);
    }
    return luaL_error(D->L, "persist: cannot persist %s at %s", what, p.s);
}

// ---------------------------------------------------------------- new objects

/// Gives the value at v the next id and queues it. Its shell is written when the
/// queue reaches it (ids are processed in order): by then a table's keys are known.
static lua_Integer new_object(Dumper *D, int v, int kind, lua_Integer parent,
                              lua_Integer proto) {
    lua_State *L = D->L;
    lua_Integer id = ++D->nobj;
    ObjInfo o = {parent, proto, kind};
    int memo = kind == S_PROTO ? D->protomemo : D->memo;
    lua_pushvalue(L, v);
    lua_pushinteger(L, id);
    lua_rawset(L, memo);
    lua_pushvalue(L, v);
    lua_rawseti(L, D->objs, id);
    buf_add(&D->info, &o, sizeof o);
    return id;
}

static lua_Integer perm_id(Dumper *D, int v, lua_Integer parent) {
    lua_State *L = D->L;
    lua_pushvalue(L, v);
    int t = lua_rawget(L, D->perms);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    if (t != LUA_TSTRING)
        luaL_error(L, "persist: the permanents table maps a %s to a %s, not to a name",
                   luaL_typename(L, v), lua_typename(L, t));
    lua_pop(L, 1);
    return new_object(D, v, S_PERM, parent, 0);
}

static int bytecode_writer(lua_State *L, const void *p, size_t n, void *ud) {
    (void)L;
    buf_add((Buf *)ud, p, n);
    return 0;
}

/// Dumps the prototype of the Lua function at f into the scratch buffer, with its
/// debug info (strip = 0) so restored code keeps its names and line numbers.
static void dump_bytecode(Dumper *D, int f) {
    D->scratch.len = 0;
    lua_pushvalue(D->L, f);
    lua_dump(D->L, bytecode_writer, &D->scratch, 0);
    lua_pop(D->L, 1);
}

/// The API offers no handle on a prototype, so prototypes are shared by their bytes:
/// closures with byte-identical prototypes (the same source, the same lines) store
/// the bytecode once and, after a load, share nothing but behave identically.
static lua_Integer proto_id(Dumper *D, int f, lua_Integer parent) {
    lua_State *L = D->L;
    dump_bytecode(D, f);
    lua_pushlstring(L, (const char *)D->scratch.p, D->scratch.len);
    int bc = lua_gettop(L);
    lua_Integer id = lookup_id(L, D->protomemo, bc);
    if (id == 0) id = new_object(D, bc, S_PROTO, parent, 0);
    lua_pop(L, 1);
    return id;
}

static lua_Integer new_function(Dumper *D, int f, lua_Integer parent, Edge e) {
    if (lua_iscfunction(D->L, f))
        return refuse(D, "a C function that is not a registered permanent", parent, e);
    lua_Integer proto = proto_id(D, f, parent);   /* before the closure: loaded first */
    return new_object(D, f, S_CLOSURE, parent, proto);
}

/// The state of a coroutine as coroutine.status names it.
static const char *coroutine_state(lua_State *L, lua_State *co) {
    lua_Debug ar;
    if (co == L) return "running";
    switch (lua_status(co)) {
        case LUA_YIELD: return "suspended";
        case LUA_OK: break;
        default: return "dead";   /* finished with an error */
    }
    if (lua_getstack(co, 0, &ar)) return "normal";
    return lua_gettop(co) == 0 ? "dead" : "suspended";   /* not started yet */
}

/// A dead coroutine keeps no behaviour (it can only refuse to resume), so it is
/// stored as a marker and restored as a fresh, empty, equally dead thread.
static lua_Integer new_thread(Dumper *D, int v, lua_Integer parent, Edge e) {
    const char *state = coroutine_state(D->L, lua_tothread(D->L, v));
    if (strcmp(state, "dead") == 0) return new_object(D, v, S_DEADCO, parent, 0);
    char what[64];
    snprintf(what, sizeof what, "a %s coroutine", state);
    return refuse(D, what, parent, e);
}

static lua_Integer object_id(Dumper *D, int v, lua_Integer parent, Edge e) {
    lua_State *L = D->L;
    lua_Integer id = lookup_id(L, D->memo, v);
    if (id) return id;
    int t = lua_type(L, v);
    if (t != LUA_TSTRING && (id = perm_id(D, v, parent)) != 0) return id;
    switch (t) {
        case LUA_TSTRING: return new_object(D, v, S_STRING, parent, 0);
        case LUA_TTABLE: return new_object(D, v, S_TABLE, parent, 0);
        case LUA_TFUNCTION: return new_function(D, v, parent, e);
        case LUA_TTHREAD: return new_thread(D, v, parent, e);
        case LUA_TLIGHTUSERDATA:
            return refuse(D, "a light userdata that is not a registered permanent", parent, e);
        default:
            return refuse(D, "a userdata that is not a registered permanent", parent, e);
    }
}

static void encode_number(Buf *b, lua_State *L, int v) {
    if (lua_isinteger(L, v)) {
        buf_byte(b, V_INT);
        buf_varint(b, zigzag(lua_tointeger(L, v)));
    } else {
        lua_Number n = lua_tonumber(L, v);
        uint64_t bits;
        unsigned char raw[8];
        memcpy(&bits, &n, sizeof bits);   /* keeps -0.0 and NaN payloads */
        put_u64le(raw, bits);
        buf_byte(b, V_FLOAT);
        buf_add(b, raw, 8);
    }
}

static void encode_value(Dumper *D, int v, lua_Integer parent, Edge e) {
    lua_State *L = D->L;
    Buf *b = &D->content;
    v = lua_absindex(L, v);
    switch (lua_type(L, v)) {
        case LUA_TNIL: buf_byte(b, V_NIL); break;
        case LUA_TBOOLEAN: buf_byte(b, lua_toboolean(L, v) ? V_TRUE : V_FALSE); break;
        case LUA_TNUMBER: encode_number(b, L, v); break;
        default: {
            lua_Integer id = object_id(D, v, parent, e);
            buf_byte(b, V_REF);
            buf_varint(b, (uint64_t)id);
        }
    }
}

// ---------------------------------------------------------------- fingerprints

static uint64_t fingerprint(Dumper *D, int v, int depth);

/// A structural hash of a table: a sum over entries, so lua_next order is irrelevant.
static uint64_t fp_table(Dumper *D, int t, int depth) {
    lua_State *L = D->L;
    uint64_t h = combine(9, 0), sum = 0, count = 0;
    if (depth == 0) return h;
    luaL_checkstack(L, 6, "persist");
    lua_pushnil(L);
    while (lua_next(L, t)) {
        count++;
        lua_pop(L, 1);
    }
    int sub = count > FP_WIDE ? 0 : depth - 1;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        int top = lua_gettop(L);
        sum += combine(fingerprint(D, top - 1, sub), fingerprint(D, top, sub));
        lua_pop(L, 1);
    }
    h = combine(combine(h, count), sum);
    if (lua_getmetatable(L, t)) {
        h = combine(h, fingerprint(D, lua_gettop(L), depth - 1));
        lua_pop(L, 1);
    }
    return h;
}

static uint64_t fp_closure(Dumper *D, int f, int depth) {
    lua_State *L = D->L;
    dump_bytecode(D, f);
    uint64_t h = combine(10, fnv1a(FNV_OFFSET, D->scratch.p, D->scratch.len));
    if (depth == 0) return h;
    luaL_checkstack(L, 4, "persist");
    for (int i = 1; lua_getupvalue(L, f, i) != NULL; i++) {
        h = combine(h, fingerprint(D, lua_gettop(L), depth - 1));
        lua_pop(L, 1);
    }
    return h;
}

static uint64_t fp_object(Dumper *D, int v, int depth) {
    lua_State *L = D->L;
    lua_Integer id = lookup_id(L, D->memo, v);
    if (id) return combine(6, (uint64_t)id);
    lua_pushvalue(L, v);
    if (lua_rawget(L, D->perms) == LUA_TSTRING) {
        size_t n;
        const char *name = lua_tolstring(L, -1, &n);
        uint64_t h = combine(7, fnv1a(FNV_OFFSET, name, n));
        lua_pop(L, 1);
        return h;
    }
    lua_pop(L, 1);
    int t = lua_type(L, v);
    if (t == LUA_TTABLE) return fp_table(D, v, depth);
    if (t == LUA_TFUNCTION && !lua_iscfunction(L, v)) return fp_closure(D, v, depth);
    return combine(8, (uint64_t)t);
}

/// A hash of the value at v that depends only on its structure (to `depth` levels)
/// and on ids already assigned, never on addresses or the string hash seed.
static uint64_t fingerprint(Dumper *D, int v, int depth) {
    lua_State *L = D->L;
    size_t n;
    const char *s;
    uint64_t bits;
    lua_Number x;
    v = lua_absindex(L, v);
    switch (lua_type(L, v)) {
        case LUA_TNIL: return combine(1, 0);
        case LUA_TBOOLEAN: return combine(2, (uint64_t)lua_toboolean(L, v));
        case LUA_TNUMBER:
            if (lua_isinteger(L, v)) return combine(3, (uint64_t)lua_tointeger(L, v));
            x = lua_tonumber(L, v);
            memcpy(&bits, &x, sizeof bits);
            return combine(4, bits);
        case LUA_TSTRING:
            s = lua_tolstring(L, v, &n);
            return combine(5, fnv1a(FNV_OFFSET, s, n));
        default:
            return fp_object(D, v, depth);
    }
}

// ---------------------------------------------------------------- table entries

/// Writes the entry of table t under the key at k: the key, then its value.
static void write_entry(Dumper *D, lua_Integer tid, int t, int k) {
    lua_State *L = D->L;
    encode_value(D, k, tid, (Edge){E_KEY, 0});
    lua_pushvalue(L, k);
    lua_rawget(L, t);
    encode_value(D, lua_gettop(L), tid, (Edge){E_ENTRY, k});
    lua_pop(L, 1);
}

static void begin_entries(Dumper *D, lua_Integer tid, lua_Integer n) {
    buf_byte(&D->content, R_ENTRIES);
    buf_varint(&D->content, (uint64_t)tid);
    buf_varint(&D->content, (uint64_t)n);
}

typedef struct IdPos { lua_Integer id, pos; } IdPos;

static int idpos_cmp(const void *a, const void *b) {
    lua_Integer x = ((const IdPos *)a)->id, y = ((const IdPos *)b)->id;
    return (x > y) - (x < y);
}

/// Writes, in id order, the entries of table t whose keys (list[from..to]) already
/// have an id. Pushes an array of the other keys and returns its length.
static lua_Integer write_known_keys(Dumper *D, lua_Integer tid, int t, int list,
                                    lua_Integer from, lua_Integer to) {
    lua_State *L = D->L;
    lua_Integer nk = 0, nr = 0;
    IdPos *ip = lua_newuserdatauv(L, (size_t)(to - from + 1) * sizeof(IdPos), 0);
    lua_newtable(L);
    int rest = lua_gettop(L);
    for (lua_Integer i = from; i <= to; i++) {
        lua_rawgeti(L, list, i);
        lua_Integer id = lookup_id(L, D->memo, rest + 1);
        if (id == 0) { lua_rawseti(L, rest, ++nr); continue; }
        ip[nk].id = id;
        ip[nk++].pos = i;
        lua_pop(L, 1);
    }
    qsort(ip, (size_t)nk, sizeof(IdPos), idpos_cmp);
    if (nk) begin_entries(D, tid, nk);
    for (lua_Integer j = 0; j < nk; j++) {
        lua_rawgeti(L, list, ip[j].pos);
        write_entry(D, tid, t, lua_gettop(L));
        lua_pop(L, 1);
    }
    lua_remove(L, rest - 1);   /* the IdPos array; the rest stays on top */
    return nr;
}

typedef struct FpPos { uint64_t key, value; lua_Integer pos; } FpPos;

static int fppos_cmp(const void *a, const void *b) {
    const FpPos *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    if (x->value != y->value) return x->value < y->value ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);   /* the residual, seed-dependent case */
}

/// Writes every entry of t under the keys list[1..n] (none has an id) ordered by
/// the fingerprints of key and value.
static void write_by_fingerprint(Dumper *D, lua_Integer tid, int t, int list, lua_Integer n) {
    lua_State *L = D->L;
    FpPos *fp = lua_newuserdatauv(L, (size_t)n * sizeof(FpPos), 0);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, list, i);
        int k = lua_gettop(L);
        fp[i - 1].key = fingerprint(D, k, FP_DEPTH);
        lua_pushvalue(L, k);
        lua_rawget(L, t);
        fp[i - 1].value = fingerprint(D, k + 1, FP_DEPTH);
        fp[i - 1].pos = i;
        lua_pop(L, 2);
    }
    qsort(fp, (size_t)n, sizeof(FpPos), fppos_cmp);
    begin_entries(D, tid, n);
    for (lua_Integer i = 0; i < n; i++) {
        lua_rawgeti(L, list, fp[i].pos);
        write_entry(D, tid, t, lua_gettop(L));
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

/// Reference-typed keys have no canonical order, so they are written by the id
/// their key object gets from the rest of the traversal. A key without an id yet is
/// put off (its table is "deferred") until the queue runs dry: by then most keys
/// (`seen[obj] = true` where obj lives elsewhere) have an id from their other paths.
static void dump_reference_keys(Dumper *D, lua_Integer tid, int t, int keys,
                                lua_Integer from, lua_Integer to) {
    lua_State *L = D->L;
    lua_Integer rest = write_known_keys(D, tid, t, keys, from, to);
    if (rest > 0) {
        lua_rawseti(L, D->pending, tid);
        lua_pushinteger(L, tid);
        lua_rawseti(L, D->deferred, ++D->ndeferred);
    } else {
        lua_pop(L, 1);
    }
}

/// The shell of a table: size hints for the loader's lua_createtable, the length of
/// the run 1..n of present integer keys and the count of the other keys. Both
/// depend only on the contents, not on the table's internal layout.
static void table_shell(Dumper *D, int t, lua_Integer total) {
    lua_State *L = D->L;
    lua_Integer narr = 0;
    while (lua_rawgeti(L, t, narr + 1) != LUA_TNIL) {
        lua_pop(L, 1);
        narr++;
    }
    lua_pop(L, 1);
    buf_varint(&D->shells, (uint64_t)narr);
    buf_varint(&D->shells, (uint64_t)(total - narr));
}

static void dump_table(Dumper *D, lua_Integer id, int t) {
    lua_State *L = D->L;
    lua_Integer total, np = clua_collect_keys_into(L, t, D->keys, D->keyspace, &total);
    table_shell(D, t, total);
    if (lua_getmetatable(L, t)) {
        buf_byte(&D->content, R_META);
        buf_varint(&D->content, (uint64_t)id);
        encode_value(D, t + 1, id, (Edge){E_META, 0});
        lua_pop(L, 1);
    }
    if (np) begin_entries(D, id, np);
    for (lua_Integer i = 1; i <= np; i++) {
        lua_rawgeti(L, D->keys, i);
        write_entry(D, id, t, lua_gettop(L));
        lua_pop(L, 1);
    }
    if (total > np) dump_reference_keys(D, id, t, D->keys, np + 1, total);
}

// ---------------------------------------------------------------- deferred keys

/// Writes the pending entries whose keys got an id since; returns 1 if any did.
static int sweep_deferred(Dumper *D) {
    lua_State *L = D->L;
    lua_Integer kept = 0;
    int progress = 0;
    lua_newtable(L);
    int still = lua_gettop(L);
    for (lua_Integer i = 1; i <= D->ndeferred; i++) {
        lua_Integer tid = geti_integer(L, D->deferred, i);
        lua_rawgeti(L, D->objs, tid);
        lua_rawgeti(L, D->pending, tid);
        lua_Integer n = (lua_Integer)lua_rawlen(L, still + 2);
        lua_Integer nr = write_known_keys(D, tid, still + 1, still + 2, 1, n);
        if (nr < n) progress = 1;
        if (nr == 0) lua_pushnil(L);
        else {
            lua_pushinteger(L, tid);
            lua_rawseti(L, still, ++kept);
        }
        lua_rawseti(L, D->pending, tid);   /* the rest, or nil */
        lua_settop(L, still);
    }
    lua_replace(L, D->deferred);
    D->ndeferred = kept;
    return progress;
}

/// Writes every pending entry of table tid: those whose keys got an id by id, the
/// rest by fingerprint.
static void force_table(Dumper *D, lua_Integer tid) {
    lua_State *L = D->L;
    lua_rawgeti(L, D->objs, tid);
    lua_rawgeti(L, D->pending, tid);
    int t = lua_gettop(L) - 1;
    lua_Integer n = write_known_keys(D, tid, t, t + 1, 1, (lua_Integer)lua_rawlen(L, t + 1));
    if (n > 0) write_by_fingerprint(D, tid, t, t + 2, n);
    lua_pop(L, 3);
    lua_pushnil(L);
    lua_rawseti(L, D->pending, tid);
}

/// The sweep found nothing: every pending key is reachable only through pending
/// keys. Settle the first deferred table by fingerprints, then let the traversal
/// go on from its new objects. When many tables wait, settle them all at once:
/// one per round would make the rounds quadratic.
static void force_deferred(Dumper *D) {
    lua_State *L = D->L;
    lua_Integer m = D->ndeferred > FORCE_BATCH ? D->ndeferred : 1;
    for (lua_Integer i = 1; i <= m; i++) force_table(D, geti_integer(L, D->deferred, i));
    for (lua_Integer i = m + 1; i <= D->ndeferred; i++) {
        lua_rawgeti(L, D->deferred, i);
        lua_rawseti(L, D->deferred, i - m);
    }
    for (lua_Integer i = D->ndeferred - m + 1; i <= D->ndeferred; i++) {
        lua_pushnil(L);
        lua_rawseti(L, D->deferred, i);
    }
    D->ndeferred -= m;
}

// ---------------------------------------------------------------- closures

static int function_nups(lua_State *L, int f) {
    lua_Debug ar;
    lua_pushvalue(L, f);
    lua_getinfo(L, ">u", &ar);
    return ar.nups;
}

/// An upvalue is a shared variable: each distinct one (lua_upvalueid) gets a cell
/// number, and its value is written only where the cell first appears.
static void dump_upvalue(Dumper *D, lua_Integer id, int f, int i) {
    lua_State *L = D->L;
    lua_pushlightuserdata(L, lua_upvalueid(L, f, i));
    lua_Integer cell = lookup_id(L, D->upmemo, lua_gettop(L));
    if (cell) {
        buf_varint(&D->content, (uint64_t)cell);
        lua_pop(L, 1);
        return;
    }
    cell = ++D->ncells;
    lua_pushinteger(L, cell);
    lua_rawset(L, D->upmemo);
    buf_varint(&D->content, (uint64_t)cell);
    lua_getupvalue(L, f, i);
    encode_value(D, lua_gettop(L), id, (Edge){E_UPVAL, i});
    lua_pop(L, 1);
}

static void dump_closure(Dumper *D, lua_Integer id, int f) {
    int n = function_nups(D->L, f);
    buf_byte(&D->content, R_UPVALS);
    buf_varint(&D->content, (uint64_t)id);
    buf_varint(&D->content, (uint64_t)n);
    for (int i = 1; i <= n; i++) dump_upvalue(D, id, f, i);
}

// ---------------------------------------------------------------- driver

static void shell_lstring(Dumper *D, int v) {
    size_t n;
    const char *s = lua_tolstring(D->L, v, &n);
    buf_lstring(&D->shells, s, n);
}

/// Writes the shell of object id and, for tables and closures, their records.
static void dump_object(Dumper *D, lua_Integer id) {
    lua_State *L = D->L;
    ObjInfo o = *info(D, id);
    buf_byte(&D->shells, (unsigned char)o.kind);
    lua_rawgeti(L, D->objs, id);
    int v = lua_gettop(L);
    switch (o.kind) {
        case S_TABLE: dump_table(D, id, v); break;
        case S_CLOSURE:
            buf_varint(&D->shells, (uint64_t)o.proto);
            dump_closure(D, id, v);
            break;
        case S_STRING:
        case S_PROTO: shell_lstring(D, v); break;   /* a prototype is its bytecode */
        case S_PERM:
            lua_pushvalue(L, v);
            lua_rawget(L, D->perms);
            shell_lstring(D, v + 1);
            break;
        default: break;   /* a dead coroutine: the kind says it all */
    }
    lua_settop(L, v - 1);
}

static void dump_graph(Dumper *D) {
    lua_Integer next = 1;
    for (;;) {
        for (; next <= D->nobj; next++) dump_object(D, next);
        if (D->ndeferred == 0) return;
        if (!sweep_deferred(D)) force_deferred(D);
    }
}

static int push_new_table(lua_State *L) {
    lua_newtable(L);
    return lua_gettop(L);
}

static void dumper_init(lua_State *L, Dumper *D) {
    memset(D, 0, sizeof *D);
    D->L = L;
    D->perms = 2;
    D->memo = push_new_table(L);
    D->upmemo = push_new_table(L);
    D->protomemo = push_new_table(L);
    D->objs = push_new_table(L);
    D->pending = push_new_table(L);
    D->deferred = push_new_table(L);
    D->keys = push_new_table(L);
    lua_pushnil(L);
    D->keyspace = lua_gettop(L);
    buf_init(L, &D->shells, 1024);
    buf_init(L, &D->content, 4096);
    buf_init(L, &D->scratch, 1024);
    buf_init(L, &D->info, 256 * sizeof(ObjInfo));
}

/// Pushes header + shells + content + checksum as one string.
static void push_result(Dumper *D) {
    unsigned char head[32], tail[P_SUMLEN];
    size_t hn = P_MAGIC_LEN;
    memcpy(head, P_MAGIC, P_MAGIC_LEN);
    head[hn++] = P_VERSION;
    hn += put_varint(head + hn, LUA_VERSION_NUM);
    hn += put_varint(head + hn, (uint64_t)D->nobj);
    uint64_t sum = fnv1a(FNV_OFFSET, head, hn);
    sum = fnv1a(sum, D->shells.p, D->shells.len);
    sum = fnv1a(sum, D->content.p, D->content.len);
    put_u64le(tail, sum);
    size_t total = hn + D->shells.len + D->content.len + P_SUMLEN;
    luaL_Buffer b;
    char *out = luaL_buffinitsize(D->L, &b, total);
    memcpy(out, head, hn);
    memcpy(out + hn, D->shells.p, D->shells.len);
    memcpy(out + hn + D->shells.len, D->content.p, D->content.len);
    memcpy(out + total - P_SUMLEN, tail, P_SUMLEN);
    luaL_pushresultsize(&b, total);
}

static int dump_body(lua_State *L) {
    Dumper D;
    luaL_checkany(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    luaL_checkstack(L, 64, "persist");   /* the dump's own depth is bounded */
    dumper_init(L, &D);
    encode_value(&D, 1, 0, (Edge){E_ROOT, 0});
    dump_graph(&D);
    buf_byte(&D.content, R_END);
    push_result(&D);
    return 1;
}

// ================================================================ load

#define F_FILLED 0x80   /* closure: its upvalues are set */
#define F_META 0x40     /* table: its metatable is set */
#define KIND(k) ((k) & 0x0f)

typedef struct Loader {
    lua_State *L;
    const unsigned char *p;
    size_t pos, end;          /* end: where the checksum starts */
    int inv, objs, cells, metas, root;
    unsigned char *kinds;     /* [id]: S_* and F_* */
    lua_Integer nobj, ncells, nmetas;
    uint64_t budget;          /* table slots the shells may still preallocate */
} Loader;

static void decode_value(Loader *Ld);

static int corrupt(Loader *Ld, const char *why) {
    return luaL_error(Ld->L, "persist: corrupt data at byte %I: %s", (lua_Integer)Ld->pos, why);
}

static unsigned rd_byte(Loader *Ld) {
    if (Ld->pos >= Ld->end) corrupt(Ld, "unexpected end of data");
    return Ld->p[Ld->pos++];
}

static uint64_t rd_varint(Loader *Ld) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        unsigned c = rd_byte(Ld);
        if (shift == 63 && c > 1) break;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) return v;
    }
    corrupt(Ld, "malformed varint");
    return 0;
}

/// A count of items of at least `size` bytes each: it cannot exceed what is left,
/// so corrupt counts fail here instead of allocating or looping for long.
static uint64_t rd_count(Loader *Ld, size_t size) {
    uint64_t n = rd_varint(Ld);
    if (n > (Ld->end - Ld->pos) / size) corrupt(Ld, "count larger than the data");
    return n;
}

static const char *rd_bytes(Loader *Ld, size_t *len) {
    *len = (size_t)rd_count(Ld, 1);
    const char *s = (const char *)Ld->p + Ld->pos;
    Ld->pos += *len;
    return s;
}

static lua_Integer rd_id(Loader *Ld, int kind) {
    uint64_t id = rd_varint(Ld);
    if (id == 0 || id > (uint64_t)Ld->nobj) corrupt(Ld, "object id out of range");
    if (kind && KIND(Ld->kinds[id]) != kind) corrupt(Ld, "record for an object of another kind");
    return (lua_Integer)id;
}

// ---------------------------------------------------------------- shells

static void load_table_shell(Loader *Ld) {
    uint64_t narr = rd_varint(Ld), nhash = rd_varint(Ld);
    if (narr > Ld->budget || nhash > Ld->budget - narr || narr + nhash > 0x3fffffff)
        corrupt(Ld, "table size larger than the data");
    Ld->budget -= narr + nhash;
    lua_createtable(Ld->L, (int)narr, (int)nhash);
}

typedef struct Chunk { const char *p; size_t n; } Chunk;

static const char *chunk_reader(lua_State *L, void *ud, size_t *size) {
    Chunk *c = ud;
    (void)L;
    *size = c->n;
    c->n = 0;
    return c->p;
}

static void load_closure_shell(Loader *Ld, lua_Integer id) {
    lua_State *L = Ld->L;
    uint64_t pid = rd_varint(Ld);
    if (pid == 0 || pid >= (uint64_t)id || KIND(Ld->kinds[pid]) != S_PROTO)
        corrupt(Ld, "closure without a prototype");
    lua_rawgeti(L, Ld->objs, (lua_Integer)pid);
    Chunk c;
    c.p = lua_tolstring(L, -1, &c.n);
    if (lua_load(L, chunk_reader, &c, "=persist", "b") != LUA_OK)
        luaL_error(L, "persist: bad bytecode in object %I: %s", (lua_Integer)pid,
                   lua_isstring(L, -1) ? lua_tostring(L, -1) : "?");
    lua_remove(L, -2);
}

static void load_perm_shell(Loader *Ld) {
    size_t n;
    const char *name = rd_bytes(Ld, &n);
    lua_pushlstring(Ld->L, name, n);
    if (lua_rawget(Ld->L, Ld->inv) == LUA_TNIL)
        luaL_error(Ld->L, "persist: unknown permanent '%s'", lua_pushlstring(Ld->L, name, n));
}

static void load_shells(Loader *Ld) {
    lua_State *L = Ld->L;
    for (lua_Integer id = 1; id <= Ld->nobj; id++) {
        unsigned kind = rd_byte(Ld);
        size_t n;
        const char *s;
        switch (kind) {
            case S_TABLE: load_table_shell(Ld); break;
            case S_STRING:
            case S_PROTO: s = rd_bytes(Ld, &n); lua_pushlstring(L, s, n); break;
            case S_CLOSURE: load_closure_shell(Ld, id); break;
            case S_PERM: load_perm_shell(Ld); break;
            case S_DEADCO: lua_newthread(L); break;
            default: corrupt(Ld, "unknown object kind");
        }
        Ld->kinds[id] = (unsigned char)kind;
        lua_rawseti(L, Ld->objs, id);
    }
}

// ---------------------------------------------------------------- values and records

static void decode_float(Loader *Ld) {
    size_t start = Ld->pos;
    if (Ld->end - start < 8) corrupt(Ld, "unexpected end of data");
    uint64_t bits = get_u64le(Ld->p + start);
    lua_Number n;
    memcpy(&n, &bits, sizeof n);
    Ld->pos += 8;
    lua_pushnumber(Ld->L, n);
}

static void decode_value(Loader *Ld) {
    lua_State *L = Ld->L;
    lua_Integer id;
    switch (rd_byte(Ld)) {
        case V_NIL: lua_pushnil(L); break;
        case V_FALSE: lua_pushboolean(L, 0); break;
        case V_TRUE: lua_pushboolean(L, 1); break;
        case V_INT: lua_pushinteger(L, unzigzag(rd_varint(Ld))); break;
        case V_FLOAT: decode_float(Ld); break;
        case V_REF:
            id = rd_id(Ld, 0);
            if (KIND(Ld->kinds[id]) == S_PROTO) corrupt(Ld, "a prototype used as a value");
            lua_rawgeti(L, Ld->objs, id);
            break;
        default: corrupt(Ld, "unknown value tag");
    }
}

/// Metatables are applied after every object is filled, so a __gc or __mode field
/// is in place when lua_setmetatable looks at it.
static void load_meta(Loader *Ld) {
    lua_State *L = Ld->L;
    lua_Integer id = rd_id(Ld, S_TABLE);
    if (Ld->kinds[id] & F_META) corrupt(Ld, "metatable set twice");
    Ld->kinds[id] |= F_META;
    lua_rawgeti(L, Ld->objs, id);
    decode_value(Ld);
    if (!lua_istable(L, -1)) corrupt(Ld, "metatable is not a table");
    lua_rawseti(L, Ld->metas, 2 * (++Ld->nmetas));
    lua_rawseti(L, Ld->metas, 2 * Ld->nmetas - 1);
}

static void load_entries(Loader *Ld) {
    lua_State *L = Ld->L;
    lua_Integer id = rd_id(Ld, S_TABLE);
    uint64_t n = rd_count(Ld, 2);
    lua_rawgeti(L, Ld->objs, id);
    int t = lua_gettop(L);
    for (uint64_t i = 0; i < n; i++) {
        decode_value(Ld);
        if (lua_isnil(L, -1)) corrupt(Ld, "nil table key");
        if (lua_type(L, -1) == LUA_TNUMBER && !lua_isinteger(L, -1) &&
            lua_tonumber(L, -1) != lua_tonumber(L, -1))
            corrupt(Ld, "NaN table key");
        decode_value(Ld);
        if (lua_isnil(L, -1)) corrupt(Ld, "nil table value");
        lua_rawset(L, t);
    }
    lua_pop(L, 1);
}

/// The first closure that names a cell owns it and receives its value; later ones
/// are joined to the owner's upvalue, so the variable stays shared.
static void load_upvalue(Loader *Ld, int f, int i) {
    lua_State *L = Ld->L;
    uint64_t cell = rd_varint(Ld);
    if (cell == (uint64_t)Ld->ncells + 1) {
        Ld->ncells++;
        lua_pushvalue(L, f);
        lua_rawseti(L, Ld->cells, 2 * (lua_Integer)cell - 1);
        lua_pushinteger(L, i);
        lua_rawseti(L, Ld->cells, 2 * (lua_Integer)cell);
        decode_value(Ld);
        lua_setupvalue(L, f, i);
        return;
    }
    if (cell == 0 || cell > (uint64_t)Ld->ncells) corrupt(Ld, "upvalue cell out of range");
    lua_rawgeti(L, Ld->cells, 2 * (lua_Integer)cell - 1);
    int owner = lua_gettop(L);
    int n = (int)geti_integer(L, Ld->cells, 2 * (lua_Integer)cell);
    lua_upvaluejoin(L, f, i, owner, n);
    lua_pop(L, 1);
}

static void load_upvalues(Loader *Ld) {
    lua_State *L = Ld->L;
    lua_Integer id = rd_id(Ld, S_CLOSURE);
    if (Ld->kinds[id] & F_FILLED) corrupt(Ld, "upvalues set twice");
    Ld->kinds[id] |= F_FILLED;
    uint64_t n = rd_varint(Ld);
    lua_rawgeti(L, Ld->objs, id);
    int f = lua_gettop(L);
    if (n != (uint64_t)function_nups(L, f)) corrupt(Ld, "upvalue count differs from the prototype");
    for (int i = 1; i <= (int)n; i++) load_upvalue(Ld, f, i);
    lua_pop(L, 1);
}

static void load_records(Loader *Ld) {
    for (;;) {
        switch (rd_byte(Ld)) {
            case R_END:
                if (Ld->pos != Ld->end) corrupt(Ld, "bytes after the end record");
                return;
            case R_META: load_meta(Ld); break;
            case R_ENTRIES: load_entries(Ld); break;
            case R_UPVALS: load_upvalues(Ld); break;
            default: corrupt(Ld, "unknown record");
        }
    }
}

static void finish_load(Loader *Ld) {
    lua_State *L = Ld->L;
    for (lua_Integer id = 1; id <= Ld->nobj; id++)
        if (KIND(Ld->kinds[id]) == S_CLOSURE && !(Ld->kinds[id] & F_FILLED))
            corrupt(Ld, "a closure has no upvalue record");
    for (lua_Integer i = 1; i <= Ld->nmetas; i++) {
        lua_rawgeti(L, Ld->metas, 2 * i - 1);
        lua_rawgeti(L, Ld->metas, 2 * i);
        lua_setmetatable(L, -2);
        lua_pop(L, 1);
    }
}

static void loader_init(Loader *Ld, lua_State *L, const char *s, size_t len) {
    memset(Ld, 0, sizeof *Ld);
    Ld->L = L;
    Ld->p = (const unsigned char *)s;
    Ld->inv = 2;
    if (len < P_MAGIC_LEN + 1 + P_SUMLEN || memcmp(s, P_MAGIC, P_MAGIC_LEN) != 0)
        luaL_error(L, "persist: not a persist blob");
    Ld->end = len - P_SUMLEN;
    if (fnv1a(FNV_OFFSET, s, Ld->end) != get_u64le(Ld->p + Ld->end))
        luaL_error(L, "persist: checksum mismatch: the data is truncated or corrupt");
    Ld->pos = P_MAGIC_LEN;
    if (rd_byte(Ld) != P_VERSION) luaL_error(L, "persist: unsupported format version");
    if (rd_varint(Ld) != LUA_VERSION_NUM) luaL_error(L, "persist: blob made by another Lua version");
    Ld->nobj = (lua_Integer)rd_count(Ld, 1);
    Ld->budget = (Ld->end - Ld->pos) / 2;   /* every table entry takes >= 2 bytes */
    Ld->kinds = lua_newuserdatauv(L, (size_t)Ld->nobj + 1, 0);
    memset(Ld->kinds, 0, (size_t)Ld->nobj + 1);
    Ld->objs = push_new_table(L);
    Ld->cells = push_new_table(L);
    Ld->metas = push_new_table(L);
}

static int load_body(lua_State *L) {
    Loader Ld;
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    luaL_checkstack(L, 32, "persist");   /* the load's own depth is bounded */
    loader_init(&Ld, L, s, len);
    load_shells(&Ld);
    decode_value(&Ld);
    Ld.root = lua_gettop(L);
    load_records(&Ld);
    finish_load(&Ld);
    lua_pushvalue(L, Ld.root);
    return 1;
}

// ================================================================ entry points

/// Runs body with the collector stopped. A finalizer is Lua code, and the
/// collector runs finalizers at any allocation: one could change a table in the
/// middle of the walk, or clear a weak table under it. It also spares both walks
/// the incremental collection of a heap they are only reading or building. The
/// collector restarts whatever happens; an error is re-raised (lua_error keeps a
/// memory error a memory error).
static int with_gc_stopped(lua_State *L, lua_CFunction body) {
    int running = lua_gc(L, LUA_GCISRUNNING);
    lua_gc(L, LUA_GCSTOP);
    lua_pushcfunction(L, body);
    lua_insert(L, 1);
    int status = lua_pcall(L, lua_gettop(L) - 1, 1, 0);
    if (running) lua_gc(L, LUA_GCRESTART);
    if (status != LUA_OK) return lua_error(L);
    return 1;
}

int clua_persist_dump(lua_State *L) {
    return with_gc_stopped(L, dump_body);
}

int clua_persist_load(lua_State *L) {
    return with_gc_stopped(L, load_body);
}
