/* SPDX-License-Identifier: Apache-2.0 */
/*
 * compile.c - validates one function body and compiles it to slot code in the same pass.
 *
 * Validation is the spec's appendix algorithm: an operand stack of types and a control stack
 * of frames, with the "unreachable" flag making the stack polymorphic below a frame's height.
 * Each operand-stack entry additionally records where its value lives at run time:
 *   W_HOME  in its home slot (fixed by its stack position: locals, then operands upwards),
 *   W_LOCAL still in the slot of the local it was read from (local.get emits no code),
 *   W_CONST not in any slot: a constant folded into the consumer's immediate when possible.
 * Lazy entries are "materialised" (copied to their home) when a consumer needs a slot, before
 * the local they name is overwritten, at block boundaries and at branches, so that control
 * flow joins always see values in their home slots. lrefs[] counts W_LOCAL entries per local
 * so local.set only pays when the local is actually still referenced; the `clean` watermark
 * (all entries below it are W_HOME) keeps materialisation amortised O(1).
 *
 * Peepholes: a value-producing instruction immediately consumed by local.set/tee writes the
 * local directly (its dst is patched); an i32 comparison immediately consumed by br_if/if
 * becomes one fused compare-and-branch instruction.
 *
 * Code in unreachable positions is validated but not emitted (c->dead). Emission errors
 * (allocation, our code-size cap) are sticky in c->rc and checked once per instruction.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "code.h"
#include "runtime.h"

#define NONE UINT32_MAX
#define T_ANY 0xffu
#define T_UNKNOWN 0u

enum { W_HOME, W_LOCAL, W_CONST };
enum { K_FUNC, K_BLOCK, K_LOOP, K_IF, K_ELSE };
enum { N_NONE, N_UNOP, N_BINOP, N_NOPCONV, N_LOAD, N_STORE };

#define VT_I32 WASM_I32
#define VT_I64 WASM_I64
#define VT_F32 WASM_F32
#define VT_F64 WASM_F64
#define VT_B32 WASM_F32
#define VT_B64 WASM_F64

/* Numeric/memory instructions from opcodes.def, indexed by NUMIDX(code). */
struct numinfo {
    uint8_t kind, tin, tout, bytes;
    uint16_t iop;
};
#define NUMIDX(code) ((code) < 0x100 ? (code) : 0x100 + ((code)&0xff))
static const struct numinfo g_num[0x120] = {
#define WASM_UNOP(name, code, tin, tout, expr)                                                     \
    [NUMIDX(code)] = {N_UNOP, VT_##tin, VT_##tout, 0, WASM_IOP_##name},
#define WASM_BINOP(name, code, tin, tout, expr)                                                    \
    [NUMIDX(code)] = {N_BINOP, VT_##tin, VT_##tout, 0, WASM_IOP_##name##_rr},
#define WASM_NOP_CONV(name, code, tin, tout)                                                       \
    [NUMIDX(code)] = {N_NOPCONV, VT_##tin, VT_##tout, 0, 0},
#define WASM_LOAD(name, code, t, bytes, mtype)                                                     \
    [NUMIDX(code)] = {N_LOAD, WASM_I32, VT_##t, bytes, WASM_IOP_##name},
#define WASM_STORE(name, code, t, bytes, mtype)                                                    \
    [NUMIDX(code)] = {N_STORE, VT_##t, 0, bytes, WASM_IOP_##name},
#include "opcodes.def"
};

/* Fusable comparisons: their rr opcode and the first of their 4 fused variants. */
static const uint16_t g_cmp_rr[] = {
#define CMP_RR(n, op, t) WASM_IOP_##n##_rr,
    WASM_FUSED_CMPS(CMP_RR)
#undef CMP_RR
};
static const uint16_t g_cmp_fused[] = {
#define CMP_F(n, op, t) WASM_IOP_bt_##n##_rr,
    WASM_FUSED_CMPS(CMP_F)
#undef CMP_F
};
#define NCMPS (sizeof g_cmp_rr / sizeof g_cmp_rr[0])

/* SIMD instructions from simd.def, indexed by sub-opcode. */
enum {
    S_NONE,
    S_LOAD,
    S_LOAD_LANE,
    S_STORE,
    S_STORE_LANE,
    S_CONST,
    S_SHUFFLE,
    S_EXTRACT_I32,
    S_EXTRACT_I64,
    S_EXTRACT_F32,
    S_EXTRACT_F64,
    S_REPLACE_I32,
    S_REPLACE_I64,
    S_REPLACE_F32,
    S_REPLACE_F64,
    S_SPLAT_I32,
    S_SPLAT_I64,
    S_SPLAT_F32,
    S_SPLAT_F64,
    S_UNARY,
    S_BINARY,
    S_TERNARY,
    S_TEST,
    S_SHIFT
};
struct simdinfo {
    uint8_t shape, lanes, bytes;
    uint16_t iop;
};
#define SIMD_MAX_SUBOP 0x120u
static const struct simdinfo g_simd[SIMD_MAX_SUBOP] = {
#define SIMD_OP(name, subop, shape, lanes, bytes, fn)                                              \
    [subop] = {S_##shape, lanes, bytes, WASM_IOP_simd_##name},
#include "simd.def"
#undef SIMD_OP
};

struct opd {
    uint8_t type;
    uint8_t where;
    uint32_t home;
    uint32_t local;
    uint64_t k;
};

struct ctl {
    uint8_t kind;
    bool unreachable;
    bool dead_entry;
    uint32_t height;
    uint32_t nparams, nresults;
    const uint8_t *params, *results;
    uint32_t label_home;
    uint32_t loop_pc;
    uint32_t fix;
    uint32_t else_fix;
};

/* A branch condition: a slot, or a comparison fused into the branch. */
struct cond {
    bool fused, ri;
    uint16_t fop;
    uint32_t a, b;
    uint64_t k;
};

struct comp {
    struct wasm_module *mod;
    struct wasm_error *err;
    const void *const *labels;
    const uint8_t *p, *end;
    uint32_t func;
    bool guard;

    uint8_t *ltype;
    uint32_t *lslot, *lrefs;
    uint32_t nlocals, local_slots, param_slots;

    struct opd *st;
    uint32_t nst, capst, clean;
    struct ctl *cs;
    uint32_t ncs, capcs;

    union wasm_cell *code;
    uint32_t ncode, capcode, maxcode;
    union wasm_cell scratch[8];
    struct opd scratch_opd;
    uint32_t max_slot;
    uint32_t last_dst, last_start;
    uint16_t last_op;
    bool dead;
    int rc;
};

#define TRY(x)                                                                                     \
    do {                                                                                           \
        int rc_ = (x);                                                                             \
        if (rc_) return rc_;                                                                       \
    } while (0)

__attribute__((format(printf, 2, 3))) static int fail(struct comp *c, const char *fmt, ...)
{
    if (c->err && c->err->msg[0] == '\0') {
        char what[128];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        snprintf(c->err->msg, sizeof c->err->msg, "function %u at offset 0x%zx: %s", c->func,
                 (size_t)(c->p - c->mod->bytes), what);
        c->err->code = -EINVAL;
        c->err->func = c->func;
    }
    return -EINVAL;
}

static const char *tname(unsigned t)
{
    switch (t) {
    case WASM_I32: return "i32";
    case WASM_I64: return "i64";
    case WASM_F32: return "f32";
    case WASM_F64: return "f64";
    case WASM_V128: return "v128";
    case WASM_FUNCREF: return "funcref";
    case WASM_EXTERNREF: return "externref";
    default: return "any";
    }
}

static bool is_valtype(uint8_t t)
{
    return (t >= WASM_V128 && t <= WASM_I32) || t == WASM_FUNCREF || t == WASM_EXTERNREF;
}

static bool is_ref(uint8_t t)
{
    return t == WASM_FUNCREF || t == WASM_EXTERNREF;
}

static uint32_t tslots(uint8_t t)
{
    return t == WASM_V128 ? 2 : 1;
}

/* ---- reading immediates ---- */

static int rd_u32(struct comp *c, uint32_t *v)
{
    if (wasm_read_u32(&c->p, c->end, v)) return fail(c, "malformed or truncated u32 immediate");
    return 0;
}

static int rd_byte(struct comp *c, uint8_t *v)
{
    if (c->p >= c->end) return fail(c, "unexpected end of function body");
    *v = *c->p++;
    return 0;
}

static int rd_zero(struct comp *c)
{
    uint8_t b = 0;
    TRY(rd_byte(c, &b));
    if (b != 0) return fail(c, "zero byte expected (only memory 0 exists)");
    return 0;
}

/* ---- emission ---- */

static bool reserve(struct comp *c, uint32_t n)
{
    if (c->rc) return false;
    if ((uint64_t)c->ncode + n <= c->capcode) return true;
    if ((uint64_t)c->ncode + n > c->maxcode) {
        c->rc = -E2BIG;
        fail(c, "compiled code too large");
        if (c->err) c->err->code = -E2BIG;
        return false;
    }
    uint64_t cap = (uint64_t)c->capcode * 2 + n + 64;
    if (cap > c->maxcode) cap = c->maxcode;
    union wasm_cell *nc = realloc(c->code, (size_t)cap * sizeof *nc);
    if (!nc) {
        c->rc = -ENOMEM;
        return false;
    }
    c->code = nc;
    c->capcode = (uint32_t)cap;
    return true;
}

/* Appends instruction op with nimm immediate cells (zeroed) and returns its first cell.
 * In dead code or after an error, returns a scratch area (nimm < 8) that is discarded. */
static union wasm_cell *emit(struct comp *c, enum wasm_iop op, uint32_t nimm)
{
    c->last_dst = NONE;
    if (c->dead || !reserve(c, 1 + nimm)) return c->scratch;
    union wasm_cell *p = &c->code[c->ncode];
    memset(p, 0, (1 + nimm) * sizeof *p);
    p[0].op = c->labels[op];
    c->last_start = c->ncode;
    c->last_op = (uint16_t)op;
    c->ncode += 1 + nimm;
    return p;
}

/* Marks the instruction just emitted as producing a value into p[1].p.a. */
static void produced(struct comp *c)
{
    if (!c->dead && !c->rc) c->last_dst = c->last_start + 1;
}

/* Cell index of immediate i of the last instruction, or NONE in dead code. */
static uint32_t imm_at(struct comp *c, uint32_t i)
{
    return (c->dead || c->rc) ? NONE : c->last_start + i;
}

static void patch_here(struct comp *c, uint32_t cell)
{
    if (cell != NONE && !c->rc) c->code[cell].i64 = (int64_t)c->ncode - (int64_t)cell;
}

/* ---- operand stack ---- */

static uint32_t next_home(const struct comp *c)
{
    if (c->nst == 0) return c->local_slots;
    const struct opd *o = &c->st[c->nst - 1];
    return o->home + tslots(o->type);
}

static struct opd *push(struct comp *c, uint8_t type)
{
    if (c->nst == c->capst) {
        uint32_t cap = c->capst * 2 + 16;
        struct opd *ns = realloc(c->st, cap * sizeof *ns);
        if (!ns) {
            c->rc = -ENOMEM;
            return &c->scratch_opd;
        }
        c->st = ns;
        c->capst = cap;
    }
    struct opd *o = &c->st[c->nst];
    o->home = next_home(c);
    o->type = type;
    o->where = W_HOME;
    o->local = 0;
    o->k = 0;
    c->nst++;
    if (o->home + tslots(type) > c->max_slot) c->max_slot = o->home + tslots(type);
    return o;
}

static struct ctl *cur(struct comp *c)
{
    return &c->cs[c->ncs - 1];
}

static int pop(struct comp *c, uint8_t expect, struct opd *out)
{
    struct ctl *f = cur(c);
    if (c->nst == f->height) {
        if (!f->unreachable)
            return fail(c, "type mismatch: expected %s but nothing on the stack", tname(expect));
        memset(out, 0, sizeof *out);
        out->type = expect == T_ANY ? T_UNKNOWN : expect;
        out->where = W_HOME;
        out->home = next_home(c);
        return 0;
    }
    *out = c->st[--c->nst];
    if (c->clean > c->nst) c->clean = c->nst;
    if (out->where == W_LOCAL) c->lrefs[out->local]--;
    if (expect != T_ANY && out->type != expect && out->type != T_UNKNOWN)
        return fail(c, "type mismatch: expected %s, found %s", tname(expect), tname(out->type));
    if (out->type == T_UNKNOWN && expect != T_ANY) out->type = expect;
    return 0;
}

static uint32_t slot_of(const struct comp *c, const struct opd *o)
{
    return o->where == W_LOCAL ? c->lslot[o->local] : o->home;
}

/* Puts a popped or stacked value into its home slot (caller adjusts lrefs). */
static void mat_val(struct comp *c, struct opd *o)
{
    if (o->where == W_LOCAL) {
        union wasm_cell *p = emit(c, o->type == WASM_V128 ? WASM_IOP_copy2 : WASM_IOP_copy, 1);
        p[1].p.a = o->home;
        p[1].p.b = c->lslot[o->local];
    } else if (o->where == W_CONST) {
        union wasm_cell *p = emit(c, WASM_IOP_const64, 2);
        p[1].p.a = o->home;
        p[2].u64 = o->k;
    }
    o->where = W_HOME;
}

/* Puts a popped constant into its home slot; values in locals stay where they are. */
static void mat_const(struct comp *c, struct opd *o)
{
    if (o->where == W_CONST) mat_val(c, o);
}

static void mat_entry(struct comp *c, uint32_t i)
{
    struct opd *o = &c->st[i];
    if (o->where == W_LOCAL) c->lrefs[o->local]--;
    mat_val(c, o);
}

static void mat_all(struct comp *c)
{
    for (uint32_t i = c->clean; i < c->nst; i++)
        mat_entry(c, i);
    c->clean = c->nst;
}

static void mat_top(struct comp *c, uint32_t n)
{
    uint32_t lo = c->nst > n ? c->nst - n : 0;
    if (lo < cur(c)->height) lo = cur(c)->height;
    for (uint32_t i = lo; i < c->nst; i++)
        mat_entry(c, i);
}

/* Pops a value and returns the slot holding it (materialising a constant). */
static int pop_slot(struct comp *c, uint8_t type, uint32_t *slot)
{
    struct opd o;
    TRY(pop(c, type, &o));
    mat_const(c, &o);
    *slot = slot_of(c, &o);
    return 0;
}

static void set_unreachable(struct comp *c)
{
    struct ctl *f = cur(c);
    while (c->nst > f->height) {
        struct opd *o = &c->st[--c->nst];
        if (o->where == W_LOCAL) c->lrefs[o->local]--;
    }
    if (c->clean > c->nst) c->clean = c->nst;
    f->unreachable = true;
    c->dead = true;
    c->last_dst = NONE;
}

/* Checks the top n values against types (without popping); polymorphic below the frame. */
static int check_top(struct comp *c, const uint8_t *types, uint32_t n)
{
    struct ctl *f = cur(c);
    uint32_t avail = c->nst - f->height;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t want = types[n - 1 - i];
        if (i >= avail) {
            if (f->unreachable) return 0;
            return fail(c, "type mismatch: expected %s but nothing on the stack", tname(want));
        }
        uint8_t have = c->st[c->nst - 1 - i].type;
        if (have != want && have != T_UNKNOWN)
            return fail(c, "type mismatch: expected %s, found %s", tname(want), tname(have));
    }
    return 0;
}

/* Pops n values of the given types (last type on top). */
static int pop_types(struct comp *c, const uint8_t *types, uint32_t n)
{
    struct opd o;
    for (uint32_t i = n; i-- > 0;)
        TRY(pop(c, types[i], &o));
    return 0;
}

static void push_types(struct comp *c, const uint8_t *types, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        push(c, types[i]);
}

/* ---- control frames and branches ---- */

static const uint8_t *label_types(const struct ctl *f, uint32_t *n)
{
    if (f->kind == K_LOOP) {
        *n = f->nparams;
        return f->params;
    }
    *n = f->nresults;
    return f->results;
}

static int push_ctl(struct comp *c, uint8_t kind, uint32_t np, const uint8_t *pt, uint32_t nr,
                    const uint8_t *rt)
{
    if (c->ncs == c->capcs) {
        uint32_t cap = c->capcs * 2 + 8;
        struct ctl *n = realloc(c->cs, cap * sizeof *n);
        if (!n) return -ENOMEM;
        c->cs = n;
        c->capcs = cap;
    }
    struct ctl *f = &c->cs[c->ncs++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->dead_entry = c->dead;
    f->height = c->nst - np;
    f->nparams = np;
    f->params = pt;
    f->nresults = nr;
    f->results = rt;
    f->label_home = np ? c->st[f->height].home : next_home(c);
    f->loop_pc = c->ncode;
    f->fix = NONE;
    f->else_fix = NONE;
    return 0;
}

static int get_label(struct comp *c, struct ctl **f)
{
    uint32_t depth;
    TRY(rd_u32(c, &depth));
    if (depth >= c->ncs) return fail(c, "unknown label %u", depth);
    *f = &c->cs[c->ncs - 1 - depth];
    return 0;
}

/* Links the branch offset cell `cell` to label f. */
static void link_label(struct comp *c, struct ctl *f, uint32_t cell)
{
    if (cell == NONE || c->rc) return;
    if (f->kind == K_LOOP) {
        c->code[cell].i64 = (int64_t)f->loop_pc - (int64_t)cell;
    } else {
        c->code[cell].u64 = f->fix;
        f->fix = cell;
    }
}

static void bind_label(struct comp *c, struct ctl *f)
{
    uint32_t cell = f->fix;
    while (cell != NONE && !c->rc) {
        uint32_t next = (uint32_t)c->code[cell].u64;
        c->code[cell].i64 = (int64_t)c->ncode - (int64_t)cell;
        cell = next;
    }
    f->fix = NONE;
    c->last_dst = NONE;
}

/* Before a branch to the function label (whose homes overlap the locals), locals read
 * lazily must be copied out first so the result copies cannot clobber them. */
static void pre_branch(struct comp *c, const struct ctl *f)
{
    uint32_t n;
    label_types(f, &n);
    if (f->kind != K_FUNC || c->dead) return;
    uint32_t lo = c->nst > n ? c->nst - n : 0;
    for (uint32_t i = lo; i < c->nst; i++)
        if (c->st[i].where == W_LOCAL) mat_entry(c, i);
}

/* Copies (or tests whether to copy) the top label values to the label's homes. Copying in
 * ascending slot order is safe: sources never lie below their destinations. */
static bool label_copies(struct comp *c, const struct ctl *f, bool do_emit)
{
    uint32_t n;
    const uint8_t *t = label_types(f, &n);
    if (c->dead || c->nst < n) return false;
    uint32_t dest = f->label_home;
    bool any = false;
    for (uint32_t i = 0; i < n; i++) {
        struct opd *o = &c->st[c->nst - n + i];
        if (o->where != W_HOME || o->home != dest) {
            any = true;
            if (do_emit && o->where == W_CONST) {
                union wasm_cell *p = emit(c, WASM_IOP_const64, 2);
                p[1].p.a = dest;
                p[2].u64 = o->k;
            } else if (do_emit) {
                union wasm_cell *p = emit(c, t[i] == WASM_V128 ? WASM_IOP_copy2 : WASM_IOP_copy, 1);
                p[1].p.a = dest;
                p[1].p.b = slot_of(c, o);
            }
        }
        dest += tslots(t[i]);
    }
    return any;
}

/* Unconditional jump to f after the copies. */
static void emit_jump(struct comp *c, struct ctl *f)
{
    if (f->kind == K_FUNC) {
        emit(c, WASM_IOP_ret, 0);
        return;
    }
    emit(c, WASM_IOP_br, 1);
    link_label(c, f, imm_at(c, 1));
}

/* Emits a conditional jump taken when the condition is `when`; returns its offset cell. */
static uint32_t emit_cond_jump(struct comp *c, const struct cond *cd, bool when)
{
    union wasm_cell *p;
    if (cd->fused) {
        unsigned op = cd->fop + (cd->ri ? 1u : 0u) + (when ? 0u : 2u);
        p = emit(c, (enum wasm_iop)op, 2);
        p[1].p.a = cd->a;
        p[1].p.b = cd->ri ? (uint32_t)cd->k : cd->b;
    } else {
        p = emit(c, when ? WASM_IOP_br_if : WASM_IOP_br_unless, 2);
        p[1].p.a = cd->a;
    }
    return imm_at(c, 2);
}

static int cmp_index(uint16_t op, bool *ri)
{
    for (uint32_t i = 0; i < NCMPS; i++) {
        if (op == g_cmp_rr[i] || op == g_cmp_rr[i] + 1) {
            *ri = op != g_cmp_rr[i];
            return (int)i;
        }
    }
    return -1;
}

/* Pops an i32 condition; fuses it with the comparison that just produced it if possible. */
static int get_cond(struct comp *c, struct cond *cd)
{
    struct opd v;
    TRY(pop(c, WASM_I32, &v));
    memset(cd, 0, sizeof *cd);
    if (!c->dead && !c->rc && v.where == W_HOME && c->last_dst != NONE &&
        c->code[c->last_dst].p.a == v.home) {
        const union wasm_cell *p = &c->code[c->last_start];
        bool ri = false;
        int ci = c->last_op == WASM_IOP_i32_eqz ? 0 : cmp_index(c->last_op, &ri);
        if (ci >= 0) {
            cd->fused = true;
            cd->fop = g_cmp_fused[ci];
            cd->a = p[1].p.b;
            bool eqz = c->last_op == WASM_IOP_i32_eqz;
            cd->ri = ri || eqz;
            /* i32.eqz has no second operand cell: p[2] may lie past the code (compare to 0) */
            cd->k = eqz ? 0 : p[2].u64;
            cd->b = eqz ? 0 : p[2].p.a;
            c->ncode = c->last_start;
            c->last_dst = NONE;
            return 0;
        }
    }
    mat_const(c, &v);
    cd->a = slot_of(c, &v);
    return 0;
}

static int read_blocktype(struct comp *c, uint32_t *np, const uint8_t **pt, uint32_t *nr,
                          const uint8_t **rt)
{
    if (c->p >= c->end) return fail(c, "unexpected end of function body");
    uint8_t b = *c->p;
    *np = *nr = 0;
    *pt = *rt = NULL;
    if (b == 0x40) {
        c->p++;
        return 0;
    }
    if (is_valtype(b)) {
        *nr = 1;
        *rt = c->p++; /* the valtype byte itself, inside the module's bytes */
        return 0;
    }
    int64_t x;
    if (wasm_read_s33(&c->p, c->end, &x)) return fail(c, "malformed block type");
    if (x < 0 || (uint64_t)x >= c->mod->ntypes) return fail(c, "unknown type %lld", (long long)x);
    const struct wasm_functype *ft = &c->mod->types[x];
    *np = ft->nparams;
    *pt = ft->params;
    *nr = ft->nresults;
    *rt = ft->results;
    return 0;
}

static int op_block(struct comp *c, uint8_t kind)
{
    uint32_t np, nr;
    const uint8_t *pt, *rt;
    struct cond cd;
    TRY(read_blocktype(c, &np, &pt, &nr, &rt));
    if (kind == K_IF) TRY(get_cond(c, &cd));
    mat_all(c);
    TRY(pop_types(c, pt, np));
    push_types(c, pt, np);
    TRY(push_ctl(c, kind, np, pt, nr, rt));
    c->last_dst = NONE;
    if (kind == K_IF) cur(c)->else_fix = emit_cond_jump(c, &cd, false);
    return 0;
}

/* Checks that the frame's results are exactly on the stack and puts them in their homes. */
static int frame_results(struct comp *c, struct ctl *f)
{
    TRY(check_top(c, f->results, f->nresults));
    if (c->nst - f->height > f->nresults)
        return fail(c, "type mismatch: values remaining on the stack at the end of a block");
    if (c->nst - f->height < f->nresults && !f->unreachable)
        return fail(c, "type mismatch: missing values at the end of a block");
    mat_top(c, f->nresults);
    return 0;
}

static void reset_to(struct comp *c, uint32_t height)
{
    while (c->nst > height) {
        struct opd *o = &c->st[--c->nst];
        if (o->where == W_LOCAL) c->lrefs[o->local]--;
    }
    if (c->clean > c->nst) c->clean = c->nst;
}

static int op_else(struct comp *c)
{
    struct ctl *f = cur(c);
    if (f->kind != K_IF) return fail(c, "else without a matching if");
    TRY(frame_results(c, f));
    emit_jump(c, f);
    c->dead = f->dead_entry;
    patch_here(c, f->else_fix);
    f->else_fix = NONE;
    reset_to(c, f->height);
    push_types(c, f->params, f->nparams);
    f->kind = K_ELSE;
    f->unreachable = false;
    c->last_dst = NONE;
    return 0;
}

/* Before an unconditional branch: if the single label value was just produced by the last
 * instruction, make that instruction write the label's home directly. */
static void retarget_top(struct comp *c, const struct ctl *f)
{
    uint32_t n;
    label_types(f, &n);
    if (n != 1 || c->dead || c->rc || c->last_dst == NONE) return;
    struct opd *o = &c->st[c->nst - 1];
    if (o->where == W_HOME && c->code[c->last_dst].p.a == o->home) {
        c->code[c->last_dst].p.a = f->label_home;
        o->home = f->label_home; /* dropped right after the branch */
        c->last_dst = NONE;
    }
}

static int op_end(struct comp *c)
{
    struct ctl *f = cur(c);
    TRY(frame_results(c, f));
    if (f->kind == K_IF) {
        if (f->nparams != f->nresults ||
            (f->nparams && memcmp(f->params, f->results, f->nparams) != 0))
            return fail(c, "type mismatch: if without else must not change the stack types");
    }
    if (f->kind == K_FUNC) {
        retarget_top(c, f);
        label_copies(c, f, true);
        emit(c, WASM_IOP_ret, 0);
    }
    bool dead = f->dead_entry;
    uint32_t height = f->height, nr = f->nresults;
    const uint8_t *rt = f->results;
    reset_to(c, height);
    c->dead = dead;
    patch_here(c, f->else_fix);
    bind_label(c, f);
    c->ncs--;
    if (c->ncs) push_types(c, rt, nr);
    return 0;
}

static int op_br(struct comp *c, struct ctl *f)
{
    uint32_t n;
    const uint8_t *t = label_types(f, &n);
    TRY(check_top(c, t, n));
    pre_branch(c, f);
    retarget_top(c, f);
    label_copies(c, f, true);
    emit_jump(c, f);
    set_unreachable(c);
    return 0;
}

static int op_br_if(struct comp *c)
{
    struct ctl *f;
    struct cond cd;
    uint32_t n;
    TRY(get_label(c, &f));
    TRY(get_cond(c, &cd));
    const uint8_t *t = label_types(f, &n);
    TRY(check_top(c, t, n));
    if (cur(c)->unreachable) {
        /* the spec re-pushes the label types, making polymorphic values concrete */
        TRY(pop_types(c, t, n));
        push_types(c, t, n);
    }
    pre_branch(c, f);
    if (f->kind != K_FUNC && !label_copies(c, f, false)) {
        link_label(c, f, emit_cond_jump(c, &cd, true));
        return 0;
    }
    uint32_t skip = emit_cond_jump(c, &cd, false);
    label_copies(c, f, true);
    emit_jump(c, f);
    patch_here(c, skip);
    c->last_dst = NONE;
    return 0;
}

static int br_table_emit(struct comp *c, const uint32_t *depths, uint32_t count, uint32_t idx,
                         uint32_t arity)
{
    if (c->dead) return 0;
    mat_top(c, arity);
    uint32_t src = arity ? c->st[c->nst - arity].home : 0;
    if (!reserve(c, count + 3)) return 0;
    union wasm_cell *p = emit(c, WASM_IOP_br_table, count + 2);
    p[1].p.a = idx;
    p[1].p.b = count;
    uint32_t tbl = c->last_start + 2;
    uint32_t nstub = 0;
    for (uint32_t i = 0; i <= count; i++) {
        struct ctl *f = &c->cs[c->ncs - 1 - depths[i]];
        if (f->kind != K_FUNC && (arity == 0 || f->label_home == src))
            link_label(c, f, tbl + i);
        else
            nstub++;
    }
    for (uint32_t i = 0; i <= count && nstub; i++) {
        struct ctl *f = &c->cs[c->ncs - 1 - depths[i]];
        if (f->kind != K_FUNC && (arity == 0 || f->label_home == src)) continue;
        patch_here(c, tbl + i);
        label_copies(c, f, true);
        emit_jump(c, f);
    }
    return 0;
}

static int op_br_table(struct comp *c)
{
    uint32_t count, idx;
    TRY(rd_u32(c, &count));
    if (count > (size_t)(c->end - c->p)) return fail(c, "br_table: more targets than bytes");
    uint32_t *depths = malloc(((size_t)count + 1) * sizeof *depths);
    if (!depths) return -ENOMEM;
    int rc = 0;
    for (uint32_t i = 0; i <= count && !rc; i++) {
        rc = rd_u32(c, &depths[i]);
        if (!rc && depths[i] >= c->ncs) rc = fail(c, "unknown label %u", depths[i]);
    }
    if (!rc) rc = pop_slot(c, WASM_I32, &idx);
    uint32_t arity = 0;
    if (!rc) label_types(&c->cs[c->ncs - 1 - depths[count]], &arity);
    for (uint32_t i = 0; i <= count && !rc; i++) {
        uint32_t n;
        const struct ctl *f = &c->cs[c->ncs - 1 - depths[i]];
        const uint8_t *t = label_types(f, &n);
        if (n != arity)
            rc = fail(c, "type mismatch: br_table targets differ in arity");
        else
            rc = check_top(c, t, n);
    }
    if (!rc) rc = br_table_emit(c, depths, count, idx, arity);
    free(depths);
    if (!rc) set_unreachable(c);
    return rc;
}

/* ---- calls ---- */

/* Pops the arguments of ft into home slots; *fb is the callee's frame base. */
static int call_args(struct comp *c, const struct wasm_functype *ft, uint32_t *fb)
{
    TRY(check_top(c, ft->params, ft->nparams));
    mat_top(c, ft->nparams);
    TRY(pop_types(c, ft->params, ft->nparams));
    *fb = next_home(c);
    return 0;
}

static int op_call(struct comp *c)
{
    uint32_t idx, fb;
    TRY(rd_u32(c, &idx));
    if (idx >= c->mod->nfuncs) return fail(c, "unknown function %u", idx);
    const struct wasm_functype *ft = &c->mod->types[c->mod->funcs[idx].type];
    TRY(call_args(c, ft, &fb));
    if (c->mod->funcs[idx].imported) {
        union wasm_cell *p = emit(c, WASM_IOP_call_import, 1);
        p[1].p.a = idx;
        p[1].p.b = fb;
    } else {
        union wasm_cell *p = emit(c, WASM_IOP_call, 2);
        p[1].code = c->mod->funcs[idx].code;
        p[2].p.a = fb;
    }
    push_types(c, ft->results, ft->nresults);
    return 0;
}

static int op_call_indirect(struct comp *c)
{
    uint32_t tidx, tab, fb, slot;
    TRY(rd_u32(c, &tidx));
    TRY(rd_u32(c, &tab));
    if (tidx >= c->mod->ntypes) return fail(c, "unknown type %u", tidx);
    if (tab >= c->mod->ntables) return fail(c, "unknown table %u", tab);
    if (c->mod->tables[tab].elemtype != WASM_FUNCREF)
        return fail(c, "type mismatch: call_indirect on a table of externref");
    const struct wasm_functype *ft = &c->mod->types[tidx];
    TRY(pop_slot(c, WASM_I32, &slot));
    TRY(call_args(c, ft, &fb));
    union wasm_cell *p = emit(c, WASM_IOP_call_indirect, 2);
    p[1].p.a = tidx;
    p[1].p.b = tab;
    p[2].p.a = fb;
    p[2].p.b = slot;
    push_types(c, ft->results, ft->nresults);
    return 0;
}

/* ---- variables ---- */

static int get_local(struct comp *c, uint32_t *x)
{
    TRY(rd_u32(c, x));
    if (*x >= c->nlocals) return fail(c, "unknown local %u", *x);
    return 0;
}

static void push_local_ref(struct comp *c, uint32_t x)
{
    struct opd *o = push(c, c->ltype[x]);
    if (c->dead || c->rc) return;
    o->where = W_LOCAL;
    o->local = x;
    c->lrefs[x]++;
}

static void store_local(struct comp *c, uint32_t x, const struct opd *v)
{
    uint32_t dst = c->lslot[x];
    if (c->lrefs[x]) mat_all(c);
    if (c->dead) return;
    if (v->where == W_HOME && c->last_dst != NONE && !c->rc &&
        c->code[c->last_dst].p.a == v->home) {
        c->code[c->last_dst].p.a = dst;
        c->last_dst = NONE;
        return;
    }
    if (v->where == W_CONST) {
        union wasm_cell *p = emit(c, WASM_IOP_const64, 2);
        p[1].p.a = dst;
        p[2].u64 = v->k;
    } else if (slot_of(c, v) != dst) {
        union wasm_cell *p = emit(c, v->type == WASM_V128 ? WASM_IOP_copy2 : WASM_IOP_copy, 1);
        p[1].p.a = dst;
        p[1].p.b = slot_of(c, v);
    }
}

static int op_local(struct comp *c, uint8_t op)
{
    uint32_t x;
    struct opd v;
    TRY(get_local(c, &x));
    if (op == 0x20) {
        push_local_ref(c, x);
        return 0;
    }
    TRY(pop(c, c->ltype[x], &v));
    store_local(c, x, &v);
    if (op == 0x22) push_local_ref(c, x);
    return 0;
}

static int op_global(struct comp *c, uint8_t op)
{
    uint32_t g, slot;
    TRY(rd_u32(c, &g));
    if (g >= c->mod->nglobals) return fail(c, "unknown global %u", g);
    const struct wasm_global_decl *gd = &c->mod->globals[g];
    bool v128 = gd->type == WASM_V128;
    if (op == 0x23) {
        struct opd *r = push(c, gd->type);
        union wasm_cell *p = emit(c, v128 ? WASM_IOP_global_get2 : WASM_IOP_global_get, 1);
        p[1].p.a = r->home;
        p[1].p.b = g;
        produced(c);
        return 0;
    }
    if (!gd->mutable_) return fail(c, "global %u is immutable", g);
    TRY(pop_slot(c, gd->type, &slot));
    union wasm_cell *p = emit(c, v128 ? WASM_IOP_global_set2 : WASM_IOP_global_set, 1);
    p[1].p.a = slot;
    p[1].p.b = g;
    return 0;
}

static int op_select(struct comp *c, bool typed)
{
    uint32_t cond;
    struct opd a, b;
    uint8_t t = T_ANY;
    if (typed) {
        uint32_t n;
        TRY(rd_u32(c, &n));
        if (n != 1) return fail(c, "invalid result arity for select");
        TRY(rd_byte(c, &t));
        if (!is_valtype(t)) return fail(c, "malformed value type 0x%02x", t);
    }
    TRY(pop_slot(c, WASM_I32, &cond));
    TRY(pop(c, t, &b));
    TRY(pop(c, t, &a));
    if (!typed) {
        if (is_ref(a.type) || is_ref(b.type))
            return fail(c, "type mismatch: select without type on reference values");
        if (a.type != b.type && a.type != T_UNKNOWN && b.type != T_UNKNOWN)
            return fail(c, "type mismatch: select operands %s and %s", tname(a.type),
                        tname(b.type));
        t = a.type == T_UNKNOWN ? b.type : a.type;
    }
    mat_const(c, &a);
    mat_const(c, &b);
    struct opd *r = push(c, t);
    union wasm_cell *p = emit(c, t == WASM_V128 ? WASM_IOP_select2 : WASM_IOP_select, 2);
    p[1].p.a = r->home;
    p[1].p.b = cond;
    p[2].p.a = slot_of(c, &a);
    p[2].p.b = slot_of(c, &b);
    produced(c);
    return 0;
}

/* ---- numeric and memory ---- */

static int op_unop(struct comp *c, const struct numinfo *ni)
{
    uint32_t a;
    TRY(pop_slot(c, ni->tin, &a));
    struct opd *r = push(c, ni->tout);
    union wasm_cell *p = emit(c, (enum wasm_iop)ni->iop, 1);
    p[1].p.a = r->home;
    p[1].p.b = a;
    produced(c);
    return 0;
}

static int op_binop(struct comp *c, const struct numinfo *ni)
{
    struct opd a, b;
    TRY(pop(c, ni->tin, &b));
    TRY(pop(c, ni->tin, &a));
    mat_const(c, &a);
    struct opd *r = push(c, ni->tout);
    uint32_t dst = r->home;
    union wasm_cell *p;
    if (b.where == W_CONST) {
        p = emit(c, (enum wasm_iop)(ni->iop + 1), 2);
        p[2].u64 = b.k;
    } else {
        p = emit(c, (enum wasm_iop)ni->iop, 2);
        p[2].p.a = slot_of(c, &b);
    }
    p[1].p.a = dst;
    p[1].p.b = slot_of(c, &a);
    produced(c);
    return 0;
}

static int op_nopconv(struct comp *c, const struct numinfo *ni)
{
    struct opd a;
    TRY(pop(c, ni->tin, &a));
    uint32_t keep = c->last_dst;
    struct opd *r = push(c, ni->tout);
    if (c->dead || c->rc) return 0;
    r->where = a.where;
    r->local = a.local;
    r->k = a.k;
    if (a.where == W_LOCAL) c->lrefs[a.local]++;
    c->last_dst = keep;
    return 0;
}

static int memarg(struct comp *c, uint32_t bytes, uint32_t *offset)
{
    uint32_t align;
    TRY(rd_u32(c, &align));
    TRY(rd_u32(c, offset));
    if (c->mod->nmemories == 0) return fail(c, "unknown memory 0");
    if (align >= 32 || (1ull << align) > bytes)
        return fail(c, "alignment must not be larger than natural");
    return 0;
}

static int op_load(struct comp *c, const struct numinfo *ni)
{
    uint32_t off, a;
    TRY(memarg(c, ni->bytes, &off));
    TRY(pop_slot(c, WASM_I32, &a));
    struct opd *r = push(c, ni->tout);
    union wasm_cell *p = emit(c, (enum wasm_iop)(ni->iop + (c->guard ? 1 : 0)), 2);
    p[1].p.a = r->home;
    p[1].p.b = a;
    p[2].u64 = off;
    produced(c);
    return 0;
}

static int op_store(struct comp *c, const struct numinfo *ni)
{
    uint32_t off, a, v;
    TRY(memarg(c, ni->bytes, &off));
    TRY(pop_slot(c, ni->tin, &v));
    TRY(pop_slot(c, WASM_I32, &a));
    union wasm_cell *p = emit(c, (enum wasm_iop)(ni->iop + (c->guard ? 1 : 0)), 2);
    p[1].p.a = v;
    p[1].p.b = a;
    p[2].u64 = off;
    return 0;
}

static int op_const(struct comp *c, uint8_t op)
{
    struct opd *r;
    int32_t v32;
    int64_t v64;
    switch (op) {
    case 0x41:
        if (wasm_read_s32(&c->p, c->end, &v32)) return fail(c, "malformed i32.const");
        r = push(c, WASM_I32);
        r->k = (uint32_t)v32;
        break;
    case 0x42:
        if (wasm_read_s64(&c->p, c->end, &v64)) return fail(c, "malformed i64.const");
        r = push(c, WASM_I64);
        r->k = (uint64_t)v64;
        break;
    default: {
        uint32_t n = op == 0x43 ? 4 : 8;
        if ((size_t)(c->end - c->p) < n) return fail(c, "unexpected end of function body");
        uint64_t k = 0;
        memcpy(&k, c->p, n);
        c->p += n;
        r = push(c, op == 0x43 ? WASM_F32 : WASM_F64);
        r->k = k;
    }
    }
    r->where = W_CONST;
    return 0;
}

static int op_memsize_grow(struct comp *c, uint8_t op)
{
    uint32_t a = 0;
    TRY(rd_zero(c));
    if (c->mod->nmemories == 0) return fail(c, "unknown memory 0");
    if (op == 0x40) TRY(pop_slot(c, WASM_I32, &a));
    struct opd *r = push(c, WASM_I32);
    union wasm_cell *p = emit(c, op == 0x40 ? WASM_IOP_memory_grow : WASM_IOP_memory_size, 1);
    p[1].p.a = r->home;
    p[1].p.b = a;
    produced(c);
    return 0;
}

/* ---- references and tables ---- */

static int op_ref(struct comp *c, uint8_t op)
{
    uint8_t t = 0;
    uint32_t x;
    struct opd *r;
    union wasm_cell *p;
    struct opd v;
    switch (op) {
    case 0xd0:
        TRY(rd_byte(c, &t));
        if (!is_ref(t)) return fail(c, "malformed reference type 0x%02x", t);
        r = push(c, t);
        r->where = W_CONST;
        r->k = 0;
        return 0;
    case 0xd1:
        TRY(pop(c, T_ANY, &v));
        if (!is_ref(v.type) && v.type != T_UNKNOWN)
            return fail(c, "type mismatch: ref.is_null on %s", tname(v.type));
        mat_const(c, &v);
        r = push(c, WASM_I32);
        p = emit(c, WASM_IOP_ref_is_null, 1);
        p[1].p.a = r->home;
        p[1].p.b = slot_of(c, &v);
        produced(c);
        return 0;
    default:
        TRY(rd_u32(c, &x));
        if (x >= c->mod->nfuncs) return fail(c, "unknown function %u", x);
        if (!c->mod->func_declared || !c->mod->func_declared[x])
            return fail(c, "undeclared function reference %u", x);
        r = push(c, WASM_FUNCREF);
        p = emit(c, WASM_IOP_ref_func, 1);
        p[1].p.a = r->home;
        p[1].p.b = x;
        produced(c);
        return 0;
    }
}

static int get_table(struct comp *c, uint32_t *t)
{
    TRY(rd_u32(c, t));
    if (*t >= c->mod->ntables) return fail(c, "unknown table %u", *t);
    return 0;
}

static int op_table_getset(struct comp *c, uint8_t op)
{
    uint32_t t, i, v;
    TRY(get_table(c, &t));
    uint8_t et = c->mod->tables[t].elemtype;
    union wasm_cell *p;
    if (op == 0x25) {
        TRY(pop_slot(c, WASM_I32, &i));
        struct opd *r = push(c, et);
        p = emit(c, WASM_IOP_table_get, 2);
        p[1].p.a = r->home;
        p[1].p.b = i;
        p[2].p.a = t;
        produced(c);
        return 0;
    }
    TRY(pop_slot(c, et, &v));
    TRY(pop_slot(c, WASM_I32, &i));
    p = emit(c, WASM_IOP_table_set, 2);
    p[1].p.a = t;
    p[1].p.b = i;
    p[2].p.a = v;
    return 0;
}

static int get_elem(struct comp *c, uint32_t *e)
{
    TRY(rd_u32(c, e));
    if (*e >= c->mod->nelems) return fail(c, "unknown elem segment %u", *e);
    return 0;
}

static int get_data(struct comp *c, uint32_t *d)
{
    TRY(rd_u32(c, d));
    if (!c->mod->has_datacount) return fail(c, "data count section required");
    if (*d >= c->mod->datacount) return fail(c, "unknown data segment %u", *d);
    return 0;
}

/* Pops three i32 operands (d, s, n order on the stack). */
static int pop3(struct comp *c, uint8_t t0, uint32_t *s0, uint32_t *s1, uint32_t *s2)
{
    TRY(pop_slot(c, WASM_I32, s2));
    TRY(pop_slot(c, t0 == WASM_I32 ? WASM_I32 : t0, s1));
    TRY(pop_slot(c, WASM_I32, s0));
    return 0;
}

/* table.init elem table / table.copy dst src: [i32 i32 i32] -> [] */
static int op_table_init_copy(struct comp *c, uint32_t sub)
{
    uint32_t t, x, a, b, n;
    if (sub == 12) {
        TRY(get_elem(c, &x));
        TRY(get_table(c, &t));
        if (c->mod->elems[x].elemtype != c->mod->tables[t].elemtype)
            return fail(c, "type mismatch: table.init element type");
    } else {
        TRY(get_table(c, &t));
        TRY(get_table(c, &x));
        if (c->mod->tables[t].elemtype != c->mod->tables[x].elemtype)
            return fail(c, "type mismatch: table.copy between different element types");
    }
    TRY(pop3(c, WASM_I32, &a, &b, &n));
    union wasm_cell *p = emit(c, sub == 12 ? WASM_IOP_table_init : WASM_IOP_table_copy, 3);
    p[1].p.a = t;
    p[1].p.b = x;
    p[2].p.a = a;
    p[2].p.b = b;
    p[3].p.a = n;
    return 0;
}

static int op_table_misc(struct comp *c, uint32_t sub)
{
    uint32_t t, e, a, b, n;
    union wasm_cell *p;
    struct opd *r;
    if (sub == 12 || sub == 14) return op_table_init_copy(c, sub);
    if (sub == 13) {
        TRY(get_elem(c, &e));
        p = emit(c, WASM_IOP_elem_drop, 1);
        p[1].p.a = e;
        return 0;
    }
    TRY(get_table(c, &t));
    switch (sub) {
    case 15: /* table.grow: [ref i32] -> [i32] */
        TRY(pop_slot(c, WASM_I32, &n));
        TRY(pop_slot(c, c->mod->tables[t].elemtype, &a));
        r = push(c, WASM_I32);
        p = emit(c, WASM_IOP_table_grow, 2);
        p[1].p.a = r->home;
        p[1].p.b = t;
        p[2].p.a = n;
        p[2].p.b = a;
        produced(c);
        return 0;
    case 16:
        r = push(c, WASM_I32);
        p = emit(c, WASM_IOP_table_size, 1);
        p[1].p.a = r->home;
        p[1].p.b = t;
        produced(c);
        return 0;
    default: /* 17: table.fill: [i32 ref i32] -> [] */
        TRY(pop3(c, c->mod->tables[t].elemtype, &a, &b, &n));
        p = emit(c, WASM_IOP_table_fill, 2);
        p[1].p.a = t;
        p[1].p.b = a;
        p[2].p.a = b;
        p[2].p.b = n;
        return 0;
    }
}

static int op_mem_misc(struct comp *c, uint32_t sub)
{
    uint32_t d, a, b, n;
    union wasm_cell *p;
    if (sub == 9) {
        TRY(get_data(c, &d));
        p = emit(c, WASM_IOP_data_drop, 1);
        p[1].p.a = d;
        return 0;
    }
    if (sub == 8) TRY(get_data(c, &d));
    TRY(rd_zero(c));
    if (sub == 10) TRY(rd_zero(c));
    if (c->mod->nmemories == 0) return fail(c, "unknown memory 0");
    TRY(pop3(c, WASM_I32, &a, &b, &n));
    if (sub == 8) {
        p = emit(c, WASM_IOP_memory_init, 2);
        p[1].p.a = d;
        p[1].p.b = a;
        p[2].p.a = b;
        p[2].p.b = n;
        return 0;
    }
    p = emit(c, sub == 10 ? WASM_IOP_memory_copy : WASM_IOP_memory_fill, 2);
    p[1].p.a = a;
    p[1].p.b = b;
    p[2].p.a = n;
    return 0;
}

static int op_prefix_fc(struct comp *c)
{
    uint32_t sub;
    TRY(rd_u32(c, &sub));
    if (sub < 8) {
        const struct numinfo *ni = &g_num[0x100 + sub];
        return op_unop(c, ni);
    }
    if (sub <= 11) return op_mem_misc(c, sub);
    if (sub <= 17) return op_table_misc(c, sub);
    return fail(c, "illegal opcode 0xfc 0x%x", sub);
}

/* ---- SIMD ---- */

static int lane_imm(struct comp *c, const struct simdinfo *si, uint32_t *lane)
{
    uint8_t b = 0;
    TRY(rd_byte(c, &b));
    if (b >= si->lanes) return fail(c, "invalid lane index %u", b);
    *lane = b;
    return 0;
}

static int simd_mem(struct comp *c, const struct simdinfo *si)
{
    uint32_t off, a, v = 0, lane = 0;
    TRY(memarg(c, si->bytes, &off));
    bool has_lane = si->shape == S_LOAD_LANE || si->shape == S_STORE_LANE;
    if (has_lane) TRY(lane_imm(c, si, &lane));
    if (si->shape != S_LOAD) TRY(pop_slot(c, WASM_V128, &v));
    TRY(pop_slot(c, WASM_I32, &a));
    bool load = si->shape == S_LOAD || si->shape == S_LOAD_LANE;
    uint32_t dst = load ? push(c, WASM_V128)->home : v;
    union wasm_cell *p = emit(c, (enum wasm_iop)si->iop, has_lane ? 3 : 2);
    p[1].p.a = dst;
    p[1].p.b = a;
    p[2].u64 = off;
    if (has_lane) {
        p[3].p.a = v;
        p[3].p.b = lane;
    }
    if (load) produced(c);
    return 0;
}

static uint8_t simd_scalar(uint8_t shape)
{
    static const uint8_t t[4] = {WASM_I32, WASM_I64, WASM_F32, WASM_F64};
    if (shape >= S_EXTRACT_I32 && shape <= S_EXTRACT_F64) return t[shape - S_EXTRACT_I32];
    if (shape >= S_REPLACE_I32 && shape <= S_REPLACE_F64) return t[shape - S_REPLACE_I32];
    return t[shape - S_SPLAT_I32];
}

static int simd_const_shuffle(struct comp *c, const struct simdinfo *si)
{
    uint32_t a = 0, b = 0;
    if ((size_t)(c->end - c->p) < 16) return fail(c, "unexpected end of function body");
    uint64_t imm[2];
    memcpy(imm, c->p, 16);
    if (si->shape == S_SHUFFLE) {
        for (int i = 0; i < 16; i++)
            if (c->p[i] >= 32) return fail(c, "invalid lane index %u", c->p[i]);
    }
    c->p += 16;
    if (si->shape == S_SHUFFLE) {
        TRY(pop_slot(c, WASM_V128, &b));
        TRY(pop_slot(c, WASM_V128, &a));
    }
    struct opd *r = push(c, WASM_V128);
    bool shuf = si->shape == S_SHUFFLE;
    union wasm_cell *p = emit(c, shuf ? (enum wasm_iop)si->iop : WASM_IOP_const128, shuf ? 4 : 3);
    p[1].p.a = r->home;
    p[1].p.b = a;
    p[2].p.a = b;
    p[shuf ? 3 : 2].u64 = imm[0];
    p[shuf ? 4 : 3].u64 = imm[1];
    produced(c);
    return 0;
}

static int simd_value(struct comp *c, const struct simdinfo *si)
{
    uint32_t a = 0, b = 0, x = 0, lane = 0;
    uint8_t out = WASM_V128, sh = si->shape;
    if (sh >= S_EXTRACT_I32 && sh <= S_REPLACE_F64) TRY(lane_imm(c, si, &lane));
    if (sh >= S_EXTRACT_I32 && sh <= S_EXTRACT_F64) {
        TRY(pop_slot(c, WASM_V128, &a));
        out = simd_scalar(sh);
    } else if (sh >= S_REPLACE_I32 && sh <= S_REPLACE_F64) {
        TRY(pop_slot(c, simd_scalar(sh), &x));
        TRY(pop_slot(c, WASM_V128, &a));
    } else if (sh >= S_SPLAT_I32 && sh <= S_SPLAT_F64) {
        TRY(pop_slot(c, simd_scalar(sh), &a));
    } else if (sh == S_UNARY || sh == S_TEST) {
        TRY(pop_slot(c, WASM_V128, &a));
        out = sh == S_TEST ? WASM_I32 : WASM_V128;
    } else if (sh == S_BINARY || sh == S_SHIFT) {
        TRY(pop_slot(c, sh == S_SHIFT ? WASM_I32 : WASM_V128, &b));
        TRY(pop_slot(c, WASM_V128, &a));
    } else { /* TERNARY */
        TRY(pop_slot(c, WASM_V128, &x));
        TRY(pop_slot(c, WASM_V128, &b));
        TRY(pop_slot(c, WASM_V128, &a));
    }
    struct opd *r = push(c, out);
    bool one = sh == S_UNARY || sh == S_TEST || (sh >= S_SPLAT_I32 && sh <= S_SPLAT_F64);
    union wasm_cell *p = emit(c, (enum wasm_iop)si->iop, one ? 1 : 2);
    p[1].p.a = r->home;
    p[1].p.b = a;
    if (one) {
        /* [dst, a] only */
    } else if (sh >= S_REPLACE_I32 && sh <= S_REPLACE_F64) {
        p[2].p.a = x;
        p[2].p.b = lane;
    } else if (sh == S_TERNARY) {
        p[2].p.a = b;
        p[2].p.b = x;
    } else {
        p[2].p.a = sh >= S_EXTRACT_I32 && sh <= S_EXTRACT_F64 ? lane : b;
    }
    produced(c);
    return 0;
}

static int op_prefix_fd(struct comp *c)
{
    uint32_t sub;
    TRY(rd_u32(c, &sub));
    if (sub >= SIMD_MAX_SUBOP || g_simd[sub].shape == S_NONE)
        return fail(c, "illegal opcode 0xfd 0x%x", sub);
    const struct simdinfo *si = &g_simd[sub];
    switch (si->shape) {
    case S_LOAD:
    case S_LOAD_LANE:
    case S_STORE:
    case S_STORE_LANE: return simd_mem(c, si);
    case S_CONST:
    case S_SHUFFLE: return simd_const_shuffle(c, si);
    default: return simd_value(c, si);
    }
}

/* ---- the instruction loop ---- */

static int op_numeric(struct comp *c, uint8_t op)
{
    const struct numinfo *ni = &g_num[op];
    switch (ni->kind) {
    case N_UNOP: return op_unop(c, ni);
    case N_BINOP: return op_binop(c, ni);
    case N_NOPCONV: return op_nopconv(c, ni);
    case N_LOAD: return op_load(c, ni);
    case N_STORE: return op_store(c, ni);
    default: return fail(c, "illegal opcode 0x%02x", op);
    }
}

static int instr(struct comp *c)
{
    uint8_t op = *c->p++;
    struct ctl *f;
    struct opd v;
    switch (op) {
    case 0x00:
        emit(c, WASM_IOP_unreachable, 0);
        set_unreachable(c);
        return 0;
    case 0x01: return 0;
    case 0x02: return op_block(c, K_BLOCK);
    case 0x03: return op_block(c, K_LOOP);
    case 0x04: return op_block(c, K_IF);
    case 0x05: return op_else(c);
    case 0x0b: return op_end(c);
    case 0x0c: TRY(get_label(c, &f)); return op_br(c, f);
    case 0x0d: return op_br_if(c);
    case 0x0e: return op_br_table(c);
    case 0x0f: return op_br(c, &c->cs[0]);
    case 0x10: return op_call(c);
    case 0x11: return op_call_indirect(c);
    case 0x1a: c->last_dst = NONE; return pop(c, T_ANY, &v);
    case 0x1b: return op_select(c, false);
    case 0x1c: return op_select(c, true);
    case 0x20:
    case 0x21:
    case 0x22: return op_local(c, op);
    case 0x23:
    case 0x24: return op_global(c, op);
    case 0x25:
    case 0x26: return op_table_getset(c, op);
    case 0x3f:
    case 0x40: return op_memsize_grow(c, op);
    case 0x41:
    case 0x42:
    case 0x43:
    case 0x44: return op_const(c, op);
    case 0xd0:
    case 0xd1:
    case 0xd2: return op_ref(c, op);
    case 0xfc: return op_prefix_fc(c);
    case 0xfd: return op_prefix_fd(c);
    default: return op_numeric(c, op);
    }
}

/* Reads the local declarations: two passes, counting before allocating. */
static int read_locals(struct comp *c, const struct wasm_functype *ft)
{
    const uint8_t *start = c->p;
    uint32_t ngroups, n;
    uint64_t total = ft->nparams;
    uint8_t t = 0;
    TRY(rd_u32(c, &ngroups));
    for (uint32_t i = 0; i < ngroups; i++) {
        TRY(rd_u32(c, &n));
        TRY(rd_byte(c, &t));
        if (!is_valtype(t)) return fail(c, "malformed value type 0x%02x", t);
        total += n;
        if (total > WASM_MAX_LOCALS) return fail(c, "too many locals");
    }
    c->nlocals = (uint32_t)total;
    c->ltype = malloc(total + 1);
    c->lslot = malloc((total + 1) * sizeof *c->lslot);
    c->lrefs = calloc(total + 1, sizeof *c->lrefs);
    if (!c->ltype || !c->lslot || !c->lrefs) return -ENOMEM;
    memcpy(c->ltype, ft->params, ft->nparams);
    c->p = start;
    TRY(rd_u32(c, &ngroups));
    for (uint32_t i = 0, k = ft->nparams; i < ngroups; i++) {
        TRY(rd_u32(c, &n));
        TRY(rd_byte(c, &t));
        memset(c->ltype + k, t, n);
        k += n;
    }
    uint32_t slot = 0;
    for (uint32_t i = 0; i < c->nlocals; i++) {
        if (i == ft->nparams) c->param_slots = slot;
        c->lslot[i] = slot;
        slot += tslots(c->ltype[i]);
    }
    if (c->nlocals == ft->nparams) c->param_slots = slot;
    c->local_slots = slot;
    return 0;
}

static int compile_body(struct comp *c, const struct wasm_functype *ft)
{
    TRY(read_locals(c, ft));
    c->max_slot = c->local_slots;
    TRY(push_ctl(c, K_FUNC, 0, NULL, ft->nresults, ft->results));
    cur(c)->label_home = 0; /* results go back to the start of the frame */
    while (c->ncs) {
        if (c->p >= c->end) return fail(c, "unexpected end of function body (missing end)");
        TRY(instr(c));
        if (c->rc) return c->rc;
    }
    if (c->p != c->end) return fail(c, "operators after the final end of the function");
    return 0;
}

static uint32_t result_slots(const struct wasm_functype *ft)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < ft->nresults; i++)
        n += tslots(ft->results[i]);
    return n;
}

int wasm_compile_func(struct wasm_module *mod, uint32_t func, const void *const *labels,
                      struct wasm_error *err)
{
    struct wasm_func_decl *fd = &mod->funcs[func];
    const struct wasm_functype *ft = &mod->types[fd->type];
    struct comp c = {0};
    c.mod = mod;
    c.err = err;
    c.labels = labels;
    c.p = fd->body;
    c.end = fd->body + fd->body_size;
    c.func = func;
    c.guard = wasm_guard_pages();
    c.last_dst = NONE;
    c.maxcode = fd->body_size > (UINT32_MAX - 4096) / 16 ? UINT32_MAX : fd->body_size * 16 + 4096;
    int rc = compile_body(&c, ft);
    if (!rc) {
        struct wasm_code *code = fd->code;
        code->cells = realloc(c.code, (size_t)c.ncode * sizeof *c.code);
        if (!code->cells) code->cells = c.code;
        c.code = NULL;
        code->ncells = c.ncode;
        code->func_index = func;
        code->type = fd->type;
        code->param_slots = c.param_slots;
        code->local_slots = c.local_slots;
        code->result_slots = result_slots(ft);
        code->frame_slots = c.max_slot;
        if (code->frame_slots < code->result_slots) code->frame_slots = code->result_slots;
    } else if (rc == -ENOMEM && err && err->msg[0] == '\0') {
        snprintf(err->msg, sizeof err->msg, "function %u: out of memory while compiling", func);
        err->code = -ENOMEM;
    }
    free(c.code);
    free(c.st);
    free(c.cs);
    free(c.ltype);
    free(c.lslot);
    free(c.lrefs);
    return rc;
}

void wasm_code_free(struct wasm_code *code)
{
    if (!code) return;
    free(code->cells);
    free(code);
}
