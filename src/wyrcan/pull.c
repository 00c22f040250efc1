/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pull.c - an image from a registry to memory: reference -> manifest (through an index when
 * the registry serves one, choosing the platform) -> each layer verified, decompressed and
 * applied to the tree in order -> the kernel (the file /boot/wyrcan.kernel resolves to, inside
 * the image) and the command line (/boot/wyrcan.cmdline's content, if any).
 *
 * Peak memory is the unpacked tree plus one compressed layer at a time (plus the kernel's
 * copy); the tree's byte budget (opts->max_bytes) bounds it, and a layer's declared size must
 * fit the same budget before a byte of it is fetched.
 */
#include "wyrcan.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KERNEL_LINK "boot/wyrcan.kernel"
#define CMDLINE_LINK "boot/wyrcan.cmdline"
#define CMDLINE_MAX 4096

static int get_manifest(struct wyrcan_registry *reg, const char *target, const char *platform,
                        struct wyrcan_manifest *m)
{
    uint8_t *body;
    size_t size;
    char ctype[256];
    int r = wyrcan_registry_manifest(reg, target, &body, &size, ctype, sizeof(ctype));
    if (r) return r;
    r = wyrcan_manifest_parse(body, size, ctype, platform, m);
    free(body);
    return r;
}

static int apply_layer(struct wyrcan_registry *reg, struct wyrcan_tree *tree,
                       const struct wyrcan_descriptor *d, size_t i, size_t n, bool progress)
{
    uint8_t *blob;
    size_t size;
    if (progress)
        fprintf(stderr, "wyrcan: layer %zu/%zu %s (%llu bytes)\n", i + 1, n, d->digest,
                (unsigned long long)d->size);
    int r = wyrcan_registry_blob(reg, d, &blob, &size);
    if (r) return r;
    struct wyrcan_decomp *dc;
    r = wyrcan_decomp_new(blob, size, &dc);
    if (!r) {
        r = wyrcan_layer_apply(tree, wyrcan_decomp_stream(dc));
        if (r)
            log_error("layer %zu (%s, %s) could not be unpacked", i + 1, d->digest,
                      wyrcan_decomp_name(dc));
        wyrcan_decomp_free(dc);
    }
    free(blob);
    return r;
}

static int take_cmdline(struct wyrcan_tree *t, char **out)
{
    const uint8_t *data;
    size_t size;
    int r = wyrcan_tree_resolve_file(t, CMDLINE_LINK, &data, &size);
    if (r == -ENOENT)
        size = 0;
    else if (r)
        return r;
    if (size > CMDLINE_MAX) {
        log_error("image: /%s is over %d bytes", CMDLINE_LINK, CMDLINE_MAX);
        return -EFBIG;
    }
    while (size && isspace(data[size - 1]))
        size--;
    for (size_t i = 0; i < size; i++)
        if (data[i] < 0x20 || data[i] == 0x7f) {
            if (data[i] == '\n' || data[i] == '\t') continue;
            log_error("image: /%s holds control characters", CMDLINE_LINK);
            return -EINVAL;
        }
    char *s = malloc(size + 1);
    if (!s) return -ENOMEM;
    for (size_t i = 0; i < size; i++)
        s[i] = data[i] == '\n' || data[i] == '\t' ? ' ' : (char)data[i];
    s[size] = '\0';
    *out = s;
    return 0;
}

static int take_kernel(struct wyrcan_tree *t, struct wyrcan_image *img)
{
    enum wyrcan_entry_type type;
    const char *link;
    if (wyrcan_tree_lookup(t, KERNEL_LINK, &type, NULL, NULL, &link) || type != WYRCAN_SYMLINK) {
        log_error("image has no /%s symlink naming its kernel", KERNEL_LINK);
        return -ENOENT;
    }
    const uint8_t *data;
    size_t size;
    int r = wyrcan_tree_resolve_file(t, KERNEL_LINK, &data, &size);
    if (r) {
        log_error("image: /%s -> %s does not lead to a file (%s)", KERNEL_LINK, link, strerror(-r));
        return r;
    }
    img->kernel = malloc(size ? size : 1);
    if (!img->kernel) return -ENOMEM;
    memcpy(img->kernel, data, size);
    img->kernel_size = size;
    return 0;
}

int wyrcan_pull(const char *refstr, const struct wyrcan_pull_opts *opts, struct wyrcan_image *out)
{
    memset(out, 0, sizeof(*out));
    struct wyrcan_ref ref;
    int r = wyrcan_ref_parse(refstr, &ref);
    if (r) return r;
    struct wyrcan_registry *reg;
    r = wyrcan_registry_new(&ref, opts, &reg);
    if (r) return r;
    struct wyrcan_manifest *m = malloc(sizeof(*m));
    if (!m) {
        r = -ENOMEM;
        goto out;
    }
    r = get_manifest(reg, wyrcan_ref_target(&ref), opts->platform, m);
    if (!r && m->kind == WYRCAN_MEDIA_INDEX) {
        char digest[WYRCAN_DIGEST_MAX];
        strcpy(digest, m->target.digest);
        if (opts->progress)
            fprintf(stderr, "wyrcan: index: %s is %s\n",
                    opts->platform ? opts->platform : "linux/amd64", digest);
        r = get_manifest(reg, digest, opts->platform, m);
        if (!r && m->kind != WYRCAN_MEDIA_MANIFEST) {
            log_error("index entry %s is not an image manifest", digest);
            r = -EINVAL;
        }
    }
    if (r) goto out;
    r = wyrcan_tree_new(opts->max_bytes, &out->tree);
    for (size_t i = 0; !r && i < m->layer_count; i++)
        r = apply_layer(reg, out->tree, &m->layers[i], i, m->layer_count, opts->progress);
    if (!r) r = take_kernel(out->tree, out);
    if (!r) r = take_cmdline(out->tree, &out->cmdline);
out:
    free(m);
    wyrcan_registry_free(reg);
    if (r) wyrcan_image_free(out);
    return r;
}

void wyrcan_image_free(struct wyrcan_image *img)
{
    wyrcan_tree_free(img->tree);
    free(img->kernel);
    free(img->cmdline);
    memset(img, 0, sizeof(*img));
}
