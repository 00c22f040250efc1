/* SPDX-License-Identifier: Apache-2.0 */
/*
 * provider.h - (private to src/attest) what the evidence providers share: the root-path seam
 * and the checks made on what the kernel returns. provider.c holds detection, configfs-tsm and
 * the simulated provider; provider_snp.c the /dev/sev-guest ioctl and the SNP certificate table;
 * provider_csr.c the binding, the CSR and the TDX/simulated evidence extensions.
 */
#ifndef ENARX_ATTEST_PROVIDER_H
#define ENARX_ATTEST_PROVIDER_H

#include <limits.h>

#include "attest/attest.h"

#define PROVIDER_SEV_GUEST_DEV "/dev/sev-guest"

/*
 * Writes sysroot + rel into out (PATH_MAX bytes). The root is env->sysroot, else
 * $ENARX_SYSROOT, else nothing ("/dev/sev-guest" as is). Returns 0 or -ENAMETOOLONG.
 */
NODISCARD int provider_path(const struct attest_provider_env *env, const char *rel,
                            char out[PATH_MAX]);

/*
 * Checks that report (from provider p) is a well-formed SNP report or TDX quote whose
 * REPORT_DATA equals want. Returns 0 or ATTEST_E_MALFORMED with err set.
 */
NODISCARD int provider_check_report(enum attest_provider p, const uint8_t *report, size_t size,
                                    const uint8_t want[64], struct attest_error *err);

/* /dev/sev-guest: SNP_GET_EXT_REPORT for report_data; fills out->report and out->certs. */
NODISCARD int provider_snp_dev_get(const struct attest_provider_env *env,
                                   const uint8_t report_data[64], struct attest_evidence *out,
                                   struct attest_error *err);

/* The REPORT_DATA field of a TDX quote (v4 or v5), after checking its header and body sizes. */
NODISCARD int provider_tdx_report_data(const uint8_t *quote, size_t size, const uint8_t **rd,
                                       struct attest_error *err);

#endif
