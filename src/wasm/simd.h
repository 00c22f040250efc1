/* SPDX-License-Identifier: Apache-2.0 */
/*
 * simd.h - (private to src/wasm) the semantics of every 128-bit SIMD instruction.
 *
 * simd.def lists the 236 instructions of WebAssembly 2.0's 0xFD prefix; this header gives each
 * one a `static inline` function, named simd_<name> (simd_i8x16_add), whose signature follows
 * the instruction's shape in simd.def:
 *
 *   LOAD        wasm_v128 fn(const uint8_t *p)                  reads `bytes` unaligned bytes
 *   LOAD_LANE   wasm_v128 fn(const uint8_t *p, wasm_v128 v, uint32_t lane)
 *   STORE       void fn(uint8_t *p, wasm_v128 v)                writes 16 unaligned bytes
 *   STORE_LANE  void fn(uint8_t *p, wasm_v128 v, uint32_t lane)
 *   CONST       simd_none: a placeholder, never called (the immediate is the value)
 *   SHUFFLE     wasm_v128 fn(wasm_v128 a, wasm_v128 b, const uint8_t *lanes)   16 lane bytes
 *   EXTRACT_*   uint32_t fn(wasm_v128 v, uint32_t lane) (I32, F32) or uint64_t (I64, F64)
 *   REPLACE_*   wasm_v128 fn(wasm_v128 v, uint32_t lane, uint32_t x) or uint64_t x
 *   SPLAT_*     wasm_v128 fn(uint32_t x) (I32, F32) or fn(uint64_t x) (I64, F64)
 *   UNARY       wasm_v128 fn(wasm_v128 a)
 *   BINARY      wasm_v128 fn(wasm_v128 a, wasm_v128 b)
 *   TERNARY     wasm_v128 fn(wasm_v128 a, wasm_v128 b, wasm_v128 c)
 *   TEST        uint32_t fn(wasm_v128 a)
 *   SHIFT       wasm_v128 fn(wasm_v128 a, uint32_t count)
 *
 * Floats cross these interfaces as IEEE-754 bit patterns (uint32_t/uint64_t) so that NaN
 * payloads survive exactly, as in union wasm_val.
 *
 * Design choices:
 * - A v128 is a union whose views share the wasm lane order because the host is little-endian
 *   (asserted below), so lane i of i32x4 is bytes 4i..4i+3 of the wasm value. Instructions that
 *   are plain vector arithmetic use GCC/clang vector types (one SSE instruction each with both
 *   compilers); the rest are portable C loops over lanes, which gcc vectorises too. Everything
 *   is inline so that the interpreter's handlers compile each instruction in place.
 * - No undefined behaviour on any input: integer arithmetic that can leave its range is done in
 *   unsigned or wider types, shift counts are reduced modulo the lane width, float-to-int
 *   conversions are range-checked before the C conversion, and lane immediates and shuffle
 *   indices are masked to their range (the validator has already rejected larger ones; the mask
 *   only keeps a broken caller from reading outside the value).
 * - NaNs. Arithmetic (add, sqrt, ceil, min, demote ...) returns a NaN whose quiet bit is set:
 *   the C operators do that in hardware, and where we pick the NaN ourselves (min, max, the
 *   rounding functions) we return the first NaN operand with its quiet bit set. That is a
 *   canonical NaN when every NaN input was canonical and an arithmetic NaN otherwise, as the
 *   spec requires. (Which payload add or mul returns when both operands are NaNs depends on
 *   the operand order the compiler picks; the spec allows either.) abs, neg, pmin, pmax, bitselect
 * and lane moves work on bits and keep payloads exactly.
 * - Rounding: the float operations rely on the default IEEE rounding mode (to nearest, ties to
 *   even), which the engine never changes; nearest uses rint()/rintf() for that reason. Build
 *   without -ffast-math, and on x86-64 (SSE arithmetic, no x87 excess precision).
 */
#ifndef ENARX_WASM_SIMD_H
#define ENARX_WASM_SIMD_H

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* One v128 value; every view addresses the same 16 bytes in wasm's lane order. */
typedef union wasm_v128 {
    uint8_t u8[16];
    int8_t i8[16];
    uint16_t u16[8];
    int16_t i16[8];
    uint32_t u32[4];
    int32_t i32[4];
    uint64_t u64[2];
    int64_t i64[2];
    float f32[4];
    double f64[2];
} wasm_v128;

static_assert(sizeof(wasm_v128) == 16, "wasm_v128 must be exactly 16 bytes");
static_assert(sizeof(float) == 4 && sizeof(double) == 8, "IEEE-754 binary32/binary64 expected");
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "wasm_v128 lane views assume a little-endian host");

#define SIMD_F32_QUIET UINT32_C(0x00400000)
#define SIMD_F32_SIGN UINT32_C(0x80000000)
#define SIMD_F64_QUIET UINT64_C(0x0008000000000000)
#define SIMD_F64_SIGN UINT64_C(0x8000000000000000)

/*
 * GCC/clang vector types, used for the families that map one-to-one onto vector arithmetic
 * (wrapping add/sub/mul/neg, bitwise, comparisons, integer min/max, avgr_u, shifts, float
 * add/sub/mul/div and sign operations). Both compilers turn these into single SSE instructions,
 * where clang does not vectorise the equivalent lane loops over the union. Element arithmetic in
 * vector types never promotes, so unsigned element types wrap exactly; signed ones are used only
 * for comparisons and shr_s. A comparison yields a signed vector of -1 (all ones) and 0, which a
 * cast reinterprets (vector casts between types of equal size keep the bits).
 */
typedef uint8_t simd_vu8 __attribute__((vector_size(16)));
typedef int8_t simd_vi8 __attribute__((vector_size(16)));
typedef uint16_t simd_vu16 __attribute__((vector_size(16)));
typedef int16_t simd_vi16 __attribute__((vector_size(16)));
typedef uint32_t simd_vu32 __attribute__((vector_size(16)));
typedef int32_t simd_vi32 __attribute__((vector_size(16)));
typedef uint64_t simd_vu64 __attribute__((vector_size(16)));
typedef int64_t simd_vi64 __attribute__((vector_size(16)));
typedef float simd_vf32 __attribute__((vector_size(16)));
typedef double simd_vf64 __attribute__((vector_size(16)));

/* X where the mask M (a comparison result) is all ones, else Y; VT is the type of X and Y. */
#define SIMD_VSELECT(VT, M, X, Y) (((X) & (VT)(M)) | ((Y) & ~(VT)(M)))

/*
 * Vector generators: `static inline wasm_v128 NAME(...)` loading the operands a (and b) as
 * vectors of type VT and returning EXPR reinterpreted as vector type OT.
 */
#define SIMD_GEN_VUNARY(NAME, VT, OT, EXPR)                                                        \
    static inline wasm_v128 NAME(wasm_v128 a_)                                                     \
    {                                                                                              \
        VT a;                                                                                      \
        OT r;                                                                                      \
        memcpy(&a, &a_, 16);                                                                       \
        r = (OT)(EXPR);                                                                            \
        memcpy(&a_, &r, 16);                                                                       \
        return a_;                                                                                 \
    }
#define SIMD_GEN_VBINARY(NAME, VT, OT, EXPR)                                                       \
    static inline wasm_v128 NAME(wasm_v128 a_, wasm_v128 b_)                                       \
    {                                                                                              \
        VT a, b;                                                                                   \
        OT r;                                                                                      \
        memcpy(&a, &a_, 16);                                                                       \
        memcpy(&b, &b_, 16);                                                                       \
        r = (OT)(EXPR);                                                                            \
        memcpy(&a_, &r, 16);                                                                       \
        return a_;                                                                                 \
    }
/* Shifts by a scalar: the count is first reduced modulo the lane width (COUNT_MASK + 1). */
#define SIMD_GEN_VSHIFT(NAME, VT, OP, COUNT_MASK)                                                  \
    static inline wasm_v128 NAME(wasm_v128 a_, uint32_t count)                                     \
    {                                                                                              \
        VT a;                                                                                      \
        memcpy(&a, &a_, 16);                                                                       \
        a = a OP(int)(count & (COUNT_MASK));                                                       \
        memcpy(&a_, &a, 16);                                                                       \
        return a_;                                                                                 \
    }

/*
 * Generators. Each defines `static inline wasm_v128 NAME(...)` that sets every lane i of view F
 * (N lanes, lane type T) of the result to EXPR, which may use a, b (and count) and i.
 */
#define SIMD_GEN_UNARY(NAME, F, T, N, EXPR)                                                        \
    static inline wasm_v128 NAME(wasm_v128 a)                                                      \
    {                                                                                              \
        wasm_v128 r;                                                                               \
        for (int i = 0; i < (N); i++)                                                              \
            r.F[i] = (T)(EXPR);                                                                    \
        return r;                                                                                  \
    }
#define SIMD_GEN_BINARY(NAME, F, T, N, EXPR)                                                       \
    static inline wasm_v128 NAME(wasm_v128 a, wasm_v128 b)                                         \
    {                                                                                              \
        wasm_v128 r;                                                                               \
        for (int i = 0; i < (N); i++)                                                              \
            r.F[i] = (T)(EXPR);                                                                    \
        return r;                                                                                  \
    }
#define SIMD_GEN_SHIFT(NAME, F, T, N, EXPR)                                                        \
    static inline wasm_v128 NAME(wasm_v128 a, uint32_t count)                                      \
    {                                                                                              \
        wasm_v128 r;                                                                               \
        for (int i = 0; i < (N); i++)                                                              \
            r.F[i] = (T)(EXPR);                                                                    \
        return r;                                                                                  \
    }
/* TEST generators: all_true (every lane non-zero) and bitmask (bit i = top bit of lane i). */
#define SIMD_GEN_ALL_TRUE(NAME, F, N)                                                              \
    static inline uint32_t NAME(wasm_v128 a)                                                       \
    {                                                                                              \
        uint32_t all = 1;                                                                          \
        for (int i = 0; i < (N); i++)                                                              \
            all &= (uint32_t)(a.F[i] != 0);                                                        \
        return all;                                                                                \
    }
#define SIMD_GEN_BITMASK(NAME, F, N, BITS)                                                         \
    static inline uint32_t NAME(wasm_v128 a)                                                       \
    {                                                                                              \
        uint32_t m = 0;                                                                            \
        for (int i = 0; i < (N); i++)                                                              \
            m |= (uint32_t)(a.F[i] >> ((BITS)-1)) << i;                                            \
        return m;                                                                                  \
    }

/* ---------------------------------------------------------------------------------------- */
/* Scalar helpers (also usable by the scalar interpreter).                                  */

/* Bit pattern of a float, and back. */
static inline uint32_t simd_f32_bits(float x)
{
    uint32_t b;
    memcpy(&b, &x, sizeof(b));
    return b;
}
static inline float simd_f32_from_bits(uint32_t b)
{
    float x;
    memcpy(&x, &b, sizeof(x));
    return x;
}
static inline uint64_t simd_f64_bits(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof(b));
    return b;
}
static inline double simd_f64_from_bits(uint64_t b)
{
    double x;
    memcpy(&x, &b, sizeof(x));
    return x;
}

/*
 * wasm fmin/fmax on bit patterns: a NaN operand gives that NaN quieted (the first if both are);
 * -0 is below +0; otherwise the smaller (larger) operand's exact bits.
 */
static inline uint32_t simd_f32_min_bits(uint32_t xb, uint32_t yb)
{
    float x = simd_f32_from_bits(xb), y = simd_f32_from_bits(yb);
    if (isnan(x)) return xb | SIMD_F32_QUIET;
    if (isnan(y)) return yb | SIMD_F32_QUIET;
    if (x == y) /* equal, or zeros of either sign: OR keeps a set sign bit */
        return xb | yb;
    return x < y ? xb : yb;
}
static inline uint32_t simd_f32_max_bits(uint32_t xb, uint32_t yb)
{
    float x = simd_f32_from_bits(xb), y = simd_f32_from_bits(yb);
    if (isnan(x)) return xb | SIMD_F32_QUIET;
    if (isnan(y)) return yb | SIMD_F32_QUIET;
    if (x == y) /* AND clears the sign unless both are -0 */
        return xb & yb;
    return x > y ? xb : yb;
}
static inline uint64_t simd_f64_min_bits(uint64_t xb, uint64_t yb)
{
    double x = simd_f64_from_bits(xb), y = simd_f64_from_bits(yb);
    if (isnan(x)) return xb | SIMD_F64_QUIET;
    if (isnan(y)) return yb | SIMD_F64_QUIET;
    if (x == y) return xb | yb;
    return x < y ? xb : yb;
}
static inline uint64_t simd_f64_max_bits(uint64_t xb, uint64_t yb)
{
    double x = simd_f64_from_bits(xb), y = simd_f64_from_bits(yb);
    if (isnan(x)) return xb | SIMD_F64_QUIET;
    if (isnan(y)) return yb | SIMD_F64_QUIET;
    if (x == y) return xb & yb;
    return x > y ? xb : yb;
}

/* Rounding of one lane: libm for numbers, the quieted operand for NaN (see the file comment). */
enum simd_round { SIMD_CEIL, SIMD_FLOOR, SIMD_TRUNC, SIMD_NEAREST };

static inline uint32_t simd_f32_round_bits(uint32_t xb, enum simd_round mode)
{
    float x = simd_f32_from_bits(xb);
    if (isnan(x)) return xb | SIMD_F32_QUIET;
    switch (mode) {
    case SIMD_CEIL: return simd_f32_bits(ceilf(x));
    case SIMD_FLOOR: return simd_f32_bits(floorf(x));
    case SIMD_TRUNC: return simd_f32_bits(truncf(x));
    case SIMD_NEAREST: break;
    }
    return simd_f32_bits(rintf(x));
}
static inline uint64_t simd_f64_round_bits(uint64_t xb, enum simd_round mode)
{
    double x = simd_f64_from_bits(xb);
    if (isnan(x)) return xb | SIMD_F64_QUIET;
    switch (mode) {
    case SIMD_CEIL: return simd_f64_bits(ceil(x));
    case SIMD_FLOOR: return simd_f64_bits(floor(x));
    case SIMD_TRUNC: return simd_f64_bits(trunc(x));
    case SIMD_NEAREST: break;
    }
    return simd_f64_bits(rint(x));
}

/* Saturating float-to-int truncation: NaN gives 0, out-of-range values the nearest bound. */
static inline int32_t simd_trunc_sat_f32_i32(float x)
{
    if (isnan(x)) return 0;
    if (x < -2147483648.0f) return INT32_MIN;
    if (x >= 2147483648.0f) return INT32_MAX;
    return (int32_t)x;
}
static inline uint32_t simd_trunc_sat_f32_u32(float x)
{
    if (!(x > -1.0f)) /* NaN, or truncates below zero */
        return 0;
    if (x >= 4294967296.0f) return UINT32_MAX;
    return (uint32_t)x;
}
static inline int32_t simd_trunc_sat_f64_i32(double x)
{
    if (isnan(x)) return 0;
    if (x <= -2147483649.0) return INT32_MIN;
    if (x >= 2147483648.0) return INT32_MAX;
    return (int32_t)x;
}
static inline uint32_t simd_trunc_sat_f64_u32(double x)
{
    if (!(x > -1.0)) return 0;
    if (x >= 4294967296.0) return UINT32_MAX;
    return (uint32_t)x;
}

/* Signed saturation of an int to the range [LO, HI]. */
static inline int32_t simd_clamp(int32_t x, int32_t lo, int32_t hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* ---------------------------------------------------------------------------------------- */
/* Memory: every access is an unaligned memcpy of exactly `bytes` bytes (simd.def).         */

/* v128.load: 16 bytes. */
static inline wasm_v128 simd_v128_load(const uint8_t *p)
{
    wasm_v128 r;
    memcpy(&r, p, 16);
    return r;
}

/* v128.load{8x8,16x4,32x2}_{s,u}: 8 bytes, each lane sign- or zero-extended to double width. */
static inline wasm_v128 simd_v128_load8x8_s(const uint8_t *p)
{
    int8_t x[8];
    wasm_v128 r;
    memcpy(x, p, sizeof(x));
    for (int i = 0; i < 8; i++)
        r.i16[i] = x[i];
    return r;
}
static inline wasm_v128 simd_v128_load8x8_u(const uint8_t *p)
{
    wasm_v128 r;
    for (int i = 0; i < 8; i++)
        r.u16[i] = p[i];
    return r;
}
static inline wasm_v128 simd_v128_load16x4_s(const uint8_t *p)
{
    int16_t x[4];
    wasm_v128 r;
    memcpy(x, p, sizeof(x));
    for (int i = 0; i < 4; i++)
        r.i32[i] = x[i];
    return r;
}
static inline wasm_v128 simd_v128_load16x4_u(const uint8_t *p)
{
    uint16_t x[4];
    wasm_v128 r;
    memcpy(x, p, sizeof(x));
    for (int i = 0; i < 4; i++)
        r.u32[i] = x[i];
    return r;
}
static inline wasm_v128 simd_v128_load32x2_s(const uint8_t *p)
{
    int32_t x[2];
    wasm_v128 r;
    memcpy(x, p, sizeof(x));
    for (int i = 0; i < 2; i++)
        r.i64[i] = x[i];
    return r;
}
static inline wasm_v128 simd_v128_load32x2_u(const uint8_t *p)
{
    uint32_t x[2];
    wasm_v128 r;
    memcpy(x, p, sizeof(x));
    for (int i = 0; i < 2; i++)
        r.u64[i] = x[i];
    return r;
}

/* v128.load{8,16,32,64}_splat: one lane read and copied to every lane. */
static inline wasm_v128 simd_v128_load8_splat(const uint8_t *p)
{
    wasm_v128 r;
    memset(&r, p[0], sizeof(r));
    return r;
}
static inline wasm_v128 simd_v128_load16_splat(const uint8_t *p)
{
    uint16_t x;
    wasm_v128 r;
    memcpy(&x, p, sizeof(x));
    for (int i = 0; i < 8; i++)
        r.u16[i] = x;
    return r;
}
static inline wasm_v128 simd_v128_load32_splat(const uint8_t *p)
{
    uint32_t x;
    wasm_v128 r;
    memcpy(&x, p, sizeof(x));
    for (int i = 0; i < 4; i++)
        r.u32[i] = x;
    return r;
}
static inline wasm_v128 simd_v128_load64_splat(const uint8_t *p)
{
    uint64_t x;
    wasm_v128 r;
    memcpy(&x, p, sizeof(x));
    r.u64[0] = r.u64[1] = x;
    return r;
}

/* v128.load{32,64}_zero: lane 0 read, the other lanes zero. */
static inline wasm_v128 simd_v128_load32_zero(const uint8_t *p)
{
    wasm_v128 r;
    memset(&r, 0, sizeof(r));
    memcpy(&r.u32[0], p, 4);
    return r;
}
static inline wasm_v128 simd_v128_load64_zero(const uint8_t *p)
{
    wasm_v128 r;
    memset(&r, 0, sizeof(r));
    memcpy(&r.u64[0], p, 8);
    return r;
}

/* v128.store: 16 bytes. */
static inline void simd_v128_store(uint8_t *p, wasm_v128 v)
{
    memcpy(p, &v, 16);
}

/* v128.load{8,16,32,64}_lane: v with lane `lane` replaced by SIZE bytes read from p. */
#define SIMD_GEN_LOAD_LANE(NAME, SIZE)                                                             \
    static inline wasm_v128 NAME(const uint8_t *p, wasm_v128 v, uint32_t lane)                     \
    {                                                                                              \
        memcpy(&v.u8[(lane & (16 / (SIZE)-1)) * (SIZE)], p, (SIZE));                               \
        return v;                                                                                  \
    }
SIMD_GEN_LOAD_LANE(simd_v128_load8_lane, 1)
SIMD_GEN_LOAD_LANE(simd_v128_load16_lane, 2)
SIMD_GEN_LOAD_LANE(simd_v128_load32_lane, 4)
SIMD_GEN_LOAD_LANE(simd_v128_load64_lane, 8)

/* v128.store{8,16,32,64}_lane: SIZE bytes of lane `lane` of v written to p. */
#define SIMD_GEN_STORE_LANE(NAME, SIZE)                                                            \
    static inline void NAME(uint8_t *p, wasm_v128 v, uint32_t lane)                                \
    {                                                                                              \
        memcpy(p, &v.u8[(lane & (16 / (SIZE)-1)) * (SIZE)], (SIZE));                               \
    }
SIMD_GEN_STORE_LANE(simd_v128_store8_lane, 1)
SIMD_GEN_STORE_LANE(simd_v128_store16_lane, 2)
SIMD_GEN_STORE_LANE(simd_v128_store32_lane, 4)
SIMD_GEN_STORE_LANE(simd_v128_store64_lane, 8)

/* v128.const has no function: its 16 immediate bytes are the value. simd.def names this. */
static inline void simd_none(void) {}

/* ---------------------------------------------------------------------------------------- */
/* Lane moves: shuffle, swizzle, splat, extract_lane, replace_lane.                          */

/* i8x16.shuffle: lane i = byte lanes[i] of the 32-byte concatenation a:b. */
static inline wasm_v128 simd_i8x16_shuffle(wasm_v128 a, wasm_v128 b, const uint8_t *lanes)
{
    wasm_v128 r;
    for (int i = 0; i < 16; i++) {
        unsigned k = lanes[i] & 31u;
        r.u8[i] = k < 16 ? a.u8[k] : b.u8[k - 16];
    }
    return r;
}

/* i8x16.swizzle: lane i = a[b[i]], or 0 where b[i] >= 16. */
SIMD_GEN_BINARY(simd_i8x16_swizzle, u8, uint8_t, 16, b.u8[i] < 16 ? a.u8[b.u8[i]] : 0)

/* i8x16.splat / i16x8.splat take the low bits of an i32; f32/f64 splat take bit patterns. */
static inline wasm_v128 simd_i8x16_splat(uint32_t x)
{
    wasm_v128 r;
    memset(&r, (int)(x & 0xff), sizeof(r));
    return r;
}
static inline wasm_v128 simd_i16x8_splat(uint32_t x)
{
    wasm_v128 r;
    for (int i = 0; i < 8; i++)
        r.u16[i] = (uint16_t)x;
    return r;
}
static inline wasm_v128 simd_i32x4_splat(uint32_t x)
{
    wasm_v128 r;
    for (int i = 0; i < 4; i++)
        r.u32[i] = x;
    return r;
}
static inline wasm_v128 simd_i64x2_splat(uint64_t x)
{
    wasm_v128 r;
    r.u64[0] = r.u64[1] = x;
    return r;
}
static inline wasm_v128 simd_f32x4_splat(uint32_t bits)
{
    return simd_i32x4_splat(bits);
}
static inline wasm_v128 simd_f64x2_splat(uint64_t bits)
{
    return simd_i64x2_splat(bits);
}

/* extract_lane: the lane as an i32 (sign- or zero-extended for 8/16-bit lanes), i64 or bits. */
static inline uint32_t simd_i8x16_extract_lane_s(wasm_v128 v, uint32_t lane)
{
    return (uint32_t)(int32_t)v.i8[lane & 15];
}
static inline uint32_t simd_i8x16_extract_lane_u(wasm_v128 v, uint32_t lane)
{
    return v.u8[lane & 15];
}
static inline uint32_t simd_i16x8_extract_lane_s(wasm_v128 v, uint32_t lane)
{
    return (uint32_t)(int32_t)v.i16[lane & 7];
}
static inline uint32_t simd_i16x8_extract_lane_u(wasm_v128 v, uint32_t lane)
{
    return v.u16[lane & 7];
}
static inline uint32_t simd_i32x4_extract_lane(wasm_v128 v, uint32_t lane)
{
    return v.u32[lane & 3];
}
static inline uint64_t simd_i64x2_extract_lane(wasm_v128 v, uint32_t lane)
{
    return v.u64[lane & 1];
}
static inline uint32_t simd_f32x4_extract_lane(wasm_v128 v, uint32_t lane)
{
    return v.u32[lane & 3];
}
static inline uint64_t simd_f64x2_extract_lane(wasm_v128 v, uint32_t lane)
{
    return v.u64[lane & 1];
}

/* replace_lane: v with one lane set to x (low bits for 8/16-bit lanes; floats as bits). */
static inline wasm_v128 simd_i8x16_replace_lane(wasm_v128 v, uint32_t lane, uint32_t x)
{
    v.u8[lane & 15] = (uint8_t)x;
    return v;
}
static inline wasm_v128 simd_i16x8_replace_lane(wasm_v128 v, uint32_t lane, uint32_t x)
{
    v.u16[lane & 7] = (uint16_t)x;
    return v;
}
static inline wasm_v128 simd_i32x4_replace_lane(wasm_v128 v, uint32_t lane, uint32_t x)
{
    v.u32[lane & 3] = x;
    return v;
}
static inline wasm_v128 simd_i64x2_replace_lane(wasm_v128 v, uint32_t lane, uint64_t x)
{
    v.u64[lane & 1] = x;
    return v;
}
static inline wasm_v128 simd_f32x4_replace_lane(wasm_v128 v, uint32_t lane, uint32_t bits)
{
    v.u32[lane & 3] = bits;
    return v;
}
static inline wasm_v128 simd_f64x2_replace_lane(wasm_v128 v, uint32_t lane, uint64_t bits)
{
    v.u64[lane & 1] = bits;
    return v;
}

/* ---------------------------------------------------------------------------------------- */
/* Comparisons: each lane all ones where the relation holds, else zero.                     */

/* i8x16.{eq,ne,lt,gt,le,ge}{_s,_u} */
SIMD_GEN_VBINARY(simd_i8x16_eq, simd_vu8, simd_vu8, a == b)
SIMD_GEN_VBINARY(simd_i8x16_ne, simd_vu8, simd_vu8, a != b)
SIMD_GEN_VBINARY(simd_i8x16_lt_s, simd_vi8, simd_vu8, a < b)
SIMD_GEN_VBINARY(simd_i8x16_lt_u, simd_vu8, simd_vu8, a < b)
SIMD_GEN_VBINARY(simd_i8x16_gt_s, simd_vi8, simd_vu8, a > b)
SIMD_GEN_VBINARY(simd_i8x16_gt_u, simd_vu8, simd_vu8, a > b)
SIMD_GEN_VBINARY(simd_i8x16_le_s, simd_vi8, simd_vu8, a <= b)
SIMD_GEN_VBINARY(simd_i8x16_le_u, simd_vu8, simd_vu8, a <= b)
SIMD_GEN_VBINARY(simd_i8x16_ge_s, simd_vi8, simd_vu8, a >= b)
SIMD_GEN_VBINARY(simd_i8x16_ge_u, simd_vu8, simd_vu8, a >= b)

/* i16x8.{eq,ne,lt,gt,le,ge}{_s,_u} */
SIMD_GEN_VBINARY(simd_i16x8_eq, simd_vu16, simd_vu16, a == b)
SIMD_GEN_VBINARY(simd_i16x8_ne, simd_vu16, simd_vu16, a != b)
SIMD_GEN_VBINARY(simd_i16x8_lt_s, simd_vi16, simd_vu16, a < b)
SIMD_GEN_VBINARY(simd_i16x8_lt_u, simd_vu16, simd_vu16, a < b)
SIMD_GEN_VBINARY(simd_i16x8_gt_s, simd_vi16, simd_vu16, a > b)
SIMD_GEN_VBINARY(simd_i16x8_gt_u, simd_vu16, simd_vu16, a > b)
SIMD_GEN_VBINARY(simd_i16x8_le_s, simd_vi16, simd_vu16, a <= b)
SIMD_GEN_VBINARY(simd_i16x8_le_u, simd_vu16, simd_vu16, a <= b)
SIMD_GEN_VBINARY(simd_i16x8_ge_s, simd_vi16, simd_vu16, a >= b)
SIMD_GEN_VBINARY(simd_i16x8_ge_u, simd_vu16, simd_vu16, a >= b)

/* i32x4.{eq,ne,lt,gt,le,ge}{_s,_u} */
SIMD_GEN_VBINARY(simd_i32x4_eq, simd_vu32, simd_vu32, a == b)
SIMD_GEN_VBINARY(simd_i32x4_ne, simd_vu32, simd_vu32, a != b)
SIMD_GEN_VBINARY(simd_i32x4_lt_s, simd_vi32, simd_vu32, a < b)
SIMD_GEN_VBINARY(simd_i32x4_lt_u, simd_vu32, simd_vu32, a < b)
SIMD_GEN_VBINARY(simd_i32x4_gt_s, simd_vi32, simd_vu32, a > b)
SIMD_GEN_VBINARY(simd_i32x4_gt_u, simd_vu32, simd_vu32, a > b)
SIMD_GEN_VBINARY(simd_i32x4_le_s, simd_vi32, simd_vu32, a <= b)
SIMD_GEN_VBINARY(simd_i32x4_le_u, simd_vu32, simd_vu32, a <= b)
SIMD_GEN_VBINARY(simd_i32x4_ge_s, simd_vi32, simd_vu32, a >= b)
SIMD_GEN_VBINARY(simd_i32x4_ge_u, simd_vu32, simd_vu32, a >= b)

/* i64x2.{eq,ne,lt_s,gt_s,le_s,ge_s} (there are no unsigned i64x2 comparisons) */
SIMD_GEN_VBINARY(simd_i64x2_eq, simd_vu64, simd_vu64, a == b)
SIMD_GEN_VBINARY(simd_i64x2_ne, simd_vu64, simd_vu64, a != b)
SIMD_GEN_VBINARY(simd_i64x2_lt_s, simd_vi64, simd_vu64, a < b)
SIMD_GEN_VBINARY(simd_i64x2_gt_s, simd_vi64, simd_vu64, a > b)
SIMD_GEN_VBINARY(simd_i64x2_le_s, simd_vi64, simd_vu64, a <= b)
SIMD_GEN_VBINARY(simd_i64x2_ge_s, simd_vi64, simd_vu64, a >= b)

/* f32x4/f64x2.{eq,ne,lt,gt,le,ge}: IEEE comparisons; NaN is unordered (only ne holds). */
SIMD_GEN_VBINARY(simd_f32x4_eq, simd_vf32, simd_vu32, a == b)
SIMD_GEN_VBINARY(simd_f32x4_ne, simd_vf32, simd_vu32, a != b)
SIMD_GEN_VBINARY(simd_f32x4_lt, simd_vf32, simd_vu32, a < b)
SIMD_GEN_VBINARY(simd_f32x4_gt, simd_vf32, simd_vu32, a > b)
SIMD_GEN_VBINARY(simd_f32x4_le, simd_vf32, simd_vu32, a <= b)
SIMD_GEN_VBINARY(simd_f32x4_ge, simd_vf32, simd_vu32, a >= b)
SIMD_GEN_VBINARY(simd_f64x2_eq, simd_vf64, simd_vu64, a == b)
SIMD_GEN_VBINARY(simd_f64x2_ne, simd_vf64, simd_vu64, a != b)
SIMD_GEN_VBINARY(simd_f64x2_lt, simd_vf64, simd_vu64, a < b)
SIMD_GEN_VBINARY(simd_f64x2_gt, simd_vf64, simd_vu64, a > b)
SIMD_GEN_VBINARY(simd_f64x2_le, simd_vf64, simd_vu64, a <= b)
SIMD_GEN_VBINARY(simd_f64x2_ge, simd_vf64, simd_vu64, a >= b)

/* ---------------------------------------------------------------------------------------- */
/* Bitwise operations on the whole 128 bits.                                                */

/* v128.not, v128.and, v128.andnot (a & ~b), v128.or, v128.xor */
SIMD_GEN_VUNARY(simd_v128_not, simd_vu64, simd_vu64, ~a)
SIMD_GEN_VBINARY(simd_v128_and, simd_vu64, simd_vu64, (a & b))
SIMD_GEN_VBINARY(simd_v128_andnot, simd_vu64, simd_vu64, a & ~b)
SIMD_GEN_VBINARY(simd_v128_or, simd_vu64, simd_vu64, a | b)
SIMD_GEN_VBINARY(simd_v128_xor, simd_vu64, simd_vu64, a ^ b)

/* v128.bitselect: bits of a where c is 1, bits of b where c is 0. */
static inline wasm_v128 simd_v128_bitselect(wasm_v128 a_, wasm_v128 b_, wasm_v128 c_)
{
    simd_vu64 a, b, c;
    memcpy(&a, &a_, 16);
    memcpy(&b, &b_, 16);
    memcpy(&c, &c_, 16);
    a = (a & c) | (b & ~c);
    memcpy(&a_, &a, 16);
    return a_;
}

/* v128.any_true: 1 if any bit is set. */
static inline uint32_t simd_v128_any_true(wasm_v128 a)
{
    return (a.u64[0] | a.u64[1]) != 0;
}

/* {i8x16,i16x8,i32x4,i64x2}.all_true: 1 if every lane is non-zero. */
SIMD_GEN_ALL_TRUE(simd_i8x16_all_true, u8, 16)
SIMD_GEN_ALL_TRUE(simd_i16x8_all_true, u16, 8)
SIMD_GEN_ALL_TRUE(simd_i32x4_all_true, u32, 4)
SIMD_GEN_ALL_TRUE(simd_i64x2_all_true, u64, 2)

/* {i8x16,i16x8,i32x4,i64x2}.bitmask: bit i of the result is the sign bit of lane i. */
SIMD_GEN_BITMASK(simd_i8x16_bitmask, u8, 16, 8)
SIMD_GEN_BITMASK(simd_i16x8_bitmask, u16, 8, 16)
SIMD_GEN_BITMASK(simd_i32x4_bitmask, u32, 4, 32)
SIMD_GEN_BITMASK(simd_i64x2_bitmask, u64, 2, 64)

/* ---------------------------------------------------------------------------------------- */
/* Integer arithmetic. Wrapping results are computed in unsigned types; _sat_ ones in int.  */

/* abs (INT_MIN stays INT_MIN), neg (wrapping) and i8x16.popcnt. */
SIMD_GEN_UNARY(simd_i8x16_abs, u8, uint8_t, 16, a.i8[i] < 0 ? 0u - a.u8[i] : a.u8[i])
SIMD_GEN_UNARY(simd_i16x8_abs, u16, uint16_t, 8, a.i16[i] < 0 ? 0u - a.u16[i] : a.u16[i])
SIMD_GEN_UNARY(simd_i32x4_abs, u32, uint32_t, 4, a.i32[i] < 0 ? 0u - a.u32[i] : a.u32[i])
SIMD_GEN_UNARY(simd_i64x2_abs, u64, uint64_t, 2, a.i64[i] < 0 ? 0u - a.u64[i] : a.u64[i])
SIMD_GEN_VUNARY(simd_i8x16_neg, simd_vu8, simd_vu8, 0 - a)
SIMD_GEN_VUNARY(simd_i16x8_neg, simd_vu16, simd_vu16, 0 - a)
SIMD_GEN_VUNARY(simd_i32x4_neg, simd_vu32, simd_vu32, 0 - a)
SIMD_GEN_VUNARY(simd_i64x2_neg, simd_vu64, simd_vu64, 0 - a)
SIMD_GEN_UNARY(simd_i8x16_popcnt, u8, uint8_t, 16, __builtin_popcount(a.u8[i]))

/* add, sub (wrapping) and mul (wrapping; products of 16-bit lanes in unsigned 32 bits). */
SIMD_GEN_VBINARY(simd_i8x16_add, simd_vu8, simd_vu8, a + b)
SIMD_GEN_VBINARY(simd_i16x8_add, simd_vu16, simd_vu16, a + b)
SIMD_GEN_VBINARY(simd_i32x4_add, simd_vu32, simd_vu32, a + b)
SIMD_GEN_VBINARY(simd_i64x2_add, simd_vu64, simd_vu64, a + b)
SIMD_GEN_VBINARY(simd_i8x16_sub, simd_vu8, simd_vu8, a - b)
SIMD_GEN_VBINARY(simd_i16x8_sub, simd_vu16, simd_vu16, a - b)
SIMD_GEN_VBINARY(simd_i32x4_sub, simd_vu32, simd_vu32, a - b)
SIMD_GEN_VBINARY(simd_i64x2_sub, simd_vu64, simd_vu64, a - b)
SIMD_GEN_VBINARY(simd_i16x8_mul, simd_vu16, simd_vu16, (a * b))
SIMD_GEN_VBINARY(simd_i32x4_mul, simd_vu32, simd_vu32, (a * b))
SIMD_GEN_VBINARY(simd_i64x2_mul, simd_vu64, simd_vu64, (a * b))

/*
 * add_sat / sub_sat: the exact result clamped to the lane's signed or unsigned range, computed
 * on wrapping unsigned lanes. Unsigned: a sum that wrapped is below a, and a difference wraps
 * exactly when b > a. Signed: the wrapped result overflowed when its sign differs from both
 * addends' (for sub: a and b differ in sign and the result's sign differs from a's); the bound
 * is then INT_MAX for a >= 0 and INT_MIN for a < 0, i.e. (a >> (bits - 1)) + INT_MAX.
 */
#define SIMD_ADD_SAT_S(VU, VI, SH, MAX)                                                            \
    SIMD_VSELECT(VU, (VI)((a ^ (a + b)) & (b ^ (a + b))) < 0, (a >> (SH)) + (MAX), a + b)
#define SIMD_SUB_SAT_S(VU, VI, SH, MAX)                                                            \
    SIMD_VSELECT(VU, (VI)((a ^ b) & (a ^ (a - b))) < 0, (a >> (SH)) + (MAX), a - b)
SIMD_GEN_VBINARY(simd_i8x16_add_sat_s, simd_vu8, simd_vu8,
                 SIMD_ADD_SAT_S(simd_vu8, simd_vi8, 7, INT8_MAX))
SIMD_GEN_VBINARY(simd_i8x16_add_sat_u, simd_vu8, simd_vu8, (a + b) | (simd_vu8)(a + b < a))
SIMD_GEN_VBINARY(simd_i8x16_sub_sat_s, simd_vu8, simd_vu8,
                 SIMD_SUB_SAT_S(simd_vu8, simd_vi8, 7, INT8_MAX))
SIMD_GEN_VBINARY(simd_i8x16_sub_sat_u, simd_vu8, simd_vu8, (a - b) & (simd_vu8)(b <= a))
SIMD_GEN_VBINARY(simd_i16x8_add_sat_s, simd_vu16, simd_vu16,
                 SIMD_ADD_SAT_S(simd_vu16, simd_vi16, 15, INT16_MAX))
SIMD_GEN_VBINARY(simd_i16x8_add_sat_u, simd_vu16, simd_vu16, (a + b) | (simd_vu16)(a + b < a))
SIMD_GEN_VBINARY(simd_i16x8_sub_sat_s, simd_vu16, simd_vu16,
                 SIMD_SUB_SAT_S(simd_vu16, simd_vi16, 15, INT16_MAX))
SIMD_GEN_VBINARY(simd_i16x8_sub_sat_u, simd_vu16, simd_vu16, (a - b) & (simd_vu16)(b <= a))

/* min / max, signed and unsigned. */
SIMD_GEN_VBINARY(simd_i8x16_min_s, simd_vi8, simd_vi8, SIMD_VSELECT(simd_vi8, a < b, a, b))
SIMD_GEN_VBINARY(simd_i8x16_min_u, simd_vu8, simd_vu8, SIMD_VSELECT(simd_vu8, a < b, a, b))
SIMD_GEN_VBINARY(simd_i8x16_max_s, simd_vi8, simd_vi8, SIMD_VSELECT(simd_vi8, a > b, a, b))
SIMD_GEN_VBINARY(simd_i8x16_max_u, simd_vu8, simd_vu8, SIMD_VSELECT(simd_vu8, a > b, a, b))
SIMD_GEN_VBINARY(simd_i16x8_min_s, simd_vi16, simd_vi16, SIMD_VSELECT(simd_vi16, a < b, a, b))
SIMD_GEN_VBINARY(simd_i16x8_min_u, simd_vu16, simd_vu16, SIMD_VSELECT(simd_vu16, a < b, a, b))
SIMD_GEN_VBINARY(simd_i16x8_max_s, simd_vi16, simd_vi16, SIMD_VSELECT(simd_vi16, a > b, a, b))
SIMD_GEN_VBINARY(simd_i16x8_max_u, simd_vu16, simd_vu16, SIMD_VSELECT(simd_vu16, a > b, a, b))
SIMD_GEN_VBINARY(simd_i32x4_min_s, simd_vi32, simd_vi32, SIMD_VSELECT(simd_vi32, a < b, a, b))
SIMD_GEN_VBINARY(simd_i32x4_min_u, simd_vu32, simd_vu32, SIMD_VSELECT(simd_vu32, a < b, a, b))
SIMD_GEN_VBINARY(simd_i32x4_max_s, simd_vi32, simd_vi32, SIMD_VSELECT(simd_vi32, a > b, a, b))
SIMD_GEN_VBINARY(simd_i32x4_max_u, simd_vu32, simd_vu32, SIMD_VSELECT(simd_vu32, a > b, a, b))

/* avgr_u: (a + b + 1) / 2 without overflow, as a/2 + b/2 + (1 if either is odd). */
SIMD_GEN_VBINARY(simd_i8x16_avgr_u, simd_vu8, simd_vu8, (a >> 1) + (b >> 1) + ((a | b) & 1))
SIMD_GEN_VBINARY(simd_i16x8_avgr_u, simd_vu16, simd_vu16, (a >> 1) + (b >> 1) + ((a | b) & 1))

/* i16x8.q15mulr_sat_s: (a * b + 0x4000) >> 15, saturated (only -32768 * -32768 overflows). */
SIMD_GEN_BINARY(simd_i16x8_q15mulr_sat_s, i16, int16_t, 8,
                simd_clamp((a.i16[i] * b.i16[i] + 0x4000) >> 15, INT16_MIN, INT16_MAX))

/* i32x4.dot_i16x8_s: a[2i]*b[2i] + a[2i+1]*b[2i+1]; the sum wraps (2 * 2^30 = 2^31). */
SIMD_GEN_BINARY(simd_i32x4_dot_i16x8_s, u32, uint32_t, 4,
                (int64_t)(a.i16[2 * i] * b.i16[2 * i]) + a.i16[2 * i + 1] * b.i16[2 * i + 1])

/* Shifts: the count is taken modulo the lane width; shr_s is arithmetic. */
SIMD_GEN_VSHIFT(simd_i8x16_shl, simd_vu8, <<, 7)
SIMD_GEN_VSHIFT(simd_i8x16_shr_s, simd_vi8, >>, 7)
SIMD_GEN_VSHIFT(simd_i8x16_shr_u, simd_vu8, >>, 7)
SIMD_GEN_VSHIFT(simd_i16x8_shl, simd_vu16, <<, 15)
SIMD_GEN_VSHIFT(simd_i16x8_shr_s, simd_vi16, >>, 15)
SIMD_GEN_VSHIFT(simd_i16x8_shr_u, simd_vu16, >>, 15)
SIMD_GEN_VSHIFT(simd_i32x4_shl, simd_vu32, <<, 31)
SIMD_GEN_VSHIFT(simd_i32x4_shr_s, simd_vi32, >>, 31)
SIMD_GEN_VSHIFT(simd_i32x4_shr_u, simd_vu32, >>, 31)
SIMD_GEN_VSHIFT(simd_i64x2_shl, simd_vu64, <<, 63)
SIMD_GEN_VSHIFT(simd_i64x2_shr_s, simd_vi64, >>, 63)
SIMD_GEN_VSHIFT(simd_i64x2_shr_u, simd_vu64, >>, 63)

/* ---------------------------------------------------------------------------------------- */
/* Width changes: narrow, extend, extmul, extadd_pairwise.                                  */

/*
 * narrow_*_s / _u: the lanes of a then b, each (read as signed) saturated to the narrower
 * signed / unsigned range.
 */
#define SIMD_GEN_NARROW(NAME, OUT, T, IN, N, LO, HI)                                               \
    static inline wasm_v128 NAME(wasm_v128 a, wasm_v128 b)                                         \
    {                                                                                              \
        wasm_v128 r;                                                                               \
        for (int i = 0; i < (N); i++) {                                                            \
            r.OUT[i] = (T)simd_clamp(a.IN[i], (LO), (HI));                                         \
            r.OUT[i + (N)] = (T)simd_clamp(b.IN[i], (LO), (HI));                                   \
        }                                                                                          \
        return r;                                                                                  \
    }
SIMD_GEN_NARROW(simd_i8x16_narrow_i16x8_s, i8, int8_t, i16, 8, INT8_MIN, INT8_MAX)
SIMD_GEN_NARROW(simd_i8x16_narrow_i16x8_u, u8, uint8_t, i16, 8, 0, UINT8_MAX)
SIMD_GEN_NARROW(simd_i16x8_narrow_i32x4_s, i16, int16_t, i32, 4, INT16_MIN, INT16_MAX)
SIMD_GEN_NARROW(simd_i16x8_narrow_i32x4_u, u16, uint16_t, i32, 4, 0, UINT16_MAX)

/* extend_{low,high}: the low or high half of the lanes, sign- or zero-extended. */
SIMD_GEN_UNARY(simd_i16x8_extend_low_i8x16_s, i16, int16_t, 8, a.i8[i])
SIMD_GEN_UNARY(simd_i16x8_extend_high_i8x16_s, i16, int16_t, 8, a.i8[i + 8])
SIMD_GEN_UNARY(simd_i16x8_extend_low_i8x16_u, u16, uint16_t, 8, a.u8[i])
SIMD_GEN_UNARY(simd_i16x8_extend_high_i8x16_u, u16, uint16_t, 8, a.u8[i + 8])
SIMD_GEN_UNARY(simd_i32x4_extend_low_i16x8_s, i32, int32_t, 4, a.i16[i])
SIMD_GEN_UNARY(simd_i32x4_extend_high_i16x8_s, i32, int32_t, 4, a.i16[i + 4])
SIMD_GEN_UNARY(simd_i32x4_extend_low_i16x8_u, u32, uint32_t, 4, a.u16[i])
SIMD_GEN_UNARY(simd_i32x4_extend_high_i16x8_u, u32, uint32_t, 4, a.u16[i + 4])
SIMD_GEN_UNARY(simd_i64x2_extend_low_i32x4_s, i64, int64_t, 2, a.i32[i])
SIMD_GEN_UNARY(simd_i64x2_extend_high_i32x4_s, i64, int64_t, 2, a.i32[i + 2])
SIMD_GEN_UNARY(simd_i64x2_extend_low_i32x4_u, u64, uint64_t, 2, a.u32[i])
SIMD_GEN_UNARY(simd_i64x2_extend_high_i32x4_u, u64, uint64_t, 2, a.u32[i + 2])

/* extmul_{low,high}: the full-width products of the extended low or high halves. */
SIMD_GEN_BINARY(simd_i16x8_extmul_low_i8x16_s, i16, int16_t, 8, a.i8[i] * b.i8[i])
SIMD_GEN_BINARY(simd_i16x8_extmul_high_i8x16_s, i16, int16_t, 8, a.i8[i + 8] * b.i8[i + 8])
SIMD_GEN_BINARY(simd_i16x8_extmul_low_i8x16_u, u16, uint16_t, 8, a.u8[i] * b.u8[i])
SIMD_GEN_BINARY(simd_i16x8_extmul_high_i8x16_u, u16, uint16_t, 8, a.u8[i + 8] * b.u8[i + 8])
SIMD_GEN_BINARY(simd_i32x4_extmul_low_i16x8_s, i32, int32_t, 4, a.i16[i] * b.i16[i])
SIMD_GEN_BINARY(simd_i32x4_extmul_high_i16x8_s, i32, int32_t, 4, a.i16[i + 4] * b.i16[i + 4])
SIMD_GEN_BINARY(simd_i32x4_extmul_low_i16x8_u, u32, uint32_t, 4, (uint32_t)a.u16[i] * b.u16[i])
SIMD_GEN_BINARY(simd_i32x4_extmul_high_i16x8_u, u32, uint32_t, 4,
                (uint32_t)a.u16[i + 4] * b.u16[i + 4])
SIMD_GEN_BINARY(simd_i64x2_extmul_low_i32x4_s, i64, int64_t, 2, (int64_t)a.i32[i] * b.i32[i])
SIMD_GEN_BINARY(simd_i64x2_extmul_high_i32x4_s, i64, int64_t, 2,
                (int64_t)a.i32[i + 2] * b.i32[i + 2])
SIMD_GEN_BINARY(simd_i64x2_extmul_low_i32x4_u, u64, uint64_t, 2, (uint64_t)a.u32[i] * b.u32[i])
SIMD_GEN_BINARY(simd_i64x2_extmul_high_i32x4_u, u64, uint64_t, 2,
                (uint64_t)a.u32[i + 2] * b.u32[i + 2])

/* extadd_pairwise: lane i = extended lane 2i + extended lane 2i+1 (never overflows). */
SIMD_GEN_UNARY(simd_i16x8_extadd_pairwise_i8x16_s, i16, int16_t, 8, a.i8[2 * i] + a.i8[2 * i + 1])
SIMD_GEN_UNARY(simd_i16x8_extadd_pairwise_i8x16_u, u16, uint16_t, 8, a.u8[2 * i] + a.u8[2 * i + 1])
SIMD_GEN_UNARY(simd_i32x4_extadd_pairwise_i16x8_s, i32, int32_t, 4, a.i16[2 * i] + a.i16[2 * i + 1])
SIMD_GEN_UNARY(simd_i32x4_extadd_pairwise_i16x8_u, u32, uint32_t, 4,
               (uint32_t)a.u16[2 * i] + a.u16[2 * i + 1])

/* ---------------------------------------------------------------------------------------- */
/* Floating point.                                                                          */

/* abs, neg: the sign bit cleared / flipped; NaN payloads are kept. */
SIMD_GEN_VUNARY(simd_f32x4_abs, simd_vu32, simd_vu32, a & ~SIMD_F32_SIGN)
SIMD_GEN_VUNARY(simd_f32x4_neg, simd_vu32, simd_vu32, a ^ SIMD_F32_SIGN)
SIMD_GEN_VUNARY(simd_f64x2_abs, simd_vu64, simd_vu64, a & ~SIMD_F64_SIGN)
SIMD_GEN_VUNARY(simd_f64x2_neg, simd_vu64, simd_vu64, a ^ SIMD_F64_SIGN)

/* sqrt, add, sub, mul, div: IEEE-754, correctly rounded to nearest-even. */
SIMD_GEN_UNARY(simd_f32x4_sqrt, f32, float, 4, sqrtf(a.f32[i]))
SIMD_GEN_UNARY(simd_f64x2_sqrt, f64, double, 2, sqrt(a.f64[i]))
SIMD_GEN_VBINARY(simd_f32x4_add, simd_vf32, simd_vf32, a + b)
SIMD_GEN_VBINARY(simd_f32x4_sub, simd_vf32, simd_vf32, a - b)
SIMD_GEN_VBINARY(simd_f32x4_mul, simd_vf32, simd_vf32, (a * b))
SIMD_GEN_VBINARY(simd_f32x4_div, simd_vf32, simd_vf32, a / b)
SIMD_GEN_VBINARY(simd_f64x2_add, simd_vf64, simd_vf64, a + b)
SIMD_GEN_VBINARY(simd_f64x2_sub, simd_vf64, simd_vf64, a - b)
SIMD_GEN_VBINARY(simd_f64x2_mul, simd_vf64, simd_vf64, (a * b))
SIMD_GEN_VBINARY(simd_f64x2_div, simd_vf64, simd_vf64, a / b)

/* min, max: NaN if either is NaN; -0 < +0 (see simd_f32_min_bits). */
SIMD_GEN_BINARY(simd_f32x4_min, u32, uint32_t, 4, simd_f32_min_bits(a.u32[i], b.u32[i]))
SIMD_GEN_BINARY(simd_f32x4_max, u32, uint32_t, 4, simd_f32_max_bits(a.u32[i], b.u32[i]))
SIMD_GEN_BINARY(simd_f64x2_min, u64, uint64_t, 2, simd_f64_min_bits(a.u64[i], b.u64[i]))
SIMD_GEN_BINARY(simd_f64x2_max, u64, uint64_t, 2, simd_f64_max_bits(a.u64[i], b.u64[i]))

/* pmin = b < a ? b : a, pmax = a < b ? b : a, exactly (so a NaN or zero a is kept as is). */
SIMD_GEN_BINARY(simd_f32x4_pmin, u32, uint32_t, 4, b.f32[i] < a.f32[i] ? b.u32[i] : a.u32[i])
SIMD_GEN_BINARY(simd_f32x4_pmax, u32, uint32_t, 4, a.f32[i] < b.f32[i] ? b.u32[i] : a.u32[i])
SIMD_GEN_BINARY(simd_f64x2_pmin, u64, uint64_t, 2, b.f64[i] < a.f64[i] ? b.u64[i] : a.u64[i])
SIMD_GEN_BINARY(simd_f64x2_pmax, u64, uint64_t, 2, a.f64[i] < b.f64[i] ? b.u64[i] : a.u64[i])

/* ceil, floor, trunc, nearest (ties to even); the sign of a zero result follows the input. */
SIMD_GEN_UNARY(simd_f32x4_ceil, u32, uint32_t, 4, simd_f32_round_bits(a.u32[i], SIMD_CEIL))
SIMD_GEN_UNARY(simd_f32x4_floor, u32, uint32_t, 4, simd_f32_round_bits(a.u32[i], SIMD_FLOOR))
SIMD_GEN_UNARY(simd_f32x4_trunc, u32, uint32_t, 4, simd_f32_round_bits(a.u32[i], SIMD_TRUNC))
SIMD_GEN_UNARY(simd_f32x4_nearest, u32, uint32_t, 4, simd_f32_round_bits(a.u32[i], SIMD_NEAREST))
SIMD_GEN_UNARY(simd_f64x2_ceil, u64, uint64_t, 2, simd_f64_round_bits(a.u64[i], SIMD_CEIL))
SIMD_GEN_UNARY(simd_f64x2_floor, u64, uint64_t, 2, simd_f64_round_bits(a.u64[i], SIMD_FLOOR))
SIMD_GEN_UNARY(simd_f64x2_trunc, u64, uint64_t, 2, simd_f64_round_bits(a.u64[i], SIMD_TRUNC))
SIMD_GEN_UNARY(simd_f64x2_nearest, u64, uint64_t, 2, simd_f64_round_bits(a.u64[i], SIMD_NEAREST))

/* ---------------------------------------------------------------------------------------- */
/* Conversions.                                                                             */

/* i32x4.trunc_sat_f32x4_{s,u}: truncation toward zero, NaN -> 0, saturating. */
SIMD_GEN_UNARY(simd_i32x4_trunc_sat_f32x4_s, i32, int32_t, 4, simd_trunc_sat_f32_i32(a.f32[i]))
SIMD_GEN_UNARY(simd_i32x4_trunc_sat_f32x4_u, u32, uint32_t, 4, simd_trunc_sat_f32_u32(a.f32[i]))

/* f32x4.convert_i32x4_{s,u}: rounded to nearest-even. */
SIMD_GEN_UNARY(simd_f32x4_convert_i32x4_s, f32, float, 4, a.i32[i])
SIMD_GEN_UNARY(simd_f32x4_convert_i32x4_u, f32, float, 4, a.u32[i])

/* i32x4.trunc_sat_f64x2_{s,u}_zero: the two f64 lanes converted into lanes 0-1; 2-3 are zero. */
static inline wasm_v128 simd_i32x4_trunc_sat_f64x2_s_zero(wasm_v128 a)
{
    wasm_v128 r;
    r.i32[0] = simd_trunc_sat_f64_i32(a.f64[0]);
    r.i32[1] = simd_trunc_sat_f64_i32(a.f64[1]);
    r.u64[1] = 0;
    return r;
}
static inline wasm_v128 simd_i32x4_trunc_sat_f64x2_u_zero(wasm_v128 a)
{
    wasm_v128 r;
    r.u32[0] = simd_trunc_sat_f64_u32(a.f64[0]);
    r.u32[1] = simd_trunc_sat_f64_u32(a.f64[1]);
    r.u64[1] = 0;
    return r;
}

/* f64x2.convert_low_i32x4_{s,u}: lanes 0-1 converted (exactly). */
SIMD_GEN_UNARY(simd_f64x2_convert_low_i32x4_s, f64, double, 2, a.i32[i])
SIMD_GEN_UNARY(simd_f64x2_convert_low_i32x4_u, f64, double, 2, a.u32[i])

/* f32x4.demote_f64x2_zero: lanes 0-1 rounded to f32 (NaNs quieted), lanes 2-3 +0. */
static inline wasm_v128 simd_f32x4_demote_f64x2_zero(wasm_v128 a)
{
    wasm_v128 r;
    r.f32[0] = (float)a.f64[0];
    r.f32[1] = (float)a.f64[1];
    r.u64[1] = 0;
    return r;
}

/* f64x2.promote_low_f32x4: lanes 0-1 widened exactly (NaNs quieted). */
SIMD_GEN_UNARY(simd_f64x2_promote_low_f32x4, f64, double, 2, a.f32[i])

#endif /* ENARX_WASM_SIMD_H */
