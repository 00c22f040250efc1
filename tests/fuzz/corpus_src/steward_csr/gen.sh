#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Regenerates tests/fuzz/corpus/steward_csr/ (synthetic seeds; nothing from ../shared/vectors).
#   gen.sh BUILD_DIR     (needs BUILD_DIR/tests/steward/mkcsr)
# First byte of each seed: 0 = whole body, 1 = extension value (then the OID selector:
# 0 kvm, 1 sgx, 2 snp, 3 simulated, 4 tdx), 2 = claims bytes. See fuzz_steward_csr.c.
set -euo pipefail
MKCSR=$1/tests/steward/mkcsr
OUT=$(dirname "$0")/../../corpus/steward_csr
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$OUT"
seed() { cat >"$OUT/$1"; }
"$MKCSR" kvm P-256 "$T/kvm.csr" "$T/k"
"$MKCSR" kvm ED25519 "$T/ed.csr" "$T/k"
"$MKCSR" kvm RSA1024 "$T/rsa.csr" "$T/k"
"$MKCSR" none P-384 "$T/none.csr" "$T/k"
"$MKCSR" sim P-256 "$T/sim.csr" "$T/k" 2>/dev/null
"$MKCSR" ext "$T/sim.csr" "$T/sim.ext" -
{ printf '\000'; cat "$T/kvm.csr"; } | seed body-kvm
{ printf '\000'; cat "$T/ed.csr"; } | seed body-kvm-ed25519
{ printf '\000'; cat "$T/rsa.csr"; } | seed body-kvm-rsa1024
{ printf '\000'; cat "$T/none.csr"; } | seed body-no-evidence
{ printf '\000'; cat "$T/sim.csr"; } | seed body-sim
{ printf '\000'; head -c 300 "$T/sim.csr"; } | seed body-truncated
printf '\000not a csr' | seed body-garbage
printf '\001\000' | seed ext-kvm-empty
{ printf '\001\003'; cat "$T/sim.ext"; } | seed ext-sim
printf '\001\002\060\003\004\001\000' | seed ext-snp-tiny
printf '\001\004\060\003\004\001\000' | seed ext-tdx-tiny
{ printf '\002\001'; head -c 900 /dev/zero | tr '\0' 'A'; } | seed claims-snp
{ printf '\002\004'; head -c 200 /dev/zero; } | seed claims-sim
