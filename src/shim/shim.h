/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shim.h - the shim's ABI with its VMM: the guest-physical memory layout, the boot page the
 * VMM fills in, and the wire format of the channel (the shared block through which the shim
 * proxies system calls to the host). Freestanding: fixed-width integers only, so the shim and
 * the host end (src/keep/kvm/) compile the very same definitions.
 *
 * Guest-physical layout (GPA), all 4 KiB pages:
 *   0x000000            never mapped (null pointers fault)
 *   SHIM_BOOT_GPA       struct shim_boot: memory size, where the exec image is, argv/envp
 *   SHIM_CHAN_GPA       the channel block: struct shim_chan, then SHIM_CHAN_DATA_SIZE of data
 *   SHIM_BASE_GPA       the shim's ELF segments; its first three pages are the boot page
 *                       tables (PML4, PDPT, PD) that the VMM points CR3 at
 *   SHIM_EXEC_GPA       the exec's ELF file, byte for byte (the shim maps its segments)
 *   after the exec      free memory: page tables, the exec's segments, heap, mmap, stack
 *
 * The channel: the shim writes one request into the block, then one `out` to SHIM_CHAN_PORT
 * (one VM exit); when KVM_RUN resumes, the reply is in the same block. Pointer arguments never
 * cross: every buffer is copied into data[] and its argument becomes an offset into data[].
 * docs/kvm.md lists the encoding of every proxied call and every check made on the reply.
 */
#ifndef ENARX_SHIM_SHIM_H
#define ENARX_SHIM_SHIM_H

#include <stdint.h>

#define SHIM_PAGE_SIZE 0x1000ull
#define SHIM_BOOT_GPA 0x1000ull
#define SHIM_CHAN_GPA 0x100000ull
#define SHIM_CHAN_SIZE 0x100000ull
#define SHIM_BASE_GPA 0x200000ull
#define SHIM_MAX_SIZE 0x200000ull
#define SHIM_EXEC_GPA 0x400000ull
/* The VMM's guest memory is at most this (the shim's page bitmap and direct map cover it). */
#define SHIM_MEM_MAX (4ull << 30)
#define SHIM_MEM_MIN (32ull << 20)

/* The single I/O port: the value written is the request's kind (enum shim_chan_kind). */
#define SHIM_CHAN_PORT 0x6e0

#define SHIM_BOOT_MAGIC 0x746f6f426d696853ull /* "ShimBoot" */
#define SHIM_BOOT_ARGS_SIZE 3840u

/* Filled in by the VMM before the first KVM_RUN. Not measured: the shim bounds every field. */
struct shim_boot {
    uint64_t magic;
    uint64_t mem_size;  /* bytes of guest memory, from GPA 0 */
    uint64_t exec_gpa;  /* SHIM_EXEC_GPA */
    uint64_t exec_size; /* bytes of the exec's ELF file */
    uint32_t argc, envc;
    uint32_t args_size; /* bytes used in args[]: argc then envc NUL-terminated strings */
    uint32_t reserved;
    uint8_t args[SHIM_BOOT_ARGS_SIZE];
};

#define SHIM_CHAN_MAGIC 0x6c6c6153u /* "Sall" */
#define SHIM_CHAN_HDR_SIZE 0x1000ull
#define SHIM_CHAN_DATA_SIZE (SHIM_CHAN_SIZE - SHIM_CHAN_HDR_SIZE)
#define SHIM_ABORT_MSG_SIZE 512u

enum shim_chan_kind {
    SHIM_CHAN_SYSCALL = 1, /* nr and arg[] are a proxied Linux system call */
    SHIM_CHAN_EXIT = 2,    /* the exec exited: nr is its status (0..255) */
    SHIM_CHAN_ABORT = 3, /* the Keep ends: nr is a status, msg[] says why (a fault, a bad reply) */
};

/* Why a Keep was aborted (SHIM_CHAN_ABORT's arg[0]). */
enum shim_abort_reason {
    SHIM_ABORT_FAULT = 1,   /* the exec took an exception (a wild pointer, UD2, ...) */
    SHIM_ABORT_CHANNEL = 2, /* the host's reply failed a check */
    SHIM_ABORT_BOOT = 3,    /* the boot page or the exec's ELF is unusable */
    SHIM_ABORT_MEMORY = 4,  /* guest memory ran out where Linux would not fail a call */
    SHIM_ABORT_SHIM = 5,    /* an exception inside the shim itself */
};

/*
 * The block's header, at SHIM_CHAN_GPA; data[] follows at SHIM_CHAN_GPA + SHIM_CHAN_HDR_SIZE.
 * Request fields are written by the shim, reply fields by the host. Both sides copy the header
 * into private memory once and check it there (the other side may still be writing).
 */
struct shim_chan {
    /* request */
    uint32_t magic;     /* SHIM_CHAN_MAGIC */
    uint32_t kind;      /* enum shim_chan_kind */
    uint64_t seq;       /* request number: 1, 2, 3, ... */
    uint64_t nr;        /* the Linux system call number (x86-64) */
    uint64_t arg[6];    /* scalars as the exec passed them; buffers as offsets into data[] */
    uint64_t data_size; /* bytes of data[] the request uses (inputs and room for outputs) */
    /* reply */
    uint64_t reply_seq; /* the seq being answered: must equal seq */
    int64_t ret;        /* the result: >= 0, or -errno */
    uint64_t out[4];    /* extra results of some calls (recvmsg: name and control lengths) */
    char msg[SHIM_ABORT_MSG_SIZE]; /* SHIM_CHAN_ABORT: a NUL-terminated message */
};

/*
 * recvmsg/sendmsg: data[] starts with this, then the name, control and payload buffers.
 * Offsets are into data[]; the host writes back the lengths it used into the reply's out[]:
 * out[0] = name length, out[1] = control length, out[2] = msg_flags.
 */
struct shim_chan_msg {
    uint64_t name_off, name_size;
    uint64_t ctl_off, ctl_size;
    uint64_t data_off, data_size;
};

/* Guest fds: numbers below this only (the shim keeps one bit per number). */
#define SHIM_FD_MAX 1024
/* The job channel: the exec finds its job by recvmsg() on this fd. */
#define SHIM_JOB_FD 3

#endif
