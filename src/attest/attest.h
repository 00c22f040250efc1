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

    /* SNP revocation: a current CRL of the ARK was consulted for the intermediate */
    bool revocation_checked;
    char revocation[80]; /* what was and was not checked, for humans */
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
    bool insecure_accept_expired_signer;  /* trust a TCB status whose collateral signer expired */
    bool insecure_accept_unknown_tcb;     /* accept TCB status Unknown (no collateral at all) */
    struct attest_digest_list mr;         /* tdx: mrtd; sgx: mrenclave */
    struct attest_digest_list mrsigner;   /* sgx only */
    int min_isv_svn;                      /* sgx only; -1: any */
    int isv_prod_id;                      /* sgx only; -1: any */
};

/*
 * The owner's policy. attest_policy_init() sets the defaults: snp, tdx, sgx allowed, sim and kvm
 * refused (TOML: [sim]/[kvm] insecure_allow), debug refused, SNP VMPL 0 only, no TCB minima, no
 * allow-lists; accepted TCB statuses: UpToDate; status Unknown (no collateral) refused unless
 * insecure_accept_unknown_tcb; collateral whose signing certificate had expired is not trusted
 * unless insecure_accept_expired_signer.
 */
struct attest_policy {
    bool allow_snp, allow_tdx, allow_sgx, allow_sim, allow_kvm;
    bool allow_debug;
    struct attest_digest_list report_data;
    struct {
        int allow_debug;                         /* -1: inherit */
        struct attest_string_list deny_products; /* "Milan"... (case-insensitive) */
        struct attest_snp_min_tcb min_tcb;
        struct attest_snp_min_tcb product_min_tcb[ATTEST_SNP_PRODUCT_COUNT]; /* by product */
        int max_vmpl;                                                        /* -1: any */
        int min_guest_svn;                                                   /* -1: any */
        bool allow_migration_agent;                                          /* default false */
        bool allow_smt;                                                      /* default true */
        bool insecure_accept_unchecked_revocation; /* SNP without a current CRL consulted */
        struct attest_string_list signing_keys;    /* "VCEK", "VLEK"; unset: both */
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
    char insecure[48];       /* allowed only thanks to this insecure rule (warn on each use) */
};

/* Judges verified claims against a policy. Never fails; fills *d. */
void attest_policy_check(const struct attest_policy *p, const struct attest_claims *c,
                         struct attest_decision *d);

/*
 * The first platform the policy accepts without a measurement allow-list (snp.measurements,
 * tdx.mrtd, sgx.mrenclave or sgx.mrsigner, sim.measurements), or ATTEST_PLATFORM_NONE when every
 * accepted platform has one. kvm proves no measurement at all and is not counted. key (key_size
 * bytes, may be 0) gets the policy key that is missing, e.g. "snp.measurements".
 */
enum attest_platform attest_policy_unmeasured(const struct attest_policy *p, char *key,
                                              size_t key_size);

/* Hex helpers shared by the command and the policy: lower-case hex of size bytes into out
 * (out_size >= 2*size+1). */
void attest_hex(const uint8_t *bytes, size_t size, char *out, size_t out_size);

/* ==== Collateral directory (src/attest/collateral.c) =====================================
 *
 * For a long-running verifier (the Steward): the CRLs, TCB infos and QE identities that say
 * whether genuine platforms are still current, from a directory laid out as
 *   amd/{milan,genoa,turin}/crl.der   intel/{root_crl,pck_processor_crl,pck_platform_crl}.der
 *   intel/tcb_signing_chain.pem   intel/{qe_identity,td_qe_identity}.json
 *   intel/tcbinfo/<FMSPC>.json   intel/tdx_tcbinfo/<FMSPC>.json
 * loaded whole and installed process-wide; verifications that are not given a collateral_dir
 * use the installed set (SNP: the product's CRL; DCAP: the documents for the quote's TEE type,
 * FMSPC and PCK CA). Nothing in it is trusted before its signature and validity are checked.
 */
struct attest_collateral;

/*
 * Loads dir (every file optional; unknown names are an error, so that a misspelt file is not a
 * silently skipped check). Returns 0 and *out (free with attest_collateral_free, or hand it to
 * attest_collateral_install), -ENOENT, -EINVAL/ATTEST_E_MALFORMED (err names the file), -EIO,
 * -ENOMEM.
 */
NODISCARD int attest_collateral_load(const char *dir, struct attest_collateral **out,
                                     struct attest_error *err);
void attest_collateral_free(struct attest_collateral *c);

/* Installs c (taking ownership; NULL uninstalls). Verifications in progress keep the old set,
 * which is freed when the last of them ends. Thread-safe. */
void attest_collateral_install(struct attest_collateral *c);

/* Files in a loaded set (CRLs, chains, identities, TCB infos), for logs. */
size_t attest_collateral_count(const struct attest_collateral *c);

/*
 * Where a downloaded collateral file belongs in the layout above, from its content: a CRL by its
 * issuer (ARK-Milan/Genoa/Turin, Intel SGX Root CA, PCK Processor/Platform CA), a TCB info by
 * its id and FMSPC, a QE identity by its id, a PEM chain as the TCB signing chain. Writes the
 * relative path to out. Returns 0 or -EINVAL (not a collateral file we know).
 */
NODISCARD int attest_collateral_place(const uint8_t *buf, size_t size, char *out, size_t out_size);

/* ==== Verification cache (src/attest/cache.c) ===========================================
 *
 * Certificate chains repeat: every report of a chip carries the same VCEK, every quote of a
 * platform the same PCK chain. The cache remembers successful signature checks of certificate
 * links (VCEK -> ASK -> ARK) and whole PCK / TCB-signing chains, keyed by the exact DER of every
 * certificate involved (compared byte for byte on a hit, never by hash alone). Validity periods
 * are not cached: on a hit each certificate is checked again at the verification time, so the
 * same answers come out with the cache on or off. Failures are never cached. Evidence
 * signatures, CRLs and collateral are always verified.
 *
 * Off by default; process-wide (certificate checks deep in the verifiers have no options to carry
 * a handle) and thread-safe (one mutex, never held during a signature verification).
 */

#define ATTEST_CACHE_MAX_ENTRIES 65536u

/* Counters since the cache was last enabled. */
struct attest_cache_stats {
    uint64_t hits;   /* verifications answered from the cache */
    uint64_t misses; /* looked up, not found (then verified in full) */
    uint64_t stores; /* successes stored (each may evict an older entry) */
    size_t entries;  /* entries held now */
    size_t capacity; /* entries it can hold */
};

/*
 * Enables the cache with room for capacity entries (1..ATTEST_CACHE_MAX_ENTRIES), dropping any
 * previous content. Memory: at most capacity entries of the DER they key on (entries over 64 KiB
 * are not stored). Returns 0, -EINVAL (capacity out of range) or -ENOMEM (cache left disabled).
 */
NODISCARD int attest_cache_enable(size_t capacity);

/* Disables the cache and frees its entries; verification does everything again. */
void attest_cache_disable(void);

/* Copies the counters (all zero while disabled). */
void attest_cache_stats_get(struct attest_cache_stats *out);

/* ==== end of the verification cache ==================================================== */

/* ---------------------------------------------------------------------------------------------
 * Evidence providers (src/attest/provider*.c): where a Keep gets its own evidence, and the CSR
 * that carries it to a Steward. See docs/identity.md.
 *
 *   SEV-SNP guest   configfs-tsm (/sys/kernel/config/tsm/report, provider "sev_guest"), else
 *                   /dev/sev-guest with the SNP_GET_EXT_REPORT ioctl
 *   TDX guest       configfs-tsm (provider "tdx_guest"): the outblob is a DCAP quote
 *   simulated       where nothing else exists (no TEE at all: said at warning level)
 *
 * Every path is taken beneath a root (struct attest_provider_env.sysroot, or $ENARX_SYSROOT),
 * and the ioctl is a function pointer, so tests drive the hardware paths against a directory
 * they build. What the kernel (host) returns is hostile: sizes are bounded, the report is
 * parsed, and its REPORT_DATA must be exactly what was asked for.
 * ------------------------------------------------------------------------------------------- */

/*
 * Evidence extensions for the platforms Enarx never defined one for. Each OID is a UUID OID
 * (ITU-T X.667 / RFC 4122, arc 2.25), which needs no registry; the value is DER:
 *   TDX:       SEQUENCE { quote OCTET STRING }       (a DCAP TDX quote, v4 or v5)
 *   simulated: SEQUENCE { evidence OCTET STRING }    (attest_sim_make's bytes)
 * REPORT_DATA[0..32] binds SHA-256 of the CSR's SubjectPublicKeyInfo DER, as for SGX.
 */
#define ATTEST_OID_TDX_EVIDENCE "2.25.153662940072252831703920108076977410562"
#define ATTEST_OID_SIM_EVIDENCE "2.25.340171334745633698499901268804462540180"

/* The largest evidence or certificate blob a provider accepts from the kernel, in bytes. */
#define ATTEST_PROVIDER_MAX_BLOB (64u * 1024u)

enum attest_provider {
    ATTEST_PROVIDER_NONE = 0,
    ATTEST_PROVIDER_SNP_TSM, /* configfs-tsm, provider "sev_guest" */
    ATTEST_PROVIDER_SNP_DEV, /* /dev/sev-guest, SNP_GET_EXT_REPORT */
    ATTEST_PROVIDER_TDX_TSM, /* configfs-tsm, provider "tdx_guest" */
    ATTEST_PROVIDER_SIM,     /* simulated: no TEE */
};

/* "snp-configfs-tsm", "snp-sev-guest", "tdx-configfs-tsm", "simulated" or "none". */
const char *attest_provider_name(enum attest_provider p);

/* The platform a provider's evidence is for (SNP, TDX, SIM; NONE for NONE). */
enum attest_platform attest_provider_platform(enum attest_provider p);

/* The ioctl(2) seam: tests replace it to play the sev-guest driver. */
typedef int (*attest_ioctl_fn)(int fd, unsigned long request, void *arg);

/* Where providers look. All fields may be zero: then "/" (or $ENARX_SYSROOT) and ioctl(2). */
struct attest_provider_env {
    const char *sysroot;        /* prefix of every path; NULL: $ENARX_SYSROOT or "" */
    const char *tsm_entry;      /* configfs-tsm report entry name; NULL: "enarx-<pid>" */
    attest_ioctl_fn ioctl_fn;   /* NULL: ioctl(2) */
    const uint8_t *measurement; /* simulated evidence: 48 bytes to claim; NULL: zeros */
};

/*
 * Finds the provider this machine offers, in the order above. configfs-tsm is probed by
 * creating a report entry and reading its "provider" attribute (the entry is removed after).
 * Never fails: ATTEST_PROVIDER_SIM when nothing else exists; why (why_size bytes, may be 0)
 * says what was found or, for SIM, what was missing.
 */
enum attest_provider attest_provider_detect(const struct attest_provider_env *env, char *why,
                                            size_t why_size);

/* Evidence a provider produced. Owns its buffers; free with attest_evidence_free(). */
struct attest_evidence {
    enum attest_provider provider;
    enum attest_platform platform;
    uint8_t *report; /* SNP: the 1184-byte report; TDX: the quote; SIM: simulated evidence */
    size_t report_size;
    uint8_t *certs; /* SNP: the host's certificate table (GUID table), or NULL */
    size_t certs_size;
};

/*
 * Asks provider p for evidence whose REPORT_DATA is report_data (64 bytes). sim_key (an EC
 * P-256 key, borrowed) signs simulated evidence and is ignored by the hardware providers.
 * The returned report is parsed (SNP report, TDX quote header and body) and its REPORT_DATA
 * must equal report_data. Returns 0 and *out, -ENODEV (the provider is not there), -EIO
 * (the kernel refused; err says what it answered), ATTEST_E_MALFORMED (the kernel returned
 * something that is not a report, or one for other REPORT_DATA), -ENOMEM.
 */
NODISCARD int attest_provider_get(const struct attest_provider_env *env, enum attest_provider p,
                                  const uint8_t report_data[64], EVP_PKEY *sim_key,
                                  struct attest_evidence *out, struct attest_error *err);

/* Frees what ev owns and empties it (ev may be NULL). */
void attest_evidence_free(struct attest_evidence *ev);

/* Certificates of an SNP certificate table (the GHCB extended-report GUID table). */
enum attest_snp_cert_kind {
    ATTEST_SNP_CERT_ARK,
    ATTEST_SNP_CERT_ASK,
    ATTEST_SNP_CERT_VCEK,
    ATTEST_SNP_CERT_VLEK,
};

/*
 * Finds a certificate in an SNP certificate table: entries { GUID[16], offset u32, length u32 }
 * (little-endian) ended by an all-zero entry, offsets from the table's start. Every entry must
 * lie within the table. Returns 0 with *cert pointing into table, -ENOENT (absent), or
 * ATTEST_E_MALFORMED.
 */
NODISCARD int attest_snp_certs_find(const uint8_t *table, size_t size,
                                    enum attest_snp_cert_kind kind, const uint8_t **cert,
                                    size_t *cert_size, struct attest_error *err);

/*
 * REPORT_DATA binding key to a CSR for platform (Enarx's rule): the hash of key's
 * SubjectPublicKeyInfo DER, SHA-384 for SNP and SHA-256 otherwise, then zeros. Returns 0,
 * -EINVAL or -ENOMEM.
 */
NODISCARD int attest_binding_report_data(enum attest_platform platform, EVP_PKEY *key,
                                         uint8_t out[64]);

/*
 * Builds the DER PKCS#10 CSR a Keep sends to a Steward: subject CN = "enarx-keep", key's
 * public key, one evidence extension (SNP: Enarx's 1.3.6.1.4.1.58270.1.3 with the VCEK or
 * VLEK from ev->certs; TDX and SIM: the extensions above), signed by key (SHA-384 for P-384,
 * else SHA-256). *der is malloc'd (caller frees). Returns 0, -ENOENT (SNP without the signing
 * certificate in the host's table), ATTEST_E_MALFORMED, -EINVAL or -ENOMEM.
 */
NODISCARD int attest_csr_make(EVP_PKEY *key, const struct attest_evidence *ev, uint8_t **der,
                              size_t *der_size, struct attest_error *err);

/*
 * Verifies the value of an ATTEST_OID_TDX_EVIDENCE or ATTEST_OID_SIM_EVIDENCE extension (for
 * attest_csr_verify: the binding is checked there). Returns as attest_evidence_verify.
 */
NODISCARD int attest_ext_tdx_verify(const uint8_t *val, size_t size,
                                    const struct attest_verify_opts *opts,
                                    struct attest_claims *claims, struct attest_error *err);
NODISCARD int attest_ext_sim_verify(const uint8_t *val, size_t size, struct attest_claims *claims,
                                    struct attest_error *err);

#endif
