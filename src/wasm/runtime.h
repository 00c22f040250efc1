/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runtime.h - (private to src/wasm) runtime objects shared by instantiation (store.c,
 * memory.c, instance.c) and the interpreter (interp.c).
 *
 * Everything is owned by a struct wasm_store and freed with it. Types are interned per store
 * (type_id) so call_indirect checks a signature with one integer comparison.
 *
 * Linear memory: in guard-page mode (the default where 8 GiB of address space can be
 * reserved) a memory reserves WASM_MEM_RESERVE bytes PROT_NONE and makes [0, size) readable
 * and writable; every memory32 effective address (u32 base + u32 offset + access size) then
 * lands in the reservation, so compiled code does no bounds check and a stray access faults.
 * The fault handler (memory.c) turns a fault inside a live reservation, while wasm code runs
 * on this thread, into WASM_TRAP_MEMORY_OOB via siglongjmp to g_wasm_exec->jmp. In explicit
 * mode (wasm_bounds_set(WASM_BOUNDS_EXPLICIT), or when the reservation fails) memory is
 * plain malloc'd/mremap'd and the compiler emits checked loads and stores instead.
 */
#ifndef ENARX_WASM_RUNTIME_H
#define ENARX_WASM_RUNTIME_H

#include <setjmp.h>

#include "module.h"

/*
 * The widest memory32 access: a u32 address plus a u32 offset (each at most 2^32 - 1) plus the
 * largest access (16 bytes, v128) ends at 2^33 + 14. So the reservation is 8 GiB plus one 64 KiB
 * page, which covers that with room to spare; 8 GiB alone left the last 14 bytes of the widest
 * access outside it (possibly on someone else's mapping).
 */
#define WASM_MAX_ACCESS 16u
#define WASM_MEM_RESERVE (((size_t)8 << 30) + 65536u)
_Static_assert(WASM_MEM_RESERVE >= 2 * (size_t)UINT32_MAX + WASM_MAX_ACCESS,
               "the guard region must cover the widest access");

/* Process-wide bounds mode, decided once (first call) and never changed afterwards. */
bool wasm_guard_pages(void);

struct wasm_memory {
    uint8_t *base; /* stays put in guard mode; may move on grow otherwise */
    uint64_t size; /* bytes, = pages * WASM_PAGE_SIZE */
    uint32_t pages;
    struct wasm_limits_decl lim; /* max is min(declared max, store cap) when enforced */
    uint32_t cap_pages;          /* the store's max_memory_pages */
    struct wasm_store *store;    /* whose budget it counts against */
    size_t reserved;             /* bytes of address space reserved (guard mode), else 0 */
    struct wasm_memory *next;    /* store's list */
};

struct wasm_table {
    void **elems;
    uint32_t size;
    uint8_t elemtype;
    struct wasm_limits_decl lim;
    uint32_t cap_elems;       /* the store's max_table_elems */
    struct wasm_store *store; /* whose budget it counts against */
    struct wasm_table *next;
};

struct wasm_global {
    union wasm_val val;
    uint8_t type;
    bool mutable_;
    struct wasm_global *next;
};

struct wasm_func {
    struct wasm_functype type;    /* arrays owned by the store (host) or the module (wasm) */
    uint32_t type_id;             /* interned in the store */
    struct wasm_instance *inst;   /* NULL for host functions */
    const struct wasm_code *code; /* wasm functions */
    uint32_t index;               /* index in inst's module (wasm functions) */
    wasm_host_fn host;            /* host functions */
    void *env;
    struct wasm_func *next;
};

struct wasm_instance {
    struct wasm_store *store;
    const struct wasm_module *mod;
    struct wasm_func **funcs;      /* nfuncs = mod->nfuncs */
    struct wasm_table **tables;    /* mod->ntables */
    struct wasm_memory **memories; /* mod->nmemories (0 or 1 in WebAssembly 2.0) */
    struct wasm_memory *mem0;      /* memories[0] or NULL */
    struct wasm_global **globals;  /* mod->nglobals */
    uint32_t *type_ids;            /* interned id of each of mod->types */
    bool *elem_dropped;            /* mod->nelems: elem.drop or after active/declarative init */
    bool *data_dropped;            /* mod->ndatas: data.drop or after active init */
    struct wasm_instance *next;
};

/* What a host function sees of its caller. */
struct wasm_caller {
    struct wasm_store *store;
    struct wasm_instance *inst; /* NULL when the embedder called the host function directly */
    char msg[160];
};

struct wasm_store {
    struct wasm_limits lim;
    uint64_t memory_bytes, table_bytes; /* counted against lim.max_memory_bytes, max_table_bytes */

    /* Value stack shared by all frames (locals and operands), lim.value_stack_size bytes. */
    uint8_t *stack;
    uint8_t *stack_end;
    uint32_t depth; /* current call depth */
    uint64_t fuel;  /* remaining, when lim.fuel != 0 (reset on each embedder call) */

    /* Interned function types: types[type_id]. */
    struct wasm_functype *types;
    uint32_t ntypes, captypes;

    struct wasm_func *funcs;
    struct wasm_table *tables;
    struct wasm_memory *memories;
    struct wasm_global *globals;
    struct wasm_instance *instances;
};

/* Set while wasm code executes on this thread (interp.c); read by the fault handler. */
struct wasm_exec_ctx {
    sigjmp_buf jmp;
    struct wasm_store *store;
    struct wasm_exec_ctx *prev; /* re-entrant calls (host -> wasm) */
};
extern _Thread_local struct wasm_exec_ctx *g_wasm_exec;

/* store.c: takes bytes from the store's memory or table budget; false (nothing taken) when
 * that would exceed it. */
bool wasm_store_budget_take(struct wasm_store *store, bool table, uint64_t bytes);

/* store.c: interns a function type; returns its id or UINT32_MAX on allocation failure. */
uint32_t wasm_store_intern_type(struct wasm_store *store, const struct wasm_functype *type);

/* memory.c: grows mem by delta pages; returns old pages or -1. Used by memory.grow. */
int64_t wasm_memory_grow_pages(struct wasm_memory *mem, uint32_t delta);
/* table.c: grows by delta filling with init; returns old size or -1. Used by table.grow. */
int64_t wasm_table_grow_elems(struct wasm_table *t, uint32_t delta, void *init);
/* memory.c: installs the SIGSEGV/SIGBUS handler once (idempotent, thread-safe). */
void wasm_fault_handler_install(void);

/* instance.c: evaluates a constant expression of the given instance (globals already set). */
WASM_NODISCARD int wasm_constexpr_eval(const struct wasm_instance *inst,
                                       const struct wasm_constexpr *ce, union wasm_val *out);

/*
 * interp.c: runs func (wasm or host) with args/results as in wasm_func_call (counts already
 * checked). Returns 0 or a positive enum wasm_trap with err filled. Re-entrant.
 */
WASM_NODISCARD int wasm_interp_call(struct wasm_store *store, struct wasm_func *func,
                                    const union wasm_val *args, union wasm_val *results,
                                    struct wasm_error *err);

#endif
