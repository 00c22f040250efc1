/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bootargs.c - what `wyrcan boot` reads from the kernel command line: wyrcan.img=REF,
 * wyrcan.arg=ARG (repeatable; joined with spaces they are the next kernel's command line,
 * after the image's own /boot/wyrcan.cmdline), wyrcan.platform=P, wyrcan.insecure-http, and
 * dracut's ip= (default: DHCP on the first interface). Words are split on spaces; double
 * quotes group, as the kernel itself does. Values are bounded and checked here so the boot
 * path never sees an unchecked string.
 */
#include "wyrcan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int copy(char *dst, size_t cap, const char *s, size_t len)
{
    if (len >= cap) return -EINVAL;
    memcpy(dst, s, len);
    dst[len] = '\0';
    return 0;
}

static bool addr_ok(const char *s)
{
    struct in_addr a;
    return inet_pton(AF_INET, s, &a) == 1;
}

int wyrcan_ipconf_parse(const char *v, struct wyrcan_ipconf *out)
{
    memset(out, 0, sizeof(*out));
    if (!strcmp(v, "dhcp") || !strcmp(v, "on") || !strcmp(v, "any") || !strcmp(v, "auto")) {
        out->dhcp = true;
        return 0;
    }
    /* fields: client:peer:gateway:netmask:hostname:iface:autoconf[:dns1[:dns2]], or
     * iface:autoconf */
    char f[9][64];
    size_t n = 0;
    const char *p = v;
    for (;;) {
        const char *c = strchr(p, ':');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (n == 9 || copy(f[n], sizeof(f[n]), p, len)) return -EINVAL;
        n++;
        if (!c) break;
        p = c + 1;
    }
    if (n == 2) {
        if (strcmp(f[1], "dhcp") && strcmp(f[1], "on") && strcmp(f[1], "any")) return -EINVAL;
        out->dhcp = true;
        return copy(out->iface, sizeof(out->iface), f[0], strlen(f[0]));
    }
    if (n < 7) return -EINVAL;
    if (copy(out->iface, sizeof(out->iface), f[5], strlen(f[5]))) return -EINVAL;
    if (!strcmp(f[6], "dhcp") || !strcmp(f[6], "on") || !strcmp(f[6], "any")) {
        out->dhcp = true;
        return 0;
    }
    if (strcmp(f[6], "none") && strcmp(f[6], "off")) return -EINVAL;
    if (!addr_ok(f[0]) || (f[2][0] && !addr_ok(f[2])) || !addr_ok(f[3])) return -EINVAL;
    if (n >= 8 && f[7][0] && !addr_ok(f[7])) return -EINVAL;
    strcpy(out->addr, f[0]);
    strcpy(out->gateway, f[2]);
    strcpy(out->netmask, f[3]);
    if (n >= 8) strcpy(out->dns, f[7]);
    return 0;
}

static int word(struct wyrcan_bootargs *o, const char *w, size_t len)
{
    char buf[4096];
    if (copy(buf, sizeof(buf), w, len)) return -EINVAL;
    if (!strncmp(buf, "wyrcan.img=", 11)) return copy(o->img, sizeof(o->img), buf + 11, len - 11);
    if (!strncmp(buf, "wyrcan.platform=", 16))
        return copy(o->platform, sizeof(o->platform), buf + 16, len - 16);
    if (!strcmp(buf, "wyrcan.insecure-http")) {
        o->insecure_http = true;
        return 0;
    }
    if (!strncmp(buf, "wyrcan.arg=", 11)) {
        size_t have = strlen(o->args), add = len - 11;
        if (have + 1 + add >= sizeof(o->args)) return -EINVAL;
        if (have) o->args[have++] = ' ';
        memcpy(o->args + have, buf + 11, add + 1);
        return 0;
    }
    if (!strncmp(buf, "ip=", 3)) return wyrcan_ipconf_parse(buf + 3, &o->ip);
    return 0; /* someone else's */
}

int wyrcan_bootargs_parse(const char *cmdline, struct wyrcan_bootargs *out)
{
    memset(out, 0, sizeof(*out));
    out->ip.dhcp = true;
    char w[4096];
    const char *p = cmdline;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p) break;
        size_t n = 0;
        bool quoted = false;
        for (; *p && (quoted || (*p != ' ' && *p != '\t' && *p != '\n')); p++) {
            if (*p == '"') {
                quoted = !quoted;
                continue;
            }
            if (n + 1 >= sizeof(w)) return -EINVAL;
            w[n++] = *p;
        }
        if (quoted) return -EINVAL;
        w[n] = '\0';
        int r = word(out, w, n);
        if (r) {
            log_error("kernel command line: \"%.200s\" is malformed", w);
            return r;
        }
    }
    return 0;
}
