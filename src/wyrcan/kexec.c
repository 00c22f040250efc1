/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kexec.c - handing a kernel to the running one: kexec_file_load(2), which lets the kernel
 * parse (and, where the kernel demands it, verify the signature of) the image itself, then
 * reboot(2) into it.
 */
#include "wyrcan.h"

#include <errno.h>
#include <linux/reboot.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>

int wyrcan_kexec_load(int kernel_fd, int initrd_fd, const char *cmdline)
{
    unsigned long len = (unsigned long)strlen(cmdline) + 1;
    if (syscall(SYS_kexec_file_load, kernel_fd, initrd_fd, len, cmdline,
                initrd_fd < 0 ? 4UL /* KEXEC_FILE_NO_INITRAMFS */ : 0UL) != 0) {
        int e = errno;
        log_error("kexec_file_load: %s%s", strerror(e),
                  e == EPERM     ? " (needs CAP_SYS_BOOT; lockdown may need a signed kernel)"
                  : e == ENOEXEC ? " (not a kernel this kernel can load)"
                                 : "");
        return -e;
    }
    return 0;
}

int wyrcan_kexec_exec(void)
{
    sync();
    if (reboot(LINUX_REBOOT_CMD_KEXEC) != 0) return -errno;
    return -EIO;
}
