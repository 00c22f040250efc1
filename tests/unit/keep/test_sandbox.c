/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sandbox.c - the Keep backends: nil passes the exec's status through; sandbox runs the
 * exec confined, passes its status through, and stops a forbidden system call (status
 * KEEP_EXIT_SYSCALL) instead of letting it run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "keep/backend.h"

static int exec_status7(void *arg)
{
    (void)arg;
    return 7;
}

/* Uses only what the runtime is allowed: memory, time, writing to an inherited fd. */
static int exec_allowed(void *arg)
{
    int *pfd = arg;
    void *p = malloc(1 << 20);
    if (!p) return 1;
    memset(p, 1, 1 << 20);
    free(p);
    return write(pfd[1], "ok", 2) == 2 ? 0 : 2;
}

/* Opening a socket is not something the runtime may do inside the Keep. */
static int exec_forbidden(void *arg)
{
    (void)arg;
    long fd = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
    return fd >= 0 ? 3 : 4; /* never reached: the sandbox stops the call */
}

static void test_nil(void **state)
{
    (void)state;
    const struct keep_backend *be = keep_backend_find("nil");
    assert_non_null(be);
    int status = -1;
    assert_int_equal(be->launch(exec_status7, NULL, &status), 0);
    assert_int_equal(status, 7);
}

static void test_sandbox_status_and_allowed(void **state)
{
    (void)state;
    char why[256];
    if (keep_backend_sandbox.probe(why, sizeof(why)) < 0) skip();
    int status = -1;
    assert_int_equal(keep_backend_sandbox.launch(exec_status7, NULL, &status), 0);
    assert_int_equal(status, 7);
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    assert_int_equal(keep_backend_sandbox.launch(exec_allowed, pfd, &status), 0);
    assert_int_equal(status, 0);
    char buf[2];
    assert_int_equal(read(pfd[0], buf, 2), 2);
    assert_memory_equal(buf, "ok", 2);
    close(pfd[0]);
    close(pfd[1]);
}

static void test_sandbox_forbidden_syscall(void **state)
{
    (void)state;
    char why[256];
    if (keep_backend_sandbox.probe(why, sizeof(why)) < 0) skip();
    int status = -1;
    assert_int_equal(keep_backend_sandbox.launch(exec_forbidden, NULL, &status), 0);
    assert_int_equal(status, KEEP_EXIT_SYSCALL);
}

static void test_table(void **state)
{
    (void)state;
    size_t n;
    const struct keep_backend *const *all = keep_backends(&n);
    assert_true(n >= 5);
    for (size_t i = 0; i < n; i++) {
        assert_ptr_equal(keep_backend_find(all[i]->name), all[i]);
        char why[256] = "";
        if (all[i]->probe(why, sizeof(why)) < 0) assert_true(why[0] != 0); /* always says why */
    }
    assert_null(keep_backend_find("no-such-backend"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nil),
        cmocka_unit_test(test_sandbox_status_and_allowed),
        cmocka_unit_test(test_sandbox_forbidden_syscall),
        cmocka_unit_test(test_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
