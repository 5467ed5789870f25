#!/usr/bin/env python3
"""The bad-answer catalogue: every malformed response gives exit 255 with a
clear message that never carries the secret, and never a crash or a hang.
--max-attempts 1 so that each case is exactly one request."""

import base64

import clitest as c

SECRET = "ccpat_BADANSWERsecretVALUE0123456789abcdef"
ID = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
GOOD = {"secret": SECRET, "name": "n", "expiresTime": "2031-01-02T03:04:05Z", "accessTokenId": ID}


def obj(**over):
    """A 201 body text with members replaced (value None: dropped)."""
    members = dict(GOOD)
    for k, v in over.items():
        if v is None:
            members.pop(k)
        else:
            members[k] = v
    return "{" + ",".join('"%s":%s' % (k, v if k in over else c.json.dumps(v))
                          for k, v in members.items()) + "}"


def resp(body, head=None, status_line=b"HTTP/1.1 201 Created"):
    if isinstance(body, str):
        body = body.encode("utf-8")
    if head is None:
        head = [b"Content-Type: application/json", b"Content-Length: %d" % len(body)]
    return status_line + b"\r\n" + b"".join(x + b"\r\n" for x in head) + b"\r\n" + body


BODY = obj().encode()
CL = b"Content-Length: %d" % len(BODY)
CT = b"Content-Type: application/json"

CATALOGUE = {
    # framing
    "truncated body": resp(BODY, [CT, b"Content-Length: %d" % (len(BODY) + 20)]),
    "truncated head": b"HTTP/1.1 201 Created\r\nContent-Le",
    "nothing but a status line": b"HTTP/1.1 201 Created\r\n",
    "status 20": resp(BODY, status_line=b"HTTP/1.1 20 Created"),
    "status 2010": resp(BODY, status_line=b"HTTP/1.1 2010 Created"),
    "status abc": resp(BODY, status_line=b"HTTP/1.1 abc Created"),
    "status no space": resp(BODY, status_line=b"HTTP/1.1201 Created"),
    "bad protocol": resp(BODY, status_line=b"FOO/1.1 201 Created"),
    "bad version": resp(BODY, status_line=b"HTTP/1.x 201 Created"),
    "binary garbage": b"\x00\x01\x02\x03\xff\xfe\r\n\r\n" + BODY,
    "header without colon": resp(BODY, [CT, CL, b"X-Broken header"]),
    "space before colon": resp(BODY, [CT, b"Content-Length : %d" % len(BODY)]),
    "space in header name": resp(BODY, [CT, CL, b"Bad Name: x"]),
    "obs-fold": resp(BODY, [CT, CL, b"X-A: a", b" folded"]),
    "NUL in header value": resp(BODY, [CT, CL, b"X-A: a\x00b"]),
    "conflicting Content-Length": resp(BODY, [CT, CL, b"Content-Length: %d" % (len(BODY) + 1)]),
    "Content-Length list differing": resp(BODY, [CT, b"Content-Length: %d, %d" % (len(BODY), len(BODY) + 1)]),
    "Content-Length and chunked": resp(b"%x\r\n" % len(BODY) + BODY + b"\r\n0\r\n\r\n",
                                       [CT, CL, b"Transfer-Encoding: chunked"]),
    "Content-Length overflow 2^64": resp(BODY, [CT, b"Content-Length: 18446744073709551616"]),
    "Content-Length overflow huge": resp(BODY, [CT, b"Content-Length: 99999999999999999999999999"]),
    "Content-Length 2^32": resp(BODY, [CT, b"Content-Length: 4294967296"]),
    "Content-Length negative": resp(BODY, [CT, b"Content-Length: -1"]),
    "Content-Length hex": resp(BODY, [CT, b"Content-Length: 0x10"]),
    "Content-Length plus": resp(BODY, [CT, b"Content-Length: +%d" % len(BODY)]),
    "Content-Length empty": resp(BODY, [CT, b"Content-Length: "]),
    "chunk size not hex": resp(b"zz\r\n" + BODY + b"\r\n0\r\n\r\n", [CT, b"Transfer-Encoding: chunked"]),
    "chunk size overflow": resp(b"FFFFFFFFFFFFFFFFF1\r\n" + BODY + b"\r\n0\r\n\r\n",
                                [CT, b"Transfer-Encoding: chunked"]),
    "chunk size negative": resp(b"-5\r\n" + BODY + b"\r\n0\r\n\r\n", [CT, b"Transfer-Encoding: chunked"]),
    "chunk missing CRLF": resp(b"%x\r\n" % len(BODY) + BODY + b"XX0\r\n\r\n",
                               [CT, b"Transfer-Encoding: chunked"]),
    "chunked truncated": resp(b"%x\r\n" % len(BODY) + BODY[:10], [CT, b"Transfer-Encoding: chunked"]),
    "transfer coding gzip": resp(BODY, [CT, b"Transfer-Encoding: gzip"]),
    # body
    "empty body": resp(b""),
    "not JSON": resp(b"not json at all"),
    "unterminated object": resp(obj()[:-1]),
    "array root": resp(b"[" + BODY + b"]"),
    "null root": resp(b"null"),
    "string root": resp(b'"%s"' % SECRET.encode()),
    "trailing comma": resp(obj()[:-1] + ",}"),
    "single quotes": resp(obj().replace('"', "'")),
    "trailing garbage": resp(obj() + "x"),
    "two objects": resp(obj() + obj()),
    "raw control char in string": resp(obj(name='"a\x01b"')),
    "bad escape": resp(obj(name='"a\\xb"')),
    "short unicode escape": resp(obj(name='"a\\u12"')),
    "missing secret": resp(obj(secret=None)),
    "missing name": resp(obj(name=None)),
    "missing expiresTime": resp(obj(expiresTime=None)),
    "missing accessTokenId": resp(obj(accessTokenId=None)),
    "secret as number": resp(obj(secret="12345")),
    "secret as null": resp(obj(secret="null")),
    "secret as object": resp(obj(secret='{"secret":"%s"}' % SECRET)),
    "name as number": resp(obj(name="5")),
    "accessTokenId as array": resp(obj(accessTokenId='["%s"]' % ID)),
    "expiresTime as bool": resp(obj(expiresTime="true")),
    "expiresTime unparseable": resp(obj(expiresTime='"next tuesday"')),
    "lone high surrogate in secret": resp(obj(secret='"%s\\ud800"' % SECRET)),
    "lone low surrogate in secret": resp(obj(secret='"\\udc00%s"' % SECRET)),
    "reversed surrogates": resp(obj(secret='"%s\\udc00\\ud800"' % SECRET)),
    "high surrogate then letter": resp(obj(secret='"%s\\ud800\\u0041"' % SECRET)),
    "invalid UTF-8 in name": resp(obj(name='"a\xffb"').encode("latin-1")),
    "overlong UTF-8 in name": resp(obj().replace('"name":"n"', '"name":"\xc0\xaf"').encode("latin-1")),
    "UTF-8 surrogate in name": resp(obj().replace('"name":"n"', '"name":"\xed\xa0\x80"').encode("latin-1")),
    "invalid UTF-8 in secret": resp(obj(secret='"%s\xfe"' % SECRET).encode("latin-1")),
    "NUL escape in secret": resp(obj(secret='"%s\\u0000x"' % SECRET)),
    "NUL escape in name": resp(obj(name='"a\\u0000"')),
    "raw NUL in secret": resp(obj(secret='"%s\x00x"' % SECRET)),
    # size
    "secret of 100000 chars": resp(obj(secret='"%s"' % (SECRET + "A" * 100000))),
    "header section of 64 KiB": resp(BODY, [CT, CL] + [b"X-Big-%d: %s" % (i, b"h" * 1000)
                                                       for i in range(64)]),
    "Content-Length 50 MB": resp(BODY, [CT, b"Content-Length: 52428800"]),
}

# Which distinct failure (ccat_status_name(), printed by the CLI) each case
# must be reported as; alternatives where the classification is a judgement call.
KINDS = {
    "truncated body": ("CCAT_ERR_CLOSED",),
    "truncated head": ("CCAT_ERR_CLOSED",),
    "nothing but a status line": ("CCAT_ERR_CLOSED",),
    "status 20": ("CCAT_ERR_HTTP_STATUS_LINE",),
    "status 2010": ("CCAT_ERR_HTTP_STATUS_LINE",),
    "status abc": ("CCAT_ERR_HTTP_STATUS_LINE",),
    "status no space": ("CCAT_ERR_HTTP_STATUS_LINE",),
    "bad protocol": ("CCAT_ERR_HTTP_STATUS_LINE",),
    "bad version": ("CCAT_ERR_HTTP_STATUS_LINE",),
    "binary garbage": ("CCAT_ERR_HTTP_STATUS_LINE",),
    "header without colon": ("CCAT_ERR_HTTP_HEADER",),
    "space before colon": ("CCAT_ERR_HTTP_HEADER",),
    "space in header name": ("CCAT_ERR_HTTP_HEADER",),
    "obs-fold": ("CCAT_ERR_HTTP_HEADER",),
    "NUL in header value": ("CCAT_ERR_HTTP_HEADER",),
    "conflicting Content-Length": ("CCAT_ERR_HTTP_LENGTH_CONFLICT", "CCAT_ERR_HTTP_LENGTH_INVALID"),
    "Content-Length list differing": ("CCAT_ERR_HTTP_LENGTH_CONFLICT", "CCAT_ERR_HTTP_LENGTH_INVALID"),
    "Content-Length and chunked": ("CCAT_ERR_HTTP_LENGTH_CONFLICT",),
    "Content-Length overflow 2^64": ("CCAT_ERR_HTTP_LENGTH_INVALID", "CCAT_ERR_RESPONSE_TOO_LARGE"),
    "Content-Length overflow huge": ("CCAT_ERR_HTTP_LENGTH_INVALID", "CCAT_ERR_RESPONSE_TOO_LARGE"),
    "Content-Length 2^32": ("CCAT_ERR_HTTP_LENGTH_INVALID", "CCAT_ERR_RESPONSE_TOO_LARGE"),
    "Content-Length negative": ("CCAT_ERR_HTTP_LENGTH_INVALID",),
    "Content-Length hex": ("CCAT_ERR_HTTP_LENGTH_INVALID",),
    "Content-Length plus": ("CCAT_ERR_HTTP_LENGTH_INVALID",),
    "Content-Length empty": ("CCAT_ERR_HTTP_LENGTH_INVALID",),
    "chunk size not hex": ("CCAT_ERR_HTTP_CHUNK_SIZE",),
    "chunk size overflow": ("CCAT_ERR_HTTP_CHUNK_SIZE", "CCAT_ERR_RESPONSE_TOO_LARGE"),
    "chunk size negative": ("CCAT_ERR_HTTP_CHUNK_SIZE",),
    "chunk missing CRLF": ("CCAT_ERR_HTTP_CHUNK_FRAMING",),
    "chunked truncated": ("CCAT_ERR_CLOSED",),
    "transfer coding gzip": ("CCAT_ERR_HTTP_TRANSFER_CODING",),
    "empty body": ("CCAT_ERR_JSON_SYNTAX",),
    "not JSON": ("CCAT_ERR_JSON_SYNTAX",),
    "unterminated object": ("CCAT_ERR_JSON_SYNTAX",),
    "array root": ("CCAT_ERR_RESPONSE_TYPE", "CCAT_ERR_JSON_SYNTAX"),
    "null root": ("CCAT_ERR_RESPONSE_TYPE", "CCAT_ERR_JSON_SYNTAX"),
    "string root": ("CCAT_ERR_RESPONSE_TYPE", "CCAT_ERR_JSON_SYNTAX"),
    "trailing comma": ("CCAT_ERR_JSON_SYNTAX",),
    "single quotes": ("CCAT_ERR_JSON_SYNTAX",),
    "trailing garbage": ("CCAT_ERR_JSON_SYNTAX",),
    "two objects": ("CCAT_ERR_JSON_SYNTAX",),
    "raw control char in string": ("CCAT_ERR_JSON_SYNTAX", "CCAT_ERR_JSON_STRING"),
    "bad escape": ("CCAT_ERR_JSON_SYNTAX", "CCAT_ERR_JSON_STRING"),
    "short unicode escape": ("CCAT_ERR_JSON_SYNTAX", "CCAT_ERR_JSON_STRING"),
    "missing secret": ("CCAT_ERR_RESPONSE_MISSING",),
    "missing name": ("CCAT_ERR_RESPONSE_MISSING",),
    "missing expiresTime": ("CCAT_ERR_RESPONSE_MISSING",),
    "missing accessTokenId": ("CCAT_ERR_RESPONSE_MISSING",),
    "secret as number": ("CCAT_ERR_RESPONSE_TYPE",),
    "secret as null": ("CCAT_ERR_RESPONSE_TYPE",),
    "secret as object": ("CCAT_ERR_RESPONSE_TYPE",),
    "name as number": ("CCAT_ERR_RESPONSE_TYPE",),
    "accessTokenId as array": ("CCAT_ERR_RESPONSE_TYPE",),
    "expiresTime as bool": ("CCAT_ERR_RESPONSE_TYPE",),
    "expiresTime unparseable": ("CCAT_ERR_RESPONSE_TYPE", "CCAT_ERR_TIME_FORMAT"),
    "lone high surrogate in secret": ("CCAT_ERR_JSON_STRING",),
    "lone low surrogate in secret": ("CCAT_ERR_JSON_STRING",),
    "reversed surrogates": ("CCAT_ERR_JSON_STRING",),
    "high surrogate then letter": ("CCAT_ERR_JSON_STRING",),
    "invalid UTF-8 in name": ("CCAT_ERR_JSON_STRING",),
    "overlong UTF-8 in name": ("CCAT_ERR_JSON_STRING",),
    "UTF-8 surrogate in name": ("CCAT_ERR_JSON_STRING",),
    "invalid UTF-8 in secret": ("CCAT_ERR_JSON_STRING",),
    "NUL escape in secret": ("CCAT_ERR_JSON_STRING",),
    "NUL escape in name": ("CCAT_ERR_JSON_STRING",),
    "raw NUL in secret": ("CCAT_ERR_JSON_SYNTAX", "CCAT_ERR_JSON_STRING"),
    "secret of 100000 chars": ("CCAT_ERR_RESPONSE_TOO_LARGE",),
    "header section of 64 KiB": ("CCAT_ERR_HTTP_HEADERS_TOO_LARGE",),
    "Content-Length 50 MB": ("CCAT_ERR_RESPONSE_TOO_LARGE", "CCAT_ERR_HTTP_LENGTH_INVALID"),
}


class BadAnswerCase(c.CliCase):
    def check_bad(self, data, kinds=()):
        self.emu.reset()
        self.emu.plan([{"action": "raw", "data_b64": base64.b64encode(data).decode()}])
        res = self.create("n", extra=["--max-attempts", "1", "--cli-read-timeout", "5"])
        self.assert_rc(res, c.EXIT_FAILURE)
        self.assertEqual(len(self.emu.requests()), 1)
        self.assertNotEqual(res.err.strip(), b"", "a failure needs a message")
        self.assertNotIn(b"An error occurred (", res.err, "not a service error")
        for blob in (res.out, res.err):
            self.assertNotIn(SECRET.encode(), blob)
            self.assertNotIn(b"BADANSWER", blob)
            self.assertNotIn(b"secretVALUE", blob)
        self.assert_no_token(res)
        self.assertLess(res.elapsed, 10, res)
        if kinds:
            self.assert_failure_kind(res, *kinds)
        return res


class TestBadAnswersPlain(BadAnswerCase):
    TLS = False

    def test_catalogue(self):
        for label, data in CATALOGUE.items():
            with self.subTest(case=label):
                self.check_bad(data, KINDS[label])


class TestBadAnswersTLS(BadAnswerCase):
    TLS = True

    def test_subset_over_tls(self):
        for label in ("truncated body", "truncated head", "chunk size not hex", "not JSON",
                      "missing secret", "lone high surrogate in secret", "secret of 100000 chars",
                      "Content-Length 50 MB"):
            with self.subTest(case=label):
                self.check_bad(CATALOGUE[label], KINDS[label])

    def test_rst_mid_body(self):
        self.emu.plan([{"action": "reset", "when": "mid_body"}])
        res = self.create("n", extra=["--max-attempts", "1"])
        self.assert_rc(res, c.EXIT_FAILURE)
        self.assertEqual(len(self.emu.requests()), 1)
        self.assert_failure_kind(res, "CCAT_ERR_RECV", "CCAT_ERR_CLOSED")

    def test_plain_http_to_tls_server(self):
        res = c.run_cli(["create-access-token", "--name", "n", "--max-attempts", "1",
                         "--cli-read-timeout", "5", "--endpoint-url",
                         "http://localhost:%d" % self.emu.port])
        self.assert_rc(res, c.EXIT_FAILURE)
        self.assertEqual(self.emu.requests(), [])
        self.assert_failure_kind(res, "CCAT_ERR_HTTP_STATUS_LINE", "CCAT_ERR_CLOSED", "CCAT_ERR_RECV")


class TestHttpsToPlainServer(c.CliCase):
    TLS = False

    def test_https_to_plain_server(self):
        res = c.run_cli(["create-access-token", "--name", "n", "--max-attempts", "1",
                         "--cli-read-timeout", "5", "--cli-connect-timeout", "5",
                         "--endpoint-url", "https://localhost:%d" % self.emu.port,
                         "--ca-bundle", c.h.ccat_emulator.ensure_certs(c.h.default_cert_dir())["ca"]])
        self.assert_rc(res, c.EXIT_FAILURE)
        self.assertEqual(self.emu.requests(), [])
        self.assertLess(res.elapsed, 10)
        self.assert_failure_kind(res, "CCAT_ERR_TLS")


if __name__ == "__main__":
    c.main()
