/* SPDX-License-Identifier: Apache-2.0 */
/*
 * der.h - (private to src/attest) a strict, bounds-checked reader of DER TLVs for hostile input.
 *
 * A struct der_cursor is a window [p, end) into a caller's buffer. der_next() reads one TLV
 * (one-byte tags only, definite lengths in minimal form up to 4 length bytes) and advances; the
 * value is a sub-window of the input, so nothing is copied and nothing is allocated. Every read
 * is checked against end, so no input can make the reader go past its buffer.
 */
#ifndef ENARX_ATTEST_DER_H
#define ENARX_ATTEST_DER_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

#define DER_INTEGER 0x02
#define DER_BIT_STRING 0x03
#define DER_OCTET_STRING 0x04
#define DER_NULL 0x05
#define DER_OID 0x06
#define DER_UTF8_STRING 0x0c
#define DER_IA5_STRING 0x16
#define DER_SEQUENCE 0x30
#define DER_SET 0x31

struct der_cursor {
    const uint8_t *p;
    const uint8_t *end;
};

/* One element: its tag, its value window, and the whole encoding (header + value). */
struct der_elem {
    uint8_t tag;
    const uint8_t *val;
    size_t len;
    const uint8_t *raw;
    size_t raw_size;
};

/* Starts a cursor over buf[0..size). */
void der_init(struct der_cursor *c, const uint8_t *buf, size_t size);

/* Reads the next TLV into *e. Returns 0, -ENODATA at the end, or -EBADMSG when malformed. */
NODISCARD int der_next(struct der_cursor *c, struct der_elem *e);

/* Reads the next TLV and requires its tag. Returns 0 or -EBADMSG. */
NODISCARD int der_expect(struct der_cursor *c, uint8_t tag, struct der_elem *e);

/* A cursor over an element's value (to descend into a constructed element). */
void der_enter(const struct der_elem *e, struct der_cursor *inner);

/* True when the cursor has nothing left. */
int der_at_end(const struct der_cursor *c);

/*
 * Decodes a non-negative DER INTEGER value (the value bytes of e) of at most 8 bytes after a
 * leading zero. Returns 0 or -EBADMSG (negative, non-minimal, too large).
 */
NODISCARD int der_uint(const struct der_elem *e, uint64_t *out);

#endif
