/* SPDX-License-Identifier: Apache-2.0 */
/*
 * boot.c - `wyrcan boot`, PID 1 of the Wyrcan initramfs: mount /proc, /sys and /dev; load the
 * kernel modules the initramfs lists in /etc/wyrcan/modules (in dependency order, resolved
 * when the initramfs was built); bring the network up (dracut's ip= with a static address, or
 * DHCP through busybox udhcpc, whose event script is this binary as wyrcan-dhcp); pull the
 * image named by wyrcan.img= into memory; write the kernel and the cpio into memfds; and
 * kexec_file_load them with the image's command line plus the wyrcan.arg= words, then reboot
 * into it. Every failure is said on the console, followed by a retry with backoff (Enter
 * retries at once): PID 1 may never exit, and a silent hang helps nobody.
 */
#include "wyrcan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#define MODULES_LIST "/etc/wyrcan/modules"
#define UDHCPC "/bin/udhcpc"
#define DHCP_HOOK "/bin/wyrcan-dhcp"

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("wyrcan: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void setup_console(void)
{
    mkdir("/proc", 0555);
    mkdir("/sys", 0555);
    mkdir("/dev", 0755);
    mkdir("/etc", 0755);
    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    int fd = open("/dev/console", O_RDWR | O_NOCTTY);
    if (fd >= 0) {
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2) close(fd);
    }
    setvbuf(stderr, NULL, _IONBF, 0);
}

static void load_modules(void)
{
    FILE *f = fopen(MODULES_LIST, "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#') continue;
        int fd = open(line, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            say("module %s: %s", line, strerror(errno));
            continue;
        }
        if (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST)
            say("module %s: %s", line, strerror(errno));
        close(fd);
    }
    fclose(f);
}

static int ifreq_ioctl(unsigned long req, struct ifreq *ifr)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -errno;
    int r = ioctl(s, req, ifr) ? -errno : 0;
    close(s);
    return r;
}

static int if_up(const char *name)
{
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    int r = ifreq_ioctl(SIOCGIFFLAGS, &ifr);
    if (r) return r;
    ifr.ifr_flags |= IFF_UP;
    return ifreq_ioctl(SIOCSIFFLAGS, &ifr);
}

static int set_in_addr(const char *name, unsigned long req, const char *addr)
{
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
    sin->sin_family = AF_INET;
    if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1) return -EINVAL;
    return ifreq_ioctl(req, &ifr);
}

static int add_default_route(const char *name, const char *gw)
{
    struct rtentry rt = {0};
    struct sockaddr_in *g = (struct sockaddr_in *)&rt.rt_gateway;
    ((struct sockaddr_in *)&rt.rt_dst)->sin_family = AF_INET;
    ((struct sockaddr_in *)&rt.rt_genmask)->sin_family = AF_INET;
    g->sin_family = AF_INET;
    if (inet_pton(AF_INET, gw, &g->sin_addr) != 1) return -EINVAL;
    rt.rt_flags = RTF_UP | RTF_GATEWAY;
    char dev[IFNAMSIZ];
    snprintf(dev, sizeof(dev), "%s", name);
    rt.rt_dev = dev;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return -errno;
    int r = ioctl(s, SIOCADDRT, &rt) && errno != EEXIST ? -errno : 0;
    close(s);
    return r;
}

static void write_resolv(const char *dns)
{
    if (!dns || !dns[0]) return;
    FILE *f = fopen("/etc/resolv.conf", "w");
    if (!f) return;
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", dns);
    for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
        if (strlen(t) < 64) fprintf(f, "nameserver %s\n", t);
    fclose(f);
}

/* Static configuration: address, netmask, default route, name server. */
static int net_static(const char *iface, const struct wyrcan_ipconf *ip)
{
    int r = set_in_addr(iface, SIOCSIFADDR, ip->addr);
    if (!r) r = set_in_addr(iface, SIOCSIFNETMASK, ip->netmask);
    if (!r) r = if_up(iface);
    if (!r && ip->gateway[0]) r = add_default_route(iface, ip->gateway);
    if (r) return r;
    write_resolv(ip->dns);
    say("network: %s is %s/%s via %s", iface, ip->addr, ip->netmask,
        ip->gateway[0] ? ip->gateway : "(no gateway)");
    return 0;
}

/* The first interface other than lo, waiting up to 15 s for a driver to bring one. */
static int find_iface(char *out, size_t size)
{
    for (int i = 0; i < 150; i++) {
        DIR *d = opendir("/sys/class/net");
        struct dirent *e;
        while (d && (e = readdir(d))) {
            size_t len = strlen(e->d_name);
            if (e->d_name[0] == '.' || !strcmp(e->d_name, "lo") || len >= size) continue;
            memcpy(out, e->d_name, len + 1);
            closedir(d);
            return 0;
        }
        if (d) closedir(d);
        struct timespec ts = {0, 100000000L};
        nanosleep(&ts, NULL);
    }
    return -ENODEV;
}

static int run_udhcpc(const char *iface)
{
    pid_t pid = fork();
    if (pid < 0) return -errno;
    if (pid == 0) {
        execl(UDHCPC, "udhcpc", "-i", iface, "-q", "-n", "-f", "-t", "10", "-T", "2", "-s",
              DHCP_HOOK, (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -errno;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -ENETUNREACH;
}

static int net_up(const struct wyrcan_ipconf *ip)
{
    if_up("lo");
    char iface[IFNAMSIZ];
    if (ip->iface[0]) {
        if (strlen(ip->iface) >= sizeof(iface)) return -EINVAL;
        memcpy(iface, ip->iface, strlen(ip->iface) + 1);
    } else if (find_iface(iface, sizeof(iface))) {
        say("network: no interface appeared (is its driver in the initramfs?)");
        return -ENODEV;
    }
    if (!ip->dhcp) return net_static(iface, ip);
    say("network: DHCP on %s", iface);
    int r = if_up(iface);
    if (!r) r = run_udhcpc(iface);
    if (r) say("network: DHCP on %s failed", iface);
    return r;
}

static int memfd_of(const char *name, int *out)
{
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0) return -errno;
    *out = fd;
    return 0;
}

static uint64_t mem_budget(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    unsigned long long kb = 0;
    char line[128];
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) break;
    if (f) fclose(f);
    /* the tree plus one compressed layer must fit; leave the rest to the kernel and libc */
    return kb ? kb * 1024ull * 3 / 4 : (1ull << 30);
}

static int boot_once(const struct wyrcan_bootargs *a)
{
    struct wyrcan_pull_opts o = {
        .insecure_http = a->insecure_http,
        .platform = a->platform[0] ? a->platform : NULL,
        .max_bytes = mem_budget(),
        .progress = true,
    };
    if (a->insecure_http) say("WARNING: wyrcan.insecure-http: fetching %s over plain HTTP", a->img);
    say("pulling %s", a->img);
    struct wyrcan_image img;
    int r = wyrcan_pull(a->img, &o, &img);
    if (r) {
        say("pulling %s failed: %s", a->img, strerror(-r));
        return r;
    }
    int kfd = -1, ifd = -1;
    r = memfd_of("wyrcan-kernel", &kfd);
    if (!r) r = wyrcan_write_fd(&kfd, img.kernel, img.kernel_size);
    if (!r) r = memfd_of("wyrcan-initrd", &ifd);
    free(img.kernel);
    img.kernel = NULL;
    if (!r) r = wyrcan_cpio_write(img.tree, true, wyrcan_write_fd, &ifd);
    char *cmdline = NULL;
    if (!r) {
        size_t n = strlen(img.cmdline) + strlen(a->args) + 2;
        cmdline = malloc(n);
        if (!cmdline)
            r = -ENOMEM;
        else
            snprintf(cmdline, n, "%s%s%s", img.cmdline, img.cmdline[0] && a->args[0] ? " " : "",
                     a->args);
    }
    wyrcan_image_free(&img);
    if (r) say("preparing the kernel and initrd failed: %s", strerror(-r));
    if (!r) {
        say("kexec with command line \"%s\"", cmdline);
        r = wyrcan_kexec_load(kfd, ifd, cmdline);
        if (r) say("kexec_file_load failed: %s", strerror(-r));
    }
    free(cmdline);
    if (kfd >= 0) close(kfd);
    if (ifd >= 0) close(ifd);
    if (!r) {
        r = wyrcan_kexec_exec();
        say("reboot into the new kernel failed: %s", strerror(-r));
    }
    return r;
}

/* Waits delay seconds or until Enter on the console. */
static void wait_retry(unsigned delay)
{
    say("retrying in %u s (press Enter to retry now)", delay);
    struct pollfd p = {.fd = 0, .events = POLLIN};
    if (poll(&p, 1, (int)delay * 1000) > 0) {
        char buf[64];
        if (read(0, buf, sizeof(buf)) < 0) {
            struct timespec ts = {(time_t)delay, 0};
            nanosleep(&ts, NULL);
        }
    }
}

int wyrcan_cmd_boot(int argc, char **argv)
{
    (void)argc, (void)argv;
    if (getpid() != 1) {
        fprintf(stderr, "wyrcan boot: runs only as PID 1 of the Wyrcan initramfs; from a "
                        "running system use wyrcan pull and wyrcan kexec\n");
        return 2;
    }
    setup_console();
    say("Wyrcan: booting a container image");
    unsigned delay = 2;
    bool modules_loaded = false, net = false;
    for (;;) {
        uint8_t *buf = NULL;
        size_t size = 0;
        struct wyrcan_bootargs a;
        int r = util_file_read("/proc/cmdline", 65536, &buf, &size);
        if (r) {
            say("cannot read /proc/cmdline: %s", strerror(-r));
        } else {
            char *s = malloc(size + 1);
            if (s) {
                memcpy(s, buf, size);
                s[size] = '\0';
                r = wyrcan_bootargs_parse(s, &a);
                free(s);
            } else {
                r = -ENOMEM;
            }
            free(buf);
        }
        if (!r && !a.img[0]) {
            say("no wyrcan.img=REF on the kernel command line: nothing to boot");
            r = -EINVAL;
        }
        if (!r && !modules_loaded) {
            load_modules();
            modules_loaded = true;
        }
        if (!r && !net) net = (r = net_up(&a.ip)) == 0;
        if (!r) r = boot_once(&a);
        wait_retry(delay);
        if (delay < 60) delay *= 2;
    }
}

int wyrcan_cmd_dhcp_hook(int argc, char **argv)
{
    const char *ev = argc > 1 ? argv[1] : "";
    const char *iface = getenv("interface"), *ip = getenv("ip");
    const char *mask = getenv("subnet"), *router = getenv("router"), *dns = getenv("dns");
    if (!iface) return 1;
    if (!strcmp(ev, "deconfig")) {
        set_in_addr(iface, SIOCSIFADDR, "0.0.0.0");
        return if_up(iface) ? 1 : 0;
    }
    if (strcmp(ev, "bound") && strcmp(ev, "renew")) return 0;
    if (!ip || !mask) return 1;
    struct wyrcan_ipconf c = {0};
    snprintf(c.addr, sizeof(c.addr), "%s", ip);
    snprintf(c.netmask, sizeof(c.netmask), "%s", mask);
    if (router) {
        snprintf(c.gateway, sizeof(c.gateway), "%s", router);
        c.gateway[strcspn(c.gateway, " ")] = '\0';
    }
    if (dns) snprintf(c.dns, sizeof(c.dns), "%s", dns);
    return net_static(iface, &c) ? 1 : 0;
}
