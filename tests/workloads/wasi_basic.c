/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasi_basic.c - the WASI functions that need no file: args_*, environ_*, clock_* (all four
 * clocks), random_get, sched_yield, poll_oneoff on clocks, proc_raise, proc_exit.
 *
 * Run as: wasi_basic.wasm one two  with WASI_TEST=yes in the environment. With "exit N" as
 * arguments it calls proc_exit(N) at once; with "raise" it raises SIGTERM (the Keep must end
 * with status 128 + 15).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* proc_raise is not in wasi-libc's header any more; import it directly. */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise"))) uint16_t
raw_proc_raise(uint32_t sig);

static void test_args(void)
{
    __wasi_size_t argc, size;
    CHECK_OK(__wasi_args_sizes_get(&argc, &size));
    CHECK(argc == 3);
    char *argv[3], buf[256];
    CHECK(size < sizeof(buf));
    CHECK_OK(__wasi_args_get((uint8_t **)argv, (uint8_t *)buf));
    CHECK(strcmp(argv[1], "one") == 0 && strcmp(argv[2], "two") == 0);
    /* a pointer outside linear memory is EFAULT, not a crash of the Keep */
    CHECK_ERR(__wasi_args_sizes_get((__wasi_size_t *)0xfffffffc, &size), __WASI_ERRNO_FAULT);
}

static void test_environ(void)
{
    __wasi_size_t n, size;
    CHECK_OK(__wasi_environ_sizes_get(&n, &size));
    CHECK(n >= 1);
    CHECK(getenv("WASI_TEST") && strcmp(getenv("WASI_TEST"), "yes") == 0);
}

static void test_clocks(void)
{
    __wasi_timestamp_t t1, t2, res;
    for (__wasi_clockid_t id = 0; id < 4; id++) {
        CHECK_OK(__wasi_clock_res_get(id, &res));
        CHECK(res > 0);
        CHECK_OK(__wasi_clock_time_get(id, 1, &t1));
    }
    CHECK_ERR(__wasi_clock_time_get(9, 1, &t1), __WASI_ERRNO_INVAL);
    CHECK_OK(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t1));
    CHECK(t1 > 1600000000ull * 1000000000ull); /* after 2020 */
    CHECK_OK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t1));
    CHECK_OK(__wasi_sched_yield());
    /* sleep 20 ms through poll_oneoff on a relative clock */
    __wasi_subscription_t sub = {.userdata = 42, .u.tag = __WASI_EVENTTYPE_CLOCK};
    sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    sub.u.u.clock.timeout = 20000000;
    __wasi_event_t ev;
    __wasi_size_t nev;
    CHECK_OK(__wasi_poll_oneoff(&sub, &ev, 1, &nev));
    CHECK_OK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t2));
    CHECK(nev == 1 && ev.userdata == 42 && ev.type == __WASI_EVENTTYPE_CLOCK && ev.error == 0);
    CHECK(t2 - t1 >= 20000000);
    /* an absolute deadline in the past fires at once */
    sub.u.u.clock.flags = __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME;
    sub.u.u.clock.timeout = t1;
    CHECK_OK(__wasi_poll_oneoff(&sub, &ev, 1, &nev));
    CHECK(nev == 1);
    CHECK_ERR(__wasi_poll_oneoff(&sub, &ev, 0, &nev), __WASI_ERRNO_INVAL);
}

static void test_random(void)
{
    uint8_t a[64] = {0}, b[64] = {0};
    CHECK_OK(__wasi_random_get(a, sizeof(a)));
    CHECK_OK(__wasi_random_get(b, sizeof(b)));
    CHECK(memcmp(a, b, sizeof(a)) != 0);
    CHECK_OK(__wasi_random_get(a, 0));
    CHECK_ERR(__wasi_random_get((uint8_t *)0xfffffff0, 64), __WASI_ERRNO_FAULT);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "exit") == 0)
        __wasi_proc_exit((__wasi_exitcode_t)atoi(argv[2]));
    if (argc == 2 && strcmp(argv[1], "raise") == 0) {
        raw_proc_raise(15); /* SIGTERM */
        return 99;          /* not reached */
    }
    test_args();
    test_environ();
    test_clocks();
    test_random();
    CHECK(raw_proc_raise(0) == 0);
    CHECK(raw_proc_raise(99) == __WASI_ERRNO_INVAL);
    return check_done();
}
