/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_toml.c - reads the owner's policy file (TOML) into struct attest_policy.
 *
 * The schema is a table of keys per section, each with a type and a setter, checked strictly:
 * an unknown key, a wrong type, a number out of range, bad hex or a digest of the wrong length is
 * an error that names the file, line, column and key. A policy that silently ignored a typo
 * ("deny_product") would be a policy that does not protect, so nothing is ignored.
 *
 * The keys, their types and where they go are the table of policy_rules.h (the same table
 * names the rules in policy.c): this file walks it, section by section.
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
#include "attest/policy_rules.h"
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

/* Rejects the first key of table that no getter asked for; section is "snp." or "". */
static int no_unknown(struct ctx *x, const struct toml_value *t, const char *section)
{
    const struct toml_entry *e = toml_table_unseen(t);
    if (!e) return 0;
    return attest_fail(x->err, -EINVAL, "%s:%d:%d: unknown key '%s%s'", x->name, e->line, e->col,
                       section, e->key);
}

/* An old key that was renamed: an error naming the new one. */
static int renamed(struct ctx *x, struct toml_value *t, const char *section, const char *old,
                   enum attest_rule now)
{
    struct toml_value *v = toml_table_get(t, old);
    if (!v) return 0;
    return attest_fail(x->err, -EINVAL,
                       "%s:%d:%d: '%s%s' was renamed '%s' (it weakens the verdict past what can "
                       "be checked)",
                       x->name, v->line, v->col, section, old, attest_rules[now].name);
}

/* One [snp.min_tcb] (or [snp.min_tcb.<Product>]) table; name is its dotted name. */
static int load_floors(struct ctx *x, struct toml_value *t, const char *name,
                       struct attest_snp_min_tcb *m)
{
    if (t->type != TOML_TABLE)
        return bad(x, t, name, "expected a table, got a", toml_type_name(t->type));
    struct {
        const char *key;
        int *dst;
    } f[] = {
#define X_FIELD(k) {#k, &m->k},
        ATTEST_MIN_TCB_FIELDS(X_FIELD)
#undef X_FIELD
    };
    for (size_t i = 0; i < ARRAY_LEN(f); i++) {
        struct toml_value *v = toml_table_get(t, f[i].key);
        char key[64];
        snprintf(key, sizeof(key), "%s.%s", name, f[i].key);
        int rc = v ? get_int(x, v, key, 255, f[i].dst) : 0;
        if (rc < 0) return rc;
    }
    return 0;
}

/* [snp.min_tcb]: floors for every product, and [snp.min_tcb.Milan] ... for one product. */
static int load_min_tcb(struct ctx *x, struct toml_value *t, struct attest_policy *p)
{
    const char *name = ATTEST_RULE(SNP_MIN_TCB);
    int rc = load_floors(x, t, name, &p->snp.min_tcb);
    for (int i = ATTEST_SNP_MILAN; rc == 0 && i < ATTEST_SNP_PRODUCT_COUNT; i++) {
        const char *prod = attest_snp_product_name((enum attest_snp_product)i);
        struct toml_value *v = toml_table_get(t, prod);
        char sub[40], sec[48];
        snprintf(sub, sizeof(sub), "%s.%s", name, prod);
        snprintf(sec, sizeof(sec), "%s.", sub);
        if (v) rc = load_floors(x, v, sub, &p->snp.product_min_tcb[i]);
        if (rc == 0 && v) rc = no_unknown(x, v, sec);
    }
    char sec[32];
    snprintf(sec, sizeof(sec), "%s.", name);
    return rc == 0 ? no_unknown(x, t, sec) : rc;
}

/* tcb_status: Intel's names; "Unknown" is not a status but the lack of one (no collateral). */
static int tcb_statuses(struct ctx *x, const struct toml_value *v, const struct attest_rule_info *r,
                        struct attest_string_list *out)
{
    for (size_t i = 0; v->type == TOML_ARRAY && i < v->len; i++) {
        const struct toml_value *it = toml_array_at(v, i);
        if (it->type == TOML_STRING && strcasecmp(it->str, "Unknown") == 0) {
            enum attest_rule unknown = strcmp(r->section, "sgx.") == 0
                                           ? ATTEST_RULE_SGX_UNKNOWN_TCB
                                           : ATTEST_RULE_TDX_UNKNOWN_TCB;
            char what[96];
            snprintf(what, sizeof(what), "(set %s = true instead)", attest_rules[unknown].name);
            return bad(x, it, r->name, "\"Unknown\" is no TCB status but the lack of collateral",
                       what);
        }
    }
    return get_strings(x, v, r->name, g_statuses, out);
}

/* Reads rule r's key from table t, if present, into its field of p. */
static int load_rule(struct ctx *x, struct toml_value *t, const struct attest_rule_info *r,
                     struct attest_policy *p)
{
    struct toml_value *v = toml_table_get(t, r->key);
    void *f = (char *)p + r->offset;
    bool b = false;
    int rc;
    if (!v) return 0;
    switch (r->kind) {
    case RULE_BOOL: return get_bool(x, v, r->name, f);
    case RULE_TRI:
        rc = get_bool(x, v, r->name, &b);
        if (rc == 0) *(int *)f = b;
        return rc;
    case RULE_INT: return get_int(x, v, r->name, (int)r->arg, f);
    case RULE_DIGESTS: return get_digests(x, v, r->name, (size_t)r->arg, false, f);
    case RULE_PREFIXES: return get_digests(x, v, r->name, (size_t)r->arg, true, f);
    case RULE_PRODUCTS: return get_strings(x, v, r->name, g_products, f);
    case RULE_KEYS: return get_strings(x, v, r->name, g_keys, f);
    case RULE_FMSPCS: return get_strings(x, v, r->name, NULL, f);
    case RULE_STATUSES: return tcb_statuses(x, v, r, f);
    case RULE_MIN_TCB: return load_min_tcb(x, v, p);
    }
    return bad(x, v, r->name, "internal: unknown rule kind", NULL);
}

/* Every rule of one section (section "snp." etc., or "" for the top level) from table t. */
static int load_table(struct ctx *x, struct toml_value *t, const char *section,
                      struct attest_policy *p)
{
    static const struct {
        const char *section, *old;
        enum attest_rule now;
    } renames[] = {
#define X_RENAMED(sec, old, id) {sec, old, ATTEST_RULE_##id},
        ATTEST_POLICY_RENAMED(X_RENAMED)
#undef X_RENAMED
    };
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < ARRAY_LEN(renames); i++)
        if (strcmp(renames[i].section, section) == 0)
            rc = renamed(x, t, section, renames[i].old, renames[i].now);
    for (size_t i = 0; rc == 0 && i < ATTEST_RULE_COUNT; i++)
        if (strcmp(attest_rules[i].section, section) == 0)
            rc = load_rule(x, t, &attest_rules[i], p);
    return rc;
}

static int load_root(struct ctx *x, struct toml_value *root, struct attest_policy *p)
{
    static const char *const sections[] = {"snp", "tdx", "sgx", "sim", "kvm"};
    int rc = load_table(x, root, "", p);
    for (size_t i = 0; rc == 0 && i < ARRAY_LEN(sections); i++) {
        struct toml_value *t = toml_table_get(root, sections[i]);
        char sec[8];
        snprintf(sec, sizeof(sec), "%s.", sections[i]);
        if (!t) continue;
        if (t->type != TOML_TABLE)
            return bad(x, t, sections[i], "expected a table, got a", toml_type_name(t->type));
        rc = load_table(x, t, sec, p);
        if (rc == 0) rc = no_unknown(x, t, sec);
    }
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
