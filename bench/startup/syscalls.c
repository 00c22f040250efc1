/* SPDX-License-Identifier: Apache-2.0 */
/* A read/write-heavy workload: argv[1] (default 200000) one-byte writes to stdout, each a WASI
 * fd_write and so a host write(2), for measuring the sandbox's system-call cost. */
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
    for (long i = 0; i < n; i++)
        if (write(1, "x", 1) != 1) return 1;
    return 0;
}
