"""Start ccat_emulator.py as a child process and drive its control endpoints.

Race-free start: the emulator binds port 0 and writes the port to a file
before the harness talks to it. One process serves a whole test file; tests
queue faults with plan() and read what reached the wire with requests().
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
    """A running emulator. Use as a context manager or call start()/stop()."""

    def __init__(self, tls=True, host="127.0.0.1", tokens=(TEST_TOKEN, OTHER_TOKEN),
                 cert_dir=None, san=None, quota=None, extra_args=()):
        self.tls = tls
        self.host = host
        self.tokens = list(tokens)
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

    def plan(self, actions, append=False):
        return self._control("POST", "plan", {"actions": actions, "append": append})

    def pending(self):
        return self._control("GET", "plan")["pending"]

    def requests(self, settle=0.0):
        """The API request log (control requests are not in it)."""
        if settle:
            time.sleep(settle)
        return self._control("GET", "requests")["requests"]

    def clear(self):
        self._control("DELETE", "requests")

    def connections(self):
        """Connection records, without those that only carried control requests."""
        conns = self._control("GET", "connections")["connections"]
        return [c for c in conns if not (c["control_requests"] and not c["api_requests"])]

    def clear_connections(self):
        self._control("DELETE", "connections")

    def reset(self):
        self._control("POST", "reset", {})

    def config(self, **kw):
        return self._control("POST", "config", kw)


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
