/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jit.c - the machine-code tier: slot code (code.h) -> LLVM IR -> x86-64 through ORC LLJIT.
 *
 * Why slot code and not the wasm bytes: the compiler (compile.c) has already validated the
 * body, resolved every branch to a cell, given every operand a fixed frame slot and folded
 * constants; translating that register-machine form is a linear walk with no operand stack
 * and no typing to redo, and it guarantees that both tiers run exactly the same program.
 *
 * Translation: every frame slot becomes an i64 alloca (v128 = two slots); each instruction
 * loads its operands (trunc/bitcast to its wasm type), computes, and stores its result
 * (zext/bitcast back). LLVM's mem2reg/SROA turns the slots into SSA values, so the optimiser
 * (the standard O2 pipeline) sees ordinary scalar code. Basic blocks start at every branch
 * target and after every branch. Slots reach memory (fp, the frame on the store's value stack)
 * only at entry (parameters), at calls (arguments out, results back), around the few
 * instructions done by C helpers (table and bulk-memory operations) and at return.
 *
 * Semantics kept from the interpreter: linear memory is addressed as base + u32 + offset
 * with no check in guard-page mode (a stray access faults and memory.c's handler turns the
 * fault into a trap, reporting x->code, which compiled code keeps current) and with the same
 * explicit check in explicit mode; the memory base and size are reloaded after every call and
 * memory.grow; traps go through wasm_jit_raise() (same messages, same function index);
 * call depth, value stack and native stack are checked on entry (exhaustion is a trap).
 *
 * Unsupported instructions (SIMD arithmetic today) leave that function interpreted; calls to
 * it go through wasm_jit_call_func(). Code memory comes from LLJIT's memory manager, which
 * writes code into read-write pages and then makes them read+execute (never both at once).
 *
 * Locking: one LLJIT per process; compilation is serialised by g_lock; code->native is
 * published with a release store and read with an acquire load.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include "jit.h"

/* ---- what each internal instruction is ---- */

enum { T_NONE, T_I32, T_I64, T_F32, T_F64, T_B32, T_B64 };
enum {
    K_BAD,
    K_FIXED,
    K_FUSED,
    K_UNOP,
    K_BINOP,
    K_LOAD,
    K_STORE,
    K_SIMD_CONST,
    K_SIMD,
};

enum jop {
    JOP_NONE,
#define WASM_UNOP(name, code, tin, tout, expr) JOP_##name,
#define WASM_BINOP(name, code, tin, tout, expr) JOP_##name,
#include "opcodes.def"
    JOP_COUNT_
};

struct opinfo {
    uint8_t kind;
    uint8_t tin, tout;
    uint8_t bytes;
    bool ri;  /* binop/fused: second operand is an immediate */
    bool bt;  /* fused: branch when true */
    bool sgn; /* load: sign-extending; */
    bool guard;
    uint16_t jop;
};

#define TT_I32 T_I32
#define TT_I64 T_I64
#define TT_F32 T_F32
#define TT_F64 T_F64
#define TT_B32 T_B32
#define TT_B64 T_B64

/* signedness of a load's memory type (only 1-, 2- and 4-byte loads extend, so the 64-bit
 * types' answer does not matter) */
#define SIGNED(t) ((int64_t)(t)-1 < 0)

static const struct opinfo g_info[WASM_IOP_COUNT_] = {
#define X(n) [WASM_IOP_##n] = {.kind = K_FIXED},
    WASM_IOPS_FIXED(X)
#undef X
#define X(n, op, t)                                                                                \
    [WASM_IOP_bt_##n##_rr] = {.kind = K_FUSED, .bt = true, .jop = JOP_##n},                        \
    [WASM_IOP_bt_##n##_ri] = {.kind = K_FUSED, .bt = true, .ri = true, .jop = JOP_##n},            \
    [WASM_IOP_bf_##n##_rr] = {.kind = K_FUSED, .jop = JOP_##n},                                    \
    [WASM_IOP_bf_##n##_ri] = {.kind = K_FUSED, .ri = true, .jop = JOP_##n},
        WASM_FUSED_CMPS(X)
#undef X
#define WASM_UNOP(name, code, ti_, to_, expr)                                                      \
    [WASM_IOP_##name] = {.kind = K_UNOP, .tin = TT_##ti_, .tout = TT_##to_, .jop = JOP_##name},
#define WASM_BINOP(name, code, ti_, to_, expr)                                                     \
    [WASM_IOP_##name##                                                                             \
        _rr] = {.kind = K_BINOP, .tin = TT_##ti_, .tout = TT_##to_, .jop = JOP_##name},            \
        [WASM_IOP_##name##_ri] = {                                                                 \
            .kind = K_BINOP, .tin = TT_##ti_, .tout = TT_##to_, .ri = true, .jop = JOP_##name},
#define WASM_LOAD(name, code, t, bytes_, mtype)                                                    \
    [WASM_IOP_##name] = {.kind = K_LOAD, .tout = TT_##t, .bytes = bytes_, .sgn = SIGNED(mtype)},   \
    [WASM_IOP_##name##_g] = {                                                                      \
        .kind = K_LOAD, .tout = TT_##t, .bytes = bytes_, .sgn = SIGNED(mtype), .guard = true},
#define WASM_STORE(name, code, t, bytes_, mtype)                                                   \
    [WASM_IOP_##name] = {.kind = K_STORE, .tin = TT_##t, .bytes = bytes_},                         \
    [WASM_IOP_##name##_g] = {.kind = K_STORE, .tin = TT_##t, .bytes = bytes_, .guard = true},
#include "opcodes.def"
#define SIMD_OP(name, subop, shape, lanes, bytes_, fn)                                             \
    [WASM_IOP_simd_##name] = {.kind = K_SIMD_##shape},
#define K_SIMD_LOAD K_SIMD
#define K_SIMD_LOAD_LANE K_SIMD
#define K_SIMD_STORE K_SIMD
#define K_SIMD_STORE_LANE K_SIMD
#define K_SIMD_SHUFFLE K_SIMD
#define K_SIMD_EXTRACT_I32 K_SIMD
#define K_SIMD_EXTRACT_I64 K_SIMD
#define K_SIMD_EXTRACT_F32 K_SIMD
#define K_SIMD_EXTRACT_F64 K_SIMD
#define K_SIMD_REPLACE_I32 K_SIMD
#define K_SIMD_REPLACE_I64 K_SIMD
#define K_SIMD_REPLACE_F32 K_SIMD
#define K_SIMD_REPLACE_F64 K_SIMD
#define K_SIMD_SPLAT_I32 K_SIMD
#define K_SIMD_SPLAT_I64 K_SIMD
#define K_SIMD_SPLAT_F32 K_SIMD
#define K_SIMD_SPLAT_F64 K_SIMD
#define K_SIMD_UNARY K_SIMD
#define K_SIMD_BINARY K_SIMD
#define K_SIMD_TERNARY K_SIMD
#define K_SIMD_TEST K_SIMD
#define K_SIMD_SHIFT K_SIMD
#include "simd.def"
#undef SIMD_OP
};

/* ---- process-wide state ---- */

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static bool g_ok;
static LLVMOrcLLJITRef g_jit;
static LLVMTargetMachineRef g_tm; /* for the optimiser's cost model (host CPU) */
static uint64_t g_seq;            /* unique symbol prefix per compiled module */

/* handler address -> iop, open addressing */
#define MAP_SIZE 4096u
static const void *g_map_key[MAP_SIZE];
static uint16_t g_map_val[MAP_SIZE];

static uint32_t map_hash(const void *p)
{
    uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull;
    return (uint32_t)(h >> 52) & (MAP_SIZE - 1);
}

static int iop_of(const void *op)
{
    for (uint32_t h = map_hash(op);; h = (h + 1) & (MAP_SIZE - 1)) {
        if (g_map_key[h] == op) return g_map_val[h];
        if (!g_map_key[h]) return -1;
    }
}

static void llvm_err(const char *what, LLVMErrorRef e)
{
    char *m = LLVMGetErrorMessage(e);
    fprintf(stderr, "wasm jit: %s: %s\n", what, m);
    LLVMDisposeErrorMessage(m);
}

/* The only process symbols compiled code may bind to: what LLVM itself emits calls to. */
static int allow_symbol(void *ctx, LLVMOrcSymbolStringPoolEntryRef sym)
{
    (void)ctx;
    static const char *const ok[] = {"memset", "memcpy",    "memmove",    "ceil",      "ceilf",
                                     "floor",  "floorf",    "trunc",      "truncf",    "rint",
                                     "rintf",  "roundeven", "roundevenf", "nearbyint", "nearbyintf",
                                     "fmod",   "fmodf"};
    const char *name = LLVMOrcSymbolStringPoolEntryStr(sym);
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(name, ok[i]) == 0) return 1;
    return 0;
}

static void jit_init(void)
{
    const void *const *labels = wasm_interp_labels();
    for (uint32_t i = 0; i < WASM_IOP_COUNT_; i++) {
        uint32_t h = map_hash(labels[i]);
        while (g_map_key[h] && g_map_key[h] != labels[i])
            h = (h + 1) & (MAP_SIZE - 1);
        if (g_map_key[h]) continue; /* two identical handlers: either meaning is right */
        g_map_key[h] = labels[i];
        g_map_val[h] = (uint16_t)i;
    }
    if (LLVMInitializeNativeTarget() || LLVMInitializeNativeAsmPrinter()) return;
    LLVMOrcJITTargetMachineBuilderRef jtmb;
    LLVMErrorRef e = LLVMOrcJITTargetMachineBuilderDetectHost(&jtmb);
    if (e) {
        llvm_err("host detection", e);
        return;
    }
    LLVMOrcLLJITBuilderRef jb = LLVMOrcCreateLLJITBuilder();
    LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(jb, jtmb);
    e = LLVMOrcCreateLLJIT(&g_jit, jb);
    if (e) {
        llvm_err("creating LLJIT", e);
        return;
    }
    LLVMOrcDefinitionGeneratorRef gen;
    e = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(
        &gen, LLVMOrcLLJITGetGlobalPrefix(g_jit), allow_symbol, NULL);
    if (e) {
        llvm_err("process symbols", e);
        return;
    }
    LLVMOrcJITDylibAddGenerator(LLVMOrcLLJITGetMainJITDylib(g_jit), gen);
    char *triple = LLVMGetDefaultTargetTriple();
    LLVMTargetRef target;
    char *msg = NULL;
    if (LLVMGetTargetFromTriple(triple, &target, &msg)) {
        fprintf(stderr, "wasm jit: %s\n", msg);
        LLVMDisposeMessage(msg);
        LLVMDisposeMessage(triple);
        return;
    }
    char *cpu = LLVMGetHostCPUName(), *features = LLVMGetHostCPUFeatures();
    g_tm = LLVMCreateTargetMachine(target, triple, cpu, features, LLVMCodeGenLevelDefault,
                                   LLVMRelocDefault, LLVMCodeModelJITDefault);
    LLVMDisposeMessage(cpu);
    LLVMDisposeMessage(features);
    LLVMDisposeMessage(triple);
    g_ok = g_tm != NULL;
}

bool wasm_jit_available(void)
{
    pthread_once(&g_once, jit_init);
    return g_ok;
}

/* ---- per-module compile state ---- */

struct wasm_jit_unit {
    LLVMOrcResourceTrackerRef rt;
};

struct jm { /* one LLVM module = one wasm module */
    LLVMContextRef C;
    LLVMModuleRef M;
    LLVMBuilderRef B;
    const struct wasm_module *mod;
    LLVMTypeRef i1, i8, i16, i32, i64, f32, f64, ptr, fnty;
    LLVMValueRef *fns; /* per defined function, NULL when not compiled */
    LLVMTypeRef t_call, t_misc, t_raise;
    char prefix[32];
};

struct jf { /* one function */
    struct jm *m;
    LLVMBuilderRef B;
    const struct wasm_code *code;
    LLVMValueRef fn, x, inst, fp, entry;
    LLVMValueRef *slot;
    uint32_t nslots;
    uint32_t *kgen;        /* per slot: block generation in which const64 last wrote it, */
    uint64_t *kval;        /* and the constant */
    uint32_t gen;          /* current block's generation (starts at 1) */
    LLVMBasicBlockRef *bb; /* per cell: the block starting there, or NULL */
    uint8_t *mark;         /* per cell: M_* */
    LLVMValueRef membase, memsize, mem0, depthp, codeconst;
    LLVMBasicBlockRef trap_bb[WASM_TRAP_COUNT_];
    LLVMBasicBlockRef prop_bb;
    LLVMValueRef prop_phi;
};

enum { M_INSN = 1, M_BLOCK = 2, M_LOOP = 4 };

#define CI32(v) LLVMConstInt(f->m->i32, (uint64_t)(v), 0)
#define CI64(v) LLVMConstInt(f->m->i64, (uint64_t)(v), 0)

static LLVMValueRef cptr(struct jf *f, const void *p)
{
    return LLVMConstIntToPtr(CI64((uintptr_t)p), f->m->ptr);
}

static LLVMValueRef gep8(struct jf *f, LLVMValueRef base, LLVMValueRef off)
{
    return LLVMBuildGEP2(f->B, f->m->i8, base, &off, 1, "");
}

static LLVMValueRef field(struct jf *f, LLVMValueRef base, size_t off, LLVMTypeRef t)
{
    LLVMValueRef v = LLVMBuildLoad2(f->B, t, gep8(f, base, CI64(off)), "");
    return v;
}

static LLVMValueRef fpslot(struct jf *f, uint32_t s)
{
    LLVMValueRef idx = CI64(s);
    return LLVMBuildInBoundsGEP2(f->B, f->m->i64, f->fp, &idx, 1, "");
}

/* slot access */
static LLVMValueRef rd64(struct jf *f, uint32_t s)
{
    return LLVMBuildLoad2(f->B, f->m->i64, f->slot[s], "");
}
static void wr64(struct jf *f, uint32_t s, LLVMValueRef v)
{
    LLVMBuildStore(f->B, v, f->slot[s]);
    f->kgen[s] = 0;
}
static LLVMValueRef rd(struct jf *f, uint32_t s, int t)
{
    LLVMValueRef v = rd64(f, s);
    switch (t) {
    case T_I32:
    case T_B32: return LLVMBuildTrunc(f->B, v, f->m->i32, "");
    case T_F32:
        return LLVMBuildBitCast(f->B, LLVMBuildTrunc(f->B, v, f->m->i32, ""), f->m->f32, "");
    case T_F64: return LLVMBuildBitCast(f->B, v, f->m->f64, "");
    default: return v;
    }
}
static void wr(struct jf *f, uint32_t s, int t, LLVMValueRef v)
{
    switch (t) {
    case T_I32:
    case T_B32: v = LLVMBuildZExt(f->B, v, f->m->i64, ""); break;
    case T_F32:
        v = LLVMBuildZExt(f->B, LLVMBuildBitCast(f->B, v, f->m->i32, ""), f->m->i64, "");
        break;
    case T_F64: v = LLVMBuildBitCast(f->B, v, f->m->i64, ""); break;
    default: break;
    }
    wr64(f, s, v);
}
/*
 * LLVM folds x*1, x/1, x*-1, x+-0, x-0 to x (or -x), which hands back a signalling NaN
 * unquieted where WebAssembly wants an arithmetic NaN; an arithmetic fence around such a
 * constant keeps the operation.
 */
static LLVMValueRef fence(struct jf *f, LLVMValueRef k)
{
    LLVMTypeRef t = LLVMTypeOf(k);
    unsigned id = LLVMLookupIntrinsicID("llvm.arithmetic.fence", 21);
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(f->m->M, id, &t, 1);
    return LLVMBuildCall2(f->B, LLVMIntrinsicGetType(f->m->C, id, &t, 1), fn, &k, 1, "");
}

static LLVMValueRef fimm(struct jf *f, LLVMValueRef k, double d)
{
    return (d != 0.0 && d != 1.0 && d != -1.0) ? k : fence(f, k);
}

/* A float operand read from slot s: fenced when const64 put an identity constant there in
 * this block (the compiler materialises a constant first operand that way). */
static LLVMValueRef rdf(struct jf *f, uint32_t s, int t)
{
    LLVMValueRef v = rd(f, s, t);
    if (f->kgen[s] != f->gen || (t != T_F32 && t != T_F64)) return v;
    union wasm_cell c = {.u64 = f->kval[s]};
    return fimm(f, v, t == T_F32 ? (double)c.f32 : c.f64);
}

static LLVMValueRef imm(struct jf *f, const union wasm_cell *c, int t)
{
    switch (t) {
    case T_I32:
    case T_B32: return CI32(c->u32);
    case T_F32: return fimm(f, LLVMConstBitCast(CI32(c->u32), f->m->f32), c->f32);
    case T_F64: return fimm(f, LLVMConstBitCast(CI64(c->u64), f->m->f64), c->f64);
    default: return CI64(c->u64);
    }
}

static void spill(struct jf *f, uint32_t s, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        LLVMBuildStore(f->B, rd64(f, s + i), fpslot(f, s + i));
}
static void reload(struct jf *f, uint32_t s, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        wr64(f, s + i, LLVMBuildLoad2(f->B, f->m->i64, fpslot(f, s + i), ""));
}

static void reload_mem(struct jf *f)
{
    if (!f->mem0) return;
    LLVMBuildStore(f->B, field(f, f->mem0, offsetof(struct wasm_memory, base), f->m->ptr),
                   f->membase);
    LLVMBuildStore(f->B, field(f, f->mem0, offsetof(struct wasm_memory, size), f->m->i64),
                   f->memsize);
}

/* ---- control ---- */

static LLVMBasicBlockRef new_bb(struct jf *f)
{
    return LLVMAppendBasicBlockInContext(f->m->C, f->fn, "");
}

static LLVMBasicBlockRef trap_block(struct jf *f, uint32_t t)
{
    if (f->trap_bb[t]) return f->trap_bb[t];
    LLVMBasicBlockRef here = LLVMGetInsertBlock(f->B);
    LLVMBasicBlockRef b = new_bb(f);
    LLVMPositionBuilderAtEnd(f->B, b);
    LLVMValueRef args[] = {f->x, f->codeconst, CI32(t)};
    LLVMValueRef r =
        LLVMBuildCall2(f->B, f->m->t_raise, cptr(f, (const void *)wasm_jit_raise), args, 3, "");
    LLVMBuildRet(f->B, r);
    LLVMPositionBuilderAtEnd(f->B, here);
    return f->trap_bb[t] = b;
}

/* if (cond) trap t; continues in a fresh block */
static void trap_if(struct jf *f, LLVMValueRef cond, uint32_t t)
{
    LLVMBasicBlockRef tb = trap_block(f, t), cont = new_bb(f);
    LLVMBuildCondBr(f->B, cond, tb, cont);
    LLVMPositionBuilderAtEnd(f->B, cont);
}

/* if (rc) return rc (the callee already reported); continues in a fresh block */
static void propagate(struct jf *f, LLVMValueRef rc)
{
    LLVMBasicBlockRef cont = new_bb(f), here = LLVMGetInsertBlock(f->B);
    LLVMValueRef nz = LLVMBuildICmp(f->B, LLVMIntNE, rc, CI32(0), "");
    LLVMBuildCondBr(f->B, nz, f->prop_bb, cont);
    LLVMAddIncoming(f->prop_phi, &rc, &here, 1);
    LLVMPositionBuilderAtEnd(f->B, cont);
}

static LLVMBasicBlockRef target(struct jf *f, uint32_t cell)
{
    return f->bb[cell];
}

static uint32_t tgt_cell(const union wasm_cell *cells, uint32_t at)
{
    return (uint32_t)((int64_t)at + cells[at].i64);
}

/* ---- intrinsics ---- */

static LLVMValueRef intrin(struct jf *f, const char *name, LLVMTypeRef *tys, unsigned ntys,
                           LLVMValueRef *args, unsigned nargs)
{
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(f->m->M, id, tys, ntys);
    LLVMTypeRef ft = LLVMIntrinsicGetType(f->m->C, id, tys, ntys);
    return LLVMBuildCall2(f->B, ft, fn, args, nargs, "");
}

static LLVMValueRef intrin1(struct jf *f, const char *name, LLVMValueRef a)
{
    LLVMTypeRef t = LLVMTypeOf(a);
    return intrin(f, name, &t, 1, &a, 1);
}

/* ---- numeric ---- */

static LLVMValueRef bool32(struct jf *f, LLVMValueRef c)
{
    return LLVMBuildZExt(f->B, c, f->m->i32, "");
}

/* QNAN(a, e): NaN in gives a + a (quiet), as the interpreter does. */
static LLVMValueRef qnan(struct jf *f, LLVMValueRef a, LLVMValueRef e)
{
    LLVMValueRef isnan = LLVMBuildFCmp(f->B, LLVMRealUNO, a, a, "");
    return LLVMBuildSelect(f->B, isnan, LLVMBuildFAdd(f->B, a, a, ""), e, "");
}

static LLVMValueRef fminmax(struct jf *f, LLVMValueRef a, LLVMValueRef b, bool is_min)
{
    LLVMBuilderRef B = f->B;
    LLVMTypeRef t = LLVMTypeOf(a);
    LLVMValueRef anyn = LLVMBuildFCmp(B, LLVMRealUNO, a, b, "");
    LLVMValueRef eq = LLVMBuildFCmp(B, LLVMRealOEQ, a, b, "");
    LLVMTypeRef it = t == f->m->f32 ? f->m->i32 : f->m->i64;
    LLVMValueRef abits = LLVMBuildBitCast(B, a, it, "");
    LLVMValueRef aneg = LLVMBuildICmp(B, LLVMIntSLT, abits, LLVMConstInt(it, 0, 0), "");
    LLVMValueRef eqv =
        is_min ? LLVMBuildSelect(B, aneg, a, b, "") : LLVMBuildSelect(B, aneg, b, a, "");
    LLVMValueRef lt = LLVMBuildFCmp(B, is_min ? LLVMRealOLT : LLVMRealOGT, a, b, "");
    LLVMValueRef ord = LLVMBuildSelect(B, lt, a, b, "");
    LLVMValueRef r = LLVMBuildSelect(B, eq, eqv, ord, "");
    return LLVMBuildSelect(B, anyn, LLVMBuildFAdd(B, a, b, ""), r, "");
}

/* trapping float -> int, as TRUNC_* in interp.c */
static LLVMValueRef trunc_checked(struct jf *f, LLVMValueRef a, bool is64, bool sgn)
{
    LLVMBuilderRef B = f->B;
    LLVMValueRef d = LLVMTypeOf(a) == f->m->f32 ? LLVMBuildFPExt(B, a, f->m->f64, "") : a;
    trap_if(f, LLVMBuildFCmp(B, LLVMRealUNO, d, d, ""), WASM_TRAP_INVALID_CONV);
    double lo, hi;
    bool lo_ge = false;
    if (!is64) {
        lo = sgn ? -2147483649.0 : -1.0;
        hi = sgn ? 2147483648.0 : 4294967296.0;
    } else {
        lo = sgn ? -9223372036854775808.0 : -1.0;
        hi = sgn ? 9223372036854775808.0 : 18446744073709551616.0;
        lo_ge = sgn;
    }
    LLVMValueRef lok =
        LLVMBuildFCmp(B, lo_ge ? LLVMRealOGE : LLVMRealOGT, d, LLVMConstReal(f->m->f64, lo), "");
    LLVMValueRef hok = LLVMBuildFCmp(B, LLVMRealOLT, d, LLVMConstReal(f->m->f64, hi), "");
    trap_if(f, LLVMBuildNot(B, LLVMBuildAnd(B, lok, hok, ""), ""), WASM_TRAP_INT_OVERFLOW);
    LLVMTypeRef rt = is64 ? f->m->i64 : f->m->i32;
    return sgn ? LLVMBuildFPToSI(B, d, rt, "") : LLVMBuildFPToUI(B, d, rt, "");
}

static LLVMValueRef trunc_sat(struct jf *f, LLVMValueRef a, bool is64, bool sgn)
{
    LLVMTypeRef tys[] = {is64 ? f->m->i64 : f->m->i32, LLVMTypeOf(a)};
    return intrin(f, sgn ? "llvm.fptosi.sat" : "llvm.fptoui.sat", tys, 2, &a, 1);
}

static LLVMValueRef divrem(struct jf *f, uint16_t jop, LLVMValueRef a, LLVMValueRef b)
{
    LLVMBuilderRef B = f->B;
    LLVMTypeRef t = LLVMTypeOf(a);
    LLVMValueRef zero = LLVMConstInt(t, 0, 0), m1 = LLVMConstAllOnes(t);
    trap_if(f, LLVMBuildICmp(B, LLVMIntEQ, b, zero, ""), WASM_TRAP_DIV_ZERO);
    LLVMValueRef min = LLVMConstInt(t, t == f->m->i32 ? 1ull << 31 : 1ull << 63, 0);
    switch (jop) {
    case JOP_i32_div_s:
    case JOP_i64_div_s:
        trap_if(f,
                LLVMBuildAnd(B, LLVMBuildICmp(B, LLVMIntEQ, a, min, ""),
                             LLVMBuildICmp(B, LLVMIntEQ, b, m1, ""), ""),
                WASM_TRAP_INT_OVERFLOW);
        return LLVMBuildSDiv(B, a, b, "");
    case JOP_i32_div_u:
    case JOP_i64_div_u: return LLVMBuildUDiv(B, a, b, "");
    case JOP_i32_rem_s:
    case JOP_i64_rem_s: {
        /* b == -1 gives 0 (and avoids INT_MIN % -1): divide by 1 instead */
        LLVMValueRef ism1 = LLVMBuildICmp(B, LLVMIntEQ, b, m1, "");
        LLVMValueRef bb = LLVMBuildSelect(B, ism1, LLVMConstInt(t, 1, 0), b, "");
        return LLVMBuildSRem(B, a, bb, "");
    }
    default: return LLVMBuildURem(B, a, b, "");
    }
}

static LLVMValueRef shamt(struct jf *f, LLVMValueRef b)
{
    LLVMTypeRef t = LLVMTypeOf(b);
    return LLVMBuildAnd(f->B, b, LLVMConstInt(t, t == f->m->i32 ? 31 : 63, 0), "");
}

static LLVMValueRef unop(struct jf *f, uint16_t jop, LLVMValueRef a)
{
    LLVMBuilderRef B = f->B;
    struct jm *m = f->m;
    LLVMValueRef fl = LLVMConstInt(m->i1, 0, 0);
    switch (jop) {
    case JOP_i32_eqz: return bool32(f, LLVMBuildICmp(B, LLVMIntEQ, a, CI32(0), ""));
    case JOP_i64_eqz: return bool32(f, LLVMBuildICmp(B, LLVMIntEQ, a, CI64(0), ""));
    case JOP_i32_clz:
    case JOP_i64_clz: {
        LLVMValueRef args[] = {a, fl};
        LLVMTypeRef t = LLVMTypeOf(a);
        return intrin(f, "llvm.ctlz", &t, 1, args, 2);
    }
    case JOP_i32_ctz:
    case JOP_i64_ctz: {
        LLVMValueRef args[] = {a, fl};
        LLVMTypeRef t = LLVMTypeOf(a);
        return intrin(f, "llvm.cttz", &t, 1, args, 2);
    }
    case JOP_i32_popcnt:
    case JOP_i64_popcnt: return intrin1(f, "llvm.ctpop", a);
    case JOP_f32_abs: return LLVMBuildAnd(B, a, CI32(0x7fffffffu), "");
    case JOP_f32_neg: return LLVMBuildXor(B, a, CI32(0x80000000u), "");
    case JOP_f64_abs: return LLVMBuildAnd(B, a, CI64(0x7fffffffffffffffull), "");
    case JOP_f64_neg: return LLVMBuildXor(B, a, CI64(0x8000000000000000ull), "");
    case JOP_f32_ceil:
    case JOP_f64_ceil: return qnan(f, a, intrin1(f, "llvm.ceil", a));
    case JOP_f32_floor:
    case JOP_f64_floor: return qnan(f, a, intrin1(f, "llvm.floor", a));
    case JOP_f32_trunc:
    case JOP_f64_trunc: return qnan(f, a, intrin1(f, "llvm.trunc", a));
    case JOP_f32_nearest:
    case JOP_f64_nearest: return qnan(f, a, intrin1(f, "llvm.roundeven", a));
    case JOP_f32_sqrt:
    case JOP_f64_sqrt: return intrin1(f, "llvm.sqrt", a);
    case JOP_i32_trunc_f32_s:
    case JOP_i32_trunc_f64_s: return trunc_checked(f, a, false, true);
    case JOP_i32_trunc_f32_u:
    case JOP_i32_trunc_f64_u: return trunc_checked(f, a, false, false);
    case JOP_i64_trunc_f32_s:
    case JOP_i64_trunc_f64_s: return trunc_checked(f, a, true, true);
    case JOP_i64_trunc_f32_u:
    case JOP_i64_trunc_f64_u: return trunc_checked(f, a, true, false);
    case JOP_i32_trunc_sat_f32_s:
    case JOP_i32_trunc_sat_f64_s: return trunc_sat(f, a, false, true);
    case JOP_i32_trunc_sat_f32_u:
    case JOP_i32_trunc_sat_f64_u: return trunc_sat(f, a, false, false);
    case JOP_i64_trunc_sat_f32_s:
    case JOP_i64_trunc_sat_f64_s: return trunc_sat(f, a, true, true);
    case JOP_i64_trunc_sat_f32_u:
    case JOP_i64_trunc_sat_f64_u: return trunc_sat(f, a, true, false);
    case JOP_i64_extend_i32_s: return LLVMBuildSExt(B, a, m->i64, "");
    case JOP_i64_extend_i32_u: return LLVMBuildZExt(B, a, m->i64, "");
    case JOP_f32_convert_i32_s:
    case JOP_f32_convert_i64_s: return LLVMBuildSIToFP(B, a, m->f32, "");
    case JOP_f32_convert_i32_u:
    case JOP_f32_convert_i64_u: return LLVMBuildUIToFP(B, a, m->f32, "");
    case JOP_f64_convert_i32_s:
    case JOP_f64_convert_i64_s: return LLVMBuildSIToFP(B, a, m->f64, "");
    case JOP_f64_convert_i32_u:
    case JOP_f64_convert_i64_u: return LLVMBuildUIToFP(B, a, m->f64, "");
    case JOP_f32_demote_f64: return LLVMBuildFPTrunc(B, a, m->f32, "");
    case JOP_f64_promote_f32: return LLVMBuildFPExt(B, a, m->f64, "");
    case JOP_i32_extend8_s: return LLVMBuildSExt(B, LLVMBuildTrunc(B, a, m->i8, ""), m->i32, "");
    case JOP_i32_extend16_s: return LLVMBuildSExt(B, LLVMBuildTrunc(B, a, m->i16, ""), m->i32, "");
    case JOP_i64_extend8_s: return LLVMBuildSExt(B, LLVMBuildTrunc(B, a, m->i8, ""), m->i64, "");
    case JOP_i64_extend16_s: return LLVMBuildSExt(B, LLVMBuildTrunc(B, a, m->i16, ""), m->i64, "");
    case JOP_i64_extend32_s: return LLVMBuildSExt(B, LLVMBuildTrunc(B, a, m->i32, ""), m->i64, "");
    default: return NULL;
    }
}

static LLVMIntPredicate icmp_pred(uint16_t jop)
{
    switch (jop) {
    case JOP_i32_eq:
    case JOP_i64_eq: return LLVMIntEQ;
    case JOP_i32_ne:
    case JOP_i64_ne: return LLVMIntNE;
    case JOP_i32_lt_s:
    case JOP_i64_lt_s: return LLVMIntSLT;
    case JOP_i32_lt_u:
    case JOP_i64_lt_u: return LLVMIntULT;
    case JOP_i32_gt_s:
    case JOP_i64_gt_s: return LLVMIntSGT;
    case JOP_i32_gt_u:
    case JOP_i64_gt_u: return LLVMIntUGT;
    case JOP_i32_le_s:
    case JOP_i64_le_s: return LLVMIntSLE;
    case JOP_i32_le_u:
    case JOP_i64_le_u: return LLVMIntULE;
    case JOP_i32_ge_s:
    case JOP_i64_ge_s: return LLVMIntSGE;
    default: return LLVMIntUGE;
    }
}

static LLVMValueRef binop(struct jf *f, uint16_t jop, LLVMValueRef a, LLVMValueRef b)
{
    LLVMBuilderRef B = f->B;
    switch (jop) {
    case JOP_i32_eq ... JOP_i32_ge_u:
    case JOP_i64_eq ... JOP_i64_ge_u: return bool32(f, LLVMBuildICmp(B, icmp_pred(jop), a, b, ""));
    case JOP_f32_eq:
    case JOP_f64_eq: return bool32(f, LLVMBuildFCmp(B, LLVMRealOEQ, a, b, ""));
    case JOP_f32_ne:
    case JOP_f64_ne: return bool32(f, LLVMBuildFCmp(B, LLVMRealUNE, a, b, ""));
    case JOP_f32_lt:
    case JOP_f64_lt: return bool32(f, LLVMBuildFCmp(B, LLVMRealOLT, a, b, ""));
    case JOP_f32_gt:
    case JOP_f64_gt: return bool32(f, LLVMBuildFCmp(B, LLVMRealOGT, a, b, ""));
    case JOP_f32_le:
    case JOP_f64_le: return bool32(f, LLVMBuildFCmp(B, LLVMRealOLE, a, b, ""));
    case JOP_f32_ge:
    case JOP_f64_ge: return bool32(f, LLVMBuildFCmp(B, LLVMRealOGE, a, b, ""));
    case JOP_i32_add:
    case JOP_i64_add: return LLVMBuildAdd(B, a, b, "");
    case JOP_i32_sub:
    case JOP_i64_sub: return LLVMBuildSub(B, a, b, "");
    case JOP_i32_mul:
    case JOP_i64_mul: return LLVMBuildMul(B, a, b, "");
    case JOP_i32_div_s:
    case JOP_i32_div_u:
    case JOP_i32_rem_s:
    case JOP_i32_rem_u:
    case JOP_i64_div_s:
    case JOP_i64_div_u:
    case JOP_i64_rem_s:
    case JOP_i64_rem_u: return divrem(f, jop, a, b);
    case JOP_i32_and:
    case JOP_i64_and: return LLVMBuildAnd(B, a, b, "");
    case JOP_i32_or:
    case JOP_i64_or: return LLVMBuildOr(B, a, b, "");
    case JOP_i32_xor:
    case JOP_i64_xor: return LLVMBuildXor(B, a, b, "");
    case JOP_i32_shl:
    case JOP_i64_shl: return LLVMBuildShl(B, a, shamt(f, b), "");
    case JOP_i32_shr_s:
    case JOP_i64_shr_s: return LLVMBuildAShr(B, a, shamt(f, b), "");
    case JOP_i32_shr_u:
    case JOP_i64_shr_u: return LLVMBuildLShr(B, a, shamt(f, b), "");
    case JOP_i32_rotl:
    case JOP_i64_rotl:
    case JOP_i32_rotr:
    case JOP_i64_rotr: {
        LLVMValueRef args[] = {a, a, b};
        LLVMTypeRef t = LLVMTypeOf(a);
        bool l = jop == JOP_i32_rotl || jop == JOP_i64_rotl;
        return intrin(f, l ? "llvm.fshl" : "llvm.fshr", &t, 1, args, 3);
    }
    case JOP_f32_add:
    case JOP_f64_add: return LLVMBuildFAdd(B, a, b, "");
    case JOP_f32_sub:
    case JOP_f64_sub: return LLVMBuildFSub(B, a, b, "");
    case JOP_f32_mul:
    case JOP_f64_mul: return LLVMBuildFMul(B, a, b, "");
    case JOP_f32_div:
    case JOP_f64_div: return LLVMBuildFDiv(B, a, b, "");
    case JOP_f32_min:
    case JOP_f64_min: return fminmax(f, a, b, true);
    case JOP_f32_max:
    case JOP_f64_max: return fminmax(f, a, b, false);
    case JOP_f32_copysign:
        return LLVMBuildOr(B, LLVMBuildAnd(B, a, CI32(0x7fffffffu), ""),
                           LLVMBuildAnd(B, b, CI32(0x80000000u), ""), "");
    case JOP_f64_copysign:
        return LLVMBuildOr(B, LLVMBuildAnd(B, a, CI64(0x7fffffffffffffffull), ""),
                           LLVMBuildAnd(B, b, CI64(0x8000000000000000ull), ""), "");
    default: return NULL;
    }
}

/* ---- memory ---- */

static LLVMValueRef mem_addr(struct jf *f, const union wasm_cell *ip, uint32_t bytes, bool guard)
{
    LLVMBuilderRef B = f->B;
    LLVMValueRef ea = LLVMBuildAdd(B, LLVMBuildZExt(B, rd(f, ip[1].p.b, T_I32), f->m->i64, ""),
                                   CI64(ip[2].u64), "");
    if (!guard) {
        LLVMValueRef end = LLVMBuildAdd(B, ea, CI64(bytes), "");
        LLVMValueRef size = LLVMBuildLoad2(B, f->m->i64, f->memsize, "");
        trap_if(f, LLVMBuildICmp(B, LLVMIntUGT, end, size, ""), WASM_TRAP_MEMORY_OOB);
    }
    LLVMValueRef base = LLVMBuildLoad2(B, f->m->ptr, f->membase, "");
    return gep8(f, base, ea);
}

static LLVMTypeRef int_of_bytes(struct jf *f, uint32_t bytes)
{
    return bytes == 1 ? f->m->i8 : bytes == 2 ? f->m->i16 : bytes == 4 ? f->m->i32 : f->m->i64;
}

static void emit_load(struct jf *f, const union wasm_cell *ip, const struct opinfo *oi)
{
    LLVMValueRef p = mem_addr(f, ip, oi->bytes, oi->guard);
    LLVMValueRef v = LLVMBuildLoad2(f->B, int_of_bytes(f, oi->bytes), p, "");
    LLVMSetAlignment(v, 1);
    /* In guard mode the load itself is the bounds check: volatile keeps LLVM from deleting
     * one whose value is unused (which would lose the trap) or moving it. */
    if (oi->guard) LLVMSetVolatile(v, 1);
    LLVMTypeRef rt = (oi->tout == T_I64 || oi->tout == T_B64) ? f->m->i64 : f->m->i32;
    if (oi->bytes < (rt == f->m->i64 ? 8u : 4u))
        v = oi->sgn ? LLVMBuildSExt(f->B, v, rt, "") : LLVMBuildZExt(f->B, v, rt, "");
    wr(f, ip[1].p.a, rt == f->m->i64 ? T_I64 : T_I32, v);
}

static void emit_store(struct jf *f, const union wasm_cell *ip, const struct opinfo *oi)
{
    LLVMValueRef p = mem_addr(f, ip, oi->bytes, oi->guard);
    LLVMValueRef v = rd64(f, ip[1].p.a);
    if (oi->bytes < 8) v = LLVMBuildTrunc(f->B, v, int_of_bytes(f, oi->bytes), "");
    LLVMSetAlignment(LLVMBuildStore(f->B, v, p), 1);
}

/* ---- calls ---- */

static void after_call(struct jf *f, LLVMValueRef rc, uint32_t base, uint32_t nres)
{
    propagate(f, rc);
    LLVMBuildStore(f->B, f->codeconst, gep8(f, f->x, CI64(offsetof(struct wasm_jit_exec, code))));
    reload(f, base, nres);
    reload_mem(f);
}

static uint32_t type_slots(const struct wasm_functype *ft, bool results)
{
    uint32_t n = results ? ft->nresults : ft->nparams, s = 0;
    const uint8_t *t = results ? ft->results : ft->params;
    for (uint32_t i = 0; i < n; i++)
        s += t[i] == WASM_V128 ? 2 : 1;
    return s;
}

/* call through the generic helper: f_val is a struct wasm_func * */
static LLVMValueRef call_helper(struct jf *f, LLVMValueRef fv, uint32_t base)
{
    LLVMValueRef args[] = {
        f->x, f->inst, fv, fpslot(f, base), fpslot(f, f->code->frame_slots), f->codeconst};
    return LLVMBuildCall2(f->B, f->m->t_call, cptr(f, (const void *)wasm_jit_call_func), args, 6,
                          "");
}

static LLVMValueRef call_native(struct jf *f, LLVMValueRef fnp, LLVMValueRef inst, uint32_t base)
{
    LLVMValueRef args[] = {f->x, inst, fpslot(f, base), CI32(0)};
    return LLVMBuildCall2(f->B, f->m->fnty, fnp, args, 4, "");
}

static void emit_call(struct jf *f, const union wasm_cell *ip)
{
    const struct wasm_code *cc = ip[1].code;
    uint32_t base = ip[2].p.a;
    const struct wasm_module *mod = f->m->mod;
    const struct wasm_functype *ft = &mod->types[cc->type];
    spill(f, base, cc->param_slots);
    LLVMValueRef callee = f->m->fns[cc->func_index - mod->nimported_funcs], rc;
    if (callee) {
        rc = call_native(f, callee, f->inst, base);
    } else {
        LLVMValueRef funcs = field(f, f->inst, offsetof(struct wasm_instance, funcs), f->m->ptr);
        LLVMValueRef fv = field(f, funcs, (size_t)cc->func_index * sizeof(void *), f->m->ptr);
        rc = call_helper(f, fv, base);
    }
    after_call(f, rc, base, type_slots(ft, true));
}

static void emit_call_import(struct jf *f, const union wasm_cell *ip)
{
    uint32_t idx = ip[1].p.a, base = ip[1].p.b;
    const struct wasm_module *mod = f->m->mod;
    const struct wasm_functype *ft = &mod->types[mod->funcs[idx].type];
    spill(f, base, type_slots(ft, false));
    LLVMValueRef funcs = field(f, f->inst, offsetof(struct wasm_instance, funcs), f->m->ptr);
    LLVMValueRef fv = field(f, funcs, (size_t)idx * sizeof(void *), f->m->ptr);
    after_call(f, call_helper(f, fv, base), base, type_slots(ft, true));
}

static void emit_call_indirect(struct jf *f, const union wasm_cell *ip)
{
    LLVMBuilderRef B = f->B;
    struct jm *m = f->m;
    uint32_t ty = ip[1].p.a, tab = ip[1].p.b, base = ip[2].p.a;
    const struct wasm_functype *ft = &m->mod->types[ty];
    LLVMValueRef i = rd(f, ip[2].p.b, T_I32);
    LLVMValueRef tables = field(f, f->inst, offsetof(struct wasm_instance, tables), m->ptr);
    LLVMValueRef t = field(f, tables, (size_t)tab * sizeof(void *), m->ptr);
    LLVMValueRef size = field(f, t, offsetof(struct wasm_table, size), m->i32);
    trap_if(f, LLVMBuildICmp(B, LLVMIntUGE, i, size, ""), WASM_TRAP_TABLE_OOB);
    LLVMValueRef elems = field(f, t, offsetof(struct wasm_table, elems), m->ptr);
    LLVMValueRef off = LLVMBuildMul(B, LLVMBuildZExt(B, i, m->i64, ""), CI64(sizeof(void *)), "");
    LLVMValueRef fv = LLVMBuildLoad2(B, m->ptr, gep8(f, elems, off), "");
    trap_if(f, LLVMBuildIsNull(B, fv, ""), WASM_TRAP_UNINITIALIZED);
    LLVMValueRef tids = field(f, f->inst, offsetof(struct wasm_instance, type_ids), m->ptr);
    LLVMValueRef want = field(f, tids, (size_t)ty * sizeof(uint32_t), m->i32);
    LLVMValueRef have = field(f, fv, offsetof(struct wasm_func, type_id), m->i32);
    trap_if(f, LLVMBuildICmp(B, LLVMIntNE, want, have, ""), WASM_TRAP_INDIRECT_TYPE);
    spill(f, base, type_slots(ft, false));
    /* compiled callee: call its entry directly; anything else: the helper */
    LLVMValueRef code = field(f, fv, offsetof(struct wasm_func, code), m->ptr);
    LLVMBasicBlockRef has_code = new_bb(f), native = new_bb(f), slow = new_bb(f), join = new_bb(f);
    LLVMBuildCondBr(B, LLVMBuildIsNull(B, code, ""), slow, has_code);
    LLVMPositionBuilderAtEnd(B, has_code);
    LLVMValueRef np =
        LLVMBuildLoad2(B, m->ptr, gep8(f, code, CI64(offsetof(struct wasm_code, native))), "");
    LLVMSetOrdering(np, LLVMAtomicOrderingAcquire);
    LLVMSetAlignment(np, 8);
    LLVMBuildCondBr(B, LLVMBuildIsNull(B, np, ""), slow, native);
    LLVMPositionBuilderAtEnd(B, native);
    LLVMValueRef finst = field(f, fv, offsetof(struct wasm_func, inst), m->ptr);
    LLVMValueRef r1 = call_native(f, np, finst, base);
    LLVMBuildBr(B, join);
    LLVMPositionBuilderAtEnd(B, slow);
    LLVMValueRef r2 = call_helper(f, fv, base);
    LLVMBuildBr(B, join);
    LLVMPositionBuilderAtEnd(B, join);
    LLVMValueRef phi = LLVMBuildPhi(B, m->i32, "");
    LLVMValueRef vals[] = {r1, r2};
    LLVMBasicBlockRef bbs[] = {native, slow};
    LLVMAddIncoming(phi, vals, bbs, 2);
    after_call(f, phi, base, type_slots(ft, true));
}

/* ---- helpers done in C (tables, bulk memory): slots they read and write ---- */

struct misc_io {
    uint8_t nin, nout;
    uint8_t in[3]; /* (cell << 1) | half: half 0 = p.a, 1 = p.b */
    uint8_t out;
    bool mem;
};

static bool misc_io(int iop, struct misc_io *io)
{
    memset(io, 0, sizeof *io);
#define IN(c, h) io->in[io->nin++] = (uint8_t)((c) << 1 | (h))
    switch (iop) {
    case WASM_IOP_table_get: IN(1, 1), io->nout = 1, io->out = 1 << 1; break;
    case WASM_IOP_table_set: IN(1, 1), IN(2, 0); break;
    case WASM_IOP_table_size: io->nout = 1, io->out = 1 << 1; break;
    case WASM_IOP_table_grow: IN(2, 0), IN(2, 1), io->nout = 1, io->out = 1 << 1; break;
    case WASM_IOP_table_fill: IN(1, 1), IN(2, 0), IN(2, 1); break;
    case WASM_IOP_table_copy:
    case WASM_IOP_table_init: IN(2, 0), IN(2, 1), IN(3, 0); break;
    case WASM_IOP_elem_drop:
    case WASM_IOP_data_drop: break;
    case WASM_IOP_memory_grow: IN(1, 1), io->nout = 1, io->out = 1 << 1, io->mem = true; break;
    case WASM_IOP_memory_fill:
    case WASM_IOP_memory_copy: IN(1, 0), IN(1, 1), IN(2, 0); break;
    case WASM_IOP_memory_init: IN(1, 1), IN(2, 0), IN(2, 1); break;
    default: return false;
    }
#undef IN
    return true;
}

static uint32_t io_slot(const union wasm_cell *ip, uint8_t e)
{
    return (e & 1) ? ip[e >> 1].p.b : ip[e >> 1].p.a;
}

static void emit_misc(struct jf *f, const union wasm_cell *ip, int iop, const struct misc_io *io)
{
    for (uint32_t i = 0; i < io->nin; i++)
        spill(f, io_slot(ip, io->in[i]), 1);
    LLVMValueRef args[] = {f->x, f->inst, f->fp, cptr(f, ip), CI32(iop)};
    LLVMValueRef t =
        LLVMBuildCall2(f->B, f->m->t_misc, cptr(f, (const void *)wasm_jit_misc_op), args, 5, "");
    LLVMBasicBlockRef cont = new_bb(f), tb = new_bb(f);
    LLVMBuildCondBr(f->B, LLVMBuildICmp(f->B, LLVMIntNE, t, CI32(0), ""), tb, cont);
    LLVMPositionBuilderAtEnd(f->B, tb);
    LLVMValueRef rargs[] = {f->x, f->codeconst, t};
    LLVMBuildRet(f->B, LLVMBuildCall2(f->B, f->m->t_raise, cptr(f, (const void *)wasm_jit_raise),
                                      rargs, 3, ""));
    LLVMPositionBuilderAtEnd(f->B, cont);
    if (io->nout) reload(f, io_slot(ip, io->out), 1);
    if (io->mem) reload_mem(f);
}

/* ---- one instruction ---- */

static void depth_dec(struct jf *f)
{
    LLVMValueRef d = LLVMBuildLoad2(f->B, f->m->i32, f->depthp, "");
    LLVMBuildStore(f->B, LLVMBuildSub(f->B, d, CI32(1), ""), f->depthp);
}

static bool emit_fixed(struct jf *f, const union wasm_cell *cells, uint32_t at, int iop)
{
    const union wasm_cell *ip = &cells[at];
    LLVMBuilderRef B = f->B;
    struct jm *m = f->m;
    struct misc_io io;
    switch (iop) {
    case WASM_IOP_unreachable: LLVMBuildBr(B, trap_block(f, WASM_TRAP_UNREACHABLE)); return true;
    case WASM_IOP_copy: wr64(f, ip[1].p.a, rd64(f, ip[1].p.b)); return true;
    case WASM_IOP_copy2: {
        LLVMValueRef lo = rd64(f, ip[1].p.b), hi = rd64(f, ip[1].p.b + 1);
        wr64(f, ip[1].p.a, lo);
        wr64(f, ip[1].p.a + 1, hi);
        return true;
    }
    case WASM_IOP_moven: {
        uint32_t n = ip[2].u32;
        LLVMValueRef *tmp = malloc((n ? n : 1) * sizeof *tmp);
        if (!tmp) return false;
        for (uint32_t i = 0; i < n; i++)
            tmp[i] = rd64(f, ip[1].p.b + i);
        for (uint32_t i = 0; i < n; i++)
            wr64(f, ip[1].p.a + i, tmp[i]);
        free(tmp);
        return true;
    }
    case WASM_IOP_const64:
        wr64(f, ip[1].p.a, CI64(ip[2].u64));
        f->kgen[ip[1].p.a] = f->gen;
        f->kval[ip[1].p.a] = ip[2].u64;
        return true;
    case WASM_IOP_const128:
        wr64(f, ip[1].p.a, CI64(ip[2].u64));
        wr64(f, ip[1].p.a + 1, CI64(ip[3].u64));
        return true;
    case WASM_IOP_br: LLVMBuildBr(B, target(f, tgt_cell(cells, at + 1))); return true;
    case WASM_IOP_br_if:
    case WASM_IOP_br_unless: {
        LLVMValueRef c = LLVMBuildICmp(B, LLVMIntNE, rd(f, ip[1].p.a, T_I32), CI32(0), "");
        LLVMBasicBlockRef t = target(f, tgt_cell(cells, at + 2)), n = target(f, at + 3);
        if (iop == WASM_IOP_br_if)
            LLVMBuildCondBr(B, c, t, n);
        else
            LLVMBuildCondBr(B, c, n, t);
        return true;
    }
    case WASM_IOP_br_table: {
        uint32_t n = ip[1].p.b;
        LLVMValueRef sw =
            LLVMBuildSwitch(B, rd(f, ip[1].p.a, T_I32), target(f, tgt_cell(cells, at + 2 + n)), n);
        for (uint32_t i = 0; i < n; i++)
            LLVMAddCase(sw, CI32(i), target(f, tgt_cell(cells, at + 2 + i)));
        return true;
    }
    case WASM_IOP_ret:
        spill(f, 0, f->code->result_slots);
        depth_dec(f);
        LLVMBuildRet(B, CI32(0));
        return true;
    case WASM_IOP_call: emit_call(f, ip); return true;
    case WASM_IOP_call_import: emit_call_import(f, ip); return true;
    case WASM_IOP_call_indirect: emit_call_indirect(f, ip); return true;
    case WASM_IOP_select:
    case WASM_IOP_select2: {
        LLVMValueRef c = LLVMBuildICmp(B, LLVMIntNE, rd(f, ip[1].p.b, T_I32), CI32(0), "");
        uint32_t n = iop == WASM_IOP_select2 ? 2 : 1;
        LLVMValueRef v[2];
        for (uint32_t i = 0; i < n; i++)
            v[i] = LLVMBuildSelect(B, c, rd64(f, ip[2].p.a + i), rd64(f, ip[2].p.b + i), "");
        for (uint32_t i = 0; i < n; i++)
            wr64(f, ip[1].p.a + i, v[i]);
        return true;
    }
    case WASM_IOP_global_get:
    case WASM_IOP_global_set:
    case WASM_IOP_global_get2:
    case WASM_IOP_global_set2: {
        LLVMValueRef gs = field(f, f->inst, offsetof(struct wasm_instance, globals), m->ptr);
        LLVMValueRef g = field(f, gs, (size_t)ip[1].p.b * sizeof(void *), m->ptr);
        uint32_t n = (iop == WASM_IOP_global_get2 || iop == WASM_IOP_global_set2) ? 2 : 1;
        bool get = iop == WASM_IOP_global_get || iop == WASM_IOP_global_get2;
        for (uint32_t i = 0; i < n; i++) {
            LLVMValueRef p = gep8(f, g, CI64(offsetof(struct wasm_global, val) + 8 * i));
            if (get)
                wr64(f, ip[1].p.a + i, LLVMBuildLoad2(B, m->i64, p, ""));
            else
                LLVMBuildStore(B, rd64(f, ip[1].p.a + i), p);
        }
        return true;
    }
    case WASM_IOP_ref_is_null:
        wr(f, ip[1].p.a, T_I32,
           bool32(f, LLVMBuildICmp(B, LLVMIntEQ, rd64(f, ip[1].p.b), CI64(0), "")));
        return true;
    case WASM_IOP_ref_func: {
        LLVMValueRef funcs = field(f, f->inst, offsetof(struct wasm_instance, funcs), m->ptr);
        LLVMValueRef fv = field(f, funcs, (size_t)ip[1].p.b * sizeof(void *), m->i64);
        wr64(f, ip[1].p.a, fv);
        return true;
    }
    case WASM_IOP_memory_size:
        wr(f, ip[1].p.a, T_I32, field(f, f->mem0, offsetof(struct wasm_memory, pages), m->i32));
        return true;
    default:
        if (!misc_io(iop, &io)) return false;
        emit_misc(f, ip, iop, &io);
        return true;
    }
}

static bool emit_insn(struct jf *f, const union wasm_cell *cells, uint32_t at, int iop)
{
    const union wasm_cell *ip = &cells[at];
    const struct opinfo *oi = &g_info[iop];
    LLVMValueRef v;
    switch (oi->kind) {
    case K_FIXED: return emit_fixed(f, cells, at, iop);
    case K_SIMD_CONST: return emit_fixed(f, cells, at, WASM_IOP_const128);
    case K_UNOP:
        v = rd(f, ip[1].p.b, oi->tin);
        if (oi->jop == JOP_f32_demote_f64) v = fence(f, v); /* demote(promote x) is not x */
        v = unop(f, oi->jop, v);
        if (!v) return false;
        wr(f, ip[1].p.a, oi->tout, v);
        return true;
    case K_BINOP:
        v = binop(f, oi->jop, rdf(f, ip[1].p.b, oi->tin),
                  oi->ri ? imm(f, &ip[2], oi->tin) : rdf(f, ip[2].p.a, oi->tin));
        if (!v) return false;
        wr(f, ip[1].p.a, oi->tout, v);
        return true;
    case K_FUSED: {
        LLVMValueRef a = rd(f, ip[1].p.a, T_I32);
        LLVMValueRef b = oi->ri ? CI32(ip[1].p.b) : rd(f, ip[1].p.b, T_I32);
        LLVMValueRef c = LLVMBuildICmp(f->B, icmp_pred(oi->jop), a, b, "");
        LLVMBasicBlockRef t = target(f, tgt_cell(cells, at + 2)), n = target(f, at + 3);
        if (oi->bt)
            LLVMBuildCondBr(f->B, c, t, n);
        else
            LLVMBuildCondBr(f->B, c, n, t);
        return true;
    }
    case K_LOAD: emit_load(f, ip, oi); return true;
    case K_STORE: emit_store(f, ip, oi); return true;
    default: return false;
    }
}

/* ---- decoding pass ---- */

/* Length in cells of the instruction at ip, or 0 when the tier does not support it. */
static uint32_t insn_len(const union wasm_cell *ip, int iop)
{
    if (iop < 0) return 0;
    switch (g_info[iop].kind) {
    case K_UNOP: return 2;
    case K_BINOP:
    case K_LOAD:
    case K_STORE:
    case K_FUSED: return 3;
    case K_SIMD_CONST: return 4;
    case K_FIXED: break;
    default: return 0;
    }
    switch (iop) {
    case WASM_IOP_unreachable:
    case WASM_IOP_ret: return 1;
    case WASM_IOP_copy:
    case WASM_IOP_copy2:
    case WASM_IOP_br:
    case WASM_IOP_call_import:
    case WASM_IOP_global_get:
    case WASM_IOP_global_set:
    case WASM_IOP_global_get2:
    case WASM_IOP_global_set2:
    case WASM_IOP_ref_is_null:
    case WASM_IOP_ref_func:
    case WASM_IOP_table_size:
    case WASM_IOP_elem_drop:
    case WASM_IOP_memory_size:
    case WASM_IOP_memory_grow:
    case WASM_IOP_data_drop: return 2;
    case WASM_IOP_moven:
    case WASM_IOP_const64:
    case WASM_IOP_br_if:
    case WASM_IOP_br_unless:
    case WASM_IOP_call:
    case WASM_IOP_call_indirect:
    case WASM_IOP_select:
    case WASM_IOP_select2:
    case WASM_IOP_table_get:
    case WASM_IOP_table_set:
    case WASM_IOP_table_grow:
    case WASM_IOP_table_fill:
    case WASM_IOP_memory_fill:
    case WASM_IOP_memory_copy:
    case WASM_IOP_memory_init: return 3;
    case WASM_IOP_const128:
    case WASM_IOP_table_copy:
    case WASM_IOP_table_init: return 4;
    case WASM_IOP_br_table: return 3 + ip[1].p.b;
    default: return 0; /* halt */
    }
}

static void mark_target(struct jf *f, uint32_t from, uint32_t to)
{
    f->mark[to] |= M_BLOCK;
    if (to <= from) f->mark[to] |= M_LOOP;
}

/* Marks instruction starts, block starts and loop headers; false if unsupported. */
static bool scan(struct jf *f)
{
    const union wasm_cell *cells = f->code->cells;
    uint32_t n = f->code->ncells;
    f->mark[0] |= M_BLOCK;
    for (uint32_t at = 0; at < n;) {
        int iop = iop_of(cells[at].op);
        uint32_t len = insn_len(&cells[at], iop);
        if (!len || at + len > n) return false;
        f->mark[at] |= M_INSN;
        const struct opinfo *oi = &g_info[iop];
        bool ends = false;
        if (oi->kind == K_FUSED) {
            mark_target(f, at, tgt_cell(cells, at + 2));
            ends = true;
        } else if (oi->kind == K_FIXED) {
            switch (iop) {
            case WASM_IOP_br: mark_target(f, at, tgt_cell(cells, at + 1)), ends = true; break;
            case WASM_IOP_br_if:
            case WASM_IOP_br_unless:
                mark_target(f, at, tgt_cell(cells, at + 2)), ends = true;
                break;
            case WASM_IOP_br_table:
                for (uint32_t i = 0; i <= cells[at + 1].p.b; i++)
                    mark_target(f, at, tgt_cell(cells, at + 2 + i));
                ends = true;
                break;
            case WASM_IOP_ret:
            case WASM_IOP_unreachable: ends = true; break;
            default: break;
            }
        }
        at += len;
        if (ends && at < n) f->mark[at] |= M_BLOCK;
    }
    for (uint32_t at = 0; at < n; at++)
        if ((f->mark[at] & M_BLOCK) && !(f->mark[at] & M_INSN)) return false;
    return true;
}

/* ---- one function ---- */

static void emit_prologue(struct jf *f, LLVMBasicBlockRef *normal_out, LLVMBasicBlockRef *last_out)
{
    LLVMBuilderRef B = f->B;
    struct jm *m = f->m;
    const struct wasm_code *code = f->code;
    LLVMBasicBlockRef entry = new_bb(f);
    LLVMPositionBuilderAtEnd(B, entry);
    for (uint32_t i = 0; i < f->nslots; i++)
        f->slot[i] = LLVMBuildAlloca(B, m->i64, "");
    f->membase = LLVMBuildAlloca(B, m->ptr, "");
    f->memsize = LLVMBuildAlloca(B, m->i64, "");
    f->codeconst = cptr(f, code);
    f->depthp = field(f, f->x, offsetof(struct wasm_jit_exec, depth), m->ptr);
    f->mem0 =
        m->mod->nmemories ? field(f, f->inst, offsetof(struct wasm_instance, mem0), m->ptr) : NULL;
    LLVMBuildStore(B, f->codeconst, gep8(f, f->x, CI64(offsetof(struct wasm_jit_exec, code))));
    for (uint32_t i = 0; i < f->nslots; i++)
        wr64(f, i, CI64(0));
    LLVMBuildStore(B, LLVMConstNull(m->ptr), f->membase);
    LLVMBuildStore(B, CI64(0), f->memsize);
    reload_mem(f);

    f->prop_bb = new_bb(f);
    LLVMPositionBuilderAtEnd(B, f->prop_bb);
    f->prop_phi = LLVMBuildPhi(B, m->i32, "");
    LLVMBuildRet(B, f->prop_phi);

    /* normal entry: checks, then parameters */
    LLVMBasicBlockRef normal = new_bb(f);
    LLVMPositionBuilderAtEnd(B, normal);
    LLVMValueRef d = LLVMBuildLoad2(B, m->i32, f->depthp, "");
    LLVMValueRef maxd = field(f, f->x, offsetof(struct wasm_jit_exec, max_depth), m->i32);
    LLVMValueRef send = field(f, f->x, offsetof(struct wasm_jit_exec, stack_end), m->i64);
    LLVMValueRef nlim = field(f, f->x, offsetof(struct wasm_jit_exec, native_limit), m->i64);
    LLVMValueRef fend = LLVMBuildPtrToInt(B, fpslot(f, code->frame_slots), m->i64, "");
    LLVMValueRef zero = CI32(0);
    LLVMTypeRef pt = m->ptr;
    LLVMValueRef sp =
        LLVMBuildPtrToInt(B, intrin(f, "llvm.frameaddress", &pt, 1, &zero, 1), m->i64, "");
    LLVMValueRef bad = LLVMBuildOr(B, LLVMBuildICmp(B, LLVMIntUGE, d, maxd, ""),
                                   LLVMBuildICmp(B, LLVMIntUGT, fend, send, ""), "");
    bad = LLVMBuildOr(B, bad, LLVMBuildICmp(B, LLVMIntULT, sp, nlim, ""), "");
    trap_if(f, bad, WASM_TRAP_CALL_EXHAUSTED);
    LLVMBuildStore(B, LLVMBuildAdd(B, d, CI32(1), ""), f->depthp);
    reload(f, 0, code->param_slots);
    *normal_out = normal;
    *last_out = LLVMGetInsertBlock(B);
    LLVMPositionBuilderAtEnd(B, entry);
}

static bool emit_function(struct jf *f)
{
    const struct wasm_code *code = f->code;
    const union wasm_cell *cells = code->cells;
    uint32_t n = code->ncells;
    if (!scan(f)) return false;
    LLVMBasicBlockRef entry_bb, normal, normal_end;
    emit_prologue(f, &normal, &normal_end);
    entry_bb = LLVMGetInsertBlock(f->B);
    for (uint32_t at = 0; at < n; at++)
        if (f->mark[at] & M_BLOCK) f->bb[at] = new_bb(f);
    /* entry switch: 0 = call, k+1 = enter at loop header k with every slot from fp */
    LLVMBasicBlockRef bad = trap_block(f, WASM_TRAP_UNREACHABLE);
    LLVMPositionBuilderAtEnd(f->B, entry_bb);
    uint32_t nloops = 0;
    for (uint32_t at = 0; at < n; at++)
        nloops += (f->mark[at] & M_LOOP) != 0;
    /* entry 0: the normal prologue; anything else: one block reloads every slot from the
     * interpreter's frame and dispatches to the loop header (one reload, however many loops) */
    LLVMBasicBlockRef osr = nloops ? new_bb(f) : bad;
    LLVMBuildCondBr(f->B, LLVMBuildICmp(f->B, LLVMIntEQ, f->entry, CI32(0), ""), normal, osr);
    if (nloops) {
        LLVMPositionBuilderAtEnd(f->B, osr);
        reload(f, 0, f->nslots);
        LLVMValueRef sw = LLVMBuildSwitch(f->B, f->entry, bad, nloops);
        for (uint32_t at = 0; at < n; at++)
            if (f->mark[at] & M_LOOP) LLVMAddCase(sw, CI32(at + 1), f->bb[at]);
    }
    LLVMPositionBuilderAtEnd(f->B, normal_end);
    LLVMBuildBr(f->B, f->bb[0]);
    bool open = false;
    for (uint32_t at = 0; at < n;) {
        int iop = iop_of(cells[at].op);
        if (f->mark[at] & M_BLOCK) {
            f->gen++;
            if (open) LLVMBuildBr(f->B, f->bb[at]);
            LLVMPositionBuilderAtEnd(f->B, f->bb[at]);
            open = true;
        }
        if (!open) { /* unreachable code between a branch and the next target */
            LLVMPositionBuilderAtEnd(f->B, new_bb(f));
            open = true;
        }
        if (!emit_insn(f, cells, at, iop)) return false;
        if (LLVMGetBasicBlockTerminator(LLVMGetInsertBlock(f->B))) open = false;
        at += insn_len(&cells[at], iop);
    }
    if (open) LLVMBuildBr(f->B, trap_block(f, WASM_TRAP_UNREACHABLE));
    return true;
}

static bool compile_one(struct jm *m, uint32_t di, LLVMValueRef fn)
{
    const struct wasm_code *code = m->mod->funcs[m->mod->nimported_funcs + di].code;
    struct jf f = {.m = m, .B = m->B, .code = code, .fn = fn};
    f.x = LLVMGetParam(fn, 0);
    f.inst = LLVMGetParam(fn, 1);
    f.fp = LLVMGetParam(fn, 2);
    f.entry = LLVMGetParam(fn, 3);
    f.nslots = code->frame_slots;
    f.slot = calloc(f.nslots ? f.nslots : 1, sizeof *f.slot);
    f.bb = calloc(code->ncells ? code->ncells : 1, sizeof *f.bb);
    f.mark = calloc(code->ncells ? code->ncells : 1, 1);
    f.kgen = calloc(f.nslots ? f.nslots : 1, sizeof *f.kgen);
    f.kval = calloc(f.nslots ? f.nslots : 1, sizeof *f.kval);
    f.gen = 1;
    bool ok = f.slot && f.bb && f.mark && f.kgen && f.kval && code->ncells && emit_function(&f);
    free(f.kgen);
    free(f.kval);
    free(f.slot);
    free(f.bb);
    free(f.mark);
    return ok;
}

/* Quick pre-check so that a function with unsupported code never gets an LLVM body. */
static bool supported(const struct wasm_code *code)
{
    for (uint32_t at = 0; at < code->ncells;) {
        uint32_t len = insn_len(&code->cells[at], iop_of(code->cells[at].op));
        if (!len) return false;
        at += len;
    }
    return code->ncells != 0;
}

static void jm_types(struct jm *m)
{
    LLVMContextRef C = m->C;
    m->i1 = LLVMInt1TypeInContext(C);
    m->i8 = LLVMInt8TypeInContext(C);
    m->i16 = LLVMInt16TypeInContext(C);
    m->i32 = LLVMInt32TypeInContext(C);
    m->i64 = LLVMInt64TypeInContext(C);
    m->f32 = LLVMFloatTypeInContext(C);
    m->f64 = LLVMDoubleTypeInContext(C);
    m->ptr = LLVMPointerTypeInContext(C, 0);
    LLVMTypeRef p4[] = {m->ptr, m->ptr, m->ptr, m->i32};
    m->fnty = LLVMFunctionType(m->i32, p4, 4, 0);
    LLVMTypeRef pc[] = {m->ptr, m->ptr, m->ptr, m->ptr, m->ptr, m->ptr};
    m->t_call = LLVMFunctionType(m->i32, pc, 6, 0);
    LLVMTypeRef pm[] = {m->ptr, m->ptr, m->ptr, m->ptr, m->i32};
    m->t_misc = LLVMFunctionType(m->i32, pm, 5, 0);
    LLVMTypeRef pr[] = {m->ptr, m->ptr, m->i32};
    m->t_raise = LLVMFunctionType(m->i32, pr, 3, 0);
}

/* Builds the LLVM module; returns the number of functions given a body. */
static uint32_t build_module(struct jm *m)
{
    const struct wasm_module *mod = m->mod;
    uint32_t ndef = mod->nfuncs - mod->nimported_funcs, nok = 0;
    char name[64];
    for (uint32_t i = 0; i < ndef; i++) {
        const struct wasm_code *code = mod->funcs[mod->nimported_funcs + i].code;
        if (!code || !supported(code)) continue;
        snprintf(name, sizeof name, "%s%u", m->prefix, i);
        m->fns[i] = LLVMAddFunction(m->M, name, m->fnty);
    }
    unsigned nounwind = LLVMGetEnumAttributeKindForName("nounwind", 8);
    for (uint32_t i = 0; i < ndef; i++) {
        if (!m->fns[i]) continue;
        LLVMAddAttributeAtIndex(m->fns[i], LLVMAttributeFunctionIndex,
                                LLVMCreateEnumAttribute(m->C, nounwind, 0));
        /* supported() passed, so this fails only on allocation failure: give up the module */
        if (!compile_one(m, i, m->fns[i])) return 0;
        nok++;
    }
    return nok;
}

static int compile_locked(struct wasm_module *mod)
{
    uint32_t ndef = mod->nfuncs - mod->nimported_funcs;
    struct jm m = {.mod = mod};
    snprintf(m.prefix, sizeof m.prefix, "w%llu_", (unsigned long long)++g_seq);
    m.fns = calloc(ndef ? ndef : 1, sizeof *m.fns);
    if (!m.fns) return -ENOMEM;
    LLVMOrcThreadSafeContextRef tsc = LLVMOrcCreateNewThreadSafeContext();
    m.C = LLVMOrcThreadSafeContextGetContext(tsc);
    m.M = LLVMModuleCreateWithNameInContext(m.prefix, m.C);
    LLVMSetTarget(m.M, LLVMOrcLLJITGetTripleString(g_jit));
    LLVMSetDataLayout(m.M, LLVMOrcLLJITGetDataLayoutStr(g_jit));
    m.B = LLVMCreateBuilderInContext(m.C);
    jm_types(&m);
    uint32_t nok = build_module(&m);

    LLVMDisposeBuilder(m.B);
    int rc = -ENOTSUP;
    char *vmsg = NULL;
    if (nok && LLVMVerifyModule(m.M, LLVMReturnStatusAction, &vmsg)) {
        /* a bug of ours: say so once and leave the module interpreted */
        fprintf(stderr, "wasm jit: invalid IR (module stays interpreted): %.400s\n", vmsg);
        nok = 0;
    }
    LLVMDisposeMessage(vmsg);
    if (nok) {
        LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
        LLVMErrorRef e = LLVMRunPasses(m.M, "default<O2>", g_tm, po);
        LLVMDisposePassBuilderOptions(po);
        if (e) {
            llvm_err("optimising", e);
            LLVMDisposeModule(m.M);
            goto out;
        }
        struct wasm_jit_unit *u = calloc(1, sizeof *u);
        if (!u) {
            LLVMDisposeModule(m.M);
            rc = -ENOMEM;
            goto out;
        }
        LLVMOrcJITDylibRef jd = LLVMOrcLLJITGetMainJITDylib(g_jit);
        u->rt = LLVMOrcJITDylibCreateResourceTracker(jd);
        LLVMOrcThreadSafeModuleRef tsm = LLVMOrcCreateNewThreadSafeModule(m.M, tsc);
        e = LLVMOrcLLJITAddLLVMIRModuleWithRT(g_jit, u->rt, tsm);
        if (e) {
            llvm_err("adding module", e);
            LLVMOrcDisposeThreadSafeModule(tsm);
            LLVMOrcReleaseResourceTracker(u->rt);
            free(u);
            goto out;
        }
        mod->jit = u;
        rc = 0;
        char name[64];
        for (uint32_t i = 0; i < ndef; i++) {
            if (!m.fns[i]) continue;
            snprintf(name, sizeof name, "%s%u", m.prefix, i);
            LLVMOrcExecutorAddress addr = 0;
            e = LLVMOrcLLJITLookup(g_jit, &addr, name);
            if (e) {
                llvm_err("lookup", e);
                rc = -EINVAL;
                break;
            }
            __atomic_store_n(&mod->funcs[mod->nimported_funcs + i].code->native,
                             (void *)(uintptr_t)addr, __ATOMIC_RELEASE);
        }
    } else {
        LLVMDisposeModule(m.M);
    }
out:
    LLVMOrcDisposeThreadSafeContext(tsc);
    free(m.fns);
    return rc;
}

int wasm_jit_compile_module(struct wasm_module *mod)
{
    if (!wasm_jit_available()) return -ENOTSUP;
    pthread_mutex_lock(&g_lock);
    int rc = 0;
    if (!mod->jit_state) {
        rc = compile_locked(mod);
        mod->jit_state = rc ? 2 : 1;
    } else if (mod->jit_state == 2) {
        rc = -ENOTSUP;
    }
    pthread_mutex_unlock(&g_lock);
    return rc;
}

void wasm_jit_module_free(struct wasm_module *mod)
{
    if (!mod || !mod->jit) return;
    pthread_mutex_lock(&g_lock);
    LLVMErrorRef e = LLVMOrcResourceTrackerRemove(mod->jit->rt);
    if (e) llvm_err("freeing code", e);
    LLVMOrcReleaseResourceTracker(mod->jit->rt);
    pthread_mutex_unlock(&g_lock);
    free(mod->jit);
    mod->jit = NULL;
}
