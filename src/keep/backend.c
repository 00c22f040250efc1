/* SPDX-License-Identifier: Apache-2.0 */
/*
 * backend.c - the table of Keep backends, the `nil` backend, and the probes of the hardware
 * backends. A probe looks for the device or CPU feature its backend needs and, when it is
 * missing, says which; it never guesses. Paths are relative to ENARX_SYSROOT (default "/"),
 * a seam that lets tests present a fake /dev and /proc.
 */
#include "backend.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *sysroot(void)
{
    const char *r = getenv("ENARX_SYSROOT");
    return r && *r ? r : "";
}

static bool path_exists(const char *path)
{
    char full[4096];
    snprintf(full, sizeof(full), "%s%s", sysroot(), path);
    return access(full, F_OK) == 0;
}

static int nil_probe(char *why, size_t why_size)
{
    (void)why, (void)why_size;
    return 0;
}

/* The exec in this process: it takes its own copies of the fds. */
static int nil_launch(const uint8_t *job, size_t size, const int *fds, size_t nfds, int *status)
{
    int own[KEEP_JOB_MAX_FDS];
    if (nfds > ARRAY_LEN(own)) return -E2BIG;
    for (size_t i = 0; i < nfds; i++) {
        own[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
        if (own[i] < 0) {
            int e = errno;
            while (i--)
                close(own[i]);
            return -e;
        }
    }
    *status = keep_exec_run(job, size, own, nfds, NULL);
    return 0;
}

static int kvm_probe(char *why, size_t why_size)
{
    if (!path_exists("/dev/kvm")) {
        snprintf(why, why_size, "/dev/kvm not found (no hardware virtualisation here)");
        return -ENODEV;
    }
    snprintf(why, why_size,
             "/dev/kvm present, but the kvm Keep (src/keep/kvm) is not a backend yet: its shim "
             "cannot make system calls under this host's KVM (docs/kvm.md)");
    return -ENOSYS;
}

static int sev_probe(char *why, size_t why_size)
{
    if (!path_exists("/dev/sev")) {
        snprintf(why, why_size, "/dev/sev not found (not an AMD SEV-SNP host)");
        return -ENODEV;
    }
    snprintf(why, why_size, "/dev/sev present, but the sev backend is not implemented yet");
    return -ENOSYS;
}

static int sgx_probe(char *why, size_t why_size)
{
    if (!path_exists("/dev/sgx_enclave")) {
        snprintf(why, why_size, "/dev/sgx_enclave not found (no Intel SGX here)");
        return -ENODEV;
    }
    snprintf(why, why_size, "/dev/sgx_enclave present, but the sgx backend is not implemented yet");
    return -ENOSYS;
}

static int unavailable_launch(const uint8_t *job, size_t size, const int *fds, size_t nfds,
                              int *status)
{
    (void)job, (void)size, (void)fds, (void)nfds, (void)status;
    return -ENOSYS;
}

static const struct keep_backend nil_backend = {"nil", "runtime in the enarx process, no isolation",
                                                nil_probe, nil_launch};
static const struct keep_backend kvm_backend = {"kvm", "KVM virtual machine, no TEE", kvm_probe,
                                                unavailable_launch};
static const struct keep_backend sev_backend = {"sev", "AMD SEV-SNP confidential VM", sev_probe,
                                                unavailable_launch};
static const struct keep_backend sgx_backend = {"sgx", "Intel SGX enclave", sgx_probe,
                                                unavailable_launch};

static const struct keep_backend *const backends[] = {
    &sev_backend, &sgx_backend, &kvm_backend, &keep_backend_sandbox, &nil_backend,
};

const struct keep_backend *const *keep_backends(size_t *count)
{
    *count = sizeof(backends) / sizeof(backends[0]);
    return backends;
}

const struct keep_backend *keep_backend_find(const char *name)
{
    for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
        if (strcmp(backends[i]->name, name) == 0) return backends[i];
    return NULL;
}

const struct keep_backend *keep_backend_default(void)
{
    char why[256];
    if (keep_backend_sandbox.probe(why, sizeof(why)) == 0) return &keep_backend_sandbox;
    return &nil_backend;
}

bool keep_backend_exists(const char *name)
{
    return keep_backend_find(name) != NULL;
}

int keep_launch(const char *backend, const char *prog, const uint8_t *job, size_t size,
                const int *fds, size_t nfds)
{
    const struct keep_backend *be = backend ? keep_backend_find(backend) : keep_backend_default();
    char why[256] = "";
    int status = KEEP_EXIT_BACKEND, rc;
    if (!be) {
        fprintf(stderr, "%s: unknown backend '%s' (see `enarx platform info`)\n", prog, backend);
    } else if (be->probe(why, sizeof(why)) < 0) {
        fprintf(stderr, "%s: backend %s is not available: %s\n", prog, be->name, why);
    } else {
        log_debug("backend %s; job of %zu bytes and %zu fds", be->name, size, nfds);
        if ((rc = be->launch(job, size, fds, nfds, &status)) < 0) {
            fprintf(stderr, "%s: backend %s could not start the Keep: %s\n", prog, be->name,
                    strerror(-rc));
            status = KEEP_EXIT_BACKEND;
        }
    }
    return status;
}
