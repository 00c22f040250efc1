/* SPDX-License-Identifier: Apache-2.0 */
/* Guest exceptions: `fault null` writes through a wild pointer, `fault ud2` runs UD2,
 * `fault loop` spins forever (SIGTERM to the host must end it). */
#include <string.h>

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "null")) *(volatile int *)0x10 = 1;
    if (argc > 1 && !strcmp(argv[1], "ud2")) __builtin_trap();
    if (argc > 1 && !strcmp(argv[1], "loop"))
        for (volatile unsigned long i = 0;; i++) {
        }
    return 0;
}
