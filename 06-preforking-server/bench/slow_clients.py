#!/usr/bin/env python3
# Slow and idle clients against a running server: how long /health waits behind them.
#
#   python3 bench/slow_clients.py PORT idle 1000   # 1000 connections that never send a byte
#   python3 bench/slow_clients.py PORT slow 200    # 200 connections sending one byte every 2 s
#
# Prints the time of three GET /health on fresh connections (the first right after the
# flood is opened). Needs `ulimit -n` above the connection count.
import socket
import sys
import time

port, mode, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
conns = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.setblocking(False)
    conns.append(s)


def trickle():
    for s in conns:
        try:
            s.send(b"G")
        except OSError:
            pass  # the server closed it: that is what it may do to a slow client


def health():
    t = time.time()
    h = socket.create_connection(("127.0.0.1", port))
    h.settimeout(15)
    h.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    status = h.recv(200)[:15].decode("ascii", "replace")
    h.close()
    return time.time() - t, status


results = []
for _ in range(3):
    if mode == "slow":
        trickle()
    results.append(health())
    time.sleep(2 if mode == "slow" else 0.2)  # the slow clients' pace, not synchronisation
print(mode, n, " ".join("%.3f s (%s)" % r for r in results))
