/* SPDX-License-Identifier: Apache-2.0 */
/*
 * backend.h - (private to src/keep) Keep backends: a table of vtables.
 *
 * A backend decides where the Keep's exec (the runtime that runs the workload) executes:
 * `nil` in the enarx process itself, `sandbox` in a confined child process, and the hardware
 * backends (`kvm`, `sev`, `sgx`) inside a VM or enclave once they exist; today those only
 * probe and say why they are unavailable.
 */
#ifndef ENARX_KEEP_BACKEND_H
#define ENARX_KEEP_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct keep_backend {
    const char *name;
    const char *summary;
    /* 0 if usable here, else a negative errno with why[] saying what is missing. */
    int (*probe)(char *why, size_t why_size);
    /* Runs the job (bytes, and host fds that stay the caller's) in a Keep; its exit status (or
     * a status describing how the Keep died) in *status. Returns 0, or a negative errno when the
     * Keep could not start. */
    int (*launch)(const uint8_t *job, size_t size, const int *fds, size_t nfds, int *status);
};

/* All backends, in order of preference; *count receives their number. */
const struct keep_backend *const *keep_backends(size_t *count);
/* The backend named name, or NULL. */
const struct keep_backend *keep_backend_find(const char *name);
/* The preferred available backend (sandbox where it works, else nil). */
const struct keep_backend *keep_backend_default(void);

extern const struct keep_backend keep_backend_sandbox;

#endif
