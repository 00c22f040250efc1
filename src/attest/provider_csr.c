/* SPDX-License-Identifier: Apache-2.0 */
/*
 * provider_csr.c - from a Keep's key and evidence to the PKCS#10 CSR a Steward certifies, and
 * the verifier side of the two evidence extensions this project defines (TDX, simulated).
 *
 * The binding is Enarx's: REPORT_DATA starts with the hash of the CSR's SubjectPublicKeyInfo
 * DER (SHA-384 for SNP, SHA-256 for everything else) and the rest is zero, so evidence cannot
 * be moved to a CSR for another key. attest_csr_verify() checks it on the Steward's side.
 *
 * Extension values (DER, built here by hand: they are two or three TLVs):
 *   SNP  1.3.6.1.4.1.58270.1.3        SEQUENCE { vcek Certificate, report OCTET STRING }
 *        (Enarx's own layout, in the form without CRLs: the Keep has no network to fetch them)
 *   TDX  ATTEST_OID_TDX_EVIDENCE      SEQUENCE { quote OCTET STRING }
 *   sim  ATTEST_OID_SIM_EVIDENCE      SEQUENCE { evidence OCTET STRING }
 * The TDX and simulated layouts follow the shape of Enarx's SGX value (a SEQUENCE whose first
 * element is the evidence as an OCTET STRING), so that further elements (collateral) can be
 * appended later without a new OID. Their OIDs are UUID OIDs (arc 2.25, ITU-T X.667).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "attest/der.h"
#include "attest/internal.h"
#include "attest/verify_internal.h"

#define CSR_SUBJECT_CN "enarx-keep"
#define DER_MAX_HEADER 6u

int attest_binding_report_data(enum attest_platform platform, EVP_PKEY *key, uint8_t out[64])
{
    unsigned char *spki = NULL;
    int n = key ? i2d_PUBKEY(key, &spki) : -1;
    if (n <= 0) return -EINVAL;
    const EVP_MD *md = platform == ATTEST_PLATFORM_SNP ? EVP_sha384() : EVP_sha256();
    memset(out, 0, 64);
    int rc = attest_digest(md, spki, (size_t)n, out) < 0 ? -ENOMEM : 0;
    OPENSSL_free(spki);
    return rc;
}

/* Writes a DER tag and definite length; returns the header's size. */
static size_t der_header(uint8_t *out, uint8_t tag, size_t len)
{
    out[0] = tag;
    if (len < 0x80) {
        out[1] = (uint8_t)len;
        return 2;
    }
    size_t n = len > 0xffffff ? 4 : len > 0xffff ? 3 : len > 0xff ? 2 : 1;
    out[1] = (uint8_t)(0x80 | n);
    for (size_t i = 0; i < n; i++)
        out[2 + i] = (uint8_t)(len >> (8 * (n - 1 - i)));
    return 2 + n;
}

/* SEQUENCE { [prefix as is], OCTET STRING body }: prefix may be NULL. */
static int der_seq_octets(const uint8_t *prefix, size_t prefix_size, const uint8_t *body,
                          size_t body_size, uint8_t **out, size_t *out_size)
{
    uint8_t oh[DER_MAX_HEADER], sh[DER_MAX_HEADER];
    if (body_size > UINT32_MAX / 2 || prefix_size > UINT32_MAX / 2) return -EINVAL;
    size_t ohs = der_header(oh, DER_OCTET_STRING, body_size);
    size_t inner = prefix_size + ohs + body_size;
    size_t shs = der_header(sh, DER_SEQUENCE, inner);
    uint8_t *buf = malloc(shs + inner);
    if (!buf) return -ENOMEM;
    memcpy(buf, sh, shs);
    if (prefix_size) memcpy(buf + shs, prefix, prefix_size);
    memcpy(buf + shs + prefix_size, oh, ohs);
    memcpy(buf + shs + prefix_size + ohs, body, body_size);
    *out = buf;
    *out_size = shs + inner;
    return 0;
}

/* The VCEK or VLEK that signed an SNP report, from the host's certificate table. */
static int snp_signer(const struct attest_evidence *ev, const uint8_t **cert, size_t *size,
                      struct attest_error *err)
{
    struct attest_snp_report r;
    int rc = attest_snp_report_parse(ev->report, ev->report_size, &r, err);
    if (rc < 0) return rc;
    unsigned signing = (r.key_info >> 2) & 7u;
    enum attest_snp_cert_kind kind =
        signing == ATTEST_SNP_SIGNING_VLEK ? ATTEST_SNP_CERT_VLEK : ATTEST_SNP_CERT_VCEK;
    rc = attest_snp_certs_find(ev->certs, ev->certs_size, kind, cert, size, err);
    if (rc == -ENOENT)
        return attest_fail(err, -ENOENT,
                           "SNP: the host's certificate table has no %s (the Keep cannot fetch "
                           "it from AMD: ask the host to provide it)",
                           kind == ATTEST_SNP_CERT_VLEK ? "VLEK" : "VCEK");
    if (rc < 0) return rc;
    const unsigned char *p = *cert;
    X509 *x = d2i_X509(NULL, &p, (long)*size);
    bool exact = x && p == *cert + *size;
    X509_free(x);
    ERR_clear_error();
    if (!exact)
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "SNP: the host's signing certificate is not one DER certificate");
    return 0;
}

/* The evidence extension for ev: its OID and DER value (malloc'd). */
static int ext_value(const struct attest_evidence *ev, const char **oid, uint8_t **val,
                     size_t *size, struct attest_error *err)
{
    const uint8_t *cert = NULL;
    size_t cert_size = 0;
    switch (ev->platform) {
    case ATTEST_PLATFORM_SNP: {
        int rc = snp_signer(ev, &cert, &cert_size, err);
        if (rc < 0) return rc;
        *oid = ATTEST_OID_ENARX_SNP;
        break;
    }
    case ATTEST_PLATFORM_TDX: *oid = ATTEST_OID_TDX_EVIDENCE; break;
    case ATTEST_PLATFORM_SIM: *oid = ATTEST_OID_SIM_EVIDENCE; break;
    default: return attest_fail(err, -EINVAL, "no evidence to put in a CSR");
    }
    return der_seq_octets(cert, cert_size, ev->report, ev->report_size, val, size);
}

static int req_add_ext(X509_REQ *req, const char *oid, const uint8_t *val, size_t size)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
    X509_EXTENSION *ext = NULL;
    int ok = obj && os && exts && size <= INT32_MAX && ASN1_OCTET_STRING_set(os, val, (int)size) &&
             (ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os)) != NULL &&
             sk_X509_EXTENSION_push(exts, ext) > 0;
    if (ok) ext = NULL; /* owned by exts */
    ok = ok && X509_REQ_add_extensions(req, exts) == 1;
    X509_EXTENSION_free(ext);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(obj);
    return ok ? 0 : -ENOMEM;
}

static int req_to_der(X509_REQ *req, uint8_t **der, size_t *der_size)
{
    unsigned char *buf = NULL;
    int n = i2d_X509_REQ(req, &buf);
    if (n <= 0) return -ENOMEM;
    *der = malloc((size_t)n);
    if (*der) {
        memcpy(*der, buf, (size_t)n);
        *der_size = (size_t)n;
    }
    OPENSSL_free(buf);
    return *der ? 0 : -ENOMEM;
}

int attest_csr_make(EVP_PKEY *key, const struct attest_evidence *ev, uint8_t **der,
                    size_t *der_size, struct attest_error *err)
{
    const char *oid = NULL;
    uint8_t *val = NULL;
    size_t val_size = 0;
    if (!key || !ev || !ev->report) return attest_fail(err, -EINVAL, "CSR: no key or evidence");
    int rc = ext_value(ev, &oid, &val, &val_size, err);
    if (rc < 0) return rc;
    X509_REQ *req = X509_REQ_new();
    X509_NAME *name = req ? X509_REQ_get_subject_name(req) : NULL;
    const EVP_MD *md = EVP_PKEY_get_bits(key) >= 384 ? EVP_sha384() : EVP_sha256();
    rc = -ENOMEM;
    if (!name || !X509_REQ_set_version(req, X509_REQ_VERSION_1) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                    (const unsigned char *)CSR_SUBJECT_CN, -1, -1, 0) ||
        X509_REQ_set_pubkey(req, key) != 1)
        goto out;
    rc = req_add_ext(req, oid, val, val_size);
    if (rc < 0) goto out;
    rc = X509_REQ_sign(req, key, md) > 0 ? req_to_der(req, der, der_size) : -EINVAL;
out:
    if (rc < 0) attest_fail(err, rc, "CSR: OpenSSL could not build it");
    X509_REQ_free(req);
    free(val);
    ERR_clear_error();
    return rc;
}

/* The OCTET STRING of SEQUENCE { OCTET STRING }, exactly. */
static int ext_octets(const uint8_t *val, size_t size, const char *what, const uint8_t **inner,
                      size_t *inner_size, struct attest_error *err)
{
    struct der_cursor c, s;
    struct der_elem seq, os;
    der_init(&c, val, size);
    if (!val || der_expect(&c, DER_SEQUENCE, &seq) < 0 || !der_at_end(&c))
        return attest_fail(err, ATTEST_E_MALFORMED, "%s evidence extension: not one SEQUENCE",
                           what);
    der_enter(&seq, &s);
    if (der_expect(&s, DER_OCTET_STRING, &os) < 0 || !der_at_end(&s) || os.len == 0)
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "%s evidence extension: expected SEQUENCE { OCTET STRING }", what);
    *inner = os.val;
    *inner_size = os.len;
    return 0;
}

int attest_ext_tdx_verify(const uint8_t *val, size_t size, const struct attest_verify_opts *opts,
                          struct attest_claims *claims, struct attest_error *err)
{
    const uint8_t *quote = NULL;
    size_t quote_size = 0;
    int rc = ext_octets(val, size, "TDX", &quote, &quote_size, err);
    if (rc < 0) return rc;
    rc = attest_dcap_verify_quote(quote, quote_size, opts, claims, err);
    if (rc == 0 && claims->platform != ATTEST_PLATFORM_TDX)
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "TDX evidence extension: the quote is not a TDX quote");
    return rc;
}

int attest_ext_sim_verify(const uint8_t *val, size_t size, struct attest_claims *claims,
                          struct attest_error *err)
{
    const uint8_t *ev = NULL;
    size_t ev_size = 0;
    int rc = ext_octets(val, size, "simulated", &ev, &ev_size, err);
    if (rc < 0) return rc;
    return attest_sim_verify(ev, ev_size, claims, err);
}
