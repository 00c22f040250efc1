/* SPDX-License-Identifier: Apache-2.0 */
/* net.c - socket helpers shared by the WASI sockets, Keep TLS, the host side of a Keep (which
 * binds and connects a Keep's sockets for it) and the Steward. */
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int util_sockaddr_parse(const char *addr, uint16_t port, struct sockaddr_storage *ss,
                        socklen_t *len)
{
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    memset(ss, 0, sizeof(*ss));
    if (addr && inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        *len = sizeof(*s6);
        return 0;
    }
    if (addr && inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        *len = sizeof(*s4);
        return 0;
    }
    return -EINVAL;
}

int util_fd_set_nonblock(int fd, bool on)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK) < 0) return -errno;
    return 0;
}

int64_t util_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int util_tcp_listen(const char *addr, uint16_t port, int *fd_out)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int ret = util_sockaddr_parse(addr, port, &ss, &len);
    if (ret < 0) return ret;
    int s = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s < 0) return -errno;
    int one = 1, zero = 0;
    bool any6 = ss.ss_family == AF_INET6 &&
                IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr);
    if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        (any6 && setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) < 0) ||
        bind(s, (struct sockaddr *)&ss, len) < 0 || listen(s, SOMAXCONN) < 0) {
        ret = -errno;
        close(s);
        return ret;
    }
    *fd_out = s;
    return 0;
}

/* Connects a non-blocking socket to one address before deadline. */
static int try_connect(const struct addrinfo *ai, int64_t deadline, int *fd_out)
{
    int s = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (s < 0) return -errno;
    int ret = 0;
    if (connect(s, ai->ai_addr, ai->ai_addrlen) < 0) {
        ret = errno == EINPROGRESS ? 0 : -errno;
        while (ret == 0) {
            int64_t left = deadline - util_now_ms();
            struct pollfd p = {.fd = s, .events = POLLOUT};
            int w = left <= 0 ? 0 : poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
            if (w < 0 && errno == EINTR) continue;
            int err = 0;
            socklen_t elen = sizeof err;
            if (w == 0)
                ret = -ETIMEDOUT;
            else if (w < 0)
                ret = -errno;
            else if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &elen) < 0 || err != 0)
                ret = err ? -err : -errno;
            break;
        }
    }
    if (ret < 0) {
        close(s);
        return ret;
    }
    *fd_out = s;
    return 0;
}

static int gai_errno(int g)
{
    switch (g) {
    case EAI_NONAME:
#ifdef EAI_NODATA
    case EAI_NODATA:
#endif
    case EAI_FAMILY: return -ENOENT;
    case EAI_AGAIN: return -EAGAIN;
    case EAI_MEMORY: return -ENOMEM;
    case EAI_SYSTEM: return errno ? -errno : -EIO;
    default: return -EIO;
    }
}

int util_tcp_connect(const char *host, uint16_t port, int timeout_ms, int *fd_out)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    char service[8];
    snprintf(service, sizeof service, "%u", port);
    int g = getaddrinfo(host, service, &hints, &res);
    if (g != 0) {
        log_warn("cannot resolve %s: %s", host, gai_strerror(g));
        return gai_errno(g);
    }
    int64_t deadline = util_now_ms() + timeout_ms;
    int ret = -EHOSTUNREACH;
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        ret = try_connect(ai, deadline, fd_out);
        if (ret == 0 || ret == -ETIMEDOUT) break;
    }
    freeaddrinfo(res);
    if (ret < 0) log_warn("cannot connect to %s port %u: %s", host, port, strerror(-ret));
    return ret;
}
