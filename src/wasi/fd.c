/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fd.c - the fd_* functions that move data or metadata through an open fd: read, write, pread,
 * pwrite, seek, tell, sync, datasync, advise, allocate, filestat get/set size/set times, and
 * readdir.
 *
 * Reads and writes go straight between the host fd and the workload's linear memory with
 * readv/writev (at most WASI_MAX_IOVS buffers a call; more is a short transfer, which POSIX and
 * WASI allow), after every buffer was checked to lie inside the memory. Streams (TLS) are
 * driven buffer by buffer through their ops.
 *
 * fd_readdir takes a snapshot of the directory at cookie 0 (".", "..", then the entries in the
 * host's order) and serves later cookies from it: a cookie is an index into the snapshot, so it
 * stays meaningful while the workload iterates, whatever the host's own telldir values are.
 * The snapshot is read with getdents64 through the checked host interface (host.c), which has
 * checked every entry's length, alignment, name and type before this file parses them.
 *
 * Emulated flags: on an fd the context does not own (stdio), fd_fdstat_set_flags only records
 * NONBLOCK and APPEND in the entry (fdtable.c). NONBLOCK: each read or write first polls the fd
 * with a zero timeout and answers EAGAIN when it is not ready (a write that is ready may still
 * block until all of it is taken, as on a blocking pipe). APPEND: a write to a regular file goes
 * to the file's size at that moment (fstat then pwrite), which is racy against other writers,
 * unlike O_APPEND; to anything else (a terminal, a pipe) appending means nothing.
 *
 * Every system call goes through the checked host interface (host.c): wasi_host_*.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* Moves the iovecs one by one through a stream's ops. */
static ssize_t stream_transfer(struct wasi_fd *f, struct iovec *iov, uint32_t n, bool is_write)
{
    size_t done = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (iov[i].iov_len == 0) continue;
        ssize_t r = is_write ? f->ops->write(f->priv, iov[i].iov_base, iov[i].iov_len)
                             : f->ops->read(f->priv, iov[i].iov_base, iov[i].iov_len);
        if (r < 0) {
            if (done) break;
            return r;
        }
        if ((size_t)r > iov[i].iov_len) return done ? (ssize_t)done : -EIO;
        done += (size_t)r;
        if ((size_t)r < iov[i].iov_len) break;
    }
    return (ssize_t)done;
}

/* Emulated flags of an fd we do not own: -EAGAIN when non-blocking and not ready, and the
 * offset an appending write goes to. */
static int emulate_flags(struct wasi_ctx *ctx, struct wasi_fd *f, bool is_write, int64_t *offset)
{
    if (f->own || !f->emu_flags) return 0;
    if (f->emu_flags & WASI_FDFLAG_NONBLOCK) {
        struct pollfd p = {.fd = f->host, .events = is_write ? POLLOUT : POLLIN};
        struct timespec zero = {0, 0};
        int r = wasi_host_ppoll(ctx, &p, 1, &zero);
        if (r < 0) return r;
        if (r == 0) return -EAGAIN;
    }
    struct stat st;
    if (is_write && *offset < 0 && (f->emu_flags & WASI_FDFLAG_APPEND) &&
        f->filetype == WASI_FT_REG) {
        int r = wasi_host_fstat(ctx, f->host, &st);
        if (r < 0) return r;
        *offset = st.st_size;
    }
    return 0;
}

static ssize_t host_transfer(struct wasi_ctx *ctx, struct wasi_fd *f, struct iovec *iov, uint32_t n,
                             bool is_write, int64_t offset)
{
    int e = emulate_flags(ctx, f, is_write, &offset);
    if (e < 0) return e;
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = n};
    if (f->kind == WASI_FD_SOCKET && is_write) /* a gone peer is EPIPE, not SIGPIPE */
        return wasi_host_sendmsg(ctx, f->host, &msg, MSG_NOSIGNAL);
    return is_write ? wasi_host_writev(ctx, f->host, iov, (int)n, offset)
                    : wasi_host_readv(ctx, f->host, iov, (int)n, offset);
}

uint16_t wasi_iov_transfer(struct wasi_ctx *ctx, struct wasm_caller *caller, struct wasi_fd *f,
                           uint32_t iovs, uint32_t n, bool is_write, int64_t offset, uint32_t *done)
{
    const uint8_t *vec = wasi_mem(caller, iovs, (uint64_t)n * 8);
    if (!vec) return WASI_EFAULT;
    if (n > WASI_MAX_IOVS) n = WASI_MAX_IOVS;
    struct iovec iov[WASI_MAX_IOVS];
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len = wasi_get_u32(vec + 8 * (size_t)i + 4);
        uint8_t *buf = wasi_mem(caller, wasi_get_u32(vec + 8 * (size_t)i), len);
        if (!buf) return WASI_EFAULT;
        /* the result is a u32: never move more than fits in it */
        if (total + len > UINT32_MAX) len = (uint32_t)(UINT32_MAX - total);
        iov[i].iov_base = buf;
        iov[i].iov_len = len;
        total += len;
    }
    ssize_t r = f->kind == WASI_FD_STREAM ? stream_transfer(f, iov, n, is_write)
                                          : host_transfer(ctx, f, iov, n, is_write, offset);
    if (r < 0) return wasi_errno_from_host((int)-r);
    *done = (uint32_t)r;
    return WASI_ESUCCESS;
}

/* fd_read, fd_write, fd_pread, fd_pwrite: fd, iovs, iovs_len, [offset,] nwritten/nread. */
static uint16_t rw(struct wasi_ctx *ctx, struct wasm_caller *caller, const union wasm_val *a,
                   bool is_write, bool positioned)
{
    uint64_t need = (is_write ? R_FD_WRITE : R_FD_READ) | (positioned ? R_FD_SEEK : 0);
    struct wasi_fd *f;
    uint16_t r = wasi_fd_get(ctx, a[0].i32, need, &f);
    if (r != WASI_ESUCCESS) return r;
    if (f->kind == WASI_FD_DIR) return WASI_EISDIR;
    uint8_t *pdone = wasi_mem(caller, a[positioned ? 4 : 3].i32, 4);
    if (!pdone) return WASI_EFAULT;
    int64_t off = -1;
    if (positioned) {
        if (f->kind == WASI_FD_STREAM || f->kind == WASI_FD_SOCKET) return WASI_ESPIPE;
        if (a[3].i64 > INT64_MAX) return WASI_EINVAL;
        off = (int64_t)a[3].i64;
    }
    uint32_t done = 0;
    r = wasi_iov_transfer(ctx, caller, f, a[1].i32, a[2].i32, is_write, off, &done);
    if (r == WASI_ESUCCESS) wasi_put_u32(pdone, done);
    return r;
}

WASI_FN(fd_read)
{
    return rw(ctx, caller, a, false, false);
}

WASI_FN(fd_write)
{
    return rw(ctx, caller, a, true, false);
}

WASI_FN(fd_pread)
{
    return rw(ctx, caller, a, false, true);
}

WASI_FN(fd_pwrite)
{
    return rw(ctx, caller, a, true, true);
}

/* A file entry with a host fd (not a stream, not a directory) for the seek family. */
static uint16_t get_file(struct wasi_ctx *ctx, uint32_t fd, uint64_t rights, struct wasi_fd **f)
{
    uint16_t r = wasi_fd_get(ctx, fd, rights, f);
    if (r != WASI_ESUCCESS) return r;
    if ((*f)->kind == WASI_FD_DIR) return WASI_EISDIR;
    if ((*f)->kind == WASI_FD_STREAM || (*f)->kind == WASI_FD_SOCKET) return WASI_ESPIPE;
    return WASI_ESUCCESS;
}

WASI_FN(fd_seek)
{
    int64_t delta = (int64_t)a[1].i64;
    uint32_t whence = a[2].i32;
    /* reading the position needs only fd_tell */
    uint64_t need = (whence == 1 && delta == 0) ? R_FD_TELL : R_FD_SEEK;
    struct wasi_fd *f;
    uint16_t r = get_file(ctx, a[0].i32, need, &f);
    if (r != WASI_ESUCCESS) return r;
    static const int whences[] = {SEEK_SET, SEEK_CUR, SEEK_END};
    if (whence > 2) return WASI_EINVAL;
    uint8_t *p = wasi_mem(caller, a[3].i32, 8);
    if (!p) return WASI_EFAULT;
    int64_t pos = wasi_host_lseek(ctx, f->host, delta, whences[whence]);
    if (pos < 0) return wasi_errno_from_host((int)-pos);
    wasi_put_u64(p, (uint64_t)pos);
    return WASI_ESUCCESS;
}

WASI_FN(fd_tell)
{
    struct wasi_fd *f;
    uint16_t r = get_file(ctx, a[0].i32, R_FD_TELL, &f);
    if (r != WASI_ESUCCESS) return r;
    uint8_t *p = wasi_mem(caller, a[1].i32, 8);
    if (!p) return WASI_EFAULT;
    int64_t pos = wasi_host_lseek(ctx, f->host, 0, SEEK_CUR);
    if (pos < 0) return wasi_errno_from_host((int)-pos);
    wasi_put_u64(p, (uint64_t)pos);
    return WASI_ESUCCESS;
}

static uint16_t sync_fd(struct wasi_ctx *ctx, uint32_t fd, uint64_t right, bool data_only)
{
    struct wasi_fd *f;
    uint16_t r = wasi_fd_get(ctx, fd, right, &f);
    if (r != WASI_ESUCCESS) return r;
    if (f->kind == WASI_FD_STREAM) return WASI_EINVAL;
    return wasi_errno_from_host(-wasi_host_fsync(ctx, f->host, data_only));
}

WASI_FN(fd_sync)
{
    (void)caller;
    return sync_fd(ctx, a[0].i32, R_FD_SYNC, false);
}

WASI_FN(fd_datasync)
{
    (void)caller;
    return sync_fd(ctx, a[0].i32, R_FD_DATASYNC, true);
}

WASI_FN(fd_advise)
{
    (void)caller;
    static const int advice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                 POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE};
    struct wasi_fd *f;
    uint16_t r = get_file(ctx, a[0].i32, R_FD_ADVISE, &f);
    if (r != WASI_ESUCCESS) return r;
    if (a[3].i32 >= sizeof(advice) / sizeof(advice[0]) || a[1].i64 > INT64_MAX ||
        a[2].i64 > INT64_MAX)
        return WASI_EINVAL;
    int ret =
        wasi_host_fadvise(ctx, f->host, (int64_t)a[1].i64, (int64_t)a[2].i64, advice[a[3].i32]);
    return wasi_errno_from_host(-ret);
}

WASI_FN(fd_allocate)
{
    (void)caller;
    struct wasi_fd *f;
    uint16_t r = get_file(ctx, a[0].i32, R_FD_ALLOCATE, &f);
    if (r != WASI_ESUCCESS) return r;
    uint64_t off = a[1].i64, len = a[2].i64;
    if (off > INT64_MAX || len > INT64_MAX || off + len > INT64_MAX) return WASI_EFBIG;
    if (len == 0) return WASI_EINVAL;
    int ret = -wasi_host_fallocate(ctx, f->host, (int64_t)off, (int64_t)len);
    return wasi_errno_from_host(ret == EOPNOTSUPP ? ENOTSUP : ret);
}

WASI_FN(fd_filestat_get)
{
    struct wasi_fd *f;
    uint16_t r = wasi_fd_get(ctx, a[0].i32, R_FD_FILESTAT_GET, &f);
    if (r != WASI_ESUCCESS) return r;
    uint8_t *p = wasi_mem(caller, a[1].i32, 64);
    if (!p) return WASI_EFAULT;
    struct stat st;
    if (f->kind == WASI_FD_STREAM) {
        memset(&st, 0, sizeof(st));
        st.st_mode = S_IFSOCK;
    } else {
        int ret = wasi_host_fstat(ctx, f->host, &st);
        if (ret < 0) return wasi_errno_from_host(-ret);
    }
    wasi_filestat_put(p, &st);
    p[16] = f->filetype;
    return WASI_ESUCCESS;
}

WASI_FN(fd_filestat_set_size)
{
    (void)caller;
    struct wasi_fd *f;
    uint16_t r = get_file(ctx, a[0].i32, R_FD_FILESTAT_SET_SIZE, &f);
    if (r != WASI_ESUCCESS) return r;
    if (a[1].i64 > INT64_MAX) return WASI_EFBIG;
    return wasi_errno_from_host(-wasi_host_ftruncate(ctx, f->host, (int64_t)a[1].i64));
}

uint16_t wasi_times(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2])
{
    if (fst & ~(uint32_t)0xf) return WASI_EINVAL;
    if ((fst & WASI_FST_ATIM) && (fst & WASI_FST_ATIM_NOW)) return WASI_EINVAL;
    if ((fst & WASI_FST_MTIM) && (fst & WASI_FST_MTIM_NOW)) return WASI_EINVAL;
    const uint64_t v[2] = {atim, mtim};
    const uint32_t set[2] = {WASI_FST_ATIM, WASI_FST_MTIM};
    const uint32_t now[2] = {WASI_FST_ATIM_NOW, WASI_FST_MTIM_NOW};
    for (int i = 0; i < 2; i++) {
        ts[i].tv_sec = 0;
        if (fst & now[i]) {
            ts[i].tv_nsec = UTIME_NOW;
        } else if (fst & set[i]) {
            ts[i].tv_sec = (time_t)(v[i] / 1000000000u);
            ts[i].tv_nsec = (long)(v[i] % 1000000000u);
        } else {
            ts[i].tv_nsec = UTIME_OMIT;
        }
    }
    return WASI_ESUCCESS;
}

WASI_FN(fd_filestat_set_times)
{
    (void)caller;
    struct wasi_fd *f;
    uint16_t r = wasi_fd_get(ctx, a[0].i32, R_FD_FILESTAT_SET_TIMES, &f);
    if (r != WASI_ESUCCESS) return r;
    struct timespec ts[2];
    r = wasi_times(a[1].i64, a[2].i64, a[3].i32, ts);
    if (r != WASI_ESUCCESS) return r;
    if (f->kind == WASI_FD_STREAM) return WASI_EINVAL;
    return wasi_errno_from_host(-wasi_host_futimens(ctx, f->host, ts));
}

static uint8_t dirent_type(struct wasi_ctx *ctx, int dirfd, uint8_t d_type, const char *name)
{
    switch (d_type) {
    case DT_REG: return WASI_FT_REG;
    case DT_DIR: return WASI_FT_DIR;
    case DT_LNK: return WASI_FT_SYMLINK;
    case DT_CHR: return WASI_FT_CHAR;
    case DT_BLK: return WASI_FT_BLOCK;
    case DT_SOCK: return WASI_FT_SOCK_STREAM;
    case DT_FIFO: return WASI_FT_UNKNOWN;
    default: {
        struct stat st;
        if (wasi_host_fstatat(ctx, dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            return WASI_FT_UNKNOWN;
        return wasi_filetype_of(ctx, st.st_mode, -1);
    }
    }
}

static int dircache_add(struct wasi_dircache *dc, uint32_t *cap, uint64_t ino, const char *name,
                        uint8_t type)
{
    if (dc->count == WASI_MAX_DIRENTS) return -E2BIG;
    if (dc->count == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 16;
        struct wasi_dirent *n = realloc(dc->ents, ncap * sizeof(*n));
        if (!n) return -ENOMEM;
        dc->ents = n;
        *cap = ncap;
    }
    struct wasi_dirent *e = &dc->ents[dc->count];
    size_t len = strlen(name);
    if (len > UINT16_MAX) return -EIO;
    e->name = strdup(name);
    if (!e->name) return -ENOMEM;
    e->namelen = (uint16_t)len;
    e->ino = ino;
    e->type = type;
    dc->count++;
    return 0;
}

#define DIRENT_BUF 32768u

/* Adds the entries of one getdents64 buffer (checked by wasi_host_getdents64). */
static int dircache_parse(struct wasi_ctx *ctx, int fd, struct wasi_dircache *dc, uint32_t *cap,
                          const uint8_t *buf, size_t n)
{
    for (size_t off = 0; off < n;) {
        uint64_t ino;
        uint16_t reclen;
        memcpy(&ino, buf + off, 8);
        memcpy(&reclen, buf + off + 16, 2);
        const char *name = (const char *)buf + off + WASI_DIRENT64_HDR;
        int ret = dircache_add(dc, cap, ino, name, dirent_type(ctx, fd, buf[off + 18], name));
        if (ret < 0) return ret;
        off += reclen;
    }
    return 0;
}

/* A fresh snapshot of the directory behind host fd. */
static int dircache_load(struct wasi_ctx *ctx, int host, struct wasi_dircache **out)
{
    int fd = wasi_host_openat(ctx, host, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    if (fd < 0) return fd;
    struct wasi_dircache *dc = calloc(1, sizeof(*dc));
    uint8_t *buf = malloc(DIRENT_BUF);
    uint32_t cap = 0;
    int ret = dc && buf ? 0 : -ENOMEM;
    while (ret == 0) {
        ssize_t n = wasi_host_getdents64(ctx, fd, buf, DIRENT_BUF);
        if (n <= 0) {
            ret = (int)n;
            break;
        }
        ret = dircache_parse(ctx, fd, dc, &cap, buf, (size_t)n);
    }
    free(buf);
    wasi_host_close(ctx, fd);
    if (ret < 0) {
        wasi_dircache_free(dc);
        return ret;
    }
    *out = dc;
    return 0;
}

/* Writes entries from index cookie on into buf; returns the bytes used. */
static uint32_t dircache_put(const struct wasi_dircache *dc, uint64_t cookie, uint8_t *buf,
                             uint32_t size)
{
    uint32_t used = 0;
    for (uint64_t i = cookie; i < dc->count && used < size; i++) {
        const struct wasi_dirent *e = &dc->ents[i];
        uint8_t hdr[24] = {0};
        wasi_put_u64(hdr, i + 1);
        wasi_put_u64(hdr + 8, e->ino);
        wasi_put_u32(hdr + 16, e->namelen);
        hdr[20] = e->type;
        uint32_t n = size - used < 24 ? size - used : 24;
        memcpy(buf + used, hdr, n);
        used += n;
        n = size - used < e->namelen ? size - used : e->namelen;
        memcpy(buf + used, e->name, n);
        used += n;
    }
    return used;
}

WASI_FN(fd_readdir)
{
    struct wasi_fd *f;
    uint16_t r = wasi_fd_get(ctx, a[0].i32, R_FD_READDIR, &f);
    if (r != WASI_ESUCCESS) return r;
    if (f->kind != WASI_FD_DIR) return WASI_ENOTDIR;
    uint32_t size = a[2].i32;
    uint8_t *buf = wasi_mem(caller, a[1].i32, size);
    uint8_t *pused = wasi_mem(caller, a[4].i32, 4);
    if (!buf || !pused) return WASI_EFAULT;
    uint64_t cookie = a[3].i64;
    if (cookie == 0 || !f->dir) {
        struct wasi_dircache *dc = NULL;
        int ret = dircache_load(ctx, f->host, &dc);
        if (ret < 0) return wasi_errno_from_host(-ret);
        wasi_dircache_free(f->dir);
        f->dir = dc;
    }
    wasi_put_u32(pused, dircache_put(f->dir, cookie, buf, size));
    return WASI_ESUCCESS;
}
