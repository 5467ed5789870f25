#!/usr/bin/env bash
# Instruction budget of one CreateAccessToken exchange on x86-64, measured as
# the bench README says: valgrind --tool=callgrind counts the instructions of
# `ccat-bench --exchanges 1000` and `--exchanges 2000` (one process each, one
# kept-alive client, in-memory transport); the difference divided by 1000 is
# the cost of one exchange, start-up and set-up cancelled out.
#
#   tests/bench/instructions.sh [BUILD_DIR]   (default: build-bench)
#
# BUILD_DIR must be a gcc -O2 build without sanitizers (RelWithDebInfo with
# gcc is "-O2 -g -DNDEBUG"); the flags are checked in its compile_commands.json.
# A BUILD_DIR that does not exist yet is configured that way (gcc,
# RelWithDebInfo); the ccat-bench target is (re)built unless
# CCAT_BENCH_NO_BUILD=1. Budget: <= 5000 instructions per exchange. The count
# includes the bench's own per-exchange field checks and in-memory transport
# (the ccat_create_access_token share is printed too). Prints a Markdown
# fragment; exit 1 when over or on any failure.
#
# CCAT_BENCH_OPT=-Os measures the same exchange on a gcc -Os build instead
# (the firmware's optimisation level: the -O2 fast paths are compiled out and
# the general code runs). The issue sets no budget there; a ceiling keeps a
# size saving from quietly costing the devices' CPU (a parse by bisection
# once saved 106 B for +78% instructions at -Os). Its lines say
# "instructions_os:".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-$repo/build-bench}
# The issue's budget is 5,000 (met since 2026-11-28; jsmn's tokenizer is
# about 2,500 of the count on its own). CI fails above the budget and also
# above the ceiling, the figure last measured rounded up to the next 50
# (6,535 -> 6,550, after the -O2 fast paths: SSE2 line scan, CRLF and known
# header names in the HTTP parser, the flat-object check and plain-text
# member reads in JSON, one strlen for the bearer token), so that the count
# only goes down; the target is reported too. Session of 2026-11-28: JSON
# member names packed with their lengths, HTTP head fast path (64-byte
# masks, whole-word header names), request writer rework (Content-Length in
# place, plain names copied, CreateAccessToken's writer inlined), response
# side (SSE2 plain scan by byte extremes, flat-object loop, SWAR time parse,
# inline response read with a constant-name walk for plain texts, io()
# inlined into each caller) -> 5,070; HTTP parser rework (head fast path in
# a function of its own, a Content-Length body that came with the head taken
# at once, init without a memset) -> 4,893 -> 4,900; second session of
# 2026-11-28 (jsmn non-strict, the JSON checks as one table-driven walk)
# -> 4,745 -> 4,750
budget=5000
ceiling=${CCAT_INSTRUCTIONS_CEILING:-4750}
opt=${CCAT_BENCH_OPT:--O2}
name=instructions
case $opt in
  -O2) ;;
  # -Os: 20,823 measured at the second session of 2026-11-28, ceiling +3%
  # (sizes are traded for a few instructions here) -> 21,450; 20,639 on
  # 2026-12-07 -> 21,300
  -Os) name=instructions_os budget=0 ceiling=${CCAT_INSTRUCTIONS_OS_CEILING:-21300} ;;
  *) echo "instructions: FAILED: CCAT_BENCH_OPT=$opt: -O2 or -Os"; exit 1 ;;
esac
n1=1000 n2=2000

if [[ ! -f $build/CMakeCache.txt ]]; then
  echo "$name: configuring $build (gcc, RelWithDebInfo, $opt)"
  cmake -S "$repo" -B "$build" -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCCAT_QEMU=OFF \
        -DCMAKE_C_FLAGS_RELWITHDEBINFO="$opt -g -DNDEBUG" \
        -DCCAT_BUILD_PORTS=OFF -DCCAT_BUDGETS=OFF >"$build.configure.log" 2>&1 ||
    { echo "$name: FAILED: configure:"; cat "$build.configure.log"; exit 1; }
fi
if [[ ${CCAT_BENCH_NO_BUILD:-0} != 1 ]]; then
  cmake --build "$build" --target ccat-bench -j2 >"$build/ccat-bench.build.log" 2>&1 ||
    { echo "$name: FAILED: build:"; cat "$build/ccat-bench.build.log"; exit 1; }
fi
bench=$build/tests/bench/ccat-bench
[[ -x $bench ]] || { echo "$name: FAILED: $bench not built"; exit 1; }
command -v valgrind >/dev/null || { echo "$name: FAILED: valgrind not installed"; exit 1; }

# Confirm what was measured: gcc, last -O is -O2, no sanitizer, for the core
# and the bench alike.
flags=$(python3 - "$build/compile_commands.json" "$opt" "$name" <<'PY'
import json, os, re, shlex, shutil, sys
seen = set()

def is_gcc(cc):
    # cc (Debian's default C compiler) is gcc behind links: look at the file.
    path = os.path.realpath(shutil.which(cc) or cc)
    return "gcc" in os.path.basename(path) and "clang" not in os.path.basename(path)

for e in json.load(open(sys.argv[1])):
    f = e["file"]
    if not (re.search(r"/core/[^/]+\.c$", f) or f.endswith("/tests/bench/ccat_bench.c")):
        continue
    args = e.get("arguments") or shlex.split(e["command"])
    opts = [a for a in args if re.fullmatch(r"-O.?", a)]
    bad = [a for a in args if a.startswith(("-fsanitize", "-fprofile", "--coverage"))]
    if not opts or opts[-1] != sys.argv[2] or bad or not is_gcc(args[0]):
        sys.exit("%s: FAILED: %s is built with %s %s %s, not gcc %s without "
                 "instrumentation" % (sys.argv[3], f, args[0], opts[-1] if opts else "(no -O)",
                                      " ".join(bad), sys.argv[2]))
    seen.add(" ".join(a for a in args if re.fullmatch(r"-O.?|-g|-DNDEBUG|-march=.*", a)))
if not seen:
    sys.exit(sys.argv[3] + ": FAILED: no core or bench sources in compile_commands.json")
print(" / ".join(sorted(seen)))
PY
) || { echo "$flags"; exit 1; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() { # count N: total Ir of one run, and the inclusive Ir of ccat_create_access_token
  local n=$1 f=$out/callgrind.$1
  if ! valgrind --tool=callgrind --callgrind-out-file="$f" "$bench" --exchanges "$n" \
       >"$out/run.$n.log" 2>&1; then
    echo "$name: FAILED: ccat-bench --exchanges $n under valgrind:" >&2
    cat "$out/run.$n.log" >&2
    return 1
  fi
  local total incl
  total=$(sed -n 's/^\(summary\|totals\): *\([0-9]*\).*/\2/p' "$f" | head -n1)
  incl=$(callgrind_annotate --inclusive=yes "$f" 2>/dev/null |
         sed -n 's/^ *\([0-9,]*\) ([^)]*) *[^ ]*:ccat_create_access_token .*/\1/p' | head -n1 | tr -d ,)
  echo "$total ${incl:-0}"
}
read -r i1 c1 < <(count $n1) || exit 1
read -r i2 c2 < <(count $n2) || exit 1
[[ -n $i1 && -n $i2 ]] || { echo "$name: FAILED: no callgrind totals"; exit 1; }

per=$(( (i2 - i1) / (n2 - n1) ))
rem=$(( (i2 - i1) % (n2 - n1) ))
target="budget $budget"
((budget > 0)) || target="no budget, ceiling $ceiling"
printf 'Instructions per reference exchange (x86-64, %s, valgrind %s callgrind, (I(%d) - I(%d)) / %d): **%d** (%s)\n\n' \
  "gcc $(gcc -dumpfullversion) $flags" "$(valgrind --version | sed 's/valgrind-//')" $n2 $n1 $((n2 - n1)) "$per" "$target"
echo "| measure | instructions |"
echo "|---|---:|"
echo "| whole process, $n1 exchanges | $i1 |"
echo "| whole process, $n2 exchanges | $i2 |"
echo "| **per exchange** (bench loop: client + in-memory transport + field checks) | **$per.$(printf '%03d' $rem)** |"
if ((c1 > 0 && c2 > 0)); then
  cper=$(( (c2 - c1) / (n2 - n1) ))
  echo "| of which inside \`ccat_create_access_token\` (inclusive, transport callbacks included) | $cper |"
fi
echo
if ((budget > 0 && (per > budget || (per == budget && rem > 0)))); then
  echo "$name: TARGET NOT MET: $per.$(printf '%03d' $rem) instructions per exchange > target $budget"
fi
if ((per > ceiling || (per == ceiling && rem > 0))); then
  echo "$name: FAILED: $per.$(printf '%03d' $rem) instructions per exchange > ceiling $ceiling"
  echo "(where they go: valgrind --tool=callgrind --callgrind-out-file=cg.out $bench --exchanges $n2 && callgrind_annotate cg.out)"
  exit 1
fi
met=""
if ((budget > 0 && (per < budget || (per == budget && rem == 0)))); then
  met=" (the issue's budget of $budget: met)"
fi
echo "$name: OK: $per.$(printf '%03d' $rem) <= ceiling $ceiling instructions per exchange$met"
