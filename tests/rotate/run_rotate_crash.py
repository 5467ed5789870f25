#!/usr/bin/env python3
"""Runs rotate_crash (the crash-safety test of token rotation) against a
fresh emulator over plain HTTP on 127.0.0.1.

Usage: run_rotate_crash.py BINARY [RUNS] [ROTATIONS]
The seed is $CCAT_ROTATE_SEED if set, else random; rotate_crash prints it.
"""
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "emulator"))
import emuharness  # noqa: E402


def main():
    binary = sys.argv[1]
    runs = sys.argv[2] if len(sys.argv) > 2 else "200"
    per_run = sys.argv[3] if len(sys.argv) > 3 else "3"
    seed = os.environ.get("CCAT_ROTATE_SEED") or str(random.SystemRandom().randrange(1, 2**31))
    work = emuharness.work_dir("rotate")
    try:
        with emuharness.EmulatorProcess(tls=False, tokens=(emuharness.TEST_TOKEN,),
                                        extra_args=["--quiet"]) as emu:
            proc = subprocess.run([binary, str(emu.port), emuharness.TEST_TOKEN, work, seed,
                                   runs, per_run], timeout=600)
            out = emu.output()
            if emuharness.TEST_TOKEN in out:
                print("FAIL: a token appears in the emulator output")
                return 1
            return proc.returncode
    finally:
        emuharness.remove_tree(work)


if __name__ == "__main__":
    sys.exit(main())
