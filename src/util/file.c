/* SPDX-License-Identifier: Apache-2.0 */
/* file.c - bounded whole-file reads. */
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int util_file_read(const char *path, size_t max_size, uint8_t **out, size_t *out_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -errno;
    int ret = 0;
    uint8_t *buf = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (len == cap) {
            if (cap > max_size) {
                ret = -EFBIG;
                goto out;
            }
            size_t ncap = cap ? cap * 2 : 65536;
            if (ncap > max_size + 1) ncap = max_size + 1;
            uint8_t *n = realloc(buf, ncap ? ncap : 1);
            if (!n) {
                ret = -ENOMEM;
                goto out;
            }
            buf = n;
            cap = ncap;
        }
        size_t r = fread(buf + len, 1, cap - len, f);
        len += r;
        if (len > max_size) {
            ret = -EFBIG;
            goto out;
        }
        if (r == 0) {
            if (ferror(f)) ret = -EIO;
            break;
        }
    }
out:
    fclose(f);
    if (ret < 0) {
        free(buf);
        return ret;
    }
    *out = buf;
    *out_size = len;
    return 0;
}
