#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Helpers for the Wyrcan tests (stdlib only).

  layers DIR                       write the test layers l1.tar l2.tar l3.tar arm.tar into DIR
  add-layer LAYOUT SRC DST TAR C   add TAR to OCI image LAYOUT:SRC as tag DST, compressed with
                                   C (none|gzip|zstd); umoci 0.4 cannot write zstd or plain
                                   layers, so this edits the layout the way umoci would
  index LAYOUT DST TAG:OS/ARCH...  make tag DST an image index of those tags' manifests
  compare CPIO ROOTFS              compare a newc archive with an unpacked tree (umoci's):
                                   types, modes, owners, mtimes, contents, link targets,
                                   devices and hard-link groups; exit 1 listing differences
  cpio-list CPIO                   print the archive's names
  proxy PORT UPSTREAM STATEFILE    an HTTP proxy in front of the registry that requires a
                                   bearer token for repositories under private/ (and is its
                                   token server at /token, wanting Basic user:secret), corrupts
                                   blobs of corrupt/ and cuts the first transfer of each blob
                                   of flaky/ half-way
"""
import gzip, hashlib, http.client, http.server, io, json, os, socketserver, stat, subprocess
import sys, tarfile, threading, base64

MT = 1600000000


def ti(name, type=tarfile.REGTYPE, mode=0o644, uid=0, gid=0, mtime=MT, **kw):
    t = tarfile.TarInfo(name)
    t.type, t.mode, t.uid, t.gid, t.mtime = type, mode, uid, gid, mtime
    for k, v in kw.items():
        setattr(t, k, v)
    return t


def write_tar(path, members, fmt):
    with tarfile.open(path, "w", format=fmt) as tf:
        for t, data in members:
            if data is not None:
                t.size = len(data)
                tf.addfile(t, io.BytesIO(data))
            else:
                tf.addfile(t)


def layers(d, kernel):
    kern = open(kernel, "rb").read() if kernel else b"NOT-A-KERNEL\n" * 1000
    D, L, S, H, C, F = (tarfile.DIRTYPE, tarfile.LNKTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE,
                        tarfile.CHRTYPE, tarfile.FIFOTYPE)
    longdir = "usr/share/" + "d" * 60 + "/" + "e" * 60
    l1 = [
        (ti("boot", D, 0o755), None),
        (ti("boot/vmlinuz-test", mode=0o600), kern),
        (ti("boot/wyrcan.kernel", S, 0o777, linkname="vmlinuz-test"), None),
        (ti("boot/cmdline.txt"), b"console=ttyS0 wyrcan.test=1\n"),
        (ti("boot/wyrcan.cmdline", S, 0o777, linkname="/boot/cmdline.txt"), None),
        (ti("etc", D, 0o755, mtime=MT + 1), None),
        (ti("etc/gone"), b"to be whited out\n"),
        (ti("etc/keep", D, 0o750, uid=1000, gid=1000), None),
        (ti("etc/keep/a", uid=1000, gid=1000, mtime=MT + 7), b"a\n"),
        (ti("etc/keep/b", mode=0o640), b"bbbb\n"),
        (ti("usr", D, 0o755), None),
        (ti("usr/bin", D, 0o755), None),
        (ti("usr/bin/tool", mode=0o4755), b"#!/bin/sh\necho tool\n"),
        (ti("usr/bin/tool-link", H, 0o4755, linkname="usr/bin/tool"), None),
        (ti("usr/bin/sgid", mode=0o2711, gid=42), b"sgid\n"),
        (ti("usr/lib", D, 0o755), None),
        (ti("usr/lib/libx.so.1", mode=0o755), b"\x7fELF" + bytes(range(256)) * 40),
        (ti("usr/lib/libx.so", S, 0o777, linkname="libx.so.1"), None),
        (ti("lib", S, 0o777, linkname="usr/lib"), None),
        (ti("usr/share", D, 0o755), None),
        (ti("usr/share/doc.txt"), b"doc\n"),
        (ti(longdir, D, 0o755), None),
        (ti(longdir + "/" + "f" * 90 + ".txt"), b"long\n"),
        (ti("var", D, 0o755), None),
        (ti("var/opq", D, 0o700), None),
        (ti("var/opq/old1"), b"old1\n"),
        (ti("var/opq/sub", D, 0o755), None),
        (ti("var/opq/sub/x"), b"x\n"),
        (ti("tmp", D, 0o1777), None),
        (ti("dev", D, 0o755), None),
        (ti("dev/null", C, 0o666, devmajor=1, devminor=3), None),
        (ti("dev/fifo", F, 0o600), None),
        (ti("empty"), b""),
    ]
    write_tar(os.path.join(d, "l1.tar"), l1, tarfile.GNU_FORMAT)
    l2 = [
        (ti("etc", D, 0o755, mtime=MT + 2), None),
        (ti("etc/.wh.gone"), b""),
        (ti("etc/keep", D, 0o750, uid=1000, gid=1000), None),
        (ti("etc/keep/b-link", H, 0o640, linkname="etc/keep/b"), None),
        (ti("var", D, 0o755), None),
        (ti("var/opq", D, 0o711, mtime=MT + 3), None),
        (ti("var/opq/.wh..wh..opq"), b""),
        (ti("var/opq/new"), b"new\n"),
        (ti("etc/caf\u00e9-" + "x" * 120, uid=70000, gid=70001), "unicode\n".encode()),
    ]
    write_tar(os.path.join(d, "l2.tar"), l2, tarfile.PAX_FORMAT)
    l3 = [
        (ti("usr", D, 0o755), None),
        (ti("usr/.wh.share"), b""),
        (ti("etc", D, 0o755, mtime=MT + 2), None),
        (ti("etc/zstd.txt", mode=0o444), b"from the zstd layer\n" * 100),
        (ti("usr/bin", D, 0o755), None),
        (ti("usr/bin/tool", mode=0o4750, uid=0, gid=10), b"#!/bin/sh\necho tool v2\n"),
    ]
    write_tar(os.path.join(d, "l3.tar"), l3, tarfile.PAX_FORMAT)
    arm = [
        (ti("boot", D, 0o755), None),
        (ti("boot/vmlinuz-arm"), b"ARM KERNEL\n"),
        (ti("boot/wyrcan.kernel", S, 0o777, linkname="vmlinuz-arm"), None),
    ]
    write_tar(os.path.join(d, "arm.tar"), arm, tarfile.GNU_FORMAT)


def blob_put(layout, data):
    dg = hashlib.sha256(data).hexdigest()
    p = os.path.join(layout, "blobs", "sha256", dg)
    with open(p, "wb") as f:
        f.write(data)
    return "sha256:" + dg


def blob_get(layout, digest):
    return open(os.path.join(layout, "blobs", *digest.split(":")), "rb").read()


def index_load(layout):
    return json.load(open(os.path.join(layout, "index.json")))


def tag_set(layout, tag, desc):
    idx = index_load(layout)
    idx["manifests"] = [m for m in idx["manifests"]
                        if m.get("annotations", {}).get("org.opencontainers.image.ref.name") != tag]
    desc = dict(desc)
    desc["annotations"] = {"org.opencontainers.image.ref.name": tag}
    idx["manifests"].append(desc)
    json.dump(idx, open(os.path.join(layout, "index.json"), "w"))


def tag_get(layout, tag):
    for m in index_load(layout)["manifests"]:
        if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag:
            return m
    sys.exit("no tag " + tag)


def add_layer(layout, src, dst, tar, comp):
    raw = open(tar, "rb").read()
    if comp == "zstd":
        data = subprocess.run(["zstd", "-q", "-c", "-19"], input=raw, stdout=subprocess.PIPE,
                              check=True).stdout
        mt = "application/vnd.oci.image.layer.v1.tar+zstd"
    elif comp == "gzip":
        data = gzip.compress(raw, mtime=0)
        mt = "application/vnd.oci.image.layer.v1.tar+gzip"
    else:
        data, mt = raw, "application/vnd.oci.image.layer.v1.tar"
    man = json.loads(blob_get(layout, tag_get(layout, src)["digest"]))
    cfg = json.loads(blob_get(layout, man["config"]["digest"]))
    cfg["rootfs"]["diff_ids"].append("sha256:" + hashlib.sha256(raw).hexdigest())
    cfgb = json.dumps(cfg).encode()
    man["config"] = {"mediaType": man["config"]["mediaType"], "digest": blob_put(layout, cfgb),
                     "size": len(cfgb)}
    man["layers"].append({"mediaType": mt, "digest": blob_put(layout, data), "size": len(data)})
    manb = json.dumps(man).encode()
    tag_set(layout, dst, {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                          "digest": blob_put(layout, manb), "size": len(manb)})


def make_index(layout, dst, specs):
    ms = []
    for s in specs:
        tag, plat = s.split(":")
        os_, arch = plat.split("/")
        d = tag_get(layout, tag)
        ms.append({"mediaType": d["mediaType"], "digest": d["digest"], "size": d["size"],
                   "platform": {"os": os_, "architecture": arch}})
    idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
           "manifests": ms}
    b = json.dumps(idx).encode()
    tag_set(layout, dst, {"mediaType": "application/vnd.oci.image.index.v1+json",
                          "digest": blob_put(layout, b), "size": len(b)})


def cpio_read(path):
    data = open(path, "rb").read()
    pos, out = 0, {}
    while True:
        h = data[pos:pos + 110]
        if h[:6] != b"070701":
            raise SystemExit("bad cpio magic at %d" % pos)
        f = [int(h[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        ino, mode, uid, gid, nlink, mtime, size, _, _, rmaj, rmin, nsize, _ = f
        name = data[pos + 110:pos + 110 + nsize - 1].decode("utf-8", "surrogateescape")
        pos = (pos + 110 + nsize + 3) & ~3
        body = data[pos:pos + size]
        pos = (pos + size + 3) & ~3
        if name == "TRAILER!!!":
            return out
        if name in out:
            raise SystemExit("duplicate cpio entry " + name)
        out[name] = dict(ino=ino, mode=mode, uid=uid, gid=gid, nlink=nlink, mtime=mtime,
                         body=body, rdev=(rmaj, rmin))


def compare(cpio, root):
    ent = cpio_read(cpio)
    # hard links: the data travels with one of the names; give it to the whole group
    groups = {}
    for n, e in ent.items():
        if stat.S_ISREG(e["mode"]):
            groups.setdefault(e["ino"], []).append(n)
    for names in groups.values():
        body = b"".join(ent[n]["body"] for n in names)
        for n in names:
            ent[n]["body"] = body
    diffs = []
    seen = set()
    for dp, dns, fns in os.walk(root):
        for n in dns + fns:
            p = os.path.join(dp, n)
            rel = os.path.relpath(p, root)
            seen.add(rel)
            st = os.lstat(p)
            e = ent.get(rel)
            if e is None:
                diffs.append("only in %s: %s" % (root, rel))
                continue
            for k, a, b in (("mode", st.st_mode, e["mode"]), ("uid", st.st_uid, e["uid"]),
                            ("gid", st.st_gid, e["gid"]),
                            ("mtime", int(st.st_mtime), e["mtime"])):
                if a != b:
                    diffs.append("%s: %s %s vs %s" % (rel, k, oct(a) if k == "mode" else a,
                                                      oct(b) if k == "mode" else b))
            if stat.S_ISREG(st.st_mode):
                if open(p, "rb").read() != e["body"]:
                    diffs.append(rel + ": contents differ")
                if st.st_nlink != e["nlink"]:
                    diffs.append("%s: nlink %d vs %d" % (rel, st.st_nlink, e["nlink"]))
            elif stat.S_ISLNK(st.st_mode):
                if os.readlink(p).encode("utf-8", "surrogateescape") != e["body"]:
                    diffs.append(rel + ": symlink target differs")
            elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
                if (os.major(st.st_rdev), os.minor(st.st_rdev)) != e["rdev"]:
                    diffs.append(rel + ": device numbers differ")
    for n in ent:
        if n not in seen:
            diffs.append("only in the cpio: " + n)
        if os.path.basename(n).startswith(".wh."):
            diffs.append("whiteout left in the cpio: " + n)
    # hard-link groups must be the same sets of names
    ref = {}
    for rel in seen:
        st = os.lstat(os.path.join(root, rel))
        if stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
            ref.setdefault(st.st_ino, set()).add(rel)
    mine = {frozenset(v) for v in groups.values() if len(v) > 1}
    if {frozenset(v) for v in ref.values()} != mine:
        diffs.append("hard-link groups differ: %s vs %s" % (sorted(map(sorted, ref.values())),
                                                             sorted(map(sorted, mine))))
    for d in diffs:
        print("DIFF", d)
    print("compared %d entries, %d differences" % (len(ent), len(diffs)))
    return 1 if diffs else 0


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        with open(self.server.state + ".log", "a") as f:
            f.write("%s %s\n" % (self.requestline, fmt % args))

    def bump(self, key):
        with self.server.lock:
            st = json.load(open(self.server.state)) if os.path.exists(self.server.state) else {}
            st[key] = st.get(key, 0) + 1
            json.dump(st, open(self.server.state, "w"))
            return st[key]

    def reply(self, code, body, headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path
        if path.startswith("/token"):
            want = "Basic " + base64.b64encode(b"user:secret").decode()
            if self.headers.get("Authorization") != want:
                self.bump("token-refused")
                return self.reply(401, b"{}")
            self.bump("token-issued")
            return self.reply(200, json.dumps({"token": "good-token"}).encode(),
                              [("Content-Type", "application/json")])
        if path.startswith("/v2/private/") and \
                self.headers.get("Authorization") != "Bearer good-token":
            self.bump("challenged")
            port = self.server.server_address[1]
            ch = 'Bearer realm="http://127.0.0.1:%d/token",service="test",' \
                 'scope="repository:%s:pull"' % (port, path.split("/")[3])
            return self.reply(401, b'{"errors":[]}', [("WWW-Authenticate", ch)])
        up = http.client.HTTPConnection("127.0.0.1", self.server.upstream, timeout=30)
        hdrs = {k: v for k, v in self.headers.items() if k.lower() in ("accept",)}
        up.request("GET", path, headers=hdrs)
        r = up.getresponse()
        body = r.read()
        keep = [(k, v) for k, v in r.getheaders()
                if k.lower() in ("content-type", "docker-content-digest", "location",
                                 "www-authenticate")]
        blob = "/blobs/" in path and r.status == 200
        if blob and path.startswith("/v2/corrupt/") and len(body) > 1000:
            self.bump("corrupted")
            body = body[:500] + bytes([body[500] ^ 1]) + body[501:]
        if blob and path.startswith("/v2/flaky/") and len(body) > 1000 \
                and self.bump("cut:" + path) == 1:
            self.bump("cut")
            self.send_response(200)
            for k, v in keep:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.reply(r.status, body, keep)


def proxy(port, upstream, state):
    class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
    s = S(("127.0.0.1", int(port)), Proxy)
    s.upstream, s.state, s.lock = int(upstream), state, threading.Lock()
    s.serve_forever()


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "layers":
        layers(args[0], args[1] if len(args) > 1 else None)
    elif cmd == "add-layer":
        add_layer(*args)
    elif cmd == "index":
        make_index(args[0], args[1], args[2:])
    elif cmd == "compare":
        sys.exit(compare(args[0], args[1]))
    elif cmd == "cpio-list":
        for n in cpio_read(args[0]):
            print(n)
    elif cmd == "proxy":
        proxy(*args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
