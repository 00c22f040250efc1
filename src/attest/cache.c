/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cache.c - the optional verification cache (public API at the end of attest.h, hooks in
 * cache.h): remembers which certificate links and chains verified, so that the expensive
 * signature checks (RSA-4096 for AMD's chain, P-256 for Intel's) are made once per distinct set
 * of certificates instead of once per piece of evidence.
 *
 * Key. The exact bytes of everything the cached answer depends on: a kind byte, the flags, and
 * for each certificate its DER length and DER. Entries keep the whole key and a hit compares it
 * byte for byte (the SHA-256 of the key only picks the slot), so two different certificates can
 * never share an answer. A chain entry's key holds root, leaf and every untrusted certificate in
 * order; its value is the path of the built chain as indices into [leaf, untrusted..., root], so
 * a hit rebuilds the same chain from the caller's own objects.
 *
 * Time. Signatures, names, CA flags, path length and the other checks of X509_verify_cert do not
 * depend on the time; validity periods do. They are therefore never cached: a link hit only skips
 * X509_verify() (the caller checks both certificates' times as before) and a chain hit checks
 * every certificate of the chain at the verification time, and when one is out of its validity
 * the full verifier runs and gives its own answer (with its precise error).
 *
 * Shape. A direct-mapped table of `capacity` slots: a store overwrites whatever held its slot, so
 * memory is bounded by capacity x the largest key stored (keys over 64 KiB are not stored) and
 * every operation is O(key size). Only successes are stored, so hostile input that fails to
 * verify can neither fill the table nor be answered from it.
 *
 * Concurrency. One mutex guards the table; it is never held during a signature verification, a
 * DER encoding or a hash, only while a slot is compared, copied or replaced.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "attest/attest.h"
#include "attest/cache.h"

#define KEY_MAX_SIZE (64u * 1024u)
#define PATH_MAX_LEN 16u
#define KIND_LINK 1u
#define KIND_CHAIN 2u

struct cache_slot {
    uint8_t digest[32]; /* SHA-256 of key; picks the slot, compared first */
    uint8_t *key;       /* NULL: empty slot */
    size_t key_size;
    uint8_t path[PATH_MAX_LEN]; /* chains: indices into [leaf, untrusted..., root] */
    size_t path_len;
};

static struct {
    pthread_mutex_t lock;
    struct cache_slot *slots; /* NULL: disabled */
    size_t capacity;
    struct attest_cache_stats stats;
} g_cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* ---- keys ---- */

/* A key under construction: kind, flags, then (length, DER) per certificate. */
struct key_buf {
    uint8_t *p;
    size_t size, cap;
    bool failed;
};

static void key_put(struct key_buf *k, const void *bytes, size_t n)
{
    if (k->failed) return;
    if (n > KEY_MAX_SIZE - k->size) {
        k->failed = true;
        return;
    }
    if (k->size + n > k->cap) {
        size_t cap = k->cap ? k->cap : 4096;
        while (cap < k->size + n)
            cap *= 2;
        uint8_t *p = realloc(k->p, cap);
        if (!p) {
            k->failed = true;
            return;
        }
        k->p = p;
        k->cap = cap;
    }
    memcpy(k->p + k->size, bytes, n);
    k->size += n;
}

static void key_cert(struct key_buf *k, X509 *x)
{
    unsigned char *der = NULL;
    int n = x ? i2d_X509(x, &der) : -1;
    if (n <= 0) {
        k->failed = true;
    } else {
        uint8_t len[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
        key_put(k, len, sizeof(len));
        key_put(k, der, (size_t)n);
    }
    OPENSSL_free(der);
}

static void key_start(struct key_buf *k, uint8_t kind, unsigned long flags)
{
    uint8_t head[9] = {kind};
    for (size_t i = 0; i < 8; i++)
        head[1 + i] = (uint8_t)((uint64_t)flags >> (8 * i));
    memset(k, 0, sizeof(*k));
    key_put(k, head, sizeof(head));
}

/* Finishes a key: its digest into out. False when the key could not be built. */
static bool key_finish(struct key_buf *k, uint8_t out[32])
{
    unsigned int n = 0;
    if (!k->failed && EVP_Digest(k->p, k->size, out, &n, EVP_sha256(), NULL) == 1 && n == 32)
        return true;
    ERR_clear_error();
    k->failed = true;
    return false;
}

/* ---- the table (callers hold g_cache.lock) ---- */

static size_t slot_index(const uint8_t digest[32])
{
    uint64_t v = 0;
    for (size_t i = 0; i < 8; i++)
        v = v << 8 | digest[i];
    return (size_t)(v % g_cache.capacity);
}

/* The slot holding exactly this key (compared byte for byte), or NULL. */
static struct cache_slot *table_find(const struct key_buf *k, const uint8_t digest[32])
{
    struct cache_slot *s = &g_cache.slots[slot_index(digest)];
    bool hit = s->key && s->key_size == k->size && memcmp(s->digest, digest, 32) == 0 &&
               memcmp(s->key, k->p, k->size) == 0;
    return hit ? s : NULL;
}

/* Stores key (taking ownership of k->p) with a path; replaces the slot's previous entry. */
static void table_store(struct key_buf *k, const uint8_t digest[32], const uint8_t *path,
                        size_t path_len)
{
    struct cache_slot *s = &g_cache.slots[slot_index(digest)];
    if (s->key)
        free(s->key);
    else
        g_cache.stats.entries++;
    memcpy(s->digest, digest, 32);
    s->key = k->p;
    s->key_size = k->size;
    if (path_len) memcpy(s->path, path, path_len);
    s->path_len = path_len;
    g_cache.stats.stores++;
    k->p = NULL;
}

static void table_free(struct cache_slot *slots, size_t capacity)
{
    for (size_t i = 0; slots && i < capacity; i++)
        free(slots[i].key);
    free(slots);
}

/* Counts a verification answered from the cache (hit) or verified in full (miss). */
static void count(bool hit)
{
    pthread_mutex_lock(&g_cache.lock);
    if (g_cache.slots && hit) g_cache.stats.hits++;
    if (g_cache.slots && !hit) g_cache.stats.misses++;
    pthread_mutex_unlock(&g_cache.lock);
}

static bool cache_on(void)
{
    pthread_mutex_lock(&g_cache.lock);
    bool on = g_cache.slots != NULL;
    pthread_mutex_unlock(&g_cache.lock);
    return on;
}

/* ---- public switch ---- */

int attest_cache_enable(size_t capacity)
{
    if (capacity == 0 || capacity > ATTEST_CACHE_MAX_ENTRIES) return -EINVAL;
    struct cache_slot *slots = calloc(capacity, sizeof(*slots));
    if (!slots) return -ENOMEM;
    pthread_mutex_lock(&g_cache.lock);
    struct cache_slot *old = g_cache.slots;
    size_t old_capacity = g_cache.capacity;
    g_cache.slots = slots;
    g_cache.capacity = capacity;
    memset(&g_cache.stats, 0, sizeof(g_cache.stats));
    g_cache.stats.capacity = capacity;
    pthread_mutex_unlock(&g_cache.lock);
    table_free(old, old_capacity);
    return 0;
}

void attest_cache_disable(void)
{
    pthread_mutex_lock(&g_cache.lock);
    struct cache_slot *old = g_cache.slots;
    size_t old_capacity = g_cache.capacity;
    g_cache.slots = NULL;
    g_cache.capacity = 0;
    memset(&g_cache.stats, 0, sizeof(g_cache.stats));
    pthread_mutex_unlock(&g_cache.lock);
    table_free(old, old_capacity);
}

void attest_cache_stats_get(struct attest_cache_stats *out)
{
    pthread_mutex_lock(&g_cache.lock);
    *out = g_cache.stats;
    pthread_mutex_unlock(&g_cache.lock);
}

/* ---- links ---- */

static bool link_verify_full(X509 *child, X509 *issuer)
{
    EVP_PKEY *key = X509_get0_pubkey(issuer);
    bool ok = key && X509_verify(child, key) == 1;
    ERR_clear_error();
    return ok;
}

bool attest_cache_link_verify(X509 *child, X509 *issuer)
{
    if (!cache_on()) return link_verify_full(child, issuer);
    struct key_buf k;
    uint8_t digest[32];
    key_start(&k, KIND_LINK, 0);
    key_cert(&k, child);
    key_cert(&k, issuer);
    bool ok = false;
    if (key_finish(&k, digest)) {
        pthread_mutex_lock(&g_cache.lock);
        ok = g_cache.slots && table_find(&k, digest) != NULL;
        pthread_mutex_unlock(&g_cache.lock);
    }
    count(ok);
    if (!ok && (ok = link_verify_full(child, issuer)) && !k.failed) {
        pthread_mutex_lock(&g_cache.lock);
        if (g_cache.slots) table_store(&k, digest, NULL, 0);
        pthread_mutex_unlock(&g_cache.lock);
    }
    free(k.p);
    return ok;
}

/* ---- chains ---- */

/* The certificate at index i of [leaf, untrusted..., root]; NULL past the end. */
static X509 *candidate(X509 *root, X509 *leaf, STACK_OF(X509) * untrusted, size_t i)
{
    size_t n = untrusted ? (size_t)sk_X509_num(untrusted) : 0;
    if (i == 0) return leaf;
    if (i <= n) return sk_X509_value(untrusted, (int)(i - 1));
    return i == n + 1 ? root : NULL;
}

/* The built chain as candidate indices. False when it is too long or a member is foreign. */
static bool chain_path(STACK_OF(X509) * chain, X509 *root, X509 *leaf, STACK_OF(X509) * untrusted,
                       uint8_t path[PATH_MAX_LEN], size_t *len)
{
    int m = sk_X509_num(chain);
    if (m <= 0 || (size_t)m > PATH_MAX_LEN) return false;
    for (int j = 0; j < m; j++) {
        X509 *x = sk_X509_value(chain, j), *c = NULL;
        size_t i = 0;
        while ((c = candidate(root, leaf, untrusted, i)) != NULL && c != x && X509_cmp(c, x) != 0)
            i++;
        if (!c) return false;
        path[j] = (uint8_t)i;
    }
    *len = (size_t)m;
    return true;
}

static STACK_OF(X509) * chain_rebuild(const uint8_t *path, size_t len, X509 *root, X509 *leaf,
                                      STACK_OF(X509) * untrusted)
{
    STACK_OF(X509) *sk = sk_X509_new_null();
    for (size_t j = 0; sk && j < len; j++) {
        X509 *x = candidate(root, leaf, untrusted, path[j]);
        if (!x || X509_up_ref(x) != 1) goto fail;
        if (sk_X509_push(sk, x) <= 0) {
            X509_free(x);
            goto fail;
        }
    }
    return sk;
fail:
    sk_X509_pop_free(sk, X509_free);
    return NULL;
}

/* Every certificate of chain is within its validity at time at (X509_verify_cert's rule). */
static bool chain_current(STACK_OF(X509) * chain, time_t at)
{
    for (int j = 0; j < sk_X509_num(chain); j++) {
        X509 *x = sk_X509_value(chain, j);
        if (X509_cmp_time(X509_get0_notBefore(x), &at) >= 0 ||
            X509_cmp_time(X509_get0_notAfter(x), &at) <= 0)
            return false;
    }
    return true;
}

/* The arguments of one chain verification. */
struct chain_call {
    X509 *root, *leaf;
    STACK_OF(X509) * untrusted;
    time_t at;
    unsigned long flags;
};

/* A hit whose chain is current at the time: 0 and *built. 1: not answered. -ENOMEM. */
static int chain_hit(const struct chain_call *c, const struct key_buf *k, const uint8_t digest[32],
                     STACK_OF(X509) * *built)
{
    uint8_t path[PATH_MAX_LEN];
    size_t len = 0;
    pthread_mutex_lock(&g_cache.lock);
    struct cache_slot *s = g_cache.slots ? table_find(k, digest) : NULL;
    if (s) memcpy(path, s->path, len = s->path_len);
    pthread_mutex_unlock(&g_cache.lock);
    if (len == 0) return 1;
    *built = chain_rebuild(path, len, c->root, c->leaf, c->untrusted);
    if (!*built) return -ENOMEM;
    if ((c->flags & X509_V_FLAG_NO_CHECK_TIME) || chain_current(*built, c->at)) return 0;
    sk_X509_pop_free(*built, X509_free);
    *built = NULL;
    return 1;
}

static void chain_store(const struct chain_call *c, struct key_buf *k, const uint8_t digest[32],
                        STACK_OF(X509) * built)
{
    uint8_t path[PATH_MAX_LEN];
    size_t len = 0;
    if (k->failed || !chain_path(built, c->root, c->leaf, c->untrusted, path, &len)) return;
    pthread_mutex_lock(&g_cache.lock);
    if (g_cache.slots) table_store(k, digest, path, len);
    pthread_mutex_unlock(&g_cache.lock);
}

int attest_cache_chain_verify(X509 *root, X509 *leaf, STACK_OF(X509) * untrusted, time_t at,
                              unsigned long flags, STACK_OF(X509) * *chain, int *x509_err,
                              attest_cache_chain_fn full)
{
    const struct chain_call c = {root, leaf, untrusted, at, flags};
    int n = untrusted ? sk_X509_num(untrusted) : 0;
    if (!cache_on() || (flags & ~(unsigned long)X509_V_FLAG_NO_CHECK_TIME) || n > 200)
        return full(root, leaf, untrusted, at, flags, chain, x509_err);
    struct key_buf k;
    uint8_t digest[32];
    STACK_OF(X509) *built = NULL;
    key_start(&k, KIND_CHAIN, flags);
    key_cert(&k, root);
    key_cert(&k, leaf);
    for (int i = 0; i < n; i++)
        key_cert(&k, sk_X509_value(untrusted, i));
    int rc = key_finish(&k, digest) ? chain_hit(&c, &k, digest, &built) : 1;
    count(rc == 0);
    if (rc == 0) {
        *x509_err = 0;
    } else if (rc == 1) {
        rc = full(root, leaf, untrusted, at, flags, &built, x509_err);
        if (rc == 0) chain_store(&c, &k, digest, built);
    }
    if (rc == 0 && chain)
        *chain = built;
    else
        sk_X509_pop_free(built, X509_free);
    free(k.p);
    return rc;
}
