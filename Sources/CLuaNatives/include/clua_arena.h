// Each Lua state's own heap for small blocks (see arena.c). Public for its tests.
#ifndef CLUA_ARENA_H
#define CLUA_ARENA_H

#include <stddef.h>

/// Blocks up to this many bytes come from the arena; larger ones from malloc.
#define CLUA_ARENA_MAX_SMALL 512
#define CLUA_ARENA_GRAIN 16
#define CLUA_ARENA_CLASSES (CLUA_ARENA_MAX_SMALL / CLUA_ARENA_GRAIN)

typedef struct clua_arena_chunk clua_arena_chunk;

typedef struct clua_arena {
    void *free_lists[CLUA_ARENA_CLASSES];  ///< freed blocks, one list per size class
    char *bump, *bump_end;                 ///< the unused tail of the newest chunk
    clua_arena_chunk *chunks;              ///< every chunk, released together
    size_t chunk_bytes;                    ///< bytes of all chunks (what the arena holds)
} clua_arena;

/// Lua's allocator contract (lua_Alloc), minus the accounting: `osize` is the
/// block's size when `ptr` is not NULL. Returns NULL when out of memory.
void *clua_arena_realloc(clua_arena *arena, void *ptr, size_t osize, size_t nsize);

/// Releases every chunk. Only after the state that used the arena is closed.
void clua_arena_release(clua_arena *arena);

#endif
