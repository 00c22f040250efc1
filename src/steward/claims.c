/* SPDX-License-Identifier: Apache-2.0 */
/*
 * claims.c - the StewardClaims extension: the verified claims, recorded in every issued
 * certificate so that relying parties can see what the Steward saw.
 *
 *   StewardClaims ::= SEQUENCE { version INTEGER (1), claims SEQUENCE OF Claim }
 *   Claim ::= SEQUENCE { name UTF8String, value UTF8String }
 *
 * Name/value strings rather than a field-per-claim ASN.1 type: platforms differ in what they
 * claim (an SNP TCB is four or five small numbers, a TDX one a 16-byte SVN vector), new claims
 * must not break old parsers, and `openssl asn1parse` shows the strings to a human as they are.
 * Byte strings are lower-case hex. Only claims the platform has are written.
 *
 * The encoder writes DER into a buffer it sizes first (two passes over the same claim list), so
 * there is no reallocation and no partial output. The decoder for relying parties uses
 * OpenSSL's ASN.1 parser (d2i_ASN1_SEQUENCE_ANY) and checks each element's type.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "steward/internal.h"

#define MAX_CLAIMS 32
#define VALUE_MAX 160 /* the longest value: a 64-byte chip id in hex */

struct claim {
    const char *name;
    char value[VALUE_MAX];
};

struct claim_list {
    struct claim items[MAX_CLAIMS];
    size_t count;
};

static void add(struct claim_list *l, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add(struct claim_list *l, const char *name, const char *fmt, ...)
{
    if (l->count >= MAX_CLAIMS) return;
    struct claim *c = &l->items[l->count++];
    c->name = name;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->value, sizeof(c->value), fmt, ap);
    va_end(ap);
}

static void add_hex(struct claim_list *l, const char *name, const uint8_t *b, size_t size)
{
    char hex[VALUE_MAX];
    if (size == 0 || 2 * size + 1 > sizeof(hex)) return;
    attest_hex(b, size, hex, sizeof(hex));
    add(l, name, "%s", hex);
}

static bool all_zero(const uint8_t *b, size_t size)
{
    for (size_t i = 0; i < size; i++)
        if (b[i]) return false;
    return true;
}

static void collect_snp(const struct attest_claims *c, struct claim_list *l)
{
    if (!strcmp(c->product, "Turin"))
        add(l, "tcb", "fmc=%u bootloader=%u tee=%u snp=%u microcode=%u", c->tcb.fmc,
            c->tcb.bootloader, c->tcb.tee, c->tcb.snp, c->tcb.microcode);
    else
        add(l, "tcb", "bootloader=%u tee=%u snp=%u microcode=%u", c->tcb.bootloader, c->tcb.tee,
            c->tcb.snp, c->tcb.microcode);
    add(l, "reported_tcb", "%016" PRIx64, c->reported_tcb_raw);
    add(l, "signing_key", "%s", c->signing_key);
    add(l, "vmpl", "%" PRIu32, c->vmpl);
    add(l, "guest_svn", "%" PRIu32, c->guest_svn);
    add(l, "snp_policy", "%016" PRIx64, c->snp_policy);
    if (c->chip_id_size <= sizeof(c->chip_id)) add_hex(l, "chip_id", c->chip_id, c->chip_id_size);
    if (!all_zero(c->host_data, sizeof(c->host_data)))
        add_hex(l, "host_data", c->host_data, sizeof(c->host_data));
    if (!all_zero(c->id_key_digest, sizeof(c->id_key_digest)))
        add_hex(l, "id_key_digest", c->id_key_digest, sizeof(c->id_key_digest));
}

static void collect_dcap(const struct attest_claims *c, struct claim_list *l)
{
    if (c->platform == ATTEST_PLATFORM_TDX && c->has_tdx_body) {
        add_hex(l, "tcb", c->tee_tcb_svn, sizeof(c->tee_tcb_svn));
        add_hex(l, "mrseam", c->mrseam, sizeof(c->mrseam));
    } else if (c->platform == ATTEST_PLATFORM_SGX) {
        add(l, "tcb",
            "cpu_svn=%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x "
            "pce_svn=%u isv_svn=%u",
            c->cpu_svn[0], c->cpu_svn[1], c->cpu_svn[2], c->cpu_svn[3], c->cpu_svn[4],
            c->cpu_svn[5], c->cpu_svn[6], c->cpu_svn[7], c->cpu_svn[8], c->cpu_svn[9],
            c->cpu_svn[10], c->cpu_svn[11], c->cpu_svn[12], c->cpu_svn[13], c->cpu_svn[14],
            c->cpu_svn[15], c->pce_svn, c->isv_svn);
        if (c->has_mrsigner) add_hex(l, "mrsigner", c->mrsigner, sizeof(c->mrsigner));
        add(l, "isv_prod_id", "%u", c->isv_prod_id);
    }
    if (c->has_fmspc) add_hex(l, "fmspc", c->fmspc, sizeof(c->fmspc));
    if (c->tcb_status[0]) add(l, "tcb_status", "%s", c->tcb_status);
    if (c->collateral[0]) add(l, "collateral", "%s", c->collateral);
}

/* The claims written for c, in a fixed order. */
static void collect(const struct attest_claims *c, struct claim_list *l)
{
    l->count = 0;
    add(l, "platform", "%s", attest_platform_name(c->platform));
    if (c->product[0]) add(l, "product", "%s", c->product);
    add(l, "format", "%s", c->format);
    add(l, "debug", "%s", c->debug ? "true" : "false");
    if (c->measurement_size <= sizeof(c->measurement))
        add_hex(l, "measurement", c->measurement, c->measurement_size);
    if (c->report_data_size <= sizeof(c->report_data))
        add_hex(l, "report_data", c->report_data, c->report_data_size);
    add(l, "report_data_bound", "%s", c->report_data_bound ? "true" : "false");
    if (c->platform == ATTEST_PLATFORM_SNP)
        collect_snp(c, l);
    else if (c->platform == ATTEST_PLATFORM_TDX || c->platform == ATTEST_PLATFORM_SGX)
        collect_dcap(c, l);
    if (c->platform == ATTEST_PLATFORM_SIM)
        add(l, "warning", "simulated evidence: no TEE was involved");
}

/* ---- a minimal DER writer: a NULL buffer only counts ---- */

static size_t len_size(size_t len)
{
    size_t n = 1;
    if (len >= 0x80)
        for (size_t v = len; v; v >>= 8)
            n++;
    return n;
}

size_t steward_der_header(uint8_t *p, uint8_t tag, size_t len)
{
    size_t n = len_size(len);
    if (p) {
        p[0] = tag;
        if (n == 1) {
            p[1] = (uint8_t)len;
        } else {
            p[1] = (uint8_t)(0x80 | (n - 1));
            for (size_t i = 0; i < n - 1; i++)
                p[2 + i] = (uint8_t)(len >> (8 * (n - 2 - i)));
        }
    }
    return 1 + n;
}

static size_t put_utf8(uint8_t *p, const char *s)
{
    size_t len = strlen(s);
    size_t h = steward_der_header(p, V_ASN1_UTF8STRING, len);
    if (p) memcpy(p + h, s, len);
    return h + len;
}

static size_t claim_size(const struct claim *c)
{
    return put_utf8(NULL, c->name) + put_utf8(NULL, c->value);
}

/* Writes (or, with p NULL, measures) the whole StewardClaims. */
static size_t put_claims(uint8_t *p, const struct claim_list *l)
{
    static const uint8_t version[] = {V_ASN1_INTEGER, 1, STEWARD_CLAIMS_VERSION};
    size_t list = 0;
    for (size_t i = 0; i < l->count; i++)
        list += steward_der_header(NULL, 0x30, claim_size(&l->items[i])) + claim_size(&l->items[i]);
    size_t body = sizeof(version) + steward_der_header(NULL, 0x30, list) + list;
    size_t off = steward_der_header(p, 0x30, body);
    if (p) memcpy(p + off, version, sizeof(version));
    off += sizeof(version);
    off += steward_der_header(p ? p + off : NULL, 0x30, list);
    for (size_t i = 0; i < l->count; i++) {
        off += steward_der_header(p ? p + off : NULL, 0x30, claim_size(&l->items[i]));
        off += put_utf8(p ? p + off : NULL, l->items[i].name);
        off += put_utf8(p ? p + off : NULL, l->items[i].value);
    }
    return off;
}

int steward_claims_encode(const struct attest_claims *claims, uint8_t **out, size_t *out_size)
{
    struct claim_list *l = malloc(sizeof(*l));
    if (!l) return -ENOMEM;
    collect(claims, l);
    size_t size = put_claims(NULL, l);
    uint8_t *buf = malloc(size);
    if (!buf) {
        free(l);
        return -ENOMEM;
    }
    size_t written = put_claims(buf, l);
    free(l);
    if (written != size) /* the two passes disagree: our bug, not the input's */
        abort();
    *out = buf;
    *out_size = size;
    return 0;
}

/* ---- the decoder for relying parties ---- */

static int utf8_of(const ASN1_TYPE *t, const char **s, size_t *len)
{
    if (ASN1_TYPE_get(t) != V_ASN1_UTF8STRING) return -EBADMSG;
    *s = (const char *)ASN1_STRING_get0_data(t->value.utf8string);
    *len = (size_t)ASN1_STRING_length(t->value.utf8string);
    return 0;
}

/* One Claim: returns 1 and copies the value when its name is name, 0 when not, or < 0. */
static int match_claim(const ASN1_TYPE *t, const char *name, char *value, size_t value_size)
{
    if (ASN1_TYPE_get(t) != V_ASN1_SEQUENCE) return -EBADMSG;
    const unsigned char *p = ASN1_STRING_get0_data(t->value.sequence);
    long n = ASN1_STRING_length(t->value.sequence);
    ASN1_SEQUENCE_ANY *pair = d2i_ASN1_SEQUENCE_ANY(NULL, &p, n);
    const char *k = NULL, *v = NULL;
    size_t klen = 0, vlen = 0;
    int rc = -EBADMSG;
    if (!pair || sk_ASN1_TYPE_num(pair) != 2 || utf8_of(sk_ASN1_TYPE_value(pair, 0), &k, &klen) ||
        utf8_of(sk_ASN1_TYPE_value(pair, 1), &v, &vlen))
        goto out;
    rc = 0;
    if (klen != strlen(name) || memcmp(k, name, klen) != 0) goto out;
    rc = -ENOSPC;
    if (vlen >= value_size || memchr(v, 0, vlen)) goto out;
    memcpy(value, v, vlen);
    value[vlen] = '\0';
    rc = 1;
out:
    sk_ASN1_TYPE_pop_free(pair, ASN1_TYPE_free);
    return rc;
}

static int find_in(const ASN1_OCTET_STRING *ext, const char *name, char *value, size_t size)
{
    const unsigned char *p = ASN1_STRING_get0_data(ext);
    long n = ASN1_STRING_length(ext);
    ASN1_SEQUENCE_ANY *top = d2i_ASN1_SEQUENCE_ANY(NULL, &p, n), *list = NULL;
    int rc = -EBADMSG;
    if (!top || p != ASN1_STRING_get0_data(ext) + n || sk_ASN1_TYPE_num(top) != 2) goto out;
    const ASN1_TYPE *ver = sk_ASN1_TYPE_value(top, 0), *seq = sk_ASN1_TYPE_value(top, 1);
    if (ASN1_TYPE_get(ver) != V_ASN1_INTEGER || ASN1_TYPE_get(seq) != V_ASN1_SEQUENCE ||
        ASN1_INTEGER_get(ver->value.integer) != STEWARD_CLAIMS_VERSION)
        goto out;
    p = ASN1_STRING_get0_data(seq->value.sequence);
    list = d2i_ASN1_SEQUENCE_ANY(NULL, &p, ASN1_STRING_length(seq->value.sequence));
    if (!list) goto out;
    rc = -ENOENT;
    for (int i = 0; i < sk_ASN1_TYPE_num(list); i++) {
        int m = match_claim(sk_ASN1_TYPE_value(list, i), name, value, size);
        if (m != 0) {
            rc = m < 0 ? m : 0;
            break;
        }
    }
out:
    sk_ASN1_TYPE_pop_free(list, ASN1_TYPE_free);
    sk_ASN1_TYPE_pop_free(top, ASN1_TYPE_free);
    return rc;
}

int steward_claims_get(X509 *cert, const char *name, char *value, size_t value_size)
{
    ASN1_OBJECT *oid = OBJ_txt2obj(STEWARD_OID_CLAIMS, 1);
    if (!oid) return -ENOMEM;
    int idx = X509_get_ext_by_OBJ(cert, oid, -1);
    ASN1_OBJECT_free(oid);
    if (idx < 0) return -ENOENT;
    X509_EXTENSION *ext = X509_get_ext(cert, idx);
    return find_in(X509_EXTENSION_get_data(ext), name, value, value_size);
}
