/* SPDX-License-Identifier: Apache-2.0 */
/*
 * helpers.h - shared by the Steward's unit tests: a throwaway CA written to a temporary
 * directory, the recorded Enarx CSR read in place from ../shared/vectors, and PkiPath splitting.
 */
#ifndef ENARX_TEST_STEWARD_HELPERS_H
#define ENARX_TEST_STEWARD_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../steward/csrgen.h"
#include "steward/steward.h"

#define REAL_CSR "enarx/steward-snp-milan.csr"

/* A CA in a fresh temporary directory: dir/ca.key, dir/ca.crt. */
struct test_ca {
    char dir[64];
    char key_path[96], crt_path[96];
    EVP_PKEY *key;
    X509 *cert;
};

static inline void test_ca_make(struct test_ca *ca, const char *curve, long days)
{
    strcpy(ca->dir, "/tmp/steward-test-XXXXXX");
    if (!mkdtemp(ca->dir)) fail_msg("mkdtemp");
    snprintf(ca->key_path, sizeof(ca->key_path), "%s/ca.key", ca->dir);
    snprintf(ca->crt_path, sizeof(ca->crt_path), "%s/ca.crt", ca->dir);
    ca->key = csrgen_key(curve);
    assert_non_null(ca->key);
    ca->cert = csrgen_cert(ca->key, "Test Steward CA", -3600, days, true, NULL, NULL);
    assert_non_null(ca->cert);
    assert_int_equal(csrgen_write_key(ca->key_path, ca->key), 0);
    assert_int_equal(csrgen_write_certs(ca->crt_path, &ca->cert, 1), 0);
}

static inline void test_ca_free(struct test_ca *ca)
{
    char path[128];
    unlink(ca->key_path);
    unlink(ca->crt_path);
    snprintf(path, sizeof(path), "%s/policy.toml", ca->dir);
    unlink(path);
    rmdir(ca->dir);
    EVP_PKEY_free(ca->key);
    X509_free(ca->cert);
}

static inline uint8_t *test_read_vector(const char *rel, size_t *size)
{
    char path[1024];
    uint8_t *buf = NULL;
    snprintf(path, sizeof(path), "%s/%s", VECTORS_DIR, rel);
    if (util_file_read(path, 1u << 20, &buf, size) < 0) fail_msg("cannot read %s", path);
    return buf;
}

/* Splits a DER PkiPath into its certificates (caller frees the stack). */
static inline STACK_OF(X509) * test_split_path(const uint8_t *der, size_t size)
{
    const unsigned char *p = der;
    ASN1_SEQUENCE_ANY *seq = d2i_ASN1_SEQUENCE_ANY(NULL, &p, (long)size);
    assert_non_null(seq);
    assert_ptr_equal(p, der + size);
    STACK_OF(X509) *sk = sk_X509_new_null();
    for (int i = 0; i < sk_ASN1_TYPE_num(seq); i++) {
        ASN1_TYPE *t = sk_ASN1_TYPE_value(seq, i);
        assert_int_equal(ASN1_TYPE_get(t), V_ASN1_SEQUENCE);
        const unsigned char *q = ASN1_STRING_get0_data(t->value.sequence);
        X509 *x = d2i_X509(NULL, &q, ASN1_STRING_length(t->value.sequence));
        assert_non_null(x);
        sk_X509_push(sk, x);
    }
    sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
    return sk;
}

#endif
