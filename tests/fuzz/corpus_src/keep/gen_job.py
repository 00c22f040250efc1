#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Writes the seed corpus of fuzz_keep_job (tests/fuzz/corpus/keep_job): valid jobs in the wire
# format of src/keep/job.c, and one of each kind of malformed job.
import os
import struct
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../corpus/keep_job")
os.makedirs(out, exist_ok=True)


def rec(tag, value):
    return struct.pack("<HI", tag, len(value)) + value


def job(*recs):
    return b"ENXJ" + struct.pack("<I", 1) + b"".join(recs)


u32 = lambda v: struct.pack("<I", v)
mod = b"\0asm\1\0\0\0"
base = [rec(1, b"enarx run"), rec(2, mod), rec(3, b"hello.wasm")]
seeds = {
    "minimal": job(*base),
    "full": job(*base, rec(4, b'[[files]]\nkind = "stdin"\n'), rec(5, b"Enarx.toml"),
                rec(6, b"arg"), rec(7, b"K=V"), rec(8, u32(0) + b"/data"),
                rec(9, u32(0xffffffff)), rec(9, u32(1) + b"-----BEGIN CERTIFICATE-----"),
                rec(10, u32(2)), rec(11, struct.pack("<QQQ", 1000, 500, 1 << 26)),
                rec(12, u32(3)), rec(13, b"keep.example"), rec(14, u32(0)), rec(15, u32(3))),
    "fd-out-of-range": job(*base, rec(8, u32(5) + b"/d"), rec(15, u32(1))),
    "fd-twice": job(*base, rec(8, u32(0) + b"/a"), rec(8, u32(0) + b"/b"), rec(15, u32(1))),
    "nul-in-string": job(rec(1, b"en\0arx"), rec(2, mod), rec(3, b"m")),
    "twice": job(*base, rec(1, b"again")),
    "unknown-tag": job(*base, rec(99, b"")),
    "truncated": job(*base)[:-3],
    "bad-env": job(*base, rec(7, b"=V")),
    "bad-limits": job(*base, rec(11, b"\1\2\3")),
    "no-module": job(rec(1, b"p"), rec(3, b"m")),
    "wrong-version": b"ENXJ" + u32(2),
}
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
