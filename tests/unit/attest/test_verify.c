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

#include <sys/stat.h>

#include <openssl/x509.h>

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

/* No current AMD CRL comes with raw reports: the README's "accepted" needs this key now. */
#define UNCHECKED_REV "[snp]\ninsecure_accept_unchecked_revocation = true\n"
#define REV_RULE "snp.insecure_accept_unchecked_revocation"

static void test_snp_vectors(void **state)
{
    (void)state;
    const struct case_ cases[] = {
        {"snp/gosev-milan-v2-debug/report.bin", "snp/gosev-milan-v2-debug/vcek.der", NULL, 0, 0,
         "insecure_allow_debug", NULL, "insecure_allow_debug = true\n" UNCHECKED_REV, NULL},
        {"snp/virtee-milan-v2/report.bin", "snp/virtee-milan-v2/vcek.der", NULL, 0, 0, REV_RULE,
         NULL, UNCHECKED_REV, NULL},
        {"snp/trustee-milan-v2/report.bin", "snp/trustee-milan-v2/vcek.der", NULL, 0, 0, REV_RULE,
         NULL, UNCHECKED_REV, NULL},
        {"snp/trustee-milan-v3-vlek/report.bin", "snp/trustee-milan-v3-vlek/vlek.der", NULL,
         vec_time(2025, 6, 1), 0, "snp.max_vmpl", NULL,
         "[snp]\nmax_vmpl = 1\ninsecure_accept_unchecked_revocation = true\n", NULL},
        {"snp/virtee-milan-v2/report.bin", "snp/trustee-synthetic-vcek/invalid-new.der", NULL, 0,
         ATTEST_E_SIGNATURE, NULL, NULL, NULL, NULL},
        {"snp/virtee-milan-v2/report.bin", "snp/trustee-synthetic-vcek/invalid-legacy.der", NULL, 0,
         ATTEST_E_SIGNATURE, NULL, NULL, NULL, NULL},
        /* the CSR carries the Milan ARK's CRL, current until 2023-05-09: then revocation is
         * checked and the default policy accepts; today the CRL is stale and says nothing */
        {"enarx/steward-snp-milan.csr", NULL, NULL, vec_time(2023, 1, 1), 0, NULL, NULL, NULL,
         NULL},
        {"enarx/steward-snp-milan.csr", NULL, NULL, 0, 0, REV_RULE, NULL, UNCHECKED_REV, NULL},
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
        {"tdx/trustee-spr-v4/quote.dat", NULL, NULL, 0, 0, "insecure_allow_debug", "Unknown",
         "insecure_allow_debug = true\n", "tdx.insecure_accept_unknown_tcb"},
        {"tdx/gotdx-spr-v4/quote.dat", NULL, "tdx/gotdx-spr-v4", vec_time(2023, 6, 25), 0,
         "tdx.tcb_status", NULL, NULL, NULL},
        {"tdx/gotdx-spr-v4/quote.dat", NULL, NULL, vec_time(2023, 6, 25), 0,
         "tdx.insecure_accept_unknown_tcb", "Unknown",
         "[tdx]\ninsecure_accept_unknown_tcb = true\n", NULL},
        {"tdx/trustee-gnr-v4/quote.dat", NULL, NULL, 0, 0, "tdx.insecure_accept_unknown_tcb",
         "Unknown", "[tdx]\ninsecure_accept_unknown_tcb = true\n", NULL},
        {"tdx/trustee-gnr-v4/quote.dat", NULL, "tdx/trustee-gnr-v4", vec_time(2025, 11, 1), 0,
         "tdx.tcb_status", "OutOfDate", NULL, NULL},
        {"sgx/trustee-occlum-debug/quote.dat", NULL, NULL, 0, 0, "insecure_allow_debug", NULL, NULL,
         NULL},
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

/* ---- the installed collateral directory (collateral.c; issue #10) ---- */

static void put_file(const char *dir, const char *rel, const uint8_t *b, size_t n)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    for (char *q = strchr(path + strlen(dir) + 1, '/'); q; q = strchr(q + 1, '/')) {
        *q = '\0';
        mkdir(path, 0700);
        *q = '/';
    }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    fclose(f);
}

/* Files a vector where attest_collateral_place() says it belongs, checking that place. */
static void place_vector(const char *dir, const char *vec, const char *want)
{
    size_t n;
    uint8_t *b = vec_read(vec, &n);
    char rel[256];
    assert_int_equal(attest_collateral_place(b, n, rel, sizeof(rel)), 0);
    assert_string_equal(rel, want);
    put_file(dir, rel, b, n);
    free(b);
}

/* The Milan ARK's CRL that the real CSR carries (current 2022-05-09 .. 2023-05-09). */
static uint8_t *milan_crl(size_t *size)
{
    size_t n;
    uint8_t *csr = vec_read("enarx/steward-snp-milan.csr", &n);
    const unsigned char *p = csr;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)n);
    STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
    uint8_t *out = NULL;
    for (int i = 0; i < sk_X509_EXTENSION_num(exts) && !out; i++) {
        ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(sk_X509_EXTENSION_value(exts, i));
        struct attest_enarx_snp ev;
        struct attest_error err;
        if (attest_enarx_snp_parse(ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v), &ev,
                                   &err) != 0)
            continue;
        for (size_t k = 0; k < ev.crl_count && !out; k++) {
            char rel[64];
            if (attest_collateral_place(ev.crls[k], ev.crl_sizes[k], rel, sizeof(rel)) == 0 &&
                strcmp(rel, "amd/milan/crl.der") == 0) {
                out = malloc(ev.crl_sizes[k]);
                memcpy(out, ev.crls[k], ev.crl_sizes[k]);
                *size = ev.crl_sizes[k];
            }
        }
    }
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    X509_REQ_free(req);
    free(csr);
    assert_non_null(out);
    return out;
}

static int verify_at(const char *vec, const char *cert, time_t at, struct attest_claims *c)
{
    size_t size, cert_size = 0;
    uint8_t *ev = vec_read(vec, &size);
    uint8_t *cb = cert ? vec_read(cert, &cert_size) : NULL;
    const uint8_t *certs[1] = {cb};
    size_t sizes[1] = {cert_size};
    struct attest_roots *roots = vec_roots();
    struct attest_verify_opts o = {roots, certs, sizes, cb ? 1 : 0, NULL, at};
    struct attest_error err = {{0}};
    int rc = attest_evidence_verify(ev, size, &o, c, &err);
    if (rc) print_message("  %s: %s\n", vec, err.msg);
    attest_roots_free(roots);
    free(cb);
    free(ev);
    return rc;
}

/*
 * Before this, SNP revocation was checked only with CRLs the Keep chose to send, and the Steward
 * had no DCAP collateral at all (status Unknown): an installed collateral directory supplies the
 * ARK's CRL and the Intel documents for each quote by its TEE type, FMSPC and PCK CA.
 */
static void test_installed_collateral(void **state)
{
    (void)state;
    char dir[] = "/tmp/enarx-coll-XXXXXX";
    assert_non_null(mkdtemp(dir));
    size_t crl_size = 0;
    uint8_t *crl = milan_crl(&crl_size);
    put_file(dir, "amd/milan/crl.der", crl, crl_size);
    free(crl);
    place_vector(dir, "tdx/gotdx-spr-v4/tcbinfo.json", "intel/tdx_tcbinfo/50806f000000.json");
    place_vector(dir, "tdx/gotdx-spr-v4/qeidentity.json", "intel/td_qe_identity.json");
    place_vector(dir, "roots/intel/tcb_signing_chain.pem", "intel/tcb_signing_chain.pem");
    struct attest_collateral *set = NULL;
    struct attest_error err = {{0}};
    assert_int_equal(attest_collateral_load(dir, &set, &err), 0);
    assert_int_equal(attest_collateral_count(set), 4);
    struct attest_claims c;
    time_t t2023 = vec_time(2023, 4, 10); /* the VCEK is valid from 2023-04-03 */
    const char *rep = "snp/virtee-milan-v2/report.bin", *vcek = "snp/virtee-milan-v2/vcek.der";
    assert_int_equal(verify_at(rep, vcek, t2023, &c), 0);
    assert_false(c.revocation_checked); /* nothing installed yet */
    attest_collateral_install(set);
    assert_int_equal(verify_at(rep, vcek, t2023, &c), 0);
    assert_true(c.revocation_checked);
    assert_int_equal(verify_at(rep, vcek, 0, &c), 0);
    assert_false(c.revocation_checked); /* the CRL's nextUpdate has passed: it says nothing */
    size_t qn;
    uint8_t *q = vec_read("tdx/gotdx-spr-v4/quote.dat", &qn);
    bool dcap = attest_format_detect(q, qn) == ATTEST_FORMAT_DCAP_QUOTE;
    free(q);
    if (dcap) {
        assert_int_equal(verify_at("tdx/gotdx-spr-v4/quote.dat", NULL, vec_time(2023, 6, 25), &c),
                         0);
        assert_true(c.has_collateral);
        assert_string_not_equal(c.tcb_status, "Unknown");
    }
    attest_collateral_install(NULL);
    /* a file the layout does not know: the directory does not load */
    uint8_t junk[1] = {0};
    put_file(dir, "intel/tcbinfo.json", junk, 1);
    assert_int_equal(attest_collateral_load(dir, &set, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "intel/tcbinfo.json"));
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snp_vectors),
        cmocka_unit_test(test_dcap_vectors),
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_hostile_input),
        cmocka_unit_test(test_installed_collateral),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
