/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_enarx.c - Enarx's evidence encodings: the real CSR made by an Enarx Keep on a Milan host
 * (../shared/vectors/enarx), its evidence DER, CRLs, the key binding, every byte flipped, CSRs
 * re-signed by another key, kvm and malformed extensions, and truncated evidence.
 */
#include "helpers.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define CSR "enarx/steward-snp-milan.csr"

static struct attest_verify_opts opts_at(struct attest_roots *r, time_t at)
{
    return (struct attest_verify_opts){r, NULL, NULL, 0, NULL, at};
}

static void test_csr_valid(void **state)
{
    (void)state;
    size_t size;
    uint8_t *csr = vec_read(CSR, &size);
    struct attest_roots *roots = vec_roots();
    struct attest_verify_opts o = opts_at(roots, 0);
    struct attest_claims c;
    struct attest_error err = {{0}};
    int rc = attest_csr_verify(csr, size, &o, &c, &err);
    if (rc) fail_msg("%s", err.msg);
    assert_int_equal(c.platform, ATTEST_PLATFORM_SNP);
    assert_string_equal(c.format, "enarx-csr+snp");
    assert_string_equal(c.product, "Milan");
    assert_true(c.report_data_bound);
    o.at = vec_time(2023, 1, 1);
    assert_int_equal(attest_csr_verify(csr, size, &o, &c, &err), 0);
    assert_int_equal(attest_evidence_verify(csr, size, &o, &c, &err), 0);
    attest_roots_free(roots);
    free(csr);
}

/* The extension value of the CSR, copied out. */
static uint8_t *csr_evidence(X509_REQ *req, const char *oid, size_t *size)
{
    STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
    uint8_t *out = NULL;
    for (int i = 0; i < sk_X509_EXTENSION_num(exts); i++) {
        X509_EXTENSION *e = sk_X509_EXTENSION_value(exts, i);
        char txt[80];
        OBJ_obj2txt(txt, sizeof(txt), X509_EXTENSION_get_object(e), 1);
        if (strcmp(txt, oid) != 0) continue;
        ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(e);
        *size = (size_t)ASN1_STRING_length(v);
        out = malloc(*size);
        memcpy(out, ASN1_STRING_get0_data(v), *size);
    }
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    return out;
}

static X509_REQ *read_csr(void)
{
    size_t size;
    uint8_t *der = vec_read(CSR, &size);
    const unsigned char *p = der;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)size);
    free(der);
    assert_non_null(req);
    return req;
}

static void test_evidence_parse(void **state)
{
    (void)state;
    X509_REQ *req = read_csr();
    size_t size = 0;
    uint8_t *ev = csr_evidence(req, ATTEST_OID_ENARX_SNP, &size);
    struct attest_enarx_snp s;
    struct attest_error err = {{0}};
    assert_non_null(ev);
    assert_int_equal(attest_enarx_snp_parse(ev, size, &s, &err), 0);
    assert_int_equal(s.report_size, ATTEST_SNP_REPORT_SIZE);
    assert_int_equal(s.crl_count, 2);
    assert_true(s.vcek_size > 1000);
    /* Every truncation is refused without reading past the end. */
    for (size_t n = 0; n < size; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, ev, n);
        assert_int_equal(attest_enarx_snp_parse(cut, n, &s, &err), ATTEST_E_MALFORMED);
        free(cut);
    }
    free(ev);
    X509_REQ_free(req);
}

static void test_every_byte_flipped(void **state)
{
    (void)state;
    size_t size;
    uint8_t *csr = vec_read(CSR, &size);
    struct attest_roots *roots = vec_roots();
    struct attest_verify_opts o = opts_at(roots, vec_time(2023, 1, 1));
    struct attest_claims c;
    struct attest_error err;
    for (size_t off = 0; off < size; off++) {
        csr[off] ^= 0x01;
        if (attest_csr_verify(csr, size, &o, &c, &err) == 0)
            fail_msg("flipped byte %zu accepted", off);
        csr[off] ^= 0x01;
    }
    attest_roots_free(roots);
    free(csr);
}

/* A CSR carrying `ext` (or nothing) signed with a fresh P-384 key, as DER. */
static uint8_t *make_csr(X509_EXTENSION *ext, size_t *size)
{
    EVP_PKEY *key = EVP_EC_gen("P-384");
    X509_REQ *req = X509_REQ_new();
    assert_non_null(key);
    X509_REQ_set_pubkey(req, key);
    if (ext) {
        STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
        sk_X509_EXTENSION_push(exts, ext);
        X509_REQ_add_extensions(req, exts);
        sk_X509_EXTENSION_free(exts);
    }
    assert_true(X509_REQ_sign(req, key, EVP_sha384()) > 0);
    unsigned char *der = NULL;
    int n = i2d_X509_REQ(req, &der);
    uint8_t *out = malloc((size_t)n);
    memcpy(out, der, (size_t)n);
    *size = (size_t)n;
    OPENSSL_free(der);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
    return out;
}

static X509_EXTENSION *ext_of(const char *oid, const uint8_t *val, size_t size)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    ASN1_OCTET_STRING_set(os, val, (int)size);
    X509_EXTENSION *e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
    ASN1_OBJECT_free(obj);
    ASN1_OCTET_STRING_free(os);
    return e;
}

/* Genuine evidence lifted into a CSR with another key: the binding must refuse it. */
static void test_binding_to_other_key(void **state)
{
    (void)state;
    X509_REQ *req = read_csr();
    size_t ev_size = 0, size;
    uint8_t *ev = csr_evidence(req, ATTEST_OID_ENARX_SNP, &ev_size);
    X509_EXTENSION *ext = ext_of(ATTEST_OID_ENARX_SNP, ev, ev_size);
    uint8_t *csr = make_csr(ext, &size);
    struct attest_roots *roots = vec_roots();
    struct attest_verify_opts o = opts_at(roots, vec_time(2023, 1, 1));
    struct attest_claims c;
    struct attest_error err = {{0}};
    assert_int_equal(attest_csr_verify(csr, size, &o, &c, &err), ATTEST_E_SIGNATURE);
    assert_non_null(strstr(err.msg, "public key"));
    X509_EXTENSION_free(ext);
    free(csr);
    free(ev);
    X509_REQ_free(req);
    attest_roots_free(roots);
}

static void test_kvm_and_missing(void **state)
{
    (void)state;
    size_t size;
    struct attest_claims c;
    struct attest_error err = {{0}};
    struct attest_verify_opts o = opts_at(NULL, 0);
    X509_EXTENSION *ext = ext_of(ATTEST_OID_ENARX_KVM, (const uint8_t *)"", 0);
    uint8_t *csr = make_csr(ext, &size);
    assert_int_equal(attest_csr_verify(csr, size, &o, &c, &err), 0);
    assert_int_equal(c.platform, ATTEST_PLATFORM_KVM);
    X509_EXTENSION_free(ext);
    free(csr);
    csr = make_csr(NULL, &size);
    assert_int_equal(attest_csr_verify(csr, size, &o, &c, &err), ATTEST_E_MALFORMED);
    free(csr);
    /* Garbage in the SNP extension. */
    ext = ext_of(ATTEST_OID_ENARX_SNP, (const uint8_t *)"\x30\x03\x04\x01", 4);
    csr = make_csr(ext, &size);
    assert_int_equal(attest_csr_verify(csr, size, &o, &c, &err), ATTEST_E_MALFORMED);
    X509_EXTENSION_free(ext);
    free(csr);
}

static void test_pem_csr(void **state)
{
    (void)state;
    X509_REQ *req = read_csr();
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509_REQ(bio, req);
    char *pem = NULL;
    long n = BIO_get_mem_data(bio, &pem);
    struct attest_roots *roots = vec_roots();
    struct attest_verify_opts o = opts_at(roots, 0);
    struct attest_claims c;
    struct attest_error err = {{0}};
    assert_int_equal(attest_format_detect((const uint8_t *)pem, (size_t)n), ATTEST_FORMAT_CSR);
    assert_int_equal(attest_evidence_verify((const uint8_t *)pem, (size_t)n, &o, &c, &err), 0);
    assert_true(c.report_data_bound);
    BIO_free(bio);
    X509_REQ_free(req);
    attest_roots_free(roots);
}

static void test_sgx_evidence_parse(void **state)
{
    (void)state;
    static const uint8_t ok[] = {0x30, 0x09, 0x04, 0x03, 'a', 'b', 'c', 0x30, 0x00, 0x30, 0x00};
    static const uint8_t trailing[] = {0x30, 0x05, 0x04, 0x03, 'a', 'b', 'c', 0x00};
    static const uint8_t no_quote[] = {0x30, 0x02, 0x30, 0x00};
    struct attest_enarx_sgx s;
    struct attest_error err = {{0}};
    assert_int_equal(attest_enarx_sgx_parse(ok, sizeof(ok), &s, &err), 0);
    assert_int_equal(s.quote_size, 3);
    assert_memory_equal(s.quote, "abc", 3);
    assert_int_equal(attest_enarx_sgx_parse(trailing, sizeof(trailing), &s, &err),
                     ATTEST_E_MALFORMED);
    assert_int_equal(attest_enarx_sgx_parse(no_quote, sizeof(no_quote), &s, &err),
                     ATTEST_E_MALFORMED);
}

/* ---- strict CSRs (issue #10), built byte by byte and signed ---- */

struct dbuf {
    uint8_t b[8192];
    size_t n;
};

static void put(struct dbuf *o, const void *p, size_t n)
{
    assert_true(o->n + n <= sizeof(o->b));
    if (n) memcpy(o->b + o->n, p, n);
    o->n += n;
}

/* tag, minimal definite length, content */
static void tlv(struct dbuf *o, uint8_t tag, const void *v, size_t n)
{
    uint8_t h[4] = {tag};
    size_t hn = 2;
    if (n < 128)
        h[1] = (uint8_t)n;
    else if (n < 256)
        h[1] = 0x81, h[2] = (uint8_t)n, hn = 3;
    else
        h[1] = 0x82, h[2] = (uint8_t)(n >> 8), h[3] = (uint8_t)n, hn = 4;
    put(o, h, hn);
    put(o, v, n);
}

static void oid(struct dbuf *o, const char *text)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(text, 1);
    unsigned char *der = NULL;
    int n = i2d_ASN1_OBJECT(obj, &der);
    assert_true(n > 0);
    put(o, der, (size_t)n);
    OPENSSL_free(der);
    ASN1_OBJECT_free(obj);
}

/* Extension { oid, [critical FALSE encoded when explicit_false], OCTET STRING value } */
static void extension(struct dbuf *o, const char *id, const struct dbuf *value, bool explicit_false)
{
    struct dbuf e = {.n = 0};
    oid(&e, id);
    if (explicit_false) put(&e, "\x01\x01\x00", 3);
    tlv(&e, 0x04, value->b, value->n);
    tlv(o, 0x30, e.b, e.n);
}

/* Attribute extensionRequest with one value per exts[i] (each a run of Extension TLVs). */
static void ext_request(struct dbuf *o, const struct dbuf *exts, size_t count)
{
    struct dbuf a = {.n = 0}, set = {.n = 0};
    oid(&a, "1.2.840.113549.1.9.14");
    for (size_t i = 0; i < count; i++)
        tlv(&set, 0x30, exts[i].b, exts[i].n);
    tlv(&a, 0x31, set.b, set.n);
    tlv(o, 0x30, a.b, a.n);
}

/* The whole CSR for key: version, empty subject, key, attributes, ecdsa-with-SHA256. */
static void sign_csr(EVP_PKEY *key, int version, const struct dbuf *attrs, struct dbuf *out)
{
    struct dbuf info = {.n = 0}, body = {.n = 0}, alg = {.n = 0}, sig = {.n = 0};
    uint8_t v = (uint8_t)version;
    tlv(&info, 0x02, &v, 1);
    tlv(&info, 0x30, NULL, 0);
    unsigned char *spki = NULL;
    int n = i2d_PUBKEY(key, &spki);
    put(&info, spki, (size_t)n);
    OPENSSL_free(spki);
    tlv(&info, 0xa0, attrs->b, attrs->n);
    tlv(&body, 0x30, info.b, info.n);
    oid(&alg, "1.2.840.10045.4.3.2");
    tlv(&body, 0x30, alg.b, alg.n);
    uint8_t raw[80] = {0}; /* BIT STRING: no unused bits, then the DER ECDSA signature */
    size_t raw_size = sizeof(raw) - 1;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key), 1);
    /* the signature covers the request info TLV: the first element of body */
    size_t info_tlv = body.n - (alg.n + 2);
    assert_int_equal(EVP_DigestSign(md, raw + 1, &raw_size, body.b, info_tlv), 1);
    EVP_MD_CTX_free(md);
    tlv(&sig, 0x03, raw, raw_size + 1);
    put(&body, sig.b, sig.n);
    out->n = 0;
    tlv(out, 0x30, body.b, body.n);
}

/* sim evidence bound to key (REPORT_DATA = SHA-256(SPKI) || tail), as the extension value. */
static void sim_value(EVP_PKEY *key, uint8_t tail, struct dbuf *value)
{
    uint8_t rd[64] = {0}, meas[48] = {1};
    unsigned char *spki = NULL;
    int n = i2d_PUBKEY(key, &spki);
    SHA256(spki, (size_t)n, rd);
    OPENSSL_free(spki);
    rd[63] = tail;
    EVP_PKEY *sk = EVP_EC_gen("P-256");
    uint8_t *ev = NULL;
    size_t ev_size = 0;
    assert_int_equal(attest_sim_make(meas, rd, sk, &ev, &ev_size), 0);
    struct dbuf os = {.n = 0};
    tlv(&os, 0x04, ev, ev_size);
    value->n = 0;
    tlv(value, 0x30, os.b, os.n);
    free(ev);
    EVP_PKEY_free(sk);
}

static int verify_csr(const struct dbuf *csr, struct attest_claims *c)
{
    struct attest_verify_opts o = opts_at(NULL, 0);
    struct attest_error err = {{0}};
    int rc = attest_csr_verify(csr->b, csr->n, &o, c, &err);
    if (getenv("CSR_TEST_VERBOSE")) print_message("  %d: %s\n", rc, err.msg);
    return rc;
}

/*
 * Each case here was accepted by the code of 5ee0efd (attest_csr_verify returned 0, and the
 * Steward answered 200 with simulated evidence allowed): a second extensionRequest attribute or
 * value carrying other evidence, BER lengths, version 5, an explicit critical FALSE, and bytes
 * after the key's hash in REPORT_DATA.
 */
static void test_strict_csr(void **state)
{
    (void)state;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    struct dbuf simv, kvmv = {.n = 0}, ext1 = {.n = 0}, ext2 = {.n = 0}, attrs = {.n = 0}, csr;
    struct attest_claims c;
    sim_value(key, 0, &simv);
    extension(&ext1, ATTEST_OID_SIM_EVIDENCE, &simv, false);
    extension(&ext2, ATTEST_OID_ENARX_KVM, &kvmv, false);
    ext_request(&attrs, &ext1, 1);
    sign_csr(key, 0, &attrs, &csr);
    assert_int_equal(verify_csr(&csr, &c), 0); /* the well-formed one */
    assert_int_equal(c.platform, ATTEST_PLATFORM_SIM);
    assert_true(c.report_data_bound);

    /* sim evidence in one extensionRequest attribute, kvm evidence in a second */
    ext_request(&attrs, &ext2, 1);
    sign_csr(key, 0, &attrs, &csr);
    assert_int_equal(verify_csr(&csr, &c), ATTEST_E_MALFORMED);
    /* ... or in a second value of the same attribute */
    struct dbuf two[2] = {ext1, ext2};
    attrs.n = 0;
    ext_request(&attrs, two, 2);
    sign_csr(key, 0, &attrs, &csr);
    assert_int_equal(verify_csr(&csr, &c), ATTEST_E_MALFORMED);

    /* version 5 */
    attrs.n = 0;
    ext_request(&attrs, &ext1, 1);
    sign_csr(key, 5, &attrs, &csr);
    assert_int_equal(verify_csr(&csr, &c), ATTEST_E_MALFORMED);

    /* the outer SEQUENCE with an indefinite length, then with a non-minimal one */
    sign_csr(key, 0, &attrs, &csr);
    assert_int_equal(csr.b[1], 0x82);
    struct dbuf ber = {.n = 0};
    put(&ber, "\x30\x80", 2);
    put(&ber, csr.b + 4, csr.n - 4);
    put(&ber, "\x00\x00", 2);
    assert_int_equal(verify_csr(&ber, &c), ATTEST_E_MALFORMED);
    ber.n = 0;
    put(&ber, "\x30\x83\x00", 3);
    put(&ber, csr.b + 2, csr.n - 2);
    assert_int_equal(verify_csr(&ber, &c), ATTEST_E_MALFORMED);
    /* a trailing byte */
    ber.n = 0;
    put(&ber, csr.b, csr.n);
    put(&ber, "\x00", 1);
    assert_int_equal(verify_csr(&ber, &c), ATTEST_E_MALFORMED);

    /* critical FALSE encoded (DER forbids encoding a DEFAULT value) */
    struct dbuf ext3 = {.n = 0};
    extension(&ext3, ATTEST_OID_SIM_EVIDENCE, &simv, true);
    attrs.n = 0;
    ext_request(&attrs, &ext3, 1);
    sign_csr(key, 0, &attrs, &csr);
    assert_int_equal(verify_csr(&csr, &c), ATTEST_E_MALFORMED);

    /* REPORT_DATA = the key's hash, then a byte that is not zero */
    sim_value(key, 1, &simv);
    ext1.n = 0;
    extension(&ext1, ATTEST_OID_SIM_EVIDENCE, &simv, false);
    attrs.n = 0;
    ext_request(&attrs, &ext1, 1);
    sign_csr(key, 0, &attrs, &csr);
    assert_int_equal(verify_csr(&csr, &c), ATTEST_E_SIGNATURE);

    /* sim evidence under the TDX OID: the platform must match the OID */
    sim_value(key, 0, &simv);
    ext1.n = 0;
    extension(&ext1, ATTEST_OID_TDX_EVIDENCE, &simv, false);
    attrs.n = 0;
    ext_request(&attrs, &ext1, 1);
    sign_csr(key, 0, &attrs, &csr);
    assert_true(verify_csr(&csr, &c) < 0);
    EVP_PKEY_free(key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csr_valid),          cmocka_unit_test(test_evidence_parse),
        cmocka_unit_test(test_every_byte_flipped), cmocka_unit_test(test_binding_to_other_key),
        cmocka_unit_test(test_kvm_and_missing),    cmocka_unit_test(test_pem_csr),
        cmocka_unit_test(test_sgx_evidence_parse), cmocka_unit_test(test_strict_csr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
