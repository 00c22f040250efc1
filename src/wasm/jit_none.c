/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jit_none.c - the machine-code tier's stand-in for builds without LLVM (meson -Djit=disabled
 * or LLVM not found): nothing is ever compiled and every tier runs the interpreter.
 */
#include <errno.h>

#include "jit.h"

bool wasm_jit_available(void)
{
    return false;
}

int wasm_jit_compile_module(struct wasm_module *mod)
{
    (void)mod;
    return -ENOTSUP;
}

void wasm_jit_module_free(struct wasm_module *mod)
{
    (void)mod;
}
