/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sandbox.c - the `sandbox` backend's host side: starts the exec in a confined child and
 * serves it nothing but the job.
 *
 * One clone(2) makes the child in new user, mount, IPC, network, UTS and PID namespaces (it is
 * PID 1 of its own, so when it dies every process of the Keep dies with it). The host writes
 * the child's uid and gid maps, then the child closes everything but stdio and its end of a
 * socketpair (fd 3), asks to be killed when the host dies (PR_SET_PDEATHSIG), and executes a
 * fresh image of the enarx binary as `enarx-exec`: nothing of the host's heap crosses, no key,
 * no decoded module. The host sends the job over the socketpair with its fds (SCM_RIGHTS) and
 * waits; the exec confines itself (jail.c) once its identity is made, runs the workload and
 * answers with a status record. A forbidden system call is reported in that record by the
 * exec's SIGSYS handler, and named here.
 *
 * Lifecycle: SIGINT, SIGTERM and SIGHUP to enarx kill the Keep (SIGKILL to its PID 1, which
 * takes its whole PID namespace) and enarx exits 128 + the signal, as a shell reports it. If
 * enarx itself is killed, PR_SET_PDEATHSIG ends the Keep too.
 */
#include "backend.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NS_FLAGS                                                                                   \
    (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWPID)

static volatile sig_atomic_t g_signal;
static volatile pid_t g_child;

static void on_signal(int sig)
{
    g_signal = sig;
    if (g_child > 0) kill(g_child, SIGKILL);
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

/* Maps root in the child's user namespace to our own uid and gid. */
static int map_ids(pid_t pid)
{
    char path[64], map[64];
    snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
    (void)write_file(path, "deny");
    snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
    snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)getuid());
    int rc = write_file(path, map);
    snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
    snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)getgid());
    if (rc == 0) rc = write_file(path, map);
    return rc;
}

/* The sanitizers' settings pass to the exec (tests under ASan), and WASI's two debugging
 * switches (ENARX_WASI_TRACE, and ENARX_WASI_NO_OPENAT2 which picks the other, equally strict,
 * path resolver); nothing else of the host's environment does. */
static size_t exec_env(char **env, size_t max)
{
    extern char **environ;
    size_t n = 0;
    for (char **e = environ; e && *e && n + 1 < max; e++)
        if (strncmp(*e, "ASAN_OPTIONS=", 13) == 0 || strncmp(*e, "UBSAN_OPTIONS=", 14) == 0 ||
            strncmp(*e, "LSAN_OPTIONS=", 13) == 0 || strncmp(*e, "ENARX_WASI_TRACE=", 17) == 0 ||
            strncmp(*e, "ENARX_WASI_NO_OPENAT2=", 22) == 0)
            env[n++] = *e;
    env[n] = NULL;
    return n;
}

/* In the child: wait for the id maps, keep stdio and the channel, become enarx-exec. */
static void child(int chan, int exe, int sync)
{
    /* (getppid() is 0 in a new PID namespace: a parent that died before this is seen as the
     * sync pipe's end of file below) */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) _exit(127);
    char c;
    if (read(sync, &c, 1) != 1) _exit(127);
    /* out of the way first: either may be fd 3 or 4 already */
    chan = fcntl(chan, F_DUPFD, 10);
    exe = fcntl(exe, F_DUPFD, 10);
    if (chan < 0 || exe < 0 || dup2(chan, KEEP_CHANNEL_FD) < 0 ||
        dup2(exe, KEEP_CHANNEL_FD + 1) < 0)
        _exit(127);
    if (syscall(SYS_close_range, KEEP_CHANNEL_FD + 2, ~0u, 0) < 0) _exit(127);
    for (int s = 1; s < NSIG; s++)
        signal(s, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    char *argv[] = {KEEP_EXEC_ARGV0, "--keep=sandbox", NULL}, *env[8];
    exec_env(env, ARRAY_LEN(env));
    syscall(SYS_execveat, KEEP_CHANNEL_FD + 1, "", argv, env, AT_EMPTY_PATH);
    _exit(127);
}

/* Waits for the child, killing it when enarx is told to stop. */
static int wait_child(pid_t pid)
{
    int ws;
    while (waitpid(pid, &ws, 0) < 0)
        if (errno != EINTR) return 127;
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

static void report(int chan, int *status)
{
    int st, nr;
    /* no record (or no way to look without blocking): the wait status stands */
    if (util_fd_set_nonblock(chan, true) < 0 || keep_status_recv(chan, &st, &nr) < 0) return;
    if (nr >= 0) {
        char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
        log_error("sandbox: the Keep tried the forbidden system call %s (%d) and was stopped",
                  name ? name : "?", nr);
        free(name);
    }
    *status = st;
}

static int sandbox_probe(char *why, size_t why_size)
{
    if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0) {
        snprintf(why, why_size, "seccomp is not available in this kernel");
        return -ENOSYS;
    }
    FILE *f = fopen("/proc/sys/user/max_user_namespaces", "re");
    long max = -1;
    if (f) {
        if (fscanf(f, "%ld", &max) != 1) max = -1;
        fclose(f);
    }
    if (max == 0) {
        snprintf(why, why_size, "user namespaces are disabled (user.max_user_namespaces = 0)");
        return -EPERM;
    }
    return 0;
}

static void set_handlers(void (*fn)(int), struct sigaction *old)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fn;
    for (size_t i = 0; i < ARRAY_LEN(sigs); i++)
        sigaction(sigs[i], fn ? &sa : &old[i], fn ? &old[i] : NULL);
}

static int start(int sp[2], int exe, int sync[2], pid_t *out)
{
    fflush(NULL);
    pid_t pid = (pid_t)syscall(SYS_clone, NS_FLAGS | SIGCHLD, NULL, NULL, NULL, NULL);
    if (pid < 0) return -errno;
    if (pid == 0) {
        close(sp[0]);
        close(sync[1]);
        child(sp[1], exe, sync[0]);
    }
    *out = pid;
    int rc = map_ids(pid);
    if (rc == 0 && write(sync[1], "", 1) != 1) rc = -EIO;
    if (rc < 0) {
        kill(pid, SIGKILL);
        (void)wait_child(pid);
    }
    return rc;
}

static int sandbox_launch(const uint8_t *job, size_t size, const int *fds, size_t nfds, int *status)
{
    int sp[2] = {-1, -1}, sync[2] = {-1, -1};
    int exe = open("/proc/self/exe", O_PATH | O_CLOEXEC);
    if (exe < 0) return -errno;
    int rc =
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0 || pipe2(sync, O_CLOEXEC) < 0
            ? -errno
            : 0;
    struct sigaction old[3];
    pid_t pid = -1;
    if (rc == 0) {
        g_signal = 0;
        set_handlers(on_signal, old);
        rc = start(sp, exe, sync, &pid);
    }
    close(exe);
    if (sync[0] >= 0) close(sync[0]);
    if (sync[1] >= 0) close(sync[1]);
    if (sp[1] >= 0) close(sp[1]);
    if (rc < 0) {
        if (sp[0] >= 0) {
            set_handlers(NULL, old);
            close(sp[0]);
        }
        return rc;
    }
    g_child = pid;
    if (g_signal) kill(pid, SIGKILL);
    rc = keep_job_send(sp[0], job, size, fds, nfds);
    if (rc < 0 && rc != -EPIPE) log_error("sandbox: cannot send the job: %s", strerror(-rc));
    *status = wait_child(pid);
    g_child = 0;
    set_handlers(NULL, old);
    if (!g_signal) report(sp[0], status);
    close(sp[0]);
    if (g_signal) *status = 128 + g_signal;
    return 0;
}

const struct keep_backend keep_backend_sandbox = {
    "sandbox", "the exec in a child jailed by namespaces, an empty root, seccomp and rlimits",
    sandbox_probe, sandbox_launch};
