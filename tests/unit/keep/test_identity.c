/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_identity.c - the Keep's attested identity end to end, against a real Steward
 * (src/steward, in process, on loopback, with a fresh CA) and against a fake HTTP server that
 * answers whatever hostile reply a test wants.
 *
 * The Keep's machine is an empty directory (the root-path seam), so the evidence is simulated:
 * a Steward started with insecure_allow_sim certifies the Keep's key, and the chain must verify
 * to the CA and name that key; a Steward without it refuses, with its reason and rule reaching
 * the Keep's message. Also: the URL policy (plain http only to loopback), PkiPath parsing of
 * good, reordered, truncated and oversized paths, unreachable and slow Stewards, replies that
 * are not chains, chains for another key, oversized bodies, and the TLS identity the run path
 * gets (self-signed without a steward, the Steward's chain with one).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "../steward/helpers.h"
#include "attest/attest.h"
#include "keep/keep.h"

/* ---- a Keep machine without a TEE ---- */

static char g_root[64];
static struct attest_provider_env g_env;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int group_setup(void **state)
{
    (void)state;
    strcpy(g_root, "/tmp/identity-test-XXXXXX");
    if (!mkdtemp(g_root)) return -1;
    g_env.sysroot = g_root;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return nftw(g_root, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* ---- a real Steward on loopback ---- */

struct stw {
    struct test_ca ca;
    struct steward *s;
    struct steward_server *srv;
    char url[64];
};

static void stw_start(struct stw *t, bool allow_sim)
{
    memset(t, 0, sizeof(*t));
    test_ca_make(&t->ca, "P-256", 30);
    struct steward_config cfg = {
        t->ca.key_path, t->ca.crt_path, NULL, NULL, NULL, 0, allow_sim, 0, 0};
    char err[256];
    if (steward_new(&cfg, &t->s, err, sizeof(err)) < 0) fail_msg("steward: %s", err);
    struct steward_listen l = {"127.0.0.1", 0, 2, 5, 64, NULL, NULL};
    assert_int_equal(steward_server_start(t->s, &l, &t->srv), 0);
    snprintf(t->url, sizeof(t->url), "http://127.0.0.1:%u/", steward_server_port(t->srv));
}

static void stw_stop(struct stw *t)
{
    steward_server_stop(t->srv);
    steward_free(t->s);
    test_ca_free(&t->ca);
}

static struct keep_identity_opts opts_sim(void)
{
    struct keep_identity_opts o = {.provider = &g_env, .timeout_ms = 10000};
    return o;
}

/* Skips when this build's attest_csr_verify does not know the simulated extension yet. */
static void skip_if_sim_unknown(int rc, const char *err)
{
    if (rc == -EACCES && strstr(err, "evidence extensions")) {
        print_message("skipped: attest_csr_verify does not accept simulated CSRs yet (%s)\n", err);
        skip();
    }
}

static void test_sim_issued(void **state)
{
    (void)state;
    struct stw t;
    stw_start(&t, true);
    struct keep_identity_opts o = opts_sim();
    struct keep_identity id;
    char err[512] = "";
    int rc = keep_identity_obtain(t.url, &o, &id, err, sizeof(err));
    if (rc) {
        stw_stop(&t);
        skip_if_sim_unknown(rc, err);
        fail_msg("rc %d: %s", rc, err);
    }
    assert_int_equal(id.provider, ATTEST_PROVIDER_SIM);
    assert_int_equal(id.chain_count, 2);
    assert_int_equal(EVP_PKEY_get_bits(id.key), 256);
    const unsigned char *p = id.chain[0];
    X509 *leaf = d2i_X509(NULL, &p, (long)id.chain_size[0]);
    assert_non_null(leaf);
    assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(leaf), id.key), 1);
    assert_int_equal(X509_verify(leaf, t.ca.key), 1); /* issued by the fresh CA */
    p = id.chain[1];
    X509 *ca = d2i_X509(NULL, &p, (long)id.chain_size[1]);
    assert_int_equal(X509_cmp(ca, t.ca.cert), 0);
    char platform[32];
    assert_int_equal(steward_claims_get(leaf, "platform", platform, sizeof(platform)), 0);
    assert_string_equal(platform, "sim");
    X509_free(ca);
    X509_free(leaf);
    keep_identity_free(&id);
    assert_null(id.key);

    /* a caller's key is the one certified */
    EVP_PKEY *mine = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    o.key = mine;
    assert_int_equal(keep_identity_obtain(t.url, &o, &id, err, sizeof(err)), 0);
    assert_ptr_equal(id.key, mine);
    keep_identity_free(&id);
    EVP_PKEY_free(mine);
    /* a P-384 key too: the simulated evidence is then signed with a throwaway P-256 key */
    mine = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    o.key = mine;
    rc = keep_identity_obtain(t.url, &o, &id, err, sizeof(err));
    if (rc) fail_msg("P-384: %s", err);
    assert_ptr_equal(id.key, mine);
    keep_identity_free(&id);
    EVP_PKEY_free(mine);
    stw_stop(&t);
}

static void test_sim_refused(void **state)
{
    (void)state;
    struct stw t;
    stw_start(&t, false);
    struct keep_identity_opts o = opts_sim();
    struct keep_identity id;
    char err[512] = "";
    int rc = keep_identity_obtain(t.url, &o, &id, err, sizeof(err));
    stw_stop(&t);
    skip_if_sim_unknown(rc, err);
    assert_int_equal(rc, -EACCES);
    assert_non_null(strstr(err, "refused the Keep (HTTP 403"));
    assert_non_null(strstr(err, "rule sim"));
    assert_null(id.key);
    assert_int_equal(id.chain_count, 0);
}

static void test_tls_identity(void **state)
{
    (void)state;
    struct keep_config cfg;
    assert_int_equal(keep_config_default(&cfg), 0);
    struct keep_identity_opts o = opts_sim();
    struct keep_tls_identity *tid = NULL;
    char err[512] = "", *pem = NULL;
    size_t pem_size;
    /* no steward: self-signed, one certificate */
    assert_int_equal(keep_identity_tls(&cfg, "keep.test", &o, &tid, err, sizeof(err)), 0);
    assert_int_equal(keep_tls_identity_cert_pem(tid, &pem, &pem_size), 0);
    assert_null(strstr(strstr(pem, "BEGIN CERTIFICATE") + 1, "BEGIN CERTIFICATE"));
    free(pem);
    keep_tls_identity_free(tid);

    struct stw t;
    stw_start(&t, true);
    cfg.steward = t.url;
    int rc = keep_identity_tls(&cfg, "keep.test", &o, &tid, err, sizeof(err));
    if (rc) {
        cfg.steward = NULL;
        keep_config_free(&cfg);
        stw_stop(&t);
        skip_if_sim_unknown(-EACCES, err);
        fail_msg("%s", err);
    }
    assert_int_equal(keep_tls_identity_cert_pem(tid, &pem, &pem_size), 0);
    assert_non_null(strstr(strstr(pem, "BEGIN CERTIFICATE") + 1, "BEGIN CERTIFICATE"));
    free(pem);
    keep_tls_identity_free(tid);
    stw_stop(&t);

    /* a refusing Steward: no identity, the caller must not start the workload */
    stw_start(&t, false);
    cfg.steward = t.url;
    tid = (struct keep_tls_identity *)1;
    assert_int_not_equal(keep_identity_tls(&cfg, "keep.test", &o, &tid, err, sizeof(err)), 0);
    assert_null(tid);
    stw_stop(&t);
    /* a URL refused before any network: its own message, not another's */
    cfg.steward = "http://192.0.2.1/";
    assert_int_equal(keep_identity_tls(&cfg, "keep.test", &o, &tid, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "loopback"));
    assert_null(tid);
    cfg.steward = NULL;
    keep_config_free(&cfg);
}

/* ---- HTTPS ---- */

/* A server certificate for 127.0.0.1 (IP SAN) issued by ca, as PEM text into cert and key. */
static void tls_server_pem(EVP_PKEY *ca_key, X509 *ca, char **cert_pem, char **key_pem)
{
    EVP_PKEY *key = csrgen_key("P-256");
    X509 *x = csrgen_cert(key, "127.0.0.1", -60, 1, false, ca, ca_key);
    assert_non_null(x);
    /* csrgen_cert signs without a SAN: add it and sign again */
    assert_int_equal(csrgen_add_ext(x, ca, NID_subject_alt_name, "IP:127.0.0.1"), 0);
    assert_true(X509_sign(x, ca_key, EVP_sha256()) > 0);
    BIO *b = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_X509(b, x), 1);
    char *data;
    long n = BIO_get_mem_data(b, &data);
    *cert_pem = strndup(data, (size_t)n);
    BIO_free(b);
    b = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL), 1);
    n = BIO_get_mem_data(b, &data);
    *key_pem = strndup(data, (size_t)n);
    BIO_free(b);
    X509_free(x);
    EVP_PKEY_free(key);
}

static void test_https(void **state)
{
    (void)state;
    struct stw t;
    memset(&t, 0, sizeof(t));
    test_ca_make(&t.ca, "P-256", 30);
    struct steward_config cfg = {t.ca.key_path, t.ca.crt_path, NULL, NULL, NULL, 0, true, 0, 0};
    char err[512] = "", *cert_pem, *key_pem, url[64];
    assert_int_equal(steward_new(&cfg, &t.s, err, sizeof(err)), 0);
    tls_server_pem(t.ca.key, t.ca.cert, &cert_pem, &key_pem);
    struct steward_listen l = {"127.0.0.1", 0, 2, 5, 64, cert_pem, key_pem};
    int rc = steward_server_start(t.s, &l, &t.srv);
    if (rc == -EINVAL) { /* this libmicrohttpd has no TLS */
        steward_free(t.s);
        test_ca_free(&t.ca);
        free(cert_pem);
        free(key_pem);
        skip();
    }
    assert_int_equal(rc, 0);
    uint16_t port = steward_server_port(t.srv);
    snprintf(url, sizeof(url), "https://127.0.0.1:%u/", port);
    struct keep_identity_opts o = opts_sim();
    struct keep_identity id;

    /* the system store does not know this CA: refused before any CSR is read */
    unsetenv("ENARX_STEWARD_CA");
    assert_int_equal(keep_identity_obtain(url, &o, &id, err, sizeof(err)), -ECONNREFUSED);
    /* a name the certificate does not carry */
    o.ca_file = t.ca.crt_path;
    snprintf(url, sizeof(url), "https://localhost:%u/", port);
    assert_int_equal(keep_identity_obtain(url, &o, &id, err, sizeof(err)), -ECONNREFUSED);
    /* trusted through ca_file, then through $ENARX_STEWARD_CA */
    snprintf(url, sizeof(url), "https://127.0.0.1:%u/", port);
    rc = keep_identity_obtain(url, &o, &id, err, sizeof(err));
    if (rc == 0) {
        assert_int_equal(id.chain_count, 2);
        keep_identity_free(&id);
        o.ca_file = NULL;
        setenv("ENARX_STEWARD_CA", t.ca.crt_path, 1);
        assert_int_equal(keep_identity_obtain(url, &o, &id, err, sizeof(err)), 0);
        keep_identity_free(&id);
        unsetenv("ENARX_STEWARD_CA");
    }
    stw_stop(&t);
    free(cert_pem);
    free(key_pem);
    skip_if_sim_unknown(rc, err);
    if (rc) fail_msg("%s", err);
}

/* ---- URLs ---- */

static void test_url_policy(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "https://steward.example.com", "https://10.0.0.1:3000/", "http://127.0.0.1:3000",
        "http://127.1.2.3/",           "http://[::1]:8080/",     "http://localhost:3000/",
        "HTTP://LOCALHOST/",
    };
    static const char *const bad[] = {
        "http://steward.example.com/",
        "http://10.0.0.1/",
        "http://127.0.0.1.nip.io/",
        "http://[::2]/",
        "ftp://127.0.0.1/",
        "file:///etc/passwd",
        "not a url",
        "",
        "http://[::ffff:10.0.0.1]/",
    };
    char err[256];
    for (size_t i = 0; i < ARRAY_LEN(ok); i++)
        if (keep_steward_url_check(ok[i], err, sizeof(err)) != 0) fail_msg("%s: %s", ok[i], err);
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        if (keep_steward_url_check(bad[i], err, sizeof(err)) != -EINVAL)
            fail_msg("%s accepted", bad[i]);
    assert_int_equal(keep_steward_url_check(NULL, NULL, 0), -EINVAL);
    /* nothing is attempted with a refused URL */
    struct keep_identity id;
    struct keep_identity_opts o = opts_sim();
    assert_int_equal(keep_identity_obtain("http://192.0.2.1/", &o, &id, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "loopback"));
}

/* ---- PkiPath ---- */

/* DER SEQUENCE OF the given certificates (malloc'd). */
static uint8_t *path_encode(X509 *const *certs, size_t count, size_t *size)
{
    uint8_t body[16384];
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        unsigned char *p = body + n;
        int len = i2d_X509(certs[i], &p);
        assert_true(len > 0 && n + (size_t)len < sizeof(body) - 1024);
        n += (size_t)len;
    }
    uint8_t *out = malloc(n + 4);
    out[0] = 0x30, out[1] = 0x82, out[2] = (uint8_t)(n >> 8), out[3] = (uint8_t)n;
    memcpy(out + 4, body, n);
    *size = n + 4;
    return out;
}

struct pki {
    EVP_PKEY *ca_key, *key;
    X509 *ca, *leaf;
};

static void pki_make(struct pki *k)
{
    k->ca_key = csrgen_key("P-256");
    k->key = csrgen_key("P-384");
    k->ca = csrgen_cert(k->ca_key, "CA", -60, 1, true, NULL, NULL);
    k->leaf = csrgen_cert(k->key, "leaf", -60, 1, false, k->ca, k->ca_key);
    assert_non_null(k->leaf);
}

static void pki_free(struct pki *k)
{
    EVP_PKEY_free(k->ca_key);
    EVP_PKEY_free(k->key);
    X509_free(k->ca);
    X509_free(k->leaf);
}

static void test_pkipath(void **state)
{
    (void)state;
    struct pki k;
    pki_make(&k);
    struct keep_identity id = {0};
    char err[256];
    size_t size;
    X509 *good[] = {k.ca, k.leaf};
    uint8_t *der = path_encode(good, 2, &size);
    assert_int_equal(keep_pkipath_parse(der, size, k.key, &id, err, sizeof(err)), 0);
    assert_int_equal(id.chain_count, 2);
    unsigned char *leaf_der = NULL;
    int n = i2d_X509(k.leaf, &leaf_der);
    assert_int_equal(id.chain_size[0], (size_t)n);
    assert_memory_equal(id.chain[0], leaf_der, (size_t)n); /* leaf first */
    OPENSSL_free(leaf_der);

    /* another key; every truncation; a trailing byte */
    assert_int_equal(keep_pkipath_parse(der, size, k.ca_key, &id, err, sizeof(err)), -EPROTO);
    assert_non_null(strstr(err, "not for the Keep's key"));
    assert_int_equal(id.chain_count, 0);
    for (size_t cut = 0; cut < size; cut += 7)
        assert_int_equal(keep_pkipath_parse(der, cut, k.key, &id, err, sizeof(err)), -EPROTO);
    uint8_t *longer = malloc(size + 1);
    memcpy(longer, der, size);
    longer[size] = 0;
    assert_int_equal(keep_pkipath_parse(longer, size + 1, k.key, &id, err, sizeof(err)), -EPROTO);
    free(longer);
    free(der);

    /* leaf first (not PkiPath order): the links do not verify */
    X509 *reversed[] = {k.leaf, k.ca};
    der = path_encode(reversed, 2, &size);
    assert_int_equal(keep_pkipath_parse(der, size, k.key, &id, err, sizeof(err)), -EPROTO);
    free(der);
    /* an empty SEQUENCE, and more certificates than TLS takes */
    uint8_t empty[] = {0x30, 0x00};
    assert_int_equal(keep_pkipath_parse(empty, 2, NULL, &id, err, sizeof(err)), -EPROTO);
    X509 *many[KEEP_TLS_MAX_CHAIN + 1];
    for (size_t i = 0; i < ARRAY_LEN(many); i++)
        many[i] = k.ca;
    der = path_encode(many, ARRAY_LEN(many), &size);
    assert_int_equal(keep_pkipath_parse(der, size, NULL, &id, err, sizeof(err)), -EPROTO);
    assert_non_null(strstr(err, "more than"));
    free(der);
    assert_int_equal(keep_pkipath_parse(NULL, 0, NULL, &id, err, sizeof(err)), -EPROTO);
    keep_identity_free(&id);
    pki_free(&k);
}

/* ---- a fake Steward answering a canned reply ---- */

struct fake {
    int fd;
    uint16_t port;
    const uint8_t *reply;
    size_t reply_size;
    unsigned delay_ms;
    pthread_t thread;
    char url[64];
};

static void *fake_serve(void *arg)
{
    struct fake *f = arg;
    int c = accept(f->fd, NULL, NULL);
    if (c < 0) return NULL;
    char buf[4096];
    struct timeval tv = {2, 0};
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ssize_t r = recv(c, buf, sizeof(buf), 0); /* the request (the CSR fits one read or not) */
    (void)r;
    usleep(f->delay_ms * 1000u);
    for (size_t off = 0; off < f->reply_size;) {
        ssize_t w = send(c, f->reply + off, f->reply_size - off, MSG_NOSIGNAL);
        if (w <= 0) break;
        off += (size_t)w;
    }
    close(c);
    return NULL;
}

static void fake_start(struct fake *f, const uint8_t *reply, size_t size, unsigned delay_ms)
{
    f->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof(a);
    assert_int_equal(bind(f->fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(f->fd, 4), 0);
    assert_int_equal(getsockname(f->fd, (struct sockaddr *)&a, &alen), 0);
    f->port = ntohs(a.sin_port);
    f->reply = reply;
    f->reply_size = size;
    f->delay_ms = delay_ms;
    snprintf(f->url, sizeof(f->url), "http://127.0.0.1:%u/", f->port);
    assert_int_equal(pthread_create(&f->thread, NULL, fake_serve, f), 0);
}

static void fake_stop(struct fake *f)
{
    pthread_join(f->thread, NULL);
    close(f->fd);
}

/* An HTTP/1.0 reply with status and body (malloc'd). */
static uint8_t *http_reply(const char *status, const char *type, const uint8_t *body, size_t size,
                           size_t *out_size)
{
    char head[256];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n", status, type,
                     size);
    uint8_t *out = malloc((size_t)n + size);
    memcpy(out, head, (size_t)n);
    memcpy(out + n, body, size);
    *out_size = (size_t)n + size;
    return out;
}

static int fake_obtain(const uint8_t *reply, size_t size, unsigned delay_ms, int timeout_ms,
                       char *err, size_t err_size)
{
    struct fake f;
    fake_start(&f, reply, size, delay_ms);
    struct keep_identity_opts o = opts_sim();
    o.timeout_ms = timeout_ms;
    struct keep_identity id;
    int rc = keep_identity_obtain(f.url, &o, &id, err, err_size);
    fake_stop(&f);
    keep_identity_free(&id);
    return rc;
}

static void test_hostile_replies(void **state)
{
    (void)state;
    char err[512];
    size_t size;
    uint8_t *r;

    /* 200 with something that is not a PkiPath */
    r = http_reply("200 OK", "application/pkix-pkipath", (const uint8_t *)"hello", 5, &size);
    assert_int_equal(fake_obtain(r, size, 0, 5000, err, sizeof(err)), -EPROTO);
    assert_non_null(strstr(err, "PkiPath"));
    free(r);

    /* 200 with a good chain for another key */
    struct pki k;
    pki_make(&k);
    X509 *path[] = {k.ca, k.leaf};
    size_t psize;
    uint8_t *der = path_encode(path, 2, &psize);
    r = http_reply("200 OK", "application/pkix-pkipath", der, psize, &size);
    assert_int_equal(fake_obtain(r, size, 0, 5000, err, sizeof(err)), -EPROTO);
    assert_non_null(strstr(err, "not for the Keep's key"));
    free(r);
    free(der);
    pki_free(&k);

    /* a refusal without JSON; a server error; a body over the limit */
    r = http_reply("403 Forbidden", "text/plain", (const uint8_t *)"\x01no", 3, &size);
    assert_int_equal(fake_obtain(r, size, 0, 5000, err, sizeof(err)), -EACCES);
    assert_non_null(strstr(err, "no reason given"));
    free(r);
    static const char json[] = "{\"error\":\"refused\",\"reason\":\"bad\\u0007x\",\"rule\":\"r1\"}";
    r = http_reply("403 Forbidden", "application/json", (const uint8_t *)json, sizeof(json) - 1,
                   &size);
    assert_int_equal(fake_obtain(r, size, 0, 5000, err, sizeof(err)), -EACCES);
    assert_non_null(strstr(err, "rule r1"));
    assert_non_null(strstr(err, "bad?x")); /* control characters never reach the terminal */
    free(r);
    r = http_reply("500 Internal", "application/json", (const uint8_t *)"{}", 2, &size);
    assert_int_equal(fake_obtain(r, size, 0, 5000, err, sizeof(err)), -ECONNREFUSED);
    free(r);
    size_t big_size = KEEP_IDENTITY_MAX_REPLY + 4096;
    uint8_t *big = calloc(1, big_size);
    r = http_reply("200 OK", "application/pkix-pkipath", big, big_size, &size);
    assert_int_equal(fake_obtain(r, size, 0, 5000, err, sizeof(err)), -EPROTO);
    assert_non_null(strstr(err, "limit"));
    free(r);
    free(big);

    /* a Steward that does not answer in time */
    r = http_reply("200 OK", "application/pkix-pkipath", (const uint8_t *)"x", 1, &size);
    assert_int_equal(fake_obtain(r, size, 1500, 300, err, sizeof(err)), -ECONNREFUSED);
    free(r);
}

static void test_unreachable(void **state)
{
    (void)state;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof(a);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
    char url[64], err[512];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/", ntohs(a.sin_port));
    close(fd); /* nothing listens there now */
    struct keep_identity_opts o = opts_sim();
    struct keep_identity id;
    assert_int_equal(keep_identity_obtain(url, &o, &id, err, sizeof(err)), -ECONNREFUSED);
    assert_non_null(strstr(err, url));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_policy),   cmocka_unit_test(test_pkipath),
        cmocka_unit_test(test_sim_issued),   cmocka_unit_test(test_sim_refused),
        cmocka_unit_test(test_tls_identity), cmocka_unit_test(test_hostile_replies),
        cmocka_unit_test(test_unreachable),  cmocka_unit_test(test_https),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
