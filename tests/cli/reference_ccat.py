#!/usr/bin/env python3
"""A reference implementation of the `ccat` CLI contract in Python (standard
library only), used to check the end-to-end suite itself: run the suite with
CCAT_BIN pointing at this file and every case must pass. It is a development
aid, not a ctest case; the product is the C binary.

    CCAT_BIN=tests/cli/reference_ccat.py python3 tests/cli/test_cli_success.py
"""

import json
import os
import random
import re
import socket
import ssl
import sys
import time

EXIT_OK, EXIT_USAGE, EXIT_NO_TOKEN, EXIT_SERVICE, EXIT_FAILURE = 0, 252, 253, 254, 255
OPTS_WITH_VALUE = ("--name", "--expires-time", "--endpoint-url", "--ca-bundle", "--token-file",
                   "--cli-connect-timeout", "--cli-read-timeout", "--max-attempts")
THROTTLING = {"ThrottlingException", "TooManyRequestsException", "RequestThrottled", "Throttling",
              "ThrottledException", "RequestThrottledException",
              "ProvisionedThroughputExceededException", "TransactionInProgressException",
              "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "SlowDown",
              "PriorRequestNotComplete", "EC2ThrottledException"}
MAX_HEAD, MAX_BODY = 16384, 16384
TS = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


class Fail(Exception):
    def __init__(self, rc, msg):
        super().__init__(msg)
        self.rc = rc


def usage(msg):
    return Fail(EXIT_USAGE, "ccat: error: " + msg)


def days_from_civil(y, m, d):
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def parse_time(text):
    """RFC 3339 -> microseconds since the epoch, or None."""
    m = TS.match(text)
    if not m:
        return None
    y, mo, d, hh, mi, ss = (int(m.group(i)) for i in range(1, 7))
    mdays = [31, 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28, 31, 30, 31, 30,
             31, 31, 30, 31, 30, 31]
    if not (1 <= mo <= 12 and 1 <= d <= mdays[mo - 1] and hh <= 23 and mi <= 59 and ss <= 59):
        return None
    frac = m.group(7)
    if frac is not None and len(frac) < 2:
        return None
    us = int((frac[1:] + "000000")[:6]) if frac else 0
    off = 0
    if m.group(8) not in ("Z", "z"):
        oh, om = int(m.group(8)[1:3]), int(m.group(8)[4:6])
        if oh > 23 or om > 59:
            return None
        off = (oh * 60 + om) * 60 * (-1 if m.group(8)[0] == "-" else 1)
    secs = days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss - off
    return secs * 1000000 + us


def format_time(us):
    secs, frac = divmod(us, 1000000)
    days, rem = divmod(secs, 86400)
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    y += m <= 2
    if not 1 <= y <= 9999:
        return None
    text = "%04d-%02d-%02dT%02d:%02d:%02d" % (y, m, d, rem // 3600, rem // 60 % 60, rem % 60)
    return text + (".%06dZ" % frac if frac else "Z")


def parse_args(argv):
    a = {"debug": False}
    cmd = None
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--debug":
            a["debug"] = True
        elif arg in OPTS_WITH_VALUE:
            if i + 1 >= len(argv):
                raise usage("argument %s: expected one argument" % arg)
            a[arg[2:]] = argv[i + 1]
            i += 1
        elif arg.startswith("-"):
            raise usage("unknown option")
        elif cmd is None:
            cmd = arg
        else:
            raise usage("unexpected argument")
        i += 1
    if cmd != "create-access-token":
        raise usage("the command must be create-access-token")
    if "name" not in a:
        raise usage("the following arguments are required: --name")
    return a


def to_utf8(arg):
    try:
        return os.fsencode(arg).decode("utf-8")
    except UnicodeDecodeError:
        raise usage("--name is not valid UTF-8")


def number(text, what, lo, hi):
    if not re.match(r"^\d+$", text) or not lo <= int(text) <= hi:
        raise usage("invalid value for %s" % what)
    return int(text)


def resolve(a):
    env = os.environ
    name = to_utf8(a["name"])
    if not 1 <= len(name) <= 100 or "\x00" in name:
        raise usage("--name must be 1 to 100 characters")
    body = {"name": name}
    if "expires-time" in a:
        us = parse_time(a["expires-time"])
        if us is None or format_time(us) is None:
            raise usage("--expires-time is not an RFC 3339 time")
        body["expiresTime"] = format_time(us)
    url = a.get("endpoint-url") or env.get("AWS_ENDPOINT_URL_CODECATALYST") or \
        env.get("AWS_ENDPOINT_URL") or "https://codecatalyst.global.api.aws"
    m = re.match(r"^(https?)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?(/[^?#\s]*)?$", url)
    if not m or (m.group(3) and not 0 < int(m.group(3)) < 65536):
        raise usage("invalid endpoint URL")
    ep = {"tls": m.group(1) == "https", "host": m.group(2).strip("[]"),
          "port": int(m.group(3) or (443 if m.group(1) == "https" else 80)),
          "path": (m.group(4) or "").rstrip("/")}
    default_port = (ep["port"] == (443 if ep["tls"] else 80))
    ep["hosthdr"] = m.group(2) + ("" if default_port else ":%d" % ep["port"])
    ma = a["max-attempts"] if "max-attempts" in a else (env.get("AWS_MAX_ATTEMPTS") or "3")
    cfg = {"attempts": number(ma, "max attempts", 1, 255),
           "connect": number(a.get("cli-connect-timeout", "60"), "--cli-connect-timeout", 0, 10**6),
           "read": number(a.get("cli-read-timeout", "60"), "--cli-read-timeout", 0, 10**6),
           "ca": a.get("ca-bundle") or env.get("AWS_CA_BUNDLE"), "debug": a["debug"]}
    if "token-file" in a:
        try:
            with open(a["token-file"], "rb") as f:
                raw = f.read()
        except OSError:
            raise usage("cannot read the token file")
        raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1] if raw.endswith(b"\n") else raw
        token = raw.decode("utf-8", "surrogateescape")
    else:
        token = env.get("AWS_BEARER_TOKEN_CODECATALYST") or ""
        if not token:
            raise Fail(EXIT_NO_TOKEN, "ccat: no bearer token: set AWS_BEARER_TOKEN_CODECATALYST "
                                      "or use --token-file")
    if not token or re.search(r"[\x00-\x1f\x7f]", token):
        raise usage("the bearer token holds a control character")
    return ep, cfg, token, json.dumps(body, ensure_ascii=False).encode()


class Conn:
    def __init__(self, ep, cfg):
        self.ep, self.cfg = ep, cfg
        self.sock = socket.create_connection((ep["host"], ep["port"]), timeout=cfg["connect"] or None)
        if ep["tls"]:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            if cfg["ca"]:
                ctx.load_verify_locations(cfg["ca"])
            self.sock = ctx.wrap_socket(self.sock, server_hostname=ep["host"])
        self.sock.settimeout(cfg["read"] or None)
        self.buf = b""

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise Fail(EXIT_FAILURE, "ccat: connection closed before the response was complete (CCAT_ERR_CLOSED)")
        self.buf += data

    def line(self, limit):
        while b"\r\n" not in self.buf:
            if len(self.buf) > limit:
                raise Fail(EXIT_FAILURE, "ccat: response head too large (CCAT_ERR_HTTP_HEADERS_TOO_LARGE)")
            self.fill()
        i = self.buf.index(b"\r\n")
        out, self.buf = self.buf[:i], self.buf[i + 2:]
        return out

    def take(self, n):
        while len(self.buf) < n:
            self.fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def response(self):
        def bad(what, kind):
            return Fail(EXIT_FAILURE, "ccat: malformed response: %s (CCAT_ERR_%s)" % (what, kind))
        status = self.line(MAX_HEAD)
        m = re.match(rb"^HTTP/1\.[01] ([1-9]\d\d) [\x09\x20-\x7e\x80-\xff]*$", status)
        if not m:
            raise bad("status line", "HTTP_STATUS_LINE")
        headers = []
        total = len(status)
        while True:
            ln = self.line(MAX_HEAD - total)
            total += len(ln) + 2
            if total > MAX_HEAD:
                raise Fail(EXIT_FAILURE, "ccat: response head too large (CCAT_ERR_HTTP_HEADERS_TOO_LARGE)")
            if ln == b"":
                break
            hm = re.match(rb"^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([\x09\x20-\x7e\x80-\xff]*?)[ \t]*$", ln)
            if not hm:
                raise bad("header line", "HTTP_HEADER")
            headers.append((hm.group(1).decode().lower(), hm.group(2).decode("latin-1")))
        cl = [v for k, v in headers if k == "content-length"]
        te = [v for k, v in headers if k == "transfer-encoding"]
        if te and cl:
            raise bad("Content-Length with Transfer-Encoding", "HTTP_LENGTH_CONFLICT")
        if te:
            if [t.strip().lower() for t in te] != ["chunked"]:
                raise bad("unsupported transfer coding", "HTTP_TRANSFER_CODING")
            body = b""
            while True:
                sl = self.line(1024)
                sm = re.match(rb"^([0-9A-Fa-f]{1,8})(;[^\r\n]*)?$", sl)
                if not sm:
                    raise bad("chunk size", "HTTP_CHUNK_SIZE")
                n = int(sm.group(1), 16)
                if n == 0:
                    while self.line(MAX_HEAD) != b"":
                        pass
                    break
                if len(body) + n > MAX_BODY:
                    raise Fail(EXIT_FAILURE, "ccat: response too large (CCAT_ERR_RESPONSE_TOO_LARGE)")
                body += self.take(n)
                if self.take(2) != b"\r\n":
                    raise bad("chunk framing", "HTTP_CHUNK_FRAMING")
        elif cl:
            if len(set(cl)) != 1 or not re.match(r"^\d{1,10}$", cl[0]):
                raise bad("Content-Length", "HTTP_LENGTH_INVALID")
            n = int(cl[0])
            if n > MAX_BODY:
                raise Fail(EXIT_FAILURE, "ccat: response too large (CCAT_ERR_RESPONSE_TOO_LARGE)")
            body = self.take(n)
        else:
            raise bad("no length", "HTTP_LENGTH_INVALID")
        return int(m.group(1)), dict(headers), body


def strict_json(body):
    def bad_const(c):
        raise ValueError(c)
    obj = json.loads(body.decode("utf-8"), parse_constant=bad_const)
    json.dumps(obj, ensure_ascii=False).encode("utf-8")
    return obj


def parse_success(body):
    def bad(what, kind):
        return Fail(EXIT_FAILURE, "ccat: malformed response body: %s (CCAT_ERR_%s)" % (what, kind))
    try:
        obj = json.loads(body.decode("utf-8", "surrogateescape"))
    except ValueError:
        raise bad("not valid JSON", "JSON_SYNTAX")
    try:
        strict_json(body)
    except (ValueError, UnicodeError):
        raise bad("bad string", "JSON_STRING")
    if not isinstance(obj, dict):
        raise bad("not an object", "RESPONSE_TYPE")
    for k in ("secret", "name", "expiresTime", "accessTokenId"):
        if k not in obj:
            raise bad("missing " + k, "RESPONSE_MISSING")
        if not isinstance(obj[k], str):
            raise bad("wrong type for " + k, "RESPONSE_TYPE")
        if "\x00" in obj[k]:
            raise bad("NUL in " + k, "JSON_STRING")
    us = parse_time(obj["expiresTime"])
    if us is None:
        raise bad("expiresTime", "RESPONSE_TYPE")
    return {"secret": obj["secret"], "name": obj["name"], "expiresTime": format_time(us),
            "accessTokenId": obj["accessTokenId"]}


def parse_error(status, headers, body):
    try:
        obj = json.loads(body.decode("utf-8")) if body else {}
        if not isinstance(obj, dict):
            obj = {}
    except (ValueError, UnicodeError):
        obj = {"message": body.decode("utf-8", "replace")}
    if status >= 500 and (not body.strip() or body.strip().startswith(b"<html>")):
        return str(status), {502: "Bad Gateway", 503: "Service Unavailable", 500:
                             "Internal Server Error", 504: "Gateway Timeout"}.get(status, "")
    code = obj.get("__type", str(status))
    if "x-amzn-errortype" in headers:
        code = headers["x-amzn-errortype"]
    elif "code" in obj or "Code" in obj:
        code = obj.get("code", obj.get("Code", ""))
    code = str(code).split(":", 1)[0].rsplit("#", 1)[-1]
    return code, str(obj.get("message", obj.get("Message", "")))


def main(argv):
    try:
        a = parse_args(argv)
        ep, cfg, token, body = resolve(a)
    except Fail as f:
        print(f, file=sys.stderr)
        return f.rc
    head = ("PUT %s/v1/accessTokens HTTP/1.1\r\nHost: %s\r\nUser-Agent: ccat/0.1.0 reference\r\n"
            "Content-Type: application/json\r\nContent-Length: %d\r\nAuthorization: Bearer %s\r\n\r\n"
            % (ep["path"], ep["hosthdr"], len(body), token)).encode("utf-8", "surrogateescape")
    debug = (lambda *x: print("ccat: debug:", *x, file=sys.stderr)) if cfg["debug"] else (lambda *x: None)
    last = None
    for attempt in range(1, cfg["attempts"] + 1):
        if attempt > 1:
            delay = random.random() * min(2 ** (attempt - 2), 20)
            debug("retry %d after %.3f s" % (attempt, delay))
            time.sleep(delay)
        retryable = False
        phase = "connect"
        try:
            conn = Conn(ep, cfg)
            phase = "read"
            conn.sock.sendall(head + body)
            status, headers, rbody = conn.response()
            conn.sock.close()
            debug("status %d request id %s" % (status, headers.get("x-amzn-requestid")))
            if status == 201:
                out = parse_success(rbody)
                print(json.dumps(out, indent=4, ensure_ascii=False))
                return EXIT_OK
            if 200 <= status < 300:
                raise Fail(EXIT_FAILURE, "ccat: unexpected status %d" % status)
            code, msg = parse_error(status, headers, rbody)
            last = Fail(EXIT_SERVICE, "\nAn error occurred (%s) when calling the CreateAccessToken "
                                      "operation: %s" % (code, msg))
            retryable = code in THROTTLING or status in (500, 502, 503, 504)
        except ssl.SSLCertVerificationError:
            last = Fail(EXIT_FAILURE, "ccat: SSL validation failed for the endpoint (CCAT_ERR_TLS_CERT)")
            retryable = True
        except (socket.timeout, TimeoutError):
            last = Fail(EXIT_FAILURE, "ccat: timeout on endpoint URL (CCAT_ERR_%s_TIMEOUT)" % phase.upper())
            retryable = True
        except ssl.SSLError:
            last = Fail(EXIT_FAILURE, "ccat: TLS failure (CCAT_ERR_TLS)")
            retryable = True
        except OSError:
            last = Fail(EXIT_FAILURE, "ccat: connection failure (CCAT_ERR_%s)" % (
                "CONNECT" if phase == "connect" else "RECV"))
            retryable = True
        except Fail as f:
            last = f
            retryable = "closed before" in str(f)
        if not retryable:
            break
    print(last, file=sys.stderr)
    return last.rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
