/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jail.c - the sandbox's confinement, which the exec applies to itself once its identity is
 * made and before it decodes the module (exec.c step 4).
 *
 * The exec process was started by sandbox.c in new user, mount, IPC, network, UTS and PID
 * namespaces (it is PID 1 of its own), from a fresh image of the enarx binary with nothing
 * inherited but stdio and the channel. Here it closes the rest of the door:
 *
 *   1. an empty root: a read-only tmpfs becomes / (pivot_root), the host's tree is detached.
 *      Pre-opened directories and sockets stay usable through their fds; nothing else of the
 *      host's file system is reachable, by any path. (Landlock would restrict path access too,
 *      but Debian 12's kernels do not all enable it and it leaves the tree visible to stat;
 *      pivot_root needs only the mount namespace we already have.)
 *   2. every fd that is not in the Keep's table is closed (close_range);
 *   3. rlimits: no core dumps, no locked memory, RLIMIT_NOFILE, RLIMIT_FSIZE, RLIMIT_AS;
 *   4. every capability dropped, no_new_privs, not dumpable;
 *   5. a seccomp allowlist (libseccomp): the calls the runtime needs, path calls only with a
 *      real directory fd (never AT_FDCWD; an absolute path with a dirfd resolves in the empty
 *      root), no mapping or protection that is writable and executable at once, and no socket,
 *      fork, exec, ptrace or mount. Anything else raises SIGSYS, whose handler reports the call
 *      on the channel and exits KEEP_EXIT_SYSCALL; the host names the call.
 * Any step that fails is an error: the exec then does not run the workload.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

/* The system calls the runtime (engine + WASI + libc + OpenSSL) may make, without conditions. */
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
    SCMP_SYS(lseek),
    SCMP_SYS(fsync),
    SCMP_SYS(fdatasync),
    SCMP_SYS(ftruncate),
    SCMP_SYS(fallocate),
    SCMP_SYS(fadvise64),
    SCMP_SYS(getdents64),
    SCMP_SYS(fcntl),
    SCMP_SYS(dup),
    SCMP_SYS(dup3),
    SCMP_SYS(munmap),
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

/* Path calls, and the argument(s) that hold their directory fd. */
static const struct {
    int nr;
    int dirfd_args[2]; /* -1: none */
} path_syscalls[] = {
    {SCMP_SYS(openat), {0, -1}},     {SCMP_SYS(openat2), {0, -1}},
    {SCMP_SYS(mkdirat), {0, -1}},    {SCMP_SYS(unlinkat), {0, -1}},
    {SCMP_SYS(renameat), {0, 2}},    {SCMP_SYS(renameat2), {0, 2}},
    {SCMP_SYS(linkat), {0, 2}},      {SCMP_SYS(symlinkat), {1, -1}},
    {SCMP_SYS(readlinkat), {0, -1}}, {SCMP_SYS(utimensat), {0, -1}},
    {SCMP_SYS(newfstatat), {0, -1}}, {SCMP_SYS(statx), {0, -1}},
};

static volatile sig_atomic_t g_selftest_trapped;

/* SIGSYS: a forbidden call. Async-signal-safe: report the number, then exit. */
static void on_sigsys(int sig, siginfo_t *si, void *uctx)
{
    (void)sig, (void)uctx;
    if (keep_status_send(KEEP_CHANNEL_FD, KEEP_EXIT_SYSCALL, si->si_syscall) < 0)
        _exit(KEEP_EXIT_SYSCALL);
    _exit(KEEP_EXIT_SYSCALL);
}

/* SIGSYS during the self-test: the call fails with EPERM and the test goes on. */
static void on_sigsys_selftest(int sig, siginfo_t *si, void *uctx)
{
    (void)sig, (void)si;
    ucontext_t *uc = uctx;
    uc->uc_mcontext.gregs[REG_RAX] = -EPERM;
    g_selftest_trapped = 1;
}

static int add_path_rules(scmp_filter_ctx ctx)
{
    int ret = 0;
    for (size_t i = 0; i < ARRAY_LEN(path_syscalls) && ret == 0; i++) {
        struct scmp_arg_cmp cmp[2];
        unsigned n = 0;
        for (int j = 0; j < 2; j++)
            if (path_syscalls[i].dirfd_args[j] >= 0)
                cmp[n++] = (struct scmp_arg_cmp){.arg = (unsigned)path_syscalls[i].dirfd_args[j],
                                                 .op = SCMP_CMP_NE,
                                                 .datum_a = (uint32_t)AT_FDCWD,
                                                 .datum_b = 0};
        ret = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, path_syscalls[i].nr, n, cmp);
    }
    return ret;
}

/* mmap and mprotect with any protection but writable and executable at once. */
static int add_memory_rules(scmp_filter_ctx ctx)
{
    static const int calls[] = {SCMP_SYS(mmap), SCMP_SYS(mprotect)};
    static const uint64_t prots[] = {0, PROT_WRITE, PROT_EXEC};
    int ret = 0;
    for (size_t i = 0; i < ARRAY_LEN(calls); i++)
        for (size_t j = 0; j < ARRAY_LEN(prots) && ret == 0; j++)
            ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, calls[i], 1,
                                   SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_WRITE | PROT_EXEC, prots[j]));
    return ret;
}

static int apply_seccomp(void)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
    if (!ctx) return -ENOMEM;
    int ret = 0;
    for (size_t i = 0; i < ARRAY_LEN(allowed_syscalls) && ret == 0; i++)
        ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed_syscalls[i], 0);
    if (ret == 0) ret = add_path_rules(ctx);
    if (ret == 0) ret = add_memory_rules(ctx);
    /* isatty(), and FIONREAD for poll_oneoff's byte counts: nothing that changes anything */
    static const unsigned long ioctls[] = {0x5401 /* TCGETS */, 0x541B /* FIONREAD */};
    for (size_t i = 0; i < ARRAY_LEN(ioctls) && ret == 0; i++)
        ret = seccomp_rule_add(
            ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
            (struct scmp_arg_cmp){
                .arg = 1, .op = SCMP_CMP_EQ, .datum_a = (uint32_t)ioctls[i], .datum_b = 0});
    /* glibc's qsort asks sysinfo() how much memory there is (OpenSSL sorts): it copes with a
     * refusal, and the host's memory is none of the Keep's business */
    if (ret == 0) ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(sysinfo), 0);
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

/* The address space a Keep may use: its memory budget, the 8 GiB guard reservation of a
 * linear memory, and room for the runtime. Not under ASan, whose shadow needs terabytes. */
#define JAIL_AS_LIMIT (24ull << 30)
#define JAIL_FSIZE_LIMIT (64ull << 30)
#define JAIL_NOFILE_LIMIT 4096

static bool sanitized(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return true;
#else
    return false;
#endif
#else
    return false;
#endif
}

static int set_limits(void)
{
    struct {
        int res;
        rlim_t val;
    } lims[] = {{RLIMIT_CORE, 0},
                {RLIMIT_MEMLOCK, 0},
                {RLIMIT_NOFILE, JAIL_NOFILE_LIMIT},
                {RLIMIT_FSIZE, JAIL_FSIZE_LIMIT},
                {RLIMIT_AS, sanitized() ? RLIM_INFINITY : JAIL_AS_LIMIT}};
    for (size_t i = 0; i < ARRAY_LEN(lims); i++) {
        struct rlimit rl;
        if (getrlimit(lims[i].res, &rl) < 0) return -errno;
        if (rl.rlim_cur <= lims[i].val && rl.rlim_max <= lims[i].val) continue;
        rl.rlim_cur = rl.rlim_cur < lims[i].val ? rl.rlim_cur : lims[i].val;
        rl.rlim_max = rl.rlim_max < lims[i].val ? rl.rlim_max : lims[i].val;
        if (setrlimit(lims[i].res, &rl) < 0) return -errno;
    }
    signal(SIGXFSZ, SIG_IGN); /* a write past RLIMIT_FSIZE fails with EFBIG instead */
    return 0;
}

/*
 * The directory fd came from the host's mount namespace, which the kernel does not let us bind
 * from: its path is resolved again in our copy of that tree, and must lead to the very same
 * directory (device and inode). Returns the new fd, or a negative errno. Done before the new
 * root's tmpfs is mounted, which may hide the path (a directory under /tmp).
 */
static int resolve_again(int fd)
{
    char link[64], path[4096];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof(path) - 1);
    if (n <= 0 || (size_t)n >= sizeof(path) - 1) return -ENAMETOOLONG;
    path[n] = 0;
    struct stat a, b;
    int again = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (again < 0) return -errno;
    if (fstat(fd, &a) == 0 && fstat(again, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        return again;
    close(again);
    return -ESTALE;
}

/* Bind-mounts again (resolve_again's fd for fd) onto /tmp/d<fd> of the new root-to-be. */
static int bind_dir(int fd, int again)
{
    char link[64], dst[64];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", again);
    snprintf(dst, sizeof(dst), "/tmp/d%d", fd);
    if (mkdir(dst, 0555) < 0) return -errno;
    if (mount(link, dst, NULL, MS_BIND | MS_REC, NULL) < 0) return -errno;
    return 0;
}

/* After pivot_root: the fd now names the same directory through its bind mount, so that ".."
 * from it stops at the new root instead of climbing the host's tree. */
static int reopen_dir(int fd)
{
    char path[64];
    snprintf(path, sizeof(path), "/d%d", fd);
    int nfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (nfd < 0) return -errno;
    int ret = dup3(nfd, fd, O_CLOEXEC) < 0 ? -errno : 0;
    close(nfd);
    return ret;
}

static bool is_dir_fd(int fd)
{
    struct stat st;
    return fd > 2 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * A tmpfs becomes the root, holding only a bind mount of each pre-opened directory; the host's
 * tree is detached and the root made read-only. A pre-open's fd is reopened through its bind
 * mount: an fd opened in the host's tree would let ".." walk the host's tree even after the
 * pivot (WASI's RESOLVE_BENEATH stops that too: this is the second wall).
 */
static int empty_root(const int *keep, size_t n)
{
    int again[KEEP_JOB_MAX_FDS + 16];
    if (n > ARRAY_LEN(again)) return -E2BIG;
    int ret = mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ? -errno : 0;
    for (size_t i = 0; i < n; i++)
        again[i] = ret == 0 && is_dir_fd(keep[i]) ? resolve_again(keep[i]) : -1;
    for (size_t i = 0; i < n && ret == 0; i++)
        if (is_dir_fd(keep[i]) && again[i] < 0) ret = again[i];
    if (ret == 0 && mount("enarx-keep", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                          "size=64k,nr_inodes=512,mode=0755") < 0)
        ret = -errno;
    for (size_t i = 0; i < n && ret == 0; i++)
        if (again[i] >= 0) ret = bind_dir(keep[i], again[i]);
    for (size_t i = 0; i < n; i++)
        if (again[i] >= 0) close(again[i]);
    if (ret < 0) return ret;
    if (chdir("/tmp") < 0 || syscall(SYS_pivot_root, ".", ".") < 0) return -errno;
    if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0) return -errno;
    for (size_t i = 0; i < n && ret == 0; i++)
        if (is_dir_fd(keep[i])) ret = reopen_dir(keep[i]);
    if (ret < 0) return ret;
    if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
              NULL) < 0)
        return -errno;
    return 0;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Closes every fd but keep[0..n) and the channel. */
static int close_others(const int *keep, size_t n)
{
    int sorted[KEEP_JOB_MAX_FDS + 16];
    if (n + 1 > ARRAY_LEN(sorted)) return -E2BIG;
    memcpy(sorted, keep, n * sizeof(int));
    sorted[n++] = KEEP_CHANNEL_FD;
    qsort(sorted, n, sizeof(int), cmp_int);
    unsigned lo = 0;
    for (size_t i = 0; i < n; i++) {
        if (sorted[i] < 0 || (unsigned)sorted[i] < lo) continue;
        if ((unsigned)sorted[i] > lo && syscall(SYS_close_range, lo, sorted[i] - 1, 0) < 0)
            return -errno;
        lo = (unsigned)sorted[i] + 1;
    }
    if (syscall(SYS_close_range, lo, ~0u, 0) < 0) return -errno;
    return 0;
}

int keep_jail_enter(void *priv, const int *keep, size_t n)
{
    (void)priv;
    int ret = empty_root(keep, n);
    if (ret < 0) {
        log_error("sandbox: cannot make an empty root: %s", strerror(-ret));
        return ret;
    }
    if ((ret = close_others(keep, n)) < 0 || (ret = set_limits()) < 0 ||
        (ret = drop_capabilities()) < 0) {
        log_error("sandbox: confinement failed: %s", strerror(-ret));
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

/* ---- the self-test ---- */

/* One attempt: refused when the call failed or seccomp trapped it. */
static int probe(const char *what, long ret)
{
    bool refused = ret < 0 || g_selftest_trapped;
    fprintf(stderr, "jail: %s: %s%s\n", what, refused ? "refused" : "ALLOWED",
            g_selftest_trapped ? " (seccomp)"
            : ret < 0          ? " (error)"
                               : "");
    g_selftest_trapped = 0;
    return refused ? 0 : 1;
}

static long closed(long fd)
{
    if (fd >= 0 && !g_selftest_trapped) close((int)fd);
    return fd;
}

int keep_jail_selftest(const int *fds, size_t nfds)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sigsys_selftest;
    sa.sa_flags = SA_SIGINFO;
    if (sigaction(SIGSYS, &sa, NULL) < 0) return 1;
    /* a pre-opened directory of the table, if any (an absolute path ignores it, ".." must not
     * climb out of it) */
    int dirfd = 0;
    for (size_t i = 0; i < nfds; i++)
        if (is_dir_fd(fds[i])) dirfd = fds[i];
    int bad = 0;
    bad += probe("open /etc/passwd (AT_FDCWD)",
                 closed(syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY | O_CLOEXEC)));
    bad += probe("open /etc/passwd (absolute, beside a dirfd)",
                 closed(syscall(SYS_openat, dirfd, "/etc/passwd", O_RDONLY | O_CLOEXEC)));
    bad +=
        probe("open ../../etc/passwd (beside a dirfd)",
              closed(syscall(SYS_openat, dirfd, "../../../../etc/passwd", O_RDONLY | O_CLOEXEC)));
    bad += probe("create /tmp/enarx-jail-escape (AT_FDCWD)",
                 closed(syscall(SYS_openat, AT_FDCWD, "/tmp/enarx-jail-escape",
                                O_WRONLY | O_CREAT | O_CLOEXEC, 0600)));
    bad += probe("create /enarx-jail-escape (absolute)",
                 closed(syscall(SYS_openat, dirfd, "/enarx-jail-escape",
                                O_WRONLY | O_CREAT | O_CLOEXEC, 0600)));
    long m = syscall(SYS_mmap, NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    bad += probe("map writable+executable memory", m == (long)MAP_FAILED ? -1 : m);
    bad += probe("open a socket", closed(syscall(SYS_socket, AF_INET, SOCK_STREAM, 0)));
    long pid = syscall(SYS_fork);
    if (pid == 0) _exit(0);
    bad += probe("fork", pid);
    fprintf(stderr, "jail: %d of 8 allowed\n", bad);
    return bad ? 1 : 0;
}
