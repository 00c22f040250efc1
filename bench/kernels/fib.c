/* SPDX-License-Identifier: Apache-2.0 */
/* Call-heavy kernel: naive recursive Fibonacci. argv[1] = n (default 35). */
#include <stdio.h>
#include <stdlib.h>

static unsigned fib(unsigned n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 35;
    printf("fib(%u) = %u\n", n, fib(n));
    return 0;
}
