#!/usr/bin/env python3
"""AWS standard-mode retries, counted in the emulator log: throttling codes at
any status, 500/502/503/504, connection resets; max attempts from
--max-attempts / $AWS_MAX_ATTEMPTS / 3; backoff within [0, min(2^(n-1), 20)] s."""

import clitest as c


class TestRetry(c.CliCase):
    TLS = True

    def statuses(self):
        return [e["response"]["status"] for e in self.emu.requests()]

    def test_throttling_then_success(self):
        self.emu.plan([{"action": "throttle"}])
        res = self.create("t")
        reqs = self.emu.requests()
        self.assertEqual(len(reqs), 2)
        self.assert_success(res, reqs[1])
        self.assertLessEqual(reqs[1]["t"] - reqs[0]["t"], 1.0 + 0.75)

    def test_throttling_codes_at_other_statuses(self):
        specs = [
            {"action": "throttle", "code": "TooManyRequestsException", "status": 400},
            {"action": "throttle", "code": "SlowDown", "status": 503, "code_in": "body__type",
             "code_value": "com.amazonaws.s3#SlowDown"},
            {"action": "throttle", "code": "ProvisionedThroughputExceededException", "status": 400,
             "code_in": "body_code"},
            {"action": "throttle", "code": "EC2ThrottledException", "status": 403,
             "code_in": "body_Code"},
        ]
        for spec in specs:
            with self.subTest(code=spec["code"]):
                self.emu.reset()
                self.emu.plan([spec])
                res = self.create("t")
                reqs = self.emu.requests()
                self.assertEqual(len(reqs), 2, res)
                self.assert_success(res, reqs[1])

    def test_non_throttling_4xx_not_retried(self):
        self.emu.plan([{"action": "error", "code": "LimitExceededExceptionNot", "status": 400},
                       {"action": "error", "code": "ConflictException"}])
        res = self.create("t")
        self.assert_rc(res, c.EXIT_SERVICE)
        self.assertEqual(len(self.emu.requests()), 1)

    def test_503_three_times_gives_up(self):
        self.emu.plan([{"action": "error", "code": "ServiceUnavailableException", "status": 503,
                        "code_in": "header", "message": "busy", "repeat": 3}, {"action": "ok"}])
        res = self.create("t")
        self.assert_rc(res, c.EXIT_SERVICE)
        reqs = self.emu.requests()
        self.assertEqual(len(reqs), 3)
        self.service_error_line(res, "ServiceUnavailableException", "busy")
        gaps = [b["t"] - a["t"] for a, b in zip(reqs, reqs[1:])]
        self.assertLessEqual(gaps[0], 1.0 + 0.75, gaps)
        self.assertLessEqual(gaps[1], 2.0 + 0.75, gaps)
        self.assertEqual(self.emu.pending(), [{"action": "ok"}])

    def test_bare_5xx_then_success(self):
        self.emu.plan([{"action": "status", "status": 500, "body": '{"message":"oops"}'},
                       {"action": "status", "status": 502, "body": "<html>Bad Gateway</html>",
                        "content_type": "text/html"}])
        res = self.create("t")
        reqs = self.emu.requests()
        self.assertEqual(self.statuses(), [500, 502, 201])
        self.assert_success(res, reqs[2])

    def test_504_then_success(self):
        self.emu.plan([{"action": "status", "status": 504}])
        res = self.create("t")
        self.assertEqual(self.statuses(), [504, 201])
        self.assert_success(res, self.emu.requests()[1])

    def test_max_attempts_one(self):
        self.emu.plan([{"action": "status", "status": 503,
                        "body": '{"message":"busy"}'}])
        res = self.create("t", extra=["--max-attempts", "1"])
        self.assertEqual(self.statuses(), [503])
        self.assertIn(res.rc, (c.EXIT_SERVICE,), res)

    def test_max_attempts_two_option(self):
        self.emu.plan([{"action": "status", "status": 503, "repeat": 2}])
        res = self.create("t", extra=["--max-attempts", "2"])
        self.assert_rc(res, c.EXIT_SERVICE)
        self.assertEqual(self.statuses(), [503, 503])

    def test_max_attempts_environment_and_precedence(self):
        self.emu.plan([{"action": "status", "status": 503}])
        res = c.run_cli(self.create_args("t"), env=c.clean_env(AWS_MAX_ATTEMPTS="1"))
        self.assert_rc(res, c.EXIT_SERVICE)
        self.assertEqual(self.statuses(), [503])
        # The option beats the variable.
        self.emu.reset()
        self.emu.plan([{"action": "status", "status": 503}])
        res = c.run_cli(self.create_args("t", extra=["--max-attempts", "2"]),
                        env=c.clean_env(AWS_MAX_ATTEMPTS="1"))
        self.assertEqual(self.statuses(), [503, 201])
        self.assert_success(res, self.emu.requests()[1])

    def test_connection_reset_then_success(self):
        for mode in ("rst", "close"):
            with self.subTest(mode=mode):
                self.emu.reset()
                self.emu.plan([{"action": "reset", "mode": mode}])
                res = self.create("r")
                reqs = self.emu.requests()
                self.assertEqual(len(reqs), 2, res)
                self.assert_success(res, reqs[1])

    def test_reset_every_time_gives_255(self):
        self.emu.plan([{"action": "reset", "repeat": 3}])
        res = self.create("r")
        self.assert_rc(res, c.EXIT_FAILURE)
        self.assertEqual(len(self.emu.requests()), 3)
        self.assertNotEqual(res.err.strip(), b"")
        self.assertNotIn(b"An error occurred (", res.err)
        self.assert_failure_kind(res, "CCAT_ERR_RECV", "CCAT_ERR_CLOSED", "CCAT_ERR_SEND")

    def test_connection_refused_255(self):
        port = c.free_port()
        t = c.time.monotonic()
        res = c.run_cli(["create-access-token", "--name", "x", "--endpoint-url",
                         "http://127.0.0.1:%d" % port, "--max-attempts", "1"])
        self.assert_rc(res, c.EXIT_FAILURE)
        self.assertLess(c.time.monotonic() - t, 10)
        self.assert_failure_kind(res, "CCAT_ERR_CONNECT")


if __name__ == "__main__":
    c.main()
