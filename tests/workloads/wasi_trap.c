/* SPDX-License-Identifier: Apache-2.0 */
/* wasi_trap.c - traps in a named function: `enarx run` must exit 134 and name the trap. */
#include <stdio.h>

__attribute__((noinline)) static int divide(volatile int a, volatile int b)
{
    return a / b;
}

int main(void)
{
    printf("about to trap\n");
    fflush(stdout);
    return divide(1, 0);
}
