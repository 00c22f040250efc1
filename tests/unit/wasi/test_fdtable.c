/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_fdtable.c - the fd table (src/wasi/fdtable.c) and the errno mapping, without the
 * engine: lowest-free allocation, rights checks, the table's size limit, streams and their
 * close callback, pre-opens, and host errno -> WASI errno.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "wasi/internal.h"

static int g_closed;

static ssize_t fake_read(void *priv, void *buf, size_t size)
{
    (void)priv, (void)buf, (void)size;
    return 0;
}

static ssize_t fake_write(void *priv, const void *buf, size_t size)
{
    (void)priv, (void)buf;
    return (ssize_t)size;
}

static int fake_shutdown(void *priv, int how)
{
    (void)priv, (void)how;
    return 0;
}

static void fake_close(void *priv)
{
    (void)priv;
    g_closed++;
}

static int fake_poll_fd(void *priv)
{
    (void)priv;
    return -1;
}

static const struct wasi_stream_ops fake_ops = {
    .read = fake_read,
    .write = fake_write,
    .shutdown = fake_shutdown,
    .close = fake_close,
    .poll_fd = fake_poll_fd,
};

static void test_errno_map(void **state)
{
    (void)state;
    assert_int_equal(wasi_errno_from_host(0), WASI_ESUCCESS);
    assert_int_equal(wasi_errno_from_host(E2BIG), 1);
    assert_int_equal(wasi_errno_from_host(EBADF), 8);
    assert_int_equal(wasi_errno_from_host(ENOENT), 44);
    assert_int_equal(wasi_errno_from_host(ENOTCONN), 53);
    assert_int_equal(wasi_errno_from_host(EXDEV), 75);
    assert_int_equal(wasi_errno_from_host(EWOULDBLOCK), WASI_EAGAIN);
    assert_int_equal(wasi_errno_from_host(EOPNOTSUPP), WASI_ENOTSUP);
    assert_int_equal(wasi_errno_from_host(EWASI_NOTCAPABLE), 76);
    assert_int_equal(wasi_errno_from_host(ERFKILL), WASI_EIO); /* no WASI equivalent */
}

static void test_lowest_free(void **state)
{
    (void)state;
    struct wasi_ctx *ctx;
    uint32_t fd;
    assert_int_equal(wasi_ctx_new(0, NULL, 0, NULL, &ctx), 0);
    assert_int_equal(wasi_ctx_fd_count(ctx), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(wasi_ctx_add_host_fd(ctx, i, false, &fd), 0);
        assert_int_equal(fd, (uint32_t)i);
    }
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(wasi_ctx_add_host_fd(ctx, p[0], true, &fd), 0);
    assert_int_equal(fd, 3);
    assert_int_equal(wasi_ctx_add_host_fd(ctx, p[1], true, &fd), 0);
    assert_int_equal(fd, 4);
    struct wasi_fd *f;
    /* the read end cannot write: its rights say so */
    assert_int_equal(wasi_fd_get(ctx, 3, R_FD_READ, &f), WASI_ESUCCESS);
    assert_int_equal(wasi_fd_get(ctx, 3, R_FD_WRITE, &f), WASI_ENOTCAPABLE);
    assert_int_equal(wasi_fd_get(ctx, 4, R_FD_WRITE, &f), WASI_ESUCCESS);
    assert_int_equal(wasi_fd_get(ctx, 5, 0, &f), WASI_EBADF);
    assert_int_equal(wasi_fd_get(ctx, UINT32_MAX, 0, &f), WASI_EBADF);
    /* freeing fd 1 makes it the next one handed out */
    assert_int_equal(wasi_fd_get(ctx, 1, 0, &f), WASI_ESUCCESS);
    wasi_fd_release(ctx, f);
    assert_int_equal(wasi_fd_get(ctx, 1, 0, &f), WASI_EBADF);
    assert_int_equal(wasi_ctx_add_stream(ctx, &fake_ops, NULL, &fd), 0);
    assert_int_equal(fd, 1);
    assert_int_equal(wasi_ctx_fd_count(ctx), 5);
    assert_int_equal(wasi_ctx_add_host_fd(ctx, 9999, false, &fd), -EBADF);
    g_closed = 0;
    wasi_ctx_free(ctx);
    assert_int_equal(g_closed, 1);
    /* host fds 0..2 were not closed by the context */
    assert_true(fcntl(1, F_GETFD) >= 0);
    assert_true(fcntl(p[0], F_GETFD) < 0); /* owned: closed */
}

static void test_limit(void **state)
{
    (void)state;
    struct wasi_ctx *ctx;
    uint32_t fd = 0;
    assert_int_equal(wasi_ctx_new(0, NULL, 0, NULL, &ctx), 0);
    g_closed = 0;
    for (uint32_t i = 0; i < WASI_MAX_FDS; i++)
        assert_int_equal(wasi_ctx_add_stream(ctx, &fake_ops, NULL, &fd), 0);
    assert_int_equal(fd, WASI_MAX_FDS - 1);
    /* one more: refused, and the stream it would have held is closed at once */
    assert_int_equal(wasi_ctx_add_stream(ctx, &fake_ops, NULL, &fd), -EMFILE);
    assert_int_equal(g_closed, 1);
    wasi_ctx_free(ctx);
    assert_int_equal(g_closed, (int)WASI_MAX_FDS + 1);
}

static void test_preopen(void **state)
{
    (void)state;
    struct wasi_ctx *ctx;
    uint32_t fd;
    assert_int_equal(wasi_ctx_new(0, NULL, 0, NULL, &ctx), 0);
    assert_int_equal(wasi_ctx_add_preopen(ctx, "/tmp", "/", &fd), 0);
    assert_int_equal(fd, 0);
    struct wasi_fd *f;
    assert_int_equal(wasi_fd_get(ctx, 0, R_PATH_OPEN | R_FD_READDIR, &f), WASI_ESUCCESS);
    assert_string_equal(f->preopen, "/");
    assert_int_equal(f->filetype, WASI_FT_DIR);
    assert_true((f->rights_inh & RIGHTS_FILE) == RIGHTS_FILE);
    assert_int_equal(wasi_ctx_add_preopen(ctx, "/nonexistent-enarx", "x", &fd), -ENOENT);
    assert_int_equal(wasi_ctx_add_preopen(ctx, "/etc/hostname", "x", &fd), -ENOTDIR);
    assert_int_equal(wasi_ctx_add_listen(ctx, "not-an-ip", 80, &fd), -EINVAL);
    wasi_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errno_map),
        cmocka_unit_test(test_lowest_free),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_preopen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
