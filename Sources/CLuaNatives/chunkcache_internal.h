#ifndef CLUA_CHUNKCACHE_INTERNAL_H
#define CLUA_CHUNKCACHE_INTERNAL_H
// The cache's entry points for the sandbox's `load` (sandbox.c); not Swift-facing.
#include <stddef.h>

/// The bytecode stored for exactly this text under exactly this chunk name: 1 and the
/// bytes (valid for the rest of the program), or 0.
int clua_chunk_cache_find(const char *text, size_t text_length, const char *name, size_t name_length,
                          const char **code, size_t *code_length);

/// Keeps the bytecode of a text that compiled (copies everything). Does nothing for a
/// short text, a text already kept, or when the cache is full.
void clua_chunk_cache_store(const char *text, size_t text_length, const char *name, size_t name_length,
                            const char *code, size_t code_length);

#endif
