/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_policy.c - the owner's policy: every rule tested both ways (allowed and refused, with the
 * refusing rule named) on claims built directly, and the TOML language (every key, and the
 * errors for unknown keys, wrong types, bad hex and unknown values, with their positions).
 */
#include "helpers.h"

#include "attest/policy_rules.h"

static struct attest_claims snp_claims(void)
{
    struct attest_claims c;
    memset(&c, 0, sizeof(c));
    c.platform = ATTEST_PLATFORM_SNP;
    snprintf(c.product, sizeof(c.product), "Milan");
    snprintf(c.signing_key, sizeof(c.signing_key), "VCEK");
    c.measurement_size = 48;
    memset(c.measurement, 0xAB, 48);
    c.report_data_size = 64;
    memset(c.report_data, 0x11, 64);
    c.snp_policy = 0x30000;
    c.tcb = (struct attest_snp_tcb){0, 3, 0, 8, 115};
    c.revocation_checked = true;
    return c;
}

static struct attest_claims tdx_claims(const char *status, bool collateral)
{
    struct attest_claims c;
    memset(&c, 0, sizeof(c));
    c.platform = ATTEST_PLATFORM_TDX;
    c.has_fmspc = true;
    memcpy(c.fmspc, "\x50\x80\x6f\x00\x00\x00", 6);
    snprintf(c.tcb_status, sizeof(c.tcb_status), "%s", status);
    c.has_collateral = collateral;
    snprintf(c.collateral, sizeof(c.collateral), "%s", collateral ? "verified" : "none");
    c.measurement_size = 48;
    memset(c.measurement, 0x22, 48);
    c.report_data_size = 64;
    return c;
}

/* Parses text into a fresh policy, failing the test on error. */
static void parse(struct attest_policy *p, const char *text)
{
    struct attest_error err = {{0}};
    attest_policy_init(p);
    int rc = attest_policy_parse(text, strlen(text), "t.toml", p, &err);
    if (rc) fail_msg("%s", err.msg);
}

static void expect(const struct attest_policy *p, const struct attest_claims *c, const char *rule)
{
    struct attest_decision d;
    attest_policy_check(p, c, &d);
    if (!rule) {
        if (!d.allowed) fail_msg("refused by %s: %s", d.rule, d.detail);
        return;
    }
    if (d.allowed) fail_msg("allowed, expected refusal by %s", rule);
    assert_string_equal(d.rule, rule);
}

static void test_defaults(void **state)
{
    (void)state;
    struct attest_policy p;
    attest_policy_init(&p);
    struct attest_claims c = snp_claims();
    expect(&p, &c, NULL);
    c.debug = true;
    expect(&p, &c, "insecure_allow_debug");
    c = snp_claims();
    c.snp_policy |= ATTEST_SNP_POLICY_MIGRATE_MA;
    expect(&p, &c, "snp.insecure_allow_migration_agent");
    c.platform = ATTEST_PLATFORM_SIM;
    expect(&p, &c, "sim.insecure_allow");
    c.platform = ATTEST_PLATFORM_KVM;
    expect(&p, &c, "kvm.insecure_allow");
    /* issue #10: VMPL above 0 and TCB status Unknown are refused by default (5ee0efd allowed) */
    c = snp_claims();
    c.vmpl = 1;
    expect(&p, &c, "snp.max_vmpl");
    struct attest_claims t = tdx_claims("Unknown", false);
    expect(&p, &t, "tdx.insecure_accept_unknown_tcb");
    /* ... and SNP evidence whose revocation no current CRL checked */
    c = snp_claims();
    c.revocation_checked = false;
    expect(&p, &c, "snp.insecure_accept_unchecked_revocation");
    t.platform = ATTEST_PLATFORM_SGX;
    expect(&p, &t, "sgx.insecure_accept_unknown_tcb");
    attest_policy_free(&p);
}

/* Issue #10: weakening keys are spelled insecure_*, their old names are errors naming the new. */
static void test_insecure_names(void **state)
{
    (void)state;
    struct attest_policy p;
    struct attest_decision d;
    struct attest_claims c = tdx_claims("Unknown", false);
    parse(&p, "[tdx]\ninsecure_accept_unknown_tcb = true\n");
    attest_policy_check(&p, &c, &d);
    assert_true(d.allowed && d.warned_unknown_tcb);
    assert_string_equal(d.insecure, "tdx.insecure_accept_unknown_tcb");
    c = tdx_claims("UpToDate", true);
    attest_policy_check(&p, &c, &d);
    assert_true(d.allowed);
    assert_string_equal(d.insecure, "");
    attest_policy_free(&p);
    parse(&p, "[snp]\ninsecure_accept_unchecked_revocation = true\n");
    c = snp_claims();
    c.revocation_checked = false;
    attest_policy_check(&p, &c, &d);
    assert_true(d.allowed);
    assert_string_equal(d.insecure, "snp.insecure_accept_unchecked_revocation");
    attest_policy_free(&p);
    parse(&p, "[sgx]\ninsecure_accept_expired_signer = true\n");
    c = tdx_claims("UpToDate", true);
    c.platform = ATTEST_PLATFORM_SGX;
    snprintf(c.collateral, sizeof(c.collateral), "signer-expired");
    attest_policy_check(&p, &c, &d);
    assert_true(d.allowed);
    assert_string_equal(d.insecure, "sgx.insecure_accept_expired_signer");
    attest_policy_free(&p);
}

static void test_debug_both_ways(void **state)
{
    (void)state;
    struct attest_policy p;
    struct attest_claims c = snp_claims();
    c.debug = true;
    parse(&p, "insecure_allow_debug = true\n");
    expect(&p, &c, NULL);
    attest_policy_free(&p);
    parse(&p, "insecure_allow_debug = true\n[snp]\ninsecure_allow_debug = false\n");
    expect(&p, &c, "snp.insecure_allow_debug");
    attest_policy_free(&p);
    parse(&p, "[snp]\ninsecure_allow_debug = true\n");
    expect(&p, &c, NULL);
    struct attest_claims t = tdx_claims("UpToDate", true);
    t.debug = true;
    expect(&p, &t, "insecure_allow_debug"); /* the snp override does not leak into tdx */
    attest_policy_free(&p);
}

static void test_products(void **state)
{
    (void)state;
    struct attest_policy p;
    struct attest_claims c = snp_claims();
    parse(&p, "[snp]\ndeny_products = [\"milan\"]\n");
    expect(&p, &c, "snp.deny_products");
    snprintf(c.product, sizeof(c.product), "Genoa");
    expect(&p, &c, NULL);
    attest_policy_free(&p);
    parse(&p, "[snp]\nallow = false\n");
    expect(&p, &c, "snp.allow");
    attest_policy_free(&p);
}

static void test_min_tcb(void **state)
{
    (void)state;
    struct attest_policy p;
    struct attest_claims c = snp_claims();
    parse(&p, "[snp.min_tcb]\nbootloader = 3\nsnp = 8\nmicrocode = 115\nfmc = 9\n");
    expect(&p, &c, NULL); /* fmc is only checked on Turin */
    c.tcb.microcode = 114;
    expect(&p, &c, "snp.min_tcb.microcode");
    c = snp_claims();
    c.tcb.snp = 7;
    expect(&p, &c, "snp.min_tcb.snp");
    c = snp_claims();
    snprintf(c.product, sizeof(c.product), "Turin");
    c.tcb.fmc = 8;
    expect(&p, &c, "snp.min_tcb.fmc");
    c.tcb.fmc = 9;
    expect(&p, &c, NULL);
    attest_policy_free(&p);
    /* per-product floors (issue #10), beside the floors for every product */
    parse(&p, "[snp.min_tcb]\nbootloader = 2\n[snp.min_tcb.Milan]\nsnp = 22\nmicrocode = 213\n"
              "[snp.min_tcb.Genoa]\nsnp = 9\n");
    c = snp_claims(); /* Milan, snp 8, microcode 115 */
    expect(&p, &c, "snp.min_tcb.Milan.snp");
    c.tcb.snp = 22;
    expect(&p, &c, "snp.min_tcb.Milan.microcode");
    c.tcb.microcode = 213;
    expect(&p, &c, NULL);
    c.tcb.bootloader = 1;
    expect(&p, &c, "snp.min_tcb.bootloader");
    c = snp_claims();
    snprintf(c.product, sizeof(c.product), "Genoa");
    expect(&p, &c, "snp.min_tcb.Genoa.snp");
    c.tcb.snp = 9;
    expect(&p, &c, NULL); /* Milan's floors do not apply to Genoa */
    attest_policy_free(&p);
}

static void test_vmpl_keys_svn(void **state)
{
    (void)state;
    struct attest_policy p;
    struct attest_claims c = snp_claims();
    parse(&p, "[snp]\nmax_vmpl = 1\nsigning_keys = [\"VCEK\"]\nmin_guest_svn = 2\n"
              "allow_smt = false\n");
    c.guest_svn = 2;
    c.snp_policy = 0x20000;
    expect(&p, &c, NULL);
    c.vmpl = 1;
    expect(&p, &c, NULL);
    c.vmpl = 2;
    expect(&p, &c, "snp.max_vmpl");
    c.vmpl = 0;
    snprintf(c.signing_key, sizeof(c.signing_key), "VLEK");
    expect(&p, &c, "snp.signing_keys");
    snprintf(c.signing_key, sizeof(c.signing_key), "VCEK");
    c.guest_svn = 1;
    expect(&p, &c, "snp.min_guest_svn");
    c.guest_svn = 2;
    c.snp_policy |= ATTEST_SNP_POLICY_SMT;
    expect(&p, &c, "snp.allow_smt");
    attest_policy_free(&p);
}

static void test_measurement_lists(void **state)
{
    (void)state;
    struct attest_policy p;
    struct attest_claims c = snp_claims();
    char text[512];
    char hex[97];
    for (size_t i = 0; i < 96; i += 2) /* "abab...": the claims' measurement */
        hex[i] = 'a', hex[i + 1] = 'b';
    hex[96] = 0;
    snprintf(text, sizeof(text), "[snp]\nmeasurements = [\"%s\"]\n", hex);
    parse(&p, text);
    expect(&p, &c, NULL);
    c.measurement[47] ^= 1;
    expect(&p, &c, "snp.measurements");
    attest_policy_free(&p);
    parse(&p, "[snp]\nmeasurements = []\n"); /* set and empty: nothing allowed */
    expect(&p, &c, "snp.measurements");
    attest_policy_free(&p);
    /* report_data entries may be a prefix (e.g. a 32- or 48-byte hash). */
    parse(&p, "report_data = [\"1111\"]\n");
    expect(&p, &c, NULL);
    c.report_data[1] = 0;
    expect(&p, &c, "report_data");
    attest_policy_free(&p);
    c = snp_claims();
    parse(&p, "[snp]\nhost_data = "
              "[\"0000000000000000000000000000000000000000000000000000000000000001\"]\n");
    expect(&p, &c, "snp.host_data");
    c.host_data[31] = 1;
    expect(&p, &c, NULL);
    attest_policy_free(&p);
}

static void test_dcap_rules(void **state)
{
    (void)state;
    struct attest_policy p;
    attest_policy_init(&p);
    struct attest_claims c = tdx_claims("OutOfDate", true);
    expect(&p, &c, "tdx.tcb_status");
    c = tdx_claims("UpToDate", true);
    expect(&p, &c, NULL);
    snprintf(c.collateral, sizeof(c.collateral), "signer-expired");
    expect(&p, &c, "tdx.insecure_accept_expired_signer");
    attest_policy_free(&p);

    parse(&p,
          "[tdx]\ntcb_status = [\"UpToDate\", \"OutOfDate\"]\ndeny_fmspc = [\"00A06D080000\"]\n");
    c = tdx_claims("OutOfDate", true);
    expect(&p, &c, NULL);
    c = tdx_claims("Unknown", false); /* a list does not accept Unknown */
    expect(&p, &c, "tdx.insecure_accept_unknown_tcb");
    c = tdx_claims("UpToDate", true);
    memcpy(c.fmspc, "\x00\xa0\x6d\x08\x00\x00", 6);
    expect(&p, &c, "tdx.deny_fmspc");
    attest_policy_free(&p);

    parse(
        &p,
        "[sgx]\nmrsigner = [\"0000000000000000000000000000000000000000000000000000000000000000\"]\n"
        "min_isv_svn = 2\nisv_prod_id = 1\n");
    c = tdx_claims("UpToDate", true);
    c.platform = ATTEST_PLATFORM_SGX;
    c.measurement_size = 32;
    c.isv_svn = 2;
    c.isv_prod_id = 1;
    expect(&p, &c, NULL);
    c.mrsigner[0] = 1;
    expect(&p, &c, "sgx.mrsigner");
    c.mrsigner[0] = 0;
    c.isv_svn = 1;
    expect(&p, &c, "sgx.min_isv_svn");
    c.isv_svn = 2;
    c.isv_prod_id = 3;
    expect(&p, &c, "sgx.isv_prod_id");
    attest_policy_free(&p);
}

static void test_sim_both_ways(void **state)
{
    (void)state;
    struct attest_policy p;
    struct attest_claims c = snp_claims();
    c.platform = ATTEST_PLATFORM_SIM;
    parse(&p, "[sim]\ninsecure_allow = true\n");
    expect(&p, &c, NULL);
    struct attest_decision d;
    attest_policy_check(&p, &c, &d);
    assert_string_equal(d.insecure, "sim.insecure_allow");
    attest_policy_free(&p);
    parse(&p, "[sim]\ninsecure_allow = false\n");
    expect(&p, &c, "sim.insecure_allow");
    attest_policy_free(&p);
}

static void expect_error(const char *text, const char *needle)
{
    struct attest_policy p;
    struct attest_error err = {{0}};
    attest_policy_init(&p);
    assert_int_equal(attest_policy_parse(text, strlen(text), "t.toml", &p, &err), -EINVAL);
    if (!strstr(err.msg, needle)) fail_msg("error '%s' lacks '%s'", err.msg, needle);
    attest_policy_free(&p);
}

static void test_toml_errors(void **state)
{
    (void)state;
    expect_error("deny_product = []\n", "t.toml:1:1: unknown key 'deny_product'");
    expect_error("[snp]\ndeny_product = [\"Milan\"]\n", "unknown key 'snp.deny_product'");
    expect_error("[snp]\ndeny_products = [\"Rome\"]\n", "unknown value");
    expect_error("[snp]\nmax_vmpl = 4\n", "out of range");
    expect_error("[snp]\nmax_vmpl = \"0\"\n", "expected an integer");
    expect_error("[snp]\nmeasurements = [\"abcd\"]\n", "expected hex of 48 bytes");
    expect_error("[tdx]\ndeny_fmspc = [\"50806F00000\"]\n", "12 hex digits");
    expect_error("[tdx]\ntcb_status = [\"uptodate\", 3]\n", "unknown value");
    expect_error("[tdx]\nmrenclave = []\n", "unknown key 'tdx.mrenclave'");
    expect_error("[snp.min_tcb]\nucode = 1\n", "unknown key 'snp.min_tcb.ucode'");
    expect_error("insecure_allow_debug = 1\n", "expected a boolean");
    expect_error("snp = 1\n", "expected a table");
    expect_error("[snp\n", "t.toml:1:");
    expect_error("allow_debug = true\n", "'allow_debug' was renamed 'insecure_allow_debug'");
    expect_error("[tdx]\nallow_debug = true\n",
                 "'tdx.allow_debug' was renamed 'tdx.insecure_allow_debug'");
    expect_error("[snp]\nallow_migration_agent = true\n",
                 "'snp.allow_migration_agent' was renamed 'snp.insecure_allow_migration_agent'");
    /* issue #10: old names of weakening keys name the new one */
    expect_error("[sim]\nallow = true\n", "'sim.allow' was renamed 'sim.insecure_allow'");
    expect_error("[kvm]\nallow = true\n", "'kvm.allow' was renamed 'kvm.insecure_allow'");
    expect_error("[tdx]\naccept_expired_signer = true\n",
                 "'tdx.accept_expired_signer' was renamed 'tdx.insecure_accept_expired_signer'");
    expect_error("[sgx]\naccept_expired_signer = false\n", "sgx.insecure_accept_expired_signer");
    expect_error("[tdx]\ntcb_status = [\"UpToDate\", \"Unknown\"]\n",
                 "tdx.insecure_accept_unknown_tcb = true");
    expect_error("[snp.min_tcb.Rome]\nsnp = 1\n", "unknown key 'snp.min_tcb.Rome'");
    expect_error("[snp.min_tcb.Milan]\nucode = 1\n", "unknown key 'snp.min_tcb.Milan.ucode'");
}

/*
 * Issue #10: one table (policy_rules.h) names the rules and the keys. Every rule of it is a key
 * the loader reads (a value of its kind parses at its dotted name), and every renamed key is
 * refused naming a rule of the table.
 */
static void test_rule_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < ATTEST_RULE_COUNT; i++) {
        const struct attest_rule_info *r = &attest_rules[i];
        const char *v = "[]";
        switch (r->kind) {
        case RULE_BOOL:
        case RULE_TRI: v = "true"; break;
        case RULE_INT: v = "0"; break;
        case RULE_MIN_TCB: v = "{ snp = 1 }"; break;
        default: break;
        }
        char text[160];
        size_t n = strlen(r->section);
        assert_string_equal(r->name + n, r->key);
        assert_memory_equal(r->name, r->section, n);
        if (n)
            snprintf(text, sizeof(text), "[%.*s]\n%s = %s\n", (int)(n - 1), r->section, r->key, v);
        else
            snprintf(text, sizeof(text), "%s = %s\n", r->key, v);
        struct attest_policy p;
        struct attest_error err = {{0}};
        attest_policy_init(&p);
        if (attest_policy_parse(text, strlen(text), "t.toml", &p, &err) != 0)
            fail_msg("rule %s: '%s' does not load: %s", r->name, text, err.msg);
        attest_policy_free(&p);
        struct attest_decision d;
        assert_true(strlen(r->name) < sizeof(d.rule)); /* a refusal can carry the whole name */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),      cmocka_unit_test(test_debug_both_ways),
        cmocka_unit_test(test_products),      cmocka_unit_test(test_min_tcb),
        cmocka_unit_test(test_vmpl_keys_svn), cmocka_unit_test(test_measurement_lists),
        cmocka_unit_test(test_dcap_rules),    cmocka_unit_test(test_sim_both_ways),
        cmocka_unit_test(test_toml_errors),   cmocka_unit_test(test_insecure_names),
        cmocka_unit_test(test_rule_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
