/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_handler.c - one Steward request from bytes to answer, no HTTP: the real CSR made by an
 * Enarx Keep on a Milan host (../shared/vectors, read in place) is issued a certificate; the
 * same CSR is refused by a policy (naming the rule), without trust anchors, at a time when its
 * VCEK has expired, with bytes flipped, and with its evidence moved into a CSR of another key;
 * kvm CSRs are refused by default and issued when the policy allows kvm; bodies that are
 * empty, garbage, PEM, oversized, or carry no evidence get 4xx with a JSON reason.
 */
#include "helpers.h"

#include <jansson.h>

struct fixture {
    struct test_ca ca;
    uint8_t *csr;
    size_t csr_size;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    test_ca_make(&f->ca, "P-384", 30);
    f->csr = test_read_vector(REAL_CSR, &f->csr_size);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    test_ca_free(&f->ca);
    free(f->csr);
    free(f);
    return 0;
}

/* A Steward with the vectors' roots (when roots), policy text (when not NULL), and options. */
static struct steward *make(struct fixture *f, bool roots, const char *policy, bool sim, time_t at)
{
    char policy_path[128];
    struct steward_config cfg = {f->ca.key_path, f->ca.crt_path, NULL, NULL, NULL, 0, sim, 0, at};
    if (roots) cfg.roots_dir = VECTORS_DIR "/roots";
    if (policy) {
        snprintf(policy_path, sizeof(policy_path), "%s/policy.toml", f->ca.dir);
        FILE *p = fopen(policy_path, "w");
        assert_non_null(p);
        fputs(policy, p);
        fclose(p);
        cfg.policy_path = policy_path;
    }
    struct steward *s = NULL;
    char err[512] = "";
    int rc = steward_new(&cfg, &s, err, sizeof(err));
    if (rc) fail_msg("steward_new: %s", err);
    return s;
}

/* Handles body; checks status; for JSON answers returns the "error" (and rule) fields. */
static void expect(const struct steward *s, const uint8_t *body, size_t size, unsigned status,
                   const char *error, const char *rule)
{
    struct steward_reply r;
    assert_int_equal(steward_handle_csr(s, body, size, "test", &r), 0);
    if (r.status != status)
        fail_msg("status %u, expected %u: %.*s", r.status, status, (int)r.body_size,
                 (const char *)r.body);
    if (status == 200) {
        assert_string_equal(r.content_type, "application/pkix-pkipath");
    } else {
        assert_string_equal(r.content_type, "application/json");
        json_error_t jerr;
        json_t *doc = json_loadb((const char *)r.body, r.body_size, 0, &jerr);
        assert_non_null(doc);
        assert_string_equal(json_string_value(json_object_get(doc, "error")), error);
        assert_non_null(json_string_value(json_object_get(doc, "reason")));
        if (rule) assert_string_equal(json_string_value(json_object_get(doc, "rule")), rule);
        json_decref(doc);
    }
    steward_reply_free(&r);
}

/* The CSR's in-band CRLs expired in 2023: today nobody checked revocation (issue #10). */
#define UNCHECKED_REV "[snp]\ninsecure_accept_unchecked_revocation = true\n"

static void test_real_csr_issued(void **state)
{
    struct fixture *f = *state;
    struct steward *s = make(f, true, NULL, false, 0);
    expect(s, f->csr, f->csr_size, 403, "refused", "snp.insecure_accept_unchecked_revocation");
    steward_free(s);
    s = make(f, true, UNCHECKED_REV, false, 0);
    struct steward_reply r;
    assert_int_equal(steward_handle_csr(s, f->csr, f->csr_size, "test", &r), 0);
    assert_int_equal(r.status, 200);
    STACK_OF(X509) *sk = test_split_path(r.body, r.body_size);
    assert_int_equal(sk_X509_num(sk), 2);
    X509 *leaf = sk_X509_value(sk, 1);
    assert_int_equal(X509_verify(leaf, f->ca.key), 1);
    char v[200];
    assert_int_equal(steward_claims_get(leaf, "platform", v, sizeof(v)), 0);
    assert_string_equal(v, "snp");
    assert_int_equal(steward_claims_get(leaf, "product", v, sizeof(v)), 0);
    assert_string_equal(v, "Milan");
    assert_int_equal(steward_claims_get(leaf, "format", v, sizeof(v)), 0);
    assert_string_equal(v, "enarx-csr+snp");
    assert_int_equal(steward_claims_get(leaf, "report_data_bound", v, sizeof(v)), 0);
    assert_string_equal(v, "true");
    /* the certificate is for the CSR's key */
    const unsigned char *p = f->csr;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)f->csr_size);
    assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(leaf), X509_REQ_get0_pubkey(req)), 1);
    X509_REQ_free(req);
    sk_X509_pop_free(sk, X509_free);
    steward_reply_free(&r);

    /* the recorded evidence at a pinned time inside its validity, too */
    steward_free(s);
    s = make(f, true, NULL, false, 1672531200); /* 2023-01-01: its Milan CRL is current */
    expect(s, f->csr, f->csr_size, 200, NULL, NULL);
    steward_free(s);
}

static void test_real_csr_refused(void **state)
{
    struct fixture *f = *state;
    struct steward *s = make(f, true, "[snp]\ndeny_products = [\"Milan\"]\n", false, 0);
    expect(s, f->csr, f->csr_size, 403, "refused", "snp.deny_products");
    steward_free(s);
    s = make(f, true, "[snp]\nmin_tcb.microcode = 250\n", false, 0);
    expect(s, f->csr, f->csr_size, 403, "refused", "snp.min_tcb.microcode");
    steward_free(s);
    s = make(f, true, "[snp]\nallow = false\n", false, 0);
    expect(s, f->csr, f->csr_size, 403, "refused", "snp.allow");
    steward_free(s);
    /* no trust anchors: not verifiable */
    s = make(f, false, NULL, false, 0);
    expect(s, f->csr, f->csr_size, 403, "invalid-evidence", "no-trust-anchor");
    steward_free(s);
    /* long after the VCEK's notAfter */
    s = make(f, true, NULL, false, 4102444800); /* 2100-01-01 */
    expect(s, f->csr, f->csr_size, 403, "invalid-evidence", NULL);
    steward_free(s);
}

/* Flipping any byte never yields a certificate (every 5th byte; the whole CSR is signed). */
static void test_tampered(void **state)
{
    struct fixture *f = *state;
    struct steward *s = make(f, true, NULL, false, 0);
    uint8_t *copy = malloc(f->csr_size);
    for (size_t off = 0; off < f->csr_size; off += 5) {
        memcpy(copy, f->csr, f->csr_size);
        copy[off] ^= 0x01;
        struct steward_reply r;
        assert_int_equal(steward_handle_csr(s, copy, f->csr_size, "test", &r), 0);
        if (r.status == 200) fail_msg("flipping byte %zu still got a certificate", off);
        assert_true(r.status == 400 || r.status == 403);
        steward_reply_free(&r);
    }
    /* truncated at every length class */
    for (size_t n = 0; n < f->csr_size; n += 211)
        expect(s, f->csr, n, 400, "malformed", NULL);
    free(copy);
    steward_free(s);
}

/* The genuine evidence, in a CSR signed by another key: the binding refuses it. */
static void test_evidence_moved_to_another_key(void **state)
{
    struct fixture *f = *state;
    struct steward *s = make(f, true, NULL, false, 0);
    size_t ev_size = 0, csr_size = 0;
    uint8_t *ev = csrgen_ext_value(f->csr, f->csr_size, ATTEST_OID_ENARX_SNP, &ev_size);
    assert_non_null(ev);
    for (int i = 0; i < 2; i++) {
        EVP_PKEY *key = csrgen_key(i ? "P-256" : "P-384");
        uint8_t *csr = csrgen_csr(key, ATTEST_OID_ENARX_SNP, ev, ev_size, &csr_size);
        assert_non_null(csr);
        struct steward_reply r;
        assert_int_equal(steward_handle_csr(s, csr, csr_size, "test", &r), 0);
        assert_int_equal(r.status, 403);
        assert_non_null(strstr((const char *)r.body, "REPORT_DATA"));
        steward_reply_free(&r);
        free(csr);
        EVP_PKEY_free(key);
    }
    free(ev);
    steward_free(s);
}

static void test_kvm(void **state)
{
    struct fixture *f = *state;
    size_t size = 0;
    EVP_PKEY *key = csrgen_key("P-256");
    uint8_t *csr = csrgen_csr(key, ATTEST_OID_ENARX_KVM, NULL, 0, &size);
    assert_non_null(csr);
    struct steward *s = make(f, true, NULL, false, 0);
    expect(s, csr, size, 403, "refused", "kvm.insecure_allow");
    steward_free(s);
    s = make(f, true, "[kvm]\ninsecure_allow = true\n", false, 0);
    expect(s, csr, size, 200, NULL, NULL);
    free(csr);
    EVP_PKEY_free(key);
    /* allowed, but with a key no TLS stack should use */
    key = csrgen_key("RSA1024");
    csr = csrgen_csr(key, ATTEST_OID_ENARX_KVM, NULL, 0, &size);
    expect(s, csr, size, 400, "malformed", NULL);
    free(csr);
    EVP_PKEY_free(key);
    steward_free(s);
}

/* The real CSR's MEASUREMENT (an SNP launch digest). */
#define REAL_MEASUREMENT                                                                           \
    "ff717ae719840c93c1fca3b7db96488454c3c21b43531488eecff51cfed3febcd91da8be87a4cbcbc52a3bae7709" \
    "87c3"

/* steward_new_opts with policy text; returns the rc and leaves the message in err. */
static int make_opts(struct fixture *f, const char *policy, bool any, struct steward **s, char *err,
                     size_t err_size)
{
    char policy_path[128];
    struct steward_config cfg = {
        f->ca.key_path, f->ca.crt_path, VECTORS_DIR "/roots", NULL, NULL, 0, false, 0, 0};
    snprintf(policy_path, sizeof(policy_path), "%s/policy.toml", f->ca.dir);
    FILE *p = fopen(policy_path, "w");
    assert_non_null(p);
    fputs(policy, p);
    fclose(p);
    cfg.policy_path = policy_path;
    struct steward_options o = {.insecure_any_measurement = any};
    *s = NULL;
    err[0] = '\0';
    return steward_new_opts(&cfg, &o, s, err, err_size);
}

/*
 * Issue #10: enarx-steward refuses to start when its policy accepts a platform without a
 * measurement allow-list (5ee0efd started and certified any genuine guest), names the key, and
 * starts with --insecure-any-measurement or with an allow-list for every accepted platform.
 */
static void test_measurement_required(void **state)
{
    struct fixture *f = *state;
    struct steward *s = NULL;
    char err[512];
    assert_int_equal(make_opts(f, "", false, &s, err, sizeof(err)), -EINVAL);
    assert_null(s);
    assert_non_null(strstr(err, "snp.measurements"));
    assert_non_null(strstr(err, "--insecure-any-measurement"));
    assert_int_equal(make_opts(f, "[snp]\nmeasurements = [\"" REAL_MEASUREMENT "\"]\n", false, &s,
                               err, sizeof(err)),
                     -EINVAL);
    assert_non_null(strstr(err, "tdx.mrtd"));
    const char *listed = "[snp]\nmeasurements = [\"" REAL_MEASUREMENT "\"]\n"
                         "insecure_accept_unchecked_revocation = true\n"
                         "[tdx]\nallow = false\n[sgx]\nallow = false\n";
    assert_int_equal(make_opts(f, listed, false, &s, err, sizeof(err)), 0);
    expect(s, f->csr, f->csr_size, 200, NULL, NULL);
    steward_free(s);
    /* another measurement on the list: refused by it */
    char other[512];
    snprintf(other, sizeof(other), "%s", listed);
    other[strlen("[snp]\nmeasurements = [\"")] = '0';
    assert_int_equal(make_opts(f, other, false, &s, err, sizeof(err)), 0);
    expect(s, f->csr, f->csr_size, 403, "refused", "snp.measurements");
    steward_free(s);
    /* sim allowed without sim.measurements: refused too */
    assert_int_equal(make_opts(f,
                               "[sim]\ninsecure_allow = true\n[snp]\nallow = false\n"
                               "[tdx]\nallow = false\n[sgx]\nallow = false\n",
                               false, &s, err, sizeof(err)),
                     -EINVAL);
    assert_non_null(strstr(err, "sim.measurements"));
    assert_int_equal(make_opts(f, UNCHECKED_REV, true, &s, err, sizeof(err)), 0);
    expect(s, f->csr, f->csr_size, 200, NULL, NULL);
    steward_free(s);
}

static void test_bad_bodies(void **state)
{
    struct fixture *f = *state;
    struct steward *s = make(f, true, NULL, false, 0);
    static const uint8_t garbage[] = "this is not a CSR";
    expect(s, garbage, 0, 400, "malformed", NULL);
    expect(s, garbage, sizeof(garbage), 400, "malformed", NULL);
    /* a valid CSR followed by a trailing byte */
    uint8_t *longer = malloc(f->csr_size + 1);
    memcpy(longer, f->csr, f->csr_size);
    longer[f->csr_size] = 0;
    expect(s, longer, f->csr_size + 1, 400, "malformed", NULL);
    free(longer);
    /* oversized */
    uint8_t *big = calloc(1, STEWARD_MAX_CSR_SIZE + 1);
    expect(s, big, STEWARD_MAX_CSR_SIZE + 1, 413, "too-large", NULL);
    free(big);
    /* no evidence extension at all; two of them */
    size_t size = 0;
    EVP_PKEY *key = csrgen_key("P-256");
    uint8_t *csr = csrgen_csr(key, NULL, NULL, 0, &size);
    expect(s, csr, size, 400, "malformed", NULL);
    free(csr);
    /* PEM is not what the API takes */
    const unsigned char *p = f->csr;
    X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)f->csr_size);
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509_REQ(bio, req);
    char *pem = NULL;
    long n = BIO_get_mem_data(bio, &pem);
    expect(s, (const uint8_t *)pem, (size_t)n, 400, "malformed", NULL);
    BIO_free(bio);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
    steward_free(s);
}

static void test_health_and_errors(void **state)
{
    struct fixture *f = *state;
    struct steward *s = make(f, false, NULL, true, 0);
    struct steward_reply r;
    assert_int_equal(steward_reply_health(s, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr((const char *)r.body, "\"allow_sim\":true"));
    steward_reply_free(&r);
    /* reasons are sanitized into valid JSON */
    assert_int_equal(steward_reply_error(&r, 400, "malformed", "bad \"\xff\x01 byte", "x"), 0);
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)r.body, r.body_size, 0, &jerr);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "reason")), "bad \"?? byte");
    json_decref(doc);
    steward_reply_free(&r);
    steward_free(s);
}

static void test_config_errors(void **state)
{
    struct fixture *f = *state;
    struct steward *s = NULL;
    char err[512];
    struct steward_config cfg = {
        f->ca.key_path, f->ca.crt_path, "/nonexistent", NULL, NULL, 0, false, 0, 0};
    assert_true(steward_new(&cfg, &s, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "--roots"));
    cfg.roots_dir = NULL;
    cfg.policy_path = "/nonexistent/policy.toml";
    assert_true(steward_new(&cfg, &s, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "--policy"));
    cfg.policy_path = NULL;
    const char *hosts[] = {""};
    cfg.hosts = hosts;
    cfg.host_count = 1;
    assert_int_equal(steward_new(&cfg, &s, err, sizeof(err)), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_real_csr_issued, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_csr_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tampered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_evidence_moved_to_another_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kvm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_measurement_required, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_bodies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_health_and_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
