/* SPDX-License-Identifier: Apache-2.0 */
/* The smallest useful workload: print one line. Start-up cost dominates its run time. */
#include <stdio.h>

int main(void)
{
    puts("hello");
    return 0;
}
