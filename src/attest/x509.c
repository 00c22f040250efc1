/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x509.c - certificate helpers for the verifiers (see internal.h): loading certificates from
 * blobs that may be DER or PEM, and checking one chain link at an explicit time.
 *
 * Blobs are hostile: DER is parsed with d2i_X509 bounded by the blob's size and must consume it
 * exactly; PEM goes through a read-only memory BIO. No function here consults the system clock
 * except through attest_time().
 */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "attest/cache.h"
#include "attest/internal.h"

int attest_fail(struct attest_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    ERR_clear_error();
    return code;
}

time_t attest_time(const struct attest_verify_opts *opts)
{
    if (opts && opts->at != 0) return opts->at;
    return time(NULL);
}

bool attest_all_zero(const uint8_t *buf, size_t size)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < size; i++)
        acc |= buf[i];
    return acc == 0;
}

X509 *attest_x509_from_blob(const uint8_t *buf, size_t size)
{
    if (!buf || size == 0 || size > INT32_MAX) return NULL;
    const unsigned char *p = buf;
    X509 *x = d2i_X509(NULL, &p, (long)size);
    if (x && p == buf + size) return x;
    X509_free(x);
    BIO *bio = BIO_new_mem_buf(buf, (int)size);
    if (!bio) return NULL;
    x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    ERR_clear_error();
    return x;
}

static int push(STACK_OF(X509) * sk, X509 *x)
{
    if (sk_X509_push(sk, x) <= 0) {
        X509_free(x);
        return -ENOMEM;
    }
    return 0;
}

int attest_x509_collect(const uint8_t *buf, size_t size, STACK_OF(X509) * *sk)
{
    if (!*sk && !(*sk = sk_X509_new_null())) return -ENOMEM;
    if (!buf || size == 0 || size > INT32_MAX) return 0;
    const unsigned char *p = buf;
    X509 *x = d2i_X509(NULL, &p, (long)size);
    if (x && p == buf + size) return push(*sk, x) < 0 ? -ENOMEM : 1;
    X509_free(x);
    BIO *bio = BIO_new_mem_buf(buf, (int)size);
    if (!bio) return -ENOMEM;
    int n = 0;
    while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (push(*sk, x) < 0) {
            n = -ENOMEM;
            break;
        }
        n++;
    }
    BIO_free(bio);
    ERR_clear_error();
    return n;
}

int attest_x509_load_file(const char *path, STACK_OF(X509) * *sk)
{
    uint8_t *buf = NULL;
    size_t size = 0;
    int rc = util_file_read(path, 1u << 20, &buf, &size);
    if (rc < 0) return rc;
    rc = attest_x509_collect(buf, size, sk);
    free(buf);
    return rc;
}

int attest_x509_check_time(X509 *cert, time_t t, const char *what, struct attest_error *err)
{
    if (X509_cmp_time(X509_get0_notBefore(cert), &t) >= 0)
        return attest_fail(err, ATTEST_E_EXPIRED,
                           "%s is not yet valid at the verification time (notBefore)", what);
    if (X509_cmp_time(X509_get0_notAfter(cert), &t) <= 0)
        return attest_fail(err, ATTEST_E_EXPIRED,
                           "%s has expired at the verification time (notAfter); pin the time "
                           "with --insecure-verify-at to verify old evidence",
                           what);
    return 0;
}

int attest_x509_check_link(X509 *child, X509 *issuer, time_t t, const char *child_what,
                           const char *issuer_what, struct attest_error *err)
{
    if (X509_NAME_cmp(X509_get_issuer_name(child), X509_get_subject_name(issuer)) != 0)
        return attest_fail(err, ATTEST_E_SIGNATURE, "%s was not issued by the %s (issuer name)",
                           child_what, issuer_what);
    if (X509_check_ca(issuer) == 0)
        return attest_fail(err, ATTEST_E_SIGNATURE, "%s is not a CA certificate", issuer_what);
    if (!attest_cache_link_verify(child, issuer)) /* X509_verify, or a cached success */
        return attest_fail(err, ATTEST_E_SIGNATURE, "%s: signature does not verify with the %s key",
                           child_what, issuer_what);
    int rc = attest_x509_check_time(child, t, child_what, err);
    if (rc == 0) rc = attest_x509_check_time(issuer, t, issuer_what, err);
    return rc;
}

int attest_digest(const EVP_MD *md, const uint8_t *buf, size_t size, uint8_t *out)
{
    unsigned int n = 0;
    if (EVP_Digest(buf, size, out, &n, md, NULL) != 1) return attest_fail(NULL, -ENOMEM, "digest");
    return 0;
}

int attest_x509_sha256(X509 *cert, uint8_t out[32])
{
    unsigned char *der = NULL;
    int n = i2d_X509(cert, &der);
    if (n <= 0) return -ENOMEM;
    int rc = attest_digest(EVP_sha256(), der, (size_t)n, out);
    OPENSSL_free(der);
    return rc;
}
