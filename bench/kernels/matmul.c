/* SPDX-License-Identifier: Apache-2.0 */
/* Floating-point + memory kernel: dense 256x256 single-precision matrix multiply, repeated.
 * argv[1] = repetitions (default 20). */
#include <stdio.h>
#include <stdlib.h>

#define M 256

static float A[M][M], B[M][M], C[M][M];

int main(int argc, char **argv)
{
    unsigned reps = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 20;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) {
            A[i][j] = (float)((i * 7 + j * 3) % 17) * 0.25f;
            B[i][j] = (float)((i * 5 + j * 11) % 13) * 0.5f;
        }
    double trace = 0;
    for (unsigned r = 0; r < reps; r++) {
        for (int i = 0; i < M; i++)
            for (int j = 0; j < M; j++)
                C[i][j] = 0;
        for (int i = 0; i < M; i++)
            for (int k = 0; k < M; k++) {
                float aik = A[i][k];
                for (int j = 0; j < M; j++)
                    C[i][j] += aik * B[k][j];
            }
        for (int i = 0; i < M; i++)
            trace += C[i][i];
        A[r % M][r % M] += 1.0f;
    }
    printf("trace %.3f\n", trace);
    return 0;
}
