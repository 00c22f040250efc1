/* SPDX-License-Identifier: Apache-2.0 */
/*
 * memory.c - linear memories, the process-wide bounds mode, and the fault handler that turns
 * an access into a guard region into WASM_TRAP_MEMORY_OOB.
 *
 * Two layouts (the mode is decided once per process by wasm_guard_pages()):
 *  - guard mode: each memory reserves WASM_MEM_RESERVE bytes of PROT_NONE, MAP_NORESERVE
 *    address space; [0, size) is made read/write. Growing mprotects the next pages, so the
 *    base never moves. Any memory32 effective address (u32 + u32 offset + access size) stays
 *    inside the reservation, so code may skip bounds checks and let the hardware fault.
 *  - explicit mode: a plain zeroed heap buffer of exactly size bytes, realloc'd on growth
 *    (the base may move); compiled code checks every access.
 * The mode is process-wide: compiled code is chosen by it (compile.c asks wasm_guard_pages()),
 * so every store gets the process's layout.
 * A memory's pages never exceed min(declared max, store cap, 65536); a failed mprotect or
 * realloc makes grow return -1 and leaves the memory as it was.
 *
 * The fault handler (SIGSEGV/SIGBUS, SA_SIGINFO|SA_ONSTACK|SA_NODEFER) only acts when this
 * thread is running wasm (g_wasm_exec set) and the faulting address lies within a reservation
 * of that execution's store; then it siglongjmps to g_wasm_exec->jmp with
 * WASM_TRAP_MEMORY_OOB. SA_NODEFER keeps the signal unblocked after the jump even if the
 * interpreter's sigsetjmp did not save the mask. Any other fault is not ours: the handler
 * reinstates the previous disposition (default, or e.g. ASan's reporter) and returns, so the
 * faulting instruction re-executes and the process crashes as it would have without us.
 * wasm_store_new() calls wasm_fault_handler_install(), which puts the handler back if
 * something replaced it since, so each new store is covered.
 *
 * ASan: clang 14's ASan lets user SIGSEGV handlers replace its own (allow_user_segv_handler
 * defaults to 1) and our handler hands non-wasm faults back to it, so guard mode is kept
 * under ASan; the unit tests exercise the trap path and the chaining there.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "runtime.h"

_Thread_local struct wasm_exec_ctx *g_wasm_exec;

static pthread_once_t g_mode_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t g_mode_lock = PTHREAD_MUTEX_INITIALIZER;
static enum wasm_bounds g_mode_wanted = WASM_BOUNDS_AUTO;
static bool g_mode_decided;
static bool g_guard_pages;
static const char *g_mode_reason = "";

static void mode_decide(void)
{
    (void)pthread_mutex_lock(&g_mode_lock);
    g_mode_decided = true;
    enum wasm_bounds wanted = g_mode_wanted;
    (void)pthread_mutex_unlock(&g_mode_lock);
    if (wanted == WASM_BOUNDS_EXPLICIT) {
        g_guard_pages = false;
        g_mode_reason = "explicit bounds checks asked for";
        return;
    }
    void *p =
        mmap(NULL, WASM_MEM_RESERVE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        g_guard_pages = false;
        g_mode_reason = "cannot reserve 8 GiB of address space for guard pages";
        return;
    }
    (void)munmap(p, WASM_MEM_RESERVE);
    g_guard_pages = true;
}

int wasm_bounds_set(enum wasm_bounds mode)
{
    if (mode != WASM_BOUNDS_AUTO && mode != WASM_BOUNDS_EXPLICIT) return -EINVAL;
    (void)pthread_mutex_lock(&g_mode_lock);
    int ret = 0;
    if (!g_mode_decided)
        g_mode_wanted = mode;
    else if (mode != g_mode_wanted)
        ret = -EBUSY;
    (void)pthread_mutex_unlock(&g_mode_lock);
    return ret;
}

bool wasm_guard_pages(void)
{
    (void)pthread_once(&g_mode_once, mode_decide);
    return g_guard_pages;
}

bool wasm_bounds_guarded(const char **reason)
{
    bool g = wasm_guard_pages();
    if (reason) *reason = g_mode_reason;
    return g;
}

/* ---- the fault handler ---- */

static struct sigaction g_old_segv, g_old_bus;
static pthread_mutex_t g_handler_lock = PTHREAD_MUTEX_INITIALIZER;

static bool addr_in_store(const struct wasm_store *store, uintptr_t addr)
{
    for (const struct wasm_memory *m = store->memories; m; m = m->next) {
        uintptr_t base = (uintptr_t)m->base;
        if (m->reserved && addr >= base && addr - base < m->reserved) return true;
    }
    return false;
}

static void fault_handler(int sig, siginfo_t *si, void *uctx)
{
    (void)uctx;
    struct wasm_exec_ctx *ctx = g_wasm_exec;
    if (ctx && ctx->store && si && addr_in_store(ctx->store, (uintptr_t)si->si_addr))
        siglongjmp(ctx->jmp, WASM_TRAP_MEMORY_OOB);
    /* Not a wasm access: let the previous disposition handle the re-executed fault. */
    int saved = errno;
    (void)sigaction(sig, sig == SIGBUS ? &g_old_bus : &g_old_segv, NULL);
    errno = saved;
}

/* Installs fault_handler for sig unless it is already there, remembering what it replaces. */
static void handler_install(int sig, struct sigaction *old)
{
    struct sigaction cur, sa;
    if (sigaction(sig, NULL, &cur) != 0) return;
    if ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == fault_handler) return;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = fault_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    /* Should it fail, a guard-page fault is not turned into a trap and ends the process (a
     * crash, never an access outside the memory): nothing to report from inside the engine. */
    (void)sigaction(sig, &sa, old);
}

void wasm_fault_handler_install(void)
{
    /* Checked on every call, not once: code that replaced our handler since (a test
     * harness, a library) gets it back behind ours, as the disposition we fall back to. */
    (void)pthread_mutex_lock(&g_handler_lock);
    handler_install(SIGSEGV, &g_old_segv);
    handler_install(SIGBUS, &g_old_bus);
    (void)pthread_mutex_unlock(&g_handler_lock);
}

/* ---- memories ---- */

/* The most pages mem may ever have: declared max, the store's cap and the memory32 limit. */
static uint32_t max_pages(const struct wasm_memory *mem)
{
    uint32_t max = WASM_MAX_PAGES;
    if (mem->lim.has_max && mem->lim.max < max) max = mem->lim.max;
    if (mem->cap_pages < max) max = mem->cap_pages;
    return max;
}

/* Guard mode: reserves the region and opens the first pages; false on failure. */
static bool reserve_guarded(struct wasm_memory *mem)
{
    void *p =
        mmap(NULL, WASM_MEM_RESERVE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return false;
    if (mem->size && mprotect(p, (size_t)mem->size, PROT_READ | PROT_WRITE) != 0) {
        (void)munmap(p, WASM_MEM_RESERVE);
        return false;
    }
    mem->base = p;
    mem->reserved = WASM_MEM_RESERVE;
    return true;
}

struct wasm_memory *wasm_memory_new(struct wasm_store *store, struct wasm_limits_decl lim)
{
    if (!store || lim.min > WASM_MAX_PAGES || lim.min > store->lim.max_memory_pages) return NULL;
    if (lim.has_max && (lim.max < lim.min || lim.max > WASM_MAX_PAGES)) return NULL;
    if (!wasm_store_budget_take(store, false, (uint64_t)lim.min * WASM_PAGE_SIZE)) return NULL;
    struct wasm_memory *mem = calloc(1, sizeof(*mem));
    if (!mem) return NULL;
    mem->store = store;
    mem->lim = lim;
    mem->cap_pages = store->lim.max_memory_pages;
    mem->pages = lim.min;
    mem->size = (uint64_t)lim.min * WASM_PAGE_SIZE;
    if (wasm_guard_pages()) {
        if (!reserve_guarded(mem)) goto fail;
    } else if (mem->size) {
        mem->base = calloc(1, (size_t)mem->size);
        if (!mem->base) goto fail;
    }
    mem->next = store->memories;
    store->memories = mem;
    return mem;
fail:
    free(mem);
    return NULL;
}

/* Explicit mode growth: realloc and zero the new part; false (memory unchanged) on failure. */
static bool grow_explicit(struct wasm_memory *mem, uint64_t new_size)
{
    uint8_t *p = realloc(mem->base, (size_t)new_size);
    if (!p) return false;
    memset(p + mem->size, 0, (size_t)(new_size - mem->size));
    mem->base = p;
    return true;
}

int64_t wasm_memory_grow_pages(struct wasm_memory *mem, uint32_t delta)
{
    uint32_t old = mem->pages;
    if (delta == 0) return old;
    uint64_t pages = (uint64_t)old + delta;
    if (pages > max_pages(mem)) return -1;
    uint64_t new_size = pages * WASM_PAGE_SIZE;
    if (!wasm_store_budget_take(mem->store, false, new_size - mem->size)) return -1;
    if (mem->reserved) {
        /* The new pages are fresh anonymous memory, hence already zero. */
        size_t grow = (size_t)(new_size - mem->size);
        if (mprotect(mem->base + mem->size, grow, PROT_READ | PROT_WRITE) != 0) {
            /* A partial change would let accesses past size succeed: close it again. */
            (void)mprotect(mem->base + mem->size, grow, PROT_NONE);
            mem->store->memory_bytes -= new_size - mem->size;
            return -1;
        }
    } else if (!grow_explicit(mem, new_size)) {
        mem->store->memory_bytes -= new_size - mem->size;
        return -1;
    }
    mem->pages = (uint32_t)pages;
    mem->size = new_size;
    return old;
}

int64_t wasm_memory_grow(struct wasm_memory *mem, uint32_t delta)
{
    return wasm_memory_grow_pages(mem, delta);
}

uint8_t *wasm_memory_data(struct wasm_memory *mem)
{
    return mem->base;
}

uint64_t wasm_memory_size(const struct wasm_memory *mem)
{
    return mem->size;
}
