/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proxy.c - the guest end of the channel: the system calls the shim cannot serve, sent to the
 * host one at a time through the shared block (shim.h), and the checks on every reply.
 *
 * A request: the arguments the exec passed are checked (its buffers must be its own memory,
 * its fds must be open as far as the shim knows, paths must be relative to an open directory),
 * every input buffer is copied into data[] and replaced by its offset, room for every output
 * is reserved in data[], and one `out` to SHIM_CHAN_PORT hands the block to the host.
 *
 * A reply is checked before anything reaches the exec: it must answer this request (its
 * reply_seq equals the request's seq), a negative result must be a Linux errno (1..133), a
 * length may not exceed what was asked, a returned fd must be a number the exec does not
 * already hold, directory entries, control messages and poll results must be well formed, and
 * CLOCK_MONOTONIC (and the other steady clocks) may not go backwards. Structured outputs are
 * copied into the shim's own memory first and checked there. A reply that fails a check ends
 * the Keep (SHIM_ABORT_CHANNEL) with a message naming the call and the check; nothing of it is
 * copied back.
 */
#include "priv.h"

#define EBADF 9
#define EFAULT 14
#define EACCES 13
#define EINVAL 22
#define ENOSYS 38
#define ENAMETOOLONG 36
#define ERRNO_MAX 133
#define AT_FDCWD (-100)
#define PATH_MAX 4096
#define ADDR_MAX 128
#define IO_MAX (SHIM_CHAN_DATA_SIZE - 8192)
#define IOV_MAX 1024
#define BOUNCE_SIZE 65536

static volatile struct shim_chan *const g_chan = (volatile struct shim_chan *)SHIM_CHAN_GPA;
static uint8_t *const g_data = (uint8_t *)(SHIM_CHAN_GPA + SHIM_CHAN_HDR_SIZE);
static uint64_t g_seq, g_used;
static const char *g_call;
static uint8_t g_bounce[BOUNCE_SIZE];
static uint64_t g_clock_last[8][2];

static void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

void chan_exit_to_host(uint32_t kind)
{
    g_chan->magic = SHIM_CHAN_MAGIC;
    g_chan->kind = kind;
    outl(SHIM_CHAN_PORT, kind);
}

NORETURN static void bad_reply(const char *fmt, ...)
{
    char msg[SHIM_ABORT_MSG_SIZE - 64];
    va_list ap;
    va_start(ap, fmt);
    shim_vfmt(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    shim_abort(STATUS_SIGABRT, SHIM_ABORT_CHANNEL, "kvm channel: bad reply to %s: %s", g_call, msg);
}

static void req_begin(uint64_t nr, const char *name)
{
    g_used = 0;
    g_call = name;
    g_chan->nr = nr;
    for (int i = 0; i < 6; i++)
        g_chan->arg[i] = 0;
}

static void req_arg(int i, uint64_t v)
{
    g_chan->arg[i] = v;
}

/* Room for size bytes in data[] (8-aligned); callers bound every size first. */
static uint64_t req_alloc(uint64_t size)
{
    uint64_t off = g_used;
    g_used += (size + 7) & ~7ull;
    return off;
}

static uint64_t req_put(const void *src, uint64_t size)
{
    uint64_t off = req_alloc(size);
    memcpy(g_data + off, src, size);
    return off;
}

/* Copies size bytes of the exec's memory at uva into data[]; its offset, or ~0 on EFAULT. */
static uint64_t req_put_user(uint64_t uva, uint64_t size)
{
    uint64_t off = req_alloc(size);
    if (copy_from_user(g_data + off, uva, size) != 0) return ~0ull;
    return off;
}

/* Sends the request and returns the checked result: this request's, an errno or a value. */
static int64_t req_send(void)
{
    uint64_t seq = ++g_seq;
    g_chan->seq = seq;
    g_chan->data_size = g_used;
    g_chan->reply_seq = 0;
    g_chan->ret = -ENOSYS;
    chan_exit_to_host(SHIM_CHAN_SYSCALL);
    uint64_t rseq = g_chan->reply_seq;
    int64_t ret = g_chan->ret;
    if (rseq != seq)
        bad_reply("it answers request %lu, but request %lu is the one made", rseq, seq);
    if (ret < 0 && ret < -ERRNO_MAX) bad_reply("error %ld is not a Linux errno", ret);
    return ret;
}

static int64_t check_len(int64_t ret, uint64_t asked)
{
    if (ret > 0 && (uint64_t)ret > asked)
        bad_reply("%ld bytes returned for a %lu-byte request", ret, asked);
    return ret;
}

static int64_t check_zero(int64_t ret)
{
    if (ret > 0) bad_reply("result %ld where only 0 or an errno is possible", ret);
    return ret;
}

/* A new fd from the host: a number the exec can hold and does not hold already. */
static int64_t check_new_fd(int64_t fd)
{
    if (fd < 0) return fd;
    if (fd >= SHIM_FD_MAX) bad_reply("fd %ld is out of range", fd);
    if (fd_is_open(fd)) bad_reply("fd %ld is already open", fd);
    fd_set_open(fd, true);
    return fd;
}

static bool fd_ok(uint64_t fd)
{
    return fd_is_open((int64_t)fd);
}

/* A path argument: copied into data[]; only relative to an open directory fd. */
static int64_t put_path(uint64_t dirfd, uint64_t upath, uint64_t *off, bool empty_ok)
{
    char *dst = (char *)g_data + g_used;
    int64_t n = strncpy_from_user(dst, upath, PATH_MAX);
    if (n < 0) return n;
    if ((int64_t)dirfd == AT_FDCWD || dst[0] == '/') return -EACCES;
    if (!fd_ok(dirfd)) return -EBADF;
    if (n == 0 && !empty_ok) return -2; /* ENOENT */
    *off = req_alloc((uint64_t)n + 1);
    return 0;
}

static int64_t do_read(uint64_t nr, const uint64_t a[6], const char *name)
{
    uint64_t count = a[2] > IO_MAX ? IO_MAX : a[2];
    if (!fd_ok(a[0])) return -EBADF;
    if (!mm_user_ok(a[1], count, true)) return -EFAULT;
    req_begin(nr, name);
    uint64_t off = req_alloc(count);
    req_arg(0, a[0]);
    req_arg(1, off);
    req_arg(2, count);
    req_arg(3, a[3]);
    int64_t r = check_len(req_send(), count);
    if (r > 0 && copy_to_user(a[1], g_data + off, (uint64_t)r) != 0) return -EFAULT;
    return r;
}

static int64_t do_write(uint64_t nr, const uint64_t a[6], const char *name)
{
    uint64_t count = a[2] > IO_MAX ? IO_MAX : a[2];
    if (!fd_ok(a[0])) return -EBADF;
    req_begin(nr, name);
    uint64_t off = req_put_user(a[1], count);
    if (off == ~0ull) return -EFAULT;
    req_arg(0, a[0]);
    req_arg(1, off);
    req_arg(2, count);
    req_arg(3, a[3]);
    return check_len(req_send(), count);
}

struct iovec_u {
    uint64_t base, len;
};

static struct iovec_u g_iov[IOV_MAX];

/* Loads an iovec array; returns the total, bounded by IO_MAX, or a negative errno. */
static int64_t iov_load(uint64_t uiov, uint64_t cnt)
{
    if (cnt > IOV_MAX) return -EINVAL;
    if (copy_from_user(g_iov, uiov, cnt * sizeof(g_iov[0])) != 0) return -EFAULT;
    uint64_t total = 0;
    for (uint64_t i = 0; i < cnt; i++) {
        if (g_iov[i].len > IO_MAX - total) g_iov[i].len = IO_MAX - total;
        total += g_iov[i].len;
    }
    return (int64_t)total;
}

/* readv/preadv as one read of the total, scattered afterwards (the same bytes Linux gives). */
static int64_t do_readv(uint64_t nr, const uint64_t a[6], const char *name)
{
    int64_t total = iov_load(a[1], a[2]);
    if (total < 0) return total;
    if (!fd_ok(a[0])) return -EBADF;
    for (uint64_t i = 0; i < a[2]; i++)
        if (!mm_user_ok(g_iov[i].base, g_iov[i].len, true)) return -EFAULT;
    req_begin(nr, name);
    uint64_t off = req_alloc((uint64_t)total);
    req_arg(0, a[0]);
    req_arg(1, off);
    req_arg(2, (uint64_t)total);
    req_arg(3, a[3]);
    int64_t r = check_len(req_send(), (uint64_t)total);
    for (uint64_t i = 0, done = 0; r > 0 && i < a[2] && done < (uint64_t)r; i++) {
        uint64_t n = g_iov[i].len < (uint64_t)r - done ? g_iov[i].len : (uint64_t)r - done;
        if (copy_to_user(g_iov[i].base, g_data + off + done, n) != 0) return -EFAULT;
        done += n;
    }
    return r;
}

static int64_t do_writev(uint64_t nr, const uint64_t a[6], const char *name)
{
    int64_t total = iov_load(a[1], a[2]);
    if (total < 0) return total;
    if (!fd_ok(a[0])) return -EBADF;
    req_begin(nr, name);
    uint64_t off = req_alloc((uint64_t)total);
    for (uint64_t i = 0, done = 0; i < a[2]; i++) {
        if (copy_from_user(g_data + off + done, g_iov[i].base, g_iov[i].len) != 0) return -EFAULT;
        done += g_iov[i].len;
    }
    req_arg(0, a[0]);
    req_arg(1, off);
    req_arg(2, (uint64_t)total);
    req_arg(3, a[3]);
    return check_len(req_send(), (uint64_t)total);
}

/* A call on one fd with scalar arguments whose result is 0 or an errno. */
static int64_t do_scalar0(uint64_t nr, const uint64_t a[6], const char *name)
{
    if (!fd_ok(a[0])) return -EBADF;
    req_begin(nr, name);
    for (int i = 0; i < 3; i++)
        req_arg(i, a[i]);
    return check_zero(req_send());
}

static int64_t do_close(const uint64_t a[6])
{
    if (!fd_ok(a[0])) return -EBADF;
    req_begin(3, "close(2)");
    req_arg(0, a[0]);
    int64_t r = check_zero(req_send());
    fd_set_open((int64_t)a[0], false); /* Linux frees the number even when close fails */
    return r;
}

static int64_t do_lseek(const uint64_t a[6])
{
    if (!fd_ok(a[0])) return -EBADF;
    if (a[2] > 4) return -EINVAL;
    req_begin(8, "lseek(2)");
    for (int i = 0; i < 3; i++)
        req_arg(i, a[i]);
    return req_send();
}

static int64_t do_fcntl(const uint64_t a[6])
{
    if (!fd_ok(a[0])) return -EBADF;
    if (a[1] < 1 || a[1] > 4) return -EINVAL; /* F_GETFD F_SETFD F_GETFL F_SETFL only */
    req_begin(72, "fcntl(2)");
    for (int i = 0; i < 3; i++)
        req_arg(i, a[i]);
    int64_t r = req_send();
    if (r > 0 && (a[1] == 2 || a[1] == 4)) bad_reply("result %ld of a set command", r);
    if (r > 1 && a[1] == 1) bad_reply("fd flags %ld", r);
    if (r >= (1 << 22) && a[1] == 3) bad_reply("file status flags 0x%lx", r);
    return r;
}

static int64_t do_ioctl(const uint64_t a[6])
{
    uint64_t size = a[1] == 0x5401 ? 60 : 8; /* struct termios, struct winsize */
    if (!fd_ok(a[0])) return -EBADF;
    if (!mm_user_ok(a[2], size, true)) return -EFAULT;
    req_begin(16, "ioctl(2)");
    uint64_t off = req_alloc(size);
    req_arg(0, a[0]);
    req_arg(1, a[1]);
    req_arg(2, off);
    int64_t r = check_zero(req_send());
    if (r == 0 && copy_to_user(a[2], g_data + off, size) != 0) return -EFAULT;
    return r;
}

static int64_t do_fstat(const uint64_t a[6])
{
    if (!fd_ok(a[0])) return -EBADF;
    if (!mm_user_ok(a[1], 144, true)) return -EFAULT;
    req_begin(5, "fstat(2)");
    uint64_t off = req_alloc(144);
    req_arg(0, a[0]);
    req_arg(1, off);
    int64_t r = check_zero(req_send());
    if (r == 0 && copy_to_user(a[1], g_data + off, 144) != 0) return -EFAULT;
    return r;
}

static int64_t do_newfstatat(const uint64_t a[6])
{
    uint64_t path;
    if (a[3] & ~0x1900ull) return -EINVAL;
    if (!mm_user_ok(a[2], 144, true)) return -EFAULT;
    req_begin(262, "newfstatat(2)");
    int64_t e = put_path(a[0], a[1], &path, a[3] & 0x1000);
    if (e) return e;
    uint64_t off = req_alloc(144);
    req_arg(0, a[0]);
    req_arg(1, path);
    req_arg(2, off);
    req_arg(3, a[3]);
    int64_t r = check_zero(req_send());
    if (r == 0 && copy_to_user(a[2], g_data + off, 144) != 0) return -EFAULT;
    return r;
}

static int64_t do_statx(const uint64_t a[6])
{
    uint64_t path;
    if (!mm_user_ok(a[4], 256, true)) return -EFAULT;
    req_begin(332, "statx(2)");
    int64_t e = put_path(a[0], a[1], &path, a[2] & 0x1000);
    if (e) return e;
    uint64_t off = req_alloc(256);
    req_arg(0, a[0]);
    req_arg(1, path);
    req_arg(2, a[2]);
    req_arg(3, a[3]);
    req_arg(4, off);
    int64_t r = check_zero(req_send());
    if (r == 0 && copy_to_user(a[4], g_data + off, 256) != 0) return -EFAULT;
    return r;
}

static int64_t do_openat(uint64_t nr, const uint64_t a[6])
{
    uint64_t path, how[3] = {a[2], a[3], 0};
    if (nr == 437) { /* openat2(dirfd, path, how, size) */
        if (a[3] < 24) return -EINVAL;
        if (copy_from_user(how, a[2], sizeof(how)) != 0) return -EFAULT;
    }
    req_begin(nr, nr == 437 ? "openat2(2)" : "openat(2)");
    int64_t e = put_path(a[0], a[1], &path, false);
    if (e) return e;
    req_arg(0, a[0]);
    req_arg(1, path);
    req_arg(2, how[0]);
    req_arg(3, how[1]);
    req_arg(4, how[2]);
    return check_new_fd(req_send());
}

/* mkdirat, unlinkat: (dirfd, path, scalar). */
static int64_t do_path1(uint64_t nr, const uint64_t a[6], const char *name)
{
    uint64_t path;
    req_begin(nr, name);
    int64_t e = put_path(a[0], a[1], &path, false);
    if (e) return e;
    req_arg(0, a[0]);
    req_arg(1, path);
    req_arg(2, a[2]);
    return check_zero(req_send());
}

/* renameat, renameat2, linkat: (olddirfd, old, newdirfd, new, flags). */
static int64_t do_path2(uint64_t nr, const uint64_t a[6], const char *name)
{
    uint64_t p1, p2;
    req_begin(nr, name);
    int64_t e = put_path(a[0], a[1], &p1, false);
    if (!e) e = put_path(a[2], a[3], &p2, false);
    if (e) return e;
    req_arg(0, a[0]);
    req_arg(1, p1);
    req_arg(2, a[2]);
    req_arg(3, p2);
    req_arg(4, nr == 264 ? 0 : a[4]);
    return check_zero(req_send());
}

static int64_t do_symlinkat(const uint64_t a[6])
{
    uint64_t link;
    req_begin(266, "symlinkat(2)");
    char *dst = (char *)g_data;
    int64_t n = strncpy_from_user(dst, a[0], PATH_MAX);
    if (n < 0) return n;
    uint64_t target = req_alloc((uint64_t)n + 1);
    int64_t e = put_path(a[1], a[2], &link, false);
    if (e) return e;
    req_arg(0, target);
    req_arg(1, a[1]);
    req_arg(2, link);
    return check_zero(req_send());
}

static int64_t do_readlinkat(const uint64_t a[6])
{
    uint64_t path, size = a[3] > PATH_MAX ? PATH_MAX : a[3];
    if ((int64_t)a[3] <= 0) return -EINVAL;
    if (!mm_user_ok(a[2], size, true)) return -EFAULT;
    req_begin(267, "readlinkat(2)");
    int64_t e = put_path(a[0], a[1], &path, true);
    if (e) return e;
    uint64_t off = req_alloc(size);
    req_arg(0, a[0]);
    req_arg(1, path);
    req_arg(2, off);
    req_arg(3, size);
    int64_t r = check_len(req_send(), size);
    if (r > 0 && copy_to_user(a[2], g_data + off, (uint64_t)r) != 0) return -EFAULT;
    return r;
}

static int64_t do_utimensat(const uint64_t a[6])
{
    uint64_t path = ~0ull, times = ~0ull;
    req_begin(280, "utimensat(2)");
    if (a[1]) {
        int64_t e = put_path(a[0], a[1], &path, a[3] & 0x1000);
        if (e) return e;
    } else if (!fd_ok(a[0])) {
        return -EBADF;
    }
    if (a[2] && (times = req_put_user(a[2], 32)) == ~0ull) return -EFAULT;
    req_arg(0, a[0]);
    req_arg(1, path);
    req_arg(2, times);
    req_arg(3, a[3]);
    return check_zero(req_send());
}

/* Directory entries: each record 8-aligned, inside the result, its name NUL-terminated. */
static void check_dirents(const uint8_t *buf, uint64_t size)
{
    for (uint64_t pos = 0; pos < size;) {
        uint16_t reclen;
        if (size - pos < 20) bad_reply("a directory entry is cut short at byte %lu", pos);
        memcpy(&reclen, buf + pos + 16, 2);
        if (reclen < 20 || reclen % 8 || reclen > size - pos)
            bad_reply("directory entry at byte %lu has length %u", pos, reclen);
        if (buf[pos + 18] > 14)
            bad_reply("directory entry at byte %lu has type %u", pos, buf[pos + 18]);
        bool nul = false;
        for (uint64_t i = pos + 19; i < pos + reclen && !nul; i++)
            nul = buf[i] == 0;
        if (!nul || buf[pos + 19] == 0)
            bad_reply("directory entry at byte %lu has no NUL-terminated name", pos);
        pos += reclen;
    }
}

static int64_t do_getdents(const uint64_t a[6])
{
    uint64_t count = a[2] > BOUNCE_SIZE ? BOUNCE_SIZE : a[2];
    if (!fd_ok(a[0])) return -EBADF;
    if (!mm_user_ok(a[1], count, true)) return -EFAULT;
    req_begin(217, "getdents64(2)");
    uint64_t off = req_alloc(count);
    req_arg(0, a[0]);
    req_arg(1, off);
    req_arg(2, count);
    int64_t r = check_len(req_send(), count);
    if (r <= 0) return r;
    memcpy(g_bounce, g_data + off, (uint64_t)r);
    check_dirents(g_bounce, (uint64_t)r);
    return copy_to_user(a[1], g_bounce, (uint64_t)r) ? -EFAULT : r;
}

struct pollfd_u {
    int32_t fd;
    int16_t events, revents;
};

static int64_t do_poll(int64_t nfds, uint64_t ufds, int64_t timeout_ns)
{
    struct pollfd_u *fds = (struct pollfd_u *)g_bounce;
    if (nfds < 0 || nfds > (int64_t)(BOUNCE_SIZE / sizeof(*fds))) return -EINVAL;
    if (copy_from_user(fds, ufds, (uint64_t)nfds * sizeof(*fds)) != 0) return -EFAULT;
    if (!mm_user_ok(ufds, (uint64_t)nfds * sizeof(*fds), true)) return -EFAULT;
    req_begin(271, "ppoll(2)");
    uint64_t off = req_put(fds, (uint64_t)nfds * sizeof(*fds));
    req_arg(0, off);
    req_arg(1, (uint64_t)nfds);
    req_arg(2, (uint64_t)timeout_ns);
    int64_t r = check_len(req_send(), (uint64_t)nfds);
    if (r < 0) return r;
    int64_t ready = 0;
    for (int64_t i = 0; i < nfds; i++) {
        int16_t rev;
        memcpy(&rev, g_data + off + (uint64_t)i * sizeof(*fds) + 6, 2);
        uint16_t allowed = (uint16_t)fds[i].events | 0x38; /* POLLERR POLLHUP POLLNVAL */
        if ((uint16_t)rev & ~allowed) bad_reply("revents 0x%x for events 0x%x", rev, fds[i].events);
        if (fds[i].fd < 0 && rev) bad_reply("revents for a negative fd");
        fds[i].revents = rev;
        ready += rev != 0;
    }
    if (ready != r) bad_reply("%ld fds ready, but %ld have events", r, ready);
    return copy_to_user(ufds, fds, (uint64_t)nfds * sizeof(*fds)) ? -EFAULT : r;
}

static int64_t do_ppoll(const uint64_t a[6])
{
    int64_t ns = -1;
    if (a[2]) {
        int64_t ts[2];
        if (copy_from_user(ts, a[2], sizeof(ts)) != 0) return -EFAULT;
        if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000) return -EINVAL;
        ns = ts[0] > 9000000000ll ? 9000000000ll * 1000000000ll : ts[0] * 1000000000ll + ts[1];
    }
    return do_poll((int64_t)a[1], a[0], ns);
}

static bool clock_is_steady(uint64_t clk)
{
    return clk != 0 && clk != 5; /* all but CLOCK_REALTIME and CLOCK_REALTIME_COARSE */
}

static int64_t clock_get(uint64_t clk, int64_t ts[2])
{
    if (clk > 7) return -EINVAL;
    req_begin(228, "clock_gettime(2)");
    uint64_t off = req_alloc(16);
    req_arg(0, clk);
    req_arg(1, off);
    int64_t r = check_zero(req_send());
    if (r) return r;
    memcpy(ts, g_data + off, 16);
    if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000) bad_reply("time %ld.%ld", ts[0], ts[1]);
    uint64_t *last = g_clock_last[clk];
    if (clock_is_steady(clk) &&
        ((uint64_t)ts[0] < last[0] || ((uint64_t)ts[0] == last[0] && (uint64_t)ts[1] < last[1])))
        bad_reply("clock %lu went backwards, from %lu.%9lu to %ld.%9ld", clk, last[0], last[1],
                  ts[0], ts[1]);
    last[0] = (uint64_t)ts[0];
    last[1] = (uint64_t)ts[1];
    return 0;
}

static int64_t do_clock_gettime(uint64_t clk, uint64_t uts)
{
    int64_t ts[2];
    if (!mm_user_ok(uts, 16, true)) return -EFAULT;
    int64_t r = clock_get(clk, ts);
    return r ? r : copy_to_user(uts, ts, 16);
}

static int64_t do_gettimeofday(uint64_t utv)
{
    int64_t ts[2];
    if (!utv) return 0;
    if (!mm_user_ok(utv, 16, true)) return -EFAULT;
    int64_t r = clock_get(0, ts);
    ts[1] /= 1000;
    return r ? r : copy_to_user(utv, ts, 16);
}

static int64_t do_time(uint64_t ut)
{
    int64_t ts[2];
    int64_t r = clock_get(0, ts);
    if (r) return r;
    if (ut && copy_to_user(ut, &ts[0], 8) != 0) return -EFAULT;
    return ts[0];
}

static int64_t do_sleep(uint64_t clk, uint64_t flags, uint64_t ureq)
{
    int64_t ts[2];
    if (copy_from_user(ts, ureq, 16) != 0) return -EFAULT;
    if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000 || clk > 7 || (flags & ~1ull)) return -EINVAL;
    req_begin(230, "clock_nanosleep(2)");
    uint64_t off = req_put(ts, 16);
    req_arg(0, clk);
    req_arg(1, flags);
    req_arg(2, off);
    return check_zero(req_send());
}

/* An address result: the host's length (out[0]) is at most ADDR_MAX; the exec gets as much
 * as fits its buffer and the full length, as Linux does. */
static int64_t addr_out(uint64_t uaddr, uint64_t ulen, uint64_t off, uint64_t cap)
{
    uint64_t len = g_chan->out[0];
    uint32_t len32 = (uint32_t)len;
    if (len > ADDR_MAX) bad_reply("address length %lu", len);
    if (!uaddr) return 0;
    if (copy_to_user(uaddr, g_data + off, len < cap ? len : cap) != 0) return -EFAULT;
    return copy_to_user(ulen, &len32, 4);
}

static int64_t addr_cap(uint64_t uaddr, uint64_t ulen, uint64_t *cap)
{
    uint32_t len = 0;
    *cap = 0;
    if (!uaddr) return 0;
    if (copy_from_user(&len, ulen, 4) != 0) return -EFAULT;
    if ((int32_t)len < 0) return -EINVAL;
    *cap = len;
    return mm_user_ok(uaddr, len < ADDR_MAX ? len : ADDR_MAX, true) ? 0 : -EFAULT;
}

static int64_t do_accept(uint64_t nr, const uint64_t a[6])
{
    uint64_t cap, flags = nr == 288 ? a[3] : 0;
    if (!fd_ok(a[0])) return -EBADF;
    if (flags & ~0x80800ull) return -EINVAL; /* SOCK_NONBLOCK | SOCK_CLOEXEC */
    int64_t e = addr_cap(a[1], a[2], &cap);
    if (e) return e;
    req_begin(288, "accept4(2)");
    uint64_t off = req_alloc(ADDR_MAX);
    req_arg(0, a[0]);
    req_arg(1, off);
    req_arg(2, flags);
    int64_t fd = check_new_fd(req_send());
    if (fd < 0) return fd;
    e = addr_out(a[1], a[2], off, cap);
    return e ? e : fd;
}

static int64_t do_sockname(uint64_t nr, const uint64_t a[6])
{
    uint64_t cap;
    if (!fd_ok(a[0])) return -EBADF;
    if (!a[1]) return -EFAULT;
    int64_t e = addr_cap(a[1], a[2], &cap);
    if (e) return e;
    req_begin(nr, nr == 51 ? "getsockname(2)" : "getpeername(2)");
    uint64_t off = req_alloc(ADDR_MAX);
    req_arg(0, a[0]);
    req_arg(1, off);
    int64_t r = check_zero(req_send());
    if (r) return r;
    return addr_out(a[1], a[2], off, cap);
}

static int64_t do_recvfrom(const uint64_t a[6])
{
    uint64_t cap, count = a[2] > IO_MAX ? IO_MAX : a[2];
    if (!fd_ok(a[0])) return -EBADF;
    if (!mm_user_ok(a[1], count, true)) return -EFAULT;
    int64_t e = addr_cap(a[4], a[5], &cap);
    if (e) return e;
    req_begin(45, "recvfrom(2)");
    uint64_t off = req_alloc(count), aoff = req_alloc(ADDR_MAX);
    req_arg(0, a[0]);
    req_arg(1, off);
    req_arg(2, count);
    req_arg(3, a[3]);
    req_arg(4, aoff);
    int64_t r = check_len(req_send(), count);
    if (r < 0) return r;
    if (copy_to_user(a[1], g_data + off, (uint64_t)r) != 0) return -EFAULT;
    e = addr_out(a[4], a[5], aoff, cap);
    return e ? e : r;
}

static int64_t do_sendto(const uint64_t a[6])
{
    uint64_t count = a[2] > IO_MAX ? IO_MAX : a[2], aoff = ~0ull;
    if (!fd_ok(a[0])) return -EBADF;
    if (a[4] && a[5] > ADDR_MAX) return -EINVAL;
    req_begin(44, "sendto(2)");
    uint64_t off = req_put_user(a[1], count);
    if (off == ~0ull || (a[4] && (aoff = req_put_user(a[4], a[5])) == ~0ull)) return -EFAULT;
    req_arg(0, a[0]);
    req_arg(1, off);
    req_arg(2, count);
    req_arg(3, a[3]);
    req_arg(4, aoff);
    req_arg(5, a[4] ? a[5] : 0);
    return check_len(req_send(), count);
}

struct msghdr_u {
    uint64_t name;
    uint32_t namelen, pad0;
    uint64_t iov, iovlen, control, controllen;
    int32_t flags, pad1;
};

/* SCM_RIGHTS only, every fd a new number the exec can hold; anything else is a lie. */
static void check_cmsgs(const uint8_t *buf, uint64_t size)
{
    for (uint64_t pos = 0; pos + 16 <= size;) {
        uint64_t len;
        int32_t level, type;
        memcpy(&len, buf + pos, 8);
        memcpy(&level, buf + pos + 8, 4);
        memcpy(&type, buf + pos + 12, 4);
        if (len < 16 || len > size - pos) bad_reply("control message of length %lu", len);
        if (level != 1 || type != 1) bad_reply("control message type %d/%d", level, type);
        if ((len - 16) % 4) bad_reply("SCM_RIGHTS of %lu bytes", len - 16);
        for (uint64_t i = 16; i < len; i += 4) {
            int32_t fd;
            memcpy(&fd, buf + pos + i, 4);
            check_new_fd(fd);
        }
        pos += (len + 7) & ~7ull;
    }
}

static int64_t do_recvmsg(const uint64_t a[6])
{
    struct msghdr_u m;
    if (!fd_ok(a[0])) return -EBADF;
    if (copy_from_user(&m, a[1], sizeof(m)) != 0) return -EFAULT;
    int64_t total = iov_load(m.iov, m.iovlen);
    if (total < 0) return total;
    uint64_t ncap = m.name ? (m.namelen < ADDR_MAX ? m.namelen : ADDR_MAX) : 0;
    uint64_t ccap = m.control ? (m.controllen < 4096 ? m.controllen : 4096) : 0;
    if (!mm_user_ok(m.name, ncap, true) || !mm_user_ok(m.control, ccap, true)) return -EFAULT;
    for (uint64_t i = 0; i < m.iovlen; i++)
        if (!mm_user_ok(g_iov[i].base, g_iov[i].len, true)) return -EFAULT;
    req_begin(47, "recvmsg(2)");
    struct shim_chan_msg cm = {0};
    uint64_t moff = req_alloc(sizeof(cm));
    cm.name_off = req_alloc(ncap);
    cm.name_size = ncap;
    cm.ctl_off = req_alloc(ccap);
    cm.ctl_size = ccap;
    cm.data_off = req_alloc((uint64_t)total);
    cm.data_size = (uint64_t)total;
    memcpy(g_data + moff, &cm, sizeof(cm));
    req_arg(0, a[0]);
    req_arg(1, moff);
    req_arg(2, a[2]);
    int64_t r = check_len(req_send(), (uint64_t)total);
    if (r < 0) return r;
    uint64_t nlen = g_chan->out[0], clen = g_chan->out[1], flags = g_chan->out[2];
    if (nlen > ncap) bad_reply("address of %lu bytes for %lu", nlen, ncap);
    if (clen > ccap) bad_reply("control data of %lu bytes for %lu", clen, ccap);
    if (flags & ~0xe9ull) bad_reply("message flags 0x%lx", flags); /* OOB CTRUNC TRUNC EOR */
    memcpy(g_bounce, g_data + cm.ctl_off, clen);
    check_cmsgs(g_bounce, clen);
    for (uint64_t i = 0, done = 0; i < m.iovlen && done < (uint64_t)r; i++) {
        uint64_t n = g_iov[i].len < (uint64_t)r - done ? g_iov[i].len : (uint64_t)r - done;
        if (copy_to_user(g_iov[i].base, g_data + cm.data_off + done, n) != 0) return -EFAULT;
        done += n;
    }
    if (copy_to_user(m.name, g_data + cm.name_off, nlen) || copy_to_user(m.control, g_bounce, clen))
        return -EFAULT;
    m.namelen = (uint32_t)nlen;
    m.controllen = clen;
    m.flags = (int32_t)flags;
    return copy_to_user(a[1], &m, sizeof(m)) ? -EFAULT : r;
}

static int64_t do_sendmsg(const uint64_t a[6])
{
    struct msghdr_u m;
    if (!fd_ok(a[0])) return -EBADF;
    if (copy_from_user(&m, a[1], sizeof(m)) != 0) return -EFAULT;
    if (m.controllen || (m.name && m.namelen > ADDR_MAX)) return -EINVAL;
    int64_t total = iov_load(m.iov, m.iovlen);
    if (total < 0) return total;
    req_begin(46, "sendmsg(2)");
    struct shim_chan_msg cm = {0};
    uint64_t moff = req_alloc(sizeof(cm));
    if (m.name) {
        cm.name_off = req_put_user(m.name, m.namelen);
        cm.name_size = m.namelen;
        if (cm.name_off == ~0ull) return -EFAULT;
    }
    cm.data_off = req_alloc((uint64_t)total);
    cm.data_size = (uint64_t)total;
    for (uint64_t i = 0, done = 0; i < m.iovlen; i++) {
        if (copy_from_user(g_data + cm.data_off + done, g_iov[i].base, g_iov[i].len) != 0)
            return -EFAULT;
        done += g_iov[i].len;
    }
    memcpy(g_data + moff, &cm, sizeof(cm));
    req_arg(0, a[0]);
    req_arg(1, moff);
    req_arg(2, a[2]);
    return check_len(req_send(), (uint64_t)total);
}

static int64_t do_getsockopt(const uint64_t a[6])
{
    uint32_t len;
    if (!fd_ok(a[0])) return -EBADF;
    if (copy_from_user(&len, a[4], 4) != 0) return -EFAULT;
    if (len > 256) len = 256;
    if (!mm_user_ok(a[3], len, true)) return -EFAULT;
    req_begin(55, "getsockopt(2)");
    uint64_t off = req_alloc(len);
    req_arg(0, a[0]);
    req_arg(1, a[1]);
    req_arg(2, a[2]);
    req_arg(3, off);
    req_arg(4, len);
    int64_t r = check_zero(req_send());
    if (r) return r;
    uint64_t got = g_chan->out[0];
    if (got > len) bad_reply("option of %lu bytes for %u", got, len);
    uint32_t got32 = (uint32_t)got;
    if (copy_to_user(a[3], g_data + off, got) || copy_to_user(a[4], &got32, 4)) return -EFAULT;
    return 0;
}

static int64_t do_setsockopt(const uint64_t a[6])
{
    if (!fd_ok(a[0])) return -EBADF;
    if (a[4] > 256) return -EINVAL;
    req_begin(54, "setsockopt(2)");
    uint64_t off = req_put_user(a[3], a[4]);
    if (off == ~0ull) return -EFAULT;
    req_arg(0, a[0]);
    req_arg(1, a[1]);
    req_arg(2, a[2]);
    req_arg(3, off);
    req_arg(4, a[4]);
    return check_zero(req_send());
}

int64_t proxy_syscall(uint64_t nr, const uint64_t a[6])
{
    switch (nr) {
    case 0: return do_read(0, a, "read(2)");
    case 17: return do_read(17, a, "pread64(2)");
    case 1: return do_write(1, a, "write(2)");
    case 18: return do_write(18, a, "pwrite64(2)");
    case 19: return do_readv(0, a, "readv(2)");
    case 295: return do_readv(17, a, "preadv(2)");
    case 20: return do_writev(1, a, "writev(2)");
    case 296: return do_writev(18, a, "pwritev(2)");
    case 3: return do_close(a);
    case 5: return do_fstat(a);
    case 7: return do_poll((int64_t)a[1], a[0], (int64_t)a[2] < 0 ? -1 : (int64_t)a[2] * 1000000);
    case 271: return do_ppoll(a);
    case 8: return do_lseek(a);
    case 16: return do_ioctl(a);
    case 35: return do_sleep(1, 0, a[0]);
    case 230: return do_sleep(a[0], a[1], a[2]);
    case 43:
    case 288: return do_accept(nr, a);
    case 44: return do_sendto(a);
    case 45: return do_recvfrom(a);
    case 46: return do_sendmsg(a);
    case 47: return do_recvmsg(a);
    case 48: return a[1] > 2 ? -EINVAL : do_scalar0(48, a, "shutdown(2)");
    case 51:
    case 52: return do_sockname(nr, a);
    case 54: return do_setsockopt(a);
    case 55: return do_getsockopt(a);
    case 72: return do_fcntl(a);
    case 74: return do_scalar0(74, a, "fsync(2)");
    case 75: return do_scalar0(75, a, "fdatasync(2)");
    case 77: return (int64_t)a[1] < 0 ? -EINVAL : do_scalar0(77, a, "ftruncate(2)");
    case 96: return do_gettimeofday(a[0]);
    case 201: return do_time(a[0]);
    case 217: return do_getdents(a);
    case 228: return do_clock_gettime(a[0], a[1]);
    case 257:
    case 437: return do_openat(nr, a);
    case 258: return do_path1(258, a, "mkdirat(2)");
    case 262: return do_newfstatat(a);
    case 263: return (a[2] & ~0x200ull) ? -EINVAL : do_path1(263, a, "unlinkat(2)");
    case 264: return do_path2(264, a, "renameat(2)");
    case 316: return do_path2(316, a, "renameat2(2)");
    case 265: return do_path2(265, a, "linkat(2)");
    case 266: return do_symlinkat(a);
    case 267: return do_readlinkat(a);
    case 280: return do_utimensat(a);
    case 332: return do_statx(a);
    default:
        /* Unknown here: the host refuses it too, and logs it; the exec gets ENOSYS. */
        req_begin(nr, "an unknown call");
        (void)req_send();
        return -ENOSYS;
    }
}
