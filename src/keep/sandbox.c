/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sandbox.c - the `sandbox` backend: the Keep's exec runs in a child process that can do
 * only what the runtime needs to serve WASI.
 *
 * Layers, each applied where the kernel allows it (what could not be applied is logged as a
 * warning, never skipped silently):
 *   1. new user, mount, IPC, network, UTS and PID namespaces (the workload is PID 1 of its
 *      own PID namespace; an intermediate process waits for it);
 *   2. resource limits (no core dumps, no locked memory, bounded open files);
 *   3. every capability dropped (bounding, ambient, effective/permitted/inheritable sets),
 *      no_new_privs, not dumpable;
 *   4. a seccomp-bpf allowlist (libseccomp): a fixed list of system calls; any other one
 *      raises SIGSYS, whose handler reports the call's number through a pipe and exits with
 *      KEEP_EXIT_SYSCALL. The parent names the call and reports it.
 * File descriptors the workload needs (pre-opened files, sockets) are opened before launch
 * and inherited; the sandbox never opens anything itself.
 */
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/util.h"

/* The system calls the runtime (engine + WASI + libc + OpenSSL) may make inside the Keep. */
static const int allowed_syscalls[] = {
    SCMP_SYS(read),
    SCMP_SYS(write),
    SCMP_SYS(readv),
    SCMP_SYS(writev),
    SCMP_SYS(pread64),
    SCMP_SYS(pwrite64),
    SCMP_SYS(preadv),
    SCMP_SYS(pwritev),
    SCMP_SYS(close),
    SCMP_SYS(fstat),
    SCMP_SYS(newfstatat),
    SCMP_SYS(statx),
    SCMP_SYS(lseek),
    SCMP_SYS(fsync),
    SCMP_SYS(fdatasync),
    SCMP_SYS(ftruncate),
    SCMP_SYS(fallocate),
    SCMP_SYS(fadvise64),
    SCMP_SYS(getdents64),
    SCMP_SYS(openat),
    SCMP_SYS(openat2),
    SCMP_SYS(mkdirat),
    SCMP_SYS(unlinkat),
    SCMP_SYS(renameat),
    SCMP_SYS(renameat2),
    SCMP_SYS(linkat),
    SCMP_SYS(symlinkat),
    SCMP_SYS(readlinkat),
    SCMP_SYS(utimensat),
    SCMP_SYS(fcntl),
    SCMP_SYS(dup),
    SCMP_SYS(dup3),
    SCMP_SYS(mmap),
    SCMP_SYS(munmap),
    SCMP_SYS(mprotect),
    SCMP_SYS(mremap),
    SCMP_SYS(madvise),
    SCMP_SYS(brk),
    SCMP_SYS(exit),
    SCMP_SYS(exit_group),
    SCMP_SYS(clock_gettime),
    SCMP_SYS(clock_getres),
    SCMP_SYS(clock_nanosleep),
    SCMP_SYS(nanosleep),
    SCMP_SYS(gettimeofday),
    SCMP_SYS(getrandom),
    SCMP_SYS(rt_sigreturn),
    SCMP_SYS(rt_sigaction),
    SCMP_SYS(rt_sigprocmask),
    SCMP_SYS(sigaltstack),
    SCMP_SYS(futex),
    SCMP_SYS(sched_yield),
    SCMP_SYS(poll),
    SCMP_SYS(ppoll),
    SCMP_SYS(getpid),
    SCMP_SYS(gettid),
    SCMP_SYS(accept4),
    SCMP_SYS(accept),
    SCMP_SYS(recvfrom),
    SCMP_SYS(sendto),
    SCMP_SYS(recvmsg),
    SCMP_SYS(sendmsg),
    SCMP_SYS(shutdown),
    SCMP_SYS(getsockopt),
    SCMP_SYS(setsockopt),
    SCMP_SYS(getsockname),
    SCMP_SYS(getpeername),
};

static int g_report_fd = -1;

/* SIGSYS: a forbidden call. Async-signal-safe: write the number, then exit. */
static void on_sigsys(int sig, siginfo_t *si, void *uctx)
{
    (void)sig, (void)uctx;
    int nr = si->si_syscall;
    if (g_report_fd >= 0) {
        ssize_t r = write(g_report_fd, &nr, sizeof(nr));
        (void)r;
    }
    _exit(KEEP_EXIT_SYSCALL);
}

static int apply_seccomp(void)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
    if (!ctx) return -ENOMEM;
    int ret = 0;
    for (size_t i = 0; i < ARRAY_LEN(allowed_syscalls) && ret == 0; i++)
        ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed_syscalls[i], 0);
    /* isatty() only: the terminal ioctl that reads attributes, nothing that changes them */
    struct scmp_arg_cmp tcgets = {.arg = 1, .op = SCMP_CMP_EQ, .datum_a = 0x5401, .datum_b = 0};
    if (ret == 0) ret = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, &tcgets);
    if (ret == 0) ret = seccomp_load(ctx);
    seccomp_release(ctx);
    return ret;
}

static int drop_capabilities(void)
{
    for (int cap = 0; cap <= 63; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) return -errno;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return -errno;
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof(data));
    if (syscall(SYS_capset, &hdr, data) < 0) return -errno;
    return 0;
}

static void set_limits(void)
{
    static const struct {
        int res;
        rlim_t val;
    } lims[] = {{RLIMIT_CORE, 0}, {RLIMIT_MEMLOCK, 0}, {RLIMIT_NOFILE, 4096}};
    for (size_t i = 0; i < ARRAY_LEN(lims); i++) {
        struct rlimit rl;
        if (getrlimit(lims[i].res, &rl) == 0 && rl.rlim_cur > lims[i].val) {
            rl.rlim_cur = lims[i].val;
            if (rl.rlim_max > lims[i].val) rl.rlim_max = lims[i].val;
            if (setrlimit(lims[i].res, &rl) < 0)
                log_warn("sandbox: could not lower resource limit %d: %s", lims[i].res,
                         strerror(errno));
        }
    }
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    ssize_t n = write(fd, text, strlen(text));
    int ret = n == (ssize_t)strlen(text) ? 0 : -EIO;
    close(fd);
    return ret;
}

/* Enters new namespaces; returns the CLONE_NEW* flags that took effect. */
static int enter_namespaces(void)
{
    uid_t uid = getuid();
    gid_t gid = getgid();
    int all = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWPID;
    if (unshare(CLONE_NEWUSER | all) == 0) {
        char map[64];
        (void)write_file("/proc/self/setgroups", "deny");
        snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
        int r1 = write_file("/proc/self/uid_map", map);
        snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
        int r2 = write_file("/proc/self/gid_map", map);
        if (r1 < 0 || r2 < 0)
            log_warn("sandbox: could not map user/group ids into the user namespace");
        return CLONE_NEWUSER | all;
    }
    log_warn("sandbox: no user namespace (%s); trying the others without it", strerror(errno));
    int got = 0;
    static const int each[] = {CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWUTS, CLONE_NEWPID};
    static const char *const names[] = {"mount", "ipc", "network", "uts", "pid"};
    for (size_t i = 0; i < ARRAY_LEN(each); i++) {
        if (unshare(each[i]) == 0)
            got |= each[i];
        else
            log_warn("sandbox: no %s namespace: %s", names[i], strerror(errno));
    }
    return got;
}

/* Confines the calling process; on failure it must not run the workload. */
static int confine(void)
{
    set_limits();
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        log_debug("sandbox: mount propagation unchanged: %s", strerror(errno));
    int ret = drop_capabilities();
    if (ret < 0) {
        log_error("sandbox: dropping capabilities failed: %s", strerror(-ret));
        return ret;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        return -errno;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sigsys;
    sa.sa_flags = SA_SIGINFO;
    if (sigaction(SIGSYS, &sa, NULL) < 0) return -errno;
    ret = apply_seccomp();
    if (ret < 0) log_error("sandbox: loading the seccomp filter failed: %s", strerror(-ret));
    return ret;
}

/* Exit status of a waited-for child, with signals as 128 + signo (as shells report them). */
static int child_status(pid_t pid)
{
    int ws;
    while (waitpid(pid, &ws, 0) < 0)
        if (errno != EINTR) return 127;
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

/* Runs in the first child: namespaces, then the workload (in a grandchild when a new PID
 * namespace was made, so that it is PID 1 there). Never returns. */
static void keep_child(keep_exec_fn exec, void *arg)
{
    int ns = enter_namespaces();
    if (ns & CLONE_NEWPID) {
        pid_t pid = fork();
        if (pid < 0) _exit(127);
        if (pid > 0) {
            int st = child_status(pid);
            _exit(st);
        }
    }
    if (confine() < 0) _exit(127);
    int status = exec(arg);
    fflush(NULL);
    _exit(status & 0xff);
}

static int sandbox_probe(char *why, size_t why_size)
{
    int ret = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
    if (ret < 0) {
        snprintf(why, why_size, "seccomp is not available in this kernel");
        return -ENOSYS;
    }
    return 0;
}

static int sandbox_launch(keep_exec_fn exec, void *arg, int *status)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0) return -errno;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(pfd[0]);
        close(pfd[1]);
        return -e;
    }
    if (pid == 0) {
        close(pfd[0]);
        g_report_fd = pfd[1];
        keep_child(exec, arg);
    }
    close(pfd[1]);
    *status = child_status(pid);
    int nr;
    if (read(pfd[0], &nr, sizeof(nr)) == (ssize_t)sizeof(nr)) {
        char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
        log_error("sandbox: the Keep tried the forbidden system call %s (%d) and was stopped",
                  name ? name : "?", nr);
        free(name);
    }
    close(pfd[0]);
    return 0;
}

const struct keep_backend keep_backend_sandbox = {
    "sandbox", "runtime in a child confined by namespaces, seccomp and rlimits", sandbox_probe,
    sandbox_launch};
