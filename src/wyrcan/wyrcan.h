/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wyrcan.h - the public face of src/wyrcan: the container bootloader.
 *
 * The flow: a reference (wyrcan_ref_parse) names an image in a registry; the OCI distribution
 * client (wyrcan_registry_*) fetches its manifest (choosing a platform from an index) and its
 * layer blobs, verifying every digest while the bytes arrive; each layer, decompressed by magic
 * (wyrcan_decomp_*), is read as tar (wyrcan_tar_*) and applied to an in-memory tree
 * (wyrcan_tree_*) with OCI whiteouts; the merged tree is written as a newc cpio archive
 * (wyrcan_cpio_write). wyrcan_pull ties these together; wyrcan_kexec_load hands the result to
 * the kernel. Everything that arrives from a registry is hostile input: every parser here is
 * strict, bounded, and fuzzed (tests/fuzz/fuzz_wyrcan_*).
 *
 * Errors are negative errnos; where a message helps, it goes to the log with the offending
 * value.
 */
#ifndef ENARX_WYRCAN_H
#define ENARX_WYRCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/util.h"

/* ---- references: REGISTRY/NAME[:TAG][@DIGEST] ---- */

#define WYRCAN_DOCKER_HUB "registry-1.docker.io"
#define WYRCAN_NAME_MAX 255
#define WYRCAN_HOST_MAX 255
#define WYRCAN_TAG_MAX 128
#define WYRCAN_DIGEST_MAX 140 /* "sha512:" + 128 hex digits, NUL */

struct wyrcan_ref {
    char registry[WYRCAN_HOST_MAX + 1]; /* host[:port]; Docker Hub when the reference has none */
    char name[WYRCAN_NAME_MAX + 1];     /* repository path; "library/" added for Docker Hub */
    char tag[WYRCAN_TAG_MAX + 1];       /* "latest" when neither tag nor digest is given */
    char digest[WYRCAN_DIGEST_MAX];     /* "" or "algo:hex", validated */
};

/* Parses s strictly by the distribution grammar (lower-case path components, tag and digest
 * syntax, Docker Hub's defaults). 0, or -EINVAL (logged with the reason). */
NODISCARD int wyrcan_ref_parse(const char *s, struct wyrcan_ref *out);
/* The manifest reference to ask for: the digest if present, else the tag. */
const char *wyrcan_ref_target(const struct wyrcan_ref *ref);

/* ---- digests ---- */

enum wyrcan_digest_algo { WYRCAN_SHA256 = 1, WYRCAN_SHA512 = 2 };

/* Validates "sha256:<64 lower hex>" or "sha512:<128 lower hex>". 0 or -EINVAL. */
NODISCARD int wyrcan_digest_check(const char *s, enum wyrcan_digest_algo *algo);

struct wyrcan_hasher; /* opaque: a running digest */
/* Starts hashing for the algorithm of digest string `expect` (validated). 0, -EINVAL, -ENOMEM. */
NODISCARD int wyrcan_hasher_new(const char *expect, struct wyrcan_hasher **out);
void wyrcan_hasher_update(struct wyrcan_hasher *h, const void *data, size_t size);
/* Finishes; 0 when the data hashed equals the expected digest, else -EBADMSG. Frees h. */
NODISCARD int wyrcan_hasher_finish(struct wyrcan_hasher *h);
void wyrcan_hasher_free(struct wyrcan_hasher *h);
/* "sha256:<hex>" of data into out (at least 72 bytes). */
void wyrcan_digest_sha256(const void *data, size_t size, char out[72]);

/* ---- manifests and indexes (JSON from the registry) ---- */

#define WYRCAN_MAX_LAYERS 256
#define WYRCAN_MEDIA_MAX 128

enum wyrcan_media_kind { WYRCAN_MEDIA_INDEX = 1, WYRCAN_MEDIA_MANIFEST = 2 };

struct wyrcan_descriptor {
    char media_type[WYRCAN_MEDIA_MAX];
    char digest[WYRCAN_DIGEST_MAX];
    uint64_t size;
};

struct wyrcan_manifest {
    enum wyrcan_media_kind kind;
    /* index: the chosen platform's manifest; manifest: its config */
    struct wyrcan_descriptor target;
    size_t layer_count; /* manifest only */
    struct wyrcan_descriptor layers[WYRCAN_MAX_LAYERS];
};

/* The Accept header value for manifest requests (OCI and Docker v2, manifests and indexes). */
extern const char *const wyrcan_manifest_accept;

/*
 * Parses a manifest or index of size bytes. content_type (may be NULL or "") is the HTTP
 * Content-Type; the document's own mediaType wins when present and they must agree. For an
 * index, the entry for platform "os/arch[/variant]" is chosen (the first that matches) and
 * put in out->target. Refuses schema 1, unknown media types, bad digests, layer media types it
 * cannot unpack. 0, -EINVAL (malformed), -ENOENT (no such platform), -ENOTSUP.
 */
NODISCARD int wyrcan_manifest_parse(const uint8_t *data, size_t size, const char *content_type,
                                    const char *platform, struct wyrcan_manifest *out);

/* ---- authentication ---- */

#define WYRCAN_AUTH_FIELD_MAX 1024

struct wyrcan_challenge {
    bool bearer; /* else basic */
    char realm[WYRCAN_AUTH_FIELD_MAX];
    char service[WYRCAN_AUTH_FIELD_MAX];
    char scope[WYRCAN_AUTH_FIELD_MAX];
};

/* Parses one WWW-Authenticate header value (without the header name). Accepts the Bearer and
 * Basic schemes, quoted or token parameters, strictly. 0, -EINVAL, -ENOTSUP (other scheme). */
NODISCARD int wyrcan_challenge_parse(const char *value, struct wyrcan_challenge *out);

/* Looks up registry in a docker-style config (JSON with "auths": {host: {"auth": base64}}).
 * On success copies the base64 "user:password" into out (size bytes) and returns 0; -ENOENT
 * when the file or the entry is absent; -EINVAL when malformed. */
NODISCARD int wyrcan_auth_lookup(const uint8_t *json, size_t size, const char *registry, char *out,
                                 size_t out_size);
/* Parses a token endpoint's JSON reply ({"token": ...} or {"access_token": ...}). */
NODISCARD int wyrcan_token_parse(const uint8_t *json, size_t size, char *out, size_t out_size);

/* ---- streams and decompression ---- */

/* A pull stream: read up to size bytes into buf; sets *got (0 only at the end). */
struct wyrcan_stream {
    int (*read)(struct wyrcan_stream *s, void *buf, size_t size, size_t *got);
};

struct wyrcan_decomp; /* opaque: gzip, zstd or plain, chosen by magic */
/* Wraps the size bytes at data (borrowed, must outlive the decompressor). */
NODISCARD int wyrcan_decomp_new(const uint8_t *data, size_t size, struct wyrcan_decomp **out);
struct wyrcan_stream *wyrcan_decomp_stream(struct wyrcan_decomp *d);
const char *wyrcan_decomp_name(const struct wyrcan_decomp *d);
void wyrcan_decomp_free(struct wyrcan_decomp *d);

/* ---- the in-memory tree ---- */

struct wyrcan_tree;

enum wyrcan_entry_type {
    WYRCAN_REG = 1,
    WYRCAN_DIR,
    WYRCAN_SYMLINK,
    WYRCAN_HARDLINK,
    WYRCAN_CHR,
    WYRCAN_BLK,
    WYRCAN_FIFO,
};

/* One tar member as the tree wants it. path and link are NUL-terminated and borrowed. */
struct wyrcan_entry {
    enum wyrcan_entry_type type;
    const char *path;
    const char *link; /* symlink target, or hard link target path */
    uint32_t mode;    /* permission bits incl. setuid/setgid/sticky (07777) */
    uint32_t uid, gid;
    int64_t mtime;
    uint32_t dev_major, dev_minor;
    uint64_t size; /* regular files: bytes of data that follow */
};

/* A tree that refuses to hold more than max_bytes (file data plus a per-entry overhead). */
NODISCARD int wyrcan_tree_new(uint64_t max_bytes, struct wyrcan_tree **out);
void wyrcan_tree_free(struct wyrcan_tree *t);
/* Marks the start of the next layer: whiteouts apply only to what earlier layers added. */
void wyrcan_tree_next_layer(struct wyrcan_tree *t);
/*
 * Applies one entry. Whiteouts (.wh.NAME) remove NAME, opaque markers (.wh..wh..opq) empty
 * their directory of earlier layers' entries; neither is kept. For WYRCAN_REG, data supplies
 * e->size bytes. Refuses absolute paths, "..", paths through a symlink or a non-directory,
 * hard links to missing entries or directories. 0, -EINVAL, -ELOOP, -EFBIG, -ENOMEM.
 */
NODISCARD int wyrcan_tree_apply(struct wyrcan_tree *t, const struct wyrcan_entry *e,
                                struct wyrcan_stream *data);
/* Finds path (no symlinks followed). Regular files: *data, *size; symlinks: *link. 0/-ENOENT. */
NODISCARD int wyrcan_tree_lookup(struct wyrcan_tree *t, const char *path,
                                 enum wyrcan_entry_type *type, const uint8_t **data, size_t *size,
                                 const char **link);
/* Resolves path inside the tree, following symlinks (absolute ones relative to the tree's
 * root), at most 40 of them, never above the root; fills *data, *size of the regular file
 * reached. 0, -ENOENT, -ELOOP, -EISDIR. */
NODISCARD int wyrcan_tree_resolve_file(struct wyrcan_tree *t, const char *path,
                                       const uint8_t **data, size_t *size);
uint64_t wyrcan_tree_bytes(const struct wyrcan_tree *t);

/* Applies one layer: a tar stream from s. 0 or a negative errno (logged with the member). */
NODISCARD int wyrcan_layer_apply(struct wyrcan_tree *t, struct wyrcan_stream *s);

/* ---- tar ---- */

struct wyrcan_tar; /* opaque reader */
NODISCARD int wyrcan_tar_new(struct wyrcan_stream *in, struct wyrcan_tar **out);
void wyrcan_tar_free(struct wyrcan_tar *t);
/* Next member into *e (pointers valid until the next call); 1 at the end of the archive, 0 for
 * a member, or a negative errno. For WYRCAN_REG, read its data through wyrcan_tar_data() (any
 * unread rest is skipped by the next call). */
NODISCARD int wyrcan_tar_next(struct wyrcan_tar *t, struct wyrcan_entry *e);
struct wyrcan_stream *wyrcan_tar_data(struct wyrcan_tar *t);

/* ---- cpio ---- */

/* Writes the tree as a newc archive through write(ctx, buf, size) (returns 0 or -errno).
 * Parents precede children, names are sorted, hard links share an inode number with the data
 * on the last link. free_data releases each file's bytes once written (the tree is then only
 * good for freeing). */
/* A writer for wyrcan_cpio_write() and the like: writes all of buf to the fd *(int *)ctx,
 * retrying on EINTR. 0, or a negative errno. */
NODISCARD int wyrcan_write_fd(void *ctx, const void *buf, size_t size);

NODISCARD int wyrcan_cpio_write(struct wyrcan_tree *t, bool free_data,
                                int (*write)(void *ctx, const void *buf, size_t size), void *ctx);

/* ---- the registry client ---- */

struct wyrcan_pull_opts {
    bool insecure_http;    /* http:// instead of https:// (tests, local registries) */
    const char *platform;  /* "linux/amd64" when NULL */
    const char *auth_file; /* docker-style config; NULL: $DOCKER_CONFIG or ~/.docker */
    uint64_t max_bytes;    /* bound on the unpacked image (tree) */
    bool progress;         /* a progress line on stderr */
    unsigned retries;      /* attempts per request; 0 means 5 */
};

struct wyrcan_registry;
NODISCARD int wyrcan_registry_new(const struct wyrcan_ref *ref, const struct wyrcan_pull_opts *opts,
                                  struct wyrcan_registry **out);
void wyrcan_registry_free(struct wyrcan_registry *r);
/* GETs manifest `target` (tag or digest); malloc'd body, its content type. When target is a
 * digest, the body's digest is verified. */
NODISCARD int wyrcan_registry_manifest(struct wyrcan_registry *r, const char *target,
                                       uint8_t **body, size_t *size, char *ctype,
                                       size_t ctype_size);
/* GETs blob d into a malloc'd buffer, refusing more than d->size bytes and verifying the digest
 * while streaming; retried on transport errors. Nothing is returned unless it verified. */
NODISCARD int wyrcan_registry_blob(struct wyrcan_registry *r, const struct wyrcan_descriptor *d,
                                   uint8_t **body, size_t *size);

/* ---- pulling and booting ---- */

struct wyrcan_image {
    struct wyrcan_tree *tree;
    uint8_t *kernel; /* a copy of the file /boot/wyrcan.kernel resolves to */
    size_t kernel_size;
    char *cmdline; /* /boot/wyrcan.cmdline's content (trimmed), or "" */
};

/* Fetches and unpacks ref into memory. 0 or a negative errno (reported to stderr). */
NODISCARD int wyrcan_pull(const char *ref, const struct wyrcan_pull_opts *opts,
                          struct wyrcan_image *out);
void wyrcan_image_free(struct wyrcan_image *img);

/* kexec_file_load(2) of the kernel, initrd and command line at these fds/string. */
NODISCARD int wyrcan_kexec_load(int kernel_fd, int initrd_fd, const char *cmdline);
/* reboot(2) into the loaded kernel; returns only on failure (-errno). */
NODISCARD int wyrcan_kexec_exec(void);

/* ---- boot: the initramfs' PID 1 ---- */

#define WYRCAN_MAX_ARGS 64

struct wyrcan_ipconf {
    bool dhcp;
    char iface[32];
    char addr[64], gateway[64], netmask[64], dns[64];
};

struct wyrcan_bootargs {
    char img[1024];
    char args[4096]; /* wyrcan.arg=... values joined by spaces */
    bool insecure_http;
    char platform[64];
    struct wyrcan_ipconf ip;
};

/* Parses a kernel command line (/proc/cmdline's content; double quotes group). 0, -EINVAL. */
NODISCARD int wyrcan_bootargs_parse(const char *cmdline, struct wyrcan_bootargs *out);
/* Parses dracut's ip= value: "dhcp", "IP::GW:MASK:HOST:IFACE:none[:DNS]" and the like. */
NODISCARD int wyrcan_ipconf_parse(const char *v, struct wyrcan_ipconf *out);

/* Subcommands (argv after the subcommand name). Return process exit status. */
int wyrcan_cmd_pull(int argc, char **argv);
int wyrcan_cmd_kexec(int argc, char **argv);
int wyrcan_cmd_boot(int argc, char **argv);
int wyrcan_cmd_dhcp_hook(int argc, char **argv);

#endif
