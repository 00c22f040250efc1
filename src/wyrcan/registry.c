/* SPDX-License-Identifier: Apache-2.0 */
/*
 * registry.c - the OCI distribution client (libcurl): manifests and blobs of one repository.
 *
 * Each request is retried with exponential backoff on transport errors, 429 and 5xx; a 401
 * with a WWW-Authenticate challenge is answered once per request (Bearer: a token from the
 * challenge's realm, sent Basic credentials from the docker config when there are any;
 * Basic: those credentials) and the request repeated. Bodies are received into memory with a
 * hard bound: 4 MiB for manifests and tokens, the descriptor's size for blobs, whose digest is
 * computed as the bytes arrive and checked before anything is handed back, so a corrupt or
 * oversized blob is never seen by the unpacker. Only http and https are allowed, also for
 * redirects (https only, unless --insecure-http); libcurl drops our Authorization header when
 * a redirect leaves the registry's host (blob storage on a CDN).
 */
#include "wyrcan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#define SMALL_MAX (4u << 20)
#define HDR_MAX 8192

struct wyrcan_registry {
    CURL *curl;
    struct wyrcan_ref ref;
    struct wyrcan_pull_opts opts;
    char base[600];   /* scheme://host/v2/name */
    char authz[8300]; /* "Authorization: ..." or "" */
    char basic[1100]; /* base64 user:password from the docker config, or "" */
    char challenge[HDR_MAX];
    char ctype[256];
    const char *what; /* for the progress line */
};

struct sink {
    uint8_t *buf;
    size_t len, cap, max;
    struct wyrcan_hasher *hash;
    const char *expect;
    int err;
};

static int sink_reset(struct sink *s)
{
    s->len = 0;
    s->err = 0;
    wyrcan_hasher_free(s->hash);
    s->hash = NULL;
    if (s->expect) return wyrcan_hasher_new(s->expect, &s->hash);
    return 0;
}

static size_t on_body(char *data, size_t one, size_t n, void *ctx)
{
    struct sink *s = ctx;
    (void)one;
    if (n > s->max - s->len) {
        s->err = -EFBIG;
        return 0; /* abort the transfer */
    }
    if (s->len + n > s->cap) {
        size_t ncap = s->cap ? s->cap : 65536;
        while (ncap < s->len + n)
            ncap *= 2;
        if (ncap > s->max) ncap = s->max;
        uint8_t *b = realloc(s->buf, ncap ? ncap : 1);
        if (!b) {
            s->err = -ENOMEM;
            return 0;
        }
        s->buf = b;
        s->cap = ncap;
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    if (s->hash) wyrcan_hasher_update(s->hash, data, n);
    return n;
}

/* Header lines: keep the last response's Content-Type and WWW-Authenticate. */
static size_t on_header(char *data, size_t one, size_t n, void *ctx)
{
    struct wyrcan_registry *r = ctx;
    (void)one;
    if (n >= 5 && !memcmp(data, "HTTP/", 5)) {
        r->ctype[0] = r->challenge[0] = '\0';
        return n;
    }
    char *dst = NULL;
    size_t cap = 0, skip = 0;
    if (n > 13 && !strncasecmp(data, "Content-Type:", 13)) {
        dst = r->ctype, cap = sizeof(r->ctype), skip = 13;
    } else if (n > 17 && !strncasecmp(data, "WWW-Authenticate:", 17)) {
        dst = r->challenge, cap = sizeof(r->challenge), skip = 17;
    }
    if (!dst) return n;
    size_t len = n - skip;
    const char *v = data + skip;
    while (len && (*v == ' ' || *v == '\t'))
        v++, len--;
    while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
        len--;
    if (len >= cap || memchr(v, '\0', len)) len = 0; /* too long or odd: treated as absent */
    memcpy(dst, v, len);
    dst[len] = '\0';
    return n;
}

static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ult,
                       curl_off_t uln)
{
    struct wyrcan_registry *r = ctx;
    (void)ult, (void)uln;
    if (r->what && dltotal > 0)
        fprintf(stderr, "\r%s: %.1f / %.1f MiB   ", r->what, (double)dlnow / 1048576.0,
                (double)dltotal / 1048576.0);
    return 0;
}

static void load_creds(struct wyrcan_registry *r)
{
    char path[4096];
    const char *file = r->opts.auth_file;
    if (!file) {
        const char *dc = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
        if (dc)
            snprintf(path, sizeof(path), "%s/config.json", dc);
        else if (home)
            snprintf(path, sizeof(path), "%s/.docker/config.json", home);
        else
            return;
        file = path;
    }
    uint8_t *json;
    size_t size;
    if (util_file_read(file, 1u << 20, &json, &size)) {
        if (r->opts.auth_file) log_warn("cannot read credentials file %s", file);
        return;
    }
    int ret = wyrcan_auth_lookup(json, size, r->ref.registry, r->basic, sizeof(r->basic));
    if (ret == -EINVAL) log_warn("%s: malformed; no credentials used", file);
    free(json);
}

int wyrcan_registry_new(const struct wyrcan_ref *ref, const struct wyrcan_pull_opts *opts,
                        struct wyrcan_registry **out)
{
    static bool inited;
    if (!inited) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT)) return -ENOMEM;
        inited = true;
    }
    struct wyrcan_registry *r = calloc(1, sizeof(*r));
    if (!r) return -ENOMEM;
    r->ref = *ref;
    r->opts = *opts;
    if (!r->opts.retries) r->opts.retries = 5;
    snprintf(r->base, sizeof(r->base), "%s://%s/v2/%s", opts->insecure_http ? "http" : "https",
             ref->registry, ref->name);
    if (opts->insecure_http)
        fprintf(stderr,
                "wyrcan: WARNING: --insecure-http: talking to %s over plain HTTP; "
                "anyone on the path can read and alter what it sends (digests still "
                "checked against the manifest, which is not)\n",
                ref->registry);
    load_creds(r);
    r->curl = curl_easy_init();
    if (!r->curl) {
        free(r);
        return -ENOMEM;
    }
    *out = r;
    return 0;
}

void wyrcan_registry_free(struct wyrcan_registry *r)
{
    if (!r) return;
    curl_easy_cleanup(r->curl);
    explicit_bzero(r->authz, sizeof(r->authz));
    explicit_bzero(r->basic, sizeof(r->basic));
    free(r);
}

/* One GET of url into s; *status gets the HTTP status (0 on a transport error). */
static int get_once(struct wyrcan_registry *r, const char *url, const char *accept,
                    const char *authz, struct sink *s, long *status)
{
    CURL *c = r->curl;
    curl_easy_reset(c);
    struct curl_slist *h = NULL, *h2;
    char line[300];
    if (accept) {
        snprintf(line, sizeof(line), "Accept: %s", accept);
        if (!(h2 = curl_slist_append(h, line))) goto nomem;
        h = h2;
    }
    if (authz && authz[0]) {
        if (!(h2 = curl_slist_append(h, authz))) goto nomem;
        h = h2;
    }
    bool https_only = !r->opts.insecure_http;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, https_only ? "https" : "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, https_only ? "https" : "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "wyrcan/0.1");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    if (r->opts.progress && r->what) {
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, r);
    }
    r->ctype[0] = r->challenge[0] = '\0';
    CURLcode cc = curl_easy_perform(c);
    curl_slist_free_all(h);
    *status = 0;
    if (s->err) return s->err;
    if (cc != CURLE_OK) {
        log_warn("GET %s: %s", url, curl_easy_strerror(cc));
        return -EIO;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    return 0;
nomem:
    curl_slist_free_all(h);
    return -ENOMEM;
}

static int fetch_token(struct wyrcan_registry *r, const struct wyrcan_challenge *ch)
{
    bool https = !strncmp(ch->realm, "https://", 8);
    if (!https && !(r->opts.insecure_http && !strncmp(ch->realm, "http://", 7))) {
        log_error("registry's token realm \"%.200s\" is not https://", ch->realm);
        return -EACCES;
    }
    if (strpbrk(ch->realm, "?#")) {
        log_error("token realm carries a query or fragment; refused");
        return -EACCES;
    }
    char scope[300];
    snprintf(scope, sizeof(scope), "repository:%s:pull", r->ref.name);
    char *svc = curl_easy_escape(r->curl, ch->service, 0);
    char *scp = curl_easy_escape(r->curl, ch->scope[0] ? ch->scope : scope, 0);
    char url[4096];
    int n = (svc && scp) ? snprintf(url, sizeof(url), "%s?service=%s&scope=%s", ch->realm, svc, scp)
                         : -1;
    curl_free(svc);
    curl_free(scp);
    if (n < 0 || (size_t)n >= sizeof(url)) return -EINVAL;
    char authz[1200] = "";
    if (r->basic[0]) snprintf(authz, sizeof(authz), "Authorization: Basic %s", r->basic);
    struct sink s = {.max = SMALL_MAX};
    long status = 0;
    int ret = get_once(r, url, "application/json", authz, &s, &status);
    explicit_bzero(authz, sizeof(authz));
    if (!ret && status != 200) {
        log_error("token server %s answered HTTP %ld", ch->realm, status);
        ret = -EACCES;
    }
    char token[8192];
    if (!ret && wyrcan_token_parse(s.buf, s.len, token, sizeof(token))) {
        log_error("token server %s: reply has no usable token", ch->realm);
        ret = -EACCES;
    }
    free(s.buf);
    if (ret) return ret;
    snprintf(r->authz, sizeof(r->authz), "Authorization: Bearer %s", token);
    explicit_bzero(token, sizeof(token));
    return 0;
}

/* Answers the last response's challenge. 0 when the request may be repeated. */
static int authenticate(struct wyrcan_registry *r)
{
    struct wyrcan_challenge ch;
    int ret = wyrcan_challenge_parse(r->challenge, &ch);
    if (ret) {
        log_error("registry %s: 401 with an unusable WWW-Authenticate challenge", r->ref.registry);
        return -EACCES;
    }
    if (ch.bearer) return fetch_token(r, &ch);
    if (!r->basic[0]) {
        log_error("registry %s wants a password; none in the docker config", r->ref.registry);
        return -EACCES;
    }
    snprintf(r->authz, sizeof(r->authz), "Authorization: Basic %s", r->basic);
    return 0;
}

/* GET with auth, retries and backoff; on 200 the body is in s. */
static int get(struct wyrcan_registry *r, const char *url, const char *accept, struct sink *s)
{
    bool authed = false;
    unsigned delay_ms = 250;
    int ret = -EIO;
    for (unsigned attempt = 0; attempt < r->opts.retries;) {
        ret = sink_reset(s);
        if (ret) return ret;
        long status = 0;
        ret = get_once(r, url, accept, r->authz, s, &status);
        if (r->what && r->opts.progress) fputc('\n', stderr);
        if (ret == -EFBIG || ret == -ENOMEM) {
            if (ret == -EFBIG) log_error("GET %s: more bytes than expected; refused", url);
            return ret;
        }
        if (!ret && status == 200) return 0;
        if (!ret && status == 401 && !authed && r->challenge[0]) {
            authed = true;
            ret = authenticate(r);
            if (ret) return ret;
            continue; /* not counted as an attempt */
        }
        if (!ret && status != 429 && status < 500) {
            log_error("GET %s: HTTP %ld", url, status);
            return status == 404 ? -ENOENT : (status == 401 || status == 403) ? -EACCES : -EPROTO;
        }
        if (!ret) log_warn("GET %s: HTTP %ld", url, status);
        if (++attempt < r->opts.retries) {
            log_warn("retrying in %u ms (attempt %u of %u)", delay_ms, attempt + 1,
                     r->opts.retries);
            struct timespec ts = {delay_ms / 1000, (long)(delay_ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
            if (delay_ms < 8000) delay_ms *= 2;
        }
        ret = -EIO;
    }
    log_error("GET %s: giving up after %u attempts", url, r->opts.retries);
    return ret;
}

int wyrcan_registry_manifest(struct wyrcan_registry *r, const char *target, uint8_t **body,
                             size_t *size, char *ctype, size_t ctype_size)
{
    char url[1024];
    snprintf(url, sizeof(url), "%s/manifests/%s", r->base, target);
    bool by_digest = wyrcan_digest_check(target, NULL) == 0;
    struct sink s = {.max = SMALL_MAX, .expect = by_digest ? target : NULL};
    r->what = NULL;
    int ret = get(r, url, wyrcan_manifest_accept, &s);
    if (!ret && s.hash) {
        ret = wyrcan_hasher_finish(s.hash);
        s.hash = NULL;
        if (ret) log_error("manifest %s: content does not match its digest; refused", target);
    }
    wyrcan_hasher_free(s.hash);
    if (ret) {
        free(s.buf);
        return ret;
    }
    snprintf(ctype, ctype_size, "%s", r->ctype);
    *body = s.buf;
    *size = s.len;
    return 0;
}

int wyrcan_registry_blob(struct wyrcan_registry *r, const struct wyrcan_descriptor *d,
                         uint8_t **body, size_t *size)
{
    if (d->size > r->opts.max_bytes || d->size > SIZE_MAX / 2) {
        log_error("blob %s: %llu bytes is over the image size limit", d->digest,
                  (unsigned long long)d->size);
        return -EFBIG;
    }
    char url[1024];
    snprintf(url, sizeof(url), "%s/blobs/%s", r->base, d->digest);
    struct sink s = {.max = (size_t)d->size, .expect = d->digest};
    r->what = d->digest;
    int ret = get(r, url, NULL, &s);
    r->what = NULL;
    if (!ret && s.len != d->size) {
        log_error("blob %s: %zu bytes, the manifest says %llu; refused", d->digest, s.len,
                  (unsigned long long)d->size);
        ret = -EBADMSG;
    }
    if (!ret) {
        ret = wyrcan_hasher_finish(s.hash);
        s.hash = NULL;
        if (ret) log_error("blob %s: content does not match its digest; refused", d->digest);
    }
    wyrcan_hasher_free(s.hash);
    if (ret) {
        free(s.buf);
        return ret;
    }
    *body = s.buf ? s.buf : malloc(1);
    *size = s.len;
    return *body ? 0 : -ENOMEM;
}
