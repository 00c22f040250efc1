/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_rules.h - (private to src/attest) the one table of the policy's rules: each rule's
 * name, which is also its TOML key ("snp.max_vmpl" is key max_vmpl of table [snp]), the type of
 * its value, and where that value lives in struct attest_policy. policy.c names refusals from
 * it; policy_toml.c reads the file by it, so a rule and its key cannot drift apart.
 *
 *   X(ID, SECTION, KEY, KIND, FIELD, ARG)
 *     SECTION  "" (top level) or "snp." / "tdx." / "sgx." / "sim." / "kvm." (with the dot, so that
 *              SECTION KEY is the rule's dotted name)
 *     KIND     how the value is read (enum attest_rule_kind); ARG its bound (integers), its size
 *              in bytes (digests) or its vocabulary (string lists)
 *     FIELD    the member of struct attest_policy it sets
 *
 * The old names of renamed keys are a second, small table: each is refused with an error that
 * names its replacement.
 */
#ifndef ENARX_ATTEST_POLICY_RULES_H
#define ENARX_ATTEST_POLICY_RULES_H

#include <stddef.h>

#include "attest/attest.h"

enum attest_rule_kind {
    RULE_BOOL,     /* bool */
    RULE_TRI,      /* int: -1 unset, 0/1 (a per-platform override of a top-level bool) */
    RULE_INT,      /* int 0..ARG */
    RULE_DIGESTS,  /* struct attest_digest_list of exactly ARG bytes each */
    RULE_PREFIXES, /* struct attest_digest_list of 1..ARG bytes each */
    RULE_PRODUCTS, /* struct attest_string_list of "Milan", "Genoa", "Turin" */
    RULE_KEYS,     /* struct attest_string_list of "VCEK", "VLEK" */
    RULE_STATUSES, /* struct attest_string_list of Intel's TCB statuses ("Unknown" refused) */
    RULE_FMSPCS,   /* struct attest_string_list of 12 hex digits */
    RULE_MIN_TCB,  /* [snp.min_tcb] and [snp.min_tcb.<Product>] tables */
};

#define P_(f) offsetof(struct attest_policy, f)

#define ATTEST_POLICY_RULES(X)                                                                     \
    X(DEBUG, "", "insecure_allow_debug", RULE_BOOL, P_(allow_debug), 0)                            \
    X(REPORT_DATA, "", "report_data", RULE_PREFIXES, P_(report_data), 64)                          \
    X(SNP_ALLOW, "snp.", "allow", RULE_BOOL, P_(allow_snp), 0)                                     \
    X(SNP_DEBUG, "snp.", "insecure_allow_debug", RULE_TRI, P_(snp.allow_debug), 0)                 \
    X(SNP_DENY_PRODUCTS, "snp.", "deny_products", RULE_PRODUCTS, P_(snp.deny_products), 0)         \
    X(SNP_SIGNING_KEYS, "snp.", "signing_keys", RULE_KEYS, P_(snp.signing_keys), 0)                \
    X(SNP_MAX_VMPL, "snp.", "max_vmpl", RULE_INT, P_(snp.max_vmpl), 3)                             \
    X(SNP_MIGRATION_AGENT, "snp.", "insecure_allow_migration_agent", RULE_BOOL,                    \
      P_(snp.allow_migration_agent), 0)                                                            \
    X(SNP_SMT, "snp.", "allow_smt", RULE_BOOL, P_(snp.allow_smt), 0)                               \
    X(SNP_MIN_GUEST_SVN, "snp.", "min_guest_svn", RULE_INT, P_(snp.min_guest_svn), INT32_MAX)      \
    X(SNP_MIN_TCB, "snp.", "min_tcb", RULE_MIN_TCB, P_(snp.min_tcb), 255)                          \
    X(SNP_UNCHECKED_REVOCATION, "snp.", "insecure_accept_unchecked_revocation", RULE_BOOL,         \
      P_(snp.insecure_accept_unchecked_revocation), 0)                                             \
    X(SNP_MEASUREMENTS, "snp.", "measurements", RULE_DIGESTS, P_(snp.measurements), 48)            \
    X(SNP_HOST_DATA, "snp.", "host_data", RULE_DIGESTS, P_(snp.host_data), 32)                     \
    X(SNP_ID_KEY_DIGESTS, "snp.", "id_key_digests", RULE_DIGESTS, P_(snp.id_key_digests), 48)      \
    X(TDX_ALLOW, "tdx.", "allow", RULE_BOOL, P_(allow_tdx), 0)                                     \
    X(TDX_DEBUG, "tdx.", "insecure_allow_debug", RULE_TRI, P_(tdx.allow_debug), 0)                 \
    X(TDX_DENY_FMSPC, "tdx.", "deny_fmspc", RULE_FMSPCS, P_(tdx.deny_fmspc), 0)                    \
    X(TDX_TCB_STATUS, "tdx.", "tcb_status", RULE_STATUSES, P_(tdx.tcb_status), 0)                  \
    X(TDX_UNKNOWN_TCB, "tdx.", "insecure_accept_unknown_tcb", RULE_BOOL,                           \
      P_(tdx.insecure_accept_unknown_tcb), 0)                                                      \
    X(TDX_EXPIRED_SIGNER, "tdx.", "insecure_accept_expired_signer", RULE_BOOL,                     \
      P_(tdx.insecure_accept_expired_signer), 0)                                                   \
    X(TDX_MRTD, "tdx.", "mrtd", RULE_DIGESTS, P_(tdx.mr), 48)                                      \
    X(SGX_ALLOW, "sgx.", "allow", RULE_BOOL, P_(allow_sgx), 0)                                     \
    X(SGX_DEBUG, "sgx.", "insecure_allow_debug", RULE_TRI, P_(sgx.allow_debug), 0)                 \
    X(SGX_DENY_FMSPC, "sgx.", "deny_fmspc", RULE_FMSPCS, P_(sgx.deny_fmspc), 0)                    \
    X(SGX_TCB_STATUS, "sgx.", "tcb_status", RULE_STATUSES, P_(sgx.tcb_status), 0)                  \
    X(SGX_UNKNOWN_TCB, "sgx.", "insecure_accept_unknown_tcb", RULE_BOOL,                           \
      P_(sgx.insecure_accept_unknown_tcb), 0)                                                      \
    X(SGX_EXPIRED_SIGNER, "sgx.", "insecure_accept_expired_signer", RULE_BOOL,                     \
      P_(sgx.insecure_accept_expired_signer), 0)                                                   \
    X(SGX_MRENCLAVE, "sgx.", "mrenclave", RULE_DIGESTS, P_(sgx.mr), 32)                            \
    X(SGX_MRSIGNER, "sgx.", "mrsigner", RULE_DIGESTS, P_(sgx.mrsigner), 32)                        \
    X(SGX_MIN_ISV_SVN, "sgx.", "min_isv_svn", RULE_INT, P_(sgx.min_isv_svn), 65535)                \
    X(SGX_ISV_PROD_ID, "sgx.", "isv_prod_id", RULE_INT, P_(sgx.isv_prod_id), 65535)                \
    X(SIM_ALLOW, "sim.", "insecure_allow", RULE_BOOL, P_(allow_sim), 0)                            \
    X(SIM_MEASUREMENTS, "sim.", "measurements", RULE_DIGESTS, P_(sim.measurements), 48)            \
    X(KVM_ALLOW, "kvm.", "insecure_allow", RULE_BOOL, P_(allow_kvm), 0)

enum attest_rule {
#define X_ENUM(id, sec, key, kind, off, arg) ATTEST_RULE_##id,
    ATTEST_POLICY_RULES(X_ENUM)
#undef X_ENUM
        ATTEST_RULE_COUNT
};

struct attest_rule_info {
    const char *name;    /* "snp.max_vmpl": the rule, as refusals name it */
    const char *section; /* "snp." ("" at the top level) */
    const char *key;     /* "max_vmpl": its key in the section's table */
    enum attest_rule_kind kind;
    size_t offset; /* in struct attest_policy */
    long arg;
};

/* The table, indexed by enum attest_rule. */
extern const struct attest_rule_info attest_rules[ATTEST_RULE_COUNT];

/* The rule's dotted name (also its TOML key path). */
#define ATTEST_RULE(id) (attest_rules[ATTEST_RULE_##id].name)

/* Renamed keys: (section, old key, the rule that replaced it). */
#define ATTEST_POLICY_RENAMED(X)                                                                   \
    X("", "allow_debug", DEBUG)                                                                    \
    X("snp.", "allow_debug", SNP_DEBUG)                                                            \
    X("tdx.", "allow_debug", TDX_DEBUG)                                                            \
    X("sgx.", "allow_debug", SGX_DEBUG)                                                            \
    X("snp.", "allow_migration_agent", SNP_MIGRATION_AGENT)                                        \
    X("tdx.", "accept_expired_signer", TDX_EXPIRED_SIGNER)                                         \
    X("sgx.", "accept_expired_signer", SGX_EXPIRED_SIGNER)                                         \
    X("sim.", "allow", SIM_ALLOW)                                                                  \
    X("kvm.", "allow", KVM_ALLOW)

/* The fields of a [snp.min_tcb] table, in struct attest_snp_min_tcb. */
#define ATTEST_MIN_TCB_FIELDS(X) X(bootloader) X(tee) X(snp) X(microcode) X(fmc)

#endif
