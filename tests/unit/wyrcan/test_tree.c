/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_tree.c - layers to the tree to cpio: tar parsing (ustar, GNU long names, pax, base-256,
 * checksums, truncation), whiteouts and opaque directories (lower layers only), hard links
 * kept as one inode, path escapes refused, the byte budget, symlink resolution for the kernel,
 * and the newc output read back; plus decompression by magic (gzip, zstd, plain, truncated).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#include <zstd.h>

#include "wyrcan/wyrcan.h"

struct buf {
    uint8_t d[1 << 16];
    size_t len;
};

static void put_oct(uint8_t *f, size_t width, uint64_t v)
{
    char tmp[32];
    snprintf(tmp, sizeof(tmp), "%0*llo", (int)width - 1, (unsigned long long)v);
    memcpy(f, tmp, width - 1);
}

/* Appends a ustar member (header + data padded to 512). */
static void add(struct buf *b, const char *name, char type, unsigned mode, const char *link,
                const void *data, size_t size)
{
    uint8_t *h = b->d + b->len;
    memset(h, 0, 512);
    memcpy(h, name, strlen(name));
    put_oct(h + 100, 8, mode);
    put_oct(h + 108, 8, 1000);
    put_oct(h + 116, 8, 100);
    put_oct(h + 124, 12, size);
    put_oct(h + 136, 12, 1234567890);
    h[156] = (uint8_t)type;
    if (link) memcpy(h + 157, link, strlen(link));
    memcpy(h + 257,
           "ustar\0"
           "00",
           8);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += h[i];
    char tmp[8];
    snprintf(tmp, sizeof(tmp), "%06o", sum);
    memcpy(h + 148, tmp, 7);
    b->len += 512;
    if (size) memcpy(b->d + b->len, data, size);
    b->len += (size + 511) / 512 * 512;
}

static void end(struct buf *b)
{
    memset(b->d + b->len, 0, 1024);
    b->len += 1024;
}

struct mem {
    struct wyrcan_stream s;
    const uint8_t *d;
    size_t len, pos;
};

static int mem_read(struct wyrcan_stream *s, void *buf, size_t size, size_t *got)
{
    struct mem *m = (struct mem *)s;
    size_t n = m->len - m->pos < size ? m->len - m->pos : size;
    memcpy(buf, m->d + m->pos, n);
    m->pos += n;
    *got = n;
    return 0;
}

static int apply(struct wyrcan_tree *t, struct buf *b)
{
    struct mem m = {{mem_read}, b->d, b->len, 0};
    return wyrcan_layer_apply(t, &m.s);
}

static bool exists(struct wyrcan_tree *t, const char *path)
{
    enum wyrcan_entry_type type;
    return wyrcan_tree_lookup(t, path, &type, NULL, NULL, NULL) == 0;
}

static struct buf g1, g2;

static void test_whiteouts(void **state)
{
    (void)state;
    struct wyrcan_tree *t;
    assert_int_equal(wyrcan_tree_new(1 << 20, &t), 0);
    struct buf *b = &g1;
    b->len = 0;
    add(b, "./etc/", '5', 0755, NULL, NULL, 0);
    add(b, "./etc/gone", '0', 0644, NULL, "x", 1);
    add(b, "./etc/kept", '0', 0644, NULL, "y", 1);
    add(b, "opq/", '5', 0700, NULL, NULL, 0);
    add(b, "opq/old", '0', 0644, NULL, "o", 1);
    add(b, "opq/d/", '5', 0755, NULL, NULL, 0);
    add(b, "opq/d/deep", '0', 0644, NULL, "o", 1);
    end(b);
    assert_int_equal(apply(t, b), 0);
    b = &g2;
    b->len = 0;
    add(b, "etc/.wh.gone", '0', 0644, NULL, NULL, 0);
    add(b, "opq/new", '0', 0644, NULL, "n", 1);
    add(b, "opq/.wh..wh..opq", '0', 0644, NULL, NULL, 0); /* after "new": must not hide it */
    add(b, "etc/fresh", '0', 0644, NULL, "f", 1);
    add(b, "etc/.wh.fresh", '0', 0644, NULL, NULL, 0); /* same layer: no effect */
    add(b, "etc/.wh.never-existed", '0', 0644, NULL, NULL, 0);
    add(b, "nodir/sub/.wh.x", '0', 0644, NULL, NULL, 0); /* must not create nodir */
    end(b);
    assert_int_equal(apply(t, b), 0);
    assert_false(exists(t, "etc/gone"));
    assert_true(exists(t, "etc/kept"));
    assert_true(exists(t, "etc/fresh"));
    assert_false(exists(t, "opq/old"));
    assert_false(exists(t, "opq/d"));
    assert_true(exists(t, "opq/new"));
    assert_false(exists(t, "etc/.wh.gone"));
    assert_false(exists(t, "opq/.wh..wh..opq"));
    assert_false(exists(t, "nodir"));
    wyrcan_tree_free(t);
}

static void test_escapes(void **state)
{
    (void)state;
    static const char *const bad[] = {"/etc/passwd", "../x", "a/../../x", "lnk/x", "file/x"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        struct wyrcan_tree *t;
        assert_int_equal(wyrcan_tree_new(1 << 20, &t), 0);
        struct buf *b = &g1;
        b->len = 0;
        add(b, "lnk", '2', 0777, "/etc", NULL, 0);
        add(b, "file", '0', 0644, NULL, "f", 1);
        add(b, bad[i], '0', 0644, NULL, "evil", 4);
        end(b);
        if (apply(t, b) == 0) fail_msg("accepted member %s", bad[i]);
        wyrcan_tree_free(t);
    }
    /* hard links to nothing, to a directory, through a symlink */
    static const char *const badlinks[] = {"missing", "dir", "lnk/passwd"};
    for (size_t i = 0; i < ARRAY_LEN(badlinks); i++) {
        struct wyrcan_tree *t;
        assert_int_equal(wyrcan_tree_new(1 << 20, &t), 0);
        struct buf *b = &g1;
        b->len = 0;
        add(b, "dir/", '5', 0755, NULL, NULL, 0);
        add(b, "lnk", '2', 0777, "dir", NULL, 0);
        add(b, "h", '1', 0644, badlinks[i], NULL, 0);
        end(b);
        if (apply(t, b) == 0) fail_msg("accepted hard link to %s", badlinks[i]);
        wyrcan_tree_free(t);
    }
}

static void test_budget(void **state)
{
    (void)state;
    struct wyrcan_tree *t;
    assert_int_equal(wyrcan_tree_new(4096, &t), 0);
    static uint8_t big[5000];
    struct buf *b = &g1;
    b->len = 0;
    add(b, "big", '0', 0644, NULL, big, sizeof(big));
    end(b);
    assert_int_equal(apply(t, b), -EFBIG);
    wyrcan_tree_free(t);
}

static void test_tar_strict(void **state)
{
    (void)state;
    struct wyrcan_tree *t;
    struct buf *b = &g1;
    /* a flipped bit breaks the checksum */
    assert_int_equal(wyrcan_tree_new(1 << 20, &t), 0);
    b->len = 0;
    add(b, "a", '0', 0644, NULL, "abc", 3);
    end(b);
    b->d[10] ^= 1;
    assert_int_equal(apply(t, b), -EBADMSG);
    wyrcan_tree_free(t);
    /* truncated data */
    assert_int_equal(wyrcan_tree_new(1 << 20, &t), 0);
    b->len = 0;
    add(b, "a", '0', 0644, NULL, "abcdefgh", 8);
    b->len = 512 + 4;
    assert_int_equal(apply(t, b), -EBADMSG);
    wyrcan_tree_free(t);
    /* a GNU long name and a pax path */
    assert_int_equal(wyrcan_tree_new(1 << 20, &t), 0);
    b->len = 0;
    char longname[300];
    memset(longname, 'n', sizeof(longname));
    longname[299] = '\0';
    add(b, "././@LongLink", 'L', 0644, NULL, longname, 300);
    add(b, "short", '0', 0644, NULL, "L", 1);
    static const char pax[] = "29 path=pax/dir/named-by-pax\n";
    add(b, "PaxHeader", 'x', 0644, NULL, pax, strlen(pax));
    add(b, "ignored", '0', 0644, NULL, "P", 1);
    end(b);
    assert_int_equal(apply(t, b), 0);
    assert_true(exists(t, longname));
    assert_true(exists(t, "pax/dir/named-by-pax"));
    assert_false(exists(t, "short"));
    assert_false(exists(t, "ignored"));
    wyrcan_tree_free(t);
    /* a pax record whose length lies */
    assert_int_equal(wyrcan_tree_new(1 << 20, &t), 0);
    b->len = 0;
    static const char badpax[] = "99 path=x\n";
    add(b, "PaxHeader", 'x', 0644, NULL, badpax, strlen(badpax));
    add(b, "y", '0', 0644, NULL, "P", 1);
    end(b);
    assert_int_equal(apply(t, b), -EINVAL);
    wyrcan_tree_free(t);
}

static int cat(void *ctx, const void *buf, size_t size)
{
    struct buf *b = ctx;
    if (size > sizeof(b->d) - b->len) return -ENOSPC;
    memcpy(b->d + b->len, buf, size);
    b->len += size;
    return 0;
}

/* Finds a cpio entry by name; *hdr points at its 13 fields. */
static const uint8_t *cpio_find(const struct buf *c, const char *name, unsigned f[13])
{
    size_t pos = 0;
    while (pos + 110 <= c->len) {
        assert_memory_equal(c->d + pos, "070701", 6);
        for (int i = 0; i < 13; i++) {
            char tmp[9];
            memcpy(tmp, c->d + pos + 6 + 8 * i, 8);
            tmp[8] = '\0';
            f[i] = (unsigned)strtoul(tmp, NULL, 16);
        }
        const char *n = (const char *)c->d + pos + 110;
        size_t data = (pos + 110 + f[11] + 3) & ~(size_t)3;
        if (!strcmp(n, name)) return c->d + data;
        if (!strcmp(n, "TRAILER!!!")) return NULL;
        pos = (data + f[6] + 3) & ~(size_t)3;
    }
    return NULL;
}

static struct buf g_cpio;

static void test_links_and_cpio(void **state)
{
    (void)state;
    struct wyrcan_tree *t;
    assert_int_equal(wyrcan_tree_new(1 << 20, &t), 0);
    struct buf *b = &g1;
    b->len = 0;
    add(b, "boot/", '5', 0755, NULL, NULL, 0);
    add(b, "boot/vmlinuz-1", '0', 0600, NULL, "KERNEL", 6);
    add(b, "boot/wyrcan.kernel", '2', 0777, "../boot/./vmlinuz", NULL, 0);
    add(b, "boot/vmlinuz", '2', 0777, "/boot/vmlinuz-1", NULL, 0);
    add(b, "loop", '2', 0777, "loop", NULL, 0);
    add(b, "bin/su", '0', 04755, NULL, "su", 2);
    add(b, "bin/su2", '1', 04755, "bin/su", NULL, 0);
    add(b, "dev/null", '3', 0666, NULL, NULL, 0);
    add(b, "dev/fifo", '6', 0600, NULL, NULL, 0);
    end(b);
    assert_int_equal(apply(t, b), 0);
    const uint8_t *data;
    size_t size;
    assert_int_equal(wyrcan_tree_resolve_file(t, "boot/wyrcan.kernel", &data, &size), 0);
    assert_int_equal(size, 6);
    assert_memory_equal(data, "KERNEL", 6);
    assert_int_equal(wyrcan_tree_resolve_file(t, "loop", &data, &size), -ELOOP);
    assert_int_equal(wyrcan_tree_resolve_file(t, "boot", &data, &size), -EISDIR);

    g_cpio.len = 0;
    assert_int_equal(wyrcan_cpio_write(t, false, cat, &g_cpio), 0);
    assert_int_equal(g_cpio.len % 4, 0);
    unsigned f1[13], f2[13], fd[13];
    const uint8_t *d1 = cpio_find(&g_cpio, "bin/su", f1);
    const uint8_t *d2 = cpio_find(&g_cpio, "bin/su2", f2);
    assert_non_null(d1);
    assert_non_null(d2);
    assert_int_equal(f1[0], f2[0]);     /* one inode */
    assert_int_equal(f1[4], 2);         /* nlink */
    assert_int_equal(f1[6] + f2[6], 2); /* the data once, on the last link */
    assert_int_equal(f2[6], 2);
    assert_memory_equal(d2, "su", 2);
    assert_int_equal(f1[1], 0104755);    /* setuid kept */
    assert_int_equal(f1[2], 1000);       /* uid */
    assert_int_equal(f1[5], 1234567890); /* mtime */
    assert_non_null(cpio_find(&g_cpio, "dev/null", fd));
    assert_int_equal(fd[1], 0020666);
    assert_non_null(cpio_find(&g_cpio, "dev/fifo", fd));
    assert_int_equal(fd[1], 0010600);
    const uint8_t *ld = cpio_find(&g_cpio, "boot/vmlinuz", fd);
    assert_int_equal(fd[1], 0120777);
    assert_int_equal(fd[6], strlen("/boot/vmlinuz-1"));
    assert_memory_equal(ld, "/boot/vmlinuz-1", fd[6]);
    assert_non_null(cpio_find(&g_cpio, "bin", fd)); /* implied parent made */
    assert_int_equal(fd[1], 0040755);
    assert_non_null(cpio_find(&g_cpio, "TRAILER!!!", fd));
    wyrcan_tree_free(t);
}

static int read_all(const uint8_t *in, size_t in_size, uint8_t *out, size_t cap, size_t *len)
{
    struct wyrcan_decomp *d;
    int r = wyrcan_decomp_new(in, in_size, &d);
    if (r) return r;
    struct wyrcan_stream *s = wyrcan_decomp_stream(d);
    *len = 0;
    for (;;) {
        size_t got;
        r = s->read(s, out + *len, cap - *len > 7 ? 7 : cap - *len, &got);
        if (r || got == 0) break;
        *len += got;
    }
    wyrcan_decomp_free(d);
    return r;
}

static void test_decomp(void **state)
{
    (void)state;
    static uint8_t plain[20000], packed[30000], out[20000];
    for (size_t i = 0; i < sizeof(plain); i++)
        plain[i] = (uint8_t)(i * 7 / 13);
    size_t len;
    /* gzip, two members */
    z_stream z = {0};
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = plain;
    z.avail_in = 10000;
    z.next_out = packed;
    z.avail_out = sizeof(packed);
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t first = z.total_out;
    deflateReset(&z);
    z.next_in = plain + 10000;
    z.avail_in = 10000;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t gz = first + z.total_out;
    deflateEnd(&z);
    assert_int_equal(read_all(packed, gz, out, sizeof(out), &len), 0);
    assert_int_equal(len, sizeof(plain));
    assert_memory_equal(out, plain, sizeof(plain));
    assert_int_equal(read_all(packed, gz - 10, out, sizeof(out), &len), -EBADMSG);
    /* zstd */
    size_t zs = ZSTD_compress(packed, sizeof(packed), plain, sizeof(plain), 3);
    assert_false(ZSTD_isError(zs));
    assert_int_equal(read_all(packed, zs, out, sizeof(out), &len), 0);
    assert_int_equal(len, sizeof(plain));
    assert_memory_equal(out, plain, sizeof(plain));
    assert_int_equal(read_all(packed, zs - 5, out, sizeof(out), &len), -EBADMSG);
    /* plain */
    assert_int_equal(read_all(plain, 100, out, sizeof(out), &len), 0);
    assert_int_equal(len, 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whiteouts),      cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_budget),         cmocka_unit_test(test_tar_strict),
        cmocka_unit_test(test_links_and_cpio), cmocka_unit_test(test_decomp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
