/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h - (private to src/steward) the layout of the CA and of a configured Steward, shared
 * by ca.c, issue.c, handler.c and server.c. Both are immutable after they are made, which is
 * what lets every server thread use them without locks.
 */
#ifndef ENARX_STEWARD_INTERNAL_H
#define ENARX_STEWARD_INTERNAL_H

#include <openssl/x509.h>

#include "steward/steward.h"

struct steward_ca {
    EVP_PKEY *key;
    X509 *cert;            /* the CA certificate of key */
    STACK_OF(X509) * path; /* the PkiPath prefix: issuers of cert (anchor first), then cert */
    const EVP_MD *md;      /* digest used to sign (NULL for Ed25519/Ed448) */
};

struct steward {
    struct steward_ca *ca;
    struct attest_roots *roots; /* NULL: none given */
    struct attest_policy policy;
    char **hosts;
    size_t host_count;
    unsigned long lifetime;
    time_t verify_at;
    bool any_measurement; /* no measurement allow-list for some accepted platform (insecure) */
    bool collateral;      /* this Steward installed the process-wide collateral set */
};

/* snprintf into err when err_size > 0, returning code (for `return fail(...)`). */
int steward_fail(char *err, size_t err_size, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Writes a DER tag and definite length for len content bytes at p (p NULL: only measures) and
 * returns the header's size (at most 10 bytes).
 */
size_t steward_der_header(uint8_t *p, uint8_t tag, size_t len);

#endif
