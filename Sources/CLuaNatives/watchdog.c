// The watchdog of uncounted calls (docs/RUNTIME.md, "Counting instructions").
//
// A message runs first without the instruction-count hook, which costs every VM
// instruction a detour (~15% of a message). Without the hook nothing stops an
// endless loop, so each such call gets a deadline: the time its budget would take at
// CLUA_FASTEST_INSTRUCTION_PS per instruction, far faster than any VM instruction runs.
// A call that finishes in time has run fewer instructions than its budget. One
// thread, for the whole program, looks at the calls in progress; when one outlives
// its deadline it signals the thread running it, and the signal handler installs a
// hook that stops the call at its next instruction (lua_sethook is safe to call from
// a signal handler: ldebug.c). The host then reruns the message counting.
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include "vm_internal.h"
#include "watchdog_internal.h"

/// No Lua VM instruction takes less than this (10 GHz, one instruction per cycle):
/// a budget of 100M instructions gives a call 10 ms before it is stopped.
#define CLUA_FASTEST_INSTRUCTION_PS 100
/// How often the watchdog looks: a stopped call has run its deadline plus at most this.
#define CLUA_WATCHDOG_PERIOD_NS 5000000
/// Otherwise unused by the runtime and its libraries (Go preempts with it for the same reason).
#define CLUA_WATCHDOG_SIGNAL SIGURG

/// One thread that runs uncounted calls. Written by that thread, read by the watchdog
/// (under `watches_lock`) and by the signal handler (on that thread).
typedef struct watch {
    struct watch *next;
    pthread_t thread;
    clua_vm *_Atomic vm;              ///< the vm of the call in progress
    _Atomic int64_t deadline;         ///< monotonic ns; 0 while no call is watched
    _Atomic uint64_t call;            ///< counts the watched calls
    _Atomic uint64_t signalled;       ///< the call the watchdog signalled
} watch;

static pthread_mutex_t watches_lock = PTHREAD_MUTEX_INITIALIZER;
static watch *watches;
static pthread_key_t watch_key;
static pthread_once_t watchdog_once = PTHREAD_ONCE_INIT;
static int watchdog_running;
static __thread watch *this_watch __attribute__((tls_model("initial-exec")));

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/// A stray SIGURG (another thread, another call, or sent from outside) does nothing.
static void on_signal(int signo) {
    (void)signo;
    watch *w = this_watch;
    if (!w || atomic_load(&w->deadline) == 0) return;
    if (atomic_load(&w->signalled) != atomic_load(&w->call)) return;  /* meant for an earlier call */
    clua_vm *vm = atomic_load(&w->vm);
    if (vm) clua_vm_interrupt(vm);
}

static void *watchdog_main(void *unused) {
    (void)unused;
    for (;;) {
        struct timespec pause = {0, CLUA_WATCHDOG_PERIOD_NS};
        nanosleep(&pause, NULL);
        int64_t now = now_ns();
        pthread_mutex_lock(&watches_lock);
        for (watch *w = watches; w; w = w->next) {
            uint64_t call = atomic_load(&w->call);
            int64_t deadline = atomic_load(&w->deadline);
            if (deadline == 0 || now <= deadline || atomic_load(&w->call) != call) continue;
            if (atomic_load(&w->signalled) == call) continue;
            atomic_store(&w->signalled, call);
            pthread_kill(w->thread, CLUA_WATCHDOG_SIGNAL);
        }
        pthread_mutex_unlock(&watches_lock);
    }
    return NULL;
}

/// A thread's watch leaves the list when the thread ends (it is never signalled after).
static void forget_watch(void *value) {
    watch *w = value;
    pthread_mutex_lock(&watches_lock);
    for (watch **p = &watches; *p; p = &(*p)->next) {
        if (*p == w) { *p = w->next; break; }
    }
    pthread_mutex_unlock(&watches_lock);
    free(w);
}

static void start_watchdog(void) {
    if (pthread_key_create(&watch_key, forget_watch) != 0) return;
    struct sigaction action = {0};
    action.sa_handler = on_signal;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    if (sigaction(CLUA_WATCHDOG_SIGNAL, &action, NULL) != 0) return;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    watchdog_running = pthread_create(&thread, &attributes, watchdog_main, NULL) == 0;
    pthread_attr_destroy(&attributes);
}

/// A thread's first watched call registers it. Threads of libdispatch (Swift's
/// concurrency pool among them) start with signals blocked: the signal is let in.
static watch *this_threads_watch(void) {
    if (this_watch) return this_watch;
    sigset_t wanted;
    sigemptyset(&wanted);
    sigaddset(&wanted, CLUA_WATCHDOG_SIGNAL);
    if (pthread_sigmask(SIG_UNBLOCK, &wanted, NULL) != 0) return NULL;
    watch *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->thread = pthread_self();
    if (pthread_setspecific(watch_key, w) != 0) { free(w); return NULL; }
    pthread_mutex_lock(&watches_lock);
    w->next = watches;
    watches = w;
    pthread_mutex_unlock(&watches_lock);
    this_watch = w;
    return w;
}

int clua_watchdog_arm(clua_vm *vm, int64_t budget) {
    pthread_once(&watchdog_once, start_watchdog);
    if (!watchdog_running) return 0;
    watch *w = this_threads_watch();
    if (!w) return 0;
    int64_t allowance = budget / (1000 / CLUA_FASTEST_INSTRUCTION_PS);
    atomic_store(&w->vm, vm);
    atomic_fetch_add(&w->call, 1);
    atomic_store(&w->deadline, now_ns() + (allowance > 0 ? allowance : 1));
    return 1;
}

int clua_watchdog_disarm(void) {
    watch *w = this_watch;
    int64_t deadline = atomic_load(&w->deadline);
    atomic_store(&w->deadline, 0);
    atomic_store(&w->vm, NULL);
    return now_ns() > deadline;
}
