/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host.c - the host interface of WASI: the direct implementation of struct wasi_host_ops
 * (plain Linux system calls) and the checking layer every call of src/wasi goes through.
 *
 * Why a checking layer: the host behind the table is not trusted (with a kvm Keep it is the
 * very party the Keep is protected from). So, as Gramine does for its ocalls, no value a host
 * call returns is used before it was checked against what was asked: a count is at most the
 * bytes offered, an errno is one WASI knows (else EIO), an fd is new, a directory listing is
 * well-formed, a stat is plausible, a clock that must not go backwards does not. A failed check
 * is reported as EIO (or the errno said), and the value is dropped: an fd that fails its check
 * is not closed, since it may be one the Keep holds already.
 *
 * The fds in use: ctx->fdbits has a bit for every host fd the context holds (its table's
 * entries, the temporary directory fds of path resolution, and 0, 1, 2 always), set when a
 * checked call returns it and cleared when it is closed through wasi_host_close(); openat,
 * openat2 and accept must return an fd without that bit. fds the context does not know of
 * (the embedder's own) cannot be told apart from new ones: keeping them out of reach of the
 * host is the backend's job.
 *
 * Costs: one indirect call and a few comparisons a system call; getdents64 walks its buffer
 * once more.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <linux/openat2.h>

/* ---- the direct implementation ---- */

static int neg(long r)
{
    return r < 0 ? -errno : (int)r;
}

static ssize_t sneg(ssize_t r)
{
    return r < 0 ? -errno : r;
}

static ssize_t d_readv(void *priv, int fd, const struct iovec *iov, int n, int64_t off)
{
    (void)priv;
    ssize_t r;
    do
        r = off >= 0 ? preadv(fd, iov, n, (off_t)off) : readv(fd, iov, n);
    while (r < 0 && errno == EINTR);
    return sneg(r);
}

static ssize_t d_writev(void *priv, int fd, const struct iovec *iov, int n, int64_t off)
{
    (void)priv;
    ssize_t r;
    do
        r = off >= 0 ? pwritev(fd, iov, n, (off_t)off) : writev(fd, iov, n);
    while (r < 0 && errno == EINTR);
    return sneg(r);
}

static ssize_t d_recvmsg(void *priv, int fd, struct msghdr *msg, int flags)
{
    (void)priv;
    ssize_t r;
    do
        r = recvmsg(fd, msg, flags);
    while (r < 0 && errno == EINTR);
    return sneg(r);
}

static ssize_t d_sendmsg(void *priv, int fd, const struct msghdr *msg, int flags)
{
    (void)priv;
    ssize_t r;
    do
        r = sendmsg(fd, msg, flags);
    while (r < 0 && errno == EINTR);
    return sneg(r);
}

static int64_t d_lseek(void *priv, int fd, int64_t off, int whence)
{
    (void)priv;
    off_t r = lseek(fd, (off_t)off, whence);
    return r < 0 ? -errno : (int64_t)r;
}

static int d_fsync(void *priv, int fd, bool data_only)
{
    (void)priv;
    return neg(data_only ? fdatasync(fd) : fsync(fd));
}

static int d_fadvise(void *priv, int fd, int64_t off, int64_t len, int advice)
{
    (void)priv;
    return -posix_fadvise(fd, (off_t)off, (off_t)len, advice);
}

static int d_fallocate(void *priv, int fd, int64_t off, int64_t len)
{
    (void)priv;
    return -posix_fallocate(fd, (off_t)off, (off_t)len);
}

static int d_ftruncate(void *priv, int fd, int64_t size)
{
    (void)priv;
    return neg(ftruncate(fd, (off_t)size));
}

static int d_fstat(void *priv, int fd, struct stat *st)
{
    (void)priv;
    return neg(fstat(fd, st));
}

static int d_futimens(void *priv, int fd, const struct timespec ts[2])
{
    (void)priv;
    return neg(futimens(fd, ts));
}

static int d_fcntl_getfl(void *priv, int fd)
{
    (void)priv;
    return neg(fcntl(fd, F_GETFL));
}

static int d_fcntl_setfl(void *priv, int fd, int flags)
{
    (void)priv;
    return neg(fcntl(fd, F_SETFL, flags));
}

static int d_fionread(void *priv, int fd, int *count)
{
    (void)priv;
    return neg(ioctl(fd, FIONREAD, count));
}

static int d_isatty(void *priv, int fd)
{
    (void)priv;
    return isatty(fd);
}

static int d_openat(void *priv, int dirfd, const char *path, int flags, unsigned mode)
{
    (void)priv;
    return neg(openat(dirfd, path, flags, mode));
}

static int d_openat2(void *priv, int dirfd, const char *path, uint64_t flags, uint64_t mode,
                     uint64_t resolve)
{
    (void)priv;
    struct open_how how = {.flags = flags, .mode = mode, .resolve = resolve};
    long fd;
    do
        fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
    while (fd < 0 && (errno == EAGAIN || errno == EINTR));
    return neg(fd);
}

static int d_close(void *priv, int fd)
{
    (void)priv;
    return neg(close(fd));
}

static ssize_t d_getdents64(void *priv, int fd, void *buf, size_t size)
{
    (void)priv;
    return sneg((ssize_t)syscall(SYS_getdents64, fd, buf, size));
}

static ssize_t d_readlinkat(void *priv, int dirfd, const char *path, char *buf, size_t size)
{
    (void)priv;
    return sneg(readlinkat(dirfd, path, buf, size));
}

static int d_fstatat(void *priv, int dirfd, const char *path, struct stat *st, int flags)
{
    (void)priv;
    return neg(fstatat(dirfd, path, st, flags));
}

static int d_mkdirat(void *priv, int dirfd, const char *path, unsigned mode)
{
    (void)priv;
    return neg(mkdirat(dirfd, path, mode));
}

static int d_unlinkat(void *priv, int dirfd, const char *path, int flags)
{
    (void)priv;
    return neg(unlinkat(dirfd, path, flags));
}

static int d_symlinkat(void *priv, const char *target, int dirfd, const char *path)
{
    (void)priv;
    return neg(symlinkat(target, dirfd, path));
}

static int d_linkat(void *priv, int od, const char *op, int nd, const char *np, int flags)
{
    (void)priv;
    return neg(linkat(od, op, nd, np, flags));
}

static int d_renameat(void *priv, int od, const char *op, int nd, const char *np)
{
    (void)priv;
    return neg(renameat(od, op, nd, np));
}

static int d_utimensat(void *priv, int dirfd, const char *path, const struct timespec ts[2],
                       int flags)
{
    (void)priv;
    return neg(utimensat(dirfd, path, ts, flags));
}

static int d_accept(void *priv, int fd, int flags)
{
    (void)priv;
    int s;
    do
        s = accept4(fd, NULL, NULL, flags);
    while (s < 0 && errno == EINTR);
    return neg(s);
}

static int d_shutdown(void *priv, int fd, int how)
{
    (void)priv;
    return neg(shutdown(fd, how));
}

static int d_getsockopt(void *priv, int fd, int level, int name, void *val, unsigned *len)
{
    (void)priv;
    socklen_t l = *len;
    int r = getsockopt(fd, level, name, val, &l);
    *len = l;
    return neg(r);
}

static int d_ppoll(void *priv, struct pollfd *fds, unsigned long n, const struct timespec *ts)
{
    (void)priv;
    return neg(ppoll(fds, (nfds_t)n, ts, NULL));
}

static int d_clock_gettime(void *priv, int clock, struct timespec *ts)
{
    (void)priv;
    return neg(clock_gettime((clockid_t)clock, ts));
}

static int d_clock_getres(void *priv, int clock, struct timespec *ts)
{
    (void)priv;
    return neg(clock_getres((clockid_t)clock, ts));
}

static ssize_t d_getrandom(void *priv, void *buf, size_t size)
{
    (void)priv;
    ssize_t r;
    do
        r = getrandom(buf, size, 0);
    while (r < 0 && errno == EINTR);
    return sneg(r);
}

static int d_sched_yield(void *priv)
{
    (void)priv;
    return neg(sched_yield());
}

static const struct wasi_host_ops g_direct = {
    .readv = d_readv,
    .writev = d_writev,
    .recvmsg = d_recvmsg,
    .sendmsg = d_sendmsg,
    .lseek = d_lseek,
    .fsync = d_fsync,
    .fadvise = d_fadvise,
    .fallocate = d_fallocate,
    .ftruncate = d_ftruncate,
    .fstat = d_fstat,
    .futimens = d_futimens,
    .fcntl_getfl = d_fcntl_getfl,
    .fcntl_setfl = d_fcntl_setfl,
    .fionread = d_fionread,
    .isatty = d_isatty,
    .openat = d_openat,
    .openat2 = d_openat2,
    .close = d_close,
    .getdents64 = d_getdents64,
    .readlinkat = d_readlinkat,
    .fstatat = d_fstatat,
    .mkdirat = d_mkdirat,
    .unlinkat = d_unlinkat,
    .symlinkat = d_symlinkat,
    .linkat = d_linkat,
    .renameat = d_renameat,
    .utimensat = d_utimensat,
    .accept = d_accept,
    .shutdown = d_shutdown,
    .getsockopt = d_getsockopt,
    .ppoll = d_ppoll,
    .clock_gettime = d_clock_gettime,
    .clock_getres = d_clock_getres,
    .getrandom = d_getrandom,
    .sched_yield = d_sched_yield,
};

const struct wasi_host_ops *wasi_host_ops_direct(void)
{
    return &g_direct;
}

int wasi_ctx_set_host_ops(struct wasi_ctx *ctx, const struct wasi_host_ops *ops, void *priv)
{
    if (!ops) return -EINVAL;
    /* every entry is required: the table is a list of function pointers */
    const unsigned char *b = (const void *)ops;
    for (size_t i = 0; i + sizeof(void (*)(void)) <= sizeof(*ops); i += sizeof(void (*)(void))) {
        void (*fn)(void);
        memcpy(&fn, b + i, sizeof(fn));
        if (!fn && i != offsetof(struct wasi_host_ops, fionread)) return -EINVAL;
    }
    if (wasi_ctx_fd_count(ctx) != 0) return -EBUSY;
    ctx->host = ops;
    ctx->host_priv = priv;
    ctx->count_readable = ops->fionread != NULL;
    memset(ctx->clock_last, 0, sizeof(ctx->clock_last));
    return 0;
}

/* ---- the set of host fds in use ---- */

bool wasi_host_fd_in_use(const struct wasi_ctx *ctx, int fd)
{
    if (fd >= 0 && fd <= 2) return true;
    uint32_t w = (uint32_t)fd / 64;
    return fd >= 0 && w < ctx->fdwords && (ctx->fdbits[w] >> ((uint32_t)fd % 64) & 1);
}

int wasi_host_fd_mark(struct wasi_ctx *ctx, int fd)
{
    if (fd < 0 || (unsigned)fd >= WASI_HOST_FD_LIMIT) return -EBADF;
    uint32_t w = (uint32_t)fd / 64;
    if (w >= ctx->fdwords) {
        uint32_t n = ctx->fdwords ? ctx->fdwords : 4;
        while (n <= w)
            n *= 2;
        uint64_t *bits = realloc(ctx->fdbits, n * sizeof(*bits));
        if (!bits) return -ENOMEM;
        memset(bits + ctx->fdwords, 0, (n - ctx->fdwords) * sizeof(*bits));
        ctx->fdbits = bits;
        ctx->fdwords = n;
    }
    ctx->fdbits[w] |= (uint64_t)1 << ((uint32_t)fd % 64);
    return 0;
}

void wasi_host_fd_unmark(struct wasi_ctx *ctx, int fd)
{
    uint32_t w = (uint32_t)fd / 64;
    if (fd >= 0 && w < ctx->fdwords) ctx->fdbits[w] &= ~((uint64_t)1 << ((uint32_t)fd % 64));
}

/* ---- checks ---- */

/* A negative errno is kept when WASI knows it; anything else below 0 becomes -EIO. */
static bool errno_known(long e)
{
#define WASI_ERRNO_CASE(name, value) case E##name:
    switch (e) {
        WASI_ERRNO_LIST(WASI_ERRNO_CASE)
        return true;
    default: return false;
    }
#undef WASI_ERRNO_CASE
}

static long check_err(long r)
{
    return r < 0 && !errno_known(-r) ? -EIO : r;
}

/* A call whose success is 0. */
static int check_zero(int r)
{
    return r > 0 ? -EIO : (int)check_err(r);
}

/* A count no more than max. */
static ssize_t check_count(ssize_t r, size_t max)
{
    if (r >= 0) return (size_t)r <= max ? r : -EIO;
    return check_err(r);
}

/* A new fd: marked in use, or -EIO (and not closed: it may be one we hold). */
static int check_new_fd(struct wasi_ctx *ctx, int fd)
{
    if (fd < 0) return (int)check_err(fd);
    if ((unsigned)fd >= WASI_HOST_FD_LIMIT || wasi_host_fd_in_use(ctx, fd)) return -EIO;
    int r = wasi_host_fd_mark(ctx, fd);
    if (r < 0) (void)ctx->host->close(ctx->host_priv, fd);
    return r < 0 ? r : fd;
}

static bool ts_ok(const struct timespec *ts)
{
    return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000L &&
           (uint64_t)ts->tv_sec < UINT64_MAX / 1000000000u;
}

static int check_stat(int r, const struct stat *st)
{
    r = check_zero(r);
    if (r < 0) return r;
    switch (st->st_mode & S_IFMT) {
    case S_IFREG:
    case S_IFDIR:
    case S_IFCHR:
    case S_IFBLK:
    case S_IFIFO:
    case S_IFLNK:
    case S_IFSOCK: break;
    default: return -EIO;
    }
    if (st->st_size < 0 || !ts_ok(&st->st_atim) || !ts_ok(&st->st_mtim) || !ts_ok(&st->st_ctim))
        return -EIO;
    return 0;
}

static size_t iov_total(const struct iovec *iov, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += iov[i].iov_len;
    return total;
}

/* ---- the checked calls ---- */

ssize_t wasi_host_readv(struct wasi_ctx *ctx, int fd, const struct iovec *iov, int n, int64_t off)
{
    ssize_t r = ctx->host->readv(ctx->host_priv, fd, iov, n, off);
    return check_count(r, iov_total(iov, (size_t)n));
}

ssize_t wasi_host_writev(struct wasi_ctx *ctx, int fd, const struct iovec *iov, int n, int64_t off)
{
    ssize_t r = ctx->host->writev(ctx->host_priv, fd, iov, n, off);
    return check_count(r, iov_total(iov, (size_t)n));
}

ssize_t wasi_host_recvmsg(struct wasi_ctx *ctx, int fd, struct msghdr *msg, int flags)
{
    size_t want = iov_total(msg->msg_iov, msg->msg_iovlen);
    ssize_t r = ctx->host->recvmsg(ctx->host_priv, fd, msg, flags);
    return check_count(r, want);
}

ssize_t wasi_host_sendmsg(struct wasi_ctx *ctx, int fd, const struct msghdr *msg, int flags)
{
    ssize_t r = ctx->host->sendmsg(ctx->host_priv, fd, msg, flags);
    return check_count(r, iov_total(msg->msg_iov, msg->msg_iovlen));
}

int64_t wasi_host_lseek(struct wasi_ctx *ctx, int fd, int64_t off, int whence)
{
    return check_err(ctx->host->lseek(ctx->host_priv, fd, off, whence));
}

int wasi_host_fsync(struct wasi_ctx *ctx, int fd, bool data_only)
{
    return check_zero(ctx->host->fsync(ctx->host_priv, fd, data_only));
}

int wasi_host_fadvise(struct wasi_ctx *ctx, int fd, int64_t off, int64_t len, int advice)
{
    return check_zero(ctx->host->fadvise(ctx->host_priv, fd, off, len, advice));
}

int wasi_host_fallocate(struct wasi_ctx *ctx, int fd, int64_t off, int64_t len)
{
    return check_zero(ctx->host->fallocate(ctx->host_priv, fd, off, len));
}

int wasi_host_ftruncate(struct wasi_ctx *ctx, int fd, int64_t size)
{
    return check_zero(ctx->host->ftruncate(ctx->host_priv, fd, size));
}

int wasi_host_fstat(struct wasi_ctx *ctx, int fd, struct stat *st)
{
    memset(st, 0, sizeof(*st));
    return check_stat(ctx->host->fstat(ctx->host_priv, fd, st), st);
}

int wasi_host_futimens(struct wasi_ctx *ctx, int fd, const struct timespec ts[2])
{
    return check_zero(ctx->host->futimens(ctx->host_priv, fd, ts));
}

int wasi_host_fcntl_getfl(struct wasi_ctx *ctx, int fd)
{
    return (int)check_err(ctx->host->fcntl_getfl(ctx->host_priv, fd));
}

int wasi_host_fcntl_setfl(struct wasi_ctx *ctx, int fd, int flags)
{
    return check_zero(ctx->host->fcntl_setfl(ctx->host_priv, fd, flags));
}

int wasi_host_fionread(struct wasi_ctx *ctx, int fd, uint64_t *count)
{
    *count = 0;
    if (!ctx->count_readable) return -ENOTSUP;
    int n = 0;
    int r = check_zero(ctx->host->fionread(ctx->host_priv, fd, &n));
    if (r == 0 && n < 0) r = -EIO;
    *count = r == 0 ? (uint64_t)n : 0;
    return r;
}

bool wasi_host_isatty(struct wasi_ctx *ctx, int fd)
{
    return ctx->host->isatty(ctx->host_priv, fd) == 1;
}

int wasi_host_openat(struct wasi_ctx *ctx, int dirfd, const char *path, int flags, unsigned mode)
{
    return check_new_fd(ctx, ctx->host->openat(ctx->host_priv, dirfd, path, flags, mode));
}

int wasi_host_openat2(struct wasi_ctx *ctx, int dirfd, const char *path, uint64_t flags,
                      uint64_t mode, uint64_t resolve)
{
    return check_new_fd(ctx, ctx->host->openat2(ctx->host_priv, dirfd, path, flags, mode, resolve));
}

void wasi_host_close(struct wasi_ctx *ctx, int fd)
{
    if (fd <= 2) return; /* the standard streams are never closed by WASI */
    wasi_host_fd_unmark(ctx, fd);
    (void)ctx->host->close(ctx->host_priv, fd);
}

/* Known d_type values: DT_UNKNOWN, FIFO, CHR, DIR, BLK, REG, LNK, SOCK. */
static bool dtype_known(uint8_t t)
{
    return t == 0 || t == 1 || t == 2 || t == 4 || t == 6 || t == 8 || t == 10 || t == 12;
}

/* Every entry of a getdents64 buffer of n bytes: header, alignment, bounds, name. */
static bool dirents_ok(const uint8_t *buf, size_t n)
{
    for (size_t off = 0; off < n;) {
        if (n - off < WASI_DIRENT64_HDR + 1) return false;
        uint16_t reclen;
        memcpy(&reclen, buf + off + 16, 2);
        if (reclen < WASI_DIRENT64_HDR + 1 || reclen % 8 != 0 || reclen > n - off) return false;
        if (!dtype_known(buf[off + 18])) return false;
        const char *name = (const char *)buf + off + WASI_DIRENT64_HDR;
        const char *nul = memchr(name, 0, reclen - WASI_DIRENT64_HDR);
        if (!nul || nul == name || memchr(name, '/', (size_t)(nul - name))) return false;
        off += reclen;
    }
    return true;
}

ssize_t wasi_host_getdents64(struct wasi_ctx *ctx, int fd, void *buf, size_t size)
{
    ssize_t r = check_count(ctx->host->getdents64(ctx->host_priv, fd, buf, size), size);
    if (r > 0 && !dirents_ok(buf, (size_t)r)) return -EIO;
    return r;
}

ssize_t wasi_host_readlinkat(struct wasi_ctx *ctx, int dirfd, const char *path, char *buf,
                             size_t size)
{
    return check_count(ctx->host->readlinkat(ctx->host_priv, dirfd, path, buf, size), size);
}

int wasi_host_fstatat(struct wasi_ctx *ctx, int dirfd, const char *path, struct stat *st, int flags)
{
    memset(st, 0, sizeof(*st));
    return check_stat(ctx->host->fstatat(ctx->host_priv, dirfd, path, st, flags), st);
}

int wasi_host_mkdirat(struct wasi_ctx *ctx, int dirfd, const char *path, unsigned mode)
{
    return check_zero(ctx->host->mkdirat(ctx->host_priv, dirfd, path, mode));
}

int wasi_host_unlinkat(struct wasi_ctx *ctx, int dirfd, const char *path, int flags)
{
    return check_zero(ctx->host->unlinkat(ctx->host_priv, dirfd, path, flags));
}

int wasi_host_symlinkat(struct wasi_ctx *ctx, const char *target, int dirfd, const char *path)
{
    return check_zero(ctx->host->symlinkat(ctx->host_priv, target, dirfd, path));
}

int wasi_host_linkat(struct wasi_ctx *ctx, int od, const char *op, int nd, const char *np,
                     int flags)
{
    return check_zero(ctx->host->linkat(ctx->host_priv, od, op, nd, np, flags));
}

int wasi_host_renameat(struct wasi_ctx *ctx, int od, const char *op, int nd, const char *np)
{
    return check_zero(ctx->host->renameat(ctx->host_priv, od, op, nd, np));
}

int wasi_host_utimensat(struct wasi_ctx *ctx, int dirfd, const char *path,
                        const struct timespec ts[2], int flags)
{
    return check_zero(ctx->host->utimensat(ctx->host_priv, dirfd, path, ts, flags));
}

int wasi_host_accept(struct wasi_ctx *ctx, int fd, int flags)
{
    return check_new_fd(ctx, ctx->host->accept(ctx->host_priv, fd, flags));
}

int wasi_host_shutdown(struct wasi_ctx *ctx, int fd, int how)
{
    return check_zero(ctx->host->shutdown(ctx->host_priv, fd, how));
}

int wasi_host_sock_type(struct wasi_ctx *ctx, int fd, int *type)
{
    unsigned len = sizeof(*type);
    *type = 0;
    int r = check_zero(ctx->host->getsockopt(ctx->host_priv, fd, SOL_SOCKET, SO_TYPE, type, &len));
    return r == 0 && len != sizeof(*type) ? -EIO : r;
}

int wasi_host_ppoll(struct wasi_ctx *ctx, struct pollfd *fds, unsigned long n,
                    const struct timespec *timeout)
{
    int r = (int)check_count(ctx->host->ppoll(ctx->host_priv, fds, n, timeout), n);
    /* only the events asked for, and the three that are always reported */
    for (unsigned long i = 0; r >= 0 && i < n; i++)
        fds[i].revents &= (short)(fds[i].events | POLLERR | POLLHUP | POLLNVAL);
    return r;
}

static const clockid_t g_clocks[WASI_NCLOCKS] = {CLOCK_REALTIME, CLOCK_MONOTONIC,
                                                 CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID};

int wasi_host_clock_ns(struct wasi_ctx *ctx, uint32_t id, uint64_t *ns)
{
    if (id >= WASI_NCLOCKS) return -EINVAL;
    struct timespec ts = {0};
    int r = check_zero(ctx->host->clock_gettime(ctx->host_priv, (int)g_clocks[id], &ts));
    if (r < 0) return r;
    if (!ts_ok(&ts)) return -EIO;
    uint64_t v = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    /* all but the realtime clock only ever move forwards */
    if (id != 0 && v < ctx->clock_last[id]) return -EIO;
    ctx->clock_last[id] = v;
    *ns = v;
    return 0;
}

int wasi_host_clock_res_ns(struct wasi_ctx *ctx, uint32_t id, uint64_t *ns)
{
    if (id >= WASI_NCLOCKS) return -EINVAL;
    struct timespec ts = {0};
    int r = check_zero(ctx->host->clock_getres(ctx->host_priv, (int)g_clocks[id], &ts));
    if (r < 0) return r;
    if (!ts_ok(&ts)) return -EIO;
    *ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    return 0;
}

ssize_t wasi_host_getrandom(struct wasi_ctx *ctx, void *buf, size_t size)
{
    ssize_t r = check_count(ctx->host->getrandom(ctx->host_priv, buf, size), size);
    return r == 0 && size ? -EIO : r; /* no progress would loop forever */
}

void wasi_host_sched_yield(struct wasi_ctx *ctx)
{
    (void)ctx->host->sched_yield(ctx->host_priv);
}
