#!/usr/bin/env python3
"""Loopback test servers for the POSIX and mbedTLS port tests (stdlib only).

Usage: servers.py MODE HOST [CERT KEY]

Binds HOST on an ephemeral port, prints "PORT <n>" on stdout, then serves
every connection in its own thread. It exits as soon as its stdin reaches
EOF, so the test that spawned it cannot leave it behind.

Modes:
  echo     send back every byte until the client closes
  silent   accept and hold the connection open, never send a byte
  bye      send b"bye", then close in order (the client sees EOF)
  reset    read one byte, then abort with RST (SO_LINGER 0)
  garbage  plain TCP: answer anything with an HTTP 400 and close (not TLS)
  tls      TLS echo with CERT/KEY; prints "SNI <name>" ("SNI -" if none)
           for every handshake and "TLSERR <reason> sni=<name>" when one fails
"""
import socket
import ssl
import struct
import sys
import threading

OUT_LOCK = threading.Lock()


def report(line):
    with OUT_LOCK:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def echo(conn):
    while True:
        data = conn.recv(65536)
        if not data:
            return
        conn.sendall(data)


def silent(conn):
    threading.Event().wait()  # until the process exits


def bye(conn):
    conn.sendall(b"bye")
    conn.shutdown(socket.SHUT_WR)
    conn.recv(1)  # let the client read EOF before the socket goes away


def reset(conn):
    conn.recv(1)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def garbage(conn):
    conn.recv(4096)
    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")


def make_tls(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    seen = threading.local()  # the handshake runs in the connection's thread

    def on_sni(_sslobj, name, _ctx):
        seen.name = name

    ctx.sni_callback = on_sni

    def tls(conn):
        seen.name = None
        try:
            sconn = ctx.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            report("TLSERR %s sni=%s" % (getattr(exc, "reason", None) or type(exc).__name__,
                                          seen.name or "-"))
            return
        report("SNI " + (seen.name or "-"))
        try:
            echo(sconn)
        except (ssl.SSLError, OSError):
            pass

    return tls


def serve(listener, handler):
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=run_one, args=(conn, handler), daemon=True).start()


def run_one(conn, handler):
    try:
        handler(conn)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    mode, host = sys.argv[1], sys.argv[2]
    handlers = {"echo": echo, "silent": silent, "bye": bye, "reset": reset,
                "garbage": garbage}
    handler = make_tls(sys.argv[3], sys.argv[4]) if mode == "tls" else handlers[mode]
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    if mode == "silent":  # no receive-buffer autotuning: fills up fast
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    listener.bind((host, 0))
    listener.listen(16)
    report("PORT %d" % listener.getsockname()[1])
    threading.Thread(target=serve, args=(listener, handler), daemon=True).start()
    sys.stdin.read()  # EOF: the test is done (or died)


if __name__ == "__main__":
    main()
