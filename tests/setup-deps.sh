#!/usr/bin/env bash
# Install what ccat's build, tests and budgets need, from Debian 12 only.
#
# Idempotent: packages already installed are left alone, and `apt-get update`
# runs only when something is missing. Needs root only when it has to install.
# Never installs anything from outside the Debian archive (no pip, no curl).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

# Build and test toolchain. libclang-rt-14-dev holds libFuzzer and the
# sanitizer runtimes for clang; gcc-arm-none-eabi + libnewlib-arm-none-eabi
# build the Cortex-M size and stack budgets (newlib provides string.h);
# gcc-riscv64-unknown-elf is only for the (unbudgeted) RV32 size report.
# dpkg-dev unpacks the lwIP/mbedTLS source packages (tests/setup-sources.sh);
# qemu-system-arm runs the mps2-an385 firmware; libslirp-dev joins the host
# lwIP build to 127.0.0.1; nginx, libcurl4-openssl-dev, libcjson-dev and
# gnuplot-nox are the performance comparison's server, rival and chart;
# gcc-multilib builds the core's tests for 32-bit x86 (tests/run.sh build-m32).
packages=(
  cmake make gcc clang libclang-rt-14-dev
  libmbedtls-dev libjsmn-dev liblwip-dev
  valgrind openssl python3 ca-certificates iproute2
  gcc-arm-none-eabi libnewlib-arm-none-eabi gcc-riscv64-unknown-elf
  dpkg-dev qemu-system-arm libslirp-dev
  nginx-light libcurl4-openssl-dev libcjson-dev gnuplot-nox gcc-multilib
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup-deps: installing from Debian: ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup-deps: FAILED: must run as root to install: ${missing[*]}" >&2
    exit 1
  fi
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
  echo "setup-deps: installed: ${missing[*]}"
else
  echo "setup-deps: all ${#packages[@]} Debian packages already installed"
fi

# The emulator tests compare against botocore in the machine's python3 (a
# pyenv interpreter in CI that already carries it). It is not ours to install:
# with --tests, say so loudly rather than let tests fail obscurely later. The
# demo (no argument) does not need it.
[[ ${1:-} == --tests ]] || exit 0
if ! python3 -c 'import botocore' 2>/dev/null; then
  echo "setup-deps: FAILED: '$(command -v python3 || echo python3)' cannot import botocore;" \
       "the tests need a python3 that has botocore (nothing is pip-installed here)" >&2
  exit 1
fi
echo "setup-deps: python3 $(python3 -c 'import sys, botocore; print("%d.%d.%d" % sys.version_info[:3], "with botocore", botocore.__version__)')"
