/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_decode.c - unit tests for the binary decoder (decode.c) and the module API (module.c).
 *
 * Every module here is a hand-built byte array (the larger ones were checked against wat2wasm),
 * decoded with wasm_decode() directly so that the tests do not depend on the validator. Each
 * malformed case asserts -EINVAL (or -E2BIG for our own caps) and the wording of the message.
 * Cases with absurd counts in tiny inputs assert that they are refused at the count check,
 * which precedes every allocation in the decoder.
 *
 * wasm_code_free() and wasm_validate() belong to the validator (validate.c/compile.c); the weak
 * fallbacks below only let this test link while those are being written, and are replaced by
 * the real ones whenever the library provides them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wasm/module.h"

__attribute__((weak)) void wasm_code_free(struct wasm_code *code)
{
    (void)code;
}

__attribute__((weak)) int wasm_validate(struct wasm_module *mod, struct wasm_error *err)
{
    (void)mod;
    (void)err;
    return 0;
}

#define HDR 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00
#define ARR(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

/* Decodes a private copy of bytes into *m (which the caller clears). */
static int decode(const uint8_t *bytes, size_t size, struct wasm_module *m, struct wasm_error *e)
{
    memset(m, 0, sizeof(*m));
    memset(e, 0, sizeof(*e));
    m->bytes = malloc(size ? size : 1);
    assert_non_null(m->bytes);
    memcpy(m->bytes, bytes, size);
    m->size = size;
    return wasm_decode(m, e);
}

/* Asserts that the module is refused with rc and a message "offset 0x..: ...text...". */
static void refused(int rc, const char *text, const uint8_t *bytes, size_t size, int line)
{
    struct wasm_module m;
    struct wasm_error e;
    int got = decode(bytes, size, &m, &e);
    if (got != rc || !strstr(e.msg, text) || strncmp(e.msg, "offset 0x", 9) != 0)
        fail_msg("line %d: want %d '%s', got %d '%s'", line, rc, text, got, e.msg);
    assert_int_equal(e.code, rc);
    /* a failed decode leaves nothing allocated behind but the bytes */
    assert_null(m.types);
    assert_null(m.funcs);
    assert_int_equal(m.nfuncs, 0);
    wasm_module_clear(&m);
}

#define MALFORMED(text, ...) refused(-EINVAL, text, ARR(HDR, __VA_ARGS__), __LINE__)
#define MALFORMED_RAW(text, ...) refused(-EINVAL, text, ARR(__VA_ARGS__), __LINE__)
#define TOO_BIG(text, ...) refused(-E2BIG, text, ARR(HDR, __VA_ARGS__), __LINE__)

static void decodes(const uint8_t *bytes, size_t size, struct wasm_module *m)
{
    struct wasm_error e;
    int rc = decode(bytes, size, m, &e);
    if (rc) fail_msg("decode failed: %s", e.msg);
}

/* ------------------------------------------------------------------------------------------ */

static void test_leb_u32(void **state)
{
    (void)state;
    static const struct {
        uint8_t b[8];
        size_t n;
        int rc;
        uint32_t v;
        size_t used;
    } cases[] = {
        {{0x00}, 1, 0, 0, 1},
        {{0x7f}, 1, 0, 127, 1},
        {{0x80, 0x01}, 2, 0, 128, 2},
        {{0x80, 0x00}, 2, 0, 0, 2}, /* non-minimal is fine */
        {{0xe5, 0x8e, 0x26, 0xff}, 4, 0, 624485, 3},
        {{0xff, 0xff, 0xff, 0xff, 0x0f}, 5, 0, 0xffffffffu, 5},
        {{0x80, 0x80, 0x80, 0x80, 0x00}, 5, 0, 0, 5},
        {{0xff, 0xff, 0xff, 0xff, 0x1f}, 5, -EINVAL, 0, 0}, /* unused bit set */
        {{0x80, 0x80, 0x80, 0x80, 0x70}, 5, -EINVAL, 0, 0},
        {{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 6, -EINVAL, 0, 0}, /* too long */
        {{0x80}, 1, -EINVAL, 0, 0},                               /* truncated */
        {{0}, 0, -EINVAL, 0, 0},                                  /* empty */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const uint8_t *p = cases[i].b;
        uint32_t v = 0xdeadbeef;
        int rc = wasm_read_u32(&p, cases[i].b + cases[i].n, &v);
        assert_int_equal(rc, cases[i].rc);
        if (rc == 0) {
            assert_int_equal(v, cases[i].v);
            assert_ptr_equal(p, cases[i].b + cases[i].used);
        } else {
            assert_ptr_equal(p, cases[i].b);
        }
    }
}

static void test_leb_signed(void **state)
{
    (void)state;
    static const struct {
        int bits;
        uint8_t b[12];
        size_t n;
        int rc;
        int64_t v;
    } cases[] = {
        {32, {0x7f}, 1, 0, -1},
        {32, {0x3f}, 1, 0, 63},
        {32, {0x40}, 1, 0, -64},
        {32, {0x80, 0x7f}, 2, 0, -128},
        {32, {0xff, 0xff, 0xff, 0xff, 0x07}, 5, 0, INT32_MAX},
        {32, {0x80, 0x80, 0x80, 0x80, 0x78}, 5, 0, INT32_MIN},
        {32, {0xff, 0xff, 0xff, 0xff, 0x7f}, 5, 0, -1},
        {32, {0x80, 0x80, 0x80, 0x80, 0x70}, 5, -EINVAL, 0}, /* unused bits unset for - */
        {32, {0xff, 0xff, 0xff, 0xff, 0x0f}, 5, -EINVAL, 0}, /* unused bit set for + */
        {32, {0xff, 0xff, 0xff, 0xff, 0x4f}, 5, -EINVAL, 0},
        {32, {0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, 6, -EINVAL, 0},
        {33, {0x40}, 1, 0, -64},
        {33, {0xff, 0xff, 0xff, 0xff, 0x0f}, 5, 0, 0xffffffffLL},
        {33, {0x80, 0x80, 0x80, 0x80, 0x70}, 5, 0, -0x100000000LL},
        {33, {0x80, 0x80, 0x80, 0x80, 0x10}, 5, -EINVAL, 0},
        {33, {0x80, 0x80, 0x80, 0x80, 0x20}, 5, -EINVAL, 0},
        {64, {0x7f}, 1, 0, -1},
        {64, {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f}, 10, 0, INT64_MIN},
        {64, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00}, 10, 0, INT64_MAX},
        {64, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 10, -EINVAL, 0},
        {64, {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7e}, 10, -EINVAL, 0},
        {64, {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 11, -EINVAL, 0},
        {64, {0x80, 0x80}, 2, -EINVAL, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const uint8_t *p = cases[i].b, *end = cases[i].b + cases[i].n;
        int64_t v = 0;
        int32_t v32 = 0;
        int rc;
        if (cases[i].bits == 32) {
            rc = wasm_read_s32(&p, end, &v32);
            v = v32;
        } else if (cases[i].bits == 33) {
            rc = wasm_read_s33(&p, end, &v);
        } else {
            rc = wasm_read_s64(&p, end, &v);
        }
        if (rc != cases[i].rc || (rc == 0 && (v != cases[i].v || p != end)))
            fail_msg("case %zu: rc %d v %lld", i, rc, (long long)v);
    }
}

/* ------------------------------------------------------------------------------------------ */

static void test_empty_module(void **state)
{
    (void)state;
    struct wasm_module m;
    decodes(ARR(HDR), &m);
    assert_int_equal(m.ntypes + m.nfuncs + m.nimports + m.nexports + m.nelems + m.ndatas, 0);
    assert_false(m.has_start);
    assert_false(m.has_datacount);
    wasm_module_clear(&m);
    assert_null(m.bytes);
}

/* wat2wasm of: two types; imports func/table/memory/global; two functions (one with locals
 * i32 i32 f64); an externref table; globals i64 -5 and funcref (ref.func 1); exports; start;
 * an active element segment; an active and a passive data segment. */
/* clang-format off */
static const uint8_t g_full[] = {
    HDR,
    0x01, 0x0a, 0x02, 0x60, 0x02, 0x7f, 0x7e, 0x01, 0x7d, 0x60, 0x00, 0x00, /* type */
    0x02, 0x2a, 0x04,                                                       /* import */
    0x03, 0x65, 0x6e, 0x76, 0x01, 0x66, 0x00, 0x00,                         /* env.f */
    0x03, 0x65, 0x6e, 0x76, 0x03, 0x74, 0x61, 0x62, 0x01, 0x70, 0x01, 0x01, 0x0a,
    0x03, 0x65, 0x6e, 0x76, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x01,
    0x03, 0x65, 0x6e, 0x76, 0x01, 0x67, 0x03, 0x7f, 0x01,
    0x03, 0x03, 0x02, 0x01, 0x00,                                     /* function */
    0x04, 0x04, 0x01, 0x6f, 0x00, 0x02,                               /* table */
    0x06, 0x0b, 0x02, 0x7e, 0x00, 0x42, 0x7b, 0x0b, 0x70, 0x00, 0xd2, 0x01, 0x0b, /* global */
    0x07, 0x0b, 0x02, 0x01, 0x61, 0x00, 0x01, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, /* export */
    0x08, 0x01, 0x01,                                                       /* start */
    0x09, 0x08, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x01, 0x02,             /* element */
    0x0a, 0x10, 0x02, 0x06, 0x02, 0x02, 0x7f, 0x01, 0x7c, 0x0b,             /* code */
    0x07, 0x00, 0x43, 0x00, 0x00, 0x80, 0x3f, 0x0b,
    0x0b, 0x0d, 0x02, 0x00, 0x41, 0x08, 0x0b, 0x02, 0x68, 0x69, 0x01, 0x03, 0x78, 0x79, 0x7a,
};
/* clang-format on */

static void check_full_types_imports(const struct wasm_module *m)
{
    assert_int_equal(m->ntypes, 2);
    assert_int_equal(m->types[0].nparams, 2);
    assert_int_equal(m->types[0].params[0], WASM_I32);
    assert_int_equal(m->types[0].params[1], WASM_I64);
    assert_int_equal(m->types[0].nresults, 1);
    assert_int_equal(m->types[0].results[0], WASM_F32);
    assert_int_equal(m->types[1].nparams + m->types[1].nresults, 0);

    assert_int_equal(m->nimports, 4);
    assert_int_equal(m->imports[0].module.len, 3);
    assert_memory_equal(m->imports[0].module.ptr, "env", 3);
    assert_memory_equal(m->imports[1].name.ptr, "tab", 3);
    for (uint8_t k = 0; k < 4; k++) {
        assert_int_equal(m->imports[k].kind, k);
        assert_int_equal(m->imports[k].index, 0);
    }
    assert_int_equal(m->nimported_funcs, 1);
    assert_int_equal(m->nimported_tables, 1);
    assert_int_equal(m->nimported_memories, 1);
    assert_int_equal(m->nimported_globals, 1);
}

static void check_full_spaces(const struct wasm_module *m)
{
    assert_int_equal(m->nfuncs, 3);
    assert_true(m->funcs[0].imported);
    assert_null(m->funcs[0].body);
    assert_int_equal(m->funcs[1].type, 1);
    assert_false(m->funcs[1].imported);
    assert_int_equal(m->funcs[1].body_size, 6);
    assert_int_equal(m->funcs[1].body[0], 2); /* two local declarations */
    assert_int_equal(m->funcs[1].body_offset, (uint32_t)(m->funcs[1].body - m->bytes));
    assert_int_equal(m->funcs[2].body_size, 7);
    assert_int_equal(m->funcs[2].body[6], 0x0b);

    assert_int_equal(m->ntables, 2);
    assert_int_equal(m->tables[0].elemtype, WASM_FUNCREF);
    assert_true(m->tables[0].lim.has_max);
    assert_int_equal(m->tables[0].lim.min, 1);
    assert_int_equal(m->tables[0].lim.max, 10);
    assert_int_equal(m->tables[1].elemtype, WASM_EXTERNREF);
    assert_false(m->tables[1].lim.has_max);
    assert_int_equal(m->tables[1].lim.min, 2);
    assert_int_equal(m->nmemories, 1);
    assert_true(m->memories[0].imported);
    assert_int_equal(m->memories[0].lim.min, 1);

    assert_int_equal(m->nglobals, 3);
    assert_true(m->globals[0].mutable_);
    assert_int_equal(m->globals[0].type, WASM_I32);
    assert_int_equal(m->globals[1].type, WASM_I64);
    assert_int_equal(m->globals[1].init.size, 3);
    assert_memory_equal(m->globals[1].init.code, ((const uint8_t[]){0x42, 0x7b, 0x0b}), 3);
    assert_int_equal(m->globals[2].type, WASM_FUNCREF);
    assert_memory_equal(m->globals[2].init.code, ((const uint8_t[]){0xd2, 0x01, 0x0b}), 3);
}

static void check_full_rest(const struct wasm_module *m)
{
    assert_int_equal(m->nexports, 2);
    assert_memory_equal(m->exports[1].name.ptr, "mem", 3);
    assert_int_equal(m->exports[1].kind, WASM_EXTERN_MEMORY);
    assert_int_equal(m->exports[0].index, 1);
    assert_true(m->has_start);
    assert_int_equal(m->start, 1);

    assert_int_equal(m->nelems, 1);
    assert_int_equal(m->elems[0].mode, WASM_SEG_ACTIVE);
    assert_int_equal(m->elems[0].count, 2);
    assert_int_equal(m->elems[0].funcidx[1], 2);
    assert_null(m->elems[0].exprs);
    assert_int_equal(m->elems[0].offset.size, 3);

    assert_int_equal(m->ndatas, 2);
    assert_int_equal(m->datas[0].mode, WASM_SEG_ACTIVE);
    assert_int_equal(m->datas[0].size, 2);
    assert_memory_equal(m->datas[0].bytes, "hi", 2);
    assert_int_equal(m->datas[0].offset.code[1], 0x08);
    assert_int_equal(m->datas[1].mode, WASM_SEG_PASSIVE);
    assert_memory_equal(m->datas[1].bytes, "xyz", 3);
    assert_false(m->has_datacount);
}

static void test_full_module(void **state)
{
    (void)state;
    struct wasm_module m;
    decodes(g_full, sizeof(g_full), &m);
    check_full_types_imports(&m);
    check_full_spaces(&m);
    check_full_rest(&m);
    wasm_module_clear(&m);
}

static void test_descriptions(void **state)
{
    (void)state;
    struct wasm_module m;
    struct wasm_extern_desc d;
    decodes(g_full, sizeof(g_full), &m);
    assert_int_equal(wasm_module_import_count(&m), 4);
    assert_int_equal(wasm_module_export_count(&m), 2);
    wasm_module_import(&m, 0, &d);
    assert_int_equal(d.kind, WASM_EXTERN_FUNC);
    assert_int_equal(d.module_len, 3);
    assert_memory_equal(d.name, "f", 1);
    assert_int_equal(d.func.nparams, 2);
    assert_int_equal(d.func.results[0], WASM_F32);
    wasm_module_import(&m, 1, &d);
    assert_int_equal(d.elemtype, WASM_FUNCREF);
    assert_int_equal(d.limits.max, 10);
    wasm_module_import(&m, 3, &d);
    assert_int_equal(d.valtype, WASM_I32);
    assert_true(d.mutable_);
    wasm_module_export(&m, 0, &d);
    assert_int_equal(d.kind, WASM_EXTERN_FUNC);
    assert_null(d.module);
    assert_int_equal(d.func.nparams + d.func.nresults, 0);
    wasm_module_export(&m, 1, &d);
    assert_int_equal(d.kind, WASM_EXTERN_MEMORY);
    assert_int_equal(d.limits.min, 1);
    wasm_module_export(&m, 2, &d); /* out of range: zeroed */
    assert_null(d.name);
    wasm_module_clear(&m);
}

/* All eight element segment encodings, in one section. */
/* clang-format off */
static const uint8_t g_elems[] = {
    HDR,
    0x09, 0x35, 0x08,
    0x00, 0x41, 0x01, 0x0b, 0x01, 0x05,                   /* 0: active t0, funcidx [5] */
    0x01, 0x00, 0x02, 0x06, 0x07,                         /* 1: passive, elemkind, [6 7] */
    0x02, 0x03, 0x41, 0x02, 0x0b, 0x00, 0x01, 0x08,       /* 2: active t3, elemkind, [8] */
    0x03, 0x00, 0x00,                                     /* 3: declarative, [] */
    0x04, 0x41, 0x03, 0x0b, 0x01, 0xd2, 0x09, 0x0b,       /* 4: active t0, exprs */
    0x05, 0x6f, 0x01, 0xd0, 0x6f, 0x0b,                   /* 5: passive externref */
    0x06, 0x02, 0x41, 0x04, 0x0b, 0x70, 0x00,             /* 6: active t2 funcref, [] */
    0x07, 0x70, 0x02, 0xd2, 0x01, 0x0b, 0xd0, 0x70, 0x0b, /* 7: declarative, 2 exprs */
};
/* clang-format on */

static void test_elem_forms(void **state)
{
    (void)state;
    struct wasm_module m;
    static const uint8_t modes[8] = {0, 1, 0, 2, 0, 1, 0, 2};
    static const uint32_t tables[8] = {0, 0, 3, 0, 0, 0, 2, 0};
    static const uint32_t counts[8] = {1, 2, 1, 0, 1, 1, 0, 2};
    decodes(g_elems, sizeof(g_elems), &m);
    assert_int_equal(m.nelems, 8);
    for (int i = 0; i < 8; i++) {
        const struct wasm_elem *e = &m.elems[i];
        assert_int_equal(e->mode, modes[i]);
        assert_int_equal(e->table, tables[i]);
        assert_int_equal(e->count, counts[i]);
        assert_int_equal(e->elemtype, i == 5 ? WASM_EXTERNREF : WASM_FUNCREF);
        assert_true((e->exprs != NULL) == (i >= 4));
        assert_true((e->funcidx != NULL) == (i < 4));
        assert_int_equal(e->offset.size, modes[i] == WASM_SEG_ACTIVE ? 3 : 0);
    }
    assert_int_equal(m.elems[0].funcidx[0], 5);
    assert_int_equal(m.elems[1].funcidx[1], 7);
    assert_int_equal(m.elems[2].offset.code[1], 2);
    assert_memory_equal(m.elems[4].exprs[0].code, ((const uint8_t[]){0xd2, 0x09, 0x0b}), 3);
    assert_int_equal(m.elems[7].exprs[1].size, 3);
    assert_int_equal(m.elems[7].exprs[1].code[0], 0xd0);
    wasm_module_clear(&m);
}

static void test_data_forms(void **state)
{
    (void)state;
    struct wasm_module m;
    decodes(ARR(HDR, 0x0c, 0x01, 0x03,               /* datacount 3 */
                0x0b, 0x11, 0x03,                    /* data */
                0x00, 0x41, 0x01, 0x0b, 0x01, 0xaa,  /* active mem 0 */
                0x01, 0x02, 0xbb, 0xcc,              /* passive */
                0x02, 0x01, 0x41, 0x02, 0x0b, 0x00), /* active mem 1, empty */
            &m);
    assert_true(m.has_datacount);
    assert_int_equal(m.datacount, 3);
    assert_int_equal(m.ndatas, 3);
    assert_int_equal(m.datas[0].mode, WASM_SEG_ACTIVE);
    assert_int_equal(m.datas[0].memory, 0);
    assert_int_equal(m.datas[0].bytes[0], 0xaa);
    assert_int_equal(m.datas[1].mode, WASM_SEG_PASSIVE);
    assert_int_equal(m.datas[1].size, 2);
    assert_null(m.datas[1].offset.code);
    assert_int_equal(m.datas[2].memory, 1);
    assert_int_equal(m.datas[2].size, 0);
    assert_int_equal(m.datas[2].offset.size, 3);
    wasm_module_clear(&m);
}

/* Custom sections anywhere, names in UTF-8, constant expressions of every kind. */
static void test_custom_and_constexprs(void **state)
{
    (void)state;
    struct wasm_module m;
    decodes(ARR(HDR, 0x00, 0x05, 0x02, 0xc3, 0xa9, 0x01, 0x02,        /* custom "é" + payload */
                0x00, 0x01, 0x00,                                     /* custom "" */
                0x06, 0x34, 0x05,                                     /* globals */
                0x7d, 0x00, 0x43, 0x00, 0x00, 0x80, 0x3f, 0x0b,       /* f32.const */
                0x7c, 0x01, 0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x0b, /* f64.const */
                0x7b, 0x00, 0xfd, 0x0c, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                0x0b,                                      /* v128.const */
                0x7f, 0x00, 0x23, 0x00, 0x0b,              /* global.get 0 */
                0x6f, 0x00, 0xd0, 0x6f, 0x0b,              /* ref.null extern */
                0x00, 0x05, 0x04, 0xf0, 0x9f, 0x98, 0x80), /* custom U+1F600 */
            &m);
    assert_int_equal(m.nglobals, 5);
    assert_int_equal(m.globals[1].init.size, 10);
    assert_true(m.globals[1].mutable_);
    assert_int_equal(m.globals[2].type, WASM_V128);
    assert_int_equal(m.globals[2].init.size, 19);
    assert_int_equal(m.globals[4].init.code[1], WASM_EXTERNREF);
    wasm_module_clear(&m);
}

/* ------------------------------------------------------------------------------------------ */
/* Malformed modules                                                                           */

static void test_bad_header(void **state)
{
    (void)state;
    refused(-EINVAL, "unexpected end", (const uint8_t *)"", 0, __LINE__);
    MALFORMED_RAW("unexpected end", 0x01);
    MALFORMED_RAW("unexpected end", 0x00, 0x61, 0x73);
    MALFORMED_RAW("unexpected end", 0x00, 0x61, 0x73, 0x6d);
    MALFORMED_RAW("unexpected end", 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00);
    MALFORMED_RAW("magic header not detected", 0x00, 0x61, 0x73, 0x6e, 0x01, 0x00, 0x00, 0x00);
    MALFORMED_RAW("magic header not detected", 0xef, 0xbb, 0xbf, 0x00, 0x61, 0x73, 0x6d, 0x01);
    MALFORMED_RAW("unknown binary version", 0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00);
    MALFORMED_RAW("unknown binary version", 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x01);
}

static void test_bad_sections(void **state)
{
    (void)state;
    MALFORMED("malformed section id", 0x0d, 0x00);
    MALFORMED("malformed section id", 0x80, 0x00, 0x01, 0x00);
    MALFORMED("malformed section id", 0x01, 0x01, 0x00, 0xff, 0x00); /* junk after a section */
    MALFORMED("unexpected end", 0x01);
    MALFORMED("unexpected end", 0x01, 0x80);
    MALFORMED("length out of bounds", 0x01, 0x05, 0x00);
    MALFORMED("length out of bounds", HDR); /* two concatenated modules */
    MALFORMED("section size mismatch", 0x01, 0x02, 0x00, 0x00);
    MALFORMED("section size mismatch", 0x08, 0x02, 0x00, 0x00);
    MALFORMED("unexpected content after last section", 0x01, 0x01, 0x00, 0x01, 0x01, 0x00);
    MALFORMED("unexpected content after last section", 0x03, 0x01, 0x00, 0x01, 0x01, 0x00);
    MALFORMED("unexpected content after last section", 0x0b, 0x01, 0x00, 0x01, 0x01, 0x00);
    MALFORMED("unexpected content after last section", 0x0a, 0x01, 0x00, 0x0c, 0x01, 0x00);
    MALFORMED("unexpected content after last section", 0x0c, 0x01, 0x00, 0x09, 0x01, 0x00);
    /* datacount sits between element and code; custom sections go anywhere */
    struct wasm_module m;
    decodes(ARR(HDR, 0x00, 0x01, 0x00, 0x09, 0x01, 0x00, 0x00, 0x01, 0x00, 0x0c, 0x01, 0x00, 0x0a,
                0x01, 0x00, 0x0b, 0x01, 0x00, 0x00, 0x01, 0x00),
            &m);
    assert_true(m.has_datacount);
    wasm_module_clear(&m);
}

static void test_bad_leb(void **state)
{
    (void)state;
    MALFORMED("integer representation too long", 0x05, 0x08, 0x01, 0x00, 0x82, 0x80, 0x80, 0x80,
              0x80, 0x00);
    MALFORMED("integer too large", 0x05, 0x07, 0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x70);
    MALFORMED("integer too large", 0x06, 0x0a, 0x01, 0x7f, 0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x70,
              0x0b);
    MALFORMED("integer too large", 0x06, 0x0a, 0x01, 0x7f, 0x00, 0x41, 0xff, 0xff, 0xff, 0xff, 0x0f,
              0x0b);
    MALFORMED("integer representation too long", 0x06, 0x10, 0x01, 0x7e, 0x00, 0x42, 0x80, 0x80,
              0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b);
    MALFORMED("integer too large", 0x06, 0x0f, 0x01, 0x7e, 0x00, 0x42, 0xff, 0xff, 0xff, 0xff, 0xff,
              0xff, 0xff, 0xff, 0xff, 0x41, 0x0b);
    /* an integer cut by its section's end is still judged on the bytes that follow */
    MALFORMED("integer representation too long", 0x03, 0x03, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80,
              0x00);
    MALFORMED("unexpected end of section or function", 0x03, 0x02, 0x01, 0x80, 0x00);
    /* section sizes and string lengths are LEB128 too */
    MALFORMED("integer representation too long", 0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
    MALFORMED("integer too large", 0x00, 0x06, 0x80, 0x80, 0x80, 0x80, 0x10, 0x00);
}

static void test_bad_utf8(void **state)
{
    (void)state;
    static const uint8_t bad[][4] = {
        {0x80},                   /* lone continuation */
        {0xc0, 0x80},             /* overlong NUL */
        {0xc1, 0xbf},             /* overlong */
        {0xe0, 0x9f, 0xbf},       /* overlong 3-byte */
        {0xed, 0xa0, 0x80},       /* surrogate U+D800 */
        {0xed, 0xbf, 0xbf},       /* surrogate U+DFFF */
        {0xf0, 0x8f, 0xbf, 0xbf}, /* overlong 4-byte */
        {0xf4, 0x90, 0x80, 0x80}, /* above U+10FFFF */
        {0xf8, 0x88, 0x80, 0x80}, /* 5-byte lead */
        {0xe2, 0x82},             /* truncated */
        {0xc3, 0x41},             /* bad continuation */
        {0xfe},
        {0xff},
    };
    static const uint8_t len[] = {1, 2, 2, 3, 3, 3, 4, 4, 4, 2, 2, 1, 1};
    for (size_t i = 0; i < sizeof(len); i++) {
        uint8_t mod[32] = {HDR, 0x00, (uint8_t)(len[i] + 1), len[i]};
        memcpy(mod + 11, bad[i], len[i]);
        refused(-EINVAL, "malformed UTF-8 encoding", mod, 11u + len[i], __LINE__);
        /* the same as an import's module name */
        uint8_t imp[40] = {HDR, 0x02, (uint8_t)(len[i] + 7), 0x01, len[i]};
        memcpy(imp + 12, bad[i], len[i]);
        memcpy(imp + 12 + len[i], ((const uint8_t[]){0x01, 0x61, 0x02, 0x00, 0x00}), 5);
        refused(-EINVAL, "malformed UTF-8 encoding", imp, 17u + len[i], __LINE__);
    }
    MALFORMED("length out of bounds", 0x00, 0x02, 0x05, 0x61);
    /* valid edge cases: U+7F, U+80, U+7FF, U+800, U+FFFF, U+10000, U+10FFFF */
    struct wasm_module m;
    decodes(ARR(HDR, 0x00, 0x14, 0x13, 0x7f, 0xc2, 0x80, 0xdf, 0xbf, 0xe0, 0xa0, 0x80, 0xef, 0xbf,
                0xbf, 0xf0, 0x90, 0x80, 0x80, 0xf4, 0x8f, 0xbf, 0xbf),
            &m);
    wasm_module_clear(&m);
}

static void test_bad_types_imports(void **state)
{
    (void)state;
    MALFORMED("malformed function type", 0x01, 0x04, 0x01, 0x61, 0x00, 0x00);
    MALFORMED("integer representation too long", 0x01, 0x05, 0x01, 0xe0, 0x7f, 0x00, 0x00);
    MALFORMED("malformed value type", 0x01, 0x05, 0x01, 0x60, 0x01, 0x7a, 0x00);
    MALFORMED("malformed value type", 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x40);
    MALFORMED("unexpected end of section or function", 0x01, 0x04, 0x02, 0x60, 0x00, 0x00);
    MALFORMED("unexpected end of section or function", 0x04, 0x01, 0x01);
    MALFORMED("malformed import kind", 0x02, 0x04, 0x01, 0x00, 0x00, 0x04);
    MALFORMED("malformed import kind", 0x02, 0x05, 0x01, 0x00, 0x00, 0x80, 0x00);
    MALFORMED("malformed reference type", 0x02, 0x06, 0x01, 0x00, 0x00, 0x01, 0x7f, 0x00);
    MALFORMED("integer too large", 0x02, 0x07, 0x01, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00);
    MALFORMED("integer representation too long", 0x05, 0x05, 0x01, 0x81, 0x00, 0x00, 0x00);
    MALFORMED("malformed mutability", 0x02, 0x06, 0x01, 0x00, 0x00, 0x03, 0x7f, 0x02);
    MALFORMED("malformed mutability", 0x06, 0x06, 0x01, 0x7f, 0xff, 0x41, 0x00, 0x0b);
    MALFORMED("malformed export kind", 0x07, 0x05, 0x01, 0x01, 0x61, 0x04, 0x00);
}

static void test_bad_counts(void **state)
{
    (void)state;
    /* function section without code section, and the reverse, and a count mismatch */
    MALFORMED("function and code section have inconsistent lengths", 0x01, 0x04, 0x01, 0x60, 0x00,
              0x00, 0x03, 0x02, 0x01, 0x00);
    MALFORMED("function and code section have inconsistent lengths", 0x0a, 0x04, 0x01, 0x02, 0x00,
              0x0b);
    MALFORMED("function and code section have inconsistent lengths", 0x01, 0x04, 0x01, 0x60, 0x00,
              0x00, 0x03, 0x03, 0x02, 0x00, 0x00, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b);
    /* data count */
    MALFORMED("data count and data section have inconsistent lengths", 0x0c, 0x01, 0x01);
    MALFORMED("data count and data section have inconsistent lengths", 0x0c, 0x01, 0x03, 0x0b, 0x05,
              0x02, 0x01, 0x00, 0x01, 0x00);
    MALFORMED("data count and data section have inconsistent lengths", 0x0c, 0x01, 0x01, 0x0b, 0x05,
              0x02, 0x01, 0x00, 0x01, 0x00);
    struct wasm_module m; /* datacount 0 without a data section is fine */
    decodes(ARR(HDR, 0x0c, 0x01, 0x00), &m);
    wasm_module_clear(&m);
}

static void test_bad_code(void **state)
{
    (void)state;
#define TYPE_FUNC 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00
    MALFORMED("too many locals", TYPE_FUNC, 0x0a, 0x0c, 0x01, 0x0a, 0x02, 0xff, 0xff, 0xff, 0xff,
              0x0f, 0x7f, 0x02, 0x7e, 0x0b);
    MALFORMED("too many locals", TYPE_FUNC, 0x0a, 0x1c, 0x01, 0x1a, 0x04, 0x80, 0x80, 0x80, 0x80,
              0x04, 0x7f, 0x80, 0x80, 0x80, 0x80, 0x04, 0x7e, 0x80, 0x80, 0x80, 0x80, 0x04, 0x7d,
              0x80, 0x80, 0x80, 0x80, 0x04, 0x7c, 0x0b);
    TOO_BIG("too many locals", TYPE_FUNC, 0x0a, 0x08, 0x01, 0x06, 0x01, 0xd1, 0x86, 0x03, 0x7f,
            0x0b); /* 50001 */
    /* 50000 declared locals plus one parameter */
    TOO_BIG("too many locals", 0x01, 0x05, 0x01, 0x60, 0x01, 0x7f, 0x00, 0x03, 0x02, 0x01, 0x00,
            0x0a, 0x08, 0x01, 0x06, 0x01, 0xd0, 0x86, 0x03, 0x7f, 0x0b);
    MALFORMED("malformed value type", TYPE_FUNC, 0x0a, 0x06, 0x01, 0x04, 0x01, 0x01, 0x00, 0x0b);
    MALFORMED("unexpected end of section or function", TYPE_FUNC, 0x0a, 0x04, 0x01, 0x05, 0x00,
              0x0b);
    MALFORMED("unexpected end of section or function", TYPE_FUNC, 0x0a, 0x03, 0x01, 0x01, 0x01);
    MALFORMED("unexpected end of section or function", TYPE_FUNC, 0x0a, 0x02, 0x01, 0x00);
    struct wasm_module m; /* exactly 50000 locals is fine */
    decodes(ARR(HDR, TYPE_FUNC, 0x0a, 0x08, 0x01, 0x06, 0x01, 0xd0, 0x86, 0x03, 0x7f, 0x0b), &m);
    assert_int_equal(m.funcs[0].body_size, 6);
    wasm_module_clear(&m);
#undef TYPE_FUNC
}

static void test_bad_segments(void **state)
{
    (void)state;
    MALFORMED("malformed elements segment kind", 0x09, 0x02, 0x01, 0x08);
    MALFORMED("malformed element kind", 0x09, 0x04, 0x01, 0x01, 0x01, 0x00);
    MALFORMED("malformed reference type", 0x09, 0x07, 0x01, 0x05, 0x7f, 0x01, 0xd2, 0x00, 0x0b);
    MALFORMED("illegal opcode", 0x09, 0x07, 0x01, 0x05, 0x70, 0x01, 0xf3, 0x00, 0x0b);
    MALFORMED("constant expression required", 0x09, 0x07, 0x01, 0x04, 0x41, 0x00, 0x6a, 0x0b, 0x00);
    MALFORMED("constant expression required", 0x06, 0x05, 0x01, 0x7f, 0x00, 0x01, 0x0b);
    MALFORMED("constant expression required", 0x06, 0x06, 0x01, 0x7f, 0x00, 0xfc, 0x00, 0x0b);
    MALFORMED("constant expression required", 0x06, 0x06, 0x01, 0x7b, 0x00, 0xfd, 0x0d, 0x0b);
    MALFORMED("malformed reference type", 0x06, 0x06, 0x01, 0x70, 0x00, 0xd0, 0x7f, 0x0b);
    MALFORMED("unexpected end of section or function", 0x06, 0x04, 0x01, 0x7f, 0x00, 0x41);
    MALFORMED("unexpected end of section or function", 0x06, 0x05, 0x01, 0x7f, 0x00, 0x41, 0x00);
    MALFORMED("unexpected end of section or function", 0x06, 0x07, 0x01, 0x7d, 0x00, 0x43, 0x00,
              0x00, 0x0b);
    MALFORMED("malformed data segment kind", 0x0b, 0x02, 0x01, 0x03);
    MALFORMED("unexpected end of section or function", 0x0b, 0x07, 0x01, 0x00, 0x41, 0x00, 0x0b,
              0x02, 0x61);
    MALFORMED("section size mismatch", 0x0b, 0x07, 0x01, 0x01, 0x01, 0x61, 0x62, 0x63, 0x64);
}

/* Counts far beyond the input are refused at the count, before any allocation. */
static void test_huge_counts(void **state)
{
    (void)state;
    MALFORMED("(4294967295 types)", 0x01, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f);
    MALFORMED("(1000000000 imports)", 0x02, 0x05, 0x80, 0x94, 0xeb, 0xdc, 0x03);
    MALFORMED("(1000000000 functions)", 0x03, 0x05, 0x80, 0x94, 0xeb, 0xdc, 0x03);
    MALFORMED("(1000000000 globals)", 0x06, 0x05, 0x80, 0x94, 0xeb, 0xdc, 0x03);
    MALFORMED("(1000000000 exports)", 0x07, 0x05, 0x80, 0x94, 0xeb, 0xdc, 0x03);
    MALFORMED("(1000000000 element segments)", 0x09, 0x05, 0x80, 0x94, 0xeb, 0xdc, 0x03);
    MALFORMED("(1000000000 elements)", 0x09, 0x08, 0x01, 0x01, 0x00, 0x80, 0x94, 0xeb, 0xdc, 0x03);
    MALFORMED("(1000000000 data segments)", 0x0b, 0x05, 0x80, 0x94, 0xeb, 0xdc, 0x03);
    MALFORMED("(1000000000 data bytes)", 0x0b, 0x07, 0x01, 0x01, 0x80, 0x94, 0xeb, 0xdc, 0x03);
    MALFORMED("(1000000000 parameters)", 0x01, 0x07, 0x01, 0x60, 0x80, 0x94, 0xeb, 0xdc, 0x03);
    MALFORMED("(1000000000 local declarations)", 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02,
              0x01, 0x00, 0x0a, 0x08, 0x01, 0x06, 0x80, 0x94, 0xeb, 0xdc, 0x03, 0x0b);
    MALFORMED("(body of 1000000000 bytes)", 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01,
              0x00, 0x0a, 0x06, 0x01, 0x80, 0x94, 0xeb, 0xdc, 0x03);
    MALFORMED("length out of bounds", 0x00, 0x05, 0x80, 0x94, 0xeb, 0xdc, 0x03);
}

/* Writes v as a 5-byte (maximal) LEB128 u32 at p. */
static uint8_t *put_u32_5(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++, v >>= 7)
        *p++ = (uint8_t)(0x80 | (v & 0x7f));
    *p++ = (uint8_t)v;
    return p;
}

/* A module with one section (id) whose contents are prefix[0..n) followed by fill bytes. */
static uint8_t *one_section(uint8_t id, const uint8_t *prefix, size_t n, uint32_t count,
                            uint8_t fill, size_t nfill, size_t *size)
{
    uint8_t *b = malloc(8 + 1 + 5 + n + 5 + nfill), *p = b;
    assert_non_null(b);
    memcpy(p, (const uint8_t[]){HDR}, 8);
    p[8] = id;
    p = put_u32_5(p + 9, (uint32_t)(n + 5 + nfill));
    if (n) memcpy(p, prefix, n);
    p = put_u32_5(p + n, count);
    memset(p, fill, nfill);
    *size = (size_t)(p + nfill - b);
    return b;
}

/* Counts that the input can hold but that exceed the engine caps of module.h. */
static void test_engine_caps(void **state)
{
    (void)state;
    size_t size;
    uint8_t *b = one_section(1, (const uint8_t[]){0x01, 0x60}, 2, WASM_MAX_PARAMS + 1, WASM_I32,
                             WASM_MAX_PARAMS + 2, &size);
    refused(-E2BIG, "too many parameters", b, size, __LINE__);
    free(b);
    b = one_section(3, NULL, 0, WASM_MAX_FUNCS + 1, 0x00, WASM_MAX_FUNCS + 1, &size);
    refused(-E2BIG, "too many functions", b, size, __LINE__);
    free(b);
    b = one_section(2, NULL, 0, WASM_MAX_IMPORTS + 1, 0x00, 4 * (WASM_MAX_IMPORTS + 1), &size);
    refused(-E2BIG, "too many imports", b, size, __LINE__);
    free(b);
    /* exactly at the cap is fine */
    b = one_section(1, (const uint8_t[]){0x01, 0x60}, 2, WASM_MAX_PARAMS, WASM_I32,
                    WASM_MAX_PARAMS + 1, &size);
    b[size - 1] = 0; /* no results */
    struct wasm_module m;
    decodes(b, size, &m);
    assert_int_equal(m.types[0].nparams, WASM_MAX_PARAMS);
    wasm_module_clear(&m);
    free(b);
}

/* Every prefix of a valid module is refused, except those ending on a section boundary. */
static void test_truncations(void **state)
{
    (void)state;
    bool boundary[sizeof(g_full) + 1] = {false};
    for (size_t at = 8; at < sizeof(g_full); at += 2u + g_full[at + 1]) /* sizes are < 128 */
        boundary[at] = true;
    boundary[sizeof(g_full)] = true;
    for (size_t n = 0; n <= sizeof(g_full); n++) {
        struct wasm_module m;
        struct wasm_error e;
        int rc = decode(g_full, n, &m, &e);
        /* the function section without its code section is refused too */
        bool ok = boundary[n] && (n < 0x45 || n > 0x72);
        if (ok ? rc != 0 : rc != -EINVAL) fail_msg("prefix %zu: rc %d (%s)", n, rc, e.msg);
        wasm_module_clear(&m);
    }
}

/* Random single-byte mutations of a valid module: never a crash, only 0 or an errno. */
static void test_mutations(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    uint8_t buf[sizeof(g_full)];
    for (int iter = 0; iter < 20000; iter++) {
        memcpy(buf, g_full, sizeof(buf));
        for (int k = 0; k < 1 + iter % 3; k++) {
            seed = seed * 1103515245u + 12345u;
            buf[(seed >> 8) % sizeof(buf)] = (uint8_t)(seed >> 20);
        }
        struct wasm_module m;
        struct wasm_error e;
        int rc = decode(buf, sizeof(buf), &m, &e);
        assert_true(rc == 0 || rc == -EINVAL || rc == -E2BIG);
        assert_true(rc == 0 || strncmp(e.msg, "offset 0x", 9) == 0);
        wasm_module_clear(&m);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* wasm_module_new                                                                             */

static void test_module_new(void **state)
{
    (void)state;
    struct wasm_module *mod = NULL;
    struct wasm_error e;
    static const uint8_t one[1] = {0};
    static const uint8_t empty[] = {HDR};
    static const uint8_t bad[] = {HDR, 0x0d, 0x00};

    assert_int_equal(wasm_module_new(one, (size_t)WASM_MAX_MODULE_SIZE + 1, &mod, &e), -E2BIG);
    assert_int_equal(e.code, -E2BIG);
    assert_null(mod);
    assert_int_equal(wasm_module_new(bad, sizeof(bad), &mod, &e), -EINVAL);
    assert_non_null(strstr(e.msg, "offset 0x8: malformed section id"));
    assert_null(mod);
    assert_int_equal(wasm_module_new(NULL, 0, &mod, &e), -EINVAL);
    assert_null(mod);
    assert_int_equal(wasm_module_new(empty, sizeof(empty), &mod, NULL), 0);
    assert_non_null(mod);
    assert_int_equal(wasm_module_import_count(mod), 0);
    assert_int_equal(wasm_module_export_count(mod), 0);
    wasm_module_free(mod);
    wasm_module_free(NULL);
    assert_int_equal(wasm_module_import_count(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leb_u32),           cmocka_unit_test(test_leb_signed),
        cmocka_unit_test(test_empty_module),      cmocka_unit_test(test_full_module),
        cmocka_unit_test(test_descriptions),      cmocka_unit_test(test_elem_forms),
        cmocka_unit_test(test_data_forms),        cmocka_unit_test(test_custom_and_constexprs),
        cmocka_unit_test(test_bad_header),        cmocka_unit_test(test_bad_sections),
        cmocka_unit_test(test_bad_leb),           cmocka_unit_test(test_bad_utf8),
        cmocka_unit_test(test_bad_types_imports), cmocka_unit_test(test_bad_counts),
        cmocka_unit_test(test_bad_code),          cmocka_unit_test(test_bad_segments),
        cmocka_unit_test(test_huge_counts),       cmocka_unit_test(test_engine_caps),
        cmocka_unit_test(test_truncations),       cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_module_new),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
