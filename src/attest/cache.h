/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cache.h - (private to src/attest) the two places where certificate verification consults the
 * optional verification cache of cache.c (public switch: attest_cache_enable() in attest.h).
 *
 * When the cache is disabled (the default) both functions do exactly what the uncached code did:
 * attest_cache_link_verify() is X509_verify() with the issuer's key, and
 * attest_cache_chain_verify() calls the full chain verifier it is given.
 */
#ifndef ENARX_ATTEST_CACHE_H
#define ENARX_ATTEST_CACHE_H

#include <stdbool.h>
#include <time.h>

#include <openssl/x509.h>

/*
 * True when child's signature verifies with issuer's public key. A pair whose exact DER encodings
 * verified before is answered from the cache; only successes are stored. Names, CA flags and
 * validity times are not part of this check: the caller still makes them every time.
 */
bool attest_cache_link_verify(X509 *child, X509 *issuer);

/* A full chain verifier (attest_dcap_chain_verify's contract, see dcap.h). */
typedef int (*attest_cache_chain_fn)(X509 *root, X509 *leaf, STACK_OF(X509) * untrusted, time_t at,
                                     unsigned long flags, STACK_OF(X509) * *chain, int *x509_err);

/*
 * Verifies leaf to root as full() would. A previous success with the exact same DER of root, leaf
 * and every untrusted certificate (in order) and the same flags is reused: its chain is rebuilt
 * from the given objects and each member's validity is checked at time at (unless flags has
 * X509_V_FLAG_NO_CHECK_TIME); if any is not valid then, full() decides. Flags other than
 * X509_V_FLAG_NO_CHECK_TIME bypass the cache. Returns what full() would.
 */
int attest_cache_chain_verify(X509 *root, X509 *leaf, STACK_OF(X509) * untrusted, time_t at,
                              unsigned long flags, STACK_OF(X509) * *chain, int *x509_err,
                              attest_cache_chain_fn full);

#endif
