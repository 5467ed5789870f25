#!/usr/bin/env python3
"""The CLI under valgrind memcheck (--error-exitcode=99 --leak-check=full):
a success over TLS must exit 0; a service error and a malformed answer must
keep their exit codes (254, 255) with no memory error or leak."""

import base64
import os

import clitest as c

VALGRIND = [os.environ.get("VALGRIND") or "valgrind", "--error-exitcode=99", "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect,possible", "--track-fds=no", "-q"]
SLOW = ["--cli-read-timeout", "120", "--cli-connect-timeout", "120"]


class TestValgrind(c.CliCase):
    TLS = True

    def test_success_over_tls(self):
        res = c.run_cli(self.create_args("vg \u00e9\U0001F600", expires="2031-01-01T00:00:00.5+01:00",
                                         extra=SLOW), prefix=VALGRIND, timeout=280)
        e = self.one_request()
        self.assert_success(res, e, name="vg \u00e9\U0001F600")
        self.assert_wire(e, "vg \u00e9\U0001F600", expires="2031-01-01T00:00:00.5+01:00")
        self.assertNotIn(b"==", res.err, res)     # -q: valgrind prints only on errors

    def test_service_error_and_bad_answer(self):
        cases = [({"action": "error", "code": "ConflictException", "message": "m"}, c.EXIT_SERVICE),
                 ({"action": "raw", "data_b64": base64.b64encode(
                     b"HTTP/1.1 201 Created\r\nContent-Length: 9\r\n\r\n{\"secret\"").decode()},
                  c.EXIT_FAILURE)]
        for action, rc in cases:
            with self.subTest(rc=rc):
                self.emu.reset()
                self.emu.plan([action])
                res = c.run_cli(self.create_args("vg", extra=SLOW + ["--max-attempts", "1"]),
                                prefix=VALGRIND, timeout=280)
                self.assert_rc(res, rc)
                self.assertNotIn(b"==", res.err, res)

    def test_list_delete_verify(self):
        # Paging with a resume token, an error mid-way, delete and verify: no
        # memory error, no leak (the list output is built in memory).
        for i in range(3):
            self.assert_rc(self.create("vg-%d" % i), c.EXIT_OK)
        ep = self.endpoint_args() + SLOW
        res = c.run_cli(["list-access-tokens", "--page-size", "1", "--max-items", "3"] + ep,
                        prefix=VALGRIND, timeout=280)
        self.assert_rc(res, c.EXIT_OK)
        self.assertEqual(len(c.json.loads(res.stdout)["items"]), 3)
        self.assertNotIn(b"==", res.err, res)
        self.emu.plan([{"action": "ok", "op": "ListAccessTokens"},
                       {"action": "error", "code": "ThrottlingException", "op": "ListAccessTokens"}])
        res = c.run_cli(["list-access-tokens", "--page-size", "2", "--max-attempts", "1"] + ep,
                        prefix=VALGRIND, timeout=280)
        self.assert_rc(res, c.EXIT_SERVICE)
        self.assertNotIn(b"==", res.err, res)
        tid = self.emu.live_tokens()[-1]["id"]
        for args in (["delete-access-token", "--id", tid], ["verify-session"]):
            res = c.run_cli(args + ep, prefix=VALGRIND, timeout=280)
            self.assert_rc(res, c.EXIT_OK)
            self.assertNotIn(b"==", res.err, res)


if __name__ == "__main__":
    c.main()
