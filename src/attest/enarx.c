/* SPDX-License-Identifier: Apache-2.0 */
/*
 * enarx.c - Enarx's own evidence encodings, so that real Enarx Keeps and our Steward interoperate.
 *
 * An Enarx Keep puts its evidence in one extension of the PKCS#10 CSR it sends to the Steward:
 *
 *   1.3.6.1.4.1.58270.1.1  kvm: empty (no hardware evidence at all)
 *   1.3.6.1.4.1.58270.1.2  SGX: SEQUENCE { quote OCTET STRING, CRLs, TCB package }
 *   1.3.6.1.4.1.58270.1.3  SNP: SEQUENCE { certs, report OCTET STRING }, certs being either the
 *                          VCEK Certificate or SEQUENCE { VCEK, crls }, crls being
 *                          SEQUENCE { SEQUENCE OF SEQUENCE { url UTF8String, CRL } } (a CRL list
 *                          struct around the entries; the unwrapped SEQUENCE OF is accepted too)
 *
 * and binds the CSR's key to the hardware by putting a hash of the CSR's SubjectPublicKeyInfo
 * DER in REPORT_DATA (SHA-384 for SNP, SHA-256 for SGX whose report data is 64 bytes but whose
 * quotes are usually checked on 32), zeros after it. Verifying a CSR therefore means: the CSR
 * read strictly (csr.c: strict DER, version 0, every extension request walked, exactly one
 * evidence extension, and OpenSSL's parse re-encoding to the same bytes), its own signature
 * (proof of possession), the evidence, that the evidence is of the platform its OID names (an
 * SGX extension holding a TDX quote is refused), and the binding: REPORT_DATA exactly
 * hash || zeros. The parsers here only split DER (strictly, with der.c); all the checking of
 * evidence is in snp.c/dcap.c.
 *
 * CRLs shipped in SNP evidence are handed to snp.c, which checks those of the product's ARK
 * (signature, nextUpdate) against the intermediate that verified the VCEK, beside the installed
 * collateral's CRL; whether any current CRL was consulted is a claim the policy judges.
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "attest/der.h"
#include "attest/internal.h"
#include "attest/verify_internal.h"

/* certs: a Certificate (its first child is a SEQUENCE whose first child is [0] or INTEGER)? */
static bool looks_like_certificate(const struct der_elem *e)
{
    struct der_cursor c, tbs;
    struct der_elem first, inner;
    der_enter(e, &c);
    if (der_next(&c, &first) < 0 || first.tag != DER_SEQUENCE) return false;
    der_enter(&first, &tbs);
    return der_next(&tbs, &inner) == 0 && (inner.tag == 0xA0 || inner.tag == DER_INTEGER);
}

/* True when e is SEQUENCE { SEQUENCE OF ... } wrapping the entries once more (Enarx's CrlList). */
static bool is_wrapped_list(const struct der_elem *e, struct der_elem *inner)
{
    struct der_cursor c, ic;
    struct der_elem first;
    der_enter(e, &c);
    if (der_expect(&c, DER_SEQUENCE, inner) < 0 || !der_at_end(&c)) return false;
    der_enter(inner, &ic);
    return der_at_end(&ic) || (der_next(&ic, &first) == 0 && first.tag == DER_SEQUENCE);
}

static int parse_crls(const struct der_elem *list, struct attest_enarx_snp *out,
                      struct attest_error *err)
{
    struct der_cursor c;
    struct der_elem item, inner;
    if (is_wrapped_list(list, &inner))
        der_enter(&inner, &c);
    else
        der_enter(list, &c);
    while (!der_at_end(&c)) {
        struct der_cursor ic;
        struct der_elem url, crl;
        if (der_expect(&c, DER_SEQUENCE, &item) < 0)
            return attest_fail(err, ATTEST_E_MALFORMED, "Enarx SNP evidence: bad CRL entry");
        der_enter(&item, &ic);
        if (der_next(&ic, &url) < 0 || (url.tag != DER_UTF8_STRING && url.tag != DER_IA5_STRING) ||
            der_expect(&ic, DER_SEQUENCE, &crl) < 0 || !der_at_end(&ic))
            return attest_fail(err, ATTEST_E_MALFORMED,
                               "Enarx SNP evidence: CRL entry is not { url, CertificateList }");
        if (out->crl_count < ARRAY_LEN(out->crls)) {
            out->crls[out->crl_count] = crl.raw;
            out->crl_sizes[out->crl_count++] = crl.raw_size;
        }
    }
    return 0;
}

static int parse_snp_certs(const struct der_elem *certs, struct attest_enarx_snp *out,
                           struct attest_error *err)
{
    if (looks_like_certificate(certs)) {
        out->vcek = certs->raw;
        out->vcek_size = certs->raw_size;
        return 0;
    }
    struct der_cursor c;
    struct der_elem vcek, crls;
    der_enter(certs, &c);
    if (der_expect(&c, DER_SEQUENCE, &vcek) < 0 || !looks_like_certificate(&vcek))
        return attest_fail(err, ATTEST_E_MALFORMED, "Enarx SNP evidence: no VCEK certificate");
    out->vcek = vcek.raw;
    out->vcek_size = vcek.raw_size;
    if (der_at_end(&c)) return 0;
    if (der_expect(&c, DER_SEQUENCE, &crls) < 0 || !der_at_end(&c))
        return attest_fail(err, ATTEST_E_MALFORMED, "Enarx SNP evidence: bad CRL list");
    return parse_crls(&crls, out, err);
}

int attest_enarx_snp_parse(const uint8_t *buf, size_t size, struct attest_enarx_snp *out,
                           struct attest_error *err)
{
    struct der_cursor top, c;
    struct der_elem seq, certs, report;
    memset(out, 0, sizeof(*out));
    der_init(&top, buf, size);
    if (der_expect(&top, DER_SEQUENCE, &seq) < 0 || !der_at_end(&top))
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "Enarx SNP evidence: not one DER SEQUENCE filling the input");
    der_enter(&seq, &c);
    if (der_expect(&c, DER_SEQUENCE, &certs) < 0 || der_expect(&c, DER_OCTET_STRING, &report) < 0 ||
        !der_at_end(&c))
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "Enarx SNP evidence: expected SEQUENCE { certs, report OCTET STRING }");
    out->report = report.val;
    out->report_size = report.len;
    return parse_snp_certs(&certs, out, err);
}

int attest_enarx_sgx_parse(const uint8_t *buf, size_t size, struct attest_enarx_sgx *out,
                           struct attest_error *err)
{
    struct der_cursor top, c;
    struct der_elem seq, quote, rest;
    memset(out, 0, sizeof(*out));
    der_init(&top, buf, size);
    if (der_expect(&top, DER_SEQUENCE, &seq) < 0 || !der_at_end(&top))
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "Enarx SGX evidence: not one DER SEQUENCE filling the input");
    der_enter(&seq, &c);
    if (der_expect(&c, DER_OCTET_STRING, &quote) < 0)
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "Enarx SGX evidence: expected SEQUENCE { quote OCTET STRING, ... }");
    /* The CRL list and TCB package follow; they must be well-formed DER. */
    while (!der_at_end(&c))
        if (der_next(&c, &rest) < 0)
            return attest_fail(err, ATTEST_E_MALFORMED, "Enarx SGX evidence: bad DER after quote");
    out->quote = quote.val;
    out->quote_size = quote.len;
    return 0;
}

int attest_enarx_snp_verify(const uint8_t *buf, size_t size, const struct attest_verify_opts *opts,
                            struct attest_claims *claims, struct attest_error *err)
{
    struct attest_enarx_snp ev;
    int rc = attest_enarx_snp_parse(buf, size, &ev, err);
    if (rc < 0) return rc;
    X509 *vcek = attest_x509_from_blob(ev.vcek, ev.vcek_size);
    if (!vcek)
        return attest_fail(err, ATTEST_E_MALFORMED, "Enarx SNP evidence: VCEK does not parse");
    struct attest_snp_crls crls = {ev.crls, ev.crl_sizes, ev.crl_count};
    rc = attest_snp_verify_crls(ev.report, ev.report_size, opts, vcek, &crls, claims, err);
    X509_free(vcek);
    if (rc == 0)
        snprintf(claims->format, sizeof(claims->format), "enarx-snp-v%u", claims->snp_version);
    return rc;
}

int attest_enarx_sgx_verify(const uint8_t *buf, size_t size, const struct attest_verify_opts *opts,
                            struct attest_claims *claims, struct attest_error *err)
{
    struct attest_enarx_sgx ev;
    int rc = attest_enarx_sgx_parse(buf, size, &ev, err);
    if (rc < 0) return rc;
    rc = attest_dcap_verify_quote(ev.quote, ev.quote_size, opts, claims, err);
    if (rc == 0) snprintf(claims->format, sizeof(claims->format), "enarx-sgx");
    return rc;
}

/* ---- CSRs ---- */

/*
 * The DER of a CSR given as DER or as one PEM "CERTIFICATE REQUEST" block; *owned is set when
 * the bytes had to be decoded (the caller frees it).
 */
static int csr_der(const uint8_t *buf, size_t size, uint8_t **owned, const uint8_t **der,
                   size_t *der_size, struct attest_error *err)
{
    *owned = NULL;
    if (size == 0 || size > INT32_MAX)
        return attest_fail(err, ATTEST_E_MALFORMED, "CSR: empty or too large");
    if (buf[0] == 0x30) {
        *der = buf;
        *der_size = size;
        return 0;
    }
    BIO *bio = BIO_new_mem_buf(buf, (int)size);
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long len = 0;
    int ok = bio && PEM_read_bio(bio, &name, &header, &data, &len) == 1;
    BIO_free(bio);
    ERR_clear_error();
    ok = ok &&
         (strcmp(name, "CERTIFICATE REQUEST") == 0 ||
          strcmp(name, "NEW CERTIFICATE REQUEST") == 0) &&
         header[0] == '\0' && len > 0;
    OPENSSL_free(name);
    OPENSSL_free(header);
    if (!ok) {
        OPENSSL_free(data);
        return attest_fail(err, ATTEST_E_MALFORMED, "CSR: not a PKCS#10 request (DER or PEM)");
    }
    uint8_t *copy = malloc((size_t)len);
    if (copy) memcpy(copy, data, (size_t)len);
    OPENSSL_free(data);
    if (!copy) return -ENOMEM;
    *owned = copy;
    *der = copy;
    *der_size = (size_t)len;
    return 0;
}

/* OpenSSL's reading of the same bytes, which must re-encode to exactly those bytes. */
static int csr_openssl(const uint8_t *der, size_t size, X509_REQ **out, struct attest_error *err)
{
    const unsigned char *p = der;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)size);
    unsigned char *enc = NULL;
    int n = req && p == der + size ? i2d_X509_REQ(req, &enc) : -1;
    bool same = n > 0 && (size_t)n == size && memcmp(enc, der, size) == 0;
    OPENSSL_free(enc);
    ERR_clear_error();
    if (!same) {
        X509_REQ_free(req);
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "CSR: does not re-encode to the same bytes (not DER PKCS#10)");
    }
    *out = req;
    return 0;
}

/*
 * REPORT_DATA must be exactly the hash of the CSR's SubjectPublicKeyInfo DER followed by zeros:
 * bytes after the hash that nobody checks would be room for a second meaning.
 */
static int check_binding(const struct attest_csr_view *v, const EVP_MD *md,
                         struct attest_claims *claims, struct attest_error *err)
{
    uint8_t hash[EVP_MAX_MD_SIZE];
    size_t hsize = (size_t)EVP_MD_get_size(md);
    if (attest_digest(md, v->spki, v->spki_size, hash) < 0) return -ENOMEM;
    if (claims->report_data_size < hsize || CRYPTO_memcmp(claims->report_data, hash, hsize) != 0)
        return attest_fail(err, ATTEST_E_SIGNATURE,
                           "CSR: REPORT_DATA does not hold the %s of the CSR's public key",
                           EVP_MD_get0_name(md));
    for (size_t i = hsize; i < claims->report_data_size; i++)
        if (claims->report_data[i] != 0)
            return attest_fail(err, ATTEST_E_SIGNATURE,
                               "CSR: REPORT_DATA byte %zu after the %s of the key is not zero", i,
                               EVP_MD_get0_name(md));
    claims->report_data_bound = true;
    return 0;
}

static int csr_dispatch(const struct attest_csr_view *v, const struct attest_verify_opts *opts,
                        struct attest_claims *claims, struct attest_error *err)
{
    static const char *const names[] = {"", "kvm", "sgx", "snp", "tdx", "sim"};
    static const enum attest_platform platforms[] = {ATTEST_PLATFORM_NONE, ATTEST_PLATFORM_KVM,
                                                     ATTEST_PLATFORM_SGX,  ATTEST_PLATFORM_SNP,
                                                     ATTEST_PLATFORM_TDX,  ATTEST_PLATFORM_SIM};
    int rc;
    if (v->which == 1) {
        if (v->value_size != 0)
            return attest_fail(err, ATTEST_E_MALFORMED,
                               "CSR: the kvm evidence extension is not empty");
        memset(claims, 0, sizeof(*claims));
        claims->platform = ATTEST_PLATFORM_KVM;
        snprintf(claims->format, sizeof(claims->format), "enarx-csr+kvm");
        return 0;
    }
    if (v->which == 3)
        rc = attest_enarx_snp_verify(v->value, v->value_size, opts, claims, err);
    else if (v->which == 4)
        rc = attest_ext_tdx_verify(v->value, v->value_size, opts, claims, err);
    else if (v->which == 5)
        rc = attest_ext_sim_verify(v->value, v->value_size, claims, err);
    else
        rc = attest_enarx_sgx_verify(v->value, v->value_size, opts, claims, err);
    if (rc == 0 && claims->platform != platforms[v->which])
        rc =
            attest_fail(err, ATTEST_E_MALFORMED, "CSR: the %s evidence extension holds %s evidence",
                        names[v->which], attest_platform_name(claims->platform));
    if (rc == 0) rc = check_binding(v, v->which == 3 ? EVP_sha384() : EVP_sha256(), claims, err);
    if (rc == 0) snprintf(claims->format, sizeof(claims->format), "enarx-csr+%s", names[v->which]);
    return rc;
}

int attest_csr_verify(const uint8_t *buf, size_t size, const struct attest_verify_opts *opts,
                      struct attest_claims *claims, struct attest_error *err)
{
    uint8_t *owned = NULL;
    const uint8_t *der = NULL;
    size_t der_size = 0;
    struct attest_csr_view view;
    X509_REQ *req = NULL;
    int rc = csr_der(buf, size, &owned, &der, &der_size, err);
    if (rc == 0) rc = attest_csr_walk(der, der_size, &view, err);
    if (rc == 0) rc = csr_openssl(der, der_size, &req, err);
    if (rc < 0) goto out;
    EVP_PKEY *key = X509_REQ_get0_pubkey(req);
    if (!key || X509_REQ_verify(req, key) != 1) {
        rc = attest_fail(err, ATTEST_E_SIGNATURE, "CSR: its signature does not verify");
        goto out;
    }
    rc = csr_dispatch(&view, opts, claims, err);
out:
    X509_REQ_free(req);
    free(owned);
    ERR_clear_error();
    return rc;
}
