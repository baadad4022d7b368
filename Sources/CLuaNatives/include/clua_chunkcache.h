#ifndef CLUA_CHUNKCACHE_H
#define CLUA_CHUNKCACHE_H
// Text chunks compiled once per program. A process's `load` of a text it has seen
// before (any process, any thread) under the same chunk name gets the bytecode the
// parser made of it the first time: the same function, debug info and all. Modules
// that bundle their libraries as text (`load([==[...]==], "=rules/grid.lua")`, what
// GameBundle makes) would otherwise parse every library again in every process they
// spawn. docs/RUNTIME.md.
#include <stddef.h>

/// Texts shorter than this are parsed every time: parsing them costs less than the
/// hashing and copying a cache entry does, and it keeps one-line Evals out.
#define CLUA_CHUNK_CACHE_MIN_TEXT 512
/// The cache keeps at most this many bytes (texts and bytecode); past it, new texts
/// are parsed and not kept, so a process feeding endless distinct texts cannot grow it.
#define CLUA_CHUNK_CACHE_MAX_BYTES (64u << 20)

/// Counters since the program started (tests, diagnostics).
typedef struct clua_chunk_cache_stats {
    long hits;
    long stored;
    size_t bytes;
} clua_chunk_cache_stats;

clua_chunk_cache_stats clua_chunk_cache_statistics(void);
/// Loads the cache served on the calling thread, ever (tests: a state runs on one thread).
long clua_chunk_cache_hits_on_this_thread(void);
/// Whether the cache holds this text under this chunk name (no hit is counted).
int clua_chunk_cache_holds(const char *text, size_t text_length, const char *name, size_t name_length);

#endif
