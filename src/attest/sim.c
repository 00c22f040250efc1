/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim.c - simulated evidence, for machines without a TEE (development, CI).
 *
 * The layout (see attest.h) starts with a 38-byte ASCII magic that no hardware format can start
 * with (an SNP report starts with a small little-endian version, a DCAP quote with version 3..5
 * and key type 2, DER with 0x30), and the claims it yields always say platform "sim". The
 * evidence is signed with a software P-256 key whose public half travels inside it, so the
 * signature proves only that the bytes were not altered after signing, never that a TEE exists.
 * That is why the policy refuses "sim" by default and the command asks for an explicit, loudly
 * warned `--insecure-allow-sim` (or `[sim] allow = true`).
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/internal.h"

#define SIM_VERSION 1u
#define SIM_FIXED (ATTEST_SIM_MAGIC_SIZE + 4u + 48u + 64u) /* before key_size */
#define SIM_MAX_PART 1024u                                 /* key or signature */

static void put16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static size_t get16(const uint8_t *p)
{
    return (size_t)p[0] | (size_t)p[1] << 8;
}

static int sign(EVP_PKEY *key, const uint8_t *msg, size_t size, uint8_t *sig, size_t *sig_size)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
             EVP_DigestSign(ctx, sig, sig_size, msg, size) == 1;
    EVP_MD_CTX_free(ctx);
    return ok ? 0 : -EINVAL;
}

int attest_sim_make(const uint8_t measurement[48], const uint8_t report_data[64], EVP_PKEY *key,
                    uint8_t **out, size_t *out_size)
{
    unsigned char *spki = NULL;
    int spki_size = i2d_PUBKEY(key, &spki);
    uint8_t *buf = NULL;
    int rc = -EINVAL;
    if (spki_size <= 0 || (size_t)spki_size > SIM_MAX_PART ||
        EVP_PKEY_get_base_id(key) != EVP_PKEY_EC)
        goto out;
    size_t signed_size = SIM_FIXED + 2 + (size_t)spki_size;
    rc = -ENOMEM;
    buf = malloc(signed_size + 2 + SIM_MAX_PART);
    if (!buf) goto out;
    memcpy(buf, ATTEST_SIM_MAGIC, ATTEST_SIM_MAGIC_SIZE); /* includes the NUL */
    uint8_t *p = buf + ATTEST_SIM_MAGIC_SIZE;
    put16(p, SIM_VERSION);
    put16(p + 2, 0);
    memcpy(p + 4, measurement, 48);
    memcpy(p + 52, report_data, 64);
    put16(buf + SIM_FIXED, (size_t)spki_size);
    memcpy(buf + SIM_FIXED + 2, spki, (size_t)spki_size);
    size_t sig_size = SIM_MAX_PART;
    rc = sign(key, buf, signed_size, buf + signed_size + 2, &sig_size);
    if (rc < 0) goto out;
    put16(buf + signed_size, sig_size);
    *out = buf;
    *out_size = signed_size + 2 + sig_size;
    buf = NULL;
out:
    free(buf);
    OPENSSL_free(spki);
    return rc;
}

static int check_sig(const uint8_t *buf, size_t signed_size, const uint8_t *spki, size_t spki_size,
                     const uint8_t *sig, size_t sig_size, struct attest_error *err)
{
    const unsigned char *p = spki;
    EVP_PKEY *key = d2i_PUBKEY(NULL, &p, (long)spki_size);
    if (!key || p != spki + spki_size || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
        EVP_PKEY_get_bits(key) != 256) {
        EVP_PKEY_free(key);
        return attest_fail(err, ATTEST_E_MALFORMED, "simulated evidence: key is not EC P-256");
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
             EVP_DigestVerify(ctx, sig, sig_size, buf, signed_size) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    if (!ok) return attest_fail(err, ATTEST_E_SIGNATURE, "simulated evidence: signature invalid");
    return 0;
}

int attest_sim_verify(const uint8_t *buf, size_t size, struct attest_claims *claims,
                      struct attest_error *err)
{
    if (!buf || size < SIM_FIXED + 2 || memcmp(buf, ATTEST_SIM_MAGIC, ATTEST_SIM_MAGIC_SIZE) != 0)
        return attest_fail(err, ATTEST_E_MALFORMED, "simulated evidence: bad magic or too short");
    const uint8_t *f = buf + ATTEST_SIM_MAGIC_SIZE;
    if (get16(f) != SIM_VERSION || get16(f + 2) != 0)
        return attest_fail(err, ATTEST_E_MALFORMED, "simulated evidence: version %zu, expected 1",
                           get16(f));
    size_t key_size = get16(buf + SIM_FIXED);
    size_t rest = size - SIM_FIXED - 2;
    if (key_size == 0 || key_size > SIM_MAX_PART || key_size + 2 > rest)
        return attest_fail(err, ATTEST_E_MALFORMED, "simulated evidence: key size %zu", key_size);
    size_t signed_size = SIM_FIXED + 2 + key_size;
    size_t sig_size = get16(buf + signed_size);
    if (sig_size == 0 || sig_size != size - signed_size - 2)
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "simulated evidence: signature size %zu does not fill the input",
                           sig_size);
    int rc = check_sig(buf, signed_size, buf + SIM_FIXED + 2, key_size, buf + signed_size + 2,
                       sig_size, err);
    if (rc < 0) return rc;
    memset(claims, 0, sizeof(*claims));
    claims->platform = ATTEST_PLATFORM_SIM;
    snprintf(claims->product, sizeof(claims->product), "simulated");
    snprintf(claims->format, sizeof(claims->format), "sim-v1");
    memcpy(claims->measurement, f + 4, 48);
    claims->measurement_size = 48;
    memcpy(claims->report_data, f + 52, 64);
    claims->report_data_size = 64;
    return 0;
}
