/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_verify.c - the single entry point: format recognition for every vector, and every vector
 * of ../shared/vectors through attest_evidence_verify() + the default policy, with the verdict
 * its README gives (times pinned where certificates or collateral expired). Where the default
 * policy now refuses what the README calls valid (VMPL 1, TCB status Unknown: issue #10), the
 * case also names the policy that makes the README's verdict explicit. Also hostile input:
 * empty, tiny, random and truncated buffers are refused without crashing.
 */
#include "helpers.h"

struct case_ {
    const char *evidence, *cert, *collateral;
    time_t at;
    int rc;           /* from verification */
    const char *rule; /* refusing rule of the default policy; NULL: allowed */
    const char *status;
    const char *policy;      /* TOML making the README verdict explicit; NULL: none */
    const char *policy_rule; /* refusing rule under that policy; NULL: allowed */
};

static void judge(const struct case_ *k, const struct attest_claims *c, const char *text,
                  const char *rule)
{
    struct attest_policy p;
    struct attest_decision d;
    struct attest_error err = {{0}};
    attest_policy_init(&p);
    if (text && attest_policy_parse(text, strlen(text), "case.toml", &p, &err) < 0)
        fail_msg("%s: policy: %s", k->evidence, err.msg);
    attest_policy_check(&p, c, &d);
    if (rule == NULL && !d.allowed) fail_msg("%s: refused by %s", k->evidence, d.rule);
    if (rule && (d.allowed || strcmp(d.rule, rule) != 0))
        fail_msg("%s: expected refusal by %s, got %s", k->evidence, rule,
                 d.allowed ? "allowed" : d.rule);
    attest_policy_free(&p);
}

static void run_case(const struct case_ *k)
{
    size_t size, cert_size = 0;
    uint8_t *ev = vec_read(k->evidence, &size);
    uint8_t *cert = k->cert ? vec_read(k->cert, &cert_size) : NULL;
    const uint8_t *certs[1] = {cert};
    size_t sizes[1] = {cert_size};
    char col[512];
    if (k->collateral) snprintf(col, sizeof(col), "%s/%s", VECTORS_DIR, k->collateral);
    struct attest_roots *roots = vec_roots();
    struct attest_verify_opts o = {roots, certs, sizes, cert ? 1 : 0, k->collateral ? col : NULL,
                                   k->at};
    struct attest_claims c;
    struct attest_error err = {{0}};
    int rc = attest_evidence_verify(ev, size, &o, &c, &err);
    if (rc != k->rc) fail_msg("%s: rc %d (%s), expected %d", k->evidence, rc, err.msg, k->rc);
    if (rc == 0) {
        judge(k, &c, NULL, k->rule);
        if (k->policy) judge(k, &c, k->policy, k->policy_rule);
        if (k->status) assert_string_equal(c.tcb_status, k->status);
    }
    attest_roots_free(roots);
    free(cert);
    free(ev);
}

static void test_snp_vectors(void **state)
{
    (void)state;
    const struct case_ cases[] = {
        {"snp/gosev-milan-v2-debug/report.bin", "snp/gosev-milan-v2-debug/vcek.der", NULL, 0, 0,
         "allow_debug", NULL, NULL, NULL},
        {"snp/virtee-milan-v2/report.bin", "snp/virtee-milan-v2/vcek.der", NULL, 0, 0, NULL, NULL,
         NULL, NULL},
        {"snp/trustee-milan-v2/report.bin", "snp/trustee-milan-v2/vcek.der", NULL, 0, 0, NULL, NULL,
         NULL, NULL},
        {"snp/trustee-milan-v3-vlek/report.bin", "snp/trustee-milan-v3-vlek/vlek.der", NULL,
         vec_time(2025, 6, 1), 0, "snp.max_vmpl", NULL, "[snp]\nmax_vmpl = 1\n", NULL},
        {"snp/virtee-milan-v2/report.bin", "snp/trustee-synthetic-vcek/invalid-new.der", NULL, 0,
         ATTEST_E_SIGNATURE, NULL, NULL, NULL, NULL},
        {"snp/virtee-milan-v2/report.bin", "snp/trustee-synthetic-vcek/invalid-legacy.der", NULL, 0,
         ATTEST_E_SIGNATURE, NULL, NULL, NULL, NULL},
        {"enarx/steward-snp-milan.csr", NULL, NULL, 0, 0, NULL, NULL, NULL, NULL},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++)
        run_case(&cases[i]);
}

static void test_dcap_vectors(void **state)
{
    (void)state;
    size_t qsize;
    uint8_t *q = vec_read("tdx/trustee-spr-v4/quote.dat", &qsize);
    enum attest_format fmt = attest_format_detect(q, qsize);
    free(q);
    if (fmt != ATTEST_FORMAT_DCAP_QUOTE) skip(); /* built without dcap.c */
    const struct case_ cases[] = {
        {"tdx/trustee-spr-v4/quote.dat", NULL, NULL, 0, 0, "allow_debug", "Unknown",
         "allow_debug = true\n", "tdx.insecure_accept_unknown_tcb"},
        {"tdx/gotdx-spr-v4/quote.dat", NULL, "tdx/gotdx-spr-v4", vec_time(2023, 6, 25), 0,
         "tdx.tcb_status", NULL, NULL, NULL},
        {"tdx/gotdx-spr-v4/quote.dat", NULL, NULL, vec_time(2023, 6, 25), 0,
         "tdx.insecure_accept_unknown_tcb", "Unknown",
         "[tdx]\ninsecure_accept_unknown_tcb = true\n", NULL},
        {"tdx/trustee-gnr-v4/quote.dat", NULL, NULL, 0, 0, "tdx.insecure_accept_unknown_tcb",
         "Unknown", "[tdx]\ninsecure_accept_unknown_tcb = true\n", NULL},
        {"tdx/trustee-gnr-v4/quote.dat", NULL, "tdx/trustee-gnr-v4", vec_time(2025, 11, 1), 0,
         "tdx.tcb_status", "OutOfDate", NULL, NULL},
        {"sgx/trustee-occlum-debug/quote.dat", NULL, NULL, 0, 0, "allow_debug", NULL, NULL, NULL},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++)
        run_case(&cases[i]);
}

static void test_detect(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        enum attest_format fmt;
    } f[] = {
        {"snp/virtee-milan-v2/report.bin", ATTEST_FORMAT_SNP_REPORT},
        {"snp/trustee-milan-v3-vlek/report.bin", ATTEST_FORMAT_SNP_REPORT},
        {"enarx/steward-snp-milan.csr", ATTEST_FORMAT_CSR},
        {"snp/virtee-milan-v2/vcek.der", ATTEST_FORMAT_ENARX_DER}, /* DER: tried, then refused */
    };
    for (size_t i = 0; i < ARRAY_LEN(f); i++) {
        size_t size;
        uint8_t *b = vec_read(f[i].file, &size);
        assert_int_equal(attest_format_detect(b, size), f[i].fmt);
        free(b);
    }
    assert_int_equal(attest_format_detect(NULL, 0), ATTEST_FORMAT_UNKNOWN);
    assert_int_equal(attest_format_detect((const uint8_t *)"x", 1), ATTEST_FORMAT_UNKNOWN);
}

static void test_hostile_input(void **state)
{
    (void)state;
    struct attest_roots *roots = vec_roots();
    struct attest_verify_opts o = {roots, NULL, NULL, 0, NULL, 0};
    struct attest_claims c;
    struct attest_error err;
    uint8_t buf[2048];
    uint32_t x = 12345;
    for (size_t round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof(buf); i++) {
            x = x * 1103515245u + 12345u;
            buf[i] = (uint8_t)(x >> 16);
        }
        buf[0] = (uint8_t)(round % 3 == 0 ? 0x30 : round % 3 == 1 ? 0x02 : 0x04);
        size_t n = round * 7 % sizeof(buf);
        assert_int_not_equal(attest_evidence_verify(buf, n, &o, &c, &err), 0);
    }
    /* Every prefix of a real report. */
    size_t size;
    uint8_t *r = vec_read("snp/virtee-milan-v2/report.bin", &size);
    for (size_t n = 0; n < size; n++)
        assert_int_not_equal(attest_evidence_verify(r, n, &o, &c, &err), 0);
    free(r);
    attest_roots_free(roots);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snp_vectors),
        cmocka_unit_test(test_dcap_vectors),
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_hostile_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
