/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_simd.c - known-answer tests for the SIMD instruction semantics (src/wasm/simd.h) and a
 * consistency check of the instruction table (src/wasm/simd.def).
 *
 * Every family of instructions gets its edge cases: saturation boundaries, INT_MIN, shift
 * counts at and past the lane width, NaN (canonical, arithmetic and signalling inputs), -0
 * against +0, rounding ties, and lane order (lane 0 is the lowest-addressed byte and bit 0 of
 * a bitmask). Expected values are written out by hand from the spec's definitions, never
 * computed by the code under test. The table check also asserts at compile time that every
 * function has exactly the C signature its shape promises.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "wasm/simd.h"

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                   */

#define V8(...) ((wasm_v128){.u8 = {__VA_ARGS__}})
#define VI8(...) ((wasm_v128){.i8 = {__VA_ARGS__}})
#define VI16(...) ((wasm_v128){.i16 = {__VA_ARGS__}})
#define VU16(...) ((wasm_v128){.u16 = {__VA_ARGS__}})
#define VI32(...) ((wasm_v128){.i32 = {__VA_ARGS__}})
#define VU32(...) ((wasm_v128){.u32 = {__VA_ARGS__}})
#define VI64(...) ((wasm_v128){.i64 = {__VA_ARGS__}})
#define VU64(...) ((wasm_v128){.u64 = {__VA_ARGS__}})
#define VF32(...) ((wasm_v128){.f32 = {__VA_ARGS__}})
#define VF64(...) ((wasm_v128){.f64 = {__VA_ARGS__}})

#define ASSERT_V128(got, want)                                                                     \
    do {                                                                                           \
        wasm_v128 got_ = (got), want_ = (want);                                                    \
        assert_memory_equal(got_.u8, want_.u8, 16);                                                \
    } while (0)

#define F32_CANON UINT32_C(0x7fc00000)
#define F32_SNAN UINT32_C(0x7fa00000)  /* signalling NaN with payload 0x200000 */
#define F32_ARITH UINT32_C(0x7fe00000) /* quiet, non-canonical payload */
#define F64_CANON UINT64_C(0x7ff8000000000000)
#define F64_SNAN UINT64_C(0x7ff4000000000000)
#define F32_NEG_ZERO UINT32_C(0x80000000)
#define F64_NEG_ZERO UINT64_C(0x8000000000000000)

static int f32_is_canonical_nan(uint32_t b)
{
    return (b & UINT32_C(0x7fffffff)) == F32_CANON;
}
static int f32_is_arith_nan(uint32_t b)
{
    return (b & F32_CANON) == F32_CANON;
}
static int f64_is_canonical_nan(uint64_t b)
{
    return (b & UINT64_C(0x7fffffffffffffff)) == F64_CANON;
}
static int f64_is_arith_nan(uint64_t b)
{
    return (b & F64_CANON) == F64_CANON;
}

static wasm_v128 iota(void)
{
    return V8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

/* ---------------------------------------------------------------------------------------- */
/* The table                                                                                 */

/* The C type each shape promises (simd.h's file comment); checked at compile time below. */
typedef wasm_v128 (*shape_LOAD)(const uint8_t *);
typedef wasm_v128 (*shape_LOAD_LANE)(const uint8_t *, wasm_v128, uint32_t);
typedef void (*shape_STORE)(uint8_t *, wasm_v128);
typedef void (*shape_STORE_LANE)(uint8_t *, wasm_v128, uint32_t);
typedef void (*shape_CONST)(void);
typedef wasm_v128 (*shape_SHUFFLE)(wasm_v128, wasm_v128, const uint8_t *);
typedef uint32_t (*shape_EXTRACT_I32)(wasm_v128, uint32_t);
typedef uint64_t (*shape_EXTRACT_I64)(wasm_v128, uint32_t);
typedef uint32_t (*shape_EXTRACT_F32)(wasm_v128, uint32_t);
typedef uint64_t (*shape_EXTRACT_F64)(wasm_v128, uint32_t);
typedef wasm_v128 (*shape_REPLACE_I32)(wasm_v128, uint32_t, uint32_t);
typedef wasm_v128 (*shape_REPLACE_I64)(wasm_v128, uint32_t, uint64_t);
typedef wasm_v128 (*shape_REPLACE_F32)(wasm_v128, uint32_t, uint32_t);
typedef wasm_v128 (*shape_REPLACE_F64)(wasm_v128, uint32_t, uint64_t);
typedef wasm_v128 (*shape_SPLAT_I32)(uint32_t);
typedef wasm_v128 (*shape_SPLAT_I64)(uint64_t);
typedef wasm_v128 (*shape_SPLAT_F32)(uint32_t);
typedef wasm_v128 (*shape_SPLAT_F64)(uint64_t);
typedef wasm_v128 (*shape_UNARY)(wasm_v128);
typedef wasm_v128 (*shape_BINARY)(wasm_v128, wasm_v128);
typedef wasm_v128 (*shape_TERNARY)(wasm_v128, wasm_v128, wasm_v128);
typedef uint32_t (*shape_TEST)(wasm_v128);
typedef wasm_v128 (*shape_SHIFT)(wasm_v128, uint32_t);

#define SIMD_OP(name, subop, shape, lanes, bytes, fn)                                              \
    static_assert(_Generic((fn), shape_##shape : 1, default : 0), #fn " has the wrong type");
#include "wasm/simd.def"
#undef SIMD_OP

enum shape {
    LOAD,
    LOAD_LANE,
    STORE,
    STORE_LANE,
    CONST,
    SHUFFLE,
    EXTRACT_I32,
    EXTRACT_I64,
    EXTRACT_F32,
    EXTRACT_F64,
    REPLACE_I32,
    REPLACE_I64,
    REPLACE_F32,
    REPLACE_F64,
    SPLAT_I32,
    SPLAT_I64,
    SPLAT_F32,
    SPLAT_F64,
    UNARY,
    BINARY,
    TERNARY,
    TEST,
    SHIFT,
};

struct op_row {
    const char *name;
    const char *fn;
    uint32_t subop;
    enum shape shape;
    uint32_t lanes, bytes;
};

static const struct op_row g_ops[] = {
#define SIMD_OP(name, subop, shape, lanes, bytes, fn) {#name, #fn, subop, shape, lanes, bytes},
#include "wasm/simd.def"
#undef SIMD_OP
};
#define N_OPS (sizeof(g_ops) / sizeof(g_ops[0]))

static void test_def_count_and_unique(void **state)
{
    (void)state;
    assert_int_equal(N_OPS, 236);
    for (size_t i = 0; i < N_OPS; i++) {
        assert_true(g_ops[i].subop <= 0xff);
        if (i > 0) /* strictly increasing: unique, and in opcode order */
            assert_true(g_ops[i - 1].subop < g_ops[i].subop);
    }
    /* The 20 unassigned subopcodes, and nothing else, are missing from 0x00..0xff. */
    static const uint32_t gaps[] = {0x9a, 0xa2, 0xa5, 0xa6, 0xaf, 0xb0, 0xb2, 0xb3, 0xb4, 0xbb,
                                    0xc2, 0xc5, 0xc6, 0xcf, 0xd0, 0xd2, 0xd3, 0xd4, 0xe2, 0xee};
    size_t row = 0, gap = 0;
    for (uint32_t op = 0; op <= 0xff; op++) {
        if (gap < 20 && gaps[gap] == op) {
            gap++;
            continue;
        }
        assert_true(row < N_OPS);
        assert_int_equal(g_ops[row++].subop, op);
    }
    assert_int_equal(row, N_OPS);
}

static void test_def_fields(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_OPS; i++) {
        const struct op_row *o = &g_ops[i];
        char want[80];
        snprintf(want, sizeof(want), "simd_%s", o->name);
        assert_string_equal(o->fn, o->shape == CONST ? "simd_none" : want);
        int memory = o->shape == LOAD || o->shape == STORE || o->shape == LOAD_LANE ||
                     o->shape == STORE_LANE;
        int lane_imm = o->shape == LOAD_LANE || o->shape == STORE_LANE ||
                       (o->shape >= EXTRACT_I32 && o->shape <= REPLACE_F64);
        if (memory) /* a power of two from 1 to 16 */
            assert_true(o->bytes >= 1 && o->bytes <= 16 && (o->bytes & (o->bytes - 1)) == 0);
        else
            assert_int_equal(o->bytes, 0);
        if (lane_imm)
            assert_true(o->lanes == 2 || o->lanes == 4 || o->lanes == 8 || o->lanes == 16);
        else
            assert_int_equal(o->lanes, 0);
        if (o->shape == LOAD_LANE || o->shape == STORE_LANE)
            assert_int_equal(o->lanes * o->bytes, 16);
    }
}

/* Spot checks of rows against the binary encoding of the spec. */
static void test_def_known_rows(void **state)
{
    (void)state;
    static const struct op_row want[] = {
        {"v128_load", "", 0x00, LOAD, 0, 16},
        {"v128_load8x8_s", "", 0x01, LOAD, 0, 8},
        {"v128_load8_splat", "", 0x07, LOAD, 0, 1},
        {"v128_const", "", 0x0c, CONST, 0, 0},
        {"i8x16_shuffle", "", 0x0d, SHUFFLE, 0, 0},
        {"i8x16_extract_lane_s", "", 0x15, EXTRACT_I32, 16, 0},
        {"f64x2_replace_lane", "", 0x22, REPLACE_F64, 2, 0},
        {"v128_bitselect", "", 0x52, TERNARY, 0, 0},
        {"v128_load16_lane", "", 0x55, LOAD_LANE, 8, 2},
        {"v128_store64_lane", "", 0x5b, STORE_LANE, 2, 8},
        {"v128_load32_zero", "", 0x5c, LOAD, 0, 4},
        {"i16x8_q15mulr_sat_s", "", 0x82, BINARY, 0, 0},
        {"i32x4_dot_i16x8_s", "", 0xba, BINARY, 0, 0},
        {"i64x2_bitmask", "", 0xc4, TEST, 0, 0},
        {"i64x2_shr_u", "", 0xcd, SHIFT, 0, 0},
        {"f32x4_pmax", "", 0xeb, BINARY, 0, 0},
        {"f64x2_convert_low_i32x4_u", "", 0xff, UNARY, 0, 0},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        size_t j = 0;
        while (j < N_OPS && strcmp(g_ops[j].name, want[i].name) != 0)
            j++;
        assert_true(j < N_OPS);
        assert_int_equal(g_ops[j].subop, want[i].subop);
        assert_int_equal(g_ops[j].shape, want[i].shape);
        assert_int_equal(g_ops[j].lanes, want[i].lanes);
        assert_int_equal(g_ops[j].bytes, want[i].bytes);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Memory                                                                                    */

static void test_load_store(void **state)
{
    (void)state;
    uint8_t mem[40];
    for (int i = 0; i < 40; i++)
        mem[i] = (uint8_t)(0x80 + i);
    /* Unaligned on purpose: the functions must not assume alignment. */
    ASSERT_V128(simd_v128_load(mem + 1), V8(0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
                                            0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90));
    ASSERT_V128(simd_v128_load8x8_s(mem + 1), VI16(-127, -126, -125, -124, -123, -122, -121, -120));
    ASSERT_V128(simd_v128_load8x8_u(mem + 1), VU16(0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88));
    /* 16-bit lanes are little-endian: bytes 81 82 -> 0x8281. */
    ASSERT_V128(simd_v128_load16x4_s(mem + 1),
                VI32((int16_t)0x8281, (int16_t)0x8483, (int16_t)0x8685, (int16_t)0x8887));
    ASSERT_V128(simd_v128_load16x4_u(mem + 1), VU32(0x8281, 0x8483, 0x8685, 0x8887));
    ASSERT_V128(simd_v128_load32x2_s(mem + 1), VI64((int32_t)0x84838281u, (int32_t)0x88878685u));
    ASSERT_V128(simd_v128_load32x2_u(mem + 1), VU64(0x84838281u, 0x88878685u));
    uint8_t pos[8] = {1, 2, 3, 4, 5, 6, 7, 0x7f};
    ASSERT_V128(simd_v128_load8x8_s(pos), VI16(1, 2, 3, 4, 5, 6, 7, 127));
    ASSERT_V128(simd_v128_load32x2_s(pos), VI64(0x04030201, 0x7f070605));

    uint8_t out[18] = {0};
    simd_v128_store(out + 1, iota());
    assert_int_equal(out[0], 0);
    for (int i = 0; i < 16; i++)
        assert_int_equal(out[1 + i], i);
    assert_int_equal(out[17], 0);
}

static void test_load_splat_zero(void **state)
{
    (void)state;
    uint8_t mem[9] = {0xee, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x88};
    ASSERT_V128(simd_v128_load8_splat(mem + 8), V8(0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88,
                                                   0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88));
    ASSERT_V128(simd_v128_load16_splat(mem + 1),
                VU16(0x0201, 0x0201, 0x0201, 0x0201, 0x0201, 0x0201, 0x0201, 0x0201));
    ASSERT_V128(simd_v128_load32_splat(mem + 1),
                VU32(0x04030201, 0x04030201, 0x04030201, 0x04030201));
    ASSERT_V128(simd_v128_load64_splat(mem + 1), VU64(0x8807060504030201u, 0x8807060504030201u));
    ASSERT_V128(simd_v128_load32_zero(mem + 1), VU32(0x04030201, 0, 0, 0));
    ASSERT_V128(simd_v128_load64_zero(mem + 1), VU64(0x8807060504030201u, 0));
}

static void test_load_store_lane(void **state)
{
    (void)state;
    uint8_t mem[9] = {0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8};
    wasm_v128 v = iota();
    ASSERT_V128(simd_v128_load8_lane(mem + 1, v, 15),
                V8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0xa1));
    ASSERT_V128(simd_v128_load16_lane(mem + 1, v, 1),
                V8(0, 1, 0xa1, 0xa2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    ASSERT_V128(simd_v128_load32_lane(mem + 1, v, 3),
                V8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0xa1, 0xa2, 0xa3, 0xa4));
    ASSERT_V128(simd_v128_load64_lane(mem + 1, v, 0),
                V8(0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 8, 9, 10, 11, 12, 13, 14, 15));

    uint8_t out[10];
    memset(out, 0xcc, sizeof(out));
    simd_v128_store8_lane(out + 1, v, 7);
    assert_int_equal(out[1], 7);
    assert_int_equal(out[2], 0xcc);
    simd_v128_store16_lane(out + 1, v, 7);
    assert_int_equal(out[1], 14);
    assert_int_equal(out[2], 15);
    assert_int_equal(out[3], 0xcc);
    simd_v128_store32_lane(out + 1, v, 2);
    assert_memory_equal(out + 1, ((uint8_t[]){8, 9, 10, 11, 0xcc}), 5);
    simd_v128_store64_lane(out + 1, v, 1);
    assert_memory_equal(out, ((uint8_t[]){0xcc, 8, 9, 10, 11, 12, 13, 14, 15, 0xcc}), 10);
}

/* ---------------------------------------------------------------------------------------- */
/* Lane moves                                                                                */

static void test_shuffle_swizzle(void **state)
{
    (void)state;
    wasm_v128 a = iota();
    wasm_v128 b = V8(16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
    uint8_t rev[16] = {31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16};
    uint8_t mix[16] = {0, 16, 1, 17, 15, 31, 2, 2, 18, 18, 3, 19, 7, 23, 8, 24};
    ASSERT_V128(simd_i8x16_shuffle(a, b, rev),
                V8(31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16));
    ASSERT_V128(simd_i8x16_shuffle(a, b, mix),
                V8(0, 16, 1, 17, 15, 31, 2, 2, 18, 18, 3, 19, 7, 23, 8, 24));
    /* Lane indices select bytes, so a shuffle of i32 lanes keeps them little-endian. */
    uint8_t swap32[16] = {4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11};
    ASSERT_V128(simd_i8x16_shuffle(VU32(0x11223344, 0x55667788, 1, 2), b, swap32),
                VU32(0x55667788, 0x11223344, 2, 1));

    wasm_v128 idx = V8(15, 0, 16, 255, 1, 0x80, 14, 17, 3, 3, 31, 2, 5, 6, 7, 8);
    ASSERT_V128(simd_i8x16_swizzle(b, idx),
                V8(31, 16, 0, 0, 17, 0, 30, 0, 19, 19, 0, 18, 21, 22, 23, 24));
}

static void test_splat_extract_replace(void **state)
{
    (void)state;
    ASSERT_V128(simd_i8x16_splat(0x12345681u), V8(0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81,
                                                  0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81));
    ASSERT_V128(simd_i16x8_splat(0x1234fffeu),
                VU16(0xfffe, 0xfffe, 0xfffe, 0xfffe, 0xfffe, 0xfffe, 0xfffe, 0xfffe));
    ASSERT_V128(simd_i32x4_splat(0xdeadbeefu),
                VU32(0xdeadbeefu, 0xdeadbeefu, 0xdeadbeefu, 0xdeadbeefu));
    ASSERT_V128(simd_i64x2_splat(UINT64_C(0x0123456789abcdef)),
                VU64(UINT64_C(0x0123456789abcdef), UINT64_C(0x0123456789abcdef)));
    /* Float splats move bits: a signalling NaN stays signalling. */
    ASSERT_V128(simd_f32x4_splat(F32_SNAN), VU32(F32_SNAN, F32_SNAN, F32_SNAN, F32_SNAN));
    ASSERT_V128(simd_f64x2_splat(F64_SNAN), VU64(F64_SNAN, F64_SNAN));

    wasm_v128 v = V8(0, 0xff, 0x7f, 0x80, 0, 0x80, 0xff, 0x7f, 8, 9, 10, 11, 12, 13, 14, 0xfe);
    assert_int_equal(simd_i8x16_extract_lane_s(v, 1), 0xffffffffu);
    assert_int_equal(simd_i8x16_extract_lane_u(v, 1), 0xff);
    assert_int_equal(simd_i8x16_extract_lane_s(v, 2), 0x7f);
    assert_int_equal(simd_i8x16_extract_lane_s(v, 15), 0xfffffffeu);
    assert_int_equal(simd_i16x8_extract_lane_s(v, 1), 0xffff807fu);
    assert_int_equal(simd_i16x8_extract_lane_u(v, 1), 0x807f);
    assert_int_equal(simd_i16x8_extract_lane_s(v, 3), 0x7fff);
    assert_int_equal(simd_i32x4_extract_lane(v, 1), 0x7fff8000u);
    assert_int_equal(simd_i64x2_extract_lane(v, 1), UINT64_C(0xfe0e0d0c0b0a0908));
    wasm_v128 f = VU32(0, F32_SNAN, 0x3f800000, F32_NEG_ZERO);
    assert_int_equal(simd_f32x4_extract_lane(f, 1), F32_SNAN);
    assert_int_equal(simd_f32x4_extract_lane(f, 3), F32_NEG_ZERO);
    assert_int_equal(simd_f64x2_extract_lane(VU64(1, F64_SNAN), 1), F64_SNAN);

    wasm_v128 z = VU64(0, 0);
    ASSERT_V128(simd_i8x16_replace_lane(z, 15, 0x1ff),
                V8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff));
    ASSERT_V128(simd_i16x8_replace_lane(z, 0, 0xabcd1234u), VU16(0x1234, 0, 0, 0, 0, 0, 0, 0));
    ASSERT_V128(simd_i32x4_replace_lane(z, 2, 0xdeadbeefu), VU32(0, 0, 0xdeadbeefu, 0));
    ASSERT_V128(simd_i64x2_replace_lane(z, 1, UINT64_MAX), VU64(0, UINT64_MAX));
    ASSERT_V128(simd_f32x4_replace_lane(z, 3, F32_SNAN), VU32(0, 0, 0, F32_SNAN));
    ASSERT_V128(simd_f64x2_replace_lane(z, 0, F64_SNAN), VU64(F64_SNAN, 0));
}

/* ---------------------------------------------------------------------------------------- */
/* Comparisons                                                                               */

static void test_int_compare_narrow(void **state)
{
    (void)state;
    /* 0x80 is -128 signed but 128 unsigned, so signed and unsigned orders disagree. */
    wasm_v128 a = V8(0x80, 0x01, 0x05, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f);
    wasm_v128 b = V8(0x01, 0x80, 0x05, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80);
    ASSERT_V128(simd_i8x16_eq(a, b), V8(0, 0, 0xff, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                        0xff, 0xff, 0xff, 0xff, 0));
    ASSERT_V128(simd_i8x16_ne(a, b),
                V8(0xff, 0xff, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff));
    ASSERT_V128(simd_i8x16_lt_s(a, b), V8(0xff, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    ASSERT_V128(simd_i8x16_lt_u(a, b), V8(0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff));
    ASSERT_V128(simd_i8x16_gt_s(a, b), V8(0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff));
    ASSERT_V128(simd_i8x16_gt_u(a, b), V8(0xff, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    ASSERT_V128(simd_i8x16_le_s(a, b), V8(0xff, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff, 0xff, 0));
    ASSERT_V128(simd_i8x16_le_u(a, b), V8(0, 0xff, 0xff, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    ASSERT_V128(simd_i8x16_ge_s(a, b), V8(0, 0xff, 0xff, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    ASSERT_V128(simd_i8x16_ge_u(a, b), V8(0xff, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff, 0xff, 0));

    wasm_v128 c = VU16(0x8000, 1, 7, 0xffff, 0, 0, 0, 0x7fff);
    wasm_v128 d = VU16(1, 0x8000, 7, 0, 0, 0, 0, 0x8000);
    ASSERT_V128(simd_i16x8_eq(c, d), VU16(0, 0, 0xffff, 0, 0xffff, 0xffff, 0xffff, 0));
    ASSERT_V128(simd_i16x8_ne(c, d), VU16(0xffff, 0xffff, 0, 0xffff, 0, 0, 0, 0xffff));
    ASSERT_V128(simd_i16x8_lt_s(c, d), VU16(0xffff, 0, 0, 0xffff, 0, 0, 0, 0));
    ASSERT_V128(simd_i16x8_lt_u(c, d), VU16(0, 0xffff, 0, 0, 0, 0, 0, 0xffff));
    ASSERT_V128(simd_i16x8_gt_s(c, d), VU16(0, 0xffff, 0, 0, 0, 0, 0, 0xffff));
    ASSERT_V128(simd_i16x8_gt_u(c, d), VU16(0xffff, 0, 0, 0xffff, 0, 0, 0, 0));
    ASSERT_V128(simd_i16x8_le_s(c, d), VU16(0xffff, 0, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0));
    ASSERT_V128(simd_i16x8_le_u(c, d), VU16(0, 0xffff, 0xffff, 0, 0xffff, 0xffff, 0xffff, 0xffff));
    ASSERT_V128(simd_i16x8_ge_s(c, d), VU16(0, 0xffff, 0xffff, 0, 0xffff, 0xffff, 0xffff, 0xffff));
    ASSERT_V128(simd_i16x8_ge_u(c, d), VU16(0xffff, 0, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0));
}

static void test_int_compare_wide(void **state)
{
    (void)state;
    wasm_v128 e = VU32(0x80000000u, 1, 9, 0xffffffffu);
    wasm_v128 f = VU32(1, 0x80000000u, 9, 0);
    ASSERT_V128(simd_i32x4_eq(e, f), VU32(0, 0, UINT32_MAX, 0));
    ASSERT_V128(simd_i32x4_ne(e, f), VU32(UINT32_MAX, UINT32_MAX, 0, UINT32_MAX));
    ASSERT_V128(simd_i32x4_lt_s(e, f), VU32(UINT32_MAX, 0, 0, UINT32_MAX));
    ASSERT_V128(simd_i32x4_lt_u(e, f), VU32(0, UINT32_MAX, 0, 0));
    ASSERT_V128(simd_i32x4_gt_s(e, f), VU32(0, UINT32_MAX, 0, 0));
    ASSERT_V128(simd_i32x4_gt_u(e, f), VU32(UINT32_MAX, 0, 0, UINT32_MAX));
    ASSERT_V128(simd_i32x4_le_s(e, f), VU32(UINT32_MAX, 0, UINT32_MAX, UINT32_MAX));
    ASSERT_V128(simd_i32x4_le_u(e, f), VU32(0, UINT32_MAX, UINT32_MAX, 0));
    ASSERT_V128(simd_i32x4_ge_s(e, f), VU32(0, UINT32_MAX, UINT32_MAX, 0));
    ASSERT_V128(simd_i32x4_ge_u(e, f), VU32(UINT32_MAX, 0, UINT32_MAX, UINT32_MAX));

    wasm_v128 g = VI64(INT64_MIN, 5), h = VI64(1, 5);
    ASSERT_V128(simd_i64x2_eq(g, h), VU64(0, UINT64_MAX));
    ASSERT_V128(simd_i64x2_ne(g, h), VU64(UINT64_MAX, 0));
    ASSERT_V128(simd_i64x2_lt_s(g, h), VU64(UINT64_MAX, 0));
    ASSERT_V128(simd_i64x2_gt_s(g, h), VU64(0, 0));
    ASSERT_V128(simd_i64x2_le_s(g, h), VU64(UINT64_MAX, UINT64_MAX));
    ASSERT_V128(simd_i64x2_ge_s(g, h), VU64(0, UINT64_MAX));
    ASSERT_V128(simd_i64x2_gt_s(VI64(-1, INT64_MAX), VI64(INT64_MIN, -1)),
                VU64(UINT64_MAX, UINT64_MAX));
}

static void test_float_compare(void **state)
{
    (void)state;
    const uint32_t T = UINT32_MAX;
    /* Lanes: NaN vs 1, -0 vs +0, 1 vs 2, 2 vs 1. */
    wasm_v128 a = VU32(F32_CANON, F32_NEG_ZERO, 0x3f800000, 0x40000000);
    wasm_v128 b = VU32(0x3f800000, 0, 0x40000000, 0x3f800000);
    ASSERT_V128(simd_f32x4_eq(a, b), VU32(0, T, 0, 0));
    ASSERT_V128(simd_f32x4_ne(a, b), VU32(T, 0, T, T));
    ASSERT_V128(simd_f32x4_lt(a, b), VU32(0, 0, T, 0));
    ASSERT_V128(simd_f32x4_gt(a, b), VU32(0, 0, 0, T));
    ASSERT_V128(simd_f32x4_le(a, b), VU32(0, T, T, 0));
    ASSERT_V128(simd_f32x4_ge(a, b), VU32(0, T, 0, T));
    ASSERT_V128(simd_f32x4_eq(a, a), VU32(0, T, T, T)); /* NaN != NaN */

    const uint64_t U = UINT64_MAX;
    wasm_v128 c = VF64(NAN, -0.0), d = VF64(NAN, 0.0);
    ASSERT_V128(simd_f64x2_eq(c, d), VU64(0, U));
    ASSERT_V128(simd_f64x2_ne(c, d), VU64(U, 0));
    ASSERT_V128(simd_f64x2_lt(c, d), VU64(0, 0));
    ASSERT_V128(simd_f64x2_le(c, d), VU64(0, U));
    ASSERT_V128(simd_f64x2_gt(VF64(2.0, -INFINITY), VF64(1.0, -1e308)), VU64(U, 0));
    ASSERT_V128(simd_f64x2_ge(VF64(2.0, -INFINITY), VF64(2.0, -INFINITY)), VU64(U, U));
}

/* ---------------------------------------------------------------------------------------- */
/* Bitwise and tests                                                                         */

static void test_bitwise(void **state)
{
    (void)state;
    wasm_v128 a = VU64(UINT64_C(0xff00ff00f0f0cccc), UINT64_C(0x0123456789abcdef));
    wasm_v128 b = VU64(UINT64_C(0x0ff00ff0ff00aaaa), UINT64_C(0xffffffff00000000));
    ASSERT_V128(simd_v128_not(a), VU64(UINT64_C(0x00ff00ff0f0f3333), UINT64_C(0xfedcba9876543210)));
    ASSERT_V128(simd_v128_and(a, b),
                VU64(UINT64_C(0x0f000f00f0008888), UINT64_C(0x0123456700000000)));
    ASSERT_V128(simd_v128_andnot(a, b),
                VU64(UINT64_C(0xf000f00000f04444), UINT64_C(0x0000000089abcdef)));
    ASSERT_V128(simd_v128_or(a, b),
                VU64(UINT64_C(0xfff0fff0fff0eeee), UINT64_C(0xffffffff89abcdef)));
    ASSERT_V128(simd_v128_xor(a, b),
                VU64(UINT64_C(0xf0f0f0f00ff06666), UINT64_C(0xfedcba9889abcdef)));
    /* bitselect takes a's bits where the mask c is set. */
    wasm_v128 c = VU64(UINT64_C(0xffffffff00000000), UINT64_C(0x00000000ffff0000));
    ASSERT_V128(simd_v128_bitselect(a, b, c),
                VU64(UINT64_C(0xff00ff00ff00aaaa), UINT64_C(0xffffffff89ab0000)));
}

static void test_any_all_true(void **state)
{
    (void)state;
    assert_int_equal(simd_v128_any_true(VU64(0, 0)), 0);
    assert_int_equal(simd_v128_any_true(VU64(0, UINT64_C(1) << 63)), 1);
    assert_int_equal(simd_v128_any_true(V8(0, 0, 0, 0, 1)), 1);

    wasm_v128 ones = V8(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    assert_int_equal(simd_i8x16_all_true(ones), 1);
    assert_int_equal(simd_i8x16_all_true(simd_i8x16_replace_lane(ones, 15, 0)), 0);
    /* Each i16 lane of `ones` is 0x0101 (non-zero), but one zero byte zeroes no i16 lane. */
    assert_int_equal(simd_i16x8_all_true(simd_i8x16_replace_lane(ones, 3, 0)), 1);
    assert_int_equal(simd_i16x8_all_true(VU16(1, 1, 1, 1, 1, 1, 1, 0)), 0);
    assert_int_equal(simd_i32x4_all_true(VU32(1, 0x80000000u, 0x100, 0x10000)), 1);
    assert_int_equal(simd_i32x4_all_true(VU32(1, 1, 0, 1)), 0);
    assert_int_equal(simd_i64x2_all_true(VU64(UINT64_C(1) << 32, 1)), 1);
    assert_int_equal(simd_i64x2_all_true(VU64(0, 1)), 0);
}

static void test_bitmask(void **state)
{
    (void)state;
    /* Bit i of the result is the top bit of lane i: lane 0 -> bit 0. */
    assert_int_equal(
        simd_i8x16_bitmask(V8(0x80, 0x7f, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80)), 0x8005);
    assert_int_equal(simd_i8x16_bitmask(simd_i8x16_splat(0xff)), 0xffff);
    assert_int_equal(simd_i16x8_bitmask(VU16(0x8000, 0x7fff, 0, 0xffff, 0, 0, 0, 0x8001)), 0x89);
    assert_int_equal(simd_i32x4_bitmask(VU32(0, 0x80000000u, 0x7fffffff, 0xffffffff)), 0xa);
    assert_int_equal(simd_i64x2_bitmask(VI64(-1, 1)), 1);
    assert_int_equal(simd_i64x2_bitmask(VI64(INT64_MAX, INT64_MIN)), 2);
}

/* ---------------------------------------------------------------------------------------- */
/* Integer arithmetic                                                                        */

static void test_abs_neg_popcnt(void **state)
{
    (void)state;
    ASSERT_V128(simd_i8x16_abs(VI8(-128, -127, -1, 0, 1, 127, 5, -5)),
                VI8(-128, 127, 1, 0, 1, 127, 5, 5));
    ASSERT_V128(simd_i16x8_abs(VI16(INT16_MIN, -32767, -1, 0, 1, INT16_MAX, 300, -300)),
                VI16(INT16_MIN, 32767, 1, 0, 1, INT16_MAX, 300, 300));
    ASSERT_V128(simd_i32x4_abs(VI32(INT32_MIN, -INT32_MAX, -7, 7)),
                VI32(INT32_MIN, INT32_MAX, 7, 7));
    ASSERT_V128(simd_i64x2_abs(VI64(INT64_MIN, -INT64_MAX)), VI64(INT64_MIN, INT64_MAX));
    ASSERT_V128(simd_i64x2_abs(VI64(-1, 0)), VI64(1, 0));

    ASSERT_V128(simd_i8x16_neg(VI8(-128, -127, -1, 0, 1, 127)), VI8(-128, 127, 1, 0, -1, -127));
    ASSERT_V128(simd_i16x8_neg(VI16(INT16_MIN, 1, 0, -2)), VI16(INT16_MIN, -1, 0, 2));
    ASSERT_V128(simd_i32x4_neg(VI32(INT32_MIN, 1, 0, INT32_MAX)),
                VI32(INT32_MIN, -1, 0, -INT32_MAX));
    ASSERT_V128(simd_i64x2_neg(VI64(INT64_MIN, 5)), VI64(INT64_MIN, -5));

    ASSERT_V128(simd_i8x16_popcnt(V8(0, 1, 0xff, 0x80, 0x55, 0xaa, 0x0f, 0x7f, 3, 0xfe)),
                V8(0, 1, 8, 1, 4, 4, 4, 7, 2, 7));
}

static void test_add_sub_mul(void **state)
{
    (void)state;
    ASSERT_V128(simd_i8x16_add(V8(0xff, 0x7f, 1, 0x80), V8(1, 1, 2, 0x80)), V8(0, 0x80, 3, 0));
    ASSERT_V128(simd_i16x8_add(VU16(0xffff, 0x7fff, 1), VU16(1, 1, 2)), VU16(0, 0x8000, 3));
    ASSERT_V128(
        simd_i32x4_add(VU32(0xffffffffu, 0x7fffffff, 1, 0x80000000u), VU32(1, 1, 2, 0x80000000u)),
        VU32(0, 0x80000000u, 3, 0));
    ASSERT_V128(simd_i64x2_add(VI64(INT64_MAX, -1), VI64(1, 1)), VI64(INT64_MIN, 0));

    ASSERT_V128(simd_i8x16_sub(V8(0, 0x80, 5), V8(1, 1, 7)), V8(0xff, 0x7f, 0xfe));
    ASSERT_V128(simd_i16x8_sub(VU16(0, 0x8000), VU16(1, 1)), VU16(0xffff, 0x7fff));
    ASSERT_V128(simd_i32x4_sub(VI32(INT32_MIN, 0, 10, 3), VI32(1, INT32_MIN, 3, 10)),
                VI32(INT32_MAX, INT32_MIN, 7, -7));
    ASSERT_V128(simd_i64x2_sub(VI64(INT64_MIN, 0), VI64(1, INT64_MIN)), VI64(INT64_MAX, INT64_MIN));

    /* Products wrap to the lane width; 0xffff * 0xffff overflows a C int if done naively. */
    ASSERT_V128(
        simd_i16x8_mul(VU16(0xffff, 0x8000, 300, 0x4000, 0xffff), VU16(0xffff, 2, 300, 4, 2)),
        VU16(1, 0, 24464, 0, 0xfffe));
    ASSERT_V128(simd_i32x4_mul(VU32(0xffffffffu, 0x80000000u, 65536, 123456789),
                               VU32(0xffffffffu, 2, 65536, 1000)),
                VU32(1, 0, 0, 3197704712u));
    ASSERT_V128(simd_i64x2_mul(VI64(INT64_MIN, -3), VI64(-1, 7)), VI64(INT64_MIN, -21));
}

static void test_saturating(void **state)
{
    (void)state;
    ASSERT_V128(simd_i8x16_add_sat_s(VI8(127, -128, 100, -100, 126, -127, 5),
                                     VI8(1, -1, 100, -100, 1, -1, -10)),
                VI8(127, -128, 127, -128, 127, -128, -5));
    ASSERT_V128(simd_i8x16_add_sat_u(V8(255, 254, 200, 0), V8(1, 1, 100, 0)), V8(255, 255, 255, 0));
    ASSERT_V128(
        simd_i8x16_sub_sat_s(VI8(-128, 127, -100, 100, 0, 0), VI8(1, -1, 100, -100, -128, 127)),
        VI8(-128, 127, -128, 127, 127, -127));
    ASSERT_V128(simd_i8x16_sub_sat_u(V8(0, 5, 255, 100), V8(1, 5, 0, 200)), V8(0, 0, 255, 0));

    ASSERT_V128(simd_i16x8_add_sat_s(VI16(INT16_MAX, INT16_MIN, 20000, -20000, 1),
                                     VI16(1, -1, 20000, -20000, 2)),
                VI16(INT16_MAX, INT16_MIN, INT16_MAX, INT16_MIN, 3));
    ASSERT_V128(simd_i16x8_add_sat_u(VU16(0xffff, 0xfffe, 40000, 1), VU16(1, 1, 40000, 2)),
                VU16(0xffff, 0xffff, 0xffff, 3));
    ASSERT_V128(
        simd_i16x8_sub_sat_s(VI16(INT16_MIN, INT16_MAX, 0, 0), VI16(1, -1, INT16_MIN, INT16_MAX)),
        VI16(INT16_MIN, INT16_MAX, INT16_MAX, -INT16_MAX));
    ASSERT_V128(simd_i16x8_sub_sat_u(VU16(0, 40000, 1), VU16(1, 1, 40000)), VU16(0, 39999, 0));
}

static void test_min_max_avgr(void **state)
{
    (void)state;
    wasm_v128 a = V8(0x80, 0x7f, 0xff, 0, 3), b = V8(0x7f, 0x80, 0, 0xff, 3);
    ASSERT_V128(simd_i8x16_min_s(a, b), V8(0x80, 0x80, 0xff, 0xff, 3));
    ASSERT_V128(simd_i8x16_min_u(a, b), V8(0x7f, 0x7f, 0, 0, 3));
    ASSERT_V128(simd_i8x16_max_s(a, b), V8(0x7f, 0x7f, 0, 0, 3));
    ASSERT_V128(simd_i8x16_max_u(a, b), V8(0x80, 0x80, 0xff, 0xff, 3));
    wasm_v128 c = VU16(0x8000, 0x7fff, 0xffff, 0), d = VU16(0x7fff, 0x8000, 0, 0xffff);
    ASSERT_V128(simd_i16x8_min_s(c, d), VU16(0x8000, 0x8000, 0xffff, 0xffff));
    ASSERT_V128(simd_i16x8_min_u(c, d), VU16(0x7fff, 0x7fff, 0, 0));
    ASSERT_V128(simd_i16x8_max_s(c, d), VU16(0x7fff, 0x7fff, 0, 0));
    ASSERT_V128(simd_i16x8_max_u(c, d), VU16(0x8000, 0x8000, 0xffff, 0xffff));
    wasm_v128 e = VU32(0x80000000u, 0x7fffffff, 0xffffffffu, 0),
              f = VU32(0x7fffffff, 0x80000000u, 0, 0xffffffffu);
    ASSERT_V128(simd_i32x4_min_s(e, f), VU32(0x80000000u, 0x80000000u, 0xffffffffu, 0xffffffffu));
    ASSERT_V128(simd_i32x4_min_u(e, f), VU32(0x7fffffff, 0x7fffffff, 0, 0));
    ASSERT_V128(simd_i32x4_max_s(e, f), VU32(0x7fffffff, 0x7fffffff, 0, 0));
    ASSERT_V128(simd_i32x4_max_u(e, f), VU32(0x80000000u, 0x80000000u, 0xffffffffu, 0xffffffffu));

    /* avgr_u rounds half up and never overflows. */
    ASSERT_V128(simd_i8x16_avgr_u(V8(255, 0, 1, 2, 254), V8(255, 1, 1, 5, 255)),
                V8(255, 1, 1, 4, 255));
    ASSERT_V128(simd_i16x8_avgr_u(VU16(0xffff, 0, 0x8000, 10), VU16(0xffff, 1, 0x7fff, 13)),
                VU16(0xffff, 1, 0x8000, 12));
}

static void test_q15mulr_dot(void **state)
{
    (void)state;
    /* (a * b + 0x4000) >> 15 with an arithmetic shift; only INT16_MIN^2 saturates. */
    ASSERT_V128(simd_i16x8_q15mulr_sat_s(
                    VI16(INT16_MIN, INT16_MIN, 16384, -1, -1, 1, INT16_MAX, 0),
                    VI16(INT16_MIN, INT16_MAX, 16384, 16384, 16385, 16384, INT16_MAX, 5)),
                VI16(INT16_MAX, -32767, 8192, 0, -1, 1, 32766, 0));
    /* i32x4.dot: pairwise products summed; two INT16_MIN^2 products wrap to INT32_MIN. */
    ASSERT_V128(
        simd_i32x4_dot_i16x8_s(VI16(INT16_MIN, INT16_MIN, 1, 2, -3, 4, INT16_MAX, INT16_MIN),
                               VI16(INT16_MIN, INT16_MIN, 5, 6, 7, -8, INT16_MAX, INT16_MAX)),
        VI32(INT32_MIN, 17, -53, 1073676289 - 1073709056));
}

static void test_shifts(void **state)
{
    (void)state;
    wasm_v128 b = VI8(1, -128, -1, 0x40, 0x7f);
    ASSERT_V128(simd_i8x16_shl(b, 1), VI8(2, 0, -2, -128, -2));
    ASSERT_V128(simd_i8x16_shl(b, 9), VI8(2, 0, -2, -128, -2)); /* 9 mod 8 = 1 */
    ASSERT_V128(simd_i8x16_shl(b, 8), b);
    ASSERT_V128(simd_i8x16_shr_s(b, 7), VI8(0, -1, -1, 0, 0));
    ASSERT_V128(simd_i8x16_shr_s(b, 0xffffffffu), VI8(0, -1, -1, 0, 0)); /* 7 */
    ASSERT_V128(simd_i8x16_shr_u(b, 7), VI8(0, 1, 1, 0, 0));
    ASSERT_V128(simd_i8x16_shr_u(b, 1), VI8(0, 64, 127, 32, 63));

    wasm_v128 h = VI16(1, INT16_MIN, -1, 0x4000);
    ASSERT_V128(simd_i16x8_shl(h, 17), VI16(2, 0, -2, INT16_MIN));
    ASSERT_V128(simd_i16x8_shl(h, 15), VI16(INT16_MIN, 0, INT16_MIN, 0));
    ASSERT_V128(simd_i16x8_shr_s(h, 15), VI16(0, -1, -1, 0));
    ASSERT_V128(simd_i16x8_shr_u(h, 16 + 14), VI16(0, 2, 3, 1));

    wasm_v128 w = VI32(1, INT32_MIN, -1, 0x40000000);
    ASSERT_V128(simd_i32x4_shl(w, 33), VI32(2, 0, -2, INT32_MIN));
    ASSERT_V128(simd_i32x4_shl(w, 32), w);
    ASSERT_V128(simd_i32x4_shr_s(w, 31), VI32(0, -1, -1, 0));
    ASSERT_V128(simd_i32x4_shr_u(w, 31), VI32(0, 1, 1, 0));
    ASSERT_V128(simd_i32x4_shr_s(w, 4), VI32(0, (int32_t)0xf8000000u, -1, 0x04000000));

    wasm_v128 q = VI64(INT64_MIN, -1);
    ASSERT_V128(simd_i64x2_shl(q, 64 + 1), VI64(0, -2));
    ASSERT_V128(simd_i64x2_shl(VI64(1, 3), 63), VI64(INT64_MIN, INT64_MIN));
    ASSERT_V128(simd_i64x2_shr_s(q, 63), VI64(-1, -1));
    ASSERT_V128(simd_i64x2_shr_u(q, 63), VI64(1, 1));
    ASSERT_V128(simd_i64x2_shr_u(q, 128), q);
}

/* ---------------------------------------------------------------------------------------- */
/* Width changes                                                                             */

static void test_narrow(void **state)
{
    (void)state;
    /* Lanes of a fill the low half, lanes of b the high half. */
    wasm_v128 a = VI16(0, 127, 128, -128, -129, INT16_MAX, INT16_MIN, 255);
    wasm_v128 b = VI16(1, -1, 256, 300, -300, 42, -42, 7);
    ASSERT_V128(simd_i8x16_narrow_i16x8_s(a, b),
                VI8(0, 127, 127, -128, -128, 127, -128, 127, 1, -1, 127, 127, -128, 42, -42, 7));
    ASSERT_V128(simd_i8x16_narrow_i16x8_u(a, b),
                V8(0, 127, 128, 0, 0, 255, 0, 255, 1, 0, 255, 255, 0, 42, 0, 7));
    wasm_v128 c = VI32(32767, 32768, -32768, -32769), d = VI32(INT32_MAX, INT32_MIN, 65535, 65536);
    ASSERT_V128(simd_i16x8_narrow_i32x4_s(c, d),
                VI16(32767, 32767, -32768, -32768, 32767, -32768, 32767, 32767));
    ASSERT_V128(simd_i16x8_narrow_i32x4_u(c, d), VU16(32767, 32768, 0, 0, 65535, 0, 65535, 65535));
}

static void test_extend(void **state)
{
    (void)state;
    wasm_v128 a = V8(0x80, 0x7f, 0xff, 0, 1, 2, 3, 4, 0xfe, 5, 6, 7, 8, 9, 10, 0x81);
    ASSERT_V128(simd_i16x8_extend_low_i8x16_s(a), VI16(-128, 127, -1, 0, 1, 2, 3, 4));
    ASSERT_V128(simd_i16x8_extend_high_i8x16_s(a), VI16(-2, 5, 6, 7, 8, 9, 10, -127));
    ASSERT_V128(simd_i16x8_extend_low_i8x16_u(a), VI16(128, 127, 255, 0, 1, 2, 3, 4));
    ASSERT_V128(simd_i16x8_extend_high_i8x16_u(a), VI16(254, 5, 6, 7, 8, 9, 10, 129));
    wasm_v128 h = VI16(INT16_MIN, -1, 2, 3, INT16_MAX, -2, 6, 7);
    ASSERT_V128(simd_i32x4_extend_low_i16x8_s(h), VI32(INT16_MIN, -1, 2, 3));
    ASSERT_V128(simd_i32x4_extend_high_i16x8_s(h), VI32(INT16_MAX, -2, 6, 7));
    ASSERT_V128(simd_i32x4_extend_low_i16x8_u(h), VI32(32768, 65535, 2, 3));
    ASSERT_V128(simd_i32x4_extend_high_i16x8_u(h), VI32(32767, 65534, 6, 7));
    wasm_v128 w = VI32(INT32_MIN, -1, INT32_MAX, -2);
    ASSERT_V128(simd_i64x2_extend_low_i32x4_s(w), VI64(INT32_MIN, -1));
    ASSERT_V128(simd_i64x2_extend_high_i32x4_s(w), VI64(INT32_MAX, -2));
    ASSERT_V128(simd_i64x2_extend_low_i32x4_u(w), VI64(0x80000000, 0xffffffff));
    ASSERT_V128(simd_i64x2_extend_high_i32x4_u(w), VI64(0x7fffffff, 0xfffffffe));
}

static void test_extmul(void **state)
{
    (void)state;
    wasm_v128 a = VI8(-128, -128, 127, -1, 2, 3, 4, 5, -128, 127, -1, 0, 0, 0, 0, 10);
    wasm_v128 b = VI8(-128, 127, 127, -1, 2, 3, 4, 5, 127, -128, 1, 0, 0, 0, 0, -10);
    ASSERT_V128(simd_i16x8_extmul_low_i8x16_s(a, b), VI16(16384, -16256, 16129, 1, 4, 9, 16, 25));
    ASSERT_V128(simd_i16x8_extmul_high_i8x16_s(a, b), VI16(-16256, -16256, -1, 0, 0, 0, 0, -100));
    /* Unsigned: 0x80 * 0x80 = 16384, 0xff * 0xff = 65025. */
    ASSERT_V128(simd_i16x8_extmul_low_i8x16_u(a, b),
                VU16(16384, 16256, 16129, 65025, 4, 9, 16, 25));
    ASSERT_V128(simd_i16x8_extmul_high_i8x16_u(a, b), VU16(16256, 16256, 255, 0, 0, 0, 0, 2460));

    wasm_v128 c = VI16(INT16_MIN, INT16_MIN, -1, 3, INT16_MAX, -1, 0, 9);
    wasm_v128 d = VI16(INT16_MIN, INT16_MAX, -1, -4, INT16_MAX, 1, 0, 9);
    ASSERT_V128(simd_i32x4_extmul_low_i16x8_s(c, d), VI32(1073741824, -1073709056, 1, -12));
    ASSERT_V128(simd_i32x4_extmul_high_i16x8_s(c, d), VI32(1073676289, -1, 0, 81));
    ASSERT_V128(simd_i32x4_extmul_low_i16x8_u(c, d),
                VU32(1073741824u, 1073709056u, 4294836225u, 196596u));
    ASSERT_V128(simd_i32x4_extmul_high_i16x8_u(c, d), VU32(1073676289u, 65535u, 0, 81));

    wasm_v128 e = VI32(INT32_MIN, -1, INT32_MAX, 3), f = VI32(INT32_MIN, -1, INT32_MAX, -5);
    ASSERT_V128(simd_i64x2_extmul_low_i32x4_s(e, f), VI64(INT64_C(0x4000000000000000), 1));
    ASSERT_V128(simd_i64x2_extmul_high_i32x4_s(e, f), VI64(INT64_C(0x3fffffff00000001), -15));
    ASSERT_V128(simd_i64x2_extmul_low_i32x4_u(e, f),
                VU64(UINT64_C(0x4000000000000000), UINT64_C(0xfffffffe00000001)));
    ASSERT_V128(simd_i64x2_extmul_high_i32x4_u(e, f),
                VU64(UINT64_C(0x3fffffff00000001), UINT64_C(3) * 0xfffffffbu));
}

static void test_extadd_pairwise(void **state)
{
    (void)state;
    wasm_v128 a = VI8(-128, -128, 127, 127, -1, 1, 0xff - 256, -1, 5, 6, 0, 0, -3, 1, 100, 27);
    ASSERT_V128(simd_i16x8_extadd_pairwise_i8x16_s(a), VI16(-256, 254, 0, -2, 11, 0, -2, 127));
    ASSERT_V128(simd_i16x8_extadd_pairwise_i8x16_u(a), VU16(256, 254, 256, 510, 11, 0, 254, 127));
    wasm_v128 h = VI16(INT16_MIN, INT16_MIN, INT16_MAX, INT16_MAX, -1, -1, 1, -2);
    ASSERT_V128(simd_i32x4_extadd_pairwise_i16x8_s(h), VI32(-65536, 65534, -2, -1));
    ASSERT_V128(simd_i32x4_extadd_pairwise_i16x8_u(h), VU32(65536, 65534, 131070, 65535));
}

/* ---------------------------------------------------------------------------------------- */
/* Floating point                                                                            */

static void test_float_abs_neg(void **state)
{
    (void)state;
    /* Pure sign-bit operations: NaN payloads (even signalling) are untouched. */
    wasm_v128 a = VU32(F32_SNAN | F32_NEG_ZERO, F32_NEG_ZERO, 0x3f800000, 0xff800000);
    ASSERT_V128(simd_f32x4_abs(a), VU32(F32_SNAN, 0, 0x3f800000, 0x7f800000));
    ASSERT_V128(simd_f32x4_neg(a), VU32(F32_SNAN, 0, 0xbf800000, 0x7f800000));
    wasm_v128 d = VU64(F64_SNAN, F64_NEG_ZERO);
    ASSERT_V128(simd_f64x2_abs(d), VU64(F64_SNAN, 0));
    ASSERT_V128(simd_f64x2_neg(d), VU64(F64_SNAN | F64_NEG_ZERO, 0));
}

static void test_float_arith(void **state)
{
    (void)state;
    ASSERT_V128(
        simd_f32x4_add(VF32(1.5f, 0x1p127f, -0.0f, 1.0f), VF32(2.25f, 0x1p127f, -0.0f, 0x1p-24f)),
        VF32(3.75f, INFINITY, -0.0f, 1.0f)); /* 1 + 2^-24 ties to even: 1 */
    ASSERT_V128(simd_f32x4_sub(VF32(1.0f, 0.0f, INFINITY, 5.0f), VF32(0.25f, 0.0f, 1.0f, 5.0f)),
                VF32(0.75f, 0.0f, INFINITY, 0.0f));
    ASSERT_V128(
        simd_f32x4_mul(VF32(3.0f, -0.0f, 0x1p-126f, -2.0f), VF32(0.5f, 5.0f, 0x1p-10f, -4.0f)),
        VF32(1.5f, -0.0f, 0x1p-136f, 8.0f));
    ASSERT_V128(simd_f32x4_div(VF32(1.0f, -1.0f, 1.0f, 3.0f), VF32(0.0f, 0.0f, -INFINITY, 2.0f)),
                VF32(INFINITY, -INFINITY, -0.0f, 1.5f));
    ASSERT_V128(simd_f32x4_sqrt(VF32(4.0f, -0.0f, INFINITY, 2.0f)),
                VF32(2.0f, -0.0f, INFINITY, 1.41421354f));
    ASSERT_V128(simd_f64x2_add(VF64(0.1, 0x1p1023), VF64(0.2, 0x1p1023)),
                VF64(0.30000000000000004, INFINITY));
    ASSERT_V128(simd_f64x2_sub(VF64(1.0, -0.0), VF64(0x1p-54, 0.0)), VF64(1.0, -0.0));
    ASSERT_V128(simd_f64x2_mul(VF64(1e200, -3.0), VF64(1e200, 0.5)), VF64(INFINITY, -1.5));
    ASSERT_V128(simd_f64x2_div(VF64(1.0, 0.0), VF64(3.0, -1.0)), VF64(1.0 / 3.0, -0.0));
    ASSERT_V128(simd_f64x2_sqrt(VF64(2.0, 0x1p-1074)), VF64(1.4142135623730951, 0x1p-537));

    /* Invalid operations and NaN operands give NaNs with the quiet bit set. */
    wasm_v128 r = simd_f32x4_sqrt(VF32(-1.0f, 0.0f, 0.0f, 0.0f));
    assert_true(f32_is_arith_nan(r.u32[0]));
    r = simd_f32x4_add(VU32(F32_SNAN, F32_CANON, 0x7f800000, 0), VU32(0, 0, 0xff800000, F32_ARITH));
    for (int i = 0; i < 4; i++)
        assert_true(f32_is_arith_nan(r.u32[i]));
    r = simd_f64x2_mul(VF64(0.0, INFINITY), VF64(INFINITY, 0.0));
    assert_true(f64_is_arith_nan(r.u64[0]) && f64_is_arith_nan(r.u64[1]));
    r = simd_f64x2_sqrt(VF64(-INFINITY, -0x1p-1074));
    assert_true(f64_is_arith_nan(r.u64[0]) && f64_is_arith_nan(r.u64[1]));
}

static void test_float_min_max(void **state)
{
    (void)state;
    wasm_v128 a = VF32(1.0f, -0.0f, 0.0f, -INFINITY), b = VF32(2.0f, 0.0f, -0.0f, 5.0f);
    ASSERT_V128(simd_f32x4_min(a, b), VF32(1.0f, -0.0f, -0.0f, -INFINITY));
    ASSERT_V128(simd_f32x4_max(a, b), VF32(2.0f, 0.0f, 0.0f, 5.0f));
    ASSERT_V128(simd_f32x4_min(VF32(-0.0f, 0.0f), VF32(-0.0f, 0.0f)), VF32(-0.0f, 0.0f));
    ASSERT_V128(simd_f32x4_max(VF32(-0.0f, 0.0f), VF32(-0.0f, 0.0f)), VF32(-0.0f, 0.0f));

    /* Any NaN operand makes the lane NaN: canonical in, canonical out; else arithmetic. */
    wasm_v128 n = VU32(F32_CANON, 0x3f800000, F32_SNAN, F32_CANON | F32_NEG_ZERO);
    wasm_v128 m = VU32(0x3f800000, F32_CANON, 0x3f800000, F32_ARITH);
    wasm_v128 r = simd_f32x4_min(n, m);
    assert_true(f32_is_canonical_nan(r.u32[0]) && f32_is_canonical_nan(r.u32[1]));
    assert_true(f32_is_arith_nan(r.u32[2]) && f32_is_arith_nan(r.u32[3]));
    r = simd_f32x4_max(m, n);
    assert_true(f32_is_canonical_nan(r.u32[0]) && f32_is_canonical_nan(r.u32[1]));
    assert_true(f32_is_arith_nan(r.u32[2]) && f32_is_arith_nan(r.u32[3]));

    ASSERT_V128(simd_f64x2_min(VF64(-0.0, 3.0), VF64(0.0, -INFINITY)), VF64(-0.0, -INFINITY));
    ASSERT_V128(simd_f64x2_max(VF64(-0.0, 3.0), VF64(0.0, -INFINITY)), VF64(0.0, 3.0));
    ASSERT_V128(simd_f64x2_max(VF64(0.0, -0.0), VF64(-0.0, -0.0)), VF64(0.0, -0.0));
    r = simd_f64x2_min(VU64(F64_CANON, 0), VU64(0, F64_SNAN));
    assert_true(f64_is_canonical_nan(r.u64[0]) && f64_is_arith_nan(r.u64[1]));
    r = simd_f64x2_max(VU64(F64_SNAN, F64_CANON), VU64(F64_CANON, 0x4000000000000000));
    assert_true(f64_is_arith_nan(r.u64[0]) && f64_is_canonical_nan(r.u64[1]));
}

static void test_float_pmin_pmax(void **state)
{
    (void)state;
    /* pmin = b < a ? b : a; pmax = a < b ? b : a: with NaN or equal zeros, a is returned as is. */
    wasm_v128 a = VU32(F32_SNAN, 0x3f800000, F32_NEG_ZERO, 0),
              b = VU32(0x3f800000, F32_SNAN, 0, F32_NEG_ZERO);
    ASSERT_V128(simd_f32x4_pmin(a, b), VU32(F32_SNAN, 0x3f800000, F32_NEG_ZERO, 0));
    ASSERT_V128(simd_f32x4_pmax(a, b), VU32(F32_SNAN, 0x3f800000, F32_NEG_ZERO, 0));
    ASSERT_V128(simd_f32x4_pmin(VF32(1.0f, 2.0f, -INFINITY, 3.0f), VF32(2.0f, 1.0f, 0.0f, 3.0f)),
                VF32(1.0f, 1.0f, -INFINITY, 3.0f));
    ASSERT_V128(simd_f32x4_pmax(VF32(1.0f, 2.0f, -INFINITY, 3.0f), VF32(2.0f, 1.0f, 0.0f, 3.0f)),
                VF32(2.0f, 2.0f, 0.0f, 3.0f));
    ASSERT_V128(simd_f64x2_pmin(VU64(F64_SNAN, 0), VU64(0, F64_NEG_ZERO)), VU64(F64_SNAN, 0));
    ASSERT_V128(simd_f64x2_pmax(VU64(0, F64_NEG_ZERO), VU64(F64_SNAN, 0)), VU64(0, F64_NEG_ZERO));
    ASSERT_V128(simd_f64x2_pmin(VF64(5.0, -1.0), VF64(-5.0, 1.0)), VF64(-5.0, -1.0));
    ASSERT_V128(simd_f64x2_pmax(VF64(5.0, -1.0), VF64(-5.0, 1.0)), VF64(5.0, 1.0));
}

static void test_float_rounding(void **state)
{
    (void)state;
    wasm_v128 a = VF32(-0.5f, 1.5f, -1.5f, 2.5f);
    ASSERT_V128(simd_f32x4_ceil(a), VF32(-0.0f, 2.0f, -1.0f, 3.0f));
    ASSERT_V128(simd_f32x4_floor(a), VF32(-1.0f, 1.0f, -2.0f, 2.0f));
    ASSERT_V128(simd_f32x4_trunc(a), VF32(-0.0f, 1.0f, -1.0f, 2.0f));
    ASSERT_V128(simd_f32x4_nearest(a), VF32(-0.0f, 2.0f, -2.0f, 2.0f)); /* ties to even */
    wasm_v128 b = VF32(0.49999997f, 0x1p23f + 1.0f, -INFINITY, 3.5f);
    ASSERT_V128(simd_f32x4_nearest(b), VF32(0.0f, 0x1p23f + 1.0f, -INFINITY, 4.0f));
    ASSERT_V128(simd_f32x4_ceil(b), VF32(1.0f, 0x1p23f + 1.0f, -INFINITY, 4.0f));
    ASSERT_V128(simd_f32x4_floor(VF32(-0.0f, 0x1p-149f, -0x1p-149f, 0.0f)),
                VF32(-0.0f, 0.0f, -1.0f, 0.0f));
    ASSERT_V128(simd_f32x4_trunc(VF32(-0.9f, 1e30f, -7.99f, 0.9f)),
                VF32(-0.0f, 1e30f, -7.0f, 0.0f));

    wasm_v128 d = VF64(-0.5, 2.5);
    ASSERT_V128(simd_f64x2_ceil(d), VF64(-0.0, 3.0));
    ASSERT_V128(simd_f64x2_floor(d), VF64(-1.0, 2.0));
    ASSERT_V128(simd_f64x2_trunc(d), VF64(-0.0, 2.0));
    ASSERT_V128(simd_f64x2_nearest(d), VF64(-0.0, 2.0));
    ASSERT_V128(simd_f64x2_nearest(VF64(0.49999999999999994, -3.5)), VF64(0.0, -4.0));
    ASSERT_V128(simd_f64x2_nearest(VF64(0x1p52 + 1.0, 0x1p52 - 0.5)), VF64(0x1p52 + 1.0, 0x1p52));
    ASSERT_V128(simd_f64x2_floor(VF64(-0x1p-1074, 0x1p-1074)), VF64(-1.0, 0.0));

    /* NaN in: NaN out with the quiet bit set (canonical stays canonical). */
    wasm_v128 r = simd_f32x4_ceil(VU32(F32_SNAN, F32_CANON, F32_ARITH, 0));
    assert_true(f32_is_arith_nan(r.u32[0]) && f32_is_canonical_nan(r.u32[1]));
    assert_true(f32_is_arith_nan(r.u32[2]));
    r = simd_f32x4_nearest(VU32(F32_SNAN, F32_CANON, 0, 0));
    assert_true(f32_is_arith_nan(r.u32[0]) && f32_is_canonical_nan(r.u32[1]));
    r = simd_f64x2_trunc(VU64(F64_SNAN, F64_CANON));
    assert_true(f64_is_arith_nan(r.u64[0]) && f64_is_canonical_nan(r.u64[1]));
    r = simd_f64x2_floor(VU64(F64_SNAN, F64_CANON | F64_NEG_ZERO));
    assert_true(f64_is_arith_nan(r.u64[0]) && f64_is_canonical_nan(r.u64[1]));
}

/* ---------------------------------------------------------------------------------------- */
/* Conversions                                                                               */

static void test_trunc_sat(void **state)
{
    (void)state;
    wasm_v128 r;
    ASSERT_V128(simd_i32x4_trunc_sat_f32x4_s(VF32(NAN, 3e9f, -1e10f, -1.9f)),
                VI32(0, INT32_MAX, INT32_MIN, -1));
    ASSERT_V128(
        simd_i32x4_trunc_sat_f32x4_s(VF32(2147483520.0f, -2147483648.0f, 2147483648.0f, INFINITY)),
        VI32(2147483520, INT32_MIN, INT32_MAX, INT32_MAX));
    ASSERT_V128(simd_i32x4_trunc_sat_f32x4_s(VF32(-INFINITY, -0.0f, 0.99f, -2147483904.0f)),
                VI32(INT32_MIN, 0, 0, INT32_MIN));
    ASSERT_V128(simd_i32x4_trunc_sat_f32x4_u(VF32(NAN, -0.9f, -1.0f, 3e9f)),
                VU32(0, 0, 0, 3000000000u));
    ASSERT_V128(
        simd_i32x4_trunc_sat_f32x4_u(VF32(4294967040.0f, 4294967296.0f, INFINITY, -INFINITY)),
        VU32(4294967040u, UINT32_MAX, UINT32_MAX, 0));
    r = simd_i32x4_trunc_sat_f32x4_s(
        VU32(F32_SNAN | F32_NEG_ZERO, F32_CANON, 0x4f000000, 0xcf000001));
    ASSERT_V128(r, VI32(0, 0, INT32_MAX, INT32_MIN)); /* 0x4f000000 = 2^31 */

    /* The f64 forms fill lanes 0-1 and zero lanes 2-3. */
    wasm_v128 junk = VF64(NAN, 1.0);
    ASSERT_V128(simd_i32x4_trunc_sat_f64x2_s_zero(junk), VI32(0, 1, 0, 0));
    ASSERT_V128(simd_i32x4_trunc_sat_f64x2_s_zero(VF64(-2147483648.9, 2147483647.9)),
                VI32(INT32_MIN, INT32_MAX));
    ASSERT_V128(simd_i32x4_trunc_sat_f64x2_s_zero(VF64(-2147483649.0, 2147483648.0)),
                VI32(INT32_MIN, INT32_MAX));
    ASSERT_V128(simd_i32x4_trunc_sat_f64x2_s_zero(VF64(-1.5, 1e300)), VI32(-1, INT32_MAX));
    ASSERT_V128(simd_i32x4_trunc_sat_f64x2_u_zero(VF64(-0.999, 4294967295.9)), VU32(0, UINT32_MAX));
    ASSERT_V128(simd_i32x4_trunc_sat_f64x2_u_zero(VF64(4294967296.0, -1.0)), VU32(UINT32_MAX, 0));
    ASSERT_V128(simd_i32x4_trunc_sat_f64x2_u_zero(VF64(NAN, 2147483648.5)), VU32(0, 2147483648u));
}

static void test_convert(void **state)
{
    (void)state;
    ASSERT_V128(simd_f32x4_convert_i32x4_s(VI32(INT32_MIN, -1, 16777217, INT32_MAX)),
                VF32(-2147483648.0f, -1.0f, 16777216.0f, 2147483648.0f));
    /* 16777219 is halfway between 16777218 and 16777220: ties to even. */
    ASSERT_V128(simd_f32x4_convert_i32x4_s(VI32(16777219, -16777219, 0, 33554435)),
                VF32(16777220.0f, -16777220.0f, 0.0f, 33554436.0f));
    ASSERT_V128(simd_f32x4_convert_i32x4_u(VU32(UINT32_MAX, 0x80000000u, 0x80000080u, 0x80000181u)),
                VF32(4294967296.0f, 2147483648.0f, 2147483648.0f, 2147484160.0f));
    ASSERT_V128(simd_f64x2_convert_low_i32x4_s(VI32(INT32_MIN, -1, 99, 99)),
                VF64(-2147483648.0, -1.0));
    ASSERT_V128(simd_f64x2_convert_low_i32x4_u(VU32(UINT32_MAX, 0x80000000u, 7, 7)),
                VF64(4294967295.0, 2147483648.0));
}

static void test_demote_promote(void **state)
{
    (void)state;
    /* Lanes 2-3 of the result are +0 whatever the input held. */
    ASSERT_V128(simd_f32x4_demote_f64x2_zero(VF64(1.5, -0.0)), VF32(1.5f, -0.0f, 0.0f, 0.0f));
    ASSERT_V128(simd_f32x4_demote_f64x2_zero(VF64(1e300, -1e300)),
                VF32(INFINITY, -INFINITY, 0.0f, 0.0f));
    ASSERT_V128(simd_f32x4_demote_f64x2_zero(VF64(1e-300, 1.0 + 0x1p-24)),
                VF32(0.0f, 1.0f, 0.0f, 0.0f));
    ASSERT_V128(simd_f32x4_demote_f64x2_zero(VF64(1.0 + 0x1p-24 + 0x1p-40, 0x1p-149)),
                VF32(1.0f + 0x1p-23f, 0x1p-149f, 0.0f, 0.0f));
    ASSERT_V128(simd_f32x4_demote_f64x2_zero(VF64(0x1.fffffffp127, 0x1.ffffffp127)),
                VF32(INFINITY, INFINITY, 0.0f, 0.0f));
    wasm_v128 r = simd_f32x4_demote_f64x2_zero(VU64(F64_CANON, F64_SNAN));
    assert_true(f32_is_canonical_nan(r.u32[0]) && f32_is_arith_nan(r.u32[1]));
    assert_int_equal(r.u64[1], 0);

    ASSERT_V128(simd_f64x2_promote_low_f32x4(VF32(1.5f, -0.0f, 7.0f, 8.0f)), VF64(1.5, -0.0));
    ASSERT_V128(simd_f64x2_promote_low_f32x4(VF32(0x1p-149f, -INFINITY, 0.0f, 0.0f)),
                VF64(0x1p-149, -INFINITY));
    r = simd_f64x2_promote_low_f32x4(VU32(F32_CANON, F32_SNAN, 0, 0));
    assert_true(f64_is_canonical_nan(r.u64[0]) && f64_is_arith_nan(r.u64[1]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_def_count_and_unique),
        cmocka_unit_test(test_def_fields),
        cmocka_unit_test(test_def_known_rows),
        cmocka_unit_test(test_load_store),
        cmocka_unit_test(test_load_splat_zero),
        cmocka_unit_test(test_load_store_lane),
        cmocka_unit_test(test_shuffle_swizzle),
        cmocka_unit_test(test_splat_extract_replace),
        cmocka_unit_test(test_int_compare_narrow),
        cmocka_unit_test(test_int_compare_wide),
        cmocka_unit_test(test_float_compare),
        cmocka_unit_test(test_bitwise),
        cmocka_unit_test(test_any_all_true),
        cmocka_unit_test(test_bitmask),
        cmocka_unit_test(test_abs_neg_popcnt),
        cmocka_unit_test(test_add_sub_mul),
        cmocka_unit_test(test_saturating),
        cmocka_unit_test(test_min_max_avgr),
        cmocka_unit_test(test_q15mulr_dot),
        cmocka_unit_test(test_shifts),
        cmocka_unit_test(test_narrow),
        cmocka_unit_test(test_extend),
        cmocka_unit_test(test_extmul),
        cmocka_unit_test(test_extadd_pairwise),
        cmocka_unit_test(test_float_abs_neg),
        cmocka_unit_test(test_float_arith),
        cmocka_unit_test(test_float_min_max),
        cmocka_unit_test(test_float_pmin_pmax),
        cmocka_unit_test(test_float_rounding),
        cmocka_unit_test(test_trunc_sat),
        cmocka_unit_test(test_convert),
        cmocka_unit_test(test_demote_promote),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
