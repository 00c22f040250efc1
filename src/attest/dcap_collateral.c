/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcap_collateral.c - Intel DCAP collateral: TCB info (v2, v3; SGX and TDX) and QE identity (v2),
 * their signatures, and the TCB status of a verified quote (see dcap.h).
 *
 * Signatures. Intel signs the exact bytes of the "tcbInfo" (or "enclaveIdentity") member's value
 * as it appears in the document, and puts r||s in hex in "signature". A JSON library gives us the
 * meaning but not the bytes, so the document is read twice: jansson parses it (rejecting duplicate
 * keys, so there is one meaning), and locate_member() scans the raw bytes of the top-level object
 * for the member's value span. The scanner only needs to skip values correctly, and runs after
 * jansson has accepted the document, so it cannot be fooled into a different structure; it is
 * still bounds-checked on its own. A key spelled with escapes is not found, and refused.
 *
 * Status (Intel's algorithm, "PCS API: TCB info" and the QVL):
 *   platform: the first TCB level whose 16 SGX components and PCESVN are all <= the PCK
 *     certificate's, and for TDX whose 16 TDX components are <= the quote's TEE_TCB_SVN
 *     (from index 2 when TEE_TCB_SVN[1], the TDX module major version, is not 0); none: the
 *     platform is NotSupported. A first SGX match that is Revoked makes the status Revoked.
 *   TDX module: version 0: MRSIGNERSEAM/SEAMATTRIBUTES must match "tdxModule"; version v > 0:
 *     the identity "TDX_vv" must exist and match, and its first level with isvsvn <= TEE_TCB_SVN[0]
 *     gives the module status (OutOfDate degrades the platform status; Revoked revokes).
 *   QE: MRSIGNER, ISVPRODID, MISCSELECT and ATTRIBUTES (under their masks) must match; the first
 *     level with isvsvn <= the QE's ISVSVN gives the QE status, which degrades the final one the
 *     same way.
 * Everything before the signature check only locates bytes; nothing is trusted until the
 * signature verifies.
 */
#include "attest/dcap.h"
#include "attest/internal.h"
#include "util/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#define MAX_SIGNING_CERTS 8
#define MAX_TCB_LEVELS 256

/* ---- raw member location ---- */

static size_t skip_ws(const uint8_t *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i;
}

/* s[i] is '"'; returns the index after the closing quote, or n when unterminated. */
static size_t skip_string(const uint8_t *s, size_t n, size_t i)
{
    for (i++; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i + 1;
    }
    return n;
}

static bool is_ws(uint8_t ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Skips one value starting at s[i]; returns the index after it (n when truncated). */
static size_t skip_value(const uint8_t *s, size_t n, size_t i)
{
    size_t depth = 0;
    while (i < n) {
        uint8_t ch = s[i];
        if (ch == '"') {
            i = skip_string(s, n, i);
            if (depth == 0) return i;
        } else if (ch == '{' || ch == '[') {
            depth++;
            i++;
        } else if (ch == '}' || ch == ']') {
            if (depth == 0) return i; /* a scalar ended by its container */
            i++;
            if (--depth == 0) return i;
        } else if (depth == 0 && (ch == ',' || is_ws(ch))) {
            return i;
        } else {
            i++;
        }
    }
    return n;
}

/*
 * Finds the raw bytes of the value of top-level member key in the JSON object doc. Returns 0 with
 * *val and *val_size, or -EBADMSG when absent, duplicated or the text is not an object.
 */
static int locate_member(const uint8_t *doc, size_t n, const char *key, const uint8_t **val,
                         size_t *val_size)
{
    size_t klen = strlen(key), i = skip_ws(doc, n, 0);
    int found = 0;
    if (i >= n || doc[i] != '{') return -EBADMSG;
    i = skip_ws(doc, n, i + 1);
    while (i < n && doc[i] == '"') {
        size_t kstart = i + 1, kend = skip_string(doc, n, i);
        if (kend >= n) return -EBADMSG;
        bool match = kend - 1 - kstart == klen && memcmp(doc + kstart, key, klen) == 0;
        i = skip_ws(doc, n, kend);
        if (i >= n || doc[i] != ':') return -EBADMSG;
        size_t vstart = skip_ws(doc, n, i + 1), vend = skip_value(doc, n, vstart);
        if (vend >= n || vend == vstart) return -EBADMSG;
        if (match) {
            *val = doc + vstart;
            *val_size = vend - vstart;
            found++;
        }
        i = skip_ws(doc, n, vend);
        if (i < n && doc[i] == ',') i = skip_ws(doc, n, i + 1);
    }
    return found == 1 ? 0 : -EBADMSG;
}

/* ---- small JSON helpers ---- */

/* Decodes exactly size bytes of hex (either case) from s. Returns 0 or -EBADMSG. */
static int hex_decode(const char *s, uint8_t *out, size_t size)
{
    if (!s || strlen(s) != 2 * size || util_hex_decode(s, 2 * size, out) < 0) return -EBADMSG;
    return 0;
}

static int json_hex(const json_t *obj, const char *key, uint8_t *out, size_t size)
{
    return hex_decode(json_string_value(json_object_get(obj, key)), out, size);
}

static int json_uint(const json_t *obj, const char *key, json_int_t max, json_int_t *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
        return -EBADMSG;
    *out = json_integer_value(v);
    return 0;
}

/* "YYYY-MM-DDTHH:MM:SSZ" (optionally with fractional seconds) as UTC. */
static int parse_time(const char *s, time_t *out)
{
    struct tm tm = {0};
    int used = 0;
    if (!s ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &used) != 6 ||
        used != 19)
        return -EBADMSG;
    const char *rest = s + used;
    if (*rest == '.')
        for (rest++; *rest >= '0' && *rest <= '9';)
            rest++;
    if (strcmp(rest, "Z") != 0 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
        tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return -EBADMSG;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = timegm(&tm);
    return 0;
}

static void fmt_time(time_t t, char *out, size_t size)
{
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, size, "?");
}

/* ---- signing chain and signature ---- */

struct signer {
    STACK_OF(X509) * certs;
    X509 *cert; /* certs[0] */
    enum attest_dcap_collateral_state state;
};

static int signer_load(const struct attest_dcap_collateral *col, X509 *root, time_t at,
                       struct signer *s, struct attest_error *err)
{
    if (!col->signing_chain_pem)
        return attest_fail(err, ATTEST_E_NOKEY, "collateral: no TCB signing chain given");
    int rc = attest_dcap_pem_certs(col->signing_chain_pem, col->signing_chain_size,
                                   MAX_SIGNING_CERTS, &s->certs);
    if (rc < 0)
        return rc == -ENOMEM ? rc
                             : attest_fail(err, rc,
                                           "collateral: TCB signing chain is not PEM "
                                           "certificates");
    s->cert = sk_X509_value(s->certs, 0);
    int x509_err;
    rc = attest_dcap_chain_verify(root, s->cert, s->certs, at, 0, NULL, &x509_err);
    s->state = ATTEST_DCAP_COLLATERAL_VERIFIED;
    if (rc == ATTEST_E_EXPIRED) {
        rc = attest_dcap_chain_verify(root, s->cert, s->certs, at, X509_V_FLAG_NO_CHECK_TIME, NULL,
                                      &x509_err);
        s->state = ATTEST_DCAP_COLLATERAL_SIGNER_EXPIRED;
    }
    if (rc < 0 && rc != -ENOMEM)
        return attest_fail(err, rc, "collateral: TCB signing chain: %s",
                           X509_verify_cert_error_string(x509_err));
    return rc;
}

/* Parses doc, finds member, verifies "signature" over its raw bytes. *out: the parsed root. */
static int signed_doc_load(const uint8_t *doc, size_t size, const char *member,
                           const struct signer *s, json_t **out, struct attest_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb((const char *)doc, size, JSON_REJECT_DUPLICATES, &jerr);
    const uint8_t *raw;
    size_t raw_size;
    uint8_t sig[64];
    int rc;
    if (!root || !json_is_object(json_object_get(root, member)))
        rc = attest_fail(err, ATTEST_E_MALFORMED,
                         "collateral %s: not JSON with an object \"%s\" (%d:%d)", member, member,
                         root ? 0 : jerr.line, root ? 0 : jerr.column);
    else if (locate_member(doc, size, member, &raw, &raw_size) < 0)
        rc = attest_fail(err, ATTEST_E_MALFORMED, "collateral %s: cannot locate its raw bytes",
                         member);
    else if (json_hex(root, "signature", sig, sizeof(sig)) < 0)
        rc = attest_fail(err, ATTEST_E_MALFORMED,
                         "collateral %s: \"signature\" is not 128 hex digits", member);
    else
        rc = attest_dcap_ecdsa_verify(X509_get0_pubkey(s->cert), raw, raw_size, sig);
    if (rc == ATTEST_E_SIGNATURE)
        attest_fail(err, rc, "collateral %s: signature does not verify with the TCB signing key",
                    member);
    if (rc == 0)
        *out = root;
    else
        json_decref(root);
    return rc;
}

/* issueDate <= at <= nextUpdate. */
static int window_check(const json_t *body, const char *what, time_t at, struct attest_error *err)
{
    time_t issue, next;
    if (parse_time(json_string_value(json_object_get(body, "issueDate")), &issue) < 0 ||
        parse_time(json_string_value(json_object_get(body, "nextUpdate")), &next) < 0)
        return attest_fail(err, ATTEST_E_MALFORMED, "collateral %s: bad issueDate or nextUpdate",
                           what);
    if (at < issue || at > next) {
        char a[32], b[32], c[32];
        fmt_time(at, a, sizeof(a));
        fmt_time(issue, b, sizeof(b));
        fmt_time(next, c, sizeof(c));
        return attest_fail(err, ATTEST_E_EXPIRED, "collateral %s: valid %s..%s, not at %s", what, b,
                           c, a);
    }
    return 0;
}

/* ---- TCB levels ---- */

struct level {
    uint8_t sgx[16];
    uint16_t pcesvn;
    uint8_t tdx[16];
    enum attest_dcap_tcb_status status;
    const json_t *json;
};

static int level_status(const json_t *lvl, enum attest_dcap_tcb_status *out)
{
    const char *s = json_string_value(json_object_get(lvl, "tcbStatus"));
    if (!s || attest_dcap_tcb_status_parse(s, out) < 0 || *out == ATTEST_DCAP_TCB_UNKNOWN ||
        *out == ATTEST_DCAP_TCB_NOT_SUPPORTED)
        return -EBADMSG;
    return 0;
}

/* An array of 16 {"svn": n} objects. */
static int svn_array(const json_t *arr, uint8_t out[16])
{
    json_int_t v;
    if (!json_is_array(arr) || json_array_size(arr) != 16) return -EBADMSG;
    for (size_t i = 0; i < 16; i++) {
        if (json_uint(json_array_get(arr, i), "svn", 255, &v) < 0) return -EBADMSG;
        out[i] = (uint8_t)v;
    }
    return 0;
}

static int level_parse(const json_t *lvl, int version, bool tdx, struct level *l)
{
    const json_t *tcb = json_object_get(lvl, "tcb");
    json_int_t v;
    l->json = lvl;
    if (!json_is_object(tcb) || level_status(lvl, &l->status) < 0 ||
        json_uint(tcb, "pcesvn", 65535, &v) < 0)
        return -EBADMSG;
    l->pcesvn = (uint16_t)v;
    if (version >= 3) {
        if (svn_array(json_object_get(tcb, "sgxtcbcomponents"), l->sgx) < 0) return -EBADMSG;
        return tdx ? svn_array(json_object_get(tcb, "tdxtcbcomponents"), l->tdx) : 0;
    }
    for (int i = 0; i < 16; i++) {
        char key[24];
        snprintf(key, sizeof(key), "sgxtcbcomp%02dsvn", i + 1);
        if (json_uint(tcb, key, 255, &v) < 0) return -EBADMSG;
        l->sgx[i] = (uint8_t)v;
    }
    return 0;
}

static bool sgx_le(const struct level *l, const struct attest_dcap_claims *c)
{
    for (size_t i = 0; i < 16; i++)
        if (c->pck_tcb[i] < l->sgx[i]) return false;
    return c->pck_pce_svn >= l->pcesvn;
}

static bool tdx_le(const struct level *l, const struct attest_dcap_claims *c)
{
    size_t start = c->tdx.tee_tcb_svn[1] != 0 ? 2 : 0;
    for (size_t i = start; i < 16; i++)
        if (c->tdx.tee_tcb_svn[i] < l->tdx[i]) return false;
    return true;
}

/* The platform's TCB level; *match is NULL when none matches. */
static int platform_level(const json_t *levels, int version, struct attest_dcap_claims *c,
                          struct level *match, bool *found)
{
    bool tdx = c->tee == ATTEST_DCAP_TEE_TDX, sgx_found = false;
    size_t n = json_array_size(levels);
    if (!json_is_array(levels) || n == 0 || n > MAX_TCB_LEVELS) return -EBADMSG;
    *found = false;
    for (size_t i = 0; i < n; i++) {
        struct level l;
        if (level_parse(json_array_get(levels, i), version, tdx, &l) < 0) return -EBADMSG;
        if (!sgx_le(&l, c)) continue;
        if (!sgx_found && l.status == ATTEST_DCAP_TCB_REVOKED) {
            *match = l;
            *found = true;
            return 0;
        }
        sgx_found = true;
        if (!tdx || tdx_le(&l, c)) {
            *match = l;
            *found = true;
            return 0;
        }
    }
    return 0;
}

/* Intel's convergence of a platform status with an OutOfDate/Revoked module or QE status. */
static enum attest_dcap_tcb_status converge(enum attest_dcap_tcb_status platform,
                                            enum attest_dcap_tcb_status other)
{
    if (other == ATTEST_DCAP_TCB_REVOKED || other == ATTEST_DCAP_TCB_NOT_SUPPORTED)
        return platform == ATTEST_DCAP_TCB_REVOKED ? platform : other;
    if (other != ATTEST_DCAP_TCB_OUT_OF_DATE) return platform;
    switch (platform) {
    case ATTEST_DCAP_TCB_UP_TO_DATE:
    case ATTEST_DCAP_TCB_SW_HARDENING_NEEDED: return ATTEST_DCAP_TCB_OUT_OF_DATE;
    case ATTEST_DCAP_TCB_CONFIGURATION_NEEDED:
    case ATTEST_DCAP_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED:
        return ATTEST_DCAP_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED;
    default: return platform;
    }
}

static void add_advisories(const json_t *lvl, struct attest_dcap_claims *c)
{
    const json_t *arr = json_object_get(lvl, "advisoryIDs");
    for (size_t i = 0; json_is_array(arr) && i < json_array_size(arr); i++) {
        const char *id = json_string_value(json_array_get(arr, i));
        bool dup = false;
        if (!id || strlen(id) >= sizeof(c->advisories[0])) continue;
        for (size_t j = 0; j < c->advisory_count && !dup; j++)
            dup = strcmp(c->advisories[j], id) == 0;
        if (!dup && c->advisory_count < ATTEST_DCAP_MAX_ADVISORIES)
            snprintf(c->advisories[c->advisory_count++], sizeof(c->advisories[0]), "%s", id);
    }
}

/* First level of an isvsvn-keyed list (QE identity, TDX module identity) at or below svn. */
static int isvsvn_level(const json_t *levels, unsigned svn, const json_t **match,
                        enum attest_dcap_tcb_status *status)
{
    size_t n = json_array_size(levels);
    *match = NULL;
    *status = ATTEST_DCAP_TCB_NOT_SUPPORTED;
    if (!json_is_array(levels) || n == 0 || n > MAX_TCB_LEVELS) return -EBADMSG;
    for (size_t i = 0; i < n; i++) {
        const json_t *lvl = json_array_get(levels, i);
        json_int_t v;
        enum attest_dcap_tcb_status st;
        if (json_uint(json_object_get(lvl, "tcb"), "isvsvn", 65535, &v) < 0 ||
            level_status(lvl, &st) < 0)
            return -EBADMSG;
        if (!*match && (json_int_t)svn >= v) {
            *match = lvl;
            *status = st;
        }
    }
    return 0;
}

/* Byte-wise: (value & mask) == expected, with expected and mask in hex. */
static int masked_match(const json_t *obj, const char *key, const char *mask_key,
                        const uint8_t *value, size_t size, bool *ok)
{
    uint8_t want[48], mask[48];
    if (size > sizeof(want) || json_hex(obj, key, want, size) < 0 ||
        json_hex(obj, mask_key, mask, size) < 0)
        return -EBADMSG;
    *ok = true;
    for (size_t i = 0; i < size; i++)
        *ok = *ok && (value[i] & mask[i]) == want[i];
    return 0;
}

/* MRSIGNERSEAM and SEAMATTRIBUTES against a tdxModule or a tdxModuleIdentities entry. */
static int module_match(const json_t *m, const struct attest_dcap_claims *c,
                        struct attest_error *err)
{
    uint8_t signer[48], attr[8];
    bool ok;
    for (size_t i = 0; i < 8; i++)
        attr[i] = (uint8_t)(c->tdx.seam_attributes >> (8 * i));
    if (json_hex(m, "mrsigner", signer, sizeof(signer)) < 0 ||
        masked_match(m, "attributes", "attributesMask", attr, sizeof(attr), &ok) < 0)
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "collateral tcbInfo: malformed TDX module identity");
    if (memcmp(signer, c->tdx.mr_signer_seam, 48) != 0 || !ok)
        return attest_fail(err, ATTEST_DCAP_E_MISMATCH,
                           "collateral tcbInfo: MRSIGNERSEAM or SEAMATTRIBUTES differ from the TDX "
                           "module identity");
    return 0;
}

/* The TDX module's own status (TCB info v3 for TDX); *status UNKNOWN when not applicable. */
static int tdx_module_status(const json_t *info, struct attest_dcap_claims *c,
                             enum attest_dcap_tcb_status *status, struct attest_error *err)
{
    unsigned version = c->tdx.tee_tcb_svn[1];
    *status = ATTEST_DCAP_TCB_UNKNOWN;
    if (version == 0) {
        const json_t *m = json_object_get(info, "tdxModule");
        return json_is_object(m) ? module_match(m, c, err) : 0;
    }
    char id[8];
    snprintf(id, sizeof(id), "TDX_%02X", version);
    const json_t *ids = json_object_get(info, "tdxModuleIdentities"), *m = NULL, *lvl;
    for (size_t i = 0; json_is_array(ids) && i < json_array_size(ids) && !m; i++) {
        const char *s = json_string_value(json_object_get(json_array_get(ids, i), "id"));
        if (s && strcasecmp(s, id) == 0) m = json_array_get(ids, i);
    }
    if (!m) {
        *status = ATTEST_DCAP_TCB_NOT_SUPPORTED;
        return 0;
    }
    int rc = module_match(m, c, err);
    if (rc == 0 &&
        isvsvn_level(json_object_get(m, "tcbLevels"), c->tdx.tee_tcb_svn[0], &lvl, status) < 0)
        rc = attest_fail(err, ATTEST_E_MALFORMED, "collateral tcbInfo: malformed %s levels", id);
    if (rc == 0 && lvl) add_advisories(lvl, c);
    return rc;
}

/* ---- TCB info ---- */

static int tcb_info_header(const json_t *info, struct attest_dcap_claims *c, int *version,
                           struct attest_error *err)
{
    json_int_t v;
    uint8_t fmspc[6], pce_id[2];
    const char *id = json_string_value(json_object_get(info, "id"));
    if (json_uint(info, "version", 3, &v) < 0 || v < 2)
        return attest_fail(err, ATTEST_E_FORMAT, "collateral tcbInfo: version is not 2 or 3");
    *version = (int)v;
    const char *want = c->tee == ATTEST_DCAP_TEE_TDX ? "TDX" : "SGX";
    if ((id || v >= 3 || c->tee == ATTEST_DCAP_TEE_TDX) && (!id || strcmp(id, want) != 0))
        return attest_fail(err, ATTEST_DCAP_E_MISMATCH,
                           "collateral tcbInfo: id \"%s\", expected %s", id ? id : "", want);
    if (json_hex(info, "fmspc", fmspc, 6) < 0 || json_hex(info, "pceId", pce_id, 2) < 0)
        return attest_fail(err, ATTEST_E_MALFORMED, "collateral tcbInfo: bad fmspc or pceId");
    if (memcmp(fmspc, c->fmspc, 6) != 0 || memcmp(pce_id, c->pce_id, 2) != 0)
        return attest_fail(err, ATTEST_DCAP_E_MISMATCH,
                           "collateral tcbInfo: FMSPC/PCE-ID differ from the PCK certificate's");
    if (json_uint(info, "tcbEvaluationDataNumber", INT32_MAX, &v) == 0) c->tcb_eval_number = v;
    return 0;
}

static int tcb_info_apply(const json_t *info, time_t at, struct attest_dcap_claims *c,
                          struct attest_error *err)
{
    int version = 0;
    struct level match;
    bool found;
    int rc = tcb_info_header(info, c, &version, err);
    if (rc == 0) rc = window_check(info, "tcbInfo", at, err);
    if (rc < 0) return rc;
    if (platform_level(json_object_get(info, "tcbLevels"), version, c, &match, &found) < 0)
        return attest_fail(err, ATTEST_E_MALFORMED, "collateral tcbInfo: malformed tcbLevels");
    c->platform_status = found ? match.status : ATTEST_DCAP_TCB_NOT_SUPPORTED;
    c->tcb_status = c->platform_status;
    if (found) {
        const char *date = json_string_value(json_object_get(match.json, "tcbDate"));
        snprintf(c->tcb_date, sizeof(c->tcb_date), "%s", date ? date : "");
        add_advisories(match.json, c);
    }
    if (c->tee != ATTEST_DCAP_TEE_TDX || version < 3) return 0;
    enum attest_dcap_tcb_status module;
    rc = tdx_module_status(info, c, &module, err);
    if (rc == 0) c->tcb_status = converge(c->tcb_status, module);
    return rc;
}

/* ---- QE identity ---- */

static int qe_identity_match(const json_t *id, const struct attest_dcap_claims *c,
                             struct attest_error *err)
{
    uint8_t signer[32], misc[4];
    json_int_t prod;
    bool attr_ok, misc_ok;
    for (size_t i = 0; i < 4; i++)
        misc[i] = (uint8_t)(c->qe.misc_select >> (24 - 8 * i)); /* hex is big-endian text */
    if (json_hex(id, "mrsigner", signer, 32) < 0 || json_uint(id, "isvprodid", 65535, &prod) < 0 ||
        masked_match(id, "attributes", "attributesMask", c->qe.attributes, 16, &attr_ok) < 0 ||
        masked_match(id, "miscselect", "miscselectMask", misc, 4, &misc_ok) < 0)
        return attest_fail(err, ATTEST_E_MALFORMED, "collateral enclaveIdentity: malformed fields");
    if (memcmp(signer, c->qe.mr_signer, 32) != 0 || prod != c->qe.isv_prod_id || !attr_ok ||
        !misc_ok)
        return attest_fail(
            err, ATTEST_DCAP_E_MISMATCH,
            "collateral enclaveIdentity: QE MRSIGNER/ISVPRODID/ATTRIBUTES/MISCSELECT "
            "differ from the identity");
    return 0;
}

static int qe_identity_apply(const json_t *id, time_t at, struct attest_dcap_claims *c,
                             struct attest_error *err)
{
    json_int_t version;
    const char *name = json_string_value(json_object_get(id, "id"));
    const char *want = c->tee == ATTEST_DCAP_TEE_TDX ? "TD_QE" : "QE";
    const json_t *lvl;
    if (json_uint(id, "version", 2, &version) < 0 || version != 2)
        return attest_fail(err, ATTEST_E_FORMAT, "collateral enclaveIdentity: version is not 2");
    if (!name || strcmp(name, want) != 0)
        return attest_fail(err, ATTEST_DCAP_E_MISMATCH,
                           "collateral enclaveIdentity: id \"%s\", expected %s", name ? name : "",
                           want);
    int rc = window_check(id, "enclaveIdentity", at, err);
    if (rc == 0) rc = qe_identity_match(id, c, err);
    if (rc == 0 &&
        isvsvn_level(json_object_get(id, "tcbLevels"), c->qe.isv_svn, &lvl, &c->qe_status) < 0)
        rc =
            attest_fail(err, ATTEST_E_MALFORMED, "collateral enclaveIdentity: malformed tcbLevels");
    if (rc == 0 && lvl) add_advisories(lvl, c);
    return rc;
}

/* ---- the whole ---- */

static void note_write(const struct attest_dcap_collateral *col, const struct signer *s, time_t at,
                       struct attest_dcap_claims *c)
{
    char cn[64] = "?", until[32] = "?", now[32];
    X509_NAME_get_text_by_NID(X509_get_subject_name(s->cert), NID_commonName, cn, sizeof(cn));
    ERR_clear_error();
    const ASN1_TIME *na = X509_get0_notAfter(s->cert);
    struct tm tm;
    if (ASN1_TIME_to_tm(na, &tm) == 1) strftime(until, sizeof(until), "%Y-%m-%dT%H:%M:%SZ", &tm);
    fmt_time(at, now, sizeof(now));
    const char *what = col->tcb_info && col->qe_identity ? "TCB info and QE identity"
                       : col->tcb_info                   ? "TCB info (no QE identity)"
                                                         : "QE identity (no TCB info)";
    if (s->state == ATTEST_DCAP_COLLATERAL_VERIFIED)
        snprintf(c->note, sizeof(c->note), "%s verified with '%s' (valid until %s)%s", what, cn,
                 until, c->crl_checked ? "; CRLs checked" : "; no CRLs given");
    else
        snprintf(c->note, sizeof(c->note),
                 "%s signatures verify with the key of '%s', but that certificate expired %s "
                 "(time %s): signing chain NOT trusted; supply the renewed certificate",
                 what, cn, until, now);
}

int attest_dcap_collateral_apply(const struct attest_dcap_collateral *col, X509 *root, time_t at,
                                 struct attest_dcap_claims *out, struct attest_error *err)
{
    struct signer s = {0};
    json_t *tcb = NULL, *qe = NULL;
    if (!col->tcb_info && !col->qe_identity) return 0;
    int rc = signer_load(col, root, at, &s, err);
    if (rc == 0 && col->tcb_info)
        rc = signed_doc_load(col->tcb_info, col->tcb_info_size, "tcbInfo", &s, &tcb, err);
    if (rc == 0 && col->qe_identity)
        rc = signed_doc_load(col->qe_identity, col->qe_identity_size, "enclaveIdentity", &s, &qe,
                             err);
    if (rc == 0 && tcb) rc = tcb_info_apply(json_object_get(tcb, "tcbInfo"), at, out, err);
    if (rc == 0 && qe) rc = qe_identity_apply(json_object_get(qe, "enclaveIdentity"), at, out, err);
    if (rc == 0) {
        if (tcb && qe) out->tcb_status = converge(out->tcb_status, out->qe_status);
        out->collateral = s.state;
        note_write(col, &s, at, out);
    }
    json_decref(tcb);
    json_decref(qe);
    attest_dcap_chain_free(s.certs);
    return rc;
}
