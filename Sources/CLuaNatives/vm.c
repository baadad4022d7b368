// The lifecycle of one sandboxed state and the protected entry points Swift calls.
// Each entry point pushes a C function and runs it with lua_pcall, so every Lua
// error is caught here and turned into a status code plus a copied message.
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <lua5.4/lualib.h>
#include "vm_internal.h"
#include "watchdog_internal.h"

// ---------------------------------------------------------------- allocation

/// The allocator: counts every byte and refuses growth past the cap. Lua then
/// runs an emergency collection and retries before it raises a memory error.
static void *vm_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    clua_vm *vm = (clua_vm *)ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        clua_arena_realloc(&vm->arena, ptr, osize, 0);
        vm->used -= old;
        return NULL;
    }
    if (nsize > old && vm->limit && vm->used - old + nsize > vm->limit)
        return NULL;
    void *block = clua_arena_realloc(&vm->arena, ptr, osize, nsize);
    if (block) vm->used = vm->used - old + nsize;
    return block;
}

// ---------------------------------------------------------------- the budget

static void vm_count_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    clua_vm *vm = clua_vm_of(L);
    vm->executed += CLUA_HOOK_INTERVAL;
    if (vm->budget > 0 && vm->executed - vm->call_start > vm->budget)
        vm->budget_exhausted = 1;
    if (vm->budget_exhausted)
        luaL_error(L, "instruction budget exceeded (%I instructions)", (lua_Integer)vm->budget);
}

/// Installed on the running thread to stop an uncounted call; stays, so the thread
/// it unwinds into stops as well (clua_vm_leave).
static void vm_interrupt_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    clua_vm_of(L)->needs_count = 1;
    luaL_error(L, "stopped: the message is run again counting instructions");
}

void clua_vm_interrupt(clua_vm *vm) {
    vm->needs_count = 1;
    lua_State *running = vm->running;
    if (running) lua_sethook(running, vm_interrupt_hook, LUA_MASKCOUNT, 1);
}

/// Each thread starts counting afresh (a full hook interval) the first time it runs
/// in a call, so what a call counts depends on that call alone: not on the counts
/// left over from earlier calls, which a restored heap would not have.
lua_State *clua_vm_enter(clua_vm *vm, lua_State *co) {
    lua_State *previous = vm->running;
    vm->running = co;
    uintptr_t *stamp = (uintptr_t *)lua_getextraspace(co);
    if (*stamp != vm->call_number) {
        *stamp = vm->call_number;
        if (vm->counting) lua_sethook(co, vm_count_hook, LUA_MASKCOUNT, CLUA_HOOK_INTERVAL);
        else if (lua_gethook(co) != NULL) lua_sethook(co, NULL, 0, 0);
    }
    /* After the stamp: an interrupt that came meanwhile may have been overwritten. */
    if (vm->needs_count) lua_sethook(co, vm_interrupt_hook, LUA_MASKCOUNT, 1);
    return previous;
}

void clua_vm_leave(clua_vm *vm, lua_State *previous) {
    vm->running = previous;
    if (vm->needs_count && previous) lua_sethook(previous, vm_interrupt_hook, LUA_MASKCOUNT, 1);
}

/// Calls with a smaller budget (but not none) always count: their allowance would be
/// shorter than the watchdog's period, and most of them would run twice.
#define CLUA_UNCOUNTED_MIN_BUDGET 10000000

/// Starts a call: counted or not, watched or not. Returns 1 when the watchdog watches it.
static int vm_begin_call(clua_vm *vm, int64_t budget, int counted) {
    vm->call_start = vm->executed;
    vm->budget = budget;
    vm->budget_exhausted = 0;
    vm->memory_exceeded = 0;
    vm->syntax_error = 0;
    vm->needs_count = 0;
    vm->call_number++;
    /* Uncounted only where a deadline is worth it: a small budget is over before the
       watchdog looks, and would be rerun every time. */
    int uncounted = !counted && !vm->always_count && (budget <= 0 || budget >= CLUA_UNCOUNTED_MIN_BUDGET);
    int watched = uncounted && budget > 0 && clua_watchdog_arm(vm, budget);
    vm->counting = !uncounted || (budget > 0 && !watched);
    vm->running = NULL;
    clua_vm_enter(vm, vm->L);
    return watched;
}

/// Ends a call; an uncounted one that outlived its deadline must be rerun.
static void vm_end_call(clua_vm *vm, int watched) {
    if (watched && clua_watchdog_disarm()) vm->needs_count = 1;
    vm->running = NULL;
}

/// Maps a pcall status to what Swift sees, giving the sticky flags precedence:
/// the error text may have been rewritten by user code on its way out.
static int vm_status(clua_vm *vm, int status) {
    if (vm->needs_count) return CLUA_ERRCOUNT;
    /* Before the OK check: a call that got past such an error somehow still failed. */
    if (vm->budget_exhausted) return CLUA_ERRBUDGET;
    if (vm->memory_exceeded || status == LUA_ERRMEM) return CLUA_ERRMEMLIMIT;
    if (status == LUA_OK) return CLUA_OK;
    if (vm->syntax_error) return CLUA_ERRSYNTAX;
    return status;
}

// ---------------------------------------------------------------- buffers

void clua_buffer_free(clua_buffer *buffer) {
    if (!buffer) return;
    free(buffer->data);
    buffer->data = NULL;
    buffer->length = 0;
}

static void buffer_set(clua_buffer *out, const char *s, size_t n) {
    if (!out) return;
    out->data = malloc(n + 1);
    if (!out->data) { out->length = 0; return; }
    memcpy(out->data, s, n);
    out->data[n] = '\0';
    out->length = n;
}

/// Copies the value at the top of the stack (a string, or an error object) to *out.
static void buffer_from_top(lua_State *L, clua_buffer *out, int status) {
    size_t n = 0;
    const char *s = NULL;
    if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER)
        s = lua_tolstring(L, -1, &n);  /* numbers convert in place: no allocation for short ones */
    if (s) buffer_set(out, s, n);
    else if (status == LUA_ERRMEM || status == CLUA_ERRMEMLIMIT) buffer_set(out, "memory limit exceeded", 21);
    else if (status != LUA_OK) buffer_set(out, "error object is not a string", 28);
    else if (out) { out->data = NULL; out->length = 0; }
}

/// Message handler: adds a traceback to string errors, leaves others alone.
static int vm_traceback(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    if (msg) luaL_traceback(L, L, msg, 1);
    return 1;
}

/// Loads a text chunk or raises its error, remembering that it was a syntax error
/// (lua_error inside a protected call would report it as a runtime error).
static void load_or_raise(lua_State *L, const char *source, size_t length, const char *chunkname) {
    int status = luaL_loadbufferx(L, source, length, chunkname, "t");
    if (status == LUA_OK) return;
    if (status == LUA_ERRSYNTAX) clua_vm_of(L)->syntax_error = 1;
    lua_error(L);
}

/// Runs `fn` under pcall with a traceback handler and `nargs` light-userdata
/// arguments already pushed by the caller; copies the single result or the error.
int clua_vm_protected(clua_vm *vm, lua_CFunction fn, int nargs, int64_t budget,
                      clua_buffer *result) {
    return clua_vm_protected_mode(vm, fn, nargs, budget, 1, result);
}

int clua_vm_protected_mode(clua_vm *vm, lua_CFunction fn, int nargs, int64_t budget, int counted,
                           clua_buffer *result) {
    lua_State *L = vm->L;
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, vm_traceback);
    lua_pushcfunction(L, fn);
    lua_rotate(L, base + 1, 2);  /* handler, fn, args... */
    int watched = vm_begin_call(vm, budget, counted);
    int raw = lua_pcall(L, nargs, 1, base + 1);
    vm_end_call(vm, watched);
    int status = vm_status(vm, raw);
    if (status == CLUA_ERRCOUNT) {
        lua_pop(L, 1);
        lua_pushliteral(L, "the call ran uncounted and must run again counting instructions");
    } else if (status == CLUA_ERRBUDGET) {
        lua_pop(L, 1);
        lua_pushfstring(L, "instruction budget exceeded (%I instructions)", (lua_Integer)budget);
    } else if (status == CLUA_ERRMEMLIMIT) {
        lua_pop(L, 1);
        lua_pushfstring(L, "memory limit exceeded (%I bytes)", (lua_Integer)vm->limit);
    }
    buffer_from_top(L, result, status);
    vm->budget = 0;
    vm->budget_exhausted = 0;
    vm->memory_exceeded = 0;
    vm->syntax_error = 0;
    vm->needs_count = 0;
    lua_settop(L, base);
    return status;
}

// ---------------------------------------------------------------- creation

/// Which C functions persist stores by name: every function reachable from the fresh
/// globals, under a stable name (the first path that reaches it, in canonical order).
/// The names are in snapshots on disk, so they must not change. Run once per program
/// in a template state; it returns, per permanent, its name and the path to it.
static const char *permanents_source =
    "local perms, seen = {}, {}\n"
    "local function note(v, name, root, k1, k2)\n"
    "  if seen[v] == nil then seen[v] = name; perms[#perms + 1] = { name, root, k1, k2, v } end\n"
    "end\n"
    "for k, v in pairs(_G) do\n"
    "  if type(v) == 'function' then note(v, k, 1, k) end\n"
    "end\n"
    "require('starlane.native')\n"
    "local function walk(t, root)\n"
    "  for k, v in pairs(t) do\n"
    "    if type(v) == 'table' and k ~= '_G' then\n"
    "      for k2, v2 in pairs(v) do\n"
    "        if type(v2) == 'function' then note(v2, k .. '.' .. k2, root, k, k2) end\n"
    "      end\n"
    "    end\n"
    "  end\n"
    "end\n"
    "walk(_G, 1)\n"
    "walk(package.loaded, 2)\n"
    "for k, f in pairs(package.preload) do note(f, 'package.preload.' .. k, 3, k) end\n"
    "for i, f in ipairs(package.searchers) do note(f, 'package.searchers.' .. i, 4, i) end\n"
    "for k, f in pairs(getmetatable('')) do\n"
    "  if type(f) == 'function' then note(f, 'stringmeta.' .. k, 5, k) end\n"
    "end\n"
    "return perms\n";

#define REG_PERMANENTS "starlane.permanents"
#define REG_INVERSE "starlane.permanents.inverse"
/// The closures among the permanents, as the state was created: user code may later
/// replace them where it can reach them, but persist must still name the originals.
#define REG_PRISTINE "starlane.permanents.pristine"

/// One permanent: a light C function is the same value in every state (its pointer);
/// a C closure is per state, kept in REG_PRISTINE at creation (index `closure`).
typedef struct permanent {
    char *name;
    lua_CFunction light;
    int closure;
    int root;           /* where the template found it: 1 _G, 2 loaded, 3 preload, 4 searchers, 5 string meta */
    char *k1, *k2;      /* k2 NULL: one step; root 4: k1 NULL, index */
    lua_Integer index;
} permanent;

static permanent *permanents;
static int permanent_count, closure_count;
static char *permanents_error;
static pthread_once_t permanents_once = PTHREAD_ONCE_INIT;

/// Pushes the value a permanent's path reaches in a fresh state (raw accesses only).
static void push_permanent_path(lua_State *L, const permanent *p) {
    switch (p->root) {
    case 1: lua_pushglobaltable(L); break;
    case 2: lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE); break;
    case 3: lua_getfield(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE); break;
    case 4:
        lua_pushglobaltable(L);
        lua_getfield(L, -1, "package");
        lua_getfield(L, -1, "searchers");
        lua_rawgeti(L, -1, p->index);
        lua_replace(L, -4);
        lua_pop(L, 2);
        return;
    default:
        lua_pushliteral(L, "");
        if (!lua_getmetatable(L, -1)) lua_pushnil(L);
        lua_remove(L, -2);
    }
    if (!lua_istable(L, -1)) { lua_pop(L, 1); lua_pushnil(L); return; }
    lua_pushstring(L, p->k1);
    lua_rawget(L, -2);
    lua_remove(L, -2);
    if (p->k2) {
        if (!lua_istable(L, -1)) { lua_pop(L, 1); lua_pushnil(L); return; }
        lua_pushstring(L, p->k2);
        lua_rawget(L, -2);
        lua_remove(L, -2);
    }
}

static char *copy_string(lua_State *L, int idx) {
    size_t n;
    const char *s = lua_tolstring(L, idx, &n);
    char *out = malloc(n + 1);
    if (out) { memcpy(out, s, n); out[n] = '\0'; }
    return out;
}

static int vm_open_libraries(lua_State *L);

/// Under pcall in the template state: runs the script and records its answer.
static int compute_permanents(lua_State *L) {
    vm_open_libraries(L);
    if (luaL_loadbufferx(L, permanents_source, strlen(permanents_source), "=permanents", "t") != LUA_OK)
        return lua_error(L);
    lua_call(L, 0, 1);
    int list = lua_gettop(L);
    int n = (int)lua_rawlen(L, list);
    permanent *ps = calloc((size_t)n + 1, sizeof *ps);
    if (!ps) return luaL_error(L, "out of memory for the permanents");
    int closures = 0;
    for (int i = 0; i < n; i++) {
        permanent *p = &ps[i];
        lua_rawgeti(L, list, i + 1);
        int e = lua_gettop(L);
        lua_rawgeti(L, e, 1); p->name = copy_string(L, -1); lua_pop(L, 1);
        lua_rawgeti(L, e, 2); p->root = (int)lua_tointeger(L, -1); lua_pop(L, 1);
        if (lua_rawgeti(L, e, 3) == LUA_TNUMBER) p->index = lua_tointeger(L, -1);
        else p->k1 = copy_string(L, -1);
        lua_pop(L, 1);
        if (lua_rawgeti(L, e, 4) == LUA_TSTRING) p->k2 = copy_string(L, -1);
        lua_pop(L, 1);
        push_permanent_path(L, p);
        lua_rawgeti(L, e, 5);
        if (!lua_rawequal(L, -1, -2)) return luaL_error(L, "permanent '%s' is not where its path leads", p->name);
        lua_pop(L, 1);
        lua_CFunction f = lua_tocfunction(L, -1);
        if (!f) return luaL_error(L, "permanent '%s' is not a C function", p->name);
        /* A light C function's pointer is its identity; a closure is an object. */
        if (lua_topointer(L, -1) == (const void *)f) p->light = f;
        else p->closure = ++closures;
        lua_settop(L, list);
    }
    permanents = ps;
    permanent_count = n;
    closure_count = closures;
    return 0;
}

static void *plain_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    (void)ud; (void)osize;
    if (nsize == 0) { free(ptr); return NULL; }
    return realloc(ptr, nsize);
}

static void init_permanents(void) {
    lua_State *L = lua_newstate(plain_alloc, NULL);
    if (!L) { permanents_error = "cannot create the template state"; return; }
    lua_pushcfunction(L, compute_permanents);
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        const char *why = lua_tostring(L, -1);
        permanents_error = strdup(why ? why : "cannot compute the permanents");
    }
    lua_close(L);
}

/// At creation: keeps the closures among the permanents (a few; the light functions
/// need nothing), so the tables can be built when first needed.
static void keep_pristine(lua_State *L) {
    pthread_once(&permanents_once, init_permanents);
    if (permanents_error) luaL_error(L, "%s", permanents_error);
    lua_createtable(L, closure_count, 0);
    for (int i = 0; i < permanent_count; i++) {
        if (!permanents[i].closure) continue;
        push_permanent_path(L, &permanents[i]);
        lua_rawseti(L, -2, permanents[i].closure);
    }
    lua_setfield(L, LUA_REGISTRYINDEX, REG_PRISTINE);
}

/// Pushes the registry table `which` (REG_PERMANENTS: object -> name, or REG_INVERSE:
/// name -> object), building both on first use: only a persist or a restore needs
/// them, so a process that never persists (most young ones) never pays for them.
static void push_permanents(lua_State *L, const char *which) {
    if (lua_getfield(L, LUA_REGISTRYINDEX, which) == LUA_TTABLE) return;
    lua_pop(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, REG_PRISTINE);
    int pristine = lua_gettop(L);
    lua_createtable(L, 0, permanent_count);
    lua_createtable(L, 0, permanent_count);
    int perms = pristine + 1, inverse = pristine + 2;
    for (int i = 0; i < permanent_count; i++) {
        const permanent *p = &permanents[i];
        if (p->light) lua_pushcfunction(L, p->light);
        else lua_rawgeti(L, pristine, p->closure);
        lua_pushstring(L, p->name);
        lua_pushvalue(L, -2);
        lua_pushvalue(L, -2);
        lua_rawset(L, perms);      /* perms[v] = name */
        lua_insert(L, -2);
        lua_rawset(L, inverse);    /* inverse[name] = v */
    }
    lua_setfield(L, LUA_REGISTRYINDEX, REG_INVERSE);
    lua_setfield(L, LUA_REGISTRYINDEX, REG_PERMANENTS);
    lua_pop(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, which);
}

static void open_library(lua_State *L, const char *name, lua_CFunction open) {
    luaL_requiref(L, name, open, 1);
    lua_pop(L, 1);
}

/// The standard libraries and the sandbox: the fresh globals.
static int vm_open_libraries(lua_State *L) {
    open_library(L, LUA_GNAME, luaopen_base);
    open_library(L, LUA_LOADLIBNAME, luaopen_package);
    open_library(L, LUA_COLIBNAME, luaopen_coroutine);
    open_library(L, LUA_TABLIBNAME, luaopen_table);
    open_library(L, LUA_STRLIBNAME, luaopen_string);
    open_library(L, LUA_MATHLIBNAME, luaopen_math);
    open_library(L, LUA_UTF8LIBNAME, luaopen_utf8);
    lua_pushcfunction(L, clua_sandbox_install);
    lua_call(L, 0, 0);
    return 0;
}

static int vm_setup(lua_State *L) {
    vm_open_libraries(L);
    /* Loaded in every state (the permanents script used to require it): snapshots
       hold package.loaded, so a fresh heap must stay what it was. */
    luaL_requiref(L, "starlane.native", clua_open_native, 0);
    lua_pop(L, 1);
    keep_pristine(L);
    return 0;
}

clua_vm *clua_vm_new(size_t memory_limit, clua_buffer *error) {
    clua_vm *vm = calloc(1, sizeof *vm);
    if (!vm) return NULL;
    vm->L = lua_newstate(vm_alloc, vm);
    if (!vm->L) {
        buffer_set(error, "cannot create a Lua state", 25);
        free(vm);
        return NULL;
    }
    /* Hooks are set per call (clua_vm_enter). Threads created later copy this stamp. */
    memset(lua_getextraspace(vm->L), 0, LUA_EXTRASPACE);
    int status = clua_vm_protected(vm, vm_setup, 0, 0, error);
    if (status != CLUA_OK) {
        clua_vm_free(vm);
        return NULL;
    }
    vm->limit = memory_limit;
    if (memory_limit && vm->used > memory_limit) {
        buffer_set(error, "memory limit is smaller than the standard libraries", 51);
        clua_vm_free(vm);
        return NULL;
    }
    return vm;
}

void clua_vm_free(clua_vm *vm) {
    if (!vm) return;
    vm->limit = 0;
    lua_close(vm->L);
    clua_arena_release(&vm->arena);
    free(vm->scratch);
    free(vm);
}

size_t clua_vm_memory_used(const clua_vm *vm) { return vm->used; }
size_t clua_vm_memory_limit(const clua_vm *vm) { return vm->limit; }
void clua_vm_set_memory_limit(clua_vm *vm, size_t limit) { vm->limit = limit; }
int64_t clua_vm_last_instructions(const clua_vm *vm) { return vm->executed - vm->call_start; }
int clua_vm_wants_counting(const clua_vm *vm) { return vm->always_count; }
void clua_vm_set_time(clua_vm *vm, int64_t timestamp) { vm->time = timestamp; }

// ---------------------------------------------------------------- entry points

static int do_preload(lua_State *L) {
    const char *name = lua_touserdata(L, 1);
    const char *source = lua_touserdata(L, 2);
    size_t length = *(size_t *)lua_touserdata(L, 3);
    lua_pushfstring(L, "@%s.lua", name[0] == '.' ? name + 1 : name);
    load_or_raise(L, source, length, lua_tostring(L, -1));
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_insert(L, -2);
    lua_setfield(L, -2, name);
    return 0;
}

int clua_vm_preload(clua_vm *vm, const char *name, const char *source, size_t length,
                    clua_buffer *error) {
    lua_pushlightuserdata(vm->L, (void *)name);
    lua_pushlightuserdata(vm->L, (void *)source);
    lua_pushlightuserdata(vm->L, &length);
    return clua_vm_protected(vm, do_preload, 3, 0, error);
}

/// lua_Writer appending to the vm's scratch buffer (host memory, grown by realloc).
static int dump_writer(lua_State *L, const void *p, size_t size, void *ud) {
    (void)L;
    clua_vm *vm = ud;
    if (vm->scratch_length + size > vm->scratch_capacity) {
        size_t capacity = vm->scratch_capacity ? vm->scratch_capacity : 4096;
        while (capacity < vm->scratch_length + size) capacity *= 2;
        char *grown = realloc(vm->scratch, capacity);
        if (!grown) return 1;  /* lua_dump stops and reports it */
        vm->scratch = grown;
        vm->scratch_capacity = capacity;
    }
    memcpy(vm->scratch + vm->scratch_length, p, size);
    vm->scratch_length += size;
    return 0;
}

static int do_compile(lua_State *L) {
    const char *name = lua_touserdata(L, 1);
    const char *source = lua_touserdata(L, 2);
    size_t length = *(size_t *)lua_touserdata(L, 3);
    clua_vm *vm = clua_vm_of(L);
    lua_settop(L, 0);
    /* A name starting with '=' or '@' is already a chunk name (the prelude's boot chunk). */
    if (name[0] == '=' || name[0] == '@') lua_pushstring(L, name);
    else lua_pushfstring(L, "@%s.lua", name[0] == '.' ? name + 1 : name);
    load_or_raise(L, source, length, lua_tostring(L, -1));      /* the function, on top */
    /* Not stripped: line info and names stay, so a loaded chunk is the same
       function (and persists the same) as one compiled from its text. */
    vm->scratch_length = 0;
    if (lua_dump(L, dump_writer, vm, 0) != 0) return luaL_error(L, "cannot dump '%s'", name);
    lua_pushlstring(L, vm->scratch, vm->scratch_length);
    return 1;
}

int clua_vm_compile(clua_vm *vm, const char *name, const char *source, size_t length,
                    clua_buffer *result) {
    lua_pushlightuserdata(vm->L, (void *)name);
    lua_pushlightuserdata(vm->L, (void *)source);
    lua_pushlightuserdata(vm->L, &length);
    return clua_vm_protected(vm, do_compile, 3, 0, result);
}

static int do_preload_binary(lua_State *L) {
    const char *name = lua_touserdata(L, 1);
    const char *bytes = lua_touserdata(L, 2);
    size_t length = *(size_t *)lua_touserdata(L, 3);
    if (luaL_loadbufferx(L, bytes, length, name, "b") != LUA_OK) lua_error(L);
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_insert(L, -2);
    lua_setfield(L, -2, name);
    return 0;
}

int clua_vm_preload_binary(clua_vm *vm, const char *name, const char *bytes, size_t length,
                           clua_buffer *error) {
    lua_pushlightuserdata(vm->L, (void *)name);
    lua_pushlightuserdata(vm->L, (void *)bytes);
    lua_pushlightuserdata(vm->L, &length);
    return clua_vm_protected(vm, do_preload_binary, 3, 0, error);
}

static int do_exec(lua_State *L) {
    const char *source = lua_touserdata(L, 1);
    size_t length = *(size_t *)lua_touserdata(L, 2);
    const char *chunkname = lua_touserdata(L, 3);
    lua_settop(L, 0);
    load_or_raise(L, source, length, chunkname);
    lua_call(L, 0, 1);
    if (lua_type(L, -1) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER) {
        lua_pop(L, 1);
        lua_pushnil(L);
    }
    return 1;
}

int clua_vm_exec(clua_vm *vm, const char *source, size_t length, const char *chunkname,
                 int64_t budget, clua_buffer *result) {
    lua_pushlightuserdata(vm->L, (void *)source);
    lua_pushlightuserdata(vm->L, &length);
    lua_pushlightuserdata(vm->L, (void *)(chunkname ? chunkname : "=chunk"));
    return clua_vm_protected(vm, do_exec, 3, budget, result);
}

/// Pushes the value at a dotted global path, raising if a step is not a table.
void clua_push_global_path(lua_State *L, const char *path) {
    lua_pushglobaltable(L);
    const char *start = path;
    for (;;) {
        const char *dot = strchr(start, '.');
        size_t n = dot ? (size_t)(dot - start) : strlen(start);
        if (!lua_istable(L, -1))
            luaL_error(L, "'%s' is not reachable: not a table before '%s'", path, start);
        lua_pushlstring(L, start, n);
        lua_rawget(L, -2);
        lua_remove(L, -2);
        if (!dot) return;
        start = dot + 1;
    }
}

static int do_call_json(lua_State *L) {
    const char *path = lua_touserdata(L, 1);
    const char *args = lua_touserdata(L, 2);
    size_t length = *(size_t *)lua_touserdata(L, 3);
    lua_settop(L, 0);
    clua_push_global_path(L, path);                                  /* 1: function */
    if (lua_type(L, 1) != LUA_TFUNCTION)
        return luaL_error(L, "'%s' is not a function", path);
    lua_pushcfunction(L, clua_json_decode);
    lua_pushlstring(L, args, length);
    lua_call(L, 1, 1);                                   /* 2: args array */
    if (!lua_istable(L, 2)) return luaL_error(L, "call arguments must be a JSON array");
    lua_Integer n = luaL_len(L, 2);
    luaL_checkstack(L, (int)n + 4, "too many arguments");
    for (lua_Integer i = 1; i <= n; i++) lua_rawgeti(L, 2, i);
    lua_remove(L, 2);
    lua_call(L, (int)n, 1);
    lua_pushcfunction(L, clua_json_encode);
    lua_insert(L, -2);
    lua_call(L, 1, 1);
    return 1;
}

int clua_vm_call_json(clua_vm *vm, const char *function_path, const char *args_json,
                      size_t args_length, int64_t budget, clua_buffer *result) {
    lua_pushlightuserdata(vm->L, (void *)function_path);
    lua_pushlightuserdata(vm->L, (void *)args_json);
    lua_pushlightuserdata(vm->L, &args_length);
    return clua_vm_protected(vm, do_call_json, 3, budget, result);
}

static int do_seed(lua_State *L) {
    int64_t *seeds = lua_touserdata(L, 1);
    lua_getglobal(L, "math");
    lua_getfield(L, -1, "randomseed");
    lua_pushinteger(L, (lua_Integer)seeds[0]);
    lua_pushinteger(L, (lua_Integer)seeds[1]);
    lua_call(L, 2, 0);
    lua_pushnil(L);
    return 1;
}

int clua_vm_seed_random(clua_vm *vm, int64_t a, int64_t b) {
    int64_t seeds[2] = {a, b};
    lua_pushlightuserdata(vm->L, seeds);
    return clua_vm_protected(vm, do_seed, 1, 0, NULL);
}

// ---------------------------------------------------------------- persist

/// The persisted roots: everything a process owns hangs off these four.
static void push_roots(lua_State *L) {
    lua_createtable(L, 4, 0);
    lua_pushglobaltable(L);
    lua_rawseti(L, -2, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_rawseti(L, -2, 2);
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_rawseti(L, -2, 3);
    lua_pushliteral(L, "");
    if (!lua_getmetatable(L, -1)) lua_pushnil(L);
    lua_remove(L, -2);
    lua_rawseti(L, -2, 4);
}

static int do_persist(lua_State *L) {
    lua_settop(L, 0);
    /* Weak tables hold what the last collection left: collect now so a snapshot
       does not depend on when the collector happened to run. */
    lua_gc(L, LUA_GCCOLLECT);
    lua_pushcfunction(L, clua_persist_dump);
    push_roots(L);
    push_permanents(L, REG_PERMANENTS);
    lua_call(L, 2, 1);
    return 1;
}

int clua_vm_persist(clua_vm *vm, clua_buffer *result) {
    size_t limit = vm->limit;
    vm->limit = 0;  /* the snapshot's own bytes are the host's, not the process's */
    int status = clua_vm_protected(vm, do_persist, 0, 0, result);
    vm->limit = limit;
    return status;
}

static int do_restore(lua_State *L) {
    const char *bytes = lua_touserdata(L, 1);
    size_t length = *(size_t *)lua_touserdata(L, 2);
    lua_settop(L, 0);
    lua_pushcfunction(L, clua_persist_load);
    lua_pushlstring(L, bytes, length);
    push_permanents(L, REG_INVERSE);
    lua_call(L, 2, 1);
    if (!lua_istable(L, 1)) return luaL_error(L, "persist: snapshot root is not a table");
    lua_rawgeti(L, 1, 1);
    if (!lua_istable(L, -1)) return luaL_error(L, "persist: snapshot has no globals table");
    lua_rawseti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
    lua_rawgeti(L, 1, 2);
    lua_setfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_rawgeti(L, 1, 3);
    lua_setfield(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushliteral(L, "");
    lua_rawgeti(L, 1, 4);
    lua_setmetatable(L, -2);
    lua_pushnil(L);
    return 1;
}

int clua_vm_restore(clua_vm *vm, const char *bytes, size_t length, clua_buffer *error) {
    lua_pushlightuserdata(vm->L, (void *)bytes);
    lua_pushlightuserdata(vm->L, &length);
    return clua_vm_protected(vm, do_restore, 2, 0, error);
}
