#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Regenerates tests/fuzz/corpus/wyrcan_{tar,manifest,auth}/ (synthetic seeds).
#   gen.sh      (needs python3, gzip, zstd; layers come from tests/wyrcan/imagetool.py)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
C=$HERE/../../corpus
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
python3 "$HERE/../../../wyrcan/imagetool.py" layers "$T"
mkdir -p "$C/wyrcan_tar" "$C/wyrcan_manifest" "$C/wyrcan_auth"
O=$C/wyrcan_tar
# the kernel stand-in makes l1 large; a small l1 keeps the corpus small
python3 - "$T" "$O" <<'PY'
import io, sys, tarfile
t, o = sys.argv[1], sys.argv[2]
def mk(name, members, fmt=tarfile.GNU_FORMAT):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=fmt) as tf:
        for ti, data in members:
            if data is not None:
                ti.size = len(data)
                tf.addfile(ti, io.BytesIO(data))
            else:
                tf.addfile(ti)
    open(o + "/" + name, "wb").write(b.getvalue())
def ti(name, type=tarfile.REGTYPE, **kw):
    x = tarfile.TarInfo(name); x.type = type
    for k, v in kw.items(): setattr(x, k, v)
    return x
mk("escape-dotdot", [(ti("../x"), b"e")])
mk("escape-abs", [(ti("/etc/passwd"), b"e")])
mk("escape-symlink", [(ti("l", tarfile.SYMTYPE, linkname="/etc"), None), (ti("l/passwd"), b"e")])
mk("hardlink-missing", [(ti("h", tarfile.LNKTYPE, linkname="nope"), None)])
mk("hardlink-dir", [(ti("d", tarfile.DIRTYPE), None), (ti("h", tarfile.LNKTYPE, linkname="d"), None)])
mk("whiteout-opaque", [(ti("d", tarfile.DIRTYPE), None), (ti("d/a"), b"a"),
                       (ti("d/.wh..wh..opq"), b""), (ti(".wh.d"), b""), (ti("d/.wh.a"), b"")])
mk("pax-long", [(ti("p/" + "x" * 200, uid=1 << 22, mtime=1.5), b"pax")], tarfile.PAX_FORMAT)
mk("devices", [(ti("c", tarfile.CHRTYPE, devmajor=4095, devminor=1 << 19), None),
               (ti("b", tarfile.BLKTYPE, devmajor=8), None), (ti("f", tarfile.FIFOTYPE), None)])
PY
cp "$T/l2.tar" "$O/layer2-pax"
cp "$T/l3.tar" "$O/layer3"
cp "$T/arm.tar" "$O/small-gnu"
gzip -9n <"$T/l2.tar" >"$O/layer2.gz"
zstd -q -19 -c "$T/l3.tar" >"$O/layer3.zst"
head -c 700 "$T/l2.tar" >"$O/truncated"
head -c 300 "$O/layer2.gz" >"$O/truncated.gz"
head -c 100 "$O/layer3.zst" >"$O/truncated.zst"
python3 -c "import sys; b=bytearray(open(sys.argv[1],'rb').read()); b[150]^=1; open(sys.argv[2],'wb').write(b)" "$T/arm.tar" "$O/bad-checksum"

M=$C/wyrcan_manifest
D1=sha256:$(printf '%064d' 1); D2=sha256:$(printf '%064d' 2)
OM=application/vnd.oci.image.manifest.v1+json
seed() { printf "$1" >"$M/$2"; cat >>"$M/$2"; }
seed '\002' oci-manifest <<J
{"schemaVersion":2,"mediaType":"$OM","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"$D1","size":7},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"$D2","size":9},{"mediaType":"application/vnd.oci.image.layer.v1.tar+zstd","digest":"$D1","size":1}]}
J
seed '\004' docker-manifest <<J
{"schemaVersion":2,"config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"$D1","size":7},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":"$D2","size":9}]}
J
seed '\003' oci-index <<J
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"$OM","digest":"$D1","size":5,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}},{"mediaType":"$OM","digest":"$D2","size":5,"platform":{"os":"linux","architecture":"amd64"}}]}
J
seed '\005' docker-list <<J
{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"$D2","size":5,"platform":{"os":"linux","architecture":"amd64"}}]}
J
seed '\000' schema1 <<J
{"schemaVersion":1,"name":"x","tag":"y","fsLayers":[{"blobSum":"$D1"}]}
J
seed '\002' duplicate-key <<J
{"schemaVersion":2,"schemaVersion":2}
J
seed '\003' mismatch <<J
{"schemaVersion":2,"mediaType":"$OM","config":{"mediaType":"x","digest":"$D1","size":1},"layers":[]}
J
seed '\002' bad-digest <<J
{"schemaVersion":2,"mediaType":"$OM","config":{"mediaType":"x","digest":"sha256:XYZ","size":1},"layers":[]}
J

A=$C/wyrcan_auth
printf '\000Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"' >"$A/challenge-hub"
printf '\000Basic realm="x"' >"$A/challenge-basic"
printf '\000Bearer realm="a\\"b", error=insufficient_scope' >"$A/challenge-escape"
printf '\000Bearer realm="unterminated' >"$A/challenge-bad"
printf '\001{"token":"abc","access_token":"def","expires_in":60}' >"$A/token"
printf '\001{"token":"a\\r\\nX: y"}' >"$A/token-crlf"
printf '\002{"auths":{"r.io":{"auth":"dXNlcjpzZWNyZXQ="}}}' >"$A/auths"
printf '\002{"auths":{"r.io":{"auth":"!!"}}}' >"$A/auths-bad"
printf '\003quay.io:443/a/b-c__d.e:tag@%s' "$D1" >"$A/ref-full"
printf '\003busybox' >"$A/ref-hub"
printf '\003A/../b:x' >"$A/ref-bad"
printf '\004console=ttyS0 wyrcan.img=10.0.2.2:5000/os "wyrcan.arg=a b" ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:none wyrcan.insecure-http' >"$A/cmdline"
printf '\004ip=eth0:dhcp wyrcan.arg="open' >"$A/cmdline-bad"
