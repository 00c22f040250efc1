/* SPDX-License-Identifier: Apache-2.0 */
/* test_bootargs.c - the kernel command line `wyrcan boot` reads, and dracut's ip=. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "wyrcan/wyrcan.h"

static void test_cmdline(void **state)
{
    (void)state;
    struct wyrcan_bootargs a;
    assert_int_equal(wyrcan_bootargs_parse("console=ttyS0 wyrcan.img=10.0.2.2:5000/os:1 "
                                           "wyrcan.arg=console=ttyS0 \"wyrcan.arg=a b\" quiet "
                                           "wyrcan.insecure-http wyrcan.platform=linux/amd64\n",
                                           &a),
                     0);
    assert_string_equal(a.img, "10.0.2.2:5000/os:1");
    assert_string_equal(a.args, "console=ttyS0 a b");
    assert_true(a.insecure_http);
    assert_string_equal(a.platform, "linux/amd64");
    assert_true(a.ip.dhcp);
    assert_int_equal(wyrcan_bootargs_parse("quiet", &a), 0);
    assert_string_equal(a.img, "");
    assert_false(a.insecure_http);
    assert_int_equal(wyrcan_bootargs_parse("wyrcan.arg=\"unterminated", &a), -EINVAL);
}

static void test_ip(void **state)
{
    (void)state;
    struct wyrcan_ipconf c;
    assert_int_equal(wyrcan_ipconf_parse("dhcp", &c), 0);
    assert_true(c.dhcp);
    assert_int_equal(wyrcan_ipconf_parse("eth1:dhcp", &c), 0);
    assert_true(c.dhcp);
    assert_string_equal(c.iface, "eth1");
    assert_int_equal(
        wyrcan_ipconf_parse("10.0.2.15::10.0.2.2:255.255.255.0:host:eth0:none:10.0.2.3", &c), 0);
    assert_false(c.dhcp);
    assert_string_equal(c.addr, "10.0.2.15");
    assert_string_equal(c.gateway, "10.0.2.2");
    assert_string_equal(c.netmask, "255.255.255.0");
    assert_string_equal(c.iface, "eth0");
    assert_string_equal(c.dns, "10.0.2.3");
    assert_int_equal(wyrcan_ipconf_parse("10.0.2.15:::255.255.255.0::eth0:off", &c), 0);
    assert_string_equal(c.gateway, "");
    static const char *const bad[] = {
        "",
        "static",
        "10.0.2.15",
        "10.0.2.300::10.0.2.2:255.255.255.0::eth0:none",
        "10.0.2.15::10.0.2.2:255.255.255.0::eth0:bogus",
        "eth0:static",
        "1:2:3:4:5:6:7:8:9:10",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        if (wyrcan_ipconf_parse(bad[i], &c) == 0) fail_msg("accepted ip=%s", bad[i]);
    struct wyrcan_bootargs a;
    assert_int_equal(wyrcan_bootargs_parse("ip=bogus", &a), -EINVAL);
}

int main(void)
{
    log_set_level(LOG_ERROR + 0);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_cmdline), cmocka_unit_test(test_ip)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
