/* SPDX-License-Identifier: Apache-2.0 */
/*
 * toml.h - a small, strict TOML 1.0 parser for configuration and policy files.
 *
 * toml_parse() turns a byte buffer into an owned tree of struct toml_value: the root is a
 * TOML_TABLE; tables keep their entries in document order; arrays keep their items in order.
 * Every value and every key remembers the line and column (1-based; columns count characters,
 * not bytes) where it was written, so callers can report "Enarx.toml:4:1: unknown key 'prots'".
 *
 * Supported, strictly per TOML 1.0: comments; bare, quoted and dotted keys; basic, literal and
 * multi-line strings with every escape; integers (decimal with '_', hex, octal, binary, signs,
 * overflow detected); floats (including inf and nan); booleans; offset/local date-times, dates
 * and times (validated and kept as their text); arrays (mixed types, trailing comma, newlines);
 * inline tables; [tables] and [[arrays of tables]]; and every redefinition error the
 * specification requires. The input must be valid UTF-8 (a leading BOM is skipped).
 *
 * Limits: input at most TOML_MAX_INPUT bytes, nesting (tables, arrays, inline tables together)
 * at most TOML_MAX_DEPTH levels. Anything else wrong is a syntax error with a position; the
 * parser never reads outside the buffer and never needs the input to be NUL-terminated.
 *
 * Schema checking is the caller's job: toml_table_get() marks the value it returns as seen, and
 * toml_table_unseen() then finds the first key the caller never asked for, so unknown keys can
 * be rejected with their position.
 */
#ifndef ENARX_UTIL_TOML_H
#define ENARX_UTIL_TOML_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef NODISCARD
#define NODISCARD __attribute__((warn_unused_result))
#endif

/* The largest document toml_parse() accepts, in bytes (-EFBIG beyond). */
#define TOML_MAX_INPUT (4u * 1024u * 1024u)
/* The deepest nesting of tables and arrays below the root that toml_parse() accepts. */
#define TOML_MAX_DEPTH 64

enum toml_type {
    TOML_STRING,
    TOML_INTEGER,
    TOML_FLOAT,
    TOML_BOOLEAN,
    TOML_DATETIME, /* any of the four date/time forms, validated, kept as written in str */
    TOML_ARRAY,
    TOML_TABLE,
};

struct toml_entry;

/*
 * One value of the tree. Only the fields named for its type are meaningful (they share
 * storage), so always check type first. The tree owns all its memory; toml_free() on the root
 * releases everything.
 */
struct toml_value {
    enum toml_type type;
    int line; /* where the value starts (a table: its [header] or its first key), 1-based */
    int col;
    bool seen; /* set by toml_table_get(); used by toml_table_unseen() */
    union {
        struct {
            char *str;      /* STRING, DATETIME: NUL-terminated text */
            size_t str_len; /* bytes in str without the terminator; a STRING may hold U+0000 */
        };
        int64_t integer; /* INTEGER */
        double fp;       /* FLOAT */
        bool boolean;    /* BOOLEAN */
        struct {
            size_t len; /* ARRAY: number of items; TABLE: number of entries */
            union {
                struct toml_value **items;  /* ARRAY: the items, in order */
                struct toml_entry *entries; /* TABLE: the entries, in document order */
            };
        };
    };
    struct {
        unsigned flags;
        int depth;
        size_t cap;
        uint32_t *index;
        size_t index_cap;
    } internal; /* the parser's bookkeeping; callers must not touch it */
};

/* One key of a table. */
struct toml_entry {
    char *key;      /* NUL-terminated; a quoted key may hold U+0000, so see key_len */
    size_t key_len; /* bytes in key without the terminator */
    int line;       /* where the key was written, 1-based */
    int col;
    struct toml_value *value; /* owned by the table */
};

/* A parse (or schema) error: where it is and what was expected, without the position. */
struct toml_error {
    int line; /* 1-based; 0 when the error has no position (e.g. out of memory) */
    int col;
    char msg[160]; /* e.g. "expected '=' after key" */
};

/*
 * Parses size bytes at buf (not necessarily NUL-terminated) as a TOML document. On success
 * returns 0 and stores the root table, owned by the caller (free with toml_free), in *out. On
 * failure returns -EINVAL (bad document), -EFBIG (larger than TOML_MAX_INPUT) or -ENOMEM,
 * leaves *out NULL and, when err is not NULL, fills it in. buf may be NULL when size is 0.
 */
NODISCARD int toml_parse(const void *buf, size_t size, struct toml_value **out,
                         struct toml_error *err);

/* Frees a tree returned by toml_parse() (NULL is fine). Do not free sub-values on their own. */
void toml_free(struct toml_value *root);

/*
 * Looks key (a NUL-terminated string) up in table and returns its value, marked seen, or NULL
 * when table is NULL, not a TOML_TABLE, or has no such key. Runs in O(1) on average.
 */
struct toml_value *toml_table_get(struct toml_value *table, const char *key);

/*
 * Returns the entry of table, in document order, whose value toml_table_get() never returned,
 * or NULL when every key was asked for (or table is not a table). Use it to reject unknown keys.
 */
const struct toml_entry *toml_table_unseen(const struct toml_value *table);

/* Returns item i of an array, or NULL when arr is not an array or i is out of range. */
struct toml_value *toml_array_at(const struct toml_value *arr, size_t i);

/* The type's name as a user reads it: "string", "integer", "float", "boolean", "datetime",
 * "array", "table". */
const char *toml_type_name(enum toml_type type);

/* Fills err with a position and a printf-style message (truncated to fit). err may be NULL. */
void toml_error_set(struct toml_error *err, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
