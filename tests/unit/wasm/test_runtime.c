/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_runtime.c - the engine's runtime objects (store.c, memory.c, table.c) and
 * instantiation (instance.c).
 *
 * Modules are built by hand (struct wasm_module, module.h) so these tests do not depend on
 * the decoder or validator. Execution is not under test here: while the validator or the
 * interpreter is not written yet, fallbacks below stand in (the interpreter fallback only runs
 * host functions); every test is written to hold with either. test_real_modules goes through
 * wasm_module_new() and, once the interpreter exists, executes code, including out-of-bounds
 * accesses that reach the fault handler. The guard-page fault handler is tested
 * directly with a hand-made struct wasm_exec_ctx; explicit-bounds mode is tested in a forked child
 * that asks wasm_bounds_set(WASM_BOUNDS_EXPLICIT) before the process-wide mode is decided.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "wasm/code.h"
#include "wasm/runtime.h"

/*
 * ---- fallbacks for parts of the engine written elsewhere ----
 * Each is compiled only while its real source file does not exist yet, so that once it does,
 * the real one is linked (a weak definition here would otherwise keep the linker from ever
 * pulling the real object out of libwasm.a). wasm_trap_str and wasm_code_free stay weak:
 * their real objects are pulled in by other references when they exist.
 */

static bool g_no_interp; /* set when the fallback was asked to run wasm code */

__attribute__((weak)) const char *wasm_trap_str(enum wasm_trap trap)
{
    switch (trap) {
    case WASM_TRAP_MEMORY_OOB: return "out of bounds memory access";
    case WASM_TRAP_TABLE_OOB: return "out of bounds table access";
    default: return "trap";
    }
}

__attribute__((weak)) void wasm_code_free(struct wasm_code *code)
{
    free(code); /* compile.c's version also frees what the code owns */
}

#if !__has_include("wasm/interp.c")
int wasm_interp_call(struct wasm_store *store, struct wasm_func *func, const union wasm_val *args,
                     union wasm_val *results, struct wasm_error *err)
{
    if (!func->host) {
        g_no_interp = true;
        err->code = WASM_TRAP_UNREACHABLE;
        snprintf(err->msg, sizeof(err->msg), "no interpreter in this test build");
        return WASM_TRAP_UNREACHABLE;
    }
    struct wasm_caller caller = {.store = store, .inst = NULL};
    enum wasm_trap t = func->host(&caller, func->env, args, results);
    if (t != WASM_TRAP_NONE) {
        err->code = (int)t;
        snprintf(err->msg, sizeof(err->msg), "%s", caller.msg);
    }
    return (int)t;
}

/* The compiler stores these in compiled code, which the fallback above never runs. */
const void *const *wasm_interp_labels(void)
{
    static const void *const labels[WASM_IOP_COUNT_];
    return labels;
}
#endif

#if !__has_include("wasm/validate.c")
int wasm_validate(struct wasm_module *mod, struct wasm_error *err)
{
    (void)mod;
    snprintf(err->msg, sizeof(err->msg), "no validator in this test build");
    return -ENOSYS;
}
#endif

/* ---- helpers ---- */

static const uint8_t T_I32[] = {WASM_I32};
static const uint8_t T_I32_I64[] = {WASM_I32, WASM_I64};

static struct wasm_store *store_with(uint32_t pages, uint32_t elems)
{
    struct wasm_limits lim = {.max_memory_pages = pages, .max_table_elems = elems};
    struct wasm_store *s = NULL;
    assert_int_equal(wasm_store_new(&lim, &s), 0);
    assert_non_null(s);
    return s;
}

static struct wasm_limits_decl lims(uint32_t min, bool has_max, uint32_t max)
{
    struct wasm_limits_decl l = {.min = min, .max = max, .has_max = has_max};
    return l;
}

/* Runs fn in a child process; returns its wait status. stderr is silenced if quiet. */
static int in_child(void (*fn)(void), bool quiet)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (quiet) {
            int fd = open("/dev/null", O_WRONLY);
            if (fd >= 0) dup2(fd, 2);
        }
        fn();
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

/* ---- limits and stores ---- */

static void test_limits_default(void **state)
{
    (void)state;
    struct wasm_limits lim;
    memset(&lim, 0xff, sizeof(lim));
    wasm_limits_default(&lim);
    assert_int_equal(lim.max_call_depth, 10000);
    assert_int_equal(lim.value_stack_size, 8u << 20);
    assert_int_equal(lim.max_memory_pages, 65536);
    assert_int_equal(lim.max_table_elems, 10000000);
    assert_true(lim.fuel == 0);
}

static void test_store_new(void **state)
{
    (void)state;
    struct wasm_store *s = NULL;
    assert_int_equal(wasm_store_new(NULL, &s), 0);
    assert_int_equal(s->lim.max_call_depth, 10000);
    assert_true((uintptr_t)s->stack % 16 == 0);
    assert_true(s->stack_end - s->stack == (ptrdiff_t)(8u << 20));
    wasm_store_free(s);

    /* Zero fields take defaults; others are kept; the stack size is rounded up to 16. */
    struct wasm_limits lim = {.max_call_depth = 7, .value_stack_size = 1001, .fuel = 55};
    assert_int_equal(wasm_store_new(&lim, &s), 0);
    assert_int_equal(s->lim.max_call_depth, 7);
    assert_int_equal(s->lim.max_memory_pages, 65536);
    assert_int_equal(s->lim.max_table_elems, 10000000);
    assert_true(s->lim.fuel == 55);
    assert_true((uintptr_t)s->stack % 16 == 0);
    assert_true(s->stack_end - s->stack == 1008);
    wasm_store_free(s);

    /* A cap above memory32's 65536 pages is clamped. */
    lim.max_memory_pages = 100000;
    assert_int_equal(wasm_store_new(&lim, &s), 0);
    assert_int_equal(s->lim.max_memory_pages, 65536);
    wasm_store_free(s);
    wasm_store_free(NULL);
}

/* ---- type interning ---- */

static void test_intern_types(void **state)
{
    (void)state;
    struct wasm_store *s = store_with(0, 0);
    uint8_t params[2] = {WASM_I32, WASM_I64};
    struct wasm_functype a = {.nparams = 2, .params = params, .nresults = 1, .results = T_I32};
    struct wasm_functype empty = {0};
    uint32_t ida = wasm_store_intern_type(s, &a);
    uint32_t ide = wasm_store_intern_type(s, &empty);
    assert_int_not_equal(ida, UINT32_MAX);
    assert_int_not_equal(ida, ide);
    assert_int_equal(wasm_store_intern_type(s, &empty), ide);

    /* The store keeps its own copy: changing the caller's array changes nothing. */
    params[1] = WASM_F64;
    uint32_t idb = wasm_store_intern_type(s, &a);
    assert_int_not_equal(idb, ida);
    params[1] = WASM_I64;
    assert_int_equal(wasm_store_intern_type(s, &a), ida);
    assert_int_equal(s->types[ida].params[1], WASM_I64);

    /* Same bytes split differently between params and results are different types. */
    struct wasm_functype c = {
        .nparams = 1, .params = T_I32_I64, .nresults = 1, .results = T_I32_I64 + 1};
    struct wasm_functype d = {.nparams = 2, .params = T_I32_I64};
    assert_int_not_equal(wasm_store_intern_type(s, &c), wasm_store_intern_type(s, &d));

    /* Many distinct types (forcing several index rebuilds) keep distinct, stable ids. */
    static uint8_t many[3000][3];
    uint32_t ids[3000];
    uint32_t before = s->ntypes;
    for (uint32_t i = 0; i < 3000; i++) {
        many[i][0] = (uint8_t)(0x6f + i % 17);
        many[i][1] = (uint8_t)(0x6f + (i / 17) % 17);
        many[i][2] = (uint8_t)(0x6f + (i / 289) % 17);
        struct wasm_functype t = {.nparams = 3, .params = many[i]};
        ids[i] = wasm_store_intern_type(s, &t);
        assert_int_not_equal(ids[i], UINT32_MAX);
    }
    for (uint32_t i = 0; i < 3000; i++) {
        struct wasm_functype t = {.nparams = 3, .params = many[i]};
        assert_int_equal(wasm_store_intern_type(s, &t), ids[i]);
    }
    assert_int_equal(s->ntypes, before + 3000);
    assert_int_equal(wasm_store_intern_type(s, &a), ida);
    wasm_store_free(s);
}

/* ---- host functions and wasm_func_call ---- */

struct host_env {
    int calls;
    uint64_t fuel_seen;
};

static enum wasm_trap host_add(struct wasm_caller *caller, void *env, const union wasm_val *args,
                               union wasm_val *results)
{
    struct host_env *e = env;
    e->calls++;
    e->fuel_seen = caller->store->fuel;
    assert_null(wasm_caller_instance(caller));
    assert_null(wasm_caller_memory(caller));
    results[0].i32 = args[0].i32 + (uint32_t)args[1].i64;
    return WASM_TRAP_NONE;
}

static enum wasm_trap host_fail(struct wasm_caller *caller, void *env, const union wasm_val *args,
                                union wasm_val *results)
{
    (void)env, (void)args, (void)results;
    wasm_caller_set_message(caller, "host said no");
    return WASM_TRAP_HOST;
}

static void test_host_func(void **state)
{
    (void)state;
    struct wasm_limits lim = {.fuel = 1234};
    struct wasm_store *s = NULL;
    assert_int_equal(wasm_store_new(&lim, &s), 0);
    struct host_env env = {0};
    struct wasm_functype ft = {.nparams = 2, .params = T_I32_I64, .nresults = 1, .results = T_I32};
    struct wasm_func *f = wasm_func_new_host(s, &ft, host_add, &env);
    assert_non_null(f);
    const struct wasm_functype *got = wasm_func_type(f);
    assert_int_equal(got->nparams, 2);
    assert_int_equal(got->nresults, 1);
    assert_memory_equal(got->params, T_I32_I64, 2);
    assert_int_equal(got->results[0], WASM_I32);

    union wasm_val args[2] = {{.i32 = 40}, {.i64 = 2}};
    union wasm_val res[1] = {{.i64 = 0}};
    struct wasm_error err;
    s->fuel = 0;
    assert_int_equal(wasm_func_call(s, f, args, 2, res, 1, &err), 0);
    assert_int_equal(res[0].i32, 42);
    assert_int_equal(env.calls, 1);
    assert_true(env.fuel_seen == 1234); /* fuel reset for each embedder call */

    /* Wrong counts are refused before anything runs. */
    assert_int_equal(wasm_func_call(s, f, args, 1, res, 1, &err), -EINVAL);
    assert_int_equal(err.code, -EINVAL);
    assert_int_equal(wasm_func_call(s, f, args, 2, res, 0, &err), -EINVAL);
    assert_int_equal(wasm_func_call(s, f, args, 3, res, 1, NULL), -EINVAL);
    assert_int_equal(env.calls, 1);

    struct wasm_functype none = {0};
    struct wasm_func *g = wasm_func_new_host(s, &none, host_fail, NULL);
    assert_non_null(g);
    assert_int_equal(wasm_func_call(s, g, NULL, 0, NULL, 0, &err), WASM_TRAP_HOST);
    assert_int_equal(err.code, WASM_TRAP_HOST);
    assert_non_null(strstr(err.msg, "host said no"));

    /* Bad types are refused. */
    const uint8_t bad[] = {0x40};
    struct wasm_functype bt = {.nparams = 1, .params = bad};
    assert_null(wasm_func_new_host(s, &bt, host_add, NULL));
    struct wasm_functype nt = {.nparams = 1, .params = NULL};
    assert_null(wasm_func_new_host(s, &nt, host_add, NULL));
    assert_null(wasm_func_new_host(s, &ft, NULL, NULL));
    wasm_store_free(s);
}

/* ---- globals ---- */

static void test_globals(void **state)
{
    (void)state;
    struct wasm_store *s = store_with(0, 0);
    union wasm_val v = {.i64 = 0x1122334455667788ull};
    struct wasm_global *g = wasm_global_new(s, WASM_I64, true, v);
    assert_non_null(g);
    assert_int_equal(wasm_global_type(g), WASM_I64);
    assert_true(wasm_global_get(g).i64 == 0x1122334455667788ull);
    v.i64 = 5;
    assert_int_equal(wasm_global_set(g, v), 0);
    assert_true(wasm_global_get(g).i64 == 5);

    v.f32 = 0x7fc00001u; /* a NaN payload survives */
    struct wasm_global *c = wasm_global_new(s, WASM_F32, false, v);
    assert_non_null(c);
    assert_int_equal(wasm_global_get(c).f32, 0x7fc00001u);
    v.f32 = 0;
    assert_int_equal(wasm_global_set(c, v), -EPERM);
    assert_int_equal(wasm_global_get(c).f32, 0x7fc00001u);

    assert_null(wasm_global_new(s, 0x40, false, v));
    assert_non_null(wasm_global_new(s, WASM_EXTERNREF, true, v));
    wasm_store_free(s);
}

/* ---- memories ---- */

/* Checks growth rules; works in either bounds mode. */
static void check_memory_rules(void)
{
    struct wasm_store *s = store_with(4, 0);
    struct wasm_memory *m = wasm_memory_new(s, lims(1, true, 3));
    assert_non_null(m);
    assert_true(wasm_memory_size(m) == 65536);
    uint8_t *d = wasm_memory_data(m);
    assert_int_equal(d[0] | d[65535], 0);
    d[100] = 7;
    d[65535] = 9;
    assert_int_equal(wasm_memory_grow(m, 0), 1);
    assert_int_equal(wasm_memory_grow(m, 1), 1);
    assert_true(wasm_memory_size(m) == 2 * 65536);
    d = wasm_memory_data(m);
    assert_int_equal(d[100], 7);
    assert_int_equal(d[65535], 9);
    for (uint32_t i = 65536; i < 2 * 65536; i += 4099)
        assert_int_equal(d[i], 0);
    d[2 * 65536 - 1] = 1;
    assert_int_equal(wasm_memory_grow(m, 2), -1); /* over the declared max */
    assert_int_equal(wasm_memory_grow(m, UINT32_MAX), -1);
    assert_int_equal(wasm_memory_grow_pages(m, 1), 2);
    assert_int_equal(m->pages, 3);
    assert_int_equal(wasm_memory_grow(m, 1), -1);

    /* No declared max: the store's cap (4 pages) applies. */
    struct wasm_memory *n = wasm_memory_new(s, lims(0, false, 0));
    assert_non_null(n);
    assert_true(wasm_memory_size(n) == 0);
    assert_int_equal(wasm_memory_grow(n, 4), 0);
    assert_int_equal(wasm_memory_grow(n, 1), -1);
    assert_true(wasm_memory_size(n) == 4 * 65536);
    wasm_memory_data(n)[4 * 65536 - 1] = 3;

    /* Bad limits and limits over the cap. */
    assert_null(wasm_memory_new(s, lims(5, false, 0)));
    assert_null(wasm_memory_new(s, lims(2, true, 1)));
    assert_null(wasm_memory_new(s, lims(0, true, 65537)));
    wasm_store_free(s);

    /* The full 4 GiB is allowed by default (nothing is touched, so little is used). */
    s = store_with(0, 0);
    m = wasm_memory_new(s, lims(0, false, 0));
    assert_non_null(m);
    if (m->reserved) {
        assert_int_equal(wasm_memory_grow(m, 65536), 0);
        assert_true(wasm_memory_size(m) == (uint64_t)1 << 32);
        wasm_memory_data(m)[((size_t)1 << 32) - 1] = 1;
    }
    assert_int_equal(wasm_memory_grow(m, 65537), -1);
    wasm_store_free(s);
}

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* A failed realloc leaves the memory as it was (ASan's allocator aborts instead: skipped). */
static void explicit_alloc_failure(void)
{
#ifndef UNDER_ASAN
    struct rlimit as = {(rlim_t)2 << 30, (rlim_t)2 << 30};
    if (setrlimit(RLIMIT_AS, &as) != 0) _exit(5);
    struct wasm_store *s = store_with(0, 0);
    struct wasm_memory *m = wasm_memory_new(s, lims(1, false, 0));
    if (!m) _exit(6);
    wasm_memory_data(m)[7] = 7;
    if (wasm_memory_grow(m, 65535) != -1 || wasm_memory_size(m) != 65536) _exit(7);
    if (wasm_memory_data(m)[7] != 7 || wasm_memory_grow(m, 1) != 1) _exit(8);
    wasm_store_free(s);
#endif
}

static void explicit_child(void)
{
    if (wasm_bounds_set(WASM_BOUNDS_EXPLICIT) != 0) _exit(77); /* decided before the fork */
    if (wasm_guard_pages()) _exit(77); /* the mode was decided before the fork */
    check_memory_rules();
    struct wasm_store *s = store_with(0, 0);
    struct wasm_memory *m = wasm_memory_new(s, lims(1, false, 0));
    if (!m || m->reserved != 0) _exit(2);
    wasm_store_free(s);
    explicit_alloc_failure();
    _exit(0);
}

/* Must run first: decides the mode only in a child, which inherits nothing decided. */
static void test_memory_explicit_mode(void **state)
{
    (void)state;
    int status = in_child(explicit_child, false);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77) skip();
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_memory_default_mode(void **state)
{
    (void)state;
    check_memory_rules();
    if (!wasm_guard_pages()) return;
    struct wasm_store *s = store_with(0, 0);
    struct wasm_memory *m = wasm_memory_new(s, lims(1, false, 0));
    assert_non_null(m);
    assert_true(m->reserved == WASM_MEM_RESERVE);
    uint8_t *base = m->base;
    assert_int_equal(wasm_memory_grow(m, 3), 1);
    assert_ptr_equal(m->base, base); /* the base never moves in guard mode */
    wasm_store_free(s);
}

/* Touches *p inside a hand-made execution context; returns the sigsetjmp value. */
static int touch(struct wasm_store *s, volatile uint8_t *p, bool write)
{
    struct wasm_exec_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.store = s;
    ctx.prev = g_wasm_exec;
    volatile int r = sigsetjmp(ctx.jmp, 0);
    if (r == 0) {
        g_wasm_exec = &ctx;
        if (write)
            *p = 1;
        else
            (void)*p;
    }
    g_wasm_exec = ctx.prev;
    return r;
}

static void test_guard_fault_traps(void **state)
{
    (void)state;
    if (!wasm_guard_pages()) skip();
    struct wasm_store *s = store_with(0, 0);
    struct wasm_memory *m = wasm_memory_new(s, lims(1, false, 0));
    assert_non_null(m);
    uint8_t *base = wasm_memory_data(m);
    assert_int_equal(touch(s, base + 65535, true), 0);
    assert_int_equal(touch(s, base + 65536, false), WASM_TRAP_MEMORY_OOB);
    /* Again, and with a write: the signal must not stay blocked after the jump. */
    assert_int_equal(touch(s, base + 65536 + 17, true), WASM_TRAP_MEMORY_OOB);
    assert_int_equal(touch(s, base + WASM_MEM_RESERVE - 1, false), WASM_TRAP_MEMORY_OOB);
    assert_int_equal(touch(s, base + ((size_t)1 << 32) + 70000, true), WASM_TRAP_MEMORY_OOB);
    /* After growth the page is live and zero. */
    assert_int_equal(wasm_memory_grow(m, 1), 1);
    assert_int_equal(touch(s, base + 65536, true), 0);
    assert_int_equal(base[65536], 1);
    assert_int_equal(base[65537], 0);
    assert_int_equal(touch(s, base + 2 * 65536, true), WASM_TRAP_MEMORY_OOB);

    /* A second memory in the same store is covered too. */
    struct wasm_memory *m2 = wasm_memory_new(s, lims(0, false, 0));
    assert_non_null(m2);
    assert_int_equal(touch(s, m2->base, false), WASM_TRAP_MEMORY_OOB);
    wasm_store_free(s);
}

static struct wasm_store *g_child_store;
static volatile uint8_t *g_child_addr;

/* In a child: the default action behind our handler (not the harness's), and no core. */
static void child_signals(void)
{
    struct rlimit no_core = {0, 0};
    (void)setrlimit(RLIMIT_CORE, &no_core);
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    wasm_fault_handler_install();
}

/* Faults with g_wasm_exec set but outside every reservation: must crash, not trap. */
static void foreign_fault_child(void)
{
    child_signals();
    struct wasm_exec_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.store = g_child_store;
    if (sigsetjmp(ctx.jmp, 0) != 0) _exit(3); /* swallowed: wrong */
    g_wasm_exec = &ctx;
    (void)*g_child_addr;
    _exit(4); /* the access worked: the test is broken */
}

/* Faults inside a reservation with no wasm running: must crash too. */
static void idle_fault_child(void)
{
    child_signals();
    g_wasm_exec = NULL;
    (void)*g_child_addr;
    _exit(4);
}

static void assert_crashed(int status)
{
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGSEGV);
}

static void test_guard_foreign_faults_crash(void **state)
{
    (void)state;
    if (!wasm_guard_pages()) skip();
    struct wasm_store *s = store_with(0, 0);
    struct wasm_memory *m = wasm_memory_new(s, lims(1, false, 0));
    assert_non_null(m);
    void *other = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(other != MAP_FAILED);
    g_child_store = s;
    g_child_addr = other;
    assert_crashed(in_child(foreign_fault_child, true));
    g_child_addr = m->base + 65536;
    assert_crashed(in_child(idle_fault_child, true));
    munmap(other, 4096);
    /* The parent's handler is still in place and working. */
    assert_int_equal(touch(s, m->base + 65536, false), WASM_TRAP_MEMORY_OOB);
    wasm_store_free(s);
}

/* ---- tables ---- */

static void test_tables(void **state)
{
    (void)state;
    struct wasm_store *s = store_with(0, 6);
    int tag;
    struct wasm_table *t = wasm_table_new(s, WASM_EXTERNREF, lims(2, true, 4), &tag);
    assert_non_null(t);
    assert_int_equal(wasm_table_size(t), 2);
    void *e = NULL;
    assert_int_equal(wasm_table_get(t, 1, &e), 0);
    assert_ptr_equal(e, &tag);
    assert_int_equal(wasm_table_get(t, 2, &e), -ERANGE);
    assert_int_equal(wasm_table_get(t, UINT32_MAX, &e), -ERANGE);
    assert_int_equal(wasm_table_grow_elems(t, 0, NULL), 2);
    assert_int_equal(wasm_table_grow_elems(t, 1, NULL), 2);
    assert_int_equal(wasm_table_get(t, 2, &e), 0);
    assert_null(e);
    assert_int_equal(wasm_table_grow_elems(t, 2, NULL), -1); /* over max 4 */
    assert_int_equal(wasm_table_grow_elems(t, UINT32_MAX, NULL), -1);
    assert_int_equal(wasm_table_size(t), 3);

    /* No max: the store cap (6) applies; u32 overflow is refused. */
    struct wasm_table *u = wasm_table_new(s, WASM_FUNCREF, lims(0, false, 0), NULL);
    assert_non_null(u);
    assert_int_equal(wasm_table_size(u), 0);
    assert_int_equal(wasm_table_grow_elems(u, 6, &tag), 0);
    assert_int_equal(wasm_table_grow_elems(u, 1, NULL), -1);
    assert_int_equal(wasm_table_grow_elems(u, UINT32_MAX, NULL), -1);
    assert_int_equal(wasm_table_get(u, 5, &e), 0);
    assert_ptr_equal(e, &tag);

    assert_null(wasm_table_new(s, WASM_I32, lims(0, false, 0), NULL));
    assert_null(wasm_table_new(s, WASM_FUNCREF, lims(3, true, 2), NULL));
    assert_null(wasm_table_new(s, WASM_FUNCREF, lims(7, false, 0), NULL));
    wasm_store_free(s);

    /* Default cap, no max: growth to a large size and u32 wrap-around. */
    s = store_with(0, 0);
    t = wasm_table_new(s, WASM_FUNCREF, lims(0, true, UINT32_MAX), NULL);
    assert_non_null(t);
    assert_int_equal(wasm_table_grow_elems(t, 10000000, NULL), 0);
    assert_int_equal(wasm_table_grow_elems(t, 1, NULL), -1);
    wasm_store_free(s);
}

/* ---- hand-built modules ---- */

/* A module and the arrays it points into; fields are filled by each test. */
struct fixture {
    struct wasm_module mod;
    struct wasm_functype types[2];
    struct wasm_import imports[4];
    struct wasm_func_decl funcs[3];
    struct wasm_table_decl tables[2];
    struct wasm_memory_decl memories[1];
    struct wasm_global_decl globals[8];
    struct wasm_export exports[6];
    struct wasm_elem elems[4];
    struct wasm_data datas[3];
};

/* Constant expressions must outlive the function that builds the module: copy to a pool. */
static uint8_t g_pool[1 << 16];
static size_t g_pool_used;

static struct wasm_constexpr ce(const uint8_t *code, uint32_t size)
{
    struct wasm_constexpr c = {.code = NULL, .size = size};
    if (code) {
        assert_true(size <= sizeof(g_pool) - g_pool_used);
        c.code = memcpy(g_pool + g_pool_used, code, size);
        g_pool_used += size;
    }
    return c;
}
#define CE(...) ce((const uint8_t[]){__VA_ARGS__}, (uint32_t)sizeof((const uint8_t[]){__VA_ARGS__}))

static struct wasm_name nm(const char *s)
{
    struct wasm_name n = {.ptr = s, .len = (uint32_t)strlen(s)};
    return n;
}

static void add_import(struct fixture *f, const char *name, uint8_t kind, uint32_t index)
{
    struct wasm_import *imp = &f->imports[f->mod.nimports++];
    imp->module = nm("env");
    imp->name = nm(name);
    imp->kind = kind;
    imp->index = index;
}

static void add_export(struct fixture *f, const char *name, uint8_t kind, uint32_t index)
{
    struct wasm_export *e = &f->exports[f->mod.nexports++];
    e->name = nm(name);
    e->kind = kind;
    e->index = index;
}

static void fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    f->mod.types = f->types;
    f->mod.imports = f->imports;
    f->mod.funcs = f->funcs;
    f->mod.tables = f->tables;
    f->mod.memories = f->memories;
    f->mod.globals = f->globals;
    f->mod.exports = f->exports;
    f->mod.elems = f->elems;
    f->mod.datas = f->datas;
    /* type 0: [] -> [], type 1: [i32 i64] -> [i32] */
    f->types[1] =
        (struct wasm_functype){.nparams = 2, .params = T_I32_I64, .nresults = 1, .results = T_I32};
    f->mod.ntypes = 2;
}

static const uint8_t g_v128[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static uint32_t g_func2_0[2] = {2, 0}, g_func1 = 1;
static struct wasm_constexpr g_passive_items[2];
static struct wasm_constexpr g_null_extern[1];

/*
 * The "full" module: imports env.f (func type 1), env.t (table funcref 2..10), env.m
 * (memory 1..2), env.g (const i32); defines funcs 1 (type 0) and 2 (type 1), table 1
 * (externref, 3), globals 1..7 of every kind of initialiser, elements (active via global.get,
 * declarative, passive, active on the externref table) and data (active, passive).
 */
static void fixture_full(struct fixture *f)
{
    fixture_init(f);
    struct wasm_module *m = &f->mod;
    add_import(f, "f", WASM_EXTERN_FUNC, 0);
    add_import(f, "t", WASM_EXTERN_TABLE, 0);
    add_import(f, "m", WASM_EXTERN_MEMORY, 0);
    add_import(f, "g", WASM_EXTERN_GLOBAL, 0);
    f->funcs[0] = (struct wasm_func_decl){.type = 1, .imported = true};
    f->funcs[1] = (struct wasm_func_decl){.type = 0};
    f->funcs[2] = (struct wasm_func_decl){.type = 1};
    m->nfuncs = 3, m->nimported_funcs = 1;
    f->tables[0] = (struct wasm_table_decl){WASM_FUNCREF, lims(2, true, 10), true};
    f->tables[1] = (struct wasm_table_decl){WASM_EXTERNREF, lims(3, false, 0), false};
    m->ntables = 2, m->nimported_tables = 1;
    f->memories[0] = (struct wasm_memory_decl){lims(1, true, 2), true};
    m->nmemories = 1, m->nimported_memories = 1;
    f->globals[0] = (struct wasm_global_decl){.type = WASM_I32, .imported = true};
    f->globals[1] = (struct wasm_global_decl){WASM_I32, true, false, CE(0x41, 42, 0x0b)};
    f->globals[2] = (struct wasm_global_decl){WASM_I32, false, false, CE(0x23, 0, 0x0b)};
    f->globals[3] = (struct wasm_global_decl){WASM_FUNCREF, false, false, CE(0xd2, 2, 0x0b)};
    f->globals[4] = (struct wasm_global_decl){WASM_I64, false, false, CE(0x42, 0x7e, 0x0b)};
    f->globals[5] = (struct wasm_global_decl){
        WASM_F64, false, false, CE(0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x0b)}; /* 1.0 */
    f->globals[6] = (struct wasm_global_decl){
        WASM_V128, false, false,
        CE(0xfd, 0x0c, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0x0b)};
    f->globals[7] = (struct wasm_global_decl){WASM_EXTERNREF, true, false, CE(0xd0, 0x6f, 0x0b)};
    m->nglobals = 8, m->nimported_globals = 1;
    add_export(f, "f2", WASM_EXTERN_FUNC, 2);
    add_export(f, "t", WASM_EXTERN_TABLE, 0);
    add_export(f, "t1", WASM_EXTERN_TABLE, 1);
    add_export(f, "m", WASM_EXTERN_MEMORY, 0);
    add_export(f, "g1", WASM_EXTERN_GLOBAL, 1);
    add_export(f, "f0", WASM_EXTERN_FUNC, 0);
    f->elems[0] = (struct wasm_elem){.mode = WASM_SEG_ACTIVE,
                                     .elemtype = WASM_FUNCREF,
                                     .offset = CE(0x23, 0, 0x0b),
                                     .count = 2,
                                     .funcidx = g_func2_0};
    f->elems[1] = (struct wasm_elem){
        .mode = WASM_SEG_DECLARATIVE, .elemtype = WASM_FUNCREF, .count = 1, .funcidx = &g_func1};
    g_passive_items[0] = CE(0xd2, 1, 0x0b);
    g_passive_items[1] = CE(0xd0, 0x70, 0x0b);
    f->elems[2] = (struct wasm_elem){
        .mode = WASM_SEG_PASSIVE, .elemtype = WASM_FUNCREF, .count = 2, .exprs = g_passive_items};
    g_null_extern[0] = CE(0xd0, 0x6f, 0x0b);
    f->elems[3] = (struct wasm_elem){.mode = WASM_SEG_ACTIVE,
                                     .elemtype = WASM_EXTERNREF,
                                     .table = 1,
                                     .offset = CE(0x41, 2, 0x0b),
                                     .count = 1,
                                     .exprs = g_null_extern};
    m->nelems = 4;
    f->datas[0] =
        (struct wasm_data){WASM_SEG_ACTIVE, 0, CE(0x41, 10, 0x0b), (const uint8_t *)"hello", 5};
    f->datas[1] =
        (struct wasm_data){.mode = WASM_SEG_PASSIVE, .bytes = (const uint8_t *)"xyz", .size = 3};
    m->ndatas = 2;
}

static enum wasm_trap host_nop(struct wasm_caller *caller, void *env, const union wasm_val *args,
                               union wasm_val *results)
{
    (void)caller, (void)env, (void)args;
    results[0].i32 = 0;
    return WASM_TRAP_NONE;
}

/* Objects that satisfy fixture_full's imports exactly. */
struct full_imports {
    struct wasm_extern ext[4];
    struct wasm_func *f;
    struct wasm_table *t;
    struct wasm_memory *m;
    struct wasm_global *g;
};

static void full_imports(struct wasm_store *s, struct full_imports *im)
{
    struct wasm_functype ft = {.nparams = 2, .params = T_I32_I64, .nresults = 1, .results = T_I32};
    im->f = wasm_func_new_host(s, &ft, host_nop, NULL);
    im->t = wasm_table_new(s, WASM_FUNCREF, lims(3, true, 10), NULL);
    im->m = wasm_memory_new(s, lims(1, true, 2));
    im->g = wasm_global_new(s, WASM_I32, false, (union wasm_val){.i32 = 1});
    assert_true(im->f && im->t && im->m && im->g);
    im->ext[0] = (struct wasm_extern){.kind = WASM_EXTERN_FUNC, .of.func = im->f};
    im->ext[1] = (struct wasm_extern){.kind = WASM_EXTERN_TABLE, .of.table = im->t};
    im->ext[2] = (struct wasm_extern){.kind = WASM_EXTERN_MEMORY, .of.memory = im->m};
    im->ext[3] = (struct wasm_extern){.kind = WASM_EXTERN_GLOBAL, .of.global = im->g};
}

static void check_full_globals(struct wasm_instance *inst)
{
    assert_int_equal(inst->globals[1]->val.i32, 42);
    assert_true(inst->globals[1]->mutable_);
    assert_int_equal(inst->globals[2]->val.i32, 1); /* global.get of the import */
    assert_false(inst->globals[2]->mutable_);
    assert_ptr_equal(inst->globals[3]->val.ref, inst->funcs[2]);
    assert_true(inst->globals[4]->val.i64 == (uint64_t)-2);
    assert_true(inst->globals[5]->val.f64 == 0x3ff0000000000000ull);
    assert_memory_equal(inst->globals[6]->val.v128, g_v128, 16);
    assert_null(inst->globals[7]->val.ref);
    assert_int_equal(inst->globals[7]->type, WASM_EXTERNREF);
}

static void test_instantiate_full(void **state)
{
    (void)state;
    struct wasm_store *s = store_with(0, 0);
    struct fixture f;
    fixture_full(&f);
    struct full_imports im;
    full_imports(s, &im);
    struct wasm_instance *inst = NULL;
    struct wasm_error err;
    assert_int_equal(wasm_instance_new(s, &f.mod, im.ext, 4, &inst, &err), 0);
    assert_non_null(inst);
    assert_ptr_equal(inst->funcs[0], im.f);
    struct wasm_func *f2 = inst->funcs[2];
    assert_ptr_equal(f2->inst, inst);
    assert_int_equal(f2->index, 2);
    assert_int_equal(f2->type_id, im.f->type_id); /* same structural type, same id */
    assert_int_not_equal(inst->funcs[1]->type_id, f2->type_id);
    assert_int_equal(wasm_func_type(f2)->nparams, 2);
    assert_ptr_equal(inst->mem0, im.m);
    check_full_globals(inst);

    /* Element segment 0 wrote [func 2, import 0] at offset 1 (the imported global's value). */
    assert_null(im.t->elems[0]);
    assert_ptr_equal(im.t->elems[1], f2);
    assert_ptr_equal(im.t->elems[2], im.f);
    assert_int_equal(wasm_table_size(inst->tables[1]), 3);
    assert_true(inst->elem_dropped[0] && inst->elem_dropped[1] && inst->elem_dropped[3]);
    assert_false(inst->elem_dropped[2]);
    assert_memory_equal(wasm_memory_data(im.m) + 10, "hello", 5);
    assert_int_equal(wasm_memory_data(im.m)[9] | wasm_memory_data(im.m)[15], 0);
    assert_true(inst->data_dropped[0]);
    assert_false(inst->data_dropped[1]);

    struct wasm_extern e;
    assert_int_equal(wasm_instance_export(inst, "f2", 2, &e), 0);
    assert_int_equal(e.kind, WASM_EXTERN_FUNC);
    assert_ptr_equal(e.of.func, f2);
    assert_int_equal(wasm_instance_export(inst, "f0", 2, &e), 0);
    assert_ptr_equal(e.of.func, im.f);
    assert_int_equal(wasm_instance_export(inst, "t1", 2, &e), 0);
    assert_int_equal(e.kind, WASM_EXTERN_TABLE);
    assert_ptr_equal(e.of.table, inst->tables[1]);
    assert_int_equal(wasm_instance_export(inst, "m", 1, &e), 0);
    assert_ptr_equal(e.of.memory, im.m);
    assert_int_equal(wasm_instance_export(inst, "g1", 2, &e), 0);
    assert_ptr_equal(e.of.global, inst->globals[1]);
    assert_int_equal(wasm_instance_export(inst, "g", 1, &e), -ENOENT);
    assert_int_equal(wasm_instance_export(inst, "f2x", 3, &e), -ENOENT);
    assert_int_equal(wasm_instance_export(inst, "f", 1, &e), -ENOENT);

    /* A second instance of the same module gets its own objects. */
    struct wasm_instance *inst2 = NULL;
    assert_int_equal(wasm_instance_new(s, &f.mod, im.ext, 4, &inst2, &err), 0);
    assert_ptr_not_equal(inst2->funcs[2], f2);
    assert_ptr_equal(im.t->elems[1], inst2->funcs[2]);
    assert_ptr_not_equal(inst2->globals[1], inst->globals[1]);
    wasm_store_free(s);
}

/* Instantiation of fixture_full must fail with -EINVAL and a message containing want. */
static void expect_unlinkable(struct wasm_store *s, const struct wasm_extern *ext, uint32_t n,
                              const char *want)
{
    struct fixture f;
    fixture_full(&f);
    struct wasm_instance *before = s->instances, *inst = NULL;
    struct wasm_error err;
    assert_int_equal(wasm_instance_new(s, &f.mod, ext, n, &inst, &err), -EINVAL);
    assert_int_equal(err.code, -EINVAL);
    assert_null(inst);
    if (!strstr(err.msg, want)) fail_msg("message \"%s\" lacks \"%s\"", err.msg, want);
    assert_ptr_equal(s->instances, before); /* nothing left behind */
}

/* Instantiation of fixture_full with ext must succeed. */
static void expect_linkable(struct wasm_store *s, const struct wasm_extern *ext)
{
    struct fixture f;
    fixture_full(&f);
    struct wasm_instance *inst = NULL;
    struct wasm_error err;
    int rc = wasm_instance_new(s, &f.mod, ext, 4, &inst, &err);
    if (rc != 0) fail_msg("instantiation failed: %d %s", rc, err.msg);
}

static void test_import_counts_and_kinds(void **state)
{
    (void)state;
    struct wasm_store *s = store_with(0, 0);
    struct full_imports im;
    full_imports(s, &im);
    struct wasm_extern ext[4];
    expect_unlinkable(s, im.ext, 3, "unknown import");
    expect_unlinkable(s, NULL, 4, "unknown import");
    memcpy(ext, im.ext, sizeof(ext));
    ext[2].of.memory = NULL;
    expect_unlinkable(s, ext, 4, "unknown import");
    memcpy(ext, im.ext, sizeof(ext));
    ext[0] = im.ext[1]; /* a table where a function is wanted */
    expect_unlinkable(s, ext, 4, "incompatible import type");
    memcpy(ext, im.ext, sizeof(ext));
    ext[3] = (struct wasm_extern){.kind = WASM_EXTERN_FUNC, .of.func = im.f};
    expect_unlinkable(s, ext, 4, "incompatible import type");
    wasm_store_free(s);
}

static void test_import_func_types(void **state)
{
    (void)state;
    struct wasm_store *s = store_with(0, 0);
    struct full_imports im;
    full_imports(s, &im);
    struct wasm_extern ext[4];
    memcpy(ext, im.ext, sizeof(ext));
    struct wasm_functype ft = {.nparams = 2, .params = T_I32_I64}; /* no result */
    ext[0].of.func = wasm_func_new_host(s, &ft, host_nop, NULL);
    expect_unlinkable(s, ext, 4, "incompatible import type");
    const uint8_t swapped[] = {WASM_I64, WASM_I32};
    ft = (struct wasm_functype){.nparams = 2, .params = swapped, .nresults = 1, .results = T_I32};
    ext[0].of.func = wasm_func_new_host(s, &ft, host_nop, NULL);
    expect_unlinkable(s, ext, 4, "incompatible import type");
    ft = (struct wasm_functype){.nparams = 2, .params = T_I32_I64, .nresults = 1, .results = T_I32};
    ext[0].of.func = wasm_func_new_host(s, &ft, host_nop, &ft); /* same type, new func */
    expect_linkable(s, ext);
    wasm_store_free(s);
}

static void test_import_tables(void **state)
{
    (void)state;
    struct wasm_store *s = store_with(0, 0);
    struct full_imports im;
    full_imports(s, &im);
    struct wasm_extern ext[4];
    memcpy(ext, im.ext, sizeof(ext));
    /* declared: funcref, min 2, max 10 */
    ext[1].of.table = wasm_table_new(s, WASM_EXTERNREF, lims(2, true, 10), NULL);
    expect_unlinkable(s, ext, 4, "incompatible import type");
    ext[1].of.table = wasm_table_new(s, WASM_FUNCREF, lims(1, true, 10), NULL);
    expect_unlinkable(s, ext, 4, "incompatible import type");
    ext[1].of.table = wasm_table_new(s, WASM_FUNCREF, lims(2, false, 0), NULL);
    expect_unlinkable(s, ext, 4, "incompatible import type");
    ext[1].of.table = wasm_table_new(s, WASM_FUNCREF, lims(2, true, 11), NULL);
    expect_unlinkable(s, ext, 4, "incompatible import type");
    ext[1].of.table = wasm_table_new(s, WASM_FUNCREF, lims(5, true, 5), NULL);
    expect_linkable(s, ext);
    /* The current size counts, not the declared minimum. */
    struct wasm_table *t = wasm_table_new(s, WASM_FUNCREF, lims(1, true, 3), NULL);
    ext[1].of.table = t;
    expect_unlinkable(s, ext, 4, "incompatible import type");
    assert_int_equal(wasm_table_grow_elems(t, 2, NULL), 1);
    expect_linkable(s, ext);
    wasm_store_free(s);
}

static void test_import_memories_globals(void **state)
{
    (void)state;
    struct wasm_store *s = store_with(0, 0);
    struct full_imports im;
    full_imports(s, &im);
    struct wasm_extern ext[4];
    memcpy(ext, im.ext, sizeof(ext));
    /* declared memory: min 1, max 2 */
    struct wasm_memory *m = wasm_memory_new(s, lims(0, true, 2));
    ext[2].of.memory = m;
    expect_unlinkable(s, ext, 4, "incompatible import type");
    assert_int_equal(wasm_memory_grow(m, 1), 0);
    expect_linkable(s, ext);
    ext[2].of.memory = wasm_memory_new(s, lims(1, false, 0));
    expect_unlinkable(s, ext, 4, "incompatible import type");
    ext[2].of.memory = wasm_memory_new(s, lims(1, true, 3));
    expect_unlinkable(s, ext, 4, "incompatible import type");
    ext[2].of.memory = wasm_memory_new(s, lims(2, true, 2));
    expect_linkable(s, ext);

    memcpy(ext, im.ext, sizeof(ext));
    union wasm_val one = {.i32 = 1};
    ext[3].of.global = wasm_global_new(s, WASM_I32, true, one); /* declared immutable */
    expect_unlinkable(s, ext, 4, "incompatible import type");
    ext[3].of.global = wasm_global_new(s, WASM_I64, false, one);
    expect_unlinkable(s, ext, 4, "incompatible import type");
    ext[3].of.global = wasm_global_new(s, WASM_I32, false, one);
    expect_linkable(s, ext);
    wasm_store_free(s);
}

/* ---- segments out of bounds, start function ---- */

struct start_env {
    struct wasm_memory *mem;
    int calls;
    uint8_t seen;
    enum wasm_trap ret;
};

static enum wasm_trap host_start(struct wasm_caller *caller, void *env, const union wasm_val *args,
                                 union wasm_val *results)
{
    (void)caller, (void)args, (void)results;
    struct start_env *e = env;
    e->calls++;
    e->seen = wasm_memory_data(e->mem)[0];
    if (e->ret != WASM_TRAP_NONE) wasm_caller_set_message(caller, "start refused");
    return e->ret;
}

/*
 * Imports env.start (func type 0: the start function), env.t (funcref table, min 2) and
 * env.m (memory, min 1); defines function 1. Element segments: [0] func 1 at 0 then the
 * caller's elems[1]; data segments: [0] "ab" at 0 then the caller's datas[1].
 */
static void fixture_segments(struct fixture *f)
{
    fixture_init(f);
    struct wasm_module *m = &f->mod;
    add_import(f, "start", WASM_EXTERN_FUNC, 0);
    add_import(f, "t", WASM_EXTERN_TABLE, 0);
    add_import(f, "m", WASM_EXTERN_MEMORY, 0);
    f->funcs[0] = (struct wasm_func_decl){.type = 0, .imported = true};
    f->funcs[1] = (struct wasm_func_decl){.type = 0};
    m->nfuncs = 2, m->nimported_funcs = 1;
    f->tables[0] = (struct wasm_table_decl){WASM_FUNCREF, lims(2, false, 0), true};
    m->ntables = 1, m->nimported_tables = 1;
    f->memories[0] = (struct wasm_memory_decl){lims(1, false, 0), true};
    m->nmemories = 1, m->nimported_memories = 1;
    f->elems[0] = (struct wasm_elem){.mode = WASM_SEG_ACTIVE,
                                     .elemtype = WASM_FUNCREF,
                                     .offset = CE(0x41, 0, 0x0b),
                                     .count = 1,
                                     .funcidx = &g_func1};
    f->elems[1] = f->elems[0];
    m->nelems = 2;
    f->datas[0] =
        (struct wasm_data){WASM_SEG_ACTIVE, 0, CE(0x41, 0, 0x0b), (const uint8_t *)"ab", 2};
    f->datas[1] = f->datas[0];
    m->ndatas = 2;
    m->has_start = true;
    m->start = 0;
}

struct seg_world {
    struct wasm_store *s;
    struct wasm_table *t;
    struct wasm_memory *m;
    struct start_env env;
    struct wasm_extern ext[3];
};

static void seg_world_new(struct seg_world *w)
{
    memset(w, 0, sizeof(*w));
    w->s = store_with(0, 0);
    struct wasm_functype none = {0};
    struct wasm_func *start = wasm_func_new_host(w->s, &none, host_start, &w->env);
    w->t = wasm_table_new(w->s, WASM_FUNCREF, lims(2, false, 0), NULL);
    w->m = wasm_memory_new(w->s, lims(1, false, 0));
    assert_true(start && w->t && w->m);
    w->env.mem = w->m;
    w->ext[0] = (struct wasm_extern){.kind = WASM_EXTERN_FUNC, .of.func = start};
    w->ext[1] = (struct wasm_extern){.kind = WASM_EXTERN_TABLE, .of.table = w->t};
    w->ext[2] = (struct wasm_extern){.kind = WASM_EXTERN_MEMORY, .of.memory = w->m};
}

static int seg_instantiate(struct seg_world *w, struct fixture *f, struct wasm_error *err)
{
    struct wasm_instance *inst = NULL;
    int rc = wasm_instance_new(w->s, &f->mod, w->ext, 3, &inst, err);
    assert_true(rc == 0 ? inst != NULL : inst == NULL);
    return rc;
}

static void test_segments_in_bounds_and_start(void **state)
{
    (void)state;
    struct seg_world w;
    seg_world_new(&w);
    struct fixture f;
    fixture_segments(&f);
    /* Zero-length segments exactly at the end are in bounds. */
    f.elems[1].offset = CE(0x41, 2, 0x0b);
    f.elems[1].count = 0;
    f.datas[1].offset = CE(0x41, 0x80, 0x80, 0x04, 0x0b); /* 65536 */
    f.datas[1].size = 0;
    struct wasm_error err;
    assert_int_equal(seg_instantiate(&w, &f, &err), 0);
    assert_int_equal(w.env.calls, 1);
    assert_int_equal(w.env.seen, 'a'); /* data was written before start ran */
    assert_non_null(w.t->elems[0]);

    /* A trapping start function makes instantiation fail with its trap. */
    w.env.ret = WASM_TRAP_HOST;
    assert_int_equal(seg_instantiate(&w, &f, &err), WASM_TRAP_HOST);
    assert_int_equal(err.code, WASM_TRAP_HOST);
    assert_int_equal(w.env.calls, 2);
    wasm_store_free(w.s);
}

static void test_elem_out_of_bounds(void **state)
{
    (void)state;
    struct seg_world w;
    seg_world_new(&w);
    struct fixture f;
    fixture_segments(&f);
    f.elems[1].offset = CE(0x41, 2, 0x0b); /* 2 + 1 > 2 */
    struct wasm_error err;
    assert_int_equal(seg_instantiate(&w, &f, &err), WASM_TRAP_TABLE_OOB);
    assert_int_equal(err.code, WASM_TRAP_TABLE_OOB);
    assert_non_null(strstr(err.msg, "out of bounds table access"));
    /* Segment 0's write persists and its function (of the failed instance) stays valid. */
    struct wasm_func *fn = w.t->elems[0];
    assert_non_null(fn);
    assert_non_null(fn->inst);
    assert_int_equal(fn->index, 1);
    assert_ptr_equal(fn->inst->store, w.s);
    assert_null(w.t->elems[1]);
    /* Nothing after the trap ran: no data, no start. */
    assert_int_equal(wasm_memory_data(w.m)[0], 0);
    assert_int_equal(w.env.calls, 0);

    /* An offset past the end traps even for an empty segment; a huge offset cannot wrap. */
    f.elems[1].offset = CE(0x41, 3, 0x0b);
    f.elems[1].count = 0;
    assert_int_equal(seg_instantiate(&w, &f, &err), WASM_TRAP_TABLE_OOB);
    f.elems[1].offset = CE(0x41, 0x7f, 0x0b); /* -1 = 0xffffffff */
    f.elems[1].count = 1;
    assert_int_equal(seg_instantiate(&w, &f, &err), WASM_TRAP_TABLE_OOB);
    wasm_store_free(w.s);
}

static void test_data_out_of_bounds(void **state)
{
    (void)state;
    struct seg_world w;
    seg_world_new(&w);
    struct fixture f;
    fixture_segments(&f);
    f.datas[1].offset = CE(0x41, 0xff, 0xff, 0x03, 0x0b); /* 65535 + 2 > 65536 */
    struct wasm_error err;
    assert_int_equal(seg_instantiate(&w, &f, &err), WASM_TRAP_MEMORY_OOB);
    assert_int_equal(err.code, WASM_TRAP_MEMORY_OOB);
    assert_non_null(strstr(err.msg, "out of bounds memory access"));
    assert_memory_equal(wasm_memory_data(w.m), "ab", 2); /* segment 0 persists */
    assert_int_equal(wasm_memory_data(w.m)[65535], 0);
    assert_non_null(w.t->elems[0]); /* elements came first */
    assert_int_equal(w.env.calls, 0);

    f.datas[1].offset = CE(0x41, 0x81, 0x80, 0x04, 0x0b); /* 65537, empty */
    f.datas[1].size = 0;
    assert_int_equal(seg_instantiate(&w, &f, &err), WASM_TRAP_MEMORY_OOB);
    f.datas[1].offset = CE(0x41, 0x7f, 0x0b); /* 0xffffffff */
    f.datas[1].size = 2;
    assert_int_equal(seg_instantiate(&w, &f, &err), WASM_TRAP_MEMORY_OOB);
    wasm_store_free(w.s);
}

static void test_defined_over_caps(void **state)
{
    (void)state;
    struct wasm_store *s = store_with(2, 5);
    struct fixture f;
    fixture_init(&f);
    f.tables[0] = (struct wasm_table_decl){WASM_FUNCREF, lims(6, false, 0), false};
    f.mod.ntables = 1;
    struct wasm_instance *inst = NULL;
    struct wasm_error err;
    assert_int_equal(wasm_instance_new(s, &f.mod, NULL, 0, &inst, &err), -E2BIG);
    f.tables[0].lim.min = 5;
    f.memories[0] = (struct wasm_memory_decl){lims(3, false, 0), false};
    f.mod.nmemories = 1;
    assert_int_equal(wasm_instance_new(s, &f.mod, NULL, 0, &inst, &err), -E2BIG);
    assert_null(inst);
    f.memories[0].lim.min = 2;
    assert_int_equal(wasm_instance_new(s, &f.mod, NULL, 0, &inst, &err), 0);
    assert_int_equal(wasm_table_size(inst->tables[0]), 5);
    assert_true(wasm_memory_size(inst->mem0) == 2 * 65536);
    wasm_store_free(s);
}

/* ---- constant expressions ---- */

static int eval(const struct wasm_instance *inst, struct wasm_constexpr c, union wasm_val *v)
{
    return wasm_constexpr_eval(inst, &c, v);
}

static void test_constexpr(void **state)
{
    (void)state;
    struct wasm_store *s = store_with(0, 0);
    struct fixture f;
    fixture_full(&f);
    struct full_imports im;
    full_imports(s, &im);
    struct wasm_instance *inst = NULL;
    assert_int_equal(wasm_instance_new(s, &f.mod, im.ext, 4, &inst, NULL), 0);
    union wasm_val v;
    assert_int_equal(eval(inst, CE(0x41, 0x7f, 0x0b), &v), 0);
    assert_int_equal(v.i32, 0xffffffffu);
    assert_int_equal(eval(inst, CE(0x43, 0x00, 0x00, 0xc0, 0x7f, 0x0b), &v), 0);
    assert_int_equal(v.f32, 0x7fc00000u);
    assert_int_equal(eval(inst, CE(0x23, 1, 0x0b), &v), 0);
    assert_int_equal(v.i32, 42);
    assert_int_equal(eval(inst, CE(0xd2, 0, 0x0b), &v), 0);
    assert_ptr_equal(v.ref, im.f);
    /* extended-const arithmetic */
    assert_int_equal(eval(inst, CE(0x41, 5, 0x23, 1, 0x6b, 0x41, 3, 0x6c, 0x0b), &v), 0);
    assert_int_equal(v.i32, (uint32_t)((5 - 42) * 3));
    assert_int_equal(eval(inst, CE(0x42, 2, 0x42, 3, 0x7c, 0x0b), &v), 0);
    assert_true(v.i64 == 5);

    /* Malformed: no end, bytes after end, no value, two values, unknown opcode, bad
     * indices, truncated immediates, a wrong SIMD opcode, too deep a stack. */
    assert_int_equal(eval(inst, CE(0x41, 1), &v), -EINVAL);
    assert_int_equal(eval(inst, CE(0x41, 1, 0x0b, 0x0b), &v), -EINVAL);
    assert_int_equal(eval(inst, CE(0x0b), &v), -EINVAL);
    assert_int_equal(eval(inst, CE(0x41, 1, 0x41, 2, 0x0b), &v), -EINVAL);
    assert_int_equal(eval(inst, CE(0x01, 0x0b), &v), -EINVAL);
    assert_int_equal(eval(inst, CE(0x6a, 0x0b), &v), -EINVAL);
    assert_int_equal(eval(inst, CE(0x23, 8, 0x0b), &v), -EINVAL);
    assert_int_equal(eval(inst, CE(0xd2, 3, 0x0b), &v), -EINVAL);
    assert_int_equal(eval(inst, CE(0x41, 0x80), &v), -EINVAL);
    assert_int_equal(eval(inst, CE(0x44, 0, 0, 0, 0x0b), &v), -EINVAL);
    assert_int_equal(eval(inst, CE(0xfd, 0x0d, 0x0b), &v), -EINVAL);
    assert_int_equal(eval(inst, CE(0xd0), &v), -EINVAL);
    uint8_t deep[2 * 17 + 1];
    for (int i = 0; i < 17; i++)
        deep[2 * i] = 0x41, deep[2 * i + 1] = 0;
    deep[34] = 0x0b;
    assert_int_equal(eval(inst, ce(deep, sizeof(deep)), &v), -EINVAL);
    assert_int_equal(eval(inst, ce(NULL, 0), &v), -EINVAL);
    wasm_store_free(s);
}

/* ---- real modules (decoder, validator and interpreter linked in) ---- */

/*
 * Made with wat2wasm from:
 * provider: (memory (export "mem") 1 2) (table (export "tab") 4 funcref)
 *   (global (export "g") (mut i32) (i32.const 7))
 *   (func $add (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
 *   (func (export "load") (param i32) (result i32) local.get 0 i32.load8_u)
 *   (func (export "load_far") (param i32) (result i32) local.get 0 i32.load offset=0xfffffff0)
 *   (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
 *   (data (i32.const 0) "\01\02") (elem (i32.const 0) $add)
 * consumer: (import "m1" "tab" (table 4 funcref)) (import "m1" "mem" (memory 1))
 *   (func $f (result i32) i32.const 99) (elem (i32.const 1) $f) (elem (i32.const 4) $f)
 *   (data (i32.const 0) "\ff")
 * starter: (import "m1" "mem" (memory 1)) (import "m1" "g" (global $g (mut i32)))
 *   (func $s i32.const 5 global.get $g i32.store8 i32.const 8 global.set $g) (start $s)
 * badimport: (import "m1" "add" (func (param i64) (result i32)))
 */
static const uint8_t WASM_PROVIDER[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0c, 0x02, 0x60, 0x02, 0x7f, 0x7f, 0x01,
    0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x03, 0x05, 0x04, 0x00, 0x01, 0x01, 0x01, 0x04, 0x04, 0x01,
    0x70, 0x00, 0x04, 0x05, 0x04, 0x01, 0x01, 0x01, 0x02, 0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x07,
    0x0b, 0x07, 0x30, 0x07, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x03, 0x74, 0x61, 0x62, 0x01, 0x00,
    0x01, 0x67, 0x03, 0x00, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00, 0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00,
    0x01, 0x08, 0x6c, 0x6f, 0x61, 0x64, 0x5f, 0x66, 0x61, 0x72, 0x00, 0x02, 0x04, 0x67, 0x72, 0x6f,
    0x77, 0x00, 0x03, 0x09, 0x07, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x00, 0x0a, 0x24, 0x04, 0x07,
    0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x2d, 0x00, 0x00, 0x0b, 0x0b,
    0x00, 0x20, 0x00, 0x28, 0x02, 0xf0, 0xff, 0xff, 0xff, 0x0f, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x40,
    0x00, 0x0b, 0x0b, 0x08, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x01, 0x02};
static const uint8_t WASM_CONSUMER[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, 0x02,
    0x16, 0x02, 0x02, 0x6d, 0x31, 0x03, 0x74, 0x61, 0x62, 0x01, 0x70, 0x00, 0x04, 0x02, 0x6d, 0x31,
    0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x01, 0x03, 0x02, 0x01, 0x00, 0x09, 0x0d, 0x02, 0x00, 0x41,
    0x01, 0x0b, 0x01, 0x00, 0x00, 0x41, 0x04, 0x0b, 0x01, 0x00, 0x0a, 0x07, 0x01, 0x05, 0x00, 0x41,
    0xe3, 0x00, 0x0b, 0x0b, 0x07, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x01, 0xff};
static const uint8_t WASM_STARTER[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x02,
    0x13, 0x02, 0x02, 0x6d, 0x31, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x01, 0x02, 0x6d, 0x31,
    0x01, 0x67, 0x03, 0x7f, 0x01, 0x03, 0x02, 0x01, 0x00, 0x08, 0x01, 0x00, 0x0a, 0x0f, 0x01,
    0x0d, 0x00, 0x41, 0x05, 0x23, 0x00, 0x3a, 0x00, 0x00, 0x41, 0x08, 0x24, 0x00, 0x0b};
static const uint8_t WASM_BADIMPORT[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06,
                                         0x01, 0x60, 0x01, 0x7e, 0x01, 0x7f, 0x02, 0x0a, 0x01, 0x02,
                                         0x6d, 0x31, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00};

/* Decodes a module; NULL when this build has no validator (the caller skips). */
static struct wasm_module *load(const uint8_t *bytes, size_t size)
{
    struct wasm_module *m = NULL;
    struct wasm_error err;
    int rc = wasm_module_new(bytes, size, &m, &err);
    if (rc == -ENOSYS) return NULL;
    if (rc != 0) fail_msg("wasm_module_new: %d %s", rc, err.msg);
    return m;
}

/* Resolves every import of mod from the exports of provider. */
static void link_from(const struct wasm_module *mod, const struct wasm_instance *provider,
                      struct wasm_extern *ext)
{
    uint32_t n = wasm_module_import_count(mod);
    assert_true(n <= 4);
    for (uint32_t i = 0; i < n; i++) {
        struct wasm_extern_desc d;
        wasm_module_import(mod, i, &d);
        assert_int_equal(wasm_instance_export(provider, d.name, d.name_len, &ext[i]), 0);
    }
}

static struct wasm_func *export_func(const struct wasm_instance *inst, const char *name)
{
    struct wasm_extern e;
    assert_int_equal(wasm_instance_export(inst, name, strlen(name), &e), 0);
    assert_int_equal(e.kind, WASM_EXTERN_FUNC);
    return e.of.func;
}

/* Calls an exported function of one i32 argument (or none: arg < 0); returns 0 or a trap. */
static int call1(struct wasm_store *s, struct wasm_func *f, int64_t arg, uint32_t *result)
{
    union wasm_val args[2] = {{.i32 = (uint32_t)arg}, {.i32 = 0}};
    union wasm_val res[1] = {{.i64 = 0}};
    struct wasm_error err;
    uint32_t nargs = arg < 0 ? 0 : 1;
    int rc = wasm_func_call(s, f, args, nargs, res, 1, &err);
    *result = res[0].i32;
    return rc;
}

/* Executes through the interpreter: results, memory.grow, and out-of-bounds traps (through
 * the fault handler in guard mode). Skipped while the interpreter is not linked. */
static void run_provider(struct wasm_store *s, struct wasm_instance *p, struct wasm_func *f99)
{
    union wasm_val args[2] = {{.i32 = 2}, {.i32 = 3}}, res[1];
    struct wasm_error err;
    int rc = wasm_func_call(s, export_func(p, "add"), args, 2, res, 1, &err);
    if (rc != 0 && g_no_interp) return;
    assert_int_equal(rc, 0);
    assert_int_equal(res[0].i32, 5);
    uint32_t r = 0;
    assert_int_equal(call1(s, f99, -1, &r), 0); /* the failed instance's function */
    assert_int_equal(r, 99);
    struct wasm_func *load_fn = export_func(p, "load"), *grow = export_func(p, "grow");
    assert_int_equal(call1(s, load_fn, 1, &r), 0);
    assert_int_equal(r, 2);
    assert_int_equal(call1(s, load_fn, 65536, &r), WASM_TRAP_MEMORY_OOB);
    assert_int_equal(call1(s, export_func(p, "load_far"), 0x20, &r), WASM_TRAP_MEMORY_OOB);
    assert_int_equal(call1(s, load_fn, 0xffffffff, &r), WASM_TRAP_MEMORY_OOB);
    assert_int_equal(call1(s, grow, 1, &r), 0);
    assert_int_equal(r, 1);
    assert_int_equal(call1(s, load_fn, 65536, &r), 0);
    assert_int_equal(r, 0);
    assert_int_equal(call1(s, grow, 1, &r), 0);
    assert_int_equal(r, 0xffffffffu); /* over the max of 2 pages */
    assert_int_equal(call1(s, load_fn, 2 * 65536, &r), WASM_TRAP_MEMORY_OOB);
}

static void test_real_modules(void **state)
{
    (void)state;
    struct wasm_module *mp = load(WASM_PROVIDER, sizeof(WASM_PROVIDER));
    if (!mp) skip();
    struct wasm_module *mc = load(WASM_CONSUMER, sizeof(WASM_CONSUMER));
    struct wasm_module *ms = load(WASM_STARTER, sizeof(WASM_STARTER));
    struct wasm_module *mb = load(WASM_BADIMPORT, sizeof(WASM_BADIMPORT));
    struct wasm_store *s = store_with(0, 0);
    struct wasm_instance *p = NULL, *c = NULL;
    struct wasm_error err;
    assert_int_equal(wasm_instance_new(s, mp, NULL, 0, &p, &err), 0);
    struct wasm_extern mem, tab, g, ext[4];
    assert_int_equal(wasm_instance_export(p, "mem", 3, &mem), 0);
    assert_int_equal(wasm_instance_export(p, "tab", 3, &tab), 0);
    assert_int_equal(wasm_instance_export(p, "g", 1, &g), 0);
    uint8_t *data = wasm_memory_data(mem.of.memory);
    assert_int_equal(data[0] + data[1] * 10, 21);
    assert_ptr_equal(tab.of.table->elems[0], export_func(p, "add"));
    assert_int_equal(wasm_global_get(g.of.global).i32, 7);

    /* The consumer's second element segment is out of bounds: its first one persists. */
    link_from(mc, p, ext);
    assert_int_equal(wasm_instance_new(s, mc, ext, 2, &c, &err), WASM_TRAP_TABLE_OOB);
    assert_null(c);
    struct wasm_func *f99 = tab.of.table->elems[1];
    assert_non_null(f99);
    assert_int_equal(data[0], 1); /* data segments never ran */

    link_from(ms, p, ext);
    int rc = wasm_instance_new(s, ms, ext, 2, &c, &err);
    if (!g_no_interp) { /* the start function ran */
        assert_int_equal(rc, 0);
        assert_int_equal(data[5], 7);
        assert_int_equal(wasm_global_get(g.of.global).i32, 8);
    }
    g_no_interp = false;
    link_from(mb, p, ext);
    assert_int_equal(wasm_instance_new(s, mb, ext, 1, &c, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "incompatible import type"));

    run_provider(s, p, f99);
    wasm_store_free(s);
    wasm_module_free(mb);
    wasm_module_free(ms);
    wasm_module_free(mc);
    wasm_module_free(mp);
}

/* A module of n tables of elems funcrefs each (elems < 2^28), built by hand. */
static size_t tables_module(uint8_t *out, uint32_t n, uint32_t elems)
{
    static const uint8_t head[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    uint8_t body[1024];
    size_t b = 0;
    body[b++] = (uint8_t)n;
    for (uint32_t i = 0; i < n; i++) {
        body[b++] = 0x70; /* funcref */
        body[b++] = 0x00; /* no max */
        uint32_t v = elems;
        do {
            uint8_t byte = v & 0x7f;
            v >>= 7;
            body[b++] = (uint8_t)(byte | (v ? 0x80 : 0));
        } while (v);
    }
    memcpy(out, head, sizeof(head));
    size_t o = sizeof(head);
    out[o++] = 4; /* table section */
    out[o++] = (uint8_t)(0x80 | (b & 0x7f));
    out[o++] = (uint8_t)(b >> 7);
    memcpy(out + o, body, b);
    return o + b;
}

/* #8: one small module declaring many big tables must fail to link, cleanly, once the store's
 * table budget is spent, instead of taking gigabytes; memories count against their own. */
static void test_store_budget(void **state)
{
    (void)state;
    struct wasm_limits def;
    wasm_limits_default(&def);
    assert_true(def.max_memory_bytes == (uint64_t)4 << 30);
    assert_true(def.max_table_bytes == (uint64_t)1 << 30);
    uint8_t bytes[1200];
    size_t size = tables_module(bytes, 60, 1000000); /* 60 x 8 MB */
    struct wasm_module *mod = NULL;
    struct wasm_error err;
    assert_int_equal(wasm_module_new(bytes, size, &mod, &err), 0);
    struct wasm_limits lim = {.max_table_bytes = 64u << 20};
    struct wasm_store *s = NULL;
    assert_int_equal(wasm_store_new(&lim, &s), 0);
    struct wasm_instance *inst = NULL;
    assert_true(wasm_instance_new(s, mod, NULL, 0, &inst, &err) < 0);
    assert_int_equal(err.code, -E2BIG);
    assert_non_null(strstr(err.msg, "table budget"));
    assert_null(inst);
    /* the budget holds for tables made by the host and for growth too */
    assert_null(wasm_table_new(s, WASM_FUNCREF, lims(9000000, false, 0), NULL));
    wasm_store_free(s);
    wasm_module_free(mod);

    lim = (struct wasm_limits){.max_memory_bytes = 1u << 20}; /* 16 pages */
    assert_int_equal(wasm_store_new(&lim, &s), 0);
    assert_null(wasm_memory_new(s, lims(17, false, 0)));
    struct wasm_memory *m = wasm_memory_new(s, lims(10, false, 0));
    assert_non_null(m);
    assert_int_equal(wasm_memory_grow(m, 7), -1);
    assert_int_equal(wasm_memory_grow(m, 6), 10);
    assert_null(wasm_memory_new(s, lims(1, false, 0)));
    struct wasm_table *t = wasm_table_new(s, WASM_FUNCREF, lims(1, false, 0), NULL);
    assert_non_null(t);
    wasm_store_free(s);
}

/* wasm_module_func_name: the name section, read strictly; a hostile one yields no name. */
static void test_func_name(void **state)
{
    (void)state;
    static const uint8_t good[] = {
        0, 'a', 's', 'm', 1,   0,   0,   0, /* header */
        0, 23,  4,   'n', 'a', 'm', 'e',    /* custom section "name", 23 bytes */
        0, 2,   1,   'm',                   /* module name subsection: skipped */
        1, 12,  2,   0,   4,   'm', 'a', 'i', 'n', 5, 3, 'f', 1, 'x', /* function names */
    };
    static const uint8_t bad[] = {
        0,   'a', 's', 'm', 1, 0, 0, 0,   0,   13,  4,   'n',
        'a', 'm', 'e', 1,   6, 9, 0, 200, 'a', 'b', 'c', /* count 9, a name length past the
                                                            subsection */
    };
    struct wasm_module *mod = NULL;
    struct wasm_error err;
    char buf[8];
    assert_int_equal(wasm_module_new(good, sizeof(good), &mod, &err), 0);
    assert_true(wasm_module_func_name(mod, 0, buf, sizeof(buf)));
    assert_string_equal(buf, "main");
    assert_true(wasm_module_func_name(mod, 5, buf, sizeof(buf)));
    assert_string_equal(buf, "f?x");
    assert_true(wasm_module_func_name(mod, 0, buf, 3));
    assert_string_equal(buf, "ma");
    assert_false(wasm_module_func_name(mod, 1, buf, sizeof(buf)));
    assert_string_equal(buf, "");
    wasm_module_free(mod);
    assert_int_equal(wasm_module_new(bad, sizeof(bad), &mod, &err), 0);
    assert_false(wasm_module_func_name(mod, 0, buf, sizeof(buf)));
    assert_false(wasm_module_func_name(mod, 3, buf, sizeof(buf)));
    wasm_module_free(mod);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_explicit_mode), /* first: see its comment */
        cmocka_unit_test(test_limits_default),
        cmocka_unit_test(test_store_new),
        cmocka_unit_test(test_store_budget),
        cmocka_unit_test(test_func_name),
        cmocka_unit_test(test_intern_types),
        cmocka_unit_test(test_host_func),
        cmocka_unit_test(test_globals),
        cmocka_unit_test(test_memory_default_mode),
        cmocka_unit_test(test_guard_fault_traps),
        cmocka_unit_test(test_guard_foreign_faults_crash),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_instantiate_full),
        cmocka_unit_test(test_import_counts_and_kinds),
        cmocka_unit_test(test_import_func_types),
        cmocka_unit_test(test_import_tables),
        cmocka_unit_test(test_import_memories_globals),
        cmocka_unit_test(test_segments_in_bounds_and_start),
        cmocka_unit_test(test_elem_out_of_bounds),
        cmocka_unit_test(test_data_out_of_bounds),
        cmocka_unit_test(test_defined_over_caps),
        cmocka_unit_test(test_constexpr),
        cmocka_unit_test(test_real_modules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
