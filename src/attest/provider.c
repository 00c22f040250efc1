/* SPDX-License-Identifier: Apache-2.0 */
/*
 * provider.c - evidence providers inside a Keep: which one this machine offers, configfs-tsm
 * (SEV-SNP and TDX guests) and the simulated platform.
 *
 * configfs-tsm (Linux 6.7+) is one interface for every TEE: create a directory under
 * /sys/kernel/config/tsm/report, write the 64 bytes of REPORT_DATA to its "inblob", read the
 * evidence from "outblob" (an SNP report or a TDX quote) and, for SNP, the host's certificate
 * table from "auxblob". The "provider" attribute names the driver ("sev_guest", "tdx_guest").
 * The "generation" attribute counts writes: it is read after our write and again after our
 * reads, and a change means another process wrote in between, so the outblob may not be ours.
 * Beyond that, the report is parsed and its REPORT_DATA must equal what we wrote: a host (or a
 * racing writer) that returns evidence for other data is caught there, whatever the kernel did.
 *
 * Paths go through provider_path(), which prefixes a root (env->sysroot or $ENARX_SYSROOT):
 * tests build a directory with plain files shaped like the configfs tree (an entry directory
 * created beforehand with a recorded outblob), since an existing entry is reused (mkdir EEXIST)
 * just as on a real configfs. Plain files cannot play the generation counter, which is why the
 * check compares two reads rather than expecting an increment.
 *
 * The simulated provider is used where nothing else exists. It is no TEE: attest_provider_get
 * says so at warning level every time it makes simulated evidence.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/internal.h"
#include "attest/provider.h"

#define TSM_REPORT_DIR "/sys/kernel/config/tsm/report"
#define TSM_SMALL_ATTR 64u /* provider and generation: short text */

/* A configfs-tsm report entry in use. */
struct tsm {
    char dir[PATH_MAX];
    bool created; /* we made it, so we remove it */
};

const char *attest_provider_name(enum attest_provider p)
{
    switch (p) {
    case ATTEST_PROVIDER_SNP_TSM: return "snp-configfs-tsm";
    case ATTEST_PROVIDER_SNP_DEV: return "snp-sev-guest";
    case ATTEST_PROVIDER_TDX_TSM: return "tdx-configfs-tsm";
    case ATTEST_PROVIDER_SIM: return "simulated";
    case ATTEST_PROVIDER_NONE: break;
    }
    return "none";
}

enum attest_platform attest_provider_platform(enum attest_provider p)
{
    switch (p) {
    case ATTEST_PROVIDER_SNP_TSM:
    case ATTEST_PROVIDER_SNP_DEV: return ATTEST_PLATFORM_SNP;
    case ATTEST_PROVIDER_TDX_TSM: return ATTEST_PLATFORM_TDX;
    case ATTEST_PROVIDER_SIM: return ATTEST_PLATFORM_SIM;
    case ATTEST_PROVIDER_NONE: break;
    }
    return ATTEST_PLATFORM_NONE;
}

int provider_path(const struct attest_provider_env *env, const char *rel, char out[PATH_MAX])
{
    const char *root = env ? env->sysroot : NULL;
    if (!root) root = getenv("ENARX_SYSROOT");
    if (!root) root = "";
    int n = snprintf(out, PATH_MAX, "%s%s", root, rel);
    return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

static int tsm_open(const struct attest_provider_env *env, struct tsm *t)
{
    char rel[PATH_MAX];
    memset(t, 0, sizeof(*t));
    if (env && env->tsm_entry &&
        (strchr(env->tsm_entry, '/') || !env->tsm_entry[0] || strcmp(env->tsm_entry, ".") == 0 ||
         strcmp(env->tsm_entry, "..") == 0))
        return -EINVAL;
    int n = env && env->tsm_entry
                ? snprintf(rel, sizeof(rel), TSM_REPORT_DIR "/%s", env->tsm_entry)
                : snprintf(rel, sizeof(rel), TSM_REPORT_DIR "/enarx-%ld", (long)getpid());
    if (n < 0 || (size_t)n >= sizeof(rel)) return -ENAMETOOLONG;
    int rc = provider_path(env, rel, t->dir);
    if (rc < 0) return rc;
    if (mkdir(t->dir, 0700) == 0) {
        t->created = true;
        return 0;
    }
    if (errno == EEXIST) return 0;
    return errno == ENOENT || errno == ENOTDIR ? -ENODEV : -errno;
}

static void tsm_close(struct tsm *t)
{
    if (t->created && rmdir(t->dir) < 0)
        log_debug("configfs-tsm: cannot remove %s: %s", t->dir, strerror(errno));
}

static int tsm_read(const struct tsm *t, const char *attr, size_t max, uint8_t **buf, size_t *size)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof(path), "%s/%s", t->dir, attr);
    if (n < 0 || (size_t)n >= sizeof(path)) return -ENAMETOOLONG;
    return util_file_read(path, max, buf, size);
}

/* Reads a short text attribute, without its trailing newline. */
static int tsm_read_text(const struct tsm *t, const char *attr, char *out, size_t out_size)
{
    uint8_t *buf = NULL;
    size_t size = 0;
    int rc = tsm_read(t, attr, TSM_SMALL_ATTR, &buf, &size);
    if (rc < 0) return rc;
    while (size && (buf[size - 1] == '\n' || buf[size - 1] == '\0'))
        size--;
    rc = size < out_size && !memchr(buf, '\0', size) ? 0 : -EBADMSG;
    if (rc == 0) {
        memcpy(out, buf, size);
        out[size] = '\0';
    }
    free(buf);
    return rc;
}

static int tsm_write(const struct tsm *t, const char *attr, const uint8_t *data, size_t size)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof(path), "%s/%s", t->dir, attr);
    if (n < 0 || (size_t)n >= sizeof(path)) return -ENAMETOOLONG;
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return -errno;
    ssize_t w = write(fd, data, size);
    int rc = w < 0 ? -errno : (size_t)w != size ? -EIO : 0;
    if (close(fd) < 0 && rc == 0) rc = -errno;
    return rc;
}

static enum attest_provider tsm_kind(const char *name)
{
    if (strcmp(name, "sev_guest") == 0) return ATTEST_PROVIDER_SNP_TSM;
    if (strcmp(name, "tdx_guest") == 0) return ATTEST_PROVIDER_TDX_TSM;
    return ATTEST_PROVIDER_NONE;
}

/* Probes configfs-tsm: the provider it offers, or NONE (why says what was found). */
static enum attest_provider tsm_detect(const struct attest_provider_env *env, char *why,
                                       size_t why_size)
{
    struct tsm t;
    char name[TSM_SMALL_ATTR];
    int rc = tsm_open(env, &t);
    if (rc < 0) {
        snprintf(why, why_size, "no configfs-tsm (%s)", strerror(-rc));
        return ATTEST_PROVIDER_NONE;
    }
    rc = tsm_read_text(&t, "provider", name, sizeof(name));
    tsm_close(&t);
    enum attest_provider p = rc == 0 ? tsm_kind(name) : ATTEST_PROVIDER_NONE;
    if (rc < 0)
        snprintf(why, why_size, "configfs-tsm: cannot read its provider (%s)", strerror(-rc));
    else if (p == ATTEST_PROVIDER_NONE)
        snprintf(why, why_size, "configfs-tsm: unknown provider '%.32s'", name);
    else
        snprintf(why, why_size, "configfs-tsm provider %s", name);
    return p;
}

enum attest_provider attest_provider_detect(const struct attest_provider_env *env, char *why,
                                            size_t why_size)
{
    char tsm_why[128], path[PATH_MAX];
    char scratch[1];
    if (!why || why_size == 0) {
        why = scratch;
        why_size = sizeof(scratch);
    }
    enum attest_provider p = tsm_detect(env, tsm_why, sizeof(tsm_why));
    if (p != ATTEST_PROVIDER_NONE) {
        snprintf(why, why_size, "%s", tsm_why);
        return p;
    }
    if (provider_path(env, PROVIDER_SEV_GUEST_DEV, path) == 0 && access(path, F_OK) == 0) {
        snprintf(why, why_size, "%s (%s)", PROVIDER_SEV_GUEST_DEV, tsm_why);
        return ATTEST_PROVIDER_SNP_DEV;
    }
    snprintf(why, why_size, "no TEE: %s, no %s", tsm_why, PROVIDER_SEV_GUEST_DEV);
    return ATTEST_PROVIDER_SIM;
}

/* The reads after the inblob write; checks that no one wrote in between. */
static int tsm_collect(const struct tsm *t, bool snp, struct attest_evidence *out,
                       struct attest_error *err)
{
    char gen1[TSM_SMALL_ATTR], gen2[TSM_SMALL_ATTR];
    int rc = tsm_read_text(t, "generation", gen1, sizeof(gen1));
    if (rc == 0)
        rc = tsm_read(t, "outblob", ATTEST_PROVIDER_MAX_BLOB, &out->report, &out->report_size);
    if (rc < 0) return attest_fail(err, -EIO, "configfs-tsm: reading outblob: %s", strerror(-rc));
    if (snp) {
        rc = tsm_read(t, "auxblob", ATTEST_PROVIDER_MAX_BLOB, &out->certs, &out->certs_size);
        if (rc == -ENOENT || (rc == 0 && out->certs_size == 0)) {
            free(out->certs);
            out->certs = NULL;
            out->certs_size = 0;
            rc = 0;
        }
        if (rc < 0)
            return attest_fail(err, -EIO, "configfs-tsm: reading auxblob: %s", strerror(-rc));
    }
    rc = tsm_read_text(t, "generation", gen2, sizeof(gen2));
    if (rc < 0)
        return attest_fail(err, -EIO, "configfs-tsm: reading generation: %s", strerror(-rc));
    if (strcmp(gen1, gen2) != 0)
        return attest_fail(err, -EBUSY,
                           "configfs-tsm: generation changed from %s to %s: another process "
                           "wrote the same report entry",
                           gen1, gen2);
    return 0;
}

static int tsm_get(const struct attest_provider_env *env, enum attest_provider p,
                   const uint8_t report_data[64], struct attest_evidence *out,
                   struct attest_error *err)
{
    struct tsm t;
    char name[TSM_SMALL_ATTR];
    int rc = tsm_open(env, &t);
    if (rc < 0) return attest_fail(err, rc, "configfs-tsm: %s", strerror(-rc));
    rc = tsm_read_text(&t, "provider", name, sizeof(name));
    if (rc < 0 || tsm_kind(name) != p) {
        rc = attest_fail(err, -ENODEV, "configfs-tsm: provider is not %s",
                         p == ATTEST_PROVIDER_SNP_TSM ? "sev_guest" : "tdx_guest");
        goto out;
    }
    rc = tsm_write(&t, "inblob", report_data, 64);
    if (rc < 0) {
        rc = attest_fail(err, -EIO, "configfs-tsm: writing inblob: %s", strerror(-rc));
        goto out;
    }
    rc = tsm_collect(&t, p == ATTEST_PROVIDER_SNP_TSM, out, err);
out:
    tsm_close(&t);
    return rc;
}

static int sim_get(const struct attest_provider_env *env, const uint8_t report_data[64],
                   EVP_PKEY *key, struct attest_evidence *out, struct attest_error *err)
{
    static const uint8_t zeros[48];
    const uint8_t *m = env && env->measurement ? env->measurement : zeros;
    if (!key) return attest_fail(err, -EINVAL, "simulated evidence needs a P-256 key");
    int rc = attest_sim_make(m, report_data, key, &out->report, &out->report_size);
    if (rc < 0) return attest_fail(err, rc, "cannot make simulated evidence");
    log_warn("SIMULATED attestation evidence: this machine has no TEE (SEV-SNP or TDX guest); "
             "the evidence proves nothing about where the workload runs");
    return 0;
}

int attest_provider_get(const struct attest_provider_env *env, enum attest_provider p,
                        const uint8_t report_data[64], EVP_PKEY *sim_key,
                        struct attest_evidence *out, struct attest_error *err)
{
    memset(out, 0, sizeof(*out));
    int rc;
    switch (p) {
    case ATTEST_PROVIDER_SNP_TSM:
    case ATTEST_PROVIDER_TDX_TSM: rc = tsm_get(env, p, report_data, out, err); break;
    case ATTEST_PROVIDER_SNP_DEV: rc = provider_snp_dev_get(env, report_data, out, err); break;
    case ATTEST_PROVIDER_SIM: rc = sim_get(env, report_data, sim_key, out, err); break;
    default: rc = attest_fail(err, -ENODEV, "no evidence provider"); break;
    }
    if (rc == 0 && p != ATTEST_PROVIDER_SIM)
        rc = provider_check_report(p, out->report, out->report_size, report_data, err);
    if (rc < 0) {
        attest_evidence_free(out);
        return rc;
    }
    out->provider = p;
    out->platform = attest_provider_platform(p);
    return 0;
}

void attest_evidence_free(struct attest_evidence *ev)
{
    if (!ev) return;
    free(ev->report);
    free(ev->certs);
    memset(ev, 0, sizeof(*ev));
}

int provider_tdx_report_data(const uint8_t *q, size_t size, const uint8_t **rd,
                             struct attest_error *err)
{
    /* header: version u16, key type u16, TEE type u32 (0x81: TDX); v5 adds a body descriptor */
    if (size < 48 + 584)
        return attest_fail(err, ATTEST_E_MALFORMED, "TDX quote: %zu bytes is too short", size);
    unsigned version = (unsigned)q[0] | (unsigned)q[1] << 8;
    uint32_t tee =
        (uint32_t)q[4] | (uint32_t)q[5] << 8 | (uint32_t)q[6] << 16 | (uint32_t)q[7] << 24;
    if ((version != 4 && version != 5) || tee != 0x81)
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "TDX quote: version %u, TEE type 0x%x (expected 4 or 5, 0x81)", version,
                           tee);
    size_t body = 48;
    if (version == 5) {
        unsigned type = (unsigned)q[48] | (unsigned)q[49] << 8;
        size_t bsize =
            (size_t)q[50] | (size_t)q[51] << 8 | (size_t)q[52] << 16 | (size_t)q[53] << 24;
        if ((type != 2 || bsize != 584) && (type != 3 || bsize != 648))
            return attest_fail(err, ATTEST_E_MALFORMED, "TDX quote v5: body type %u of %zu bytes",
                               type, bsize);
        if (size < 54 + bsize)
            return attest_fail(err, ATTEST_E_MALFORMED, "TDX quote v5: body past the end");
        body = 54;
    }
    *rd = q + body + 520; /* REPORTDATA follows TEE_TCB_SVN..RTMR3 in the TD report body */
    return 0;
}

int provider_check_report(enum attest_provider p, const uint8_t *report, size_t size,
                          const uint8_t want[64], struct attest_error *err)
{
    uint8_t got[64];
    int rc;
    if (p == ATTEST_PROVIDER_TDX_TSM) {
        const uint8_t *rd = NULL;
        rc = provider_tdx_report_data(report, size, &rd, err);
        if (rc == 0) memcpy(got, rd, sizeof(got));
    } else {
        struct attest_snp_report r;
        rc = attest_snp_report_parse(report, size, &r, err);
        if (rc == 0) memcpy(got, r.report_data, sizeof(got));
    }
    if (rc < 0) return rc;
    if (memcmp(got, want, sizeof(got)) != 0)
        return attest_fail(err, ATTEST_E_MALFORMED,
                           "%s: the report's REPORT_DATA is not the one asked for (stale, raced "
                           "or forged by the host)",
                           attest_provider_name(p));
    return 0;
}
