/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_interp.c - the validator/compiler (validate.c, compile.c) and the interpreter
 * (interp.c), through the public API.
 *
 * The modules are small hand-written .wat files assembled once with wat2wasm; their source is
 * shown above each byte array. The official spec suite (tests/spec, build/tests/spectest)
 * covers instruction semantics broadly; these tests pin down the engine's own contracts:
 * trap codes and messages, call-depth and fuel exhaustion as traps (never crashes), the store
 * staying usable after a trap, host calls and re-entrancy, the compiler's lazy operands
 * (local.get aliasing, constants folded into immediates), multi-value returns, br_table,
 * polymorphic-stack validation and rejection of invalid bodies.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "wasm/wasm.h"

/*
 * (module
 *   (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
 *   (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
 *   (func (export "swap") (param i32 i32) (result i32 i32) local.get 1 local.get 0)
 *   (func (export "postinc") (param i32) (result i32)
 *     local.get 0 local.get 0 i32.const 1 i32.add local.set 0 local.get 0 i32.mul)
 *   (func (export "fac") (param i64) (result i64)
 *     local.get 0 i64.eqz if (result i64) i64.const 1
 *     else local.get 0 local.get 0 i64.const 1 i64.sub call 4 i64.mul end)
 *   (func (export "sum") (param i32) (result i32) (local i32)
 *     block loop local.get 0 i32.eqz br_if 1
 *       local.get 1 local.get 0 i32.add local.set 1
 *       local.get 0 i32.const 1 i32.sub local.set 0 br 0 end end local.get 1)
 *   (func (export "pick") (param i32) (result i32)
 *     block block block local.get 0 br_table 0 1 2 end i32.const 10 return end i32.const 20 return
 * end i32.const 30) (func (export "recurse") (param i32) (result i32) local.get 0 i32.const 1
 * i32.add call 7) (func (export "spin") loop br 0 end) (func (export "fmin") (param f32 f32)
 * (result f32) local.get 0 local.get 1 f32.min) (func (export "trunc") (param f64) (result i32)
 * local.get 0 i32.trunc_f64_s)
 * )
 */
static const uint8_t k_arith[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x26, 0x07, 0x60, 0x02, 0x7f, 0x7f, 0x01,
    0x7f, 0x60, 0x02, 0x7f, 0x7f, 0x02, 0x7f, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7e,
    0x01, 0x7e, 0x60, 0x00, 0x00, 0x60, 0x02, 0x7d, 0x7d, 0x01, 0x7d, 0x60, 0x01, 0x7c, 0x01, 0x7f,
    0x03, 0x0c, 0x0b, 0x00, 0x00, 0x01, 0x02, 0x03, 0x02, 0x02, 0x02, 0x04, 0x05, 0x06, 0x07, 0x51,
    0x0b, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00, 0x03, 0x64, 0x69, 0x76, 0x00, 0x01, 0x04, 0x73, 0x77,
    0x61, 0x70, 0x00, 0x02, 0x07, 0x70, 0x6f, 0x73, 0x74, 0x69, 0x6e, 0x63, 0x00, 0x03, 0x03, 0x66,
    0x61, 0x63, 0x00, 0x04, 0x03, 0x73, 0x75, 0x6d, 0x00, 0x05, 0x04, 0x70, 0x69, 0x63, 0x6b, 0x00,
    0x06, 0x07, 0x72, 0x65, 0x63, 0x75, 0x72, 0x73, 0x65, 0x00, 0x07, 0x04, 0x73, 0x70, 0x69, 0x6e,
    0x00, 0x08, 0x04, 0x66, 0x6d, 0x69, 0x6e, 0x00, 0x09, 0x05, 0x74, 0x72, 0x75, 0x6e, 0x63, 0x00,
    0x0a, 0x0a, 0x9a, 0x01, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, 0x07, 0x00, 0x20,
    0x00, 0x20, 0x01, 0x6d, 0x0b, 0x06, 0x00, 0x20, 0x01, 0x20, 0x00, 0x0b, 0x0e, 0x00, 0x20, 0x00,
    0x20, 0x00, 0x41, 0x01, 0x6a, 0x21, 0x00, 0x20, 0x00, 0x6c, 0x0b, 0x15, 0x00, 0x20, 0x00, 0x50,
    0x04, 0x7e, 0x42, 0x01, 0x05, 0x20, 0x00, 0x20, 0x00, 0x42, 0x01, 0x7d, 0x10, 0x04, 0x7e, 0x0b,
    0x0b, 0x21, 0x01, 0x01, 0x7f, 0x02, 0x40, 0x03, 0x40, 0x20, 0x00, 0x45, 0x0d, 0x01, 0x20, 0x01,
    0x20, 0x00, 0x6a, 0x21, 0x01, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00, 0x0c, 0x00, 0x0b, 0x0b,
    0x20, 0x01, 0x0b, 0x1a, 0x00, 0x02, 0x40, 0x02, 0x40, 0x02, 0x40, 0x20, 0x00, 0x0e, 0x02, 0x00,
    0x01, 0x02, 0x0b, 0x41, 0x0a, 0x0f, 0x0b, 0x41, 0x14, 0x0f, 0x0b, 0x41, 0x1e, 0x0b, 0x09, 0x00,
    0x20, 0x00, 0x41, 0x01, 0x6a, 0x10, 0x07, 0x0b, 0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b,
    0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x96, 0x0b, 0x05, 0x00, 0x20, 0x00, 0xaa, 0x0b,
};

/*
 * (module
 *   (memory 1 2)
 *   (table 2 funcref)
 *   (elem (i32.const 0) 2)
 *   (func (export "load") (param i32) (result i32) local.get 0 i32.load)
 *   (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
 *   (func (result i32) i32.const 42)
 *   (func (export "ind") (param i32) (result i32) local.get 0 call_indirect (result i32))
 *   (func (export "ind_bad") (param i32) (result i64) local.get 0 call_indirect (result i64))
 *   (func (export "fill") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.fill)
 * )
 */
static const uint8_t k_mem[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x19, 0x05, 0x60, 0x01, 0x7f, 0x01, 0x7f,
    0x60, 0x00, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7e, 0x60, 0x00, 0x01, 0x7e, 0x60, 0x03, 0x7f,
    0x7f, 0x7f, 0x00, 0x03, 0x07, 0x06, 0x00, 0x00, 0x01, 0x00, 0x02, 0x04, 0x04, 0x04, 0x01, 0x70,
    0x00, 0x02, 0x05, 0x04, 0x01, 0x01, 0x01, 0x02, 0x07, 0x26, 0x05, 0x04, 0x6c, 0x6f, 0x61, 0x64,
    0x00, 0x00, 0x04, 0x67, 0x72, 0x6f, 0x77, 0x00, 0x01, 0x03, 0x69, 0x6e, 0x64, 0x00, 0x03, 0x07,
    0x69, 0x6e, 0x64, 0x5f, 0x62, 0x61, 0x64, 0x00, 0x04, 0x04, 0x66, 0x69, 0x6c, 0x6c, 0x00, 0x05,
    0x09, 0x07, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x02, 0x0a, 0x31, 0x06, 0x07, 0x00, 0x20, 0x00,
    0x28, 0x02, 0x00, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x40, 0x00, 0x0b, 0x04, 0x00, 0x41, 0x2a, 0x0b,
    0x07, 0x00, 0x20, 0x00, 0x11, 0x01, 0x00, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x11, 0x03, 0x00, 0x0b,
    0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfc, 0x0b, 0x00, 0x0b,
};

/*
 * (module
 *   (import "env" "f" (func $f (param i32) (result i32)))
 *   (func (export "call") (param i32) (result i32) local.get 0 call $f i32.const 1 i32.add)
 *   (func (export "inner") (param i32) (result i32) local.get 0 i32.const 100 i32.mul)
 * )
 */
static const uint8_t k_host[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01,
    0x7f, 0x02, 0x09, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x66, 0x00, 0x00, 0x03, 0x03, 0x02,
    0x00, 0x00, 0x07, 0x10, 0x02, 0x04, 0x63, 0x61, 0x6c, 0x6c, 0x00, 0x01, 0x05, 0x69, 0x6e,
    0x6e, 0x65, 0x72, 0x00, 0x02, 0x0a, 0x14, 0x02, 0x09, 0x00, 0x20, 0x00, 0x10, 0x00, 0x41,
    0x01, 0x6a, 0x0b, 0x08, 0x00, 0x20, 0x00, 0x41, 0xe4, 0x00, 0x6c, 0x0b,
};

/*
 * (module
 *   (func (export "u") (result i32) unreachable i32.add br_if 0 i32.eqz)
 *   (func (param v128) (result v128) local.get 0 local.get 0 i32x4.add)
 * )
 */
static const uint8_t k_poly[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x02, 0x60, 0x00, 0x01,
    0x7f, 0x60, 0x01, 0x7b, 0x01, 0x7b, 0x03, 0x03, 0x02, 0x00, 0x01, 0x07, 0x05, 0x01,
    0x01, 0x75, 0x00, 0x00, 0x0a, 0x13, 0x02, 0x07, 0x00, 0x00, 0x6a, 0x0d, 0x00, 0x45,
    0x0b, 0x09, 0x00, 0x20, 0x00, 0x20, 0x00, 0xfd, 0xae, 0x01, 0x0b,
};

/* (func (result i32) i64.const 0): a type mismatch the validator must reject. */
static const uint8_t k_bad[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01,
    0x7f, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x42, 0x00, 0x0b,
};

struct env {
    struct wasm_module *mod;
    struct wasm_store *store;
    struct wasm_instance *inst;
};

static void env_open(struct env *e, const uint8_t *bytes, size_t size,
                     const struct wasm_limits *lim, const struct wasm_extern *imports,
                     uint32_t nimports)
{
    struct wasm_error err = {0};
    memset(e, 0, sizeof *e);
    assert_int_equal(wasm_module_new(bytes, size, &e->mod, &err), 0);
    assert_int_equal(wasm_store_new(lim, &e->store), 0);
    assert_int_equal(wasm_instance_new(e->store, e->mod, imports, nimports, &e->inst, &err), 0);
}

static void env_close(struct env *e)
{
    wasm_store_free(e->store);
    wasm_module_free(e->mod);
}

static struct wasm_func *export_func(struct env *e, const char *name)
{
    struct wasm_extern ex;
    assert_int_equal(wasm_instance_export(e->inst, name, strlen(name), &ex), 0);
    assert_int_equal(ex.kind, WASM_EXTERN_FUNC);
    return ex.of.func;
}

/* Calls an export taking and returning only i32 values (at most 3 / 2). */
static int call_i32(struct env *e, const char *name, uint32_t nargs, uint32_t nres,
                    const uint32_t *args, uint32_t *res, struct wasm_error *err)
{
    union wasm_val a[3] = {0}, r[2] = {0};
    for (uint32_t i = 0; i < nargs; i++)
        a[i].i32 = args[i];
    int rc = wasm_func_call(e->store, export_func(e, name), a, nargs, r, nres, err);
    for (uint32_t i = 0; i < nres && rc == 0; i++)
        res[i] = r[i].i32;
    return rc;
}

static void test_arith(void **state)
{
    (void)state;
    struct env e;
    struct wasm_error err;
    uint32_t r[2];
    env_open(&e, k_arith, sizeof k_arith, NULL, NULL, 0);
    assert_int_equal(call_i32(&e, "add", 2, 1, (uint32_t[]){7, 0xffffffffu}, r, &err), 0);
    assert_int_equal(r[0], 6);
    assert_int_equal(call_i32(&e, "swap", 2, 2, (uint32_t[]){1, 2}, r, &err), 0);
    assert_int_equal(r[0], 2);
    assert_int_equal(r[1], 1);
    /* the value of local 0 read before local.set must survive it: 5 * 6 */
    assert_int_equal(call_i32(&e, "postinc", 1, 1, (uint32_t[]){5}, r, &err), 0);
    assert_int_equal(r[0], 30);
    assert_int_equal(call_i32(&e, "sum", 1, 1, (uint32_t[]){100}, r, &err), 0);
    assert_int_equal(r[0], 5050);
    for (uint32_t i = 0; i < 5; i++) {
        assert_int_equal(call_i32(&e, "pick", 1, 1, (uint32_t[]){i}, r, &err), 0);
        assert_int_equal(r[0], i == 0 ? 10 : i == 1 ? 20 : 30);
    }
    union wasm_val a = {.i64 = 20}, res;
    assert_int_equal(wasm_func_call(e.store, export_func(&e, "fac"), &a, 1, &res, 1, &err), 0);
    assert_true(res.i64 == 2432902008176640000ull);
    env_close(&e);
}

static void test_float(void **state)
{
    (void)state;
    struct env e;
    struct wasm_error err;
    env_open(&e, k_arith, sizeof k_arith, NULL, NULL, 0);
    union wasm_val a[2] = {{.f32 = 0x80000000u}, {.f32 = 0}}, r;
    assert_int_equal(wasm_func_call(e.store, export_func(&e, "fmin"), a, 2, &r, 1, &err), 0);
    assert_int_equal(r.f32, 0x80000000u); /* min(-0, +0) = -0 */
    a[0].f32 = 0x7fa00000u;               /* a signalling NaN comes back quiet */
    assert_int_equal(wasm_func_call(e.store, export_func(&e, "fmin"), a, 2, &r, 1, &err), 0);
    assert_int_equal(r.f32 & 0x7fc00000u, 0x7fc00000u);
    double d = -2147483648.9;
    memcpy(&a[0].f64, &d, 8);
    assert_int_equal(wasm_func_call(e.store, export_func(&e, "trunc"), a, 1, &r, 1, &err), 0);
    assert_int_equal(r.i32, 0x80000000u);
    d = 2147483648.0;
    memcpy(&a[0].f64, &d, 8);
    assert_int_equal(wasm_func_call(e.store, export_func(&e, "trunc"), a, 1, &r, 1, &err),
                     WASM_TRAP_INT_OVERFLOW);
    d = NAN;
    memcpy(&a[0].f64, &d, 8);
    assert_int_equal(wasm_func_call(e.store, export_func(&e, "trunc"), a, 1, &r, 1, &err),
                     WASM_TRAP_INVALID_CONV);
    env_close(&e);
}

static void test_traps(void **state)
{
    (void)state;
    struct env e;
    struct wasm_error err;
    uint32_t r[1];
    env_open(&e, k_arith, sizeof k_arith, NULL, NULL, 0);
    assert_int_equal(call_i32(&e, "div", 2, 1, (uint32_t[]){1, 0}, r, &err), WASM_TRAP_DIV_ZERO);
    assert_int_equal(err.code, WASM_TRAP_DIV_ZERO);
    assert_int_equal(err.func, 1);
    assert_string_equal(err.msg, "wasm trap: integer divide by zero in function 1");
    assert_int_equal(call_i32(&e, "div", 2, 1, (uint32_t[]){0x80000000u, 0xffffffffu}, r, &err),
                     WASM_TRAP_INT_OVERFLOW);
    /* unbounded recursion: a trap, not a crash; the store keeps working afterwards */
    assert_int_equal(call_i32(&e, "recurse", 1, 1, (uint32_t[]){0}, r, &err),
                     WASM_TRAP_CALL_EXHAUSTED);
    assert_int_equal(err.func, 7);
    assert_int_equal(call_i32(&e, "div", 2, 1, (uint32_t[]){-7, 2}, r, &err), 0);
    assert_int_equal(r[0], (uint32_t)-3);
    assert_string_equal(wasm_trap_str(WASM_TRAP_UNREACHABLE), "unreachable");
    assert_string_equal(wasm_trap_str(WASM_TRAP_INDIRECT_TYPE), "indirect call type mismatch");
    env_close(&e);
}

static void test_limits(void **state)
{
    (void)state;
    struct env e;
    struct wasm_error err;
    uint32_t r[1];
    struct wasm_limits lim = {0};
    lim.max_call_depth = 50;
    lim.fuel = 10000;
    env_open(&e, k_arith, sizeof k_arith, &lim, NULL, 0);
    assert_int_equal(call_i32(&e, "spin", 0, 0, NULL, r, &err), WASM_TRAP_FUEL);
    assert_int_equal(err.code, WASM_TRAP_FUEL);
    assert_int_equal(call_i32(&e, "recurse", 1, 1, (uint32_t[]){0}, r, &err),
                     WASM_TRAP_CALL_EXHAUSTED);
    /* fuel is refilled per call: a short function still runs */
    assert_int_equal(call_i32(&e, "sum", 1, 1, (uint32_t[]){10}, r, &err), 0);
    assert_int_equal(r[0], 55);
    env_close(&e);

    /* a tiny value stack is exhausted by recursion too */
    lim.fuel = 0;
    lim.max_call_depth = 1000000;
    lim.value_stack_size = 4096;
    env_open(&e, k_arith, sizeof k_arith, &lim, NULL, 0);
    assert_int_equal(call_i32(&e, "recurse", 1, 1, (uint32_t[]){0}, r, &err),
                     WASM_TRAP_CALL_EXHAUSTED);
    env_close(&e);
}

static void test_memory_tables(void **state)
{
    (void)state;
    struct env e;
    struct wasm_error err;
    uint32_t r[1];
    env_open(&e, k_mem, sizeof k_mem, NULL, NULL, 0);
    assert_int_equal(call_i32(&e, "load", 1, 1, (uint32_t[]){65532}, r, &err), 0);
    assert_int_equal(call_i32(&e, "load", 1, 1, (uint32_t[]){65533}, r, &err),
                     WASM_TRAP_MEMORY_OOB);
    assert_int_equal(call_i32(&e, "load", 1, 1, (uint32_t[]){0xffffffffu}, r, &err),
                     WASM_TRAP_MEMORY_OOB);
    assert_int_equal(call_i32(&e, "grow", 1, 1, (uint32_t[]){1}, r, &err), 0);
    assert_int_equal(r[0], 1);
    assert_int_equal(call_i32(&e, "grow", 1, 1, (uint32_t[]){1}, r, &err), 0);
    assert_int_equal(r[0], 0xffffffffu); /* max 2 pages */
    assert_int_equal(call_i32(&e, "load", 1, 1, (uint32_t[]){65536 + 100}, r, &err), 0);
    /* fill out of bounds writes nothing; at the exact end with length 0 is fine */
    assert_int_equal(call_i32(&e, "fill", 3, 0, (uint32_t[]){131070, 0xab, 4}, r, &err),
                     WASM_TRAP_MEMORY_OOB);
    assert_int_equal(call_i32(&e, "load", 1, 1, (uint32_t[]){131068}, r, &err), 0);
    assert_int_equal(r[0], 0);
    assert_int_equal(call_i32(&e, "fill", 3, 0, (uint32_t[]){131072, 0xab, 0}, r, &err), 0);
    assert_int_equal(call_i32(&e, "ind", 1, 1, (uint32_t[]){0}, r, &err), 0);
    assert_int_equal(r[0], 42);
    assert_int_equal(call_i32(&e, "ind", 1, 1, (uint32_t[]){1}, r, &err), WASM_TRAP_UNINITIALIZED);
    assert_int_equal(call_i32(&e, "ind", 1, 1, (uint32_t[]){2}, r, &err), WASM_TRAP_TABLE_OOB);
    union wasm_val a = {.i32 = 0}, res;
    assert_int_equal(wasm_func_call(e.store, export_func(&e, "ind_bad"), &a, 1, &res, 1, &err),
                     WASM_TRAP_INDIRECT_TYPE);
    env_close(&e);
}

struct host_state {
    struct env *e;
    bool saw_instance;
};

static enum wasm_trap host_f(struct wasm_caller *caller, void *env, const union wasm_val *args,
                             union wasm_val *results)
{
    struct host_state *hs = env;
    hs->saw_instance = wasm_caller_instance(caller) == hs->e->inst;
    if (args[0].i32 == 13) {
        wasm_caller_set_message(caller, "thirteen is unlucky");
        return WASM_TRAP_HOST;
    }
    /* re-enter wasm from the host function */
    union wasm_val a = {.i32 = args[0].i32}, r;
    struct wasm_error err;
    if (wasm_func_call(hs->e->store, export_func(hs->e, "inner"), &a, 1, &r, 1, &err))
        return WASM_TRAP_HOST;
    results[0].i32 = r.i32 + 5;
    return WASM_TRAP_NONE;
}

static void test_host(void **state)
{
    (void)state;
    struct env e;
    struct host_state hs = {.e = &e};
    struct wasm_error err = {0};
    uint32_t r[1];
    static const uint8_t i32t[] = {WASM_I32};
    struct wasm_functype ft = {1, 1, i32t, i32t};
    memset(&e, 0, sizeof e);
    assert_int_equal(wasm_module_new(k_host, sizeof k_host, &e.mod, &err), 0);
    assert_int_equal(wasm_store_new(NULL, &e.store), 0);
    struct wasm_extern imp = {.kind = WASM_EXTERN_FUNC};
    imp.of.func = wasm_func_new_host(e.store, &ft, host_f, &hs);
    assert_non_null(imp.of.func);
    assert_int_equal(wasm_instance_new(e.store, e.mod, &imp, 1, &e.inst, &err), 0);
    assert_int_equal(call_i32(&e, "call", 1, 1, (uint32_t[]){3}, r, &err), 0);
    assert_int_equal(r[0], 306); /* 3 * 100 + 5 + 1 */
    assert_true(hs.saw_instance);
    assert_int_equal(call_i32(&e, "call", 1, 1, (uint32_t[]){13}, r, &err), WASM_TRAP_HOST);
    assert_string_equal(err.msg, "thirteen is unlucky");
    assert_int_equal(call_i32(&e, "call", 1, 1, (uint32_t[]){4}, r, &err), 0);
    assert_int_equal(r[0], 406);
    env_close(&e);
}

static void test_validation(void **state)
{
    (void)state;
    struct wasm_module *mod = NULL;
    struct wasm_error err = {0};
    assert_int_equal(wasm_module_new(k_bad, sizeof k_bad, &mod, &err), -EINVAL);
    assert_null(mod);
    assert_non_null(strstr(err.msg, "type mismatch"));
    /* unreachable code is polymorphic and still validated; v128 ops validate */
    assert_int_equal(wasm_module_new(k_poly, sizeof k_poly, &mod, &err), 0);
    wasm_module_free(mod);
    /* truncations never crash; those cutting into the code section (the last one) fail */
    for (size_t n = 0; n < sizeof k_arith; n++) {
        mod = NULL;
        int rc = wasm_module_new(k_arith, n, &mod, &err);
        if (n > sizeof k_arith - 40) assert_int_not_equal(rc, 0);
        if (rc == 0) wasm_module_free(mod);
    }
    /* flipping any single byte never crashes the validator */
    uint8_t buf[sizeof k_arith];
    for (size_t i = 8; i < sizeof k_arith; i++) {
        memcpy(buf, k_arith, sizeof buf);
        buf[i] ^= 0x5a;
        mod = NULL;
        if (wasm_module_new(buf, sizeof buf, &mod, &err) == 0) wasm_module_free(mod);
    }
}

static size_t put_leb(uint8_t *p, uint32_t v)
{
    size_t n = 0;
    do {
        p[n] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
        n++;
    } while (v);
    return n;
}

/*
 * i32.eqz fused into a following `if`, at every position relative to the code buffer's
 * growth (0 to 300 prefix instructions): each must compile and compute the right result.
 * The fusion used to read the (absent) second-operand cell after an eqz, one cell past the
 * code when the eqz ended the buffer; ASan found it compiling the wasi-testsuite's
 * poll_oneoff_stdio.wasm. This test does not reproduce that exact buffer layout.
 *   (func (export "f") (param i32) (result i32)
 *     [i32.const 7 local.set 0] x n  local.get 0 i32.eqz if (result i32) i32.const 1
 *     else i32.const 2 end)
 */
static void test_eqz_fused_at_code_end(void **state)
{
    (void)state;
    static const uint8_t head[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01,
                                   0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x03, 0x02,
                                   0x01, 0x00, 0x07, 0x05, 0x01, 0x01, 'f',  0x00, 0x00};
    static const uint8_t tail[] = {0x20, 0x00, 0x45, 0x04, 0x7f, 0x41,
                                   0x01, 0x05, 0x41, 0x02, 0x0b, 0x0b};
    static uint8_t mod[8 + sizeof(head) + 4 * 300 + sizeof(tail) + 16];
    for (uint32_t n = 0; n <= 300; n++) {
        uint32_t body = 1 + 4 * n + (uint32_t)sizeof(tail);
        uint8_t lb[5], lc[5];
        size_t nb = put_leb(lb, body), nc = put_leb(lc, (uint32_t)(1 + nb + body));
        size_t m = 0;
        memcpy(mod, head, sizeof head);
        m = sizeof head;
        mod[m++] = 0x0a;
        memcpy(mod + m, lc, nc), m += nc;
        mod[m++] = 0x01;
        memcpy(mod + m, lb, nb), m += nb;
        mod[m++] = 0x00; /* no locals */
        for (uint32_t i = 0; i < n; i++) {
            static const uint8_t set7[] = {0x41, 0x07, 0x21, 0x00};
            memcpy(mod + m, set7, 4), m += 4;
        }
        memcpy(mod + m, tail, sizeof tail), m += sizeof tail;
        struct env e;
        env_open(&e, mod, m, NULL, NULL, 0);
        uint32_t arg = 0, res = 0;
        struct wasm_error err = {0};
        assert_int_equal(call_i32(&e, "f", 1, 1, &arg, &res, &err), 0);
        assert_int_equal(res, n == 0 ? 1 : 2);
        env_close(&e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arith),         cmocka_unit_test(test_float),
        cmocka_unit_test(test_traps),         cmocka_unit_test(test_limits),
        cmocka_unit_test(test_memory_tables), cmocka_unit_test(test_host),
        cmocka_unit_test(test_validation),    cmocka_unit_test(test_eqz_fused_at_code_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
