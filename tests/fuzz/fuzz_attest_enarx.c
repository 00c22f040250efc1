/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_attest_enarx.c - libFuzzer target for Enarx's evidence encodings and CSRs
 * (src/attest/enarx.c, der.c, verify.c's format recognition). Any crash, sanitizer report,
 * leak or hang is a bug.
 *
 * The first input byte picks what the rest is:
 *   0: Enarx SNP evidence DER (attest_enarx_snp_parse), then the same bytes as SGX evidence;
 *   1: a whole CSR (DER or PEM), verified;
 *   2: an extension value that the harness wraps in a CSR it signs with its own key (so the
 *      fuzzer gets past the CSR signature): byte 1 picks the OID (kvm, sgx, snp).
 * Everything also goes through attest_evidence_verify() with a harness trust store that holds
 * no roots. Invariants (a violation traps): parsed windows lie inside the input; a refusal
 * carries a message; only the kvm extension can be accepted without roots.
 *
 * Seeds: tests/fuzz/corpus/attest_enarx/, made by tests/fuzz/corpus_src/attest_enarx/gen.py.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "attest/attest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) __builtin_trap();                                                             \
    } while (0)

static EVP_PKEY *g_key;

static bool inside(const uint8_t *p, size_t n, const uint8_t *buf, size_t size)
{
    return n == 0 || (p >= buf && n <= size && p - buf <= (ptrdiff_t)(size - n));
}

static void parse_evidence(const uint8_t *data, size_t size)
{
    struct attest_enarx_snp s;
    struct attest_enarx_sgx g;
    struct attest_error err = {{0}};
    if (attest_enarx_snp_parse(data, size, &s, &err) == 0) {
        CHECK(inside(s.vcek, s.vcek_size, data, size));
        CHECK(inside(s.report, s.report_size, data, size));
        CHECK(s.crl_count <= 4);
        for (size_t i = 0; i < s.crl_count; i++)
            CHECK(inside(s.crls[i], s.crl_sizes[i], data, size));
    } else {
        CHECK(err.msg[0]);
    }
    if (attest_enarx_sgx_parse(data, size, &g, &err) == 0)
        CHECK(inside(g.quote, g.quote_size, data, size));
}

static uint8_t *wrap_in_csr(const uint8_t *val, size_t n, uint8_t which, size_t *out_size)
{
    static const char *const oids[] = {ATTEST_OID_ENARX_KVM, ATTEST_OID_ENARX_SGX,
                                       ATTEST_OID_ENARX_SNP};
    X509_REQ *req = X509_REQ_new();
    ASN1_OBJECT *obj = OBJ_txt2obj(oids[which % 3], 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    CHECK(req && obj && os && ASN1_OCTET_STRING_set(os, val, (int)n) == 1);
    X509_EXTENSION *e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
    STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
    CHECK(e && exts && sk_X509_EXTENSION_push(exts, e) > 0);
    CHECK(X509_REQ_set_pubkey(req, g_key) == 1 && X509_REQ_add_extensions(req, exts) == 1);
    CHECK(X509_REQ_sign(req, g_key, EVP_sha256()) > 0);
    unsigned char *der = NULL;
    int len = i2d_X509_REQ(req, &der);
    CHECK(len > 0);
    uint8_t *out = malloc((size_t)len);
    CHECK(out);
    memcpy(out, der, (size_t)len);
    *out_size = (size_t)len;
    OPENSSL_free(der);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    ASN1_OBJECT_free(obj);
    ASN1_OCTET_STRING_free(os);
    X509_REQ_free(req);
    return out;
}

static void verify(const uint8_t *buf, size_t size, bool kvm_ok)
{
    struct attest_verify_opts o = {NULL, NULL, NULL, 0, NULL, 0};
    struct attest_claims c;
    struct attest_error err = {{0}};
    int rc = attest_evidence_verify(buf, size, &o, &c, &err);
    if (rc != 0)
        CHECK(err.msg[0]);
    else
        CHECK((kvm_ok && c.platform == ATTEST_PLATFORM_KVM) || c.platform == ATTEST_PLATFORM_SIM);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > (1u << 16)) return 0;
    if (!g_key) CHECK((g_key = EVP_EC_gen("P-256")) != NULL);
    uint8_t mode = data[0] % 3;
    uint8_t *buf = malloc(size);
    CHECK(buf);
    memcpy(buf, data + 1, size - 1);
    if (mode == 0) {
        parse_evidence(buf, size - 1);
        verify(buf, size - 1, false);
    } else if (mode == 1) {
        verify(buf, size - 1, true);
    } else {
        size_t csr_size;
        uint8_t *csr = wrap_in_csr(buf + 1, size - 2, buf[0], &csr_size);
        verify(csr, csr_size, true);
        free(csr);
    }
    free(buf);
    return 0;
}
