/* SPDX-License-Identifier: Apache-2.0 */
/*
 * issue.c - certificate issuance: a verified CSR's public key and its verified claims in, a
 * signed end-entity certificate and the PkiPath Enarx's Keep expects out.
 *
 * What an issued certificate says, and why:
 *   - a random 128-bit serial (positive, never zero): no state to keep between instances, and
 *     no two certificates share one;
 *   - notBefore one minute back (clock skew between Steward and relying parties), notAfter after
 *     the configured lifetime but never past the CA's own notAfter;
 *   - subject CN = the first --host (else "Enarx Keep"); nothing is taken from the CSR's
 *     subject or requested extensions, only its public key: the Keep chooses nothing else;
 *   - basicConstraints CA:FALSE (critical), keyUsage digitalSignature (+keyEncipherment for RSA;
 *     critical), extendedKeyUsage serverAuth + clientAuth, subjectAltName from --host (IP
 *     addresses as iPAddress, the rest as dNSName), subject and authority key identifiers;
 *   - the verified claims (STEWARD_OID_CLAIMS, see claims.c).
 * Only keys a TLS stack accepts are certified: EC P-256/P-384/P-521, RSA 2048..16384, Ed25519.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "steward/internal.h"

#define SERIAL_SIZE 16
#define BACKDATE 60 /* seconds */

static int check_key(EVP_PKEY *key)
{
    char group[32];
    if (EVP_PKEY_is_a(key, "ED25519")) return 0;
    if (EVP_PKEY_is_a(key, "RSA"))
        return EVP_PKEY_get_bits(key) >= 2048 && EVP_PKEY_get_bits(key) <= 16384 ? 0 : -EINVAL;
    if (!EVP_PKEY_is_a(key, "EC") ||
        EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof(group), NULL) != 1)
        return -EINVAL;
    if (!strcmp(group, "prime256v1") || !strcmp(group, "P-256") || !strcmp(group, "secp384r1") ||
        !strcmp(group, "P-384") || !strcmp(group, "secp521r1") || !strcmp(group, "P-521"))
        return 0;
    return -EINVAL;
}

static int set_serial(X509 *x)
{
    uint8_t b[SERIAL_SIZE];
    if (RAND_bytes(b, sizeof(b)) != 1) return -EIO;
    b[0] = (uint8_t)((b[0] & 0x7f) | 0x40); /* positive, full length, non-zero */
    BIGNUM *bn = BN_bin2bn(b, sizeof(b), NULL);
    ASN1_INTEGER *serial = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
    int ok = serial && X509_set_serialNumber(x, serial) == 1;
    ASN1_INTEGER_free(serial);
    BN_free(bn);
    return ok ? 0 : -ENOMEM;
}

/* The CA must be valid now; the certificate's validity is nested in the CA's at the end. */
static int set_validity(X509 *x, X509 *ca, unsigned long lifetime, time_t now)
{
    const ASN1_TIME *ca_before = X509_get0_notBefore(ca), *ca_after = X509_get0_notAfter(ca);
    if (X509_cmp_time(ca_before, &now) != -1 || X509_cmp_time(ca_after, &now) != 1)
        return -EKEYEXPIRED;
    if (lifetime > 10ul * 365 * 24 * 3600) lifetime = 10ul * 365 * 24 * 3600;
    if (!X509_time_adj_ex(X509_getm_notBefore(x), 0, -BACKDATE, &now) ||
        !X509_time_adj_ex(X509_getm_notAfter(x), 0, (long)lifetime, &now))
        return -ENOMEM;
    if (ASN1_TIME_compare(X509_get0_notAfter(x), ca_after) > 0 && !X509_set1_notAfter(x, ca_after))
        return -ENOMEM;
    return 0;
}

static int set_names(X509 *x, X509 *ca, const struct steward_issue_opts *o)
{
    X509_NAME *name = X509_NAME_new();
    const char *cn = o->host_count ? o->hosts[0] : "Enarx Keep";
    int ok = name != NULL;
    if (ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
                                         -1, 0) != 1)
        /* too long for a CN (64 characters): the SAN still names it */
        ok = X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                        (const unsigned char *)"Enarx Keep", -1, -1, 0) == 1;
    ok = ok && X509_set_subject_name(x, name) == 1 &&
         X509_set_issuer_name(x, X509_get_subject_name(ca)) == 1;
    X509_NAME_free(name);
    return ok ? 0 : -ENOMEM;
}

static GENERAL_NAME *host_name(const char *host)
{
    GENERAL_NAME *g = GENERAL_NAME_new();
    ASN1_OCTET_STRING *ip = a2i_IPADDRESS(host);
    if (!g) {
        ASN1_OCTET_STRING_free(ip);
        return NULL;
    }
    if (ip) {
        GENERAL_NAME_set0_value(g, GEN_IPADD, ip);
        return g;
    }
    ASN1_IA5STRING *dns = ASN1_IA5STRING_new();
    if (!dns || ASN1_STRING_set(dns, host, -1) != 1) {
        ASN1_IA5STRING_free(dns);
        GENERAL_NAME_free(g);
        return NULL;
    }
    GENERAL_NAME_set0_value(g, GEN_DNS, dns);
    return g;
}

static int add_san(X509 *x, const char *const *hosts, size_t count)
{
    if (count == 0) return 0;
    GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
    int ok = gens != NULL;
    for (size_t i = 0; ok && i < count; i++) {
        GENERAL_NAME *g = host_name(hosts[i]);
        ok = g && sk_GENERAL_NAME_push(gens, g) > 0;
        if (!ok) GENERAL_NAME_free(g);
    }
    ok = ok && X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) == 1;
    GENERAL_NAMES_free(gens);
    return ok ? 0 : -ENOMEM;
}

static int add_conf(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    int ok = e && X509_add_ext(x, e, -1) == 1;
    X509_EXTENSION_free(e);
    return ok ? 0 : -ENOMEM;
}

static int add_claims(X509 *x, const struct attest_claims *claims)
{
    uint8_t *der = NULL;
    size_t size = 0;
    int rc = steward_claims_encode(claims, &der, &size);
    if (rc < 0) return rc;
    ASN1_OBJECT *oid = OBJ_txt2obj(STEWARD_OID_CLAIMS, 1);
    ASN1_OCTET_STRING *val = ASN1_OCTET_STRING_new();
    X509_EXTENSION *e = NULL;
    int ok = oid && val && ASN1_OCTET_STRING_set(val, der, (int)size) == 1 &&
             (e = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, val)) != NULL &&
             X509_add_ext(x, e, -1) == 1;
    X509_EXTENSION_free(e);
    ASN1_OCTET_STRING_free(val);
    ASN1_OBJECT_free(oid);
    free(der);
    return ok ? 0 : -ENOMEM;
}

static int add_extensions(X509 *x, X509 *ca, EVP_PKEY *key, const struct steward_issue_opts *o,
                          const struct attest_claims *claims)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
    const char *ku = EVP_PKEY_is_a(key, "RSA") ? "critical,digitalSignature,keyEncipherment"
                                               : "critical,digitalSignature";
    int rc = add_conf(x, &ctx, NID_basic_constraints, "critical,CA:FALSE");
    if (rc == 0) rc = add_conf(x, &ctx, NID_key_usage, ku);
    if (rc == 0) rc = add_conf(x, &ctx, NID_ext_key_usage, "serverAuth,clientAuth");
    if (rc == 0) rc = add_san(x, o->hosts, o->host_count);
    if (rc == 0) rc = add_conf(x, &ctx, NID_subject_key_identifier, "hash");
    if (rc == 0) rc = add_conf(x, &ctx, NID_authority_key_identifier, "keyid:always");
    if (rc == 0) rc = add_claims(x, claims);
    return rc;
}

/* SEQUENCE OF Certificate: the CA's path (anchor side first), then leaf. */
static int encode_path(const struct steward_ca *ca, X509 *leaf, uint8_t **out, size_t *out_size)
{
    int count = sk_X509_num(ca->path);
    size_t body = 0;
    for (int i = 0; i <= count; i++) {
        int n = i2d_X509(i < count ? sk_X509_value(ca->path, i) : leaf, NULL);
        if (n <= 0) return -ENOMEM;
        body += (size_t)n;
    }
    size_t head = steward_der_header(NULL, 0x30, body);
    uint8_t *buf = malloc(head + body);
    if (!buf) return -ENOMEM;
    unsigned char *p = buf + steward_der_header(buf, 0x30, body);
    for (int i = 0; i <= count; i++)
        if (i2d_X509(i < count ? sk_X509_value(ca->path, i) : leaf, &p) <= 0) {
            free(buf);
            return -ENOMEM;
        }
    *out = buf;
    *out_size = head + body;
    return 0;
}

static int build(const struct steward_ca *ca, X509 *x, EVP_PKEY *key,
                 const struct attest_claims *claims, const struct steward_issue_opts *o)
{
    time_t now = o->now ? o->now : time(NULL);
    int rc = check_key(key);
    if (rc == 0)
        rc = X509_set_version(x, X509_VERSION_3) == 1 && X509_set_pubkey(x, key) == 1 ? 0 : -ENOMEM;
    if (rc == 0) rc = set_serial(x);
    if (rc == 0) rc = set_validity(x, ca->cert, o->lifetime, now);
    if (rc == 0) rc = set_names(x, ca->cert, o);
    if (rc == 0) rc = add_extensions(x, ca->cert, key, o, claims);
    if (rc == 0 && X509_sign(x, ca->key, ca->md) <= 0) rc = -ENOMEM;
    return rc;
}

int steward_issue(const struct steward_ca *ca, X509_REQ *req, const struct attest_claims *claims,
                  const struct steward_issue_opts *opts, uint8_t **out, size_t *out_size,
                  X509 **cert_out)
{
    EVP_PKEY *key = X509_REQ_get0_pubkey(req);
    X509 *x = X509_new();
    int rc = key && x ? build(ca, x, key, claims, opts) : key ? -ENOMEM : -EINVAL;
    if (rc == 0) rc = encode_path(ca, x, out, out_size);
    if (rc == 0 && cert_out) {
        *cert_out = x;
        x = NULL;
    }
    X509_free(x);
    ERR_clear_error();
    return rc;
}
