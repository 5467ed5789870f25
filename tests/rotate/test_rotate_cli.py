#!/usr/bin/env python3
"""`ccat rotate-access-token` end to end against the emulator (TLS on
127.0.0.1): provisioning, rotation, renew-before, a process killed in the
middle of a rotation (SIGKILL while VerifySession stalls: the next run
resumes it and deletes nothing it still needs), the state file's mode,
every usage error, and never a token or secret in the output."""

import json
import os
import signal
import stat
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "cli"))
import clitest  # noqa: E402
from clitest import h, clean_env, CCAT_BIN  # noqa: E402

# $ROTATE_VALGRIND (the rotate.cli_valgrind case): every run under memcheck.
VALGRIND = ([os.environ["ROTATE_VALGRIND"], "-q", "--error-exitcode=99", "--leak-check=full",
             "--errors-for-leak-kinds=definite,indirect,possible"]
            if os.environ.get("ROTATE_VALGRIND") else [])


def run_cli(args, **kw):
    res = clitest.run_cli(args, prefix=VALGRIND, timeout=240, **kw)
    assert res.rc != 99 and b"==" not in res.err, "valgrind: %r" % res
    return res


KEYS = {"rotated", "resumed", "name", "accessTokenId", "expiresTime", "generation",
        "orphansDeleted"}


class RotateCli(clitest.CliCase):
    def setUp(self):
        super().setUp()
        self.dir = h.work_dir("rotate-cli")
        self.state = os.path.join(self.dir, "state")

    def tearDown(self):
        h.remove_tree(self.dir)

    def rotate_args(self, *extra, prefix="dev42-"):
        return (["rotate-access-token", "--state-file", self.state, "--name-prefix", prefix] +
                self.endpoint_args() + list(extra))

    def factory_token(self):
        """Token A, created with the bootstrap token as a factory would."""
        res = clitest.run_cli(self.create_args(name="dev42-0"))
        self.assert_rc(res, 0)
        return json.loads(res.stdout)

    def store(self):
        return {t["id"]: t for t in self.emu.store()}

    def secrets_absent(self, res, *secrets):
        for s in secrets + (h.TEST_TOKEN,):
            self.assertNotIn(s.encode(), res.out + res.err)
        # Nothing printed hashes to a secret the service holds.
        hashes = {t["secret_sha256"] for t in self.emu.store()}
        for word in (res.out + res.err).replace(b'"', b" ").split():
            self.assertNotIn(h.sha256_hex(word.strip(b",").decode("utf-8", "replace")), hashes)

    def result(self, res):
        self.assert_rc(res, 0)
        out = json.loads(res.stdout)
        self.assertEqual(set(out), KEYS, res)
        return out

    def test_provision_then_rotate(self):
        a = self.factory_token()
        res = run_cli(self.rotate_args("--lifetime-days", "30", "--access-token-id",
                                       a["accessTokenId"]), token=a["secret"])
        out = self.result(res)
        self.secrets_absent(res, a["secret"])
        self.assertEqual((out["rotated"], out["resumed"], out["name"], out["generation"],
                          out["orphansDeleted"]), (True, False, "dev42-1", 1, 0))
        st = self.store()
        self.assertTrue(st[a["accessTokenId"]]["deleted"], "old token not deleted")
        new = st[out["accessTokenId"]]
        self.assertTrue(new["live"])
        self.assertEqual(new["name"], "dev42-1")
        self.assertEqual(clitest.normalize_time(new["expiresTime"]), out["expiresTime"])
        days = (h.ccat_emulator.parse_timestamp(new["expiresTime"]) -
                h.ccat_emulator.parse_timestamp(self.emu.clock()["now"])).total_seconds() / 86400
        self.assertAlmostEqual(days, 30, delta=0.01)
        mode = stat.S_IMODE(os.stat(self.state).st_mode)
        self.assertEqual(mode, 0o600)
        self.assertFalse(os.path.exists(self.state + ".tmp"))
        with open(self.state, "rb") as f:
            self.assertNotIn(a["secret"].encode(), f.read())  # A is gone from storage too
        # Later runs need no token at all: the state file holds it.
        res = run_cli(self.rotate_args(), token=None)
        out2 = self.result(res)
        self.assertEqual((out2["name"], out2["generation"]), ("dev42-2", 2))
        st = self.store()
        self.assertTrue(st[out["accessTokenId"]]["deleted"])
        live = [t for t in st.values() if t["live"] and t["name"].startswith("dev42-")]
        self.assertEqual([t["id"] for t in live], [out2["accessTokenId"]])
        self.secrets_absent(res, a["secret"])

    def test_renew_before(self):
        a = self.factory_token()
        args = self.rotate_args("--lifetime-days", "30", "--renew-before-days", "10")
        self.result(run_cli(args + ["--access-token-id", a["accessTokenId"]], token=a["secret"]))
        self.emu.clear()
        out = self.result(run_cli(args, token=None))
        self.assertFalse(out["rotated"])
        self.assertEqual(out["generation"], 1)
        ops = [r["operation"] for r in self.emu.requests()]
        self.assertEqual(ops, ["VerifySession"])  # the Date header is the clock
        # 30 days left: due when renewing 31 days before expiry.
        args[args.index("--renew-before-days") + 1] = "31"
        out = self.result(run_cli(args, token=None))
        self.assertTrue(out["rotated"])
        self.assertEqual(out["name"], "dev42-2")

    def test_killed_mid_rotation_resumes(self):
        a = self.factory_token()
        self.result(run_cli(self.rotate_args("--access-token-id", a["accessTokenId"]),
                            token=a["secret"]))
        self.emu.clear()
        self.emu.plan([{"op": "VerifySession", "action": "stall", "seconds": 30}])
        proc = subprocess.Popen(VALGRIND + [CCAT_BIN] + self.rotate_args(), env=clean_env(None),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while not any(r["operation"] == "VerifySession" for r in self.emu.requests()):
            self.assertLess(time.monotonic(), deadline, "no VerifySession")
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)  # the power cut: B is stored, not yet verified
        proc.communicate()
        self.emu.plan([])
        live = [t for t in self.emu.store() if t["live"] and t["name"].startswith("dev42-")]
        self.assertEqual(sorted(t["name"] for t in live), ["dev42-1", "dev42-2"])
        out = self.result(run_cli(self.rotate_args(), token=None))
        self.assertEqual((out["rotated"], out["resumed"], out["name"]), (True, True, "dev42-2"))
        live = [t for t in self.emu.store() if t["live"] and t["name"].startswith("dev42-")]
        self.assertEqual([t["name"] for t in live], ["dev42-2"])

    def test_orphan_from_lost_answer_is_deleted(self):
        a = self.factory_token()
        self.emu.plan([{"op": "CreateAccessToken", "action": "lost"}])
        out = self.result(run_cli(self.rotate_args("--access-token-id", a["accessTokenId"]),
                                  token=a["secret"]))
        self.assertEqual(out["orphansDeleted"], 1)
        live = [t for t in self.emu.store() if t["live"] and t["name"].startswith("dev42-")]
        self.assertEqual([t["id"] for t in live], [out["accessTokenId"]])

    def test_usage_errors(self):
        cases = [
            (["rotate-access-token", "--name-prefix", "p-"] + self.endpoint_args(), "--state-file"),
            (["rotate-access-token", "--state-file", "/nonexistent/x"] + self.endpoint_args(),
             "--name-prefix"),
            (self.rotate_args(prefix="bad\tprefix"), "--name-prefix"),
            (self.rotate_args(prefix="p" * 91), "--name-prefix"),
            (self.rotate_args(prefix="dev1"), "not ending in a digit"),
            (self.rotate_args("--lifetime-days", "0"), "--lifetime-days"),
            (self.rotate_args("--lifetime-days", "3651"), "--lifetime-days"),
            (self.rotate_args("--lifetime-days", "1x"), "--lifetime-days"),
            (self.rotate_args("--renew-before-days", "-1"), "--renew-before-days"),
            (self.rotate_args("--access-token-id", "i" * 37), "--access-token-id"),
        ]
        for args, word in cases:
            res = run_cli(args)
            self.assert_rc(res, clitest.EXIT_USAGE)
            self.assertIn(word, res.stderr)
        self.assert_nothing_sent()

    def test_state_errors(self):
        res = run_cli(self.rotate_args(), token=None)  # nothing to provision
        self.assert_rc(res, clitest.EXIT_NO_TOKEN)
        self.assertIn("STATE_MISSING", res.stderr)
        res = run_cli(self.rotate_args("--access-token-id", "abc"), token=None)
        self.assert_rc(res, clitest.EXIT_NO_TOKEN)
        with open(self.state, "wb") as f:
            f.write(b"cR\x01\x00garbage that is no record")
        res = run_cli(self.rotate_args(), token=None)
        self.assert_rc(res, clitest.EXIT_FAILURE)
        self.assertIn("STATE_CORRUPT", res.stderr)
        self.assert_nothing_sent()

    def test_refused_token(self):
        a = self.factory_token()
        self.result(run_cli(self.rotate_args("--access-token-id", a["accessTokenId"]),
                            token=a["secret"]))
        cur = [t for t in self.emu.store() if t["live"] and t["name"] == "dev42-1"][0]
        self.emu.set_token(cur["id"], deleted=True)  # revoked behind the device's back
        res = run_cli(self.rotate_args(), token=None)
        self.assert_rc(res, clitest.EXIT_SERVICE)
        self.assertIn("ACCESS_DENIED", res.stderr)
        self.secrets_absent(res)

    def test_second_run_refused_while_one_runs(self):
        """Two rotations of one state would commit over each other: the lock refuses one."""
        import fcntl
        a = self.factory_token()
        self.result(run_cli(self.rotate_args("--access-token-id", a["accessTokenId"]),
                            token=a["secret"]))
        self.emu.clear()
        with open(self.state + ".lock", "r+b") as lk:
            fcntl.lockf(lk, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another run holds it
            res = run_cli(self.rotate_args(), token=None)
            self.assert_rc(res, clitest.EXIT_FAILURE)
            self.assertIn("another rotation", res.stderr)
            self.assertEqual(self.emu.requests(), [])
        out = self.result(run_cli(self.rotate_args(), token=None))  # released: runs
        self.assertEqual(out["name"], "dev42-2")

    def test_leftover_staging_file_not_reused(self):
        """A PATH.tmp left readable (or a symlink there) must not carry secrets out."""
        a = self.factory_token()
        with open(self.state + ".tmp", "wb") as f:
            f.write(b"left over")
        os.chmod(self.state + ".tmp", 0o644)
        elsewhere = os.path.join(self.dir, "elsewhere")
        self.result(run_cli(self.rotate_args("--access-token-id", a["accessTokenId"]),
                            token=a["secret"]))
        self.assertEqual(stat.S_IMODE(os.stat(self.state).st_mode), 0o600)
        os.symlink(elsewhere, self.state + ".tmp")
        self.result(run_cli(self.rotate_args(), token=None))
        self.assertEqual(stat.S_IMODE(os.stat(self.state).st_mode), 0o600)
        self.assertFalse(os.path.lexists(elsewhere), "followed a symlink at PATH.tmp")

    def test_output_is_json_whatever_the_name(self):
        prefix = 'dev"q\\-'
        res = clitest.run_cli(self.create_args(name=prefix + "0"))
        self.assert_rc(res, 0)
        a = json.loads(res.stdout)
        out = self.result(run_cli(self.rotate_args("--access-token-id", a["accessTokenId"],
                                                   prefix=prefix), token=a["secret"]))
        self.assertEqual(out["name"], prefix + "1")
        live = [t for t in self.emu.store() if t["live"] and t["name"].startswith(prefix)]
        self.assertEqual([t["id"] for t in live], [out["accessTokenId"]])


if __name__ == "__main__":
    clitest.main()
