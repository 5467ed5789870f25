#!/usr/bin/env bash
# The test command: ./tests/run.sh (also what CI runs, through .ci/run).
#
#  1. tests/setup-deps.sh       Debian packages (installs only what is missing),
#     tests/setup-sources.sh    and Debian's lwIP/mbedTLS source packages
#  2. build-test   gcc, -Werror, RelWithDebInfo: every ctest case, budgets included
#  3. build-asan   gcc -Os, -fsanitize=address,undefined: every ctest case
#  4. build-m32, build-m32sse   gcc -m32 -O2, core and its tests (no ports):
#                  the -O2 word-at-a-time paths with 4-byte words, and the
#                  SSE2 paths on 32-bit x86 (-msse2)
#  5. build-clang  clang, -Werror: the whole tree compiles warning-free; the
#                  CLI's memcheck case runs on clang's code too
#  6. build-fuzz   clang, -DCCAT_FUZZ=ON: the libFuzzer cases (ctest -L fuzz)
#
# Stops at the first failure, naming the step; exit status 0 only when all
# passed. Build folders are reused (incremental); CCAT_BUILD_PREFIX changes
# their prefix (default "build-"), CCAT_JOBS the parallelism (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
exec </dev/null                  # CI has no stdin; nothing may wait on one
export CI=${CI:-true}

prefix=${CCAT_BUILD_PREFIX:-build-}
jobs=${CCAT_JOBS:-2}
start=$(date +%s)
summary=()
total_tests=0
current=""

elapsed() { local s=$(( $(date +%s) - $1 )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }
on_exit() {
  local rc=$?
  if ((rc != 0)); then
    echo
    echo "run.sh: FAILED at step '${current}' (exit $rc) after $(elapsed "$start"); passed before it: ${summary[*]:-nothing}"
  fi
}
trap on_exit EXIT

step() { # step NAME: announce a step
  current=$1
  echo
  echo "==== run.sh: $1 ===="
}

configure_build() { # configure_build DIR cmake-args...: configure then build everything
  local dir=$1; shift
  cmake -S . -B "$dir" "$@"
  cmake --build "$dir" -j"$jobs"
}

run_ctest() { # run_ctest NAME DIR ctest-args...: run, and count the tests that ran
  local name=$1 dir=$2 log; shift 2
  log=$(mktemp)
  local rc=0
  (cd "$dir" && ctest --output-on-failure --no-tests=error -j"$jobs" "$@") 2>&1 | tee "$log" || rc=$?
  local n
  n=$(sed -n 's/.*tests passed, [0-9]* tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -n1)
  rm -f "$log"
  if ((rc != 0)); then
    return "$rc"
  fi
  total_tests=$((total_tests + ${n:-0}))
  summary+=("$name:${n:-0}")
}

step "dependencies (tests/setup-deps.sh)"
./tests/setup-deps.sh --tests
./tests/setup-sources.sh          # lwIP + mbedTLS sources (Debian) for the firmware and host lwIP
summary+=("deps:ok")

step "build-test: gcc, -DCCAT_WERROR=ON, RelWithDebInfo"
configure_build "${prefix}test" -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCCAT_WERROR=ON -DCCAT_SANITIZE= -DCCAT_FUZZ=OFF -DCCAT_BUDGETS=ON \
  -DCCAT_BUILD_LWIP=ON -DCCAT_QEMU=ON
step "build-test: ctest (unit, conformance, ports, budgets)"
run_ctest test "${prefix}test"
# ctest shows the output of passing tests only in its log: echo the figures.
echo "run.sh: budgets (details: tests/bench/*.sh, or ${prefix}test/Testing/Temporary/LastTest.log):"
budget_lines=$(grep -E '^(size|stack|instructions|instructions_os): ' "${prefix}test/Testing/Temporary/LastTest.log" || true)
if [[ $(grep -cE '^[a-z_]+: (OK|FAILED)' <<<"$budget_lines") -ne 4 ]]; then
  echo "run.sh: the four budget tests (size, stack, instructions at -O2 and -Os) did not all report" >&2
  exit 1
fi
sed 's/^/  /' <<<"$budget_lines"

step "build-asan: gcc -Os, -DCCAT_SANITIZE=address,undefined"
# -Os here: the core's -O2-only fast paths (HTTP line scan, flat JSON objects,
# plain-text member reads) are compiled out at -Os, as on the firmware, so
# this build runs every test through the general code under the sanitizers
# while build-test and build-fuzz run the fast paths.
configure_build "${prefix}asan" -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-Os -g -DNDEBUG" \
  -DCCAT_WERROR=ON -DCCAT_SANITIZE=address,undefined -DCCAT_FUZZ=OFF -DCCAT_BUDGETS=OFF \
  -DCCAT_BUILD_LWIP=ON
step "build-asan: ctest"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  run_ctest asan "${prefix}asan"

# 32-bit little-endian at -O2, as a Cortex-A or an -O2 Cortex-M build runs
# it: the core's word-at-a-time fast paths with 4-byte words (build-test
# runs them with 8-byte words), then the same with SSE2 on 32-bit x86. The
# core and its tests only: Debian has no 32-bit mbedTLS for an amd64 host.
for m32 in "m32:-m32" "m32sse:-m32 -msse2"; do
  name=${m32%%:*} flags=${m32#*:}
  step "build-$name: gcc $flags -O2, core and its tests"
  configure_build "${prefix}$name" -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS="$flags" -DCCAT_WERROR=ON -DCCAT_SANITIZE= -DCCAT_FUZZ=OFF \
    -DCCAT_BUDGETS=OFF -DCCAT_QEMU=OFF -DCCAT_BUILD_PORTS=OFF
  step "build-$name: ctest"
  run_ctest "$name" "${prefix}$name"
done

step "build-clang: clang, -DCCAT_WERROR=ON (warning-free build of the whole tree)"
configure_build "${prefix}clang" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCCAT_WERROR=ON -DCCAT_SANITIZE= -DCCAT_FUZZ=OFF -DCCAT_BUDGETS=OFF -DCCAT_BUILD_LWIP=ON
summary+=("clang:built")
step "build-clang: ctest -R '^cli_valgrind$' (memcheck on clang's code too)"
run_ctest clang-valgrind "${prefix}clang" -R '^cli_valgrind$'


step "build-fuzz: clang, -DCCAT_FUZZ=ON"
configure_build "${prefix}fuzz" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCCAT_WERROR=ON -DCCAT_SANITIZE= -DCCAT_FUZZ=ON -DCCAT_BUDGETS=OFF -DCCAT_BUILD_LWIP=OFF
step "build-fuzz: ctest -L fuzz"
run_ctest fuzz "${prefix}fuzz" -L fuzz

current="finished"
echo
echo "run.sh: ALL PASSED in $(elapsed "$start"): ${summary[*]}"
echo "run.sh: 100% tests passed, 0 tests failed out of ${total_tests}"
