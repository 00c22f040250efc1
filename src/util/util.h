/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util.h - the public face of src/util: logging and small shared helpers that every layer may
 * use. Nothing here knows about WebAssembly, WASI, Keeps or attestation.
 */
#ifndef ENARX_UTIL_H
#define ENARX_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define NODISCARD __attribute__((warn_unused_result))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/* Sets the level; messages above it are dropped. Default: LOG_WARN, or ENARX_LOG if set. */
void log_set_level(enum log_level level);
/* Parses "error", "warn", "info", "debug"; returns 0 and sets *out, or -EINVAL. */
NODISCARD int log_level_parse(const char *s, enum log_level *out);
enum log_level log_get_level(void);
/*
 * Sets the name every log line starts with ("enarx-steward", "enarx config check"); the string
 * is copied (at most 63 bytes kept). Default: the program's own name (argv[0]'s basename).
 */
void log_set_prefix(const char *prefix);
/* The current prefix (a static buffer, valid until the next log_set_prefix). */
const char *log_get_prefix(void);
/*
 * Writes "PREFIX: LEVEL: message" to stderr when level is at or below the current level. The
 * source location " (file.c:line)" is appended only when the current level is debug: it helps
 * whoever reads the code, and is noise for whoever reads the output.
 */
void log_write(enum log_level level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define log_error(...) log_write(LOG_ERROR, __FILE__, __LINE__, __VA_ARGS__)
#define log_warn(...) log_write(LOG_WARN, __FILE__, __LINE__, __VA_ARGS__)
#define log_info(...) log_write(LOG_INFO, __FILE__, __LINE__, __VA_ARGS__)
#define log_debug(...) log_write(LOG_DEBUG, __FILE__, __LINE__, __VA_ARGS__)

/*
 * Reads a whole file into a malloc'd buffer (caller frees), refusing files larger than
 * max_size bytes. Returns 0, or a negative errno (-EFBIG when too large).
 */
NODISCARD int util_file_read(const char *path, size_t max_size, uint8_t **out, size_t *out_size);

#include "toml.h"

/* The value of hex digit c (either case), or -1. */
int util_hex_digit(int c);
/* Decodes the len hex digits at s (either case) into len / 2 bytes at out. 0, or -EINVAL when
 * len is odd or a character is not a hex digit (out may then be partly written). */
NODISCARD int util_hex_decode(const char *s, size_t len, uint8_t *out);

/*
 * Fills *ss and *len from an IPv6 or IPv4 address literal (no names) and a port ("::" is the
 * IPv6 any-address, which also accepts IPv4 where the socket is dual-stack). 0, or -EINVAL
 * for anything that is not an address literal (addr may be NULL).
 */
NODISCARD int util_sockaddr_parse(const char *addr, uint16_t port, struct sockaddr_storage *ss,
                                  socklen_t *len);

/* Sets (on) or clears O_NONBLOCK on fd. 0, or a negative errno. */
NODISCARD int util_fd_set_nonblock(int fd, bool on);

/* CLOCK_MONOTONIC in milliseconds: for deadlines. */
int64_t util_now_ms(void);

/* A TCP socket bound to addr (an address literal; "::" takes both families) and port (0: an
 * ephemeral one), listening, non-blocking, close-on-exec. 0 and *fd, or a negative errno. */
NODISCARD int util_tcp_listen(const char *addr, uint16_t port, int *fd);

/* A TCP connection to host (a name or an address literal) and port, trying each address in
 * turn within timeout_ms; non-blocking, close-on-exec. 0 and *fd, or -ENOENT (no such host),
 * -ETIMEDOUT, -ECONNREFUSED, ... (logged as a warning). */
NODISCARD int util_tcp_connect(const char *host, uint16_t port, int timeout_ms, int *fd);

#endif
