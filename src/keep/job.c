/* SPDX-License-Identifier: Apache-2.0 */
/*
 * job.c - the Keep's job as bytes, and the channel that carries it.
 *
 * A job is everything a Keep needs to run one workload: the module, Enarx.toml as the owner
 * wrote it, the command-line arguments and environment, the pre-opened directories, the host
 * fds of listen/connect files and of the Steward connection, CA bundles as PEM bytes, limits.
 * The host side (src/cli) builds it; the exec (exec.c) reads it, inside the Keep. Nothing else
 * crosses: no pointer, no inherited heap. Host fds travel beside the bytes (SCM_RIGHTS on a
 * socket, or a table the VMM keeps); in the bytes a fd is only an index into that list.
 *
 * Wire format (all integers little-endian):
 *
 *   "ENXJ" u32 version(1)  then records  u16 tag, u32 length, length bytes of value
 *
 * A string value is its bytes without NUL (a NUL inside is refused). Every tag is known, a
 * singleton appears at most once, repeatable records are bounded in number, every fd index is
 * below the job's fd count and used at most once, and the module is required. The decoder is
 * strict because in a VM or enclave Keep the host hands these bytes to the exec: a fuzz target
 * (tests/fuzz/fuzz_keep_job.c) replays its corpus in make test.
 *
 * Channel: keep_job_send() writes a 16-byte header ("ENXC", u32 fd count, u64 size) carrying the
 * fds as SCM_RIGHTS, then the bytes; keep_job_recv() reads it back with every bound checked.
 * The exec answers with one 12-byte status record ("ENXS", i32 exit status, i32 forbidden
 * system call or -1) before it exits.
 */
#include "keep.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum {
    TAG_PROG = 1,
    TAG_MODULE,
    TAG_MODULE_NAME,
    TAG_CONFIG,
    TAG_CONFIG_NAME,
    TAG_ARG,
    TAG_ENV,
    TAG_DIR,
    TAG_FILE,
    TAG_STEWARD,
    TAG_LIMITS,
    TAG_LOG,
    TAG_KEEP_NAME,
    TAG_FLAGS,
    TAG_NFDS,
    TAG_MAX,
};

#define JOB_MAGIC "ENXJ"
#define JOB_VERSION 1u
#define CHAN_MAGIC "ENXC"
#define STATUS_MAGIC "ENXS"

/* ---- encoding ---- */

struct wbuf {
    uint8_t *p;
    size_t size, cap;
    int err;
};

static void put(struct wbuf *w, const void *data, size_t size)
{
    if (w->err) return;
    if (size > w->cap - w->size) {
        size_t cap = w->cap ? w->cap : 4096;
        while (cap - w->size < size) {
            if (cap > KEEP_JOB_MAX_SIZE) {
                w->err = -E2BIG;
                return;
            }
            cap *= 2;
        }
        uint8_t *np = realloc(w->p, cap);
        if (!np) {
            w->err = -ENOMEM;
            return;
        }
        w->p = np;
        w->cap = cap;
    }
    if (size) memcpy(w->p + w->size, data, size);
    w->size += size;
}

static void put_u32(struct wbuf *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(w, b, 4);
}

static void put_u64(struct wbuf *w, uint64_t v)
{
    put_u32(w, (uint32_t)v);
    put_u32(w, (uint32_t)(v >> 32));
}

static void rec_head(struct wbuf *w, unsigned tag, size_t len)
{
    if (len > KEEP_JOB_MAX_SIZE) {
        w->err = -E2BIG;
        return;
    }
    uint8_t b[2] = {(uint8_t)tag, (uint8_t)(tag >> 8)};
    put(w, b, 2);
    put_u32(w, (uint32_t)len);
}

static void rec_bytes(struct wbuf *w, unsigned tag, const void *data, size_t size)
{
    rec_head(w, tag, size);
    put(w, data, size);
}

static void rec_str(struct wbuf *w, unsigned tag, const char *s)
{
    if (s) rec_bytes(w, tag, s, strlen(s));
}

static void rec_u32(struct wbuf *w, unsigned tag, uint32_t v)
{
    rec_head(w, tag, 4);
    put_u32(w, v);
}

/* A record of a u32 fd index followed by bytes (a string or a PEM bundle). */
static void rec_fd_bytes(struct wbuf *w, unsigned tag, uint32_t fd, const void *data, size_t size)
{
    rec_head(w, tag, 4 + size);
    put_u32(w, fd);
    put(w, data, size);
}

int keep_job_encode(const struct keep_job *job, uint8_t **out, size_t *out_size)
{
    struct wbuf w = {0};
    put(&w, JOB_MAGIC, 4);
    put_u32(&w, JOB_VERSION);
    rec_str(&w, TAG_PROG, job->prog);
    rec_bytes(&w, TAG_MODULE, job->module, job->module_size);
    rec_str(&w, TAG_MODULE_NAME, job->module_name);
    if (job->config) rec_bytes(&w, TAG_CONFIG, job->config, job->config_size);
    rec_str(&w, TAG_CONFIG_NAME, job->config_name);
    for (size_t i = 0; i < job->nargs; i++)
        rec_str(&w, TAG_ARG, job->args[i]);
    for (size_t i = 0; i < job->nenv; i++)
        rec_str(&w, TAG_ENV, job->env[i]);
    for (size_t i = 0; i < job->ndirs; i++)
        rec_fd_bytes(&w, TAG_DIR, job->dirs[i].fd, job->dirs[i].guest, strlen(job->dirs[i].guest));
    for (size_t i = 0; i < job->nfiles; i++)
        rec_fd_bytes(&w, TAG_FILE, job->files[i].fd, job->files[i].ca, job->files[i].ca_size);
    if (job->steward_fd != KEEP_JOB_NO_FD)
        rec_fd_bytes(&w, TAG_STEWARD, job->steward_fd, job->steward_ca, job->steward_ca_size);
    rec_head(&w, TAG_LIMITS, 24);
    put_u64(&w, job->fuel);
    put_u64(&w, job->timeout_ms);
    put_u64(&w, job->max_memory);
    rec_u32(&w, TAG_LOG, job->log_level);
    rec_str(&w, TAG_KEEP_NAME, job->keep_name);
    rec_u32(&w, TAG_FLAGS, job->flags);
    rec_u32(&w, TAG_NFDS, job->nfds);
    if (w.err) {
        free(w.p);
        return w.err;
    }
    *out = w.p;
    *out_size = w.size;
    return 0;
}

/* ---- decoding ---- */

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

/* A string value: no NUL inside; copied with a terminator. NULL on a NUL or no memory. */
static char *dup_str(const uint8_t *p, size_t len, int *err)
{
    if (memchr(p, 0, len)) {
        *err = -EINVAL;
        return NULL;
    }
    char *s = malloc(len + 1);
    if (!s) {
        *err = -ENOMEM;
        return NULL;
    }
    memcpy(s, p, len);
    s[len] = 0;
    return s;
}

static uint8_t *dup_bytes(const uint8_t *p, size_t len, int *err)
{
    uint8_t *b = malloc(len ? len : 1);
    if (!b)
        *err = -ENOMEM;
    else if (len)
        memcpy(b, p, len);
    return b;
}

static int push_str(char ***v, size_t *n, size_t max, const uint8_t *p, size_t len)
{
    if (*n >= max) return -E2BIG;
    char **nv = realloc(*v, (*n + 1) * sizeof(**v));
    if (!nv) return -ENOMEM;
    *v = nv;
    int err = 0;
    char *s = dup_str(p, len, &err);
    if (!s) return err;
    nv[(*n)++] = s;
    return 0;
}

struct dec {
    struct keep_job *job;
    char *err;
    size_t err_size;
    unsigned seen; /* bit per singleton tag */
};

static int fail(struct dec *d, int rc, const char *what)
{
    if (d->err && d->err_size) snprintf(d->err, d->err_size, "job: %s", what);
    return rc;
}

static int dec_dir(struct dec *d, const uint8_t *p, size_t len)
{
    struct keep_job *j = d->job;
    if (len < 5) return fail(d, -EINVAL, "a directory record is too short");
    if (j->ndirs >= KEEP_JOB_MAX_DIRS) return fail(d, -E2BIG, "too many directories");
    struct keep_job_dir *nd = realloc(j->dirs, (j->ndirs + 1) * sizeof(*nd));
    if (!nd) return -ENOMEM;
    j->dirs = nd;
    int err = 0;
    char *g = dup_str(p + 4, len - 4, &err);
    if (!g) return fail(d, err, "a directory's guest path holds a NUL");
    nd[j->ndirs].fd = get_u32(p);
    nd[j->ndirs++].guest = g;
    return 0;
}

static int dec_file(struct dec *d, const uint8_t *p, size_t len)
{
    struct keep_job *j = d->job;
    if (len < 4) return fail(d, -EINVAL, "a file record is too short");
    if (j->nfiles >= KEEP_JOB_MAX_FILES) return fail(d, -E2BIG, "too many files");
    struct keep_job_file *nf = realloc(j->files, (j->nfiles + 1) * sizeof(*nf));
    if (!nf) return -ENOMEM;
    j->files = nf;
    struct keep_job_file *f = &nf[j->nfiles];
    memset(f, 0, sizeof(*f));
    f->fd = get_u32(p);
    if (len > 4) {
        int err = 0;
        f->ca = dup_bytes(p + 4, len - 4, &err);
        if (!f->ca) return err;
        f->ca_size = len - 4;
    }
    j->nfiles++;
    return 0;
}

static int dec_steward(struct dec *d, const uint8_t *p, size_t len)
{
    struct keep_job *j = d->job;
    if (len < 4) return fail(d, -EINVAL, "the steward record is too short");
    j->steward_fd = get_u32(p);
    if (len > 4) {
        int err = 0;
        j->steward_ca = dup_bytes(p + 4, len - 4, &err);
        if (!j->steward_ca) return err;
        j->steward_ca_size = len - 4;
    }
    return 0;
}

static int dec_string_field(struct dec *d, char **field, const uint8_t *p, size_t len)
{
    int err = 0;
    *field = dup_str(p, len, &err);
    return *field ? 0 : fail(d, err, "a string holds a NUL");
}

static int dec_record(struct dec *d, unsigned tag, const uint8_t *p, size_t len)
{
    struct keep_job *j = d->job;
    int err = 0;
    switch (tag) {
    case TAG_PROG: return dec_string_field(d, &j->prog, p, len);
    case TAG_MODULE_NAME: return dec_string_field(d, &j->module_name, p, len);
    case TAG_CONFIG_NAME: return dec_string_field(d, &j->config_name, p, len);
    case TAG_KEEP_NAME: return dec_string_field(d, &j->keep_name, p, len);
    case TAG_MODULE:
        if (len > KEEP_JOB_MAX_MODULE) return fail(d, -EFBIG, "the module is too large");
        j->module = dup_bytes(p, len, &err);
        j->module_size = len;
        return err;
    case TAG_CONFIG:
        if (len > KEEP_CONFIG_MAX_SIZE) return fail(d, -EFBIG, "Enarx.toml is too large");
        j->config = (char *)dup_bytes(p, len, &err);
        j->config_size = len;
        return err;
    case TAG_ARG:
        err = push_str(&j->args, &j->nargs, KEEP_JOB_MAX_STRINGS, p, len);
        return err ? fail(d, err, "bad or too many arguments") : 0;
    case TAG_ENV:
        if (len == 0 || p[0] == '=' || !memchr(p, '=', len))
            return fail(d, -EINVAL, "an environment entry is not KEY=VALUE");
        err = push_str(&j->env, &j->nenv, KEEP_JOB_MAX_STRINGS, p, len);
        return err ? fail(d, err, "bad or too many environment entries") : 0;
    case TAG_DIR: return dec_dir(d, p, len);
    case TAG_FILE: return dec_file(d, p, len);
    case TAG_STEWARD: return dec_steward(d, p, len);
    case TAG_LIMITS:
        if (len != 24) return fail(d, -EINVAL, "the limits record has the wrong size");
        j->fuel = get_u64(p);
        j->timeout_ms = get_u64(p + 8);
        j->max_memory = get_u64(p + 16);
        return 0;
    case TAG_LOG:
    case TAG_FLAGS:
    case TAG_NFDS: {
        if (len != 4) return fail(d, -EINVAL, "an integer record has the wrong size");
        uint32_t v = get_u32(p);
        if (tag == TAG_LOG && v > LOG_DEBUG) return fail(d, -EINVAL, "unknown log level");
        if (tag == TAG_FLAGS && (v & ~KEEP_JOB_FLAGS_ALL)) return fail(d, -EINVAL, "unknown flag");
        if (tag == TAG_NFDS && v > KEEP_JOB_MAX_FDS) return fail(d, -E2BIG, "too many fds");
        *(tag == TAG_LOG ? &j->log_level : tag == TAG_FLAGS ? &j->flags : &j->nfds) = v;
        return 0;
    }
    }
    return fail(d, -EINVAL, "unknown record");
}

/* Every fd index below nfds and used once. */
static int check_fds(struct dec *d)
{
    const struct keep_job *j = d->job;
    uint8_t used[KEEP_JOB_MAX_FDS] = {0};
    uint32_t idx[KEEP_JOB_MAX_DIRS + KEEP_JOB_MAX_FILES + 1];
    size_t n = 0;
    for (size_t i = 0; i < j->ndirs; i++)
        idx[n++] = j->dirs[i].fd;
    for (size_t i = 0; i < j->nfiles; i++)
        if (j->files[i].fd != KEEP_JOB_NO_FD) idx[n++] = j->files[i].fd;
    if (j->steward_fd != KEEP_JOB_NO_FD) idx[n++] = j->steward_fd;
    for (size_t i = 0; i < n; i++) {
        if (idx[i] >= j->nfds) return fail(d, -EINVAL, "a fd index is out of range");
        if (used[idx[i]]++) return fail(d, -EINVAL, "a fd index is used twice");
    }
    return 0;
}

static bool is_singleton(unsigned tag)
{
    return tag != TAG_ARG && tag != TAG_ENV && tag != TAG_DIR && tag != TAG_FILE;
}

int keep_job_decode(const uint8_t *buf, size_t size, struct keep_job *job, char *err,
                    size_t err_size)
{
    memset(job, 0, sizeof(*job));
    job->steward_fd = KEEP_JOB_NO_FD;
    struct dec d = {job, err, err_size, 0};
    int rc = 0;
    if (size < 8 || memcmp(buf, JOB_MAGIC, 4) != 0 || get_u32(buf + 4) != JOB_VERSION) {
        rc = fail(&d, -EINVAL, "not a job of this version");
        goto out;
    }
    if (size > KEEP_JOB_MAX_SIZE) {
        rc = fail(&d, -EFBIG, "too large");
        goto out;
    }
    for (size_t pos = 8; pos < size && rc == 0;) {
        if (size - pos < 6) {
            rc = fail(&d, -EINVAL, "truncated record header");
            break;
        }
        unsigned tag = (unsigned)buf[pos] | (unsigned)buf[pos + 1] << 8;
        size_t len = get_u32(buf + pos + 2);
        pos += 6;
        if (len > size - pos) {
            rc = fail(&d, -EINVAL, "a record runs past the end");
            break;
        }
        if (tag == 0 || tag >= TAG_MAX) {
            rc = fail(&d, -EINVAL, "unknown record");
            break;
        }
        if (is_singleton(tag)) {
            if (d.seen & (1u << tag)) {
                rc = fail(&d, -EINVAL, "a record appears twice");
                break;
            }
            d.seen |= 1u << tag;
        }
        rc = dec_record(&d, tag, buf + pos, len);
        pos += len;
    }
    if (rc == 0 && (!job->module || !job->module_name || !job->prog))
        rc = fail(&d, -EINVAL, "the module, its name or the program name is missing");
    if (rc == 0) rc = check_fds(&d);
out:
    if (rc < 0) keep_job_free(job);
    return rc;
}

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void keep_job_free(struct keep_job *job)
{
    if (!job) return;
    free(job->prog);
    free(job->module);
    free(job->module_name);
    free(job->config);
    free(job->config_name);
    free_strv(job->args, job->nargs);
    free_strv(job->env, job->nenv);
    for (size_t i = 0; i < job->ndirs; i++)
        free(job->dirs[i].guest);
    free(job->dirs);
    for (size_t i = 0; i < job->nfiles; i++)
        free(job->files[i].ca);
    free(job->files);
    free(job->steward_ca);
    free(job->keep_name);
    memset(job, 0, sizeof(*job));
    job->steward_fd = KEEP_JOB_NO_FD;
}

/* ---- the channel ---- */

static int write_all(int fd, const uint8_t *p, size_t size)
{
    while (size) {
        ssize_t n = send(fd, p, size, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return n < 0 ? -errno : -EIO;
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

static int read_all(int fd, uint8_t *p, size_t size)
{
    while (size) {
        ssize_t n = read(fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return n < 0 ? -errno : -EPIPE;
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

int keep_job_send(int sock, const uint8_t *buf, size_t size, const int *fds, size_t nfds)
{
    if (nfds > KEEP_JOB_MAX_FDS || size > KEEP_JOB_MAX_SIZE) return -E2BIG;
    uint8_t head[16];
    memcpy(head, CHAN_MAGIC, 4);
    for (int i = 0; i < 4; i++)
        head[4 + i] = (uint8_t)(nfds >> (8 * i));
    for (int i = 0; i < 8; i++)
        head[8 + i] = (uint8_t)((uint64_t)size >> (8 * i));
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int) * KEEP_JOB_MAX_FDS)];
    } cm;
    memset(&cm, 0, sizeof(cm));
    struct iovec iov = {head, sizeof(head)};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (nfds) {
        msg.msg_control = cm.buf;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
    }
    ssize_t n;
    do
        n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    if ((size_t)n < sizeof(head)) {
        int rc = write_all(sock, head + n, sizeof(head) - (size_t)n);
        if (rc < 0) return rc;
    }
    return write_all(sock, buf, size);
}

/* Closes the fds a message carried when we refuse it. */
static void close_fds(int *fds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fds[i] >= 0) close(fds[i]);
}

int keep_job_recv(int sock, uint8_t **buf_out, size_t *size_out, int *fds, size_t *nfds_out)
{
    uint8_t head[16];
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int) * KEEP_JOB_MAX_FDS)];
    } cm;
    struct iovec iov = {head, sizeof(head)};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf, .msg_controllen = sizeof(cm.buf)};
    ssize_t n;
    do
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n <= 0) return n < 0 ? -errno : -EPIPE;
    size_t got = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || got) {
            close_fds(fds, got);
            return -EPROTO;
        }
        got = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        memcpy(fds, CMSG_DATA(c), got * sizeof(int));
    }
    int rc = (msg.msg_flags & MSG_CTRUNC) ? -EPROTO : 0;
    if (rc == 0 && (size_t)n < sizeof(head))
        rc = read_all(sock, head + n, sizeof(head) - (size_t)n);
    uint32_t nfds = get_u32(head + 4);
    uint64_t size = get_u64(head + 8);
    if (rc == 0 && (memcmp(head, CHAN_MAGIC, 4) != 0 || nfds != got || size > KEEP_JOB_MAX_SIZE))
        rc = -EPROTO;
    uint8_t *buf = rc == 0 ? malloc(size ? size : 1) : NULL;
    if (rc == 0 && !buf) rc = -ENOMEM;
    if (rc == 0) rc = read_all(sock, buf, size);
    if (rc < 0) {
        free(buf);
        close_fds(fds, got);
        return rc;
    }
    *buf_out = buf;
    *size_out = size;
    *nfds_out = got;
    return 0;
}

int keep_status_send(int sock, int status, int syscall_nr)
{
    uint8_t b[12];
    memcpy(b, STATUS_MAGIC, 4);
    for (int i = 0; i < 4; i++) {
        b[4 + i] = (uint8_t)((uint32_t)status >> (8 * i));
        b[8 + i] = (uint8_t)((uint32_t)syscall_nr >> (8 * i));
    }
    ssize_t n = send(sock, b, sizeof(b), MSG_NOSIGNAL);
    return n == (ssize_t)sizeof(b) ? 0 : -EIO;
}

int keep_status_recv(int sock, int *status, int *syscall_nr)
{
    uint8_t b[12];
    int rc = read_all(sock, b, sizeof(b));
    if (rc < 0) return rc;
    if (memcmp(b, STATUS_MAGIC, 4) != 0) return -EPROTO;
    int32_t st = (int32_t)get_u32(b + 4), nr = (int32_t)get_u32(b + 8);
    if (st < 0 || st > 255) return -EPROTO;
    *status = st;
    *syscall_nr = nr;
    return 0;
}
