// The texts of the prelude's libraries (.bint, .crypto, .utils, ...), one copy for the
// program: the boot chunk's lazy loaders ask for one by name on its first require
// (`native.preludeLibrary`), so no heap or snapshot carries a library it never loaded.
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "vm_internal.h"

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

void clua_register_prelude_libraries(lua_State *L) {
    lua_pushcfunction(L, native_prelude_library);
    lua_setfield(L, -2, "preludeLibrary");
}
