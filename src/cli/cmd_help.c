/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_help.c - `enarx help [COMMAND]...`: the --help of enarx or of one of its commands, and
 * `enarx help --man`: the man page enarx(1), written from the same tables (opts.h) that the
 * commands parse with, so the page cannot promise a flag the command refuses. A command that
 * still parses its own flags contributes its --help text verbatim.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "opts.h"

enum { OPT_MAN = 1 };

static const struct opts_option help_options[] = {
    {"man", 0, NULL, OPT_MAN, 0, "write the man page enarx(1) (roff) to standard output"},
    {0},
};

const struct opts_verb cli_help_verb = {
    .name = "help",
    .args = "[COMMAND]...",
    .min_args = 0,
    .max_args = -1,
    .summary = "show the help of enarx or of a command",
    .description = "Show what a command does and every option it takes, as `COMMAND --help` "
                   "does. With no COMMAND, the list of commands.",
    .examples = "enarx help run\n"
                "enarx help config check\n"
                "enarx help --man | man -l -",
    .options = help_options,
};

/* The --help output of a command that parses its own argv, captured from its stdout. */
static int capture_help(const struct opts_command *c, char **text, size_t *size)
{
    FILE *tmp = tmpfile();
    if (!tmp) return -1;
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    if (saved < 0 || dup2(fileno(tmp), STDOUT_FILENO) < 0) {
        if (saved >= 0) close(saved);
        fclose(tmp);
        return -1;
    }
    char word[32], help[] = "--help";
    snprintf(word, sizeof(word), "%s", c->name);
    char *argv[] = {word, help, NULL};
    (void)c->run(2, argv);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    long len = ftell(tmp);
    *text = len > 0 ? malloc((size_t)len) : NULL;
    *size = 0;
    if (*text) {
        rewind(tmp);
        *size = fread(*text, 1, (size_t)len, tmp);
    }
    fclose(tmp);
    return *text ? 0 : -1;
}

static void man_commands(const struct opts_verb *group, const char *prefix, FILE *out)
{
    for (const struct opts_command *c = group->commands; c && c->name; c++) {
        if (c->verb) {
            opts_man(c->verb, out);
            if (c->verb->commands) man_commands(c->verb, c->verb->name, out);
            continue;
        }
        char title[64], *text = NULL;
        size_t size = 0;
        snprintf(title, sizeof(title), "enarx %s%s%s", prefix ? prefix : "", prefix ? " " : "",
                 c->name);
        if (capture_help(c, &text, &size) == 0) opts_man_text(title, text, size, out);
        free(text);
    }
}

static int write_man(FILE *out)
{
    const struct opts_verb *v = &cli_enarx_verb;
    fprintf(out, ".TH ENARX 1 \"\" \"enarx %s\" \"User Commands\"\n", ENARX_VERSION);
    fputs(".SH NAME\nenarx \\- run WebAssembly workloads in attested Keeps\n"
          ".SH SYNOPSIS\n.B enarx\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]...\n"
          ".SH DESCRIPTION\n",
          out);
    fputs(".PP\nRun WebAssembly workloads in Keeps and verify what Keeps prove about "
          "themselves. Every command prints its own options with \\fB\\-\\-help\\fR, or "
          "\\fBenarx help\\fR \\fICOMMAND\\fR.\n",
          out);
    fputs(".SH OPTIONS\nThe global options are accepted before or after the command.\n", out);
    opts_man_options(v, out);
    fputs(".SH COMMANDS\n", out);
    man_commands(v, NULL, out);
    fputs(".SH ENVIRONMENT\n"
          ".TP\n.B ENARX_LOG\nthe log level when \\fB\\-\\-log\\-level\\fR is not given\n"
          ".TP\n.B ENARX_BACKEND\nthe Keep backend when \\fB\\-\\-backend\\fR is not given\n"
          ".TP\n.B ENARX_ROOTS\nthe trust anchors of \\fBenarx attest verify\\fR\n"
          ".TP\n.B ENARX_SYSROOT\nthe root under which \\fBenarx platform info\\fR looks "
          "(tests)\n"
          ".SH EXIT STATUS\n",
          out);
    fputs(".PP\n0 success, 64 usage error, 66 an input could not be read, 78 a bad Enarx.toml; "
          "\\fBenarx run\\fR, \\fBenarx deploy\\fR and \\fBenarx attest verify\\fR add their "
          "own (see each command).\n"
          ".SH SEE ALSO\n\\fBenarx\\-steward\\fR(1)\n",
          out);
    return fflush(out) == 0 ? 0 : EXIT_IO;
}

/* Prints the help of the command named by words, walking down the tree. */
static int show(struct opts_state *st, char **words, int count)
{
    const struct opts_verb *v = &cli_enarx_verb;
    for (int i = 0; i < count; i++) {
        if (!v->commands) return opts_error(st, "'%s' has no subcommand '%s'", v->name, words[i]);
        const struct opts_command *c = opts_command_find(v, words[i]);
        if (!c) {
            const char *names[32];
            size_t n = 0;
            for (const struct opts_command *k = v->commands; k->name && n < 32; k++)
                names[n++] = k->name;
            const char *near = opts_suggest(words[i], names, n);
            return opts_error(st, "unknown command '%s'%s%s%s", words[i],
                              near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
        }
        if (!c->verb) {
            char help[] = "--help", *argv[] = {words[i], help, NULL};
            return c->run(2, argv);
        }
        v = c->verb;
    }
    opts_help(v, stdout);
    return 0;
}

int cmd_help(int argc, char **argv)
{
    struct opts_state st;
    opts_init(&st, &cli_help_verb, argc, argv);
    char *words[8];
    int count = 0;
    bool man = false;
    for (int id; (id = opts_next(&st)) != OPTS_END;) {
        if (id == OPTS_EXIT) return st.status;
        if (id == OPT_MAN) man = true;
        if (id == OPTS_ARG) {
            if (count == 8) return opts_error(&st, "too many words");
            words[count++] = (char *)st.value;
        }
    }
    if (man) return count ? opts_error(&st, "--man takes no COMMAND") : write_man(stdout);
    return show(&st, words, count);
}
