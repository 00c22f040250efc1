/* SPDX-License-Identifier: Apache-2.0 */
/*
 * chan.c - the host end of the channel: serves the shim's requests on the Keep's fds only.
 *
 * The Keep's fd table maps guest numbers to host fds this end owns (dups of what the backend
 * handed over, and what the exec opened or accepted since). Guest fd 3 is the job channel,
 * served from the job bytes here. A request is copied out of the shared block once, then
 * checked: the protocol (magic, the next seq, data_size within the block), every buffer within
 * the request's data, every path NUL-terminated and at most PATH_MAX, every fd in the table.
 * Paths resolve beneath their directory fd only: openat goes through openat2 with
 * RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS, and the other path calls act on a parent directory
 * opened the same way (or, where they would follow a final symlink, on an O_PATH fd opened
 * beneath). A call or an fd outside all this is refused with an errno and a log line; it never
 * reaches the host kernel. A guest that breaks the protocol ends the Keep (KVM_KEEP_ERROR).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "keep/kvm/priv.h"

#define PATH_MAX_ 4096
#define ADDR_MAX 128

enum fd_kind { FD_NONE = 0, FD_HOST, FD_JOB };

struct kvm_chan {
    struct shim_chan *hdr;
    uint8_t *data;
    struct shim_chan q; /* the request, copied */
    struct {
        int fd;
        uint8_t kind;
    } fds[SHIM_FD_MAX];
    const uint8_t *job;
    size_t job_size, job_off;
    bool job_fds_sent;
    size_t ntable;
    uint64_t seq;
    kvm_reply_hook hook;
    void *hook_arg;
};

int kvm_chan_new(const struct kvm_keep_opts *o, uint8_t *mem, struct kvm_chan **out)
{
    if (o->nfds > 64) {
        log_error("kvm: %zu fds in the Keep's table (at most 64)", o->nfds);
        return -EMFILE;
    }
    struct kvm_chan *ch = calloc(1, sizeof(*ch));
    if (!ch) return -ENOMEM;
    ch->hdr = (struct shim_chan *)(mem + SHIM_CHAN_GPA);
    ch->data = mem + SHIM_CHAN_GPA + SHIM_CHAN_HDR_SIZE;
    ch->job = o->job;
    ch->job_size = o->job ? o->job_size : 0;
    ch->ntable = o->nfds;
    ch->hook = o->reply_hook;
    ch->hook_arg = o->reply_hook_arg;
    for (int i = 0; i < SHIM_FD_MAX; i++)
        ch->fds[i].fd = -1;
    int e = 0;
    for (size_t i = 0; i < 3 + o->nfds; i++) {
        int host = i < 3 ? o->stdio[i] : o->fds[i - 3];
        size_t guest = i < 3 ? i : i + 1;
        if (host < 0) continue;
        ch->fds[guest].fd = fcntl(host, F_DUPFD_CLOEXEC, 3);
        ch->fds[guest].kind = FD_HOST;
        if (ch->fds[guest].fd < 0) e = -errno;
    }
    ch->fds[SHIM_JOB_FD].kind = FD_JOB;
    if (e) {
        log_error("kvm: cannot take the Keep's fds: %s", strerror(-e));
        kvm_chan_free(ch);
        return e;
    }
    *out = ch;
    return 0;
}

void kvm_chan_free(struct kvm_chan *ch)
{
    if (!ch) return;
    for (int i = 0; i < SHIM_FD_MAX; i++)
        if (ch->fds[i].fd >= 0) close(ch->fds[i].fd);
    free(ch);
}

/* A buffer of the request: inside its data, or NULL (the call is refused with EFAULT). */
static void *buf(struct kvm_chan *ch, uint64_t off, uint64_t size)
{
    if (off > ch->q.data_size || size > ch->q.data_size - off) {
        log_warn("kvm: request %llu: buffer [%llu, +%llu) outside its %llu bytes",
                 (unsigned long long)ch->q.seq, (unsigned long long)off, (unsigned long long)size,
                 (unsigned long long)ch->q.data_size);
        return NULL;
    }
    return ch->data + off;
}

static const char *path(struct kvm_chan *ch, uint64_t off)
{
    if (off >= ch->q.data_size) return NULL;
    uint64_t max = ch->q.data_size - off < PATH_MAX_ ? ch->q.data_size - off : PATH_MAX_;
    const char *p = (const char *)ch->data + off;
    if (!memchr(p, 0, max)) {
        log_warn("kvm: request %llu: a path that is not NUL-terminated",
                 (unsigned long long)ch->q.seq);
        return NULL;
    }
    return p;
}

/* The host fd for a guest number, or -1 (logged): only the Keep's own table is served. */
static int hfd(struct kvm_chan *ch, uint64_t guest)
{
    if (guest < SHIM_FD_MAX && ch->fds[guest].kind == FD_HOST) return ch->fds[guest].fd;
    log_warn("kvm: refused system call %llu on fd %lld: not in the Keep's table",
             (unsigned long long)ch->q.nr, (long long)guest);
    return -1;
}

static int64_t fd_install(struct kvm_chan *ch, int host)
{
    if (host < 0) return -errno;
    for (int i = 0; i < SHIM_FD_MAX; i++) {
        if (ch->fds[i].kind == FD_NONE) {
            ch->fds[i].fd = host;
            ch->fds[i].kind = FD_HOST;
            return i;
        }
    }
    close(host);
    return -EMFILE;
}

static int64_t sys_ret(long r)
{
    return r < 0 ? -errno : r;
}

/* ---- the job channel, guest fd 3 ---- */

static int64_t job_read(struct kvm_chan *ch, uint8_t *dst, uint64_t size)
{
    uint64_t n = ch->job_size - ch->job_off < size ? ch->job_size - ch->job_off : size;
    if (n) memcpy(dst, ch->job + ch->job_off, n);
    ch->job_off += n;
    return (int64_t)n;
}

/* recvmsg on fd 3: the next job bytes; the table's fds (guest numbers 4..) with the first. */
static int64_t job_recvmsg(struct kvm_chan *ch, struct shim_chan_msg *m, uint64_t out[4])
{
    uint8_t *data = buf(ch, m->data_off, m->data_size), *ctl = buf(ch, m->ctl_off, m->ctl_size);
    if (!data || !ctl) return -EFAULT;
    out[0] = 0;
    out[1] = 0;
    out[2] = 0;
    if (!ch->job_fds_sent && ch->ntable) {
        uint64_t need = 16 + 4 * ch->ntable;
        ch->job_fds_sent = true;
        if (m->ctl_size < need) {
            out[2] = MSG_CTRUNC;
        } else {
            struct cmsghdr c = {
                .cmsg_len = need, .cmsg_level = SOL_SOCKET, .cmsg_type = SCM_RIGHTS};
            memcpy(ctl, &c, sizeof(c));
            for (size_t i = 0; i < ch->ntable; i++) {
                int32_t g = (int32_t)(SHIM_JOB_FD + 1 + i);
                memcpy(ctl + 16 + 4 * i, &g, 4);
            }
            out[1] = need;
        }
    }
    return job_read(ch, data, m->data_size);
}

/* ---- the calls ---- */

static int beneath_open(int dirfd, const char *p, uint64_t flags, uint64_t mode, uint64_t resolve)
{
    struct open_how how = {.flags = flags | O_CLOEXEC,
                           .mode = (flags & (O_CREAT | __O_TMPFILE)) ? mode & 07777 : 0,
                           .resolve = resolve | RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};
    return (int)syscall(SYS_openat2, dirfd, p, &how, sizeof(how));
}

/* The parent of p's last component, opened beneath dirfd; *base points at that component. */
static int parent_open(struct kvm_chan *ch, uint64_t gdir, uint64_t poff, char *tmp,
                       const char **base)
{
    int dirfd = hfd(ch, gdir);
    const char *p = path(ch, poff);
    if (dirfd < 0) return -EBADF;
    if (!p) return -EFAULT;
    if (!*p || *p == '/') return -EACCES;
    size_t n = strlen(p);
    memcpy(tmp, p, n + 1);
    while (n > 1 && tmp[n - 1] == '/')
        tmp[--n] = 0;
    char *slash = strrchr(tmp, '/');
    *base = slash ? slash + 1 : tmp;
    if (strcmp(*base, "..") == 0) return -EACCES;
    if (!slash)
        return fcntl(dirfd, F_DUPFD_CLOEXEC, 3) < 0 ? -errno
                                                    : (int)fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
    *slash = 0;
    int fd = beneath_open(dirfd, tmp, O_PATH | O_DIRECTORY, 0, 0);
    return fd < 0 ? -errno : fd;
}

/* An O_PATH fd for p beneath dirfd, following a final symlink beneath only. */
static int target_open(struct kvm_chan *ch, uint64_t gdir, uint64_t poff, bool follow)
{
    int dirfd = hfd(ch, gdir);
    const char *p = path(ch, poff);
    if (dirfd < 0) return -EBADF;
    if (!p) return -EFAULT;
    if (!*p) return fcntl(dirfd, F_DUPFD_CLOEXEC, 3) < 0 ? -errno : 0;
    int fd = beneath_open(dirfd, p, O_PATH | (follow ? 0 : O_NOFOLLOW), 0, 0);
    return fd < 0 ? -errno : fd;
}

static int64_t do_openat(struct kvm_chan *ch, const uint64_t *a)
{
    const uint64_t ok = O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK |
                        O_DSYNC | O_SYNC | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_LARGEFILE |
                        O_NOATIME | O_PATH;
    int dirfd = hfd(ch, a[0]);
    const char *p = path(ch, a[1]);
    if (dirfd < 0) return -EBADF;
    if (!p) return -EFAULT;
    if (a[2] & ~ok) {
        log_warn("kvm: refused openat flags 0x%llx", (unsigned long long)a[2]);
        return -EINVAL;
    }
    if (a[4] & ~(uint64_t)(RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH |
                           RESOLVE_NO_MAGICLINKS | RESOLVE_CACHED))
        return -EINVAL;
    return fd_install(ch, beneath_open(dirfd, p, a[2], a[3], a[4]));
}

static int64_t do_stat(struct kvm_chan *ch, const uint64_t *a, bool statx_)
{
    uint64_t flags = statx_ ? a[2] : a[3];
    void *out = statx_ ? buf(ch, a[4], 256) : buf(ch, a[2], sizeof(struct stat));
    if (!out) return -EFAULT;
    int fd = target_open(ch, a[0], a[1], !(flags & AT_SYMLINK_NOFOLLOW));
    const char *p = path(ch, a[1]);
    if (fd < 0) return fd;
    if (fd == 0 && p && !*p) fd = fcntl(hfd(ch, a[0]), F_DUPFD_CLOEXEC, 3);
    long r = statx_ ? syscall(SYS_statx, fd, "", AT_EMPTY_PATH, (unsigned)a[3], out)
                    : fstatat(fd, "", out, AT_EMPTY_PATH);
    int64_t ret = sys_ret(r);
    close(fd);
    return ret;
}

static int64_t do_path_op(struct kvm_chan *ch, const uint64_t *a)
{
    char t1[PATH_MAX_], t2[PATH_MAX_];
    const char *b1, *b2;
    int p1, p2 = -1;
    int64_t r;
    switch (ch->q.nr) {
    case SYS_mkdirat:
        if ((p1 = parent_open(ch, a[0], a[1], t1, &b1)) < 0) return p1;
        r = sys_ret(mkdirat(p1, b1, (mode_t)(a[2] & 07777)));
        break;
    case SYS_unlinkat:
        if (a[2] & ~(uint64_t)AT_REMOVEDIR) return -EINVAL;
        if ((p1 = parent_open(ch, a[0], a[1], t1, &b1)) < 0) return p1;
        r = sys_ret(unlinkat(p1, b1, (int)a[2]));
        break;
    case SYS_symlinkat: {
        const char *target = path(ch, a[0]);
        if (!target) return -EFAULT;
        if ((p1 = parent_open(ch, a[1], a[2], t1, &b1)) < 0) return p1;
        r = sys_ret(symlinkat(target, p1, b1));
        break;
    }
    case SYS_renameat:
    case SYS_renameat2:
    case SYS_linkat:
        if (ch->q.nr == SYS_linkat && a[4]) return -EINVAL; /* no AT_SYMLINK_FOLLOW/EMPTY_PATH */
        if (ch->q.nr == SYS_renameat2 && (a[4] & ~7ull)) return -EINVAL;
        if ((p1 = parent_open(ch, a[0], a[1], t1, &b1)) < 0) return p1;
        if ((p2 = parent_open(ch, a[2], a[3], t2, &b2)) < 0) {
            close(p1);
            return p2;
        }
        r = ch->q.nr == SYS_linkat
                ? sys_ret(linkat(p1, b1, p2, b2, 0))
                : sys_ret(syscall(SYS_renameat2, p1, b1, p2, b2, (unsigned)a[4]));
        close(p2);
        break;
    default: return -ENOSYS;
    }
    close(p1);
    return r;
}

static int64_t do_readlinkat(struct kvm_chan *ch, const uint64_t *a)
{
    char t[PATH_MAX_];
    const char *base;
    char *out = buf(ch, a[2], a[3]);
    const char *p = path(ch, a[1]);
    if (!out || !p) return -EFAULT;
    if (!*p) {
        int fd = hfd(ch, a[0]);
        return fd < 0 ? -EBADF : sys_ret(readlinkat(fd, "", out, a[3]));
    }
    int pfd = parent_open(ch, a[0], a[1], t, &base);
    if (pfd < 0) return pfd;
    int64_t r = sys_ret(readlinkat(pfd, base, out, a[3]));
    close(pfd);
    return r;
}

static int64_t do_utimensat(struct kvm_chan *ch, const uint64_t *a)
{
    const struct timespec *times = NULL;
    if (a[2] != ~0ull && !(times = buf(ch, a[2], 2 * sizeof(struct timespec)))) return -EFAULT;
    if (a[1] == ~0ull) {
        int fd = hfd(ch, a[0]);
        return fd < 0 ? -EBADF : sys_ret(futimens(fd, times));
    }
    int fd = target_open(ch, a[0], a[1], !(a[3] & AT_SYMLINK_NOFOLLOW));
    if (fd <= 0) return fd < 0 ? fd : -EINVAL;
    int64_t r = sys_ret(utimensat(fd, "", times, AT_EMPTY_PATH));
    close(fd);
    return r;
}

static int64_t do_poll(struct kvm_chan *ch, const uint64_t *a)
{
    struct pollfd *g = buf(ch, a[0], a[1] * sizeof(struct pollfd));
    if (!g || a[1] > 4096) return -EFAULT;
    struct pollfd h[4096 / 8];
    if (a[1] > sizeof(h) / sizeof(h[0])) return -EINVAL;
    int64_t pre = 0;
    for (uint64_t i = 0; i < a[1]; i++) {
        h[i] = (struct pollfd){.fd = -1, .events = g[i].events};
        g[i].revents = 0;
        if (g[i].fd < 0) continue;
        if (g[i].fd < SHIM_FD_MAX && ch->fds[g[i].fd].kind == FD_JOB) {
            g[i].revents = g[i].events & POLLIN;
        } else if (g[i].fd >= SHIM_FD_MAX || ch->fds[g[i].fd].kind != FD_HOST) {
            g[i].revents = POLLNVAL;
        } else {
            h[i].fd = ch->fds[g[i].fd].fd;
        }
        pre += g[i].revents != 0;
    }
    struct timespec ts, *tp = NULL;
    int64_t ns = (int64_t)a[2];
    if (pre) ns = 0;
    if (ns >= 0) {
        ts = (struct timespec){ns / 1000000000, ns % 1000000000};
        tp = &ts;
    }
    int r = ppoll(h, a[1], tp, NULL);
    if (r < 0) return -errno;
    int64_t ready = 0;
    for (uint64_t i = 0; i < a[1]; i++) {
        if (h[i].fd >= 0) g[i].revents = h[i].revents;
        ready += g[i].revents != 0;
    }
    return ready;
}

static int64_t do_msg(struct kvm_chan *ch, const uint64_t *a, uint64_t out[4], bool recv)
{
    struct shim_chan_msg m;
    void *mp = buf(ch, a[1], sizeof(m));
    if (!mp) return -EFAULT;
    memcpy(&m, mp, sizeof(m));
    if (recv && a[0] < SHIM_FD_MAX && ch->fds[a[0]].kind == FD_JOB) return job_recvmsg(ch, &m, out);
    int fd = hfd(ch, a[0]);
    if (fd < 0) return -EBADF;
    void *name = m.name_size ? buf(ch, m.name_off, m.name_size) : NULL;
    void *data = buf(ch, m.data_off, m.data_size);
    if ((m.name_size && !name) || !data || m.name_size > ADDR_MAX) return -EFAULT;
    struct iovec iov = {data, m.data_size};
    struct msghdr h = {
        .msg_name = name, .msg_namelen = (socklen_t)m.name_size, .msg_iov = &iov, .msg_iovlen = 1};
    if (!recv) return sys_ret(sendmsg(fd, &h, (int)(a[2] | MSG_NOSIGNAL)));
    /* Received fds are not passed into the Keep: no control data from host sockets. */
    ssize_t r = recvmsg(fd, &h, (int)(a[2] & ~(uint64_t)MSG_ERRQUEUE) | MSG_CMSG_CLOEXEC);
    if (r < 0) return -errno;
    out[0] = h.msg_namelen;
    out[1] = 0;
    out[2] = (uint64_t)h.msg_flags & (MSG_TRUNC | MSG_EOR | MSG_OOB);
    return r;
}

static int64_t do_sockaddr_call(struct kvm_chan *ch, const uint64_t *a, uint64_t out[4])
{
    int fd = hfd(ch, a[0]);
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    void *dst = buf(ch, a[1], ADDR_MAX);
    if (fd < 0) return -EBADF;
    if (!dst) return -EFAULT;
    long r;
    switch (ch->q.nr) {
    case SYS_accept4:
        r = fd_install(ch, accept4(fd, (struct sockaddr *)&ss, &len, (int)a[2] | SOCK_CLOEXEC));
        break;
    case SYS_getsockname: r = getsockname(fd, (struct sockaddr *)&ss, &len) < 0 ? -errno : 0; break;
    default: r = getpeername(fd, (struct sockaddr *)&ss, &len) < 0 ? -errno : 0; break;
    }
    if (r < 0) return r;
    if (len > ADDR_MAX) len = ADDR_MAX;
    memcpy(dst, &ss, len);
    out[0] = len;
    return r;
}

static int64_t do_job(struct kvm_chan *ch, const uint64_t *a)
{
    switch (ch->q.nr) {
    case SYS_read: {
        uint8_t *dst = buf(ch, a[1], a[2]);
        return dst ? job_read(ch, dst, a[2]) : -EFAULT;
    }
    case SYS_write: return (int64_t)a[2]; /* accepted and dropped: nobody reads the job back */
    case SYS_close: ch->fds[SHIM_JOB_FD].kind = FD_NONE; return 0;
    case SYS_fstat: {
        struct stat *st = buf(ch, a[1], sizeof(*st));
        if (!st) return -EFAULT;
        memset(st, 0, sizeof(*st));
        st->st_mode = S_IFSOCK | 0600;
        return 0;
    }
    default: return -ENOTSOCK;
    }
}

/* Serves ch->q; scalar results in *ret, extra ones in out[]. */
static int64_t serve(struct kvm_chan *ch, uint64_t out[4])
{
    const uint64_t *a = ch->q.arg;
    uint64_t nr = ch->q.nr;
    int fd = -1;
    if (nr == SYS_read || nr == SYS_write || nr == SYS_close || nr == SYS_fstat)
        if (a[0] < SHIM_FD_MAX && ch->fds[a[0]].kind == FD_JOB) return do_job(ch, a);
    switch (nr) {
    case SYS_read:
    case SYS_pread64:
    case SYS_write:
    case SYS_pwrite64: {
        void *p = buf(ch, a[1], a[2]);
        if ((fd = hfd(ch, a[0])) < 0) return -EBADF;
        if (!p) return -EFAULT;
        if (nr == SYS_read) return sys_ret(read(fd, p, a[2]));
        if (nr == SYS_write) return sys_ret(write(fd, p, a[2]));
        if (nr == SYS_pread64) return sys_ret(pread(fd, p, a[2], (off_t)a[3]));
        return sys_ret(pwrite(fd, p, a[2], (off_t)a[3]));
    }
    case SYS_close:
        if ((fd = hfd(ch, a[0])) < 0) return -EBADF;
        ch->fds[a[0]].kind = FD_NONE;
        ch->fds[a[0]].fd = -1;
        return sys_ret(close(fd));
    case SYS_fstat: {
        void *st = buf(ch, a[1], sizeof(struct stat));
        if ((fd = hfd(ch, a[0])) < 0) return -EBADF;
        return st ? sys_ret(fstat(fd, st)) : -EFAULT;
    }
    case SYS_lseek:
        return (fd = hfd(ch, a[0])) < 0 ? -EBADF : sys_ret(lseek(fd, (off_t)a[1], (int)a[2]));
    case SYS_fsync: return (fd = hfd(ch, a[0])) < 0 ? -EBADF : sys_ret(fsync(fd));
    case SYS_fdatasync: return (fd = hfd(ch, a[0])) < 0 ? -EBADF : sys_ret(fdatasync(fd));
    case SYS_ftruncate:
        return (fd = hfd(ch, a[0])) < 0 ? -EBADF : sys_ret(ftruncate(fd, (off_t)a[1]));
    case SYS_shutdown: return (fd = hfd(ch, a[0])) < 0 ? -EBADF : sys_ret(shutdown(fd, (int)a[1]));
    case SYS_fcntl:
        if ((fd = hfd(ch, a[0])) < 0) return -EBADF;
        if (a[1] == F_GETFD || a[1] == F_SETFD)
            return a[1] == F_GETFD ? 1 : 0; /* always CLOEXEC here */
        if (a[1] == F_GETFL) return sys_ret(fcntl(fd, F_GETFL));
        if (a[1] == F_SETFL)
            return sys_ret(fcntl(fd, F_SETFL, (int)(a[2] & (O_NONBLOCK | O_APPEND))));
        return -EINVAL;
    case SYS_ioctl: {
        void *p = buf(ch, a[2], a[1] == TCGETS ? 60 : 8);
        if ((fd = hfd(ch, a[0])) < 0) return -EBADF;
        if (!p || (a[1] != TCGETS && a[1] != TIOCGWINSZ)) return -ENOTTY;
        return sys_ret(ioctl(fd, a[1], p));
    }
    case SYS_getdents64: {
        void *p = buf(ch, a[1], a[2]);
        if ((fd = hfd(ch, a[0])) < 0) return -EBADF;
        return p ? sys_ret(syscall(SYS_getdents64, fd, p, a[2])) : -EFAULT;
    }
    case SYS_openat:
    case SYS_openat2: return do_openat(ch, a);
    case SYS_newfstatat: return do_stat(ch, a, false);
    case SYS_statx: return do_stat(ch, a, true);
    case SYS_mkdirat:
    case SYS_unlinkat:
    case SYS_symlinkat:
    case SYS_renameat:
    case SYS_renameat2:
    case SYS_linkat: return do_path_op(ch, a);
    case SYS_readlinkat: return do_readlinkat(ch, a);
    case SYS_utimensat: return do_utimensat(ch, a);
    case SYS_ppoll: return do_poll(ch, a);
    case SYS_clock_gettime: {
        struct timespec *ts = buf(ch, a[1], sizeof(*ts));
        return ts ? sys_ret(clock_gettime((clockid_t)a[0], ts)) : -EFAULT;
    }
    case SYS_clock_nanosleep: {
        struct timespec *ts = buf(ch, a[2], sizeof(*ts));
        return ts ? -clock_nanosleep((clockid_t)a[0], (int)a[1], ts, NULL) : -EFAULT;
    }
    case SYS_recvmsg: return do_msg(ch, a, out, true);
    case SYS_sendmsg: return do_msg(ch, a, out, false);
    case SYS_recvfrom: {
        void *p = buf(ch, a[1], a[2]), *addr = buf(ch, a[4], ADDR_MAX);
        socklen_t len = ADDR_MAX;
        if ((fd = hfd(ch, a[0])) < 0) return -EBADF;
        if (!p || !addr) return -EFAULT;
        int64_t r = sys_ret(recvfrom(fd, p, a[2], (int)a[3], addr, &len));
        out[0] = len > ADDR_MAX ? ADDR_MAX : len;
        return r;
    }
    case SYS_sendto: {
        void *p = buf(ch, a[1], a[2]), *addr = a[5] ? buf(ch, a[4], a[5]) : NULL;
        if ((fd = hfd(ch, a[0])) < 0) return -EBADF;
        if (!p || (a[5] && !addr)) return -EFAULT;
        return sys_ret(sendto(fd, p, a[2], (int)a[3] | MSG_NOSIGNAL, addr, (socklen_t)a[5]));
    }
    case SYS_accept4:
    case SYS_getsockname:
    case SYS_getpeername: return do_sockaddr_call(ch, a, out);
    case SYS_getsockopt: {
        void *p = buf(ch, a[3], a[4]);
        socklen_t len = (socklen_t)a[4];
        if ((fd = hfd(ch, a[0])) < 0) return -EBADF;
        if (!p) return -EFAULT;
        int64_t r = sys_ret(getsockopt(fd, (int)a[1], (int)a[2], p, &len));
        out[0] = len;
        return r;
    }
    case SYS_setsockopt: {
        void *p = buf(ch, a[3], a[4]);
        if ((fd = hfd(ch, a[0])) < 0) return -EBADF;
        return p ? sys_ret(setsockopt(fd, (int)a[1], (int)a[2], p, (socklen_t)a[4])) : -EFAULT;
    }
    default:
        log_warn("kvm: refused system call %llu from the guest: not served by the kvm Keep",
                 (unsigned long long)nr);
        return -ENOSYS;
    }
}

static void end(struct kvm_keep_result *res, enum kvm_keep_end how, int status, const char *msg)
{
    res->end = how;
    res->status = status;
    snprintf(res->message, sizeof(res->message), "%s", msg);
}

enum kvm_chan_result kvm_chan_serve(struct kvm_chan *ch, uint32_t kind, struct kvm_keep_result *res)
{
    memcpy(&ch->q, ch->hdr, sizeof(ch->q));
    ch->q.msg[sizeof(ch->q.msg) - 1] = 0;
    if (ch->q.magic != SHIM_CHAN_MAGIC || ch->q.kind != kind) {
        end(res, KVM_KEEP_ERROR, 134, "kvm: the guest broke the channel protocol (bad header)");
        return KVM_CHAN_DONE;
    }
    if (kind == SHIM_CHAN_EXIT) {
        end(res, KVM_KEEP_EXITED, (int)(ch->q.nr & 0xff), "");
        return KVM_CHAN_DONE;
    }
    if (kind == SHIM_CHAN_ABORT) {
        int status = ch->q.nr > 0 && ch->q.nr < 256 ? (int)ch->q.nr : 134;
        end(res, ch->q.arg[0] == SHIM_ABORT_CHANNEL ? KVM_KEEP_CHANNEL : KVM_KEEP_FAULT, status,
            ch->q.msg);
        return KVM_CHAN_DONE;
    }
    if (kind != SHIM_CHAN_SYSCALL || ch->q.seq != ch->seq + 1 ||
        ch->q.data_size > SHIM_CHAN_DATA_SIZE) {
        end(res, KVM_KEEP_ERROR, 134, "kvm: the guest broke the channel protocol (bad request)");
        return KVM_CHAN_DONE;
    }
    ch->seq = ch->q.seq;
    uint64_t out[4] = {0};
    int64_t ret = serve(ch, out);
    if (kvm_stop_requested()) return KVM_CHAN_CONTINUE; /* the run loop ends the Keep */
    ch->hdr->ret = ret;
    memcpy(ch->hdr->out, out, sizeof(out));
    ch->hdr->reply_seq = ch->q.seq;
    if (ch->hook) ch->hook(ch->hook_arg, ch->hdr, ch->data, SHIM_CHAN_DATA_SIZE);
    return KVM_CHAN_CONTINUE;
}
