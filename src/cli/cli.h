/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.h - (private to src/cli) one entry point per subcommand. Each takes the arguments after
 * the verb (argv[0] is the verb itself) and returns the process exit status.
 */
#ifndef ENARX_CLI_H
#define ENARX_CLI_H

/* Exit statuses shared by the subcommands (see README). */
#define EXIT_USAGE 64 /* bad command line */
#define EXIT_IO 66    /* an input file could not be read */

int cmd_run(int argc, char **argv);
int cmd_deploy(int argc, char **argv); /* cmd_deploy.c: a package, run through cmd_run */
int cmd_attest(int argc, char **argv);
int cmd_platform(int argc, char **argv);
int cmd_config(int argc, char **argv);

#endif
