"""botocore as the oracle for parsed responses: the same response bytes are
served once to botocore's own client and once to the `ccat` CLI, and the
four members each makes of them must be equal (expiresTime compared as an
instant, printed in the contract's UTC form)."""

import base64
import datetime
import unittest

import clitest as c

ID = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"


def response(body):
    body = body.encode("utf-8") if isinstance(body, str) else body
    head = ("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
            "x-amzn-RequestId: 11111111-2222-3333-4444-555555555555\r\n"
            "Content-Length: %d\r\n\r\n" % len(body)).encode()
    return head + body


# Bodies whose meaning must come out the same in both clients.
BODIES = {
    "plain": '{"secret":"ccpat_ORACLEsecret01","name":"n","expiresTime":"2031-01-02T03:04:05Z",'
             '"accessTokenId":"%s"}' % ID,
    "reordered with unknown members": '{"accessTokenId":"%s","futureMember":[1,2.5e3,true,null],'
             '"expiresTime":"2031-01-02T03:04:05Z","name":"n2","secret":"s2"}' % ID,
    "nested decoys": '{"x":{"secret":"NO","name":["NO",{"accessTokenId":"NO"}]},"secret":"s3",'
             '"name":"n3","expiresTime":"2031-01-02T03:04:05Z","accessTokenId":"%s","y":[{"secret":"NO"}]}' % ID,
    "escapes and surrogate pairs": '{"secret":"s\\u0041\\/\\\\\\"","name":"\\ud83d\\ude00 \\u00e9\\t\\u2028",'
             '"expiresTime":"2031-01-02T03:04:05Z","accessTokenId":"%s"}' % ID,
    "escaped keys": '{"s\\u0065cret":"s5","n\\u0061me":"n5","expiresTime":"2031-01-02T03:04:05Z",'
             '"accessTokenId":"%s"}' % ID,
    "duplicate members: the last wins": '{"secret":"first","secret":"s6","name":"n6",'
             '"expiresTime":"2031-01-02T03:04:05Z","accessTokenId":"%s"}' % ID,
    "offset and fraction": '{"secret":"s7","name":"n7","expiresTime":"2031-01-02T05:34:05.123456+02:30",'
             '"accessTokenId":"%s"}' % ID,
    "long fraction": '{"secret":"s8","name":"n8","expiresTime":"2031-01-02T03:04:05.5Z",'
             '"accessTokenId":"%s"}' % ID,
    "whitespace everywhere": ' \r\n{ "secret" :\t"s9" ,\n"name"\r\n:"n9" , "expiresTime": '
             '"2031-01-02T03:04:05Z" , "accessTokenId":"%s" } \r\n' % ID,
    "4000-character secret": '{"secret":"%s","name":"n","expiresTime":"2031-01-02T03:04:05Z",'
             '"accessTokenId":"%s"}' % ("S" * 4000, ID),
}


def utc_text(dt):
    """A datetime in the CLI's output form: UTC, Z, .uuuuuu only when non-zero."""
    dt = dt.astimezone(datetime.timezone.utc)
    text = dt.strftime("%Y-%m-%dT%H:%M:%S")
    return text + (".%06d" % dt.microsecond if dt.microsecond else "") + "Z"


class TestParsedLikeBotocore(c.CliCase):
    TLS = False

    def serve(self, data):
        self.emu.reset()
        self.emu.plan([{"action": "raw", "data_b64": base64.b64encode(data).decode()}])

    def test_members_equal_botocore(self):
        for label, body in BODIES.items():
            with self.subTest(case=label):
                data = response(body)
                self.serve(data)
                ref = c.botocore_client(self.emu).create_access_token(name="oracle")
                self.serve(data)
                res = self.create("oracle", extra=["--max-attempts", "1"])
                self.assert_rc(res, c.EXIT_OK)
                out = c.json.loads(res.out.decode("utf-8"))
                self.assertEqual(out["secret"], ref["secret"])
                self.assertEqual(out["name"], ref["name"])
                self.assertEqual(out["accessTokenId"], ref["accessTokenId"])
                self.assertEqual(out["expiresTime"], utc_text(ref["expiresTime"]))
                self.assertEqual(ref["ResponseMetadata"]["HTTPStatusCode"], 201)


if __name__ == "__main__":
    unittest.main(verbosity=2)
