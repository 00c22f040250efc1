/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_config.c - Enarx.toml parsing (src/keep/config.c).
 *
 * The defaults (no file, no `files` key), the template `enarx config init` writes (as is, and
 * with every commented example switched on), every kind of [[files]] entry with its defaults and
 * options, loading from disk (relative client_ca paths, missing and oversized files), and a
 * table of bad documents, each with the exact "file:line:column: message" a user would see.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ctype.h>
#include <errno.h>
#include <unistd.h>

#include "keep/keep.h"

static void parse_ok(const char *text, struct keep_config *cfg)
{
    char err[256];
    int ret = keep_config_parse(text, strlen(text), "Enarx.toml", cfg, err, sizeof(err));
    if (ret) fail_msg("unexpected error %d: %s\n--- input:\n%s", ret, err, text);
}

static void assert_stdio(const struct keep_config *cfg)
{
    assert_int_equal(cfg->files_count, 3);
    const enum keep_file_kind kinds[] = {KEEP_FILE_STDIN, KEEP_FILE_STDOUT, KEEP_FILE_STDERR};
    const char *names[] = {"stdin", "stdout", "stderr"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(cfg->files[i].kind, kinds[i]);
        assert_string_equal(cfg->files[i].name, names[i]);
        assert_null(cfg->files[i].addr);
        assert_null(cfg->files[i].host);
        assert_null(cfg->files[i].client_ca);
        assert_int_equal(cfg->files[i].port, 0);
    }
}

static void test_defaults(void **state)
{
    (void)state;
    struct keep_config cfg;
    assert_int_equal(keep_config_default(&cfg), 0);
    assert_null(cfg.steward);
    assert_int_equal(cfg.args_count, 0);
    assert_int_equal(cfg.env_count, 0);
    assert_stdio(&cfg);
    keep_config_free(&cfg);
    assert_int_equal(cfg.files_count, 0);
    keep_config_free(&cfg); /* freeing an emptied config is fine */
    keep_config_free(NULL);

    char err[64];
    assert_int_equal(keep_config_load(NULL, &cfg, err, sizeof(err)), 0);
    assert_stdio(&cfg);
    keep_config_free(&cfg);

    /* a file without `files` gets stdio too; an explicit empty list gets nothing */
    parse_ok("args = [\"x\"]\n", &cfg);
    assert_stdio(&cfg);
    keep_config_free(&cfg);
    parse_ok("", &cfg);
    assert_stdio(&cfg);
    keep_config_free(&cfg);
    parse_ok("files = []\n", &cfg);
    assert_int_equal(cfg.files_count, 0);
    keep_config_free(&cfg);

    assert_string_equal(keep_file_kind_name(KEEP_FILE_CONNECT), "connect");
    assert_string_equal(keep_file_kind_name((enum keep_file_kind)99), "unknown");
    assert_string_equal(keep_file_prot_name(KEEP_PROT_TCP), "tcp");
    assert_string_equal(keep_file_prot_name(KEEP_PROT_TLS), "tls");
}

/* Uncomments the template's example lines ("# key = ...", "# [[files]]"). */
static char *uncomment(const char *text)
{
    char *out = malloc(strlen(text) + 1), *o = out;
    assert_non_null(out);
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line + 1) : strlen(line);
        const char *body = line + 2;
        size_t ident = 0;
        while (ident < len && (isalnum((unsigned char)body[ident]) || body[ident] == '_'))
            ident++;
        bool example =
            strncmp(line, "# ", 2) == 0 && (strncmp(body, "[[files]]", 9) == 0 ||
                                            (ident > 0 && strncmp(body + ident, " = ", 3) == 0));
        if (example) line += 2, len -= 2;
        memcpy(o, line, len);
        o += len;
        line += len;
    }
    *o = '\0';
    return out;
}

static void test_template(void **state)
{
    (void)state;
    const char *t = keep_config_template();
    assert_non_null(strstr(t, "[[files]]\nkind = \"stdin\""));
    assert_non_null(strstr(t, "kind = \"listen\""));
    assert_non_null(strstr(t, "kind = \"connect\""));
    assert_non_null(strstr(t, "client_ca"));
    struct keep_config cfg;
    parse_ok(t, &cfg);
    assert_null(cfg.steward);
    assert_int_equal(cfg.args_count, 0);
    assert_int_equal(cfg.env_count, 0);
    assert_stdio(&cfg);
    keep_config_free(&cfg);

    /* every commented example is itself valid */
    char *all = uncomment(t);
    parse_ok(all, &cfg);
    assert_non_null(cfg.steward);
    assert_int_equal(cfg.env_count, 1);
    assert_int_equal(cfg.files_count, 5);
    assert_int_equal(cfg.files[3].kind, KEEP_FILE_LISTEN);
    assert_non_null(cfg.files[3].client_ca);
    assert_int_equal(cfg.files[4].kind, KEEP_FILE_CONNECT);
    keep_config_free(&cfg);
    free(all);
}

static void test_full(void **state)
{
    (void)state;
    struct keep_config cfg;
    parse_ok("steward = \"https://attest.example.com/steward\"\n"
             "args = [\"--port\", \"8080\", \"\", \"ünï\"]\n"
             "[env]\n"
             "RUST_LOG = \"info\"\n"
             "EMPTY = \"\"\n"
             "\"lower.case\" = \"x=y\"\n"
             "[[files]]\nkind = \"null\"\n"
             "[[files]]\nkind = \"stdout\"\nname = \"out\"\n"
             "[[files]]\nkind = \"stderr\"\n"
             "[[files]]\nname = \"LISTEN\"\nkind = \"listen\"\nport = 12345\n"
             "[[files]]\nkind = \"listen\"\nname = \"plain\"\nprot = \"tcp\"\n"
             "addr = \"127.0.0.1\"\n"
             "[[files]]\nkind = \"listen\"\nname = \"mtls\"\nprot = \"tls\"\naddr = \"::1\"\n"
             "port = 443\nclient_ca = \"/etc/ca.pem\"\n"
             "[[files]]\nkind = \"connect\"\nname = \"db\"\nhost = \"db.example.com\"\n"
             "[[files]]\nkind = \"connect\"\nname = \"raw\"\nprot = \"tcp\"\n"
             "host = \"10.0.0.1\"\nport = 5432\n"
             "[[files]]\nkind = \"stdin\"\n",
             &cfg);
    assert_string_equal(cfg.steward, "https://attest.example.com/steward");
    assert_int_equal(cfg.args_count, 4);
    assert_string_equal(cfg.args[0], "--port");
    assert_string_equal(cfg.args[2], "");
    assert_string_equal(cfg.args[3], "ünï");
    assert_int_equal(cfg.env_count, 3);
    assert_string_equal(cfg.env[0].name, "RUST_LOG");
    assert_string_equal(cfg.env[0].value, "info");
    assert_string_equal(cfg.env[1].value, "");
    assert_string_equal(cfg.env[2].name, "lower.case");
    assert_string_equal(cfg.env[2].value, "x=y");
    assert_int_equal(cfg.files_count, 9);
    const struct keep_file *f = cfg.files;
    assert_int_equal(f[0].kind, KEEP_FILE_NULL);
    assert_string_equal(f[0].name, "null");
    assert_string_equal(f[1].name, "out");
    assert_int_equal(f[2].kind, KEEP_FILE_STDERR);
    /* listen defaults: tls, "::", port as given */
    assert_int_equal(f[3].kind, KEEP_FILE_LISTEN);
    assert_string_equal(f[3].name, "LISTEN");
    assert_int_equal(f[3].prot, KEEP_PROT_TLS);
    assert_string_equal(f[3].addr, "::");
    assert_int_equal(f[3].port, 12345);
    assert_null(f[3].client_ca);
    assert_null(f[3].host);
    /* tcp defaults to port 80 */
    assert_int_equal(f[4].prot, KEEP_PROT_TCP);
    assert_string_equal(f[4].addr, "127.0.0.1");
    assert_int_equal(f[4].port, 80);
    assert_string_equal(f[5].addr, "::1");
    assert_string_equal(f[5].client_ca, "/etc/ca.pem");
    /* connect: tls on 443 by default */
    assert_int_equal(f[6].kind, KEEP_FILE_CONNECT);
    assert_string_equal(f[6].host, "db.example.com");
    assert_int_equal(f[6].prot, KEEP_PROT_TLS);
    assert_int_equal(f[6].port, 443);
    assert_null(f[6].addr);
    assert_int_equal(f[7].prot, KEEP_PROT_TCP);
    assert_int_equal(f[7].port, 5432);
    assert_int_equal(f[8].kind, KEEP_FILE_STDIN);
    keep_config_free(&cfg);

    /* the same schema written with inline tables */
    parse_ok("env = { A = \"1\" }\n"
             "files = [ { kind = \"stdin\" }, { kind = \"connect\", name = \"c\", host = \"h\", "
             "port = 1 } ]\n",
             &cfg);
    assert_int_equal(cfg.env_count, 1);
    assert_int_equal(cfg.files_count, 2);
    assert_int_equal(cfg.files[1].port, 1);
    keep_config_free(&cfg);
}

struct bad_case {
    const char *doc;
    const char *msg; /* the whole message */
};

static const struct bad_case bad_cases[] = {
    {"[[files]]\nkind = \"listen\"\nname = \"x\"\nprots = \"tls\"\n",
     "Enarx.toml:4:1: unknown key 'prots' in [[files]] (expected kind, name, prot, addr, host, "
     "port, client_ca)"},
    {"a = 1\n", "Enarx.toml:1:1: unknown key 'a' (expected steward, args, env, files)"},
    {"args = []\n[environment]\n",
     "Enarx.toml:2:2: unknown key 'environment' (expected steward, args, env, files)"},
    {"a = ", "Enarx.toml:1:5: expected a value, found end of input"},
    {"[[files]]\nkind = \"stdin\"\n[files]\n",
     "Enarx.toml:3:1: cannot define table 'files': it is already defined as an array of tables"},
    /* steward */
    {"steward = 1\n", "Enarx.toml:1:11: 'steward' must be a string, not integer"},
    {"steward = \"\"\n", "Enarx.toml:1:11: 'steward' must not be empty"},
    {"steward = \"ftp://x\"\n",
     "Enarx.toml:1:11: 'steward' must be an http:// or https:// URL with a host, not "
     "\"ftp://x\""},
    {"steward = \"https://\"\n",
     "Enarx.toml:1:11: 'steward' must be an http:// or https:// URL with a host, not "
     "\"https://\""},
    {"steward = \"https://a b\"\n",
     "Enarx.toml:1:11: 'steward' must be an http:// or https:// URL with a host, not "
     "\"https://a b\""},
    /* args */
    {"args = \"--flag\"\n", "Enarx.toml:1:8: 'args' must be an array of strings, not string"},
    {"args = [\"a\", 2]\n", "Enarx.toml:1:14: each of 'args' must be a string, not integer"},
    {"args = [\"a\\u0000b\"]\n", "Enarx.toml:1:9: each of 'args' must not contain a NUL character"},
    /* env */
    {"env = [\"A=1\"]\n", "Enarx.toml:1:7: 'env' must be a table of strings ([env]), not array"},
    {"[env]\nA = 1\n", "Enarx.toml:2:5: env.A must be a string, not integer"},
    {"[env]\nA.B = \"x\"\n", "Enarx.toml:2:1: env.A must be a string, not table"},
    {"[env]\n\"A=B\" = \"x\"\n",
     "Enarx.toml:2:1: 'A=B' is not a valid environment variable name (it must be non-empty, "
     "without '=' or NUL)"},
    {"[env]\n\"\" = \"x\"\n",
     "Enarx.toml:2:1: '' is not a valid environment variable name (it must be non-empty, "
     "without '=' or NUL)"},
    /* files */
    {"files = {kind = \"stdin\"}\n",
     "Enarx.toml:1:9: 'files' must be an array of tables ([[files]]), not table"},
    {"files = [\"stdin\"]\n", "Enarx.toml:1:10: each of 'files' must be a table, not string"},
    {"[[files]]\nname = \"x\"\n",
     "Enarx.toml:1:1: [[files]] entry without 'kind' (expected one of null, stdin, stdout, "
     "stderr, listen, connect)"},
    {"[[files]]\nkind = \"socket\"\n",
     "Enarx.toml:2:8: unknown kind \"socket\" (expected null, stdin, stdout, stderr, listen or "
     "connect)"},
    {"[[files]]\nkind = \"STDIN\"\n",
     "Enarx.toml:2:8: unknown kind \"STDIN\" (expected null, stdin, stdout, stderr, listen or "
     "connect)"},
    {"[[files]]\nkind = 0\n", "Enarx.toml:2:8: 'kind' must be a string, not integer"},
    {"[[files]]\nkind = \"stdin\"\nport = 1\n",
     "Enarx.toml:3:1: key 'port' does not apply to kind \"stdin\" in [[files]] (expected kind, "
     "name)"},
    {"[[files]]\nkind = \"connect\"\nname = \"c\"\nhost = \"h\"\naddr = \"::\"\n",
     "Enarx.toml:5:1: key 'addr' does not apply to kind \"connect\" in [[files]] (expected "
     "kind, name, prot, host, port)"},
    {"[[files]]\nkind = \"listen\"\nname = \"l\"\nhost = \"h\"\n",
     "Enarx.toml:4:1: key 'host' does not apply to kind \"listen\" in [[files]] (expected "
     "kind, name, prot, addr, port, client_ca)"},
    {"[[files]]\nkind = \"connect\"\nname = \"c\"\nhost = \"h\"\nclient_ca = \"ca.pem\"\n",
     "Enarx.toml:5:1: key 'client_ca' does not apply to kind \"connect\" in [[files]] "
     "(expected kind, name, prot, host, port)"},
    {"[[files]]\nkind = \"stdin\"\n[[files]]\nkind = \"listen\"\nport = 80\n",
     "Enarx.toml:3:1: [[files]] entry of kind \"listen\" needs a 'name'"},
    {"[[files]]\nkind = \"stdout\"\nname = \"\"\n", "Enarx.toml:3:8: 'name' must not be empty"},
    {"[[files]]\nkind = \"stdout\"\nname = 1\n",
     "Enarx.toml:3:8: 'name' must be a string, not integer"},
    {"[[files]]\nkind = \"connect\"\nname = \"c\"\n",
     "Enarx.toml:1:1: [[files]] entry of kind \"connect\" needs a 'host'"},
    {"[[files]]\nkind = \"connect\"\nname = \"c\"\nhost = \"\"\n",
     "Enarx.toml:4:8: 'host' must not be empty"},
    {"[[files]]\nkind = \"connect\"\nname = \"c\"\nhost = \"a b\"\n",
     "Enarx.toml:4:8: 'host' must be a host name or address, not \"a b\""},
    {"[[files]]\nkind = \"listen\"\nname = \"l\"\nprot = \"udp\"\n",
     "Enarx.toml:4:8: 'prot' must be \"tls\" or \"tcp\""},
    {"[[files]]\nkind = \"listen\"\nname = \"l\"\nprot = true\n",
     "Enarx.toml:4:8: 'prot' must be a string, not boolean"},
    {"[[files]]\nkind = \"listen\"\nname = \"l\"\nport = 0\n",
     "Enarx.toml:4:8: 'port' must be between 1 and 65535, not 0"},
    {"[[files]]\nkind = \"listen\"\nname = \"l\"\nport = 65536\n",
     "Enarx.toml:4:8: 'port' must be between 1 and 65535, not 65536"},
    {"[[files]]\nkind = \"listen\"\nname = \"l\"\nport = -1\n",
     "Enarx.toml:4:8: 'port' must be between 1 and 65535, not -1"},
    {"[[files]]\nkind = \"listen\"\nname = \"l\"\nport = \"80\"\n",
     "Enarx.toml:4:8: 'port' must be an integer, not string"},
    {"[[files]]\nkind = \"listen\"\nname = \"l\"\nport = 80.0\n",
     "Enarx.toml:4:8: 'port' must be an integer, not float"},
    {"[[files]]\nkind = \"listen\"\nname = \"l\"\naddr = \"localhost\"\n",
     "Enarx.toml:4:8: 'addr' must be an IPv4 or IPv6 address, not \"localhost\""},
    {"[[files]]\nkind = \"listen\"\nname = \"l\"\naddr = \"\"\n",
     "Enarx.toml:4:8: 'addr' must not be empty"},
    {"[[files]]\nkind = \"listen\"\nname = \"l\"\nprot = \"tcp\"\nclient_ca = \"ca.pem\"\n",
     "Enarx.toml:5:13: 'client_ca' needs prot = \"tls\""},
    {"[[files]]\nkind = \"listen\"\nname = \"l\"\nclient_ca = \"\"\n",
     "Enarx.toml:4:13: 'client_ca' must not be empty"},
    {"[[files]]\nkind = \"listen\"\nname = \"l\"\nclient_ca = [\"a.pem\"]\n",
     "Enarx.toml:4:13: 'client_ca' must be a string, not array"},
};

static void test_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        struct keep_config cfg;
        char err[256];
        int ret = keep_config_parse(bad_cases[i].doc, strlen(bad_cases[i].doc), "Enarx.toml", &cfg,
                                    err, sizeof(err));
        if (ret != -EINVAL || strcmp(err, bad_cases[i].msg) != 0)
            fail_msg("case %zu:\n%s\ngot %d \"%s\"\nwant \"%s\"", i, bad_cases[i].doc, ret, err,
                     bad_cases[i].msg);
        /* nothing is left behind for the caller */
        assert_null(cfg.files);
        assert_null(cfg.args);
        assert_null(cfg.env);
        assert_null(cfg.steward);
        /* no message buffer at all is fine too */
        assert_int_equal(
            keep_config_parse(bad_cases[i].doc, strlen(bad_cases[i].doc), NULL, &cfg, NULL, 0),
            -EINVAL);
    }
    /* a short message buffer is truncated, never overrun */
    struct keep_config cfg;
    char small[12];
    assert_int_equal(keep_config_parse("a = 1", 5, "Enarx.toml", &cfg, small, sizeof(small)),
                     -EINVAL);
    assert_string_equal(small, "Enarx.toml:");
}

static void write_file(const char *path, const char *text, size_t size)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, size, f), size);
    assert_int_equal(fclose(f), 0);
}

static void test_load(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_config.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof(path), "%s/Enarx.toml", dir);
    const char *doc = "[[files]]\nkind = \"listen\"\nname = \"a\"\nclient_ca = \"ca/bundle.pem\"\n"
                      "[[files]]\nkind = \"listen\"\nname = \"b\"\nclient_ca = \"/abs.pem\"\n";
    write_file(path, doc, strlen(doc));
    struct keep_config cfg;
    char err[256], want[256];
    assert_int_equal(keep_config_load(path, &cfg, err, sizeof(err)), 0);
    snprintf(want, sizeof(want), "%s/ca/bundle.pem", dir);
    assert_string_equal(cfg.files[0].client_ca, want);
    assert_string_equal(cfg.files[1].client_ca, "/abs.pem");
    keep_config_free(&cfg);

    /* errors name the path given */
    write_file(path, "[[files]]\nkind = \"nul\"\n", 23);
    assert_int_equal(keep_config_load(path, &cfg, err, sizeof(err)), -EINVAL);
    snprintf(want, sizeof(want),
             "%s:2:8: unknown kind \"nul\" (expected null, stdin, stdout, stderr, listen or "
             "connect)",
             path);
    assert_string_equal(err, want);

    /* too large */
    size_t big_size = KEEP_CONFIG_MAX_SIZE + 1;
    char *big = malloc(big_size);
    assert_non_null(big);
    memset(big, '\n', big_size);
    write_file(path, big, big_size);
    free(big);
    assert_int_equal(keep_config_load(path, &cfg, err, sizeof(err)), -EFBIG);
    assert_non_null(strstr(err, "larger than"));
    assert_int_equal(unlink(path), 0);

    /* missing */
    assert_int_equal(keep_config_load(path, &cfg, err, sizeof(err)), -ENOENT);
    snprintf(want, sizeof(want), "%s: No such file or directory", path);
    assert_string_equal(err, want);
    assert_int_equal(cfg.files_count, 0);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults), cmocka_unit_test(test_template),
        cmocka_unit_test(test_full),     cmocka_unit_test(test_errors),
        cmocka_unit_test(test_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
