/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sys.c - the exec's system calls: the dispatcher, and every call the shim answers itself
 * because it needs no host: memory (brk, mmap, munmap, mprotect, madvise), the thread's state
 * (arch_prctl, set_tid_address, set_robust_list), randomness (getrandom from RDRAND), identity
 * (uname, getpid, getuid, ...), limits (prlimit64), signal bookkeeping (rt_sigaction,
 * rt_sigprocmask, sigaltstack: recorded, never delivered; a signal the exec raises at itself
 * ends the Keep with 128 + N) and exit. Everything else goes to proxy.c.
 *
 * Memory never becomes writable and executable at once: mmap and mprotect refuse PROT_WRITE |
 * PROT_EXEC with EACCES, and the ELF loader refuses such a segment.
 */
#include "priv.h"

#define EPERM 1
#define ESRCH 3
#define EFAULT 14
#define EEXIST 17
#define EINVAL 22
#define ENOMEM 12
#define EACCES 13
#define ENODEV 19
#define ERANGE 34
#define ENOENT 2
#define ENOSYS 38
#define EAGAIN 11
#define ENOTTY 25

#define BRK_MAX (1ull << 30)

static uint64_t g_brk_start, g_brk_cur, g_mmap_top = MMAP_TOP, g_fs_base;
static uint64_t g_fd_bits[SHIM_FD_MAX / 64];

struct ksigaction {
    uint64_t handler, flags, restorer, mask;
};
static struct ksigaction g_sigact[65];
static uint64_t g_sigmask, g_altstack[3];

bool fd_is_open(int64_t fd)
{
    return fd >= 0 && fd < SHIM_FD_MAX && (g_fd_bits[fd / 64] >> (fd % 64)) & 1;
}

void fd_set_open(int64_t fd, bool open)
{
    if (fd < 0 || fd >= SHIM_FD_MAX) return;
    if (open)
        g_fd_bits[fd / 64] |= 1ull << (fd % 64);
    else
        g_fd_bits[fd / 64] &= ~(1ull << (fd % 64));
}

void sys_brk_init(uint64_t start)
{
    g_brk_start = g_brk_cur = start;
}

static int64_t sys_brk(uint64_t addr)
{
    if (addr < g_brk_start || addr > g_brk_start + BRK_MAX) return (int64_t)g_brk_cur;
    uint64_t old = PAGE_UP(g_brk_cur), new = PAGE_UP(addr);
    if (new > old && mm_map(old, new, PROT_READ | PROT_WRITE) != 0) return (int64_t)g_brk_cur;
    if (new < old && mm_map(new, old, -1) != 0) return (int64_t)g_brk_cur;
    g_brk_cur = addr;
    return (int64_t)addr;
}

static bool range_bad(uint64_t addr, uint64_t len)
{
    return addr % PAGE_SIZE || addr < USER_MIN || addr >= USER_MAX || len > USER_MAX - addr;
}

static int64_t sys_mmap(uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags, int64_t fd)
{
    if (!len || (prot & ~7ull) || (flags & 3) == 0) return -EINVAL;
    if ((prot & (PROT_WRITE | PROT_EXEC)) == (PROT_WRITE | PROT_EXEC)) return -EACCES;
    if (!(flags & 0x20) || fd != -1) return -ENODEV; /* only anonymous memory */
    if (len > USER_MAX) return -ENOMEM;
    len = PAGE_UP(len);
    if (flags & (0x10 | 0x100000)) { /* MAP_FIXED, MAP_FIXED_NOREPLACE */
        if (range_bad(addr, len)) return -EINVAL;
        if ((flags & 0x100000) && !(flags & 0x10)) {
            for (uint64_t p = addr; p < addr + len; p += PAGE_SIZE)
                if (mm_mapped(p, p + 1)) return -EEXIST;
        }
        mm_discard(addr, addr + len);
    } else {
        if (len > g_mmap_top - (g_brk_start + BRK_MAX)) return -ENOMEM;
        addr = g_mmap_top - len;
        g_mmap_top = addr;
    }
    if (mm_map(addr, addr + len, (int)prot) != 0) return -ENOMEM;
    return (int64_t)addr;
}

static int64_t sys_mprotect(uint64_t addr, uint64_t len, uint64_t prot)
{
    if (prot & ~7ull) return -EINVAL;
    if ((prot & (PROT_WRITE | PROT_EXEC)) == (PROT_WRITE | PROT_EXEC)) return -EACCES;
    len = PAGE_UP(len);
    if (range_bad(addr, len)) return -EINVAL;
    if (!mm_mapped(addr, addr + len)) return -ENOMEM;
    return mm_map(addr, addr + len, (int)prot);
}

static int64_t sys_munmap(uint64_t addr, uint64_t len)
{
    len = PAGE_UP(len);
    if (!len || range_bad(addr, len)) return -EINVAL;
    return mm_map(addr, addr + len, -1);
}

static int64_t sys_madvise(uint64_t addr, uint64_t len, uint64_t advice)
{
    len = PAGE_UP(len);
    if (range_bad(addr, len)) return -EINVAL;
    if (advice == 4 || advice == 8) mm_discard(addr, addr + len); /* DONTNEED, FREE */
    return 0;
}

static int64_t sys_arch_prctl(uint64_t code, uint64_t addr)
{
    switch (code) {
    case 0x1002: /* ARCH_SET_FS */
        if (addr >= USER_MAX) return -EPERM;
        g_fs_base = addr;
        wrmsr(0xc0000100, addr);
        return 0;
    case 0x1001: /* ARCH_SET_GS */
        if (addr >= USER_MAX) return -EPERM;
        wrmsr(0xc0000101, addr);
        return 0;
    case 0x1003: /* ARCH_GET_FS */ return copy_to_user(addr, &g_fs_base, 8);
    default: return -EINVAL;
    }
}

static int64_t sys_getrandom(uint64_t buf, uint64_t len, uint64_t flags)
{
    if (flags & ~7ull) return -EINVAL;
    if (len > (32u << 20)) len = 32u << 20;
    uint64_t chunk[32];
    for (uint64_t done = 0; done < len;) {
        for (int i = 0; i < 32; i++) {
            unsigned char ok = 0;
            for (int tries = 0; tries < 100 && !ok; tries++)
                __asm__ volatile("rdrand %0; setc %1" : "=r"(chunk[i]), "=qm"(ok));
            if (!ok) shim_abort(STATUS_SIGABRT, SHIM_ABORT_SHIM, "shim: RDRAND failed");
        }
        uint64_t n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);
        if (copy_to_user(buf + done, chunk, n) != 0) return done ? (int64_t)done : -EFAULT;
        done += n;
    }
    memset(chunk, 0, sizeof(chunk));
    return (int64_t)len;
}

static int64_t sys_uname(uint64_t buf)
{
    char u[6][65];
    memset(u, 0, sizeof(u));
    static const char *const f[6] = {"Linux",  "enarx", "6.1.0", "#1 enarx-c kvm shim",
                                     "x86_64", "(none)"};
    for (int i = 0; i < 6; i++)
        memcpy(u[i], f[i], strlen(f[i]));
    return copy_to_user(buf, u, sizeof(u));
}

static int64_t sys_rt_sigaction(uint64_t sig, uint64_t act, uint64_t oact, uint64_t size)
{
    if (size != 8 || sig < 1 || sig > 64 || ((sig == 9 || sig == 19) && act)) return -EINVAL;
    struct ksigaction n;
    if (act && copy_from_user(&n, act, sizeof(n)) != 0) return -EFAULT;
    if (oact && copy_to_user(oact, &g_sigact[sig], sizeof(n)) != 0) return -EFAULT;
    if (act) g_sigact[sig] = n;
    return 0;
}

static int64_t sys_rt_sigprocmask(uint64_t how, uint64_t set, uint64_t oset, uint64_t size)
{
    uint64_t n, old = g_sigmask;
    if (size != 8 || how > 2) return -EINVAL;
    if (set && copy_from_user(&n, set, 8) != 0) return -EFAULT;
    if (oset && copy_to_user(oset, &old, 8) != 0) return -EFAULT;
    if (set) g_sigmask = how == 0 ? old | n : how == 1 ? old & ~n : n;
    return 0;
}

static int64_t sys_sigaltstack(uint64_t ss, uint64_t old)
{
    uint64_t n[3];
    if (ss && copy_from_user(n, ss, sizeof(n)) != 0) return -EFAULT;
    if (old && copy_to_user(old, g_altstack, sizeof(n)) != 0) return -EFAULT;
    if (ss) memcpy(g_altstack, n, sizeof(n));
    return 0;
}

static int64_t sys_prlimit(uint64_t pid, uint64_t res, uint64_t nlim, uint64_t olim)
{
    if (pid > 1) return -ESRCH;
    if (res >= 16) return -EINVAL;
    if (nlim) return -EPERM;
    uint64_t inf = ~0ull, lim[2] = {inf, inf};
    if (res == 3) lim[0] = STACK_SIZE;                      /* RLIMIT_STACK */
    if (res == 7) lim[0] = lim[1] = SHIM_FD_MAX;            /* RLIMIT_NOFILE */
    if (res == 9 || res == 2) lim[0] = lim[1] = g_mem_size; /* RLIMIT_AS, RLIMIT_DATA */
    return olim ? copy_to_user(olim, lim, sizeof(lim)) : 0;
}

/* kill/tgkill aimed at itself (abort() raises SIGABRT): the default action ends the Keep. */
static int64_t sys_raise(uint64_t sig)
{
    if (sig > 64) return -EINVAL;
    if (!sig || g_sigact[sig].handler == 1 /* SIG_IGN */) return 0;
    if (sig == 17 || sig == 23 || sig == 28) return 0; /* ignored by default */
    shim_abort(128 + (int)sig, SHIM_ABORT_FAULT, "exec: raised signal %lu", sig);
}

static int64_t sys_local(uint64_t nr, const uint64_t a[6], bool *done)
{
    *done = true;
    switch (nr) {
    case 9: return sys_mmap(a[0], a[1], a[2], a[3], (int64_t)a[4]);
    case 10: return sys_mprotect(a[0], a[1], a[2]);
    case 11: return sys_munmap(a[0], a[1]);
    case 12: return sys_brk(a[0]);
    case 13: return sys_rt_sigaction(a[0], a[1], a[2], a[3]);
    case 14: return sys_rt_sigprocmask(a[0], a[1], a[2], a[3]);
    case 24: return 0;       /* sched_yield */
    case 25: return -ENOMEM; /* mremap: callers fall back to copying */
    case 28: return sys_madvise(a[0], a[1], a[2]);
    case 39:            /* getpid */
    case 186: return 1; /* gettid */
    case 110: return 0; /* getppid */
    case 102:           /* getuid */
    case 104:           /* getgid */
    case 107:           /* geteuid */
    case 108: return 0; /* getegid */
    case 60:            /* exit */
    case 231: shim_exit((int)a[0]);
    case 62: return a[0] <= 1 ? sys_raise(a[1]) : -ESRCH;  /* kill */
    case 200: return a[0] == 1 ? sys_raise(a[1]) : -ESRCH; /* tkill */
    case 234: return a[1] == 1 ? sys_raise(a[2]) : -ESRCH; /* tgkill */
    case 63: return sys_uname(a[0]);
    case 79: /* getcwd */
        if (a[1] < 2) return -ERANGE;
        return copy_to_user(a[0], "/", 2) ? -EFAULT : 2;
    case 89: return -ENOENT; /* readlink: no paths outside the pre-opened directories */
    case 97: return sys_prlimit(0, a[0], 0, a[1]);
    case 131: return sys_sigaltstack(a[0], a[1]);
    case 158: return sys_arch_prctl(a[0], a[1]);
    case 202: /* futex: one thread, so a wait would never end */
        return (a[1] & 0x7f) == 1 ? 0 : -EAGAIN;
    case 204: { /* sched_getaffinity: one CPU */
        uint64_t mask = 1;
        if (a[1] < 8) return -EINVAL;
        return copy_to_user(a[2], &mask, 8) ? -EFAULT : 8;
    }
    case 218: return 1; /* set_tid_address */
    case 229: {         /* clock_getres */
        uint64_t res[2] = {0, 1};
        if (a[0] > 7) return -EINVAL;
        return a[1] ? copy_to_user(a[1], res, sizeof(res)) : 0;
    }
    case 273: return 0; /* set_robust_list */
    case 302: return sys_prlimit(a[0], a[1], a[2], a[3]);
    case 318: return sys_getrandom(a[0], a[1], a[2]);
    case 334: return -ENOSYS; /* rseq */
    case 16:                  /* ioctl: terminal queries only (stdio buffering asks) */
        if (a[1] != 0x5401 && a[1] != 0x5413) return -ENOTTY;
        *done = false;
        return 0;
    default: *done = false; return 0;
    }
}

uint64_t shim_syscall(struct shim_syscall_frame *f)
{
    uint64_t a[6] = {f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9};
    bool done;
    int64_t r = sys_local(f->rax, a, &done);
    if (!done) r = proxy_syscall(f->rax, a);
    return (uint64_t)r;
}
