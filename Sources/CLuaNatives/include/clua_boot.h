#ifndef CLUA_BOOT_H
#define CLUA_BOOT_H
// Booting the prelude in one protected call, from bytecode the host compiled once per
// program (the other half of a cheap spawn, the module's own text, is the chunk
// cache's: clua_chunkcache.h).
#include <stddef.h>
#include <stdint.h>

typedef struct clua_vm clua_vm;
typedef struct clua_buffer clua_buffer;

/// A chunk of bytecode from clua_vm_compile, registered under `name`.
typedef struct clua_chunk {
    const char *name;
    const char *bytes;
    size_t length;
} clua_chunk;

/// The prelude as the host compiled it: the modules registered as package.preload
/// entries (in order), then `runner`, called with no arguments. The collector is
/// stopped meanwhile (nothing the prelude makes is garbage, so marking it while it
/// grows is wasted) and restarted after, whatever the outcome. `budget` bounds the
/// runner's instructions as clua_vm_exec would.
int clua_vm_boot(clua_vm *vm, const clua_chunk *modules, size_t count, clua_chunk runner,
                 int64_t budget, clua_buffer *error);

/// The texts of the prelude's libraries (name, text), kept once for the program:
/// `require("starlane.native").preludeLibrary(name)` returns one, so the boot chunk's
/// lazy loaders need not carry the texts in every heap. The first call sets them;
/// later ones change nothing. Returns 0, or -1 when out of memory.
int clua_prelude_libraries_set(const clua_chunk *texts, size_t count);

#endif
