/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvm.h - the kvm Keep: a VMM on /dev/kvm that runs a static x86-64 Linux ELF (the exec) in
 * ring 3 of a VM under the shim (src/shim/), and the host end of the shim's system-call channel.
 *
 * The backend calls kvm_keep_run() with the exec, its argv/envp, the job bytes and the Keep's fd
 * table. Inside the guest the exec sees Linux: fds 0-2 are the stdio fds given here, fd 3 is the
 * job channel (recvmsg() on it returns the job bytes, with the table's fds as SCM_RIGHTS on the
 * first message; after the last byte it returns 0), and the table's fds are guest numbers 4, 5,
 * ... in order. The host end serves every proxied call only on those fds (and the ones the exec
 * opens beneath a pre-opened directory or accepts), with sizes bounded by the request; anything
 * else is refused with an errno and logged. docs/kvm.md has the wire format and every check.
 */
#ifndef ENARX_KEEP_KVM_H
#define ENARX_KEEP_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

struct shim_chan;

/* Tests only: called after the host end has served a request and before the guest resumes,
 * with the block's header and data[]; it may rewrite the reply (a lying host). */
typedef void (*kvm_reply_hook)(void *arg, struct shim_chan *hdr, uint8_t *data, size_t data_size);

struct kvm_keep_opts {
    /* The exec: a static x86-64 ELF, as bytes (borrowed) or, when exec is NULL, a path. */
    const uint8_t *exec;
    size_t exec_size;
    const char *exec_path;
    /* argv (argv[0] first; at least one) and envp; copied into the guest at boot. */
    const char *const *argv;
    size_t argc;
    const char *const *envp;
    size_t envc;
    /* The job, served on the guest's fd 3 (borrowed for the call). */
    const uint8_t *job;
    size_t job_size;
    /* The Keep's fd table: host fds that become guest fds 4, 5, ... (dup'ed; the caller keeps
     * its own). They are sent on fd 3 with the job. */
    const int *fds;
    size_t nfds;
    /* The guest's fds 0, 1, 2: host fds (dup'ed), or -1 for closed. */
    int stdio[3];
    /* Guest memory in bytes (a multiple of 2 MiB, 32 MiB to 4 GiB); 0 = KVM_KEEP_MEM_DEFAULT. */
    uint64_t mem_size;
    /* SIGINT, SIGTERM and SIGHUP end the Keep while kvm_keep_run runs (handlers restored after).
     * Without it the caller's own handler must call kvm_keep_kick(). */
    bool handle_signals;
    /* The shim (an ELF); NULL = the one built into this binary. */
    const uint8_t *shim;
    size_t shim_size;
    /* Tests only. */
    kvm_reply_hook reply_hook;
    void *reply_hook_arg;
};

#define KVM_KEEP_MEM_DEFAULT (512ull << 20)

enum kvm_keep_end {
    KVM_KEEP_EXITED = 0, /* the exec called exit: status is its code */
    KVM_KEEP_FAULT,      /* the shim aborted: an exception in the exec (message names it) */
    KVM_KEEP_CHANNEL,    /* the shim aborted on a bad reply from the host (message names it) */
    KVM_KEEP_SIGNALLED,  /* the host got SIGINT/SIGTERM/SIGHUP: status is 128 + N */
    KVM_KEEP_ERROR,      /* the guest broke the protocol, or the VM died (message says how) */
};

struct kvm_keep_result {
    enum kvm_keep_end end;
    int status; /* what `enarx run` should exit with: 0..255 */
    char message[512];
    uint8_t measurement[48]; /* the launch digest of this run (kvm_measure) */
};

/* 0 if a kvm Keep can run here; else a negative errno and why[] says what is missing. */
NODISCARD int kvm_keep_probe(char *why, size_t why_size);

/*
 * Runs the exec in a new VM until it exits, faults, or a signal ends it. Returns 0 with *res
 * filled in, or a negative errno (and a log line) when the Keep could not start: no /dev/kvm,
 * an exec that is not a static x86-64 ELF, too many fds, a bad size.
 */
NODISCARD int kvm_keep_run(const struct kvm_keep_opts *opts, struct kvm_keep_result *res);

/* Async-signal-safe: makes a running kvm_keep_run end with KVM_KEEP_SIGNALLED (128 + signo). */
void kvm_keep_kick(int signo);

/*
 * The launch measurement of shim + exec as kvm_keep_run loads them, without running them:
 * SEV-SNP's launch digest (SNP firmware ABI, SNP_LAUNCH_UPDATE): starting from 48 zero bytes,
 * for each page in order of GPA, digest = SHA-384(PAGE_INFO{digest, SHA-384(page) or zeros,
 * 0x70, page type, 0, 0, 0, 0, 0, GPA}). The shim's file-backed pages and every page of the
 * exec image are NORMAL (type 1), the shim's zero-only pages (bss) are ZERO (type 3). shim may
 * be NULL for the built-in one. Returns 0, or a negative errno for an unusable ELF.
 */
NODISCARD int kvm_measure(const uint8_t *shim, size_t shim_size, const uint8_t *exec,
                          size_t exec_size, uint8_t digest[48]);

/* The shim built into this binary. */
extern const uint8_t kvm_shim_blob[];
extern const size_t kvm_shim_blob_size;

#endif
