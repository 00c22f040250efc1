/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - the wyrcan binary: subcommand dispatch and help. As PID 1 (the initramfs' /init)
 * it runs `boot` whatever argv says, since the kernel passes no subcommand; invoked as
 * wyrcan-dhcp it is udhcpc's event script.
 */
#include "wyrcan.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
    "wyrcan - boot a container image into RAM\n"
    "\n"
    "usage:\n"
    "  wyrcan pull [--insecure-http] [--platform OS/ARCH[/VARIANT]] [--auth-file FILE]\n"
    "              [--max-size BYTES[K|M|G]] [--quiet] REF OUTDIR\n"
    "      Fetch image REF and write OUTDIR/kernel (the file the image's /boot/wyrcan.kernel\n"
    "      symlink points to), OUTDIR/initrd (the merged root file system as a newc cpio)\n"
    "      and OUTDIR/cmdline (the content of /boot/wyrcan.cmdline, or empty).\n"
    "  wyrcan kexec --kernel FILE [--initrd FILE] [--cmdline STRING] [--load-only]\n"
    "      Load a kernel with kexec_file_load(2) and reboot into it (--load-only: load and\n"
    "      return, for `systemctl kexec`).\n"
    "  wyrcan boot\n"
    "      What the Wyrcan initramfs runs as PID 1: reads wyrcan.img=REF, wyrcan.arg=ARG\n"
    "      (repeatable: the next kernel's command line), ip= (dracut syntax; default DHCP),\n"
    "      wyrcan.platform=P and wyrcan.insecure-http from /proc/cmdline, brings up the\n"
    "      network, pulls the image into memory and kexecs into it.\n"
    "\n"
    "REF is [REGISTRY[:PORT]/]NAME[:TAG][@sha256:HEX]; without a registry, Docker Hub\n"
    "(registry-1.docker.io, library/NAME for one-component names); without a tag, latest.\n"
    "\n"
    "options:\n"
    "  --insecure-http   use http:// (a local test registry only; warned about)\n"
    "  --platform P      the platform to choose from an image index (default linux/amd64)\n"
    "  --auth-file FILE  docker-style credentials (default $DOCKER_CONFIG/config.json or\n"
    "                    ~/.docker/config.json)\n"
    "  --max-size N      refuse images whose unpacked size exceeds N (default 8G)\n"
    "  --quiet           no progress output (the default when stderr is not a terminal)\n"
    "\n"
    "Logging: ENARX_LOG=error|warn|info|debug. See docs/wyrcan.md.\n";

int main(int argc, char **argv)
{
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    if (!strcmp(base, "wyrcan-dhcp")) return wyrcan_cmd_dhcp_hook(argc, argv);
    if (getpid() == 1) return wyrcan_cmd_boot(argc, argv);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        fputs(help, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "pull")) return wyrcan_cmd_pull(argc - 1, argv + 1);
    if (!strcmp(argv[1], "kexec")) return wyrcan_cmd_kexec(argc - 1, argv + 1);
    if (!strcmp(argv[1], "boot")) return wyrcan_cmd_boot(argc - 1, argv + 1);
    fprintf(stderr, "wyrcan: unknown command \"%s\" (try wyrcan --help)\n", argv[1]);
    return 2;
}
