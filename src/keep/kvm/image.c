/* SPDX-License-Identifier: Apache-2.0 */
/*
 * image.c - what the guest's memory holds before its first instruction, page by page.
 *
 * The shim's PT_LOAD segments go at their addresses (inside [SHIM_BASE_GPA, SHIM_EXEC_GPA));
 * the exec's ELF file goes byte for byte at SHIM_EXEC_GPA (the shim maps its segments itself).
 * kvm_image_pages walks those pages in GPA order and is the one description of the layout: the
 * VMM copies each page into guest memory, kvm_measure folds each into the launch digest, so
 * what is measured is exactly what is loaded. The boot page and the channel block are not part
 * of it: they are the host's, and the shim checks them.
 */
#include <errno.h>
#include <string.h>

#include "keep/kvm/priv.h"

struct ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

static int ehdr_read(const uint8_t *elf, size_t size, const char *what, struct ehdr *eh)
{
    if (size < sizeof(*eh)) goto bad;
    memcpy(eh, elf, sizeof(*eh));
    if (memcmp(eh->ident, "\177ELF\2\1", 6) != 0 || eh->machine != 62 ||
        eh->phentsize != sizeof(struct phdr) || eh->phnum == 0 || eh->phnum > 64 ||
        eh->phoff > size || size - eh->phoff < (uint64_t)eh->phnum * sizeof(struct phdr))
        goto bad;
    return 0;
bad:
    log_error("kvm: the %s is not a little-endian x86-64 ELF", what);
    return -ENOEXEC;
}

static struct phdr phdr_get(const uint8_t *elf, const struct ehdr *eh, unsigned i)
{
    struct phdr ph;
    memcpy(&ph, elf + eh->phoff + i * sizeof(ph), sizeof(ph));
    return ph;
}

int kvm_image_check(const uint8_t *shim, size_t shim_size, const uint8_t *exec, size_t exec_size,
                    uint64_t *shim_entry)
{
    struct ehdr eh;
    if (ehdr_read(shim, shim_size, "shim", &eh) != 0) return -ENOEXEC;
    uint64_t end = SHIM_BASE_GPA;
    bool entry_ok = false;
    for (unsigned i = 0; i < eh.phnum; i++) {
        struct phdr ph = phdr_get(shim, &eh, i);
        if (ph.type != 1) continue;
        if (ph.vaddr % SHIM_PAGE_SIZE || ph.offset % SHIM_PAGE_SIZE || ph.vaddr < end ||
            ph.filesz > ph.memsz || ph.memsz > SHIM_EXEC_GPA - ph.vaddr || ph.offset > shim_size ||
            shim_size - ph.offset < ph.filesz) {
            log_error("kvm: shim segment %u is not page-aligned inside the shim's range", i);
            return -ENOEXEC;
        }
        end = (ph.vaddr + ph.memsz + SHIM_PAGE_SIZE - 1) & ~(SHIM_PAGE_SIZE - 1);
        if ((ph.flags & 1) && eh.entry >= ph.vaddr && eh.entry < ph.vaddr + ph.memsz)
            entry_ok = true;
    }
    if (!entry_ok) {
        log_error("kvm: the shim's entry point is not in an executable segment");
        return -ENOEXEC;
    }
    *shim_entry = eh.entry;
    if (ehdr_read(exec, exec_size, "exec", &eh) != 0) return -ENOEXEC;
    if (eh.type != 2 && eh.type != 3) {
        log_error("kvm: the exec is not an executable");
        return -ENOEXEC;
    }
    for (unsigned i = 0; i < eh.phnum; i++) {
        if (phdr_get(exec, &eh, i).type == 3) { /* PT_INTERP */
            log_error("kvm: the exec is dynamically linked; a kvm Keep runs static ELFs only");
            return -ENOEXEC;
        }
    }
    return 0;
}

void kvm_image_pages(const uint8_t *shim, size_t shim_size, const uint8_t *exec, size_t exec_size,
                     kvm_page_fn fn, void *arg)
{
    struct ehdr eh;
    uint8_t page[SHIM_PAGE_SIZE];
    (void)shim_size;
    memcpy(&eh, shim, sizeof(eh));
    for (unsigned i = 0; i < eh.phnum; i++) {
        struct phdr ph = phdr_get(shim, &eh, i);
        if (ph.type != 1) continue;
        for (uint64_t off = 0; off < ph.memsz; off += SHIM_PAGE_SIZE) {
            if (off >= ph.filesz) {
                fn(arg, ph.vaddr + off, NULL, KVM_PAGE_ZERO);
                continue;
            }
            uint64_t n = ph.filesz - off < SHIM_PAGE_SIZE ? ph.filesz - off : SHIM_PAGE_SIZE;
            memset(page, 0, sizeof(page));
            memcpy(page, shim + ph.offset + off, n);
            fn(arg, ph.vaddr + off, page, KVM_PAGE_NORMAL);
        }
    }
    for (uint64_t off = 0; off < exec_size; off += SHIM_PAGE_SIZE) {
        uint64_t n = exec_size - off < SHIM_PAGE_SIZE ? exec_size - off : SHIM_PAGE_SIZE;
        memset(page, 0, sizeof(page));
        memcpy(page, exec + off, n);
        fn(arg, SHIM_EXEC_GPA + off, page, KVM_PAGE_NORMAL);
    }
}
