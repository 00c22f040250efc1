/* SPDX-License-Identifier: Apache-2.0 */
/*
 * der.c - strict DER TLV reading over a bounded window (see der.h). The length decoding refuses
 * indefinite and non-minimal forms, so one encoding maps to one value; lengths larger than what
 * remains are refused before any read.
 */
#include "attest/der.h"

#include <errno.h>

void der_init(struct der_cursor *c, const uint8_t *buf, size_t size)
{
    c->p = buf;
    c->end = buf ? buf + size : buf;
}

int der_at_end(const struct der_cursor *c)
{
    return c->p >= c->end;
}

static int read_len(struct der_cursor *c, size_t *len)
{
    if (c->p >= c->end) return -EBADMSG;
    uint8_t b = *c->p++;
    if (b < 0x80) {
        *len = b;
        return 0;
    }
    size_t n = b & 0x7fu;
    if (n == 0 || n > 4 || (size_t)(c->end - c->p) < n)
        return -EBADMSG; /* indefinite, too long, or truncated */
    size_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | c->p[i];
    if (c->p[0] == 0 || v < 0x80) return -EBADMSG; /* not minimal */
    c->p += n;
    *len = v;
    return 0;
}

int der_next(struct der_cursor *c, struct der_elem *e)
{
    if (c->p >= c->end) return -ENODATA;
    const uint8_t *start = c->p;
    uint8_t tag = *c->p++;
    if ((tag & 0x1f) == 0x1f)
        return -EBADMSG; /* multi-byte tags: never used by the formats we read */
    size_t len;
    if (read_len(c, &len) < 0) return -EBADMSG;
    if (len > (size_t)(c->end - c->p)) return -EBADMSG;
    e->tag = tag;
    e->val = c->p;
    e->len = len;
    e->raw = start;
    c->p += len;
    e->raw_size = (size_t)(c->p - start);
    return 0;
}

int der_expect(struct der_cursor *c, uint8_t tag, struct der_elem *e)
{
    int rc = der_next(c, e);
    if (rc < 0 || e->tag != tag) return -EBADMSG;
    return 0;
}

void der_enter(const struct der_elem *e, struct der_cursor *inner)
{
    der_init(inner, e->val, e->len);
}

int der_uint(const struct der_elem *e, uint64_t *out)
{
    if (e->tag != DER_INTEGER || e->len == 0 || (e->val[0] & 0x80)) return -EBADMSG;
    const uint8_t *v = e->val;
    size_t n = e->len;
    if (n > 1 && v[0] == 0) {
        if (!(v[1] & 0x80)) return -EBADMSG; /* non-minimal */
        v++;
        n--;
    }
    if (n > 8) return -EBADMSG;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++)
        x = (x << 8) | v[i];
    *out = x;
    return 0;
}
