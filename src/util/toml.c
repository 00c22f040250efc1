/* SPDX-License-Identifier: Apache-2.0 */
/*
 * toml.c - a strict TOML 1.0 parser producing an owned tree (see toml.h for the API).
 *
 * Design. A single forward pass of recursive descent over the byte buffer; the buffer is never
 * assumed to be NUL-terminated and every read goes through cur()/at(), which return -1 past the
 * end. The whole input is checked to be UTF-8 first, so later code only has to care about ASCII
 * structure and control characters.
 *
 * Positions. Line and column are derived from byte offsets by locate(), which keeps a cursor
 * that moves forward with the parse, so recording positions costs O(n) in total. Only error
 * reporting may ask for an earlier offset; it then rescans from the start, once.
 *
 * Tables. Entries are kept in document order in a growable array; once a table has
 * INDEX_MIN entries an open-addressing hash index (FNV-1a) is added so lookups stay O(1) and
 * large hostile documents stay linear. TOML's redefinition rules are enforced with flags:
 *   F_DEFINED  a table defined by a [header], the root, or an inline table: never again;
 *   F_DOTTED   a table made by a dotted key: dotted keys may add to it, headers only pass;
 *   F_INLINE   an inline table: sealed, nothing may be added to it afterwards;
 *   F_AOT      an array made by [[header]]: the only kind of array [[...]] may append to.
 * A table with no flag was made implicitly by a longer [a.b.c] header; its own header may
 * define it once later, but dotted keys may not add to it (the strict reading of TOML 1.0).
 *
 * Limits. Every value and table records its depth; creating anything deeper than
 * TOML_MAX_DEPTH is an error, which also bounds the recursion of the parser and of toml_free().
 * Output strings are never longer than their source text, so memory is linear in the input.
 */
#include "toml.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { F_DEFINED = 1u, F_DOTTED = 2u, F_INLINE = 4u, F_AOT = 8u };

#define INDEX_MIN 16
#define NOT_FOUND SIZE_MAX
#define SHOW_MAX 48

struct pos_cursor {
    size_t off;
    int line;
    int col;
};

struct parser {
    const uint8_t *p;
    size_t n;
    size_t pos;
    size_t base; /* offset where positions start (after a BOM) */
    struct pos_cursor pc;
    struct toml_error *err;
    struct toml_value *root;
    struct toml_value *cur; /* the table that key/value lines go into */
};

struct key_part {
    char *s;
    size_t len;
    int line;
    int col;
};

struct key_path {
    struct key_part part[TOML_MAX_DEPTH];
    size_t count;
};

struct sbuf {
    char *p;
    size_t len;
    size_t cap;
};

/* ---- errors and positions ---------------------------------------------------------------- */

static void error_vset(struct toml_error *err, int line, int col, const char *fmt, va_list ap)
{
    if (!err) return;
    err->line = line;
    err->col = col;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

void toml_error_set(struct toml_error *err, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vset(err, line, col, fmt, ap);
    va_end(ap);
}

/* Line and column (1-based, columns in characters) of byte offset off. */
static void locate(struct parser *ps, size_t off, int *line, int *col)
{
    struct pos_cursor *c = &ps->pc;
    if (off > ps->n) off = ps->n;
    if (off < c->off) {
        c->off = ps->base;
        c->line = 1;
        c->col = 1;
    }
    for (size_t i = c->off; i < off; i++) {
        uint8_t b = ps->p[i];
        if (b == '\n') {
            c->line++;
            c->col = 1;
        } else if ((b & 0xC0) != 0x80) {
            c->col++;
        }
    }
    c->off = off;
    *line = c->line;
    *col = c->col;
}

__attribute__((format(printf, 3, 4))) static int fail_at(struct parser *ps, size_t off,
                                                         const char *fmt, ...)
{
    if (ps->err) {
        int line, col;
        locate(ps, off, &line, &col);
        va_list ap;
        va_start(ap, fmt);
        error_vset(ps->err, line, col, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

__attribute__((format(printf, 4, 5))) static int fail_pos(struct parser *ps, int line, int col,
                                                          const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vset(ps->err, line, col, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

static int oom(struct parser *ps)
{
    toml_error_set(ps->err, 0, 0, "out of memory");
    return -ENOMEM;
}

/* Writes a printable, bounded rendering of len bytes at s into out (SHOW_MAX bytes). */
static const char *show(const char *s, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 4 < SHOW_MAX; i++) {
        unsigned char b = (unsigned char)s[i];
        out[o++] = (b >= 0x20 && b < 0x7f) ? (char)b : '?';
    }
    if (o + 4 >= SHOW_MAX && len > o) out[o++] = '~';
    out[o] = '\0';
    return out;
}

/* Describes the character at off for "found ..." messages. */
static const char *describe(const struct parser *ps, size_t off, char *buf, size_t size)
{
    if (off >= ps->n) return "end of input";
    uint8_t b = ps->p[off];
    if (b == '\n' || b == '\r') return "end of line";
    if (b == ' ' || b == '\t') return "whitespace";
    if (b > 0x20 && b < 0x7f) {
        snprintf(buf, size, "'%c'", b);
        return buf;
    }
    uint32_t cp = b;
    size_t extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
    cp &= extra == 3 ? 0x07u : extra == 2 ? 0x0Fu : extra == 1 ? 0x1Fu : 0xFFu;
    for (size_t k = 1; k <= extra && off + k < ps->n; k++)
        cp = (cp << 6) | (ps->p[off + k] & 0x3Fu);
    snprintf(buf, size, "U+%04X", (unsigned)cp);
    return buf;
}

/* ---- low-level reading ------------------------------------------------------------------ */

static int at(const struct parser *ps, size_t k)
{
    return ps->pos + k < ps->n ? ps->p[ps->pos + k] : -1;
}

static int cur(const struct parser *ps)
{
    return at(ps, 0);
}

static bool is_ctrl(int b)
{
    return (b >= 0 && b < 0x20 && b != '\t') || b == 0x7f;
}

static bool is_bare(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static void skip_ws(struct parser *ps)
{
    while (cur(ps) == ' ' || cur(ps) == '\t')
        ps->pos++;
}

/* Skips a comment starting at '#', up to (not including) the end of line. */
static int skip_comment(struct parser *ps)
{
    for (ps->pos++; ps->pos < ps->n; ps->pos++) {
        int c = cur(ps);
        if (c == '\n' || (c == '\r' && at(ps, 1) == '\n')) return 0;
        if (is_ctrl(c))
            return fail_at(ps, ps->pos, "control character U+%04X is not allowed in a comment",
                           (unsigned)c);
    }
    return 0;
}

/* Consumes a newline (LF or CRLF) if there is one; returns whether it did. */
static bool eat_newline(struct parser *ps)
{
    if (cur(ps) == '\n') {
        ps->pos++;
        return true;
    }
    if (cur(ps) == '\r' && at(ps, 1) == '\n') {
        ps->pos += 2;
        return true;
    }
    return false;
}

/* Skips whitespace, comments and newlines (inside arrays). */
static int skip_ws_nl(struct parser *ps)
{
    for (;;) {
        skip_ws(ps);
        if (cur(ps) == '#') {
            int ret = skip_comment(ps);
            if (ret) return ret;
        }
        if (!eat_newline(ps)) return 0;
    }
}

/* After a key/value or a header: optional whitespace and comment, then a newline or the end. */
static int end_of_line(struct parser *ps, const char *after)
{
    skip_ws(ps);
    if (cur(ps) == '#') {
        int ret = skip_comment(ps);
        if (ret) return ret;
    }
    if (ps->pos >= ps->n || eat_newline(ps)) return 0;
    if (cur(ps) == '\r')
        return fail_at(ps, ps->pos, "a carriage return must be followed by a line feed");
    char buf[16];
    return fail_at(ps, ps->pos, "expected a new line after %s, found %s", after,
                   describe(ps, ps->pos, buf, sizeof(buf)));
}

/* Returns the offset of the first byte that is not valid UTF-8, or n when all of it is. */
static size_t utf8_check(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t b = p[i];
        if (b < 0x80) {
            i++;
            continue;
        }
        size_t need = (b & 0xE0) == 0xC0 ? 1 : (b & 0xF0) == 0xE0 ? 2 : (b & 0xF8) == 0xF0 ? 3 : 0;
        if (need == 0 || n - i <= need) return i;
        uint32_t cp = b & (0x3Fu >> need);
        for (size_t k = 1; k <= need; k++) {
            if ((p[i + k] & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (p[i + k] & 0x3Fu);
        }
        static const uint32_t min[4] = {0, 0x80, 0x800, 0x10000};
        if (cp < min[need] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += need + 1;
    }
    return n;
}

/* ---- string buffers --------------------------------------------------------------------- */

static int sb_put(struct sbuf *b, const void *src, size_t n)
{
    if (b->cap - b->len <= n) {
        size_t ncap = b->cap ? b->cap : 16;
        while (ncap - b->len <= n) {
            if (ncap > SIZE_MAX / 2) return -ENOMEM;
            ncap *= 2;
        }
        char *np = realloc(b->p, ncap);
        if (!np) return -ENOMEM;
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

static int sb_putc(struct sbuf *b, int c)
{
    char ch = (char)c;
    return sb_put(b, &ch, 1);
}

static int sb_utf8(struct sbuf *b, uint32_t cp)
{
    uint8_t u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (uint8_t)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (uint8_t)(0xC0 | (cp >> 6));
        u[1] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (uint8_t)(0xE0 | (cp >> 12));
        u[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (uint8_t)(0xF0 | (cp >> 18));
        u[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return sb_put(b, u, n);
}

/* ---- strings ---------------------------------------------------------------------------- */

/* Decodes the escape sequence at the current '\\'. */
static int parse_escape(struct parser *ps, struct sbuf *sb)
{
    static const char simple[] = "b\bt\tn\nf\fr\r\"\"\\\\";
    size_t start = ps->pos;
    int c = at(ps, 1);
    for (size_t i = 0; c > 0 && i + 1 < sizeof(simple); i += 2) {
        if (simple[i] == c) {
            ps->pos += 2;
            return sb_putc(sb, simple[i + 1]) ? oom(ps) : 0;
        }
    }
    if (c != 'u' && c != 'U') {
        char buf[16];
        return fail_at(ps, start, "invalid escape sequence: '\\' followed by %s",
                       describe(ps, start + 1, buf, sizeof(buf)));
    }
    size_t digits = c == 'u' ? 4 : 8;
    uint32_t cp = 0;
    for (size_t i = 0; i < digits; i++) {
        int h = util_hex_digit(at(ps, 2 + i));
        if (h < 0) return fail_at(ps, start, "\\%c needs %zu hexadecimal digits", c, digits);
        cp = (cp << 4) | (uint32_t)h;
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return fail_at(ps, start, "\\%c%0*X is not a Unicode scalar value", c, (int)digits,
                       (unsigned)cp);
    ps->pos += 2 + digits;
    return sb_utf8(sb, cp) ? oom(ps) : 0;
}

/* A single-line basic ("...") or literal ('...') string; the current byte is the quote. */
static int parse_line_string(struct parser *ps, struct sbuf *sb)
{
    size_t start = ps->pos;
    int q = cur(ps);
    for (ps->pos++;;) {
        int c = cur(ps);
        if (c == q) {
            ps->pos++;
            return 0;
        }
        if (c < 0 || c == '\n' || c == '\r')
            return fail_at(ps, start,
                           "unterminated string (a string on one line must end "
                           "before the line does)");
        if (c == '\\' && q == '"') {
            int ret = parse_escape(ps, sb);
            if (ret) return ret;
            continue;
        }
        if (is_ctrl(c))
            return fail_at(ps, ps->pos, "control character U+%04X must be escaped", (unsigned)c);
        if (sb_putc(sb, c)) return oom(ps);
        ps->pos++;
    }
}

/* A backslash in a multi-line basic string: an escape, or a line-ending backslash that trims
 * the newline and all whitespace after it. */
static int ml_backslash(struct parser *ps, struct sbuf *sb)
{
    size_t j = ps->pos + 1;
    while (j < ps->n && (ps->p[j] == ' ' || ps->p[j] == '\t'))
        j++;
    bool nl = j < ps->n &&
              (ps->p[j] == '\n' || (ps->p[j] == '\r' && j + 1 < ps->n && ps->p[j + 1] == '\n'));
    if (!nl) {
        if (j == ps->pos + 1) return parse_escape(ps, sb);
        return fail_at(ps, ps->pos,
                       "invalid escape: a '\\' followed by whitespace must end "
                       "the line");
    }
    ps->pos = j;
    for (;;) {
        skip_ws(ps);
        if (!eat_newline(ps)) return 0;
    }
}

/* A multi-line string; the current bytes are its three opening quotes. */
static int parse_ml_string(struct parser *ps, struct sbuf *sb)
{
    size_t start = ps->pos;
    int q = cur(ps);
    ps->pos += 3;
    eat_newline(ps);
    for (;;) {
        int c = cur(ps);
        if (c < 0) return fail_at(ps, start, "unterminated multi-line string");
        if (c == q && at(ps, 1) == q && at(ps, 2) == q) {
            size_t run = 3;
            while (run < 5 && at(ps, run) == q)
                run++;
            for (size_t i = 3; i < run; i++)
                if (sb_putc(sb, q)) return oom(ps);
            ps->pos += run;
            return 0;
        }
        int ret = 0;
        if (c == '\\' && q == '"') {
            ret = ml_backslash(ps, sb);
        } else if (c == '\r' && at(ps, 1) == '\n') {
            ps->pos++; /* CRLF is kept as LF */
        } else if (c != '\n' && is_ctrl(c)) {
            ret = fail_at(ps, ps->pos, "control character U+%04X must be escaped", (unsigned)c);
        } else {
            ret = sb_putc(sb, c) ? oom(ps) : 0;
            ps->pos++;
        }
        if (ret) return ret;
    }
}

static bool at_triple(const struct parser *ps)
{
    int q = cur(ps);
    return at(ps, 1) == q && at(ps, 2) == q;
}

/* ---- tables and arrays ------------------------------------------------------------------ */

static struct toml_value *value_new(enum toml_type type, int line, int col, int depth)
{
    struct toml_value *v = calloc(1, sizeof(*v));
    if (!v) return NULL;
    v->type = type;
    v->line = line;
    v->col = col;
    v->internal.depth = depth;
    return v;
}

void toml_free(struct toml_value *v)
{
    if (!v) return;
    if (v->type == TOML_ARRAY) {
        for (size_t i = 0; i < v->len; i++)
            toml_free(v->items[i]);
        free(v->items);
    } else if (v->type == TOML_TABLE) {
        for (size_t i = 0; i < v->len; i++) {
            free(v->entries[i].key);
            toml_free(v->entries[i].value);
        }
        free(v->entries);
    } else if (v->type == TOML_STRING || v->type == TOML_DATETIME) {
        free(v->str);
    }
    free(v->internal.index);
    free(v);
}

static uint64_t hash_key(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3u;
    }
    return h;
}

static size_t table_find(const struct toml_value *t, const char *key, size_t len)
{
    if (!t->internal.index) {
        for (size_t i = 0; i < t->len; i++) {
            const struct toml_entry *e = &t->entries[i];
            if (e->key_len == len && memcmp(e->key, key, len) == 0) return i;
        }
        return NOT_FOUND;
    }
    size_t mask = t->internal.index_cap - 1;
    for (size_t h = (size_t)hash_key(key, len) & mask;; h = (h + 1) & mask) {
        uint32_t slot = t->internal.index[h];
        if (slot == 0) return NOT_FOUND;
        const struct toml_entry *e = &t->entries[slot - 1];
        if (e->key_len == len && memcmp(e->key, key, len) == 0) return slot - 1;
    }
}

/* Rebuilds the hash index of t with cap slots (a power of two above twice t->len). */
static int index_rebuild(struct toml_value *t, size_t cap)
{
    uint32_t *idx = calloc(cap, sizeof(*idx));
    if (!idx) return -ENOMEM;
    for (size_t i = 0; i < t->len; i++) {
        const struct toml_entry *e = &t->entries[i];
        size_t h = (size_t)hash_key(e->key, e->key_len) & (cap - 1);
        while (idx[h])
            h = (h + 1) & (cap - 1);
        idx[h] = (uint32_t)(i + 1);
    }
    free(t->internal.index);
    t->internal.index = idx;
    t->internal.index_cap = cap;
    return 0;
}

/* Appends key kp (taking its string) with value v (taking it, freed on failure) to table t. */
static int table_add(struct parser *ps, struct toml_value *t, struct key_part *kp,
                     struct toml_value *v)
{
    if (t->len == t->internal.cap) {
        size_t ncap = t->internal.cap ? t->internal.cap * 2 : 4;
        struct toml_entry *ne = realloc(t->entries, ncap * sizeof(*ne));
        if (!ne) {
            toml_free(v);
            return oom(ps);
        }
        t->entries = ne;
        t->internal.cap = ncap;
    }
    t->entries[t->len++] = (struct toml_entry){kp->s, kp->len, kp->line, kp->col, v};
    kp->s = NULL;
    size_t icap = t->internal.index_cap;
    if (t->len >= INDEX_MIN && t->len * 2 > icap) {
        if (index_rebuild(t, icap ? icap * 2 : INDEX_MIN * 4)) return oom(ps);
    } else if (icap) {
        const struct toml_entry *e = &t->entries[t->len - 1];
        size_t h = (size_t)hash_key(e->key, e->key_len) & (icap - 1);
        while (t->internal.index[h])
            h = (h + 1) & (icap - 1);
        t->internal.index[h] = (uint32_t)t->len;
    }
    return 0;
}

/* Appends v (taking it, freed on failure) to array a. */
static int array_push(struct parser *ps, struct toml_value *a, struct toml_value *v)
{
    if (a->len == a->internal.cap) {
        size_t ncap = a->internal.cap ? a->internal.cap * 2 : 4;
        struct toml_value **ni = realloc(a->items, ncap * sizeof(*ni));
        if (!ni) {
            toml_free(v);
            return oom(ps);
        }
        a->items = ni;
        a->internal.cap = ncap;
    }
    a->items[a->len++] = v;
    return 0;
}

static int too_deep(struct parser *ps, int line, int col)
{
    return fail_pos(ps, line, col, "nesting deeper than %d levels", TOML_MAX_DEPTH);
}

/* Creates an empty table (or, with type TOML_ARRAY, an array) named kp inside t. */
static int child_new(struct parser *ps, struct toml_value *t, struct key_part *kp,
                     enum toml_type type, unsigned flags, struct toml_value **out)
{
    if (t->internal.depth >= TOML_MAX_DEPTH) return too_deep(ps, kp->line, kp->col);
    struct toml_value *n = value_new(type, kp->line, kp->col, t->internal.depth + 1);
    if (!n) return oom(ps);
    n->internal.flags = flags;
    *out = n;
    return table_add(ps, t, kp, n);
}

static const char *what_is(const struct toml_value *v)
{
    switch (v->type) {
    case TOML_STRING: return "a string";
    case TOML_INTEGER: return "an integer";
    case TOML_FLOAT: return "a float";
    case TOML_BOOLEAN: return "a boolean";
    case TOML_DATETIME: return "a datetime";
    case TOML_ARRAY: return (v->internal.flags & F_AOT) ? "an array of tables" : "a static array";
    case TOML_TABLE: return (v->internal.flags & F_INLINE) ? "an inline table" : "a table";
    }
    return "a value";
}

/* ---- keys ------------------------------------------------------------------------------- */

static void key_path_free(struct key_path *kp)
{
    for (size_t i = 0; i < kp->count; i++)
        free(kp->part[i].s);
    kp->count = 0;
}

/* Renders parts [0, upto] of a dotted key for messages. */
static const char *key_show(const struct key_path *kp, size_t upto, char *out)
{
    char tmp[SHOW_MAX];
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i <= upto && i < kp->count; i++) {
        show(kp->part[i].s, kp->part[i].len, tmp);
        int w = snprintf(out + o, SHOW_MAX - o, "%s%s", i ? "." : "", tmp);
        if (w < 0 || (size_t)w >= SHOW_MAX - o) break;
        o += (size_t)w;
    }
    return out;
}

static int parse_simple_key(struct parser *ps, struct key_part *kp)
{
    locate(ps, ps->pos, &kp->line, &kp->col);
    struct sbuf sb = {0};
    int c = cur(ps), ret = 0;
    if (c == '"' || c == '\'') {
        if (at_triple(ps)) return fail_at(ps, ps->pos, "a multi-line string cannot be a key");
        ret = parse_line_string(ps, &sb);
    } else if (is_bare(c)) {
        size_t s = ps->pos;
        while (is_bare(cur(ps)))
            ps->pos++;
        ret = sb_put(&sb, ps->p + s, ps->pos - s) ? oom(ps) : 0;
    } else {
        char buf[16];
        return fail_at(ps, ps->pos, "expected a key, found %s",
                       describe(ps, ps->pos, buf, sizeof(buf)));
    }
    if (!ret && !sb.p && sb_put(&sb, "", 0)) ret = oom(ps);
    if (ret) {
        free(sb.p);
        return ret;
    }
    kp->s = sb.p;
    kp->len = sb.len;
    return 0;
}

/* Parses a (possibly dotted) key and the whitespace after it. */
static int parse_key(struct parser *ps, struct key_path *kp)
{
    for (;;) {
        if (kp->count == TOML_MAX_DEPTH)
            return fail_at(ps, ps->pos, "key has more than %d parts", TOML_MAX_DEPTH);
        int ret = parse_simple_key(ps, &kp->part[kp->count]);
        if (ret) return ret;
        kp->count++;
        skip_ws(ps);
        if (cur(ps) != '.') return 0;
        ps->pos++;
        skip_ws(ps);
    }
}

/* ---- values ----------------------------------------------------------------------------- */

static int parse_value(struct parser *ps, int depth, struct toml_value **out);

static int digit_val(int c)
{
    return util_hex_digit(c);
}

/* Scans digits of base with '_' only between two digits, from t[i]; returns the index after
 * them, or 0 when there is no digit or an underscore is misplaced. */
static size_t scan_digits(const char *t, size_t len, size_t i, int base)
{
    size_t start = i;
    while (i < len) {
        if (t[i] == '_') {
            if (i == start || i + 1 >= len) return 0;
            int d = digit_val(t[i + 1]);
            if (d < 0 || d >= base) return 0;
            i++;
            continue;
        }
        int d = digit_val(t[i]);
        if (d < 0 || d >= base) break;
        i++;
    }
    return i > start ? i : 0;
}

/* Converts already-validated digits to an integer, detecting overflow. */
static int to_int(struct parser *ps, size_t off, const char *t, size_t len, int base, bool neg,
                  int64_t *out)
{
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, v = 0;
    for (size_t i = 0; i < len; i++) {
        if (t[i] == '_') continue;
        uint64_t d = (uint64_t)digit_val(t[i]);
        if (v > (limit - d) / (uint64_t)base)
            return fail_at(ps, off, "integer does not fit in 64 bits");
        v = v * (uint64_t)base + d;
    }
    if (neg)
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    else
        *out = (int64_t)v;
    return 0;
}

static int to_float(struct parser *ps, size_t off, const char *t, size_t len, double *out)
{
    char *buf = malloc(len + 1);
    if (!buf) return oom(ps);
    size_t o = 0;
    for (size_t i = 0; i < len; i++)
        if (t[i] != '_') buf[o++] = t[i];
    buf[o] = '\0';
    char *end;
    *out = strtod(buf, &end);
    bool ok = end == buf + o && isfinite(*out);
    free(buf);
    return ok ? 0 : fail_at(ps, off, "float out of range");
}

static int bad_number(struct parser *ps, size_t off, const char *t, size_t len)
{
    char tmp[SHOW_MAX];
    return fail_at(ps, off, "invalid value '%s'", show(t, len, tmp));
}

/* Integers and floats (everything else already ruled out); t is the token at offset off. */
static int parse_number(struct parser *ps, size_t off, const char *t, size_t len,
                        struct toml_value *v)
{
    size_t i = (t[0] == '+' || t[0] == '-') ? 1 : 0;
    bool neg = t[0] == '-';
    if (len - i == 3 && (memcmp(t + i, "inf", 3) == 0 || memcmp(t + i, "nan", 3) == 0)) {
        v->type = TOML_FLOAT;
        v->fp = t[i] == 'i' ? INFINITY : NAN;
        v->fp = neg ? -v->fp : v->fp;
        return 0;
    }
    if (len - i > 2 && t[i] == '0' && (t[i + 1] == 'x' || t[i + 1] == 'o' || t[i + 1] == 'b')) {
        int base = t[i + 1] == 'x' ? 16 : t[i + 1] == 'o' ? 8 : 2;
        if (i) return fail_at(ps, off, "a sign is not allowed on a 0%c integer", t[i + 1]);
        if (scan_digits(t, len, 2, base) != len) return bad_number(ps, off, t, len);
        v->type = TOML_INTEGER;
        return to_int(ps, off, t + 2, len - 2, base, false, &v->integer);
    }
    size_t j = scan_digits(t, len, i, 10);
    if (!j) return bad_number(ps, off, t, len);
    if (t[i] == '0' && j > i + 1)
        return fail_at(ps, off, "leading zeros are not allowed in '%.*s'", (int)(j - i), t + i);
    bool is_float = false;
    if (j < len && t[j] == '.') {
        j = scan_digits(t, len, j + 1, 10);
        is_float = true;
    }
    if (j && j < len && (t[j] == 'e' || t[j] == 'E')) {
        j++;
        if (j < len && (t[j] == '+' || t[j] == '-')) j++;
        j = scan_digits(t, len, j, 10);
        is_float = true;
    }
    if (j != len) return bad_number(ps, off, t, len);
    v->type = is_float ? TOML_FLOAT : TOML_INTEGER;
    if (is_float) return to_float(ps, off, t, len, &v->fp);
    return to_int(ps, off, t + i, len - i, 10, neg, &v->integer);
}

static bool digits_at(const struct parser *ps, size_t k, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (!is_digit(at(ps, k + i))) return false;
    return true;
}

static int num_at(const struct parser *ps, size_t k, size_t count)
{
    int v = 0;
    for (size_t i = 0; i < count; i++)
        v = v * 10 + (at(ps, k + i) - '0');
    return v;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* Checks YYYY-MM-DD at relative offset k. */
static bool date_ok(const struct parser *ps, size_t k)
{
    if (!digits_at(ps, k, 4) || at(ps, k + 4) != '-' || !digits_at(ps, k + 5, 2) ||
        at(ps, k + 7) != '-' || !digits_at(ps, k + 8, 2))
        return false;
    int y = num_at(ps, k, 4), m = num_at(ps, k + 5, 2), d = num_at(ps, k + 8, 2);
    return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/* Checks HH:MM:SS[.fraction] at relative offset k; returns its length, or 0. */
static size_t time_len(const struct parser *ps, size_t k)
{
    if (!digits_at(ps, k, 2) || at(ps, k + 2) != ':' || !digits_at(ps, k + 3, 2) ||
        at(ps, k + 5) != ':' || !digits_at(ps, k + 6, 2))
        return 0;
    if (num_at(ps, k, 2) > 23 || num_at(ps, k + 3, 2) > 59 || num_at(ps, k + 6, 2) > 60) return 0;
    size_t n = 8;
    if (at(ps, k + n) == '.') {
        if (!is_digit(at(ps, k + n + 1))) return 0;
        for (n++; is_digit(at(ps, k + n));)
            n++;
    }
    return n;
}

/* Checks an offset (Z, or +HH:MM / -HH:MM) at relative offset k; returns its length or 0. */
static size_t offset_len(const struct parser *ps, size_t k)
{
    int c = at(ps, k);
    if (c == 'Z' || c == 'z') return 1;
    if ((c != '+' && c != '-') || !digits_at(ps, k + 1, 2) || at(ps, k + 3) != ':' ||
        !digits_at(ps, k + 4, 2) || num_at(ps, k + 1, 2) > 23 || num_at(ps, k + 4, 2) > 59)
        return 0;
    return 6;
}

/* Offset date-time, local date-time, local date or local time, kept as text. */
static int parse_datetime(struct parser *ps, struct toml_value *v)
{
    size_t n = 0;
    bool date = at(ps, 4) == '-';
    if (date) {
        if (!date_ok(ps, 0))
            return fail_at(ps, ps->pos, "invalid date (expected YYYY-MM-DD, a real day)");
        n = 10;
        int sep = at(ps, n);
        if (sep == 'T' || sep == 't' || (sep == ' ' && digits_at(ps, n + 1, 2)))
            n++;
        else
            date = false; /* a local date alone: no time part follows */
    }
    if (date || n == 0) {
        size_t t = time_len(ps, n);
        if (!t) return fail_at(ps, ps->pos + n, "invalid time (expected HH:MM:SS[.fraction])");
        n += t;
        size_t o = date ? offset_len(ps, n) : 0;
        if (date && !o && (at(ps, n) == '+' || at(ps, n) == '-'))
            return fail_at(ps, ps->pos + n, "invalid time offset (expected Z or +HH:MM)");
        n += o;
    }
    v->type = TOML_DATETIME;
    v->str = malloc(n + 1);
    if (!v->str) return oom(ps);
    memcpy(v->str, ps->p + ps->pos, n);
    v->str[n] = '\0';
    v->str_len = n;
    ps->pos += n;
    return 0;
}

static bool is_token(int c)
{
    return is_bare(c) || c == '+' || c == '.';
}

/* Booleans, numbers and date/times. */
static int parse_scalar(struct parser *ps, struct toml_value *v)
{
    if ((digits_at(ps, 0, 4) && at(ps, 4) == '-') || (digits_at(ps, 0, 2) && at(ps, 2) == ':'))
        return parse_datetime(ps, v);
    size_t s = ps->pos;
    while (is_token(cur(ps)))
        ps->pos++;
    const char *t = (const char *)ps->p + s;
    size_t len = ps->pos - s;
    if (len == 0) {
        char buf[16];
        return fail_at(ps, s, "expected a value, found %s", describe(ps, s, buf, sizeof(buf)));
    }
    if ((len == 4 && memcmp(t, "true", 4) == 0) || (len == 5 && memcmp(t, "false", 5) == 0)) {
        v->type = TOML_BOOLEAN;
        v->boolean = len == 4;
        return 0;
    }
    int c = t[0];
    if (!is_digit(c) && c != '+' && c != '-' && c != 'i' && c != 'n')
        return bad_number(ps, s, t, len);
    return parse_number(ps, s, t, len, v);
}

static int parse_string_value(struct parser *ps, struct toml_value *v)
{
    struct sbuf sb = {0};
    int ret = at_triple(ps) ? parse_ml_string(ps, &sb) : parse_line_string(ps, &sb);
    if (!ret && !sb.p && sb_put(&sb, "", 0)) ret = oom(ps);
    if (ret) {
        free(sb.p);
        return ret;
    }
    v->type = TOML_STRING;
    v->str = sb.p;
    v->str_len = sb.len;
    return 0;
}

static int parse_array(struct parser *ps, struct toml_value *a)
{
    ps->pos++;
    for (;;) {
        int ret = skip_ws_nl(ps);
        if (ret) return ret;
        if (cur(ps) == ']') break;
        struct toml_value *item;
        ret = parse_value(ps, a->internal.depth + 1, &item);
        if (!ret) ret = array_push(ps, a, item);
        if (!ret) ret = skip_ws_nl(ps);
        if (ret) return ret;
        if (cur(ps) == ']') break;
        if (cur(ps) != ',') {
            char buf[16];
            return fail_at(ps, ps->pos, "expected ',' or ']' in the array, found %s",
                           describe(ps, ps->pos, buf, sizeof(buf)));
        }
        ps->pos++;
    }
    ps->pos++;
    return 0;
}

static int parse_keyval(struct parser *ps, struct toml_value *table);

static int parse_inline_table(struct parser *ps, struct toml_value *t)
{
    t->internal.flags = F_DEFINED | F_INLINE;
    ps->pos++;
    skip_ws(ps);
    if (cur(ps) == '}') {
        ps->pos++;
        return 0;
    }
    for (;;) {
        int ret = parse_keyval(ps, t);
        if (ret) return ret;
        skip_ws(ps);
        if (cur(ps) == '}') {
            ps->pos++;
            return 0;
        }
        if (cur(ps) != ',') {
            char buf[16];
            return fail_at(ps, ps->pos,
                           "expected ',' or '}' in the inline table (which must "
                           "stay on one line), found %s",
                           describe(ps, ps->pos, buf, sizeof(buf)));
        }
        ps->pos++;
        skip_ws(ps);
        if (cur(ps) == '}')
            return fail_at(ps, ps->pos, "a trailing comma is not allowed in an inline table");
    }
}

static int parse_value(struct parser *ps, int depth, struct toml_value **out)
{
    int line, col, c = cur(ps), ret;
    locate(ps, ps->pos, &line, &col);
    bool container = c == '[' || c == '{';
    if (container && depth > TOML_MAX_DEPTH) return too_deep(ps, line, col);
    struct toml_value *v = value_new(TOML_BOOLEAN, line, col, depth);
    if (!v) return oom(ps);
    if (c == '"' || c == '\'') {
        ret = parse_string_value(ps, v);
    } else if (c == '[') {
        v->type = TOML_ARRAY;
        ret = parse_array(ps, v);
    } else if (c == '{') {
        v->type = TOML_TABLE;
        ret = parse_inline_table(ps, v);
    } else {
        ret = parse_scalar(ps, v);
    }
    if (ret) {
        toml_free(v);
        return ret;
    }
    *out = v;
    return 0;
}

/* ---- key/value lines and headers -------------------------------------------------------- */

/* Walks one dotted-key step from t: into a table made by dotted keys, or a new one. */
static int dotted_step(struct parser *ps, struct key_path *kp, size_t i, struct toml_value **t)
{
    size_t e = table_find(*t, kp->part[i].s, kp->part[i].len);
    if (e == NOT_FOUND) return child_new(ps, *t, &kp->part[i], TOML_TABLE, F_DOTTED, t);
    struct toml_value *v = (*t)->entries[e].value;
    if (v->type == TOML_TABLE && (v->internal.flags & (F_DOTTED | F_INLINE)) == F_DOTTED) {
        *t = v;
        return 0;
    }
    char name[SHOW_MAX];
    return fail_pos(ps, kp->part[i].line, kp->part[i].col,
                    "cannot add keys to '%s': it is already defined as %s", key_show(kp, i, name),
                    what_is(v));
}

static int parse_keyval(struct parser *ps, struct toml_value *table)
{
    struct key_path kp;
    kp.count = 0;
    int ret = parse_key(ps, &kp);
    if (ret) goto out;
    if (cur(ps) != '=') {
        char buf[16];
        ret = fail_at(ps, ps->pos, "expected '=' after the key, found %s",
                      describe(ps, ps->pos, buf, sizeof(buf)));
        goto out;
    }
    ps->pos++;
    skip_ws(ps);
    struct toml_value *t = table, *v;
    for (size_t i = 0; i + 1 < kp.count && !ret; i++)
        ret = dotted_step(ps, &kp, i, &t);
    if (ret) goto out;
    struct key_part *last = &kp.part[kp.count - 1];
    if (table_find(t, last->s, last->len) != NOT_FOUND) {
        char name[SHOW_MAX];
        ret = fail_pos(ps, last->line, last->col, "duplicate key '%s'",
                       key_show(&kp, kp.count - 1, name));
        goto out;
    }
    ret = parse_value(ps, t->internal.depth + 1, &v);
    if (!ret) ret = table_add(ps, t, last, v);
out:
    key_path_free(&kp);
    return ret;
}

/* Walks one [header] step from t: into any non-inline table or the last table of an array of
 * tables; creates an implicit table when missing. */
static int header_step(struct parser *ps, struct key_path *kp, size_t i, struct toml_value **t)
{
    size_t e = table_find(*t, kp->part[i].s, kp->part[i].len);
    if (e == NOT_FOUND) return child_new(ps, *t, &kp->part[i], TOML_TABLE, 0, t);
    struct toml_value *v = (*t)->entries[e].value;
    if (v->type == TOML_TABLE && !(v->internal.flags & F_INLINE)) {
        *t = v;
        return 0;
    }
    if (v->type == TOML_ARRAY && (v->internal.flags & F_AOT) && v->len > 0) {
        *t = v->items[v->len - 1];
        return 0;
    }
    char name[SHOW_MAX];
    return fail_pos(ps, kp->part[i].line, kp->part[i].col,
                    "cannot define a table inside '%s': it is already defined as %s",
                    key_show(kp, i, name), what_is(v));
}

/* [a.b.c]: defines table c, which must not exist yet or only implicitly. */
static int open_table(struct parser *ps, struct key_path *kp, int line, int col,
                      struct toml_value *t)
{
    struct key_part *last = &kp->part[kp->count - 1];
    size_t e = table_find(t, last->s, last->len);
    struct toml_value *v = NULL;
    char name[SHOW_MAX];
    if (e == NOT_FOUND) {
        int ret = child_new(ps, t, last, TOML_TABLE, F_DEFINED, &v);
        if (ret) return ret;
    } else {
        v = t->entries[e].value;
        if (v->type != TOML_TABLE)
            return fail_pos(ps, line, col, "cannot define table '%s': it is already defined as %s",
                            key_show(kp, kp->count - 1, name), what_is(v));
        if (v->internal.flags & (F_DEFINED | F_DOTTED | F_INLINE))
            return fail_pos(ps, line, col, "table '%s' is defined more than once",
                            key_show(kp, kp->count - 1, name));
        v->internal.flags |= F_DEFINED;
    }
    v->line = line;
    v->col = col;
    ps->cur = v;
    return 0;
}

/* [[a.b.c]]: appends a new table to the array of tables c, creating it when missing. */
static int open_array_table(struct parser *ps, struct key_path *kp, int line, int col,
                            struct toml_value *t)
{
    struct key_part *last = &kp->part[kp->count - 1];
    size_t e = table_find(t, last->s, last->len);
    struct toml_value *a = NULL;
    if (e == NOT_FOUND) {
        int ret = child_new(ps, t, last, TOML_ARRAY, F_AOT, &a);
        if (ret) return ret;
    } else {
        a = t->entries[e].value;
        if (a->type != TOML_ARRAY || !(a->internal.flags & F_AOT)) {
            char name[SHOW_MAX];
            return fail_pos(ps, line, col,
                            "cannot append to '%s' with [[...]]: it is already defined as %s",
                            key_show(kp, kp->count - 1, name), what_is(a));
        }
    }
    if (a->internal.depth >= TOML_MAX_DEPTH) return too_deep(ps, line, col);
    struct toml_value *elem = value_new(TOML_TABLE, line, col, a->internal.depth + 1);
    if (!elem) return oom(ps);
    elem->internal.flags = F_DEFINED;
    int ret = array_push(ps, a, elem);
    if (!ret) ps->cur = elem;
    return ret;
}

static int parse_header(struct parser *ps)
{
    int line, col;
    locate(ps, ps->pos, &line, &col);
    bool aot = at(ps, 1) == '[';
    ps->pos += aot ? 2 : 1;
    skip_ws(ps);
    struct key_path kp;
    kp.count = 0;
    int ret = parse_key(ps, &kp);
    if (ret) goto out;
    if (cur(ps) != ']' || (aot && at(ps, 1) != ']')) {
        char buf[16];
        ret = fail_at(ps, ps->pos, "expected '%s' to close the header, found %s", aot ? "]]" : "]",
                      describe(ps, ps->pos, buf, sizeof(buf)));
        goto out;
    }
    ps->pos += aot ? 2 : 1;
    struct toml_value *t = ps->root;
    for (size_t i = 0; i + 1 < kp.count && !ret; i++)
        ret = header_step(ps, &kp, i, &t);
    if (!ret)
        ret = aot ? open_array_table(ps, &kp, line, col, t) : open_table(ps, &kp, line, col, t);
out:
    key_path_free(&kp);
    return ret;
}

static int parse_document(struct parser *ps)
{
    while (ps->pos < ps->n) {
        skip_ws(ps);
        int c = cur(ps), ret = 0;
        const char *after = "the value";
        if (c == '[') {
            ret = parse_header(ps);
            after = "the table header";
        } else if (c != '#' && c != '\n' && c != '\r' && c >= 0) {
            ret = parse_keyval(ps, ps->cur);
        }
        if (!ret) ret = end_of_line(ps, after);
        if (ret) return ret;
    }
    return 0;
}

int toml_parse(const void *buf, size_t size, struct toml_value **out, struct toml_error *err)
{
    static const uint8_t empty[1];
    *out = NULL;
    if (err) memset(err, 0, sizeof(*err));
    if (size > TOML_MAX_INPUT) {
        toml_error_set(err, 0, 0, "document larger than %u bytes", TOML_MAX_INPUT);
        return -EFBIG;
    }
    if (!buf && size) {
        toml_error_set(err, 0, 0, "no buffer");
        return -EINVAL;
    }
    struct parser ps = {.p = buf ? buf : empty, .n = size, .err = err};
    if (size >= 3 && memcmp(ps.p, "\xEF\xBB\xBF", 3) == 0) ps.base = ps.pos = 3;
    ps.pc = (struct pos_cursor){ps.base, 1, 1};
    size_t bad = utf8_check(ps.p, ps.n);
    if (bad != ps.n) return fail_at(&ps, bad, "invalid UTF-8");
    ps.root = value_new(TOML_TABLE, 1, 1, 0);
    if (!ps.root) return oom(&ps);
    ps.root->internal.flags = F_DEFINED;
    ps.cur = ps.root;
    int ret = parse_document(&ps);
    if (ret) {
        toml_free(ps.root);
        return ret;
    }
    *out = ps.root;
    return 0;
}

/* ---- queries ---------------------------------------------------------------------------- */

struct toml_value *toml_table_get(struct toml_value *table, const char *key)
{
    if (!table || table->type != TOML_TABLE || !key) return NULL;
    size_t e = table_find(table, key, strlen(key));
    if (e == NOT_FOUND) return NULL;
    table->entries[e].value->seen = true;
    return table->entries[e].value;
}

const struct toml_entry *toml_table_unseen(const struct toml_value *table)
{
    if (!table || table->type != TOML_TABLE) return NULL;
    for (size_t i = 0; i < table->len; i++)
        if (!table->entries[i].value->seen) return &table->entries[i];
    return NULL;
}

struct toml_value *toml_array_at(const struct toml_value *arr, size_t i)
{
    if (!arr || arr->type != TOML_ARRAY || i >= arr->len) return NULL;
    return arr->items[i];
}

const char *toml_type_name(enum toml_type type)
{
    switch (type) {
    case TOML_STRING: return "string";
    case TOML_INTEGER: return "integer";
    case TOML_FLOAT: return "float";
    case TOML_BOOLEAN: return "boolean";
    case TOML_DATETIME: return "datetime";
    case TOML_ARRAY: return "array";
    case TOML_TABLE: return "table";
    }
    return "unknown";
}
