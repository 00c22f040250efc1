/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasm.h - the public API of the WebAssembly engine.
 *
 * The engine implements WebAssembly 2.0 (MVP, mutable-global import/export, sign extension,
 * non-trapping float-to-int, multi-value, bulk memory, reference types, multiple tables and
 * 128-bit SIMD). It does no I/O and knows nothing of WASI: hosts give it functions to import.
 *
 * Object model (the spec's "store"): every runtime object - function, table, memory, global,
 * instance - belongs to exactly one struct wasm_store and lives until wasm_store_free(). This
 * lets instances share imported tables/memories/globals without reference counting. A module
 * (decoded, validated and compiled code) is independent of any store and may be instantiated
 * into several stores; it must outlive every instance made from it.
 *
 * Errors: functions that can fail return 0 or a negative errno-style value and, where given a
 * struct wasm_error, fill it with a human-readable reason (byte offset for decoding errors,
 * function index and reason for traps).
 *
 * Threads: a store and everything in it is used by one thread at a time.
 */
#ifndef ENARX_WASM_H
#define ENARX_WASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WASM_NODISCARD __attribute__((warn_unused_result))

/* Value types, by their binary encoding. */
enum wasm_valtype {
    WASM_I32 = 0x7f,
    WASM_I64 = 0x7e,
    WASM_F32 = 0x7d,
    WASM_F64 = 0x7c,
    WASM_V128 = 0x7b,
    WASM_FUNCREF = 0x70,
    WASM_EXTERNREF = 0x6f,
};

/* Kinds of import/export, by their binary encoding. */
enum wasm_extern_kind {
    WASM_EXTERN_FUNC = 0,
    WASM_EXTERN_TABLE = 1,
    WASM_EXTERN_MEMORY = 2,
    WASM_EXTERN_GLOBAL = 3,
};

/*
 * One untyped value. Floats are kept as their IEEE-754 bit patterns so NaN payloads survive
 * exactly. References are pointers: NULL is the null reference; a funcref points to a
 * struct wasm_func; an externref is whatever non-NULL pointer the host chose.
 */
union wasm_val {
    uint32_t i32;
    uint64_t i64;
    uint32_t f32;
    uint64_t f64;
    uint8_t v128[16];
    void *ref;
};

/* Why something failed. code is a negative errno (decode/validate/link) or a wasm_trap. */
enum wasm_trap {
    WASM_TRAP_NONE = 0,
    WASM_TRAP_UNREACHABLE = 1,
    WASM_TRAP_MEMORY_OOB,     /* out of bounds memory access */
    WASM_TRAP_TABLE_OOB,      /* out of bounds table access / undefined element */
    WASM_TRAP_UNINITIALIZED,  /* uninitialized element (null funcref in call_indirect) */
    WASM_TRAP_INDIRECT_TYPE,  /* indirect call type mismatch */
    WASM_TRAP_DIV_ZERO,       /* integer divide by zero */
    WASM_TRAP_INT_OVERFLOW,   /* integer overflow */
    WASM_TRAP_INVALID_CONV,   /* invalid conversion to integer */
    WASM_TRAP_CALL_EXHAUSTED, /* call stack exhausted (depth or value stack) */
    WASM_TRAP_FUEL,           /* fuel or deadline exhausted */
    WASM_TRAP_HOST,           /* a host function reported an error */
    WASM_TRAP_EXIT,           /* a host function asked to stop (e.g. proc_exit) */
    WASM_TRAP_COUNT_
};

/* A short, stable English description of a trap ("integer divide by zero", ...). */
const char *wasm_trap_str(enum wasm_trap trap);

struct wasm_error {
    int code;      /* negative errno, or a positive enum wasm_trap for traps */
    uint32_t func; /* for traps: index of the function that trapped (UINT32_MAX: unknown) */
    char msg[200]; /* human-readable, NUL-terminated */
};

/*
 * Execution tiers. The interpreter always exists; the machine-code tier (LLVM) exists when the
 * engine was built with it (meson -Djit) and wasm_tier_available() says so.
 *   WASM_TIER_AUTO   start interpreted; compile a module once one of its functions is hot
 *                    (calls and loop back-edges); compiled and interpreted code call each other
 *   WASM_TIER_INTERP never compile (no executable memory is ever made)
 *   WASM_TIER_JIT    compile the whole module before its first function runs
 * Without the machine-code tier, or with fuel set, every tier runs the interpreter.
 */
enum wasm_tier { WASM_TIER_AUTO = 0, WASM_TIER_INTERP = 1, WASM_TIER_JIT = 2 };

/* True when this build has the machine-code tier and it works on this host. */
bool wasm_tier_available(void);

/* Does, on the calling thread, what the engine would otherwise do on first use and what needs
 * the host (reading this thread's stack bounds from /proc/self/maps, the machine-code tier's
 * start-up): an embedder that is about to confine itself calls this first. */
void wasm_engine_prepare(void);
/* "auto", "interp" or "jit" -> *out; returns 0 or -EINVAL. */
WASM_NODISCARD int wasm_tier_parse(const char *name, enum wasm_tier *out);
/* The name of a tier ("auto", "interp", "jit"). */
const char *wasm_tier_name(enum wasm_tier tier);

/* Engine limits. Zero in any field means "the default" (see wasm_limits_default). */
struct wasm_limits {
    uint32_t max_call_depth;   /* nested calls before WASM_TRAP_CALL_EXHAUSTED */
    uint32_t value_stack_size; /* bytes of operand/local stack per store */
    uint32_t max_memory_pages; /* cap on any linear memory, in 64 KiB pages */
    uint32_t max_table_elems;  /* cap on any table's size */
    uint64_t fuel;             /* instructions (approximate) per call; 0 = unbounded */
    uint32_t tier;             /* enum wasm_tier; 0 = WASM_TIER_AUTO */
    /* The store's memory budget: what all its linear memories may hold together (committed
     * pages, bytes; default 4 GiB) and what all its tables may hold together (elements times
     * the pointer size, bytes; default 1 GiB). A table or memory that would go over is not
     * made (instantiation fails with a link error: err->code -E2BIG, the message says which
     * budget) and table.grow / memory.grow past it answer -1. */
    uint64_t max_memory_bytes;
    uint64_t max_table_bytes;
};

/*
 * Bounds checking of linear memory is decided once per process, not per store (compiled code
 * depends on it): guard pages (a reserved region of 8 GiB plus 64 KiB per memory, no check in
 * compiled code) where the address space can be reserved, else explicit checks. The engine
 * reads no environment: an embedder that wants explicit checks says so with wasm_bounds_set()
 * before the first module or store is made.
 */
enum wasm_bounds {
    WASM_BOUNDS_AUTO = 0, /* guard pages if 8 GiB can be reserved, else explicit */
    WASM_BOUNDS_EXPLICIT, /* always check every access in code */
};
/* Chooses the bounds mode. Returns 0, or -EBUSY once the mode was decided (first use of the
 * engine) and differs from what is asked. */
WASM_NODISCARD int wasm_bounds_set(enum wasm_bounds mode);
/* The decided mode: true for guard pages. reason (may be NULL) gets why explicit checks are used
 * ("asked", or that the reservation failed), "" in guard mode; the string is static. */
bool wasm_bounds_guarded(const char **reason);

/* Fills *lim with the defaults: depth 10000, 8 MiB stack, 65536 pages, 10M elements, a budget
 * of 4 GiB of linear memory and 1 GiB of tables per store. */
void wasm_limits_default(struct wasm_limits *lim);

struct wasm_functype {
    uint32_t nparams;
    uint32_t nresults;
    const uint8_t *params; /* enum wasm_valtype each */
    const uint8_t *results;
};

struct wasm_limits_decl {
    uint32_t min;
    uint32_t max;
    bool has_max;
};

struct wasm_module;
struct wasm_store;
struct wasm_instance;
struct wasm_func;
struct wasm_table;
struct wasm_memory;
struct wasm_global;
struct wasm_caller;

/* A description of one import or export of a module. Strings are not NUL-terminated. */
struct wasm_extern_desc {
    const char *module;
    uint32_t module_len; /* imports only */
    const char *name;
    uint32_t name_len;
    enum wasm_extern_kind kind;
    struct wasm_functype func;      /* WASM_EXTERN_FUNC */
    uint8_t elemtype;               /* WASM_EXTERN_TABLE: WASM_FUNCREF or WASM_EXTERNREF */
    struct wasm_limits_decl limits; /* WASM_EXTERN_TABLE, WASM_EXTERN_MEMORY */
    uint8_t valtype;                /* WASM_EXTERN_GLOBAL */
    bool mutable_;                  /* WASM_EXTERN_GLOBAL */
};

/* A runtime object that can be imported or exported. */
struct wasm_extern {
    enum wasm_extern_kind kind;
    union {
        struct wasm_func *func;
        struct wasm_table *table;
        struct wasm_memory *memory;
        struct wasm_global *global;
    } of;
};

/*
 * Decodes, validates and compiles a binary module. bytes are only read during the call.
 * Returns 0 and sets *out, or -EINVAL (malformed or invalid: err says where and why),
 * -ENOMEM, -E2BIG (a limit of ours was exceeded).
 */
WASM_NODISCARD int wasm_module_new(const uint8_t *bytes, size_t size, struct wasm_module **out,
                                   struct wasm_error *err);

void wasm_module_free(struct wasm_module *mod);

/*
 * The name the module's "name" custom section gives function func_index (imports count), for
 * trap reports: copied into buf (size bytes, NUL-terminated, truncated to fit; non-printable
 * bytes become '?'). Returns true, or false when there is no such name (no section, a
 * malformed one, or no entry for the index); buf is then "". The section is read within its
 * own length fields only, so a hostile one can at worst yield no name.
 */
bool wasm_module_func_name(const struct wasm_module *mod, uint32_t func_index, char *buf,
                           size_t size);

uint32_t wasm_module_import_count(const struct wasm_module *mod);
uint32_t wasm_module_export_count(const struct wasm_module *mod);
/* Describe import/export i (< count). Pointers in *out stay valid as long as mod. */
void wasm_module_import(const struct wasm_module *mod, uint32_t i, struct wasm_extern_desc *out);
void wasm_module_export(const struct wasm_module *mod, uint32_t i, struct wasm_extern_desc *out);

/* Stores. lim may be NULL for the defaults. */
WASM_NODISCARD int wasm_store_new(const struct wasm_limits *lim, struct wasm_store **out);
void wasm_store_free(struct wasm_store *store);

/*
 * A host function. args holds type->nparams values, results receives type->nresults.
 * Return WASM_TRAP_NONE (0) to continue, or a trap code to stop execution; for WASM_TRAP_HOST
 * and WASM_TRAP_EXIT the host may first call wasm_caller_set_message().
 */
typedef enum wasm_trap (*wasm_host_fn)(struct wasm_caller *caller, void *env,
                                       const union wasm_val *args, union wasm_val *results);

/* The caller's memory 0 (NULL if the calling instance has none), for host functions. */
struct wasm_memory *wasm_caller_memory(struct wasm_caller *caller);
/* The caller's instance (NULL when called directly by the embedder). */
struct wasm_instance *wasm_caller_instance(struct wasm_caller *caller);
/* Sets the text reported with a host trap (copied). */
void wasm_caller_set_message(struct wasm_caller *caller, const char *msg);

/* Create host-side objects. type is copied. Return NULL on allocation failure or bad limits. */
struct wasm_func *wasm_func_new_host(struct wasm_store *store, const struct wasm_functype *type,
                                     wasm_host_fn fn, void *env);
struct wasm_memory *wasm_memory_new(struct wasm_store *store, struct wasm_limits_decl lim);
struct wasm_table *wasm_table_new(struct wasm_store *store, uint8_t elemtype,
                                  struct wasm_limits_decl lim, void *init);
struct wasm_global *wasm_global_new(struct wasm_store *store, uint8_t valtype, bool mutable_,
                                    union wasm_val init);

/*
 * Instantiates mod in store. imports[i] satisfies import i of the module (same order as
 * wasm_module_import). Runs the start function. On failure returns -EINVAL (unlinkable:
 * err->code is -EINVAL) or a positive trap code in err->code (uninstantiable: a segment out of
 * bounds or the start function trapped; effects on imported objects made before the trap
 * persist, as the spec says). *out is set only on success.
 */
WASM_NODISCARD int wasm_instance_new(struct wasm_store *store, const struct wasm_module *mod,
                                     const struct wasm_extern *imports, uint32_t nimports,
                                     struct wasm_instance **out, struct wasm_error *err);
/* Finds an export by name; 0 and *out, or -ENOENT. */
WASM_NODISCARD int wasm_instance_export(const struct wasm_instance *inst, const char *name,
                                        size_t name_len, struct wasm_extern *out);

/* A function's type; pointers valid as long as the store. */
const struct wasm_functype *wasm_func_type(const struct wasm_func *func);

/*
 * Calls func with args (type->nparams values) and stores results. Returns 0, or a positive
 * enum wasm_trap with err filled, or -EINVAL if nargs/nresults do not match the type.
 */
WASM_NODISCARD int wasm_func_call(struct wasm_store *store, struct wasm_func *func,
                                  const union wasm_val *args, uint32_t nargs,
                                  union wasm_val *results, uint32_t nresults,
                                  struct wasm_error *err);

/* Linear memory: base pointer (valid until the next grow) and size in bytes. */
uint8_t *wasm_memory_data(struct wasm_memory *mem);
uint64_t wasm_memory_size(const struct wasm_memory *mem);
/* Grows by delta pages; returns the old size in pages or -1 (as memory.grow). */
int64_t wasm_memory_grow(struct wasm_memory *mem, uint32_t delta);

/* Globals and tables. */
union wasm_val wasm_global_get(const struct wasm_global *g);
uint8_t wasm_global_type(const struct wasm_global *g);
/* Returns -EPERM for an immutable global. */
WASM_NODISCARD int wasm_global_set(struct wasm_global *g, union wasm_val v);
uint32_t wasm_table_size(const struct wasm_table *t);
/* Returns -ERANGE when i >= size. */
WASM_NODISCARD int wasm_table_get(const struct wasm_table *t, uint32_t i, void **out);

#endif
