// `starlane.native`: digests backed by OpenSSL's libcrypto, for the `.crypto` module,
// the outgoing message builder of ao.send (outgoing.c), and the texts of the prelude's
// libraries, which processes load on first require (libraries.c).
#include <openssl/evp.h>
#include "vm_internal.h"

/// Pushes the raw digest of the string argument with the given algorithm.
static int push_digest(lua_State *L, const EVP_MD *md) {
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!EVP_Digest(s, n, out, &length, md, NULL))
        return luaL_error(L, "digest failed");
    lua_pushlstring(L, (const char *)out, length);
    return 1;
}

static int native_sha256(lua_State *L) { return push_digest(L, EVP_sha256()); }
static int native_sha1(lua_State *L) { return push_digest(L, EVP_sha1()); }
static int native_md5(lua_State *L) { return push_digest(L, EVP_md5()); }

int clua_open_native(lua_State *L) {
    static const luaL_Reg functions[] = {
        {"sha256", native_sha256},
        {"sha1", native_sha1},
        {"md5", native_md5},
        {NULL, NULL},
    };
    luaL_newlib(L, functions);
    clua_register_outgoing(L);
    clua_register_prelude_libraries(L);
    return 1;
}
