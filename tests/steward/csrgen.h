/* SPDX-License-Identifier: Apache-2.0 */
/*
 * csrgen.h - test helpers shared by the Steward's unit tests, its end-to-end tests (through
 * mkcsr) and its load test: make keys, a throwaway CA, and PKCS#10 CSRs carrying whatever
 * evidence extension a test wants (real evidence lifted from a recorded CSR, simulated
 * evidence, an empty kvm extension, or none). Header-only (static functions) so that each
 * single-file test can include it. Failures return NULL; tests assert on that.
 */
#ifndef ENARX_TEST_STEWARD_CSRGEN_H
#define ENARX_TEST_STEWARD_CSRGEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* "P-256", "P-384", "ED25519", or "RSA2048"/"RSA1024". */
static inline EVP_PKEY *csrgen_key(const char *kind)
{
    if (!strcmp(kind, "ED25519")) return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    if (!strncmp(kind, "RSA", 3))
        return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)atoi(kind + 3));
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", kind);
}

static inline int csrgen_add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    int ok = e && X509_add_ext(x, e, -1) == 1;
    X509_EXTENSION_free(e);
    return ok ? 0 : -1;
}

/* A certificate for key, issued by (issuer, issuer_key) or self-signed when issuer is NULL. */
static inline X509 *csrgen_cert(EVP_PKEY *key, const char *cn, long from, long days, bool ca,
                                X509 *issuer, EVP_PKEY *issuer_key)
{
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    int ok = x && name && X509_set_version(x, X509_VERSION_3) &&
             ASN1_INTEGER_set(X509_get_serialNumber(x), 1000 + (long)(random() % 1000)) &&
             X509_time_adj_ex(X509_getm_notBefore(x), 0, from, NULL) &&
             X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, NULL) &&
             X509_set_pubkey(x, key) &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
                                        -1, 0) &&
             X509_set_subject_name(x, name) &&
             X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
    X509 *iss = issuer ? issuer : x;
    ok = ok && csrgen_add_ext(x, iss, NID_basic_constraints,
                              ca ? "critical,CA:TRUE" : "critical,CA:FALSE") == 0;
    ok = ok &&
         csrgen_add_ext(x, iss, NID_key_usage,
                        ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature") == 0;
    ok = ok && csrgen_add_ext(x, iss, NID_subject_key_identifier, "hash") == 0;
    ok = ok && X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0;
    X509_NAME_free(name);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static inline int csrgen_write_key(const char *path, EVP_PKEY *key)
{
    FILE *f = fopen(path, "w");
    int ok = f && PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1;
    if (f) fclose(f);
    return ok ? 0 : -1;
}

static inline int csrgen_write_certs(const char *path, X509 *const *certs, size_t count)
{
    FILE *f = fopen(path, "w");
    int ok = f != NULL;
    for (size_t i = 0; ok && i < count; i++)
        ok = PEM_write_X509(f, certs[i]) == 1;
    if (f) fclose(f);
    return ok ? 0 : -1;
}

/* A DER CSR for key with one extension (oid, value) when oid is not NULL. */
static inline uint8_t *csrgen_csr(EVP_PKEY *key, const char *oid, const uint8_t *value,
                                  size_t value_size, size_t *out_size)
{
    X509_REQ *req = X509_REQ_new();
    STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
    ASN1_OBJECT *obj = oid ? OBJ_txt2obj(oid, 1) : NULL;
    ASN1_OCTET_STRING *val = ASN1_OCTET_STRING_new();
    X509_EXTENSION *ext = NULL;
    uint8_t *der = NULL;
    int ok =
        req && exts && val && X509_REQ_set_version(req, 0) && X509_REQ_set_pubkey(req, key) == 1;
    if (ok && oid) {
        ok = obj && ASN1_OCTET_STRING_set(val, value, (int)value_size) &&
             (ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, val)) != NULL &&
             sk_X509_EXTENSION_push(exts, ext) > 0;
        if (ok) ext = NULL;
        ok = ok && X509_REQ_add_extensions(req, exts) == 1;
    }
    const EVP_MD *md = EVP_PKEY_is_a(key, "ED25519") ? NULL : EVP_sha256();
    ok = ok && X509_REQ_sign(req, key, md) > 0;
    int n = ok ? i2d_X509_REQ(req, &der) : -1;
    uint8_t *out = n > 0 ? malloc((size_t)n) : NULL;
    if (out) {
        memcpy(out, der, (size_t)n);
        *out_size = (size_t)n;
    }
    OPENSSL_free(der);
    X509_EXTENSION_free(ext);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    ASN1_OCTET_STRING_free(val);
    ASN1_OBJECT_free(obj);
    X509_REQ_free(req);
    return out;
}

/* The value of extension oid of a DER CSR, copied out (NULL when absent). */
static inline uint8_t *csrgen_ext_value(const uint8_t *csr, size_t size, const char *oid,
                                        size_t *out_size)
{
    const unsigned char *p = csr;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)size);
    STACK_OF(X509_EXTENSION) *exts = req ? X509_REQ_get_extensions(req) : NULL;
    uint8_t *out = NULL;
    for (int i = 0; i < sk_X509_EXTENSION_num(exts) && !out; i++) {
        X509_EXTENSION *e = sk_X509_EXTENSION_value(exts, i);
        char txt[128];
        if (OBJ_obj2txt(txt, sizeof(txt), X509_EXTENSION_get_object(e), 1) <= 0 ||
            strcmp(txt, oid) != 0)
            continue;
        ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(e);
        *out_size = (size_t)ASN1_STRING_length(v);
        out = malloc(*out_size ? *out_size : 1);
        if (out) memcpy(out, ASN1_STRING_get0_data(v), *out_size);
    }
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    X509_REQ_free(req);
    return out;
}

#endif
