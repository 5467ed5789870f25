#!/usr/bin/env python3
"""Service errors: exit 254 and the AWS CLI line
`An error occurred (CODE) when calling the CreateAccessToken operation: MESSAGE`,
the code read from the header or the body (code / Code / __type forms),
compared with what botocore reports for the very same answer."""

import clitest as c
from clitest import h

MODELED = sorted(h.ccat_emulator.MODELED_ERRORS)
FORMS = ("header", "header_url", "body_code", "body_Code", "body__type")


class TestServiceErrors(c.CliCase):
    def run_error(self, action, extra=(), name="err"):
        self.emu.reset()
        self.emu.plan([action])
        res = self.create(name, extra=extra)
        self.assert_rc(res, c.EXIT_SERVICE)
        self.assertEqual(res.out, b"", res)
        self.assert_no_token(res)
        return res

    def test_six_modeled_errors_every_form(self):
        for code in MODELED:
            for form in FORMS:
                with self.subTest(code=code, form=form):
                    value = None
                    if form == "body__type":
                        value = "aws.protocoltests.restjson#%s:http://internal.amazon.com/" \
                                "coral/com.amazon.coral.service/" % code
                    msg = "Message for %s via %s \u00e9 \"q\"" % (code, form)
                    extra = ["--max-attempts", "1"] if code == "ThrottlingException" else []
                    res = self.run_error({"action": "error", "code": code, "code_in": form,
                                          "code_value": value, "message": msg}, extra)
                    self.service_error_line(res, code, msg)
                    # Only throttling is retryable; --max-attempts 1 stops it here.
                    self.assertEqual(len(self.emu.requests()), 1)

    def test_natural_access_denied_bad_token(self):
        res = self.create("x", token="wrong-token-value")
        self.assert_rc(res, c.EXIT_SERVICE)
        e = self.one_request()
        self.assertFalse(e["auth"]["accepted"])
        self.assertEqual(e["auth"]["sha256"], h.sha256_hex("wrong-token-value"))
        self.service_error_line(res, "AccessDeniedException", "Invalid or expired bearer token")
        self.assertNotIn(b"wrong-token-value", res.err)

    def test_natural_quota(self):
        self.emu.config(quota=1)
        try:
            self.assert_success(self.create("q1"), self.one_request())
            res = self.create("q2")
            self.assert_rc(res, c.EXIT_SERVICE)
            self.service_error_line(res, "ServiceQuotaExceededException",
                                    "You have reached the maximum number of personal access tokens")
        finally:
            self.emu.config(quota=None)

    def test_unknown_code_keeps_its_name(self):
        for form in ("header", "body_code", "body__type"):
            with self.subTest(form=form):
                res = self.run_error({"action": "error", "code": "BrandNewFancyException",
                                      "status": 400, "code_in": form, "message": "fancy"})
                self.service_error_line(res, "BrandNewFancyException", "fancy")
                self.assertEqual(len(self.emu.requests()), 1)

    def test_header_wins_over_body(self):
        res = self.run_error({"action": "error", "code": "ConflictException", "code_in": "header",
                              "message": "m", "extra_body": {"code": "ValidationException",
                                                             "__type": "x#ResourceNotFoundException"}})
        self.service_error_line(res, "ConflictException", "m")

    def test_odd_answers_match_botocore(self):
        """Whatever botocore reports, the CLI reports (code and message)."""
        actions = [
            {"action": "error", "code": "ConflictException", "code_in": "none",
             "headers": [["X-AMZN-ERRORTYPE", "ConflictException:http://x/"]]},
            {"action": "error", "code": "ConflictException", "message_key": "Message",
             "message": "capital M"},
            {"action": "error", "code": "ValidationException", "code_in": "body__type",
             "code_value": "com.amazon.coral.validate#ValidationException"},
            {"action": "error", "code": "ResourceNotFoundException", "code_in": "body_code",
             "code_value": "ResourceNotFoundException:http://internal.amazon.com/x"},
            {"action": "error", "code": "ConflictException", "message": "",
             "code_in": "header"},
            {"action": "error", "code": "ConflictException", "code_in": "header",
             "message": "chunked + close", "chunked": {"sizes": [3, 4]}, "close": True},
            {"action": "error", "code": "ConflictException", "code_in": "header",
             "message": "long " + "x" * 500},
            {"action": "error", "code": "AccessDeniedException", "code_in": "header",
             "extra_body": {"secretish": {"message": "decoy"}}, "message": "outer"},
            {"action": "error", "code": "ConflictException", "code_in": "none",
             "message": "no code at all", "status": 409},
            {"action": "status", "status": 503},
            {"action": "status", "status": 502, "body": "<html><body>Bad Gateway</body></html>",
             "content_type": "text/html"},
            {"action": "status", "status": 500, "body": '{"message": "json, no code"}'},
            {"action": "status", "status": 418, "body": '{"Message": "teapot"}'},
        ]
        for a in actions:
            with self.subTest(action=a):
                code, message = c.botocore_error(self.emu, a)
                res = self.run_error(a, extra=["--max-attempts", "1"])
                self.service_error_line(res, code, message)

    def test_request_id_in_debug_output(self):
        res = self.run_error({"action": "error", "code": "ConflictException", "message": "m"},
                             extra=["--debug"])
        e = self.one_request()
        self.assertIn(e["response"]["request_id"], res.stderr)
        self.service_error_line(res, "ConflictException", "m")
        self.assertNotIn(c.TOKEN, res.stderr)

    def test_non_modeled_5xx_after_retries(self):
        self.emu.plan([{"action": "error", "code": "InternalServerException", "status": 500,
                        "message": "boom", "repeat": 3}])
        res = self.create("x")
        self.assert_rc(res, c.EXIT_SERVICE)
        self.assertEqual(len(self.emu.requests()), 3)
        self.service_error_line(res, "InternalServerException", "boom")


if __name__ == "__main__":
    c.main()
