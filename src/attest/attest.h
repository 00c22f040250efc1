/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest.h - the public face of src/attest: turn attestation evidence into verified claims, and
 * judge those claims against a workload owner's policy.
 *
 * Two steps, kept apart on purpose:
 *
 *   evidence bytes --attest_evidence_verify()--> struct attest_claims   (or "not valid: why")
 *   claims + struct attest_policy --attest_policy_check()--> allowed    (or "refused by RULE")
 *
 * Verification answers "is this genuine evidence from the platform it claims to be?" using only
 * the trust anchors (struct attest_roots), optional extra certificates and collateral, and a time.
 * The policy answers "do I, the owner, want to run on this platform?". A caller can therefore
 * always tell "forged or broken" (exit 1 of the command) from "genuine but not wanted" (exit 2).
 *
 * Formats recognised: AMD SEV-SNP attestation reports (v2, v3, v5), Intel DCAP quotes (SGX v3,
 * TDX v4/v5; through dcap.c), Enarx's DER evidence (OIDs 1.3.6.1.4.1.58270.1.{1,2,3}), PKCS#10
 * CSRs carrying that evidence, and this project's simulated evidence (never accepted unless a
 * policy or flag says so explicitly).
 *
 * Everything here treats its input as hostile: lengths come from the input's real size, parsers
 * never read past a buffer, and every allocation is bounded by the input.
 */
#ifndef ENARX_ATTEST_H
#define ENARX_ATTEST_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/types.h>

#include "util/util.h"

/*
 * Error codes (negative errno values) returned by the verifiers. Every one of them means "not
 * valid evidence" except -ENOMEM and -EIO/-ENOENT (from loading roots), which are local failures.
 */
#define ATTEST_E_MALFORMED (-EBADMSG)      /* structure wrong: length, field, reserved bits */
#define ATTEST_E_SIGNATURE (-EKEYREJECTED) /* a signature or a chain link does not verify */
#define ATTEST_E_EXPIRED (-EKEYEXPIRED)    /* a certificate is outside its validity at the time */
#define ATTEST_E_REVOKED (-EKEYREVOKED)    /* a certificate is on a CRL that verifies */
#define ATTEST_E_NOKEY (-ENOKEY)           /* a needed certificate or root is missing */
#define ATTEST_E_FORMAT (-ENOTSUP)         /* not a format we know */

/* A human-readable reason, filled by a failing call (the field, offset and what was expected). */
struct attest_error {
    char msg[256];
};

enum attest_platform {
    ATTEST_PLATFORM_NONE = 0,
    ATTEST_PLATFORM_SNP,
    ATTEST_PLATFORM_TDX,
    ATTEST_PLATFORM_SGX,
    ATTEST_PLATFORM_SIM,
    ATTEST_PLATFORM_KVM, /* Enarx's kvm "evidence": an empty extension, proves nothing */
};

/* "snp", "tdx", "sgx", "sim", "kvm" or "none". */
const char *attest_platform_name(enum attest_platform p);

enum attest_snp_product {
    ATTEST_SNP_UNKNOWN = 0,
    ATTEST_SNP_MILAN,
    ATTEST_SNP_GENOA,
    ATTEST_SNP_TURIN,
};
#define ATTEST_SNP_PRODUCT_COUNT 4

/* "Milan", "Genoa", "Turin" or "unknown". */
const char *attest_snp_product_name(enum attest_snp_product p);

/* The SNP TCB version, decoded by product (Turin has an FMC component; Milan/Genoa do not). */
struct attest_snp_tcb {
    uint8_t fmc; /* Turin only; 0 elsewhere */
    uint8_t bootloader;
    uint8_t tee;
    uint8_t snp;
    uint8_t microcode;
};

/* Decodes a raw 64-bit TCB_VERSION for the given product (Turin layout for TURIN). */
void attest_snp_tcb_decode(uint64_t raw, enum attest_snp_product product,
                           struct attest_snp_tcb *out);

/* Every field of an SNP ATTESTATION_REPORT (AMD SEV-SNP ABI, table "ATTESTATION_REPORT"). */
struct attest_snp_report {
    uint32_t version;
    uint32_t guest_svn;
    uint64_t policy;
    uint8_t family_id[16];
    uint8_t image_id[16];
    uint32_t vmpl;
    uint32_t signature_algo;
    uint64_t current_tcb;
    uint64_t platform_info;
    uint32_t key_info; /* author_key_en (bit 0), mask_chip_key (1), signing_key (4:2) */
    uint8_t report_data[64];
    uint8_t measurement[48];
    uint8_t host_data[32];
    uint8_t id_key_digest[48];
    uint8_t author_key_digest[48];
    uint8_t report_id[32];
    uint8_t report_id_ma[32];
    uint64_t reported_tcb;
    uint8_t cpuid_fam_id; /* v3+ */
    uint8_t cpuid_mod_id;
    uint8_t cpuid_step;
    uint8_t chip_id[64];
    uint64_t committed_tcb;
    uint8_t current_build, current_minor, current_major;
    uint8_t committed_build, committed_minor, committed_major;
    uint64_t launch_tcb;
    uint64_t launch_mit_vector; /* v5+ */
    uint64_t current_mit_vector;
    uint8_t sig_r[72]; /* little-endian, as in the report */
    uint8_t sig_s[72];
};

#define ATTEST_SNP_REPORT_SIZE 0x4A0u /* 1184 bytes */
#define ATTEST_SNP_SIGNED_SIZE 0x2A0u /* bytes covered by the signature */
#define ATTEST_SNP_POLICY_SMT (1ull << 16)
#define ATTEST_SNP_POLICY_RESERVED1 (1ull << 17) /* must be one */
#define ATTEST_SNP_POLICY_MIGRATE_MA (1ull << 18)
#define ATTEST_SNP_POLICY_DEBUG (1ull << 19)
#define ATTEST_SNP_SIGNING_VCEK 0u
#define ATTEST_SNP_SIGNING_VLEK 1u
#define ATTEST_SNP_SIGNING_NONE 7u

/*
 * Parses a raw report (exactly the bytes; trailing bytes are refused) into *out, checking the
 * version (2, 3 or 5), the signature algorithm (1: ECDSA P-384 with SHA-384), the
 * must-be-zero ranges and the must-be-one policy bit. Does not verify the signature.
 * Returns 0 or ATTEST_E_MALFORMED (err says which field).
 */
NODISCARD int attest_snp_report_parse(const uint8_t *buf, size_t size,
                                      struct attest_snp_report *out, struct attest_error *err);

/* The product the report itself names (v3+ CPUID bytes), or ATTEST_SNP_UNKNOWN (v2). */
enum attest_snp_product attest_snp_report_product(const struct attest_snp_report *r);

/* One more fact learned from hardware evidence: a claim, common to every platform. */
struct attest_claims {
    enum attest_platform platform;
    char product[32];        /* SNP: "Milan"...; SGX/TDX: "" */
    char format[32];         /* "snp-report-v2", "tdx-quote-v4", "enarx-csr+snp", "sim-v1"... */
    bool debug;              /* the TEE lets the host read the guest (always refused by default) */
    uint8_t measurement[48]; /* SNP MEASUREMENT, TDX MRTD, SGX MRENCLAVE (32), sim */
    size_t measurement_size;
    uint8_t report_data[64];
    size_t report_data_size;
    bool report_data_bound; /* Enarx CSR: REPORT_DATA matched the hash of the CSR's key */

    /* SNP */
    uint32_t snp_version;
    uint32_t vmpl;
    uint64_t snp_policy;
    uint32_t guest_svn;
    struct attest_snp_tcb tcb; /* REPORTED_TCB, matched against the VCEK/VLEK */
    uint64_t reported_tcb_raw;
    uint8_t host_data[32];
    uint8_t chip_id[64];
    size_t chip_id_size; /* 64 (Milan/Genoa), 8 (Turin), 0 (VLEK: chip id zero/masked) */
    char signing_key[8]; /* "VCEK" or "VLEK" */
    uint8_t id_key_digest[48];
    uint8_t author_key_digest[48];
    uint8_t family_id[16];
    uint8_t image_id[16];

    /* SGX and TDX (filled from dcap.c) */
    uint8_t fmspc[6];
    bool has_fmspc;
    char tcb_status[40]; /* "UpToDate", "OutOfDate", ..., "Unknown" without collateral */
    bool has_collateral;
    char collateral[24];  /* "none", "verified", "signer-expired" (TCB status not trustworthy) */
    char note[256];       /* what was and was not verified about the collateral, for humans */
    uint8_t mrsigner[32]; /* SGX */
    bool has_mrsigner;
    uint16_t isv_prod_id; /* SGX */
    uint16_t isv_svn;
    uint8_t tee_tcb_svn[16]; /* TDX */
    uint8_t mrseam[48];
    uint8_t rtmr[4][48];
    bool has_tdx_body;
    uint8_t cpu_svn[16]; /* SGX */
    uint16_t pce_svn;
    uint8_t pck_tcb[16]; /* the PCK certificate's TCB components */
};

/* Trust anchors, loaded from a directory laid out as
 *   amd/{milan,genoa,turin}/{ark,ask,asvk}.pem   intel/sgx_root_ca.pem
 * (missing files are allowed; the evidence needing them then fails with ATTEST_E_NOKEY).
 * Root certificates (ARKs, Intel root) are checked against pinned SHA-256 fingerprints.
 */
struct attest_roots;

/* Pinned SHA-256 fingerprints of the self-signed roots. */
struct attest_pins {
    const uint8_t (*sha256)[32];
    size_t count;
};

/* The built-in pins: AMD's Milan, Genoa and Turin ARKs and the Intel SGX Root CA. */
const struct attest_pins *attest_pins_default(void);

/*
 * Loads the roots under dir, checking each self-signed root against pins (the default pins when
 * NULL). An ARK whose fingerprint is not pinned, or an ASK/ASVK that does not verify with its
 * ARK, is an error. Returns 0 and *out (free with attest_roots_free), -ENOENT when dir does not
 * exist, ATTEST_E_MALFORMED/ATTEST_E_SIGNATURE/ATTEST_E_NOKEY with err set, or -ENOMEM.
 */
NODISCARD int attest_roots_load(const char *dir, const struct attest_pins *pins,
                                struct attest_roots **out, struct attest_error *err);
void attest_roots_free(struct attest_roots *roots);

/* The loaded certificates (borrowed; NULL when absent). kind: "ark", "ask" or "asvk". */
X509 *attest_roots_amd(const struct attest_roots *roots, enum attest_snp_product product,
                       const char *kind);
X509 *attest_roots_intel(const struct attest_roots *roots);

/* The inputs of a verification besides the evidence. All pointers are borrowed. */
struct attest_verify_opts {
    const struct attest_roots *roots; /* required for hardware evidence */
    const uint8_t *const *certs;      /* extra DER or PEM blobs (VCEK/VLEK, chains) */
    const size_t *cert_sizes;
    size_t cert_count;
    const char *collateral_dir; /* DCAP: tcbinfo.json, qeidentity.json, pckcrl.der... */
    time_t at;                  /* verification time; 0 means now */
};

/*
 * Verifies an SNP report: parses it, finds the VCEK/VLEK among opts->certs (or uses *signer if
 * non-NULL), verifies the chain to the product's ARK, the report signature, and that the
 * certificate's TCB extensions equal REPORTED_TCB and its hwID equals CHIP_ID. Fills *claims.
 * Returns 0, or a negative ATTEST_E_* with err set.
 */
NODISCARD int attest_snp_verify(const uint8_t *report, size_t size,
                                const struct attest_verify_opts *opts, X509 *signer,
                                struct attest_claims *claims, struct attest_error *err);

/* The AMD extensions of a VCEK or VLEK certificate (OIDs 1.3.6.1.4.1.3704.1.*). */
struct attest_snp_cert_info {
    int struct_version;
    char product_name[32]; /* "Milan-B0", "Genoa", "Turin"... as the certificate says */
    struct attest_snp_tcb tcb;
    bool has_bootloader, has_tee, has_snp, has_microcode, has_fmc;
    uint8_t hwid[64];
    size_t hwid_size; /* 64 (Milan/Genoa), 8 (Turin), 0 (absent, VLEK) */
    char csp_id[64];  /* VLEK: the cloud provider's name */
};

/* Reads the AMD extensions of a VCEK/VLEK (strict DER in each value). Returns 0 or
 * ATTEST_E_MALFORMED. */
NODISCARD int attest_snp_cert_parse(X509 *cert, struct attest_snp_cert_info *out,
                                    struct attest_error *err);

/*
 * Verifies that cert (a VCEK when vlek is false, else a VLEK) chains to an ARK of opts->roots
 * through the product's ASK (ASVK for a VLEK), at the verification time. hint restricts the
 * search to one product (ATTEST_SNP_UNKNOWN: try each). Intermediates may also come from
 * opts->certs if they verify with a pinned ARK. On success *product is the product whose chain
 * verified. Returns 0, ATTEST_E_SIGNATURE, ATTEST_E_EXPIRED or ATTEST_E_NOKEY.
 */
NODISCARD int attest_snp_cert_chain(X509 *cert, bool vlek, enum attest_snp_product hint,
                                    const struct attest_verify_opts *opts,
                                    enum attest_snp_product *product, struct attest_error *err);

/* Which format a buffer looks like (by magic, version fields and DER shape); no verification. */
enum attest_format {
    ATTEST_FORMAT_UNKNOWN = 0,
    ATTEST_FORMAT_SNP_REPORT,
    ATTEST_FORMAT_DCAP_QUOTE,
    ATTEST_FORMAT_ENARX_DER, /* SEQUENCE: Enarx SNP or SGX evidence */
    ATTEST_FORMAT_CSR,       /* PKCS#10, DER or PEM */
    ATTEST_FORMAT_SIM,
};
enum attest_format attest_format_detect(const uint8_t *buf, size_t size);

/*
 * Verifies evidence of any recognised format, with automatic detection. A CSR's evidence
 * extension is verified and its REPORT_DATA must bind the CSR's public key. Returns 0 and a
 * filled *claims, or a negative ATTEST_E_* (not valid) / -ENOMEM with err set.
 */
NODISCARD int attest_evidence_verify(const uint8_t *buf, size_t size,
                                     const struct attest_verify_opts *opts,
                                     struct attest_claims *claims, struct attest_error *err);

/* Enarx's CSR evidence extension OIDs (1.3.6.1.4.1.58270.1.{1,2,3}). */
#define ATTEST_OID_ENARX_KVM "1.3.6.1.4.1.58270.1.1"
#define ATTEST_OID_ENARX_SGX "1.3.6.1.4.1.58270.1.2"
#define ATTEST_OID_ENARX_SNP "1.3.6.1.4.1.58270.1.3"

/* Parts of Enarx's SNP evidence DER (borrowed pointers into the input). */
struct attest_enarx_snp {
    const uint8_t *vcek; /* Certificate DER */
    size_t vcek_size;
    const uint8_t *crls[4]; /* CertificateList DERs (up to 4 kept) */
    size_t crl_sizes[4];
    size_t crl_count;
    const uint8_t *report;
    size_t report_size;
};

/*
 * Splits Enarx SNP evidence: SEQUENCE { certs, report OCTET STRING }, where certs is either a
 * Certificate or SEQUENCE { Certificate, SEQUENCE OF SEQUENCE { url UTF8String, CRL } }.
 * Checks the DER strictly (definite lengths within the input, no trailing bytes).
 */
NODISCARD int attest_enarx_snp_parse(const uint8_t *buf, size_t size, struct attest_enarx_snp *out,
                                     struct attest_error *err);

/* Parts of Enarx's SGX evidence DER: SEQUENCE { quote OCTET STRING, ... } (borrowed). */
struct attest_enarx_sgx {
    const uint8_t *quote;
    size_t quote_size;
};
NODISCARD int attest_enarx_sgx_parse(const uint8_t *buf, size_t size, struct attest_enarx_sgx *out,
                                     struct attest_error *err);

/*
 * Verifies a PKCS#10 CSR (DER, or PEM with a CERTIFICATE REQUEST block) carrying Enarx evidence:
 * the CSR's own signature, exactly one evidence extension, the evidence, and the binding of
 * REPORT_DATA to the CSR's SubjectPublicKeyInfo (SHA-384 for SNP, SHA-256 for SGX/TDX and sim).
 */
NODISCARD int attest_csr_verify(const uint8_t *buf, size_t size,
                                const struct attest_verify_opts *opts, struct attest_claims *claims,
                                struct attest_error *err);

/*
 * Simulated evidence: for machines without a TEE. Layout (all little-endian):
 *   magic "ENARX-SIMULATED-EVIDENCE-NOT-HARDWARE\0" (38 bytes), u32 version = 1,
 *   measurement[48], report_data[64], u16 key_size, SubjectPublicKeyInfo DER (P-256),
 *   u16 sig_size, ECDSA-SHA256 DER signature over everything before sig_size.
 * It can never be mistaken for hardware evidence: the magic differs from every hardware format,
 * and the claims say platform "sim". The signature only proves integrity, not a TEE.
 */
#define ATTEST_SIM_MAGIC "ENARX-SIMULATED-EVIDENCE-NOT-HARDWARE"
#define ATTEST_SIM_MAGIC_SIZE 38u

/*
 * Makes simulated evidence signed by key (an EC P-256 EVP_PKEY; borrowed). *out is malloc'd
 * (caller frees). Returns 0 or a negative errno.
 */
NODISCARD int attest_sim_make(const uint8_t measurement[48], const uint8_t report_data[64],
                              EVP_PKEY *key, uint8_t **out, size_t *out_size);

/* Verifies simulated evidence (structure and signature) and fills *claims. */
NODISCARD int attest_sim_verify(const uint8_t *buf, size_t size, struct attest_claims *claims,
                                struct attest_error *err);

/* A list of byte strings (hex in policy files), for allow-lists. */
struct attest_digest {
    uint8_t bytes[64];
    size_t size;
};
struct attest_digest_list {
    struct attest_digest *items;
    size_t count;
    bool set; /* present in the policy (an empty list that is set allows nothing) */
};
struct attest_string_list {
    char (*items)[48];
    size_t count;
    bool set;
};

/* Minimum SNP TCB components; a value of -1 means "no minimum". */
struct attest_snp_min_tcb {
    int fmc, bootloader, tee, snp, microcode;
};

/* Rules for Intel DCAP platforms (one for [tdx], one for [sgx]). */
struct attest_dcap_policy {
    int allow_debug;                      /* -1: inherit the top-level allow_debug */
    struct attest_string_list deny_fmspc; /* 12 hex digits, case-insensitive */
    struct attest_string_list tcb_status; /* accepted statuses; unset: see attest_policy */
    bool accept_expired_signer;         /* trust a TCB status whose collateral signer had expired */
    struct attest_digest_list mr;       /* tdx: mrtd; sgx: mrenclave */
    struct attest_digest_list mrsigner; /* sgx only */
    int min_isv_svn;                    /* sgx only; -1: any */
    int isv_prod_id;                    /* sgx only; -1: any */
};

/*
 * The owner's policy. attest_policy_init() sets the defaults: snp, tdx, sgx allowed, sim and kvm
 * refused, debug refused, no minima, no allow-lists; accepted TCB statuses: UpToDate, applied
 * only when collateral was given (without it the status is Unknown, accepted with a warning
 * unless tcb_status is set explicitly); collateral whose signing certificate had expired is not
 * trusted.
 */
struct attest_policy {
    bool allow_snp, allow_tdx, allow_sgx, allow_sim, allow_kvm;
    bool allow_debug;
    struct attest_digest_list report_data;
    struct {
        int allow_debug;                         /* -1: inherit */
        struct attest_string_list deny_products; /* "Milan"... (case-insensitive) */
        struct attest_snp_min_tcb min_tcb;
        int max_vmpl;                           /* -1: any */
        int min_guest_svn;                      /* -1: any */
        bool allow_migration_agent;             /* default false */
        bool allow_smt;                         /* default true */
        struct attest_string_list signing_keys; /* "VCEK", "VLEK"; unset: both */
        struct attest_digest_list measurements;
        struct attest_digest_list host_data;
        struct attest_digest_list id_key_digests;
    } snp;
    struct attest_dcap_policy tdx, sgx;
    struct {
        struct attest_digest_list measurements;
    } sim;
};

/* Sets the defaults described above. */
void attest_policy_init(struct attest_policy *p);
/* Frees the lists (the struct itself is the caller's). */
void attest_policy_free(struct attest_policy *p);

/*
 * Loads a TOML policy file over the defaults (see docs/attestation.md for the language).
 * Unknown keys, wrong types, bad hex and out-of-range numbers are errors naming the key.
 * Returns 0, -ENOENT/-EIO, -EINVAL (err: file:line and key), or -ENOMEM.
 */
NODISCARD int attest_policy_load(const char *path, struct attest_policy *p,
                                 struct attest_error *err);
/* The same, from text in memory (name is used in messages). */
NODISCARD int attest_policy_parse(const char *text, size_t size, const char *name,
                                  struct attest_policy *p, struct attest_error *err);

/* The outcome of a policy decision: allowed, or the dotted name of the rule that refused. */
struct attest_decision {
    bool allowed;
    char rule[48];           /* e.g. "snp.deny_products", "allow_debug", "tdx.tcb_status" */
    char detail[200];        /* what the claim was and what the rule wanted */
    bool warned_unknown_tcb; /* allowed although the TCB status is Unknown */
};

/* Judges verified claims against a policy. Never fails; fills *d. */
void attest_policy_check(const struct attest_policy *p, const struct attest_claims *c,
                         struct attest_decision *d);

/* Hex helpers shared by the command and the policy: lower-case hex of size bytes into out
 * (out_size >= 2*size+1). */
void attest_hex(const uint8_t *bytes, size_t size, char *out, size_t out_size);

#endif
