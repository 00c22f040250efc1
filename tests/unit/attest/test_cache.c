/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cache.c - the verification cache (cache.c) must never change an answer: every SNP and TDX
 * vector gives the same verdict and claims cold and with a warm cache; validity times are still
 * checked on a hit (before, inside and after the certificates' and collateral's windows); a
 * certificate that differs by one byte is not answered from the cache; failures are not stored;
 * a one-entry cache (constant eviction) stays correct; the switch validates its argument.
 */
#include "helpers.h"

#include <openssl/x509.h>

#include "attest/dcap.h"

struct snp_in {
    uint8_t *report, *cert;
    size_t report_size, cert_size;
    struct attest_roots *roots;
    const uint8_t *certs[1];
    size_t sizes[1];
    struct attest_verify_opts opts;
};

static void snp_load(struct snp_in *s, const char *dir, const char *cert)
{
    char path[256];
    memset(s, 0, sizeof(*s));
    snprintf(path, sizeof(path), "%s/report.bin", dir);
    s->report = vec_read(path, &s->report_size);
    snprintf(path, sizeof(path), "%s/%s", dir, cert);
    s->cert = vec_read(path, &s->cert_size);
    s->roots = vec_roots();
    s->certs[0] = s->cert;
    s->sizes[0] = s->cert_size;
    s->opts = (struct attest_verify_opts){s->roots, s->certs, s->sizes, 1, NULL, 0};
}

static void snp_unload(struct snp_in *s)
{
    free(s->report);
    free(s->cert);
    attest_roots_free(s->roots);
}

static int snp_at(struct snp_in *s, time_t at, struct attest_claims *c)
{
    struct attest_error err = {{0}};
    s->opts.at = at;
    memset(c, 0, sizeof(*c));
    return attest_evidence_verify(s->report, s->report_size, &s->opts, c, &err);
}

static void test_enable_arguments(void **state)
{
    (void)state;
    struct attest_cache_stats st;
    assert_int_equal(attest_cache_enable(0), -EINVAL);
    assert_int_equal(attest_cache_enable(ATTEST_CACHE_MAX_ENTRIES + 1), -EINVAL);
    assert_int_equal(attest_cache_enable(8), 0);
    attest_cache_stats_get(&st);
    assert_int_equal(st.capacity, 8);
    assert_int_equal(st.entries, 0);
    attest_cache_disable();
    attest_cache_stats_get(&st);
    assert_int_equal(st.capacity, 0);
}

/* Every SNP vector: same rc and claims cold, on the first cached call and on a hit. */
static void test_snp_same_answers(void **state)
{
    (void)state;
    static const char *const vecs[][2] = {{"snp/virtee-milan-v2", "vcek.der"},
                                          {"snp/gosev-milan-v2-debug", "vcek.der"},
                                          {"snp/trustee-milan-v2", "vcek.der"},
                                          {"snp/trustee-milan-v3-vlek", "vlek.der"}};
    static const int ymd[][3] = {{2019, 1, 1}, {2023, 6, 25}, {2025, 6, 1}, {2031, 1, 1}};
    for (size_t i = 0; i < ARRAY_LEN(vecs); i++) {
        struct snp_in s;
        snp_load(&s, vecs[i][0], vecs[i][1]);
        for (size_t t = 0; t < ARRAY_LEN(ymd); t++) {
            time_t at = vec_time(ymd[t][0], ymd[t][1], ymd[t][2]);
            struct attest_claims cold, first, hit;
            attest_cache_disable();
            int rc = snp_at(&s, at, &cold);
            assert_int_equal(attest_cache_enable(16), 0);
            assert_int_equal(snp_at(&s, at, &first), rc);
            assert_int_equal(snp_at(&s, at, &hit), rc);
            if (rc == 0) {
                assert_memory_equal(&cold, &first, sizeof(cold));
                assert_memory_equal(&cold, &hit, sizeof(cold));
            }
        }
        snp_unload(&s);
    }
    attest_cache_disable();
}

/* A warm cache still applies every validity window, both ways, in any order. */
static void test_snp_time_rule_on_hits(void **state)
{
    (void)state;
    struct snp_in s;
    struct attest_claims c;
    struct attest_cache_stats st;
    snp_load(&s, "snp/virtee-milan-v2", "vcek.der");
    assert_int_equal(attest_cache_enable(16), 0);
    assert_int_equal(snp_at(&s, vec_time(2023, 6, 25), &c), 0);
    attest_cache_stats_get(&st);
    assert_int_equal(st.stores, 2); /* VCEK<-ASK and ASK<-ARK */
    assert_int_equal(snp_at(&s, vec_time(2031, 1, 1), &c), ATTEST_E_EXPIRED); /* VCEK expired */
    assert_int_equal(snp_at(&s, vec_time(2023, 1, 1), &c), ATTEST_E_EXPIRED); /* not yet valid */
    assert_int_equal(snp_at(&s, vec_time(2024, 1, 1), &c), 0);
    attest_cache_stats_get(&st);
    assert_true(st.hits >= 4);
    snp_unload(&s);
    attest_cache_disable();
}

/* The key is the exact DER: a VCEK differing in one signature byte is verified, and refused. */
static void test_snp_exact_der(void **state)
{
    (void)state;
    struct snp_in s;
    struct attest_claims c;
    struct attest_cache_stats before, after;
    snp_load(&s, "snp/virtee-milan-v2", "vcek.der");
    time_t at = vec_time(2023, 6, 25);
    assert_int_equal(attest_cache_enable(16), 0);
    assert_int_equal(snp_at(&s, at, &c), 0);
    s.cert[s.cert_size - 10] ^= 0x01; /* inside the signature value */
    attest_cache_stats_get(&before);
    assert_int_equal(snp_at(&s, at, &c), ATTEST_E_SIGNATURE);
    assert_int_equal(snp_at(&s, at, &c), ATTEST_E_SIGNATURE);
    attest_cache_stats_get(&after);
    assert_int_equal(after.stores, before.stores); /* failures are never stored */
    s.cert[s.cert_size - 10] ^= 0x01;
    assert_int_equal(snp_at(&s, at, &c), 0);
    snp_unload(&s);
    attest_cache_disable();
}

struct tdx_in {
    uint8_t *quote, *tcb, *qe, *crl;
    size_t quote_size, tcb_size, qe_size, crl_size;
    struct attest_roots *roots;
    struct attest_dcap_collateral col;
};

static void tdx_load(struct tdx_in *t, const char *dir, bool pck_crl)
{
    char path[256];
    memset(t, 0, sizeof(*t));
    snprintf(path, sizeof(path), "%s/quote.dat", dir);
    t->quote = vec_read(path, &t->quote_size);
    snprintf(path, sizeof(path), "%s/tcbinfo.json", dir);
    t->tcb = vec_read(path, &t->tcb_size);
    snprintf(path, sizeof(path), "%s/qeidentity.json", dir);
    t->qe = vec_read(path, &t->qe_size);
    if (pck_crl) {
        snprintf(path, sizeof(path), "%s/pckcrl.der", dir);
        t->crl = vec_read(path, &t->crl_size);
    }
    t->roots = vec_roots();
    size_t chain_size = 0;
    uint8_t *chain = vec_read("roots/intel/tcb_signing_chain.pem", &chain_size);
    t->col = (struct attest_dcap_collateral){
        t->tcb, t->tcb_size, t->qe, t->qe_size, chain, chain_size, t->crl, t->crl_size, NULL, 0};
}

static void tdx_unload(struct tdx_in *t)
{
    free(t->quote);
    free(t->tcb);
    free(t->qe);
    free(t->crl);
    free((void *)t->col.signing_chain_pem);
    attest_roots_free(t->roots);
}

static int tdx_at(const struct tdx_in *t, time_t at, bool col, struct attest_dcap_claims *c)
{
    struct attest_error err = {{0}};
    struct attest_dcap_opts o = {
        .root = attest_roots_intel(t->roots), .collateral = col ? &t->col : NULL, .at = at};
    return attest_dcap_verify(t->quote, t->quote_size, &o, c, &err);
}

/* TDX (PCK chain and TCB signing chain): same answers cold and cached, times still checked. */
static void test_tdx_same_answers(void **state)
{
    (void)state;
    static const struct {
        const char *dir;
        bool crl;
        int ymd[4][3];
    } vecs[] = {
        {"tdx/gotdx-spr-v4", true, {{2023, 6, 25}, {2023, 7, 20}, {2018, 1, 1}, {2023, 6, 21}}},
        {"tdx/trustee-gnr-v4", false, {{2025, 10, 20}, {2026, 1, 1}, {2023, 6, 25}, {2050, 1, 1}}},
    };
    struct attest_dcap_claims *cold = calloc(1, sizeof(*cold)), *hit = calloc(1, sizeof(*hit));
    assert_non_null(cold);
    assert_non_null(hit);
    for (size_t i = 0; i < ARRAY_LEN(vecs); i++) {
        struct tdx_in t;
        tdx_load(&t, vecs[i].dir, vecs[i].crl);
        for (size_t k = 0; k < 4 * 2; k++) {
            const int *d = vecs[i].ymd[k / 2];
            time_t at = vec_time(d[0], d[1], d[2]);
            bool col = k % 2;
            attest_cache_disable();
            int rc = tdx_at(&t, at, col, cold);
            assert_int_equal(attest_cache_enable(16), 0);
            assert_int_equal(tdx_at(&t, at, col, hit), rc);
            assert_int_equal(tdx_at(&t, at, col, hit), rc);
            if (rc == 0) assert_memory_equal(cold, hit, sizeof(*cold));
        }
        tdx_unload(&t);
    }
    free(cold);
    free(hit);
    attest_cache_disable();
}

/* A warm PCK chain is still checked at the time: before and after the PCK's window, refused. */
static void test_tdx_time_rule_on_hits(void **state)
{
    (void)state;
    struct tdx_in t;
    struct attest_dcap_claims *d = calloc(1, sizeof(*d));
    struct attest_cache_stats st;
    assert_non_null(d);
    tdx_load(&t, "tdx/gotdx-spr-v4", true);
    assert_int_equal(attest_cache_enable(16), 0);
    assert_int_equal(tdx_at(&t, vec_time(2023, 6, 25), false, d), 0);
    assert_int_equal(tdx_at(&t, vec_time(2031, 1, 1), false, d), ATTEST_E_EXPIRED);
    assert_int_equal(tdx_at(&t, vec_time(2021, 1, 1), false, d), ATTEST_E_EXPIRED);
    assert_int_equal(tdx_at(&t, vec_time(2024, 1, 1), false, d), 0);
    attest_cache_stats_get(&st);
    assert_int_equal(st.stores, 1);
    assert_int_equal(st.hits, 1); /* the out-of-window calls were verified in full */
    assert_int_equal(st.misses, 3);
    tdx_unload(&t);
    free(d);
    attest_cache_disable();
}

/* One slot: SNP links and TDX chains evict each other on every call, answers stay right. */
static void test_one_entry_eviction(void **state)
{
    (void)state;
    struct snp_in s;
    struct tdx_in t;
    struct attest_claims c;
    struct attest_dcap_claims *d = calloc(1, sizeof(*d));
    struct attest_cache_stats st;
    assert_non_null(d);
    snp_load(&s, "snp/virtee-milan-v2", "vcek.der");
    tdx_load(&t, "tdx/gotdx-spr-v4", true);
    time_t at = vec_time(2023, 6, 25);
    assert_int_equal(attest_cache_enable(1), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(snp_at(&s, at, &c), 0);
        assert_int_equal(tdx_at(&t, at, true, d), 0);
        assert_int_equal(snp_at(&s, vec_time(2031, 1, 1), &c), ATTEST_E_EXPIRED);
        assert_int_equal(tdx_at(&t, vec_time(2023, 7, 20), true, d), ATTEST_E_EXPIRED);
    }
    attest_cache_stats_get(&st);
    assert_int_equal(st.entries, 1);
    snp_unload(&s);
    tdx_unload(&t);
    free(d);
    attest_cache_disable();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enable_arguments),      cmocka_unit_test(test_snp_same_answers),
        cmocka_unit_test(test_snp_time_rule_on_hits), cmocka_unit_test(test_snp_exact_der),
        cmocka_unit_test(test_tdx_same_answers),      cmocka_unit_test(test_tdx_time_rule_on_hits),
        cmocka_unit_test(test_one_entry_eviction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
