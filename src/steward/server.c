/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server.c - the Steward's HTTP front: libmicrohttpd with an internal thread pool (epoll), the
 * request handler of handler.c behind it.
 *
 *   GET|HEAD /   health check (200, JSON)
 *   POST /       Content-Type application/pkcs10, a DER CSR: see handler.c
 *   other paths  404; other methods 405; other content types 415
 *
 * Hostile clients are bounded here: a body is never buffered beyond STEWARD_MAX_CSR_SIZE (a
 * Content-Length above it is answered 413 before any body is read; a chunked body that grows
 * beyond it is read and discarded up to DISCARD_MAX more bytes, then answered 413, and past
 * that the connection is dropped), idle connections are closed after the timeout (slow
 * clients), the number of connections is capped, globally and per client address (one host
 * trickling bytes on a thousand connections takes its own share only), and every request has
 * an absolute deadline: a client that sends one byte just before each inactivity timeout would
 * otherwise hold its connection forever. The pool threads multiplex connections with epoll, so
 * a slow client holds one socket, never a thread. Verification and signing run on the pool
 * thread that received the request; struct steward is read-only, so no locks there.
 *
 * The deadline: libmicrohttpd has only an inactivity timeout, so each connection is registered
 * (MHD_OPTION_NOTIFY_CONNECTION) with the time its current request began (reset when a request
 * completes), and a reaper thread wakes every REAP_MS and shuts down (shutdown(2), not close:
 * libmicrohttpd then sees the end of the stream and closes and frees the connection itself)
 * every socket past its deadline. A connection leaves the registry, under the lock, in the
 * CLOSED notification, which libmicrohttpd sends before it closes the socket, so the reaper
 * never touches a descriptor that was closed and reused.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "steward/internal.h"
#include "util/util.h"

#define DISCARD_MAX (1024u * 1024u)
#define DEFAULT_MAX_CONNS 1024u
#define REAP_MS 200

/* One open connection, for the deadline. */
struct conn {
    int fd;
    struct timespec since; /* CLOCK_MONOTONIC: the current request began */
    bool cut;
    struct conn *prev, *next;
};

struct steward_server {
    struct MHD_Daemon *daemon;
    const struct steward *s;
    uint16_t port;
    unsigned deadline; /* seconds */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping, reaper_running;
    pthread_t reaper;
    struct conn *conns; /* under lock */
    uint64_t cuts;      /* under lock */
};

static struct timespec mono_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t;
}

/* MHD_OPTION_NOTIFY_CONNECTION: connections enter and leave the deadline registry. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct steward_server *srv = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct conn *e = ci ? calloc(1, sizeof(*e)) : NULL;
        if (!e) return; /* out of memory: this connection has only the inactivity timeout */
        e->fd = ci->connect_fd;
        e->since = mono_now();
        pthread_mutex_lock(&srv->lock);
        e->next = srv->conns;
        if (srv->conns) srv->conns->prev = e;
        srv->conns = e;
        pthread_mutex_unlock(&srv->lock);
        *socket_context = e;
        return;
    }
    struct conn *e = *socket_context;
    if (!e) return;
    pthread_mutex_lock(&srv->lock);
    if (e->prev) e->prev->next = e->next;
    if (e->next) e->next->prev = e->prev;
    if (srv->conns == e) srv->conns = e->next;
    pthread_mutex_unlock(&srv->lock);
    free(e);
    *socket_context = NULL;
}

/* A request completed: the next one on this connection starts its own deadline. */
static void deadline_restart(struct steward_server *srv, struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct conn *e = ci ? ci->socket_context : NULL;
    if (!e) return;
    pthread_mutex_lock(&srv->lock);
    e->since = mono_now();
    pthread_mutex_unlock(&srv->lock);
}

static void *reaper(void *arg)
{
    struct steward_server *srv = arg;
    pthread_mutex_lock(&srv->lock);
    while (!srv->stopping) {
        struct timespec until = mono_now();
        until.tv_nsec += REAP_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        (void)pthread_cond_timedwait(&srv->wake, &srv->lock, &until);
        struct timespec now = mono_now();
        unsigned cut = 0;
        for (struct conn *e = srv->conns; e && !srv->stopping; e = e->next) {
            if (e->cut || now.tv_sec - e->since.tv_sec < (time_t)srv->deadline) continue;
            (void)shutdown(e->fd, SHUT_RDWR);
            e->cut = true;
            cut++;
        }
        srv->cuts += cut;
        if (cut)
            log_warn("cut %u connection%s past the %u s request deadline", cut, cut > 1 ? "s" : "",
                     srv->deadline);
    }
    pthread_mutex_unlock(&srv->lock);
    return NULL;
}

/* One POST's body, bounded by STEWARD_MAX_CSR_SIZE. */
struct request {
    uint8_t *body;
    size_t size, cap;
    size_t discarded;
    bool too_large;
};

static const char g_oom[] = "{\"error\":\"internal\",\"reason\":\"out of memory\"}\n";

static enum MHD_Result send_static_500(struct MHD_Connection *c)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(sizeof(g_oom) - 1, (void *)g_oom, MHD_RESPMEM_PERSISTENT);
    if (!resp) return MHD_NO;
    enum MHD_Result ret = MHD_queue_response(c, 500, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Queues reply (its body is handed to libmicrohttpd, which frees it). */
static enum MHD_Result send_reply(struct MHD_Connection *c, int rc, struct steward_reply *r)
{
    if (rc < 0) return send_static_500(c);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->body_size, r->body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        steward_reply_free(r);
        return send_static_500(c);
    }
    r->body = NULL;
    if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type) != MHD_YES ||
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store") != MHD_YES) {
        MHD_destroy_response(resp);
        return send_static_500(c);
    }
    if (r->status == 405)
        (void)MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD, POST");
    enum MHD_Result ret = MHD_queue_response(c, r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *kind,
                                  const char *reason)
{
    struct steward_reply r;
    int rc = steward_reply_error(&r, status, kind, reason, NULL);
    return send_reply(c, rc, &r);
}

static void peer_name(struct MHD_Connection *c, char *out, size_t size)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char host[INET6_ADDRSTRLEN] = "?", port[8] = "?";
    if (ci && ci->client_addr) {
        socklen_t len = ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                               : sizeof(struct sockaddr_in);
        (void)getnameinfo(ci->client_addr, len, host, sizeof(host), port, sizeof(port),
                          NI_NUMERICHOST | NI_NUMERICSERV);
    }
    snprintf(out, size, "%s port %s", host, port);
}

/* "application/pkcs10", any case, optionally followed by parameters. */
static bool is_pkcs10(const char *ct)
{
    static const char want[] = "application/pkcs10";
    if (!ct || strncasecmp(ct, want, sizeof(want) - 1) != 0) return false;
    char next = ct[sizeof(want) - 1];
    return next == '\0' || next == ';' || next == ' ' || next == '\t';
}

/* Counts the Content-Length and Transfer-Encoding headers and notes conflicting lengths. */
struct length_headers {
    unsigned lengths, encodings;
    bool bad;
    const char *first;
};

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    struct length_headers *h = cls;
    if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) h->encodings++;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) != 0) return MHD_YES;
    if (!value || !value[0] || strspn(value, "0123456789") != strlen(value)) h->bad = true;
    if (h->lengths++ == 0) h->first = value;
    return MHD_YES;
}

/*
 * A request whose length is ambiguous is refused: several Content-Length headers (a proxy in
 * front may frame the body by another one than we do: request smuggling), a Content-Length that
 * is not a plain number, or one beside Transfer-Encoding.
 */
static bool length_ambiguous(struct MHD_Connection *c)
{
    struct length_headers h = {0};
    (void)MHD_get_connection_values(c, MHD_HEADER_KIND, count_header, &h);
    return h.bad || h.lengths > 1 || (h.lengths && h.encodings);
}

/* The first call of a request: everything decided from the headers alone. */
static enum MHD_Result on_headers(struct steward_server *srv, struct MHD_Connection *c,
                                  const char *url, const char *method, void **state)
{
    if (strcmp(url, "/") != 0) return send_error(c, 404, "not-found", "the Steward serves only /");
    if (!strcmp(method, MHD_HTTP_METHOD_GET) || !strcmp(method, MHD_HTTP_METHOD_HEAD)) {
        struct steward_reply r;
        int rc = steward_reply_health(srv->s, &r);
        return send_reply(c, rc, &r);
    }
    if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
        return send_error(c, 405, "method-not-allowed", "use POST with a CSR, or GET");
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    if (!is_pkcs10(ct))
        return send_error(c, 415, "unsupported-media-type",
                          "POST a DER CSR with Content-Type: application/pkcs10");
    if (length_ambiguous(c))
        return send_error(c, 400, "malformed",
                          "several or bad Content-Length headers, or one beside "
                          "Transfer-Encoding: the body's length is ambiguous");
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    unsigned long long length = cl ? strtoull(cl, NULL, 10) : 0;
    if (length > STEWARD_MAX_CSR_SIZE)
        return send_error(c, 413, "too-large", "the CSR is larger than 65536 bytes");
    struct request *req = calloc(1, sizeof(*req));
    if (!req) return send_static_500(c);
    req->cap = length ? (size_t)length : 4096;
    req->body = malloc(req->cap);
    if (!req->body) {
        free(req);
        return send_static_500(c);
    }
    *state = req;
    return MHD_YES;
}

static enum MHD_Result on_body(struct request *req, const char *data, size_t *data_size)
{
    size_t n = *data_size;
    *data_size = 0;
    if (req->too_large) {
        req->discarded += n;
        return req->discarded > DISCARD_MAX ? MHD_NO : MHD_YES;
    }
    if (n > STEWARD_MAX_CSR_SIZE - req->size) {
        req->too_large = true;
        free(req->body);
        req->body = NULL;
        return MHD_YES;
    }
    if (req->size + n > req->cap) {
        size_t cap = req->cap * 2 > req->size + n ? req->cap * 2 : req->size + n;
        if (cap > STEWARD_MAX_CSR_SIZE) cap = STEWARD_MAX_CSR_SIZE;
        uint8_t *p = realloc(req->body, cap);
        if (!p) return MHD_NO;
        req->body = p;
        req->cap = cap;
    }
    memcpy(req->body + req->size, data, n);
    req->size += n;
    return MHD_YES;
}

static enum MHD_Result on_complete(struct steward_server *srv, struct MHD_Connection *c,
                                   struct request *req)
{
    char peer[96];
    peer_name(c, peer, sizeof(peer));
    if (req->too_large) {
        log_warn("%s: refused (413 too-large): body over %u bytes", peer, STEWARD_MAX_CSR_SIZE);
        return send_error(c, 413, "too-large", "the CSR is larger than 65536 bytes");
    }
    struct steward_reply r;
    int rc = steward_handle_csr(srv->s, req->body, req->size, peer, &r);
    return send_reply(c, rc, &r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *data_size, void **state)
{
    (void)version;
    struct steward_server *srv = cls;
    struct request *req = *state;
    if (!req) return on_headers(srv, c, url, method, state);
    if (*data_size) return on_body(req, data, data_size);
    return on_complete(srv, c, req);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode code)
{
    (void)code;
    deadline_restart(cls, c);
    struct request *req = *state;
    if (req) {
        free(req->body);
        free(req);
        *state = NULL;
    }
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_warn("libmicrohttpd: %s", msg);
}

static unsigned pool_size(unsigned threads)
{
    if (threads) return threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 && n < 256 ? (unsigned)n : 4;
}

static struct MHD_Daemon *start(struct steward_server *srv, const struct steward_listen *l,
                                const struct steward_limits *lim, const struct sockaddr_storage *ss,
                                bool v6)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
    bool any6 = v6 && IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)ss)->sin6_addr);
    if (v6) flags |= any6 ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
    if (l->tls_cert_pem) flags |= MHD_USE_TLS;
    struct MHD_OptionItem tls[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)l->tls_cert_pem},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)l->tls_key_pem},
        {MHD_OPTION_END, 0, NULL},
    };
    return MHD_start_daemon(
        flags, l->port, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, ss, MHD_OPTION_THREAD_POOL_SIZE, pool_size(l->threads),
        MHD_OPTION_CONNECTION_TIMEOUT, l->timeout ? l->timeout : STEWARD_DEFAULT_TIMEOUT,
        MHD_OPTION_CONNECTION_LIMIT, l->max_conns ? l->max_conns : DEFAULT_MAX_CONNS,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, lim->per_ip ? lim->per_ip : STEWARD_DEFAULT_PER_IP,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        srv, MHD_OPTION_ARRAY, l->tls_cert_pem ? tls : tls + 2, MHD_OPTION_END);
}

static void server_free(struct steward_server *srv)
{
    if (srv->reaper_running) {
        pthread_mutex_lock(&srv->lock);
        srv->stopping = true;
        pthread_cond_signal(&srv->wake);
        pthread_mutex_unlock(&srv->lock);
        pthread_join(srv->reaper, NULL);
    }
    if (srv->daemon) MHD_stop_daemon(srv->daemon);
    while (srv->conns) { /* none should be left: CLOSED was sent for each */
        struct conn *e = srv->conns;
        srv->conns = e->next;
        free(e);
    }
    pthread_cond_destroy(&srv->wake);
    pthread_mutex_destroy(&srv->lock);
    free(srv);
}

static int server_init(struct steward_server *srv)
{
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0) return -ENOMEM;
    int rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc == 0) rc = pthread_cond_init(&srv->wake, &attr);
    pthread_condattr_destroy(&attr);
    if (rc != 0) return -ENOMEM;
    if (pthread_mutex_init(&srv->lock, NULL) != 0) {
        pthread_cond_destroy(&srv->wake);
        return -ENOMEM;
    }
    return 0;
}

int steward_server_start(const struct steward *s, const struct steward_listen *l,
                         struct steward_server **out)
{
    return steward_server_start_limits(s, l, NULL, out);
}

int steward_server_start_limits(const struct steward *s, const struct steward_listen *l,
                                const struct steward_limits *limits, struct steward_server **out)
{
    static const struct steward_limits defaults = {0};
    const struct steward_limits *lim = limits ? limits : &defaults;
    struct sockaddr_storage ss;
    socklen_t sslen;
    if (util_sockaddr_parse(l->addr ? l->addr : "::", l->port, &ss, &sslen) < 0) return -EINVAL;
    bool v6 = ss.ss_family == AF_INET6;
    if (l->tls_cert_pem &&
        (!l->tls_key_pem || MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES))
        return -EINVAL;
    struct steward_server *srv = calloc(1, sizeof(*srv));
    if (!srv) return -ENOMEM;
    if (server_init(srv) < 0) {
        free(srv);
        return -ENOMEM;
    }
    srv->s = s;
    srv->deadline = lim->deadline ? lim->deadline : STEWARD_DEFAULT_DEADLINE;
    errno = 0;
    srv->daemon = start(srv, l, lim, &ss, v6);
    if (!srv->daemon) {
        int e = errno == EADDRINUSE ? -EADDRINUSE : -EIO;
        server_free(srv);
        return e;
    }
    if (pthread_create(&srv->reaper, NULL, reaper, srv) != 0) {
        server_free(srv);
        return -ENOMEM;
    }
    srv->reaper_running = true;
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : l->port;
    *out = srv;
    return 0;
}

uint16_t steward_server_port(const struct steward_server *srv)
{
    return srv->port;
}

uint64_t steward_server_deadline_cuts(const struct steward_server *srv)
{
    struct steward_server *m = (struct steward_server *)srv; /* the lock only */
    pthread_mutex_lock(&m->lock);
    uint64_t n = m->cuts;
    pthread_mutex_unlock(&m->lock);
    return n;
}

void steward_server_stop(struct steward_server *srv)
{
    if (!srv) return;
    server_free(srv);
}
