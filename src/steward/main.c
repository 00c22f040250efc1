/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - the enarx-steward binary: flags, start, wait for a signal, stop.
 *
 * Flags follow Enarx's steward (-k/--key, -c/--crt, -a/--addr, -p/--port, --host) plus this
 * project's (--roots, --policy, --insecure-allow-sim, --insecure-any-measurement,
 * --tls-cert/--tls-key, limits, and the testing-only --insecure-verify-at). Every switch that
 * weakens what is certified is spelled insecure; a renamed switch's old name is refused with an
 * error that names the new one. Signals are blocked before the server's threads exist, so they
 * inherit the mask and only the main thread, in sigwait(), ever sees SIGINT/SIGTERM. When
 * listening, one line "enarx-steward: listening on URL" goes to stdout (scripts wait for it).
 * Exit statuses: 0 after a signal, 1 when the Steward cannot start, 64 for usage errors.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "steward/steward.h"

#ifndef ENARX_VERSION
#define ENARX_VERSION "0.0.0"
#endif

#define EXIT_USAGE 64
#define TLS_FILE_MAX (1024u * 1024u)

struct args {
    struct steward_config cfg;
    struct steward_options opts;
    struct steward_listen listen;
    struct steward_limits limits;
    unsigned long cache;
    const char *hosts[STEWARD_MAX_HOSTS];
    const char *tls_cert, *tls_key;
};

enum {
    OPT_HOST = 256,
    OPT_ROOTS,
    OPT_POLICY,
    OPT_ALLOW_SIM,
    OPT_TLS_CERT,
    OPT_TLS_KEY,
    OPT_LIFETIME,
    OPT_THREADS,
    OPT_TIMEOUT,
    OPT_MAX_CONNS,
    OPT_PER_IP,
    OPT_DEADLINE,
    OPT_VERIFY_AT,
    OPT_OLD_VERIFY_AT,
    OPT_ANY_MEASUREMENT,
    OPT_COLLATERAL,
    OPT_LOG_LEVEL,
    OPT_CACHE,
    OPT_VERSION,
};

static const struct option g_options[] = {
    {"key", required_argument, NULL, 'k'},
    {"crt", required_argument, NULL, 'c'},
    {"addr", required_argument, NULL, 'a'},
    {"port", required_argument, NULL, 'p'},
    {"host", required_argument, NULL, OPT_HOST},
    {"roots", required_argument, NULL, OPT_ROOTS},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"insecure-allow-sim", no_argument, NULL, OPT_ALLOW_SIM},
    {"tls-cert", required_argument, NULL, OPT_TLS_CERT},
    {"tls-key", required_argument, NULL, OPT_TLS_KEY},
    {"lifetime", required_argument, NULL, OPT_LIFETIME},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"max-connections", required_argument, NULL, OPT_MAX_CONNS},
    {"max-connections-per-ip", required_argument, NULL, OPT_PER_IP},
    {"request-deadline", required_argument, NULL, OPT_DEADLINE},
    {"insecure-verify-at", required_argument, NULL, OPT_VERIFY_AT},
    {"verify-at", required_argument, NULL, OPT_OLD_VERIFY_AT},
    {"insecure-any-measurement", no_argument, NULL, OPT_ANY_MEASUREMENT},
    {"collateral", required_argument, NULL, OPT_COLLATERAL},
    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
    {"verify-cache", required_argument, NULL, OPT_CACHE},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *f)
{
    fputs("usage: enarx-steward -k KEY -c CRT [options]\n"
          "       enarx-steward layout-collateral DIR FILE...   (see docs/steward.md)\n"
          "  -k, --key FILE          CA private key (PEM)\n"
          "  -c, --crt FILE          CA certificate (PEM; its issuers may follow)\n"
          "  -a, --addr ADDR         listen address (default ::, IPv6 and IPv4)\n"
          "  -p, --port PORT         listen port (default 3000; 0 picks a free one)\n"
          "      --host NAME         name put in issued certificates (repeatable; IP or DNS)\n"
          "      --roots DIR         trust anchors (DIR/amd/..., DIR/intel/...; or ENARX_ROOTS)\n"
          "      --policy FILE       the owner's policy (TOML, see docs/attestation.md)\n"
          "      --collateral DIR    CRLs, TCB infos, QE identities (docs/steward.md); reloaded\n"
          "                          on SIGHUP\n"
          "      --insecure-allow-sim  issue to simulated evidence (no TEE!): testing only\n"
          "      --insecure-any-measurement  issue to platforms the policy accepts without a\n"
          "                          measurement allow-list (any genuine guest anywhere!)\n"
          "      --tls-cert FILE     serve HTTPS with this certificate chain (PEM)\n"
          "      --tls-key FILE      ... and this key (PEM)\n"
          "      --lifetime SECONDS  lifetime of issued certificates (default 86400)\n"
          "      --threads N         worker threads (default: one per CPU)\n"
          "      --timeout SECONDS   close connections idle this long (default 10)\n"
          "      --max-connections N simultaneous connections (default 1024)\n"
          "      --max-connections-per-ip N  ... from one client address (default 64)\n"
          "      --request-deadline SECONDS  cut a request not answered this long after its\n"
          "                          first byte, however steadily it trickles (default 15)\n"
          "      --insecure-verify-at TIME  verify evidence at this RFC 3339 time instead of\n"
          "                          now: only for testing recorded evidence\n"
          "      --verify-cache N    remember N verified certificate chains (default 4096;\n"
          "                          0: off); validity times are still checked every time\n"
          "      --log-level LEVEL   error, warn, info (default), debug\n",
          f);
}

static int bad(const char *opt, const char *val, const char *want)
{
    fprintf(stderr, "enarx-steward: %s '%s': %s\n", opt, val, want);
    return -EINVAL;
}

static int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
    char *end = NULL;
    if (!isdigit((unsigned char)s[0])) return -EINVAL;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v < min || v > max) return -EINVAL;
    *out = v;
    return 0;
}

/* YYYY-MM-DDTHH:MM:SSZ (or with a +HH:MM/-HH:MM offset; fractions of a second ignored). */
static int parse_time(const char *s, time_t *out)
{
    struct tm tm = {0};
    int n = 0, oh = 0, om = 0;
    char sign = 'Z';
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &n) != 6 ||
        n != 19)
        return -EINVAL;
    const char *p = s + n;
    if (*p == '.')
        for (p++; isdigit((unsigned char)*p); p++)
            ;
    if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) == 2 && n == 5 &&
        p[6] == '\0')
        sign = *p;
    else if (!((*p == 'Z' || *p == 'z') && p[1] == '\0'))
        return -EINVAL;
    if (tm.tm_year < 1970 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60 || oh > 23 || om > 59)
        return -EINVAL;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    long off = (oh * 3600L + om * 60L) * (sign == '-' ? -1 : 1);
    *out = t - (sign == 'Z' ? 0 : off);
    return *out > 0 ? 0 : -EINVAL;
}

static int set_number(int opt, const char *val, struct args *a)
{
    unsigned long v;
    switch (opt) {
    case 'p':
        if (parse_ulong(val, 0, 65535, &v) < 0) return bad("--port", val, "expected 0..65535");
        a->listen.port = (uint16_t)v;
        return 0;
    case OPT_LIFETIME:
        if (parse_ulong(val, 60, 10ul * 365 * 86400, &v) < 0)
            return bad("--lifetime", val, "expected seconds, 60 to 10 years");
        a->cfg.lifetime = v;
        return 0;
    case OPT_THREADS:
        if (parse_ulong(val, 1, 256, &v) < 0) return bad("--threads", val, "expected 1..256");
        a->listen.threads = (unsigned)v;
        return 0;
    case OPT_CACHE:
        if (parse_ulong(val, 0, ATTEST_CACHE_MAX_ENTRIES, &v) < 0)
            return bad("--verify-cache", val, "expected 0..65536");
        a->cache = v;
        return 0;
    case OPT_TIMEOUT:
        if (parse_ulong(val, 1, 3600, &v) < 0)
            return bad("--timeout", val, "expected seconds, 1..3600");
        a->listen.timeout = (unsigned)v;
        return 0;
    case OPT_DEADLINE:
        if (parse_ulong(val, 1, 3600, &v) < 0)
            return bad("--request-deadline", val, "expected seconds, 1..3600");
        a->limits.deadline = (unsigned)v;
        return 0;
    case OPT_PER_IP:
        if (parse_ulong(val, 1, 1000000, &v) < 0)
            return bad("--max-connections-per-ip", val, "expected 1..1000000");
        a->limits.per_ip = (unsigned)v;
        return 0;
    default:
        if (parse_ulong(val, 1, 1000000, &v) < 0)
            return bad("--max-connections", val, "expected 1..1000000");
        a->listen.max_conns = (unsigned)v;
        return 0;
    }
}

static int set_option(int opt, const char *val, struct args *a)
{
    enum log_level level;
    switch (opt) {
    case 'k': a->cfg.key_path = val; return 0;
    case 'c': a->cfg.crt_path = val; return 0;
    case 'a': a->listen.addr = val; return 0;
    case OPT_ROOTS: a->cfg.roots_dir = val; return 0;
    case OPT_POLICY: a->cfg.policy_path = val; return 0;
    case OPT_ALLOW_SIM: a->cfg.insecure_allow_sim = true; return 0;
    case OPT_TLS_CERT: a->tls_cert = val; return 0;
    case OPT_TLS_KEY: a->tls_key = val; return 0;
    case OPT_HOST:
        if (a->cfg.host_count >= STEWARD_MAX_HOSTS) return bad("--host", val, "too many names");
        a->hosts[a->cfg.host_count++] = val;
        return 0;
    case OPT_VERIFY_AT:
        return parse_time(val, &a->cfg.verify_at) < 0
                   ? bad("--insecure-verify-at", val,
                         "expected RFC 3339, e.g. 2024-01-01T00:00:00Z")
                   : 0;
    case OPT_OLD_VERIFY_AT:
        return bad("--verify-at", val,
                   "renamed --insecure-verify-at (verifying at a pinned time accepts expired "
                   "certificates)");
    case OPT_ANY_MEASUREMENT: a->opts.insecure_any_measurement = true; return 0;
    case OPT_COLLATERAL: a->opts.collateral_dir = val; return 0;
    case OPT_LOG_LEVEL:
        if (log_level_parse(val, &level) < 0)
            return bad("--log-level", val, "expected error, warn, info or debug");
        log_set_level(level);
        return 0;
    default: return set_number(opt, val, a);
    }
}

/* Returns 0 to go on, 1 after --help/--version, or -EINVAL. */
static int parse_args(int argc, char **argv, struct args *a)
{
    int opt;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":k:c:a:p:h", g_options, NULL)) != -1) {
        if (opt == 'h') {
            usage(stdout);
            return 1;
        }
        if (opt == OPT_VERSION) {
            printf("enarx-steward %s\n", ENARX_VERSION);
            return 1;
        }
        if (opt == '?' || opt == ':') {
            fprintf(stderr, "enarx-steward: %s '%s'\n",
                    opt == ':' ? "missing value for" : "unknown option", argv[optind - 1]);
            return -EINVAL;
        }
        if (set_option(opt, optarg, a) < 0) return -EINVAL;
    }
    if (optind < argc) {
        fprintf(stderr, "enarx-steward: unexpected argument '%s'\n", argv[optind]);
        return -EINVAL;
    }
    if (!a->cfg.key_path || !a->cfg.crt_path || !a->tls_cert != !a->tls_key) {
        fprintf(stderr, "enarx-steward: -k/--key and -c/--crt are required, and --tls-cert and "
                        "--tls-key go together\n");
        return -EINVAL;
    }
    if (!a->cfg.roots_dir) a->cfg.roots_dir = getenv("ENARX_ROOTS");
    a->cfg.hosts = a->hosts;
    return 0;
}

static int read_text(const char *path, char **out)
{
    uint8_t *buf = NULL;
    size_t size = 0;
    int rc = util_file_read(path, TLS_FILE_MAX, &buf, &size);
    if (rc < 0) {
        fprintf(stderr, "enarx-steward: %s: %s\n", path, strerror(-rc));
        return rc;
    }
    char *s = realloc(buf, size + 1);
    if (!s) {
        free(buf);
        return -ENOMEM;
    }
    s[size] = '\0';
    *out = s;
    return 0;
}

static int serve(struct steward *s, const struct args *a)
{
    struct steward_listen l = a->listen;
    char *cert = NULL, *key = NULL;
    struct steward_server *srv = NULL;
    int rc = 0;
    if (a->tls_cert && (read_text(a->tls_cert, &cert) < 0 || read_text(a->tls_key, &key) < 0))
        goto out;
    l.tls_cert_pem = cert;
    l.tls_key_pem = key;
    rc = steward_server_start_limits(s, &l, &a->limits, &srv);
    if (rc < 0) {
        fprintf(stderr, "enarx-steward: cannot listen on %s port %u: %s\n",
                l.addr ? l.addr : "::", l.port,
                rc == -EINVAL ? "bad address, or TLS unsupported" : strerror(-rc));
        goto out;
    }
    const char *addr = l.addr ? l.addr : "::";
    printf("enarx-steward: listening on %s://%s%s%s:%u\n", cert ? "https" : "http",
           strchr(addr, ':') ? "[" : "", addr, strchr(addr, ':') ? "]" : "",
           steward_server_port(srv));
    fflush(stdout);
    sigset_t set;
    int sig = 0;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP) {
        char err[512] = "";
        if (!a->opts.collateral_dir)
            log_info("SIGHUP: no --collateral to reload");
        else if (steward_collateral_reload(a->opts.collateral_dir, err, sizeof(err)) < 0)
            log_error("SIGHUP: %s; keeping the collateral loaded before", err);
        else
            log_info("SIGHUP: collateral reloaded");
    }
    log_info("signal %d: stopping", sig);
    steward_server_stop(srv);
    rc = 1;
out:
    if (key) memset(key, 0, strlen(key));
    free(key);
    free(cert);
    return rc == 1 ? 0 : 1;
}

/* mkdir -p of the directories leading to path (not the last component). */
static int make_parents(char *path)
{
    for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
        *p = '\0';
        int rc = mkdir(path, 0755);
        *p = '/';
        if (rc < 0 && errno != EEXIST) return -errno;
    }
    return 0;
}

/* Writes buf to path through a temporary file and rename(2), so a reader never sees half. */
static int write_atomically(const char *path, const uint8_t *buf, size_t size)
{
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) return -errno;
    bool ok = fwrite(buf, 1, size, f) == size;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) < 0) {
        int e = errno ? -errno : -EIO;
        unlink(tmp);
        return e;
    }
    return 0;
}

/*
 * enarx-steward layout-collateral DIR FILE...: files collateral an operator downloaded (AMD
 * CRLs, Intel PCK/root CRLs, TCB infos, QE identities, the TCB signing chain) into the layout
 * --collateral reads, by their content; then loads DIR as the Steward would. Exit 0, 1 (a file
 * that is not collateral, or DIR does not load), 64 (usage).
 */
static int layout_collateral(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: enarx-steward layout-collateral DIR FILE...\n", stderr);
        return EXIT_USAGE;
    }
    const char *dir = argv[0];
    for (int i = 1; i < argc; i++) {
        uint8_t *buf = NULL;
        size_t size = 0;
        char rel[256], path[4096];
        int rc = util_file_read(argv[i], 4u << 20, &buf, &size);
        if (rc == 0 && attest_collateral_place(buf, size, rel, sizeof(rel)) < 0) rc = -EINVAL;
        if (rc == 0) {
            snprintf(path, sizeof(path), "%s/%s", dir, rel);
            rc = make_parents(path);
        }
        if (rc == 0) rc = write_atomically(path, buf, size);
        free(buf);
        if (rc < 0) {
            fprintf(stderr, "enarx-steward: %s: %s\n", argv[i],
                    rc == -EINVAL ? "not a collateral file (CRL, TCB info, QE identity, chain)"
                                  : strerror(-rc));
            return 1;
        }
        printf("%s -> %s\n", argv[i], path);
    }
    struct attest_collateral *c = NULL;
    struct attest_error err = {{0}};
    if (attest_collateral_load(dir, &c, &err) < 0) {
        fprintf(stderr, "enarx-steward: %s does not load: %s\n", dir, err.msg);
        return 1;
    }
    printf("%s: %zu collateral files\n", dir, attest_collateral_count(c));
    attest_collateral_free(c);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "layout-collateral") == 0)
        return layout_collateral(argc - 2, argv + 2);
    struct args a;
    memset(&a, 0, sizeof(a));
    a.listen.port = STEWARD_DEFAULT_PORT;
    a.cache = 4096;
    log_set_prefix("enarx-steward"); /* its log lines say who speaks, as its other messages do */
    if (!getenv("ENARX_LOG")) log_set_level(LOG_INFO);
    (void)log_get_level(); /* settle the level before any thread logs */
    int rc = parse_args(argc, argv, &a);
    if (rc != 0) return rc > 0 ? 0 : EXIT_USAGE;

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct steward *s = NULL;
    char err[512] = "";
    rc = steward_new_opts(&a.cfg, &a.opts, &s, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "enarx-steward: %s\n", err[0] ? err : strerror(-rc));
        return 1;
    }
    if (a.cache && attest_cache_enable(a.cache) < 0)
        log_warn("the verification cache could not be enabled: every chain is verified in full");
    rc = serve(s, &a);
    attest_cache_disable();
    steward_free(s);
    return rc;
}
