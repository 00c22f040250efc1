/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ca.c - loading the Steward's CA: its private key and its certificate chain.
 *
 * The operator gives a PEM private key and a certificate file whose first certificate belongs to
 * that key; further certificates in the file are the CA's own issuers (an intermediate CA set up
 * under an offline root), which every PkiPath carries so that relying parties holding only the
 * root can build the path. Everything that would make issued certificates unusable is checked
 * here, once, at start: the key matches the certificate, the certificate is a CA allowed to sign
 * certificates, and the chain is in issuing order. The signing digest follows the key (SHA-384
 * for P-384 and larger, none for EdDSA, else SHA-256).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "steward/internal.h"

#define CA_FILE_MAX (1024u * 1024u)

int steward_fail(char *err, size_t err_size, int code, const char *fmt, ...)
{
    if (err && err_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_size, fmt, ap);
        va_end(ap);
    }
    return code;
}

static int load_key(const char *path, EVP_PKEY **out, char *err, size_t err_size)
{
    uint8_t *buf = NULL;
    size_t size = 0;
    int rc = util_file_read(path, CA_FILE_MAX, &buf, &size);
    if (rc < 0) return steward_fail(err, err_size, rc, "--key %s: %s", path, strerror(-rc));
    BIO *bio = BIO_new_mem_buf(buf, (int)size);
    *out = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    OPENSSL_cleanse(buf, size);
    free(buf);
    if (!*out) return steward_fail(err, err_size, -EINVAL, "--key %s: not a PEM private key", path);
    return 0;
}

/* Every certificate of a PEM file (or the single certificate of a DER file), in file order. */
static int load_certs(const char *path, STACK_OF(X509) * *out, char *err, size_t err_size)
{
    uint8_t *buf = NULL;
    size_t size = 0;
    int rc = util_file_read(path, CA_FILE_MAX, &buf, &size);
    if (rc < 0) return steward_fail(err, err_size, rc, "--crt %s: %s", path, strerror(-rc));
    STACK_OF(X509) *sk = sk_X509_new_null();
    BIO *bio = BIO_new_mem_buf(buf, (int)size);
    X509 *x;
    while (sk && bio && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
        if (!sk_X509_push(sk, x)) X509_free(x);
    if (sk && sk_X509_num(sk) == 0) {
        const unsigned char *p = buf;
        x = d2i_X509(NULL, &p, (long)size);
        if (x && (p != buf + size || !sk_X509_push(sk, x))) X509_free(x);
    }
    BIO_free(bio);
    free(buf);
    ERR_clear_error();
    if (!sk || sk_X509_num(sk) == 0) {
        sk_X509_pop_free(sk, X509_free);
        return steward_fail(err, err_size, -EINVAL, "--crt %s: no certificate (PEM or DER)", path);
    }
    *out = sk;
    return 0;
}

static const EVP_MD *pick_md(EVP_PKEY *key)
{
    if (EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448")) return NULL;
    if (EVP_PKEY_is_a(key, "EC") && EVP_PKEY_get_bits(key) >= 384) return EVP_sha384();
    return EVP_sha256();
}

/* The file order is the CA, then its issuer, then that one's issuer: check each link. */
static int check_chain(STACK_OF(X509) * sk, const char *path, char *err, size_t err_size)
{
    for (int i = 0; i + 1 < sk_X509_num(sk); i++) {
        X509 *child = sk_X509_value(sk, i), *parent = sk_X509_value(sk, i + 1);
        if (X509_check_issued(parent, child) != X509_V_OK ||
            X509_verify(child, X509_get0_pubkey(parent)) != 1)
            return steward_fail(err, err_size, -EINVAL,
                                "--crt %s: certificate %d is not issued by certificate %d", path,
                                i + 1, i + 2);
    }
    return 0;
}

static int check_ca(struct steward_ca *ca, const char *path, char *err, size_t err_size)
{
    if (X509_check_private_key(ca->cert, ca->key) != 1)
        return steward_fail(err, err_size, -EINVAL,
                            "--crt %s: the first certificate is not the certificate of --key",
                            path);
    /* X509_check_ca: 1 = CA with basicConstraints; keyUsage (if any) must allow keyCertSign. */
    if (X509_check_ca(ca->cert) != 1)
        return steward_fail(err, err_size, -EINVAL,
                            "--crt %s: not a CA certificate (needs basicConstraints CA:TRUE)",
                            path);
    if ((X509_get_extension_flags(ca->cert) & EXFLAG_KUSAGE) &&
        !(X509_get_key_usage(ca->cert) & KU_KEY_CERT_SIGN))
        return steward_fail(err, err_size, -EINVAL, "--crt %s: keyUsage lacks keyCertSign", path);
    return 0;
}

/* Turns the file order (CA first) into the PkiPath order (anchor side first). */
static int build_path(struct steward_ca *ca, STACK_OF(X509) * file)
{
    ca->path = sk_X509_new_null();
    if (!ca->path) return -ENOMEM;
    for (int i = sk_X509_num(file) - 1; i >= 0; i--) {
        X509 *x = sk_X509_value(file, i);
        if (!sk_X509_push(ca->path, x)) return -ENOMEM;
        X509_up_ref(x);
    }
    ca->cert = sk_X509_value(file, 0);
    X509_up_ref(ca->cert);
    return 0;
}

int steward_ca_load(const char *key_path, const char *crt_path, struct steward_ca **out, char *err,
                    size_t err_size)
{
    STACK_OF(X509) *file = NULL;
    struct steward_ca *ca = calloc(1, sizeof(*ca));
    int rc;
    if (!ca) return -ENOMEM;
    rc = load_key(key_path, &ca->key, err, err_size);
    if (rc == 0) rc = load_certs(crt_path, &file, err, err_size);
    if (rc == 0) rc = build_path(ca, file);
    if (rc == 0) rc = check_ca(ca, crt_path, err, err_size);
    if (rc == 0) rc = check_chain(file, crt_path, err, err_size);
    sk_X509_pop_free(file, X509_free);
    ERR_clear_error();
    if (rc < 0) {
        if (rc == -ENOMEM) steward_fail(err, err_size, rc, "out of memory loading the CA");
        steward_ca_free(ca);
        return rc;
    }
    ca->md = pick_md(ca->key);
    *out = ca;
    return 0;
}

void steward_ca_free(struct steward_ca *ca)
{
    if (!ca) return;
    EVP_PKEY_free(ca->key);
    X509_free(ca->cert);
    sk_X509_pop_free(ca->path, X509_free);
    free(ca);
}

X509 *steward_ca_cert(const struct steward_ca *ca)
{
    return ca->cert;
}
