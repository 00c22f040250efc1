/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tar.c - a strict streaming tar reader for image layers: POSIX ustar, pax extended headers
 * ('x'; global 'g' headers are parsed and ignored) and the GNU long name/link members ('L',
 * 'K'), which is what image builders write. Every header's checksum is verified; numeric
 * fields are octal (NUL/space terminated) or GNU base-256; pax records are "LEN KEY=VALUE\n"
 * with LEN checked against the record. Sizes are bounded (names 4096 bytes, pax data 1 MiB);
 * names that contain NUL are refused. The reader never interprets paths: the tree does that.
 */
#include "wyrcan.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define BLOCK 512
#define PATH_MAX_LEN 4096
#define PAX_MAX (1u << 20)

struct data_stream {
    struct wyrcan_stream stream;
    struct wyrcan_tar *tar;
};

struct wyrcan_tar {
    struct wyrcan_stream *in;
    struct data_stream data;
    uint64_t remaining; /* data bytes of the current member not yet read */
    uint64_t padding;   /* bytes to the next block boundary after the data */
    uint64_t offset;    /* position in the stream, for messages */
    char path[PATH_MAX_LEN + 1], link[PATH_MAX_LEN + 1];
    /* pending overrides from pax/GNU headers for the next member */
    char *long_path, *long_link;
    bool has_size, has_uid, has_gid, has_mtime;
    uint64_t pax_size;
    uint32_t pax_uid, pax_gid;
    int64_t pax_mtime;
};

static int read_full(struct wyrcan_tar *t, void *buf, size_t size)
{
    size_t done = 0;
    while (done < size) {
        size_t got = 0;
        int r = t->in->read(t->in, (uint8_t *)buf + done, size - done, &got);
        if (r) return r;
        if (got == 0) return -ENODATA;
        done += got;
    }
    t->offset += size;
    return 0;
}

static int skip(struct wyrcan_tar *t, uint64_t n)
{
    uint8_t buf[4096];
    while (n) {
        size_t k = n > sizeof(buf) ? sizeof(buf) : (size_t)n;
        int r = read_full(t, buf, k);
        if (r) return r;
        n -= k;
    }
    return 0;
}

static int data_read(struct wyrcan_stream *s, void *buf, size_t size, size_t *got)
{
    struct wyrcan_tar *t = ((struct data_stream *)s)->tar;
    *got = 0;
    if (t->remaining == 0) return 0;
    if (size > t->remaining) size = (size_t)t->remaining;
    int r = read_full(t, buf, size);
    if (r) return r == -ENODATA ? -EBADMSG : r;
    t->remaining -= size;
    *got = size;
    return 0;
}

int wyrcan_tar_new(struct wyrcan_stream *in, struct wyrcan_tar **out)
{
    struct wyrcan_tar *t = calloc(1, sizeof(*t));
    if (!t) return -ENOMEM;
    t->in = in;
    t->data.stream.read = data_read;
    t->data.tar = t;
    *out = t;
    return 0;
}

void wyrcan_tar_free(struct wyrcan_tar *t)
{
    if (!t) return;
    free(t->long_path);
    free(t->long_link);
    free(t);
}

struct wyrcan_stream *wyrcan_tar_data(struct wyrcan_tar *t)
{
    return &t->data.stream;
}

/* An octal or base-256 numeric field. */
static int parse_num(const uint8_t *f, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    if (f[0] & 0x80) {
        if (f[0] != 0x80) return -EINVAL; /* negative or > 2^63 */
        for (size_t i = 1; i < len; i++) {
            if (v >> 55) return -EINVAL;
            v = (v << 8) | f[i];
        }
        *out = v;
        return 0;
    }
    size_t i = 0;
    while (i < len && f[i] == ' ')
        i++;
    size_t digits = 0;
    for (; i < len && f[i] >= '0' && f[i] <= '7'; i++, digits++) {
        if (v >> 60) return -EINVAL;
        v = v * 8 + (uint64_t)(f[i] - '0');
    }
    for (; i < len; i++)
        if (f[i] != ' ' && f[i] != '\0') return -EINVAL;
    if (digits == 0) v = 0; /* empty field: zero, as GNU tar reads it */
    *out = v;
    return 0;
}

static bool checksum_ok(const uint8_t *h)
{
    uint64_t want;
    if (parse_num(h + 148, 8, &want)) return false;
    uint64_t sum = 0;
    for (size_t i = 0; i < BLOCK; i++)
        sum += (i >= 148 && i < 156) ? ' ' : h[i];
    return sum == want;
}

/* Copies a fixed-width field that may lack its NUL. */
static size_t field_copy(char *dst, const uint8_t *f, size_t len)
{
    size_t n = strnlen((const char *)f, len);
    memcpy(dst, f, n);
    dst[n] = '\0';
    return n;
}

static int read_blob(struct wyrcan_tar *t, uint64_t size, uint64_t max, char **out)
{
    if (size > max) return -EFBIG;
    char *buf = malloc((size_t)size + 1);
    if (!buf) return -ENOMEM;
    int r = read_full(t, buf, (size_t)size);
    if (!r) r = skip(t, (BLOCK - size % BLOCK) % BLOCK);
    if (r) {
        free(buf);
        return r == -ENODATA ? -EBADMSG : r;
    }
    buf[size] = '\0';
    *out = buf;
    return 0;
}

static int set_long(char **slot, char *v, size_t len)
{
    while (len && v[len - 1] == '\0')
        len--;
    if (len == 0 || len > PATH_MAX_LEN || memchr(v, '\0', len)) return -EINVAL;
    v[len] = '\0';
    free(*slot);
    *slot = strdup(v);
    return *slot ? 0 : -ENOMEM;
}

static int parse_dec(const char *s, size_t len, bool frac_ok, uint64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;
    if (len == 0) return -EINVAL;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        if (v > (UINT64_MAX - 9) / 10) return -EINVAL;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (i == 0) return -EINVAL;
    if (i < len) {
        if (!frac_ok || s[i] != '.') return -EINVAL;
        for (i++; i < len; i++)
            if (s[i] < '0' || s[i] > '9') return -EINVAL;
    }
    *out = v;
    return 0;
}

/* One pax record's key and value; global records are checked but not kept. */
static int pax_apply(struct wyrcan_tar *t, const char *key, size_t klen, char *val, size_t vlen,
                     bool global)
{
    uint64_t n;
#define KEY_IS(k) (klen == sizeof(k) - 1 && !memcmp(key, k, klen))
    if (KEY_IS("path") || KEY_IS("linkpath")) {
        if (global) return 0;
        return set_long(KEY_IS("path") ? &t->long_path : &t->long_link, val, vlen);
    }
    if (KEY_IS("size") || KEY_IS("uid") || KEY_IS("gid") || KEY_IS("mtime")) {
        if (parse_dec(val, vlen, KEY_IS("mtime"), &n)) return -EINVAL;
        if (global) return 0;
        if (KEY_IS("size")) {
            t->pax_size = n;
            t->has_size = true;
        } else if (KEY_IS("mtime")) {
            if (n > INT64_MAX) return -EINVAL;
            t->pax_mtime = (int64_t)n;
            t->has_mtime = true;
        } else {
            if (n > UINT32_MAX) return -EINVAL;
            if (KEY_IS("uid")) {
                t->pax_uid = (uint32_t)n;
                t->has_uid = true;
            } else {
                t->pax_gid = (uint32_t)n;
                t->has_gid = true;
            }
        }
    }
#undef KEY_IS
    return 0; /* other keys (uname, atime, SCHILY.xattr.*, ...) are not kept */
}

static int pax_parse(struct wyrcan_tar *t, char *buf, size_t size, bool global)
{
    size_t pos = 0;
    while (pos < size) {
        size_t len = 0, i = pos;
        while (i < size && buf[i] >= '0' && buf[i] <= '9' && i - pos < 8)
            len = len * 10 + (size_t)(buf[i++] - '0');
        if (i == pos || i >= size || buf[i] != ' ' || len < i - pos + 3 || len > size - pos)
            return -EINVAL;
        size_t end = pos + len; /* one past the '\n' */
        if (buf[end - 1] != '\n') return -EINVAL;
        char *key = buf + i + 1;
        char *eq = memchr(key, '=', (size_t)(buf + end - 1 - key));
        if (!eq || eq == key) return -EINVAL;
        size_t klen = (size_t)(eq - key);
        if (memchr(key, '\0', klen)) return -EINVAL;
        char *val = eq + 1;
        size_t vlen = (size_t)(buf + end - 1 - val);
        char saved = val[vlen];
        val[vlen] = '\0';
        int r = pax_apply(t, key, klen, val, vlen, global);
        val[vlen] = saved;
        if (r) return r;
        pos = end;
    }
    return 0;
}

static void clear_pending(struct wyrcan_tar *t)
{
    free(t->long_path);
    free(t->long_link);
    t->long_path = t->long_link = NULL;
    t->has_size = t->has_uid = t->has_gid = t->has_mtime = false;
}

static int fill_entry(struct wyrcan_tar *t, const uint8_t *h, struct wyrcan_entry *e)
{
    uint64_t mode, uid, gid, size, mtime, dmaj, dmin;
    if (parse_num(h + 100, 8, &mode) || parse_num(h + 108, 8, &uid) ||
        parse_num(h + 116, 8, &gid) || parse_num(h + 124, 12, &size) ||
        parse_num(h + 136, 12, &mtime) || parse_num(h + 329, 8, &dmaj) ||
        parse_num(h + 337, 8, &dmin))
        return -EINVAL;
    if (t->has_size) size = t->pax_size;
    if (t->has_uid) uid = t->pax_uid;
    if (t->has_gid) gid = t->pax_gid;
    if (uid > UINT32_MAX || gid > UINT32_MAX || dmaj > UINT32_MAX || dmin > UINT32_MAX ||
        mtime > INT64_MAX)
        return -EINVAL;
    bool ustar = !memcmp(h + 257, "ustar\0", 6);
    if (t->long_path) {
        strcpy(t->path, t->long_path);
    } else {
        char prefix[156], name[101];
        size_t pl = ustar ? field_copy(prefix, h + 345, 155) : 0;
        field_copy(name, h, 100);
        if (pl)
            snprintf(t->path, sizeof(t->path), "%s/%s", prefix, name);
        else
            strcpy(t->path, name);
    }
    if (t->long_link)
        strcpy(t->link, t->long_link);
    else
        field_copy(t->link, h + 157, 100);

    memset(e, 0, sizeof(*e));
    e->path = t->path;
    e->link = t->link;
    e->mode = (uint32_t)(mode & 07777);
    e->uid = (uint32_t)uid;
    e->gid = (uint32_t)gid;
    e->mtime = t->has_mtime ? t->pax_mtime : (int64_t)mtime;
    e->dev_major = (uint32_t)dmaj;
    e->dev_minor = (uint32_t)dmin;
    switch (h[156]) {
    case '0':
    case '\0':
    case '7': e->type = WYRCAN_REG; break;
    case '1': e->type = WYRCAN_HARDLINK; break;
    case '2': e->type = WYRCAN_SYMLINK; break;
    case '3': e->type = WYRCAN_CHR; break;
    case '4': e->type = WYRCAN_BLK; break;
    case '5': e->type = WYRCAN_DIR; break;
    case '6': e->type = WYRCAN_FIFO; break;
    default:
        log_error("tar: member \"%.200s\": unsupported type '%c'", t->path, h[156]);
        return -ENOTSUP;
    }
    /* only regular files carry data we read; others' data (if any) is skipped */
    t->remaining = size;
    t->padding = (BLOCK - size % BLOCK) % BLOCK;
    e->size = e->type == WYRCAN_REG ? size : 0;
    if (e->type != WYRCAN_REG && size) {
        /* a hard link with data, or a directory with data: not produced by builders */
        return -EINVAL;
    }
    clear_pending(t);
    return 0;
}

static bool all_zero(const uint8_t *b)
{
    for (size_t i = 0; i < BLOCK; i++)
        if (b[i]) return false;
    return true;
}

int wyrcan_tar_next(struct wyrcan_tar *t, struct wyrcan_entry *e)
{
    int r = skip(t, t->remaining + t->padding);
    if (r) return r == -ENODATA ? -EBADMSG : r;
    t->remaining = t->padding = 0;
    uint8_t h[BLOCK];
    for (unsigned meta = 0;; meta++) {
        uint64_t at = t->offset;
        r = read_full(t, h, BLOCK);
        if (r == -ENODATA) {
            /* the end without the two zero blocks: accepted only between members */
            if (meta || t->offset % BLOCK) return -EBADMSG;
            return 1;
        }
        if (r) return r;
        if (all_zero(h)) return meta ? -EBADMSG : 1;
        if (!checksum_ok(h)) {
            log_error("tar: bad header checksum at offset %llu", (unsigned long long)at);
            return -EBADMSG;
        }
        if (meta > 16) return -EBADMSG;
        char type = (char)h[156];
        if (type != 'x' && type != 'g' && type != 'L' && type != 'K') return fill_entry(t, h, e);
        uint64_t size;
        if (parse_num(h + 124, 12, &size)) return -EINVAL;
        char *buf;
        r = read_blob(t, size, type == 'L' || type == 'K' ? PATH_MAX_LEN + 1 : PAX_MAX, &buf);
        if (r) return r;
        if (type == 'L' || type == 'K')
            r = set_long(type == 'L' ? &t->long_path : &t->long_link, buf, (size_t)size);
        else
            r = pax_parse(t, buf, (size_t)size, type == 'g');
        free(buf);
        if (r) {
            log_error("tar: bad extended header at offset %llu", (unsigned long long)at);
            return r;
        }
    }
}
