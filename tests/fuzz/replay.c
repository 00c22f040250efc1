/* SPDX-License-Identifier: Apache-2.0 */
/*
 * replay.c - a main() for fuzz targets built without libFuzzer.
 *
 * Usage: replay_<name> PATH...
 *
 * Each PATH is a file or a directory; every regular file found (directories are read one level
 * deep, in name order, skipping dot files) is passed once to the target's
 * LLVMFuzzerTestOneInput(). This turns a committed corpus into a regression test that runs in
 * every build, with or without clang, and under ASan/UBSan in CI: a crash, a sanitizer report
 * or a hang (meson's timeout) fails the test. LLVMFuzzerInitialize() is called first when the
 * target defines it (weak symbol).
 *
 * Each input is copied into a buffer of exactly its size so an out-of-bounds read by the
 * target lands outside the allocation, where ASan sees it. Files over 16 MiB are refused (a
 * corpus of small inputs is the point). Each input's name goes to stderr before it runs, so a
 * crash names its input. Prints "replayed N inputs" and exits 0, or 1 when a path could not be
 * read or nothing was replayed at all.
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_INPUT_SIZE (16u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Reads path into an exact-size buffer (never NULL, even for an empty file); 0 or -errno. */
static int read_input(const char *path, uint8_t **out, size_t *size)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    uint8_t *buf;
    int rc = 0;

    if (!f) return -errno;
    if (fstat(fileno(f), &st) < 0 || st.st_size < 0 || (uint64_t)st.st_size > MAX_INPUT_SIZE) {
        rc = -EFBIG;
        goto out;
    }
    buf = malloc(st.st_size ? (size_t)st.st_size : 1);
    if (!buf) {
        rc = -ENOMEM;
        goto out;
    }
    if (fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        free(buf);
        rc = -EIO;
        goto out;
    }
    *out = buf;
    *size = (size_t)st.st_size;
out:
    fclose(f);
    return rc;
}

static int replay_file(const char *path, unsigned *count)
{
    uint8_t *data = NULL;
    size_t size = 0;
    int rc = read_input(path, &data, &size);

    if (rc < 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(-rc));
        return rc;
    }
    /* Named before it runs, so that a crash report can be traced to its input. */
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, size);
    (void)LLVMFuzzerTestOneInput(data, size);
    free(data);
    (*count)++;
    return 0;
}

static int skip_entry(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

static int replay_dir(const char *dir, unsigned *count)
{
    struct dirent **names;
    int n = scandir(dir, &names, skip_entry, alphasort);
    int rc = 0;

    if (n < 0) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -errno;
    }
    for (int i = 0; i < n; i++) {
        char path[4096];
        struct stat st;

        if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name) < (int)sizeof(path) &&
            stat(path, &st) == 0 && S_ISREG(st.st_mode) && replay_file(path, count) < 0)
            rc = -EIO;
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    unsigned count = 0;
    int failed = 0;
    struct stat st;

    if (LLVMFuzzerInitialize) (void)LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        int rc;

        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            rc = replay_dir(argv[i], &count);
        else
            rc = replay_file(argv[i], &count);
        if (rc < 0) failed = 1;
    }
    printf("replayed %u inputs\n", count);
    return failed || count == 0 ? 1 : 0;
}
