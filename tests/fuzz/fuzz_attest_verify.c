/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_attest_verify.c - libFuzzer target for the single entry point attest_evidence_verify()
 * (format detection, then each verifier) and for the strict CSR reader of src/attest/csr.c,
 * which sees every byte a Steward receives before OpenSSL does. Any crash, sanitizer report,
 * leak or hang is a bug.
 *
 * Each input goes through attest_csr_walk() and through attest_evidence_verify() without trust
 * anchors (so hardware evidence stops at the chain; CSRs, simulated evidence and every parser
 * before the chain see arbitrary bytes). Invariants (a violation traps): a refusal always
 * carries a message; an accepted walk found exactly one evidence extension whose value and key
 * lie inside the input; nothing is accepted as hardware evidence without roots.
 *
 * Seeds: tests/fuzz/corpus/attest_verify/, made by tests/fuzz/corpus_src/attest_verify/gen.py.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "attest/attest.h"
#include "attest/verify_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) __builtin_trap();                                                             \
    } while (0)

static int inside(const uint8_t *p, size_t n, const uint8_t *data, size_t size)
{
    return p >= data && n <= size && (size_t)(p - data) <= size - n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct attest_csr_view v;
    struct attest_error err = {{0}};
    int rc = attest_csr_walk(data, size, &v, &err);
    if (rc == 0) {
        CHECK(v.evidence_count == 1 && v.which >= 1 && v.which <= ATTEST_CSR_EVIDENCE_KINDS);
        CHECK(inside(v.value, v.value_size, data, size));
        CHECK(inside(v.spki, v.spki_size, data, size));
    } else {
        CHECK(rc == ATTEST_E_MALFORMED && err.msg[0]);
    }
    struct attest_verify_opts o = {NULL, NULL, NULL, 0, NULL, 0};
    struct attest_claims c;
    err.msg[0] = '\0';
    rc = attest_evidence_verify(data, size, &o, &c, &err);
    if (rc < 0 && rc != -ENOMEM) CHECK(err.msg[0]);
    if (rc == 0)
        CHECK(c.platform == ATTEST_PLATFORM_SIM || c.platform == ATTEST_PLATFORM_KVM ||
              c.platform == ATTEST_PLATFORM_NONE);
    return 0;
}
