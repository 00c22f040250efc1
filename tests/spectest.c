/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spectest.c - runs one WebAssembly script converted by `wast2json` against the engine.
 *
 * Usage: spectest [-v] FILE.json
 *
 * wast2json turns a .wast script into a JSON list of commands plus one .wasm file per module
 * (next to the JSON). This program executes the commands in order, in one struct wasm_store per
 * script, and counts each one as passed, failed or skipped:
 *
 *   module                 decode + instantiate; becomes the "current" module (and "$name")
 *   register               makes a module's exports importable under the "as" name
 *   action                 invoke an export or get an exported global; must not trap
 *   assert_return          the action's results equal the expected values (NaN patterns ok)
 *   assert_trap            the action (or instantiation of a module) traps with that reason
 *   assert_exhaustion      the action traps with "call stack exhausted"
 *   assert_invalid         wasm_module_new() rejects the binary
 *   assert_malformed       same, for binary modules; text ones are skipped (no text parser)
 *   assert_unlinkable      decoding works but imports cannot be satisfied
 *   assert_uninstantiable  linking works but instantiation traps (segment bounds, start)
 *
 * Imports resolve by (module, name) against registered instances, then against the built-in
 * "spectest" host module (print functions, globals, a table and a memory). A trap reason is
 * checked against the expected text through a table mapping the spec's messages onto
 * enum wasm_trap, so a wrong trap kind fails too.
 *
 * Every decoded module stays alive until the store is freed: a failed instantiation can leave
 * references to its functions in imported tables, as the spec allows.
 *
 * Output: one line per failure, "wast:line: command: what was expected, what happened", and
 * as the last line "N passed, M failed" (", K skipped" when K > 0). Exit status 0 only if
 * nothing failed. Traps never abort the runner; the input JSON is read with jansson and every
 * field is type-checked before use.
 */
#include "wasm/wasm.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VALUES 256               /* params or results of one call */
#define MAX_MODULE_FILE (256u << 20) /* refuse absurdly large .wasm files */

enum nan_kind { NAN_NONE, NAN_CANONICAL, NAN_ARITHMETIC };

/* One expected or argument value, with optional NaN patterns per lane. */
struct value {
    uint8_t type;      /* enum wasm_valtype */
    uint8_t lane_size; /* v128 only: 1, 2, 4 or 8 bytes */
    bool lane_float;   /* v128 only: f32x4 / f64x2 */
    bool nonnull;      /* reference expected to be non-null but not a specific one */
    uint8_t nan[16];   /* enum nan_kind per lane (scalars use nan[0]) */
    union wasm_val v;
};

/* A name bound to an instance (module names "$M" and registrations "as"). */
struct binding {
    char *name;
    size_t len;
    struct wasm_instance *inst;
};

struct bindings {
    struct binding *v;
    size_t n, cap;
};

struct host_export {
    const char *name;
    struct wasm_extern ext;
};

#define N_HOST_EXPORTS 13

struct runner {
    const char *source; /* the .wast name for messages */
    char *dir;          /* directory of the JSON file, where the .wasm files are */
    bool verbose;
    struct wasm_store *store;
    struct wasm_module **mods;
    size_t nmods, capmods;
    struct bindings names; /* "$name" -> instance */
    struct bindings regs;  /* registered "as" name -> instance */
    struct wasm_instance *current;
    struct host_export host[N_HOST_EXPORTS];
    unsigned passed, failed, skipped;
    long line;
    const char *cmd;
};

/* What running an action produced. rc: 0 returned, > 0 trap, < 0 could not run (msg says). */
struct outcome {
    int rc;
    uint32_t n;
    uint8_t types[MAX_VALUES];
    union wasm_val vals[MAX_VALUES];
    struct wasm_error err;
};

/* ---- reporting ---------------------------------------------------------------------------- */

static void pass(struct runner *r)
{
    r->passed++;
    if (r->verbose) printf("%s:%ld: %s: ok\n", r->source, r->line, r->cmd);
}

__attribute__((format(printf, 2, 3))) static void fail(struct runner *r, const char *fmt, ...)
{
    va_list ap;

    r->failed++;
    printf("%s:%ld: %s: ", r->source, r->line, r->cmd);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

static const char *trap_name(int code)
{
    if (code > 0 && code < WASM_TRAP_COUNT_) return wasm_trap_str((enum wasm_trap)code);
    return "error";
}

/* ---- small helpers ------------------------------------------------------------------------ */

static void *xrealloc(void *p, size_t n, size_t size)
{
    void *q;

    if (n != 0 && size > SIZE_MAX / n) return NULL;
    q = realloc(p, n * size);
    if (!q) {
        fprintf(stderr, "spectest: out of memory\n");
        exit(2);
    }
    return q;
}

static const char *jstr(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Reads a whole file into a fresh buffer; 0 or a negative errno. */
static int read_file(const char *path, uint8_t **out, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0, got;
    int rc = 0;

    if (!f) return -errno;
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_MODULE_FILE) {
                rc = -EFBIG;
                goto out;
            }
            cap = cap ? cap * 2 : 4096;
            buf = xrealloc(buf, cap, 1);
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) rc = -EIO;
out:
    fclose(f);
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    *size = n;
    return 0;
}

static void bind(struct bindings *b, const char *name, struct wasm_instance *inst)
{
    size_t len = strlen(name);

    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->v = xrealloc(b->v, b->cap, sizeof(*b->v));
    }
    b->v[b->n].name = xrealloc(NULL, len + 1, 1);
    memcpy(b->v[b->n].name, name, len + 1);
    b->v[b->n].len = len;
    b->v[b->n].inst = inst;
    b->n++;
}

/* The latest binding of name (later ones shadow earlier ones); found is false if none. */
static struct wasm_instance *lookup(const struct bindings *b, const char *name, size_t len,
                                    bool *found)
{
    for (size_t i = b->n; i-- > 0;) {
        if (b->v[i].len == len && (len == 0 || memcmp(b->v[i].name, name, len) == 0)) {
            *found = true;
            return b->v[i].inst;
        }
    }
    *found = false;
    return NULL;
}

static void free_bindings(struct bindings *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->v[i].name);
    free(b->v);
}

/* ---- the spectest host module ------------------------------------------------------------- */

static enum wasm_trap host_print(struct wasm_caller *caller, void *env, const union wasm_val *args,
                                 union wasm_val *results)
{
    (void)caller, (void)env, (void)args, (void)results;
    return WASM_TRAP_NONE;
}

static const uint8_t T_I32[] = {WASM_I32};
static const uint8_t T_I64[] = {WASM_I64};
static const uint8_t T_F32[] = {WASM_F32};
static const uint8_t T_F64[] = {WASM_F64};
static const uint8_t T_I32_F32[] = {WASM_I32, WASM_F32};
static const uint8_t T_F64_F64[] = {WASM_F64, WASM_F64};

static const struct {
    const char *name;
    uint32_t nparams;
    const uint8_t *params;
} host_funcs[] = {
    {"print", 0, NULL},
    {"print_i32", 1, T_I32},
    {"print_i64", 1, T_I64},
    {"print_f32", 1, T_F32},
    {"print_f64", 1, T_F64},
    {"print_i32_f32", 2, T_I32_F32},
    {"print_f64_f64", 2, T_F64_F64},
};

#define N_HOST_FUNCS (sizeof(host_funcs) / sizeof(host_funcs[0]))

static int add_host_globals(struct runner *r, size_t k)
{
    static const char *names[] = {"global_i32", "global_i64", "global_f32", "global_f64"};
    static const uint8_t types[] = {WASM_I32, WASM_I64, WASM_F32, WASM_F64};
    float f32 = 666.6f;
    double f64 = 666.6;
    union wasm_val v[4];

    memset(v, 0, sizeof(v));
    v[0].i32 = 666;
    v[1].i64 = 666;
    memcpy(&v[2].f32, &f32, sizeof(f32));
    memcpy(&v[3].f64, &f64, sizeof(f64));
    for (size_t i = 0; i < 4; i++, k++) {
        r->host[k].name = names[i];
        r->host[k].ext.kind = WASM_EXTERN_GLOBAL;
        r->host[k].ext.of.global = wasm_global_new(r->store, types[i], false, v[i]);
        if (!r->host[k].ext.of.global) return -ENOMEM;
    }
    return 0;
}

/* Creates the spectest module's objects in the runner's store. */
static int make_host(struct runner *r)
{
    struct wasm_functype ft = {0};
    size_t k = 0;

    for (; k < N_HOST_FUNCS; k++) {
        ft.nparams = host_funcs[k].nparams;
        ft.params = host_funcs[k].params;
        r->host[k].name = host_funcs[k].name;
        r->host[k].ext.kind = WASM_EXTERN_FUNC;
        r->host[k].ext.of.func = wasm_func_new_host(r->store, &ft, host_print, NULL);
        if (!r->host[k].ext.of.func) return -ENOMEM;
    }
    if (add_host_globals(r, k) < 0) return -ENOMEM;
    k += 4;
    r->host[k].name = "table";
    r->host[k].ext.kind = WASM_EXTERN_TABLE;
    r->host[k].ext.of.table =
        wasm_table_new(r->store, WASM_FUNCREF,
                       (struct wasm_limits_decl){.min = 10, .max = 20, .has_max = true}, NULL);
    k++;
    r->host[k].name = "memory";
    r->host[k].ext.kind = WASM_EXTERN_MEMORY;
    r->host[k].ext.of.memory =
        wasm_memory_new(r->store, (struct wasm_limits_decl){.min = 1, .max = 2, .has_max = true});
    if (!r->host[k - 1].ext.of.table || !r->host[k].ext.of.memory) return -ENOMEM;
    return 0;
}

/* ---- values ------------------------------------------------------------------------------- */

/* Parses a decimal integer of at most `bits` bits, written unsigned or (for lanes) signed. */
static int parse_int(const char *s, unsigned bits, uint64_t *out)
{
    char *end;
    uint64_t mask = bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;

    if (!s || !*s) return -EINVAL;
    errno = 0;
    if (s[0] == '-') {
        long long v = strtoll(s, &end, 10);
        *out = (uint64_t)v & mask;
    } else {
        unsigned long long v = strtoull(s, &end, 10);
        if (bits < 64 && v > mask) return -ERANGE;
        *out = (uint64_t)v;
    }
    if (errno || *end) return -EINVAL;
    return 0;
}

/* Parses a float bit pattern or a NaN class; *nan says which. */
static int parse_float(const char *s, unsigned bits, uint64_t *out, uint8_t *nan)
{
    *nan = NAN_NONE;
    *out = 0;
    if (s && strcmp(s, "nan:canonical") == 0) {
        *nan = NAN_CANONICAL;
        return 0;
    }
    if (s && strcmp(s, "nan:arithmetic") == 0) {
        *nan = NAN_ARITHMETIC;
        return 0;
    }
    return parse_int(s, bits, out);
}

static void store_lane(uint8_t *bytes, unsigned size, uint64_t v)
{
    for (unsigned i = 0; i < size; i++)
        bytes[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t load_lane(const uint8_t *bytes, unsigned size)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)bytes[i] << (8 * i);
    return v;
}

static int parse_lane_type(const char *lt, struct value *out)
{
    static const struct {
        const char *name;
        uint8_t size;
        bool fl;
    } lanes[] = {{"i8", 1, false},  {"i16", 2, false}, {"i32", 4, false},
                 {"i64", 8, false}, {"f32", 4, true},  {"f64", 8, true}};

    for (size_t i = 0; lt && i < sizeof(lanes) / sizeof(lanes[0]); i++) {
        if (strcmp(lt, lanes[i].name) == 0) {
            out->lane_size = lanes[i].size;
            out->lane_float = lanes[i].fl;
            return 0;
        }
    }
    return -EINVAL;
}

static int parse_v128(const json_t *jv, struct value *out)
{
    const json_t *lanes = json_object_get(jv, "value");
    unsigned n;
    uint64_t bits;

    if (parse_lane_type(jstr(jv, "lane_type"), out) < 0 || !json_is_array(lanes)) return -EINVAL;
    n = 16u / out->lane_size;
    if (json_array_size(lanes) != n) return -EINVAL;
    for (unsigned i = 0; i < n; i++) {
        const json_t *l = json_array_get(lanes, i);
        const char *s = json_is_string(l) ? json_string_value(l) : NULL;
        int rc = out->lane_float ? parse_float(s, out->lane_size * 8u, &bits, &out->nan[i])
                                 : parse_int(s, out->lane_size * 8u, &bits);
        if (rc < 0) return rc;
        store_lane(out->v.v128 + i * out->lane_size, out->lane_size, bits);
    }
    return 0;
}

/* A distinct, non-NULL host pointer standing for `ref.extern n`. */
static void *extern_ref(uint64_t n)
{
    return (void *)(uintptr_t)(n + 1);
}

static int parse_ref(const char *s, struct value *out)
{
    uint64_t n;

    if (!s) return -EINVAL;
    if (strcmp(s, "null") == 0) {
        out->v.ref = NULL;
        return 0;
    }
    if (out->type == WASM_FUNCREF) {
        out->nonnull = true; /* a ref.func result: any non-null function will do */
        return 0;
    }
    if (parse_int(s, 64, &n) < 0 || n == UINT64_MAX) return -EINVAL;
    out->v.ref = extern_ref(n);
    return 0;
}

static int parse_type(const char *t, uint8_t *out)
{
    static const struct {
        const char *name;
        uint8_t type;
    } types[] = {{"i32", WASM_I32},
                 {"i64", WASM_I64},
                 {"f32", WASM_F32},
                 {"f64", WASM_F64},
                 {"v128", WASM_V128},
                 {"funcref", WASM_FUNCREF},
                 {"externref", WASM_EXTERNREF}};

    for (size_t i = 0; t && i < sizeof(types) / sizeof(types[0]); i++) {
        if (strcmp(t, types[i].name) == 0) {
            *out = types[i].type;
            return 0;
        }
    }
    return -EINVAL;
}

/* Parses one {"type": ..., "value": ...} object of the JSON. */
static int parse_value(const json_t *jv, struct value *out)
{
    const char *s = jstr(jv, "value");
    uint64_t bits;
    int rc;

    memset(out, 0, sizeof(*out));
    if (parse_type(jstr(jv, "type"), &out->type) < 0) return -EINVAL;
    switch (out->type) {
    case WASM_I32:
        rc = parse_int(s, 32, &bits);
        out->v.i32 = (uint32_t)bits;
        return rc;
    case WASM_I64: return parse_int(s, 64, &out->v.i64);
    case WASM_F32:
        rc = parse_float(s, 32, &bits, &out->nan[0]);
        out->v.f32 = (uint32_t)bits;
        return rc;
    case WASM_F64: return parse_float(s, 64, &out->v.f64, &out->nan[0]);
    case WASM_V128: return parse_v128(jv, out);
    default: return parse_ref(s, out);
    }
}

static const char *type_name(uint8_t t)
{
    switch (t) {
    case WASM_I32: return "i32";
    case WASM_I64: return "i64";
    case WASM_F32: return "f32";
    case WASM_F64: return "f64";
    case WASM_V128: return "v128";
    case WASM_FUNCREF: return "funcref";
    case WASM_EXTERNREF: return "externref";
    default: return "?";
    }
}

/* Formats a value for messages: type, then the bit pattern (lanes for v128). */
static void format_value(char *buf, size_t size, uint8_t type, const union wasm_val *v)
{
    switch (type) {
    case WASM_I32:
    case WASM_F32: snprintf(buf, size, "%s:0x%08" PRIx32, type_name(type), v->i32); break;
    case WASM_I64:
    case WASM_F64: snprintf(buf, size, "%s:0x%016" PRIx64, type_name(type), v->i64); break;
    case WASM_V128:
        snprintf(buf, size, "v128:0x%08" PRIx64 " 0x%08" PRIx64 " 0x%08" PRIx64 " 0x%08" PRIx64,
                 load_lane(v->v128, 4), load_lane(v->v128 + 4, 4), load_lane(v->v128 + 8, 4),
                 load_lane(v->v128 + 12, 4));
        break;
    case WASM_EXTERNREF:
        if (v->ref)
            snprintf(buf, size, "ref.extern %" PRIuPTR, (uintptr_t)v->ref - 1);
        else
            snprintf(buf, size, "ref.null extern");
        break;
    default:
        if (v->ref)
            snprintf(buf, size, "%s:%p", type_name(type), v->ref);
        else
            snprintf(buf, size, "ref.null %s", type == WASM_FUNCREF ? "func" : "?");
        break;
    }
}

static const char *nan_names[] = {"", "nan:canonical", "nan:arithmetic"};

/* An expected float-lane v128 lane by lane, NaN classes by name. */
static void format_lanes(char *buf, size_t size, const struct value *e)
{
    unsigned n = 16u / e->lane_size;
    size_t used = (size_t)snprintf(buf, size, "v128:%s", e->lane_size == 4 ? "f32x4" : "f64x2");

    for (unsigned i = 0; i < n && used < size; i++) {
        uint64_t bits = load_lane(e->v.v128 + i * e->lane_size, e->lane_size);
        if (e->nan[i])
            used += (size_t)snprintf(buf + used, size - used, " %s", nan_names[e->nan[i]]);
        else
            used += (size_t)snprintf(buf + used, size - used, " 0x%0*" PRIx64,
                                     (int)e->lane_size * 2, bits);
    }
}

static void format_expected(char *buf, size_t size, const struct value *e)
{
    if ((e->type == WASM_F32 || e->type == WASM_F64) && e->nan[0])
        snprintf(buf, size, "%s:%s", type_name(e->type), nan_names[e->nan[0]]);
    else if (e->type == WASM_V128 && e->lane_float)
        format_lanes(buf, size, e);
    else if (e->nonnull)
        snprintf(buf, size, "%s:non-null", type_name(e->type));
    else
        format_value(buf, size, e->type, &e->v);
}

/* Does float bit pattern `bits` (of width `size` bytes) satisfy NaN class `nan`? */
static bool nan_matches(uint64_t bits, unsigned size, uint8_t nan)
{
    uint64_t quiet = size == 4 ? UINT64_C(0x7fc00000) : UINT64_C(0x7ff8000000000000);
    uint64_t sign = size == 4 ? UINT64_C(0x80000000) : UINT64_C(0x8000000000000000);

    if (nan == NAN_CANONICAL) return (bits & ~sign) == quiet;
    return (bits & quiet) == quiet;
}

static bool v128_matches(const struct value *e, const union wasm_val *got)
{
    unsigned n = 16u / e->lane_size;

    for (unsigned i = 0; i < n; i++) {
        uint64_t g = load_lane(got->v128 + i * e->lane_size, e->lane_size);
        uint64_t x = load_lane(e->v.v128 + i * e->lane_size, e->lane_size);
        if (e->nan[i] ? !nan_matches(g, e->lane_size, e->nan[i]) : g != x) return false;
    }
    return true;
}

static bool value_matches(const struct value *e, uint8_t type, const union wasm_val *got)
{
    if (type != e->type) return false;
    switch (type) {
    case WASM_I32: return got->i32 == e->v.i32;
    case WASM_I64: return got->i64 == e->v.i64;
    case WASM_F32: return e->nan[0] ? nan_matches(got->f32, 4, e->nan[0]) : got->f32 == e->v.f32;
    case WASM_F64: return e->nan[0] ? nan_matches(got->f64, 8, e->nan[0]) : got->f64 == e->v.f64;
    case WASM_V128: return v128_matches(e, got);
    default: return e->nonnull ? got->ref != NULL : got->ref == e->v.ref;
    }
}

/* ---- modules and linking ------------------------------------------------------------------ */

enum inst_result {
    INST_OK,
    INST_NO_FILE,        /* the .wasm could not be read */
    INST_REJECTED,       /* wasm_module_new failed (malformed or invalid) */
    INST_UNKNOWN_IMPORT, /* no such registered module/export */
    INST_UNLINKABLE,     /* the engine refused the imports */
    INST_TRAPPED,        /* a segment or the start function trapped */
    INST_ERROR,          /* anything else (out of memory, ...) */
};

static void keep_module(struct runner *r, struct wasm_module *mod)
{
    if (r->nmods == r->capmods) {
        r->capmods = r->capmods ? r->capmods * 2 : 32;
        r->mods = xrealloc(r->mods, r->capmods, sizeof(*r->mods));
    }
    r->mods[r->nmods++] = mod;
}

/* Decodes DIR/filename; INST_OK and *out (kept by the runner), or why not in err. */
static enum inst_result load_module(struct runner *r, const char *filename,
                                    struct wasm_module **out, struct wasm_error *err)
{
    char path[4096];
    uint8_t *bytes = NULL;
    size_t size = 0;
    int rc;

    if (!filename || snprintf(path, sizeof(path), "%s/%s", r->dir, filename) >= (int)sizeof(path))
        return INST_NO_FILE;
    rc = read_file(path, &bytes, &size);
    if (rc < 0) {
        snprintf(err->msg, sizeof(err->msg), "cannot read %.120s: %.60s", filename, strerror(-rc));
        return INST_NO_FILE;
    }
    rc = wasm_module_new(bytes, size, out, err);
    free(bytes);
    if (rc < 0) return INST_REJECTED;
    keep_module(r, *out);
    return INST_OK;
}

static int resolve_spectest(struct runner *r, const struct wasm_extern_desc *d,
                            struct wasm_extern *out)
{
    for (size_t i = 0; i < N_HOST_EXPORTS; i++) {
        if (strlen(r->host[i].name) == d->name_len &&
            memcmp(r->host[i].name, d->name, d->name_len) == 0) {
            *out = r->host[i].ext;
            return 0;
        }
    }
    return -ENOENT;
}

/* Finds the object satisfying one import; -ENOENT if nothing by that name exists. */
static int resolve_import(struct runner *r, const struct wasm_extern_desc *d,
                          struct wasm_extern *out)
{
    bool found;
    struct wasm_instance *inst = lookup(&r->regs, d->module, d->module_len, &found);

    if (found) {
        if (!inst) return -ENOENT;
        return wasm_instance_export(inst, d->name, d->name_len, out);
    }
    if (d->module_len == 8 && memcmp(d->module, "spectest", 8) == 0)
        return resolve_spectest(r, d, out);
    return -ENOENT;
}

static enum inst_result link_and_instantiate(struct runner *r, const struct wasm_module *mod,
                                             struct wasm_instance **out, struct wasm_error *err)
{
    uint32_t n = wasm_module_import_count(mod);
    struct wasm_extern *imports = xrealloc(NULL, n ? n : 1, sizeof(*imports));
    struct wasm_extern_desc d;
    enum inst_result res = INST_OK;
    int rc;

    for (uint32_t i = 0; i < n; i++) {
        wasm_module_import(mod, i, &d);
        if (resolve_import(r, &d, &imports[i]) < 0) {
            snprintf(err->msg, sizeof(err->msg), "unknown import \"%.*s\" \"%.*s\"",
                     (int)d.module_len, d.module, (int)d.name_len, d.name);
            res = INST_UNKNOWN_IMPORT;
            goto out;
        }
    }
    rc = wasm_instance_new(r->store, mod, imports, n, out, err);
    if (rc == 0)
        res = INST_OK;
    else if (err->code > 0)
        res = INST_TRAPPED;
    else
        res = rc == -EINVAL ? INST_UNLINKABLE : INST_ERROR;
out:
    free(imports);
    return res;
}

/* Loads and instantiates a module file: the whole "module" pipeline. */
static enum inst_result instantiate_file(struct runner *r, const char *filename,
                                         struct wasm_instance **out, struct wasm_error *err)
{
    struct wasm_module *mod = NULL;
    enum inst_result res;

    memset(err, 0, sizeof(*err));
    *out = NULL;
    res = load_module(r, filename, &mod, err);
    if (res != INST_OK) return res;
    return link_and_instantiate(r, mod, out, err);
}

static const char *inst_result_str(enum inst_result res)
{
    static const char *names[] = {"instantiated",   "missing file", "rejected by decoder",
                                  "unknown import", "unlinkable",   "trapped",
                                  "error"};
    return names[res];
}

/* ---- actions ------------------------------------------------------------------------------ */

/* The instance an action or register names ("module": "$M"), or the current one. */
static struct wasm_instance *target_instance(struct runner *r, const char *name, char *why,
                                             size_t why_size)
{
    bool found;
    struct wasm_instance *inst;

    if (!name) {
        if (!r->current) snprintf(why, why_size, "no current module");
        return r->current;
    }
    inst = lookup(&r->names, name, strlen(name), &found);
    if (!inst) snprintf(why, why_size, "module %s %s", name, found ? "failed" : "unknown");
    return inst;
}

static int find_export(struct runner *r, const json_t *action, enum wasm_extern_kind kind,
                       struct wasm_extern *ext, struct outcome *o)
{
    const json_t *field = json_object_get(action, "field");
    struct wasm_instance *inst =
        target_instance(r, jstr(action, "module"), o->err.msg, sizeof(o->err.msg));

    if (!inst) return -ENOENT;
    if (!json_is_string(field)) {
        snprintf(o->err.msg, sizeof(o->err.msg), "action without a field");
        return -EINVAL;
    }
    if (wasm_instance_export(inst, json_string_value(field), json_string_length(field), ext) < 0 ||
        ext->kind != kind) {
        snprintf(o->err.msg, sizeof(o->err.msg), "no %s export \"%s\"",
                 kind == WASM_EXTERN_FUNC ? "function" : "global", json_string_value(field));
        return -ENOENT;
    }
    return 0;
}

static int parse_args(const json_t *jargs, const struct wasm_functype *ft, union wasm_val *args,
                      struct outcome *o)
{
    struct value v;
    size_t n = json_is_array(jargs) ? json_array_size(jargs) : 0;

    if (n != ft->nparams || n > MAX_VALUES) {
        snprintf(o->err.msg, sizeof(o->err.msg), "%zu arguments for %" PRIu32 " parameters", n,
                 ft->nparams);
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        if (parse_value(json_array_get(jargs, i), &v) < 0 || v.type != ft->params[i]) {
            snprintf(o->err.msg, sizeof(o->err.msg), "bad argument %zu", i);
            return -EINVAL;
        }
        args[i] = v.v;
    }
    return 0;
}

static void invoke(struct runner *r, const json_t *action, struct outcome *o)
{
    struct wasm_extern ext;
    const struct wasm_functype *ft;
    union wasm_val args[MAX_VALUES];

    o->rc = find_export(r, action, WASM_EXTERN_FUNC, &ext, o);
    if (o->rc < 0) return;
    ft = wasm_func_type(ext.of.func);
    o->rc = parse_args(json_object_get(action, "args"), ft, args, o);
    if (o->rc < 0) return;
    if (ft->nresults > MAX_VALUES) {
        snprintf(o->err.msg, sizeof(o->err.msg), "too many results");
        o->rc = -E2BIG;
        return;
    }
    memset(o->vals, 0, sizeof(o->vals));
    o->rc =
        wasm_func_call(r->store, ext.of.func, args, ft->nparams, o->vals, ft->nresults, &o->err);
    if (o->rc < 0 && !o->err.msg[0])
        snprintf(o->err.msg, sizeof(o->err.msg), "call failed: %s", strerror(-o->rc));
    o->n = ft->nresults;
    if (ft->nresults) memcpy(o->types, ft->results, ft->nresults);
}

static void get_global(struct runner *r, const json_t *action, struct outcome *o)
{
    struct wasm_extern ext;

    o->rc = find_export(r, action, WASM_EXTERN_GLOBAL, &ext, o);
    if (o->rc < 0) return;
    o->n = 1;
    o->types[0] = wasm_global_type(ext.of.global);
    o->vals[0] = wasm_global_get(ext.of.global);
}

/* Runs the command's "action" and fills *o. */
static void run_action(struct runner *r, const json_t *cmd, struct outcome *o)
{
    const json_t *action = json_object_get(cmd, "action");
    const char *type = jstr(action, "type");

    memset(o, 0, sizeof(*o));
    if (type && strcmp(type, "invoke") == 0) {
        invoke(r, action, o);
    } else if (type && strcmp(type, "get") == 0) {
        get_global(r, action, o);
    } else {
        o->rc = -EINVAL;
        snprintf(o->err.msg, sizeof(o->err.msg), "unknown action type %s", type ? type : "?");
    }
}

/* ---- commands ----------------------------------------------------------------------------- */

static void cmd_module(struct runner *r, const json_t *cmd)
{
    struct wasm_error err;
    struct wasm_instance *inst;
    const char *name = jstr(cmd, "name");
    enum inst_result res = instantiate_file(r, jstr(cmd, "filename"), &inst, &err);

    r->current = inst;
    if (name) bind(&r->names, name, inst);
    if (res == INST_OK)
        pass(r);
    else
        fail(r, "module %s: %s: %s", jstr(cmd, "filename") ? jstr(cmd, "filename") : "?",
             inst_result_str(res), err.msg);
}

static void cmd_register(struct runner *r, const json_t *cmd)
{
    char why[200] = "";
    const char *as = jstr(cmd, "as");
    struct wasm_instance *inst = target_instance(r, jstr(cmd, "name"), why, sizeof(why));

    if (!as || !inst) {
        fail(r, "cannot register: %s", as ? why : "no \"as\" name");
        return;
    }
    bind(&r->regs, as, inst);
    pass(r);
}

static void cmd_action(struct runner *r, const json_t *cmd)
{
    struct outcome *o = xrealloc(NULL, 1, sizeof(*o));

    run_action(r, cmd, o);
    if (o->rc == 0)
        pass(r);
    else
        fail(r, "%s: %s", o->rc > 0 ? trap_name(o->rc) : "error", o->err.msg);
    free(o);
}

static void check_results(struct runner *r, const json_t *expected, const struct outcome *o)
{
    char want[160], got[160];
    struct value e;
    size_t n = json_is_array(expected) ? json_array_size(expected) : 0;

    if (n != o->n) {
        fail(r, "expected %zu results, got %" PRIu32, n, o->n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (parse_value(json_array_get(expected, i), &e) < 0) {
            fail(r, "cannot parse expected value %zu", i);
            return;
        }
        if (!value_matches(&e, o->types[i], &o->vals[i])) {
            format_expected(want, sizeof(want), &e);
            format_value(got, sizeof(got), o->types[i], &o->vals[i]);
            fail(r, "result %zu: expected %s, got %s", i, want, got);
            return;
        }
    }
    pass(r);
}

static void cmd_assert_return(struct runner *r, const json_t *cmd)
{
    struct outcome *o = xrealloc(NULL, 1, sizeof(*o));

    run_action(r, cmd, o);
    if (o->rc != 0)
        fail(r, "expected a return, got %s: %s", o->rc > 0 ? trap_name(o->rc) : "error",
             o->err.msg);
    else
        check_results(r, json_object_get(cmd, "expected"), o);
    free(o);
}

/* The trap kinds the spec's message names; prefix match ("uninitialized element 2"). */
static bool trap_matches(const char *text, int code)
{
    static const struct {
        const char *text;
        enum wasm_trap trap;
    } map[] = {
        {"unreachable", WASM_TRAP_UNREACHABLE},
        {"out of bounds memory access", WASM_TRAP_MEMORY_OOB},
        {"out of bounds table access", WASM_TRAP_TABLE_OOB},
        {"undefined element", WASM_TRAP_TABLE_OOB},
        {"uninitialized element", WASM_TRAP_UNINITIALIZED},
        {"indirect call type mismatch", WASM_TRAP_INDIRECT_TYPE},
        {"integer divide by zero", WASM_TRAP_DIV_ZERO},
        {"integer overflow", WASM_TRAP_INT_OVERFLOW},
        {"invalid conversion to integer", WASM_TRAP_INVALID_CONV},
        {"call stack exhausted", WASM_TRAP_CALL_EXHAUSTED},
    };

    if (code <= 0) return false;
    for (size_t i = 0; text && i < sizeof(map) / sizeof(map[0]); i++) {
        if (strncmp(text, map[i].text, strlen(map[i].text)) == 0) return code == (int)map[i].trap;
    }
    return true; /* a message we do not know: any trap will do */
}

static void check_trap(struct runner *r, const char *text, const struct outcome *o)
{
    if (o->rc > 0 && trap_matches(text, o->rc))
        pass(r);
    else if (o->rc > 0)
        fail(r, "expected trap \"%s\", got trap \"%s\" (%s)", text ? text : "?", trap_name(o->rc),
             o->err.msg);
    else if (o->rc == 0)
        fail(r, "expected trap \"%s\", got a return", text ? text : "?");
    else
        fail(r, "expected trap \"%s\", got error: %s", text ? text : "?", o->err.msg);
}

static void cmd_assert_uninstantiable(struct runner *r, const json_t *cmd)
{
    struct wasm_error err;
    struct wasm_instance *inst;
    const char *text = jstr(cmd, "text");
    enum inst_result res = instantiate_file(r, jstr(cmd, "filename"), &inst, &err);

    if (res == INST_TRAPPED && trap_matches(text, err.code))
        pass(r);
    else if (res == INST_TRAPPED)
        fail(r, "expected trap \"%s\", got trap \"%s\" (%s)", text ? text : "?",
             trap_name(err.code), err.msg);
    else
        fail(r, "expected trap \"%s\", module %s%s%s", text ? text : "?", inst_result_str(res),
             err.msg[0] ? ": " : "", err.msg);
}

static void cmd_assert_trap(struct runner *r, const json_t *cmd)
{
    struct outcome *o;

    if (!json_object_get(cmd, "action")) {
        cmd_assert_uninstantiable(r, cmd);
        return;
    }
    o = xrealloc(NULL, 1, sizeof(*o));
    run_action(r, cmd, o);
    check_trap(r, jstr(cmd, "text"), o);
    free(o);
}

static void cmd_assert_exhaustion(struct runner *r, const json_t *cmd)
{
    struct outcome *o = xrealloc(NULL, 1, sizeof(*o));

    run_action(r, cmd, o);
    if (o->rc == WASM_TRAP_CALL_EXHAUSTED)
        pass(r);
    else
        check_trap(r, "call stack exhausted", o);
    free(o);
}

/* assert_invalid and assert_malformed: the decoder must refuse a binary module. */
static void cmd_assert_rejected(struct runner *r, const json_t *cmd)
{
    struct wasm_error err;
    struct wasm_module *mod;
    const char *mt = jstr(cmd, "module_type");
    enum inst_result res;

    if (mt && strcmp(mt, "binary") != 0) {
        r->skipped++;
        return;
    }
    memset(&err, 0, sizeof(err));
    res = load_module(r, jstr(cmd, "filename"), &mod, &err);
    if (res == INST_REJECTED)
        pass(r);
    else if (res == INST_OK)
        fail(r, "expected \"%s\", but the module was accepted",
             jstr(cmd, "text") ? jstr(cmd, "text") : "?");
    else
        fail(r, "%s", err.msg);
}

static void cmd_assert_unlinkable(struct runner *r, const json_t *cmd)
{
    struct wasm_error err;
    struct wasm_instance *inst;
    enum inst_result res = instantiate_file(r, jstr(cmd, "filename"), &inst, &err);

    if (res == INST_UNKNOWN_IMPORT || res == INST_UNLINKABLE)
        pass(r);
    else
        fail(r, "expected \"%s\", module %s%s%s", jstr(cmd, "text") ? jstr(cmd, "text") : "?",
             inst_result_str(res), err.msg[0] ? ": " : "", err.msg);
}

static const struct {
    const char *type;
    void (*run)(struct runner *r, const json_t *cmd);
} commands[] = {
    {"module", cmd_module},
    {"register", cmd_register},
    {"action", cmd_action},
    {"assert_return", cmd_assert_return},
    {"assert_trap", cmd_assert_trap},
    {"assert_exhaustion", cmd_assert_exhaustion},
    {"assert_invalid", cmd_assert_rejected},
    {"assert_malformed", cmd_assert_rejected},
    {"assert_unlinkable", cmd_assert_unlinkable},
    {"assert_uninstantiable", cmd_assert_uninstantiable},
};

static void run_command(struct runner *r, const json_t *cmd)
{
    const json_t *line = json_object_get(cmd, "line");
    const char *type = jstr(cmd, "type");

    r->line = json_is_integer(line) ? (long)json_integer_value(line) : 0;
    r->cmd = type ? type : "?";
    for (size_t i = 0; type && i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(type, commands[i].type) == 0) {
            commands[i].run(r, cmd);
            return;
        }
    }
    fail(r, "unsupported command");
}

/* ---- main --------------------------------------------------------------------------------- */

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 1;
    char *d = xrealloc(NULL, n + 1, 1);

    memcpy(d, slash ? path : ".", n);
    d[n] = '\0';
    if (slash == path) strcpy(d, "/");
    return d;
}

static int run_script(struct runner *r, const char *path)
{
    json_error_t jerr = {0};
    json_t *root = json_load_file(path, JSON_ALLOW_NUL, &jerr);
    const json_t *cmds = json_object_get(root, "commands");
    int rc = 0;

    if (!json_is_array(cmds)) {
        fprintf(stderr, "%s:%d: not a wast2json script: %s\n", path, jerr.line, jerr.text);
        r->failed++;
        rc = -EINVAL;
        goto out;
    }
    r->source = jstr(root, "source_filename") ? jstr(root, "source_filename") : path;
    for (size_t i = 0; i < json_array_size(cmds); i++)
        run_command(r, json_array_get(cmds, i));
    r->source = path;
out:
    json_decref(root);
    return rc;
}

static void runner_free(struct runner *r)
{
    if (r->store) wasm_store_free(r->store);
    for (size_t i = 0; i < r->nmods; i++)
        wasm_module_free(r->mods[i]);
    free(r->mods);
    free_bindings(&r->names);
    free_bindings(&r->regs);
    free(r->dir);
}

int main(int argc, char **argv)
{
    struct runner r = {0};
    int argi = 1;

    /* Line-buffered, so that the failures before a crash of the engine reach a log file. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct wasm_limits lim = {0};
    for (; argi < argc && argv[argi][0] == '-'; argi++) {
        enum wasm_tier tier;
        if (strcmp(argv[argi], "-v") == 0) {
            r.verbose = true;
        } else if (strcmp(argv[argi], "--explicit-bounds") == 0) {
            /* what ENARX_WASM_BOUNDS=explicit used to do: the engine reads no environment */
            if (wasm_bounds_set(WASM_BOUNDS_EXPLICIT) != 0) return 2;
        } else if (strncmp(argv[argi], "--tier=", 7) == 0 &&
                   wasm_tier_parse(argv[argi] + 7, &tier) == 0) {
            lim.tier = tier;
        } else {
            argi = argc; /* unknown option: usage */
        }
    }
    if (argi + 1 != argc) {
        fprintf(stderr, "usage: %s [-v] [--explicit-bounds] [--tier=auto|interp|jit] FILE.json\n",
                argv[0]);
        return 2;
    }
    /* --tier=jit asks for machine code: a build or host without it must not pass silently */
    if (lim.tier == WASM_TIER_JIT && !wasm_tier_available()) {
        fprintf(stderr, "spectest: --tier=jit: this engine has no machine-code tier\n");
        return 77;
    }
    r.source = argv[argi];
    r.dir = dir_of(argv[argi]);
    if (wasm_store_new(&lim, &r.store) < 0 || make_host(&r) < 0) {
        fprintf(stderr, "spectest: cannot create the store\n");
        r.failed++;
    } else {
        (void)run_script(&r, argv[argi]);
    }
    printf("%u passed, %u failed", r.passed, r.failed);
    if (r.skipped) printf(", %u skipped", r.skipped);
    putchar('\n');
    runner_free(&r);
    return r.failed ? 1 : 0;
}
