/* SPDX-License-Identifier: Apache-2.0 */
/*
 * snp.c - AMD SEV-SNP attestation reports (ABI versions 2, 3 and 5: Milan, Genoa, Turin).
 *
 * A report is a fixed 1184-byte structure. The first 0x2A0 bytes are signed by the chip's VCEK
 * (or a cloud provider's VLEK) with ECDSA P-384 / SHA-384; r and s are stored little-endian in
 * 72-byte fields. The VCEK is signed by the product's ASK (a VLEK by the ASVK), which is signed by
 * the product's ARK (RSA-PSS, SHA-384). The VCEK carries the TCB it was issued for and the chip's
 * hardware ID as X.509 extensions; verification matches them against the report's REPORTED_TCB
 * (not CURRENT_TCB: the firmware signs with the key derived for the reported TCB) and CHIP_ID.
 *
 * Verification order: parse (every reserved range and the version checked) -> pick the signing
 * certificate and verify its chain -> verify the report signature -> match the extensions ->
 * claims. Products: v3+ reports name their CPU family/model; for v2 the product is the one whose
 * chain verifies. The TCB_VERSION layout differs: Turin has an FMC byte and a different order.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "attest/der.h"
#include "attest/internal.h"
#include "attest/verify_internal.h"

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

const char *attest_snp_product_name(enum attest_snp_product p)
{
    switch (p) {
    case ATTEST_SNP_MILAN: return "Milan";
    case ATTEST_SNP_GENOA: return "Genoa";
    case ATTEST_SNP_TURIN: return "Turin";
    default: return "unknown";
    }
}

void attest_snp_tcb_decode(uint64_t raw, enum attest_snp_product product,
                           struct attest_snp_tcb *out)
{
    uint8_t b[8];
    for (size_t i = 0; i < 8; i++)
        b[i] = (uint8_t)(raw >> (8 * i));
    memset(out, 0, sizeof(*out));
    if (product == ATTEST_SNP_TURIN) {
        out->fmc = b[0];
        out->bootloader = b[1];
        out->tee = b[2];
        out->snp = b[3];
    } else {
        out->bootloader = b[0];
        out->tee = b[1];
        out->snp = b[6];
    }
    out->microcode = b[7];
}

/* Byte ranges that must be zero, as [start, end) offsets, per version. */
struct mbz_range {
    uint16_t start, end;
    const char *name;
};

static const struct mbz_range g_mbz_common[] = {
    {0x04C, 0x050, "reserved after KEY_INFO"},
    {0x18B, 0x1A0, "reserved after CPUID_STEP"},
    {0x1EB, 0x1EC, "reserved after CURRENT_MAJOR"},
    {0x1EF, 0x1F0, "reserved after COMMITTED_MAJOR"},
    {0x208, 0x2A0, "reserved before SIGNATURE"},
    {0x2A0 + 48, 0x2A0 + 72, "high bytes of SIGNATURE.R"},
    {0x2A0 + 72 + 48, 0x2A0 + 144, "high bytes of SIGNATURE.S"},
    {0x2A0 + 144, 0x4A0, "reserved after SIGNATURE"},
};

static int check_reserved(const uint8_t *buf, uint32_t version, struct attest_error *err)
{
    for (size_t i = 0; i < ARRAY_LEN(g_mbz_common); i++) {
        const struct mbz_range *m = &g_mbz_common[i];
        if (!attest_all_zero(buf + m->start, (size_t)(m->end - m->start)))
            return attest_fail(err, ATTEST_E_MALFORMED, "SNP report: %s (0x%x..0x%x) is not zero",
                               m->name, m->start, m->end);
    }
    if (version < 3 && !attest_all_zero(buf + 0x188, 3))
        return attest_fail(err, ATTEST_E_MALFORMED, "SNP report v2: bytes 0x188..0x18b not zero");
    if (version < 5 && !attest_all_zero(buf + 0x1F8, 0x10))
        return attest_fail(err, ATTEST_E_MALFORMED, "SNP report v%u: bytes 0x1f8..0x208 not zero",
                           version);
    if (rd32(buf + 0x48) >> 5)
        return attest_fail(err, ATTEST_E_MALFORMED, "SNP report: KEY_INFO reserved bits set");
    return 0;
}

static void parse_fields(const uint8_t *b, struct attest_snp_report *r)
{
    r->version = rd32(b + 0x00);
    r->guest_svn = rd32(b + 0x04);
    r->policy = rd64(b + 0x08);
    memcpy(r->family_id, b + 0x10, 16);
    memcpy(r->image_id, b + 0x20, 16);
    r->vmpl = rd32(b + 0x30);
    r->signature_algo = rd32(b + 0x34);
    r->current_tcb = rd64(b + 0x38);
    r->platform_info = rd64(b + 0x40);
    r->key_info = rd32(b + 0x48);
    memcpy(r->report_data, b + 0x50, 64);
    memcpy(r->measurement, b + 0x90, 48);
    memcpy(r->host_data, b + 0xC0, 32);
    memcpy(r->id_key_digest, b + 0xE0, 48);
    memcpy(r->author_key_digest, b + 0x110, 48);
    memcpy(r->report_id, b + 0x140, 32);
    memcpy(r->report_id_ma, b + 0x160, 32);
    r->reported_tcb = rd64(b + 0x180);
    r->cpuid_fam_id = b[0x188];
    r->cpuid_mod_id = b[0x189];
    r->cpuid_step = b[0x18A];
    memcpy(r->chip_id, b + 0x1A0, 64);
    r->committed_tcb = rd64(b + 0x1E0);
    r->current_build = b[0x1E8];
    r->current_minor = b[0x1E9];
    r->current_major = b[0x1EA];
    r->committed_build = b[0x1EC];
    r->committed_minor = b[0x1ED];
    r->committed_major = b[0x1EE];
    r->launch_tcb = rd64(b + 0x1F0);
    r->launch_mit_vector = rd64(b + 0x1F8);
    r->current_mit_vector = rd64(b + 0x200);
    memcpy(r->sig_r, b + 0x2A0, 72);
    memcpy(r->sig_s, b + 0x2A0 + 72, 72);
}

int attest_snp_report_parse(const uint8_t *buf, size_t size, struct attest_snp_report *out,
                            struct attest_error *err)
{
    memset(out, 0, sizeof(*out));
    if (!buf || size != ATTEST_SNP_REPORT_SIZE)
        return attest_fail(err, ATTEST_E_MALFORMED, "SNP report: %zu bytes, expected %u", size,
                           ATTEST_SNP_REPORT_SIZE);
    uint32_t version = rd32(buf);
    if (version != 2 && version != 3 && version != 5)
        return attest_fail(err, ATTEST_E_MALFORMED, "SNP report: VERSION %u, expected 2, 3 or 5",
                           version);
    int rc = check_reserved(buf, version, err);
    if (rc < 0) return rc;
    parse_fields(buf, out);
    if (out->signature_algo != 1)
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "SNP report: SIGNATURE_ALGO %u, expected 1 (ECDSA P-384 SHA-384)",
                           out->signature_algo);
    if (!(out->policy & ATTEST_SNP_POLICY_RESERVED1))
        return attest_fail(err, ATTEST_E_MALFORMED, "SNP report: POLICY bit 17 must be one");
    if (out->vmpl > 3)
        return attest_fail(err, ATTEST_E_MALFORMED, "SNP report: VMPL %u, expected 0..3",
                           out->vmpl);
    uint32_t sk = (out->key_info >> 2) & 7u;
    if (sk != ATTEST_SNP_SIGNING_VCEK && sk != ATTEST_SNP_SIGNING_VLEK)
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "SNP report: SIGNING_KEY %u (unsigned report or unknown key)", sk);
    return 0;
}

enum attest_snp_product attest_snp_report_product(const struct attest_snp_report *r)
{
    if (r->version < 3) return ATTEST_SNP_UNKNOWN;
    uint8_t mod = r->cpuid_mod_id;
    if (r->cpuid_fam_id == 0x19) {
        if (mod <= 0x0F) return ATTEST_SNP_MILAN;
        if ((mod >= 0x10 && mod <= 0x1F) || (mod >= 0xA0 && mod <= 0xAF)) return ATTEST_SNP_GENOA;
    }
    if (r->cpuid_fam_id == 0x1A && mod <= 0x1F) return ATTEST_SNP_TURIN;
    return ATTEST_SNP_UNKNOWN;
}

/* ---- VCEK/VLEK extensions ---- */

static int ext_uint8(const ASN1_OCTET_STRING *os, uint8_t *out, const char *name,
                     struct attest_error *err)
{
    struct der_cursor c;
    struct der_elem e;
    uint64_t v;
    der_init(&c, ASN1_STRING_get0_data(os), (size_t)ASN1_STRING_length(os));
    if (der_expect(&c, DER_INTEGER, &e) < 0 || !der_at_end(&c) || der_uint(&e, &v) < 0 || v > 255)
        return attest_fail(err, ATTEST_E_MALFORMED, "VCEK extension %s: not an INTEGER 0..255",
                           name);
    *out = (uint8_t)v;
    return 0;
}

static int ext_string(const ASN1_OCTET_STRING *os, char *out, size_t out_size, const char *name,
                      struct attest_error *err)
{
    struct der_cursor c;
    struct der_elem e;
    der_init(&c, ASN1_STRING_get0_data(os), (size_t)ASN1_STRING_length(os));
    if (der_next(&c, &e) < 0 || !der_at_end(&c) ||
        (e.tag != DER_IA5_STRING && e.tag != DER_UTF8_STRING) || e.len >= out_size ||
        memchr(e.val, 0, e.len))
        return attest_fail(err, ATTEST_E_MALFORMED, "VCEK extension %s: not a short string", name);
    memcpy(out, e.val, e.len);
    out[e.len] = 0;
    return 0;
}

static int ext_hwid(const ASN1_OCTET_STRING *os, struct attest_snp_cert_info *out,
                    struct attest_error *err)
{
    const uint8_t *v = ASN1_STRING_get0_data(os);
    size_t n = (size_t)ASN1_STRING_length(os);
    /* The value is the raw ID; some issuers wrap it in an OCTET STRING. */
    if ((n == 66 || n == 10) && v[0] == DER_OCTET_STRING && v[1] == n - 2) {
        v += 2;
        n -= 2;
    }
    if (n != 64 && n != 8)
        return attest_fail(err, ATTEST_E_MALFORMED, "VCEK hwID: %zu bytes, expected 64 or 8", n);
    memcpy(out->hwid, v, n);
    out->hwid_size = n;
    return 0;
}

/* Dispatches one extension by the last arcs of its OID under 1.3.6.1.4.1.3704.1. */
static int cert_ext_one(const char *arcs, const ASN1_OCTET_STRING *os,
                        struct attest_snp_cert_info *out, struct attest_error *err)
{
    uint8_t v = 0;
    int rc = 0;
    if (strcmp(arcs, "1") == 0) {
        rc = ext_uint8(os, &v, "structVersion", err);
        out->struct_version = v;
    } else if (strcmp(arcs, "2") == 0) {
        rc = ext_string(os, out->product_name, sizeof(out->product_name), "productName", err);
    } else if (strcmp(arcs, "3.1") == 0) {
        rc = ext_uint8(os, &out->tcb.bootloader, "blSPL", err);
        out->has_bootloader = true;
    } else if (strcmp(arcs, "3.2") == 0) {
        rc = ext_uint8(os, &out->tcb.tee, "teeSPL", err);
        out->has_tee = true;
    } else if (strcmp(arcs, "3.3") == 0) {
        rc = ext_uint8(os, &out->tcb.snp, "snpSPL", err);
        out->has_snp = true;
    } else if (strcmp(arcs, "3.8") == 0) {
        rc = ext_uint8(os, &out->tcb.microcode, "ucodeSPL", err);
        out->has_microcode = true;
    } else if (strcmp(arcs, "3.9") == 0) {
        rc = ext_uint8(os, &out->tcb.fmc, "fmcSPL", err);
        out->has_fmc = true;
    } else if (strcmp(arcs, "4") == 0) {
        rc = ext_hwid(os, out, err);
    } else if (strcmp(arcs, "5") == 0) {
        rc = ext_string(os, out->csp_id, sizeof(out->csp_id), "cspId", err);
    } else if (strncmp(arcs, "3.", 2) == 0) {
        rc = ext_uint8(os, &v, "spl", err); /* reserved SPLs: well-formed, otherwise unused */
    }
    return rc;
}

int attest_snp_cert_parse(X509 *cert, struct attest_snp_cert_info *out, struct attest_error *err)
{
    static const char prefix[] = "1.3.6.1.4.1.3704.1.";
    memset(out, 0, sizeof(*out));
    int n = X509_get_ext_count(cert);
    for (int i = 0; i < n; i++) {
        X509_EXTENSION *ext = X509_get_ext(cert, i);
        char oid[80];
        if (OBJ_obj2txt(oid, sizeof(oid), X509_EXTENSION_get_object(ext), 1) <= 0 ||
            strncmp(oid, prefix, sizeof(prefix) - 1) != 0)
            continue;
        int rc = cert_ext_one(oid + sizeof(prefix) - 1, X509_EXTENSION_get_data(ext), out, err);
        if (rc < 0) return rc;
    }
    return 0;
}

/* ---- chain ---- */

static bool is_ca(X509 *x)
{
    return (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
}

/* Tries cert -> inter -> ark at time t; records the most specific failure in err. */
static int try_chain(X509 *cert, X509 *inter, X509 *ark, time_t t, bool vlek,
                     struct attest_error *err)
{
    const char *leaf = vlek ? "VLEK" : "VCEK";
    const char *mid = vlek ? "ASVK" : "ASK";
    int rc = attest_x509_check_link(inter, ark, t, mid, "ARK", err);
    if (rc == 0) rc = attest_x509_check_link(cert, inter, t, leaf, mid, err);
    return rc;
}

/* On success *used (when not NULL) gets the intermediate that verified cert (a reference). */
static int product_chain(X509 *cert, bool vlek, enum attest_snp_product p,
                         const struct attest_verify_opts *opts, X509 **used,
                         struct attest_error *err)
{
    X509 *ark = attest_roots_amd(opts->roots, p, "ark");
    if (!ark) return ATTEST_E_NOKEY;
    X509 *inter = attest_roots_amd(opts->roots, p, vlek ? "asvk" : "ask");
    const X509_NAME *issuer = X509_get_issuer_name(cert);
    if (inter && X509_NAME_cmp(issuer, X509_get_subject_name(inter)) == 0) {
        int rc = try_chain(cert, inter, ark, attest_time(opts), vlek, err);
        if (rc == 0 && used && X509_up_ref(inter) == 1) *used = inter;
        return rc;
    }
    /* An intermediate supplied with the evidence, if the pinned ARK signed it. */
    int rc = ATTEST_E_NOKEY;
    for (size_t i = 0; i < opts->cert_count && rc != 0; i++) {
        X509 *x = attest_x509_from_blob(opts->certs[i], opts->cert_sizes[i]);
        if (x && is_ca(x) && X509_NAME_cmp(issuer, X509_get_subject_name(x)) == 0 &&
            X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(ark)) == 0)
            rc = try_chain(cert, x, ark, attest_time(opts), vlek, err);
        if (rc == 0 && used) {
            *used = x;
            x = NULL;
        }
        X509_free(x);
    }
    return rc;
}

static int cert_chain(X509 *cert, bool vlek, enum attest_snp_product hint,
                      const struct attest_verify_opts *opts, enum attest_snp_product *product,
                      X509 **used, struct attest_error *err);

int attest_snp_cert_chain(X509 *cert, bool vlek, enum attest_snp_product hint,
                          const struct attest_verify_opts *opts, enum attest_snp_product *product,
                          struct attest_error *err)
{
    return cert_chain(cert, vlek, hint, opts, product, NULL, err);
}

static int cert_chain(X509 *cert, bool vlek, enum attest_snp_product hint,
                      const struct attest_verify_opts *opts, enum attest_snp_product *product,
                      X509 **used, struct attest_error *err)
{
    struct attest_error first = {{0}};
    int first_rc = 0;
    for (int p = ATTEST_SNP_MILAN; p < ATTEST_SNP_PRODUCT_COUNT; p++) {
        if (hint != ATTEST_SNP_UNKNOWN && (int)hint != p) continue;
        struct attest_error tmp = {{0}};
        int rc = product_chain(cert, vlek, (enum attest_snp_product)p, opts, used, &tmp);
        if (rc == 0) {
            *product = (enum attest_snp_product)p;
            return 0;
        }
        if (rc != ATTEST_E_NOKEY && first_rc == 0) {
            first_rc = rc;
            first = tmp;
        }
    }
    if (first_rc != 0) return attest_fail(err, first_rc, "%s", first.msg);
    return attest_fail(err, ATTEST_E_NOKEY, "%s: no %s ARK and %s in the roots issued it",
                       vlek ? "VLEK" : "VCEK", hint ? attest_snp_product_name(hint) : "AMD",
                       vlek ? "ASVK" : "ASK");
}

/* ---- report signature ---- */

static int sig_to_der(const struct attest_snp_report *r, unsigned char **der, int *der_size)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *br = BN_lebin2bn(r->sig_r, 48, NULL);
    BIGNUM *bs = BN_lebin2bn(r->sig_s, 48, NULL);
    int rc = -ENOMEM;
    if (!sig || !br || !bs || ECDSA_SIG_set0(sig, br, bs) != 1) goto out;
    br = bs = NULL; /* owned by sig now */
    *der = NULL;
    *der_size = i2d_ECDSA_SIG(sig, der);
    rc = *der_size > 0 ? 0 : -ENOMEM;
out:
    BN_free(br);
    BN_free(bs);
    ECDSA_SIG_free(sig);
    return rc;
}

static int verify_signature(const uint8_t *buf, const struct attest_snp_report *r, X509 *cert,
                            struct attest_error *err)
{
    EVP_PKEY *key = X509_get0_pubkey(cert);
    if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC || EVP_PKEY_get_bits(key) != 384)
        return attest_fail(err, ATTEST_E_SIGNATURE, "signing certificate: not an EC P-384 key");
    unsigned char *der = NULL;
    int der_size = 0;
    if (sig_to_der(r, &der, &der_size) < 0) return -ENOMEM;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha384(), NULL, key) == 1 &&
             EVP_DigestVerify(ctx, der, (size_t)der_size, buf, ATTEST_SNP_SIGNED_SIZE) == 1;
    EVP_MD_CTX_free(ctx);
    OPENSSL_free(der);
    if (!ok)
        return attest_fail(err, ATTEST_E_SIGNATURE,
                           "SNP report: signature (0x2a0) does not verify with the %s",
                           ((r->key_info >> 2) & 7u) ? "VLEK" : "VCEK");
    return 0;
}

/* ---- extensions against the report ---- */

static int match_tcb(const struct attest_snp_cert_info *ci, const struct attest_snp_tcb *t,
                     enum attest_snp_product p, struct attest_error *err)
{
    struct {
        const char *name;
        bool has;
        uint8_t cert, report;
    } c[] = {
        {"bootloader", ci->has_bootloader, ci->tcb.bootloader, t->bootloader},
        {"tee", ci->has_tee, ci->tcb.tee, t->tee},
        {"snp", ci->has_snp, ci->tcb.snp, t->snp},
        {"microcode", ci->has_microcode, ci->tcb.microcode, t->microcode},
        {"fmc", ci->has_fmc || p == ATTEST_SNP_TURIN, ci->tcb.fmc, t->fmc},
    };
    for (size_t i = 0; i < ARRAY_LEN(c); i++) {
        if (i < 4 && !c[i].has)
            return attest_fail(err, ATTEST_E_MALFORMED, "certificate lacks the %s SPL extension",
                               c[i].name);
        if (i == 4 && p == ATTEST_SNP_TURIN && !ci->has_fmc)
            return attest_fail(err, ATTEST_E_MALFORMED, "Turin certificate lacks fmcSPL");
        if (c[i].has && c[i].cert != c[i].report)
            return attest_fail(err, ATTEST_E_SIGNATURE,
                               "REPORTED_TCB %s is %u but the certificate was issued for %u",
                               c[i].name, c[i].report, c[i].cert);
    }
    return 0;
}

static int match_hwid(const struct attest_snp_cert_info *ci, const struct attest_snp_report *r,
                      bool vlek, struct attest_error *err)
{
    if (vlek) return 0; /* a VLEK is not tied to one chip */
    if (ci->hwid_size == 0)
        return attest_fail(err, ATTEST_E_MALFORMED, "VCEK lacks the hwID extension");
    if (attest_all_zero(r->chip_id, 64))
        return 0; /* CHIP_ID masked by the host (MASK_CHIP_ID): nothing to match */
    if (CRYPTO_memcmp(ci->hwid, r->chip_id, ci->hwid_size) != 0 ||
        !attest_all_zero(r->chip_id + ci->hwid_size, 64 - ci->hwid_size))
        return attest_fail(err, ATTEST_E_SIGNATURE, "CHIP_ID does not match the VCEK's hwID");
    return 0;
}

/* ---- the whole check ---- */

static void fill_claims(const struct attest_snp_report *r, enum attest_snp_product p, bool vlek,
                        const struct attest_snp_cert_info *ci, struct attest_claims *c)
{
    memset(c, 0, sizeof(*c));
    c->platform = ATTEST_PLATFORM_SNP;
    snprintf(c->product, sizeof(c->product), "%s", attest_snp_product_name(p));
    snprintf(c->format, sizeof(c->format), "snp-report-v%u", r->version);
    c->debug = (r->policy & ATTEST_SNP_POLICY_DEBUG) != 0;
    memcpy(c->measurement, r->measurement, 48);
    c->measurement_size = 48;
    memcpy(c->report_data, r->report_data, 64);
    c->report_data_size = 64;
    c->snp_version = r->version;
    c->vmpl = r->vmpl;
    c->snp_policy = r->policy;
    c->guest_svn = r->guest_svn;
    c->reported_tcb_raw = r->reported_tcb;
    attest_snp_tcb_decode(r->reported_tcb, p, &c->tcb);
    memcpy(c->host_data, r->host_data, 32);
    bool masked = attest_all_zero(r->chip_id, 64);
    memcpy(c->chip_id, r->chip_id, 64);
    c->chip_id_size = (vlek || masked) ? 0 : ci->hwid_size;
    snprintf(c->signing_key, sizeof(c->signing_key), "%s", vlek ? "VLEK" : "VCEK");
    memcpy(c->id_key_digest, r->id_key_digest, 48);
    memcpy(c->author_key_digest, r->author_key_digest, 48);
    memcpy(c->family_id, r->family_id, 16);
    memcpy(c->image_id, r->image_id, 16);
}

/* Finds the first supplied certificate that chains as the report's signing key. */
static int find_signer(const struct attest_verify_opts *opts, bool vlek,
                       enum attest_snp_product hint, X509 **out, enum attest_snp_product *p,
                       X509 **used, struct attest_error *err)
{
    int best = attest_fail(err, ATTEST_E_NOKEY, "no %s given: pass it with --cert",
                           vlek ? "VLEK" : "VCEK");
    for (size_t i = 0; i < opts->cert_count; i++) {
        STACK_OF(X509) *sk = NULL;
        if (attest_x509_collect(opts->certs[i], opts->cert_sizes[i], &sk) < 0) {
            sk_X509_pop_free(sk, X509_free);
            return -ENOMEM;
        }
        for (int j = 0; j < sk_X509_num(sk); j++) {
            X509 *x = sk_X509_value(sk, j);
            if (is_ca(x)) continue;
            int rc = cert_chain(x, vlek, hint, opts, p, used, err);
            if (rc == 0 && X509_up_ref(x) == 1) {
                *out = x;
                sk_X509_pop_free(sk, X509_free);
                return 0;
            }
            if (best == ATTEST_E_NOKEY || rc != ATTEST_E_NOKEY) best = rc;
        }
        sk_X509_pop_free(sk, X509_free);
    }
    return best;
}

static int chain_signer(X509 *signer, const struct attest_verify_opts *opts, bool vlek,
                        enum attest_snp_product hint, X509 **out, enum attest_snp_product *p,
                        X509 **used, struct attest_error *err)
{
    if (!signer) return find_signer(opts, vlek, hint, out, p, used, err);
    int rc = cert_chain(signer, vlek, hint, opts, p, used, err);
    if (rc == 0 && X509_up_ref(signer) == 1) *out = signer;
    return rc;
}

/* ---- revocation ---- */

/*
 * One CRL for the product: issued by its ARK (others are another product's and skipped), its
 * signature must verify (else the evidence is not valid), and it counts only while current at
 * the verification time (thisUpdate <= t < nextUpdate; a CRL without nextUpdate never is).
 * Returns 0 (with *checked set when it counted), ATTEST_E_SIGNATURE, ATTEST_E_REVOKED.
 */
static int crl_apply(const uint8_t *der, size_t size, X509 *ark, X509 *inter, time_t t,
                     const char *where, bool *checked, struct attest_error *err)
{
    X509_CRL *crl = attest_crl_parse(der, size);
    int rc = 0;
    if (!crl) return attest_fail(err, ATTEST_E_MALFORMED, "%s: not a CRL", where);
    const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
    X509_REVOKED *rev = NULL;
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ark)) != 0)
        rc = 0; /* another product's CRL */
    else if (X509_CRL_verify(crl, X509_get0_pubkey(ark)) != 1)
        rc = attest_fail(err, ATTEST_E_SIGNATURE, "%s: CRL signature does not verify with the ARK",
                         where);
    else if (!next || X509_cmp_time(X509_CRL_get0_lastUpdate(crl), &t) > 0 ||
             X509_cmp_time(next, &t) <= 0)
        rc = 0; /* not current at the time: says nothing about it */
    else if (X509_CRL_get0_by_serial(crl, &rev, X509_get0_serialNumber(inter)) == 1)
        rc = attest_fail(err, ATTEST_E_REVOKED,
                         "%s: the ASK/ASVK that issued the VCEK/VLEK is revoked", where);
    else
        *checked = true;
    ERR_clear_error();
    X509_CRL_free(crl);
    return rc;
}

/*
 * The CRLs carried by the evidence and the installed collateral's CRL for the product, checked
 * against the intermediate that actually verified the signing key (which may have come with the
 * evidence, not from the roots).
 */
static int revocation(enum attest_snp_product p, X509 *inter, const struct attest_verify_opts *opts,
                      const struct attest_snp_crls *crls, struct attest_claims *c,
                      struct attest_error *err)
{
    X509 *ark = attest_roots_amd(opts->roots, p, "ark");
    time_t t = attest_time(opts);
    bool checked = false;
    int rc = 0;
    for (size_t i = 0; ark && inter && crls && rc == 0 && i < crls->count; i++)
        rc = crl_apply(crls->der[i], crls->size[i], ark, inter, t, "CRL in the evidence", &checked,
                       err);
    const struct attest_collateral *set = attest_collateral_acquire();
    if (set && ark && inter && rc == 0 && set->amd_crl[p].data)
        rc = crl_apply(set->amd_crl[p].data, set->amd_crl[p].size, ark, inter, t, "collateral CRL",
                       &checked, err);
    attest_collateral_release(set);
    c->revocation_checked = rc == 0 && checked;
    snprintf(c->revocation, sizeof(c->revocation), "%s",
             checked ? "checked: a current CRL of the ARK does not list the intermediate"
                     : "unchecked: no current CRL of the ARK");
    return rc;
}

int attest_snp_verify(const uint8_t *report, size_t size, const struct attest_verify_opts *opts,
                      X509 *signer, struct attest_claims *claims, struct attest_error *err)
{
    return attest_snp_verify_crls(report, size, opts, signer, NULL, claims, err);
}

int attest_snp_verify_crls(const uint8_t *report, size_t size,
                           const struct attest_verify_opts *opts, X509 *signer,
                           const struct attest_snp_crls *crls, struct attest_claims *claims,
                           struct attest_error *err)
{
    struct attest_snp_report r;
    struct attest_snp_cert_info ci;
    enum attest_snp_product p = ATTEST_SNP_UNKNOWN;
    X509 *cert = NULL, *inter = NULL;
    int rc = attest_snp_report_parse(report, size, &r, err);
    if (rc < 0) return rc;
    if (!opts || !opts->roots)
        return attest_fail(err, ATTEST_E_NOKEY, "no trust anchors: pass --roots DIR");
    bool vlek = ((r.key_info >> 2) & 7u) == ATTEST_SNP_SIGNING_VLEK;
    enum attest_snp_product hint = attest_snp_report_product(&r);
    if (r.version >= 3 && hint == ATTEST_SNP_UNKNOWN)
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "SNP report: unknown CPUID family 0x%x "
                           "model 0x%x",
                           r.cpuid_fam_id, r.cpuid_mod_id);
    rc = chain_signer(signer, opts, vlek, hint, &cert, &p, &inter, err);
    if (rc < 0) {
        X509_free(inter);
        return rc;
    }
    rc = verify_signature(report, &r, cert, err);
    if (rc == 0) rc = attest_snp_cert_parse(cert, &ci, err);
    if (rc == 0) {
        struct attest_snp_tcb t;
        attest_snp_tcb_decode(r.reported_tcb, p, &t);
        rc = match_tcb(&ci, &t, p, err);
    }
    if (rc == 0) rc = match_hwid(&ci, &r, vlek, err);
    if (rc == 0) fill_claims(&r, p, vlek, &ci, claims);
    if (rc == 0) rc = revocation(p, inter, opts, crls, claims, err);
    X509_free(inter);
    X509_free(cert);
    return rc;
}
