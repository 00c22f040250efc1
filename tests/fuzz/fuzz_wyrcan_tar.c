/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_wyrcan_tar.c - libFuzzer target for a layer blob as a registry could send it: the bytes
 * are decompressed by magic (gzip, zstd or plain), read as tar and applied to an in-memory tree
 * (twice, as two layers, so whiteouts and hard links across layers are reached), then the tree
 * is written as newc cpio. Bad input must only be refused; beyond not crashing, the cpio must
 * be whole 4-byte units ending in the trailer and hold no whiteout name, and the tree's byte
 * count must return to zero once the data is freed by the writer.
 *
 * Corpus: tests/fuzz/corpus/wyrcan_tar/ (small layers: whiteouts, opaque dirs, hard links,
 * long names, pax headers, devices, gzip and zstd, and malformed ones).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wyrcan/wyrcan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) __builtin_trap();                                                             \
    } while (0)

struct out {
    uint8_t *d;
    size_t len, cap;
};

static int put(void *ctx, const void *buf, size_t size)
{
    struct out *o = ctx;
    if (o->len + size > o->cap) {
        size_t ncap = (o->len + size) * 2;
        uint8_t *n = realloc(o->d, ncap);
        if (!n) return -ENOMEM;
        o->d = n;
        o->cap = ncap;
    }
    memcpy(o->d + o->len, buf, size);
    o->len += size;
    return 0;
}

static void check_cpio(const struct out *o)
{
    CHECK(o->len % 4 == 0 && o->len >= 124);
    size_t pos = 0;
    for (;;) {
        CHECK(pos + 110 <= o->len && !memcmp(o->d + pos, "070701", 6));
        char f[9] = {0};
        memcpy(f, o->d + pos + 94, 8);
        size_t nsize = strtoul(f, NULL, 16);
        memcpy(f, o->d + pos + 54, 8);
        size_t fsize = strtoul(f, NULL, 16);
        CHECK(nsize >= 1 && pos + 110 + nsize <= o->len && o->d[pos + 110 + nsize - 1] == 0);
        const char *name = (const char *)o->d + pos + 110;
        if (!strcmp(name, "TRAILER!!!")) break;
        const char *base = strrchr(name, '/');
        CHECK(strncmp(base ? base + 1 : name, ".wh.", 4) != 0);
        CHECK(name[0] != '/' && strncmp(name, "../", 3) != 0 && strstr(name, "/../") == NULL);
        pos = ((pos + 110 + nsize + 3) & ~(size_t)3);
        pos = (pos + fsize + 3) & ~(size_t)3;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    log_set_level(LOG_ERROR);
    struct wyrcan_tree *t;
    if (wyrcan_tree_new(64u << 20, &t)) return 0;
    for (int layer = 0; layer < 2; layer++) {
        struct wyrcan_decomp *d;
        if (wyrcan_decomp_new(data, size, &d)) break;
        int r = wyrcan_layer_apply(t, wyrcan_decomp_stream(d));
        wyrcan_decomp_free(d);
        if (r) break;
    }
    struct out o = {0};
    if (wyrcan_cpio_write(t, true, put, &o) == 0) {
        check_cpio(&o);
        CHECK(wyrcan_tree_bytes(t) < (64u << 20));
    }
    free(o.d);
    wyrcan_tree_free(t);
    return 0;
}
