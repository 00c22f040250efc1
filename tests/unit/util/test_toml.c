/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_toml.c - the strict TOML parser (src/util/toml.c).
 *
 * Valid documents exercise every supported construct and check the resulting tree, including
 * the positions recorded for keys and values. A table of invalid documents checks that each
 * class of error is refused with the right line, column and message. Limits (depth, size) and
 * the buffer contract (no NUL terminator needed, nothing read past size) are tested directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <math.h>

#include "util/util.h"

static struct toml_value *parse_ok(const char *text)
{
    struct toml_value *root = NULL;
    struct toml_error err;
    int ret = toml_parse(text, strlen(text), &root, &err);
    if (ret)
        fail_msg("unexpected error %d at %d:%d: %s\n--- input:\n%s", ret, err.line, err.col,
                 err.msg, text);
    assert_non_null(root);
    assert_int_equal(root->type, TOML_TABLE);
    return root;
}

/* Follows a path of keys (separated by '/') from root; fails the test when one is missing. */
static struct toml_value *get(struct toml_value *root, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    struct toml_value *v = root;
    for (char *save, *k = strtok_r(buf, "/", &save); k; k = strtok_r(NULL, "/", &save)) {
        struct toml_value *next = toml_table_get(v, k);
        if (!next) fail_msg("no key '%s' in path '%s'", k, path);
        v = next;
    }
    return v;
}

static void assert_str(struct toml_value *root, const char *path, const char *want)
{
    struct toml_value *v = get(root, path);
    assert_int_equal(v->type, TOML_STRING);
    assert_string_equal(v->str, want);
    assert_int_equal(v->str_len, strlen(want));
}

static void assert_int(struct toml_value *root, const char *path, int64_t want)
{
    struct toml_value *v = get(root, path);
    assert_int_equal(v->type, TOML_INTEGER);
    assert_true(v->integer == want);
}

static void test_empty_and_comments(void **state)
{
    (void)state;
    const char *docs[] = {"", "\n\n", "# only a comment", "  \t# c\r\n\n# é ünïcode ✓\n",
                          "\xEF\xBB\xBF# after a BOM\n"};
    for (size_t i = 0; i < ARRAY_LEN(docs); i++) {
        struct toml_value *root = parse_ok(docs[i]);
        assert_int_equal(root->len, 0);
        toml_free(root);
    }
    struct toml_value *root = NULL;
    assert_int_equal(toml_parse(NULL, 0, &root, NULL), 0);
    assert_non_null(root);
    toml_free(root);
    toml_free(NULL);
}

static void test_keys(void **state)
{
    (void)state;
    struct toml_value *root = parse_ok("bare_key-1 = 1\n"
                                       "1234 = 2\n"
                                       "\"quoted \\u00e9 key\" = 3\n"
                                       "'literal \\ key' = 4\n"
                                       "\"\" = 5\n"
                                       "site.\"google.com\" . x = 6\n"
                                       "true = 7\n"
                                       "a.b.c = 8\n"
                                       "a.b.d = 9\n"
                                       "a.e = 10\n");
    assert_int(root, "bare_key-1", 1);
    assert_int(root, "1234", 2);
    assert_int(root, "quoted \xC3\xA9 key", 3);
    assert_int(root, "literal \\ key", 4);
    assert_int_equal(toml_table_get(root, "")->integer, 5);
    assert_int(root, "site/google.com/x", 6);
    assert_int(root, "true", 7);
    assert_int(root, "a/b/c", 8);
    assert_int(root, "a/b/d", 9);
    assert_int(root, "a/e", 10);
    /* document order */
    assert_string_equal(root->entries[0].key, "bare_key-1");
    assert_string_equal(root->entries[6].key, "true");
    assert_string_equal(root->entries[7].key, "a");
    toml_free(root);
}

static void test_basic_strings(void **state)
{
    (void)state;
    struct toml_value *root = parse_ok("a = \"tab\\t nl\\n cr\\r bs\\b ff\\f q\\\" bsl\\\\\"\n"
                                       "b = \"\\u00E9\\u20AC\\U0001F600\\u0041\"\n"
                                       "c = \"raw é and \t tab\"\n"
                                       "d = \"\"\n"
                                       "e = \"nul\\u0000inside\"\n"
                                       "f = 'C:\\Users\\x \"quoted\"'\n"
                                       "g = ''\n");
    assert_str(root, "a", "tab\t nl\n cr\r bs\b ff\f q\" bsl\\");
    assert_str(root, "b",
               "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"
               "A");
    assert_str(root, "c", "raw é and \t tab");
    assert_str(root, "d", "");
    assert_str(root, "f", "C:\\Users\\x \"quoted\"");
    assert_str(root, "g", "");
    struct toml_value *e = get(root, "e");
    assert_int_equal(e->str_len, 10);
    assert_memory_equal(e->str, "nul\0inside", 11);
    toml_free(root);
}

static void test_multiline_strings(void **state)
{
    (void)state;
    struct toml_value *root = parse_ok("a = \"\"\"\nRoses are red\nViolets are blue\"\"\"\n"
                                       "b = \"\"\"\r\none\r\ntwo\"\"\"\n"
                                       "c = \"\"\"\\\n   The quick \\\n\n    brown \\   \n fox.\\\n"
                                       "  \"\"\"\n"
                                       "d = \"\"\"Here are two quotes: \"\". Simple.\"\"\"\n"
                                       "e = \"\"\"\"This,\" she said, \"is just a quote.\"\"\"\"\n"
                                       "f = '''\nThe first newline is\ntrimmed in raw strings.\n"
                                       "   All other \\ whitespace\n   is preserved.\n'''\n"
                                       "g = ''''That,' she said, 'is still pointless.''''\n"
                                       "h = '''Here are fifteen quotes: \"\"\"\"\"\"\"\"\"\"\"\""
                                       "\"\"\"'''\n"
                                       "i = \"\"\"\\u0041\\t\"\"\"\n"
                                       "j = \"\"\"x\"\"\"\"\"\n");
    assert_str(root, "a", "Roses are red\nViolets are blue");
    assert_str(root, "b", "one\ntwo");
    assert_str(root, "c", "The quick brown fox.");
    assert_str(root, "d", "Here are two quotes: \"\". Simple.");
    assert_str(root, "e", "\"This,\" she said, \"is just a quote.\"");
    assert_str(root, "f",
               "The first newline is\ntrimmed in raw strings.\n"
               "   All other \\ whitespace\n   is preserved.\n");
    assert_str(root, "g", "'That,' she said, 'is still pointless.'");
    assert_str(root, "h", "Here are fifteen quotes: \"\"\"\"\"\"\"\"\"\"\"\"\"\"\"");
    assert_str(root, "i", "A\t");
    assert_str(root, "j", "x\"\"");
    toml_free(root);
}

static void test_integers(void **state)
{
    (void)state;
    struct toml_value *root = parse_ok("a = +99\nb = 42\nc = 0\nd = -17\ne = 1_000\n"
                                       "f = 5_349_221\ng = 1_2_3_4_5\nh = 0xDEADBEEF\n"
                                       "i = 0xdead_beef\nj = 0o01234567\nk = 0o755\n"
                                       "l = 0b11010110\nm = 9223372036854775807\n"
                                       "n = -9223372036854775808\no = -0\np = +0\n"
                                       "q = 0x7fffffffffffffff\nr = 0x00\n");
    assert_int(root, "a", 99);
    assert_int(root, "b", 42);
    assert_int(root, "c", 0);
    assert_int(root, "d", -17);
    assert_int(root, "e", 1000);
    assert_int(root, "f", 5349221);
    assert_int(root, "g", 12345);
    assert_int(root, "h", 0xDEADBEEF);
    assert_int(root, "i", 0xDEADBEEF);
    assert_int(root, "j", 01234567);
    assert_int(root, "k", 0755);
    assert_int(root, "l", 0xD6);
    assert_int(root, "m", INT64_MAX);
    assert_int(root, "n", INT64_MIN);
    assert_int(root, "o", 0);
    assert_int(root, "p", 0);
    assert_int(root, "q", INT64_MAX);
    assert_int(root, "r", 0);
    toml_free(root);
}

static void assert_float(struct toml_value *root, const char *path, double want)
{
    struct toml_value *v = get(root, path);
    assert_int_equal(v->type, TOML_FLOAT);
    assert_true(v->fp == want);
}

static void test_floats(void **state)
{
    (void)state;
    struct toml_value *root = parse_ok("a = +1.0\nb = 3.1415\nc = -0.01\nd = 5e+22\n"
                                       "e = 1e06\nf = -2E-2\ng = 6.626e-34\n"
                                       "h = 224_617.445_991_228\ni = inf\nj = +inf\nk = -inf\n"
                                       "l = nan\nm = -nan\nn = 0.0\no = -0.0\np = 1e1_0\n"
                                       "q = 0e0\nr = 1E-400\n");
    assert_float(root, "a", 1.0);
    assert_float(root, "b", 3.1415);
    assert_float(root, "c", -0.01);
    assert_float(root, "d", 5e22);
    assert_float(root, "e", 1e6);
    assert_float(root, "f", -2e-2);
    assert_float(root, "g", 6.626e-34);
    assert_float(root, "h", 224617.445991228);
    assert_float(root, "i", INFINITY);
    assert_float(root, "j", INFINITY);
    assert_float(root, "k", -INFINITY);
    assert_true(isnan(get(root, "l")->fp));
    assert_true(isnan(get(root, "m")->fp));
    assert_float(root, "n", 0.0);
    assert_true(signbit(get(root, "o")->fp));
    assert_float(root, "p", 1e10);
    assert_float(root, "q", 0.0);
    assert_float(root, "r", 0.0); /* underflow to zero is fine; overflow is not */
    toml_free(root);
}

static void test_booleans_and_datetimes(void **state)
{
    (void)state;
    struct toml_value *root = parse_ok("t = true\nf = false\n"
                                       "odt1 = 1979-05-27T07:32:00Z\n"
                                       "odt2 = 1979-05-27T00:32:00-07:00\n"
                                       "odt3 = 1979-05-27T00:32:00.999999+05:30\n"
                                       "odt4 = 1979-05-27 07:32:00z\n"
                                       "ldt = 1979-05-27t07:32:00\n"
                                       "ld = 2000-02-29\n"
                                       "lt = 00:32:00.999999\n"
                                       "leap = 1990-12-31T23:59:60Z\n"
                                       "arr = [1979-05-27, 07:32:00] # comment\n");
    struct toml_value *t = get(root, "t"), *f = get(root, "f");
    assert_int_equal(t->type, TOML_BOOLEAN);
    assert_true(t->boolean);
    assert_int_equal(f->type, TOML_BOOLEAN);
    assert_false(f->boolean);
    const char *dts[][2] = {{"odt1", "1979-05-27T07:32:00Z"},
                            {"odt2", "1979-05-27T00:32:00-07:00"},
                            {"odt3", "1979-05-27T00:32:00.999999+05:30"},
                            {"odt4", "1979-05-27 07:32:00z"},
                            {"ldt", "1979-05-27t07:32:00"},
                            {"ld", "2000-02-29"},
                            {"lt", "00:32:00.999999"},
                            {"leap", "1990-12-31T23:59:60Z"}};
    for (size_t i = 0; i < ARRAY_LEN(dts); i++) {
        struct toml_value *v = get(root, dts[i][0]);
        assert_int_equal(v->type, TOML_DATETIME);
        assert_string_equal(v->str, dts[i][1]);
    }
    struct toml_value *arr = get(root, "arr");
    assert_int_equal(arr->len, 2);
    assert_string_equal(toml_array_at(arr, 0)->str, "1979-05-27");
    assert_string_equal(toml_array_at(arr, 1)->str, "07:32:00");
    toml_free(root);
}

static void test_arrays(void **state)
{
    (void)state;
    struct toml_value *root = parse_ok("a = []\n"
                                       "b = [ 1, 2, 3, ]\n"
                                       "c = [ \"red\", 'yellow', \"\"\"green\"\"\" ]\n"
                                       "d = [ [ 1, 2 ], [\"a\", 'b', 'c'] ]\n"
                                       "e = [ 0.1, 0.2, 1, \"mixed\", { x = 1 }, true ]\n"
                                       "f = [\n  1, # one\n  # alone\n\n  2 # two\n  ,\n]\n"
                                       "g = [[[]]]\n");
    assert_int_equal(get(root, "a")->type, TOML_ARRAY);
    assert_int_equal(get(root, "a")->len, 0);
    struct toml_value *b = get(root, "b");
    assert_int_equal(b->len, 3);
    assert_int_equal(toml_array_at(b, 2)->integer, 3);
    assert_null(toml_array_at(b, 3));
    assert_null(toml_array_at(root, 0));
    struct toml_value *c = get(root, "c");
    assert_string_equal(toml_array_at(c, 2)->str, "green");
    struct toml_value *d = get(root, "d");
    assert_int_equal(toml_array_at(d, 1)->len, 3);
    assert_string_equal(toml_array_at(toml_array_at(d, 1), 2)->str, "c");
    struct toml_value *e = get(root, "e");
    assert_int_equal(e->len, 6);
    assert_int_equal(toml_array_at(e, 3)->type, TOML_STRING);
    assert_int_equal(toml_array_at(e, 4)->type, TOML_TABLE);
    assert_int_equal(toml_table_get(toml_array_at(e, 4), "x")->integer, 1);
    struct toml_value *f = get(root, "f");
    assert_int_equal(f->len, 2);
    assert_int_equal(toml_array_at(f, 1)->integer, 2);
    assert_int_equal(toml_array_at(f, 1)->line, 10);
    struct toml_value *g = get(root, "g");
    assert_int_equal(toml_array_at(toml_array_at(g, 0), 0)->len, 0);
    toml_free(root);
}

static void test_inline_tables(void **state)
{
    (void)state;
    struct toml_value *root = parse_ok("name = { first = \"Tom\", last = \"Preston-Werner\" }\n"
                                       "point = {x=1,y=2}\n"
                                       "animal = { type.name = \"pug\", type.age = 3 }\n"
                                       "empty = {}\n"
                                       "nested = { a = { b = { c = [ {d = 1} ] } } }\n");
    assert_str(root, "name/first", "Tom");
    assert_str(root, "name/last", "Preston-Werner");
    assert_int(root, "point/y", 2);
    assert_str(root, "animal/type/name", "pug");
    assert_int(root, "animal/type/age", 3);
    assert_int_equal(get(root, "empty")->type, TOML_TABLE);
    assert_int_equal(get(root, "empty")->len, 0);
    struct toml_value *c = get(root, "nested/a/b/c");
    assert_int_equal(toml_table_get(toml_array_at(c, 0), "d")->integer, 1);
    toml_free(root);
}

static void test_tables(void **state)
{
    (void)state;
    struct toml_value *root = parse_ok("top = 0\n"
                                       "[table-1]\nkey1 = \"some string\"\n"
                                       "[ dog . \"tater.man\" ]\ntype.name = \"pug\"\n"
                                       "[x.y.z.w] # implicit x, y, z\n"
                                       "[x] # defining a super-table afterwards is fine\n"
                                       "k = 1\n"
                                       "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n"
                                       "[fruit.apple.texture] # sub-table of a dotted table\n"
                                       "smooth = true\n"
                                       "[empty]\n");
    assert_int(root, "top", 0);
    assert_str(root, "table-1/key1", "some string");
    assert_str(root, "dog/tater.man/type/name", "pug");
    assert_int_equal(get(root, "x/y/z/w")->type, TOML_TABLE);
    assert_int(root, "x/k", 1);
    assert_int_equal(get(root, "x")->line, 7); /* the header that defined it */
    assert_str(root, "fruit/apple/color", "red");
    assert_true(get(root, "fruit/apple/taste/sweet")->boolean);
    assert_true(get(root, "fruit/apple/texture/smooth")->boolean);
    assert_int_equal(get(root, "empty")->len, 0);
    toml_free(root);
}

static void test_array_of_tables(void **state)
{
    (void)state;
    struct toml_value *root = parse_ok("[[products]]\nname = \"Hammer\"\nsku = 738594937\n"
                                       "[[products]]  # empty table within the array\n"
                                       "[[products]]\nname = \"Nail\"\n"
                                       "[[fruits]]\nname = \"apple\"\n"
                                       "[fruits.physical]\ncolor = \"red\"\n"
                                       "[[fruits.varieties]]\nname = \"red delicious\"\n"
                                       "[[fruits.varieties]]\nname = \"granny smith\"\n"
                                       "[[fruits]]\nname = \"banana\"\n"
                                       "[[fruits.varieties]]\nname = \"plantain\"\n"
                                       "[[ a . b ]]\nx = 1\n");
    struct toml_value *p = get(root, "products");
    assert_int_equal(p->type, TOML_ARRAY);
    assert_int_equal(p->len, 3);
    assert_int_equal(toml_array_at(p, 1)->len, 0);
    assert_string_equal(toml_table_get(toml_array_at(p, 2), "name")->str, "Nail");
    assert_int_equal(toml_array_at(p, 2)->line, 5);
    struct toml_value *f = get(root, "fruits");
    assert_int_equal(f->len, 2);
    struct toml_value *apple = toml_array_at(f, 0);
    assert_str(apple, "physical/color", "red");
    assert_int_equal(toml_table_get(apple, "varieties")->len, 2);
    struct toml_value *banana = toml_array_at(f, 1);
    assert_string_equal(
        toml_array_at(toml_table_get(banana, "varieties"), 0)->entries[0].value->str, "plantain");
    assert_int(toml_array_at(get(root, "a/b"), 0), "x", 1);
    toml_free(root);
}

static void test_positions(void **state)
{
    (void)state;
    struct toml_value *root = parse_ok("# header\n"
                                       "  key = \"v\"\n"
                                       "\"é✓\" = 1 # two multibyte characters count as two\n"
                                       "x = [ 1,\n      22 ]\n"
                                       "[t]\n"
                                       "\tk = true\n");
    assert_int_equal(root->entries[0].line, 2);
    assert_int_equal(root->entries[0].col, 3);
    struct toml_value *key = get(root, "key");
    assert_int_equal(key->line, 2);
    assert_int_equal(key->col, 9);
    struct toml_value *u = get(root, "\xC3\xA9\xE2\x9C\x93");
    assert_int_equal(u->line, 3);
    assert_int_equal(u->col, 8);
    struct toml_value *x = get(root, "x");
    assert_int_equal(toml_array_at(x, 1)->line, 5);
    assert_int_equal(toml_array_at(x, 1)->col, 7);
    struct toml_value *t = get(root, "t");
    assert_int_equal(t->line, 6);
    assert_int_equal(t->col, 1);
    assert_int_equal(t->entries[0].line, 7);
    assert_int_equal(t->entries[0].col, 2);
    toml_free(root);
}

static void test_seen_and_unseen(void **state)
{
    (void)state;
    struct toml_value *root = parse_ok("a = 1\nb = 2\n[c]\nd = 3\n");
    assert_non_null(toml_table_unseen(root));
    assert_string_equal(toml_table_unseen(root)->key, "a");
    assert_non_null(toml_table_get(root, "a"));
    assert_string_equal(toml_table_unseen(root)->key, "b");
    assert_null(toml_table_get(root, "missing"));
    assert_null(toml_table_get(NULL, "a"));
    assert_null(toml_table_get(get(root, "a"), "a"));
    assert_non_null(toml_table_get(root, "b"));
    struct toml_value *c = toml_table_get(root, "c");
    assert_null(toml_table_unseen(root));
    assert_string_equal(toml_table_unseen(c)->key, "d");
    assert_null(toml_table_unseen(NULL));
    assert_string_equal(toml_type_name(TOML_STRING), "string");
    assert_string_equal(toml_type_name(TOML_INTEGER), "integer");
    assert_string_equal(toml_type_name(TOML_FLOAT), "float");
    assert_string_equal(toml_type_name(TOML_BOOLEAN), "boolean");
    assert_string_equal(toml_type_name(TOML_DATETIME), "datetime");
    assert_string_equal(toml_type_name(TOML_ARRAY), "array");
    assert_string_equal(toml_type_name(TOML_TABLE), "table");
    struct toml_error err;
    toml_error_set(&err, 3, 7, "expected %s", "'='");
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, 7);
    assert_string_equal(err.msg, "expected '='");
    toml_error_set(NULL, 1, 1, "ignored");
    toml_free(root);
}

/* Many keys switch tables to their hash index; every key must still be found exactly once. */
static void test_many_keys(void **state)
{
    (void)state;
    enum { N = 5000 };
    size_t cap = N * 40, len = 0;
    char *doc = malloc(cap);
    assert_non_null(doc);
    for (int i = 0; i < N; i++)
        len += (size_t)snprintf(doc + len, cap - len, "key%d = %d\n", i, i);
    len += (size_t)snprintf(doc + len, cap - len, "[t]\n");
    for (int i = 0; i < N; i++)
        len += (size_t)snprintf(doc + len, cap - len, "k%d.x = %d\n", i, i);
    struct toml_value *root = parse_ok(doc);
    char key[32];
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof(key), "key%d", i);
        assert_int_equal(toml_table_get(root, key)->integer, i);
        snprintf(key, sizeof(key), "t/k%d/x", i);
        assert_int_equal(get(root, key)->integer, i);
    }
    assert_null(toml_table_get(root, "key5000"));
    toml_free(root);
    /* a duplicate far into an indexed table is still caught */
    len += (size_t)snprintf(doc + len, cap - len, "k4321.x = 1\n");
    struct toml_error err;
    assert_int_equal(toml_parse(doc, len, &root, &err), -EINVAL);
    assert_null(root);
    assert_string_equal(err.msg, "duplicate key 'k4321.x'");
    free(doc);
}

struct bad_case {
    const char *doc;
    int line;
    int col;
    const char *msg; /* a substring of the message */
};

static const struct bad_case bad_cases[] = {
    /* keys and structure */
    {"a", 1, 2, "expected '=' after the key"},
    {"a = ", 1, 5, "expected a value, found end of input"},
    {"= 1", 1, 1, "expected a key, found '='"},
    {"a = 1 b = 2", 1, 7, "expected a new line after the value, found 'b'"},
    {"a. = 1", 1, 4, "expected a key"},
    {"é = 1", 1, 1, "expected a key, found U+00E9"},
    {"\"\"\"k\"\"\" = 1", 1, 1, "a multi-line string cannot be a key"},
    {"a\n= 1", 1, 2, "expected '=' after the key, found end of line"},
    {"a = 1\r", 1, 6, "carriage return"},
    {"[a", 1, 3, "expected ']' to close the header"},
    {"[[a]", 1, 4, "expected ']]' to close the header"},
    {"[[a] ]", 1, 4, "expected ']]'"},
    {"[]", 1, 2, "expected a key, found ']'"},
    {"[a] b = 1", 1, 5, "expected a new line after the table header"},
    /* redefinitions */
    {"a = 1\na = 2", 2, 1, "duplicate key 'a'"},
    {"a = 1\n\"a\" = 2", 2, 1, "duplicate key 'a'"},
    {"a.b = 1\na = 2", 2, 1, "duplicate key 'a'"},
    {"a.b = 1\na.b = 2", 2, 3, "duplicate key 'a.b'"},
    {"a = 1\na.b = 2", 2, 1, "cannot add keys to 'a': it is already defined as an integer"},
    {"[a]\n[a]", 2, 1, "table 'a' is defined more than once"},
    {"[a]\n[\"a\"]", 2, 1, "defined more than once"},
    {"[a.b]\n[a]\n[a]", 3, 1, "defined more than once"},
    {"[a]\nb = 1\n[a.b]", 3, 1, "already defined as an integer"},
    {"a.b.c = 1\n[a.b]", 2, 1, "table 'a.b' is defined more than once"},
    {"a = [1]\n[[a]]", 2, 1,
     "cannot append to 'a' with [[...]]: it is already defined as a "
     "static array"},
    {"a = []\n[a.b]", 2, 2, "already defined as a static array"},
    {"[[a]]\n[a]", 2, 1, "already defined as an array of tables"},
    {"[a]\n[[a]]", 2, 1, "already defined as a table"},
    {"a = {b = 1}\n[a.c]", 2, 2, "already defined as an inline table"},
    {"a = {b = 1}\na.c = 2", 2, 1, "cannot add keys to 'a'"},
    {"a = {b = 1}\n[a]", 2, 1, "defined more than once"},
    {"a = {b.c = 1, b = 2}", 1, 15, "duplicate key 'b'"},
    {"a = {b = {}, b.c = 1}", 1, 14, "already defined as an inline table"},
    {"[a.b.c]\nz = 9\n[a]\nb.c.t = 1", 4, 1, "cannot add keys to 'b'"},
    {"[fruit]\napple.color = 'red'\n[fruit.apple]", 3, 1, "defined more than once"},
    /* strings */
    {"a = \"abc", 1, 5, "unterminated string"},
    {"a = \"abc\ndef\"", 1, 5, "unterminated string"},
    {"a = 'abc", 1, 5, "unterminated string"},
    {"a = \"\"\"abc", 1, 5, "unterminated multi-line string"},
    {"a = '''abc''", 1, 5, "unterminated multi-line string"},
    {"a = \"\\x41\"", 1, 6, "invalid escape sequence: '\\' followed by 'x'"},
    {"a = \"\\e\"", 1, 6, "invalid escape"},
    {"a = \"\\ \"", 1, 6, "invalid escape"},
    {"a = \"\\", 1, 6, "followed by end of input"},
    {"a = \"\\u12\"", 1, 6, "\\u needs 4 hexadecimal digits"},
    {"a = \"\\U0001F60\"", 1, 6, "\\U needs 8 hexadecimal digits"},
    {"a = \"\\uD800\"", 1, 6, "not a Unicode scalar value"},
    {"a = \"\\uDFFF\"", 1, 6, "not a Unicode scalar value"},
    {"a = \"\\U00110000\"", 1, 6, "not a Unicode scalar value"},
    {"a = \"\x01\"", 1, 6, "control character U+0001"},
    {"a = \"\x7f\"", 1, 6, "control character U+007F"},
    {"a = 'a\x1f'", 1, 7, "control character U+001F"},
    {"a = \"\"\"\nok\n\x00\"\"\"", 3, 1, "control character U+0000"},
    {"a = \"\"\"a\\  b\"\"\"", 1, 9, "must end the line"},
    {"a = \"\"\"a\rb\"\"\"", 1, 9, "control character U+000D"},
    {"a = \"\"\"\"\"\"\"\"\"", 1, 13, "expected a new line after the value"},
    /* numbers */
    {"a = 01", 1, 5, "leading zeros"},
    {"a = 0_1", 1, 5, "leading zeros"},
    {"a = -01", 1, 5, "leading zeros"},
    {"a = 00.5", 1, 5, "leading zeros"},
    {"a = 1__0", 1, 5, "invalid value '1__0'"},
    {"a = _1", 1, 5, "invalid value '_1'"},
    {"a = 1_", 1, 5, "invalid value '1_'"},
    {"a = 0x_1", 1, 5, "invalid value"},
    {"a = 0X10", 1, 5, "invalid value"},
    {"a = 0x", 1, 5, "invalid value"},
    {"a = 0o8", 1, 5, "invalid value"},
    {"a = 0b2", 1, 5, "invalid value"},
    {"a = +0x10", 1, 5, "a sign is not allowed on a 0x integer"},
    {"a = -0b1", 1, 5, "a sign is not allowed on a 0b integer"},
    {"a = 9223372036854775808", 1, 5, "integer does not fit in 64 bits"},
    {"a = -9223372036854775809", 1, 5, "integer does not fit in 64 bits"},
    {"a = 0x8000000000000000", 1, 5, "does not fit"},
    {"a = 99999999999999999999999", 1, 5, "does not fit"},
    {"a = 1.", 1, 5, "invalid value '1.'"},
    {"a = .5", 1, 5, "invalid value '.5'"},
    {"a = 1.e5", 1, 5, "invalid value"},
    {"a = 1e", 1, 5, "invalid value"},
    {"a = 1e_5", 1, 5, "invalid value"},
    {"a = 1.5_", 1, 5, "invalid value"},
    {"a = 1._5", 1, 5, "invalid value"},
    {"a = 1e999", 1, 5, "float out of range"},
    {"a = -1e999", 1, 5, "float out of range"},
    {"a = infinity", 1, 5, "invalid value"},
    {"a = NaN", 1, 5, "invalid value"},
    {"a = 1.2.3", 1, 5, "invalid value"},
    {"a = 1-2", 1, 5, "invalid value"},
    {"a = --1", 1, 5, "invalid value"},
    /* booleans and other words */
    {"a = True", 1, 5, "invalid value 'True'"},
    {"a = truex", 1, 5, "invalid value 'truex'"},
    {"a = yes", 1, 5, "invalid value 'yes'"},
    {"a = @", 1, 5, "expected a value, found '@'"},
    /* date-times */
    {"a = 1979-02-29", 1, 5, "invalid date"},
    {"a = 1979-13-01", 1, 5, "invalid date"},
    {"a = 1979-00-01", 1, 5, "invalid date"},
    {"a = 1979-04-31", 1, 5, "invalid date"},
    {"a = 1979-5-27", 1, 5, "invalid date"},
    {"a = 1979-05-27T", 1, 16, "invalid time"},
    {"a = 1979-05-27T07:32", 1, 16, "invalid time"},
    {"a = 1979-05-27 07:32", 1, 16, "invalid time"},
    {"a = 24:00:00", 1, 5, "invalid time"},
    {"a = 07:60:00", 1, 5, "invalid time"},
    {"a = 07:32:61", 1, 5, "invalid time"},
    {"a = 07:32:00.", 1, 5, "invalid time"},
    {"a = 1979-05-27T07:32:00+25:00", 1, 24, "invalid time offset"},
    {"a = 1979-05-27T07:32:00-07", 1, 24, "invalid time offset"},
    {"a = 07:32:00Z", 1, 13, "expected a new line"},
    {"a = 1979-05-27 x", 1, 16, "expected a new line"},
    /* arrays and inline tables */
    {"a = [1 2]", 1, 8, "expected ',' or ']' in the array, found '2'"},
    {"a = [1,,2]", 1, 8, "expected a value, found ','"},
    {"a = [,]", 1, 6, "expected a value, found ','"},
    {"a = [1", 1, 7, "expected ',' or ']' in the array, found end of input"},
    {"a = [1,\n2", 2, 2, "found end of input"},
    {"a = {b = 1", 1, 11, "expected ',' or '}'"},
    {"a = {b = 1\n}", 1, 11, "found end of line"},
    {"a = {\nb = 1}", 1, 6, "expected a key, found end of line"},
    {"a = {b = 1,}", 1, 12, "a trailing comma is not allowed"},
    {"a = {,}", 1, 6, "expected a key, found ','"},
    {"a = {b = 1 c = 2}", 1, 12, "expected ',' or '}'"},
    /* comments, newlines, encoding */
    {"# c\x01", 1, 4, "control character U+0001 is not allowed in a comment"},
    {"a = 1 # c\x7f", 1, 10, "U+007F"},
    {"# c\rd", 1, 4, "U+000D"},
    {"a = \"\xff\"", 1, 6, "invalid UTF-8"},
    {"\n\na = \"\xc3\x28\"", 3, 6, "invalid UTF-8"},
    {"a = \"\xc0\x80\"", 1, 6, "invalid UTF-8"},         /* overlong */
    {"a = \"\xed\xa0\x80\"", 1, 6, "invalid UTF-8"},     /* surrogate */
    {"a = \"\xf4\x90\x80\x80\"", 1, 6, "invalid UTF-8"}, /* above U+10FFFF */
    {"a = \"\xe2\x82", 1, 6, "invalid UTF-8"},           /* truncated */
    {"a = 1\n✓", 2, 1, "expected a key, found U+2713"},
};

static void test_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(bad_cases); i++) {
        const struct bad_case *c = &bad_cases[i];
        size_t len = strlen(c->doc);
        if (strncmp(c->doc, "a = \"\"\"\nok\n", 11) == 0)
            len = 15; /* the case with a raw NUL byte */
        struct toml_value *root = (struct toml_value *)1;
        struct toml_error err;
        int ret = toml_parse(c->doc, len, &root, &err);
        if (ret != -EINVAL || err.line != c->line || err.col != c->col || !strstr(err.msg, c->msg))
            fail_msg("case %zu %s: got %d at %d:%d \"%s\", want %d:%d \"%s\"", i, c->doc, ret,
                     err.line, err.col, err.msg, c->line, c->col, c->msg);
        assert_null(root);
        /* and with no error struct at all */
        assert_int_equal(toml_parse(c->doc, len, &root, NULL), -EINVAL);
    }
}

static void test_depth_limit(void **state)
{
    (void)state;
    char doc[4 * TOML_MAX_DEPTH + 64];
    struct toml_value *root;
    struct toml_error err;
    for (int extra = 0; extra <= 1; extra++) {
        int n = TOML_MAX_DEPTH + extra;
        size_t len = (size_t)snprintf(doc, sizeof(doc), "a = ");
        for (int i = 0; i < n; i++)
            doc[len++] = '[';
        for (int i = 0; i < n; i++)
            doc[len++] = ']';
        int ret = toml_parse(doc, len, &root, &err);
        if (extra) {
            assert_int_equal(ret, -EINVAL);
            assert_non_null(strstr(err.msg, "nesting deeper than"));
        } else {
            assert_int_equal(ret, 0);
            toml_free(root);
        }
    }
    /* tables: a header with too many parts, and dotted keys below a deep header */
    size_t len = 0;
    doc[len++] = '[';
    for (int i = 0; i < TOML_MAX_DEPTH; i++)
        len += (size_t)snprintf(doc + len, sizeof(doc) - len, "%sa", i ? "." : "");
    doc[len++] = ']';
    assert_int_equal(toml_parse(doc, len, &root, NULL), 0);
    toml_free(root);
    len += (size_t)snprintf(doc + len, sizeof(doc) - len, "\nb.c = 1\n");
    assert_int_equal(toml_parse(doc, len, &root, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "nesting deeper than"));
    assert_int_equal(err.line, 2);
    /* inline tables count too */
    len = (size_t)snprintf(doc, sizeof(doc), "a = ");
    for (int i = 0; i <= TOML_MAX_DEPTH; i++)
        len += (size_t)snprintf(doc + len, sizeof(doc) - len, "{a=");
    assert_int_equal(toml_parse(doc, len, &root, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "nesting deeper than"));
}

static void test_buffer_contract(void **state)
{
    (void)state;
    /* only size bytes are read: what follows is never looked at */
    const char text[] = "a = 12345";
    struct toml_value *root;
    assert_int_equal(toml_parse(text, 5, &root, NULL), 0);
    assert_int_equal(toml_table_get(root, "a")->integer, 1);
    toml_free(root);
    /* an exact-size heap copy with no terminator (ASan checks the reads) */
    const char *docs[] = {"a = \"x\"",    "a = 'x'",     "a = 1979-05-27",
                          "a = 07:32:00", "a = [1, 2]",  "a = {b = 1}",
                          "[t]",          "[[t]]",       "a = \"\"\"x\"\"\"",
                          "a = tru",      "a = \"\\u00", "a = 1979-05-27T07:32:00+01:",
                          "# c"};
    for (size_t i = 0; i < ARRAY_LEN(docs); i++) {
        size_t len = strlen(docs[i]);
        char *copy = malloc(len);
        assert_non_null(copy);
        memcpy(copy, docs[i], len);
        int ret = toml_parse(copy, len, &root, NULL);
        if (ret == 0) toml_free(root);
        free(copy);
    }
    struct toml_error err;
    assert_int_equal(toml_parse(NULL, 5, &root, &err), -EINVAL);
    char *big = calloc(1, (size_t)TOML_MAX_INPUT + 1);
    assert_non_null(big);
    assert_int_equal(toml_parse(big, (size_t)TOML_MAX_INPUT + 1, &root, &err), -EFBIG);
    assert_null(root);
    assert_non_null(strstr(err.msg, "larger than"));
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_comments),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_basic_strings),
        cmocka_unit_test(test_multiline_strings),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_floats),
        cmocka_unit_test(test_booleans_and_datetimes),
        cmocka_unit_test(test_arrays),
        cmocka_unit_test(test_inline_tables),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_array_of_tables),
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_seen_and_unseen),
        cmocka_unit_test(test_many_keys),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_buffer_contract),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
