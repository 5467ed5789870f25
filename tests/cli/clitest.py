"""Shared helpers of the end-to-end suites: run the `ccat` binary against the
emulator and check what reached the wire (emulator log) and what came out
(stdout / stderr / exit code) against the contract and against botocore."""

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "emulator"))
import emuharness as h  # noqa: E402,F401  (re-exported)

CCAT_BIN = os.environ.get("CCAT_BIN") or os.path.join(
    os.path.dirname(os.path.dirname(HERE)), "build-cli", "ccat")
TOKEN = h.TEST_TOKEN
MEMBERS = ("secret", "name", "expiresTime", "accessTokenId")
OP = "when calling the CreateAccessToken operation"
EXIT_OK, EXIT_USAGE, EXIT_NO_TOKEN, EXIT_SERVICE, EXIT_FAILURE = 0, 252, 253, 254, 255
RFC3339_OUT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$")
THROTTLING_CODES = ("ThrottlingException", "TooManyRequestsException", "RequestThrottled",
                    "Throttling", "ThrottledException", "RequestThrottledException",
                    "ProvisionedThroughputExceededException", "TransactionInProgressException",
                    "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException",
                    "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException")


# botocore (the oracle) must not see the caller's AWS configuration.
for _k in [k for k in os.environ if k.startswith("AWS_")]:
    del os.environ[_k]
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


class Result:
    def __init__(self, proc, elapsed):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr
        self.elapsed = elapsed

    @property
    def stdout(self):
        return self.out.decode("utf-8", "replace")

    @property
    def stderr(self):
        return self.err.decode("utf-8", "replace")

    def __repr__(self):
        return "rc=%s elapsed=%.2fs\n--- stdout\n%s\n--- stderr\n%s" % (
            self.rc, self.elapsed, self.stdout[:3000], self.stderr[:3000])


def clean_env(token=TOKEN, **extra):
    """Environment without any AWS_* variable from the caller; token by default."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.pop("CCAT_BIN", None)
    if token is not None:
        env["AWS_BEARER_TOKEN_CODECATALYST"] = token
    env.update(extra)
    return env


def run_cli(args, token=TOKEN, env=None, timeout=60, prefix=()):
    """Run ccat; @p args may hold bytes (for invalid UTF-8)."""
    if env is None:
        env = clean_env(token)
    cmd = list(prefix) + [CCAT_BIN] + list(args)
    t0 = time.monotonic()
    proc = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=timeout)
    return Result(proc, time.monotonic() - t0)


def botocore_body(name, expires=None):
    """The body botocore serializes for the same parameters (the oracle)."""
    import botocore.serialize
    import botocore.session
    model = botocore.session.get_session().get_service_model("codecatalyst")
    op = model.operation_model("CreateAccessToken")
    params = {"name": name}
    if expires is not None:
        params["expiresTime"] = expires
    req = botocore.serialize.create_serializer("rest-json", include_validation=False) \
        .serialize_to_request(params, op)
    assert req["method"] == "PUT" and req["url_path"] == "/v1/accessTokens"
    assert req["headers"]["Content-Type"] == "application/json"
    return req["body"]


class _StaticTokenProvider:
    def __init__(self, token):
        self.token = token

    def load_token(self, **kwargs):
        from botocore.tokens import FrozenAuthToken
        return FrozenAuthToken(self.token)


def botocore_client(emu, max_attempts=1):
    """botocore's own CodeCatalyst client pointed at the emulator."""
    import botocore.session
    from botocore.config import Config
    from botocore.tokens import TokenProviderChain
    session = botocore.session.get_session()
    session.register_component("token_provider", TokenProviderChain([_StaticTokenProvider(TOKEN)]))
    cfg = Config(retries={"mode": "standard", "total_max_attempts": max_attempts},
                 connect_timeout=5, read_timeout=10)
    return session.create_client("codecatalyst", region_name="us-west-2", endpoint_url=emu.url(),
                                 verify=emu.ca if emu.tls else None, config=cfg)


def botocore_error(emu, action):
    """(code, message) botocore reports for the error answer @p action."""
    import botocore.exceptions
    emu.plan([action])
    try:
        botocore_client(emu).create_access_token(name="oracle")
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"]["Message"]
    finally:
        emu.clear()
    raise AssertionError("botocore saw no error for %r" % (action,))


def strict_json_object(raw):
    """Parse bytes as strict JSON: UTF-8, no duplicate keys, no NaN, no lone
    surrogates, no raw control characters. Returns (dict, key order)."""
    text = raw.decode("utf-8")      # raises on invalid UTF-8
    keys = []

    def hook(pairs):
        names = [k for k, _ in pairs]
        if len(names) != len(set(names)):
            raise ValueError("duplicate key")
        keys.append(names)
        return dict(pairs)

    def bad(c):
        raise ValueError("bad constant " + c)

    obj = json.loads(text, object_pairs_hook=hook, parse_constant=bad)
    if not isinstance(obj, dict):
        raise ValueError("not an object")
    json.dumps(obj, ensure_ascii=False).encode("utf-8")   # raises on lone surrogates
    return obj, keys[-1]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class SilentTLSServer:
    """Accepts TCP connections and never says a word (a stalled TLS handshake)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.accepted = []
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(c)

    def close(self):
        self.sock.close()
        for c in self.accepted:
            c.close()


def normalize_time(text):
    """RFC 3339 text -> the contract's output form (UTC Z, .uuuuuu if non-zero)."""
    dt = h.ccat_emulator.parse_timestamp(text)
    assert dt is not None, text
    return h.ccat_emulator.iso_utc(dt)


class CliCase(unittest.TestCase):
    """One emulator per test class; the log is cleared before each test."""

    TLS = True
    HOST = "127.0.0.1"
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        cls.emu = h.EmulatorProcess(tls=cls.TLS, host=cls.HOST).start()

    @classmethod
    def tearDownClass(cls):
        out = cls.emu.output()
        cls.emu.stop()
        assert TOKEN not in out, "token in emulator output"

    def setUp(self):
        self.assertTrue(os.access(CCAT_BIN, os.X_OK), "CLI binary missing: %s" % CCAT_BIN)
        self.emu.reset()

    # --- command lines ---------------------------------------------------------
    def endpoint_args(self, path=""):
        args = ["--endpoint-url", self.emu.url(path=path)]
        if self.emu.tls:
            args += ["--ca-bundle", self.emu.ca]
        return args

    def create_args(self, name="device-42", expires=None, extra=(), path=""):
        args = ["create-access-token", "--name", name]
        if expires is not None:
            args += ["--expires-time", expires]
        return args + self.endpoint_args(path) + list(extra)

    def create(self, name="device-42", expires=None, extra=(), path="", **kw):
        return run_cli(self.create_args(name, expires, extra, path), **kw)

    # --- assertions --------------------------------------------------------------
    def assert_rc(self, res, rc):
        self.assertEqual(res.rc, rc, res)

    def assert_success(self, res, entry=None, name=None, secret=None):
        """Exit 0, one JSON object with exactly the four members, equal to what
        the emulator issued; no token anywhere, no secret on stderr."""
        self.assert_rc(res, EXIT_OK)
        out = json.loads(res.out.decode("utf-8"))
        self.assertIsInstance(out, dict, res)
        self.assertEqual(sorted(out), sorted(MEMBERS), res)
        for k in MEMBERS:
            self.assertIsInstance(out[k], str, k)
        self.assertRegex(out["expiresTime"], RFC3339_OUT)
        self.assertFalse(out["expiresTime"].endswith(".000000Z"), out["expiresTime"])
        if entry is not None:
            iss = entry["response"]["issued"]
            self.assertIsNotNone(iss, entry)
            self.assertEqual(out["accessTokenId"], iss["accessTokenId"])
            self.assertEqual(out["name"], iss["name"])
            self.assertEqual(h.sha256_hex(out["secret"]), iss["secret_sha256"])
            self.assertEqual(out["expiresTime"], normalize_time(iss["expiresTime"]))
        if name is not None:
            self.assertEqual(out["name"], name)
        if secret is not None:
            self.assertEqual(out["secret"], secret)
        self.assert_no_token(res)
        self.assert_secret_not_on_stderr(res, out["secret"])
        return out

    def assert_no_token(self, res, token=TOKEN):
        self.assertNotIn(token.encode(), res.out)
        self.assertNotIn(token.encode(), res.err)

    def assert_secret_not_on_stderr(self, res, secret):
        self.assertNotIn(secret.encode(), res.err)
        if len(secret) > 16:
            self.assertNotIn(secret[6:16].encode(), res.err)

    def assert_failure_kind(self, res, *names):
        """The message names the failure: one of these ccat_status_name() values."""
        self.assertTrue(any(n in res.stderr for n in names),
                        "expected one of %s in the message\n%r" % (names, res))

    def assert_nothing_sent(self):
        """No request logged and no connection opened (control ones aside)."""
        self.assertEqual(self.emu.requests(), [])
        self.assertEqual(self.emu.connections(), [])

    def one_request(self):
        reqs = self.emu.requests()
        self.assertEqual(len(reqs), 1, reqs)
        return reqs[0]

    def assert_wire(self, entry, name, expires=None, path="", host=None, token=TOKEN):
        """The request as the contract fixes it, body compared with botocore's."""
        self.assertEqual((entry["method"], entry["target"], entry["version"]),
                         ("PUT", path + "/v1/accessTokens", "HTTP/1.1"))
        self.assertTrue(entry["head_crlf"], "bare LF in request head")
        self.assertEqual(entry["header_problems"], [])
        self.assertEqual(entry["auth"]["count"], 1)
        self.assertEqual(entry["auth"]["scheme"], "Bearer")
        self.assertEqual(entry["auth"]["sha256"], h.sha256_hex(token))
        self.assertFalse(entry["token_elsewhere"], "token outside the Authorization header")
        self.assertEqual(h.header_values(entry, "Content-Type"), ["application/json"])
        self.assertEqual(len(h.header_values(entry, "Content-Length")), 1)
        self.assertEqual(entry["content_length"], entry["body_len"])
        self.assertFalse(entry["chunked_request"])
        self.assertEqual(h.header_values(entry, "Transfer-Encoding"), [])
        ua = h.header_values(entry, "User-Agent")
        self.assertEqual(len(ua), 1)
        self.assertTrue(ua[0].startswith("ccat/"), ua)
        if host is None:
            host = "%s:%d" % ("localhost" if self.emu.host == "127.0.0.1" else "[::1]", self.emu.port)
        self.assertEqual(h.header_values(entry, "Host"), [host])
        body = h.body_bytes(entry)
        got, _ = strict_json_object(body)
        want, _ = strict_json_object(botocore_body(name, expires))
        self.assertEqual(got, want)
        self.assertEqual(set(got), {"name"} | ({"expiresTime"} if expires is not None else set()))
        return got

    def service_error_line(self, res, code, message, retries=None, op=OP):
        """stderr holds the AWS CLI line for the error (botocore adds
        '(reached max retries: N)' when retries ran out; accepted, not required).
        @p op: "when calling the X operation"."""
        tail = (": " + re.escape(message)) if message else ": ?"
        pattern = r"(?m)^An error occurred \(%s\) %s( \(reached max retries: %s\))?%s\r?$" % (
            re.escape(code), op, r"\d+" if retries is None else retries, tail)
        self.assertRegex(res.stderr, pattern, res)


def main():
    unittest.main(verbosity=2)
