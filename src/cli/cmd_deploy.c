/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_deploy.c - `enarx deploy PACKAGE`: run a workload package in a Keep.
 *
 *   enarx deploy [--backend NAME] PACKAGE
 *
 * A package is Enarx's layout: a directory holding main.wasm (the workload) and Enarx.toml (its
 * configuration: args, env, files, steward). PACKAGE is that directory, or a file:// URL naming
 * it (file:///srv/pkg or file://localhost/srv/pkg, percent-encoding decoded). Registry names and
 * http(s) URLs are refused for now: the registry (Drawbridge) comes later.
 *
 * The package is only resolved and checked here; running it is exactly
 *   enarx run [--backend NAME] --wasmcfgfile PACKAGE/Enarx.toml PACKAGE/main.wasm
 * through cmd_run(), so that deploy and run can never drift apart: same identity (Steward),
 * files, backends and exit statuses.
 */
#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"
#include "util/util.h"

#define PKG_WASM "main.wasm"
#define PKG_CONFIG "Enarx.toml"

static void deploy_usage(FILE *out)
{
    fprintf(out, "Usage: enarx deploy [--backend NAME] PACKAGE\n"
                 "\n"
                 "Run the workload package PACKAGE in a Keep on this machine. PACKAGE is a\n"
                 "directory, or a file:// URL of one, holding main.wasm and Enarx.toml; it runs\n"
                 "as `enarx run --wasmcfgfile PACKAGE/Enarx.toml PACKAGE/main.wasm` would.\n"
                 "\n"
                 "Options:\n"
                 "  --backend NAME   the Keep backend (see `enarx platform info`)\n"
                 "  -h, --help       show this help\n");
}

/* Decodes %XX escapes of in into out (size bytes). Refuses %00, bad escapes and overflow. */
static int percent_decode(const char *in, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = in; *p; p++) {
        char c = *p;
        if (c == '%') {
            int hi = util_hex_digit(p[1]), lo = hi < 0 ? -1 : util_hex_digit(p[2]);
            if (lo < 0 || (hi == 0 && lo == 0)) return -EINVAL;
            c = (char)(hi * 16 + lo);
            p += 2;
        }
        if (n + 1 >= size) return -ENAMETOOLONG;
        out[n++] = c;
    }
    out[n] = '\0';
    return 0;
}

/* PACKAGE as a local directory path: as is, or from a file:// URL. */
static int package_dir(const char *package, char *dir, size_t size, char *err, size_t err_size)
{
    static const char file_scheme[] = "file://";
    const char *colon = strstr(package, "://");
    if (!colon) {
        if (snprintf(dir, size, "%s", package) >= (int)size) goto too_long;
        return 0;
    }
    if (strncasecmp(package, file_scheme, sizeof(file_scheme) - 1) != 0) {
        snprintf(err, err_size,
                 "'%s': only a local directory or a file:// URL can be deployed for now (the "
                 "registry comes later)",
                 package);
        return -EINVAL;
    }
    const char *rest = package + sizeof(file_scheme) - 1;
    if (strncasecmp(rest, "localhost/", 10) == 0) rest += 9;
    if (rest[0] != '/') {
        snprintf(err, err_size, "'%s': a file:// URL must name a local absolute path", package);
        return -EINVAL;
    }
    int rc = percent_decode(rest, dir, size);
    if (rc == -EINVAL) snprintf(err, err_size, "'%s': bad percent-encoding", package);
    if (rc == -ENAMETOOLONG) goto too_long;
    return rc;
too_long:
    snprintf(err, err_size, "'%s': path too long", package);
    return -ENAMETOOLONG;
}

/* NAME[:TAG] or NAME@DIGEST with a '/' in NAME and not a path (no leading '/' or '.'): what
 * `enarx deploy user/repo:tag` means in Enarx. */
static bool looks_like_registry_ref(const char *s)
{
    if (s[0] == '/' || s[0] == '.' || !strchr(s, '/')) return false;
    const char *last = strrchr(s, '/');
    return strchr(last, ':') != NULL || strchr(s, '@') != NULL;
}

/* dir/name must be a regular file; its path goes into out. */
static int package_file(const char *dir, const char *name, char *out, size_t size, char *err,
                        size_t err_size)
{
    struct stat st;
    if (snprintf(out, size, "%s/%s", dir, name) >= (int)size) {
        snprintf(err, err_size, "'%s': path too long", dir);
        return -ENAMETOOLONG;
    }
    if (stat(out, &st) < 0) {
        int e = errno;
        snprintf(err, err_size, "package '%s' has no %s: %s", dir, name, strerror(e));
        return -e;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, err_size, "package '%s': %s is not a regular file", dir, name);
        return -EINVAL;
    }
    return 0;
}

/*
 * Resolves PACKAGE into the paths of its main.wasm and Enarx.toml (each PATH_MAX bytes).
 * Returns 0, or a negative errno with a message in err: -EINVAL (not a directory or file://
 * URL, or a member that is not a regular file), -ENOENT/-ENOTDIR/-EACCES (from the file system),
 * -ENAMETOOLONG.
 */
static int deploy_package_resolve(const char *package, char wasm[PATH_MAX], char toml[PATH_MAX],
                                  char *err, size_t err_size)
{
    char dir[PATH_MAX];
    struct stat st;
    int rc = package_dir(package, dir, sizeof(dir), err, err_size);
    if (rc < 0) return rc;
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        dir[--n] = '\0';
    if (n == 0 || stat(dir, &st) < 0) {
        rc = n == 0 ? -ENOENT : -errno;
        if (rc == -ENOENT && looks_like_registry_ref(package)) {
            snprintf(err, err_size,
                     "'%s' looks like a registry reference: registries are not supported yet; "
                     "give a package directory or a file:// URL",
                     package);
            return -EINVAL;
        }
        snprintf(err, err_size, "package '%s': %s", package, strerror(-rc));
        return rc;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, err_size, "package '%s' is not a directory holding %s and %s", package,
                 PKG_WASM, PKG_CONFIG);
        return -EINVAL;
    }
    rc = package_file(dir, PKG_WASM, wasm, PATH_MAX, err, err_size);
    if (rc == 0) rc = package_file(dir, PKG_CONFIG, toml, PATH_MAX, err, err_size);
    return rc;
}

/* Reads the options and PACKAGE: 0, 1 (help shown) or EXIT_USAGE (after saying why). */
static int deploy_args(int argc, char **argv, const char **backend, const char **package)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            deploy_usage(stdout);
            return 1;
        }
        if (strcmp(argv[i], "--backend") == 0 && i + 1 < argc) {
            *backend = argv[++i];
        } else if (strncmp(argv[i], "--backend=", 10) == 0) {
            *backend = argv[i] + 10;
        } else if (argv[i][0] == '-' || *package) {
            fprintf(stderr, "enarx deploy: unexpected argument '%s'\n", argv[i]);
            deploy_usage(stderr);
            return EXIT_USAGE;
        } else {
            *package = argv[i];
        }
    }
    if (*package) return 0;
    deploy_usage(stderr);
    return EXIT_USAGE;
}

int cmd_deploy(int argc, char **argv)
{
    const char *backend = NULL, *package = NULL;
    int rc = deploy_args(argc, argv, &backend, &package);
    if (rc != 0) return rc == 1 ? 0 : rc;
    char wasm[PATH_MAX], toml[PATH_MAX], err[PATH_MAX + 128];
    rc = deploy_package_resolve(package, wasm, toml, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "enarx deploy: %s\n", err);
        return rc == -EINVAL || rc == -ENAMETOOLONG ? EXIT_USAGE : EXIT_IO;
    }
    char *args[8];
    int n = 0;
    args[n++] = "run";
    if (backend) {
        args[n++] = "--backend";
        args[n++] = (char *)backend;
    }
    args[n++] = "--wasmcfgfile";
    args[n++] = toml;
    args[n++] = wasm;
    args[n] = NULL;
    return cmd_run(n, args);
}
