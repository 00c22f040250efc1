/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - the `enarx` command: the root of the tree of verbs (cli_enarx_verb), its own options
 * (--version and the global ones, opts.c), and the dispatch to one subcommand (cmd_<verb>.c).
 * Verbs and flags follow Enarx's CLI where Enarx defined them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "keep/keep.h"
#include "opts.h"
#include "util/util.h"

enum { OPT_VERSION = 1 };

static const struct opts_option enarx_options[] = {
    {"version", 'V', NULL, OPT_VERSION, 0, "show the version"},
    {0},
};

static const struct opts_command enarx_commands[] = {
    /* deploy parses its own flags until it moves to opts (see opts.h) */
    {"run", &cli_run_verb, cmd_run, NULL},
    {"deploy", NULL, cmd_deploy, "run a package (main.wasm + Enarx.toml) in a Keep"},
    {"config", &cli_config_verb, cmd_config, NULL},
    {"platform", &cli_platform_verb, cmd_platform, NULL},
#ifdef HAVE_CMD_ATTEST
    {"attest", &cli_attest_verb, cmd_attest, NULL},
#endif
    {"help", &cli_help_verb, cmd_help, NULL},
    {0},
};

const struct opts_verb cli_enarx_verb = {
    .name = NULL,
    .args = "COMMAND [ARGS]...",
    .min_args = 1,
    .max_args = -1,
    .flags = OPTS_STOP_AT_ARG,
    .summary = "run WebAssembly workloads in attested Keeps",
    .description =
        "Run WebAssembly workloads in Keeps and verify what Keeps prove about themselves.",
    .exit_status = "0 success, 64 usage error, 66 an input could not be read,\n"
                   "78 a bad Enarx.toml; `enarx run` and `enarx attest verify` add their own",
    .examples = "enarx run app.wasm\n"
                "enarx help run\n"
                "enarx config check Enarx.toml\n"
                "enarx --log-level=debug platform info",
    .options = enarx_options,
    .commands = enarx_commands,
};

/* fds 0, 1 and 2 open, on /dev/null when enarx was started without them, so that nothing
 * opened later (a pre-open, a socket) is taken for a standard stream. */
static void stdio_open(void)
{
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
            int n = open("/dev/null", O_RDWR);
            if (n >= 0 && n != fd) close(n); /* cannot happen: the lowest free fd is fd */
        }
}

int main(int argc, char **argv)
{
    stdio_open();
    const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
    base = base ? base + 1 : argc > 0 ? argv[0] : "";
    if (strcmp(base, KEEP_EXEC_ARGV0) == 0) return keep_exec_main(argc, argv);
    if (argc < 2) {
        opts_help(&cli_enarx_verb, stderr);
        return EXIT_USAGE;
    }
    struct opts_state st;
    opts_init(&st, &cli_enarx_verb, argc, argv);
    for (;;) {
        switch (opts_next(&st)) {
        case OPT_VERSION: printf("enarx %s\n", ENARX_VERSION); return 0;
        case OPTS_ARG: return opts_run_command(&st);
        case OPTS_EXIT: return st.status;
        default: return EXIT_USAGE; /* OPTS_END: min_args made it an OPTS_EXIT */
        }
    }
}
