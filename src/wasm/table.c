/* SPDX-License-Identifier: Apache-2.0 */
/*
 * table.c - tables of references (funcref: struct wasm_func *, externref: host pointers).
 *
 * A table is a heap array of exactly size pointers (NULL is the null reference), owned by
 * its store. Its size never exceeds min(declared max, the store's max_table_elems, 2^32 - 1),
 * and every size computation is done in 64 bits so hostile limits cannot wrap. Growth
 * reallocs to the exact new size (glibc moves large blocks with mremap, so repeated
 * table.grow does not copy quadratically); on failure the table is left unchanged.
 */
#include <errno.h>
#include <stdlib.h>

#include "runtime.h"

static bool elemtype_ok(uint8_t t)
{
    return t == WASM_FUNCREF || t == WASM_EXTERNREF;
}

struct wasm_table *wasm_table_new(struct wasm_store *store, uint8_t elemtype,
                                  struct wasm_limits_decl lim, void *init)
{
    if (!store || !elemtype_ok(elemtype) || (lim.has_max && lim.max < lim.min)) return NULL;
    if (lim.min > store->lim.max_table_elems) return NULL;
    if (!wasm_store_budget_take(store, true, (uint64_t)lim.min * sizeof(void *))) return NULL;
    struct wasm_table *t = calloc(1, sizeof(*t));
    if (!t) return NULL; /* the budget taken stays taken: the store is failing anyway */
    if (lim.min) {
        t->elems = malloc((size_t)lim.min * sizeof(void *));
        if (!t->elems) {
            free(t);
            return NULL;
        }
        for (uint32_t i = 0; i < lim.min; i++)
            t->elems[i] = init;
    }
    t->size = lim.min;
    t->elemtype = elemtype;
    t->lim = lim;
    t->cap_elems = store->lim.max_table_elems;
    t->store = store;
    t->next = store->tables;
    store->tables = t;
    return t;
}

uint32_t wasm_table_size(const struct wasm_table *t)
{
    return t->size;
}

int wasm_table_get(const struct wasm_table *t, uint32_t i, void **out)
{
    if (i >= t->size) return -ERANGE;
    *out = t->elems[i];
    return 0;
}

int64_t wasm_table_grow_elems(struct wasm_table *t, uint32_t delta, void *init)
{
    uint32_t old = t->size;
    if (delta == 0) return old;
    uint64_t max = UINT32_MAX;
    if (t->lim.has_max && t->lim.max < max) max = t->lim.max;
    if (t->cap_elems < max) max = t->cap_elems;
    uint64_t size = (uint64_t)old + delta;
    if (size > max) return -1;
    if (!wasm_store_budget_take(t->store, true, (uint64_t)delta * sizeof(void *))) return -1;
    void **elems = realloc(t->elems, (size_t)size * sizeof(void *));
    if (!elems) {
        t->store->table_bytes -= (uint64_t)delta * sizeof(void *);
        return -1;
    }
    for (uint64_t i = old; i < size; i++)
        elems[i] = init;
    t->elems = elems;
    t->size = (uint32_t)size;
    return old;
}
