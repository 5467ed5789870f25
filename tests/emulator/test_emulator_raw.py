#!/usr/bin/env python3
"""Self-tests of the emulator with raw sockets: framing, faults, validation,
the request log and its redaction, TLS certificates, start-up."""

import base64
import json
import os
import ssl
import subprocess
import sys
import time
import unittest

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
            ({"method": "POST"}, 404, "UnknownOperationException"),
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
                                     "sha256": h.sha256_hex(TOKEN), "accepted": True})
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
        dump = json.dumps({"log": self.emu.requests(), "pending": self.emu.pending(),
                           "conns": self.emu.connections()})
        out = self.emu.output()
        self.assertGreaterEqual(len(self.seen_secrets), 3)
        for text in (dump, out):
            self.assertNotIn(TOKEN, text)
            self.assertNotIn("ccpat_PLANNEDsecretVALUE", text)
            self.assertNotIn("ccpat_RAWsecretX", text)
            for sec in self.seen_secrets:
                self.assertNotIn(sec, text)
                self.assertNotIn(sec[6:20], text)


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
