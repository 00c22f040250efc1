#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# measure-check.py RUNNER SHIM EXEC: recomputes the SEV-SNP-style launch digest of SHIM + EXEC
# independently of src/keep/kvm (PAGE_INFO chaining as in the SNP firmware ABI: shim PT_LOAD
# pages at their addresses, NORMAL or ZERO for bss-only pages, then the exec file at 0x400000)
# and compares it with `enarx-kvm-run --measure EXEC`. Needs no /dev/kvm.
import hashlib, struct, subprocess, sys

runner, shim, exe = sys.argv[1:4]
def pages():
    s = open(shim, 'rb').read()
    phoff, = struct.unpack_from('<Q', s, 32)
    phnum, = struct.unpack_from('<H', s, 56)
    for i in range(phnum):
        t, fl, off, va, pa, fsz, msz, al = struct.unpack_from('<IIQQQQQQ', s, phoff + 56 * i)
        if t != 1:
            continue
        for o in range(0, msz, 4096):
            if o >= fsz:
                yield va + o, None, 3
            else:
                yield va + o, s[off + o:off + min(fsz, o + 4096)].ljust(4096, b'\0'), 1
    e = open(exe, 'rb').read()
    for o in range(0, len(e), 4096):
        yield 0x400000 + o, e[o:o + 4096].ljust(4096, b'\0'), 1

digest = bytes(48)
for gpa, page, typ in pages():
    contents = hashlib.sha384(page).digest() if page else bytes(48)
    info = digest + contents + struct.pack('<HBBBBBBQ', 0x70, typ, 0, 0, 0, 0, 0, gpa)
    assert len(info) == 0x70
    digest = hashlib.sha384(info).digest()
got = subprocess.run([runner, '--measure', exe], capture_output=True, text=True, check=True).stdout.strip()
if got != digest.hex():
    print(f'enarx-kvm-run --measure: {got}\nexpected:                 {digest.hex()}')
    sys.exit(1)
print('measurement', got)
