// Each Lua state's own heap for small blocks. A process's objects then sit together
// in its own chunks, allocated in the order it made them, instead of interleaved with
// every other process's in malloc's heap, and a small block costs a list pop instead
// of a malloc call (docs/PERFORMANCE.md, session 5: with the C message builder, a warm
// game message ~15 % cheaper; a cold one less).
//
// Blocks of up to CLUA_ARENA_MAX_SMALL bytes, rounded up to a 16-byte class, are cut
// from 16 KB chunks; a freed block goes on its class's list and is reused for that
// class only. The chunks are kept until the state is closed (hibernating or freeing a
// process), so a state keeps the high-water mark of its small blocks while it lives.
// Larger blocks (stacks, big tables' parts, long strings) go to malloc.
#include <stdlib.h>
#include <string.h>
#include "clua_arena.h"

#define CHUNK_BYTES (16 * 1024)

struct clua_arena_chunk {
    clua_arena_chunk *next;
    size_t pad;  /* keeps the payload 16-byte aligned */
};

static size_t class_of(size_t n) { return (n + CLUA_ARENA_GRAIN - 1) / CLUA_ARENA_GRAIN - 1; }
static size_t class_size(size_t c) { return (c + 1) * CLUA_ARENA_GRAIN; }

static void push_free(clua_arena *a, void *block, size_t c) {
    *(void **)block = a->free_lists[c];
    a->free_lists[c] = block;
}

/// A new chunk becomes the bump region; what was left of the old one is filed as a
/// free block of its own size (every cut is a multiple of 16, so the tail is too).
static int grow(clua_arena *a) {
    clua_arena_chunk *chunk = malloc(CHUNK_BYTES);
    if (!chunk) return 0;
    size_t tail = (size_t)(a->bump_end - a->bump);
    if (tail >= CLUA_ARENA_GRAIN) push_free(a, a->bump, class_of(tail));
    chunk->next = a->chunks;
    a->chunks = chunk;
    a->chunk_bytes += CHUNK_BYTES;
    a->bump = (char *)(chunk + 1);
    a->bump_end = (char *)chunk + CHUNK_BYTES;
    return 1;
}

static void *small_alloc(clua_arena *a, size_t n) {
    size_t c = class_of(n);
    void *block = a->free_lists[c];
    if (block) {
        a->free_lists[c] = *(void **)block;
        return block;
    }
    size_t size = class_size(c);
    if ((size_t)(a->bump_end - a->bump) < size && !grow(a)) return NULL;
    block = a->bump;
    a->bump += size;
    return block;
}

static void *fresh(clua_arena *a, size_t n) {
    return n <= CLUA_ARENA_MAX_SMALL ? small_alloc(a, n) : malloc(n);
}

static void release(clua_arena *a, void *ptr, size_t osize) {
    if (osize <= CLUA_ARENA_MAX_SMALL) push_free(a, ptr, class_of(osize));
    else free(ptr);
}

void *clua_arena_realloc(clua_arena *a, void *ptr, size_t osize, size_t nsize) {
    if (ptr == NULL) return nsize ? fresh(a, nsize) : NULL;
    if (nsize == 0) {
        release(a, ptr, osize);
        return NULL;
    }
    int was_small = osize <= CLUA_ARENA_MAX_SMALL, is_small = nsize <= CLUA_ARENA_MAX_SMALL;
    if (was_small && is_small && class_of(osize) == class_of(nsize)) return ptr;
    if (!was_small && !is_small) {
        void *block = realloc(ptr, nsize);
        return block || nsize > osize ? block : ptr;
    }
    void *block = fresh(a, nsize);
    if (!block) {
        /* Lua keeps the old block when growing fails, and assumes shrinking never
           does: keep the block. (Out of memory only: a malloc'ed block shrunk this way
           later joins a free list and is not returned to malloc until exit.) */
        return nsize > osize ? NULL : ptr;
    }
    memcpy(block, ptr, osize < nsize ? osize : nsize);
    release(a, ptr, osize);
    return block;
}

void clua_arena_release(clua_arena *a) {
    clua_arena_chunk *chunk = a->chunks;
    while (chunk) {
        clua_arena_chunk *next = chunk->next;
        free(chunk);
        chunk = next;
    }
    memset(a, 0, sizeof *a);
}
