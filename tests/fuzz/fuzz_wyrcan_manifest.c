/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_wyrcan_manifest.c - libFuzzer target for what a registry's manifest endpoint returns:
 * wyrcan_manifest_parse on arbitrary bytes, as a manifest and as an index for two platforms,
 * with and without a Content-Type. An accepted document must have a valid kind, valid digests
 * and at most WYRCAN_MAX_LAYERS layers. The first byte picks the Content-Type.
 *
 * Corpus: tests/fuzz/corpus/wyrcan_manifest/ (OCI and Docker manifests and indexes, schema 1,
 * duplicated keys, bad digests).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wyrcan/wyrcan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) __builtin_trap();                                                             \
    } while (0)

static const char *const ctypes[] = {
    NULL,
    "",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json; charset=utf-8",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/json",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct wyrcan_manifest m;
    log_set_level(LOG_ERROR);
    if (size < 1) return 0;
    const char *ct = ctypes[data[0] % ARRAY_LEN(ctypes)];
    static const char *const plats[] = {NULL, "linux/arm64/v8"};
    for (size_t p = 0; p < ARRAY_LEN(plats); p++) {
        if (wyrcan_manifest_parse(data + 1, size - 1, ct, plats[p], &m)) continue;
        CHECK(m.kind == WYRCAN_MEDIA_INDEX || m.kind == WYRCAN_MEDIA_MANIFEST);
        CHECK(wyrcan_digest_check(m.target.digest, NULL) == 0);
        CHECK(m.layer_count <= WYRCAN_MAX_LAYERS);
        for (size_t i = 0; i < m.layer_count; i++)
            CHECK(wyrcan_digest_check(m.layers[i].digest, NULL) == 0);
    }
    return 0;
}
