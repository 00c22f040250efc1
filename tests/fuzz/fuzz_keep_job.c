/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_keep_job.c - libFuzzer target for the job decoder (src/keep/job.c), which in a VM or
 * enclave Keep reads bytes the host wrote. keep_job_decode() on arbitrary bytes: a refusal must
 * leave the job empty; an accepted job must re-encode, and decoding that again must give the
 * same encoding (the format has one spelling of each job), with every fd index in range.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keep/keep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) __builtin_trap();                                                             \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct keep_job job, again;
    char err[256];
    if (keep_job_decode(data, size, &job, err, sizeof(err)) < 0) {
        CHECK(job.module == NULL && job.nargs == 0 && job.steward_fd == KEEP_JOB_NO_FD);
        return 0;
    }
    for (size_t i = 0; i < job.ndirs; i++)
        CHECK(job.dirs[i].fd < job.nfds);
    uint8_t *b1, *b2;
    size_t s1, s2;
    CHECK(keep_job_encode(&job, &b1, &s1) == 0);
    CHECK(keep_job_decode(b1, s1, &again, err, sizeof(err)) == 0);
    CHECK(keep_job_encode(&again, &b2, &s2) == 0);
    CHECK(s1 == s2 && memcmp(b1, b2, s1) == 0);
    free(b1);
    free(b2);
    keep_job_free(&again);
    keep_job_free(&job);
    return 0;
}
