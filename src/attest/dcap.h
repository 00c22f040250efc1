/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcap.h - (private to src/attest) Intel DCAP quotes: SGX quote v3, TDX quote v4 and v5 (TDX 1.0
 * and 1.5 bodies, and SGX bodies in v4/v5), their PCK certificate chain, and the collateral that
 * turns a genuine quote into a TCB status.
 *
 * One call, attest_dcap_verify(), does everything, in this order, and stops at the first failure:
 *
 *   1. parse the quote strictly by its own length fields (trailing bytes after the signature data
 *      are ignored, bytes missing anywhere are refused);
 *   2. extract the PCK chain from the certification data (type 5 PEM, or type 6 wrapping the QE
 *      report and a type 5 in v4/v5), verify it to the pinned Intel SGX Root CA at opts->at;
 *   3. read the PCK certificate's SGX extension (FMSPC, PCE-ID, TCB components, PCESVN, SGX type);
 *   4. verify the QE report signature (PCK key), the binding SHA-256(attestation key || QE auth
 *      data) == QE REPORTDATA[0..32] (and zeros after), and the quote signature (attestation key
 *      over header and body);
 *   4b. check the QE report is Intel's Quoting Enclave for the TEE type (QE for SGX, TD_QE for
 *      TDX: MRSIGNER, ISVPRODID, ATTRIBUTES, MISCSELECT, minimum ISVSVN; built in, see dcap.c),
 *      with or without collateral: a quote signed by any other enclave is not valid;
 *   5. with CRLs: verify them and check that no certificate of the chain is revoked;
 *   6. with TCB info / QE identity: verify their signatures over the raw bytes of the signed
 *      member, their validity window, that they match the quote (FMSPC, PCE-ID, TEE type, QE
 *      MRSIGNER/ISVPRODID/attributes, TDX module signer), and compute the TCB status with Intel's
 *      algorithm (dcap_collateral.c).
 *
 * The root pin is checked here: opts->root must have the SHA-256 DER fingerprint opts->root_sha256
 * (Intel's, ATTEST_DCAP_INTEL_ROOT_SHA256, when NULL).
 *
 * Error codes are the ATTEST_E_* of attest.h, plus ATTEST_DCAP_E_MISMATCH; every negative value
 * except -ENOMEM and -EINVAL (bad arguments) means "not valid evidence".
 */
#ifndef ENARX_ATTEST_DCAP_H
#define ENARX_ATTEST_DCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/types.h>
#include <openssl/x509.h>

#include "attest/attest.h"

/* Collateral that does not belong to this quote (FMSPC, PCE-ID, QE or TDX module identity). */
#define ATTEST_DCAP_E_MISMATCH (-EPROTO)

/* SHA-256 of the DER of the Intel SGX Root CA (44A0196B...74D3). */
extern const uint8_t ATTEST_DCAP_INTEL_ROOT_SHA256[32];

enum attest_dcap_tee {
    ATTEST_DCAP_TEE_SGX = 0x00,
    ATTEST_DCAP_TEE_TDX = 0x81,
};

/* The quote body kinds (v5 body type field; v3/v4 bodies are given the same numbers). */
enum attest_dcap_body {
    ATTEST_DCAP_BODY_SGX = 1,   /* SGX enclave report, 384 bytes */
    ATTEST_DCAP_BODY_TDX10 = 2, /* TDX 1.0 TD report, 584 bytes */
    ATTEST_DCAP_BODY_TDX15 = 3, /* TDX 1.5 TD report, 648 bytes */
};

/*
 * TCB status, Intel's names. UNKNOWN: no TCB info given. NOT_SUPPORTED: TCB info given, but no
 * TCB level matches the platform ("TCB level not supported" in Intel's algorithm).
 */
enum attest_dcap_tcb_status {
    ATTEST_DCAP_TCB_UNKNOWN = 0,
    ATTEST_DCAP_TCB_UP_TO_DATE,
    ATTEST_DCAP_TCB_SW_HARDENING_NEEDED,
    ATTEST_DCAP_TCB_CONFIGURATION_NEEDED,
    ATTEST_DCAP_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED,
    ATTEST_DCAP_TCB_OUT_OF_DATE,
    ATTEST_DCAP_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED,
    ATTEST_DCAP_TCB_REVOKED,
    ATTEST_DCAP_TCB_NOT_SUPPORTED,
};

/* "Unknown", "UpToDate", "SWHardeningNeeded", ..., "Revoked", "NotSupported". */
const char *attest_dcap_tcb_status_name(enum attest_dcap_tcb_status s);

/* The inverse (exact, case-sensitive Intel spelling). Returns 0 or -EINVAL. */
NODISCARD int attest_dcap_tcb_status_parse(const char *name, enum attest_dcap_tcb_status *out);

/*
 * How far the collateral could be trusted. VERIFIED: signatures valid and the signing chain valid
 * at the time. SIGNER_EXPIRED: the signatures verify with the key of the supplied TCB Signing
 * certificate and that certificate chains to the root, but it is not valid at the verification
 * time (Intel renews the certificate on the same key; supply the renewed one to get VERIFIED).
 * The TCB status is computed in both cases; a policy should only rely on it when VERIFIED.
 */
enum attest_dcap_collateral_state {
    ATTEST_DCAP_COLLATERAL_NONE = 0,
    ATTEST_DCAP_COLLATERAL_VERIFIED,
    ATTEST_DCAP_COLLATERAL_SIGNER_EXPIRED,
};

/*
 * Optional collateral; every pointer is borrowed and may be NULL (size 0) independently.
 * tcb_info and qe_identity need signing_chain_pem (the TCB Signing certificate first, then
 * optionally the root). CRLs are DER or PEM: pck_crl is issued by the PCK's CA (Platform or
 * Processor), root_crl by the root.
 */
struct attest_dcap_collateral {
    const uint8_t *tcb_info; /* JSON {"tcbInfo":{...},"signature":"hex"} */
    size_t tcb_info_size;
    const uint8_t *qe_identity; /* JSON {"enclaveIdentity":{...},"signature":"hex"} */
    size_t qe_identity_size;
    const uint8_t *signing_chain_pem;
    size_t signing_chain_size;
    const uint8_t *pck_crl;
    size_t pck_crl_size;
    const uint8_t *root_crl;
    size_t root_crl_size;
};

struct attest_dcap_claims;

struct attest_dcap_opts {
    X509 *root;                 /* the Intel SGX Root CA (borrowed, required) */
    const uint8_t *root_sha256; /* 32-byte pin of root's DER; NULL: Intel's */
    const struct attest_dcap_collateral *collateral; /* NULL: none, status Unknown */
    time_t at; /* verification time for certificates, CRLs, collateral; 0: now */
    /*
     * Without collateral: called once the PCK certificate is read (claims hold the TEE type,
     * FMSPC and PCK CA) to pick collateral for this platform into *out (left zero: none).
     */
    void (*select)(void *ctx, const struct attest_dcap_claims *claims,
                   struct attest_dcap_collateral *out);
    void *select_ctx;
};

#define ATTEST_DCAP_MAX_ADVISORIES 48

/* Everything a verified quote says. Byte arrays are copied as they appear in the quote. */
struct attest_dcap_claims {
    enum attest_dcap_tee tee;
    enum attest_dcap_body body;
    uint16_t version; /* 3, 4 or 5 */
    uint16_t header_qe_svn;
    uint16_t header_pce_svn;
    uint8_t qe_vendor_id[16];
    uint8_t user_data[20];
    bool debug; /* SGX ATTRIBUTES.DEBUG or TDX TD_ATTRIBUTES.DEBUG */
    uint8_t report_data[64];

    /* from the PCK certificate's SGX extension */
    uint8_t fmspc[6];
    uint8_t pce_id[2];
    uint8_t ppid[16];
    uint8_t pck_cpu_svn[16];
    uint8_t pck_tcb[16]; /* SGX TCB components 1..16 */
    uint16_t pck_pce_svn;
    int sgx_type;    /* 0 Standard, 1 Scalable, 2 ScalableWithIntegrity */
    char pck_ca[40]; /* "Platform" or "Processor" (from the issuer's CN) */

    /* SGX enclave report (body SGX) */
    struct {
        uint8_t cpu_svn[16];
        uint32_t misc_select;
        uint8_t attributes[16]; /* flags (u64 LE) then XFRM */
        uint8_t mr_enclave[32];
        uint8_t mr_signer[32];
        uint8_t config_id[64];
        uint16_t isv_prod_id;
        uint16_t isv_svn;
        uint16_t config_svn;
        uint8_t isv_ext_prod_id[16];
        uint8_t isv_family_id[16];
    } sgx;

    /* TDX TD report (bodies TDX10, TDX15) */
    struct {
        uint8_t tee_tcb_svn[16];
        uint8_t mr_seam[48];
        uint8_t mr_signer_seam[48];
        uint64_t seam_attributes;
        uint64_t td_attributes;
        uint64_t xfam;
        uint8_t mr_td[48];
        uint8_t mr_config_id[48];
        uint8_t mr_owner[48];
        uint8_t mr_owner_config[48];
        uint8_t rtmr[4][48];
        uint8_t tee_tcb_svn2[16]; /* TDX 1.5 only */
        uint8_t mr_servicetd[48]; /* TDX 1.5 only */
    } tdx;

    /* the Quoting Enclave's report */
    struct {
        uint8_t mr_enclave[32];
        uint8_t mr_signer[32];
        uint16_t isv_prod_id;
        uint16_t isv_svn;
        uint32_t misc_select;
        uint8_t attributes[16];
    } qe;

    /* collateral outcome */
    enum attest_dcap_tcb_status tcb_status;      /* final (platform, TDX module and QE) */
    enum attest_dcap_tcb_status platform_status; /* the matching TCB level's alone */
    enum attest_dcap_tcb_status qe_status;       /* the QE identity's TCB level */
    enum attest_dcap_collateral_state collateral;
    char tcb_date[32];
    int64_t tcb_eval_number; /* tcbEvaluationDataNumber, -1 when absent */
    char advisories[ATTEST_DCAP_MAX_ADVISORIES][24];
    size_t advisory_count;
    bool crl_checked; /* the PCK CRL and/or root CRL were verified and consulted */
    char note[384];   /* what was and was not verified about the collateral, for humans */
};

/*
 * Verifies a DCAP quote (see the file comment for the steps) and fills *out (zeroed first; on
 * failure its content is unspecified). Returns 0 when the quote is genuine, else a negative
 * ATTEST_E_* or ATTEST_DCAP_E_MISMATCH with err->msg saying which check failed and where
 * (field, byte offset); -EINVAL for bad arguments; -ENOMEM.
 */
NODISCARD int attest_dcap_verify(const uint8_t *quote, size_t size,
                                 const struct attest_dcap_opts *opts,
                                 struct attest_dcap_claims *out, struct attest_error *err);

/*
 * Quick shape test for format detection: true when buf starts like a DCAP quote (version 3, 4 or
 * 5, ECDSA attestation key type, a known TEE type) and is long enough for a header and body.
 */
bool attest_dcap_looks_like_quote(const uint8_t *buf, size_t size);

/* --- shared between dcap.c and dcap_collateral.c --- */

/*
 * Verifies a raw (r || s, 32 bytes each, big-endian) ECDSA P-256 signature with SHA-256 over
 * data with key. Returns 0, ATTEST_E_SIGNATURE, or -ENOMEM.
 */
NODISCARD int attest_dcap_ecdsa_verify(EVP_PKEY *key, const uint8_t *data, size_t size,
                                       const uint8_t sig[64]);

/*
 * Verifies leaf up to root (the only trusted certificate) at time at, with untrusted (may be
 * NULL, may contain leaf and root) as the intermediates and extra X509_V_FLAG_* flags. On success
 * *chain (if chain is non-NULL) gets the built chain, leaf first (free it with
 * attest_dcap_chain_free). Returns 0 or an ATTEST_E_* code; *x509_err gets OpenSSL's reason.
 */
NODISCARD int attest_dcap_chain_verify(X509 *root, X509 *leaf, STACK_OF(X509) * untrusted,
                                       time_t at, unsigned long flags, STACK_OF(X509) * *chain,
                                       int *x509_err);

/*
 * Reads 1 to max PEM certificates from pem[0..size) into *out (free with attest_dcap_chain_free).
 * Text around the blocks is ignored; a block that does not decode is an error. Returns 0,
 * ATTEST_E_MALFORMED or -ENOMEM.
 */
NODISCARD int attest_dcap_pem_certs(const uint8_t *pem, size_t size, int max,
                                    STACK_OF(X509) * *out);

/* Frees a stack of certificates and the certificates (NULL is fine). */
void attest_dcap_chain_free(STACK_OF(X509) * chain);

/*
 * Applies the collateral to a quote whose signatures and PCK chain already verified: out holds
 * the quote's claims (tee, pck_*, fmspc, qe, tdx); root is the pinned root. Fills the collateral
 * fields of out. Returns 0, or a negative ATTEST_E_* / ATTEST_DCAP_E_MISMATCH with err set.
 */
NODISCARD int attest_dcap_collateral_apply(const struct attest_dcap_collateral *col, X509 *root,
                                           time_t at, struct attest_dcap_claims *out,
                                           struct attest_error *err);

#endif
