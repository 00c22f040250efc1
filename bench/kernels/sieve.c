/* SPDX-License-Identifier: Apache-2.0 */
/* Integer kernel: sieve of Eratosthenes repeated, plus an xorshift hash of the primes.
 * argv[1] = repetitions (default 40). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 2000000

static uint8_t composite[N + 1];

int main(int argc, char **argv)
{
    unsigned reps = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 40;
    uint32_t count = 0, h = 2166136261u;
    for (unsigned r = 0; r < reps; r++) {
        memset(composite, 0, sizeof(composite));
        count = 0;
        for (uint32_t i = 2; i <= N; i++) {
            if (composite[i]) continue;
            count++;
            h = (h ^ i) * 16777619u;
            for (uint32_t j = i * 2; j <= N; j += i)
                composite[j] = 1;
        }
    }
    printf("primes <= %u: %u (hash %08x)\n", N, count, h);
    return 0;
}
