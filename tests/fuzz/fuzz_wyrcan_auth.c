/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_wyrcan_auth.c - libFuzzer target for the small parsers of outside strings: the
 * WWW-Authenticate challenge, the token reply, the docker credentials file, image references
 * and the kernel command line. The first byte picks the parser; the rest, NUL-terminated, is
 * its input. Accepted values must satisfy the parser's promises (a bearer challenge has a
 * realm; a reference's fields are within the grammar's bounds; a token has no control
 * characters).
 *
 * Corpus: tests/fuzz/corpus/wyrcan_auth/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wyrcan/wyrcan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) __builtin_trap();                                                             \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    log_set_level(LOG_ERROR);
    if (size < 1 || size > 70000) return 0;
    char *s = malloc(size);
    if (!s) return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    const uint8_t *rest = data + 1;
    switch (data[0] % 5) {
    case 0: {
        static struct wyrcan_challenge c;
        if (wyrcan_challenge_parse(s, &c) == 0 && c.bearer) CHECK(c.realm[0]);
        break;
    }
    case 1: {
        char tok[256];
        if (wyrcan_token_parse(rest, size - 1, tok, sizeof(tok)) == 0)
            for (size_t i = 0; tok[i]; i++)
                CHECK(tok[i] > 0x20 && tok[i] < 0x7f);
        break;
    }
    case 2: {
        char auth[256];
        if (wyrcan_auth_lookup(rest, size - 1, "r.io", auth, sizeof(auth)) == 0)
            CHECK(strlen(auth) % 4 == 0);
        break;
    }
    case 3: {
        static struct wyrcan_ref r;
        if (wyrcan_ref_parse(s, &r) == 0) {
            CHECK(r.registry[0] && r.name[0] && (r.tag[0] || r.digest[0]));
            CHECK(!strpbrk(r.name, "?#% :@") && !strstr(r.name, ".."));
        }
        break;
    }
    default: {
        static struct wyrcan_bootargs a;
        if (wyrcan_bootargs_parse(s, &a) == 0) CHECK(strlen(a.img) < sizeof(a.img));
        break;
    }
    }
    free(s);
    return 0;
}
