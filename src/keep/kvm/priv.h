/* SPDX-License-Identifier: Apache-2.0 */
/*
 * priv.h - (private to src/keep/kvm) the VMM's parts:
 *  image.c  the guest's initial memory: the shim's ELF segments and the exec image, page by
 *           page (one iterator feeds both loading and the launch measurement)
 *  chan.c   the host end of the channel: the Keep's fd table, one request at a time
 *  vmm.c    /dev/kvm: the VM, the vCPU, long mode, the run loop, signals; kvm_keep_run
 */
#ifndef ENARX_KEEP_KVM_PRIV_H
#define ENARX_KEEP_KVM_PRIV_H

#include "keep/kvm/kvm.h"
#include "shim/shim.h"

/* Called for each initial page in GPA order: page is 4096 bytes, or NULL for a zero page. */
typedef void (*kvm_page_fn)(void *arg, uint64_t gpa, const uint8_t *page, int type);

#define KVM_PAGE_NORMAL 1
#define KVM_PAGE_ZERO 3

/* Checks the shim's ELF (segments inside [SHIM_BASE_GPA, SHIM_EXEC_GPA), sorted) and the
 * exec's (a static x86-64 ELF); 0 or -ENOEXEC with a log line naming what is wrong. */
NODISCARD int kvm_image_check(const uint8_t *shim, size_t shim_size, const uint8_t *exec,
                              size_t exec_size, uint64_t *shim_entry);
/* Walks the initial pages (after a successful kvm_image_check). */
void kvm_image_pages(const uint8_t *shim, size_t shim_size, const uint8_t *exec, size_t exec_size,
                     kvm_page_fn fn, void *arg);

struct kvm_chan;
/* The host end for one Keep: dups the opts' fds into its table. */
NODISCARD int kvm_chan_new(const struct kvm_keep_opts *opts, uint8_t *mem, struct kvm_chan **out);
void kvm_chan_free(struct kvm_chan *ch);

enum kvm_chan_result {
    KVM_CHAN_CONTINUE, /* served; resume the guest */
    KVM_CHAN_DONE,     /* the Keep ended (res filled in) */
};
/* Serves the guest's `out` of kind (the value written to SHIM_CHAN_PORT). */
enum kvm_chan_result kvm_chan_serve(struct kvm_chan *ch, uint32_t kind,
                                    struct kvm_keep_result *res);

/* vmm.c: has a signal asked the Keep to end? (the signal number, or 0) */
int kvm_stop_requested(void);

#endif
