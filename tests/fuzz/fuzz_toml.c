/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_toml.c - libFuzzer target for the strict TOML parser (src/util/toml.c): toml_parse()
 * on arbitrary bytes, then everything is freed. Configuration and policy files come from
 * people and tools we do not control, so any crash, sanitizer report, leak or hang here is a
 * bug: bad documents must only ever be refused, with a position.
 *
 * Beyond "does not crash", each accepted tree is walked and checked against the parser's own
 * invariants: positions are 1-based, strings are NUL-terminated at str_len, every key of a
 * table is found again by lookup (through the hash index once a table is large) unless it
 * holds a NUL byte, and no key appears twice. A refused document must come with a position
 * (except -EFBIG, which has none) and a message. A violation traps.
 *
 * The seed corpus is tests/fuzz/corpus/toml/: valid documents covering every construct and
 * invalid ones covering each class of error. The replay driver runs them as a regression test.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) __builtin_trap();                                                             \
    } while (0)

static void check_value(struct toml_value *v, int depth)
{
    CHECK(depth <= TOML_MAX_DEPTH + 1);
    CHECK(v->line >= 1 && v->col >= 1);
    switch (v->type) {
    case TOML_STRING:
    case TOML_DATETIME: CHECK(v->str && v->str[v->str_len] == '\0'); break;
    case TOML_ARRAY:
        for (size_t i = 0; i < v->len; i++)
            check_value(toml_array_at(v, i), depth + 1);
        CHECK(toml_array_at(v, v->len) == NULL);
        break;
    case TOML_TABLE:
        for (size_t i = 0; i < v->len; i++) {
            struct toml_entry *e = &v->entries[i];
            CHECK(e->key && e->key[e->key_len] == '\0' && e->line >= 1 && e->col >= 1);
            if (strlen(e->key) == e->key_len)
                CHECK(toml_table_get(v, e->key) == e->value);
            else
                e->value->seen = true;
            for (size_t j = i + 1; j < v->len && v->len < 64; j++)
                CHECK(v->entries[j].key_len != e->key_len ||
                      memcmp(v->entries[j].key, e->key, e->key_len) != 0);
            check_value(e->value, depth + 1);
        }
        CHECK(toml_table_unseen(v) == NULL);
        break;
    case TOML_INTEGER:
    case TOML_FLOAT:
    case TOML_BOOLEAN: break;
    default: CHECK(0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct toml_value *root = NULL;
    struct toml_error err;
    int ret = toml_parse(data, size, &root, &err);
    if (ret) {
        CHECK(root == NULL && err.msg[0] != '\0');
        CHECK(ret == -ENOMEM || ret == -EFBIG || (ret == -EINVAL && err.line >= 1 && err.col >= 1));
        return 0;
    }
    CHECK(root && root->type == TOML_TABLE);
    check_value(root, 0);
    toml_free(root);
    return 0;
}
