/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sandbox.c - the Keep backends run a job: nil and sandbox pass the workload's exit status
 * through; the sandbox's exec is jailed (the self-test finds everything refused) and a forbidden
 * system call ends it with KEEP_EXIT_SYSCALL. This binary is also the sandbox's exec: the
 * sandbox runs /proc/self/exe as enarx-exec.
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
#include <unistd.h>

#include "keep/backend.h"
#include "keep/internal.h"

/* (module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
 *   (memory (export "memory") 1) (func (export "_start") i32.const 7 call 0)) */
static const uint8_t exit7_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x60, 0x01, 0x7f, 0x00, 0x60,
    0x00, 0x00, 0x02, 0x24, 0x01, 0x16, 'w',  'a',  's',  'i',  '_',  's',  'n',  'a',  'p',  's',
    'h',  'o',  't',  '_',  'p',  'r',  'e',  'v',  'i',  'e',  'w',  '1',  0x09, 'p',  'r',  'o',
    'c',  '_',  'e',  'x',  'i',  't',  0x00, 0x00, 0x03, 0x02, 0x01, 0x01, 0x05, 0x03, 0x01, 0x00,
    0x01, 0x07, 0x13, 0x02, 0x06, '_',  's',  't',  'a',  'r',  't',  0x00, 0x01, 0x06, 'm',  'e',
    'm',  'o',  'r',  'y',  0x02, 0x00, 0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x07, 0x10, 0x00, 0x0b,
};

/* Runs a job for exit7_wasm with flags, and one pre-opened directory (SOURCE_DIR), in the
 * backend; returns the Keep's status. */
static int run(const char *backend, uint32_t flags)
{
    struct keep_job_dir dir = {"src", 0};
    struct keep_job job = {
        .prog = "test",
        .module = (uint8_t *)exit7_wasm,
        .module_size = sizeof(exit7_wasm),
        .module_name = "exit7.wasm",
        .dirs = &dir,
        .ndirs = 1,
        .steward_fd = KEEP_JOB_NO_FD,
        .flags = flags,
        .nfds = 1,
    };
    int fd = open(SOURCE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(fd >= 0);
    uint8_t *bytes;
    size_t size;
    assert_int_equal(keep_job_encode(&job, &bytes, &size), 0);
    int status = keep_launch(backend, "test", bytes, size, &fd, 1);
    free(bytes);
    close(fd);
    return status;
}

static bool sandbox_here(void)
{
    char why[256];
    return keep_backend_sandbox.probe(why, sizeof(why)) == 0;
}

static void test_nil(void **state)
{
    (void)state;
    assert_int_equal(run("nil", 0), 7);
}

static void test_sandbox_status(void **state)
{
    (void)state;
    if (!sandbox_here()) skip();
    assert_int_equal(run("sandbox", 0), 7);
}

/* Fails when a wall of the jail is missing (check: drop empty_root() or the seccomp rules). */
static void test_sandbox_jail_refuses(void **state)
{
    (void)state;
    if (!sandbox_here()) skip();
    assert_int_equal(run("sandbox", KEEP_JOB_FLAG_JAIL_SELFTEST), 0);
}

static void test_sandbox_forbidden_syscall(void **state)
{
    (void)state;
    if (!sandbox_here()) skip();
    assert_int_equal(run("sandbox", KEEP_JOB_FLAG_FORBIDDEN_CALL), KEEP_EXIT_SYSCALL);
}

static void test_unknown_backend(void **state)
{
    (void)state;
    assert_int_equal(run("no-such-backend", 0), KEEP_EXIT_BACKEND);
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

int main(int argc, char **argv)
{
    if (argc > 0 && strcmp(argv[0], KEEP_EXEC_ARGV0) == 0) return keep_exec_main(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nil),
        cmocka_unit_test(test_sandbox_status),
        cmocka_unit_test(test_sandbox_jail_refuses),
        cmocka_unit_test(test_sandbox_forbidden_syscall),
        cmocka_unit_test(test_unknown_backend),
        cmocka_unit_test(test_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
