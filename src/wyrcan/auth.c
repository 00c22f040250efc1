/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auth.c - the pieces of registry authentication that parse outside input: the
 * WWW-Authenticate challenge (RFC 7235 syntax: a scheme, then comma-separated name=value
 * pairs with token or quoted-string values), a docker-style credentials file, and the token
 * endpoint's JSON reply. All three come from places we do not control (the registry, the
 * token server, a file a tool wrote), so each is parsed strictly and bounded: unknown
 * parameters are skipped, but a malformed one refuses the whole header.
 */
#include "wyrcan.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#define AUTH_JSON_MAX (1u << 20)

static bool is_tchar(char c)
{
    return isalnum((unsigned char)c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Parses one value (token or quoted string) at *pp into out; advances *pp. */
static int parse_value(const char **pp, char *out, size_t out_size)
{
    const char *p = *pp;
    size_t n = 0;
    if (*p == '"') {
        p++;
        for (;;) {
            char c = *p++;
            if (c == '\0') return -EINVAL;
            if (c == '"') break;
            if (c == '\\') {
                c = *p++;
                if (c == '\0') return -EINVAL;
            }
            if ((unsigned char)c < 0x20 || c == 0x7f) return -EINVAL;
            if (n + 1 >= out_size) return -EINVAL;
            out[n++] = c;
        }
    } else {
        while (is_tchar(*p)) {
            if (n + 1 >= out_size) return -EINVAL;
            out[n++] = *p++;
        }
        if (n == 0) return -EINVAL;
    }
    out[n] = '\0';
    *pp = p;
    return 0;
}

int wyrcan_challenge_parse(const char *value, struct wyrcan_challenge *out)
{
    memset(out, 0, sizeof(*out));
    if (strlen(value) > 8192) return -EINVAL;
    const char *p = skip_ws(value);
    size_t sl = 0;
    while (is_tchar(p[sl]))
        sl++;
    if (sl == 6 && !strncasecmp(p, "Bearer", 6)) {
        out->bearer = true;
    } else if (sl == 5 && !strncasecmp(p, "Basic", 5)) {
        out->bearer = false;
    } else {
        return sl ? -ENOTSUP : -EINVAL;
    }
    p = skip_ws(p + sl);
    while (*p) {
        char name[64];
        size_t nl = 0;
        while (is_tchar(*p)) {
            if (nl + 1 >= sizeof(name)) return -EINVAL;
            name[nl++] = *p++;
        }
        name[nl] = '\0';
        p = skip_ws(p);
        if (nl == 0 || *p != '=') return -EINVAL;
        p = skip_ws(p + 1);
        char val[WYRCAN_AUTH_FIELD_MAX];
        if (parse_value(&p, val, sizeof(val))) return -EINVAL;
        char *dst = NULL;
        if (!strcasecmp(name, "realm"))
            dst = out->realm;
        else if (!strcasecmp(name, "service"))
            dst = out->service;
        else if (!strcasecmp(name, "scope"))
            dst = out->scope;
        if (dst) {
            if (dst[0]) return -EINVAL; /* a parameter given twice */
            strcpy(dst, val);
        }
        p = skip_ws(p);
        if (*p == ',')
            p = skip_ws(p + 1);
        else if (*p)
            return -EINVAL;
    }
    if (out->bearer && !out->realm[0]) return -EINVAL;
    return 0;
}

static bool base64_ok(const char *s, size_t len)
{
    if (len == 0 || len % 4) return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (isalnum((unsigned char)c) || c == '+' || c == '/') continue;
        if (c == '=' && i >= len - 2 && (i == len - 1 || s[len - 1] == '=')) continue;
        return false;
    }
    return true;
}

static json_t *load_object(const uint8_t *json, size_t size)
{
    if (size > AUTH_JSON_MAX) return NULL;
    json_t *root = json_loadb((const char *)json, size, JSON_REJECT_DUPLICATES, NULL);
    if (root && !json_is_object(root)) {
        json_decref(root);
        return NULL;
    }
    return root;
}

int wyrcan_auth_lookup(const uint8_t *json, size_t size, const char *registry, char *out,
                       size_t out_size)
{
    json_t *root = load_object(json, size);
    if (!root) return -EINVAL;
    int ret = -ENOENT;
    json_t *auths = json_object_get(root, "auths");
    if (auths && !json_is_object(auths)) {
        ret = -EINVAL;
        goto out;
    }
    json_t *e = json_object_get(auths, registry);
    /* Docker stores Docker Hub's credentials under its v1 URL */
    if (!e && !strcmp(registry, WYRCAN_DOCKER_HUB))
        e = json_object_get(auths, "https://index.docker.io/v1/");
    if (!e) goto out;
    json_t *a = json_object_get(e, "auth");
    if (!json_is_string(a)) goto out;
    const char *s = json_string_value(a);
    size_t len = json_string_length(a);
    if (strlen(s) != len || !base64_ok(s, len) || len >= out_size) {
        ret = -EINVAL;
        goto out;
    }
    memcpy(out, s, len + 1);
    ret = 0;
out:
    json_decref(root);
    return ret;
}

int wyrcan_token_parse(const uint8_t *json, size_t size, char *out, size_t out_size)
{
    json_t *root = load_object(json, size);
    if (!root) return -EINVAL;
    int ret = -EINVAL;
    json_t *t = json_object_get(root, "token");
    if (!json_is_string(t)) t = json_object_get(root, "access_token");
    if (json_is_string(t)) {
        const char *s = json_string_value(t);
        size_t len = json_string_length(t);
        bool ok = len > 0 && len < out_size && strlen(s) == len;
        for (size_t i = 0; ok && i < len; i++)
            ok = s[i] > 0x20 && s[i] < 0x7f; /* it goes into a header line */
        if (ok) {
            memcpy(out, s, len + 1);
            ret = 0;
        }
    }
    json_decref(root);
    return ret;
}
