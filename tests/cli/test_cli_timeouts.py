#!/usr/bin/env python3
"""Timeouts: --cli-read-timeout against a stalling server (before the
answer, after the head, mid-body; with and without retries) and
--cli-connect-timeout against a TLS handshake that never completes.
--debug never prints the token or the secret, even on these paths."""

import clitest as c


class TestReadTimeout(c.CliCase):
    TLS = True

    def check_timeout(self, plan, attempts, low, high, extra=()):
        self.emu.plan(plan)
        res = self.create("slow", extra=["--cli-read-timeout", "1"] + list(extra))
        self.assert_rc(res, c.EXIT_FAILURE)
        self.assertEqual(len(self.emu.requests()), attempts, res)
        self.assertGreaterEqual(res.elapsed, low, res)
        self.assertLess(res.elapsed, high, res)
        self.assertNotEqual(res.err.strip(), b"")
        self.assertNotIn(b"An error occurred (", res.err)
        self.assert_no_token(res)
        self.assert_failure_kind(res, "CCAT_ERR_READ_TIMEOUT")
        return res

    def test_stall_before_answer(self):
        self.check_timeout([{"action": "stall", "seconds": 8}], 1, 0.9, 5,
                           ["--max-attempts", "1"])

    def test_stall_after_head(self):
        self.check_timeout([{"action": "stall", "seconds": 8, "phase": "after_headers"}], 1, 0.9, 5,
                           ["--max-attempts", "1"])

    def test_stall_mid_body_secret_not_leaked(self):
        self.emu.plan([{"action": "stall", "seconds": 8, "phase": "mid_body",
                        "secret": "ccpat_STALLEDsecretVALUE0123456789"}])
        res = self.create("slow", extra=["--cli-read-timeout", "1", "--max-attempts", "1",
                                         "--debug"])
        self.assert_rc(res, c.EXIT_FAILURE)
        self.assertLess(res.elapsed, 5, res)
        self.assert_failure_kind(res, "CCAT_ERR_READ_TIMEOUT")
        self.assertNotIn(b"STALLEDsecret", res.err)
        self.assertNotIn(b"STALLEDsecret", res.out)
        self.assertNotIn(c.TOKEN.encode(), res.err)

    def test_stall_retried_three_times(self):
        # 3 x 1 s timeouts + backoff <= 1 + 2 s: well under 10 s.
        self.check_timeout([{"action": "stall", "seconds": 6, "repeat": 3}], 3, 2.9, 10)

    def test_slow_but_within_timeout(self):
        self.emu.plan([{"action": "stall", "seconds": 0.5, "phase": "after_headers"}])
        res = self.create("slowok", extra=["--cli-read-timeout", "3", "--max-attempts", "1"])
        self.assert_success(res, self.one_request())


class TestConnectTimeout(c.CliCase):
    TLS = True

    def test_tls_handshake_never_completes(self):
        silent = c.SilentTLSServer()
        try:
            res = c.run_cli(["create-access-token", "--name", "x", "--endpoint-url",
                             "https://localhost:%d" % silent.port, "--ca-bundle", self.emu.ca,
                             "--cli-connect-timeout", "1", "--cli-read-timeout", "30",
                             "--max-attempts", "1"])
        finally:
            silent.close()
        self.assert_rc(res, c.EXIT_FAILURE)
        self.assertGreaterEqual(res.elapsed, 0.9, res)
        self.assertLess(res.elapsed, 10, res)
        self.assertGreaterEqual(len(silent.accepted), 1)
        self.assert_failure_kind(res, "CCAT_ERR_CONNECT_TIMEOUT")
        self.assertNotEqual(res.err.strip(), b"")


class TestDebugNeverLeaks(c.CliCase):
    TLS = True

    def test_debug_success_error_and_retry(self):
        plans = [[], [{"action": "throttle", "message": "slow down"}],
                 [{"action": "error", "code": "ConflictException"}],
                 [{"action": "ok", "secret": "ccpat_DEBUGsecretVALUE_0123456789abcdef"}]]
        for plan in plans:
            with self.subTest(plan=plan):
                self.emu.reset()
                self.emu.plan(plan)
                res = self.create("dbg", extra=["--debug"])
                self.assertIn(res.rc, (c.EXIT_OK, c.EXIT_SERVICE), res)
                self.assertNotEqual(res.err.strip(), b"", "--debug prints progress")
                self.assertNotIn(c.TOKEN.encode(), res.err)
                self.assertNotIn(c.TOKEN.encode(), res.out)
                self.assertNotIn(c.TOKEN[-12:].encode(), res.err)
                if res.rc == c.EXIT_OK:
                    out = self.assert_success(res, self.emu.requests()[-1])
                    self.assertNotIn(out["secret"][6:].encode(), res.err)
                    self.assertNotIn(out["secret"][-12:].encode(), res.err)


if __name__ == "__main__":
    c.main()
