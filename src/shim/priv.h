/* SPDX-License-Identifier: Apache-2.0 */
/*
 * priv.h - the shim's internal interfaces (freestanding: no libc, one CPU, no interrupts).
 *
 *  main.c   boot: checks the boot page, CPU setup (GDT, TSS, IDT, SYSCALL MSRs, SSE/XSAVE),
 *           loads the exec, builds its stack, enters ring 3; traps; aborting the Keep
 *  mm.c     physical pages, page tables, the exec's mappings (VMAs), demand paging, user copies
 *  sys.c    the system-call dispatcher and the calls served inside the shim
 *  proxy.c  the calls proxied to the host through the channel, and every check on the replies
 *  lib.c    memcpy/memset/strlen and a small formatter
 */
#ifndef ENARX_SHIM_PRIV_H
#define ENARX_SHIM_PRIV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shim.h"

#define NORETURN __attribute__((noreturn))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PAGE_SIZE 4096ull
#define PAGE_DOWN(x) ((x) & ~(PAGE_SIZE - 1))
#define PAGE_UP(x) (((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))

/* The exec's virtual address space: [USER_MIN, USER_MAX). The direct map of guest memory
 * (supervisor only) is at DMAP_BASE; the shim itself is identity-mapped below USER_MIN. */
#define USER_MIN 0x400000ull
#define USER_MAX 0x400000000000ull
#define DMAP_BASE 0x400000000000ull
#define STACK_TOP 0x3ffffff00000ull
#define STACK_SIZE (8ull << 20)
#define MMAP_TOP 0x3fff00000000ull

/* Linux's protection bits. */
#define PROT_READ 1u
#define PROT_WRITE 2u
#define PROT_EXEC 4u

/* Statuses of an aborted Keep (shim.h's SHIM_CHAN_ABORT); arg[0] is the reason. */
#define STATUS_SIGILL 132
#define STATUS_SIGABRT 134
#define STATUS_SIGFPE 136
#define STATUS_SIGSEGV 139

/* lib.c */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
/* vsnprintf's small sibling: %s %c %d %u %x %p with l/ll, and a width for x. */
size_t shim_vfmt(char *buf, size_t size, const char *fmt, va_list ap);
size_t shim_fmt(char *buf, size_t size, const char *fmt, ...);

/* main.c */
struct shim_trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vec, err, rip, cs, rflags, rsp, ss;
};
/* Ends the Keep: status and reason go to the host with the formatted message. */
NORETURN void shim_abort(int status, uint32_t reason, const char *fmt, ...);
NORETURN void shim_exit(int status);
extern uint64_t g_mem_size;
extern bool g_has_rdrand, g_has_rdseed;

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* mm.c */
void mm_init(uint64_t mem_size, uint64_t free_start);
/* A zeroed physical page (its direct-map address is dmap(pa)), or 0 when memory is full. */
uint64_t mm_page_alloc(void);
static inline void *dmap(uint64_t pa)
{
    return (void *)(DMAP_BASE + pa);
}
/* Sets [start, end) (page-aligned) to prot, or unmaps it with prot < 0; frees what it drops. */
int mm_map(uint64_t start, uint64_t end, int prot);
/* Is [start, end) entirely covered by mappings? */
bool mm_mapped(uint64_t start, uint64_t end);
/* Demand paging: makes va accessible for this access if a mapping allows it. */
bool mm_fault(uint64_t va, bool write, bool exec);
/* Copies size bytes to the exec's va whatever the mapping's protection (loading the ELF). */
void mm_load(uint64_t va, const void *src, uint64_t size);
/* Frees the pages of [start, end) but keeps the mapping (reads as zero again). */
void mm_discard(uint64_t start, uint64_t end);
/* Can the exec's memory [va, va+size) be read (or written)? Faults the pages in. */
bool mm_user_ok(uint64_t va, uint64_t size, bool write);
/* Copies that check the exec's side first; 0 or -EFAULT. */
int copy_from_user(void *dst, uint64_t uva, uint64_t size);
int copy_to_user(uint64_t uva, const void *src, uint64_t size);
/* A NUL-terminated string of at most max bytes (NUL included): its length, or -EFAULT,
 * -ENAMETOOLONG. */
int64_t strncpy_from_user(char *dst, uint64_t uva, uint64_t max);

/* sys.c */
struct shim_syscall_frame {
    uint64_t rax, rdi, rsi, rdx, r10, r8, r9, r11, rcx, rsp;
};
uint64_t shim_syscall(struct shim_syscall_frame *f);
void sys_brk_init(uint64_t start);
/* The fds the exec has open (as far as the shim knows: the host's replies must agree). */
bool fd_is_open(int64_t fd);
void fd_set_open(int64_t fd, bool open);

/* proxy.c */
/* Serves nr through the host; the return value is the exec's result. */
int64_t proxy_syscall(uint64_t nr, const uint64_t a[6]);
/* One round trip with the header already filled in; returns the checked reply header. */
void chan_exit_to_host(uint32_t kind);

#endif
