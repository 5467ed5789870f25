#!/usr/bin/env python3
"""ccat create-access-token succeeding: over TLS (--ca-bundle and
AWS_CA_BUNDLE), plain http and IPv6; the request bytes against botocore's;
option placement; token file; every well-formed answer variant."""

import json
import os

import clitest as c
from clitest import h

NAMES = [
    "a",
    "device-42",
    'quote"s and back\\slash and /slash/',
    "ctl\x01\x02\x1f\t\n\r\x7f end",
    "non-ASCII \u00e9\u00fc\u00df \u4e2d\u6587 \u2028\u2029 \ufeff",
    "emoji \U0001F600\U0001F389\U0001F44D\U0001F3FD \U0001F469\u200d\U0001F4BB",
    "literal \\u0000 and \\ud800 text",
    "x" * 100,
    "\U0001F600" * 100,
    "\u00e9" * 100,
    "\u4e2d" * 100,
    " ",
]
EXPIRES = [
    ("2030-01-01T00:00:00Z", "2030-01-01T00:00:00Z"),
    ("2030-06-30T23:59:59.999999-12:00", "2030-07-01T11:59:59.999999Z"),
    ("2030-01-01T00:30:00+01:00", "2029-12-31T23:30:00Z"),
    ("2030-01-01T12:00:00+05:30", "2030-01-01T06:30:00Z"),
    ("2030-01-01t12:00:00z", "2030-01-01T12:00:00Z"),
    ("2030-01-01 12:00:00-00:00", "2030-01-01T12:00:00Z"),
    ("2030-01-01T00:00:00.1Z", "2030-01-01T00:00:00.100000Z"),
    ("2030-01-01T12:00:00.123456789Z", "2030-01-01T12:00:00.123456Z"),
    ("2030-01-01T00:00:00.000Z", "2030-01-01T00:00:00Z"),
    ("2030-02-28T23:59:59.5+23:59", "2030-02-28T00:00:59.500000Z"),
    ("2032-02-29T00:00:00Z", "2032-02-29T00:00:00Z"),
    ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"),
]


def raw_response(body, head=None, status_line="HTTP/1.1 201 Created"):
    """Bytes of a complete response (Content-Length framing unless @p head says otherwise)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    if head is None:
        head = ["Content-Type: application/json", "Content-Length: %d" % len(body),
                "x-amzn-RequestId: 11111111-2222-3333-4444-555555555555"]
    return (status_line + "\r\n" + "".join(x + "\r\n" for x in head) + "\r\n").encode() + body


SECRET = "ccpat_RAWokSECRET0123456789abcdefABCDEF"
OK_BODY = ('{"secret":"%s","name":"raw-name","expiresTime":"2031-01-02T03:04:05Z",'
           '"accessTokenId":"0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"}' % SECRET)


class TestSuccessTLS(c.CliCase):
    def test_success_ca_bundle_option(self):
        res = self.create("device-42")
        e = self.one_request()
        self.assertTrue(e["tls"])
        out = self.assert_success(res, e, name="device-42")
        self.assert_wire(e, "device-42")
        self.assertEqual(res.err.strip(), b"", "stderr should be quiet without --debug")
        self.assertTrue(out["secret"].startswith("ccpat_"))

    def test_success_aws_ca_bundle_env(self):
        env = c.clean_env(AWS_CA_BUNDLE=self.emu.ca)
        res = c.run_cli(["create-access-token", "--name", "env-ca",
                         "--endpoint-url", self.emu.url()], env=env)
        e = self.one_request()
        self.assert_success(res, e, name="env-ca")

    def test_success_ip_literal_endpoint(self):
        """The certificate has IP SANs 127.0.0.1 and ::1: an IP endpoint verifies."""
        res = c.run_cli(["create-access-token", "--name", "ip", "--endpoint-url",
                         self.emu.url(host="127.0.0.1"), "--ca-bundle", self.emu.ca])
        e = self.one_request()
        self.assert_success(res, e)
        self.assert_wire(e, "ip", host="127.0.0.1:%d" % self.emu.port)

    def test_names_match_botocore(self):
        for name in NAMES:
            with self.subTest(name=name[:30]):
                self.emu.reset()
                res = self.create(name)
                e = self.one_request()
                self.assert_success(res, e, name=name)
                self.assert_wire(e, name)

    def test_expires_times_match_botocore(self):
        for given, utc in EXPIRES:
            with self.subTest(expires=given):
                self.emu.reset()
                res = self.create("exp", expires=given)
                e = self.one_request()
                out = self.assert_success(res, e)
                body = self.assert_wire(e, "exp", expires=given)
                self.assertEqual(body["expiresTime"], utc)
                self.assertEqual(out["expiresTime"], utc)

    def test_output_is_one_json_object(self):
        res = self.create("\U0001F600 out")
        out = self.assert_success(res, self.one_request())
        text = res.out.decode("utf-8")
        dec = json.JSONDecoder()
        obj, end = dec.raw_decode(text.lstrip())
        self.assertEqual(obj, out)
        self.assertEqual(text.lstrip()[end:].strip(), "")

    def test_default_expiry_one_year(self):
        res = self.create("year")
        out = self.assert_success(res, self.one_request())
        iss = h.ccat_emulator.parse_timestamp(out["expiresTime"])
        now = h.ccat_emulator.datetime.datetime.now(h.ccat_emulator.datetime.timezone.utc)
        self.assertIn((iss - now).days, (364, 365))

    def test_global_options_before_after_and_mixed(self):
        ep = self.endpoint_args()
        layouts = [
            ep + ["create-access-token", "--name", "pos1"],
            ["create-access-token", "--name", "pos2"] + ep,
            ep[:2] + ["create-access-token"] + ep[2:] + ["--name", "pos3"],
            ["--cli-read-timeout", "30", "create-access-token", "--max-attempts", "2",
             "--name", "pos4", "--cli-connect-timeout", "30"] + ep,
            ["--debug"] + ep + ["create-access-token", "--name", "pos5"],
        ]
        for i, args in enumerate(layouts, 1):
            with self.subTest(layout=i):
                self.emu.reset()
                res = c.run_cli(args)
                e = self.one_request()
                self.assert_success(res, e, name="pos%d" % i)
                self.assert_wire(e, "pos%d" % i)

    def test_later_option_overrides_earlier(self):
        res = c.run_cli(["create-access-token", "--name", "first", "--name", "second"]
                        + self.endpoint_args())
        self.assert_success(res, self.one_request(), name="second")

    def test_base_path_prefixed(self):
        for path, want in (("/base/path", "/base/path"), ("/base/", "/base")):
            with self.subTest(path=path):
                self.emu.reset()
                res = self.create("bp", path=path)
                e = self.one_request()
                self.assert_success(res, e)
                self.assert_wire(e, "bp", path=want)

    def test_token_file(self):
        d = h.work_dir("tokfile")
        for content in (c.TOKEN + "\n", c.TOKEN + "\r\n", c.TOKEN):
            with self.subTest(content=repr(content[-2:])):
                self.emu.reset()
                path = os.path.join(d, "tok")
                with open(path, "w", newline="") as f:
                    f.write(content)
                res = c.run_cli(self.create_args("tf", extra=["--token-file", path]),
                                env=c.clean_env(token=None))
                e = self.one_request()
                self.assert_success(res, e)
                self.assert_wire(e, "tf")
        h.remove_tree(d)

    def test_token_file_beats_environment(self):
        d = h.work_dir("tokfile2")
        path = os.path.join(d, "tok")
        with open(path, "w") as f:
            f.write(h.OTHER_TOKEN + "\n")
        res = c.run_cli(self.create_args("tf2", extra=["--token-file", path]))
        e = self.one_request()
        self.assert_success(res, e)
        self.assert_wire(e, "tf2", token=h.OTHER_TOKEN)
        self.assert_no_token(res, h.OTHER_TOKEN)
        h.remove_tree(d)

    def test_debug_shows_request_id_never_token_or_secret(self):
        res = self.create("dbg", extra=["--debug"])
        e = self.one_request()
        out = self.assert_success(res, e)
        self.assertIn(e["response"]["request_id"], res.stderr)
        self.assertNotIn(out["secret"], res.stderr)
        self.assertNotIn(out["secret"][6:], res.stderr)
        self.assertNotIn(c.TOKEN, res.stderr)
        self.assertNotIn(c.TOKEN[:12], res.stderr)

    def test_answer_variants(self):
        name = 'v"\\/\x01\u00e9\u2028\U0001F600'
        variants = [
            {"action": "chunked", "chunked": {"sizes": [1, 2, 3, 5, 8, 13]}},
            {"action": "chunked", "chunked": {"sizes": [1] * 40, "ext": ";name=value;x",
                                              "trailers": [["X-Trailer", "yes"],
                                                           ["x-amz-checksum", "abc"]],
                                              "upper": True}},
            {"action": "close"},
            {"action": "close", "chunked": {"sizes": [4]}},
            {"action": "decoys"},
            {"action": "reorder"},
            {"action": "reorder", "order": ["name", "accessTokenId", "secret", "expiresTime"]},
            {"action": "escape", "escape": "all"},
            {"action": "escape", "escape": "all", "escape_keys": True},
            {"action": "escape", "escape": "short"},
            {"action": "escape", "escape": "ascii"},
            {"action": "ok", "pretty": True, "decoys": True},
            {"action": "big_secret", "length": 4000},
            {"action": "big_secret", "length": 4000, "chunked": {"sizes": [100, 1000]}},
            {"action": "ok", "expires_format": "millis"},
            {"action": "ok", "expires_format": "offset"},
            {"action": "ok", "extra": {"futureMember": {"secret": "ccpat_DECOYlate"}}},
            {"action": "ok", "headers": [["X-Unknown", "1"], ["Set-Cookie", "a=b"]]},
            {"action": "ok", "no_request_id": True},
        ]
        for v in variants:
            with self.subTest(v=v):
                self.emu.reset()
                self.emu.plan([v])
                res = self.create(name, expires="2031-05-17T08:09:10Z")
                e = self.one_request()
                out = self.assert_success(res, e, name=name)
                if v["action"] == "big_secret":
                    self.assertEqual(len(out["secret"]), 4000)
                self.assertEqual(out["expiresTime"], "2031-05-17T08:09:10Z")
                self.assertNotIn("DECOY", out["secret"])

    def test_raw_well_formed_answers(self):
        """Legal HTTP/1.1 spellings a client must take."""
        chunked_body = OK_BODY.encode()
        chunks = b"".join(b"%04X\r\n" % len(chunked_body[i:i + 9]) + chunked_body[i:i + 9] + b"\r\n"
                          for i in range(0, len(chunked_body), 9))
        cases = {
            "lowercase header names": raw_response(OK_BODY, [
                "content-type: application/json", "content-length: %d" % len(OK_BODY)]),
            "odd case + OWS": raw_response(OK_BODY, [
                "CONTENT-TYPE:application/json", "Content-LENGTH: \t%d \t" % len(OK_BODY),
                "X-Empty:"]),
            "empty reason": raw_response(OK_BODY, status_line="HTTP/1.1 201 "),
            "long reason": raw_response(OK_BODY, status_line="HTTP/1.1 201 Created, Really / OK"),
            "no content type": raw_response(OK_BODY, ["Content-Length: %d" % len(OK_BODY)]),
            "chunked leading zeros upper hex": raw_response(
                chunks + b"0000\r\n\r\n", ["Transfer-Encoding: chunked"]),
            "whitespace json": raw_response(
                " \t\r\n{ \"secret\" :\t\"%s\" ,\n\"name\"\r\n:\"raw-name\",\"expiresTime\": "
                "\"2031-01-02T03:04:05Z\" , \"accessTokenId\":\"0b1c2d3e-4f50-6172-8394-"
                "a5b6c7d8e9f0\" } \r\n" % SECRET),
            "many headers": raw_response(OK_BODY, ["X-H%d: %s" % (i, "v" * 50) for i in range(30)]
                                         + ["Content-Length: %d" % len(OK_BODY)]),
        }
        for label, data in cases.items():
            with self.subTest(case=label):
                self.emu.reset()
                self.emu.plan([{"action": "raw", "data_b64": h.ccat_emulator.base64.b64encode(
                    data).decode()}])
                res = self.create("raw-name", extra=["--max-attempts", "1"])
                self.one_request()
                out = self.assert_success(res, name="raw-name", secret=SECRET)
                self.assertEqual(out["accessTokenId"], "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0")
                self.assertEqual(out["expiresTime"], "2031-01-02T03:04:05Z")


class TestSuccessPlain(c.CliCase):
    TLS = False

    def test_success_over_http(self):
        res = self.create("plain", expires="2030-03-04T05:06:07.25+02:00")
        e = self.one_request()
        self.assertFalse(e["tls"])
        out = self.assert_success(res, e, name="plain")
        self.assertEqual(out["expiresTime"], "2030-03-04T03:06:07.250000Z")
        self.assert_wire(e, "plain", expires="2030-03-04T05:06:07.25+02:00")

    def test_names_match_botocore_http(self):
        for name in NAMES[:6]:
            with self.subTest(name=name[:30]):
                self.emu.reset()
                res = self.create(name)
                e = self.one_request()
                self.assert_success(res, e, name=name)
                self.assert_wire(e, name)

    def test_env_token_other_user(self):
        res = self.create("other", token=h.OTHER_TOKEN)
        e = self.one_request()
        self.assert_success(res, e)
        self.assert_wire(e, "other", token=h.OTHER_TOKEN)


class TestSuccessIPv6(c.CliCase):
    TLS = True
    HOST = "::1"

    def test_success_ipv6_tls(self):
        res = self.create("v6")
        e = self.one_request()
        self.assert_success(res, e, name="v6")
        self.assert_wire(e, "v6", host="[::1]:%d" % self.emu.port)


class TestSuccessIPv6Plain(c.CliCase):
    TLS = False
    HOST = "::1"

    def test_success_ipv6_http(self):
        res = self.create("v6p")
        e = self.one_request()
        self.assert_success(res, e, name="v6p")
        self.assert_wire(e, "v6p", host="[::1]:%d" % self.emu.port)


if __name__ == "__main__":
    c.main()
