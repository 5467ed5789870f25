#!/usr/bin/env python3
"""Command lines and parameters the CLI must refuse before sending anything:
exit 252 (bad command line / parameter, bad token content) or 253 (no token).
The emulator log proves nothing reached the wire (no request, no connection)."""

import os

import clitest as c
from clitest import h

BAD_UTF8 = [
    b"\xff",
    b"abc\x80def",
    b"over\xc0\xaflong",
    b"\xe0\x80\xaf",
    b"surrogate\xed\xa0\x80",
    b"\xed\xbf\xbf",
    b"trunc\xe2\x82",
    b"\xf4\x90\x80\x80",
    b"\xf8\x88\x80\x80\x80",
    b"\xfe\xff",
]
BAD_TIMES = [
    "", "tomorrow", "2030-13-01T00:00:00Z", "2030-02-30T00:00:00Z", "2031-02-29T00:00:00Z",
    "2030-01-01T25:00:00Z", "2030-01-01T24:00:00Z", "2030-01-01T00:61:00Z",
    "2030-01-01T00:00:60Z", "2030-01-01T00:00:00+25:00", "2030-01-01T00:00:00+01:60",
    "2030-01-01T00:00:00Zjunk", "2030-01-01T00:00:00Z ", " 2030-01-01T00:00:00Z",
    "2030-1-01T00:00:00Z", "10000-01-01T00:00:00Z", "0000-12-31T00:00:00Z",
    "2030-01-01T00:00:00.Z", "2030-01-01T00:00:00+0100", "2030-01-01X00:00:00Z",
    "9999-12-31T23:59:59-01:00",
]


class TestUsage(c.CliCase):
    TLS = False

    def assert_refused(self, res, rc=c.EXIT_USAGE):
        self.assert_rc(res, rc)
        self.assertEqual(res.out, b"", res)
        self.assertNotEqual(res.err.strip(), b"", "a refusal needs a message")
        self.assert_no_token(res)
        self.assert_nothing_sent()

    def test_bad_command_lines(self):
        ep = self.endpoint_args()
        cases = {
            "nothing": [],
            "unknown command": ["create-access-tokens", "--name", "x"] + ep,
            "no command": ["--name", "x"] + ep,
            "missing --name": ["create-access-token"] + ep,
            "--name without value": ["create-access-token"] + ep + ["--name"],
            "unknown option": ["create-access-token", "--name", "x", "--bogus"] + ep,
            "unknown option with value": ["create-access-token", "--name", "x",
                                          "--colour", "red"] + ep,
            "stray argument": ["create-access-token", "--name", "x", "extra"] + ep,
            "--endpoint-url without value": ["create-access-token", "--name", "x",
                                             "--endpoint-url"],
            "--max-attempts abc": ["create-access-token", "--name", "x", "--max-attempts", "abc"] + ep,
            "--max-attempts -1": ["create-access-token", "--name", "x", "--max-attempts", "-1"] + ep,
            "--max-attempts empty": ["create-access-token", "--name", "x", "--max-attempts", ""] + ep,
            "--max-attempts 1x": ["create-access-token", "--name", "x", "--max-attempts", "1x"] + ep,
            "--cli-read-timeout abc": ["create-access-token", "--name", "x",
                                       "--cli-read-timeout", "abc"] + ep,
            "--cli-read-timeout -1": ["create-access-token", "--name", "x",
                                      "--cli-read-timeout", "-1"] + ep,
            "--cli-connect-timeout x": ["create-access-token", "--name", "x",
                                        "--cli-connect-timeout", "x"] + ep,
        }
        for label, args in cases.items():
            with self.subTest(case=label):
                self.emu.reset()
                self.assert_refused(c.run_cli(args))

    def test_bad_names(self):
        for name in ["", "x" * 101, "\U0001F600" * 101, "\u00e9" * 101]:
            with self.subTest(name=name[:5], n=len(name)):
                self.emu.reset()
                self.assert_refused(self.create(name))

    def test_invalid_utf8_names(self):
        for raw in BAD_UTF8:
            with self.subTest(raw=raw):
                self.emu.reset()
                args = ["create-access-token", "--name", raw] + self.endpoint_args()
                self.assert_refused(c.run_cli(args))

    def test_bad_expires_times(self):
        for t in BAD_TIMES:
            with self.subTest(expires=t):
                self.emu.reset()
                self.assert_refused(self.create("x", expires=t))

    def test_bad_token_content(self):
        for tok in ("abc\r\nX-Injected: 1", "abc\ndef", "abc\rdef", "tab\there", "ctl\x01",
                    "del\x7f", "\r\n"):
            with self.subTest(token=repr(tok)):
                self.emu.reset()
                res = self.create("x", token=tok)
                self.assert_refused(res)
                self.assertNotIn(b"X-Injected", res.err)

    def test_bad_token_file_content(self):
        d = h.work_dir("badtok")
        path = os.path.join(d, "tok")
        for content in (b"abc\ndef\n", b"abc\x00def", b"abc\r\rdef", b"abc\x01"):
            with self.subTest(content=content):
                self.emu.reset()
                with open(path, "wb") as f:
                    f.write(content)
                self.assert_refused(c.run_cli(self.create_args("x", extra=["--token-file", path]),
                                              env=c.clean_env(token=None)))
        h.remove_tree(d)

    def test_token_file_unreadable(self):
        self.assert_refused(c.run_cli(self.create_args("x", extra=[
            "--token-file", "/nonexistent/ccat/token"]), env=c.clean_env(token=None)))

    def test_no_token_253(self):
        res = c.run_cli(self.create_args("x"), env=c.clean_env(token=None))
        self.assert_refused(res, c.EXIT_NO_TOKEN)

    def test_empty_token_variable_is_no_token_253(self):
        res = c.run_cli(self.create_args("x"), env=c.clean_env(token=""))
        self.assert_refused(res, c.EXIT_NO_TOKEN)

    def test_bad_max_attempts_variable(self):
        res = c.run_cli(self.create_args("x"), env=c.clean_env(AWS_MAX_ATTEMPTS="many"))
        self.assert_refused(res)

    def test_bad_endpoint_urls(self):
        for url in ("ftp://localhost:1/", "localhost:%d" % self.emu.port, "http://",
                    "http://localhost:%d/?q=1" % self.emu.port, "http://user@localhost:%d" % self.emu.port,
                    "http://localhost:99999", "http://local host:%d" % self.emu.port):
            with self.subTest(url=url):
                self.emu.reset()
                res = c.run_cli(["create-access-token", "--name", "x", "--endpoint-url", url])
                self.assertIn(res.rc, (c.EXIT_USAGE, c.EXIT_FAILURE), res)
                self.assertEqual(res.out, b"")
                self.assertNotEqual(res.err.strip(), b"")
                self.assert_nothing_sent()

    def test_missing_ca_bundle_file(self):
        res = c.run_cli(["create-access-token", "--name", "x", "--endpoint-url",
                         "https://localhost:%d" % self.emu.port, "--ca-bundle", "/nonexistent/ca.pem"])
        self.assertIn(res.rc, (c.EXIT_USAGE, c.EXIT_FAILURE), res)
        self.assertEqual(res.out, b"")
        self.assertEqual(self.emu.requests(), [])

    def test_service_side_validation_is_254(self):
        """Past expiry passes the CLI (only the service knows the clock) -> 254."""
        res = self.create("x", expires="2001-01-01T00:00:00Z")
        self.assert_rc(res, c.EXIT_SERVICE)
        e = self.one_request()
        self.assertEqual(e["response"]["code"], "ValidationException")
        self.service_error_line(res, "ValidationException",
                                "The expiration time must be in the future")


if __name__ == "__main__":
    c.main()
