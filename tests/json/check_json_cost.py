"""Instruction cost of the JSON layer on the reference response body.

Runs json_bench under callgrind with N and N + 1000 rounds; the difference
divided by 1000 is the cost of one round (start-up drops out). Printed: the
whole round (copy of the body + parse + 4 member lookups + 4 decodes) and
the JSON functions alone (--toggle-collect=ccat_json_*). Fails when the JSON
functions alone exceed the budget.

Usage: check_json_cost.py <valgrind> <json_bench> <create-response.http> [budget]
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

N = 1000


def irefs(valgrind, bench, data, rounds, extra):
    run = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *extra, bench, data, str(rounds)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True)
    m = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
    if m is None:
        sys.exit("no instruction count in valgrind's output:\n" + run.stderr)
    return int(m.group(1).replace(",", ""))


def per_round(valgrind, bench, data, extra=()):
    return (irefs(valgrind, bench, data, N + 1000, extra) - irefs(valgrind, bench, data, N, extra)) / 1000


def main():
    valgrind, bench, data = sys.argv[1:4]
    budget = float(sys.argv[4]) if len(sys.argv) > 4 else 2000
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
    print("one round (copy + parse + 4 members + 4 decodes): %.0f instructions" % whole)
    print("JSON functions alone: %.0f instructions (budget %.0f)" % (json_only, budget))
    if not 0 < json_only <= budget:
        sys.exit("over budget")


if __name__ == "__main__":
    main()
