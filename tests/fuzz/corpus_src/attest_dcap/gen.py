#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the seed corpus of tests/fuzz/fuzz_attest_dcap.c into tests/fuzz/corpus/attest_dcap/.

Every seed is synthetic, shaped by the layouts in src/attest/dcap.c: quotes of each version and
body (with placeholder signatures and a placeholder PEM chain, so they reach the end of the
parser), truncated and inconsistent ones, quotes with collateral, and TCB info / QE identity
member values for the harness's sign-and-apply modes. Run it from anywhere; it is deterministic.
"""
import json
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'corpus', 'attest_dcap')
VENDOR = bytes.fromhex('939a7233f79c4ca9940a0db3957f0607')
BODY = {1: 384, 2: 584, 3: 648}
PEM = (b'-----BEGIN CERTIFICATE-----\nMIIBADCBpwIBATAKBggqhkjOPQQDAjAAMB4XDTI0MDEwMTAwMDAwMFoXDTI1MDEw\n'
       b'-----END CERTIFICATE-----\n') * 2 + b'\0'


def qe_part(auth=32, pem=PEM, cert_type=5):
    return (bytes(384) + bytes(64) + struct.pack('<H', auth) + bytes(range(auth)) +
            struct.pack('<HI', cert_type, len(pem)) + pem)


def quote(version, tee, body, auth=32, pem=PEM, trailing=b''):
    q = struct.pack('<HHIHH', version, 2, tee, 0, 0) + VENDOR + bytes(20)
    if version == 5:
        q += struct.pack('<HI', body, BODY[body])
    q += bytes((i * 7) & 0xff for i in range(BODY[body]))
    sig = bytes(64) + bytes(64)
    if version == 3:
        sig += qe_part(auth, pem)
    else:
        inner = qe_part(auth, pem)
        sig += struct.pack('<HI', 6, len(inner)) + inner
    return q + struct.pack('<I', len(sig)) + sig + trailing


def comps(v):
    return [{'svn': v} for _ in range(16)]


def tcb_info(tee, version=3, modules=True):
    lvl = lambda s, p, t, st: {'tcb': {'sgxtcbcomponents': comps(s), 'pcesvn': p,
                                       **({'tdxtcbcomponents': comps(t)} if tee == 'TDX' else {})},
                               'tcbDate': '2023-01-01T00:00:00Z', 'tcbStatus': st,
                               'advisoryIDs': ['INTEL-SA-00001']}
    info = {'id': tee, 'version': version, 'issueDate': '2023-01-01T00:00:00Z',
            'nextUpdate': '2030-01-01T00:00:00Z', 'fmspc': '000000000000', 'pceId': '0000',
            'tcbType': 0, 'tcbEvaluationDataNumber': 16,
            'tcbLevels': [lvl(9, 9, 9, 'UpToDate'), lvl(4, 4, 4, 'SWHardeningNeeded'),
                          lvl(2, 2, 2, 'ConfigurationAndSWHardeningNeeded'),
                          lvl(0, 0, 0, 'OutOfDate')]}
    if version == 2:
        info.pop('id')
        for level in info['tcbLevels']:
            t = level['tcb']
            for i in range(16):
                t['sgxtcbcomp%02dsvn' % (i + 1)] = t['sgxtcbcomponents'][i]['svn']
            t.pop('sgxtcbcomponents')
    if tee == 'TDX':
        info['tdxModule'] = {'mrsigner': '00' * 48, 'attributes': '00' * 8,
                             'attributesMask': 'FF' * 8}
        if modules:
            info['tdxModuleIdentities'] = [
                {'id': 'TDX_%02X' % v, 'mrsigner': '00' * 48, 'attributes': '00' * 8,
                 'attributesMask': 'FF' * 8,
                 'tcbLevels': [{'tcb': {'isvsvn': 3}, 'tcbDate': '2023-01-01T00:00:00Z',
                                'tcbStatus': 'UpToDate'},
                               {'tcb': {'isvsvn': 0}, 'tcbDate': '2020-01-01T00:00:00Z',
                                'tcbStatus': 'OutOfDate'}]} for v in (1, 2, 3)]
    return info


def qe_identity(tee):
    return {'id': 'TD_QE' if tee == 'TDX' else 'QE', 'version': 2,
            'issueDate': '2023-01-01T00:00:00Z', 'nextUpdate': '2030-01-01T00:00:00Z',
            'tcbEvaluationDataNumber': 16, 'miscselect': '00000000', 'miscselectMask': 'FFFFFFFF',
            'attributes': '11' + '00' * 15, 'attributesMask': 'FB' + 'FF' * 7 + '00' * 8,
            'mrsigner': '00' * 32, 'isvprodid': 2 if tee == 'TDX' else 1,
            'tcbLevels': [{'tcb': {'isvsvn': 8}, 'tcbDate': '2023-01-01T00:00:00Z',
                           'tcbStatus': 'UpToDate'},
                          {'tcb': {'isvsvn': 0}, 'tcbDate': '2020-01-01T00:00:00Z',
                           'tcbStatus': 'Revoked', 'advisoryIDs': ['INTEL-SA-00002']}]}


def doc(member, value):
    return json.dumps({member: value, 'signature': '00' * 64}, separators=(',', ':')).encode()


def lp(b):
    return struct.pack('<H', len(b)) + b


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {}
    for v, tee, body in ((3, 0, 1), (4, 0, 1), (4, 0x81, 2), (5, 0, 1), (5, 0x81, 2),
                         (5, 0x81, 3)):
        q = quote(v, tee, body)
        seeds['quote_v%d_%s' % (v, {1: 'sgx', 2: 'tdx10', 3: 'tdx15'}[body])] = b'\0' + q
        seeds['trunc_v%d_body%d' % (v, body)] = b'\0' + q[:len(q) // 2]
    seeds['quote_trailing'] = b'\0' + quote(4, 0x81, 2, trailing=bytes(70))
    seeds['quote_v5_mismatch'] = b'\0' + quote(5, 0, 1)[:48] + struct.pack('<HI', 3, 648)
    seeds['quote_noauth_emptypem'] = b'\0' + quote(4, 0x81, 2, auth=0, pem=b'')
    seeds['quote_garbage_pem'] = b'\0' + quote(3, 0, 1, pem=b'-----BEGIN CERTIFICATE-----\n!!\n')
    big = bytearray(quote(4, 0x81, 2))
    struct.pack_into('<I', big, 48 + 584, 0xffffffff)
    seeds['quote_huge_sigsize'] = b'\0' + bytes(big)
    for tee in ('SGX', 'TDX'):
        col = (lp(quote(4, 0x81 if tee == 'TDX' else 0, 2 if tee == 'TDX' else 1)) +
               lp(doc('tcbInfo', tcb_info(tee))) + lp(doc('enclaveIdentity', qe_identity(tee))) +
               lp(PEM) + lp(b'\x30\x03\x02\x01\x00') + lp(b''))
        seeds['collateral_%s' % tee.lower()] = b'\1' + col
    for sel in (0x00, 0x41, 0x93, 0xff, 0x23):
        for tee in ('SGX', 'TDX'):
            if (sel & 1) != (tee == 'TDX'):
                continue
            body = json.dumps(tcb_info(tee), separators=(',', ':')).encode()
            seeds['tcbinfo_%s_%02x' % (tee.lower(), sel)] = bytes([2, sel]) + body
            body = json.dumps(qe_identity(tee), indent=1).encode()
            seeds['qeid_%s_%02x' % (tee.lower(), sel)] = bytes([3, sel]) + body
    seeds['tcbinfo_sgx_v2'] = bytes([2, 0x90]) + json.dumps(tcb_info('SGX', 2)).encode()
    seeds['tcbinfo_tdx_nomodules'] = bytes([2, 0x63]) + json.dumps(tcb_info('TDX', 3, False)).encode()
    seeds['tcbinfo_escaped_key'] = bytes([2, 0]) + b'{"id":"S\\u0047X","version":3}'
    seeds['tcbinfo_deep'] = bytes([2, 0]) + b'[' * 300 + b']' * 300
    for name, data in sorted(seeds.items()):
        with open(os.path.join(OUT, name), 'wb') as f:
            f.write(data)
    print('wrote %d seeds to %s' % (len(seeds), os.path.normpath(OUT)))


if __name__ == '__main__':
    main()
