/* SPDX-License-Identifier: Apache-2.0 */
/*
 * steward.c - making a configured Steward: the CA, the trust anchors, the policy, the names put
 * in certificates. Done once at start; the result is immutable and shared by every thread.
 *
 * Insecure settings are loud here, once at start, and again on each request that uses one
 * (handler.c): allowing simulated evidence, issuing without a measurement allow-list, pinning
 * the verification time (meant only for testing recorded evidence whose certificates have since
 * expired), and every insecure_* key of the policy.
 *
 * A Steward certifies a service name to whatever its policy accepts. Without a measurement
 * allow-list that is any genuine TEE guest, i.e. anyone who rents an SNP or TDX VM anywhere, so
 * steward_new_opts() refuses to start unless every accepted platform has an allow-list or the
 * operator says --insecure-any-measurement.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "steward/internal.h"

static int copy_hosts(struct steward *s, const struct steward_config *cfg, char *err,
                      size_t err_size)
{
    if (cfg->host_count > STEWARD_MAX_HOSTS)
        return steward_fail(err, err_size, -EINVAL, "--host: at most %u names", STEWARD_MAX_HOSTS);
    s->hosts = calloc(cfg->host_count + 1, sizeof(*s->hosts));
    if (!s->hosts) return -ENOMEM;
    for (size_t i = 0; i < cfg->host_count; i++) {
        size_t n = strlen(cfg->hosts[i]);
        if (n == 0 || n > 253)
            return steward_fail(err, err_size, -EINVAL, "--host '%s': 1 to 253 characters",
                                cfg->hosts[i]);
        s->hosts[i] = strdup(cfg->hosts[i]);
        if (!s->hosts[i]) return -ENOMEM;
        s->host_count++;
    }
    return 0;
}

static int load_trust(struct steward *s, const struct steward_config *cfg, char *err,
                      size_t err_size)
{
    struct attest_error aerr = {{0}};
    int rc;
    attest_policy_init(&s->policy);
    if (cfg->roots_dir) {
        rc = attest_roots_load(cfg->roots_dir, NULL, &s->roots, &aerr);
        if (rc < 0)
            return steward_fail(err, err_size, rc, "--roots %s: %s", cfg->roots_dir,
                                aerr.msg[0] ? aerr.msg : strerror(-rc));
    } else {
        log_warn("no --roots: hardware evidence (SNP, SGX, TDX) cannot be verified and is refused");
    }
    if (cfg->policy_path) {
        rc = attest_policy_load(cfg->policy_path, &s->policy, &aerr);
        if (rc < 0)
            return steward_fail(err, err_size, rc, "--policy %s: %s", cfg->policy_path,
                                aerr.msg[0] ? aerr.msg : strerror(-rc));
    }
    if (cfg->insecure_allow_sim) s->policy.allow_sim = true;
    return 0;
}

static void warn_insecure(const struct steward *s, const struct steward_config *cfg)
{
    if (s->policy.allow_sim)
        log_warn("INSECURE: simulated evidence is allowed (%s): certificates will be issued to "
                 "Keeps that run on no TEE at all",
                 cfg->insecure_allow_sim ? "--insecure-allow-sim"
                                         : "the policy's [sim] insecure_allow");
    if (s->policy.allow_kvm)
        log_warn("INSECURE: kvm \"evidence\" (which proves nothing) is allowed by the policy's "
                 "[kvm] insecure_allow");
    if (cfg->verify_at)
        log_warn("INSECURE: evidence is verified at a pinned time (--insecure-verify-at), not "
                 "now: for testing recorded evidence only");
    const struct attest_dcap_policy *dp[2] = {&s->policy.tdx, &s->policy.sgx};
    for (size_t i = 0; i < 2; i++) {
        const char *name = i ? "sgx" : "tdx";
        if (dp[i]->insecure_accept_unknown_tcb)
            log_warn("INSECURE: the policy's %s.insecure_accept_unknown_tcb accepts quotes whose "
                     "TCB status nobody checked (no collateral)",
                     name);
        if (dp[i]->insecure_accept_expired_signer)
            log_warn("INSECURE: the policy's %s.insecure_accept_expired_signer trusts collateral "
                     "signed by an expired certificate",
                     name);
    }
}

/* The measurement allow-lists: required, unless the operator said otherwise. */
static int measured_check(struct steward *s, const struct steward_options *opts, char *err,
                          size_t err_size)
{
    char key[48];
    enum attest_platform p = attest_policy_unmeasured(&s->policy, key, sizeof(key));
    if (p == ATTEST_PLATFORM_NONE) return 0;
    s->any_measurement = true;
    if (!opts)
        log_warn("the policy accepts %s without a measurement allow-list (%s)",
                 attest_platform_name(p), key);
    else if (opts->insecure_any_measurement)
        log_warn("INSECURE: --insecure-any-measurement: the policy accepts %s without a "
                 "measurement allow-list (%s): any genuine %s guest anywhere gets a certificate "
                 "for the service names",
                 attest_platform_name(p), key, attest_platform_name(p));
    else
        return steward_fail(
            err, err_size, -EINVAL,
            "the policy accepts %s without a measurement allow-list: any genuine %s guest "
            "would get a certificate. Set %s in --policy, or refuse the platform (%s.%sallow = "
            "false), or start with --insecure-any-measurement",
            attest_platform_name(p), attest_platform_name(p), key, attest_platform_name(p),
            p == ATTEST_PLATFORM_SIM ? "insecure_" : "");
    return 0;
}

int steward_collateral_reload(const char *dir, char *err, size_t err_size)
{
    struct attest_collateral *c = NULL;
    struct attest_error aerr = {{0}};
    int rc = attest_collateral_load(dir, &c, &aerr);
    if (rc < 0)
        return steward_fail(err, err_size, rc, "--collateral %s: %s", dir,
                            aerr.msg[0] ? aerr.msg : strerror(-rc));
    log_info("collateral: %zu files from %s", attest_collateral_count(c), dir);
    attest_collateral_install(c);
    return 0;
}

static int new_steward(const struct steward_config *cfg, const struct steward_options *opts,
                       struct steward **out, char *err, size_t err_size)
{
    struct steward *s = calloc(1, sizeof(*s));
    if (!s) return -ENOMEM;
    int rc = steward_ca_load(cfg->key_path, cfg->crt_path, &s->ca, err, err_size);
    if (rc == 0) rc = load_trust(s, cfg, err, err_size);
    if (rc == 0) rc = measured_check(s, opts, err, err_size);
    if (rc == 0 && opts && opts->collateral_dir) {
        rc = steward_collateral_reload(opts->collateral_dir, err, err_size);
        s->collateral = rc == 0;
    }
    if (rc == 0) rc = copy_hosts(s, cfg, err, err_size);
    if (rc < 0) {
        if (rc == -ENOMEM) steward_fail(err, err_size, rc, "out of memory");
        steward_free(s);
        return rc;
    }
    s->lifetime = cfg->lifetime ? cfg->lifetime : STEWARD_DEFAULT_LIFETIME;
    s->verify_at = cfg->verify_at;
    warn_insecure(s, cfg);
    *out = s;
    return 0;
}

int steward_new_opts(const struct steward_config *cfg, const struct steward_options *opts,
                     struct steward **out, char *err, size_t err_size)
{
    static const struct steward_options secure = {0};
    return new_steward(cfg, opts ? opts : &secure, out, err, err_size);
}

int steward_new(const struct steward_config *cfg, struct steward **out, char *err, size_t err_size)
{
    return new_steward(cfg, NULL, out, err, err_size);
}

void steward_free(struct steward *s)
{
    if (!s) return;
    if (s->collateral) attest_collateral_install(NULL);
    steward_ca_free(s->ca);
    attest_roots_free(s->roots);
    attest_policy_free(&s->policy);
    for (size_t i = 0; s->hosts && s->hosts[i]; i++)
        free(s->hosts[i]);
    free(s->hosts);
    free(s);
}
