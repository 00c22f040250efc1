/* SPDX-License-Identifier: Apache-2.0 */
/*
 * validate.c - module-level validation rules of WebAssembly 2.0, then per-function
 * validation + compilation (compile.c).
 *
 * Order: types, imports and definitions (limits, at most one memory), constant expressions
 * of globals and segments, exports (indices valid, names unique), the start function, the
 * data count, then C.refs (mod->func_declared: functions named by element segments, exports
 * and global initialisers, which ref.func in bodies may use), then every function body.
 *
 * Costs: linear in the module except export-name uniqueness, O(n log n) by sorting.
 * Errors are -EINVAL with err->msg saying what was wrong; -ENOMEM on allocation failure.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "code.h"

#define TRY(x)                                                                                     \
    do {                                                                                           \
        int rc_ = (x);                                                                             \
        if (rc_) return rc_;                                                                       \
    } while (0)

__attribute__((format(printf, 2, 3))) static int vfail(struct wasm_error *err, const char *fmt, ...)
{
    if (err && err->msg[0] == '\0') {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = -EINVAL;
    }
    return -EINVAL;
}

static bool valtype_ok(uint8_t t)
{
    return (t >= WASM_V128 && t <= WASM_I32) || t == WASM_FUNCREF || t == WASM_EXTERNREF;
}

static int check_types(const struct wasm_module *mod, struct wasm_error *err)
{
    for (uint32_t i = 0; i < mod->ntypes; i++) {
        const struct wasm_functype *ft = &mod->types[i];
        for (uint32_t j = 0; j < ft->nparams; j++)
            if (!valtype_ok(ft->params[j])) return vfail(err, "type %u: malformed value type", i);
        for (uint32_t j = 0; j < ft->nresults; j++)
            if (!valtype_ok(ft->results[j])) return vfail(err, "type %u: malformed value type", i);
    }
    return 0;
}

static int check_limits(const struct wasm_limits_decl *lim, uint64_t cap, const char *what,
                        uint32_t i, struct wasm_error *err)
{
    if (lim->min > cap)
        return vfail(err, "%s %u: %s size must be at most %llu", what, i, what,
                     (unsigned long long)cap);
    if (lim->has_max && lim->max > cap)
        return vfail(err, "%s %u: %s size must be at most %llu", what, i, what,
                     (unsigned long long)cap);
    if (lim->has_max && lim->min > lim->max)
        return vfail(err, "%s %u: size minimum must not be greater than maximum", what, i);
    return 0;
}

static int check_defs(const struct wasm_module *mod, struct wasm_error *err)
{
    for (uint32_t i = 0; i < mod->nfuncs; i++)
        if (mod->funcs[i].type >= mod->ntypes)
            return vfail(err, "function %u: unknown type %u", i, mod->funcs[i].type);
    for (uint32_t i = 0; i < mod->ntables; i++) {
        const struct wasm_table_decl *t = &mod->tables[i];
        if (t->elemtype != WASM_FUNCREF && t->elemtype != WASM_EXTERNREF)
            return vfail(err, "table %u: malformed reference type", i);
        TRY(check_limits(&t->lim, UINT32_MAX, "table", i, err));
    }
    if (mod->nmemories > 1) return vfail(err, "multiple memories are not allowed");
    for (uint32_t i = 0; i < mod->nmemories; i++)
        TRY(check_limits(&mod->memories[i].lim, WASM_MAX_PAGES, "memory", i, err));
    for (uint32_t i = 0; i < mod->nglobals; i++)
        if (!valtype_ok(mod->globals[i].type))
            return vfail(err, "global %u: malformed value type", i);
    return 0;
}

/* Reads one constant instruction's immediates; sets *t to the type it pushes.
 * Returns NULL or the reason it is not allowed. */
static const char *constexpr_op(const struct wasm_module *mod, const uint8_t **pp,
                                const uint8_t *end, uint8_t op, bool *declared, uint8_t *t)
{
    const uint8_t *p = *pp;
    int32_t v32;
    int64_t v64;
    uint32_t x;
    switch (op) {
    case 0x41:
        *t = WASM_I32;
        if (wasm_read_s32(&p, end, &v32)) return "malformed i32.const";
        break;
    case 0x42:
        *t = WASM_I64;
        if (wasm_read_s64(&p, end, &v64)) return "malformed i64.const";
        break;
    case 0x43:
    case 0x44:
        *t = op == 0x43 ? WASM_F32 : WASM_F64;
        if (end - p < (op == 0x43 ? 4 : 8)) return "truncated constant";
        p += op == 0x43 ? 4 : 8;
        break;
    case 0xfd:
        if (wasm_read_u32(&p, end, &x) || x != 0x0c || end - p < 16)
            return "constant expression required";
        *t = WASM_V128;
        p += 16;
        break;
    case 0xd0:
        if (p >= end || (*p != WASM_FUNCREF && *p != WASM_EXTERNREF))
            return "malformed reference type";
        *t = *p++;
        break;
    case 0xd2:
        if (wasm_read_u32(&p, end, &x) || x >= mod->nfuncs) return "unknown function in ref.func";
        if (declared) declared[x] = true;
        *t = WASM_FUNCREF;
        break;
    case 0x23:
        if (wasm_read_u32(&p, end, &x) || x >= mod->nglobals)
            return "unknown global in constant expression";
        if (x >= mod->nimported_globals || mod->globals[x].mutable_)
            return "constant expression required (global.get of a non-imported or mutable global)";
        *t = mod->globals[x].type;
        break;
    default: return "constant expression required";
    }
    *pp = p;
    return NULL;
}

/* Validates a constant expression producing one value of type want; marks ref.func targets
 * in declared (may be NULL). */
static int check_constexpr(const struct wasm_module *mod, const struct wasm_constexpr *ce,
                           uint8_t want, bool *declared, const char *what, uint32_t idx,
                           struct wasm_error *err)
{
    const uint8_t *p = ce->code, *end = ce->code + ce->size;
    uint8_t t = 0;
    uint32_t depth = 0;
    for (;;) {
        if (p >= end) return vfail(err, "%s %u: constant expression without end", what, idx);
        uint8_t op = *p++;
        if (op == 0x0b) break;
        const char *why = constexpr_op(mod, &p, end, op, declared, &t);
        if (why) return vfail(err, "%s %u: %s", what, idx, why);
        if (++depth > 1)
            return vfail(err, "%s %u: type mismatch in constant expression", what, idx);
    }
    if (p != end)
        return vfail(err, "%s %u: bytes after the end of a constant expression", what, idx);
    if (depth != 1 || t != want)
        return vfail(err, "%s %u: type mismatch in constant expression", what, idx);
    return 0;
}

static int check_globals(const struct wasm_module *mod, bool *declared, struct wasm_error *err)
{
    for (uint32_t i = mod->nimported_globals; i < mod->nglobals; i++)
        TRY(check_constexpr(mod, &mod->globals[i].init, mod->globals[i].type, declared, "global", i,
                            err));
    return 0;
}

static int check_elems(const struct wasm_module *mod, bool *declared, struct wasm_error *err)
{
    for (uint32_t i = 0; i < mod->nelems; i++) {
        const struct wasm_elem *e = &mod->elems[i];
        if (e->elemtype != WASM_FUNCREF && e->elemtype != WASM_EXTERNREF)
            return vfail(err, "elem %u: malformed reference type", i);
        if (e->mode == WASM_SEG_ACTIVE) {
            if (e->table >= mod->ntables)
                return vfail(err, "elem %u: unknown table %u", i, e->table);
            if (mod->tables[e->table].elemtype != e->elemtype)
                return vfail(err, "elem %u: type mismatch with table %u", i, e->table);
            TRY(check_constexpr(mod, &e->offset, WASM_I32, declared, "elem", i, err));
        }
        for (uint32_t j = 0; j < e->count; j++) {
            if (e->funcidx) {
                if (e->funcidx[j] >= mod->nfuncs)
                    return vfail(err, "elem %u: unknown function %u", i, e->funcidx[j]);
                declared[e->funcidx[j]] = true;
            } else if (e->exprs) {
                TRY(check_constexpr(mod, &e->exprs[j], e->elemtype, declared, "elem", i, err));
            }
        }
    }
    return 0;
}

static int check_datas(const struct wasm_module *mod, struct wasm_error *err)
{
    if (mod->has_datacount && mod->datacount != mod->ndatas)
        return vfail(err, "data count and data section have inconsistent lengths");
    for (uint32_t i = 0; i < mod->ndatas; i++) {
        const struct wasm_data *d = &mod->datas[i];
        if (d->mode != WASM_SEG_ACTIVE) continue;
        if (d->memory >= mod->nmemories)
            return vfail(err, "data %u: unknown memory %u", i, d->memory);
        TRY(check_constexpr(mod, &d->offset, WASM_I32, NULL, "data", i, err));
    }
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    const struct wasm_name *x = a, *y = b;
    uint32_t n = x->len < y->len ? x->len : y->len;
    int r = n ? memcmp(x->ptr, y->ptr, n) : 0;
    if (r) return r;
    return x->len < y->len ? -1 : x->len > y->len;
}

static int check_export_names(const struct wasm_module *mod, struct wasm_error *err)
{
    if (mod->nexports < 2) return 0;
    struct wasm_name *names = malloc(mod->nexports * sizeof *names);
    if (!names) return -ENOMEM;
    for (uint32_t i = 0; i < mod->nexports; i++)
        names[i] = mod->exports[i].name;
    qsort(names, mod->nexports, sizeof *names, cmp_names);
    int rc = 0;
    for (uint32_t i = 1; i < mod->nexports && !rc; i++)
        if (cmp_names(&names[i - 1], &names[i]) == 0) rc = vfail(err, "duplicate export name");
    free(names);
    return rc;
}

static int check_exports(const struct wasm_module *mod, bool *declared, struct wasm_error *err)
{
    for (uint32_t i = 0; i < mod->nexports; i++) {
        const struct wasm_export *e = &mod->exports[i];
        uint32_t n = e->kind == WASM_EXTERN_FUNC     ? mod->nfuncs
                     : e->kind == WASM_EXTERN_TABLE  ? mod->ntables
                     : e->kind == WASM_EXTERN_MEMORY ? mod->nmemories
                     : e->kind == WASM_EXTERN_GLOBAL ? mod->nglobals
                                                     : 0;
        if (e->index >= n)
            return vfail(err, "export %u: unknown %s %u", i,
                         e->kind == WASM_EXTERN_FUNC     ? "function"
                         : e->kind == WASM_EXTERN_TABLE  ? "table"
                         : e->kind == WASM_EXTERN_MEMORY ? "memory"
                                                         : "global",
                         e->index);
        if (e->kind == WASM_EXTERN_FUNC) declared[e->index] = true;
    }
    return check_export_names(mod, err);
}

static int check_start(const struct wasm_module *mod, struct wasm_error *err)
{
    if (!mod->has_start) return 0;
    if (mod->start >= mod->nfuncs) return vfail(err, "unknown start function %u", mod->start);
    const struct wasm_functype *ft = &mod->types[mod->funcs[mod->start].type];
    if (ft->nparams || ft->nresults) return vfail(err, "start function must have type [] -> []");
    return 0;
}

static int compile_all(struct wasm_module *mod, struct wasm_error *err)
{
    for (uint32_t i = mod->nimported_funcs; i < mod->nfuncs; i++) {
        if (mod->funcs[i].imported) continue;
        mod->funcs[i].code = calloc(1, sizeof(struct wasm_code));
        if (!mod->funcs[i].code) return -ENOMEM;
    }
    const void *const *labels = wasm_interp_labels();
    for (uint32_t i = mod->nimported_funcs; i < mod->nfuncs; i++)
        if (!mod->funcs[i].imported) TRY(wasm_compile_func(mod, i, labels, err));
    return 0;
}

int wasm_validate(struct wasm_module *mod, struct wasm_error *err)
{
    if (err) {
        err->msg[0] = '\0';
        err->code = 0;
        err->func = UINT32_MAX;
    }
    TRY(check_types(mod, err));
    TRY(check_defs(mod, err));
    free(mod->func_declared);
    mod->func_declared = calloc((size_t)mod->nfuncs + 1, sizeof *mod->func_declared);
    if (!mod->func_declared) return -ENOMEM;
    TRY(check_globals(mod, mod->func_declared, err));
    TRY(check_elems(mod, mod->func_declared, err));
    TRY(check_datas(mod, err));
    TRY(check_exports(mod, mod->func_declared, err));
    TRY(check_start(mod, err));
    int rc = compile_all(mod, err);
    if (rc == -ENOMEM && err && err->msg[0] == '\0')
        snprintf(err->msg, sizeof err->msg, "out of memory while compiling");
    return rc;
}
