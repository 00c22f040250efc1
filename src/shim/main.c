/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - the shim's boot and its traps.
 *
 * The VMM enters shim_start in 64-bit mode on the boot page tables (entry.S) with the boot page
 * filled in. shim_main checks that page (it is not measured), sets up the CPU (GDT with ring-3
 * segments and a TSS, an IDT for exceptions 0-31, the SYSCALL MSRs, SSE and XSAVE for the
 * exec's code), builds the real page tables (mm.c), maps the exec's ELF segments from the image
 * the VMM placed at SHIM_EXEC_GPA, builds a Linux initial stack (argc, argv, envp, auxv) and
 * enters ring 3. From then on the shim runs only on SYSCALL and on exceptions.
 *
 * An exception the shim cannot resolve (demand paging is the one it can) ends the Keep with
 * SHIM_CHAN_ABORT: a status as a shell would show for the matching signal (139 for a page or
 * protection fault, 132 for an invalid opcode, 136 for a divide error) and a message naming the
 * fault, the address and the instruction pointer. It never hangs and never returns to ring 3.
 */
#include "priv.h"

extern char shim_stack_top[];
extern const uint64_t shim_isr_table[32];
extern void shim_syscall_entry(void);
NORETURN void shim_enter_user(uint64_t rip, uint64_t rsp);
void shim_main(void);
void shim_trap(struct shim_trap_frame *f);

/* The kernel stack (entry.S names its top) and a second one for double faults. */
__attribute__((aligned(16))) char shim_stack[64 * 1024];
__asm__(".globl shim_stack_top\n.set shim_stack_top, shim_stack + 65536");
__attribute__((aligned(16))) static char g_ist_stack[16 * 1024];
uint64_t g_user_rsp;

uint64_t g_mem_size;
bool g_has_rdrand, g_has_rdseed;
static struct shim_boot g_boot;

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3, iopb;
} __attribute__((packed));

static struct tss g_tss;
static uint64_t g_gdt[7] __attribute__((aligned(16)));
static uint64_t g_idt[64] __attribute__((aligned(16)));

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

static uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

NORETURN void shim_exit(int status)
{
    volatile struct shim_chan *c = (volatile struct shim_chan *)SHIM_CHAN_GPA;
    c->magic = SHIM_CHAN_MAGIC;
    c->nr = (uint64_t)(status & 0xff);
    chan_exit_to_host(SHIM_CHAN_EXIT);
    for (;;)
        __asm__ volatile("cli; hlt");
}

NORETURN void shim_abort(int status, uint32_t reason, const char *fmt, ...)
{
    volatile struct shim_chan *c = (volatile struct shim_chan *)SHIM_CHAN_GPA;
    char msg[SHIM_ABORT_MSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    shim_vfmt(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    c->magic = SHIM_CHAN_MAGIC;
    c->nr = (uint64_t)status;
    c->arg[0] = reason;
    memcpy((void *)c->msg, msg, sizeof(msg));
    chan_exit_to_host(SHIM_CHAN_ABORT);
    for (;;)
        __asm__ volatile("cli; hlt");
}

static void gdt_init(void)
{
    uint64_t base = (uint64_t)&g_tss, limit = sizeof(g_tss) - 1;
    g_gdt[1] = 0x00af9a000000ffffull; /* 0x08 ring-0 code, 64-bit */
    g_gdt[2] = 0x00cf92000000ffffull; /* 0x10 ring-0 data */
    g_gdt[3] = 0x00cff2000000ffffull; /* 0x18 ring-3 data (SYSRET: STAR[63:48] + 8) */
    g_gdt[4] = 0x00affa000000ffffull; /* 0x20 ring-3 code, 64-bit (STAR[63:48] + 16) */
    g_gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
               (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    g_gdt[6] = base >> 32;
    g_tss.rsp[0] = (uint64_t)shim_stack_top;
    g_tss.ist[0] = (uint64_t)(g_ist_stack + sizeof(g_ist_stack));
    g_tss.iopb = sizeof(g_tss);
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) gdtr = {sizeof(g_gdt) - 1, (uint64_t)g_gdt};
    __asm__ volatile("lgdt %0\n"
                     "pushq $0x08\n"
                     "leaq 1f(%%rip), %%rax\n"
                     "pushq %%rax\n"
                     "lretq\n"
                     "1: movl $0x10, %%eax\n"
                     "movl %%eax, %%ds\n"
                     "movl %%eax, %%es\n"
                     "movl %%eax, %%ss\n"
                     "xorl %%eax, %%eax\n"
                     "movl %%eax, %%fs\n"
                     "movl %%eax, %%gs\n"
                     "movw $0x28, %%ax\n"
                     "ltr %%ax\n"
                     :
                     : "m"(gdtr)
                     : "rax", "memory");
}

static void idt_init(void)
{
    for (int v = 0; v < 32; v++) {
        uint64_t off = shim_isr_table[v];
        uint64_t ist = (v == 2 || v == 8 || v == 18) ? 1 : 0;
        g_idt[2 * v] = (off & 0xffff) | (0x08ull << 16) | (ist << 32) | (0x8eull << 40) |
                       (((off >> 16) & 0xffff) << 48);
        g_idt[2 * v + 1] = off >> 32;
    }
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = {sizeof(g_idt) - 1, (uint64_t)g_idt};
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

/* SSE for the exec's code, and XSAVE with every state component KVM offers (x87, SSE, AVX,
 * AVX-512), so glibc's CPU-feature checks agree with what the CPU can run. */
static void fpu_init(void)
{
    uint64_t cr0, cr4;
    uint32_t r[4];
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    cr0 = (cr0 & ~(1ull << 2)) | (1ull << 1) | (1ull << 5); /* EM off, MP and NE on */
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    cr4 |= (1ull << 9) | (1ull << 10); /* OSFXSR, OSXMMEXCPT */
    cpuid(1, 0, r);
    g_has_rdrand = (r[2] >> 30) & 1;
    bool xsave = (r[2] >> 26) & 1;
    if (xsave) cr4 |= 1ull << 18; /* OSXSAVE */
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
    if (xsave) {
        uint32_t d[4];
        cpuid(0xd, 0, d);
        uint64_t xcr0 = d[0] & 0xe7u;
        if (!(xcr0 & 4)) xcr0 &= 3;
        __asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)xcr0), "d"((uint32_t)(xcr0 >> 32)));
    }
    cpuid(0, 0, r);
    if (r[0] >= 7) {
        cpuid(7, 0, r);
        g_has_rdseed = (r[1] >> 18) & 1;
    }
    /* FCW and MXCSR keep their reset values; fninit/ldmxcsr are not emulated by every KVM. */
}

static void syscall_init(void)
{
    wrmsr(0xc0000080, rdmsr(0xc0000080) | 1 | (1u << 11)); /* EFER.SCE, EFER.NXE */
    wrmsr(0xc0000081, (0x10ull << 48) | (0x08ull << 32));  /* STAR */
    wrmsr(0xc0000082, (uint64_t)shim_syscall_entry);       /* LSTAR */
    wrmsr(0xc0000084, 0x47700);                            /* FMASK: TF IF DF AC NT */
}

/* The boot page is the host's: copy it, then check every field before use. */
static void boot_check(void)
{
    memcpy(&g_boot, (const void *)SHIM_BOOT_GPA, sizeof(g_boot));
    if (g_boot.magic != SHIM_BOOT_MAGIC)
        shim_abort(STATUS_SIGABRT, SHIM_ABORT_BOOT, "shim: bad boot page magic");
    if (g_boot.mem_size < SHIM_MEM_MIN || g_boot.mem_size > SHIM_MEM_MAX ||
        g_boot.mem_size % (2u << 20))
        shim_abort(STATUS_SIGABRT, SHIM_ABORT_BOOT, "shim: bad guest memory size 0x%lx",
                   g_boot.mem_size);
    if (g_boot.exec_gpa != SHIM_EXEC_GPA || g_boot.exec_size < 64 ||
        g_boot.exec_size > g_boot.mem_size / 2)
        shim_abort(STATUS_SIGABRT, SHIM_ABORT_BOOT, "shim: bad exec image (size 0x%lx)",
                   g_boot.exec_size);
    if (g_boot.args_size > SHIM_BOOT_ARGS_SIZE || g_boot.argc == 0)
        shim_abort(STATUS_SIGABRT, SHIM_ABORT_BOOT, "shim: bad argument block");
    uint32_t strings = 0;
    for (uint32_t i = 0; i < g_boot.args_size; i++)
        strings += g_boot.args[i] == 0;
    if (strings != g_boot.argc + g_boot.envc ||
        (g_boot.args_size && g_boot.args[g_boot.args_size - 1] != 0))
        shim_abort(STATUS_SIGABRT, SHIM_ABORT_BOOT, "shim: argument block does not hold %u strings",
                   g_boot.argc + g_boot.envc);
    g_mem_size = g_boot.mem_size;
}

/* ELF64, only what a static executable needs. */
struct elf_ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

struct exec_info {
    uint64_t entry, phdr, phnum, end;
};

/* Maps the PT_LOAD segments of the image at SHIM_EXEC_GPA (static, ET_EXEC or static-pie). */
static struct exec_info exec_load(void)
{
    const uint8_t *img = dmap(g_boot.exec_gpa);
    uint64_t size = g_boot.exec_size;
    struct elf_ehdr eh;
    struct exec_info info = {0};
    memcpy(&eh, img, sizeof(eh));
    if (memcmp(eh.ident, "\177ELF\2\1", 6) != 0 || eh.machine != 62 ||
        (eh.type != 2 && eh.type != 3) || eh.phentsize != sizeof(struct elf_phdr) ||
        eh.phnum == 0 || eh.phnum > 64 || eh.phoff > size ||
        size - eh.phoff < (uint64_t)eh.phnum * sizeof(struct elf_phdr))
        shim_abort(STATUS_SIGABRT, SHIM_ABORT_BOOT, "shim: the exec is not an x86-64 ELF");
    uint64_t base = eh.type == 3 ? 0x10000000ull : 0, last_end = 0;
    for (uint16_t i = 0; i < eh.phnum; i++) {
        struct elf_phdr ph;
        memcpy(&ph, img + eh.phoff + i * sizeof(ph), sizeof(ph));
        if (ph.type == 6) info.phdr = base + ph.vaddr; /* PT_PHDR */
        if (ph.type == 3)                              /* PT_INTERP */
            shim_abort(STATUS_SIGABRT, SHIM_ABORT_BOOT, "shim: the exec is not static");
        if (ph.type != 1) continue;
        uint64_t va = base + ph.vaddr;
        if (ph.filesz > ph.memsz || ph.offset > size || size - ph.offset < ph.filesz ||
            (ph.vaddr - ph.offset) % PAGE_SIZE || va < USER_MIN || va >= MMAP_TOP ||
            ph.memsz > MMAP_TOP - va)
            shim_abort(STATUS_SIGABRT, SHIM_ABORT_BOOT, "shim: bad exec segment %u", i);
        if ((ph.flags & 3) == 3)
            shim_abort(STATUS_SIGABRT, SHIM_ABORT_BOOT,
                       "shim: exec segment %u is writable and executable", i);
        if (PAGE_DOWN(va) < last_end)
            shim_abort(STATUS_SIGABRT, SHIM_ABORT_BOOT, "shim: exec segments %u overlaps", i);
        int prot = (int)(((ph.flags & 4) ? PROT_READ : 0) | ((ph.flags & 2) ? PROT_WRITE : 0) |
                         ((ph.flags & 1) ? PROT_EXEC : 0));
        last_end = PAGE_UP(va + ph.memsz);
        if (mm_map(PAGE_DOWN(va), last_end, prot) != 0)
            shim_abort(STATUS_SIGABRT, SHIM_ABORT_MEMORY, "shim: cannot map exec segment %u", i);
        mm_load(va, img + ph.offset, ph.filesz);
        if (!info.phdr && eh.phoff >= ph.offset && eh.phoff - ph.offset < ph.filesz)
            info.phdr = va + (eh.phoff - ph.offset);
        if (last_end > info.end) info.end = last_end;
    }
    if (!info.end) shim_abort(STATUS_SIGABRT, SHIM_ABORT_BOOT, "shim: the exec has no segment");
    info.entry = base + eh.entry;
    info.phnum = eh.phnum;
    return info;
}

static uint64_t push_bytes(uint64_t *sp, const void *src, uint64_t n)
{
    *sp -= n;
    if (copy_to_user(*sp, src, n) != 0)
        shim_abort(STATUS_SIGABRT, SHIM_ABORT_MEMORY, "shim: cannot build the initial stack");
    return *sp;
}

static uint64_t rand64(void);

/* The Linux initial stack: argc, argv[], NULL, envp[], NULL, auxv pairs, AT_NULL. */
static uint64_t stack_build(const struct exec_info *x)
{
    if (mm_map(STACK_TOP - STACK_SIZE, STACK_TOP, PROT_READ | PROT_WRITE) != 0)
        shim_abort(STATUS_SIGABRT, SHIM_ABORT_MEMORY, "shim: cannot map the stack");
    uint64_t sp = STACK_TOP, strs[SHIM_BOOT_ARGS_SIZE / 2 + 2];
    uint32_t n = 0;
    for (uint32_t off = 0; off < g_boot.args_size;) {
        uint64_t len = strlen((const char *)g_boot.args + off) + 1;
        strs[n++] = off;
        off += (uint32_t)len;
    }
    uint64_t args = push_bytes(&sp, g_boot.args, g_boot.args_size);
    uint64_t platform = push_bytes(&sp, "x86_64", 7);
    uint64_t rnd[2] = {rand64(), rand64()};
    uint64_t random = push_bytes(&sp, rnd, sizeof(rnd));
    uint32_t r[4];
    cpuid(1, 0, r);
    uint64_t auxv[][2] = {
        {3, x->phdr},  {4, sizeof(struct elf_phdr)},
        {5, x->phnum}, {6, PAGE_SIZE},
        {7, 0},        {8, 0},
        {9, x->entry}, {11, 0},
        {12, 0},       {13, 0},
        {14, 0},       {15, platform},
        {16, r[3]},    {17, 100},
        {23, 0},       {25, random},
        {26, 0},       {31, args},
        {0, 0},
    };
    uint64_t words = 1 + g_boot.argc + 1 + g_boot.envc + 1 + 2 * ARRAY_SIZE(auxv);
    sp = (sp - words * 8) & ~15ull;
    uint64_t w = sp;
#define PUT(val)                                                                                   \
    do {                                                                                           \
        uint64_t val_ = (val);                                                                     \
        if (copy_to_user(w, &val_, 8) != 0)                                                        \
            shim_abort(STATUS_SIGABRT, SHIM_ABORT_MEMORY, "shim: cannot build the initial stack"); \
        w += 8;                                                                                    \
    } while (0)
    PUT(g_boot.argc);
    for (uint32_t i = 0; i < g_boot.argc; i++)
        PUT(args + strs[i]);
    PUT(0);
    for (uint32_t i = 0; i < g_boot.envc; i++)
        PUT(args + strs[g_boot.argc + i]);
    PUT(0);
    for (size_t i = 0; i < ARRAY_SIZE(auxv); i++) {
        PUT(auxv[i][0]);
        PUT(auxv[i][1]);
    }
#undef PUT
    return sp;
}

static uint64_t rand64(void)
{
    uint64_t v = 0;
    for (int i = 0; i < 100; i++) {
        unsigned char ok;
        __asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
        if (ok) return v;
    }
    shim_abort(STATUS_SIGABRT, SHIM_ABORT_BOOT, "shim: RDRAND gives no randomness");
}

void shim_main(void)
{
    boot_check();
    gdt_init();
    idt_init();
    fpu_init();
    syscall_init();
    if (!g_has_rdrand) shim_abort(STATUS_SIGABRT, SHIM_ABORT_BOOT, "shim: the CPU has no RDRAND");
    mm_init(g_boot.mem_size, PAGE_UP(g_boot.exec_gpa + g_boot.exec_size));
    struct exec_info x = exec_load();
    sys_brk_init(x.end);
    for (int fd = 0; fd <= SHIM_JOB_FD; fd++)
        fd_set_open(fd, true);
    uint64_t sp = stack_build(&x);
    shim_enter_user(x.entry, sp);
}

static const char *const g_exc_names[32] = {
    [0] = "divide error",
    [1] = "debug exception",
    [2] = "NMI",
    [3] = "breakpoint",
    [4] = "overflow",
    [5] = "bound range exceeded",
    [6] = "invalid opcode",
    [7] = "device not available",
    [8] = "double fault",
    [10] = "invalid TSS",
    [11] = "segment not present",
    [12] = "stack fault",
    [13] = "general protection fault",
    [14] = "page fault",
    [16] = "x87 floating-point error",
    [17] = "alignment check",
    [18] = "machine check",
    [19] = "SIMD floating-point exception",
    [21] = "control protection exception",
};

static int exc_status(uint64_t vec)
{
    switch (vec) {
    case 0:
    case 16:
    case 19: return STATUS_SIGFPE;
    case 6: return STATUS_SIGILL;
    case 3:
    case 1: return 133; /* SIGTRAP */
    default: return STATUS_SIGSEGV;
    }
}

void shim_trap(struct shim_trap_frame *f)
{
    bool user = (f->cs & 3) == 3;
    uint64_t cr2 = 0;
    const char *name = f->vec < 32 && g_exc_names[f->vec] ? g_exc_names[f->vec] : "exception";
    if (f->vec == 14) {
        __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
        if (user && mm_fault(cr2, f->err & 2, f->err & 16)) return;
        shim_abort(
            user ? STATUS_SIGSEGV : STATUS_SIGABRT, user ? SHIM_ABORT_FAULT : SHIM_ABORT_SHIM,
            "%s: page fault at address 0x%lx (%s, %s) rip 0x%lx", user ? "exec" : "shim", cr2,
            (f->err & 16)  ? "instruction fetch"
            : (f->err & 2) ? "write"
                           : "read",
            (f->err & 1) ? "protection violation" : "page not mapped", f->rip);
    }
    shim_abort(user ? exc_status(f->vec) : STATUS_SIGABRT,
               user ? SHIM_ABORT_FAULT : SHIM_ABORT_SHIM,
               "%s: %s (vector %lu, error 0x%lx) at rip 0x%lx rsp 0x%lx", user ? "exec" : "shim",
               name, f->vec, f->err, f->rip, f->rsp);
}
