#ifndef CLUA_BOOT_H
#define CLUA_BOOT_H
// The two halves of making a process cheaper to spawn: booting the prelude in one
// protected call, and handing `load` the host's compiled bytecode of the module it is
// about to load from text (so the spawn message skips the parser).
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

/// What the host knows about the chunk a process's `load` is about to get: its exact
/// text, the chunk name it will be loaded under, and the bytecode clua_vm_compile made
/// of that text under that name. While set (on this thread), a `load` of exactly that
/// text and chunk name loads the bytecode instead: the same function, debug info and
/// all, without parsing. Anything else loads as text. The pointers must stay valid
/// until clua_load_hint_clear.
typedef struct clua_load_hint {
    const char *source;
    size_t source_length;
    const char *chunkname;
    const char *bytecode;
    size_t bytecode_length;
} clua_load_hint;

/// Sets the hint for this thread (one state runs on one thread at a time).
void clua_load_hint_set(const clua_load_hint *hint);
void clua_load_hint_clear(void);
/// How many loads a hint has served on this thread, ever (tests).
long clua_load_hint_served(void);

#endif
