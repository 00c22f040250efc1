/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jit.h - (private to src/wasm) the machine-code tier's seam with the interpreter.
 *
 * The tier (jit.c, built only with -Djit=enabled/auto and LLVM found) compiles a module's slot
 * code (code.h) - the same validated, already-lowered form the interpreter runs - to x86-64
 * through LLVM's ORC LLJIT. A compiled function keeps the interpreter's frame model: it is
 * entered with its frame base `fp` on the store's value stack (parameters in fp[0..]), leaves
 * its results in fp[0..], and passes call arguments in its own operand slots, so compiled and
 * interpreted functions call each other without any conversion. Inside, slots live in LLVM
 * virtual registers; only call arguments/results and the parameters/results touch fp.
 *
 * Native ABI: uint32_t fn(struct wasm_jit_exec *x, struct wasm_instance *inst,
 *                         union wasm_slot *fp, uint32_t entry)
 * returns 0 or a trap code with x->err already filled. entry 0 is a normal call (the function
 * counts its own call depth and checks the value stack and the native stack); entry k+1 enters
 * at cell k, a loop header, with every slot taken from fp (on-stack replacement from the
 * interpreter, which has already counted the frame's depth).
 */
#ifndef ENARX_WASM_JIT_H
#define ENARX_WASM_JIT_H

#include "code.h"
#include "runtime.h"

/* Per-execution state a compiled function sees (embedded in the interpreter's context). */
struct wasm_jit_exec {
    const struct wasm_code *code; /* the function running now, for fault reports */
    struct wasm_store *store;
    struct wasm_error *err;
    uint32_t *depth;        /* &store->depth */
    uint32_t max_depth;     /* store->lim.max_call_depth */
    uintptr_t stack_end;    /* store->stack_end */
    uintptr_t native_limit; /* lowest native stack address compiled code may use */
};

typedef uint32_t (*wasm_native_fn)(struct wasm_jit_exec *x, struct wasm_instance *inst,
                                   union wasm_slot *fp, uint32_t entry);

/* Hotness a function gains per call and per taken backward branch; the module is compiled
 * when one of its functions reaches WASM_JIT_HOT (tier auto). */
#define WASM_JIT_HOT_CALL 16u
#define WASM_JIT_HOT_LOOP 1u
#define WASM_JIT_HOT 32768u

/* True when this build has the tier and it initialised (LLVM target found). */
bool wasm_jit_available(void);

/*
 * Compiles every function of mod the tier supports (others stay interpreted) and publishes
 * each entry point in its code->native (release store). Idempotent and thread-safe; a failure
 * leaves the module interpreted. Returns 0, or a negative errno when nothing was compiled.
 */
int wasm_jit_compile_module(struct wasm_module *mod);

/* Frees a module's compiled code (called by wasm_module_clear; NULL-safe). */
void wasm_jit_module_free(struct wasm_module *mod);

/* interp.c, for compiled code: calls f (host, compiled or interpreted) with its arguments at
 * args; top is the caller's first free slot; caller names the caller for trap reports. */
uint32_t wasm_jit_call_func(struct wasm_jit_exec *x, struct wasm_instance *caller_inst,
                            struct wasm_func *f, union wasm_slot *args, union wasm_slot *top,
                            const struct wasm_code *caller);
/* interp.c, for compiled code: runs one table/bulk-memory instruction (iop, at ip) on the
 * frame fp in memory; returns a trap code (err not yet filled). */
uint32_t wasm_jit_misc_op(struct wasm_jit_exec *x, struct wasm_instance *inst, union wasm_slot *fp,
                          const union wasm_cell *ip, uint32_t iop);
/* interp.c: fills x->err for trap t in function code; returns t. */
uint32_t wasm_jit_raise(struct wasm_jit_exec *x, const struct wasm_code *code, uint32_t t);

#endif
