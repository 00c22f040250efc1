/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_attest_policy.c - libFuzzer target for the policy language and decision
 * (src/attest/policy.c, policy_toml.c, and src/util/toml.c beneath). Any crash, sanitizer
 * report, leak or hang is a bug.
 *
 * The input is a policy file. When it loads, it judges fixed claims of every platform.
 * Invariants (a violation traps): a load error carries a message with a position; a refusal
 * names a rule; the defaults refuse debug and simulated claims, so a loaded policy may only
 * accept them when the text says allow_debug / allow (checked by substring).
 *
 * Seeds: tests/fuzz/corpus/attest_policy/, made by tests/fuzz/corpus_src/attest_policy/gen.py.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "attest/attest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) __builtin_trap();                                                             \
    } while (0)

static void claims_for(enum attest_platform p, struct attest_claims *c)
{
    memset(c, 0, sizeof(*c));
    c->platform = p;
    c->measurement_size = p == ATTEST_PLATFORM_SGX ? 32 : 48;
    memset(c->measurement, 0xAB, c->measurement_size);
    c->report_data_size = 64;
    snprintf(c->product, sizeof(c->product), "%s", p == ATTEST_PLATFORM_SNP ? "Turin" : "");
    snprintf(c->signing_key, sizeof(c->signing_key), "VCEK");
    c->tcb = (struct attest_snp_tcb){1, 2, 3, 4, 5};
    c->has_fmspc = p == ATTEST_PLATFORM_TDX || p == ATTEST_PLATFORM_SGX;
    snprintf(c->tcb_status, sizeof(c->tcb_status), "OutOfDate");
    c->has_collateral = true;
    snprintf(c->collateral, sizeof(c->collateral), "verified");
    c->debug = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 16)) return 0;
    struct attest_policy p;
    struct attest_error err = {{0}};
    attest_policy_init(&p);
    int rc = attest_policy_parse((const char *)data, size, "fuzz.toml", &p, &err);
    if (rc != 0) {
        CHECK(rc == -EINVAL || rc == -ENOMEM || rc == -EFBIG);
        CHECK(rc != -EINVAL || strncmp(err.msg, "fuzz.toml:", 10) == 0);
        attest_policy_free(&p);
        return 0;
    }
    bool says_debug = memmem(data, size, "allow_debug", 11) != NULL;
    bool says_allow = memmem(data, size, "allow", 5) != NULL;
    for (int pl = ATTEST_PLATFORM_SNP; pl <= ATTEST_PLATFORM_KVM; pl++) {
        struct attest_claims c;
        struct attest_decision d;
        claims_for((enum attest_platform)pl, &c);
        attest_policy_check(&p, &c, &d);
        CHECK(d.allowed || d.rule[0]);
        if (d.allowed && pl != ATTEST_PLATFORM_KVM && pl != ATTEST_PLATFORM_SIM) CHECK(says_debug);
        if (d.allowed && (pl == ATTEST_PLATFORM_SIM || pl == ATTEST_PLATFORM_KVM))
            CHECK(says_allow);
    }
    attest_policy_free(&p);
    return 0;
}
