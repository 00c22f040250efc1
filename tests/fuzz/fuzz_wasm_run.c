/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_wasm_run.c - fuzz target: decode, instantiate and run a fuzz-provided module.
 *
 * The input is a binary module. When it decodes and validates, it is instantiated in a fresh
 * store under tight limits (fuel, call depth, a small value stack, a 16-page memory cap and a
 * small table cap) so that no input can run long or allocate much. Every import is satisfied
 * with a stub of exactly the declared type: functions that trap with WASM_TRAP_HOST, memories
 * and tables with the declared limits, globals holding zero. Then each exported function (the
 * first MAX_CALLS of them) is called once with all-zero arguments. Traps are the expected
 * outcome for most inputs; what the fuzzer looks for is crashes, sanitizer reports, hangs
 * and leaks inside the engine.
 */
#include "wasm/wasm.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CALLS 64
#define MAX_IMPORT_PAGES 16
#define MAX_IMPORT_ELEMS 10000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum wasm_trap stub_trap(struct wasm_caller *caller, void *env, const union wasm_val *args,
                                union wasm_val *results)
{
    (void)env, (void)args, (void)results;
    wasm_caller_set_message(caller, "fuzz stub import");
    return WASM_TRAP_HOST;
}

/* Makes an object matching import d; false when it cannot or should not (too big). */
static bool make_stub(struct wasm_store *store, const struct wasm_extern_desc *d,
                      struct wasm_extern *out)
{
    union wasm_val zero;

    memset(&zero, 0, sizeof(zero));
    out->kind = d->kind;
    switch (d->kind) {
    case WASM_EXTERN_FUNC:
        out->of.func = wasm_func_new_host(store, &d->func, stub_trap, NULL);
        return out->of.func != NULL;
    case WASM_EXTERN_MEMORY:
        if (d->limits.min > MAX_IMPORT_PAGES) return false;
        out->of.memory = wasm_memory_new(store, d->limits);
        return out->of.memory != NULL;
    case WASM_EXTERN_TABLE:
        if (d->limits.min > MAX_IMPORT_ELEMS) return false;
        out->of.table = wasm_table_new(store, d->elemtype, d->limits, NULL);
        return out->of.table != NULL;
    case WASM_EXTERN_GLOBAL:
        out->of.global = wasm_global_new(store, d->valtype, d->mutable_, zero);
        return out->of.global != NULL;
    }
    return false;
}

/* Calls every exported function (up to MAX_CALLS) once with zero arguments. */
static void call_exports(struct wasm_store *store, const struct wasm_module *mod,
                         struct wasm_instance *inst)
{
    uint32_t n = wasm_module_export_count(mod), calls = 0;

    for (uint32_t i = 0; i < n && calls < MAX_CALLS; i++) {
        struct wasm_extern_desc d;
        struct wasm_extern ext;
        struct wasm_error err;
        const struct wasm_functype *ft;
        union wasm_val *args, *results;

        wasm_module_export(mod, i, &d);
        if (d.kind != WASM_EXTERN_FUNC ||
            wasm_instance_export(inst, d.name, d.name_len, &ext) < 0 ||
            ext.kind != WASM_EXTERN_FUNC)
            continue;
        ft = wasm_func_type(ext.of.func);
        args = calloc(ft->nparams + 1u, sizeof(*args));
        results = calloc(ft->nresults + 1u, sizeof(*results));
        /* A trap is an ordinary outcome here; only crashes, hangs and leaks matter. */
        if (args && results) {
            int rc =
                wasm_func_call(store, ext.of.func, args, ft->nparams, results, ft->nresults, &err);
            (void)rc;
        }
        free(args);
        free(results);
        calls++;
    }
}

static void run_module(const struct wasm_module *mod)
{
    struct wasm_limits lim;
    struct wasm_store *store = NULL;
    struct wasm_instance *inst = NULL;
    struct wasm_error err;
    uint32_t n = wasm_module_import_count(mod);
    struct wasm_extern *imports = calloc(n + 1u, sizeof(*imports));

    wasm_limits_default(&lim);
    lim.max_call_depth = 200;
    lim.value_stack_size = 1u << 20;
    lim.max_memory_pages = MAX_IMPORT_PAGES;
    lim.max_table_elems = MAX_IMPORT_ELEMS;
    lim.fuel = 100000;
    if (!imports || wasm_store_new(&lim, &store) < 0) goto out;
    for (uint32_t i = 0; i < n; i++) {
        struct wasm_extern_desc d;

        wasm_module_import(mod, i, &d);
        if (!make_stub(store, &d, &imports[i])) goto out;
    }
    if (wasm_instance_new(store, mod, imports, n, &inst, &err) == 0) call_exports(store, mod, inst);
out:
    if (store) wasm_store_free(store);
    free(imports);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wasm_module *mod = NULL;
    struct wasm_error err;

    if (wasm_module_new(data, size, &mod, &err) < 0) return 0;
    run_module(mod);
    wasm_module_free(mod);
    return 0;
}
