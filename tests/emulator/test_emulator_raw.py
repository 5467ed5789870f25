#!/usr/bin/env python3
"""Self-tests of the emulator with raw sockets: framing, faults, validation,
the request log and its redaction, TLS certificates, start-up."""

import base64
import json
import os
import re
import ssl
import subprocess
import sys
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import emuharness as h  # noqa: E402

TOKEN = h.TEST_TOKEN


def request_bytes(port, body, token=TOKEN, target="/v1/accessTokens", method="PUT",
                  ctype="application/json", extra=(), host=None, version="HTTP/1.1"):
    if isinstance(body, str):
        body = body.encode("utf-8")
    lines = ["%s %s %s" % (method, target, version), "Host: %s" % (host or "localhost:%d" % port)]
    if token is not None:
        lines.append("Authorization: Bearer %s" % token)
    if ctype:
        lines.append("Content-Type: %s" % ctype)
    lines.append("Content-Length: %d" % len(body))
    lines += list(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body


class Reader:
    """Minimal HTTP/1.1 response reader over a socket (Content-Length or chunked)."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self.buf += data

    def until(self, sep):
        while sep not in self.buf:
            self.fill()
        i = self.buf.index(sep) + len(sep)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def exactly(self, n):
        while len(self.buf) < n:
            self.fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def response(self):
        head = self.until(b"\r\n\r\n").decode("latin-1")
        lines = head.split("\r\n")[:-2]
        status = int(lines[0].split(" ")[1])
        headers = [tuple(x.split(": ", 1)) for x in lines[1:]]
        hd = {k.lower(): v for k, v in headers}
        raw_body = b""
        if hd.get("transfer-encoding") == "chunked":
            body = b""
            while True:
                line = self.until(b"\r\n")
                raw_body += line
                n = int(line.split(b";")[0], 16)
                if n == 0:
                    while True:
                        t = self.until(b"\r\n")
                        raw_body += t
                        if t == b"\r\n":
                            break
                    break
                chunk = self.exactly(n + 2)
                raw_body += chunk
                self.assertion(chunk.endswith(b"\r\n"))
                body += chunk[:-2]
        else:
            body = self.exactly(int(hd["content-length"]))
        return status, headers, hd, body, raw_body

    @staticmethod
    def assertion(cond):
        if not cond:
            raise AssertionError("bad chunk framing")


class RawCase(unittest.TestCase):
    TLS = False

    @classmethod
    def setUpClass(cls):
        cls.emu = h.EmulatorProcess(tls=cls.TLS).start()
        cls.seen_secrets = []

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def setUp(self):
        self.emu.reset()

    def connect(self):
        return h.raw_connect("127.0.0.1", self.emu.port, tls=self.TLS, ca=self.emu.ca)

    def exchange(self, body, **kw):
        with self.connect() as s:
            s.sendall(request_bytes(self.emu.port, body, **kw))
            status, _, hd, data, _ = Reader(s).response()
        if status == 201:
            self.seen_secrets.append(json.loads(data)["secret"])
        return status, hd, data


class TestFraming(RawCase):
    def test_keep_alive_two_requests_one_connection(self):
        with self.connect() as s:
            r = Reader(s)
            s.sendall(request_bytes(self.emu.port, '{"name":"a"}') +
                      request_bytes(self.emu.port, '{"name":"b"}'))   # pipelined
            st1, _, hd1, b1, _ = r.response()
            st2, _, hd2, b2, _ = r.response()
        self.assertEqual((st1, st2), (201, 201))
        self.assertEqual(json.loads(b1)["name"], "a")
        self.assertEqual(json.loads(b2)["name"], "b")
        self.assertEqual(int(hd1["content-length"]), len(b1))
        self.assertEqual(hd1["content-type"], "application/json")
        self.assertNotEqual(hd1["x-amzn-requestid"], hd2["x-amzn-requestid"])
        reqs = self.emu.requests()
        self.assertEqual([(r["conn"], r["conn_seq"]) for r in reqs],
                         [(reqs[0]["conn"], 1), (reqs[0]["conn"], 2)])

    def test_client_connection_close_is_honoured(self):
        with self.connect() as s:
            s.sendall(request_bytes(self.emu.port, '{"name":"a"}', extra=["Connection: close"]))
            r = Reader(s)
            self.assertEqual(r.response()[0], 201)
            self.assertRaises(EOFError, r.fill)

    def test_http10_closes(self):
        with self.connect() as s:
            s.sendall(request_bytes(self.emu.port, '{"name":"a"}', version="HTTP/1.0"))
            r = Reader(s)
            self.assertEqual(r.response()[0], 201)
            self.assertRaises(EOFError, r.fill)

    def test_chunked_success(self):
        self.emu.plan([{"action": "chunked", "chunked": {"sizes": [1, 2, 3], "ext": ";e=v",
                                                         "trailers": [["X-T", "1"]],
                                                         "upper": True}}])
        with self.connect() as s:
            s.sendall(request_bytes(self.emu.port, '{"name":"chunky"}'))
            st, _, hd, body, raw = Reader(s).response()
        self.assertEqual(st, 201)
        self.assertNotIn("content-length", hd)
        self.assertTrue(raw.startswith(b"1;e=v\r\n{\r\n2;e=v\r\n"))
        self.assertTrue(raw.endswith(b"0;e=v\r\nX-T: 1\r\n\r\n"))
        self.assertEqual(json.loads(body)["name"], "chunky")
        self.assertIn(b"\r\n", raw)

    def test_close_action(self):
        self.emu.plan([{"action": "close"}])
        with self.connect() as s:
            s.sendall(request_bytes(self.emu.port, '{"name":"a"}'))
            r = Reader(s)
            st, _, hd, _, _ = r.response()
            self.assertEqual((st, hd["connection"]), (201, "close"))
            self.assertRaises(EOFError, r.fill)

    def test_reset_rst(self):
        self.emu.plan([{"action": "reset"}])
        with self.connect() as s:
            s.sendall(request_bytes(self.emu.port, '{"name":"a"}'))
            with self.assertRaises((ConnectionResetError, EOFError)):
                Reader(s).fill()
        self.assertEqual(len(self.emu.requests()), 1)
        self.assertEqual(self.emu.requests()[0]["response"]["status"], "reset")

    def test_reset_fin_no_answer(self):
        self.emu.plan([{"action": "reset", "mode": "close"}])
        with self.connect() as s:
            s.sendall(request_bytes(self.emu.port, '{"name":"a"}'))
            self.assertEqual(s.recv(100), b"")

    def test_reset_after_headers(self):
        self.emu.plan([{"action": "reset", "when": "after_headers", "mode": "close"}])
        with self.connect() as s:
            s.sendall(request_bytes(self.emu.port, '{"name":"a"}'))
            r = Reader(s)
            head = r.until(b"\r\n\r\n")
            self.assertTrue(head.startswith(b"HTTP/1.1 201 Created\r\n"))
            self.assertRaises(EOFError, r.fill)

    def test_raw_bytes_verbatim(self):
        data = b"HTTP/1.1 201 Created\r\nContent-Length: 3\r\nX: \xff\x00\r\n\r\n{}x"
        self.emu.plan([{"action": "raw", "data_b64": base64.b64encode(data).decode()}])
        got = b""
        with self.connect() as s:
            s.sendall(request_bytes(self.emu.port, '{"name":"a"}'))
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
        self.assertEqual(got, data)
        (e,) = self.emu.requests()
        self.assertEqual(e["action"]["data_b64"], "<%d chars>" % (len(base64.b64encode(data)) + 2))

    def test_status_without_body(self):
        self.emu.plan([{"action": "status", "status": 503}])
        st, hd, body = self.exchange('{"name":"a"}')
        self.assertEqual((st, body, hd["content-length"]), (503, b"", "0"))
        self.assertIn("x-amzn-requestid", hd)
        self.assertNotIn("content-type", hd)

    def test_stall_after_headers(self):
        self.emu.plan([{"action": "stall", "seconds": 1.5, "phase": "after_headers"}])
        with self.connect() as s:
            s.sendall(request_bytes(self.emu.port, '{"name":"a"}'))
            r = Reader(s)
            t0 = time.monotonic()
            r.until(b"\r\n\r\n")
            t_head = time.monotonic() - t0
            r.fill()
            t_body = time.monotonic() - t0
        self.assertLess(t_head, 1.0)
        self.assertGreater(t_body, 1.3)

    def test_stall_before_response(self):
        self.emu.plan([{"action": "stall", "seconds": 1.2}])
        t0 = time.monotonic()
        st, _, _ = self.exchange('{"name":"a"}')
        self.assertEqual(st, 201)
        self.assertGreater(time.monotonic() - t0, 1.1)

    def test_plan_order_repeat_and_pending(self):
        self.emu.plan([{"action": "status", "status": 502, "repeat": 2},
                       {"action": "error", "code": "ConflictException"}])
        self.assertEqual(len(self.emu.pending()), 3)
        got = [self.exchange('{"name":"a"}')[0] for _ in range(4)]
        self.assertEqual(got, [502, 502, 409, 201])
        self.assertEqual(self.emu.pending(), [])
        self.assertEqual([r["planned"] for r in self.emu.requests()], [True, True, True, False])

    def test_plan_rejects_unknown_action(self):
        with self.assertRaises(RuntimeError):
            self.emu.plan([{"action": "explode"}])

    def test_error_forms(self):
        cases = [("header", "x-amzn-errortype", "ConflictException", None),
                 ("header_url", "x-amzn-errortype",
                  "ConflictException:http://internal.amazon.com/coral/com.amazon.coral.service/", None),
                 ("body_code", None, None, "code"), ("body_Code", None, None, "Code"),
                 ("body__type", None, None, "__type")]
        for form, hname, hval, key in cases:
            with self.subTest(form=form):
                self.emu.plan([{"action": "error", "code": "ConflictException", "code_in": form,
                                "message": "m"}])
                st, hd, body = self.exchange('{"name":"a"}')
                self.assertEqual(st, 409)
                obj = json.loads(body)
                self.assertEqual(obj["message"], "m")
                if hname:
                    self.assertEqual(hd[hname], hval)
                else:
                    self.assertNotIn("x-amzn-errortype", hd)
                    self.assertEqual(obj[key], "ConflictException")

    def test_decoys_and_escapes_decode_to_the_same_values(self):
        name = 'n"\\/\x00\x1f\u00e9\u2028\U0001F600'
        for act in ({"action": "decoys"}, {"action": "escape", "escape_keys": True},
                    {"action": "escape", "escape": "short"}, {"action": "reorder"}):
            with self.subTest(act=act):
                self.emu.reset()
                self.emu.plan([act])
                st, _, body = self.exchange(json.dumps({"name": name}))
                obj = json.loads(body)
                (e,) = self.emu.requests()
                iss = e["response"]["issued"]
                self.assertEqual(obj["name"], name)
                self.assertEqual(obj["accessTokenId"], iss["accessTokenId"])
                self.assertEqual(h.sha256_hex(obj["secret"]), iss["secret_sha256"])
                if act.get("escape") != "short" and act["action"] == "escape":
                    self.assertNotIn(b"secret", body)          # keys escaped too
                    self.assertIn(b"\\ud83d\\uDE00", body)     # surrogate pair
                if act["action"] == "reorder":
                    self.assertLess(body.index(b'"accessTokenId"'), body.index(b'"secret"'))
                if act["action"] == "decoys":
                    self.assertLess(body.index(b"ccpat_DECOYnested"), body.index(b'"secret":"ccpat_'))

    def test_big_secret(self):
        self.emu.plan([{"action": "big_secret", "length": 5000}])
        st, _, body = self.exchange('{"name":"a"}')
        self.assertEqual(len(json.loads(body)["secret"]), 5000)


class TestValidation(RawCase):
    def check(self, body, status, code, **kw):
        st, hd, data = self.exchange(body, **kw)
        self.assertEqual(st, status, data)
        self.assertTrue(hd.get("x-amzn-errortype", "").startswith(code + ":"), hd)
        self.assertIsInstance(json.loads(data)["message"], str)

    def test_body_errors(self):
        cases = [
            ('{"name": "a"', 400, "SerializationException"),
            ('["name"]', 400, "SerializationException"),
            ('{"name": "a", "name": "b"}', 400, "SerializationException"),
            ('{"name": "\\ud800"}', 400, "SerializationException"),
            (b'{"name": "\xff"}', 400, "SerializationException"),
            ('{"name": 5}', 400, "SerializationException"),
            ('{"name": "a", "expiresTime": NaN}', 400, "SerializationException"),
            ('{"name": "a", "expiresTime": "tomorrow"}', 400, "SerializationException"),
            ('{"name": "a", "expiresTime": true}', 400, "SerializationException"),
            ('{"expiresTime": "2031-01-01T00:00:00Z"}', 400, "ValidationException"),
            ('{}', 400, "ValidationException"),
            ('', 400, "ValidationException"),
            ('{"name": ""}', 400, "ValidationException"),
            (json.dumps({"name": "x" * 101}), 400, "ValidationException"),
            (json.dumps({"name": "\U0001F600" * 101}), 400, "ValidationException"),
            ('{"name": "a", "expiresTime": "2001-01-01T00:00:00Z"}', 400, "ValidationException"),
            ('{"name": "a", "expiresTime": 1000}', 400, "ValidationException"),
        ]
        for body, status, code in cases:
            with self.subTest(body=body):
                self.check(body, status, code)

    def test_accepted_bodies(self):
        cases = [
            (json.dumps({"name": "\U0001F600" * 100}), "\U0001F600" * 100, None),
            ('{"name": "a", "expiresTime": "2031-02-03T04:05:06.5+01:30"}', "a",
             "2031-02-03T02:35:06.500000Z"),
            ('{"name": "a", "expiresTime": 1950000000}', "a", "2031-10-17T10:40:00Z"),
            ('{"name": "a", "expiresTime": null}', "a", None),
            ('{"name": "a", "unknownMember": {"x": 1}}', "a", None),
        ]
        for body, name, exp in cases:
            with self.subTest(body=body[:60]):
                self.emu.reset()
                st, _, data = self.exchange(body)
                self.assertEqual(st, 201, data)
                obj = json.loads(data)
                self.assertEqual(obj["name"], name)
                if exp:
                    self.assertEqual(obj["expiresTime"], exp)
        self.assertEqual(self.emu.requests()[0]["unknown_members"], ["unknownMember"])

    def test_auth_and_routing(self):
        cases = [
            ({"token": None}, 403, "AccessDeniedException"),
            ({"token": "wrong-token"}, 403, "AccessDeniedException"),
            ({"extra": ["Authorization: Bearer " + TOKEN]}, 403, "AccessDeniedException"),
            ({"ctype": "text/plain"}, 415, "UnsupportedMediaTypeException"),
            ({"ctype": None}, 415, "UnsupportedMediaTypeException"),
            ({"target": "/v1/accessToken"}, 404, "UnknownOperationException"),
            ({"method": "PATCH"}, 404, "UnknownOperationException"),
            ({"method": "GET"}, 404, "UnknownOperationException"),
        ]
        for kw, status, code in cases:
            with self.subTest(kw=kw):
                self.check('{"name": "a"}', status, code, **kw)
        st, _, _ = self.exchange('{"name": "a"}', ctype="application/json; charset=utf-8")
        self.assertEqual(st, 201)
        st, _, _ = self.exchange('{"name": "a"}', target="/any/base/v1/accessTokens")
        self.assertEqual(st, 201)

    def test_bad_requests_get_400_and_close(self):
        for raw in (b"GARBAGE\r\n\r\n",
                    b"PUT /v1/accessTokens HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
                    b"Content-Length: 2\r\n\r\n{}",
                    b"PUT /v1/accessTokens HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n{}"):
            with self.subTest(raw=raw[:20]):
                with self.connect() as s:
                    s.sendall(raw)
                    r = Reader(s)
                    self.assertEqual(r.response()[0], 400)
                    self.assertRaises(EOFError, r.fill)
        self.assertEqual(self.emu.requests(), [])

    def test_chunked_request_body(self):
        with self.connect() as s:
            s.sendall(b"PUT /v1/accessTokens HTTP/1.1\r\nHost: localhost\r\n"
                      b"Authorization: Bearer " + TOKEN.encode() +
                      b"\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                      b"5\r\n{\"nam\r\n8;x=y\r\ne\": \"ab\"\r\n1\r\n}\r\n0\r\n\r\n")
            st, _, _, body, _ = Reader(s).response()
        self.assertEqual((st, json.loads(body)["name"]), (201, "ab"))
        (e,) = self.emu.requests()
        self.assertTrue(e["chunked_request"])
        self.assertIsNone(e["content_length"])


class TestLog(RawCase):
    def test_log_records_wire_exactly_and_redacts(self):
        body = b'{"name":"log\\u00e9"}'
        self.exchange(body, extra=["X-Custom: v1", "User-Agent: ccat/9 test"])
        (e,) = self.emu.requests()
        self.assertEqual(base64.b64decode(e["body_b64"]), body)
        self.assertEqual(e["body_len"], len(body))
        self.assertEqual(e["content_length"], len(body))
        self.assertEqual([k for k, _ in e["headers"]],
                         ["Host", "Authorization", "Content-Type", "Content-Length", "X-Custom",
                          "User-Agent"])
        self.assertEqual(h.header(e, "Authorization"), "<redacted>")
        self.assertEqual(e["auth"], {"present": True, "count": 1, "scheme": "Bearer",
                                     "sha256": h.sha256_hex(TOKEN), "accepted": True,
                                     "token_id": h.TEST_TOKEN_ID, "user": h.TEST_USER,
                                     "denied": None})
        self.assertEqual(e["operation"], "CreateAccessToken")
        self.assertTrue(e["head_crlf"])
        self.assertFalse(e["token_elsewhere"])
        self.assertEqual(e["version"], "HTTP/1.1")

    def test_token_elsewhere_is_flagged(self):
        self.exchange('{"name":"a"}', extra=["User-Agent: leak " + TOKEN])
        self.exchange('{"name":"%s"}' % TOKEN)
        self.assertEqual([e["token_elsewhere"] for e in self.emu.requests()], [True, True])

    def test_bare_lf_noted(self):
        with self.connect() as s:
            s.sendall(b"PUT /v1/accessTokens HTTP/1.1\nHost: x\nAuthorization: Bearer " +
                      TOKEN.encode() + b"\nContent-Type: application/json\n"
                      b"Content-Length: 12\n\n{\"name\":\"a\"}")
            self.assertEqual(Reader(s).response()[0], 201)
        self.assertFalse(self.emu.requests()[0]["head_crlf"])

    def test_control_requests_not_logged(self):
        self.emu.pending()
        self.emu.requests()
        self.assertEqual(self.emu.requests(), [])
        self.exchange('{"name":"a"}')
        self.emu.clear()
        self.assertEqual(self.emu.requests(), [])

    def test_never_logs_tokens_or_secrets(self):
        self.emu.plan([{"action": "ok", "secret": "ccpat_PLANNEDsecretVALUE"},
                       {"action": "raw", "data": "HTTP/1.1 201 Created\r\nContent-Length: 30\r\n\r\n"
                                                 "{\"secret\":\"ccpat_RAWsecretX\"}"}])
        self.exchange('{"name":"a"}')
        with self.connect() as s:
            s.sendall(request_bytes(self.emu.port, '{"name":"b"}'))
            s.recv(1000)
        self.exchange('{"name":"c"}', token="wrong-" + TOKEN)
        for _ in range(2):
            self.exchange('{"name":"d"}')
        # The issued secrets used as bearer tokens on every operation, one of them lost.
        sec = self.seen_secrets[-1]
        self.emu.plan([{"op": "VerifySession", "action": "lost"}])
        for method, target, body in (("GET", "/session", b""), ("GET", "/session", b""),
                                     ("POST", "/v1/accessTokens", b"{}"),
                                     ("DELETE", "/v1/accessTokens/nope", b"")):
            with self.connect() as s:
                s.sendall(request_bytes(self.emu.port, body, token=sec, method=method,
                                        target=target))
                try:
                    s.recv(1000)
                except ConnectionResetError:
                    pass
        self.emu.add_token("ccat-ADDED-secret-by-control")
        self.assertEqual(len(self.emu.requests(operation="VerifySession")), 2)
        dump = json.dumps({"log": self.emu.requests(), "pending": self.emu.pending(),
                           "conns": self.emu.connections(), "store": self.emu.store(),
                           "clock": self.emu.clock(),
                           "config": self.emu._control("GET", "config")})
        self.assertNotIn("ccat-ADDED-secret-by-control", dump)
        out = self.emu.output()
        self.assertGreaterEqual(len(self.seen_secrets), 3)
        for text in (dump, out):
            self.assertNotIn(TOKEN, text)
            self.assertNotIn("ccpat_PLANNEDsecretVALUE", text)
            self.assertNotIn("ccpat_RAWsecretX", text)
            for sec in self.seen_secrets:
                self.assertNotIn(sec, text)
                self.assertNotIn(sec[6:20], text)


class ServiceCase(RawCase):
    """Helpers for the four operations over raw sockets."""

    def call(self, method, target, body=b"", token=TOKEN, ctype="application/json", **kw):
        st, hd, data = self.exchange(body, method=method, target=target, token=token,
                                     ctype=ctype, **kw)
        return st, hd, (json.loads(data) if data else None)

    def create(self, name="t", token=TOKEN, **members):
        st, _, obj = self.call("PUT", "/v1/accessTokens", json.dumps(dict(members, name=name)),
                               token=token)
        self.assertEqual(st, 201, obj)
        return obj

    def list(self, token=TOKEN, **members):
        return self.call("POST", "/v1/accessTokens", json.dumps(members), token=token)

    def delete(self, token_id, token=TOKEN, quote=True):
        target = "/v1/accessTokens/" + (urllib.parse.quote(token_id, safe="") if quote else token_id)
        return self.call("DELETE", target, token=token, ctype=None)

    def verify(self, token=TOKEN):
        return self.call("GET", "/session", token=token, ctype=None)

    def list_all(self, token=TOKEN, max_results=None):
        """Every page: (ids in order, page sizes, nextTokens seen)."""
        ids, sizes, tokens, next_token = [], [], [], None
        while True:
            members = {}
            if max_results is not None:
                members["maxResults"] = max_results
            if next_token is not None:
                members["nextToken"] = next_token
            st, _, obj = self.list(token=token, **members)
            self.assertEqual(st, 200, obj)
            ids += [i["id"] for i in obj["items"]]
            sizes.append(len(obj["items"]))
            for item in obj["items"]:
                self.assertEqual(sorted(item), ["expiresTime", "id", "name"])
            next_token = obj.get("nextToken")
            if next_token is None:
                self.assertNotIn("nextToken", obj)
                return ids, sizes, tokens
            tokens.append(next_token)

    def assert_error(self, result, status, code):
        st, hd, obj = result
        self.assertEqual(st, status, obj)
        self.assertTrue(hd.get("x-amzn-errortype", "").startswith(code + ":"), hd)
        self.assertIsInstance(obj["message"], str)

    def user_ids(self, user=h.TEST_USER):
        return [t["id"] for t in self.emu.store() if t["user"] == user and not t["deleted"]]


class TestVerifyAndStore(ServiceCase):
    def test_verify_session_identity_per_user(self):
        self.assertEqual(self.verify()[2], {"identity": h.TEST_USER})
        self.assertEqual(self.verify(h.OTHER_TOKEN)[2], {"identity": h.OTHER_USER})
        self.assertNotEqual(h.TEST_USER, h.OTHER_USER)
        e = self.emu.requests()[0]
        self.assertEqual((e["operation"], e["method"], e["target"]), ("VerifySession", "GET", "/session"))
        self.assertEqual(e["response"]["result"], {"identity": h.TEST_USER})
        self.assertTrue(e["response"]["applied"])
        st, _, obj = self.call("GET", "/base/session", token=TOKEN, ctype=None)
        self.assertEqual((st, obj), (200, {"identity": h.TEST_USER}))

    def test_created_tokens_authenticate_and_are_tracked(self):
        a = self.create("first")
        self.assertEqual(self.verify(a["secret"])[2], {"identity": h.TEST_USER})
        b = self.create("second", token=a["secret"])
        rec_a = self.emu.token_for_secret(a["secret"])
        rec_b = self.emu.token(b["accessTokenId"])
        self.assertEqual((rec_a["id"], rec_a["name"], rec_a["user"], rec_a["created_by"]),
                         (a["accessTokenId"], "first", h.TEST_USER, h.TEST_TOKEN_ID))
        self.assertEqual((rec_b["created_by"], rec_b["user"]), (a["accessTokenId"], h.TEST_USER))
        self.assertEqual(rec_b["secret_sha256"], h.sha256_hex(b["secret"]))
        self.assertEqual(rec_b["expiresTime"], b["expiresTime"])
        self.assertTrue(rec_b["live"] and not rec_b["deleted"] and not rec_b["bootstrap"])
        boot = self.emu.token(h.TEST_TOKEN_ID)
        self.assertEqual((boot["name"], boot["bootstrap"], boot["secret_sha256"]),
                         ("bootstrap-1", True, h.sha256_hex(TOKEN)))
        (entry,) = self.emu.requests(operation="VerifySession")
        self.assertEqual((entry["auth"]["token_id"], entry["auth"]["user"]),
                         (a["accessTokenId"], h.TEST_USER))
        # reset: back to the bootstrap tokens only.
        self.emu.reset()
        self.assertEqual([t["id"] for t in self.emu.store()], [h.TEST_TOKEN_ID, h.OTHER_TOKEN_ID])
        self.assert_error(self.verify(a["secret"]), 403, "AccessDeniedException")

    def test_user_tokens_share_a_user(self):
        with h.EmulatorProcess(tls=False, tokens=("solo-token-1",),
                               user_tokens=[("alice", "alice-token-1"), ("alice", "alice-token-2")]) as emu:
            got = []
            for tok in ("alice-token-1", "alice-token-2", "solo-token-1"):
                with h.raw_connect("127.0.0.1", emu.port) as s:
                    s.sendall(request_bytes(emu.port, b"", token=tok, method="GET", target="/session",
                                            ctype=None))
                    got.append(json.loads(Reader(s).response()[3])["identity"])
            self.assertEqual(got, ["alice", "alice", h.ccat_emulator.bootstrap_user_id(0)])
            self.assertEqual([(t["user"], t["name"]) for t in emu.store()],
                             [(got[2], "bootstrap-1"), ("alice", "bootstrap-2"), ("alice", "bootstrap-3")])

    def test_control_add_and_change_tokens(self):
        rec = self.emu.add_token("added-secret-value-123", user=h.TEST_USER, name="added")
        self.assertEqual(self.verify("added-secret-value-123")[2], {"identity": h.TEST_USER})
        self.assertEqual(self.emu.token_for_secret("added-secret-value-123")["id"], rec["id"])
        self.emu.set_token(rec["id"], deleted=True)
        self.assert_error(self.verify("added-secret-value-123"), 403, "AccessDeniedException")
        self.emu.set_token(rec["id"], deleted=False, name="renamed",
                           expiresTime="2040-01-01T00:00:00Z")
        self.assertEqual(self.verify("added-secret-value-123")[0], 200)
        self.assertEqual(self.emu.token(rec["id"])["expiresTime"], "2040-01-01T00:00:00Z")
        fresh = self.emu.add_token("new-user-secret-456")
        self.assertNotIn(fresh["user"], (h.TEST_USER, h.OTHER_USER))
        for bad in ({"id": "no-such-id", "deleted": True}, {"secret": ""},
                    {"id": h.TEST_TOKEN_ID, "expiresTime": "soon"}):
            with self.assertRaises(RuntimeError):
                self.emu._control("POST", "tokens", bad)
        for bad in ({"nope": 1}, {"quota": "3"}, {"delete_deleted": "maybe"},
                    {"list_expired": 1}):
            with self.assertRaises(RuntimeError):
                self.emu.config(**bad)
        self.assertEqual(self.emu._control("GET", "config"),
                         {"quota": None, "count_bootstrap": False, "delete_deleted": "not_found",
                          "list_expired": True})
        self.emu.reset()
        self.assertIsNone(self.emu.token(rec["id"]))


class TestList(ServiceCase):
    def test_every_max_results_pages_all_tokens_in_order(self):
        for i in range(12):
            self.create("n%02d" % i)
        self.create("other-user", token=h.OTHER_TOKEN)
        want = self.user_ids()
        self.assertEqual(len(want), 13)
        self.assertEqual(want[0], h.TEST_TOKEN_ID)
        seen_tokens = set()
        for m in [None] + list(range(1, 11)):
            with self.subTest(maxResults=m):
                ids, sizes, tokens = self.list_all(max_results=m)
                per = m or 10
                self.assertEqual(ids, want)
                self.assertEqual(sizes, [per] * (13 // per) + ([13 % per] if 13 % per else []))
                for t in tokens:
                    self.assertGreaterEqual(len(t), 32)          # opaque, not an index
                    self.assertNotIn(t, seen_tokens)
                    seen_tokens.add(t)
        ids, sizes, _ = self.list_all(token=h.OTHER_TOKEN)
        self.assertEqual(len(ids), 2)
        self.assertEqual(ids[0], h.OTHER_TOKEN_ID)
        # Exactly a full last page: no nextToken after it.
        self.assertEqual(self.list_all(token=h.OTHER_TOKEN, max_results=2)[1], [2])
        ops = {e["operation"] for e in self.emu.requests()}
        self.assertEqual(ops, {"CreateAccessToken", "ListAccessTokens"})
        last = self.emu.requests(operation="ListAccessTokens")[-1]
        self.assertEqual(last["response"]["result"], {"ids": ids, "next_token": False})

    def test_items_members(self):
        a = self.create("listed", expiresTime="2031-02-03T04:05:06Z")
        st, _, obj = self.list()
        self.assertEqual(obj["items"][1], {"id": a["accessTokenId"], "name": "listed",
                                           "expiresTime": "2031-02-03T04:05:06Z"})
        self.assertEqual(obj["items"][0]["name"], "bootstrap-1")

    def test_paging_stable_when_tokens_change_between_pages(self):
        made = [self.create("s%d" % i)["accessTokenId"] for i in range(5)]
        st, _, p1 = self.list(maxResults=3)
        self.assertEqual([i["id"] for i in p1["items"]], [h.TEST_TOKEN_ID] + made[:2])
        self.assertEqual(self.delete(made[2])[0], 200)          # next on the page to come
        late = self.create("late")["accessTokenId"]
        st, _, p2 = self.list(maxResults=3, nextToken=p1["nextToken"])
        self.assertEqual([i["id"] for i in p2["items"]], made[3:] + [late])
        self.assertNotIn("nextToken", p2)
        # The same page token again (a retry) gives the same page.
        st, _, again = self.list(maxResults=3, nextToken=p1["nextToken"])
        self.assertEqual(again, p2)

    def test_deleted_hidden_expired_listed(self):
        a = self.create("a")["accessTokenId"]
        b = self.create("b")["accessTokenId"]
        self.delete(a)
        self.emu.set_token(b, expiresTime="2001-01-01T00:00:00Z")
        ids = self.list_all()[0]
        self.assertEqual(ids, [h.TEST_TOKEN_ID, b])
        self.emu.config(list_expired=False)
        try:
            self.assertEqual(self.list_all()[0], [h.TEST_TOKEN_ID])
        finally:
            self.emu.config(list_expired=True)

    def test_validation(self):
        for i in range(3):
            self.create("v%d" % i)
        self.create("o", token=h.OTHER_TOKEN)
        other_next = self.list(token=h.OTHER_TOKEN, maxResults=1)[2]["nextToken"]
        good_next = self.list(maxResults=1)[2]["nextToken"]
        cases = [
            ('{"maxResults": 0}', 400, "ValidationException"),
            ('{"maxResults": -1}', 400, "ValidationException"),
            ('{"maxResults": 11}', 400, "ValidationException"),
            ('{"maxResults": 1000000}', 400, "ValidationException"),
            ('{"maxResults": "5"}', 400, "SerializationException"),
            ('{"maxResults": 2.5}', 400, "SerializationException"),
            ('{"maxResults": true}', 400, "SerializationException"),
            ('{"nextToken": ""}', 400, "ValidationException"),
            (json.dumps({"nextToken": "x" * 10001}), 400, "ValidationException"),
            ('{"nextToken": 5}', 400, "SerializationException"),
            ('{"nextToken": "garbage"}', 400, "ValidationException"),
            ('{"nextToken": "1"}', 400, "ValidationException"),
            (json.dumps({"nextToken": other_next}), 400, "ValidationException"),
            ('{"maxResults": 1', 400, "SerializationException"),
            ('[]', 400, "SerializationException"),
        ]
        for body, status, code in cases:
            with self.subTest(body=body[:50]):
                self.assert_error(self.call("POST", "/v1/accessTokens", body), status, code)
        self.assert_error(self.call("POST", "/v1/accessTokens", "{}", ctype="text/plain"),
                          415, "UnsupportedMediaTypeException")
        # Accepted: no body at all, nulls, unknown members.
        for body, ctype in (("", None), ("{}", "application/json"),
                            ('{"maxResults": null, "nextToken": null}', "application/json"),
                            ('{"other": [1]}', "application/json")):
            with self.subTest(body=body):
                st, _, obj = self.call("POST", "/v1/accessTokens", body, ctype=ctype)
                self.assertEqual((st, len(obj["items"])), (200, 4))
        self.assertEqual(self.emu.requests()[-1]["unknown_members"], ["other"])
        self.assertEqual(self.list(maxResults=10, nextToken=good_next)[0], 200)
        self.emu.reset()
        self.assert_error(self.list(nextToken=good_next), 400, "ValidationException")


class TestDelete(ServiceCase):
    def test_delete_then_gone(self):
        a = self.create("doomed")
        st, hd, obj = self.delete(a["accessTokenId"])
        self.assertEqual((st, obj, hd["content-type"]), (200, {}, "application/json"))
        rec = self.emu.token(a["accessTokenId"])
        self.assertTrue(rec["deleted"] and not rec["live"] and rec["deleted_at"])
        self.assertNotIn(a["accessTokenId"], self.list_all()[0])
        self.assert_error(self.verify(a["secret"]), 403, "AccessDeniedException")
        self.assertEqual(self.emu.requests()[-1]["auth"]["denied"], "deleted")
        e = self.emu.requests(operation="DeleteAccessToken")[0]
        self.assertEqual((e["method"], e["target"], e["response"]["result"]),
                         ("DELETE", "/v1/accessTokens/" + a["accessTokenId"],
                          {"id": a["accessTokenId"]}))
        # Again: ResourceNotFoundException by default, 200 when configured.
        self.assert_error(self.delete(a["accessTokenId"]), 404, "ResourceNotFoundException")
        self.emu.config(delete_deleted="ok")
        try:
            self.assertEqual(self.delete(a["accessTokenId"])[:3:2], (200, {}))
        finally:
            self.emu.config(delete_deleted="not_found")

    def test_not_found_and_validation(self):
        mine = self.create("mine")["accessTokenId"]
        self.assert_error(self.delete("00000000-0000-0000-0000-000000000000"), 404,
                          "ResourceNotFoundException")
        self.assert_error(self.delete(mine, token=h.OTHER_TOKEN), 404, "ResourceNotFoundException")
        self.assertTrue(self.emu.token(mine)["live"])
        self.assert_error(self.delete("x" * 37), 400, "ValidationException")
        self.assert_error(self.delete("%FF%FE", quote=False), 400, "ValidationException")
        self.assert_error(self.call("DELETE", "/v1/accessTokens/", ctype=None), 404,
                          "UnknownOperationException")
        self.assert_error(self.call("DELETE", "/v1/accessTokens/a/b", ctype=None), 404,
                          "UnknownOperationException")
        self.assertEqual(self.emu.requests()[-1]["operation"], None)
        # 36 characters is fine (and simply not found).
        self.assert_error(self.delete("y" * 36), 404, "ResourceNotFoundException")

    def test_percent_encoded_ids_are_decoded(self):
        for tid in ("a/b c%\u00e9?#&+", "%41", "..", "id;x=1"):
            with self.subTest(tid=tid):
                secret = "secret-for-" + h.sha256_hex(tid)[:16]
                self.emu.add_token(secret, user=h.TEST_USER, token_id=tid)
                st, _, obj = self.delete(tid)
                self.assertEqual(st, 200, obj)
                self.assertTrue(self.emu.token(tid)["deleted"])
                e = self.emu.requests()[-1]
                self.assertEqual(e["target"], "/v1/accessTokens/" + urllib.parse.quote(tid, safe=""))
                self.assertEqual(e["response"]["result"], {"id": tid})
        # Base path prefix.
        a = self.create("bp")["accessTokenId"]
        self.assertEqual(self.call("DELETE", "/base/v1/accessTokens/" + a, ctype=None)[0], 200)

    def test_delete_own_token_then_denied(self):
        a = self.create("self")
        with self.connect() as s:
            r = Reader(s)
            s.sendall(request_bytes(self.emu.port, b"", token=a["secret"], method="DELETE",
                                    target="/v1/accessTokens/" + a["accessTokenId"], ctype=None))
            self.assertEqual(r.response()[0], 200)
            s.sendall(request_bytes(self.emu.port, b"", token=a["secret"], method="GET",
                                    target="/session", ctype=None))
            self.assertEqual(r.response()[0], 403)      # same connection: denied now
        for res in (self.list(token=a["secret"]), self.delete(a["accessTokenId"], token=a["secret"]),
                    self.verify(a["secret"])):
            self.assert_error(res, 403, "AccessDeniedException")

    def test_bootstrap_token_can_be_deleted(self):
        a = self.create("successor")
        self.assertEqual(self.delete(h.TEST_TOKEN_ID, token=a["secret"])[0], 200)
        self.assert_error(self.verify(TOKEN), 403, "AccessDeniedException")
        self.assertEqual(self.list_all(token=a["secret"])[0], [a["accessTokenId"]])


class TestExpiryAndQuota(ServiceCase):
    def test_expiry_by_the_emulator_clock(self):
        c0 = self.emu.clock()
        self.assertEqual(c0["offset"], 0)
        soon = self.create("soon", expiresTime=time.time() + 3600)
        self.emu.advance_clock(7200)
        self.assertGreater(h.ccat_emulator.parse_timestamp(self.emu.clock()["now"]).timestamp(),
                           time.time() + 7000)
        for res in (self.verify(soon["secret"]), self.list(token=soon["secret"]),
                    self.delete(h.TEST_TOKEN_ID, token=soon["secret"]),
                    self.call("PUT", "/v1/accessTokens", '{"name":"x"}', token=soon["secret"])):
            self.assert_error(res, 403, "AccessDeniedException")
        self.assertEqual(self.emu.requests()[-1]["auth"]["denied"], "expired")
        self.assertTrue(self.emu.token(h.TEST_TOKEN_ID)["live"])        # the denied delete did nothing
        rec = self.emu.token(soon["accessTokenId"])
        self.assertTrue(rec["expired"] and not rec["live"] and not rec["deleted"])
        self.assertEqual(self.verify()[0], 200)                           # bootstrap: a year
        # An expiry in the emulator's past is refused even if it is in the real future.
        self.assert_error(self.call("PUT", "/v1/accessTokens",
                                    json.dumps({"name": "x", "expiresTime": time.time() + 3600})),
                          400, "ValidationException")
        self.emu.set_clock("2099-01-01T00:00:00Z")
        self.assert_error(self.verify(), 403, "AccessDeniedException")
        self.emu.real_clock()
        self.assertEqual(self.verify(soon["secret"])[0], 200)
        self.emu.advance_clock(400 * 86400)
        self.assert_error(self.verify(), 403, "AccessDeniedException")
        self.emu.reset()
        self.assertEqual(self.emu.clock()["offset"], 0)
        self.assertEqual(self.verify()[0], 200)
        with self.assertRaises(RuntimeError):
            self.emu._control("POST", "clock", {"set": "yesterday"})

    def test_quota_counts_live_tokens(self):
        self.emu.config(quota=2)
        try:
            a = self.create("q1")
            self.create("q2", token=a["secret"])
            self.assert_error(self.call("PUT", "/v1/accessTokens", '{"name":"q3"}'), 402,
                              "ServiceQuotaExceededException")
            self.create("o1", token=h.OTHER_TOKEN)                  # per user
            self.delete(a["accessTokenId"])
            b = self.create("q3")                                  # room again
            self.emu.set_token(b["accessTokenId"], expiresTime="2001-01-01T00:00:00Z")
            q4 = self.create("q4")                                 # expired ones do not count
            self.assert_error(self.call("PUT", "/v1/accessTokens", '{"name":"q5"}'), 402,
                              "ServiceQuotaExceededException")
            self.assertEqual(len(self.emu.live_tokens(h.TEST_USER)), 3)   # bootstrap + 2
            self.emu.config(count_bootstrap=True, quota=3)
            self.assert_error(self.call("PUT", "/v1/accessTokens", '{"name":"q6"}'), 402,
                              "ServiceQuotaExceededException")
            self.delete(h.TEST_TOKEN_ID)
            self.create("q6", token=q4["secret"])
        finally:
            self.emu.config(quota=None, count_bootstrap=False)


class TestPlansPerOperation(ServiceCase):
    def test_action_aimed_at_one_operation(self):
        a = self.create("target")
        self.emu.plan([{"op": "DeleteAccessToken", "action": "status", "status": 500},
                       {"action": "error", "code": "ConflictException"},
                       {"op": ["VerifySession", "ListAccessTokens"], "action": "throttle"}])
        self.assertEqual(self.verify()[0], 409)                 # first matching: untargeted
        self.assertEqual(self.call("PUT", "/v1/accessTokens", '{"name":"c"}')[0], 201)
        self.assertEqual(self.list()[0], 429)
        self.assertEqual(self.delete(a["accessTokenId"])[0], 500)
        self.assertTrue(self.emu.token(a["accessTokenId"])["live"])     # not applied
        self.assertEqual(self.emu.pending(), [])
        self.assertEqual(self.delete(a["accessTokenId"])[0], 200)
        self.assertEqual([(e["operation"], e["planned"], e["response"]["applied"])
                          for e in self.emu.requests()],
                         [("CreateAccessToken", False, True), ("VerifySession", True, False),
                          ("CreateAccessToken", False, True), ("ListAccessTokens", True, False),
                          ("DeleteAccessToken", True, False), ("DeleteAccessToken", False, True)])
        self.emu.plan([{"action": "status", "status": 503, "repeat": 2}], op="VerifySession")
        self.assertEqual([p["op"] for p in self.emu.pending()], ["VerifySession"] * 2)
        for bad in ({"op": "GetUserDetails", "action": "ok"}, {"action": "lost", "mode": "fin"},
                    {"action": "lost", "when": "later"}, {"op": ["VerifySession", "X"], "action": "ok"}):
            with self.assertRaises(RuntimeError):
                self.emu.plan([bad])

    def test_lost_applies_then_drops(self):
        a = self.create("to-lose")
        for op, send in (
                ("CreateAccessToken", lambda: request_bytes(self.emu.port, '{"name":"lost"}')),
                ("DeleteAccessToken", lambda: request_bytes(
                    self.emu.port, b"", method="DELETE", ctype=None,
                    target="/v1/accessTokens/" + a["accessTokenId"])),
                ("VerifySession", lambda: request_bytes(self.emu.port, b"", method="GET",
                                                        target="/session", ctype=None)),
                ("ListAccessTokens", lambda: request_bytes(self.emu.port, "{}", method="POST"))):
            for mode in ("rst", "close"):
                with self.subTest(op=op, mode=mode):
                    self.emu.clear()
                    self.emu.plan([{"op": op, "action": "lost", "mode": mode}])
                    with self.connect() as s:
                        s.sendall(send())
                        with self.assertRaises((ConnectionResetError, EOFError)):
                            Reader(s).fill()
                    (e,) = self.emu.requests()
                    self.assertEqual((e["operation"], e["response"]["status"], e["response"]["sent"]),
                                     (op, "lost", False))
                    if op == "DeleteAccessToken" and mode == "close":
                        self.assertEqual(e["response"]["code"], "ResourceNotFoundException")
                    else:
                        self.assertTrue(e["response"]["applied"])
        # The lost create made a token (the secret never left the emulator).
        lost = [t for t in self.emu.store() if t["name"] == "lost"]
        self.assertEqual(len(lost), 2)
        self.assertTrue(all(t["live"] and t["created_by"] == h.TEST_TOKEN_ID for t in lost))
        self.assertTrue(self.emu.token(a["accessTokenId"])["deleted"])

    def test_lost_mid_answer(self):
        a = self.create("half")
        for when in ("after_headers", "mid_body"):
            with self.subTest(when=when):
                self.emu.plan([{"op": "CreateAccessToken", "action": "lost", "when": when,
                                "mode": "close"}])
                with self.connect() as s:
                    s.sendall(request_bytes(self.emu.port, '{"name":"half-%s"}' % when))
                    r = Reader(s)
                    head = r.until(b"\r\n\r\n")
                    self.assertTrue(head.startswith(b"HTTP/1.1 201 Created\r\n"))
                    try:
                        while True:
                            r.fill()
                    except (EOFError, ConnectionResetError):
                        pass
                    cl = int(re.search(rb"Content-Length: (\d+)", head).group(1))
                    self.assertLess(len(r.buf), cl)
                self.assertEqual(len([t for t in self.emu.store()
                                      if t["name"] == "half-" + when]), 1)
        self.emu.plan([{"op": "DeleteAccessToken", "action": "lost", "when": "mid_body"}])
        with self.connect() as s:
            s.sendall(request_bytes(self.emu.port, b"", method="DELETE", ctype=None,
                                    target="/v1/accessTokens/" + a["accessTokenId"]))
            with self.assertRaises((ConnectionResetError, EOFError)):
                while True:
                    Reader(s).fill()
        self.assertTrue(self.emu.token(a["accessTokenId"])["deleted"])

    def test_apply_then_fail(self):
        a = self.create("applied")
        self.emu.plan([{"op": "DeleteAccessToken", "action": "status", "status": 500, "apply": True},
                       {"op": "CreateAccessToken", "action": "error", "code": "ThrottlingException",
                        "apply": True},
                       {"op": "CreateAccessToken", "action": "reset", "apply": True}])
        self.assertEqual(self.delete(a["accessTokenId"])[0], 500)
        self.assertTrue(self.emu.token(a["accessTokenId"])["deleted"])
        self.assertEqual(self.call("PUT", "/v1/accessTokens", '{"name":"thr"}')[0], 429)
        with self.connect() as s:
            s.sendall(request_bytes(self.emu.port, '{"name":"rst"}'))
            with self.assertRaises((ConnectionResetError, EOFError)):
                Reader(s).fill()
        names = [t["name"] for t in self.emu.store()]
        self.assertIn("thr", names)
        self.assertIn("rst", names)
        self.assertEqual([e["response"]["applied"] for e in self.emu.requests()],
                         [True, True, True, True])

    def test_ok_modifiers_on_other_operations(self):
        self.create("m")
        self.create("m2")
        self.emu.plan([{"op": "ListAccessTokens", "action": "escape", "escape_keys": True,
                        "expires_format": "offset"},
                       {"op": "VerifySession", "action": "ok", "members": {"identity": "someone"},
                        "chunked": {"sizes": [2]}},
                       {"op": "DeleteAccessToken", "action": "ok", "extra": {"x": 1}},
                       {"op": "ListAccessTokens", "action": "reorder", "pretty": True}])
        st, _, data = self.exchange("{}", method="POST")
        self.assertNotIn(b"items", data)                # every character escaped
        obj = json.loads(data)
        self.assertEqual(len(obj["items"]), 3)
        self.assertTrue(obj["items"][0]["expiresTime"].endswith("+05:30"))
        self.assertEqual(self.verify()[2], {"identity": "someone"})
        self.assertEqual(self.delete(self.emu.store()[-1]["id"])[2], {"x": 1})
        st, _, data = self.exchange('{"maxResults": 1}', method="POST")
        self.assertLess(data.index(b'"nextToken"'), data.index(b'"items"'))


class TestTLS(RawCase):
    TLS = True

    def test_san_localhost_and_ips(self):
        for host, connect_to in (("localhost", "127.0.0.1"), ("127.0.0.1", "127.0.0.1")):
            with self.subTest(host=host):
                s = h.raw_connect(connect_to, self.emu.port, tls=True, ca=self.emu.ca,
                                  server_hostname=host)
                with s:
                    self.assertIn(s.version(), ("TLSv1.2", "TLSv1.3"))
                    s.sendall(request_bytes(self.emu.port, '{"name":"tls"}'))
                    self.assertEqual(Reader(s).response()[0], 201)
        with open(self.find_server_cert()) as f:
            cert = subprocess.run(["openssl", "x509", "-noout", "-ext", "subjectAltName"],
                                  stdin=f, capture_output=True, text=True)
        self.assertIn("DNS:localhost", cert.stdout)
        self.assertIn("IP Address:127.0.0.1", cert.stdout)
        self.assertIn("IP Address:0:0:0:0:0:0:0:1", cert.stdout)

    def find_server_cert(self):
        tag = h.ccat_emulator.hashlib.sha256(h.ccat_emulator.DEFAULT_SAN.encode()).hexdigest()[:12]
        return os.path.join(self.emu.cert_dir, "server-%s.pem" % tag)

    def test_wrong_hostname_and_wrong_ca_refused(self):
        with self.assertRaises(ssl.SSLCertVerificationError):
            h.raw_connect("127.0.0.1", self.emu.port, tls=True, ca=self.emu.ca,
                          server_hostname="other.example")
        other = h.work_dir("otherca")
        h.ccat_emulator.ensure_certs(other)
        with self.assertRaises(ssl.SSLCertVerificationError):
            h.raw_connect("127.0.0.1", self.emu.port, tls=True, ca=os.path.join(other, "ca.pem"))
        time.sleep(0.2)
        failed = [c for c in self.emu.connections() if (c["handshake"] or "").startswith("failed")]
        self.assertEqual(len(failed), 2)
        self.assertEqual(self.emu.requests(), [])
        h.remove_tree(other)

    def test_certificate_for_another_name(self):
        with h.EmulatorProcess(tls=True, san="DNS:wrong.invalid") as wrong:
            self.assertEqual(wrong.ca, self.emu.ca)      # same CA, other name
            with self.assertRaises(ssl.SSLCertVerificationError):
                h.raw_connect("127.0.0.1", wrong.port, tls=True, ca=wrong.ca)
            s = h.raw_connect("127.0.0.1", wrong.port, tls=True, ca=wrong.ca,
                              server_hostname="wrong.invalid")
            s.close()


class TestStartup(unittest.TestCase):
    def test_bad_user_token_option(self):
        for arg in ("no-colon", ":tok", "user:"):
            with self.subTest(arg=arg):
                proc = subprocess.run([sys.executable, h.EMULATOR, "--user-token", arg],
                                      capture_output=True, text=True, timeout=30)
                self.assertEqual(proc.returncode, 2)
                self.assertIn("USER:TOKEN", proc.stderr)

    def test_ready_line_port_file_quota_ipv6(self):
        d = h.work_dir("startup")
        pf = os.path.join(d, "port")
        proc = subprocess.Popen([sys.executable, h.EMULATOR, "--host", "::1", "--port-file", pf,
                                 "--token", TOKEN, "--quota", "1", "--quiet"],
                                stdout=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()
            self.assertTrue(line.startswith("ccat-emulator ready http://[::1]:"), line)
            with open(pf) as f:
                port = int(f.read())
            self.assertIn(":%d" % port, line)
            with h.raw_connect("::1", port) as s:
                r = Reader(s)
                s.sendall(request_bytes(port, '{"name":"1"}') + request_bytes(port, '{"name":"2"}'))
                self.assertEqual(r.response()[0], 201)
                st, _, hd, body, _ = r.response()
                self.assertEqual(st, 402)
                self.assertTrue(hd["x-amzn-errortype"].startswith("ServiceQuotaExceededException"))
        finally:
            proc.terminate()
            proc.wait(10)
            proc.stdout.close()
            h.remove_tree(d)


if __name__ == "__main__":
    unittest.main(verbosity=2)
