/* SPDX-License-Identifier: Apache-2.0 */
/* test_manifest.c - manifests and indexes: OCI and Docker spellings, platform selection,
 * schema 1 and unknown types refused, Content-Type/mediaType disagreement, bad descriptors;
 * and the parts of authentication that parse outside input (challenge, credentials, token). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "wyrcan/wyrcan.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"
#define OCI_M "application/vnd.oci.image.manifest.v1+json"
#define OCI_I "application/vnd.oci.image.index.v1+json"

static int parse(const char *json, const char *ctype, const char *platform,
                 struct wyrcan_manifest *m)
{
    return wyrcan_manifest_parse((const uint8_t *)json, strlen(json), ctype, platform, m);
}

static const char manifest[] =
    "{\"schemaVersion\":2,\"mediaType\":\"" OCI_M "\","
    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" D1
    "\",\"size\":10},"
    "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\",\"digest\":\"" D2
    "\",\"size\":20},{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\","
    "\"digest\":\"" D3 "\",\"size\":0}]}";

static void test_manifest(void **state)
{
    (void)state;
    struct wyrcan_manifest m;
    assert_int_equal(parse(manifest, OCI_M "; charset=utf-8", NULL, &m), 0);
    assert_int_equal(m.kind, WYRCAN_MEDIA_MANIFEST);
    assert_string_equal(m.target.digest, D1);
    assert_int_equal(m.layer_count, 2);
    assert_string_equal(m.layers[0].digest, D2);
    assert_int_equal(m.layers[0].size, 20);
    /* the document says manifest, the server says index: refused */
    assert_int_equal(parse(manifest, OCI_I, NULL, &m), -EINVAL);
    /* Docker v2 without mediaType in the body: the Content-Type decides */
    static const char docker[] =
        "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D1 "\",\"size\":1},"
        "\"layers\":[]}";
    assert_int_equal(
        parse(docker, "application/vnd.docker.distribution.manifest.v2+json", NULL, &m), 0);
    assert_int_equal(m.kind, WYRCAN_MEDIA_MANIFEST);
    assert_int_equal(parse(docker, "application/json", NULL, &m), -ENOTSUP);
    assert_int_equal(parse(docker, NULL, NULL, &m), -ENOTSUP);
}

static void test_refused(void **state)
{
    (void)state;
    struct wyrcan_manifest m;
    static const char *const bad[] = {
        "{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[]}",
        "[]",
        "{\"schemaVersion\":2,\"mediaType\":\"text/plain\"}",
        "{\"schemaVersion\":2,\"mediaType\":\"" OCI_M "\",\"layers\":[]}",
        "{\"schemaVersion\":2,\"mediaType\":\"" OCI_M "\",\"config\":{\"mediaType\":\"x\","
        "\"digest\":\"sha256:12\",\"size\":1},\"layers\":[]}",
        "{\"schemaVersion\":2,\"mediaType\":\"" OCI_M "\",\"config\":{\"mediaType\":\"x\","
        "\"digest\":\"" D1 "\",\"size\":-1},\"layers\":[]}",
        "{\"schemaVersion\":2,\"mediaType\":\"" OCI_M "\",\"config\":{\"mediaType\":\"x\","
        "\"digest\":\"" D1 "\",\"size\":1},\"layers\":[{\"mediaType\":\"application/x-squashfs\","
        "\"digest\":\"" D2 "\",\"size\":1}]}",
        "{\"schemaVersion\":2,\"schemaVersion\":2}",
        "{\"schemaVersion\":2",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        if (parse(bad[i], NULL, NULL, &m) == 0) fail_msg("accepted %s", bad[i]);
}

static const char idx[] =
    "{\"schemaVersion\":2,\"mediaType\":\"" OCI_I "\",\"manifests\":["
    "{\"mediaType\":\"" OCI_M "\",\"digest\":\"" D1 "\",\"size\":1,"
    "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}},"
    "{\"mediaType\":\"" OCI_M "\",\"digest\":\"" D3 "\",\"size\":1},"
    "{\"mediaType\":\"" OCI_M "\",\"digest\":\"" D2 "\",\"size\":3,"
    "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";

static void test_index(void **state)
{
    (void)state;
    struct wyrcan_manifest m;
    assert_int_equal(parse(idx, OCI_I, NULL, &m), 0);
    assert_int_equal(m.kind, WYRCAN_MEDIA_INDEX);
    assert_string_equal(m.target.digest, D2);
    assert_int_equal(parse(idx, NULL, "linux/arm64", &m), 0);
    assert_string_equal(m.target.digest, D1);
    assert_int_equal(parse(idx, NULL, "linux/arm64/v8", &m), 0);
    assert_string_equal(m.target.digest, D1);
    assert_int_equal(parse(idx, NULL, "linux/arm64/v7", &m), -ENOENT);
    assert_int_equal(parse(idx, NULL, "linux/amd", &m), -ENOENT);
    assert_int_equal(parse(idx, NULL, "windows/amd64", &m), -ENOENT);
}

static void test_challenge(void **state)
{
    (void)state;
    struct wyrcan_challenge c;
    assert_int_equal(wyrcan_challenge_parse("Bearer realm=\"https://auth.docker.io/token\","
                                            "service=\"registry.docker.io\",scope=\"repository:"
                                            "library/busybox:pull\"",
                                            &c),
                     0);
    assert_true(c.bearer);
    assert_string_equal(c.realm, "https://auth.docker.io/token");
    assert_string_equal(c.service, "registry.docker.io");
    assert_string_equal(c.scope, "repository:library/busybox:pull");
    assert_int_equal(
        wyrcan_challenge_parse("bearer  realm = \"a\\\"b\" , error=insufficient_scope", &c), 0);
    assert_string_equal(c.realm, "a\"b");
    assert_int_equal(wyrcan_challenge_parse("Basic realm=\"Registry Realm\"", &c), 0);
    assert_false(c.bearer);
    assert_int_equal(wyrcan_challenge_parse("Negotiate", &c), -ENOTSUP);
    static const char *const bad[] = {
        "",
        "Bearer",
        "Bearer realm=",
        "Bearer realm=\"x",
        "Bearer realm=\"a\" service=\"b\"",
        "Bearer realm=\"a\",realm=\"b\"",
        "Bearer realm=\"a\x01\"",
        "Bearer =x, realm=\"a\"",
        "Bearer service=\"x\"",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        if (wyrcan_challenge_parse(bad[i], &c) == 0) fail_msg("accepted %s", bad[i]);
}

static void test_credentials(void **state)
{
    (void)state;
    char out[128];
    static const char cfg[] = "{\"auths\":{\"r.io\":{\"auth\":\"dXNlcjpzZWNyZXQ=\"},"
                              "\"https://index.docker.io/v1/\":{\"auth\":\"aHViOmh1Yg==\"},"
                              "\"bad.io\":{\"auth\":\"not base64!\"}}}";
    const uint8_t *c = (const uint8_t *)cfg;
    assert_int_equal(wyrcan_auth_lookup(c, strlen(cfg), "r.io", out, sizeof(out)), 0);
    assert_string_equal(out, "dXNlcjpzZWNyZXQ=");
    assert_int_equal(wyrcan_auth_lookup(c, strlen(cfg), WYRCAN_DOCKER_HUB, out, sizeof(out)), 0);
    assert_string_equal(out, "aHViOmh1Yg==");
    assert_int_equal(wyrcan_auth_lookup(c, strlen(cfg), "other.io", out, sizeof(out)), -ENOENT);
    assert_int_equal(wyrcan_auth_lookup(c, strlen(cfg), "bad.io", out, sizeof(out)), -EINVAL);
    assert_int_equal(wyrcan_auth_lookup((const uint8_t *)"[", 1, "r.io", out, sizeof(out)),
                     -EINVAL);

    static const char t1[] = "{\"token\":\"abc.def\",\"expires_in\":300}";
    static const char t2[] = "{\"access_token\":\"xyz\"}";
    static const char t3[] = "{\"token\":\"a\\r\\nInjected: yes\"}";
    assert_int_equal(wyrcan_token_parse((const uint8_t *)t1, strlen(t1), out, sizeof(out)), 0);
    assert_string_equal(out, "abc.def");
    assert_int_equal(wyrcan_token_parse((const uint8_t *)t2, strlen(t2), out, sizeof(out)), 0);
    assert_string_equal(out, "xyz");
    assert_int_equal(wyrcan_token_parse((const uint8_t *)t3, strlen(t3), out, sizeof(out)),
                     -EINVAL);
}

int main(void)
{
    log_set_level(LOG_ERROR + 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest),    cmocka_unit_test(test_refused),
        cmocka_unit_test(test_index),       cmocka_unit_test(test_challenge),
        cmocka_unit_test(test_credentials),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
