#ifndef CLUA_VM_INTERNAL_H
#define CLUA_VM_INTERNAL_H
// Shared between the C files of CLuaNatives; not part of the Swift-facing API.
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include "clua_natives.h"
#include "clua_arena.h"
#include <signal.h>

/// The hook fires every HOOK_INTERVAL VM instructions; the budget is counted in
/// these steps, so it is exact to within one interval.
#define CLUA_HOOK_INTERVAL 1000

struct clua_vm {
    lua_State *L;
    size_t used;              ///< bytes currently allocated by this state
    size_t limit;             ///< the cap; 0 = none
    int64_t executed;         ///< instructions counted by the hook, ever
    int64_t call_start;       ///< `executed` when the current call began
    int64_t budget;           ///< instructions allowed in the current call; <= 0: none
    int budget_exhausted;     ///< sticky for the call: every later hook raises again
    /* Counting (docs/RUNTIME.md): a call runs with the count hook or without it. */
    int counting;             ///< the current call counts instructions
    int always_count;         ///< os.clock was read uncounted: count every later call
    volatile sig_atomic_t needs_count;  ///< sticky for the call: it must be rerun counting
    lua_State *volatile running;        ///< the thread running now (an interrupt hooks it)
    uintptr_t call_number;    ///< threads are stamped with it when first run in a call
    int memory_exceeded;      ///< sticky for the call: a memory error was caught
    int syntax_error;         ///< the call failed compiling its chunk
    int64_t time;             ///< what os.time() returns
    char *scratch;            ///< the packed result of the last clua_vm_handle (host memory)
    size_t scratch_length;
    size_t scratch_capacity;
    clua_arena arena;         ///< the state's small blocks (arena.c)
};

/// Adds native.message and native.rootTags (outgoing.c) to the table on the stack.
void clua_register_outgoing(lua_State *L);

/// Adds native.preludeLibrary (libraries.c) to the table on the stack.
void clua_register_prelude_libraries(lua_State *L);

/// The vm that owns L (it is the allocator's userdata, shared by all threads).
static inline clua_vm *clua_vm_of(lua_State *L) {
    void *ud = NULL;
    lua_getallocf(L, &ud);
    return (clua_vm *)ud;
}

/// True when the current call must not go on: sandbox wrappers of pcall and
/// coroutine.resume re-raise instead of letting user code swallow the error.
static inline int clua_vm_must_unwind(const clua_vm *vm) {
    return vm->budget_exhausted || vm->memory_exceeded || vm->needs_count;
}

/// Before `co` runs in the current call (a resume): makes it the running thread and
/// gives it the call's hook. Returns the thread to hand back to clua_vm_leave.
lua_State *clua_vm_enter(clua_vm *vm, lua_State *co);

/// After the thread entered last stopped running (returned, yielded or failed).
void clua_vm_leave(clua_vm *vm, lua_State *previous);

/// Stops the current uncounted call at its next instruction, in whichever thread:
/// it must be rerun counting. Safe in a signal handler on the call's thread.
void clua_vm_interrupt(clua_vm *vm);

int clua_sandbox_install(lua_State *L);   /* lua_CFunction, under pcall */

/// Runs `fn` under pcall with a traceback handler and `nargs` light-userdata
/// arguments already pushed; copies the single result or the error to *result.
int clua_vm_protected(clua_vm *vm, lua_CFunction fn, int nargs, int64_t budget, clua_buffer *result);

/// As clua_vm_protected; with `counted` 0 the call may run without the count hook
/// (CLUA_ERRCOUNT then means: roll back and call again counted).
int clua_vm_protected_mode(clua_vm *vm, lua_CFunction fn, int nargs, int64_t budget, int counted,
                           clua_buffer *result);

/// Pushes the value at a dotted global path ("a.b.c"), raising if a step is not a table.
void clua_push_global_path(lua_State *L, const char *path);
#endif
