#ifndef CLUA_WATCHDOG_INTERNAL_H
#define CLUA_WATCHDOG_INTERNAL_H
// The watchdog of uncounted calls (watchdog.c).
#include <stdint.h>

struct clua_vm;

/// Watches the uncounted call this thread starts now, with `budget` instructions
/// (> 0): past its allowance of CPU time, clua_vm_interrupt(vm) runs on this thread. Returns 0
/// when calls cannot be watched here (the call must then count).
int clua_watchdog_arm(struct clua_vm *vm, int64_t budget);

/// Ends the watch of this thread's call; returns 1 when the call used more than its
/// allowance (whether or not it was stopped): it may have run past its budget.
int clua_watchdog_disarm(void);
#endif
