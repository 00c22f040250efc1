/* SPDX-License-Identifier: Apache-2.0 */
/* Memory-bound kernel: fill a 16 MiB array with pseudo-random numbers, sort it with a
 * hand-written merge sort (no libc qsort, so every engine runs the same code), checksum it.
 * argv[1] = repetitions (default 3). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define N (4u << 20)

static uint32_t a[N], tmp[N];

static void merge_sort(uint32_t *v, uint32_t *t, uint32_t n)
{
    for (uint32_t width = 1; width < n; width *= 2) {
        for (uint32_t lo = 0; lo < n; lo += 2 * width) {
            uint32_t mid = lo + width < n ? lo + width : n;
            uint32_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            uint32_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                t[k++] = v[i] <= v[j] ? v[i++] : v[j++];
            while (i < mid)
                t[k++] = v[i++];
            while (j < hi)
                t[k++] = v[j++];
        }
        uint32_t *s = v;
        v = t;
        t = s;
    }
    if (v != a) /* an odd number of passes left the result in tmp */
        for (uint32_t i = 0; i < n; i++)
            a[i] = v[i];
}

int main(int argc, char **argv)
{
    unsigned reps = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 3;
    uint64_t sum = 0;
    uint32_t x = 12345;
    for (unsigned r = 0; r < reps; r++) {
        for (uint32_t i = 0; i < N; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            a[i] = x;
        }
        merge_sort(a, tmp, N);
        for (uint32_t i = 0; i < N; i += 4099)
            sum += a[i] * (uint64_t)(i + 1);
    }
    printf("checksum %llu\n", (unsigned long long)sum);
    return 0;
}
