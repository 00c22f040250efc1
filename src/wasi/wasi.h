/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasi.h - WASI preview 1 (wasi_snapshot_preview1) host functions for the engine.
 *
 * A struct wasi_ctx holds what one workload sees: its arguments, environment and exit status.
 * wasi_ctx_link() resolves a module's imports against it. This first version serves the
 * standard streams only (fd 0, 1, 2), with args, environ, clocks, random, proc_exit and
 * sched_yield; every other wasi_snapshot_preview1 function links and answers ENOSYS, so
 * wasi-libc programs that merely import them still run. Files, directories and sockets come
 * with the WASI issue (#3).
 *
 * Every pointer and length the workload passes is checked against its linear memory before
 * use; a bad one yields EFAULT, never a host access outside the memory.
 */
#ifndef ENARX_WASI_H
#define ENARX_WASI_H

#include <stdbool.h>

#include "wasm/wasm.h"

struct wasi_ctx;

/* argv[0..argc) and env ("KEY=VALUE" strings, n of them) are copied. */
__attribute__((warn_unused_result)) int wasi_ctx_new(int argc, char *const *argv, int nenv,
                                                     char *const *env, struct wasi_ctx **out);
void wasi_ctx_free(struct wasi_ctx *ctx);

/*
 * Builds the import list of mod from WASI: imports[i] for each import i. Returns 0, or
 * -ENOENT with msg naming the first import that is not a WASI function of the right type.
 */
__attribute__((warn_unused_result)) int wasi_ctx_link(struct wasi_ctx *ctx,
                                                      struct wasm_store *store,
                                                      const struct wasm_module *mod,
                                                      struct wasm_extern *imports, char *msg,
                                                      size_t msg_size);

/* After a WASM_TRAP_EXIT: true and the code passed to proc_exit. */
bool wasi_ctx_exited(const struct wasi_ctx *ctx, int *code);

#endif
