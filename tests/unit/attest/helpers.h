/* SPDX-License-Identifier: Apache-2.0 */
/*
 * helpers.h - shared by the attestation unit tests: read a vector from ../shared/vectors (never
 * copied into the repository), load the real roots, pin a time, and flip a byte.
 */
#ifndef ENARX_TEST_ATTEST_HELPERS_H
#define ENARX_TEST_ATTEST_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "attest/attest.h"

/* Reads VECTORS_DIR/rel into a malloc'd buffer; fails the test when missing. */
static inline uint8_t *vec_read(const char *rel, size_t *size)
{
    char path[1024];
    uint8_t *buf = NULL;
    snprintf(path, sizeof(path), "%s/%s", VECTORS_DIR, rel);
    int rc = util_file_read(path, 16u << 20, &buf, size);
    if (rc < 0) fail_msg("cannot read vector %s: %d", path, rc);
    return buf;
}

static inline struct attest_roots *vec_roots(void)
{
    struct attest_roots *r = NULL;
    struct attest_error err = {{0}};
    int rc = attest_roots_load(VECTORS_DIR "/roots", NULL, &r, &err);
    if (rc < 0) fail_msg("roots: %s", err.msg);
    return r;
}

/* A UTC time from its parts. */
static inline time_t vec_time(int y, int mo, int d)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    return timegm(&tm);
}

#endif
