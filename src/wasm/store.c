/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.c - the store (the spec's "store"): limits, the shared value stack, interned function
 * types, host functions, globals, the host-call context, and freeing everything at the end.
 *
 * Ownership: every runtime object lives on one of the store's singly linked lists (funcs,
 * tables, memories, globals, instances) and is freed only by wasm_store_free(). Functions
 * defined by a module are the exception: an instance allocates them in the same block as its
 * funcs pointer array (instance.c), freed with the instance, so freeing needs no module.
 *
 * Type interning: store->types[id] is the canonical copy of a function type; its params and
 * results share one allocation owned by the store, so the arrays of every func->type (host or
 * wasm) stay valid as long as the store. Lookup is by hash: the types array and an open-
 * addressing index of 2 * captypes slots (uint32_t, 0 = empty, else id + 1) share a single
 * allocation, so struct wasm_store needs no extra field and interning a module of n types
 * costs O(n), not O(n^2), however hostile the module is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "runtime.h"

#define DEFAULT_CALL_DEPTH 10000u
#define DEFAULT_STACK_SIZE (8u << 20)
#define DEFAULT_TABLE_ELEMS 10000000u
#define DEFAULT_MEMORY_BUDGET ((uint64_t)4 << 30)
#define DEFAULT_TABLE_BUDGET ((uint64_t)1 << 30)
#define MIN_TYPE_CAP 16u

void wasm_limits_default(struct wasm_limits *lim)
{
    memset(lim, 0, sizeof(*lim));
    lim->max_call_depth = DEFAULT_CALL_DEPTH;
    lim->value_stack_size = DEFAULT_STACK_SIZE;
    lim->max_memory_pages = WASM_MAX_PAGES;
    lim->max_table_elems = DEFAULT_TABLE_ELEMS;
    lim->fuel = 0;
    lim->max_memory_bytes = DEFAULT_MEMORY_BUDGET;
    lim->max_table_bytes = DEFAULT_TABLE_BUDGET;
}

bool wasm_store_budget_take(struct wasm_store *store, bool table, uint64_t bytes)
{
    uint64_t *used = table ? &store->table_bytes : &store->memory_bytes;
    uint64_t max = table ? store->lim.max_table_bytes : store->lim.max_memory_bytes;
    if (bytes > max || *used > max - bytes) return false;
    *used += bytes;
    return true;
}

/* Copies *in (or nothing) over the defaults, field by field, keeping defaults for zeros. */
static void limits_resolve(const struct wasm_limits *in, struct wasm_limits *out)
{
    wasm_limits_default(out);
    if (!in) return;
    if (in->max_call_depth) out->max_call_depth = in->max_call_depth;
    if (in->value_stack_size) out->value_stack_size = in->value_stack_size;
    if (in->max_memory_pages) out->max_memory_pages = in->max_memory_pages;
    if (out->max_memory_pages > WASM_MAX_PAGES) out->max_memory_pages = WASM_MAX_PAGES;
    if (in->max_table_elems) out->max_table_elems = in->max_table_elems;
    out->fuel = in->fuel;
    out->tier = in->tier <= WASM_TIER_JIT ? in->tier : WASM_TIER_AUTO;
    if (in->max_memory_bytes) out->max_memory_bytes = in->max_memory_bytes;
    if (in->max_table_bytes) out->max_table_bytes = in->max_table_bytes;
}

int wasm_store_new(const struct wasm_limits *lim, struct wasm_store **out)
{
    if (!out) return -EINVAL;
    struct wasm_store *store = calloc(1, sizeof(*store));
    if (!store) return -ENOMEM;
    limits_resolve(lim, &store->lim);

    /* 16-byte aligned so v128 slots can be accessed naturally; size rounded up to match. */
    size_t size = ((size_t)store->lim.value_stack_size + 15u) & ~(size_t)15u;
    store->stack = aligned_alloc(16, size);
    if (!store->stack) {
        free(store);
        return -ENOMEM;
    }
    store->stack_end = store->stack + size;
    store->fuel = store->lim.fuel;
    if (wasm_guard_pages()) wasm_fault_handler_install();
    *out = store;
    return 0;
}

static void free_instance(struct wasm_instance *inst)
{
    /* The defined functions share the funcs allocation (instance.c): one free, no module. */
    free(inst->funcs);
    free(inst->tables);
    free(inst->memories);
    free(inst->globals);
    free(inst->type_ids);
    free(inst->elem_dropped);
    free(inst->data_dropped);
    free(inst);
}

static void free_objects(struct wasm_store *store)
{
    for (struct wasm_instance *i = store->instances, *n; i; i = n) {
        n = i->next;
        free_instance(i);
    }
    for (struct wasm_func *f = store->funcs, *n; f; f = n) {
        n = f->next;
        free(f);
    }
    for (struct wasm_table *t = store->tables, *n; t; t = n) {
        n = t->next;
        free(t->elems);
        free(t);
    }
    for (struct wasm_global *g = store->globals, *n; g; g = n) {
        n = g->next;
        free(g);
    }
}

/* Releases a memory's storage: unmaps its reservation (guard mode) or frees its buffer. */
static void free_memories(struct wasm_store *store)
{
    for (struct wasm_memory *m = store->memories, *n; m; m = n) {
        n = m->next;
        if (m->reserved)
            (void)munmap(m->base, m->reserved);
        else
            free(m->base);
        free(m);
    }
}

void wasm_store_free(struct wasm_store *store)
{
    if (!store) return;
    free_objects(store);
    free_memories(store);
    for (uint32_t i = 0; i < store->ntypes; i++)
        free((void *)store->types[i].params);
    free(store->types);
    free(store->stack);
    free(store);
}

/* ---- type interning ---- */

static bool functype_equal(const struct wasm_functype *a, const struct wasm_functype *b)
{
    if (a->nparams != b->nparams || a->nresults != b->nresults) return false;
    if (a->nparams && memcmp(a->params, b->params, a->nparams) != 0) return false;
    return !a->nresults || memcmp(a->results, b->results, a->nresults) == 0;
}

/* FNV-1a over the counts and the valtype bytes. */
static uint32_t functype_hash(const struct wasm_functype *t)
{
    uint32_t h = 2166136261u;
    const uint32_t counts[2] = {t->nparams, t->nresults};
    const uint8_t *c = (const uint8_t *)counts;
    for (size_t i = 0; i < sizeof(counts); i++)
        h = (h ^ c[i]) * 16777619u;
    for (uint32_t i = 0; i < t->nparams; i++)
        h = (h ^ t->params[i]) * 16777619u;
    for (uint32_t i = 0; i < t->nresults; i++)
        h = (h ^ t->results[i]) * 16777619u;
    return h;
}

/* The hash index lives right after the types array (see the file comment). */
static uint32_t *type_index(const struct wasm_store *store)
{
    return (uint32_t *)(void *)(store->types + store->captypes);
}

static void index_insert(uint32_t *index, uint32_t nslots, uint32_t hash, uint32_t id)
{
    uint32_t mask = nslots - 1;
    uint32_t slot = hash & mask;
    while (index[slot])
        slot = (slot + 1) & mask;
    index[slot] = id + 1;
}

/* Doubles the capacity and rebuilds the index; returns false on allocation failure. */
static bool types_grow(struct wasm_store *store)
{
    uint32_t cap = store->captypes ? store->captypes * 2 : MIN_TYPE_CAP;
    if (cap <= store->captypes || cap > (UINT32_MAX >> 2)) return false;
    size_t size = (size_t)cap * sizeof(struct wasm_functype) + (size_t)cap * 2 * sizeof(uint32_t);
    struct wasm_functype *types = malloc(size);
    if (!types) return false;
    if (store->ntypes) memcpy(types, store->types, (size_t)store->ntypes * sizeof(*types));
    free(store->types);
    store->types = types;
    store->captypes = cap;
    uint32_t *index = type_index(store);
    memset(index, 0, (size_t)cap * 2 * sizeof(uint32_t));
    for (uint32_t i = 0; i < store->ntypes; i++)
        index_insert(index, cap * 2, functype_hash(&types[i]), i);
    return true;
}

/* Appends a copy of *type (arrays copied into one store-owned block); UINT32_MAX on failure. */
static uint32_t types_append(struct wasm_store *store, const struct wasm_functype *type,
                             uint32_t hash)
{
    if (store->ntypes == store->captypes && !types_grow(store)) return UINT32_MAX;
    struct wasm_functype copy = {.nparams = type->nparams, .nresults = type->nresults};
    size_t n = (size_t)type->nparams + type->nresults;
    if (n) {
        uint8_t *block = malloc(n);
        if (!block) return UINT32_MAX;
        if (type->nparams) memcpy(block, type->params, type->nparams);
        if (type->nresults) memcpy(block + type->nparams, type->results, type->nresults);
        copy.params = block; /* the allocation; freed by wasm_store_free */
        copy.results = block + type->nparams;
    }
    uint32_t id = store->ntypes++;
    store->types[id] = copy;
    index_insert(type_index(store), store->captypes * 2, hash, id);
    return id;
}

uint32_t wasm_store_intern_type(struct wasm_store *store, const struct wasm_functype *type)
{
    if ((type->nparams && !type->params) || (type->nresults && !type->results)) return UINT32_MAX;
    uint32_t hash = functype_hash(type);
    if (store->captypes) {
        const uint32_t *index = type_index(store);
        uint32_t mask = store->captypes * 2 - 1;
        for (uint32_t slot = hash & mask; index[slot]; slot = (slot + 1) & mask) {
            if (functype_equal(&store->types[index[slot] - 1], type)) return index[slot] - 1;
        }
    }
    return types_append(store, type, hash);
}

/* ---- functions ---- */

static bool valtype_ok(uint8_t t)
{
    switch (t) {
    case WASM_I32:
    case WASM_I64:
    case WASM_F32:
    case WASM_F64:
    case WASM_V128:
    case WASM_FUNCREF:
    case WASM_EXTERNREF: return true;
    default: return false;
    }
}

static bool functype_ok(const struct wasm_functype *type)
{
    if (type->nparams > WASM_MAX_PARAMS || type->nresults > WASM_MAX_RESULTS) return false;
    if ((type->nparams && !type->params) || (type->nresults && !type->results)) return false;
    for (uint32_t i = 0; i < type->nparams; i++)
        if (!valtype_ok(type->params[i])) return false;
    for (uint32_t i = 0; i < type->nresults; i++)
        if (!valtype_ok(type->results[i])) return false;
    return true;
}

struct wasm_func *wasm_func_new_host(struct wasm_store *store, const struct wasm_functype *type,
                                     wasm_host_fn fn, void *env)
{
    if (!store || !type || !fn || !functype_ok(type)) return NULL;
    uint32_t id = wasm_store_intern_type(store, type);
    if (id == UINT32_MAX) return NULL;
    struct wasm_func *f = calloc(1, sizeof(*f));
    if (!f) return NULL;
    f->type = store->types[id]; /* arrays owned by the store, valid as long as it */
    f->type_id = id;
    f->host = fn;
    f->env = env;
    f->next = store->funcs;
    store->funcs = f;
    return f;
}

const struct wasm_functype *wasm_func_type(const struct wasm_func *func)
{
    return &func->type;
}

static void error_set(struct wasm_error *err, int code, const char *msg)
{
    err->code = code;
    err->func = UINT32_MAX;
    snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

int wasm_func_call(struct wasm_store *store, struct wasm_func *func, const union wasm_val *args,
                   uint32_t nargs, union wasm_val *results, uint32_t nresults,
                   struct wasm_error *err)
{
    struct wasm_error local;
    union wasm_val dummy[1];
    if (!err) err = &local;
    if (!store || !func) {
        error_set(err, -EINVAL, "no function to call");
        return -EINVAL;
    }
    if (nargs != func->type.nparams || nresults != func->type.nresults) {
        snprintf(err->msg, sizeof(err->msg),
                 "function expects %u arguments and %u results, called with %u and %u",
                 func->type.nparams, func->type.nresults, nargs, nresults);
        err->code = -EINVAL;
        err->func = UINT32_MAX;
        return -EINVAL;
    }
    if ((nargs && !args) || (nresults && !results)) {
        error_set(err, -EINVAL, "missing argument or result array");
        return -EINVAL;
    }
    /* Fuel is per embedder call: a host function re-entering wasm does not refill it. */
    if (store->depth == 0) store->fuel = store->lim.fuel;
    err->code = 0;
    err->func = UINT32_MAX;
    err->msg[0] = '\0';
    return wasm_interp_call(store, func, args ? args : dummy, results ? results : dummy, err);
}

/* ---- globals ---- */

struct wasm_global *wasm_global_new(struct wasm_store *store, uint8_t valtype, bool mutable_,
                                    union wasm_val init)
{
    if (!store || !valtype_ok(valtype)) return NULL;
    struct wasm_global *g = calloc(1, sizeof(*g));
    if (!g) return NULL;
    g->val = init;
    g->type = valtype;
    g->mutable_ = mutable_;
    g->next = store->globals;
    store->globals = g;
    return g;
}

union wasm_val wasm_global_get(const struct wasm_global *g)
{
    return g->val;
}

uint8_t wasm_global_type(const struct wasm_global *g)
{
    return g->type;
}

int wasm_global_set(struct wasm_global *g, union wasm_val v)
{
    if (!g->mutable_) return -EPERM;
    g->val = v;
    return 0;
}

/* ---- what host functions see of their caller ---- */

struct wasm_memory *wasm_caller_memory(struct wasm_caller *caller)
{
    return caller && caller->inst ? caller->inst->mem0 : NULL;
}

struct wasm_instance *wasm_caller_instance(struct wasm_caller *caller)
{
    return caller ? caller->inst : NULL;
}

void wasm_caller_set_message(struct wasm_caller *caller, const char *msg)
{
    if (!caller) return;
    snprintf(caller->msg, sizeof(caller->msg), "%s", msg ? msg : "");
}
