#!/usr/bin/env python3
"""ccat_emulator: a local stand-in for Amazon CodeCatalyst's access-token API.

Only the Python 3 standard library (and the ``openssl`` command for the test
certificates). Serves HTTP/1.1 (threaded, keep-alive) in plain text or TLS on
127.0.0.1 or ::1 and behaves as the rest-json service described by
/work/shared/api/codecatalyst-access-tokens.json. Any base path may precede
the operation paths:

``PUT .../v1/accessTokens`` (CreateAccessToken)
    Content-Type check, body validation, per-user quota, 201 with ``secret``,
    ``name``, ``expiresTime`` and ``accessTokenId``. The secret becomes a bearer
    token of the caller's user ("created_by" = the caller's token id).
``POST .../v1/accessTokens`` (ListAccessTokens)
    Body ``{}`` (or empty) or with ``maxResults`` (1..10, default 10) and
    ``nextToken``. 200 ``{"items": [{"id", "name", "expiresTime"}], "nextToken"}``
    for the caller's user, in creation order; ``nextToken`` absent on the last
    page. Page tokens are opaque random strings the emulator maps to (user,
    position); an unknown one, another user's, or one from before a reset is a
    ValidationException. Deleted tokens are not listed; expired ones are (they
    exist until deleted; config ``list_expired: false`` hides them).
``DELETE .../v1/accessTokens/{id}`` (DeleteAccessToken)
    ``{id}`` is percent-decoded (one path segment, so ``%2F`` is part of the
    id). 200 ``{}``. More than 36 characters or invalid UTF-8: ValidationException.
    An id that does not exist, or belongs to another user:
    404 ResourceNotFoundException (the modeled error; other users' tokens are
    not revealed). An id already deleted: ResourceNotFoundException too (config
    ``delete_deleted: "ok"`` answers 200 instead: the operation is modeled
    idempotent, and a client retrying a delete whose answer was lost must
    accept either). The caller may delete the very token it authenticates with:
    the request succeeds, later ones with that token are denied.
``GET .../session`` (VerifySession)
    200 ``{"identity": "<user id>"}``.

Tokens: every bootstrap token (``--token T``: a user of its own, user id
``bootstrap_user_id(i)``, token id ``bootstrap_token_id(i)``, name
``bootstrap-<i+1>``; ``--user-token USER:T``: a token of user USER) and every
issued secret is a bearer token. The store keeps per token: id, name, user,
SHA-256 of the secret (never the secret), expiry (bootstrap: one year after
start), the id of the token that created it, deleted flag. A deleted or
expired token (by the emulator's clock, see /__emulator/clock) gets 403
AccessDeniedException on every operation. Authentication comes before
validation, as in Coral. Quota (``--quota N`` / config ``quota``): a user may
hold N live (not deleted, not expired) tokens created through the API;
bootstrap tokens are not counted (so ``--quota N`` still means "N tokens may be
created" on a fresh emulator), unless config ``count_bootstrap: true``.
Exceeding it: 402 ServiceQuotaExceededException.

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
* Content-Type other than application/json: 415 UnsupportedMediaTypeException
  (CreateAccessToken always; ListAccessTokens only when it has a body; the
  body and Content-Type of DeleteAccessToken and VerifySession are ignored).
* ``maxResults`` below 1: ValidationException (the model only has max 10; a
  page of 0 items could never progress). A non-integer: SerializationException.
* ``expiresTime`` "in the future" means after the emulator's clock.
* Missing, unknown, deleted or expired bearer token: 403 AccessDeniedException
  ("Invalid or expired bearer token"; the log says which in ``auth.denied``).
* Other method or path: 404 UnknownOperationException.

Test control (not logged, no auth), same port:

``POST /__emulator/plan``      JSON list of actions (or {"actions": [...],
                               "append": true}) for the next API requests; an
                               action with "repeat": N counts N. Each request
                               takes the first pending action whose ``op``
                               (operation name or list of names) matches its
                               operation; actions without ``op`` match any
                               request (also unknown routes).
``GET /__emulator/plan``       pending actions.
``GET|DELETE /__emulator/requests``     the API request log / clear it.
``GET|DELETE /__emulator/connections``  connection records / clear them.
``GET|POST /__emulator/config``  {"quota": N|null, "count_bootstrap": bool,
                               "delete_deleted": "not_found"|"ok",
                               "list_expired": bool}: read / set (survives reset).
``GET /__emulator/tokens``     {"now", "tokens": [{"id", "name", "user", "seq",
                               "created_by", "created", "expiresTime", "deleted",
                               "deleted_at", "expired", "live", "bootstrap",
                               "secret_sha256"}]} in creation order.
``POST /__emulator/tokens``    {"id": ID, "expiresTime"?, "deleted"?, "name"?}
                               changes a token; {"secret": S, "user"?, "name"?,
                               "id"?, "expiresTime"?} adds a bearer token (until
                               reset). Answers the token's record.
``GET|POST /__emulator/clock`` {"advance": s} | {"set": time} | {"offset": s} |
                               {"real": true}: the emulator's "now" = real time +
                               offset (it keeps running). Answers {"now", "offset"}.
``POST /__emulator/reset``     clear plan, log, connections; token store back to
                               the bootstrap tokens; clock back to real time.

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
              (extra response headers), ``no_request_id``. ``secret`` /
              ``secret_len`` / ``big_secret`` concern CreateAccessToken (the
              secret stored is the one sent, also a ``members`` string
              "secret"); the others shape any operation's answer (members of
              ListAccessTokens: items, nextToken, escapes apply inside items;
              VerifySession: identity; DeleteAccessToken has none: use
              ``extra``).
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
``lost``      apply the operation (as ``ok`` would: token created / deleted...),
              then lose the answer: ``mode`` "rst" (default) or "close";
              ``when`` "after_request" (default: nothing sent) |
              "after_headers" | "mid_body" (part of the real answer sent).
              The response-lost case crash-safe clients must survive.

Every action takes ``op`` (see the plan). ``reset``, ``raw``, ``status``,
``error`` and ``throttle`` do not apply the operation unless ``"apply": true``
(then they apply it first and answer as planned, e.g. "the delete happened but
the client got a 500"); the other actions always apply it. The log entry's
``response.applied`` says whether the operation took effect.

The log entry of each API request has ``operation`` (None for an unknown
route), ``auth`` (``sha256`` of the token presented, ``accepted``,
``token_id`` and ``user`` it belongs to, ``denied``: None | "missing" |
"repeated" | "scheme" | "unknown" | "deleted" | "expired"), and in
``response``: ``issued`` (CreateAccessToken, with only the SHA-256 and length
of the secret), ``result`` (ListAccessTokens: {"ids", "next_token"};
DeleteAccessToken: {"id"} decoded; VerifySession: {"identity"}), ``applied``.

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
import urllib.parse
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
           "error", "throttle", "status", "reset", "stall", "raw", "lost")
OPERATIONS = ("CreateAccessToken", "ListAccessTokens", "DeleteAccessToken", "VerifySession")
SUCCESS_STATUS = {"CreateAccessToken": 201, "ListAccessTokens": 200, "DeleteAccessToken": 200,
                  "VerifySession": 200}
DELETE_RE = re.compile(r"/v1/accessTokens/([^/]+)$")
LIST_MAX = 10
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
    if isinstance(v, RawJSON):
        return v.text
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


class RawJSON:
    """Already-serialized JSON text to embed as a member value."""

    def __init__(self, text):
        self.text = text


def format_expiry(exp, fmt="z"):
    """expiresTime as text: "z" (botocore's form), "millis" or "offset" (+05:30)."""
    if fmt == "millis":
        return exp.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
            "%03dZ" % (exp.microsecond // 1000)
    if fmt == "offset":
        return exp.astimezone(datetime.timezone(datetime.timedelta(hours=5, minutes=30))).isoformat()
    return iso_utc(exp)


def route(method, target):
    """(operation name or None, raw percent-encoded {id} for DeleteAccessToken)."""
    path = target.split("?", 1)[0]
    if path.endswith(API_SUFFIX) and method in ("PUT", "POST"):
        return ("CreateAccessToken" if method == "PUT" else "ListAccessTokens"), None
    m = DELETE_RE.search(path)
    if m and method == "DELETE":
        return "DeleteAccessToken", m.group(1)
    if path.endswith("/session") and method == "GET":
        return "VerifySession", None
    return None, None


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


class TokenRecord:
    """One personal access token as the service keeps it (never the secret itself)."""

    __slots__ = ("seq", "id", "name", "user", "secret_sha256", "expires", "created",
                 "created_by", "deleted", "deleted_at", "bootstrap")

    def __init__(self, seq, token_id, name, user, secret_sha256, expires, created,
                 created_by=None, bootstrap=False):
        self.seq = seq
        self.id = token_id
        self.name = name
        self.user = user
        self.secret_sha256 = secret_sha256
        self.expires = expires
        self.created = created
        self.created_by = created_by
        self.deleted = False
        self.deleted_at = None
        self.bootstrap = bootstrap

    def expired(self, now):
        return self.expires <= now

    def live(self, now):
        return not self.deleted and not self.expired(now)

    def public(self, now):
        """Control-endpoint view: everything but the secret (its SHA-256 only)."""
        return {"id": self.id, "name": self.name, "user": self.user, "seq": self.seq,
                "created_by": self.created_by, "created": iso_utc(self.created),
                "expiresTime": iso_utc(self.expires), "deleted": self.deleted,
                "deleted_at": iso_utc(self.deleted_at) if self.deleted_at else None,
                "expired": self.expired(now), "live": self.live(now),
                "bootstrap": self.bootstrap, "secret_sha256": self.secret_sha256}


def bootstrap_user_id(index):
    """Deterministic user id of the index-th --token (a UUID, like CodeCatalyst's)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "ccat-emulator/user/%d" % index))


def bootstrap_token_id(index):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "ccat-emulator/bootstrap-token/%d" % index))


DEFAULT_CONFIG = {"quota": None, "count_bootstrap": False, "delete_deleted": "not_found",
                  "list_expired": True}


class State:
    """Everything shared between connection threads."""

    def __init__(self, tokens, quota=None, quiet=False, user_tokens=()):
        self.lock = threading.Lock()
        # (user, secret) of the tokens given on the command line.
        self.bootstrap = [(bootstrap_user_id(i), t) for i, t in enumerate(tokens)]
        self.bootstrap += [(u, t) for u, t in user_tokens]
        self.tokens = [t for _, t in self.bootstrap]   # secrets, for leak detection only
        self.config = dict(DEFAULT_CONFIG, quota=quota)
        self.quiet = quiet
        self.plan = []
        self.log = []
        self.conns = []
        self.seq = 0
        self.conn_seq = 0
        self.t0 = time.monotonic()
        self.started = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        self.clock_offset = 0.0
        self.store = {}         # token id -> TokenRecord
        self.by_hash = {}       # secret SHA-256 -> TokenRecord
        self.cursors = {}       # opaque nextToken -> (user, last seq returned)
        self.token_seq = 0
        self.reset_store()

    @property
    def quota(self):
        return self.config["quota"]

    def now(self):
        """Seconds since start (monotonic), for the log's "t"."""
        return round(time.monotonic() - self.t0, 6)

    def clock(self):
        """The emulator's notion of the current time (real time + test offset)."""
        return datetime.datetime.now(datetime.timezone.utc) + \
            datetime.timedelta(seconds=self.clock_offset)

    # --- token store (call with the lock held) ---------------------------
    def add_token(self, user, secret_sha256, name, expires, created_by=None, token_id=None,
                  bootstrap=False):
        self.token_seq += 1
        rec = TokenRecord(self.token_seq, token_id or str(uuid.uuid4()), name, user,
                          secret_sha256, expires, self.clock(), created_by, bootstrap)
        old = self.store.pop(rec.id, None)
        if old is not None:
            self.by_hash.pop(old.secret_sha256, None)
        self.store[rec.id] = rec
        self.by_hash[secret_sha256] = rec
        return rec

    def reset_store(self):
        """Only the bootstrap tokens, as at start: live, one year from start."""
        self.store.clear()
        self.by_hash.clear()
        self.cursors.clear()
        self.token_seq = 0
        exp = self.started + datetime.timedelta(days=365)
        for i, (user, secret) in enumerate(self.bootstrap):
            self.add_token(user, sha256_hex(secret), "bootstrap-%d" % (i + 1), exp,
                           token_id=bootstrap_token_id(i), bootstrap=True)

    def authenticate(self, secret):
        """(record, None) for a live token, else (record or None, reason)."""
        rec = self.by_hash.get(sha256_hex(secret))
        if rec is None:
            return None, "unknown"
        if rec.deleted:
            return rec, "deleted"
        if rec.expired(self.clock()):
            return rec, "expired"
        return rec, None

    def user_tokens(self, user):
        return sorted((r for r in self.store.values() if r.user == user), key=lambda r: r.seq)

    def live_count(self, user):
        now = self.clock()
        return sum(1 for r in self.store.values() if r.user == user and r.live(now) and
                   (self.config["count_bootstrap"] or not r.bootstrap))

    # --- plan ----------------------------------------------------------------
    def next_action(self, op):
        """The first pending action for operation @p op (untargeted ones match all)."""
        with self.lock:
            for i, a in enumerate(self.plan):
                target = a.get("op")
                if target is None or op in (target if isinstance(target, list) else [target]):
                    del self.plan[i]
                    return a, True
        return {"action": "ok"}, False

    def reset(self):
        with self.lock:
            self.plan.clear()
            self.log = []
            self.conns = []
            self.clock_offset = 0.0
            self.reset_store()


def expand_plan(actions):
    if isinstance(actions, dict):
        actions = [actions]
    if not isinstance(actions, list):
        raise ValueError("plan must be a list of actions")
    out = []
    for a in actions:
        if not isinstance(a, dict) or a.get("action") not in ACTIONS:
            raise ValueError("unknown action: %r" % (a.get("action") if isinstance(a, dict) else a))
        ops = a.get("op")
        for op in (ops if isinstance(ops, list) else [ops]):
            if op is not None and op not in OPERATIONS:
                raise ValueError("unknown op: %r" % (op,))
        if a["action"] in ("reset", "lost"):
            if a.get("mode", "rst") not in ("rst", "close"):
                raise ValueError("mode must be rst or close")
            if a.get("when", "after_request") not in ("after_request", "after_headers", "mid_body"):
                raise ValueError("when must be after_request, after_headers or mid_body")
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
        # The Date header follows the emulator clock, so a device without a clock
        # (rotation computes expiry from Date) sees the shifted time too.
        h = [("Date", email.utils.formatdate(self.state.clock().timestamp(), usegmt=True))]
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
    def log_entry(self, req, action, planned, op):
        st = self.state
        auth_values = [v for k, v in req["headers"] if k.lower() == "authorization"]
        auth = {"present": bool(auth_values), "count": len(auth_values), "scheme": None,
                "sha256": None, "accepted": False, "token_id": None, "user": None,
                "denied": "missing" if not auth_values else None}
        token = None
        if auth_values:
            scheme, _, rest = auth_values[0].partition(" ")
            auth["scheme"] = scheme
            token = rest
            auth["sha256"] = sha256_hex(rest)
            with st.lock:
                rec, why = st.authenticate(rest)
            if rec is not None:
                auth["token_id"], auth["user"] = rec.id, rec.user
            if len(auth_values) != 1:
                why = "repeated"
            elif scheme.lower() != "bearer":
                why = "scheme"
            auth["denied"] = why
            auth["accepted"] = why is None
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
                     "operation": op,
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
                                  "issued": None, "sent": False, "applied": False,
                                  "result": None}}
            st.log.append(entry)
        return entry, token

    def handle_api(self, req):
        op, raw_id = route(req["method"], req["target"])
        action, planned = self.state.next_action(op)
        entry, _ = self.log_entry(req, action, planned, op)
        kind = action["action"]
        if not self.state.quiet:
            print("ccat-emulator: #%d %s %s %s action=%s" % (entry["seq"], op or "-", req["method"],
                  req["target"][:200], kind), file=sys.stderr, flush=True)
        request_id = str(uuid.uuid4())
        if kind == "lost":
            # The operation takes effect, then the answer is lost on the way.
            outcome = self.run_op(req, entry, action, op, raw_id)
            when = action.get("when", "after_request")
            if when == "after_request":
                entry["response"]["status"] = "lost"
                self.abort(action.get("mode", "rst"))
                return
            entry["response"]["request_id"] = request_id
            framing = dict(action, action="reset", when=when)
            self.answer(outcome, framing, entry, request_id, op)
            return
        if action.get("apply") and kind in ("reset", "raw", "status", "error", "throttle"):
            self.run_op(req, entry, action, op, raw_id)
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
        entry["response"]["request_id"] = request_id
        if kind == "status":
            self.respond_status(action, entry, request_id)
            return
        if kind in ("error", "throttle"):
            self.respond_error(action, entry, request_id, action)
            return
        self.answer(self.run_op(req, entry, action, op, raw_id), action, entry, request_id, op)

    def run_op(self, req, entry, action, op, raw_id):
        """Apply the operation: its result dict, or the ApiError it answers with."""
        try:
            result = self.emulate(req, entry, action, op, raw_id)
        except ApiError as e:
            entry["response"]["code"] = e.code
            return e
        entry["response"]["applied"] = True
        return result

    def answer(self, outcome, framing, entry, request_id, op):
        if isinstance(outcome, ApiError):
            self.respond_error({"code": outcome.code, "message": outcome.message,
                                "status": outcome.status}, entry, request_id, framing)
        else:
            self.respond_ok(framing, entry, request_id, op, outcome)

    def emulate(self, req, entry, action, op, raw_id):
        """The service proper: authenticate, validate, act. Returns the
        operation's result dict or raises ApiError."""
        st = self.state
        if op is None:
            raise ApiError("UnknownOperationException", "Unknown operation", 404)
        if not any(k.lower() == "host" for k, _ in req["headers"]):
            raise ApiError("BadRequestException", "Missing Host header", 400)
        auth_values = [v for k, v in req["headers"] if k.lower() == "authorization"]
        if len(auth_values) != 1:
            raise ApiError("AccessDeniedException", "Missing or repeated Authorization header")
        scheme, _, tok = auth_values[0].partition(" ")
        with st.lock:
            caller, why = st.authenticate(tok)
        if scheme.lower() != "bearer" or why is not None:
            raise ApiError("AccessDeniedException", "Invalid or expired bearer token")
        if op == "CreateAccessToken":
            return self.op_create(req, entry, action, caller)
        if op == "ListAccessTokens":
            return self.op_list(req, entry, caller)
        if op == "DeleteAccessToken":
            return self.op_delete(entry, caller, raw_id)
        entry["response"]["result"] = {"identity": caller.user}
        return {"identity": caller.user}

    def json_body(self, req, entry, known, required_ctype=True):
        """Content-Type check and parse; unknown members are ignored but logged."""
        ctypes = [v for k, v in req["headers"] if k.lower() == "content-type"]
        if (required_ctype or req["body"]) and (
                len(ctypes) != 1 or ctypes[0].split(";")[0].strip().lower() != "application/json"):
            raise ApiError("UnsupportedMediaTypeException", "Expected Content-Type application/json", 415)
        body = self.parse_body(req["body"])
        unknown = sorted(k for k in body if k not in known)
        if unknown:
            entry["unknown_members"] = unknown
        return body

    def op_create(self, req, entry, action, caller):
        st = self.state
        body = self.json_body(req, entry, ("name", "expiresTime"))
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
        now = st.clock()
        if "expiresTime" in body and body["expiresTime"] is not None:
            exp = parse_timestamp(body["expiresTime"])
            if exp is None:
                raise ApiError("SerializationException", "Cannot parse 'expiresTime' as a timestamp")
            if exp <= now:
                raise ApiError("ValidationException", "The expiration time must be in the future")
        else:
            exp = (now + datetime.timedelta(days=365)).replace(microsecond=0)
        secret = self.make_secret(action)
        with st.lock:
            quota = st.config["quota"]
            if quota is not None and st.live_count(caller.user) >= quota:
                raise ApiError("ServiceQuotaExceededException",
                               "You have reached the maximum number of personal access tokens")
            rec = st.add_token(caller.user, sha256_hex(secret), name, exp, created_by=caller.id)
        entry["response"]["issued"] = {"name": name, "expiresTime": iso_utc(exp),
                                       "accessTokenId": rec.id, "user": rec.user,
                                       "created_by": caller.id,
                                       "secret_sha256": rec.secret_sha256,
                                       "secret_len": len(secret)}
        return {"secret": secret, "name": name, "expiresTime": exp, "accessTokenId": rec.id}

    @staticmethod
    def make_secret(action):
        """The secret the answer will carry (the plan may dictate it)."""
        override = action.get("members", {}).get("secret")
        if isinstance(override, str):
            return override
        secret = action.get("secret")
        if secret is None:
            big = action.get("action") == "big_secret"
            n = int(action.get("secret_len", action.get("length", 4000 if big else 56)))
            secret = "ccpat_" + "".join(secrets.choice(SECRET_ALPHABET) for _ in range(max(0, n - 6)))
            secret = secret[:n] if n >= 1 else secret
        return secret

    def op_list(self, req, entry, caller):
        st = self.state
        body = self.json_body(req, entry, ("maxResults", "nextToken"), required_ctype=False)
        limit = body.get("maxResults")
        if limit is None:
            limit = LIST_MAX
        elif isinstance(limit, bool) or not isinstance(limit, int):
            raise ApiError("SerializationException", "Expected an integer for 'maxResults'")
        elif limit > LIST_MAX:
            raise ApiError("ValidationException", "1 validation error detected: Value '%d' at "
                           "'maxResults' failed to satisfy constraint: Member must have value "
                           "less than or equal to %d" % (limit, LIST_MAX))
        elif limit < 1:
            raise ApiError("ValidationException", "1 validation error detected: Value '%d' at "
                           "'maxResults' failed to satisfy constraint: Member must have value "
                           "greater than or equal to 1" % limit)
        token = body.get("nextToken")
        if token is not None and not isinstance(token, str):
            raise ApiError("SerializationException", "Expected a string for 'nextToken'")
        if token is not None and not 1 <= len(token) <= 10000:
            raise ApiError("ValidationException", "1 validation error detected: Value at "
                           "'nextToken' failed to satisfy constraint: Member must have length "
                           "between 1 and 10000")
        with st.lock:
            after = 0
            if token is not None:
                cur = st.cursors.get(token)
                if cur is None or cur[0] != caller.user:
                    raise ApiError("ValidationException", "Invalid pagination token")
                after = cur[1]
            now = st.clock()
            rest = [r for r in st.user_tokens(caller.user) if r.seq > after and not r.deleted
                    and (st.config["list_expired"] or not r.expired(now))]
            page = rest[:limit]
            next_token = None
            if len(rest) > limit:
                next_token = base64.b64encode(secrets.token_bytes(48)).decode()
                st.cursors[next_token] = (caller.user, page[-1].seq)
            items = [{"id": r.id, "name": r.name, "expiresTime": r.expires} for r in page]
        entry["response"]["result"] = {"ids": [i["id"] for i in items],
                                       "next_token": next_token is not None}
        return {"items": items, "nextToken": next_token}

    def op_delete(self, entry, caller, raw_id):
        st = self.state
        try:
            token_id = urllib.parse.unquote(raw_id, errors="strict")
        except UnicodeDecodeError:
            raise ApiError("ValidationException", "The id is not valid UTF-8")
        entry["response"]["result"] = {"id": token_id}
        if len(token_id) > 36:
            raise ApiError("ValidationException", "1 validation error detected: Value at 'id' "
                           "failed to satisfy constraint: Member must have length less than or equal to 36")
        with st.lock:
            rec = st.store.get(token_id)
            if rec is None or rec.user != caller.user or \
                    (rec.deleted and st.config["delete_deleted"] != "ok"):
                raise ApiError("ResourceNotFoundException",
                               "Access token %s was not found" % token_id)
            if not rec.deleted:
                rec.deleted = True
                rec.deleted_at = st.clock()
        return {}

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

    def respond_ok(self, action, entry, request_id, op, result):
        """The success answer of @p op, shaped by the plan action's modifiers."""
        kind = action["action"]
        fmt = action.get("expires_format", "z")
        escape = action.get("escape", "all" if kind == "escape" else "none")
        escape_keys = bool(action.get("escape_keys"))
        if op == "CreateAccessToken":
            exp_text = format_expiry(result["expiresTime"], fmt)
            entry["response"]["issued"]["expiresTime"] = exp_text
            values = dict(result, expiresTime=exp_text)
            members = MEMBERS
        elif op == "ListAccessTokens":
            items = [build_object([("id", i["id"]), ("name", i["name"]),
                                   ("expiresTime", format_expiry(i["expiresTime"], fmt))],
                                  escape, escape_keys) for i in result["items"]]
            values = {"items": RawJSON("[" + ",".join(items) + "]")}
            if result["nextToken"] is not None:
                values["nextToken"] = result["nextToken"]
            members = ("items", "nextToken")
        else:
            values = dict(result)
            members = tuple(values)
        values.update(action.get("members", {}))
        order = list(action.get("order") or (list(reversed(members)) if kind == "reorder" else members))
        drop = set(action.get("drop", []))
        pairs = [(k, values[k]) for k in order if k in values and k not in drop]
        if action.get("decoys") or kind == "decoys":
            pairs = self.with_decoys(pairs)
        pairs += list(action.get("extra", {}).items())
        text = build_object(pairs, escape, escape_keys, bool(action.get("pretty")))
        body = text.encode("utf-8")
        headers = self.standard_headers(None if action.get("no_request_id") else request_id)
        self.send_response(SUCCESS_STATUS[op], headers, body, action, entry)

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
            elif what == "config" and m in ("GET", "POST"):
                self.send_simple(200, self.control_config(arg if m == "POST" else None))
            elif what == "tokens" and m == "GET":
                with st.lock:
                    now = st.clock()
                    data = {"now": iso_utc(now), "tokens": [r.public(now) for r in
                                                            sorted(st.store.values(), key=lambda r: r.seq)]}
                self.send_simple(200, data)
            elif what == "tokens" and m == "POST":
                self.send_simple(200, self.control_token(arg))
            elif what == "clock" and m in ("GET", "POST"):
                self.send_simple(200, self.control_clock(arg if m == "POST" else None))
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

    def control_config(self, arg):
        st = self.state
        with st.lock:
            if arg:
                for k, v in arg.items():
                    if k not in DEFAULT_CONFIG:
                        raise ValueError("unknown config key %r" % k)
                    if k == "quota" and v is not None and (isinstance(v, bool) or not isinstance(v, int)):
                        raise ValueError("quota must be an integer or null")
                    if k == "delete_deleted" and v not in ("not_found", "ok"):
                        raise ValueError("delete_deleted must be \"not_found\" or \"ok\"")
                    if k in ("count_bootstrap", "list_expired") and not isinstance(v, bool):
                        raise ValueError("%s must be a boolean" % k)
                    st.config[k] = v
            return dict(st.config)

    def control_token(self, arg):
        """Add a token ({"secret": ..., optional "user", "name", "id", "expiresTime"}) or
        change one ({"id": ..., "expiresTime" and/or "deleted" and/or "name"})."""
        st = self.state
        if not isinstance(arg, dict):
            raise ValueError("expected a JSON object")
        exp = None
        if arg.get("expiresTime") is not None:
            exp = parse_timestamp(arg["expiresTime"])
            if exp is None:
                raise ValueError("cannot parse expiresTime")
        with st.lock:
            now = st.clock()
            if "secret" in arg:
                secret = arg["secret"]
                if not isinstance(secret, str) or not secret:
                    raise ValueError("secret must be a non-empty string")
                user = arg.get("user") or bootstrap_user_id(len(st.bootstrap) + st.token_seq)
                rec = st.add_token(user, sha256_hex(secret), arg.get("name") or "added",
                                   exp or now + datetime.timedelta(days=365),
                                   token_id=arg.get("id"), bootstrap=bool(arg.get("bootstrap", True)))
                if secret not in st.tokens:
                    st.tokens.append(secret)
                return rec.public(now)
            rec = st.store.get(arg.get("id"))
            if rec is None:
                raise KeyError("no token with id %r" % arg.get("id"))
            if exp is not None:
                rec.expires = exp
            if "name" in arg:
                rec.name = arg["name"]
            if "deleted" in arg:
                rec.deleted = bool(arg["deleted"])
                rec.deleted_at = now if rec.deleted else None
            return rec.public(now)

    def control_clock(self, arg):
        """{"set": time} | {"advance": seconds} | {"offset": seconds} | {"real": true}."""
        st = self.state
        with st.lock:
            if arg:
                if "set" in arg:
                    when = parse_timestamp(arg["set"])
                    if when is None:
                        raise ValueError("cannot parse 'set'")
                    st.clock_offset = (when - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
                elif "advance" in arg:
                    st.clock_offset += float(arg["advance"])
                elif "offset" in arg:
                    st.clock_offset = float(arg["offset"])
                elif arg.get("real"):
                    st.clock_offset = 0.0
                else:
                    raise ValueError("clock: expected set, advance, offset or real")
            return {"now": iso_utc(st.clock()), "offset": st.clock_offset}


# --------------------------------------------------------------------------
# Server


class Emulator:
    """The listening socket and its accept loop (usable in-process too)."""

    def __init__(self, host="127.0.0.1", port=0, tls=False, cert_dir=None, san=DEFAULT_SAN,
                 tokens=("test-token",), quota=None, idle_timeout=60.0, quiet=False,
                 user_tokens=()):
        self.state = State(tokens, quota, quiet, user_tokens)
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
    p = argparse.ArgumentParser(description="Local CodeCatalyst access-token emulator")
    p.add_argument("--host", default="127.0.0.1", choices=("127.0.0.1", "::1"))
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--port-file", help="write the port here once listening")
    p.add_argument("--tls", action="store_true", help="serve HTTPS")
    p.add_argument("--cert-dir", help="test CA + server certificates (ca.pem for clients); implies --tls")
    p.add_argument("--cert-san", default=DEFAULT_SAN, help="subjectAltName of the server certificate")
    p.add_argument("--token", action="append", default=[],
                   help="accepted bearer token of a user of its own (repeatable)")
    p.add_argument("--user-token", action="append", default=[], metavar="USER:TOKEN",
                   help="accepted bearer token of user USER (repeatable; several may share a user)")
    p.add_argument("--quota", type=int,
                   help="live tokens each user may hold, bootstrap tokens not counted")
    p.add_argument("--idle-timeout", type=float, default=60.0)
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args(argv)
    tls = a.tls or a.cert_dir is not None
    user_tokens = []
    for ut in a.user_token:
        user, sep, tok = ut.partition(":")
        if not sep or not user or not tok:
            p.error("--user-token expects USER:TOKEN")
        user_tokens.append((user, tok))
    tokens = a.token or ([] if user_tokens else ["test-token"])
    emu = Emulator(a.host, a.port, tls, a.cert_dir, a.cert_san, tokens,
                   a.quota, a.idle_timeout, a.quiet, user_tokens)
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
