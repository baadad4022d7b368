// `starlane.native`: digests backed by OpenSSL's libcrypto, for the `.crypto` module,
// the outgoing message builder of ao.send (outgoing.c), and the texts of the prelude's
// libraries, which processes load on first require.
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
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

// ---------------------------------------------------------------- prelude libraries

/// The library texts, one copy for the program (set once, never freed).
typedef struct library_texts {
    size_t count;
    clua_chunk *texts;
} library_texts;

static _Atomic(library_texts *) libraries;
static pthread_mutex_t libraries_lock = PTHREAD_MUTEX_INITIALIZER;

static char *copy_bytes(const char *bytes, size_t length) {
    char *copy = malloc(length + 1);
    if (copy) { memcpy(copy, bytes, length); copy[length] = '\0'; }
    return copy;
}

int clua_prelude_libraries_set(const clua_chunk *texts, size_t count) {
    pthread_mutex_lock(&libraries_lock);
    int status = 0;
    if (!atomic_load(&libraries)) {
        library_texts *set = calloc(1, sizeof *set);
        clua_chunk *copies = calloc(count ? count : 1, sizeof *copies);
        status = set && copies ? 0 : -1;
        for (size_t i = 0; status == 0 && i < count; i++) {
            char *name = copy_bytes(texts[i].name, strlen(texts[i].name));
            char *bytes = copy_bytes(texts[i].bytes, texts[i].length);
            if (!name || !bytes) { status = -1; break; }
            copies[i] = (clua_chunk){name, bytes, texts[i].length};
        }
        if (status == 0) {
            set->count = count;
            set->texts = copies;
            atomic_store(&libraries, set);
        } else {
            for (size_t i = 0; copies && i < count; i++) {
                free((char *)copies[i].name);
                free((char *)copies[i].bytes);
            }
            free(copies);
            free(set);
        }
    }
    pthread_mutex_unlock(&libraries_lock);
    return status;
}

/// native.preludeLibrary(name): the text of a prelude library (".bint", ...) or nil.
/// The texts stay out of every process's heap until a process requires one.
static int native_prelude_library(lua_State *L) {
    const char *name = luaL_checkstring(L, 1);
    library_texts *set = atomic_load(&libraries);
    for (size_t i = 0; set && i < set->count; i++) {
        if (strcmp(set->texts[i].name, name) == 0) {
            lua_pushlstring(L, set->texts[i].bytes, set->texts[i].length);
            return 1;
        }
    }
    lua_pushnil(L);
    return 1;
}

int clua_open_native(lua_State *L) {
    static const luaL_Reg functions[] = {
        {"sha256", native_sha256},
        {"sha1", native_sha1},
        {"md5", native_md5},
        {"preludeLibrary", native_prelude_library},
        {NULL, NULL},
    };
    luaL_newlib(L, functions);
    clua_register_outgoing(L);
    return 1;
}
