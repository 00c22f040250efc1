/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_run.c - `enarx run`: run a WASI module in a Keep on this machine.
 *
 *   enarx run [--backend NAME] [--wasmcfgfile Enarx.toml] [--dir HOST[::GUEST]]...
 *             [--env KEY=VALUE]... MODULE [ARGS]...
 *
 * Flags follow wasmtime's (`--dir HOST::GUEST`, `--env KEY=VALUE`) because WASI users already
 * type them; `--wasmcfgfile` is Enarx's. The module is read, decoded, validated and compiled in
 * the enarx process, and the workload's world is built there too, before the Keep starts:
 *
 *  - argv: MODULE, then Enarx.toml's `args`, then ARGS.
 *  - environment: Enarx.toml's [env], then --env (a later KEY replaces an earlier one); with a
 *    config file also FD_COUNT and FD_NAMES (the fd names joined by ':'), as Enarx does.
 *  - fds: Enarx.toml's [[files]] in order (stdin, stdout, stderr without a config), except that
 *    the --dir pre-opens are inserted before the first listen/connect file: wasi-libc stops
 *    looking for pre-opened directories at the first fd that is not one. FD_NAMES names a
 *    pre-open by its guest path, so FD_NAMES[i] always describes fd i.
 *  - listen/connect files with prot = "tcp" are bound / connected here (src/wasi/sock.c);
 *    with prot = "tls" the Keep terminates TLS itself (src/keep/tls.c: a struct
 *    wasi_stream_ops stream), with the identity keep_identity_tls() gives: certified by the
 *    Steward that Enarx.toml names, else self-signed.
 *
 * Then the chosen backend (keep/backend.h: `sandbox` by default where it works, else `nil`) runs
 * the Keep's exec, which links WASI, instantiates and calls _start. Every fd is open before the
 * Keep starts, so the sandbox needs no open()/socket() of its own for them.
 *
 * Exit status: the workload's proc_exit code (0 when _start returns); 134 when it traps, with
 * the reason and the function printed (as wasmtime); 65 when the module is malformed, invalid or
 * cannot be linked; 64 for usage errors; 66 when the module or a --dir cannot be read; 69 when
 * the backend is unavailable; 78 for a bad Enarx.toml or a file entry that cannot be opened;
 * 159 when the sandbox stopped a forbidden system call.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "keep/backend.h"
#include "keep/keep.h"
#include "util/util.h"
#include "wasi/wasi.h"
#include "wasm/wasm.h"

#define EXIT_TRAP 134
#define EXIT_MODULE 65
#define EXIT_BACKEND 69 /* the backend is unavailable or could not start the Keep */
#define EXIT_CONFIG 78  /* Enarx.toml is bad or one of its files cannot be set up */
#define MAX_MODULE_SIZE (256u << 20)
#define MAX_ENV 4096
#define MAX_DIRS 256

static void run_usage(FILE *out)
{
    fprintf(out,
            "Usage: enarx run [OPTIONS] MODULE [ARGS]...\n"
            "\n"
            "Run the WebAssembly (WASI) module MODULE with ARGS in a Keep on this machine.\n"
            "\n"
            "Options:\n"
            "  --backend NAME        Keep backend (also ENARX_BACKEND): sandbox (the default\n"
            "                        where it works) or nil; see `enarx platform info`\n"
            "  --wasmcfgfile FILE    Enarx.toml: the workload's args, env and files\n"
            "  --dir HOST[::GUEST]   pre-open the host directory HOST as GUEST (default: HOST)\n"
            "                        for the workload (repeatable)\n"
            "  --env KEY=VALUE       add KEY=VALUE to the workload's environment (repeatable)\n"
            "  -h, --help            show this help\n"
            "\n"
            "Exit status: the workload's exit code; 134 if it trapped; 65 if the module is\n"
            "malformed, invalid or needs imports that are not provided; 64 usage; 66 I/O;\n"
            "69 backend unavailable; 78 bad Enarx.toml; 159 the sandbox stopped a forbidden\n"
            "system call.\n");
}

struct run_opts {
    const char *backend;
    const char *cfgfile;
    char *env[MAX_ENV];
    int nenv;
    const char *dirs[MAX_DIRS];
    int ndirs;
    int first_arg; /* index of MODULE in argv */
};

static bool takes_value(const char *a)
{
    static const char *const opts[] = {"--backend", "--env", "--dir", "--wasmcfgfile"};
    for (size_t i = 0; i < ARRAY_LEN(opts); i++)
        if (strcmp(a, opts[i]) == 0) return true;
    return false;
}

/* One option with its value; 0, or -EXIT_USAGE after saying why. */
static int parse_one(struct run_opts *o, const char *a, char *v)
{
    if (strcmp(a, "--backend") == 0) {
        o->backend = v;
    } else if (strcmp(a, "--wasmcfgfile") == 0) {
        o->cfgfile = v;
    } else if (strcmp(a, "--env") == 0) {
        if (!strchr(v, '=') || v[0] == '=' || o->nenv >= MAX_ENV) {
            fprintf(stderr, "enarx run: --env wants KEY=VALUE, got '%s'\n", v);
            return -EXIT_USAGE;
        }
        o->env[o->nenv++] = v;
    } else if (strcmp(a, "--dir") == 0) {
        if (!*v || strncmp(v, "::", 2) == 0 || o->ndirs >= MAX_DIRS) {
            fprintf(stderr, "enarx run: --dir wants HOST[::GUEST], got '%s'\n", v);
            return -EXIT_USAGE;
        }
        o->dirs[o->ndirs++] = v;
    }
    return 0;
}

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
        if (!takes_value(a)) {
            fprintf(stderr, "enarx run: unknown option '%s'\n", a);
            run_usage(stderr);
            return -EXIT_USAGE;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "enarx run: %s needs a value\n", a);
            return -EXIT_USAGE;
        }
        int ret = parse_one(o, a, argv[++i]);
        if (ret < 0) return ret;
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

/* A growable list of strings that owns them. */
struct strv {
    char **v;
    int n, cap;
};

static int strv_push_owned(struct strv *s, char *str)
{
    if (!str) return -ENOMEM;
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 16;
        char **nv = realloc(s->v, (size_t)cap * sizeof(*nv));
        if (!nv) {
            free(str);
            return -ENOMEM;
        }
        s->v = nv;
        s->cap = cap;
    }
    s->v[s->n++] = str;
    return 0;
}

static int strv_push(struct strv *s, const char *str)
{
    return strv_push_owned(s, strdup(str));
}

static void strv_free(struct strv *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof(*s));
}

/* Sets KEY=VALUE in env, replacing an earlier KEY. */
static int env_set(struct strv *env, const char *kv)
{
    size_t klen = (size_t)(strchr(kv, '=') - kv);
    for (int i = 0; i < env->n; i++)
        if (strncmp(env->v[i], kv, klen + 1) == 0) {
            char *d = strdup(kv);
            if (!d) return -ENOMEM;
            free(env->v[i]);
            env->v[i] = d;
            return 0;
        }
    return strv_push(env, kv);
}

static int env_set2(struct strv *env, const char *key, const char *value)
{
    size_t size = strlen(key) + strlen(value) + 2;
    char *kv = malloc(size);
    if (!kv) return -ENOMEM;
    snprintf(kv, size, "%s=%s", key, value);
    int ret = env_set(env, kv);
    free(kv);
    return ret;
}

/* Everything the workload will see, built before the Keep starts. */
struct world {
    struct keep_config cfg;
    struct strv args, env, fdnames;
    struct wasi_ctx *wasi;
    struct keep_tls_identity *tls_id; /* made for the first `tls` file */
};

/*
 * The Keep's TLS identity, made once for the first `tls` file: certified by the Steward when
 * Enarx.toml names one, else self-signed (named $ENARX_KEEP_NAME, default "localhost").
 * 0, or -EXIT_CONFIG after saying why.
 */
static int tls_identity(struct world *w)
{
    if (w->tls_id) return 0;
    const char *name = getenv("ENARX_KEEP_NAME");
    char err[512] = "";
    struct keep_identity_opts opts = {0};
    int ret = keep_identity_tls(&w->cfg, name && *name ? name : "localhost", &opts, &w->tls_id, err,
                                sizeof(err));
    if (ret < 0) {
        fprintf(stderr, "enarx run: the Keep's TLS identity: %s\n", err[0] ? err : strerror(-ret));
        return -EXIT_CONFIG;
    }
    return 0;
}

/* Adds one [[files]] entry as the next fd. 0, or -EXIT_CONFIG after saying why. */
static int add_file(struct world *w, const struct keep_file *f)
{
    int ret = -EINVAL;
    switch (f->kind) {
    case KEEP_FILE_NULL: {
        int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        ret = fd < 0 ? -errno : wasi_ctx_add_host_fd(w->wasi, fd, true, NULL);
        if (ret < 0 && fd >= 0) close(fd);
        break;
    }
    case KEEP_FILE_STDIN:
    case KEEP_FILE_STDOUT:
    case KEEP_FILE_STDERR:
        ret = wasi_ctx_add_host_fd(w->wasi, (int)(f->kind - KEEP_FILE_STDIN), false, NULL);
        break;
    case KEEP_FILE_LISTEN:
    case KEEP_FILE_CONNECT:
        if (f->prot == KEEP_PROT_TLS) {
            ret = tls_identity(w);
            if (ret == 0) ret = keep_tls_add_file(w->wasi, f, w->tls_id, NULL);
        } else if (f->kind == KEEP_FILE_LISTEN) {
            ret = wasi_ctx_add_listen(w->wasi, f->addr, f->port, NULL);
        } else {
            ret = wasi_ctx_add_connect(w->wasi, f->host, f->port, NULL);
        }
        if (ret == -EXIT_CONFIG) return ret;
        break;
    }
    if (ret < 0) {
        fprintf(stderr, "enarx run: file '%s' (%s): %s\n", f->name, keep_file_kind_name(f->kind),
                strerror(-ret));
        return -EXIT_CONFIG;
    }
    return strv_push(&w->fdnames, f->name) < 0 ? -EXIT_CONFIG : 0;
}

/* Pre-opens the --dir directories as the next fds. 0, or -EXIT_IO after saying why. */
static int add_dirs(struct world *w, const struct run_opts *o)
{
    for (int i = 0; i < o->ndirs; i++) {
        char host[4096];
        const char *sep = strstr(o->dirs[i], "::");
        const char *guest = sep ? sep + 2 : o->dirs[i];
        size_t hlen = sep ? (size_t)(sep - o->dirs[i]) : strlen(o->dirs[i]);
        if (hlen >= sizeof(host) || !*guest) {
            fprintf(stderr, "enarx run: --dir '%s': bad HOST::GUEST\n", o->dirs[i]);
            return -EXIT_USAGE;
        }
        memcpy(host, o->dirs[i], hlen);
        host[hlen] = 0;
        int ret = wasi_ctx_add_preopen(w->wasi, host, guest, NULL);
        if (ret < 0) {
            fprintf(stderr, "enarx run: --dir %s: %s\n", host, strerror(-ret));
            return -EXIT_IO;
        }
        if (strv_push(&w->fdnames, guest) < 0) return -EXIT_IO;
    }
    return 0;
}

static int add_fds(struct world *w, const struct run_opts *o)
{
    size_t i = 0;
    int ret = 0;
    /* With a Steward the Keep is certified before anything else, tls files or not, so that a
     * refusal stops the Keep before the workload starts. */
    if (w->cfg.steward) ret = tls_identity(w);
    for (; i < w->cfg.files_count && ret == 0; i++) {
        enum keep_file_kind k = w->cfg.files[i].kind;
        if (k == KEEP_FILE_LISTEN || k == KEEP_FILE_CONNECT) break;
        ret = add_file(w, &w->cfg.files[i]);
    }
    if (ret == 0) ret = add_dirs(w, o);
    for (; i < w->cfg.files_count && ret == 0; i++)
        ret = add_file(w, &w->cfg.files[i]);
    return ret;
}

/* FD_COUNT and FD_NAMES, as Enarx sets them for a workload with a config file. */
static int add_fd_env(struct world *w)
{
    size_t size = 1;
    for (int i = 0; i < w->fdnames.n; i++)
        size += strlen(w->fdnames.v[i]) + 1;
    char *names = calloc(1, size), count[16];
    if (!names) return -ENOMEM;
    for (int i = 0; i < w->fdnames.n; i++) {
        if (i) strcat(names, ":");
        strcat(names, w->fdnames.v[i]);
    }
    snprintf(count, sizeof(count), "%d", w->fdnames.n);
    int ret = env_set2(&w->env, "FD_COUNT", count);
    if (ret == 0) ret = env_set2(&w->env, "FD_NAMES", names);
    free(names);
    return ret;
}

static int build_args_env(struct world *w, const struct run_opts *o, int argc, char **argv)
{
    int ret = strv_push(&w->args, argv[o->first_arg]);
    for (size_t i = 0; ret == 0 && i < w->cfg.args_count; i++)
        ret = strv_push(&w->args, w->cfg.args[i]);
    for (int i = o->first_arg + 1; ret == 0 && i < argc; i++)
        ret = strv_push(&w->args, argv[i]);
    for (size_t i = 0; ret == 0 && i < w->cfg.env_count; i++)
        ret = env_set2(&w->env, w->cfg.env[i].name, w->cfg.env[i].value);
    for (int i = 0; ret == 0 && i < o->nenv; i++)
        ret = env_set(&w->env, o->env[i]);
    return ret;
}

static void world_free(struct world *w)
{
    wasi_ctx_free(w->wasi);
    keep_tls_identity_free(w->tls_id);
    strv_free(&w->args);
    strv_free(&w->env);
    strv_free(&w->fdnames);
    keep_config_free(&w->cfg);
}

/* Builds the workload's world; 0, or a (positive) exit status after saying why. */
static int world_build(struct world *w, const struct run_opts *o, int argc, char **argv)
{
    char err[512] = "";
    int ret = keep_config_load(o->cfgfile, &w->cfg, err, sizeof(err));
    if (ret < 0) {
        fprintf(stderr, "enarx run: %s\n", err[0] ? err : strerror(-ret));
        return ret == -ENOENT || ret == -EACCES ? EXIT_IO : EXIT_CONFIG;
    }
    if (build_args_env(w, o, argc, argv) < 0 ||
        wasi_ctx_new(w->args.n, w->args.v, 0, NULL, &w->wasi) < 0) {
        fprintf(stderr, "enarx run: out of memory\n");
        return EXIT_CONFIG;
    }
    ret = add_fds(w, o);
    if (ret < 0) return -ret;
    if (o->cfgfile && add_fd_env(w) < 0) {
        fprintf(stderr, "enarx run: out of memory\n");
        return EXIT_CONFIG;
    }
    /* the environment is complete only now, with FD_* */
    if (wasi_ctx_set_env(w->wasi, w->env.n, w->env.v) < 0) {
        fprintf(stderr, "enarx run: out of memory\n");
        return EXIT_CONFIG;
    }
    return 0;
}

struct run_job {
    struct wasm_module *mod;
    struct wasi_ctx *wasi;
    const char *path;
    const uint8_t *names; /* payload of the module's "name" custom section, or NULL */
    size_t names_size;
};

/* Reads an unsigned LEB128 u32 at *pos (< end); false when malformed or truncated. */
static bool leb_u32(const uint8_t *p, size_t end, size_t *pos, uint32_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 35 && *pos < end; shift += 7) {
        uint8_t b = p[(*pos)++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return v <= UINT32_MAX ? (*out = (uint32_t)v, true) : false;
    }
    return false;
}

/* Copies the payload of the "name" custom section of a module (bytes already validated by the
 * engine, but read defensively all the same). */
static void find_names(const uint8_t *b, size_t size, struct run_job *job)
{
    size_t pos = 8;
    uint32_t len, nlen;
    while (pos < size) {
        uint8_t id = b[pos++];
        if (!leb_u32(b, size, &pos, &len) || len > size - pos) return;
        size_t end = pos + len, q = pos;
        if (id == 0 && leb_u32(b, end, &q, &nlen) && nlen == 4 && nlen <= end - q &&
            memcmp(b + q, "name", 4) == 0) {
            uint8_t *copy = malloc(end - q - 4);
            if (copy && end - q - 4 > 0) memcpy(copy, b + q + 4, end - q - 4);
            job->names = copy;
            job->names_size = copy ? end - q - 4 : 0;
            return;
        }
        pos = end;
    }
}

/* The name of function func from the function-names subsection, into out; false if none. */
static bool func_name(const struct run_job *job, uint32_t func, char *out, size_t out_size)
{
    const uint8_t *p = job->names;
    size_t pos = 0, size = job->names_size;
    uint32_t len, count, idx, nlen;
    while (p && pos < size) {
        uint8_t id = p[pos++];
        if (!leb_u32(p, size, &pos, &len) || len > size - pos) return false;
        size_t end = pos + len;
        if (id == 1 && leb_u32(p, end, &pos, &count))
            for (uint32_t i = 0; i < count; i++) {
                if (!leb_u32(p, end, &pos, &idx) || !leb_u32(p, end, &pos, &nlen) ||
                    nlen > end - pos)
                    return false;
                if (idx == func) {
                    snprintf(out, out_size, "%.*s", (int)nlen, (const char *)p + pos);
                    return true;
                }
                pos += nlen;
            }
        pos = end;
    }
    return false;
}

static int report_trap(const struct run_job *job, const struct wasm_error *err)
{
    char name[128];
    if (err->func != UINT32_MAX && func_name(job, err->func, name, sizeof(name)))
        fprintf(stderr, "enarx run: %s: %s (%s)\n", job->path, err->msg, name);
    else
        fprintf(stderr, "enarx run: %s: %s\n", job->path, err->msg);
    return EXIT_TRAP;
}

/* The Keep's exec: instantiates and runs _start; returns the exit status. */
static int run_module(void *arg)
{
    const struct run_job *job = arg;
    struct wasm_store *store = NULL;
    struct wasm_extern *imports = NULL, start;
    struct wasm_instance *inst;
    struct wasm_error err = {0};
    char msg[256] = "";
    int status = EXIT_MODULE, code;

    uint32_t nimports = wasm_module_import_count(job->mod);
    imports = calloc(nimports ? nimports : 1, sizeof(*imports));
    if (!imports || wasm_store_new(NULL, &store) < 0) {
        fprintf(stderr, "enarx run: out of memory\n");
        goto out;
    }
    if (wasi_ctx_link(job->wasi, store, job->mod, imports, msg, sizeof(msg)) < 0) {
        fprintf(stderr, "enarx run: %s: %s\n", job->path, msg);
        goto out;
    }
    int ret = wasm_instance_new(store, job->mod, imports, nimports, &inst, &err);
    if (ret == 0) ret = wasm_instance_export(inst, "_start", 6, &start);
    if (ret == -ENOENT || (ret == 0 && start.kind != WASM_EXTERN_FUNC)) {
        fprintf(stderr, "enarx run: %s: no _start function exported\n", job->path);
        goto out;
    }
    if (ret == 0) ret = wasm_func_call(store, start.of.func, NULL, 0, NULL, 0, &err);
    if (wasi_ctx_exited(job->wasi, &code))
        status = code;
    else if (ret == 0)
        status = 0;
    else if (err.code > 0)
        status = report_trap(job, &err);
    else
        fprintf(stderr, "enarx run: %s: %s\n", job->path, err.msg);
out:
    wasm_store_free(store);
    free(imports);
    return status;
}

static int load_module(const char *path, struct wasm_module **mod, struct run_job *job)
{
    uint8_t *bytes;
    size_t size;
    int ret = util_file_read(path, MAX_MODULE_SIZE, &bytes, &size);
    if (ret < 0) {
        fprintf(stderr, "enarx run: cannot read %s: %s\n", path, strerror(-ret));
        return EXIT_IO;
    }
    struct wasm_error err = {0};
    ret = wasm_module_new(bytes, size, mod, &err);
    if (ret == 0) find_names(bytes, size, job);
    free(bytes);
    if (ret < 0) {
        fprintf(stderr, "enarx run: %s: %s\n", path, err.msg);
        return EXIT_MODULE;
    }
    return 0;
}

static int launch(const struct run_opts *o, struct run_job *job)
{
    const struct keep_backend *be =
        o->backend ? keep_backend_find(o->backend) : keep_backend_default();
    char why[256] = "";
    int status = EXIT_BACKEND, ret;
    if (be->probe(why, sizeof(why)) < 0)
        fprintf(stderr, "enarx run: backend %s is not available: %s\n", be->name, why);
    else if ((ret = be->launch(run_module, job, &status)) < 0)
        fprintf(stderr, "enarx run: backend %s could not start the Keep: %s\n", be->name,
                strerror(-ret));
    return status;
}

int cmd_run(int argc, char **argv)
{
    struct run_opts o = {0};
    int ret = parse_opts(argc, argv, &o);
    if (ret != 0) return ret > 0 ? 0 : -ret;
    const char *path = argv[o.first_arg];
    struct run_job job = {.path = path};
    ret = load_module(path, &job.mod, &job);
    if (ret != 0) return ret;
    struct world w = {0};
    int status = world_build(&w, &o, argc, argv);
    if (status == 0) {
        job.wasi = w.wasi;
        status = launch(&o, &job);
    }
    world_free(&w);
    wasm_module_free(job.mod);
    free((void *)job.names);
    return status;
}
