#ifndef CLUA_NATIVES_H
#define CLUA_NATIVES_H
// The C half of LuaVM. Every function here that touches Lua runs its work under
// lua_pcall, so a Lua error never longjmps through a Swift frame: Swift only ever
// sees the status codes below and copied-out strings.
#include <stddef.h>
#include <stdint.h>
#include <lua5.4/lua.h>
#include "clua_keyorder.h"
#include "clua_persist.h"
#include "clua_boot.h"
#include "clua_chunkcache.h"

/// Status codes Swift sees. The first ones equal Lua's own (LUA_OK, LUA_ERRRUN, ...).
enum {
    CLUA_OK = 0,
    CLUA_ERRRUN = 2,
    CLUA_ERRSYNTAX = 3,
    CLUA_ERRMEM = 4,
    CLUA_ERRERR = 5,
    CLUA_ERRBUDGET = 10,   ///< the per-call instruction budget ran out
    CLUA_ERRMEMLIMIT = 11, ///< the state's memory cap was hit
    CLUA_ERRCOUNT = 12,    ///< an uncounted call must be rerun counting (state: roll it back)
};

/// One sandboxed Lua state with its allocator accounting and instruction counter.
typedef struct clua_vm clua_vm;

/// A result or error string handed to Swift; free it with clua_buffer_free.
typedef struct clua_buffer {
    char *data;
    size_t length;
} clua_buffer;

void clua_buffer_free(clua_buffer *buffer);

/// Creates a state with the safe standard libraries, the sandbox, `json`,
/// `starlane.native` and the deterministic `pairs`. NULL when out of memory or when
/// `memory_limit` is too small for the libraries; *error receives why.
clua_vm *clua_vm_new(size_t memory_limit, clua_buffer *error);
void clua_vm_free(clua_vm *vm);

size_t clua_vm_memory_used(const clua_vm *vm);
size_t clua_vm_memory_limit(const clua_vm *vm);
void clua_vm_set_memory_limit(clua_vm *vm, size_t limit);
/// Instructions the last call ran (granularity: the hook interval); 0 when it ran uncounted.
int64_t clua_vm_last_instructions(const clua_vm *vm);
/// 1 once user code read os.clock in an uncounted call: every later call of this vm
/// counts, and a host that replaces the vm (a rollback) should ask for counting too.
int clua_vm_wants_counting(const clua_vm *vm);

/// Registers Lua source as package.preload[name] (compiled now, run on require).
int clua_vm_preload(clua_vm *vm, const char *name, const char *source, size_t length,
                    clua_buffer *error);

/// Compiles Lua source as clua_vm_preload would and returns its bytecode (lua_dump,
/// not stripped) in *result: the host compiles its own modules once and loads the
/// bytes into every state, which is several times faster than parsing.
int clua_vm_compile(clua_vm *vm, const char *name, const char *source, size_t length,
                    clua_buffer *result);

/// Registers bytecode from clua_vm_compile as package.preload[name]. Host-only:
/// user code can never load bytecode (the sandbox's load is text-only).
int clua_vm_preload_binary(clua_vm *vm, const char *name, const char *bytes, size_t length,
                           clua_buffer *error);

/// Runs `source` as a chunk; the first result, if a string or number, is copied to
/// *result (else result->data is NULL).
int clua_vm_exec(clua_vm *vm, const char *source, size_t length, const char *chunkname,
                 int64_t budget, clua_buffer *result);

/// Calls the function at the global path `function_path` ("a.b.c") with the values
/// of the JSON array `args_json`, and JSON-encodes its first result into *result.
/// On failure *result holds the error message (with a traceback for runtime errors).
int clua_vm_call_json(clua_vm *vm, const char *function_path, const char *args_json,
                      size_t args_length, int64_t budget, clua_buffer *result);

/// Stores the process environment (a JSON object) that clua_vm_handle passes to the
/// handler, as package.loaded["starlane.env"], unless the heap (restored from a
/// snapshot) already has one: it is part of the persisted process.
int clua_vm_set_env(clua_vm *vm, const char *env_json, size_t length, clua_buffer *error);

/// Handles one message: sets os.time() to `timestamp`, seeds math.random with
/// (seed, the message's Slot), builds the message table from the packed bytes,
/// calls the function at `function_path` with (message, environment) — `env_json`
/// when not NULL, else the stored one — and packs its result table, which
/// clua_vm_result then returns. Formats: docs/RUNTIME.md. On failure *error
/// holds the reason. `module_source` (only with `env_json`), when not NULL, becomes
/// the environment's Module.Source: a spawn message's module text goes in as one
/// string instead of being escaped into JSON and decoded again.
/// With `counted` 0 the call may run without the instruction-count hook, under the
/// watchdog (docs/RUNTIME.md); CLUA_ERRCOUNT then asks the host to restore the state
/// as it was before the call and to call again with `counted` 1.
int clua_vm_handle(clua_vm *vm, const char *function_path, const char *message, size_t message_length,
                   const char *env_json, size_t env_length, const char *module_source,
                   size_t module_source_length, int64_t seed, int64_t timestamp,
                   int64_t budget, int counted, clua_buffer *error);

/// The packed result of the last successful clua_vm_handle; owned by the vm and
/// valid until its next call.
const char *clua_vm_result(const clua_vm *vm, size_t *length);

/// Seeds math.random (xoshiro256**) with two integers, as math.randomseed(a, b) does.
int clua_vm_seed_random(clua_vm *vm, int64_t a, int64_t b);

/// Sets the value os.time() returns (the current message's timestamp, in ms).
void clua_vm_set_time(clua_vm *vm, int64_t timestamp);

/// Serializes the process heap (globals, package.loaded, package.preload, the string
/// metatable) with persist. The bytes go to *result, or the reason it was refused.
int clua_vm_persist(clua_vm *vm, clua_buffer *result);

/// Replaces the heap of a freshly created vm with one from clua_vm_persist.
int clua_vm_restore(clua_vm *vm, const char *bytes, size_t length, clua_buffer *error);

/// The json codec, also exposed to Lua as the `json` module.
int clua_json_encode(lua_State *L);  /* lua_CFunction: json.encode(value) */
int clua_json_decode(lua_State *L);  /* lua_CFunction: json.decode(text) */
int clua_open_json(lua_State *L);
int clua_open_native(lua_State *L);  /* starlane.native: sha256, sha1, md5 */

/// Benchmark baseline: `iterations` bare lua_pcall calls of a function building a
/// 5-field table; returns elapsed nanoseconds or -1.
int64_t clua_bench_pcall(clua_vm *vm, int64_t iterations);

#endif
