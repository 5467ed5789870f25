#!/usr/bin/env python3
"""N CreateAccessToken calls with botocore (the machine's python3), checked.

    botocore_client.py --calls N --port PORT --ca CA.pem

One client, created once and reused (botocore's connection pool keeps the
connection alive). The bearer token comes from a token provider on the
session, as tests/emulator/test_emulator_botocore.py does. Every response is
checked: HTTP 201 and the four members (expiresTime as the datetime botocore
makes of it). Prints the result line of perf_common.h; exit 0 only when every
call matched. Never prints a secret.
"""
import argparse
import datetime
import sys
import time

import botocore.config
import botocore.session
from botocore.tokens import FrozenAuthToken, TokenProviderChain

TOKEN = "eyJraWQiOiJrZXktMSIsImFsZyI6IkVTMjU2In0.payload.sig"
NAME = "device-42"
EXPIRES = datetime.datetime(2027, 11, 27, 18, 51, 53, tzinfo=datetime.timezone.utc)
SECRET = "ccpat_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMn"
TOKEN_ID = "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b"


class StaticTokenProvider:
    """Hands botocore the fixed bearer token of the reference exchange."""

    def load_token(self, **kwargs):
        return FrozenAuthToken(TOKEN)


def check(i, resp):
    """Name of the first mismatching member of call i, or None."""
    if resp["ResponseMetadata"]["HTTPStatusCode"] != 201:
        return "HTTP status"
    if resp.get("secret") != SECRET:
        return "secret"
    if resp.get("name") != NAME:
        return "name"
    if resp.get("accessTokenId") != TOKEN_ID:
        return "accessTokenId"
    when = resp.get("expiresTime")
    if not isinstance(when, datetime.datetime) or when != EXPIRES:
        return "expiresTime"
    return None


def maxrss_kb():
    """Peak resident set (VmHWM), as the C clients read it."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ca", required=True)
    a = ap.parse_args()

    session = botocore.session.get_session()
    session.register_component("token_provider", TokenProviderChain([StaticTokenProvider()]))
    client = session.create_client(
        "codecatalyst", region_name="us-west-2",
        endpoint_url="https://127.0.0.1:%d" % a.port, verify=a.ca,
        config=botocore.config.Config(retries={"max_attempts": 1}))

    t0 = time.perf_counter_ns()
    first = 0
    for i in range(1, a.calls + 1):
        resp = client.create_access_token(name=NAME, expiresTime=EXPIRES)
        bad = check(i, resp)
        if bad:
            print("botocore_client: call %d: %s does not match" % (i, bad), file=sys.stderr)
            return 1
        if i == 1:
            first = time.perf_counter_ns() - t0
    elapsed = time.perf_counter_ns() - t0
    print("ok client=botocore calls=%d elapsed_ns=%d first_ns=%d maxrss_kb=%d"
          % (a.calls, elapsed, first, maxrss_kb()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
