/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec.c - the exec: what runs inside every Keep, whatever the backend. Job in, exit status out.
 *
 * The host side (src/cli, the backends) only builds a job (job.c) and launches it; everything
 * that must be trusted happens here, inside the Keep:
 *
 *   1. the job is decoded (strictly: in a VM or enclave Keep the host wrote it) and Enarx.toml
 *      is parsed from the bytes the owner wrote; the host's part of it (which fds it bound or
 *      connected) is checked against the configuration;
 *   2. what needs the host's file system is taken while it is still there: /dev/null for
 *      `null` files, and the system CA bundle when a TLS connection trusts it;
 *   3. the identity: the Keep's key pair is made here, evidence binds it, the CSR goes to the
 *      Steward over the connection the host made, the chain comes back (identity.c); or a
 *      self-signed certificate when Enarx.toml names no Steward. The private key never leaves;
 *   4. the backend's jail closes in (sandbox: empty root, only the table's fds, rlimits,
 *      seccomp; nil: nothing);
 *   5. the module is decoded, validated and compiled - only now, inside the jail;
 *   6. the workload's world: argv (MODULE, Enarx.toml's args, the command line's), environment
 *      (Enarx.toml's [env], then the command line's, then FD_COUNT and FD_NAMES, always), and
 *      fds: Enarx.toml's [[files]] in order, with the pre-opened directories inserted before the
 *      first listen/connect file (wasi-libc stops looking for pre-opens at the first fd that is
 *      not one); TLS files are terminated here;
 *   7. WASI is linked, the module instantiated, _start called; a trap is reported with the
 *      function's name.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "wasi/wasi.h"
#include "wasm/wasm.h"

/* Everything one run holds; freed by world_free(). */
struct world {
    struct keep_job job;
    int *fds; /* the job's host fds, by index; -1 once taken */
    size_t nfds;
    struct keep_config cfg;
    int devnull;        /* for `null` files, or -1 */
    uint8_t *system_ca; /* the system CA bundle, for TLS connections that trust it */
    size_t system_ca_size;
    struct keep_tls_identity *tls_id;
    struct wasm_module *mod;
    struct wasi_ctx *wasi;
    char **argv, **envp, **fdnames;
    size_t argc, envc, nfdnames;
};

static const char *prog(const struct world *w)
{
    return w->job.prog ? w->job.prog : "enarx";
}

/* Takes the job's fd at index idx (ownership moves to the caller). */
static int take_fd(struct world *w, uint32_t idx)
{
    if (idx >= w->nfds || w->fds[idx] < 0) return -1;
    int fd = w->fds[idx];
    w->fds[idx] = -1;
    return fd;
}

static int strv_add(char ***v, size_t *n, const char *s)
{
    char **nv = realloc(*v, (*n + 2) * sizeof(**v));
    if (!nv) return -ENOMEM;
    *v = nv;
    nv[*n] = strdup(s);
    if (!nv[*n]) return -ENOMEM;
    nv[++*n] = NULL;
    return 0;
}

static void strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Sets KEY=VALUE (kv) in the environment, replacing an earlier KEY. */
static int env_set(struct world *w, const char *kv)
{
    size_t klen = (size_t)(strchr(kv, '=') - kv);
    for (size_t i = 0; i < w->envc; i++)
        if (strncmp(w->envp[i], kv, klen + 1) == 0) {
            char *d = strdup(kv);
            if (!d) return -ENOMEM;
            free(w->envp[i]);
            w->envp[i] = d;
            return 0;
        }
    return strv_add(&w->envp, &w->envc, kv);
}

static int env_set2(struct world *w, const char *key, const char *value)
{
    size_t size = strlen(key) + strlen(value) + 2;
    char *kv = malloc(size);
    if (!kv) return -ENOMEM;
    snprintf(kv, size, "%s=%s", key, value);
    int rc = env_set(w, kv);
    free(kv);
    return rc;
}

static void world_free(struct world *w)
{
    wasi_ctx_free(w->wasi);
    wasm_module_free(w->mod);
    keep_tls_identity_free(w->tls_id);
    keep_config_free(&w->cfg);
    strv_free(w->argv, w->argc);
    strv_free(w->envp, w->envc);
    strv_free(w->fdnames, w->nfdnames);
    free(w->system_ca);
    if (w->devnull >= 0) close(w->devnull);
    for (size_t i = 0; i < w->nfds; i++)
        if (w->fds[i] >= 0) close(w->fds[i]);
    keep_job_free(&w->job);
}

/* ---- 1. the job and Enarx.toml ---- */

static bool is_socket_file(const struct keep_file *f)
{
    return f->kind == KEEP_FILE_LISTEN || f->kind == KEEP_FILE_CONNECT;
}

/* The host's part must match the configuration: one socket per listen/connect file, of the
 * right kind (listening or not), and none elsewhere. */
static int check_files(struct world *w, char *err, size_t err_size)
{
    if (w->job.nfiles == 0 && w->cfg.files_count > 0) {
        /* no socket files: the host had nothing to say about any of them */
        w->job.files = calloc(w->cfg.files_count, sizeof(*w->job.files));
        if (!w->job.files) return -ENOMEM;
        w->job.nfiles = w->cfg.files_count;
        for (size_t i = 0; i < w->job.nfiles; i++)
            w->job.files[i].fd = KEEP_JOB_NO_FD;
    }
    if (w->job.nfiles != w->cfg.files_count) {
        snprintf(err, err_size, "the job describes %zu files, Enarx.toml %zu", w->job.nfiles,
                 w->cfg.files_count);
        return -EPROTO;
    }
    for (size_t i = 0; i < w->cfg.files_count; i++) {
        const struct keep_file *f = &w->cfg.files[i];
        uint32_t idx = w->job.files[i].fd;
        if (is_socket_file(f) != (idx != KEEP_JOB_NO_FD)) {
            snprintf(err, err_size, "file '%s': the host's socket does not match", f->name);
            return -EPROTO;
        }
        if (idx == KEEP_JOB_NO_FD) continue;
        int fd = w->fds[idx], type = 0, listening = 0;
        socklen_t len = sizeof(type);
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM ||
            getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &(socklen_t){sizeof(int)}) < 0 ||
            (listening != 0) != (f->kind == KEEP_FILE_LISTEN)) {
            snprintf(err, err_size, "file '%s': the host's fd is not a %s TCP socket", f->name,
                     f->kind == KEEP_FILE_LISTEN ? "listening" : "connected");
            return -EPROTO;
        }
    }
    return 0;
}

static int read_job(struct world *w, const uint8_t *bytes, size_t size)
{
    char err[512] = "";
    int rc = keep_job_decode(bytes, size, &w->job, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "enarx: the Keep's %s\n", err);
        return KEEP_EXIT_SOFTWARE;
    }
    if (w->job.nfds != w->nfds) {
        fprintf(stderr, "enarx: the job names %u fds, %zu came\n", w->job.nfds, w->nfds);
        return KEEP_EXIT_SOFTWARE;
    }
    log_set_level((enum log_level)w->job.log_level);
    if (w->job.config)
        rc = keep_config_parse(w->job.config, w->job.config_size,
                               w->job.config_name ? w->job.config_name : "Enarx.toml", &w->cfg, err,
                               sizeof(err));
    else
        rc = keep_config_default(&w->cfg);
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", prog(w), err[0] ? err : strerror(-rc));
        return KEEP_EXIT_CONFIG;
    }
    if (check_files(w, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s: the host's job does not fit Enarx.toml: %s\n", prog(w), err);
        return KEEP_EXIT_SOFTWARE;
    }
    return 0;
}

/* ---- 2. and 3. before the jail ---- */

static int before_jail(struct world *w)
{
    bool need_null = false, need_ca = false;
    for (size_t i = 0; i < w->cfg.files_count; i++) {
        const struct keep_file *f = &w->cfg.files[i];
        need_null |= f->kind == KEEP_FILE_NULL;
        need_ca |=
            f->kind == KEEP_FILE_CONNECT && f->prot == KEEP_PROT_TLS && w->job.files[i].ca == NULL;
    }
    if (need_null && (w->devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
        fprintf(stderr, "%s: cannot open /dev/null: %s\n", prog(w), strerror(errno));
        return KEEP_EXIT_CONFIG;
    }
    if (need_ca) {
        const char *path = getenv(X509_get_default_cert_file_env());
        if (!path) path = X509_get_default_cert_file();
        if (util_file_read(path, 16u << 20, &w->system_ca, &w->system_ca_size) < 0)
            log_warn("the system CA bundle %s cannot be read: TLS connections will fail", path);
    }
    bool tls = false;
    for (size_t i = 0; i < w->cfg.files_count; i++)
        tls |= is_socket_file(&w->cfg.files[i]) && w->cfg.files[i].prot == KEEP_PROT_TLS;
    /* With a Steward the Keep is certified before anything else, tls files or not, so that a
     * refusal stops the Keep before the workload starts. */
    if (!tls && !w->cfg.steward) return 0;
    struct keep_identity_opts o = {0};
    if (w->job.steward_fd != KEEP_JOB_NO_FD) {
        o.has_steward_fd = true;
        o.steward_fd = take_fd(w, w->job.steward_fd);
        o.ca_pem = w->job.steward_ca;
        o.ca_pem_size = w->job.steward_ca_size;
    } else if (w->cfg.steward) {
        fprintf(stderr, "%s: the host made no connection to the Steward %s\n", prog(w),
                w->cfg.steward);
        return KEEP_EXIT_CONFIG;
    }
    char err[1024] = "";
    const char *name = w->job.keep_name && *w->job.keep_name ? w->job.keep_name : "localhost";
    int rc = keep_identity_tls(&w->cfg, name, &o, &w->tls_id, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "%s: the Keep's TLS identity: %s\n", prog(w), err[0] ? err : strerror(-rc));
        return KEEP_EXIT_CONFIG;
    }
    return 0;
}

/* The fds the Keep keeps through the jail: stdio, the table's, ours. */
static size_t keep_list(const struct world *w, int *out, size_t max)
{
    size_t n = 0;
    for (int fd = 0; fd < 3 && n < max; fd++)
        out[n++] = fd;
    for (size_t i = 0; i < w->nfds && n < max; i++)
        if (w->fds[i] >= 0) out[n++] = w->fds[i];
    if (w->devnull >= 0 && n < max) out[n++] = w->devnull;
    return n;
}

/* ---- 5. the module ---- */

static int load_module(struct world *w)
{
    struct wasm_error err = {0};
    int rc = wasm_module_new(w->job.module, w->job.module_size, &w->mod, &err);
    free(w->job.module); /* decoded: the bytes are not needed any more */
    w->job.module = NULL;
    if (rc < 0) {
        fprintf(stderr, "%s: %s: %s\n", prog(w), w->job.module_name, err.msg);
        return KEEP_EXIT_MODULE;
    }
    return 0;
}

/* ---- 6. the world ---- */

static int add_file(struct world *w, size_t i)
{
    const struct keep_file *f = &w->cfg.files[i];
    const struct keep_job_file *jf = &w->job.files[i];
    int rc = -EINVAL, fd;
    switch (f->kind) {
    case KEEP_FILE_NULL:
        fd = fcntl(w->devnull, F_DUPFD_CLOEXEC, 3);
        rc = fd < 0 ? -errno : wasi_ctx_add_host_fd(w->wasi, fd, true, NULL);
        if (rc < 0 && fd >= 0) close(fd);
        break;
    case KEEP_FILE_STDIN:
    case KEEP_FILE_STDOUT:
    case KEEP_FILE_STDERR:
        rc = wasi_ctx_add_host_fd(w->wasi, (int)(f->kind - KEEP_FILE_STDIN), false, NULL);
        break;
    case KEEP_FILE_LISTEN:
    case KEEP_FILE_CONNECT:
        fd = take_fd(w, jf->fd);
        if (f->prot == KEEP_PROT_TCP) {
            rc = wasi_ctx_add_socket(w->wasi, fd, f->kind == KEEP_FILE_LISTEN, NULL);
            break;
        }
        /* a connection without a CA of its own trusts the system bundle read before the jail */
        if (f->kind == KEEP_FILE_CONNECT && !jf->ca)
            rc = keep_tls_add_fd(w->wasi, f, fd, w->system_ca, w->system_ca_size, w->tls_id, NULL);
        else
            rc = keep_tls_add_fd(w->wasi, f, fd, jf->ca, jf->ca_size, w->tls_id, NULL);
        break;
    }
    if (rc < 0) {
        fprintf(stderr, "%s: file '%s' (%s): %s\n", prog(w), f->name, keep_file_kind_name(f->kind),
                strerror(-rc));
        return KEEP_EXIT_CONFIG;
    }
    return strv_add(&w->fdnames, &w->nfdnames, f->name) < 0 ? KEEP_EXIT_CONFIG : 0;
}

static int add_dirs(struct world *w)
{
    for (size_t i = 0; i < w->job.ndirs; i++) {
        const struct keep_job_dir *d = &w->job.dirs[i];
        int fd = take_fd(w, d->fd);
        int rc = wasi_ctx_add_preopen_fd(w->wasi, fd, d->guest, NULL);
        if (rc < 0) {
            fprintf(stderr, "%s: --dir %s: %s\n", prog(w), d->guest, strerror(-rc));
            return KEEP_EXIT_CONFIG;
        }
        if (strv_add(&w->fdnames, &w->nfdnames, d->guest) < 0) return KEEP_EXIT_CONFIG;
    }
    return 0;
}

static int add_fds(struct world *w)
{
    size_t i = 0;
    int rc = 0;
    for (; i < w->cfg.files_count && rc == 0; i++) {
        if (is_socket_file(&w->cfg.files[i])) break;
        rc = add_file(w, i);
    }
    if (rc == 0) rc = add_dirs(w);
    for (; i < w->cfg.files_count && rc == 0; i++)
        rc = add_file(w, i);
    return rc;
}

/* FD_COUNT and FD_NAMES (the fd names joined by ':'), as Enarx sets them. */
static int add_fd_env(struct world *w)
{
    size_t size = 1;
    for (size_t i = 0; i < w->nfdnames; i++)
        size += strlen(w->fdnames[i]) + 1;
    char *names = calloc(1, size), count[24];
    if (!names) return -ENOMEM;
    for (size_t i = 0; i < w->nfdnames; i++) {
        if (i) strcat(names, ":");
        strcat(names, w->fdnames[i]);
    }
    snprintf(count, sizeof(count), "%zu", w->nfdnames);
    int rc = env_set2(w, "FD_COUNT", count);
    if (rc == 0) rc = env_set2(w, "FD_NAMES", names);
    free(names);
    return rc;
}

static int build_world(struct world *w)
{
    int rc = strv_add(&w->argv, &w->argc, w->job.module_name);
    for (size_t i = 0; rc == 0 && i < w->cfg.args_count; i++)
        rc = strv_add(&w->argv, &w->argc, w->cfg.args[i]);
    for (size_t i = 0; rc == 0 && i < w->job.nargs; i++)
        rc = strv_add(&w->argv, &w->argc, w->job.args[i]);
    for (size_t i = 0; rc == 0 && i < w->cfg.env_count; i++)
        rc = env_set2(w, w->cfg.env[i].name, w->cfg.env[i].value);
    for (size_t i = 0; rc == 0 && i < w->job.nenv; i++)
        rc = env_set(w, w->job.env[i]);
    if (rc == 0) rc = wasi_ctx_new((int)w->argc, w->argv, 0, NULL, &w->wasi);
    if (rc < 0) {
        fprintf(stderr, "%s: out of memory\n", prog(w));
        return KEEP_EXIT_CONFIG;
    }
    int st = add_fds(w);
    if (st) return st;
    /* the environment is complete only now, with FD_* (with an Enarx.toml, as Enarx sets them;
     * without one the environment is exactly what was asked for, as in wasmtime) */
    if ((w->job.config && add_fd_env(w) < 0) ||
        wasi_ctx_set_env(w->wasi, (int)w->envc, w->envp) < 0) {
        fprintf(stderr, "%s: out of memory\n", prog(w));
        return KEEP_EXIT_CONFIG;
    }
    return 0;
}

/* ---- 7. running ---- */

static int report_trap(const struct world *w, const struct wasm_error *err)
{
    char name[128];
    if (err->func != UINT32_MAX && wasm_module_func_name(w->mod, err->func, name, sizeof(name)))
        fprintf(stderr, "%s: %s: %s (%s)\n", prog(w), w->job.module_name, err->msg, name);
    else
        fprintf(stderr, "%s: %s: %s\n", prog(w), w->job.module_name, err->msg);
    return KEEP_EXIT_TRAP;
}

static int run_start(struct world *w)
{
    struct wasm_store *store = NULL;
    struct wasm_extern *imports = NULL, start;
    struct wasm_instance *inst;
    struct wasm_error err = {0};
    char msg[256] = "";
    int status = KEEP_EXIT_MODULE, code;
    struct wasm_limits lim;
    wasm_limits_default(&lim);
    lim.fuel = w->job.fuel;
    if (w->job.max_memory) {
        uint64_t pages = w->job.max_memory / 65536;
        if (pages < lim.max_memory_pages) lim.max_memory_pages = (uint32_t)pages;
        lim.max_memory_bytes = w->job.max_memory; /* the store's whole budget, too */
    }
    uint32_t nimports = wasm_module_import_count(w->mod);
    imports = calloc(nimports ? nimports : 1, sizeof(*imports));
    if (!imports || wasm_store_new(&lim, &store) < 0) {
        fprintf(stderr, "%s: out of memory\n", prog(w));
        goto out;
    }
    if (wasi_ctx_link(w->wasi, store, w->mod, imports, msg, sizeof(msg)) < 0) {
        fprintf(stderr, "%s: %s: %s\n", prog(w), w->job.module_name, msg);
        goto out;
    }
    int rc = wasm_instance_new(store, w->mod, imports, nimports, &inst, &err);
    if (rc == 0) rc = wasm_instance_export(inst, "_start", 6, &start);
    if (rc == -ENOENT || (rc == 0 && start.kind != WASM_EXTERN_FUNC)) {
        fprintf(stderr, "%s: %s: no _start function exported\n", prog(w), w->job.module_name);
        goto out;
    }
    if (rc == 0) rc = wasm_func_call(store, start.of.func, NULL, 0, NULL, 0, &err);
    if (wasi_ctx_exited(w->wasi, &code))
        status = code;
    else if (rc == 0)
        status = 0;
    else if (err.code > 0)
        status = report_trap(w, &err);
    else
        fprintf(stderr, "%s: %s: %s\n", prog(w), w->job.module_name, err.msg);
out:
    wasm_store_free(store);
    free(imports);
    return status;
}

int keep_exec_run(const uint8_t *job, size_t size, int *fds, size_t nfds,
                  const struct keep_exec_hooks *hooks)
{
    struct world w = {.fds = fds, .nfds = nfds, .devnull = -1};
    signal(SIGPIPE, SIG_IGN); /* a peer that hangs up gives the workload EPIPE, in every Keep */
    int status = read_job(&w, job, size);
    if (status == 0) status = before_jail(&w);
    if (status == 0 && hooks && hooks->jail) {
        int keep[KEEP_JOB_MAX_FDS + 8];
        size_t n = keep_list(&w, keep, ARRAY_LEN(keep));
        wasm_engine_prepare(); /* what the engine would read of the host later */
        int rc = hooks->jail(hooks->priv, keep, n);
        if (rc < 0) {
            fprintf(stderr, "%s: the Keep could not confine itself: %s\n", prog(&w), strerror(-rc));
            status = KEEP_EXIT_BACKEND;
        }
    }
    if (status == 0 && (w.job.flags & KEEP_JOB_FLAG_FORBIDDEN_CALL)) {
        status = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0) >= 0 ? 1 : 2;
        goto out;
    }
    if (status == 0 && (w.job.flags & KEEP_JOB_FLAG_JAIL_SELFTEST)) {
        status = keep_jail_selftest(w.fds, w.nfds);
        goto out;
    }
    if (status == 0) status = load_module(&w);
    if (status == 0) status = build_world(&w);
    if (status == 0) status = run_start(&w);
out:
    fflush(NULL);
    world_free(&w);
    return status;
}

int keep_exec_main(int argc, char **argv)
{
    struct keep_exec_hooks jail = {keep_jail_enter, NULL};
    const struct keep_exec_hooks *hooks = NULL;
    if (argc == 2 && strcmp(argv[1], "--keep=sandbox") == 0) {
        hooks = &jail;
    } else if (!(argc == 2 && strcmp(argv[1], "--keep=kvm") == 0)) {
        fprintf(stderr, "enarx-exec: runs inside a Keep only (--keep=sandbox|kvm)\n");
        return KEEP_EXIT_SOFTWARE;
    }
    /* The exec is started with nothing but stdio and the channel. */
    uint8_t *job;
    size_t size, nfds;
    int fds[KEEP_JOB_MAX_FDS];
    int rc = keep_job_recv(KEEP_CHANNEL_FD, &job, &size, fds, &nfds);
    if (rc < 0) {
        fprintf(stderr, "enarx-exec: cannot receive the job: %s\n", strerror(-rc));
        return KEEP_EXIT_SOFTWARE;
    }
    int status = keep_exec_run(job, size, fds, nfds, hooks);
    free(job);
    if (keep_status_send(KEEP_CHANNEL_FD, status, -1) < 0) log_debug("no channel for the status");
    return status;
}
