/* SPDX-License-Identifier: Apache-2.0 */
/*
 * verify_internal.h - (private to src/attest) the per-format verifiers that verify.c dispatches
 * to and that enarx.c calls for the evidence inside a CSR. Each fills *claims and returns 0, or a
 * negative ATTEST_E_* with err set.
 */
#ifndef ENARX_ATTEST_VERIFY_INTERNAL_H
#define ENARX_ATTEST_VERIFY_INTERNAL_H

#include "attest/attest.h"

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

#endif
