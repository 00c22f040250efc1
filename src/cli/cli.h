/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.h - (private to src/cli) one entry point per subcommand. Each takes the arguments after
 * the verb (argv[0] is the verb itself) and returns the process exit status. A verb described
 * by a `struct opts_verb` (opts.h) exports it as cli_<verb>_verb, so `enarx help` and the man
 * page can list it.
 */
#ifndef ENARX_CLI_H
#define ENARX_CLI_H

#include "opts.h"

/* Exit statuses shared by the subcommands (see README). */
#define EXIT_USAGE 64  /* bad command line */
#define EXIT_IO 66     /* an input file could not be read */
#define EXIT_CONFIG 78 /* Enarx.toml is bad or one of its files cannot be set up */

int cmd_run(int argc, char **argv);
extern const struct opts_verb cli_run_verb;
int cmd_deploy(int argc, char **argv); /* cmd_deploy.c: a package, run through cmd_run */
int cmd_attest(int argc, char **argv);
int cmd_platform(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_help(int argc, char **argv);

extern const struct opts_verb cli_enarx_verb; /* main.c: `enarx` itself, the root of the tree */
extern const struct opts_verb cli_config_verb;
extern const struct opts_verb cli_platform_verb;
extern const struct opts_verb cli_attest_verb;
extern const struct opts_verb cli_help_verb;

#endif
