/* SPDX-License-Identifier: Apache-2.0 */
/*
 * instance.c - instantiation (WebAssembly 2.0, section 4.5.4) and constant expressions.
 *
 * wasm_instance_new() runs in this order, each step only after the previous one succeeded:
 *  1. allocate the instance and intern the module's types into the store;
 *  2. match each import against the module's declared import type (functions: same type;
 *     tables: same element type and limits subtyping; memories: limits subtyping; globals:
 *     same value type and mutability). A mismatch is "unlinkable": the instance is freed
 *     again, nothing else was created, and -EINVAL is returned;
 *  3. bind imports, create the module's functions, tables, memories and globals (global
 *     initialisers evaluated in order, each seeing the imported and earlier globals);
 *  4. element segments in order: active ones are table.init (bounds checked as a whole
 *     first) then dropped, declarative ones dropped; then data segments likewise
 *     (memory.init); then the start function.
 * From step 3 on, every object is already owned by the store, so a trap in step 4 leaves
 * them alive: functions of the failed instance written into an imported table before the
 * trap stay valid and callable, as the spec requires. Such failures return the positive
 * trap code (err->code too).
 *
 * The instance's defined functions are allocated in the same block as its funcs pointer
 * array ([nfuncs pointers][defined struct wasm_func...]), so freeing the instance (store.c)
 * needs nothing from the module. Counts and indices in the module were checked by the
 * validator, but are checked again here where an out-of-range value would mean reading out
 * of bounds; a failed check is -EINVAL, never a crash.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

/* Opcodes allowed in constant expressions (plus extended-const arithmetic). */
enum {
    OP_END = 0x0b,
    OP_GLOBAL_GET = 0x23,
    OP_I32_CONST = 0x41,
    OP_I64_CONST = 0x42,
    OP_F32_CONST = 0x43,
    OP_F64_CONST = 0x44,
    OP_I32_ADD = 0x6a,
    OP_I32_SUB = 0x6b,
    OP_I32_MUL = 0x6c,
    OP_I64_ADD = 0x7c,
    OP_I64_SUB = 0x7d,
    OP_I64_MUL = 0x7e,
    OP_REF_NULL = 0xd0,
    OP_REF_FUNC = 0xd2,
    OP_SIMD_PREFIX = 0xfd,
    OP_V128_CONST = 0x0c, /* after the 0xfd prefix */
};

#define CONST_STACK 16

__attribute__((format(printf, 3, 4))) static int fail(struct wasm_error *err, int code,
                                                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    err->code = code;
    err->func = UINT32_MAX;
    return code;
}

/* ---- constant expressions ---- */

struct const_stack {
    union wasm_val v[CONST_STACK];
    uint32_t n;
};

static int push(struct const_stack *s, union wasm_val v)
{
    if (s->n == CONST_STACK) return -EINVAL;
    s->v[s->n++] = v;
    return 0;
}

/* Reads n raw little-endian bytes (float bit patterns, v128) into v. */
static int read_bytes(const uint8_t **p, const uint8_t *end, size_t n, union wasm_val *v)
{
    if ((size_t)(end - *p) < n) return -EINVAL;
    uint64_t bits = 0;
    if (n == 16) {
        memcpy(v->v128, *p, 16);
    } else {
        for (size_t i = 0; i < n; i++)
            bits |= (uint64_t)(*p)[i] << (8 * i);
        if (n == 4)
            v->f32 = (uint32_t)bits;
        else
            v->f64 = bits;
    }
    *p += n;
    return 0;
}

/* Applies an extended-const binary operator to the top two values. */
static int const_binop(struct const_stack *s, uint8_t op)
{
    if (s->n < 2) return -EINVAL;
    union wasm_val b = s->v[--s->n];
    union wasm_val *a = &s->v[s->n - 1];
    switch (op) {
    case OP_I32_ADD: a->i32 += b.i32; break;
    case OP_I32_SUB: a->i32 -= b.i32; break;
    case OP_I32_MUL: a->i32 *= b.i32; break;
    case OP_I64_ADD: a->i64 += b.i64; break;
    case OP_I64_SUB: a->i64 -= b.i64; break;
    default: a->i64 *= b.i64; break;
    }
    return 0;
}

static bool is_binop(uint8_t op)
{
    return (op >= OP_I32_ADD && op <= OP_I32_MUL) || (op >= OP_I64_ADD && op <= OP_I64_MUL);
}

/* ref.func and global.get: an index, checked against what the instance has so far. */
static int const_indexed(const struct wasm_instance *inst, uint8_t op, const uint8_t **p,
                         const uint8_t *end, union wasm_val *v)
{
    uint32_t idx;
    if (wasm_read_u32(p, end, &idx) != 0) return -EINVAL;
    if (op == OP_REF_FUNC) {
        if (idx >= inst->mod->nfuncs) return -EINVAL;
        v->ref = inst->funcs[idx];
        return 0;
    }
    if (idx >= inst->mod->nglobals || !inst->globals[idx]) return -EINVAL;
    *v = inst->globals[idx]->val;
    return 0;
}

/* Evaluates one instruction at *p (opcode already read) onto s. */
static int const_insn(const struct wasm_instance *inst, uint8_t op, const uint8_t **p,
                      const uint8_t *end, struct const_stack *s)
{
    union wasm_val v;
    memset(&v, 0, sizeof(v));
    uint32_t idx;
    int32_t i32;
    int64_t i64;
    int rc;
    switch (op) {
    case OP_I32_CONST:
        rc = wasm_read_s32(p, end, &i32);
        v.i32 = (uint32_t)i32;
        break;
    case OP_I64_CONST:
        rc = wasm_read_s64(p, end, &i64);
        v.i64 = (uint64_t)i64;
        break;
    case OP_F32_CONST: rc = read_bytes(p, end, 4, &v); break;
    case OP_F64_CONST: rc = read_bytes(p, end, 8, &v); break;
    case OP_SIMD_PREFIX:
        rc = wasm_read_u32(p, end, &idx);
        if (rc == 0) rc = idx == OP_V128_CONST ? read_bytes(p, end, 16, &v) : -EINVAL;
        break;
    case OP_REF_NULL:
        if (*p == end) return -EINVAL;
        ++*p; /* the reference type; null is NULL for both */
        rc = 0;
        break;
    case OP_REF_FUNC:
    case OP_GLOBAL_GET: rc = const_indexed(inst, op, p, end, &v); break;
    default:
        if (!is_binop(op)) return -EINVAL;
        return const_binop(s, op);
    }
    return rc ? rc : push(s, v);
}

int wasm_constexpr_eval(const struct wasm_instance *inst, const struct wasm_constexpr *ce,
                        union wasm_val *out)
{
    if (!ce->code) return -EINVAL;
    const uint8_t *p = ce->code, *end = ce->code + ce->size;
    struct const_stack s;
    s.n = 0;
    while (p < end) {
        uint8_t op = *p++;
        if (op == OP_END) {
            if (s.n != 1 || p != end) return -EINVAL;
            *out = s.v[0];
            return 0;
        }
        int rc = const_insn(inst, op, &p, end, &s);
        if (rc) return rc;
    }
    return -EINVAL; /* no end */
}

/* ---- import matching ---- */

static bool limits_match(uint32_t actual_min, struct wasm_limits_decl actual,
                         struct wasm_limits_decl decl)
{
    if (actual_min < decl.min) return false;
    if (!decl.has_max) return true;
    return actual.has_max && actual.max <= decl.max;
}

/* Does ext fit import imp's declared type? (kind and object already checked) */
static bool import_fits(const struct wasm_instance *inst, const struct wasm_import *imp,
                        const struct wasm_extern *ext)
{
    const struct wasm_module *mod = inst->mod;
    uint32_t i = imp->index;
    switch (imp->kind) {
    case WASM_EXTERN_FUNC:
        if (i >= mod->nimported_funcs || mod->funcs[i].type >= mod->ntypes) return false;
        return ext->of.func->type_id == inst->type_ids[mod->funcs[i].type];
    case WASM_EXTERN_TABLE:
        if (i >= mod->nimported_tables) return false;
        return ext->of.table->elemtype == mod->tables[i].elemtype &&
               limits_match(ext->of.table->size, ext->of.table->lim, mod->tables[i].lim);
    case WASM_EXTERN_MEMORY:
        if (i >= mod->nimported_memories) return false;
        return limits_match(ext->of.memory->pages, ext->of.memory->lim, mod->memories[i].lim);
    case WASM_EXTERN_GLOBAL:
        if (i >= mod->nimported_globals) return false;
        return ext->of.global->type == mod->globals[i].type &&
               ext->of.global->mutable_ == mod->globals[i].mutable_;
    default: return false;
    }
}

static const char *kind_name(uint32_t kind)
{
    static const char *const names[] = {"function", "table", "memory", "global"};
    return kind < 4 ? names[kind] : "unknown kind";
}

static int imports_check(const struct wasm_instance *inst, const struct wasm_extern *imports,
                         uint32_t nimports, struct wasm_error *err)
{
    const struct wasm_module *mod = inst->mod;
    if (nimports != mod->nimports || (nimports && !imports))
        return fail(err, -EINVAL, "unknown import: the module has %u imports, %u were given",
                    mod->nimports, nimports);
    for (uint32_t k = 0; k < nimports; k++) {
        const struct wasm_import *imp = &mod->imports[k];
        const struct wasm_extern *ext = &imports[k];
        if (!ext->of.func)
            return fail(err, -EINVAL, "unknown import: import %u \"%.*s\" \"%.*s\" is missing", k,
                        (int)imp->module.len, imp->module.ptr, (int)imp->name.len, imp->name.ptr);
        if ((uint32_t)ext->kind != imp->kind)
            return fail(err, -EINVAL,
                        "incompatible import type: import %u \"%.*s\" \"%.*s\" wants a %s, "
                        "got a %s",
                        k, (int)imp->module.len, imp->module.ptr, (int)imp->name.len, imp->name.ptr,
                        kind_name(imp->kind), kind_name((uint32_t)ext->kind));
        if (!import_fits(inst, imp, ext))
            return fail(err, -EINVAL,
                        "incompatible import type: import %u \"%.*s\" \"%.*s\": the %s given "
                        "does not match the declared type",
                        k, (int)imp->module.len, imp->module.ptr, (int)imp->name.len, imp->name.ptr,
                        kind_name(imp->kind));
    }
    return 0;
}

/* ---- creating the instance's objects ---- */

/* calloc that treats n == 0 as success (returns a 1-element block so NULL means failure). */
static void *array_new(uint32_t n, size_t elem)
{
    return calloc(n ? n : 1, elem);
}

/* Undoes instance_alloc() for an instance that is still the head of the store's list. */
static void instance_discard(struct wasm_instance *inst)
{
    inst->store->instances = inst->next;
    free(inst->funcs);
    free(inst->tables);
    free(inst->memories);
    free(inst->globals);
    free(inst->type_ids);
    free(inst->elem_dropped);
    free(inst->data_dropped);
    free(inst);
}

/* Allocates an empty instance and links it into the store; NULL on allocation failure. */
static struct wasm_instance *instance_alloc(struct wasm_store *store, const struct wasm_module *mod)
{
    struct wasm_instance *inst = calloc(1, sizeof(*inst));
    if (!inst) return NULL;
    inst->store = store;
    inst->mod = mod;
    inst->next = store->instances;
    store->instances = inst; /* from now on wasm_store_free() frees it */
    uint32_t ndef = mod->nfuncs - mod->nimported_funcs;
    size_t fsize =
        (size_t)mod->nfuncs * sizeof(struct wasm_func *) + (size_t)ndef * sizeof(struct wasm_func);
    inst->funcs = calloc(1, fsize ? fsize : 1);
    inst->tables = array_new(mod->ntables, sizeof(*inst->tables));
    inst->memories = array_new(mod->nmemories, sizeof(*inst->memories));
    inst->globals = array_new(mod->nglobals, sizeof(*inst->globals));
    inst->type_ids = array_new(mod->ntypes, sizeof(*inst->type_ids));
    inst->elem_dropped = array_new(mod->nelems, sizeof(*inst->elem_dropped));
    inst->data_dropped = array_new(mod->ndatas, sizeof(*inst->data_dropped));
    if (!inst->funcs || !inst->tables || !inst->memories || !inst->globals || !inst->type_ids ||
        !inst->elem_dropped || !inst->data_dropped) {
        instance_discard(inst);
        return NULL;
    }
    return inst;
}

static int types_intern(struct wasm_instance *inst, struct wasm_error *err)
{
    for (uint32_t i = 0; i < inst->mod->ntypes; i++) {
        inst->type_ids[i] = wasm_store_intern_type(inst->store, &inst->mod->types[i]);
        if (inst->type_ids[i] == UINT32_MAX)
            return fail(err, -ENOMEM, "out of memory interning function types");
    }
    return 0;
}

/* Puts import k's object into its index space slot (index range checked by imports_check). */
static void import_bind(struct wasm_instance *inst, const struct wasm_import *imp,
                        const struct wasm_extern *ext)
{
    switch (imp->kind) {
    case WASM_EXTERN_FUNC: inst->funcs[imp->index] = ext->of.func; break;
    case WASM_EXTERN_TABLE: inst->tables[imp->index] = ext->of.table; break;
    case WASM_EXTERN_MEMORY: inst->memories[imp->index] = ext->of.memory; break;
    default: inst->globals[imp->index] = ext->of.global; break;
    }
}

/* Checks that the imports filled every imported slot (a consistent module always does). */
static bool imports_complete(const struct wasm_instance *inst)
{
    const struct wasm_module *mod = inst->mod;
    for (uint32_t i = 0; i < mod->nimported_funcs; i++)
        if (!inst->funcs[i]) return false;
    for (uint32_t i = 0; i < mod->nimported_tables; i++)
        if (!inst->tables[i]) return false;
    for (uint32_t i = 0; i < mod->nimported_memories; i++)
        if (!inst->memories[i]) return false;
    for (uint32_t i = 0; i < mod->nimported_globals; i++)
        if (!inst->globals[i]) return false;
    return true;
}

static int funcs_create(struct wasm_instance *inst, struct wasm_error *err)
{
    const struct wasm_module *mod = inst->mod;
    struct wasm_func *block = (struct wasm_func *)(void *)(inst->funcs + mod->nfuncs);
    for (uint32_t i = mod->nimported_funcs; i < mod->nfuncs; i++) {
        const struct wasm_func_decl *decl = &mod->funcs[i];
        if (decl->type >= mod->ntypes)
            return fail(err, -EINVAL, "function %u has an unknown type %u", i, decl->type);
        struct wasm_func *f = &block[i - mod->nimported_funcs];
        f->type_id = inst->type_ids[decl->type];
        f->type = inst->store->types[f->type_id];
        f->inst = inst;
        f->code = decl->code;
        f->index = i;
        inst->funcs[i] = f;
    }
    return 0;
}

static int tables_create(struct wasm_instance *inst, struct wasm_error *err)
{
    const struct wasm_module *mod = inst->mod;
    uint32_t cap = inst->store->lim.max_table_elems;
    for (uint32_t i = mod->nimported_tables; i < mod->ntables; i++) {
        const struct wasm_table_decl *d = &mod->tables[i];
        if (d->lim.min > cap)
            return fail(err, -E2BIG, "table %u: minimum size %u exceeds the limit of %u", i,
                        d->lim.min, cap);
        uint64_t bytes = (uint64_t)d->lim.min * sizeof(void *);
        const struct wasm_store *s = inst->store;
        if (bytes > s->lim.max_table_bytes - s->table_bytes)
            return fail(err, -E2BIG,
                        "table %u: %u elements exceed the store's table budget (%llu of %llu "
                        "bytes used)",
                        i, d->lim.min, (unsigned long long)s->table_bytes,
                        (unsigned long long)s->lim.max_table_bytes);
        inst->tables[i] = wasm_table_new(inst->store, d->elemtype, d->lim, NULL);
        if (!inst->tables[i])
            return fail(err, -ENOMEM, "table %u: cannot allocate %u elements", i, d->lim.min);
    }
    return 0;
}

static int memories_create(struct wasm_instance *inst, struct wasm_error *err)
{
    const struct wasm_module *mod = inst->mod;
    uint32_t cap = inst->store->lim.max_memory_pages;
    for (uint32_t i = mod->nimported_memories; i < mod->nmemories; i++) {
        const struct wasm_memory_decl *d = &mod->memories[i];
        if (d->lim.min > cap)
            return fail(err, -E2BIG, "memory %u: minimum size %u pages exceeds the limit of %u", i,
                        d->lim.min, cap);
        uint64_t bytes = (uint64_t)d->lim.min * WASM_PAGE_SIZE;
        const struct wasm_store *s = inst->store;
        if (bytes > s->lim.max_memory_bytes - s->memory_bytes)
            return fail(err, -E2BIG,
                        "memory %u: %u pages exceed the store's memory budget (%llu of %llu "
                        "bytes used)",
                        i, d->lim.min, (unsigned long long)s->memory_bytes,
                        (unsigned long long)s->lim.max_memory_bytes);
        inst->memories[i] = wasm_memory_new(inst->store, d->lim);
        if (!inst->memories[i])
            return fail(err, -ENOMEM, "memory %u: cannot allocate %u pages", i, d->lim.min);
    }
    inst->mem0 = mod->nmemories ? inst->memories[0] : NULL;
    return 0;
}

static int globals_create(struct wasm_instance *inst, struct wasm_error *err)
{
    const struct wasm_module *mod = inst->mod;
    for (uint32_t i = mod->nimported_globals; i < mod->nglobals; i++) {
        const struct wasm_global_decl *d = &mod->globals[i];
        union wasm_val v;
        if (wasm_constexpr_eval(inst, &d->init, &v) != 0)
            return fail(err, -EINVAL, "global %u: invalid initializer", i);
        inst->globals[i] = wasm_global_new(inst->store, d->type, d->mutable_, v);
        if (!inst->globals[i]) return fail(err, -ENOMEM, "global %u: cannot allocate", i);
    }
    return 0;
}

/* ---- segments and start ---- */

static int trap(struct wasm_error *err, enum wasm_trap code)
{
    return fail(err, (int)code, "%s", wasm_trap_str(code));
}

/* Evaluates an active segment's offset (an i32, taken unsigned). */
static int offset_eval(const struct wasm_instance *inst, const struct wasm_constexpr *ce,
                       uint32_t *out)
{
    union wasm_val v;
    int rc = wasm_constexpr_eval(inst, ce, &v);
    *out = v.i32;
    return rc;
}

static int elem_item(const struct wasm_instance *inst, const struct wasm_elem *seg, uint32_t k,
                     void **out)
{
    if (seg->funcidx) {
        if (seg->funcidx[k] >= inst->mod->nfuncs) return -EINVAL;
        *out = inst->funcs[seg->funcidx[k]];
        return 0;
    }
    if (!seg->exprs) return -EINVAL;
    union wasm_val v;
    int rc = wasm_constexpr_eval(inst, &seg->exprs[k], &v);
    *out = v.ref;
    return rc;
}

static int elem_init(struct wasm_instance *inst, uint32_t i, struct wasm_error *err)
{
    const struct wasm_elem *seg = &inst->mod->elems[i];
    uint32_t off;
    if (seg->table >= inst->mod->ntables || offset_eval(inst, &seg->offset, &off) != 0)
        return fail(err, -EINVAL, "element segment %u: invalid table or offset", i);
    struct wasm_table *t = inst->tables[seg->table];
    if ((uint64_t)off + seg->count > t->size) return trap(err, WASM_TRAP_TABLE_OOB);
    for (uint32_t k = 0; k < seg->count; k++) {
        if (elem_item(inst, seg, k, &t->elems[off + k]) != 0)
            return fail(err, -EINVAL, "element segment %u: invalid item %u", i, k);
    }
    return 0;
}

static int elems_init(struct wasm_instance *inst, struct wasm_error *err)
{
    for (uint32_t i = 0; i < inst->mod->nelems; i++) {
        uint8_t mode = inst->mod->elems[i].mode;
        if (mode == WASM_SEG_ACTIVE) {
            int rc = elem_init(inst, i, err);
            if (rc) return rc;
        }
        if (mode == WASM_SEG_ACTIVE || mode == WASM_SEG_DECLARATIVE) inst->elem_dropped[i] = true;
    }
    return 0;
}

static int datas_init(struct wasm_instance *inst, struct wasm_error *err)
{
    for (uint32_t i = 0; i < inst->mod->ndatas; i++) {
        const struct wasm_data *seg = &inst->mod->datas[i];
        if (seg->mode != WASM_SEG_ACTIVE) continue;
        uint32_t off;
        if (seg->memory >= inst->mod->nmemories || offset_eval(inst, &seg->offset, &off) != 0)
            return fail(err, -EINVAL, "data segment %u: invalid memory or offset", i);
        struct wasm_memory *mem = inst->memories[seg->memory];
        if ((uint64_t)off + seg->size > mem->size) return trap(err, WASM_TRAP_MEMORY_OOB);
        if (seg->size) memcpy(mem->base + off, seg->bytes, seg->size);
        inst->data_dropped[i] = true;
    }
    return 0;
}

static int start_run(struct wasm_instance *inst, struct wasm_error *err)
{
    const struct wasm_module *mod = inst->mod;
    if (!mod->has_start) return 0;
    if (mod->start >= mod->nfuncs)
        return fail(err, -EINVAL, "unknown start function %u", mod->start);
    union wasm_val none[1];
    memset(none, 0, sizeof(none));
    if (inst->store->depth == 0) inst->store->fuel = inst->store->lim.fuel;
    return wasm_interp_call(inst->store, inst->funcs[mod->start], none, none, err);
}

/* Steps 3 and 4 of the file comment. */
static int instance_build(struct wasm_instance *inst, const struct wasm_extern *imports,
                          struct wasm_error *err)
{
    for (uint32_t k = 0; k < inst->mod->nimports; k++)
        import_bind(inst, &inst->mod->imports[k], &imports[k]);
    if (!imports_complete(inst))
        return fail(err, -EINVAL, "module imports do not match its index spaces");
    int rc = funcs_create(inst, err);
    if (!rc) rc = tables_create(inst, err);
    if (!rc) rc = memories_create(inst, err);
    if (!rc) rc = globals_create(inst, err);
    if (!rc) rc = elems_init(inst, err);
    if (!rc) rc = datas_init(inst, err);
    if (!rc) rc = start_run(inst, err);
    return rc;
}

/* The index-space counts instantiation relies on (the decoder guarantees them). */
static bool module_consistent(const struct wasm_module *mod)
{
    return mod->nimported_funcs <= mod->nfuncs && mod->nimported_tables <= mod->ntables &&
           mod->nimported_memories <= mod->nmemories && mod->nimported_globals <= mod->nglobals;
}

int wasm_instance_new(struct wasm_store *store, const struct wasm_module *mod,
                      const struct wasm_extern *imports, uint32_t nimports,
                      struct wasm_instance **out, struct wasm_error *err)
{
    struct wasm_error local;
    if (!err) err = &local;
    memset(err, 0, sizeof(*err));
    err->func = UINT32_MAX;
    if (!store || !mod || !out || !module_consistent(mod))
        return fail(err, -EINVAL, "invalid arguments");
    struct wasm_instance *inst = instance_alloc(store, mod);
    if (!inst) return fail(err, -ENOMEM, "out of memory allocating the instance");
    int rc = types_intern(inst, err);
    if (rc == 0) rc = imports_check(inst, imports, nimports, err);
    if (rc) {
        instance_discard(inst); /* nothing else was created yet */
        return rc;
    }
    rc = instance_build(inst, imports, err);
    if (rc) return rc;
    *out = inst;
    return 0;
}

int wasm_instance_export(const struct wasm_instance *inst, const char *name, size_t name_len,
                         struct wasm_extern *out)
{
    const struct wasm_module *mod = inst->mod;
    for (uint32_t i = 0; i < mod->nexports; i++) {
        const struct wasm_export *e = &mod->exports[i];
        if (e->name.len != name_len || (name_len && memcmp(e->name.ptr, name, name_len) != 0))
            continue;
        out->kind = (enum wasm_extern_kind)e->kind;
        switch (e->kind) {
        case WASM_EXTERN_FUNC:
            if (e->index >= mod->nfuncs) return -ENOENT;
            out->of.func = inst->funcs[e->index];
            return 0;
        case WASM_EXTERN_TABLE:
            if (e->index >= mod->ntables) return -ENOENT;
            out->of.table = inst->tables[e->index];
            return 0;
        case WASM_EXTERN_MEMORY:
            if (e->index >= mod->nmemories) return -ENOENT;
            out->of.memory = inst->memories[e->index];
            return 0;
        case WASM_EXTERN_GLOBAL:
            if (e->index >= mod->nglobals) return -ENOENT;
            out->of.global = inst->globals[e->index];
            return 0;
        default: return -ENOENT;
        }
    }
    return -ENOENT;
}
