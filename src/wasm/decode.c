/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decode.c - the WebAssembly 2.0 binary format -> struct wasm_module (module.h).
 *
 * Design. One forward pass over the module's own copy of the bytes with a cursor (struct dec)
 * whose `end` is the end of the current section, so no reader can ever step past the section it
 * belongs to, let alone past the buffer. Every multi-byte quantity goes through one LEB128
 * reader that knows the exact rules of the spec (at most ceil(N/7) bytes; the unused bits of the
 * last byte must be zero, or copies of the sign bit for signed integers). Names are checked to
 * be strict UTF-8. Function bodies are only located (and their locals counted), never decoded:
 * the validator does that. Constant expressions are scanned up to their `end` by decoding just
 * the instructions a constant expression may contain; anything else stops the scan with an
 * error, and the validator checks their types later.
 *
 * Hostile input. Every element count is compared with the bytes left in its section (each
 * element takes at least one byte) before anything is allocated, and with the engine caps of
 * module.h, so memory use is proportional to the input. Arrays that several sections append to
 * (functions, tables, memories, globals: imports first) grow geometrically.
 *
 * Errors. The first problem found is reported as "offset 0x<hex>: <what>", with the wording of
 * the official spec suite's expected messages where one exists, and -EINVAL (malformed),
 * -E2BIG (an engine cap exceeded) or -ENOMEM. On failure nothing allocated here is left behind:
 * the module is reset to its bytes/size.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"

#define DEC_MAX_MEMORIES 100000u /* module.h has no cap for these; 2.0 validates at most 1 */

enum { SEC_CUSTOM = 0, SEC_DATACOUNT = 12 };

enum leb_status { LEB_OK = 0, LEB_END, LEB_TOO_LONG, LEB_TOO_LARGE };

/* The decoding cursor: p moves forward within [p, end); end is the current section's end. */
struct dec {
    const uint8_t *base; /* start of the module, for offsets in messages */
    const uint8_t *p;
    const uint8_t *end;
    const uint8_t *mod_end;
    bool in_section;
    struct wasm_module *mod;
    struct wasm_error *err;
    uint32_t cap_funcs, cap_tables, cap_memories, cap_globals;
    bool has_funcsec, has_code, has_data;
    uint32_t nfuncsec; /* functions declared by the function section */
};

/* ------------------------------------------------------------------------------------------ */
/* LEB128                                                                                      */

/* Whether the last permitted byte b of an N-bit LEB128 (which holds `used` value bits) has its
 * unused high bits as the spec demands: zero, or (signed) copies of the sign bit. */
static bool leb_last_ok(uint8_t b, unsigned used, bool sign)
{
    unsigned rest = (unsigned)(b & 0x7f) >> used;
    if (!sign) return rest == 0;
    unsigned sign_bit = ((unsigned)b >> (used - 1)) & 1u;
    return rest == (sign_bit ? (0x7fu >> used) : 0u);
}

/* Reads an N-bit (un)signed LEB128 at *pp (< end). Signed values come back sign-extended to 64
 * bits. *pp is advanced only on success. */
static enum leb_status leb_read(const uint8_t **pp, const uint8_t *end, unsigned bits, bool sign,
                                uint64_t *out)
{
    const uint8_t *p = *pp;
    unsigned maxbytes = (bits + 6) / 7;
    uint64_t v = 0;
    unsigned shift = 0;

    for (unsigned i = 0; i < maxbytes; i++, shift += 7) {
        if (p >= end) return LEB_END;
        uint8_t b = *p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (b & 0x80) continue;
        if (i == maxbytes - 1 && !leb_last_ok(b, bits - shift, sign)) return LEB_TOO_LARGE;
        if (sign && shift + 7 < 64 && (b & 0x40)) v |= ~(uint64_t)0 << (shift + 7);
        *pp = p;
        *out = v;
        return LEB_OK;
    }
    return LEB_TOO_LONG;
}

int wasm_read_u32(const uint8_t **p, const uint8_t *end, uint32_t *out)
{
    uint64_t v;
    if (leb_read(p, end, 32, false, &v) != LEB_OK) return -EINVAL;
    *out = (uint32_t)v;
    return 0;
}

int wasm_read_s32(const uint8_t **p, const uint8_t *end, int32_t *out)
{
    uint64_t v;
    if (leb_read(p, end, 32, true, &v) != LEB_OK) return -EINVAL;
    *out = (int32_t)(uint32_t)v;
    return 0;
}

int wasm_read_s33(const uint8_t **p, const uint8_t *end, int64_t *out)
{
    uint64_t v;
    if (leb_read(p, end, 33, true, &v) != LEB_OK) return -EINVAL;
    *out = (int64_t)v;
    return 0;
}

int wasm_read_s64(const uint8_t **p, const uint8_t *end, int64_t *out)
{
    uint64_t v;
    if (leb_read(p, end, 64, true, &v) != LEB_OK) return -EINVAL;
    *out = (int64_t)v;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Errors and primitive readers                                                                */

__attribute__((format(printf, 4, 5))) static int fail(struct dec *d, const uint8_t *at, int code,
                                                      const char *fmt, ...)
{
    if (d->err) {
        size_t cap = sizeof(d->err->msg);
        int n = snprintf(d->err->msg, cap, "offset 0x%zx: ", (size_t)(at - d->base));
        if (n > 0 && (size_t)n < cap) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(d->err->msg + n, cap - (size_t)n, fmt, ap);
            va_end(ap);
        }
        d->err->code = code;
        d->err->func = UINT32_MAX;
    }
    return code;
}

static int fail_end(struct dec *d)
{
    return fail(d, d->p, -EINVAL,
                d->in_section ? "unexpected end of section or function" : "unexpected end");
}

static size_t left(const struct dec *d)
{
    return (size_t)(d->end - d->p);
}

static int rd_byte(struct dec *d, uint8_t *out)
{
    if (d->p >= d->end) return fail_end(d);
    *out = *d->p++;
    return 0;
}

static int rd_skip(struct dec *d, size_t n)
{
    if (left(d) < n) {
        d->p = d->end;
        return fail_end(d);
    }
    d->p += n;
    return 0;
}

/* An integer at `at` runs past the end of its section. If the bytes after the section would
 * have made it malformed anyway, say so (as the spec suite expects), else "unexpected end". */
static int leb_end(struct dec *d, const uint8_t *at, unsigned bits, bool sign)
{
    const uint8_t *q = at;
    uint64_t v;
    enum leb_status st = leb_read(&q, d->mod_end, bits, sign, &v);
    d->p = d->end;
    if (st == LEB_TOO_LONG) return fail(d, at, -EINVAL, "integer representation too long");
    if (st == LEB_TOO_LARGE) return fail(d, at, -EINVAL, "integer too large");
    return fail_end(d);
}

static int rd_leb(struct dec *d, unsigned bits, bool sign, uint64_t *out)
{
    const uint8_t *at = d->p;
    switch (leb_read(&d->p, d->end, bits, sign, out)) {
    case LEB_OK: return 0;
    case LEB_END: return leb_end(d, at, bits, sign);
    case LEB_TOO_LONG: return fail(d, at, -EINVAL, "integer representation too long");
    default: return fail(d, at, -EINVAL, "integer too large");
    }
}

static int rd_u32(struct dec *d, uint32_t *out)
{
    uint64_t v;
    int rc = rd_leb(d, 32, false, &v);
    if (rc == 0) *out = (uint32_t)v;
    return rc;
}

/* A vector length: each element takes at least one byte, so a count larger than what is left
 * of the section is malformed, and one beyond our cap is refused before any allocation. */
static int rd_count(struct dec *d, const char *what, uint32_t cap, uint32_t *out)
{
    const uint8_t *at = d->p;
    int rc = rd_u32(d, out);
    if (rc) return rc;
    if (*out > left(d))
        return fail(d, at, -EINVAL, "unexpected end of section or function (%u %s)", *out, what);
    if (*out > cap) return fail(d, at, -E2BIG, "too many %s (%u, limit %u)", what, *out, cap);
    return 0;
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
static bool utf8_valid(const uint8_t *s, uint32_t n)
{
    uint32_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        uint32_t len, min, cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xe0) == 0xc0) {
            len = 2, min = 0x80, cp = c & 0x1fu;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3, min = 0x800, cp = c & 0x0fu;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4, min = 0x10000, cp = c & 0x07u;
        } else {
            return false;
        }
        if (n - i < len) return false;
        for (uint32_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (s[i + k] & 0x3fu);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += len;
    }
    return true;
}

static int rd_name(struct dec *d, struct wasm_name *out)
{
    uint32_t len;
    int rc = rd_u32(d, &len);
    if (rc) return rc;
    if (len > left(d))
        return fail(d, d->p, -EINVAL, "length out of bounds (name of %u bytes)", len);
    if (!utf8_valid(d->p, len)) return fail(d, d->p, -EINVAL, "malformed UTF-8 encoding");
    out->ptr = (const char *)d->p;
    out->len = len;
    d->p += len;
    return 0;
}

static bool is_valtype(uint8_t b)
{
    return b == WASM_I32 || b == WASM_I64 || b == WASM_F32 || b == WASM_F64 || b == WASM_V128 ||
           b == WASM_FUNCREF || b == WASM_EXTERNREF;
}

/* Type bytes are one-byte signed LEB128s in the spec's grammar, hence the first message. */
static int rd_valtype(struct dec *d, uint8_t *out)
{
    const uint8_t *at = d->p;
    int rc = rd_byte(d, out);
    if (rc) return rc;
    if (*out & 0x80) return fail(d, at, -EINVAL, "integer representation too long");
    if (!is_valtype(*out)) return fail(d, at, -EINVAL, "malformed value type 0x%02x", *out);
    return 0;
}

static int rd_reftype(struct dec *d, uint8_t *out)
{
    const uint8_t *at = d->p;
    int rc = rd_byte(d, out);
    if (rc) return rc;
    if (*out != WASM_FUNCREF && *out != WASM_EXTERNREF)
        return fail(d, at, -EINVAL, "malformed reference type 0x%02x", *out);
    return 0;
}

static int rd_limits(struct dec *d, struct wasm_limits_decl *out)
{
    const uint8_t *at = d->p;
    uint8_t flags = 0;
    int rc = rd_byte(d, &flags);
    if (rc) return rc;
    /* the flags are a one-byte integer in the spec's grammar, hence the messages */
    if (flags & 0x80) return fail(d, at, -EINVAL, "integer representation too long (limits flags)");
    if (flags > 1) return fail(d, at, -EINVAL, "integer too large (limits flags 0x%02x)", flags);
    out->has_max = flags == 1;
    out->max = 0;
    rc = rd_u32(d, &out->min);
    if (rc == 0 && out->has_max) rc = rd_u32(d, &out->max);
    return rc;
}

static int rd_mutability(struct dec *d, bool *out)
{
    const uint8_t *at = d->p;
    uint8_t m = 0;
    int rc = rd_byte(d, &m);
    if (rc) return rc;
    if (m > 1) return fail(d, at, -EINVAL, "malformed mutability 0x%02x", m);
    *out = m == 1;
    return 0;
}

static int rd_globaltype(struct dec *d, struct wasm_global_decl *g)
{
    int rc = rd_valtype(d, &g->type);
    return rc ? rc : rd_mutability(d, &g->mutable_);
}

/* ------------------------------------------------------------------------------------------ */
/* Constant expressions                                                                        */

/* Whether a one-byte opcode exists in WebAssembly 2.0 (opcodes.def is the one list of them;
 * 0xfc/0xfd are prefixes). Only used on the error path, so a linear scan is fine. */
static bool opcode_exists(uint8_t op)
{
    static const uint16_t codes[] = {
#define WASM_CTRL(name, code) code,
#define WASM_UNOP(name, code, tin, tout, expr) code,
#define WASM_BINOP(name, code, tin, tout, expr) code,
#define WASM_NOP_CONV(name, code, tin, tout) code,
#define WASM_LOAD(name, code, t, bytes, mtype) code,
#define WASM_STORE(name, code, t, bytes, mtype) code,
#include "opcodes.def"
    };
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (codes[i] == op) return true;
    return false;
}

/* The immediates of one constant instruction op (already read at `at`). */
static int rd_const_instr(struct dec *d, uint8_t op, const uint8_t *at)
{
    uint64_t v;
    uint32_t u;
    uint8_t t = 0;
    switch (op) {
    case 0x41: return rd_leb(d, 32, true, &v); /* i32.const */
    case 0x42: return rd_leb(d, 64, true, &v); /* i64.const */
    case 0x43: return rd_skip(d, 4);           /* f32.const */
    case 0x44: return rd_skip(d, 8);           /* f64.const */
    case 0x23:                                 /* global.get */
    case 0xd2: return rd_u32(d, &u);           /* ref.func */
    case 0xd0: return rd_reftype(d, &t);       /* ref.null */
    case 0xfd: {                               /* v128.const is 0xfd 12 */
        int rc = rd_u32(d, &u);
        if (rc) return rc;
        if (u != 12)
            return fail(d, at, -EINVAL, "constant expression required (opcode 0xfd %u)", u);
        return rd_skip(d, 16);
    }
    default:
        if (op == 0xfc || opcode_exists(op))
            return fail(d, at, -EINVAL, "constant expression required (opcode 0x%02x)", op);
        return fail(d, at, -EINVAL, "illegal opcode 0x%02x", op);
    }
}

/* Records a constant expression: the bytes from its first instruction through its `end`. */
static int rd_constexpr(struct dec *d, struct wasm_constexpr *out)
{
    const uint8_t *start = d->p;
    for (;;) {
        const uint8_t *at = d->p;
        uint8_t op = 0;
        int rc = rd_byte(d, &op);
        if (rc) return rc;
        if (op == 0x0b) break;
        rc = rd_const_instr(d, op, at);
        if (rc) return rc;
    }
    out->code = start;
    out->size = (uint32_t)(d->p - start);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Growable index spaces (imports first, then definitions)                                     */

/* Makes room for `need` elements of `elem` bytes in arr (capacity *cap), zeroing new slots.
 * Returns the (possibly moved) array, or NULL with arr untouched. */
static void *grow(void *arr, uint32_t *cap, uint32_t need, size_t elem)
{
    if (need == 0) need = 1; /* an empty space still gets an array, so NULL always means failure */
    if (need <= *cap) return arr;
    uint32_t ncap = *cap ? *cap : 4;
    while (ncap < need)
        ncap = ncap > UINT32_MAX / 2 ? need : ncap * 2;
    uint8_t *p = realloc(arr, (size_t)ncap * elem);
    if (!p) return NULL;
    memset(p + (size_t)*cap * elem, 0, (size_t)(ncap - *cap) * elem);
    *cap = ncap;
    return p;
}

static int oom(struct dec *d)
{
    return fail(d, d->p, -ENOMEM, "out of memory");
}

/* Room for `more` entries in one index space after `have`, within `limit`. */
static int space_check(struct dec *d, const char *what, uint32_t have, uint32_t more,
                       uint32_t limit)
{
    if (more > limit || have > limit - more)
        return fail(d, d->p, -E2BIG, "too many %s (limit %u)", what, limit);
    return 0;
}

static int add_func(struct dec *d, uint32_t type, bool imported)
{
    struct wasm_module *m = d->mod;
    int rc = space_check(d, "functions", m->nfuncs, 1, WASM_MAX_FUNCS);
    if (rc) return rc;
    void *p = grow(m->funcs, &d->cap_funcs, m->nfuncs + 1, sizeof(*m->funcs));
    if (!p) return oom(d);
    m->funcs = p;
    m->funcs[m->nfuncs].type = type;
    m->funcs[m->nfuncs].imported = imported;
    m->nfuncs++;
    return 0;
}

static int add_table(struct dec *d, bool imported)
{
    struct wasm_module *m = d->mod;
    struct wasm_table_decl *t;
    int rc = space_check(d, "tables", m->ntables, 1, WASM_MAX_TABLES);
    if (rc) return rc;
    void *p = grow(m->tables, &d->cap_tables, m->ntables + 1, sizeof(*m->tables));
    if (!p) return oom(d);
    m->tables = p;
    t = &m->tables[m->ntables++];
    t->imported = imported;
    rc = rd_reftype(d, &t->elemtype);
    return rc ? rc : rd_limits(d, &t->lim);
}

static int add_memory(struct dec *d, bool imported)
{
    struct wasm_module *m = d->mod;
    int rc = space_check(d, "memories", m->nmemories, 1, DEC_MAX_MEMORIES);
    if (rc) return rc;
    void *p = grow(m->memories, &d->cap_memories, m->nmemories + 1, sizeof(*m->memories));
    if (!p) return oom(d);
    m->memories = p;
    m->memories[m->nmemories].imported = imported;
    return rd_limits(d, &m->memories[m->nmemories++].lim);
}

static int add_global(struct dec *d, bool imported)
{
    struct wasm_module *m = d->mod;
    struct wasm_global_decl *g;
    int rc = space_check(d, "globals", m->nglobals, 1, WASM_MAX_GLOBALS);
    if (rc) return rc;
    void *p = grow(m->globals, &d->cap_globals, m->nglobals + 1, sizeof(*m->globals));
    if (!p) return oom(d);
    m->globals = p;
    g = &m->globals[m->nglobals++];
    g->imported = imported;
    rc = rd_globaltype(d, g);
    if (rc == 0 && !imported) rc = rd_constexpr(d, &g->init);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Sections 1-8                                                                                */

static int rd_functype(struct dec *d, struct wasm_functype *ft)
{
    const uint8_t *at = d->p;
    uint8_t form = 0;
    int rc = rd_byte(d, &form);
    if (rc) return rc;
    if (form & 0x80) return fail(d, at, -EINVAL, "integer representation too long");
    if (form != 0x60) return fail(d, at, -EINVAL, "malformed function type 0x%02x", form);
    rc = rd_count(d, "parameters", WASM_MAX_PARAMS, &ft->nparams);
    ft->params = d->p;
    for (uint32_t i = 0; rc == 0 && i < ft->nparams; i++) {
        uint8_t t = 0;
        rc = rd_valtype(d, &t);
    }
    if (rc == 0) rc = rd_count(d, "results", WASM_MAX_RESULTS, &ft->nresults);
    ft->results = d->p;
    for (uint32_t i = 0; rc == 0 && i < ft->nresults; i++) {
        uint8_t t = 0;
        rc = rd_valtype(d, &t);
    }
    return rc;
}

static int sec_type(struct dec *d)
{
    struct wasm_module *m = d->mod;
    uint32_t n;
    int rc = rd_count(d, "types", WASM_MAX_TYPES, &n);
    if (rc) return rc;
    m->types = calloc(n ? n : 1, sizeof(*m->types));
    if (!m->types) return oom(d);
    for (uint32_t i = 0; i < n; i++) {
        rc = rd_functype(d, &m->types[i]);
        if (rc) return rc;
        m->ntypes = i + 1;
    }
    return 0;
}

static int rd_import_desc(struct dec *d, struct wasm_import *im)
{
    const uint8_t *at = d->p;
    struct wasm_module *m = d->mod;
    uint32_t type;
    int rc = rd_byte(d, &im->kind);
    if (rc) return rc;
    switch (im->kind) {
    case WASM_EXTERN_FUNC:
        im->index = m->nfuncs;
        rc = rd_u32(d, &type);
        if (rc == 0) rc = add_func(d, type, true);
        m->nimported_funcs = m->nfuncs;
        return rc;
    case WASM_EXTERN_TABLE:
        im->index = m->ntables;
        rc = add_table(d, true);
        m->nimported_tables = m->ntables;
        return rc;
    case WASM_EXTERN_MEMORY:
        im->index = m->nmemories;
        rc = add_memory(d, true);
        m->nimported_memories = m->nmemories;
        return rc;
    case WASM_EXTERN_GLOBAL:
        im->index = m->nglobals;
        rc = add_global(d, true);
        m->nimported_globals = m->nglobals;
        return rc;
    default: return fail(d, at, -EINVAL, "malformed import kind 0x%02x", im->kind);
    }
}

static int sec_import(struct dec *d)
{
    struct wasm_module *m = d->mod;
    uint32_t n;
    int rc = rd_count(d, "imports", WASM_MAX_IMPORTS, &n);
    if (rc) return rc;
    m->imports = calloc(n ? n : 1, sizeof(*m->imports));
    if (!m->imports) return oom(d);
    for (uint32_t i = 0; i < n; i++) {
        struct wasm_import *im = &m->imports[i];
        rc = rd_name(d, &im->module);
        if (rc == 0) rc = rd_name(d, &im->name);
        if (rc == 0) rc = rd_import_desc(d, im);
        if (rc) return rc;
        m->nimports = i + 1;
    }
    return 0;
}

static int sec_function(struct dec *d)
{
    struct wasm_module *m = d->mod;
    uint32_t n, type;
    int rc = rd_count(d, "functions", WASM_MAX_FUNCS, &n);
    if (rc == 0) rc = space_check(d, "functions", m->nfuncs, n, WASM_MAX_FUNCS);
    if (rc) return rc;
    void *p = grow(m->funcs, &d->cap_funcs, m->nfuncs + n, sizeof(*m->funcs));
    if (!p) return oom(d);
    m->funcs = p;
    for (uint32_t i = 0; i < n; i++) {
        rc = rd_u32(d, &type);
        if (rc == 0) rc = add_func(d, type, false);
        if (rc) return rc;
    }
    d->has_funcsec = true;
    d->nfuncsec = n;
    return 0;
}

static int sec_table(struct dec *d)
{
    uint32_t n;
    int rc = rd_count(d, "tables", WASM_MAX_TABLES, &n);
    for (uint32_t i = 0; rc == 0 && i < n; i++)
        rc = add_table(d, false);
    return rc;
}

static int sec_memory(struct dec *d)
{
    uint32_t n;
    int rc = rd_count(d, "memories", DEC_MAX_MEMORIES, &n);
    for (uint32_t i = 0; rc == 0 && i < n; i++)
        rc = add_memory(d, false);
    return rc;
}

static int sec_global(struct dec *d)
{
    uint32_t n;
    int rc = rd_count(d, "globals", WASM_MAX_GLOBALS, &n);
    for (uint32_t i = 0; rc == 0 && i < n; i++)
        rc = add_global(d, false);
    return rc;
}

static int sec_export(struct dec *d)
{
    struct wasm_module *m = d->mod;
    uint32_t n;
    int rc = rd_count(d, "exports", WASM_MAX_EXPORTS, &n);
    if (rc) return rc;
    m->exports = calloc(n ? n : 1, sizeof(*m->exports));
    if (!m->exports) return oom(d);
    for (uint32_t i = 0; i < n; i++) {
        struct wasm_export *ex = &m->exports[i];
        const uint8_t *at;
        rc = rd_name(d, &ex->name);
        at = d->p;
        if (rc == 0) rc = rd_byte(d, &ex->kind);
        if (rc == 0 && ex->kind > WASM_EXTERN_GLOBAL)
            rc = fail(d, at, -EINVAL, "malformed export kind 0x%02x", ex->kind);
        if (rc == 0) rc = rd_u32(d, &ex->index);
        if (rc) return rc;
        m->nexports = i + 1;
    }
    return 0;
}

static int sec_start(struct dec *d)
{
    int rc = rd_u32(d, &d->mod->start);
    d->mod->has_start = rc == 0;
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Sections 9-12                                                                               */

/* The element list of a segment: function indices, or (flags bit 2) expressions. */
static int rd_elem_items(struct dec *d, struct wasm_elem *e, bool exprs)
{
    int rc = rd_count(d, "elements", UINT32_MAX, &e->count);
    if (rc) return rc;
    if (exprs) {
        e->exprs = calloc(e->count ? e->count : 1, sizeof(*e->exprs));
        if (!e->exprs) return oom(d);
        for (uint32_t i = 0; rc == 0 && i < e->count; i++)
            rc = rd_constexpr(d, &e->exprs[i]);
        return rc;
    }
    e->funcidx = calloc(e->count ? e->count : 1, sizeof(*e->funcidx));
    if (!e->funcidx) return oom(d);
    for (uint32_t i = 0; rc == 0 && i < e->count; i++)
        rc = rd_u32(d, &e->funcidx[i]);
    return rc;
}

/* Flags: bit 0 passive/declarative, bit 1 explicit table (active) or declarative (otherwise),
 * bit 2 expressions instead of function indices. Flags 0 and 4 imply table 0 and funcref. */
static int rd_elem(struct dec *d, struct wasm_elem *e)
{
    const uint8_t *at = d->p;
    uint32_t flags;
    int rc = rd_u32(d, &flags);
    if (rc) return rc;
    if (flags > 7) return fail(d, at, -EINVAL, "malformed elements segment kind %u", flags);
    e->elemtype = WASM_FUNCREF;
    if (flags & 1) {
        e->mode = (flags & 2) ? WASM_SEG_DECLARATIVE : WASM_SEG_PASSIVE;
    } else {
        e->mode = WASM_SEG_ACTIVE;
        if (flags & 2) rc = rd_u32(d, &e->table);
        if (rc == 0) rc = rd_constexpr(d, &e->offset);
    }
    if (rc == 0 && (flags & 3) && (flags & 4)) {
        rc = rd_reftype(d, &e->elemtype);
    } else if (rc == 0 && (flags & 3)) {
        uint8_t kind = 0;
        at = d->p;
        rc = rd_byte(d, &kind);
        if (rc == 0 && kind != 0) rc = fail(d, at, -EINVAL, "malformed element kind 0x%02x", kind);
    }
    return rc ? rc : rd_elem_items(d, e, (flags & 4) != 0);
}

static int sec_elem(struct dec *d)
{
    struct wasm_module *m = d->mod;
    uint32_t n;
    int rc = rd_count(d, "element segments", WASM_MAX_SEGMENTS, &n);
    if (rc) return rc;
    m->elems = calloc(n ? n : 1, sizeof(*m->elems));
    if (!m->elems) return oom(d);
    for (uint32_t i = 0; i < n; i++) {
        m->nelems = i + 1; /* counted first so that a half-read segment is freed */
        rc = rd_elem(d, &m->elems[i]);
        if (rc) return rc;
    }
    return 0;
}

static int sec_datacount(struct dec *d)
{
    int rc = rd_u32(d, &d->mod->datacount);
    d->mod->has_datacount = rc == 0;
    return rc;
}

/* The locals of one body (d->end is the body's end): counted, checked, and skipped. A total
 * beyond 2^32-1 is malformed; one beyond our cap (parameters included) is -E2BIG. */
static int rd_locals(struct dec *d, const struct wasm_func_decl *f)
{
    const struct wasm_module *m = d->mod;
    const uint8_t *start = d->p;
    uint64_t total = 0;
    uint32_t ndecls;
    int rc = rd_count(d, "local declarations", UINT32_MAX, &ndecls);
    for (uint32_t i = 0; rc == 0 && i < ndecls; i++) {
        const uint8_t *at = d->p;
        uint32_t n;
        uint8_t t = 0;
        rc = rd_u32(d, &n);
        if (rc == 0) rc = rd_valtype(d, &t);
        total += n;
        if (rc == 0 && total > UINT32_MAX) rc = fail(d, at, -EINVAL, "too many locals");
    }
    if (rc == 0 && f->type < m->ntypes) total += m->types[f->type].nparams;
    if (rc == 0 && total > WASM_MAX_LOCALS)
        rc = fail(d, start, -E2BIG, "too many locals (%llu with parameters, limit %u)",
                  (unsigned long long)total, WASM_MAX_LOCALS);
    return rc;
}

static int rd_code_entry(struct dec *d, struct wasm_func_decl *f)
{
    const uint8_t *at = d->p, *sec_end = d->end;
    uint32_t size;
    int rc = rd_u32(d, &size);
    if (rc) return rc;
    if (size > left(d))
        return fail(d, at, -EINVAL, "unexpected end of section or function (body of %u bytes)",
                    size);
    if (size > WASM_MAX_FUNC_SIZE)
        return fail(d, at, -E2BIG, "function body too large (%u bytes)", size);
    f->body = d->p;
    f->body_size = size;
    f->body_offset = (uint32_t)(d->p - d->base);
    d->end = d->p + size;
    rc = rd_locals(d, f);
    d->p = d->end;
    d->end = sec_end;
    return rc;
}

static int sec_code(struct dec *d)
{
    struct wasm_module *m = d->mod;
    const uint8_t *at = d->p;
    uint32_t n;
    int rc = rd_count(d, "function bodies", WASM_MAX_FUNCS, &n);
    if (rc) return rc;
    if (n != d->nfuncsec)
        return fail(d, at, -EINVAL,
                    "function and code section have inconsistent lengths (%u functions, %u bodies)",
                    d->nfuncsec, n);
    d->has_code = true;
    for (uint32_t i = 0; i < n; i++) {
        rc = rd_code_entry(d, &m->funcs[m->nimported_funcs + i]);
        if (rc) return rc;
    }
    return 0;
}

static int rd_data(struct dec *d, struct wasm_data *s)
{
    const uint8_t *at = d->p;
    uint32_t flags;
    int rc = rd_u32(d, &flags);
    if (rc) return rc;
    if (flags > 2) return fail(d, at, -EINVAL, "malformed data segment kind %u", flags);
    s->mode = flags == 1 ? WASM_SEG_PASSIVE : WASM_SEG_ACTIVE;
    if (flags == 2) rc = rd_u32(d, &s->memory);
    if (rc == 0 && flags != 1) rc = rd_constexpr(d, &s->offset);
    if (rc == 0) rc = rd_u32(d, &s->size);
    if (rc) return rc;
    if (s->size > left(d))
        return fail(d, d->p, -EINVAL, "unexpected end of section or function (%u data bytes)",
                    s->size);
    s->bytes = d->p;
    d->p += s->size;
    return 0;
}

static int sec_data(struct dec *d)
{
    struct wasm_module *m = d->mod;
    const uint8_t *at = d->p;
    uint32_t n;
    int rc = rd_count(d, "data segments", WASM_MAX_SEGMENTS, &n);
    if (rc) return rc;
    if (m->has_datacount && n != m->datacount)
        return fail(d, at, -EINVAL, "data count and data section have inconsistent lengths");
    d->has_data = true;
    m->datas = calloc(n ? n : 1, sizeof(*m->datas));
    if (!m->datas) return oom(d);
    for (uint32_t i = 0; i < n; i++) {
        rc = rd_data(d, &m->datas[i]);
        if (rc) return rc;
        m->ndatas = i + 1;
    }
    return 0;
}

static int sec_custom(struct dec *d)
{
    struct wasm_name name;
    int rc = rd_name(d, &name);
    if (rc == 0) d->p = d->end; /* contents are not interpreted (the "name" section is optional) */
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* The module                                                                                  */

struct section_kind {
    const char *name;
    int (*decode)(struct dec *d);
};

/* Indexed by section id. Known sections must appear in this rank order, at most once each:
 * datacount (12) sits between element (9) and code (10). */
static const struct section_kind g_sections[] = {
    [0] = {"custom", sec_custom},        [1] = {"type", sec_type},     [2] = {"import", sec_import},
    [3] = {"function", sec_function},    [4] = {"table", sec_table},   [5] = {"memory", sec_memory},
    [6] = {"global", sec_global},        [7] = {"export", sec_export}, [8] = {"start", sec_start},
    [9] = {"element", sec_elem},         [10] = {"code", sec_code},    [11] = {"data", sec_data},
    [12] = {"datacount", sec_datacount},
};
static const uint8_t g_section_rank[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};

static int rd_header(struct dec *d)
{
    static const uint8_t magic[4] = {0x00, 0x61, 0x73, 0x6d};
    static const uint8_t version[4] = {0x01, 0x00, 0x00, 0x00};
    if (left(d) < 4) {
        d->p = d->end;
        return fail_end(d);
    }
    if (memcmp(d->p, magic, 4) != 0) return fail(d, d->p, -EINVAL, "magic header not detected");
    if (left(d) < 8) {
        d->p = d->end;
        return fail_end(d);
    }
    if (memcmp(d->p + 4, version, 4) != 0)
        return fail(d, d->p + 4, -EINVAL, "unknown binary version");
    d->p += 8;
    return 0;
}

/* Decodes one section at d->p; *rank is the rank of the last known section so far. */
static int rd_section(struct dec *d, uint8_t *rank)
{
    const uint8_t *at = d->p;
    uint8_t id = 0;
    uint32_t size;
    int rc = rd_byte(d, &id);
    if (rc == 0 && id >= sizeof(g_section_rank))
        return fail(d, at, -EINVAL, "malformed section id %u", id);
    if (rc == 0) rc = rd_u32(d, &size);
    if (rc) return rc;
    if (size > left(d))
        return fail(d, d->p, -EINVAL, "length out of bounds (section of %u bytes)", size);
    if (id != SEC_CUSTOM) {
        if (g_section_rank[id] <= *rank)
            return fail(d, at, -EINVAL,
                        "unexpected content after last section (%s section out of order)",
                        g_sections[id].name);
        *rank = g_section_rank[id];
    }
    d->end = d->p + size;
    d->in_section = true;
    rc = g_sections[id].decode(d);
    if (rc == 0 && d->p != d->end)
        rc = fail(d, d->p, -EINVAL, "section size mismatch (%s section)", g_sections[id].name);
    d->p = d->end;
    d->end = d->mod_end;
    d->in_section = false;
    return rc;
}

/* Cross-section checks once every section has been read. */
static int check_module(struct dec *d)
{
    const struct wasm_module *m = d->mod;
    if (!d->has_code && d->nfuncsec != 0)
        return fail(d, d->p, -EINVAL,
                    "function and code section have inconsistent lengths (%u functions, no code)",
                    d->nfuncsec);
    if (m->has_datacount && !d->has_data && m->datacount != 0)
        return fail(d, d->p, -EINVAL, "data count and data section have inconsistent lengths");
    return 0;
}

int wasm_decode(struct wasm_module *mod, struct wasm_error *err)
{
    struct dec d = {0};
    uint8_t rank = 0;
    int rc = 0;

    static const uint8_t empty[1];
    d.base = d.p = mod->bytes ? mod->bytes : empty;
    d.end = d.mod_end = d.base + (mod->bytes ? mod->size : 0);
    d.mod = mod;
    d.err = err;
    if (!mod->bytes && mod->size) return fail(&d, d.p, -EINVAL, "no module bytes");
    rc = rd_header(&d);
    while (rc == 0 && d.p < d.mod_end)
        rc = rd_section(&d, &rank);
    if (rc == 0) rc = check_module(&d);
    if (rc) {
        uint8_t *bytes = mod->bytes;
        size_t size = mod->size;
        mod->bytes = NULL;
        wasm_module_clear(mod);
        mod->bytes = bytes;
        mod->size = size;
    }
    return rc;
}
