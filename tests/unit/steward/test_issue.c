/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_issue.c - the Steward's CA and issuance, without HTTP or attestation: loading a CA (key
 * mismatch, not a CA, chains in and out of order, missing files), the issued certificate's
 * every property (end entity, key usages, SANs, serials, lifetime capped by the CA, signature,
 * a chain OpenSSL verifies for TLS server and client use), key types refused, and the claims
 * extension read back by a relying party.
 */
#include "helpers.h"

#include <openssl/err.h>

static struct attest_claims snp_claims(void)
{
    struct attest_claims c;
    memset(&c, 0, sizeof(c));
    c.platform = ATTEST_PLATFORM_SNP;
    strcpy(c.product, "Milan");
    strcpy(c.format, "enarx-csr+snp");
    c.measurement_size = 48;
    memset(c.measurement, 0xab, 48);
    c.report_data_size = 64;
    c.report_data_bound = true;
    c.tcb.bootloader = 3;
    c.tcb.snp = 8;
    c.tcb.microcode = 115;
    c.vmpl = 0;
    strcpy(c.signing_key, "VCEK");
    c.chip_id_size = 64;
    return c;
}

static X509_REQ *req_for(EVP_PKEY *key)
{
    size_t size = 0;
    uint8_t *der = csrgen_csr(key, NULL, NULL, 0, &size);
    assert_non_null(der);
    const unsigned char *p = der;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)size);
    free(der);
    assert_non_null(req);
    return req;
}

static void test_ca_load_errors(void **state)
{
    (void)state;
    struct test_ca ca;
    struct steward_ca *out = NULL;
    char err[256];
    test_ca_make(&ca, "P-256", 30);
    assert_int_equal(steward_ca_load(ca.key_path, ca.crt_path, &out, err, sizeof(err)), 0);
    steward_ca_free(out);
    assert_int_equal(steward_ca_load("/nonexistent/k", ca.crt_path, &out, err, sizeof(err)),
                     -ENOENT);
    assert_int_equal(steward_ca_load(ca.key_path, "/nonexistent/c", &out, err, sizeof(err)),
                     -ENOENT);
    /* the key is not the certificate's */
    EVP_PKEY *other = csrgen_key("P-256");
    assert_int_equal(csrgen_write_key(ca.key_path, other), 0);
    assert_int_equal(steward_ca_load(ca.key_path, ca.crt_path, &out, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "not the certificate of --key"));
    /* a certificate that is not a CA */
    X509 *leaf = csrgen_cert(other, "not a ca", 0, 30, false, NULL, NULL);
    assert_int_equal(csrgen_write_certs(ca.crt_path, &leaf, 1), 0);
    assert_int_equal(steward_ca_load(ca.key_path, ca.crt_path, &out, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "not a CA"));
    /* not a key, not a certificate */
    assert_int_equal(csrgen_write_certs(ca.key_path, &leaf, 1), 0);
    assert_int_equal(steward_ca_load(ca.key_path, ca.crt_path, &out, err, sizeof(err)), -EINVAL);
    X509_free(leaf);
    EVP_PKEY_free(other);
    test_ca_free(&ca);
}

static void test_issue_properties(void **state)
{
    (void)state;
    struct test_ca ca;
    struct steward_ca *sca = NULL;
    char err[256];
    test_ca_make(&ca, "P-384", 30);
    assert_int_equal(steward_ca_load(ca.key_path, ca.crt_path, &sca, err, sizeof(err)), 0);
    EVP_PKEY *key = csrgen_key("P-256");
    X509_REQ *req = req_for(key);
    struct attest_claims claims = snp_claims();
    const char *hosts[] = {"keep.example.com", "127.0.0.1", "::1"};
    struct steward_issue_opts o = {hosts, 3, 3600, 0};
    uint8_t *path = NULL;
    size_t size = 0;
    X509 *cert = NULL;
    assert_int_equal(steward_issue(sca, req, &claims, &o, &path, &size, &cert), 0);

    STACK_OF(X509) *sk = test_split_path(path, size);
    assert_int_equal(sk_X509_num(sk), 2);
    assert_int_equal(X509_cmp(sk_X509_value(sk, 0), ca.cert), 0); /* the CA first */
    X509 *leaf = sk_X509_value(sk, 1);
    assert_int_equal(X509_cmp(leaf, cert), 0);
    assert_int_equal(X509_verify(leaf, ca.key), 1);
    assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(leaf), key), 1);
    assert_int_equal(X509_check_ca(leaf), 0);
    assert_true(X509_get_extended_key_usage(leaf) & XKU_SSL_SERVER);
    assert_true(X509_get_extended_key_usage(leaf) & XKU_SSL_CLIENT);
    assert_true(X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE);
    assert_int_equal(X509_check_host(leaf, "keep.example.com", 0, 0, NULL), 1);
    assert_int_equal(X509_check_host(leaf, "other.example.com", 0, 0, NULL), 0);
    assert_int_equal(X509_check_ip_asc(leaf, "127.0.0.1", 0), 1);
    assert_int_equal(X509_check_ip_asc(leaf, "::1", 0), 1);
    int days = -1, secs = -1;
    assert_int_equal(
        ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(leaf), X509_get0_notAfter(leaf)), 1);
    assert_int_equal(days * 86400 + secs, 3600 + 60);

    /* OpenSSL's own path validation, for both TLS roles. */
    X509_STORE *store = X509_STORE_new();
    X509_STORE_add_cert(store, ca.cert);
    for (int purpose = X509_PURPOSE_SSL_CLIENT; purpose <= X509_PURPOSE_SSL_SERVER; purpose++) {
        X509_STORE_CTX *ctx = X509_STORE_CTX_new();
        X509_STORE_CTX_init(ctx, store, leaf, NULL);
        X509_STORE_CTX_set_purpose(ctx, purpose);
        assert_int_equal(X509_verify_cert(ctx), 1);
        X509_STORE_CTX_free(ctx);
    }
    X509_STORE_free(store);

    /* The claims, as a relying party reads them. */
    char v[200];
    assert_int_equal(steward_claims_get(leaf, "platform", v, sizeof(v)), 0);
    assert_string_equal(v, "snp");
    assert_int_equal(steward_claims_get(leaf, "product", v, sizeof(v)), 0);
    assert_string_equal(v, "Milan");
    assert_int_equal(steward_claims_get(leaf, "tcb", v, sizeof(v)), 0);
    assert_string_equal(v, "bootloader=3 tee=0 snp=8 microcode=115");
    assert_int_equal(steward_claims_get(leaf, "measurement", v, sizeof(v)), 0);
    assert_int_equal(strlen(v), 96);
    assert_memory_equal(v, "abababab", 8);
    assert_int_equal(steward_claims_get(leaf, "debug", v, sizeof(v)), 0);
    assert_string_equal(v, "false");
    assert_int_equal(steward_claims_get(leaf, "no-such-claim", v, sizeof(v)), -ENOENT);
    assert_int_equal(steward_claims_get(leaf, "platform", v, 3), -ENOSPC);
    assert_int_equal(steward_claims_get(ca.cert, "platform", v, sizeof(v)), -ENOENT);

    /* Random serials: a second certificate for the same request differs. */
    X509 *cert2 = NULL;
    uint8_t *path2 = NULL;
    assert_int_equal(steward_issue(sca, req, &claims, &o, &path2, &size, &cert2), 0);
    assert_int_not_equal(
        ASN1_INTEGER_cmp(X509_get0_serialNumber(cert), X509_get0_serialNumber(cert2)), 0);
    assert_true(ASN1_INTEGER_get(X509_get0_serialNumber(cert2)) != 0);
    free(path2);
    X509_free(cert2);

    sk_X509_pop_free(sk, X509_free);
    free(path);
    X509_free(cert);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
    steward_ca_free(sca);
    test_ca_free(&ca);
}

static void test_issue_lifetime_and_keys(void **state)
{
    (void)state;
    struct test_ca ca;
    struct steward_ca *sca = NULL;
    char err[256];
    test_ca_make(&ca, "P-256", 2); /* the CA ends in two days */
    assert_int_equal(steward_ca_load(ca.key_path, ca.crt_path, &sca, err, sizeof(err)), 0);
    struct attest_claims claims = snp_claims();
    struct steward_issue_opts o = {NULL, 0, 30ul * 86400, 0};
    uint8_t *path = NULL;
    size_t size = 0;
    X509 *cert = NULL;

    EVP_PKEY *key = csrgen_key("ED25519");
    X509_REQ *req = req_for(key);
    assert_int_equal(steward_issue(sca, req, &claims, &o, &path, &size, &cert), 0);
    /* capped at the CA's notAfter; no SAN without hosts, CN "Enarx Keep" */
    assert_int_equal(ASN1_TIME_compare(X509_get0_notAfter(cert), X509_get0_notAfter(ca.cert)), 0);
    assert_int_equal(X509_get_ext_by_NID(cert, NID_subject_alt_name, -1), -1);
    char cn[64];
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof(cn));
    assert_string_equal(cn, "Enarx Keep");
    free(path);
    X509_free(cert);
    X509_REQ_free(req);
    EVP_PKEY_free(key);

    /* a key no TLS stack should use */
    key = csrgen_key("RSA1024");
    req = req_for(key);
    assert_int_equal(steward_issue(sca, req, &claims, &o, &path, &size, &cert), -EINVAL);
    X509_REQ_free(req);
    EVP_PKEY_free(key);

    /* a CA that is no longer valid issues nothing */
    key = csrgen_key("P-384");
    req = req_for(key);
    o.now = time(NULL) + 5 * 86400;
    assert_int_equal(steward_issue(sca, req, &claims, &o, &path, &size, &cert), -EKEYEXPIRED);
    o.now = time(NULL) - 5 * 86400;
    assert_int_equal(steward_issue(sca, req, &claims, &o, &path, &size, &cert), -EKEYEXPIRED);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
    steward_ca_free(sca);
    test_ca_free(&ca);
}

/* An intermediate CA under a root: the PkiPath is root, intermediate, leaf. */
static void test_issue_chain(void **state)
{
    (void)state;
    struct test_ca ca;
    struct steward_ca *sca = NULL;
    char err[256];
    test_ca_make(&ca, "P-384", 30); /* the root */
    EVP_PKEY *ikey = csrgen_key("P-256");
    X509 *inter = csrgen_cert(ikey, "Intermediate", -60, 10, true, ca.cert, ca.key);
    assert_non_null(inter);
    X509 *wrong[] = {ca.cert, inter};
    X509 *right[] = {inter, ca.cert};
    assert_int_equal(csrgen_write_key(ca.key_path, ikey), 0);
    assert_int_equal(csrgen_write_certs(ca.crt_path, wrong, 2), 0);
    assert_int_equal(steward_ca_load(ca.key_path, ca.crt_path, &sca, err, sizeof(err)), -EINVAL);
    assert_int_equal(csrgen_write_certs(ca.crt_path, right, 2), 0);
    assert_int_equal(steward_ca_load(ca.key_path, ca.crt_path, &sca, err, sizeof(err)), 0);
    assert_int_equal(X509_cmp(steward_ca_cert(sca), inter), 0);

    EVP_PKEY *key = csrgen_key("P-256");
    X509_REQ *req = req_for(key);
    struct attest_claims claims = snp_claims();
    struct steward_issue_opts o = {NULL, 0, 600, 0};
    uint8_t *path = NULL;
    size_t size = 0;
    assert_int_equal(steward_issue(sca, req, &claims, &o, &path, &size, NULL), 0);
    STACK_OF(X509) *sk = test_split_path(path, size);
    assert_int_equal(sk_X509_num(sk), 3);
    assert_int_equal(X509_cmp(sk_X509_value(sk, 0), ca.cert), 0);
    assert_int_equal(X509_cmp(sk_X509_value(sk, 1), inter), 0);
    assert_int_equal(X509_verify(sk_X509_value(sk, 2), ikey), 1);
    sk_X509_pop_free(sk, X509_free);
    free(path);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
    X509_free(inter);
    EVP_PKEY_free(ikey);
    steward_ca_free(sca);
    test_ca_free(&ca);
}

/* The claims DER itself: strict structure, and every platform's claims encode. */
static void test_claims_encode(void **state)
{
    (void)state;
    struct attest_claims c = snp_claims();
    uint8_t *der = NULL;
    size_t size = 0;
    for (int p = ATTEST_PLATFORM_NONE; p <= ATTEST_PLATFORM_KVM; p++) {
        c.platform = (enum attest_platform)p;
        strcpy(c.product, p % 2 ? "Turin" : "");
        assert_int_equal(steward_claims_encode(&c, &der, &size), 0);
        const unsigned char *q = der;
        ASN1_SEQUENCE_ANY *seq = d2i_ASN1_SEQUENCE_ANY(NULL, &q, (long)size);
        assert_non_null(seq);
        assert_ptr_equal(q, der + size);
        assert_int_equal(sk_ASN1_TYPE_num(seq), 2);
        assert_int_equal(ASN1_TYPE_get(sk_ASN1_TYPE_value(seq, 0)), V_ASN1_INTEGER);
        sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
        free(der);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ca_load_errors),          cmocka_unit_test(test_issue_properties),
        cmocka_unit_test(test_issue_lifetime_and_keys), cmocka_unit_test(test_issue_chain),
        cmocka_unit_test(test_claims_encode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
