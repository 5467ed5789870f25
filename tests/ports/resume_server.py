#!/usr/bin/env python3
"""Loopback TLS server that reports session resumption (stdlib only).

Usage: resume_server.py MODE HOST CERT KEY [PORT]

Binds HOST (on PORT, else an ephemeral port; SO_REUSEADDR so a restarted
server gets the same port back), prints "PORT <n>", then serves every
connection in its own thread, and exits when its stdin reaches EOF (as
servers.py does, so the test that spawned it cannot leave it behind).

After every handshake it prints "HS resumed=<0|1> sni=<name|->", where
resumed is OpenSSL's own verdict (SSLSocket.session_reused); a failed
handshake prints "TLSERR <reason>".

Modes (the client is TLS 1.2: mbedTLS 2.28):
  ids      one context, session tickets off (ssl.OP_NO_TICKET): resumption
           only through the server's session-ID cache
  tickets  one context, session tickets on (RFC 5077)
  nocache  a new context per connection: a cache and ticket key nobody has
           seen, so no session can ever be resumed
  http     as tickets, but answers one HTTP request per connection with a
           CreateAccessToken 201 and "Connection: close", then closes
"""
import socket
import ssl
import sys
import threading

OUT_LOCK = threading.Lock()

BODY = (b'{"secret":"ccpat_resumption_test_not_a_real_secret","name":"device-42",'
        b'"expiresTime":"2027-11-27T18:51:53Z",'
        b'"accessTokenId":"3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b"}')
RESPONSE = (b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n"
            b"x-amzn-RequestId: 0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0\r\n\r\n" % len(BODY)) + BODY


def report(line):
    with OUT_LOCK:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def new_context(cert, key, tickets):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    if not tickets:
        ctx.options |= ssl.OP_NO_TICKET
    seen = threading.local()  # the handshake runs in the connection's thread
    ctx.sni_callback = lambda _sock, name, _ctx: setattr(seen, "name", name)
    return ctx, seen


def echo(sconn):
    while True:
        data = sconn.recv(65536)
        if not data:  # the client's close_notify
            # Answer it: OpenSSL drops a session from its cache when the
            # connection ends without our close_notify (ssl_clear_bad_session).
            sconn.unwrap()
            return
        sconn.sendall(data)


def http_once(sconn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sconn.recv(65536)
        if not chunk:
            return
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sconn.recv(65536)
        if not chunk:
            return
        body += chunk
    sconn.sendall(RESPONSE)
    sconn.unwrap()  # close_notify, then the socket closes


def serve_one(conn, mode, shared, cert, key):
    ctx, seen = shared if shared is not None else new_context(cert, key, True)
    seen.name = None
    try:
        sconn = ctx.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError) as exc:
        report("TLSERR %s" % (getattr(exc, "reason", None) or type(exc).__name__))
        return
    report("HS resumed=%d sni=%s" % (1 if sconn.session_reused else 0, seen.name or "-"))
    try:
        (http_once if mode == "http" else echo)(sconn)
    except (ssl.SSLError, OSError):
        pass
    finally:
        sconn.close()


def serve(listener, mode, shared, cert, key):
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=run_one, args=(conn, mode, shared, cert, key), daemon=True).start()


def run_one(conn, mode, shared, cert, key):
    try:
        serve_one(conn, mode, shared, cert, key)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    mode, host, cert, key = sys.argv[1:5]
    port = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    if mode not in ("ids", "tickets", "nocache", "http"):
        sys.exit("unknown mode " + mode)
    shared = None if mode == "nocache" else new_context(cert, key, mode != "ids")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(16)
    report("PORT %d" % listener.getsockname()[1])
    threading.Thread(target=serve, args=(listener, mode, shared, cert, key), daemon=True).start()
    sys.stdin.read()  # EOF: the test is done (or died)


if __name__ == "__main__":
    main()
