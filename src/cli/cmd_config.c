/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_config.c - `enarx config init [FILE|-] [--force]`: write a commented Enarx.toml
 * template (to ./Enarx.toml by default, or to standard output with "-"). An existing file is
 * never overwritten without --force, so nothing the user wrote is lost by accident.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "keep/keep.h"

static void usage(FILE *out)
{
    fprintf(out, "Usage: enarx config init [FILE|-] [--force]\n"
                 "\n"
                 "Write a commented Enarx.toml template to FILE (default ./Enarx.toml) or, with\n"
                 "'-', to standard output. An existing FILE is kept unless --force is given.\n");
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

int cmd_config(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "init") != 0) {
        bool help = argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0);
        usage(help ? stdout : stderr);
        return help ? 0 : EXIT_USAGE;
    }
    const char *path = NULL;
    bool force = false;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--force") == 0) {
            force = true;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (!path && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)) {
            path = argv[i];
        } else {
            fprintf(stderr, "enarx config init: unexpected argument '%s'\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    return write_template(path ? path : "Enarx.toml", force);
}
