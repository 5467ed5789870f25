"""`ccat delete-access-token` and `ccat verify-session` against the emulator,
botocore as the oracle for the request bytes (method, percent-encoded path,
Content-Length / Content-Type, body) and for what is read from the answers:

* delete: the token leaves the store; no output (the AWS CLI prints none for
  an empty result); deleting it again, another user's or an unknown id is
  ResourceNotFoundException (254); a bad id is refused before anything is
  sent (252); a 5xx is retried (the operation is idempotent); deleting the
  very token in use works, and that token is refused afterwards;
* verify: the identity botocore reads; an expired or deleted token is
  AccessDeniedException; no identity prints nothing; retries, bad answers;
* neither operation ever shows the bearer token.
"""

import base64
import datetime
import json
import unittest

import clitest as c

DEL_OP = "when calling the DeleteAccessToken operation"
VER_OP = "when calling the VerifySession operation"

# Ids whose percent-encoding matters: botocore keeps A-Z a-z 0-9 - _ . ~ only.
IDS = ("plain-id_1.2~3", "a b", "a/b", "x%y", "q?r#s&t=u+v", "caf\u00e9", "\U0001F600",
       "[::]@!$'()*,;:", "\"<>\\^`{|}")


def botocore_request(op, params):
    import botocore.serialize
    import botocore.session
    model = botocore.session.get_session().get_service_model("codecatalyst")
    ser = botocore.serialize.create_serializer("rest-json", include_validation=False)
    return ser.serialize_to_request(params, model.operation_model(op))


def raw(data):
    return {"action": "raw", "data_b64": base64.b64encode(data).decode(), "keep_open": True}


def ok_200(body):
    body = body.encode("utf-8")
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body


class DeleteVerifyCase(c.CliCase):
    TLS = False

    def delete(self, token_id, *extra, **kw):
        return c.run_cli(["delete-access-token", "--id", token_id] + list(extra) +
                         self.endpoint_args(), **kw)

    def verify(self, *extra, **kw):
        return c.run_cli(["verify-session"] + list(extra) + self.endpoint_args(), **kw)

    def user(self, token=c.TOKEN):
        return self.emu.token_for_secret(token)["user"]


class TestDelete(DeleteVerifyCase):
    def test_wire_like_botocore(self):
        # Our request and botocore's own client's, as the emulator logged both.
        for token_id in IDS:
            with self.subTest(id=token_id):
                want = botocore_request("DeleteAccessToken", {"id": token_id})
                self.emu.reset()
                try:   # ResourceNotFound is the answer: fine, the bytes are what count
                    c.botocore_client(self.emu).delete_access_token(id=token_id)
                except Exception:
                    pass
                ref = self.emu.requests(operation="DeleteAccessToken")[-1]
                self.emu.clear()
                res = self.delete(token_id, "--max-attempts", "1")
                self.assertIn(res.rc, (c.EXIT_OK, c.EXIT_SERVICE), res)
                ours = self.one_request()
                self.assertEqual((ours["method"], ours["target"]), ("DELETE", want["url_path"]))
                self.assertEqual(ours["target"], ref["target"])
                self.assertEqual(c.h.header_values(ours, "Content-Length"), ["0"])
                self.assertEqual(c.h.header_values(ours, "Content-Length"),
                                 c.h.header_values(ref, "Content-Length"))
                self.assertEqual(c.h.header_values(ours, "Content-Type"), [])
                self.assertEqual(c.h.header_values(ref, "Content-Type"), [])
                self.assertEqual(c.h.body_bytes(ours), b"")
                self.assertTrue(ours["head_crlf"])
                self.assertEqual(ours["header_problems"], [])

    def test_delete_and_again(self):
        self.assert_rc(self.create("doomed"), c.EXIT_OK)
        doomed = [t for t in self.emu.live_tokens(user=self.user()) if t["name"] == "doomed"][0]
        res = self.delete(doomed["id"])
        self.assert_rc(res, c.EXIT_OK)
        self.assertEqual(res.out, b"")
        self.assert_no_token(res)
        self.assertTrue(self.emu.token(doomed["id"])["deleted"])
        # Again, and an unknown id: the modeled 404, botocore's reading of it.
        for token_id in (doomed["id"], "no-such-token"):
            res = self.delete(token_id)
            self.assert_rc(res, c.EXIT_SERVICE)
            self.assertEqual(res.out, b"")
            self.service_error_line(res, "ResourceNotFoundException",
                                    "Access token %s was not found" % token_id, op=DEL_OP)
        # Another user's token is not found either (and stays).
        other = self.emu.token_for_secret(c.h.OTHER_TOKEN)
        self.assert_rc(self.delete(other["id"]), c.EXIT_SERVICE)
        self.assertFalse(self.emu.token(other["id"])["deleted"])

    def test_bad_ids_send_nothing(self):
        for token_id in ("x" * 37, "\u00e9" * 37, ""):
            with self.subTest(id=token_id):
                self.emu.reset()
                res = self.delete(token_id)
                self.assert_rc(res, c.EXIT_USAGE)
                self.assert_nothing_sent()
        self.emu.reset()
        res = c.run_cli(["delete-access-token", "--id", b"a\xffb"] + self.endpoint_args())
        self.assert_rc(res, c.EXIT_USAGE)
        res = c.run_cli(["delete-access-token"] + self.endpoint_args())
        self.assert_rc(res, c.EXIT_USAGE)
        self.assertIn("required: --id", res.stderr)
        self.assert_rc(self.delete("x" * 36, "--max-attempts", "1"), c.EXIT_SERVICE)   # 36 is fine
        self.emu.reset()
        res = self.delete("abc", token=None)
        self.assert_rc(res, c.EXIT_NO_TOKEN)
        self.assert_nothing_sent()

    def test_retried_and_lost_answer(self):
        self.assert_rc(self.create("retry"), c.EXIT_OK)
        tid = [t for t in self.emu.live_tokens(user=self.user()) if t["name"] == "retry"][0]["id"]
        self.emu.clear()
        self.emu.plan([{"action": "status", "status": 503, "op": "DeleteAccessToken"}])
        res = self.delete(tid)
        self.assert_rc(res, c.EXIT_OK)
        self.assertEqual(len(self.emu.requests(operation="DeleteAccessToken")), 2)
        self.assertTrue(self.emu.token(tid)["deleted"])
        # The delete happened but the answer was lost: the retry meets a 404
        # (or 200 with delete_deleted "ok"), as with any idempotent retry.
        self.assert_rc(self.create("lost"), c.EXIT_OK)
        tid = [t for t in self.emu.live_tokens(user=self.user()) if t["name"] == "lost"][0]["id"]
        self.emu.plan([{"action": "lost", "op": "DeleteAccessToken"}])
        self.emu.config(delete_deleted="ok")
        try:
            self.assert_rc(self.delete(tid), c.EXIT_OK)
        finally:
            self.emu.config(delete_deleted="not_found")
        self.assertTrue(self.emu.token(tid)["deleted"])

    def test_delete_own_token(self):
        me = self.emu.token_for_secret(c.TOKEN)
        self.assert_rc(self.delete(me["id"]), c.EXIT_OK)
        res = self.verify()
        self.assert_rc(res, c.EXIT_SERVICE)
        self.service_error_line(res, "AccessDeniedException", "Invalid or expired bearer token", op=VER_OP)


class TestVerify(DeleteVerifyCase):
    def test_identity_like_botocore(self):
        ref = c.botocore_client(self.emu).verify_session()
        self.emu.clear()
        res = self.verify()
        self.assert_rc(res, c.EXIT_OK)
        self.assertEqual(json.loads(res.stdout), {"identity": ref["identity"]})
        self.assertEqual(res.stdout, json.dumps({"identity": ref["identity"]}, indent=4) + "\n")
        self.assertEqual(ref["identity"], self.user())
        self.assert_no_token(res)
        entry = self.one_request()
        want = botocore_request("VerifySession", {})
        self.assertEqual((entry["method"], entry["target"]), (want["method"], want["url_path"]))
        for h in ("Content-Length", "Content-Type", "Transfer-Encoding"):
            self.assertEqual(c.h.header_values(entry, h), [], h)   # botocore sends none on a GET
        self.assertEqual(entry["body_len"], 0)
        self.assertEqual(entry["auth"]["sha256"], c.h.sha256_hex(c.TOKEN))

    def test_answers_read_like_botocore(self):
        for body in ('{"identity":"u-\\u00e9\\ud83d\\ude00"}', '{"identity":null}', "{}", "",
                     '{"x":{"identity":"NO"},"identity":"yes","y":[1]}'):
            with self.subTest(body=body):
                self.emu.reset()
                self.emu.plan([raw(ok_200(body))])
                ref = c.botocore_client(self.emu).verify_session()
                self.emu.reset()
                self.emu.plan([raw(ok_200(body))])
                res = self.verify("--max-attempts", "1")
                self.assert_rc(res, c.EXIT_OK)
                if "identity" in ref:
                    self.assertEqual(json.loads(res.stdout), {"identity": ref["identity"]})
                else:
                    self.assertEqual(res.out, b"")   # the AWS CLI prints nothing for {}

    def test_denied_and_errors(self):
        secret = "ccpat_EXPIRING_secret_for_verify"
        rec = self.emu.add_token(secret, user=self.user(), name="exp")
        self.assert_rc(self.verify(token=secret), c.EXIT_OK)
        self.emu.set_token(rec["id"], expiresTime=datetime.datetime.now(datetime.timezone.utc)
                           - datetime.timedelta(seconds=5))
        res = self.verify(token=secret)
        self.assert_rc(res, c.EXIT_SERVICE)
        self.service_error_line(res, "AccessDeniedException", "Invalid or expired bearer token", op=VER_OP)
        self.assertNotIn(secret.encode(), res.err)
        res = self.verify(token="not-a-known-token")
        self.assert_rc(res, c.EXIT_SERVICE)
        # Throttling is retried; a bad answer is a clean failure.
        self.emu.plan([{"action": "throttle", "op": "VerifySession"}])
        self.assert_rc(self.verify(), c.EXIT_OK)
        self.emu.plan([raw(ok_200('{"identity":5}'))])
        res = self.verify("--max-attempts", "1")
        self.assert_rc(res, c.EXIT_FAILURE)
        self.assert_failure_kind(res, "ERR_RESPONSE_TYPE")
        self.assertEqual(res.out, b"")
        res = self.verify(token=None)
        self.assert_rc(res, c.EXIT_NO_TOKEN)

    def test_debug_never_shows_the_token(self):
        res = self.verify("--debug")
        self.assert_rc(res, c.EXIT_OK)
        self.assert_no_token(res)
        self.assertIn("ccat: debug: result CCAT_OK http-status=200", res.stderr)


class TestOverTLS(DeleteVerifyCase):
    TLS = True

    def test_verify_and_delete_over_tls(self):
        self.assert_rc(self.verify(), c.EXIT_OK)
        self.assert_rc(self.create("tls"), c.EXIT_OK)
        tid = [t for t in self.emu.live_tokens(user=self.user()) if t["name"] == "tls"][0]["id"]
        self.assert_rc(self.delete(tid), c.EXIT_OK)
        self.assertTrue(self.emu.token(tid)["deleted"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
