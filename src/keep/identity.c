/* SPDX-License-Identifier: Apache-2.0 */
/*
 * identity.c - the Keep's attested identity: key, evidence, CSR, Steward, certificate chain.
 *
 * Inside the Keep, before the workload starts:
 *
 *   1. the evidence provider this machine offers (attest_provider_detect: SNP, TDX, simulated);
 *   2. a key pair made here (P-384 for SNP as Enarx does, P-256 otherwise), or the TLS
 *      identity's own key when the caller passes one;
 *   3. evidence whose REPORT_DATA is the hash of the key's SubjectPublicKeyInfo (Enarx's
 *      binding), and a CSR carrying it (attest_csr_make);
 *   4. POST / with Content-Type application/pkcs10 to the Steward (http.c, over the TCP
 *      connection the host made, since the Keep has no network of its own);
 *   5. the answer, a DER PkiPath (anchor side first), is split, each link's signature checked,
 *      and the last certificate must name our key; the chain is kept leaf first for TLS.
 *
 * The Steward URL must be https (trusting ca_file, $ENARX_STEWARD_CA or the system store), or
 * http to a loopback address only: plain http across a network would let anyone on the path
 * hand the Keep a certificate of their choice. Redirects are not followed (one could leave
 * loopback) and no proxy is used. The reply is bounded
 * (KEEP_IDENTITY_MAX_REPLY) and the whole exchange by a timeout.
 *
 * A refusal (4xx) is reported with the Steward's JSON reason and rule, so the owner reads why
 * ("refused by rule sim.allow") rather than a bare status. Every failure is a negative errno
 * and a one-line message; the caller does not start the workload.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/attest.h"
#include "internal.h"

/* Parses url into *u and applies the rule keep_steward_url_check() states. */
static int steward_url_parse(const char *url, struct keep_url *u, char *err, size_t err_size)
{
    int rc = url ? keep_url_parse(url, u, err, err_size) : -EINVAL;
    if (rc < 0) return rc;
    if (!u->https && !keep_url_is_loopback(u)) {
        keep_set_err(err, err_size,
                     "steward '%s': plain http is allowed only to a loopback address "
                     "(127.0.0.0/8, ::1, localhost); use https",
                     url);
        return -EINVAL;
    }
    return 0;
}

int keep_steward_url_check(const char *url, char *err, size_t err_size)
{
    struct keep_url u;
    return steward_url_parse(url, &u, err, err_size);
}

int keep_steward_connect(const char *url, int timeout_ms, int *fd, char *err, size_t err_size)
{
    struct keep_url u;
    int rc = steward_url_parse(url, &u, err, err_size);
    if (rc < 0) return rc;
    rc = util_tcp_connect(u.host, u.port, timeout_ms > 0 ? timeout_ms : KEEP_IDENTITY_TIMEOUT_MS,
                          fd);
    if (rc < 0) {
        keep_set_err(err, err_size, "cannot connect to the Steward at %s: %s", url, strerror(-rc));
        return -ECONNREFUSED;
    }
    return 0;
}

static void chain_clear(struct keep_identity *id)
{
    for (size_t i = 0; i < id->chain_count; i++)
        free(id->chain[i]);
    free(id->chain);
    free(id->chain_size);
    id->chain = NULL;
    id->chain_size = NULL;
    id->chain_count = 0;
}

/* Splits the PkiPath's elements into certs (anchor side first). Returns the count or < 0. */
static int path_split(const uint8_t *der, size_t size, X509 **certs, const uint8_t **raw,
                      size_t *raw_size, char *err, size_t err_size)
{
    const unsigned char *p = der;
    long len = 0;
    int tag = 0, cls = 0, count = 0;
    if (!der || size == 0 || size > KEEP_IDENTITY_MAX_REPLY) goto bad;
    int ret = ASN1_get_object(&p, &len, &tag, &cls, (long)size);
    if ((ret & 0x80) || ret != V_ASN1_CONSTRUCTED || tag != V_ASN1_SEQUENCE ||
        cls != V_ASN1_UNIVERSAL || p + len != der + size)
        goto bad;
    const unsigned char *end = p + len;
    while (p < end) {
        if (count == KEEP_TLS_MAX_CHAIN) {
            keep_set_err(err, err_size, "Steward reply: more than %d certificates",
                         KEEP_TLS_MAX_CHAIN);
            return -EPROTO;
        }
        const unsigned char *start = p;
        certs[count] = d2i_X509(NULL, &p, end - p);
        if (!certs[count]) goto bad;
        raw[count] = start;
        raw_size[count++] = (size_t)(p - start);
    }
    if (count == 0) goto bad;
    return count;
bad:
    keep_set_err(err, err_size, "Steward reply: not a DER PkiPath (SEQUENCE OF Certificate)");
    return -EPROTO;
}

/* certs[i + 1] signed certs[i] for every link, and the last one is for key. */
static int path_check(X509 *const *certs, int count, EVP_PKEY *key, char *err, size_t err_size)
{
    for (int i = 0; i + 1 < count; i++) {
        if (X509_verify(certs[i + 1], X509_get0_pubkey(certs[i])) != 1) {
            keep_set_err(err, err_size,
                         "Steward reply: certificate %d is not signed by certificate %d", i + 1, i);
            return -EPROTO;
        }
    }
    if (key && EVP_PKEY_eq(X509_get0_pubkey(certs[count - 1]), key) != 1) {
        keep_set_err(err, err_size,
                     "Steward reply: the certificate issued (the last of the path) is not for the "
                     "Keep's key");
        return -EPROTO;
    }
    return 0;
}

/* Copies the DER slices into out->chain, reversed (leaf first). */
static int path_store(const uint8_t *const *raw, const size_t *raw_size, int count,
                      struct keep_identity *out)
{
    size_t n = (size_t)count;
    out->chain = calloc(n, sizeof(*out->chain));
    out->chain_size = calloc(n, sizeof(*out->chain_size));
    if (!out->chain || !out->chain_size) return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        size_t from = n - 1 - i;
        out->chain[i] = malloc(raw_size[from]);
        if (!out->chain[i]) return -ENOMEM;
        memcpy(out->chain[i], raw[from], raw_size[from]);
        out->chain_size[i] = raw_size[from];
        out->chain_count = i + 1;
    }
    return 0;
}

int keep_pkipath_parse(const uint8_t *der, size_t size, EVP_PKEY *key, struct keep_identity *out,
                       char *err, size_t err_size)
{
    X509 *certs[KEEP_TLS_MAX_CHAIN] = {0};
    const uint8_t *raw[KEEP_TLS_MAX_CHAIN];
    size_t raw_size[KEEP_TLS_MAX_CHAIN];
    chain_clear(out);
    int count = path_split(der, size, certs, raw, raw_size, err, err_size);
    int rc = count < 0 ? count : path_check(certs, count, key, err, err_size);
    if (rc == 0) rc = path_store(raw, raw_size, count, out);
    if (rc == -ENOMEM) keep_set_err(err, err_size, "out of memory");
    if (rc < 0) chain_clear(out);
    for (int i = 0; i < KEEP_TLS_MAX_CHAIN; i++)
        X509_free(certs[i]);
    ERR_clear_error();
    return rc;
}

/* ---- HTTP ---- */

struct reply {
    uint8_t *buf;
    size_t size;
};

/* The Steward's CA bundle: the caller's PEM, else its file, else $ENARX_STEWARD_CA's (read
 * here: only host-side callers have a file system and an environment worth reading). */
static int steward_ca(const struct keep_identity_opts *o, uint8_t **owned, const uint8_t **pem,
                      size_t *size, char *err, size_t err_size)
{
    *owned = NULL;
    *pem = NULL;
    *size = 0;
    if (o && o->ca_pem) {
        *pem = o->ca_pem;
        *size = o->ca_pem_size;
        return 0;
    }
    const char *file = o && o->ca_file ? o->ca_file : getenv("ENARX_STEWARD_CA");
    if (!file || !*file) return 0;
    int rc = util_file_read(file, 16u << 20, owned, size);
    if (rc < 0) {
        keep_set_err(err, err_size, "cannot read the Steward CA bundle %s: %s", file,
                     strerror(-rc));
        return rc;
    }
    *pem = *owned;
    return 0;
}

/* POSTs the CSR; on success *status is the HTTP status and r holds the body. */
static int steward_post(const char *url, const struct keep_url *u,
                        const struct keep_identity_opts *o, int timeout_ms, const uint8_t *csr,
                        size_t csr_size, struct reply *r, long *status, char *err, size_t err_size)
{
    uint8_t *owned;
    const uint8_t *ca;
    size_t ca_size;
    int rc = steward_ca(o, &owned, &ca, &ca_size, err, err_size);
    if (rc < 0) return rc;
    int fd = o && o->has_steward_fd ? o->steward_fd : -1;
    if (fd < 0 && (rc = util_tcp_connect(u->host, u->port, timeout_ms, &fd)) < 0) {
        keep_set_err(err, err_size, "cannot connect to the Steward at %s: %s", url, strerror(-rc));
        free(owned);
        return -ECONNREFUSED;
    }
    struct keep_http_reply hr;
    rc = keep_http_post(fd, u, ca, ca_size, "application/pkcs10", csr, csr_size, timeout_ms,
                        KEEP_IDENTITY_MAX_REPLY, &hr, err, err_size);
    free(owned);
    if (rc < 0) return rc;
    r->buf = hr.body;
    r->size = hr.size;
    *status = hr.status;
    return 0;
}

/* A refusal's message from the Steward's JSON {"error", "reason", "rule"} (printable only). */
static void refusal_message(const char *url, long status, const struct reply *r, char *err,
                            size_t err_size)
{
    json_t *doc = r->buf ? json_loadb((const char *)r->buf, r->size, 0, NULL) : NULL;
    const char *kind = json_string_value(json_object_get(doc, "error"));
    const char *reason = json_string_value(json_object_get(doc, "reason"));
    const char *rule = json_string_value(json_object_get(doc, "rule"));
    keep_set_err(err, err_size, "the Steward at %s refused the Keep (HTTP %ld%s%s%s%s): %s", url,
                 status, kind ? " " : "", kind ? kind : "", rule ? ", rule " : "", rule ? rule : "",
                 reason ? reason : "no reason given");
    for (char *p = err; err && err_size && *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) *p = '?';
    json_decref(doc);
}

/* ---- the identity ---- */

void keep_identity_free(struct keep_identity *id)
{
    if (!id) return;
    chain_clear(id);
    EVP_PKEY_free(id->key); /* OpenSSL clears EC private keys when freeing them */
    memset(id, 0, sizeof(*id));
}

/* The key: the caller's (referenced), or a new one for the platform. */
static int identity_key(const struct keep_identity_opts *o, enum attest_platform platform,
                        struct keep_identity *out)
{
    if (o && o->key) {
        if (EVP_PKEY_up_ref(o->key) != 1) return -ENOMEM;
        out->key = o->key;
        return 0;
    }
    out->key =
        EVP_PKEY_Q_keygen(NULL, NULL, "EC", platform == ATTEST_PLATFORM_SNP ? "P-384" : "P-256");
    return out->key ? 0 : -ENOMEM;
}

/* Steps 1-3: provider, key, evidence, CSR. */
static int make_csr(const struct keep_identity_opts *o, struct keep_identity *out, uint8_t **csr,
                    size_t *csr_size, char *err, size_t err_size)
{
    const struct attest_provider_env *env = o ? o->provider : NULL;
    char why[256];
    enum attest_provider p = attest_provider_detect(env, why, sizeof(why));
    enum attest_platform platform = attest_provider_platform(p);
    log_info("identity: evidence from %s (%s)", attest_provider_name(p), why);
    out->provider = (int)p;
    uint8_t rd[64];
    struct attest_evidence ev = {0};
    struct attest_error aerr = {{0}};
    int rc = identity_key(o, platform, out);
    if (rc == 0) rc = attest_binding_report_data(platform, out->key, rd);
    if (rc < 0) {
        keep_set_err(err, err_size, "identity: cannot make the Keep's key");
        return rc;
    }
    /* Simulated evidence is signed with a P-256 key: the Keep's own when it is one. */
    EVP_PKEY *sim_key = out->key;
    if (p == ATTEST_PROVIDER_SIM && EVP_PKEY_get_bits(out->key) != 256)
        sim_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    rc = sim_key ? attest_provider_get(env, p, rd, sim_key, &ev, &aerr) : -ENOMEM;
    if (rc == 0) rc = attest_csr_make(out->key, &ev, csr, csr_size, &aerr);
    if (rc < 0)
        keep_set_err(err, err_size, "identity: %s evidence: %s", attest_provider_name(p),
                     aerr.msg[0] ? aerr.msg : strerror(-rc));
    if (sim_key != out->key) EVP_PKEY_free(sim_key);
    attest_evidence_free(&ev);
    return rc;
}

/* Steps 4-5: the Steward's answer into out's chain. */
static int exchange(const char *url, const struct keep_url *u, const struct keep_identity_opts *o,
                    const uint8_t *csr, size_t csr_size, struct keep_identity *out, char *err,
                    size_t err_size)
{
    int timeout = o && o->timeout_ms > 0 ? o->timeout_ms : KEEP_IDENTITY_TIMEOUT_MS;
    struct reply r = {0};
    long status = 0;
    int rc = steward_post(url, u, o, timeout, csr, csr_size, &r, &status, err, err_size);
    if (rc == 0 && status >= 400 && status < 500) {
        refusal_message(url, status, &r, err, err_size);
        rc = -EACCES;
    } else if (rc == 0 && status != 200) {
        keep_set_err(err, err_size, "the Steward at %s answered HTTP %ld", url, status);
        rc = status >= 500 ? -ECONNREFUSED : -EPROTO;
    }
    if (rc == 0) rc = keep_pkipath_parse(r.buf, r.size, out->key, out, err, err_size);
    free(r.buf);
    return rc;
}

int keep_identity_obtain(const char *steward_url, const struct keep_identity_opts *opts,
                         struct keep_identity *out, char *err, size_t err_size)
{
    uint8_t *csr = NULL;
    size_t csr_size = 0;
    memset(out, 0, sizeof(*out));
    struct keep_url u;
    int rc = steward_url_parse(steward_url, &u, err, err_size);
    if (rc == 0) rc = make_csr(opts, out, &csr, &csr_size, err, err_size);
    if (rc == 0) rc = exchange(steward_url, &u, opts, csr, csr_size, out, err, err_size);
    free(csr);
    if (rc < 0) {
        keep_identity_free(out);
        return rc;
    }
    log_info("identity: certified by the Steward at %s (%zu certificates)", steward_url,
             out->chain_count);
    return 0;
}

int keep_identity_tls(const struct keep_config *cfg, const char *name,
                      const struct keep_identity_opts *opts, struct keep_tls_identity **out,
                      char *err, size_t err_size)
{
    struct keep_tls_identity *tid = NULL;
    struct keep_identity id = {0};
    *out = NULL;
    int rc = keep_tls_identity_self_signed(name, &tid);
    if (rc < 0) {
        keep_set_err(err, err_size, "identity: cannot make a TLS key named '%s'", name);
        return rc;
    }
    if (cfg && cfg->steward) {
        /* The TLS identity makes its own P-256 key: certify that key, whatever the platform. */
        struct keep_identity_opts o = opts ? *opts : (struct keep_identity_opts){0};
        o.key = keep_tls_identity_key(tid);
        rc = keep_identity_obtain(cfg->steward, &o, &id, err, err_size);
        if (rc == 0) {
            rc = keep_tls_identity_set_chain(tid, (const uint8_t *const *)id.chain, id.chain_size,
                                             id.chain_count);
            if (rc < 0) keep_set_err(err, err_size, "identity: TLS refused the Steward's chain");
        }
        keep_identity_free(&id);
    } else {
        log_info("identity: no steward in Enarx.toml: self-signed certificate");
    }
    if (rc < 0) {
        keep_tls_identity_free(tid);
        return rc;
    }
    *out = tid;
    return 0;
}
