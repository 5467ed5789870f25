#!/usr/bin/env python3
"""Prove the emulator faithful: drive it with botocore's own CodeCatalyst client.

botocore gets the bearer token through a custom token provider registered on
the session (Session.register_component('token_provider', ...)); one test also
covers botocore's own route, the AWS_BEARER_TOKEN_CODECATALYST variable
(botocore.tokens.ScopedEnvTokenProvider).
"""

import datetime
import os
import sys
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import emuharness as h  # noqa: E402

# Keep botocore away from any real configuration or metadata service.
for _k in list(os.environ):
    if _k.startswith("AWS_"):
        del os.environ[_k]
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import botocore.exceptions  # noqa: E402
import botocore.session  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.tokens import FrozenAuthToken, TokenProviderChain  # noqa: E402

MODELED = sorted(h.ccat_emulator.MODELED_ERRORS)
CODE_FORMS = ("header", "header_url", "body_code", "body_Code", "body__type")
FUTURE = datetime.datetime(2031, 5, 17, 8, 9, 10, tzinfo=datetime.timezone.utc)


class StaticTokenProvider:
    """A token provider handing botocore a fixed bearer token."""

    def __init__(self, token):
        self.token = token

    def load_token(self, **kwargs):
        return FrozenAuthToken(self.token)


def make_client(emu, token=h.TEST_TOKEN, max_attempts=3, validate=True, read_timeout=10,
                endpoint=None):
    session = botocore.session.get_session()
    if token is not None:
        session.register_component("token_provider",
                                   TokenProviderChain([StaticTokenProvider(token)]))
    cfg = Config(retries={"mode": "standard", "total_max_attempts": max_attempts},
                 connect_timeout=5, read_timeout=read_timeout, parameter_validation=validate)
    return session.create_client("codecatalyst", region_name="us-west-2",
                                 endpoint_url=endpoint or emu.url(),
                                 verify=emu.ca if emu.tls else None, config=cfg)


class BotocoreCase(unittest.TestCase):
    TLS = True
    HOST = "127.0.0.1"

    @classmethod
    def setUpClass(cls):
        cls.emu = h.EmulatorProcess(tls=cls.TLS, host=cls.HOST).start()
        cls.client = make_client(cls.emu)
        cls.client1 = make_client(cls.emu, max_attempts=1)

    @classmethod
    def tearDownClass(cls):
        out = cls.emu.output()
        cls.emu.stop()
        # The emulator never prints a token.
        assert h.TEST_TOKEN not in out and h.OTHER_TOKEN not in out, "token in emulator output"

    def setUp(self):
        self.emu.reset()

    def check_issued(self, resp, entry):
        issued = entry["response"]["issued"]
        self.assertEqual(resp["accessTokenId"], issued["accessTokenId"])
        self.assertEqual(resp["name"], issued["name"])
        self.assertEqual(h.sha256_hex(resp["secret"]), issued["secret_sha256"])
        self.assertEqual(len(resp["secret"]), issued["secret_len"])
        self.assertTrue(resp["secret"].startswith("ccpat_"))


class TestBotocoreTLS(BotocoreCase):
    def test_success_all_members(self):
        resp = self.client.create_access_token(name="device-42")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 201)
        reqs = self.emu.requests()
        self.assertEqual(len(reqs), 1)
        self.check_issued(resp, reqs[0])
        self.assertEqual(resp["name"], "device-42")
        self.assertIsInstance(resp["expiresTime"], datetime.datetime)
        self.assertEqual(resp["expiresTime"].utcoffset(), datetime.timedelta(0))
        # Default: one year from now.
        days = (resp["expiresTime"] - datetime.datetime.now(datetime.timezone.utc)).days
        self.assertIn(days, (364, 365))
        self.assertEqual(resp["ResponseMetadata"]["RequestId"], reqs[0]["response"]["request_id"])
        self.assertEqual(len(resp["accessTokenId"]), 36)

    def test_request_on_the_wire(self):
        self.client.create_access_token(name="wire", expiresTime=FUTURE)
        (e,) = self.emu.requests()
        self.assertEqual((e["method"], e["target"], e["version"]),
                         ("PUT", "/v1/accessTokens", "HTTP/1.1"))
        self.assertTrue(e["auth"]["accepted"])
        self.assertEqual(e["auth"]["scheme"], "Bearer")
        self.assertEqual(e["auth"]["sha256"], h.sha256_hex(h.TEST_TOKEN))
        self.assertEqual(h.header(e, "Authorization"), "<redacted>")
        self.assertFalse(e["token_elsewhere"])
        self.assertEqual(h.header(e, "Content-Type"), "application/json")
        self.assertEqual(h.header(e, "Host"), "localhost:%d" % self.emu.port)
        self.assertEqual(int(h.header(e, "Content-Length")), e["body_len"])
        self.assertEqual(h.body_bytes(e),
                         b'{"name": "wire", "expiresTime": "2031-05-17T08:09:10Z"}')

    def test_expires_time_round_trip_with_microseconds(self):
        when = datetime.datetime(2030, 1, 2, 3, 4, 5, 123456,
                                 tzinfo=datetime.timezone(datetime.timedelta(hours=-7)))
        resp = self.client.create_access_token(name="micro", expiresTime=when)
        self.assertEqual(resp["expiresTime"], when)
        (e,) = self.emu.requests()
        self.assertIn(b'"expiresTime": "2030-01-02T10:04:05.123456Z"', h.body_bytes(e))
        self.assertEqual(e["response"]["issued"]["expiresTime"], "2030-01-02T10:04:05.123456Z")

    def test_six_modeled_errors_in_every_code_form(self):
        for code in MODELED:
            for form in CODE_FORMS:
                with self.subTest(code=code, form=form):
                    self.emu.reset()
                    value = None
                    if form == "body__type":
                        value = "aws.protocoltests.restjson#%s:http://internal.amazon.com/" % code
                    self.emu.plan([{"action": "error", "code": code, "code_in": form,
                                    "code_value": value, "message": "msg for %s" % code}])
                    exc_cls = getattr(self.client1.exceptions, code)
                    with self.assertRaises(exc_cls) as cm:
                        self.client1.create_access_token(name="err")
                    err = cm.exception.response
                    self.assertEqual(err["Error"]["Code"], code)
                    self.assertEqual(err["Error"]["Message"], "msg for %s" % code)
                    self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"],
                                     h.ccat_emulator.MODELED_ERRORS[code])
                    self.assertEqual(len(self.emu.requests()), 1)

    def test_message_key_capitalised(self):
        self.emu.plan([{"action": "error", "code": "ConflictException", "message_key": "Message",
                        "message": "Capital M"}])
        with self.assertRaises(self.client1.exceptions.ConflictException) as cm:
            self.client1.create_access_token(name="x")
        self.assertEqual(cm.exception.response["Error"]["Message"], "Capital M")

    def test_header_code_wins_over_body(self):
        self.emu.plan([{"action": "error", "code": "ConflictException", "code_in": "header",
                        "extra_body": {"code": "ValidationException"}}])
        with self.assertRaises(self.client1.exceptions.ConflictException):
            self.client1.create_access_token(name="x")

    def test_unknown_error_code_keeps_its_name(self):
        self.emu.plan([{"action": "error", "code": "BrandNewException", "status": 400,
                        "message": "new"}])
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.client.create_access_token(name="x")
        self.assertEqual(cm.exception.response["Error"]["Code"], "BrandNewException")
        self.assertEqual(len(self.emu.requests()), 1)
        self.assertIn("An error occurred (BrandNewException) when calling the CreateAccessToken "
                      "operation: new", str(cm.exception))

    def test_throttling_is_retried(self):
        for spec in ({"action": "throttle"},
                     {"action": "throttle", "code": "TooManyRequestsException", "status": 400},
                     {"action": "throttle", "code": "RequestLimitExceeded", "status": 503,
                      "code_in": "body__type"}):
            with self.subTest(spec=spec):
                self.emu.reset()
                self.emu.plan([spec])
                resp = self.client.create_access_token(name="retry")
                reqs = self.emu.requests()
                self.assertEqual(len(reqs), 2)
                self.check_issued(resp, reqs[1])
                self.assertEqual(resp["ResponseMetadata"]["RetryAttempts"], 1)

    def test_5xx_retried_then_gives_up_after_three(self):
        self.emu.plan([{"action": "status", "status": 503, "repeat": 3}])
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.client.create_access_token(name="busy")
        self.assertEqual(cm.exception.response["Error"]["Code"], "503")
        self.assertEqual(len(self.emu.requests()), 3)
        self.assertIn("reached max retries: 2", str(cm.exception))

    def test_500_502_504_retried(self):
        self.emu.plan([{"action": "status", "status": 502, "body": "<html>bad gateway</html>",
                        "content_type": "text/html"},
                       {"action": "status", "status": 504}])
        resp = self.client.create_access_token(name="gw")
        reqs = self.emu.requests()
        self.assertEqual([r["response"]["status"] for r in reqs], [502, 504, 201])
        self.check_issued(resp, reqs[2])

    def test_validation_error_not_retried(self):
        client = make_client(self.emu, validate=False)
        with self.assertRaises(client.exceptions.ValidationException):
            client.create_access_token(name="")
        self.assertEqual(len(self.emu.requests()), 1)

    def test_bad_token_access_denied(self):
        client = make_client(self.emu, token="not-a-valid-token")
        with self.assertRaises(client.exceptions.AccessDeniedException):
            client.create_access_token(name="x")
        (e,) = self.emu.requests()
        self.assertFalse(e["auth"]["accepted"])
        self.assertEqual(e["auth"]["sha256"], h.sha256_hex("not-a-valid-token"))

    def test_second_token_accepted(self):
        resp = make_client(self.emu, token=h.OTHER_TOKEN).create_access_token(name="other")
        (e,) = self.emu.requests()
        self.assertTrue(e["auth"]["accepted"])
        self.check_issued(resp, e)

    def test_token_from_environment_variable(self):
        os.environ["AWS_BEARER_TOKEN_CODECATALYST"] = h.OTHER_TOKEN
        try:
            resp = make_client(self.emu, token=None).create_access_token(name="env")
        finally:
            del os.environ["AWS_BEARER_TOKEN_CODECATALYST"]
        (e,) = self.emu.requests()
        self.assertEqual(e["auth"]["sha256"], h.sha256_hex(h.OTHER_TOKEN))
        self.check_issued(resp, e)

    def test_service_side_validation(self):
        client = make_client(self.emu, validate=False, max_attempts=1)
        past = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
        for kwargs in ({"name": ""}, {"name": "x" * 101}, {"name": "\U0001F600" * 101},
                       {"name": "ok", "expiresTime": past}):
            with self.subTest(kwargs=str(kwargs)[:40]):
                with self.assertRaises(client.exceptions.ValidationException):
                    client.create_access_token(**kwargs)
        # 100 code points (400 UTF-8 bytes) are fine.
        resp = client.create_access_token(name="\U0001F600" * 100)
        self.assertEqual(resp["name"], "\U0001F600" * 100)

    def test_quota(self):
        self.emu.config(quota=2)
        try:
            self.client1.create_access_token(name="q1")
            self.client1.create_access_token(name="q2")
            with self.assertRaises(self.client1.exceptions.ServiceQuotaExceededException):
                self.client1.create_access_token(name="q3")
            # The quota is per user (per token).
            make_client(self.emu, token=h.OTHER_TOKEN).create_access_token(name="q4")
        finally:
            self.emu.config(quota=None)

    def test_connection_reset_then_success(self):
        for mode in ("rst", "close"):
            with self.subTest(mode=mode):
                self.emu.reset()
                self.emu.plan([{"action": "reset", "mode": mode}])
                resp = self.client.create_access_token(name="reset")
                reqs = self.emu.requests()
                self.assertEqual(len(reqs), 2)
                self.check_issued(resp, reqs[1])

    def test_response_variants_parse(self):
        variants = [
            {"action": "chunked", "chunked": {"sizes": [1, 2, 3, 5, 8], "ext": ";x=1",
                                              "trailers": [["X-Trailer", "t"]]}},
            {"action": "close"},
            {"action": "decoys"},
            {"action": "reorder"},
            {"action": "escape", "escape": "all", "escape_keys": True},
            {"action": "escape", "escape": "short"},
            {"action": "escape", "escape": "ascii"},
            {"action": "big_secret", "length": 4000},
            {"action": "ok", "pretty": True, "decoys": True, "chunked": {"sizes": [3]}},
            {"action": "ok", "expires_format": "millis"},
            {"action": "ok", "expires_format": "offset"},
        ]
        name = 'q"b\\s/\x01\x1f é\u2028\U0001F600'
        for v in variants:
            with self.subTest(v=v):
                self.emu.reset()
                self.emu.plan([v])
                resp = self.client.create_access_token(name=name, expiresTime=FUTURE)
                (e,) = self.emu.requests()
                self.check_issued(resp, e)
                self.assertEqual(resp["name"], name)
                self.assertEqual(resp["expiresTime"], FUTURE)
                if v["action"] == "big_secret":
                    self.assertEqual(len(resp["secret"]), 4000)

    def test_stall_hits_read_timeout(self):
        self.emu.plan([{"action": "stall", "seconds": 4}])
        client = make_client(self.emu, max_attempts=1, read_timeout=1)
        t0 = time.monotonic()
        with self.assertRaises(botocore.exceptions.ReadTimeoutError):
            client.create_access_token(name="slow")
        elapsed = time.monotonic() - t0
        self.assertGreater(elapsed, 0.9)
        self.assertLess(elapsed, 3.5)
        self.assertEqual(len(self.emu.requests()), 1)

    def test_keep_alive_reused(self):
        self.emu.clear_connections()
        for i in range(3):
            self.client.create_access_token(name="ka%d" % i)
        reqs = self.emu.requests()
        self.assertEqual(len({r["conn"] for r in reqs}), 1)
        self.assertEqual([r["conn_seq"] for r in reqs][-2:], [reqs[-3]["conn_seq"] + 1,
                                                             reqs[-3]["conn_seq"] + 2])


class TestBotocoreAllOperations(BotocoreCase):
    """ListAccessTokens, DeleteAccessToken and VerifySession with botocore's client."""

    def test_four_operations(self):
        self.assertEqual(self.client.verify_session()["identity"], h.TEST_USER)
        made = self.client.create_access_token(name="four", expiresTime=FUTURE)
        items = self.client.list_access_tokens()["items"]
        self.assertEqual([i["id"] for i in items], [h.TEST_TOKEN_ID, made["accessTokenId"]])
        self.assertEqual(items[1], {"id": made["accessTokenId"], "name": "four",
                                    "expiresTime": FUTURE})
        self.assertIsInstance(items[0]["expiresTime"], datetime.datetime)
        resp = self.client.delete_access_token(id=made["accessTokenId"])
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(set(resp), {"ResponseMetadata"})
        resp = self.client.list_access_tokens(maxResults=10)
        self.assertNotIn("nextToken", resp)
        self.assertEqual([i["id"] for i in resp["items"]], [h.TEST_TOKEN_ID])
        reqs = self.emu.requests()
        self.assertEqual([(e["operation"], e["method"], e["response"]["status"]) for e in reqs],
                         [("VerifySession", "GET", 200), ("CreateAccessToken", "PUT", 201),
                          ("ListAccessTokens", "POST", 200), ("DeleteAccessToken", "DELETE", 200),
                          ("ListAccessTokens", "POST", 200)])
        self.assertEqual(h.body_bytes(reqs[2]), b"{}")
        self.assertEqual(h.body_bytes(reqs[4]), b'{"maxResults": 10}')
        self.assertTrue(all(e["auth"]["accepted"] for e in reqs))
        self.assertEqual(make_client(self.emu, token=h.OTHER_TOKEN).verify_session()["identity"],
                         h.OTHER_USER)

    def test_issued_secret_works_then_denied_after_delete(self):
        made = self.client.create_access_token(name="rotated")
        new = make_client(self.emu, token=made["secret"], max_attempts=1)
        self.assertEqual(new.verify_session()["identity"], h.TEST_USER)
        # The new token deletes the bootstrap one, then itself.
        new.delete_access_token(id=h.TEST_TOKEN_ID)
        with self.assertRaises(self.client1.exceptions.AccessDeniedException):
            self.client1.verify_session()
        new.delete_access_token(id=made["accessTokenId"])
        for call in (new.verify_session, new.list_access_tokens,
                     lambda: new.create_access_token(name="x"),
                     lambda: new.delete_access_token(id=made["accessTokenId"])):
            with self.assertRaises(new.exceptions.AccessDeniedException) as cm:
                call()
            self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        self.assertEqual([e["auth"]["denied"] for e in self.emu.requests()[-4:]], ["deleted"] * 4)

    def test_denied_after_expiry(self):
        made = self.client.create_access_token(
            name="short", expiresTime=datetime.datetime.now(datetime.timezone.utc) +
            datetime.timedelta(hours=1))
        new = make_client(self.emu, token=made["secret"], max_attempts=1)
        self.assertEqual(new.verify_session()["identity"], h.TEST_USER)
        self.emu.advance_clock(3601)
        with self.assertRaises(new.exceptions.AccessDeniedException):
            new.verify_session()
        with self.assertRaises(new.exceptions.AccessDeniedException):
            new.list_access_tokens()
        self.assertEqual(self.client.verify_session()["identity"], h.TEST_USER)
        items = self.client.list_access_tokens()["items"]      # expired but listed
        self.assertIn(made["accessTokenId"], [i["id"] for i in items])

    def test_paginator_every_page_size(self):
        ids = [h.TEST_TOKEN_ID] + [self.client.create_access_token(name="p%d" % i)["accessTokenId"]
                                   for i in range(11)]
        paginator = self.client.get_paginator("list_access_tokens")
        for size in range(1, 11):
            with self.subTest(size=size):
                self.emu.clear()
                pages = list(paginator.paginate(PaginationConfig={"PageSize": size}))
                self.assertEqual([i["id"] for p in pages for i in p["items"]], ids)
                self.assertEqual(len(pages), -(-12 // size))
                self.assertNotIn("nextToken", pages[-1])
                bodies = [h.body_bytes(e) for e in self.emu.requests()]
                self.assertEqual(len(bodies), len(pages))
                self.assertIn(b'"maxResults": %d' % size, bodies[0])
        full = paginator.paginate(PaginationConfig={"MaxItems": 5, "PageSize": 2}).build_full_result()
        self.assertEqual([i["id"] for i in full["items"]], ids[:5])
        resumed = paginator.paginate(PaginationConfig={"StartingToken": full["NextToken"],
                                                       "PageSize": 4}).build_full_result()
        self.assertEqual([i["id"] for i in resumed["items"]], ids[5:])

    def test_list_validation_errors(self):
        client = make_client(self.emu, validate=False, max_attempts=1)
        for kwargs in ({"maxResults": 11}, {"maxResults": 0}, {"maxResults": -3},
                       {"nextToken": "not-a-token"}, {"nextToken": "0"}):
            with self.subTest(kwargs=kwargs):
                with self.assertRaises(client.exceptions.ValidationException):
                    client.list_access_tokens(**kwargs)
        self.assertEqual(len(self.emu.requests()), 5)

    def test_delete_ids_needing_percent_encoding(self):
        for tid in ("id/with space", "%41?x=1&y#z", "\u00e9\U0001F600", ".."):
            with self.subTest(tid=tid):
                self.emu.clear()
                self.emu.add_token("secret-" + h.sha256_hex(tid)[:20], user=h.TEST_USER, token_id=tid)
                self.client1.delete_access_token(id=tid)
                self.assertTrue(self.emu.token(tid)["deleted"])
                (e,) = self.emu.requests()
                self.assertEqual(e["response"]["result"], {"id": tid})
                self.assertEqual(e["target"],
                                 "/v1/accessTokens/" + urllib.parse.quote(tid.encode(), safe=""))

    def test_delete_unknown_and_foreign(self):
        other = make_client(self.emu, token=h.OTHER_TOKEN, max_attempts=1)
        for tid in ("00000000-0000-0000-0000-000000000000", h.OTHER_TOKEN_ID):
            with self.subTest(tid=tid):
                with self.assertRaises(self.client1.exceptions.ResourceNotFoundException) as cm:
                    self.client1.delete_access_token(id=tid)
                self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.assertEqual(other.verify_session()["identity"], h.OTHER_USER)   # still live
        with self.assertRaises(botocore.exceptions.ParamValidationError):
            self.client1.delete_access_token(id="")
        client = make_client(self.emu, validate=False, max_attempts=1)
        with self.assertRaises(client.exceptions.ValidationException):
            client.delete_access_token(id="x" * 37)

    def test_quota_per_user_live_tokens(self):
        self.emu.config(quota=1)
        try:
            made = self.client1.create_access_token(name="q1")
            with self.assertRaises(self.client1.exceptions.ServiceQuotaExceededException):
                self.client1.create_access_token(name="q2")
            self.client1.delete_access_token(id=made["accessTokenId"])
            self.client1.create_access_token(name="q2")
        finally:
            self.emu.config(quota=None)

    def test_planned_faults_on_each_operation(self):
        made = self.client.create_access_token(name="faults")
        self.emu.plan([{"op": "DeleteAccessToken", "action": "status", "status": 500},
                       {"op": "ListAccessTokens", "action": "error", "code": "ConflictException"},
                       {"op": "VerifySession", "action": "reset"}])
        with self.assertRaises(botocore.exceptions.HTTPClientError):
            self.client1.verify_session()
        self.assertEqual(self.client1.verify_session()["identity"], h.TEST_USER)
        with self.assertRaises(self.client1.exceptions.ConflictException):
            self.client1.list_access_tokens()
        self.assertEqual(len(self.client1.list_access_tokens()["items"]), 2)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.client1.delete_access_token(id=made["accessTokenId"])
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 500)
        self.assertTrue(self.emu.token(made["accessTokenId"])["live"])     # not applied
        self.client1.delete_access_token(id=made["accessTokenId"])
        self.assertEqual([(e["operation"], e["planned"]) for e in self.emu.requests()[1:]],
                         [("VerifySession", True), ("VerifySession", False),
                          ("ListAccessTokens", True), ("ListAccessTokens", False),
                          ("DeleteAccessToken", True), ("DeleteAccessToken", False)])

    def test_standard_retry_on_list(self):
        self.emu.plan([{"op": "ListAccessTokens", "action": "status", "status": 503}])
        resp = self.client.list_access_tokens()
        self.assertEqual(resp["ResponseMetadata"]["RetryAttempts"], 1)
        self.assertEqual([i["id"] for i in resp["items"]], [h.TEST_TOKEN_ID])

    def test_lost_delete_answer_then_retry(self):
        """The delete happens, its answer is lost; the retry then finds the
        token gone (404), or succeeds when deleting twice is configured as 200."""
        for delete_deleted in ("not_found", "ok"):
            with self.subTest(delete_deleted=delete_deleted):
                self.emu.reset()
                self.emu.config(delete_deleted=delete_deleted)
                try:
                    made = self.client1.create_access_token(name="lost")
                    self.emu.plan([{"op": "DeleteAccessToken", "action": "lost"}])
                    with self.assertRaises(botocore.exceptions.HTTPClientError):
                        self.client1.delete_access_token(id=made["accessTokenId"])
                    self.assertTrue(self.emu.token(made["accessTokenId"])["deleted"])
                    if delete_deleted == "not_found":
                        with self.assertRaises(self.client1.exceptions.ResourceNotFoundException):
                            self.client1.delete_access_token(id=made["accessTokenId"])
                    else:
                        self.client1.delete_access_token(id=made["accessTokenId"])
                finally:
                    self.emu.config(delete_deleted="not_found")
                dels = self.emu.requests(operation="DeleteAccessToken")
                self.assertEqual([e["response"]["status"] for e in dels],
                                 ["lost", 404 if delete_deleted == "not_found" else 200])
                self.assertTrue(dels[0]["response"]["applied"])

    def test_lost_create_answer_leaves_a_token(self):
        self.emu.plan([{"op": "CreateAccessToken", "action": "lost", "mode": "close"}])
        with self.assertRaises(botocore.exceptions.HTTPClientError):
            self.client1.create_access_token(name="twice")
        resp = self.client1.create_access_token(name="twice")
        twice = [t for t in self.emu.store() if t["name"] == "twice"]
        self.assertEqual(len(twice), 2)                 # the retry made a second one
        self.assertEqual(twice[1]["id"], resp["accessTokenId"])
        self.assertEqual(twice[1]["secret_sha256"], h.sha256_hex(resp["secret"]))
        items = self.client1.list_access_tokens()["items"]
        self.assertEqual([i["name"] for i in items], ["bootstrap-1", "twice", "twice"])


class TestBotocorePlain(BotocoreCase):
    TLS = False

    def test_verify_list_delete_over_http(self):
        made = self.client.create_access_token(name="plain-ops")
        self.assertEqual(self.client.verify_session()["identity"], h.TEST_USER)
        self.client.delete_access_token(id=made["accessTokenId"])
        self.assertEqual([i["id"] for i in self.client.list_access_tokens()["items"]],
                         [h.TEST_TOKEN_ID])

    def test_success_over_http(self):
        resp = self.client.create_access_token(name="plain", expiresTime=FUTURE)
        (e,) = self.emu.requests()
        self.assertFalse(e["tls"])
        self.check_issued(resp, e)
        self.assertEqual(h.header(e, "Host"), "localhost:%d" % self.emu.port)

    def test_error_over_http(self):
        self.emu.plan([{"action": "error", "code": "ResourceNotFoundException",
                        "code_in": "body_code", "message": "nope"}])
        with self.assertRaises(self.client1.exceptions.ResourceNotFoundException):
            self.client1.create_access_token(name="x")

    def test_base_path_prefix(self):
        client = make_client(self.emu, endpoint=self.emu.url(path="/base/path"))
        resp = client.create_access_token(name="bp")
        (e,) = self.emu.requests()
        self.assertEqual(e["target"], "/base/path/v1/accessTokens")
        self.check_issued(resp, e)


class TestBotocoreIPv6(BotocoreCase):
    TLS = True
    HOST = "::1"

    def test_success_over_ipv6_tls(self):
        resp = self.client.create_access_token(name="v6")
        (e,) = self.emu.requests()
        self.assertEqual(h.header(e, "Host"), "[::1]:%d" % self.emu.port)
        self.check_issued(resp, e)


if __name__ == "__main__":
    unittest.main(verbosity=2)
