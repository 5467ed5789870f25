"""Start ccat_emulator.py as a child process and drive its control endpoints.

Race-free start: the emulator binds port 0 and writes the port to a file
before the harness talks to it. One process serves a whole test file; tests
queue faults with plan() and read what reached the wire with requests().

The emulator serves CreateAccessToken, ListAccessTokens, DeleteAccessToken
and VerifySession over one token store. Every bootstrap token (``tokens``:
one user each; ``user_tokens``: (user, token) pairs, several may share a
user) and every secret CreateAccessToken issues is a bearer token of a user;
deleted or expired ones get AccessDeniedException. Inspect the store with
store() / token() / token_for_secret() (ids, users, expiry, SHA-256 of each
secret: never a secret), move the emulator's clock with advance_clock() /
set_clock() / real_clock(), and aim plan actions at one operation with
``"op"`` (or plan(..., op=...)). reset() restores the store (bootstrap tokens
only, live again), the clock, the plan and the logs; config() survives it.

Constants: TEST_TOKEN and OTHER_TOKEN are the default bootstrap tokens (two
users); TEST_USER / OTHER_USER their user ids (what VerifySession answers);
TEST_TOKEN_ID / OTHER_TOKEN_ID their token ids; OPERATIONS the four names.
"""

import base64
import hashlib
import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, "ccat_emulator.py")
sys.path.insert(0, HERE)
import ccat_emulator  # noqa: E402  (ensure_certs, constants)

TEST_TOKEN = "ccat-test-token-Zm9vYmFy0123456789"
OTHER_TOKEN = "ccat-other-token-QmFyQmF6abcdef"
# Ids of the default bootstrap tokens and of their users (deterministic: the
# index of the --token on the command line).
TEST_USER = ccat_emulator.bootstrap_user_id(0)
OTHER_USER = ccat_emulator.bootstrap_user_id(1)
TEST_TOKEN_ID = ccat_emulator.bootstrap_token_id(0)
OTHER_TOKEN_ID = ccat_emulator.bootstrap_token_id(1)
OPERATIONS = ccat_emulator.OPERATIONS


def sha256_hex(data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()


def work_dir(name):
    """A scratch directory: under $CCAT_TEST_TMP (the build tree) if set."""
    base = os.environ.get("CCAT_TEST_TMP") or tempfile.gettempdir()
    os.makedirs(base, exist_ok=True)
    return tempfile.mkdtemp(prefix=name + "-", dir=base)


def default_cert_dir():
    base = os.environ.get("CCAT_TEST_TMP") or tempfile.gettempdir()
    return os.path.join(base, "emulator-certs")


class EmulatorProcess:
    """A running emulator. Use as a context manager or call start()/stop().

    @p tokens: bootstrap bearer tokens, one user each (the i-th has user id
    ccat_emulator.bootstrap_user_id(i) and token id bootstrap_token_id(i)).
    @p user_tokens: (user id, token) pairs, bootstrap tokens of given users
    (their token ids follow those of @p tokens). @p quota: live tokens each
    user may hold (bootstrap ones not counted unless
    config(count_bootstrap=True)).
    """

    def __init__(self, tls=True, host="127.0.0.1", tokens=(TEST_TOKEN, OTHER_TOKEN),
                 cert_dir=None, san=None, quota=None, extra_args=(), user_tokens=()):
        self.tls = tls
        self.host = host
        self.tokens = list(tokens)
        self.user_tokens = list(user_tokens)
        self.cert_dir = cert_dir or default_cert_dir()
        self.san = san
        self.quota = quota
        self.extra_args = list(extra_args)
        self.proc = None
        self.port = None
        self.dir = None

    # --- lifecycle ---------------------------------------------------------
    def start(self):
        self.dir = work_dir("emu")
        port_file = os.path.join(self.dir, "port")
        cmd = [sys.executable, EMULATOR, "--host", self.host, "--port", "0",
               "--port-file", port_file]
        if self.tls:
            cmd += ["--tls", "--cert-dir", self.cert_dir]
            if self.san:
                cmd += ["--cert-san", self.san]
        for t in self.tokens:
            cmd += ["--token", t]
        for u, t in self.user_tokens:
            cmd += ["--user-token", "%s:%s" % (u, t)]
        if self.quota is not None:
            cmd += ["--quota", str(self.quota)]
        cmd += self.extra_args
        self.out_path = os.path.join(self.dir, "emulator.out")
        self.out = open(self.out_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not os.path.exists(port_file):
            if self.proc.poll() is not None:
                raise RuntimeError("emulator exited: %s" % self.output())
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("emulator did not start")
            time.sleep(0.02)
        with open(port_file) as f:
            self.port = int(f.read())
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "out", None) and not self.out.closed:
            self.out.close()
        if self.dir:
            remove_tree(self.dir)
            self.dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def output(self):
        """Everything the emulator printed (for the never-log-a-secret checks)."""
        self.out.flush()
        with open(self.out_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    # --- addresses -----------------------------------------------------------
    @property
    def ca(self):
        return os.path.join(self.cert_dir, "ca.pem")

    def url(self, host=None, path=""):
        """Endpoint URL; by default with the host name the certificate holds."""
        if host is None:
            host = "localhost" if self.host == "127.0.0.1" else "[::1]"
        return "%s://%s:%d%s" % ("https" if self.tls else "http", host, self.port, path)

    # --- control ---------------------------------------------------------------
    def _control(self, method, what, obj=None):
        host = "127.0.0.1" if self.host == "127.0.0.1" else "::1"
        if self.tls:
            ctx = ssl.create_default_context(cafile=self.ca)
            ctx.check_hostname = False
            conn = http.client.HTTPSConnection(host, self.port, context=ctx, timeout=30)
        else:
            conn = http.client.HTTPConnection(host, self.port, timeout=30)
        try:
            body = None if obj is None else json.dumps(obj).encode()
            conn.request(method, "/__emulator/" + what, body=body,
                         headers={"Content-Type": "application/json", "Connection": "close"})
            resp = conn.getresponse()
            data = json.loads(resp.read() or b"null")
            if resp.status != 200:
                raise RuntimeError("control %s %s: %s %s" % (method, what, resp.status, data))
            return data
        finally:
            conn.close()

    def plan(self, actions, append=False, op=None):
        """Queue fault actions (replacing the pending ones unless @p append).

        Each API request takes the first pending action whose "op" (one
        operation name or a list) matches its operation; actions without
        "op" match any request. @p op sets "op" on every action lacking one.
        """
        if isinstance(actions, dict):
            actions = [actions]
        if op is not None:
            actions = [dict(a) if "op" in a else dict(a, op=op) for a in actions]
        return self._control("POST", "plan", {"actions": actions, "append": append})

    def pending(self):
        return self._control("GET", "plan")["pending"]

    def requests(self, settle=0.0, operation=None):
        """The API request log (control requests are not in it); only the
        entries of @p operation if given (entry["operation"] is None for an
        unknown route)."""
        if settle:
            time.sleep(settle)
        reqs = self._control("GET", "requests")["requests"]
        if operation is not None:
            reqs = [r for r in reqs if r["operation"] == operation]
        return reqs

    def clear(self):
        self._control("DELETE", "requests")

    def connections(self):
        """Connection records, without those that only carried control requests."""
        conns = self._control("GET", "connections")["connections"]
        return [c for c in conns if not (c["control_requests"] and not c["api_requests"])]

    def clear_connections(self):
        self._control("DELETE", "connections")

    def reset(self):
        """Clear plan, logs and connections; token store back to the bootstrap
        tokens (live, original expiry); clock back to real time. Keeps config()."""
        self._control("POST", "reset", {})

    def config(self, **kw):
        """Set and return the service knobs: quota (int|None: live tokens per
        user), count_bootstrap (bool, default False: bootstrap tokens do not
        count towards the quota), delete_deleted ("not_found" default |
        "ok": what deleting an already deleted token answers), list_expired
        (bool, default True: ListAccessTokens shows expired tokens)."""
        return self._control("POST", "config", kw)

    # --- token store -----------------------------------------------------------
    def store(self):
        """Every token in the store, in creation order: dicts with id, name,
        user, seq, created_by (token id or None), created, expiresTime,
        deleted, deleted_at, expired, live, bootstrap, secret_sha256."""
        return self._control("GET", "tokens")["tokens"]

    def token(self, token_id):
        """The store record of @p token_id, or None."""
        return next((t for t in self.store() if t["id"] == token_id), None)

    def token_for_secret(self, secret):
        """The store record whose secret is @p secret (matched by SHA-256), or None."""
        digest = sha256_hex(secret)
        return next((t for t in self.store() if t["secret_sha256"] == digest), None)

    def live_tokens(self, user=None):
        return [t for t in self.store() if t["live"] and (user is None or t["user"] == user)]

    def add_token(self, secret, user=None, name=None, token_id=None, expires=None):
        """Add a bearer token at run time (gone after reset()). @p user
        defaults to a new user; @p expires is RFC 3339 text or epoch seconds."""
        if hasattr(expires, "isoformat"):
            expires = expires.isoformat()
        arg = {"secret": secret}
        for k, v in (("user", user), ("name", name), ("id", token_id), ("expiresTime", expires)):
            if v is not None:
                arg[k] = v
        return self._control("POST", "tokens", arg)

    def set_token(self, token_id, **fields):
        """Change a stored token: expiresTime=... (aware datetime, RFC 3339 text or
        epoch seconds), deleted=bool, name=...; returns its new record."""
        if hasattr(fields.get("expiresTime"), "isoformat"):
            fields["expiresTime"] = fields["expiresTime"].isoformat()
        return self._control("POST", "tokens", dict(fields, id=token_id))

    # --- clock ---------------------------------------------------------------
    def clock(self):
        """{"now": RFC 3339 text, "offset": seconds ahead of real time}."""
        return self._control("GET", "clock")

    def advance_clock(self, seconds):
        """Move the emulator's "now" forward (negative: back) by @p seconds."""
        return self._control("POST", "clock", {"advance": seconds})

    def set_clock(self, when):
        """Make the emulator's "now" @p when (RFC 3339 text or epoch seconds); it keeps running."""
        if hasattr(when, "isoformat"):
            when = when.isoformat()
        return self._control("POST", "clock", {"set": when})

    def real_clock(self):
        return self._control("POST", "clock", {"real": True})


# --- reading log entries -----------------------------------------------------


def header_values(entry, name):
    return [v for k, v in entry["headers"] if k.lower() == name.lower()]


def header(entry, name):
    vals = header_values(entry, name)
    return vals[0] if vals else None


def body_bytes(entry):
    return base64.b64decode(entry["body_b64"])


def raw_connect(host, port, tls=False, ca=None, server_hostname="localhost", timeout=10):
    """A plain socket (or TLS socket trusting @p ca) to the emulator."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((host, port))
    if tls:
        ctx = ssl.create_default_context(cafile=ca)
        s = ctx.wrap_socket(s, server_hostname=server_hostname)
    return s


def remove_tree(path):
    shutil.rmtree(path, ignore_errors=True)
