#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# slow_clients.py PORT CSR [options]: slow clients against a Steward on 127.0.0.1:PORT, and the
# latency of a good client meanwhile. SLOW connections from --slow-from (127.0.0.2) each send a
# request header one byte at a time, one byte per connection every --trickle seconds (well
# within the Steward's inactivity timeout), and never finish; while they hang on, a good client
# from --good-from (127.0.0.1) POSTs CSR REQUESTS times, one after the other, each with a budget
# of BUDGET seconds. Prints the good client's latencies (p50, p99, max), how many slow
# connections the Steward still held at the end, and exits 0 when every good request was
# answered (any HTTP status) within the budget. Loopback only; every loop is bounded, and the
# whole run stops by itself after at most REQUESTS * BUDGET + 10 seconds.
import argparse, resource, socket, sys, threading, time

ap = argparse.ArgumentParser()
ap.add_argument('port', type=int)
ap.add_argument('csr')
ap.add_argument('--slow', type=int, default=1100)
ap.add_argument('--slow-from', default='127.0.0.2')
ap.add_argument('--good-from', default='127.0.0.1')
ap.add_argument('--requests', type=int, default=10)
ap.add_argument('--budget', type=float, default=3.0)
ap.add_argument('--trickle', type=float, default=0.5)
a = ap.parse_args()
for host in (a.slow_from, a.good_from):
    if not host.startswith('127.'):
        sys.exit('slow_clients.py: loopback addresses only')
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, a.slow + 256)), hard))
csr = open(a.csr, 'rb').read()
head = (b'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/pkcs10\r\n'
        b'Content-Length: %d\r\nX-Slow: ' % len(csr)) + b'a' * 4000
stop = time.monotonic() + a.requests * a.budget + 10
done = threading.Event()

# ---- the slow clients ----
slow = []
for _ in range(a.slow):
    s = socket.socket()
    s.bind((a.slow_from, 0))
    s.setblocking(False)
    try:
        s.connect(('127.0.0.1', a.port))
    except (BlockingIOError, InterruptedError):
        pass
    except OSError:
        s.close()
        continue
    slow.append([s, 0])

def trickle():
    while not done.is_set() and time.monotonic() < stop:
        for entry in slow:
            s, sent = entry
            if s is None or sent >= len(head):
                continue
            try:
                if s.send(head[sent:sent + 1]) == 1:
                    entry[1] += 1
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                s.close()
                entry[0] = None
        done.wait(a.trickle)

t = threading.Thread(target=trickle, daemon=True)
t.start()
time.sleep(min(2.0, a.trickle * 3))  # let them connect and start trickling

# ---- the good client ----
def good_request():
    t0 = time.monotonic()
    s = socket.socket()
    s.settimeout(a.budget)
    try:
        s.bind((a.good_from, 0))
        s.connect(('127.0.0.1', a.port))
        s.sendall(b'POST / HTTP/1.0\r\nContent-Type: application/pkcs10\r\nContent-Length: %d\r\n\r\n'
                  % len(csr) + csr)
        status = s.recv(12)
        ok = status.startswith(b'HTTP/1.')
    except OSError:
        ok = False
    finally:
        s.close()
    return ok, time.monotonic() - t0

lat, answered = [], 0
for _ in range(a.requests):
    ok, dt = good_request()
    lat.append(dt)
    answered += ok and dt <= a.budget
done.set()
t.join(timeout=5)

def held():
    n = 0
    for s, _ in slow:
        if s is None:
            continue
        try:
            n += s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b''
        except (BlockingIOError, InterruptedError):
            n += 1  # open, nothing to read: still held
        except OSError:
            pass
    return n

lat.sort()
pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
print('good client: %d/%d answered within %.1f s; latency p50 %.1f ms, p99 %.1f ms, max %.1f ms'
      % (answered, a.requests, a.budget, pct(0.5) * 1e3, pct(0.99) * 1e3, lat[-1] * 1e3))
print('slow clients: %d opened from %s, %d still held by the Steward'
      % (len(slow), a.slow_from, held()))
for s, _ in slow:
    if s is not None:
        s.close()
sys.exit(0 if answered == a.requests else 1)
