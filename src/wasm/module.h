/* SPDX-License-Identifier: Apache-2.0 */
/*
 * module.h - (private to src/wasm) the decoded form of a module, shared by the decoder
 * (decode.c), the validator/compiler (validate.c, compile.c) and instantiation (instance.c).
 *
 * The module owns a copy of the binary (bytes/size); every name, body and constant expression
 * points into that copy, so nothing here is freed separately except the arrays themselves and
 * the compiled code. Index spaces follow the spec: imported functions/tables/memories/globals
 * come first (in import order), then the module's own definitions.
 *
 * Pipeline: wasm_module_new() = copy bytes -> wasm_decode() (structure: "malformed") ->
 * wasm_validate() (typing rules: "invalid"; compiles each function body as it validates it).
 */
#ifndef ENARX_WASM_MODULE_H
#define ENARX_WASM_MODULE_H

#include "wasm.h"

/* Engine-wide caps that keep hostile modules from using unbounded host memory or time. */
#define WASM_MAX_TYPES 1000000u
#define WASM_MAX_FUNCS 1000000u
#define WASM_MAX_IMPORTS 100000u
#define WASM_MAX_EXPORTS 100000u
#define WASM_MAX_GLOBALS 1000000u
#define WASM_MAX_TABLES 100000u
#define WASM_MAX_SEGMENTS 100000u
#define WASM_MAX_PARAMS 1000u
#define WASM_MAX_RESULTS 1000u
#define WASM_MAX_LOCALS 50000u        /* params + declared locals of one function */
#define WASM_MAX_FUNC_SIZE (8u << 20) /* bytes of one function body */
#define WASM_MAX_MODULE_SIZE (1u << 30)
#define WASM_PAGE_SIZE 65536u
#define WASM_MAX_PAGES 65536u /* memory32 */

struct wasm_name {
    const char *ptr; /* into module bytes; validated UTF-8; not NUL-terminated */
    uint32_t len;
};

/* A constant expression: the raw bytes from its first instruction up to and including `end`. */
struct wasm_constexpr {
    const uint8_t *code;
    uint32_t size;
};

struct wasm_import {
    struct wasm_name module;
    struct wasm_name name;
    uint8_t kind;   /* enum wasm_extern_kind */
    uint32_t index; /* index in the func/table/memory/global index space this import defines */
};

struct wasm_export {
    struct wasm_name name;
    uint8_t kind;   /* enum wasm_extern_kind */
    uint32_t index; /* into the index space of that kind */
};

struct wasm_code; /* compiled form of one function: defined by compile.c (code.h) */

struct wasm_func_decl {
    uint32_t type; /* index into types */
    bool imported;
    const uint8_t *body; /* defined functions: locals + instructions, excluding the size */
    uint32_t body_size;
    uint32_t body_offset;   /* offset of body in the module binary, for error messages */
    struct wasm_code *code; /* set by wasm_validate(); NULL for imports */
};

struct wasm_table_decl {
    uint8_t elemtype; /* WASM_FUNCREF or WASM_EXTERNREF */
    struct wasm_limits_decl lim;
    bool imported;
};

struct wasm_memory_decl {
    struct wasm_limits_decl lim; /* in pages */
    bool imported;
};

struct wasm_global_decl {
    uint8_t type; /* enum wasm_valtype */
    bool mutable_;
    bool imported;
    struct wasm_constexpr init; /* defined globals only */
};

enum wasm_seg_mode { WASM_SEG_ACTIVE = 0, WASM_SEG_PASSIVE = 1, WASM_SEG_DECLARATIVE = 2 };

struct wasm_elem {
    uint8_t mode;                 /* enum wasm_seg_mode */
    uint8_t elemtype;             /* WASM_FUNCREF or WASM_EXTERNREF */
    uint32_t table;               /* active only */
    struct wasm_constexpr offset; /* active only */
    uint32_t count;
    uint32_t *funcidx;            /* non-NULL when the segment lists function indices */
    struct wasm_constexpr *exprs; /* non-NULL when the segment lists expressions */
};

struct wasm_data {
    uint8_t mode;                 /* WASM_SEG_ACTIVE or WASM_SEG_PASSIVE */
    uint32_t memory;              /* active only */
    struct wasm_constexpr offset; /* active only */
    const uint8_t *bytes;
    uint32_t size;
};

struct wasm_module {
    uint8_t *bytes; /* owned copy of the binary */
    size_t size;

    struct wasm_functype *types; /* params/results point into the binary (valtype bytes) */
    uint32_t ntypes;

    struct wasm_import *imports;
    uint32_t nimports;

    struct wasm_func_decl *funcs; /* imported first */
    uint32_t nfuncs;
    uint32_t nimported_funcs;

    struct wasm_table_decl *tables;
    uint32_t ntables;
    uint32_t nimported_tables;

    struct wasm_memory_decl *memories;
    uint32_t nmemories;
    uint32_t nimported_memories;

    struct wasm_global_decl *globals;
    uint32_t nglobals;
    uint32_t nimported_globals;

    struct wasm_export *exports;
    uint32_t nexports;

    bool has_start;
    uint32_t start;

    struct wasm_elem *elems;
    uint32_t nelems;

    struct wasm_data *datas;
    uint32_t ndatas;

    bool has_datacount;
    uint32_t datacount;

    /* Set by the validator: functions that may be named by ref.func in function bodies
     * (the spec's C.refs: those referenced from elements, exports and global initialisers). */
    bool *func_declared;

    /* The machine-code tier (jit.c): its code for this module, and 0 = not tried, 1 = compiled,
     * 2 = failed (stays interpreted). Written under jit.c's lock. */
    struct wasm_jit_unit *jit;
    uint8_t jit_state;
};

/*
 * decode.c: fills *mod (zeroed by the caller, mod->bytes/size set) from mod->bytes. Checks
 * everything the binary format requires (section order and sizes, LEB128 bounds, UTF-8
 * names, counts matching, the function/code count, data count) but not typing rules.
 * Returns 0 or -EINVAL/-ENOMEM/-E2BIG with err->msg "offset 0x1a: <what was wrong>".
 */
WASM_NODISCARD int wasm_decode(struct wasm_module *mod, struct wasm_error *err);

/*
 * validate.c: checks every validation rule of the spec for the module and each function
 * body, compiling each defined function into funcs[i].code as it goes.
 * Returns 0 or -EINVAL/-ENOMEM/-E2BIG with err->msg naming the function and offset.
 */
WASM_NODISCARD int wasm_validate(struct wasm_module *mod, struct wasm_error *err);

/* jit.c (or its stub): frees a module's machine code (NULL-safe). */
void wasm_jit_module_free(struct wasm_module *mod);

/* compile.c: frees one function's compiled code (NULL is fine). */
void wasm_code_free(struct wasm_code *code);

/* Frees everything a decoded module owns, including compiled code (not mod itself). */
void wasm_module_clear(struct wasm_module *mod);

/* LEB128 readers shared by the decoder, validator and const-expression evaluator.
 * Each reads at *p (< end), advances *p, returns 0 or -EINVAL (overlong, too big, truncated). */
WASM_NODISCARD int wasm_read_u32(const uint8_t **p, const uint8_t *end, uint32_t *out);
WASM_NODISCARD int wasm_read_s32(const uint8_t **p, const uint8_t *end, int32_t *out);
WASM_NODISCARD int wasm_read_s33(const uint8_t **p, const uint8_t *end, int64_t *out);
WASM_NODISCARD int wasm_read_s64(const uint8_t **p, const uint8_t *end, int64_t *out);

#endif
