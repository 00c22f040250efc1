/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sock.c - sockets: the pre-opened TCP sockets of an Enarx.toml (listen, connect) and the
 * sock_accept, sock_recv, sock_send, sock_shutdown functions.
 *
 * WASI preview 1 cannot create, bind or connect sockets: it can only use the ones its host
 * hands it. So `listen` sockets are bound and listening before the workload starts and
 * sock_accept serves them; `connect` sockets are connected before it starts. A socket fd is a
 * host socket (kind WASI_FD_SOCKET) or a stream (WASI_FD_STREAM: TLS terminated by the Keep, see
 * struct wasi_stream_ops); both look the same to the workload. Sends use MSG_NOSIGNAL, so a
 * peer that went away is EPIPE for the workload, never a SIGPIPE for the Keep.
 *
 * The sock_* functions call the host through the checked interface (host.c). The two set-up
 * helpers, wasi_ctx_add_listen and wasi_ctx_add_connect, run before the workload with plain
 * calls (name resolution has no place in the table); with a Keep whose host is not trusted
 * the sockets are bound by the host and handed over as fds (wasi_ctx_add_socket) instead. Both
 * use src/util's util_tcp_listen / util_tcp_connect, as the host side of a Keep does.
 */
#include "internal.h"
#include "util/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_SOCK_IOVS 64

static int add_socket(struct wasi_ctx *ctx, int sock, bool listening, uint32_t *fd_out)
{
    int ret = wasi_host_fd_mark(ctx, sock);
    if (ret < 0) {
        close(sock);
        return ret;
    }
    struct wasi_fd e = {.kind = WASI_FD_SOCKET, .host = sock, .own = true};
    e.listening = listening;
    e.filetype = WASI_FT_SOCK_STREAM;
    e.rights_base = listening ? RIGHTS_LISTEN : RIGHTS_SOCK;
    e.rights_inh = listening ? RIGHTS_SOCK : 0;
    return wasi_fd_insert(ctx, &e, fd_out);
}

int wasi_ctx_add_socket(struct wasi_ctx *ctx, int sock, bool listening, uint32_t *fd_out)
{
    if (sock < 0) return -EBADF;
    int ret = add_socket(ctx, sock, listening, fd_out);
    if (ret < 0) close(sock);
    return ret;
}

int wasi_ctx_add_listen(struct wasi_ctx *ctx, const char *addr, uint16_t port, uint32_t *fd_out)
{
    int s;
    int ret = util_tcp_listen(addr, port, &s);
    if (ret < 0) return ret;
    ret = util_fd_set_nonblock(s, false); /* WASI's own flags say whether the workload waits */
    if (ret < 0) {
        close(s);
        return ret;
    }
    return wasi_ctx_add_socket(ctx, s, true, fd_out);
}

int wasi_ctx_add_connect(struct wasi_ctx *ctx, const char *host, uint16_t port, uint32_t *fd_out)
{
    int s;
    int ret = util_tcp_connect(host, port, INT_MAX, &s); /* no deadline, as connect(2) */
    if (ret < 0) return ret;
    ret = util_fd_set_nonblock(s, false);
    if (ret < 0) {
        close(s);
        return ret;
    }
    return wasi_ctx_add_socket(ctx, s, false, fd_out);
}

/* A socket or stream entry holding rights: ENOTSOCK for any other open fd. */
static uint16_t get_sock(struct wasi_ctx *ctx, uint32_t fd, uint64_t rights, struct wasi_fd **f)
{
    uint16_t r = wasi_fd_get(ctx, fd, 0, f);
    if (r != WASI_ESUCCESS) return r;
    if ((*f)->kind != WASI_FD_SOCKET && (*f)->kind != WASI_FD_STREAM) return WASI_ENOTSOCK;
    return wasi_fd_get(ctx, fd, rights, f);
}

static uint16_t accept_stream(struct wasi_ctx *ctx, struct wasi_fd *f, bool nonblock, uint32_t *nfd)
{
    const struct wasi_stream_ops *ops;
    void *priv;
    int ret = f->ops->accept(f->priv, nonblock, &ops, &priv);
    if (ret < 0) return wasi_errno_from_host(-ret);
    ret = wasi_ctx_add_stream(ctx, ops, priv, nfd);
    if (ret < 0) return wasi_errno_from_host(-ret);
    ctx->fds[*nfd].nonblock = nonblock;
    return WASI_ESUCCESS;
}

WASI_FN(sock_accept)
{
    struct wasi_fd *f;
    uint16_t r = get_sock(ctx, a[0].i32, R_SOCK_ACCEPT, &f);
    uint8_t *pfd = wasi_mem(caller, a[2].i32, 4);
    if (r != WASI_ESUCCESS) return r;
    if (!pfd) return WASI_EFAULT;
    if (a[1].i32 & ~WASI_FDFLAG_NONBLOCK) return WASI_EINVAL;
    if (!f->listening) return WASI_EINVAL;
    bool nonblock = (a[1].i32 & WASI_FDFLAG_NONBLOCK) != 0;
    uint32_t nfd;
    if (f->kind == WASI_FD_STREAM) {
        r = accept_stream(ctx, f, nonblock, &nfd);
    } else {
        int s = wasi_host_accept(ctx, f->host, SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0));
        if (s < 0) return wasi_errno_from_host(-s);
        int ret = add_socket(ctx, s, false, &nfd);
        r = ret < 0 ? wasi_errno_from_host(-ret) : WASI_ESUCCESS;
    }
    if (r == WASI_ESUCCESS) wasi_put_u32(pfd, nfd);
    return r;
}

/* recvmsg/sendmsg over the guest iovecs of a host socket. */
static uint16_t sock_msg(struct wasi_ctx *ctx, struct wasm_caller *caller, int sock, uint32_t iovs,
                         uint32_t n, int flags, bool is_send, uint32_t *done, bool *truncated)
{
    const uint8_t *vec = wasi_mem(caller, iovs, (uint64_t)n * 8);
    if (!vec) return WASI_EFAULT;
    struct iovec iov[MAX_SOCK_IOVS];
    if (n > MAX_SOCK_IOVS) n = MAX_SOCK_IOVS;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len = wasi_get_u32(vec + 8 * (size_t)i + 4);
        iov[i].iov_base = wasi_mem(caller, wasi_get_u32(vec + 8 * (size_t)i), len);
        iov[i].iov_len = len;
        if (!iov[i].iov_base) return WASI_EFAULT;
    }
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = n};
    ssize_t r = is_send ? wasi_host_sendmsg(ctx, sock, &msg, flags | MSG_NOSIGNAL)
                        : wasi_host_recvmsg(ctx, sock, &msg, flags);
    if (r < 0) return wasi_errno_from_host((int)-r);
    *done = r > UINT32_MAX ? UINT32_MAX : (uint32_t)r;
    *truncated = (msg.msg_flags & MSG_TRUNC) != 0;
    return WASI_ESUCCESS;
}

WASI_FN(sock_recv)
{
    struct wasi_fd *f;
    uint16_t r = get_sock(ctx, a[0].i32, R_FD_READ, &f);
    uint8_t *plen = wasi_mem(caller, a[4].i32, 4), *pflags = wasi_mem(caller, a[5].i32, 2);
    if (r != WASI_ESUCCESS) return r;
    if (!plen || !pflags) return WASI_EFAULT;
    uint32_t riflags = a[3].i32, done = 0;
    if (riflags & ~3u) return WASI_EINVAL;
    bool truncated = false;
    if (f->kind == WASI_FD_STREAM) {
        if (riflags & 1) return WASI_ENOTSUP; /* a TLS stream cannot peek */
        r = wasi_iov_transfer(ctx, caller, f, a[1].i32, a[2].i32, false, -1, &done);
    } else {
        int flags = (riflags & 1 ? MSG_PEEK : 0) | (riflags & 2 ? MSG_WAITALL : 0);
        r = sock_msg(ctx, caller, f->host, a[1].i32, a[2].i32, flags, false, &done, &truncated);
    }
    if (r == WASI_ESUCCESS) {
        wasi_put_u32(plen, done);
        wasi_put_u16(pflags, truncated ? 1 : 0);
    }
    return r;
}

WASI_FN(sock_send)
{
    struct wasi_fd *f;
    uint16_t r = get_sock(ctx, a[0].i32, R_FD_WRITE, &f);
    uint8_t *plen = wasi_mem(caller, a[4].i32, 4);
    if (r != WASI_ESUCCESS) return r;
    if (!plen) return WASI_EFAULT;
    if (a[3].i32 != 0) return WASI_EINVAL; /* no siflags are defined */
    uint32_t done = 0;
    bool truncated;
    if (f->kind == WASI_FD_STREAM)
        r = wasi_iov_transfer(ctx, caller, f, a[1].i32, a[2].i32, true, -1, &done);
    else
        r = sock_msg(ctx, caller, f->host, a[1].i32, a[2].i32, 0, true, &done, &truncated);
    if (r == WASI_ESUCCESS) wasi_put_u32(plen, done);
    return r;
}

WASI_FN(sock_shutdown)
{
    (void)caller;
    struct wasi_fd *f;
    uint16_t r = get_sock(ctx, a[0].i32, R_SOCK_SHUTDOWN, &f);
    if (r != WASI_ESUCCESS) return r;
    static const int how[] = {-1, SHUT_RD, SHUT_WR, SHUT_RDWR};
    if (a[1].i32 == 0 || a[1].i32 > 3) return WASI_EINVAL;
    int ret = f->kind == WASI_FD_STREAM ? f->ops->shutdown(f->priv, how[a[1].i32])
                                        : wasi_host_shutdown(ctx, f->host, how[a[1].i32]);
    return ret < 0 ? wasi_errno_from_host(-ret) : WASI_ESUCCESS;
}
