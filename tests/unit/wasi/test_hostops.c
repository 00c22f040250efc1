/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_hostops.c - the checking layer above struct wasi_host_ops (src/wasi/host.c), driven by a
 * lying host.
 *
 * Each test starts from the direct table, replaces one entry with a liar (a count larger than
 * asked, an errno no one knows, a garbage directory listing, a clock going backwards, an fd the
 * context holds already ...) and calls the WASI function that uses it, as a workload would,
 * on a real linear memory. The lie must end in a clean WASI error (EIO mostly), with nothing
 * written where the lie would have put it; under ASan (CI) any use of a lie that reached memory
 * would be reported. Each test fails when the check it covers is removed from host.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "wasi/internal.h"
#include "wasm/runtime.h"

/* Guest addresses in the one page of linear memory. */
#define G_IOV 0x100u
#define G_OUT 0x200u /* a u32/u64 result */
#define G_PATH 0x300u
#define G_BUF 0x1000u /* 32 KiB: larger than PATH_MAX, so a lying readlink could overrun */
#define G_BUF_SIZE 0x8000u

struct fixture {
    char root[64];
    struct wasi_ctx *ctx;
    struct wasm_store *store;
    struct wasm_instance inst;
    struct wasm_caller caller;
    uint8_t *mem;
    uint32_t dir;  /* WASI fd of the pre-open */
    uint32_t file; /* WASI fd of "file" (regular, "hello world") */
};

static struct wasi_host_ops g_ops; /* the table the context uses: direct, with liars */
static int g_lie;                  /* which variant of a lie (per test) */

static void must(int ok)
{
    assert_true(ok);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    must(f != NULL);
    snprintf(f->root, sizeof(f->root), "/tmp/enarx-wasi-host.XXXXXX");
    must(mkdtemp(f->root) != NULL);
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/file", f->root);
    int fd = open(path, O_CREAT | O_RDWR, 0600);
    must(fd >= 0 && write(fd, "hello world", 11) == 11);
    must(lseek(fd, 0, SEEK_SET) == 0);
    snprintf(path, sizeof(path), "%s/link", f->root);
    must(symlink("file", path) == 0);
    g_ops = *wasi_host_ops_direct();
    g_lie = 0;
    must(wasi_ctx_new(0, NULL, 0, NULL, &f->ctx) == 0);
    must(wasi_ctx_set_host_ops(f->ctx, &g_ops, f) == 0);
    must(wasi_ctx_add_preopen(f->ctx, f->root, "/", &f->dir) == 0);
    must(wasi_ctx_add_host_fd(f->ctx, fd, true, &f->file) == 0);
    must(wasm_store_new(NULL, &f->store) == 0);
    struct wasm_memory *m = wasm_memory_new(f->store, (struct wasm_limits_decl){1, 1, true});
    must(m != NULL);
    f->inst.store = f->store;
    f->inst.mem0 = m;
    f->caller.store = f->store;
    f->caller.inst = &f->inst;
    f->mem = wasm_memory_data(m);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    wasi_ctx_free(f->ctx);
    wasm_store_free(f->store);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
    must(system(cmd) == 0);
    free(f);
    return 0;
}

static uint32_t get32(struct fixture *f, uint32_t at)
{
    return wasi_get_u32(f->mem + at);
}

/* One iovec at G_IOV for [G_BUF, G_BUF + size); the result slot poisoned. */
static void one_iov(struct fixture *f, uint32_t size)
{
    wasi_put_u32(f->mem + G_IOV, G_BUF);
    wasi_put_u32(f->mem + G_IOV + 4, size);
    wasi_put_u32(f->mem + G_OUT, 0xdeadbeef);
}

static size_t iov_sum(const struct iovec *iov, int n)
{
    size_t t = 0;
    for (int i = 0; i < n; i++)
        t += iov[i].iov_len;
    return t;
}

static uint16_t do_read(struct fixture *f, uint32_t fd, uint32_t size)
{
    one_iov(f, size);
    union wasm_val a[4] = {{.i32 = fd}, {.i32 = G_IOV}, {.i32 = 1}, {.i32 = G_OUT}};
    return wasi_fn_fd_read(f->ctx, &f->caller, a);
}

/* ---- counts ---- */

static ssize_t lie_readv(void *priv, int fd, const struct iovec *iov, int n, int64_t off)
{
    (void)priv, (void)fd, (void)off;
    return (ssize_t)iov_sum(iov, n) + 100;
}

static ssize_t lie_writev(void *priv, int fd, const struct iovec *iov, int n, int64_t off)
{
    (void)priv, (void)fd, (void)off;
    return (ssize_t)iov_sum(iov, n) + 1;
}

static void test_read_count(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(do_read(f, f->file, 5), WASI_ESUCCESS);
    assert_int_equal(get32(f, G_OUT), 5);
    g_ops.readv = lie_readv;
    assert_int_equal(do_read(f, f->file, 5), WASI_EIO);
    assert_int_equal(get32(f, G_OUT), 0xdeadbeef);
    /* pread goes through the same entry */
    union wasm_val a[5] = {
        {.i32 = f->file}, {.i32 = G_IOV}, {.i32 = 1}, {.i64 = 0}, {.i32 = G_OUT}};
    assert_int_equal(wasi_fn_fd_pread(f->ctx, &f->caller, a), WASI_EIO);
}

static void test_write_count(void **state)
{
    struct fixture *f = *state;
    g_ops.writev = lie_writev;
    one_iov(f, 3);
    union wasm_val a[4] = {{.i32 = f->file}, {.i32 = G_IOV}, {.i32 = 1}, {.i32 = G_OUT}};
    assert_int_equal(wasi_fn_fd_write(f->ctx, &f->caller, a), WASI_EIO);
    assert_int_equal(get32(f, G_OUT), 0xdeadbeef);
}

static ssize_t lie_recvmsg(void *priv, int fd, struct msghdr *msg, int flags)
{
    (void)priv, (void)fd, (void)flags;
    return (ssize_t)iov_sum(msg->msg_iov, (int)msg->msg_iovlen) + 1;
}

static ssize_t lie_sendmsg(void *priv, int fd, const struct msghdr *msg, int flags)
{
    (void)priv, (void)fd, (void)flags;
    return (ssize_t)iov_sum(msg->msg_iov, (int)msg->msg_iovlen) * 2 + 1;
}

static void test_socket_counts(void **state)
{
    struct fixture *f = *state;
    int sv[2];
    uint32_t s;
    must(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    must(wasi_ctx_add_host_fd(f->ctx, sv[0], true, &s) == 0);
    must(write(sv[1], "abc", 3) == 3);
    g_ops.recvmsg = lie_recvmsg;
    g_ops.sendmsg = lie_sendmsg;
    one_iov(f, 8);
    union wasm_val r[6] = {{.i32 = s}, {.i32 = G_IOV}, {.i32 = 1},
                           {.i32 = 0}, {.i32 = G_OUT}, {.i32 = G_OUT + 8}};
    assert_int_equal(wasi_fn_sock_recv(f->ctx, &f->caller, r), WASI_EIO);
    assert_int_equal(get32(f, G_OUT), 0xdeadbeef);
    union wasm_val w[5] = {{.i32 = s}, {.i32 = G_IOV}, {.i32 = 1}, {.i32 = 0}, {.i32 = G_OUT}};
    assert_int_equal(wasi_fn_sock_send(f->ctx, &f->caller, w), WASI_EIO);
    /* fd_write on a socket is a sendmsg too */
    assert_int_equal(wasi_fn_fd_write(f->ctx, &f->caller, w), WASI_EIO);
    assert_int_equal(get32(f, G_OUT), 0xdeadbeef);
    close(sv[1]);
}

static ssize_t lie_getrandom(void *priv, void *buf, size_t size)
{
    (void)priv, (void)buf;
    return g_lie ? 0 : (ssize_t)size + 1;
}

static void test_random_count(void **state)
{
    struct fixture *f = *state;
    g_ops.getrandom = lie_getrandom;
    union wasm_val a[2] = {{.i32 = G_BUF}, {.i32 = 16}};
    assert_int_equal(wasi_fn_random_get(f->ctx, &f->caller, a), WASI_EIO);
    g_lie = 1; /* no progress at all would loop forever */
    assert_int_equal(wasi_fn_random_get(f->ctx, &f->caller, a), WASI_EIO);
}

/* ---- errnos ---- */

static ssize_t lie_readv_errno(void *priv, int fd, const struct iovec *iov, int n, int64_t off)
{
    (void)priv, (void)fd, (void)iov, (void)n, (void)off;
    return g_lie;
}

static int lie_fsync(void *priv, int fd, bool data_only)
{
    (void)priv, (void)fd, (void)data_only;
    return g_lie;
}

static int64_t lie_lseek(void *priv, int fd, int64_t off, int whence)
{
    (void)priv, (void)fd, (void)off, (void)whence;
    return -((int64_t)1 << 40);
}

static int lie_mkdirat(void *priv, int dirfd, const char *path, unsigned mode)
{
    (void)priv, (void)dirfd, (void)path, (void)mode;
    return 5;
}

static void test_errnos(void **state)
{
    struct fixture *f = *state;
    g_ops.readv = lie_readv_errno;
    g_lie = -EAGAIN; /* a known errno is passed on */
    assert_int_equal(do_read(f, f->file, 5), WASI_EAGAIN);
    g_lie = -9999; /* an unknown one becomes EIO */
    assert_int_equal(do_read(f, f->file, 5), WASI_EIO);
    g_lie = -EWASI_NOTCAPABLE; /* our private code is not the host's to use */
    assert_int_equal(do_read(f, f->file, 5), WASI_EIO);
    g_lie = INT32_MIN;
    assert_int_equal(do_read(f, f->file, 5), WASI_EIO);
    assert_int_equal(get32(f, G_OUT), 0xdeadbeef);
    /* a call whose success is 0 answering something positive */
    g_ops.fsync = lie_fsync;
    g_lie = 7;
    union wasm_val a[1] = {{.i32 = f->file}};
    assert_int_equal(wasi_fn_fd_sync(f->ctx, &f->caller, a), WASI_EIO);
    g_lie = -ENOSPC;
    assert_int_equal(wasi_fn_fd_sync(f->ctx, &f->caller, a), WASI_ENOSPC);
    g_ops.mkdirat = lie_mkdirat; /* "5" is neither success nor an error */
    memcpy(f->mem + G_PATH, "newdir", 6);
    union wasm_val m[3] = {{.i32 = f->dir}, {.i32 = G_PATH}, {.i32 = 6}};
    assert_int_equal(wasi_fn_path_create_directory(f->ctx, &f->caller, m), WASI_EIO);
    /* a negative offset that is no errno */
    g_ops.lseek = lie_lseek;
    wasi_put_u64(f->mem + G_OUT, 42);
    union wasm_val t[2] = {{.i32 = f->file}, {.i32 = G_OUT}};
    assert_int_equal(wasi_fn_fd_tell(f->ctx, &f->caller, t), WASI_EIO);
    assert_int_equal(wasi_get_u64(f->mem + G_OUT), 42);
}

/* ---- readlink ---- */

static ssize_t lie_readlinkat(void *priv, int dirfd, const char *path, char *buf, size_t size)
{
    (void)priv, (void)dirfd, (void)path, (void)buf;
    return (ssize_t)size + 4000; /* past the Keep's own buffer, within the guest's */
}

static void test_readlink(void **state)
{
    struct fixture *f = *state;
    memcpy(f->mem + G_PATH, "link", 4);
    union wasm_val a[6] = {{.i32 = f->dir}, {.i32 = G_PATH},     {.i32 = 4},
                           {.i32 = G_BUF},  {.i32 = G_BUF_SIZE}, {.i32 = G_OUT}};
    assert_int_equal(wasi_fn_path_readlink(f->ctx, &f->caller, a), WASI_ESUCCESS);
    assert_int_equal(get32(f, G_OUT), 4);
    assert_memory_equal(f->mem + G_BUF, "file", 4);
    g_ops.readlinkat = lie_readlinkat;
    wasi_put_u32(f->mem + G_OUT, 0xdeadbeef);
    assert_int_equal(wasi_fn_path_readlink(f->ctx, &f->caller, a), WASI_EIO);
    assert_int_equal(get32(f, G_OUT), 0xdeadbeef);
}

/* ---- directory entries ---- */

/* One linux_dirent64 at p: reclen bytes, type, name (copied with its NUL when nul, even past
 * reclen: the liar's buffer has room, the lie is in reclen). */
static size_t put_dirent(uint8_t *p, uint16_t reclen, uint8_t type, const char *name, bool nul)
{
    size_t n = strlen(name);
    memset(p, 'x', reclen > WASI_DIRENT64_HDR + n + 1 ? reclen : WASI_DIRENT64_HDR + n + 1);
    uint64_t ino = 7, off = 1;
    memcpy(p, &ino, 8);
    memcpy(p + 8, &off, 8);
    memcpy(p + 16, &reclen, 2);
    p[18] = type;
    memcpy(p + WASI_DIRENT64_HDR, name, n);
    if (nul) p[WASI_DIRENT64_HDR + n] = 0;
    return reclen;
}

/* Well-formed 32-byte entries from p up to p + size. */
static void fill_dirents(uint8_t *p, size_t size)
{
    for (size_t off = 0; off + 32 <= size; off += 32)
        put_dirent(p + off, 32, DT_REG, "filler", true);
}

static bool g_dents_done;

/* g_lie picks the garbage; the first call returns it, the next 0 (end of directory). */
static ssize_t lie_getdents64(void *priv, int fd, void *buf, size_t size)
{
    (void)priv, (void)fd;
    if (g_dents_done) return 0;
    g_dents_done = true;
    uint8_t *p = buf;
    size_t n = put_dirent(p, 24, DT_REG, "ok", true);
    switch (g_lie) {
    case 0: return (ssize_t)(n + put_dirent(p + n, 24, DT_REG, "fine", true)); /* well-formed */
    case 1: { /* a reclen of 16, below the header: its type and "name" are the next entry's */
        uint8_t *q = p + n;
        memset(q, 0, 16);
        put_dirent(q + 16, 24, DT_REG, "fine", true);
        const uint8_t ino[8] = {16, 0, DT_REG, 'A', 'A', 'A', 'A', 'A'}; /* reclen, type, name */
        memcpy(q + 16, ino, 8);
        return (ssize_t)(n + 16 + 24);
    }
    case 2: return (ssize_t)(n + put_dirent(p + n, 28, DT_REG, "odd", true));      /* not aligned */
    case 3: put_dirent(p + n, 64, DT_REG, "past", true); return (ssize_t)(n + 32); /* past n */
    case 4: return (ssize_t)(n + put_dirent(p + n, 24, DT_REG, "nonulnon", false)); /* no NUL */
    case 5: return (ssize_t)(n + put_dirent(p + n, 24, 99, "type", true));    /* unknown type */
    case 6: return (ssize_t)(n + put_dirent(p + n, 24, DT_REG, "a/b", true)); /* a slash */
    case 7: return (ssize_t)(n + put_dirent(p + n, 24, DT_REG, "", true));    /* empty name */
    case 8: /* a 7-byte tail at the very end of the buffer: its reclen would lie outside */
        fill_dirents(p, size - 32); /* size is a multiple of 32: entries end at size - 8 */
        put_dirent(p + size - 32, 24, DT_REG, "last", true);
        return (ssize_t)size - 1;
    case 9: /* more than the buffer holds */ fill_dirents(p, size); return (ssize_t)size + 32;
    default: return -EIO;
    }
}

static uint16_t do_readdir(struct fixture *f)
{
    g_dents_done = false;
    wasi_put_u32(f->mem + G_OUT, 0xdeadbeef);
    union wasm_val a[5] = {
        {.i32 = f->dir}, {.i32 = G_BUF}, {.i32 = G_BUF_SIZE}, {.i64 = 0}, {.i32 = G_OUT}};
    return wasi_fn_fd_readdir(f->ctx, &f->caller, a);
}

static void test_dirents(void **state)
{
    struct fixture *f = *state;
    g_ops.getdents64 = lie_getdents64;
    g_lie = 0;
    assert_int_equal(do_readdir(f), WASI_ESUCCESS);
    assert_int_equal(get32(f, G_OUT), 24 + 2 + 24 + 4);
    for (g_lie = 1; g_lie <= 9; g_lie++) {
        assert_int_equal(do_readdir(f), WASI_EIO);
        assert_int_equal(get32(f, G_OUT), 0xdeadbeef);
    }
}

/* ---- stat ---- */

static int lie_fstat(void *priv, int fd, struct stat *st)
{
    int r = wasi_host_ops_direct()->fstat(priv, fd, st);
    if (g_lie == 1) st->st_mode = (st->st_mode & ~(unsigned)S_IFMT) | 0110000; /* no such type */
    if (g_lie == 2) st->st_size = -5;
    if (g_lie == 3) st->st_mtim.tv_nsec = 1000000000L;
    return r;
}

static void test_stat(void **state)
{
    struct fixture *f = *state;
    g_ops.fstat = lie_fstat;
    union wasm_val a[2] = {{.i32 = f->file}, {.i32 = G_BUF}};
    g_lie = 0;
    assert_int_equal(wasi_fn_fd_filestat_get(f->ctx, &f->caller, a), WASI_ESUCCESS);
    assert_int_equal(wasi_get_u64(f->mem + G_BUF + 32), 11);
    for (g_lie = 1; g_lie <= 3; g_lie++) {
        memset(f->mem + G_BUF, 0xee, 64);
        assert_int_equal(wasi_fn_fd_filestat_get(f->ctx, &f->caller, a), WASI_EIO);
        assert_int_equal(f->mem[G_BUF], 0xee);
    }
}

/* ---- time ---- */

static int lie_clock_gettime(void *priv, int clock, struct timespec *ts)
{
    (void)priv, (void)clock;
    static long t = 100;
    t += g_lie; /* g_lie < 0: backwards */
    ts->tv_sec = t;
    ts->tv_nsec = g_lie == 5 ? -1 : 0;
    return 0;
}

static void test_time(void **state)
{
    struct fixture *f = *state;
    g_ops.clock_gettime = lie_clock_gettime;
    union wasm_val a[3] = {{.i32 = 1}, {.i64 = 0}, {.i32 = G_OUT}};
    g_lie = 1;
    assert_int_equal(wasi_fn_clock_time_get(f->ctx, &f->caller, a), WASI_ESUCCESS);
    uint64_t first = wasi_get_u64(f->mem + G_OUT);
    g_lie = -1;
    assert_int_equal(wasi_fn_clock_time_get(f->ctx, &f->caller, a), WASI_EIO);
    assert_int_equal(wasi_get_u64(f->mem + G_OUT), first);
    /* the realtime clock may be set back */
    a[0].i32 = 0;
    assert_int_equal(wasi_fn_clock_time_get(f->ctx, &f->caller, a), WASI_ESUCCESS);
    /* a timespec that is no time */
    g_lie = 5;
    assert_int_equal(wasi_fn_clock_time_get(f->ctx, &f->caller, a), WASI_EIO);
    /* poll_oneoff's deadlines use the monotonic clock: a backwards one is an error, not a hang */
    g_lie = -3;
    uint8_t *sub = f->mem + G_BUF;
    memset(sub, 0, 48);
    sub[8] = 0;                         /* clock */
    wasi_put_u32(sub + 16, 1);          /* monotonic */
    wasi_put_u64(sub + 24, 1000000000); /* 1 s */
    union wasm_val p[4] = {{.i32 = G_BUF}, {.i32 = G_BUF + 64}, {.i32 = 1}, {.i32 = G_OUT}};
    assert_int_equal(wasi_fn_poll_oneoff(f->ctx, &f->caller, p), WASI_EIO);
}

static int lie_ppoll(void *priv, struct pollfd *fds, unsigned long n, const struct timespec *ts)
{
    (void)priv, (void)ts;
    for (unsigned long i = 0; i < n; i++)
        fds[i].revents = (short)0xffff;
    return (int)n + 5;
}

static void test_poll_count(void **state)
{
    struct fixture *f = *state;
    int p[2];
    uint32_t rd;
    must(pipe(p) == 0);
    must(wasi_ctx_add_host_fd(f->ctx, p[0], true, &rd) == 0);
    g_ops.ppoll = lie_ppoll;
    uint8_t *sub = f->mem + G_BUF;
    memset(sub, 0, 48);
    sub[8] = 1; /* fd_read */
    wasi_put_u32(sub + 16, rd);
    union wasm_val a[4] = {{.i32 = G_BUF}, {.i32 = G_BUF + 64}, {.i32 = 1}, {.i32 = G_OUT}};
    wasi_put_u32(f->mem + G_OUT, 0xdeadbeef);
    assert_int_equal(wasi_fn_poll_oneoff(f->ctx, &f->caller, a), WASI_EIO);
    assert_int_equal(get32(f, G_OUT), 0xdeadbeef);
    close(p[1]);
}

/* ---- fds ---- */

static int lie_openat(void *priv, int dirfd, const char *path, int flags, unsigned mode)
{
    struct fixture *f = priv;
    (void)dirfd, (void)path, (void)flags, (void)mode;
    if (g_lie == 1) return f->ctx->fds[f->file].host; /* one the table holds */
    if (g_lie == 2) return 1;                         /* stdout */
    if (g_lie == 3) return 1 << 28;                   /* never opened, absurdly high */
    return -77777;                                    /* no errno */
}

static int lie_openat2(void *priv, int dirfd, const char *path, uint64_t flags, uint64_t mode,
                       uint64_t resolve)
{
    (void)dirfd, (void)flags, (void)mode, (void)resolve;
    return lie_openat(priv, dirfd, path, 0, 0);
}

static void test_fd_reuse(void **state)
{
    struct fixture *f = *state;
    g_ops.openat = lie_openat;
    g_ops.openat2 = lie_openat2;
    memcpy(f->mem + G_PATH, "file", 4);
    union wasm_val a[9] = {{.i32 = f->dir}, {.i32 = 0}, {.i32 = G_PATH},
                           {.i32 = 4},      {.i32 = 0}, {.i64 = R_FD_READ},
                           {.i64 = 0},      {.i32 = 0}, {.i32 = G_OUT}};
    uint32_t before = wasi_ctx_fd_count(f->ctx);
    for (g_lie = 1; g_lie <= 4; g_lie++) {
        wasi_put_u32(f->mem + G_OUT, 0xdeadbeef);
        assert_int_equal(wasi_fn_path_open(f->ctx, &f->caller, a), WASI_EIO);
        assert_int_equal(get32(f, G_OUT), 0xdeadbeef);
        assert_int_equal(wasi_ctx_fd_count(f->ctx), before);
    }
    /* the fd the liar tried to hand out twice is still ours and still works */
    g_ops = *wasi_host_ops_direct();
    assert_int_equal(do_read(f, f->file, 5), WASI_ESUCCESS);
    assert_memory_equal(f->mem + G_BUF, "hello", 5);
    assert_true(fcntl(1, F_GETFD) >= 0);
}

static int lie_accept(void *priv, int fd, int flags)
{
    struct fixture *f = priv;
    (void)fd, (void)flags;
    return f->ctx->fds[f->dir].host;
}

static void test_accept_reuse(void **state)
{
    struct fixture *f = *state;
    uint32_t l;
    must(wasi_ctx_add_listen(f->ctx, "127.0.0.1", 0, &l) == 0);
    g_ops.accept = lie_accept;
    union wasm_val a[3] = {{.i32 = l}, {.i32 = 0}, {.i32 = G_OUT}};
    wasi_put_u32(f->mem + G_OUT, 0xdeadbeef);
    assert_int_equal(wasi_fn_sock_accept(f->ctx, &f->caller, a), WASI_EIO);
    assert_int_equal(get32(f, G_OUT), 0xdeadbeef);
    /* the pre-open behind the fd number the liar reused is intact */
    memcpy(f->mem + G_PATH, "file", 4);
    union wasm_val s[5] = {
        {.i32 = f->dir}, {.i32 = 0}, {.i32 = G_PATH}, {.i32 = 4}, {.i32 = G_BUF}};
    assert_int_equal(wasi_fn_path_filestat_get(f->ctx, &f->caller, s), WASI_ESUCCESS);
}

/* ---- poll_oneoff's byte counts (FIONREAD through the table) ---- */

static int lie_fionread(void *priv, int fd, int *count)
{
    (void)priv, (void)fd;
    *count = -3;
    return 0;
}

static uint64_t poll_read_nbytes(struct fixture *f, uint32_t fd)
{
    uint8_t *sub = f->mem + G_BUF;
    memset(sub, 0, 48);
    sub[8] = 1; /* fd_read */
    wasi_put_u32(sub + 16, fd);
    union wasm_val a[4] = {{.i32 = G_BUF}, {.i32 = G_BUF + 64}, {.i32 = 1}, {.i32 = G_OUT}};
    assert_int_equal(wasi_fn_poll_oneoff(f->ctx, &f->caller, a), WASI_ESUCCESS);
    assert_int_equal(get32(f, G_OUT), 1);
    assert_int_equal(wasi_get_u16(f->mem + G_BUF + 64 + 8), WASI_ESUCCESS);
    return wasi_get_u64(f->mem + G_BUF + 64 + 16);
}

static void test_poll_nbytes(void **state)
{
    struct fixture *f = *state;
    int p[2];
    uint32_t rd;
    must(pipe(p) == 0);
    must(wasi_ctx_add_host_fd(f->ctx, p[0], true, &rd) == 0);
    must(write(p[1], "12345", 5) == 5);
    assert_int_equal(poll_read_nbytes(f, rd), 5);
    g_ops.fionread = lie_fionread; /* a negative count is no count */
    assert_int_equal(poll_read_nbytes(f, rd), 0);
    close(p[1]);
}

/* ---- flags on fds the context does not own (stdio) ---- */

static uint16_t set_flags(struct fixture *f, uint32_t fd, uint32_t flags)
{
    union wasm_val a[2] = {{.i32 = fd}, {.i32 = flags}};
    return wasi_fn_fd_fdstat_set_flags(f->ctx, &f->caller, a);
}

static uint16_t get_flags(struct fixture *f, uint32_t fd)
{
    union wasm_val a[2] = {{.i32 = fd}, {.i32 = G_BUF + 0x100}};
    assert_int_equal(wasi_fn_fd_fdstat_get(f->ctx, &f->caller, a), WASI_ESUCCESS);
    return wasi_get_u16(f->mem + G_BUF + 0x100 + 2);
}

static void test_unowned_nonblock(void **state)
{
    struct fixture *f = *state;
    int p[2];
    uint32_t rd;
    must(pipe(p) == 0);
    must(wasi_ctx_add_host_fd(f->ctx, p[0], false, &rd) == 0);
    assert_int_equal(set_flags(f, rd, WASI_FDFLAG_NONBLOCK), WASI_ESUCCESS);
    /* the shared file description is untouched, the workload still sees its flag */
    assert_false(fcntl(p[0], F_GETFL) & O_NONBLOCK);
    assert_int_equal(get_flags(f, rd), WASI_FDFLAG_NONBLOCK);
    /* and an empty pipe does not block it */
    assert_int_equal(do_read(f, rd, 4), WASI_EAGAIN);
    must(write(p[1], "ab", 2) == 2);
    assert_int_equal(do_read(f, rd, 4), WASI_ESUCCESS);
    assert_int_equal(get32(f, G_OUT), 2);
    assert_int_equal(set_flags(f, rd, 0), WASI_ESUCCESS);
    assert_int_equal(get_flags(f, rd), 0);
    wasi_ctx_free(f->ctx);
    f->ctx = NULL;
    must(wasi_ctx_new(0, NULL, 0, NULL, &f->ctx) == 0);
    assert_false(fcntl(p[0], F_GETFL) & O_NONBLOCK);
    close(p[0]);
    close(p[1]);
}

static void test_unowned_append(void **state)
{
    struct fixture *f = *state;
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/file", f->root);
    int fd = open(path, O_RDWR);
    uint32_t w;
    must(fd >= 0);
    must(wasi_ctx_add_host_fd(f->ctx, fd, false, &w) == 0);
    assert_int_equal(set_flags(f, w, WASI_FDFLAG_APPEND), WASI_ESUCCESS);
    assert_false(fcntl(fd, F_GETFL) & O_APPEND);
    assert_int_equal(get_flags(f, w), WASI_FDFLAG_APPEND);
    memcpy(f->mem + G_BUF, "XY", 2);
    one_iov(f, 2);
    union wasm_val a[4] = {{.i32 = w}, {.i32 = G_IOV}, {.i32 = 1}, {.i32 = G_OUT}};
    assert_int_equal(wasi_fn_fd_write(f->ctx, &f->caller, a), WASI_ESUCCESS);
    char buf[32] = {0};
    assert_int_equal(pread(fd, buf, sizeof(buf), 0), 13);
    assert_string_equal(buf, "hello worldXY");
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_read_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_socket_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errnos, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readlink, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dirents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_poll_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fd_reuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accept_reuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_poll_nbytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unowned_nonblock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unowned_append, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
