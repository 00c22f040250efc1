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

/* Reads an unsigned LEB128 u32 at *pos (< end); false when malformed or truncated. */
static bool name_leb_u32(const uint8_t *p, size_t end, size_t *pos, uint32_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 35 && *pos < end; shift += 7) {
        uint8_t b = p[(*pos)++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return v <= UINT32_MAX ? (*out = (uint32_t)v, true) : false;
    }
    return false;
}

/* The function-names subsection of the "name" custom section [b + pos, b + end). */
static int name_in_section(const uint8_t *b, size_t pos, size_t end, uint32_t func, char *out,
                           size_t out_size)
{
    uint32_t len, count, idx, nlen;
    while (pos < end) {
        uint8_t id = b[pos++];
        if (!name_leb_u32(b, end, &pos, &len) || len > end - pos) return -ENOENT;
        size_t sub_end = pos + len;
        if (id == 1 && name_leb_u32(b, sub_end, &pos, &count))
            for (uint32_t i = 0; i < count; i++) {
                if (!name_leb_u32(b, sub_end, &pos, &idx) ||
                    !name_leb_u32(b, sub_end, &pos, &nlen) || nlen > sub_end - pos)
                    return -ENOENT;
                if (idx == func) {
                    snprintf(out, out_size, "%.*s", (int)nlen, (const char *)b + pos);
                    return 0;
                }
                pos += nlen;
            }
        pos = sub_end;
    }
    return -ENOENT;
}

int wasm_module_func_name(const struct wasm_module *mod, uint32_t func, char *out, size_t out_size)
{
    const uint8_t *b = mod ? mod->bytes : NULL;
    size_t size = mod ? mod->size : 0, pos = 8;
    uint32_t len, nlen;
    if (!b || !out || out_size == 0) return -EINVAL;
    while (pos < size) {
        uint8_t id = b[pos++];
        if (!name_leb_u32(b, size, &pos, &len) || len > size - pos) return -ENOENT;
        size_t end = pos + len, q = pos;
        if (id == 0 && name_leb_u32(b, end, &q, &nlen) && nlen == 4 && nlen <= end - q &&
            memcmp(b + q, "name", 4) == 0)
            return name_in_section(b, q + 4, end, func, out, out_size);
        pos = end;
    }
    return -ENOENT;
}
