/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasi.h - WASI preview 1 (wasi_snapshot_preview1) for the engine: the one public header of
 * src/wasi.
 *
 * A struct wasi_ctx is what one workload sees: its arguments, its environment and its table of
 * file descriptors. The embedder (the Keep's exec) builds the table before the workload starts,
 * in the order the workload will see it: standard streams and /dev/null (wasi_ctx_add_host_fd),
 * pre-opened directories (wasi_ctx_add_preopen), plain TCP sockets (wasi_ctx_add_listen,
 * wasi_ctx_add_connect) and anything else that behaves as a byte stream, TLS above all
 * (wasi_ctx_add_stream with a struct wasi_stream_ops). Each call takes the lowest free fd. Then
 * wasi_ctx_link() resolves a module's imports against the context: all 46 functions of
 * wasi_snapshot_preview1 are served.
 *
 * Capability safety: a path the workload passes is resolved beneath the directory fd it names
 * and can never leave it: not by "..", absolute paths, or symbolic links (absolute or relative).
 * The kernel's openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) does the resolution where it
 * exists (Linux 5.6+); elsewhere, or with ENARX_WASI_NO_OPENAT2=1 in the environment (so tests
 * can exercise it), a component-wise resolver in path.c does the same job with openat(O_NOFOLLOW)
 * one component at a time. An escape yields ENOTCAPABLE (76).
 *
 * Every pointer and length the workload passes is checked against its linear memory before use;
 * a bad one yields EFAULT, never a host access outside the memory.
 *
 * ENARX_WASI_TRACE=1 in the environment prints each WASI call and its result to stderr.
 */
#ifndef ENARX_WASI_H
#define ENARX_WASI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "wasm/wasm.h"

struct wasi_ctx;
struct iovec;
struct msghdr;
struct pollfd;
struct stat;
struct timespec;

/*
 * The host interface: every system call WASI makes on behalf of a workload goes through one
 * table, so that the same WASI serves every backend. wasi_host_ops_direct() (plain Linux
 * system calls) serves nil and sandbox; a kvm Keep will implement it by proxying to its host.
 * The Keep's exec makes its own calls through the same table.
 *
 * Contract of every entry: priv is the pointer given with the table; it returns what the
 * system call of the same name returns on success (a count, an fd, an offset, 0) or a negative
 * errno, never -1 with errno. Offsets < 0 in readv/writev mean "at the file position" (readv,
 * writev), else preadv/pwritev at that offset. openat2 takes the struct open_how fields.
 *
 * Nothing an implementation returns is trusted: a checking layer (src/wasi/host.c) above the
 * table validates every result before WASI uses it, as Gramine checks its ocalls. A count is
 * no more than was asked; an errno is one of a known list (anything else becomes EIO); an fd
 * from openat/openat2/accept is non-negative, below 2^20 and not one the context already
 * holds; a readlink result fits its buffer; getdents64 entries are well-formed, aligned, in
 * bounds and NUL-terminated, with a known type and a name without '/'; a stat has a known file
 * type, a non-negative size and valid nanoseconds; the monotonic and CPU-time clocks never go
 * backwards; ppoll reports no more events than fds. A lie ends in a WASI error (EIO mostly),
 * never in a use of the value.
 */
struct wasi_host_ops {
    ssize_t (*readv)(void *priv, int fd, const struct iovec *iov, int iovcnt, int64_t offset);
    ssize_t (*writev)(void *priv, int fd, const struct iovec *iov, int iovcnt, int64_t offset);
    ssize_t (*recvmsg)(void *priv, int fd, struct msghdr *msg, int flags);
    ssize_t (*sendmsg)(void *priv, int fd, const struct msghdr *msg, int flags);
    int64_t (*lseek)(void *priv, int fd, int64_t offset, int whence);
    int (*fsync)(void *priv, int fd, bool data_only);
    int (*fadvise)(void *priv, int fd, int64_t offset, int64_t len, int advice);
    int (*fallocate)(void *priv, int fd, int64_t offset, int64_t len);
    int (*ftruncate)(void *priv, int fd, int64_t size);
    int (*fstat)(void *priv, int fd, struct stat *st);
    int (*futimens)(void *priv, int fd, const struct timespec ts[2]);
    int (*fcntl_getfl)(void *priv, int fd);
    int (*fcntl_setfl)(void *priv, int fd, int flags);
    int (*fionread)(void *priv, int fd, int *count); /* ioctl(FIONREAD); may be NULL */
    int (*isatty)(void *priv, int fd);               /* 1 or 0 */
    int (*openat)(void *priv, int dirfd, const char *path, int flags, unsigned mode);
    int (*openat2)(void *priv, int dirfd, const char *path, uint64_t flags, uint64_t mode,
                   uint64_t resolve);
    int (*close)(void *priv, int fd);
    ssize_t (*getdents64)(void *priv, int fd, void *buf, size_t size);
    ssize_t (*readlinkat)(void *priv, int dirfd, const char *path, char *buf, size_t size);
    int (*fstatat)(void *priv, int dirfd, const char *path, struct stat *st, int flags);
    int (*mkdirat)(void *priv, int dirfd, const char *path, unsigned mode);
    int (*unlinkat)(void *priv, int dirfd, const char *path, int flags);
    int (*symlinkat)(void *priv, const char *target, int dirfd, const char *path);
    int (*linkat)(void *priv, int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
                  int flags);
    int (*renameat)(void *priv, int olddirfd, const char *oldpath, int newdirfd,
                    const char *newpath);
    int (*utimensat)(void *priv, int dirfd, const char *path, const struct timespec ts[2],
                     int flags);
    int (*accept)(void *priv, int fd, int flags); /* accept4(fd, NULL, NULL, flags) */
    int (*shutdown)(void *priv, int fd, int how);
    int (*getsockopt)(void *priv, int fd, int level, int name, void *val, unsigned *len);
    int (*ppoll)(void *priv, struct pollfd *fds, unsigned long nfds,
                 const struct timespec *timeout);
    int (*clock_gettime)(void *priv, int clock, struct timespec *ts);
    int (*clock_getres)(void *priv, int clock, struct timespec *ts);
    ssize_t (*getrandom)(void *priv, void *buf, size_t size);
    int (*sched_yield)(void *priv);
};

/* The direct implementation: plain Linux system calls; priv is unused (NULL). */
const struct wasi_host_ops *wasi_host_ops_direct(void);

/*
 * Makes ctx call the host through ops (which must outlive ctx) with priv; the default, until
 * this is called, is wasi_host_ops_direct(). Call it before adding any fd: the fds the context
 * holds belong to one host. Returns 0, or -EBUSY when the table already holds an fd, -EINVAL
 * when ops lacks an entry (every one is required but fionread).
 *
 * fionread: poll_oneoff asks it for the bytes a ready socket, pipe or terminal holds only on a
 * table installed with this call (and then only if the entry is set). The default table of a
 * new context does not ask, because today's sandbox filter stops the Keep on ioctl(FIONREAD):
 * once it allows that ioctl, the exec calls wasi_ctx_set_host_ops(ctx, wasi_host_ops_direct(),
 * NULL) and poll_oneoff reports real counts.
 */
__attribute__((warn_unused_result)) int
wasi_ctx_set_host_ops(struct wasi_ctx *ctx, const struct wasi_host_ops *ops, void *priv);

/* The WASI error code of the last failed operation: enum values are the spec's (ENOTCAPABLE is
 * 76). wasi_errno_from_host() maps a host errno (positive) to it. */
uint16_t wasi_errno_from_host(int host_errno);

/*
 * A byte stream that is not a plain host fd, so that it looks like any socket to the workload:
 * TLS (src/keep/tls.c) is the first user. Every callback receives the priv pointer given to
 * wasi_ctx_add_stream(). read/write return the bytes moved (read: 0 at end of stream) or a
 * negative errno (-EAGAIN when nothing can move without blocking and the stream is
 * non-blocking). shutdown takes SHUT_RD, SHUT_WR or SHUT_RDWR and returns 0 or a negative
 * errno. close releases priv (and its host fd); it is called exactly once. poll_fd is the host
 * fd whose readiness poll_oneoff watches; pending (may be NULL) says whether read() has bytes
 * buffered already, which poll() cannot see. set_nonblock (may be NULL) switches between
 * blocking and non-blocking reads and writes. accept (NULL except for listening streams) waits
 * for one connection and returns it as a new stream in *ops_out and *priv_out, or a negative
 * errno.
 */
struct wasi_stream_ops {
    ssize_t (*read)(void *priv, void *buf, size_t size);
    ssize_t (*write)(void *priv, const void *buf, size_t size);
    int (*shutdown)(void *priv, int how);
    void (*close)(void *priv);
    int (*poll_fd)(void *priv);
    bool (*pending)(void *priv);
    int (*set_nonblock)(void *priv, bool nonblock);
    int (*accept)(void *priv, bool nonblock, const struct wasi_stream_ops **ops_out,
                  void **priv_out);
};

/*
 * Creates a context with argv[0..argc) and env ("KEY=VALUE" strings, nenv of them), both
 * copied, and an empty fd table. Returns 0 and *out, or -ENOMEM or -EINVAL (a negative count).
 */
__attribute__((warn_unused_result)) int wasi_ctx_new(int argc, char *const *argv, int nenv,
                                                     char *const *env, struct wasi_ctx **out);

/* Replaces the environment with env ("KEY=VALUE" strings, nenv of them, copied). Returns 0, or
 * -ENOMEM / -EINVAL (then the old environment stays). */
__attribute__((warn_unused_result)) int wasi_ctx_set_env(struct wasi_ctx *ctx, int nenv,
                                                         char *const *env);

/* Closes every fd the context owns and frees it; ctx may be NULL. */
void wasi_ctx_free(struct wasi_ctx *ctx);

/*
 * Adds host_fd (a standard stream, /dev/null, a pipe, a file) as the next fd. With own true the
 * context closes host_fd when the workload closes it or the context is freed; host fds 0, 1, 2
 * are never closed. Rights follow the host fd's open mode and type. Returns 0 and the WASI fd in
 * *fd_out (may be NULL), or a negative errno (-EBADF when host_fd is not open).
 */
__attribute__((warn_unused_result)) int wasi_ctx_add_host_fd(struct wasi_ctx *ctx, int host_fd,
                                                             bool own, uint32_t *fd_out);

/*
 * Pre-opens the host directory host_path as guest_path (what fd_prestat_dir_name answers, for
 * instance "/" or "data"). Returns 0 and the fd in *fd_out (may be NULL), or a negative errno
 * (-ENOENT, -ENOTDIR, -EACCES, ...).
 */
__attribute__((warn_unused_result)) int wasi_ctx_add_preopen(struct wasi_ctx *ctx,
                                                             const char *host_path,
                                                             const char *guest_path,
                                                             uint32_t *fd_out);

/* As wasi_ctx_add_preopen(), for a directory the embedder opened (dir_fd, owned from here on,
 * also on failure). Returns 0 and *fd_out, or -ENOTDIR, -ENOMEM, -EMFILE. */
__attribute__((warn_unused_result)) int
wasi_ctx_add_preopen_fd(struct wasi_ctx *ctx, int dir_fd, const char *guest_path, uint32_t *fd_out);

/* Adds a TCP socket the embedder bound and made listen (listening true) or connected (owned
 * from here on, also on failure). Returns 0 and *fd_out, or -EBADF, -ENOMEM, -EMFILE. */
__attribute__((warn_unused_result)) int wasi_ctx_add_socket(struct wasi_ctx *ctx, int sock,
                                                            bool listening, uint32_t *fd_out);

/*
 * Binds and listens on a TCP socket at addr (an IPv4 or IPv6 literal; "::" accepts both
 * families) and port, before the workload starts; sock_accept() serves it. Returns 0 and the fd
 * in *fd_out (may be NULL), or a negative errno (-EINVAL for a bad address, -EADDRINUSE, ...).
 */
__attribute__((warn_unused_result)) int wasi_ctx_add_listen(struct wasi_ctx *ctx, const char *addr,
                                                            uint16_t port, uint32_t *fd_out);

/*
 * Connects a TCP socket to host (a name or an address literal) and port before the workload
 * starts. Returns 0 and the fd in *fd_out (may be NULL), or a negative errno (-ENOENT when the
 * name does not resolve, -ECONNREFUSED, ...).
 */
__attribute__((warn_unused_result)) int wasi_ctx_add_connect(struct wasi_ctx *ctx, const char *host,
                                                             uint16_t port, uint32_t *fd_out);

/*
 * Adds a stream (see struct wasi_stream_ops; ops must outlive the context) as the next fd, with
 * the rights of a connected socket, or of a listening one when ops->accept is set. The context
 * owns priv from then on, also on failure (it calls ops->close). Returns 0 and *fd_out (may be
 * NULL), or -ENOMEM / -EMFILE.
 */
__attribute__((warn_unused_result)) int wasi_ctx_add_stream(struct wasi_ctx *ctx,
                                                            const struct wasi_stream_ops *ops,
                                                            void *priv, uint32_t *fd_out);

/* The number of fds in the table now (the highest open fd plus one). */
uint32_t wasi_ctx_fd_count(const struct wasi_ctx *ctx);

/*
 * Builds the import list of mod from WASI: imports[i] for each import i. Returns 0, or
 * -ENOENT with msg naming the first import that is not a WASI function of the right type.
 */
__attribute__((warn_unused_result)) int
wasi_ctx_link(struct wasi_ctx *ctx, struct wasm_store *store, const struct wasm_module *mod,
              struct wasm_extern *imports, char *msg, size_t msg_size);

/* After a WASM_TRAP_EXIT: true and the code passed to proc_exit (or 128 + the signal number a
 * proc_raise ended the workload with). */
bool wasi_ctx_exited(const struct wasi_ctx *ctx, int *code);

#endif
