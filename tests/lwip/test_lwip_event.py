"""Event-style use of the lwIP raw port (tests/lwip/lwip_event.c) against the
emulator over plain HTTP: a token is created, the emulator holds it under the
id the program parsed, and a service error is parsed as one. The secret is
never printed; only its length."""

import os
import re
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "emulator"))
import emuharness as h  # noqa: E402

BIN = os.environ["CCAT_LWIP_EVENT_BIN"]
LINE = re.compile(r"^status=(\S+) http=(\d+) id=(\S+) name=(\S+) segments=(\d+) secret_len=(\d+)$")


class TestLwipEvent(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = h.EmulatorProcess(tls=False).start()

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def run_event(self, name):
        env = dict(os.environ, AWS_BEARER_TOKEN_CODECATALYST=h.TEST_TOKEN)
        p = subprocess.run([BIN, str(self.emu.port), name], env=env, capture_output=True, timeout=60)
        out = p.stdout.decode()
        self.assertEqual(p.returncode, 0, out + p.stderr.decode())
        self.assertNotIn(h.TEST_TOKEN, out + p.stderr.decode())
        m = LINE.match(out.strip())
        self.assertIsNotNone(m, out)
        return m

    def test_create_event_style(self):
        self.emu.reset()
        m = self.run_event("lwip-event-1")
        self.assertEqual((m.group(1), m.group(2), m.group(4)), ("OK", "201", "lwip-event-1"))
        self.assertGreater(int(m.group(5)), 0)
        rec = self.emu.token(m.group(3))
        self.assertIsNotNone(rec, "emulator has no token %s" % m.group(3))
        self.assertTrue(rec["live"])
        self.assertGreater(int(m.group(6)), 0)

    def test_service_error_event_style(self):
        self.emu.reset()
        self.emu.plan([{"action": "error", "code": "AccessDeniedException"}])
        m = self.run_event("lwip-event-2")
        self.assertEqual(m.group(2), "403")
        self.assertTrue(m.group(1).startswith("ERR_SVC"), m.group(0))
        self.assertEqual(m.group(3), "-")


if __name__ == "__main__":
    unittest.main(verbosity=2)
