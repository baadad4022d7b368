// The `json` module: a strict JSON codec whose output is deterministic. Objects are
// written with keys in sorted order, floats in their shortest round-trip form, so
// the same value always encodes to the same bytes (results and hashes rely on it).
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vm_internal.h"

#define JSON_MAX_DEPTH 200

// ---------------------------------------------------------------- output buffer

/// A growable byte buffer in a userdata, allocated with the state's allocator so
/// it counts against the memory cap, and freed by __gc if an error unwinds past it.
/// (luaL_Buffer cannot be used: it needs the stack top while we recurse.)
typedef struct jbuf {
    lua_State *L;
    char *data;
    size_t length, capacity;
} jbuf;

static int jbuf_gc(lua_State *L) {
    jbuf *b = lua_touserdata(L, 1);
    void *ud;
    lua_Alloc alloc = lua_getallocf(L, &ud);
    if (b->data) alloc(ud, b->data, b->capacity, 0);
    b->data = NULL;
    return 0;
}

/// Frees the buffer at idx early (the __gc would do it later).
static void jbuf_gc_now(lua_State *L, int idx) {
    lua_pushcfunction(L, jbuf_gc);
    lua_pushvalue(L, idx);
    lua_call(L, 1, 0);
}

static jbuf *jbuf_push(lua_State *L) {
    jbuf *b = lua_newuserdatauv(L, sizeof *b, 0);
    memset(b, 0, sizeof *b);
    b->L = L;
    if (luaL_newmetatable(L, "starlane.jsonbuffer")) {
        lua_pushcfunction(L, jbuf_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return b;
}

static void jbuf_add(jbuf *b, const char *s, size_t n) {
    if (b->length + n > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 256;
        while (capacity < b->length + n) capacity *= 2;
        void *ud;
        lua_Alloc alloc = lua_getallocf(b->L, &ud);
        char *data = alloc(ud, b->data, b->data ? b->capacity : 0, capacity);
        if (!data) luaL_error(b->L, "json: not enough memory for the output");
        b->data = data;
        b->capacity = capacity;
    }
    memcpy(b->data + b->length, s, n);
    b->length += n;
}

static void jbuf_addstring(jbuf *b, const char *s) { jbuf_add(b, s, strlen(s)); }
static void jbuf_addchar(jbuf *b, char c) { jbuf_add(b, &c, 1); }

// ---------------------------------------------------------------- encoding

static void encode_value(lua_State *L, jbuf *b, int idx, int depth);

/// Appends a JSON string. Valid UTF-8 passes through; an invalid byte is written
/// as \u00XX (its Latin-1 reading) so the output is always valid JSON.
static void encode_string(jbuf *b, const char *s, size_t n) {
    jbuf_addchar(b, '"');
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        int valid = len > 0 && i + len <= n;
        for (size_t k = 1; valid && k < len; k++)
            valid = ((unsigned char)s[i + k] >> 6) == 2;
        if (c == '"' || c == '\\') {
            jbuf_addchar(b, '\\');
            jbuf_addchar(b, (char)c);
        } else if (c == '\n') jbuf_addstring(b, "\\n");
        else if (c == '\r') jbuf_addstring(b, "\\r");
        else if (c == '\t') jbuf_addstring(b, "\\t");
        else if (c < 0x20 || c == 0x7f || !valid) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", c);
            jbuf_addstring(b, esc);
            i++;
            continue;
        } else {
            jbuf_add(b, s + i, len);
            i += len;
            continue;
        }
        i++;
    }
    jbuf_addchar(b, '"');
}

/// Shortest of %.15g..%.17g that reads back to the same double; keeps a ".0" so
/// a float stays a float when decoded.
static void encode_float(lua_State *L, jbuf *b, double x) {
    if (!isfinite(x)) luaL_error(L, "json: cannot encode %s", isnan(x) ? "NaN" : "infinity");
    char out[40];
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(out, sizeof out, "%.*g", precision, x);
        if (strtod(out, NULL) == x) break;
    }
    jbuf_addstring(b, out);
    if (!strpbrk(out, ".eE")) jbuf_addstring(b, ".0");
}

/// A table is an array when its keys are exactly 1..n; the empty table is "[]".
static lua_Integer array_length(lua_State *L, int idx) {
    lua_Integer count = 0, max = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1) {
            lua_pop(L, 1);
            return -1;
        }
        lua_Integer k = lua_tointeger(L, -1);
        if (k > max) max = k;
        count++;
    }
    return count == max ? max : -1;
}

static void encode_array(lua_State *L, jbuf *b, int idx, lua_Integer n, int depth) {
    jbuf_addchar(b, '[');
    for (lua_Integer i = 1; i <= n; i++) {
        if (i > 1) jbuf_addchar(b, ',');
        lua_rawgeti(L, idx, i);
        encode_value(L, b, lua_gettop(L), depth + 1);
        lua_pop(L, 1);
    }
    jbuf_addchar(b, ']');
}

/// Objects: string keys (numbers are written as their string form), sorted bytewise.
static void encode_object(lua_State *L, jbuf *b, int idx, int depth) {
    lua_createtable(L, 0, 0);  /* key string -> original key */
    int names = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        int kt = lua_type(L, -1);
        if (kt != LUA_TSTRING && kt != LUA_TNUMBER)
            luaL_error(L, "json: cannot encode a table with a %s key", lua_typename(L, kt));
        lua_pushvalue(L, -1);
        const char *name = lua_tostring(L, -1);  /* converts the copy only */
        lua_pushvalue(L, -1);
        if (lua_rawget(L, names) != LUA_TNIL)
            luaL_error(L, "json: key '%s' appears both as a number and a string", name);
        lua_pop(L, 1);
        lua_pushvalue(L, -2);
        lua_rawset(L, names);
    }
    clua_sorted_keys(L, names);
    int sorted = lua_gettop(L);
    lua_Integer n = (lua_Integer)lua_rawlen(L, sorted);
    jbuf_addchar(b, '{');
    for (lua_Integer i = 1; i <= n; i++) {
        if (i > 1) jbuf_addchar(b, ',');
        lua_rawgeti(L, sorted, i);
        size_t len;
        const char *name = lua_tolstring(L, -1, &len);
        encode_string(b, name, len);
        jbuf_addchar(b, ':');
        lua_rawget(L, names);      /* the original key */
        lua_rawget(L, idx);        /* its value */
        encode_value(L, b, lua_gettop(L), depth + 1);
        lua_pop(L, 1);
    }
    jbuf_addchar(b, '}');
    lua_pop(L, 2);
}

static void encode_value(lua_State *L, jbuf *b, int idx, int depth) {
    if (depth > JSON_MAX_DEPTH) luaL_error(L, "json: nesting deeper than %d (a cycle?)", JSON_MAX_DEPTH);
    luaL_checkstack(L, 8, "json: nesting too deep");
    switch (lua_type(L, idx)) {
    case LUA_TNIL: jbuf_addstring(b, "null"); break;
    case LUA_TBOOLEAN: jbuf_addstring(b, lua_toboolean(L, idx) ? "true" : "false"); break;
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) {
            char out[32];
            snprintf(out, sizeof out, LUA_INTEGER_FMT, (LUAI_UACINT)lua_tointeger(L, idx));
            jbuf_addstring(b, out);
        } else encode_float(L, b, (double)lua_tonumber(L, idx));
        break;
    case LUA_TSTRING: {
        size_t n;
        const char *s = lua_tolstring(L, idx, &n);
        encode_string(b, s, n);
        break;
    }
    case LUA_TTABLE: {
        lua_Integer n = array_length(L, idx);
        if (n >= 0) encode_array(L, b, idx, n, depth);
        else encode_object(L, b, idx, depth);
        break;
    }
    default:
        luaL_error(L, "json: cannot encode a %s", luaL_typename(L, idx));
    }
}

/// json.encode(value) -> string
int clua_json_encode(lua_State *L) {
    luaL_checkany(L, 1);
    lua_settop(L, 1);
    jbuf *b = jbuf_push(L);
    encode_value(L, b, 1, 0);
    lua_pushlstring(L, b->data ? b->data : "", b->length);
    jbuf_gc_now(L, 2);
    return 1;
}

// ---------------------------------------------------------------- decoding

typedef struct jreader {
    lua_State *L;
    const char *start, *p, *end;
} jreader;

/// Raises "json: <what> at line L, column C".
static int jfail(jreader *r, const char *what) {
    int line = 1, column = 1;
    for (const char *q = r->start; q < r->p && q < r->end; q++) {
        if (*q == '\n') { line++; column = 1; } else column++;
    }
    return luaL_error(r->L, "json: %s at line %d, column %d", what, line, column);
}

static void skip_space(jreader *r) {
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static void expect_word(jreader *r, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0) jfail(r, "unexpected character");
    r->p += n;
}

static unsigned hex4(jreader *r) {
    if (r->end - r->p < 4) jfail(r, "truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = *r->p++;
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else jfail(r, "invalid \\u escape");
    }
    return v;
}

static void add_utf8(jbuf *b, unsigned cp) {
    char out[4];
    size_t n;
    if (cp < 0x80) { out[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { out[0] = (char)(0xC0 | cp >> 6); out[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12); out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        out[0] = (char)(0xF0 | cp >> 18); out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    jbuf_add(b, out, n);
}

static unsigned read_escape_codepoint(jreader *r) {
    unsigned cp = hex4(r);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u') jfail(r, "unpaired surrogate");
        r->p += 2;
        unsigned low = hex4(r);
        if (low < 0xDC00 || low > 0xDFFF) jfail(r, "invalid surrogate pair");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) jfail(r, "unpaired surrogate");
    return cp;
}

/// Pushes the string that starts at r->p (just after the opening quote).
static void read_string(jreader *r) {
    const char *run = r->p;
    while (r->p < r->end && *r->p != '"' && *r->p != '\\' && (unsigned char)*r->p >= 0x20) r->p++;
    if (r->p < r->end && *r->p == '"') {  /* the common case: no escapes */
        lua_pushlstring(r->L, run, (size_t)(r->p - run));
        r->p++;
        return;
    }
    jbuf *b = jbuf_push(r->L);
    jbuf_add(b, run, (size_t)(r->p - run));
    for (;;) {
        if (r->p >= r->end) jfail(r, "unterminated string");
        unsigned char c = (unsigned char)*r->p++;
        if (c == '"') break;
        if (c < 0x20) { r->p--; jfail(r, "control character in string"); }
        if (c != '\\') { jbuf_addchar(b, (char)c); continue; }
        if (r->p >= r->end) jfail(r, "unterminated string");
        char e = *r->p++;
        switch (e) {
        case '"': case '\\': case '/': jbuf_addchar(b, e); break;
        case 'b': jbuf_addchar(b, '\b'); break;
        case 'f': jbuf_addchar(b, '\f'); break;
        case 'n': jbuf_addchar(b, '\n'); break;
        case 'r': jbuf_addchar(b, '\r'); break;
        case 't': jbuf_addchar(b, '\t'); break;
        case 'u': add_utf8(b, read_escape_codepoint(r)); break;
        default: r->p--; jfail(r, "invalid escape");
        }
    }
    lua_pushlstring(r->L, b->data ? b->data : "", b->length);
    lua_remove(r->L, -2);  /* the buffer; its __gc frees the bytes */
}

/// Numbers without fraction or exponent that fit become integers, others floats.
static void read_number(jreader *r) {
    const char *s = r->p;
    if (r->p < r->end && *r->p == '-') r->p++;
    if (r->p >= r->end || !(*r->p >= '0' && *r->p <= '9')) jfail(r, "invalid number");
    if (*r->p == '0' && r->p + 1 < r->end && r->p[1] >= '0' && r->p[1] <= '9') jfail(r, "leading zero in number");
    int is_float = 0;
    while (r->p < r->end) {
        char c = *r->p;
        if (c >= '0' && c <= '9') r->p++;
        else if (c == '.' || c == 'e' || c == 'E' || c == '+' || (c == '-' && is_float)) { is_float = 1; r->p++; }
        else break;
    }
    char text[64];
    size_t n = (size_t)(r->p - s);
    if (n >= sizeof text) jfail(r, "number too long");
    memcpy(text, s, n);
    text[n] = '\0';
    char *endp;
    if (!is_float) {
        errno = 0;
        long long v = strtoll(text, &endp, 10);
        if (errno == 0 && *endp == '\0') { lua_pushinteger(r->L, (lua_Integer)v); return; }
    }
    double d = strtod(text, &endp);
    if (*endp != '\0' || (text[n - 1] < '0' || text[n - 1] > '9')) { r->p = s; jfail(r, "invalid number"); }
    lua_pushnumber(r->L, (lua_Number)d);
}

static void read_value(jreader *r, int depth);

static void read_array(jreader *r, int depth) {
    lua_newtable(r->L);
    lua_Integer i = 0;
    skip_space(r);
    if (r->p < r->end && *r->p == ']') { r->p++; return; }
    for (;;) {
        read_value(r, depth + 1);
        lua_rawseti(r->L, -2, ++i);  /* null leaves a hole, as in Lua */
        skip_space(r);
        if (r->p >= r->end) jfail(r, "unterminated array");
        char c = *r->p++;
        if (c == ']') return;
        if (c != ',') { r->p--; jfail(r, "expected ',' or ']'"); }
    }
}

static void read_object(jreader *r, int depth) {
    lua_newtable(r->L);
    skip_space(r);
    if (r->p < r->end && *r->p == '}') { r->p++; return; }
    for (;;) {
        skip_space(r);
        if (r->p >= r->end || *r->p != '"') jfail(r, "expected a string key");
        r->p++;
        read_string(r);
        skip_space(r);
        if (r->p >= r->end || *r->p != ':') jfail(r, "expected ':'");
        r->p++;
        read_value(r, depth + 1);
        lua_rawset(r->L, -3);
        skip_space(r);
        if (r->p >= r->end) jfail(r, "unterminated object");
        char c = *r->p++;
        if (c == '}') return;
        if (c != ',') { r->p--; jfail(r, "expected ',' or '}'"); }
    }
}

static void read_value(jreader *r, int depth) {
    if (depth > JSON_MAX_DEPTH) jfail(r, "nesting too deep");
    luaL_checkstack(r->L, 6, "json: nesting too deep");
    skip_space(r);
    if (r->p >= r->end) jfail(r, "unexpected end of input");
    switch (*r->p) {
    case '{': r->p++; read_object(r, depth); break;
    case '[': r->p++; read_array(r, depth); break;
    case '"': r->p++; read_string(r); break;
    case 't': expect_word(r, "true"); lua_pushboolean(r->L, 1); break;
    case 'f': expect_word(r, "false"); lua_pushboolean(r->L, 0); break;
    case 'n': expect_word(r, "null"); lua_pushnil(r->L); break;
    default:
        if (*r->p != '-' && !(*r->p >= '0' && *r->p <= '9')) jfail(r, "unexpected character");
        read_number(r);
    }
}

/// json.decode(text) -> value (null becomes nil)
int clua_json_decode(lua_State *L) {
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    jreader r = {L, s, s, s + n};
    read_value(&r, 0);
    skip_space(&r);
    if (r.p != r.end) jfail(&r, "unexpected trailing characters");
    return 1;
}

int clua_open_json(lua_State *L) {
    static const luaL_Reg functions[] = {
        {"encode", clua_json_encode},
        {"decode", clua_json_decode},
        {NULL, NULL},
    };
    luaL_newlib(L, functions);
    return 1;
}
