#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Seeds for fuzz_attest_verify.c: CSR-shaped DER (synthetic, unsigned: the signature is filler),
# well-formed and with the defects the strict reader refuses. Run from this directory:
#   python3 gen.py ../../corpus/attest_verify
import os, sys

def tlv(tag, body):
    n = len(body)
    if n < 128: h = bytes([n])
    elif n < 256: h = bytes([0x81, n])
    else: h = bytes([0x82, n >> 8, n & 0xff])
    return bytes([tag]) + h + body

def oid(text):
    arcs = [int(a) for a in text.split('.')]
    out = bytes([arcs[0] * 40 + arcs[1]])
    for a in arcs[2:]:
        g = [a & 0x7f]; a >>= 7
        while a: g.insert(0, 0x80 | (a & 0x7f)); a >>= 7
        out += bytes(g)
    return tlv(0x06, out)

EXT_REQ = '1.2.840.113549.1.9.14'
KVM, SIM = '1.3.6.1.4.1.58270.1.1', '2.25.340171334745633698499901268804462540180'
SPKI = tlv(0x30, tlv(0x30, oid('1.2.840.10045.2.1') + oid('1.2.840.10045.3.1.7')) +
           tlv(0x03, b'\x00\x04' + bytes(range(64))))

def ext(o, value, critical=b''):
    return tlv(0x30, oid(o) + critical + tlv(0x04, value))

def attr(*values):
    return tlv(0x30, oid(EXT_REQ) + tlv(0x31, b''.join(tlv(0x30, v) for v in values)))

def csr(attrs, version=0):
    info = tlv(0x30, tlv(0x02, bytes([version])) + tlv(0x30, b'') + SPKI + tlv(0xa0, attrs))
    return tlv(0x30, info + tlv(0x30, oid('1.2.840.10045.4.3.2')) + tlv(0x03, b'\x00' + b'\x30\x06\x02\x01\x01\x02\x01\x01'))

sim = tlv(0x30, tlv(0x04, b'ENARX-SIMULATED-EVIDENCE-NOT-HARDWARE\x00' + bytes(40)))
seeds = {
    'kvm': csr(attr(ext(KVM, b''))),
    'sim': csr(attr(ext(SIM, sim))),
    'two-attributes': csr(attr(ext(SIM, sim)) + attr(ext(KVM, b''))),
    'two-values': csr(attr(ext(SIM, sim), ext(KVM, b''))),
    'other-attribute': csr(tlv(0x30, oid('1.2.840.113549.1.9.7') + tlv(0x31, tlv(0x0c, b'pw'))) + attr(ext(KVM, b''))),
    'critical-false': csr(attr(ext(KVM, b'', b'\x01\x01\x00'))),
    'version5': csr(attr(ext(KVM, b'')), version=5),
    'no-evidence': csr(attr(ext('2.5.29.17', tlv(0x30, b'')))),
}
c = seeds['kvm']
seeds['indefinite'] = b'\x30\x80' + c[3:] + b'\x00\x00' if c[1] == 0x81 else b'\x30\x80' + c[2:] + b'\x00\x00'
out = sys.argv[1] if len(sys.argv) > 1 else '.'
for name, data in seeds.items():
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)
