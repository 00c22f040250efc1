/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_steward_csr.c - libFuzzer target for the Steward's request handler (src/steward/
 * handler.c, issue.c, claims.c, and src/attest behind them). Any crash, sanitizer report, leak
 * or hang is a bug.
 *
 * The first input byte picks what the rest is:
 *   0: a whole request body, handled as the server would (steward_handle_csr);
 *   1: an evidence extension value that the harness wraps in a CSR it signs with its own P-256
 *      key, so the fuzzer gets past the CSR signature; byte 1 picks the OID (kvm, sgx, snp,
 *      simulated, tdx). kvm and simulated evidence are allowed by the harness's Steward, so
 *      those reach issuance, the claims extension and the PkiPath encoder;
 *   2: claims: the bytes fill a struct attest_claims (strings terminated, sizes as they come)
 *      that is encoded as the claims extension and read back.
 * Invariants (a violation traps): every answer is a 200 with a PkiPath that parses, or a
 * 4xx/5xx with a JSON body; a body that is not a CSR never gets a 200; encoded claims parse.
 *
 * The Steward is made once (LLVMFuzzerInitialize): a fresh CA in a temporary directory, no
 * hardware roots, a policy allowing kvm, and simulated evidence allowed.
 * Seeds: tests/fuzz/corpus/steward_csr/ (made by tests/fuzz/corpus_src/steward_csr/gen.sh).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "../steward/csrgen.h"
#include "steward/steward.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) __builtin_trap();                                                             \
    } while (0)

static struct steward *g_steward;
static EVP_PKEY *g_key;

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f && fputs(text, f) >= 0 && fclose(f) == 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char dir[] = "/tmp/fuzz-steward-XXXXXX", key[64], crt[64], pol[64];
    CHECK(mkdtemp(dir));
    snprintf(key, sizeof(key), "%s/ca.key", dir);
    snprintf(crt, sizeof(crt), "%s/ca.crt", dir);
    snprintf(pol, sizeof(pol), "%s/policy.toml", dir);
    EVP_PKEY *ca_key = csrgen_key("P-256");
    X509 *ca = ca_key ? csrgen_cert(ca_key, "Fuzz CA", -3600, 3650, true, NULL, NULL) : NULL;
    CHECK(ca && csrgen_write_key(key, ca_key) == 0 && csrgen_write_certs(crt, &ca, 1) == 0);
    write_text(pol, "[kvm]\ninsecure_allow = true\n");
    const char *hosts[] = {"localhost", "127.0.0.1"};
    struct steward_config cfg = {key, crt, NULL, pol, hosts, 2, true, 3600, 0};
    char err[256];
    log_set_level(LOG_ERROR);
    CHECK(steward_new(&cfg, &g_steward, err, sizeof(err)) == 0);
    unlink(key);
    unlink(crt);
    unlink(pol);
    rmdir(dir);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    g_key = csrgen_key("P-256");
    CHECK(g_key);
    return 0;
}

static bool is_csr(const uint8_t *data, size_t size)
{
    const unsigned char *p = data;
    X509_REQ *req = size ? d2i_X509_REQ(NULL, &p, (long)size) : NULL;
    bool ok = req && p == data + size;
    X509_REQ_free(req);
    return ok;
}

/* The answer's invariants. */
static void handle(const uint8_t *body, size_t size)
{
    struct steward_reply r;
    if (steward_handle_csr(g_steward, body, size, "fuzz", &r) < 0) return; /* out of memory */
    if (r.status == 200) {
        CHECK(is_csr(body, size));
        CHECK(strcmp(r.content_type, "application/pkix-pkipath") == 0);
        const unsigned char *p = r.body;
        ASN1_SEQUENCE_ANY *seq = d2i_ASN1_SEQUENCE_ANY(NULL, &p, (long)r.body_size);
        CHECK(seq && p == r.body + r.body_size && sk_ASN1_TYPE_num(seq) == 2);
        sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
    } else {
        CHECK(r.status >= 400 && r.status < 600);
        CHECK(strcmp(r.content_type, "application/json") == 0);
        CHECK(r.body_size > 2 && r.body[0] == '{');
    }
    steward_reply_free(&r);
}

static void wrapped(const uint8_t *data, size_t size)
{
    static const char *const oids[] = {ATTEST_OID_ENARX_KVM, ATTEST_OID_ENARX_SGX,
                                       ATTEST_OID_ENARX_SNP, ATTEST_OID_SIM_EVIDENCE,
                                       ATTEST_OID_TDX_EVIDENCE};
    if (size < 1) return;
    size_t csr_size = 0;
    uint8_t *csr =
        csrgen_csr(g_key, oids[data[0] % ARRAY_LEN(oids)], data + 1, size - 1, &csr_size);
    if (!csr) return;
    handle(csr, csr_size);
    free(csr);
}

static void terminate(char *s, size_t size)
{
    s[size - 1] = '\0';
}

/* Bytes copied over a bool are not a valid bool: make them 0 or 1 through a byte. */
static void fix_bool(bool *b)
{
    unsigned char v;
    memcpy(&v, b, 1);
    *b = v & 1;
}

static void claims(const uint8_t *data, size_t size)
{
    struct attest_claims c;
    memset(&c, 0, sizeof(c));
    memcpy(&c, data, size < sizeof(c) ? size : sizeof(c));
    c.platform = (enum attest_platform)((unsigned)c.platform % (ATTEST_PLATFORM_KVM + 1));
    fix_bool(&c.debug);
    fix_bool(&c.report_data_bound);
    fix_bool(&c.has_fmspc);
    fix_bool(&c.has_collateral);
    fix_bool(&c.has_mrsigner);
    fix_bool(&c.has_tdx_body);
    terminate(c.product, sizeof(c.product));
    terminate(c.format, sizeof(c.format));
    terminate(c.signing_key, sizeof(c.signing_key));
    terminate(c.tcb_status, sizeof(c.tcb_status));
    terminate(c.collateral, sizeof(c.collateral));
    terminate(c.note, sizeof(c.note));
    uint8_t *der = NULL;
    size_t der_size = 0;
    if (steward_claims_encode(&c, &der, &der_size) < 0) return;
    const unsigned char *p = der;
    ASN1_SEQUENCE_ANY *seq = d2i_ASN1_SEQUENCE_ANY(NULL, &p, (long)der_size);
    CHECK(seq && p == der + der_size);
    sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
    free(der);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_steward) LLVMFuzzerInitialize(NULL, NULL);
    if (size < 1) return 0;
    switch (data[0] % 3) {
    case 0: handle(data + 1, size - 1); break;
    case 1: wrapped(data + 1, size - 1); break;
    default: claims(data + 1, size - 1); break;
    }
    ERR_clear_error();
    return 0;
}
