/* SPDX-License-Identifier: Apache-2.0 */
/*
 * digest.c - content digests ("sha256:<hex>", "sha512:<hex>") and the running hash that checks
 * a blob while it streams in. Only lower-case hex of the exact length is accepted: a digest is
 * compared as a string in URLs and as bytes here, and two spellings of one digest would let a
 * registry answer for one name with another's content.
 */
#include "wyrcan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

struct wyrcan_hasher {
    EVP_MD_CTX *ctx;
    uint8_t want[64];
    unsigned want_size;
};

int wyrcan_digest_check(const char *s, enum wyrcan_digest_algo *algo)
{
    size_t hex;
    enum wyrcan_digest_algo a;
    if (!strncmp(s, "sha256:", 7)) {
        a = WYRCAN_SHA256;
        hex = 64;
    } else if (!strncmp(s, "sha512:", 7)) {
        a = WYRCAN_SHA512;
        hex = 128;
    } else {
        return -EINVAL;
    }
    if (strlen(s + 7) != hex) return -EINVAL;
    for (size_t i = 0; i < hex; i++) {
        char c = s[7 + i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return -EINVAL;
    }
    if (algo) *algo = a;
    return 0;
}

int wyrcan_hasher_new(const char *expect, struct wyrcan_hasher **out)
{
    enum wyrcan_digest_algo algo;
    if (wyrcan_digest_check(expect, &algo)) return -EINVAL;
    struct wyrcan_hasher *h = calloc(1, sizeof(*h));
    if (!h) return -ENOMEM;
    h->want_size = algo == WYRCAN_SHA256 ? 32 : 64;
    if (util_hex_decode(expect + 7, h->want_size * 2u, h->want)) {
        free(h);
        return -EINVAL;
    }
    h->ctx = EVP_MD_CTX_new();
    if (!h->ctx ||
        !EVP_DigestInit_ex(h->ctx, algo == WYRCAN_SHA256 ? EVP_sha256() : EVP_sha512(), NULL)) {
        wyrcan_hasher_free(h);
        return -ENOMEM;
    }
    *out = h;
    return 0;
}

void wyrcan_hasher_update(struct wyrcan_hasher *h, const void *data, size_t size)
{
    if (size) EVP_DigestUpdate(h->ctx, data, size);
}

int wyrcan_hasher_finish(struct wyrcan_hasher *h)
{
    uint8_t got[64];
    unsigned got_size = 0;
    int ret = -EBADMSG;
    if (EVP_DigestFinal_ex(h->ctx, got, &got_size) && got_size == h->want_size &&
        CRYPTO_memcmp(got, h->want, got_size) == 0)
        ret = 0;
    wyrcan_hasher_free(h);
    return ret;
}

void wyrcan_hasher_free(struct wyrcan_hasher *h)
{
    if (!h) return;
    EVP_MD_CTX_free(h->ctx);
    free(h);
}

void wyrcan_digest_sha256(const void *data, size_t size, char out[72])
{
    uint8_t md[32];
    unsigned len = 0;
    EVP_Digest(data, size, md, &len, EVP_sha256(), NULL);
    memcpy(out, "sha256:", 7);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
}
