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
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
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
            errno = (int)-r;
            return -1;
        }
        done += (size_t)r;
        if ((size_t)r < iov[i].iov_len) break;
    }
    return (ssize_t)done;
}

static ssize_t host_transfer(struct wasi_fd *f, struct iovec *iov, uint32_t n, bool is_write,
                             int64_t offset)
{
    ssize_t r;
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = n};
    do {
        if (f->kind == WASI_FD_SOCKET && is_write)
            r = sendmsg(f->host, &msg, MSG_NOSIGNAL); /* a gone peer is EPIPE, not SIGPIPE */
        else if (offset >= 0)
            r = is_write ? pwritev(f->host, iov, (int)n, offset)
                         : preadv(f->host, iov, (int)n, offset);
        else
            r = is_write ? writev(f->host, iov, (int)n) : readv(f->host, iov, (int)n);
    } while (r < 0 && errno == EINTR);
    return r;
}

uint16_t wasi_iov_transfer(struct wasm_caller *caller, struct wasi_fd *f, uint32_t iovs, uint32_t n,
                           bool is_write, int64_t offset, uint32_t *done)
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
                                          : host_transfer(f, iov, n, is_write, offset);
    if (r < 0) return wasi_errno_from_host(errno);
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
    r = wasi_iov_transfer(caller, f, a[1].i32, a[2].i32, is_write, off, &done);
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
    off_t pos = lseek(f->host, (off_t)delta, whences[whence]);
    if (pos < 0) return wasi_errno_from_host(errno);
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
    off_t pos = lseek(f->host, 0, SEEK_CUR);
    if (pos < 0) return wasi_errno_from_host(errno);
    wasi_put_u64(p, (uint64_t)pos);
    return WASI_ESUCCESS;
}

static uint16_t sync_fd(struct wasi_ctx *ctx, uint32_t fd, uint64_t right, bool data_only)
{
    struct wasi_fd *f;
    uint16_t r = wasi_fd_get(ctx, fd, right, &f);
    if (r != WASI_ESUCCESS) return r;
    if (f->kind == WASI_FD_STREAM) return WASI_EINVAL;
    if ((data_only ? fdatasync(f->host) : fsync(f->host)) < 0) return wasi_errno_from_host(errno);
    return WASI_ESUCCESS;
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
    int ret = posix_fadvise(f->host, (off_t)a[1].i64, (off_t)a[2].i64, advice[a[3].i32]);
    return wasi_errno_from_host(ret);
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
    int ret = posix_fallocate(f->host, (off_t)off, (off_t)len);
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
    } else if (fstat(f->host, &st) < 0) {
        return wasi_errno_from_host(errno);
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
    if (ftruncate(f->host, (off_t)a[1].i64) < 0) return wasi_errno_from_host(errno);
    return WASI_ESUCCESS;
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
    if (futimens(f->host, ts) < 0) return wasi_errno_from_host(errno);
    return WASI_ESUCCESS;
}

static uint8_t dirent_type(int dirfd, const struct dirent *d)
{
    switch (d->d_type) {
    case DT_REG: return WASI_FT_REG;
    case DT_DIR: return WASI_FT_DIR;
    case DT_LNK: return WASI_FT_SYMLINK;
    case DT_CHR: return WASI_FT_CHAR;
    case DT_BLK: return WASI_FT_BLOCK;
    case DT_SOCK: return WASI_FT_SOCK_STREAM;
    case DT_FIFO: return WASI_FT_UNKNOWN;
    default: {
        struct stat st;
        if (fstatat(dirfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) return WASI_FT_UNKNOWN;
        return wasi_filetype_of(st.st_mode, -1);
    }
    }
}

static int dircache_add(struct wasi_dircache *dc, uint32_t *cap, const struct dirent *d,
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
    e->name = strdup(d->d_name);
    if (!e->name) return -ENOMEM;
    e->namelen = (uint16_t)strlen(e->name);
    e->ino = d->d_ino;
    e->type = type;
    dc->count++;
    return 0;
}

/* A fresh snapshot of the directory behind host fd. */
static int dircache_load(int host, struct wasi_dircache **out)
{
    int fd = openat(host, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -errno;
    DIR *dir = fdopendir(fd);
    if (!dir) {
        int e = errno;
        close(fd);
        return -e;
    }
    struct wasi_dircache *dc = calloc(1, sizeof(*dc));
    uint32_t cap = 0;
    int ret = dc ? 0 : -ENOMEM;
    struct dirent *d;
    while (ret == 0 && (errno = 0, d = readdir(dir)) != NULL)
        ret = dircache_add(dc, &cap, d, dirent_type(fd, d));
    if (ret == 0 && errno != 0) ret = -errno;
    closedir(dir);
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
        int ret = dircache_load(f->host, &dc);
        if (ret < 0) return wasi_errno_from_host(-ret);
        wasi_dircache_free(f->dir);
        f->dir = dc;
    }
    wasi_put_u32(pused, dircache_put(f->dir, cookie, buf, size));
    return WASI_ESUCCESS;
}
