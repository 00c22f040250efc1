/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_opts.c - the option parser every enarx verb uses (src/cli/opts.c), its value parsers
 * (durations, sizes, counts, --env, --dir, choices), its suggestions, its errors and help, and
 * the log prefix and source locations it leads to (src/util/log.c).
 *
 * opts.c is compiled into this test (it is part of the enarx executable, not of a library).
 * Messages are checked by capturing stderr or stdout into a temporary file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../../src/cli/opts.c"

/* ---- capturing a stream ---- */

static char g_out[8192];
static int g_saved = -1;
static FILE *g_tmp;

static void capture(FILE *stream)
{
    fflush(stream);
    g_tmp = tmpfile();
    assert_non_null(g_tmp);
    g_saved = dup(fileno(stream));
    assert_true(dup2(fileno(g_tmp), fileno(stream)) >= 0);
}

static const char *captured(FILE *stream)
{
    fflush(stream);
    dup2(g_saved, fileno(stream));
    close(g_saved);
    rewind(g_tmp);
    size_t n = fread(g_out, 1, sizeof(g_out) - 1, g_tmp);
    g_out[n] = '\0';
    fclose(g_tmp);
    return g_out;
}

/* ---- a verb to parse with ---- */

enum { T_BACKEND = 1, T_ENV, T_JSON, T_FORCE };

static const struct opts_option t_options[] = {
    {"backend", 'b', "NAME", T_BACKEND, 0, "the backend"},
    {"env", 'e', "KEY[=VALUE]", T_ENV, OPTS_REPEAT, "an environment variable"},
    {"json", 0, NULL, T_JSON, 0, "print JSON"},
    {"force", 'f', NULL, T_FORCE, 0, "overwrite"},
    {"a-very-long-option-name", 0, "VALUE", T_FORCE, OPTS_REPEAT,
     "a help text long enough that it has to be wrapped onto more than one line, at word "
     "boundaries, so that no line of --help reaches\ncolumn 80"},
    {0},
};

static struct opts_verb t_verb = {
    .name = "test",
    .args = "FILE [MORE]",
    .min_args = 1,
    .max_args = 2,
    .summary = "a verb for tests",
    .description = "Parses things.",
    .exit_status = "0 fine",
    .examples = "enarx test --json x",
    .options = t_options,
};

/* Parses the NULL-terminated words (after "test") and records what came out as a string:
 * "b=nil j a=FILE" etc.; returns the last opts_next result (OPTS_END or OPTS_EXIT). */
static char g_trace[512];
static struct opts_state g_st;

static int parse(const struct opts_verb *v, ...)
{
    char *argv[32] = {"test"};
    int argc = 1;
    va_list ap;
    va_start(ap, v);
    for (char *a; (a = va_arg(ap, char *)) != NULL && argc < 31;)
        argv[argc++] = a;
    va_end(ap);
    static char *keep[32];
    memcpy(keep, argv, sizeof(argv));
    opts_init(&g_st, v, argc, keep);
    g_trace[0] = '\0';
    size_t n = 0;
    for (;;) {
        int id = opts_next(&g_st);
        if (id == OPTS_END || id == OPTS_EXIT) return id;
        const char *tag = id == OPTS_ARG    ? "a"
                          : id == T_BACKEND ? "b"
                          : id == T_ENV     ? "e"
                          : id == T_JSON    ? "j"
                                            : "f";
        n += (size_t)snprintf(g_trace + n, sizeof(g_trace) - n, "%s%s%s%s", n ? " " : "", tag,
                              g_st.value ? "=" : "", g_st.value ? g_st.value : "");
    }
}

static void test_forms_of_values(void **state)
{
    (void)state;
    assert_int_equal(parse(&t_verb, "--backend=nil", "x", NULL), OPTS_END);
    assert_string_equal(g_trace, "b=nil a=x");
    assert_int_equal(parse(&t_verb, "--backend", "nil", "x", NULL), OPTS_END);
    assert_string_equal(g_trace, "b=nil a=x");
    assert_int_equal(parse(&t_verb, "-b", "nil", "x", NULL), OPTS_END);
    assert_string_equal(g_trace, "b=nil a=x");
    assert_int_equal(parse(&t_verb, "-bnil", "x", NULL), OPTS_END);
    assert_string_equal(g_trace, "b=nil a=x");
    /* an = inside the value stays in the value; an empty value is a value */
    assert_int_equal(parse(&t_verb, "--env=K=V=W", "--env=", "x", NULL), OPTS_END);
    assert_string_equal(g_trace, "e=K=V=W e= a=x");
    /* a bundle of flags, then a short option taking the rest as its value */
    assert_int_equal(parse(&t_verb, "-fbsandbox", "x", NULL), OPTS_END);
    assert_string_equal(g_trace, "f b=sandbox a=x");
}

static void test_positionals(void **state)
{
    (void)state;
    /* options and positionals interleave */
    assert_int_equal(parse(&t_verb, "x", "--json", "y", NULL), OPTS_END);
    assert_string_equal(g_trace, "a=x j a=y");
    /* -- ends options; - alone is an argument */
    assert_int_equal(parse(&t_verb, "--", "--json", "-", NULL), OPTS_END);
    assert_string_equal(g_trace, "a=--json a=-");
    /* with OPTS_STOP_AT_ARG everything after the first positional is positional */
    struct opts_verb v = t_verb;
    v.flags = OPTS_STOP_AT_ARG;
    v.max_args = -1;
    assert_int_equal(parse(&v, "--json", "mod.wasm", "--json", "--", "--log-level=x", NULL),
                     OPTS_END);
    assert_string_equal(g_trace, "j a=mod.wasm a=--json a=-- a=--log-level=x");
    assert_int_equal(parse(&v, "mod.wasm", NULL), OPTS_END);
    /* opts_rest hands over what is left */
    char *argv[] = {"run", "--json", "mod.wasm", "a", "--b", NULL};
    opts_init(&g_st, &v, 5, argv);
    assert_int_equal(opts_next(&g_st), T_JSON);
    assert_int_equal(opts_next(&g_st), OPTS_ARG);
    assert_string_equal(g_st.value, "mod.wasm");
    int count = 0;
    char **rest = opts_rest(&g_st, &count);
    assert_int_equal(count, 2);
    assert_string_equal(rest[0], "a");
    assert_string_equal(rest[1], "--b");
    assert_int_equal(opts_next(&g_st), OPTS_END);
}

static void test_global_options_anywhere(void **state)
{
    (void)state;
    log_set_level(LOG_WARN);
    assert_int_equal(parse(&t_verb, "x", "--log-level=debug", NULL), OPTS_END);
    assert_int_equal(log_get_level(), LOG_DEBUG);
    assert_string_equal(g_trace, "a=x");
    assert_int_equal(parse(&t_verb, "--log-level", "error", "x", NULL), OPTS_END);
    assert_int_equal(log_get_level(), LOG_ERROR);
    assert_int_equal(parse(&t_verb, "-v", "x", "--verbose", NULL), OPTS_END);
    assert_int_equal(log_get_level(), LOG_INFO);
    assert_int_equal(parse(&t_verb, "-vv", "x", NULL), OPTS_END);
    assert_int_equal(log_get_level(), LOG_DEBUG);
    assert_int_equal(parse(&t_verb, "x", "-q", NULL), OPTS_END);
    assert_int_equal(log_get_level(), LOG_ERROR);
    capture(stderr);
    assert_int_equal(parse(&t_verb, "x", "--log-level=loud", NULL), OPTS_EXIT);
    assert_int_equal(g_st.status, 64);
    assert_non_null(strstr(captured(stderr), "enarx test: --log-level: unknown level 'loud'"));
    log_set_level(LOG_WARN);
}

/* Parses words expecting a usage error; returns what was said on stderr. */
static const char *usage_error(const char *a, const char *b, const char *c)
{
    capture(stderr);
    int rc = parse(&t_verb, a, b, c, NULL);
    const char *err = captured(stderr);
    assert_int_equal(rc, OPTS_EXIT);
    assert_int_equal(g_st.status, 64);
    assert_non_null(strstr(err, "Try 'enarx test --help'."));
    /* the parse stays over */
    assert_int_equal(opts_next(&g_st), OPTS_EXIT);
    return err;
}

static void test_errors(void **state)
{
    (void)state;
    assert_non_null(strstr(usage_error("--bakend", "nil", NULL),
                           "enarx test: unknown option '--bakend' (did you mean '--backend'?)\n"));
    assert_non_null(strstr(usage_error("x", "--jsn", NULL), "(did you mean '--json'?)"));
    assert_non_null(strstr(usage_error("x", "--log-levl=info", NULL), "'--log-level'"));
    assert_non_null(strstr(usage_error("x", "--zzzzzz", NULL), "unknown option '--zzzzzz'\n"));
    assert_non_null(
        strstr(usage_error("-json", "x", NULL), "unknown option '-json' (did you mean '--json'?)"));
    assert_non_null(strstr(usage_error("-z", "x", NULL), "unknown option '-z'\n"));
    /* a long name with one dash whose first letter is a short option of its own */
    assert_non_null(strstr(usage_error("-force", "x", NULL),
                           "unknown option '-force' (did you mean '--force'?)"));
    assert_non_null(strstr(usage_error("--json=yes", "x", NULL), "'--json' takes no value"));
    assert_non_null(
        strstr(usage_error("x", "--backend", NULL), "'--backend' needs a value (NAME)"));
    assert_non_null(strstr(usage_error("x", "-b", NULL), "'-b' needs a value"));
    assert_non_null(strstr(usage_error("--json", NULL, NULL), "enarx test: missing FILE\n"));
    assert_non_null(strstr(usage_error("x", "y", "z"), "unexpected argument 'z'"));
}

static void test_help(void **state)
{
    (void)state;
    capture(stdout);
    int rc = parse(&t_verb, "x", "--help", "--bogus", NULL);
    const char *out = captured(stdout);
    assert_int_equal(rc, OPTS_EXIT);
    assert_int_equal(g_st.status, 0);
    assert_non_null(strstr(out, "Usage: enarx test [OPTIONS] FILE [MORE]\n"));
    assert_non_null(strstr(out, "  -b, --backend NAME"));
    assert_non_null(strstr(out, "      --json "));
    assert_non_null(strstr(out, "an environment variable (repeatable)"));
    assert_non_null(strstr(out, "      --log-level LEVEL"));
    assert_non_null(strstr(out, "Exit status: 0 fine"));
    assert_non_null(strstr(out, "  enarx test --json x\n"));
    /* wrapped at word boundaries before column 80, continuation lines at the help column */
    for (const char *line = out; *line;) {
        size_t len = strcspn(line, "\n");
        assert_true(len < 80);
        line += len + (line[len] == '\n');
    }
    assert_non_null(strstr(out, "      --a-very-long-option-name VALUE\n"
                                "                            a help text long enough that it "
                                "has to be wrapped\n"
                                "                            onto more than one line"));
    assert_non_null(strstr(out, " reaches column 80\n                            (repeatable)\n"));
    assert_non_null(strstr(out, "  -b, --backend NAME        the backend\n"));
    capture(stdout);
    assert_int_equal(parse(&t_verb, "-h", NULL), OPTS_EXIT);
    assert_non_null(strstr(captured(stdout), "Usage: enarx test"));
    assert_int_equal(g_st.status, 0);
}

static void test_man(void **state)
{
    (void)state;
    capture(stdout);
    opts_man(&t_verb, stdout);
    const char *out = captured(stdout);
    assert_non_null(strstr(out, ".SS \"enarx test [OPTIONS] FILE [MORE]\"\n"));
    assert_non_null(
        strstr(out, ".TP\n\\fB\\-b\\fR, \\fB\\-\\-backend\\fR \\fINAME\\fR\nthe backend\n"));
    assert_non_null(strstr(out, "\\fB\\-\\-json\\fR\nprint JSON\n"));
    assert_non_null(strstr(out, "enarx test \\-\\-json x"));
    /* no line of text may start with a roff control character */
    capture(stdout);
    opts_man_text("t", ".bad\n'also\n", 11, stdout);
    out = captured(stdout);
    assert_non_null(strstr(out, "\\&.bad\n\\&'also\n"));
}

static int run_a(int argc, char **argv)
{
    return argc == 3 && strcmp(argv[0], "alpha") == 0 && strcmp(argv[2], "--x") == 0 ? 7 : 99;
}

static void test_commands(void **state)
{
    (void)state;
    static const struct opts_command cmds[] = {
        {"alpha", NULL, run_a, "the first"},
        {"info", NULL, run_a, "the second"},
        {0},
    };
    struct opts_verb group = {.name = "grp",
                              .args = "COMMAND [ARGS]...",
                              .min_args = 1,
                              .max_args = -1,
                              .flags = OPTS_STOP_AT_ARG,
                              .commands = cmds};
    char *argv[] = {"grp", "--log-level=warn", "alpha", "y", "--x", NULL};
    assert_int_equal(opts_run_group(&group, 5, argv), 7);
    char *bad[] = {"grp", "snp", NULL};
    capture(stderr);
    assert_int_equal(opts_run_group(&group, 2, bad), 64);
    assert_non_null(
        strstr(captured(stderr), "enarx grp: unknown subcommand 'snp' (expected alpha, info)"));
    char *near[] = {"grp", "inf", NULL};
    capture(stderr);
    assert_int_equal(opts_run_group(&group, 2, near), 64);
    assert_non_null(strstr(captured(stderr), "unknown subcommand 'inf' (did you mean 'info'?)"));
    char *none[] = {"grp", NULL};
    capture(stderr);
    assert_int_equal(opts_run_group(&group, 1, none), 64);
    assert_non_null(strstr(captured(stderr), "enarx grp: missing COMMAND"));
    char *help[] = {"grp", "--help", NULL};
    capture(stdout);
    assert_int_equal(opts_run_group(&group, 2, help), 0);
    assert_non_null(strstr(captured(stdout), "  alpha       the first\n"));
}

static void test_suggest(void **state)
{
    (void)state;
    const char *names[] = {"backend", "wasmcfgfile", "dir", "env", "force", "json"};
    size_t n = ARRAY_LEN(names);
    assert_string_equal(opts_suggest("forse", names, n), "force");
    assert_string_equal(opts_suggest("bakcend", names, n), "backend"); /* a swap is one edit */
    assert_string_equal(opts_suggest("jsn", names, n), "json");
    assert_string_equal(opts_suggest("wasmcfg", names, n), "wasmcfgfile"); /* unique prefix */
    assert_string_equal(opts_suggest("dirs", names, n), "dir");
    assert_null(opts_suggest("e", names, n)); /* too short to guess */
    assert_null(opts_suggest("xyzzy", names, n));
    assert_null(opts_suggest("", names, n));
}

/* ---- value parsers ---- */

static void test_duration(void **state)
{
    (void)state;
    uint64_t ns = 0;
    char why[160];
    assert_int_equal(opts_parse_duration("500ms", &ns, why, sizeof(why)), 0);
    assert_true(ns == 500000000ull);
    assert_int_equal(opts_parse_duration("2s", &ns, why, sizeof(why)), 0);
    assert_true(ns == 2000000000ull);
    assert_int_equal(opts_parse_duration("1m", &ns, why, sizeof(why)), 0);
    assert_true(ns == 60000000000ull);
    assert_int_equal(opts_parse_duration("1m30s", &ns, why, sizeof(why)), 0);
    assert_true(ns == 90000000000ull);
    assert_int_equal(opts_parse_duration("2h", &ns, why, sizeof(why)), 0);
    assert_true(ns == 7200000000000ull);
    static const char *const bad[] = {"",    "5",  "1.5s", "-1s", "+1s", "2 s",  " 2s",
                                      "2s ", "2x", "s",    "2S",  "ms",  "2sec", "1m30"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        why[0] = '\0';
        ns = 42;
        assert_int_equal(opts_parse_duration(bad[i], &ns, why, sizeof(why)), -EINVAL);
        assert_true(ns == 42);
        assert_non_null(strstr(why, "ms, s, m or h"));
    }
    assert_int_equal(opts_parse_duration("5", &ns, why, sizeof(why)), -EINVAL);
    assert_non_null(strstr(why, "'5' has no unit"));
    assert_int_equal(opts_parse_duration("0s", &ns, why, sizeof(why)), -EINVAL);
    assert_non_null(strstr(why, "more than zero"));
    assert_int_equal(opts_parse_duration("99999999999999999999h", &ns, why, sizeof(why)), -ERANGE);
    assert_int_equal(opts_parse_duration("5200000h", &ns, why, sizeof(why)), -ERANGE);
    assert_int_equal(opts_parse_duration("5000000h5000000h", &ns, why, sizeof(why)), -ERANGE);
    assert_non_null(strstr(why, "too long"));
}

static void test_size(void **state)
{
    (void)state;
    uint64_t b = 0;
    char why[200];
    assert_int_equal(opts_parse_size("64MiB", &b, why, sizeof(why)), 0);
    assert_true(b == 64ull << 20);
    assert_int_equal(opts_parse_size("1GiB", &b, why, sizeof(why)), 0);
    assert_true(b == 1ull << 30);
    assert_int_equal(opts_parse_size("65536", &b, why, sizeof(why)), 0);
    assert_true(b == 65536);
    assert_int_equal(opts_parse_size("12B", &b, why, sizeof(why)), 0);
    assert_true(b == 12);
    assert_int_equal(opts_parse_size("3KiB", &b, why, sizeof(why)), 0);
    assert_true(b == 3072);
    assert_int_equal(opts_parse_size("2MB", &b, why, sizeof(why)), 0);
    assert_true(b == 2000000);
    assert_int_equal(opts_parse_size("1kB", &b, why, sizeof(why)), 0);
    assert_true(b == 1000);
    static const char *const bad[] = {"",   "MiB", "64mib",  "64 MiB", "1.5GiB",
                                      "-1", "64M", "64MiBs", "0x10"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        why[0] = '\0';
        b = 42;
        assert_int_equal(opts_parse_size(bad[i], &b, why, sizeof(why)), -EINVAL);
        assert_true(b == 42);
        assert_non_null(strstr(why, "KiB, MiB, GiB"));
    }
    assert_int_equal(opts_parse_size("64mib", &b, why, sizeof(why)), -EINVAL);
    assert_non_null(strstr(why, "unknown unit 'mib'"));
    assert_int_equal(opts_parse_size("0", &b, why, sizeof(why)), -EINVAL);
    assert_non_null(strstr(why, "more than zero"));
    assert_int_equal(opts_parse_size("17179869184GiB", &b, why, sizeof(why)), -ERANGE);
    assert_int_equal(opts_parse_size("18446744073709551616", &b, why, sizeof(why)), -ERANGE);
    assert_int_equal(opts_parse_size("18446744073709551615", &b, why, sizeof(why)), 0);
    assert_true(b == UINT64_MAX);
}

static void test_count(void **state)
{
    (void)state;
    uint64_t n = 0;
    char why[120];
    assert_int_equal(opts_parse_count("1000000", &n, why, sizeof(why)), 0);
    assert_true(n == 1000000);
    assert_int_equal(opts_parse_count("0", &n, why, sizeof(why)), -EINVAL);
    assert_non_null(strstr(why, "at least 1"));
    assert_int_equal(opts_parse_count("1e6", &n, why, sizeof(why)), -EINVAL);
    assert_non_null(strstr(why, "not a whole number"));
    assert_int_equal(opts_parse_count("", &n, why, sizeof(why)), -EINVAL);
    assert_int_equal(opts_parse_count("-5", &n, why, sizeof(why)), -EINVAL);
    assert_int_equal(opts_parse_count("99999999999999999999", &n, why, sizeof(why)), -ERANGE);
}

static void test_env(void **state)
{
    (void)state;
    char *kv = NULL, why[160];
    assert_int_equal(opts_parse_env("K=V=W", &kv, why, sizeof(why)), 0);
    assert_string_equal(kv, "K=V=W");
    free(kv);
    assert_int_equal(opts_parse_env("K=", &kv, why, sizeof(why)), 0);
    assert_string_equal(kv, "K=");
    free(kv);
    setenv("ENARX_TEST_OPTS_HOST", "from host", 1);
    assert_int_equal(opts_parse_env("ENARX_TEST_OPTS_HOST", &kv, why, sizeof(why)), 0);
    assert_string_equal(kv, "ENARX_TEST_OPTS_HOST=from host");
    free(kv);
    unsetenv("ENARX_TEST_OPTS_UNSET");
    kv = (char *)"x";
    assert_int_equal(opts_parse_env("ENARX_TEST_OPTS_UNSET", &kv, why, sizeof(why)), 0);
    assert_null(kv);
    assert_int_equal(opts_parse_env("=V", &kv, why, sizeof(why)), -EINVAL);
    assert_non_null(strstr(why, "KEY=VALUE"));
    assert_int_equal(opts_parse_env("", &kv, why, sizeof(why)), -EINVAL);
}

static void test_dir(void **state)
{
    (void)state;
    size_t hlen = 0;
    const char *guest = NULL;
    char why[160];
    assert_int_equal(opts_parse_dir("data::/data", &hlen, &guest, why, sizeof(why)), 0);
    assert_int_equal(hlen, 4);
    assert_string_equal(guest, "/data");
    assert_int_equal(opts_parse_dir("/tmp/x", &hlen, &guest, why, sizeof(why)), 0);
    assert_int_equal(hlen, 6);
    assert_string_equal(guest, "/tmp/x");
    assert_int_equal(opts_parse_dir("::/data", &hlen, &guest, why, sizeof(why)), -EINVAL);
    assert_non_null(strstr(why, "HOST missing"));
    assert_int_equal(opts_parse_dir("data::", &hlen, &guest, why, sizeof(why)), -EINVAL);
    assert_non_null(strstr(why, "GUEST missing"));
    assert_int_equal(opts_parse_dir("", &hlen, &guest, why, sizeof(why)), -EINVAL);
}

static void test_choice(void **state)
{
    (void)state;
    const char *tiers[] = {"interp", "native"};
    size_t idx = 9;
    char why[200];
    assert_int_equal(opts_parse_choice("native", tiers, 2, &idx, why, sizeof(why)), 0);
    assert_int_equal(idx, 1);
    assert_int_equal(opts_parse_choice("intrep", tiers, 2, &idx, why, sizeof(why)), -EINVAL);
    assert_string_equal(why,
                        "unknown value 'intrep' (expected interp, native); did you mean 'interp'?");
    assert_int_equal(opts_parse_choice("jit", tiers, 2, &idx, why, sizeof(why)), -EINVAL);
    assert_string_equal(why, "unknown value 'jit' (expected interp, native)");
}

/* ---- logs ---- */

static void test_log_prefix_and_location(void **state)
{
    (void)state;
    assert_int_equal(parse(&t_verb, "x", NULL), OPTS_END);
    assert_string_equal(log_get_prefix(), "enarx test");
    log_set_level(LOG_INFO);
    capture(stderr);
    log_info("hello %d", 1);
    const char *out = captured(stderr);
    assert_string_equal(out, "enarx test: info: hello 1\n");
    log_set_level(LOG_DEBUG);
    capture(stderr);
    log_warn("there");
    out = captured(stderr);
    assert_non_null(strstr(out, "enarx test: warn: there (test_opts.c:"));
    log_set_prefix("enarx-steward");
    log_set_level(LOG_WARN);
    capture(stderr);
    log_info("dropped");
    log_error("kept");
    assert_string_equal(captured(stderr), "enarx-steward: error: kept\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms_of_values),
        cmocka_unit_test(test_positionals),
        cmocka_unit_test(test_global_options_anywhere),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_man),
        cmocka_unit_test(test_commands),
        cmocka_unit_test(test_suggest),
        cmocka_unit_test(test_duration),
        cmocka_unit_test(test_size),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_env),
        cmocka_unit_test(test_dir),
        cmocka_unit_test(test_choice),
        cmocka_unit_test(test_log_prefix_and_location),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
