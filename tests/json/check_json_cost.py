"""Instruction cost of the JSON layer on the reference response body.

Runs json_bench under callgrind with N and N + 1000 rounds; the difference
divided by 1000 is the cost of one round (start-up drops out). Printed: the
whole round (copy of the body + parse + 4 member lookups + 4 decodes), the
JSON functions alone (--toggle-collect=ccat_json_*), and jsmn_parse's share
of them (json_bench's jsmn mode: the same jsmn, same configuration, alone).
Fails when the JSON functions exceed the ceiling, or when the figures do not
hang together (jsmn alone must cost something, and less than the whole layer).

The ceiling is the measured cost with jsmn as the tokenizer + ~5%: it guards
against regressions, not the issue's budget, which jsmn alone exceeds.

Usage: check_json_cost.py <valgrind> <json_bench> <create-response.http> [ceiling]
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

N = 1000


def irefs(valgrind, bench, data, rounds, extra, mode):
    run = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *extra, bench, data, str(rounds), *mode],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True)
    m = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
    if m is None:
        sys.exit("no instruction count in valgrind's output:\n" + run.stderr)
    return int(m.group(1).replace(",", ""))


def per_round(valgrind, bench, data, extra=(), mode=()):
    return (irefs(valgrind, bench, data, N + 1000, extra, mode) -
            irefs(valgrind, bench, data, N, extra, mode)) / 1000


def main():
    valgrind, bench, data = sys.argv[1:4]
    budget = float(sys.argv[4]) if len(sys.argv) > 4 else 4130
    # valgrind 3.19 cannot read clang 14's DWARF 5: measure a copy without
    # debug information (the symbols --toggle-collect needs stay).
    tmp = tempfile.mkdtemp()
    objcopy = shutil.which("objcopy")
    if objcopy is not None:
        stripped = os.path.join(tmp, "json_bench")
        subprocess.run([objcopy, "--strip-debug", bench, stripped], check=True)
        bench = stripped
    try:
        report(valgrind, bench, data, budget)
    finally:
        shutil.rmtree(tmp)


def report(valgrind, bench, data, budget):
    whole = per_round(valgrind, bench, data)
    json_only = per_round(valgrind, bench, data, ["--toggle-collect=ccat_json_*"])
    jsmn = per_round(valgrind, bench, data, ["--toggle-collect=jsmn_round*"], ["jsmn"])
    print("one round (copy + parse + 4 members + 4 decodes): %.0f instructions" % whole)
    print("JSON functions alone: %.0f instructions (ceiling %.0f)" % (json_only, budget))
    print("  of which jsmn_parse: %.0f (%.0f%%); our checks, member lookups and decoding: %.0f"
          % (jsmn, 100 * jsmn / json_only if json_only else 0, json_only - jsmn))
    if not 0 < jsmn < json_only:
        sys.exit("jsmn's share is not between 0 and the whole: the measurement is broken")
    if not json_only <= budget:
        sys.exit("over the ceiling")


if __name__ == "__main__":
    main()
