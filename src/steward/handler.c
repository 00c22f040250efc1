/* SPDX-License-Identifier: Apache-2.0 */
/*
 * handler.c - one Steward request, from CSR bytes to an HTTP status and body, with no sockets:
 * the server calls it from any of its threads, and unit tests and the fuzzer call it directly.
 *
 * The order of the checks is the order of the answers a Keep can get:
 *   413 too-large        more than STEWARD_MAX_CSR_SIZE bytes (the server already stops reading)
 *   400 malformed        not a DER PKCS#10 CSR, no or several evidence extensions, evidence
 *                        whose structure is wrong, or a key type no TLS stack would use
 *   403 invalid-evidence the CSR signature, the evidence signature or chain, a CRL, the time,
 *                        or the binding of REPORT_DATA to the CSR's key does not verify
 *   403 refused          genuine evidence that the owner's policy refuses (the rule is named)
 *   500 internal         out of memory, or the CA certificate itself is not valid now
 *   200                  the DER PkiPath (application/pkix-pkipath)
 * Every refusal is logged (warn) with the peer, the reason and the rule; every issuance (info)
 * with the serial and the claims that matter; every issuance to simulated evidence (warn).
 *
 * struct steward is read-only here, so concurrent calls need no lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "steward/internal.h"

#define CT_JSON "application/json"
#define CT_PKIPATH "application/pkix-pkipath"

void steward_reply_free(struct steward_reply *reply)
{
    free(reply->body);
    memset(reply, 0, sizeof(*reply));
}

/* JSON strings must be UTF-8: anything but printable ASCII becomes '?'. */
static void sanitize(const char *in, char *out, size_t size)
{
    size_t i = 0;
    for (; in && in[i] && i + 1 < size; i++)
        out[i] = (in[i] >= 0x20 && in[i] < 0x7f) ? in[i] : '?';
    out[i] = '\0';
}

static int reply_json(struct steward_reply *reply, unsigned status, json_t *doc)
{
    size_t size = doc ? json_dumpb(doc, NULL, 0, JSON_COMPACT) : 0;
    uint8_t *buf = size ? malloc(size + 1) : NULL;
    if (!buf || json_dumpb(doc, (char *)buf, size, JSON_COMPACT) != size) {
        free(buf);
        json_decref(doc);
        return -ENOMEM;
    }
    buf[size] = '\n';
    json_decref(doc);
    reply->status = status;
    reply->content_type = CT_JSON;
    reply->body = buf;
    reply->body_size = size + 1;
    return 0;
}

int steward_reply_error(struct steward_reply *reply, unsigned status, const char *kind,
                        const char *reason, const char *rule)
{
    char clean[300];
    sanitize(reason, clean, sizeof(clean));
    json_t *doc = json_pack("{s:s, s:s}", "error", kind, "reason", clean);
    if (doc && rule) {
        char r[64];
        sanitize(rule, r, sizeof(r));
        if (json_object_set_new(doc, "rule", json_string(r)) < 0) {
            json_decref(doc);
            doc = NULL;
        }
    }
    memset(reply, 0, sizeof(*reply));
    return reply_json(reply, status, doc);
}

int steward_reply_health(const struct steward *s, struct steward_reply *reply)
{
    json_t *doc = json_pack("{s:s, s:s, s:b}", "status", "ok", "service", "enarx-steward",
                            "allow_sim", s->policy.allow_sim);
    memset(reply, 0, sizeof(*reply));
    return reply_json(reply, 200, doc);
}

/* Logs a refusal and builds its answer. */
static int refuse(struct steward_reply *r, const char *peer, unsigned status, const char *kind,
                  const char *reason, const char *rule)
{
    log_warn("%s: refused (%u %s%s%s): %s", peer, status, kind, rule ? ", rule " : "",
             rule ? rule : "", reason);
    return steward_reply_error(r, status, kind, reason, rule);
}

static X509_REQ *parse_der(const uint8_t *buf, size_t size)
{
    const unsigned char *p = buf;
    X509_REQ *req = size ? d2i_X509_REQ(NULL, &p, (long)size) : NULL;
    if (req && p != buf + size) {
        X509_REQ_free(req);
        req = NULL;
    }
    ERR_clear_error();
    return req;
}

static const char *code_name(int rc)
{
    switch (rc) {
    case ATTEST_E_MALFORMED: return "malformed";
    case ATTEST_E_SIGNATURE: return "signature";
    case ATTEST_E_EXPIRED: return "expired";
    case ATTEST_E_REVOKED: return "revoked";
    case ATTEST_E_NOKEY: return "no-trust-anchor";
    case ATTEST_E_FORMAT: return "format";
    default: return "evidence";
    }
}

static void log_issued(const char *peer, X509 *cert, const struct attest_claims *c)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
    char *serial = bn ? BN_bn2hex(bn) : NULL;
    char meas[97] = "";
    if (c->measurement_size && c->measurement_size <= sizeof(c->measurement))
        attest_hex(c->measurement, c->measurement_size, meas, sizeof(meas));
    log_info("%s: issued serial %s: platform %s%s%s, format %s, measurement %s", peer,
             serial ? serial : "?", attest_platform_name(c->platform), c->product[0] ? " " : "",
             c->product, c->format, meas[0] ? meas : "-");
    if (c->platform == ATTEST_PLATFORM_SIM)
        log_warn("%s: issued a certificate to SIMULATED evidence (insecure: no TEE was involved)",
                 peer);
    OPENSSL_free(serial);
    BN_free(bn);
}

static int issue(const struct steward *s, X509_REQ *req, const struct attest_claims *claims,
                 const char *peer, struct steward_reply *r)
{
    struct steward_issue_opts o = {(const char *const *)s->hosts, s->host_count, s->lifetime, 0};
    X509 *cert = NULL;
    int rc = steward_issue(s->ca, req, claims, &o, &r->body, &r->body_size, &cert);
    if (rc == -EINVAL)
        return refuse(r, peer, 400, "malformed",
                      "the CSR's key is not EC P-256/P-384/P-521, RSA 2048+ or Ed25519", NULL);
    if (rc == -EKEYEXPIRED) {
        log_error("the CA certificate is not valid now: no certificate can be issued");
        return steward_reply_error(r, 500, "internal", "the CA certificate is not valid now", NULL);
    }
    if (rc < 0) return steward_reply_error(r, 500, "internal", "out of memory", NULL);
    log_issued(peer, cert, claims);
    X509_free(cert);
    r->status = 200;
    r->content_type = CT_PKIPATH;
    return 0;
}

static int verify_and_issue(const struct steward *s, X509_REQ *req, const uint8_t *csr, size_t size,
                            const char *peer, struct steward_reply *r)
{
    struct attest_verify_opts opts = {s->roots, NULL, NULL, 0, NULL, s->verify_at};
    struct attest_claims claims;
    struct attest_error err = {{0}};
    memset(&claims, 0, sizeof(claims));
    if (s->verify_at)
        log_warn("%s: INSECURE: verified at the pinned time of --insecure-verify-at", peer);
    int rc = attest_csr_verify(csr, size, &opts, &claims, &err);
    if (rc == -ENOMEM) return steward_reply_error(r, 500, "internal", "out of memory", NULL);
    if (rc == ATTEST_E_MALFORMED || rc == ATTEST_E_FORMAT)
        return refuse(r, peer, 400, "malformed", err.msg, code_name(rc));
    if (rc < 0) return refuse(r, peer, 403, "invalid-evidence", err.msg, code_name(rc));
    struct attest_decision d;
    attest_policy_check(&s->policy, &claims, &d);
    if (!d.allowed)
        return refuse(r, peer, 403, "refused", d.detail[0] ? d.detail : "refused by the policy",
                      d.rule);
    if (d.insecure[0]) log_warn("%s: INSECURE: allowed only by the policy's %s", peer, d.insecure);
    if (s->any_measurement && claims.platform != ATTEST_PLATFORM_KVM)
        log_warn("%s: INSECURE: issuing without a measurement allow-list for every platform "
                 "(the policy lacks one; see the warning at start)",
                 peer);

    return issue(s, req, &claims, peer, r);
}

int steward_handle_csr(const struct steward *s, const uint8_t *csr, size_t size, const char *peer,
                       struct steward_reply *reply)
{
    memset(reply, 0, sizeof(*reply));
    if (!peer) peer = "-";
    if (size > STEWARD_MAX_CSR_SIZE)
        return refuse(reply, peer, 413, "too-large", "the CSR is larger than 65536 bytes", NULL);
    X509_REQ *req = parse_der(csr, size);
    if (!req)
        return refuse(reply, peer, 400, "malformed", "the body is not a DER PKCS#10 CSR", NULL);
    int rc = verify_and_issue(s, req, csr, size, peer, reply);
    X509_REQ_free(req);
    ERR_clear_error();
    return rc;
}
