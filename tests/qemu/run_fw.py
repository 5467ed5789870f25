#!/usr/bin/env python3
"""Boot the MPS2 AN385 firmware under QEMU against the local emulator.

  run_fw.py CASE --elf ccat-fw.elf --cert-dir DIR --token TOKEN [--qemu qemu-system-arm]

CASE:
  create  the firmware creates a token: exit status 0, and the id it prints
          is the one the emulator issued for the one request it saw.
  quota   the emulator's quota is 0, so it answers 402
          ServiceQuotaExceededException: exit status 1 and the code by name.
  badcert the emulator's certificate (same CA) names 10.0.2.99, not the
          address the firmware connects to: the handshake must fail with
          ERR_TLS_CERT (exit status 2) and no request may reach the emulator.
  big     a 4000-character secret: the response (~4.3 KB) is larger than the
          firmware's 4 KiB TLS record buffer, so this passes only if the
          server honoured max_fragment_length (RFC 6066).

Network: QEMU user networking with restrict=on (the guest reaches nothing
outside) and one guestfwd: 10.0.2.100:443 in the guest -> 127.0.0.1:PORT,
the emulator. A chardev guestfwd connects once when QEMU starts, so the
firmware gets exactly one connection (it makes one: max_attempts = 1).

In every case: neither the bearer token nor the secret issued appears in
anything the firmware printed. A firmware that hangs is killed after
--timeout seconds (a FAIL). Exit status 0 = pass.
"""
import argparse
import hashlib
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "emulator"))
import emuharness  # noqa: E402

GUEST_ADDR = "10.0.2.100"
CERT_SAN = "IP:" + GUEST_ADDR

failures = []


def check(cond, what):
    print("%s: %s" % ("ok" if cond else "FAIL", what))
    if not cond:
        failures.append(what)


def run_qemu(args, port):
    cmd = [args.qemu, "-M", "mps2-an385", "-nographic", "-monitor", "none",
           "-semihosting-config", "enable=on,target=native",
           "-kernel", args.elf,
           "-nic", "user,restrict=on,model=lan9118,guestfwd=tcp:%s:443-tcp:127.0.0.1:%d"
           % (GUEST_ADDR, port)]
    print("run: " + " ".join(cmd))
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=args.timeout)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        return None, out
    return proc.returncode, proc.stdout.decode("utf-8", "replace")


def fw_value(out, key):
    """The value of 'ccat-fw: <key>=<value>' (to the end of the line)."""
    m = re.search(r"^ccat-fw: %s=(.*?)\r?$" % re.escape(key), out, re.M)
    return m.group(1) if m else None


def secret_absent(out, sha256, length):
    """No window of the output of the secret's length hashes to the secret."""
    data = out.encode("utf-8", "surrogateescape")
    return all(hashlib.sha256(data[i:i + length]).hexdigest() != sha256
               for i in range(0, max(0, len(data) - length + 1)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=("create", "quota", "big", "badcert"))
    ap.add_argument("--elf", required=True)
    ap.add_argument("--cert-dir", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--qemu", default="qemu-system-arm")
    ap.add_argument("--timeout", type=float, default=90)
    ap.add_argument("--footprint-out", help="write the firmware's footprint lines here")
    args = ap.parse_args()

    quota = 0 if args.case == "quota" else None
    san = "IP:10.0.2.99" if args.case == "badcert" else CERT_SAN
    with emuharness.EmulatorProcess(tls=True, tokens=(args.token,), cert_dir=args.cert_dir,
                                    san=san, quota=quota) as emu:
        if args.case == "big":
            emu.plan([{"action": "big_secret", "length": 4000}])
        rc, out = run_qemu(args, emu.port)
        sys.stdout.write("---- firmware output ----\n%s\n---- end (exit %s) ----\n" % (out.rstrip(), rc))
        reqs = emu.requests(settle=0.2)
        emu_out = emu.output()

    check(rc is not None, "firmware finished within %g s" % args.timeout)
    check(args.token not in out, "the bearer token never appears in the firmware output")
    api = [r for r in reqs if r.get("operation") == "CreateAccessToken"]
    if args.case == "badcert":
        check(rc == 2, "exit status 2 (network/TLS failure); got %s" % rc)
        check(fw_value(out, "failed status") == "ERR_TLS_CERT",
              "the firmware refused the certificate: ERR_TLS_CERT (%s)" % fw_value(out, "failed status"))
        check(len(api) == 0, "no request reached the emulator (saw %d)" % len(api))
        print("qemu %s: %s" % (args.case, "PASSED" if not failures else "FAILED (%d): %s" % (len(failures), "; ".join(failures))))
        return 0 if not failures else 1
    check(len(api) == 1, "the emulator saw exactly one CreateAccessToken request (saw %d)" % len(api))
    if api:
        check(api[0]["auth"]["accepted"], "the emulator accepted the firmware's bearer token")
        check(api[0].get("tls") is True, "the request came over TLS")
        check(api[0]["headers"] and dict((k.lower(), v) for k, v in api[0]["headers"]).get("host") == GUEST_ADDR,
              "Host header is the guest-side address %s" % GUEST_ADDR)
    resp = api[0]["response"] if api else {}

    if args.case in ("create", "big"):
        check(rc == 0, "exit status 0 (token created); got %s" % rc)
        issued = resp.get("issued") or {}
        printed_id = fw_value(out, "token id")
        check(issued.get("accessTokenId") is not None and printed_id == issued.get("accessTokenId"),
              "firmware printed the id the emulator issued (%s / %s)" % (printed_id, issued.get("accessTokenId")))
        check(fw_value(out, "token name") == issued.get("name"), "firmware printed the token's name")
        check(fw_value(out, "token expires") == issued.get("expiresTime"),
              "firmware printed the expiry the emulator issued (%s)" % issued.get("expiresTime"))
        n = issued.get("secret_len")
        secret_line = fw_value(out, "token secret") or ""
        check(n is not None and secret_line == "******** (%d characters, not shown)" % n,
              "the secret is shown masked, with its length (%s)" % n)
        if issued.get("secret_sha256"):
            check(secret_absent(out, issued["secret_sha256"], n), "the secret never appears in the output")
            check(secret_absent(emu_out, issued["secret_sha256"], n), "nor in the emulator's output")
        if args.case == "big":
            check(n == 4000, "a 4000-character secret arrived through 4 KiB TLS records")
    else:
        check(rc == 1, "exit status 1 (service error); got %s" % rc)
        check(resp.get("status") == 402 and resp.get("code") == "ServiceQuotaExceededException",
              "the emulator answered 402 ServiceQuotaExceededException")
        check(fw_value(out, "service error code") == "ServiceQuotaExceededException http=402",
              "the firmware reports ServiceQuotaExceededException by name, with HTTP 402")
        check(fw_value(out, "failed status") == "ERR_SVC_QUOTA",
              "and the status ccat maps it to, ERR_SVC_QUOTA (%s)" % fw_value(out, "failed status"))

    fp = re.findall(r"^ccat-fw: footprint (.*?)\r?$", out, re.M)
    vals = dict(kv.split("=", 1) for line in fp for kv in line.split())
    check("heap_peak_total" in vals and vals.get("failures") == "0",
          "footprint reported, no allocation failed")
    if "stack_high_water" in vals:
        hw, size = int(vals["stack_high_water"]), int(vals["stack_size"])
        check(hw + 1024 <= size, "stack high-water %d leaves >= 1 KiB of the %d-byte stack" % (hw, size))
    if args.footprint_out and fp:
        with open(args.footprint_out, "w") as f:
            f.write("\n".join(fp) + "\n")

    print("qemu %s: %s" % (args.case, "PASSED" if not failures else "FAILED (%d): %s" % (len(failures), "; ".join(failures))))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
