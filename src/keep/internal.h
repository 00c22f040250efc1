/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h - (private to src/keep) what the files of the Keep share beyond keep.h: the
 * exec's HTTP client (http.c) and the sandbox's jail (jail.c).
 */
#ifndef ENARX_KEEP_INTERNAL_H
#define ENARX_KEEP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keep.h"
#include "util/util.h"

/* ---- http.c ---- */

/* Writes a one-line message into err (err_size bytes; nothing when err is NULL or err_size 0). */
void keep_set_err(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A Steward URL, parsed strictly. */
struct keep_url {
    bool https;
    bool ipv6; /* host was a bracketed IPv6 literal (stored without the brackets) */
    char host[256];
    uint16_t port; /* 443 or 80 when not given */
    char path[1024];
};

/* Parses url ("https://host[:port][/path]", or http); 0, or -EINVAL with err. */
NODISCARD int keep_url_parse(const char *url, struct keep_url *u, char *err, size_t err_size);

/* localhost, ::1, or a dotted-quad literal in 127.0.0.0/8. */
bool keep_url_is_loopback(const struct keep_url *u);

/* What keep_http_response_parse() found. */
struct keep_http_response {
    int status;
    size_t body_off, body_size; /* the (de-chunked) body is buf[body_off .. +body_size) */
    bool has_length, chunked;
    uint64_t length;
};

/*
 * Parses an HTTP/1.x response received so far (buf, size; eof: the peer closed). A chunked
 * body is decoded in place. Returns 0 when complete, -EAGAIN when more bytes are needed, or
 * -EPROTO for anything malformed (or truncated at eof). Never reads outside buf.
 */
NODISCARD int keep_http_response_parse(uint8_t *buf, size_t size, bool eof,
                                       struct keep_http_response *r);

struct keep_http_reply {
    int status;
    uint8_t *body; /* malloc'd; caller frees */
    size_t size;
};

/*
 * POSTs body (content_type) to u over fd, a TCP connection to u's host and port made by the
 * host (owned from here on: always closed). https: TLS 1.3, the server's chain verified against
 * ca (PEM, ca_size bytes; NULL: the system store) and its name against u->host. The whole
 * exchange is bounded by timeout_ms and the body by max bytes. Returns 0 and *reply, or with a
 * message in err: -ECONNREFUSED (I/O, TLS, timeout), -EPROTO (a malformed or too large reply).
 */
NODISCARD int keep_http_post(int fd, const struct keep_url *u, const uint8_t *ca, size_t ca_size,
                             const char *content_type, const uint8_t *body, size_t body_size,
                             int timeout_ms, size_t max, struct keep_http_reply *reply, char *err,
                             size_t err_size);

/* ---- jail.c: the sandbox's confinement, applied by the exec to itself ---- */

/* The channel to the host (fd 3 in an exec process), where the SIGSYS handler reports. */
#define KEEP_CHANNEL_FD 3

/*
 * Confines the calling process for good (keep_exec_hooks.jail): an empty read-only root,
 * every fd closed but keep[0..n), rlimits, no capabilities, no_new_privs, and the seccomp
 * allowlist (path calls only relative to a directory fd; no memory both writable and
 * executable). A forbidden call ends the process with KEEP_EXIT_SYSCALL after reporting the
 * call on KEEP_CHANNEL_FD. 0, or a negative errno (the caller must not go on).
 */
NODISCARD int keep_jail_enter(void *priv, const int *keep, size_t n);

/* After keep_jail_enter(): tries what the jail must refuse (reading /etc/passwd, creating a
 * file outside a pre-open, a writable and executable mapping, a new socket) and says on stderr
 * what happened to each. Returns 0 when all were refused, else 1. For tests. */
int keep_jail_selftest(const int *fds, size_t nfds);

/* sandbox.c: exit status of a Keep killed for a forbidden system call (128 + SIGSYS). */
#define KEEP_EXIT_SYSCALL 159

#endif
