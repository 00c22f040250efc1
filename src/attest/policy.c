/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.c - the workload owner's decision: verified claims + a policy -> allowed, or the name of
 * the rule that refused and why.
 *
 * The decision is a fixed sequence of rules, each named exactly as its key in the TOML policy
 * file (both come from the one table of policy_rules.h) ("snp.deny_products", "tdx.tcb_status",
 * "insecure_allow_debug"...), so a refusal points the owner at the line to change. Rules run from
 * the coarsest (is this platform allowed at all?) to the finest (is this exact measurement on the
 * allow-list?) and the first refusal wins.
 *
 * Safe defaults: simulated evidence and kvm (no evidence) are refused, debug TEEs are refused,
 * the SNP migration agent is refused, SNP VMPLs above 0 are refused, collateral signed by an
 * expired certificate is not trusted, only TCB status UpToDate is accepted, and status Unknown
 * (a DCAP quote verified without collateral: nobody said whether its TCB is current) is refused.
 * Every rule that loosens one of these past what can be checked is spelled "insecure_..." and
 * recorded in the decision (d->insecure) so that callers warn on each use. Allow-lists are off
 * until set (the Steward refuses to start without them, see attest_policy_unmeasured); an
 * allow-list that is set but empty allows nothing.
 *
 * The TOML loader (policy_toml.c) fills the same struct; this file has no knowledge of syntax.
 */
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "attest/internal.h"
#include "attest/policy_rules.h"

const struct attest_rule_info attest_rules[ATTEST_RULE_COUNT] = {
#define X_INFO(id, sec, key, kind, off, arg)                                                       \
    [ATTEST_RULE_##id] = {sec key, sec, key, kind, off, arg},
    ATTEST_POLICY_RULES(X_INFO)
#undef X_INFO
};

void attest_policy_init(struct attest_policy *p)
{
    memset(p, 0, sizeof(*p));
    p->allow_snp = p->allow_tdx = p->allow_sgx = true;
    p->snp.allow_debug = p->tdx.allow_debug = p->sgx.allow_debug = -1;
    p->snp.min_tcb = (struct attest_snp_min_tcb){-1, -1, -1, -1, -1};
    for (size_t i = 0; i < ATTEST_SNP_PRODUCT_COUNT; i++)
        p->snp.product_min_tcb[i] = p->snp.min_tcb;
    p->snp.max_vmpl = 0;
    p->snp.min_guest_svn = -1;
    p->snp.allow_smt = true;
    p->tdx.min_isv_svn = p->tdx.isv_prod_id = -1;
    p->sgx.min_isv_svn = p->sgx.isv_prod_id = -1;
}

static void free_dcap(struct attest_dcap_policy *d)
{
    free(d->deny_fmspc.items);
    free(d->tcb_status.items);
    free(d->mr.items);
    free(d->mrsigner.items);
}

void attest_policy_free(struct attest_policy *p)
{
    if (!p) return;
    free(p->report_data.items);
    free(p->snp.deny_products.items);
    free(p->snp.signing_keys.items);
    free(p->snp.measurements.items);
    free(p->snp.host_data.items);
    free(p->snp.id_key_digests.items);
    free_dcap(&p->tdx);
    free_dcap(&p->sgx);
    free(p->sim.measurements.items);
    memset(p, 0, sizeof(*p));
}

/* ---- helpers ---- */

__attribute__((format(printf, 3, 4))) static void refuse(struct attest_decision *d,
                                                         const char *rule, const char *fmt, ...)
{
    d->allowed = false;
    snprintf(d->rule, sizeof(d->rule), "%s", rule);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->detail, sizeof(d->detail), fmt, ap);
    va_end(ap);
}

/* Exact match; for report_data (prefix) an entry may be shorter and matches the leading bytes. */
static bool in_digests(const struct attest_digest_list *l, const uint8_t *v, size_t size,
                       bool prefix)
{
    for (size_t i = 0; i < l->count; i++) {
        size_t n = l->items[i].size;
        if ((n == size || (prefix && n > 0 && n < size)) &&
            CRYPTO_memcmp(l->items[i].bytes, v, n) == 0)
            return true;
    }
    return false;
}

static bool in_strings(const struct attest_string_list *l, const char *s)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcasecmp(l->items[i], s) == 0) return true;
    return false;
}

/* Checks an allow-list: refuses with rule when set and v is not on it. Returns true if refused. */
static bool digest_rule(const struct attest_digest_list *l, const uint8_t *v, size_t size,
                        const char *rule, struct attest_decision *d)
{
    if (!l->set || in_digests(l, v, size, strcmp(rule, ATTEST_RULE(REPORT_DATA)) == 0))
        return false;
    char hex[129];
    attest_hex(v, size, hex, sizeof(hex));
    refuse(d, rule, "%.96s%s is not on the allow-list", hex, size > 48 ? "..." : "");
    return true;
}

/* ---- SNP ---- */

/* One set of TCB floors; prefix is "snp.min_tcb" or "snp.min_tcb.<Product>". */
static bool snp_tcb_floor(const struct attest_snp_min_tcb *m, const char *prefix,
                          const struct attest_claims *c, struct attest_decision *d)
{
    const struct {
        const char *field;
        int min;
        unsigned have;
    } t[] = {
        {"bootloader", m->bootloader, c->tcb.bootloader},
        {"tee", m->tee, c->tcb.tee},
        {"snp", m->snp, c->tcb.snp},
        {"microcode", m->microcode, c->tcb.microcode},
        {"fmc", strcmp(c->product, "Turin") == 0 ? m->fmc : -1, c->tcb.fmc},
    };
    for (size_t i = 0; i < ARRAY_LEN(t); i++) {
        if (t[i].min >= 0 && t[i].have < (unsigned)t[i].min) {
            char rule[48];
            snprintf(rule, sizeof(rule), "%s.%s", prefix, t[i].field);
            refuse(d, rule, "REPORTED_TCB has %s %u, the policy wants at least %d", t[i].field,
                   t[i].have, t[i].min);
            return true;
        }
    }
    return false;
}

/* The floors for every product, then the product's own ([snp.min_tcb.Milan] ...). */
static bool snp_tcb_rules(const struct attest_policy *p, const struct attest_claims *c,
                          struct attest_decision *d)
{
    if (snp_tcb_floor(&p->snp.min_tcb, ATTEST_RULE(SNP_MIN_TCB), c, d)) return true;
    for (int i = ATTEST_SNP_MILAN; i < ATTEST_SNP_PRODUCT_COUNT; i++) {
        const char *name = attest_snp_product_name((enum attest_snp_product)i);
        if (strcasecmp(name, c->product) != 0) continue;
        char prefix[40];
        snprintf(prefix, sizeof(prefix), "%s.%s", ATTEST_RULE(SNP_MIN_TCB), name);
        return snp_tcb_floor(&p->snp.product_min_tcb[i], prefix, c, d);
    }
    return false;
}

static bool snp_platform_rules(const struct attest_policy *p, const struct attest_claims *c,
                               struct attest_decision *d)
{
    if (in_strings(&p->snp.deny_products, c->product)) {
        refuse(d, ATTEST_RULE(SNP_DENY_PRODUCTS), "product %s is denied", c->product);
        return true;
    }
    if (p->snp.signing_keys.set && !in_strings(&p->snp.signing_keys, c->signing_key)) {
        refuse(d, ATTEST_RULE(SNP_SIGNING_KEYS), "signed by a %s, not an allowed key",
               c->signing_key);
        return true;
    }
    if (p->snp.max_vmpl >= 0 && c->vmpl > (uint32_t)p->snp.max_vmpl) {
        refuse(d, ATTEST_RULE(SNP_MAX_VMPL), "VMPL %u, the policy allows at most %d", c->vmpl,
               p->snp.max_vmpl);
        return true;
    }
    if (c->snp_policy & ATTEST_SNP_POLICY_MIGRATE_MA) {
        if (!p->snp.allow_migration_agent) {
            refuse(d, ATTEST_RULE(SNP_MIGRATION_AGENT),
                   "the guest policy allows a migration agent (it can read the guest's memory)");
            return true;
        }
        snprintf(d->insecure, sizeof(d->insecure), "%s", ATTEST_RULE(SNP_MIGRATION_AGENT));
    }
    if (!p->snp.allow_smt && (c->snp_policy & ATTEST_SNP_POLICY_SMT)) {
        refuse(d, ATTEST_RULE(SNP_SMT), "the guest policy allows SMT");
        return true;
    }
    if (p->snp.min_guest_svn >= 0 && c->guest_svn < (uint32_t)p->snp.min_guest_svn) {
        refuse(d, ATTEST_RULE(SNP_MIN_GUEST_SVN), "GUEST_SVN %u < %d", c->guest_svn,
               p->snp.min_guest_svn);
        return true;
    }
    return snp_tcb_rules(p, c, d);
}

/* Without a current CRL nobody said the ASK/ASVK behind the key is not revoked. */
static bool snp_revocation_rule(const struct attest_policy *p, const struct attest_claims *c,
                                struct attest_decision *d)
{
    const char *rule = ATTEST_RULE(SNP_UNCHECKED_REVOCATION);
    if (c->revocation_checked) return false;
    if (p->snp.insecure_accept_unchecked_revocation) {
        snprintf(d->insecure, sizeof(d->insecure), "%s", rule);
        return false;
    }
    refuse(d, rule,
           "no current CRL of the ARK was checked (give the product's CRL in the collateral, "
           "or set %s)",
           rule);
    return true;
}

static bool snp_rules(const struct attest_policy *p, const struct attest_claims *c,
                      struct attest_decision *d)
{
    return snp_platform_rules(p, c, d) || snp_revocation_rule(p, c, d) ||
           digest_rule(&p->snp.measurements, c->measurement, 48, ATTEST_RULE(SNP_MEASUREMENTS),
                       d) ||
           digest_rule(&p->snp.host_data, c->host_data, 32, ATTEST_RULE(SNP_HOST_DATA), d) ||
           digest_rule(&p->snp.id_key_digests, c->id_key_digest, 48,
                       ATTEST_RULE(SNP_ID_KEY_DIGESTS), d);
}

/* ---- DCAP ---- */

/* The rules of [tdx] or [sgx]. */
struct dcap_rules {
    enum attest_rule deny_fmspc, tcb_status, unknown_tcb, expired_signer, mr;
};

static const struct dcap_rules TDX_RULES = {ATTEST_RULE_TDX_DENY_FMSPC, ATTEST_RULE_TDX_TCB_STATUS,
                                            ATTEST_RULE_TDX_UNKNOWN_TCB,
                                            ATTEST_RULE_TDX_EXPIRED_SIGNER, ATTEST_RULE_TDX_MRTD};
static const struct dcap_rules SGX_RULES = {
    ATTEST_RULE_SGX_DENY_FMSPC, ATTEST_RULE_SGX_TCB_STATUS, ATTEST_RULE_SGX_UNKNOWN_TCB,
    ATTEST_RULE_SGX_EXPIRED_SIGNER, ATTEST_RULE_SGX_MRENCLAVE};

#define NAME(r) (attest_rules[r].name)

/* Unknown (no collateral) is not a status to list: only its insecure rule accepts it. */
static bool unknown_tcb_rule(const struct attest_dcap_policy *dp, const struct dcap_rules *r,
                             struct attest_decision *d)
{
    const char *rule = NAME(r->unknown_tcb);
    if (!dp->insecure_accept_unknown_tcb) {
        refuse(d, rule,
               "TCB status Unknown: no collateral says whether this platform's TCB is current "
               "(give collateral, or set %s)",
               rule);
        return true;
    }
    d->warned_unknown_tcb = true;
    snprintf(d->insecure, sizeof(d->insecure), "%s", rule);
    return false;
}

static bool tcb_status_rule(const struct attest_dcap_policy *dp, const struct dcap_rules *r,
                            const struct attest_claims *c, struct attest_decision *d)
{
    const char *st = c->tcb_status[0] ? c->tcb_status : "Unknown";
    if (strcmp(st, "Unknown") == 0) {
        if (unknown_tcb_rule(dp, r, d)) return true;
    } else if (dp->tcb_status.set) {
        if (!in_strings(&dp->tcb_status, st)) {
            refuse(d, NAME(r->tcb_status), "TCB status %s is not accepted", st);
            return true;
        }
    } else if (strcmp(st, "UpToDate") != 0) {
        refuse(d, NAME(r->tcb_status), "TCB status %s; the default accepts only UpToDate", st);
        return true;
    }
    if (strcmp(c->collateral, "signer-expired") == 0) {
        if (!dp->insecure_accept_expired_signer) {
            refuse(d, NAME(r->expired_signer),
                   "the collateral's signing certificate had expired at the time");
            return true;
        }
        snprintf(d->insecure, sizeof(d->insecure), "%s", NAME(r->expired_signer));
    }
    return false;
}

static bool dcap_rules(const struct attest_dcap_policy *dp, const struct dcap_rules *r,
                       const struct attest_claims *c, struct attest_decision *d)
{
    char fmspc[13];
    attest_hex(c->fmspc, 6, fmspc, sizeof(fmspc));
    if (c->has_fmspc && in_strings(&dp->deny_fmspc, fmspc)) {
        refuse(d, NAME(r->deny_fmspc), "FMSPC %s is denied", fmspc);
        return true;
    }
    if (tcb_status_rule(dp, r, c, d)) return true;
    if (digest_rule(&dp->mr, c->measurement, c->measurement_size, NAME(r->mr), d)) return true;
    if (c->platform != ATTEST_PLATFORM_SGX) return false;
    if (digest_rule(&dp->mrsigner, c->mrsigner, 32, ATTEST_RULE(SGX_MRSIGNER), d)) return true;
    if (dp->min_isv_svn >= 0 && c->isv_svn < dp->min_isv_svn) {
        refuse(d, ATTEST_RULE(SGX_MIN_ISV_SVN), "ISVSVN %u < %d", c->isv_svn, dp->min_isv_svn);
        return true;
    }
    if (dp->isv_prod_id >= 0 && c->isv_prod_id != dp->isv_prod_id) {
        refuse(d, ATTEST_RULE(SGX_ISV_PROD_ID), "ISVPRODID %u, expected %d", c->isv_prod_id,
               dp->isv_prod_id);
        return true;
    }
    return false;
}

/* ---- the decision ---- */

static bool platform_rule(const struct attest_policy *p, const struct attest_claims *c,
                          struct attest_decision *d)
{
    bool ok;
    enum attest_rule rule;
    switch (c->platform) {
    case ATTEST_PLATFORM_SNP: ok = p->allow_snp, rule = ATTEST_RULE_SNP_ALLOW; break;
    case ATTEST_PLATFORM_TDX: ok = p->allow_tdx, rule = ATTEST_RULE_TDX_ALLOW; break;
    case ATTEST_PLATFORM_SGX: ok = p->allow_sgx, rule = ATTEST_RULE_SGX_ALLOW; break;
    case ATTEST_PLATFORM_SIM: ok = p->allow_sim, rule = ATTEST_RULE_SIM_ALLOW; break;
    case ATTEST_PLATFORM_KVM: ok = p->allow_kvm, rule = ATTEST_RULE_KVM_ALLOW; break;
    default: refuse(d, "platform", "evidence of no known platform"); return true;
    }
    bool weak = c->platform == ATTEST_PLATFORM_SIM || c->platform == ATTEST_PLATFORM_KVM;
    if (ok && weak) snprintf(d->insecure, sizeof(d->insecure), "%s", NAME(rule));
    if (ok) return false;
    refuse(d, NAME(rule), "platform %s is not allowed", attest_platform_name(c->platform));
    return true;
}

static bool debug_rule(const struct attest_policy *p, const struct attest_claims *c,
                       struct attest_decision *d)
{
    int own = -1;
    enum attest_rule rule = ATTEST_RULE_DEBUG, own_rule = ATTEST_RULE_DEBUG;
    switch (c->platform) {
    case ATTEST_PLATFORM_SNP: own = p->snp.allow_debug, own_rule = ATTEST_RULE_SNP_DEBUG; break;
    case ATTEST_PLATFORM_TDX: own = p->tdx.allow_debug, own_rule = ATTEST_RULE_TDX_DEBUG; break;
    case ATTEST_PLATFORM_SGX: own = p->sgx.allow_debug, own_rule = ATTEST_RULE_SGX_DEBUG; break;
    default: break;
    }
    if (own >= 0) rule = own_rule;
    bool allowed = own >= 0 ? own != 0 : p->allow_debug;
    if (!c->debug) return false;
    if (allowed) {
        snprintf(d->insecure, sizeof(d->insecure), "%s", NAME(rule));
        return false;
    }
    refuse(d, NAME(rule), "the TEE is in debug mode: the host can read and change its memory");
    return true;
}

enum attest_platform attest_policy_unmeasured(const struct attest_policy *p, char *key,
                                              size_t key_size)
{
    const struct {
        bool allowed, listed;
        enum attest_platform platform;
        const char *key;
    } t[] = {
        {p->allow_snp, p->snp.measurements.set, ATTEST_PLATFORM_SNP, ATTEST_RULE(SNP_MEASUREMENTS)},
        {p->allow_tdx, p->tdx.mr.set, ATTEST_PLATFORM_TDX, ATTEST_RULE(TDX_MRTD)},
        {p->allow_sgx, p->sgx.mr.set || p->sgx.mrsigner.set, ATTEST_PLATFORM_SGX,
         "sgx.mrenclave (or sgx.mrsigner)"},
        {p->allow_sim, p->sim.measurements.set, ATTEST_PLATFORM_SIM, ATTEST_RULE(SIM_MEASUREMENTS)},
    };
    for (size_t i = 0; i < ARRAY_LEN(t); i++) {
        if (t[i].allowed && !t[i].listed) {
            if (key_size) snprintf(key, key_size, "%s", t[i].key);
            return t[i].platform;
        }
    }
    if (key_size) key[0] = '\0';
    return ATTEST_PLATFORM_NONE;
}

void attest_policy_check(const struct attest_policy *p, const struct attest_claims *c,
                         struct attest_decision *d)
{
    memset(d, 0, sizeof(*d));
    d->allowed = true;
    if (platform_rule(p, c, d) || debug_rule(p, c, d)) return;
    if (c->platform != ATTEST_PLATFORM_KVM &&
        digest_rule(&p->report_data, c->report_data, c->report_data_size, ATTEST_RULE(REPORT_DATA),
                    d))
        return;
    switch (c->platform) {
    case ATTEST_PLATFORM_SNP: (void)snp_rules(p, c, d); break;
    case ATTEST_PLATFORM_TDX: (void)dcap_rules(&p->tdx, &TDX_RULES, c, d); break;
    case ATTEST_PLATFORM_SGX: (void)dcap_rules(&p->sgx, &SGX_RULES, c, d); break;
    case ATTEST_PLATFORM_SIM:
        (void)digest_rule(&p->sim.measurements, c->measurement, 48, ATTEST_RULE(SIM_MEASUREMENTS),
                          d);
        break;
    default: break;
    }
}
