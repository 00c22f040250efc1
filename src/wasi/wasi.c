/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasi.c - the WASI context, linking, and the functions that touch no fd: args, environ,
 * clocks, random, proc_exit, proc_raise, sched_yield.
 *
 * Linking: wasi_fns.def lists the 46 functions (name, signature) once; it expands here into
 * a table of {name, signature, handler}. Every import is matched by name and its type checked
 * against the signature; one trampoline (host_call) serves all of them: it runs the handler,
 * stores its errno as the i32 result, and turns WASI_STOP into a WASM_TRAP_EXIT.
 *
 * Guest pointers are translated by wasi_mem(), which checks the range against the caller's
 * memory with overflow-safe arithmetic; the memory base is re-read on each call because
 * memory.grow may move it.
 */
#include "internal.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

uint16_t wasi_errno_from_host(int host_errno)
{
#define WASI_ERRNO_CASE(name, value)                                                               \
    case E##name: return WASI_E##name;
    switch (host_errno) {
    case 0: return WASI_ESUCCESS;
    case EWASI_NOTCAPABLE: return WASI_ENOTCAPABLE; WASI_ERRNO_LIST(WASI_ERRNO_CASE)
    default: return WASI_EIO;
    }
#undef WASI_ERRNO_CASE
}

static void free_strv(char **v, int n)
{
    if (!v) return;
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static char **dup_strv(int n, char *const *src)
{
    char **v = calloc((size_t)n + 1, sizeof(*v));
    if (!v) return NULL;
    for (int i = 0; i < n; i++) {
        v[i] = strdup(src[i]);
        if (!v[i]) {
            free_strv(v, i);
            return NULL;
        }
    }
    return v;
}

static bool env_flag(const char *name)
{
    const char *v = getenv(name);
    return v && *v && strcmp(v, "0") != 0;
}

int wasi_ctx_new(int argc, char *const *argv, int nenv, char *const *env, struct wasi_ctx **out)
{
    if (argc < 0 || nenv < 0) return -EINVAL;
    struct wasi_ctx *c = calloc(1, sizeof(*c));
    if (!c) return -ENOMEM;
    c->argc = argc;
    c->nenv = nenv;
    c->argv = dup_strv(argc, argv);
    c->env = dup_strv(nenv, env);
    if (!c->argv || !c->env) {
        wasi_ctx_free(c);
        return -ENOMEM;
    }
    c->host = wasi_host_ops_direct();
    c->trace = env_flag("ENARX_WASI_TRACE");
    c->no_openat2 = env_flag("ENARX_WASI_NO_OPENAT2");
    *out = c;
    return 0;
}

int wasi_ctx_set_env(struct wasi_ctx *ctx, int nenv, char *const *env)
{
    if (nenv < 0) return -EINVAL;
    char **v = dup_strv(nenv, env);
    if (!v) return -ENOMEM;
    free_strv(ctx->env, ctx->nenv);
    ctx->env = v;
    ctx->nenv = nenv;
    return 0;
}

void wasi_ctx_free(struct wasi_ctx *ctx)
{
    if (!ctx) return;
    for (uint32_t i = 0; i < ctx->nfds; i++)
        wasi_fd_release(ctx, &ctx->fds[i]);
    free(ctx->fds);
    free(ctx->fdbits);
    free(ctx->bindings);
    free_strv(ctx->argv, ctx->argc);
    free_strv(ctx->env, ctx->nenv);
    free(ctx);
}

bool wasi_ctx_exited(const struct wasi_ctx *ctx, int *code)
{
    if (ctx->exited) *code = ctx->exit_code;
    return ctx->exited;
}

uint8_t *wasi_mem(struct wasm_caller *caller, uint32_t ptr, uint64_t size)
{
    struct wasm_memory *mem = wasm_caller_memory(caller);
    if (!mem || size > UINT32_MAX + 1ull || (uint64_t)ptr + size > wasm_memory_size(mem))
        return NULL;
    return wasm_memory_data(mem) + ptr;
}

/* Shared by args_* and environ_*: the count and the total size of the strings. */
static uint16_t strv_sizes(struct wasm_caller *caller, char **v, int n, uint32_t count_ptr,
                           uint32_t size_ptr)
{
    uint64_t total = 0;
    for (int i = 0; i < n; i++)
        total += strlen(v[i]) + 1;
    uint8_t *pc = wasi_mem(caller, count_ptr, 4), *ps = wasi_mem(caller, size_ptr, 4);
    if (!pc || !ps) return WASI_EFAULT;
    if (total > UINT32_MAX) return WASI_EOVERFLOW;
    wasi_put_u32(pc, (uint32_t)n);
    wasi_put_u32(ps, (uint32_t)total);
    return WASI_ESUCCESS;
}

/* The pointer array at ptrs, the NUL-terminated strings one after another at buf. */
static uint16_t strv_get(struct wasm_caller *caller, char **v, int n, uint32_t ptrs, uint32_t buf)
{
    uint8_t *pp = wasi_mem(caller, ptrs, (uint64_t)n * 4);
    if (!pp) return WASI_EFAULT;
    uint64_t off = buf;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(v[i]) + 1;
        uint8_t *dst = off <= UINT32_MAX ? wasi_mem(caller, (uint32_t)off, len) : NULL;
        if (!dst) return WASI_EFAULT;
        memcpy(dst, v[i], len);
        wasi_put_u32(pp + 4 * (size_t)i, (uint32_t)off);
        off += len;
    }
    return WASI_ESUCCESS;
}

WASI_FN(args_sizes_get)
{
    return strv_sizes(caller, ctx->argv, ctx->argc, a[0].i32, a[1].i32);
}

WASI_FN(args_get)
{
    return strv_get(caller, ctx->argv, ctx->argc, a[0].i32, a[1].i32);
}

WASI_FN(environ_sizes_get)
{
    return strv_sizes(caller, ctx->env, ctx->nenv, a[0].i32, a[1].i32);
}

WASI_FN(environ_get)
{
    return strv_get(caller, ctx->env, ctx->nenv, a[0].i32, a[1].i32);
}

WASI_FN(clock_res_get)
{
    uint64_t ns;
    int ret = wasi_host_clock_res_ns(ctx, a[0].i32, &ns);
    if (ret < 0) return wasi_errno_from_host(-ret);
    uint8_t *p = wasi_mem(caller, a[1].i32, 8);
    if (!p) return WASI_EFAULT;
    wasi_put_u64(p, ns);
    return WASI_ESUCCESS;
}

/* a[1] is the precision the caller wants; the host clocks are always read at their best. A
 * monotonic clock seen going backwards is EIO (host.c). */
WASI_FN(clock_time_get)
{
    uint64_t ns;
    int ret = wasi_host_clock_ns(ctx, a[0].i32, &ns);
    if (ret < 0) return wasi_errno_from_host(-ret);
    uint8_t *p = wasi_mem(caller, a[2].i32, 8);
    if (!p) return WASI_EFAULT;
    wasi_put_u64(p, ns);
    return WASI_ESUCCESS;
}

WASI_FN(random_get)
{
    uint32_t size = a[1].i32;
    uint8_t *p = wasi_mem(caller, a[0].i32, size);
    if (!p) return WASI_EFAULT;
    for (uint32_t done = 0; done < size;) {
        ssize_t n = wasi_host_getrandom(ctx, p + done, size - done);
        if (n < 0) return WASI_EIO;
        done += (uint32_t)n;
    }
    return WASI_ESUCCESS;
}

WASI_FN(sched_yield)
{
    (void)caller, (void)a;
    wasi_host_sched_yield(ctx);
    return WASI_ESUCCESS;
}

WASI_FN(proc_exit)
{
    (void)caller;
    ctx->exited = true;
    ctx->exit_code = (int)a[0].i32;
    return WASI_STOP;
}

/*
 * WASI signal numbers 1..30 in the spec's order, as host signals. A signal whose default
 * action ends a process ends the workload with status 128 + the host number, as a shell
 * reports it; one that is ignored or stops a process by default is a no-op here (a Keep is
 * not stopped and continued by its own workload).
 */
static const int wasi_signals[] = {
    0,       SIGHUP,    SIGINT,  SIGQUIT,  SIGILL,  SIGTRAP, SIGABRT, SIGBUS,
    SIGFPE,  SIGKILL,   SIGUSR1, SIGSEGV,  SIGUSR2, SIGPIPE, SIGALRM, SIGTERM,
    SIGCHLD, SIGCONT,   SIGSTOP, SIGTSTP,  SIGTTIN, SIGTTOU, SIGURG,  SIGXCPU,
    SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGPOLL, SIGPWR,  SIGSYS,
};

WASI_FN(proc_raise)
{
    (void)caller;
    uint32_t sig = a[0].i32;
    if (sig >= sizeof(wasi_signals) / sizeof(wasi_signals[0])) return WASI_EINVAL;
    int host = wasi_signals[sig];
    switch (host) {
    case 0:
    case SIGCHLD:
    case SIGCONT:
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
    case SIGURG:
    case SIGWINCH: return WASI_ESUCCESS;
    default:
        ctx->exited = true;
        ctx->exit_code = 128 + host;
        return WASI_STOP;
    }
}

/* One entry per function of wasi_fns.def. */
struct wasi_fn_entry {
    const char *name;
    const char *sig;
    uint16_t (*fn)(struct wasi_ctx *ctx, struct wasm_caller *caller, const union wasm_val *a);
};

static const struct wasi_fn_entry wasi_fns[] = {
#define WASI_FN_LIST_ITEM(name, sig) {#name, sig, wasi_fn_##name},
#include "wasi_fns.def"
#undef WASI_FN_LIST_ITEM
};

/* What a linked import's host function gets as env: its context and its table entry. */
struct wasi_binding {
    struct wasi_ctx *ctx;
    const struct wasi_fn_entry *entry;
};

#define WASI_NFNS (sizeof(wasi_fns) / sizeof(wasi_fns[0]))

static void trace_call(const struct wasi_fn_entry *e, const union wasm_val *args, uint16_t r)
{
    char line[256];
    int n = snprintf(line, sizeof(line), "wasi: %s(", e->name);
    const char *s = e->sig;
    for (int i = 0; *s && *s != ':' && n > 0 && (size_t)n < sizeof(line); s++, i++)
        n +=
            snprintf(line + n, sizeof(line) - (size_t)n, "%s%llu", i ? ", " : "",
                     *s == 'I' ? (unsigned long long)args[i].i64 : (unsigned long long)args[i].i32);
    if (r == WASI_STOP)
        fprintf(stderr, "%s) -> stop\n", line);
    else
        fprintf(stderr, "%s) -> %u\n", line, r);
}

static enum wasm_trap host_call(struct wasm_caller *caller, void *env, const union wasm_val *args,
                                union wasm_val *res)
{
    const struct wasi_binding *b = env;
    uint16_t r = b->entry->fn(b->ctx, caller, args);
    if (b->ctx->trace) trace_call(b->entry, args, r);
    if (r == WASI_STOP) {
        wasm_caller_set_message(caller, b->entry->name);
        return WASM_TRAP_EXIT;
    }
    if (b->entry->sig[strlen(b->entry->sig) - 1] != ':') res[0].i32 = r;
    return WASM_TRAP_NONE;
}

static bool sig_matches(const char *sig, const struct wasm_functype *t)
{
    uint32_t i = 0;
    for (; *sig && *sig != ':'; sig++, i++)
        if (i >= t->nparams || t->params[i] != (*sig == 'I' ? WASM_I64 : WASM_I32)) return false;
    if (i != t->nparams || *sig++ != ':') return false;
    for (i = 0; *sig; sig++, i++)
        if (i >= t->nresults || t->results[i] != (*sig == 'I' ? WASM_I64 : WASM_I32)) return false;
    return i == t->nresults;
}

static bool name_is(const char *s, uint32_t len, const char *want)
{
    return len == strlen(want) && memcmp(s, want, len) == 0;
}

/* The host function for one import, or NULL (msg says why). */
static struct wasm_func *link_one(struct wasi_ctx *ctx, struct wasm_store *store,
                                  const struct wasm_extern_desc *d, char *msg, size_t msg_size)
{
    if (d->kind == WASM_EXTERN_FUNC && name_is(d->module, d->module_len, "wasi_snapshot_preview1"))
        for (size_t i = 0; i < WASI_NFNS; i++) {
            if (!name_is(d->name, d->name_len, wasi_fns[i].name)) continue;
            if (!sig_matches(wasi_fns[i].sig, &d->func)) {
                snprintf(msg, msg_size, "import wasi_snapshot_preview1.%s has the wrong type",
                         wasi_fns[i].name);
                return NULL;
            }
            struct wasi_binding *b = &ctx->bindings[i];
            b->ctx = ctx;
            b->entry = &wasi_fns[i];
            struct wasm_func *f = wasm_func_new_host(store, &d->func, host_call, b);
            if (!f) snprintf(msg, msg_size, "out of memory");
            return f;
        }
    snprintf(msg, msg_size, "unknown import %.*s.%.*s", (int)d->module_len, d->module,
             (int)d->name_len, d->name);
    return NULL;
}

int wasi_ctx_link(struct wasi_ctx *ctx, struct wasm_store *store, const struct wasm_module *mod,
                  struct wasm_extern *imports, char *msg, size_t msg_size)
{
    if (!ctx->bindings) ctx->bindings = calloc(WASI_NFNS, sizeof(*ctx->bindings));
    if (!ctx->bindings) {
        snprintf(msg, msg_size, "out of memory");
        return -ENOMEM;
    }
    uint32_t n = wasm_module_import_count(mod);
    for (uint32_t i = 0; i < n; i++) {
        struct wasm_extern_desc d;
        wasm_module_import(mod, i, &d);
        struct wasm_func *f = link_one(ctx, store, &d, msg, msg_size);
        if (!f) return -ENOENT;
        imports[i].kind = WASM_EXTERN_FUNC;
        imports[i].of.func = f;
    }
    return 0;
}
