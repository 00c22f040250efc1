/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fdtable.c - the workload's file descriptor table, how it is filled before the workload
 * starts (wasi_ctx_add_*), and the WASI functions that act on the table itself: fd_close,
 * fd_renumber, fd_prestat_get, fd_prestat_dir_name, fd_fdstat_get, fd_fdstat_set_flags,
 * fd_fdstat_set_rights.
 *
 * The table is a growable array of struct wasi_fd; a new entry takes the lowest free slot, as
 * POSIX does, up to WASI_MAX_FDS. A WASI fd number is an index into it and nothing else: the
 * host fd numbers behind it are never shown to the workload. Rights are the spec's: each entry
 * carries base and inheriting rights, which fd_fdstat_set_rights can only shrink; every
 * function checks the rights it needs through wasi_fd_get() and answers ENOTCAPABLE when one is
 * missing.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

uint16_t wasi_fd_get(struct wasi_ctx *ctx, uint32_t fd, uint64_t rights, struct wasi_fd **out)
{
    if (fd >= ctx->nfds || ctx->fds[fd].kind == WASI_FD_FREE) return WASI_EBADF;
    struct wasi_fd *f = &ctx->fds[fd];
    if ((f->rights_base & rights) != rights) return WASI_ENOTCAPABLE;
    *out = f;
    return WASI_ESUCCESS;
}

void wasi_dircache_free(struct wasi_dircache *dc)
{
    if (!dc) return;
    for (uint32_t i = 0; i < dc->count; i++)
        free(dc->ents[i].name);
    free(dc->ents);
    free(dc);
}

/* Whether another entry than ent holds host fd. */
static bool host_shared(const struct wasi_ctx *ctx, const struct wasi_fd *ent)
{
    for (uint32_t i = 0; i < ctx->nfds; i++) {
        const struct wasi_fd *o = &ctx->fds[i];
        if (o != ent && o->kind != WASI_FD_FREE && o->kind != WASI_FD_STREAM &&
            o->host == ent->host)
            return true;
    }
    return false;
}

void wasi_fd_release(struct wasi_ctx *ctx, struct wasi_fd *ent)
{
    if (ent->kind == WASI_FD_STREAM && ent->ops)
        ent->ops->close(ent->priv);
    else if (ent->kind != WASI_FD_FREE && ent->own)
        wasi_host_close(ctx, ent->host);
    else if (ent->kind != WASI_FD_FREE && ent->host > 2 && !host_shared(ctx, ent))
        wasi_host_fd_unmark(ctx, ent->host); /* the embedder's: no longer ours to track */
    free(ent->preopen);
    wasi_dircache_free(ent->dir);
    memset(ent, 0, sizeof(*ent));
    ent->host = -1;
}

int wasi_fd_insert(struct wasi_ctx *ctx, struct wasi_fd *ent, uint32_t *fd_out)
{
    uint32_t fd = 0;
    while (fd < ctx->nfds && ctx->fds[fd].kind != WASI_FD_FREE)
        fd++;
    if (fd >= WASI_MAX_FDS) {
        wasi_fd_release(ctx, ent);
        return -EMFILE;
    }
    if (fd == ctx->nfds) {
        uint32_t cap = ctx->nfds ? ctx->nfds * 2 : 8;
        if (cap > WASI_MAX_FDS) cap = WASI_MAX_FDS;
        struct wasi_fd *n = realloc(ctx->fds, cap * sizeof(*n));
        if (!n) {
            wasi_fd_release(ctx, ent);
            return -ENOMEM;
        }
        memset(n + ctx->nfds, 0, (cap - ctx->nfds) * sizeof(*n));
        ctx->fds = n;
        ctx->nfds = cap;
    }
    ctx->fds[fd] = *ent;
    if (fd_out) *fd_out = fd;
    return 0;
}

uint32_t wasi_ctx_fd_count(const struct wasi_ctx *ctx)
{
    uint32_t n = ctx->nfds;
    while (n > 0 && ctx->fds[n - 1].kind == WASI_FD_FREE)
        n--;
    return n;
}

uint8_t wasi_filetype_of(struct wasi_ctx *ctx, unsigned mode, int host_fd)
{
    switch (mode & S_IFMT) {
    case S_IFREG: return WASI_FT_REG;
    case S_IFDIR: return WASI_FT_DIR;
    case S_IFCHR: return WASI_FT_CHAR;
    case S_IFBLK: return WASI_FT_BLOCK;
    case S_IFLNK: return WASI_FT_SYMLINK;
    case S_IFSOCK: {
        int type = 0;
        if (host_fd >= 0 && wasi_host_sock_type(ctx, host_fd, &type) == 0 && type == SOCK_DGRAM)
            return WASI_FT_SOCK_DGRAM;
        return WASI_FT_SOCK_STREAM;
    }
    default: return WASI_FT_UNKNOWN;
    }
}

void wasi_filestat_put(uint8_t *p, const struct stat *st)
{
    memset(p, 0, 64);
    wasi_put_u64(p, (uint64_t)st->st_dev);
    wasi_put_u64(p + 8, (uint64_t)st->st_ino);
    p[16] = wasi_filetype_of(NULL, st->st_mode, -1);
    wasi_put_u64(p + 24, (uint64_t)st->st_nlink);
    wasi_put_u64(p + 32, (uint64_t)st->st_size);
    wasi_put_u64(p + 40,
                 (uint64_t)st->st_atim.tv_sec * 1000000000u + (uint64_t)st->st_atim.tv_nsec);
    wasi_put_u64(p + 48,
                 (uint64_t)st->st_mtim.tv_sec * 1000000000u + (uint64_t)st->st_mtim.tv_nsec);
    wasi_put_u64(p + 56,
                 (uint64_t)st->st_ctim.tv_sec * 1000000000u + (uint64_t)st->st_ctim.tv_nsec);
}

/* Base rights of a host fd: what its type allows, less what its open mode forbids. */
static uint64_t host_rights(struct wasi_ctx *ctx, int host_fd, uint8_t filetype)
{
    uint64_t r;
    switch (filetype) {
    case WASI_FT_REG:
    case WASI_FT_BLOCK: r = RIGHTS_FILE; break;
    case WASI_FT_DIR: return RIGHTS_DIR;
    case WASI_FT_SOCK_STREAM:
    case WASI_FT_SOCK_DGRAM: r = RIGHTS_SOCK; break;
    default:
        r = RIGHTS_TTY; /* terminals, pipes, /dev/null: not seekable */
        break;
    }
    int fl = wasi_host_fcntl_getfl(ctx, host_fd);
    if (fl >= 0 && (fl & O_ACCMODE) == O_RDONLY)
        r &= ~(R_FD_WRITE | R_FD_DATASYNC | R_FD_ALLOCATE | R_FD_FILESTAT_SET_SIZE);
    if (fl >= 0 && (fl & O_ACCMODE) == O_WRONLY) r &= ~R_FD_READ;
    return r;
}

int wasi_ctx_add_host_fd(struct wasi_ctx *ctx, int host_fd, bool own, uint32_t *fd_out)
{
    struct stat st;
    int ret = wasi_host_fstat(ctx, host_fd, &st);
    if (ret < 0) return ret;
    if (host_fd < 0 || (unsigned)host_fd >= WASI_HOST_FD_LIMIT) return -EBADF;
    ret = wasi_host_fd_mark(ctx, host_fd);
    if (ret < 0) return ret;
    struct wasi_fd e = {.host = host_fd, .own = own};
    e.filetype = wasi_filetype_of(ctx, st.st_mode, host_fd);
    e.kind = e.filetype == WASI_FT_DIR ? WASI_FD_DIR
             : (e.filetype == WASI_FT_SOCK_STREAM || e.filetype == WASI_FT_SOCK_DGRAM)
                 ? WASI_FD_SOCKET
                 : WASI_FD_FILE;
    e.rights_base = host_rights(ctx, host_fd, e.filetype);
    e.rights_inh = e.kind == WASI_FD_DIR ? (RIGHTS_DIR | RIGHTS_FILE) : 0;
    return wasi_fd_insert(ctx, &e, fd_out);
}

int wasi_ctx_add_preopen(struct wasi_ctx *ctx, const char *host_path, const char *guest_path,
                         uint32_t *fd_out)
{
    int fd = wasi_host_openat(ctx, AT_FDCWD, host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    if (fd < 0) return fd;
    struct wasi_fd e = {.kind = WASI_FD_DIR, .host = fd, .own = true, .filetype = WASI_FT_DIR};
    e.rights_base = RIGHTS_DIR;
    e.rights_inh = RIGHTS_DIR | RIGHTS_FILE;
    e.preopen = strdup(guest_path);
    if (!e.preopen) {
        wasi_host_close(ctx, fd);
        return -ENOMEM;
    }
    return wasi_fd_insert(ctx, &e, fd_out);
}

int wasi_ctx_add_preopen_fd(struct wasi_ctx *ctx, int dir_fd, const char *guest_path,
                            uint32_t *fd_out)
{
    struct stat st;
    if (dir_fd < 0 || fstat(dir_fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
        if (dir_fd >= 0) close(dir_fd);
        return -ENOTDIR;
    }
    struct wasi_fd e = {.kind = WASI_FD_DIR, .host = dir_fd, .own = true, .filetype = WASI_FT_DIR};
    e.rights_base = RIGHTS_DIR;
    e.rights_inh = RIGHTS_DIR | RIGHTS_FILE;
    e.preopen = strdup(guest_path);
    if (!e.preopen) {
        close(dir_fd);
        return -ENOMEM;
    }
    return wasi_fd_insert(ctx, &e, fd_out);
}

int wasi_ctx_add_stream(struct wasi_ctx *ctx, const struct wasi_stream_ops *ops, void *priv,
                        uint32_t *fd_out)
{
    struct wasi_fd e = {.kind = WASI_FD_STREAM, .host = -1, .ops = ops, .priv = priv};
    e.filetype = WASI_FT_SOCK_STREAM;
    e.listening = ops->accept != NULL;
    e.rights_base = e.listening ? RIGHTS_LISTEN : RIGHTS_SOCK;
    e.rights_inh = e.listening ? RIGHTS_SOCK : 0;
    return wasi_fd_insert(ctx, &e, fd_out);
}

WASI_FN(fd_close)
{
    (void)caller;
    struct wasi_fd *f;
    uint16_t r = wasi_fd_get(ctx, a[0].i32, 0, &f);
    if (r == WASI_ESUCCESS) wasi_fd_release(ctx, f);
    return r;
}

/* Both fds must be open; `to` is closed and `from` takes its number. */
WASI_FN(fd_renumber)
{
    (void)caller;
    struct wasi_fd *from, *to;
    uint16_t r = wasi_fd_get(ctx, a[0].i32, 0, &from);
    if (r == WASI_ESUCCESS) r = wasi_fd_get(ctx, a[1].i32, 0, &to);
    if (r != WASI_ESUCCESS || from == to) return r;
    wasi_fd_release(ctx, to);
    *to = *from;
    memset(from, 0, sizeof(*from));
    from->host = -1;
    return WASI_ESUCCESS;
}

WASI_FN(fd_prestat_get)
{
    struct wasi_fd *f;
    uint16_t r = wasi_fd_get(ctx, a[0].i32, 0, &f);
    if (r != WASI_ESUCCESS) return r;
    if (!f->preopen) return WASI_EBADF; /* wasi-libc stops scanning pre-opens at the first EBADF */
    uint8_t *p = wasi_mem(caller, a[1].i32, 8);
    if (!p) return WASI_EFAULT;
    memset(p, 0, 8);
    wasi_put_u32(p + 4, (uint32_t)strlen(f->preopen));
    return WASI_ESUCCESS;
}

WASI_FN(fd_prestat_dir_name)
{
    struct wasi_fd *f;
    uint16_t r = wasi_fd_get(ctx, a[0].i32, 0, &f);
    if (r != WASI_ESUCCESS) return r;
    if (!f->preopen) return WASI_EBADF;
    size_t len = strlen(f->preopen);
    if (a[2].i32 < len) return WASI_ENAMETOOLONG;
    uint8_t *p = wasi_mem(caller, a[1].i32, len);
    if (!p) return WASI_EFAULT;
    memcpy(p, f->preopen, len);
    return WASI_ESUCCESS;
}

/* The entry's fdflags, from the host fd's status flags (streams keep their own; on an fd the
 * context does not own, APPEND and NONBLOCK are the emulated ones). */
static uint16_t fd_flags(struct wasi_ctx *ctx, const struct wasi_fd *f)
{
    if (f->kind == WASI_FD_STREAM) return f->nonblock ? WASI_FDFLAG_NONBLOCK : 0;
    int fl = wasi_host_fcntl_getfl(ctx, f->host);
    if (fl < 0) return 0;
    uint16_t r = 0;
    if (!f->own) {
        r = f->emu_flags;
    } else {
        if (fl & O_APPEND) r |= WASI_FDFLAG_APPEND;
        if (fl & O_NONBLOCK) r |= WASI_FDFLAG_NONBLOCK;
    }
    if ((fl & O_SYNC) == O_SYNC)
        r |= WASI_FDFLAG_SYNC | WASI_FDFLAG_RSYNC;
    else if (fl & O_DSYNC)
        r |= WASI_FDFLAG_DSYNC;
    return r;
}

WASI_FN(fd_fdstat_get)
{
    struct wasi_fd *f;
    uint16_t r = wasi_fd_get(ctx, a[0].i32, 0, &f);
    if (r != WASI_ESUCCESS) return r;
    uint8_t *p = wasi_mem(caller, a[1].i32, 24);
    if (!p) return WASI_EFAULT;
    memset(p, 0, 24);
    p[0] = f->filetype;
    wasi_put_u16(p + 2, fd_flags(ctx, f));
    wasi_put_u64(p + 8, f->rights_base);
    wasi_put_u64(p + 16, f->rights_inh);
    return WASI_ESUCCESS;
}

/*
 * Only APPEND and NONBLOCK can change on an open Linux fd; asking for the synchronous flags
 * answers ENOTSUP rather than silently not honouring them. On an fd the context does not own
 * (the standard streams), the open file description is shared with the embedder and whoever
 * started it (a terminal): changing it would outlive the workload, so the flags are kept in
 * the entry and emulated (fd.c: NONBLOCK polls before each transfer, APPEND writes at the end).
 */
WASI_FN(fd_fdstat_set_flags)
{
    (void)caller;
    struct wasi_fd *f;
    uint16_t r = wasi_fd_get(ctx, a[0].i32, R_FD_FDSTAT_SET_FLAGS, &f);
    uint32_t want = a[1].i32;
    if (r != WASI_ESUCCESS) return r;
    if (want & ~(uint32_t)0x1f) return WASI_EINVAL;
    if (want & (WASI_FDFLAG_DSYNC | WASI_FDFLAG_RSYNC | WASI_FDFLAG_SYNC)) return WASI_ENOTSUP;
    if (f->kind == WASI_FD_STREAM) {
        if (want & WASI_FDFLAG_APPEND) return WASI_ENOTSUP;
        bool nb = (want & WASI_FDFLAG_NONBLOCK) != 0;
        int ret = f->ops->set_nonblock ? f->ops->set_nonblock(f->priv, nb) : -ENOTSUP;
        if (ret < 0) return wasi_errno_from_host(-ret);
        f->nonblock = nb;
        return WASI_ESUCCESS;
    }
    if (!f->own) {
        f->emu_flags = (uint16_t)(want & (WASI_FDFLAG_APPEND | WASI_FDFLAG_NONBLOCK));
        return WASI_ESUCCESS;
    }
    int fl = wasi_host_fcntl_getfl(ctx, f->host);
    if (fl < 0) return wasi_errno_from_host(-fl);
    fl &= ~(O_APPEND | O_NONBLOCK);
    fl |=
        (want & WASI_FDFLAG_APPEND ? O_APPEND : 0) | (want & WASI_FDFLAG_NONBLOCK ? O_NONBLOCK : 0);
    int ret = wasi_host_fcntl_setfl(ctx, f->host, fl);
    if (ret < 0) return wasi_errno_from_host(-ret);
    return WASI_ESUCCESS;
}

WASI_FN(fd_fdstat_set_rights)
{
    (void)caller;
    struct wasi_fd *f;
    uint16_t r = wasi_fd_get(ctx, a[0].i32, 0, &f);
    if (r != WASI_ESUCCESS) return r;
    uint64_t base = a[1].i64, inh = a[2].i64;
    if ((base & ~f->rights_base) || (inh & ~f->rights_inh)) return WASI_ENOTCAPABLE;
    f->rights_base = base;
    f->rights_inh = inh;
    return WASI_ESUCCESS;
}
