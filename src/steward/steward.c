/* SPDX-License-Identifier: Apache-2.0 */
/*
 * steward.c - making a configured Steward: the CA, the trust anchors, the policy, the names put
 * in certificates. Done once at start; the result is immutable and shared by every thread.
 *
 * Insecure settings are loud here, once at start (each simulated issuance is logged again by
 * handler.c): allowing simulated evidence, and pinning the verification time (meant only for
 * testing recorded evidence whose certificates have since expired).
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
                 cfg->insecure_allow_sim ? "--insecure-allow-sim" : "the policy's [sim] allow");
    if (s->policy.allow_kvm)
        log_warn("INSECURE: kvm \"evidence\" (which proves nothing) is allowed by the policy");
    if (cfg->verify_at)
        log_warn("evidence is verified at a pinned time (--verify-at), not now: for testing "
                 "recorded evidence only");
}

int steward_new(const struct steward_config *cfg, struct steward **out, char *err, size_t err_size)
{
    struct steward *s = calloc(1, sizeof(*s));
    if (!s) return -ENOMEM;
    int rc = steward_ca_load(cfg->key_path, cfg->crt_path, &s->ca, err, err_size);
    if (rc == 0) rc = load_trust(s, cfg, err, err_size);
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

void steward_free(struct steward *s)
{
    if (!s) return;
    steward_ca_free(s->ca);
    attest_roots_free(s->roots);
    attest_policy_free(&s->policy);
    for (size_t i = 0; s->hosts && s->hosts[i]; i++)
        free(s->hosts[i]);
    free(s->hosts);
    free(s);
}
