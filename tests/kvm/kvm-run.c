/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvm-run.c - enarx-kvm-run: runs any static x86-64 ELF in a kvm Keep, for tests and benches
 * before the real enarx-exec exists.
 *   enarx-kvm-run [--mem MIB] [--job FILE] [--fd N]... [--measure] ELF [ARG]...
 * stdio is the guest's fds 0-2; --job FILE is served on fd 3; each --fd N becomes guest fd
 * 4, 5, ...; --measure prints the expected launch measurement (hex) and runs nothing.
 * Exits with the Keep's status; a fault or a bad channel reply prints its message first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keep/kvm/kvm.h"

int main(int argc, char **argv)
{
    struct kvm_keep_opts o = {.stdio = {0, 1, 2}, .handle_signals = true};
    int fds[64];
    size_t nfds = 0;
    bool measure = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--mem") && i + 1 < argc) {
            o.mem_size = strtoull(argv[++i], NULL, 10) << 20;
        } else if (!strcmp(argv[i], "--job") && i + 1 < argc) {
            size_t size;
            if (util_file_read(argv[++i], 1u << 30, (uint8_t **)&o.job, &size) != 0) return 2;
            o.job_size = size;
        } else if (!strcmp(argv[i], "--fd") && i + 1 < argc && nfds < 64) {
            fds[nfds++] = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--measure")) {
            measure = true;
        } else {
            break;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "usage: enarx-kvm-run [--mem MIB] [--job FILE] [--fd N]... [--measure] "
                        "ELF [ARG]...\n");
        return 2;
    }
    o.exec_path = argv[i];
    o.argv = (const char *const *)&argv[i];
    o.argc = (size_t)(argc - i);
    o.fds = fds;
    o.nfds = nfds;
    if (measure) {
        uint8_t *exec, d[48];
        size_t size;
        if (util_file_read(argv[i], 1u << 30, &exec, &size) != 0) return 2;
        int e = kvm_measure(NULL, 0, exec, size, d);
        free(exec);
        if (e) return 2;
        for (int k = 0; k < 48; k++)
            printf("%02x", d[k]);
        printf("\n");
        return 0;
    }
    struct kvm_keep_result res;
    int e = kvm_keep_run(&o, &res);
    free((void *)o.job);
    if (e) {
        fprintf(stderr, "enarx-kvm-run: the Keep did not start: %s\n", strerror(-e));
        return 125;
    }
    if (res.end != KVM_KEEP_EXITED) fprintf(stderr, "enarx-kvm-run: %s\n", res.message);
    return res.status;
}
