#!/usr/bin/env bash
# The main job, end to end, on a fresh Debian machine (run as root):
#
#   1. install the Debian packages that are missing (tests/setup-deps.sh),
#   2. build:  cmake -S . -B build && cmake --build build (the library,
#      its ports and the Linux CLI; the lwIP ports and the QEMU firmware
#      come too once tests/setup-sources.sh has unpacked their sources),
#   3. start the CodeCatalyst emulator over HTTPS on 127.0.0.1 with its own
#      test CA (tests/emulator/ccat_emulator.py),
#   4. create an access token with the CLI, exactly as on a device:
#        AWS_BEARER_TOKEN_CODECATALYST=... build/ccat create-access-token \
#          --name demo-device --endpoint-url https://localhost:PORT --ca-bundle ca.pem
#   5. then verify-session and list-access-tokens with the same options,
#   6. stop the emulator (also on error or Ctrl-C).
#
# Exit status: the CLI's (0: a token was created and printed, the session
# verified and the tokens listed; else the first failure's), or 1 if a
# step before it failed. The bearer token is a throwaway one for the
# emulator; it is never printed.
set -euo pipefail
cd "$(dirname "$0")/../.."

jobs=${CCAT_JOBS:-2}
work=$(mktemp -d)
emulator_pid=""

cleanup() {
  if [[ -n $emulator_pid ]]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n==== demo: %s ====\n' "$*"; }

# Only Debian packages, and only those that are missing.
install_deps() {
  if [[ -x tests/setup-deps.sh ]]; then
    tests/setup-deps.sh
    return
  fi
  local p missing=()
  for p in cmake make gcc libmbedtls-dev libjsmn-dev openssl python3; do
    dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

# Starts the emulator in the background; sets emulator_pid and port.
start_emulator() {
  python3 tests/emulator/ccat_emulator.py --port 0 --port-file "$work/port" \
    --cert-dir "$work/certs" --token "$1" --quiet &
  emulator_pid=$!
  local i
  for ((i = 0; i < 150; i++)); do   # up to 15 s (the first run makes certificates)
    if [[ -s $work/port ]]; then
      port=$(<"$work/port")
      [[ $port =~ ^[0-9]+$ ]] && return 0
    fi
    kill -0 "$emulator_pid" 2>/dev/null || { echo "demo: the emulator exited" >&2; return 1; }
    sleep 0.1
  done
  echo "demo: the emulator did not start listening within 15 s" >&2
  return 1
}

say "dependencies"
install_deps

say "build: cmake -S . -B build && cmake --build build"
cmake -S . -B build
cmake --build build -j"$jobs"

say "emulator (HTTPS, 127.0.0.1, test CA in a temporary directory)"
bearer="demo-bearer-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
port=""
start_emulator "$bearer"
echo "listening on https://localhost:$port"

say "create-access-token"
echo "+ AWS_BEARER_TOKEN_CODECATALYST=*** build/ccat create-access-token --name demo-device" \
     "--endpoint-url https://localhost:$port --ca-bundle $work/certs/ca.pem"
status=0
AWS_BEARER_TOKEN_CODECATALYST=$bearer build/ccat create-access-token --name demo-device \
  --endpoint-url "https://localhost:$port" --ca-bundle "$work/certs/ca.pem" || status=$?

# The rest of the lifecycle: who the token belongs to, and its tokens.
for cmd in verify-session list-access-tokens; do
  ((status == 0)) || break
  say "$cmd"
  echo "+ AWS_BEARER_TOKEN_CODECATALYST=*** build/ccat $cmd" \
       "--endpoint-url https://localhost:$port --ca-bundle $work/certs/ca.pem"
  AWS_BEARER_TOKEN_CODECATALYST=$bearer build/ccat "$cmd" \
    --endpoint-url "https://localhost:$port" --ca-bundle "$work/certs/ca.pem" || status=$?
done

say "ccat exited with status $status"
exit "$status"
