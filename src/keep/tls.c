/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tls.c - TLS for `prot = "tls"` files: the Keep terminates TLS itself (OpenSSL 3, TLS 1.3
 * only), and the workload sees an ordinary socket fd that carries plain bytes. Each TLS socket
 * is a struct wasi_stream_ops (wasi.h), so WASI serves it like any other socket.
 *
 * Identity. A P-256 key is generated inside the Keep; until the Steward certifies it, a
 * self-signed certificate names it (as Enarx did). keep_tls_identity_set_chain() swaps in a
 * Steward-issued chain for the same key later. SSL_CTXs copy what they need from the identity
 * (references), so an identity may be freed once its listeners and connections exist.
 *
 * I/O model. Every socket is non-blocking at the host level, always; "blocking" streams are
 * built on top with poll(). That lets one code path serve both modes, bound the handshake by a
 * deadline (a silent or slow client can never hang accept beyond it), and map OpenSSL's
 * WANT_READ / WANT_WRITE to -EAGAIN in non-blocking mode. Bytes go through a small BIO of our
 * own that uses send(MSG_NOSIGNAL) / recv, so a peer that hangs up cannot kill the Keep with
 * SIGPIPE, whatever the process's signal dispositions are.
 *
 * Non-blocking writes. After SSL_write_ex() reports WANT_WRITE, OpenSSL has committed to the
 * record it was building and insists on a retry with the same bytes; a workload that got
 * -EAGAIN may instead retry with different ones. So a write that hits WANT_WRITE copies its
 * bytes (at most one record, TLS_RECORD_MAX) into the connection's stash and reports them as
 * written, as a kernel socket buffer would; every later read, write, shutdown and close first
 * pushes the stash out, and a write returns -EAGAIN while it cannot. Cost: 16 KiB per
 * connection, and one stashed record may wait for the workload's next call on the fd.
 *
 * Accept. A listening stream accepts one TCP connection and completes the handshake before it
 * returns a connection, within the handshake timeout. A failed or timed-out handshake is logged
 * and the connection dropped; a blocking accept then waits for the next connection, and a
 * non-blocking one returns -EAGAIN, so a bad client can never make the workload's accept fail.
 * A non-blocking accept with a connection pending still runs that connection's handshake to its
 * end (bounded by the timeout): handshakes are not interleaved.
 *
 * Errors. A connection that failed (reset, bad record, a peer that closed TCP without
 * close_notify: a possible truncation attack) remembers its negative errno in `fatal` and
 * returns it from then on; close_notify is never sent on a failed connection.
 */
#include "keep.h"

#include "util/util.h"
#include "wasi/wasi.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* The largest TLS record payload: one non-blocking write moves at most this much. */
#define TLS_RECORD_MAX 16384
/* How long close and shutdown wait for the stash and close_notify to leave, in ms. */
#define TLS_LINGER_MS 1000
#define TLS_NAME_MAX 64
#define TLS_HOST_MAX 253

struct keep_tls_identity {
    EVP_PKEY *key;
    X509 *leaf;
    struct stack_st_X509 *chain; /* STACK_OF(X509): the leaf's issuers; may be NULL */
};

struct tls_conn {
    int fd;
    int sock_err; /* errno of the BIO's last failed send/recv, for SSL_ERROR_SYSCALL */
    SSL *ssl;
    bool nonblock;
    bool rd_eof;  /* close_notify received */
    bool rd_shut; /* the workload shut down reading */
    bool wr_shut; /* close_notify sent (or attempted) */
    int fatal;    /* negative errno once the connection is unusable, else 0 */
    size_t stash_size;
    uint8_t stash[TLS_RECORD_MAX];
};

struct tls_listener {
    int fd;
    SSL_CTX *ctx;
    int timeout_ms;
    bool nonblock;
};

/* ---- small helpers ---------------------------------------------------------------------- */

/* Waits until fd is ready for events, at most timeout_ms (-1: forever). Returns 1 when it is
 * (or a signal interrupted the wait: the caller retries its operation), 0 on timeout, or a
 * negative errno. */
static int wait_fd(int fd, short events, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = events};
    int r = poll(&p, 1, timeout_ms);
    if (r < 0) return errno == EINTR ? 1 : -errno;
    return r > 0;
}

/* Milliseconds left until deadline, at least 0, at most INT_MAX. */
static int ms_left(int64_t deadline)
{
    int64_t left = deadline - util_now_ms();
    if (left < 0) return 0;
    return left > INT_MAX ? INT_MAX : (int)left;
}

/* Logs and clears OpenSSL's error queue. */
static void log_ssl_errors(const char *what)
{
    unsigned long e;
    bool any = false;
    while ((e = ERR_get_error()) != 0) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        log_warn("TLS: %s: %s", what, buf);
        any = true;
    }
    if (!any) log_warn("TLS: %s", what);
}

/* "[addr]:port" of the peer of fd, for messages. */
static void peer_name(int fd, char *out, size_t size)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char ip[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
        if (ss.ss_family == AF_INET6) {
            const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
            port = ntohs(a->sin6_port);
        } else if (ss.ss_family == AF_INET) {
            const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
            port = ntohs(a->sin_port);
        }
    }
    snprintf(out, size, "[%s]:%u", ip, port);
}

/* ---- the socket BIO: send(MSG_NOSIGNAL) and recv on a non-blocking fd ----------------- */

static BIO_METHOD *g_sock_method;
static CRYPTO_ONCE g_sock_once = CRYPTO_ONCE_STATIC_INIT;

static int sbio_write(BIO *b, const char *buf, int len)
{
    struct tls_conn *c = BIO_get_data(b);
    ssize_t r;
    BIO_clear_retry_flags(b);
    do
        r = send(c->fd, buf, (size_t)len, MSG_NOSIGNAL);
    while (r < 0 && errno == EINTR);
    if (r >= 0) return (int)r;
    c->sock_err = errno;
    if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_write(b);
    return -1;
}

static int sbio_read(BIO *b, char *buf, int len)
{
    struct tls_conn *c = BIO_get_data(b);
    ssize_t r;
    BIO_clear_retry_flags(b);
    do
        r = recv(c->fd, buf, (size_t)len, 0);
    while (r < 0 && errno == EINTR);
    if (r >= 0) return (int)r;
    c->sock_err = errno;
    if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_read(b);
    return -1;
}

static long sbio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)b, (void)num, (void)ptr;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int sbio_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

static void sock_method_init(void)
{
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "keep-socket");
    if (!m) return;
    if (!BIO_meth_set_write(m, sbio_write) || !BIO_meth_set_read(m, sbio_read) ||
        !BIO_meth_set_ctrl(m, sbio_ctrl) || !BIO_meth_set_create(m, sbio_create)) {
        BIO_meth_free(m);
        return;
    }
    g_sock_method = m;
}

static BIO_METHOD *sock_method(void)
{
    if (!CRYPTO_THREAD_run_once(&g_sock_once, sock_method_init)) return NULL;
    return g_sock_method;
}

/* ---- identity --------------------------------------------------------------------------- */

/* 1..TLS_NAME_MAX bytes of letters, digits, '-', '.', ':' (IPv6), '*' not allowed: no
 * wildcard, and no ',' that would split the subjectAltName. */
static bool name_is_valid(const char *name)
{
    size_t n = name ? strnlen(name, TLS_NAME_MAX + 1) : 0;
    if (n == 0 || n > TLS_NAME_MAX || name[0] == '.' || name[0] == '-') return false;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == ':';
        if (!ok) return false;
    }
    return true;
}

static bool is_ip_literal(const char *s)
{
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static int add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, v3, nid, value);
    if (!ext) return -EIO;
    int ok = X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : -EIO;
}

static int cert_set_serial(X509 *x)
{
    unsigned char rnd[16];
    if (RAND_bytes(rnd, sizeof rnd) != 1) return -EIO;
    rnd[0] = (unsigned char)((rnd[0] & 0x7f) | 0x40); /* positive, 16 bytes long */
    BIGNUM *bn = BN_bin2bn(rnd, sizeof rnd, NULL);
    int ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    BN_free(bn);
    return ok ? 0 : -EIO;
}

static int cert_add_extensions(X509 *x, const char *name)
{
    char san[TLS_NAME_MAX + 8];
    snprintf(san, sizeof san, "%s:%s", is_ip_literal(name) ? "IP" : "DNS", name);
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    if (add_ext(x, &v3, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
        add_ext(x, &v3, NID_key_usage, "critical,digitalSignature") < 0 ||
        add_ext(x, &v3, NID_ext_key_usage, "serverAuth,clientAuth") < 0 ||
        add_ext(x, &v3, NID_subject_key_identifier, "hash") < 0 ||
        add_ext(x, &v3, NID_subject_alt_name, san) < 0)
        return -EIO;
    return 0;
}

/* SHA-384 for EC keys over larger curves than P-256 (P-384 for SEV-SNP), else SHA-256. */
static const EVP_MD *cert_digest(const EVP_PKEY *key)
{
    return EVP_PKEY_is_a(key, "EC") && EVP_PKEY_get_bits(key) > 256 ? EVP_sha384() : EVP_sha256();
}

/* A self-signed certificate for key, named name. */
static X509 *self_signed_cert(EVP_PKEY *key, const char *name)
{
    X509 *x = X509_new();
    if (!x) return NULL;
    X509_NAME *subject = X509_get_subject_name(x);
    if (!X509_set_version(x, X509_VERSION_3) || cert_set_serial(x) < 0 ||
        !X509_gmtime_adj(X509_getm_notBefore(x), -60) ||
        !X509_gmtime_adj(X509_getm_notAfter(x), KEEP_TLS_SELF_SIGNED_VALIDITY_S) ||
        !X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, (const unsigned char *)name, -1,
                                    -1, 0) ||
        !X509_set_issuer_name(x, subject) || !X509_set_pubkey(x, key) ||
        cert_add_extensions(x, name) < 0 || X509_sign(x, key, cert_digest(key)) <= 0) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* An identity of key (one reference, taken over, released on failure) with a self-signed
 * certificate named name. */
static int identity_make(EVP_PKEY *key, const char *name, struct keep_tls_identity **out)
{
    struct keep_tls_identity *id = calloc(1, sizeof *id);
    if (!id) {
        EVP_PKEY_free(key);
        return -ENOMEM;
    }
    id->key = key;
    id->leaf = self_signed_cert(key, name);
    if (!id->leaf) {
        log_ssl_errors("cannot make a self-signed identity");
        keep_tls_identity_free(id);
        return -EIO;
    }
    *out = id;
    return 0;
}

int keep_tls_identity_self_signed(const char *name, struct keep_tls_identity **out)
{
    *out = NULL;
    if (!name_is_valid(name)) return -EINVAL;
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!key) {
        log_ssl_errors("cannot make a P-256 key");
        return -EIO;
    }
    return identity_make(key, name, out);
}

int keep_tls_identity_from_key(struct evp_pkey_st *key, const char *name,
                               struct keep_tls_identity **out)
{
    *out = NULL;
    if (!key || !name_is_valid(name)) return -EINVAL;
    if (!EVP_PKEY_up_ref(key)) return -EIO;
    return identity_make(key, name, out);
}

/* Parses exactly size bytes of DER into a certificate, or NULL. */
static X509 *cert_from_der(const uint8_t *der, size_t size)
{
    if (!der || size == 0 || size > LONG_MAX) return NULL;
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)size);
    if (x && p != der + size) {
        X509_free(x);
        return NULL;
    }
    return x;
}

int keep_tls_identity_set_chain(struct keep_tls_identity *id, const uint8_t *const *der,
                                const size_t *der_size, size_t count)
{
    if (!id || !der || !der_size || count == 0 || count > KEEP_TLS_MAX_CHAIN) return -EINVAL;
    int ret = -EINVAL;
    X509 *leaf = cert_from_der(der[0], der_size[0]);
    STACK_OF(X509) *chain = sk_X509_new_null();
    if (!chain) {
        ret = -ENOMEM;
        goto out;
    }
    if (!leaf || EVP_PKEY_eq(X509_get0_pubkey(leaf), id->key) != 1) goto out;
    for (size_t i = 1; i < count; i++) {
        X509 *x = cert_from_der(der[i], der_size[i]);
        if (!x) goto out;
        if (!sk_X509_push(chain, x)) {
            X509_free(x);
            ret = -ENOMEM;
            goto out;
        }
    }
    X509_free(id->leaf);
    sk_X509_pop_free(id->chain, X509_free);
    id->leaf = leaf;
    id->chain = chain;
    return 0;
out:
    ERR_clear_error();
    X509_free(leaf);
    sk_X509_pop_free(chain, X509_free);
    return ret;
}

struct evp_pkey_st *keep_tls_identity_key(const struct keep_tls_identity *id)
{
    return id ? id->key : NULL;
}

int keep_tls_identity_cert_pem(const struct keep_tls_identity *id, char **pem, size_t *size)
{
    *pem = NULL;
    *size = 0;
    BIO *b = BIO_new(BIO_s_mem());
    if (!b) return -ENOMEM;
    int ret = -EIO;
    bool ok = PEM_write_bio_X509(b, id->leaf) == 1;
    for (int i = 0; ok && i < sk_X509_num(id->chain); i++)
        ok = PEM_write_bio_X509(b, sk_X509_value(id->chain, i)) == 1;
    char *data;
    long n = BIO_get_mem_data(b, &data);
    if (!ok || n <= 0) goto out;
    ret = -ENOMEM;
    *pem = malloc((size_t)n + 1);
    if (!*pem) goto out;
    memcpy(*pem, data, (size_t)n);
    (*pem)[n] = '\0';
    *size = (size_t)n;
    ret = 0;
out:
    BIO_free(b);
    return ret;
}

int keep_tls_identity_fingerprint(const struct keep_tls_identity *id,
                                  char out[KEEP_TLS_FINGERPRINT_SIZE])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    out[0] = '\0';
    if (!X509_digest(id->leaf, EVP_sha256(), md, &n) || n != 32) return -EIO;
    for (unsigned int i = 0; i < n; i++)
        snprintf(out + 3 * i, KEEP_TLS_FINGERPRINT_SIZE - 3 * i, i + 1 < n ? "%02X:" : "%02X",
                 md[i]);
    return 0;
}

void keep_tls_identity_free(struct keep_tls_identity *id)
{
    if (!id) return;
    EVP_PKEY_free(id->key); /* OpenSSL wipes the private key as it frees it */
    X509_free(id->leaf);
    sk_X509_pop_free(id->chain, X509_free);
    free(id);
}

/* ---- SSL_CTX ---------------------------------------------------------------------------- */

static SSL_CTX *ctx_new(const SSL_METHOD *method)
{
    SSL_CTX *ctx = SSL_CTX_new(method);
    if (!ctx) return NULL;
    if (!SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION)) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return ctx;
}

static int ctx_use_identity(SSL_CTX *ctx, const struct keep_tls_identity *id)
{
    if (SSL_CTX_use_certificate(ctx, id->leaf) != 1 || SSL_CTX_use_PrivateKey(ctx, id->key) != 1)
        return -EIO;
    if (id->chain && SSL_CTX_set1_chain(ctx, id->chain) != 1) return -EIO;
    return SSL_CTX_check_private_key(ctx) == 1 ? 0 : -EIO;
}

/* Makes ctx trust every certificate of a PEM bundle (size bytes; -EINVAL when it holds none)
 * and, with names not NULL, collects their subjects (the client CA list a server sends). */
static int ctx_trust_pem(SSL_CTX *ctx, const uint8_t *pem, size_t size,
                         STACK_OF(X509_NAME) * *names)
{
    if (size > INT_MAX) return -EINVAL;
    BIO *b = BIO_new_mem_buf(pem, (int)size);
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    STACK_OF(X509_NAME) *list = names ? sk_X509_NAME_new_null() : NULL;
    int count = 0, ret = b && store && (!names || list) ? 0 : -ENOMEM;
    for (X509 *x; ret == 0 && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL; X509_free(x)) {
        if (X509_STORE_add_cert(store, x) != 1) ret = -EIO;
        X509_NAME *n = list ? X509_NAME_dup(X509_get_subject_name(x)) : NULL;
        if (list && (!n || !sk_X509_NAME_push(list, n))) {
            X509_NAME_free(n);
            ret = -ENOMEM;
        }
        count++;
    }
    ERR_clear_error(); /* the end of the bundle reads as an error */
    BIO_free(b);
    if (ret == 0 && count == 0) {
        log_warn("TLS: the CA bundle holds no certificate");
        ret = -EINVAL;
    }
    if (ret == 0 && names)
        *names = list;
    else
        sk_X509_NAME_pop_free(list, X509_NAME_free);
    return ret;
}

/* Reads the PEM bundle at path (a host path: only outside a jail). */
static int read_pem_file(const char *path, uint8_t **pem, size_t *size)
{
    int ret = util_file_read(path, 16u << 20, pem, size);
    if (ret < 0) log_warn("TLS: cannot read CA bundle %s: %s", path, strerror(-ret));
    return ret;
}

static int server_ctx_new(const struct keep_tls_identity *id, const uint8_t *ca, size_t ca_size,
                          SSL_CTX **out)
{
    SSL_CTX *ctx = ctx_new(TLS_server_method());
    if (!ctx) return -ENOMEM;
    int ret = ctx_use_identity(ctx, id);
    if (ret == 0 && ca) {
        STACK_OF(X509_NAME) *names = NULL;
        ret = ctx_trust_pem(ctx, ca, ca_size, &names);
        if (names) SSL_CTX_set_client_CA_list(ctx, names);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    }
    /* No resumption: nothing in the Keep would keep the ticket key or sessions worth it. */
    if (ret == 0 && SSL_CTX_set_num_tickets(ctx, 0) != 1) ret = -EIO;
    if (ret < 0) {
        if (ret == -EIO) log_ssl_errors("cannot set up the TLS server");
        SSL_CTX_free(ctx);
        return ret;
    }
    *out = ctx;
    return 0;
}

static int client_ctx_new(const uint8_t *ca, size_t ca_size, const struct keep_tls_identity *id,
                          SSL_CTX **out)
{
    SSL_CTX *ctx = ctx_new(TLS_client_method());
    if (!ctx) return -ENOMEM;
    int ret = 0;
    if (ca)
        ret = ctx_trust_pem(ctx, ca, ca_size, NULL);
    else if (SSL_CTX_set_default_verify_paths(ctx) != 1)
        ret = -EIO;
    if (ret == 0 && id) ret = ctx_use_identity(ctx, id);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (ret < 0) {
        if (ret == -EIO) log_ssl_errors("cannot set up the TLS client");
        SSL_CTX_free(ctx);
        return ret;
    }
    *out = ctx;
    return 0;
}

/* ---- connections ------------------------------------------------------------------------ */

/* A connection on fd (owned from here on, closed on failure) with a new SSL from ctx. */
static int conn_new(SSL_CTX *ctx, int fd, struct tls_conn **out)
{
    BIO_METHOD *m = sock_method();
    struct tls_conn *c = calloc(1, sizeof *c);
    BIO *bio = NULL;
    if (!c || !m) goto fail;
    c->fd = fd;
    c->ssl = SSL_new(ctx);
    bio = BIO_new(m);
    if (!c->ssl || !bio) goto fail;
    BIO_set_data(bio, c);
    SSL_set_bio(c->ssl, bio, bio);
    *out = c;
    return 0;
fail:
    ERR_clear_error();
    BIO_free(bio);
    if (c) SSL_free(c->ssl);
    free(c);
    close(fd);
    return -ENOMEM;
}

/*
 * Classifies a failed SSL_* call on c: returns POLLIN or POLLOUT when it should be retried once
 * the socket is ready, 0 for the peer's close_notify, or a negative errno, which also becomes
 * c->fatal.
 */
static int conn_result(struct tls_conn *c, int ret)
{
    int e = SSL_get_error(c->ssl, ret);
    if (e == SSL_ERROR_WANT_READ) return POLLIN;
    if (e == SSL_ERROR_WANT_WRITE) return POLLOUT;
    if (e == SSL_ERROR_ZERO_RETURN) {
        c->rd_eof = true;
        return 0;
    }
    if (e == SSL_ERROR_SYSCALL) {
        c->fatal = c->sock_err ? -c->sock_err : -ECONNRESET;
    } else if (ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        log_info("TLS: the peer closed the connection without close_notify");
        c->fatal = -ECONNRESET;
    } else {
        log_ssl_errors("connection failed");
        c->fatal = -EPROTO;
    }
    ERR_clear_error();
    return c->fatal;
}

/* Why a handshake failed, as a negative errno, logged with the peer's name. */
static int handshake_error(struct tls_conn *c, int e)
{
    char peer[INET6_ADDRSTRLEN + 16];
    peer_name(c->fd, peer, sizeof peer);
    long v = SSL_get_verify_result(c->ssl);
    int reason = ERR_GET_REASON(ERR_peek_error());
    int ret = -ECONNABORTED;
    if (v != X509_V_OK) {
        log_warn("TLS: handshake with %s: certificate not trusted: %s", peer,
                 X509_verify_cert_error_string(v));
        ret = -EACCES;
    } else if (reason == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) {
        log_warn("TLS: handshake with %s: no client certificate", peer);
        ret = -EACCES;
    } else if (e == SSL_ERROR_SYSCALL) {
        log_warn("TLS: handshake with %s: %s", peer,
                 c->sock_err ? strerror(c->sock_err) : "connection closed");
        ret = c->sock_err ? -c->sock_err : -ECONNRESET;
    } else {
        char what[INET6_ADDRSTRLEN + 64];
        snprintf(what, sizeof what, "handshake with %s failed", peer);
        log_ssl_errors(what);
    }
    ERR_clear_error();
    return ret;
}

/* Runs the handshake (server or client side) to its end, at most until deadline. */
static int conn_handshake(struct tls_conn *c, bool server, int64_t deadline)
{
    for (;;) {
        ERR_clear_error();
        c->sock_err = 0;
        int ret = server ? SSL_accept(c->ssl) : SSL_connect(c->ssl);
        if (ret == 1) return 0;
        int e = SSL_get_error(c->ssl, ret);
        short ev = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
        if (!ev) return handshake_error(c, e);
        int left = ms_left(deadline);
        int w = left > 0 ? wait_fd(c->fd, ev, left) : 0;
        if (w < 0) return w;
        if (w == 0) {
            char peer[INET6_ADDRSTRLEN + 16];
            peer_name(c->fd, peer, sizeof peer);
            log_warn("TLS: handshake with %s timed out", peer);
            return -ETIMEDOUT;
        }
    }
}

/*
 * Sends the stash. timeout_ms: 0 tries once without waiting, -1 waits as long as it takes.
 * Returns 0 once the stash is empty, -EAGAIN when it could not be emptied in time, or the
 * connection's fatal errno.
 */
static int stash_flush(struct tls_conn *c, int timeout_ms)
{
    int64_t deadline = util_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    while (c->stash_size > 0) {
        size_t done = 0;
        ERR_clear_error();
        c->sock_err = 0;
        if (SSL_write_ex(c->ssl, c->stash, c->stash_size, &done) == 1) {
            memmove(c->stash, c->stash + done, c->stash_size - done);
            c->stash_size -= done;
            continue;
        }
        int ev = conn_result(c, 0);
        if (ev <= 0) return ev < 0 ? ev : -EPIPE;
        if (timeout_ms == 0) return -EAGAIN;
        int w = wait_fd(c->fd, (short)ev, timeout_ms < 0 ? -1 : ms_left(deadline));
        if (w < 0) return w;
        if (w == 0) return -EAGAIN;
    }
    return 0;
}

static ssize_t conn_read(void *priv, void *buf, size_t size)
{
    struct tls_conn *c = priv;
    if (c->rd_shut || c->rd_eof) return 0;
    if (c->fatal) return c->fatal;
    if (size == 0) return 0;
    if (size > INT_MAX) size = INT_MAX;
    /* the peer may be waiting for the stash before it answers; -EAGAIN is fine here */
    if (stash_flush(c, 0) < 0 && c->fatal) return c->fatal;
    for (;;) {
        size_t got = 0;
        ERR_clear_error();
        c->sock_err = 0;
        int ret = SSL_read_ex(c->ssl, buf, size, &got);
        if (ret == 1) return (ssize_t)got;
        int ev = conn_result(c, ret);
        if (ev <= 0) return ev;
        if (c->nonblock) return -EAGAIN;
        int w = wait_fd(c->fd, (short)ev, -1);
        if (w < 0) return w;
    }
}

/* Blocking write: everything, unless the connection fails (then what went, or the error). */
static ssize_t write_block(struct tls_conn *c, const uint8_t *buf, size_t size)
{
    size_t total = 0;
    while (total < size) {
        size_t chunk = size - total < INT_MAX ? size - total : INT_MAX;
        size_t done = 0;
        ERR_clear_error();
        c->sock_err = 0;
        if (SSL_write_ex(c->ssl, buf + total, chunk, &done) == 1) {
            total += done;
            continue;
        }
        int ev = conn_result(c, 0);
        int w = ev > 0 ? wait_fd(c->fd, (short)ev, -1) : (ev < 0 ? ev : -EPIPE);
        if (w < 0) return total ? (ssize_t)total : w;
    }
    return (ssize_t)total;
}

/* Non-blocking write of at most one record; see "Non-blocking writes" at the top. */
static ssize_t write_nonblock(struct tls_conn *c, const uint8_t *buf, size_t size)
{
    size_t n = size < sizeof c->stash ? size : sizeof c->stash;
    size_t done = 0;
    ERR_clear_error();
    c->sock_err = 0;
    if (SSL_write_ex(c->ssl, buf, n, &done) == 1) return (ssize_t)done;
    int ev = conn_result(c, 0);
    if (ev <= 0) return ev < 0 ? ev : -EPIPE;
    memcpy(c->stash, buf, n);
    c->stash_size = n;
    return (ssize_t)n;
}

static ssize_t conn_write(void *priv, const void *buf, size_t size)
{
    struct tls_conn *c = priv;
    if (c->fatal) return c->fatal;
    if (c->wr_shut) return -EPIPE;
    if (size == 0) return 0;
    int r = stash_flush(c, c->nonblock ? 0 : -1);
    if (r < 0) return r;
    return c->nonblock ? write_nonblock(c, buf, size) : write_block(c, buf, size);
}

/* Sends what is stashed and close_notify, waiting at most TLS_LINGER_MS, then ends the TCP
 * stream's sending side. Best effort: the connection is going away either way. */
static void send_close_notify(struct tls_conn *c)
{
    c->wr_shut = true;
    if (c->fatal || !SSL_is_init_finished(c->ssl)) return;
    int64_t deadline = util_now_ms() + TLS_LINGER_MS;
    if (stash_flush(c, TLS_LINGER_MS) == 0) {
        for (;;) {
            ERR_clear_error();
            c->sock_err = 0;
            int ret = SSL_shutdown(c->ssl);
            if (ret >= 0) break;
            int e = SSL_get_error(c->ssl, ret);
            short ev = e == SSL_ERROR_WANT_WRITE ? POLLOUT : e == SSL_ERROR_WANT_READ ? POLLIN : 0;
            int left = ms_left(deadline);
            if (!ev || left == 0 || wait_fd(c->fd, ev, left) <= 0) break;
        }
    }
    ERR_clear_error();
    shutdown(c->fd, SHUT_WR);
}

static int conn_shutdown(void *priv, int how)
{
    struct tls_conn *c = priv;
    if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR) return -EINVAL;
    if (how != SHUT_WR) c->rd_shut = true;
    if (how != SHUT_RD && !c->wr_shut) send_close_notify(c);
    return 0;
}

static void conn_close(void *priv)
{
    struct tls_conn *c = priv;
    if (!c) return;
    if (!c->wr_shut) send_close_notify(c);
    SSL_free(c->ssl);
    close(c->fd);
    OPENSSL_cleanse(c->stash, sizeof c->stash);
    free(c);
}

static int conn_poll_fd(void *priv)
{
    return ((struct tls_conn *)priv)->fd;
}

/* A read would return at once: decrypted bytes are buffered, or it would report end of
 * stream or an error. */
static bool conn_pending(void *priv)
{
    struct tls_conn *c = priv;
    return c->rd_eof || c->rd_shut || c->fatal || SSL_pending(c->ssl) > 0;
}

static int conn_set_nonblock(void *priv, bool nonblock)
{
    ((struct tls_conn *)priv)->nonblock = nonblock;
    return 0;
}

static const struct wasi_stream_ops conn_ops = {
    .read = conn_read,
    .write = conn_write,
    .shutdown = conn_shutdown,
    .close = conn_close,
    .poll_fd = conn_poll_fd,
    .pending = conn_pending,
    .set_nonblock = conn_set_nonblock,
    .accept = NULL,
};

/* ---- listening streams ------------------------------------------------------------------ */

/* One TCP connection from l (non-blocking, close-on-exec), or -EAGAIN (non-blocking and none
 * pending), or a negative errno. */
static int accept_tcp(struct tls_listener *l)
{
    for (;;) {
        int s = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (s >= 0) return s;
        int e = errno;
        if (e == EINTR || e == ECONNABORTED) continue;
        if (e != EAGAIN && e != EWOULDBLOCK) return -e;
        if (l->nonblock) return -EAGAIN;
        int w = wait_fd(l->fd, POLLIN, -1);
        if (w < 0) return w;
    }
}

static int listener_accept(void *priv, bool nonblock, const struct wasi_stream_ops **ops_out,
                           void **priv_out)
{
    struct tls_listener *l = priv;
    for (;;) {
        int s = accept_tcp(l);
        if (s < 0) return s;
        struct tls_conn *c;
        int ret = conn_new(l->ctx, s, &c);
        if (ret < 0) return ret;
        ret = conn_handshake(c, true, util_now_ms() + l->timeout_ms);
        if (ret == 0) {
            c->nonblock = nonblock;
            *ops_out = &conn_ops;
            *priv_out = c;
            return 0;
        }
        c->fatal = ret;
        conn_close(c);
        if (l->nonblock) return -EAGAIN;
    }
}

static ssize_t listener_read(void *priv, void *buf, size_t size)
{
    (void)priv, (void)buf, (void)size;
    return -ENOTCONN;
}

static ssize_t listener_write(void *priv, const void *buf, size_t size)
{
    (void)priv, (void)buf, (void)size;
    return -ENOTCONN;
}

static int listener_shutdown(void *priv, int how)
{
    (void)priv, (void)how;
    return -ENOTCONN;
}

static void listener_close(void *priv)
{
    struct tls_listener *l = priv;
    if (!l) return;
    SSL_CTX_free(l->ctx);
    close(l->fd);
    free(l);
}

static int listener_poll_fd(void *priv)
{
    return ((struct tls_listener *)priv)->fd;
}

static int listener_set_nonblock(void *priv, bool nonblock)
{
    ((struct tls_listener *)priv)->nonblock = nonblock;
    return 0;
}

static const struct wasi_stream_ops listener_ops = {
    .read = listener_read,
    .write = listener_write,
    .shutdown = listener_shutdown,
    .close = listener_close,
    .poll_fd = listener_poll_fd,
    .pending = NULL,
    .set_nonblock = listener_set_nonblock,
    .accept = listener_accept,
};

int keep_tls_listen(int listen_fd, const struct keep_tls_identity *id, const char *client_ca,
                    int timeout_ms, const struct wasi_stream_ops **ops_out, void **priv_out)
{
    uint8_t *pem = NULL;
    size_t size = 0;
    int ret = client_ca ? read_pem_file(client_ca, &pem, &size) : 0;
    if (ret == 0)
        ret = keep_tls_listen_pem(listen_fd, id, pem, size, timeout_ms, ops_out, priv_out);
    else if (listen_fd >= 0)
        close(listen_fd);
    free(pem);
    return ret;
}

int keep_tls_listen_pem(int listen_fd, const struct keep_tls_identity *id, const uint8_t *ca,
                        size_t ca_size, int timeout_ms, const struct wasi_stream_ops **ops_out,
                        void **priv_out)
{
    struct tls_listener *l = NULL;
    int ret = -EINVAL;
    if (listen_fd < 0 || !id || timeout_ms < 0) goto out;
    ret = util_fd_set_nonblock(listen_fd, true);
    if (ret < 0) goto out;
    ret = -ENOMEM;
    l = calloc(1, sizeof *l);
    if (!l) goto out;
    ret = server_ctx_new(id, ca, ca_size, &l->ctx);
    if (ret < 0) goto out;
    l->fd = listen_fd;
    l->timeout_ms = timeout_ms ? timeout_ms : KEEP_TLS_HANDSHAKE_TIMEOUT_MS;
    *ops_out = &listener_ops;
    *priv_out = l;
    return 0;
out:
    free(l);
    if (listen_fd >= 0) close(listen_fd);
    return ret;
}

int keep_tls_listen_bind(const char *addr, uint16_t port, const struct keep_tls_identity *id,
                         const char *client_ca, int timeout_ms,
                         const struct wasi_stream_ops **ops_out, void **priv_out)
{
    int fd = -1;
    int ret = util_tcp_listen(addr, port, &fd);
    if (ret < 0) {
        log_warn("TLS: cannot listen on %s port %u: %s", addr ? addr : "(null)", port,
                 strerror(-ret));
        return ret;
    }
    return keep_tls_listen(fd, id, client_ca, timeout_ms, ops_out, priv_out);
}

/* ---- connecting ------------------------------------------------------------------------- */

/* Sets SNI and the name the server's certificate must carry. */
static int conn_expect_host(struct tls_conn *c, const char *host)
{
    if (is_ip_literal(host))
        return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), host) == 1 ? 0 : -EIO;
    SSL_set_hostflags(c->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (SSL_set_tlsext_host_name(c->ssl, host) != 1 || SSL_set1_host(c->ssl, host) != 1)
        return -EIO;
    return 0;
}

int keep_tls_connect(const char *host, uint16_t port, const char *ca_file,
                     const struct keep_tls_identity *id, int timeout_ms,
                     const struct wasi_stream_ops **ops_out, void **priv_out)
{
    if (!host || !host[0] || strnlen(host, TLS_HOST_MAX + 1) > TLS_HOST_MAX || port == 0 ||
        timeout_ms < 0)
        return -EINVAL;
    int64_t deadline = util_now_ms() + (timeout_ms ? timeout_ms : KEEP_TLS_HANDSHAKE_TIMEOUT_MS);
    uint8_t *pem = NULL;
    size_t size = 0;
    int fd = -1;
    int ret = ca_file ? read_pem_file(ca_file, &pem, &size) : 0;
    if (ret == 0) ret = util_tcp_connect(host, port, ms_left(deadline), &fd);
    if (ret == 0)
        ret =
            keep_tls_connect_fd(fd, host, pem, size, id, ms_left(deadline) + 1, ops_out, priv_out);
    free(pem);
    return ret;
}

int keep_tls_connect_fd(int fd, const char *host, const uint8_t *ca, size_t ca_size,
                        const struct keep_tls_identity *id, int timeout_ms,
                        const struct wasi_stream_ops **ops_out, void **priv_out)
{
    if (fd < 0 || !host || host[0] == '\0' || strnlen(host, TLS_HOST_MAX + 1) > TLS_HOST_MAX ||
        timeout_ms < 0) {
        if (fd >= 0) close(fd);
        return -EINVAL;
    }
    int64_t deadline = util_now_ms() + (timeout_ms ? timeout_ms : KEEP_TLS_HANDSHAKE_TIMEOUT_MS);
    SSL_CTX *ctx = NULL;
    struct tls_conn *c = NULL;
    int ret = util_fd_set_nonblock(fd, true);
    if (ret == 0) ret = client_ctx_new(ca, ca_size, id, &ctx);
    if (ret < 0) {
        close(fd);
        return ret;
    }
    ret = conn_new(ctx, fd, &c);
    SSL_CTX_free(ctx); /* the SSL holds its own reference */
    if (ret == 0) ret = conn_expect_host(c, host);
    if (ret == 0) ret = conn_handshake(c, false, deadline);
    if (ret < 0) {
        if (c) c->fatal = ret;
        conn_close(c);
        ERR_clear_error();
        return ret;
    }
    *ops_out = &conn_ops;
    *priv_out = c;
    return 0;
}

/* ---- Enarx.toml files ------------------------------------------------------------------- */

int keep_tls_add_fd(struct wasi_ctx *ctx, const struct keep_file *file, int fd, const uint8_t *ca,
                    size_t ca_size, const struct keep_tls_identity *id, uint32_t *fd_out)
{
    const struct wasi_stream_ops *ops;
    void *priv;
    int ret = -EINVAL;
    char fp[KEEP_TLS_FINGERPRINT_SIZE];
    if (!ctx || !file || !id || file->prot != KEEP_PROT_TLS) {
        if (fd >= 0) close(fd);
        return -EINVAL;
    }
    if (file->kind == KEEP_FILE_LISTEN) {
        ret = keep_tls_listen_pem(fd, id, ca, ca_size, 0, &ops, &priv);
        if (ret == 0 && keep_tls_identity_fingerprint(id, fp) == 0)
            log_info("TLS: %s listens on [%s]:%u%s; certificate SHA-256 %s", file->name,
                     file->addr ? file->addr : "::", file->port,
                     ca ? " (client certificates required)" : "", fp);
    } else if (file->kind == KEEP_FILE_CONNECT) {
        ret = keep_tls_connect_fd(fd, file->host, ca, ca_size, id, 0, &ops, &priv);
    } else if (fd >= 0) {
        close(fd);
    }
    if (ret < 0) return ret;
    return wasi_ctx_add_stream(ctx, ops, priv, fd_out);
}

int keep_tls_add_file(struct wasi_ctx *ctx, const struct keep_file *file,
                      const struct keep_tls_identity *id, uint32_t *fd_out)
{
    if (!ctx || !file || !id || file->prot != KEEP_PROT_TLS ||
        (file->kind != KEEP_FILE_LISTEN && file->kind != KEEP_FILE_CONNECT))
        return -EINVAL;
    uint8_t *ca = NULL;
    size_t ca_size = 0;
    int fd = -1, ret = 0;
    if (file->kind == KEEP_FILE_LISTEN) {
        ret = util_tcp_listen(file->addr ? file->addr : "::", file->port, &fd);
        if (ret < 0)
            log_warn("TLS: cannot listen on %s port %u: %s",
                     file->addr ? file->addr : "::", file->port, strerror(-ret));
        if (ret == 0 && file->client_ca) ret = read_pem_file(file->client_ca, &ca, &ca_size);
    } else {
        ret = util_tcp_connect(file->host, file->port, KEEP_TLS_HANDSHAKE_TIMEOUT_MS, &fd);
    }
    if (ret < 0) {
        if (fd >= 0) close(fd);
        return ret;
    }
    ret = keep_tls_add_fd(ctx, file, fd, ca, ca_size, id, fd_out);
    free(ca);
    return ret;
}
