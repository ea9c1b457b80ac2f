#!/usr/bin/env python3
# Keep-alive clients that count every request lost to a fault: what wrk does not (it reconnects silently on EOF).
#
#   python3 bench/fault_clients.py PORT ITEMS SECONDS [CLIENTS]
#
# CLIENTS threads (default 16) each GET /item/RANDOM in a loop on one kept-alive connection for
# SECONDS. A request is "ok" when a 200 arrives; "failed" when the connection closes or resets
# before its answer, or no answer comes within 5 s (then the client reconnects). Prints one line:
#   ok=N failed=M non200=K
import http.client
import random
import sys
import threading
import time

port, items, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
clients = int(sys.argv[4]) if len(sys.argv) > 4 else 16
counts = {"ok": 0, "failed": 0, "non200": 0}
lock = threading.Lock()
end = time.time() + seconds


def client():
    conn = None
    while time.time() < end:
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/item/%d" % random.randrange(items))
            r = conn.getresponse()
            r.read()
            kind = "ok" if r.status == 200 else "non200"
        except (OSError, http.client.HTTPException):
            kind = "failed"
            conn.close()
            conn = None
        with lock:
            counts[kind] += 1


threads = [threading.Thread(target=client) for _ in range(clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("ok=%d failed=%d non200=%d" % (counts["ok"], counts["failed"], counts["non200"]))
