/* SPDX-License-Identifier: Apache-2.0 */
/*
 * manifest.c - OCI and Docker v2 manifests and indexes, as JSON from a registry.
 *
 * The kind is decided by the document's mediaType (or, when it has none, the HTTP Content-Type;
 * when both are present they must agree), never guessed from the shape, so a registry cannot
 * make an index pass as a manifest. Schema 1 and unknown types are refused. Each descriptor is
 * checked (a media type of bounded length, a valid digest, a non-negative integer size) before
 * it is used; layer media types must be ones we can unpack (tar, gzip, zstd; OCI and Docker
 * spellings). The platform of an index is matched on os/architecture[/variant].
 */
#include "wyrcan.h"

#include <errno.h>
#include <string.h>

#include <jansson.h>

#define MANIFEST_MAX_SIZE (4u << 20)

const char *const wyrcan_manifest_accept =
    "application/vnd.oci.image.index.v1+json, "
    "application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.docker.distribution.manifest.v2+json";

static const struct {
    const char *type;
    enum wyrcan_media_kind kind;
} kinds[] = {
    {"application/vnd.oci.image.index.v1+json", WYRCAN_MEDIA_INDEX},
    {"application/vnd.docker.distribution.manifest.list.v2+json", WYRCAN_MEDIA_INDEX},
    {"application/vnd.oci.image.manifest.v1+json", WYRCAN_MEDIA_MANIFEST},
    {"application/vnd.docker.distribution.manifest.v2+json", WYRCAN_MEDIA_MANIFEST},
};

static const char *const layer_types[] = {
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
};

static int kind_of(const char *type, size_t len, enum wyrcan_media_kind *out)
{
    for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
        if (strlen(kinds[i].type) == len && !memcmp(kinds[i].type, type, len)) {
            *out = kinds[i].kind;
            return 0;
        }
    return -ENOTSUP;
}

static int descriptor_parse(json_t *o, struct wyrcan_descriptor *d)
{
    if (!json_is_object(o)) return -EINVAL;
    json_t *mt = json_object_get(o, "mediaType");
    json_t *dg = json_object_get(o, "digest");
    json_t *sz = json_object_get(o, "size");
    if (!json_is_string(mt) || !json_is_string(dg) || !json_is_integer(sz)) return -EINVAL;
    const char *m = json_string_value(mt);
    size_t ml = json_string_length(mt);
    if (ml == 0 || ml >= sizeof(d->media_type) || strlen(m) != ml) return -EINVAL;
    const char *g = json_string_value(dg);
    if (strlen(g) != json_string_length(dg) || wyrcan_digest_check(g, NULL)) return -EINVAL;
    json_int_t size = json_integer_value(sz);
    if (size < 0) return -EINVAL;
    memcpy(d->media_type, m, ml + 1);
    strcpy(d->digest, g);
    d->size = (uint64_t)size;
    return 0;
}

static bool layer_type_ok(const char *t)
{
    for (size_t i = 0; i < ARRAY_LEN(layer_types); i++)
        if (!strcmp(t, layer_types[i])) return true;
    return false;
}

static int parse_manifest(json_t *root, struct wyrcan_manifest *out)
{
    if (descriptor_parse(json_object_get(root, "config"), &out->target)) {
        log_error("manifest: config descriptor missing or malformed");
        return -EINVAL;
    }
    json_t *layers = json_object_get(root, "layers");
    if (!json_is_array(layers)) {
        log_error("manifest: \"layers\" is not an array");
        return -EINVAL;
    }
    size_t n = json_array_size(layers);
    if (n > WYRCAN_MAX_LAYERS) {
        log_error("manifest: %zu layers, at most %d supported", n, WYRCAN_MAX_LAYERS);
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        struct wyrcan_descriptor *d = &out->layers[i];
        if (descriptor_parse(json_array_get(layers, i), d)) {
            log_error("manifest: layer %zu: descriptor malformed", i);
            return -EINVAL;
        }
        if (!layer_type_ok(d->media_type)) {
            log_error("manifest: layer %zu: media type \"%s\" cannot be unpacked", i,
                      d->media_type);
            return -ENOTSUP;
        }
    }
    out->layer_count = n;
    return 0;
}

static bool str_field_is(json_t *o, const char *key, const char *want, size_t want_len)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v)) return want_len == 0;
    return json_string_length(v) == want_len && !memcmp(json_string_value(v), want, want_len);
}

static int parse_index(json_t *root, const char *platform, struct wyrcan_manifest *out)
{
    const char *slash1 = strchr(platform, '/');
    if (!slash1) return -EINVAL;
    const char *slash2 = strchr(slash1 + 1, '/');
    size_t os_len = (size_t)(slash1 - platform);
    size_t arch_len = slash2 ? (size_t)(slash2 - slash1 - 1) : strlen(slash1 + 1);
    const char *variant = slash2 ? slash2 + 1 : NULL;

    json_t *mans = json_object_get(root, "manifests");
    if (!json_is_array(mans)) {
        log_error("index: \"manifests\" is not an array");
        return -EINVAL;
    }
    for (size_t i = 0; i < json_array_size(mans); i++) {
        json_t *m = json_array_get(mans, i);
        struct wyrcan_descriptor d;
        if (descriptor_parse(m, &d)) {
            log_error("index: entry %zu: descriptor malformed", i);
            return -EINVAL;
        }
        json_t *p = json_object_get(m, "platform");
        if (!json_is_object(p)) continue;
        if (!str_field_is(p, "os", platform, os_len) ||
            !str_field_is(p, "architecture", slash1 + 1, arch_len))
            continue;
        if (variant && !str_field_is(p, "variant", variant, strlen(variant))) continue;
        enum wyrcan_media_kind k;
        if (kind_of(d.media_type, strlen(d.media_type), &k) || k != WYRCAN_MEDIA_MANIFEST) continue;
        out->target = d;
        return 0;
    }
    log_error("index: no manifest for platform %s", platform);
    return -ENOENT;
}

int wyrcan_manifest_parse(const uint8_t *data, size_t size, const char *content_type,
                          const char *platform, struct wyrcan_manifest *out)
{
    memset(out, 0, sizeof(*out));
    if (!platform) platform = "linux/amd64";
    if (size > MANIFEST_MAX_SIZE) return -EFBIG;
    json_error_t jerr;
    json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        log_error("manifest: not JSON: %s at line %d column %d", jerr.text, jerr.line, jerr.column);
        return -EINVAL;
    }
    int ret = -EINVAL;
    if (!json_is_object(root)) goto out;
    json_t *sv = json_object_get(root, "schemaVersion");
    if (!json_is_integer(sv) || json_integer_value(sv) != 2) {
        log_error("manifest: schemaVersion is not 2 (schema 1 manifests are not supported)");
        ret = -ENOTSUP;
        goto out;
    }
    enum wyrcan_media_kind doc_kind = 0, http_kind = 0;
    json_t *mt = json_object_get(root, "mediaType");
    if (mt) {
        if (!json_is_string(mt) ||
            kind_of(json_string_value(mt), json_string_length(mt), &doc_kind)) {
            log_error("manifest: mediaType unknown");
            ret = -ENOTSUP;
            goto out;
        }
    }
    if (content_type && content_type[0]) {
        size_t cl = strcspn(content_type, "; \t");
        if (kind_of(content_type, cl, &http_kind) && !doc_kind) {
            log_error("manifest: Content-Type \"%.100s\" is not a manifest type", content_type);
            ret = -ENOTSUP;
            goto out;
        }
    }
    if (doc_kind && http_kind && doc_kind != http_kind) {
        log_error("manifest: Content-Type and mediaType disagree");
        goto out;
    }
    out->kind = doc_kind ? doc_kind : http_kind;
    if (!out->kind) {
        log_error("manifest: neither mediaType nor Content-Type says what it is");
        ret = -ENOTSUP;
        goto out;
    }
    ret = out->kind == WYRCAN_MEDIA_INDEX ? parse_index(root, platform, out)
                                          : parse_manifest(root, out);
out:
    json_decref(root);
    return ret;
}
