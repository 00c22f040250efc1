/* SPDX-License-Identifier: Apache-2.0 */
/*
 * marker-init.c - the init of the image the boot test kexecs into: mounts devtmpfs, prints
 * MARKER (a -D from the test, unique per run) on the console and powers the machine off.
 * Built static by the test so the image needs nothing else.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
    mkdir("/dev", 0755);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    int fd = open("/dev/console", O_WRONLY | O_NOCTTY);
    if (fd < 0) fd = 1;
    static const char msg[] = "\n" MARKER "\n";
    for (int i = 0; i < 3; i++)
        if (write(fd, msg, strlen(msg)) < 0) break;
    sync();
    reboot(RB_POWER_OFF);
    for (;;)
        pause();
}
