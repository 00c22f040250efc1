/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_deploy.c - `enarx deploy PACKAGE`: package resolution and the hand-off to `enarx run`.
 *
 * cmd_deploy.c is compiled into this test (it is part of the enarx executable, not of a
 * library), and cmd_run() is replaced by a recorder: deploy must call it with exactly
 * `run [--backend NAME] --wasmcfgfile PKG/Enarx.toml PKG/main.wasm`, which is how deploy and run
 * share one code path. Packages are built in a temporary directory: good ones (a directory, a
 * file:// URL with and without localhost, percent-encoded), and bad ones (missing members,
 * members that are directories, a file instead of a directory, other schemes, bad escapes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../../src/cli/cmd_deploy.c"

static char *g_args[16];
static int g_argc;

int cmd_run(int argc, char **argv)
{
    g_argc = argc;
    for (int i = 0; i < argc && i < 16; i++) {
        free(g_args[i]);
        g_args[i] = strdup(argv[i]);
    }
    return 42;
}

static char g_dir[64];

static void put(const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", g_dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    strcpy(g_dir, "/tmp/deploy-test-XXXXXX");
    if (!mkdtemp(g_dir)) return -1;
    mkdir(strcat(strcpy((char[128]){0}, g_dir), "/my pkg"), 0755);
    put("my pkg/main.wasm");
    put("my pkg/Enarx.toml");
    mkdir(strcat(strcpy((char[128]){0}, g_dir), "/nowasm"), 0755);
    put("nowasm/Enarx.toml");
    mkdir(strcat(strcpy((char[128]){0}, g_dir), "/dirwasm"), 0755);
    mkdir(strcat(strcpy((char[128]){0}, g_dir), "/dirwasm/main.wasm"), 0755);
    put("dirwasm/Enarx.toml");
    mkdir(strcat(strcpy((char[128]){0}, g_dir), "/notoml"), 0755);
    put("notoml/main.wasm");
    put("afile");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
    for (int i = 0; i < 16; i++)
        free(g_args[i]);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_resolve(void **state)
{
    (void)state;
    char wasm[PATH_MAX], toml[PATH_MAX], err[512], pkg[256], want[256];
    snprintf(want, sizeof(want), "%s/my pkg/main.wasm", g_dir);
    const char *forms[] = {"%s/my pkg", "%s/my pkg/", "file://%s/my%%20pkg",
                           "file://localhost%s/my pkg", "FILE://%s/my pkg//"};
    for (size_t i = 0; i < ARRAY_LEN(forms); i++) {
        snprintf(pkg, sizeof(pkg), forms[i], g_dir);
        if (deploy_package_resolve(pkg, wasm, toml, err, sizeof(err)) != 0)
            fail_msg("%s: %s", pkg, err);
        assert_string_equal(wasm, want);
        assert_non_null(strstr(toml, "/my pkg/Enarx.toml"));
    }
    static const struct {
        const char *fmt;
        int rc;
        const char *msg;
    } bad[] = {
        {"%s/nowasm", -ENOENT, "has no main.wasm"},
        {"%s/notoml", -ENOENT, "has no Enarx.toml"},
        {"%s/dirwasm", -EINVAL, "not a regular file"},
        {"%s/afile", -EINVAL, "not a directory"},
        {"%s/absent", -ENOENT, "No such file"},
        {"https://example.com/pkg%s", -EINVAL, "registry comes later"},
        {"file://host%s/my pkg", -EINVAL, "local absolute path"},
        {"file://%s/my%%00pkg", -EINVAL, "percent-encoding"},
        {"file://%s/my%%2", -EINVAL, "percent-encoding"},
        {"file://relative%s", -EINVAL, "local absolute path"},
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        snprintf(pkg, sizeof(pkg), bad[i].fmt, g_dir);
        err[0] = '\0';
        int rc = deploy_package_resolve(pkg, wasm, toml, err, sizeof(err));
        if (rc != bad[i].rc || !strstr(err, bad[i].msg)) fail_msg("%s: rc %d, '%s'", pkg, rc, err);
    }
    assert_int_equal(deploy_package_resolve("", wasm, toml, err, sizeof(err)), -ENOENT);
    char huge[PATH_MAX + 16];
    memset(huge, 'a', sizeof(huge) - 1);
    huge[sizeof(huge) - 1] = '\0';
    assert_int_equal(deploy_package_resolve(huge, wasm, toml, err, sizeof(err)), -ENAMETOOLONG);
}

static void test_runs_like_run(void **state)
{
    (void)state;
    char pkg[256], want[256];
    snprintf(pkg, sizeof(pkg), "file://%s/my%%20pkg", g_dir);
    char *argv[] = {"deploy", pkg, NULL};
    assert_int_equal(cmd_deploy(2, argv), 42); /* cmd_run's status is deploy's */
    assert_int_equal(g_argc, 4);
    assert_string_equal(g_args[0], "run");
    assert_string_equal(g_args[1], "--wasmcfgfile");
    snprintf(want, sizeof(want), "%s/my pkg/Enarx.toml", g_dir);
    assert_string_equal(g_args[2], want);
    snprintf(want, sizeof(want), "%s/my pkg/main.wasm", g_dir);
    assert_string_equal(g_args[3], want);

    char *argv2[] = {"deploy", "--backend", "nil", pkg, NULL};
    assert_int_equal(cmd_deploy(4, argv2), 42);
    assert_int_equal(g_argc, 6);
    assert_string_equal(g_args[1], "--backend");
    assert_string_equal(g_args[2], "nil");
    assert_string_equal(g_args[3], "--wasmcfgfile");

    /* usage errors and bad packages never reach run */
    g_argc = 0;
    char *none[] = {"deploy", NULL};
    assert_int_equal(cmd_deploy(1, none), EXIT_USAGE);
    char *two[] = {"deploy", pkg, pkg, NULL};
    assert_int_equal(cmd_deploy(3, two), EXIT_USAGE);
    char *opt[] = {"deploy", "--bogus", pkg, NULL};
    assert_int_equal(cmd_deploy(3, opt), EXIT_USAGE);
    char *reg[] = {"deploy", "example/pkg:1.0", NULL};
    assert_int_equal(cmd_deploy(2, reg), EXIT_USAGE); /* a registry reference: not yet */
    char *missing[] = {"deploy", "./no-such-package", NULL};
    assert_int_equal(cmd_deploy(2, missing), EXIT_IO); /* no such directory */
    char *web[] = {"deploy", "https://example.com/pkg", NULL};
    assert_int_equal(cmd_deploy(2, web), EXIT_USAGE);
    char *help[] = {"deploy", "--help", NULL};
    assert_int_equal(cmd_deploy(2, help), 0);
    assert_int_equal(g_argc, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_runs_like_run),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
