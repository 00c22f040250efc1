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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csr_valid),          cmocka_unit_test(test_evidence_parse),
        cmocka_unit_test(test_every_byte_flipped), cmocka_unit_test(test_binding_to_other_key),
        cmocka_unit_test(test_kvm_and_missing),    cmocka_unit_test(test_pem_csr),
        cmocka_unit_test(test_sgx_evidence_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
