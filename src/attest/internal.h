/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h - (private to src/attest) helpers shared by the format verifiers: error messages,
 * certificate loading from hostile blobs, and one-link chain checks at a pinned time.
 *
 * The chain checks are explicit (issuer name, issuer is a CA, signature with the issuer's key,
 * validity at the verification time) rather than X509_verify_cert(), because the AMD and Intel
 * hierarchies are fixed and short: spelling each link out gives precise error messages and
 * removes any dependence on a store's search or on the system clock.
 */
#ifndef ENARX_ATTEST_INTERNAL_H
#define ENARX_ATTEST_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>

#include <openssl/x509.h>

#include "attest/attest.h"

/* Formats a message into err (NULL is fine) and returns code, for `return attest_fail(...)`. */
int attest_fail(struct attest_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The verification time: opts->at, or now when 0. */
time_t attest_time(const struct attest_verify_opts *opts);

/* Parses one certificate from a DER or PEM blob (the whole blob for DER). NULL when neither. */
X509 *attest_x509_from_blob(const uint8_t *buf, size_t size);

/*
 * Appends every certificate of a blob (one DER, or any number of PEM blocks) to *sk (created
 * when NULL). Returns the number added (>= 0) or -ENOMEM.
 */
NODISCARD int attest_x509_collect(const uint8_t *buf, size_t size, STACK_OF(X509) * *sk);

/* Loads every certificate of a file (PEM or DER, at most 1 MiB) into *sk. */
NODISCARD int attest_x509_load_file(const char *path, STACK_OF(X509) * *sk);

/* Checks validity of cert at time t; what names it in messages. */
NODISCARD int attest_x509_check_time(X509 *cert, time_t t, const char *what,
                                     struct attest_error *err);

/*
 * Checks one link: child's issuer name equals issuer's subject, issuer may sign certificates,
 * child's signature verifies with issuer's key, and both are valid at time t.
 */
NODISCARD int attest_x509_check_link(X509 *child, X509 *issuer, time_t t, const char *child_what,
                                     const char *issuer_what, struct attest_error *err);

/* SHA-256 of a certificate's DER into out. Returns 0 or -ENOMEM. */
NODISCARD int attest_x509_sha256(X509 *cert, uint8_t out[32]);

/* Hash helper: SHA-256/384 (by md) of buf into out (size by md). Returns 0 or -ENOMEM. */
NODISCARD int attest_digest(const EVP_MD *md, const uint8_t *buf, size_t size, uint8_t *out);

/*
 * The Intel collateral helpers found beside the Intel root (intel/tcb_signing_chain.pem,
 * intel/sgx_root_ca.crl.der), as borrowed bytes; size 0 when absent.
 */
const uint8_t *attest_roots_intel_file(const struct attest_roots *roots, const char *which,
                                       size_t *size);

/* Writes an all-zero check: true when buf[0..size) is all zero. */
bool attest_all_zero(const uint8_t *buf, size_t size);

#endif
