/* SPDX-License-Identifier: Apache-2.0 */
/* hex.c - hexadecimal digits and strings, either case, strictly (no prefixes, no spaces). */
#include "util.h"

#include <errno.h>

int util_hex_digit(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int util_hex_decode(const char *s, size_t len, uint8_t *out)
{
    if (len % 2) return -EINVAL;
    for (size_t i = 0; i < len / 2; i++) {
        int hi = util_hex_digit((unsigned char)s[2 * i]);
        int lo = util_hex_digit((unsigned char)s[2 * i + 1]);
        if (hi < 0 || lo < 0) return -EINVAL;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}
