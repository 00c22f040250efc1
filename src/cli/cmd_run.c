/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_run.c - `enarx run`: run a WASI module in a Keep on this machine.
 *
 *   enarx run [--backend NAME] [--wasmcfgfile Enarx.toml] [--dir HOST[::GUEST]]...
 *             [--env KEY=VALUE]... MODULE [ARGS]...
 *
 * Flags follow wasmtime's (`--dir HOST::GUEST`, `--env KEY=VALUE`) because WASI users already
 * type them; `--wasmcfgfile` is Enarx's. This is the host side, which is not trusted: it only
 * builds the Keep's job (keep.h) and launches it. It reads the module's bytes and Enarx.toml's
 * text, opens the --dir directories, binds the listen sockets and connects the connect sockets
 * and the Steward connection (the Keep has no network or file system of the host's), reads CA
 * bundles, and hands all of it to the backend. It never decodes the module, makes no key, and
 * holds no TLS session: the exec (src/keep/exec.c) does that inside the Keep, where argv, the
 * environment (with FD_COUNT and FD_NAMES) and the fd order are built (docs/keep.md).
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
#include "opts.h"
#include "keep/keep.h"
#include "util/util.h"

#define MAX_ENV 4096
#define MAX_DIRS ((int)KEEP_JOB_MAX_DIRS)

enum { OPT_BACKEND = 1, OPT_CFG, OPT_DIR, OPT_ENV, OPT_FUEL, OPT_MAXMEM };

static const struct opts_option run_options[] = {
    {"backend", 0, "NAME", OPT_BACKEND, 0,
     "Keep backend (also ENARX_BACKEND): sandbox (the default where it works) or nil; see "
     "`enarx platform info`"},
    {"wasmcfgfile", 0, "FILE", OPT_CFG, 0, "Enarx.toml: the workload's args, env and files"},
    {"dir", 0, "HOST[::GUEST]", OPT_DIR, OPTS_REPEAT,
     "pre-open the host directory HOST as GUEST (default: HOST)"},
    {"env", 0, "KEY[=VALUE]", OPT_ENV, OPTS_REPEAT,
     "set KEY in the workload's environment; KEY alone passes on the host's value (unset if "
     "the host has none)"},
    {"fuel", 0, "N", OPT_FUEL, 0, "stop the workload (a trap) after about N instructions"},
    {"max-memory", 0, "SIZE", OPT_MAXMEM, 0,
     "cap the linear memory at SIZE (64MiB, 1GiB): memory.grow beyond it fails"},
    {0},
};

const struct opts_verb cli_run_verb = {
    .name = "run",
    .args = "MODULE [ARGS]...",
    .min_args = 1,
    .max_args = -1,
    .flags = OPTS_STOP_AT_ARG,
    .summary = "run a WebAssembly (WASI) module in a Keep",
    .description = "Run the WebAssembly (WASI) module MODULE with ARGS in a Keep on this\n"
                   "machine. Options after MODULE are the workload's ARGS.",
    .exit_status = "the workload's exit code; 134 if it trapped (or ran out of --fuel);\n"
                   "65 bad module; 64 usage; 66 I/O; 69 backend unavailable; 70 a job the\n"
                   "Keep refused; 78 bad Enarx.toml or Steward; 128+N a signal;\n"
                   "159 forbidden system call",
    .examples = "enarx run app.wasm\n"
                "enarx run --dir=data::/data --env=GREETING=hi app.wasm --verbose\n"
                "enarx run --fuel 1000000 --max-memory 64MiB app.wasm",
    .options = run_options,
};

struct run_opts {
    const char *backend;
    const char *cfgfile;
    char *env[MAX_ENV]; /* malloc'd KEY=VALUE */
    int nenv;
    struct {
        const char *arg;   /* HOST[::GUEST] as typed */
        size_t host_len;   /* HOST is arg[0..host_len) */
        const char *guest; /* points into arg */
    } dirs[MAX_DIRS];
    int ndirs;
    uint64_t fuel, max_memory;
    const char *module;
    char **args;
    int nargs;
};

static void run_opts_free(struct run_opts *o)
{
    for (int i = 0; i < o->nenv; i++)
        free(o->env[i]);
}

/* One option; 0, or the exit status after saying why. */
static int parse_one(struct opts_state *st, int id, struct run_opts *o)
{
    char why[160];
    switch (id) {
    case OPT_BACKEND: o->backend = st->value; break;
    case OPT_CFG: o->cfgfile = st->value; break;
    case OPT_ENV: {
        char *kv = NULL;
        int rc = opts_parse_env(st->value, &kv, why, sizeof(why));
        if (rc == -ENOMEM) return EXIT_CONFIG;
        if (rc < 0) return opts_error(st, "--env: %s", why);
        if (kv && o->nenv >= MAX_ENV) {
            free(kv);
            return opts_error(st, "--env: at most %d", MAX_ENV);
        }
        if (kv) o->env[o->nenv++] = kv;
        break;
    }
    case OPT_DIR: {
        size_t hlen;
        const char *guest;
        if (opts_parse_dir(st->value, &hlen, &guest, why, sizeof(why)) < 0)
            return opts_error(st, "--dir: %s", why);
        /* FD_NAMES joins the names with ':' */
        if (strchr(guest, ':')) return opts_error(st, "--dir: GUEST '%s' holds a ':'", guest);
        if (o->ndirs >= MAX_DIRS) return opts_error(st, "--dir: at most %d", MAX_DIRS);
        o->dirs[o->ndirs].arg = st->value;
        o->dirs[o->ndirs].host_len = hlen;
        o->dirs[o->ndirs++].guest = guest;
        break;
    }
    case OPT_FUEL:
        if (opts_parse_count(st->value, &o->fuel, why, sizeof(why)) < 0)
            return opts_error(st, "--fuel: %s", why);
        break;
    case OPT_MAXMEM:
        if (opts_parse_size(st->value, &o->max_memory, why, sizeof(why)) < 0)
            return opts_error(st, "--max-memory: %s", why);
        if (o->max_memory < 65536) return opts_error(st, "--max-memory: at least one 64 KiB page");
        break;
    case OPTS_ARG:
        o->module = st->value;
        o->args = opts_rest(st, &o->nargs);
        break;
    }
    return 0;
}

/* 0, or the exit status to return (0 after --help). *done is set when parsing ended it. */
static int parse_opts(int argc, char **argv, struct run_opts *o, bool *done)
{
    o->backend = getenv("ENARX_BACKEND");
    struct opts_state st;
    opts_init(&st, &cli_run_verb, argc, argv);
    int id;
    while ((id = opts_next(&st)) != OPTS_END) {
        if (id == OPTS_EXIT) {
            *done = true;
            return st.status;
        }
        int rc = parse_one(&st, id, o);
        if (rc) {
            *done = true;
            return rc;
        }
    }
    if (o->backend && !keep_backend_exists(o->backend)) {
        *done = true;
        return opts_error(&st, "unknown backend '%s' (see `enarx platform info`)", o->backend);
    }
    return 0;
}

/* What the host side builds: the job, and the fds that travel with it. */
struct host {
    struct keep_job job;
    struct keep_config cfg;
    int fds[KEEP_JOB_MAX_FDS];
    size_t nfds;
};

/* Adds fd to the job's list; its index, or -1 (fd closed) when the list is full. */
static int64_t host_fd(struct host *h, int fd)
{
    if (h->nfds >= KEEP_JOB_MAX_FDS) {
        close(fd);
        return -1;
    }
    h->fds[h->nfds] = fd;
    return (int64_t)h->nfds++;
}

static void host_free(struct host *h)
{
    for (size_t i = 0; i < h->nfds; i++)
        close(h->fds[i]);
    /* the job's strings are borrowed from argv, the config and the environment, except: */
    free(h->job.module);
    free(h->job.config);
    free(h->job.dirs);
    for (size_t i = 0; i < h->job.nfiles; i++)
        free(h->job.files[i].ca);
    free(h->job.files);
    free(h->job.steward_ca);
    keep_config_free(&h->cfg);
}

/* Pre-opens the --dir directories. 0, or an exit status after saying why. */
static int add_dirs(struct host *h, const struct run_opts *o)
{
    h->job.dirs = calloc((size_t)o->ndirs + 1, sizeof(*h->job.dirs));
    if (!h->job.dirs) return EXIT_CONFIG;
    for (int i = 0; i < o->ndirs; i++) {
        char host[4096];
        size_t hlen = o->dirs[i].host_len;
        if (hlen >= sizeof(host)) {
            fprintf(stderr, "enarx run: --dir '%s': HOST is too long\n", o->dirs[i].arg);
            return EXIT_USAGE;
        }
        memcpy(host, o->dirs[i].arg, hlen);
        host[hlen] = 0;
        int fd = open(host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            fprintf(stderr, "enarx run: --dir %s: %s\n", host, strerror(errno));
            return EXIT_IO;
        }
        int64_t idx = host_fd(h, fd);
        if (idx < 0) return EXIT_USAGE;
        h->job.dirs[h->job.ndirs].guest = (char *)o->dirs[i].guest;
        h->job.dirs[h->job.ndirs++].fd = (uint32_t)idx;
    }
    return 0;
}

/* Binds or connects one listen/connect file's socket for the Keep, reads its CA bundle. */
static int add_file(struct host *h, const struct keep_file *f, struct keep_job_file *jf)
{
    jf->fd = KEEP_JOB_NO_FD;
    int fd = -1, rc = 0;
    if (f->kind == KEEP_FILE_LISTEN)
        rc = util_tcp_listen(f->addr ? f->addr : "::", f->port, &fd);
    else if (f->kind == KEEP_FILE_CONNECT)
        rc = util_tcp_connect(f->host, f->port, KEEP_TLS_HANDSHAKE_TIMEOUT_MS, &fd);
    else
        return 0;
    /* blocking, as WASI serves a plain socket (TLS files stay non-blocking) */
    if (rc == 0 && f->prot == KEEP_PROT_TCP) rc = util_fd_set_nonblock(fd, false);
    if (rc == 0 && f->client_ca)
        rc = util_file_read(f->client_ca, 16u << 20, &jf->ca, &jf->ca_size);
    if (rc < 0) {
        fprintf(stderr, "enarx run: file '%s' (%s): %s%s%s\n", f->name,
                keep_file_kind_name(f->kind), f->client_ca && fd >= 0 ? f->client_ca : "",
                f->client_ca && fd >= 0 ? ": " : "", strerror(-rc));
        if (fd >= 0) close(fd);
        return EXIT_CONFIG;
    }
    int64_t idx = host_fd(h, fd);
    if (idx < 0) return EXIT_CONFIG;
    jf->fd = (uint32_t)idx;
    return 0;
}

/* The host's part of the Steward: a TCP connection to it, and the CA bundle
 * $ENARX_STEWARD_CA names (the exec verifies the Steward itself). */
static int add_steward(struct host *h)
{
    h->job.steward_fd = KEEP_JOB_NO_FD;
    if (!h->cfg.steward) return 0;
    char err[512] = "";
    int fd;
    int rc = keep_steward_connect(h->cfg.steward, KEEP_IDENTITY_TIMEOUT_MS, &fd, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "enarx run: the Keep's TLS identity: %s\n", err);
        return EXIT_CONFIG;
    }
    int64_t idx = host_fd(h, fd);
    if (idx < 0) return EXIT_CONFIG;
    h->job.steward_fd = (uint32_t)idx;
    const char *ca = getenv("ENARX_STEWARD_CA");
    if (ca && *ca &&
        (rc = util_file_read(ca, 16u << 20, &h->job.steward_ca, &h->job.steward_ca_size)) < 0) {
        fprintf(stderr, "enarx run: ENARX_STEWARD_CA=%s: %s\n", ca, strerror(-rc));
        return EXIT_CONFIG;
    }
    return 0;
}

static int read_inputs(struct host *h, const struct run_opts *o, const char *path)
{
    int rc = util_file_read(path, KEEP_JOB_MAX_MODULE, &h->job.module, &h->job.module_size);
    if (rc < 0) {
        fprintf(stderr, "enarx run: cannot read %s: %s\n", path, strerror(-rc));
        return EXIT_IO;
    }
    char err[512] = "";
    rc = keep_config_load(o->cfgfile, &h->cfg, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "enarx run: %s\n", err[0] ? err : strerror(-rc));
        return rc == -ENOENT || rc == -EACCES ? EXIT_IO : EXIT_CONFIG;
    }
    if (o->cfgfile) {
        uint8_t *text;
        rc = util_file_read(o->cfgfile, KEEP_CONFIG_MAX_SIZE, &text, &h->job.config_size);
        if (rc < 0) {
            fprintf(stderr, "enarx run: cannot read %s: %s\n", o->cfgfile, strerror(-rc));
            return EXIT_IO;
        }
        h->job.config = (char *)text;
        h->job.config_name = (char *)o->cfgfile;
    }
    return 0;
}

/* Builds the job; 0, or an exit status after saying why. */
static int build_job(struct host *h, const struct run_opts *o)
{
    const char *path = o->module;
    int st = read_inputs(h, o, path);
    if (st) return st;
    struct keep_job *j = &h->job;
    j->prog = "enarx run";
    j->module_name = (char *)path;
    j->args = o->args;
    j->nargs = (size_t)o->nargs;
    j->fuel = o->fuel;
    j->max_memory = o->max_memory;
    j->env = (char **)o->env;
    j->nenv = (size_t)o->nenv;
    j->log_level = (uint32_t)log_get_level();
    j->keep_name = getenv("ENARX_KEEP_NAME");
    if ((st = add_steward(h)) != 0 || (st = add_dirs(h, o)) != 0) return st;
    j->files = calloc(h->cfg.files_count + 1, sizeof(*j->files));
    if (!j->files) return EXIT_CONFIG;
    for (size_t i = 0; i < h->cfg.files_count; i++, j->nfiles++)
        if ((st = add_file(h, &h->cfg.files[i], &j->files[i])) != 0) return st;
    j->nfds = (uint32_t)h->nfds;
    return 0;
}

int cmd_run(int argc, char **argv)
{
    struct run_opts o = {0};
    bool done = false;
    int ret = parse_opts(argc, argv, &o, &done);
    if (done) {
        run_opts_free(&o);
        return ret;
    }
    struct host h = {0};
    int status = build_job(&h, &o);
    uint8_t *bytes = NULL;
    size_t size = 0;
    if (status == 0 && keep_job_encode(&h.job, &bytes, &size) < 0) {
        fprintf(stderr, "enarx run: the job is too large\n");
        status = EXIT_USAGE;
    }
    if (status == 0) {
        /* the Keep reads the module from the job: the host keeps no copy of it */
        free(h.job.module);
        h.job.module = NULL;
        status = keep_launch(o.backend, "enarx run", bytes, size, h.fds, h.nfds);
    }
    free(bytes);
    host_free(&h);
    run_opts_free(&o);
    return status;
}
