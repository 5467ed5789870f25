"""`ccat list-access-tokens` against the emulator, with botocore as the oracle:

* what goes on the wire (POST, path, Content-Type, body) equals what
  botocore's serializer makes of the same parameters;
* the same scripted pages served once to botocore's paginator (what the AWS
  CLI prints: build_full_result() dumped with indent=4) and once to ccat give
  byte-identical output, NextToken (--max-items) included, and resuming from
  it with --starting-token equals botocore resuming from it;
* the emulator's real token store: every live token listed, in order, however
  the walk is cut into pages and resumed;
* parsing edge cases (absent or null expiresTime, unknown members, nested
  decoys, escapes) read as botocore reads them; bad pages fail cleanly;
* errors: usage (252, nothing sent), no token (253), service errors (254,
  "when calling the ListAccessTokens operation"), a repeated nextToken (255).
"""

import base64
import datetime
import json
import unittest

import clitest as c

LIST_OP = "when calling the ListAccessTokens operation"


def page(items, next_token=None, extra=""):
    """A 200 ListAccessTokens response with these items (dicts, dumped as given)."""
    body = '{"items":%s%s%s}' % (json.dumps(items), "" if next_token is None else
                                 ',"nextToken":%s' % json.dumps(next_token), extra)
    body = body.encode("utf-8")
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"x-amzn-RequestId: 11111111-2222-3333-4444-555555555555\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)) + body


def items(*names, expires="2031-01-02T03:04:05Z"):
    return [{"id": "id-" + n, "name": n, "expiresTime": expires} for n in names]


def raw(data):
    return {"action": "raw", "data_b64": base64.b64encode(data).decode(), "keep_open": True}


def utc_text(dt):
    dt = dt.astimezone(datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + (".%06d" % dt.microsecond if dt.microsecond else "") + "Z"


def cli_json(obj):
    """What the AWS CLI prints for a parsed result (json.dumps indent=4), with
    timestamps in ccat's output form (UTC, Z)."""
    def conv(o):
        if isinstance(o, datetime.datetime):
            return utc_text(o)
        raise TypeError(o)
    obj = {k: v for k, v in obj.items() if k != "ResponseMetadata"}
    return json.dumps(obj, indent=4, ensure_ascii=False, default=conv) + "\n"


class ListCase(c.CliCase):
    TLS = False

    def list(self, *extra, **kw):
        return c.run_cli(["list-access-tokens"] + list(extra) + self.endpoint_args(), **kw)

    def user(self):
        return self.emu.token_for_secret(c.TOKEN)["user"]

    def serve(self, *pages):
        self.emu.reset()
        self.emu.plan([raw(p) for p in pages])

    def botocore_full(self, pages, config):
        """botocore's paginator (as the AWS CLI drives it) over these pages."""
        self.serve(*pages)
        pag = c.botocore_client(self.emu).get_paginator("list_access_tokens")
        return cli_json(pag.paginate(PaginationConfig=config).build_full_result())

    def ccat_out(self, pages, *args):
        self.serve(*pages)
        res = self.list(*args)
        self.assert_rc(res, c.EXIT_OK)
        self.assert_no_token(res)
        return res.stdout, self.emu.requests(operation="ListAccessTokens")


class TestListLikeBotocore(ListCase):
    PAGES = [page(items("a", "b", "c"), "tok-1"), page(items("d", "e", "f"), "tok/2+=="),
             page(items("g"))]

    def test_all_pages(self):
        want = self.botocore_full(self.PAGES, {})
        got, reqs = self.ccat_out(self.PAGES)
        self.assertEqual(got, want)
        self.assertEqual(len(reqs), 3)
        bodies = [json.loads(c.h.body_bytes(r)) for r in reqs]
        self.assertEqual(bodies, [{}, {"nextToken": "tok-1"}, {"nextToken": "tok/2+=="}])

    def test_max_items_and_resume(self):
        # Cut mid-page, at a page's end, and past the end; then resume from each NextToken.
        for max_items in (1, 2, 3, 4, 6, 7, 9):
            with self.subTest(max_items=max_items):
                want = self.botocore_full(self.PAGES, {"MaxItems": max_items})
                got, _ = self.ccat_out(self.PAGES, "--max-items", str(max_items))
                self.assertEqual(got, want)
                token = json.loads(got).get("NextToken")
                self.assertEqual(token is None, max_items >= 7)
                if token is None:
                    continue
                # Resume: the first request is for the page the token names.
                named = json.loads(base64.b64decode(token))["nextToken"]
                rest = self.PAGES[{None: 0, "tok-1": 1, "tok/2+==": 2}[named]:]
                want = self.botocore_full(rest, {"StartingToken": token, "MaxItems": 2})
                got, reqs = self.ccat_out(rest, "--starting-token", token, "--max-items", "2")
                self.assertEqual(got, want)

    def test_page_size(self):
        want = self.botocore_full(self.PAGES, {"PageSize": 3})
        got, reqs = self.ccat_out(self.PAGES, "--page-size", "3")
        self.assertEqual(got, want)
        self.assertEqual([json.loads(c.h.body_bytes(r)).get("maxResults") for r in reqs], [3, 3, 3])

    def test_old_style_and_plain_starting_tokens(self):
        for token, skip in (("tok-1", 0), ("tok-1___2", 2)):
            with self.subTest(token=token):
                want = self.botocore_full(self.PAGES[1:], {"StartingToken": token})
                got, reqs = self.ccat_out(self.PAGES[1:], "--starting-token", token)
                self.assertEqual(got, want)
                self.assertEqual(json.loads(c.h.body_bytes(reqs[0])), {"nextToken": "tok-1"})

    def test_one_page_with_max_results(self):
        # --max-results / --next-token: the AWS CLI turns paging off and
        # prints the page as the service sent it, nextToken included.
        self.serve(self.PAGES[1])
        ref = c.botocore_client(self.emu).list_access_tokens(maxResults=3, nextToken="tok-1")
        got, reqs = self.ccat_out([self.PAGES[1]], "--max-results", "3", "--next-token", "tok-1")
        self.assertEqual(got, cli_json(ref))
        self.assertEqual(len(reqs), 1)
        got, _ = self.ccat_out([self.PAGES[2]], "--no-paginate")
        self.assertNotIn("nextToken", json.loads(got))

    def test_parsed_like_botocore(self):
        bodies = {
            "no expiresTime, null expiresTime, extra members": page(
                [{"id": "1", "name": "a"}, {"id": "2", "name": "b", "expiresTime": None, "x": [1]},
                 {"futureMember": {"id": "NO"}, "name": "c", "id": "3",
                  "expiresTime": "2031-01-02T05:34:05.123456+02:30"}]),
            "nested decoys and escapes": page(
                [{"id": "\u00e9\U0001F600/\"\\", "name": "tab\there \u2028",
                  "x": {"items": [{"id": "NO"}], "nextToken": "NO"}}],
                extra=',"decoy":{"items":[],"nextToken":"NO"}'),
            "null nextToken": page(items("z"), None, extra=',"nextToken":null'),
            "empty list": page([]),
        }
        for label, data in bodies.items():
            with self.subTest(case=label):
                self.assertEqual(self.ccat_out([data])[0], self.botocore_full([data], {}))

    def test_emulator_decoys_and_escapes(self):
        # The emulator's own shaping of real pages: decoys, every character escaped, reordered.
        for i in range(4):
            self.assert_rc(self.create("t%d" % i), c.EXIT_OK)
        for action in ({"action": "decoys"}, {"action": "escape"}, {"action": "reorder"},
                       {"action": "chunked"}):
            with self.subTest(action=action):
                self.emu.plan([dict(action, op="ListAccessTokens", repeat=10)])
                res = self.list("--page-size", "2")
                self.assert_rc(res, c.EXIT_OK)
                listed = [i["id"] for i in json.loads(res.stdout)["items"]]
                self.assertEqual(listed, [t["id"] for t in self.emu.live_tokens(user=self.user())])


class TestListStore(ListCase):
    def test_every_token_listed_however_paged(self):
        for i in range(7):
            self.assert_rc(self.create("dev-%d" % i), c.EXIT_OK)
        victim = self.emu.live_tokens(user=self.user())[3]["id"]
        self.assert_rc(c.run_cli(["delete-access-token", "--id", victim] + self.endpoint_args()),
                       c.EXIT_OK)
        want = [t["id"] for t in self.emu.store() if t["user"] == self.user() and not t["deleted"]]
        self.assertEqual(len(want), 7)   # bootstrap + 7 created - 1 deleted
        res = self.list()
        self.assert_rc(res, c.EXIT_OK)
        out = json.loads(res.stdout)
        self.assertEqual([i["id"] for i in out["items"]], want)
        self.assertNotIn("NextToken", out)
        for item in out["items"]:
            rec = self.emu.token(item["id"])
            self.assertEqual(item["name"], rec["name"])
            self.assertEqual(item["expiresTime"], c.normalize_time(rec["expiresTime"]))
        # Walk it two items at a time through --max-items / --starting-token.
        for page_size in ("1", "3", "10"):
            seen, token, calls = [], None, 0
            while True:
                args = ["--max-items", "2", "--page-size", page_size]
                res = self.list(*(args + (["--starting-token", token] if token else [])))
                self.assert_rc(res, c.EXIT_OK)
                out = json.loads(res.stdout)
                seen += [i["id"] for i in out["items"]]
                token = out.get("NextToken")
                calls += 1
                if token is None or calls > 10:
                    break
            self.assertEqual(seen, want, page_size)

    def test_request_bytes_like_botocore(self):
        import botocore.serialize
        import botocore.session
        model = botocore.session.get_session().get_service_model("codecatalyst")
        ser = botocore.serialize.create_serializer("rest-json", include_validation=False)
        op = model.operation_model("ListAccessTokens")
        cases = ((["--no-paginate"], {}), (["--max-results", "10"], {"maxResults": 10}),
                 (["--next-token", "a\"b\\/\u00e9 x"], {"nextToken": "a\"b\\/\u00e9 x"}),
                 (["--max-results", "1", "--next-token", "t"], {"maxResults": 1, "nextToken": "t"}))
        for args, params in cases:
            with self.subTest(args=args):
                self.emu.reset()
                self.emu.plan([raw(page([]))])
                self.assert_rc(self.list(*args), c.EXIT_OK)
                entry = self.one_request()
                want = ser.serialize_to_request(params, op)
                self.assertEqual((entry["method"], entry["target"]), (want["method"], want["url_path"]))
                self.assertEqual(c.h.header_values(entry, "Content-Type"), ["application/json"])
                self.assertEqual(entry["content_length"], entry["body_len"])
                self.assertEqual(json.loads(c.h.body_bytes(entry)), json.loads(want["body"]))
                if not params:
                    self.assertEqual(c.h.body_bytes(entry), b"{}")   # botocore sends "{}" too
                self.assertTrue(entry["auth"]["accepted"])


class TestListErrors(ListCase):
    def test_usage_sends_nothing(self):
        for args, rc in ((["--max-results", "0"], c.EXIT_USAGE), (["--max-results", "11"], c.EXIT_USAGE),
                         (["--page-size", "x"], c.EXIT_USAGE), (["--max-items", "0"], c.EXIT_USAGE),
                         (["--next-token", "a\tb"], c.EXIT_USAGE), (["--next-token", "n" * 10001], c.EXIT_USAGE),
                         (["--starting-token", "eyJuZXh0VG9rZW4iOiAieCIsICJvdGhlciI6IDF9"], c.EXIT_USAGE),
                         (["--name", "x"], c.EXIT_USAGE),
                         (["--max-results", "2", "--max-items", "1"], c.EXIT_FAILURE)):
            with self.subTest(args=args):
                self.emu.reset()
                res = self.list(*args)
                self.assert_rc(res, rc)
                self.assertEqual(res.out, b"")
                self.assert_nothing_sent()
        res = self.list("--max-results", "2", "--max-items", "1")
        self.assertIn("Cannot specify --no-paginate along with pagination arguments: --max-items",
                      res.stderr)
        res = self.list(token=None)
        self.assert_rc(res, c.EXIT_NO_TOKEN)
        self.assert_nothing_sent()

    def test_service_errors(self):
        for code in ("ValidationException", "AccessDeniedException", "ThrottlingException"):
            with self.subTest(code=code):
                action = {"action": "error", "code": code, "message": "m-" + code, "op": "ListAccessTokens"}
                self.emu.reset()
                self.emu.plan([action], op="ListAccessTokens")
                try:
                    c.botocore_client(self.emu).list_access_tokens()
                    self.fail("botocore saw no error")
                except Exception as e:  # botocore.exceptions.ClientError
                    ref = e.response["Error"]
                self.emu.reset()
                self.emu.plan([dict(action, repeat=5)])
                res = self.list("--max-attempts", "1")
                self.assert_rc(res, c.EXIT_SERVICE)
                self.assertEqual(res.out, b"")
                self.service_error_line(res, ref["Code"], ref["Message"], retries=0, op=LIST_OP)
        # A real one: a page token the emulator never issued.
        self.emu.reset()
        res = self.list("--next-token", "bogus")
        self.assert_rc(res, c.EXIT_SERVICE)
        self.assertIn("An error occurred (ValidationException) " + LIST_OP, res.stderr)

    def test_failure_on_a_later_page_prints_nothing(self):
        self.serve(page(items("a"), "t1"))
        self.emu.plan([{"action": "status", "status": 500, "repeat": 5}], append=True)
        res = self.list("--max-attempts", "2")
        self.assert_rc(res, c.EXIT_SERVICE)
        self.assertEqual(res.out, b"")
        self.assertIn("(reached max retries: 1)", res.stderr)
        self.assertEqual(len(self.emu.requests(operation="ListAccessTokens")), 3)

    def test_bad_pages(self):
        for body, kind in (('{"items":[{"id":"1"}]}', "ERR_RESPONSE_MISSING"),
                           ('{"items":[{"id":"1","name":"a","expiresTime":"soon"}]}', "ERR_RESPONSE_TYPE"),
                           ('{"items":{}}', "ERR_RESPONSE_TYPE"), ('{"items":[],', "ERR_JSON_SYNTAX"),
                           ('{"items":[],"nextToken":7}', "ERR_RESPONSE_TYPE")):
            with self.subTest(body=body):
                data = body.encode()
                self.serve(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(data) + data)
                res = self.list("--max-attempts", "1")
                self.assert_rc(res, c.EXIT_FAILURE)
                self.assertEqual(res.out, b"")
                self.assert_failure_kind(res, kind)

    def test_repeated_next_token(self):
        self.serve(page(items("a"), "same"), page(items("b"), "same"))
        res = self.list()
        self.assert_rc(res, c.EXIT_FAILURE)
        self.assertEqual(res.out, b"")
        self.assertIn("The same next token was received twice", res.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
