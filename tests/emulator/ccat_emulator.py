#!/usr/bin/env python3
"""ccat_emulator: a local stand-in for Amazon CodeCatalyst's CreateAccessToken.

Only the Python 3 standard library (and the ``openssl`` command for the test
certificates). Serves HTTP/1.1 (threaded, keep-alive) in plain text or TLS on
127.0.0.1 or ::1 and behaves as the rest-json service described by
/work/shared/api/codecatalyst-access-tokens.json:

``PUT <any base path>/v1/accessTokens``
    Bearer check (``--token``, repeatable), Content-Type check, body validation,
    201 with ``secret``, ``name``, ``expiresTime`` and ``accessTokenId``.

Errors look like those of real AWS rest-json (Coral) services: status from the
model, ``x-amzn-ErrorType: Code:http://internal.amazon.com/coral/...`` header,
``x-amzn-RequestId`` on every response, JSON body ``{"message": "..."}``.

Decisions where the model is silent (what Coral-based AWS services do):

* Unknown request members are ignored (forward compatibility, as Coral and
  Smithy servers do); they are listed in the log (``unknown_members``).
* A body that is not a JSON object, has the wrong member types, holds a lone
  surrogate, duplicate keys, NaN or invalid UTF-8 gives 400
  SerializationException; an unparseable ``expiresTime`` too.
* ``name`` missing or not 1..100 code points, ``expiresTime`` not in the
  future: 400 ValidationException with Coral's "1 validation error detected"
  wording. No upper bound is placed on ``expiresTime`` (the model has none).
* Content-Type other than application/json: 415 UnsupportedMediaTypeException.
* Missing or unknown bearer token: 403 AccessDeniedException.
* Other method or path: 404 UnknownOperationException.

Test control (not logged, no auth), same port:

``POST /__emulator/plan``      JSON list of actions (or {"actions": [...],
                               "append": true}) applied in order to the next
                               API requests; an action with "repeat": N counts N.
``GET /__emulator/plan``       pending actions.
``GET|DELETE /__emulator/requests``     the API request log / clear it.
``GET|DELETE /__emulator/connections``  connection records / clear them.
``POST /__emulator/config``    {"quota": N|null}
``POST /__emulator/reset``     clear plan, log, connections, quota counters.

Actions (``{"action": NAME, ...}``):

``ok``        normal processing. Modifiers (also accepted by the aliases below):
              ``secret`` (explicit value), ``secret_len`` (length of a
              generated secret), ``order`` (member order), ``decoys`` (true:
              decoy members, nested objects/arrays carrying the same key names),
              ``escape`` ("none" raw UTF-8 | "ascii" \\uXXXX for non-ASCII |
              "short" short escapes incl. \\/ | "all" every character as
              \\uXXXX), ``escape_keys`` (escape member names too), ``pretty``,
              ``members`` (replace member values with any JSON value),
              ``drop`` (omit members), ``extra`` (extra members),
              ``expires_format`` ("z" | "millis" | "offset"),
              ``chunked`` ({"sizes": [..], "ext": ";a=b", "trailers": [[k, v]],
              "upper": bool}), ``close`` (Connection: close), ``headers``
              (extra response headers), ``no_request_id``.
``chunked`` / ``close`` / ``big_secret`` (``length``, default 4000) /
``reorder`` (default: reversed) / ``decoys`` / ``escape`` (default "all"):
              ``ok`` with that modifier switched on.
``error``     ``code`` (default ValidationException), ``status`` (model's, else
              400), ``message``, ``code_in`` ("header" | "header_url" |
              "body_code" | "body_Code" | "body__type" | "none"),
              ``code_value`` (raw text placed there instead of the code),
              ``message_key`` ("message" | "Message"), ``extra_body``, ``headers``.
``throttle``  ``error`` defaulting to 429 ThrottlingException.
``status``    bare status (default 503), ``body`` / ``body_b64`` (default
              none), ``content_type``, ``reason``, ``headers``.
``reset``     ``mode`` "rst" (TCP RST, default) or "close" (FIN, no answer);
              ``when`` "after_request" (default) | "after_headers" | "mid_body".
``stall``     sleep ``seconds`` at ``phase`` "before_response" (default) |
              "after_headers" | "mid_body", ``then`` "respond" | "close" | "reset".
``raw``       send ``data`` (UTF-8 text) or ``data_b64`` bytes verbatim, then
              close (``keep_open``: true to keep the connection).

Never logs or prints a bearer token or an issued secret: the log carries the
SHA-256 of the token presented (and whether it was accepted) and the SHA-256
and length of the secret issued.
"""

import argparse
import base64
import collections
import datetime
import email.utils
import fcntl
import hashlib
import http
import json
import os
import re
import secrets
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import uuid

MODELED_ERRORS = {
    "ValidationException": 400,
    "AccessDeniedException": 403,
    "ResourceNotFoundException": 404,
    "ConflictException": 409,
    "ServiceQuotaExceededException": 402,
    "ThrottlingException": 429,
}
CORAL_VALIDATE = "http://internal.amazon.com/coral/com.amazon.coral.validate/"
CORAL_SERVICE = "http://internal.amazon.com/coral/com.amazon.coral.service/"
DEFAULT_SAN = "DNS:localhost,IP:127.0.0.1,IP:::1"
MEMBERS = ("secret", "name", "expiresTime", "accessTokenId")
API_SUFFIX = "/v1/accessTokens"
CONTROL_PREFIX = "/__emulator/"
MAX_HEAD = 64 * 1024
MAX_BODY = 1024 * 1024
SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
ACTIONS = ("ok", "chunked", "close", "big_secret", "reorder", "decoys", "escape",
           "error", "throttle", "status", "reset", "stall", "raw")
# Plan keys that may carry secret material: never echoed back or logged.
SENSITIVE_ACTION_KEYS = ("data", "data_b64", "secret", "body", "body_b64", "members", "extra")


# --------------------------------------------------------------------------
# Certificates


def _openssl(*args, cwd=None):
    proc = subprocess.run(("openssl",) + args, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (args[0], proc.stderr.strip()))


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def ensure_certs(cert_dir, san=DEFAULT_SAN):
    """Create (or reuse) a test CA and a server certificate for @p san.

    Returns {"ca": ca.pem, "cert": server cert, "key": server key}. Safe when
    several processes share the directory (flock).
    """
    os.makedirs(cert_dir, exist_ok=True)
    ca_pem = os.path.join(cert_dir, "ca.pem")
    ca_key = os.path.join(cert_dir, "ca.key")
    tag = hashlib.sha256(san.encode()).hexdigest()[:12]
    cert = os.path.join(cert_dir, "server-%s.pem" % tag)
    key = os.path.join(cert_dir, "server-%s.key" % tag)
    with open(os.path.join(cert_dir, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (os.path.exists(ca_pem) and os.path.exists(ca_key)):
            _write(os.path.join(cert_dir, "ca.cnf"),
                   "[req]\ndistinguished_name = dn\nprompt = no\n"
                   "[dn]\nCN = ccat emulator test CA %s\n" % secrets.token_hex(4) +
                   "[v3_ca]\nbasicConstraints = critical,CA:TRUE\n"
                   "keyUsage = critical,keyCertSign,cRLSign\n"
                   "subjectKeyIdentifier = hash\n")
            _openssl("req", "-x509", "-config", "ca.cnf", "-extensions", "v3_ca",
                     "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", "ca.key.tmp", "-out", "ca.pem.tmp", "-days", "3650",
                     cwd=cert_dir)
            os.replace(os.path.join(cert_dir, "ca.key.tmp"), ca_key)
            os.replace(os.path.join(cert_dir, "ca.pem.tmp"), ca_pem)
        if not (os.path.exists(cert) and os.path.exists(key)) or \
                os.path.getmtime(cert) < os.path.getmtime(ca_pem):
            first = san.split(",")[0].split(":", 1)[1]
            _write(os.path.join(cert_dir, "srv-%s.cnf" % tag),
                   "[req]\ndistinguished_name = dn\nprompt = no\n"
                   "[dn]\nCN = %s\n" % first +
                   "[v3_srv]\nbasicConstraints = critical,CA:FALSE\n"
                   "keyUsage = critical,digitalSignature\n"
                   "extendedKeyUsage = serverAuth\n"
                   "subjectAltName = %s\n" % san +
                   "subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n")
            _openssl("req", "-new", "-config", "srv-%s.cnf" % tag,
                     "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", "%s.key.tmp" % tag, "-out", "%s.csr" % tag, cwd=cert_dir)
            _openssl("x509", "-req", "-in", "%s.csr" % tag, "-CA", "ca.pem", "-CAkey", "ca.key",
                     "-set_serial", "0x" + secrets.token_hex(12), "-days", "825",
                     "-extfile", "srv-%s.cnf" % tag, "-extensions", "v3_srv",
                     "-out", "%s.pem.tmp" % tag, cwd=cert_dir)
            os.replace(os.path.join(cert_dir, "%s.key.tmp" % tag), key)
            os.replace(os.path.join(cert_dir, "%s.pem.tmp" % tag), cert)
        fcntl.flock(lock, fcntl.LOCK_UN)
    return {"ca": ca_pem, "cert": cert, "key": key}


# --------------------------------------------------------------------------
# Small helpers


def sha256_hex(data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()


def iso_utc(dt):
    """RFC 3339 UTC with Z; .uuuuuu only when microseconds are non-zero (botocore's form)."""
    dt = dt.astimezone(datetime.timezone.utc)
    if dt.microsecond:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


_TS_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def parse_timestamp(value):
    """ISO 8601 / RFC 3339 text or epoch seconds (number) -> aware datetime, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            return datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    m = _TS_RE.match(value)
    if not m:
        return None
    frac = m.group(7) or ""
    micro = int((frac[1:] + "000000")[:6]) if frac else 0
    off = m.group(8)
    if off in ("Z", "z"):
        tz = datetime.timezone.utc
    else:
        hh, mm = int(off[1:3]), int(off[4:6])
        if hh > 23 or mm > 59:
            return None
        delta = datetime.timedelta(hours=hh, minutes=mm)
        tz = datetime.timezone(-delta if off[0] == "-" else delta)
    try:
        return datetime.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)),
                                 int(m.group(4)), int(m.group(5)), int(m.group(6)), micro, tz)
    except ValueError:
        return None


def json_string(s, escape="none"):
    """Encode a JSON string literal with the requested escape style."""
    if escape == "ascii":
        return json.dumps(s, ensure_ascii=True)
    if escape == "none":
        return json.dumps(s, ensure_ascii=False)
    out = ['"']
    short = {'"': '\\"', "\\": "\\\\", "/": "\\/", "\b": "\\b", "\f": "\\f",
             "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    for ch in s:
        cp = ord(ch)
        if escape == "short" and ch in short:
            out.append(short[ch])
        elif escape == "short" and 0x20 <= cp < 0x7F:
            out.append(ch)
        elif cp > 0xFFFF:
            cp -= 0x10000
            out.append("\\u%04x\\u%04X" % (0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF)))
        else:
            out.append("\\u%04X" % cp if cp % 2 else "\\u%04x" % cp)
    out.append('"')
    return "".join(out)


def json_value(v, escape):
    if isinstance(v, str):
        return json_string(v, escape)
    return json.dumps(v, ensure_ascii=(escape != "none"))


def build_object(pairs, escape="none", escape_keys=False, pretty=False):
    """Serialize ordered (key, value) pairs; nested values use json.dumps."""
    sep = ",\n  " if pretty else ","
    items = []
    for k, v in pairs:
        key = json_string(k, escape if escape_keys else "none")
        items.append("%s:%s%s" % (key, " " if pretty else "", json_value(v, escape)))
    if pretty:
        return "{\n  " + sep.join(items) + "\n}"
    return "{" + sep.join(items) + "}"


def sanitize_action(action):
    """Copy of a plan action safe to log or echo (no secret material)."""
    out = {}
    for k, v in action.items():
        if k in SENSITIVE_ACTION_KEYS:
            out[k] = "<%d chars>" % len(json.dumps(v))
        else:
            out[k] = v
    return out


def reason_phrase(status):
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Status %d" % status


class BadRequest(Exception):
    """The peer's bytes are not an acceptable HTTP/1.1 request."""


class ApiError(Exception):
    """A service error to answer with."""

    def __init__(self, code, message, status=None):
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status or MODELED_ERRORS.get(code, 400)


# --------------------------------------------------------------------------
# Server state


class State:
    """Everything shared between connection threads."""

    def __init__(self, tokens, quota=None, quiet=False):
        self.lock = threading.Lock()
        self.tokens = list(tokens)
        self.quota = quota
        self.quiet = quiet
        self.plan = collections.deque()
        self.log = []
        self.conns = []
        self.issued = collections.Counter()
        self.seq = 0
        self.conn_seq = 0
        self.t0 = time.monotonic()

    def now(self):
        return round(time.monotonic() - self.t0, 6)

    def next_action(self):
        with self.lock:
            if self.plan:
                a = self.plan.popleft()
                return a, True
        return {"action": "ok"}, False

    def reset(self):
        with self.lock:
            self.plan.clear()
            self.log = []
            self.conns = []
            self.issued.clear()


def expand_plan(actions):
    if isinstance(actions, dict):
        actions = [actions]
    if not isinstance(actions, list):
        raise ValueError("plan must be a list of actions")
    out = []
    for a in actions:
        if not isinstance(a, dict) or a.get("action") not in ACTIONS:
            raise ValueError("unknown action: %r" % (a.get("action") if isinstance(a, dict) else a))
        a = dict(a)
        n = int(a.pop("repeat", 1))
        out.extend(dict(a) for _ in range(n))
    return out


# --------------------------------------------------------------------------
# One connection


class Connection:
    """Serves one accepted socket: requests in a loop until close."""

    def __init__(self, server, sock, addr):
        self.server = server
        self.state = server.state
        self.sock = sock
        self.addr = addr
        self.buf = bytearray()
        self.closed = False
        with self.state.lock:
            self.state.conn_seq += 1
            self.rec = {"id": self.state.conn_seq, "t": self.state.now(), "peer": addr[0],
                        "tls": server.ssl_ctx is not None, "handshake": None,
                        "api_requests": 0, "control_requests": 0, "partial_bytes": 0,
                        "closed_by": None, "tls_version": None, "bad_request": None,
                        "internal_error": None}
            self.state.conns.append(self.rec)

    # --- I/O -----------------------------------------------------------
    def fill(self):
        try:
            data = self.sock.recv(65536)
        except (ssl.SSLError, ConnectionError, OSError):
            data = b""
        if not data:
            raise EOFError
        self.buf += data

    def take(self, n):
        while len(self.buf) < n:
            self.fill()
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def take_line(self, limit=8192):
        while True:
            i = self.buf.find(b"\n")
            if i >= 0:
                line = bytes(self.buf[:i + 1])
                del self.buf[:i + 1]
                return line
            if len(self.buf) > limit:
                raise BadRequest("line too long")
            self.fill()

    def send(self, data):
        try:
            self.sock.sendall(data)
            return True
        except (OSError, ssl.SSLError):
            return False

    def abort(self, mode="rst"):
        """Close without a word: RST (SO_LINGER 0) or plain FIN."""
        if self.closed:
            return
        self.closed = True
        self.rec["closed_by"] = "server-" + mode
        try:
            if mode == "rst":
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass

    def close(self):
        """Orderly close (TLS close_notify when possible)."""
        if self.closed:
            return
        self.closed = True
        if self.rec["closed_by"] is None:
            self.rec["closed_by"] = "server"
        try:
            if isinstance(self.sock, ssl.SSLSocket):
                self.sock.settimeout(0.5)
                try:
                    self.sock = self.sock.unwrap()
                except (OSError, ssl.SSLError, ValueError):
                    pass
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass

    # --- request parsing -----------------------------------------------
    def read_request(self):
        """Returns the request dict, or None at a clean end of stream."""
        while True:
            if self.buf[:1] and not self.buf[:1].isupper():
                raise BadRequest("not an HTTP request")   # e.g. a TLS ClientHello
            m = re.search(rb"\r?\n\r?\n", self.buf)
            if m:
                break
            if len(self.buf) > MAX_HEAD:
                raise BadRequest("request head too large")
            try:
                self.fill()
            except EOFError:
                if self.buf:
                    self.rec["partial_bytes"] += len(self.buf)
                    self.buf.clear()
                return None
        head = bytes(self.buf[:m.end()])
        del self.buf[:m.end()]
        crlf = b"\n" not in head.replace(b"\r\n", b"")
        lines = re.split(rb"\r?\n", head)[:-2]
        if not lines:
            raise BadRequest("empty request")
        try:
            method, target, version = lines[0].decode("ascii").split(" ")
        except (ValueError, UnicodeDecodeError):
            raise BadRequest("malformed request line")
        if not re.match(r"^HTTP/1\.[01]$", version):
            raise BadRequest("bad HTTP version")
        headers = []
        problems = []
        for raw in lines[1:]:
            if raw[:1] in (b" ", b"\t"):
                problems.append("obs-fold")
                continue
            name, sep, value = raw.partition(b":")
            if not sep or not re.match(rb"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", name):
                problems.append("bad header line")
                continue
            if re.search(rb"[\x00-\x08\x0a-\x1f\x7f]", value):
                problems.append("control character in %s" % name.decode("latin-1"))
            headers.append((name.decode("latin-1"), value.strip(b" \t").decode("latin-1")))
        req = {"method": method, "target": target, "version": version,
               "headers": headers, "head_crlf": crlf, "header_problems": problems,
               "raw_head": head}
        te = [v for k, v in headers if k.lower() == "transfer-encoding"]
        cl = [v for k, v in headers if k.lower() == "content-length"]
        req["content_length"] = None
        req["chunked_request"] = False
        if te and cl:
            raise BadRequest("both Content-Length and Transfer-Encoding")
        if te:
            if te[-1].lower() != "chunked":
                raise BadRequest("unsupported transfer coding")
            req["chunked_request"] = True
            req["body"] = self.read_chunked_body()
        elif cl:
            if len(set(cl)) != 1 or not re.match(r"^\d{1,9}$", cl[0]):
                raise BadRequest("bad Content-Length")
            n = int(cl[0])
            if n > MAX_BODY:
                raise BadRequest("body too large")
            req["content_length"] = n
            req["body"] = self.take(n)
        else:
            req["body"] = b""
        return req

    def read_chunked_body(self):
        body = bytearray()
        while True:
            line = self.take_line().rstrip(b"\r\n")
            size_text = line.split(b";", 1)[0].strip()
            if not re.match(rb"^[0-9A-Fa-f]{1,8}$", size_text):
                raise BadRequest("bad chunk size")
            n = int(size_text, 16)
            if n == 0:
                while self.take_line() not in (b"\r\n", b"\n"):
                    pass
                return bytes(body)
            body += self.take(n)
            if len(body) > MAX_BODY:
                raise BadRequest("body too large")
            if self.take_line() not in (b"\r\n", b"\n"):
                raise BadRequest("bad chunk framing")

    # --- main loop -----------------------------------------------------
    def run(self):
        try:
            if self.server.ssl_ctx is not None:
                try:
                    self.sock.settimeout(10)
                    self.sock = self.server.ssl_ctx.wrap_socket(self.sock, server_side=True)
                    self.rec["handshake"] = "ok"
                    self.rec["tls_version"] = self.sock.version()
                except (ssl.SSLError, OSError) as e:
                    self.rec["handshake"] = "failed: %s" % (getattr(e, "reason", None) or e)
                    self.abort("close")
                    return
            self.sock.settimeout(self.server.idle_timeout)
            while not self.closed:
                try:
                    req = self.read_request()
                except BadRequest as e:
                    self.rec["bad_request"] = str(e)
                    self.send_simple(400, {"message": "Bad request: %s" % e}, close=True)
                    break
                except EOFError:
                    self.rec["closed_by"] = self.rec["closed_by"] or "client-midrequest"
                    break
                except socket.timeout:
                    self.rec["closed_by"] = "idle-timeout"
                    break
                if req is None:
                    self.rec["closed_by"] = self.rec["closed_by"] or "client"
                    break
                path = req["target"].split("?", 1)[0]
                if path.startswith(CONTROL_PREFIX):
                    self.rec["control_requests"] += 1
                    self.handle_control(req, path)
                else:
                    self.rec["api_requests"] += 1
                    self.handle_api(req)
                if not self.closed and self.client_wants_close(req):
                    self.close()
        except Exception as e:  # never let a thread die noisily
            self.rec["internal_error"] = repr(e)
        finally:
            if not self.closed:
                self.close()

    @staticmethod
    def client_wants_close(req):
        conn = ",".join(v for k, v in req["headers"] if k.lower() == "connection").lower()
        if req["version"] == "HTTP/1.0":
            return "keep-alive" not in conn
        return "close" in conn

    # --- responses -----------------------------------------------------
    def response_head(self, status, headers, reason=None):
        lines = ["HTTP/1.1 %d %s" % (status, reason or reason_phrase(status))]
        lines += ["%s: %s" % (k, v) for k, v in headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def standard_headers(self, request_id, content_type="application/json"):
        h = [("Date", email.utils.formatdate(usegmt=True))]
        if content_type:
            h.append(("Content-Type", content_type))
        if request_id:
            h.append(("x-amzn-RequestId", request_id))
        return h

    def send_simple(self, status, obj, close=False):
        body = json.dumps(obj).encode()
        h = self.standard_headers(str(uuid.uuid4()))
        h.append(("Content-Length", str(len(body))))
        if close:
            h.append(("Connection", "close"))
        self.send(self.response_head(status, h) + body)
        if close:
            self.close()

    def send_response(self, status, headers, body, action, entry, reason=None):
        """Send with the framing the action asks for (Content-Length, chunked,
        stalls, resets) and close when asked."""
        chunked = action.get("chunked")
        if action.get("action") == "chunked" and not chunked:
            chunked = {"sizes": [7, 1, 13]}
        close = bool(action.get("close")) or action.get("action") == "close"
        headers = list(headers)
        if chunked:
            headers.append(("Transfer-Encoding", "chunked"))
            payload = self.chunk(body, chunked)
        else:
            headers.append(("Content-Length", str(len(body))))
            payload = body
        if close:
            headers.append(("Connection", "close"))
        headers += [tuple(x) for x in action.get("headers", [])]
        head = self.response_head(status, headers, reason)
        entry["response"]["status"] = status

        kind = action.get("action")
        phase = action.get("phase", "before_response") if kind == "stall" else None
        when = action.get("when", "after_request") if kind == "reset" else None
        if kind == "stall" and phase == "before_response":
            if not self.stall(action):
                return
        if (phase == "after_headers") or when == "after_headers":
            if not self.send(head):
                return
            if kind == "reset":
                self.abort(action.get("mode", "rst"))
                return
            if not self.stall(action):
                return
            self.send(payload)
        elif phase == "mid_body" or when == "mid_body":
            half = max(1, len(payload) // 2)
            if not self.send(head + payload[:half]):
                return
            if kind == "reset":
                self.abort(action.get("mode", "rst"))
                return
            if not self.stall(action):
                return
            self.send(payload[half:])
        else:
            self.send(head + payload)
        entry["response"]["sent"] = True
        if close:
            self.close()

    def stall(self, action):
        """Sleep, then decide: True to go on responding."""
        secs = float(action.get("seconds", 5))
        deadline = time.monotonic() + secs
        while time.monotonic() < deadline:
            time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
        then = action.get("then", "respond")
        if then == "close":
            self.abort("close")
            return False
        if then == "reset":
            self.abort("rst")
            return False
        return True

    @staticmethod
    def chunk(body, spec):
        sizes = list(spec.get("sizes") or [len(body)])
        ext = spec.get("ext", "")
        fmt = "%X" if spec.get("upper") else "%x"
        out = bytearray()
        pos = 0
        i = 0
        while pos < len(body):
            n = sizes[i] if i < len(sizes) else len(body) - pos
            n = max(1, min(n, len(body) - pos))
            out += (fmt % n + ext + "\r\n").encode() + body[pos:pos + n] + b"\r\n"
            pos += n
            i += 1
        out += ("0" + ext + "\r\n").encode()
        for k, v in spec.get("trailers", []):
            out += ("%s: %s\r\n" % (k, v)).encode()
        out += b"\r\n"
        return bytes(out)

    # --- the API ---------------------------------------------------------
    def log_entry(self, req, action, planned):
        st = self.state
        auth_values = [v for k, v in req["headers"] if k.lower() == "authorization"]
        auth = {"present": bool(auth_values), "count": len(auth_values), "scheme": None,
                "sha256": None, "accepted": False}
        token = None
        if auth_values:
            scheme, _, rest = auth_values[0].partition(" ")
            auth["scheme"] = scheme
            token = rest
            auth["sha256"] = sha256_hex(rest)
            auth["accepted"] = (len(auth_values) == 1 and scheme.lower() == "bearer"
                                and rest in st.tokens)
        headers = [[k, "<redacted>" if k.lower() == "authorization" else v]
                   for k, v in req["headers"]]
        # A token anywhere but the Authorization value would be a leak.
        head_wo_auth = re.sub(rb"(?im)^authorization:[^\r\n]*", b"", req["raw_head"])
        secrets_known = [t for t in st.tokens if len(t) >= 4] + ([token] if token and len(token) >= 4 else [])
        leak = any(t.encode("utf-8", "surrogatepass") in head_wo_auth or
                   t.encode("utf-8", "surrogatepass") in req["body"] for t in secrets_known)
        with st.lock:
            st.seq += 1
            entry = {"seq": st.seq, "t": st.now(), "conn": self.rec["id"],
                     "conn_seq": self.rec["api_requests"], "tls": self.rec["tls"],
                     "method": req["method"], "target": req["target"], "version": req["version"],
                     "headers": headers, "auth": auth, "token_elsewhere": leak,
                     "head_crlf": req["head_crlf"], "header_problems": req["header_problems"],
                     "content_length": req["content_length"],
                     "chunked_request": req["chunked_request"],
                     "body_b64": base64.b64encode(req["body"]).decode(),
                     "body_len": len(req["body"]),
                     "action": sanitize_action(action), "planned": planned,
                     "unknown_members": [],
                     "response": {"status": None, "request_id": None, "code": None,
                                  "issued": None, "sent": False}}
            st.log.append(entry)
        return entry, token

    def handle_api(self, req):
        action, planned = self.state.next_action()
        entry, token = self.log_entry(req, action, planned)
        kind = action["action"]
        if not self.state.quiet:
            print("ccat-emulator: #%d %s %s action=%s" % (entry["seq"], req["method"],
                  req["target"][:200], kind), file=sys.stderr, flush=True)
        if kind == "reset" and action.get("when", "after_request") == "after_request":
            entry["response"]["status"] = "reset"
            self.abort(action.get("mode", "rst"))
            return
        if kind == "raw":
            data = (base64.b64decode(action["data_b64"]) if "data_b64" in action
                    else action.get("data", "").encode("utf-8"))
            entry["response"]["status"] = "raw"
            if self.send(data):
                entry["response"]["sent"] = True
            if action.get("keep_open"):
                return
            if action.get("mode") == "rst":
                self.abort("rst")
            else:
                self.close()
            return
        request_id = str(uuid.uuid4())
        entry["response"]["request_id"] = request_id
        if kind == "status":
            self.respond_status(action, entry, request_id)
            return
        if kind in ("error", "throttle"):
            self.respond_error(action, entry, request_id, action)
            return
        try:
            issued = self.emulate(req, entry)
        except ApiError as e:
            entry["response"]["code"] = e.code
            self.respond_error({"code": e.code, "message": e.message, "status": e.status},
                               entry, request_id, action)
            return
        self.respond_ok(action, entry, request_id, issued)

    def emulate(self, req, entry):
        """The service proper. Returns the issued token dict or raises ApiError."""
        st = self.state
        path = req["target"].split("?", 1)[0]
        if req["method"] != "PUT" or not path.endswith(API_SUFFIX):
            raise ApiError("UnknownOperationException", "Unknown operation", 404)
        if not any(k.lower() == "host" for k, _ in req["headers"]):
            raise ApiError("BadRequestException", "Missing Host header", 400)
        auth_values = [v for k, v in req["headers"] if k.lower() == "authorization"]
        if len(auth_values) != 1:
            raise ApiError("AccessDeniedException", "Missing or repeated Authorization header")
        scheme, _, tok = auth_values[0].partition(" ")
        if scheme.lower() != "bearer" or tok not in st.tokens:
            raise ApiError("AccessDeniedException", "Invalid or expired bearer token")
        ctypes = [v for k, v in req["headers"] if k.lower() == "content-type"]
        if len(ctypes) != 1 or ctypes[0].split(";")[0].strip().lower() != "application/json":
            raise ApiError("UnsupportedMediaTypeException", "Expected Content-Type application/json", 415)
        body = self.parse_body(req["body"])
        unknown = sorted(k for k in body if k not in ("name", "expiresTime"))
        if unknown:
            entry["unknown_members"] = unknown
        name = body.get("name")
        if name is None:
            raise ApiError("ValidationException", "1 validation error detected: Value null at "
                           "'name' failed to satisfy constraint: Member must not be null")
        if not isinstance(name, str):
            raise ApiError("SerializationException", "Expected a string for 'name'")
        if len(name) < 1:
            raise ApiError("ValidationException", "1 validation error detected: Value at 'name' "
                           "failed to satisfy constraint: Member must have length greater than or equal to 1")
        if len(name) > 100:
            raise ApiError("ValidationException", "1 validation error detected: Value at 'name' "
                           "failed to satisfy constraint: Member must have length less than or equal to 100")
        now = datetime.datetime.now(datetime.timezone.utc)
        if "expiresTime" in body and body["expiresTime"] is not None:
            exp = parse_timestamp(body["expiresTime"])
            if exp is None:
                raise ApiError("SerializationException", "Cannot parse 'expiresTime' as a timestamp")
            if exp <= now:
                raise ApiError("ValidationException", "The expiration time must be in the future")
        else:
            exp = (now + datetime.timedelta(days=365)).replace(microsecond=0)
        tok_hash = sha256_hex(tok)
        with st.lock:
            if st.quota is not None and st.issued[tok_hash] >= st.quota:
                raise ApiError("ServiceQuotaExceededException",
                               "You have reached the maximum number of personal access tokens")
            st.issued[tok_hash] += 1
        return {"name": name, "expiresTime": exp, "accessTokenId": str(uuid.uuid4())}

    @staticmethod
    def parse_body(raw):
        if raw == b"":
            return {}
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError("SerializationException", "Body is not valid UTF-8")

        def no_dupes(pairs):
            keys = [k for k, _ in pairs]
            if len(keys) != len(set(keys)):
                raise ApiError("SerializationException", "Duplicate member in body")
            return dict(pairs)

        def bad_constant(c):
            raise ApiError("SerializationException", "Invalid number %s" % c)

        try:
            body = json.loads(text, object_pairs_hook=no_dupes, parse_constant=bad_constant)
        except ValueError:
            raise ApiError("SerializationException", "Body is not valid JSON")
        if not isinstance(body, dict):
            raise ApiError("SerializationException", "Body must be a JSON object")
        try:
            json.dumps(body, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ApiError("SerializationException", "Lone surrogate in a string")
        return body

    # --- answers ---------------------------------------------------------
    def respond_status(self, action, entry, request_id):
        status = int(action.get("status", 503))
        if "body_b64" in action:
            body = base64.b64decode(action["body_b64"])
        elif action.get("body") is not None:
            body = action["body"].encode("utf-8")
        else:
            body = b""
        ctype = action.get("content_type", "application/json" if body else None)
        headers = self.standard_headers(request_id, ctype)
        self.send_response(status, headers, body, action, entry, action.get("reason"))

    def respond_error(self, spec, entry, request_id, framing):
        """Error answer described by @p spec, framed as the plan action @p framing says."""
        default_code = "ThrottlingException" if spec.get("action") == "throttle" else "ValidationException"
        code = spec.get("code", default_code)
        status = int(spec.get("status", MODELED_ERRORS.get(code, 400)))
        message = spec.get("message", "Emulated %s" % code)
        code_in = spec.get("code_in", "header_url")
        value = spec.get("code_value")
        body = collections.OrderedDict()
        headers = self.standard_headers(request_id)
        if code_in == "header":
            headers.append(("x-amzn-ErrorType", value or code))
        elif code_in == "header_url":
            suffix = CORAL_VALIDATE if code in ("ValidationException", "SerializationException") else CORAL_SERVICE
            headers.append(("x-amzn-ErrorType", value or "%s:%s" % (code, suffix)))
        elif code_in == "body_code":
            body["code"] = value or code
        elif code_in == "body_Code":
            body["Code"] = value or code
        elif code_in == "body__type":
            body["__type"] = value or code
        elif code_in != "none":
            raise ValueError("unknown code_in %r" % code_in)
        body[spec.get("message_key", "message")] = message
        body.update(spec.get("extra_body", {}))
        entry["response"]["code"] = code
        data = json.dumps(body).encode("utf-8")
        self.send_response(status, headers, data, framing, entry)

    def respond_ok(self, action, entry, request_id, issued):
        kind = action["action"]
        secret = action.get("secret")
        if secret is None:
            n = int(action.get("secret_len", action.get("length", 4000 if kind == "big_secret" else 56)))
            secret = "ccpat_" + "".join(secrets.choice(SECRET_ALPHABET) for _ in range(max(0, n - 6)))
            secret = secret[:n] if n >= 1 else secret
        exp = issued["expiresTime"]
        fmt = action.get("expires_format", "z")
        if fmt == "millis":
            exp_text = exp.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
                "%03dZ" % (exp.microsecond // 1000)
        elif fmt == "offset":
            exp_text = exp.astimezone(datetime.timezone(datetime.timedelta(hours=5, minutes=30))).isoformat()
        else:
            exp_text = iso_utc(exp)
        values = {"secret": secret, "name": issued["name"], "expiresTime": exp_text,
                  "accessTokenId": issued["accessTokenId"]}
        entry["response"]["issued"] = {"name": issued["name"], "expiresTime": exp_text,
                                       "accessTokenId": issued["accessTokenId"],
                                       "secret_sha256": sha256_hex(secret),
                                       "secret_len": len(secret)}
        values.update(action.get("members", {}))
        order = list(action.get("order") or (list(reversed(MEMBERS)) if kind == "reorder" else MEMBERS))
        drop = set(action.get("drop", []))
        pairs = [(k, values[k]) for k in order if k in values and k not in drop]
        if action.get("decoys") or kind == "decoys":
            pairs = self.with_decoys(pairs)
        pairs += list(action.get("extra", {}).items())
        escape = action.get("escape", "all" if kind == "escape" else "none")
        text = build_object(pairs, escape, bool(action.get("escape_keys")), bool(action.get("pretty")))
        body = text.encode("utf-8")
        headers = self.standard_headers(None if action.get("no_request_id") else request_id)
        self.send_response(201, headers, body, action, entry)

    @staticmethod
    def with_decoys(pairs):
        """Real members interleaved with decoys that reuse their names."""
        decoys = [
            ("decoy", {"secret": "ccpat_DECOYnested", "name": "decoy-name",
                       "expiresTime": "2001-01-01T00:00:00Z", "accessTokenId": "decoy-id-1"}),
            ("Secret", "ccpat_DECOYcase"),
            ("list", [{"secret": "ccpat_DECOYinlist", "name": "decoy-list"}, "secret",
                      ["name", "accessTokenId", {"expiresTime": "1999-01-01T00:00:00Z"}],
                      1.5e300, -0.0, True, False, None]),
            ("secretX", "ccpat_DECOYprefix"),
            ("note", "secret"),
            ("deep", {"a": {"b": [[{"name": "decoy-deep", "accessTokenId": "decoy-id-2"}]]}}),
            ("empty", {}),
            ("emptyList", []),
            ("n", -12.5e-3),
        ]
        out = []
        for i, p in enumerate(pairs):
            out.extend(decoys[2 * i:2 * i + 2])
            out.append(p)
        out.extend(decoys[2 * len(pairs):])
        return out

    # --- control ---------------------------------------------------------
    def handle_control(self, req, path):
        st = self.state
        what = path[len(CONTROL_PREFIX):]
        m = req["method"]
        try:
            arg = json.loads(req["body"].decode() or "null")
        except ValueError:
            self.send_simple(400, {"message": "control body is not JSON"})
            return
        try:
            if what == "plan" and m == "POST":
                append = isinstance(arg, dict) and arg.get("append")
                actions = expand_plan(arg.get("actions", []) if isinstance(arg, dict) and "actions" in arg else arg)
                with st.lock:
                    if not append:
                        st.plan.clear()
                    st.plan.extend(actions)
                    n = len(st.plan)
                self.send_simple(200, {"queued": n})
            elif what == "plan" and m == "GET":
                with st.lock:
                    pending = [sanitize_action(a) for a in st.plan]
                self.send_simple(200, {"pending": pending})
            elif what == "requests" and m == "GET":
                with st.lock:
                    data = json.loads(json.dumps(st.log))
                self.send_simple(200, {"requests": data})
            elif what == "requests" and m == "DELETE":
                with st.lock:
                    st.log = []
                self.send_simple(200, {"cleared": True})
            elif what == "connections" and m == "GET":
                with st.lock:
                    data = json.loads(json.dumps(st.conns))
                self.send_simple(200, {"connections": data})
            elif what == "connections" and m == "DELETE":
                with st.lock:
                    st.conns = [self.rec]
                self.send_simple(200, {"cleared": True})
            elif what == "config" and m == "POST":
                with st.lock:
                    if "quota" in arg:
                        st.quota = arg["quota"]
                        st.issued.clear()
                self.send_simple(200, {"quota": st.quota})
            elif what == "reset" and m == "POST":
                st.reset()
                with st.lock:
                    st.conns = [self.rec]
                self.send_simple(200, {"reset": True})
            elif what == "health":
                self.send_simple(200, {"ok": True})
            else:
                self.send_simple(404, {"message": "unknown control endpoint"})
        except (ValueError, TypeError, KeyError) as e:
            self.send_simple(400, {"message": str(e)})


# --------------------------------------------------------------------------
# Server


class Emulator:
    """The listening socket and its accept loop (usable in-process too)."""

    def __init__(self, host="127.0.0.1", port=0, tls=False, cert_dir=None, san=DEFAULT_SAN,
                 tokens=("test-token",), quota=None, idle_timeout=60.0, quiet=False):
        self.state = State(tokens, quota, quiet)
        self.idle_timeout = idle_timeout
        self.host = host
        self.ssl_ctx = None
        self.certs = None
        if tls:
            self.certs = ensure_certs(cert_dir or os.path.join(os.getcwd(), "emulator-certs"), san)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            ctx.load_cert_chain(self.certs["cert"], self.certs["key"])
            self.ssl_ctx = ctx
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.thread = None

    @property
    def url(self):
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "%s://%s:%d" % ("https" if self.ssl_ctx else "http", host, self.port)

    def serve_forever(self):
        while True:
            try:
                sock, addr = self.sock.accept()
            except OSError:
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = Connection(self, sock, addr)
            threading.Thread(target=conn.run, daemon=True).start()

    def start(self):
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        try:
            self.sock.close()
        except OSError:
            pass


def main(argv=None):
    p = argparse.ArgumentParser(description="Local CodeCatalyst CreateAccessToken emulator")
    p.add_argument("--host", default="127.0.0.1", choices=("127.0.0.1", "::1"))
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--port-file", help="write the port here once listening")
    p.add_argument("--tls", action="store_true", help="serve HTTPS")
    p.add_argument("--cert-dir", help="test CA + server certificates (ca.pem for clients); implies --tls")
    p.add_argument("--cert-san", default=DEFAULT_SAN, help="subjectAltName of the server certificate")
    p.add_argument("--token", action="append", default=[], help="accepted bearer token (repeatable)")
    p.add_argument("--quota", type=int, help="tokens each user may create")
    p.add_argument("--idle-timeout", type=float, default=60.0)
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args(argv)
    tls = a.tls or a.cert_dir is not None
    emu = Emulator(a.host, a.port, tls, a.cert_dir, a.cert_san, a.token or ["test-token"],
                   a.quota, a.idle_timeout, a.quiet)
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % emu.port)
        os.replace(tmp, a.port_file)
    print("ccat-emulator ready %s%s" % (emu.url, " ca=%s" % emu.certs["ca"] if emu.certs else ""),
          flush=True)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    try:
        emu.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
