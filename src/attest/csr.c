/* SPDX-License-Identifier: Apache-2.0 */
/*
 * csr.c - a strict reader of the PKCS#10 CSRs that carry Enarx evidence (RFC 2986):
 *
 *   CertificationRequest ::= SEQUENCE { certificationRequestInfo, signatureAlgorithm, signature }
 *   CertificationRequestInfo ::= SEQUENCE { version INTEGER (0), subject Name,
 *                                 subjectPKInfo SubjectPublicKeyInfo, attributes [0] Attributes }
 *   Attribute ::= SEQUENCE { type OID, values SET OF ANY }
 *   extensionRequest (1.2.840.113549.1.9.14) values: Extensions ::= SEQUENCE OF Extension
 *   Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
 *
 * Why our own reader when OpenSSL parses CSRs: OpenSSL is lenient (BER lengths, indefinite
 * lengths, any version), and X509_REQ_get_extensions() returns only the first extensionRequest
 * attribute and its first value. A CSR carrying sim evidence in one attribute and kvm evidence
 * in a second was read differently by the two, and the Steward certified it. Here every
 * element of the whole CSR must be DER (definite, minimal lengths; no constructed strings; a
 * BOOLEAN TRUE is 0xFF and FALSE is never encoded), the version must be 0, nothing may follow
 * the CSR, and every attribute and every value of every extensionRequest is walked; the
 * evidence is what this walk finds, and there must be exactly one. The caller also re-encodes
 * OpenSSL's parse and requires the input's exact bytes back, so both readers agree.
 *
 * Costs: one pass over the bytes, no allocation; nesting is bounded (CSR_MAX_DEPTH).
 */
#include <string.h>

#include "attest/der.h"
#include "attest/internal.h"
#include "attest/verify_internal.h"

#define CSR_MAX_DEPTH 24
#define DER_BOOLEAN 0x01
#define DER_CONTEXT0 0xA0

/* 1.2.840.113549.1.9.14 (PKCS#9 extensionRequest), content bytes. */
static const uint8_t OID_EXT_REQ[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x0e};

/* The evidence extensions, in the order of attest_csr_evidence (index + 1 is "which"). */
static const char *const EVIDENCE_OIDS[ATTEST_CSR_EVIDENCE_KINDS] = {
    ATTEST_OID_ENARX_KVM,    ATTEST_OID_ENARX_SGX,    ATTEST_OID_ENARX_SNP,
    ATTEST_OID_TDX_EVIDENCE, ATTEST_OID_SIM_EVIDENCE,
};

/* Appends base-128 v to out; returns the new size (0 when it does not fit). */
static size_t put_arc(uint8_t *out, size_t n, size_t cap, const char *digits, size_t len)
{
    uint8_t tmp[40];
    size_t t = 0;
    /* decimal string -> base 128, using a small bignum of 7-bit groups (arcs can be 128 bits) */
    uint8_t dec[48];
    if (len == 0 || len > sizeof(dec)) return 0;
    for (size_t i = 0; i < len; i++)
        dec[i] = (uint8_t)(digits[i] - '0');
    size_t dlen = len;
    while (dlen > 0 && t < sizeof(tmp)) {
        unsigned rem = 0;
        size_t k = 0;
        for (size_t i = 0; i < dlen; i++) {
            unsigned cur = rem * 10 + dec[i];
            uint8_t q = (uint8_t)(cur / 128);
            rem = cur % 128;
            if (k > 0 || q > 0) dec[k++] = q;
        }
        tmp[t++] = (uint8_t)rem;
        dlen = k;
    }
    if (t == 0) tmp[t++] = 0;
    if (n + t > cap) return 0;
    for (size_t i = 0; i < t; i++)
        out[n + i] = (uint8_t)(tmp[t - 1 - i] | (i + 1 < t ? 0x80 : 0));
    return n + t;
}

/* Dotted OID text (first arc 1 or 2, second < 40) -> DER content bytes. */
static size_t oid_encode(const char *text, uint8_t *out, size_t cap)
{
    if ((text[0] != '1' && text[0] != '2') || text[1] != '.') return 0;
    const char *p = text + 2;
    size_t len = strspn(p, "0123456789");
    if (len == 0 || len > 2) return 0;
    unsigned second = (unsigned)(p[0] - '0');
    if (len == 2) second = second * 10 + (unsigned)(p[1] - '0');
    if (second >= 40 || cap == 0) return 0;
    out[0] = (uint8_t)((unsigned)(text[0] - '0') * 40 + second);
    size_t n = 1;
    for (p += len; *p == '.'; p += len) {
        p++;
        len = strspn(p, "0123456789");
        n = put_arc(out, n, cap, p, len);
        if (n == 0) return 0;
    }
    return *p ? 0 : n;
}

/* Every element inside e is DER: definite minimal lengths, no constructed string types. */
static int deep_check(const struct der_elem *e, int depth)
{
    if (!(e->tag & 0x20)) return 0;
    if (depth >= CSR_MAX_DEPTH) return -EBADMSG;
    uint8_t kind = e->tag & 0x1f;
    if ((e->tag & 0xc0) == 0 && kind != 0x10 && kind != 0x11)
        return -EBADMSG; /* constructed BIT/OCTET/character strings are BER, not DER */
    struct der_cursor c;
    struct der_elem child;
    der_enter(e, &c);
    int rc;
    while ((rc = der_next(&c, &child)) == 0)
        if (deep_check(&child, depth + 1) < 0) return -EBADMSG;
    return rc == -ENODATA ? 0 : -EBADMSG;
}

static int evidence_kind(const struct der_elem *oid)
{
    for (size_t k = 0; k < ATTEST_CSR_EVIDENCE_KINDS; k++) {
        uint8_t enc[64];
        size_t n = oid_encode(EVIDENCE_OIDS[k], enc, sizeof(enc));
        if (n && n == oid->len && memcmp(enc, oid->val, n) == 0) return (int)k + 1;
    }
    return 0;
}

/* Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING } */
static int walk_extension(struct der_cursor *c, struct attest_csr_view *out)
{
    struct der_elem ext, oid, next, val;
    struct der_cursor in;
    if (der_expect(c, DER_SEQUENCE, &ext) < 0) return -EBADMSG;
    der_enter(&ext, &in);
    if (der_expect(&in, DER_OID, &oid) < 0 || oid.len == 0 || der_next(&in, &next) < 0)
        return -EBADMSG;
    if (next.tag == DER_BOOLEAN) {
        if (next.len != 1 || next.val[0] != 0xff) return -EBADMSG; /* DER: TRUE only */
        if (der_next(&in, &next) < 0) return -EBADMSG;
    }
    val = next;
    if (val.tag != DER_OCTET_STRING || !der_at_end(&in)) return -EBADMSG;
    int kind = evidence_kind(&oid);
    if (kind == 0) return 0;
    if (out->evidence_count++ == 0) {
        out->which = kind;
        out->value = val.val;
        out->value_size = val.len;
    }
    return 0;
}

/* Attribute ::= SEQUENCE { type OID, values SET OF ANY }; extensionRequest values are walked. */
static int walk_attribute(struct der_cursor *c, struct attest_csr_view *out)
{
    struct der_elem attr, type, values, value;
    struct der_cursor in, vs;
    if (der_expect(c, DER_SEQUENCE, &attr) < 0) return -EBADMSG;
    der_enter(&attr, &in);
    if (der_expect(&in, DER_OID, &type) < 0 || der_expect(&in, DER_SET, &values) < 0 ||
        !der_at_end(&in))
        return -EBADMSG;
    bool ext_req = type.len == sizeof(OID_EXT_REQ) && memcmp(type.val, OID_EXT_REQ, type.len) == 0;
    der_enter(&values, &vs);
    if (der_at_end(&vs)) return -EBADMSG; /* SET SIZE (1..MAX) */
    while (der_next(&vs, &value) == 0) {
        if (!ext_req) continue;
        out->ext_request_values++;
        struct der_cursor exts;
        if (value.tag != DER_SEQUENCE) return -EBADMSG;
        der_enter(&value, &exts);
        while (!der_at_end(&exts))
            if (walk_extension(&exts, out) < 0) return -EBADMSG;
    }
    return 0; /* deep_check() already refused anything malformed after the last value */
}

/* CertificationRequestInfo: version 0, subject, SPKI, [0] attributes, nothing else. */
static int walk_info(const struct der_elem *info, struct attest_csr_view *out,
                     struct attest_error *err)
{
    struct der_cursor c, attrs;
    struct der_elem version, subject, spki, at;
    der_enter(info, &c);
    if (der_expect(&c, DER_INTEGER, &version) < 0 || version.len != 1 || version.val[0] != 0)
        return attest_fail(err, ATTEST_E_MALFORMED, "CSR: version is not 0 (v1)");
    if (der_expect(&c, DER_SEQUENCE, &subject) < 0 || der_expect(&c, DER_SEQUENCE, &spki) < 0 ||
        der_expect(&c, DER_CONTEXT0, &at) < 0 || !der_at_end(&c))
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "CSR: request info is not { version, subject, key, [0] attributes }");
    out->spki = spki.raw;
    out->spki_size = spki.raw_size;
    der_enter(&at, &attrs);
    while (!der_at_end(&attrs))
        if (walk_attribute(&attrs, out) < 0)
            return attest_fail(err, ATTEST_E_MALFORMED,
                               "CSR: malformed attribute or extension at byte %zu of the request "
                               "info",
                               (size_t)(attrs.p - info->val));
    return 0;
}

int attest_csr_walk(const uint8_t *der, size_t size, struct attest_csr_view *out,
                    struct attest_error *err)
{
    struct der_cursor top, c;
    struct der_elem csr, info, alg, sig;
    memset(out, 0, sizeof(*out));
    der_init(&top, der, size);
    if (der_expect(&top, DER_SEQUENCE, &csr) < 0 || !der_at_end(&top))
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "CSR: not one DER SEQUENCE filling the input (BER or trailing bytes)");
    if (deep_check(&csr, 0) < 0)
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "CSR: not strict DER (an indefinite or non-minimal length, a "
                           "constructed string, or nesting deeper than %d)",
                           CSR_MAX_DEPTH);
    der_enter(&csr, &c);
    if (der_expect(&c, DER_SEQUENCE, &info) < 0 || der_expect(&c, DER_SEQUENCE, &alg) < 0 ||
        der_expect(&c, DER_BIT_STRING, &sig) < 0 || !der_at_end(&c))
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "CSR: not { request info, signature algorithm, signature }");
    int rc = walk_info(&info, out, err);
    if (rc < 0) return rc;
    if (out->evidence_count != 1)
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "CSR: %zu Enarx evidence extensions (1.3.6.1.4.1.58270.1.*, and ours) "
                           "in %zu extension requests, expected exactly 1",
                           out->evidence_count, out->ext_request_values);
    return 0;
}
