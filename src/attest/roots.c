/* SPDX-License-Identifier: Apache-2.0 */
/*
 * roots.c - trust anchors: the AMD ARK/ASK/ASVK per product line and the Intel SGX Root CA,
 * loaded from a directory laid out as
 *
 *     DIR/amd/{milan,genoa,turin}/{ark,ask,asvk}.pem     DIR/intel/sgx_root_ca.pem
 *
 * Each self-signed root must match a pinned SHA-256 fingerprint of its DER (the built-in pins are
 * the real AMD and Intel roots; a caller may pass its own list), so a directory an attacker can
 * write to cannot smuggle in a root of its own. Pins are per slot: with the built-in pins, the
 * Milan slot takes only ARK-Milan, the Intel slot only the Intel SGX Root CA (a genuine root in
 * the wrong slot, e.g. Genoa's ARK under milan/ or an AMD ARK as the Intel root, is refused).
 * A caller's own pins are one list, but the slots still differ: the Intel root is EC P-256 and an
 * AMD ARK is not (AMD's are RSA-4096), and one root cannot fill two product slots. Intermediates
 * (ASK, ASVK) are accepted only if they verify with their product's ARK. Validity times are not
 * checked here but at verification time, against the verification time (now, or a pinned
 * --insecure-verify-at), since stored evidence outlives certificates. Missing files are fine;
 * evidence that needs them fails with ATTEST_E_NOKEY.
 */
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "attest/internal.h"

struct attest_roots {
    X509 *amd[ATTEST_SNP_PRODUCT_COUNT][3]; /* [product][ark, ask, asvk] */
    X509 *intel;
    uint8_t *tcb_chain, *root_crl; /* intel/tcb_signing_chain.pem, intel/sgx_root_ca.crl.der */
    size_t tcb_chain_size, root_crl_size;
};

static const uint8_t g_default_pins[4][32] = {
    /* AMD ARK-Milan */
    {0x69, 0xd0, 0x63, 0xb4, 0x53, 0x44, 0xd2, 0x6a, 0x2e, 0x94, 0xe1,
     0xf4, 0x21, 0x0d, 0xe4, 0x9e, 0xf5, 0x55, 0x30, 0x82, 0x87, 0xd4,
     0xc1, 0x74, 0x44, 0x5c, 0x95, 0x63, 0x9a, 0x54, 0x0b, 0xcd},
    /* AMD ARK-Genoa */
    {0x4c, 0x65, 0x98, 0xd1, 0x9c, 0x18, 0x71, 0x9c, 0x5d, 0xfd, 0x4a,
     0x7d, 0x33, 0x5f, 0x67, 0x4e, 0x5b, 0xfe, 0x1d, 0x8f, 0x80, 0x0c,
     0xea, 0x2c, 0xf2, 0x70, 0xc1, 0x0d, 0x10, 0x3d, 0xb2, 0xf1},
    /* AMD ARK-Turin */
    {0x1f, 0x08, 0x41, 0x61, 0xa4, 0x4b, 0xb6, 0xd9, 0x37, 0x78, 0xa9,
     0x04, 0x87, 0x7d, 0x48, 0x19, 0xca, 0xfa, 0x5d, 0x05, 0xef, 0x41,
     0x93, 0xb2, 0xde, 0xd9, 0xdd, 0x9c, 0x73, 0xdd, 0x3f, 0x6a},
    /* Intel SGX Root CA */
    {0x44, 0xa0, 0x19, 0x6b, 0x2b, 0x99, 0xf8, 0x89, 0xb8, 0xe1, 0x49,
     0xe9, 0x5b, 0x80, 0x7a, 0x35, 0x0e, 0x74, 0x24, 0x96, 0x43, 0x99,
     0xe8, 0x85, 0xa7, 0xcb, 0xb8, 0xcc, 0xfa, 0xb6, 0x74, 0xd3},
};

static const struct attest_pins g_pins = {g_default_pins, 4};

static const char *const g_kinds[3] = {"ark", "ask", "asvk"};
static const char *const g_dirs[ATTEST_SNP_PRODUCT_COUNT] = {NULL, "milan", "genoa", "turin"};

const struct attest_pins *attest_pins_default(void)
{
    return &g_pins;
}

void attest_roots_free(struct attest_roots *roots)
{
    if (!roots) return;
    for (size_t p = 0; p < ATTEST_SNP_PRODUCT_COUNT; p++)
        for (size_t k = 0; k < 3; k++)
            X509_free(roots->amd[p][k]);
    X509_free(roots->intel);
    free(roots->tcb_chain);
    free(roots->root_crl);
    free(roots);
}

/* Loads the first certificate of path into *out; a missing file leaves *out NULL. */
static int load_one(const char *path, X509 **out, struct attest_error *err)
{
    STACK_OF(X509) *sk = NULL;
    int rc = attest_x509_load_file(path, &sk);
    if (rc == -ENOENT) {
        sk_X509_pop_free(sk, X509_free);
        return 0;
    }
    if (rc < 0) {
        sk_X509_pop_free(sk, X509_free);
        return attest_fail(err, rc, "%s: cannot read (%s)", path, strerror(-rc));
    }
    if (rc == 0) {
        sk_X509_pop_free(sk, X509_free);
        return attest_fail(err, ATTEST_E_MALFORMED, "%s: no certificate in it", path);
    }
    *out = sk_X509_shift(sk);
    sk_X509_pop_free(sk, X509_free);
    return 0;
}

/* The slots of g_default_pins: products 1..3 (Milan, Genoa, Turin), then Intel. */
#define SLOT_INTEL 3u

static int check_pinned_root(X509 *root, const struct attest_pins *pins, size_t slot,
                             const char *path, struct attest_error *err)
{
    uint8_t fp[32];
    if (attest_x509_sha256(root, fp) < 0) return -ENOMEM;
    bool pinned = false;
    for (size_t i = 0; i < pins->count; i++)
        if (pins != &g_pins || i == slot) pinned |= CRYPTO_memcmp(fp, pins->sha256[i], 32) == 0;
    if (!pinned) {
        char hex[65];
        attest_hex(fp, 32, hex, sizeof(hex));
        return attest_fail(err, ATTEST_E_NOKEY, "%s: root fingerprint %s is not pinned for %s",
                           path, hex,
                           slot == SLOT_INTEL ? "the Intel SGX root" : "this AMD product");
    }
    EVP_PKEY *key = X509_get0_pubkey(root);
    char group[32] = "";
    if (key && EVP_PKEY_is_a(key, "EC"))
        (void)EVP_PKEY_get_group_name(key, group, sizeof(group), NULL);
    bool p256 = strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0;
    if (slot == SLOT_INTEL ? !p256 : p256)
        return attest_fail(err, ATTEST_E_NOKEY, "%s: %s the key of this slot's root (%s)", path,
                           slot == SLOT_INTEL ? "not" : "an EC P-256 key is not",
                           slot == SLOT_INTEL ? "the Intel root is EC P-256" : "AMD's are RSA");
    if (!key || X509_verify(root, key) != 1)
        return attest_fail(err, ATTEST_E_SIGNATURE, "%s: root is not self-signed", path);
    return 0;
}

static int load_product(struct attest_roots *r, const char *dir, size_t p,
                        const struct attest_pins *pins, struct attest_error *err)
{
    char path[4096];
    for (size_t k = 0; k < 3; k++) {
        snprintf(path, sizeof(path), "%s/amd/%s/%s.pem", dir, g_dirs[p], g_kinds[k]);
        int rc = load_one(path, &r->amd[p][k], err);
        if (rc < 0) return rc;
        if (!r->amd[p][k]) continue;
        if (k == 0)
            rc = check_pinned_root(r->amd[p][k], pins, p - 1, path, err);
        else if (!r->amd[p][0])
            rc = attest_fail(err, ATTEST_E_NOKEY, "%s: no ARK beside it", path);
        else if (X509_verify(r->amd[p][k], X509_get0_pubkey(r->amd[p][0])) != 1)
            rc = attest_fail(err, ATTEST_E_SIGNATURE, "%s: not signed by the ARK", path);
        if (rc < 0) return rc;
    }
    return 0;
}

/* Reads an optional file whole (at most 1 MiB); a missing file is fine. */
static int load_blob(const char *path, uint8_t **out, size_t *size, struct attest_error *err)
{
    int rc = util_file_read(path, 1u << 20, out, size);
    if (rc == -ENOENT) return 0;
    if (rc < 0) return attest_fail(err, rc, "%s: cannot read (%s)", path, strerror(-rc));
    return 0;
}

static int load_intel_files(struct attest_roots *r, const char *dir, struct attest_error *err)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/intel/tcb_signing_chain.pem", dir);
    int rc = load_blob(path, &r->tcb_chain, &r->tcb_chain_size, err);
    if (rc == 0) {
        snprintf(path, sizeof(path), "%s/intel/sgx_root_ca.crl.der", dir);
        rc = load_blob(path, &r->root_crl, &r->root_crl_size, err);
    }
    return rc;
}

int attest_roots_load(const char *dir, const struct attest_pins *pins, struct attest_roots **out,
                      struct attest_error *err)
{
    struct stat st;
    *out = NULL;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return attest_fail(err, -ENOENT, "%s: not a directory", dir);
    if (!pins) pins = &g_pins;
    struct attest_roots *r = calloc(1, sizeof(*r));
    if (!r) return -ENOMEM;
    int rc = 0;
    for (size_t p = 1; p < ATTEST_SNP_PRODUCT_COUNT && rc == 0; p++)
        rc = load_product(r, dir, p, pins, err);
    if (rc == 0) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/intel/sgx_root_ca.pem", dir);
        rc = load_one(path, &r->intel, err);
        if (rc == 0 && r->intel) rc = check_pinned_root(r->intel, pins, SLOT_INTEL, path, err);
    }
    for (size_t p = 1; rc == 0 && p < ATTEST_SNP_PRODUCT_COUNT; p++)
        for (size_t q = p + 1; rc == 0 && q < ATTEST_SNP_PRODUCT_COUNT; q++)
            if (r->amd[p][0] && r->amd[q][0] && X509_cmp(r->amd[p][0], r->amd[q][0]) == 0)
                rc = attest_fail(err, ATTEST_E_NOKEY, "%s: amd/%s and amd/%s hold the same ARK",
                                 dir, g_dirs[p], g_dirs[q]);
    if (rc == 0) rc = load_intel_files(r, dir, err);
    if (rc < 0) {
        attest_roots_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

X509 *attest_roots_amd(const struct attest_roots *roots, enum attest_snp_product product,
                       const char *kind)
{
    if (!roots || product <= ATTEST_SNP_UNKNOWN || product >= ATTEST_SNP_PRODUCT_COUNT) return NULL;
    for (size_t k = 0; k < 3; k++)
        if (strcmp(kind, g_kinds[k]) == 0) return roots->amd[product][k];
    return NULL;
}

X509 *attest_roots_intel(const struct attest_roots *roots)
{
    return roots ? roots->intel : NULL;
}

const uint8_t *attest_roots_intel_file(const struct attest_roots *roots, const char *which,
                                       size_t *size)
{
    *size = 0;
    if (!roots) return NULL;
    if (strcmp(which, "tcb_signing_chain") == 0) {
        *size = roots->tcb_chain_size;
        return roots->tcb_chain;
    }
    if (strcmp(which, "root_crl") == 0) {
        *size = roots->root_crl_size;
        return roots->root_crl;
    }
    return NULL;
}
