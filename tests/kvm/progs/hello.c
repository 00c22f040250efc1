/* SPDX-License-Identifier: Apache-2.0 */
/* A static hello for the kvm Keep: stdio through the channel, malloc through brk and mmap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    char *big = malloc(1 << 20);
    if (!big) return 1;
    memset(big, 'x', 1 << 20);
    printf("hello from a kvm Keep: argc=%d argv[0]=%s\n", argc, argv[0]);
    free(big);
    return argc > 1 ? atoi(argv[1]) : 0;
}
