/* SPDX-License-Identifier: Apache-2.0 */
/*
 * path.c - capability-safe path resolution and the path_* functions.
 *
 * A path the workload passes is relative to a directory fd it holds and must never name
 * anything outside that directory. Two resolvers enforce this:
 *
 *  - openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) (Linux 5.6+): the kernel refuses any
 *    "..", absolute path or symlink that would leave the directory (EXDEV), atomically.
 *  - walk(): the component-wise fallback, used when openat2 is missing (ENOSYS) or
 *    ENARX_WASI_NO_OPENAT2=1. It opens one component at a time with O_PATH | O_NOFOLLOW from a
 *    private duplicate of the directory fd; a symlink is read through its own O_PATH fd and its
 *    text spliced in front of the rest of the path (absolute targets refused, at most 40
 *    links: ELOOP); ".." goes up only while the depth is above the starting directory, and the
 *    directory it reaches must have the (device, inode) recorded on the way down, so a
 *    directory renamed underneath us cannot lead out either.
 *
 * Operations on an entry itself (unlink, rmdir, mkdir, rename, link, symlink, readlink, stat
 * without following) resolve the parent with a resolver and then act on the last component
 * with an *at() call that does not follow it. Trailing slashes are stripped from the last
 * component and checked here (the entry must then be a directory), so no *at() call ever gets a
 * name the kernel would follow. An escape is reported as EWASI_NOTCAPABLE, which
 * wasi_errno_from_host maps to ENOTCAPABLE (76).
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_LINKS 40
#define MAX_DEPTH 2048

/* Copies the guest path into out (PATH_MAX bytes) as a C string. */
static uint16_t get_path(struct wasm_caller *caller, uint32_t ptr, uint32_t len, char *out)
{
    const uint8_t *p = wasi_mem(caller, ptr, len);
    if (!p) return WASI_EFAULT;
    if (len >= PATH_MAX) return WASI_ENAMETOOLONG;
    if (memchr(p, 0, len)) return WASI_EINVAL;
    if (len == 0) return WASI_ENOENT;
    memcpy(out, p, len);
    out[len] = 0;
    return WASI_ESUCCESS;
}

struct walk {
    struct wasi_ctx *ctx;
    char buf[2 * PATH_MAX]; /* the path still to resolve, from pos on */
    size_t pos;
    int cur; /* O_PATH fd of the directory reached */
    uint32_t depth, links;
    dev_t dev[MAX_DEPTH + 1];
    ino_t ino[MAX_DEPTH + 1];
};

/* Next component of w->buf into comp; *last when nothing but slashes follows it. */
static bool next_component(struct walk *w, char *comp, bool *last, bool *trailing)
{
    while (w->buf[w->pos] == '/')
        w->pos++;
    if (!w->buf[w->pos]) return false;
    size_t start = w->pos;
    while (w->buf[w->pos] && w->buf[w->pos] != '/')
        w->pos++;
    size_t n = w->pos - start;
    memcpy(comp, w->buf + start, n);
    comp[n] = 0;
    size_t q = w->pos;
    while (w->buf[q] == '/')
        q++;
    *last = !w->buf[q];
    *trailing = *last && q > w->pos;
    return true;
}

/* Replaces the resolved part with the symlink text at lfd, before the rest of the path. */
static int splice_link(struct walk *w, int lfd)
{
    char target[PATH_MAX];
    if (++w->links > MAX_LINKS) return -ELOOP;
    ssize_t n = wasi_host_readlinkat(w->ctx, lfd, "", target, sizeof(target) - 1);
    if (n < 0) return (int)n;
    if (n == 0) return -ENOENT;
    if (target[0] == '/') return -EWASI_NOTCAPABLE;
    size_t rest = strlen(w->buf + w->pos);
    if ((size_t)n + 1 + rest + 1 > sizeof(w->buf)) return -ENAMETOOLONG;
    memmove(w->buf + n + 1, w->buf + w->pos, rest + 1);
    memcpy(w->buf, target, (size_t)n);
    w->buf[n] = rest ? '/' : 0;
    w->pos = 0;
    return 0;
}

static int step_up(struct walk *w)
{
    struct stat st;
    if (w->depth == 0) return -EWASI_NOTCAPABLE;
    int nfd = wasi_host_openat(w->ctx, w->cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    if (nfd < 0) return nfd;
    if (wasi_host_fstat(w->ctx, nfd, &st) < 0 || st.st_dev != w->dev[w->depth - 1] ||
        st.st_ino != w->ino[w->depth - 1]) {
        wasi_host_close(w->ctx, nfd);
        return -EWASI_NOTCAPABLE;
    }
    wasi_host_close(w->ctx, w->cur);
    w->cur = nfd;
    w->depth--;
    return 0;
}

/* Descends into comp (a directory, or a symlink to splice). 1 when it was a missing last. */
static int step_down(struct walk *w, const char *comp, bool last, bool follow, char *name,
                     size_t name_size)
{
    struct stat st;
    int nfd = wasi_host_openat(w->ctx, w->cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
    if (nfd == -ENOENT && last) goto leaf;
    if (nfd < 0) return nfd;
    int ret = wasi_host_fstat(w->ctx, nfd, &st);
    if (ret < 0) {
        wasi_host_close(w->ctx, nfd);
        return ret;
    }
    if (S_ISLNK(st.st_mode) && (!last || follow)) {
        ret = splice_link(w, nfd);
        wasi_host_close(w->ctx, nfd);
        return ret;
    }
    if (last) {
        wasi_host_close(w->ctx, nfd);
        goto leaf;
    }
    if (!S_ISDIR(st.st_mode) || w->depth >= MAX_DEPTH) {
        wasi_host_close(w->ctx, nfd);
        return S_ISDIR(st.st_mode) ? -ENAMETOOLONG : -ENOTDIR;
    }
    wasi_host_close(w->ctx, w->cur);
    w->cur = nfd;
    w->depth++;
    w->dev[w->depth] = st.st_dev;
    w->ino[w->depth] = st.st_ino;
    return 0;
leaf:
    if (strlen(comp) >= name_size) return -ENAMETOOLONG;
    strcpy(name, comp);
    return 1;
}

/*
 * The component-wise resolver: w->cur ends as an O_PATH fd of the last component's parent
 * and name holds the last component ("." when the path ends in "." or ".."). follow: a
 * symlink in the last component is followed too. *trailing: the path ended in slashes.
 */
static int walk(struct walk *w, int dirfd, bool follow, char *name, size_t name_size,
                bool *trailing)
{
    struct stat st;
    char comp[PATH_MAX];
    w->cur = wasi_host_openat(w->ctx, dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    if (w->cur < 0) return w->cur;
    int ret = wasi_host_fstat(w->ctx, w->cur, &st);
    if (ret < 0) return ret;
    w->dev[0] = st.st_dev;
    w->ino[0] = st.st_ino;
    if (w->buf[0] == '/') return -EWASI_NOTCAPABLE;
    bool last = true;
    *trailing = false;
    strcpy(name, ".");
    while (next_component(w, comp, &last, trailing)) {
        if (strcmp(comp, ".") == 0)
            ret = 0;
        else if (strcmp(comp, "..") == 0)
            ret = step_up(w);
        else
            ret = step_down(w, comp, last, follow || *trailing, name, name_size);
        if (ret < 0) return ret;
        if (ret == 1) return 0;
        strcpy(name, ".");
    }
    return 0;
}

static int walk_parent(struct wasi_ctx *ctx, const char *path, int dirfd, bool follow, char *name,
                       size_t name_size, bool *trailing)
{
    struct walk *w = malloc(sizeof(*w));
    if (!w) return -ENOMEM;
    w->ctx = ctx;
    w->pos = 0;
    w->depth = w->links = 0;
    w->cur = -1;
    snprintf(w->buf, sizeof(w->buf), "%s", path);
    int ret = walk(w, dirfd, follow, name, name_size, trailing);
    if (ret < 0 && w->cur >= 0)
        wasi_host_close(ctx, w->cur);
    else if (ret == 0)
        ret = w->cur;
    free(w);
    return ret;
}

static int beneath_openat2(struct wasi_ctx *ctx, int dirfd, const char *path, int flags,
                           unsigned mode)
{
    int fd =
        wasi_host_openat2(ctx, dirfd, path, (uint64_t)(flags | O_CLOEXEC),
                          (flags & O_CREAT) ? mode : 0, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
    return fd == -EXDEV ? -EWASI_NOTCAPABLE : fd;
}

static int openat_c(struct wasi_ctx *ctx, int dirfd, const char *path, int flags, unsigned mode)
{
    if (!ctx->no_openat2) {
        int fd = beneath_openat2(ctx, dirfd, path, flags, mode);
        if (fd != -ENOSYS) return fd;
        ctx->no_openat2 = true;
    }
    char name[PATH_MAX];
    bool trailing;
    int parent =
        walk_parent(ctx, path, dirfd, !(flags & O_NOFOLLOW), name, sizeof(name), &trailing);
    if (parent < 0) return parent;
    if (trailing && (flags & O_CREAT)) {
        wasi_host_close(ctx, parent);
        return -EISDIR;
    }
    int fd = wasi_host_openat(ctx, parent, name,
                              flags | O_NOFOLLOW | O_CLOEXEC | (trailing ? O_DIRECTORY : 0), mode);
    wasi_host_close(ctx, parent);
    return fd;
}

int wasi_path_openat(struct wasi_ctx *ctx, int dirfd, const char *path, size_t len, int flags,
                     unsigned mode)
{
    char buf[PATH_MAX];
    if (len >= sizeof(buf)) return -ENAMETOOLONG;
    if (memchr(path, 0, len)) return -EINVAL;
    memcpy(buf, path, len);
    buf[len] = 0;
    return openat_c(ctx, dirfd, buf, flags, mode);
}

/* Splits path into its directory part (in dir) and last component (in name, no slashes). */
static void split_path(const char *path, char *dir, char *name, size_t name_size, bool *trailing)
{
    size_t end = strlen(path);
    while (end > 1 && path[end - 1] == '/')
        end--;
    *trailing = end < strlen(path);
    size_t start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    snprintf(name, name_size, "%.*s", (int)(end - start), path + start);
    if (start == 0)
        strcpy(dir, ".");
    else
        snprintf(dir, PATH_MAX, "%.*s", (int)start, path);
}

static int parent_c(struct wasi_ctx *ctx, int dirfd, const char *path, char *name, size_t name_size,
                    bool *trailing)
{
    if (!ctx->no_openat2) {
        char dir[PATH_MAX];
        split_path(path, dir, name, name_size, trailing);
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || path[0] == '/') {
            strcpy(dir, path);
            strcpy(name, ".");
        }
        int fd = beneath_openat2(ctx, dirfd, dir, O_PATH | O_DIRECTORY, 0);
        if (fd != -ENOSYS) return fd;
        ctx->no_openat2 = true;
    }
    return walk_parent(ctx, path, dirfd, false, name, name_size, trailing);
}

int wasi_path_parent(struct wasi_ctx *ctx, int dirfd, const char *path, size_t len, char *name,
                     size_t name_size, bool *trailing)
{
    char buf[PATH_MAX];
    if (len >= sizeof(buf)) return -ENAMETOOLONG;
    if (memchr(path, 0, len)) return -EINVAL;
    if (len == 0) return -ENOENT;
    memcpy(buf, path, len);
    buf[len] = 0;
    return parent_c(ctx, dirfd, buf, name, name_size, trailing);
}

/* A directory entry with the rights, and the guest path at (ptr, len) copied into path. */
static uint16_t get_dir(struct wasi_ctx *ctx, struct wasm_caller *caller, uint32_t fd,
                        uint64_t rights, uint32_t ptr, uint32_t len, char *path,
                        struct wasi_fd **out)
{
    uint16_t r = wasi_fd_get(ctx, fd, 0, out);
    if (r != WASI_ESUCCESS) return r;
    if ((*out)->kind != WASI_FD_DIR) return WASI_ENOTDIR;
    r = wasi_fd_get(ctx, fd, rights, out);
    if (r != WASI_ESUCCESS) return r;
    return get_path(caller, ptr, len, path);
}

/* Resolved parent of a path argument: fd (or -1), last component, trailing slash. */
struct target {
    int parent;
    bool trailing;
    char name[PATH_MAX];
};

static uint16_t resolve(struct wasi_ctx *ctx, struct wasm_caller *caller, uint32_t fd,
                        uint64_t rights, uint32_t ptr, uint32_t len, struct target *t)
{
    struct wasi_fd *f;
    char path[PATH_MAX];
    t->parent = -1;
    uint16_t r = get_dir(ctx, caller, fd, rights, ptr, len, path, &f);
    if (r != WASI_ESUCCESS) return r;
    int p = parent_c(ctx, f->host, path, t->name, sizeof(t->name), &t->trailing);
    if (p < 0) return wasi_errno_from_host(-p);
    t->parent = p;
    return WASI_ESUCCESS;
}

static void target_done(struct wasi_ctx *ctx, struct target *t)
{
    if (t->parent >= 0) wasi_host_close(ctx, t->parent);
    t->parent = -1;
}

/* lstat of the target: 0, or a negative errno (-ENOENT when missing). */
static int target_stat(struct wasi_ctx *ctx, const struct target *t, struct stat *st)
{
    return wasi_host_fstatat(ctx, t->parent, t->name, st, AT_SYMLINK_NOFOLLOW);
}

/* With a trailing slash, an existing entry must be a directory. */
static uint16_t trailing_check(struct wasi_ctx *ctx, const struct target *t)
{
    struct stat st;
    if (t->trailing && target_stat(ctx, t, &st) == 0 && !S_ISDIR(st.st_mode)) return WASI_ENOTDIR;
    return WASI_ESUCCESS;
}

/* The WASI errno of a checked host call's result (0 or a negative errno). */
static uint16_t host_result(int ret)
{
    return ret < 0 ? wasi_errno_from_host(-ret) : WASI_ESUCCESS;
}

WASI_FN(path_create_directory)
{
    struct target t;
    uint16_t r = resolve(ctx, caller, a[0].i32, R_PATH_CREATE_DIRECTORY, a[1].i32, a[2].i32, &t);
    if (r == WASI_ESUCCESS) r = host_result(wasi_host_mkdirat(ctx, t.parent, t.name, 0777));
    target_done(ctx, &t);
    return r;
}

WASI_FN(path_remove_directory)
{
    struct target t;
    uint16_t r = resolve(ctx, caller, a[0].i32, R_PATH_REMOVE_DIRECTORY, a[1].i32, a[2].i32, &t);
    if (r == WASI_ESUCCESS) r = trailing_check(ctx, &t);
    if (r == WASI_ESUCCESS)
        r = host_result(wasi_host_unlinkat(ctx, t.parent, t.name, AT_REMOVEDIR));
    target_done(ctx, &t);
    return r;
}

WASI_FN(path_unlink_file)
{
    struct target t;
    struct stat st;
    uint16_t r = resolve(ctx, caller, a[0].i32, R_PATH_UNLINK_FILE, a[1].i32, a[2].i32, &t);
    if (r == WASI_ESUCCESS && t.trailing && target_stat(ctx, &t, &st) == 0)
        r = S_ISDIR(st.st_mode) ? WASI_EISDIR : WASI_ENOTDIR;
    if (r == WASI_ESUCCESS) r = host_result(wasi_host_unlinkat(ctx, t.parent, t.name, 0));
    target_done(ctx, &t);
    return r;
}

WASI_FN(path_readlink)
{
    struct target t;
    uint16_t r = resolve(ctx, caller, a[0].i32, R_PATH_READLINK, a[1].i32, a[2].i32, &t);
    uint32_t size = a[4].i32;
    uint8_t *buf = wasi_mem(caller, a[3].i32, size), *pused = wasi_mem(caller, a[5].i32, 4);
    if (r == WASI_ESUCCESS && (!buf || !pused)) r = WASI_EFAULT;
    if (r == WASI_ESUCCESS) r = trailing_check(ctx, &t);
    if (r == WASI_ESUCCESS) {
        char link[PATH_MAX];
        /* n is checked to be at most sizeof(link) (host.c); copy by it, never by size */
        ssize_t n = wasi_host_readlinkat(ctx, t.parent, t.name, link, sizeof(link));
        if (n < 0) {
            r = wasi_errno_from_host((int)-n);
        } else {
            uint32_t used = (size_t)n < size ? (uint32_t)n : size;
            memcpy(buf, link, used);
            wasi_put_u32(pused, used);
        }
    }
    target_done(ctx, &t);
    return r;
}

WASI_FN(path_filestat_get)
{
    struct stat st;
    struct wasi_fd *f;
    char path[PATH_MAX];
    uint16_t r = get_dir(ctx, caller, a[0].i32, R_PATH_FILESTAT_GET, a[2].i32, a[3].i32, path, &f);
    uint8_t *p = wasi_mem(caller, a[4].i32, 64);
    if (r != WASI_ESUCCESS) return r;
    if (!p) return WASI_EFAULT;
    int flags = O_PATH | ((a[1].i32 & WASI_LOOKUP_FOLLOW) ? 0 : O_NOFOLLOW);
    int fd = openat_c(ctx, f->host, path, flags, 0);
    if (fd < 0) return wasi_errno_from_host(-fd);
    r = host_result(wasi_host_fstat(ctx, fd, &st));
    wasi_host_close(ctx, fd);
    if (r == WASI_ESUCCESS) wasi_filestat_put(p, &st);
    return r;
}

WASI_FN(path_filestat_set_times)
{
    struct wasi_fd *f;
    struct timespec ts[2];
    char path[PATH_MAX], name[PATH_MAX];
    bool trailing;
    uint16_t r =
        get_dir(ctx, caller, a[0].i32, R_PATH_FILESTAT_SET_TIMES, a[2].i32, a[3].i32, path, &f);
    if (r == WASI_ESUCCESS) r = wasi_times(a[4].i64, a[5].i64, a[6].i32, ts);
    if (r != WASI_ESUCCESS) return r;
    /* the component-wise resolver leaves a last component that is not a symlink to follow */
    int parent = walk_parent(ctx, path, f->host, (a[1].i32 & WASI_LOOKUP_FOLLOW) != 0, name,
                             sizeof(name), &trailing);
    if (parent < 0) return wasi_errno_from_host(-parent);
    r = host_result(wasi_host_utimensat(ctx, parent, name, ts, AT_SYMLINK_NOFOLLOW));
    wasi_host_close(ctx, parent);
    return r;
}

WASI_FN(path_symlink)
{
    char target[PATH_MAX];
    struct target t;
    struct stat st;
    uint16_t r = get_path(caller, a[0].i32, a[1].i32, target);
    if (r != WASI_ESUCCESS) return r;
    if (target[0] == '/') return WASI_EPERM; /* it could never resolve inside a pre-open */
    r = resolve(ctx, caller, a[2].i32, R_PATH_SYMLINK, a[3].i32, a[4].i32, &t);
    if (r == WASI_ESUCCESS && t.trailing) {
        int ret = target_stat(ctx, &t, &st);
        r = ret == -ENOENT        ? WASI_ENOENT
            : ret < 0             ? wasi_errno_from_host(-ret)
            : S_ISDIR(st.st_mode) ? WASI_EEXIST
                                  : WASI_ENOTDIR;
    }
    if (r == WASI_ESUCCESS) r = host_result(wasi_host_symlinkat(ctx, target, t.parent, t.name));
    target_done(ctx, &t);
    return r;
}

WASI_FN(path_link)
{
    struct target from, to;
    struct stat st;
    struct wasi_fd *f;
    char path[PATH_MAX];
    from.parent = to.parent = -1;
    uint16_t r = get_dir(ctx, caller, a[0].i32, R_PATH_LINK_SOURCE, a[2].i32, a[3].i32, path, &f);
    if (r == WASI_ESUCCESS) {
        bool follow = (a[1].i32 & WASI_LOOKUP_FOLLOW) != 0;
        from.parent =
            follow ? walk_parent(ctx, path, f->host, true, from.name, sizeof(from.name),
                                 &from.trailing)
                   : parent_c(ctx, f->host, path, from.name, sizeof(from.name), &from.trailing);
        if (from.parent < 0) r = wasi_errno_from_host(-from.parent);
    }
    if (r == WASI_ESUCCESS)
        r = resolve(ctx, caller, a[4].i32, R_PATH_LINK_TARGET, a[5].i32, a[6].i32, &to);
    if (r == WASI_ESUCCESS && (from.trailing || to.trailing)) {
        int ret = target_stat(ctx, &from, &st);
        if (ret < 0)
            r = wasi_errno_from_host(-ret);
        else
            r = S_ISDIR(st.st_mode) ? WASI_EPERM : from.trailing ? WASI_ENOTDIR : WASI_ENOENT;
    }
    if (r == WASI_ESUCCESS)
        r = host_result(wasi_host_linkat(ctx, from.parent, from.name, to.parent, to.name, 0));
    target_done(ctx, &from);
    target_done(ctx, &to);
    return r;
}

WASI_FN(path_rename)
{
    struct target from, to;
    struct stat st;
    to.parent = -1;
    uint16_t r = resolve(ctx, caller, a[0].i32, R_PATH_RENAME_SOURCE, a[1].i32, a[2].i32, &from);
    if (r == WASI_ESUCCESS)
        r = resolve(ctx, caller, a[3].i32, R_PATH_RENAME_TARGET, a[4].i32, a[5].i32, &to);
    if (r == WASI_ESUCCESS && (from.trailing || to.trailing)) {
        int ret = target_stat(ctx, &from, &st);
        if (ret < 0)
            r = wasi_errno_from_host(-ret);
        else if (!S_ISDIR(st.st_mode))
            r = WASI_ENOTDIR;
    }
    if (r == WASI_ESUCCESS)
        r = host_result(wasi_host_renameat(ctx, from.parent, from.name, to.parent, to.name));
    target_done(ctx, &from);
    target_done(ctx, &to);
    return r;
}

/* Host open flags for path_open's oflags, fdflags and (intersected) rights. */
static int open_flags(uint32_t oflags, uint32_t fdflags, uint64_t rights, bool follow)
{
    bool rd = rights & (R_FD_READ | R_FD_READDIR);
    bool wr = (rights & (R_FD_WRITE | R_FD_DATASYNC | R_FD_ALLOCATE | R_FD_FILESTAT_SET_SIZE)) ||
              (fdflags & WASI_FDFLAG_APPEND);
    int fl = (wr && rd) ? O_RDWR : wr ? O_WRONLY : O_RDONLY;
    if (oflags & WASI_O_DIRECTORY)
        fl |= O_DIRECTORY; /* with a write right: EISDIR, as for any directory opened so */
    fl |= (oflags & WASI_O_CREAT ? O_CREAT : 0) | (oflags & WASI_O_EXCL ? O_EXCL : 0) |
          (oflags & WASI_O_TRUNC ? O_TRUNC : 0);
    fl |= (fdflags & WASI_FDFLAG_APPEND ? O_APPEND : 0) |
          (fdflags & WASI_FDFLAG_DSYNC ? O_DSYNC : 0) |
          (fdflags & WASI_FDFLAG_NONBLOCK ? O_NONBLOCK : 0) |
          (fdflags & WASI_FDFLAG_RSYNC ? O_RSYNC : 0) | (fdflags & WASI_FDFLAG_SYNC ? O_SYNC : 0);
    return fl | O_NOCTTY | (follow ? 0 : O_NOFOLLOW);
}

/* The entry for a freshly opened host fd, with rights narrowed to what its type allows. */
static uint16_t add_opened(struct wasi_ctx *ctx, int fd, uint64_t base, uint64_t inh, uint32_t *out)
{
    struct stat st;
    int ret = wasi_host_fstat(ctx, fd, &st);
    if (ret < 0) {
        wasi_host_close(ctx, fd);
        return wasi_errno_from_host(-ret);
    }
    struct wasi_fd e = {.host = fd, .own = true, .rights_inh = inh};
    e.filetype = wasi_filetype_of(ctx, st.st_mode, fd);
    e.kind = S_ISDIR(st.st_mode)    ? WASI_FD_DIR
             : S_ISSOCK(st.st_mode) ? WASI_FD_SOCKET
                                    : WASI_FD_FILE;
    e.rights_base = base & (e.kind == WASI_FD_DIR ? RIGHTS_DIR : RIGHTS_FILE);
    if (!S_ISREG(st.st_mode) && e.kind == WASI_FD_FILE && wasi_host_isatty(ctx, fd))
        e.rights_base &= RIGHTS_TTY;
    ret = wasi_fd_insert(ctx, &e, out);
    return ret < 0 ? wasi_errno_from_host(-ret) : WASI_ESUCCESS;
}

WASI_FN(path_open)
{
    uint32_t oflags = a[4].i32, fdflags = a[7].i32;
    uint64_t need = R_PATH_OPEN | (oflags & WASI_O_CREAT ? R_PATH_CREATE_FILE : 0) |
                    (oflags & WASI_O_TRUNC ? R_PATH_FILESTAT_SET_SIZE : 0);
    struct wasi_fd *f;
    char path[PATH_MAX];
    uint16_t r = get_dir(ctx, caller, a[0].i32, need, a[2].i32, a[3].i32, path, &f);
    uint8_t *pfd = wasi_mem(caller, a[8].i32, 4);
    if (r != WASI_ESUCCESS) return r;
    if (!pfd) return WASI_EFAULT;
    if ((oflags & ~0xfu) || (fdflags & ~0x1fu)) return WASI_EINVAL;
    uint64_t base = a[5].i64 & f->rights_inh, inh = a[6].i64 & f->rights_inh;
    int fl = open_flags(oflags, fdflags, base, (a[1].i32 & WASI_LOOKUP_FOLLOW) != 0);
    int fd = openat_c(ctx, f->host, path, fl, 0666);
    if (fd < 0) return wasi_errno_from_host(-fd);
    uint32_t nfd;
    r = add_opened(ctx, fd, base, inh, &nfd);
    if (r == WASI_ESUCCESS) wasi_put_u32(pfd, nfd);
    return r;
}
