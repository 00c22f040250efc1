/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h - (private to src/wasi) the fd table, WASI's constants and the helpers shared by
 * the files of this folder.
 *
 * Files: host.c (the host interface: the direct struct wasi_host_ops and the checking layer every
 * system call goes through: wasi_host_*), wasi.c (context, linking, args, environ, clocks,
 * random, proc, sched), fdtable.c (the
 * fd table and the wasi_ctx_add_* constructors), fd.c (fd_*), path.c (capability-safe path
 * resolution and path_*), poll.c (poll_oneoff), sock.c (sockets and sock_*). Each host function
 * is declared once in wasi_fns.def (name and signature) and defined with WASI_FN().
 *
 * Invariants of the fd table: fds[i].kind == WASI_FD_FREE marks a free slot; every other slot
 * holds exactly one live object (a host fd, or a stream's priv); rights only ever shrink.
 */
#ifndef ENARX_WASI_INTERNAL_H
#define ENARX_WASI_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "wasi.h"

/* WASI errno values: WASI_ERRNO(NAME, value); the host errno of the same name is E<NAME>. */
// clang-format off
#define WASI_ERRNO_LIST(X) \
    X(2BIG, 1) \
    X(ACCES, 2) \
    X(ADDRINUSE, 3) \
    X(ADDRNOTAVAIL, 4) \
    X(AFNOSUPPORT, 5) \
    X(AGAIN, 6) \
    X(ALREADY, 7) \
    X(BADF, 8) \
    X(BADMSG, 9) \
    X(BUSY, 10) \
    X(CANCELED, 11) \
    X(CHILD, 12) \
    X(CONNABORTED, 13) \
    X(CONNREFUSED, 14) \
    X(CONNRESET, 15) \
    X(DEADLK, 16) \
    X(DESTADDRREQ, 17) \
    X(DOM, 18) \
    X(DQUOT, 19) \
    X(EXIST, 20) \
    X(FAULT, 21) \
    X(FBIG, 22) \
    X(HOSTUNREACH, 23) \
    X(IDRM, 24) \
    X(ILSEQ, 25) \
    X(INPROGRESS, 26) \
    X(INTR, 27) \
    X(INVAL, 28) \
    X(IO, 29) \
    X(ISCONN, 30) \
    X(ISDIR, 31) \
    X(LOOP, 32) \
    X(MFILE, 33) \
    X(MLINK, 34) \
    X(MSGSIZE, 35) \
    X(MULTIHOP, 36) \
    X(NAMETOOLONG, 37) \
    X(NETDOWN, 38) \
    X(NETRESET, 39) \
    X(NETUNREACH, 40) \
    X(NFILE, 41) \
    X(NOBUFS, 42) \
    X(NODEV, 43) \
    X(NOENT, 44) \
    X(NOEXEC, 45) \
    X(NOLCK, 46) \
    X(NOLINK, 47) \
    X(NOMEM, 48) \
    X(NOMSG, 49) \
    X(NOPROTOOPT, 50) \
    X(NOSPC, 51) \
    X(NOSYS, 52) \
    X(NOTCONN, 53) \
    X(NOTDIR, 54) \
    X(NOTEMPTY, 55) \
    X(NOTRECOVERABLE, 56) \
    X(NOTSOCK, 57) \
    X(NOTSUP, 58) \
    X(NOTTY, 59) \
    X(NXIO, 60) \
    X(OVERFLOW, 61) \
    X(OWNERDEAD, 62) \
    X(PERM, 63) \
    X(PIPE, 64) \
    X(PROTO, 65) \
    X(PROTONOSUPPORT, 66) \
    X(PROTOTYPE, 67) \
    X(RANGE, 68) \
    X(ROFS, 69) \
    X(SPIPE, 70) \
    X(SRCH, 71) \
    X(STALE, 72) \
    X(TIMEDOUT, 73) \
    X(TXTBSY, 74) \
    X(XDEV, 75)
// clang-format on

#define WASI_ERRNO_ENUM(name, value) WASI_E##name = value,
enum wasi_errno {
    WASI_ESUCCESS = 0,
    WASI_ERRNO_LIST(WASI_ERRNO_ENUM) WASI_ENOTCAPABLE = 76,
};
#undef WASI_ERRNO_ENUM

/* Rights (bit numbers from the spec). */
#define WASI_RIGHT(n) ((uint64_t)1 << (n))
#define R_FD_DATASYNC WASI_RIGHT(0)
#define R_FD_READ WASI_RIGHT(1)
#define R_FD_SEEK WASI_RIGHT(2)
#define R_FD_FDSTAT_SET_FLAGS WASI_RIGHT(3)
#define R_FD_SYNC WASI_RIGHT(4)
#define R_FD_TELL WASI_RIGHT(5)
#define R_FD_WRITE WASI_RIGHT(6)
#define R_FD_ADVISE WASI_RIGHT(7)
#define R_FD_ALLOCATE WASI_RIGHT(8)
#define R_PATH_CREATE_DIRECTORY WASI_RIGHT(9)
#define R_PATH_CREATE_FILE WASI_RIGHT(10)
#define R_PATH_LINK_SOURCE WASI_RIGHT(11)
#define R_PATH_LINK_TARGET WASI_RIGHT(12)
#define R_PATH_OPEN WASI_RIGHT(13)
#define R_FD_READDIR WASI_RIGHT(14)
#define R_PATH_READLINK WASI_RIGHT(15)
#define R_PATH_RENAME_SOURCE WASI_RIGHT(16)
#define R_PATH_RENAME_TARGET WASI_RIGHT(17)
#define R_PATH_FILESTAT_GET WASI_RIGHT(18)
#define R_PATH_FILESTAT_SET_SIZE WASI_RIGHT(19)
#define R_PATH_FILESTAT_SET_TIMES WASI_RIGHT(20)
#define R_FD_FILESTAT_GET WASI_RIGHT(21)
#define R_FD_FILESTAT_SET_SIZE WASI_RIGHT(22)
#define R_FD_FILESTAT_SET_TIMES WASI_RIGHT(23)
#define R_PATH_SYMLINK WASI_RIGHT(24)
#define R_PATH_REMOVE_DIRECTORY WASI_RIGHT(25)
#define R_PATH_UNLINK_FILE WASI_RIGHT(26)
#define R_POLL_FD_READWRITE WASI_RIGHT(27)
#define R_SOCK_SHUTDOWN WASI_RIGHT(28)
#define R_SOCK_ACCEPT WASI_RIGHT(29)
#define R_ALL (WASI_RIGHT(30) - 1)

/* What a regular file, a directory, a stream socket and a listening socket can ever hold. */
#define RIGHTS_FILE                                                                                \
    (R_FD_DATASYNC | R_FD_READ | R_FD_SEEK | R_FD_FDSTAT_SET_FLAGS | R_FD_SYNC | R_FD_TELL |       \
     R_FD_WRITE | R_FD_ADVISE | R_FD_ALLOCATE | R_FD_FILESTAT_GET | R_FD_FILESTAT_SET_SIZE |       \
     R_FD_FILESTAT_SET_TIMES | R_POLL_FD_READWRITE)
#define RIGHTS_DIR                                                                                 \
    (R_FD_FDSTAT_SET_FLAGS | R_FD_SYNC | R_FD_ADVISE | R_PATH_CREATE_DIRECTORY |                   \
     R_PATH_CREATE_FILE | R_PATH_LINK_SOURCE | R_PATH_LINK_TARGET | R_PATH_OPEN | R_FD_READDIR |   \
     R_PATH_READLINK | R_PATH_RENAME_SOURCE | R_PATH_RENAME_TARGET | R_PATH_FILESTAT_GET |         \
     R_PATH_FILESTAT_SET_SIZE | R_PATH_FILESTAT_SET_TIMES | R_FD_FILESTAT_GET |                    \
     R_FD_FILESTAT_SET_TIMES | R_PATH_SYMLINK | R_PATH_REMOVE_DIRECTORY | R_PATH_UNLINK_FILE |     \
     R_POLL_FD_READWRITE)
#define RIGHTS_TTY                                                                                 \
    (R_FD_READ | R_FD_FDSTAT_SET_FLAGS | R_FD_WRITE | R_FD_FILESTAT_GET | R_POLL_FD_READWRITE)
#define RIGHTS_SOCK                                                                                \
    (R_FD_READ | R_FD_FDSTAT_SET_FLAGS | R_FD_WRITE | R_FD_FILESTAT_GET | R_POLL_FD_READWRITE |    \
     R_SOCK_SHUTDOWN)
#define RIGHTS_LISTEN (RIGHTS_SOCK | R_SOCK_ACCEPT)

enum wasi_filetype {
    WASI_FT_UNKNOWN = 0,
    WASI_FT_BLOCK = 1,
    WASI_FT_CHAR = 2,
    WASI_FT_DIR = 3,
    WASI_FT_REG = 4,
    WASI_FT_SOCK_DGRAM = 5,
    WASI_FT_SOCK_STREAM = 6,
    WASI_FT_SYMLINK = 7,
};

/* fdflags, oflags, lookupflags, fstflags */
#define WASI_FDFLAG_APPEND 1u
#define WASI_FDFLAG_DSYNC 2u
#define WASI_FDFLAG_NONBLOCK 4u
#define WASI_FDFLAG_RSYNC 8u
#define WASI_FDFLAG_SYNC 16u
#define WASI_O_CREAT 1u
#define WASI_O_DIRECTORY 2u
#define WASI_O_EXCL 4u
#define WASI_O_TRUNC 8u
#define WASI_LOOKUP_FOLLOW 1u
#define WASI_FST_ATIM 1u
#define WASI_FST_ATIM_NOW 2u
#define WASI_FST_MTIM 4u
#define WASI_FST_MTIM_NOW 8u

/* Not a host errno: a path tried to leave its directory. wasi_errno_from_host() maps it to
 * WASI_ENOTCAPABLE. */
#define EWASI_NOTCAPABLE 4096

/* The largest fd table and directory listing we keep. */
#define WASI_MAX_FDS 4096u
#define WASI_MAX_DIRENTS (1u << 20)
/* The most iovecs one read or write moves (more is a short transfer, as POSIX allows). */
#define WASI_MAX_IOVS 1024u
/* Host fd numbers at or above this are refused as lies (Linux's default hard RLIMIT_NOFILE). */
#define WASI_HOST_FD_LIMIT (1u << 20)
/* struct linux_dirent64 up to d_name: d_ino, d_off, d_reclen, d_type. */
#define WASI_DIRENT64_HDR 19u
/* WASI clocks: realtime, monotonic, process CPU time, thread CPU time. */
#define WASI_NCLOCKS 4u

enum wasi_fd_kind {
    WASI_FD_FREE = 0,
    WASI_FD_FILE,   /* regular files, character devices, pipes: host fd */
    WASI_FD_DIR,    /* directories: host fd opened O_RDONLY|O_DIRECTORY */
    WASI_FD_SOCKET, /* host socket (listening or connected) */
    WASI_FD_STREAM, /* struct wasi_stream_ops */
};

struct wasi_dirent {
    uint64_t ino;
    uint8_t type; /* enum wasi_filetype */
    uint16_t namelen;
    char *name;
};

/* A snapshot of a directory's entries, taken by fd_readdir at cookie 0; cookie = index. */
struct wasi_dircache {
    struct wasi_dirent *ents;
    uint32_t count;
};

struct wasi_fd {
    enum wasi_fd_kind kind;
    int host;           /* host fd, or -1 for streams */
    bool own;           /* close host when the entry goes */
    bool listening;     /* socket or stream that sock_accept serves */
    bool nonblock;      /* streams: the workload asked for non-blocking I/O */
    uint16_t emu_flags; /* host fds not owned: WASI_FDFLAG_APPEND|NONBLOCK, emulated (fd.c) */
    uint8_t filetype;   /* enum wasi_filetype */
    uint64_t rights_base, rights_inh;
    char *preopen; /* guest name of a pre-opened directory, else NULL */
    struct wasi_dircache *dir;
    const struct wasi_stream_ops *ops;
    void *priv;
};

struct wasi_binding;

struct wasi_ctx {
    int argc, nenv;
    char **argv, **env;
    struct wasi_fd *fds;
    uint32_t nfds; /* slots in fds[] (some may be free) */
    bool exited;
    int exit_code;
    bool trace;
    bool no_openat2; /* use the component-wise resolver (ENARX_WASI_NO_OPENAT2=1 or ENOSYS) */
    struct wasi_binding *bindings;    /* one per WASI function, made by wasi_ctx_link */
    const struct wasi_host_ops *host; /* every system call goes through it (host.c) */
    void *host_priv;
    uint64_t *fdbits; /* host fds in use (host.c) */
    uint32_t fdwords;
    uint64_t clock_last[WASI_NCLOCKS]; /* the last reading of each clock, ns */
    bool count_readable;               /* ask host->fionread (set by wasi_ctx_set_host_ops) */
};

/* host.c: the checked host calls. Each returns what ctx->host's entry of the same name returns
 * (negative errno on failure) once it passed its check, else a negative errno (-EIO mostly).
 * openat, openat2 and accept mark the new fd in use; wasi_host_close unmarks it. */
struct iovec;
struct msghdr;
struct pollfd;
ssize_t wasi_host_readv(struct wasi_ctx *ctx, int fd, const struct iovec *iov, int n, int64_t off);
ssize_t wasi_host_writev(struct wasi_ctx *ctx, int fd, const struct iovec *iov, int n, int64_t off);
ssize_t wasi_host_recvmsg(struct wasi_ctx *ctx, int fd, struct msghdr *msg, int flags);
ssize_t wasi_host_sendmsg(struct wasi_ctx *ctx, int fd, const struct msghdr *msg, int flags);
int64_t wasi_host_lseek(struct wasi_ctx *ctx, int fd, int64_t off, int whence);
int wasi_host_fsync(struct wasi_ctx *ctx, int fd, bool data_only);
int wasi_host_fadvise(struct wasi_ctx *ctx, int fd, int64_t off, int64_t len, int advice);
int wasi_host_fallocate(struct wasi_ctx *ctx, int fd, int64_t off, int64_t len);
int wasi_host_ftruncate(struct wasi_ctx *ctx, int fd, int64_t size);
int wasi_host_fstat(struct wasi_ctx *ctx, int fd, struct stat *st);
int wasi_host_futimens(struct wasi_ctx *ctx, int fd, const struct timespec ts[2]);
int wasi_host_fcntl_getfl(struct wasi_ctx *ctx, int fd);
int wasi_host_fcntl_setfl(struct wasi_ctx *ctx, int fd, int flags);
/* The bytes readable now (FIONREAD) in *count (0 on failure). */
int wasi_host_fionread(struct wasi_ctx *ctx, int fd, uint64_t *count);
bool wasi_host_isatty(struct wasi_ctx *ctx, int fd);
int wasi_host_openat(struct wasi_ctx *ctx, int dirfd, const char *path, int flags, unsigned mode);
int wasi_host_openat2(struct wasi_ctx *ctx, int dirfd, const char *path, uint64_t flags,
                      uint64_t mode, uint64_t resolve);
/* Closes a host fd the context holds (never 0, 1, 2). */
void wasi_host_close(struct wasi_ctx *ctx, int fd);
ssize_t wasi_host_getdents64(struct wasi_ctx *ctx, int fd, void *buf, size_t size);
ssize_t wasi_host_readlinkat(struct wasi_ctx *ctx, int dirfd, const char *path, char *buf,
                             size_t size);
int wasi_host_fstatat(struct wasi_ctx *ctx, int dirfd, const char *path, struct stat *st,
                      int flags);
int wasi_host_mkdirat(struct wasi_ctx *ctx, int dirfd, const char *path, unsigned mode);
int wasi_host_unlinkat(struct wasi_ctx *ctx, int dirfd, const char *path, int flags);
int wasi_host_symlinkat(struct wasi_ctx *ctx, const char *target, int dirfd, const char *path);
int wasi_host_linkat(struct wasi_ctx *ctx, int od, const char *op, int nd, const char *np,
                     int flags);
int wasi_host_renameat(struct wasi_ctx *ctx, int od, const char *op, int nd, const char *np);
int wasi_host_utimensat(struct wasi_ctx *ctx, int dirfd, const char *path,
                        const struct timespec ts[2], int flags);
int wasi_host_accept(struct wasi_ctx *ctx, int fd, int flags);
int wasi_host_shutdown(struct wasi_ctx *ctx, int fd, int how);
/* SO_TYPE of a socket. */
int wasi_host_sock_type(struct wasi_ctx *ctx, int fd, int *type);
int wasi_host_ppoll(struct wasi_ctx *ctx, struct pollfd *fds, unsigned long n,
                    const struct timespec *timeout);
/* The time of WASI clock id in ns: -EINVAL for a bad id, -EIO for a lie. */
int wasi_host_clock_ns(struct wasi_ctx *ctx, uint32_t id, uint64_t *ns);
int wasi_host_clock_res_ns(struct wasi_ctx *ctx, uint32_t id, uint64_t *ns);
ssize_t wasi_host_getrandom(struct wasi_ctx *ctx, void *buf, size_t size);
void wasi_host_sched_yield(struct wasi_ctx *ctx);
/* The set of host fds the context holds (0, 1, 2 always count as held). */
bool wasi_host_fd_in_use(const struct wasi_ctx *ctx, int fd);
int wasi_host_fd_mark(struct wasi_ctx *ctx, int fd);
void wasi_host_fd_unmark(struct wasi_ctx *ctx, int fd);

/* fdtable.c */

/*
 * The entry for fd if it is open and holds all of rights: WASI_ESUCCESS and *out, WASI_EBADF
 * (not open) or WASI_ENOTCAPABLE (a right is missing).
 */
uint16_t wasi_fd_get(struct wasi_ctx *ctx, uint32_t fd, uint64_t rights, struct wasi_fd **out);
/* Moves *ent (ownership included) into the lowest free slot; 0 and *fd_out, or -EMFILE or
 * -ENOMEM (then *ent is released). */
int wasi_fd_insert(struct wasi_ctx *ctx, struct wasi_fd *ent, uint32_t *fd_out);
/* Releases what the entry holds and marks it free. */
void wasi_fd_release(struct wasi_ctx *ctx, struct wasi_fd *ent);
/* Frees a readdir snapshot. */
void wasi_dircache_free(struct wasi_dircache *dc);
/* The WASI file type of a host stat mode (and, for sockets, host fd's SO_TYPE). */
uint8_t wasi_filetype_of(struct wasi_ctx *ctx, unsigned mode, int host_fd);
/* Fills a 64-byte WASI filestat from a host struct stat. */
struct stat;
void wasi_filestat_put(uint8_t *p, const struct stat *st);

/* path.c */

/*
 * Opens path (len bytes of guest memory, not NUL-terminated) beneath the directory dirfd with
 * host open flags (O_NOFOLLOW means: do not follow a symlink in the last component). Returns a
 * host fd or a negative host errno; an escape is -EWASI_NOTCAPABLE. Exposed for unit tests.
 */
int wasi_path_openat(struct wasi_ctx *ctx, int dirfd, const char *path, size_t len, int flags,
                     unsigned mode);
/*
 * Resolves all but the last component of path beneath dirfd. Returns a host directory fd
 * (O_PATH) and the last component, NUL-terminated and without slashes, in name (name_size
 * bytes), or a negative host errno; *trailing says whether the path ended in slashes. A last
 * component of "." or ".." is resolved too and name becomes ".". Exposed for unit tests.
 */
int wasi_path_parent(struct wasi_ctx *ctx, int dirfd, const char *path, size_t len, char *name,
                     size_t name_size, bool *trailing);

/* wasi.c */

/* The guest range [ptr, ptr + size) as a host pointer, or NULL when any of it is outside the
 * caller's memory 0. The pointer is valid until the memory grows. */
uint8_t *wasi_mem(struct wasm_caller *caller, uint32_t ptr, uint64_t size);

static inline void wasi_put_u16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2);
}
static inline void wasi_put_u32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}
static inline void wasi_put_u64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}
static inline uint16_t wasi_get_u16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}
static inline uint32_t wasi_get_u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static inline uint64_t wasi_get_u64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* fd.c: fills ts[] for utimensat from WASI times and fstflags (EINVAL on a bad combination). */
struct timespec;
uint16_t wasi_times(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2]);

/* fd.c: reads or writes a guest iovec array on an entry (files, sockets, streams). */
uint16_t wasi_iov_transfer(struct wasi_ctx *ctx, struct wasm_caller *caller, struct wasi_fd *f,
                           uint32_t iovs, uint32_t n, bool is_write, int64_t offset,
                           uint32_t *done);

/* Host functions: each is `uint16_t wasi_fn_NAME(ctx, caller, args)` returning the errno. */
#define WASI_FN_DECL(name, sig)                                                                    \
    uint16_t wasi_fn_##name(struct wasi_ctx *ctx, struct wasm_caller *caller,                      \
                            const union wasm_val *a);
#define WASI_FN_LIST_ITEM WASI_FN_DECL
#include "wasi_fns.def"
#undef WASI_FN_LIST_ITEM
#undef WASI_FN_DECL

/* Returned by a host function instead of an errno: stop the workload (proc_exit, proc_raise);
 * ctx->exit_code says with what. */
#define WASI_STOP 0xffffu

#define WASI_FN(name)                                                                              \
    uint16_t wasi_fn_##name(struct wasi_ctx *ctx, struct wasm_caller *caller,                      \
                            const union wasm_val *a)

#endif
