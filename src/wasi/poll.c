/* SPDX-License-Identifier: Apache-2.0 */
/*
 * poll.c - poll_oneoff: wait for clocks and fd readiness.
 *
 * Each subscription (48 bytes) is read once and turned into either a deadline on
 * CLOCK_MONOTONIC (clock subscriptions, relative or absolute on any of the four WASI clocks) or
 * a struct pollfd (fd_read / fd_write on sockets, pipes, terminals and streams). Regular files
 * and directories are always ready, as POSIX poll() says; a stream with bytes already decrypted
 * and buffered (ops->pending) is ready without asking the kernel. An fd that is not open or not
 * pollable becomes an event carrying its error. Then one ppoll() with the earliest deadline as
 * timeout (0 when something is ready already) collects everything ready at that moment; the
 * call loops until at least one event is due, so a wake-up a little early never returns empty.
 *
 * nbytes in fd events: the bytes left before end of file for regular files; for a ready read
 * on anything else with a host fd (sockets, pipes, terminals), what FIONREAD says through the
 * host interface, when the context's table was installed with a fionread entry (see
 * wasi_ctx_set_host_ops: the sandbox does not allow the ioctl yet), else 0, as when it fails
 * (WASI treats the field as a hint); 0 for streams, whose buffered plaintext the kernel cannot
 * count. All calls go through the checked host
 * interface (host.c), the clocks included.
 */
#include "internal.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_SUBSCRIPTIONS 65536u
#define EV_CLOCK 0
#define EV_FD_READ 1
#define EV_FD_WRITE 2

struct sub {
    uint64_t userdata;
    uint8_t type;
    uint16_t error; /* an error event, due at once */
    bool ready;     /* an fd event due at once (files, buffered streams) */
    uint64_t nbytes;
    uint64_t deadline; /* clocks: CLOCK_MONOTONIC ns */
    int poll_index;    /* fds: index into the pollfd array, or -1 */
    int host;          /* host fds (not streams): asked FIONREAD when readable, else -1 */
};

/* The monotonic clock, or a negative errno when the host lied about it. */
static int mono_now(struct wasi_ctx *ctx, uint64_t *ns)
{
    return wasi_host_clock_ns(ctx, 1, ns);
}

static void parse_clock(struct wasi_ctx *ctx, const uint8_t *in, struct sub *s, uint64_t now)
{
    uint32_t id = wasi_get_u32(in + 16);
    uint64_t timeout = wasi_get_u64(in + 24), clock_now;
    uint16_t flags = wasi_get_u16(in + 40);
    int ret = wasi_host_clock_ns(ctx, id, &clock_now);
    if (ret < 0) {
        s->error = wasi_errno_from_host(-ret);
        return;
    }
    uint64_t rel = timeout;
    if (flags & 1) /* abstime */
        rel = timeout > clock_now ? timeout - clock_now : 0;
    s->deadline = now + rel < now ? UINT64_MAX : now + rel;
}

static void parse_fd(struct wasi_ctx *ctx, const uint8_t *in, struct sub *s, struct pollfd *pfds,
                     nfds_t *npfds)
{
    struct wasi_fd *f;
    s->error = wasi_fd_get(ctx, wasi_get_u32(in + 16), 0, &f);
    if (s->error != WASI_ESUCCESS) return;
    struct stat st;
    if (f->kind == WASI_FD_DIR ||
        (f->kind == WASI_FD_FILE && wasi_host_fstat(ctx, f->host, &st) == 0 &&
         S_ISREG(st.st_mode))) {
        s->ready = true;
        int64_t pos = f->kind == WASI_FD_FILE ? wasi_host_lseek(ctx, f->host, 0, SEEK_CUR) : -1;
        if (s->type == EV_FD_READ && pos >= 0 && st.st_size > pos)
            s->nbytes = (uint64_t)(st.st_size - pos);
        return;
    }
    int host = f->host;
    if (f->kind == WASI_FD_STREAM) {
        if (s->type == EV_FD_READ && f->ops->pending && f->ops->pending(f->priv)) {
            s->ready = true;
            return;
        }
        host = f->ops->poll_fd(f->priv);
    } else {
        s->host = host;
    }
    s->poll_index = (int)*npfds;
    pfds[*npfds].fd = host;
    pfds[*npfds].events = s->type == EV_FD_READ ? POLLIN : POLLOUT;
    pfds[*npfds].revents = 0;
    (*npfds)++;
}

/* Writes the events due now into out; returns how many, or -EIO (the clock lied). */
static int64_t collect(struct wasi_ctx *ctx, struct sub *subs, uint32_t n,
                       const struct pollfd *pfds, uint8_t *out)
{
    uint64_t now;
    int ret = mono_now(ctx, &now);
    if (ret < 0) return ret;
    uint32_t count = 0;
    for (uint32_t i = 0; i < n; i++) {
        struct sub *s = &subs[i];
        uint16_t flags = 0;
        bool due = s->error || s->ready;
        if (!due && s->type == EV_CLOCK) due = now >= s->deadline;
        if (!due && s->type != EV_CLOCK && s->poll_index >= 0) {
            short re = pfds[s->poll_index].revents;
            due = re != 0;
            if (re & POLLNVAL)
                s->error = WASI_EBADF;
            else if (re & POLLHUP)
                flags = 1; /* hangup */
            if ((re & POLLIN) && s->type == EV_FD_READ && s->host >= 0)
                (void)wasi_host_fionread(ctx, s->host, &s->nbytes);
        }
        if (!due) continue;
        uint8_t *e = out + 32 * (size_t)count++;
        memset(e, 0, 32);
        wasi_put_u64(e, s->userdata);
        wasi_put_u16(e + 8, s->error);
        e[10] = s->type;
        if (s->type != EV_CLOCK) {
            wasi_put_u64(e + 16, s->nbytes);
            wasi_put_u16(e + 24, flags);
        }
    }
    return count;
}

/* The ppoll timeout: 0 when something is due, none without clocks, else the earliest. */
static bool poll_timeout(const struct sub *subs, uint32_t n, uint64_t now, struct timespec *ts)
{
    uint64_t earliest = UINT64_MAX;
    bool any = false;
    for (uint32_t i = 0; i < n; i++) {
        if (subs[i].error || subs[i].ready) {
            earliest = now;
            any = true;
        } else if (subs[i].type == EV_CLOCK) {
            any = true;
            if (subs[i].deadline < earliest) earliest = subs[i].deadline;
        }
    }
    uint64_t rel = earliest > now ? earliest - now : 0;
    ts->tv_sec = (time_t)(rel / 1000000000u);
    ts->tv_nsec = (long)(rel % 1000000000u);
    return any;
}

static uint16_t parse_all(struct wasi_ctx *ctx, const uint8_t *in, struct sub *subs, uint32_t n,
                          struct pollfd *pfds, nfds_t *npfds)
{
    uint64_t now;
    int ret = mono_now(ctx, &now);
    if (ret < 0) return wasi_errno_from_host(-ret);
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *p = in + 48 * (size_t)i;
        struct sub *s = &subs[i];
        memset(s, 0, sizeof(*s));
        s->poll_index = -1;
        s->host = -1;
        s->userdata = wasi_get_u64(p);
        s->type = p[8];
        if (s->type == EV_CLOCK)
            parse_clock(ctx, p, s, now);
        else if (s->type == EV_FD_READ || s->type == EV_FD_WRITE)
            parse_fd(ctx, p, s, pfds, npfds);
        else
            return WASI_EINVAL;
    }
    return WASI_ESUCCESS;
}

WASI_FN(poll_oneoff)
{
    uint32_t n = a[2].i32;
    if (n == 0 || n > MAX_SUBSCRIPTIONS) return WASI_EINVAL;
    const uint8_t *in = wasi_mem(caller, a[0].i32, (uint64_t)n * 48);
    uint8_t *out = wasi_mem(caller, a[1].i32, (uint64_t)n * 32);
    uint8_t *pcount = wasi_mem(caller, a[3].i32, 4);
    if (!in || !out || !pcount) return WASI_EFAULT;
    struct sub *subs = calloc(n, sizeof(*subs));
    struct pollfd *pfds = calloc(n, sizeof(*pfds));
    nfds_t npfds = 0;
    uint16_t r = subs && pfds ? parse_all(ctx, in, subs, n, pfds, &npfds) : WASI_ENOMEM;
    uint32_t count = 0;
    while (r == WASI_ESUCCESS && count == 0) {
        struct timespec ts;
        uint64_t now;
        int ret = mono_now(ctx, &now);
        if (ret < 0) {
            r = wasi_errno_from_host(-ret);
            break;
        }
        bool bounded = poll_timeout(subs, n, now, &ts);
        ret = wasi_host_ppoll(ctx, pfds, npfds, bounded ? &ts : NULL);
        int64_t c = ret < 0 && ret != -EINTR ? ret : collect(ctx, subs, n, pfds, out);
        if (c < 0)
            r = wasi_errno_from_host((int)-c);
        else
            count = (uint32_t)c;
    }
    if (r == WASI_ESUCCESS) wasi_put_u32(pcount, count);
    free(subs);
    free(pfds);
    return r;
}
