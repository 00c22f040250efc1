/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_tls.c - TLS streams of the Keep (src/keep/tls.c) on real loopback sockets.
 *
 * The peers are real: `openssl s_client` talks to the Keep's listening stream (with and without
 * client certificates, against the right and the wrong CA), `openssl s_server -rev` answers the
 * Keep's connect, and the Keep's own connect talks to its own listener from a second thread for
 * the non-blocking and back-pressure tests. The CA, client and server certificates are made by
 * the openssl command in the group setup, in a temporary directory removed afterwards.
 *
 * Everything is bounded in time: ephemeral ports on 127.0.0.1, a poll() timeout before every
 * accept that could wait, child processes reaped with a deadline (killed after it), and an
 * alarm() per test so that a bug hangs nothing: it fails the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "keep/keep.h"
#include "wasi/wasi.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static char g_dir[64];
static struct keep_tls_identity *g_id;

/* ---- helpers ----------------------------------------------------------------------------- */

static const char *path_of(const char *name)
{
    static char buf[8][128];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, sizeof buf[0], "%s/%s", g_dir, name);
    return p;
}

static long ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Waits for pid at most timeout_ms, then kills it; returns its exit status or -1. */
static int reap(pid_t pid, long timeout_ms)
{
    long end = ms_now() + timeout_ms;
    int st;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        if (r < 0) return -1;
        if (ms_now() > end) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            return -1;
        }
        usleep(5000);
    }
}

/* Starts argv with pipes to its stdin (*in) and from its stdout (*out); stderr is dropped
 * unless TEST_TLS_VERBOSE is set. */
static pid_t spawn(const char *const *argv, int *in, int *out)
{
    int pin[2], pout[2];
    assert_int_equal(pipe2(pin, O_CLOEXEC), 0);
    assert_int_equal(pipe2(pout, O_CLOEXEC), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(pin[0], 0);
        dup2(pout[1], 1);
        if (!getenv("TEST_TLS_VERBOSE")) {
            int null = open("/dev/null", O_WRONLY);
            dup2(null, 2);
        }
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(pin[0]);
    close(pout[1]);
    *in = pin[1];
    *out = pout[0];
    return pid;
}

/* Runs argv to its end (at most 20 s) and returns its exit status. */
static int run(const char *const *argv)
{
    int in, out;
    pid_t pid = spawn(argv, &in, &out);
    close(in);
    char buf[256];
    while (read(out, buf, sizeof buf) > 0)
        ;
    close(out);
    return reap(pid, 20000);
}

/* Reads fd until EOF or timeout_ms; returns the bytes read (NUL-terminated in buf). */
static size_t read_until_eof(int fd, char *buf, size_t size, long timeout_ms)
{
    long end = ms_now() + timeout_ms;
    size_t n = 0;
    while (n + 1 < size) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        long left = end - ms_now();
        if (left <= 0 || poll(&p, 1, (int)left) <= 0) break;
        ssize_t r = read(fd, buf + n, size - 1 - n);
        if (r <= 0) break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    return n;
}

/* A TCP socket listening on 127.0.0.1 at an ephemeral port (*port). */
static int loopback_listener(uint16_t *port)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(s >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s, 16), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return s;
}

static uint16_t fd_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
    if (ss.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

struct stream {
    const struct wasi_stream_ops *ops;
    void *priv;
};

/* A TLS listener on 127.0.0.1 (ephemeral *port) with g_id and client_ca. */
static struct stream tls_listener(const char *client_ca, int timeout_ms, uint16_t *port)
{
    struct stream l;
    int fd = loopback_listener(port);
    assert_int_equal(keep_tls_listen(fd, g_id, client_ca, timeout_ms, &l.ops, &l.priv), 0);
    assert_non_null(l.ops->accept);
    return l;
}

/* Non-blocking accept once the listener is readable (at most 10 s): the accept's result. */
static int accept_ready(struct stream l, bool nonblock, struct stream *conn)
{
    assert_int_equal(l.ops->set_nonblock(l.priv, true), 0);
    struct pollfd p = {.fd = l.ops->poll_fd(l.priv), .events = POLLIN};
    assert_int_equal(poll(&p, 1, 10000), 1);
    return l.ops->accept(l.priv, nonblock, &conn->ops, &conn->priv);
}

/* Reads one line (at most size - 1 bytes) from a blocking stream. */
static size_t stream_read_line(struct stream s, char *buf, size_t size)
{
    size_t n = 0;
    while (n + 1 < size) {
        ssize_t r = s.ops->read(s.priv, buf + n, 1);
        if (r <= 0) break;
        n++;
        if (buf[n - 1] == '\n') break;
    }
    buf[n] = '\0';
    return n;
}

static void stream_write_all(struct stream s, const char *text)
{
    size_t len = strlen(text);
    assert_int_equal(s.ops->write(s.priv, text, len), (ssize_t)len);
}

/* An `openssl s_client` to 127.0.0.1:port, verifying the Keep's certificate against ca_file,
 * with two optional extra arguments (a client certificate and key). */
static pid_t s_client(uint16_t port, const char *ca_file, const char *cert, const char *key,
                      int *in, int *out)
{
    char target[32];
    snprintf(target, sizeof target, "127.0.0.1:%u", port);
    const char *argv[20] = {
        "openssl", "s_client", "-connect",         target,      "-quiet", "-verify_return_error",
        "-CAfile", ca_file,    "-verify_hostname", "localhost", NULL};
    size_t n = 10;
    if (cert) {
        argv[n++] = "-cert";
        argv[n++] = cert;
        argv[n++] = "-key";
        argv[n++] = key;
    }
    argv[n] = NULL;
    return spawn(argv, in, out);
}

/* ---- fixtures ---------------------------------------------------------------------------- */

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fputs(text, f);
    return fclose(f);
}

/* A CA (name.pem, name.key) made by the openssl command. */
static int make_ca(const char *name)
{
    char subj[64], key[32], pem[32];
    snprintf(subj, sizeof subj, "/CN=Test %s", name);
    snprintf(key, sizeof key, "%s.key", name);
    snprintf(pem, sizeof pem, "%s.pem", name);
    const char *argv[] = {"openssl",
                          "req",
                          "-x509",
                          "-newkey",
                          "ec",
                          "-pkeyopt",
                          "ec_paramgen_curve:P-256",
                          "-nodes",
                          "-keyout",
                          path_of(key),
                          "-out",
                          path_of(pem),
                          "-subj",
                          subj,
                          "-days",
                          "1",
                          NULL};
    return run(argv);
}

/* A certificate name.pem (key name.key) issued by ca, with the extensions in ext. */
static int make_cert(const char *name, const char *ca, const char *ext)
{
    char subj[64], key[32], csr[32], pem[32], cap[32], cak[32], extf[32];
    snprintf(subj, sizeof subj, "/CN=%s", name);
    snprintf(key, sizeof key, "%s.key", name);
    snprintf(csr, sizeof csr, "%s.csr", name);
    snprintf(pem, sizeof pem, "%s.pem", name);
    snprintf(cap, sizeof cap, "%s.pem", ca);
    snprintf(cak, sizeof cak, "%s.key", ca);
    snprintf(extf, sizeof extf, "%s.ext", name);
    if (write_file(path_of(extf), ext) != 0) return -1;
    const char *req[] = {
        "openssl", "req",     "-newkey",    "ec",   "-pkeyopt",   "ec_paramgen_curve:P-256",
        "-nodes",  "-keyout", path_of(key), "-out", path_of(csr), "-subj",
        subj,      NULL};
    const char *sign[] = {"openssl", "x509",       "-req",   "-in",        path_of(csr),
                          "-CA",     path_of(cap), "-CAkey", path_of(cak), "-set_serial",
                          "4242",    "-days",      "1",      "-extfile",   path_of(extf),
                          "-out",    path_of(pem), NULL};
    if (run(req) != 0) return -1;
    return run(sign);
}

static int group_setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN); /* the test's own pipes to child processes */
    snprintf(g_dir, sizeof g_dir, "/tmp/enarx-tls-test.XXXXXX");
    if (!mkdtemp(g_dir)) return -1;
    if (keep_tls_identity_self_signed("localhost", &g_id) != 0) return -1;
    char *pem;
    size_t size;
    if (keep_tls_identity_cert_pem(g_id, &pem, &size) != 0) return -1;
    int ret = write_file(path_of("keep.pem"), pem);
    free(pem);
    if (ret != 0 || make_ca("ca") != 0 || make_ca("other") != 0) return -1;
    const char *client = "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n";
    const char *server = "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                         "subjectAltName=DNS:localhost\n";
    if (make_cert("client", "ca", client) != 0 || make_cert("stranger", "other", client) != 0 ||
        make_cert("server", "ca", server) != 0)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    keep_tls_identity_free(g_id);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int test_setup(void **state)
{
    (void)state;
    alarm(60); /* a hang fails the test instead of the whole run */
    return 0;
}

static int test_teardown(void **state)
{
    (void)state;
    alarm(0);
    return 0;
}

/* ---- identity ---------------------------------------------------------------------------- */

static X509 *pem_cert(const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    BIO_free(b);
    return x;
}

static void test_identity_self_signed(void **state)
{
    (void)state;
    char *pem;
    size_t size;
    assert_int_equal(keep_tls_identity_cert_pem(g_id, &pem, &size), 0);
    assert_int_equal(strlen(pem), size);
    X509 *x = pem_cert(pem);
    free(pem);
    assert_non_null(x);
    /* names: CN and a DNS subjectAltName */
    assert_int_equal(X509_check_host(x, "localhost", 0, 0, NULL), 1);
    assert_int_equal(X509_check_host(x, "example.com", 0, 0, NULL), 0);
    char cn[64];
    assert_int_equal(
        X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn), 9);
    assert_string_equal(cn, "localhost");
    /* the key is the identity's, P-256, and it signed the certificate itself */
    EVP_PKEY *key = keep_tls_identity_key(g_id);
    assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(x), key), 1);
    assert_true(EVP_PKEY_is_a(key, "EC"));
    assert_int_equal(EVP_PKEY_get_bits(key), 256);
    assert_int_equal(X509_verify(x, key), 1);
    assert_int_equal(X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, 0), 1);
    assert_int_equal(X509_check_ca(x), 0);
    /* valid now, not for longer than a day and a minute */
    assert_true(X509_cmp_current_time(X509_get0_notBefore(x)) < 0);
    assert_true(X509_cmp_current_time(X509_get0_notAfter(x)) > 0);
    int days, secs;
    assert_int_equal(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x)),
                     1);
    assert_int_equal(days * 86400 + secs, KEEP_TLS_SELF_SIGNED_VALIDITY_S + 60);
    /* the fingerprint is the SHA-256 of the DER, as openssl prints it */
    unsigned char md[32];
    unsigned int n;
    assert_int_equal(X509_digest(x, EVP_sha256(), md, &n), 1);
    char want[KEEP_TLS_FINGERPRINT_SIZE], got[KEEP_TLS_FINGERPRINT_SIZE];
    for (unsigned i = 0; i < 32; i++)
        snprintf(want + 3 * i, sizeof want - 3 * i, i < 31 ? "%02X:" : "%02X", md[i]);
    assert_int_equal(keep_tls_identity_fingerprint(g_id, got), 0);
    assert_string_equal(got, want);
    assert_int_equal(strlen(got), KEEP_TLS_FINGERPRINT_SIZE - 1);
    X509_free(x);
}

static void test_identity_names(void **state)
{
    (void)state;
    struct keep_tls_identity *id = NULL;
    const char *bad[] = {"",
                         "a,DNS:evil.com",
                         "*.example.com",
                         "-x",
                         "a b",
                         "caf\xc3\xa9",
                         "0123456789012345678901234567890123456789012345678901234567890123x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(keep_tls_identity_self_signed(bad[i], &id), -EINVAL);
        assert_null(id);
    }
    assert_int_equal(keep_tls_identity_self_signed(NULL, &id), -EINVAL);
    /* an IP literal becomes an IP subjectAltName */
    assert_int_equal(keep_tls_identity_self_signed("127.0.0.1", &id), 0);
    char *pem;
    size_t size;
    assert_int_equal(keep_tls_identity_cert_pem(id, &pem, &size), 0);
    X509 *x = pem_cert(pem);
    assert_non_null(x);
    assert_int_equal(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
    X509_free(x);
    free(pem);
    keep_tls_identity_free(id);
    keep_tls_identity_free(NULL);
}

static unsigned char *cert_der(const struct keep_tls_identity *id, size_t *size)
{
    char *pem;
    size_t pem_size;
    assert_int_equal(keep_tls_identity_cert_pem(id, &pem, &pem_size), 0);
    X509 *x = pem_cert(pem);
    free(pem);
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    X509_free(x);
    assert_true(n > 0);
    *size = (size_t)n;
    return der;
}

static void test_identity_set_chain(void **state)
{
    (void)state;
    struct keep_tls_identity *a, *b;
    assert_int_equal(keep_tls_identity_self_signed("a.example", &a), 0);
    assert_int_equal(keep_tls_identity_self_signed("b.example", &b), 0);
    size_t a_size, b_size;
    unsigned char *a_der = cert_der(a, &a_size), *b_der = cert_der(b, &b_size);
    const uint8_t *ders[2] = {b_der, a_der};
    size_t sizes[2] = {b_size, a_size};
    /* a leaf for another key, truncated or padded DER, no certificates: refused */
    assert_int_equal(keep_tls_identity_set_chain(a, ders, sizes, 1), -EINVAL);
    size_t cut = a_size - 1;
    assert_int_equal(keep_tls_identity_set_chain(a, (const uint8_t *const *)&a_der, &cut, 1),
                     -EINVAL);
    unsigned char *padded = malloc(a_size + 1);
    memcpy(padded, a_der, a_size);
    padded[a_size] = 0;
    size_t padded_size = a_size + 1;
    assert_int_equal(
        keep_tls_identity_set_chain(a, (const uint8_t *const *)&padded, &padded_size, 1), -EINVAL);
    assert_int_equal(keep_tls_identity_set_chain(a, ders, sizes, 0), -EINVAL);
    size_t still;
    unsigned char *same = cert_der(a, &still);
    assert_true(still == a_size && memcmp(same, a_der, a_size) == 0);
    /* a's own leaf with an issuer after it: accepted, both exported */
    ders[0] = a_der, sizes[0] = a_size;
    ders[1] = b_der, sizes[1] = b_size;
    assert_int_equal(keep_tls_identity_set_chain(a, ders, sizes, 2), 0);
    char *pem;
    size_t pem_size;
    assert_int_equal(keep_tls_identity_cert_pem(a, &pem, &pem_size), 0);
    const char *second = strstr(pem + 1, "-----BEGIN CERTIFICATE-----");
    assert_non_null(second);
    assert_null(strstr(second + 1, "-----BEGIN CERTIFICATE-----"));
    free(pem);
    OPENSSL_free(a_der);
    OPENSSL_free(b_der);
    OPENSSL_free(same);
    free(padded);
    keep_tls_identity_free(a);
    keep_tls_identity_free(b);
}

/* ---- listening, with openssl s_client as the peer ---------------------------------------- */

/* One exchange: the client says a line, the Keep answers one and closes. */
static void echo_exchange_ca(struct stream l, const char *ca, const char *cert, const char *key)
{
    uint16_t port = fd_port(l.ops->poll_fd(l.priv));
    int in, out;
    pid_t pid = s_client(port, ca, cert, key, &in, &out);
    assert_int_equal(write(in, "ping from client\n", 17), 17);
    struct stream c;
    assert_int_equal(accept_ready(l, false, &c), 0);
    char line[64];
    stream_read_line(c, line, sizeof line);
    assert_string_equal(line, "ping from client\n");
    stream_write_all(c, "pong from keep\n");
    c.ops->close(c.priv);
    char buf[256];
    read_until_eof(out, buf, sizeof buf, 10000);
    assert_non_null(strstr(buf, "pong from keep\n"));
    close(in);
    close(out);
    assert_int_equal(reap(pid, 10000), 0);
}

static void echo_exchange(struct stream l, const char *cert, const char *key)
{
    echo_exchange_ca(l, path_of("keep.pem"), cert, key);
}

static void test_listen_s_client(void **state)
{
    (void)state;
    uint16_t port;
    struct stream l = tls_listener(NULL, 5000, &port);
    echo_exchange(l, NULL, NULL);
    echo_exchange(l, NULL, NULL); /* the listener serves more than one */
    l.ops->close(l.priv);
}

/* A client whose handshake must fail: the Keep's accept reports nothing to accept, and the
 * client gets no data. */
static void refused_exchange(struct stream l, const char *ca, const char *cert, const char *key)
{
    uint16_t port = fd_port(l.ops->poll_fd(l.priv));
    int in, out;
    pid_t pid = s_client(port, ca, cert, key, &in, &out);
    assert_int_equal(write(in, "ping from client\n", 17), 17);
    struct stream c = {0};
    assert_int_equal(accept_ready(l, false, &c), -EAGAIN);
    assert_null(c.priv);
    close(in);
    char buf[256];
    read_until_eof(out, buf, sizeof buf, 10000);
    assert_null(strstr(buf, "pong"));
    close(out);
    assert_int_not_equal(reap(pid, 10000), 0);
}

static void test_listen_untrusted_by_client(void **state)
{
    (void)state;
    uint16_t port;
    struct stream l = tls_listener(NULL, 5000, &port);
    refused_exchange(l, path_of("ca.pem"), NULL, NULL);
    echo_exchange(l, NULL, NULL); /* and the listener still works */
    l.ops->close(l.priv);
}

static void test_mtls_client_cert(void **state)
{
    (void)state;
    uint16_t port;
    struct stream l = tls_listener(path_of("ca.pem"), 5000, &port);
    echo_exchange(l, path_of("client.pem"), path_of("client.key"));
    l.ops->close(l.priv);
}

static void test_mtls_refusals(void **state)
{
    (void)state;
    uint16_t port;
    struct stream l = tls_listener(path_of("ca.pem"), 5000, &port);
    /* no certificate, a certificate from another CA, the Keep's own self-signed one */
    refused_exchange(l, path_of("keep.pem"), NULL, NULL);
    refused_exchange(l, path_of("keep.pem"), path_of("stranger.pem"), path_of("stranger.key"));
    refused_exchange(l, path_of("keep.pem"), path_of("server.pem"), path_of("server.key"));
    echo_exchange(l, path_of("client.pem"), path_of("client.key"));
    l.ops->close(l.priv);
}

static void test_listen_bad_arguments(void **state)
{
    (void)state;
    const struct wasi_stream_ops *ops;
    void *priv;
    uint16_t port;
    int fd = loopback_listener(&port);
    assert_int_equal(keep_tls_listen(fd, g_id, path_of("missing.pem"), 0, &ops, &priv), -ENOENT);
    assert_int_equal(fcntl(fd, F_GETFD), -1); /* the fd was taken, and closed */
    fd = loopback_listener(&port);
    assert_int_equal(keep_tls_listen(fd, g_id, path_of("client.ext"), 0, &ops, &priv), -EINVAL);
    fd = loopback_listener(&port);
    assert_int_equal(keep_tls_listen(fd, NULL, NULL, 0, &ops, &priv), -EINVAL);
    assert_int_equal(keep_tls_listen_bind("not-an-address", 0, g_id, NULL, 0, &ops, &priv),
                     -EINVAL);
    assert_int_equal(keep_tls_listen_bind("127.0.0.1", port, g_id, NULL, 0, &ops, &priv),
                     0); /* fd was closed above, so the port is free again */
    assert_int_equal(ops->read(priv, (char[4]){0}, 4), -ENOTCONN);
    ops->close(priv);
}

static void test_listen_bind_dual_stack(void **state)
{
    (void)state;
    struct stream l;
    assert_int_equal(keep_tls_listen_bind("::", 0, g_id, NULL, 5000, &l.ops, &l.priv), 0);
    /* an IPv4 client reaches the "::" listener */
    echo_exchange(l, NULL, NULL);
    l.ops->close(l.priv);
}

static void test_identity_from_key(void **state)
{
    (void)state;
    struct keep_tls_identity *id = NULL;
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    assert_non_null(key);
    assert_int_equal(keep_tls_identity_from_key(NULL, "localhost", &id), -EINVAL);
    assert_int_equal(keep_tls_identity_from_key(key, "bad,name", &id), -EINVAL);
    assert_int_equal(keep_tls_identity_from_key(key, "localhost", &id), 0);
    assert_ptr_equal(keep_tls_identity_key(id), key);
    size_t size;
    unsigned char *der = cert_der(id, &size);
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)size);
    assert_non_null(x);
    assert_int_equal(X509_verify(x, key), 1);
    assert_int_equal(X509_get_signature_nid(x), NID_ecdsa_with_SHA384);
    X509_free(x);
    OPENSSL_free(der);
    keep_tls_identity_free(id);
    /* the caller's reference is still good */
    assert_int_equal(EVP_PKEY_get_bits(key), 384);
    /* a public key alone cannot sign its certificate */
    unsigned char *pub = NULL;
    int n = i2d_PUBKEY(key, &pub);
    const unsigned char *q = pub;
    EVP_PKEY *public_only = d2i_PUBKEY(NULL, &q, n);
    assert_non_null(public_only);
    assert_int_equal(keep_tls_identity_from_key(public_only, "localhost", &id), -EIO);
    assert_null(id);
    EVP_PKEY_free(public_only);
    OPENSSL_free(pub);
    EVP_PKEY_free(key);
}

/* As the Steward issue will: a key of our own, a chain from a CA for it, served over TLS. */
static void test_identity_issued_chain(void **state)
{
    (void)state;
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    FILE *f = fopen(path_of("issued.key"), "w");
    assert_non_null(f);
    assert_int_equal(PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL), 1);
    fclose(f);
    const char *req[] = {"openssl",
                         "req",
                         "-new",
                         "-key",
                         path_of("issued.key"),
                         "-subj",
                         "/CN=localhost",
                         "-out",
                         path_of("issued.csr"),
                         NULL};
    assert_int_equal(run(req), 0);
    const char *sign[] = {"openssl",
                          "x509",
                          "-req",
                          "-in",
                          path_of("issued.csr"),
                          "-CA",
                          path_of("ca.pem"),
                          "-CAkey",
                          path_of("ca.key"),
                          "-set_serial",
                          "99",
                          "-days",
                          "1",
                          "-extfile",
                          path_of("server.ext"),
                          "-outform",
                          "DER",
                          "-out",
                          path_of("issued.der"),
                          NULL};
    assert_int_equal(run(sign), 0);
    const char *ca_der[] = {"openssl",  "x509", "-in",  path_of("ca.pem"),
                            "-outform", "DER",  "-out", path_of("ca.der"),
                            NULL};
    assert_int_equal(run(ca_der), 0);
    uint8_t leaf[4096], ca[4096];
    FILE *fl = fopen(path_of("issued.der"), "rb"), *fc = fopen(path_of("ca.der"), "rb");
    assert_true(fl && fc);
    const uint8_t *ders[2] = {leaf, ca};
    size_t sizes[2] = {fread(leaf, 1, sizeof leaf, fl), fread(ca, 1, sizeof ca, fc)};
    fclose(fl);
    fclose(fc);
    struct keep_tls_identity *id;
    assert_int_equal(keep_tls_identity_from_key(key, "keep.example", &id), 0);
    assert_int_equal(keep_tls_identity_set_chain(id, ders, sizes, 2), 0);
    EVP_PKEY_free(key);
    struct stream l;
    uint16_t port;
    int fd = loopback_listener(&port);
    assert_int_equal(keep_tls_listen(fd, id, NULL, 5000, &l.ops, &l.priv), 0);
    keep_tls_identity_free(id); /* the listener holds what it needs */
    echo_exchange_ca(l, path_of("ca.pem"), NULL, NULL);
    /* and the old self-signed certificate is no longer what it presents */
    refused_exchange(l, path_of("keep.pem"), NULL, NULL);
    l.ops->close(l.priv);
}

/* ---- timeouts ---------------------------------------------------------------------------- */

static int tcp_connect_port(uint16_t port)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {
        .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(connect(s, (struct sockaddr *)&a, sizeof a), 0);
    return s;
}

static void test_silent_client_nonblocking(void **state)
{
    (void)state;
    uint16_t port;
    struct stream l = tls_listener(NULL, 300, &port);
    int silent = tcp_connect_port(port);
    long t0 = ms_now();
    struct stream c = {0};
    assert_int_equal(accept_ready(l, false, &c), -EAGAIN);
    long took = ms_now() - t0;
    assert_true(took >= 250 && took < 3000);
    /* nothing pending: -EAGAIN at once */
    assert_int_equal(l.ops->accept(l.priv, false, &c.ops, &c.priv), -EAGAIN);
    close(silent);
    l.ops->close(l.priv);
    /* a client that speaks something else is dropped at once, long before the timeout */
    l = tls_listener(NULL, 8000, &port);
    int garbage = tcp_connect_port(port);
    assert_int_equal(write(garbage, "GET / HTTP/1.0\r\n\r\n", 18), 18);
    t0 = ms_now();
    assert_int_equal(accept_ready(l, false, &c), -EAGAIN);
    assert_true(ms_now() - t0 < 4000);
    close(garbage);
    l.ops->close(l.priv);
}

static void test_silent_client_blocking(void **state)
{
    (void)state;
    uint16_t port;
    struct stream l = tls_listener(NULL, 300, &port);
    int silent = tcp_connect_port(port);
    int in, out;
    pid_t pid = s_client(port, path_of("keep.pem"), NULL, NULL, &in, &out);
    assert_int_equal(write(in, "after the silent one\n", 21), 21);
    /* blocking accept: the silent client costs the timeout, then the next one is served */
    assert_int_equal(l.ops->set_nonblock(l.priv, false), 0);
    long t0 = ms_now();
    struct stream c;
    assert_int_equal(l.ops->accept(l.priv, false, &c.ops, &c.priv), 0);
    assert_true(ms_now() - t0 >= 250);
    char line[64];
    stream_read_line(c, line, sizeof line);
    assert_string_equal(line, "after the silent one\n");
    c.ops->close(c.priv);
    close(in);
    char buf[64];
    read_until_eof(out, buf, sizeof buf, 10000);
    close(out);
    reap(pid, 10000);
    close(silent);
    l.ops->close(l.priv);
}

/* ---- connecting, with openssl s_server as the peer --------------------------------------- */

/* Starts `openssl s_server -rev` for one connection on 127.0.0.1; returns its port. */
static uint16_t s_server(pid_t *pid, int *in, int *out)
{
    const char *argv[] = {"openssl",  "s_server",
                          "-accept",  "127.0.0.1:0",
                          "-cert",    path_of("server.pem"),
                          "-key",     path_of("server.key"),
                          "-naccept", "1",
                          "-rev",     "-tls1_3",
                          NULL};
    *pid = spawn(argv, in, out);
    char line[256];
    size_t n = 0;
    long end = ms_now() + 10000;
    /* wait for "ACCEPT 127.0.0.1:PORT" */
    while (n + 1 < sizeof line && ms_now() < end) {
        struct pollfd p = {.fd = *out, .events = POLLIN};
        if (poll(&p, 1, 1000) <= 0 || read(*out, line + n, 1) != 1) continue;
        if (line[n++] == '\n') {
            line[n] = '\0';
            const char *colon = strrchr(line, ':');
            if (strncmp(line, "ACCEPT", 6) == 0 && colon) return (uint16_t)atoi(colon + 1);
            n = 0;
        }
    }
    fail_msg("s_server did not start");
    return 0;
}

static void stop_server(pid_t pid, int in, int out)
{
    close(in);
    close(out);
    kill(pid, SIGTERM);
    reap(pid, 5000);
}

static void test_connect_s_server(void **state)
{
    (void)state;
    pid_t pid;
    int in, out;
    uint16_t port = s_server(&pid, &in, &out);
    struct stream c;
    assert_int_equal(
        keep_tls_connect("localhost", port, path_of("ca.pem"), NULL, 5000, &c.ops, &c.priv), 0);
    stream_write_all(c, "hello from the keep\n");
    char line[64];
    stream_read_line(c, line, sizeof line);
    assert_string_equal(line, "peek eht morf olleh\n");
    assert_false(c.ops->pending(c.priv));
    assert_int_equal(c.ops->shutdown(c.priv, SHUT_WR), 0);
    assert_int_equal(c.ops->write(c.priv, "x", 1), -EPIPE);
    c.ops->close(c.priv);
    stop_server(pid, in, out);
}

static void test_connect_refusals(void **state)
{
    (void)state;
    pid_t pid;
    int in, out;
    struct stream c = {0};
    /* the certificate names localhost, not 127.0.0.1 */
    uint16_t port = s_server(&pid, &in, &out);
    assert_int_equal(
        keep_tls_connect("127.0.0.1", port, path_of("ca.pem"), NULL, 5000, &c.ops, &c.priv),
        -EACCES);
    stop_server(pid, in, out);
    /* a CA that did not issue it */
    port = s_server(&pid, &in, &out);
    assert_int_equal(
        keep_tls_connect("localhost", port, path_of("other.pem"), NULL, 5000, &c.ops, &c.priv),
        -EACCES);
    stop_server(pid, in, out);
    /* nobody listening, a name that does not resolve, bad arguments */
    uint16_t closed_port;
    close(loopback_listener(&closed_port));
    assert_int_equal(
        keep_tls_connect("127.0.0.1", closed_port, path_of("ca.pem"), NULL, 5000, &c.ops, &c.priv),
        -ECONNREFUSED);
    assert_int_equal(keep_tls_connect("no-such-host.invalid", 443, path_of("ca.pem"), NULL, 5000,
                                      &c.ops, &c.priv),
                     -ENOENT);
    assert_int_equal(keep_tls_connect("", 443, NULL, NULL, 0, &c.ops, &c.priv), -EINVAL);
    assert_int_equal(keep_tls_connect("localhost", 0, NULL, NULL, 0, &c.ops, &c.priv), -EINVAL);
    assert_null(c.priv);
}

static void test_connect_silent_server(void **state)
{
    (void)state;
    uint16_t port;
    int fd = loopback_listener(&port); /* accepts TCP (backlog) but never speaks TLS */
    struct stream c = {0};
    long t0 = ms_now();
    assert_int_equal(
        keep_tls_connect("127.0.0.1", port, path_of("ca.pem"), NULL, 300, &c.ops, &c.priv),
        -ETIMEDOUT);
    long took = ms_now() - t0;
    assert_true(took >= 250 && took < 3000);
    close(fd);
}

/* ---- the Keep talking to itself: non-blocking semantics ---------------------------------- */

struct client_job {
    uint16_t port;
    const char *cert, *key; /* client identity files, or NULL */
    int go;                 /* read end of a pipe: the reader starts when a byte arrives */
    int result;
    size_t received;
    bool pattern_ok;
};

static uint8_t pattern(size_t i)
{
    return (uint8_t)((i * 7 + i / 251) % 253);
}

/* Connects, says "hi", then (once told to) reads to the end, checking the pattern. */
static void *client_thread(void *arg)
{
    struct client_job *job = arg;
    struct stream c;
    job->result =
        keep_tls_connect("localhost", job->port, path_of("keep.pem"), NULL, 5000, &c.ops, &c.priv);
    if (job->result != 0) return NULL;
    c.ops->write(c.priv, "hi", 2);
    char go;
    if (read(job->go, &go, 1) != 1) job->result = -EIO;
    job->pattern_ok = true;
    uint8_t buf[8192];
    ssize_t r;
    while ((r = c.ops->read(c.priv, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < r; i++)
            if (buf[i] != pattern(job->received + (size_t)i)) job->pattern_ok = false;
        job->received += (size_t)r;
    }
    if (r < 0) job->result = (int)r;
    c.ops->close(c.priv);
    return NULL;
}

/* Writes total bytes of the pattern through a non-blocking stream, waiting with poll() on
 * -EAGAIN; signals go after the first -EAGAIN. Returns how many -EAGAINs it saw. */
static int write_pattern(struct stream s, size_t total, int go)
{
    uint8_t buf[20000];
    size_t sent = 0;
    int eagains = 0;
    while (sent < total) {
        size_t n = total - sent < sizeof buf ? total - sent : sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = pattern(sent + i);
        ssize_t r = s.ops->write(s.priv, buf, n);
        if (r == -EAGAIN) {
            if (eagains++ == 0) assert_int_equal(write(go, "g", 1), 1);
            struct pollfd p = {.fd = s.ops->poll_fd(s.priv), .events = POLLOUT};
            assert_int_equal(poll(&p, 1, 10000), 1);
            continue;
        }
        assert_true(r > 0 && (size_t)r <= n);
        sent += (size_t)r;
    }
    return eagains;
}

static void test_nonblocking_streams(void **state)
{
    (void)state;
    uint16_t port;
    struct stream l = tls_listener(NULL, 5000, &port);
    int go[2];
    assert_int_equal(pipe(go), 0);
    struct client_job job = {.port = port, .go = go[0]};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, client_thread, &job), 0);
    struct stream s;
    assert_int_equal(accept_ready(l, true, &s), 0);
    /* the client's "hi" arrives in time; before it, or after it, reads say -EAGAIN */
    char buf[8];
    ssize_t r;
    struct pollfd p = {.fd = s.ops->poll_fd(s.priv), .events = POLLIN};
    while ((r = s.ops->read(s.priv, buf, 1)) == -EAGAIN)
        assert_int_equal(poll(&p, 1, 10000), 1);
    assert_int_equal(r, 1);
    assert_int_equal(buf[0], 'h');
    /* the second byte is decrypted and buffered already: pending says so, poll() cannot */
    assert_true(s.ops->pending(s.priv));
    assert_int_equal(s.ops->read(s.priv, buf, sizeof buf), 1);
    assert_false(s.ops->pending(s.priv));
    assert_int_equal(s.ops->read(s.priv, buf, sizeof buf), -EAGAIN);
    /* back-pressure: the client does not read until we have seen -EAGAIN */
    const size_t total = 24u << 20;
    assert_true(write_pattern(s, total, go[1]) > 0);
    s.ops->close(s.priv); /* sends what is stashed, then close_notify */
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(job.result, 0);
    assert_int_equal(job.received, total);
    assert_true(job.pattern_ok);
    close(go[0]);
    close(go[1]);
    l.ops->close(l.priv);
}

/* The peer vanishing without close_notify is an error, not an end of stream (it could be a
 * truncation attack), and writing to it does not kill the process with SIGPIPE. */
static struct stream vanished_peer(struct stream l)
{
    uint16_t port = fd_port(l.ops->poll_fd(l.priv));
    int in, out;
    pid_t pid = s_client(port, path_of("keep.pem"), NULL, NULL, &in, &out);
    struct stream c;
    assert_int_equal(accept_ready(l, false, &c), 0);
    kill(pid, SIGKILL);
    reap(pid, 5000);
    close(in);
    close(out);
    return c;
}

static void test_peer_vanishes(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_DFL);
    uint16_t port;
    struct stream l = tls_listener(NULL, 5000, &port);
    char buf[16];
    struct stream c = vanished_peer(l);
    assert_int_equal(c.ops->read(c.priv, buf, sizeof buf), -ECONNRESET);
    assert_true(c.ops->pending(c.priv)); /* a read would answer at once */
    assert_int_equal(c.ops->read(c.priv, buf, sizeof buf), -ECONNRESET);
    c.ops->close(c.priv);
    c = vanished_peer(l);
    ssize_t w = 0;
    for (int i = 0; i < 100 && w >= 0; i++) {
        w = c.ops->write(c.priv, "data", 4);
        usleep(1000);
    }
    assert_true(w == -EPIPE || w == -ECONNRESET);
    assert_int_equal(c.ops->read(c.priv, buf, sizeof buf), w);
    c.ops->close(c.priv);
    l.ops->close(l.priv);
    signal(SIGPIPE, SIG_IGN);
}

/* ---- Enarx.toml files -------------------------------------------------------------------- */

static void test_add_file(void **state)
{
    (void)state;
    struct wasi_ctx *ctx;
    char *argv[] = {"main.wasm"};
    assert_int_equal(wasi_ctx_new(1, argv, 0, NULL, &ctx), 0);
    struct keep_file f = {.kind = KEEP_FILE_LISTEN,
                          .name = "ingest",
                          .prot = KEEP_PROT_TLS,
                          .addr = "127.0.0.1",
                          .port = 0};
    uint32_t fd = 99;
    assert_int_equal(keep_tls_add_file(ctx, &f, g_id, &fd), 0);
    assert_int_equal(fd, 0);
    assert_int_equal(wasi_ctx_fd_count(ctx), 1);
    f.prot = KEEP_PROT_TCP;
    assert_int_equal(keep_tls_add_file(ctx, &f, g_id, &fd), -EINVAL);
    f.prot = KEEP_PROT_TLS;
    f.kind = KEEP_FILE_STDIN;
    assert_int_equal(keep_tls_add_file(ctx, &f, g_id, &fd), -EINVAL);
    wasi_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_identity_self_signed, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_identity_names, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_identity_set_chain, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_identity_from_key, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_identity_issued_chain, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_listen_s_client, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_listen_untrusted_by_client, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_mtls_client_cert, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_mtls_refusals, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_listen_bad_arguments, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_listen_bind_dual_stack, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_silent_client_nonblocking, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_silent_client_blocking, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_connect_s_server, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_connect_refusals, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_connect_silent_server, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_nonblocking_streams, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_peer_vanishes, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_add_file, test_setup, test_teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
