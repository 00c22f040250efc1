/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.c - leveled logging to stderr. The level comes from ENARX_LOG the first time a message is
 * considered, unless log_set_level() was called before. Every line starts with a prefix naming
 * who speaks (the binary, or the binary and its verb: "enarx config check: warn: ..."), so the
 * lines of a Keep, a Steward and a script that drives both can be told apart; the C source
 * location is added at debug level only.
 */
/* program_invocation_short_name: _GNU_SOURCE comes from the build (meson.build) */
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum log_level g_level = LOG_WARN;
static bool g_level_set;
static char g_prefix[64];

static const char *const level_names[] = {"error", "warn", "info", "debug"};

int log_level_parse(const char *s, enum log_level *out)
{
    for (size_t i = 0; i < ARRAY_LEN(level_names); i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return -EINVAL;
}

void log_set_level(enum log_level level)
{
    g_level = level;
    g_level_set = true;
}

enum log_level log_get_level(void)
{
    if (!g_level_set) {
        const char *env = getenv("ENARX_LOG");
        enum log_level l;
        if (env && log_level_parse(env, &l) == 0) g_level = l;
        g_level_set = true;
    }
    return g_level;
}

void log_set_prefix(const char *prefix)
{
    snprintf(g_prefix, sizeof(g_prefix), "%s", prefix ? prefix : "");
}

const char *log_get_prefix(void)
{
    if (g_prefix[0]) return g_prefix;
    const char *name = program_invocation_short_name;
    return name && name[0] ? name : "enarx";
}

void log_write(enum log_level level, const char *file, int line, const char *fmt, ...)
{
    enum log_level current = log_get_level();
    if (level > current) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (current < LOG_DEBUG) {
        fprintf(stderr, "%s: %s: %s\n", log_get_prefix(), level_names[level], msg);
        return;
    }
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    fprintf(stderr, "%s: %s: %s (%s:%d)\n", log_get_prefix(), level_names[level], msg, base, line);
}
