/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vmm.c - the VMM: one VM with one vCPU on /dev/kvm, entered directly in 64-bit long mode.
 *
 * Guest memory is one anonymous mapping (MAP_NORESERVE: only touched pages cost) registered as
 * slot 0 at GPA 0; the exec's memory is this memory, never a host heap. The initial pages come
 * from image.c, the boot page from the opts. The vCPU starts at the shim's entry with paging on
 * (CR3 = the shim's boot page tables, CR0.PG|PE, CR4.PAE, EFER.LME|LMA|NXE|SCE) and flat 64-bit
 * segments set with KVM_SET_SREGS; CPUID is what KVM supports. The run loop serves one exit
 * kind: an `out` to SHIM_CHAN_PORT (chan.c). HLT, a triple fault, an entry failure, MMIO or any
 * other port end the Keep as KVM_KEEP_ERROR with a message.
 *
 * Stopping: kvm_keep_kick (from a signal handler) records the signal and sets the vCPU's
 * immediate_exit, so a KVM_RUN in progress returns EINTR (the signal interrupted it) and one
 * about to start returns at once; if the signal landed on another thread it is forwarded to
 * the vCPU thread. A host call blocked on behalf of the guest is interrupted the same way (the
 * handlers are installed without SA_RESTART).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keep/kvm/priv.h"

static volatile sig_atomic_t g_stop_sig;
static struct kvm_run *volatile g_run;
static pthread_t g_vcpu_thread;
static volatile sig_atomic_t g_vcpu_thread_set;

void kvm_keep_kick(int signo)
{
    g_stop_sig = signo;
    struct kvm_run *run = g_run;
    if (run) run->immediate_exit = 1;
    if (g_vcpu_thread_set && !pthread_equal(pthread_self(), g_vcpu_thread))
        (void)pthread_kill(g_vcpu_thread, signo);
}

int kvm_stop_requested(void)
{
    return g_stop_sig;
}

static void on_signal(int signo)
{
    kvm_keep_kick(signo);
}

int kvm_keep_probe(char *why, size_t why_size)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(why, why_size, "/dev/kvm: %s", strerror(e));
        return -e;
    }
    int v = ioctl(fd, KVM_GET_API_VERSION, 0);
    close(fd);
    if (v != KVM_API_VERSION) {
        snprintf(why, why_size, "/dev/kvm speaks KVM API %d, not %d", v, KVM_API_VERSION);
        return -ENODEV;
    }
    return 0;
}

struct vm {
    int kvm, vm, vcpu;
    uint8_t *mem;
    uint64_t mem_size;
    struct kvm_run *run;
    size_t run_size;
};

static void vm_close(struct vm *v)
{
    g_run = NULL;
    if (v->run && v->run != MAP_FAILED) munmap(v->run, v->run_size);
    if (v->mem && v->mem != MAP_FAILED) munmap(v->mem, v->mem_size);
    if (v->vcpu >= 0) close(v->vcpu);
    if (v->vm >= 0) close(v->vm);
    if (v->kvm >= 0) close(v->kvm);
}

static int cpuid_set(struct vm *v)
{
    for (int n = 64; n <= 4096; n *= 2) {
        struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + (size_t)n * sizeof(c->entries[0]));
        if (!c) return -ENOMEM;
        c->nent = (uint32_t)n;
        if (ioctl(v->kvm, KVM_GET_SUPPORTED_CPUID, c) == 0) {
            int r = ioctl(v->vcpu, KVM_SET_CPUID2, c) == 0 ? 0 : -errno;
            free(c);
            return r;
        }
        int e = errno;
        free(c);
        if (e != E2BIG) return -e;
    }
    return -E2BIG;
}

static void seg_set(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code)
{
    memset(s, 0, sizeof(*s));
    s->base = 0;
    s->limit = 0xffffffff;
    s->selector = sel;
    s->type = type;
    s->present = 1;
    s->s = 1;
    s->g = 1;
    s->l = code;
    s->db = !code;
}

static int regs_set(struct vm *v, uint64_t entry)
{
    struct kvm_sregs sr;
    if (ioctl(v->vcpu, KVM_GET_SREGS, &sr) != 0) return -errno;
    seg_set(&sr.cs, 0x08, 0xb, true);
    seg_set(&sr.ds, 0x10, 0x3, false);
    sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
    sr.cr0 = 0x80050033; /* PG WP NE ET MP PE */
    sr.cr3 = SHIM_BASE_GPA;
    sr.cr4 = 0x20;                         /* PAE; the shim enables the rest */
    sr.efer = 0x100 | 0x400 | 0x800 | 0x1; /* LME LMA NXE SCE */
    if (ioctl(v->vcpu, KVM_SET_SREGS, &sr) != 0) return -errno;
    struct kvm_regs r;
    memset(&r, 0, sizeof(r));
    r.rip = entry;
    r.rflags = 2;
    return ioctl(v->vcpu, KVM_SET_REGS, &r) == 0 ? 0 : -errno;
}

static void page_copy(void *arg, uint64_t gpa, const uint8_t *page, int type)
{
    struct vm *v = arg;
    (void)type;
    if (page) memcpy(v->mem + gpa, page, SHIM_PAGE_SIZE);
}

static int boot_fill(struct vm *v, const struct kvm_keep_opts *o, size_t exec_size)
{
    struct shim_boot *b = (struct shim_boot *)(v->mem + SHIM_BOOT_GPA);
    size_t used = 0;
    b->magic = SHIM_BOOT_MAGIC;
    b->mem_size = v->mem_size;
    b->exec_gpa = SHIM_EXEC_GPA;
    b->exec_size = exec_size;
    b->argc = (uint32_t)o->argc;
    b->envc = (uint32_t)o->envc;
    for (size_t i = 0; i < o->argc + o->envc; i++) {
        const char *s = i < o->argc ? o->argv[i] : o->envp[i - o->argc];
        size_t n = strlen(s) + 1;
        if (n > SHIM_BOOT_ARGS_SIZE - used) {
            log_error("kvm: argv and envp exceed %u bytes", SHIM_BOOT_ARGS_SIZE);
            return -E2BIG;
        }
        memcpy(b->args + used, s, n);
        used += n;
    }
    b->args_size = (uint32_t)used;
    return 0;
}

static int vm_open(struct vm *v, uint64_t mem_size)
{
    v->mem_size = mem_size;
    if ((v->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC)) < 0) return -errno;
    if ((v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0)) < 0) return -errno;
    (void)ioctl(v->vm, KVM_SET_TSS_ADDR, 0xfffbd000ul);
    v->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (v->mem == MAP_FAILED) return -errno;
    struct kvm_userspace_memory_region region = {.slot = 0,
                                                 .guest_phys_addr = 0,
                                                 .memory_size = mem_size,
                                                 .userspace_addr = (uintptr_t)v->mem};
    if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &region) != 0) return -errno;
    if ((v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0)) < 0) return -errno;
    int size = ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (size < (int)sizeof(struct kvm_run)) return -EINVAL;
    v->run_size = (size_t)size;
    v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
    if (v->run == MAP_FAILED) return -errno;
    return cpuid_set(v);
}

static void end_error(struct kvm_keep_result *res, const char *fmt, unsigned long long a)
{
    res->end = KVM_KEEP_ERROR;
    res->status = 134;
    snprintf(res->message, sizeof(res->message), fmt, a);
}

/* One exit: 1 = resume, 0 = the Keep ended (res filled in). */
static int exit_serve(struct vm *v, struct kvm_chan *ch, struct kvm_keep_result *res)
{
    struct kvm_run *run = v->run;
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        if (run->io.port != SHIM_CHAN_PORT || run->io.direction != KVM_EXIT_IO_OUT ||
            run->io.size != 4 || run->io.count != 1) {
            end_error(res, "kvm: the guest used I/O port 0x%llx", run->io.port);
            return 0;
        }
        uint32_t kind;
        memcpy(&kind, (uint8_t *)run + run->io.data_offset, 4);
        return kvm_chan_serve(ch, kind, res) == KVM_CHAN_CONTINUE;
    case KVM_EXIT_HLT: end_error(res, "kvm: the guest halted%.0llu", 0); return 0;
    case KVM_EXIT_SHUTDOWN:
        end_error(res, "kvm: the guest shut down (triple fault)%.0llu", 0);
        return 0;
    case KVM_EXIT_FAIL_ENTRY:
        end_error(res, "kvm: VM entry failed (reason 0x%llx)",
                  (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
        return 0;
    case KVM_EXIT_MMIO:
        end_error(res, "kvm: the guest touched unbacked memory at GPA 0x%llx",
                  (unsigned long long)run->mmio.phys_addr);
        return 0;
    case KVM_EXIT_INTERNAL_ERROR: {
        struct kvm_regs r;
        unsigned long long rip = ioctl(v->vcpu, KVM_GET_REGS, &r) == 0 ? r.rip : 0;
        snprintf(res->message, sizeof(res->message),
                 "kvm: internal error (suberror %u) at rip 0x%llx", run->internal.suberror, rip);
        res->end = KVM_KEEP_ERROR;
        res->status = 134;
    }
        return 0;
    default: end_error(res, "kvm: unexpected exit reason %llu", run->exit_reason); return 0;
    }
}

static void end_signal(struct kvm_keep_result *res, int sig)
{
    res->end = KVM_KEEP_SIGNALLED;
    res->status = 128 + sig;
    snprintf(res->message, sizeof(res->message), "kvm: the Keep was ended by signal %d", sig);
}

static int run_loop(struct vm *v, struct kvm_chan *ch, struct kvm_keep_result *res)
{
    for (;;) {
        int sig = g_stop_sig;
        if (sig) {
            end_signal(res, sig);
            return 0;
        }
        if (ioctl(v->vcpu, KVM_RUN, 0) != 0) {
            if (errno == EINTR || errno == EAGAIN) {
                v->run->immediate_exit = 0;
                continue;
            }
            int e = errno;
            log_error("kvm: KVM_RUN: %s", strerror(e));
            return -e;
        }
        if (!exit_serve(v, ch, res)) {
            if (res->end == KVM_KEEP_EXITED && g_stop_sig) end_signal(res, g_stop_sig);
            return 0;
        }
        if (g_stop_sig) {
            end_signal(res, g_stop_sig);
            return 0;
        }
    }
}

static int exec_read(const struct kvm_keep_opts *o, uint8_t **buf, size_t *size)
{
    FILE *f = fopen(o->exec_path, "rb");
    if (!f) {
        int e = errno;
        log_error("kvm: %s: %s", o->exec_path, strerror(e));
        return -e;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size <= 0 || st.st_size > (1 << 30)) {
        fclose(f);
        log_error("kvm: %s: not a regular file of at most 1 GiB", o->exec_path);
        return -EINVAL;
    }
    *size = (size_t)st.st_size;
    *buf = malloc(*size);
    if (!*buf || fread(*buf, 1, *size, f) != *size) {
        fclose(f);
        free(*buf);
        *buf = NULL;
        log_error("kvm: %s: cannot read it", o->exec_path);
        return -EIO;
    }
    fclose(f);
    return 0;
}

static const int g_signals[] = {SIGINT, SIGTERM, SIGHUP};

static void signals_install(struct sigaction old[3])
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal; /* no SA_RESTART: blocked host calls return EINTR */
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; i++)
        (void)sigaction(g_signals[i], &sa, &old[i]);
}

static int keep_run(const struct kvm_keep_opts *o, const uint8_t *exec, size_t exec_size,
                    struct kvm_keep_result *res)
{
    const uint8_t *shim = o->shim ? o->shim : kvm_shim_blob;
    size_t shim_size = o->shim ? o->shim_size : kvm_shim_blob_size;
    uint64_t entry, mem = o->mem_size ? o->mem_size : KVM_KEEP_MEM_DEFAULT;
    int e = kvm_image_check(shim, shim_size, exec, exec_size, &entry);
    if (e) return e;
    if (mem < SHIM_MEM_MIN || mem > SHIM_MEM_MAX || mem % (2u << 20) ||
        SHIM_EXEC_GPA + exec_size > mem / 2) {
        log_error("kvm: guest memory of %llu MiB cannot hold this exec (32 MiB to 4 GiB, twice "
                  "the exec and more)",
                  (unsigned long long)(mem >> 20));
        return -EINVAL;
    }
    if (o->argc < 1) return -EINVAL;
    e = kvm_measure(shim, shim_size, exec, exec_size, res->measurement);
    if (e) return e;
    struct vm v = {.kvm = -1, .vm = -1, .vcpu = -1};
    struct kvm_chan *ch = NULL;
    e = vm_open(&v, mem);
    if (e) {
        log_error("kvm: cannot create the VM: %s", strerror(-e));
        goto out;
    }
    kvm_image_pages(shim, shim_size, exec, exec_size, page_copy, &v);
    if ((e = boot_fill(&v, o, exec_size)) != 0) goto out;
    if ((e = regs_set(&v, entry)) != 0) {
        log_error("kvm: cannot set the vCPU's registers: %s", strerror(-e));
        goto out;
    }
    if ((e = kvm_chan_new(o, v.mem, &ch)) != 0) goto out;
    g_vcpu_thread = pthread_self();
    g_vcpu_thread_set = 1;
    g_run = v.run;
    e = run_loop(&v, ch, res);
    g_run = NULL;
    g_vcpu_thread_set = 0;
out:
    kvm_chan_free(ch);
    vm_close(&v);
    return e;
}

int kvm_keep_run(const struct kvm_keep_opts *o, struct kvm_keep_result *res)
{
    uint8_t *owned = NULL;
    const uint8_t *exec = o->exec;
    size_t exec_size = o->exec_size;
    struct sigaction old[3];
    memset(res, 0, sizeof(*res));
    if (!exec) {
        if (!o->exec_path) return -EINVAL;
        int e = exec_read(o, &owned, &exec_size);
        if (e) return e;
        exec = owned;
    }
    g_stop_sig = 0;
    if (o->handle_signals) signals_install(old);
    int e = keep_run(o, exec, exec_size, res);
    if (o->handle_signals)
        for (int i = 0; i < 3; i++)
            (void)sigaction(g_signals[i], &old[i], NULL);
    free(owned);
    return e;
}
