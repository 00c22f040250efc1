/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_keep_http.c - libFuzzer target for the Keep's HTTP response parser (src/keep/http.c),
 * which reads what a Steward (or whoever the host connected us to) answers. The input is parsed
 * whole with eof true, and also cut at every eighth byte with eof false: the parser must never
 * read outside the buffer, a complete answer's body must lie inside it, and an incomplete one
 * must be -EAGAIN or -EPROTO, never success beyond what was received.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keep/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) __builtin_trap();                                                             \
    } while (0)

static void one(const uint8_t *data, size_t size, bool eof)
{
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) return;
    if (size) memcpy(buf, data, size);
    struct keep_http_response r;
    int rc = keep_http_response_parse(buf, size, eof, &r);
    CHECK(rc == 0 || rc == -EAGAIN || rc == -EPROTO);
    if (eof) CHECK(rc != -EAGAIN);
    if (rc == 0) {
        CHECK(r.status >= 100 && r.status <= 999);
        CHECK(r.body_off <= size && r.body_size <= size - r.body_off);
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536) return 0;
    one(data, size, true);
    for (size_t cut = 0; cut < size; cut += 8)
        one(data, cut, false);
    return 0;
}
