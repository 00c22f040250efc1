/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcap.c - Intel DCAP quote verification: SGX quote v3, TDX quote v4/v5 (see dcap.h for the API
 * and the order of the checks).
 *
 * Layout (all integers little-endian), as Intel's "SGX ECDSA Quote Library API" and "TDX DCAP
 * Quoting Library API" documents define it:
 *
 *   header (48): version u16, att_key_type u16 (2: ECDSA P-256), tee_type u32 (0 SGX, 0x81 TDX;
 *                reserved and 0 in v3), qe_svn u16, pce_svn u16, qe_vendor_id[16], user_data[20]
 *   v5 only:     body_type u16 (1 SGX, 2 TDX 1.0, 3 TDX 1.5), body_size u32
 *   body:        SGX report 384, TDX 1.0 report 584, TDX 1.5 report 648
 *   sig_size u32, then sig_size bytes of signature data:
 *       signature r||s [64], attestation key x||y [64], then
 *       v3:    QE report [384], QE report signature [64], auth_size u16, auth data,
 *              cert type u16 (5), cert size u32, PEM chain
 *       v4/v5: cert type u16 (6), cert size u32, { QE report, QE signature, auth data,
 *              cert type u16 (5), cert size u32, PEM chain }
 *
 * The parser is a bounded cursor over the input: every field is read through take(), which
 * refuses to go past the window it was given, and each nested length must consume its window
 * exactly. Bytes after the signature data are ignored (real quotes carry padding there), which is
 * safe because nothing after sig_size is signed or used.
 *
 * Costs: one P-256 verification for the quote, one for the QE report, two or three for the PCK
 * chain (X509_verify_cert), one per CRL and per collateral document. No allocation depends on
 * anything but the input's size (the PEM chain is at most the quote's size).
 */
#include "attest/dcap.h"
#include "attest/internal.h"
#include "attest/verify_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "attest/cache.h"
#include "attest/der.h"

const uint8_t ATTEST_DCAP_INTEL_ROOT_SHA256[32] = {
    0x44, 0xa0, 0x19, 0x6b, 0x2b, 0x99, 0xf8, 0x89, 0xb8, 0xe1, 0x49, 0xe9, 0x5b, 0x80, 0x7a, 0x35,
    0x0e, 0x74, 0x24, 0x96, 0x43, 0x99, 0xe8, 0x85, 0xa7, 0xcb, 0xb8, 0xcc, 0xfa, 0xb6, 0x74, 0xd3,
};

static const uint8_t INTEL_QE_VENDOR_ID[16] = {0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
                                               0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07};

#define HEADER_SIZE 48u
#define SGX_REPORT_SIZE 384u
#define TDX10_REPORT_SIZE 584u
#define TDX15_REPORT_SIZE 648u
#define ATT_KEY_ECDSA_P256 2u
#define CERT_TYPE_PCK_CHAIN 5u
#define CERT_TYPE_QE_REPORT 6u
#define MAX_CHAIN_CERTS 8
#define SGX_FLAGS_DEBUG 0x2u
#define TDX_TD_ATTR_DEBUG 0x1u

/* The pieces of a quote, as windows into the caller's buffer. */
struct quote_view {
    uint16_t version;
    uint32_t tee_type;
    enum attest_dcap_body body_kind;
    const uint8_t *body;
    size_t body_size;
    size_t signed_size;       /* header (+ v5 descriptor) + body */
    const uint8_t *sig;       /* 64 */
    const uint8_t *att_key;   /* 64 */
    const uint8_t *qe_report; /* 384 */
    const uint8_t *qe_sig;    /* 64 */
    const uint8_t *auth;
    size_t auth_size;
    const uint8_t *pem;
    size_t pem_size;
};

/* A bounded window, with the offset of its start in the quote for error messages. */
struct win {
    const uint8_t *p;
    size_t left;
    size_t off;
};

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32);
}

/* Takes n bytes from w into *out; -EBADMSG (with what) when fewer remain. */
static int take(struct win *w, size_t n, const uint8_t **out, const char *what,
                struct attest_error *err)
{
    if (w->left < n)
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "quote: %s at offset %zu needs %zu bytes, only %zu remain", what, w->off,
                           n, w->left);
    *out = w->p;
    w->p += n;
    w->left -= n;
    w->off += n;
    return 0;
}

static int take16(struct win *w, uint16_t *v, const char *what, struct attest_error *err)
{
    const uint8_t *p = NULL;
    int rc = take(w, 2, &p, what, err);
    if (rc == 0) *v = rd16(p);
    return rc;
}

static int take32(struct win *w, uint32_t *v, const char *what, struct attest_error *err)
{
    const uint8_t *p = NULL;
    int rc = take(w, 4, &p, what, err);
    if (rc == 0) *v = rd32(p);
    return rc;
}

/* Splits w into a sub-window of n bytes (and advances w past it). */
static int sub(struct win *w, size_t n, struct win *inner, const char *what,
               struct attest_error *err)
{
    size_t off = w->off;
    const uint8_t *p = NULL;
    int rc = take(w, n, &p, what, err);
    if (rc == 0) *inner = (struct win){.p = p, .left = n, .off = off};
    return rc;
}

static const char *tee_name(uint32_t tee)
{
    return tee == ATTEST_DCAP_TEE_TDX ? "TDX" : "SGX";
}

/* Header checks: version, key type, TEE type, QE vendor. */
static int parse_header(const uint8_t *h, struct quote_view *v, struct attest_error *err)
{
    v->version = rd16(h);
    v->tee_type = rd32(h + 4);
    if (v->version < 3 || v->version > 5)
        return attest_fail(err, ATTEST_E_FORMAT, "quote: version %u at offset 0 is not 3, 4 or 5",
                           v->version);
    if (rd16(h + 2) != ATT_KEY_ECDSA_P256)
        return attest_fail(err, ATTEST_E_FORMAT,
                           "quote: attestation key type %u at offset 2 is not 2 (ECDSA P-256)",
                           rd16(h + 2));
    if (v->tee_type != ATTEST_DCAP_TEE_SGX && v->tee_type != ATTEST_DCAP_TEE_TDX)
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "quote: TEE type 0x%x at offset 4 is not 0 or 0x81", v->tee_type);
    if (v->version == 3 && v->tee_type != ATTEST_DCAP_TEE_SGX)
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "quote: v3 reserved field at offset 4 is not zero");
    if (memcmp(h + 12, INTEL_QE_VENDOR_ID, 16) != 0)
        return attest_fail(err, ATTEST_E_FORMAT, "quote: QE vendor ID at offset 12 is not Intel's");
    return 0;
}

/* The body's kind and size: implied by the TEE type (v3, v4), or a v5 descriptor. */
static int parse_body_kind(struct win *w, struct quote_view *v, struct attest_error *err)
{
    if (v->version < 5) {
        v->body_kind =
            v->tee_type == ATTEST_DCAP_TEE_TDX ? ATTEST_DCAP_BODY_TDX10 : ATTEST_DCAP_BODY_SGX;
        v->body_size = v->tee_type == ATTEST_DCAP_TEE_TDX ? TDX10_REPORT_SIZE : SGX_REPORT_SIZE;
        return 0;
    }
    uint16_t type = 0;
    uint32_t size = 0;
    int rc = take16(w, &type, "v5 body type", err);
    if (rc == 0) rc = take32(w, &size, "v5 body size", err);
    if (rc < 0) return rc;
    static const size_t sizes[4] = {0, SGX_REPORT_SIZE, TDX10_REPORT_SIZE, TDX15_REPORT_SIZE};
    if (type < 1 || type > 3 || size != sizes[type])
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "quote: v5 body type %u with size %u at offset 48 is not SGX/384, "
                           "TDX1.0/584 or TDX1.5/648",
                           type, size);
    if ((type == ATTEST_DCAP_BODY_SGX) != (v->tee_type == ATTEST_DCAP_TEE_SGX))
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "quote: v5 body type %u does not match TEE type %s", type,
                           tee_name(v->tee_type));
    v->body_kind = (enum attest_dcap_body)type;
    v->body_size = size;
    return 0;
}

/* Certification data: type u16, size u32, then exactly size bytes. */
static int parse_cert_data(struct win *w, uint16_t want, struct win *data, struct attest_error *err)
{
    uint16_t type = 0;
    uint32_t size = 0;
    size_t off = w->off;
    int rc = take16(w, &type, "certification data type", err);
    if (rc == 0) rc = take32(w, &size, "certification data size", err);
    if (rc < 0) return rc;
    if (type != want)
        return attest_fail(err, ATTEST_E_FORMAT,
                           "quote: certification data type %u at offset %zu, expected %u", type,
                           off, want);
    rc = sub(w, size, data, "certification data", err);
    if (rc == 0 && w->left != 0)
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "quote: %zu unexpected bytes after certification data at offset %zu",
                           w->left, w->off);
    return rc;
}

/* QE report, its signature, auth data, then the type-5 PEM chain (ends the window exactly). */
static int parse_qe_part(struct win *w, struct quote_view *v, struct attest_error *err)
{
    uint16_t auth_size = 0;
    int rc = take(w, SGX_REPORT_SIZE, &v->qe_report, "QE report", err);
    if (rc == 0) rc = take(w, 64, &v->qe_sig, "QE report signature", err);
    if (rc == 0) rc = take16(w, &auth_size, "QE auth data size", err);
    if (rc == 0) rc = take(w, auth_size, &v->auth, "QE auth data", err);
    if (rc < 0) return rc;
    v->auth_size = auth_size;
    struct win chain;
    rc = parse_cert_data(w, CERT_TYPE_PCK_CHAIN, &chain, err);
    if (rc < 0) return rc;
    if (chain.left == 0)
        return attest_fail(err, ATTEST_E_MALFORMED, "quote: empty PCK chain at offset %zu",
                           chain.off);
    v->pem = chain.p;
    v->pem_size = chain.left;
    return 0;
}

static int parse_sig_data(struct win *w, struct quote_view *v, struct attest_error *err)
{
    int rc = take(w, 64, &v->sig, "quote signature", err);
    if (rc == 0) rc = take(w, 64, &v->att_key, "attestation key", err);
    if (rc < 0) return rc;
    if (v->version == 3) return parse_qe_part(w, v, err);
    struct win inner;
    rc = parse_cert_data(w, CERT_TYPE_QE_REPORT, &inner, err);
    if (rc < 0) return rc;
    return parse_qe_part(&inner, v, err);
}

/* Splits a quote into its parts by its own length fields; no cryptography. */
static int quote_parse(const uint8_t *q, size_t size, struct quote_view *v,
                       struct attest_error *err)
{
    struct win w = {.p = q, .left = size, .off = 0};
    const uint8_t *hdr = NULL;
    memset(v, 0, sizeof(*v));
    int rc = take(&w, HEADER_SIZE, &hdr, "header", err);
    if (rc == 0) rc = parse_header(hdr, v, err);
    if (rc == 0) rc = parse_body_kind(&w, v, err);
    if (rc == 0) rc = take(&w, v->body_size, &v->body, "report body", err);
    if (rc < 0) return rc;
    v->signed_size = w.off;
    uint32_t sig_size = 0;
    struct win sig;
    rc = take32(&w, &sig_size, "signature data size", err);
    if (rc == 0) rc = sub(&w, sig_size, &sig, "signature data", err);
    if (rc == 0) rc = parse_sig_data(&sig, v, err);
    if (rc == 0 && sig.left != 0)
        return attest_fail(err, ATTEST_E_MALFORMED, "quote: %zu unexpected bytes in signature data",
                           sig.left);
    return rc;
}

bool attest_dcap_looks_like_quote(const uint8_t *buf, size_t size)
{
    struct quote_view v;
    if (!buf || size < HEADER_SIZE + SGX_REPORT_SIZE + 4) return false;
    return parse_header(buf, &v, NULL) == 0;
}

/* ---- claims from the bodies ---- */

static void sgx_body_claims(const uint8_t *b, struct attest_dcap_claims *c)
{
    memcpy(c->sgx.cpu_svn, b, 16);
    c->sgx.misc_select = rd32(b + 16);
    memcpy(c->sgx.isv_ext_prod_id, b + 32, 16);
    memcpy(c->sgx.attributes, b + 48, 16);
    memcpy(c->sgx.mr_enclave, b + 64, 32);
    memcpy(c->sgx.mr_signer, b + 128, 32);
    memcpy(c->sgx.config_id, b + 192, 64);
    c->sgx.isv_prod_id = rd16(b + 256);
    c->sgx.isv_svn = rd16(b + 258);
    c->sgx.config_svn = rd16(b + 260);
    memcpy(c->sgx.isv_family_id, b + 304, 16);
    memcpy(c->report_data, b + 320, 64);
    c->debug = (rd64(b + 48) & SGX_FLAGS_DEBUG) != 0;
}

static void tdx_body_claims(const uint8_t *b, size_t size, struct attest_dcap_claims *c)
{
    memcpy(c->tdx.tee_tcb_svn, b, 16);
    memcpy(c->tdx.mr_seam, b + 16, 48);
    memcpy(c->tdx.mr_signer_seam, b + 64, 48);
    c->tdx.seam_attributes = rd64(b + 112);
    c->tdx.td_attributes = rd64(b + 120);
    c->tdx.xfam = rd64(b + 128);
    memcpy(c->tdx.mr_td, b + 136, 48);
    memcpy(c->tdx.mr_config_id, b + 184, 48);
    memcpy(c->tdx.mr_owner, b + 232, 48);
    memcpy(c->tdx.mr_owner_config, b + 280, 48);
    for (size_t i = 0; i < 4; i++)
        memcpy(c->tdx.rtmr[i], b + 328 + 48 * i, 48);
    memcpy(c->report_data, b + 520, 64);
    if (size >= TDX15_REPORT_SIZE) {
        memcpy(c->tdx.tee_tcb_svn2, b + 584, 16);
        memcpy(c->tdx.mr_servicetd, b + 600, 48);
    }
    c->debug = (c->tdx.td_attributes & TDX_TD_ATTR_DEBUG) != 0;
}

static void qe_claims(const uint8_t *r, struct attest_dcap_claims *c)
{
    c->qe.misc_select = rd32(r + 16);
    memcpy(c->qe.attributes, r + 48, 16);
    memcpy(c->qe.mr_enclave, r + 64, 32);
    memcpy(c->qe.mr_signer, r + 128, 32);
    c->qe.isv_prod_id = rd16(r + 256);
    c->qe.isv_svn = rd16(r + 258);
}

static void quote_claims(const uint8_t *q, const struct quote_view *v, struct attest_dcap_claims *c)
{
    c->version = v->version;
    c->tee = (enum attest_dcap_tee)v->tee_type;
    c->body = v->body_kind;
    c->header_qe_svn = rd16(q + 8);
    c->header_pce_svn = rd16(q + 10);
    memcpy(c->qe_vendor_id, q + 12, 16);
    memcpy(c->user_data, q + 28, 20);
    if (v->body_kind == ATTEST_DCAP_BODY_SGX)
        sgx_body_claims(v->body, c);
    else
        tdx_body_claims(v->body, v->body_size, c);
    qe_claims(v->qe_report, c);
}

/* ---- cryptography ---- */

int attest_dcap_ecdsa_verify(EVP_PKEY *key, const uint8_t *data, size_t size, const uint8_t sig[64])
{
    int rc = -ENOMEM;
    uint8_t *der = NULL;
    ECDSA_SIG *s = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, 32, NULL), *ss = BN_bin2bn(sig + 32, 32, NULL);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!s || !r || !ss || !md) goto out;
    if (ECDSA_SIG_set0(s, r, ss) != 1) goto out;
    r = ss = NULL; /* owned by s now */
    int der_size = i2d_ECDSA_SIG(s, &der);
    if (der_size <= 0) goto out;
    rc = ATTEST_E_SIGNATURE;
    if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
        EVP_DigestVerify(md, der, (size_t)der_size, data, size) == 1)
        rc = 0;
out:
    ERR_clear_error();
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    BN_free(r);
    BN_free(ss);
    ECDSA_SIG_free(s);
    return rc;
}

/* The raw attestation key (x || y) as an EVP_PKEY; NULL if it is not a P-256 point. */
static EVP_PKEY *att_key_load(const uint8_t xy[64])
{
    uint8_t pub[65];
    pub[0] = 0x04;
    memcpy(pub + 1, xy, 64);
    char group[] = "prime256v1";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub)),
        OSSL_PARAM_construct_end(),
    };
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
        key = NULL;
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return key;
}

static bool is_p256(EVP_PKEY *key)
{
    char name[32];
    if (!key || !EVP_PKEY_is_a(key, "EC")) return false;
    if (EVP_PKEY_get_group_name(key, name, sizeof(name), NULL) != 1) return false;
    return strcmp(name, "prime256v1") == 0 || strcmp(name, "P-256") == 0;
}

/* QE report signature (PCK), binding of the attestation key, then the quote signature. */
static int quote_signatures(const uint8_t *q, const struct quote_view *v, X509 *pck,
                            struct attest_error *err)
{
    EVP_PKEY *pck_key = X509_get0_pubkey(pck);
    if (!is_p256(pck_key))
        return attest_fail(err, ATTEST_E_MALFORMED, "quote: PCK certificate key is not EC P-256");
    int rc = attest_dcap_ecdsa_verify(pck_key, v->qe_report, SGX_REPORT_SIZE, v->qe_sig);
    if (rc < 0)
        return rc == ATTEST_E_SIGNATURE
                   ? attest_fail(err, rc,
                                 "quote: QE report signature does not verify with the PCK key")
                   : rc;
    uint8_t hash[32];
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
              EVP_DigestUpdate(md, v->att_key, 64) == 1 &&
              EVP_DigestUpdate(md, v->auth, v->auth_size) == 1 &&
              EVP_DigestFinal_ex(md, hash, NULL) == 1;
    EVP_MD_CTX_free(md);
    if (!ok) return -ENOMEM;
    static const uint8_t zeros[32];
    const uint8_t *rd = v->qe_report + 320;
    if (CRYPTO_memcmp(hash, rd, 32) != 0 || memcmp(rd + 32, zeros, 32) != 0)
        return attest_fail(err, ATTEST_E_SIGNATURE,
                           "quote: QE REPORTDATA does not bind the attestation key "
                           "(SHA-256(key || auth data) || zeros expected)");
    EVP_PKEY *ak = att_key_load(v->att_key);
    if (!ak)
        return attest_fail(err, ATTEST_E_MALFORMED, "quote: attestation key is not a P-256 point");
    rc = attest_dcap_ecdsa_verify(ak, q, v->signed_size, v->sig);
    EVP_PKEY_free(ak);
    if (rc == ATTEST_E_SIGNATURE)
        return attest_fail(err, rc, "quote: signature over header and body does not verify");
    return rc;
}

/* ---- the Quoting Enclave's identity ---- */

/*
 * Intel's Quoting Enclaves, checked on every quote whether or not collateral is given: a quote is
 * only as good as the enclave that signed its attestation key, and the PCK certifies any enclave
 * of the platform (a host with flexible launch control can run its own "QE", have the PCE certify
 * its key, and sign any body). Values from Intel's signed QE identity documents:
 *   SGX QE: id "QE", MRSIGNER 8C4F5775...C57BFF, ISVPRODID 1; Intel's identity at
 *     tcbEvaluationDataNumber 17 lists ISVSVN 8 as UpToDate (tcbDate 2024-03-13), 6 and below as
 *     OutOfDate; the SGX quote in the shared vectors (sgx/trustee-occlum-debug) has a QE with
 *     exactly this MRSIGNER, ISVPRODID 1 and ISVSVN 8.
 *   TD QE: id "TD_QE", MRSIGNER DC9E2A7C...54A8C5, ISVPRODID 2, one level, ISVSVN 4 UpToDate
 *     (the signed identities in the shared vectors tdx/gotdx-spr-v4, tcbEvaluationDataNumber 15,
 *     and tdx/trustee-gnr-v4, 17; all three TDX quotes there carry this QE, ISVSVN 4 or 7).
 * Both identities require MISCSELECT 0 and ATTRIBUTES & FBFFFFFFFFFFFFFF (the flags; XFRM is not
 * masked in) == 11000000 00000000: INIT and PROVISIONKEY set, DEBUG clear (a debug QE would let the
 * host read the attestation key). The minimum ISVSVN is the UpToDate level: an older QE is
 * refused even without collateral (collateral may degrade the status further, never raise it).
 */
struct qe_identity {
    const char *name;
    uint16_t isv_prod_id;
    uint16_t min_isv_svn;
    uint8_t mr_signer[32];
};

static const struct qe_identity INTEL_SGX_QE = {
    "QE",
    1,
    8,
    {0x8c, 0x4f, 0x57, 0x75, 0xd7, 0x96, 0x50, 0x3e, 0x96, 0x13, 0x7f,
     0x77, 0xc6, 0x8a, 0x82, 0x9a, 0x00, 0x56, 0xac, 0x8d, 0xed, 0x70,
     0x14, 0x0b, 0x08, 0x1b, 0x09, 0x44, 0x90, 0xc5, 0x7b, 0xff},
};

static const struct qe_identity INTEL_TD_QE = {
    "TD_QE",
    2,
    4,
    {0xdc, 0x9e, 0x2a, 0x7c, 0x6f, 0x94, 0x8f, 0x17, 0x47, 0x4e, 0x34,
     0xa7, 0xfc, 0x43, 0xed, 0x03, 0x0f, 0x7c, 0x15, 0x63, 0xf1, 0xba,
     0xbd, 0xdf, 0x63, 0x40, 0xc8, 0x2e, 0x0e, 0x54, 0xa8, 0xc5},
};

static const uint8_t QE_ATTRIBUTES[8] = {0x11, 0, 0, 0, 0, 0, 0, 0};
static const uint8_t QE_ATTRIBUTES_MASK[8] = {0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* The QE report (already verified with the PCK) must be Intel's QE for this TEE type. */
static int qe_identity_check(const struct quote_view *v, struct attest_error *err)
{
    const struct qe_identity *id =
        v->tee_type == ATTEST_DCAP_TEE_TDX ? &INTEL_TD_QE : &INTEL_SGX_QE;
    const uint8_t *r = v->qe_report;
    uint16_t prod = rd16(r + 256), svn = rd16(r + 258);
    if (CRYPTO_memcmp(r + 128, id->mr_signer, 32) != 0)
        return attest_fail(err, ATTEST_DCAP_E_MISMATCH,
                           "quote: QE report MRSIGNER (offset 128 of the QE report) is not Intel's "
                           "%s signer: the attestation key was not made by Intel's Quoting Enclave",
                           id->name);
    if (prod != id->isv_prod_id)
        return attest_fail(err, ATTEST_DCAP_E_MISMATCH,
                           "quote: QE report ISVPRODID %u, Intel's %s is %u", prod, id->name,
                           id->isv_prod_id);
    for (size_t i = 0; i < 8; i++)
        if ((r[48 + i] & QE_ATTRIBUTES_MASK[i]) != QE_ATTRIBUTES[i])
            return attest_fail(err, ATTEST_DCAP_E_MISMATCH,
                               "quote: QE report ATTRIBUTES byte %zu is 0x%02x, Intel's %s has "
                               "0x%02x under mask 0x%02x (DEBUG must be clear)",
                               i, r[48 + i], id->name, QE_ATTRIBUTES[i], QE_ATTRIBUTES_MASK[i]);
    if (rd32(r + 16) != 0)
        return attest_fail(err, ATTEST_DCAP_E_MISMATCH,
                           "quote: QE report MISCSELECT 0x%08x, Intel's %s has 0", rd32(r + 16),
                           id->name);
    if (svn < id->min_isv_svn)
        return attest_fail(err, ATTEST_DCAP_E_MISMATCH,
                           "quote: QE ISVSVN %u is below %u, the oldest %s Intel lists as UpToDate",
                           svn, id->min_isv_svn, id->name);
    return 0;
}

/* ---- the PCK chain ---- */

/* True when the last PEM read stopped because no further PEM block exists (not a bad one). */
static bool pem_clean_end(void)
{
    unsigned long e = ERR_peek_last_error();
    return ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
}

int attest_dcap_pem_certs(const uint8_t *pem, size_t size, int max, STACK_OF(X509) * *out)
{
    if (size > INT32_MAX) return ATTEST_E_MALFORMED;
    BIO *bio = BIO_new_mem_buf(pem, (int)size);
    STACK_OF(X509) *sk = sk_X509_new_null();
    int rc = -ENOMEM;
    if (!bio || !sk) goto out;
    X509 *x;
    ERR_clear_error();
    while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
        if (sk_X509_num(sk) >= max || !sk_X509_push(sk, x)) {
            X509_free(x);
            rc = sk_X509_num(sk) >= max ? ATTEST_E_MALFORMED : -ENOMEM;
            goto out;
        }
    }
    rc = pem_clean_end() && sk_X509_num(sk) > 0 ? 0 : ATTEST_E_MALFORMED;
out:
    ERR_clear_error();
    BIO_free(bio);
    if (rc == 0)
        *out = sk;
    else
        attest_dcap_chain_free(sk);
    return rc;
}

/* The PCK chain: PCK certificate first, then at least its CA. */
static int chain_load(const uint8_t *pem, size_t size, STACK_OF(X509) * *out,
                      struct attest_error *err)
{
    int rc = attest_dcap_pem_certs(pem, size, MAX_CHAIN_CERTS, out);
    if (rc == ATTEST_E_MALFORMED)
        return attest_fail(err, rc, "quote: PCK chain is not 1 to %d well-formed PEM certificates",
                           MAX_CHAIN_CERTS);
    if (rc == 0 && sk_X509_num(*out) < 2) {
        attest_dcap_chain_free(*out);
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "quote: PCK chain has 1 certificate, expected the PCK and its CA");
    }
    return rc;
}

void attest_dcap_chain_free(STACK_OF(X509) * chain)
{
    sk_X509_pop_free(chain, X509_free);
}

static int x509_error_code(int e)
{
    switch (e) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID: return ATTEST_E_EXPIRED;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: return ATTEST_E_NOKEY;
    case X509_V_ERR_CERT_REVOKED: return ATTEST_E_REVOKED;
    default: return ATTEST_E_SIGNATURE;
    }
}

static int chain_verify_full(X509 *root, X509 *leaf, STACK_OF(X509) * untrusted, time_t at,
                             unsigned long flags, STACK_OF(X509) * *chain, int *x509_err)
{
    int rc = -ENOMEM;
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    *x509_err = 0;
    if (!store || !ctx || X509_STORE_add_cert(store, root) != 1 ||
        X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1)
        goto out;
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
    if (!(flags & X509_V_FLAG_NO_CHECK_TIME))
        X509_VERIFY_PARAM_set_time(param, at); /* it would override NO_CHECK_TIME */
    X509_VERIFY_PARAM_set_flags(param, flags);
    X509_VERIFY_PARAM_set_depth(param, MAX_CHAIN_CERTS);
    if (X509_verify_cert(ctx) == 1) {
        rc = 0;
        if (chain && !(*chain = X509_STORE_CTX_get1_chain(ctx))) rc = -ENOMEM;
    } else {
        *x509_err = X509_STORE_CTX_get_error(ctx);
        rc = x509_error_code(*x509_err);
    }
out:
    ERR_clear_error();
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return rc;
}

int attest_dcap_chain_verify(X509 *root, X509 *leaf, STACK_OF(X509) * untrusted, time_t at,
                             unsigned long flags, STACK_OF(X509) * *chain, int *x509_err)
{
    /* the verification cache (cache.c) when enabled, else chain_verify_full() itself */
    return attest_cache_chain_verify(root, leaf, untrusted, at, flags, chain, x509_err,
                                     chain_verify_full);
}

static int root_pin_check(X509 *root, const uint8_t *pin, struct attest_error *err)
{
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int md_size = 0;
    if (X509_digest(root, EVP_sha256(), md, &md_size) != 1 || md_size != 32) return -ENOMEM;
    if (CRYPTO_memcmp(md, pin ? pin : ATTEST_DCAP_INTEL_ROOT_SHA256, 32) != 0)
        return attest_fail(
            err, ATTEST_E_NOKEY,
            "Intel root: SHA-256 fingerprint of the given root is not the pinned one");
    return 0;
}

/* The PCK CA kind from the issuer's CN ("Intel SGX PCK Platform CA" / "... Processor CA"). */
static void pck_ca_name(X509 *pck, char *out, size_t size)
{
    char cn[64] = "";
    X509_NAME_get_text_by_NID(X509_get_issuer_name(pck), NID_commonName, cn, sizeof(cn));
    ERR_clear_error();
    const char *kind = strstr(cn, "Platform")    ? "Platform"
                       : strstr(cn, "Processor") ? "Processor"
                                                 : "other";
    snprintf(out, size, "%s", kind);
}

/* ---- PCK SGX extension (OID 1.2.840.113741.1.13.1) ---- */

static const uint8_t SGX_EXT_OID[] = {0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01};
#define SGX_EXT_OID_SIZE sizeof(SGX_EXT_OID)

/* Matches a DER OID value against SGX_EXT_OID . a [. b]; b = 0 means "no second arc". */
static bool sgx_oid_is(const struct der_elem *oid, uint8_t a, uint8_t b)
{
    size_t n = SGX_EXT_OID_SIZE + (b ? 2u : 1u);
    return oid->len == n && memcmp(oid->val, SGX_EXT_OID, SGX_EXT_OID_SIZE) == 0 &&
           oid->val[SGX_EXT_OID_SIZE] == a && (!b || oid->val[SGX_EXT_OID_SIZE + 1] == b);
}

/* SEQUENCE { OID, value } -> the two elements, nothing after. */
static int ext_pair(struct der_cursor *c, struct der_elem *oid, struct der_elem *val)
{
    struct der_elem seq;
    struct der_cursor in;
    if (der_expect(c, DER_SEQUENCE, &seq) < 0) return ATTEST_E_MALFORMED;
    der_enter(&seq, &in);
    if (der_expect(&in, DER_OID, oid) < 0 || der_next(&in, val) < 0 || !der_at_end(&in))
        return ATTEST_E_MALFORMED;
    return 0;
}

static int ext_octets(const struct der_elem *v, uint8_t *out, size_t size)
{
    if (v->tag != DER_OCTET_STRING || v->len != size) return ATTEST_E_MALFORMED;
    memcpy(out, v->val, size);
    return 0;
}

static int ext_small_uint(const struct der_elem *v, uint64_t max, uint64_t *out)
{
    if (der_uint(v, out) < 0 || *out > max) return ATTEST_E_MALFORMED;
    return 0;
}

/* TCB: SEQUENCE of 18 pairs: .2.1-.2.16 comp SVNs, .2.17 PCESVN, .2.18 CPUSVN; each once. */
static int ext_tcb(const struct der_elem *v, struct attest_dcap_claims *c)
{
    struct der_cursor in;
    uint32_t seen = 0;
    if (v->tag != DER_SEQUENCE) return ATTEST_E_MALFORMED;
    der_enter(v, &in);
    while (!der_at_end(&in)) {
        struct der_elem oid, val;
        uint64_t x;
        if (ext_pair(&in, &oid, &val) < 0 || oid.len != SGX_EXT_OID_SIZE + 2 ||
            !sgx_oid_is(&oid, 2, oid.val[SGX_EXT_OID_SIZE + 1]))
            return ATTEST_E_MALFORMED;
        uint8_t arc = oid.val[SGX_EXT_OID_SIZE + 1];
        if (arc < 1 || arc > 18 || (seen & (1u << arc))) return ATTEST_E_MALFORMED;
        seen |= 1u << arc;
        if (arc <= 16 && ext_small_uint(&val, 255, &x) == 0)
            c->pck_tcb[arc - 1] = (uint8_t)x;
        else if (arc == 17 && ext_small_uint(&val, 65535, &x) == 0)
            c->pck_pce_svn = (uint16_t)x;
        else if (arc != 18 || ext_octets(&val, c->pck_cpu_svn, 16) < 0)
            return ATTEST_E_MALFORMED;
    }
    return seen == 0x7fffeu ? 0 : ATTEST_E_MALFORMED;
}

static int ext_sgx_type(const struct der_elem *v, struct attest_dcap_claims *c)
{
    if (v->tag != 0x0a || v->len != 1 || v->val[0] > 2)
        return ATTEST_E_MALFORMED; /* ENUMERATED 0..2 */
    c->sgx_type = v->val[0];
    return 0;
}

/* One top-level member of the extension; unknown arcs (future additions) are skipped. */
static int ext_member(const struct der_elem *oid, const struct der_elem *val, uint32_t *seen,
                      struct attest_dcap_claims *c)
{
    if (oid->len != SGX_EXT_OID_SIZE + 1 || !sgx_oid_is(oid, oid->val[SGX_EXT_OID_SIZE], 0))
        return ATTEST_E_MALFORMED;
    uint8_t arc = oid->val[SGX_EXT_OID_SIZE];
    if (arc & 0x80) return ATTEST_E_MALFORMED;                        /* an unterminated arc */
    if (arc < 32 && (*seen & (1u << arc))) return ATTEST_E_MALFORMED; /* duplicate */
    if (arc < 32) *seen |= 1u << arc;
    switch (arc) {
    case 1: return ext_octets(val, c->ppid, 16);
    case 2: return ext_tcb(val, c);
    case 3: return ext_octets(val, c->pce_id, 2);
    case 4: return ext_octets(val, c->fmspc, 6);
    case 5: return ext_sgx_type(val, c);
    default: return 0;
    }
}

static int pck_extension(X509 *pck, struct attest_dcap_claims *c, struct attest_error *err)
{
    ASN1_OBJECT *obj = OBJ_txt2obj("1.2.840.113741.1.13.1", 1);
    int idx = obj ? X509_get_ext_by_OBJ(pck, obj, -1) : -1;
    int again = obj && idx >= 0 ? X509_get_ext_by_OBJ(pck, obj, idx) : -1;
    ASN1_OBJECT_free(obj);
    if (idx < 0 || again >= 0)
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "PCK certificate: not exactly one SGX extension 1.2.840.113741.1.13.1");
    ASN1_OCTET_STRING *os = X509_EXTENSION_get_data(X509_get_ext(pck, idx));
    struct der_cursor top, in;
    struct der_elem seq;
    der_init(&top, ASN1_STRING_get0_data(os), (size_t)ASN1_STRING_length(os));
    if (der_expect(&top, DER_SEQUENCE, &seq) < 0 || !der_at_end(&top))
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "PCK certificate: SGX extension is not a SEQUENCE");
    der_enter(&seq, &in);
    uint32_t seen = 0;
    while (!der_at_end(&in)) {
        struct der_elem oid, val;
        if (ext_pair(&in, &oid, &val) < 0 || ext_member(&oid, &val, &seen, c) < 0)
            return attest_fail(err, ATTEST_E_MALFORMED,
                               "PCK certificate: malformed SGX extension member at byte %zu",
                               (size_t)(in.p - seq.val));
    }
    if ((seen & 0x3eu) != 0x3eu)
        return attest_fail(
            err, ATTEST_E_MALFORMED,
            "PCK certificate: SGX extension lacks PPID, TCB, PCE-ID, FMSPC or SGX type");
    return 0;
}

/* ---- CRLs ---- */

/* Verifies crl is issuer's, current at at, and does not list subject. */
static int crl_check(const uint8_t *buf, size_t size, X509 *issuer, X509 *subject, time_t at,
                     const char *what, struct attest_error *err)
{
    X509_CRL *crl = attest_crl_parse(buf, size);
    X509_REVOKED *rev = NULL;
    int rc;
    if (!crl) return attest_fail(err, ATTEST_E_MALFORMED, "%s: not a DER or PEM CRL", what);
    const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0)
        rc = attest_fail(err, ATTEST_DCAP_E_MISMATCH, "%s: not issued by the expected CA", what);
    else if (X509_CRL_verify(crl, X509_get0_pubkey(issuer)) != 1)
        rc = attest_fail(err, ATTEST_E_SIGNATURE, "%s: signature does not verify", what);
    else if (X509_cmp_time(X509_CRL_get0_lastUpdate(crl), &at) >= 0 || !next ||
             X509_cmp_time(next, &at) <= 0)
        rc = attest_fail(err, ATTEST_E_EXPIRED, "%s: not current at the verification time", what);
    else if (X509_CRL_get0_by_cert(crl, &rev, subject) == 1)
        rc = attest_fail(err, ATTEST_E_REVOKED, "%s: certificate is revoked", what);
    else
        rc = 0;
    ERR_clear_error();
    X509_CRL_free(crl);
    return rc;
}

/* chain: [PCK, CA, root] as built by the verifier. */
static int crls_apply(const struct attest_dcap_collateral *col, STACK_OF(X509) * chain, time_t at,
                      struct attest_dcap_claims *out, struct attest_error *err)
{
    int n = sk_X509_num(chain);
    int rc = 0;
    if (col->pck_crl && n >= 2)
        rc = crl_check(col->pck_crl, col->pck_crl_size, sk_X509_value(chain, 1),
                       sk_X509_value(chain, 0), at, "PCK CRL", err);
    for (int i = 1; rc == 0 && col->root_crl && i < n - 1; i++)
        rc = crl_check(col->root_crl, col->root_crl_size, sk_X509_value(chain, n - 1),
                       sk_X509_value(chain, i), at, "root CRL", err);
    out->crl_checked = rc == 0 && (col->pck_crl || col->root_crl);
    return rc;
}

/* ---- the whole ---- */

/* Every certificate the quote carries must be in the verified chain (no unverified extras). */
static int chain_all_used(STACK_OF(X509) * certs, STACK_OF(X509) * chain, struct attest_error *err)
{
    for (int i = 0; i < sk_X509_num(certs); i++) {
        bool used = false;
        for (int j = 0; j < sk_X509_num(chain) && !used; j++)
            used = X509_cmp(sk_X509_value(certs, i), sk_X509_value(chain, j)) == 0;
        if (!used)
            return attest_fail(
                err, ATTEST_E_MALFORMED,
                "PCK chain: certificate %d is not part of the chain to the pinned root", i);
    }
    return 0;
}

static int pck_verify(const struct quote_view *v, const struct attest_dcap_opts *opts, time_t at,
                      STACK_OF(X509) * *chain, struct attest_error *err)
{
    STACK_OF(X509) *certs = NULL;
    int x509_err;
    int rc = chain_load(v->pem, v->pem_size, &certs, err);
    if (rc < 0) return rc;
    rc = attest_dcap_chain_verify(opts->root, sk_X509_value(certs, 0), certs, at, 0, chain,
                                  &x509_err);
    if (rc < 0 && rc != -ENOMEM)
        attest_fail(err, rc, "PCK chain: %s", X509_verify_cert_error_string(x509_err));
    if (rc == 0 && (rc = chain_all_used(certs, *chain, err)) < 0) {
        attest_dcap_chain_free(*chain);
        *chain = NULL;
    }
    attest_dcap_chain_free(certs);
    return rc;
}

static int verify_all(const uint8_t *q, size_t size, const struct attest_dcap_opts *opts, time_t at,
                      struct attest_dcap_claims *out, struct attest_error *err)
{
    struct quote_view v;
    STACK_OF(X509) *chain = NULL;
    int rc = quote_parse(q, size, &v, err);
    if (rc == 0) rc = pck_verify(&v, opts, at, &chain, err);
    if (rc < 0) return rc;
    X509 *pck = sk_X509_value(chain, 0);
    quote_claims(q, &v, out);
    rc = pck_extension(pck, out, err);
    if (rc == 0) rc = quote_signatures(q, &v, pck, err);
    if (rc == 0) rc = qe_identity_check(&v, err);
    const struct attest_dcap_collateral *col = opts->collateral;
    struct attest_dcap_collateral picked = {0};
    if (rc == 0) {
        pck_ca_name(pck, out->pck_ca, sizeof(out->pck_ca));
        if (!col && opts->select) {
            opts->select(opts->select_ctx, out, &picked);
            if (picked.tcb_info || picked.qe_identity || picked.pck_crl || picked.root_crl)
                col = &picked;
        }
        if (col) rc = crls_apply(col, chain, at, out, err);
        if (rc == 0 && out->crl_checked)
            snprintf(out->note, sizeof(out->note), "no TCB info: status unknown; CRLs checked");
    }
    if (rc == 0 && col) rc = attest_dcap_collateral_apply(col, opts->root, at, out, err);
    attest_dcap_chain_free(chain);
    return rc;
}

int attest_dcap_verify(const uint8_t *quote, size_t size, const struct attest_dcap_opts *opts,
                       struct attest_dcap_claims *out, struct attest_error *err)
{
    if (err) err->msg[0] = '\0';
    if (!quote || !opts || !opts->root || !out)
        return attest_fail(err, -EINVAL, "dcap: missing quote, options, root or output");
    memset(out, 0, sizeof(*out));
    out->tcb_eval_number = -1;
    snprintf(out->note, sizeof(out->note), "no collateral: TCB status unknown");
    int rc = root_pin_check(opts->root, opts->root_sha256, err);
    if (rc < 0) return rc;
    time_t at = opts->at ? opts->at : time(NULL);
    return verify_all(quote, size, opts, at, out, err);
}

/* ---- names ---- */

static const char *const STATUS_NAMES[] = {
    [ATTEST_DCAP_TCB_UNKNOWN] = "Unknown",
    [ATTEST_DCAP_TCB_UP_TO_DATE] = "UpToDate",
    [ATTEST_DCAP_TCB_SW_HARDENING_NEEDED] = "SWHardeningNeeded",
    [ATTEST_DCAP_TCB_CONFIGURATION_NEEDED] = "ConfigurationNeeded",
    [ATTEST_DCAP_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED] = "ConfigurationAndSWHardeningNeeded",
    [ATTEST_DCAP_TCB_OUT_OF_DATE] = "OutOfDate",
    [ATTEST_DCAP_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED] = "OutOfDateConfigurationNeeded",
    [ATTEST_DCAP_TCB_REVOKED] = "Revoked",
    [ATTEST_DCAP_TCB_NOT_SUPPORTED] = "NotSupported",
};

const char *attest_dcap_tcb_status_name(enum attest_dcap_tcb_status s)
{
    if ((size_t)s >= ARRAY_LEN(STATUS_NAMES)) return "Unknown";
    return STATUS_NAMES[s];
}

int attest_dcap_tcb_status_parse(const char *name, enum attest_dcap_tcb_status *out)
{
    for (size_t i = 0; name && i < ARRAY_LEN(STATUS_NAMES); i++) {
        if (strcmp(name, STATUS_NAMES[i]) == 0) {
            *out = (enum attest_dcap_tcb_status)i;
            return 0;
        }
    }
    return -EINVAL;
}
