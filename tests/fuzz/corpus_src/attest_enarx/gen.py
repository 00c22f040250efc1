#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the seed corpus of tests/fuzz/fuzz_attest_enarx.c into tests/fuzz/corpus/attest_enarx/.

Every seed is synthetic DER (nothing copied from ../shared/vectors), shaped like Enarx's
evidence: SNP evidence with a certificate-shaped VCEK, wrapped and unwrapped CRL lists and a
report; SGX evidence with a quote and trailing members; broken lengths; and the same values in
mode 2, where the harness wraps them in a CSR it signs. Deterministic.
"""
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'corpus', 'attest_enarx')


def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        head = bytes([n])
    elif n < 0x100:
        head = bytes([0x81, n])
    else:
        head = bytes([0x82, n >> 8, n & 0xff])
    return bytes([tag]) + head + body


def seq(*parts):
    return tlv(0x30, b''.join(parts))


CERT = seq(seq(tlv(0xA0, tlv(0x02, b'\x02')), tlv(0x02, b'\x01'), seq(tlv(0x06, b'\x2a\x86\x48'))),
           seq(tlv(0x06, b'\x2a\x86\x48')), tlv(0x03, b'\x00' + bytes(16)))
CRL = seq(seq(tlv(0x02, b'\x01'), seq(tlv(0x06, b'\x2a')), seq()), seq(), tlv(0x03, b'\x00'))
ENTRY = seq(tlv(0x0C, b'https://kds.example/crl'), CRL)
REPORT = tlv(0x04, b'\x02\x00\x00\x00' + bytes(1180))


def main():
    os.makedirs(OUT, exist_ok=True)
    snp_plain = seq(CERT, REPORT)
    snp_wrapped = seq(seq(CERT, seq(seq(ENTRY, ENTRY))), REPORT)
    snp_flat = seq(seq(CERT, seq(ENTRY)), REPORT)
    sgx = seq(tlv(0x04, b'\x03\x00\x02\x00' + bytes(60)), seq(), seq(tlv(0x04, b'{}')))
    seeds = {
        'snp_plain': b'\x00' + snp_plain,
        'snp_wrapped_crls': b'\x00' + snp_wrapped,
        'snp_flat_crls': b'\x00' + snp_flat,
        'snp_trailing': b'\x00' + snp_plain + b'\x00',
        'snp_bad_len': b'\x00' + b'\x30\x84\xff\xff\xff\xff' + snp_plain[2:],
        'sgx': b'\x00' + sgx,
        'csr_garbage_der': b'\x01' + seq(seq(tlv(0x02, b'\x00')), seq(), tlv(0x03, b'\x00')),
        'csr_garbage_pem': b'\x01-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n'
                           b'-----END CERTIFICATE REQUEST-----\n',
        'wrap_kvm': b'\x02\x00',
        'wrap_sgx': b'\x02\x01' + sgx,
        'wrap_snp_wrapped': b'\x02\x02' + snp_wrapped,
        'wrap_snp_plain': b'\x02\x02' + snp_plain,
        'wrap_snp_empty': b'\x02\x02' + seq(),
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
