/* SPDX-License-Identifier: Apache-2.0 */
/* test_ref.c - image references: Docker Hub defaults, hosts and ports, tags, digests, and
 * refusal of everything the grammar does not allow (it ends up in URLs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "wyrcan/wyrcan.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_defaults(void **state)
{
    (void)state;
    struct wyrcan_ref r;
    assert_int_equal(wyrcan_ref_parse("busybox", &r), 0);
    assert_string_equal(r.registry, "registry-1.docker.io");
    assert_string_equal(r.name, "library/busybox");
    assert_string_equal(r.tag, "latest");
    assert_string_equal(wyrcan_ref_target(&r), "latest");
    assert_int_equal(wyrcan_ref_parse("user/img:1.2-rc_3", &r), 0);
    assert_string_equal(r.name, "user/img");
    assert_string_equal(r.tag, "1.2-rc_3");
}

static void test_hosts(void **state)
{
    (void)state;
    struct wyrcan_ref r;
    assert_int_equal(wyrcan_ref_parse("127.0.0.1:5000/a/b-c__d.e:v1", &r), 0);
    assert_string_equal(r.registry, "127.0.0.1:5000");
    assert_string_equal(r.name, "a/b-c__d.e");
    assert_string_equal(r.tag, "v1");
    assert_int_equal(wyrcan_ref_parse("localhost/x", &r), 0);
    assert_string_equal(r.registry, "localhost");
    assert_string_equal(r.name, "x");
    assert_int_equal(wyrcan_ref_parse("quay.io/fedora/fedora@sha256:" D64, &r), 0);
    assert_string_equal(r.registry, "quay.io");
    assert_string_equal(r.tag, "");
    assert_string_equal(wyrcan_ref_target(&r), "sha256:" D64);
    assert_int_equal(wyrcan_ref_parse("quay.io/f:t@sha256:" D64, &r), 0);
    assert_string_equal(r.tag, "t");
    assert_string_equal(wyrcan_ref_target(&r), "sha256:" D64);
}

static void test_refused(void **state)
{
    (void)state;
    struct wyrcan_ref r;
    static const char *const bad[] = {
        "",
        "UPPER",
        "a//b",
        "a/",
        "/a",
        "a/../b",
        "a/.b",
        "a_-b",
        "a:",
        "a:-x",
        "a:t@sha256:12",
        ("a@sha256:" D64 "0"),
        "a@md5:0123",
        ("a@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"),
        "h.io:0/a",
        "h.io:65536/a",
        "h.io:x/a",
        "h.io/a?b",
        "h.io/a b",
        "h.io/a#b",
        "a:t/b",
        "h_x.io/a",
        ":5000/a",
        "a:t:u",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        if (wyrcan_ref_parse(bad[i], &r) != -EINVAL) fail_msg("accepted \"%s\"", bad[i]);
    }
}

static void test_digest(void **state)
{
    (void)state;
    enum wyrcan_digest_algo a;
    assert_int_equal(wyrcan_digest_check("sha256:" D64, &a), 0);
    assert_int_equal(a, WYRCAN_SHA256);
    assert_int_equal(wyrcan_digest_check("sha512:" D64 D64, &a), 0);
    assert_int_equal(a, WYRCAN_SHA512);
    assert_int_equal(wyrcan_digest_check("sha512:" D64, NULL), -EINVAL);
    assert_int_equal(wyrcan_digest_check("sha256:" D64 "/", NULL), -EINVAL);
    char d[72];
    wyrcan_digest_sha256("abc", 3, d);
    assert_string_equal(d,
                        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    struct wyrcan_hasher *h;
    assert_int_equal(wyrcan_hasher_new(d, &h), 0);
    wyrcan_hasher_update(h, "ab", 2);
    wyrcan_hasher_update(h, "c", 1);
    assert_int_equal(wyrcan_hasher_finish(h), 0);
    assert_int_equal(wyrcan_hasher_new(d, &h), 0);
    wyrcan_hasher_update(h, "abd", 3);
    assert_int_equal(wyrcan_hasher_finish(h), -EBADMSG);
}

int main(void)
{
    log_set_level(LOG_ERROR + 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_hosts),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_digest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
