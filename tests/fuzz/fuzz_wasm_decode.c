/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_wasm_decode.c - libFuzzer target for the engine's front end: wasm_module_new() decodes,
 * validates and compiles arbitrary bytes, then everything is freed. Any crash, sanitizer
 * report, leak or hang here is a bug: hostile modules must only ever be refused.
 *
 * The seed corpus is tests/fuzz/corpus/wasm_decode/: valid_*.wasm are small modules covering
 * every section and feature (`wat2wasm --debug-names tests/fuzz/corpus_src/wasm_decode/X.wat
 * -o tests/fuzz/corpus/wasm_decode/valid_X.wasm`); malformed_*.wasm and invalid_*.wasm are
 * hand-made modules that must be refused by the decoder or the validator. The replay driver
 * runs every file of it through this function as a regression test.
 *
 * When a module is accepted, its import and export descriptions are also read back, since they
 * index the decoded arrays with values taken from the input.
 */
#include <stddef.h>
#include <stdint.h>

#include "wasm/wasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wasm_module *mod = NULL;
    struct wasm_error err;
    struct wasm_extern_desc desc;

    if (wasm_module_new(data, size, &mod, &err) != 0) return 0;
    for (uint32_t i = 0; i < wasm_module_import_count(mod); i++)
        wasm_module_import(mod, i, &desc);
    for (uint32_t i = 0; i < wasm_module_export_count(mod); i++)
        wasm_module_export(mod, i, &desc);
    wasm_module_free(mod);
    return 0;
}
