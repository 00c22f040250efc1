#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the seed corpus of tests/fuzz/fuzz_attest_policy.c into tests/fuzz/corpus/attest_policy/.

Policy files using every key of the language (docs/attestation.md), plus broken ones: unknown
keys, wrong types, bad hex, out-of-range numbers. Deterministic.
"""
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'corpus', 'attest_policy')
M48 = 'ab' * 48
H32 = '00' * 32

SEEDS = {
    'empty': '',
    'full': f'''insecure_allow_debug = false
report_data = ["1111", "{H32}"]

[snp]
allow = true
insecure_allow_debug = false
deny_products = ["Milan"]
max_vmpl = 0
min_guest_svn = 1
insecure_allow_migration_agent = false
allow_smt = true
signing_keys = ["VCEK", "VLEK"]
measurements = ["{M48}"]
host_data = ["{H32}"]
id_key_digests = ["{M48}"]

[snp.min_tcb]
bootloader = 3
tee = 0
snp = 8
microcode = 115
fmc = 1

[tdx]
allow = true
deny_fmspc = ["50806F000000"]
tcb_status = ["UpToDate", "SWHardeningNeeded"]
accept_expired_signer = false
mrtd = ["{M48}"]

[sgx]
allow = true
insecure_allow_debug = true
deny_fmspc = ["00606A000000"]
tcb_status = ["UpToDate"]
mrenclave = ["{H32}"]
mrsigner = ["{H32}"]
min_isv_svn = 1
isv_prod_id = 0

[sim]
allow = true
measurements = ["{M48}"]

[kvm]
allow = false
''',
    'debug_all': 'insecure_allow_debug = true\n[sim]\nallow = true\n[kvm]\nallow = true\n',
    'inline_tables': 'snp = { allow = true, min_tcb = { microcode = 200 } }\n',
    'unknown_key': '[snp]\ndeny_product = ["Milan"]\n',
    'bad_hex': '[snp]\nmeasurements = ["zz"]\n',
    'bad_type': '[tdx]\ntcb_status = "UpToDate"\n',
    'range': '[snp]\nmax_vmpl = 99\n',
    'syntax': '[snp\nallow = tru\n',
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, text in SEEDS.items():
        with open(os.path.join(OUT, name), 'w') as f:
            f.write(text)


if __name__ == '__main__':
    main()
