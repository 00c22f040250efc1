/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - the `enarx` command: parses global options and dispatches to one subcommand
 * (cmd_<verb>.c). Verbs and flags follow Enarx's CLI where Enarx defined them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "keep/keep.h"
#include "util/util.h"

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: enarx [--log-level LEVEL] COMMAND [ARGS]...\n"
            "\n"
            "Run WebAssembly workloads in Keeps and verify what Keeps prove about themselves.\n"
            "\n"
            "Commands:\n"
            "  run MODULE [ARGS]...     run a WebAssembly (WASI) module in a Keep\n"
            "  deploy PACKAGE           run a package (main.wasm + Enarx.toml) in a Keep\n"
            "  platform info [--json]   show the backends and attestation sources of this host\n"
            "  config init [FILE|-]     write a commented Enarx.toml template\n"
#ifdef HAVE_CMD_ATTEST
            "  attest verify EVIDENCE   verify attestation evidence against roots and a policy\n"
#endif
            "\n"
            "Options:\n"
            "  --log-level LEVEL        error, warn (default), info or debug (also ENARX_LOG)\n"
            "  -h, --help               show this help\n"
            "  -V, --version            show the version\n"
            "\n"
            "Run `enarx COMMAND --help` for a command's own options.\n");
}

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
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0) {
            printf("enarx %s\n", ENARX_VERSION);
            return 0;
        }
        if (strcmp(argv[i], "--log-level") == 0 && i + 1 < argc) {
            enum log_level l;
            if (log_level_parse(argv[++i], &l) < 0) {
                fprintf(stderr, "enarx: unknown log level '%s'\n", argv[i]);
                return EXIT_USAGE;
            }
            log_set_level(l);
            continue;
        }
        fprintf(stderr, "enarx: unknown option '%s'\n", argv[i]);
        usage(stderr);
        return EXIT_USAGE;
    }
    if (i >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *verb = argv[i];
    if (strcmp(verb, "run") == 0) return cmd_run(argc - i, argv + i);
    if (strcmp(verb, "deploy") == 0) return cmd_deploy(argc - i, argv + i);
    if (strcmp(verb, "config") == 0) return cmd_config(argc - i, argv + i);
    if (strcmp(verb, "platform") == 0) return cmd_platform(argc - i, argv + i);
#ifdef HAVE_CMD_ATTEST
    if (strcmp(verb, "attest") == 0) return cmd_attest(argc - i, argv + i);
#endif
    fprintf(stderr, "enarx: unknown command '%s'\n", verb);
    usage(stderr);
    return EXIT_USAGE;
}
