/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wasi_fs.c - every fd_* and path_* function of WASI preview 1 on a pre-opened scratch
 * directory (the first pre-open; the driver gives it an empty temporary directory), called
 * through wasi-libc's raw __wasi_* bindings so that each result is checked exactly.
 */
#include <string.h>

#include "check.h"

#define RIGHTS_RW                                                                                  \
    (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK |                      \
     __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_DATASYNC |                   \
     __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_FILESTAT_GET |         \
     __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES |                    \
     __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS | __WASI_RIGHTS_POLL_FD_READWRITE)

static __wasi_fd_t open_file(__wasi_fd_t dir, const char *path, __wasi_oflags_t of,
                             __wasi_rights_t rights, __wasi_fdflags_t fl, __wasi_errno_t *err)
{
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    *err = __wasi_path_open(dir, 0, path, of, rights, 0, fl, &fd);
    return fd;
}

static void test_prestat(__wasi_fd_t dir)
{
    __wasi_prestat_t ps;
    char name[16];
    CHECK_OK(__wasi_fd_prestat_get(dir, &ps));
    CHECK(ps.u.dir.pr_name_len == 7);
    CHECK_ERR(__wasi_fd_prestat_dir_name(dir, (uint8_t *)name, 3), __WASI_ERRNO_NAMETOOLONG);
    CHECK_OK(__wasi_fd_prestat_dir_name(dir, (uint8_t *)name, 7));
    CHECK(memcmp(name, "scratch", 7) == 0);
    CHECK_ERR(__wasi_fd_prestat_get(1, &ps), __WASI_ERRNO_BADF);
    __wasi_fdstat_t st;
    CHECK_OK(__wasi_fd_fdstat_get(dir, &st));
    CHECK(st.fs_filetype == __WASI_FILETYPE_DIRECTORY);
    CHECK(st.fs_rights_base & __WASI_RIGHTS_PATH_OPEN);
}

static void test_rw(__wasi_fd_t dir)
{
    __wasi_errno_t err;
    __wasi_fd_t fd =
        open_file(dir, "f.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RIGHTS_RW, 0, &err);
    CHECK_OK(err);
    open_file(dir, "f.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RIGHTS_RW, 0, &err);
    CHECK_ERR(err, __WASI_ERRNO_EXIST);
    __wasi_ciovec_t out[2] = {{(const uint8_t *)"hello ", 6}, {(const uint8_t *)"world", 5}};
    __wasi_size_t n;
    CHECK_OK(__wasi_fd_write(fd, out, 2, &n));
    CHECK(n == 11);
    __wasi_filesize_t pos;
    CHECK_OK(__wasi_fd_tell(fd, &pos));
    CHECK(pos == 11);
    CHECK_OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    char buf[32] = {0};
    __wasi_iovec_t in = {(uint8_t *)buf, sizeof(buf)};
    CHECK_OK(__wasi_fd_read(fd, &in, 1, &n));
    CHECK(n == 11 && memcmp(buf, "hello world", 11) == 0);
    CHECK_OK(__wasi_fd_read(fd, &in, 1, &n));
    CHECK(n == 0); /* end of file */
    __wasi_ciovec_t p = {(const uint8_t *)"W", 1};
    CHECK_OK(__wasi_fd_pwrite(fd, &p, 1, 6, &n));
    in.buf_len = 5;
    CHECK_OK(__wasi_fd_pread(fd, &in, 1, 6, &n));
    CHECK(n == 5 && memcmp(buf, "World", 5) == 0);
    CHECK_OK(__wasi_fd_seek(fd, -5, __WASI_WHENCE_END, &pos));
    CHECK(pos == 6);
    CHECK_ERR(__wasi_fd_seek(fd, 0, 7, &pos), __WASI_ERRNO_INVAL);
    CHECK_OK(__wasi_fd_sync(fd));
    CHECK_OK(__wasi_fd_datasync(fd));
    CHECK_OK(__wasi_fd_advise(fd, 0, 11, __WASI_ADVICE_SEQUENTIAL));
    CHECK_ERR(__wasi_fd_advise(fd, 0, 11, 9), __WASI_ERRNO_INVAL);
    CHECK_OK(__wasi_fd_allocate(fd, 0, 4096));
    __wasi_filestat_t fs;
    CHECK_OK(__wasi_fd_filestat_get(fd, &fs));
    CHECK(fs.size == 4096 && fs.filetype == __WASI_FILETYPE_REGULAR_FILE && fs.nlink == 1);
    CHECK_OK(__wasi_fd_filestat_set_size(fd, 3));
    CHECK_OK(__wasi_fd_filestat_set_times(fd, 1000000000ull, 2000000000ull,
                                          __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    CHECK_OK(__wasi_fd_filestat_get(fd, &fs));
    CHECK(fs.size == 3 && fs.atim == 1000000000ull && fs.mtim == 2000000000ull);
    CHECK_ERR(
        __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
        __WASI_ERRNO_INVAL);
    CHECK_OK(__wasi_fd_close(fd));
    CHECK_ERR(__wasi_fd_close(fd), __WASI_ERRNO_BADF);
}

static void test_flags_rights(__wasi_fd_t dir)
{
    __wasi_errno_t err;
    __wasi_fd_t fd = open_file(dir, "f.txt", 0, RIGHTS_RW, __WASI_FDFLAGS_APPEND, &err);
    CHECK_OK(err);
    __wasi_fdstat_t st;
    CHECK_OK(__wasi_fd_fdstat_get(fd, &st));
    CHECK(st.fs_flags == __WASI_FDFLAGS_APPEND);
    CHECK_OK(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK));
    CHECK_OK(__wasi_fd_fdstat_get(fd, &st));
    CHECK(st.fs_flags == __WASI_FDFLAGS_NONBLOCK);
    CHECK_ERR(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_SYNC), __WASI_ERRNO_NOTSUP);
    /* rights only shrink; a dropped right is refused */
    CHECK_OK(__wasi_fd_fdstat_set_rights(fd, st.fs_rights_base & ~__WASI_RIGHTS_FD_WRITE, 0));
    __wasi_ciovec_t c = {(const uint8_t *)"x", 1};
    __wasi_size_t n;
    CHECK_ERR(__wasi_fd_write(fd, &c, 1, &n), __WASI_ERRNO_NOTCAPABLE);
    CHECK_ERR(__wasi_fd_fdstat_set_rights(fd, st.fs_rights_base, 0), __WASI_ERRNO_NOTCAPABLE);
    /* fd_renumber: fd takes the number of a second fd, which closes */
    __wasi_fd_t fd2 = open_file(dir, "f.txt", 0, __WASI_RIGHTS_FD_READ, 0, &err);
    CHECK_OK(err);
    CHECK_OK(__wasi_fd_renumber(fd, fd2));
    CHECK_ERR(__wasi_fd_fdstat_get(fd, &st), __WASI_ERRNO_BADF);
    CHECK_OK(__wasi_fd_fdstat_get(fd2, &st));
    CHECK((st.fs_rights_base & __WASI_RIGHTS_FD_WRITE) == 0);
    CHECK_ERR(__wasi_fd_renumber(fd2, 1000), __WASI_ERRNO_BADF);
    CHECK_OK(__wasi_fd_close(fd2));
}

static void test_dirs(__wasi_fd_t dir)
{
    __wasi_errno_t err;
    CHECK_OK(__wasi_path_create_directory(dir, "sub"));
    CHECK_ERR(__wasi_path_create_directory(dir, "sub"), __WASI_ERRNO_EXIST);
    __wasi_fd_t sub = open_file(dir, "sub", __WASI_OFLAGS_DIRECTORY,
                                __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_OPEN, 0, &err);
    CHECK_OK(err);
    __wasi_fd_t f = open_file(dir, "sub/a", __WASI_OFLAGS_CREAT, RIGHTS_RW, 0, &err);
    CHECK_OK(err);
    CHECK_OK(__wasi_fd_close(f));
    uint8_t buf[256];
    __wasi_size_t used;
    CHECK_OK(__wasi_fd_readdir(sub, buf, sizeof(buf), 0, &used));
    int seen = 0;
    for (__wasi_size_t off = 0; off + sizeof(__wasi_dirent_t) <= used;) {
        __wasi_dirent_t d;
        memcpy(&d, buf + off, sizeof(d));
        off += sizeof(d);
        if (d.d_namlen == 1 && buf[off] == 'a' && d.d_type == __WASI_FILETYPE_REGULAR_FILE)
            seen |= 1;
        if (d.d_namlen == 2 && memcmp(buf + off, "..", 2) == 0) seen |= 2;
        off += d.d_namlen;
    }
    CHECK(seen == 3);
    CHECK_ERR(__wasi_fd_readdir(sub, buf, sizeof(buf), 1000, &used), 0);
    CHECK(used == 0);
    CHECK_ERR(__wasi_path_remove_directory(dir, "sub"), __WASI_ERRNO_NOTEMPTY);
    CHECK_ERR(__wasi_path_unlink_file(dir, "sub"), __WASI_ERRNO_ISDIR);
    CHECK_OK(__wasi_path_unlink_file(dir, "sub/a"));
    CHECK_OK(__wasi_fd_close(sub));
    CHECK_OK(__wasi_path_remove_directory(dir, "sub"));
    open_file(dir, "sub", 0, 0, 0, &err);
    CHECK_ERR(err, __WASI_ERRNO_NOENT);
}

static void test_links(__wasi_fd_t dir)
{
    __wasi_filestat_t a, b;
    char buf[64];
    __wasi_size_t n;
    CHECK_OK(__wasi_path_link(dir, 0, "f.txt", dir, "hard"));
    CHECK_OK(__wasi_path_filestat_get(dir, 0, "hard", &a));
    CHECK(a.nlink == 2);
    CHECK_OK(__wasi_path_symlink("f.txt", dir, "soft"));
    CHECK_OK(__wasi_path_readlink(dir, "soft", (uint8_t *)buf, sizeof(buf), &n));
    CHECK(n == 5 && memcmp(buf, "f.txt", 5) == 0);
    CHECK_OK(__wasi_path_filestat_get(dir, 0, "soft", &b));
    CHECK(b.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
    CHECK_OK(__wasi_path_filestat_get(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "soft", &b));
    CHECK(b.filetype == __WASI_FILETYPE_REGULAR_FILE && b.ino == a.ino);
    CHECK_OK(__wasi_path_filestat_set_times(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "soft",
                                            5000000000ull, 0, __WASI_FSTFLAGS_ATIM));
    CHECK_OK(__wasi_path_filestat_get(dir, 0, "f.txt", &a));
    CHECK(a.atim == 5000000000ull);
    CHECK_OK(__wasi_path_rename(dir, "hard", dir, "moved"));
    CHECK_ERR(__wasi_path_filestat_get(dir, 0, "hard", &a), __WASI_ERRNO_NOENT);
    CHECK_OK(__wasi_path_unlink_file(dir, "moved"));
    CHECK_OK(__wasi_path_unlink_file(dir, "soft"));
    CHECK_ERR(__wasi_path_readlink(dir, "f.txt", (uint8_t *)buf, sizeof(buf), &n),
              __WASI_ERRNO_INVAL);
}

static void test_poll_file(__wasi_fd_t dir)
{
    __wasi_errno_t err;
    __wasi_fd_t fd = open_file(dir, "f.txt", 0, RIGHTS_RW, 0, &err);
    __wasi_subscription_t sub[2] = {{.userdata = 1, .u.tag = __WASI_EVENTTYPE_FD_READ},
                                    {.userdata = 2, .u.tag = __WASI_EVENTTYPE_FD_WRITE}};
    sub[0].u.u.fd_read.file_descriptor = fd;
    sub[1].u.u.fd_write.file_descriptor = 999;
    __wasi_event_t ev[2];
    __wasi_size_t n;
    CHECK_OK(__wasi_poll_oneoff(sub, ev, 2, &n));
    CHECK(n == 2 && ev[0].userdata == 1 && ev[0].error == 0 && ev[0].fd_readwrite.nbytes == 3);
    CHECK(ev[1].userdata == 2 && ev[1].error == __WASI_ERRNO_BADF);
    CHECK_OK(__wasi_fd_close(fd));
    CHECK_OK(__wasi_path_unlink_file(dir, "f.txt"));
}

int main(void)
{
    int dir = first_preopen();
    CHECK(dir >= 3);
    if (dir < 0) return check_done();
    test_prestat((__wasi_fd_t)dir);
    test_rw((__wasi_fd_t)dir);
    test_flags_rights((__wasi_fd_t)dir);
    test_dirs((__wasi_fd_t)dir);
    test_links((__wasi_fd_t)dir);
    test_poll_file((__wasi_fd_t)dir);
    return check_done();
}
