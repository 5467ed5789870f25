#!/usr/bin/env bash
# Stack budget of the create path: the Cortex-M4 -Os build of the core (as in
# size.sh) with -fstack-usage -fcallgraph-info=su; tests/tools/stack_usage.py
# walks gcc's call graph from ccat_create_access_token and adds the frames of
# the deepest path. Calls through function pointers (transport and platform
# hooks) run code outside the core and are not counted; recursion or an
# unbounded dynamic frame anywhere in the core fails the check.
#
#   tests/bench/stack.sh [OUT_DIR]     (default: build-bench-stack)
#
# Budget: <= 1024 bytes. Prints a Markdown fragment; exit 1 when over.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-$repo/build-bench-stack}
mkdir -p "$out"
if ! "$here/cross_compile.sh" m4 "$out/m4" -fstack-usage -fcallgraph-info=su >"$out/m4.log" 2>&1; then
  echo "stack: FAILED: Cortex-M4 compile failed (warnings are errors):"
  cat "$out/m4.log"
  exit 1
fi
exec python3 "$repo/tests/tools/stack_usage.py" "$out/m4" --root ccat_create_access_token --limit 1024 \
  --target "Cortex-M4 (arm-none-eabi-gcc $(arm-none-eabi-gcc -dumpversion))"
