/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keep.h - the public face of src/keep: what a Keep runs and how.
 *
 * For now this is the workload configuration: Enarx.toml, in Enarx's own schema, parsed
 * strictly (unknown keys and wrong types are errors naming file, line and column):
 *
 *   steward = "https://steward.example.com"  optional: the Steward that certifies the Keep
 *   args = ["--flag", "value"]               optional: argv[1..] of the workload
 *   [env]                                    optional: environment, string values only
 *   NAME = "value"
 *   [[files]]                                the workload's descriptors: fd 0, 1, 2, ...
 *   kind = "null" | "stdin" | "stdout" | "stderr" | "listen" | "connect"
 *   name = "..."                             required for listen and connect
 *   prot = "tls" | "tcp"                     listen, connect; default "tls"
 *   addr = "::"                              listen: the local IP address; default "::"
 *   host = "example.com"                     connect: required
 *   port = 443                               listen, connect: 1..65535; default 443 for
 *                                            tls, 80 for tcp
 *   client_ca = "ca.pem"                     listen with tls: a PEM CA bundle; clients must
 *                                            present a certificate that verifies against it
 *
 * With no configuration file at all, and in a file without a `files` key, the files are
 * stdin, stdout and stderr.
 */
#ifndef ENARX_KEEP_H
#define ENARX_KEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

/* The largest Enarx.toml keep_config_load() reads, in bytes. */
#define KEEP_CONFIG_MAX_SIZE (1024u * 1024u)

enum keep_file_kind {
    KEEP_FILE_NULL,
    KEEP_FILE_STDIN,
    KEEP_FILE_STDOUT,
    KEEP_FILE_STDERR,
    KEEP_FILE_LISTEN,
    KEEP_FILE_CONNECT,
};

enum keep_file_prot {
    KEEP_PROT_TLS,
    KEEP_PROT_TCP,
};

/* One [[files]] entry. Strings are owned by the enclosing struct keep_config. */
struct keep_file {
    enum keep_file_kind kind;
    char *name; /* never NULL: as written, or the kind's name ("stdin") when not given */
    enum keep_file_prot prot; /* listen, connect */
    char *addr;               /* listen: the IP address to bind ("::" by default); else NULL */
    char *host;               /* connect: host name or address; else NULL */
    uint16_t port;            /* listen, connect; else 0 */
    char *client_ca;          /* listen with tls: CA bundle path for client certificates, or NULL */
};

/* One environment variable. */
struct keep_env {
    char *name;
    char *value;
};

/* A parsed Enarx.toml; it owns all its strings. Free with keep_config_free(). */
struct keep_config {
    char *steward; /* NULL when not set */
    char **args;   /* argv[1..] of the workload */
    size_t args_count;
    struct keep_env *env; /* in document order */
    size_t env_count;
    struct keep_file *files; /* fd 0 is files[0], and so on */
    size_t files_count;
};

/*
 * Fills *cfg with the configuration used when there is no Enarx.toml: no steward, no args, no
 * environment, files stdin, stdout, stderr. Returns 0 or -ENOMEM (then *cfg is empty).
 */
NODISCARD int keep_config_default(struct keep_config *cfg);

/*
 * Parses size bytes of Enarx.toml text into *cfg (owned by the caller; free with
 * keep_config_free). filename is only used in messages ("Enarx.toml:4:1: ..."). On failure
 * returns -EINVAL (bad document or schema), -EFBIG or -ENOMEM, leaves *cfg empty and writes a
 * one-line message into err (err_size bytes, may be 0).
 */
NODISCARD int keep_config_parse(const void *text, size_t size, const char *filename,
                                struct keep_config *cfg, char *err, size_t err_size);

/*
 * Reads and parses the file at path (at most KEEP_CONFIG_MAX_SIZE bytes); a relative client_ca
 * is resolved against the directory of path. With path NULL, fills in the defaults as
 * keep_config_default() does. Errors as keep_config_parse(), plus the negative errno of
 * opening or reading the file (-ENOENT, ...), each with a message in err.
 */
NODISCARD int keep_config_load(const char *path, struct keep_config *cfg, char *err,
                               size_t err_size);

/* Frees everything *cfg owns and empties it (cfg may be NULL; an empty config is fine). */
void keep_config_free(struct keep_config *cfg);

/* The commented Enarx.toml that `enarx config init` writes: stdio files, commented examples of
 * the other keys. A static string; it parses to the default configuration. */
const char *keep_config_template(void);

/* "null", "stdin", "stdout", "stderr", "listen", "connect" ("unknown" otherwise). */
const char *keep_file_kind_name(enum keep_file_kind kind);

/* "tls" or "tcp" ("unknown" otherwise). */
const char *keep_file_prot_name(enum keep_file_prot prot);

/* ---------------------------------------------------------------------------------------------
 * TLS (src/keep/tls.c): the Keep terminates TLS itself for `prot = "tls"` files, so that the
 * workload reads and writes plain bytes through an ordinary socket fd. TLS 1.3 only. See
 * docs/tls.md for the design, the timeouts and what is verified.
 * ------------------------------------------------------------------------------------------- */

struct wasi_ctx;
struct wasi_stream_ops;
struct evp_pkey_st; /* OpenSSL's EVP_PKEY */

/* How long a TLS handshake may take, in milliseconds, when a caller passes 0. */
#define KEEP_TLS_HANDSHAKE_TIMEOUT_MS 10000
/* How long a self-signed certificate is valid, in seconds (it starts a minute in the past). */
#define KEEP_TLS_SELF_SIGNED_VALIDITY_S (24 * 60 * 60)
/* Bytes keep_tls_identity_fingerprint() writes: "AB:CD:...", 32 bytes of SHA-256, and a NUL. */
#define KEEP_TLS_FINGERPRINT_SIZE 96
/* The most certificates keep_tls_identity_set_chain() takes (leaf included). */
#define KEEP_TLS_MAX_CHAIN 16

/* The Keep's TLS identity: a private key made inside the Keep and the certificate chain that
 * names it. Opaque; free with keep_tls_identity_free(). */
struct keep_tls_identity;

/*
 * Generates a P-256 ECDSA key pair and a self-signed certificate for it (CN = name; a DNS or IP
 * subjectAltName = name; serverAuth and clientAuth; valid from one minute ago for
 * KEEP_TLS_SELF_SIGNED_VALIDITY_S). name is 1..64 bytes. Returns 0 and *out (owned by the
 * caller), or -EINVAL (bad name), -ENOMEM, -EIO (OpenSSL failed; logged).
 */
NODISCARD int keep_tls_identity_self_signed(const char *name, struct keep_tls_identity **out);

/*
 * As keep_tls_identity_self_signed(), for an existing private key (an EC or RSA EVP_PKEY, for
 * instance the one keep_identity_obtain() had certified): the identity takes a reference of its
 * own, the caller keeps its. Follow with keep_tls_identity_set_chain() to present the chain the
 * Steward issued for that key. Returns 0 and *out, or -EINVAL (bad name, key NULL), -ENOMEM,
 * -EIO (OpenSSL failed, for instance a key without its private half; logged).
 */
NODISCARD int keep_tls_identity_from_key(struct evp_pkey_st *key, const char *name,
                                         struct keep_tls_identity **out);

/*
 * Replaces the identity's certificates with a chain issued for its key (by the Steward):
 * der[i] is one DER certificate of der_size[i] bytes, the leaf first, then each issuer; count is
 * 1..KEEP_TLS_MAX_CHAIN. The arrays are only read. Listeners and connections made afterwards
 * present the new chain; existing ones keep theirs. Returns 0, -EINVAL (a certificate that does
 * not parse exactly, or a leaf whose public key is not the identity's), -ENOMEM; on error the
 * identity is unchanged.
 */
NODISCARD int keep_tls_identity_set_chain(struct keep_tls_identity *id, const uint8_t *const *der,
                                          const size_t *der_size, size_t count);

/* The identity's private key (borrowed: valid until keep_tls_identity_free), for a CSR. */
struct evp_pkey_st *keep_tls_identity_key(const struct keep_tls_identity *id);

/*
 * Writes the identity's certificates as PEM (leaf first) into a malloc'd, NUL-terminated buffer
 * (*pem, caller frees; *size bytes without the NUL). Returns 0, -ENOMEM or -EIO.
 */
NODISCARD int keep_tls_identity_cert_pem(const struct keep_tls_identity *id, char **pem,
                                         size_t *size);

/* Writes the SHA-256 fingerprint of the leaf certificate, "AB:CD:..." (as `openssl x509
 * -fingerprint -sha256` prints it), into out (KEEP_TLS_FINGERPRINT_SIZE bytes). Returns 0 or
 * -EIO. */
NODISCARD int keep_tls_identity_fingerprint(const struct keep_tls_identity *id,
                                            char out[KEEP_TLS_FINGERPRINT_SIZE]);

/* Frees the identity and wipes its key (id may be NULL). */
void keep_tls_identity_free(struct keep_tls_identity *id);

/*
 * Makes a TLS listening stream of listen_fd, a bound and listening TCP socket (owned from then
 * on, also on failure; it is switched to non-blocking mode). The server presents id's chain
 * (id is only read; it may be freed afterwards). With client_ca (a PEM bundle path) not NULL,
 * mutual TLS: every client must present a certificate that verifies against that bundle, or the
 * handshake fails. Each handshake is bounded by timeout_ms (0: KEEP_TLS_HANDSHAKE_TIMEOUT_MS).
 *
 * ops->accept on the stream: in blocking mode it waits for a connection, and when a handshake
 * fails or times out it logs why and waits for the next one; in non-blocking mode (set_nonblock)
 * it returns -EAGAIN when no connection is pending and also when the handshake of the one
 * pending failed, so that a bad client never makes a workload's accept fail. The returned
 * stream is blocking or not as accept's nonblock argument says. Returns 0, *ops_out and
 * *priv_out (to hand to wasi_ctx_add_stream), or -EINVAL, -ENOENT (client_ca unreadable),
 * -ENOMEM, -EIO.
 */
NODISCARD int keep_tls_listen(int listen_fd, const struct keep_tls_identity *id,
                              const char *client_ca, int timeout_ms,
                              const struct wasi_stream_ops **ops_out, void **priv_out);

/* As keep_tls_listen(), with the client CA bundle as PEM bytes (ca, ca_size; NULL: no client
 * certificates asked for), for a Keep that has no host file system to read it from. */
NODISCARD int keep_tls_listen_pem(int listen_fd, const struct keep_tls_identity *id,
                                  const uint8_t *ca, size_t ca_size, int timeout_ms,
                                  const struct wasi_stream_ops **ops_out, void **priv_out);

/* As keep_tls_connect(), over fd, a TCP connection the host made (owned from here on, closed
 * on failure), trusting the PEM bundle ca (ca_size bytes; NULL: the system store). */
NODISCARD int keep_tls_connect_fd(int fd, const char *host, const uint8_t *ca, size_t ca_size,
                                  const struct keep_tls_identity *id, int timeout_ms,
                                  const struct wasi_stream_ops **ops_out, void **priv_out);

/*
 * Binds a TCP socket to addr (an IPv4 or IPv6 literal; "::" takes both families) and port (0:
 * an ephemeral one, which ops->poll_fd's getsockname tells), listens, and calls
 * keep_tls_listen(). Returns its results, or -EINVAL (bad address), -EADDRINUSE, ...
 */
NODISCARD int keep_tls_listen_bind(const char *addr, uint16_t port,
                                   const struct keep_tls_identity *id, const char *client_ca,
                                   int timeout_ms, const struct wasi_stream_ops **ops_out,
                                   void **priv_out);

/*
 * Connects to host (a DNS name or an address literal) and port, and completes a TLS handshake
 * that verifies the server's certificate chain against ca_file (a PEM bundle; NULL: the system
 * store) and the certificate's name against host. With id not NULL its chain is offered as the
 * client certificate. The TCP connection and the handshake together are bounded by timeout_ms
 * (0: KEEP_TLS_HANDSHAKE_TIMEOUT_MS). Returns 0 and a blocking connected stream, or -ENOENT (no
 * such host), -ECONNREFUSED, -ETIMEDOUT, -EACCES (the certificate did not verify; logged),
 * -ECONNABORTED (another handshake failure), -ENOMEM, -EIO.
 */
NODISCARD int keep_tls_connect(const char *host, uint16_t port, const char *ca_file,
                               const struct keep_tls_identity *id, int timeout_ms,
                               const struct wasi_stream_ops **ops_out, void **priv_out);

/*
 * Makes one `prot = "tls"` [[files]] entry of fd, the socket the host bound (listen) or
 * connected (connect) for it (owned from here on, also on failure), and adds it to ctx as its
 * next fd (*fd_out, may be NULL). ca (ca_size bytes of PEM, may be NULL) is the listener's
 * client CA bundle (mutual TLS), or the bundle a connection trusts (NULL: the system store).
 * A listener logs its address and certificate fingerprint. Returns 0, or -EINVAL for an entry
 * that is not a TLS listen or connect, or the errors of keep_tls_listen / keep_tls_connect.
 */
NODISCARD int keep_tls_add_fd(struct wasi_ctx *ctx, const struct keep_file *file, int fd,
                              const uint8_t *ca, size_t ca_size, const struct keep_tls_identity *id,
                              uint32_t *fd_out);

/*
 * Opens one `prot = "tls"` [[files]] entry (listen or connect) with id and adds it to ctx as
 * its next fd (*fd_out, may be NULL). A connect entry trusts the system store. Returns 0, or
 * -EINVAL for an entry that is not a TLS listen or connect, or the errors above.
 */
NODISCARD int keep_tls_add_file(struct wasi_ctx *ctx, const struct keep_file *file,
                                const struct keep_tls_identity *id, uint32_t *fd_out);

/* ---------------------------------------------------------------------------------------------
 * Identity (src/keep/identity.c): the Keep's attested identity, obtained before the workload
 * starts. A key pair is made inside the Keep, evidence from this machine's provider (SEV-SNP,
 * TDX, or simulated; src/attest) binds the hash of its public key, a CSR carries both to the
 * Steward named by Enarx.toml's `steward`, and the certificate chain it returns is what every
 * `tls` file presents. Without a steward the identity is self-signed. See docs/identity.md.
 * ------------------------------------------------------------------------------------------- */

struct attest_provider_env;

/* The largest Steward reply keep_identity_obtain() reads, in bytes. */
#define KEEP_IDENTITY_MAX_REPLY (256u * 1024u)
/* How long the whole Steward request may take, in milliseconds, when a caller passes 0. */
#define KEEP_IDENTITY_TIMEOUT_MS 30000

/* Inputs of keep_identity_obtain(); all may be zero. Pointers are borrowed. */
struct keep_identity_opts {
    /* Where evidence providers look; NULL: this machine's real paths. */
    const struct attest_provider_env *provider;
    /* https: the PEM bundle trusted for the Steward, as bytes (ca_pem) or a file; neither:
     * $ENARX_STEWARD_CA's file, else the system store. */
    const uint8_t *ca_pem;
    size_t ca_pem_size;
    const char *ca_file;
    /* A TCP connection to the Steward's host and port that the host made (taken and closed);
     * without one, keep_identity_obtain() connects itself. */
    bool has_steward_fd;
    int steward_fd;
    /* The whole Steward exchange; 0: KEEP_IDENTITY_TIMEOUT_MS. */
    int timeout_ms;
    /* Certify this key instead of making one (P-384 for SNP, P-256 otherwise); the identity
     * then holds a reference to it. */
    struct evp_pkey_st *key;
};

/* An identity the Steward certified. Owns everything; free with keep_identity_free(). */
struct keep_identity {
    struct evp_pkey_st *key; /* the Keep's private key */
    uint8_t **chain;         /* DER certificates, the Keep's own first, then its issuers */
    size_t *chain_size;
    size_t chain_count; /* 1..KEEP_TLS_MAX_CHAIN */
    int provider;       /* the enum attest_provider the evidence came from */
};

/*
 * Accepts a Steward URL: https to any host, or http only to a loopback address (127.0.0.0/8,
 * ::1, localhost), since plain http elsewhere would let the network swap the certificate.
 * Returns 0, or -EINVAL with a message in err (err_size bytes, may be 0).
 */
NODISCARD int keep_steward_url_check(const char *url, char *err, size_t err_size);

/*
 * The host side's part of reaching the Steward: checks url (keep_steward_url_check) and
 * connects a TCP socket to its host and port within timeout_ms (0: KEEP_IDENTITY_TIMEOUT_MS).
 * Returns 0 and *fd (for the job's steward_fd), or -EINVAL / -ECONNREFUSED with err.
 */
NODISCARD int keep_steward_connect(const char *url, int timeout_ms, int *fd, char *err,
                                   size_t err_size);

/*
 * Splits a DER PkiPath (SEQUENCE OF Certificate, trust anchor side first, the Keep's own
 * certificate last, as Enarx's Steward answers) into out->chain, leaf first. Each certificate
 * must be DER that parses exactly, each must be signed by the next one, there are at most
 * KEEP_TLS_MAX_CHAIN, and when key is not NULL the leaf's public key must be key. Returns 0,
 * or -EPROTO (with err) or -ENOMEM; on error out's chain is empty.
 */
NODISCARD int keep_pkipath_parse(const uint8_t *der, size_t size, struct evp_pkey_st *key,
                                 struct keep_identity *out, char *err, size_t err_size);

/*
 * Obtains the Keep's identity from the Steward at steward_url: detects the evidence provider,
 * makes (or takes) the key, gets evidence binding it, POSTs the CSR (application/pkcs10) and
 * parses the PkiPath. Returns 0 and *out, or with a one-line message in err: -EINVAL (bad URL
 * or options), -EACCES (the Steward refused: its reason and rule are in err), -ECONNREFUSED
 * (unreachable, timed out or TLS failed), -EPROTO (a reply that is not a valid chain for our
 * key), -ENODEV/-EIO (no evidence), -ENOMEM.
 */
NODISCARD int keep_identity_obtain(const char *steward_url, const struct keep_identity_opts *opts,
                                   struct keep_identity *out, char *err, size_t err_size);

/* Frees what id owns and wipes the key (id may be NULL). */
void keep_identity_free(struct keep_identity *id);

/*
 * What the run path calls before the workload starts: the TLS identity for cfg's `tls` files.
 * Without cfg->steward, a self-signed one named name (keep_tls_identity_self_signed). With one,
 * the same key certified by the Steward (keep_identity_obtain, then keep_tls_identity_set_chain).
 * Returns 0 and *out, or the errors above with err set: the caller must then not start the
 * workload, print err and exit non-zero.
 */
NODISCARD int keep_identity_tls(const struct keep_config *cfg, const char *name,
                                const struct keep_identity_opts *opts,
                                struct keep_tls_identity **out, char *err, size_t err_size);

/* ---------------------------------------------------------------------------------------------
 * The job (src/keep/job.c): everything one Keep needs, as bytes, built by the host side and
 * read by the exec inside the Keep (see docs/keep.md). Host fds (pre-opened directories, the
 * sockets of listen/connect files, the Steward connection) travel beside the bytes; inside the
 * job a fd is an index into that list. Strings are NUL-terminated and owned by the job.
 * ------------------------------------------------------------------------------------------- */

#define KEEP_JOB_NO_FD UINT32_MAX
#define KEEP_JOB_MAX_MODULE (256u << 20)
#define KEEP_JOB_MAX_SIZE (KEEP_JOB_MAX_MODULE + (16u << 20))
#define KEEP_JOB_MAX_FDS 250u     /* fits one SCM_RIGHTS message (the kernel's limit is 253) */
#define KEEP_JOB_MAX_DIRS 128u    /* pre-opened directories */
#define KEEP_JOB_MAX_FILES 64u    /* [[files]] entries */
#define KEEP_JOB_MAX_STRINGS 4096 /* arguments, and environment entries */
/* Instead of the workload, try what the jail must refuse and report it (tests only). */
#define KEEP_JOB_FLAG_JAIL_SELFTEST 1u
/* Instead of the workload, make a system call the jail forbids (tests only). */
#define KEEP_JOB_FLAG_FORBIDDEN_CALL 2u
#define KEEP_JOB_FLAGS_ALL 3u

/* A pre-opened directory: the host fd (an index) and the path the workload sees it as. */
struct keep_job_dir {
    char *guest;
    uint32_t fd;
};

/* What the host did for one [[files]] entry, in Enarx.toml's order: the socket it bound or
 * connected (listen/connect files; KEEP_JOB_NO_FD for the others), and the PEM bundle the file's
 * CA key names (client_ca of a tls listener), read on the host because the Keep has no file
 * system of the host's. */
struct keep_job_file {
    uint32_t fd;
    uint8_t *ca;
    size_t ca_size;
};

struct keep_job {
    char *prog; /* "enarx run": how the exec's messages start */
    uint8_t *module;
    size_t module_size;
    char *module_name; /* argv[0] of the workload, and its name in messages */
    char *config;      /* Enarx.toml as written, or NULL: the defaults */
    size_t config_size;
    char *config_name; /* for messages ("Enarx.toml:3:1: ...") */
    char **args;       /* the command line's arguments after MODULE */
    size_t nargs;
    char **env; /* the command line's KEY=VALUE, applied over Enarx.toml's [env] */
    size_t nenv;
    struct keep_job_dir *dirs;
    size_t ndirs;
    struct keep_job_file *files; /* one per [[files]] entry of config */
    size_t nfiles;
    uint32_t steward_fd; /* a TCP connection to Enarx.toml's steward, or KEEP_JOB_NO_FD */
    uint8_t *steward_ca; /* PEM bundle trusted for an https Steward, or NULL: the system's */
    size_t steward_ca_size;
    uint64_t fuel, timeout_ms, max_memory; /* limits; 0: the defaults */
    uint32_t log_level;                    /* enum log_level */
    char *keep_name;                       /* the self-signed certificate's name, or NULL */
    uint32_t flags;                        /* KEEP_JOB_FLAG_* */
    uint32_t nfds;                         /* host fds that travel with the job */
};

/* Serialises job into a malloc'd buffer (*out, caller frees). 0, -ENOMEM or -E2BIG. */
NODISCARD int keep_job_encode(const struct keep_job *job, uint8_t **out, size_t *out_size);

/* Parses size bytes strictly into *job (caller frees with keep_job_free). 0, or -EINVAL /
 * -EFBIG / -E2BIG / -ENOMEM with a message in err; *job is then empty. */
NODISCARD int keep_job_decode(const uint8_t *buf, size_t size, struct keep_job *job, char *err,
                              size_t err_size);

/* Frees what job owns (job may be NULL). */
void keep_job_free(struct keep_job *job);

/* Sends size bytes and nfds fds (SCM_RIGHTS) over the socket sock. 0 or a negative errno. */
NODISCARD int keep_job_send(int sock, const uint8_t *buf, size_t size, const int *fds, size_t nfds);

/* Receives what keep_job_send sent: *buf (caller frees), and the fds into fds (room for
 * KEEP_JOB_MAX_FDS). 0, or -EPROTO (a malformed message: every fd received is closed), -EPIPE. */
NODISCARD int keep_job_recv(int sock, uint8_t **buf, size_t *size, int *fds, size_t *nfds);

/* The exec's last word on the channel: its exit status and the forbidden system call that
 * ended it (-1: none). keep_status_recv() refuses anything but one well-formed record. */
NODISCARD int keep_status_send(int sock, int status, int syscall_nr);
NODISCARD int keep_status_recv(int sock, int *status, int *syscall_nr);

/* ---------------------------------------------------------------------------------------------
 * The exec (src/keep/exec.c): what runs inside every Keep. Job in, exit status out.
 * ------------------------------------------------------------------------------------------- */

/* Exit statuses of the exec (and so of `enarx run`), besides the workload's own. */
#define KEEP_EXIT_MODULE 65   /* malformed, invalid, or imports what is not provided */
#define KEEP_EXIT_CONFIG 78   /* a bad Enarx.toml or a file that cannot be set up, the Steward */
#define KEEP_EXIT_BACKEND 69  /* the backend is unavailable or could not start the Keep */
#define KEEP_EXIT_TRAP 134    /* the workload trapped */
#define KEEP_EXIT_SOFTWARE 70 /* the Keep broke its own contract (a bad job, the host lied) */

/* How a backend lets the exec confine itself once its setup needs no more of the host:
 * called after the identity is obtained, before the module is decoded. 0, or a negative errno
 * (the exec then stops). NULL: no confinement (nil). */
struct keep_exec_hooks {
    int (*jail)(void *priv, const int *keep_fds, size_t nkeep);
    void *priv;
};

/*
 * Runs one job: job bytes (size) and the host fds that came with them (fds[0..nfds), owned by
 * the exec from here on). Returns the exit status (the workload's, or KEEP_EXIT_*), after
 * printing why on stderr when it is the Keep's own.
 */
int keep_exec_run(const uint8_t *job, size_t size, int *fds, size_t nfds,
                  const struct keep_exec_hooks *hooks);

/*
 * main() of the exec as its own process (the sandbox's child, the kvm Keep's static binary):
 * reads the job from fd 3, runs it, writes the status record to fd 3. Returns the exit status.
 */
int keep_exec_main(int argc, char **argv);

/* argv[0] of an exec process: a binary that sees it calls keep_exec_main(). */
#define KEEP_EXEC_ARGV0 "enarx-exec"

/* ---------------------------------------------------------------------------------------------
 * Launching (src/keep/backend.c): the host side of a Keep.
 * ------------------------------------------------------------------------------------------- */

/* Launches the job (bytes and fds; the fds stay the caller's) in the backend named backend
 * (NULL: the best available). Returns the Keep's exit status; when the backend is unavailable
 * or cannot start, KEEP_EXIT_BACKEND after saying why on stderr prefixed with prog. */
int keep_launch(const char *backend, const char *prog, const uint8_t *job, size_t size,
                const int *fds, size_t nfds);

/* true when a backend of that name exists. */
bool keep_backend_exists(const char *name);

#endif
