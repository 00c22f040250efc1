/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hot_loop.c - a workload hot enough for the engine's auto tier to compile it to machine code
 * while it runs (calls and loop back-edges): tests/keep/hot-sandbox runs it in the sandbox,
 * whose seccomp filter must allow what compiling needs (W^X code pages) and nothing the engine
 * reads of the host afterwards. Prints fib(27).
 */
#include <stdio.h>

static unsigned fib(unsigned n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(void)
{
    printf("fib(27) = %u\n", fib(27));
    return 0;
}
