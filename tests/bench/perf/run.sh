#!/usr/bin/env bash
# The side-by-side performance comparison, one command:
#
#   tests/bench/perf/run.sh            full run: writes docs/PERFORMANCE.md and docs/performance.png
#   tests/bench/perf/run.sh --quick    reduced run (ctest perf_compare): correctness and
#                                      every figure but botocore's valgrind ones, written to
#                                      BUILD/perf-quick/ (never over the docs)
# Options: --build DIR (default: build-perf; configured here with gcc,
# RelWithDebInfo = -O2, if it does not exist), --no-build (use the binaries
# already in DIR), --out DIR (where the Markdown and PNG go).
#
# Starts nginx (Debian's, as nobody when run as root) on 127.0.0.1 with a
# throw-away test CA, runs ccat (keep-alive, session resumption, new
# connection per call), libcurl + cJSON and botocore against it, measures
# instructions (callgrind), wall-clock, peak RSS, heap (DHAT) and bytes on the
# wire, checks every call and what nginx saw, stops nginx, writes the report.
# The full run also builds the ccat client against mbedTLS compiled from
# Debian's source with the firmware's trimmed configuration and reports its
# peak heap. Needs: nginx-light, libcurl4-openssl-dev, libcjson-dev,
# gnuplot-nox, valgrind, openssl, python3-botocore (tests/setup-deps.sh) and
# for the full run tests/setup-sources.sh. Exit 0 when every run was correct
# and every figure produced; a missed budget prints TARGET NOT MET.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
build=$repo/build-perf
quick=0 no_build=0 out=
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) quick=1 ;;
    --no-build) no_build=1 ;;
    --build) build=$2; shift ;;
    --out) out=$2; shift ;;
    *) echo "usage: $0 [--quick] [--build DIR] [--no-build] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
if [[ -z $out ]]; then
  if [[ $quick == 1 ]]; then out=$build/perf-quick; else out=$repo/docs; fi
fi

targets=(ccat-perf-ccat ccat-perf-curl)
trimmed=()
if [[ $quick == 0 ]]; then
  targets+=(ccat-perf-ccat-trimmed)
  trimmed=(--trimmed-bin "$build/tests/bench/perf/ccat-perf-ccat-trimmed"
           --trimmed-cfg "boards/qemu-mps2-an385/mbedtls_config.h, CCAT_TLS_RSA=1")
fi
if [[ $no_build == 0 ]]; then
  if [[ ! -f $build/CMakeCache.txt ]]; then
    echo "perf: configuring $build (gcc, RelWithDebInfo)"
    cmake -S "$repo" -B "$build" -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCCAT_QEMU=OFF \
          -DCCAT_BUDGETS=OFF >"$build.configure.log" 2>&1 ||
      { echo "perf: FAILED: configure:"; cat "$build.configure.log"; exit 1; }
  fi
  if [[ $quick == 0 ]]; then
    cmake "$build" -DCCAT_PERF_TRIMMED_MBEDTLS=ON >"$build/perf.configure.log" 2>&1 ||
      { echo "perf: FAILED: configure:"; cat "$build/perf.configure.log"; exit 1; }
  fi
  cmake --build "$build" --target "${targets[@]}" -j2 >"$build/perf.build.log" 2>&1 ||
    { echo "perf: FAILED: build:"; tail -n 40 "$build/perf.build.log"; exit 1; }
fi
mkdir -p "$out"
args=(--bin-dir "$build/tests/bench/perf" --markdown "$out/PERFORMANCE.md"
      --png "$out/performance.png")
if [[ $quick == 1 ]]; then
  args+=(--quick --json "$build/perf-results-quick.json")
else
  args+=(--json "$build/perf-results.json")
fi
exec python3 "$here/perf.py" "${args[@]}" ${trimmed[@]+"${trimmed[@]}"}
