/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decomp.c - a pull stream over a verified layer blob in memory, decompressed by its magic:
 * gzip (1f 8b, members concatenated as gzip(1) allows), zstd (28 b5 2f fd, frames
 * concatenated) or plain tar. Deciding by magic rather than the media type means a registry
 * that mislabels a layer still unpacks correctly, and a lying label buys nothing: the bytes were
 * already verified against the digest the manifest named. The output is bounded by whoever
 * reads it (the tree's byte budget), which is what stops a decompression bomb.
 */
#include "wyrcan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#include <zstd.h>

enum kind { PLAIN, GZIP, ZSTD };

struct wyrcan_decomp {
    struct wyrcan_stream stream; /* first: the stream pointer is the decompressor */
    enum kind kind;
    const uint8_t *data;
    size_t size, pos;
    z_stream z;
    bool z_init, z_end;
    ZSTD_DStream *zs;
    bool zs_done; /* the last frame ended exactly */
};

static int read_plain(struct wyrcan_decomp *d, void *buf, size_t size, size_t *got)
{
    size_t n = d->size - d->pos;
    if (n > size) n = size;
    memcpy(buf, d->data + d->pos, n);
    d->pos += n;
    *got = n;
    return 0;
}

static int read_gzip(struct wyrcan_decomp *d, void *buf, size_t size, size_t *got)
{
    *got = 0;
    if (size > UINT32_MAX) size = UINT32_MAX;
    while (*got == 0) {
        if (d->z_end) {
            if (d->pos == d->size) return 0;
            /* another member follows */
            if (inflateReset(&d->z) != Z_OK) return -EIO;
            d->z_end = false;
        }
        d->z.next_in = (Bytef *)(uintptr_t)(d->data + d->pos);
        d->z.avail_in = (uInt)((d->size - d->pos) > UINT32_MAX ? UINT32_MAX : d->size - d->pos);
        d->z.next_out = buf;
        d->z.avail_out = (uInt)size;
        int r = inflate(&d->z, Z_NO_FLUSH);
        d->pos = (size_t)(d->z.next_in - d->data);
        *got = size - d->z.avail_out;
        if (r == Z_STREAM_END) {
            d->z_end = true;
        } else if (r != Z_OK) {
            if (r == Z_BUF_ERROR && d->pos == d->size) {
                log_error("layer: gzip stream truncated");
                return -EBADMSG;
            }
            if (r == Z_MEM_ERROR) return -ENOMEM;
            log_error("layer: gzip data corrupt");
            return -EBADMSG;
        }
    }
    return 0;
}

static int read_zstd(struct wyrcan_decomp *d, void *buf, size_t size, size_t *got)
{
    *got = 0;
    while (*got == 0) {
        if (d->pos == d->size && d->zs_done) return 0;
        ZSTD_inBuffer in = {d->data, d->size, d->pos};
        ZSTD_outBuffer out = {buf, size, 0};
        size_t r = ZSTD_decompressStream(d->zs, &out, &in);
        if (ZSTD_isError(r)) {
            log_error("layer: zstd data corrupt: %s", ZSTD_getErrorName(r));
            return -EBADMSG;
        }
        d->pos = in.pos;
        d->zs_done = r == 0;
        *got = out.pos;
        if (out.pos == 0 && in.pos == d->size && !d->zs_done) {
            log_error("layer: zstd stream truncated");
            return -EBADMSG;
        }
    }
    return 0;
}

static int decomp_read(struct wyrcan_stream *s, void *buf, size_t size, size_t *got)
{
    struct wyrcan_decomp *d = (struct wyrcan_decomp *)s;
    switch (d->kind) {
    case GZIP: return read_gzip(d, buf, size, got);
    case ZSTD: return read_zstd(d, buf, size, got);
    default: return read_plain(d, buf, size, got);
    }
}

int wyrcan_decomp_new(const uint8_t *data, size_t size, struct wyrcan_decomp **out)
{
    struct wyrcan_decomp *d = calloc(1, sizeof(*d));
    if (!d) return -ENOMEM;
    d->stream.read = decomp_read;
    d->data = data;
    d->size = size;
    d->zs_done = true;
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
        d->kind = GZIP;
        if (inflateInit2(&d->z, 15 + 16) != Z_OK) {
            free(d);
            return -ENOMEM;
        }
        d->z_init = true;
    } else if (size >= 4 && data[0] == 0x28 && data[1] == 0xb5 && data[2] == 0x2f &&
               data[3] == 0xfd) {
        d->kind = ZSTD;
        d->zs = ZSTD_createDStream();
        if (!d->zs) {
            free(d);
            return -ENOMEM;
        }
        d->zs_done = false;
    }
    *out = d;
    return 0;
}

struct wyrcan_stream *wyrcan_decomp_stream(struct wyrcan_decomp *d)
{
    return &d->stream;
}

const char *wyrcan_decomp_name(const struct wyrcan_decomp *d)
{
    return d->kind == GZIP ? "gzip" : d->kind == ZSTD ? "zstd" : "tar";
}

void wyrcan_decomp_free(struct wyrcan_decomp *d)
{
    if (!d) return;
    if (d->z_init) inflateEnd(&d->z);
    ZSTD_freeDStream(d->zs);
    free(d);
}
