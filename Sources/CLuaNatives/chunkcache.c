// The program-wide cache of compiled text chunks (clua_chunkcache.h).
//
// Entries are only ever added, never changed or freed, so a pointer found under the
// lock stays valid after it is released: lua_load reads the bytecode without holding
// the lock. A lookup costs a hash of the text (FNV-1a) and one comparison; a parse of
// a library of a few KB costs a hundred times that.
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "clua_chunkcache.h"
#include "chunkcache_internal.h"

typedef struct entry {
    struct entry *next;
    uint64_t hash;
    size_t text_length, name_length, code_length;
    char *text, *name, *code;
} entry;

#define BUCKETS 1024

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static entry *buckets[BUCKETS];
static clua_chunk_cache_stats stats;
static _Thread_local long hits_on_this_thread;

static uint64_t fnv1a(uint64_t h, const char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static uint64_t key_hash(const char *text, size_t text_length, const char *name, size_t name_length) {
    uint64_t h = fnv1a(14695981039346656037ull, name, name_length);
    h = fnv1a(h ^ 0xff, text, text_length);
    return h;
}

static const entry *find(uint64_t hash, const char *text, size_t text_length, const char *name,
                         size_t name_length) {
    for (const entry *e = buckets[hash % BUCKETS]; e; e = e->next) {
        if (e->hash == hash && e->text_length == text_length && e->name_length == name_length &&
            memcmp(e->name, name, name_length) == 0 && memcmp(e->text, text, text_length) == 0)
            return e;
    }
    return NULL;
}

int clua_chunk_cache_find(const char *text, size_t text_length, const char *name, size_t name_length,
                          const char **code, size_t *code_length) {
    if (text_length < CLUA_CHUNK_CACHE_MIN_TEXT) return 0;
    uint64_t hash = key_hash(text, text_length, name, name_length);
    pthread_mutex_lock(&lock);
    const entry *e = find(hash, text, text_length, name, name_length);
    if (e) stats.hits++;
    pthread_mutex_unlock(&lock);
    if (!e) return 0;
    hits_on_this_thread++;
    *code = e->code;
    *code_length = e->code_length;
    return 1;
}

static char *copy(const char *p, size_t n) {
    char *c = malloc(n ? n : 1);
    if (c) memcpy(c, p, n);
    return c;
}

void clua_chunk_cache_store(const char *text, size_t text_length, const char *name, size_t name_length,
                            const char *code, size_t code_length) {
    if (text_length < CLUA_CHUNK_CACHE_MIN_TEXT) return;
    size_t size = text_length + name_length + code_length + sizeof(entry);
    uint64_t hash = key_hash(text, text_length, name, name_length);
    pthread_mutex_lock(&lock);
    if (stats.bytes + size > CLUA_CHUNK_CACHE_MAX_BYTES ||
        find(hash, text, text_length, name, name_length)) {  /* full, or another thread was first */
        pthread_mutex_unlock(&lock);
        return;
    }
    entry *e = calloc(1, sizeof *e);
    char *t = copy(text, text_length), *n = copy(name, name_length), *c = copy(code, code_length);
    if (!e || !t || !n || !c) {
        pthread_mutex_unlock(&lock);
        free(e), free(t), free(n), free(c);
        return;
    }
    *e = (entry){buckets[hash % BUCKETS], hash, text_length, name_length, code_length, t, n, c};
    buckets[hash % BUCKETS] = e;
    stats.stored++;
    stats.bytes += size;
    pthread_mutex_unlock(&lock);
}

clua_chunk_cache_stats clua_chunk_cache_statistics(void) {
    pthread_mutex_lock(&lock);
    clua_chunk_cache_stats now = stats;
    pthread_mutex_unlock(&lock);
    return now;
}

long clua_chunk_cache_hits_on_this_thread(void) { return hits_on_this_thread; }

int clua_chunk_cache_holds(const char *text, size_t text_length, const char *name, size_t name_length) {
    uint64_t hash = key_hash(text, text_length, name, name_length);
    pthread_mutex_lock(&lock);
    int found = find(hash, text, text_length, name, name_length) != NULL;
    pthread_mutex_unlock(&lock);
    return found;
}
