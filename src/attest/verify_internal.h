/* SPDX-License-Identifier: Apache-2.0 */
/*
 * verify_internal.h - (private to src/attest) the per-format verifiers that verify.c dispatches
 * to and that enarx.c calls for the evidence inside a CSR. Each fills *claims and returns 0, or a
 * negative ATTEST_E_* with err set.
 */
#ifndef ENARX_ATTEST_VERIFY_INTERNAL_H
#define ENARX_ATTEST_VERIFY_INTERNAL_H

#include "attest/attest.h"

/* CRLs that came with SNP evidence (borrowed). */
struct attest_snp_crls {
    const uint8_t *const *der;
    const size_t *size;
    size_t count;
};

/*
 * attest_snp_verify() with the CRLs carried by the evidence: each CRL of the product's ARK
 * must verify, and one that is current at the verification time must not list the ASK/ASVK
 * that verified the signing key (ATTEST_E_REVOKED); the installed collateral's CRL for the
 * product is checked the same way. claims->revocation_checked says whether any current CRL was.
 */
NODISCARD int attest_snp_verify_crls(const uint8_t *report, size_t size,
                                     const struct attest_verify_opts *opts, X509 *signer,
                                     const struct attest_snp_crls *crls,
                                     struct attest_claims *claims, struct attest_error *err);

/* Enarx SNP evidence DER (VCEK + CRLs + report). */
NODISCARD int attest_enarx_snp_verify(const uint8_t *buf, size_t size,
                                      const struct attest_verify_opts *opts,
                                      struct attest_claims *claims, struct attest_error *err);

/* Enarx SGX evidence DER (quote + CRLs + TCB package). */
NODISCARD int attest_enarx_sgx_verify(const uint8_t *buf, size_t size,
                                      const struct attest_verify_opts *opts,
                                      struct attest_claims *claims, struct attest_error *err);

/*
 * A DCAP quote (SGX v3, TDX v4/v5) through dcap.c, mapped onto the common claims; collateral is
 * read from opts->collateral_dir when set. ATTEST_E_FORMAT when built without dcap.c.
 */
NODISCARD int attest_dcap_verify_quote(const uint8_t *buf, size_t size,
                                       const struct attest_verify_opts *opts,
                                       struct attest_claims *claims, struct attest_error *err);

/* ---- the installed collateral set (collateral.c) ---- */

struct attest_blob {
    uint8_t *data; /* NULL: absent */
    size_t size;
};

enum {
    ATTEST_COLL_ROOT_CRL = 0,
    ATTEST_COLL_PCK_PROCESSOR_CRL,
    ATTEST_COLL_PCK_PLATFORM_CRL,
    ATTEST_COLL_SIGNING_CHAIN,
    ATTEST_COLL_QE_IDENTITY,
    ATTEST_COLL_TD_QE_IDENTITY,
    ATTEST_COLL_INTEL_COUNT,
};

struct attest_coll_tcb {
    uint8_t fmspc[6];
    bool tdx;
    struct attest_blob doc;
};

struct attest_collateral {
    int refs; /* under collateral.c's lock */
    struct attest_blob amd_crl[ATTEST_SNP_PRODUCT_COUNT];
    struct attest_blob intel[ATTEST_COLL_INTEL_COUNT];
    struct attest_coll_tcb *tcb;
    size_t tcb_count;
};

/* The installed set with a reference held (NULL: none); give it back with ..._release. */
const struct attest_collateral *attest_collateral_acquire(void);
void attest_collateral_release(const struct attest_collateral *c);

/* The TCB info document for a platform (NULL: none). */
const struct attest_blob *attest_collateral_tcb_info(const struct attest_collateral *c,
                                                     const uint8_t fmspc[6], bool tdx);

/* A CRL from DER (exactly the bytes) or PEM; NULL when it is neither. Free with X509_CRL_free. */
X509_CRL *attest_crl_parse(const uint8_t *buf, size_t size);

/* What the strict CSR reader (csr.c) found: the one evidence extension and the key. */
#define ATTEST_CSR_EVIDENCE_KINDS 5 /* kvm, sgx, snp (Enarx's .1-.3), tdx, sim (ours) */
struct attest_csr_view {
    int which;            /* 1 kvm, 2 sgx, 3 snp, 4 tdx, 5 sim */
    const uint8_t *value; /* extnValue contents (borrowed from the input) */
    size_t value_size;
    size_t evidence_count;     /* evidence extensions found over every attribute and value */
    size_t ext_request_values; /* extensionRequest values walked */
    const uint8_t *spki;       /* SubjectPublicKeyInfo DER (borrowed) */
    size_t spki_size;
};

/*
 * Reads a DER CSR strictly (see csr.c): strict DER throughout, version 0, no trailing bytes,
 * every extensionRequest attribute and value walked, exactly one evidence extension. Does not
 * verify the signature. Returns 0 or ATTEST_E_MALFORMED with err saying what was wrong.
 */
NODISCARD int attest_csr_walk(const uint8_t *der, size_t size, struct attest_csr_view *out,
                              struct attest_error *err);

#endif
