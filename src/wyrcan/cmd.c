/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd.c - the `pull` and `kexec` subcommands: flag parsing and the files they write or read.
 * `pull` writes OUTDIR/kernel, OUTDIR/initrd and OUTDIR/cmdline under temporary names and
 * renames them only once the whole image has been fetched, verified and written, so a failed
 * pull leaves no new file behind.
 */
#include "wyrcan.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_MAX_BYTES (8ull << 30)

static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || s[0] == '-') return -EINVAL;
    unsigned shift = 0;
    if (*end == 'K')
        shift = 10, end++;
    else if (*end == 'M')
        shift = 20, end++;
    else if (*end == 'G')
        shift = 30, end++;
    if (*end || v > (UINT64_MAX >> shift)) return -EINVAL;
    *out = (uint64_t)v << shift;
    return 0;
}

int wyrcan_write_fd(void *ctx, const void *buf, size_t size)
{
    int fd = *(int *)ctx;
    const uint8_t *p = buf;
    while (size) {
        ssize_t n = write(fd, p, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

static int write_tmp(const char *dir, const char *name, const void *data, size_t size,
                     struct wyrcan_tree *tree, char *tmp, size_t tmp_size)
{
    snprintf(tmp, tmp_size, "%s/.%s.wyrcan-tmp", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return -errno;
    int r = tree ? wyrcan_cpio_write(tree, false, wyrcan_write_fd, &fd)
                 : wyrcan_write_fd(&fd, data, size);
    if (!r && fsync(fd)) r = -errno;
    if (close(fd) && !r) r = -errno;
    if (r) unlink(tmp);
    return r;
}

static const char pull_usage[] =
    "usage: wyrcan pull [--insecure-http] [--platform OS/ARCH[/VARIANT]] [--auth-file FILE]\n"
    "                   [--max-size BYTES[K|M|G]] [--quiet] REF OUTDIR\n";

int wyrcan_pull_opts_parse(int argc, char **argv, struct wyrcan_pull_opts *o, int *optind_out);

int wyrcan_pull_opts_parse(int argc, char **argv, struct wyrcan_pull_opts *o, int *optind_out)
{
    static const struct option longs[] = {
        {"insecure-http", no_argument, NULL, 'I'},
        {"platform", required_argument, NULL, 'p'},
        {"auth-file", required_argument, NULL, 'a'},
        {"max-size", required_argument, NULL, 'm'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof(*o));
    o->max_bytes = DEFAULT_MAX_BYTES;
    o->progress = isatty(STDERR_FILENO);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "qh", longs, NULL)) != -1) {
        switch (c) {
        case 'I': o->insecure_http = true; break;
        case 'p': o->platform = optarg; break;
        case 'a': o->auth_file = optarg; break;
        case 'q': o->progress = false; break;
        case 'm':
            if (parse_size(optarg, &o->max_bytes) || o->max_bytes == 0) {
                fprintf(stderr, "wyrcan: --max-size: \"%s\" is not a size\n", optarg);
                return -EINVAL;
            }
            break;
        case 'h': return 1;
        default: return -EINVAL;
        }
    }
    if (o->platform) {
        const char *s = strchr(o->platform, '/');
        if (!s || s == o->platform || !s[1] || strlen(o->platform) > 63) {
            fprintf(stderr, "wyrcan: --platform: \"%s\" is not OS/ARCH[/VARIANT]\n", o->platform);
            return -EINVAL;
        }
    }
    if (o->insecure_http)
        fprintf(stderr, "wyrcan: WARNING: --insecure-http is on: registry traffic is not "
                        "encrypted or authenticated; use it only for a local test registry\n");
    *optind_out = optind;
    return 0;
}

int wyrcan_cmd_pull(int argc, char **argv)
{
    struct wyrcan_pull_opts o;
    int first;
    int r = wyrcan_pull_opts_parse(argc, argv, &o, &first);
    if (r || argc - first != 2) {
        fputs(pull_usage, r == 1 ? stdout : stderr);
        return r == 1 ? 0 : 2;
    }
    const char *ref = argv[first], *dir = argv[first + 1];
    if (mkdir(dir, 0755) && errno != EEXIST) {
        fprintf(stderr, "wyrcan: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    struct wyrcan_image img;
    r = wyrcan_pull(ref, &o, &img);
    if (r) {
        fprintf(stderr, "wyrcan: pull %s failed: %s\n", ref, strerror(-r));
        return 1;
    }
    static const char *const names[] = {"kernel", "initrd", "cmdline"};
    char tmp[3][4200];
    r = write_tmp(dir, names[0], img.kernel, img.kernel_size, NULL, tmp[0], sizeof(tmp[0]));
    if (!r) r = write_tmp(dir, names[1], NULL, 0, img.tree, tmp[1], sizeof(tmp[1]));
    size_t cl = strlen(img.cmdline);
    img.cmdline[cl] = '\0';
    if (!r) {
        char *line = malloc(cl + 2);
        if (!line)
            r = -ENOMEM;
        else {
            memcpy(line, img.cmdline, cl);
            line[cl] = '\n';
            r = write_tmp(dir, names[2], line, cl + 1, NULL, tmp[2], sizeof(tmp[2]));
            free(line);
        }
    }
    for (int i = 0; i < 3; i++) {
        char final[4200];
        snprintf(final, sizeof(final), "%s/%s", dir, names[i]);
        if (!r && rename(tmp[i], final)) r = -errno;
    }
    if (r) {
        for (int i = 0; i < 3; i++)
            unlink(tmp[i]);
        fprintf(stderr, "wyrcan: writing %s failed: %s\n", dir, strerror(-r));
    } else if (o.progress) {
        fprintf(stderr, "wyrcan: wrote %s/kernel (%zu bytes), %s/initrd, %s/cmdline\n", dir,
                img.kernel_size, dir, dir);
    }
    wyrcan_image_free(&img);
    return r ? 1 : 0;
}

static const char kexec_usage[] =
    "usage: wyrcan kexec --kernel FILE [--initrd FILE] [--cmdline STRING] [--load-only]\n";

int wyrcan_cmd_kexec(int argc, char **argv)
{
    static const struct option longs[] = {
        {"kernel", required_argument, NULL, 'k'},  {"initrd", required_argument, NULL, 'i'},
        {"cmdline", required_argument, NULL, 'c'}, {"load-only", no_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    const char *kernel = NULL, *initrd = NULL, *cmdline = "";
    bool load_only = false;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (c) {
        case 'k': kernel = optarg; break;
        case 'i': initrd = optarg; break;
        case 'c': cmdline = optarg; break;
        case 'l': load_only = true; break;
        case 'h': fputs(kexec_usage, stdout); return 0;
        default: fputs(kexec_usage, stderr); return 2;
        }
    }
    if (!kernel || optind != argc) {
        fputs(kexec_usage, stderr);
        return 2;
    }
    int kfd = open(kernel, O_RDONLY | O_CLOEXEC);
    int ifd = initrd ? open(initrd, O_RDONLY | O_CLOEXEC) : -1;
    if (kfd < 0 || (initrd && ifd < 0)) {
        fprintf(stderr, "wyrcan: cannot open %s: %s\n", kfd < 0 ? kernel : initrd, strerror(errno));
        return 1;
    }
    int r = wyrcan_kexec_load(kfd, ifd, cmdline);
    close(kfd);
    if (ifd >= 0) close(ifd);
    if (r) return 1;
    if (load_only) return 0;
    r = wyrcan_kexec_exec();
    fprintf(stderr, "wyrcan: reboot into the loaded kernel failed: %s\n", strerror(-r));
    return 1;
}
