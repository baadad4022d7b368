// The watchdog of uncounted calls (docs/RUNTIME.md, "Counting instructions").
//
// A message runs first without the instruction-count hook, which costs every VM
// instruction a detour (~10% of a warm message). Without the hook nothing stops an
// endless loop, so each such call gets an allowance of CPU time: what its budget would
// take at CLUA_FASTEST_INSTRUCTION_PS per instruction, far faster than any VM
// instruction runs. A call that uses less has run fewer instructions than its budget.
// CPU time, not wall time: a call the scheduler held back has not run longer. One
// thread, for the whole program, looks at the calls in progress; when one outlives
// its allowance it signals the thread running it, and the signal handler installs a
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
/// How often the watchdog looks: a stopped call has run its allowance plus about this.
#define CLUA_WATCHDOG_PERIOD_NS 5000000
/// Otherwise unused by the runtime and its libraries (Go preempts with it for the same reason).
#define CLUA_WATCHDOG_SIGNAL SIGURG

/// One thread that runs uncounted calls. Written by that thread, read by the watchdog
/// (under `watches_lock`) and by the signal handler (on that thread).
typedef struct watch {
    struct watch *next;
    pthread_t thread;
    clockid_t cpu_clock;              ///< the thread's CPU-time clock
    clua_vm *_Atomic vm;              ///< the vm of the call in progress
    /* A call's CPU time is read only once its wall time is past the allowance
       (reading a CPU clock is a system call; the monotonic clock is not). */
    _Atomic int64_t deadline;         ///< monotonic ns: start + allowance; 0 while no call is watched
    _Atomic int64_t cpu_start;        ///< the thread's CPU ns when the call started
    _Atomic int64_t allowance;        ///< the call's CPU ns
    _Atomic uint64_t call;            ///< counts the watched calls
    _Atomic uint64_t signalled;       ///< the call the watchdog signalled
} watch;

static pthread_mutex_t watches_lock = PTHREAD_MUTEX_INITIALIZER;
static watch *watches;
static pthread_key_t watch_key;
static pthread_once_t watchdog_once = PTHREAD_ONCE_INIT;
static int watchdog_running;
static __thread watch *this_watch __attribute__((tls_model("initial-exec")));

static int64_t clock_ns(clockid_t clock) {
    struct timespec t;
    if (clock_gettime(clock, &t) != 0) return INT64_MAX;  /* unreadable: counts as over */
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int64_t now_ns(void) { return clock_ns(CLOCK_MONOTONIC); }

/// Has the watched call used up its allowance of CPU time?
static int over_allowance(watch *w, int64_t now) {
    if (now <= atomic_load(&w->deadline)) return 0;
    return clock_ns(w->cpu_clock) - atomic_load(&w->cpu_start) > atomic_load(&w->allowance);
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
            if (atomic_load(&w->deadline) == 0 || atomic_load(&w->signalled) == call) continue;
            if (!over_allowance(w, now) || atomic_load(&w->call) != call) continue;
            atomic_store(&w->signalled, call);
            pthread_kill(w->thread, CLUA_WATCHDOG_SIGNAL);
        }
        pthread_mutex_unlock(&watches_lock);
    }
    return NULL;
}

/// A thread's watch leaves the list when the thread ends (it is never signalled after).
/// Key destructors run on the ending thread: a signal still pending finds no watch.
static void forget_watch(void *value) {
    watch *w = value;
    this_watch = NULL;
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
    if (pthread_getcpuclockid(w->thread, &w->cpu_clock) != 0 || pthread_setspecific(watch_key, w) != 0) {
        free(w);
        return NULL;
    }
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
    if (allowance < 1) allowance = 1;
    atomic_store(&w->vm, vm);
    atomic_fetch_add(&w->call, 1);
    atomic_store(&w->allowance, allowance);
    atomic_store(&w->cpu_start, clock_ns(w->cpu_clock));
    atomic_store(&w->deadline, now_ns() + allowance);
    return 1;
}

int clua_watchdog_disarm(void) {
    watch *w = this_watch;
    int over = over_allowance(w, now_ns());
    atomic_store(&w->deadline, 0);
    atomic_store(&w->vm, NULL);
    return over;
}
