/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_platform.c - `enarx platform info [--json]`: what this host offers a Keep: each
 * backend with its availability (and why not), the CPU, and which attestation sources exist.
 * Paths are read beneath ENARX_SYSROOT (default "/"), the seam tests use for a fake host.
 */
#include <cpuid.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "opts.h"
#include "attest/attest.h"
#include "keep/backend.h"

static const struct {
    const char *path;
    const char *what;
} attest_sources[] = {
    {"/dev/sev-guest", "AMD SEV-SNP guest device"},
    {"/sys/kernel/config/tsm/report", "configfs-tsm attestation reports (SNP or TDX guest)"},
    {"/dev/tdx_guest", "Intel TDX guest device"},
    {"/dev/sgx_enclave", "Intel SGX enclave device"},
};

static bool exists_in_sysroot(const char *path)
{
    const char *root = getenv("ENARX_SYSROOT");
    char full[4096];
    snprintf(full, sizeof(full), "%s%s", root ? root : "", path);
    return access(full, F_OK) == 0;
}

/* CPU vendor (12 chars) and brand string (48 chars) from CPUID. */
static void cpu_ident(char vendor[13], char model[49])
{
    unsigned a, b, c, d;
    memset(vendor, 0, 13);
    memset(model, 0, 49);
    if (!__get_cpuid(0, &a, &b, &c, &d)) return;
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &d, 4);
    memcpy(vendor + 8, &c, 4);
    for (unsigned i = 0; i < 3; i++) {
        if (!__get_cpuid(0x80000002 + i, &a, &b, &c, &d)) break;
        unsigned regs[4] = {a, b, c, d};
        memcpy(model + 16 * i, regs, 16);
    }
    /* the brand string is padded with leading spaces on some CPUs */
    size_t skip = strspn(model, " ");
    memmove(model, model + skip, 49 - skip);
    for (size_t n = strlen(model); n > 0 && model[n - 1] == ' '; n--)
        model[n - 1] = '\0';
}

static int print_json(const char *vendor, const char *model)
{
    json_t *root = json_object(), *bes = json_array(), *srcs = json_array();
    size_t n;
    const struct keep_backend *const *b = keep_backends(&n);
    for (size_t i = 0; i < n; i++) {
        char why[256] = "";
        bool ok = b[i]->probe(why, sizeof(why)) == 0;
        json_array_append_new(bes,
                              json_pack("{s:s, s:s, s:b, s:s?}", "name", b[i]->name, "summary",
                                        b[i]->summary, "available", ok, "reason", ok ? NULL : why));
    }
    for (size_t i = 0; i < sizeof(attest_sources) / sizeof(attest_sources[0]); i++)
        json_array_append_new(srcs, json_pack("{s:s, s:s, s:b}", "path", attest_sources[i].path,
                                              "what", attest_sources[i].what, "present",
                                              exists_in_sysroot(attest_sources[i].path)));
    json_object_set_new(root, "cpu", json_pack("{s:s, s:s}", "vendor", vendor, "model", model));
    json_object_set_new(root, "default_backend", json_string(keep_backend_default()->name));
    json_object_set_new(root, "backends", bes);
    json_object_set_new(root, "attestation_sources", srcs);
    char why[256] = "";
    enum attest_provider p = attest_provider_detect(NULL, why, sizeof(why));
    json_object_set_new(root, "evidence_provider",
                        json_pack("{s:s, s:b, s:s}", "name", attest_provider_name(p), "simulated",
                                  p == ATTEST_PROVIDER_SIM, "reason", why));
    int ret = json_dumpf(root, stdout, JSON_INDENT(2)) == 0 ? 0 : EXIT_IO;
    putchar('\n');
    json_decref(root);
    return ret;
}

static void print_text(const char *vendor, const char *model)
{
    size_t n;
    const struct keep_backend *const *b = keep_backends(&n);
    printf("CPU: %s (%s)\n\nBackends (default: %s):\n", model, vendor,
           keep_backend_default()->name);
    for (size_t i = 0; i < n; i++) {
        char why[256] = "";
        bool ok = b[i]->probe(why, sizeof(why)) == 0;
        printf("  %-8s %-13s %s\n", b[i]->name, ok ? "available" : "unavailable",
               ok ? b[i]->summary : why);
    }
    char why[256] = "";
    enum attest_provider p = attest_provider_detect(NULL, why, sizeof(why));
    printf("\nEvidence provider: %s%s (%s)\n", attest_provider_name(p),
           p == ATTEST_PROVIDER_SIM ? ": SIMULATED, proves nothing about this host" : "", why);
    printf("\nAttestation sources:\n");
    for (size_t i = 0; i < sizeof(attest_sources) / sizeof(attest_sources[0]); i++)
        printf("  %-31s %-8s %s\n", attest_sources[i].path,
               exists_in_sysroot(attest_sources[i].path) ? "present" : "absent",
               attest_sources[i].what);
}

enum { OPT_JSON = 1 };

static const struct opts_option info_options[] = {
    {"json", 0, NULL, OPT_JSON, 0, "print one JSON object (for scripts)"},
    {0},
};

static const struct opts_verb info_verb = {
    .name = "platform info",
    .args = NULL,
    .min_args = 0,
    .max_args = 0,
    .summary = "show the backends and attestation sources of this host",
    .description = "Show the Keep backends this host offers (and why the others are not\n"
                   "available), the CPU, the evidence provider and which attestation sources "
                   "exist.",
    .exit_status = "0, 64 usage",
    .examples = "enarx platform info\nenarx platform info --json",
    .options = info_options,
};

static int cmd_platform_info(int argc, char **argv)
{
    struct opts_state st;
    opts_init(&st, &info_verb, argc, argv);
    bool json = false;
    for (int id; (id = opts_next(&st)) != OPTS_END;) {
        if (id == OPTS_EXIT) return st.status;
        if (id == OPT_JSON) json = true;
    }
    char vendor[13], model[49];
    cpu_ident(vendor, model);
    if (json) return print_json(vendor, model);
    print_text(vendor, model);
    return 0;
}

static const struct opts_command platform_commands[] = {
    {"info", &info_verb, cmd_platform_info, NULL},
    {0},
};

const struct opts_verb cli_platform_verb = {
    .name = "platform",
    .args = "COMMAND [ARGS]...",
    .min_args = 1,
    .max_args = -1,
    .flags = OPTS_STOP_AT_ARG,
    .summary = "what this host offers a Keep",
    .description = "Show what this host offers a Keep: backends, CPU, attestation sources.",
    .examples = "enarx platform info",
    .commands = platform_commands,
};

int cmd_platform(int argc, char **argv)
{
    return opts_run_group(&cli_platform_verb, argc, argv);
}
