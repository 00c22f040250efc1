/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mm.c - the shim's memory: guest-physical pages, the page tables, and the exec's mappings.
 *
 * Physical pages: one bit each (g_bitmap); everything below the end of the exec's image is
 * taken at boot (boot page, channel, shim, image). The page tables are 4-level: the shim
 * identity-mapped below USER_MIN (supervisor), all guest memory at DMAP_BASE (supervisor, 2 MiB
 * pages, never executable), and the exec's pages (user) wherever its mappings are.
 *
 * The exec's mappings are a sorted array of VMAs (start, end, prot); a page is allocated only
 * when first touched (demand paging in the page-fault handler, or a user copy), so a PROT_NONE
 * reservation of many GiB (the engine's guard regions) costs nothing. A leaf PTE that owns a
 * page carries PTE_OWNED; with PROT_NONE it stays non-present but keeps its page, so mprotect
 * back to read/write finds the contents again. Writable-and-executable is refused by the
 * callers (sys.c), so no page is ever W and X at once.
 */
#include "priv.h"

#define PTE_P 1ull
#define PTE_W 2ull
#define PTE_U 4ull
#define PTE_PS 0x80ull
#define PTE_OWNED 0x200ull
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

#define VMA_MAX 1024

struct vma {
    uint64_t start, end;
    int prot;
};

static uint64_t g_bitmap[SHIM_MEM_MAX / PAGE_SIZE / 64];
static uint64_t g_npages, g_hint, g_pml4;
static struct vma g_vma[VMA_MAX], g_tmp[VMA_MAX];
static int g_nvma;

static void invlpg(uint64_t va)
{
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

uint64_t mm_page_alloc(void)
{
    uint64_t words = (g_npages + 63) / 64;
    for (uint64_t n = 0; n < words; n++) {
        uint64_t w = (g_hint + n) % words;
        if (g_bitmap[w] == ~0ull) continue;
        uint64_t i = w * 64 + (uint64_t)__builtin_ctzll(~g_bitmap[w]);
        if (i >= g_npages) continue;
        g_bitmap[w] |= 1ull << (i % 64);
        g_hint = w;
        memset(dmap(i * PAGE_SIZE), 0, PAGE_SIZE);
        return i * PAGE_SIZE;
    }
    return 0;
}

static void page_free(uint64_t pa)
{
    uint64_t i = pa / PAGE_SIZE;
    if (i < g_npages) g_bitmap[i / 64] &= ~(1ull << (i % 64));
}

static uint64_t page_alloc_or_abort(void)
{
    uint64_t pa = mm_page_alloc();
    if (!pa)
        shim_abort(STATUS_SIGSEGV, SHIM_ABORT_MEMORY, "shim: out of guest memory (%lu MiB)",
                   g_mem_size >> 20);
    return pa;
}

/* The entry for va at level (4 = PML4 ... 1 = PT), creating tables on the way if asked. */
static uint64_t *walk(uint64_t va, int level, bool create)
{
    uint64_t *table = dmap(g_pml4);
    for (int l = 4; l > level; l--) {
        uint64_t *e = &table[(va >> (12 + 9 * (l - 1))) & 511];
        if (!(*e & PTE_P)) {
            if (!create) return 0;
            *e = page_alloc_or_abort() | PTE_P | PTE_W | PTE_U;
        }
        table = dmap(*e & PTE_ADDR);
    }
    return &table[(va >> (12 + 9 * (level - 1))) & 511];
}

void mm_init(uint64_t mem_size, uint64_t free_start)
{
    g_npages = mem_size / PAGE_SIZE;
    for (uint64_t i = 0; i < free_start / PAGE_SIZE; i++)
        g_bitmap[i / 64] |= 1ull << (i % 64);
    g_hint = free_start / PAGE_SIZE / 64;
    g_pml4 = page_alloc_or_abort();
    for (uint64_t va = PAGE_SIZE; va < USER_MIN; va += PAGE_SIZE)
        *walk(va, 1, true) = va | PTE_P | PTE_W;
    for (uint64_t pa = 0; pa < mem_size; pa += 2ull << 20)
        *walk(DMAP_BASE + pa, 2, true) = pa | PTE_P | PTE_W | PTE_PS | PTE_NX;
    __asm__ volatile("mov %0, %%cr3" : : "r"(g_pml4) : "memory");
}

static uint64_t pte_flags(int prot)
{
    if (!prot) return 0;
    return PTE_P | PTE_U | ((prot & PROT_WRITE) ? PTE_W : 0) | ((prot & PROT_EXEC) ? 0 : PTE_NX);
}

/* Applies prot to the pages [start, end) owns, or frees them when prot < 0. */
static void range_apply(uint64_t start, uint64_t end, int prot)
{
    for (uint64_t va = start; va < end;) {
        uint64_t *pte = walk(va, 1, false);
        if (!pte) {
            va = (va | 0x1fffffull) + 1;
            continue;
        }
        if (*pte & PTE_OWNED) {
            uint64_t pa = *pte & PTE_ADDR;
            if (prot < 0) {
                page_free(pa);
                *pte = 0;
            } else {
                *pte = pa | PTE_OWNED | pte_flags(prot);
            }
            invlpg(va);
        }
        va += PAGE_SIZE;
    }
}

static int vma_push(int n, uint64_t start, uint64_t end, int prot)
{
    if (start >= end) return n;
    if (n > 0 && g_tmp[n - 1].end == start && g_tmp[n - 1].prot == prot) {
        g_tmp[n - 1].end = end;
        return n;
    }
    if (n >= VMA_MAX) return -1;
    g_tmp[n] = (struct vma){start, end, prot};
    return n + 1;
}

int mm_map(uint64_t start, uint64_t end, int prot)
{
    /* The pieces of old mappings left of start, the new one, the pieces right of end. */
    int n = 0;
    for (int i = 0; i < g_nvma && n >= 0; i++)
        if (g_vma[i].start < start)
            n = vma_push(n, g_vma[i].start, g_vma[i].end < start ? g_vma[i].end : start,
                         g_vma[i].prot);
    if (n >= 0 && prot >= 0) n = vma_push(n, start, end, prot);
    for (int i = 0; i < g_nvma && n >= 0; i++)
        if (g_vma[i].end > end)
            n = vma_push(n, g_vma[i].start > end ? g_vma[i].start : end, g_vma[i].end,
                         g_vma[i].prot);
    if (n < 0) return -12; /* ENOMEM: too many mappings */
    memcpy(g_vma, g_tmp, (size_t)n * sizeof(g_vma[0]));
    g_nvma = n;
    range_apply(start, end, prot);
    return 0;
}

static const struct vma *vma_find(uint64_t va)
{
    int lo = 0, hi = g_nvma;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (g_vma[mid].end <= va)
            lo = mid + 1;
        else if (g_vma[mid].start > va)
            hi = mid;
        else
            return &g_vma[mid];
    }
    return 0;
}

bool mm_mapped(uint64_t start, uint64_t end)
{
    while (start < end) {
        const struct vma *v = vma_find(start);
        if (!v) return false;
        start = v->end;
    }
    return true;
}

void mm_discard(uint64_t start, uint64_t end)
{
    range_apply(start, end, -1);
}

bool mm_fault(uint64_t va, bool write, bool exec)
{
    if (va < USER_MIN || va >= USER_MAX) return false;
    const struct vma *v = vma_find(va);
    if (!v || !v->prot || (write && !(v->prot & PROT_WRITE)) || (exec && !(v->prot & PROT_EXEC)))
        return false;
    uint64_t *pte = walk(va, 1, true);
    if (*pte & PTE_P) return false;
    uint64_t pa = (*pte & PTE_OWNED) ? (*pte & PTE_ADDR) : page_alloc_or_abort();
    *pte = pa | PTE_OWNED | pte_flags(v->prot);
    invlpg(PAGE_DOWN(va));
    return true;
}

void mm_load(uint64_t va, const void *src, uint64_t size)
{
    const uint8_t *s = src;
    while (size) {
        uint64_t *pte = walk(va, 1, true);
        if (!(*pte & PTE_OWNED)) {
            const struct vma *v = vma_find(va);
            *pte = page_alloc_or_abort() | PTE_OWNED | pte_flags(v ? v->prot : 0);
            invlpg(PAGE_DOWN(va));
        }
        uint64_t off = va % PAGE_SIZE, n = PAGE_SIZE - off;
        if (n > size) n = size;
        memcpy((uint8_t *)dmap(*pte & PTE_ADDR) + off, s, n);
        va += n;
        s += n;
        size -= n;
    }
}

bool mm_user_ok(uint64_t va, uint64_t size, bool write)
{
    if (!size) return true;
    if (va < USER_MIN || va >= USER_MAX || size > USER_MAX - va) return false;
    for (uint64_t p = PAGE_DOWN(va); p < va + size; p += PAGE_SIZE) {
        uint64_t *pte = walk(p, 1, false);
        if (pte && (*pte & PTE_P) && (!write || (*pte & PTE_W))) continue;
        if (!mm_fault(p, write, false)) return false;
    }
    return true;
}

int copy_from_user(void *dst, uint64_t uva, uint64_t size)
{
    if (!mm_user_ok(uva, size, false)) return -14;
    memcpy(dst, (const void *)uva, size);
    return 0;
}

int copy_to_user(uint64_t uva, const void *src, uint64_t size)
{
    if (!mm_user_ok(uva, size, true)) return -14;
    memcpy((void *)uva, src, size);
    return 0;
}

int64_t strncpy_from_user(char *dst, uint64_t uva, uint64_t max)
{
    for (uint64_t i = 0; i < max; i++) {
        if ((i == 0 || (uva + i) % PAGE_SIZE == 0) && !mm_user_ok(uva + i, 1, false)) return -14;
        dst[i] = *(const char *)(uva + i);
        if (!dst[i]) return (int64_t)i;
    }
    return -36; /* ENAMETOOLONG */
}
