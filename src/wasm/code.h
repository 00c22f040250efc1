/* SPDX-License-Identifier: Apache-2.0 */
/*
 * code.h - (private to src/wasm) the internal form of a compiled function, shared by the
 * compiler (compile.c, which validates and emits in one pass) and the interpreter (interp.c).
 *
 * A function compiles to an array of 8-byte cells. Each instruction is one cell holding the
 * address of its handler inside the interpreter (GCC "labels as values"), followed by its
 * immediates. Dispatch is `goto *ip->op`.
 *
 * The interpreter is a slot machine: every function has a frame of 8-byte slots laid out as
 * [params | declared locals | operand stack]. The operand stack height is static at every
 * instruction, so each wasm operand has a fixed "home" slot and instructions name their
 * operands by slot index (`i32.add dst, a, b`). v128 values take two consecutive slots.
 * A call passes its arguments in the caller's top operand slots; the callee's frame starts
 * there and its results come back in its slots 0..n-1, i.e. where the arguments were.
 *
 * Branch targets are relative cell offsets, measured from the cell holding the offset, so
 * code needs no relocation. Handler addresses come from wasm_interp_labels().
 *
 * Tier seam: struct wasm_code keeps the frame geometry and the module-level function index;
 * the machine-code tier (jit.c) compiles this same slot code and stores its entry point in
 * `native`; the interpreter's call path and its backward branches are where it is tested.
 */
#ifndef ENARX_WASM_CODE_H
#define ENARX_WASM_CODE_H

#include <stdint.h>

#include "module.h"

/* One cell of compiled code. */
union wasm_cell {
    const void *op; /* handler address (first cell of an instruction) */
    uint64_t u64;   /* 64-bit immediate (constants, memory offsets) */
    uint32_t u32;   /* 32-bit immediate in the low half */
    float f32;      /* f32 immediate (low half) */
    double f64;     /* f64 immediate */
    int64_t i64;    /* relative branch offset in cells */
    struct {
        uint32_t a, b;
    } p;                          /* two 32-bit immediates (slot indices, indexes, counts) */
    const struct wasm_code *code; /* direct call target */
};

/* One frame slot. */
union wasm_slot {
    uint32_t u32;
    uint64_t u64;
    float f32;
    double f64;
    void *ref;
};

struct wasm_code {
    union wasm_cell *cells;
    uint32_t ncells;
    uint32_t func_index;   /* index of the function in its module (for trap messages) */
    uint32_t type;         /* type index in the module */
    uint32_t param_slots;  /* slots taken by the parameters */
    uint32_t local_slots;  /* params + declared locals */
    uint32_t frame_slots;  /* whole frame: locals + deepest operand stack (+ call headroom) */
    uint32_t result_slots; /* slots taken by the results */
    void *native;          /* machine-code entry (jit.h wasm_native_fn) or NULL; atomic */
    uint32_t hot;          /* tier auto: calls and back-edges seen (jit.h WASM_JIT_HOT) */
};

/* Fixed internal instructions (not generated from opcodes.def / simd.def). */
#define WASM_IOPS_FIXED(X)                                                                         \
    X(halt)                                                                                        \
    X(unreachable)                                                                                 \
    X(copy)                                                                                        \
    X(copy2)                                                                                       \
    X(moven)                                                                                       \
    X(const64)                                                                                     \
    X(const128)                                                                                    \
    X(br)                                                                                          \
    X(br_if)                                                                                       \
    X(br_unless)                                                                                   \
    X(br_table)                                                                                    \
    X(ret)                                                                                         \
    X(call)                                                                                        \
    X(call_import)                                                                                 \
    X(call_indirect)                                                                               \
    X(select)                                                                                      \
    X(select2)                                                                                     \
    X(global_get)                                                                                  \
    X(global_set)                                                                                  \
    X(global_get2)                                                                                 \
    X(global_set2)                                                                                 \
    X(ref_is_null)                                                                                 \
    X(ref_func)                                                                                    \
    X(table_get)                                                                                   \
    X(table_set)                                                                                   \
    X(table_size)                                                                                  \
    X(table_grow)                                                                                  \
    X(table_fill)                                                                                  \
    X(table_copy)                                                                                  \
    X(table_init)                                                                                  \
    X(elem_drop)                                                                                   \
    X(memory_size)                                                                                 \
    X(memory_grow)                                                                                 \
    X(memory_fill)                                                                                 \
    X(memory_copy)                                                                                 \
    X(memory_init)                                                                                 \
    X(data_drop)

/*
 * Fused i32 compare-and-branch: X(name, C operator, signed?). The compiler turns
 * `i32.<cmp>; br_if` (and `if`) into one instruction jumping when the comparison holds
 * (bt_) or fails (bf_), with the second operand a slot (_rr) or an immediate (_ri).
 */
#define WASM_FUSED_CMPS(X)                                                                         \
    X(i32_eq, ==, uint32_t)                                                                        \
    X(i32_ne, !=, uint32_t)                                                                        \
    X(i32_lt_s, <, int32_t)                                                                        \
    X(i32_lt_u, <, uint32_t)                                                                       \
    X(i32_gt_s, >, int32_t)                                                                        \
    X(i32_gt_u, >, uint32_t)                                                                       \
    X(i32_le_s, <=, int32_t)                                                                       \
    X(i32_le_u, <=, uint32_t)                                                                      \
    X(i32_ge_s, >=, int32_t)                                                                       \
    X(i32_ge_u, >=, uint32_t)

enum wasm_iop {
#define WASM_IOP_X(n) WASM_IOP_##n,
    WASM_IOPS_FIXED(WASM_IOP_X)
#undef WASM_IOP_X
#define WASM_IOP_F(n, op, t)                                                                       \
    WASM_IOP_bt_##n##_rr, WASM_IOP_bt_##n##_ri, WASM_IOP_bf_##n##_rr, WASM_IOP_bf_##n##_ri,
        WASM_FUSED_CMPS(WASM_IOP_F)
#undef WASM_IOP_F
#define WASM_UNOP(name, code, tin, tout, expr) WASM_IOP_##name,
#define WASM_BINOP(name, code, tin, tout, expr) WASM_IOP_##name##_rr, WASM_IOP_##name##_ri,
#define WASM_LOAD(name, code, t, bytes, mtype) WASM_IOP_##name, WASM_IOP_##name##_g,
#define WASM_STORE(name, code, t, bytes, mtype) WASM_IOP_##name, WASM_IOP_##name##_g,
#include "opcodes.def"
#define SIMD_OP(name, subop, shape, lanes, bytes, fn) WASM_IOP_simd_##name,
#include "simd.def"
#undef SIMD_OP
            WASM_IOP_COUNT_
};

/*
 * compile.c: validates defined function `func` of mod and compiles it into mod->funcs[func].code
 * (allocated by the caller, zeroed). Needs mod->func_declared. labels: wasm_interp_labels().
 * Returns 0 or -EINVAL/-ENOMEM/-E2BIG with err->msg naming the function and byte offset.
 */
WASM_NODISCARD int wasm_compile_func(struct wasm_module *mod, uint32_t func,
                                     const void *const *labels, struct wasm_error *err);

/* interp.c: the handler address of every enum wasm_iop (a table of WASM_IOP_COUNT_). */
const void *const *wasm_interp_labels(void);

#endif
