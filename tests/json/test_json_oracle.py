"""ccat_json_escape against botocore's serialization of CreateAccessToken.

botocore writes the rest-json body with json.dumps(body) (ensure_ascii=True):
for ASCII names our literal must be byte for byte the one in botocore's body.
For non-ASCII names botocore writes \\uXXXX escapes while ccat passes the
UTF-8 through (its documented choice): there both literals must decode to
the same name, and ours must be json.dumps(name, ensure_ascii=False).

The escape tool is given in CCAT_JSON_ESCAPE_TOOL.
"""
import datetime
import json
import os
import re
import subprocess
import unittest

import botocore.serialize
import botocore.session

TOOL = os.environ.get("CCAT_JSON_ESCAPE_TOOL", "")

ASCII_NAMES = [
    "device-42",
    "a",
    "with space",
    'quote"inside',
    "back\\slash",
    "slash/forward",
    "tab\there",
    "new\nline",
    "cr\rlf\n",
    "bell\x07",
    "nul\x00byte",
    "del\x7fchar",
    "esc\x1b[0m",
    "all controls " + "".join(chr(c) for c in range(0x20)),
    "\b\f\v\x0e\x1f",
    '\\"\\u0041\\n',
    "</script>",
    "x" * 100,
    "".join(chr(c) for c in range(0x20, 0x80)),
]

UNICODE_NAMES = [
    "caf\u00e9",
    "\u20ac100",
    "emoji \U0001F600",
    "\u65e5\u672c\u8a9e",
    "mixed \u00e9\"\\\n\U0001F680",
    "\u2028\u2029",
    "\U0010FFFF\uFFFF",
]


_MODEL = botocore.session.get_session().get_service_model("codecatalyst")
_SERIALIZER = botocore.serialize.create_serializer(_MODEL.metadata["protocol"])
_OPERATION = _MODEL.operation_model("CreateAccessToken")
_EXPIRES = datetime.datetime(2027, 11, 27, 18, 51, 53, tzinfo=datetime.timezone.utc)


def botocore_literal(name):
    """The JSON literal of `name` in botocore's CreateAccessToken body."""
    request = _SERIALIZER.serialize_to_request({"name": name, "expiresTime": _EXPIRES}, _OPERATION)
    body = request["body"]
    body = body.decode("utf-8") if isinstance(body, bytes) else body
    m = re.match(r'\{"name": ("(?:[^"\\]|\\.)*")', body)
    if m is None:
        raise AssertionError("unexpected botocore body: %r" % body)
    return m.group(1).encode("ascii")


def ccat_literal(name):
    run = subprocess.run([TOOL], input=name.encode("utf-8"), stdout=subprocess.PIPE, check=True)
    return run.stdout


class EscapeOracle(unittest.TestCase):
    def test_tool_given(self):
        self.assertTrue(os.path.isfile(TOOL), "CCAT_JSON_ESCAPE_TOOL=%r" % TOOL)

    def test_ascii_names_match_botocore_bytes(self):
        for name in ASCII_NAMES:
            with self.subTest(name=name):
                self.assertEqual(ccat_literal(name), botocore_literal(name))

    def test_every_ascii_byte_alone(self):
        for c in range(0x80):
            with self.subTest(c=c):
                self.assertEqual(ccat_literal(chr(c)), botocore_literal(chr(c)))

    def test_unicode_names_decode_alike(self):
        for name in UNICODE_NAMES:
            with self.subTest(name=name):
                ours = ccat_literal(name)
                theirs = botocore_literal(name)
                self.assertEqual(json.loads(ours.decode("utf-8")), name)
                self.assertEqual(json.loads(theirs.decode("ascii")), name)
                self.assertEqual(ours, json.dumps(name, ensure_ascii=False).encode("utf-8"))
                self.assertNotEqual(ours, theirs)  # the documented difference


if __name__ == "__main__":
    unittest.main()
