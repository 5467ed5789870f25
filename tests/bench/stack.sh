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
# Reported without a budget: rotation, the deepest user of the core (all
# four operations through the client, and its own listing callback).
rot=$(python3 "$repo/tests/tools/stack_usage.py" "$out/m4" --root ccat_rotate_access_token --limit 4096 \
  --indirect ccat_client_call=create_write,create_read,list_write,list_read,delete_write,delete_read,verify_write,verify_read \
  --indirect ccat_request_write=create_body,list_body,put_id \
  --indirect list_read=sweep_item --indirect ccat_list_response_read=sweep_item) ||
  { echo "stack: FAILED: rotation path:"; echo "$rot"; exit 1; }
echo "Rotation (no budget): $(grep -o 'Worst-case stack of .*' <<<"$rot" | sed 's/ (budget [0-9]*)//')"
echo
# ccat_client_call() reaches CreateAccessToken's request writer and response
# reader, and the writer its body writer, through function pointers:
# --indirect counts them.
exec python3 "$repo/tests/tools/stack_usage.py" "$out/m4" --root ccat_create_access_token --limit 1024 \
  --indirect ccat_client_call=create_write,create_read --indirect ccat_request_write=create_body \
  --target "Cortex-M4 (arm-none-eabi-gcc $(arm-none-eabi-gcc -dumpversion))"
