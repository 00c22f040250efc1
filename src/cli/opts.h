/* SPDX-License-Identifier: Apache-2.0 */
/*
 * opts.h - (private to src/cli) the one option parser every `enarx` verb uses, and the value
 * parsers (durations, sizes, counts, --env, --dir) the verbs share.
 *
 * A verb describes itself once, in a `struct opts_verb`: its name, its positional arguments, a
 * paragraph about what it does, and a table of options (name, value or not, help). From that one
 * table come the parsing, the verb's `--help`, `enarx help VERB` and its section of the man page
 * (`enarx help --man`), so none of them can drift from what the verb accepts.
 *
 * What the parser accepts, as clap (Enarx) and wasmtime users expect:
 *   --opt value   --opt=value   -o value   -ovalue   (-o only for options with a short name)
 *   --flag        (a flag given a value, --flag=x, is an error)
 *   --            ends the options: everything after it is a positional argument
 *   -             alone is a positional argument (standard input or output, by convention)
 * Options and positionals may interleave, except with OPTS_STOP_AT_ARG (`enarx run`: everything
 * after MODULE belongs to the workload). The global options are accepted by every verb, before or
 * after it, and handled here: --log-level LEVEL, -v/--verbose (one level more, repeatable),
 * -q/--quiet (errors only), -h/--help. Unknown options are named, with "did you mean '--X'?"
 * when an option of the verb is close (edit distance, or a unique prefix). Every error starts
 * with the verb's own name ("enarx config check: ...") and ends with a pointer to its --help;
 * the log prefix is set to the verb's name too, so its log lines say who speaks.
 *
 * How a verb uses it (this is the whole pattern; cmd_config.c is a short real example):
 *
 *   enum { OPT_BACKEND = 1, OPT_ENV, OPT_TIMEOUT };          // ids > 0, any order
 *   static const struct opts_option run_options[] = {
 *       {"backend", 0, "NAME", OPT_BACKEND, 0, "Keep backend: sandbox or nil (ENARX_BACKEND)"},
 *       {"env", 0, "KEY[=VALUE]", OPT_ENV, OPTS_REPEAT, "set KEY, or inherit it from the host"},
 *       {"timeout", 0, "DURATION", OPT_TIMEOUT, 0, "stop the workload after DURATION (2s)"},
 *       {0},
 *   };
 *   const struct opts_verb cli_run_verb = {
 *       .name = "run", .args = "MODULE [ARGS]...", .min_args = 1, .max_args = -1,
 *       .flags = OPTS_STOP_AT_ARG, .summary = "run a WebAssembly (WASI) module in a Keep",
 *       .description = "...", .exit_status = "...", .options = run_options,
 *   };
 *
 *   int cmd_run(int argc, char **argv)
 *   {
 *       struct opts_state st;
 *       opts_init(&st, &cli_run_verb, argc, argv);       // argv[0] is the verb
 *       char why[160];
 *       int id;
 *       while ((id = opts_next(&st)) != OPTS_END) {
 *           switch (id) {
 *           case OPTS_EXIT: return st.status;             // --help (0) or a usage error (64)
 *           case OPTS_ARG: ...st.value is MODULE: with OPTS_STOP_AT_ARG the rest are ARGS:
 *               module = st.value; args = opts_rest(&st, &nargs); break;
 *           case OPT_BACKEND: backend = st.value; break;
 *           case OPT_TIMEOUT:
 *               if (opts_parse_duration(st.value, &timeout_ns, why, sizeof(why)) < 0)
 *                   return opts_error(&st, "--timeout: %s", why);
 *               break;
 *           }
 *       }
 *       ...
 *   }
 *
 * opts_next() checks the positional count against min_args/max_args when it reaches the end,
 * so `enarx config check` without FILE is reported by the parser, in the verb's words.
 */
/*
 * Porting `enarx run` and `enarx deploy` (cmd_run.c, cmd_deploy.c) to this parser:
 *
 * 1. In cmd_run.c, replace run_usage(), takes_value(), parse_one() and parse_opts() by this
 *    table (ids are cmd_run.c's own) and a loop as above. The value checks are here already:
 *
 *   enum { OPT_BACKEND = 1, OPT_CFG, OPT_DIR, OPT_ENV, OPT_FUEL, OPT_TIMEOUT, OPT_MAXMEM,
 *          OPT_INVOKE, OPT_TIER };
 *   static const struct opts_option run_options[] = {
 *       {"backend", 0, "NAME", OPT_BACKEND, 0, "Keep backend (also ENARX_BACKEND): sandbox (the\n"
 *        "default where it works) or nil; see `enarx platform info`"},
 *       {"wasmcfgfile", 0, "FILE", OPT_CFG, 0, "Enarx.toml: the workload's args, env and files"},
 *       {"dir", 0, "HOST[::GUEST]", OPT_DIR, OPTS_REPEAT, "pre-open the host directory HOST as\n"
 *        "GUEST (default: HOST)"},
 *       {"env", 0, "KEY[=VALUE]", OPT_ENV, OPTS_REPEAT, "set KEY in the workload's environment;\n"
 *        "KEY alone passes on the host's value (unset if the host has none)"},
 *       {"fuel", 0, "N", OPT_FUEL, 0, "stop the workload after about N instructions"},
 *       {"timeout", 0, "DURATION", OPT_TIMEOUT, 0, "stop the workload after DURATION (500ms, 2s,\n"
 *        "1m)"},
 *       {"max-memory", 0, "SIZE", OPT_MAXMEM, 0, "cap the linear memory at SIZE (64MiB, 1GiB;\n"
 *        "default: the documented cap)"},
 *       {"invoke", 0, "FUNC", OPT_INVOKE, 0, "call the export FUNC with ARGS (parsed by its\n"
 *        "parameter types) instead of _start, and print its results, one per line"},
 *       {"tier", 0, "TIER", OPT_TIER, 0, "interp or native (the machine-code tier)"},
 *       {0},
 *   };
 *   const struct opts_verb cli_run_verb = {
 *       .name = "run", .args = "MODULE [ARGS]...", .min_args = 1, .max_args = -1,
 *       .flags = OPTS_STOP_AT_ARG,
 *       .summary = "run a WebAssembly (WASI) module in a Keep",
 *       .description = "Run the WebAssembly (WASI) module MODULE with ARGS in a Keep on this\n"
 *                      "machine. Options after MODULE are the workload's ARGS.",
 *       .exit_status = "the workload's exit code; 134 if it trapped (or hit --fuel,\n"
 *                      "--timeout or --max-memory); 65 bad module; 64 usage; 66 I/O;\n"
 *                      "69 backend unavailable; 78 bad Enarx.toml; 159 forbidden system call",
 *       .examples = "enarx run app.wasm\n"
 *                   "enarx run --dir=data::/data --env=GREETING=hi app.wasm --verbose\n"
 *                   "enarx run --timeout 2s --max-memory 64MiB --fuel 1000000 app.wasm\n"
 *                   "enarx run --invoke add math.wasm 1 2",
 *       .options = run_options,
 *   };
 *
 *   the cases of the loop:
 *     case OPT_ENV: {                    // KEY=VALUE, or KEY inherited; NULL: host has no KEY
 *         char *kv;
 *         int rc = opts_parse_env(st.value, &kv, why, sizeof(why));
 *         if (rc == -ENOMEM) return 70;
 *         if (rc < 0) return opts_error(&st, "--env: %s", why);
 *         if (kv) ...env_set(&env, kv), free(kv)...;
 *         break;
 *     }
 *     case OPT_DIR:                      // host is st.value[0..hlen), guest a pointer into it
 *         if (opts_parse_dir(st.value, &hlen, &guest, why, sizeof(why)) < 0)
 *             return opts_error(&st, "--dir: %s", why);
 *     case OPT_FUEL:    opts_parse_count(st.value, &fuel, why, sizeof(why))
 *     case OPT_TIMEOUT: opts_parse_duration(st.value, &timeout_ns, why, sizeof(why))
 *     case OPT_MAXMEM:  opts_parse_size(st.value, &max_bytes, why, sizeof(why))
 *                       (pages = bytes / 65536, refusing a SIZE under one page)
 *     case OPT_BACKEND: static const char *names[...]; opts_parse_choice() gives the did-you-mean
 *     case OPTS_ARG:    module = st.value; args = opts_rest(&st, &nargs); break;
 *   each failing one: return opts_error(&st, "--timeout: %s", why);  (64, "enarx run: ...")
 *
 * 2. In cli.h declare `extern const struct opts_verb cli_run_verb;` (and cli_deploy_verb), and
 *    in main.c's enarx_commands replace {"run", NULL, cmd_run, "..."} by
 *    {"run", &cli_run_verb, cmd_run, NULL}: `enarx help run`, the man page and tests/cli then
 *    use the table, and the global options work after `run` too.
 *
 * 3. cmd_deploy.c: the same, with {"backend"...} and {"env", 0, "KEY[=VALUE]", ...,
 *    OPTS_REPEAT, ...} and .name = "deploy", .args = "PACKAGE", .min_args = .max_args = 1; it
 *    passes --env on to cmd_run as "--env", value. tests/unit/cli/test_deploy.c then needs
 *    `#include "../../../src/cli/opts.c"` before cmd_deploy.c (as test_opts.c does).
 *
 * 4. tests/e2e/run-tests has `check bad-env 64 run --env NOEQUALS`: with KEY inheritance that
 *    is valid (exit 0, NOEQUALS unset in the workload); `--env =V` is the usage error now.
 */
#ifndef ENARX_CLI_OPTS_H
#define ENARX_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/util.h"

/* opts_option.flags */
#define OPTS_REPEAT 1u /* may be given more than once (help says "repeatable") */

/* opts_verb.flags */
/* options end at the first positional: the rest are the workload's (`enarx run MODULE ARGS`) */
#define OPTS_STOP_AT_ARG 1u

struct opts_option {
    const char *name;  /* the long name without "--": "backend" */
    char short_name;   /* 'b' for -b, or 0 */
    const char *value; /* the value's placeholder in help ("NAME"), or NULL for a flag */
    int id;            /* what opts_next returns for it: > 0 */
    unsigned flags;    /* OPTS_REPEAT */
    const char *help;  /* a sentence, wrapped by --help at column 80 ('\n' counts as a space) */
};

struct opts_verb;

/* One entry of a group's list of subcommands ("config" has "init" and "check"). */
struct opts_command {
    const char *name;                  /* the word typed: "check" */
    const struct opts_verb *verb;      /* its table; NULL for a verb that parses its own argv */
    int (*run)(int argc, char **argv); /* argv[0] is name; returns the exit status */
    const char *summary;               /* used when verb is NULL */
};

struct opts_verb {
    const char *name;        /* "run", "config check" (NULL: `enarx` itself): in usage, errors,
                                and the log prefix */
    const char *args;        /* the positionals in usage: "MODULE [ARGS]...", or NULL */
    int min_args, max_args;  /* how many positionals; max_args -1: any number */
    unsigned flags;          /* OPTS_STOP_AT_ARG */
    const char *summary;     /* one line, lower case, no full stop (for command lists) */
    const char *description; /* paragraphs ('\n\n' between; '\n' alone is a space), wrapped */
    const char *exit_status; /* "0 ..., 64 usage, ..." or NULL */
    const char *examples;    /* one example command per line ("enarx run app.wasm"), or NULL */
    const struct opts_option *options;   /* ends with an entry whose name is NULL */
    const struct opts_command *commands; /* a group's subcommands (ends with name NULL), or NULL */
};

/* What opts_next returns besides an option's id. */
enum {
    OPTS_END = 0,   /* no more arguments (positional counts checked) */
    OPTS_ARG = -1,  /* a positional argument, in st->value */
    OPTS_EXIT = -2, /* stop and return st->status: --help printed (0) or usage error (64) */
};

/* The state of one parse. Read value and status; the rest is the parser's. */
struct opts_state {
    const struct opts_verb *verb;
    int argc;
    char **argv;
    int next;           /* index of the next argv element to look at */
    const char *value;  /* the value of the option (or the positional) just returned */
    const char *option; /* the option as typed, without "=value" ("--env", "-e"), for messages */
    int status;         /* exit status after OPTS_EXIT */
    int nargs;          /* positionals returned so far */
    bool only_args;     /* after "--", or after the first positional with OPTS_STOP_AT_ARG */
    const char *shorts; /* the rest of a bundle of short flags ("-vv") */
    char optbuf[64];    /* storage for option when it is a short one or cut at '=' */
};

/* Starts parsing argv[1..argc) for verb (argv[0] is the verb's own word, skipped). Sets the log
 * prefix to "enarx VERB". */
void opts_init(struct opts_state *st, const struct opts_verb *verb, int argc, char **argv);

/* The next option's id (> 0, value in st->value when it takes one), OPTS_ARG, OPTS_END or
 * OPTS_EXIT (see above). Global options are applied here and never returned. */
int opts_next(struct opts_state *st);

/* The arguments not yet looked at (after the positional OPTS_STOP_AT_ARG stopped at): their
 * count in *count, and a pointer into argv. The parse is then over. */
char **opts_rest(struct opts_state *st, int *count);

/* Prints "enarx VERB: <message>" and "Try 'enarx VERB --help'." to stderr; returns 64
 * (EXIT_USAGE), the status a verb returns for a bad command line. */
int opts_error(const struct opts_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * For a group (verb->commands set, OPTS_STOP_AT_ARG): runs the subcommand named by the positional
 * opts_next just returned, with the arguments after it, and returns its exit status; an unknown
 * name is a usage error ("unknown subcommand 'snp'", with a "did you mean").
 */
int opts_run_command(struct opts_state *st);

/* The whole of a verb that only groups subcommands (`enarx config`): global options, --help
 * listing the subcommands, then opts_run_command. argv[0] is the group's word. */
int opts_run_group(const struct opts_verb *verb, int argc, char **argv);

/* The subcommand of group named word, or NULL. */
const struct opts_command *opts_command_find(const struct opts_verb *group, const char *word);

/* One line about a command, for lists: its verb's summary or its own. */
const char *opts_command_summary(const struct opts_command *c);

/* Writes verb's --help text (usage, description, options, global options, exit status,
 * examples) to out. */
void opts_help(const struct opts_verb *verb, FILE *out);

/* Writes verb as a man page section (roff: .SS per verb, .TP per option) to out. */
void opts_man(const struct opts_verb *verb, FILE *out);

/* Writes text (another command's own --help, verbatim) as a man page section titled title. */
void opts_man_text(const char *title, const char *text, size_t size, FILE *out);

/* Writes v's own options, then the global ones, as roff .TP entries (the man page's OPTIONS). */
void opts_man_options(const struct opts_verb *v, FILE *out);

/* The candidate in names[0..count) closest to word (edit distance at most 2, at most a third of
 * word's length, or word is a prefix of exactly one name), or NULL. */
const char *opts_suggest(const char *word, const char *const *names, size_t count);

/*
 * Value parsers: strict (the whole string, no signs, no spaces, no fractions), 0 on success;
 * -EINVAL or -ERANGE with a one-line reason in why (why_size bytes) saying what was expected.
 */

/* A count (--fuel): decimal digits, > 0, fits in uint64_t. */
NODISCARD int opts_parse_count(const char *s, uint64_t *out, char *why, size_t why_size);

/* A duration (--timeout): one or more NUMBER UNIT groups, units ms, s, m, h ("500ms", "2s",
 * "1m30s"); > 0; in nanoseconds. A bare number is refused (which unit was meant?). */
NODISCARD int opts_parse_duration(const char *s, uint64_t *ns, char *why, size_t why_size);

/* A size (--max-memory): NUMBER with an optional unit: B or none (bytes), KiB MiB GiB TiB
 * (powers of 1024), kB MB GB TB (powers of 1000); > 0; in bytes. */
NODISCARD int opts_parse_size(const char *s, uint64_t *bytes, char *why, size_t why_size);

/*
 * --env KEY=VALUE, or --env KEY (as wasmtime: the host's value of KEY). On success *out is a
 * malloc'd "KEY=VALUE" (caller frees), or NULL when KEY alone was given and the host has no KEY
 * (wasmtime leaves it unset then). -EINVAL for an empty KEY ("=VALUE"), -ENOMEM.
 */
NODISCARD int opts_parse_env(const char *s, char **out, char *why, size_t why_size);

/* --dir HOST[::GUEST]: the host path is s[0..*host_len), the guest path *guest (pointing into s;
 * HOST itself when there is no "::GUEST"). -EINVAL for an empty HOST or GUEST. */
NODISCARD int opts_parse_dir(const char *s, size_t *host_len, const char **guest, char *why,
                             size_t why_size);

/* One of choices[0..count) (--backend, --tier): its index in *idx; -EINVAL with the choices
 * and a "did you mean" in why otherwise. */
NODISCARD int opts_parse_choice(const char *s, const char *const *choices, size_t count,
                                size_t *idx, char *why, size_t why_size);

#endif
