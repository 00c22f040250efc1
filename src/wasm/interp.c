/* SPDX-License-Identifier: Apache-2.0 */
/*
 * interp.c - executes compiled functions (code.h): a threaded-code slot machine.
 *
 * One C function, interp_run(), holds every handler as a label; instructions are the
 * handlers' addresses, so dispatch is `goto *ip->op` (GCC/clang labels as values). The same
 * function hands its label table to the compiler when called with labels_out set.
 *
 * State kept in C locals (registers, ideally): ip, fp (the current frame's slots), the
 * current code and instance, the instance's globals array and memory 0's base and size.
 * Memory base/size are reloaded after every call, return and memory.grow, because a callee
 * (or a host function) may grow or move memory.
 *
 * Calls never recurse in C: a wasm->wasm call pushes {return ip, fp, code, instance} on a
 * frame stack (a small array on the C stack, moved to the heap if it grows) and jumps. The
 * callee's frame starts at the caller's argument slots. Call depth (store->depth) and value
 * stack space (store->stack .. stack_end) are checked at every entry: running out is
 * WASM_TRAP_CALL_EXHAUSTED. Host functions are called with their arguments converted to
 * union wasm_val; one that re-enters wasm gets the stack above the caller's whole frame
 * (found through the g_wasm_exec chain).
 *
 * Traps jump to one exit path that fills the error; in guard-page mode an out-of-bounds
 * access faults and the fault handler (memory.c) siglongjmps to wasm_interp_call, which
 * reports it against the function recorded in the context. Either way store->depth is put
 * back, so the store stays usable.
 *
 * Fuel (store->lim.fuel != 0) is charged at function entry and on every taken branch; with
 * unbounded fuel the cost is one well-predicted test of a local.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "code.h"
#include "jit.h"
#include "runtime.h"
#include "simd.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "slots assume a little-endian host");
static_assert(sizeof(union wasm_slot) == 8 && sizeof(union wasm_cell) == 8, "8-byte cells");

struct frame {
    const union wasm_cell *ip;
    union wasm_slot *fp;
    const struct wasm_code *code;
    struct wasm_instance *inst;
};

/* A frame stack that outgrew its C-stack array; a list, because runs nest (compiled code
 * calling interpreted code) and a memory fault unwinds them all at once. */
struct heap_frames {
    struct heap_frames *prev;
    struct frame f[];
};

/* Our execution context; exec must stay first (the fault handler sees only it). */
struct interp_ctx {
    struct wasm_exec_ctx exec;
    union wasm_slot *sp_top;  /* while a host function runs: first free slot */
    struct wasm_jit_exec jx;  /* jx.code: the function executing now (for fault reports) */
    struct heap_frames *heap; /* innermost run's frame stack, once on the heap */
    uint32_t depth0;
    bool jit_on;   /* machine code may run (tier auto/jit, tier available, no fuel) */
    bool tier_jit; /* compile before running */
};

#define CTX_OF(x) ((struct interp_ctx *)(void *)((char *)(x)-offsetof(struct interp_ctx, jx)))

const char *wasm_trap_str(enum wasm_trap trap)
{
    switch (trap) {
    case WASM_TRAP_NONE: return "no trap";
    case WASM_TRAP_UNREACHABLE: return "unreachable";
    case WASM_TRAP_MEMORY_OOB: return "out of bounds memory access";
    case WASM_TRAP_TABLE_OOB: return "out of bounds table access";
    case WASM_TRAP_UNINITIALIZED: return "uninitialized element";
    case WASM_TRAP_INDIRECT_TYPE: return "indirect call type mismatch";
    case WASM_TRAP_DIV_ZERO: return "integer divide by zero";
    case WASM_TRAP_INT_OVERFLOW: return "integer overflow";
    case WASM_TRAP_INVALID_CONV: return "invalid conversion to integer";
    case WASM_TRAP_CALL_EXHAUSTED: return "call stack exhausted";
    case WASM_TRAP_FUEL: return "fuel exhausted";
    case WASM_TRAP_HOST: return "host function error";
    case WASM_TRAP_EXIT: return "exit";
    default: return "unknown trap";
    }
}

/* ---- numeric helpers used by opcodes.def expressions ---- */

static inline float wasm_fmin32(float a, float b)
{
    if (a != a || b != b) return a + b;
    if (a == b) return signbit(a) ? a : b;
    return a < b ? a : b;
}

static inline float wasm_fmax32(float a, float b)
{
    if (a != a || b != b) return a + b;
    if (a == b) return signbit(a) ? b : a;
    return a > b ? a : b;
}

static inline double wasm_fmin64(double a, double b)
{
    if (a != a || b != b) return a + b;
    if (a == b) return signbit(a) ? a : b;
    return a < b ? a : b;
}

static inline double wasm_fmax64(double a, double b)
{
    if (a != a || b != b) return a + b;
    if (a == b) return signbit(a) ? b : a;
    return a > b ? a : b;
}

#define QNAN(a, e) ((a) != (a) ? (a) + (a) : (e))
#define ROTL32(a, b) (((a) << ((b)&31)) | ((a) >> ((32 - ((b)&31)) & 31)))
#define ROTR32(a, b) (((a) >> ((b)&31)) | ((a) << ((32 - ((b)&31)) & 31)))
#define ROTL64(a, b) (((a) << ((b)&63)) | ((a) >> ((64 - ((b)&63)) & 63)))
#define ROTR64(a, b) (((a) >> ((b)&63)) | ((a) << ((64 - ((b)&63)) & 63)))

#define TRAP(t)                                                                                    \
    do {                                                                                           \
        trap = (t);                                                                                \
        goto trap_out;                                                                             \
    } while (0)

#define DIV_S32(a, b)                                                                              \
    ({                                                                                             \
        if ((b) == 0) TRAP(WASM_TRAP_DIV_ZERO);                                                    \
        if ((a) == 0x80000000u && (b) == 0xffffffffu) TRAP(WASM_TRAP_INT_OVERFLOW);                \
        (uint32_t)((int32_t)(a) / (int32_t)(b));                                                   \
    })
#define DIV_U32(a, b)                                                                              \
    ({                                                                                             \
        if ((b) == 0) TRAP(WASM_TRAP_DIV_ZERO);                                                    \
        (a) / (b);                                                                                 \
    })
#define REM_S32(a, b)                                                                              \
    ({                                                                                             \
        if ((b) == 0) TRAP(WASM_TRAP_DIV_ZERO);                                                    \
        (b) == 0xffffffffu ? 0u : (uint32_t)((int32_t)(a) % (int32_t)(b));                         \
    })
#define REM_U32(a, b)                                                                              \
    ({                                                                                             \
        if ((b) == 0) TRAP(WASM_TRAP_DIV_ZERO);                                                    \
        (a) % (b);                                                                                 \
    })
#define DIV_S64(a, b)                                                                              \
    ({                                                                                             \
        if ((b) == 0) TRAP(WASM_TRAP_DIV_ZERO);                                                    \
        if ((a) == 0x8000000000000000ull && (b) == ~0ull) TRAP(WASM_TRAP_INT_OVERFLOW);            \
        (uint64_t)((int64_t)(a) / (int64_t)(b));                                                   \
    })
#define DIV_U64 DIV_U32
#define REM_S64(a, b)                                                                              \
    ({                                                                                             \
        if ((b) == 0) TRAP(WASM_TRAP_DIV_ZERO);                                                    \
        (b) == ~0ull ? 0u : (uint64_t)((int64_t)(a) % (int64_t)(b));                               \
    })
#define REM_U64 REM_U32

/* Float -> int: the operand is widened to double (exact for f32), NaN and range checked. */
#define TRUNC_CHECK(d, lo_ok, hi)                                                                  \
    do {                                                                                           \
        if ((d) != (d)) TRAP(WASM_TRAP_INVALID_CONV);                                              \
        if (!(lo_ok) || !((d) < (hi))) TRAP(WASM_TRAP_INT_OVERFLOW);                               \
    } while (0)
#define TRUNC_S32(x)                                                                               \
    ({                                                                                             \
        double d_ = (x);                                                                           \
        TRUNC_CHECK(d_, d_ > -2147483649.0, 2147483648.0);                                         \
        (uint32_t)(int32_t) d_;                                                                    \
    })
#define TRUNC_U32(x)                                                                               \
    ({                                                                                             \
        double d_ = (x);                                                                           \
        TRUNC_CHECK(d_, d_ > -1.0, 4294967296.0);                                                  \
        (uint32_t) d_;                                                                             \
    })
#define TRUNC_S64(x)                                                                               \
    ({                                                                                             \
        double d_ = (x);                                                                           \
        TRUNC_CHECK(d_, d_ >= -9223372036854775808.0, 9223372036854775808.0);                      \
        (uint64_t)(int64_t) d_;                                                                    \
    })
#define TRUNC_U64(x)                                                                               \
    ({                                                                                             \
        double d_ = (x);                                                                           \
        TRUNC_CHECK(d_, d_ > -1.0, 18446744073709551616.0);                                        \
        (uint64_t) d_;                                                                             \
    })

static inline uint32_t sat_s32(double d)
{
    if (d != d) return 0;
    if (d <= -2147483648.0) return 0x80000000u;
    if (d >= 2147483647.0) return 0x7fffffffu;
    return (uint32_t)(int32_t)d;
}

static inline uint32_t sat_u32(double d)
{
    if (!(d > -1.0)) return 0;
    if (d >= 4294967295.0) return 0xffffffffu;
    return (uint32_t)d;
}

static inline uint64_t sat_s64(double d)
{
    if (d != d) return 0;
    if (d <= -9223372036854775808.0) return 0x8000000000000000ull;
    if (d >= 9223372036854775808.0) return 0x7fffffffffffffffull;
    return (uint64_t)(int64_t)d;
}

static inline uint64_t sat_u64(double d)
{
    if (!(d > -1.0)) return 0;
    if (d >= 18446744073709551616.0) return ~0ull;
    return (uint64_t)d;
}

#define SAT_S32(x) sat_s32(x)
#define SAT_U32(x) sat_u32(x)
#define SAT_S64(x) sat_s64(x)
#define SAT_U64(x) sat_u64(x)

/* Slot access by value type token (see opcodes.def). */
#define CT_I32 uint32_t
#define CT_I64 uint64_t
#define CT_F32 float
#define CT_F64 double
#define CT_B32 uint32_t
#define CT_B64 uint64_t
#define SL_I32 u32
#define SL_I64 u64
#define SL_F32 f32
#define SL_F64 f64
#define SL_B32 u32
#define SL_B64 u64
#define IMM_I32(c) ((c).u32)
#define IMM_I64(c) ((c).u64)
#define IMM_F32(c) ((c).f32)
#define IMM_F64(c) ((c).f64)
#define IMM_B32(c) ((c).u32)
#define IMM_B64(c) ((c).u64)

#define V_RD(i)                                                                                    \
    ({                                                                                             \
        wasm_v128 v_;                                                                              \
        memcpy(&v_, &fp[i], 16);                                                                   \
        v_;                                                                                        \
    })
#define V_WR(i, v)                                                                                 \
    do {                                                                                           \
        wasm_v128 t_ = (v);                                                                        \
        memcpy(&fp[i], &t_, 16);                                                                   \
    } while (0)

/* ---- helpers kept out of the dispatch loop ---- */

static int grow_frames(struct interp_ctx *ctx, struct frame **frames, uint32_t *cap, uint32_t max,
                       const struct frame *small)
{
    if (*cap > max) return -1;
    uint32_t ncap = *cap * 2 > max + 1 ? max + 1 : *cap * 2;
    struct heap_frames *nb = malloc(sizeof *nb + (size_t)ncap * sizeof nb->f[0]);
    if (!nb) return -1;
    memcpy(nb->f, *frames, (size_t)*cap * sizeof nb->f[0]);
    if (*frames == small) {
        nb->prev = ctx->heap;
    } else {
        struct heap_frames *old = ctx->heap; /* ours: the innermost run grows only its own */
        nb->prev = old->prev;
        free(old);
    }
    ctx->heap = nb;
    *frames = nb->f;
    *cap = ncap;
    return 0;
}

/* Frees the frame stacks of runs nested inside the one that saw mark as the list head. */
static void free_frames(struct interp_ctx *ctx, struct heap_frames *mark)
{
    while (ctx->heap != mark) {
        struct heap_frames *p = ctx->heap;
        ctx->heap = p->prev;
        free(p);
    }
}

static uintptr_t native_stack_limit(void);
static bool g_jit_used; /* some module has machine code: contexts need the native stack limit */

/* Tier auto: warms cc (a function of ci's module) by add; compiles the module when it is hot
 * (tier jit: at once). Returns cc's entry point once compiled, else NULL. */
static wasm_native_fn jit_warm(struct interp_ctx *ctx, const struct wasm_code *cc,
                               const struct wasm_instance *ci, uint32_t add)
{
    struct wasm_module *mod = (struct wasm_module *)ci->mod;
    if (__atomic_load_n(&mod->jit_state, __ATOMIC_ACQUIRE)) return NULL; /* tried already */
    if (!ctx->tier_jit) {
        struct wasm_code *w = (struct wasm_code *)cc; /* a counter: races only lose counts */
        uint32_t h = __atomic_load_n(&w->hot, __ATOMIC_RELAXED) + add;
        __atomic_store_n(&w->hot, h, __ATOMIC_RELAXED);
        if (h < WASM_JIT_HOT) return NULL;
    }
    if (wasm_jit_compile_module(mod) == 0) {
        __atomic_store_n(&g_jit_used, true, __ATOMIC_RELAXED);
        ctx->jx.native_limit = native_stack_limit();
    }
    return (wasm_native_fn)__atomic_load_n(&cc->native, __ATOMIC_ACQUIRE);
}

static inline wasm_native_fn native_of(const struct wasm_code *cc)
{
    return (wasm_native_fn)__atomic_load_n(&cc->native, __ATOMIC_ACQUIRE);
}

static uint32_t types_slots(const uint8_t *t, uint32_t n)
{
    uint32_t s = 0;
    for (uint32_t i = 0; i < n; i++)
        s += t[i] == WASM_V128 ? 2 : 1;
    return s;
}

static void slots_to_vals(const union wasm_slot *s, const uint8_t *t, uint32_t n, union wasm_val *v)
{
    for (uint32_t i = 0; i < n; i++) {
        memset(&v[i], 0, sizeof v[i]);
        memcpy(&v[i], s, t[i] == WASM_V128 ? 16 : 8);
        s += t[i] == WASM_V128 ? 2 : 1;
    }
}

static void vals_to_slots(const union wasm_val *v, const uint8_t *t, uint32_t n, union wasm_slot *s)
{
    for (uint32_t i = 0; i < n; i++) {
        if (t[i] == WASM_I32 || t[i] == WASM_F32)
            s->u64 = v[i].i32; /* zero the upper half: i32 slots are read as u32 only */
        else
            memcpy(s, &v[i], t[i] == WASM_V128 ? 16 : 8);
        s += t[i] == WASM_V128 ? 2 : 1;
    }
}

/* Calls host function f with arguments in slots args; results replace them. */
static enum wasm_trap host_call(struct interp_ctx *ctx, struct wasm_store *store,
                                struct wasm_instance *inst, struct wasm_func *f,
                                union wasm_slot *args, union wasm_slot *top, struct wasm_error *err)
{
    const struct wasm_functype *ft = &f->type;
    union wasm_val small[16], *v = small;
    uint32_t n = ft->nparams > ft->nresults ? ft->nparams : ft->nresults;
    if (n > 16 && !(v = calloc(n, sizeof *v))) return WASM_TRAP_CALL_EXHAUSTED;
    slots_to_vals(args, ft->params, ft->nparams, v);
    struct wasm_caller caller = {.store = store, .inst = inst};
    caller.msg[0] = '\0';
    union wasm_slot *saved = ctx->sp_top;
    ctx->sp_top = top;
    enum wasm_trap t = f->host(&caller, f->env, v, v);
    ctx->sp_top = saved;
    if (t == WASM_TRAP_NONE)
        vals_to_slots(v, ft->results, ft->nresults, args);
    else if (caller.msg[0] && err)
        snprintf(err->msg, sizeof err->msg, "%s", caller.msg);
    if (v != small) free(v);
    return t;
}

static bool elem_ref(const struct wasm_instance *inst, uint32_t e, uint32_t j, void **out)
{
    const struct wasm_elem *el = &inst->mod->elems[e];
    if (el->funcidx) {
        *out = inst->funcs[el->funcidx[j]];
        return true;
    }
    union wasm_val v;
    if (wasm_constexpr_eval(inst, &el->exprs[j], &v)) return false;
    *out = v.ref;
    return true;
}

/* table.init; returns a trap code. */
static enum wasm_trap table_init(struct wasm_instance *inst, uint32_t t, uint32_t e, uint32_t d,
                                 uint32_t s, uint32_t n)
{
    struct wasm_table *tab = inst->tables[t];
    uint32_t len = inst->elem_dropped[e] ? 0 : inst->mod->elems[e].count;
    if ((uint64_t)s + n > len || (uint64_t)d + n > tab->size) return WASM_TRAP_TABLE_OOB;
    for (uint32_t i = 0; i < n; i++)
        if (!elem_ref(inst, e, s + i, &tab->elems[d + i])) return WASM_TRAP_TABLE_OOB;
    return WASM_TRAP_NONE;
}

static enum wasm_trap memory_init(struct wasm_instance *inst, uint32_t seg, uint32_t d, uint32_t s,
                                  uint32_t n)
{
    const struct wasm_data *dd = &inst->mod->datas[seg];
    uint32_t len = inst->data_dropped[seg] ? 0 : dd->size;
    struct wasm_memory *mem = inst->mem0;
    if ((uint64_t)s + n > len || (uint64_t)d + n > mem->size) return WASM_TRAP_MEMORY_OOB;
    if (n) memcpy(mem->base + d, dd->bytes + s, n);
    return WASM_TRAP_NONE;
}

static void fill_trap(struct wasm_error *err, enum wasm_trap trap, const struct wasm_code *code)
{
    if (!err) return;
    err->code = (int)trap;
    err->func = code ? code->func_index : UINT32_MAX;
    if ((trap == WASM_TRAP_HOST || trap == WASM_TRAP_EXIT) && err->msg[0]) return;
    if (code)
        snprintf(err->msg, sizeof err->msg, "wasm trap: %s in function %u", wasm_trap_str(trap),
                 code->func_index);
    else
        snprintf(err->msg, sizeof err->msg, "wasm trap: %s", wasm_trap_str(trap));
}

#define NEXT() goto *(void *)ip->op
#define FUEL_TICK()                                                                                \
    do {                                                                                           \
        if (__builtin_expect(fuel_on, 0)) {                                                        \
            if (store->fuel == 0) TRAP(WASM_TRAP_FUEL);                                            \
            store->fuel--;                                                                         \
        }                                                                                          \
    } while (0)
/* Taken branches: one test of a local unless fuel or the machine-code tier is on. */
#define BRANCH(k)                                                                                  \
    do {                                                                                           \
        int64_t off_ = ip[k].i64;                                                                  \
        ip = &ip[k] + off_;                                                                        \
        if (__builtin_expect(slow_br, 0)) {                                                        \
            back = off_ < 0;                                                                       \
            goto branch_slow;                                                                      \
        }                                                                                          \
        NEXT();                                                                                    \
    } while (0)
#define LOAD_MEM()                                                                                 \
    do {                                                                                           \
        mem_base = mem ? mem->base : NULL;                                                         \
        mem_size = mem ? mem->size : 0;                                                            \
    } while (0)
#define EA(slot, off) ((uint64_t)fp[slot].u32 + (off))

/*
 * Runs func (a wasm function) with its frame at base. With labels_out set, only returns the
 * handler table. Returns 0 or a trap code (err filled).
 */
static int interp_run(struct interp_ctx *ctx, struct wasm_store *store, struct wasm_func *func,
                      union wasm_slot *base, struct wasm_error *err, const void *const **labels_out)
{
    static const void *const labels[WASM_IOP_COUNT_] = {
#define X(n) [WASM_IOP_##n] = &&L_##n,
        WASM_IOPS_FIXED(X)
#undef X
#define X(n, op, t)                                                                                \
    [WASM_IOP_bt_##n##_rr] = &&L_bt_##n##_rr, [WASM_IOP_bt_##n##_ri] = &&L_bt_##n##_ri,            \
    [WASM_IOP_bf_##n##_rr] = &&L_bf_##n##_rr, [WASM_IOP_bf_##n##_ri] = &&L_bf_##n##_ri,
            WASM_FUSED_CMPS(X)
#undef X
#define WASM_UNOP(name, code, tin, tout, expr) [WASM_IOP_##name] = &&L_##name,
#define WASM_BINOP(name, code, tin, tout, expr)                                                    \
    [WASM_IOP_##name##_rr] = &&L_##name##_rr, [WASM_IOP_##name##_ri] = &&L_##name##_ri,
#define WASM_LOAD(name, code, t, bytes, mtype)                                                     \
    [WASM_IOP_##name] = &&L_##name, [WASM_IOP_##name##_g] = &&L_##name##_g,
#define WASM_STORE(name, code, t, bytes, mtype)                                                    \
    [WASM_IOP_##name] = &&L_##name, [WASM_IOP_##name##_g] = &&L_##name##_g,
#include "opcodes.def"
#define SIMD_OP(name, subop, shape, lanes, bytes, fn) [WASM_IOP_simd_##name] = &&L_simd_##name,
#include "simd.def"
#undef SIMD_OP
    };
    if (labels_out) {
        *labels_out = labels;
        return 0;
    }

    const union wasm_cell halt = {.op = &&L_halt};
    struct frame small[64], *frames = small;
    uint32_t nframes = 0, capframes = 64;
    const uint32_t max_depth = store->lim.max_call_depth;
    uint32_t depth = store->depth; /* written back before host calls, which may re-enter */
    const uintptr_t stack_end = (uintptr_t)store->stack_end;
    const bool fuel_on = store->lim.fuel != 0;
    const bool jit_on = ctx->jit_on;
    const bool slow_br = fuel_on || jit_on;
    bool back = false;
    struct heap_frames *const heap_mark = ctx->heap;
    enum wasm_trap trap = WASM_TRAP_NONE;

    const union wasm_cell *ip = &halt;
    union wasm_slot *fp = base;
    const struct wasm_code *code = NULL;
    struct wasm_instance *inst = NULL;
    struct wasm_global **globals = NULL;
    struct wasm_memory *mem = NULL;
    uint8_t *mem_base = NULL;
    uint64_t mem_size = 0;

    /* call state */
    const struct wasm_code *cc = func->code;
    struct wasm_instance *ci = func->inst;
    union wasm_slot *nfp = base;
    struct wasm_func *f;

do_call:
    if (jit_on) {
        wasm_native_fn nf = native_of(cc);
        if (!nf) nf = jit_warm(ctx, cc, ci, WASM_JIT_HOT_CALL);
        if (nf) {
            store->depth = depth;
            trap = (enum wasm_trap)nf(&ctx->jx, ci, nfp, 0);
            if (trap) goto trap_filled; /* compiled code reported it */
            ctx->jx.code = code;
            LOAD_MEM();
            NEXT();
        }
    }
    if (depth >= max_depth || (uintptr_t)(nfp + cc->frame_slots) > stack_end)
        TRAP(WASM_TRAP_CALL_EXHAUSTED);
    if (nframes == capframes && grow_frames(ctx, &frames, &capframes, max_depth, small))
        TRAP(WASM_TRAP_CALL_EXHAUSTED);
    frames[nframes++] = (struct frame){ip, fp, code, inst};
    depth++;
    for (uint32_t i = cc->param_slots; i < cc->local_slots; i++)
        nfp[i].u64 = 0;
    fp = nfp;
    code = cc;
    ctx->jx.code = cc;
    if (ci != inst) {
        inst = ci;
        globals = inst->globals;
        mem = inst->mem0;
        LOAD_MEM();
    }
    FUEL_TICK();
    ip = cc->cells;
    NEXT();

call_func:
    if (f->host) {
        store->depth = depth;
        trap = host_call(ctx, store, inst, f, nfp, fp + code->frame_slots, err);
        if (trap) goto trap_out;
        LOAD_MEM();
        NEXT();
    }
    cc = f->code;
    ci = f->inst;
    goto do_call;

branch_slow:
    FUEL_TICK();
    if (jit_on && back) {
        wasm_native_fn nf = native_of(code);
        if (!nf) nf = jit_warm(ctx, code, inst, WASM_JIT_HOT_LOOP);
        if (nf) {
            /* on-stack replacement: the rest of this call runs compiled, from this loop
             * header with every slot as the interpreter left it; then return as usual */
            store->depth = depth;
            trap = (enum wasm_trap)nf(&ctx->jx, inst, fp, (uint32_t)(ip - code->cells) + 1);
            if (trap) goto trap_filled;
            goto L_ret;
        }
    }
    NEXT();

L_halt:
    free_frames(ctx, heap_mark);
    return 0;
L_unreachable:
    TRAP(WASM_TRAP_UNREACHABLE);
L_copy:
    fp[ip[1].p.a] = fp[ip[1].p.b];
    ip += 2;
    NEXT();
L_copy2:
    memmove(&fp[ip[1].p.a], &fp[ip[1].p.b], 16);
    ip += 2;
    NEXT();
L_moven:
    memmove(&fp[ip[1].p.a], &fp[ip[1].p.b], (size_t)ip[2].u32 * sizeof *fp);
    ip += 3;
    NEXT();
L_const64:
    fp[ip[1].p.a].u64 = ip[2].u64;
    ip += 3;
    NEXT();
L_const128:
    memcpy(&fp[ip[1].p.a], &ip[2], 16);
    ip += 4;
    NEXT();
L_br:
    BRANCH(1);
L_br_if:
    if (fp[ip[1].p.a].u32) BRANCH(2);
    ip += 3;
    NEXT();
L_br_unless:
    if (!fp[ip[1].p.a].u32) BRANCH(2);
    ip += 3;
    NEXT();
L_br_table : {
    uint32_t i = fp[ip[1].p.a].u32, n = ip[1].p.b;
    if (i > n) i = n;
    BRANCH(2 + i);
}
L_ret : {
    const struct frame *fr = &frames[--nframes];
    depth--;
    ip = fr->ip;
    fp = fr->fp;
    code = fr->code;
    ctx->jx.code = code;
    if (fr->inst != inst) {
        inst = fr->inst;
        globals = inst ? inst->globals : NULL;
        mem = inst ? inst->mem0 : NULL;
    }
    LOAD_MEM();
    NEXT();
}
L_call:
    cc = ip[1].code;
    ci = inst;
    nfp = fp + ip[2].p.a;
    ip += 3;
    goto do_call;
L_call_import:
    f = inst->funcs[ip[1].p.a];
    nfp = fp + ip[1].p.b;
    ip += 2;
    goto call_func;
L_call_indirect : {
    const struct wasm_table *tab = inst->tables[ip[1].p.b];
    uint32_t i = fp[ip[2].p.b].u32;
    if (i >= tab->size) TRAP(WASM_TRAP_TABLE_OOB);
    f = tab->elems[i];
    if (!f) TRAP(WASM_TRAP_UNINITIALIZED);
    if (f->type_id != inst->type_ids[ip[1].p.a]) TRAP(WASM_TRAP_INDIRECT_TYPE);
    nfp = fp + ip[2].p.a;
    ip += 3;
    goto call_func;
}
L_select:
    fp[ip[1].p.a] = fp[ip[1].p.b].u32 ? fp[ip[2].p.a] : fp[ip[2].p.b];
    ip += 3;
    NEXT();
L_select2 : {
    wasm_v128 v = fp[ip[1].p.b].u32 ? V_RD(ip[2].p.a) : V_RD(ip[2].p.b);
    V_WR(ip[1].p.a, v);
    ip += 3;
    NEXT();
}
L_global_get:
    fp[ip[1].p.a].u64 = globals[ip[1].p.b]->val.i64;
    ip += 2;
    NEXT();
L_global_set:
    globals[ip[1].p.b]->val.i64 = fp[ip[1].p.a].u64;
    ip += 2;
    NEXT();
L_global_get2:
    memcpy(&fp[ip[1].p.a], globals[ip[1].p.b]->val.v128, 16);
    ip += 2;
    NEXT();
L_global_set2:
    memcpy(globals[ip[1].p.b]->val.v128, &fp[ip[1].p.a], 16);
    ip += 2;
    NEXT();
L_ref_is_null:
    fp[ip[1].p.a].u64 = fp[ip[1].p.b].ref == NULL;
    ip += 2;
    NEXT();
L_ref_func:
    fp[ip[1].p.a].ref = inst->funcs[ip[1].p.b];
    ip += 2;
    NEXT();
L_table_get : {
    const struct wasm_table *tab = inst->tables[ip[2].p.a];
    uint32_t i = fp[ip[1].p.b].u32;
    if (i >= tab->size) TRAP(WASM_TRAP_TABLE_OOB);
    fp[ip[1].p.a].ref = tab->elems[i];
    ip += 3;
    NEXT();
}
L_table_set : {
    struct wasm_table *tab = inst->tables[ip[1].p.a];
    uint32_t i = fp[ip[1].p.b].u32;
    if (i >= tab->size) TRAP(WASM_TRAP_TABLE_OOB);
    tab->elems[i] = fp[ip[2].p.a].ref;
    ip += 3;
    NEXT();
}
L_table_size:
    fp[ip[1].p.a].u64 = inst->tables[ip[1].p.b]->size;
    ip += 2;
    NEXT();
L_table_grow : {
    int64_t r =
        wasm_table_grow_elems(inst->tables[ip[1].p.b], fp[ip[2].p.a].u32, fp[ip[2].p.b].ref);
    fp[ip[1].p.a].u64 = (uint32_t)r;
    ip += 3;
    NEXT();
}
L_table_fill : {
    struct wasm_table *tab = inst->tables[ip[1].p.a];
    uint32_t i = fp[ip[1].p.b].u32, n = fp[ip[2].p.b].u32;
    void *v = fp[ip[2].p.a].ref;
    if ((uint64_t)i + n > tab->size) TRAP(WASM_TRAP_TABLE_OOB);
    for (uint32_t k = 0; k < n; k++)
        tab->elems[i + k] = v;
    ip += 3;
    NEXT();
}
L_table_copy : {
    struct wasm_table *dt = inst->tables[ip[1].p.a], *st = inst->tables[ip[1].p.b];
    uint32_t d = fp[ip[2].p.a].u32, s = fp[ip[2].p.b].u32, n = fp[ip[3].p.a].u32;
    if ((uint64_t)d + n > dt->size || (uint64_t)s + n > st->size) TRAP(WASM_TRAP_TABLE_OOB);
    if (n) memmove(&dt->elems[d], &st->elems[s], (size_t)n * sizeof(void *));
    ip += 4;
    NEXT();
}
L_table_init:
    trap = table_init(inst, ip[1].p.a, ip[1].p.b, fp[ip[2].p.a].u32, fp[ip[2].p.b].u32,
                      fp[ip[3].p.a].u32);
    if (trap) goto trap_out;
    ip += 4;
    NEXT();
L_elem_drop:
    inst->elem_dropped[ip[1].p.a] = true;
    ip += 2;
    NEXT();
L_memory_size:
    fp[ip[1].p.a].u64 = mem->pages;
    ip += 2;
    NEXT();
L_memory_grow : {
    int64_t r = wasm_memory_grow_pages(mem, fp[ip[1].p.b].u32);
    LOAD_MEM();
    fp[ip[1].p.a].u64 = (uint32_t)r;
    ip += 2;
    NEXT();
}
L_memory_fill : {
    uint32_t d = fp[ip[1].p.a].u32, n = fp[ip[2].p.a].u32;
    if ((uint64_t)d + n > mem_size) TRAP(WASM_TRAP_MEMORY_OOB);
    if (n) memset(mem_base + d, (int)(uint8_t)fp[ip[1].p.b].u32, n);
    ip += 3;
    NEXT();
}
L_memory_copy : {
    uint32_t d = fp[ip[1].p.a].u32, s = fp[ip[1].p.b].u32, n = fp[ip[2].p.a].u32;
    if ((uint64_t)d + n > mem_size || (uint64_t)s + n > mem_size) TRAP(WASM_TRAP_MEMORY_OOB);
    if (n) memmove(mem_base + d, mem_base + s, n);
    ip += 3;
    NEXT();
}
L_memory_init:
    trap = memory_init(inst, ip[1].p.a, fp[ip[1].p.b].u32, fp[ip[2].p.a].u32, fp[ip[2].p.b].u32);
    if (trap) goto trap_out;
    ip += 3;
    NEXT();
L_data_drop:
    inst->data_dropped[ip[1].p.a] = true;
    ip += 2;
    NEXT();

#define X(n, op, t)                                                                                \
    L_bt_##n##_rr : if ((t)fp[ip[1].p.a].u32 op(t) fp[ip[1].p.b].u32) BRANCH(2);                   \
    ip += 3;                                                                                       \
    NEXT();                                                                                        \
    L_bt_##n##_ri : if ((t)fp[ip[1].p.a].u32 op(t) ip[1].p.b) BRANCH(2);                           \
    ip += 3;                                                                                       \
    NEXT();                                                                                        \
    L_bf_##n##_rr : if (!((t)fp[ip[1].p.a].u32 op(t) fp[ip[1].p.b].u32)) BRANCH(2);                \
    ip += 3;                                                                                       \
    NEXT();                                                                                        \
    L_bf_##n##_ri : if (!((t)fp[ip[1].p.a].u32 op(t) ip[1].p.b)) BRANCH(2);                        \
    ip += 3;                                                                                       \
    NEXT();
    WASM_FUSED_CMPS(X)
#undef X

#define WASM_UNOP(name, code, tin, tout, expr)                                                     \
    L_##name:                                                                                      \
    {                                                                                              \
        CT_##tin a = fp[ip[1].p.b].SL_##tin;                                                       \
        fp[ip[1].p.a].SL_##tout = (CT_##tout)(expr);                                               \
        ip += 2;                                                                                   \
        NEXT();                                                                                    \
    }
#define WASM_BINOP(name, code, tin, tout, expr)                                                    \
    L_##name##_rr:                                                                                 \
    {                                                                                              \
        CT_##tin a = fp[ip[1].p.b].SL_##tin;                                                       \
        CT_##tin b = fp[ip[2].p.a].SL_##tin;                                                       \
        fp[ip[1].p.a].SL_##tout = (CT_##tout)(expr);                                               \
        ip += 3;                                                                                   \
        NEXT();                                                                                    \
    }                                                                                              \
    L_##name##_ri:                                                                                 \
    {                                                                                              \
        CT_##tin a = fp[ip[1].p.b].SL_##tin;                                                       \
        CT_##tin b = IMM_##tin(ip[2]);                                                             \
        fp[ip[1].p.a].SL_##tout = (CT_##tout)(expr);                                               \
        ip += 3;                                                                                   \
        NEXT();                                                                                    \
    }
#define WASM_LOAD(name, code, t, bytes, mtype)                                                     \
    L_##name:                                                                                      \
    {                                                                                              \
        uint64_t ea = EA(ip[1].p.b, ip[2].u64);                                                    \
        if (ea + bytes > mem_size) TRAP(WASM_TRAP_MEMORY_OOB);                                     \
        mtype v;                                                                                   \
        memcpy(&v, mem_base + ea, bytes);                                                          \
        fp[ip[1].p.a].SL_##t = (CT_##t)v;                                                          \
        ip += 3;                                                                                   \
        NEXT();                                                                                    \
    }                                                                                              \
    L_##name##_g:                                                                                  \
    {                                                                                              \
        mtype v;                                                                                   \
        memcpy(&v, mem_base + EA(ip[1].p.b, ip[2].u64), bytes);                                    \
        fp[ip[1].p.a].SL_##t = (CT_##t)v;                                                          \
        ip += 3;                                                                                   \
        NEXT();                                                                                    \
    }
#define WASM_STORE(name, code, t, bytes, mtype)                                                    \
    L_##name:                                                                                      \
    {                                                                                              \
        uint64_t ea = EA(ip[1].p.b, ip[2].u64);                                                    \
        if (ea + bytes > mem_size) TRAP(WASM_TRAP_MEMORY_OOB);                                     \
        mtype v = (mtype)fp[ip[1].p.a].SL_##t;                                                     \
        memcpy(mem_base + ea, &v, bytes);                                                          \
        ip += 3;                                                                                   \
        NEXT();                                                                                    \
    }                                                                                              \
    L_##name##_g:                                                                                  \
    {                                                                                              \
        mtype v = (mtype)fp[ip[1].p.a].SL_##t;                                                     \
        memcpy(mem_base + EA(ip[1].p.b, ip[2].u64), &v, bytes);                                    \
        ip += 3;                                                                                   \
        NEXT();                                                                                    \
    }
#include "opcodes.def"

#define SIMD_MEM_PTR(bytes)                                                                        \
    ({                                                                                             \
        uint64_t ea_ = EA(ip[1].p.b, ip[2].u64);                                                   \
        if (ea_ + (bytes) > mem_size) TRAP(WASM_TRAP_MEMORY_OOB);                                  \
        mem_base + ea_;                                                                            \
    })
#define SIMD_LOAD(name, bytes, fn)                                                                 \
    V_WR(ip[1].p.a, fn(SIMD_MEM_PTR(bytes)));                                                      \
    ip += 3;
#define SIMD_LOAD_LANE(name, bytes, fn)                                                            \
    V_WR(ip[1].p.a, fn(SIMD_MEM_PTR(bytes), V_RD(ip[3].p.a), ip[3].p.b));                          \
    ip += 4;
#define SIMD_STORE(name, bytes, fn)                                                                \
    fn(SIMD_MEM_PTR(bytes), V_RD(ip[1].p.a));                                                      \
    ip += 3;
#define SIMD_STORE_LANE(name, bytes, fn)                                                           \
    fn(SIMD_MEM_PTR(bytes), V_RD(ip[1].p.a), ip[3].p.b);                                           \
    ip += 4;
#define SIMD_CONST(name, bytes, fn) goto L_const128;
#define SIMD_SHUFFLE(name, bytes, fn)                                                              \
    {                                                                                              \
        uint8_t lanes_[16];                                                                        \
        memcpy(lanes_, &ip[3], 16);                                                                \
        V_WR(ip[1].p.a, fn(V_RD(ip[1].p.b), V_RD(ip[2].p.a), lanes_));                             \
        ip += 5;                                                                                   \
    }
#define SIMD_EXTRACT_I32(name, bytes, fn)                                                          \
    fp[ip[1].p.a].u64 = fn(V_RD(ip[1].p.b), ip[2].p.a);                                            \
    ip += 3;
#define SIMD_EXTRACT_F32 SIMD_EXTRACT_I32
#define SIMD_EXTRACT_I64 SIMD_EXTRACT_I32
#define SIMD_EXTRACT_F64 SIMD_EXTRACT_I32
#define SIMD_REPLACE_I32(name, bytes, fn)                                                          \
    V_WR(ip[1].p.a, fn(V_RD(ip[1].p.b), ip[2].p.b, fp[ip[2].p.a].u32));                            \
    ip += 3;
#define SIMD_REPLACE_F32 SIMD_REPLACE_I32
#define SIMD_REPLACE_I64(name, bytes, fn)                                                          \
    V_WR(ip[1].p.a, fn(V_RD(ip[1].p.b), ip[2].p.b, fp[ip[2].p.a].u64));                            \
    ip += 3;
#define SIMD_REPLACE_F64 SIMD_REPLACE_I64
#define SIMD_SPLAT_I32(name, bytes, fn)                                                            \
    V_WR(ip[1].p.a, fn(fp[ip[1].p.b].u32));                                                        \
    ip += 2;
#define SIMD_SPLAT_F32 SIMD_SPLAT_I32
#define SIMD_SPLAT_I64(name, bytes, fn)                                                            \
    V_WR(ip[1].p.a, fn(fp[ip[1].p.b].u64));                                                        \
    ip += 2;
#define SIMD_SPLAT_F64 SIMD_SPLAT_I64
#define SIMD_UNARY(name, bytes, fn)                                                                \
    V_WR(ip[1].p.a, fn(V_RD(ip[1].p.b)));                                                          \
    ip += 2;
#define SIMD_BINARY(name, bytes, fn)                                                               \
    V_WR(ip[1].p.a, fn(V_RD(ip[1].p.b), V_RD(ip[2].p.a)));                                         \
    ip += 3;
#define SIMD_TERNARY(name, bytes, fn)                                                              \
    V_WR(ip[1].p.a, fn(V_RD(ip[1].p.b), V_RD(ip[2].p.a), V_RD(ip[2].p.b)));                        \
    ip += 3;
#define SIMD_TEST(name, bytes, fn)                                                                 \
    fp[ip[1].p.a].u64 = fn(V_RD(ip[1].p.b));                                                       \
    ip += 2;
#define SIMD_SHIFT(name, bytes, fn)                                                                \
    V_WR(ip[1].p.a, fn(V_RD(ip[1].p.b), fp[ip[2].p.a].u32));                                       \
    ip += 3;
#define SIMD_OP(name, subop, shape, lanes, bytes, fn)                                              \
    L_simd_##name:                                                                                 \
    {                                                                                              \
        SIMD_##shape(name, bytes, fn) NEXT();                                                      \
    }
#include "simd.def"
#undef SIMD_OP

trap_out:
    fill_trap(err, trap, code);
trap_filled:
    free_frames(ctx, heap_mark);
    return (int)trap;
}

const void *const *wasm_interp_labels(void)
{
    const void *const *labels = NULL;
    (void)interp_run(NULL, NULL, NULL, NULL, NULL, &labels);
    return labels;
}

/* The lowest native stack address compiled code may reach on this thread: the stack's end
 * plus a margin for the C code (host functions, helpers, signal handling) that runs below. */
static uintptr_t native_stack_limit(void)
{
    static _Thread_local uintptr_t limit;
    if (limit) return limit;
    pthread_attr_t a;
    void *lo = NULL;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &a) == 0) {
        if (pthread_attr_getstack(&a, &lo, &size)) lo = NULL;
        pthread_attr_destroy(&a);
    }
    size_t margin = size / 4 < (size_t)256 << 10 ? size / 4 : (size_t)256 << 10;
    limit = lo ? (uintptr_t)lo + margin : (uintptr_t)__builtin_frame_address(0) - ((size_t)1 << 20);
    return limit;
}

/* The first free slot of store's value stack: above the innermost frame that is running. */
static union wasm_slot *stack_base(struct wasm_store *store)
{
    for (struct wasm_exec_ctx *e = g_wasm_exec; e; e = e->prev) {
        if (e->store != store) continue;
        struct interp_ctx *ctx = (struct interp_ctx *)e;
        if (ctx->sp_top) return ctx->sp_top;
    }
    return (union wasm_slot *)(void *)store->stack;
}

static int run_guarded(struct interp_ctx *ctx, struct wasm_store *store, struct wasm_func *func,
                       union wasm_slot *base, struct wasm_error *err)
{
    if (wasm_guard_pages()) {
        if (sigsetjmp(ctx->exec.jmp, 0)) {
            fill_trap(err, WASM_TRAP_MEMORY_OOB, ctx->jx.code);
            return WASM_TRAP_MEMORY_OOB;
        }
    }
    return interp_run(ctx, store, func, base, err, NULL);
}

int wasm_interp_call(struct wasm_store *store, struct wasm_func *func, const union wasm_val *args,
                     union wasm_val *results, struct wasm_error *err)
{
    const struct wasm_functype *ft = &func->type;
    union wasm_slot *base = stack_base(store);
    uint32_t np = types_slots(ft->params, ft->nparams);
    uint32_t nr = types_slots(ft->results, ft->nresults);
    uint32_t n = np > nr ? np : nr;
    if ((uintptr_t)(base + n) > (uintptr_t)store->stack_end) {
        fill_trap(err, WASM_TRAP_CALL_EXHAUSTED, NULL);
        return WASM_TRAP_CALL_EXHAUSTED;
    }
    vals_to_slots(args, ft->params, ft->nparams, base);

    struct interp_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.exec.store = store;
    ctx.exec.prev = g_wasm_exec;
    ctx.depth0 = store->depth;
    /* Nothing of LLVM is touched (no syscalls: a sandbox's seccomp filter may forbid them)
     * until a module is actually compiled. */
    ctx.jit_on =
        WASM_HAVE_JIT && store->lim.tier != WASM_TIER_INTERP && store->lim.fuel == 0 && !func->host;
    ctx.tier_jit = store->lim.tier == WASM_TIER_JIT;
    ctx.jx.store = store;
    ctx.jx.err = err;
    ctx.jx.depth = &store->depth;
    ctx.jx.max_depth = store->lim.max_call_depth;
    ctx.jx.stack_end = (uintptr_t)store->stack_end;
    if (ctx.jit_on && __atomic_load_n(&g_jit_used, __ATOMIC_RELAXED))
        ctx.jx.native_limit = native_stack_limit();
    g_wasm_exec = &ctx.exec;
    int rc;
    if (func->host) {
        rc = host_call(&ctx, store, NULL, func, base, base + n, err);
        if (rc) fill_trap(err, (enum wasm_trap)rc, NULL);
    } else {
        rc = run_guarded(&ctx, store, func, base, err);
    }
    g_wasm_exec = ctx.exec.prev;
    store->depth = ctx.depth0;
    free_frames(&ctx, NULL);
    if (rc == 0) slots_to_vals(base, ft->results, ft->nresults, results);
    return rc;
}

/* ---- the machine-code tier's way back in (jit.h) ---- */

uint32_t wasm_jit_raise(struct wasm_jit_exec *x, const struct wasm_code *code, uint32_t t)
{
    fill_trap(x->err, (enum wasm_trap)t, code);
    return t;
}

uint32_t wasm_jit_call_func(struct wasm_jit_exec *x, struct wasm_instance *caller_inst,
                            struct wasm_func *f, union wasm_slot *args, union wasm_slot *top,
                            const struct wasm_code *caller)
{
    struct interp_ctx *ctx = CTX_OF(x);
    if (f->host) {
        enum wasm_trap t = host_call(ctx, x->store, caller_inst, f, args, top, x->err);
        if (t) fill_trap(x->err, t, caller);
        return t;
    }
    wasm_native_fn nf = native_of(f->code);
    if (!nf) nf = jit_warm(ctx, f->code, f->inst, WASM_JIT_HOT_CALL);
    if (nf) return nf(x, f->inst, args, 0);
    return (uint32_t)interp_run(ctx, x->store, f, args, x->err, NULL);
}

uint32_t wasm_jit_misc_op(struct wasm_jit_exec *x, struct wasm_instance *inst, union wasm_slot *fp,
                          const union wasm_cell *ip, uint32_t iop)
{
    (void)x;
    struct wasm_memory *mem = inst->mem0;
    switch (iop) {
    case WASM_IOP_table_get: {
        const struct wasm_table *tab = inst->tables[ip[2].p.a];
        uint32_t i = fp[ip[1].p.b].u32;
        if (i >= tab->size) return WASM_TRAP_TABLE_OOB;
        fp[ip[1].p.a].ref = tab->elems[i];
        return 0;
    }
    case WASM_IOP_table_set: {
        struct wasm_table *tab = inst->tables[ip[1].p.a];
        uint32_t i = fp[ip[1].p.b].u32;
        if (i >= tab->size) return WASM_TRAP_TABLE_OOB;
        tab->elems[i] = fp[ip[2].p.a].ref;
        return 0;
    }
    case WASM_IOP_table_size: fp[ip[1].p.a].u64 = inst->tables[ip[1].p.b]->size; return 0;
    case WASM_IOP_table_grow:
        fp[ip[1].p.a].u64 = (uint32_t)wasm_table_grow_elems(inst->tables[ip[1].p.b],
                                                            fp[ip[2].p.a].u32, fp[ip[2].p.b].ref);
        return 0;
    case WASM_IOP_table_fill: {
        struct wasm_table *tab = inst->tables[ip[1].p.a];
        uint32_t i = fp[ip[1].p.b].u32, n = fp[ip[2].p.b].u32;
        void *v = fp[ip[2].p.a].ref;
        if ((uint64_t)i + n > tab->size) return WASM_TRAP_TABLE_OOB;
        for (uint32_t k = 0; k < n; k++)
            tab->elems[i + k] = v;
        return 0;
    }
    case WASM_IOP_table_copy: {
        struct wasm_table *dt = inst->tables[ip[1].p.a], *st = inst->tables[ip[1].p.b];
        uint32_t d = fp[ip[2].p.a].u32, s = fp[ip[2].p.b].u32, n = fp[ip[3].p.a].u32;
        if ((uint64_t)d + n > dt->size || (uint64_t)s + n > st->size) return WASM_TRAP_TABLE_OOB;
        if (n) memmove(&dt->elems[d], &st->elems[s], (size_t)n * sizeof(void *));
        return 0;
    }
    case WASM_IOP_table_init:
        return table_init(inst, ip[1].p.a, ip[1].p.b, fp[ip[2].p.a].u32, fp[ip[2].p.b].u32,
                          fp[ip[3].p.a].u32);
    case WASM_IOP_elem_drop: inst->elem_dropped[ip[1].p.a] = true; return 0;
    case WASM_IOP_data_drop: inst->data_dropped[ip[1].p.a] = true; return 0;
    case WASM_IOP_memory_grow:
        fp[ip[1].p.a].u64 = (uint32_t)wasm_memory_grow_pages(mem, fp[ip[1].p.b].u32);
        return 0;
    case WASM_IOP_memory_fill: {
        uint32_t d = fp[ip[1].p.a].u32, n = fp[ip[2].p.a].u32;
        if ((uint64_t)d + n > mem->size) return WASM_TRAP_MEMORY_OOB;
        if (n) memset(mem->base + d, (int)(uint8_t)fp[ip[1].p.b].u32, n);
        return 0;
    }
    case WASM_IOP_memory_copy: {
        uint32_t d = fp[ip[1].p.a].u32, s = fp[ip[1].p.b].u32, n = fp[ip[2].p.a].u32;
        if ((uint64_t)d + n > mem->size || (uint64_t)s + n > mem->size) return WASM_TRAP_MEMORY_OOB;
        if (n) memmove(mem->base + d, mem->base + s, n);
        return 0;
    }
    case WASM_IOP_memory_init:
        return memory_init(inst, ip[1].p.a, fp[ip[1].p.b].u32, fp[ip[2].p.a].u32,
                           fp[ip[2].p.b].u32);
    default: return WASM_TRAP_UNREACHABLE; /* the tier never sends anything else */
    }
}

/* ---- tiers (wasm.h) ---- */

bool wasm_tier_available(void)
{
    return wasm_jit_available();
}

void wasm_engine_prepare(void)
{
    (void)native_stack_limit();
    (void)wasm_tier_available();
}

static const char *const g_tier_names[] = {"auto", "interp", "jit"};

int wasm_tier_parse(const char *name, enum wasm_tier *out)
{
    for (uint32_t i = 0; name && i < 3; i++) {
        if (strcmp(name, g_tier_names[i]) == 0) {
            *out = (enum wasm_tier)i;
            return 0;
        }
    }
    return -EINVAL;
}

const char *wasm_tier_name(enum wasm_tier tier)
{
    return (unsigned)tier < 3 ? g_tier_names[tier] : "unknown";
}
