/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_run.c - `enarx run`: load a WebAssembly module and run its `_start` in a Keep.
 *
 * The module is read, decoded, validated and compiled in the enarx process; then the chosen
 * backend (keep/backend.h: `sandbox` by default where it works, else `nil`) runs the Keep's
 * exec, which links WASI, instantiates and calls _start. Enarx.toml, --dir and sockets come
 * with the WASI/Keep issue (#3).
 * Flags follow wasmtime's (`--env KEY=VALUE`) because WASI users already type them.
 *
 * Exit status: the workload's proc_exit code (0 when _start returns), 134 when it traps
 * (as wasmtime), 65 when the module is malformed, invalid or cannot be linked, 64 for usage
 * errors, 66 when the module cannot be read, 69 when the backend is unavailable, 159 when the
 * sandbox stopped a forbidden system call.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "keep/backend.h"
#include "util/util.h"
#include "wasi/wasi.h"
#include "wasm/wasm.h"

#define EXIT_TRAP 134
#define EXIT_MODULE 65
#define EXIT_BACKEND 69 /* the backend is unavailable or could not start the Keep */
#define MAX_MODULE_SIZE (256u << 20)
#define MAX_ENV 4096

static void run_usage(FILE *out)
{
    fprintf(out,
            "Usage: enarx run [OPTIONS] MODULE [ARGS]...\n"
            "\n"
            "Run the WebAssembly (WASI) module MODULE with ARGS in a Keep on this machine.\n"
            "\n"
            "Options:\n"
            "  --backend NAME      Keep backend (also ENARX_BACKEND): sandbox (the default\n"
            "                      where it works) or nil; see `enarx platform info`\n"
            "  --env KEY=VALUE     add KEY=VALUE to the workload's environment (repeatable)\n"
            "  -h, --help          show this help\n"
            "\n"
            "Exit status: the workload's exit code; 134 if it trapped; 65 if the module is\n"
            "malformed, invalid or needs imports that are not provided; 64 usage; 66 I/O;\n"
            "69 backend unavailable; 159 the sandbox stopped a forbidden system call.\n");
}

struct run_opts {
    const char *backend;
    char *env[MAX_ENV];
    int nenv;
    int first_arg; /* index of MODULE in argv */
};

static int parse_opts(int argc, char **argv, struct run_opts *o)
{
    o->backend = getenv("ENARX_BACKEND");
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            run_usage(stdout);
            return 1;
        }
        if ((strcmp(a, "--backend") == 0 || strcmp(a, "--env") == 0) && i + 1 >= argc) {
            fprintf(stderr, "enarx run: %s needs a value\n", a);
            return -EXIT_USAGE;
        }
        if (strcmp(a, "--backend") == 0) {
            o->backend = argv[++i];
        } else if (strcmp(a, "--env") == 0) {
            const char *kv = argv[++i];
            if (!strchr(kv, '=') || kv[0] == '=' || o->nenv >= MAX_ENV) {
                fprintf(stderr, "enarx run: --env wants KEY=VALUE, got '%s'\n", kv);
                return -EXIT_USAGE;
            }
            o->env[o->nenv++] = argv[i];
        } else {
            fprintf(stderr, "enarx run: unknown option '%s'\n", a);
            run_usage(stderr);
            return -EXIT_USAGE;
        }
    }
    if (o->backend && !keep_backend_find(o->backend)) {
        fprintf(stderr, "enarx run: unknown backend '%s' (see `enarx platform info`)\n",
                o->backend);
        return -EXIT_USAGE;
    }
    if (i >= argc) {
        run_usage(stderr);
        return -EXIT_USAGE;
    }
    o->first_arg = i;
    return 0;
}

struct run_job {
    struct wasm_module *mod;
    struct wasi_ctx *wasi;
    const char *path;
};

/* The Keep's exec: instantiates and runs _start; returns the exit status. */
static int run_module(void *arg)
{
    const struct run_job *job = arg;
    struct wasm_module *mod = job->mod;
    struct wasi_ctx *wasi = job->wasi;
    const char *path = job->path;
    struct wasm_store *store = NULL;
    struct wasm_extern *imports = NULL;
    struct wasm_instance *inst;
    struct wasm_error err = {0};
    char msg[256] = "";
    int status = EXIT_MODULE;

    uint32_t nimports = wasm_module_import_count(mod);
    imports = calloc(nimports ? nimports : 1, sizeof(*imports));
    if (!imports || wasm_store_new(NULL, &store) < 0) {
        fprintf(stderr, "enarx run: out of memory\n");
        goto out;
    }
    if (wasi_ctx_link(wasi, store, mod, imports, msg, sizeof(msg)) < 0) {
        fprintf(stderr, "enarx run: %s: %s\n", path, msg);
        goto out;
    }
    struct wasm_extern start;
    int ret = wasm_instance_new(store, mod, imports, nimports, &inst, &err);
    if (ret == 0)
        ret = wasm_instance_export(inst, "_start", 6, &start);
    if (ret == -ENOENT || (ret == 0 && start.kind != WASM_EXTERN_FUNC)) {
        fprintf(stderr, "enarx run: %s: no _start function exported\n", path);
        goto out;
    }
    if (ret == 0)
        ret = wasm_func_call(store, start.of.func, NULL, 0, NULL, 0, &err);
    int code;
    if (wasi_ctx_exited(wasi, &code)) {
        status = code;
    } else if (ret == 0) {
        status = 0;
    } else if (err.code > 0) {
        fprintf(stderr, "enarx run: %s: %s\n", path, err.msg);
        status = EXIT_TRAP;
    } else {
        fprintf(stderr, "enarx run: %s: %s\n", path, err.msg);
    }
out:
    wasm_store_free(store);
    free(imports);
    return status;
}

int cmd_run(int argc, char **argv)
{
    struct run_opts o = {0};
    int ret = parse_opts(argc, argv, &o);
    if (ret != 0)
        return ret > 0 ? 0 : -ret;
    const char *path = argv[o.first_arg];
    uint8_t *bytes;
    size_t size;
    ret = util_file_read(path, MAX_MODULE_SIZE, &bytes, &size);
    if (ret < 0) {
        fprintf(stderr, "enarx run: cannot read %s: %s\n", path, strerror(-ret));
        return EXIT_IO;
    }
    struct wasm_module *mod;
    struct wasm_error err = {0};
    ret = wasm_module_new(bytes, size, &mod, &err);
    free(bytes);
    if (ret < 0) {
        fprintf(stderr, "enarx run: %s: %s\n", path, err.msg);
        return EXIT_MODULE;
    }
    struct wasi_ctx *wasi;
    if (wasi_ctx_new(argc - o.first_arg, argv + o.first_arg, o.nenv, o.env, &wasi) < 0) {
        wasm_module_free(mod);
        fprintf(stderr, "enarx run: out of memory\n");
        return EXIT_MODULE;
    }
    const struct keep_backend *be =
        o.backend ? keep_backend_find(o.backend) : keep_backend_default();
    char why[256] = "";
    struct run_job job = {mod, wasi, path};
    int status = EXIT_BACKEND;
    if (be->probe(why, sizeof(why)) < 0)
        fprintf(stderr, "enarx run: backend %s is not available: %s\n", be->name, why);
    else if ((ret = be->launch(run_module, &job, &status)) < 0)
        fprintf(stderr, "enarx run: backend %s could not start the Keep: %s\n", be->name,
                strerror(-ret));
    wasi_ctx_free(wasi);
    wasm_module_free(mod);
    return status;
}
