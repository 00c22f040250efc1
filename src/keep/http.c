/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http.c - the Keep's HTTP/1.1 client for its one request: POST a CSR to the Steward.
 *
 * Why our own and not libcurl: the exec runs where the host's network and file system are gone
 * (the sandbox's network namespace and empty root, a VM with a static binary), so it cannot
 * resolve names, connect, or load a shared library. The host connects a TCP socket to the
 * Steward (it is the host's network either way) and hands it over in the job; the exec speaks
 * TLS (verifying the Steward's name and chain itself) and HTTP over it. One request, with
 * `Connection: close`, so the client is small: a request line and three headers out; a status
 * line, headers and a body in, bounded in size and by a deadline.
 *
 * The response is hostile input: keep_http_response_parse() is strict (HTTP/1.0 or 1.1, a
 * three-digit status, header lines of visible characters, one Content-Length or equal copies,
 * chunked transfer coding with hexadecimal sizes), never reads past its buffer, and is fuzzed
 * (tests/fuzz/fuzz_keep_http.c). URLs are parsed strictly too: http or https, a host name, an
 * IPv4 literal or a bracketed IPv6 literal, an optional port, a path without spaces.
 */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "wasi/wasi.h"

#define HEADERS_MAX (16u * 1024u)

void keep_set_err(char *err, size_t err_size, const char *fmt, ...)
{
    if (!err || !err_size) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}

/* ---- URLs ---- */

static bool host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.';
}

int keep_url_parse(const char *url, struct keep_url *u, char *err, size_t err_size)
{
    memset(u, 0, sizeof(*u));
    const char *p;
    if (strncasecmp(url, "https://", 8) == 0) {
        u->https = true;
        p = url + 8;
    } else if (strncasecmp(url, "http://", 7) == 0) {
        p = url + 7;
    } else {
        keep_set_err(err, err_size, "'%s': the Steward URL must start with https:// or http://",
                     url);
        return -EINVAL;
    }
    size_t n = 0;
    if (*p == '[') {
        const char *end = strchr(p, ']');
        if (!end || end - p - 1 <= 0 || (size_t)(end - p - 1) >= sizeof(u->host)) goto bad;
        n = (size_t)(end - p - 1);
        memcpy(u->host, p + 1, n);
        for (size_t i = 0; i < n; i++)
            if (!(host_char(u->host[i]) || u->host[i] == ':')) goto bad;
        u->ipv6 = true;
        p = end + 1;
    } else {
        while (host_char(p[n]))
            n++;
        if (n == 0 || n >= sizeof(u->host)) goto bad;
        memcpy(u->host, p, n);
        p += n;
    }
    u->port = u->https ? 443 : 80;
    if (*p == ':') {
        unsigned long port = 0;
        size_t digits = 0;
        for (p++; *p >= '0' && *p <= '9' && digits < 6; p++, digits++)
            port = port * 10 + (unsigned long)(*p - '0');
        if (digits == 0 || port == 0 || port > 65535) goto bad;
        u->port = (uint16_t)port;
    }
    if (*p == '\0') p = "/";
    if (*p != '/' || strlen(p) >= sizeof(u->path)) goto bad;
    for (const char *q = p; *q; q++)
        if ((unsigned char)*q <= ' ' || (unsigned char)*q >= 0x7f || *q == '#') goto bad;
    strcpy(u->path, p);
    return 0;
bad:
    keep_set_err(err, err_size, "'%s' is not a valid Steward URL", url);
    return -EINVAL;
}

bool keep_url_is_loopback(const struct keep_url *u)
{
    if (strcasecmp(u->host, "localhost") == 0 || strcmp(u->host, "::1") == 0) return true;
    if (strncmp(u->host, "127.", 4) != 0) return false;
    int dots = 0; /* a dotted-quad literal in 127.0.0.0/8, not a name like 127.example */
    for (const char *q = u->host; *q; q++) {
        if (*q == '.')
            dots++;
        else if (*q < '0' || *q > '9')
            return false;
    }
    return dots == 3;
}

/* ---- responses ---- */

static bool is_tchar(unsigned char c)
{
    return c > ' ' && c < 0x7f && !strchr("()<>@,;:\\\"/[]?={}", c);
}

/* Parses a decimal or hexadecimal number of at most 15 digits (no sign, no spaces). */
static int parse_num(const char *s, size_t len, int base, uint64_t *out)
{
    if (len == 0 || len > 15) return -EPROTO;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        int d = base == 16 ? util_hex_digit(s[i]) : (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);
        if (d < 0) return -EPROTO;
        v = v * (uint64_t)base + (uint64_t)d;
    }
    *out = v;
    return 0;
}

/* One header line [p, end): Content-Length and Transfer-Encoding are what we need. */
static int header_line(const char *p, const char *end, struct keep_http_response *r)
{
    const char *colon = memchr(p, ':', (size_t)(end - p));
    if (!colon || colon == p) return -EPROTO;
    for (const char *q = p; q < colon; q++)
        if (!is_tchar((unsigned char)*q)) return -EPROTO;
    const char *v = colon + 1, *ve = end;
    while (v < ve && (*v == ' ' || *v == '\t'))
        v++;
    while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
        ve--;
    for (const char *q = v; q < ve; q++)
        if ((unsigned char)*q < ' ' && *q != '\t') return -EPROTO;
    size_t nlen = (size_t)(colon - p);
    if (nlen == 14 && strncasecmp(p, "content-length", 14) == 0) {
        uint64_t n;
        if (parse_num(v, (size_t)(ve - v), 10, &n) < 0) return -EPROTO;
        if (r->has_length && r->length != n) return -EPROTO; /* conflicting copies */
        r->has_length = true;
        r->length = n;
    } else if (nlen == 17 && strncasecmp(p, "transfer-encoding", 17) == 0) {
        if ((size_t)(ve - v) != 7 || strncasecmp(v, "chunked", 7) != 0 || r->chunked)
            return -EPROTO; /* only chunked, once */
        r->chunked = true;
    }
    return 0;
}

/* The status line and headers; sets r->status and r->body_off. -EAGAIN: need more bytes. */
static int parse_head(const uint8_t *buf, size_t size, struct keep_http_response *r)
{
    const char *s = (const char *)buf;
    const char *hend = NULL;
    for (size_t i = 0; i + 3 < size && i < HEADERS_MAX; i++)
        if (memcmp(s + i, "\r\n\r\n", 4) == 0) {
            hend = s + i;
            break;
        }
    if (!hend) return size >= HEADERS_MAX ? -EPROTO : -EAGAIN;
    if (hend - s < 12 || (memcmp(s, "HTTP/1.1 ", 9) != 0 && memcmp(s, "HTTP/1.0 ", 9) != 0))
        return -EPROTO;
    uint64_t st;
    if (parse_num(s + 9, 3, 10, &st) < 0 || st < 100 || (s[12] != ' ' && s[12] != '\r'))
        return -EPROTO;
    r->status = (int)st;
    const char *p = memchr(s, '\n', (size_t)(hend - s + 2));
    if (!p || p[-1] != '\r') return -EPROTO;
    for (p++; p < hend + 2;) {
        const char *eol = memchr(p, '\n', (size_t)(hend + 2 - p));
        if (!eol || eol == p || eol[-1] != '\r') return -EPROTO;
        if (header_line(p, eol - 1, r) < 0) return -EPROTO;
        p = eol + 1;
    }
    if (r->chunked && r->has_length) return -EPROTO;
    r->body_off = (size_t)(hend + 4 - s);
    return 0;
}

/* Decodes a chunked body in place into [body_off, body_off + body_size). -EAGAIN: incomplete. */
static int dechunk(uint8_t *buf, size_t size, struct keep_http_response *r)
{
    size_t in = r->body_off, out = r->body_off;
    for (;;) {
        const uint8_t *eol = memchr(buf + in, '\n', size - in);
        if (!eol) return size - in > 64 ? -EPROTO : -EAGAIN;
        size_t line = (size_t)(eol - (buf + in));
        if (line < 2 || eol[-1] != '\r') return -EPROTO;
        size_t digits = line - 1;
        const uint8_t *semi = memchr(buf + in, ';', digits);
        if (semi) digits = (size_t)(semi - (buf + in));
        uint64_t n;
        if (parse_num((const char *)buf + in, digits, 16, &n) < 0) return -EPROTO;
        in += line + 1;
        if (n == 0) break;
        if (n > size - in || size - in - n < 2) return -EAGAIN;
        if (buf[in + n] != '\r' || buf[in + n + 1] != '\n') return -EPROTO;
        memmove(buf + out, buf + in, n);
        out += n;
        in += n + 2;
    }
    /* no trailers: the final CRLF must follow */
    if (size - in < 2) return -EAGAIN;
    if (buf[in] != '\r' || buf[in + 1] != '\n') return -EPROTO;
    r->body_size = out - r->body_off;
    return 0;
}

int keep_http_response_parse(uint8_t *buf, size_t size, bool eof, struct keep_http_response *r)
{
    memset(r, 0, sizeof(*r));
    int rc = parse_head(buf, size, r);
    if (rc < 0) return rc == -EAGAIN && eof ? -EPROTO : rc;
    size_t avail = size - r->body_off;
    if (r->chunked) {
        rc = dechunk(buf, size, r);
        return rc == -EAGAIN && eof ? -EPROTO : rc;
    }
    if (r->has_length) {
        if (r->length > avail) return eof ? -EPROTO : -EAGAIN;
        r->body_size = (size_t)r->length;
        return 0;
    }
    if (!eof) return -EAGAIN; /* the body runs to the end of the connection */
    r->body_size = avail;
    return 0;
}

/* ---- the exchange ---- */

/* Plain TCP as a stream, non-blocking like the TLS one once it is switched: the caller waits. */
static ssize_t plain_read(void *priv, void *buf, size_t size)
{
    ssize_t n = recv(*(int *)priv, buf, size, MSG_DONTWAIT);
    return n < 0 ? -errno : n;
}

static ssize_t plain_write(void *priv, const void *buf, size_t size)
{
    ssize_t n = send(*(int *)priv, buf, size, MSG_DONTWAIT | MSG_NOSIGNAL);
    return n < 0 ? -errno : n;
}

static int plain_poll_fd(void *priv)
{
    return *(int *)priv;
}

static const struct wasi_stream_ops plain_ops = {
    .read = plain_read, .write = plain_write, .poll_fd = plain_poll_fd};

/* A non-blocking stream and the deadline of the whole exchange. */
struct conn {
    const struct wasi_stream_ops *ops;
    void *priv;
    int64_t deadline;
};

/* Waits until the stream may move again, or the deadline passes (-ETIMEDOUT). */
static int conn_wait(struct conn *c)
{
    for (;;) {
        int64_t left = c->deadline - util_now_ms();
        if (left <= 0) return -ETIMEDOUT;
        struct pollfd pf = {.fd = c->ops->poll_fd(c->priv), .events = POLLIN | POLLOUT};
        int r = poll(&pf, 1, left > INT_MAX ? INT_MAX : (int)left);
        if (r > 0) return 0;
        if (r < 0 && errno != EINTR) return -errno;
    }
}

static ssize_t conn_read(struct conn *c, void *buf, size_t size)
{
    for (;;) {
        ssize_t n = c->ops->read(c->priv, buf, size);
        if (n != -EAGAIN && n != -EINTR) return n;
        int rc = conn_wait(c);
        if (rc < 0) return rc;
    }
}

static int send_all(struct conn *c, const void *data, size_t size)
{
    const uint8_t *p = data;
    while (size) {
        ssize_t n = c->ops->write(c->priv, p, size);
        if (n == -EAGAIN || n == -EINTR) {
            int rc = conn_wait(c);
            if (rc < 0) return rc;
            continue;
        }
        if (n <= 0) return n < 0 ? (int)n : -EIO;
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

/* Reads until the response is complete, the peer closes, or max bytes are exceeded. */
static int read_response(struct conn *c, size_t max, struct keep_http_response *r, uint8_t **out)
{
    size_t cap = 8192, size = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) return -ENOMEM;
    int rc = -EAGAIN;
    while (rc == -EAGAIN) {
        if (size == cap) {
            if (cap >= max + HEADERS_MAX) {
                rc = -EFBIG;
                break;
            }
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                rc = -ENOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t n = conn_read(c, buf + size, cap - size);
        if (n < 0) {
            rc = (int)n;
            break;
        }
        size += (size_t)n;
        rc = keep_http_response_parse(buf, size, n == 0, r);
        if (rc == 0 && r->body_size > max) rc = -EFBIG;
        /* a declared length over the limit is refused as soon as the head is in, not after a
         * peer that keeps sending (or resets) has been read to the end */
        if (rc == -EAGAIN && r->has_length && r->length > max) rc = -EFBIG;
    }
    if (rc < 0) {
        free(buf);
        return rc;
    }
    *out = buf;
    return 0;
}

int keep_http_post(int fd, const struct keep_url *u, const uint8_t *ca, size_t ca_size,
                   const char *content_type, const uint8_t *body, size_t body_size, int timeout_ms,
                   size_t max, struct keep_http_reply *reply, char *err, size_t err_size)
{
    memset(reply, 0, sizeof(*reply));
    int sock = fd;
    struct conn c = {&plain_ops, &sock, util_now_ms() + timeout_ms};
    int rc = 0;
    if (u->https) {
        rc = keep_tls_connect_fd(fd, u->host, ca, ca_size, NULL, timeout_ms, &c.ops, &c.priv);
        fd = -1; /* owned by the TLS stream, or closed */
        if (rc == 0) rc = c.ops->set_nonblock(c.priv, true);
        if (rc < 0) {
            if (c.ops != &plain_ops) c.ops->close(c.priv);
            keep_set_err(err, err_size,
                         "the TLS handshake with the Steward %s failed: %s (is its certificate "
                         "issued for that name by a CA the Keep trusts?)",
                         u->host, rc == -EACCES ? "its certificate did not verify" : strerror(-rc));
            return -ECONNREFUSED;
        }
    }
    char head[2048];
    int hn = snprintf(head, sizeof(head),
                      "POST %s HTTP/1.1\r\nHost: %s%s%s:%u\r\nContent-Type: %s\r\n"
                      "Content-Length: %zu\r\nAccept: */*\r\nConnection: close\r\n\r\n",
                      u->path, u->ipv6 ? "[" : "", u->host, u->ipv6 ? "]" : "", u->port,
                      content_type, body_size);
    rc = hn > 0 && (size_t)hn < sizeof(head) ? 0 : -EINVAL;
    if (rc == 0) rc = send_all(&c, head, (size_t)hn);
    if (rc == 0) rc = send_all(&c, body, body_size);
    struct keep_http_response r;
    uint8_t *buf = NULL;
    if (rc == 0) {
        rc = read_response(&c, max, &r, &buf);
        if (rc < 0)
            keep_set_err(err, err_size, "the Steward at %s: %s", u->host,
                         rc == -EPROTO      ? "a malformed HTTP response"
                         : rc == -EFBIG     ? "a reply larger than the limit"
                         : rc == -ETIMEDOUT ? "no complete answer in time"
                                            : strerror(-rc));
    } else {
        keep_set_err(err, err_size, "cannot send the request to the Steward at %s: %s", u->host,
                     strerror(-rc));
    }
    if (c.ops != &plain_ops) c.ops->close(c.priv);
    if (fd >= 0) close(fd);
    if (rc < 0) return rc == -EPROTO || rc == -EFBIG ? -EPROTO : -ECONNREFUSED;
    memmove(buf, buf + r.body_off, r.body_size);
    reply->status = r.status;
    reply->body = buf;
    reply->size = r.body_size;
    return 0;
}
