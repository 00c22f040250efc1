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

#endif
