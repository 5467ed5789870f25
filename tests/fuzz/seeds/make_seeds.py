#!/usr/bin/env python3
"""Writes the seed corpora of fuzz_tokens and fuzz_rotate (committed; run
again only to change them): tokens/ holds ListAccessTokens, VerifySession
and DeleteAccessToken responses as the emulator answers them, behind the
4-byte header fuzz_tokens.c reads; rotate/ holds state records in the
layout of ccat_rotate.h and HTTP dates, behind fuzz_rotate.c's mode byte."""
import json
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
RID = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
DATE = "Fri, 27 Nov 2026 18:51:53 GMT"


def response(status, reason, body, chunked=False, error_type=None):
    head = f"HTTP/1.1 {status} {reason}\r\nDate: {DATE}\r\nContent-Type: application/json\r\n"
    if error_type:
        head += f"x-amzn-ErrorType: {error_type}\r\n"
    if chunked:
        mid = len(body) // 2
        parts = [body[:mid], body[mid:]]
        data = "".join(f"{len(p):x}\r\n{p}\r\n" for p in parts if p) + "0\r\n\r\n"
        head += "Transfer-Encoding: chunked\r\n"
    else:
        data = body
        head += f"Content-Length: {len(body.encode())}\r\n"
    head += f"Connection: keep-alive\r\nx-amzn-RequestId: {RID}\r\n\r\n"
    return (head + data).encode()


def tokens_seed(name, reader, resp, cap=4096, piece=0, page=3, stop=0):
    # cap (big-endian, 1 + v % 4096), split, reader | page << 2 | stop << 4
    hdr = struct.pack(">HBB", cap - 1, piece, reader | page << 2 | stop << 4)
    with open(os.path.join(HERE, "tokens", name), "wb") as f:
        f.write(hdr + resp)


def item(i, expires=True):
    it = {"id": f"3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a{i:02d}", "name": f"ccat-device42-{i}"}
    if expires:
        it["expiresTime"] = "2027-11-27T18:51:53Z"
    return it


def rotate_seed(name, data, fix=0):
    with open(os.path.join(HERE, "rotate", name), "wb") as f:
        f.write(bytes([fix]) + data)


def record(phase, seq, gen, cur, nxt):
    def tok(name, tid, secret, exp):
        n, i, s = name.encode(), tid.encode(), secret.encode()
        return struct.pack("<BBHq", len(n), len(i), len(s), exp) + n + b"\0" + i + b"\0" + s + b"\0"
    body = tok(*cur) + tok(*nxt)
    length = 16 + len(body) + 4
    rec = b"cR" + bytes([1, phase]) + struct.pack("<HHII", length, 0, seq, gen) + body
    return rec + struct.pack("<I", zlib.crc32(rec))


def main():
    os.makedirs(os.path.join(HERE, "tokens"), exist_ok=True)
    os.makedirs(os.path.join(HERE, "rotate"), exist_ok=True)
    LIST, VERIFY, DELETE = 0, 1, 2
    page1 = json.dumps({"items": [item(1), item(2, False)], "nextToken": "bmV4dA=="})
    tokens_seed("list-page", LIST, response(200, "OK", page1))
    tokens_seed("list-last-chunked", LIST,
                response(200, "OK", json.dumps({"items": [item(3)]}), chunked=True), piece=7)
    tokens_seed("list-empty", LIST, response(200, "OK", '{"items":[],"nextToken":null}'))
    tokens_seed("list-escapes-stop", LIST, response(200, "OK",
                '{"items":[{"id":"a\\u00e9b","name":"n\\ud83d\\ude00","expiresTime":null},'
                '{"id":"x","name":"y","junk":{"id":1}}],"nextToken":"t\\/1"}'), page=2, stop=1)
    tokens_seed("list-error", LIST, response(400, "Bad Request",
                '{"message":"1 validation error detected"}', error_type="ValidationException:http://x"))
    tokens_seed("list-bad-item", LIST, response(200, "OK", '{"items":[{"id":"","name":"x"}]}'))
    tokens_seed("verify-ok", VERIFY, response(200, "OK", '{"identity":"user-0001"}'))
    tokens_seed("verify-empty", VERIFY, response(200, "OK", ""), piece=1)
    tokens_seed("verify-denied", VERIFY, response(403, "Forbidden",
                '{"__type":"aws#AccessDeniedException","Message":"no"}'))
    tokens_seed("delete-ok", DELETE, response(200, "OK", "{}"))
    tokens_seed("delete-missing", DELETE, response(404, "Not Found", "not json at all"))

    a = ("ccat-device42-7", "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b", "ccpat_" + "A" * 50, 1827247913000000)
    b = ("ccat-device42-8", "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5c", "ccpat_" + "B" * 50, 1858783913000000)
    empty = ("", "", "", 0)
    rotate_seed("idle", record(0, 5, 7, a, empty))
    rotate_seed("started", record(1, 6, 8, a, (b[0], "", "", 0)))
    rotate_seed("stored", record(2, 7, 8, a, b))
    rotate_seed("stored-fix", record(2, 7, 8, a, b), fix=1)
    rotate_seed("date", DATE.encode())
    rotate_seed("date-leap", b"Thu, 29 Feb 2024 23:59:59 GMT")


if __name__ == "__main__":
    main()
