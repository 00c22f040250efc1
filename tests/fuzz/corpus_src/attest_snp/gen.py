#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the seed corpus of tests/fuzz/fuzz_attest_snp.c into tests/fuzz/corpus/attest_snp/.

Every seed is synthetic (nothing copied from ../shared/vectors): a mode byte (0 verify as is,
1 harness-signed, 2 certificate) and an SNP report shaped by the ABI layout (versions 2, 3, 5;
VCEK and VLEK signing keys; TCB matching the harness's VCEK or not; reserved bytes set; debug
policy), truncated and lengthened reports, and small DER certificate-like inputs. Deterministic.
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'corpus', 'attest_snp')


def tcb(bl=3, tee=0, snp=8, ucode=115):
    return bytes([bl, tee, 0, 0, 0, 0, snp, ucode])


def report(version=2, policy=0x30000, vmpl=0, key=0, t=None, chip=b'\x5a' * 64, fam=(0, 0, 0),
           reserved=None):
    t = t or tcb()
    r = bytearray(0x4A0)
    struct.pack_into('<IIQ', r, 0, version, 1, policy)
    struct.pack_into('<II', r, 0x30, vmpl, 1)
    r[0x38:0x40] = t
    struct.pack_into('<I', r, 0x48, key << 2)
    r[0x50:0x90] = bytes(range(64))
    r[0x90:0xC0] = bytes((i * 3) & 0xff for i in range(48))
    r[0x180:0x188] = t
    if version >= 3:
        r[0x188:0x18B] = bytes(fam)
    r[0x1A0:0x1E0] = chip
    r[0x1E0:0x1E8] = t
    r[0x1F0:0x1F8] = t
    if reserved is not None:
        r[reserved] = 1
    return bytes(r)


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {
        'v2_plain': b'\x00' + report(),
        'v2_signed': b'\x01' + report(),
        'v2_signed_debug': b'\x01' + report(policy=0xB0000),
        'v2_signed_vmpl2': b'\x01' + report(vmpl=2),
        'v2_signed_tcb_mismatch': b'\x01' + report(t=tcb(ucode=114)),
        'v2_signed_chip_masked': b'\x01' + report(chip=bytes(64)),
        'v2_signed_vlek': b'\x01' + report(key=1),
        'v3_milan_signed': b'\x01' + report(version=3, fam=(0x19, 0x01, 0x01)),
        'v3_genoa_signed': b'\x01' + report(version=3, fam=(0x19, 0x11, 0x01)),
        'v5_turin_signed': b'\x01' + report(version=5, fam=(0x1A, 0x02, 0x00)),
        'v3_unknown_cpu': b'\x01' + report(version=3, fam=(0x17, 0x31, 0x00)),
        'v4_version': b'\x01' + report(version=4),
        'reserved_4c': b'\x01' + report(reserved=0x4C),
        'reserved_sig_tail': b'\x01' + report(reserved=0x400),
        'no_key': b'\x01' + report(key=7),
        'truncated': b'\x00' + report()[:0x2A0],
        'longer': b'\x01' + report() + b'\x00',
        'empty': b'\x00',
        'cert_garbage': b'\x02' + bytes([0x30, 0x82, 0x01, 0x00]) + bytes(256),
        'cert_short': b'\x02\x30\x03\x02\x01\x00',
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
