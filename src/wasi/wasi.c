/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasi.c - the first slice of WASI preview 1: standard streams, args, environ, clocks,
 * random, proc_exit, sched_yield. See wasi.h for what is and is not served yet.
 *
 * Host functions are looked up by name in one table (name, signature, handler). Guest
 * pointers are translated by guest_ptr(), which checks the range against the caller's memory
 * with overflow-safe arithmetic; the memory base is re-read on each call because memory.grow
 * may move it.
 */
#include "wasi.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

/* WASI errno values (wasi_snapshot_preview1). */
enum {
    WASI_ESUCCESS = 0,
    WASI_EBADF = 8,
    WASI_EFAULT = 21,
    WASI_EINVAL = 28,
    WASI_EIO = 29,
    WASI_ENOSYS = 52,
    WASI_ESPIPE = 70,
};

struct wasi_ctx {
    int argc, nenv;
    char **argv, **env;
    bool exited;
    int exit_code;
};

static void free_strv(char **v, int n)
{
    if (!v)
        return;
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static char **dup_strv(int n, char *const *src)
{
    char **v = calloc((size_t)n + 1, sizeof(*v));
    if (!v)
        return NULL;
    for (int i = 0; i < n; i++) {
        v[i] = strdup(src[i]);
        if (!v[i]) {
            free_strv(v, i);
            return NULL;
        }
    }
    return v;
}

int wasi_ctx_new(int argc, char *const *argv, int nenv, char *const *env, struct wasi_ctx **out)
{
    struct wasi_ctx *c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    c->argc = argc;
    c->nenv = nenv;
    c->argv = dup_strv(argc, argv);
    c->env = dup_strv(nenv, env);
    if (!c->argv || !c->env) {
        wasi_ctx_free(c);
        return -ENOMEM;
    }
    *out = c;
    return 0;
}

void wasi_ctx_free(struct wasi_ctx *ctx)
{
    if (!ctx)
        return;
    free_strv(ctx->argv, ctx->argc);
    free_strv(ctx->env, ctx->nenv);
    free(ctx);
}

bool wasi_ctx_exited(const struct wasi_ctx *ctx, int *code)
{
    if (ctx->exited)
        *code = ctx->exit_code;
    return ctx->exited;
}

/* The guest range [ptr, ptr + len) as a host pointer, or NULL if any of it is outside. */
static uint8_t *guest_ptr(struct wasm_caller *caller, uint32_t ptr, uint64_t len)
{
    struct wasm_memory *mem = wasm_caller_memory(caller);
    if (!mem || (uint64_t)ptr + len > wasm_memory_size(mem))
        return NULL;
    return wasm_memory_data(mem) + ptr;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static void put_u64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

static uint32_t get_u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

#define WASI_FN(name)                                                                          \
    static enum wasm_trap name(struct wasm_caller *caller, void *env,                          \
                               const union wasm_val *args, union wasm_val *res)

/* Shared by args_* and environ_*: sizes, then the pointer array and the string buffer. */
static uint32_t strv_sizes(struct wasm_caller *caller, char **v, int n, uint32_t count_ptr,
                           uint32_t size_ptr)
{
    uint64_t total = 0;
    for (int i = 0; i < n; i++)
        total += strlen(v[i]) + 1;
    uint8_t *pc = guest_ptr(caller, count_ptr, 4), *ps = guest_ptr(caller, size_ptr, 4);
    if (!pc || !ps || total > UINT32_MAX)
        return WASI_EFAULT;
    put_u32(pc, (uint32_t)n);
    put_u32(ps, (uint32_t)total);
    return WASI_ESUCCESS;
}

static uint32_t strv_get(struct wasm_caller *caller, char **v, int n, uint32_t ptrs,
                         uint32_t buf)
{
    uint8_t *pp = guest_ptr(caller, ptrs, (uint64_t)n * 4);
    if (!pp)
        return WASI_EFAULT;
    uint64_t off = buf;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(v[i]) + 1;
        uint8_t *dst = off <= UINT32_MAX ? guest_ptr(caller, (uint32_t)off, len) : NULL;
        if (!dst)
            return WASI_EFAULT;
        memcpy(dst, v[i], len);
        put_u32(pp + 4 * (size_t)i, (uint32_t)off);
        off += len;
    }
    return WASI_ESUCCESS;
}

WASI_FN(args_sizes_get)
{
    struct wasi_ctx *c = env;
    res[0].i32 = strv_sizes(caller, c->argv, c->argc, args[0].i32, args[1].i32);
    return WASM_TRAP_NONE;
}

WASI_FN(args_get)
{
    struct wasi_ctx *c = env;
    res[0].i32 = strv_get(caller, c->argv, c->argc, args[0].i32, args[1].i32);
    return WASM_TRAP_NONE;
}

WASI_FN(environ_sizes_get)
{
    struct wasi_ctx *c = env;
    res[0].i32 = strv_sizes(caller, c->env, c->nenv, args[0].i32, args[1].i32);
    return WASM_TRAP_NONE;
}

WASI_FN(environ_get)
{
    struct wasi_ctx *c = env;
    res[0].i32 = strv_get(caller, c->env, c->nenv, args[0].i32, args[1].i32);
    return WASM_TRAP_NONE;
}

static int clock_of(uint32_t id, clockid_t *out)
{
    static const clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                                    CLOCK_THREAD_CPUTIME_ID};
    if (id >= sizeof(ids) / sizeof(ids[0]))
        return -1;
    *out = ids[id];
    return 0;
}

WASI_FN(clock_res_get)
{
    (void)env;
    clockid_t id;
    struct timespec ts;
    uint8_t *p = guest_ptr(caller, args[1].i32, 8);
    if (clock_of(args[0].i32, &id) < 0 || clock_getres(id, &ts) < 0)
        res[0].i32 = WASI_EINVAL;
    else if (!p)
        res[0].i32 = WASI_EFAULT;
    else {
        put_u64(p, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
        res[0].i32 = WASI_ESUCCESS;
    }
    return WASM_TRAP_NONE;
}

WASI_FN(clock_time_get)
{
    (void)env;
    clockid_t id;
    struct timespec ts;
    uint8_t *p = guest_ptr(caller, args[2].i32, 8);
    if (clock_of(args[0].i32, &id) < 0 || clock_gettime(id, &ts) < 0)
        res[0].i32 = WASI_EINVAL;
    else if (!p)
        res[0].i32 = WASI_EFAULT;
    else {
        put_u64(p, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
        res[0].i32 = WASI_ESUCCESS;
    }
    return WASM_TRAP_NONE;
}

WASI_FN(random_get)
{
    (void)env;
    uint8_t *p = guest_ptr(caller, args[0].i32, args[1].i32);
    res[0].i32 = WASI_ESUCCESS;
    if (!p) {
        res[0].i32 = WASI_EFAULT;
        return WASM_TRAP_NONE;
    }
    for (uint32_t done = 0; done < args[1].i32;) {
        ssize_t n = getrandom(p + done, args[1].i32 - done, 0);
        if (n < 0 && errno != EINTR) {
            res[0].i32 = WASI_EIO;
            break;
        }
        if (n > 0)
            done += (uint32_t)n;
    }
    return WASM_TRAP_NONE;
}

/* fd_read/fd_write over an iovec array: the standard streams only in this version. */
static uint32_t rw_iovs(struct wasm_caller *caller, const union wasm_val *args, bool is_write)
{
    uint32_t fd = args[0].i32, iovs = args[1].i32, n = args[2].i32;
    if ((is_write && fd != 1 && fd != 2) || (!is_write && fd != 0))
        return WASI_EBADF;
    uint8_t *vec = guest_ptr(caller, iovs, (uint64_t)n * 8);
    uint8_t *pdone = guest_ptr(caller, args[3].i32, 4);
    if (!vec || !pdone)
        return WASI_EFAULT;
    uint64_t done = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len = get_u32(vec + 8 * (size_t)i + 4);
        uint8_t *buf = guest_ptr(caller, get_u32(vec + 8 * (size_t)i), len);
        if (!buf)
            return WASI_EFAULT;
        ssize_t r = is_write ? write((int)fd, buf, len) : read((int)fd, buf, len);
        if (r < 0)
            return done ? WASI_ESUCCESS : WASI_EIO;
        done += (uint64_t)r;
        if ((uint32_t)r < len)
            break;
    }
    put_u32(pdone, (uint32_t)done);
    return WASI_ESUCCESS;
}

WASI_FN(fd_write)
{
    (void)env;
    res[0].i32 = rw_iovs(caller, args, true);
    return WASM_TRAP_NONE;
}

WASI_FN(fd_read)
{
    (void)env;
    res[0].i32 = rw_iovs(caller, args, false);
    return WASM_TRAP_NONE;
}

WASI_FN(fd_fdstat_get)
{
    (void)env;
    uint32_t fd = args[0].i32;
    uint8_t *p = guest_ptr(caller, args[1].i32, 24);
    struct stat st;
    if (fd > 2 || fstat((int)fd, &st) < 0) {
        res[0].i32 = WASI_EBADF;
        return WASM_TRAP_NONE;
    }
    if (!p) {
        res[0].i32 = WASI_EFAULT;
        return WASM_TRAP_NONE;
    }
    memset(p, 0, 24);
    /* filetype: character device, regular file, or unknown (pipes, sockets) */
    p[0] = S_ISCHR(st.st_mode) ? 2 : S_ISREG(st.st_mode) ? 4 : 0;
    put_u64(p + 8, fd == 0 ? 0x2 /* fd_read */ : 0x40 /* fd_write */);
    res[0].i32 = WASI_ESUCCESS;
    return WASM_TRAP_NONE;
}

/* Standard streams are not seekable, have no pre-opened directory, and stay open. */
WASI_FN(fd_seek)
{
    (void)caller, (void)env;
    res[0].i32 = args[0].i32 <= 2 ? WASI_ESPIPE : WASI_EBADF;
    return WASM_TRAP_NONE;
}

WASI_FN(fd_close)
{
    (void)caller, (void)env;
    res[0].i32 = args[0].i32 <= 2 ? WASI_ESUCCESS : WASI_EBADF;
    return WASM_TRAP_NONE;
}

WASI_FN(fd_badf)
{
    (void)caller, (void)env, (void)args;
    res[0].i32 = WASI_EBADF;
    return WASM_TRAP_NONE;
}

WASI_FN(wasi_sched_yield)
{
    (void)caller, (void)env, (void)args;
    sched_yield();
    res[0].i32 = WASI_ESUCCESS;
    return WASM_TRAP_NONE;
}

WASI_FN(proc_exit)
{
    (void)res;
    struct wasi_ctx *c = env;
    c->exited = true;
    c->exit_code = (int)args[0].i32;
    wasm_caller_set_message(caller, "proc_exit");
    return WASM_TRAP_EXIT;
}

WASI_FN(not_implemented)
{
    (void)caller, (void)env, (void)args;
    res[0].i32 = WASI_ENOSYS;
    return WASM_TRAP_NONE;
}

/* Signatures as strings of value-type letters: params ':' results. */
struct wasi_fn {
    const char *name;
    const char *sig;
    wasm_host_fn fn;
};

static const struct wasi_fn wasi_fns[] = {
    {"args_get", "ii:i", args_get},
    {"args_sizes_get", "ii:i", args_sizes_get},
    {"environ_get", "ii:i", environ_get},
    {"environ_sizes_get", "ii:i", environ_sizes_get},
    {"clock_res_get", "ii:i", clock_res_get},
    {"clock_time_get", "iIi:i", clock_time_get},
    {"random_get", "ii:i", random_get},
    {"fd_write", "iiii:i", fd_write},
    {"fd_read", "iiii:i", fd_read},
    {"fd_fdstat_get", "ii:i", fd_fdstat_get},
    {"fd_seek", "iIii:i", fd_seek},
    {"fd_close", "i:i", fd_close},
    {"fd_prestat_get", "ii:i", fd_badf},
    {"fd_prestat_dir_name", "iii:i", fd_badf},
    {"sched_yield", ":i", wasi_sched_yield},
    {"proc_exit", "i:", proc_exit},
};

static bool sig_matches(const char *sig, const struct wasm_functype *t)
{
    uint32_t i = 0;
    for (; *sig && *sig != ':'; sig++, i++)
        if (i >= t->nparams || t->params[i] != (*sig == 'I' ? WASM_I64 : WASM_I32))
            return false;
    if (i != t->nparams || *sig++ != ':')
        return false;
    for (i = 0; *sig; sig++, i++)
        if (i >= t->nresults || t->results[i] != (*sig == 'I' ? WASM_I64 : WASM_I32))
            return false;
    return i == t->nresults;
}

static bool name_is(const struct wasm_extern_desc *d, const char *mod, const char *name)
{
    return d->module_len == strlen(mod) && memcmp(d->module, mod, d->module_len) == 0 &&
           d->name_len == strlen(name) && memcmp(d->name, name, d->name_len) == 0;
}

/* The host function for one import, or NULL (msg says why). */
static struct wasm_func *link_one(struct wasi_ctx *ctx, struct wasm_store *store,
                                  const struct wasm_extern_desc *d, char *msg, size_t msg_size)
{
    if (d->kind != WASM_EXTERN_FUNC) {
        snprintf(msg, msg_size, "unknown import %.*s.%.*s", (int)d->module_len, d->module,
                 (int)d->name_len, d->name);
        return NULL;
    }
    for (size_t i = 0; i < sizeof(wasi_fns) / sizeof(wasi_fns[0]); i++) {
        if (!name_is(d, "wasi_snapshot_preview1", wasi_fns[i].name))
            continue;
        if (!sig_matches(wasi_fns[i].sig, &d->func)) {
            snprintf(msg, msg_size, "import wasi_snapshot_preview1.%s has the wrong type",
                     wasi_fns[i].name);
            return NULL;
        }
        return wasm_func_new_host(store, &d->func, wasi_fns[i].fn, ctx);
    }
    if (d->module_len == 22 && memcmp(d->module, "wasi_snapshot_preview1", 22) == 0 &&
        d->func.nresults == 1 && d->func.results[0] == WASM_I32)
        return wasm_func_new_host(store, &d->func, not_implemented, ctx);
    snprintf(msg, msg_size, "unknown import %.*s.%.*s", (int)d->module_len, d->module,
             (int)d->name_len, d->name);
    return NULL;
}

int wasi_ctx_link(struct wasi_ctx *ctx, struct wasm_store *store, const struct wasm_module *mod,
                  struct wasm_extern *imports, char *msg, size_t msg_size)
{
    uint32_t n = wasm_module_import_count(mod);
    for (uint32_t i = 0; i < n; i++) {
        struct wasm_extern_desc d;
        wasm_module_import(mod, i, &d);
        struct wasm_func *f = link_one(ctx, store, &d, msg, msg_size);
        if (!f)
            return -ENOENT;
        imports[i].kind = WASM_EXTERN_FUNC;
        imports[i].of.func = f;
    }
    return 0;
}
