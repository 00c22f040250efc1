/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasi_sock.c - sockets pre-opened from Enarx.toml: sock_accept, sock_recv, sock_send,
 * sock_shutdown, poll_oneoff on a socket, and FD_COUNT / FD_NAMES.
 *
 *   wasi_sock.wasm listen    fd 3 listens ("ingest"): accept one client, read a line, send it
 *                            back in upper case, shut down.
 *   wasi_sock.wasm listen-tls   the same on a `prot = "tls"` listener: the Keep terminates TLS
 *                            and the workload sees plain bytes.
 *   wasi_sock.wasm connect   fd 3 is connected ("upstream"): read the server's line, answer
 *                            "thanks <line>".
 * It prints "ready" once it waits for the client, so the driver knows when to connect.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static __wasi_errno_t wait_readable(__wasi_fd_t fd, __wasi_timestamp_t timeout_ns)
{
    __wasi_subscription_t sub[2] = {{.userdata = 1, .u.tag = __WASI_EVENTTYPE_FD_READ},
                                    {.userdata = 2, .u.tag = __WASI_EVENTTYPE_CLOCK}};
    sub[0].u.u.fd_read.file_descriptor = fd;
    sub[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    sub[1].u.u.clock.timeout = timeout_ns;
    __wasi_event_t ev[2];
    __wasi_size_t n;
    __wasi_errno_t e = __wasi_poll_oneoff(sub, ev, 2, &n);
    if (e) return e;
    return (n >= 1 && ev[0].userdata == 1 && ev[0].error == 0) ? 0 : __WASI_ERRNO_TIMEDOUT;
}

static size_t recv_line(__wasi_fd_t fd, char *buf, size_t size)
{
    size_t got = 0;
    while (got < size - 1 && !memchr(buf, '\n', got)) {
        __wasi_iovec_t iov = {(uint8_t *)buf + got, size - 1 - got};
        __wasi_size_t n;
        __wasi_roflags_t fl;
        if (__wasi_sock_recv(fd, &iov, 1, 0, &n, &fl) != 0 || n == 0) break;
        got += n;
    }
    buf[got] = 0;
    return got;
}

static void serve(bool tls)
{
    CHECK(strcmp(getenv("FD_COUNT"), "4") == 0);
    CHECK(strcmp(getenv("FD_NAMES"), "stdin:stdout:stderr:ingest") == 0);
    __wasi_fdstat_t st;
    CHECK_OK(__wasi_fd_fdstat_get(3, &st));
    CHECK(st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM);
    CHECK(st.fs_rights_base & __WASI_RIGHTS_SOCK_ACCEPT);
    __wasi_fd_t c;
    /* a non-blocking listener says "again" while no client waits */
    CHECK_OK(__wasi_fd_fdstat_set_flags(3, __WASI_FDFLAGS_NONBLOCK));
    CHECK_ERR(__wasi_sock_accept(3, 0, &c), __WASI_ERRNO_AGAIN);
    CHECK_OK(__wasi_fd_fdstat_set_flags(3, 0));
    CHECK_ERR(__wasi_sock_shutdown(1, __WASI_SDFLAGS_WR), __WASI_ERRNO_NOTSOCK);
    printf("ready\n");
    fflush(stdout);
    CHECK_OK(wait_readable(3, 20000000000ull));
    CHECK_OK(__wasi_sock_accept(3, __WASI_FDFLAGS_NONBLOCK, &c));
    CHECK_OK(__wasi_fd_fdstat_get(c, &st));
    CHECK(st.fs_flags == __WASI_FDFLAGS_NONBLOCK);
    CHECK_OK(__wasi_fd_fdstat_set_flags(c, 0));
    CHECK_ERR(__wasi_sock_accept(c, 0, &c), __WASI_ERRNO_NOTCAPABLE);
    char buf[128];
    CHECK_OK(wait_readable(c, 20000000000ull));
    /* peek first: the same bytes stay for the real read (a TLS stream cannot peek) */
    __wasi_iovec_t iov = {(uint8_t *)buf, 1};
    __wasi_size_t n;
    __wasi_roflags_t fl;
    CHECK_ERR(__wasi_sock_recv(c, &iov, 1, __WASI_RIFLAGS_RECV_PEEK, &n, &fl),
              tls ? __WASI_ERRNO_NOTSUP : 0);
    size_t len = recv_line(c, buf, sizeof(buf));
    CHECK(len > 0 && buf[0] == 'h');
    for (size_t i = 0; i < len; i++)
        buf[i] = (char)toupper((unsigned char)buf[i]);
    __wasi_ciovec_t out = {(const uint8_t *)buf, len};
    CHECK_OK(__wasi_sock_send(c, &out, 1, 0, &n));
    CHECK(n == len);
    CHECK_OK(__wasi_sock_shutdown(c, __WASI_SDFLAGS_WR));
    CHECK_ERR(__wasi_sock_shutdown(c, 9), __WASI_ERRNO_INVAL);
    CHECK_OK(__wasi_fd_close(c));
}

static void client(void)
{
    CHECK(strcmp(getenv("FD_NAMES"), "stdin:stdout:stderr:upstream") == 0);
    printf("ready\n");
    fflush(stdout);
    char buf[128];
    size_t len = recv_line(3, buf, sizeof(buf));
    CHECK(len > 0);
    char reply[160];
    int rl = snprintf(reply, sizeof(reply), "thanks %s", buf);
    /* plain fd_write works on a socket as well */
    __wasi_ciovec_t out = {(const uint8_t *)reply, (size_t)rl};
    __wasi_size_t n;
    CHECK_OK(__wasi_fd_write(3, &out, 1, &n));
    CHECK(n == (size_t)rl);
    CHECK_OK(__wasi_sock_shutdown(3, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR));
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "listen") == 0)
        serve(false);
    else if (argc == 2 && strcmp(argv[1], "listen-tls") == 0)
        serve(true);
    else if (argc == 2 && strcmp(argv[1], "connect") == 0)
        client();
    else
        CHECK(!"usage: wasi_sock.wasm listen|connect");
    return check_done();
}
