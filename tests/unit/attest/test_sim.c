/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sim.c - simulated evidence: made and verified round trip, every byte flipped refused,
 * truncations refused, never detected as hardware, and refused by the default policy.
 */
#include "helpers.h"

#include <openssl/ec.h>
#include <openssl/evp.h>

static uint8_t *make(size_t *size, EVP_PKEY **key_out)
{
    uint8_t m[48], rd[64];
    for (size_t i = 0; i < 48; i++)
        m[i] = (uint8_t)i;
    for (size_t i = 0; i < 64; i++)
        rd[i] = (uint8_t)(0xA0 + i);
    EVP_PKEY *key = EVP_EC_gen("P-256");
    uint8_t *ev = NULL;
    assert_non_null(key);
    assert_int_equal(attest_sim_make(m, rd, key, &ev, size), 0);
    if (key_out)
        *key_out = key;
    else
        EVP_PKEY_free(key);
    return ev;
}

static void test_round_trip(void **state)
{
    (void)state;
    size_t size;
    uint8_t *ev = make(&size, NULL);
    struct attest_claims c;
    struct attest_error err = {{0}};
    assert_int_equal(attest_format_detect(ev, size), ATTEST_FORMAT_SIM);
    assert_int_equal(attest_sim_verify(ev, size, &c, &err), 0);
    assert_int_equal(c.platform, ATTEST_PLATFORM_SIM);
    assert_int_equal(c.measurement[47], 47);
    assert_int_equal(c.report_data[0], 0xA0);
    assert_int_equal(attest_evidence_verify(ev, size, NULL, &c, &err), 0);
    assert_string_equal(c.format, "sim-v1");
    free(ev);
}

static void test_every_byte_flipped_and_truncated(void **state)
{
    (void)state;
    size_t size;
    uint8_t *ev = make(&size, NULL);
    struct attest_claims c;
    struct attest_error err;
    for (size_t off = 0; off < size; off++) {
        ev[off] ^= 0x04;
        if (attest_evidence_verify(ev, size, NULL, &c, &err) == 0)
            fail_msg("flipped byte %zu accepted", off);
        ev[off] ^= 0x04;
    }
    for (size_t n = 0; n < size; n++)
        assert_int_not_equal(attest_sim_verify(ev, n, &c, &err), 0);
    uint8_t *longer = calloc(1, size + 1);
    memcpy(longer, ev, size);
    assert_int_equal(attest_sim_verify(longer, size + 1, &c, &err), ATTEST_E_MALFORMED);
    free(longer);
    free(ev);
}

static void test_refused_by_default(void **state)
{
    (void)state;
    size_t size;
    uint8_t *ev = make(&size, NULL);
    struct attest_claims c;
    struct attest_error err = {{0}};
    struct attest_policy p;
    struct attest_decision d;
    assert_int_equal(attest_sim_verify(ev, size, &c, &err), 0);
    attest_policy_init(&p);
    attest_policy_check(&p, &c, &d);
    assert_false(d.allowed);
    assert_string_equal(d.rule, "sim.insecure_allow");
    p.allow_sim = true;
    attest_policy_check(&p, &c, &d);
    assert_true(d.allowed);
    attest_policy_free(&p);
    free(ev);
}

/* Only P-256 keys are accepted (the verifier checks the key it finds inside). */
static void test_wrong_key_type(void **state)
{
    (void)state;
    uint8_t m[48] = {0}, rd[64] = {0};
    EVP_PKEY *key = EVP_EC_gen("P-384");
    uint8_t *ev = NULL;
    size_t size;
    struct attest_claims c;
    struct attest_error err = {{0}};
    assert_int_equal(attest_sim_make(m, rd, key, &ev, &size), 0);
    assert_int_equal(attest_sim_verify(ev, size, &c, &err), ATTEST_E_MALFORMED);
    free(ev);
    EVP_PKEY_free(key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_every_byte_flipped_and_truncated),
        cmocka_unit_test(test_refused_by_default),
        cmocka_unit_test(test_wrong_key_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
