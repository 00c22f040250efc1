/* SPDX-License-Identifier: Apache-2.0 */
/* The first workload a newcomer runs: greets, shows its arguments and one environment
 * variable, and exits with the number of arguments it was given. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    const char *who = getenv("GREETING_NAME");
    printf("Hello, %s, from a WebAssembly workload in an Enarx Keep!\n", who ? who : "world");
    for (int i = 1; i < argc; i++)
        printf("  argument %d: %s\n", i, argv[i]);
    return argc - 1;
}
