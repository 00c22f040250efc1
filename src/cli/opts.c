/* SPDX-License-Identifier: Apache-2.0 */
/*
 * opts.c - the option parser, help and man page writer, and value parsers of opts.h.
 *
 * The parser is an iterator (opts_next) over one verb's table rather than a callback or a
 * getopt_long wrapper: the verb keeps its own switch over option ids, values are checked where
 * they are used, and errors carry the verb's name because the table does. The global options
 * live in one table here, so every verb accepts them in the same place with the same words.
 * Nothing is allocated; every string returned points into argv.
 */
#include "opts.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { GLOBAL_LOG_LEVEL = -100, GLOBAL_VERBOSE, GLOBAL_QUIET, GLOBAL_HELP };

static const struct opts_option g_globals[] = {
    {"log-level", 0, "LEVEL", GLOBAL_LOG_LEVEL, 0,
     "error, warn (default), info, debug (also ENARX_LOG)"},
    {"verbose", 'v', NULL, GLOBAL_VERBOSE, OPTS_REPEAT, "log more: info, and with -vv debug"},
    {"quiet", 'q', NULL, GLOBAL_QUIET, 0, "log errors only"},
    {"help", 'h', NULL, GLOBAL_HELP, 0, "show this help"},
    {0},
};

/* ---- suggestions ---- */

/* Optimal string alignment distance (a swap of neighbours counts as one edit), capped at 9. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return 9;
    size_t d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t v = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < v) v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[la][lb] > 9 ? 9 : d[la][lb];
}

const char *opts_suggest(const char *word, const char *const *names, size_t count)
{
    size_t wlen = strlen(word), best_d = SIZE_MAX, prefixed = 0;
    const char *best = NULL, *prefix = NULL;
    if (wlen == 0) return NULL;
    for (size_t i = 0; i < count; i++) {
        if (strncmp(names[i], word, wlen) == 0) {
            prefix = names[i];
            prefixed++;
        }
        size_t d = edit_distance(word, names[i]);
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    if (best_d <= 2 && best_d <= (wlen + 2) / 3) return best;
    return prefixed == 1 && wlen >= 2 ? prefix : NULL;
}

/* ---- lookup ---- */

static const struct opts_option *find_long(const struct opts_option *t, const char *name,
                                           size_t len)
{
    for (; t && t->name; t++)
        if (strlen(t->name) == len && strncmp(t->name, name, len) == 0) return t;
    return NULL;
}

static const struct opts_option *find_short(const struct opts_option *t, char c)
{
    for (; t && t->name; t++)
        if (t->short_name && t->short_name == c) return t;
    return NULL;
}

static const struct opts_option *lookup_long(const struct opts_verb *v, const char *n, size_t len)
{
    const struct opts_option *o = find_long(v->options, n, len);
    return o ? o : find_long(g_globals, n, len);
}

static const struct opts_option *lookup_short(const struct opts_verb *v, char c)
{
    const struct opts_option *o = find_short(v->options, c);
    return o ? o : find_short(g_globals, c);
}

/* "did you mean '--X'?" for an unknown long name (without dashes), or "". */
static void suggest_option(const struct opts_verb *v, const char *name, char *out, size_t size)
{
    const char *names[128];
    size_t n = 0;
    for (const struct opts_option *o = v->options; o && o->name && n < 124; o++)
        names[n++] = o->name;
    for (const struct opts_option *o = g_globals; o->name; o++)
        names[n++] = o->name;
    const char *s = opts_suggest(name, names, n);
    out[0] = '\0';
    if (s) snprintf(out, size, " (did you mean '--%s'?)", s);
}

/* ---- errors ---- */

/* "enarx" or "enarx NAME", as typed. */
static const char *full_name(const struct opts_verb *v, char *buf, size_t size)
{
    snprintf(buf, size, "enarx%s%s", v->name ? " " : "", v->name ? v->name : "");
    return buf;
}

static int verror(const struct opts_verb *v, const char *fmt, va_list ap)
{
    char name[64];
    fprintf(stderr, "%s: ", full_name(v, name, sizeof(name)));
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry '%s --help'.\n", name);
    return EXIT_USAGE;
}

int opts_error(const struct opts_state *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = verror(st->verb, fmt, ap);
    va_end(ap);
    return rc;
}

static int usage_fail(struct opts_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int usage_fail(struct opts_state *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    st->status = verror(st->verb, fmt, ap);
    va_end(ap);
    st->next = st->argc + 1; /* past the end: the parse is over */
    st->shorts = NULL;
    return OPTS_EXIT;
}

/* ---- the parser ---- */

void opts_init(struct opts_state *st, const struct opts_verb *verb, int argc, char **argv)
{
    memset(st, 0, sizeof(*st));
    st->verb = verb;
    st->argc = argc;
    st->argv = argv;
    st->next = argc > 0 ? 1 : 0;
    char prefix[64];
    log_set_prefix(full_name(verb, prefix, sizeof(prefix)));
}

/* Applies a global option; returns 0 to go on, or OPTS_EXIT. */
static int apply_global(struct opts_state *st, const struct opts_option *o)
{
    enum log_level level = log_get_level();
    switch (o->id) {
    case GLOBAL_LOG_LEVEL:
        if (log_level_parse(st->value, &level) < 0)
            return usage_fail(
                st, "--log-level: unknown level '%s' (expected error, warn, info or debug)",
                st->value);
        log_set_level(level);
        return 0;
    case GLOBAL_VERBOSE:
        if (level < LOG_DEBUG) log_set_level((enum log_level)(level + 1));
        return 0;
    case GLOBAL_QUIET: log_set_level(LOG_ERROR); return 0;
    default:
        opts_help(st->verb, stdout);
        st->status = 0;
        st->next = st->argc + 1;
        st->shorts = NULL;
        return OPTS_EXIT;
    }
}

/* The option o was found as st->option; its value is inline (may be NULL) or the next
 * argument. Returns its id, or OPTS_EXIT, or 0 for a global option applied. */
static int take(struct opts_state *st, const struct opts_option *o, const char *inline_value)
{
    st->value = NULL;
    if (!o->value) {
        if (inline_value) return usage_fail(st, "option '%s' takes no value", st->option);
    } else if (inline_value) {
        st->value = inline_value;
    } else if (st->next < st->argc) {
        st->value = st->argv[st->next++];
    } else {
        return usage_fail(st, "option '%s' needs a value (%s)", st->option, o->value);
    }
    return o->id < 0 ? apply_global(st, o) : o->id;
}

static int next_long(struct opts_state *st, const char *a)
{
    const char *name = a + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    snprintf(st->optbuf, sizeof(st->optbuf), "--%.*s", (int)(len < 60 ? len : 60), name);
    st->option = st->optbuf;
    const struct opts_option *o = lookup_long(st->verb, name, len);
    if (!o) {
        char hint[96], bare[64];
        snprintf(bare, sizeof(bare), "%.*s", (int)(len < 60 ? len : 60), name);
        suggest_option(st->verb, bare, hint, sizeof(hint));
        return usage_fail(st, "unknown option '%s'%s", st->option, hint);
    }
    return take(st, o, eq ? eq + 1 : NULL);
}

/* One short option from a bundle ("-vq", "-ofile"); st->shorts points at its letter. */
static int next_short(struct opts_state *st)
{
    char c = *st->shorts++;
    snprintf(st->optbuf, sizeof(st->optbuf), "-%c", c);
    st->option = st->optbuf;
    const struct opts_option *o = lookup_short(st->verb, c);
    if (!o) {
        char hint[96] = "";
        /* "-json": a long option typed with one dash */
        if (st->shorts[0] && st->shorts == st->argv[st->next - 1] + 2) {
            const char *word = st->shorts - 1;
            snprintf(st->optbuf, sizeof(st->optbuf), "-%.60s", word);
            if (lookup_long(st->verb, word, strlen(word)))
                snprintf(hint, sizeof(hint), " (did you mean '--%s'?)", word);
            else
                suggest_option(st->verb, word, hint, sizeof(hint));
        }
        return usage_fail(st, "unknown option '%s'%s", st->option, hint);
    }
    const char *inline_value = NULL;
    if (o->value && *st->shorts) {
        inline_value = st->shorts;
        st->shorts = NULL;
    }
    if (st->shorts && !*st->shorts) st->shorts = NULL;
    return take(st, o, inline_value);
}

static int positional(struct opts_state *st, const char *a)
{
    const struct opts_verb *v = st->verb;
    if (v->max_args >= 0 && st->nargs >= v->max_args)
        return usage_fail(st, "unexpected argument '%s'", a);
    st->nargs++;
    st->value = a;
    if (v->flags & OPTS_STOP_AT_ARG) st->only_args = true;
    return OPTS_ARG;
}

/* At the end: enough positionals? Names the first missing one from verb->args. */
static int at_end(struct opts_state *st)
{
    const struct opts_verb *v = st->verb;
    if (st->nargs >= v->min_args) return OPTS_END;
    const char *p = v->args ? v->args : "ARG";
    for (int i = 0; i < st->nargs && strchr(p, ' '); i++)
        p = strchr(p, ' ') + 1;
    size_t len = strcspn(p, " ");
    return usage_fail(st, "missing %.*s", (int)len, p);
}

int opts_next(struct opts_state *st)
{
    for (;;) {
        int id;
        if (st->shorts) {
            id = next_short(st);
        } else if (st->next >= st->argc) {
            return st->next == st->argc ? at_end(st) : OPTS_EXIT;
        } else {
            const char *a = st->argv[st->next++];
            if (st->only_args || a[0] != '-' || a[1] == '\0') return positional(st, a);
            if (strcmp(a, "--") == 0) {
                st->only_args = true;
                continue;
            }
            if (a[1] == '-') {
                id = next_long(st, a);
            } else if (a[2] && lookup_long(st->verb, a + 1, strlen(a + 1))) {
                /* "-force": read as -f -o -r... it would fail on a letter; say what was meant */
                id = usage_fail(st, "unknown option '%s' (did you mean '-%s'?)", a, a);
            } else {
                st->shorts = a + 1;
                id = next_short(st);
            }
        }
        if (id != 0) return id;
    }
}

char **opts_rest(struct opts_state *st, int *count)
{
    if (st->next > st->argc) st->next = st->argc;
    char **rest = st->argv + st->next;
    *count = st->argc - st->next;
    st->nargs += *count;
    st->next = st->argc;
    return rest;
}

/* ---- help ---- */

#define HELP_COLUMN 28 /* where an option's help starts */
#define HELP_WIDTH 80  /* the lines of --help end before this column */

/*
 * Writes text with its words wrapped before column HELP_WIDTH, every line indented to column
 * indent; the first line goes after the `col` columns already written (HELP_WIDTH: start on the
 * next line). A single '\n' in text is a space (authors may wrap their strings anywhere); a
 * blank line ("\n\n") separates paragraphs.
 */
static void wrap(const char *text, int indent, int col, FILE *out)
{
    bool para = false;
    for (const char *p = text; *p;) {
        if (*p == ' ' || *p == '\n') {
            para |= p[0] == '\n' && p[1] == '\n';
            p++;
            continue;
        }
        int len = (int)strcspn(p, " \n");
        if (col > indent && (para || col + 1 + len >= HELP_WIDTH)) {
            fputs(para ? "\n\n" : "\n", out);
            col = 0;
        }
        if (col < indent) {
            fprintf(out, "%*s", indent - col, "");
            col = indent;
        } else if (col > 0) {
            fputc(' ', out);
            col++;
        }
        fprintf(out, "%.*s", len, p);
        col += len;
        p += len;
        para = false;
    }
    fputc('\n', out);
}

static void help_options(const struct opts_option *t, FILE *out)
{
    for (; t && t->name; t++) {
        char shorts[8] = "    ", help[512];
        if (t->short_name) snprintf(shorts, sizeof(shorts), "-%c, ", t->short_name);
        int n = fprintf(out, "  %s--%s%s%s", shorts, t->name, t->value ? " " : "",
                        t->value ? t->value : "");
        snprintf(help, sizeof(help), "%s%s", t->help,
                 t->flags & OPTS_REPEAT ? " (repeatable)" : "");
        /* a left part reaching the help column puts the help on the next line */
        wrap(help, HELP_COLUMN, n >= HELP_COLUMN - 1 ? HELP_WIDTH : n, out);
    }
}

const struct opts_command *opts_command_find(const struct opts_verb *group, const char *word)
{
    for (const struct opts_command *c = group->commands; c && c->name; c++)
        if (strcmp(c->name, word) == 0) return c;
    return NULL;
}

const char *opts_command_summary(const struct opts_command *c)
{
    return c->verb && c->verb->summary ? c->verb->summary : c->summary ? c->summary : "";
}

int opts_run_command(struct opts_state *st)
{
    const struct opts_verb *v = st->verb;
    const struct opts_command *c = opts_command_find(v, st->value);
    if (!c) {
        const char *names[64];
        size_t n = 0;
        char list[256] = "";
        size_t len = 0;
        for (const struct opts_command *k = v->commands; k && k->name && n < 64; k++) {
            names[n++] = k->name;
            len += (size_t)snprintf(list + len, len < sizeof(list) ? sizeof(list) - len : 0, "%s%s",
                                    n > 1 ? ", " : "", k->name);
        }
        const char *near = opts_suggest(st->value, names, n);
        const char *what = v->name ? "subcommand" : "command";
        if (near)
            usage_fail(st, "unknown %s '%s' (did you mean '%s'?)", what, st->value, near);
        else
            usage_fail(st, "unknown %s '%s' (expected %s)", what, st->value, list);
        return st->status;
    }
    int count;
    char **rest = opts_rest(st, &count);
    /* the subcommand sees its own word as argv[0], then the rest */
    return c->run(count + 1, rest - 1);
}

int opts_run_group(const struct opts_verb *verb, int argc, char **argv)
{
    struct opts_state st;
    opts_init(&st, verb, argc, argv);
    for (;;) {
        int id = opts_next(&st);
        if (id == OPTS_ARG) return opts_run_command(&st);
        if (id == OPTS_EXIT) return st.status;
        if (id == OPTS_END) return EXIT_USAGE; /* min_args 1: not reached */
    }
}

static void help_commands(const struct opts_verb *v, FILE *out)
{
    fputs("\nCommands:\n", out);
    for (const struct opts_command *c = v->commands; c->name; c++)
        fprintf(out, "  %-12s%s\n", c->name, opts_command_summary(c));
}

void opts_help(const struct opts_verb *v, FILE *out)
{
    char name[64];
    fprintf(out, "Usage: %s [OPTIONS]%s%s\n\n", full_name(v, name, sizeof(name)),
            v->args ? " " : "", v->args ? v->args : "");
    if (v->description) wrap(v->description, 0, 0, out);
    if (v->commands) help_commands(v, out);
    if (v->options && v->options->name) {
        fputs("\nOptions:\n", out);
        help_options(v->options, out);
    }
    fputs("\nGlobal options (before or after the command):\n", out);
    help_options(g_globals, out);
    if (v->exit_status) {
        fputs("\nExit status:", out);
        wrap(v->exit_status, 2, 12, out);
    }
    if (v->commands) fprintf(out, "\nRun '%s COMMAND --help' for a command's own options.\n", name);
    if (v->examples) {
        fputs("\nExamples:\n", out);
        for (const char *e = v->examples; *e;) {
            size_t len = strcspn(e, "\n");
            fprintf(out, "  %.*s\n", (int)len, e);
            e += len + (e[len] == '\n');
        }
    }
}

/* ---- man page ---- */

/* Writes len bytes of s as roff text: '-' and '\' escaped, no line starts with '.' or '''. */
static void roff(const char *s, size_t len, FILE *out)
{
    bool bol = true;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (bol && (c == '.' || c == '\'')) fputs("\\&", out);
        if (c == '-' || c == '\\')
            fprintf(out, "\\%c", c == '-' ? '-' : 'e');
        else
            fputc(c, out);
        bol = c == '\n';
    }
}

static void roffs(const char *s, FILE *out)
{
    roff(s, strlen(s), out);
}

/* Paragraphs separated by blank lines become .PP blocks. */
static void roff_paragraphs(const char *s, FILE *out)
{
    while (*s) {
        const char *end = strstr(s, "\n\n");
        size_t len = end ? (size_t)(end - s) : strlen(s);
        while (len && s[len - 1] == '\n')
            len--;
        fputs(".PP\n", out);
        roff(s, len, out);
        fputc('\n', out);
        s += len;
        while (*s == '\n')
            s++;
    }
}

static void man_options(const struct opts_option *t, FILE *out)
{
    for (; t && t->name; t++) {
        fputs(".TP\n", out);
        if (t->short_name) fprintf(out, "\\fB\\-%c\\fR, ", t->short_name);
        fputs("\\fB\\-\\-", out);
        roffs(t->name, out);
        fputs("\\fR", out);
        if (t->value) {
            fputs(" \\fI", out);
            roffs(t->value, out);
            fputs("\\fR", out);
        }
        fputc('\n', out);
        /* the help text, continuation lines joined */
        char buf[512];
        size_t n = 0;
        for (const char *h = t->help; *h && n < sizeof(buf) - 1; h++)
            buf[n++] = *h == '\n' ? ' ' : *h;
        roff(buf, n, out);
        fputs(t->flags & OPTS_REPEAT ? " (repeatable)\n" : "\n", out);
    }
}

void opts_man(const struct opts_verb *v, FILE *out)
{
    char name[64];
    fputs(".SS \"", out);
    roffs(full_name(v, name, sizeof(name)), out);
    if (v->args) {
        fputs(" [OPTIONS] ", out);
        roffs(v->args, out);
    }
    fputs("\"\n", out);
    if (v->description) roff_paragraphs(v->description, out);
    if (v->options && v->options->name) {
        fputs(".PP\nOptions:\n.RS\n", out);
        man_options(v->options, out);
        fputs(".RE\n", out);
    }
    if (v->exit_status) {
        fputs(".PP\nExit status: ", out);
        roffs(v->exit_status, out);
        fputc('\n', out);
    }
    if (v->examples) {
        fputs(".PP\nExamples:\n.RS\n.nf\n", out);
        roffs(v->examples, out);
        fputs("\n.fi\n.RE\n", out);
    }
}

void opts_man_text(const char *title, const char *text, size_t size, FILE *out)
{
    fputs(".SS \"", out);
    roffs(title, out);
    fputs("\"\n.nf\n", out);
    roff(text, size, out);
    if (size && text[size - 1] != '\n') fputc('\n', out);
    fputs(".fi\n", out);
}

void opts_man_options(const struct opts_verb *v, FILE *out)
{
    man_options(v->options, out);
    man_options(g_globals, out);
}

/* ---- value parsers ---- */

static int why_fail(int rc, char *why, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int why_fail(int rc, char *why, size_t size, const char *fmt, ...)
{
    if (size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, size, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* Leading decimal digits of *p into *v (advancing *p): 0, -EINVAL (none), -ERANGE. */
static int digits(const char **p, uint64_t *v)
{
    const char *s = *p;
    uint64_t n = 0;
    if (!isdigit((unsigned char)*s)) return -EINVAL;
    for (; isdigit((unsigned char)*s); s++) {
        unsigned d = (unsigned)(*s - '0');
        if (n > (UINT64_MAX - d) / 10) return -ERANGE;
        n = n * 10 + d;
    }
    *p = s;
    *v = n;
    return 0;
}

int opts_parse_count(const char *s, uint64_t *out, char *why, size_t why_size)
{
    const char *p = s;
    uint64_t v = 0;
    int rc = digits(&p, &v);
    if (rc == -ERANGE) return why_fail(rc, why, why_size, "'%s' is too large", s);
    if (rc < 0 || *p) return why_fail(-EINVAL, why, why_size, "'%s' is not a whole number", s);
    if (v == 0) return why_fail(-EINVAL, why, why_size, "'%s': must be at least 1", s);
    *out = v;
    return 0;
}

static const struct {
    const char *name;
    uint64_t ns;
} g_time_units[] = {
    {"ms", 1000000ull},
    {"s", 1000000000ull},
    {"m", 60000000000ull},
    {"h", 3600000000000ull},
};

int opts_parse_duration(const char *s, uint64_t *ns, char *why, size_t why_size)
{
    static const char expect[] = "expected a number and a unit: ms, s, m or h (500ms, 2s, 1m30s)";
    const char *p = s;
    uint64_t total = 0;
    if (!*s) return why_fail(-EINVAL, why, why_size, "empty duration: %s", expect);
    while (*p) {
        uint64_t n = 0;
        int rc = digits(&p, &n);
        if (rc == -ERANGE) return why_fail(rc, why, why_size, "'%s' is too long", s);
        if (rc < 0) return why_fail(rc, why, why_size, "'%s' is not a duration: %s", s, expect);
        size_t ulen = strspn(p, "abcdefghijklmnopqrstuvwxyz");
        size_t u = 0;
        while (u < ARRAY_LEN(g_time_units) &&
               (strlen(g_time_units[u].name) != ulen || strncmp(p, g_time_units[u].name, ulen)))
            u++;
        if (ulen == 0 && *p == '\0')
            return why_fail(-EINVAL, why, why_size, "'%s' has no unit: %s", s, expect);
        if (u == ARRAY_LEN(g_time_units))
            return why_fail(-EINVAL, why, why_size, "'%s' is not a duration: %s", s, expect);
        uint64_t mul = g_time_units[u].ns;
        if (n > UINT64_MAX / mul || total > UINT64_MAX - n * mul)
            return why_fail(-ERANGE, why, why_size, "'%s' is too long", s);
        total += n * mul;
        p += ulen;
    }
    if (total == 0) return why_fail(-EINVAL, why, why_size, "'%s': must be more than zero", s);
    *ns = total;
    return 0;
}

static const struct {
    const char *name;
    uint64_t mul;
} g_size_units[] = {
    {"", 1},
    {"B", 1},
    {"KiB", 1ull << 10},
    {"MiB", 1ull << 20},
    {"GiB", 1ull << 30},
    {"TiB", 1ull << 40},
    {"kB", 1000ull},
    {"KB", 1000ull},
    {"MB", 1000000ull},
    {"GB", 1000000000ull},
    {"TB", 1000000000000ull},
};

int opts_parse_size(const char *s, uint64_t *bytes, char *why, size_t why_size)
{
    static const char expect[] = "expected bytes, or a number with KiB, MiB, GiB, TiB (1024) or "
                                 "kB, MB, GB, TB (1000): 64MiB, 1GiB, 65536";
    const char *p = s;
    uint64_t n = 0;
    int rc = digits(&p, &n);
    if (rc == -ERANGE) return why_fail(rc, why, why_size, "'%s' is too large", s);
    if (rc < 0) return why_fail(rc, why, why_size, "'%s' is not a size: %s", s, expect);
    size_t u = 0;
    while (u < ARRAY_LEN(g_size_units) && strcmp(p, g_size_units[u].name) != 0)
        u++;
    if (u == ARRAY_LEN(g_size_units))
        return why_fail(-EINVAL, why, why_size, "'%s': unknown unit '%s': %s", s, p, expect);
    if (n > UINT64_MAX / g_size_units[u].mul)
        return why_fail(-ERANGE, why, why_size, "'%s' is too large", s);
    if (n == 0) return why_fail(-EINVAL, why, why_size, "'%s': must be more than zero", s);
    *bytes = n * g_size_units[u].mul;
    return 0;
}

int opts_parse_env(const char *s, char **out, char *why, size_t why_size)
{
    const char *eq = strchr(s, '=');
    size_t klen = eq ? (size_t)(eq - s) : strlen(s);
    *out = NULL;
    if (klen == 0)
        return why_fail(-EINVAL, why, why_size,
                        "'%s': expected KEY=VALUE, or KEY to pass on "
                        "the host's value",
                        s);
    if (eq) {
        *out = strdup(s);
        return *out ? 0 : -ENOMEM;
    }
    const char *host = getenv(s);
    if (!host) return 0;
    size_t size = klen + 1 + strlen(host) + 1;
    *out = malloc(size);
    if (!*out) return -ENOMEM;
    snprintf(*out, size, "%s=%s", s, host);
    return 0;
}

int opts_parse_dir(const char *s, size_t *host_len, const char **guest, char *why, size_t why_size)
{
    const char *sep = strstr(s, "::");
    size_t hlen = sep ? (size_t)(sep - s) : strlen(s);
    if (hlen == 0)
        return why_fail(-EINVAL, why, why_size, "'%s': expected HOST[::GUEST], HOST missing", s);
    if (sep && sep[2] == '\0')
        return why_fail(-EINVAL, why, why_size, "'%s': expected HOST[::GUEST], GUEST missing", s);
    *host_len = hlen;
    *guest = sep ? sep + 2 : s;
    return 0;
}

int opts_parse_choice(const char *s, const char *const *choices, size_t count, size_t *idx,
                      char *why, size_t why_size)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(s, choices[i]) == 0) {
            *idx = i;
            return 0;
        }
    }
    char list[256] = "";
    size_t n = 0;
    for (size_t i = 0; i < count && n < sizeof(list); i++)
        n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "", choices[i]);
    const char *near = opts_suggest(s, choices, count);
    return why_fail(-EINVAL, why, why_size, "unknown value '%s' (expected %s)%s%s%s", s, list,
                    near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
}
