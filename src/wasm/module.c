/* SPDX-License-Identifier: Apache-2.0 */
/*
 * module.c - the public module API of wasm.h: wasm_module_new/free and the descriptions of a
 * module's imports and exports.
 *
 * A module owns one copy of the binary it was made from; every name, body and constant
 * expression of the decoded form (module.h) points into that copy, so the input buffer may be
 * reused as soon as wasm_module_new() returns. Building a module is copy -> wasm_decode()
 * (decode.c) -> wasm_validate() (validate.c, which also compiles each function); a failure at
 * any step frees everything, so a caller sees either a complete module or nothing.
 *
 * wasm_module_func_name() reads the "name" custom section from the module's copy of the
 * binary on demand (it is only needed for trap reports), strictly by its own length fields.
 *
 * Descriptions (struct wasm_extern_desc) are computed on demand from the decoded arrays and
 * point into the module, so they cost nothing to keep and live exactly as long as the module.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"

static int set_error(struct wasm_error *err, int code, const char *msg)
{
    if (err) {
        err->code = code;
        err->func = UINT32_MAX;
        snprintf(err->msg, sizeof(err->msg), "%s", msg);
    }
    return code;
}

int wasm_module_new(const uint8_t *bytes, size_t size, struct wasm_module **out,
                    struct wasm_error *err)
{
    struct wasm_module *mod;
    int rc;

    if (!out || (!bytes && size)) return set_error(err, -EINVAL, "no module bytes");
    if (size > WASM_MAX_MODULE_SIZE) {
        char msg[80];
        snprintf(msg, sizeof(msg), "module too large (%zu bytes, limit %u)", size,
                 WASM_MAX_MODULE_SIZE);
        return set_error(err, -E2BIG, msg);
    }
    mod = calloc(1, sizeof(*mod));
    if (!mod) return set_error(err, -ENOMEM, "out of memory");
    mod->bytes = malloc(size ? size : 1);
    if (!mod->bytes) {
        free(mod);
        return set_error(err, -ENOMEM, "out of memory");
    }
    if (size) memcpy(mod->bytes, bytes, size);
    mod->size = size;
    rc = wasm_decode(mod, err);
    if (rc == 0) rc = wasm_validate(mod, err);
    if (rc) {
        wasm_module_free(mod);
        return rc;
    }
    if (err) memset(err, 0, sizeof(*err));
    *out = mod;
    return 0;
}

void wasm_module_clear(struct wasm_module *mod)
{
    if (!mod) return;
    wasm_jit_module_free(mod);
    for (uint32_t i = 0; mod->funcs && i < mod->nfuncs; i++)
        wasm_code_free(mod->funcs[i].code);
    for (uint32_t i = 0; mod->elems && i < mod->nelems; i++) {
        free(mod->elems[i].funcidx);
        free(mod->elems[i].exprs);
    }
    free(mod->types);
    free(mod->imports);
    free(mod->funcs);
    free(mod->tables);
    free(mod->memories);
    free(mod->globals);
    free(mod->exports);
    free(mod->elems);
    free(mod->datas);
    free(mod->func_declared);
    free(mod->bytes);
    memset(mod, 0, sizeof(*mod));
}

void wasm_module_free(struct wasm_module *mod)
{
    wasm_module_clear(mod);
    free(mod);
}

uint32_t wasm_module_import_count(const struct wasm_module *mod)
{
    return mod ? mod->nimports : 0;
}

uint32_t wasm_module_export_count(const struct wasm_module *mod)
{
    return mod ? mod->nexports : 0;
}

/* Fills the type part of *out for entity `index` of kind out->kind (indices are checked, so a
 * description of a module that was decoded but not validated is still safe to make). */
static void describe_entity(const struct wasm_module *mod, uint32_t index,
                            struct wasm_extern_desc *out)
{
    switch (out->kind) {
    case WASM_EXTERN_FUNC:
        if (index < mod->nfuncs && mod->funcs[index].type < mod->ntypes)
            out->func = mod->types[mod->funcs[index].type];
        break;
    case WASM_EXTERN_TABLE:
        if (index < mod->ntables) {
            out->elemtype = mod->tables[index].elemtype;
            out->limits = mod->tables[index].lim;
        }
        break;
    case WASM_EXTERN_MEMORY:
        if (index < mod->nmemories) out->limits = mod->memories[index].lim;
        break;
    case WASM_EXTERN_GLOBAL:
        if (index < mod->nglobals) {
            out->valtype = mod->globals[index].type;
            out->mutable_ = mod->globals[index].mutable_;
        }
        break;
    }
}

void wasm_module_import(const struct wasm_module *mod, uint32_t i, struct wasm_extern_desc *out)
{
    memset(out, 0, sizeof(*out));
    if (!mod || i >= mod->nimports) return;
    const struct wasm_import *im = &mod->imports[i];
    out->module = im->module.ptr;
    out->module_len = im->module.len;
    out->name = im->name.ptr;
    out->name_len = im->name.len;
    out->kind = (enum wasm_extern_kind)im->kind;
    describe_entity(mod, im->index, out);
}

void wasm_module_export(const struct wasm_module *mod, uint32_t i, struct wasm_extern_desc *out)
{
    memset(out, 0, sizeof(*out));
    if (!mod || i >= mod->nexports) return;
    const struct wasm_export *ex = &mod->exports[i];
    out->name = ex->name.ptr;
    out->name_len = ex->name.len;
    out->kind = (enum wasm_extern_kind)ex->kind;
    describe_entity(mod, ex->index, out);
}

/* ---- the name section ---- */

/* An unsigned LEB128 of at most 32 bits at *p (< end); false when malformed or truncated. */
static bool leb_u32(const uint8_t **p, const uint8_t *end, uint32_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 35; shift += 7) {
        if (*p >= end) return false;
        uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            if (v > UINT32_MAX) return false;
            *out = (uint32_t)v;
            return true;
        }
    }
    return false;
}

/* A length-prefixed byte string at *p: its start and length, inside [*p, end). */
static bool vec_bytes(const uint8_t **p, const uint8_t *end, const uint8_t **s, uint32_t *len)
{
    if (!leb_u32(p, end, len) || *len > (size_t)(end - *p)) return false;
    *s = *p;
    *p += *len;
    return true;
}

/* The function-names subsection (id 1) of a name section's payload [p, end): the name. */
static bool find_func_name(const uint8_t *p, const uint8_t *end, uint32_t func,
                           const uint8_t **name, uint32_t *len)
{
    while (p < end) {
        uint8_t id = *p++;
        const uint8_t *sub;
        uint32_t sub_len;
        if (!vec_bytes(&p, end, &sub, &sub_len)) return false;
        if (id != 1) continue;
        const uint8_t *q = sub, *qend = sub + sub_len;
        uint32_t count;
        if (!leb_u32(&q, qend, &count)) return false;
        for (uint32_t i = 0; i < count; i++) {
            uint32_t idx;
            if (!leb_u32(&q, qend, &idx) || !vec_bytes(&q, qend, name, len)) return false;
            if (idx == func) return true;
        }
        return false;
    }
    return false;
}

bool wasm_module_func_name(const struct wasm_module *mod, uint32_t func_index, char *buf,
                           size_t size)
{
    if (!buf || size == 0) return false;
    buf[0] = 0;
    if (!mod || mod->size < 8) return false;
    const uint8_t *p = mod->bytes + 8, *end = mod->bytes + mod->size;
    while (p < end) {
        uint8_t id = *p++;
        const uint8_t *sec, *name;
        uint32_t sec_len, len;
        if (!vec_bytes(&p, end, &sec, &sec_len)) return false;
        if (id != 0) continue;
        const uint8_t *q = sec, *qend = sec + sec_len, *sname;
        uint32_t sname_len;
        if (!vec_bytes(&q, qend, &sname, &sname_len)) continue;
        if (sname_len != 4 || memcmp(sname, "name", 4) != 0) continue;
        if (!find_func_name(q, qend, func_index, &name, &len)) return false;
        size_t n = len < size - 1 ? len : size - 1;
        for (size_t i = 0; i < n; i++)
            buf[i] = name[i] >= 0x20 && name[i] < 0x7f ? (char)name[i] : '?';
        buf[n] = 0;
        return true;
    }
    return false;
}
