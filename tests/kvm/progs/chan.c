/* SPDX-License-Identifier: Apache-2.0 */
/* The channel end to end: the job on fd 3 (recvmsg, SCM_RIGHTS), a write to a received fd,
 * clock_gettime twice, getrandom, W+X refused. Prints what it saw; exit 0 when all is well. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
    char job[256], ctl[CMSG_SPACE(4 * 8)];
    struct iovec iov = {job, sizeof(job) - 1};
    struct msghdr m = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
    ssize_t n = recvmsg(3, &m, 0);
    if (n < 0) return 10;
    job[n] = 0;
    int nfds = 0, fd = -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        nfds = (int)((c->cmsg_len - CMSG_LEN(0)) / 4);
        memcpy(&fd, CMSG_DATA(c), 4);
    }
    printf("job: %s fds: %d first: %d\n", job, nfds, fd);
    if (fd >= 0 && write(fd, "via fd\n", 7) != 7) return 11;
    struct timespec a, b;
    if (clock_gettime(CLOCK_MONOTONIC, &a) || clock_gettime(CLOCK_MONOTONIC, &b)) return 12;
    unsigned char r[32];
    if (getrandom(r, sizeof(r), 0) != sizeof(r)) return 13;
    void *p =
        mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) return 14;
    printf("ok\n");
    return 0;
}
