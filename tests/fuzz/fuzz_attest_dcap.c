/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_attest_dcap.c - libFuzzer target for Intel DCAP quotes and collateral
 * (src/attest/dcap.c, dcap_collateral.c). Any crash, sanitizer report, leak or hang is a bug.
 *
 * The first byte of the input picks what the rest is:
 *   0: a quote, verified against a root made at start-up (the parser, certification data, PEM
 *      chain reading and chain building see arbitrary bytes);
 *   1: the same quote, with collateral cut from the input after it (u16 length prefixes: TCB
 *      info, QE identity, signing chain, PCK CRL, root CRL);
 *   2: the value of a "tcbInfo" member, 3: of an "enclaveIdentity" member. The harness signs
 *      it with its own TCB signing key, wraps it in a document and applies it to fixed claims,
 *      so the fuzzer reaches the JSON reading, the raw-member scanner and the whole TCB status
 *      algorithm, which a real signature would otherwise keep out of reach. Byte 1 picks SGX
 *      or TDX claims and the TDX module version.
 *
 * Invariants checked (a violation traps): a successful verification yields a TCB status name
 * that parses back, a status other than Unknown only with collateral, and a refusal always
 * carries a message.
 *
 * Seeds: tests/fuzz/corpus/attest_dcap/, made by tests/fuzz/corpus_src/attest_dcap/gen.py
 * (synthetic quotes, truncations and JSON members; none copied from the shared vectors).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "attest/dcap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) __builtin_trap();                                                             \
    } while (0)

static EVP_PKEY *g_key; /* signs the root, the TCB signing certificate and the collateral */
static X509 *g_root;
static uint8_t g_pin[32];
static char g_chain[2048]; /* the TCB signing certificate, PEM */
static size_t g_chain_size;

static X509 *make_cert(const char *cn, bool ca)
{
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();
    time_t base = 1700000000;
    CHECK(x && n);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 1 : 2);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, n);
    X509_NAME_free(n);
    n = X509_NAME_new();
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"Fuzz Root", -1, -1,
                               0);
    X509_set_issuer_name(x, n);
    X509_NAME_free(n);
    X509_time_adj_ex(X509_getm_notBefore(x), -3650, 0, &base);
    X509_time_adj_ex(X509_getm_notAfter(x), 3650, 0, &base);
    X509_set_pubkey(x, g_key);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
                                              ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    CHECK(ext && X509_add_ext(x, ext, -1) == 1);
    X509_EXTENSION_free(ext);
    CHECK(X509_sign(x, g_key, EVP_sha256()) > 0);
    return x;
}

static void init_once(void)
{
    if (g_root) return;
    g_key = EVP_EC_gen("P-256");
    CHECK(g_key);
    g_root = make_cert("Fuzz Root", true);
    unsigned int n;
    X509_digest(g_root, EVP_sha256(), g_pin, &n);
    X509 *signer = make_cert("Fuzz TCB Signing", false);
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, signer);
    char *pem;
    long len = BIO_get_mem_data(bio, &pem);
    CHECK(len > 0 && (size_t)len < sizeof(g_chain));
    memcpy(g_chain, pem, (size_t)len);
    g_chain_size = (size_t)len;
    BIO_free(bio);
    X509_free(signer);
}

static void check_result(int rc, const struct attest_dcap_claims *c, const struct attest_error *e,
                         bool collateral)
{
    if (rc < 0) {
        CHECK(e->msg[0] != '\0' || rc == -ENOMEM);
        return;
    }
    enum attest_dcap_tcb_status s;
    CHECK(attest_dcap_tcb_status_parse(attest_dcap_tcb_status_name(c->tcb_status), &s) == 0);
    CHECK(s == c->tcb_status);
    CHECK(collateral || c->tcb_status == ATTEST_DCAP_TCB_UNKNOWN);
    CHECK(c->advisory_count <= ATTEST_DCAP_MAX_ADVISORIES);
}

/* Cuts a u16-length-prefixed piece off the front of *p. */
static void cut(const uint8_t **p, size_t *left, const uint8_t **out, size_t *out_size)
{
    *out = NULL;
    *out_size = 0;
    if (*left < 2) return;
    size_t n = (size_t)((*p)[0] | (*p)[1] << 8);
    *p += 2;
    *left -= 2;
    if (n > *left) n = *left;
    *out = n ? *p : NULL;
    *out_size = n;
    *p += n;
    *left -= n;
}

static void fuzz_quote(const uint8_t *data, size_t size, bool with_collateral)
{
    struct attest_dcap_collateral col;
    struct attest_dcap_opts o = {.root = g_root, .root_sha256 = g_pin, .at = 1700000000};
    const uint8_t *quote;
    size_t quote_size;
    if (with_collateral) {
        cut(&data, &size, &quote, &quote_size);
        cut(&data, &size, &col.tcb_info, &col.tcb_info_size);
        cut(&data, &size, &col.qe_identity, &col.qe_identity_size);
        cut(&data, &size, &col.signing_chain_pem, &col.signing_chain_size);
        cut(&data, &size, &col.pck_crl, &col.pck_crl_size);
        cut(&data, &size, &col.root_crl, &col.root_crl_size);
        o.collateral = &col;
    } else {
        quote = data;
        quote_size = size;
    }
    struct attest_dcap_claims c;
    struct attest_error e;
    int rc = attest_dcap_verify(quote ? quote : (const uint8_t *)"", quote_size, &o, &c, &e);
    check_result(rc, &c, &e, with_collateral);
}

/* Signs member value body, wraps it, and applies it to claims shaped by sel. */
static void fuzz_member(const uint8_t *body, size_t size, bool tcb_info, uint8_t sel)
{
    static uint8_t doc[70000];
    const char *name = tcb_info ? "tcbInfo" : "enclaveIdentity";
    if (size > sizeof(doc) - 200) return;
    uint8_t sig[80];
    size_t sig_size = sizeof(sig);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    CHECK(md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, g_key) == 1 &&
          EVP_DigestSign(md, sig, &sig_size, body, size) == 1);
    EVP_MD_CTX_free(md);
    const uint8_t *p = sig;
    ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)sig_size);
    uint8_t raw[64];
    CHECK(s);
    BN_bn2binpad(ECDSA_SIG_get0_r(s), raw, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(s), raw + 32, 32);
    ECDSA_SIG_free(s);
    size_t n = (size_t)snprintf((char *)doc, 32, "{\"%s\":", name);
    memcpy(doc + n, body, size);
    n += size;
    n += (size_t)snprintf((char *)doc + n, 16, ",\"signature\":\"");
    for (size_t i = 0; i < 64; i++)
        n += (size_t)snprintf((char *)doc + n, 3, "%02x", raw[i]);
    n += (size_t)snprintf((char *)doc + n, 3, "\"}");

    struct attest_dcap_collateral col = {.signing_chain_pem = (const uint8_t *)g_chain,
                                         .signing_chain_size = g_chain_size};
    if (tcb_info) {
        col.tcb_info = doc;
        col.tcb_info_size = n;
    } else {
        col.qe_identity = doc;
        col.qe_identity_size = n;
    }
    struct attest_dcap_claims c;
    memset(&c, 0, sizeof(c));
    c.tee = (sel & 1) ? ATTEST_DCAP_TEE_TDX : ATTEST_DCAP_TEE_SGX;
    c.tcb_eval_number = -1;
    memset(c.pck_tcb, sel >> 4, sizeof(c.pck_tcb));
    c.pck_pce_svn = (uint16_t)(sel >> 2);
    memset(c.tdx.tee_tcb_svn, sel >> 5, sizeof(c.tdx.tee_tcb_svn));
    c.tdx.tee_tcb_svn[1] = (sel >> 1) & 3;
    c.qe.isv_prod_id = (sel & 1) ? 2 : 1;
    c.qe.isv_svn = sel >> 3;
    c.qe.attributes[0] = 0x11;
    struct attest_error e = {.msg = ""};
    int rc = attest_dcap_collateral_apply(&col, g_root, 1700000000, &c, &e);
    check_result(rc, &c, &e, true);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_once();
    if (size < 2) return 0;
    switch (data[0] & 3) {
    case 0: fuzz_quote(data + 1, size - 1, false); break;
    case 1: fuzz_quote(data + 1, size - 1, true); break;
    case 2: fuzz_member(data + 2, size - 2, true, data[1]); break;
    default: fuzz_member(data + 2, size - 2, false, data[1]); break;
    }
    return 0;
}
