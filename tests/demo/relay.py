#!/usr/bin/python3
# TCP relay for the demo guest: accept on LISTEN_ADDR:PORT and connect
# each client to TARGET_ADDR:PORT.
#
# usage: relay.py LISTEN_ADDR TARGET_ADDR PORT
#
# Why: QEMU user-mode networking forwards the host's 127.0.0.1:PORT to
# the guest's 10.0.2.15:PORT.  A target announces the address a client
# reached it on (SendTargets TargetAddress), and 10.0.2.15 is not
# reachable from the host.  Through this relay the target is reached on
# the guest's 127.0.0.1, which is what it announces, and which is also
# the host-side address of the forward.
import selectors
import socket
import sys


def main():
    listen_addr, target_addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sel = selectors.DefaultSelector()
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((listen_addr, port))
    lsock.listen(16)
    sel.register(lsock, selectors.EVENT_READ, None)
    peer = {}

    def close(s):
        for x in (s, peer.pop(s, None)):
            if x is None:
                continue
            peer.pop(x, None)
            try:
                sel.unregister(x)
            except (KeyError, ValueError):
                pass
            x.close()

    while True:
        for key, _ in sel.select():
            s = key.fileobj
            if s is lsock:
                c, _ = lsock.accept()
                try:
                    t = socket.create_connection((target_addr, port), timeout=10)
                except OSError as e:
                    print("relay: cannot reach %s:%d: %s" % (target_addr, port, e),
                          flush=True)
                    c.close()
                    continue
                t.settimeout(None)
                for x in (c, t):
                    x.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                peer[c], peer[t] = t, c
                sel.register(c, selectors.EVENT_READ, None)
                sel.register(t, selectors.EVENT_READ, None)
                continue
            try:
                data = s.recv(262144)
            except OSError:
                data = b""
            if not data:
                close(s)
                continue
            try:
                peer[s].sendall(data)
            except (OSError, KeyError):
                close(s)


if __name__ == "__main__":
    main()
