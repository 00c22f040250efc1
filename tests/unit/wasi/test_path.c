/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_path.c - capability-safe path resolution (src/wasi/path.c), without the engine.
 *
 * A temporary tree holds a "box" (the pre-opened directory) beside a "secret" file. Every test
 * runs twice: with openat2(RESOLVE_BENEATH) and with the component-wise fallback resolver, and
 * both must agree: paths inside resolve, every way out ("..", absolute paths, symlinks absolute
 * and relative, loops) is refused with EWASI_NOTCAPABLE or ELOOP, never opening the secret.
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
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi/internal.h"

struct fixture {
    char root[64];
    int box;
    struct wasi_ctx *ctx;
};

static void must(int ok)
{
    assert_true(ok);
}

static int setup(void **state, bool no_openat2)
{
    struct fixture *f = calloc(1, sizeof(*f));
    char path[PATH_MAX];
    snprintf(f->root, sizeof(f->root), "/tmp/enarx-wasi-path.XXXXXX");
    must(mkdtemp(f->root) != NULL);
    snprintf(path, sizeof(path), "%s/secret", f->root);
    int fd = open(path, O_CREAT | O_WRONLY, 0600);
    must(fd >= 0 && write(fd, "TOP SECRET", 10) == 10);
    close(fd);
    snprintf(path, sizeof(path), "%s/box", f->root);
    must(mkdir(path, 0700) == 0);
    f->box = open(path, O_RDONLY | O_DIRECTORY);
    must(f->box >= 0);
    must(mkdirat(f->box, "d", 0700) == 0);
    fd = openat(f->box, "file", O_CREAT | O_WRONLY, 0600);
    must(fd >= 0);
    close(fd);
    must(symlinkat("../secret", f->box, "rel") == 0);
    must(symlinkat("/etc/passwd", f->box, "abs") == 0);
    must(symlinkat("..", f->box, "up") == 0);
    must(symlinkat("d/../file", f->box, "good") == 0);
    must(symlinkat("loop2", f->box, "loop1") == 0);
    must(symlinkat("loop1", f->box, "loop2") == 0);
    must(wasi_ctx_new(0, NULL, 0, NULL, &f->ctx) == 0);
    f->ctx->no_openat2 = no_openat2;
    *state = f;
    return 0;
}

static int setup_openat2(void **state)
{
    return setup(state, false);
}

static int setup_walk(void **state)
{
    return setup(state, true);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];
    close(f->box);
    wasi_ctx_free(f->ctx);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
    must(system(cmd) == 0);
    free(f);
    return 0;
}

static int open_path(struct fixture *f, const char *path, int flags)
{
    int fd = wasi_path_openat(f->ctx, f->box, path, strlen(path), flags, 0600);
    if (fd >= 0) {
        char buf[16] = {0};
        /* whatever was opened, it is never the secret outside the box */
        if ((flags & O_ACCMODE) != O_WRONLY && !(flags & O_PATH) && read(fd, buf, 10) == 10)
            assert_memory_not_equal(buf, "TOP SECRET", 10);
        wasi_host_close(f->ctx, fd); /* through the context, which tracks its fds */
        return 0;
    }
    return fd;
}

static void test_inside(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(open_path(f, "file", O_RDONLY), 0);
    assert_int_equal(open_path(f, "d/../file", O_RDONLY), 0);
    assert_int_equal(open_path(f, "./d/./../d/..//file", O_RDONLY), 0);
    assert_int_equal(open_path(f, ".", O_RDONLY | O_DIRECTORY), 0);
    assert_int_equal(open_path(f, "d/", O_RDONLY), 0);
    assert_int_equal(open_path(f, "good", O_RDONLY), 0);
    assert_int_equal(open_path(f, "new", O_CREAT | O_WRONLY), 0);
    assert_int_equal(faccessat(f->box, "new", F_OK, 0), 0);
    assert_int_equal(open_path(f, "missing", O_RDONLY), -ENOENT);
    assert_int_equal(open_path(f, "file/", O_RDONLY), -ENOTDIR);
    assert_int_equal(open_path(f, "file/x", O_RDONLY), -ENOTDIR);
}

static void test_escapes(void **state)
{
    struct fixture *f = *state;
    const char *out[] = {"..",  "../secret", "d/../../secret", "/etc/passwd", "/",
                         "rel", "abs",       "up/secret",      "up/box/file"};
    for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
        assert_int_equal(open_path(f, out[i], O_RDONLY), -EWASI_NOTCAPABLE);
        assert_int_equal(open_path(f, out[i], O_PATH), -EWASI_NOTCAPABLE);
    }
    /* not following the last symlink: the link itself is not opened as a file */
    assert_int_equal(open_path(f, "rel", O_RDONLY | O_NOFOLLOW), -ELOOP);
    assert_int_equal(open_path(f, "loop1", O_RDONLY), -ELOOP);
    assert_int_equal(open_path(f, "loop1/x", O_RDONLY), -ELOOP);
    /* creating through a symlink that points out fails too */
    assert_int_equal(open_path(f, "up/created", O_CREAT | O_WRONLY), -EWASI_NOTCAPABLE);
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/created", f->root);
    assert_int_equal(access(path, F_OK), -1);
}

static void test_bad_input(void **state)
{
    struct fixture *f = *state;
    char name[PATH_MAX];
    bool trailing;
    assert_int_equal(wasi_path_openat(f->ctx, f->box, "fi\0le", 5, O_RDONLY, 0), -EINVAL);
    char *longp = malloc(PATH_MAX + 10);
    memset(longp, 'a', PATH_MAX + 10);
    assert_int_equal(wasi_path_openat(f->ctx, f->box, longp, PATH_MAX + 10, O_RDONLY, 0),
                     -ENAMETOOLONG);
    free(longp);
    assert_int_equal(wasi_path_parent(f->ctx, f->box, "", 0, name, sizeof(name), &trailing),
                     -ENOENT);
}

static void test_parent(void **state)
{
    struct fixture *f = *state;
    char name[PATH_MAX];
    bool trailing;
    struct stat a, b;
    int p = wasi_path_parent(f->ctx, f->box, "d/x", 3, name, sizeof(name), &trailing);
    assert_true(p >= 0);
    assert_string_equal(name, "x");
    assert_false(trailing);
    fstat(p, &a);
    fstatat(f->box, "d", &b, 0);
    assert_true(a.st_ino == b.st_ino);
    wasi_host_close(f->ctx, p);
    p = wasi_path_parent(f->ctx, f->box, "d//", 3, name, sizeof(name), &trailing);
    assert_true(p >= 0);
    assert_string_equal(name, "d");
    assert_true(trailing);
    wasi_host_close(f->ctx, p);
    p = wasi_path_parent(f->ctx, f->box, "d/..", 4, name, sizeof(name), &trailing);
    assert_true(p >= 0);
    assert_string_equal(name, ".");
    fstat(p, &a);
    fstat(f->box, &b);
    assert_true(a.st_ino == b.st_ino);
    wasi_host_close(f->ctx, p);
    /* the last component is not followed: "rel" is the link itself, in the box */
    p = wasi_path_parent(f->ctx, f->box, "rel", 3, name, sizeof(name), &trailing);
    assert_true(p >= 0);
    assert_string_equal(name, "rel");
    wasi_host_close(f->ctx, p);
    assert_int_equal(wasi_path_parent(f->ctx, f->box, "up/x", 4, name, sizeof(name), &trailing),
                     -EWASI_NOTCAPABLE);
    assert_int_equal(wasi_path_parent(f->ctx, f->box, "../x", 4, name, sizeof(name), &trailing),
                     -EWASI_NOTCAPABLE);
    assert_int_equal(wasi_path_parent(f->ctx, f->box, "/x", 2, name, sizeof(name), &trailing),
                     -EWASI_NOTCAPABLE);
    assert_int_equal(wasi_path_parent(f->ctx, f->box, "..", 2, name, sizeof(name), &trailing),
                     -EWASI_NOTCAPABLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_inside, setup_openat2, teardown),
        cmocka_unit_test_setup_teardown(test_escapes, setup_openat2, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup_openat2, teardown),
        cmocka_unit_test_setup_teardown(test_parent, setup_openat2, teardown),
        cmocka_unit_test_setup_teardown(test_inside, setup_walk, teardown),
        cmocka_unit_test_setup_teardown(test_escapes, setup_walk, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup_walk, teardown),
        cmocka_unit_test_setup_teardown(test_parent, setup_walk, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
