/* SPDX-License-Identifier: Apache-2.0 */
/*
 * echo-tls - a TLS echo service, as a WASI workload (clang --target=wasm32-wasi).
 *
 * The Keep terminates TLS (Enarx.toml: a `listen` file with prot = "tls"), so this program
 * only sees plain bytes on an ordinary socket fd. It accepts COUNT connections (argv[1],
 * default 1) one after the other on the listening socket named "ingest" in FD_NAMES (fd 3 when
 * FD_NAMES is not set), reads one line from each (up to 4 KiB), writes it back, closes the
 * connection, and exits 0 once COUNT have been served.
 *
 * wasi-libc has no accept(), so the listening socket is served with the WASI import
 * sock_accept directly (<wasi/api.h>); reading and writing use plain read() and write().
 * WASI errno values are wasi-libc's errno values, so strerror() names them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

#define LINE_MAX_BYTES 4096

/* The fd of the file named name in FD_NAMES ("stdin:stdout:stderr:ingest"), or fallback. */
static int fd_named(const char *name, int fallback)
{
    const char *names = getenv("FD_NAMES");
    size_t len = strlen(name);
    int fd = 0;
    for (const char *p = names; p && *p; fd++) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && memcmp(p, name, len) == 0) return fd;
        if (!end) break;
        p = end + 1;
    }
    return fallback;
}

/* Reads up to one line (newline included) into buf; returns its length, 0 at end of stream, or
 * -1 on error. */
static ssize_t read_line(int fd, char *buf, size_t size)
{
    size_t n = 0;
    while (n < size) {
        ssize_t r = read(fd, buf + n, size - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return n ? (ssize_t)n : -1;
        if (r == 0) break;
        void *nl = memchr(buf + n, '\n', (size_t)r);
        n += (size_t)r;
        if (nl) break;
    }
    return (ssize_t)n;
}

static int write_all(int fd, const char *buf, size_t size)
{
    while (size > 0) {
        ssize_t w = write(fd, buf, size);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        buf += w;
        size -= (size_t)w;
    }
    return 0;
}

int main(int argc, char **argv)
{
    long count = 1;
    if (argc > 1) {
        char *end;
        count = strtol(argv[1], &end, 10);
        if (*end || count < 1 || count > 1000000) {
            fprintf(stderr, "usage: echo-tls [COUNT]  (1..1000000 connections)\n");
            return 2;
        }
    }
    int lfd = fd_named("ingest", 3);
    static char line[LINE_MAX_BYTES];
    for (long i = 0; i < count; i++) {
        __wasi_fd_t conn;
        __wasi_errno_t e = __wasi_sock_accept((__wasi_fd_t)lfd, 0, &conn);
        if (e != 0) {
            fprintf(stderr, "echo-tls: accept on fd %d: %s\n", lfd, strerror(e));
            return 1;
        }
        ssize_t n = read_line((int)conn, line, sizeof line);
        if (n < 0)
            fprintf(stderr, "echo-tls: read: %s\n", strerror(errno));
        else if (write_all((int)conn, line, (size_t)n) < 0)
            fprintf(stderr, "echo-tls: write: %s\n", strerror(errno));
        close((int)conn);
        fprintf(stderr, "echo-tls: connection %ld: echoed %zd bytes\n", i + 1, n < 0 ? 0 : n);
    }
    return 0;
}
