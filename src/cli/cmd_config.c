/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_config.c - `enarx config init [FILE|-] [--force]`: write a commented Enarx.toml
 * template (to ./Enarx.toml by default, or to standard output with "-"). An existing file is
 * never overwritten without --force, so nothing the user wrote is lost by accident.
 *
 * `enarx config check FILE`: parse FILE as `enarx run --wasmcfgfile` would (keep_config_load,
 * the same strict parser), without running anything: exit 0, or 78 with file:line:column.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "keep/keep.h"
#include "opts.h"

enum { OPT_FORCE = 1 };

static const struct opts_option init_options[] = {
    {"force", 'f', NULL, OPT_FORCE, 0, "overwrite FILE if it exists"},
    {0},
};

static const struct opts_verb init_verb = {
    .name = "config init",
    .args = "[FILE|-]",
    .min_args = 0,
    .max_args = 1,
    .summary = "write a commented Enarx.toml template",
    .description = "Write a commented Enarx.toml template to FILE (default ./Enarx.toml) or, "
                   "with '-', to\nstandard output. An existing FILE is kept unless --force is "
                   "given.",
    .exit_status = "0 written, 64 usage, 66 FILE exists or cannot be written",
    .examples = "enarx config init\nenarx config init - > my.toml\nenarx config init --force "
                "Enarx.toml",
    .options = init_options,
};

static const struct opts_verb check_verb = {
    .name = "config check",
    .args = "FILE",
    .min_args = 1,
    .max_args = 1,
    .summary = "check an Enarx.toml without running anything",
    .description = "Parse FILE exactly as `enarx run --wasmcfgfile FILE` would, and report the "
                   "first error\nwith its file:line:column. Nothing is opened, bound or run.",
    .exit_status = "0 valid, 78 not a valid Enarx.toml (the error names file:line:column),\n"
                   "66 FILE cannot be read, 64 usage",
    .examples = "enarx config check Enarx.toml",
    .options = NULL,
};

static int cmd_config_init(int argc, char **argv);
static int cmd_config_check(int argc, char **argv);

static const struct opts_command config_commands[] = {
    {"init", &init_verb, cmd_config_init, NULL},
    {"check", &check_verb, cmd_config_check, NULL},
    {0},
};

const struct opts_verb cli_config_verb = {
    .name = "config",
    .args = "COMMAND [ARGS]...",
    .min_args = 1,
    .max_args = -1,
    .flags = OPTS_STOP_AT_ARG,
    .summary = "write or check an Enarx.toml",
    .description = "Write a commented Enarx.toml template, or check one.",
    .examples = "enarx config init\nenarx config check Enarx.toml",
    .commands = config_commands,
};

int cmd_config(int argc, char **argv)
{
    return opts_run_group(&cli_config_verb, argc, argv);
}

static int write_template(const char *path, bool force)
{
    const char *text = keep_config_template();
    if (strcmp(path, "-") == 0) return fputs(text, stdout) < 0 ? EXIT_IO : 0;
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL);
    int fd = open(path, flags, 0644);
    if (fd < 0) {
        fprintf(stderr, "enarx config init: %s: %s%s\n", path, strerror(errno),
                errno == EEXIST ? " (use --force to overwrite)" : "");
        return EXIT_IO;
    }
    size_t len = strlen(text), done = 0;
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            fprintf(stderr, "enarx config init: writing %s: %s\n", path, strerror(errno));
            close(fd);
            return EXIT_IO;
        }
        done += (size_t)n;
    }
    if (close(fd) < 0) {
        fprintf(stderr, "enarx config init: writing %s: %s\n", path, strerror(errno));
        return EXIT_IO;
    }
    fprintf(stderr, "wrote %s\n", path);
    return 0;
}

static int cmd_config_init(int argc, char **argv)
{
    struct opts_state st;
    opts_init(&st, &init_verb, argc, argv);
    const char *path = "Enarx.toml";
    bool force = false;
    for (int id; (id = opts_next(&st)) != OPTS_END;) {
        if (id == OPTS_EXIT) return st.status;
        if (id == OPT_FORCE) force = true;
        if (id == OPTS_ARG) path = st.value;
    }
    return write_template(path, force);
}

static int cmd_config_check(int argc, char **argv)
{
    struct opts_state st;
    opts_init(&st, &check_verb, argc, argv);
    const char *path = NULL;
    for (int id; (id = opts_next(&st)) != OPTS_END;) {
        if (id == OPTS_EXIT) return st.status;
        if (id == OPTS_ARG) path = st.value;
    }
    struct keep_config cfg;
    char err[512] = "";
    int rc = keep_config_load(path, &cfg, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "enarx config check: %s\n", err[0] ? err : strerror(-rc));
        return rc == -EINVAL || rc == -EFBIG ? EXIT_CONFIG : rc == -ENOMEM ? 70 : EXIT_IO;
    }
    printf("%s: ok (%zu file%s, %zu argument%s, %zu environment variable%s%s%s)\n", path,
           cfg.files_count, cfg.files_count == 1 ? "" : "s", cfg.args_count,
           cfg.args_count == 1 ? "" : "s", cfg.env_count, cfg.env_count == 1 ? "" : "s",
           cfg.steward ? ", steward " : "", cfg.steward ? cfg.steward : "");
    keep_config_free(&cfg);
    return 0;
}
