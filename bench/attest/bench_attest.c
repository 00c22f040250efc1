/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_attest.c - how many pieces of attestation evidence one core verifies per second, and how
 * close that is to the bound set by the signature verifications the evidence needs.
 *
 * Evidence (real, from ../shared/vectors, never copied into the repository), time-pinned to
 * 2023-06-25T00:00:00Z, when every certificate and the TDX collateral were valid:
 *   snp       virtee-milan-v2 report + VCEK, through attest_evidence_verify (chain to the ARK)
 *   tdx       gotdx-spr-v4 quote, through attest_dcap_verify, no collateral
 *   tdx+coll  the same with its collateral in memory: TCB info, QE identity, PCK CRL, the root
 *             CRL and the TCB signing chain from the roots (what verify.c gathers from files)
 * each (a) cold: the verification cache off, every call does everything; (b) cached: the
 * library's verification cache (attest_cache_enable) on and warm, so certificate chains that
 * verified before are not verified again (validity times are still checked on every call).
 *
 * Method. Each case first runs once and must succeed with the expected claims; then the loop
 * times at least --seconds of this thread's CPU time (CLOCK_THREAD_CPUTIME_ID, so other jobs on
 * a shared machine slow the wall clock but not the figure; `openssl speed` also counts CPU time)
 * and every call's result is checked. --reps runs per case; the median is reported. The bound is
 * 1 / sum(count_alg / rate_alg) with the per-algorithm verify rates given by the caller (the run
 * script parses `openssl speed`): the rate if the verifier did nothing but its signature checks.
 *
 * Before timing, --check (on by default) makes sure the cache does not change answers: the same
 * evidence verified at a time after the VCEK expired must fail with ATTEST_E_EXPIRED with the
 * cache warm, exactly as without it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>

#include "attest/attest.h"
#include "attest/dcap.h"

#ifndef VECTORS_DIR
#define VECTORS_DIR "../shared/vectors"
#endif

enum { ALG_P384, ALG_P256, ALG_RSA4096, ALG_COUNT };
static const char *const ALG_NAMES[ALG_COUNT] = {"P-384", "P-256", "RSA-4096"};

/* Everything loaded once: borrowed by every verification. */
struct inputs {
    struct attest_roots *roots;
    uint8_t *snp_report, *vcek, *quote;
    size_t snp_report_size, vcek_size, quote_size;
    uint8_t *tcb_info, *qe_identity, *pck_crl, *signing_chain, *root_crl;
    size_t tcb_info_size, qe_identity_size, pck_crl_size, signing_chain_size, root_crl_size;
    struct attest_dcap_collateral collateral;
    time_t at;
};

struct bench_case {
    const char *name;
    const char *evidence;
    bool cached;
    int (*verify)(const struct inputs *in, time_t at, struct attest_error *err);
    int sigs[ALG_COUNT]; /* signature verifications one call needs */
};

struct options {
    const char *vectors;
    double seconds;
    int reps;
    double rate[ALG_COUNT]; /* verifications/s from openssl speed; 0: unknown */
    bool check;
    const char *only; /* run only the cases of this evidence name; NULL: all */
};

/* ---- inputs ---- */

static int load(const char *dir, const char *rel, uint8_t **buf, size_t *size)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    int rc = util_file_read(path, 1u << 20, buf, size);
    if (rc < 0) fprintf(stderr, "bench_attest: cannot read %s: %s\n", path, strerror(-rc));
    return rc;
}

static time_t utc(int y, int mo, int d)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    return timegm(&tm);
}

static int inputs_load(const char *dir, struct inputs *in)
{
    struct attest_error err = {{0}};
    char roots[4096];
    snprintf(roots, sizeof(roots), "%s/roots", dir);
    int rc = attest_roots_load(roots, NULL, &in->roots, &err);
    if (rc < 0) {
        fprintf(stderr, "bench_attest: roots %s: %s\n", roots, err.msg);
        return rc;
    }
    if ((rc = load(dir, "snp/virtee-milan-v2/report.bin", &in->snp_report, &in->snp_report_size)) ||
        (rc = load(dir, "snp/virtee-milan-v2/vcek.der", &in->vcek, &in->vcek_size)) ||
        (rc = load(dir, "tdx/gotdx-spr-v4/quote.dat", &in->quote, &in->quote_size)) ||
        (rc = load(dir, "tdx/gotdx-spr-v4/tcbinfo.json", &in->tcb_info, &in->tcb_info_size)) ||
        (rc = load(dir, "tdx/gotdx-spr-v4/qeidentity.json", &in->qe_identity,
                   &in->qe_identity_size)) ||
        (rc = load(dir, "tdx/gotdx-spr-v4/pckcrl.der", &in->pck_crl, &in->pck_crl_size)) ||
        (rc = load(dir, "roots/intel/tcb_signing_chain.pem", &in->signing_chain,
                   &in->signing_chain_size)) ||
        (rc = load(dir, "roots/intel/sgx_root_ca.crl.der", &in->root_crl, &in->root_crl_size)))
        return rc;
    in->collateral = (struct attest_dcap_collateral){
        .tcb_info = in->tcb_info,
        .tcb_info_size = in->tcb_info_size,
        .qe_identity = in->qe_identity,
        .qe_identity_size = in->qe_identity_size,
        .signing_chain_pem = in->signing_chain,
        .signing_chain_size = in->signing_chain_size,
        .pck_crl = in->pck_crl,
        .pck_crl_size = in->pck_crl_size,
        .root_crl = in->root_crl,
        .root_crl_size = in->root_crl_size,
    };
    in->at = utc(2023, 6, 25);
    return 0;
}

static void inputs_free(struct inputs *in)
{
    attest_roots_free(in->roots);
    free(in->snp_report);
    free(in->vcek);
    free(in->quote);
    free(in->tcb_info);
    free(in->qe_identity);
    free(in->pck_crl);
    free(in->signing_chain);
    free(in->root_crl);
}

static int attest_fail_msg(struct attest_error *err, const char *msg)
{
    snprintf(err->msg, sizeof(err->msg), "%s", msg);
    return ATTEST_E_MALFORMED;
}

/* ---- the verifications (each checks the claims it must produce) ---- */

static int verify_snp(const struct inputs *in, time_t at, struct attest_error *err)
{
    const uint8_t *certs[1] = {in->vcek};
    size_t sizes[1] = {in->vcek_size};
    struct attest_verify_opts opts = {
        .roots = in->roots, .certs = certs, .cert_sizes = sizes, .cert_count = 1, .at = at};
    struct attest_claims c;
    int rc = attest_evidence_verify(in->snp_report, in->snp_report_size, &opts, &c, err);
    if (rc == 0 && (c.platform != ATTEST_PLATFORM_SNP || strcmp(c.product, "Milan") != 0 ||
                    strcmp(c.signing_key, "VCEK") != 0))
        rc = -EPROTO;
    return rc;
}

static int verify_tdx_with(const struct inputs *in, time_t at,
                           const struct attest_dcap_collateral *col, struct attest_error *err)
{
    struct attest_dcap_opts opts = {
        .root = attest_roots_intel(in->roots), .collateral = col, .at = at};
    struct attest_dcap_claims c;
    int rc = attest_dcap_verify(in->quote, in->quote_size, &opts, &c, err);
    enum attest_dcap_collateral_state want =
        col ? ATTEST_DCAP_COLLATERAL_VERIFIED : ATTEST_DCAP_COLLATERAL_NONE;
    if (rc == 0 && (c.tee != ATTEST_DCAP_TEE_TDX || c.collateral != want ||
                    (col && (!c.crl_checked || c.tcb_status == ATTEST_DCAP_TCB_UNKNOWN))))
        rc = -EPROTO;
    return rc;
}

static int verify_tdx(const struct inputs *in, time_t at, struct attest_error *err)
{
    return verify_tdx_with(in, at, NULL, err);
}

static int verify_tdx_coll(const struct inputs *in, time_t at, struct attest_error *err)
{
    return verify_tdx_with(in, at, &in->collateral, err);
}

/* Context, not evidence: parsing one certificate (the VCEK's DER), as every verification does. */
static int parse_vcek(const struct inputs *in, time_t at, struct attest_error *err)
{
    (void)at;
    const unsigned char *p = in->vcek;
    X509 *x = d2i_X509(NULL, &p, (long)in->vcek_size);
    int rc = x && X509_get0_pubkey(x) ? 0 : attest_fail_msg(err, "VCEK does not parse");
    X509_free(x);
    return rc;
}

/*
 * Signatures per call. SNP: the report (P-384), VCEK<-ASK and ASK<-ARK (RSA-4096-PSS). TDX: the
 * quote and the QE report (P-256), PCK<-PCK CA and PCK CA<-root (P-256); with collateral also
 * the PCK CRL, the root CRL, TCB Signing<-root, TCB info and QE identity (P-256). Cached: the
 * certificate chains are skipped (SNP 2 RSA, TDX 2 P-256, the TCB signing chain 1 P-256).
 */
static const struct bench_case CASES[] = {
    {"snp", "virtee-milan-v2 report + VCEK", false, verify_snp, {1, 0, 2}},
    {"snp", "virtee-milan-v2 report + VCEK", true, verify_snp, {1, 0, 0}},
    {"tdx", "gotdx-spr-v4 quote", false, verify_tdx, {0, 4, 0}},
    {"tdx", "gotdx-spr-v4 quote", true, verify_tdx, {0, 2, 0}},
    {"tdx+coll", "gotdx-spr-v4 quote + collateral", false, verify_tdx_coll, {0, 9, 0}},
    {"tdx+coll", "gotdx-spr-v4 quote + collateral", true, verify_tdx_coll, {0, 6, 0}},
    {"x509", "d2i_X509 of the VCEK (context)", false, parse_vcek, {0, 0, 0}},
};

/* ---- timing ---- */

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Verifications made since the case was prepared (to report cache hits per verification). */
static long g_calls;

/* Sets the cache for a case: off (cold), or on and warmed by one verification. */
static int case_prepare(const struct bench_case *bc, const struct inputs *in)
{
    struct attest_error err = {{0}};
    attest_cache_disable();
    int rc = bc->cached ? attest_cache_enable(64) : 0;
    if (rc == 0) rc = bc->verify(in, in->at, &err);
    g_calls = 1;
    if (rc < 0)
        fprintf(stderr, "bench_attest: %s%s: verification failed (%d): %s\n", bc->name,
                bc->cached ? " cached" : "", rc, err.msg);
    return rc;
}

/* One timed run: verifications per CPU second, or a negative errno when one failed. */
static double case_run(const struct bench_case *bc, const struct inputs *in, double seconds)
{
    double cpu0 = clock_s(CLOCK_THREAD_CPUTIME_ID), wall0 = clock_s(CLOCK_MONOTONIC);
    double cpu = 0;
    long n = 0;
    do {
        for (int i = 0; i < 16; i++, n++) {
            struct attest_error err = {{0}};
            int rc = bc->verify(in, in->at, &err);
            if (rc < 0) {
                fprintf(stderr, "bench_attest: %s: call %ld failed (%d): %s\n", bc->name, n, rc,
                        err.msg);
                return rc;
            }
        }
        cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - cpu0;
        /* a wall-clock cap keeps a starved run bounded */
    } while (cpu < seconds && clock_s(CLOCK_MONOTONIC) - wall0 < 4 * seconds + 1);
    g_calls += n;
    return cpu > 0 ? (double)n / cpu : 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median over reps runs; negative on failure. */
static double case_median(const struct bench_case *bc, const struct inputs *in,
                          const struct options *o)
{
    double r[16];
    int reps = o->reps;
    if (case_prepare(bc, in) < 0) return -1;
    for (int i = 0; i < reps; i++)
        if ((r[i] = case_run(bc, in, o->seconds)) < 0) return r[i];
    qsort(r, (size_t)reps, sizeof(r[0]), cmp_double);
    return reps % 2 ? r[reps / 2] : (r[reps / 2 - 1] + r[reps / 2]) / 2;
}

/* ---- the cache must not change answers ---- */

/* Verifying after the VCEK's notAfter must fail as expired, cold and with a warm cache. */
static int check_time_rule(const struct inputs *in)
{
    struct attest_error err = {{0}};
    time_t late = utc(2031, 1, 1);
    attest_cache_disable();
    int cold = verify_snp(in, late, &err);
    int rc = attest_cache_enable(64);
    if (rc < 0) return rc;
    int warm_ok = verify_snp(in, in->at, &err);
    int warm_late = verify_snp(in, late, &err);
    int tdx_ok = verify_tdx_coll(in, in->at, &err);
    int tdx_late = verify_tdx_coll(in, utc(2023, 7, 20), &err);
    struct attest_cache_stats st;
    attest_cache_stats_get(&st);
    attest_cache_disable();
    bool ok = cold == ATTEST_E_EXPIRED && warm_ok == 0 && warm_late == ATTEST_E_EXPIRED &&
              tdx_ok == 0 && tdx_late == ATTEST_E_EXPIRED && st.hits > 0;
    printf("check: verification time rule with a warm cache: %s (snp after VCEK expiry: cold %d, "
           "cached %d; tdx after collateral expiry: %d; cache hits %llu)\n",
           ok ? "ok" : "FAILED", cold, warm_late, tdx_late, (unsigned long long)st.hits);
    return ok ? 0 : -EPROTO;
}

/* ---- report ---- */

static void sigs_text(const int sigs[ALG_COUNT], char *out, size_t size)
{
    size_t used = 0;
    out[0] = 0;
    for (int a = 0; a < ALG_COUNT; a++) {
        if (!sigs[a]) continue;
        int n =
            snprintf(out + used, size - used, "%s%d %s", used ? " + " : "", sigs[a], ALG_NAMES[a]);
        if (n < 0 || (size_t)n >= size - used) break;
        used += (size_t)n;
    }
}

/* 1 / sum(count / rate); 0 when a needed rate is unknown. */
static double bound(const int sigs[ALG_COUNT], const double rate[ALG_COUNT])
{
    double t = 0;
    for (int a = 0; a < ALG_COUNT; a++) {
        if (!sigs[a]) continue;
        if (rate[a] <= 0) return 0;
        t += sigs[a] / rate[a];
    }
    return t > 0 ? 1 / t : 0;
}

static int run_all(const struct inputs *in, const struct options *o)
{
    printf("%-9s %-6s %10s %9s  %-22s %10s %8s %6s\n", "evidence", "chain", "verif/s", "us/verif",
           "signatures verified", "sig-bound", "of bound", "hits");
    for (size_t i = 0; i < ARRAY_LEN(CASES); i++) {
        const struct bench_case *bc = &CASES[i];
        if (o->only && strcmp(o->only, bc->name) != 0) continue;
        double v = case_median(bc, in, o);
        if (v < 0) return -EPROTO;
        char sigs[64], b[32] = "-", pct[16] = "-";
        sigs_text(bc->sigs, sigs, sizeof(sigs));
        double bnd = bound(bc->sigs, o->rate);
        if (bnd > 0) {
            snprintf(b, sizeof(b), "%.0f", bnd);
            snprintf(pct, sizeof(pct), "%.0f%%", 100 * v / bnd);
        }
        struct attest_cache_stats st;
        attest_cache_stats_get(&st);
        printf("%-9s %-6s %10.0f %9.1f  %-22s %10s %8s %6.2f\n", bc->name,
               bc->sigs[0] + bc->sigs[1] + bc->sigs[2] == 0 ? "parse"
               : bc->cached                                 ? "cached"
                                                            : "cold",
               v, 1e6 / v, sigs[0] ? sigs : "none", b, pct,
               g_calls > 0 ? (double)st.hits / (double)g_calls : 0.0);
        fflush(stdout);
    }
    attest_cache_disable();
    return 0;
}

/* ---- main ---- */

static int usage(void)
{
    fprintf(stderr,
            "usage: bench_attest [--vectors DIR] [--seconds S] [--reps N] [--no-check]\n"
            "                    [--only snp|tdx|tdx+coll|x509]\n"
            "                    [--p384 VERIFY/S] [--p256 VERIFY/S] [--rsa4096 VERIFY/S]\n");
    return 64;
}

static int parse_args(int argc, char **argv, struct options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        double d = v ? strtod(v, &end) : 0;
        bool num = v && end != v && *end == 0 && d >= 0 && d < 1e9;
        if (strcmp(a, "--no-check") == 0) {
            o->check = false;
            continue;
        }
        if (strcmp(a, "--vectors") == 0 && v)
            o->vectors = v;
        else if (strcmp(a, "--only") == 0 && v)
            o->only = v;
        else if (strcmp(a, "--seconds") == 0 && num && d > 0 && d <= 60)
            o->seconds = d;
        else if (strcmp(a, "--reps") == 0 && num && d >= 1 && d <= 15)
            o->reps = (int)d;
        else if (strcmp(a, "--p384") == 0 && num)
            o->rate[ALG_P384] = d;
        else if (strcmp(a, "--p256") == 0 && num)
            o->rate[ALG_P256] = d;
        else if (strcmp(a, "--rsa4096") == 0 && num)
            o->rate[ALG_RSA4096] = d;
        else
            return -EINVAL;
        i++;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct options o = {.vectors = VECTORS_DIR, .seconds = 1.0, .reps = 3, .check = true};
    struct inputs in = {0};
    if (parse_args(argc, argv, &o) < 0) return usage();
    int rc = inputs_load(o.vectors, &in);
    if (rc == 0 && o.check) rc = check_time_rule(&in);
    if (rc == 0) rc = run_all(&in, &o);
    inputs_free(&in);
    return rc == 0 ? 0 : 1;
}
