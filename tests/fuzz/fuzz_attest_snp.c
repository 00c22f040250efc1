/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_attest_snp.c - libFuzzer target for SEV-SNP reports and VCEK/VLEK certificates
 * (src/attest/snp.c, roots.c, x509.c). Any crash, sanitizer report, leak or hang is a bug.
 *
 * At start-up the harness makes its own AMD-shaped hierarchy (ARK -> ASK -> VCEK, EC P-384, the
 * VCEK carrying the AMD TCB and hwID extensions) in a temporary roots directory, pinned by the
 * ARK's fingerprint. The first input byte picks what the rest is:
 *   0: a report, verified as is (the parser and every reserved-range check see arbitrary bytes);
 *   1: a report that the harness signs with the VCEK key before verifying, so the fuzzer gets
 *      past the signature to the TCB and hwID matching and the claims, then through the default
 *      policy;
 *   2: a certificate (DER), parsed for AMD extensions and checked against the hierarchy.
 * Invariants (a violation traps): a refusal always carries a message; an accepted report was
 * signed by the harness (mode 1) and its claims say platform snp.
 *
 * Seeds: tests/fuzz/corpus/attest_snp/, made by tests/fuzz/corpus_src/attest_snp/gen.py.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "attest/attest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) __builtin_trap();                                                             \
    } while (0)

static EVP_PKEY *g_vcek_key;
static uint8_t *g_vcek_der;
static size_t g_vcek_size;
static struct attest_roots *g_roots;

static void name_cn(X509_NAME *n, const char *cn)
{
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
}

static void add_ext(X509 *x, const char *oid, const uint8_t *val, int len)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    CHECK(obj && os && ASN1_OCTET_STRING_set(os, val, len) == 1);
    X509_EXTENSION *e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
    CHECK(e && X509_add_ext(x, e, -1) == 1);
    X509_EXTENSION_free(e);
    ASN1_OBJECT_free(obj);
    ASN1_OCTET_STRING_free(os);
}

static X509 *make_cert(const char *cn, const char *issuer, EVP_PKEY *key, EVP_PKEY *signer, bool ca)
{
    X509 *x = X509_new();
    CHECK(x);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 1 : 2);
    X509_gmtime_adj(X509_getm_notBefore(x), -86400);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 3650);
    name_cn(X509_get_subject_name(x), cn);
    name_cn(X509_get_issuer_name(x), issuer);
    X509_set_pubkey(x, key);
    if (ca) {
        X509_EXTENSION *bc =
            X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints, "critical,CA:TRUE");
        X509_add_ext(x, bc, -1);
        X509_EXTENSION_free(bc);
    } else {
        static const char *const spl[] = {"1.3.6.1.4.1.3704.1.3.1", "1.3.6.1.4.1.3704.1.3.2",
                                          "1.3.6.1.4.1.3704.1.3.3", "1.3.6.1.4.1.3704.1.3.8"};
        const uint8_t vals[4][3] = {{2, 1, 3}, {2, 1, 0}, {2, 1, 8}, {2, 1, 115}};
        uint8_t hwid[64];
        memset(hwid, 0x5A, sizeof(hwid));
        for (size_t i = 0; i < 4; i++)
            add_ext(x, spl[i], vals[i], 3);
        add_ext(x, "1.3.6.1.4.1.3704.1.4", hwid, 64);
        add_ext(x, "1.3.6.1.4.1.3704.1.2", (const uint8_t *)"\x16\x05Milan", 7);
    }
    CHECK(X509_sign(x, signer, EVP_sha384()) > 0);
    return x;
}

static void write_pem(const char *path, X509 *x)
{
    FILE *f = fopen(path, "w");
    CHECK(f && PEM_write_X509(f, x) == 1);
    fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    EVP_PKEY *ark_key = EVP_EC_gen("P-384"), *ask_key = EVP_EC_gen("P-384");
    g_vcek_key = EVP_EC_gen("P-384");
    CHECK(ark_key && ask_key && g_vcek_key);
    X509 *ark = make_cert("ARK-Milan", "ARK-Milan", ark_key, ark_key, true);
    X509 *ask = make_cert("SEV-Milan", "ARK-Milan", ask_key, ark_key, true);
    X509 *vcek = make_cert("SEV-VCEK", "SEV-Milan", g_vcek_key, ask_key, false);
    char dir[] = "/tmp/fuzz-snp-XXXXXX", path[256];
    CHECK(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/amd", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/amd/milan", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/amd/milan/ark.pem", dir);
    write_pem(path, ark);
    snprintf(path, sizeof(path), "%s/amd/milan/ask.pem", dir);
    write_pem(path, ask);
    static uint8_t pin[1][32];
    unsigned char *der = NULL;
    int n = i2d_X509(ark, &der);
    unsigned int md = 0;
    CHECK(n > 0 && EVP_Digest(der, (size_t)n, pin[0], &md, EVP_sha256(), NULL) == 1);
    OPENSSL_free(der);
    struct attest_pins pins = {(const uint8_t(*)[32])pin, 1};
    struct attest_error err;
    CHECK(attest_roots_load(dir, &pins, &g_roots, &err) == 0);
    /* The roots are in memory now: leave nothing behind. */
    snprintf(path, sizeof(path), "%s/amd/milan/ark.pem", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/amd/milan/ask.pem", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/amd/milan", dir);
    rmdir(path);
    snprintf(path, sizeof(path), "%s/amd", dir);
    rmdir(path);
    rmdir(dir);
    der = NULL;
    n = i2d_X509(vcek, &der);
    CHECK(n > 0);
    g_vcek_der = der;
    g_vcek_size = (size_t)n;
    X509_free(ark);
    X509_free(ask);
    X509_free(vcek);
    EVP_PKEY_free(ark_key);
    EVP_PKEY_free(ask_key);
    return 0;
}

/* Signs buf[0..0x2a0) with the VCEK key and stores r, s little-endian at 0x2a0. */
static void sign_report(uint8_t *buf)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char sig[128];
    size_t sig_size = sizeof(sig);
    CHECK(ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha384(), NULL, g_vcek_key) == 1 &&
          EVP_DigestSign(ctx, sig, &sig_size, buf, ATTEST_SNP_SIGNED_SIZE) == 1);
    EVP_MD_CTX_free(ctx);
    const unsigned char *p = sig;
    ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)sig_size);
    CHECK(s);
    memset(buf + 0x2A0, 0, 144);
    CHECK(BN_bn2lebinpad(ECDSA_SIG_get0_r(s), buf + 0x2A0, 72) == 72);
    CHECK(BN_bn2lebinpad(ECDSA_SIG_get0_s(s), buf + 0x2A0 + 72, 72) == 72);
    ECDSA_SIG_free(s);
}

static void check_cert(const uint8_t *data, size_t size)
{
    const unsigned char *p = data;
    X509 *x = d2i_X509(NULL, &p, (long)size);
    if (!x) return;
    struct attest_snp_cert_info ci;
    struct attest_error err = {{0}};
    struct attest_verify_opts o = {g_roots, NULL, NULL, 0, NULL, 0};
    enum attest_snp_product prod;
    if (attest_snp_cert_parse(x, &ci, &err) != 0) CHECK(err.msg[0]);
    CHECK(ci.hwid_size <= 64);
    int rc = attest_snp_cert_chain(x, data[0] & 1, ATTEST_SNP_UNKNOWN, &o, &prod, &err);
    CHECK(rc == 0 || err.msg[0]);
    X509_free(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1u << 16)) return 0;
    uint8_t mode = data[0] % 3;
    data++;
    size--;
    if (mode == 2) {
        check_cert(data, size);
        return 0;
    }
    uint8_t *buf = malloc(size ? size : 1);
    CHECK(buf);
    memcpy(buf, data, size);
    if (mode == 1 && size == ATTEST_SNP_REPORT_SIZE) sign_report(buf);
    const uint8_t *certs[1] = {g_vcek_der};
    size_t sizes[1] = {g_vcek_size};
    struct attest_verify_opts o = {g_roots, certs, sizes, 1, NULL, 0};
    struct attest_claims c;
    struct attest_error err = {{0}};
    int rc = attest_snp_verify(buf, size, &o, NULL, &c, &err);
    if (rc != 0) {
        CHECK(err.msg[0]);
    } else {
        CHECK(mode == 1 && c.platform == ATTEST_PLATFORM_SNP);
        struct attest_policy pol;
        struct attest_decision d;
        attest_policy_init(&pol);
        attest_policy_check(&pol, &c, &d);
        CHECK(d.allowed || d.rule[0]);
        attest_policy_free(&pol);
    }
    free(buf);
    return 0;
}
