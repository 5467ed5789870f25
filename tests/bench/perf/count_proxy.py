#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 that counts the bytes each way: bytes on the wire.

    count_proxy.py LISTEN_PORT TARGET_PORT PORT_FILE

Listens on 127.0.0.1:LISTEN_PORT (0: any free port, written to PORT_FILE
once listening), forwards every connection to 127.0.0.1:TARGET_PORT, and
counts what passes: TLS records, handshakes included, exactly as a client
puts them on the wire (TCP/IP headers excluded). The same proxy stands in
front of nginx for every client, so the method is the same for all of them.

On SIGTERM it waits (up to 5 s) for open connections to end, then prints
one line and exits:  up=BYTES down=BYTES connections=N
(up: client to server, down: server to client).
"""
import signal
import socket
import sys
import threading
import time

lock = threading.Lock()
totals = {"up": 0, "down": 0, "connections": 0, "open": 0}


def pump(src, dst, key):
    """Copy src to dst until EOF, counting under key; then half-close dst."""
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
            with lock:
                totals[key] += len(data)
    except OSError:
        pass
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def serve(conn, target):
    """One proxied connection: two pumps, then close both ends."""
    try:
        up = socket.create_connection(("127.0.0.1", target))
    except OSError:
        conn.close()
        with lock:
            totals["open"] -= 1
        return
    up.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    t = threading.Thread(target=pump, args=(up, conn, "down"), daemon=True)
    t.start()
    pump(conn, up, "up")
    t.join()
    conn.close()
    up.close()
    with lock:
        totals["open"] -= 1


def main():
    listen_port, target, port_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", listen_port))
    ls.listen(64)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with open(port_file + ".tmp", "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    import os
    os.replace(port_file + ".tmp", port_file)
    ls.settimeout(0.05)
    while not stop.is_set():
        try:
            conn, _ = ls.accept()
        except socket.timeout:
            continue
        except OSError:
            continue
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with lock:
            totals["connections"] += 1
            totals["open"] += 1
        threading.Thread(target=serve, args=(conn, target), daemon=True).start()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with lock:
            if totals["open"] == 0:
                break
        time.sleep(0.01)
    with lock:
        print("up=%d down=%d connections=%d" % (totals["up"], totals["down"], totals["connections"]))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
