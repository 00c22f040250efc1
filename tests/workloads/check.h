/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check.h - a tiny test harness for the WASI test workloads (compiled to wasm32-wasi).
 *
 * CHECK(cond) prints "ok: <text>" or "FAIL: <text> (file:line)" and counts failures;
 * CHECK_ERR(call, errno) expects a raw WASI call to return exactly that errno. A workload
 * returns check_done(): 0 when every check passed, 1 otherwise. Output goes to stdout so the
 * driver (tests/wasi/run-workloads) can show it.
 */
#ifndef ENARX_TEST_CHECK_H
#define ENARX_TEST_CHECK_H

#include <stdio.h>
#include <wasi/api.h>

static int g_failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond) {                                                                                \
            printf("ok: %s\n", #cond);                                                             \
        } else {                                                                                   \
            printf("FAIL: %s (%s:%d)\n", #cond, __FILE__, __LINE__);                               \
            g_failures++;                                                                          \
        }                                                                                          \
    } while (0)

#define CHECK_ERR(call, want)                                                                      \
    do {                                                                                           \
        __wasi_errno_t got_ = (call);                                                              \
        if (got_ == (want)) {                                                                      \
            printf("ok: %s == %d\n", #call, (int)(want));                                          \
        } else {                                                                                   \
            printf("FAIL: %s returned %d, expected %d (%s:%d)\n", #call, (int)got_, (int)(want),   \
                   __FILE__, __LINE__);                                                            \
            g_failures++;                                                                          \
        }                                                                                          \
    } while (0)

#define CHECK_OK(call) CHECK_ERR(call, 0)

static inline int check_done(void)
{
    printf("%s: %d failure(s)\n", g_failures ? "FAILED" : "PASSED", g_failures);
    fflush(stdout);
    return g_failures ? 1 : 0;
}

/* The first pre-opened directory's fd, or -1. */
static inline int first_preopen(void)
{
    for (__wasi_fd_t fd = 3; fd < 64; fd++) {
        __wasi_prestat_t ps;
        if (__wasi_fd_prestat_get(fd, &ps) == 0 && ps.tag == __WASI_PREOPENTYPE_DIR) return (int)fd;
    }
    return -1;
}

#endif
