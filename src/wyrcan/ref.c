/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ref.c - image references, parsed by the distribution spec's grammar:
 *
 *   [HOST[:PORT]/]COMPONENT(/COMPONENT)*[:TAG][@ALGO:HEX]
 *
 * The first component is a host when it contains '.' or ':' or is "localhost" (Docker's rule);
 * otherwise the registry is Docker Hub and a single-component name gets "library/". Components
 * are lower-case alphanumerics joined by '.', '_', "__" or runs of '-'; tags are [A-Za-z0-9_]
 * then up to 127 of [A-Za-z0-9_.-]. Anything else is refused with a reason, because a reference
 * ends up in URLs and a lax parser would let a hostile one smuggle path or query characters.
 */
#include "wyrcan.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component of the repository name: alnum+ (sep alnum+)*, sep = . _ __ -+ */
static bool component_ok(const char *s, size_t len)
{
    size_t i = 0;
    for (;;) {
        size_t run = 0;
        while (i < len && is_lower_alnum(s[i])) {
            i++;
            run++;
        }
        if (run == 0) return false;
        if (i == len) return true;
        if (s[i] == '.') {
            i++;
        } else if (s[i] == '_') {
            i++;
            if (i < len && s[i] == '_') i++;
        } else if (s[i] == '-') {
            while (i < len && s[i] == '-')
                i++;
        } else {
            return false;
        }
    }
}

static bool host_ok(const char *s, size_t len)
{
    if (len == 0 || len > WYRCAN_HOST_MAX) return false;
    size_t colon = len;
    for (size_t i = 0; i < len; i++)
        if (s[i] == ':') {
            if (colon != len) return false;
            colon = i;
        }
    if (colon == 0) return false;
    for (size_t i = 0; i < colon; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && c != '.' && c != '-') return false;
    }
    if (colon != len) {
        size_t plen = len - colon - 1;
        if (plen == 0 || plen > 5) return false;
        unsigned port = 0;
        for (size_t i = colon + 1; i < len; i++) {
            if (s[i] < '0' || s[i] > '9') return false;
            port = port * 10 + (unsigned)(s[i] - '0');
        }
        if (port == 0 || port > 65535) return false;
    }
    return true;
}

static bool tag_ok(const char *s, size_t len)
{
    if (len == 0 || len > WYRCAN_TAG_MAX) return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c == '_') continue;
        if (i > 0 && (c == '.' || c == '-')) continue;
        return false;
    }
    return true;
}

static int fail(const char *s, const char *why)
{
    log_error("bad image reference \"%.300s\": %s", s, why);
    return -EINVAL;
}

int wyrcan_ref_parse(const char *s, struct wyrcan_ref *out)
{
    memset(out, 0, sizeof(*out));
    size_t n = strlen(s);
    if (n == 0 || n > 1024) return fail(s, "empty or longer than 1024 bytes");

    const char *at = strchr(s, '@');
    size_t body = at ? (size_t)(at - s) : n;
    if (at) {
        if (wyrcan_digest_check(at + 1, NULL))
            return fail(s, "digest is not sha256:<64 hex> or sha512:<128 hex>");
        memcpy(out->digest, at + 1, strlen(at + 1) + 1);
    }

    /* host: the first component, if it looks like one */
    const char *name = s;
    const char *slash = memchr(s, '/', body);
    if (slash) {
        size_t hl = (size_t)(slash - s);
        bool is_host =
            memchr(s, '.', hl) || memchr(s, ':', hl) || (hl == 9 && !memcmp(s, "localhost", 9));
        if (is_host) {
            if (!host_ok(s, hl)) return fail(s, "registry host[:port] is malformed");
            memcpy(out->registry, s, hl);
            name = slash + 1;
        }
    }
    if (!out->registry[0]) strcpy(out->registry, WYRCAN_DOCKER_HUB);

    /* tag: after the last ':' that follows the last '/' */
    size_t nl = body - (size_t)(name - s);
    const char *last_slash = NULL;
    for (size_t i = 0; i < nl; i++)
        if (name[i] == '/') last_slash = name + i;
    const char *from = last_slash ? last_slash : name;
    const char *colon = memchr(from, ':', nl - (size_t)(from - name));
    if (colon) {
        size_t tl = nl - (size_t)(colon + 1 - name);
        if (!tag_ok(colon + 1, tl)) return fail(s, "tag must be [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
        memcpy(out->tag, colon + 1, tl);
        out->tag[tl] = '\0';
        nl = (size_t)(colon - name);
    } else if (!out->digest[0]) {
        strcpy(out->tag, "latest");
    }

    /* name components */
    if (nl == 0) return fail(s, "no repository name");
    size_t start = 0, comps = 0;
    for (size_t i = 0; i <= nl; i++) {
        if (i == nl || name[i] == '/') {
            if (!component_ok(name + start, i - start))
                return fail(
                    s,
                    "repository path components must be lower-case [a-z0-9] joined by . _ __ or -");
            comps++;
            start = i + 1;
        }
    }
    bool hub = strcmp(out->registry, WYRCAN_DOCKER_HUB) == 0;
    int w = snprintf(out->name, sizeof(out->name), "%s%.*s", hub && comps == 1 ? "library/" : "",
                     (int)nl, name);
    if (w < 0 || (size_t)w >= sizeof(out->name)) return fail(s, "repository name too long");
    return 0;
}

const char *wyrcan_ref_target(const struct wyrcan_ref *ref)
{
    return ref->digest[0] ? ref->digest : ref->tag;
}
