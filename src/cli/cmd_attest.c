/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_attest.c - `enarx attest verify`: verify one piece of attestation evidence against trust
 * anchors and judge it by the owner's policy.
 *
 *   enarx attest verify [--roots DIR] [--cert FILE]... [--collateral DIR] [--policy FILE]
 *                       [--insecure-verify-at RFC3339-TIME] [--pin SHA256]...
 *                       [--insecure-allow-sim] [--json]
 *                       EVIDENCE
 *
 * The two library steps map onto the exit status, so scripts can tell them apart:
 *   0 genuine and allowed   1 not valid evidence   2 genuine but refused by the policy
 *   64 usage   66 a file could not be read   70 internal failure (out of memory)
 *
 *   enarx attest simulate [--measurement HEX] [--report-data HEX] OUT
 *
 * writes simulated evidence (signed by a fresh software key; for machines without a TEE, never
 * accepted unless explicitly allowed).
 *
 * Output is a short human summary, or with --json one object holding every claim, the verdict
 * and, on refusal, the rule. Simulated evidence is refused unless the policy says `[sim]
 * insecure_allow = true` or --insecure-allow-sim is given, and is warned about on stderr every
 * time it is used, as is every verdict that only an insecure_* rule of the policy allowed.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "attest/attest.h"
#include "cli.h"
#include "opts.h"
#include "util/util.h"

#define EXIT_INVALID 1
#define EXIT_REFUSED 2
#define EXIT_INTERNAL 70
#define MAX_CERTS 16
#define MAX_PINS 16
#define MAX_EVIDENCE (16u << 20)

struct attest_args {
    const char *roots, *collateral, *policy, *evidence;
    const char *certs[MAX_CERTS];
    size_t cert_count;
    uint8_t pins[MAX_PINS][32];
    size_t pin_count;
    time_t at;
    bool json, allow_sim;
};

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int parse_offset(const char *p, long *off)
{
    int hh, mm;
    if (strcmp(p, "Z") == 0 || strcmp(p, "z") == 0) {
        *off = 0;
        return 0;
    }
    if ((p[0] != '+' && p[0] != '-') || strlen(p) != 6 || p[3] != ':' ||
        digits(p + 1, 2, &hh) < 0 || digits(p + 4, 2, &mm) < 0 || hh > 23 || mm > 59)
        return -1;
    *off = (p[0] == '-' ? -1 : 1) * (hh * 3600L + mm * 60L);
    return 0;
}

/* RFC 3339 date-time (fractions ignored), or a bare date meaning midnight UTC. */
static int parse_time(const char *s, time_t *out)
{
    struct tm tm = {0};
    int y, mo, d, h = 0, mi = 0, sec = 0;
    long off = 0;
    size_t n = strlen(s);
    if (n < 10 || digits(s, 4, &y) < 0 || s[4] != '-' || digits(s + 5, 2, &mo) < 0 || s[7] != '-' ||
        digits(s + 8, 2, &d) < 0)
        return -1;
    if (n > 10) {
        const char *p = s + 19;
        if (n < 20 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || digits(s + 11, 2, &h) < 0 ||
            s[13] != ':' || digits(s + 14, 2, &mi) < 0 || s[16] != ':' ||
            digits(s + 17, 2, &sec) < 0)
            return -1;
        if (*p == '.')
            for (p++; isdigit((unsigned char)*p); p++)
                ;
        if (parse_offset(p, &off) < 0) return -1;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970)
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    time_t t = timegm(&tm);
    if (t == (time_t)-1) return -1;
    *out = t - off;
    return 0;
}

static int parse_pin(const char *s, uint8_t out[32])
{
    return strlen(s) == 64 && util_hex_decode(s, 64, out) == 0 ? 0 : -1;
}

enum {
    OPT_ROOTS = 1,
    OPT_CERT,
    OPT_COLLATERAL,
    OPT_POLICY,
    OPT_AT,
    OPT_OLD_AT,
    OPT_PIN,
    OPT_ALLOW_SIM,
    OPT_JSON,
    OPT_MEASUREMENT,
    OPT_REPORT_DATA,
};

static const struct opts_option verify_options[] = {
    {"roots", 0, "DIR", OPT_ROOTS, 0,
     "trust anchors: DIR/amd/{milan,genoa,turin}/{ark,ask,asvk}.pem, "
     "DIR/intel/sgx_root_ca.pem (default: $ENARX_ROOTS)"},
    {"cert", 0, "FILE", OPT_CERT, OPTS_REPEAT,
     "a VCEK/VLEK or chain (PEM or DER) the evidence lacks"},
    {"collateral", 0, "DIR", OPT_COLLATERAL, 0,
     "DCAP collateral: tcbinfo.json, qeidentity.json, pckcrl.der"},
    {"policy", 0, "FILE", OPT_POLICY, 0, "the owner's TOML policy (default: built-in defaults)"},
    {"insecure-verify-at", 0, "TIME", OPT_AT, 0,
     "INSECURE: verify as of this RFC 3339 time (2024-01-01T00:00:00Z), accepting "
     "certificates and CRLs that have expired since; for recorded evidence"},
    {"at", 0, "TIME", OPT_OLD_AT, 0, "renamed --insecure-verify-at (refused)"},
    {"pin", 0, "SHA256", OPT_PIN, OPTS_REPEAT,
     "a pinned root fingerprint, replacing the built-in pins"},
    {"insecure-allow-sim", 0, NULL, OPT_ALLOW_SIM, 0, "accept simulated (non-hardware) evidence"},
    {"json", 0, NULL, OPT_JSON, 0, "print every claim and the verdict as JSON"},
    {0},
};

static const struct opts_verb verify_verb = {
    .name = "attest verify",
    .args = "EVIDENCE",
    .min_args = 1,
    .max_args = 1,
    .summary = "verify attestation evidence against roots and a policy",
    .description =
        "Verify attestation evidence (SEV-SNP report, DCAP quote, Enarx evidence DER, or a\n"
        "CSR carrying Enarx evidence, PEM or DER; recognised automatically) and judge it by\n"
        "a policy.",
    .exit_status = "0 valid and allowed, 1 not valid, 2 refused by the policy,\n"
                   "64 usage, 66 unreadable input, 70 internal failure",
    .examples = "enarx attest verify --roots roots report.bin\n"
                "enarx attest verify --roots=roots --policy policy.toml --json report.bin\n"
                "enarx attest verify --insecure-allow-sim sim.bin",
    .options = verify_options,
};

static const struct opts_option simulate_options[] = {
    {"measurement", 0, "HEX", OPT_MEASUREMENT, 0, "the measurement (at most 48 bytes)"},
    {"report-data", 0, "HEX", OPT_REPORT_DATA, 0, "the report data (at most 64 bytes)"},
    {0},
};

static const struct opts_verb simulate_verb = {
    .name = "attest simulate",
    .args = "OUT",
    .min_args = 1,
    .max_args = 1,
    .summary = "write simulated evidence (for machines without a TEE)",
    .description = "Write simulated evidence, signed by a fresh software key, to OUT. It proves\n"
                   "nothing about the hardware and is refused unless explicitly allowed\n"
                   "(--insecure-allow-sim, or `[sim] allow = true` in the policy).",
    .exit_status = "0 written, 64 usage, 66 OUT cannot be written, 70 internal failure",
    .examples = "enarx attest simulate --measurement 0102 sim.bin",
    .options = simulate_options,
};

/* One option with a value; 0, or a usage error's exit status. */
static int option_value(struct opts_state *st, struct attest_args *a, int id)
{
    const char *val = st->value;
    switch (id) {
    case OPT_ROOTS: a->roots = val; break;
    case OPT_COLLATERAL: a->collateral = val; break;
    case OPT_POLICY: a->policy = val; break;
    case OPT_CERT:
        if (a->cert_count == MAX_CERTS) return opts_error(st, "at most %d --cert", MAX_CERTS);
        a->certs[a->cert_count++] = val;
        break;
    case OPT_OLD_AT:
        return opts_error(st, "--at was renamed --insecure-verify-at (a pinned time accepts "
                              "certificates and CRLs that have expired since)");
    case OPT_AT:
        if (parse_time(val, &a->at) < 0 || a->at == 0)
            return opts_error(st, "--insecure-verify-at: '%s' is not an RFC 3339 time", val);
        fprintf(stderr,
                "enarx attest verify: WARNING: --insecure-verify-at: verifying as of %s, not "
                "now\n",
                val);
        break;
    case OPT_PIN:
        if (a->pin_count == MAX_PINS || parse_pin(val, a->pins[a->pin_count]) < 0)
            return opts_error(st, "--pin: '%s' is not 64 hex digits (or too many pins)", val);
        a->pin_count++;
        break;
    case OPT_ALLOW_SIM: a->allow_sim = true; break;
    case OPT_JSON: a->json = true; break;
    default: a->evidence = val; break; /* OPTS_ARG */
    }
    return 0;
}

/* Returns 0 to go on, or an exit status (help printed: 0 via *done). */
static int parse_args(int argc, char **argv, struct attest_args *a, bool *done,
                      struct opts_state *st)
{
    opts_init(st, &verify_verb, argc, argv);
    for (int id; (id = opts_next(st)) != OPTS_END;) {
        if (id == OPTS_EXIT) {
            *done = true;
            return st->status;
        }
        int rc = option_value(st, a, id);
        if (rc) return rc;
    }
    if (!a->roots) a->roots = getenv("ENARX_ROOTS");
    return 0;
}

/* ---- output ---- */

static void json_hex(json_t *o, const char *key, const uint8_t *b, size_t size)
{
    char hex[257];
    attest_hex(b, size, hex, sizeof(hex));
    json_object_set_new(o, key, json_string(hex));
}

static json_t *json_snp(const struct attest_claims *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "version", json_integer(c->snp_version));
    json_object_set_new(o, "vmpl", json_integer(c->vmpl));
    json_object_set_new(o, "policy", json_integer((json_int_t)c->snp_policy));
    json_object_set_new(o, "smt_allowed", json_boolean(c->snp_policy & ATTEST_SNP_POLICY_SMT));
    json_object_set_new(o, "migration_agent",
                        json_boolean(c->snp_policy & ATTEST_SNP_POLICY_MIGRATE_MA));
    json_object_set_new(o, "guest_svn", json_integer(c->guest_svn));
    json_t *tcb = json_object();
    json_object_set_new(tcb, "bootloader", json_integer(c->tcb.bootloader));
    json_object_set_new(tcb, "tee", json_integer(c->tcb.tee));
    json_object_set_new(tcb, "snp", json_integer(c->tcb.snp));
    json_object_set_new(tcb, "microcode", json_integer(c->tcb.microcode));
    if (strcmp(c->product, "Turin") == 0) json_object_set_new(tcb, "fmc", json_integer(c->tcb.fmc));
    json_object_set_new(o, "reported_tcb", tcb);
    json_hex(o, "host_data", c->host_data, 32);
    json_hex(o, "chip_id", c->chip_id, c->chip_id_size ? c->chip_id_size : 64);
    json_object_set_new(o, "signing_key", json_string(c->signing_key));
    json_hex(o, "id_key_digest", c->id_key_digest, 48);
    json_hex(o, "author_key_digest", c->author_key_digest, 48);
    json_hex(o, "family_id", c->family_id, 16);
    json_hex(o, "image_id", c->image_id, 16);
    return o;
}

static json_t *json_dcap(const struct attest_claims *c)
{
    json_t *o = json_object();
    json_hex(o, "fmspc", c->fmspc, 6);
    json_object_set_new(o, "tcb_status", json_string(c->tcb_status));
    json_object_set_new(o, "collateral", json_string(c->collateral));
    if (c->note[0]) json_object_set_new(o, "note", json_string(c->note));
    json_hex(o, "pck_tcb", c->pck_tcb, 16);
    json_object_set_new(o, "pce_svn", json_integer(c->pce_svn));
    json_hex(o, "cpu_svn", c->cpu_svn, 16);
    if (c->platform == ATTEST_PLATFORM_SGX) {
        json_hex(o, "mrsigner", c->mrsigner, 32);
        json_object_set_new(o, "isv_prod_id", json_integer(c->isv_prod_id));
        json_object_set_new(o, "isv_svn", json_integer(c->isv_svn));
    } else {
        json_hex(o, "tee_tcb_svn", c->tee_tcb_svn, 16);
        json_hex(o, "mrseam", c->mrseam, 48);
        json_t *r = json_array();
        for (size_t i = 0; i < 4; i++) {
            char hex[97];
            attest_hex(c->rtmr[i], 48, hex, sizeof(hex));
            json_array_append_new(r, json_string(hex));
        }
        json_object_set_new(o, "rtmr", r);
    }
    return o;
}

static void print_json(const char *verdict, const struct attest_claims *c, bool valid,
                       const struct attest_decision *d, const char *error)
{
    json_t *o = json_object();
    json_object_set_new(o, "verdict", json_string(verdict));
    if (!valid) {
        json_object_set_new(o, "error", json_string(error));
    } else {
        json_object_set_new(o, "platform", json_string(attest_platform_name(c->platform)));
        json_object_set_new(o, "format", json_string(c->format));
        json_object_set_new(o, "product", json_string(c->product));
        json_object_set_new(o, "debug", json_boolean(c->debug));
        json_hex(o, "measurement", c->measurement, c->measurement_size);
        json_hex(o, "report_data", c->report_data, c->report_data_size);
        json_object_set_new(o, "report_data_bound", json_boolean(c->report_data_bound));
        if (c->platform == ATTEST_PLATFORM_SNP) json_object_set_new(o, "snp", json_snp(c));
        if (c->platform == ATTEST_PLATFORM_TDX || c->platform == ATTEST_PLATFORM_SGX)
            json_object_set_new(o, c->platform == ATTEST_PLATFORM_TDX ? "tdx" : "sgx",
                                json_dcap(c));
        if (!d->allowed) {
            json_object_set_new(o, "rule", json_string(d->rule));
            json_object_set_new(o, "detail", json_string(d->detail));
        }
    }
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s) printf("%s\n", s);
    free(s);
    json_decref(o);
}

static void print_human(const struct attest_claims *c, const struct attest_decision *d)
{
    char hex[129];
    printf("evidence:    %s (%s%s%s)\n", c->format, attest_platform_name(c->platform),
           c->product[0] ? ", " : "", c->product);
    attest_hex(c->measurement, c->measurement_size, hex, sizeof(hex));
    printf("measurement: %s\n", hex);
    if (c->platform == ATTEST_PLATFORM_SNP) {
        printf("tcb:         bootloader=%u tee=%u snp=%u microcode=%u", c->tcb.bootloader,
               c->tcb.tee, c->tcb.snp, c->tcb.microcode);
        if (strcmp(c->product, "Turin") == 0) printf(" fmc=%u", c->tcb.fmc);
        printf("\nsigned by:   %s, VMPL %u\n", c->signing_key, c->vmpl);
    }
    if (c->has_fmspc) {
        attest_hex(c->fmspc, 6, hex, sizeof(hex));
        printf("fmspc:       %s\ntcb status:  %s (collateral: %s)\n", hex, c->tcb_status,
               c->collateral);
    }
    printf("debug:       %s\n", c->debug ? "yes" : "no");
    if (c->report_data_bound)
        printf("binding:     REPORT_DATA holds the hash of the CSR's public key\n");
    if (d->allowed)
        printf("verdict:     allowed\n");
    else
        printf("verdict:     refused by policy rule '%s': %s\n", d->rule, d->detail);
}

/* ---- the command ---- */

static int exit_for(int rc)
{
    if (rc == -ENOMEM) return EXIT_INTERNAL;
    if (rc == -ENOENT || rc == -EIO || rc == -EACCES || rc == -EFBIG || rc == -EISDIR)
        return EXIT_IO;
    return rc == -EINVAL ? EXIT_USAGE : EXIT_INVALID;
}

static int load_certs(const struct attest_args *a, uint8_t **bufs, size_t *sizes)
{
    for (size_t i = 0; i < a->cert_count; i++) {
        int rc = util_file_read(a->certs[i], 1u << 20, &bufs[i], &sizes[i]);
        if (rc < 0) {
            fprintf(stderr, "enarx attest verify: %s: %s\n", a->certs[i], strerror(-rc));
            return EXIT_IO;
        }
    }
    return 0;
}

static int load_setup(const struct attest_args *a, struct attest_policy *pol,
                      struct attest_roots **roots, struct attest_error *err)
{
    int rc = 0;
    if (a->policy && (rc = attest_policy_load(a->policy, pol, err)) < 0) {
        fprintf(stderr, "enarx attest verify: %s\n", err->msg);
        return rc == -EINVAL ? EXIT_USAGE : exit_for(rc);
    }
    if (a->allow_sim) pol->allow_sim = true;
    if (!a->roots) return 0;
    const uint8_t(*pins)[32] = (const uint8_t(*)[32])a->pins;
    struct attest_pins own = {pins, a->pin_count};
    rc = attest_roots_load(a->roots, a->pin_count ? &own : NULL, roots, err);
    if (rc < 0) {
        fprintf(stderr, "enarx attest verify: --roots: %s\n", err->msg);
        return rc == -ENOENT || rc == -EIO ? EXIT_IO : EXIT_USAGE;
    }
    return 0;
}

static int report(const struct attest_args *a, int rc, const struct attest_claims *c,
                  const struct attest_policy *pol, const struct attest_error *err)
{
    struct attest_decision d = {.allowed = false};
    if (rc < 0) {
        if (a->json) print_json("invalid", c, false, &d, err->msg);
        fprintf(stderr, "enarx attest verify: not valid: %s\n", err->msg);
        return exit_for(rc) == EXIT_INTERNAL ? EXIT_INTERNAL : EXIT_INVALID;
    }
    attest_policy_check(pol, c, &d);
    if (c->platform == ATTEST_PLATFORM_SIM)
        fprintf(stderr, "enarx attest verify: WARNING: simulated evidence proves no TEE; %s\n",
                d.allowed ? "accepted only because the policy or flag says so" : "refused");
    if (d.allowed && d.insecure[0])
        fprintf(stderr, "enarx attest verify: WARNING: allowed only by the insecure rule %s\n",
                d.insecure);
    if (a->json)
        print_json(d.allowed ? "allowed" : "refused", c, true, &d, NULL);
    else
        print_human(c, &d);
    return d.allowed ? 0 : EXIT_REFUSED;
}

static int run(const struct opts_state *st, const struct attest_args *a, uint8_t **bufs,
               size_t *sizes)
{
    struct attest_policy pol;
    struct attest_roots *roots = NULL;
    struct attest_error err = {{0}};
    struct attest_claims claims;
    uint8_t *ev = NULL;
    size_t ev_size = 0;
    attest_policy_init(&pol);
    int status = load_setup(a, &pol, &roots, &err);
    if (status != 0) goto out;
    int rc = util_file_read(a->evidence, MAX_EVIDENCE, &ev, &ev_size);
    if (rc < 0) {
        fprintf(stderr, "enarx attest verify: %s: %s\n", a->evidence, strerror(-rc));
        status = EXIT_IO;
        goto out;
    }
    if (!roots && attest_format_detect(ev, ev_size) != ATTEST_FORMAT_SIM) {
        status = opts_error(st, "hardware evidence needs --roots DIR (or ENARX_ROOTS)");
        goto out;
    }
    struct attest_verify_opts opts = {
        roots, (const uint8_t *const *)bufs, sizes, a->cert_count, a->collateral, a->at};
    rc = attest_evidence_verify(ev, ev_size, &opts, &claims, &err);
    status = report(a, rc, &claims, &pol, &err);
out:
    free(ev);
    attest_roots_free(roots);
    attest_policy_free(&pol);
    return status;
}

/* ---- simulate ---- */

static int hex_arg(const char *s, uint8_t *out, size_t max)
{
    size_t n = strlen(s);
    memset(out, 0, max);
    if (n % 2 || n / 2 > max) return -1;
    return util_hex_decode(s, n, out) == 0 ? 0 : -1;
}

static int write_file(const char *path, const uint8_t *buf, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, size, f) != size) {
        if (f) fclose(f);
        fprintf(stderr, "enarx attest simulate: %s: %s\n", path, strerror(errno));
        return EXIT_IO;
    }
    return fclose(f) == 0 ? 0 : EXIT_IO;
}

static int cmd_simulate(int argc, char **argv)
{
    uint8_t m[48] = {0}, rd[64] = {0};
    const char *out = NULL;
    struct opts_state st;
    opts_init(&st, &simulate_verb, argc, argv);
    for (int id; (id = opts_next(&st)) != OPTS_END;) {
        if (id == OPTS_EXIT) return st.status;
        if (id == OPT_MEASUREMENT && hex_arg(st.value, m, sizeof(m)) < 0)
            return opts_error(&st, "--measurement: '%s' is not hex of at most 48 bytes", st.value);
        if (id == OPT_REPORT_DATA && hex_arg(st.value, rd, sizeof(rd)) < 0)
            return opts_error(&st, "--report-data: '%s' is not hex of at most 64 bytes", st.value);
        if (id == OPTS_ARG) out = st.value;
    }
    EVP_PKEY *key = EVP_EC_gen("P-256");
    uint8_t *ev = NULL;
    size_t size = 0;
    int rc = key ? attest_sim_make(m, rd, key, &ev, &size) : -ENOMEM;
    EVP_PKEY_free(key);
    if (rc < 0) {
        fprintf(stderr, "enarx attest simulate: %s\n", strerror(-rc));
        return EXIT_INTERNAL;
    }
    fprintf(stderr, "enarx attest simulate: WARNING: simulated evidence proves no TEE\n");
    rc = write_file(out, ev, size);
    free(ev);
    return rc;
}

static int cmd_verify(int argc, char **argv)
{
    struct attest_args a = {0};
    struct opts_state st;
    bool done = false;
    int status = parse_args(argc, argv, &a, &done, &st);
    if (status != 0 || done) return status;
    if (a.allow_sim)
        fprintf(stderr, "enarx attest verify: WARNING: --insecure-allow-sim: simulated evidence "
                        "will be accepted; it proves nothing about the hardware\n");
    uint8_t *bufs[MAX_CERTS] = {0};
    size_t sizes[MAX_CERTS] = {0};
    status = load_certs(&a, bufs, sizes);
    if (status == 0) status = run(&st, &a, bufs, sizes);
    for (size_t i = 0; i < MAX_CERTS; i++)
        free(bufs[i]);
    return status;
}

static const struct opts_command attest_commands[] = {
    {"verify", &verify_verb, cmd_verify, NULL},
    {"simulate", &simulate_verb, cmd_simulate, NULL},
    {0},
};

const struct opts_verb cli_attest_verb = {
    .name = "attest",
    .args = "COMMAND [ARGS]...",
    .min_args = 1,
    .max_args = -1,
    .flags = OPTS_STOP_AT_ARG,
    .summary = "verify attestation evidence, or simulate some",
    .description = "Verify what a Keep proves about itself (SEV-SNP, TDX, SGX or Enarx evidence)\n"
                   "against trust anchors and the owner's policy; write simulated evidence for\n"
                   "machines without a TEE.",
    .examples = "enarx attest verify --roots roots report.bin\n"
                "enarx attest simulate sim.bin",
    .commands = attest_commands,
};

int cmd_attest(int argc, char **argv)
{
    return opts_run_group(&cli_attest_verb, argc, argv);
}
