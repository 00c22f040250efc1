/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.c - Enarx.toml -> struct keep_config (the schema is documented in keep.h).
 *
 * The document is parsed by the strict TOML parser in src/util into a tree, then walked here
 * against Enarx's schema. Every rejection names the file, the line and column of the offending
 * key or value, and what was expected, because the person reading it is editing that file.
 *
 * The keys a [[files]] entry may hold, and the kinds each applies to, live in one table
 * (file_keys) that drives both the checking and the "expected ..." part of the messages, so a
 * new key is added in one place. On any error everything built so far is freed and the caller's
 * struct is left empty: a half-read configuration is never used.
 */
#include "keep.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIND_BIT(k) (1u << (k))
#define KINDS_ALL 0x3Fu
#define KINDS_NET (KIND_BIT(KEEP_FILE_LISTEN) | KIND_BIT(KEEP_FILE_CONNECT))

static const char *const kind_names[] = {
    [KEEP_FILE_NULL] = "null",     [KEEP_FILE_STDIN] = "stdin",   [KEEP_FILE_STDOUT] = "stdout",
    [KEEP_FILE_STDERR] = "stderr", [KEEP_FILE_LISTEN] = "listen", [KEEP_FILE_CONNECT] = "connect",
};

/* The keys of a [[files]] entry and the kinds that take them. */
static const struct file_key {
    const char *name;
    unsigned kinds;
} file_keys[] = {
    {"kind", KINDS_ALL},
    {"name", KINDS_ALL},
    {"prot", KINDS_NET},
    {"addr", KIND_BIT(KEEP_FILE_LISTEN)},
    {"host", KIND_BIT(KEEP_FILE_CONNECT)},
    {"port", KINDS_NET},
    {"client_ca", KIND_BIT(KEEP_FILE_LISTEN)},
};

/* Top-level keys, in the order they are reported as expected. */
static const char *const root_keys[] = {"steward", "args", "env", "files"};

struct ctx {
    const char *file;
    char *err;
    size_t err_size;
};

__attribute__((format(printf, 4, 5))) static int fail(struct ctx *c, int line, int col,
                                                      const char *fmt, ...)
{
    if (!c->err || c->err_size == 0) return -EINVAL;
    int n = line > 0 ? snprintf(c->err, c->err_size, "%s:%d:%d: ", c->file, line, col)
                     : snprintf(c->err, c->err_size, "%s: ", c->file);
    if (n >= 0 && (size_t)n < c->err_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err + n, c->err_size - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

static int no_memory(struct ctx *c)
{
    if (c->err && c->err_size) snprintf(c->err, c->err_size, "%s: out of memory", c->file);
    return -ENOMEM;
}

const char *keep_file_kind_name(enum keep_file_kind kind)
{
    return (unsigned)kind < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[kind]
                                                                       : "unknown";
}

const char *keep_file_prot_name(enum keep_file_prot prot)
{
    return prot == KEEP_PROT_TLS ? "tls" : prot == KEEP_PROT_TCP ? "tcp" : "unknown";
}

/* A printable rendering of a key for messages (keys may hold anything after escapes). */
static const char *key_text(const char *s, size_t len, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 2 < size; i++)
        out[o++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    out[o] = '\0';
    return out;
}

/* Copies a string value, which must be a string without U+0000 (and non-empty if asked). */
static int get_string(struct ctx *c, const struct toml_value *v, const char *what, bool nonempty,
                      char **out)
{
    if (v->type != TOML_STRING)
        return fail(c, v->line, v->col, "%s must be a string, not %s", what,
                    toml_type_name(v->type));
    if (strlen(v->str) != v->str_len)
        return fail(c, v->line, v->col, "%s must not contain a NUL character", what);
    if (nonempty && v->str_len == 0) return fail(c, v->line, v->col, "%s must not be empty", what);
    *out = strdup(v->str);
    return *out ? 0 : no_memory(c);
}

static bool has_ctrl_or_space(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || *s == 0x7f) return true;
    return false;
}

static int parse_steward(struct ctx *c, const struct toml_value *v, struct keep_config *cfg)
{
    int ret = get_string(c, v, "'steward'", true, &cfg->steward);
    if (ret) return ret;
    const char *s = cfg->steward;
    size_t skip = strncmp(s, "https://", 8) == 0 ? 8 : strncmp(s, "http://", 7) == 0 ? 7 : 0;
    if (!skip || !s[skip] || s[skip] == '/' || has_ctrl_or_space(s))
        return fail(c, v->line, v->col,
                    "'steward' must be an http:// or https:// URL with a host, not \"%.60s\"", s);
    return 0;
}

static int parse_args(struct ctx *c, const struct toml_value *v, struct keep_config *cfg)
{
    if (v->type != TOML_ARRAY)
        return fail(c, v->line, v->col, "'args' must be an array of strings, not %s",
                    toml_type_name(v->type));
    cfg->args = calloc(v->len ? v->len : 1, sizeof(*cfg->args));
    if (!cfg->args) return no_memory(c);
    for (size_t i = 0; i < v->len; i++) {
        int ret = get_string(c, v->items[i], "each of 'args'", false, &cfg->args[i]);
        if (ret) return ret;
        cfg->args_count++;
    }
    return 0;
}

static int parse_env_entry(struct ctx *c, const struct toml_entry *e, struct keep_env *out)
{
    char key[64];
    key_text(e->key, e->key_len, key, sizeof(key));
    if (e->key_len == 0 || strlen(e->key) != e->key_len || strchr(e->key, '='))
        return fail(c, e->line, e->col,
                    "'%s' is not a valid environment variable name (it must be non-empty, "
                    "without '=' or NUL)",
                    key);
    char what[96];
    snprintf(what, sizeof(what), "env.%s", key);
    int ret = get_string(c, e->value, what, false, &out->value);
    if (ret) return ret;
    out->name = strdup(e->key);
    return out->name ? 0 : no_memory(c);
}

static int parse_env(struct ctx *c, const struct toml_value *v, struct keep_config *cfg)
{
    if (v->type != TOML_TABLE)
        return fail(c, v->line, v->col, "'env' must be a table of strings ([env]), not %s",
                    toml_type_name(v->type));
    cfg->env = calloc(v->len ? v->len : 1, sizeof(*cfg->env));
    if (!cfg->env) return no_memory(c);
    for (size_t i = 0; i < v->len; i++) {
        v->entries[i].value->seen = true;
        int ret = parse_env_entry(c, &v->entries[i], &cfg->env[i]);
        cfg->env_count++; /* counted even on failure so keep_config_free sees the strings */
        if (ret) return ret;
    }
    return 0;
}

/* Writes the names of the file keys that apply to kinds (as "a, b, c") into out. */
static const char *key_list(unsigned kinds, char *out, size_t size)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof(file_keys) / sizeof(file_keys[0]); i++) {
        if (!(file_keys[i].kinds & kinds)) continue;
        int w = snprintf(out + o, size - o, "%s%s", o ? ", " : "", file_keys[i].name);
        if (w < 0 || (size_t)w >= size - o) break;
        o += (size_t)w;
    }
    return out;
}

/* Every key of a [[files]] entry must be known and apply to its kind. */
static int check_file_keys(struct ctx *c, const struct toml_value *t, enum keep_file_kind kind)
{
    for (size_t i = 0; i < t->len; i++) {
        const struct toml_entry *e = &t->entries[i];
        const struct file_key *k = NULL;
        for (size_t j = 0; j < sizeof(file_keys) / sizeof(file_keys[0]) && !k; j++)
            if (strlen(file_keys[j].name) == e->key_len &&
                memcmp(file_keys[j].name, e->key, e->key_len) == 0)
                k = &file_keys[j];
        char key[64], list[128];
        key_text(e->key, e->key_len, key, sizeof(key));
        if (!k)
            return fail(c, e->line, e->col, "unknown key '%s' in [[files]] (expected %s)", key,
                        key_list(KINDS_ALL, list, sizeof(list)));
        if (!(k->kinds & KIND_BIT(kind)))
            return fail(c, e->line, e->col,
                        "key '%s' does not apply to kind \"%s\" in [[files]] (expected %s)", key,
                        kind_names[kind], key_list(KIND_BIT(kind), list, sizeof(list)));
    }
    return 0;
}

static int parse_kind(struct ctx *c, struct toml_value *t, enum keep_file_kind *kind)
{
    struct toml_value *v = toml_table_get(t, "kind");
    if (!v)
        return fail(c, t->line, t->col,
                    "[[files]] entry without 'kind' (expected one of null, stdin, stdout, "
                    "stderr, listen, connect)");
    if (v->type != TOML_STRING)
        return fail(c, v->line, v->col, "'kind' must be a string, not %s", toml_type_name(v->type));
    for (size_t k = 0; k < sizeof(kind_names) / sizeof(kind_names[0]); k++) {
        if (strlen(kind_names[k]) == v->str_len && strcmp(kind_names[k], v->str) == 0) {
            *kind = (enum keep_file_kind)k;
            return 0;
        }
    }
    char text[64];
    return fail(c, v->line, v->col,
                "unknown kind \"%s\" (expected null, stdin, stdout, stderr, listen or connect)",
                key_text(v->str, v->str_len, text, sizeof(text)));
}

static int parse_prot_port(struct ctx *c, struct toml_value *t, struct keep_file *f)
{
    struct toml_value *v = toml_table_get(t, "prot");
    if (v) {
        if (v->type != TOML_STRING)
            return fail(c, v->line, v->col, "'prot' must be a string, not %s",
                        toml_type_name(v->type));
        if (strcmp(v->str, "tcp") == 0 && v->str_len == 3)
            f->prot = KEEP_PROT_TCP;
        else if (strcmp(v->str, "tls") != 0 || v->str_len != 3)
            return fail(c, v->line, v->col, "'prot' must be \"tls\" or \"tcp\"");
    }
    f->port = f->prot == KEEP_PROT_TLS ? 443 : 80;
    v = toml_table_get(t, "port");
    if (!v) return 0;
    if (v->type != TOML_INTEGER)
        return fail(c, v->line, v->col, "'port' must be an integer, not %s",
                    toml_type_name(v->type));
    if (v->integer < 1 || v->integer > 65535)
        return fail(c, v->line, v->col, "'port' must be between 1 and 65535, not %lld",
                    (long long)v->integer);
    f->port = (uint16_t)v->integer;
    return 0;
}

static int parse_listen(struct ctx *c, struct toml_value *t, struct keep_file *f)
{
    struct toml_value *v = toml_table_get(t, "addr");
    int ret = v ? get_string(c, v, "'addr'", true, &f->addr) : 0;
    if (!ret && !v && !(f->addr = strdup("::"))) ret = no_memory(c);
    if (ret) return ret;
    uint8_t sa[16];
    if (inet_pton(AF_INET6, f->addr, sa) != 1 && inet_pton(AF_INET, f->addr, sa) != 1)
        return fail(c, v ? v->line : t->line, v ? v->col : t->col,
                    "'addr' must be an IPv4 or IPv6 address, not \"%.60s\"", f->addr);
    v = toml_table_get(t, "client_ca");
    if (!v) return 0;
    if (f->prot != KEEP_PROT_TLS)
        return fail(c, v->line, v->col, "'client_ca' needs prot = \"tls\"");
    return get_string(c, v, "'client_ca'", true, &f->client_ca);
}

static int parse_connect(struct ctx *c, struct toml_value *t, struct keep_file *f)
{
    struct toml_value *v = toml_table_get(t, "host");
    if (!v) return fail(c, t->line, t->col, "[[files]] entry of kind \"connect\" needs a 'host'");
    int ret = get_string(c, v, "'host'", true, &f->host);
    if (ret) return ret;
    if (has_ctrl_or_space(f->host))
        return fail(c, v->line, v->col, "'host' must be a host name or address, not \"%.60s\"",
                    f->host);
    return 0;
}

static int parse_file(struct ctx *c, struct toml_value *t, struct keep_file *f)
{
    if (t->type != TOML_TABLE)
        return fail(c, t->line, t->col, "each of 'files' must be a table, not %s",
                    toml_type_name(t->type));
    int ret = parse_kind(c, t, &f->kind);
    if (!ret) ret = check_file_keys(c, t, f->kind);
    if (ret) return ret;
    bool net = f->kind == KEEP_FILE_LISTEN || f->kind == KEEP_FILE_CONNECT;
    struct toml_value *v = toml_table_get(t, "name");
    if (v)
        ret = get_string(c, v, "'name'", true, &f->name);
    else if (net)
        ret = fail(c, t->line, t->col, "[[files]] entry of kind \"%s\" needs a 'name'",
                   kind_names[f->kind]);
    else if (!(f->name = strdup(kind_names[f->kind])))
        ret = no_memory(c);
    if (ret || !net) return ret;
    ret = parse_prot_port(c, t, f);
    if (ret) return ret;
    return f->kind == KEEP_FILE_LISTEN ? parse_listen(c, t, f) : parse_connect(c, t, f);
}

static int default_files(struct keep_config *cfg)
{
    static const enum keep_file_kind stdio[] = {KEEP_FILE_STDIN, KEEP_FILE_STDOUT,
                                                KEEP_FILE_STDERR};
    cfg->files = calloc(3, sizeof(*cfg->files));
    if (!cfg->files) return -ENOMEM;
    for (size_t i = 0; i < 3; i++) {
        cfg->files[i].kind = stdio[i];
        cfg->files[i].name = strdup(kind_names[stdio[i]]);
        cfg->files_count++;
        if (!cfg->files[i].name) return -ENOMEM;
    }
    return 0;
}

static int parse_files(struct ctx *c, const struct toml_value *v, struct keep_config *cfg)
{
    if (v->type != TOML_ARRAY)
        return fail(c, v->line, v->col, "'files' must be an array of tables ([[files]]), not %s",
                    toml_type_name(v->type));
    cfg->files = calloc(v->len ? v->len : 1, sizeof(*cfg->files));
    if (!cfg->files) return no_memory(c);
    for (size_t i = 0; i < v->len; i++) {
        cfg->files_count++; /* counted first so keep_config_free sees partial entries */
        int ret = parse_file(c, v->items[i], &cfg->files[i]);
        if (ret) return ret;
    }
    return 0;
}

static int parse_root(struct ctx *c, struct toml_value *root, struct keep_config *cfg)
{
    struct toml_value *v[4];
    for (size_t i = 0; i < 4; i++)
        v[i] = toml_table_get(root, root_keys[i]);
    const struct toml_entry *e = toml_table_unseen(root);
    if (e) {
        char key[64];
        return fail(c, e->line, e->col, "unknown key '%s' (expected steward, args, env, files)",
                    key_text(e->key, e->key_len, key, sizeof(key)));
    }
    int ret = 0;
    if (v[0]) ret = parse_steward(c, v[0], cfg);
    if (!ret && v[1]) ret = parse_args(c, v[1], cfg);
    if (!ret && v[2]) ret = parse_env(c, v[2], cfg);
    if (!ret && v[3]) ret = parse_files(c, v[3], cfg);
    if (!ret && !v[3] && default_files(cfg)) ret = no_memory(c);
    return ret;
}

int keep_config_parse(const void *text, size_t size, const char *filename, struct keep_config *cfg,
                      char *err, size_t err_size)
{
    struct ctx c = {filename ? filename : "Enarx.toml", err, err_size};
    struct toml_value *root = NULL;
    struct toml_error terr;
    memset(cfg, 0, sizeof(*cfg));
    if (err && err_size) err[0] = '\0';
    int ret = toml_parse(text, size, &root, &terr);
    if (ret == -ENOMEM) return no_memory(&c);
    if (ret) {
        fail(&c, terr.line, terr.col, "%s", terr.msg);
        return ret;
    }
    ret = parse_root(&c, root, cfg);
    toml_free(root);
    if (ret) keep_config_free(cfg);
    return ret;
}

int keep_config_default(struct keep_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    int ret = default_files(cfg);
    if (ret) keep_config_free(cfg);
    return ret;
}

/* Makes a relative client_ca relative to the directory of the config file at path. */
static int resolve_paths(struct ctx *c, const char *path, struct keep_config *cfg)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return 0;
    int dir_len = (int)(slash - path + 1);
    for (size_t i = 0; i < cfg->files_count; i++) {
        char *ca = cfg->files[i].client_ca;
        if (!ca || ca[0] == '/') continue;
        size_t size = (size_t)dir_len + strlen(ca) + 1;
        char *full = malloc(size);
        if (!full) return no_memory(c);
        snprintf(full, size, "%.*s%s", dir_len, path, ca);
        free(ca);
        cfg->files[i].client_ca = full;
    }
    return 0;
}

int keep_config_load(const char *path, struct keep_config *cfg, char *err, size_t err_size)
{
    if (err && err_size) err[0] = '\0';
    if (!path) {
        int ret = keep_config_default(cfg);
        if (ret && err && err_size) snprintf(err, err_size, "out of memory");
        return ret;
    }
    memset(cfg, 0, sizeof(*cfg));
    uint8_t *buf = NULL;
    size_t size = 0;
    int ret = util_file_read(path, KEEP_CONFIG_MAX_SIZE, &buf, &size);
    if (ret) {
        if (err && err_size)
            snprintf(err, err_size, "%s: %s", path,
                     ret == -EFBIG ? "larger than 1 MiB" : strerror(-ret));
        return ret;
    }
    ret = keep_config_parse(buf, size, path, cfg, err, err_size);
    free(buf);
    if (!ret) {
        struct ctx c = {path, err, err_size};
        ret = resolve_paths(&c, path, cfg);
        if (ret) keep_config_free(cfg);
    }
    return ret;
}

void keep_config_free(struct keep_config *cfg)
{
    if (!cfg) return;
    free(cfg->steward);
    for (size_t i = 0; i < cfg->args_count; i++)
        free(cfg->args[i]);
    free(cfg->args);
    for (size_t i = 0; i < cfg->env_count; i++) {
        free(cfg->env[i].name);
        free(cfg->env[i].value);
    }
    free(cfg->env);
    for (size_t i = 0; i < cfg->files_count; i++) {
        free(cfg->files[i].name);
        free(cfg->files[i].addr);
        free(cfg->files[i].host);
        free(cfg->files[i].client_ca);
    }
    free(cfg->files);
    memset(cfg, 0, sizeof(*cfg));
}

const char *keep_config_template(void)
{
    return "# Enarx.toml: how Enarx runs this WebAssembly workload inside a Keep.\n"
           "# Every setting is optional. Remove the '#' in front of a line to use it.\n"
           "\n"
           "# The Steward that checks this Keep's attestation evidence and issues its\n"
           "# certificate.\n"
           "# steward = \"https://steward.example.com\"\n"
           "\n"
           "# Command-line arguments for the workload (argv[1] onwards).\n"
           "args = [\n"
           "    # \"--verbose\",\n"
           "]\n"
           "\n"
           "# Environment variables for the workload.\n"
           "[env]\n"
           "# GREETING = \"hello\"\n"
           "\n"
           "# The workload's file descriptors: the first [[files]] is fd 0, the next fd 1, ...\n"
           "# kind is one of null, stdin, stdout, stderr, listen, connect.\n"
           "[[files]]\n"
           "kind = \"stdin\"\n"
           "\n"
           "[[files]]\n"
           "kind = \"stdout\"\n"
           "\n"
           "[[files]]\n"
           "kind = \"stderr\"\n"
           "\n"
           "# A socket the workload accepts connections on. With prot = \"tls\" (the default)\n"
           "# the Keep terminates TLS with its attested certificate; \"tcp\" is plain TCP.\n"
           "# [[files]]\n"
           "# kind = \"listen\"\n"
           "# name = \"LISTEN\"\n"
           "# prot = \"tls\"\n"
           "# addr = \"::\"\n"
           "# port = 8443\n"
           "# Require clients to present a certificate issued by this CA (mutual TLS):\n"
           "# client_ca = \"clients-ca.pem\"\n"
           "\n"
           "# A connection the Keep opens for the workload before it starts.\n"
           "# [[files]]\n"
           "# kind = \"connect\"\n"
           "# name = \"UPSTREAM\"\n"
           "# prot = \"tls\"\n"
           "# host = \"example.com\"\n"
           "# port = 443\n";
}
