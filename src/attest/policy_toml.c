/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_toml.c - reads the owner's policy file (TOML) into struct attest_policy.
 *
 * The schema is a table of keys per section, each with a type and a setter, checked strictly:
 * an unknown key, a wrong type, a number out of range, bad hex or a digest of the wrong length is
 * an error that names the file, line, column and key. A policy that silently ignored a typo
 * ("deny_product") would be a policy that does not protect, so nothing is ignored.
 *
 *   insecure_allow_debug = false   report_data = ["hex", ...]
 *   [snp] allow insecure_allow_debug deny_products min_tcb.{bootloader,tee,snp,microcode,fmc}
 *         min_tcb.{Milan,Genoa,Turin}.{bootloader,...} max_vmpl min_guest_svn
 *         insecure_allow_migration_agent allow_smt insecure_accept_unchecked_revocation
 * signing_keys measurements host_data id_key_digests [tdx] allow insecure_allow_debug deny_fmspc
 * tcb_status insecure_accept_unknown_tcb insecure_accept_expired_signer mrtd [sgx] allow
 * insecure_allow_debug deny_fmspc tcb_status insecure_accept_unknown_tcb
 *         insecure_accept_expired_signer mrenclave mrsigner min_isv_svn isv_prod_id
 *   [sim] insecure_allow measurements          [kvm] insecure_allow
 *
 * Keys that weaken the verdict past what can be checked are spelled insecure_*. Their old names
 * (allow_debug, sim.allow, kvm.allow, snp.allow_migration_agent, accept_expired_signer,
 * "Unknown" in tcb_status) are errors that name the new key, so that an old policy fails loudly
 * instead of silently changing meaning.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "attest/internal.h"
#include "util/util.h"

struct ctx {
    const char *name;
    struct attest_error *err;
};

static int bad(struct ctx *x, const struct toml_value *v, const char *key, const char *fmt,
               const char *what)
{
    return attest_fail(x->err, -EINVAL, "%s:%d:%d: '%s': %s %s", x->name, v ? v->line : 0,
                       v ? v->col : 0, key, fmt, what ? what : "");
}

static int get_bool(struct ctx *x, const struct toml_value *v, const char *key, bool *out)
{
    if (v->type != TOML_BOOLEAN)
        return bad(x, v, key, "expected a boolean, got a", toml_type_name(v->type));
    *out = v->boolean;
    return 0;
}

static int get_int(struct ctx *x, const struct toml_value *v, const char *key, int max, int *out)
{
    if (v->type != TOML_INTEGER)
        return bad(x, v, key, "expected an integer, got a", toml_type_name(v->type));
    if (v->integer < 0 || v->integer > max) return bad(x, v, key, "out of range", NULL);
    *out = (int)v->integer;
    return 0;
}

/* Decodes hex of exactly want bytes (or 1..want when prefix_ok). */
static int parse_hex(const char *s, size_t len, size_t want, bool prefix_ok,
                     struct attest_digest *d)
{
    if (len % 2 || len == 0 || len / 2 > want || (!prefix_ok && len / 2 != want)) return -EINVAL;
    if (util_hex_decode(s, len, d->bytes) < 0) return -EINVAL;
    d->size = len / 2;
    return 0;
}

static int get_digests(struct ctx *x, const struct toml_value *v, const char *key, size_t want,
                       bool prefix_ok, struct attest_digest_list *out)
{
    if (v->type != TOML_ARRAY)
        return bad(x, v, key, "expected an array of hex strings, got a", toml_type_name(v->type));
    free(out->items);
    out->items = calloc(v->len ? v->len : 1, sizeof(*out->items));
    out->count = 0;
    if (!out->items) return -ENOMEM;
    out->set = true;
    for (size_t i = 0; i < v->len; i++) {
        const struct toml_value *it = toml_array_at(v, i);
        if (it->type != TOML_STRING ||
            parse_hex(it->str, it->str_len, want, prefix_ok, &out->items[i]) < 0) {
            char what[64];
            snprintf(what, sizeof(what), "%s%zu bytes", prefix_ok ? "at most " : "", want);
            return bad(x, it, key, "expected hex of", what);
        }
        out->count++;
    }
    return 0;
}

/* Strings from a fixed vocabulary (allowed == NULL: 12 hex digits, an FMSPC). */
static int get_strings(struct ctx *x, const struct toml_value *v, const char *key,
                       const char *const *allowed, struct attest_string_list *out)
{
    if (v->type != TOML_ARRAY)
        return bad(x, v, key, "expected an array of strings, got a", toml_type_name(v->type));
    free(out->items);
    out->items = calloc(v->len ? v->len : 1, sizeof(*out->items));
    out->count = 0;
    if (!out->items) return -ENOMEM;
    out->set = true;
    for (size_t i = 0; i < v->len; i++) {
        const struct toml_value *it = toml_array_at(v, i);
        bool ok = it->type == TOML_STRING && it->str_len < sizeof(out->items[0]) &&
                  strlen(it->str) == it->str_len;
        if (ok && allowed) {
            ok = false;
            for (size_t k = 0; allowed[k]; k++)
                ok |= strcasecmp(allowed[k], it->str) == 0;
        } else if (ok) {
            struct attest_digest d;
            ok = parse_hex(it->str, it->str_len, 6, false, &d) == 0;
        }
        if (!ok) return bad(x, it, key, allowed ? "unknown value" : "expected 12 hex digits", NULL);
        memcpy(out->items[out->count++], it->str, it->str_len + 1);
    }
    return 0;
}

static const char *const g_products[] = {"Milan", "Genoa", "Turin", NULL};
static const char *const g_keys[] = {"VCEK", "VLEK", NULL};
static const char *const g_statuses[] = {"UpToDate",
                                         "SWHardeningNeeded",
                                         "ConfigurationNeeded",
                                         "ConfigurationAndSWHardeningNeeded",
                                         "OutOfDate",
                                         "OutOfDateConfigurationNeeded",
                                         "Revoked",
                                         "NotSupported",
                                         NULL};

/* Rejects the first key of table that no getter asked for. */
static int no_unknown(struct ctx *x, const struct toml_value *t, const char *section)
{
    const struct toml_entry *e = toml_table_unseen(t);
    if (!e) return 0;
    return attest_fail(x->err, -EINVAL, "%s:%d:%d: unknown key '%s%s%s'", x->name, e->line, e->col,
                       section, section[0] ? "." : "", e->key);
}

/* An old key that was renamed: an error naming the new one. */
static int renamed(struct ctx *x, struct toml_value *t, const char *section, const char *old,
                   const char *new_key)
{
    struct toml_value *v = toml_table_get(t, old);
    if (!v) return 0;
    const char *dot = section[0] ? "." : "";
    return attest_fail(x->err, -EINVAL,
                       "%s:%d:%d: '%s%s%s' was renamed '%s%s%s' (it weakens the verdict past what "
                       "can be checked)",
                       x->name, v->line, v->col, section, dot, old, section, dot, new_key);
}

static int load_floors(struct ctx *x, struct toml_value *t, const char *name,
                       struct attest_snp_min_tcb *m)
{
    if (t->type != TOML_TABLE)
        return bad(x, t, name, "expected a table, got a", toml_type_name(t->type));
    struct {
        const char *key;
        int *dst;
    } f[] = {{"bootloader", &m->bootloader},
             {"tee", &m->tee},
             {"snp", &m->snp},
             {"microcode", &m->microcode},
             {"fmc", &m->fmc}};
    for (size_t i = 0; i < ARRAY_LEN(f); i++) {
        struct toml_value *v = toml_table_get(t, f[i].key);
        int rc = v ? get_int(x, v, f[i].key, 255, f[i].dst) : 0;
        if (rc < 0) return rc;
    }
    return 0;
}

/* [snp.min_tcb]: floors for every product, and [snp.min_tcb.Milan] ... for one product. */
static int load_min_tcb(struct ctx *x, struct toml_value *t, struct attest_policy *p)
{
    int rc = load_floors(x, t, "snp.min_tcb", &p->snp.min_tcb);
    for (int i = ATTEST_SNP_MILAN; rc == 0 && i < ATTEST_SNP_PRODUCT_COUNT; i++) {
        const char *prod = attest_snp_product_name((enum attest_snp_product)i);
        struct toml_value *v = toml_table_get(t, prod);
        char name[40];
        snprintf(name, sizeof(name), "snp.min_tcb.%s", prod);
        if (v) rc = load_floors(x, v, name, &p->snp.product_min_tcb[i]);
        if (rc == 0 && v) rc = no_unknown(x, v, name);
    }
    return rc == 0 ? no_unknown(x, t, "snp.min_tcb") : rc;
}

/* [<platform>] insecure_allow_debug; section names the table for messages. */
static int opt_debug(struct ctx *x, struct toml_value *t, const char *section, const char *key,
                     int *out)
{
    int rc = renamed(x, t, section, "allow_debug", "insecure_allow_debug");
    struct toml_value *v = toml_table_get(t, "insecure_allow_debug");
    bool b = false;
    if (rc < 0 || !v) return rc;
    rc = get_bool(x, v, key, &b);
    if (rc == 0) *out = b;
    return rc;
}

static int load_snp_lists(struct ctx *x, struct toml_value *t, struct attest_policy *p)
{
    struct toml_value *v;
    int rc = 0;
    if (rc == 0 && (v = toml_table_get(t, "deny_products")))
        rc = get_strings(x, v, "snp.deny_products", g_products, &p->snp.deny_products);
    if (rc == 0 && (v = toml_table_get(t, "signing_keys")))
        rc = get_strings(x, v, "snp.signing_keys", g_keys, &p->snp.signing_keys);
    if (rc == 0 && (v = toml_table_get(t, "measurements")))
        rc = get_digests(x, v, "snp.measurements", 48, false, &p->snp.measurements);
    if (rc == 0 && (v = toml_table_get(t, "host_data")))
        rc = get_digests(x, v, "snp.host_data", 32, false, &p->snp.host_data);
    if (rc == 0 && (v = toml_table_get(t, "id_key_digests")))
        rc = get_digests(x, v, "snp.id_key_digests", 48, false, &p->snp.id_key_digests);
    if (rc == 0 && (v = toml_table_get(t, "min_tcb"))) rc = load_min_tcb(x, v, p);
    return rc;
}

static int load_snp(struct ctx *x, struct toml_value *t, struct attest_policy *p)
{
    struct toml_value *v;
    int rc = opt_debug(x, t, "snp", "snp.insecure_allow_debug", &p->snp.allow_debug);
    if (rc == 0 && (v = toml_table_get(t, "allow")))
        rc = get_bool(x, v, "snp.allow", &p->allow_snp);
    if (rc == 0 && (v = toml_table_get(t, "max_vmpl")))
        rc = get_int(x, v, "snp.max_vmpl", 3, &p->snp.max_vmpl);
    if (rc == 0 && (v = toml_table_get(t, "min_guest_svn")))
        rc = get_int(x, v, "snp.min_guest_svn", INT32_MAX, &p->snp.min_guest_svn);
    if (rc == 0)
        rc = renamed(x, t, "snp", "allow_migration_agent", "insecure_allow_migration_agent");
    if (rc == 0 && (v = toml_table_get(t, "insecure_allow_migration_agent")))
        rc = get_bool(x, v, "snp.insecure_allow_migration_agent", &p->snp.allow_migration_agent);
    if (rc == 0 && (v = toml_table_get(t, "allow_smt")))
        rc = get_bool(x, v, "snp.allow_smt", &p->snp.allow_smt);
    if (rc == 0 && (v = toml_table_get(t, "insecure_accept_unchecked_revocation")))
        rc = get_bool(x, v, "snp.insecure_accept_unchecked_revocation",
                      &p->snp.insecure_accept_unchecked_revocation);
    if (rc == 0) rc = load_snp_lists(x, t, p);
    return rc == 0 ? no_unknown(x, t, "snp") : rc;
}

/* tcb_status: Intel's names; "Unknown" is not a status but the lack of one (no collateral). */
static int tcb_statuses(struct ctx *x, const struct toml_value *v, const char *key,
                        struct attest_dcap_policy *d)
{
    for (size_t i = 0; v->type == TOML_ARRAY && i < v->len; i++) {
        const struct toml_value *it = toml_array_at(v, i);
        if (it->type == TOML_STRING && strcasecmp(it->str, "Unknown") == 0) {
            char what[96];
            snprintf(what, sizeof(what), "(set %.*s.insecure_accept_unknown_tcb = true instead)",
                     (int)strcspn(key, "."), key);
            return bad(x, it, key, "\"Unknown\" is no TCB status but the lack of collateral", what);
        }
    }
    return get_strings(x, v, key, g_statuses, &d->tcb_status);
}

static int load_dcap(struct ctx *x, struct toml_value *t, const char *name, bool *allow,
                     struct attest_dcap_policy *d)
{
    bool sgx = strcmp(name, "sgx") == 0;
    char key[48];
    struct toml_value *v;
#define KEY(k) (snprintf(key, sizeof(key), "%s.%s", name, k), key)
    int rc = opt_debug(x, t, name, KEY("insecure_allow_debug"), &d->allow_debug);
    if (rc == 0 && (v = toml_table_get(t, "allow"))) rc = get_bool(x, v, KEY("allow"), allow);
    if (rc == 0 && (v = toml_table_get(t, "deny_fmspc")))
        rc = get_strings(x, v, KEY("deny_fmspc"), NULL, &d->deny_fmspc);
    if (rc == 0 && (v = toml_table_get(t, "tcb_status")))
        rc = tcb_statuses(x, v, KEY("tcb_status"), d);
    if (rc == 0)
        rc = renamed(x, t, name, "accept_expired_signer", "insecure_accept_expired_signer");
    if (rc == 0 && (v = toml_table_get(t, "insecure_accept_expired_signer")))
        rc = get_bool(x, v, KEY("insecure_accept_expired_signer"),
                      &d->insecure_accept_expired_signer);
    if (rc == 0 && (v = toml_table_get(t, "insecure_accept_unknown_tcb")))
        rc = get_bool(x, v, KEY("insecure_accept_unknown_tcb"), &d->insecure_accept_unknown_tcb);
    if (rc == 0 && (v = toml_table_get(t, sgx ? "mrenclave" : "mrtd")))
        rc = get_digests(x, v, KEY(sgx ? "mrenclave" : "mrtd"), sgx ? 32 : 48, false, &d->mr);
    if (rc == 0 && sgx && (v = toml_table_get(t, "mrsigner")))
        rc = get_digests(x, v, "sgx.mrsigner", 32, false, &d->mrsigner);
    if (rc == 0 && sgx && (v = toml_table_get(t, "min_isv_svn")))
        rc = get_int(x, v, "sgx.min_isv_svn", 65535, &d->min_isv_svn);
    if (rc == 0 && sgx && (v = toml_table_get(t, "isv_prod_id")))
        rc = get_int(x, v, "sgx.isv_prod_id", 65535, &d->isv_prod_id);
#undef KEY
    return rc == 0 ? no_unknown(x, t, name) : rc;
}

static int load_small(struct ctx *x, struct toml_value *t, const char *name,
                      struct attest_policy *p)
{
    bool sim = strcmp(name, "sim") == 0;
    struct toml_value *v;
    int rc = renamed(x, t, name, "allow", "insecure_allow");
    if (rc == 0 && (v = toml_table_get(t, "insecure_allow")))
        rc = get_bool(x, v, sim ? "sim.insecure_allow" : "kvm.insecure_allow",
                      sim ? &p->allow_sim : &p->allow_kvm);
    if (rc == 0 && sim && (v = toml_table_get(t, "measurements")))
        rc = get_digests(x, v, "sim.measurements", 48, false, &p->sim.measurements);
    return rc == 0 ? no_unknown(x, t, name) : rc;
}

static int load_section(struct ctx *x, struct toml_value *root, const char *name,
                        struct attest_policy *p)
{
    struct toml_value *t = toml_table_get(root, name);
    if (!t) return 0;
    if (t->type != TOML_TABLE)
        return bad(x, t, name, "expected a table, got a", toml_type_name(t->type));
    if (strcmp(name, "snp") == 0) return load_snp(x, t, p);
    if (strcmp(name, "tdx") == 0) return load_dcap(x, t, name, &p->allow_tdx, &p->tdx);
    if (strcmp(name, "sgx") == 0) return load_dcap(x, t, name, &p->allow_sgx, &p->sgx);
    return load_small(x, t, name, p);
}

static int load_root(struct ctx *x, struct toml_value *root, struct attest_policy *p)
{
    static const char *const sections[] = {"snp", "tdx", "sgx", "sim", "kvm"};
    struct toml_value *v;
    int rc = 0;
    rc = renamed(x, root, "", "allow_debug", "insecure_allow_debug");
    if (rc == 0 && (v = toml_table_get(root, "insecure_allow_debug")))
        rc = get_bool(x, v, "insecure_allow_debug", &p->allow_debug);
    if (rc == 0 && (v = toml_table_get(root, "report_data")))
        rc = get_digests(x, v, "report_data", 64, true, &p->report_data);
    for (size_t i = 0; rc == 0 && i < ARRAY_LEN(sections); i++)
        rc = load_section(x, root, sections[i], p);
    return rc == 0 ? no_unknown(x, root, "") : rc;
}

int attest_policy_parse(const char *text, size_t size, const char *name, struct attest_policy *p,
                        struct attest_error *err)
{
    struct toml_value *root = NULL;
    struct toml_error terr = {0};
    struct ctx x = {name ? name : "policy", err};
    int rc = toml_parse(text, size, &root, &terr);
    if (rc == -ENOMEM) return rc;
    if (rc < 0)
        return attest_fail(err, -EINVAL, "%s:%d:%d: %s", x.name, terr.line, terr.col, terr.msg);
    rc = load_root(&x, root, p);
    toml_free(root);
    return rc;
}

int attest_policy_load(const char *path, struct attest_policy *p, struct attest_error *err)
{
    uint8_t *buf = NULL;
    size_t size = 0;
    int rc = util_file_read(path, 1u << 20, &buf, &size);
    if (rc < 0) return attest_fail(err, rc, "%s: cannot read (%s)", path, strerror(-rc));
    rc = attest_policy_parse((const char *)buf, size, path, p, err);
    free(buf);
    return rc;
}
