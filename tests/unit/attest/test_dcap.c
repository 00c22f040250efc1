/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_dcap.c - Intel DCAP quote and collateral verification (src/attest/dcap.c,
 * dcap_collateral.c).
 *
 * Two kinds of tests:
 *  - the real vectors of ../shared/vectors (TDX v4 from Sapphire and Granite Rapids, SGX v3), each
 *    with the verdict its README gives, and each tampered in every signed region (refused),
 *    truncated (refused) and extended with trailing bytes (still valid);
 *  - a synthetic PKI made here (root, PCK CA, PCK certificate with an SGX extension, TCB signing
 *    certificate) that signs quotes and collateral we shape ourselves: v5 quotes with SGX, TDX 1.0
 *    and TDX 1.5 bodies, every TCB status path of Intel's algorithm, CRL revocation, the TDX module
 *    identity, and collateral signed over pretty-printed JSON (the raw-bytes rule).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "attest/dcap.h"

#ifndef VECTORS_DIR
#define VECTORS_DIR "../shared/vectors"
#endif

/* ---- helpers ---- */

static uint8_t *read_file(const char *rel, size_t *size)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", VECTORS_DIR, rel);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t *buf = malloc(1 << 16);
    assert_non_null(buf);
    *size = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

static X509 *pem_cert(const char *rel)
{
    size_t size;
    uint8_t *buf = read_file(rel, &size);
    BIO *bio = BIO_new_mem_buf(buf, (int)size);
    X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    free(buf);
    assert_non_null(x);
    return x;
}

static time_t when(const char *iso)
{
    struct tm tm = {0};
    assert_int_equal(sscanf(iso, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                            &tm.tm_hour, &tm.tm_min, &tm.tm_sec),
                     6);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

/* Loaded collateral files (owned). */
struct col_files {
    uint8_t *tcb, *qe, *chain, *pck_crl, *root_crl;
    struct attest_dcap_collateral col;
};

static void col_load(struct col_files *f, const char *dir, bool crls)
{
    char p[256];
    memset(f, 0, sizeof(*f));
    snprintf(p, sizeof(p), "%s/tcbinfo.json", dir);
    f->col.tcb_info = f->tcb = read_file(p, &f->col.tcb_info_size);
    snprintf(p, sizeof(p), "%s/qeidentity.json", dir);
    f->col.qe_identity = f->qe = read_file(p, &f->col.qe_identity_size);
    f->col.signing_chain_pem = f->chain =
        read_file("roots/intel/tcb_signing_chain.pem", &f->col.signing_chain_size);
    if (crls) {
        snprintf(p, sizeof(p), "%s/pckcrl.der", dir);
        f->col.pck_crl = f->pck_crl = read_file(p, &f->col.pck_crl_size);
        f->col.root_crl = f->root_crl =
            read_file("roots/intel/sgx_root_ca.crl.der", &f->col.root_crl_size);
    }
}

static void col_free(struct col_files *f)
{
    free(f->tcb);
    free(f->qe);
    free(f->chain);
    free(f->pck_crl);
    free(f->root_crl);
}

static int verify_vec(const uint8_t *q, size_t size, const char *iso,
                      const struct attest_dcap_collateral *col, struct attest_dcap_claims *c)
{
    X509 *root = pem_cert("roots/intel/sgx_root_ca.pem");
    struct attest_dcap_opts o = {.root = root, .collateral = col, .at = when(iso)};
    struct attest_error err;
    int rc = attest_dcap_verify(q, size, &o, c, &err);
    if (rc < 0 && getenv("DCAP_TEST_VERBOSE")) print_message("  refused (%d): %s\n", rc, err.msg);
    X509_free(root);
    return rc;
}

static void assert_hex(const uint8_t *b, size_t n, const char *hex)
{
    char s[256] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(s + 2 * i, 3, "%02X", b[i]);
    assert_string_equal(s, hex);
}

/* ---- real vectors ---- */

static void test_gotdx_no_collateral(void **state)
{
    (void)state;
    size_t size;
    uint8_t *q = read_file("tdx/gotdx-spr-v4/quote.dat", &size);
    struct attest_dcap_claims c;
    assert_int_equal(verify_vec(q, size, "2023-06-20T00:00:00", NULL, &c), 0);
    assert_int_equal(c.version, 4);
    assert_int_equal(c.tee, ATTEST_DCAP_TEE_TDX);
    assert_int_equal(c.body, ATTEST_DCAP_BODY_TDX10);
    assert_hex(c.fmspc, 6, "50806F000000");
    assert_hex(c.pce_id, 2, "0000");
    assert_int_equal(c.pck_pce_svn, 11);
    assert_int_equal(c.pck_tcb[0], 3);
    assert_int_equal(c.tcb_status, ATTEST_DCAP_TCB_UNKNOWN);
    assert_int_equal(c.collateral, ATTEST_DCAP_COLLATERAL_NONE);
    assert_false(c.debug);
    assert_string_equal(c.pck_ca, "Platform");
    assert_int_equal(c.tdx.tee_tcb_svn[0], 3);
    free(q);
}

static void test_gotdx_collateral(void **state)
{
    (void)state;
    size_t size;
    uint8_t *q = read_file("tdx/gotdx-spr-v4/quote.dat", &size);
    struct col_files f;
    col_load(&f, "tdx/gotdx-spr-v4", true);
    struct attest_dcap_claims c;
    assert_int_equal(verify_vec(q, size, "2023-06-20T00:00:00", &f.col, &c), 0);
    assert_int_equal(c.collateral, ATTEST_DCAP_COLLATERAL_VERIFIED);
    assert_true(c.crl_checked);
    /* the PCK's SGX components (3,3,...) are below every level's (5,5,...) */
    assert_int_equal(c.platform_status, ATTEST_DCAP_TCB_NOT_SUPPORTED);
    assert_int_equal(c.tcb_status, ATTEST_DCAP_TCB_NOT_SUPPORTED);
    assert_int_equal(c.qe_status, ATTEST_DCAP_TCB_UP_TO_DATE);
    assert_int_equal(c.tcb_eval_number, 15);
    /* collateral out of its window: refused as expired */
    assert_int_equal(verify_vec(q, size, "2023-07-20T00:00:00", &f.col, &c), ATTEST_E_EXPIRED);
    assert_int_equal(verify_vec(q, size, "2023-06-01T00:00:00", &f.col, &c), ATTEST_E_EXPIRED);
    /* each collateral document tampered inside its signed member */
    uint8_t *p = (uint8_t *)strstr((char *)f.tcb, "\"pcesvn\":11");
    assert_non_null(p);
    p[10] = '0';
    assert_int_equal(verify_vec(q, size, "2023-06-20T00:00:00", &f.col, &c), ATTEST_E_SIGNATURE);
    p[10] = '1';
    p = (uint8_t *)strstr((char *)f.qe, "\"isvsvn\":4");
    p[9] = '9';
    assert_int_equal(verify_vec(q, size, "2023-06-20T00:00:00", &f.col, &c), ATTEST_E_SIGNATURE);
    p[9] = '4';
    f.pck_crl[f.col.pck_crl_size - 5] ^= 1; /* the CRL's signature */
    assert_true(verify_vec(q, size, "2023-06-20T00:00:00", &f.col, &c) < 0);
    f.pck_crl[f.col.pck_crl_size - 5] ^= 1;
    assert_int_equal(verify_vec(q, size, "2023-06-20T00:00:00", &f.col, &c), 0);
    col_free(&f);
    free(q);
}

static void test_trustee_spr(void **state)
{
    (void)state;
    size_t size;
    uint8_t *q = read_file("tdx/trustee-spr-v4/quote.dat", &size);
    struct attest_dcap_claims c;
    assert_int_equal(verify_vec(q, size, "2025-06-01T00:00:00", NULL, &c), 0);
    assert_hex(c.fmspc, 6, "50806F000000");
    assert_int_equal(c.tcb_status, ATTEST_DCAP_TCB_UNKNOWN);
    assert_true(c.debug); /* TD_ATTRIBUTES bit 0 */
    /* before the PCK certificate's notBefore (2023-02-07) */
    assert_int_equal(verify_vec(q, size, "2022-06-01T00:00:00", NULL, &c), ATTEST_E_EXPIRED);
    free(q);
}

static void test_trustee_gnr(void **state)
{
    (void)state;
    size_t size;
    uint8_t *q = read_file("tdx/trustee-gnr-v4/quote.dat", &size);
    assert_int_equal(size, 4936 + 70);
    struct attest_dcap_claims c;
    assert_int_equal(verify_vec(q, size, "2025-11-01T00:00:00", NULL, &c), 0);
    assert_hex(c.fmspc, 6, "00A06D080000");
    assert_int_equal(c.tcb_status, ATTEST_DCAP_TCB_UNKNOWN);
    struct col_files f;
    col_load(&f, "tdx/trustee-gnr-v4", false);
    assert_int_equal(verify_vec(q, size, "2025-11-01T00:00:00", &f.col, &c), 0);
    assert_int_equal(c.tcb_status, ATTEST_DCAP_TCB_OUT_OF_DATE);
    /* signed by a renewed certificate we do not have: reported, not silently trusted */
    assert_int_equal(c.collateral, ATTEST_DCAP_COLLATERAL_SIGNER_EXPIRED);
    assert_non_null(strstr(c.note, "NOT trusted"));
    assert_int_equal(c.tcb_eval_number, 17);
    /* a wrong signing chain (the PCK CA chain) does not verify the collateral */
    free(f.chain);
    f.col.signing_chain_pem = f.chain =
        read_file("tdx/gotdx-spr-v4/pckcrl_issuer_chain.pem", &f.col.signing_chain_size);
    assert_int_equal(verify_vec(q, size, "2025-11-01T00:00:00", &f.col, &c), ATTEST_E_SIGNATURE);
    col_free(&f);
    free(q);
}

static void test_sgx_occlum(void **state)
{
    (void)state;
    size_t size;
    uint8_t *q = read_file("sgx/trustee-occlum-debug/quote.dat", &size);
    struct attest_dcap_claims c;
    assert_int_equal(verify_vec(q, size, "2025-06-01T00:00:00", NULL, &c), 0);
    assert_int_equal(c.version, 3);
    assert_int_equal(c.tee, ATTEST_DCAP_TEE_SGX);
    assert_int_equal(c.body, ATTEST_DCAP_BODY_SGX);
    assert_hex(c.fmspc, 6, "00606A000000");
    assert_true(c.debug);
    assert_int_equal(c.sgx.attributes[0], 0x07);
    assert_int_equal(c.qe.isv_prod_id, 1);
    free(q);
}

static void test_root_pin(void **state)
{
    (void)state;
    size_t size;
    uint8_t *q = read_file("sgx/trustee-occlum-debug/quote.dat", &size);
    X509 *root = pem_cert("roots/intel/sgx_root_ca.pem");
    uint8_t pin[32] = {1};
    struct attest_dcap_opts o = {.root = root, .root_sha256 = pin, .at = when("2025-06-01T0:0:0")};
    struct attest_dcap_claims c;
    struct attest_error err;
    assert_int_equal(attest_dcap_verify(q, size, &o, &c, &err), ATTEST_E_NOKEY);
    /* a root that is not the PCK chain's (the TCB signing certificate) */
    X509 *other = pem_cert("roots/intel/tcb_signing_chain.pem");
    uint8_t md[32];
    unsigned int n;
    X509_digest(other, EVP_sha256(), md, &n);
    o.root = other;
    o.root_sha256 = md;
    assert_true(attest_dcap_verify(q, size, &o, &c, &err) < 0);
    o.root = NULL;
    assert_int_equal(attest_dcap_verify(q, size, &o, &c, &err), -EINVAL);
    X509_free(other);
    X509_free(root);
    free(q);
}

/* Offsets of the regions of a real v3/v4 quote, found independently of the verifier. */
struct regions {
    size_t signed_end, sig, key, qe_report, qe_sig, auth, auth_size, pem, pem_size, end;
};

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

static void find_regions(const uint8_t *q, struct regions *r)
{
    bool tdx = le32(q + 4) == 0x81;
    r->signed_end = 48 + (tdx ? 584 : 384);
    size_t sig_size = le32(q + r->signed_end);
    r->sig = r->signed_end + 4;
    r->key = r->sig + 64;
    r->qe_report = r->key + 64 + (le16(q) >= 4 ? 6 : 0);
    r->qe_sig = r->qe_report + 384;
    r->auth_size = le16(q + r->qe_sig + 64);
    r->auth = r->qe_sig + 66;
    r->pem_size = le32(q + r->auth + r->auth_size + 2);
    r->pem = r->auth + r->auth_size + 6;
    r->end = r->sig + sig_size;
    assert_int_equal(r->pem + r->pem_size, r->end);
}

/* True when q[i] lies on a PEM "-----BEGIN/END ...-----" line: framing, not signed content. */
static bool in_armor(const uint8_t *q, size_t pem, size_t i)
{
    if (i < pem) return false;
    size_t start = i;
    while (start > pem && q[start - 1] != '\n')
        start--;
    return q[start] == '-';
}

static void tamper_one(const char *rel, const char *iso)
{
    size_t size;
    uint8_t *q = read_file(rel, &size);
    struct regions r;
    struct attest_dcap_claims c;
    find_regions(q, &r);
    /* every 11th byte of header and body, then every 5th of the signature data */
    size_t count = 0;
    for (size_t i = 0; i < r.end; i += i < r.signed_end ? 11 : 5) {
        if ((i >= 12 && i < 28) || in_armor(q, r.pem, i))
            continue; /* QE vendor ID: refused as a format, tested below */
        q[i] ^= 0x01;
        int rc = verify_vec(q, size, iso, NULL, &c);
        if (rc == 0) print_message("tamper at %zu of %s accepted\n", i, rel);
        assert_true(rc < 0);
        q[i] ^= 0x01;
        count++;
    }
    assert_true(count > 300);
    q[12] ^= 1;
    assert_int_equal(verify_vec(q, size, iso, NULL, &c), ATTEST_E_FORMAT);
    q[12] ^= 1;
    /* region-specific reasons */
    size_t sig_at[] = {100, r.sig + 3, r.key + 7, r.qe_report + 300, r.qe_sig + 40, r.auth + 1};
    for (size_t k = 0; k < ARRAY_LEN(sig_at); k++) {
        q[sig_at[k]] ^= 0x80;
        assert_int_equal(verify_vec(q, size, iso, NULL, &c), ATTEST_E_SIGNATURE);
        q[sig_at[k]] ^= 0x80;
    }
    /* truncations anywhere are malformed; trailing bytes are ignored */
    for (size_t n = 0; n < r.end; n += 37)
        assert_int_equal(verify_vec(q, n, iso, NULL, &c), ATTEST_E_MALFORMED);
    uint8_t *longer = malloc(r.end + 100);
    memcpy(longer, q, r.end);
    memset(longer + r.end, 0xa5, 100);
    assert_int_equal(verify_vec(longer, r.end + 100, iso, NULL, &c), 0);
    free(longer);
    assert_int_equal(verify_vec(q, size, iso, NULL, &c), 0);
    free(q);
}

static void test_tamper_vectors(void **state)
{
    (void)state;
    tamper_one("tdx/gotdx-spr-v4/quote.dat", "2023-06-20T00:00:00");
    tamper_one("tdx/trustee-spr-v4/quote.dat", "2025-06-01T00:00:00");
    tamper_one("tdx/trustee-gnr-v4/quote.dat", "2025-11-01T00:00:00");
    tamper_one("sgx/trustee-occlum-debug/quote.dat", "2025-06-01T00:00:00");
}

static void test_names(void **state)
{
    (void)state;
    enum attest_dcap_tcb_status s;
    for (int i = 0; i <= ATTEST_DCAP_TCB_NOT_SUPPORTED; i++) {
        const char *n = attest_dcap_tcb_status_name((enum attest_dcap_tcb_status)i);
        assert_int_equal(attest_dcap_tcb_status_parse(n, &s), 0);
        assert_int_equal(s, i);
    }
    assert_string_equal(attest_dcap_tcb_status_name(ATTEST_DCAP_TCB_OUT_OF_DATE), "OutOfDate");
    assert_int_equal(attest_dcap_tcb_status_parse("uptodate", &s), -EINVAL);
    uint8_t hdr[48 + 384 + 4] = {3, 0, 2, 0};
    memcpy(hdr + 12, "\x93\x9a\x72\x33\xf7\x9c\x4c\xa9\x94\x0a\x0d\xb3\x95\x7f\x06\x07", 16);
    assert_true(attest_dcap_looks_like_quote(hdr, sizeof(hdr)));
    assert_false(attest_dcap_looks_like_quote(hdr, 100));
    hdr[0] = 2;
    assert_false(attest_dcap_looks_like_quote(hdr, sizeof(hdr)));
}

/* ---- a synthetic PKI and quotes of our own making ---- */

#define T0 "2024-01-10T00:00:00"
/* Intel's QE signers (dcap.c checks them on every quote): SGX QE, TD QE, and a forger's. */
static const uint8_t SGX_QE_MRSIGNER[32] = {
    0x8c, 0x4f, 0x57, 0x75, 0xd7, 0x96, 0x50, 0x3e, 0x96, 0x13, 0x7f, 0x77, 0xc6, 0x8a, 0x82, 0x9a,
    0x00, 0x56, 0xac, 0x8d, 0xed, 0x70, 0x14, 0x0b, 0x08, 0x1b, 0x09, 0x44, 0x90, 0xc5, 0x7b, 0xff};
static const uint8_t TD_QE_MRSIGNER[32] = {
    0xdc, 0x9e, 0x2a, 0x7c, 0x6f, 0x94, 0x8f, 0x17, 0x47, 0x4e, 0x34, 0xa7, 0xfc, 0x43, 0xed, 0x03,
    0x0f, 0x7c, 0x15, 0x63, 0xf1, 0xba, 0xbd, 0xdf, 0x63, 0x40, 0xc8, 0x2e, 0x0e, 0x54, 0xa8, 0xc5};
static const uint8_t FORGED_QE_MRSIGNER[32] = {0xdc, 0x9e, 0x2a, 0x7c, 1, 2, 3, 4, 5, 6, 7, 8, 9};

static const uint8_t *qe_signer(uint32_t tee)
{
    return tee == 0x81 ? TD_QE_MRSIGNER : SGX_QE_MRSIGNER;
}
static const uint8_t FMSPC[6] = {0xaa, 0xbb, 0xcc, 0x00, 0x00, 0x00};

struct dbuf {
    uint8_t b[2048];
    size_t n;
};

static void d_tlv(struct dbuf *o, uint8_t tag, const uint8_t *v, size_t n)
{
    assert_true(o->n + n + 4 <= sizeof(o->b));
    o->b[o->n++] = tag;
    if (n >= 256) {
        o->b[o->n++] = 0x82;
        o->b[o->n++] = (uint8_t)(n >> 8);
    } else if (n >= 128) {
        o->b[o->n++] = 0x81;
    }
    o->b[o->n++] = (uint8_t)n;
    memcpy(o->b + o->n, v, n);
    o->n += n;
}

/* SEQUENCE { OID 1.2.840.113741.1.13.1.a[.b], value } appended to o. */
static void d_pair(struct dbuf *o, uint8_t a, uint8_t b, const struct dbuf *val)
{
    uint8_t oid[12] = {0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01, a, b};
    struct dbuf seq = {.n = 0};
    d_tlv(&seq, 0x06, oid, b ? 11 : 10);
    memcpy(seq.b + seq.n, val->b, val->n);
    seq.n += val->n;
    d_tlv(o, 0x30, seq.b, seq.n);
}

static void d_uint(struct dbuf *o, unsigned v)
{
    uint8_t b[3] = {(uint8_t)(v >> 8), (uint8_t)v};
    if (v < 128)
        d_tlv(o, 0x02, b + 1, 1);
    else if (v < 256) {
        b[0] = 0;
        d_tlv(o, 0x02, b, 2);
    } else
        d_tlv(o, 0x02, b, 2); /* < 32768 in these tests */
}

/* The SGX extension: every PCK TCB component = comp, PCESVN = pcesvn. */
static void sgx_ext(struct dbuf *ext, uint8_t comp, unsigned pcesvn)
{
    struct dbuf items = {.n = 0}, v = {.n = 0}, tcb = {.n = 0};
    uint8_t zeros[16] = {0}, pce[2] = {0, 0};
    d_tlv(&v, 0x04, zeros, 16);
    d_pair(&items, 1, 0, &v);
    for (uint8_t i = 1; i <= 17; i++) {
        v.n = 0;
        d_uint(&v, i == 17 ? pcesvn : comp);
        d_pair(&tcb, 2, i, &v);
    }
    v.n = 0;
    d_tlv(&v, 0x04, zeros, 16);
    d_pair(&tcb, 2, 18, &v);
    v.n = 0;
    d_tlv(&v, 0x30, tcb.b, tcb.n);
    d_pair(&items, 2, 0, &v);
    v.n = 0;
    d_tlv(&v, 0x04, pce, 2);
    d_pair(&items, 3, 0, &v);
    v.n = 0;
    d_tlv(&v, 0x04, FMSPC, 6);
    d_pair(&items, 4, 0, &v);
    v.n = 0;
    d_tlv(&v, 0x0a, zeros, 1);
    d_pair(&items, 5, 0, &v);
    ext->n = 0;
    d_tlv(ext, 0x30, items.b, items.n);
}

static X509 *mk_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey, bool ca,
                     const struct dbuf *sgx, long serial)
{
    time_t base = when(T0);
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();
    assert_true(x && n);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
    X509_NAME_free(n);
    X509_time_adj_ex(X509_getm_notBefore(x), -365, 0, &base);
    X509_time_adj_ex(X509_getm_notAfter(x), 365, 0, &base);
    X509_set_pubkey(x, key);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
                                            ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    if (sgx) {
        ASN1_OBJECT *obj = OBJ_txt2obj("1.2.840.113741.1.13.1", 1);
        ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
        ASN1_OCTET_STRING_set(os, sgx->b, (int)sgx->n);
        e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
        ASN1_OCTET_STRING_free(os);
        ASN1_OBJECT_free(obj);
    }
    assert_true(X509_sign(x, ikey ? ikey : key, EVP_sha256()) > 0);
    return x;
}

struct pki {
    EVP_PKEY *root_key, *ca_key, *pck_key, *tcb_key, *att_key;
    X509 *root, *ca, *pck, *tcb;
    uint8_t pin[32];
    char pem[8192];
    size_t pem_size;
    char tcb_pem[4096];
    size_t tcb_pem_size;
};

static size_t pem_of(X509 *x, char *out, size_t cap)
{
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, x);
    char *data;
    long n = BIO_get_mem_data(b, &data);
    assert_true(n > 0 && (size_t)n < cap);
    memcpy(out, data, (size_t)n);
    BIO_free(b);
    return (size_t)n;
}

static void pki_make(struct pki *p, const struct dbuf *sgx)
{
    memset(p, 0, sizeof(*p));
    p->root_key = EVP_EC_gen("P-256");
    p->ca_key = EVP_EC_gen("P-256");
    p->pck_key = EVP_EC_gen("P-256");
    p->tcb_key = EVP_EC_gen("P-256");
    p->att_key = EVP_EC_gen("P-256");
    p->root = mk_cert("Test SGX Root CA", p->root_key, NULL, NULL, true, NULL, 1);
    p->ca = mk_cert("Test SGX PCK Processor CA", p->ca_key, p->root, p->root_key, true, NULL, 2);
    p->pck = mk_cert("Test SGX PCK Certificate", p->pck_key, p->ca, p->ca_key, false, sgx, 3);
    p->tcb = mk_cert("Test SGX TCB Signing", p->tcb_key, p->root, p->root_key, false, NULL, 4);
    unsigned int n;
    X509_digest(p->root, EVP_sha256(), p->pin, &n);
    p->pem_size = pem_of(p->pck, p->pem, sizeof(p->pem));
    p->pem_size += pem_of(p->ca, p->pem + p->pem_size, sizeof(p->pem) - p->pem_size);
    p->pem_size += pem_of(p->root, p->pem + p->pem_size, sizeof(p->pem) - p->pem_size);
    p->tcb_pem_size = pem_of(p->tcb, p->tcb_pem, sizeof(p->tcb_pem));
}

static void pki_free(struct pki *p)
{
    EVP_PKEY_free(p->root_key);
    EVP_PKEY_free(p->ca_key);
    EVP_PKEY_free(p->pck_key);
    EVP_PKEY_free(p->tcb_key);
    EVP_PKEY_free(p->att_key);
    X509_free(p->root);
    X509_free(p->ca);
    X509_free(p->pck);
    X509_free(p->tcb);
}

/* A raw r||s P-256 signature over data. */
static void raw_sign(EVP_PKEY *key, const void *data, size_t size, uint8_t out[64])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    uint8_t der[80];
    size_t der_size = sizeof(der);
    assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key), 1);
    assert_int_equal(EVP_DigestSign(md, der, &der_size, data, size), 1);
    const uint8_t *p = der;
    ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)der_size);
    BN_bn2binpad(ECDSA_SIG_get0_r(s), out, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(s), out + 32, 32);
    ECDSA_SIG_free(s);
    EVP_MD_CTX_free(md);
}

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v & 0xffff);
    put16(p + 2, v >> 16);
}

struct qspec {
    int version;
    uint32_t tee;
    int body; /* 1 SGX, 2 TDX 1.0, 3 TDX 1.5 */
    uint8_t tee_tcb_svn[16];
    uint64_t attributes; /* SGX flags or TD attributes */
    uint16_t qe_svn;     /* 0: the lowest Intel accepts (8 for the SGX QE, 4 for the TD QE) */
    size_t auth_size;
    const uint8_t *qe_mrsigner; /* NULL: Intel's QE for the TEE type */
    uint16_t qe_prod_id;        /* 0: Intel's (1 SGX, 2 TDX) */
    uint8_t qe_flags;           /* 0: 0x15 (INIT, MODE64BIT, PROVISIONKEY) */
};

/* The QE part: report, signature, auth data, type-5 chain. Returns its size. */
static size_t mk_qe_part(const struct pki *p, const struct qspec *s, const uint8_t *att, uint8_t *o)
{
    uint8_t *rep = o;
    memset(rep, 0, 384);
    rep[48] = s->qe_flags ? s->qe_flags : 0x15;
    rep[56] = 0xe7;
    memcpy(rep + 128, s->qe_mrsigner ? s->qe_mrsigner : qe_signer(s->tee), 32);
    put16(rep + 256, s->qe_prod_id ? s->qe_prod_id : (s->tee == 0x81 ? 2 : 1));
    put16(rep + 258, s->qe_svn ? s->qe_svn : (s->tee == 0x81 ? 4 : 8));
    size_t off = 384 + 64;
    put16(o + off, (unsigned)s->auth_size);
    for (size_t i = 0; i < s->auth_size; i++)
        o[off + 2 + i] = (uint8_t)i;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    EVP_DigestUpdate(md, att, 64);
    EVP_DigestUpdate(md, o + off + 2, s->auth_size);
    EVP_DigestFinal_ex(md, rep + 320, NULL);
    EVP_MD_CTX_free(md);
    raw_sign(p->pck_key, rep, 384, o + 384);
    off += 2 + s->auth_size;
    put16(o + off, 5);
    put32(o + off + 2, (uint32_t)p->pem_size);
    memcpy(o + off + 6, p->pem, p->pem_size);
    return off + 6 + p->pem_size;
}

static void mk_body(const struct qspec *s, uint8_t *b, size_t size)
{
    for (size_t i = 0; i < size; i++)
        b[i] = (uint8_t)(i * 7 + 1);
    if (s->body == 1) {
        for (size_t i = 0; i < 8; i++)
            b[48 + i] = (uint8_t)(s->attributes >> (8 * i));
        return;
    }
    memcpy(b, s->tee_tcb_svn, 16);
    memset(b + 64, 0, 48 + 8); /* MRSIGNERSEAM, SEAMATTRIBUTES */
    for (size_t i = 0; i < 8; i++)
        b[120 + i] = (uint8_t)(s->attributes >> (8 * i));
}

static uint8_t *mk_quote(const struct pki *p, const struct qspec *s, size_t *size)
{
    static const size_t sizes[4] = {0, 384, 584, 648};
    uint8_t *q = calloc(1, 16384);
    assert_non_null(q);
    put16(q, (unsigned)s->version);
    put16(q + 2, 2);
    put32(q + 4, s->tee);
    memcpy(q + 12, "\x93\x9a\x72\x33\xf7\x9c\x4c\xa9\x94\x0a\x0d\xb3\x95\x7f\x06\x07", 16);
    size_t off = 48;
    if (s->version == 5) {
        put16(q + off, (unsigned)s->body);
        put32(q + off + 2, (uint32_t)sizes[s->body]);
        off += 6;
    }
    mk_body(s, q + off, sizes[s->body]);
    off += sizes[s->body];
    size_t sig = off + 4;
    uint8_t pub[65];
    size_t pub_size;
    EVP_PKEY_get_octet_string_param(p->att_key, OSSL_PKEY_PARAM_PUB_KEY, pub, 65, &pub_size);
    raw_sign(p->att_key, q, off, q + sig);
    memcpy(q + sig + 64, pub + 1, 64);
    size_t n;
    if (s->version == 3) {
        n = 128 + mk_qe_part(p, s, pub + 1, q + sig + 128);
    } else {
        size_t inner = mk_qe_part(p, s, pub + 1, q + sig + 134);
        put16(q + sig + 128, 6);
        put32(q + sig + 130, (uint32_t)inner);
        n = 134 + inner;
    }
    put32(q + off, (uint32_t)n);
    *size = sig + n;
    return q;
}

static int synth_verify(const struct pki *p, const uint8_t *q, size_t size,
                        const struct attest_dcap_collateral *col, struct attest_dcap_claims *c)
{
    struct attest_dcap_opts o = {
        .root = p->root, .root_sha256 = p->pin, .collateral = col, .at = when(T0)};
    struct attest_error err;
    int rc = attest_dcap_verify(q, size, &o, c, &err);
    if (rc < 0 && getenv("DCAP_TEST_VERBOSE")) print_message("  refused (%d): %s\n", rc, err.msg);
    return rc;
}

static void test_synth_bodies(void **state)
{
    (void)state;
    struct dbuf ext;
    struct pki p;
    sgx_ext(&ext, 4, 10);
    pki_make(&p, &ext);
    struct qspec specs[] = {
        {.version = 3, .tee = 0, .body = 1, .attributes = 0x2, .auth_size = 32},
        {.version = 4, .tee = 0, .body = 1, .attributes = 0x4, .auth_size = 0},
        {.version = 4, .tee = 0x81, .body = 2, .attributes = 0x1, .auth_size = 32},
        {.version = 5, .tee = 0, .body = 1, .auth_size = 32},
        {.version = 5, .tee = 0x81, .body = 2, .auth_size = 7},
        {.version = 5, .tee = 0x81, .body = 3, .auth_size = 32},
    };
    for (size_t i = 0; i < ARRAY_LEN(specs); i++) {
        size_t size;
        struct attest_dcap_claims c;
        uint8_t *q = mk_quote(&p, &specs[i], &size);
        assert_int_equal(synth_verify(&p, q, size, NULL, &c), 0);
        assert_int_equal(c.version, specs[i].version);
        assert_int_equal((int)c.body, specs[i].body);
        assert_int_equal(c.debug, i == 0 || i == 2);
        assert_int_equal(c.pck_pce_svn, 10);
        assert_int_equal(c.pck_tcb[15], 4);
        assert_string_equal(c.pck_ca, "Processor");
        assert_memory_equal(c.fmspc, FMSPC, 6);
        assert_memory_equal(c.qe.mr_signer, qe_signer(specs[i].tee), 32);
        size_t body_at = specs[i].version == 5 ? 54 : 48;
        if (specs[i].body == 1) {
            assert_memory_equal(c.sgx.mr_enclave, q + body_at + 64, 32);
            assert_memory_equal(c.report_data, q + body_at + 320, 64);
        } else {
            assert_memory_equal(c.tdx.mr_td, q + body_at + 136, 48);
            assert_memory_equal(c.tdx.rtmr[3], q + body_at + 472, 48);
            assert_memory_equal(c.report_data, q + body_at + 520, 64);
        }
        if (specs[i].body == 3) assert_memory_equal(c.tdx.mr_servicetd, q + body_at + 600, 48);
        /* the signature covers the v5 body descriptor too */
        q[body_at - 1] ^= 1;
        assert_true(synth_verify(&p, q, size, NULL, &c) < 0);
        free(q);
    }
    /* v5 body type that contradicts the TEE type, or a wrong body size */
    size_t size;
    struct attest_dcap_claims c;
    uint8_t *q = mk_quote(&p, &specs[5], &size);
    put16(q + 48, 1);
    assert_int_equal(synth_verify(&p, q, size, NULL, &c), ATTEST_E_MALFORMED);
    put16(q + 48, 3);
    put32(q + 50, 584);
    assert_int_equal(synth_verify(&p, q, size, NULL, &c), ATTEST_E_MALFORMED);
    free(q);
    pki_free(&p);
}

/* ---- synthetic collateral ---- */

/* One TCB level: all 16 SGX components = sgx, PCESVN pce; TDX components [t, 0, t, t, ...]. */
static int level_json(char *o, size_t cap, int sgx, int pce, int t, const char *status)
{
    char comps[2][600];
    for (int k = 0; k < 2; k++) {
        size_t n = 0;
        for (int i = 0; i < 16; i++)
            n += (size_t)snprintf(comps[k] + n, sizeof(comps[k]) - n, "%s{\"svn\":%d}",
                                  i ? "," : "", k == 0 ? sgx : (i == 1 ? 0 : t));
    }
    return snprintf(o, cap,
                    "{\"tcb\":{\"sgxtcbcomponents\":[%s],\"pcesvn\":%d,"
                    "\"tdxtcbcomponents\":[%s]},\"tcbDate\":\"2023-01-01T00:00:00Z\","
                    "\"tcbStatus\":\"%s\",\"advisoryIDs\":[\"INTEL-SA-%05d\"]}",
                    comps[0], pce, comps[1], status, sgx * 100 + t);
}

/* {sep"member":sep BODY,sep"signature":"hex"sep} signed over BODY's exact bytes. */
static char *signed_json(const struct pki *p, const char *member, const char *body, const char *sep)
{
    uint8_t sig[64];
    char hex[129];
    raw_sign(p->tcb_key, body, strlen(body), sig);
    for (size_t i = 0; i < 64; i++)
        snprintf(hex + 2 * i, 3, "%02x", sig[i]);
    size_t cap = strlen(body) + 300;
    char *doc = malloc(cap);
    snprintf(doc, cap, "{%s\"%s\" :%s%s,%s\"signature\": \"%s\"%s}", sep, member, sep, body, sep,
             hex, sep);
    return doc;
}

struct synth_col {
    char *tcb, *qe;
    struct attest_dcap_collateral col;
};

/* levels: a JSON array text; modules: "" or ,"tdxModuleIdentities":[...] */
static void synth_col(struct synth_col *s, const struct pki *p, bool tdx, const char *levels,
                      const char *modules, int qe_min_svn, const char *fmspc,
                      const uint8_t *qe_mrsigner)
{
    static char body[16384];
    char zeros[97];
    memset(zeros, '0', 96);
    zeros[96] = '\0';
    snprintf(body, sizeof(body),
             "{\"id\":\"%s\",\"version\":3,\"issueDate\":\"2024-01-01T00:00:00Z\","
             "\"nextUpdate\":\"2024-02-01T00:00:00Z\",\"fmspc\":\"%s\",\"pceId\":\"0000\","
             "\"tcbType\":0,\"tcbEvaluationDataNumber\":16,\"tdxModule\":{\"mrsigner\":\"%s\","
             "\"attributes\":\"0000000000000000\",\"attributesMask\":\"FFFFFFFFFFFFFFFF\"}%s,"
             "\"tcbLevels\":%s}",
             tdx ? "TDX" : "SGX", fmspc, zeros, modules, levels);
    s->tcb = signed_json(p, "tcbInfo", body, tdx ? "\n  " : "");
    char signer[65];
    for (size_t i = 0; i < 32; i++)
        snprintf(signer + 2 * i, 3, "%02X",
                 (qe_mrsigner ? qe_mrsigner
                  : tdx       ? TD_QE_MRSIGNER
                              : SGX_QE_MRSIGNER)[i]);
    snprintf(body, sizeof(body),
             "{\"id\":\"%s\",\"version\":2,\"issueDate\":\"2024-01-01T00:00:00Z\","
             "\"nextUpdate\":\"2024-02-01T00:00:00Z\",\"tcbEvaluationDataNumber\":16,"
             "\"miscselect\":\"00000000\",\"miscselectMask\":\"FFFFFFFF\","
             "\"attributes\":\"11000000000000000000000000000000\","
             "\"attributesMask\":\"FBFFFFFFFFFFFFFF0000000000000000\",\"mrsigner\":\"%s\","
             "\"isvprodid\":%d,\"tcbLevels\":[{\"tcb\":{\"isvsvn\":%d},\"tcbDate\":"
             "\"2023-01-01T00:00:00Z\",\"tcbStatus\":\"UpToDate\"},{\"tcb\":{\"isvsvn\":0},"
             "\"tcbDate\":\"2020-01-01T00:00:00Z\",\"tcbStatus\":\"OutOfDate\","
             "\"advisoryIDs\":[\"INTEL-SA-QE\"]}]}",
             tdx ? "TD_QE" : "QE", signer, tdx ? 2 : 1, qe_min_svn);
    s->qe = signed_json(p, "enclaveIdentity", body, " ");
    memset(&s->col, 0, sizeof(s->col));
    s->col.tcb_info = (const uint8_t *)s->tcb;
    s->col.tcb_info_size = strlen(s->tcb);
    s->col.qe_identity = (const uint8_t *)s->qe;
    s->col.qe_identity_size = strlen(s->qe);
    s->col.signing_chain_pem = (const uint8_t *)p->tcb_pem;
    s->col.signing_chain_size = p->tcb_pem_size;
}

static void synth_col_free(struct synth_col *s)
{
    free(s->tcb);
    free(s->qe);
}

/* Verifies q with collateral built from levels; returns the final status (or the error). */
static int status_of(const struct pki *p, const uint8_t *q, size_t size, bool tdx,
                     const char *levels, const char *modules, int qe_min_svn,
                     struct attest_dcap_claims *c)
{
    struct synth_col s;
    synth_col(&s, p, tdx, levels, modules, qe_min_svn, "AABBCC000000", NULL);
    int rc = synth_verify(p, q, size, &s.col, c);
    synth_col_free(&s);
    if (rc == 0) assert_int_equal(c->collateral, ATTEST_DCAP_COLLATERAL_VERIFIED);
    return rc < 0 ? rc : (int)c->tcb_status;
}

static void levels3(char *o, size_t cap, const int (*l)[3], const char *const *st, size_t n)
{
    size_t used = (size_t)snprintf(o, cap, "[");
    for (size_t i = 0; i < n; i++) {
        used += (size_t)level_json(o + used, cap - used, l[i][0], l[i][1], l[i][2], st[i]);
        used += (size_t)snprintf(o + used, cap - used, "%s", i + 1 < n ? "," : "]");
    }
}

static void test_synth_status_sgx(void **state)
{
    (void)state;
    struct dbuf ext;
    struct pki p;
    sgx_ext(&ext, 4, 10); /* PCK: components 4, PCESVN 10 */
    pki_make(&p, &ext);
    struct qspec s = {.version = 3, .tee = 0, .body = 1, .qe_svn = 9, .auth_size = 32};
    size_t size;
    uint8_t *q = mk_quote(&p, &s, &size);
    struct attest_dcap_claims c;
    static char lv[16384];
    const int a[][3] = {{5, 10, 0}, {4, 11, 0}, {4, 10, 0}, {0, 0, 0}};
    const char *st[] = {"UpToDate", "UpToDate", "SWHardeningNeeded", "OutOfDate"};
    levels3(lv, sizeof(lv), a, st, 4);
    assert_int_equal(status_of(&p, q, size, false, lv, "", 9, &c),
                     ATTEST_DCAP_TCB_SW_HARDENING_NEEDED);
    assert_string_equal(c.advisories[0], "INTEL-SA-00400");
    assert_int_equal(c.qe_status, ATTEST_DCAP_TCB_UP_TO_DATE);
    /* the QE below its identity's latest level: OutOfDate overrides */
    assert_int_equal(status_of(&p, q, size, false, lv, "", 10, &c), ATTEST_DCAP_TCB_OUT_OF_DATE);
    assert_int_equal(c.platform_status, ATTEST_DCAP_TCB_SW_HARDENING_NEEDED);
    assert_int_equal(c.advisory_count, 2);
    const char *st2[] = {"UpToDate", "UpToDate", "ConfigurationNeeded", "OutOfDate"};
    levels3(lv, sizeof(lv), a, st2, 4);
    assert_int_equal(status_of(&p, q, size, false, lv, "", 10, &c),
                     ATTEST_DCAP_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED);
    const char *st3[] = {"UpToDate", "UpToDate", "Revoked", "OutOfDate"};
    levels3(lv, sizeof(lv), a, st3, 4);
    assert_int_equal(status_of(&p, q, size, false, lv, "", 9, &c), ATTEST_DCAP_TCB_REVOKED);
    levels3(lv, sizeof(lv), a, st, 2);
    assert_int_equal(status_of(&p, q, size, false, lv, "", 9, &c), ATTEST_DCAP_TCB_NOT_SUPPORTED);
    const int up[][3] = {{4, 10, 0}};
    levels3(lv, sizeof(lv), up, st, 1);
    assert_int_equal(status_of(&p, q, size, false, lv, "", 9, &c), ATTEST_DCAP_TCB_UP_TO_DATE);
    /* TDX collateral for an SGX quote */
    assert_int_equal(status_of(&p, q, size, true, lv, "", 9, &c), ATTEST_DCAP_E_MISMATCH);
    /* another platform's FMSPC */
    struct synth_col sc;
    synth_col(&sc, &p, false, lv, "", 9, "AABBCC000001", NULL);
    assert_int_equal(synth_verify(&p, q, size, &sc.col, &c), ATTEST_DCAP_E_MISMATCH);
    synth_col_free(&sc);
    /* tampered: a level's status changed after signing */
    synth_col(&sc, &p, false, lv, "", 9, "AABBCC000000", NULL);
    char *t = strstr(sc.tcb, "UpToDate");
    memcpy(t, "OutOfDat", 8);
    assert_int_equal(synth_verify(&p, q, size, &sc.col, &c), ATTEST_E_SIGNATURE);
    synth_col_free(&sc);
    free(q);
    pki_free(&p);
}

static void test_synth_status_tdx(void **state)
{
    (void)state;
    struct dbuf ext;
    struct pki p;
    sgx_ext(&ext, 4, 10);
    pki_make(&p, &ext);
    struct qspec s = {.version = 4,
                      .tee = 0x81,
                      .body = 2,
                      .qe_svn = 5,
                      .auth_size = 32,
                      .tee_tcb_svn = {3, 0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3}};
    size_t size;
    struct attest_dcap_claims c;
    uint8_t *q = mk_quote(&p, &s, &size);
    static char lv[16384], mod[2048];
    /* SGX matches the first level, TDX only the second */
    const int a[][3] = {{4, 10, 4}, {4, 10, 3}, {0, 0, 0}};
    const char *st[] = {"UpToDate", "OutOfDate", "OutOfDate"};
    levels3(lv, sizeof(lv), a, st, 3);
    assert_int_equal(status_of(&p, q, size, true, lv, "", 5, &c), ATTEST_DCAP_TCB_OUT_OF_DATE);
    const char *st2[] = {"UpToDate", "SWHardeningNeeded", "OutOfDate"};
    levels3(lv, sizeof(lv), a, st2, 3);
    assert_int_equal(status_of(&p, q, size, true, lv, "", 5, &c),
                     ATTEST_DCAP_TCB_SW_HARDENING_NEEDED);
    /* SGX collateral for a TDX quote */
    assert_int_equal(status_of(&p, q, size, false, lv, "", 5, &c), ATTEST_DCAP_E_MISMATCH);
    free(q);
    /* TDX module major version 1: TDX components compared from index 2, module identity used */
    s.tee_tcb_svn[1] = 1;
    memset(s.tee_tcb_svn + 2, 4, 14);
    q = mk_quote(&p, &s, &size);
    const char *m = ",\"tdxModuleIdentities\":[{\"id\":\"TDX_01\",\"mrsigner\":\"%s\","
                    "\"attributes\":\"0000000000000000\",\"attributesMask\":\"FFFFFFFFFFFFFFFF\","
                    "\"tcbLevels\":[{\"tcb\":{\"isvsvn\":%d},\"tcbDate\":\"2023-01-01T00:00:00Z\","
                    "\"tcbStatus\":\"UpToDate\"},{\"tcb\":{\"isvsvn\":1},\"tcbDate\":"
                    "\"2022-01-01T00:00:00Z\",\"tcbStatus\":\"OutOfDate\"}]}]";
    char zeros[97], ones[97];
    memset(zeros, '0', 96);
    memset(ones, '1', 96);
    zeros[96] = ones[96] = '\0';
    const char *st3[] = {"UpToDate", "OutOfDate", "OutOfDate"};
    levels3(lv, sizeof(lv), a, st3, 3);
    snprintf(mod, sizeof(mod), m, zeros, 3);
    assert_int_equal(status_of(&p, q, size, true, lv, mod, 5, &c), ATTEST_DCAP_TCB_UP_TO_DATE);
    snprintf(mod, sizeof(mod), m, zeros, 4); /* module SVN 3 < 4: module OutOfDate */
    assert_int_equal(status_of(&p, q, size, true, lv, mod, 5, &c), ATTEST_DCAP_TCB_OUT_OF_DATE);
    snprintf(mod, sizeof(mod), m, ones, 3); /* another module signer */
    assert_int_equal(status_of(&p, q, size, true, lv, mod, 5, &c), ATTEST_DCAP_E_MISMATCH);
    assert_int_equal(status_of(&p, q, size, true, lv, "", 5, &c), ATTEST_DCAP_TCB_NOT_SUPPORTED);
    free(q);
    pki_free(&p);
}

static uint8_t *mk_crl(X509 *issuer, EVP_PKEY *key, long revoked_serial, size_t *size)
{
    time_t base = when(T0);
    X509_CRL *crl = X509_CRL_new();
    X509_CRL_set_version(crl, 1);
    X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer));
    ASN1_TIME *t = X509_time_adj_ex(NULL, -1, 0, &base);
    X509_CRL_set1_lastUpdate(crl, t);
    ASN1_TIME_free(t);
    t = X509_time_adj_ex(NULL, 30, 0, &base);
    X509_CRL_set1_nextUpdate(crl, t);
    ASN1_TIME_free(t);
    if (revoked_serial) {
        X509_REVOKED *r = X509_REVOKED_new();
        ASN1_INTEGER *sn = ASN1_INTEGER_new();
        ASN1_INTEGER_set(sn, revoked_serial);
        X509_REVOKED_set_serialNumber(r, sn);
        t = X509_time_adj_ex(NULL, -2, 0, &base);
        X509_REVOKED_set_revocationDate(r, t);
        ASN1_TIME_free(t);
        ASN1_INTEGER_free(sn);
        X509_CRL_add0_revoked(crl, r);
    }
    X509_CRL_sort(crl);
    X509_CRL_sign(crl, key, EVP_sha256());
    uint8_t *der = NULL;
    int n = i2d_X509_CRL(crl, &der);
    assert_true(n > 0);
    *size = (size_t)n;
    X509_CRL_free(crl);
    return der;
}

static void test_synth_crl_and_chain(void **state)
{
    (void)state;
    struct dbuf ext;
    struct pki p;
    sgx_ext(&ext, 4, 10);
    pki_make(&p, &ext);
    struct qspec s = {.version = 3, .tee = 0, .body = 1, .auth_size = 32};
    size_t size, n1, n2;
    struct attest_dcap_claims c;
    uint8_t *q = mk_quote(&p, &s, &size);
    struct attest_dcap_collateral col = {0};
    col.pck_crl = mk_crl(p.ca, p.ca_key, 99, &n1);
    col.pck_crl_size = n1;
    col.root_crl = mk_crl(p.root, p.root_key, 98, &n2);
    col.root_crl_size = n2;
    assert_int_equal(synth_verify(&p, q, size, &col, &c), 0);
    assert_true(c.crl_checked);
    assert_int_equal(c.tcb_status, ATTEST_DCAP_TCB_UNKNOWN);
    OPENSSL_free((void *)col.pck_crl);
    col.pck_crl = mk_crl(p.ca, p.ca_key, 3, &col.pck_crl_size); /* the PCK's serial */
    assert_int_equal(synth_verify(&p, q, size, &col, &c), ATTEST_E_REVOKED);
    OPENSSL_free((void *)col.pck_crl);
    col.pck_crl = mk_crl(p.ca, p.root_key, 0, &col.pck_crl_size); /* signed by the wrong key */
    assert_int_equal(synth_verify(&p, q, size, &col, &c), ATTEST_E_SIGNATURE);
    OPENSSL_free((void *)col.pck_crl);
    col.pck_crl = NULL;
    OPENSSL_free((void *)col.root_crl);
    col.root_crl = mk_crl(p.root, p.root_key, 2, &col.root_crl_size); /* the PCK CA's serial */
    assert_int_equal(synth_verify(&p, q, size, &col, &c), ATTEST_E_REVOKED);
    OPENSSL_free((void *)col.root_crl);
    /* the PCK key signs QE reports, so a PCK certificate without the SGX extension is refused */
    pki_free(&p);
    pki_make(&p, NULL);
    free(q);
    q = mk_quote(&p, &s, &size);
    assert_int_equal(synth_verify(&p, q, size, NULL, &c), ATTEST_E_MALFORMED);
    /* an unrelated certificate riding along in the chain */
    free(q);
    X509 *extra = mk_cert("Unrelated", p.att_key, NULL, NULL, true, NULL, 7);
    pki_free(&p);
    pki_make(&p, &ext);
    p.pem_size += pem_of(extra, p.pem + p.pem_size, sizeof(p.pem) - p.pem_size);
    q = mk_quote(&p, &s, &size);
    assert_int_equal(synth_verify(&p, q, size, NULL, &c), ATTEST_E_MALFORMED);
    X509_free(extra);
    free(q);
    pki_free(&p);
}

static void test_synth_json_raw_bytes(void **state)
{
    (void)state;
    struct dbuf ext;
    struct pki p;
    sgx_ext(&ext, 4, 10);
    pki_make(&p, &ext);
    struct qspec s = {.version = 4, .tee = 0x81, .body = 2, .qe_svn = 5, .auth_size = 32};
    size_t size;
    struct attest_dcap_claims c;
    uint8_t *q = mk_quote(&p, &s, &size);
    static char lv[8192];
    const int a[][3] = {{4, 10, 0}};
    const char *st[] = {"UpToDate"};
    levels3(lv, sizeof(lv), a, st, 1);
    struct synth_col sc;
    /* the TDX documents are laid out with newlines and spaces around the members */
    synth_col(&sc, &p, true, lv, "", 5, "aabbcc000000", NULL);
    assert_int_equal(synth_verify(&p, q, size, &sc.col, &c), 0);
    assert_int_equal(c.tcb_status, ATTEST_DCAP_TCB_UP_TO_DATE);
    assert_non_null(strstr(c.note, "verified"));
    /* a duplicate member is refused (jansson and the raw scanner must agree on one meaning) */
    char *dup = malloc(strlen(sc.tcb) * 2 + 8);
    char *close = strrchr(sc.tcb, '}');
    size_t head = (size_t)(close - sc.tcb);
    memcpy(dup, sc.tcb, head);
    snprintf(dup + head, strlen(sc.tcb) + 8, ",\"tcbInfo\":{}}");
    sc.col.tcb_info = (const uint8_t *)dup;
    sc.col.tcb_info_size = strlen(dup);
    assert_int_equal(synth_verify(&p, q, size, &sc.col, &c), ATTEST_E_MALFORMED);
    free(dup);
    /* the QE identity of another enclave */
    sc.col.tcb_info = (const uint8_t *)sc.tcb;
    sc.col.tcb_info_size = strlen(sc.tcb);
    char *m = strstr(sc.qe, "\"isvprodid\":2");
    assert_non_null(m);
    m[12] = '3';
    assert_int_equal(synth_verify(&p, q, size, &sc.col, &c), ATTEST_E_SIGNATURE);
    m[12] = '2';
    /* without the signing chain, collateral cannot be used */
    sc.col.signing_chain_pem = NULL;
    assert_int_equal(synth_verify(&p, q, size, &sc.col, &c), ATTEST_E_NOKEY);
    /* outside the collateral's window */
    sc.col.signing_chain_pem = (const uint8_t *)p.tcb_pem;
    struct attest_dcap_opts o = {.root = p.root,
                                 .root_sha256 = p.pin,
                                 .collateral = &sc.col,
                                 .at = when("2024-02-02T00:00:00")};
    struct attest_error err;
    assert_int_equal(attest_dcap_verify(q, size, &o, &c, &err), ATTEST_E_EXPIRED);
    assert_non_null(strstr(err.msg, "tcbInfo"));
    synth_col_free(&sc);
    free(q);
    pki_free(&p);
}

/*
 * The forged Quoting Enclave (issue #10): a test root and PCK, and a QE report the PCK signs
 * whose enclave is not Intel's QE (another MRSIGNER, ISVPRODID, a debug QE, an old ISVSVN). The
 * PCK signature, the key binding and the quote signature all verify; the quote must still be
 * refused, without collateral and with collateral whose (validly signed) QE identity names that
 * very enclave. Before the built-in identity check this verified (0) without collateral.
 */
static void test_synth_forged_qe(void **state)
{
    (void)state;
    struct dbuf ext;
    struct pki p;
    sgx_ext(&ext, 4, 10);
    pki_make(&p, &ext);
    static char lv[8192];
    const int a[][3] = {{4, 10, 0}};
    const char *st[] = {"UpToDate"};
    levels3(lv, sizeof(lv), a, st, 1);
    for (int tdx = 0; tdx < 2; tdx++) {
        struct qspec base = {
            .version = tdx ? 4 : 3, .tee = tdx ? 0x81 : 0, .body = tdx ? 2 : 1, .auth_size = 32};
        struct qspec forged[5];
        for (size_t i = 0; i < 5; i++)
            forged[i] = base;
        forged[0].qe_mrsigner = FORGED_QE_MRSIGNER;
        forged[1].qe_mrsigner = tdx ? SGX_QE_MRSIGNER : TD_QE_MRSIGNER; /* the other QE */
        forged[2].qe_prod_id = 7;
        forged[3].qe_flags = 0x17; /* DEBUG */
        forged[4].qe_svn = tdx ? 3 : 7;
        size_t size;
        struct attest_dcap_claims c;
        uint8_t *q = mk_quote(&p, &base, &size);
        assert_int_equal(synth_verify(&p, q, size, NULL, &c), 0); /* Intel's QE: fine */
        free(q);
        for (size_t i = 0; i < ARRAY_LEN(forged); i++) {
            q = mk_quote(&p, &forged[i], &size);
            assert_int_equal(synth_verify(&p, q, size, NULL, &c), ATTEST_DCAP_E_MISMATCH);
            struct synth_col sc;
            synth_col(&sc, &p, tdx, lv, "", 0, "AABBCC000000",
                      forged[i].qe_mrsigner ? forged[i].qe_mrsigner : NULL);
            assert_int_equal(synth_verify(&p, q, size, &sc.col, &c), ATTEST_DCAP_E_MISMATCH);
            synth_col_free(&sc);
            free(q);
        }
    }
    pki_free(&p);
}

#define SYNTH_TESTS                                                                                \
    cmocka_unit_test(test_synth_bodies), cmocka_unit_test(test_synth_status_sgx),                  \
        cmocka_unit_test(test_synth_status_tdx), cmocka_unit_test(test_synth_crl_and_chain),       \
        cmocka_unit_test(test_synth_json_raw_bytes), cmocka_unit_test(test_synth_forged_qe),

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_gotdx_no_collateral),
                                       cmocka_unit_test(test_gotdx_collateral),
                                       cmocka_unit_test(test_trustee_spr),
                                       cmocka_unit_test(test_trustee_gnr),
                                       cmocka_unit_test(test_sgx_occlum),
                                       cmocka_unit_test(test_root_pin),
                                       cmocka_unit_test(test_tamper_vectors),
                                       cmocka_unit_test(test_names),
                                       SYNTH_TESTS};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
