/* SPDX-License-Identifier: Apache-2.0 */
/* test_hex.c - util_hex_digit and util_hex_decode: both cases, strictness, odd lengths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>

#include "util/util.h"

static void test_digit(void **state)
{
    (void)state;
    assert_int_equal(util_hex_digit('0'), 0);
    assert_int_equal(util_hex_digit('9'), 9);
    assert_int_equal(util_hex_digit('a'), 10);
    assert_int_equal(util_hex_digit('F'), 15);
    assert_int_equal(util_hex_digit('g'), -1);
    assert_int_equal(util_hex_digit('x'), -1);
    assert_int_equal(util_hex_digit(' '), -1);
    assert_int_equal(util_hex_digit(0), -1);
    assert_int_equal(util_hex_digit(-1), -1);
}

static void test_decode(void **state)
{
    (void)state;
    uint8_t out[4] = {0};
    assert_int_equal(util_hex_decode("00fFa5C3", 8, out), 0);
    assert_int_equal(out[0], 0x00);
    assert_int_equal(out[1], 0xff);
    assert_int_equal(out[2], 0xa5);
    assert_int_equal(out[3], 0xc3);
    assert_int_equal(util_hex_decode("abc", 3, out), -EINVAL);  /* odd */
    assert_int_equal(util_hex_decode("0x12", 4, out), -EINVAL); /* no prefixes */
    assert_int_equal(util_hex_decode("1 23", 4, out), -EINVAL); /* no spaces */
    assert_int_equal(util_hex_decode("12\0"
                                     "34",
                                     5, out),
                     -EINVAL); /* odd, and a NUL */
    assert_int_equal(util_hex_decode("", 0, out), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_digit), cmocka_unit_test(test_decode)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
