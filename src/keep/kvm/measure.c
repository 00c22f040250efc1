/* SPDX-License-Identifier: Apache-2.0 */
/*
 * measure.c - the launch measurement, computed as the SEV-SNP firmware computes its launch
 * digest (SNP firmware ABI, SNP_LAUNCH_UPDATE), so the SNP backend can reuse it unchanged.
 *
 * For each page the firmware measures, a PAGE_INFO structure (0x70 bytes) is hashed:
 *   0x00 DIGEST_CUR[48]  the running digest (48 zero bytes before the first page)
 *   0x30 CONTENTS[48]    SHA-384 of the page for a NORMAL page, zeros for ZERO/UNMEASURED
 *   0x60 LENGTH u16      0x70
 *   0x62 PAGE_TYPE u8    1 NORMAL, 2 VMSA, 3 ZERO, 4 UNMEASURED, 5 SECRETS, 6 CPUID
 *   0x63 IMI_PAGE u8     0 (bit 0)
 *   0x64 VMPL3..1_PERMS  0, 0, 0, then a reserved byte
 *   0x68 GPA u64         the page's guest-physical address
 * and the new running digest is SHA-384(PAGE_INFO). The pages are image.c's, in its order.
 * The SNP backend will add its VMSA page(s) at the end; kvm has no VMSA.
 */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "keep/kvm/priv.h"

struct measure {
    uint8_t digest[48];
    bool failed;
};

static void fold(void *arg, uint64_t gpa, const uint8_t *page, int type)
{
    struct measure *m = arg;
    uint8_t info[0x70];
    memset(info, 0, sizeof(info));
    memcpy(info, m->digest, 48);
    if (page && type == KVM_PAGE_NORMAL && !SHA384(page, SHIM_PAGE_SIZE, info + 0x30))
        m->failed = true;
    info[0x60] = 0x70;
    info[0x62] = (uint8_t)type;
    for (int i = 0; i < 8; i++)
        info[0x68 + i] = (uint8_t)(gpa >> (8 * i));
    if (!SHA384(info, sizeof(info), m->digest)) m->failed = true;
}

int kvm_measure(const uint8_t *shim, size_t shim_size, const uint8_t *exec, size_t exec_size,
                uint8_t digest[48])
{
    uint64_t entry;
    if (!shim) {
        shim = kvm_shim_blob;
        shim_size = kvm_shim_blob_size;
    }
    int e = kvm_image_check(shim, shim_size, exec, exec_size, &entry);
    if (e) return e;
    struct measure m = {{0}, false};
    kvm_image_pages(shim, shim_size, exec, exec_size, fold, &m);
    if (m.failed) return -EIO;
    memcpy(digest, m.digest, 48);
    return 0;
}
