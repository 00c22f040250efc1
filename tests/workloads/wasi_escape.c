/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasi_escape.c - tries every way out of a pre-opened directory and expects each to be
 * refused: "..", absolute paths, symlinks pointing out (absolute and relative, direct and in
 * the middle of a path), symlink loops, and rename / link / symlink targets outside.
 *
 * The driver pre-opens an empty directory "box" whose host parent holds a file "secret"; the
 * workload must never read it. A refusal is ENOTCAPABLE (76) or EPERM (63) for an escape, and
 * ELOOP for a loop. Run it with and without ENARX_WASI_NO_OPENAT2=1 (both resolvers).
 */
#include <string.h>

#include "check.h"

static int refused(__wasi_errno_t e)
{
    return e == __WASI_ERRNO_NOTCAPABLE || e == __WASI_ERRNO_PERM;
}

static __wasi_errno_t try_open(__wasi_fd_t dir, const char *path, __wasi_lookupflags_t follow)
{
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(dir, follow, path, 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
    if (e == 0) {
        char buf[64] = {0};
        __wasi_iovec_t iov = {(uint8_t *)buf, sizeof(buf) - 1};
        __wasi_size_t n;
        if (__wasi_fd_read(fd, &iov, 1, &n) == 0 && strstr(buf, "TOP SECRET"))
            printf("ESCAPED: read the host's secret through '%s'\n", path);
        (void)__wasi_fd_close(fd);
    }
    return e;
}

#define REFUSED_OPEN(path, follow) CHECK(refused(try_open(dir, path, follow)))

int main(void)
{
    int d = first_preopen();
    CHECK(d >= 3);
    if (d < 0) return check_done();
    __wasi_fd_t dir = (__wasi_fd_t)d;
    const __wasi_lookupflags_t F = __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;
    __wasi_filestat_t st;

    /* "..", alone, nested, and after a real directory */
    REFUSED_OPEN("../secret", F);
    REFUSED_OPEN("..", F);
    CHECK_OK(__wasi_path_create_directory(dir, "d"));
    REFUSED_OPEN("d/../../secret", F);
    REFUSED_OPEN("d/./../d/../../secret", F);
    CHECK(refused(__wasi_path_filestat_get(dir, 0, "../secret", &st)));
    CHECK(refused(__wasi_path_filestat_get(dir, 0, "..", &st)));
    /* absolute paths */
    REFUSED_OPEN("/etc/passwd", F);
    REFUSED_OPEN("/", F);
    /* symlinks out, absolute and relative, followed at the end or in the middle */
    (void)__wasi_path_symlink("../secret", dir, "rel");
    (void)__wasi_path_symlink("d/../../secret", dir, "rel2");
    REFUSED_OPEN("rel", F);
    REFUSED_OPEN("rel2", F);
    CHECK(refused(__wasi_path_filestat_get(dir, F, "rel", &st)));
    CHECK(refused(__wasi_path_symlink("/etc/passwd", dir, "abs")));
    (void)__wasi_path_symlink("..", dir, "up");
    REFUSED_OPEN("up/secret", F);
    REFUSED_OPEN("up/secret", 0); /* not following the last component still follows "up" */
    CHECK(refused(__wasi_path_unlink_file(dir, "up/secret")));
    CHECK(refused(__wasi_path_create_directory(dir, "up/newdir")));
    /* a symlink is not followed without the flag, and it stays inside with it */
    CHECK_ERR(try_open(dir, "rel", 0), __WASI_ERRNO_LOOP);
    /* loops */
    (void)__wasi_path_symlink("loop2", dir, "loop1");
    (void)__wasi_path_symlink("loop1", dir, "loop2");
    CHECK_ERR(try_open(dir, "loop1", F), __WASI_ERRNO_LOOP);
    CHECK_ERR(try_open(dir, "loop1/x", 0), __WASI_ERRNO_LOOP);
    /* rename, link and symlink out */
    __wasi_fd_t fd;
    CHECK_OK(__wasi_path_open(dir, 0, "inside", __WASI_OFLAGS_CREAT, 0, 0, 0, &fd));
    CHECK_OK(__wasi_fd_close(fd));
    CHECK(refused(__wasi_path_rename(dir, "inside", dir, "../outside")));
    CHECK(refused(__wasi_path_rename(dir, "../secret", dir, "stolen")));
    CHECK(refused(__wasi_path_rename(dir, "inside", dir, "up/outside")));
    CHECK(refused(__wasi_path_link(dir, 0, "../secret", dir, "stolen")));
    CHECK(refused(__wasi_path_link(dir, F, "rel", dir, "stolen")));
    CHECK(refused(__wasi_path_link(dir, 0, "inside", dir, "../outside")));
    CHECK(refused(__wasi_path_readlink(dir, "up/x", (uint8_t *)&st, 8, (__wasi_size_t *)&fd)));
    CHECK_ERR(__wasi_path_filestat_get(dir, 0, "stolen", &st), __WASI_ERRNO_NOENT);
    CHECK(refused(__wasi_path_filestat_set_times(dir, F, "rel", 0, 0, __WASI_FSTFLAGS_MTIM_NOW)));
    /* descriptors that are not directories cannot anchor paths */
    CHECK_ERR(__wasi_path_open(1, 0, "x", 0, 0, 0, 0, &fd), __WASI_ERRNO_NOTDIR);
    CHECK_ERR(__wasi_path_open(77, 0, "x", 0, 0, 0, 0, &fd), __WASI_ERRNO_BADF);
    return check_done();
}
